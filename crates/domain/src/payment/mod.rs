//! Fees (收费) and their payment, the pure part: what a case owes (核定应收), the payment
//! notice with its payment code (缴款通知书, 缴款码), the payment's state machine (at the fee
//! window or online through a payment provider), the provider's signed protocol, and the
//! daily reconciliation (对账) that turns receivable ≠ received into supervision findings.
//!
//! docs/design/payment.md describes the states, the code layout and the provider protocol.
//! Pure like the rest of the domain: the clock, the caller's random bytes, the shared secret
//! and the thresholds are parameters. The fee findings are supervision's
//! ([`check_receipts`]); this module feeds them and does not judge fees a second way.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::calendar::china_date;
use crate::catalog::{Fee, ItemCode, ServiceItem};
use crate::organization::{CaseId, StaffId, string_enum};
use crate::supervision::finding::{meaningful_chars, yuan};
use crate::supervision::{Finding, SupervisionRules, check_receipts};

#[cfg(test)]
mod tests;

// ---------------------------------------------------------------------------------------
// Assessment (核定应收)

/// How a fee was set below its standard.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 免收: nothing is charged.
    Waived,
    /// 减收: less than the standard, more than nothing.
    Reduced,
}
string_enum!(AdjustmentKind { Waived => "waived", Reduced => "reduced" });

impl AdjustmentKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Waived => "免收",
            Self::Reduced => "减收",
        }
    }
}

/// A waiver or reduction and its legal reason.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    /// The legal reason (e.g. the policy that exempts small enterprises), trimmed.
    pub reason: String,
}

/// One fee of the item as assessed on a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// The fee's name, as the item lists it (trimmed).
    pub name: String,
    /// The item's standard, in fen.
    pub standard_fen: i64,
    /// What the applicant owes, in fen: the standard, or less with an adjustment.
    pub assessed_fen: i64,
    /// Present exactly when `assessed_fen < standard_fen`.
    pub adjustment: Option<Adjustment>,
}

/// The officer's word on one of the item's fees. Fees not named are assessed at their
/// standard; naming one at its standard is allowed (without an adjustment).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeDecision {
    pub name: String,
    pub assessed_fen: i64,
    pub adjustment: Option<Adjustment>,
}

/// The fees receivable on a case, fixed at acceptance: one line per fee the item lists.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub case: CaseId,
    pub item_code: ItemCode,
    pub lines: Vec<FeeLine>,
}

impl Assessment {
    /// The total receivable, in fen.
    pub fn receivable_fen(&self) -> i64 {
        self.lines
            .iter()
            .fold(0_i64, |sum, line| sum.saturating_add(line.assessed_fen))
    }

    /// Nothing to pay: the item lists no fee, or every fee was waived.
    pub fn is_free(&self) -> bool {
        self.receivable_fen() == 0
    }

    /// The case's line in a day's reconciliation.
    pub fn receivable(&self) -> Receivable {
        Receivable {
            case: self.case,
            item_code: self.item_code.clone(),
            receivable_fen: self.receivable_fen(),
        }
    }
}

/// Why fees cannot be assessed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("事项未列明收费“{name}” / the item lists no fee `{name}`")]
    UnknownFee { name: String },
    #[error("收费“{name}”重复核定 / fee `{name}` is assessed twice")]
    DuplicateLine { name: String },
    #[error(
        "收费“{name}”核定金额{}元为负数 / fee `{name}` assessed at a negative {} yuan",
        yuan(*assessed_fen), yuan(*assessed_fen)
    )]
    NegativeAmount { name: String, assessed_fen: i64 },
    #[error(
        "收费“{name}”核定{}元，超过收费标准{}元 / fee `{name}` assessed at {} yuan, above its standard of {} yuan",
        yuan(*assessed_fen), yuan(*standard_fen), yuan(*assessed_fen), yuan(*standard_fen)
    )]
    AboveStandard {
        name: String,
        assessed_fen: i64,
        standard_fen: i64,
    },
    #[error(
        "收费“{name}”低于标准核定，须注明免收或减收及其法定理由 / fee `{name}` is below its standard: say whether it is waived or reduced, and why"
    )]
    AdjustmentMissing { name: String },
    #[error(
        "收费“{name}”按标准核定，不应注明免收或减收 / fee `{name}` is at its standard: it carries no waiver or reduction"
    )]
    NothingAdjusted { name: String },
    #[error("收费“{name}”免收，核定金额应为0 / fee `{name}` is waived: it is assessed at 0")]
    WaiverCharges { name: String },
    #[error("收费“{name}”减收至0，应作为免收 / fee `{name}` reduced to nothing: call it a waiver")]
    ReducedToNothing { name: String },
    #[error(
        "收费“{name}”的减免须说明法定理由（至少{min_chars}个字） / the waiver or reduction of fee `{name}` needs a legal reason of at least {min_chars} characters"
    )]
    ReasonMissing { name: String, min_chars: u32 },
    #[error("事项收费“{name}”的标准为负数 / the item's standard for fee `{name}` is negative")]
    BadStandard { name: String },
}

/// The fees receivable on `case` for `item`: every fee the item lists, at its standard unless
/// `decisions` waive or reduce it with a legal reason (at least
/// [`SupervisionRules::min_reason_chars`] characters, the threshold a refusal's reason is held
/// to). An item with no fees gives an assessment with no lines: free.
pub fn assess(
    case: CaseId,
    item: &ServiceItem,
    decisions: &[FeeDecision],
    rules: &SupervisionRules,
) -> Result<Assessment, AssessmentError> {
    let mut decided: BTreeMap<&str, &FeeDecision> = BTreeMap::new();
    for decision in decisions {
        let name = decision.name.trim();
        if !item.fees.iter().any(|fee| fee.name.trim() == name) {
            return Err(AssessmentError::UnknownFee {
                name: name.to_owned(),
            });
        }
        if decided.insert(name, decision).is_some() {
            return Err(AssessmentError::DuplicateLine {
                name: name.to_owned(),
            });
        }
    }
    let lines = item
        .fees
        .iter()
        .map(|fee| fee_line(fee, decided.get(fee.name.trim()).copied(), rules))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Assessment {
        case,
        item_code: item.code.clone(),
        lines,
    })
}

fn fee_line(
    fee: &Fee,
    decision: Option<&FeeDecision>,
    rules: &SupervisionRules,
) -> Result<FeeLine, AssessmentError> {
    let name = fee.name.trim().to_owned();
    let standard_fen = fee.amount_fen;
    if standard_fen < 0 {
        return Err(AssessmentError::BadStandard { name });
    }
    let Some(decision) = decision else {
        return Ok(FeeLine {
            name,
            standard_fen,
            assessed_fen: standard_fen,
            adjustment: None,
        });
    };
    let assessed_fen = decision.assessed_fen;
    if assessed_fen < 0 {
        return Err(AssessmentError::NegativeAmount { name, assessed_fen });
    }
    if assessed_fen > standard_fen {
        return Err(AssessmentError::AboveStandard {
            name,
            assessed_fen,
            standard_fen,
        });
    }
    let adjustment = match (&decision.adjustment, assessed_fen == standard_fen) {
        (None, true) => None,
        (Some(_), true) => return Err(AssessmentError::NothingAdjusted { name }),
        (None, false) => return Err(AssessmentError::AdjustmentMissing { name }),
        (Some(adjustment), false) => {
            match adjustment.kind {
                AdjustmentKind::Waived if assessed_fen != 0 => {
                    return Err(AssessmentError::WaiverCharges { name });
                }
                AdjustmentKind::Reduced if assessed_fen <= 0 => {
                    return Err(AssessmentError::ReducedToNothing { name });
                }
                AdjustmentKind::Waived | AdjustmentKind::Reduced => {}
            }
            if meaningful_chars(&adjustment.reason) < rules.min_reason_chars {
                return Err(AssessmentError::ReasonMissing {
                    name,
                    min_chars: rules.min_reason_chars,
                });
            }
            Some(Adjustment {
                kind: adjustment.kind,
                reason: adjustment.reason.trim().to_owned(),
            })
        }
    };
    Ok(FeeLine {
        name,
        standard_fen,
        assessed_fen,
        adjustment,
    })
}

