//! Online consultation (网上咨询): a question about one service item, asked on the public
//! site by a person with a name and a verified mobile number, answered by the item's
//! department within a set number of working days; an answer is shown to the public only
//! when an officer of the department marks it so, with the asker's name and phone masked.
//!
//! ```text
//!           answer                       amend_answer, publish ⇄ unpublish
//!   asked ─────────────────► answered ◄──────────────────────────────────┐
//!     │ ▲                       └────────────────────────────────────────┘
//!     │ └─ forward (another item / department; the due date stays)
//!     ├─ decline (不予答复, with reason) ─► declined
//!     └─ withdraw (the asker)           ─► withdrawn
//! ```
//!
//! * Due date: [`ConsultationRules::answer_days`] working days (3 by default: rules.md has no
//!   figure for consultations, so this is our choice) after the question's effective date.
//!   A question asked after the afternoon close, on a weekend or on a holiday counts from the
//!   next working day ([`WorkingCalendar::effective_date`]); that day itself is not counted
//!   ("within N working days" starts the day after). The limit ends at the close of office
//!   on the due date. The limit in force when the question is asked is kept in its event.
//! * Warning levels are the case clock's ([`read_clock`], [`WarningRules`]): yellow at 80 %
//!   used or one working day or fewer left, red past the due time.
//! * Who acts: the department's staff (window clerk, handling officer, reviewer, approver of
//!   the question's current department) answer, amend, publish and decline; a supervisor may
//!   forward a misrouted question and take a published answer down, but never answers for
//!   the department; only the asker (no staff actor) withdraws, and only before the answer.
//!
//! Like a case, a consultation is its history of events; its state, department and public
//! flag are folded from them ([`Consultation::replay`]). No I/O, no clock: every instant is a
//! parameter. docs/design/consultation.md explains the choices.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Reckoned, WorkingCalendar, china_date};
use crate::case::deadline::{ClockReading, read_clock};
use crate::case::disclosure::mask_person_name;
use crate::case::{WarningLevel, WarningRules};
use crate::catalog::ItemCode;
use crate::evaluation::Month;
use crate::ids::PhoneNumber;
use crate::organization::{Actor, DepartmentId, Role, StaffId, string_enum};

#[cfg(test)]
mod tests;

// ---------------------------------------------------------------------------------------
// Rules

/// The district's settings for consultations: local practice, not law, so configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsultationRules {
    /// Working days after the question's effective date by which the department answers.
    /// Default 3: rules.md gives no figure for consultations; this is our choice.
    pub answer_days: u32,
    /// The fewest meaningful characters (letters, digits, Chinese characters) of a question.
    pub min_question_chars: u32,
    /// The most characters of a question.
    pub max_question_chars: u32,
    /// The most characters of a title.
    pub max_title_chars: u32,
    /// The most characters of the asker's name.
    pub max_name_chars: u32,
    /// The most characters of an answer.
    pub max_answer_chars: u32,
    /// The fewest meaningful characters of a title, an answer or a reason.
    pub min_text_chars: u32,
}

impl Default for ConsultationRules {
    fn default() -> Self {
        ConsultationRules {
            answer_days: 3,
            min_question_chars: 5,
            max_question_chars: 1000,
            max_title_chars: 50,
            max_name_chars: 30,
            max_answer_chars: 2000,
            min_text_chars: 2,
        }
    }
}

/// The longest answer limit a district may configure: the statutory decision limit of a
/// licence (行政许可法 Art 42, 20 working days); a question should never wait longer.
pub const MAX_ANSWER_DAYS: u32 = 20;

/// The longest reason (forwarding, declining, amending, taking down) kept.
pub const MAX_REASON_CHARS: u32 = 500;

