//! One module per area; handlers named `verb_noun`-ish after what the page does.

pub mod admin;
pub mod appeal_public;
pub mod appeals;
pub mod attendance;
pub mod auth;
pub mod cases;
pub mod certificates;
pub mod consultations;
pub mod disclosure;
pub mod evaluation;
pub mod findings;
pub mod guide;
pub mod home;
pub mod monitor;
pub mod notices;
pub mod online;
pub mod organization;
pub mod payments;
pub mod progress;
pub mod projects;
pub mod proxy;
pub mod queue;
pub mod ratings;
pub mod setup;
pub mod video;
pub mod workbench;
