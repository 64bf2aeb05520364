//! When the sweep must look at an open case again.
//!
//! What the sweep records for an open case (its [`Verdict`]: the time-based findings and the
//! yellow or red warning) is a function of the case's [`ClockSnapshot`] and the time. Time
//! changes it only at two kinds of instants: a China midnight, when a clock counts one more
//! day, and the first millisecond after the close of office on a date, when a clock whose
//! due date it is runs out (every due time is a close of office, [`read_clock`]). Between
//! events, the verdict also only grows: findings are never withdrawn and levels never fall.
//!
//! So [`SweepContext::next_look`] can tell, once, the first instant after `now` at which the
//! verdict reads differently, by searching those instants; a store keeps it beside the clock
//! and the sweep reads only the clocks whose instant has come, instead of every open case
//! every time. An event on the case sets its clock to be looked at at once; a change of the
//! calendar or the rules ([`basis`]) has every clock looked at again.
//!
//! [`read_clock`]: crate::case::deadline::read_clock

use chrono::{DateTime, Days, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use super::finding::{Finding, sweep_timing};
use super::rules::SupervisionRules;
use crate::calendar::{WorkingCalendar, china_date, china_day_start};
use crate::case::snapshot::Warning;
use crate::case::{ClockSnapshot, WarningRules};
use crate::catalog::ServiceItem;
use crate::organization::CaseId;

/// How far ahead [`SweepContext::next_look`] searches: a case that changes no sooner is
/// looked at again after this many days anyway (and searched again from there).
pub const LOOK_AHEAD_DAYS: u64 = 31;

/// What the sweep records for an open case at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The time-based findings (overdue case or step, left untouched, pause too long).
    pub findings: Vec<Finding>,
    /// The yellow or red warning sent about the case, if any.
    pub warning: Option<Warning>,
}

impl Verdict {
    /// Whether two verdicts record the same: the same findings (by key) and the same
    /// warning (period and level). Texts, due times and day counts may differ.
    pub fn records_same_as(&self, other: &Verdict) -> bool {
        let warned = |v: &Verdict| v.warning.map(|w| (w.period_seq, w.level));
        self.findings.len() == other.findings.len()
            && self
                .findings
                .iter()
                .zip(&other.findings)
                .all(|(a, b)| a.dedup_key == b.dedup_key)
            && warned(self) == warned(other)
    }
}

/// What the sweep reads a case's clock with: the item version it was received under, the
/// calendar and the rules.
#[derive(Debug, Clone, Copy)]
pub struct SweepContext<'a> {
    pub item: &'a ServiceItem,
    pub calendar: &'a WorkingCalendar,
    pub supervision: &'a SupervisionRules,
    pub warnings: &'a WarningRules,
}

impl SweepContext<'_> {
    /// What the sweep records for the case at `at`.
    pub fn verdict(&self, case_id: CaseId, clock: &ClockSnapshot, at: DateTime<Utc>) -> Verdict {
        Verdict {
            findings: sweep_timing(
                case_id,
                clock.timing(),
                self.item,
                self.calendar,
                self.supervision,
                at,
            ),
            warning: clock.warning(self.item, self.calendar, self.warnings, at),
        }
    }

    /// The first instant after `now` at which the case's verdict differs from the one at
    /// `now`, if within [`LOOK_AHEAD_DAYS`]; else the last instant searched. Millisecond
    /// precision, as stores keep instants.
    ///
    /// The candidates are, for each date from today on, its midnight and the millisecond
    /// after its close of office; the first that differs is found by galloping and halving
    /// (about a dozen verdicts), which is right because a verdict, once changed, does not
    /// change back.
    pub fn next_look(
        &self,
        case_id: CaseId,
        clock: &ClockSnapshot,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let today = china_date(now);
        let candidate = |k: u64| -> DateTime<Utc> {
            let date = today.checked_add_days(Days::new(k / 2)).unwrap_or(today);
            if k.is_multiple_of(2) {
                china_day_start(date)
            } else {
                self.calendar.close_of(date) + TimeDelta::milliseconds(1)
            }
        };
        // Today's midnight is past; today's close may be too.
        let first = if candidate(1) > now { 1 } else { 2 };
        let end = 2 * (LOOK_AHEAD_DAYS + 1);
        let base = self.verdict(case_id, clock, now);
        let differs = |k: u64| {
            !self
                .verdict(case_id, clock, candidate(k))
                .records_same_as(&base)
        };
        // Gallop: every candidate below `low` reads the same as now.
        let (mut low, mut step) = (first, 1);
        let mut high = loop {
            let probe = (low + step - 1).min(end - 1);
            if differs(probe) {
                break probe;
            }
            if probe == end - 1 {
                return candidate(probe);
            }
            low = probe + 1;
            step *= 2;
        };
        // Halve: `high` differs, everything below `low` does not.
        while low < high {
            let middle = low + (high - low) / 2;
            if differs(middle) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        candidate(high)
    }
}

/// A digest of everything but the clocks that verdicts depend on: the calendar's notices
/// and office hours and the rules. Next looks computed under one basis are not trusted
/// under another.
pub fn basis(
    calendar: &WorkingCalendar,
    supervision: &SupervisionRules,
    warnings: &WarningRules,
) -> String {
    let mut hash = Sha256::new();
    for notice in calendar.notices() {
        hash.update(notice.to_toml());
        hash.update([0]);
    }
    hash.update(format!("{:?}", calendar.office_hours()));
    hash.update([0]);
    hash.update(serde_json::to_string(supervision).unwrap_or_default());
    hash.update([0]);
    hash.update(serde_json::to_string(warnings).unwrap_or_default());
    hex::encode(hash.finalize())
}
