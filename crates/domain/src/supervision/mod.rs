//! Supervision (电子监察): warnings and corrections (预警纠错).
//!
//! The rules of rules.md ("Warnings and corrections") turned into [`Finding`]s — found when
//! an event is appended ([`findings_on_event`]), by a sweep over open cases
//! ([`sweep`]), or from fee records ([`check_charges`], [`check_receipts`]) — and the
//! supervision notice (督办单) a finding opens, with its replies and its escalation from SMS
//! to yellow card to red card ([`SupervisionNotice`], [`decide`], [`due_escalation`]).
//!
//! Yellow and red *warnings* (a clock near or past its deadline, sent by SMS) are the
//! case's [`crate::case::WarningLevel`]; a clock past its deadline is also an irregularity
//! here. Pure like the rest of the domain: time, calendar and thresholds are parameters.

pub mod finding;
pub mod notice;
pub mod rules;
pub mod schedule;

pub use finding::{
    FeeCharge, Finding, FindingError, FindingKind, ResponsibleParty, check_charges, check_receipts,
    findings_in_history, findings_on_event, sweep, sweep_timing,
};
pub use notice::{
    CardLevel, NoticeAction, NoticeActionName, NoticeEvent, NoticeEventKind, NoticeParty,
    NoticeReplayError, NoticeState, NoticeTerms, Resolution, SupervisionError, SupervisionNotice,
    decide, due_escalation, open, open_by,
};
pub use rules::SupervisionRules;
pub use schedule::{SweepContext, Verdict};

#[cfg(test)]
mod tests;
