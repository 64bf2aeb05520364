//! SMS notifications (短信通知): which case events cause which messages to whom, the Chinese
//! templates and their placeholders, rendering, UCS-2 length and segment counting, and the
//! retry schedule of the delivery worker. Pure: the outbox, the worker and the gateway are in
//! the outer layers (docs/design/notifications.md).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::china_date;
use crate::case::{EventKind, Outcome, WarningLevel};
use crate::organization::{CaseId, StaffId, string_enum};

/// What a message is about. Each kind has one template and a fixed set of placeholders.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// 申请已收到: an application taken in online or carried up by proxy, where the applicant
    /// is not at the deciding window and has no receipt in hand.
    Received,
    /// 已受理: with the case number and the committed due date.
    Accepted,
    /// 补正告知: the one-time list of what is missing (行政许可法 Art 32).
    SupplementNeeded,
    /// 已办结: the outcome and where or how the result is delivered.
    Concluded,
    /// 好差评 invitation after conclusion (国办发〔2019〕51号).
    RatingInvitation,
    /// 预警 to the handling officer and the approver.
    YellowWarning,
    /// 报警 to the handling officer and the approver.
    RedWarning,
    /// 代办结果待领取: a proxied application's result is back at the village station.
    ResultAtStation,
    /// 督办通知: a supervision notice opened on the department's case, to its officers and
    /// approvers.
    NoticeOpened,
    /// 评价整改答复: the reply to the applicant once a poor rating is rectified or explained.
    RatingReply,
    /// 登录验证码: the one-time code an applicant signs in online with.
    SignInCode,
    /// 咨询已答复: an online question about an item was answered.
    ConsultationAnswered,
    /// 证照到期提醒: a licence's certificate nears its last day; apply to renew before the
    /// 行政许可法 Art 50 date.
    RenewalDue,
    /// 诉求已登记: an opinion, suggestion or problem was registered, with its number and due
    /// date (三项制度).
    AppealRegistered,
    /// 诉求办理进展: escalated or extended, with the new due date.
    AppealProgress,
    /// 诉求已答复: answered; the person looks the answer up and rates it.
    AppealAnswered,
    /// 督办升级: a supervision notice raised to a yellow or red card, to the department's
    /// officers and approvers and to the supervisors.
    NoticeEscalated,
    /// 预约成功: the slot, the hall and the code to check in with at the kiosk.
    AppointmentBooked,
    /// 投诉受理决定: the efficiency complaint center accepted a complaint about the service
    /// (with the answer's due date), refused it (with the reason) or forwarded it (to whom).
    AppealAcceptance,
}
string_enum!(MessageKind {
    Received => "received",
    Accepted => "accepted",
    SupplementNeeded => "supplement_needed",
    Concluded => "concluded",
    RatingInvitation => "rating_invitation",
    YellowWarning => "yellow_warning",
    RedWarning => "red_warning",
    ResultAtStation => "result_at_station",
    NoticeOpened => "notice_opened",
    RatingReply => "rating_reply",
    SignInCode => "sign_in_code",
    ConsultationAnswered => "consultation_answered",
    RenewalDue => "renewal_due",
    AppealRegistered => "appeal_registered",
    AppealProgress => "appeal_progress",
    AppealAnswered => "appeal_answered",
    NoticeEscalated => "notice_escalated",
    AppointmentBooked => "appointment_booked",
    AppealAcceptance => "appeal_acceptance",
});

/// A placeholder of a template, written `{name}` in the text.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// 申请人姓名或单位名称
    Applicant,
    /// 事项名称
    Item,
    /// 办件编号
    Number,
    /// 承诺办结日期 (China date, `2026年3月12日`)
    DueDate,
    /// 需补正的材料，以顿号分隔
    Missing,
    /// 办理结果（准予许可 / 不予许可）
    Outcome,
    /// 送达方式或领取地点
    Delivery,
    /// 工作人员姓名
    Staff,
    /// 剩余或超期的工作日数
    Days,
    /// 电子监察发现的问题
    Finding,
    /// 对差评的整改或解释答复
    Reply,
    /// 一次性登录验证码
    Code,
    /// 验证码有效分钟数
    Minutes,
    /// 证照名称
    Certificate,
    /// 证照有效期截止日期 (`2031年11月29日`)
    ExpiryDate,
    /// 督办等级（黄牌警告、红牌问责）
    Card,
    /// 办事大厅名称
    Hall,
    /// 预约时段 (`2026年5月6日 09:30`)
    Slot,
}
string_enum!(Placeholder {
    Applicant => "applicant",
    Item => "item",
    Number => "number",
    DueDate => "due_date",
    Missing => "missing",
    Outcome => "outcome",
    Delivery => "delivery",
    Staff => "staff",
    Days => "days",
    Finding => "finding",
    Reply => "reply",
    Code => "code",
    Minutes => "minutes",
    Certificate => "certificate",
    ExpiryDate => "expiry_date",
    Card => "card",
    Hall => "hall",
    Slot => "slot",
});

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recipient {
    /// The applicant, at the phone given at intake.
    Applicant,
    /// A member of staff (the handling officer or the approver of a warned case).
    Staff { id: StaffId },
}

impl Recipient {
    /// The stable text stored with the message and used in its id: `applicant`, `staff:7`.
    pub fn key(&self) -> String {
        match self {
            Recipient::Applicant => "applicant".into(),
            Recipient::Staff { id } => format!("staff:{}", id.0),
        }
    }
}

impl MessageKind {
    pub const ALL: [MessageKind; 19] = [
        MessageKind::Received,
        MessageKind::Accepted,
        MessageKind::SupplementNeeded,
        MessageKind::Concluded,
        MessageKind::RatingInvitation,
        MessageKind::YellowWarning,
        MessageKind::RedWarning,
        MessageKind::ResultAtStation,
        MessageKind::NoticeOpened,
        MessageKind::RatingReply,
        MessageKind::SignInCode,
        MessageKind::ConsultationAnswered,
        MessageKind::RenewalDue,
        MessageKind::AppealRegistered,
        MessageKind::AppealProgress,
        MessageKind::AppealAnswered,
        MessageKind::NoticeEscalated,
        MessageKind::AppointmentBooked,
        MessageKind::AppealAcceptance,
    ];

