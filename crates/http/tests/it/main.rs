//! Integration tests over HTTP, each on SQLite and on PostgreSQL.
//! One test binary for the crate: on two cores, linking is the cost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod access;
mod api;
mod cases;
mod catalog;
mod progress;
mod storage;
