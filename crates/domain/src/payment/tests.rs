//! Specification tests of fees and payment: the assessment's rules, the payment code and its
//! check digit, every state by every action of the payment allowed or refused, callbacks
//! replayed and forged, the provider protocol's exact bytes against values computed
//! independently (Python's `hmac`), and the daily reconciliation through supervision's
//! `check_receipts`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeDelta;
use proptest::prelude::*;

use super::*;
use crate::catalog::tests::licence;
use crate::supervision::FindingKind;
use crate::testing::{china, date};

// ---------------------------------------------------------------------------------------
// Fixtures

const CASE: CaseId = CaseId(42);
const CLERK: StaffId = StaffId(7);
const OFFICER: StaffId = StaffId(8);
const PREFIX: &str = "510104";
/// `PaymentCode::new("510104", 2026-01-15, 427)`, its check digit computed in Python.
const CODE: &str = "51010426011500004272";
const SECRET: &[u8] = b"liandong-test-secret-0123456789";
const PROVIDER: &str = "gateway";
const REFUND_REASON: &str = "申请人撤回申请，依法全额退还";

/// 工本费 10.00 and 检验费 5.00 yuan.
fn item() -> ServiceItem {
    ServiceItem {
        fees: vec![
            Fee {
                name: "工本费".into(),
                amount_fen: 1000,
                basis: "《关于规范证照工本费的通知》".into(),
            },
            Fee {
                name: "检验费".into(),
                amount_fen: 500,
                basis: "《行政事业性收费项目目录》第12项".into(),
            },
        ],
        ..licence("XK00001000")
    }
}

fn rules() -> SupervisionRules {
    SupervisionRules::default()
}

/// 10:00 China time on Thursday 15 January 2026.
fn issued_at() -> DateTime<Utc> {
    china(2026, 1, 15, 10)
}

fn assessment() -> Assessment {
    assess(CASE, &item(), &[], &rules()).unwrap()
}

fn notice() -> PaymentNotice {
    PaymentNotice::issue(&assessment(), PREFIX, 427, "张三", CLERK, issued_at()).unwrap()
}

fn merchant() -> Merchant {
    Merchant::new("LD0001", SECRET, DEFAULT_REPLAY_WINDOW_MINUTES).unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn waive(name: &str, reason: &str) -> FeeDecision {
    FeeDecision {
        name: name.into(),
        assessed_fen: 0,
        adjustment: Some(Adjustment {
            kind: AdjustmentKind::Waived,
            reason: reason.into(),
        }),
    }
}

fn reduce(name: &str, to: i64, reason: &str) -> FeeDecision {
    FeeDecision {
        name: name.into(),
        assessed_fen: to,
        adjustment: Some(Adjustment {
            kind: AdjustmentKind::Reduced,
            reason: reason.into(),
        }),
    }
}

/// A payment's history and the clock, the way a store keeps them.
struct Ledger {
    events: Vec<PaymentEvent>,
    now: DateTime<Utc>,
    txn: u32,
}

impl Ledger {
    fn new() -> Ledger {
        Ledger {
            events: vec![create(notice())],
            now: issued_at(),
            txn: 0,
        }
    }

    fn payment(&self) -> Payment {
        Payment::replay(&self.events).unwrap()
    }

    fn ctx(&self) -> PaymentContext {
        PaymentContext::new(self.now, &rules())
    }

    /// Decides and, for an event, stores it; the clock moves a minute.
    fn try_act(&mut self, action: PaymentAction) -> Result<Decision, PaymentError> {
        self.now += TimeDelta::minutes(1);
        let decision = decide(&self.payment(), &action, &self.ctx())?;
        if let Decision::Record(event) = &decision {
            self.events.push(event.clone());
        }
        Ok(decision)
    }

    fn act(mut self, action: PaymentAction) -> Ledger {
        self.try_act(action).unwrap();
        self
    }

    fn start_action(&self) -> PaymentAction {
        PaymentAction::StartOnline {
            provider: PROVIDER.into(),
            order_ref: self.payment().next_order_ref(),
            provider_order_id: format!("P{}", self.payment().orders.len() + 1),
        }
    }

    fn retry_action(&self) -> PaymentAction {
        PaymentAction::Retry {
            provider: PROVIDER.into(),
            order_ref: self.payment().next_order_ref(),
            provider_order_id: format!("P{}", self.payment().orders.len() + 1),
        }
    }

    fn start(self) -> Ledger {
        let action = self.start_action();
        self.act(action)
    }

    fn retry(self) -> Ledger {
        let action = self.retry_action();
        self.act(action)
    }

    /// The order a callback would name: the current one, or the next before any.
    fn order(&self) -> String {
        let payment = self.payment();
        payment
            .current_order()
            .map_or_else(|| payment.next_order_ref(), |o| o.order_ref.clone())
    }

    /// A new provider transaction on `order` for `amount_fen`.
    fn callback_on(
        &mut self,
        order: &str,
        status: CallbackStatus,
        amount_fen: i64,
    ) -> PaymentAction {
        self.txn += 1;
        PaymentAction::Callback {
            callback: Callback {
                merchant_id: "LD0001".into(),
                order_ref: order.into(),
                provider_txn_id: format!("T{:04}", self.txn),
                amount_fen,
                status,
                paid_at: self.now,
                nonce: format!("n{:08}", self.txn),
            },
        }
    }

    fn callback(&mut self, status: CallbackStatus) -> PaymentAction {
        let order = self.order();
        self.callback_on(&order, status, 1500)
    }

    fn succeed(mut self) -> Ledger {
        let action = self.callback(CallbackStatus::Success);
        self.act(action)
    }

    fn fail(mut self) -> Ledger {
        let action = self.callback(CallbackStatus::Failure);
        self.act(action)
    }

    fn pay_at_counter(self) -> Ledger {
        self.act(counter(1500))
    }

    fn refund(self) -> Ledger {
        self.act(refund(1500, REFUND_REASON))
    }

    fn in_state(state: PaymentState) -> Ledger {
        let ledger = Ledger::new();
        let ledger = match state {
            PaymentState::Created => ledger,
            PaymentState::Pending => ledger.start(),
            PaymentState::Paid => ledger.start().succeed(),
            PaymentState::Failed => ledger.start().fail(),
            PaymentState::Refunded => ledger.start().succeed().refund(),
        };
        assert_eq!(ledger.payment().state, state);
        ledger
    }
}

fn counter(amount_fen: i64) -> PaymentAction {
    PaymentAction::PayAtCounter {
        clerk: CLERK,
        method: CounterMethod::Cash,
        amount_fen,
    }
}

fn refund(amount_fen: i64, reason: &str) -> PaymentAction {
    PaymentAction::Refund {
        by: OFFICER,
        reason: reason.into(),
        amount_fen,
    }
}

/// Chinese, then ` / `, then English.
fn bilingual(message: &str) -> bool {
    let Some((zh, en)) = message.split_once(" / ") else {
        return false;
    };
    zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && en.chars().any(|c| c.is_ascii_alphabetic())
}

fn error_name(error: &PaymentError) -> &'static str {
    match error {
        PaymentError::NotAllowedNow { .. } => "not_allowed_now",
        PaymentError::Required { .. } => "required",
        PaymentError::NothingToPay => "nothing_to_pay",
        PaymentError::Code(_) => "code",
        PaymentError::StaleOrderRef { .. } => "stale_order_ref",
        PaymentError::UnknownOrder { .. } => "unknown_order",
        PaymentError::NotStartedYet { .. } => "not_started_yet",
        PaymentError::CounterAmountMismatch { .. } => "counter_amount_mismatch",
        PaymentError::AmountMismatch { .. } => "amount_mismatch",
        PaymentError::AlreadyPaid { .. } => "already_paid",
        PaymentError::PaidTwice { .. } => "paid_twice",
        PaymentError::CallbackConflict { .. } => "callback_conflict",
        PaymentError::RefundNotWhole { .. } => "refund_not_whole",
        PaymentError::ReasonTooShort { .. } => "reason_too_short",
    }
}

// ---------------------------------------------------------------------------------------
// Assessment