    /// The Chinese name shown to administrators.
    pub fn name_zh(self) -> &'static str {
        match self {
            MessageKind::Received => "申请已收到",
            MessageKind::Accepted => "受理通知",
            MessageKind::SupplementNeeded => "补正告知",
            MessageKind::Concluded => "办结通知",
            MessageKind::RatingInvitation => "服务评价邀请",
            MessageKind::YellowWarning => "黄色预警",
            MessageKind::RedWarning => "红色报警",
            MessageKind::ResultAtStation => "代办结果待领取",
            MessageKind::NoticeOpened => "督办通知",
            MessageKind::RatingReply => "评价整改答复",
            MessageKind::SignInCode => "登录验证码",
            MessageKind::ConsultationAnswered => "咨询答复通知",
            MessageKind::RenewalDue => "证照到期提醒",
            MessageKind::AppealRegistered => "诉求登记通知",
            MessageKind::AppealProgress => "诉求办理进展",
            MessageKind::AppealAnswered => "诉求答复通知",
            MessageKind::NoticeEscalated => "督办升级通知",
            MessageKind::AppointmentBooked => "预约成功通知",
            MessageKind::AppealAcceptance => "投诉受理决定通知",
        }
    }

    /// Whether the message goes to staff rather than to the applicant.
    pub fn to_staff(self) -> bool {
        matches!(
            self,
            MessageKind::YellowWarning
                | MessageKind::RedWarning
                | MessageKind::NoticeOpened
                | MessageKind::NoticeEscalated
        )
    }

    /// The placeholders a template of this kind may use.
    pub fn placeholders(self) -> &'static [Placeholder] {
        use Placeholder as P;
        match self {
            MessageKind::Received => &[P::Applicant, P::Item, P::Number],
            MessageKind::Accepted => &[P::Applicant, P::Item, P::Number, P::DueDate],
            MessageKind::SupplementNeeded => &[P::Applicant, P::Item, P::Number, P::Missing],
            MessageKind::Concluded => &[P::Applicant, P::Item, P::Number, P::Outcome, P::Delivery],
            MessageKind::ResultAtStation => &[P::Applicant, P::Item, P::Number, P::Delivery],
            MessageKind::NoticeOpened => &[P::Staff, P::Number, P::Finding, P::DueDate],
            MessageKind::NoticeEscalated => &[P::Staff, P::Number, P::Card, P::DueDate],
            MessageKind::RatingReply => &[P::Applicant, P::Item, P::Number, P::Reply],
            MessageKind::RatingInvitation => &[P::Applicant, P::Item, P::Number],
            MessageKind::SignInCode => &[P::Code, P::Minutes],
            MessageKind::ConsultationAnswered => &[P::Item],
            MessageKind::AppealRegistered | MessageKind::AppealProgress => {
                &[P::Applicant, P::Number, P::DueDate]
            }
            MessageKind::AppealAnswered => &[P::Applicant, P::Number],
            MessageKind::AppointmentBooked => &[P::Hall, P::Item, P::Slot, P::Code],
            MessageKind::AppealAcceptance => &[P::Applicant, P::Number, P::Outcome],
            MessageKind::RenewalDue => &[
                P::Applicant,
                P::Certificate,
                P::Number,
                P::ExpiryDate,
                P::DueDate,
            ],
            MessageKind::YellowWarning | MessageKind::RedWarning => {
                &[P::Staff, P::Item, P::Number, P::DueDate, P::Days]
            }
        }
    }

    /// The shipped template. Administrators may replace it; the signature 【…】 is what
    /// Chinese carriers require at the start of an application-to-person message.
    pub fn default_template(self) -> &'static str {
        match self {
            MessageKind::Received => {
                "【政务服务】{applicant}您好，您的{item}申请已收到，办件编号{number}，可凭编号查询办理进度。"
            }
            MessageKind::Accepted => {
                "【政务服务】{applicant}您好，您申请的{item}已受理，办件编号{number}，承诺于{due_date}前办结。"
            }
            MessageKind::SupplementNeeded => {
                "【政务服务】{applicant}您好，您申请的{item}（办件编号{number}）需一次性补正以下材料：{missing}。请按书面补正告知书提交。"
            }
            MessageKind::Concluded => {
                "【政务服务】{applicant}您好，您申请的{item}（办件编号{number}）已办结，结果：{outcome}。送达方式：{delivery}。"
            }
            MessageKind::RatingInvitation => {
                "【政务服务】{applicant}您好，请对{item}（办件编号{number}）的办理服务评价，回复1非常满意、2满意、3基本满意、4不满意、5非常不满意。"
            }
            MessageKind::YellowWarning => {
                "【电子监察】{staff}：办件{number}（{item}）将于{due_date}到期，剩余{days}个工作日，请抓紧办理。"
            }
            MessageKind::NoticeOpened => {
                "【电子监察】{staff}：办件{number}存在“{finding}”，已下发督办单，请于{due_date}前书面答复。"
            }
            MessageKind::RatingReply => {
                "【政务服务】{applicant}您好，您对{item}（办件编号{number}）的评价已处理：{reply}"
            }
            MessageKind::ResultAtStation => {
                "【政务服务】{applicant}您好，您通过代办申请的{item}（办件编号{number}）办理结果已送达{delivery}，请携带代办事项承办单前往领取。"
            }
            MessageKind::SignInCode => {
                "【政务服务】您的登录验证码为{code}，{minutes}分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。"
            }
            MessageKind::ConsultationAnswered => {
                "【政务服务】您关于“{item}”的网上咨询已答复，请登录网上办事大厅查看。"
            }
            MessageKind::NoticeEscalated => {
                "【电子监察】{staff}：办件{number}的督办单已升级为{card}，请于{due_date}前书面答复。"
            }
            MessageKind::AppealRegistered => {
                "【政务服务】{applicant}您好，您反映的事项已登记，编号{number}，将于{due_date}前答复。可凭编号查询办理进度。"
            }
            MessageKind::AppealProgress => {
                "【政务服务】{applicant}您好，您反映的事项（编号{number}）已转交办理，答复期限调整为{due_date}。"
            }
            MessageKind::AppealAnswered => {
                "【政务服务】{applicant}您好，您反映的事项（编号{number}）已答复，请凭编号和手机号后六位查询答复内容并评价。"
            }
            MessageKind::AppealAcceptance => {
                "【政务服务】{applicant}您好，您的投诉（编号{number}）{outcome}。可凭编号和手机号后六位查询。"
            }
            MessageKind::RenewalDue => {
                "【政务服务】{applicant}您好，您的{certificate}（办件编号{number}）有效期至{expiry_date}。如需延续，请于{due_date}前提出延续申请。"
            }
            MessageKind::AppointmentBooked => {
                "【政务服务】您已预约{hall}“{item}”业务，时间{slot}，预约码{code}。请于预约时间前30分钟至后15分钟内到大厅自助机输入预约码签到取号。"
            }
            MessageKind::RedWarning => {
                "【电子监察】{staff}：办件{number}（{item}）已于{due_date}超期{days}个工作日，请立即办理并说明原因。"
            }
        }
    }
}

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum TemplateError {
    #[error("短信模板不能为空 / the template is empty")]
    Empty,
    #[error(
        "短信模板过长（{chars}字，最多{max}字） / the template is too long ({chars} characters, at most {max})"
    )]
    TooLong { chars: usize, max: usize },
    #[error(
        "短信模板中的占位符{{{name}}}未知，可用：{allowed} / unknown placeholder {{{name}}} in the template; allowed: {allowed}"
    )]
    UnknownPlaceholder { name: String, allowed: String },
    #[error(
        "短信模板第{position}个字符处的花括号未闭合（字面花括号请写成{{{{或}}}}） / unbalanced brace at character {position} (write a literal brace as {{{{ or }}}})"
    )]
    UnbalancedBrace { position: usize },
    #[error("短信内容缺少{name}的值 / no value for the placeholder {{{name}}}")]
    MissingValue { name: String },
}

/// The longest template text accepted, in characters: leaves room for the values within
/// `MAX_SEGMENTS`.
pub const MAX_TEMPLATE_CHARS: usize = 300;

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Value(&'a str),
}

/// Splits a template into literal text, escaped braces and `{name}` placeholders.
fn parse(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    let mut consumed_chars = 0usize;
    while let Some(at) = rest.find(['{', '}']) {
        let (before, from) = rest.split_at(at);
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        let position = consumed_chars + before.chars().count() + 1;
        if let Some(after) = from.strip_prefix("{{") {
            pieces.push(Piece::Brace('{'));
            consumed_chars = position + 1;
            rest = after;
        } else if let Some(after) = from.strip_prefix("}}") {
            pieces.push(Piece::Brace('}'));
            consumed_chars = position + 1;
            rest = after;
        } else if let Some(inner) = from.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                return Err(TemplateError::UnbalancedBrace { position });
            };
            let (name, after) = inner.split_at(end);
            if name.contains('{') {
                return Err(TemplateError::UnbalancedBrace { position });
            }
            pieces.push(Piece::Value(name));
            consumed_chars = position + name.chars().count() + 1;
            rest = after.get(1..).unwrap_or("");
        } else {
            return Err(TemplateError::UnbalancedBrace { position });
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// Checks a template for `kind`: not empty, not too long, braces balanced, and every
/// placeholder one that `kind` provides.
pub fn validate_template(kind: MessageKind, template: &str) -> Result<(), TemplateError> {
    if template.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    let chars = template.chars().count();
    if chars > MAX_TEMPLATE_CHARS {
        return Err(TemplateError::TooLong {
            chars,
            max: MAX_TEMPLATE_CHARS,
        });
    }
    for piece in parse(template)? {
        if let Piece::Value(name) = piece {
            let known = name
                .parse::<Placeholder>()
                .ok()
                .filter(|p| kind.placeholders().contains(p));
            if known.is_none() {
                return Err(TemplateError::UnknownPlaceholder {
                    name: name.to_owned(),
                    allowed: kind
                        .placeholders()
                        .iter()
                        .map(|p| format!("{{{}}}", p.as_str()))
                        .collect::<Vec<_>>()
                        .join(" "),
                });
            }
        }
    }
    Ok(())
}

/// The values of a message's placeholders.
pub type Values = BTreeMap<Placeholder, String>;

/// Fills a template of `kind` with `values`, after validating it.
pub fn render(kind: MessageKind, template: &str, values: &Values) -> Result<String, TemplateError> {
    validate_template(kind, template)?;
    let mut out = String::with_capacity(template.len() + 64);
    for piece in parse(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Brace(brace) => out.push(brace),
            Piece::Value(name) => {
                let value = name
                    .parse::<Placeholder>()
                    .ok()
                    .and_then(|p| values.get(&p))
                    .ok_or_else(|| TemplateError::MissingValue {
                        name: name.to_owned(),
                    })?;
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Length

/// Characters of one UCS-2 message (140 octets, 2 per character).
pub const UCS2_SINGLE: usize = 70;
/// Characters of each part of a concatenated UCS-2 message (6 octets of the 140 are the UDH).
pub const UCS2_PART: usize = 67;
/// The most parts a message may take; longer messages are shortened when composed.
pub const MAX_SEGMENTS: usize = 6;

/// How long a text is on the air, sent as UCS-2 (which Chinese text always needs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SmsLength {
    /// UTF-16 code units: a character outside the Basic Multilingual Plane takes two.
    pub units: usize,
    /// Parts the network carries (and bills).
    pub segments: usize,
}

/// The UCS-2 length and segment count of `text`: up to 70 units in one message, otherwise
/// 67 per part. Empty text still takes one message.
pub fn sms_length(text: &str) -> SmsLength {
    let units = text.encode_utf16().count();
    let segments = if units <= UCS2_SINGLE {
        1
    } else {
        units.div_ceil(UCS2_PART)
    };
    SmsLength { units, segments }
}

// ---------------------------------------------------------------------------------------
// Retries

/// When the worker tries again after a failed attempt: exponential backoff from `base`,
/// capped at `cap`, with a deterministic jitter of up to a tenth so that the messages of one
/// outage do not all come back at the same instant; none after `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 15 s, 30 s, 1 min … capped at 30 min; 20 attempts cover about seven hours of gateway
    /// outage, most of a working day, before a message is given up.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(15),
            cap: Duration::from_secs(30 * 60),
            max_attempts: 20,
        }
    }
}

