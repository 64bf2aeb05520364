//! The efficiency complaint center's decision on accepting a complaint about the service
//! (行政效能投诉中心受理). rules.md ("Appeals (三项制度), from the seed"): "The efficiency
//! complaint center decides within 5 working days whether to accept an online complaint
//! about service." Complaints about the service reach the center by every channel (a clerk
//! at a station registers what a caller or visitor says just as the online form does), so
//! every complaint of kind [`AppealKind::ServiceComplaint`] awaits the decision.
//!
//! - The five working days count on the working-day calendar from the day after
//!   registration ("within N working days" starts the day after the triggering day); a
//!   complaint registered after the afternoon close or on a day off counts from the next
//!   working day ("an action after hours counts from the next working period").
//! - The decision is 受理 (accepted), 不予受理 (refused, on a ground of [`RefusalGround`]
//!   with a reason; the reason may only be left out for a listed ground) or 转送 (forwarded
//!   to the competent body, named). Only the center (staff with the supervisor role) decides.
//! - Until accepted, the answer's period does not run: accepting starts the scope's period
//!   from the day of acceptance, as an administrative decision's limit runs from acceptance
//!   (rules.md, 行政许可法 Art 42), capped by the six months from registration.
//! - Refused or forwarded, the complaint is settled here (closed).
//! - Five working days past without a decision is a supervision finding
//!   (`appeal_acceptance_overdue`) held against the center's unit.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{AppealError, AppealKind};
use crate::calendar::{Reckoned, WorkingCalendar, china_date};
use crate::organization::{AppealId, UnitId, string_enum};
use crate::supervision::FindingKind;

/// Working days the center has to decide on acceptance (rules.md, "Appeals (三项制度)").
pub const ACCEPTANCE_WORKING_DAYS: u32 = 5;

/// Whether an appeal of `kind` awaits the center's decision on acceptance first.
pub fn needs_acceptance(kind: AppealKind) -> bool {
    kind == AppealKind::ServiceComplaint
}

/// The last day of the decision on a complaint registered at `registered_at`: five working
/// days after the working day it counts on. Provisional in a year without a holiday notice.
pub fn acceptance_due(
    calendar: &WorkingCalendar,
    registered_at: DateTime<Utc>,
) -> Reckoned<NaiveDate> {
    calendar.add_working_days(
        calendar.effective_date(registered_at),
        ACCEPTANCE_WORKING_DAYS,
    )
}

/// The center's decision on acceptance.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceOutcome {
    /// 受理
    Accepted,
    /// 不予受理
    Refused,
    /// 转送有权处理机关
    Forwarded,
}
string_enum!(AcceptanceOutcome {
    Accepted => "accepted",
    Refused => "refused",
    Forwarded => "forwarded",
});

impl AcceptanceOutcome {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Accepted => "已受理",
            Self::Refused => "不予受理",
            Self::Forwarded => "已转送有权处理机关",
        }
    }
}

/// Why a complaint is not accepted: the grounds the published efficiency-complaint rules of
/// local governments list (a local-practice list, not a rule of rules.md), and `other` with
/// the reason written out.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// Not about how an office serves (e.g. a dispute between private parties).
    OutsideScope,
    /// No office or officer named, or no facts to look into.
    NoFacts,
    /// The same matter was already taken up or settled and nothing new is brought.
    Duplicate,
    /// Already in, or by law for, administrative reconsideration, litigation or arbitration.
    LegalProcedure,
    /// Another ground, written out in the reason.
    Other,
}
string_enum!(RefusalGround {
    OutsideScope => "outside_scope",
    NoFacts => "no_facts",
    Duplicate => "duplicate",
    LegalProcedure => "legal_procedure",
    Other => "other",
});

impl RefusalGround {
    pub const ALL: [RefusalGround; 5] = [
        Self::OutsideScope,
        Self::NoFacts,
        Self::Duplicate,
        Self::LegalProcedure,
        Self::Other,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::OutsideScope => "不属于行政效能投诉受理范围",
            Self::NoFacts => "无明确的投诉对象或具体事实",
            Self::Duplicate => "同一事项已受理或已办结，且无新的事实和理由",
            Self::LegalProcedure => "已进入或依法应通过行政复议、诉讼、仲裁等法定途径解决",
            Self::Other => "其他",
        }
    }
}

/// The reason a refusal records: the text given, which `other` must have.
pub(super) fn refusal_reason(ground: RefusalGround, text: &str) -> Result<String, AppealError> {
    let text = text.trim();
    if ground == RefusalGround::Other && text.is_empty() {
        return Err(AppealError::RefusalReasonNeeded);
    }
    Ok(text.to_owned())
}

/// A complaint whose decision on acceptance is overdue, as a supervision finding of kind
/// [`FindingKind::AppealAcceptanceOverdue`]. About an appeal and the center's unit, not a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptanceFinding {
    pub kind: FindingKind,
    pub appeal: AppealId,
    /// The unit of the efficiency complaint center (the hall): who answers for it.
    pub unit: UnitId,
    /// The close of the last day allowed.
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub description_zh: String,
    pub description_en: String,
    /// The due day counts days of a year with no holiday notice loaded.
    pub provisional: bool,
    /// `appeal:{id}:appeal_acceptance_overdue`: one per complaint, whichever path (the
    /// sweep, or a late decision) sees it first.
    pub dedup_key: String,
}

/// The finding for complaint `appeal` (number `number`, registered at `registered_at`) when
/// at `now` its decision on acceptance, due on `due`, is late: still pending past the close
/// of that day, or made after it (`decided_at`). None when on time.
pub fn acceptance_overdue_finding(
    appeal: AppealId,
    number: &str,
    center: UnitId,
    registered_at: DateTime<Utc>,
    calendar: &WorkingCalendar,
    decided_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<AcceptanceFinding> {
    let due = acceptance_due(calendar, registered_at);
    let deadline = calendar.close_of(due.value);
    let late = match decided_at {
        Some(at) => at > deadline,
        None => now > deadline,
    };
    if !late {
        return None;
    }
    let registered = china_date(registered_at);
    let kind = FindingKind::AppealAcceptanceOverdue;
    Some(AcceptanceFinding {
        kind,
        appeal,
        unit: center,
        occurred_at: deadline,
        detected_at: now,
        description_zh: format!(
            "服务投诉{number}于{registered}登记，应于{}前作出是否受理的决定，已逾期",
            due.value
        ),
        description_en: format!(
            "service complaint {number}, registered on {registered}, needed a decision on acceptance by {}; it is late",
            due.value
        ),
        provisional: due.provisional,
        dedup_key: format!("appeal:{}:{kind}", appeal.0),
    })
}
