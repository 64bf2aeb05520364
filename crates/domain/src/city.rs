//! The city link (市区两级对接): what a district sends up to the city's supervision system,
//! how a received batch is checked, how each record counts in the city's totals, and the
//! signature that authenticates a district. The wire format is docs/city-link.md.
//!
//! Pure: the district's push and the city's store call these with the time as a parameter.

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::calendar::china_date;
use crate::case::CaseState;
use crate::supervision::FindingKind;

/// The format named in every batch; a receiver refuses any other.
pub const FORMAT: &str = "liandong-city-link/1";

/// The most records one batch may carry.
pub const MAX_RECORDS: usize = 500;

/// The path a district posts its batches to, under the city's base URL.
pub const BATCHES_PATH: &str = "/api/v1/city/batches";

/// Headers of a push: the district's code, the signing time (Unix seconds) and the
/// signature (hexadecimal HMAC-SHA256).
pub const DISTRICT_HEADER: &str = "x-liandong-district";
pub const TIMESTAMP_HEADER: &str = "x-liandong-timestamp";
pub const SIGNATURE_HEADER: &str = "x-liandong-signature";

/// How far a push's signing time may be from the city's clock, either way.
pub const SIGNATURE_WINDOW_SECONDS: i64 = 15 * 60;

/// The shortest shared secret a district may have.
pub const MIN_SECRET_BYTES: usize = 16;

/// The events a case record may name: the case engine's event types.
pub const EVENT_KINDS: [&str; 15] = [
    "received",
    "accepted",
    "intake_refused",
    "supplement_requested",
    "supplemented",
    "handled",
    "reviewed",
    "approved",
    "denied",
    "concluded",
    "returned",
    "special_procedure_started",
    "special_procedure_ended",
    "extension_granted",
    "withdrawn",
];

/// What a finding's record says of it: found with no supervision notice yet, or the state of
/// its notice (督办单).
pub const FINDING_STATES: [&str; 4] = ["recorded", "open", "replied", "closed"];

/// One push: a district's records in the order it wrote them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// Always [`FORMAT`].
    pub format: String,
    /// The district's code, as registered at the city.
    pub district: String,
    pub sent_at: DateTime<Utc>,
    pub records: Vec<Record>,
}

/// A record: an event of a case or the news of a supervision finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    CaseEvent(CaseEventRecord),
    Finding(FindingRecord),
    CaseDeadline(CaseDeadlineRecord),
}

/// A case's deadline recomputed without an event of its own (a holiday notice loaded after
/// the deadline was reckoned on the provisional calendar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDeadlineRecord {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    /// The case's last event when the deadline was recomputed: the deadline holds from it.
    pub seq: u32,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// When it was recomputed.
    pub at: DateTime<Utc>,
}

/// An event of a case with what the city counts it by. Nothing of the applicant but a
/// masked name and ID on the `received` event; no phone, no comments, no opinions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEventRecord {
    /// The district's record id: unique and increasing in the order written.
    pub id: i64,
    /// The case's id at the district.
    pub case_id: i64,
    pub case_number: String,
    /// The event's place in the case's history: 1 for `received`, then one more each.
    pub seq: u32,
    /// The event type ([`EVENT_KINDS`]).
    pub event: String,
    pub at: DateTime<Utc>,
    /// Codes of the unit where the event happened, where the case was received and where it
    /// is handled, of the department answering for it and of the service item.
    pub unit: String,
    pub received_unit: String,
    pub handling_unit: String,
    pub department: String,
    pub item: String,
    /// The case's state after the action this event belongs to.
    pub state: CaseState,
    /// The case's deadline after that action (none before acceptance or while stopped).
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// For `concluded`: whether within the limit (extensions counted), by the district's clock.
    #[serde(default)]
    pub on_time: Option<bool>,
    /// For `concluded`: decided and concluded at the window in one visit (即办).
    #[serde(default)]
    pub on_the_spot: bool,
    /// For `received`: the applicant's name with all but the first character hidden.
    #[serde(default)]
    pub applicant_masked: Option<String>,
    /// For `received`: the applicant's ID or credit code with all but the first and last
    /// four characters hidden.
    #[serde(default)]
    pub applicant_id_masked: Option<String>,
}

/// A supervision finding (预警纠错) about a case, when found and each time its notice moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    pub id: i64,
    /// The finding's id at the district.
    pub finding_id: i64,
    pub kind: FindingKind,
    pub case_id: i64,
    pub case_number: String,
    pub department: String,
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    /// Refusals, denials, suspensions and terminations, reviewed as routine.
    #[serde(default)]
    pub routine: bool,
    /// One of [`FINDING_STATES`].
    pub state: String,
}

