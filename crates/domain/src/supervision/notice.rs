//! The supervision notice (督办单): the correction a finding opens, its replies and its
//! escalation.
//!
//! rules.md: a notice is opened within 5 working days of the irregularity and concluded
//! within 20; escalation in published practice goes SMS → yellow card (警告) with a written
//! notice and deadline → red card (问责) with a rectification proposal when the deadline
//! passes. So:
//!
//! ```text
//!            reply (department)            close (supervisor)
//!   open ───────────────────────► replied ───────────────────► closed
//!    ▲ │ ◄─────────────────────────  │
//!    │ │   return the reply (supervisor)
//!    │ │
//!    │ └─ close as unfounded (supervisor) ─────────────────────► closed
//!    └─── escalate: none → yellow → red (supervisor, or the sweep once the deadline passed)
//! ```
//!
//! The card level only rises. Each stage has its own reply deadline in working days, never
//! later than the notice's conclusion date. Like a case, a notice is the fold of its events.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::finding::Finding;
use super::rules::SupervisionRules;
use crate::calendar::{WorkingCalendar, china_date};
use crate::organization::{Actor, DepartmentId, Role, StaffId, string_enum};

/// How far a notice has been escalated; the evaluation counts yellow and red cards.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardLevel {
    /// 短信督办: the notice and its SMS, no card yet.
    #[serde(rename = "none")]
    NoCard,
    /// 黄牌警告, with a written notice and a deadline.
    Yellow,
    /// 红牌问责, with a rectification proposal.
    Red,
}
string_enum!(CardLevel { NoCard => "none", Yellow => "yellow", Red => "red" });

impl CardLevel {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::NoCard => "短信督办",
            Self::Yellow => "黄牌警告",
            Self::Red => "红牌问责",
        }
    }

    /// The level an escalation leads to; none after red.
    pub fn next(self) -> Option<CardLevel> {
        match self {
            Self::NoCard => Some(Self::Yellow),
            Self::Yellow => Some(Self::Red),
            Self::Red => None,
        }
    }
}

/// Where a notice stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// Waiting for the department's reply; its deadline runs.
    Open,
    /// Replied; waiting for the supervisor to accept or return the reply.
    Replied,
    /// Concluded.
    Closed,
}
string_enum!(NoticeState { Open => "open", Replied => "replied", Closed => "closed" });

impl NoticeState {
    pub const ALL: [NoticeState; 3] =
        [NoticeState::Open, NoticeState::Replied, NoticeState::Closed];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "待答复",
            Self::Replied => "已答复待审核",
            Self::Closed => "已办结",
        }
    }
}

/// Who acts on a notice. The app decides who is who (see [`NoticeParty::of`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeParty {
    /// 监察人员 of the efficiency complaint center.
    Supervisor,
    /// Staff of the department the finding holds responsible.
    Department,
    /// The sweep: opens notices for findings and escalates past deadlines.
    System,
}
string_enum!(NoticeParty { Supervisor => "supervisor", Department => "department", System => "system" });

impl NoticeParty {
    pub const ALL: [NoticeParty; 3] = [
        NoticeParty::Supervisor,
        NoticeParty::Department,
        NoticeParty::System,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Supervisor => "监察人员",
            Self::Department => "责任部门",
            Self::System => "系统",
        }
    }

    /// The party a member of staff acts as on a notice held against `department`: a
    /// supervisor as the supervisor (even one posted to that department: supervision
    /// comes first), staff of that department as the department, anyone else not at all.
    pub fn of(actor: &Actor, department: DepartmentId) -> Option<NoticeParty> {
        if actor.has_role(Role::Supervisor) {
            return Some(NoticeParty::Supervisor);
        }
        let staff = [
            Role::WindowClerk,
            Role::HandlingOfficer,
            Role::Reviewer,
            Role::Approver,
            Role::UnitAdmin,
        ];
        (actor.department_id == Some(department) && staff.iter().any(|r| actor.has_role(*r)))
            .then_some(NoticeParty::Department)
    }
}