impl ConsultationRules {
    /// Checks the settings when they are loaded: a limit of 1 to [`MAX_ANSWER_DAYS`] working
    /// days, and every minimum within its maximum.
    pub fn validate(&self) -> Result<(), ConsultationError> {
        if !(1..=MAX_ANSWER_DAYS).contains(&self.answer_days) {
            return Err(ConsultationError::InvalidRules(
                "answer_days 应为 1–20 / answer_days must be 1–20",
            ));
        }
        if self.min_question_chars == 0 || self.min_question_chars > self.max_question_chars {
            return Err(ConsultationError::InvalidRules(
                "min_question_chars 应在 1 与 max_question_chars 之间 / min_question_chars must be 1..=max_question_chars",
            ));
        }
        if self.min_text_chars == 0
            || self.min_text_chars > self.max_title_chars
            || self.min_text_chars > self.max_answer_chars
            || self.min_text_chars > MAX_REASON_CHARS
        {
            return Err(ConsultationError::InvalidRules(
                "min_text_chars 应在 1 与各最大长度之间 / min_text_chars must be 1..= every maximum",
            ));
        }
        if self.max_name_chars == 0 {
            return Err(ConsultationError::InvalidRules(
                "max_name_chars 不能为 0 / max_name_chars must not be 0",
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// A text of a question or of an action.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Name,
    Title,
    Question,
    Answer,
    Reason,
}
string_enum!(TextField {
    Name => "name",
    Title => "title",
    Question => "question",
    Answer => "answer",
    Reason => "reason",
});

impl TextField {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Name => "姓名",
            Self::Title => "标题",
            Self::Question => "咨询内容",
            Self::Answer => "答复内容",
            Self::Reason => "理由",
        }
    }

    /// Whether line breaks and tabs are allowed (the long texts).
    fn multiline(self) -> bool {
        matches!(self, Self::Question | Self::Answer | Self::Reason)
    }
}

/// Why a question or an action on it is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationError {
    #[error("“{}”不能为空 / `{}` must not be empty", .0.name_zh(), .0)]
    Empty(TextField),
    #[error("“{}”至少需要{min}个字 / `{}` needs at least {min} characters", .field.name_zh(), .field)]
    TooShort { field: TextField, min: u32 },
    #[error("“{}”不能超过{max}个字 / `{}` is longer than {max} characters", .field.name_zh(), .field)]
    TooLong { field: TextField, max: u32 },
    #[error("“{}”含有控制字符 / `{}` contains a control character", .0.name_zh(), .0)]
    ControlCharacter(TextField),
    #[error(
        "请填写手机号码，答复将以短信告知 / a mobile number is needed: the answer is sent by SMS"
    )]
    MobileNeeded,
    #[error("当前状态“{state}”不能进行此操作 / not allowed while the consultation is `{state}`")]
    NotAllowedNow { state: &'static str },
    #[error("答复已公开 / the answer is public already")]
    AlreadyPublic,
    #[error("答复尚未公开 / the answer is not public")]
    NotPublic,
    #[error(
        "只有该事项所属部门的工作人员可以进行此操作 / only staff of the item's department may do this"
    )]
    NotTheDepartment,
    #[error(
        "只有该事项所属部门的工作人员或监察人员可以进行此操作 / only staff of the item's department or a supervisor may do this"
    )]
    NotTheDepartmentOrSupervisor,
    #[error("只有咨询人本人可以撤回咨询 / only the person who asked may withdraw the question")]
    AskerOnly,
    #[error(
        "咨询已在该事项和部门，无需转办 / the question is with that item and department already"
    )]
    SameDestination,
    #[error("修改后的答复与原答复相同 / the amended answer is the same as the current one")]
    AnswerUnchanged,
    #[error("网上咨询设置无效：{0} / invalid consultation settings: {0}")]
    InvalidRules(&'static str),
}

// ---------------------------------------------------------------------------------------
// The question

/// A question as the public form sends it, and, once checked, as it is kept.
///
/// The phone is verified by the app (a code sent by SMS) before the question is taken; the
/// domain only requires a mobile number, the one the answer is sent to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The service item asked about.
    pub item: ItemCode,
    /// The asker's name: always given (an officer may need to call back).
    pub name: String,
    pub phone: PhoneNumber,
    /// Show neither the masked name nor the masked phone when the answer is published.
    #[serde(default)]
    pub anonymous: bool,
    pub title: String,
    pub text: String,
}

/// Characters that count towards a minimum: letters (Chinese characters included) and digits.
fn meaningful_chars(text: &str) -> u32 {
    let n = text.chars().filter(|c| c.is_alphanumeric()).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn char_count(text: &str) -> u32 {
    u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
}

/// Control characters (C0, C1) and the bidirectional overrides and isolates that could
/// turn a published text around; line breaks and tabs only in the long texts.
fn forbidden(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && matches!(c, '\n' | '\t')))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks one text: line ends normalised to `\n`, trimmed, not empty, no control
/// characters, at most `max` characters, at least `min` meaningful ones.
pub fn checked_text(
    field: TextField,
    text: &str,
    min: u32,
    max: u32,
) -> Result<String, ConsultationError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ConsultationError::Empty(field));
    }
    if text.chars().any(|c| forbidden(c, field.multiline())) {
        return Err(ConsultationError::ControlCharacter(field));
    }
    if char_count(text) > max {
        return Err(ConsultationError::TooLong { field, max });
    }
    if meaningful_chars(text) < min {
        return Err(ConsultationError::TooShort { field, min });
    }
    Ok(text.to_owned())
}