impl RetryPolicy {
    /// The wait after attempt `attempt` (1-based) failed, or `None` when it was the last.
    /// `jitter_seed` (for example a hash of the message id) spreads the waits.
    pub fn delay_after(&self, attempt: u32, jitter_seed: u64) -> Option<Duration> {
        if attempt == 0 || attempt >= self.max_attempts {
            return None;
        }
        let doublings = (attempt - 1).min(32);
        let plain = self
            .base
            .checked_mul(1u32 << doublings.min(31))
            .unwrap_or(self.cap)
            .min(self.cap);
        // Up to +10 %, mixed from the seed and the attempt so that each retry differs.
        let mixed = (jitter_seed ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let tenth_ms = u64::try_from(plain.as_millis() / 10).unwrap_or(u64::MAX);
        let jitter = if tenth_ms == 0 {
            0
        } else {
            (mixed >> 11) % tenth_ms.saturating_add(1)
        };
        Some(plain.saturating_add(Duration::from_millis(jitter)))
    }
}

/// A stable 64-bit seed from a message id (FNV-1a), for the jitter.
pub fn jitter_seed(message_id: &str) -> u64 {
    message_id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------
// Delivery reports

/// What a gateway's delivery report says (Kannel's `%d`: 1, 2, 4, 8, 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryReport {
    /// 1: delivered to the phone. Final.
    Delivered,
    /// 2: the network could not deliver it to the phone. Final.
    Undeliverable,
    /// 4: buffered at the SMSC, on its way.
    Buffered,
    /// 8: accepted by the SMSC.
    AcceptedBySmsc,
    /// 16: the SMSC rejected it: it never went out, so sending again is not a duplicate.
    RejectedBySmsc,
}

impl DeliveryReport {
    pub fn from_kannel(status: i64) -> Option<DeliveryReport> {
        match status {
            1 => Some(DeliveryReport::Delivered),
            2 => Some(DeliveryReport::Undeliverable),
            4 => Some(DeliveryReport::Buffered),
            8 => Some(DeliveryReport::AcceptedBySmsc),
            16 => Some(DeliveryReport::RejectedBySmsc),
            _ => None,
        }
    }
}

/// Where a message of the outbox stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting for its next attempt.
    Queued,
    /// Handed to the gateway, answer not yet recorded: the outcome is unknown until the
    /// answer or a delivery report arrives.
    Sending,
    /// The gateway accepted it.
    Sent,
    /// The phone received it.
    Delivered,
    /// Given up: undeliverable, refused by the gateway, or out of attempts.
    Failed,
}
string_enum!(MessageState {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Delivered => "delivered",
    Failed => "failed",
});

impl MessageState {
    /// The state after a delivery report, or `None` when the report changes nothing (a late
    /// "accepted by the SMSC" after "delivered", a report on a message already final).
    /// A report on a message still `Sending` or `Queued` is proof that an earlier attempt
    /// reached the gateway: the message is sent, and no retry follows.
    pub fn after_report(self, report: DeliveryReport) -> Option<MessageState> {
        use MessageState as S;
        match (self, report) {
            (S::Delivered | S::Failed, _) => None,
            (_, DeliveryReport::Delivered) => Some(S::Delivered),
            (_, DeliveryReport::Undeliverable) => Some(S::Failed),
            (S::Sent, DeliveryReport::Buffered | DeliveryReport::AcceptedBySmsc) => None,
            (_, DeliveryReport::Buffered | DeliveryReport::AcceptedBySmsc) => Some(S::Sent),
            // Rejected: it never left; try again (the worker's schedule decides how often).
            (_, DeliveryReport::RejectedBySmsc) => Some(S::Queued),
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, MessageState::Delivered | MessageState::Failed)
    }
}

// ---------------------------------------------------------------------------------------
// Which events cause which messages

/// What the case layer knows when events are written, for composing messages.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub case: CaseId,
    pub number: &'a str,
    pub item_name: &'a str,
    pub applicant_name: &'a str,
    /// The phone given at intake.
    pub phone: &'a str,
    /// The case's due time after the events, if it has one.
    pub due_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
}

/// A message decided on: its kind, recipient and values, not yet rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMessage {
    /// Idempotent id: the same event never yields two messages.
    pub id: String,
    pub kind: MessageKind,
    pub recipient: Recipient,
    pub phone: String,
    pub values: Values,
}

/// Whether `phone` can receive an SMS: a mainland mobile number (11 digits, 1[3-9]…).
/// Landlines, which intake accepts, cannot.
pub fn is_mobile(phone: &str) -> bool {
    let bytes = phone.as_bytes();
    bytes.len() == 11
        && bytes.first() == Some(&b'1')
        && bytes.get(1).is_some_and(|b| (b'3'..=b'9').contains(b))
        && bytes.iter().all(u8::is_ascii_digit)
}

/// A phone number for readers who do not work on cases: `138****8000`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_front = if chars.len() >= 11 { 3 } else { 0 };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_front || i + 4 >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

impl PlannedMessage {
    /// The same message with the applicant's name masked (`王**`), rendered for readers who
    /// do not work on cases (administrators, supervisors). Organisations' names are masked
    /// too: the message does not say which kind of applicant it is for.
    pub fn masked(&self) -> PlannedMessage {
        let mut masked = self.clone();
        if let Some(name) = masked.values.get_mut(&Placeholder::Applicant) {
            *name = crate::case::disclosure::mask_person_name(name);
        }
        // Whoever reads the outbox must not be able to sign in as the applicant.
        if let Some(code) = masked.values.get_mut(&Placeholder::Code) {
            *code = "******".into();
        }
        masked
    }
}

/// The sign-in code for `phone`, sent at `at` (which makes its id: one message per code).
pub fn sign_in_code_message(
    phone: &str,
    code: &str,
    valid_minutes: i64,
    at: DateTime<Utc>,
) -> PlannedMessage {
    PlannedMessage {
        id: format!("sign-in-{phone}-{}", at.timestamp_millis()),
        kind: MessageKind::SignInCode,
        recipient: Recipient::Applicant,
        phone: phone.to_owned(),
        values: Values::from([
            (Placeholder::Code, code.to_owned()),
            (Placeholder::Minutes, valid_minutes.to_string()),
        ]),
    }
}