/// How a notice was concluded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// 已整改: the reply shows the irregularity corrected.
    Rectified,
    /// 不成立: on review the finding was no irregularity (a routine review of a lawful
    /// refusal, a finding on wrong data). The cards already given stand: they were for
    /// deadlines missed.
    Unfounded,
}
string_enum!(Resolution { Rectified => "rectified", Unfounded => "unfounded" });

impl Resolution {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Rectified => "已整改",
            Self::Unfounded => "不成立",
        }
    }
}

/// The working days a notice was opened under; kept with it (see
/// [`SupervisionRules::notice_terms`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTerms {
    pub open_within_days: u32,
    pub conclude_within_days: u32,
    pub reply_days: u32,
    pub yellow_card_days: u32,
    pub red_card_days: u32,
}

impl NoticeTerms {
    /// The working days a stage at `card` gives the department.
    pub fn days_for(&self, card: CardLevel) -> u32 {
        match card {
            CardLevel::NoCard => self.reply_days,
            CardLevel::Yellow => self.yellow_card_days,
            CardLevel::Red => self.red_card_days,
        }
    }
}

/// What may be done to an open notice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum NoticeAction {
    /// The department's reply: what it found and what it corrected.
    Reply { reply: String },
    /// The supervisor finds the reply insufficient. The stage's deadline keeps running: a
    /// token reply must not buy time.
    ReturnReply { reason: String },
    /// The supervisor escalates one level now, with the written notice (yellow) or the
    /// rectification proposal (red).
    Escalate { text: String },
    /// The sweep escalates to `to` because the stage's deadline passed without a reply
    /// (see [`due_escalation`]); `to` makes a stale decision fail instead of skipping a level.
    AutoEscalate { to: CardLevel },
    /// The supervisor concludes the notice.
    Close {
        resolution: Resolution,
        note: String,
    },
}

/// The name of an action without its data, for errors.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeActionName {
    Open,
    Reply,
    ReturnReply,
    Escalate,
    AutoEscalate,
    Close,
}
string_enum!(NoticeActionName {
    Open => "open",
    Reply => "reply",
    ReturnReply => "return_reply",
    Escalate => "escalate",
    AutoEscalate => "auto_escalate",
    Close => "close",
});

impl NoticeActionName {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "下发督办单",
            Self::Reply => "答复",
            Self::ReturnReply => "退回答复",
            Self::Escalate => "升级督办",
            Self::AutoEscalate => "逾期自动升级",
            Self::Close => "办结督办单",
        }
    }

    /// The only party that may take the action (opening: the supervisor or the sweep).
    fn allowed(self, party: NoticeParty) -> bool {
        match self {
            Self::Open => matches!(party, NoticeParty::Supervisor | NoticeParty::System),
            Self::Reply => party == NoticeParty::Department,
            Self::ReturnReply | Self::Escalate | Self::Close => party == NoticeParty::Supervisor,
            Self::AutoEscalate => party == NoticeParty::System,
        }
    }
}

impl NoticeAction {
    pub fn name(&self) -> NoticeActionName {
        match self {
            Self::Reply { .. } => NoticeActionName::Reply,
            Self::ReturnReply { .. } => NoticeActionName::ReturnReply,
            Self::Escalate { .. } => NoticeActionName::Escalate,
            Self::AutoEscalate { .. } => NoticeActionName::AutoEscalate,
            Self::Close { .. } => NoticeActionName::Close,
        }
    }
}

/// What happened to a notice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NoticeEventKind {
    Opened {
        finding: Box<Finding>,
        terms: NoticeTerms,
        /// The reply deadline of the first stage.
        due: NaiveDate,
        /// The last working day to conclude the notice.
        conclude_by: NaiveDate,
        /// Opened after the 5 working days rules.md allows from the irregularity.
        opened_late: bool,
    },
    Replied {
        reply: String,
    },
    ReplyReturned {
        reason: String,
    },
    Escalated {
        to: CardLevel,
        /// The new reply deadline.
        due: NaiveDate,
        /// The written notice (yellow) or the rectification proposal (red).
        text: String,
        automatic: bool,
    },
    Closed {
        resolution: Resolution,
        note: String,
    },
}