/// Checks a question and returns it as it is kept: texts trimmed, line ends normalised.
/// Name (1 to `max_name_chars`), a mobile phone, title (`min_text_chars` to
/// `max_title_chars`, one line), question text (`min_question_chars` meaningful characters to
/// `max_question_chars`).
pub fn check_question(
    question: &Question,
    rules: &ConsultationRules,
) -> Result<Question, ConsultationError> {
    let name = checked_text(TextField::Name, &question.name, 1, rules.max_name_chars)?;
    if !question.phone.is_mobile() {
        return Err(ConsultationError::MobileNeeded);
    }
    let title = checked_text(
        TextField::Title,
        &question.title,
        rules.min_text_chars,
        rules.max_title_chars,
    )?;
    let text = checked_text(
        TextField::Question,
        &question.text,
        rules.min_question_chars,
        rules.max_question_chars,
    )?;
    Ok(Question {
        item: question.item.clone(),
        name,
        phone: question.phone.clone(),
        anonymous: question.anonymous,
        title,
        text,
    })
}

/// The first event of a new consultation: the question checked, the department that
/// answers (the app looks it up from the item's catalog entry), and the limit in force.
pub fn ask(
    question: &Question,
    department: DepartmentId,
    rules: &ConsultationRules,
) -> Result<ConsultationEventKind, ConsultationError> {
    Ok(ConsultationEventKind::Asked {
        question: check_question(question, rules)?,
        department,
        answer_days: rules.answer_days,
    })
}

// ---------------------------------------------------------------------------------------
// States, actions, events

/// Where a consultation stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationState {
    /// Waiting for the department's answer; the clock runs.
    Asked,
    Answered,
    /// Taken back by the asker before an answer.
    Withdrawn,
    /// Not answered, with a reason (abusive, a duplicate, not a question for the hall).
    Declined,
}
string_enum!(ConsultationState {
    Asked => "asked",
    Answered => "answered",
    Withdrawn => "withdrawn",
    Declined => "declined",
});

impl ConsultationState {
    pub const ALL: [ConsultationState; 4] = [
        ConsultationState::Asked,
        ConsultationState::Answered,
        ConsultationState::Withdrawn,
        ConsultationState::Declined,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Asked => "待答复",
            Self::Answered => "已答复",
            Self::Withdrawn => "已撤回",
            Self::Declined => "不予答复",
        }
    }

    /// Whether the answer is still awaited (and the clock runs).
    pub fn awaits_answer(self) -> bool {
        matches!(self, Self::Asked)
    }
}

/// The names of the actions, for tables, permissions and the UI.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationActionName {
    Answer,
    AmendAnswer,
    Publish,
    Unpublish,
    Forward,
    Decline,
    Withdraw,
}
string_enum!(ConsultationActionName {
    Answer => "answer",
    AmendAnswer => "amend_answer",
    Publish => "publish",
    Unpublish => "unpublish",
    Forward => "forward",
    Decline => "decline",
    Withdraw => "withdraw",
});

impl ConsultationActionName {
    pub const ALL: [ConsultationActionName; 7] = [
        ConsultationActionName::Answer,
        ConsultationActionName::AmendAnswer,
        ConsultationActionName::Publish,
        ConsultationActionName::Unpublish,
        ConsultationActionName::Forward,
        ConsultationActionName::Decline,
        ConsultationActionName::Withdraw,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Answer => "答复",
            Self::AmendAnswer => "修改答复",
            Self::Publish => "公开",
            Self::Unpublish => "取消公开",
            Self::Forward => "转办",
            Self::Decline => "不予答复",
            Self::Withdraw => "撤回",
        }
    }
}

/// What may be done to a consultation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ConsultationAction {
    Answer {
        answer: String,
    },
    /// Replaces the answer's text (published or not); the reason stays in the history.
    AmendAnswer {
        answer: String,
        reason: String,
    },
    /// Shows the question (masked) and the answer on the public site.
    Publish,
    /// Takes a published answer down.
    Unpublish {
        reason: String,
    },
    /// Sends the question to the right item and its department (the app fills `department`
    /// from the item's catalog entry). The due date does not move.
    Forward {
        item: ItemCode,
        department: DepartmentId,
        reason: String,
    },
    Decline {
        reason: String,
    },
    /// The asker takes the question back.
    Withdraw,
}

