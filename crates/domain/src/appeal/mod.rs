//! Appeals (三项制度): citizens' opinions, suggestions and problems, raised at any level,
//! routed by scope to the level that must settle them, with the seed's deadlines:
//!
//! | scope | settled by | deadline |
//! | --- | --- | --- |
//! | within the village's duties | the village station | half a month |
//! | several township units | the township center | one month |
//! | one district department | that department, at the hall | one month |
//! | several district departments, or a city department | the hall (efficiency complaint center coordinates) | three months |
//! | any | | never more than six months from registration |
//!
//! The periods are calendar periods; a period ending on a day that is not a working day ends
//! on the next working day (the rule for periods in Chinese administrative law), at the
//! afternoon close. Like a case, an appeal is its history of events; its state, responsible
//! unit and deadline are folded from them, and the events are sealed on a hash chain
//! ([`chain`]). A complaint about the service itself first awaits the efficiency complaint
//! center's decision on acceptance ([`acceptance`]).

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{WorkingCalendar, china_date};
use crate::case::WarningLevel;
use crate::ids::PhoneNumber;
use crate::organization::{Actor, DepartmentId, Role, StaffId, UnitId, UnitKind, string_enum};
use crate::rating::Satisfaction;

pub mod acceptance;
pub mod chain;
#[cfg(test)]
mod tests;

pub use acceptance::{
    ACCEPTANCE_WORKING_DAYS, AcceptanceFinding, AcceptanceOutcome, RefusalGround, acceptance_due,
    acceptance_overdue_finding, needs_acceptance,
};

/// What the person brings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 意见
    Opinion,
    /// 建议
    Suggestion,
    /// 问题 / 诉求
    Problem,
    /// A complaint about the service itself; it counts in the evaluation of the unit.
    ServiceComplaint,
}
string_enum!(AppealKind {
    Opinion => "opinion",
    Suggestion => "suggestion",
    Problem => "problem",
    ServiceComplaint => "service_complaint",
});

impl AppealKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Opinion => "意见",
            Self::Suggestion => "建议",
            Self::Problem => "问题诉求",
            Self::ServiceComplaint => "服务投诉",
        }
    }
}

/// Where it was raised.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealChannel {
    /// At a village or community station's appeals window.
    Station,
    /// At a township center's window.
    Township,
    /// At the hall's window.
    Hall,
    /// Online (the public site or an Open311 client).
    Online,
    /// Entered by a hotline clerk from a call.
    Hotline,
}
string_enum!(AppealChannel {
    Station => "station",
    Township => "township",
    Hall => "hall",
    Online => "online",
    Hotline => "hotline",
});

/// Who must act to settle it; decides the level and the deadline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealScope {
    /// Within the village's (community's) duties.
    Village,
    /// Needs several units of the township.
    Township,
    /// Needs one district department.
    DistrictDepartment,
    /// Needs several district departments.
    DistrictDepartments,
    /// Needs a city department.
    CityDepartment,
}
string_enum!(AppealScope {
    Village => "village",
    Township => "township",
    DistrictDepartment => "district_department",
    DistrictDepartments => "district_departments",
    CityDepartment => "city_department",
});

/// The levels that settle appeals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealLevel {
    Village,
    Township,
    District,
}
string_enum!(AppealLevel { Village => "village", Township => "township", District => "district" });

/// A calendar period of the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Half a month: 15 days.
    HalfMonth,
    Months(u32),
}

/// Never more than six months from registration, whatever the scope or extension.
pub const LONGEST: Period = Period::Months(6);

impl AppealScope {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Village => "村（居）职责范围内",
            Self::Township => "需镇（街）多个单位解决",
            Self::DistrictDepartment => "需单个区级部门解决",
            Self::DistrictDepartments => "需多个区级部门解决",
            Self::CityDepartment => "需市级部门办理",
        }
    }

    pub fn level(self) -> AppealLevel {
        match self {
            Self::Village => AppealLevel::Village,
            Self::Township => AppealLevel::Township,
            Self::DistrictDepartment | Self::DistrictDepartments | Self::CityDepartment => {
                AppealLevel::District
            }
        }
    }

    pub fn period(self) -> Period {
        match self {
            Self::Village => Period::HalfMonth,
            Self::Township | Self::DistrictDepartment => Period::Months(1),
            Self::DistrictDepartments | Self::CityDepartment => Period::Months(3),
        }
    }
}