impl Record {
    pub fn id(&self) -> i64 {
        match self {
            Record::CaseEvent(r) => r.id,
            Record::Finding(r) => r.id,
            Record::CaseDeadline(r) => r.id,
        }
    }
}

/// Why a batch is refused as a whole (nothing of it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("批次不是有效的JSON / the batch is not valid JSON: {0}")]
    Malformed(String),
    #[error("不支持的格式“{0}”，应为 {FORMAT} / unsupported format `{0}`, expected {FORMAT}")]
    Format(String),
    #[error(
        "批次中的区县“{claimed}”与签名的区县“{signed}”不符 / the batch names district `{claimed}` but was signed by `{signed}`"
    )]
    WrongDistrict { claimed: String, signed: String },
    #[error("批次没有记录 / the batch has no records")]
    Empty,
    #[error(
        "批次记录过多（{0}条，至多{MAX_RECORDS}条） / too many records in one batch ({0}, at most {MAX_RECORDS})"
    )]
    TooLarge(usize),
    #[error(
        "记录编号应递增：{after}之后是{id} / record ids must increase: {id} comes after {after}"
    )]
    NotIncreasing { after: i64, id: i64 },
    #[error("记录{id}无效：{reason_zh} / record {id} is invalid: {reason_en}")]
    Invalid {
        id: i64,
        reason_zh: &'static str,
        reason_en: &'static str,
    },
    #[error(
        "办件{case_number}的事件不连续：应为第{expected}个，收到第{seq}个 / the events of case {case_number} are out of order: expected #{expected}, got #{seq}"
    )]
    OutOfOrder {
        case_number: String,
        expected: u32,
        seq: u32,
    },
}

/// Checks a batch before anything of it is stored: the format, the district it was signed
/// by, its size, increasing record ids and each record's content.
pub fn validate(batch: &Batch, signed_by: &str) -> Result<(), BatchError> {
    if batch.format != FORMAT {
        return Err(BatchError::Format(batch.format.clone()));
    }
    if batch.district != signed_by {
        return Err(BatchError::WrongDistrict {
            claimed: batch.district.clone(),
            signed: signed_by.to_owned(),
        });
    }
    if batch.records.is_empty() {
        return Err(BatchError::Empty);
    }
    if batch.records.len() > MAX_RECORDS {
        return Err(BatchError::TooLarge(batch.records.len()));
    }
    let mut last: Option<i64> = None;
    for record in &batch.records {
        let id = record.id();
        if let Some(after) = last.filter(|after| id <= *after) {
            return Err(BatchError::NotIncreasing { after, id });
        }
        last = Some(id);
        check_record(record)?;
    }
    Ok(())
}

fn check_record(record: &Record) -> Result<(), BatchError> {
    let invalid = |id, reason_zh, reason_en| {
        Err(BatchError::Invalid {
            id,
            reason_zh,
            reason_en,
        })
    };
    let blank = |s: &str| s.trim().is_empty() || s.len() > 64;
    match record {
        Record::CaseEvent(r) => {
            if r.id <= 0 || r.case_id <= 0 {
                return invalid(r.id, "编号应为正数", "ids must be positive");
            }
            if r.seq == 0 {
                return invalid(r.id, "事件序号从1开始", "event numbers start at 1");
            }
            if !EVENT_KINDS.contains(&r.event.as_str()) {
                return invalid(r.id, "未知的事件类型", "unknown event type");
            }
            if (r.seq == 1) != (r.event == "received") {
                return invalid(
                    r.id,
                    "第1个事件必须且只能是收件",
                    "the first event, and only it, is `received`",
                );
            }
            if [
                &r.case_number,
                &r.unit,
                &r.received_unit,
                &r.handling_unit,
                &r.department,
                &r.item,
            ]
            .iter()
            .any(|s| blank(s))
            {
                return invalid(
                    r.id,
                    "办件编号和单位、部门、事项代码不能为空",
                    "case number and unit, department and item codes are required",
                );
            }
            if r.on_time.is_some() != (r.event == "concluded") {
                return invalid(
                    r.id,
                    "只有办结事件有是否按时",
                    "only a `concluded` event says whether on time",
                );
            }
            if r.on_the_spot && r.event != "concluded" {
                return invalid(
                    r.id,
                    "只有办结事件可为即办",
                    "only a `concluded` event can be on the spot",
                );
            }
            if [&r.applicant_masked, &r.applicant_id_masked]
                .iter()
                .any(|a| a.as_deref().is_some_and(|s| !is_masked(s)))
            {
                return invalid(
                    r.id,
                    "申请人信息须已脱敏",
                    "applicant details must be masked",
                );
            }
            Ok(())
        }
        Record::Finding(r) => {
            if r.id <= 0 || r.case_id <= 0 || r.finding_id <= 0 {
                return invalid(r.id, "编号应为正数", "ids must be positive");
            }
            if blank(&r.case_number) || blank(&r.department) {
                return invalid(
                    r.id,
                    "办件编号和部门代码不能为空",
                    "case number and department code are required",
                );
            }
            if !FINDING_STATES.contains(&r.state.as_str()) {
                return invalid(r.id, "未知的问题状态", "unknown finding state");
            }
            if !r.kind.about_case() {
                return invalid(
                    r.id,
                    "摄像机离线、投诉受理超期不属于办件问题",
                    "a camera outage or a late acceptance decision is not a case finding",
                );
            }
            Ok(())
        }
        Record::CaseDeadline(r) => {
            if r.id <= 0 || r.case_id <= 0 {
                return invalid(r.id, "编号应为正数", "ids must be positive");
            }
            if r.seq == 0 {
                return invalid(r.id, "事件序号从1开始", "event numbers start at 1");
            }
            if blank(&r.case_number) {
                return invalid(r.id, "办件编号不能为空", "the case number is required");
            }
            Ok(())
        }
    }
}