impl ConsultationAction {
    pub fn name(&self) -> ConsultationActionName {
        use ConsultationActionName as A;
        match self {
            Self::Answer { .. } => A::Answer,
            Self::AmendAnswer { .. } => A::AmendAnswer,
            Self::Publish => A::Publish,
            Self::Unpublish { .. } => A::Unpublish,
            Self::Forward { .. } => A::Forward,
            Self::Decline { .. } => A::Decline,
            Self::Withdraw => A::Withdraw,
        }
    }
}

/// What happened to a consultation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsultationEventKind {
    Asked {
        question: Question,
        department: DepartmentId,
        /// The limit in force when asked; a later change of the settings does not move it.
        answer_days: u32,
    },
    Answered {
        answer: String,
    },
    AnswerAmended {
        answer: String,
        reason: String,
    },
    Published,
    Unpublished {
        reason: String,
    },
    Forwarded {
        item: ItemCode,
        department: DepartmentId,
        reason: String,
    },
    Declined {
        reason: String,
    },
    Withdrawn,
}

impl ConsultationEventKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Asked { .. } => "asked",
            Self::Answered { .. } => "answered",
            Self::AnswerAmended { .. } => "answer_amended",
            Self::Published => "published",
            Self::Unpublished { .. } => "unpublished",
            Self::Forwarded { .. } => "forwarded",
            Self::Declined { .. } => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            Self::Asked { .. } => "提问",
            Self::Answered { .. } => "答复",
            Self::AnswerAmended { .. } => "修改答复",
            Self::Published => "公开",
            Self::Unpublished { .. } => "取消公开",
            Self::Forwarded { .. } => "转办",
            Self::Declined { .. } => "不予答复",
            Self::Withdrawn => "撤回",
        }
    }

    /// The action that makes this event; `None` for the question itself.
    pub fn action(&self) -> Option<ConsultationActionName> {
        use ConsultationActionName as A;
        Some(match self {
            Self::Asked { .. } => return None,
            Self::Answered { .. } => A::Answer,
            Self::AnswerAmended { .. } => A::AmendAnswer,
            Self::Published => A::Publish,
            Self::Unpublished { .. } => A::Unpublish,
            Self::Forwarded { .. } => A::Forward,
            Self::Declined { .. } => A::Decline,
            Self::Withdrawn => A::Withdraw,
        })
    }
}

/// One event of a consultation's history. `actor` is `None` for what the asker did (asking,
/// withdrawing).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationEvent {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub actor: Option<StaffId>,
    pub kind: ConsultationEventKind,
}

// ---------------------------------------------------------------------------------------
// The record, folded from its events

/// A consultation folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub state: ConsultationState,
    /// The question; its `item` is the current one (a forward may change it).
    pub question: Question,
    /// The department that answers now.
    pub department: DepartmentId,
    pub answer_days: u32,
    pub asked_at: DateTime<Utc>,
    /// The current text of the answer.
    pub answer: Option<String>,
    /// The first answer: what the limit is judged by (an amendment does not move it).
    pub answered_at: Option<DateTime<Utc>>,
    /// The last amendment.
    pub amended_at: Option<DateTime<Utc>>,
    pub public: bool,
    /// When the answer was last made public; `None` while not public.
    pub published_at: Option<DateTime<Utc>>,
    pub forwards: u32,
    /// Withdrawn or declined.
    pub closed_at: Option<DateTime<Utc>>,
    pub version: u32,
}

/// A history that does not fold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("咨询记录无法重放：{0} / the consultation's history does not fold: {0}")]
pub struct ReplayError(pub String);

impl Consultation {
    /// Folds a history; the first event must be the question, every later one an action
    /// allowed in the state it finds.
    pub fn replay(events: &[ConsultationEvent]) -> Result<Consultation, ReplayError> {
        let (first, rest) = events
            .split_first()
            .ok_or_else(|| ReplayError("no events".into()))?;
        let ConsultationEventKind::Asked {
            question,
            department,
            answer_days,
        } = &first.kind
        else {
            return Err(ReplayError("the first event is not a question".into()));
        };
        let mut consultation = Consultation {
            state: ConsultationState::Asked,
            question: question.clone(),
            department: *department,
            answer_days: *answer_days,
            asked_at: first.at,
            answer: None,
            answered_at: None,
            amended_at: None,
            public: false,
            published_at: None,
            forwards: 0,
            closed_at: None,
            version: first.seq,
        };
        for event in rest {
            consultation.apply(event)?;
        }
        Ok(consultation)
    }