impl Period {
    /// The last day of the period starting the day after `from`: `from` + 15 days, or the
    /// same day `n` months later (the month's last day when it has no such day).
    pub fn end(self, from: NaiveDate) -> NaiveDate {
        let end = match self {
            Period::HalfMonth => from.checked_add_days(chrono::Days::new(15)),
            Period::Months(n) => from.checked_add_months(Months::new(n)),
        };
        end.unwrap_or(NaiveDate::MAX)
    }
}

/// The day a period ends on: its last day, or the next working day when that is a weekend or
/// holiday.
pub fn due_date(calendar: &WorkingCalendar, from: NaiveDate, period: Period) -> NaiveDate {
    let end = period.end(from);
    if calendar.is_working_day(end) {
        end
    } else {
        calendar.next_working_day(end)
    }
}

/// The latest any appeal registered on `registered` may be due.
pub fn latest_due_date(calendar: &WorkingCalendar, registered: NaiveDate) -> NaiveDate {
    due_date(calendar, registered, LONGEST)
}

/// A unit as routing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef {
    pub id: UnitId,
    pub kind: UnitKind,
    pub parent: Option<UnitId>,
}

/// Where an appeal is settled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsible {
    pub unit: UnitId,
    pub department: Option<DepartmentId>,
}

/// Why an appeal cannot be registered or acted on as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    #[error(
        "村（居）职责范围内的事项须由村（居）便民服务站办理，请选择村（居） / a village matter is settled by a village station: choose the village"
    )]
    VillageNeeded,
    #[error(
        "需镇（街）解决的事项须由镇街便民服务中心办理，请选择镇（街） / a township matter is settled by a township center: choose the township"
    )]
    TownshipNeeded,
    #[error(
        "需单个区级部门解决的事项须指定该部门 / a matter for one district department needs that department"
    )]
    DepartmentNeeded,
    #[error("所选单位不是{expected}级单位 / the chosen unit is not at the {expected} level")]
    WrongLevel { expected: &'static str },
    #[error(
        "只能向更高层级或更大范围上报，当前为“{current}” / an escalation must widen the scope; it is now `{current}`"
    )]
    NotWider { current: &'static str },
    #[error("须说明理由 / a reason is needed")]
    ReasonNeeded,
    #[error("内容不能为空 / the content must not be empty")]
    ContentNeeded,
    #[error("差评须说明原因 / a poor rating needs a reason")]
    PoorRatingReasonNeeded,
    #[error(
        "办理期限最长不得超过登记之日起六个月（{latest}） / no appeal may be due more than six months after registration ({latest})"
    )]
    BeyondSixMonths { latest: NaiveDate },
    #[error(
        "新期限须晚于当前期限{current} / the new deadline must be after the current one, {current}"
    )]
    NotLater { current: NaiveDate },
    #[error("当前状态“{state}”不能进行此操作 / not allowed while the appeal is `{state}`")]
    NotAllowedNow { state: &'static str },
    #[error(
        "只有承办单位的工作人员或效能投诉中心可以办理 / only the responsible unit's staff or the efficiency complaint center may act"
    )]
    NotResponsible,
    #[error(
        "只有行政效能投诉中心（监察人员）可以进行此操作 / only the efficiency complaint center (supervisors) may do this"
    )]
    SupervisorOnly,
    #[error(
        "以“其他”为由不予受理须写明具体理由 / a refusal on the ground `other` needs its reason written out"
    )]
    RefusalReasonNeeded,
    #[error("须写明转送的有权处理机关 / name the competent body it is forwarded to")]
    ForwardeeNeeded,
}

