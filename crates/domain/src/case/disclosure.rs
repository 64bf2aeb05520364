//! What of a case may be shown outside the office: to an applicant looking up progress with
//! the case number and a check code, on a public board, in an export for someone whose role
//! does not need the applicant's identity (等保: confidentiality of personal information).
//!
//! The rule: the applicant learns where the case is, what happened and when, and everything
//! they must act on or may appeal against (missing materials, refusal and denial reasons with
//! their legal basis, extensions and special procedures that move the due date, how the
//! result is delivered). Staff opinions, comments and names never leave the office.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{CaseEvent, EventKind};
use crate::organization::UnitId;

/// One entry of the public timeline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicEntry {
    pub seq: u32,
    pub at: DateTime<Utc>,
    /// The event's type, as in the case history (`received`, `accepted`, …).
    pub kind: &'static str,
    /// The event as the applicant's notice would name it.
    pub name_zh: &'static str,
    pub unit: UnitId,
    /// What the applicant must know of it, in the words the office recorded; empty for none.
    pub detail: String,
}

/// The event's public name.
pub fn public_name_zh(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Received { .. } => "已收件",
        EventKind::Accepted { .. } => "已受理",
        EventKind::IntakeRefused { .. } => "不予受理",
        EventKind::SupplementRequested { .. } => "需补正材料",
        EventKind::Supplemented { .. } => "已补正材料",
        EventKind::Handled { .. } => "承办完成",
        EventKind::Reviewed { .. } => "审核完成",
        EventKind::Approved { .. } => "已批准",
        EventKind::Denied { .. } => "不予许可",
        EventKind::Concluded { .. } => "已办结",
        // A return inside the office is still the same stage to the applicant.
        EventKind::Returned { .. } => "退回重办",
        EventKind::SpecialProcedureStarted { .. } => "进入特别程序",
        EventKind::SpecialProcedureEnded { .. } => "特别程序结束",
        EventKind::ExtensionGranted { .. } => "办理期限延长",
        EventKind::Withdrawn { .. } => "已撤回",
    }
}

fn with_basis(reason: &str, legal_basis: &str) -> String {
    if legal_basis.trim().is_empty() {
        reason.to_owned()
    } else {
        format!("{reason}（依据：{legal_basis}）")
    }
}

/// What the applicant is told of one event.
fn public_detail(kind: &EventKind) -> String {
    match kind {
        EventKind::IntakeRefused {
            reason,
            legal_basis,
        }
        | EventKind::Denied {
            reason,
            legal_basis,
        } => with_basis(reason, legal_basis),
        EventKind::SupplementRequested { missing, .. } => missing.join("；"),
        EventKind::Supplemented { received } => received.join("；"),
        EventKind::SpecialProcedureStarted {
            procedure,
            stated_days,
            ..
        } => format!(
            "{}，所需时间{stated_days}日，不计入办理时限",
            procedure.name_zh()
        ),
        EventKind::ExtensionGranted { days, reason } => {
            format!("延长{days}个工作日：{reason}")
        }
        EventKind::Concluded { delivery, .. } => delivery.clone(),
        EventKind::Received { materials, .. } => materials.join("；"),
        EventKind::Accepted { .. }
        | EventKind::Handled { .. }
        | EventKind::Reviewed { .. }
        | EventKind::Approved { .. }
        | EventKind::Returned { .. }
        | EventKind::SpecialProcedureEnded { .. }
        | EventKind::Withdrawn { .. } => String::new(),
    }
}

/// The public timeline of a history: every event, with only what may leave the office.
pub fn public_timeline(events: &[CaseEvent]) -> Vec<PublicEntry> {
    events
        .iter()
        .map(|event| PublicEntry {
            seq: event.seq,
            at: event.at,
            kind: event.kind.type_name(),
            name_zh: public_name_zh(&event.kind),
            unit: event.unit,
            detail: public_detail(&event.kind),
        })
        .collect()
}

