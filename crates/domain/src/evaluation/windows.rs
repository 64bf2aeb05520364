//! Windows as subjects: what a window answers for in a month, and which windows are ranked.
//!
//! A window answers for the applications taken in at it (the case records the window: the
//! one the clerk was signed on at, else the queue ticket finished with the case): their
//! volume, their conclusions in the month and whether on time; the ratings given at its pad
//! and on those cases online or by SMS; the findings on those cases at the steps a window
//! clerk takes (intake, one-time notices, refusals — the later steps are the department's);
//! and the hours it keeps ([`attendance_irregularities`]). Cards are the department's: a
//! notice is answered by the department, not by the window.

use crate::attendance::MonthlyAttendance;
use crate::organization::Role;

use super::MonthlyFacts;

/// Whether a finding at a step of `role` counts against the window that took the case in:
/// only the window clerk's own steps.
pub fn window_answers_for(role: Role) -> bool {
    role == Role::WindowClerk
}

/// The irregularities of a window's month of attendance that count against it: late
/// openings, unexplained absences, stretches closed in office hours, early leaves and pauses
/// too long, each once.
pub fn attendance_irregularities(month: &MonthlyAttendance) -> u32 {
    [
        month.late_openings,
        month.absences,
        month.closed_stretches,
        month.early_leaves,
        month.long_pauses,
    ]
    .into_iter()
    .fold(0u32, u32::saturating_add)
}

/// Whether a window is in the month's ranking: it was in service — took an application in,
/// was rated, or had its attendance kept. A window nobody used is not ranked (it would
/// otherwise score full marks for doing nothing and push the working windows down).
pub fn window_in_service(facts: &MonthlyFacts, attendance_kept: bool) -> bool {
    facts.received > 0 || facts.ratings.total() > 0 || attendance_kept
}