// ---------------------------------------------------------------------------------------
// Payment code (缴款码)

/// Digits in a payment code.
pub const PAYMENT_CODE_LEN: usize = 20;
/// The largest serial: seven digits.
pub const MAX_PAYMENT_SERIAL: u32 = 9_999_999;

/// Why a payment code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentCodeError {
    #[error("缴款码应为20位数字，实为{found}位 / a payment code has 20 digits, not {found}")]
    WrongLength { found: usize },
    #[error(
        "缴款码第{position}位字符“{character}”不是数字 / character '{character}' at position {position} is not a digit"
    )]
    NotDigit { position: usize, character: char },
    #[error("缴款码的单位代码应为6位数字：“{0}” / the unit prefix is 6 digits: `{0}`")]
    BadPrefix(String),
    #[error(
        "缴款码中的日期无效（应为2000至2099年的yymmdd） / the date in the payment code is not a valid yymmdd of 2000–2099"
    )]
    BadDate,
    #[error("流水号{0}超过7位 / serial {0} does not fit in 7 digits")]
    SerialOutOfRange(u32),
    #[error(
        "缴款码校验位错误（应为{expected}，实为{found}） / the payment code's check digit is wrong (expected {expected}, found {found})"
    )]
    BadCheck { expected: char, found: char },
}

/// The check digit of ISO 7064 MOD 11,10 over `digits` (all ASCII digits, else `None`): it
/// catches every single wrong digit and most swaps of two neighbours.
pub fn payment_code_check_digit(digits: &str) -> Option<char> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut product: u32 = 10;
    for byte in digits.bytes() {
        let sum = (product + u32::from(byte - b'0')) % 10;
        product = (if sum == 0 { 10 } else { sum } * 2) % 11;
    }
    // The check digit c makes (product + c) mod 10 = 1.
    let check = (11 - product) % 10;
    char::from_digit(check, 10)
}

/// A payment code (缴款码) printed on the payment notice and typed in at the provider's page
/// or the fee window: 20 digits,
///
/// | digits | what |
/// | --- | --- |
/// | 1–6 | the issuing unit's prefix (its area or unit code, given by the caller) |
/// | 7–12 | the China date of issue, `yymmdd` (2000–2099) |
/// | 13–19 | the unit's serial of that day, zero-padded |
/// | 20 | ISO 7064 MOD 11,10 check digit over digits 1–19 |
///
/// Printed in groups of four ([`PaymentCode::grouped`]); parsing ignores whitespace.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PaymentCode(String);

impl PaymentCode {
    /// The code of the `serial`th notice issued by `prefix` on `date` (China date).
    pub fn new(prefix: &str, date: NaiveDate, serial: u32) -> Result<Self, PaymentCodeError> {
        if prefix.len() != 6 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PaymentCodeError::BadPrefix(prefix.to_owned()));
        }
        if !(2000..=2099).contains(&date.year()) {
            return Err(PaymentCodeError::BadDate);
        }
        if serial > MAX_PAYMENT_SERIAL {
            return Err(PaymentCodeError::SerialOutOfRange(serial));
        }
        let body = format!("{prefix}{}{serial:07}", date.format("%y%m%d"));
        let check = payment_code_check_digit(&body).ok_or(PaymentCodeError::BadDate)?;
        Ok(Self(format!("{body}{check}")))
    }

    /// Reads a code as printed or typed: whitespace ignored, 20 digits, a real date, the
    /// check digit right.
    pub fn parse(text: &str) -> Result<Self, PaymentCodeError> {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        if chars.len() != PAYMENT_CODE_LEN {
            return Err(PaymentCodeError::WrongLength { found: chars.len() });
        }
        if let Some((index, &character)) =
            chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(PaymentCodeError::NotDigit {
                position: index + 1,
                character,
            });
        }
        let code: String = chars.iter().collect();
        let body = code.get(..PAYMENT_CODE_LEN - 1).unwrap_or_default();
        if date_of(&code).is_none() {
            return Err(PaymentCodeError::BadDate);
        }
        let expected = payment_code_check_digit(body).ok_or(PaymentCodeError::BadDate)?;
        let found = chars.last().copied().unwrap_or('?');
        if expected != found {
            return Err(PaymentCodeError::BadCheck { expected, found });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1–6.
    pub fn prefix(&self) -> &str {
        self.0.get(..6).unwrap_or_default()
    }

    /// The China date of issue (digits 7–12).
    pub fn date(&self) -> NaiveDate {
        date_of(&self.0).unwrap_or_default()
    }

    /// The serial of the day (digits 13–19).
    pub fn serial(&self) -> u32 {
        self.0.get(12..19).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// In groups of four for print and for reading aloud: `5101 0426 0115 0000 0427`.
    pub fn grouped(&self) -> String {
        let groups: Vec<&str> = (0..PAYMENT_CODE_LEN)
            .step_by(4)
            .filter_map(|start| self.0.get(start..start + 4))
            .collect();
        groups.join(" ")
    }
}

fn date_of(code: &str) -> Option<NaiveDate> {
    let part = |range: std::ops::Range<usize>| code.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(part(6..8)?).ok()?;
    NaiveDate::from_ymd_opt(2000 + year, part(8..10)?, part(10..12)?)
}

impl TryFrom<String> for PaymentCode {
    type Error = PaymentCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PaymentCode> for String {
    fn from(code: PaymentCode) -> Self {
        code.0
    }
}

impl FromStr for PaymentCode {
    type Err = PaymentCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for PaymentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------
// Payment notice (缴款通知书)

/// The payment notice given to the applicant: what to pay for which case, under which code.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentNotice {
    pub code: PaymentCode,
    pub case: CaseId,
    pub item_code: ItemCode,
    /// 缴款人: the applicant's name.
    pub payer: String,
    /// The lines of the assessment (waived ones included, so the notice shows them).
    pub lines: Vec<FeeLine>,
    /// The total to pay, in fen (more than 0).
    pub amount_fen: i64,
    pub issued_by: StaffId,
    pub issued_at: DateTime<Utc>,
}

impl PaymentNotice {
    /// The notice for `assessment`, its code from the unit's prefix, the China date of
    /// `issued_at` and the unit's `serial` of that day. A free case gets no notice.
    pub fn issue(
        assessment: &Assessment,
        unit_prefix: &str,
        serial: u32,
        payer: &str,
        issued_by: StaffId,
        issued_at: DateTime<Utc>,
    ) -> Result<PaymentNotice, PaymentError> {
        let amount_fen = assessment.receivable_fen();
        if amount_fen <= 0 {
            return Err(PaymentError::NothingToPay);
        }
        let payer = required(payer, "payer", "缴款人")?;
        let code = PaymentCode::new(unit_prefix, china_date(issued_at), serial)?;
        Ok(PaymentNotice {
            code,
            case: assessment.case,
            item_code: assessment.item_code.clone(),
            payer,
            lines: assessment.lines.clone(),
            amount_fen,
            issued_by,
            issued_at,
        })
    }
}

fn required(
    text: &str,
    field: &'static str,
    field_zh: &'static str,
) -> Result<String, PaymentError> {
    let text = text.trim();
    if text.is_empty() {
        Err(PaymentError::Required { field, field_zh })
    } else {
        Ok(text.to_owned())
    }
}

// ---------------------------------------------------------------------------------------
// The payment's state machine

/// Where a payment stands. Stored as its snake_case name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// The notice is out; nothing paid, no online order yet.
    Created,
    /// An online order is open at the provider; its outcome is awaited.
    Pending,
    /// Paid in full, at the counter or online.
    Paid,
    /// The online order failed; the applicant may try again (or pay at the counter).
    Failed,
    /// Paid and refunded in full. Final.
    Refunded,
}
string_enum!(PaymentState {
    Created => "created",
    Pending => "pending",
    Paid => "paid",
    Failed => "failed",
    Refunded => "refunded",
});

impl PaymentState {
    /// Every state, for tables and filters.
    pub const ALL: [PaymentState; 5] = [
        PaymentState::Created,
        PaymentState::Pending,
        PaymentState::Paid,
        PaymentState::Failed,
        PaymentState::Refunded,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Created => "待缴款",
            Self::Pending => "支付中",
            Self::Paid => "已缴款",
            Self::Failed => "支付失败",
            Self::Refunded => "已退款",
        }
    }
}