/// The unit that settles an appeal of `scope` raised at `raised`, or at the unit the
/// registering clerk `chose` (needed when it cannot follow from where it was raised: a
/// village matter phoned in to the hotline belongs to the caller's village).
pub fn route(
    scope: AppealScope,
    raised: UnitRef,
    chosen: Option<UnitRef>,
    department: Option<DepartmentId>,
    hall: UnitId,
) -> Result<Responsible, AppealError> {
    let at = |unit: UnitId| Responsible {
        unit,
        department: None,
    };
    match scope {
        AppealScope::Village => match (chosen, raised.kind) {
            (Some(c), _) if c.kind != UnitKind::VillageStation => Err(AppealError::WrongLevel {
                expected: "村（居） village",
            }),
            (Some(c), _) => Ok(at(c.id)),
            (None, UnitKind::VillageStation) => Ok(at(raised.id)),
            (None, _) => Err(AppealError::VillageNeeded),
        },
        AppealScope::Township => match (chosen, raised.kind) {
            (Some(c), _) if c.kind != UnitKind::TownshipCenter => Err(AppealError::WrongLevel {
                expected: "镇（街） township",
            }),
            (Some(c), _) => Ok(at(c.id)),
            (None, UnitKind::TownshipCenter) => Ok(at(raised.id)),
            (None, UnitKind::VillageStation) => {
                raised.parent.map(at).ok_or(AppealError::TownshipNeeded)
            }
            (None, _) => Err(AppealError::TownshipNeeded),
        },
        AppealScope::DistrictDepartment => match department {
            Some(d) => Ok(Responsible {
                unit: hall,
                department: Some(d),
            }),
            None => Err(AppealError::DepartmentNeeded),
        },
        // The efficiency complaint center at the hall coordinates; a lead department may be named.
        AppealScope::DistrictDepartments | AppealScope::CityDepartment => Ok(Responsible {
            unit: hall,
            department,
        }),
    }
}

/// What the registering clerk (or the online form) enters.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub kind: AppealKind,
    pub channel: AppealChannel,
    pub scope: AppealScope,
    #[serde(default)]
    pub person: Person,
    /// A free classification such as 道路交通, 环境卫生, 社会保障.
    pub category: String,
    pub content: String,
    #[serde(default)]
    pub address: String,
    /// The settling unit when it does not follow from where it was raised.
    #[serde(default)]
    pub unit: Option<UnitId>,
    /// The district department, for a one-department matter (or the lead one).
    #[serde(default)]
    pub department: Option<DepartmentId>,
}

/// The registration event of a new appeal raised at `raised` on `now`: routed, with its
/// deadline.
pub fn register(
    input: &Registration,
    raised: UnitRef,
    chosen: Option<UnitRef>,
    hall: UnitId,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Result<AppealEventKind, AppealError> {
    let content = input.content.trim();
    if content.is_empty() {
        return Err(AppealError::ContentNeeded);
    }
    let responsible = route(input.scope, raised, chosen, input.department, hall)?;
    // A complaint about the service waits for the center's decision on acceptance; until
    // then the deadline that runs is that decision's (see `acceptance`).
    let acceptance_due = needs_acceptance(input.kind).then(|| acceptance_due(calendar, now).value);
    Ok(AppealEventKind::Registered {
        kind: input.kind,
        channel: input.channel,
        scope: input.scope,
        person: Person {
            name: input.person.name.trim().to_owned(),
            phone: input.person.phone.clone(),
        },
        category: input.category.trim().to_owned(),
        content: content.to_owned(),
        address: input.address.trim().to_owned(),
        responsible,
        due: acceptance_due
            .unwrap_or_else(|| due_date(calendar, china_date(now), input.scope.period())),
        acceptance_due,
    })
}

/// Where an appeal stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealState {
    /// A complaint about the service awaiting the efficiency complaint center's decision on
    /// acceptance (受理 / 不予受理 / 转送).
    PendingAcceptance,
    /// Registered and routed; nobody has acted yet.
    Registered,
    /// Being worked on: a visit or an action is recorded.
    InProgress,
    /// Answered; waiting for the person's rating.
    Answered,
    /// Settled.
    Closed,
}
string_enum!(AppealState {
    PendingAcceptance => "pending_acceptance",
    Registered => "registered",
    InProgress => "in_progress",
    Answered => "answered",
    Closed => "closed",
});

impl AppealState {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PendingAcceptance => "待受理",
            Self::Registered => "已登记",
            Self::InProgress => "办理中",
            Self::Answered => "已答复",
            Self::Closed => "已办结",
        }
    }

    /// Whether the appeal still awaits its answer (and its deadline still runs).
    pub fn awaits_answer(self) -> bool {
        matches!(self, Self::Registered | Self::InProgress)
    }
}

/// The person who raised it. Anonymous opinions and suggestions are welcome; nobody can be
/// told of an answer without a phone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
}