#[test]
fn given_an_item_without_fees_when_assessed_then_it_is_free_and_gets_no_notice() {
    let free = assess(CASE, &licence("XK00001000"), &[], &rules()).unwrap();
    assert!(free.lines.is_empty());
    assert!(free.is_free());
    assert_eq!(free.receivable_fen(), 0);
    assert_eq!(
        PaymentNotice::issue(&free, PREFIX, 1, "张三", CLERK, issued_at()),
        Err(PaymentError::NothingToPay)
    );
}

#[test]
fn given_no_decision_when_assessed_then_every_fee_is_at_its_standard() {
    let a = assessment();
    assert_eq!(a.case, CASE);
    assert_eq!(a.item_code.as_str(), "XK00001000");
    assert_eq!(
        a.lines,
        [
            FeeLine {
                name: "工本费".into(),
                standard_fen: 1000,
                assessed_fen: 1000,
                adjustment: None,
            },
            FeeLine {
                name: "检验费".into(),
                standard_fen: 500,
                assessed_fen: 500,
                adjustment: None,
            },
        ]
    );
    assert_eq!(a.receivable_fen(), 1500);
    assert_eq!(
        a.receivable(),
        Receivable {
            case: CASE,
            item_code: a.item_code.clone(),
            receivable_fen: 1500
        }
    );
    // Naming a fee at its standard, without an adjustment, changes nothing.
    let named = FeeDecision {
        name: " 工本费 ".into(),
        assessed_fen: 1000,
        adjustment: None,
    };
    assert_eq!(assess(CASE, &item(), &[named], &rules()).unwrap(), a);
}

#[test]
fn given_a_waiver_and_a_reduction_with_legal_reasons_when_assessed_then_the_lines_keep_them() {
    let a = assess(
        CASE,
        &item(),
        &[
            waive("检验费", "  小微企业免征检验费（财税〔2025〕1号） "),
            reduce("工本费", 500, "低保对象减半收取"),
        ],
        &rules(),
    )
    .unwrap();
    assert_eq!(a.receivable_fen(), 500);
    assert_eq!(a.lines[0].assessed_fen, 500);
    assert_eq!(
        a.lines[0].adjustment,
        Some(Adjustment {
            kind: AdjustmentKind::Reduced,
            reason: "低保对象减半收取".into()
        })
    );
    assert_eq!(a.lines[1].assessed_fen, 0);
    assert_eq!(
        a.lines[1].adjustment.as_ref().unwrap().reason,
        "小微企业免征检验费（财税〔2025〕1号）"
    );
    // Both waived: nothing to pay, no notice.
    let all = assess(
        CASE,
        &item(),
        &[
            waive("检验费", "小微企业免征"),
            waive("工本费", "小微企业免征"),
        ],
        &rules(),
    )
    .unwrap();
    assert!(all.is_free());
    assert_eq!(all.lines.len(), 2);
}

#[test]
fn given_an_assessment_off_the_rules_when_assessed_then_it_is_refused_with_the_fee_named() {
    type E = AssessmentError;
    let reason = "小微企业免征";
    let cases: Vec<(Vec<FeeDecision>, AssessmentError)> = vec![
        (
            vec![reduce("工本费", 1200, reason)],
            E::AboveStandard {
                name: "工本费".into(),
                assessed_fen: 1200,
                standard_fen: 1000,
            },
        ),
        (
            vec![FeeDecision {
                name: "工本费".into(),
                assessed_fen: 1001,
                adjustment: None,
            }],
            E::AboveStandard {
                name: "工本费".into(),
                assessed_fen: 1001,
                standard_fen: 1000,
            },
        ),
        (
            vec![reduce("工本费", -1, reason)],
            E::NegativeAmount {
                name: "工本费".into(),
                assessed_fen: -1,
            },
        ),
        (
            vec![waive("加急费", reason)],
            E::UnknownFee {
                name: "加急费".into(),
            },
        ),
        (
            vec![waive("工本费", reason), reduce(" 工本费", 500, reason)],
            E::DuplicateLine {
                name: "工本费".into(),
            },
        ),
        (
            vec![reduce("工本费", 0, reason)],
            E::ReducedToNothing {
                name: "工本费".into(),
            },
        ),
        (
            vec![FeeDecision {
                assessed_fen: 300,
                ..waive("工本费", reason)
            }],
            E::WaiverCharges {
                name: "工本费".into(),
            },
        ),
        (
            vec![FeeDecision {
                name: "工本费".into(),
                assessed_fen: 500,
                adjustment: None,
            }],
            E::AdjustmentMissing {
                name: "工本费".into(),
            },
        ),
        (
            vec![reduce("工本费", 500, " 减 半 ")],
            E::ReasonMissing {
                name: "工本费".into(),
                min_chars: 4,
            },
        ),
        (
            vec![waive("检验费", "   ")],
            E::ReasonMissing {
                name: "检验费".into(),
                min_chars: 4,
            },
        ),
        (
            vec![FeeDecision {
                assessed_fen: 1000,
                ..waive("工本费", reason)
            }],
            E::NothingAdjusted {
                name: "工本费".into(),
            },
        ),
    ];
    for (decisions, expected) in cases {
        let got = assess(CASE, &item(), &decisions, &rules());
        assert_eq!(got, Err(expected.clone()), "{decisions:?}");
        assert!(bilingual(&expected.to_string()), "{expected}");
    }
    let mut broken = item();
    broken.fees[1].amount_fen = -5;
    assert_eq!(
        assess(CASE, &broken, &[], &rules()),
        Err(E::BadStandard {
            name: "检验费".into()
        })
    );
}

#[test]
fn given_the_reason_threshold_of_the_supervision_rules_when_assessed_then_it_applies() {
    // "减半收取" has four characters: enough by default, not when the rules ask for five.
    let decision = [reduce("工本费", 500, "减半收取")];
    assert!(assess(CASE, &item(), &decision, &rules()).is_ok());
    let strict = SupervisionRules {
        min_reason_chars: 5,
        ..rules()
    };
    assert_eq!(
        assess(CASE, &item(), &decision, &strict),
        Err(AssessmentError::ReasonMissing {
            name: "工本费".into(),
            min_chars: 5
        })
    );
}

// ---------------------------------------------------------------------------------------
// Payment code

#[test]
fn given_its_parts_when_a_code_is_made_then_it_reads_prefix_date_serial_and_check() {
    let code = PaymentCode::new(PREFIX, date(2026, 1, 15), 427).unwrap();
    assert_eq!(code.as_str(), CODE);
    assert_eq!(code.prefix(), "510104");
    assert_eq!(code.date(), date(2026, 1, 15));
    assert_eq!(code.serial(), 427);
    assert_eq!(code.grouped(), "5101 0426 0115 0000 4272");
    assert_eq!(code.to_string(), CODE);
    assert_eq!(PaymentCode::parse(&code.grouped()), Ok(code.clone()));
    assert_eq!(
        format!(" {CODE}\n").parse::<PaymentCode>(),
        Ok(code.clone())
    );
    let json = serde_json::to_string(&code).unwrap();
    assert_eq!(json, format!("\"{CODE}\""));
    assert_eq!(serde_json::from_str::<PaymentCode>(&json).unwrap(), code);
    assert!(serde_json::from_str::<PaymentCode>("\"51010426011500004273\"").is_err());
}

#[test]
fn given_known_iso_7064_mod_11_10_values_when_checked_then_the_digit_matches() {
    // Croatian OIB numbers use ISO 7064 MOD 11,10: 69435151530 and 12345678903 are valid.
    assert_eq!(payment_code_check_digit("6943515153"), Some('0'));
    assert_eq!(payment_code_check_digit("1234567890"), Some('3'));
    // Computed in Python, independently.
    assert_eq!(payment_code_check_digit("0000000000000000000"), Some('6'));
    assert_eq!(payment_code_check_digit("9999999999999999999"), Some('4'));
    assert_eq!(payment_code_check_digit("1234567890123456789"), Some('5'));
    assert_eq!(payment_code_check_digit("5101042601150000427"), Some('2'));
    assert_eq!(payment_code_check_digit("12a4"), None);
}