/// How the fee window took the money.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterMethod {
    Cash,
    Card,
}
string_enum!(CounterMethod { Cash => "cash", Card => "card" });

impl CounterMethod {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Cash => "现金",
            Self::Card => "刷卡",
        }
    }
}

/// The outcome a provider reports for an order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    Success,
    Failure,
}
string_enum!(CallbackStatus { Success => "success", Failure => "failure" });

/// Who took the money.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum PaidBy {
    /// The fee window (收费窗口).
    Counter {
        clerk: StaffId,
        method: CounterMethod,
    },
    /// The provider, for one of our orders.
    Online {
        order_ref: String,
        provider_txn_id: String,
    },
}

/// A payment taken: by whom, how much, when.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub by: PaidBy,
    pub amount_fen: i64,
    /// At the counter, when it was recorded; online, the provider's `paid_at`.
    pub paid_at: DateTime<Utc>,
}

impl Settlement {
    /// The payment in a few words, for messages.
    pub fn describe_zh(&self) -> String {
        let amount = yuan(self.amount_fen);
        match &self.by {
            PaidBy::Counter { clerk, method } => {
                format!("柜台{}收款{amount}元，收款人员{clerk}", method.name_zh())
            }
            PaidBy::Online {
                order_ref,
                provider_txn_id,
            } => format!("网上支付{amount}元，订单{order_ref}，交易号{provider_txn_id}"),
        }
    }

    pub fn describe_en(&self) -> String {
        let amount = yuan(self.amount_fen);
        match &self.by {
            PaidBy::Counter { clerk, method } => {
                format!("{amount} yuan at the counter by {method}, clerk {clerk}")
            }
            PaidBy::Online {
                order_ref,
                provider_txn_id,
            } => format!("{amount} yuan online, order {order_ref}, transaction {provider_txn_id}"),
        }
    }
}

/// An order opened at a provider.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineOrder {
    pub provider: String,
    /// Ours: `{payment code}-{attempt}`, see [`order_ref`].
    pub order_ref: String,
    /// The provider's, from its answer to `POST /orders`.
    pub provider_order_id: String,
    pub started_at: DateTime<Utc>,
}

/// A provider callback booked (a success or a failure), kept to recognise it when it comes
/// again.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackRecord {
    pub provider_txn_id: String,
    pub order_ref: String,
    pub status: CallbackStatus,
    pub amount_fen: i64,
}

/// A refund of a payment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    pub by: StaffId,
    pub reason: String,
    pub amount_fen: i64,
    pub at: DateTime<Utc>,
}

/// What happened to a payment, in the past tense of the actions. Every event carries the
/// instant it was recorded (`at`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaymentEvent {
    /// The notice was issued; the payment exists.
    Created {
        at: DateTime<Utc>,
        notice: PaymentNotice,
    },
    /// The first online order was opened at the provider.
    OnlineStarted {
        at: DateTime<Utc>,
        provider: String,
        order_ref: String,
        provider_order_id: String,
    },
    /// The fee window took the money.
    CounterPaid {
        at: DateTime<Utc>,
        clerk: StaffId,
        method: CounterMethod,
        amount_fen: i64,
    },
    /// The provider reported the order paid.
    CallbackSucceeded {
        at: DateTime<Utc>,
        order_ref: String,
        provider_txn_id: String,
        amount_fen: i64,
        paid_at: DateTime<Utc>,
    },
    /// The provider reported the order failed.
    CallbackFailed {
        at: DateTime<Utc>,
        order_ref: String,
        provider_txn_id: String,
        amount_fen: i64,
        failed_at: DateTime<Utc>,
    },
    /// A new online order after a failed one.
    Retried {
        at: DateTime<Utc>,
        provider: String,
        order_ref: String,
        provider_order_id: String,
    },
    /// The whole payment was given back.
    Refunded {
        at: DateTime<Utc>,
        by: StaffId,
        reason: String,
        amount_fen: i64,
    },
}

impl PaymentEvent {
    /// The snake_case type name, as stored.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Created { .. } => "created",
            Self::OnlineStarted { .. } => "online_started",
            Self::CounterPaid { .. } => "counter_paid",
            Self::CallbackSucceeded { .. } => "callback_succeeded",
            Self::CallbackFailed { .. } => "callback_failed",
            Self::Retried { .. } => "retried",
            Self::Refunded { .. } => "refunded",
        }
    }

    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::Created { at, .. }
            | Self::OnlineStarted { at, .. }
            | Self::CounterPaid { at, .. }
            | Self::CallbackSucceeded { at, .. }
            | Self::CallbackFailed { at, .. }
            | Self::Retried { at, .. }
            | Self::Refunded { at, .. } => *at,
        }
    }
}

/// What may be done to a payment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PaymentAction {
    /// The provider opened our order (`POST /orders` answered): `order_ref` is
    /// [`Payment::next_order_ref`], the one the signed request carried.
    StartOnline {
        provider: String,
        order_ref: String,
        provider_order_id: String,
    },
    /// A clerk of the fee window took the notice's amount.
    PayAtCounter {
        clerk: StaffId,
        method: CounterMethod,
        amount_fen: i64,
    },
    /// A verified provider callback ([`verify_callback`]).
    Callback { callback: Callback },
    /// A new order after a failed one, as for `StartOnline`.
    Retry {
        provider: String,
        order_ref: String,
        provider_order_id: String,
    },
    /// Give the whole payment back.
    Refund {
        by: StaffId,
        reason: String,
        amount_fen: i64,
    },
}

/// The name of an action without its data, for errors and tables.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentActionName {
    StartOnline,
    PayAtCounter,
    CallbackSuccess,
    CallbackFailure,
    Retry,
    Refund,
}
string_enum!(PaymentActionName {
    StartOnline => "start_online",
    PayAtCounter => "pay_at_counter",
    CallbackSuccess => "callback_success",
    CallbackFailure => "callback_failure",
    Retry => "retry",
    Refund => "refund",
});

impl PaymentActionName {
    pub const ALL: [PaymentActionName; 6] = [
        PaymentActionName::StartOnline,
        PaymentActionName::PayAtCounter,
        PaymentActionName::CallbackSuccess,
        PaymentActionName::CallbackFailure,
        PaymentActionName::Retry,
        PaymentActionName::Refund,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::StartOnline => "发起网上支付",
            Self::PayAtCounter => "柜台收款",
            Self::CallbackSuccess => "登记支付成功",
            Self::CallbackFailure => "登记支付失败",
            Self::Retry => "重新发起支付",
            Self::Refund => "退款",
        }
    }
}

impl PaymentAction {
    pub fn name(&self) -> PaymentActionName {
        match self {
            Self::StartOnline { .. } => PaymentActionName::StartOnline,
            Self::PayAtCounter { .. } => PaymentActionName::PayAtCounter,
            Self::Callback { callback } => match callback.status {
                CallbackStatus::Success => PaymentActionName::CallbackSuccess,
                CallbackStatus::Failure => PaymentActionName::CallbackFailure,
            },
            Self::Retry { .. } => PaymentActionName::Retry,
            Self::Refund { .. } => PaymentActionName::Refund,
        }
    }
}