/// What happened to an appeal.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppealEventKind {
    Registered {
        kind: AppealKind,
        channel: AppealChannel,
        scope: AppealScope,
        person: Person,
        category: String,
        content: String,
        #[serde(default)]
        address: String,
        responsible: Responsible,
        /// The deadline that runs: the answer's, or for a complaint awaiting acceptance the
        /// acceptance decision's.
        due: NaiveDate,
        /// For a complaint about the service: the last day of the center's decision on
        /// acceptance. Left out when none, so that histories from before keep their hashes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acceptance_due: Option<NaiveDate>,
    },
    /// The efficiency complaint center accepted a complaint about the service (受理); the
    /// scope's period runs from the day of acceptance.
    Accepted {
        due: NaiveDate,
        #[serde(default)]
        note: String,
    },
    /// The center refused it (不予受理), on a listed ground and with its reason.
    AcceptanceRefused {
        ground: RefusalGround,
        #[serde(default)]
        reason: String,
    },
    /// The center forwarded it to the body competent to deal with it (转送).
    Forwarded {
        to: String,
        #[serde(default)]
        reason: String,
    },
    /// A visit (走访), a call, a meeting: what was done.
    ActionRecorded {
        note: String,
    },
    /// Handed to another unit or department at the same level.
    Referred {
        responsible: Responsible,
        reason: String,
    },
    /// Sent up because it needs more than this level can do; the deadline follows the new scope.
    Escalated {
        scope: AppealScope,
        responsible: Responsible,
        reason: String,
        due: NaiveDate,
    },
    Extended {
        due: NaiveDate,
        reason: String,
    },
    Answered {
        answer: String,
    },
    Rated {
        satisfaction: Satisfaction,
        #[serde(default)]
        comment: String,
    },
    /// The efficiency complaint center takes the appeal over.
    TakenOver {
        responsible: Responsible,
        reason: String,
    },
    /// The efficiency complaint center sends an answer back to be done again.
    RedoOrdered {
        reason: String,
        due: NaiveDate,
    },
    Closed {
        note: String,
    },
}

impl AppealEventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "registered",
            Self::Accepted { .. } => "accepted",
            Self::AcceptanceRefused { .. } => "acceptance_refused",
            Self::Forwarded { .. } => "forwarded",
            Self::ActionRecorded { .. } => "action_recorded",
            Self::Referred { .. } => "referred",
            Self::Escalated { .. } => "escalated",
            Self::Extended { .. } => "extended",
            Self::Answered { .. } => "answered",
            Self::Rated { .. } => "rated",
            Self::TakenOver { .. } => "taken_over",
            Self::RedoOrdered { .. } => "redo_ordered",
            Self::Closed { .. } => "closed",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "登记",
            Self::Accepted { .. } => "受理",
            Self::AcceptanceRefused { .. } => "不予受理",
            Self::Forwarded { .. } => "转送有权处理机关",
            Self::ActionRecorded { .. } => "办理记录",
            Self::Referred { .. } => "转办",
            Self::Escalated { .. } => "上报",
            Self::Extended { .. } => "延期",
            Self::Answered { .. } => "答复",
            Self::Rated { .. } => "评价",
            Self::TakenOver { .. } => "效能中心接管",
            Self::RedoOrdered { .. } => "责令重办",
            Self::Closed { .. } => "办结",
        }
    }
}

/// One event of an appeal's history. `actor` is `None` for what the person did themselves
/// (raising it online, rating the answer).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealEvent {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: Option<StaffId>,
    pub unit: UnitId,
    pub kind: AppealEventKind,
    /// The hash of the event before (64 zeros for the first); empty until the store seals
    /// the event ([`chain`]).
    #[serde(default)]
    pub prev_hash: String,
    /// SHA-256 over the appeal's number, this event's content and `prev_hash`.
    #[serde(default)]
    pub hash: String,
}

impl AppealEvent {
    /// An event not yet sealed on its appeal's chain (the store seals it as it writes it).
    pub fn new(
        seq: u32,
        at: DateTime<Utc>,
        actor: Option<StaffId>,
        unit: UnitId,
        kind: AppealEventKind,
    ) -> AppealEvent {
        AppealEvent {
            seq,
            at,
            actor,
            unit,
            kind,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }
}

/// An appeal folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appeal {
    pub state: AppealState,
    pub kind: AppealKind,
    pub channel: AppealChannel,
    pub scope: AppealScope,
    pub raised_unit: UnitId,
    pub responsible: Responsible,
    pub registered_at: DateTime<Utc>,
    /// The China date of registration: periods count from it.
    pub registered_on: NaiveDate,
    pub due: NaiveDate,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<Satisfaction>,
    pub escalations: u32,
    pub taken_over: bool,
    /// For a complaint about the service: the last day of the decision on acceptance.
    pub acceptance_due: Option<NaiveDate>,
    /// The center's decision on acceptance, once made.
    pub acceptance: Option<AcceptanceOutcome>,
    pub version: u32,
}

