//! Months and the longer periods made of them; period means and quarterly grades.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{EvaluationError, EvaluationRules, GradeThresholds, Points, Score, Standing, Subject};
use crate::organization::string_enum;

/// A calendar month, written `2026-03`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month(NaiveDate);

impl Month {
    /// `None` unless `month` is 1–12 and the year is within the calendar's range.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        NaiveDate::from_ymd_opt(year, month, 1).map(Month)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// 1–12.
    pub fn month(self) -> u32 {
        self.0.month()
    }

    /// 1–4.
    pub fn quarter(self) -> u8 {
        // month() is 1..=12, so the quotient is 0..=3.
        u8::try_from((self.month() - 1) / 3 + 1).unwrap_or(4)
    }

    /// 1 for January–June, 2 for July–December.
    pub fn half(self) -> u8 {
        if self.month() <= 6 { 1 } else { 2 }
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .and_then(|m| m.0.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month(date.with_day(1).unwrap_or(date))
    }

    /// The month before; `None` only at the start of the calendar.
    pub fn previous(self) -> Option<Month> {
        self.0.checked_sub_months(Months::new(1)).map(Month)
    }

    /// The month after; `None` only at the end of the calendar.
    pub fn next(self) -> Option<Month> {
        self.0.checked_add_months(Months::new(1)).map(Month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = EvaluationError;
    fn from_str(text: &str) -> Result<Month, EvaluationError> {
        let bad = || EvaluationError::BadMonth(text.to_owned());
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl TryFrom<String> for Month {
    type Error = EvaluationError;
    fn try_from(text: String) -> Result<Month, EvaluationError> {
        text.parse()
    }
}

impl From<Month> for String {
    fn from(month: Month) -> String {
        month.to_string()
    }
}

/// The periods scores are given for: the month itself, and the means over longer ones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Period {
    Month {
        month: Month,
    },
    /// `quarter` 1–4.
    Quarter {
        year: i32,
        quarter: u8,
    },
    /// `half` 1 (January–June) or 2.
    HalfYear {
        year: i32,
        half: u8,
    },
    Year {
        year: i32,
    },
}

impl Period {
    /// Whether the quarter or half is in range (a deserialized period may not be).
    pub fn is_valid(self) -> bool {
        match self {
            Period::Month { .. } | Period::Year { .. } => true,
            Period::Quarter { quarter, .. } => (1..=4).contains(&quarter),
            Period::HalfYear { half, .. } => (1..=2).contains(&half),
        }
    }

    pub fn contains(self, month: Month) -> bool {
        match self {
            Period::Month { month: m } => m == month,
            Period::Quarter { year, quarter } => month.year() == year && month.quarter() == quarter,
            Period::HalfYear { year, half } => month.year() == year && month.half() == half,
            Period::Year { year } => month.year() == year,
        }
    }

    /// The quarter `month` falls in.
    pub fn quarter_of(month: Month) -> Period {
        Period::Quarter {
            year: month.year(),
            quarter: month.quarter(),
        }
    }

    /// A quarter written `2026-Q3` (`q` accepted too).
    pub fn parse_quarter(text: &str) -> Result<Period, EvaluationError> {
        let bad = || EvaluationError::BadQuarter(text.to_owned());
        let (year, quarter) = text.trim().split_once('-').ok_or_else(bad)?;
        let quarter = quarter
            .strip_prefix('Q')
            .or_else(|| quarter.strip_prefix('q'))
            .ok_or_else(bad)?;
        if year.len() != 4
            || !year.bytes().all(|b| b.is_ascii_digit())
            || !matches!(quarter, "1" | "2" | "3" | "4")
        {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let quarter: u8 = quarter.parse().map_err(|_| bad())?;
        Ok(Period::Quarter { year, quarter })
    }

    /// The months of the period, first to last.
    pub fn months(self) -> Vec<Month> {
        if !self.is_valid() {
            return Vec::new();
        }
        let (year, first, count) = match self {
            Period::Month { month } => return vec![month],
            Period::Quarter { year, quarter } => (year, u32::from(quarter) * 3 - 2, 3),
            Period::HalfYear { year, half } => (year, u32::from(half) * 6 - 5, 6),
            Period::Year { year } => (year, 1, 12),
        };
        (first..first + count)
            .filter_map(|m| Month::new(year, m))
            .collect()
    }

    fn checked(self) -> Result<Period, EvaluationError> {
        if self.is_valid() {
            Ok(self)
        } else {
            Err(EvaluationError::InvalidPeriod(self.to_string()))
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { month } => month.fmt(f),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::HalfYear { year, half } => write!(f, "{year:04}-H{half}"),
            Period::Year { year } => write!(f, "{year:04}"),
        }
    }
}

/// A subject's score over a period: the mean of its monthly totals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodScore {
    pub subject: Subject,
    pub period: Period,
    /// The months that had a score (a window opened in March has four in the first half).
    pub months: u32,
    /// The months' volumes added up.
    pub volume: u64,
    /// Mean of the monthly totals, rounded half up to a hundredth.
    pub mean: Points,
}

impl PeriodScore {
    /// Where the period score stands in a ranking.
    pub fn standing(&self) -> Standing {
        Standing {
            subject: self.subject,
            period: self.period,
            points: self.mean,
            volume: self.volume,
        }
    }
}

/// The mean of `subject`'s monthly scores within `period` (rules.md: half-year and year are
/// the mean of the months). Only the months given count: a month without a score (before the
/// window opened) is not a zero. Every score must be the subject's, within the period, one
/// per month.
pub fn period_score(
    subject: Subject,
    period: Period,
    scores: &[Score],
) -> Result<PeriodScore, EvaluationError> {
    let period = period.checked()?;
    let mut seen = BTreeSet::new();
    for score in scores {
        if score.subject != subject {
            return Err(EvaluationError::OtherSubject {
                expected: subject,
                found: score.subject,
            });
        }
        if !period.contains(score.month) {
            return Err(EvaluationError::OutsidePeriod {
                month: score.month,
                period,
            });
        }
        if !seen.insert(score.month) {
            return Err(EvaluationError::DuplicateMonth(score.month));
        }
    }
    let totals: Vec<Points> = scores.iter().map(|s| s.total).collect();
    let mean = Points::mean(&totals).ok_or(EvaluationError::NoScores(period))?;
    Ok(PeriodScore {
        subject,
        period,
        months: u32::try_from(scores.len()).unwrap_or(u32::MAX),
        volume: scores.iter().map(|s| s.volume).sum(),
        mean,
    })
}

/// The quarterly grades.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Fail,
    Pass,
    Good,
    Excellent,
}
string_enum!(Grade {
    Fail => "fail",
    Pass => "pass",
    Good => "good",
    Excellent => "excellent",
});

impl Grade {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Excellent => "优秀",
            Self::Good => "良好",
            Self::Pass => "合格",
            Self::Fail => "不合格",
        }
    }

    /// 不合格 triggers a supervision proposal (监察建议) to the subject's superior.
    pub fn needs_supervision_proposal(self) -> bool {
        self == Self::Fail
    }
}

/// The grade of `points`: each threshold is the lowest score of its grade.
pub fn grade(points: Points, thresholds: &GradeThresholds) -> Grade {
    if points >= thresholds.excellent {
        Grade::Excellent
    } else if points >= thresholds.good {
        Grade::Good
    } else if points >= thresholds.pass {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

/// A subject's quarter: its mean, grade, and whether a supervision proposal is due.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterGrade {
    pub score: PeriodScore,
    pub grade: Grade,
    pub supervision_proposal: bool,
}

/// Grades `subject`'s quarter from its monthly scores in it.
pub fn quarter_grade(
    subject: Subject,
    quarter: Period,
    scores: &[Score],
    rules: &EvaluationRules,
) -> Result<QuarterGrade, EvaluationError> {
    if !matches!(quarter, Period::Quarter { .. }) {
        return Err(EvaluationError::WrongPeriod {
            expected_zh: "季度",
            expected_en: "quarter",
            found: quarter,
        });
    }
    rules.validate()?;
    let score = period_score(subject, quarter, scores)?;
    let grade = grade(score.mean, &rules.grades);
    Ok(QuarterGrade {
        score,
        grade,
        supervision_proposal: grade.needs_supervision_proposal(),
    })
}