impl NoticeEventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Opened { .. } => "opened",
            Self::Replied { .. } => "replied",
            Self::ReplyReturned { .. } => "reply_returned",
            Self::Escalated { .. } => "escalated",
            Self::Closed { .. } => "closed",
        }
    }
}

/// One event of a notice's history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeEvent {
    /// 1 for `Opened`, then one more per event.
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub party: NoticeParty,
    /// `None` for the sweep.
    pub actor: Option<StaffId>,
    pub kind: NoticeEventKind,
}

/// A notice folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionNotice {
    pub finding: Finding,
    pub terms: NoticeTerms,
    pub state: NoticeState,
    /// The highest card given; it never goes down.
    pub card: CardLevel,
    pub opened_at: DateTime<Utc>,
    pub opened_late: bool,
    /// The current stage's reply deadline (a working day; it ends at the afternoon close).
    pub due: NaiveDate,
    pub conclude_by: NaiveDate,
    pub replies: u32,
    pub returned_replies: u32,
    pub last_reply_at: Option<DateTime<Utc>>,
    pub yellow_card_at: Option<DateTime<Utc>>,
    pub red_card_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    /// The number of events folded in.
    pub version: u32,
}

/// A notice's history does not fold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("督办单记录无法重放：{0} / the notice's history does not fold: {0}")]
pub struct NoticeReplayError(pub String);

/// Why an action on a notice is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SupervisionError {
    #[error(
        "督办单状态为“{}”，不能{} / the notice is {state}: `{action}` is not allowed",
        state.name_zh(), action.name_zh()
    )]
    NotAllowedNow {
        state: NoticeState,
        action: NoticeActionName,
    },
    #[error(
        "{}不能由{}办理 / `{action}` is not for the {party}",
        action.name_zh(), party.name_zh()
    )]
    PartyNotAllowed {
        action: NoticeActionName,
        party: NoticeParty,
    },
    #[error("{field_zh}不能为空 / {field} is required")]
    Required {
        field: &'static str,
        field_zh: &'static str,
    },
    #[error(
        "已是红牌问责，不能再升级 / the notice is at a red card already: no further escalation"
    )]
    AlreadyRed,
    #[error(
        "答复期限{due}尚未届满，不能自动升级 / the reply deadline {due} has not passed: no automatic escalation"
    )]
    NotDue { due: NaiveDate },
    #[error(
        "督办单当前为{}，自动升级应至{}，而非{} / the notice is at `{current}`: an automatic escalation goes to `{expected}`, not `{asked}`",
        current.name_zh(), expected.name_zh(), asked.name_zh()
    )]
    StaleEscalation {
        current: CardLevel,
        expected: CardLevel,
        asked: CardLevel,
    },
    #[error(
        "尚未答复的督办单只能以“不成立”办结 / a notice without a reply can only be closed as unfounded"
    )]
    NoReplyYet,
}

fn required(
    text: &str,
    field: &'static str,
    field_zh: &'static str,
) -> Result<String, SupervisionError> {
    let text = text.trim();
    if text.is_empty() {
        Err(SupervisionError::Required { field, field_zh })
    } else {
        Ok(text.to_owned())
    }
}

/// The last day of `days` working days from an action at `at` (after hours: from the next
/// working period), never after `cap`.
fn deadline(
    calendar: &WorkingCalendar,
    at: DateTime<Utc>,
    days: u32,
    cap: Option<NaiveDate>,
) -> NaiveDate {
    let due = calendar
        .add_working_days(calendar.effective_date(at), days)
        .value;
    cap.map_or(due, |cap| due.min(cap))
}

/// The last day a notice for `finding` may be opened on time: the working days count from
/// the day after the China date of the irregularity. (A deadline finding occurs at the
/// close of its last day; counting from the next working period would add a day.)
pub fn open_by(
    finding: &Finding,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
) -> NaiveDate {
    calendar
        .add_working_days(china_date(finding.occurred_at), rules.open_within_days)
        .value
}

