//! Proxy service (全程代办): a villager applies at the village station for an item the
//! township or the district decides; the station registers it in its proxy ledger
//! (接办件登记台账), gives the applicant a proxy receipt (代办事项承办单), and staff carry the
//! application up, station → township center → hall or branch hall, each hand-over recorded,
//! each leg with its own time limit. The result comes back down the same way and is handed to
//! the applicant, who signs for it.
//!
//! The case itself (intake, examination, decision) is the case engine's; a proxy record
//! follows the paper and the people: where the application is, who holds it, and by when it
//! must be at the next level.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{WorkingCalendar, china_date};
use crate::organization::{CaseId, StaffId, UnitId, string_enum};

#[cfg(test)]
mod tests;

/// Working days a leg may take: published county practice has the station forward within 3
/// working days (never more than a week); the same is allowed for every other leg.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegLimits {
    pub up_days: u32,
    pub down_days: u32,
}

impl Default for LegLimits {
    fn default() -> Self {
        LegLimits {
            up_days: 3,
            down_days: 3,
        }
    }
}

/// Where a proxied application is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxyState {
    /// On its way up: at the station or a level below the deciding unit.
    GoingUp,
    /// At the deciding unit, being decided.
    AtDecidingUnit,
    /// The result is on its way down.
    GoingDown,
    /// Back at the station, waiting for the applicant.
    AwaitingPickup,
    /// Handed to the applicant, signed for.
    Delivered,
}
string_enum!(ProxyState {
    GoingUp => "going_up",
    AtDecidingUnit => "at_deciding_unit",
    GoingDown => "going_down",
    AwaitingPickup => "awaiting_pickup",
    Delivered => "delivered",
});

impl ProxyState {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::GoingUp => "报送中",
            Self::AtDecidingUnit => "审批中",
            Self::GoingDown => "结果回送中",
            Self::AwaitingPickup => "待领取",
            Self::Delivered => "已送达",
        }
    }
}

/// What happened to a proxied application.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProxyEventKind {
    /// Entered in the station's ledger; the receipt is printed from it.
    Registered {
        case: CaseId,
        /// The units it passes, from the station up to the deciding unit.
        route: Vec<UnitId>,
        materials: Vec<String>,
        /// The date the applicant is told to expect the result.
        promised: NaiveDate,
        /// Whom to call: the proxy agent and a phone.
        contact: String,
    },
    /// The application (or the result) changed hands between two units.
    HandedOver {
        from: UnitId,
        to: UnitId,
        giver: StaffId,
        receiver: StaffId,
        materials: Vec<String>,
    },
    /// The deciding unit has its result; it starts down.
    ResultReady { result: String },
    /// The applicant took the result and signed for it.
    Delivered { signed_by: String },
}

impl ProxyEventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::HandedOver { .. } => "handed_over",
            Self::ResultReady { .. } => "result_ready",
            Self::Delivered { .. } => "delivered",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyEvent {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: StaffId,
    pub unit: UnitId,
    pub kind: ProxyEventKind,
}

/// A proxied application folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyRecord {
    pub case: CaseId,
    pub route: Vec<UnitId>,
    pub state: ProxyState,
    /// The unit holding the application (or the result) now.
    pub holder: UnitId,
    pub registered_at: DateTime<Utc>,
    pub promised: NaiveDate,
    /// When the current leg began: registration, the last hand-over, or the result.
    pub leg_started_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Legs that took longer than their limit.
    pub late_legs: u32,
    pub version: u32,
}

/// Why a proxy step cannot be done as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "代办路线须从村（居）便民服务站起，逐级至审批单位 / a proxy route runs from a village station up to the deciding unit"
    )]
    BadRoute,
    #[error("请列出所收材料 / list the materials taken")]
    NoMaterials,
    #[error(
        "材料现在在{holder}，不能从{from}移交 / the application is at unit {holder}, not at {from}"
    )]
    NotHere { holder: UnitId, from: UnitId },
    #[error("只能移交给下一级（{expected}） / it goes next to unit {expected}")]
    WrongNextUnit { expected: UnitId },
    #[error("当前状态“{state}”不能进行此操作 / not allowed while the record is `{state}`")]
    NotAllowedNow { state: &'static str },
    #[error("须由领取人签名 / the applicant's signature is needed")]
    SignatureNeeded,
    #[error("办件尚未作出决定，结果不能回送 / the case is not decided yet")]
    NotDecided,
}

