//! One module per area; handlers named `verb_noun`-ish after what the page does.

pub mod admin;
pub mod auth;
pub mod cases;
pub mod guide;
pub mod home;
pub mod progress;
pub mod setup;
pub mod workbench;