    /// Applies one more event.
    pub fn apply(&mut self, event: &ConsultationEvent) -> Result<(), ReplayError> {
        if Some(event.seq) != self.version.checked_add(1) {
            return Err(ReplayError(format!(
                "event {} follows version {}",
                event.seq, self.version
            )));
        }
        let Some(action) = event.kind.action() else {
            return Err(ReplayError("a second question".into()));
        };
        if check_state(self, action).is_err() {
            return Err(ReplayError(format!(
                "`{}` while `{}`{}",
                event.kind.type_name(),
                self.state.as_str(),
                if self.public { " (public)" } else { "" }
            )));
        }
        match &event.kind {
            ConsultationEventKind::Asked { .. } => {}
            ConsultationEventKind::Answered { answer } => {
                self.state = ConsultationState::Answered;
                self.answer = Some(answer.clone());
                self.answered_at = Some(event.at);
            }
            ConsultationEventKind::AnswerAmended { answer, .. } => {
                self.answer = Some(answer.clone());
                self.amended_at = Some(event.at);
            }
            ConsultationEventKind::Published => {
                self.public = true;
                self.published_at = Some(event.at);
            }
            ConsultationEventKind::Unpublished { .. } => {
                self.public = false;
                self.published_at = None;
            }
            ConsultationEventKind::Forwarded {
                item, department, ..
            } => {
                self.question.item = item.clone();
                self.department = *department;
                self.forwards += 1;
            }
            ConsultationEventKind::Declined { .. } => {
                self.state = ConsultationState::Declined;
                self.closed_at = Some(event.at);
            }
            ConsultationEventKind::Withdrawn => {
                self.state = ConsultationState::Withdrawn;
                self.closed_at = Some(event.at);
            }
        }
        self.version = event.seq;
        Ok(())
    }

    /// The last working day for the answer.
    pub fn due(&self, calendar: &WorkingCalendar) -> Reckoned<NaiveDate> {
        answer_due(calendar, self.asked_at, self.answer_days)
    }

    /// The clock against the limit: running while the answer is awaited, stopped at the
    /// answer (or at the withdrawal or refusal).
    pub fn clock(
        &self,
        calendar: &WorkingCalendar,
        warning: &WarningRules,
        now: DateTime<Utc>,
    ) -> ClockReading {
        let stopped = self.answered_at.or(self.closed_at);
        read_clock(
            calendar,
            warning,
            self.asked_at,
            &[],
            stopped,
            self.answer_days,
            now,
        )
    }

    /// Green, yellow or red while the answer is awaited; green once it is not.
    pub fn warning_level(
        &self,
        calendar: &WorkingCalendar,
        warning: &WarningRules,
        now: DateTime<Utc>,
    ) -> WarningLevel {
        warning_level(
            self.state,
            self.asked_at,
            self.answer_days,
            calendar,
            warning,
            now,
        )
    }

    /// Whether the answer came at or after the close of office on the due date (`None` until
    /// answered): a fact for supervision. An answer at the close is after hours and counts on
    /// the next working day, so an answer is late exactly when
    /// [`Consultation::working_days_to_answer`] exceeds `answer_days`. An amendment does not
    /// count as the answer.
    pub fn answered_late(&self, calendar: &WorkingCalendar) -> Option<bool> {
        self.answered_at
            .map(|at| at >= calendar.close_of(self.due(calendar).value))
    }

