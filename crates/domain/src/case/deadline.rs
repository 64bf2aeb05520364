//! Time limits: working days used and left, the due time, and the warning level, all derived
//! from the case's events, its item and the calendar.
//!
//! Counting (rules.md): a period starts the day after the triggering day; an action after
//! office hours counts from the next working period; time in a pause (supplement, special
//! procedure) is not counted — the working days after the day it starts, up to and including
//! the day it ends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Pause;
use super::snapshot::Timing;
use crate::calendar::{WorkingCalendar, china_date};
use crate::catalog::ServiceItem;

/// 绿 / 黄 (预警) / 红 (报警).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Green,
    Yellow,
    Red,
}
crate::organization::string_enum!(WarningLevel { Green => "green", Yellow => "yellow", Red => "red" });

/// When a case turns yellow: a configurable default from published e-supervision practice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningRules {
    /// Yellow once this share of the limit is used (percent).
    pub yellow_used_percent: u32,
    /// Yellow once this many working days or fewer are left.
    pub yellow_days_left: u32,
}

impl Default for WarningRules {
    fn default() -> Self {
        WarningRules {
            yellow_used_percent: 80,
            yellow_days_left: 1,
        }
    }
}

/// A clock read at one moment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    /// Working days allowed, extensions included.
    pub limit_days: u32,
    pub used_days: u32,
    /// Negative when overdue.
    pub remaining_days: i64,
    /// The last working day; unknown while the clock is stopped.
    pub due_date: Option<NaiveDate>,
    /// The close of office on the due date.
    pub due_at: Option<DateTime<Utc>>,
    /// False while paused or once the step or case is done.
    pub running: bool,
    /// Some day counted lies in a year with no holiday notice yet.
    pub provisional: bool,
    pub level: WarningLevel,
}

struct Segment {
    start: NaiveDate,
    end: Option<NaiveDate>,
}

/// The running stretches from `start`, broken by pauses; the last is open-ended unless paused.
fn segments(calendar: &WorkingCalendar, start: DateTime<Utc>, pauses: &[Pause]) -> Vec<Segment> {
    let mut out = Vec::with_capacity(pauses.len() + 1);
    let mut from = calendar.effective_date(start);
    for pause in pauses.iter().filter(|p| p.started_at >= start) {
        out.push(Segment {
            start: from,
            end: Some(china_date(pause.started_at).max(from)),
        });
        match pause.ended_at {
            // Counting resumes after the day the clock restarts; that day itself was counted
            // before the pause if it was a working day.
            Some(resumed) => from = china_date(resumed).max(from),
            None => return out,
        }
    }
    out.push(Segment {
        start: from,
        end: None,
    });
    out
}

/// Reads a clock that started at `start` with `limit_days`, stopped by `pauses` and, once
/// the work is done, at `stopped_at`, as of `now`.
pub fn read_clock(
    calendar: &WorkingCalendar,
    rules: &WarningRules,
    start: DateTime<Utc>,
    pauses: &[Pause],
    stopped_at: Option<DateTime<Utc>>,
    limit_days: u32,
    now: DateTime<Utc>,
) -> ClockReading {
    let until = stopped_at.unwrap_or(now);
    let today = china_date(until);
    let segments = segments(calendar, start, pauses);
    let paused = segments.last().is_some_and(|s| s.end.is_some());
    let mut used: u32 = 0;
    let mut provisional = false;
    let mut due_date = None;
    let mut left = limit_days;
    for segment in &segments {
        let end = segment.end.unwrap_or(today).min(today);
        let counted = calendar.working_days_between(segment.start, end);
        provisional |= counted.provisional;
        used = used.saturating_add(counted.value);
        if due_date.is_none() {
            let capacity = segment
                .end
                .map(|e| calendar.working_days_between(segment.start, e).value);
            if capacity.is_none_or(|c| left <= c) {
                let due = calendar.add_working_days(segment.start, left);
                provisional |= due.provisional;
                due_date = Some(due.value);
            } else {
                left -= capacity.unwrap_or(0);
            }
        }
    }
    let due_at = due_date.map(|d| calendar.close_of(d));
    let remaining_days = i64::from(limit_days) - i64::from(used);
    let level = if used > limit_days || due_at.is_some_and(|due| until > due) {
        WarningLevel::Red
    } else if limit_days > 0
        && (u64::from(used) * 100 >= u64::from(limit_days) * u64::from(rules.yellow_used_percent)
            || remaining_days <= i64::from(rules.yellow_days_left))
    {
        // A same-day limit (on-the-spot items) has no "near": it is on time or late.
        WarningLevel::Yellow
    } else {
        WarningLevel::Green
    };
    ClockReading {
        limit_days,
        used_days: used,
        remaining_days,
        due_date,
        due_at,
        running: !paused && stopped_at.is_none(),
        provisional,
        level,
    }
}

/// An open case's level as far as its stored due time tells, for counting many cases without
/// their histories: red past the due time, yellow with `yellow_days_left` working days or fewer
/// to go, green otherwise or while the clock is stopped (no due time). The case page's level
/// also turns yellow at 80 % of the limit used and red when a step is overdue; this one cannot
/// see those.
pub fn level_by_due(
    due_at: Option<DateTime<Utc>>,
    calendar: &WorkingCalendar,
    rules: &WarningRules,
    now: DateTime<Utc>,
) -> WarningLevel {
    match due_at {
        None => WarningLevel::Green,
        Some(due) if now > due => WarningLevel::Red,
        Some(due) => {
            let left = calendar
                .working_days_between(china_date(now), china_date(due))
                .value;
            if left <= rules.yellow_days_left {
                WarningLevel::Yellow
            } else {
                WarningLevel::Green
            }
        }
    }
}

/// The case's clock against its committed limit plus extensions; none before acceptance.
pub fn case_clock<'a>(
    case: impl Into<Timing<'a>>,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &WarningRules,
    now: DateTime<Utc>,
) -> Option<ClockReading> {
    let case = case.into();
    let accepted = case.accepted_at?;
    let stopped = case.decided_at.or(case.closed_at);
    let limit = item.committed_days + case.extension_days;
    Some(read_clock(
        calendar,
        rules,
        accepted,
        case.pauses,
        stopped,
        limit,
        now,
    ))
}

/// The current step's clock against the step's share of the limit.
pub fn step_clock<'a>(
    case: impl Into<Timing<'a>>,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &WarningRules,
    now: DateTime<Utc>,
) -> Option<ClockReading> {
    let case = case.into();
    let step = item.step(case.step_state()?.step()?)?;
    let started = case.step_started_at?;
    Some(read_clock(
        calendar,
        rules,
        started,
        case.pauses,
        None,
        step.share_days,
        now,
    ))
}