/// The notice that the question `consultation` was answered (event `seq`), to its asker.
pub fn consultation_answered_message(
    consultation: i64,
    seq: u32,
    phone: &str,
    item_name: &str,
) -> PlannedMessage {
    PlannedMessage {
        id: format!("consultation-{consultation}-{seq}-consultation_answered-applicant"),
        kind: MessageKind::ConsultationAnswered,
        recipient: Recipient::Applicant,
        phone: phone.to_owned(),
        values: Values::from([(Placeholder::Item, item_name.to_owned())]),
    }
}

/// The booking `appointment` confirmed to its phone (once: its id is the message's), with the
/// hall, the business group, the slot and the code to check in with.
pub fn appointment_booked_message(
    appointment: i64,
    phone: &str,
    hall: &str,
    group: &str,
    slot: &crate::appointment::Slot,
    code: &str,
) -> PlannedMessage {
    PlannedMessage {
        id: format!("appointment-{appointment}-appointment_booked-applicant"),
        kind: MessageKind::AppointmentBooked,
        recipient: Recipient::Applicant,
        phone: phone.to_owned(),
        values: Values::from([
            (Placeholder::Hall, hall.to_owned()),
            (Placeholder::Item, group.to_owned()),
            (
                Placeholder::Slot,
                format!("{} {}", chinese_day(slot.day), slot.label()),
            ),
            (Placeholder::Code, code.to_owned()),
        ]),
    }
}

/// The reminder to renew the certificate `certificate` (once per certificate: its id is the
/// message's), with the last day in force and the last day to apply. Nothing for a landline.
pub fn renewal_due_message(
    certificate: i64,
    phone: &str,
    holder: &str,
    title: &str,
    case_number: &str,
    dates: &crate::certificate::RenewalDates,
) -> Option<PlannedMessage> {
    is_mobile(phone).then(|| PlannedMessage {
        id: format!("certificate-{certificate}-renewal_due-applicant"),
        kind: MessageKind::RenewalDue,
        recipient: Recipient::Applicant,
        phone: phone.to_owned(),
        values: Values::from([
            (Placeholder::Applicant, holder.to_owned()),
            (Placeholder::Certificate, title.to_owned()),
            (Placeholder::Number, case_number.to_owned()),
            (Placeholder::ExpiryDate, chinese_day(dates.expires_after)),
            (Placeholder::DueDate, chinese_day(dates.apply_by)),
        ]),
    })
}

/// What the person who raised appeal `appeal` (number `number`) is told of its events
/// `(seq, kind)`: the registration (number and due date; for a complaint about the service,
/// the date of the decision on acceptance), the decision on acceptance (accepted with the
/// answer's due date, refused with the reason, forwarded to whom), an escalation or extension
/// (the new due date), the answer (look it up and rate it). A referral at the same level
/// keeps the due date and says nothing new. Nothing without a mobile number.
pub fn appeal_messages(
    appeal: i64,
    number: &str,
    person: &crate::appeal::Person,
    events: &[(u32, &crate::appeal::AppealEventKind)],
) -> Vec<PlannedMessage> {
    use crate::appeal::AppealEventKind as E;
    let Some(phone) = person.phone.as_ref().filter(|p| p.is_mobile()) else {
        return Vec::new();
    };
    let name = if person.name.trim().is_empty() {
        "群众".to_owned()
    } else {
        person.name.trim().to_owned()
    };
    events
        .iter()
        .filter_map(|(seq, event)| {
            let (kind, due) = match event {
                E::Accepted { .. } | E::AcceptanceRefused { .. } | E::Forwarded { .. } => {
                    (MessageKind::AppealAcceptance, None)
                }
                E::Registered { due, .. } => (MessageKind::AppealRegistered, Some(*due)),
                E::Escalated { due, .. } | E::Extended { due, .. } => {
                    (MessageKind::AppealProgress, Some(*due))
                }
                E::Answered { .. } => (MessageKind::AppealAnswered, None),
                _ => return None,
            };
            let mut values = Values::from([
                (Placeholder::Applicant, name.clone()),
                (Placeholder::Number, number.to_owned()),
            ]);
            if let Some(due) = due {
                values.insert(Placeholder::DueDate, chinese_day(due));
            }
            if let Some(outcome) = acceptance_outcome(event) {
                values.insert(Placeholder::Outcome, outcome);
            }
            Some(PlannedMessage {
                id: format!("appeal-{appeal}-{seq}-{}-applicant", kind.as_str()),
                kind,
                recipient: Recipient::Applicant,
                phone: phone.as_str().to_owned(),
                values,
            })
        })
        .collect()
}

/// The decision on a complaint's acceptance, as its message says it.
fn acceptance_outcome(event: &crate::appeal::AppealEventKind) -> Option<String> {
    use crate::appeal::{AppealEventKind as E, RefusalGround};
    Some(match event {
        E::Accepted { due, .. } => format!("已受理，将于{}前答复", chinese_day(*due)),
        E::AcceptanceRefused { ground, reason } => {
            let why = match (ground, reason.trim()) {
                (_, "") => ground.name_zh(),
                (RefusalGround::Other, text) => text,
                (_, text) => {
                    return Some(format!("不予受理，理由：{}（{text}）", ground.name_zh()));
                }
            };
            format!("不予受理，理由：{why}")
        }
        E::Forwarded { to, .. } => format!("已转送{to}处理"),
        _ => return None,
    })
}

/// A China date as the messages write it: `2026年3月12日`.
pub fn chinese_date(at: DateTime<Utc>) -> String {
    chinese_day(china_date(at))
}