/// A history that does not fold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("代办记录无法重放：{0} / the proxy record's history does not fold: {0}")]
pub struct ReplayError(pub String);

/// What may be done.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProxyAction {
    /// Recorded by the receiving unit: it took the application or the result from `from`.
    Receive {
        from: UnitId,
        /// Who handed it over.
        giver: StaffId,
        materials: Vec<String>,
    },
    /// The deciding unit's result starts down.
    ResultReady { result: String },
    /// The station hands the result to the applicant.
    Deliver { signed_by: String },
}

/// What a decision needs besides the record.
pub struct ProxyContext {
    pub now: DateTime<Utc>,
    pub actor: StaffId,
    pub actor_unit: UnitId,
    /// Whether the case has been decided (approved, denied, refused or withdrawn).
    pub case_decided: bool,
}

/// The materials named, trimmed; a hand-over names at least one.
fn materials_listed(materials: &[String]) -> Result<Vec<String>, ProxyError> {
    let listed: Vec<String> = materials
        .iter()
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    if listed.is_empty() {
        Err(ProxyError::NoMaterials)
    } else {
        Ok(listed)
    }
}

/// The registration of a proxied case at `route[0]`, the station. `route` runs up to the
/// deciding unit; the promised date is the case's own due date plus the legs down.
pub fn register(
    case: CaseId,
    route: Vec<UnitId>,
    materials: &[String],
    case_due: NaiveDate,
    contact: &str,
    limits: LegLimits,
    calendar: &WorkingCalendar,
) -> Result<ProxyEventKind, ProxyError> {
    if route.len() < 2 || route.windows(2).any(|w| w[0] == w[1]) {
        return Err(ProxyError::BadRoute);
    }
    let materials = materials_listed(materials)?;
    let legs = u32::try_from(route.len() - 1).unwrap_or(u32::MAX);
    let promised = calendar
        .add_working_days(case_due, limits.down_days.saturating_mul(legs))
        .value;
    Ok(ProxyEventKind::Registered {
        case,
        route,
        materials,
        promised,
        contact: contact.trim().to_owned(),
    })
}

impl ProxyRecord {
    pub fn replay(
        events: &[ProxyEvent],
        limits: LegLimits,
        calendar: &WorkingCalendar,
    ) -> Result<ProxyRecord, ReplayError> {
        let (first, rest) = events
            .split_first()
            .ok_or_else(|| ReplayError("no events".into()))?;
        let ProxyEventKind::Registered {
            case,
            route,
            promised,
            ..
        } = &first.kind
        else {
            return Err(ReplayError("the first event is not a registration".into()));
        };
        let holder = *route
            .first()
            .ok_or_else(|| ReplayError("an empty route".into()))?;
        let mut record = ProxyRecord {
            case: *case,
            route: route.clone(),
            state: ProxyState::GoingUp,
            holder,
            registered_at: first.at,
            promised: *promised,
            leg_started_at: first.at,
            delivered_at: None,
            late_legs: 0,
            version: first.seq,
        };
        for event in rest {
            record.apply(event, limits, calendar)?;
        }
        Ok(record)
    }

    pub fn apply(
        &mut self,
        event: &ProxyEvent,
        limits: LegLimits,
        calendar: &WorkingCalendar,
    ) -> Result<(), ReplayError> {
        if event.seq != self.version + 1 {
            return Err(ReplayError(format!(
                "event {} follows version {}",
                event.seq, self.version
            )));
        }
        match &event.kind {
            ProxyEventKind::Registered { .. } => {
                return Err(ReplayError("a second registration".into()));
            }
            ProxyEventKind::HandedOver { to, .. } => {
                if self
                    .leg_due(limits, calendar)
                    .is_some_and(|due| event.at > due)
                {
                    self.late_legs += 1;
                }
                self.holder = *to;
                self.leg_started_at = event.at;
                self.state = match self.state {
                    ProxyState::GoingUp if Some(to) == self.route.last() => {
                        ProxyState::AtDecidingUnit
                    }
                    ProxyState::GoingDown if Some(to) == self.route.first() => {
                        ProxyState::AwaitingPickup
                    }
                    other => other,
                };
            }
            ProxyEventKind::ResultReady { .. } => {
                self.leg_started_at = event.at;
                self.state = if self.route.len() > 1 {
                    ProxyState::GoingDown
                } else {
                    ProxyState::AwaitingPickup
                };
            }
            ProxyEventKind::Delivered { .. } => {
                self.state = ProxyState::Delivered;
                self.delivered_at = Some(event.at);
            }
        }
        self.version = event.seq;
        Ok(())
    }

