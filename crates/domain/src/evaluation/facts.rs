//! What a subject did in a month: the counts the score is computed from.

use serde::{Deserialize, Serialize};

use super::{EvaluationError, Month, Subject};
use crate::catalog::ServiceItem;
use crate::rating::Satisfaction;
use crate::supervision::FindingKind;

/// Ratings (好差评) given in the month, one count per level.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingCounts {
    pub very_satisfied: u32,
    pub satisfied: u32,
    pub acceptable: u32,
    pub dissatisfied: u32,
    pub very_dissatisfied: u32,
}

impl RatingCounts {
    pub fn count(&self, level: Satisfaction) -> u32 {
        match level {
            Satisfaction::VerySatisfied => self.very_satisfied,
            Satisfaction::Satisfied => self.satisfied,
            Satisfaction::Acceptable => self.acceptable,
            Satisfaction::Dissatisfied => self.dissatisfied,
            Satisfaction::VeryDissatisfied => self.very_dissatisfied,
        }
    }

    /// Counts one more rating at `level`.
    pub fn add(&mut self, level: Satisfaction) {
        self.add_count(level, 1);
    }

    /// Counts `n` more ratings at `level`.
    pub fn add_count(&mut self, level: Satisfaction, n: u32) {
        let slot = match level {
            Satisfaction::VerySatisfied => &mut self.very_satisfied,
            Satisfaction::Satisfied => &mut self.satisfied,
            Satisfaction::Acceptable => &mut self.acceptable,
            Satisfaction::Dissatisfied => &mut self.dissatisfied,
            Satisfaction::VeryDissatisfied => &mut self.very_dissatisfied,
        };
        *slot = slot.saturating_add(n);
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &RatingCounts) {
        for level in Satisfaction::ALL {
            self.add_count(level, other.count(level));
        }
    }

    pub fn total(&self) -> u64 {
        LEVELS.iter().map(|l| u64::from(self.count(*l))).sum()
    }

    /// Poor ratings (差评): the two lowest levels.
    pub fn poor(&self) -> u64 {
        LEVELS
            .iter()
            .filter(|l| l.is_poor())
            .map(|l| u64::from(self.count(*l)))
            .sum()
    }
}

/// The five levels, best first, as the explanations list them.
pub(super) const LEVELS: [Satisfaction; 5] = Satisfaction::ALL;

/// The time limits a subject publishes, added up over its service items: how far its
/// commitments (承诺时限) are shortened against the statutory limits (法定时限).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedLimits {
    /// Statutory limits, in working days, summed over the items.
    pub statutory_days: u64,
    /// Committed limits, in working days, summed over the same items.
    pub committed_days: u64,
}

impl PublishedLimits {
    /// The sums over `items`. Summing (not averaging per item) weighs a 20-day item more
    /// than a 2-day one: days saved are what applicants feel.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a ServiceItem>) -> PublishedLimits {
        items
            .into_iter()
            .fold(PublishedLimits::default(), |sum, item| PublishedLimits {
                statutory_days: sum
                    .statutory_days
                    .saturating_add(item.statutory_days.into()),
                committed_days: sum
                    .committed_days
                    .saturating_add(item.committed_days.into()),
            })
    }

    /// Working days saved against the statutory limits.
    pub fn shortened_days(&self) -> u64 {
        self.statutory_days.saturating_sub(self.committed_days)
    }
}

/// One subject's month. Every field is a count for that calendar month (China time); who
/// counts is the caller's business, how they count is documented here so that each fact is
/// counted in one part only.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyFacts {
    pub subject: Subject,
    pub month: Month,
    /// Cases received (受理) in the month. With `proxy_cases_carried`, the volume awards ask for.
    pub received: u32,
    /// Cases concluded (办结) in the month, whenever received: the base of the time-limit
    /// part and of the early-conclusion bonus.
    pub concluded: u32,
    /// Of `concluded`, those within their committed limit (extensions granted included).
    pub concluded_on_time: u32,
    /// Of `concluded_on_time`, those concluded on a working day before the limit's last day.
    /// On-the-spot items (即办件) have no days to spare and never count.
    pub concluded_early: u32,
    /// Ratings given in the month on the subject's cases.
    pub ratings: RatingCounts,
    /// Of the month's poor ratings, those rectified, or explained and accepted, after the
    /// return visit (回访).
    pub poor_ratings_rectified: u32,
    /// Openness lapses found by inspection: a service guide not published or out of date,
    /// a result not disclosed, a window's staff or hours not posted (五公开).
    pub disclosure_lapses: u32,
    /// Irregularities of procedure: refusal without reasons or legal basis, a missing
    /// acceptance notice or decision document, returns repeated on one step, a later step
    /// reversing an earlier one, a case not entered into the system.
    pub process_irregularities: u32,
    /// Fees charged without authority or off the item's standard; fees receivable ≠ received.
    pub fee_irregularities: u32,
    /// The electronic supervision's other findings: a step overdue, a lower level forwarding
    /// late, an eligible application refused. A case concluded late is not a finding here:
    /// the time-limit part already counts it.
    pub supervision_findings: u32,
    /// Complaints about service (服务投诉) to the efficiency complaint center found true.
    pub service_complaints_upheld: u32,
    /// Decisions revoked, changed or found unlawful on administrative reconsideration or in
    /// court (行政复议、诉讼), counted in the month of the ruling.
    pub decisions_overturned: u32,
    /// Breaches of integrity found true: gifts, favours, the centers' "十不准".
    pub integrity_violations: u32,
    /// Runs of three consecutive warnings (连续三次预警) completed in the month; a run of six
    /// is two.
    pub warning_runs: u32,
    /// Yellow cards (警告) issued in the month.
    pub yellow_cards: u32,
    /// Red cards (问责) issued in the month.
    pub red_cards: u32,
    /// Proxied applications (代办) the unit carried up or back; counts in its volume.
    pub proxy_cases_carried: u32,
    /// Case records checked for completeness.
    pub records_checked: u32,
    /// Of `records_checked`, those with data missing.
    pub records_incomplete: u32,
    /// The subject's published limits in force in the month.
    pub published_limits: PublishedLimits,
    /// A window's attendance irregularities of the month (窗口出勤): late openings,
    /// unexplained absences, stretches closed in office hours, early leaves and pauses too
    /// long. The hours a window keeps are the hours it publishes, so they count in the
    /// openness part.
    #[serde(default)]
    pub attendance_irregularities: u32,
}

