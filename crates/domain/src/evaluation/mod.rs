//! Performance evaluation (绩效评估): monthly scores of windows, departments and units, their
//! half-year and year means, quarterly grades, rankings, the seed's awards and the talk (约谈).
//!
//! A month's score follows the published city measure in rules.md: base 100 in nine weighted
//! parts, less deductions, plus bonuses, never below 0. How a part is earned from the month's
//! [`MonthlyFacts`] is this module's choice; every number lives in [`EvaluationRules`]
//! (defaults shown):
//!
//! | part | weight | points |
//! | --- | --- | --- |
//! | openness 政务公开 | 10 | −2 per disclosure lapse |
//! | process conformity 程序规范 | 14 | −2 per process irregularity |
//! | lawful time limits 时限合法 | 14 | −1 per percentage point of concluded cases not on time |
//! | lawful fees 收费合法 | 8 | −4 per fee irregularity |
//! | satisfaction 群众满意度 | 10 | 10 × the mean value of the ratings: 100 / 90 / 70 / 30 / 0 % from 非常满意 to 非常不满意 |
//! | service attitude 服务态度 | 10 | −1 per poor rating not rectified, −2 per service complaint upheld |
//! | supervision findings 电子监察 | 14 | −2 per finding |
//! | legal responsibility 法律责任 | 10 | −5 per decision overturned on reconsideration or in court |
//! | integrity 廉洁自律 | 10 | −10 per violation |
//!
//! A part never goes below 0. A month with no case concluded keeps the time-limit part whole
//! and one with no rating the satisfaction part: nobody loses points for having no
//! applicants; awards ask for a minimum volume instead.
//!
//! Deductions: −3 per run of three consecutive warnings; −5 per yellow card; −10 per red card;
//! −1 per whole percent of checked records with data missing, at most −5.
//! Bonuses: cases concluded early ≥ 10 % of those concluded +1, +1 per further full 10 %;
//! published commitments ≥ 30 % shorter than the statutory limits (days summed over the
//! items) +3, +1 per further full 10 %. Thresholds compare exact fractions.
//!
//! Points are integer hundredths. Rates are exact fractions; a part's points are rounded half
//! up to a hundredth once, and so is a period's mean. Half-year and year scores are the mean
//! of the months scored; a quarter's mean is graded 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else
//! 不合格, which calls for a supervision proposal.
//!
//! A ranking puts one kind of subject best first: equal points share a rank and the next rank
//! skips, ties listed by id. An award goes to the best among subjects with a minimum volume
//! (received plus proxied: 30 a month; 90 a quarter for convenience centers) and 90 points; a
//! tie at the cut shares it. A window ranked last two consecutive months is summoned for a
//! talk; when everyone ties nobody is last.
//!
//! A window answers for the applications taken in at it, their ratings, the findings at its
//! own steps and its attendance (see [`window_in_service`] and the `windows` module); its
//! attendance irregularities cost the openness part −1 each. A quarter
//! ([`quarter_ranking`]) ranks each kind by the mean of its months, grades each subject and
//! names the township centers' 优秀便民服务中心.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::organization::{DepartmentId, UnitId, UnitKind, WindowId, string_enum};

mod facts;
mod period;
mod points;
mod quarter;
mod ranking;
mod rules;
mod score;
mod windows;

#[cfg(test)]
mod tests;

pub use facts::{MonthlyFacts, PublishedLimits, RatingCounts};
pub use period::{
    Grade, Month, Period, PeriodScore, QuarterGrade, grade, period_score, quarter_grade,
};
pub use points::Points;
pub use quarter::{QuarterRanking, quarter_ranking};
pub use ranking::{Award, Ranked, Ranking, Standing, award, rank, windows_to_summon};
pub use rules::{
    AwardRules, EvaluationRules, GradeThresholds, PartWeights, SatisfactionValues, StepBonus,
};
pub use score::{Bonus, Deduction, LineItem, Part, Score, ScoreLine, evaluate};
pub use windows::{attendance_irregularities, window_answers_for, window_in_service};

/// What is evaluated: a window, a department (across the units it serves in) or a unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    Window {
        id: WindowId,
    },
    Department {
        id: DepartmentId,
    },
    /// The unit's kind decides which ranking and award it belongs to.
    Unit {
        id: UnitId,
        kind: UnitKind,
    },
}