#[test]
fn given_any_code_when_one_digit_is_wrong_then_the_check_digit_refuses_it() {
    let mut codes = vec![CODE.to_owned()];
    for serial in (0..=MAX_PAYMENT_SERIAL).step_by(97_331) {
        let day = date(2000, 1, 1) + TimeDelta::days(i64::from(serial % 36_500));
        let prefix = format!("{:06}", serial % 1_000_000);
        codes.push(PaymentCode::new(&prefix, day, serial).unwrap().to_string());
    }
    let mut tried = 0;
    for code in &codes {
        for position in 0..PAYMENT_CODE_LEN {
            for digit in b'0'..=b'9' {
                let mut bytes = code.clone().into_bytes();
                if bytes[position] == digit {
                    continue;
                }
                bytes[position] = digit;
                let corrupted = String::from_utf8(bytes).unwrap();
                tried += 1;
                assert!(
                    PaymentCode::parse(&corrupted).is_err(),
                    "{code} → {corrupted} accepted"
                );
            }
        }
    }
    assert_eq!(tried, codes.len() * PAYMENT_CODE_LEN * 9);
    // A wrong check digit alone says which one was expected.
    assert_eq!(
        PaymentCode::parse("51010426011500004270"),
        Err(PaymentCodeError::BadCheck {
            expected: '2',
            found: '0'
        })
    );
}

#[test]
fn given_malformed_input_when_a_code_is_read_or_made_then_it_is_refused() {
    type E = PaymentCodeError;
    assert_eq!(
        PaymentCode::parse("5101042601150000427"),
        Err(E::WrongLength { found: 19 })
    );
    assert_eq!(PaymentCode::parse(""), Err(E::WrongLength { found: 0 }));
    assert_eq!(
        PaymentCode::parse("5101042601150000427X"),
        Err(E::NotDigit {
            position: 20,
            character: 'X'
        })
    );
    assert_eq!(
        PaymentCode::parse("5101042601150000427２"),
        Err(E::NotDigit {
            position: 20,
            character: '２'
        })
    );
    // Month 13, with a check digit that would be right.
    let body = "5101042613150000427";
    let month13 = format!("{body}{}", payment_code_check_digit(body).unwrap());
    assert_eq!(PaymentCode::parse(&month13), Err(E::BadDate));
    assert_eq!(
        PaymentCode::new("51010", date(2026, 1, 15), 1),
        Err(E::BadPrefix("51010".into()))
    );
    assert_eq!(
        PaymentCode::new("51010a", date(2026, 1, 15), 1),
        Err(E::BadPrefix("51010a".into()))
    );
    assert_eq!(
        PaymentCode::new(PREFIX, date(1999, 12, 31), 1),
        Err(E::BadDate)
    );
    assert_eq!(
        PaymentCode::new(PREFIX, date(2100, 1, 1), 1),
        Err(E::BadDate)
    );
    assert_eq!(
        PaymentCode::new(PREFIX, date(2026, 1, 15), 10_000_000),
        Err(E::SerialOutOfRange(10_000_000))
    );
    assert!(PaymentCode::new(PREFIX, date(2099, 12, 31), MAX_PAYMENT_SERIAL).is_ok());
    for error in [
        E::WrongLength { found: 3 },
        E::NotDigit {
            position: 1,
            character: 'a',
        },
        E::BadPrefix("1".into()),
        E::BadDate,
        E::SerialOutOfRange(10_000_000),
        E::BadCheck {
            expected: '1',
            found: '2',
        },
    ] {
        assert!(bilingual(&error.to_string()), "{error}");
    }
}

#[test]
fn given_an_assessment_when_the_notice_is_issued_then_its_code_carries_the_china_date() {
    let n = notice();
    assert_eq!(n.code.as_str(), CODE);
    assert_eq!(
        (n.case, n.amount_fen, n.payer.as_str(), n.issued_by),
        (CASE, 1500, "张三", CLERK)
    );
    assert_eq!(n.lines, assessment().lines);
    // 00:30 on 16 January in China is still 15 January in UTC: the code says 16 January.
    let late = PaymentNotice::issue(
        &assessment(),
        PREFIX,
        1,
        "张三",
        CLERK,
        china(2026, 1, 16, 0) + TimeDelta::minutes(30),
    )
    .unwrap();
    assert_eq!(late.code.date(), date(2026, 1, 16));
    assert_eq!(
        PaymentNotice::issue(&assessment(), PREFIX, 1, "  ", CLERK, issued_at()),
        Err(PaymentError::Required {
            field: "payer",
            field_zh: "缴款人"
        })
    );
    assert_eq!(
        PaymentNotice::issue(&assessment(), "5101", 1, "张三", CLERK, issued_at()),
        Err(PaymentError::Code(PaymentCodeError::BadPrefix(
            "5101".into()
        )))
    );
}

// ---------------------------------------------------------------------------------------
// The payment's state machine

#[test]
fn every_state_and_action_has_a_stable_name() {
    for state in PaymentState::ALL {
        assert_eq!(state.as_str().parse::<PaymentState>(), Ok(state));
        assert_eq!(
            serde_json::to_value(state).unwrap(),
            serde_json::Value::String(state.as_str().into())
        );
        assert!(!state.name_zh().is_empty());
    }
    let names: Vec<&str> = PaymentState::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["created", "pending", "paid", "failed", "refunded"]);
    for action in PaymentActionName::ALL {
        assert_eq!(action.as_str().parse::<PaymentActionName>(), Ok(action));
    }
    assert!("settled".parse::<PaymentState>().is_err());
}

#[test]
fn every_state_by_every_action_is_allowed_or_refused_as_the_table_says() {
    use PaymentActionName as A;
    use PaymentState as S;
    let expected = |state: S, action: A| -> Result<S, &'static str> {
        match (state, action) {
            (S::Created, A::StartOnline) | (S::Failed, A::Retry) => Ok(S::Pending),
            (S::Created | S::Pending | S::Failed, A::PayAtCounter)
            | (S::Created | S::Pending, A::CallbackSuccess) => Ok(S::Paid),
            (S::Pending, A::CallbackFailure) => Ok(S::Failed),
            (S::Paid, A::Refund) => Ok(S::Refunded),
            (S::Created, A::CallbackFailure) => Err("not_started_yet"),
            (S::Paid, A::StartOnline | A::PayAtCounter | A::Retry) => Err("already_paid"),
            (S::Paid, A::CallbackSuccess) => Err("paid_twice"),
            _ => Err("not_allowed_now"),
        }
    };
    let mut allowed = 0;
    for state in PaymentState::ALL {
        for name in PaymentActionName::ALL {
            let mut ledger = Ledger::in_state(state);
            let before = ledger.events.len();
            let action = match name {
                A::StartOnline => ledger.start_action(),
                A::PayAtCounter => counter(1500),
                A::CallbackSuccess => ledger.callback(CallbackStatus::Success),
                A::CallbackFailure => ledger.callback(CallbackStatus::Failure),
                A::Retry => ledger.retry_action(),
                A::Refund => refund(1500, REFUND_REASON),
            };
            assert_eq!(action.name(), name);
            let got = ledger
                .try_act(action)
                .map(|decision| {
                    assert!(matches!(decision, Decision::Record(_)));
                    ledger.payment().state
                })
                .map_err(|e| {
                    assert!(bilingual(&e.to_string()), "{e}");
                    error_name(&e)
                });
            assert_eq!(got, expected(state, name), "{state} × {name}");
            let stored = ledger.events.len() - before;
            assert_eq!(stored, usize::from(got.is_ok()), "{state} × {name}");
            if got.is_ok() {
                allowed += 1;
                let payment = ledger.payment();
                assert_eq!(payment.version as usize, ledger.events.len());
            }
        }
    }
    // Created: start, counter, success; pending: counter, success, failure; paid: refund;
    // failed: counter, retry.
    assert_eq!(allowed, 9);
}