/// A day as the messages write it: `2026年3月12日`.
pub fn chinese_day(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The id of the message of `kind` to `recipient` caused by the event `seq` of `case`.
pub fn message_id(case: CaseId, seq: u32, kind: MessageKind, recipient: &Recipient) -> String {
    format!(
        "case-{}-{}-{}-{}",
        case.0,
        seq,
        kind.as_str(),
        recipient.key()
    )
}

/// The messages to the applicant that the events `(seq, kind)` of one write cause.
///
/// - `Received`: only for online and proxied applications (at a window the applicant holds
///   the paper receipt);
/// - `Accepted`: the number and due date, unless the same write concludes the case (an
///   on-the-spot item: the applicant is at the window);
/// - `SupplementRequested`: the list of what is missing;
/// - `Concluded`: the outcome and delivery, then the rating invitation.
///
/// Nothing for a landline number.
pub fn applicant_messages(
    facts: &CaseFacts<'_>,
    events: &[(u32, &EventKind)],
) -> Vec<PlannedMessage> {
    if !is_mobile(facts.phone) {
        return Vec::new();
    }
    let concludes = events
        .iter()
        .any(|(_, e)| matches!(e, EventKind::Concluded { .. }));
    let base = |kind: MessageKind, seq: u32| {
        let mut values = Values::new();
        values.insert(Placeholder::Applicant, facts.applicant_name.to_owned());
        values.insert(Placeholder::Item, facts.item_name.to_owned());
        values.insert(Placeholder::Number, facts.number.to_owned());
        PlannedMessage {
            id: message_id(facts.case, seq, kind, &Recipient::Applicant),
            kind,
            recipient: Recipient::Applicant,
            phone: facts.phone.to_owned(),
            values,
        }
    };
    let mut out = Vec::new();
    for &(seq, event) in events {
        match event {
            EventKind::Received { channel, .. }
                if !matches!(channel, crate::case::Channel::Window) =>
            {
                out.push(base(MessageKind::Received, seq));
            }
            EventKind::Accepted { .. } if !concludes => {
                let mut m = base(MessageKind::Accepted, seq);
                // A case accepted always has a due time; "—" keeps the message sendable if not.
                let due = facts.due_at.map_or_else(|| "—".to_owned(), chinese_date);
                m.values.insert(Placeholder::DueDate, due);
                out.push(m);
            }
            EventKind::SupplementRequested { missing, .. } => {
                let mut m = base(MessageKind::SupplementNeeded, seq);
                m.values.insert(Placeholder::Missing, missing.join("、"));
                out.push(m);
            }
            EventKind::Concluded { delivery, .. } => {
                let mut m = base(MessageKind::Concluded, seq);
                let outcome = match facts.outcome {
                    Some(Outcome::Denied) => "不予许可",
                    _ => "准予许可",
                };
                m.values.insert(Placeholder::Outcome, outcome.to_owned());
                m.values
                    .insert(Placeholder::Delivery, delivery.trim().to_owned());
                out.push(m);
                out.push(base(MessageKind::RatingInvitation, seq));
            }
            _ => {}
        }
    }
    out
}

/// The message telling the applicant that the result of an application carried up by proxy
/// (proxy record `record`) is back at `station`, caused by the record's event `seq`. Nothing
/// for a landline number.
pub fn result_at_station_message(
    facts: &CaseFacts<'_>,
    record: i64,
    seq: u32,
    station: &str,
) -> Option<PlannedMessage> {
    to_applicant(
        facts,
        MessageKind::ResultAtStation,
        &format!("proxy-{record}-{seq}"),
        (Placeholder::Delivery, station),
    )
}

/// A message of `kind` to the applicant of `facts` about their case, with one value beyond
/// applicant, item and number; its id begins with `cause`. Nothing for a landline number.
fn to_applicant(
    facts: &CaseFacts<'_>,
    kind: MessageKind,
    cause: &str,
    (placeholder, value): (Placeholder, &str),
) -> Option<PlannedMessage> {
    if !is_mobile(facts.phone) {
        return None;
    }
    let mut values = Values::new();
    values.insert(Placeholder::Applicant, facts.applicant_name.to_owned());
    values.insert(Placeholder::Item, facts.item_name.to_owned());
    values.insert(Placeholder::Number, facts.number.to_owned());
    values.insert(placeholder, value.to_owned());
    Some(PlannedMessage {
        id: format!("{cause}-{}-{}", kind.as_str(), Recipient::Applicant.key()),
        kind,
        recipient: Recipient::Applicant,
        phone: facts.phone.to_owned(),
        values,
    })
}

/// The reply to an applicant whose poor rating `rating` was rectified or explained. Nothing
/// for a landline number.
pub fn rating_reply_message(
    facts: &CaseFacts<'_>,
    rating: i64,
    reply: &str,
) -> Option<PlannedMessage> {
    to_applicant(
        facts,
        MessageKind::RatingReply,
        &format!("rating-{rating}"),
        (Placeholder::Reply, reply),
    )
}

/// What a supervision notice's message tells: that it was opened about a finding, or raised
/// (event `seq`) to a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeNews<'a> {
    Opened { finding: &'a str },
    Escalated { seq: u32, card: &'a str },
}

/// The messages telling `staff` the news of notice `notice` on case `case`, to be answered by
/// `due`: one per member of staff with a mobile.
pub fn notice_messages(
    case: CaseId,
    notice: i64,
    number: &str,
    news: NoticeNews<'_>,
    due: chrono::NaiveDate,
    staff: &[StaffContact],
) -> Vec<PlannedMessage> {
    let (kind, stage, detail) = match news {
        NoticeNews::Opened { finding } => (
            MessageKind::NoticeOpened,
            String::new(),
            (Placeholder::Finding, finding),
        ),
        NoticeNews::Escalated { seq, card } => (
            MessageKind::NoticeEscalated,
            format!("{seq}-"),
            (Placeholder::Card, card),
        ),
    };
    staff
        .iter()
        .filter(|s| is_mobile(&s.phone))
        .map(|s| {
            let recipient = Recipient::Staff { id: s.id };
            let mut values = Values::new();
            values.insert(Placeholder::Staff, s.name.clone());
            values.insert(Placeholder::Number, number.to_owned());
            values.insert(detail.0, detail.1.to_owned());
            values.insert(Placeholder::DueDate, chinese_day(due));
            PlannedMessage {
                id: format!(
                    "case-{}-notice-{notice}-{stage}{}-{}",
                    case.0,
                    kind.as_str(),
                    recipient.key()
                ),
                kind,
                recipient,
                phone: s.phone.clone(),
                values,
            }
        })
        .collect()
}

/// A member of staff to warn, with the phone to warn them at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffContact {
    pub id: StaffId,
    pub name: String,
    pub phone: String,
}

/// A case found yellow or red by the supervision sweep.
#[derive(Debug, Clone)]
pub struct WarnedCase<'a> {
    pub case: CaseId,
    /// The sequence of the event that started the warned period (acceptance, or the step
    /// the case waits at): one warning per level per period, however often the sweep runs.
    pub step_seq: u32,
    pub level: WarningLevel,
    pub number: &'a str,
    pub item_name: &'a str,
    pub due_at: DateTime<Utc>,
    /// Working days left (yellow) or past the due time (red).
    pub working_days: u32,
}

/// The warnings a case's level causes: yellow or red to each of `staff` (the handling officer
/// and the approver) with a mobile number; nothing for green.
pub fn warning_messages(warned: &WarnedCase<'_>, staff: &[StaffContact]) -> Vec<PlannedMessage> {
    let kind = match warned.level {
        WarningLevel::Green => return Vec::new(),
        WarningLevel::Yellow => MessageKind::YellowWarning,
        WarningLevel::Red => MessageKind::RedWarning,
    };
    staff
        .iter()
        .filter(|s| is_mobile(&s.phone))
        .map(|s| {
            let recipient = Recipient::Staff { id: s.id };
            let mut values = Values::new();
            values.insert(Placeholder::Staff, s.name.clone());
            values.insert(Placeholder::Item, warned.item_name.to_owned());
            values.insert(Placeholder::Number, warned.number.to_owned());
            values.insert(Placeholder::DueDate, chinese_date(warned.due_at));
            values.insert(Placeholder::Days, warned.working_days.to_string());
            PlannedMessage {
                id: message_id(warned.case, warned.step_seq, kind, &recipient),
                kind,
                recipient,
                phone: s.phone.clone(),
                values,
            }
        })
        .collect()
}

/// Renders a planned message with `template`, shortening the list of missing materials
/// (`甲、乙等N项材料`) when the whole text would exceed `MAX_SEGMENTS`: the written notice
/// carries the full list, the SMS points to it.
pub fn compose(message: &PlannedMessage, template: &str) -> Result<String, TemplateError> {
    let text = render(message.kind, template, &message.values)?;
    if sms_length(&text).segments <= MAX_SEGMENTS {
        return Ok(text);
    }
    let Some(list) = message.values.get(&Placeholder::Missing) else {
        return Ok(truncate(&text));
    };
    let items: Vec<&str> = list.split('、').collect();
    for keep in (1..items.len()).rev() {
        let mut values = message.values.clone();
        let shortened = format!(
            "{}等{}项材料",
            items.get(..keep).unwrap_or_default().join("、"),
            items.len()
        );
        values.insert(Placeholder::Missing, shortened);
        let text = render(message.kind, template, &values)?;
        if sms_length(&text).segments <= MAX_SEGMENTS {
            return Ok(text);
        }
    }
    Ok(truncate(&text))
}

