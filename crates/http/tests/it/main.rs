//! Integration tests over HTTP, each on SQLite and on PostgreSQL.
//! One test binary for the crate: on two cores, linking is the cost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod access;
mod api;
mod appeals;
mod appointments;
mod attendance;
mod cases;
mod catalog;
mod certificates;
mod city;
mod consultations;
mod evaluation;
mod kannel;
mod monitoring;
mod online;
mod open311;
mod organization;
mod outbox;
mod payments;
mod progress;
mod projects;
mod proxy;
mod queue;
mod ratings;
mod storage;
mod supervision;
mod video;