#[test]
fn given_an_online_payment_when_it_succeeds_then_the_events_store_and_replay() {
    let ledger = Ledger::new().start().succeed();
    let payment = ledger.payment();
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.received_fen(), 1500);
    let order = payment.current_order().unwrap();
    assert_eq!(
        (
            order.provider.as_str(),
            order.order_ref.as_str(),
            order.provider_order_id.as_str()
        ),
        (PROVIDER, "51010426011500004272-01", "P1")
    );
    assert_eq!(
        payment.settlement.as_ref().unwrap().by,
        PaidBy::Online {
            order_ref: "51010426011500004272-01".into(),
            provider_txn_id: "T0001".into()
        }
    );
    let types: Vec<&str> = ledger.events.iter().map(PaymentEvent::type_name).collect();
    assert_eq!(types, ["created", "online_started", "callback_succeeded"]);
    let json = serde_json::to_value(&ledger.events).unwrap();
    assert_eq!(json[1]["type"], "online_started");
    assert_eq!(json[2]["type"], "callback_succeeded");
    assert_eq!(json[2]["amount_fen"], 1500);
    let back: Vec<PaymentEvent> = serde_json::from_value(json).unwrap();
    assert_eq!(back, ledger.events);
    assert_eq!(Payment::replay(&back).unwrap(), payment);
    assert_eq!(ledger.events[2].at(), ledger.now);
}

#[test]
fn given_a_success_callback_when_it_is_replayed_then_it_is_already_recorded_and_paid_once() {
    let mut ledger = Ledger::new().start();
    let success = ledger.callback(CallbackStatus::Success);
    assert!(matches!(
        ledger.try_act(success.clone()),
        Ok(Decision::Record(_))
    ));
    for _ in 0..3 {
        assert_eq!(
            ledger.try_act(success.clone()),
            Ok(Decision::AlreadyRecorded)
        );
    }
    // Still recognised after a refund: a replay never pays again.
    let mut ledger = ledger.refund();
    assert_eq!(
        ledger.try_act(success.clone()),
        Ok(Decision::AlreadyRecorded)
    );
    let payment = ledger.payment();
    assert_eq!(payment.callbacks.len(), 1);
    assert_eq!(ledger.events.len(), 4);
    assert_eq!(payment.received_fen(), 0);
    // The same transaction with other contents is refused.
    let PaymentAction::Callback { mut callback } = success else {
        unreachable!()
    };
    callback.amount_fen = 1600;
    assert_eq!(
        ledger.try_act(PaymentAction::Callback { callback }),
        Err(PaymentError::CallbackConflict {
            provider_txn_id: "T0001".into()
        })
    );
}

#[test]
fn given_a_failure_callback_when_it_is_replayed_after_a_retry_then_it_is_already_recorded() {
    let mut ledger = Ledger::new().start();
    let failure = ledger.callback(CallbackStatus::Failure);
    ledger.try_act(failure.clone()).unwrap();
    assert_eq!(
        ledger.try_act(failure.clone()),
        Ok(Decision::AlreadyRecorded)
    );
    let mut ledger = ledger.retry();
    assert_eq!(ledger.payment().state, PaymentState::Pending);
    assert_eq!(ledger.try_act(failure), Ok(Decision::AlreadyRecorded));
    assert_eq!(ledger.payment().state, PaymentState::Pending);
}

#[test]
fn given_a_success_callback_for_another_amount_when_applied_then_it_is_refused_as_a_supervision_matter()
 {
    let mut ledger = Ledger::new().start();
    let order = ledger.order();
    let wrong = ledger.callback_on(&order, CallbackStatus::Success, 1600);
    let error = ledger.try_act(wrong).unwrap_err();
    assert_eq!(
        error,
        PaymentError::AmountMismatch {
            case: CASE,
            expected_fen: 1500,
            received_fen: 1600,
            provider_txn_id: "T0001".into()
        }
    );
    assert!(error.is_supervision_matter());
    assert!(!error.provider_should_retry());
    assert_eq!(ledger.payment().state, PaymentState::Pending);
    assert_eq!(ledger.events.len(), 2);
    let finding = error.finding(&item(), ledger.now).unwrap();
    assert_eq!(finding.kind, FindingKind::FeesUnreconciled);
    assert_eq!(finding.case_id, CASE);
    assert_eq!(finding.dedup_key, "case:42:fees_unreconciled");
    assert_eq!(finding.responsible.department_code, "D22");
    assert!(
        finding.description_zh.contains("应收15.00元，实收16.00元"),
        "{}",
        finding.description_zh
    );
    // Ordinary refusals make no finding.
    let other = PaymentError::UnknownOrder {
        order_ref: "x".into(),
    };
    assert!(!other.is_supervision_matter());
    assert_eq!(other.finding(&item(), ledger.now), None);
}

#[test]
fn given_a_payment_at_the_counter_when_the_online_order_also_succeeds_then_it_is_paid_twice_and_named()
 {
    let mut ledger = Ledger::new().start().pay_at_counter();
    let first = ledger.payment().settlement.unwrap();
    assert_eq!(
        first.by,
        PaidBy::Counter {
            clerk: CLERK,
            method: CounterMethod::Cash
        }
    );
    let late = ledger.callback(CallbackStatus::Success);
    let error = ledger.try_act(late).unwrap_err();
    assert_eq!(
        error,
        PaymentError::PaidTwice {
            case: CASE,
            first: first.clone(),
            provider_txn_id: "T0001".into(),
            amount_fen: 1500
        }
    );
    assert!(
        error.to_string().contains("柜台现金收款15.00元，收款人员7"),
        "{error}"
    );
    assert!(error.is_supervision_matter());
    let finding = error.finding(&item(), ledger.now).unwrap();
    assert!(
        finding
            .description_en
            .contains("receivable 15.00 yuan, received 30.00 yuan")
    );
    assert_eq!(ledger.payment().settlement, Some(first));
}

#[test]
fn given_a_paid_payment_when_paid_again_by_another_channel_then_the_error_names_the_first() {
    let mut ledger = Ledger::new().start().succeed();
    let error = ledger.try_act(counter(1500)).unwrap_err();
    let PaymentError::AlreadyPaid { first } = &error else {
        unreachable!("{error:?}")
    };
    assert_eq!(first.amount_fen, 1500);
    let message = error.to_string();
    assert!(message.contains("交易号T0001"), "{message}");
    assert!(message.contains("transaction T0001"), "{message}");
    assert!(!error.is_supervision_matter());

    let mut ledger = Ledger::new().pay_at_counter();
    let start = ledger.start_action();
    let error = ledger.try_act(start).unwrap_err();
    assert!(error.to_string().contains("clerk 7"), "{error}");
}

#[test]
fn given_a_callback_before_we_saw_the_redirect_when_it_succeeds_then_the_payment_is_paid() {
    // The order was opened at the provider but its answer never stored: still created.
    let mut ledger = Ledger::new();
    let next = ledger.payment().next_order_ref();
    assert_eq!(next, "51010426011500004272-01");
    let success = ledger.callback_on(&next, CallbackStatus::Success, 1500);
    ledger.try_act(success).unwrap();
    assert_eq!(ledger.payment().state, PaymentState::Paid);

    // Not for an order that cannot be ours yet, nor for another payment's.
    let mut ledger = Ledger::new();
    for order in [
        "51010426011500004272-02",
        "51010426011500004280-01",
        "51010426011500004272",
        "whatever",
    ] {
        let action = ledger.callback_on(order, CallbackStatus::Success, 1500);
        assert_eq!(
            ledger.try_act(action),
            Err(PaymentError::UnknownOrder {
                order_ref: order.into()
            }),
            "{order}"
        );
    }
}

#[test]
fn given_a_failure_before_the_order_is_recorded_when_applied_then_the_provider_is_to_retry() {
    let mut ledger = Ledger::new();
    let failure = ledger.callback(CallbackStatus::Failure);
    let error = ledger.try_act(failure.clone()).unwrap_err();
    assert_eq!(
        error,
        PaymentError::NotStartedYet {
            order_ref: "51010426011500004272-01".into()
        }
    );
    assert!(error.provider_should_retry());
    let mut ledger = ledger.start();
    assert!(matches!(ledger.try_act(failure), Ok(Decision::Record(_))));
    assert_eq!(ledger.payment().state, PaymentState::Failed);
}

