//! The JSON API under `/api/v1`, one module per area.

pub mod appeals;
pub mod appointments;
pub mod attendance;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod certificates;
pub mod city;
pub mod consultations;
pub mod disclosure;
pub mod health;
pub mod notify;
pub mod online;
pub mod organization;
pub mod payments;
pub mod progress;
pub mod projects;
pub mod proxy;
pub mod queue;
pub mod ratings;
pub mod supervision;
pub mod video;