impl Subject {
    pub fn kind(self) -> SubjectKind {
        match self {
            Subject::Window { .. } => SubjectKind::Window,
            Subject::Department { .. } => SubjectKind::Department,
            Subject::Unit { kind, .. } => match kind {
                UnitKind::DistrictHall => SubjectKind::DistrictHall,
                UnitKind::BranchHall => SubjectKind::BranchHall,
                UnitKind::TownshipCenter => SubjectKind::TownshipCenter,
                UnitKind::VillageStation => SubjectKind::VillageStation,
            },
        }
    }

    /// The id as a number: within one kind, it orders subjects that tie.
    pub fn id_value(self) -> i64 {
        match self {
            Subject::Window { id } => id.0,
            Subject::Department { id } => id.0,
            Subject::Unit { id, .. } => id.0,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.id_value())
    }
}

/// The kinds of subject ranked against each other.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Window,
    Department,
    DistrictHall,
    BranchHall,
    TownshipCenter,
    VillageStation,
}
string_enum!(SubjectKind {
    Window => "window",
    Department => "department",
    DistrictHall => "district_hall",
    BranchHall => "branch_hall",
    TownshipCenter => "township_center",
    VillageStation => "village_station",
});

impl SubjectKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Window => "窗口",
            Self::Department => "部门",
            Self::DistrictHall => UnitKind::DistrictHall.name_zh(),
            Self::BranchHall => UnitKind::BranchHall.name_zh(),
            Self::TownshipCenter => UnitKind::TownshipCenter.name_zh(),
            Self::VillageStation => UnitKind::VillageStation.name_zh(),
        }
    }
}

/// Why facts, rules or scores cannot be evaluated as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    #[error(
        "按时办结 {on_time} 件多于办结 {concluded} 件 / {on_time} concluded on time but only {concluded} concluded"
    )]
    OnTimeExceedsConcluded { on_time: u32, concluded: u32 },
    #[error(
        "提前办结 {early} 件多于按时办结 {on_time} 件 / {early} concluded early but only {on_time} on time"
    )]
    EarlyExceedsOnTime { early: u32, on_time: u32 },
    #[error(
        "差评整改 {rectified} 个多于差评 {poor} 个 / {rectified} poor ratings rectified but only {poor} given"
    )]
    RectifiedExceedsPoor { rectified: u32, poor: u64 },
    #[error(
        "数据缺失 {incomplete} 条多于检查 {checked} 条 / {incomplete} records incomplete but only {checked} checked"
    )]
    IncompleteExceedsChecked { incomplete: u32, checked: u32 },
    #[error(
        "承诺时限 {committed} 个工作日长于法定时限 {statutory} 个工作日 / committed limits of {committed} working days exceed the statutory {statutory}"
    )]
    CommittedExceedsStatutory { committed: u64, statutory: u64 },
    #[error("评估规则 {what} 无效：{zh} / invalid evaluation rules, {what}: {en}")]
    InvalidRules {
        what: &'static str,
        zh: &'static str,
        en: &'static str,
    },
    #[error("月份“{0}”无效，应为“年-月”如 2026-03 / `{0}` is not a month such as 2026-03")]
    BadMonth(String),
    #[error("评估期间 {0} 无效 / {0} is not a valid period")]
    InvalidPeriod(String),
    #[error("应为{}，实为{} / expected {expected}, found {found}", expected.name_zh(), found.name_zh())]
    WrongKind {
        expected: SubjectKind,
        found: SubjectKind,
    },
    #[error(
        "评估期间应为{expected_zh}，实为 {found} / the period must be a {expected_en}, not {found}"
    )]
    WrongPeriod {
        expected_zh: &'static str,
        expected_en: &'static str,
        found: Period,
    },
    #[error(
        "期间不一致：应为 {expected}，实为 {found} / expected period {expected}, found {found}"
    )]
    OtherPeriod { expected: Period, found: Period },
    #[error("{0} 重复出现 / {0} appears twice")]
    DuplicateSubject(Subject),
    #[error("得分属于 {found} 而非 {expected} / a score of {found}, not of {expected}")]
    OtherSubject { expected: Subject, found: Subject },
    #[error("{month} 不在 {period} 内 / {month} is outside {period}")]
    OutsidePeriod { month: Month, period: Period },
    #[error("{0} 的得分重复 / two scores for {0}")]
    DuplicateMonth(Month),
    #[error("{0} 没有月度得分 / no monthly score in {0}")]
    NoScores(Period),
    #[error(
        "约谈须比较相邻两个月的窗口排名，而非 {previous} 与 {current} / the talk rule compares two consecutive months, not {previous} and {current}"
    )]
    NotConsecutive { previous: Period, current: Period },
    #[error("季度“{0}”无效，应为“年-Q季”如 2026-Q3 / `{0}` is not a quarter such as 2026-Q3")]
    BadQuarter(String),
}
