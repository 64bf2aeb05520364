//! Rankings of subjects of one kind, the seed's awards, and the talk (约谈) rule.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{EvaluationError, EvaluationRules, Period, Points, Subject, SubjectKind};
use crate::organization::{WindowId, string_enum};

/// A subject's points and volume for one period, as a ranking takes them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub subject: Subject,
    pub period: Period,
    pub points: Points,
    pub volume: u64,
}

/// A place in a ranking.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// 1 + the number of subjects with more points: equal points share a rank and the next
    /// rank skips (100, 95, 95, 90 rank 1, 2, 2, 4).
    pub rank: u32,
    pub subject: Subject,
    pub points: Points,
    pub volume: u64,
}

/// Subjects of one kind over one period, best first; equal points are listed by id so that
/// the order never depends on the input's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    pub kind: SubjectKind,
    pub period: Period,
    pub entries: Vec<Ranked>,
}

impl Ranking {
    pub fn entry(&self, subject: Subject) -> Option<&Ranked> {
        self.entries.iter().find(|e| e.subject == subject)
    }

    /// The subjects ranked last. Nobody is last when everyone has the same points (one
    /// subject alone included): last place means someone did better.
    pub fn last(&self) -> Vec<Subject> {
        let (Some(first), Some(bottom)) = (self.entries.first(), self.entries.last()) else {
            return Vec::new();
        };
        if first.points == bottom.points {
            return Vec::new();
        }
        self.entries
            .iter()
            .filter(|e| e.rank == bottom.rank)
            .map(|e| e.subject)
            .collect()
    }
}

/// Ranks `standings`, which must all be of `kind`, for `period`, one per subject.
pub fn rank(
    kind: SubjectKind,
    period: Period,
    standings: &[Standing],
) -> Result<Ranking, EvaluationError> {
    if !period.is_valid() {
        return Err(EvaluationError::InvalidPeriod(period.to_string()));
    }
    let mut seen = HashSet::new();
    for standing in standings {
        if standing.subject.kind() != kind {
            return Err(EvaluationError::WrongKind {
                expected: kind,
                found: standing.subject.kind(),
            });
        }
        if standing.period != period {
            return Err(EvaluationError::OtherPeriod {
                expected: period,
                found: standing.period,
            });
        }
        if !seen.insert(standing.subject) {
            return Err(EvaluationError::DuplicateSubject(standing.subject));
        }
    }
    let mut sorted = standings.to_vec();
    sorted.sort_by(|a, b| {
        b.points
            .cmp(&a.points)
            .then(a.subject.id_value().cmp(&b.subject.id_value()))
    });
    let mut entries: Vec<Ranked> = Vec::with_capacity(sorted.len());
    for (index, standing) in sorted.into_iter().enumerate() {
        let rank = match entries.last() {
            Some(previous) if previous.points == standing.points => previous.rank,
            _ => u32::try_from(index + 1).unwrap_or(u32::MAX),
        };
        entries.push(Ranked {
            rank,
            subject: standing.subject,
            points: standing.points,
            volume: standing.volume,
        });
    }
    Ok(Ranking {
        kind,
        period,
        entries,
    })
}

/// The seed's awards.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Award {
    /// 优秀窗口: monthly, among the windows.
    BestWindow,
    /// 先进分厅: monthly, among the branch halls.
    AdvancedBranchHall,
    /// 优秀便民服务中心: quarterly, among the township and street centers.
    BestConvenienceCenter,
}
string_enum!(Award {
    BestWindow => "best_window",
    AdvancedBranchHall => "advanced_branch_hall",
    BestConvenienceCenter => "best_convenience_center",
});

impl Award {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::BestWindow => "优秀窗口",
            Self::AdvancedBranchHall => "先进分厅",
            Self::BestConvenienceCenter => "优秀便民服务中心",
        }
    }

    /// Who competes.
    pub fn kind(self) -> SubjectKind {
        match self {
            Self::BestWindow => SubjectKind::Window,
            Self::AdvancedBranchHall => SubjectKind::BranchHall,
            Self::BestConvenienceCenter => SubjectKind::TownshipCenter,
        }
    }

    fn quarterly(self) -> bool {
        self == Self::BestConvenienceCenter
    }

    pub fn rules(self, rules: &EvaluationRules) -> &super::AwardRules {
        match self {
            Self::BestWindow => &rules.best_window,
            Self::AdvancedBranchHall => &rules.advanced_branch_hall,
            Self::BestConvenienceCenter => &rules.best_convenience_center,
        }
    }
}

/// The winners of `award` in `ranking` (a month's, or a quarter's for the convenience
/// center). Only subjects with the award's minimum volume and points compete; among them the
/// best `winners` win, and a tie at the cut shares the award (three windows tied for first
/// are all 优秀窗口 even when the award has one place). Nobody wins when nobody qualifies.
pub fn award(
    award: Award,
    ranking: &Ranking,
    rules: &EvaluationRules,
) -> Result<Vec<Ranked>, EvaluationError> {
    if ranking.kind != award.kind() {
        return Err(EvaluationError::WrongKind {
            expected: award.kind(),
            found: ranking.kind,
        });
    }
    let period_ok = if award.quarterly() {
        matches!(ranking.period, Period::Quarter { .. })
    } else {
        matches!(ranking.period, Period::Month { .. })
    };
    if !period_ok {
        let (expected_zh, expected_en) = if award.quarterly() {
            ("季度", "quarter")
        } else {
            ("月度", "month")
        };
        return Err(EvaluationError::WrongPeriod {
            expected_zh,
            expected_en,
            found: ranking.period,
        });
    }
    let limits = award.rules(rules);
    let eligible: Vec<&Ranked> = ranking
        .entries
        .iter()
        .filter(|e| e.volume >= limits.min_volume && e.points >= limits.min_points)
        .collect();
    // The entries are best first, so a subject's place among the eligible is 1 + those
    // eligible with more points.
    let winners = usize::try_from(limits.winners).unwrap_or(usize::MAX);
    Ok(eligible
        .iter()
        .filter(|e| eligible.iter().filter(|o| o.points > e.points).count() < winners)
        .map(|e| **e)
        .collect())
}

/// The windows to summon for a talk (约谈): ranked last both in `previous` and in `current`,
/// two consecutive months' window rankings. See [`Ranking::last`] for ties.
pub fn windows_to_summon(
    previous: &Ranking,
    current: &Ranking,
) -> Result<Vec<WindowId>, EvaluationError> {
    for ranking in [previous, current] {
        if ranking.kind != SubjectKind::Window {
            return Err(EvaluationError::WrongKind {
                expected: SubjectKind::Window,
                found: ranking.kind,
            });
        }
    }
    let consecutive = match (previous.period, current.period) {
        (Period::Month { month: before }, Period::Month { month: after }) => {
            before.next() == Some(after)
        }
        _ => false,
    };
    if !consecutive {
        return Err(EvaluationError::NotConsecutive {
            previous: previous.period,
            current: current.period,
        });
    }
    let last_before = previous.last();
    let mut summoned: Vec<WindowId> = current
        .last()
        .into_iter()
        .filter(|s| last_before.contains(s))
        .filter_map(|s| match s {
            Subject::Window { id } => Some(id),
            _ => None,
        })
        .collect();
    summoned.sort();
    Ok(summoned)
}
