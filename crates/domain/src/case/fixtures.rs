//! Fixtures shared by the case engine's and supervision's tests: the shipped calendar, an
//! actor holding every role, three licences and the actions with ordinary payloads.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

use super::{Action, Applicant, Channel, EventKind, SpecialProcedure};
use crate::calendar::WorkingCalendar;
use crate::catalog::tests::licence;
use crate::catalog::{ItemCode, ServiceItem, Step, StepKind};
use crate::ids::{PhoneNumber, ResidentId};
use crate::organization::{Actor, Role, StaffId, UnitId};

pub(crate) static CALENDAR: LazyLock<WorkingCalendar> = LazyLock::new(WorkingCalendar::shipped);

/// An instant given in China time (UTC+8).
pub(crate) fn china(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// Someone holding every role: only the state machine and the payload can refuse them.
pub(crate) fn everyone() -> Actor {
    Actor {
        staff_id: StaffId(7),
        unit_id: UnitId(3),
        department_id: None,
        roles: Role::ALL.to_vec(),
    }
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 食品经营许可: handle (5, handling officer) → review (2, reviewer) → approve (1, approver).
pub(crate) fn a_licence() -> ServiceItem {
    licence("XK00001000")
}

/// A licence whose procedure has no review step.
pub(crate) fn a_licence_without_review() -> ServiceItem {
    ServiceItem {
        steps: vec![
            Step {
                kind: StepKind::Handle,
                share_days: 6,
                role: Role::HandlingOfficer,
            },
            Step {
                kind: StepKind::Approve,
                share_days: 2,
                role: Role::Approver,
            },
        ],
        ..licence("XK00004000")
    }
}

/// 双章制: the window holds the approval seal and decides itself.
pub(crate) fn a_window_authorised_licence() -> ServiceItem {
    ServiceItem {
        window_authorised: true,
        steps: vec![
            Step {
                kind: StepKind::Handle,
                share_days: 5,
                role: Role::HandlingOfficer,
            },
            Step {
                kind: StepKind::Approve,
                share_days: 3,
                role: Role::WindowClerk,
            },
        ],
        ..licence("XK00003000")
    }
}

pub(crate) fn handle() -> Action {
    Action::Handle {
        opinion: "材料齐全，符合条件".into(),
    }
}

pub(crate) fn review() -> Action {
    Action::Review {
        opinion: "同意承办意见".into(),
    }
}

pub(crate) fn approve() -> Action {
    Action::Approve {
        opinion: "准予许可".into(),
    }
}

pub(crate) fn conclude() -> Action {
    Action::Conclude {
        delivery: "窗口领取".into(),
    }
}

pub(crate) fn return_to(to: StepKind) -> Action {
    Action::Return {
        to,
        reason: "承办意见不完整".into(),
    }
}

pub(crate) fn start_special(stated_days: u32) -> Action {
    Action::StartSpecialProcedure {
        procedure: SpecialProcedure::Inspection,
        stated_days,
        reason: "现场核查".into(),
    }
}

pub(crate) fn end_special() -> Action {
    Action::EndSpecialProcedure {
        result: "核查合格".into(),
    }
}

pub(crate) fn extend(days: u32) -> Action {
    Action::GrantExtension {
        days,
        reason: "情况复杂，需现场核查".into(),
    }
}

pub(crate) fn withdraw() -> Action {
    Action::Withdraw {
        reason: "申请人主动撤回".into(),
    }
}

/// Whether an error message speaks Chinese first, then English after " / ".
pub(crate) fn bilingual(message: &str) -> bool {
    let Some((zh, en)) = message.split_once(" / ") else {
        return false;
    };
    zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && en.chars().any(|c| c.is_ascii_alphabetic())
}

/// 王建国 applies for 食品经营许可 through `channel` with his application form.
pub(crate) fn received(channel: Channel) -> EventKind {
    EventKind::Received {
        applicant: Applicant::Person {
            name: "王建国".into(),
            resident_id: ResidentId::parse("11010519491231002X").unwrap(),
        },
        phone: PhoneNumber::parse("13800138000").unwrap(),
        item_code: ItemCode::parse("XK00001000").unwrap(),
        item_version: 1,
        channel,
        materials: vec!["申请书".into()],
    }
}