/// Opens a notice for `finding` at `now`, by the supervisor or the sweep: the opening
/// event, with the first reply deadline and the conclusion date. Opening late is allowed
/// (a late correction beats none) and recorded.
pub fn open(
    finding: &Finding,
    party: NoticeParty,
    rules: &SupervisionRules,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Result<NoticeEventKind, SupervisionError> {
    if !NoticeActionName::Open.allowed(party) {
        return Err(SupervisionError::PartyNotAllowed {
            action: NoticeActionName::Open,
            party,
        });
    }
    let terms = rules.notice_terms();
    let conclude_by = deadline(calendar, now, terms.conclude_within_days, None);
    let due = deadline(calendar, now, terms.reply_days, Some(conclude_by));
    let opened_late = now > calendar.close_of(open_by(finding, calendar, rules));
    Ok(NoticeEventKind::Opened {
        finding: Box::new(finding.clone()),
        terms,
        due,
        conclude_by,
        opened_late,
    })
}

impl SupervisionNotice {
    pub fn replay(events: &[NoticeEvent]) -> Result<SupervisionNotice, NoticeReplayError> {
        let (first, rest) = events
            .split_first()
            .ok_or_else(|| NoticeReplayError("no events".into()))?;
        let NoticeEventKind::Opened {
            finding,
            terms,
            due,
            conclude_by,
            opened_late,
        } = &first.kind
        else {
            return Err(NoticeReplayError(
                "the first event is not an opening".into(),
            ));
        };
        if first.seq != 1 {
            return Err(NoticeReplayError(format!(
                "the opening is event {}, not 1",
                first.seq
            )));
        }
        let mut notice = SupervisionNotice {
            finding: (**finding).clone(),
            terms: *terms,
            state: NoticeState::Open,
            card: CardLevel::NoCard,
            opened_at: first.at,
            opened_late: *opened_late,
            due: *due,
            conclude_by: *conclude_by,
            replies: 0,
            returned_replies: 0,
            last_reply_at: None,
            yellow_card_at: None,
            red_card_at: None,
            closed_at: None,
            resolution: None,
            version: 1,
        };
        for event in rest {
            notice.apply(event)?;
        }
        Ok(notice)
    }

    /// Folds one more event in; events are facts `decide` allowed.
    pub fn apply(&mut self, event: &NoticeEvent) -> Result<(), NoticeReplayError> {
        if event.seq != self.version + 1 {
            return Err(NoticeReplayError(format!(
                "event {} follows version {}",
                event.seq, self.version
            )));
        }
        match &event.kind {
            NoticeEventKind::Opened { .. } => {
                return Err(NoticeReplayError("opened twice".into()));
            }
            NoticeEventKind::Replied { .. } => {
                self.state = NoticeState::Replied;
                self.replies += 1;
                self.last_reply_at = Some(event.at);
            }
            NoticeEventKind::ReplyReturned { .. } => {
                self.state = NoticeState::Open;
                self.returned_replies += 1;
            }
            NoticeEventKind::Escalated { to, due, .. } => {
                self.card = self.card.max(*to);
                self.due = *due;
                match to {
                    CardLevel::Yellow => self.yellow_card_at = Some(event.at),
                    CardLevel::Red => self.red_card_at = Some(event.at),
                    CardLevel::NoCard => {}
                }
            }
            NoticeEventKind::Closed { resolution, .. } => {
                self.state = NoticeState::Closed;
                self.closed_at = Some(event.at);
                self.resolution = Some(*resolution);
            }
        }
        self.version = event.seq;
        Ok(())
    }

    /// The instant the current reply deadline ends.
    pub fn due_at(&self, calendar: &WorkingCalendar) -> DateTime<Utc> {
        calendar.close_of(self.due)
    }

    /// Whether the notice missed (or, still open, has missed) its conclusion date.
    pub fn concluded_late(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> bool {
        self.closed_at.unwrap_or(now) > calendar.close_of(self.conclude_by)
    }
}

/// The escalation the sweep owes a notice at `now`: one level up when it waits for a reply
/// and the stage's deadline has passed. A reply waiting for review stops it (the next move
/// is the supervisor's); a red card is the end.
pub fn due_escalation(
    notice: &SupervisionNotice,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Option<NoticeAction> {
    let to = notice.card.next()?;
    (notice.state == NoticeState::Open && now > notice.due_at(calendar))
        .then_some(NoticeAction::AutoEscalate { to })
}

/// The standard text of an automatic escalation.
fn automatic_text(notice: &SupervisionNotice, to: CardLevel, due: NaiveDate) -> String {
    let what = &notice.finding.description_zh;
    let what_en = &notice.finding.description_en;
    match to {
        CardLevel::Red => format!(
            "督办事项“{what}”逾期仍未答复，予以红牌问责。整改建议：立即纠正，查明责任人并于{due}前报送整改报告。 / \
             no reply to the notice on “{what_en}” after a yellow card: red card. Rectification proposal: correct it at once, \
             identify who is responsible and report by {due}."
        ),
        _ => format!(
            "督办事项“{what}”逾期未答复，予以黄牌警告，请于{due}前书面答复。 / \
             no reply to the notice on “{what_en}” by its deadline: yellow card. Reply in writing by {due}."
        ),
    }
}

/// Decides what `action` by `party` at `now` does to `notice`: the events, or why not.
pub fn decide(
    notice: &SupervisionNotice,
    action: &NoticeAction,
    party: NoticeParty,
    now: DateTime<Utc>,
    calendar: &WorkingCalendar,
) -> Result<Vec<NoticeEventKind>, SupervisionError> {
    let name = action.name();
    let state_allows = match name {
        NoticeActionName::Reply | NoticeActionName::Escalate | NoticeActionName::AutoEscalate => {
            notice.state == NoticeState::Open
        }
        NoticeActionName::ReturnReply => notice.state == NoticeState::Replied,
        NoticeActionName::Close => notice.state != NoticeState::Closed,
        NoticeActionName::Open => false,
    };
    if !state_allows {
        return Err(SupervisionError::NotAllowedNow {
            state: notice.state,
            action: name,
        });
    }
    if !name.allowed(party) {
        return Err(SupervisionError::PartyNotAllowed {
            action: name,
            party,
        });
    }
    let escalation = |to: CardLevel| {
        deadline(
            calendar,
            now,
            notice.terms.days_for(to),
            Some(notice.conclude_by),
        )
    };
    let event = match action {
        NoticeAction::Reply { reply } => NoticeEventKind::Replied {
            reply: required(reply, "reply", "答复内容")?,
        },
        NoticeAction::ReturnReply { reason } => NoticeEventKind::ReplyReturned {
            reason: required(reason, "reason", "退回理由")?,
        },
        NoticeAction::Escalate { text } => {
            let to = notice.card.next().ok_or(SupervisionError::AlreadyRed)?;
            let field_zh = if to == CardLevel::Red {
                "整改建议"
            } else {
                "书面警告"
            };
            NoticeEventKind::Escalated {
                to,
                due: escalation(to),
                text: required(text, "text", field_zh)?,
                automatic: false,
            }
        }
        NoticeAction::AutoEscalate { to } => {
            let expected = notice.card.next().ok_or(SupervisionError::AlreadyRed)?;
            if *to != expected {
                return Err(SupervisionError::StaleEscalation {
                    current: notice.card,
                    expected,
                    asked: *to,
                });
            }
            if due_escalation(notice, calendar, now).is_none() {
                return Err(SupervisionError::NotDue { due: notice.due });
            }
            let due = escalation(expected);
            NoticeEventKind::Escalated {
                to: expected,
                due,
                text: automatic_text(notice, expected, due),
                automatic: true,
            }
        }
        NoticeAction::Close { resolution, note } => {
            if notice.state == NoticeState::Open && *resolution == Resolution::Rectified {
                return Err(SupervisionError::NoReplyYet);
            }
            NoticeEventKind::Closed {
                resolution: *resolution,
                note: required(note, "note", "办结意见")?,
            }
        }
    };
    Ok(vec![event])
}
