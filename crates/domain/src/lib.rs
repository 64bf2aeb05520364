//! The pure domain of Liandong: no I/O, no async, no SQL, no clock.
//!
//! Time is always a parameter; storage and HTTP are thin layers around these types.

pub mod appeal;
pub mod appointment;
pub mod attendance;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod certificate;
pub mod city;
pub mod consultation;
pub mod evaluation;
pub mod ids;
pub mod notify;
pub mod online;
pub mod organization;
pub mod payment;
pub mod project;
pub mod proxy;
pub mod queue;
pub mod rating;
pub mod supervision;
#[cfg(test)]
mod testing;
pub mod video;