/// A history that does not fold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("诉求记录无法重放：{0} / the appeal's history does not fold: {0}")]
pub struct ReplayError(pub String);

impl Appeal {
    pub fn replay(events: &[AppealEvent]) -> Result<Appeal, ReplayError> {
        let (first, rest) = events
            .split_first()
            .ok_or_else(|| ReplayError("no events".into()))?;
        let AppealEventKind::Registered {
            kind,
            channel,
            scope,
            responsible,
            due,
            acceptance_due,
            ..
        } = &first.kind
        else {
            return Err(ReplayError("the first event is not a registration".into()));
        };
        let mut appeal = Appeal {
            state: if acceptance_due.is_some() {
                AppealState::PendingAcceptance
            } else {
                AppealState::Registered
            },
            kind: *kind,
            channel: *channel,
            scope: *scope,
            raised_unit: first.unit,
            responsible: *responsible,
            registered_at: first.at,
            registered_on: china_date(first.at),
            due: *due,
            answered_at: None,
            closed_at: None,
            satisfaction: None,
            escalations: 0,
            taken_over: false,
            acceptance_due: *acceptance_due,
            acceptance: None,
            version: first.seq,
        };
        for event in rest {
            appeal.apply(event)?;
        }
        Ok(appeal)
    }

    /// Applies one more event.
    pub fn apply(&mut self, event: &AppealEvent) -> Result<(), ReplayError> {
        if event.seq != self.version + 1 {
            return Err(ReplayError(format!(
                "event {} follows version {}",
                event.seq, self.version
            )));
        }
        match &event.kind {
            AppealEventKind::Registered { .. } => {
                return Err(ReplayError("a second registration".into()));
            }
            AppealEventKind::Accepted { due, .. } => {
                self.state = AppealState::Registered;
                self.due = *due;
                self.acceptance = Some(AcceptanceOutcome::Accepted);
            }
            AppealEventKind::AcceptanceRefused { .. } | AppealEventKind::Forwarded { .. } => {
                self.state = AppealState::Closed;
                self.closed_at = Some(event.at);
                self.acceptance =
                    Some(if matches!(event.kind, AppealEventKind::Forwarded { .. }) {
                        AcceptanceOutcome::Forwarded
                    } else {
                        AcceptanceOutcome::Refused
                    });
            }
            AppealEventKind::ActionRecorded { .. } => {
                if self.state == AppealState::Registered {
                    self.state = AppealState::InProgress;
                }
            }
            AppealEventKind::Referred { responsible, .. } => self.responsible = *responsible,
            AppealEventKind::Escalated {
                scope,
                responsible,
                due,
                ..
            } => {
                self.scope = *scope;
                self.responsible = *responsible;
                self.due = *due;
                self.escalations += 1;
            }
            AppealEventKind::Extended { due, .. } => self.due = *due,
            AppealEventKind::Answered { .. } => {
                self.state = AppealState::Answered;
                self.answered_at = Some(event.at);
            }
            AppealEventKind::Rated { satisfaction, .. } => {
                self.satisfaction = Some(*satisfaction);
                // A poor rating keeps it open for the efficiency complaint center to look at.
                if !satisfaction.is_poor() {
                    self.state = AppealState::Closed;
                    self.closed_at = Some(event.at);
                }
            }
            AppealEventKind::TakenOver { responsible, .. } => {
                self.responsible = *responsible;
                self.taken_over = true;
            }
            AppealEventKind::RedoOrdered { due, .. } => {
                self.state = AppealState::InProgress;
                self.due = *due;
                self.answered_at = None;
                self.satisfaction = None;
            }
            AppealEventKind::Closed { .. } => {
                self.state = AppealState::Closed;
                self.closed_at = Some(event.at);
            }
        }
        self.version = event.seq;
        Ok(())
    }