/// Why a payment action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error(
        "缴款状态为“{}”，不能{} / the payment is {state}: `{action}` is not allowed",
        state.name_zh(), action.name_zh()
    )]
    NotAllowedNow {
        state: PaymentState,
        action: PaymentActionName,
    },
    #[error("{field_zh}不能为空 / {field} is required")]
    Required {
        field: &'static str,
        field_zh: &'static str,
    },
    #[error("应缴金额为0，无需开具缴款通知书 / nothing to pay: no payment notice is issued")]
    NothingToPay,
    #[error(transparent)]
    Code(#[from] PaymentCodeError),
    #[error(
        "下一笔订单号应为{expected}，而非{given} / the next order reference is `{expected}`, not `{given}`"
    )]
    StaleOrderRef { expected: String, given: String },
    #[error(
        "订单{order_ref}不是本笔缴款的当前订单 / order `{order_ref}` is not this payment's current order"
    )]
    UnknownOrder { order_ref: String },
    #[error(
        "订单{order_ref}尚未登记发起，请支付平台稍后重发回调 / order `{order_ref}` is not recorded as started yet: the provider is to call back again later"
    )]
    NotStartedYet { order_ref: String },
    #[error(
        "柜台收款{}元与应缴{}元不符 / {} yuan taken at the counter, but {} yuan is due",
        yuan(*given_fen), yuan(*expected_fen), yuan(*given_fen), yuan(*expected_fen)
    )]
    CounterAmountMismatch { expected_fen: i64, given_fen: i64 },
    #[error(
        "支付平台报告收款{}元，与缴款通知书应缴{}元不符（交易号{provider_txn_id}），不予登记，转监察 / the provider reports {} yuan paid, but the notice says {} yuan (transaction {provider_txn_id}): not booked, a supervision matter",
        yuan(*received_fen), yuan(*expected_fen), yuan(*received_fen), yuan(*expected_fen)
    )]
    AmountMismatch {
        case: CaseId,
        expected_fen: i64,
        received_fen: i64,
        provider_txn_id: String,
    },
    #[error(
        "已缴款（{}），不能再次缴款 / already paid ({})",
        first.describe_zh(), first.describe_en()
    )]
    AlreadyPaid { first: Settlement },
    #[error(
        "已缴款（{}），支付平台又收款{}元（交易号{provider_txn_id}），须原路退回，转监察 / already paid ({}), yet the provider took {} yuan more (transaction {provider_txn_id}): to be refunded, a supervision matter",
        first.describe_zh(), yuan(*amount_fen), first.describe_en(), yuan(*amount_fen)
    )]
    PaidTwice {
        case: CaseId,
        first: Settlement,
        provider_txn_id: String,
        amount_fen: i64,
    },
    #[error(
        "交易号{provider_txn_id}已登记过不同的内容 / transaction `{provider_txn_id}` was booked with other contents"
    )]
    CallbackConflict { provider_txn_id: String },
    #[error(
        "退款金额应为实缴的{}元，而非{}元 / a refund gives back the {} yuan paid, not {} yuan",
        yuan(*paid_fen), yuan(*given_fen), yuan(*paid_fen), yuan(*given_fen)
    )]
    RefundNotWhole { paid_fen: i64, given_fen: i64 },
    #[error(
        "须说明理由（至少{min_chars}个字） / a reason of at least {min_chars} characters is required"
    )]
    ReasonTooShort { min_chars: u32 },
}

impl PaymentError {
    /// Money the provider took and we refused to book: a matter for supervision, to be
    /// turned into a finding ([`PaymentError::finding`]).
    pub fn is_supervision_matter(&self) -> bool {
        matches!(self, Self::AmountMismatch { .. } | Self::PaidTwice { .. })
    }

    /// The `FeesUnreconciled` finding a supervision matter makes (receivable: the notice's
    /// amount; received: what the provider reports taken in all), through supervision's own
    /// [`check_receipts`]. `None` for any other error.
    pub fn finding(&self, item: &ServiceItem, at: DateTime<Utc>) -> Option<Finding> {
        match self {
            Self::AmountMismatch {
                case,
                expected_fen,
                received_fen,
                ..
            } => check_receipts(*case, item, *expected_fen, *received_fen, at),
            Self::PaidTwice {
                case,
                first,
                amount_fen,
                ..
            } => check_receipts(
                *case,
                item,
                first.amount_fen,
                first.amount_fen.saturating_add(*amount_fen),
                at,
            ),
            _ => None,
        }
    }

    /// The callback may be booked if the provider sends it again later (it came before the
    /// order it reports was recorded): answer [`REPLY_FAIL`]. Every other refusal of a
    /// verified callback is final: answer [`REPLY_SUCCESS`] so the provider stops.
    pub fn provider_should_retry(&self) -> bool {
        matches!(self, Self::NotStartedYet { .. })
    }
}

/// What a decision on an action is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Store this event; [`Payment::apply`] folds it in.
    Record(PaymentEvent),
    /// The same provider callback was booked before: nothing to store, answer
    /// [`REPLY_SUCCESS`].
    AlreadyRecorded,
}

/// What a decision needs besides the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentContext {
    pub now: DateTime<Utc>,
    /// A refund's reason must have this many characters (whitespace not counted).
    pub min_reason_chars: u32,
}

impl PaymentContext {
    /// `now`, and the reason threshold of supervision ([`SupervisionRules::min_reason_chars`]).
    pub fn new(now: DateTime<Utc>, rules: &SupervisionRules) -> Self {
        PaymentContext {
            now,
            min_reason_chars: rules.min_reason_chars,
        }
    }
}

/// A history that does not fold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("缴款记录无法重放：{0} / the payment's history does not fold: {0}")]
pub struct PaymentReplayError(pub String);

/// Our reference of the `attempt`th online order of a payment (1 for the first):
/// `{payment code}-{attempt, at least two digits}`, e.g. `51010426011500004271-01`. From a
/// callback's `order_ref` alone the payment is found ([`parse_order_ref`]), and an order the
/// provider reports before we recorded it started can be recognised as ours.
pub fn order_ref(code: &PaymentCode, attempt: u32) -> String {
    format!("{code}-{attempt:02}")
}

/// The payment code and the attempt of one of our order references.
pub fn parse_order_ref(text: &str) -> Option<(PaymentCode, u32)> {
    let (code, attempt) = text.split_once('-')?;
    let valid = code.len() == PAYMENT_CODE_LEN
        && attempt.len() >= 2
        && attempt.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return None;
    }
    let attempt: u32 = attempt.parse().ok().filter(|n| *n >= 1)?;
    let code = PaymentCode::parse(code).ok()?;
    (order_ref(&code, attempt) == text).then_some((code, attempt))
}

/// A payment folded from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub notice: PaymentNotice,
    pub state: PaymentState,
    /// The online orders opened, in order; the last is the current one.
    pub orders: Vec<OnlineOrder>,
    /// The provider callbacks booked.
    pub callbacks: Vec<CallbackRecord>,
    pub settlement: Option<Settlement>,
    pub refund: Option<RefundRecord>,
    /// The number of events folded in: the version for optimistic concurrency.
    pub version: u32,
}

/// The first event of a payment: its notice issued.
pub fn create(notice: PaymentNotice) -> PaymentEvent {
    PaymentEvent::Created {
        at: notice.issued_at,
        notice,
    }
}

