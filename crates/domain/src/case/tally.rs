//! What each event adds to the running totals of its day (per unit, department and item), so
//! that monitoring reads a few rows of totals instead of scanning ten years of cases.
//!
//! The totals are written in the same transaction as the events, and can always be recounted
//! from the events with this same function: one rule for both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::deadline::ClockReading;
use super::{CaseEvent, EventKind};
use crate::calendar::china_date;

/// Counts of one day (or any sum of days).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Applications received (收件), accepted or not.
    pub received: i64,
    pub accepted: i64,
    /// Refused at intake (不予受理).
    pub intake_refused: i64,
    /// One-time supplement notices issued.
    pub supplement_notices: i64,
    pub approved: i64,
    pub denied: i64,
    /// Concluded (办结): the result delivered.
    pub concluded: i64,
    /// Concluded within the limit, extensions counted.
    pub concluded_on_time: i64,
    /// Accepted, decided and concluded in one step at the window (即办).
    pub on_the_spot: i64,
    pub withdrawn: i64,
    pub extensions: i64,
    pub returns: i64,
}

impl Tally {
    /// The column names, in the order of [`Tally::values`].
    pub const COLUMNS: [&'static str; 12] = [
        "received",
        "accepted",
        "intake_refused",
        "supplement_notices",
        "approved",
        "denied",
        "concluded",
        "concluded_on_time",
        "on_the_spot",
        "withdrawn",
        "extensions",
        "returns",
    ];

    pub fn values(&self) -> [i64; 12] {
        [
            self.received,
            self.accepted,
            self.intake_refused,
            self.supplement_notices,
            self.approved,
            self.denied,
            self.concluded,
            self.concluded_on_time,
            self.on_the_spot,
            self.withdrawn,
            self.extensions,
            self.returns,
        ]
    }

    pub fn from_values(v: [i64; 12]) -> Tally {
        Tally {
            received: v[0],
            accepted: v[1],
            intake_refused: v[2],
            supplement_notices: v[3],
            approved: v[4],
            denied: v[5],
            concluded: v[6],
            concluded_on_time: v[7],
            on_the_spot: v[8],
            withdrawn: v[9],
            extensions: v[10],
            returns: v[11],
        }
    }

    pub fn add(&mut self, other: &Tally) {
        let mut sum = self.values();
        for (s, o) in sum.iter_mut().zip(other.values()) {
            *s += o;
        }
        *self = Tally::from_values(sum);
    }

    pub fn is_empty(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    /// Concluded on time among the concluded, in per mille; `None` with nothing concluded.
    pub fn on_time_permille(&self) -> Option<i64> {
        permille(self.concluded_on_time, self.concluded)
    }

    /// Concluded on the spot among the concluded, in per mille.
    pub fn on_the_spot_permille(&self) -> Option<i64> {
        permille(self.on_the_spot, self.concluded)
    }

    /// Concluded among the received, in per mille (can pass 1000 over a short period, when
    /// cases received earlier conclude in it).
    pub fn conclusion_permille(&self) -> Option<i64> {
        permille(self.concluded, self.received)
    }
}

/// `part / whole` in per mille, rounded half up; `None` when `whole` is 0.
pub fn permille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 2000 + whole) / (2 * whole))
}