#[test]
fn given_a_failed_order_when_retried_then_a_new_order_ref_is_needed_and_only_it_counts() {
    let mut ledger = Ledger::new().start().fail();
    // The failed order's reference again is stale.
    let stale = PaymentAction::Retry {
        provider: PROVIDER.into(),
        order_ref: "51010426011500004272-01".into(),
        provider_order_id: "P9".into(),
    };
    assert_eq!(
        ledger.try_act(stale),
        Err(PaymentError::StaleOrderRef {
            expected: "51010426011500004272-02".into(),
            given: "51010426011500004272-01".into()
        })
    );
    let mut ledger = ledger.retry();
    let payment = ledger.payment();
    assert_eq!(payment.orders.len(), 2);
    assert_eq!(
        payment.current_order().unwrap().order_ref,
        "51010426011500004272-02"
    );
    assert_eq!(ledger.events.last().unwrap().type_name(), "retried");
    // A success for the old order is not this payment's current order.
    let old = ledger.callback_on("51010426011500004272-01", CallbackStatus::Success, 1500);
    assert_eq!(
        ledger.try_act(old),
        Err(PaymentError::UnknownOrder {
            order_ref: "51010426011500004272-01".into()
        })
    );
    let ledger = ledger.succeed();
    assert_eq!(ledger.payment().state, PaymentState::Paid);
    assert_eq!(ledger.payment().next_order_ref(), "51010426011500004272-03");
}

#[test]
fn given_blank_or_stale_details_when_starting_online_then_it_is_refused() {
    let mut ledger = Ledger::new();
    let next = ledger.payment().next_order_ref();
    let start = |provider: &str, order_ref: &str, id: &str| PaymentAction::StartOnline {
        provider: provider.into(),
        order_ref: order_ref.into(),
        provider_order_id: id.into(),
    };
    assert_eq!(
        ledger.try_act(start(" ", &next, "P1")),
        Err(PaymentError::Required {
            field: "provider",
            field_zh: "支付平台"
        })
    );
    assert_eq!(
        ledger.try_act(start(PROVIDER, &next, "")),
        Err(PaymentError::Required {
            field: "provider_order_id",
            field_zh: "平台订单号"
        })
    );
    assert!(matches!(
        ledger.try_act(start(PROVIDER, "51010426011500004272-02", "P1")),
        Err(PaymentError::StaleOrderRef { .. })
    ));
    assert!(ledger.try_act(start(PROVIDER, &next, "P1")).is_ok());
}

#[test]
fn given_the_counter_when_another_amount_is_taken_then_it_is_refused() {
    let mut ledger = Ledger::new();
    assert_eq!(
        ledger.try_act(counter(1000)),
        Err(PaymentError::CounterAmountMismatch {
            expected_fen: 1500,
            given_fen: 1000
        })
    );
    let ledger = ledger.act(PaymentAction::PayAtCounter {
        clerk: CLERK,
        method: CounterMethod::Card,
        amount_fen: 1500,
    });
    let payment = ledger.payment();
    assert_eq!(payment.state, PaymentState::Paid);
    assert_eq!(payment.settlement.unwrap().paid_at, ledger.now);
}

#[test]
fn given_a_paid_payment_when_refunded_then_it_is_whole_with_a_reason() {
    let mut ledger = Ledger::new().pay_at_counter();
    assert_eq!(
        ledger.try_act(refund(1000, REFUND_REASON)),
        Err(PaymentError::RefundNotWhole {
            paid_fen: 1500,
            given_fen: 1000
        })
    );
    assert_eq!(
        ledger.try_act(refund(1500, " 退 ")),
        Err(PaymentError::ReasonTooShort { min_chars: 4 })
    );
    let ledger = ledger.refund();
    let payment = ledger.payment();
    assert_eq!(payment.state, PaymentState::Refunded);
    assert_eq!(payment.received_fen(), 0);
    let refund = payment.refund.unwrap();
    assert_eq!(
        (refund.by, refund.reason.as_str(), refund.amount_fen),
        (OFFICER, REFUND_REASON, 1500)
    );
}

#[test]
fn given_a_broken_history_when_replayed_then_it_is_refused() {
    let ledger = Ledger::new().start();
    assert!(Payment::replay(&[]).is_err());
    assert!(Payment::replay(&ledger.events[1..]).is_err());
    let twice = [ledger.events[0].clone(), ledger.events[0].clone()];
    let error = Payment::replay(&twice).unwrap_err();
    assert!(bilingual(&error.to_string()), "{error}");
}

#[test]
fn given_our_order_refs_when_parsed_then_they_name_the_payment_and_the_attempt() {
    let code = PaymentCode::parse(CODE).unwrap();
    assert_eq!(order_ref(&code, 1), "51010426011500004272-01");
    assert_eq!(order_ref(&code, 123), "51010426011500004272-123");
    assert_eq!(
        parse_order_ref("51010426011500004272-07"),
        Some((code.clone(), 7))
    );
    assert_eq!(
        parse_order_ref("51010426011500004272-123"),
        Some((code, 123))
    );
    for bad in [
        "51010426011500004272-1",
        "51010426011500004272-00",
        "51010426011500004272-007",
        "51010426011500004273-01",
        "51010426011500004272-0a",
        "51010426011500004272",
        "",
    ] {
        assert_eq!(parse_order_ref(bad), None, "{bad}");
    }
}

// ---------------------------------------------------------------------------------------
// The provider protocol

/// The known example: a success for 15.00 yuan, paid at 10:03:04 China time.
fn example() -> Vec<(String, String)> {
    fields(&[
        ("merchant_id", "LD0001"),
        ("order_ref", "51010426011500004272-01"),
        ("provider_txn_id", "T2026011500001"),
        ("amount_fen", "1500"),
        ("status", "success"),
        ("paid_at", "2026-01-15T02:03:04Z"),
        ("nonce", "4f3c2a1b9e8d7c6b"),
    ])
}

/// HMAC-SHA256 of the example's canonical string under `SECRET`, from
/// `python3 -c 'import hmac,hashlib; print(hmac.new(b"liandong-test-secret-0123456789",
/// b"amount_fen=1500&merchant_id=LD0001&…&status=success", hashlib.sha256).hexdigest())'`.
const EXAMPLE_SIGNATURE: &str = "72ffad3d4a85503e2a69e6dd68aecd8f5013c02a1f1eae0c2a621d82cd2c8583";

fn signed(mut fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let signature = sign(SECRET, &fields).unwrap();
    fields.push((SIGNATURE_FIELD.into(), signature));
    fields
}

fn example_now() -> DateTime<Utc> {
    china(2026, 1, 15, 10) + TimeDelta::minutes(5)
}

fn verify(fields: &[(String, String)]) -> Result<Callback, CallbackError> {
    verify_callback(&merchant(), fields, example_now())
}

/// The example with one field replaced (or removed, for `None`), signed again.
fn example_with(field: &str, value: Option<&str>) -> Vec<(String, String)> {
    let fields = example()
        .into_iter()
        .filter_map(|(k, v)| {
            if k == field {
                value.map(|value| (k, value.to_owned()))
            } else {
                Some((k, v))
            }
        })
        .collect();
    signed(fields)
}

#[test]
fn given_the_known_example_when_made_canonical_then_the_bytes_are_exact() {
    assert_eq!(
        canonical_string(&example()).unwrap(),
        "amount_fen=1500&merchant_id=LD0001&nonce=4f3c2a1b9e8d7c6b&order_ref=51010426011500004272-01&paid_at=2026-01-15T02:03:04Z&provider_txn_id=T2026011500001&status=success"
    );
    // The signature is never part of it, and the order given does not matter.
    let mut shuffled = signed(example());
    shuffled.reverse();
    assert_eq!(
        canonical_string(&shuffled).unwrap(),
        canonical_string(&example()).unwrap()
    );
    assert_eq!(canonical_string(&[]).unwrap(), "");
}

#[test]
fn given_the_known_example_when_signed_then_it_matches_the_independent_hmac() {
    assert_eq!(sign(SECRET, &example()).unwrap(), EXAMPLE_SIGNATURE);
    assert_eq!(
        sign(b"another-secret-0123456789", &example())
            .unwrap()
            .len(),
        64
    );
    assert_ne!(
        sign(b"another-secret-0123456789", &example()).unwrap(),
        EXAMPLE_SIGNATURE
    );
}