impl Payment {
    /// Folds a whole history; it starts with `Created`.
    pub fn replay(events: &[PaymentEvent]) -> Result<Payment, PaymentReplayError> {
        let (first, rest) = events
            .split_first()
            .ok_or_else(|| PaymentReplayError("no events".into()))?;
        let PaymentEvent::Created { notice, .. } = first else {
            return Err(PaymentReplayError(format!(
                "the first event is `{}`, not `created`",
                first.type_name()
            )));
        };
        let mut payment = Payment {
            notice: notice.clone(),
            state: PaymentState::Created,
            orders: Vec::new(),
            callbacks: Vec::new(),
            settlement: None,
            refund: None,
            version: 1,
        };
        for event in rest {
            payment.apply(event)?;
        }
        Ok(payment)
    }

    /// Folds one more event in. Events are facts: `apply` trusts that [`decide`] allowed them.
    pub fn apply(&mut self, event: &PaymentEvent) -> Result<(), PaymentReplayError> {
        match event {
            PaymentEvent::Created { .. } => {
                return Err(PaymentReplayError("a second `created`".into()));
            }
            PaymentEvent::OnlineStarted {
                at,
                provider,
                order_ref,
                provider_order_id,
            }
            | PaymentEvent::Retried {
                at,
                provider,
                order_ref,
                provider_order_id,
            } => {
                self.orders.push(OnlineOrder {
                    provider: provider.clone(),
                    order_ref: order_ref.clone(),
                    provider_order_id: provider_order_id.clone(),
                    started_at: *at,
                });
                self.state = PaymentState::Pending;
            }
            PaymentEvent::CounterPaid {
                at,
                clerk,
                method,
                amount_fen,
            } => {
                self.settlement = Some(Settlement {
                    by: PaidBy::Counter {
                        clerk: *clerk,
                        method: *method,
                    },
                    amount_fen: *amount_fen,
                    paid_at: *at,
                });
                self.state = PaymentState::Paid;
            }
            PaymentEvent::CallbackSucceeded {
                order_ref,
                provider_txn_id,
                amount_fen,
                paid_at,
                ..
            } => {
                self.callbacks.push(CallbackRecord {
                    provider_txn_id: provider_txn_id.clone(),
                    order_ref: order_ref.clone(),
                    status: CallbackStatus::Success,
                    amount_fen: *amount_fen,
                });
                self.settlement = Some(Settlement {
                    by: PaidBy::Online {
                        order_ref: order_ref.clone(),
                        provider_txn_id: provider_txn_id.clone(),
                    },
                    amount_fen: *amount_fen,
                    paid_at: *paid_at,
                });
                self.state = PaymentState::Paid;
            }
            PaymentEvent::CallbackFailed {
                order_ref,
                provider_txn_id,
                amount_fen,
                ..
            } => {
                self.callbacks.push(CallbackRecord {
                    provider_txn_id: provider_txn_id.clone(),
                    order_ref: order_ref.clone(),
                    status: CallbackStatus::Failure,
                    amount_fen: *amount_fen,
                });
                self.state = PaymentState::Failed;
            }
            PaymentEvent::Refunded {
                at,
                by,
                reason,
                amount_fen,
            } => {
                self.refund = Some(RefundRecord {
                    by: *by,
                    reason: reason.clone(),
                    amount_fen: *amount_fen,
                    at: *at,
                });
                self.state = PaymentState::Refunded;
            }
        }
        self.version = self.version.saturating_add(1);
        Ok(())
    }

    /// The online order open now (or the last one, once failed).
    pub fn current_order(&self) -> Option<&OnlineOrder> {
        self.orders.last()
    }