    /// The level that settles it now.
    pub fn level(&self) -> AppealLevel {
        self.scope.level()
    }

    /// Whether it was answered by its deadline (`None` while unanswered).
    pub fn answered_on_time(&self, calendar: &WorkingCalendar) -> Option<bool> {
        self.answered_at.map(|at| at <= calendar.close_of(self.due))
    }

    /// Green; yellow when 80 % of the time to the deadline has passed; red when two working
    /// days or fewer are left (the efficiency complaint center is warned before the deadline
    /// is missed) or it has passed. Only appeals awaiting an answer have a level.
    pub fn warning_level(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> WarningLevel {
        warning_level(self.state, self.registered_at, self.due, calendar, now)
    }
}

/// The level of an appeal in `state`, registered at `registered_at` and due on `due`: what
/// [`Appeal::warning_level`] says, from the three facts a stored row holds.
pub fn warning_level(
    state: AppealState,
    registered_at: DateTime<Utc>,
    due: NaiveDate,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> WarningLevel {
    if !state.awaits_answer() {
        return WarningLevel::Green;
    }
    let due_at = calendar.close_of(due);
    if now >= due_at {
        return WarningLevel::Red;
    }
    let left = calendar.working_days_between(china_date(now), due).value;
    if left <= RED_WORKING_DAYS_LEFT {
        return WarningLevel::Red;
    }
    let whole = (due_at - registered_at).num_seconds().max(1);
    let used = (now - registered_at).num_seconds();
    if used * 5 >= whole * 4 {
        WarningLevel::Yellow
    } else {
        WarningLevel::Green
    }
}

/// Working days left at which an appeal turns red.
pub const RED_WORKING_DAYS_LEFT: u32 = 2;

/// What may be done to an appeal.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AppealAction {
    /// The efficiency complaint center accepts a complaint about the service (受理).
    Accept {
        #[serde(default)]
        note: String,
    },
    /// The center refuses it (不予受理): a listed ground, and a reason (needed for `other`).
    RefuseAcceptance {
        ground: RefusalGround,
        #[serde(default)]
        reason: String,
    },
    /// The center forwards it to the competent body (转送), named in `to`.
    Forward {
        to: String,
        #[serde(default)]
        reason: String,
    },
    RecordAction {
        note: String,
    },
    Refer {
        unit: UnitId,
        department: Option<DepartmentId>,
        reason: String,
    },
    Escalate {
        scope: AppealScope,
        /// Required for a township scope from the hall's hotline; otherwise it follows.
        #[serde(default)]
        unit: Option<UnitId>,
        #[serde(default)]
        department: Option<DepartmentId>,
        reason: String,
    },
    Extend {
        due: NaiveDate,
        reason: String,
    },
    Answer {
        answer: String,
    },
    Rate {
        satisfaction: Satisfaction,
        #[serde(default)]
        comment: String,
    },
    TakeOver {
        reason: String,
    },
    OrderRedo {
        reason: String,
    },
    Close {
        note: String,
    },
}

/// What a decision needs besides the appeal: who acts, when, the calendar and the units.
pub struct AppealContext<'a> {
    pub now: DateTime<Utc>,
    /// `None`: the person themselves (rating through the public lookup).
    pub actor: Option<&'a Actor>,
    pub calendar: &'a WorkingCalendar,
    /// The unit the actor's routing starts from (the responsible unit), and a chosen one.
    pub responsible_unit: UnitRef,
    pub chosen_unit: Option<UnitRef>,
    pub hall: UnitId,
}

fn supervisor(actor: Option<&Actor>) -> bool {
    actor.is_some_and(|a| a.has_role(Role::Supervisor))
}

/// Whether `actor` works at the responsible unit (or is the efficiency complaint center).
fn responsible(appeal: &Appeal, actor: Option<&Actor>) -> bool {
    let Some(actor) = actor else { return false };
    if actor.has_role(Role::Supervisor) {
        return true;
    }
    let works = [
        Role::WindowClerk,
        Role::HandlingOfficer,
        Role::Reviewer,
        Role::Approver,
        Role::UnitAdmin,
    ]
    .iter()
    .any(|r| actor.has_role(*r));
    let unit = actor.unit_id == appeal.responsible.unit;
    // At the hall, a department's matter is for that department's staff.
    let department = match (appeal.responsible.department, actor.department_id) {
        (Some(wanted), Some(own)) => wanted == own,
        (Some(_), None) => actor.has_role(Role::UnitAdmin),
        (None, _) => true,
    };
    works && unit && department
}