/// Whether `text` hides something: at least one `*` and at most 8 characters shown, so that
/// a district cannot send a full ID or phone number by mistake.
pub fn is_masked(text: &str) -> bool {
    text.contains('*') && text.chars().filter(|c| *c != '*').count() <= 8
}

/// An ID number or credit code with all but its first and last four characters hidden; a
/// short one shows at most its first and last character.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    let keep = if chars.len() >= 12 {
        4
    } else {
        usize::from(chars.len() >= 3)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep || i + keep >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Where a case's next event stands against what the city already holds of the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The next event: apply it.
    Next,
    /// Already applied (a retried push): skip it, changing nothing.
    Replay,
    /// A gap: an earlier event has not arrived.
    Gap { expected: u32 },
}

/// Orders an event `seq` of a case whose last applied event is `last` (None: the city has
/// nothing of the case yet, and takes whatever comes first — a district joining the link
/// with history sends its cases from the events written since).
pub fn order(last: Option<u32>, seq: u32) -> Order {
    match last {
        None => Order::Next,
        Some(last) if seq <= last => Order::Replay,
        Some(last) if seq == last + 1 => Order::Next,
        Some(last) => Order::Gap { expected: last + 1 },
    }
}

/// What a recomputed deadline does to a case the city holds up to event `last` (None: a case
/// the city has never heard of). The deadline holds from event `seq`: applied when the city
/// is at that event, skipped when a later event (with its own deadline) is already there or
/// the case is unknown, a gap when events before it are missing.
pub fn deadline_order(last: Option<u32>, seq: u32) -> Order {
    match last {
        None => Order::Replay,
        Some(last) if last == seq => Order::Next,
        Some(last) if last > seq => Order::Replay,
        Some(last) => Order::Gap { expected: last + 1 },
    }
}

/// What one record adds to the city's totals of a day, department and item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CityCounts {
    pub received: i64,
    pub accepted: i64,
    pub intake_refused: i64,
    pub concluded: i64,
    pub on_time: i64,
    pub on_the_spot: i64,
    pub withdrawn: i64,
    /// Irregularities found (routine reviews apart).
    pub findings: i64,
    /// Refusals, denials, suspensions and terminations kept for routine review.
    pub routine_reviews: i64,
}

impl CityCounts {
    /// The column names, in the order of [`CityCounts::values`].
    pub const COLUMNS: [&'static str; 9] = [
        "received",
        "accepted",
        "intake_refused",
        "concluded",
        "on_time",
        "on_the_spot",
        "withdrawn",
        "findings",
        "routine_reviews",
    ];

    pub fn values(&self) -> [i64; 9] {
        [
            self.received,
            self.accepted,
            self.intake_refused,
            self.concluded,
            self.on_time,
            self.on_the_spot,
            self.withdrawn,
            self.findings,
            self.routine_reviews,
        ]
    }

    pub fn from_values(v: [i64; 9]) -> CityCounts {
        CityCounts {
            received: v[0],
            accepted: v[1],
            intake_refused: v[2],
            concluded: v[3],
            on_time: v[4],
            on_the_spot: v[5],
            withdrawn: v[6],
            findings: v[7],
            routine_reviews: v[8],
        }
    }