    /// The reference the next online order is to carry.
    pub fn next_order_ref(&self) -> String {
        let attempt = u32::try_from(self.orders.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        order_ref(&self.notice.code, attempt)
    }

    /// What this payment has brought in, in fen: the amount paid, less any refund.
    pub fn received_fen(&self) -> i64 {
        let paid = self.settlement.as_ref().map_or(0, |s| s.amount_fen);
        let refunded = self.refund.as_ref().map_or(0, |r| r.amount_fen);
        paid.saturating_sub(refunded)
    }
}

/// Decides an action on a payment: the event to store, "already recorded" for a callback
/// seen before, or why not.
pub fn decide(
    payment: &Payment,
    action: &PaymentAction,
    ctx: &PaymentContext,
) -> Result<Decision, PaymentError> {
    let state = payment.state;
    let name = action.name();
    let not_now = || PaymentError::NotAllowedNow {
        state,
        action: name,
    };
    let already_paid = || match &payment.settlement {
        Some(first) => PaymentError::AlreadyPaid {
            first: first.clone(),
        },
        None => not_now(),
    };
    let event = match action {
        PaymentAction::StartOnline {
            provider,
            order_ref,
            provider_order_id,
        }
        | PaymentAction::Retry {
            provider,
            order_ref,
            provider_order_id,
        } => {
            let from = if name == PaymentActionName::StartOnline {
                PaymentState::Created
            } else {
                PaymentState::Failed
            };
            if state == PaymentState::Paid {
                return Err(already_paid());
            }
            if state != from {
                return Err(not_now());
            }
            let provider = required(provider, "provider", "支付平台")?;
            let provider_order_id = required(provider_order_id, "provider_order_id", "平台订单号")?;
            let expected = payment.next_order_ref();
            if order_ref.trim() != expected {
                return Err(PaymentError::StaleOrderRef {
                    expected,
                    given: order_ref.trim().to_owned(),
                });
            }
            let (at, order_ref) = (ctx.now, expected);
            if from == PaymentState::Created {
                PaymentEvent::OnlineStarted {
                    at,
                    provider,
                    order_ref,
                    provider_order_id,
                }
            } else {
                PaymentEvent::Retried {
                    at,
                    provider,
                    order_ref,
                    provider_order_id,
                }
            }
        }
        PaymentAction::PayAtCounter {
            clerk,
            method,
            amount_fen,
        } => {
            match state {
                PaymentState::Created | PaymentState::Pending | PaymentState::Failed => {}
                PaymentState::Paid => return Err(already_paid()),
                PaymentState::Refunded => return Err(not_now()),
            }
            if *amount_fen != payment.notice.amount_fen {
                return Err(PaymentError::CounterAmountMismatch {
                    expected_fen: payment.notice.amount_fen,
                    given_fen: *amount_fen,
                });
            }
            PaymentEvent::CounterPaid {
                at: ctx.now,
                clerk: *clerk,
                method: *method,
                amount_fen: *amount_fen,
            }
        }
        PaymentAction::Callback { callback } => return decide_callback(payment, callback, ctx),
        PaymentAction::Refund {
            by,
            reason,
            amount_fen,
        } => {
            let Some(settlement) = payment
                .settlement
                .as_ref()
                .filter(|_| state == PaymentState::Paid)
            else {
                return Err(not_now());
            };
            if *amount_fen != settlement.amount_fen {
                return Err(PaymentError::RefundNotWhole {
                    paid_fen: settlement.amount_fen,
                    given_fen: *amount_fen,
                });
            }
            if meaningful_chars(reason) < ctx.min_reason_chars {
                return Err(PaymentError::ReasonTooShort {
                    min_chars: ctx.min_reason_chars,
                });
            }
            PaymentEvent::Refunded {
                at: ctx.now,
                by: *by,
                reason: reason.trim().to_owned(),
                amount_fen: *amount_fen,
            }
        }
    };
    Ok(Decision::Record(event))
}

fn decide_callback(
    payment: &Payment,
    callback: &Callback,
    ctx: &PaymentContext,
) -> Result<Decision, PaymentError> {
    let state = payment.state;
    let status = callback.status;
    let not_now = || PaymentError::NotAllowedNow {
        state,
        action: match status {
            CallbackStatus::Success => PaymentActionName::CallbackSuccess,
            CallbackStatus::Failure => PaymentActionName::CallbackFailure,
        },
    };
    // The same transaction again: booked once, never twice.
    if let Some(seen) = payment
        .callbacks
        .iter()
        .find(|c| c.provider_txn_id == callback.provider_txn_id)
    {
        let same = seen.status == status
            && seen.amount_fen == callback.amount_fen
            && seen.order_ref == callback.order_ref;
        return if same {
            Ok(Decision::AlreadyRecorded)
        } else {
            Err(PaymentError::CallbackConflict {
                provider_txn_id: callback.provider_txn_id.clone(),
            })
        };
    }
    let unknown = || PaymentError::UnknownOrder {
        order_ref: callback.order_ref.clone(),
    };
    let ours =
        parse_order_ref(&callback.order_ref).is_some_and(|(code, _)| code == payment.notice.code);
    if !ours {
        return Err(unknown());
    }
    let is_current = payment
        .current_order()
        .is_some_and(|o| o.order_ref == callback.order_ref);
    // Before the order is recorded, the order the applicant was sent to is the next one.
    let is_next = payment.next_order_ref() == callback.order_ref;
    let event = match (status, state) {
        (CallbackStatus::Success, PaymentState::Paid) => {
            return Err(match &payment.settlement {
                Some(first) => PaymentError::PaidTwice {
                    case: payment.notice.case,
                    first: first.clone(),
                    provider_txn_id: callback.provider_txn_id.clone(),
                    amount_fen: callback.amount_fen,
                },
                None => not_now(),
            });
        }
        (CallbackStatus::Success, PaymentState::Created | PaymentState::Pending) => {
            let known = if state == PaymentState::Created {
                is_next
            } else {
                is_current
            };
            if !known {
                return Err(unknown());
            }
            if callback.amount_fen != payment.notice.amount_fen {
                return Err(PaymentError::AmountMismatch {
                    case: payment.notice.case,
                    expected_fen: payment.notice.amount_fen,
                    received_fen: callback.amount_fen,
                    provider_txn_id: callback.provider_txn_id.clone(),
                });
            }
            PaymentEvent::CallbackSucceeded {
                at: ctx.now,
                order_ref: callback.order_ref.clone(),
                provider_txn_id: callback.provider_txn_id.clone(),
                amount_fen: callback.amount_fen,
                paid_at: callback.paid_at,
            }
        }
        (CallbackStatus::Failure, PaymentState::Created) => {
            return Err(if is_next {
                PaymentError::NotStartedYet {
                    order_ref: callback.order_ref.clone(),
                }
            } else {
                unknown()
            });
        }
        (CallbackStatus::Failure, PaymentState::Pending) => {
            if !is_current {
                return Err(unknown());
            }
            PaymentEvent::CallbackFailed {
                at: ctx.now,
                order_ref: callback.order_ref.clone(),
                provider_txn_id: callback.provider_txn_id.clone(),
                amount_fen: callback.amount_fen,
                failed_at: callback.paid_at,
            }
        }
        (CallbackStatus::Success, PaymentState::Failed | PaymentState::Refunded)
        | (
            CallbackStatus::Failure,
            PaymentState::Paid | PaymentState::Failed | PaymentState::Refunded,
        ) => return Err(not_now()),
    };
    Ok(Decision::Record(event))
}

// ---------------------------------------------------------------------------------------
// The provider protocol (pure part)

/// Where the provider posts its callbacks, under our base URL.
pub const CALLBACK_PATH: &str = "/api/v1/payments/callback";
/// Where we post a new order, under the provider's base URL.
pub const ORDERS_PATH: &str = "/orders";
/// Our answer to a callback we have booked, had booked before, or refuse for good.
pub const REPLY_SUCCESS: &str = "success";
/// Our answer to a callback we could not verify or should get again later.
pub const REPLY_FAIL: &str = "fail";
/// The field that carries the signature; never part of the canonical string.
pub const SIGNATURE_FIELD: &str = "signature";
/// The fields a callback must carry (with `signature`).
pub const CALLBACK_FIELDS: [&str; 7] = [
    "merchant_id",
    "order_ref",
    "provider_txn_id",
    "amount_fen",
    "status",
    "paid_at",
    "nonce",
];
/// A callback's `paid_at` may be this many minutes from our clock, either way.
pub const DEFAULT_REPLAY_WINDOW_MINUTES: u32 = 30;
/// The shortest shared secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;
/// The longest identifier (merchant, order, transaction, nonce) accepted, in characters.
pub const MAX_ID_CHARS: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// Why a callback (or a set of fields to sign) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("缺少字段{field}或其为空 / field `{field}` is missing or empty")]
    MissingField { field: String },
    #[error("字段{field}重复 / field `{field}` appears more than once")]
    DuplicateField { field: String },
    #[error(
        "字段名“{field}”无效，只能由小写字母、数字和下划线组成 / field name `{field}` is not lower-case letters, digits and underscores"
    )]
    BadFieldName { field: String },
    #[error(
        "字段{field}含有“&”“=”或控制字符 / field `{field}` contains `&`, `=` or a control character"
    )]
    ForbiddenCharacter { field: String },
    #[error("字段{field}超过{max}个字符 / field `{field}` is longer than {max} characters")]
    TooLong { field: String, max: usize },
    #[error("金额“{value}”不是正整数分 / amount `{value}` is not a positive whole number of fen")]
    BadAmount { value: String },
    #[error("状态“{value}”应为success或failure / status `{value}` is neither success nor failure")]
    BadStatus { value: String },
    #[error("时间“{value}”不是RFC 3339格式 / time `{value}` is not RFC 3339")]
    BadTimestamp { value: String },
    #[error("签名错误 / the signature does not verify")]
    BadSignature,
    #[error("商户号“{found}”不是本平台的 / merchant `{found}` is not ours")]
    WrongMerchant { found: String },
    #[error(
        "支付时间{paid_at}与当前时间相差超过{minutes}分钟，拒绝重放 / paid_at {paid_at} is more than {minutes} minutes from now: refused as a replay"
    )]
    OutsideWindow {
        paid_at: DateTime<Utc>,
        minutes: u32,
    },
    #[error(
        "共享密钥至少{MIN_SECRET_BYTES}字节 / the shared secret is at least {MIN_SECRET_BYTES} bytes"
    )]
    WeakSecret,
}

/// Our account at a provider: the merchant id it gave us, the shared secret, and how far a
/// callback's `paid_at` may be from our clock. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Merchant {
    merchant_id: String,
    secret: Vec<u8>,
    replay_window_minutes: u32,
}

impl Merchant {
    pub fn new(
        merchant_id: &str,
        secret: &[u8],
        replay_window_minutes: u32,
    ) -> Result<Merchant, CallbackError> {
        let merchant_id = merchant_id.trim();
        if merchant_id.is_empty() {
            return Err(CallbackError::MissingField {
                field: "merchant_id".into(),
            });
        }
        check_value("merchant_id", merchant_id)?;
        check_id("merchant_id", merchant_id)?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(CallbackError::WeakSecret);
        }
        Ok(Merchant {
            merchant_id: merchant_id.to_owned(),
            secret: secret.to_vec(),
            replay_window_minutes,
        })
    }

    pub fn merchant_id(&self) -> &str {
        &self.merchant_id
    }

    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub fn replay_window_minutes(&self) -> u32 {
        self.replay_window_minutes
    }
}

impl fmt::Debug for Merchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merchant")
            .field("merchant_id", &self.merchant_id)
            .field("secret", &"<redacted>")
            .field("replay_window_minutes", &self.replay_window_minutes)
            .finish()
    }
}

/// A verified callback.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub merchant_id: String,
    /// Ours ([`order_ref`]).
    pub order_ref: String,
    /// The provider's transaction id: unique per outcome it reports.
    pub provider_txn_id: String,
    pub amount_fen: i64,
    pub status: CallbackStatus,
    /// When the order was paid (or failed), by the provider's clock.
    pub paid_at: DateTime<Utc>,
    pub nonce: String,
}