fn reason(text: &str) -> Result<String, AppealError> {
    let text = text.trim();
    if text.is_empty() {
        Err(AppealError::ReasonNeeded)
    } else {
        Ok(text.to_owned())
    }
}

/// Decides an action: the events it makes, or why not.
pub fn decide(
    appeal: &Appeal,
    action: &AppealAction,
    ctx: &AppealContext<'_>,
) -> Result<Vec<AppealEventKind>, AppealError> {
    let not_now = || AppealError::NotAllowedNow {
        state: appeal.state.name_zh(),
    };
    let need_open = || {
        if appeal.state.awaits_answer() {
            Ok(())
        } else {
            Err(not_now())
        }
    };
    let need_responsible = || {
        if responsible(appeal, ctx.actor) {
            Ok(())
        } else {
            Err(AppealError::NotResponsible)
        }
    };
    let need_supervisor = || {
        if supervisor(ctx.actor) {
            Ok(())
        } else {
            Err(AppealError::SupervisorOnly)
        }
    };
    let latest = latest_due_date(ctx.calendar, appeal.registered_on);
    let today = china_date(ctx.now);
    let need_pending = || {
        if appeal.state == AppealState::PendingAcceptance {
            Ok(())
        } else {
            Err(not_now())
        }
    };
    Ok(vec![match action {
        // Decisions on acceptance are the efficiency complaint center's alone.
        AppealAction::Accept { note } => {
            need_pending()?;
            need_supervisor()?;
            // The settling period runs from the day of acceptance (rules.md: a period starts
            // the day after its triggering day), within the six months from registration.
            let due = due_date(ctx.calendar, today, appeal.scope.period()).min(latest);
            AppealEventKind::Accepted {
                due,
                note: note.trim().to_owned(),
            }
        }
        AppealAction::RefuseAcceptance { ground, reason } => {
            need_pending()?;
            need_supervisor()?;
            AppealEventKind::AcceptanceRefused {
                ground: *ground,
                reason: acceptance::refusal_reason(*ground, reason)?,
            }
        }
        AppealAction::Forward { to, reason } => {
            need_pending()?;
            need_supervisor()?;
            let to = to.trim();
            if to.is_empty() {
                return Err(AppealError::ForwardeeNeeded);
            }
            AppealEventKind::Forwarded {
                to: to.to_owned(),
                reason: reason.trim().to_owned(),
            }
        }
        AppealAction::RecordAction { note } => {
            need_open()?;
            need_responsible()?;
            AppealEventKind::ActionRecorded {
                note: reason(note)?,
            }
        }
        AppealAction::Refer {
            unit,
            department,
            reason: why,
        } => {
            need_open()?;
            need_responsible()?;
            let chosen =
                ctx.chosen_unit
                    .filter(|c| c.id == *unit)
                    .ok_or(AppealError::WrongLevel {
                        expected: appeal.level().as_str(),
                    })?;
            let responsible = route(
                appeal.scope,
                ctx.responsible_unit,
                Some(chosen),
                *department,
                ctx.hall,
            )?;
            AppealEventKind::Referred {
                responsible,
                reason: reason(why)?,
            }
        }
        AppealAction::Escalate {
            scope,
            department,
            reason: why,
            ..
        } => {
            need_open()?;
            need_responsible()?;
            if *scope <= appeal.scope {
                return Err(AppealError::NotWider {
                    current: appeal.scope.name_zh(),
                });
            }
            let responsible = route(
                *scope,
                ctx.responsible_unit,
                ctx.chosen_unit,
                *department,
                ctx.hall,
            )?;
            let due = due_date(ctx.calendar, today, scope.period()).min(latest);
            AppealEventKind::Escalated {
                scope: *scope,
                responsible,
                reason: reason(why)?,
                due: due.max(appeal.due),
            }
        }
        AppealAction::Extend { due, reason: why } => {
            need_open()?;
            need_supervisor()?;
            if *due <= appeal.due {
                return Err(AppealError::NotLater {
                    current: appeal.due,
                });
            }
            if *due > latest {
                return Err(AppealError::BeyondSixMonths { latest });
            }
            AppealEventKind::Extended {
                due: *due,
                reason: reason(why)?,
            }
        }
        AppealAction::Answer { answer } => {
            need_open()?;
            need_responsible()?;
            let answer = answer.trim();
            if answer.is_empty() {
                return Err(AppealError::ContentNeeded);
            }
            AppealEventKind::Answered {
                answer: answer.to_owned(),
            }
        }
        AppealAction::Rate {
            satisfaction,
            comment,
        } => {
            if appeal.state != AppealState::Answered || appeal.satisfaction.is_some() {
                return Err(not_now());
            }
            if satisfaction.is_poor() && comment.trim().is_empty() {
                return Err(AppealError::PoorRatingReasonNeeded);
            }
            if ctx.actor.is_some() {
                need_responsible()?;
            }
            AppealEventKind::Rated {
                satisfaction: *satisfaction,
                comment: comment.trim().to_owned(),
            }
        }
        AppealAction::TakeOver { reason: why } => {
            need_supervisor()?;
            // A complaint awaiting acceptance is the center's already: it decides first.
            if matches!(
                appeal.state,
                AppealState::Closed | AppealState::PendingAcceptance
            ) || appeal.taken_over
            {
                return Err(not_now());
            }
            AppealEventKind::TakenOver {
                responsible: Responsible {
                    unit: ctx.hall,
                    department: None,
                },
                reason: reason(why)?,
            }
        }
        AppealAction::OrderRedo { reason: why } => {
            need_supervisor()?;
            if appeal.state != AppealState::Answered {
                return Err(not_now());
            }
            // The redo gets the scope's period again from today, within the six months.
            let due = due_date(ctx.calendar, today, appeal.scope.period()).min(latest);
            AppealEventKind::RedoOrdered {
                reason: reason(why)?,
                due: due.max(appeal.due),
            }
        }
        AppealAction::Close { note } => {
            need_supervisor()?;
            if appeal.state != AppealState::Answered {
                return Err(not_now());
            }
            AppealEventKind::Closed {
                note: reason(note)?,
            }
        }
    }])
}