    /// Still awaiting its answer, and the close of office on the due date has come: an
    /// answer now would be late.
    pub fn overdue(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> bool {
        self.state.awaits_answer() && now >= calendar.close_of(self.due(calendar).value)
    }

    /// Working days from the question's effective date to the answer's (`None` until
    /// answered); an answer after hours, on a weekend or a holiday counts on the next working
    /// day.
    pub fn working_days_to_answer(&self, calendar: &WorkingCalendar) -> Option<u32> {
        self.answered_at.map(|at| {
            calendar
                .working_days_between(
                    calendar.effective_date(self.asked_at),
                    calendar.effective_date(at),
                )
                .value
        })
    }

    /// What the public site would show once published: the question with the asker's name
    /// and phone masked (or left out when anonymous), personal numbers in the texts masked,
    /// and the answer. `None` until answered.
    pub fn publication(&self) -> Option<PublicConsultation> {
        if self.state != ConsultationState::Answered {
            return None;
        }
        let answer = self.answer.as_deref()?;
        let answered_at = self.amended_at.or(self.answered_at)?;
        let q = &self.question;
        let redact = |text: &str| redact(text, &q.name, q.anonymous);
        Some(PublicConsultation {
            item: q.item.clone(),
            department: self.department,
            title: redact(&q.title),
            question: redact(&q.text),
            asker: (!q.anonymous).then(|| mask_person_name(&q.name)),
            phone: (!q.anonymous).then(|| q.phone.masked()),
            asked_on: china_date(self.asked_at),
            answer: redact(answer),
            answered_on: china_date(answered_at),
            amended: self.amended_at.is_some(),
        })
    }

    /// What the public site shows: [`Consultation::publication`] while the answer is public,
    /// `None` otherwise.
    pub fn public_view(&self) -> Option<PublicConsultation> {
        if self.public {
            self.publication()
        } else {
            None
        }
    }

    /// What the statistics need, as of `now`.
    pub fn facts(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> ConsultationFacts {
        ConsultationFacts {
            department: self.department,
            asked_on: china_date(self.asked_at),
            state: self.state,
            working_days_to_answer: self.working_days_to_answer(calendar),
            answered_late: self.answered_late(calendar),
            public: self.public,
            forwards: self.forwards,
            overdue: self.overdue(calendar, now),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deciding

/// Whether the state allows the action at all (whoever asks).
fn check_state(
    consultation: &Consultation,
    action: ConsultationActionName,
) -> Result<(), ConsultationError> {
    use ConsultationActionName as A;
    use ConsultationState as S;
    match (consultation.state, action) {
        (S::Asked, A::Answer | A::Forward | A::Decline | A::Withdraw)
        | (S::Answered, A::AmendAnswer) => Ok(()),
        (S::Answered, A::Publish) if consultation.public => Err(ConsultationError::AlreadyPublic),
        (S::Answered, A::Unpublish) if !consultation.public => Err(ConsultationError::NotPublic),
        (S::Answered, A::Publish | A::Unpublish) => Ok(()),
        (state, _) => Err(ConsultationError::NotAllowedNow {
            state: state.as_str(),
        }),
    }
}

/// The roles of a department's staff who may speak for it.
const DEPARTMENT_ROLES: [Role; 4] = [
    Role::WindowClerk,
    Role::HandlingOfficer,
    Role::Reviewer,
    Role::Approver,
];

/// Whether `actor` works for `department` in a role that may answer for it.
pub fn is_department_staff(actor: &Actor, department: DepartmentId) -> bool {
    actor.department_id == Some(department) && DEPARTMENT_ROLES.iter().any(|r| actor.has_role(*r))
}

/// Whether `actor` (`None`: the asker) may take `action` on a consultation now with
/// `department`, whatever its state.
pub fn may_act(
    action: ConsultationActionName,
    actor: Option<&Actor>,
    department: DepartmentId,
) -> Result<(), ConsultationError> {
    use ConsultationActionName as A;
    let staff = actor.is_some_and(|a| is_department_staff(a, department));
    let supervisor = actor.is_some_and(|a| a.has_role(Role::Supervisor));
    match action {
        A::Withdraw if actor.is_none() => Ok(()),
        A::Withdraw => Err(ConsultationError::AskerOnly),
        A::Answer | A::AmendAnswer | A::Publish | A::Decline if staff => Ok(()),
        A::Answer | A::AmendAnswer | A::Publish | A::Decline => {
            Err(ConsultationError::NotTheDepartment)
        }
        A::Forward | A::Unpublish if staff || supervisor => Ok(()),
        A::Forward | A::Unpublish => Err(ConsultationError::NotTheDepartmentOrSupervisor),
    }
}

/// The actions `actor` (`None`: the asker) may take now, in [`ConsultationActionName::ALL`]
/// order.
pub fn allowed_actions(
    consultation: &Consultation,
    actor: Option<&Actor>,
) -> Vec<ConsultationActionName> {
    ConsultationActionName::ALL
        .into_iter()
        .filter(|a| check_state(consultation, *a).is_ok())
        .filter(|a| may_act(*a, actor, consultation.department).is_ok())
        .collect()
}

/// Decides an action by `actor` (`None`: the asker): the events it makes, or why not. The
/// state is checked first, then who acts, then the texts.
pub fn decide(
    consultation: &Consultation,
    action: &ConsultationAction,
    actor: Option<&Actor>,
    rules: &ConsultationRules,
) -> Result<Vec<ConsultationEventKind>, ConsultationError> {
    check_state(consultation, action.name())?;
    may_act(action.name(), actor, consultation.department)?;
    let answer = |text: &str| {
        checked_text(
            TextField::Answer,
            text,
            rules.min_text_chars,
            rules.max_answer_chars,
        )
    };
    let reason = |text: &str| {
        checked_text(
            TextField::Reason,
            text,
            rules.min_text_chars,
            MAX_REASON_CHARS,
        )
    };
    let event = match action {
        ConsultationAction::Answer { answer: text } => ConsultationEventKind::Answered {
            answer: answer(text)?,
        },
        ConsultationAction::AmendAnswer {
            answer: text,
            reason: why,
        } => {
            let text = answer(text)?;
            if consultation.answer.as_deref() == Some(text.as_str()) {
                return Err(ConsultationError::AnswerUnchanged);
            }
            ConsultationEventKind::AnswerAmended {
                answer: text,
                reason: reason(why)?,
            }
        }
        ConsultationAction::Publish => ConsultationEventKind::Published,
        ConsultationAction::Unpublish { reason: why } => ConsultationEventKind::Unpublished {
            reason: reason(why)?,
        },
        ConsultationAction::Forward {
            item,
            department,
            reason: why,
        } => {
            if *item == consultation.question.item && *department == consultation.department {
                return Err(ConsultationError::SameDestination);
            }
            ConsultationEventKind::Forwarded {
                item: item.clone(),
                department: *department,
                reason: reason(why)?,
            }
        }
        ConsultationAction::Decline { reason: why } => ConsultationEventKind::Declined {
            reason: reason(why)?,
        },
        ConsultationAction::Withdraw => ConsultationEventKind::Withdrawn,
    };
    Ok(vec![event])
}

// ---------------------------------------------------------------------------------------
// Time

/// The last working day for the answer to a question asked at `asked_at`: `answer_days`
/// working days after its effective date (the next working day when asked after the
/// afternoon close, on a weekend or a holiday). Provisional when a day counted lies in a
/// year without a State Council notice.
pub fn answer_due(
    calendar: &WorkingCalendar,
    asked_at: DateTime<Utc>,
    answer_days: u32,
) -> Reckoned<NaiveDate> {
    let from = calendar.effective_date(asked_at);
    let due = calendar.add_working_days(from, answer_days);
    Reckoned {
        value: due.value,
        provisional: due.provisional || calendar.is_provisional(from),
    }
}

/// The level of a consultation in `state`, asked at `asked_at` with `answer_days`: what
/// [`Consultation::warning_level`] says, from the three facts a stored row holds. Only a
/// question awaiting its answer has a level other than green.
pub fn warning_level(
    state: ConsultationState,
    asked_at: DateTime<Utc>,
    answer_days: u32,
    calendar: &WorkingCalendar,
    warning: &WarningRules,
    now: DateTime<Utc>,
) -> WarningLevel {
    if !state.awaits_answer() {
        return WarningLevel::Green;
    }
    read_clock(calendar, warning, asked_at, &[], None, answer_days, now).level
}

// ---------------------------------------------------------------------------------------
// Public display

/// A published consultation as the public site shows it. Nothing here identifies the asker.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicConsultation {
    pub item: ItemCode,
    pub department: DepartmentId,
    pub title: String,
    pub question: String,
    /// `王**`; `None` when the asker chose to stay anonymous.
    pub asker: Option<String>,
    /// `138****8000`; `None` when the asker chose to stay anonymous.
    pub phone: Option<String>,
    pub asked_on: NaiveDate,
    pub answer: String,
    /// The date of the text shown (the last amendment's, if any).
    pub answered_on: NaiveDate,
    pub amended: bool,
}

/// A text made fit for the public: every occurrence of the asker's name (two characters or
/// more: a one-character name would hide every use of a common character) becomes its
/// masked form (`王建国` → `王**`, all stars when anonymous), and personal numbers are
/// masked by [`redact_numbers`].
pub fn redact(text: &str, name: &str, anonymous: bool) -> String {
    let name = name.trim();
    let length = name.chars().count();
    let text = if length >= 2 {
        let masked = if anonymous {
            "*".repeat(length)
        } else {
            mask_person_name(name)
        };
        text.replace(name, &masked)
    } else {
        text.to_owned()
    };
    redact_numbers(&text)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Masks the numbers in a text that may identify a person: a group of digits (ASCII or
/// full-width) joined by single spaces or hyphens with 11 digits or more (a mobile number,
/// an ID number with its check character `X`, a bank card) keeps its first 3 and last 4
/// digits; any other unbroken run of 7 digits or more (a landline, a QQ number) keeps its
/// last 4. Separators stay; shorter numbers, dates (`2026-10-08`) and codes (digits right
/// after a Latin letter, as in `XK00001000`) are left alone. A plain amount of a million or
/// more written in digits is masked too: the price of never publishing a phone number.
pub fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = at(i) {
        if !is_digit(c) {
            out.push(c);
            i += 1;
            continue;
        }
        // The group: digits, and single separators between digits.
        let start = i;
        let mut end = i;
        let mut digits = 0usize;
        let mut run = 0usize;
        let mut longest = 0usize;
        while let Some(c) = at(end) {
            if is_digit(c) {
                digits += 1;
                run += 1;
                longest = longest.max(run);
                end += 1;
            } else if matches!(c, ' ' | '-') && at(end + 1).is_some_and(is_digit) {
                run = 0;
                end += 1;
            } else {
                break;
            }
        }
        // The check character of a resident ID.
        if digits == 17 && at(end).is_some_and(|c| matches!(c, 'X' | 'x' | 'Ｘ')) {
            digits += 1;
            end += 1;
        }
        let group = chars.get(start..end).unwrap_or(&[]);
        let code = start
            .checked_sub(1)
            .and_then(at)
            .is_some_and(|c| c.is_ascii_alphabetic());
        let (head, tail) = if code {
            (digits, 0)
        } else if digits >= 11 {
            (3, 4)
        } else if longest >= 7 {
            (0, 4)
        } else {
            (digits, 0)
        };
        let mut seen = 0usize;
        for &c in group {
            if matches!(c, ' ' | '-') {
                out.push(c);
                continue;
            }
            let keep = seen < head || seen + tail >= digits;
            out.push(if keep { c } else { '*' });
            seen += 1;
        }
        i = end;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Statistics

/// What the statistics need of one consultation (see [`Consultation::facts`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationFacts {
    /// The department that answers now (after any forward).
    pub department: DepartmentId,
    /// The China date the question was asked.
    pub asked_on: NaiveDate,
    pub state: ConsultationState,
    pub working_days_to_answer: Option<u32>,
    pub answered_late: Option<bool>,
    pub public: bool,
    pub forwards: u32,
    /// Awaiting its answer and past the due time.
    pub overdue: bool,
}

/// Counts over the questions asked in a month.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ConsultationStats {
    pub asked: u64,
    pub answered: u64,
    pub answered_on_time: u64,
    pub answered_late: u64,
    /// Answered on time over answered; 0 when none answered.
    pub on_time_rate: f64,
    /// Mean working days from question to answer, over the answered; 0 when none.
    pub mean_working_days_to_answer: f64,
    /// Answers public now.
    pub published: u64,
    /// Still awaiting an answer.
    pub open: u64,
    /// Awaiting an answer and past the due time.
    pub overdue_open: u64,
    pub withdrawn: u64,
    pub declined: u64,
    /// Forwarded at least once.
    pub forwarded: u64,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(part: u64, whole: u64) -> f64 {
    // Counts stay far below 2^53: exact as f64.
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The statistics of the questions asked in `month` (China dates) of `department`, or of
/// every department when `None`. A question counts where it is now (after forwards), in the
/// month it was asked, whenever it was answered: the figures of a recent month still move.
pub fn statistics<'a>(
    facts: impl IntoIterator<Item = &'a ConsultationFacts>,
    department: Option<DepartmentId>,
    month: Month,
) -> ConsultationStats {
    let mut stats = ConsultationStats::default();
    let mut days_total: u64 = 0;
    for f in facts {
        if department.is_some_and(|d| d != f.department) || Month::of(f.asked_on) != month {
            continue;
        }
        stats.asked += 1;
        match f.state {
            ConsultationState::Asked => {
                stats.open += 1;
                if f.overdue {
                    stats.overdue_open += 1;
                }
            }
            ConsultationState::Answered => stats.answered += 1,
            ConsultationState::Withdrawn => stats.withdrawn += 1,
            ConsultationState::Declined => stats.declined += 1,
        }
        match f.answered_late {
            Some(false) => stats.answered_on_time += 1,
            Some(true) => stats.answered_late += 1,
            None => {}
        }
        if let Some(days) = f.working_days_to_answer {
            days_total += u64::from(days);
        }
        if f.public {
            stats.published += 1;
        }
        if f.forwards > 0 {
            stats.forwarded += 1;
        }
    }
    stats.on_time_rate = ratio(stats.answered_on_time, stats.answered);
    stats.mean_working_days_to_answer = ratio(days_total, stats.answered);
    stats
}