impl Callback {
    /// The callback's fields, unsigned, in [`CALLBACK_FIELDS`] order (what a provider sends,
    /// with [`sign`]'s signature added).
    pub fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("merchant_id".into(), self.merchant_id.clone()),
            ("order_ref".into(), self.order_ref.clone()),
            ("provider_txn_id".into(), self.provider_txn_id.clone()),
            ("amount_fen".into(), self.amount_fen.to_string()),
            ("status".into(), self.status.as_str().into()),
            ("paid_at".into(), rfc3339(self.paid_at)),
            ("nonce".into(), self.nonce.clone()),
        ]
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// At most 64 characters of untrusted input, for messages.
fn clip(text: &str) -> String {
    text.chars().take(MAX_ID_CHARS).collect()
}

fn check_name(name: &str) -> Result<(), CallbackError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_ID_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(CallbackError::BadFieldName { field: clip(name) })
    }
}

fn check_value(name: &str, value: &str) -> Result<(), CallbackError> {
    if value
        .chars()
        .any(|c| c == '&' || c == '=' || c.is_control())
    {
        Err(CallbackError::ForbiddenCharacter {
            field: name.to_owned(),
        })
    } else {
        Ok(())
    }
}

fn check_id(name: &str, value: &str) -> Result<(), CallbackError> {
    if value.chars().count() > MAX_ID_CHARS {
        Err(CallbackError::TooLong {
            field: name.to_owned(),
            max: MAX_ID_CHARS,
        })
    } else {
        Ok(())
    }
}

/// The string a signature covers: every field but `signature`, sorted by name (bytewise),
/// each `name=value`, joined by `&`; values as they are, not URL-encoded. Names are lower-case
/// ASCII letters, digits and `_`; a name appears once; values hold no `&`, `=` or control
/// character, so the string reads back one way only.
pub fn canonical_string(fields: &[(String, String)]) -> Result<String, CallbackError> {
    let mut sorted: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in fields {
        check_name(name)?;
        if sorted.insert(name, value).is_some() {
            return Err(CallbackError::DuplicateField { field: clip(name) });
        }
    }
    sorted.remove(SIGNATURE_FIELD);
    let mut out = String::new();
    for (name, value) in sorted {
        check_value(name, value)?;
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    Ok(out)
}

fn mac_of(secret: &[u8], fields: &[(String, String)]) -> Result<HmacSha256, CallbackError> {
    let canonical = canonical_string(fields)?;
    let mut mac = HmacSha256::new_from_slice(secret).map_err(|_| CallbackError::WeakSecret)?;
    mac.update(canonical.as_bytes());
    Ok(mac)
}

/// The signature of `fields`: lower-case hex of HMAC-SHA256 under `secret` over
/// [`canonical_string`] (64 characters).
pub fn sign(secret: &[u8], fields: &[(String, String)]) -> Result<String, CallbackError> {
    Ok(hex::encode(mac_of(secret, fields)?.finalize().into_bytes()))
}

/// Checks a callback's form fields as received and reads them: every field of
/// [`CALLBACK_FIELDS`] and `signature` present once and not empty, the signature right
/// (compared in constant time), the merchant ours, the amount a positive whole number of fen,
/// the status `success` or `failure`, `paid_at` RFC 3339 and within the merchant's replay
/// window of `now`. Fields beyond these are signed over and otherwise ignored.
pub fn verify_callback(
    merchant: &Merchant,
    fields: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Callback, CallbackError> {
    let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in fields {
        check_name(name)?;
        if by_name.insert(name, value).is_some() {
            return Err(CallbackError::DuplicateField { field: clip(name) });
        }
    }
    let get = |field: &str| -> Result<&str, CallbackError> {
        by_name
            .get(field)
            .copied()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CallbackError::MissingField {
                field: field.to_owned(),
            })
    };
    let signature = get(SIGNATURE_FIELD)?;
    for field in CALLBACK_FIELDS {
        get(field)?;
    }
    let mac = mac_of(merchant.secret(), fields)?;
    let given = hex::decode(signature).map_err(|_| CallbackError::BadSignature)?;
    mac.verify_slice(&given)
        .map_err(|_| CallbackError::BadSignature)?;

    let merchant_id = get("merchant_id")?;
    let order_ref = get("order_ref")?;
    let provider_txn_id = get("provider_txn_id")?;
    let nonce = get("nonce")?;
    for (field, value) in [
        ("merchant_id", merchant_id),
        ("order_ref", order_ref),
        ("provider_txn_id", provider_txn_id),
        ("nonce", nonce),
    ] {
        check_id(field, value)?;
    }
    let amount_text = get("amount_fen")?;
    let amount_fen = parse_amount(amount_text).ok_or_else(|| CallbackError::BadAmount {
        value: clip(amount_text),
    })?;
    let status_text = get("status")?;
    let status: CallbackStatus = status_text.parse().map_err(|_| CallbackError::BadStatus {
        value: clip(status_text),
    })?;
    // `parse` trims; the signed value is exact.
    if status.as_str() != status_text {
        return Err(CallbackError::BadStatus {
            value: clip(status_text),
        });
    }
    let paid_text = get("paid_at")?;
    let paid_at = DateTime::parse_from_rfc3339(paid_text)
        .map_err(|_| CallbackError::BadTimestamp {
            value: clip(paid_text),
        })?
        .with_timezone(&Utc);
    if merchant_id != merchant.merchant_id() {
        return Err(CallbackError::WrongMerchant {
            found: clip(merchant_id),
        });
    }
    let minutes = merchant.replay_window_minutes();
    let window = TimeDelta::minutes(i64::from(minutes));
    let off = now.signed_duration_since(paid_at);
    if off > window || off < -window {
        return Err(CallbackError::OutsideWindow { paid_at, minutes });
    }
    Ok(Callback {
        merchant_id: merchant_id.to_owned(),
        order_ref: order_ref.to_owned(),
        provider_txn_id: provider_txn_id.to_owned(),
        amount_fen,
        status,
        paid_at,
        nonce: nonce.to_owned(),
    })
}

/// A positive whole number of fen: ASCII digits, no sign, no leading zero, at most 15 digits.
fn parse_amount(text: &str) -> Option<i64> {
    let valid = !text.is_empty()
        && text.len() <= 15
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0');
    if valid { text.parse().ok() } else { None }
}

/// Our request to the provider to open an order (`POST /orders`, form-encoded), signed like a
/// callback so the provider can check it came from us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub merchant_id: String,
    pub order_ref: String,
    pub amount_fen: i64,
    /// What the payer sees at the provider: `政务服务收费 {payment code}`.
    pub subject: String,
    /// Where the provider posts the outcome: our base URL and [`CALLBACK_PATH`].
    pub notify_url: String,
    /// Where the provider sends the payer's browser afterwards.
    pub return_url: String,
    /// When we sent it; the provider refuses one too far from its clock.
    pub timestamp: DateTime<Utc>,
    /// 32 hex characters from the caller's 16 random bytes.
    pub nonce: String,
}

impl OrderRequest {
    /// The request for `payment`'s next order ([`Payment::next_order_ref`]); the payment must
    /// be waiting for one (created, or failed for a retry).
    pub fn for_payment(
        payment: &Payment,
        merchant: &Merchant,
        notify_url: &str,
        return_url: &str,
        now: DateTime<Utc>,
        random: [u8; 16],
    ) -> Result<OrderRequest, PaymentError> {
        match payment.state {
            PaymentState::Created | PaymentState::Failed => {}
            PaymentState::Paid => {
                return Err(match &payment.settlement {
                    Some(first) => PaymentError::AlreadyPaid {
                        first: first.clone(),
                    },
                    None => PaymentError::NotAllowedNow {
                        state: payment.state,
                        action: PaymentActionName::StartOnline,
                    },
                });
            }
            state @ (PaymentState::Pending | PaymentState::Refunded) => {
                return Err(PaymentError::NotAllowedNow {
                    state,
                    action: PaymentActionName::StartOnline,
                });
            }
        }
        Ok(OrderRequest {
            merchant_id: merchant.merchant_id().to_owned(),
            order_ref: payment.next_order_ref(),
            amount_fen: payment.notice.amount_fen,
            subject: format!("政务服务收费 {}", payment.notice.code),
            notify_url: required(notify_url, "notify_url", "回调地址")?,
            return_url: required(return_url, "return_url", "返回地址")?,
            timestamp: now,
            nonce: hex::encode(random),
        })
    }

