//! Cases (办件): the state machine, its actions and events, deadlines and the audit chain.
//!
//! A case is the fold of its events; `workflow::decide` turns an action into events and
//! `Case::apply` folds one in. Both are pure: time, actor and item come in a `Context`.

pub mod action;
pub mod deadline;
pub mod disclosure;
pub mod event;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod number;
pub mod snapshot;
pub mod tally;
pub mod workflow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{ItemCode, StepKind};
use crate::ids::{CreditCode, PhoneNumber, ResidentId};
use crate::organization::string_enum;

pub use action::{Action, ActionName, SpecialProcedure};
pub use deadline::{ClockReading, WarningLevel, WarningRules};
pub use event::{CaseEvent, EventDraft, EventKind};
pub use number::CaseNumber;
pub use snapshot::{ClockSnapshot, Timing};
pub use workflow::{
    APPLICANT_ACTIONS, Context, WorkflowError, allowed_actions, decide, decide_for_applicant,
};

/// How the application reached the system.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Window,
    Online,
    /// 代办: carried up from a village station.
    Proxy,
}
string_enum!(Channel { Window => "window", Online => "online", Proxy => "proxy" });

/// 申请人: a person or an organisation, identified by a checked number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Applicant {
    Person {
        name: String,
        resident_id: ResidentId,
    },
    Organisation {
        name: String,
        credit_code: CreditCode,
    },
}

impl Applicant {
    pub fn name(&self) -> &str {
        match self {
            Applicant::Person { name, .. } | Applicant::Organisation { name, .. } => name,
        }
    }

    /// The resident ID or credit code as written.
    pub fn id_number(&self) -> &str {
        match self {
            Applicant::Person { resident_id, .. } => resident_id.as_str(),
            Applicant::Organisation { credit_code, .. } => credit_code.as_str(),
        }
    }
}

/// Where a case stands. Stored as its snake_case name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Waiting for the intake decision.
    Submitted,
    /// A one-time supplement notice is out; before acceptance, or after it with the clock stopped.
    AwaitingSupplement,
    /// 承办
    Handling,
    /// 审核
    Reviewing,
    /// 批准 / 不予许可
    Deciding,
    /// A special procedure (hearing, inspection…) is running; the clock is stopped.
    SpecialProcedure,
    /// Approved or denied; the result is to be delivered.
    Decided,
    /// 办结
    Concluded,
    /// 不予受理
    Refused,
    /// Withdrawn by the applicant.
    Withdrawn,
}
string_enum!(CaseState {
    Submitted => "submitted",
    AwaitingSupplement => "awaiting_supplement",
    Handling => "handling",
    Reviewing => "reviewing",
    Deciding => "deciding",
    SpecialProcedure => "special_procedure",
    Decided => "decided",
    Concluded => "concluded",
    Refused => "refused",
    Withdrawn => "withdrawn",
});

impl CaseState {
    /// Every state, for tables and filters.
    pub const ALL: [CaseState; 10] = [
        CaseState::Submitted,
        CaseState::AwaitingSupplement,
        CaseState::Handling,
        CaseState::Reviewing,
        CaseState::Deciding,
        CaseState::SpecialProcedure,
        CaseState::Decided,
        CaseState::Concluded,
        CaseState::Refused,
        CaseState::Withdrawn,
    ];

    /// The state of a case waiting at `step`.
    pub fn at_step(step: StepKind) -> CaseState {
        match step {
            StepKind::Handle => CaseState::Handling,
            StepKind::Review => CaseState::Reviewing,
            StepKind::Approve => CaseState::Deciding,
        }
    }

    /// The step a case in this state waits at.
    pub fn step(self) -> Option<StepKind> {
        match self {
            CaseState::Handling => Some(StepKind::Handle),
            CaseState::Reviewing => Some(StepKind::Review),
            CaseState::Deciding => Some(StepKind::Approve),
            _ => None,
        }
    }

    /// Whether the case is over: nothing more can happen to it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CaseState::Concluded | CaseState::Refused | CaseState::Withdrawn
        )
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CaseState::Submitted => "待受理",
            CaseState::AwaitingSupplement => "待补正",
            CaseState::Handling => "承办中",
            CaseState::Reviewing => "审核中",
            CaseState::Deciding => "待批准",
            CaseState::SpecialProcedure => "特别程序中",
            CaseState::Decided => "已决定待送达",
            CaseState::Concluded => "已办结",
            CaseState::Refused => "不予受理",
            CaseState::Withdrawn => "已撤回",
        }
    }
}

/// The decision on a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Denied,
}
string_enum!(Outcome { Approved => "approved", Denied => "denied" });

/// Why the clock stopped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PauseReason {
    Supplement,
    SpecialProcedure {
        procedure: SpecialProcedure,
        stated_days: u32,
    },
}

/// A stretch of time not counted against the limit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: PauseReason,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A case as folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub applicant: Applicant,
    pub phone: PhoneNumber,
    pub item_code: ItemCode,
    pub item_version: u32,
    pub channel: Channel,
    /// Names of the materials received so far, at intake and by supplement.
    pub materials_received: Vec<String>,
    pub state: CaseState,
    /// The state to return to when a supplement arrives or a special procedure ends.
    pub resume_state: Option<CaseState>,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// When the current step began (acceptance, the previous step, or a return).
    pub step_started_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
    pub pauses: Vec<Pause>,
    pub extension_days: u32,
    pub extensions_granted: u32,
    /// One-time notices issued; more than one breaks the one-time rule.
    pub supplement_notices: u32,
    pub returns: u32,
    /// The number of events folded in: the case's version for optimistic concurrency.
    pub version: u32,
}