    /// The unit the application goes to next, if it is moving.
    pub fn next_unit(&self) -> Option<UnitId> {
        let at = self.route.iter().position(|u| *u == self.holder)?;
        match self.state {
            ProxyState::GoingUp => self.route.get(at + 1).copied(),
            ProxyState::GoingDown => at.checked_sub(1).and_then(|i| self.route.get(i).copied()),
            ProxyState::AtDecidingUnit | ProxyState::AwaitingPickup | ProxyState::Delivered => None,
        }
    }

    /// When the current leg must be done: its limit in working days from the day it began,
    /// at the afternoon close. `None` when nothing is moving.
    pub fn leg_due(&self, limits: LegLimits, calendar: &WorkingCalendar) -> Option<DateTime<Utc>> {
        let days = match self.state {
            ProxyState::GoingUp => limits.up_days,
            ProxyState::GoingDown => limits.down_days,
            ProxyState::AtDecidingUnit | ProxyState::AwaitingPickup | ProxyState::Delivered => {
                return None;
            }
        };
        let start = china_date(self.leg_started_at);
        Some(calendar.close_of(calendar.add_working_days(start, days).value))
    }

    /// Whether the current leg is past its limit.
    pub fn leg_overdue(
        &self,
        limits: LegLimits,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> bool {
        self.leg_due(limits, calendar).is_some_and(|due| now > due)
    }
}

/// Decides a proxy step: the event it makes, or why not.
pub fn decide(
    record: &ProxyRecord,
    action: &ProxyAction,
    ctx: &ProxyContext,
) -> Result<ProxyEventKind, ProxyError> {
    let not_now = || ProxyError::NotAllowedNow {
        state: record.state.name_zh(),
    };
    match action {
        ProxyAction::Receive {
            from,
            giver,
            materials,
        } => {
            if !matches!(record.state, ProxyState::GoingUp | ProxyState::GoingDown) {
                return Err(not_now());
            }
            if *from != record.holder {
                return Err(ProxyError::NotHere {
                    holder: record.holder,
                    from: *from,
                });
            }
            let expected = record.next_unit().ok_or_else(not_now)?;
            if ctx.actor_unit != expected {
                return Err(ProxyError::WrongNextUnit { expected });
            }
            let materials = materials_listed(materials)?;
            Ok(ProxyEventKind::HandedOver {
                from: *from,
                to: expected,
                giver: *giver,
                receiver: ctx.actor,
                materials,
            })
        }
        ProxyAction::ResultReady { result } => {
            if record.state != ProxyState::AtDecidingUnit {
                return Err(not_now());
            }
            if Some(&ctx.actor_unit) != record.route.last() {
                return Err(ProxyError::NotHere {
                    holder: record.holder,
                    from: ctx.actor_unit,
                });
            }
            if !ctx.case_decided {
                return Err(ProxyError::NotDecided);
            }
            Ok(ProxyEventKind::ResultReady {
                result: result.trim().to_owned(),
            })
        }
        ProxyAction::Deliver { signed_by } => {
            if record.state != ProxyState::AwaitingPickup {
                return Err(not_now());
            }
            if ctx.actor_unit != record.holder {
                return Err(ProxyError::NotHere {
                    holder: record.holder,
                    from: ctx.actor_unit,
                });
            }
            let signed_by = signed_by.trim();
            if signed_by.is_empty() {
                return Err(ProxyError::SignatureNeeded);
            }
            Ok(ProxyEventKind::Delivered {
                signed_by: signed_by.to_owned(),
            })
        }
    }
}
