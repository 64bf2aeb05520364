//! The web crate's one integration-test binary: pages in-process on both databases, and the
//! end-to-end flows in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod appeals;
mod attendance;
mod browser;
mod city;
mod monitor;
mod pages;
mod projects;
mod proxy;
mod support;
mod video;