/// What events add to each day's totals. `clock_after` is the case's clock once the events are
/// folded in (the app's: after the action; a recount's: after each event). A conclusion is on
/// time when the clock has no working day overdue: the limit runs to the decision, so a result
/// delivered later is still on time; it is on the spot when its event says so (即办).
pub fn tally(events: &[CaseEvent], clock_after: Option<&ClockReading>) -> Vec<(NaiveDate, Tally)> {
    let on_time = clock_after.is_none_or(|c| c.remaining_days >= 0);
    let mut days: Vec<(NaiveDate, Tally)> = Vec::new();
    for event in events {
        let mut t = Tally::default();
        match &event.kind {
            EventKind::Received { .. } => t.received = 1,
            EventKind::Accepted { .. } => t.accepted = 1,
            EventKind::IntakeRefused { .. } => t.intake_refused = 1,
            EventKind::SupplementRequested { .. } => t.supplement_notices = 1,
            EventKind::Approved { .. } => t.approved = 1,
            EventKind::Denied { .. } => t.denied = 1,
            EventKind::Concluded { on_the_spot, .. } => {
                t.concluded = 1;
                t.concluded_on_time = i64::from(on_time);
                t.on_the_spot = i64::from(*on_the_spot);
            }
            EventKind::Withdrawn { .. } => t.withdrawn = 1,
            EventKind::ExtensionGranted { .. } => t.extensions = 1,
            EventKind::Returned { .. } => t.returns = 1,
            EventKind::Supplemented { .. }
            | EventKind::Handled { .. }
            | EventKind::Reviewed { .. }
            | EventKind::SpecialProcedureStarted { .. }
            | EventKind::SpecialProcedureEnded { .. } => continue,
        }
        let day = china_date(event.at);
        match days.iter_mut().find(|(d, _)| *d == day) {
            Some((_, sum)) => sum.add(&t),
            None => days.push((day, t)),
        }
    }
    days
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::case::fixtures::received;
    use crate::case::{Channel, EventDraft};
    use crate::catalog::StepKind;

    use crate::organization::{StaffId, UnitId};
    use crate::testing::china;

    fn event(kind: EventKind, at: DateTime<Utc>) -> CaseEvent {
        CaseEvent::seal(
            "100-20260302-0001",
            crate::case::event::GENESIS_HASH,
            1,
            EventDraft {
                at,
                actor: Some(StaffId(1)),
                unit: UnitId(1),
                comment: String::new(),
                kind,
            },
        )
    }

    fn clock(remaining_days: i64) -> ClockReading {
        ClockReading {
            limit_days: 5,
            used_days: u32::try_from(5 - remaining_days).unwrap_or(0),
            remaining_days,
            due_date: None,
            due_at: None,
            running: false,
            provisional: false,
            level: crate::case::WarningLevel::Green,
        }
    }

    #[test]
    fn an_intake_counts_once_on_its_china_day() {
        // 23:30 UTC on 1 March is 07:30 on 2 March in China.
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 23, 30, 0).unwrap();
        let first = [event(received(Channel::Window), at)];
        let days = tally(&first, None);
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].0, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        assert_eq!(
            days[0].1,
            Tally {
                received: 1,
                ..Tally::default()
            }
        );
    }

    #[test]
    fn an_on_the_spot_batch_is_accepted_approved_and_concluded_on_the_spot() {
        let at = china(2026, 3, 2, 10);
        let batch = [
            event(
                EventKind::Accepted {
                    first_step: StepKind::Approve,
                },
                at,
            ),
            event(
                EventKind::Approved {
                    opinion: String::new(),
                },
                at,
            ),
            event(
                EventKind::Concluded {
                    delivery: "当场".into(),
                    on_the_spot: true,
                },
                at,
            ),
        ];
        let days = tally(&batch, Some(&clock(0)));
        let t = days[0].1;
        assert_eq!(
            (
                t.accepted,
                t.approved,
                t.concluded,
                t.concluded_on_time,
                t.on_the_spot
            ),
            (1, 1, 1, 1, 1)
        );
    }

    #[test]
    fn a_conclusion_past_the_limit_is_not_on_time_nor_on_the_spot() {
        let at = china(2026, 3, 20, 10);
        let done = [event(
            EventKind::Concluded {
                delivery: "邮寄".into(),
                on_the_spot: false,
            },
            at,
        )];
        let late = tally(&done, Some(&clock(-1)))[0].1;
        assert_eq!(
            (late.concluded, late.concluded_on_time, late.on_the_spot),
            (1, 0, 0)
        );
        let in_time = tally(&done, Some(&clock(0)))[0].1;
        assert_eq!(in_time.concluded_on_time, 1, "the last day still counts");
    }

    #[test]
    fn steps_without_a_count_add_nothing_and_days_are_kept_apart() {
        let handled = event(
            EventKind::Handled {
                opinion: String::new(),
                next_step: StepKind::Review,
            },
            china(2026, 3, 2, 10),
        );
        assert!(tally(std::slice::from_ref(&handled), None).is_empty());
        let two_days = [
            event(
                EventKind::Denied {
                    reason: "不符合条件".into(),
                    legal_basis: "第三十八条".into(),
                },
                china(2026, 3, 2, 16),
            ),
            handled,
            event(
                EventKind::Concluded {
                    delivery: "窗口领取".into(),
                    on_the_spot: false,
                },
                china(2026, 3, 3, 9),
            ),
        ];
        let days = tally(&two_days, None);
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].1.denied, days[0].1.concluded), (1, 0));
        assert_eq!((days[1].1.denied, days[1].1.concluded), (0, 1));
    }

    #[test]
    fn a_conclusion_stored_before_the_on_the_spot_mark_reads_and_hashes_as_it_did() {
        let old: EventKind =
            serde_json::from_str(r#"{"type":"concluded","delivery":"窗口领取"}"#).unwrap();
        assert_eq!(
            old,
            EventKind::Concluded {
                delivery: "窗口领取".into(),
                on_the_spot: false
            }
        );
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"type":"concluded","delivery":"窗口领取"}"#,
            "an unmarked conclusion serialises, and so hashes, exactly as before"
        );
        let marked = EventKind::Concluded {
            delivery: "当场".into(),
            on_the_spot: true,
        };
        assert!(
            serde_json::to_string(&marked)
                .unwrap()
                .contains(r#""on_the_spot":true"#)
        );
    }

    #[test]
    fn rates_are_per_mille_rounded_half_up_and_absent_without_a_base() {
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(1, 8), Some(125));
        assert_eq!(permille(1, 2000), Some(1), "0.5 per mille rounds up");
        assert_eq!(permille(0, 0), None);
        let t = Tally {
            received: 4,
            concluded: 3,
            concluded_on_time: 2,
            on_the_spot: 1,
            ..Tally::default()
        };
        assert_eq!(t.on_time_permille(), Some(667));
        assert_eq!(t.on_the_spot_permille(), Some(333));
        assert_eq!(t.conclusion_permille(), Some(750));
        let mut sum = t;
        sum.add(&t);
        assert_eq!(Tally::from_values(sum.values()), sum);
        assert_eq!(sum.received, 8);
        assert!(!sum.is_empty() && Tally::default().is_empty());
    }
}