/// A case's history cannot be folded: it does not start with `Received`, or repeats it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("办件历史无效：第{seq}条事件 / invalid case history at event {seq}: {message}")]
pub struct HistoryError {
    pub seq: u32,
    pub message: &'static str,
}

impl Case {
    /// Folds a whole history.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a CaseEvent>,
    ) -> Result<Case, HistoryError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(HistoryError {
            seq: 1,
            message: "empty history",
        })?;
        let mut case = Case::received(first)?;
        for event in events {
            case.apply(event)?;
        }
        Ok(case)
    }

    fn received(event: &CaseEvent) -> Result<Case, HistoryError> {
        let EventKind::Received {
            applicant,
            phone,
            item_code,
            item_version,
            channel,
            materials,
        } = &event.kind
        else {
            return Err(HistoryError {
                seq: event.seq,
                message: "history must start with received",
            });
        };
        Ok(Case {
            applicant: applicant.clone(),
            phone: phone.clone(),
            item_code: item_code.clone(),
            item_version: *item_version,
            channel: *channel,
            materials_received: materials.clone(),
            state: CaseState::Submitted,
            resume_state: None,
            received_at: event.at,
            accepted_at: None,
            step_started_at: None,
            decided_at: None,
            closed_at: None,
            outcome: None,
            pauses: Vec::new(),
            extension_days: 0,
            extensions_granted: 0,
            supplement_notices: 0,
            returns: 0,
            version: 1,
        })
    }

    /// Folds one more event in. Events are facts: `apply` trusts that `decide` allowed them.
    pub fn apply(&mut self, event: &CaseEvent) -> Result<(), HistoryError> {
        let at = event.at;
        match &event.kind {
            EventKind::Received { .. } => {
                return Err(HistoryError {
                    seq: event.seq,
                    message: "received twice",
                });
            }
            EventKind::Accepted { first_step } => {
                self.accepted_at = Some(at);
                self.enter(CaseState::at_step(*first_step), at);
            }
            EventKind::IntakeRefused { .. } => self.close(CaseState::Refused, at),
            EventKind::SupplementRequested { stops_clock, .. } => {
                self.supplement_notices += 1;
                self.resume_state = Some(self.state);
                if *stops_clock {
                    self.pauses.push(Pause {
                        reason: PauseReason::Supplement,
                        started_at: at,
                        ended_at: None,
                    });
                }
                self.state = CaseState::AwaitingSupplement;
            }
            EventKind::Supplemented { received } => {
                for name in received {
                    if !self.materials_received.contains(name) {
                        self.materials_received.push(name.clone());
                    }
                }
                self.resume(at);
            }
            EventKind::Handled { next_step, .. } | EventKind::Reviewed { next_step, .. } => {
                self.enter(CaseState::at_step(*next_step), at);
            }
            EventKind::Approved { .. } => self.decide(Outcome::Approved, at),
            EventKind::Denied { .. } => self.decide(Outcome::Denied, at),
            EventKind::Concluded { .. } => self.close(CaseState::Concluded, at),
            EventKind::Returned { to, .. } => {
                self.returns += 1;
                self.enter(CaseState::at_step(*to), at);
            }
            EventKind::SpecialProcedureStarted {
                procedure,
                stated_days,
                ..
            } => {
                self.resume_state = Some(self.state);
                self.pauses.push(Pause {
                    reason: PauseReason::SpecialProcedure {
                        procedure: *procedure,
                        stated_days: *stated_days,
                    },
                    started_at: at,
                    ended_at: None,
                });
                self.state = CaseState::SpecialProcedure;
            }
            EventKind::SpecialProcedureEnded { .. } => self.resume(at),
            EventKind::ExtensionGranted { days, .. } => {
                self.extension_days += days;
                self.extensions_granted += 1;
            }
            EventKind::Withdrawn { .. } => self.close(CaseState::Withdrawn, at),
        }
        self.version = event.seq;
        Ok(())
    }

    fn enter(&mut self, state: CaseState, at: DateTime<Utc>) {
        self.state = state;
        self.step_started_at = Some(at);
    }

    fn decide(&mut self, outcome: Outcome, at: DateTime<Utc>) {
        self.outcome = Some(outcome);
        self.decided_at = Some(at);
        self.state = CaseState::Decided;
    }

    fn close(&mut self, state: CaseState, at: DateTime<Utc>) {
        self.end_pause(at);
        self.state = state;
        self.closed_at = Some(at);
    }

    fn resume(&mut self, at: DateTime<Utc>) {
        self.end_pause(at);
        self.state = self.resume_state.take().unwrap_or(CaseState::Submitted);
    }

    fn end_pause(&mut self, at: DateTime<Utc>) {
        if let Some(pause) = self.pauses.last_mut().filter(|p| p.ended_at.is_none()) {
            pause.ended_at = Some(at);
        }
    }

    /// The pause that is stopping the clock now, if any.
    pub fn open_pause(&self) -> Option<&Pause> {
        self.pauses.last().filter(|p| p.ended_at.is_none())
    }

    /// Required materials of the item not yet received.
    pub fn missing_materials<'a>(&self, item: &'a crate::catalog::ServiceItem) -> Vec<&'a str> {
        item.materials
            .iter()
            .filter(|m| !m.optional && !self.materials_received.contains(&m.name))
            .map(|m| m.name.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests;