impl MonthlyFacts {
    /// A month with nothing in it.
    pub fn new(subject: Subject, month: Month) -> MonthlyFacts {
        MonthlyFacts {
            subject,
            month,
            received: 0,
            concluded: 0,
            concluded_on_time: 0,
            concluded_early: 0,
            ratings: RatingCounts::default(),
            poor_ratings_rectified: 0,
            disclosure_lapses: 0,
            process_irregularities: 0,
            fee_irregularities: 0,
            supervision_findings: 0,
            service_complaints_upheld: 0,
            decisions_overturned: 0,
            integrity_violations: 0,
            warning_runs: 0,
            yellow_cards: 0,
            red_cards: 0,
            proxy_cases_carried: 0,
            records_checked: 0,
            records_incomplete: 0,
            published_limits: PublishedLimits::default(),
            attendance_irregularities: 0,
        }
    }

    /// Counts `n` findings of electronic supervision of `kind` in the part each belongs to,
    /// one part only: step out of order, supplement repeated, returns repeated and refusal
    /// without grounds are process irregularities; fee findings fee irregularities; step
    /// overdue, left untouched and pause too long supervision findings. A case concluded
    /// late is counted by the time-limit part, routine reviews (refusals, denials,
    /// suspensions, terminations) are no fault, and a dead camera is equipment.
    pub fn count_finding(&mut self, kind: FindingKind, n: u32) {
        let slot = match kind {
            FindingKind::StepOutOfOrder
            | FindingKind::SupplementRepeated
            | FindingKind::ReturnsRepeated
            | FindingKind::RefusalWithoutGrounds => &mut self.process_irregularities,
            FindingKind::FeeOffStandard | FindingKind::FeesUnreconciled => {
                &mut self.fee_irregularities
            }
            FindingKind::StepOverdue | FindingKind::LeftUntouched | FindingKind::PauseTooLong => {
                &mut self.supervision_findings
            }
            FindingKind::CaseOverdue
            | FindingKind::IntakeRefused
            | FindingKind::Denied
            | FindingKind::Suspended
            | FindingKind::Terminated
            | FindingKind::CameraOffline
            | FindingKind::AppealAcceptanceOverdue => return,
        };
        *slot = slot.saturating_add(n);
    }

    /// Applications handled: received plus proxied ones carried.
    pub fn volume(&self) -> u64 {
        u64::from(self.received) + u64::from(self.proxy_cases_carried)
    }

    /// Rejects counts that contradict each other.
    pub fn validate(&self) -> Result<(), EvaluationError> {
        if self.concluded_on_time > self.concluded {
            return Err(EvaluationError::OnTimeExceedsConcluded {
                on_time: self.concluded_on_time,
                concluded: self.concluded,
            });
        }
        if self.concluded_early > self.concluded_on_time {
            return Err(EvaluationError::EarlyExceedsOnTime {
                early: self.concluded_early,
                on_time: self.concluded_on_time,
            });
        }
        if u64::from(self.poor_ratings_rectified) > self.ratings.poor() {
            return Err(EvaluationError::RectifiedExceedsPoor {
                rectified: self.poor_ratings_rectified,
                poor: self.ratings.poor(),
            });
        }
        if self.records_incomplete > self.records_checked {
            return Err(EvaluationError::IncompleteExceedsChecked {
                incomplete: self.records_incomplete,
                checked: self.records_checked,
            });
        }
        let limits = self.published_limits;
        if limits.committed_days > limits.statutory_days {
            return Err(EvaluationError::CommittedExceedsStatutory {
                committed: limits.committed_days,
                statutory: limits.statutory_days,
            });
        }
        Ok(())
    }
}