    /// The request's fields, unsigned, in the order they are documented.
    pub fn fields(&self) -> Vec<(String, String)> {
        vec![
            ("merchant_id".into(), self.merchant_id.clone()),
            ("order_ref".into(), self.order_ref.clone()),
            ("amount_fen".into(), self.amount_fen.to_string()),
            ("subject".into(), self.subject.clone()),
            ("notify_url".into(), self.notify_url.clone()),
            ("return_url".into(), self.return_url.clone()),
            ("timestamp".into(), rfc3339(self.timestamp)),
            ("nonce".into(), self.nonce.clone()),
        ]
    }

    /// The fields to post: [`OrderRequest::fields`] and their `signature`.
    pub fn signed_fields(
        &self,
        merchant: &Merchant,
    ) -> Result<Vec<(String, String)>, CallbackError> {
        let mut fields = self.fields();
        let signature = sign(merchant.secret(), &fields)?;
        fields.push((SIGNATURE_FIELD.into(), signature));
        Ok(fields)
    }
}

// ---------------------------------------------------------------------------------------
// Daily reconciliation (对账)

/// What one case owes, from its assessment ([`Assessment::receivable`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivable {
    pub case: CaseId,
    pub item_code: ItemCode,
    pub receivable_fen: i64,
}

/// One case's receivable against what its payments brought in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseBalance {
    pub case: CaseId,
    pub item_code: ItemCode,
    pub receivable_fen: i64,
    pub received_fen: i64,
    /// Received minus receivable: positive when too much came in.
    pub difference_fen: i64,
}

/// The day in figures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySummary {
    pub day: NaiveDate,
    pub receivable_fen: i64,
    pub received_fen: i64,
    pub cases_matched: usize,
    pub cases_differing: usize,
}

/// A day's reconciliation: every case, the findings of those that differ, the totals.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub summary: DaySummary,
    /// By case id.
    pub cases: Vec<CaseBalance>,
    /// `FeesUnreconciled`, one per differing case whose item is known.
    pub findings: Vec<Finding>,
    /// Item codes of differing cases missing from `items`: no finding could be made for them.
    pub unknown_items: Vec<ItemCode>,
    /// Cases still open whose notice is not paid yet: waiting, not wrong
    /// ([`reconcile_notices`]).
    #[serde(default)]
    pub awaiting_payment: Vec<CaseId>,
}

/// Where a case with a payment notice stands when its day is reconciled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStanding {
    /// Still being handled: a notice not yet paid is waiting, not wrong.
    Open,
    /// Decided or concluded: the fees should have come in.
    Closed,
    /// Withdrawn by the applicant (or refused): nothing is owed, and money taken must have
    /// gone back.
    Withdrawn,
}

/// The notices issued on a day, reconciled: `payments` are those issued on `day` (folded as
/// they stand), `standing` says where each one's case is. A withdrawn case owes nothing; a
/// case still open with nothing received yet is awaiting payment (listed, not a finding);
/// every other difference is a `FeesUnreconciled` finding (paid a wrong amount, concluded
/// unpaid, withdrawn but not refunded). A case missing from `standing` counts as closed.
pub fn reconcile_notices(
    day: NaiveDate,
    payments: &[Payment],
    standing: &BTreeMap<CaseId, CaseStanding>,
    items: &BTreeMap<ItemCode, ServiceItem>,
    at: DateTime<Utc>,
) -> Reconciliation {
    let standing_of = |case: CaseId| standing.get(&case).copied().unwrap_or(CaseStanding::Closed);
    let receivables: Vec<Receivable> = payments
        .iter()
        .map(|p| Receivable {
            case: p.notice.case,
            item_code: p.notice.item_code.clone(),
            receivable_fen: if standing_of(p.notice.case) == CaseStanding::Withdrawn {
                0
            } else {
                p.notice.amount_fen
            },
        })
        .collect();
    let mut reconciliation = reconcile(day, &receivables, payments, items, at);
    let waiting: Vec<CaseId> = reconciliation
        .cases
        .iter()
        .filter(|b| {
            b.difference_fen != 0
                && b.received_fen == 0
                && standing_of(b.case) == CaseStanding::Open
        })
        .map(|b| b.case)
        .collect();
    reconciliation
        .findings
        .retain(|f| !waiting.contains(&f.case_id));
    reconciliation.awaiting_payment = waiting;
    reconciliation
}

/// Reconciles `day`: for each case of `receivables` (several lines of one case add up) or of
/// `payments`, the receivable against [`Payment::received_fen`] (paid less refunded) summed
/// over its payments, and a `FeesUnreconciled` finding from supervision's [`check_receipts`]
/// where they differ (money received for a case with nothing receivable included). The
/// payments are folded as of the day's cut-off; `items` is the catalog in force
/// ([`crate::catalog::in_force_on`]); `at` is the instant of the reconciliation.
pub fn reconcile(
    day: NaiveDate,
    receivables: &[Receivable],
    payments: &[Payment],
    items: &BTreeMap<ItemCode, ServiceItem>,
    at: DateTime<Utc>,
) -> Reconciliation {
    let mut balances: BTreeMap<CaseId, CaseBalance> = BTreeMap::new();
    fn entry<'a>(
        balances: &'a mut BTreeMap<CaseId, CaseBalance>,
        case: CaseId,
        item_code: &ItemCode,
    ) -> &'a mut CaseBalance {
        balances.entry(case).or_insert_with(|| CaseBalance {
            case,
            item_code: item_code.clone(),
            receivable_fen: 0,
            received_fen: 0,
            difference_fen: 0,
        })
    }
    for r in receivables {
        let balance = entry(&mut balances, r.case, &r.item_code);
        balance.receivable_fen = balance.receivable_fen.saturating_add(r.receivable_fen);
    }
    for p in payments {
        let balance = entry(&mut balances, p.notice.case, &p.notice.item_code);
        balance.received_fen = balance.received_fen.saturating_add(p.received_fen());
    }
    let mut summary = DaySummary {
        day,
        receivable_fen: 0,
        received_fen: 0,
        cases_matched: 0,
        cases_differing: 0,
    };
    let mut findings = Vec::new();
    let mut unknown_items: Vec<ItemCode> = Vec::new();
    let cases: Vec<CaseBalance> = balances
        .into_values()
        .map(|mut b| {
            b.difference_fen = b.received_fen.saturating_sub(b.receivable_fen);
            summary.receivable_fen = summary.receivable_fen.saturating_add(b.receivable_fen);
            summary.received_fen = summary.received_fen.saturating_add(b.received_fen);
            if b.difference_fen == 0 {
                summary.cases_matched += 1;
            } else {
                summary.cases_differing += 1;
                match items.get(&b.item_code) {
                    Some(item) => findings.extend(check_receipts(
                        b.case,
                        item,
                        b.receivable_fen,
                        b.received_fen,
                        at,
                    )),
                    None if !unknown_items.contains(&b.item_code) => {
                        unknown_items.push(b.item_code.clone());
                    }
                    None => {}
                }
            }
            b
        })
        .collect();
    Reconciliation {
        summary,
        cases,
        findings,
        unknown_items,
        awaiting_payment: Vec::new(),
    }
}
