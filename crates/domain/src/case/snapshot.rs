//! What a case's clocks read, apart from the rest of the case: the time facts the deadlines,
//! the warning levels and the time-based findings depend on. A folded [`Case`] lends them as
//! a [`Timing`]; a [`ClockSnapshot`] owns them, so that a store can keep them beside the case
//! row and a sweep over many open cases reads no history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::deadline::{ClockReading, WarningLevel, WarningRules, case_clock, step_clock};
use super::{Case, CaseEvent, CaseState, Pause};
use crate::calendar::WorkingCalendar;
use crate::catalog::ServiceItem;

/// The time facts of a case, borrowed: all the clocks and time-based rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing<'a> {
    pub state: CaseState,
    pub resume_state: Option<CaseState>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub step_started_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub pauses: &'a [Pause],
    pub extension_days: u32,
    pub extensions_granted: u32,
}

impl Timing<'_> {
    /// The pause that is stopping the clock now, if any.
    pub fn open_pause(&self) -> Option<&Pause> {
        self.pauses.last().filter(|p| p.ended_at.is_none())
    }

    /// The state whose step the case is at: the one it will resume while paused.
    pub fn step_state(&self) -> Option<CaseState> {
        match self.state {
            CaseState::AwaitingSupplement | CaseState::SpecialProcedure => self.resume_state,
            state => Some(state),
        }
    }
}

impl<'a> From<&'a Case> for Timing<'a> {
    fn from(case: &'a Case) -> Self {
        Timing {
            state: case.state,
            resume_state: case.resume_state,
            accepted_at: case.accepted_at,
            step_started_at: case.step_started_at,
            decided_at: case.decided_at,
            closed_at: case.closed_at,
            pauses: &case.pauses,
            extension_days: case.extension_days,
            extensions_granted: case.extensions_granted,
        }
    }
}

impl<'a> From<&'a ClockSnapshot> for Timing<'a> {
    fn from(s: &'a ClockSnapshot) -> Self {
        Timing {
            state: s.state,
            resume_state: s.resume_state,
            accepted_at: s.accepted_at,
            step_started_at: s.step_started_at,
            decided_at: s.decided_at,
            closed_at: s.closed_at,
            pauses: &s.pauses,
            extension_days: s.extension_days,
            extensions_granted: s.extensions_granted,
        }
    }
}

/// The time facts of a case, owned, with the events that began its two warning periods.
/// Kept beside an open case's row and rewritten with every event, so that it always equals
/// [`ClockSnapshot::of`] the whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSnapshot {
    pub state: CaseState,
    pub resume_state: Option<CaseState>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub step_started_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub pauses: Vec<Pause>,
    pub extension_days: u32,
    pub extensions_granted: u32,
    /// The last event at or before acceptance: names the case's warning period.
    pub accepted_seq: Option<u32>,
    /// The last event at or before the current step began: names the step's warning period.
    pub step_seq: Option<u32>,
}

/// The last event of `events` (in order) at or before `at`.
fn period_seq(events: &[&CaseEvent], at: Option<DateTime<Utc>>) -> Option<u32> {
    let at = at?;
    events.iter().rev().find(|e| e.at <= at).map(|e| e.seq)
}

impl ClockSnapshot {
    /// The snapshot of `case`, folded from `events` (its whole history, in order; given as
    /// slices because a writer holds the stored events and the new ones apart).
    pub fn of(case: &Case, events: &[&[CaseEvent]]) -> ClockSnapshot {
        let all: Vec<&CaseEvent> = events.iter().flat_map(|s| s.iter()).collect();
        ClockSnapshot {
            state: case.state,
            resume_state: case.resume_state,
            accepted_at: case.accepted_at,
            step_started_at: case.step_started_at,
            decided_at: case.decided_at,
            closed_at: case.closed_at,
            pauses: case.pauses.clone(),
            extension_days: case.extension_days,
            extensions_granted: case.extensions_granted,
            accepted_seq: period_seq(&all, case.accepted_at),
            step_seq: period_seq(&all, case.step_started_at),
        }
    }

    pub fn timing(&self) -> Timing<'_> {
        self.into()
    }

    /// Whether a sweep looks at this case: accepted and not closed.
    pub fn swept(&self) -> bool {
        self.accepted_at.is_some() && !self.state.is_closed()
    }

    /// The warning the supervision sweep sends about the case now, if any (see [`warning`]).
    pub fn warning(
        &self,
        item: &ServiceItem,
        calendar: &WorkingCalendar,
        rules: &WarningRules,
        now: DateTime<Utc>,
    ) -> Option<Warning> {
        let (reading, period) = warning(self, item, calendar, rules, now)?;
        let period_seq = match period {
            WarnedPeriod::Case => self.accepted_seq,
            WarnedPeriod::Step => self.step_seq,
        }?;
        Some(Warning {
            period_seq,
            level: reading.level,
            due_at: reading.due_at?,
            working_days: u32::try_from(reading.remaining_days.unsigned_abs()).unwrap_or(u32::MAX),
        })
    }
}

/// Which period a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarnedPeriod {
    /// The case since acceptance.
    Case,
    /// The step it waits at, since the step began.
    Step,
}

/// The warning level the sweep sends for: the case's clock or its step's, whichever is
/// worse (the case's on a tie), and which period it is. None while green or stopped.
pub fn warning<'a>(
    case: impl Into<Timing<'a>>,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &WarningRules,
    now: DateTime<Utc>,
) -> Option<(ClockReading, WarnedPeriod)> {
    let timing = case.into();
    let whole = case_clock(timing, item, calendar, rules, now);
    let step = step_clock(timing, item, calendar, rules, now);
    let (clock, period, started) = match (whole, step) {
        (Some(w), Some(s)) if s.level > w.level => (s, WarnedPeriod::Step, timing.step_started_at),
        (Some(w), _) => (w, WarnedPeriod::Case, timing.accepted_at),
        (None, Some(s)) => (s, WarnedPeriod::Step, timing.step_started_at),
        (None, None) => return None,
    };
    if clock.level == WarningLevel::Green || !clock.running {
        return None;
    }
    started?;
    Some((clock, period))
}

/// A yellow or red warning: its level, the event that began the warned period (one warning
/// per level per period), the due time and the working days left or past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning {
    pub period_seq: u32,
    pub level: WarningLevel,
    pub due_at: DateTime<Utc>,
    pub working_days: u32,
}