/// Cuts a text to `MAX_SEGMENTS` parts, ending it with "…".
fn truncate(text: &str) -> String {
    let budget = MAX_SEGMENTS * UCS2_PART - 1;
    let mut out = String::new();
    let mut units = 0;
    for c in text.chars() {
        units += c.len_utf16();
        if units > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::calendar::china_offset;
    use crate::case::Channel;
    use crate::case::fixtures::received;
    use crate::catalog::StepKind;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        china_offset()
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts(phone: &str) -> CaseFacts<'_> {
        CaseFacts {
            case: CaseId(42),
            number: "100-20260302-0001",
            item_name: "食品经营许可（新办）",
            applicant_name: "王建国",
            phone,
            due_at: Some(at(2026, 3, 12, 17)),
            outcome: None,
        }
    }

    #[test]
    fn a_notice_is_told_to_each_officer_with_a_mobile() {
        let staff = [
            StaffContact {
                id: StaffId(3),
                name: "李承办".into(),
                phone: "13900000001".into(),
            },
            StaffContact {
                id: StaffId(4),
                name: "无手机".into(),
                phone: String::new(),
            },
        ];
        let due = chrono::NaiveDate::from_ymd_opt(2026, 3, 30).unwrap();
        let m = notice_messages(
            CaseId(42),
            7,
            "100-20260302-0001",
            NoticeNews::Opened {
                finding: "受理后未办理",
            },
            due,
            &staff,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "case-42-notice-7-notice_opened-staff:3");
        assert_eq!(
            compose(&m[0], m[0].kind.default_template()).unwrap(),
            "【电子监察】李承办：办件100-20260302-0001存在“受理后未办理”，已下发督办单，请于2026年3月30日前书面答复。"
        );
        let m = notice_messages(
            CaseId(42),
            7,
            "100-20260302-0001",
            NoticeNews::Escalated {
                seq: 3,
                card: "黄牌警告",
            },
            due,
            &staff,
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "case-42-notice-7-3-notice_escalated-staff:3");
        assert_eq!(
            compose(&m[0], m[0].kind.default_template()).unwrap(),
            "【电子监察】李承办：办件100-20260302-0001的督办单已升级为黄牌警告，请于2026年3月30日前书面答复。"
        );
    }

    #[test]
    fn the_reply_to_a_poor_rating_goes_to_a_mobile_once_per_rating() {
        let m = rating_reply_message(&facts("13800138000"), 9, "已增开窗口").unwrap();
        assert_eq!(m.id, "rating-9-rating_reply-applicant");
        assert_eq!(
            compose(&m, m.kind.default_template()).unwrap(),
            "【政务服务】王建国您好，您对食品经营许可（新办）（办件编号100-20260302-0001）的评价已处理：已增开窗口"
        );
        assert!(rating_reply_message(&facts("023-67821234"), 9, "已处理").is_none());
    }

    #[test]
    fn the_result_back_at_the_station_is_told_to_a_mobile_once_per_hand_over() {
        let m =
            result_at_station_message(&facts("13800138000"), 7, 5, "龙湖社区便民服务站").unwrap();
        assert_eq!(m.id, "proxy-7-5-result_at_station-applicant");
        assert_eq!(
            compose(&m, m.kind.default_template()).unwrap(),
            "【政务服务】王建国您好，您通过代办申请的食品经营许可（新办）（办件编号100-20260302-0001）办理结果已送达龙湖社区便民服务站，请携带代办事项承办单前往领取。"
        );
        assert!(
            result_at_station_message(&facts("023-67821234"), 7, 5, "站").is_none(),
            "a landline gets no SMS"
        );
    }

    #[test]
    fn the_renewal_reminder_names_both_dates_once_per_certificate() {
        let last = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let dates = crate::certificate::RenewalDates::of(
            last,
            &crate::certificate::RenewalRules::default(),
        );
        let m = renewal_due_message(
            12,
            "13800138000",
            "王建国",
            "食品经营许可证",
            "100-20260302-0001",
            &dates,
        )
        .unwrap();
        assert_eq!(m.id, "certificate-12-renewal_due-applicant");
        assert_eq!(
            compose(&m, m.kind.default_template()).unwrap(),
            "【政务服务】王建国您好，您的食品经营许可证（办件编号100-20260302-0001）有效期至2027年3月31日。如需延续，请于2027年3月1日前提出延续申请。"
        );
        assert!(
            compose(&m.masked(), m.kind.default_template())
                .unwrap()
                .contains("王**")
        );
        assert!(
            renewal_due_message(12, "023-67821234", "王建国", "证", "1", &dates).is_none(),
            "a landline gets no SMS"
        );
    }

    #[test]
    fn a_booking_is_confirmed_with_its_slot_and_code_masked_for_readers_of_the_outbox() {
        let slot = crate::appointment::Slot {
            day: NaiveDate::from_ymd_opt(2026, 5, 6).unwrap(),
            start: chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        };
        let m = appointment_booked_message(
            3,
            "13800138000",
            "渝北区行政服务中心",
            "市场准入",
            &slot,
            "482913",
        );
        assert_eq!(m.id, "appointment-3-appointment_booked-applicant");
        assert_eq!(
            compose(&m, m.kind.default_template()).unwrap(),
            "【政务服务】您已预约渝北区行政服务中心“市场准入”业务，时间2026年5月6日 09:30，预约码482913。请于预约时间前30分钟至后15分钟内到大厅自助机输入预约码签到取号。"
        );
        let masked = compose(&m.masked(), m.kind.default_template()).unwrap();
        assert!(masked.contains("预约码******") && !masked.contains("482913"));
    }

    #[test]
    fn a_complainant_is_told_the_decision_on_acceptance_with_its_date_reason_or_body() {
        use crate::appeal::{AppealEventKind as E, Person, RefusalGround};
        use crate::ids::PhoneNumber;
        let person = Person {
            name: "张伟".into(),
            phone: Some(PhoneNumber::parse("13800138000").unwrap()),
        };
        let events = [
            E::Accepted {
                due: NaiveDate::from_ymd_opt(2026, 5, 8).unwrap(),
                note: "内部意见".into(),
            },
            E::AcceptanceRefused {
                ground: RefusalGround::LegalProcedure,
                reason: String::new(),
            },
            E::AcceptanceRefused {
                ground: RefusalGround::Other,
                reason: "投诉人已撤回".into(),
            },
            E::AcceptanceRefused {
                ground: RefusalGround::NoFacts,
                reason: "未说明具体窗口".into(),
            },
            E::Forwarded {
                to: "区市场监督管理局".into(),
                reason: String::new(),
            },
        ];
        let numbered: Vec<_> = (2u32..).zip(events.iter()).collect();
        let m = appeal_messages(9, "SX-100-20260402-0001", &person, &numbered);
        let texts: Vec<String> = m
            .iter()
            .map(|m| compose(m, m.kind.default_template()).unwrap())
            .collect();
        assert!(m.iter().all(|m| m.kind == MessageKind::AppealAcceptance));
        assert_eq!(m[0].id, "appeal-9-2-appeal_acceptance-applicant");
        assert_eq!(
            texts[0],
            "【政务服务】张伟您好，您的投诉（编号SX-100-20260402-0001）已受理，将于2026年5月8日前答复。可凭编号和手机号后六位查询。"
        );
        assert!(!texts[0].contains("内部意见"));
        assert!(texts[1].contains("不予受理，理由：已进入或依法应通过行政复议"));
        assert!(
            texts[2].contains("不予受理，理由：投诉人已撤回。"),
            "{}",
            texts[2]
        );
        assert!(
            texts[3].contains("无明确的投诉对象或具体事实（未说明具体窗口）"),
            "{}",
            texts[3]
        );
        assert!(
            texts[4].contains("已转送区市场监督管理局处理"),
            "{}",
            texts[4]
        );
    }

    #[test]
    fn the_person_who_raised_an_appeal_is_told_of_registration_new_due_dates_and_the_answer() {
        use crate::appeal::{
            AppealChannel, AppealEventKind as E, AppealKind, AppealScope, Person, Responsible,
        };
        use crate::ids::PhoneNumber;
        use crate::organization::UnitId;
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let responsible = Responsible {
            unit: UnitId(3),
            department: None,
        };
        let person = Person {
            name: "李大爷".into(),
            phone: Some(PhoneNumber::parse("13900001111").unwrap()),
        };
        let registered = E::Registered {
            kind: AppealKind::Problem,
            channel: AppealChannel::Station,
            scope: AppealScope::Village,
            person: person.clone(),
            category: "路灯".into(),
            content: "村口路灯不亮".into(),
            address: String::new(),
            responsible,
            due: day(17),
            acceptance_due: None,
        };
        let escalated = E::Escalated {
            scope: AppealScope::DistrictDepartment,
            responsible,
            reason: "需区级部门处理".into(),
            due: day(31),
        };
        let referred = E::Referred {
            responsible,
            reason: "转交".into(),
        };
        let answered = E::Answered {
            answer: "已修复".into(),
        };
        let m = appeal_messages(
            9,
            "Y20101-20260302-0001",
            &person,
            &[
                (1, &registered),
                (2, &referred),
                (3, &escalated),
                (4, &answered),
            ],
        );
        let texts: Vec<String> = m
            .iter()
            .map(|m| compose(m, m.kind.default_template()).unwrap())
            .collect();
        assert_eq!(m.len(), 3, "a referral says nothing new: {texts:?}");
        assert_eq!(m[0].id, "appeal-9-1-appeal_registered-applicant");
        assert_eq!(
            texts[0],
            "【政务服务】李大爷您好，您反映的事项已登记，编号Y20101-20260302-0001，将于2026年3月17日前答复。可凭编号查询办理进度。"
        );
        assert_eq!(m[1].id, "appeal-9-3-appeal_progress-applicant");
        assert!(
            texts[1].contains("答复期限调整为2026年3月31日"),
            "{}",
            texts[1]
        );
        assert_eq!(m[2].kind, MessageKind::AppealAnswered);
        assert!(
            texts[2].contains("已答复") && !texts[2].contains("已修复"),
            "{}",
            texts[2]
        );
        assert!(m.iter().all(|m| m.phone == "13900001111"));
        // No mobile, no message; a nameless person is addressed as 群众.
        let landline = Person {
            name: "李大爷".into(),
            phone: Some(PhoneNumber::parse("023-67821234").unwrap()),
        };
        assert!(appeal_messages(9, "N", &landline, &[(1, &registered)]).is_empty());
        let unknown = Person {
            name: String::new(),
            phone: None,
        };
        assert!(appeal_messages(9, "N", &unknown, &[(1, &registered)]).is_empty());
        let nameless = Person {
            name: " ".into(),
            ..person
        };
        let m = appeal_messages(9, "N", &nameless, &[(4, &answered)]);
        assert!(
            compose(&m[0], m[0].kind.default_template())
                .unwrap()
                .contains("群众您好")
        );
    }

    #[test]
    fn every_default_template_is_valid_and_fits_one_message_or_few() {
        for kind in MessageKind::ALL {
            validate_template(kind, kind.default_template()).unwrap();
            assert_eq!(kind.as_str().parse::<MessageKind>().unwrap(), kind);
            assert!(!kind.name_zh().is_empty());
            // Every placeholder the kind provides is used by its default text.
            for p in kind.placeholders() {
                assert!(
                    kind.default_template()
                        .contains(&format!("{{{}}}", p.as_str())),
                    "{kind}: {p}"
                );
            }
        }
    }

    #[test]
    fn rendering_fills_every_placeholder() {
        let planned = applicant_messages(&facts("13800138000"), &[(2, &accepted())]);
        assert_eq!(planned.len(), 1);
        let text = compose(&planned[0], MessageKind::Accepted.default_template()).unwrap();
        assert_eq!(
            text,
            "【政务服务】王建国您好，您申请的食品经营许可（新办）已受理，办件编号100-20260302-0001，承诺于2026年3月12日前办结。"
        );
        assert_eq!(planned[0].id, "case-42-2-accepted-applicant");
    }

    #[test]
    fn an_unknown_placeholder_is_a_clear_error() {
        let e = validate_template(MessageKind::Accepted, "您好{applicant}，{missing}").unwrap_err();
        assert_eq!(
            e,
            TemplateError::UnknownPlaceholder {
                name: "missing".into(),
                allowed: "{applicant} {item} {number} {due_date}".into()
            }
        );
        let text = e.to_string();
        assert!(text.contains("占位符{missing}未知"), "{text}");
        assert!(text.contains("unknown placeholder {missing}"), "{text}");
        assert!(matches!(
            validate_template(MessageKind::Accepted, "{nonsense}"),
            Err(TemplateError::UnknownPlaceholder { .. })
        ));
        assert!(matches!(
            validate_template(MessageKind::Accepted, "{}"),
            Err(TemplateError::UnknownPlaceholder { .. })
        ));
    }

    #[test]
    fn braces_must_balance_and_double_braces_are_literal() {
        assert_eq!(
            validate_template(MessageKind::Received, "编号{number"),
            Err(TemplateError::UnbalancedBrace { position: 3 })
        );
        assert_eq!(
            validate_template(MessageKind::Received, "编号}"),
            Err(TemplateError::UnbalancedBrace { position: 3 })
        );
        assert_eq!(
            validate_template(MessageKind::Received, "{num{ber}"),
            Err(TemplateError::UnbalancedBrace { position: 1 })
        );
        let mut values = Values::new();
        values.insert(Placeholder::Number, "N1".into());
        assert_eq!(
            render(MessageKind::Received, "{{编号}}：{number}", &values).unwrap(),
            "{编号}：N1"
        );
    }

    #[test]
    fn empty_long_and_valueless_templates_are_refused() {
        assert_eq!(
            validate_template(MessageKind::Received, "  "),
            Err(TemplateError::Empty)
        );
        let long = "字".repeat(MAX_TEMPLATE_CHARS + 1);
        assert!(matches!(
            validate_template(MessageKind::Received, &long),
            Err(TemplateError::TooLong {
                chars: 301,
                max: 300
            })
        ));
        assert_eq!(
            render(MessageKind::Received, "{number}", &Values::new()),
            Err(TemplateError::MissingValue {
                name: "number".into()
            })
        );
    }

    #[test]
    fn ucs2_length_counts_70_then_67_per_part() {
        assert_eq!(
            sms_length(""),
            SmsLength {
                units: 0,
                segments: 1
            }
        );
        assert_eq!(sms_length(&"字".repeat(70)).segments, 1);
        assert_eq!(sms_length(&"字".repeat(71)).segments, 2);
        assert_eq!(sms_length(&"字".repeat(134)).segments, 2);
        assert_eq!(sms_length(&"字".repeat(135)).segments, 3);
        assert_eq!(
            sms_length(&"a".repeat(70)).segments,
            1,
            "ASCII is UCS-2 too"
        );
        // A character outside the BMP takes two units.
        assert_eq!(sms_length("😀").units, 2);
        assert_eq!(sms_length(&format!("{}😀", "字".repeat(69))).segments, 2);
    }

    #[test]
    fn backoff_doubles_is_capped_jittered_and_gives_up() {
        let p = RetryPolicy::default();
        let plain = |n: u32| {
            let d = p.delay_after(n, 0).unwrap();
            assert!(d >= Duration::from_secs(15));
            d
        };
        assert!(plain(1) >= Duration::from_secs(15) && plain(1) <= Duration::from_millis(16_500));
        assert!(plain(2) >= Duration::from_secs(30) && plain(2) <= Duration::from_secs(33));
        assert!(plain(3) >= Duration::from_secs(60) && plain(3) <= Duration::from_secs(66));
        for n in 8..20 {
            let d = plain(n);
            assert!(
                d >= Duration::from_secs(1800) && d <= Duration::from_secs(1980),
                "{n}: {d:?}"
            );
        }
        assert_eq!(p.delay_after(20, 0), None, "the 20th failure is the last");
        assert_eq!(p.delay_after(0, 0), None);
        assert_eq!(p.delay_after(u32::MAX, 0), None);
        // Deterministic per message, different between messages.
        let a = p.delay_after(5, jitter_seed("case-1-2-accepted-applicant"));
        assert_eq!(
            a,
            p.delay_after(5, jitter_seed("case-1-2-accepted-applicant"))
        );
        let spread: std::collections::BTreeSet<_> = (0..50)
            .map(|i| p.delay_after(5, jitter_seed(&format!("m{i}"))))
            .collect();
        assert!(spread.len() > 10, "{spread:?}");
        // The whole schedule covers hours of outage.
        let total: Duration = (1..20).filter_map(|n| p.delay_after(n, 0)).sum();
        assert!(total > Duration::from_secs(6 * 3600), "{total:?}");
        // A huge base or attempt never overflows.
        let wild = RetryPolicy {
            base: Duration::from_secs(u64::MAX / 4),
            cap: Duration::from_secs(u64::MAX / 2),
            max_attempts: u32::MAX,
        };
        assert!(wild.delay_after(100, 7).is_some());
    }

    fn accepted() -> EventKind {
        EventKind::Accepted {
            first_step: StepKind::Handle,
        }
    }

    fn kinds(planned: &[PlannedMessage]) -> Vec<MessageKind> {
        planned.iter().map(|m| m.kind).collect()
    }

    #[test]
    fn events_cause_the_applicant_messages_of_the_table() {
        let f = facts("13800138000");
        let supplement = EventKind::SupplementRequested {
            missing: vec!["申请书".into(), "营业执照".into()],
            stops_clock: false,
        };
        let concluded = EventKind::Concluded {
            delivery: "窗口领取".into(),
            on_the_spot: false,
        };
        assert!(kinds(&applicant_messages(&f, &[(1, &received(Channel::Window))])).is_empty());
        assert_eq!(
            kinds(&applicant_messages(&f, &[(1, &received(Channel::Online))])),
            [MessageKind::Received]
        );
        assert_eq!(
            kinds(&applicant_messages(&f, &[(1, &received(Channel::Proxy))])),
            [MessageKind::Received]
        );
        assert_eq!(
            kinds(&applicant_messages(&f, &[(2, &accepted())])),
            [MessageKind::Accepted]
        );
        let s = applicant_messages(&f, &[(2, &supplement)]);
        assert_eq!(kinds(&s), [MessageKind::SupplementNeeded]);
        assert_eq!(s[0].values[&Placeholder::Missing], "申请书、营业执照");
        let c = applicant_messages(&f, &[(7, &concluded)]);
        assert_eq!(
            kinds(&c),
            [MessageKind::Concluded, MessageKind::RatingInvitation]
        );
        assert_eq!(c[0].values[&Placeholder::Outcome], "准予许可");
        assert_eq!(c[0].values[&Placeholder::Delivery], "窗口领取");
        assert_ne!(c[0].id, c[1].id);
        let denied = CaseFacts {
            outcome: Some(Outcome::Denied),
            ..f.clone()
        };
        assert_eq!(
            applicant_messages(&denied, &[(7, &concluded)])[0].values[&Placeholder::Outcome],
            "不予许可"
        );
        // On the spot: accepted, approved and concluded in one write: no "accepted" message.
        let approved = EventKind::Approved {
            opinion: "当场".into(),
        };
        assert_eq!(
            kinds(&applicant_messages(
                &f,
                &[(2, &accepted()), (3, &approved), (4, &concluded)]
            )),
            [MessageKind::Concluded, MessageKind::RatingInvitation]
        );
        // Other events say nothing.
        let handled = EventKind::Handled {
            opinion: "同意".into(),
            next_step: StepKind::Review,
        };
        assert!(applicant_messages(&f, &[(3, &handled)]).is_empty());
        // A landline gets no SMS.
        assert!(applicant_messages(&facts("023-67890123"), &[(2, &accepted())]).is_empty());
    }

    #[test]
    fn masking_hides_the_applicant_and_the_middle_of_the_phone() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("023-67890123"), "023*****0123");
        assert_eq!(mask_phone("123"), "***");
        let planned = applicant_messages(&facts("13800138000"), &[(2, &accepted())]);
        let masked = compose(
            &planned[0].masked(),
            MessageKind::Accepted.default_template(),
        )
        .unwrap();
        assert!(masked.contains("王**您好"), "{masked}");
        assert!(!masked.contains("王建国"));
    }

    #[test]
    fn a_sign_in_code_reaches_the_applicant_and_no_one_who_reads_the_outbox() {
        let message = sign_in_code_message("13800138000", "042917", 5, DateTime::UNIX_EPOCH);
        let text = compose(&message, MessageKind::SignInCode.default_template()).unwrap();
        assert!(text.contains("042917") && text.contains("5分钟"), "{text}");
        assert_eq!(sms_length(&text).segments, 1, "{text}");
        let masked = compose(
            &message.masked(),
            MessageKind::SignInCode.default_template(),
        )
        .unwrap();
        assert!(
            !masked.contains("042917") && masked.contains("******"),
            "{masked}"
        );
        assert_eq!(message.id, "sign-in-13800138000-0");
    }

    #[test]
    fn an_answered_question_is_announced_once_per_answer() {
        let message = consultation_answered_message(7, 2, "13800138000", "食品经营许可");
        let text = compose(
            &message,
            MessageKind::ConsultationAnswered.default_template(),
        )
        .unwrap();
        assert!(text.contains("“食品经营许可”的网上咨询已答复"), "{text}");
        assert_eq!(
            message.id,
            "consultation-7-2-consultation_answered-applicant"
        );
        assert_eq!(sms_length(&text).segments, 1, "{text}");
    }

    #[test]
    fn mobile_numbers_are_told_from_landlines() {
        assert!(is_mobile("13800138000"));
        assert!(is_mobile("19912345678"));
        assert!(!is_mobile("12800138000"));
        assert!(!is_mobile("1380013800"));
        assert!(!is_mobile("023-67890123"));
        assert!(!is_mobile("1380013800a"));
    }

    #[test]
    fn warnings_go_to_staff_with_mobile_numbers_once_per_level_and_period() {
        let staff = [
            StaffContact {
                id: StaffId(5),
                name: "张承办".into(),
                phone: "13900139000".into(),
            },
            StaffContact {
                id: StaffId(6),
                name: "李批准".into(),
                phone: String::new(),
            },
        ];
        let due = at(2026, 3, 12, 17);
        let warned = |level, days| WarnedCase {
            case: CaseId(9),
            step_seq: 3,
            level,
            number: "N",
            item_name: "事项",
            due_at: due,
            working_days: days,
        };
        let yellow = warning_messages(&warned(WarningLevel::Yellow, 1), &staff);
        assert_eq!(yellow.len(), 1);
        assert_eq!(yellow[0].id, "case-9-3-yellow_warning-staff:5");
        let text = compose(&yellow[0], MessageKind::YellowWarning.default_template()).unwrap();
        assert_eq!(
            text,
            "【电子监察】张承办：办件N（事项）将于2026年3月12日到期，剩余1个工作日，请抓紧办理。"
        );
        let red = warning_messages(&warned(WarningLevel::Red, 2), &staff);
        assert_eq!(red[0].kind, MessageKind::RedWarning);
        assert_ne!(red[0].id, yellow[0].id);
        assert!(warning_messages(&warned(WarningLevel::Green, 0), &staff).is_empty());
        assert!(MessageKind::RedWarning.to_staff() && !MessageKind::Accepted.to_staff());
    }

    #[test]
    fn a_long_missing_list_is_shortened_to_fit() {
        let missing: Vec<String> = (1..=60).map(|i| format!("第{i}号证明材料原件")).collect();
        let supplement = EventKind::SupplementRequested {
            missing,
            stops_clock: false,
        };
        let planned = applicant_messages(&facts("13800138000"), &[(2, &supplement)]);
        let text = compose(
            &planned[0],
            MessageKind::SupplementNeeded.default_template(),
        )
        .unwrap();
        assert!(sms_length(&text).segments <= MAX_SEGMENTS, "{text}");
        assert!(text.contains("等60项材料"), "{text}");
        assert!(text.contains("第1号证明材料原件"), "{text}");
        // A text too long for other reasons is cut with an ellipsis.
        let mut long = planned[0].clone();
        long.kind = MessageKind::Received;
        long.values.insert(Placeholder::Applicant, "名".repeat(500));
        let text = compose(&long, MessageKind::Received.default_template()).unwrap();
        assert!(text.ends_with('…'));
        assert_eq!(sms_length(&text).segments, MAX_SEGMENTS);
    }

    #[test]
    fn delivery_reports_only_move_a_message_forward() {
        use DeliveryReport as R;
        use MessageState as S;
        assert_eq!(R::from_kannel(1), Some(R::Delivered));
        assert_eq!(R::from_kannel(16), Some(R::RejectedBySmsc));
        assert_eq!(R::from_kannel(3), None);
        assert_eq!(S::Sent.after_report(R::Delivered), Some(S::Delivered));
        assert_eq!(S::Sent.after_report(R::AcceptedBySmsc), None);
        assert_eq!(
            S::Delivered.after_report(R::AcceptedBySmsc),
            None,
            "8 after 1"
        );
        assert_eq!(S::Sending.after_report(R::AcceptedBySmsc), Some(S::Sent));
        assert_eq!(S::Queued.after_report(R::Buffered), Some(S::Sent));
        assert_eq!(S::Sending.after_report(R::Delivered), Some(S::Delivered));
        assert_eq!(S::Sent.after_report(R::Undeliverable), Some(S::Failed));
        assert_eq!(S::Sent.after_report(R::RejectedBySmsc), Some(S::Queued));
        assert_eq!(S::Failed.after_report(R::Delivered), None);
        assert!(S::Failed.is_final() && !S::Sent.is_final());
        for s in [S::Queued, S::Sending, S::Sent, S::Delivered, S::Failed] {
            assert_eq!(s.as_str().parse::<S>().unwrap(), s);
        }
    }
}