#[test]
fn given_the_known_example_when_verified_then_the_callback_is_read() {
    let mut fields = example();
    fields.push((SIGNATURE_FIELD.into(), EXAMPLE_SIGNATURE.into()));
    let callback = verify(&fields).unwrap();
    assert_eq!(
        callback,
        Callback {
            merchant_id: "LD0001".into(),
            order_ref: "51010426011500004272-01".into(),
            provider_txn_id: "T2026011500001".into(),
            amount_fen: 1500,
            status: CallbackStatus::Success,
            paid_at: china(2026, 1, 15, 10) + TimeDelta::seconds(184),
            nonce: "4f3c2a1b9e8d7c6b".into(),
        }
    );
    // What a provider sends, from the callback: the same fields, the same signature.
    assert_eq!(sign(SECRET, &callback.fields()).unwrap(), EXAMPLE_SIGNATURE);
    // Upper-case hex is the same signature.
    fields.last_mut().unwrap().1 = EXAMPLE_SIGNATURE.to_ascii_uppercase();
    assert!(verify(&fields).is_ok());
    // Another offset is the same instant.
    let china_time = verify(&example_with("paid_at", Some("2026-01-15T10:03:04+08:00"))).unwrap();
    assert_eq!(china_time.paid_at, callback.paid_at);
    // Fields we do not know are signed over and otherwise ignored.
    let mut extra = example();
    extra.push(("channel".into(), "wechat".into()));
    assert!(verify(&signed(extra.clone())).is_ok());
    let mut unsigned_extra = example();
    unsigned_extra.push((SIGNATURE_FIELD.into(), EXAMPLE_SIGNATURE.into()));
    unsigned_extra.push(("channel".into(), "wechat".into()));
    assert_eq!(verify(&unsigned_extra), Err(CallbackError::BadSignature));
}

#[test]
fn given_a_forged_callback_when_verified_then_the_signature_is_refused() {
    // A field changed after signing.
    let mut forged = example();
    forged.push((SIGNATURE_FIELD.into(), EXAMPLE_SIGNATURE.into()));
    forged[3].1 = "1".into();
    assert_eq!(verify(&forged), Err(CallbackError::BadSignature));
    // Signed with another secret.
    let mut other = example();
    other.push((
        SIGNATURE_FIELD.into(),
        sign(b"not-our-secret-at-all-00", &example()).unwrap(),
    ));
    assert_eq!(verify(&other), Err(CallbackError::BadSignature));
    // Not hex, too short, too long, a single bit off.
    let mut flipped = EXAMPLE_SIGNATURE.to_owned();
    flipped.replace_range(63..64, "2");
    for signature in [
        "zz",
        "72ffad3d",
        &format!("{EXAMPLE_SIGNATURE}00"),
        &EXAMPLE_SIGNATURE[..63],
        &flipped,
    ] {
        let mut fields = example();
        fields.push((SIGNATURE_FIELD.into(), signature.into()));
        assert_eq!(
            verify(&fields),
            Err(CallbackError::BadSignature),
            "{signature}"
        );
    }
}

#[test]
fn given_a_callback_without_one_of_its_fields_when_verified_then_that_field_is_named() {
    for field in CALLBACK_FIELDS {
        assert_eq!(
            verify(&example_with(field, None)),
            Err(CallbackError::MissingField {
                field: field.into()
            }),
            "{field}"
        );
        assert_eq!(
            verify(&example_with(field, Some(""))),
            Err(CallbackError::MissingField {
                field: field.into()
            }),
            "{field} empty"
        );
    }
    assert_eq!(
        verify(&example()),
        Err(CallbackError::MissingField {
            field: "signature".into()
        })
    );
}

#[test]
fn given_a_field_twice_when_verified_then_it_is_refused() {
    let mut twice = signed(example());
    twice.push(("amount_fen".into(), "1500".into()));
    assert_eq!(
        verify(&twice),
        Err(CallbackError::DuplicateField {
            field: "amount_fen".into()
        })
    );
    let mut two_signatures = signed(example());
    two_signatures.push((SIGNATURE_FIELD.into(), EXAMPLE_SIGNATURE.into()));
    assert_eq!(
        verify(&two_signatures),
        Err(CallbackError::DuplicateField {
            field: "signature".into()
        })
    );
    let mut fields = example();
    fields.push(("amount_fen".into(), "1".into()));
    assert!(matches!(
        sign(SECRET, &fields),
        Err(CallbackError::DuplicateField { .. })
    ));
}

#[test]
fn given_bad_values_when_verified_then_each_is_refused_even_when_signed() {
    for amount in [
        "0",
        "-1",
        "+1500",
        "01500",
        "15.00",
        "1e3",
        " 1500",
        "1500 ",
        "１５００",
        "1234567890123456",
    ] {
        assert_eq!(
            verify(&example_with("amount_fen", Some(amount))),
            Err(CallbackError::BadAmount {
                value: amount.into()
            }),
            "{amount}"
        );
    }
    assert_eq!(
        verify(&example_with("amount_fen", Some("123456789012345")))
            .unwrap()
            .amount_fen,
        123_456_789_012_345
    );
    for status in ["SUCCESS", "ok", " success", "paid"] {
        assert_eq!(
            verify(&example_with("status", Some(status))),
            Err(CallbackError::BadStatus {
                value: status.into()
            }),
            "{status}"
        );
    }
    assert_eq!(
        verify(&example_with("status", Some("failure")))
            .unwrap()
            .status,
        CallbackStatus::Failure
    );
    for time in [
        "2026-01-15 02:03:04",
        "2026-01-15T02:03:04",
        "2026-13-01T00:00:00Z",
        "1768442584",
        "yesterday",
    ] {
        assert_eq!(
            verify(&example_with("paid_at", Some(time))),
            Err(CallbackError::BadTimestamp { value: time.into() }),
            "{time}"
        );
    }
    assert_eq!(
        verify(&example_with("merchant_id", Some("LD0002"))),
        Err(CallbackError::WrongMerchant {
            found: "LD0002".into()
        })
    );
    let long = "T".repeat(MAX_ID_CHARS + 1);
    assert_eq!(
        verify(&example_with("provider_txn_id", Some(&long))),
        Err(CallbackError::TooLong {
            field: "provider_txn_id".into(),
            max: MAX_ID_CHARS
        })
    );
}

#[test]
fn given_values_that_would_make_the_canonical_string_ambiguous_then_they_are_refused() {
    for value in ["1500&status=success", "a=b", "line\nbreak"] {
        assert_eq!(
            canonical_string(&fields(&[("nonce", value)])),
            Err(CallbackError::ForbiddenCharacter {
                field: "nonce".into()
            }),
            "{value:?}"
        );
    }
    for name in ["Amount", "amount fen", "", "a&b", "签名"] {
        assert_eq!(
            canonical_string(&fields(&[(name, "1")])),
            Err(CallbackError::BadFieldName { field: name.into() }),
            "{name:?}"
        );
    }
    // `amount_fen=1500&status=success` can only come from two fields.
    let mut smuggled = fields(&[("amount_fen", "1500&status=success")]);
    smuggled.push((SIGNATURE_FIELD.into(), EXAMPLE_SIGNATURE.into()));
    assert!(verify(&smuggled).is_err());
}

#[test]
fn given_a_callback_outside_the_replay_window_when_verified_then_it_is_refused() {
    let paid_at = china(2026, 1, 15, 10) + TimeDelta::seconds(184);
    let fields = signed(example());
    for (offset, ok) in [
        (-30, true),
        (30, true),
        (0, true),
        (-31, false),
        (31, false),
    ] {
        let now = paid_at + TimeDelta::minutes(offset);
        let got = verify_callback(&merchant(), &fields, now);
        if ok {
            assert!(got.is_ok(), "{offset}");
        } else {
            assert_eq!(
                got,
                Err(CallbackError::OutsideWindow {
                    paid_at,
                    minutes: 30
                }),
                "{offset}"
            );
        }
    }
    let strict = Merchant::new("LD0001", SECRET, 1).unwrap();
    assert!(verify_callback(&strict, &fields, example_now()).is_err());
}