/// A name with all but its first character hidden: `王**`, `欧阳**` stays `欧***`. Names of
/// organisations are public record and are not masked (see [`super::Applicant`]).
pub fn mask_person_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// Whether `check` proves knowledge of the applicant: the last six characters of their ID
/// number or of their phone's digits. Case and surrounding spaces do not matter; anything
/// shorter than six characters never matches.
pub fn check_code_matches(check: &str, id_number: &str, phone: &str) -> bool {
    let check = check.trim().to_ascii_uppercase();
    if check.chars().count() != 6 {
        return false;
    }
    let last_six = |text: &str| -> Option<String> {
        let chars: Vec<char> = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        (chars.len() >= 6).then(|| {
            chars[chars.len() - 6..]
                .iter()
                .collect::<String>()
                .to_ascii_uppercase()
        })
    };
    [id_number, phone]
        .into_iter()
        .filter_map(last_six)
        .any(|tail| tail == check)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::case::fixtures::received;
    use crate::case::{Channel, EventDraft, SpecialProcedure};
    use crate::catalog::StepKind;

    use crate::organization::StaffId;

    fn event(seq: u32, kind: EventKind, comment: &str) -> CaseEvent {
        CaseEvent::seal(
            "100-20261130-0001",
            "0",
            seq,
            EventDraft {
                at: DateTime::from_timestamp(1_795_000_000 + i64::from(seq) * 60, 0).unwrap(),
                actor: Some(StaffId(7)),
                unit: UnitId(3),
                comment: comment.to_owned(),
                kind,
            },
        )
    }

    #[test]
    fn the_public_timeline_keeps_no_identity_opinion_or_comment() {
        let events = vec![
            event(1, received(Channel::Window), "申请人王建国电话13800138000"),
            event(
                2,
                EventKind::Accepted {
                    first_step: StepKind::Handle,
                },
                "内部备注",
            ),
            event(
                3,
                EventKind::Handled {
                    opinion: "经查，申请人王建国符合条件".into(),
                    next_step: StepKind::Approve,
                },
                "",
            ),
        ];
        let timeline = public_timeline(&events);
        assert_eq!(timeline.len(), 3);
        let shown = format!("{timeline:?}");
        for secret in [
            "王建国",
            "11010519491231002X",
            "13800138000",
            "内部备注",
            "经查",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert_eq!(timeline[1].name_zh, "已受理");
        assert_eq!(timeline[2].kind, "handled");
        assert_eq!(timeline[0].unit, UnitId(3));
        // The applicant's own list of what they handed in.
        assert_eq!(timeline[0].detail, "申请书");
    }

    #[test]
    fn the_applicant_is_told_what_they_must_act_on_or_may_appeal() {
        let missing = public_detail(&EventKind::SupplementRequested {
            missing: vec!["营业执照".into(), "身份证明".into()],
            stops_clock: true,
        });
        assert_eq!(missing, "营业执照；身份证明");
        let refused = public_detail(&EventKind::IntakeRefused {
            reason: "不属于本机关职权范围".into(),
            legal_basis: "《行政许可法》第三十二条".into(),
        });
        assert_eq!(
            refused,
            "不属于本机关职权范围（依据：《行政许可法》第三十二条）"
        );
        let denied = public_detail(&EventKind::Denied {
            reason: "场所不符合要求".into(),
            legal_basis: String::new(),
        });
        assert_eq!(denied, "场所不符合要求");
        let extended = public_detail(&EventKind::ExtensionGranted {
            days: 10,
            reason: "情况复杂".into(),
        });
        assert_eq!(extended, "延长10个工作日：情况复杂");
        let special = public_detail(&EventKind::SpecialProcedureStarted {
            procedure: SpecialProcedure::Hearing,
            stated_days: 20,
            reason: "涉及他人重大利益".into(),
        });
        assert_eq!(special, "听证，所需时间20日，不计入办理时限");
        let concluded = public_detail(&EventKind::Concluded {
            delivery: "窗口领取".into(),
            on_the_spot: false,
        });
        assert_eq!(concluded, "窗口领取");
        let returned = public_detail(&EventKind::Returned {
            to: StepKind::Handle,
            reason: "申请人王建国材料需核实".into(),
        });
        assert_eq!(returned, "");
    }

    #[test]
    fn person_names_keep_only_their_first_character() {
        assert_eq!(mask_person_name("王建国"), "王**");
        assert_eq!(mask_person_name("李明"), "李*");
        assert_eq!(mask_person_name("欧阳娜娜"), "欧***");
        // A one-character name still hides that there is more to it.
        assert_eq!(mask_person_name("王"), "王*");
        assert_eq!(mask_person_name("  "), "");
        assert_eq!(mask_person_name("Zhang San"), "Z********");
    }

    #[test]
    fn the_check_code_is_the_last_six_of_the_id_number_or_the_phone() {
        let (id, phone) = ("11010519491231002X", "13800138000");
        assert!(check_code_matches("31002X", id, phone));
        assert!(check_code_matches(" 31002x ", id, phone));
        assert!(check_code_matches("138000", id, phone));
        assert!(!check_code_matches("31002", id, phone));
        assert!(!check_code_matches("1002X", id, phone));
        assert!(!check_code_matches("131002X", id, phone));
        assert!(!check_code_matches("", id, phone));
        assert!(!check_code_matches("000000", id, phone));
        // A landline's digits after the hyphen.
        assert!(check_code_matches("821234", id, "023-67821234"));
        // Nothing matches a record without an ID number or phone.
        assert!(!check_code_matches("000000", "", ""));
        assert!(!check_code_matches("中文六个字符", "中文六个字符", ""));
    }
}