/// What statistics need of one appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealFacts {
    pub level: AppealLevel,
    pub kind: AppealKind,
    pub state: AppealState,
    pub registered_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub on_time: Option<bool>,
    pub escalations: u32,
    /// Still awaiting its answer and past its deadline.
    pub overdue: bool,
}

/// Counts and rates over a set of appeals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AppealStats {
    pub total: u64,
    /// Answered or closed.
    pub concluded: u64,
    pub concluded_rate: f64,
    pub answered_on_time: u64,
    pub on_time_rate: f64,
    /// Concluded at the village level without ever being escalated (the seed's ≥ 90 %).
    pub settled_in_village: u64,
    pub settled_in_village_rate: f64,
    /// Mean calendar days from registration to answer, over the answered.
    pub mean_days_to_answer: f64,
    pub overdue_open: u64,
}

fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        // Counts stay far below 2^53: exact as f64.
        #[allow(clippy::cast_precision_loss)]
        let r = part as f64 / whole as f64;
        r
    }
}

/// The statistics of `appeals`.
pub fn statistics<'a>(appeals: impl IntoIterator<Item = &'a AppealFacts>) -> AppealStats {
    let mut stats = AppealStats::default();
    let mut days_total: i64 = 0;
    let mut answered: u64 = 0;
    for facts in appeals {
        stats.total += 1;
        if !facts.state.awaits_answer() {
            stats.concluded += 1;
            if facts.level == AppealLevel::Village && facts.escalations == 0 {
                stats.settled_in_village += 1;
            }
        } else if facts.overdue {
            stats.overdue_open += 1;
        }
        if facts.on_time == Some(true) {
            stats.answered_on_time += 1;
        }
        if let Some(on) = facts.answered_on {
            answered += 1;
            days_total += (on - facts.registered_on).num_days();
        }
    }
    stats.concluded_rate = rate(stats.concluded, stats.total);
    stats.on_time_rate = rate(stats.answered_on_time, answered);
    stats.settled_in_village_rate = rate(stats.settled_in_village, stats.concluded);
    #[allow(clippy::cast_precision_loss)]
    {
        stats.mean_days_to_answer = if answered == 0 {
            0.0
        } else {
            days_total as f64 / answered as f64
        };
    }
    stats
}