#[test]
fn given_a_merchant_when_configured_then_the_secret_is_long_enough_and_never_shown() {
    assert_eq!(
        Merchant::new("LD0001", b"short", 30),
        Err(CallbackError::WeakSecret)
    );
    assert!(matches!(
        Merchant::new(" ", SECRET, 30),
        Err(CallbackError::MissingField { .. })
    ));
    assert!(matches!(
        Merchant::new("LD&1", SECRET, 30),
        Err(CallbackError::ForbiddenCharacter { .. })
    ));
    let m = merchant();
    assert_eq!(
        (m.merchant_id(), m.secret(), m.replay_window_minutes()),
        ("LD0001", SECRET, 30)
    );
    let shown = format!("{m:?}");
    assert!(!shown.contains("liandong-test-secret"), "{shown}");
    assert!(shown.contains("redacted"));
    for error in [
        CallbackError::MissingField { field: "x".into() },
        CallbackError::DuplicateField { field: "x".into() },
        CallbackError::BadFieldName { field: "X".into() },
        CallbackError::ForbiddenCharacter { field: "x".into() },
        CallbackError::TooLong {
            field: "x".into(),
            max: 64,
        },
        CallbackError::BadAmount { value: "x".into() },
        CallbackError::BadStatus { value: "x".into() },
        CallbackError::BadTimestamp { value: "x".into() },
        CallbackError::BadSignature,
        CallbackError::WrongMerchant { found: "x".into() },
        CallbackError::OutsideWindow {
            paid_at: issued_at(),
            minutes: 30,
        },
        CallbackError::WeakSecret,
    ] {
        assert!(bilingual(&error.to_string()), "{error}");
    }
}

#[test]
fn given_a_payment_waiting_for_an_order_when_the_request_is_made_then_it_is_signed_as_documented() {
    let ledger = Ledger::new();
    let request = OrderRequest::for_payment(
        &ledger.payment(),
        &merchant(),
        "https://zwfw.example.gov.cn/api/v1/payments/callback",
        "https://zwfw.example.gov.cn/pay/done",
        issued_at(),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    )
    .unwrap();
    let signed = request.signed_fields(&merchant()).unwrap();
    assert_eq!(
        canonical_string(&signed).unwrap(),
        "amount_fen=1500&merchant_id=LD0001&nonce=000102030405060708090a0b0c0d0e0f&notify_url=https://zwfw.example.gov.cn/api/v1/payments/callback&order_ref=51010426011500004272-01&return_url=https://zwfw.example.gov.cn/pay/done&subject=政务服务收费 51010426011500004272&timestamp=2026-01-15T02:00:00Z"
    );
    // From Python's hmac over the UTF-8 bytes of that string.
    assert_eq!(
        signed.last().unwrap(),
        &(
            "signature".to_owned(),
            "0a1fe0ea4f08723d25d3276b83e582d3edd493ec3c93242773f74320136dc7a0".to_owned()
        )
    );
    assert!(CALLBACK_PATH.starts_with("/api/v1/payments"));

    // Not while an order is open or once paid; after a failure, the next attempt.
    let pending = Ledger::new().start();
    assert!(matches!(
        OrderRequest::for_payment(
            &pending.payment(),
            &merchant(),
            "u",
            "r",
            issued_at(),
            [0; 16]
        ),
        Err(PaymentError::NotAllowedNow { .. })
    ));
    let paid = Ledger::new().pay_at_counter();
    assert!(matches!(
        OrderRequest::for_payment(&paid.payment(), &merchant(), "u", "r", issued_at(), [0; 16]),
        Err(PaymentError::AlreadyPaid { .. })
    ));
    let failed = Ledger::new().start().fail();
    let retry = OrderRequest::for_payment(
        &failed.payment(),
        &merchant(),
        "u",
        "r",
        issued_at(),
        [0; 16],
    )
    .unwrap();
    assert_eq!(retry.order_ref, "51010426011500004272-02");
    assert!(matches!(
        OrderRequest::for_payment(
            &failed.payment(),
            &merchant(),
            " ",
            "r",
            issued_at(),
            [0; 16]
        ),
        Err(PaymentError::Required { .. })
    ));
    // A URL that would break the canonical string cannot be signed.
    let bad = OrderRequest {
        notify_url: "https://x/cb?a=1&b=2".into(),
        ..retry
    };
    assert!(matches!(
        bad.signed_fields(&merchant()),
        Err(CallbackError::ForbiddenCharacter { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Reconciliation

fn payment_of(case: CaseId, serial: u32, history: impl Fn(Ledger) -> Ledger) -> Payment {
    let assessment = Assessment {
        case,
        ..assessment()
    };
    let notice =
        PaymentNotice::issue(&assessment, PREFIX, serial, "张三", CLERK, issued_at()).unwrap();
    let ledger = Ledger {
        events: vec![create(notice)],
        now: issued_at(),
        txn: serial * 100,
    };
    history(ledger).payment()
}

fn receivable(case: i64, item_code: &str, fen: i64) -> Receivable {
    Receivable {
        case: CaseId(case),
        item_code: ItemCode::parse(item_code).unwrap(),
        receivable_fen: fen,
    }
}

#[test]
fn given_a_day_of_receivables_and_payments_when_reconciled_then_differences_become_findings() {
    let items: BTreeMap<ItemCode, ServiceItem> = [(item().code.clone(), item())].into();
    let code = "XK00001000";
    let receivables = [
        // 1: paid in full online. 2: unpaid. 3: paid, then refunded. 5: free.
        receivable(1, code, 1500),
        receivable(2, code, 1500),
        receivable(3, code, 1500),
        receivable(5, code, 0),
        // 6: an item not in the catalog given, and unpaid.
        receivable(6, "XK00009000", 800),
        // 7: two lines of one case add up; paid once at the counter.
        receivable(7, code, 1000),
        receivable(7, code, 500),
    ];
    let payments = [
        payment_of(CaseId(1), 1, |l| l.start().succeed()),
        payment_of(CaseId(2), 2, |l| l.start().fail()),
        payment_of(CaseId(3), 3, |l| l.pay_at_counter().refund()),
        // 4: money in for a case with nothing receivable that day.
        payment_of(CaseId(4), 4, Ledger::pay_at_counter),
        payment_of(CaseId(7), 7, Ledger::pay_at_counter),
    ];
    let at = china(2026, 1, 15, 18);
    let r = reconcile(date(2026, 1, 15), &receivables, &payments, &items, at);
    let rows: Vec<(i64, i64, i64, i64)> = r
        .cases
        .iter()
        .map(|c| (c.case.0, c.receivable_fen, c.received_fen, c.difference_fen))
        .collect();
    assert_eq!(
        rows,
        [
            (1, 1500, 1500, 0),
            (2, 1500, 0, -1500),
            (3, 1500, 0, -1500),
            (4, 0, 1500, 1500),
            (5, 0, 0, 0),
            (6, 800, 0, -800),
            (7, 1500, 1500, 0),
        ]
    );
    assert_eq!(
        r.summary,
        DaySummary {
            day: date(2026, 1, 15),
            receivable_fen: 6800,
            received_fen: 4500,
            cases_matched: 3,
            cases_differing: 4,
        }
    );
    // Findings through supervision's own check, with its dedup keys.
    let found: Vec<(i64, FindingKind, &str)> = r
        .findings
        .iter()
        .map(|f| (f.case_id.0, f.kind, f.dedup_key.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (2, FindingKind::FeesUnreconciled, "case:2:fees_unreconciled"),
            (3, FindingKind::FeesUnreconciled, "case:3:fees_unreconciled"),
            (4, FindingKind::FeesUnreconciled, "case:4:fees_unreconciled"),
        ]
    );
    for f in &r.findings {
        let balance = r.cases.iter().find(|c| c.case == f.case_id).unwrap();
        let expected = check_receipts(
            f.case_id,
            &item(),
            balance.receivable_fen,
            balance.received_fen,
            at,
        )
        .unwrap();
        assert_eq!(f, &expected);
    }
    assert_eq!(r.unknown_items, [ItemCode::parse("XK00009000").unwrap()]);
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<Reconciliation>(&json).unwrap(), r);
}

#[test]
fn given_the_cases_standing_when_a_days_notices_are_reconciled_then_only_what_is_wrong_is_a_finding()
 {
    let items = BTreeMap::from([(item().code.clone(), item())]);
    let payments = [
        // 1: paid in full. 2: open, not paid yet: waiting. 3: concluded unpaid.
        payment_of(CaseId(1), 1, Ledger::pay_at_counter),
        payment_of(CaseId(2), 2, |l| l),
        payment_of(CaseId(3), 3, |l| l.start().fail()),
        // 4: withdrawn and refunded: nothing owed, nothing kept. 5: withdrawn, money kept.
        payment_of(CaseId(4), 4, |l| l.pay_at_counter().refund()),
        payment_of(CaseId(5), 5, Ledger::pay_at_counter),
    ];
    let standing = BTreeMap::from([
        (CaseId(1), CaseStanding::Closed),
        (CaseId(2), CaseStanding::Open),
        (CaseId(3), CaseStanding::Closed),
        (CaseId(4), CaseStanding::Withdrawn),
        (CaseId(5), CaseStanding::Withdrawn),
    ]);
    let r = reconcile_notices(
        date(2026, 1, 15),
        &payments,
        &standing,
        &items,
        china(2026, 1, 16, 1),
    );
    assert_eq!(r.awaiting_payment, [CaseId(2)]);
    let found: Vec<i64> = r.findings.iter().map(|f| f.case_id.0).collect();
    assert_eq!(found, [3, 5]);
    let owed: Vec<(i64, i64)> = r
        .cases
        .iter()
        .map(|c| (c.case.0, c.receivable_fen))
        .collect();
    assert_eq!(owed, [(1, 1500), (2, 1500), (3, 1500), (4, 0), (5, 0)]);
    // A case the caller could not place counts as closed: unpaid is then a finding.
    let r = reconcile_notices(
        date(2026, 1, 15),
        &payments[1..2],
        &BTreeMap::new(),
        &items,
        china(2026, 1, 16, 1),
    );
    assert!(r.awaiting_payment.is_empty());
    assert_eq!(r.findings.len(), 1);
}

#[test]
fn given_nothing_when_reconciled_then_the_day_is_empty_and_matched() {
    let r = reconcile(
        date(2026, 1, 15),
        &[],
        &[],
        &BTreeMap::new(),
        china(2026, 1, 15, 18),
    );
    assert!(r.cases.is_empty() && r.findings.is_empty() && r.unknown_items.is_empty());
    assert_eq!((r.summary.cases_matched, r.summary.cases_differing), (0, 0));
}

// ---------------------------------------------------------------------------------------
// Properties

/// Field names: mostly the protocol's, sometimes anything.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(
            CALLBACK_FIELDS
                .iter()
                .chain([&SIGNATURE_FIELD])
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        ),
        1 => any::<String>(),
        1 => "[a-z_]{0,12}",
    ]
}

fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{0,20}",
        "-?[0-9]{1,5}(\\.[0-9]{1,2})?",
        Just("success".to_owned()),
        Just("failure".to_owned()),
        Just("2026-01-15T02:03:04Z".to_owned()),
        "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9](Z|[+-][0-1][0-9]:[0-5][0-9])",
        Just("LD0001".to_owned()),
        "[0-9a-fA-F]{0,70}",
    ]
}