    pub fn add(&mut self, other: &CityCounts) {
        let mut sum = self.values();
        for (s, o) in sum.iter_mut().zip(other.values()) {
            *s += o;
        }
        *self = CityCounts::from_values(sum);
    }

    pub fn is_empty(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    /// Concluded on time among the concluded, in per mille.
    pub fn on_time_permille(&self) -> Option<i64> {
        crate::case::tally::permille(self.on_time, self.concluded)
    }
}

/// Where a record counts: the China date, the department and the item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CountKey {
    pub day: NaiveDate,
    pub department: String,
    /// The item; findings are counted under the item of their case when the city knows it,
    /// else under `""`.
    pub item: String,
}

/// What an event adds, on the China date it happened: the same counts as the district's
/// running totals (`case::tally`), on time as the district judged it.
pub fn event_counts(r: &CaseEventRecord) -> (CountKey, CityCounts) {
    let mut c = CityCounts::default();
    match r.event.as_str() {
        "received" => c.received = 1,
        "accepted" => c.accepted = 1,
        "intake_refused" => c.intake_refused = 1,
        "concluded" => {
            c.concluded = 1;
            c.on_time = i64::from(r.on_time.unwrap_or(true));
            c.on_the_spot = i64::from(r.on_the_spot);
        }
        "withdrawn" => c.withdrawn = 1,
        _ => {}
    }
    let key = CountKey {
        day: china_date(r.at),
        department: r.department.clone(),
        item: r.item.clone(),
    };
    (key, c)
}

/// What a finding's record adds: one finding (or routine review) on the day it was detected,
/// the first time the city hears of it; its later states add nothing.
pub fn finding_counts(r: &FindingRecord, first_heard: bool, item: &str) -> (CountKey, CityCounts) {
    let mut c = CityCounts::default();
    if first_heard {
        if r.routine {
            c.routine_reviews = 1;
        } else {
            c.findings = 1;
        }
    }
    let key = CountKey {
        day: china_date(r.detected_at),
        department: r.department.clone(),
        item: item.to_owned(),
    };
    (key, c)
}

/// Whether a finding's record is newer than the one whose state the city holds: a notice's
/// records are written one after another under its version, so the higher id is the later
/// state (a reply returned as insufficient goes back from `replied` to `open`).
pub fn finding_record_is_newer(held_record: i64, incoming_record: i64) -> bool {
    incoming_record > held_record
}

type HmacSha256 = Hmac<Sha256>;

/// Why a push is not taken as coming from the district it names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "缺少签名头（{DISTRICT_HEADER}、{TIMESTAMP_HEADER}、{SIGNATURE_HEADER}） / the signature headers are missing"
    )]
    Missing,
    #[error("签名时间超出允许范围 / the signing time is too far from the city's clock")]
    Stale,
    #[error("签名不符 / the signature does not match")]
    Mismatch,
    #[error(
        "共享密钥至少{MIN_SECRET_BYTES}字节 / the shared secret needs at least {MIN_SECRET_BYTES} bytes"
    )]
    WeakSecret,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<HmacSha256, SignatureError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(SignatureError::WeakSecret);
    }
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| SignatureError::WeakSecret)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(body);
    Ok(mac)
}

/// The signature of a push: hexadecimal HMAC-SHA256 under the district's secret over the
/// signing time (Unix seconds, decimal), a line feed, and the body's bytes.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    Ok(hex::encode(
        mac(secret, timestamp, body)?.finalize().into_bytes(),
    ))
}

/// Checks a push's signature (in constant time) and its signing time against `now`.
pub fn verify(
    secret: &[u8],
    timestamp: i64,
    body: &[u8],
    signature: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    if (now.timestamp() - timestamp).abs() > SIGNATURE_WINDOW_SECONDS {
        return Err(SignatureError::Stale);
    }
    let expected = hex::decode(signature.trim()).map_err(|_| SignatureError::Mismatch)?;
    mac(secret, timestamp, body)?
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// How long the push waits after `failures` failed attempts in a row: `first` doubling each
/// time up to `cap`, so that an outage of the city is not hammered and a short one is soon
/// over.
pub fn retry_delay_seconds(failures: u32, first: u64, cap: u64) -> u64 {
    if failures == 0 {
        return 0;
    }
    let doublings = failures.saturating_sub(1).min(32);
    first
        .max(1)
        .saturating_mul(1u64 << doublings)
        .min(cap.max(first.max(1)))
}

#[cfg(test)]
mod tests;