/// The known example with each field kept, replaced or dropped at random, then signed (or
/// not): every path of `verify_callback`, past the signature too.
fn mutated_example() -> impl Strategy<Value = (Vec<(String, String)>, bool)> {
    (
        proptest::collection::vec(
            prop_oneof![
                3 => Just(None),
                1 => Just(Some(None)),
                2 => field_value().prop_map(|v| Some(Some(v))),
            ],
            7,
        ),
        any::<bool>(),
    )
        .prop_map(|(changes, sign_it)| {
            let fields: Vec<(String, String)> = example()
                .into_iter()
                .zip(changes)
                .filter_map(|((k, v), change)| match change {
                    None => Some((k, v)),
                    Some(None) => None,
                    Some(Some(new)) => Some((k, new)),
                })
                .collect();
            (fields, sign_it)
        })
}

/// A pool of actions on one payment, with repeated provider transactions.
fn any_action() -> impl Strategy<Value = (u8, u8, u8, bool)> {
    (0u8..6, 0u8..4, 1u8..4, any::<bool>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn verify_callback_never_panics_on_arbitrary_fields(
        raw in proptest::collection::vec((field_name(), field_value()), 0..12),
        now_offset in -100_000i64..100_000,
    ) {
        let now = example_now() + TimeDelta::seconds(now_offset);
        let _ = verify_callback(&merchant(), &raw, now);
        let _ = canonical_string(&raw);
        let _ = sign(SECRET, &raw);
    }

    #[test]
    fn verify_callback_never_panics_on_signed_mutations_and_accepts_only_whole_callbacks(
        (fields, sign_it) in mutated_example(),
    ) {
        let fields = if sign_it {
            match sign(SECRET, &fields) {
                Ok(signature) => {
                    let mut fields = fields;
                    fields.push((SIGNATURE_FIELD.into(), signature));
                    fields
                }
                Err(_) => fields,
            }
        } else {
            fields
        };
        if let Ok(callback) = verify(&fields) {
            prop_assert!(callback.amount_fen > 0);
            prop_assert!(sign(SECRET, &callback.fields()).is_ok());
            for field in CALLBACK_FIELDS {
                prop_assert!(fields.iter().any(|(k, v)| k == field && !v.is_empty()));
            }
        }
    }

    #[test]
    fn payment_codes_round_trip(
        prefix in "[0-9]{6}",
        days in 0i64..36_524,
        serial in 0u32..=MAX_PAYMENT_SERIAL,
    ) {
        let day = date(2000, 1, 1) + TimeDelta::days(days);
        let code = PaymentCode::new(&prefix, day, serial).unwrap();
        prop_assert_eq!(code.as_str().len(), PAYMENT_CODE_LEN);
        prop_assert_eq!(PaymentCode::parse(code.as_str()), Ok(code.clone()));
        prop_assert_eq!(code.grouped().parse::<PaymentCode>(), Ok(code.clone()));
        prop_assert_eq!(code.prefix(), prefix.as_str());
        prop_assert_eq!(code.date(), day);
        prop_assert_eq!(code.serial(), serial);
        let json = serde_json::to_string(&code).unwrap();
        prop_assert_eq!(serde_json::from_str::<PaymentCode>(&json).unwrap(), code.clone());
        let order = order_ref(&code, serial % 200 + 1);
        prop_assert_eq!(parse_order_ref(&order), Some((code, serial % 200 + 1)));
    }

    #[test]
    fn payment_code_parsing_never_panics(text in any::<String>()) {
        if let Ok(code) = PaymentCode::parse(&text) {
            prop_assert_eq!(PaymentCode::parse(code.as_str()), Ok(code.clone()));
        }
        let _ = parse_order_ref(&text);
    }

    #[test]
    fn whatever_happens_a_payment_is_paid_at_most_once(
        actions in proptest::collection::vec(any_action(), 0..24),
    ) {
        let mut ledger = Ledger::new();
        for (kind, txn, attempt, wrong_amount) in actions {
            let amount = if wrong_amount { 1600 } else { 1500 };
            let code = ledger.payment().notice.code.clone();
            let order = order_ref(&code, u32::from(attempt));
            let action = match kind {
                0 => ledger.start_action(),
                1 => ledger.retry_action(),
                2 => counter(amount),
                3 | 4 => {
                    let status = if kind == 3 { CallbackStatus::Success } else { CallbackStatus::Failure };
                    PaymentAction::Callback {
                        callback: Callback {
                            merchant_id: "LD0001".into(),
                            order_ref: order,
                            provider_txn_id: format!("T{txn}{}", kind - 3),
                            amount_fen: amount,
                            status,
                            paid_at: ledger.now,
                            nonce: "n".into(),
                        },
                    }
                }
                _ => refund(amount, REFUND_REASON),
            };
            let _ = ledger.try_act(action);
            let payment = ledger.payment();
            let paying = ledger
                .events
                .iter()
                .filter(|e| matches!(e, PaymentEvent::CounterPaid { .. } | PaymentEvent::CallbackSucceeded { .. }))
                .count();
            prop_assert!(paying <= 1);
            prop_assert!(payment.received_fen() == 0 || payment.received_fen() == 1500);
            prop_assert_eq!(payment.received_fen() == 1500, payment.state == PaymentState::Paid);
            prop_assert_eq!(payment.version as usize, ledger.events.len());
            let mut seen = std::collections::BTreeSet::new();
            for c in &payment.callbacks {
                prop_assert!(seen.insert(c.provider_txn_id.clone()));
            }
        }
    }
}
