//! Fees and payment (收费): the payment notice issued with the acceptance of a case whose item
//! has fees, the fee window's counter payment, and the provider's signed callbacks, booked
//! once however often they come. Rules: `liandong_domain::payment`; docs/payments.md.

use chrono::{DateTime, Utc};
use liandong_domain::case::CaseState;
use liandong_domain::catalog::ServiceItem;
use liandong_domain::organization::{CaseId, Role, StaffId};
use liandong_domain::payment::{
    Assessment, CALLBACK_PATH, CaseStanding, CounterMethod, Decision, FeeDecision, Merchant,
    OrderRequest, Payment, PaymentAction, PaymentContext, PaymentError, PaymentNotice, REPLY_FAIL,
    REPLY_SUCCESS, Reconciliation, assess, create, decide, parse_order_ref, verify_callback,
};
use liandong_store::{
    PaymentRecord, ReconciliationRecord, StoreError, StoredCase, StoredPayment, WriteTx,
};
use rand::RngCore;
use serde::Serialize;

use crate::progress::CaseClaim;
use crate::{App, AppError, Result, Session};

/// A payment as staff see it: the row and its fold (notice, orders, settlement).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub record: PaymentRecord,
    pub payment: Payment,
}

/// A day's reconciliation: what was recorded, and the cases in detail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DayReconciliation {
    pub record: ReconciliationRecord,
    pub reconciliation: Reconciliation,
}

/// What the acceptance of a case with fees writes with it: the notice, or, when every fee
/// was waived, the waiver on the audit trail (there is nothing to pay, so no notice).
pub(crate) enum PlannedFees {
    Notice(PlannedNotice),
    Waived {
        assessment: Assessment,
        by: StaffId,
        at: DateTime<Utc>,
    },
}

impl PlannedFees {
    pub(crate) async fn write(&self, tx: &mut WriteTx, case: CaseId) -> Result<(), StoreError> {
        match self {
            PlannedFees::Notice(notice) => notice.issue(tx, case).await,
            PlannedFees::Waived { assessment, by, at } => {
                tx.audit(&liandong_store::AuditEntry {
                    at: *at,
                    actor_id: Some(*by),
                    action: "fees_waived".into(),
                    target: format!("case:{}", case.0),
                    detail: serde_json::to_string(&assessment.lines).unwrap_or_default(),
                })
                .await
            }
        }
    }
}

/// What the acceptance of a case with fees issues, decided before its write.
pub(crate) struct PlannedNotice {
    assessment: Assessment,
    prefix: String,
    payer: String,
    issued_by: StaffId,
    at: DateTime<Utc>,
}

impl PlannedNotice {
    /// Issues the notice inside the acceptance's transaction: the code's serial comes from
    /// the unit's sequence of the day, so notice and acceptance exist together or not at all.
    pub(crate) async fn issue(&self, tx: &mut WriteTx, case: CaseId) -> Result<(), StoreError> {
        let day = liandong_domain::calendar::china_date(self.at);
        let serial = tx.next_payment_serial(&self.prefix, day).await?;
        let notice = PaymentNotice::issue(
            &self.assessment,
            &self.prefix,
            serial,
            &self.payer,
            self.issued_by,
            self.at,
        )
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let created = create(notice);
        let payment = Payment::replay(std::slice::from_ref(&created))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.insert_payment(case, &created, &payment).await?;
        Ok(())
    }
}

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Storage(StoreError::Corrupt(e.to_string()))
}

fn view(stored: StoredPayment) -> Result<PaymentView> {
    let payment = Payment::replay(&stored.events).map_err(corrupt)?;
    Ok(PaymentView {
        record: stored.record,
        payment,
    })
}

impl From<PaymentError> for AppError {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::NotAllowedNow { .. } | PaymentError::AlreadyPaid { .. } => {
                AppError::Forbidden(e.to_string())
            }
            other => AppError::invalid("payment", other.to_string(), other.to_string()),
        }
    }
}

impl App {
    /// The notice an acceptance issues: the item's fees at their standards unless the
    /// officer waived or reduced one with its legal reason (an item without fees issues
    /// none), coded with the receiving unit's code.
    pub(crate) async fn plan_notice(
        &self,
        stored: &StoredCase,
        item: &ServiceItem,
        decisions: &[FeeDecision],
        issued_by: StaffId,
        at: DateTime<Utc>,
    ) -> Result<Option<PlannedFees>> {
        if item.fees.iter().all(|f| f.amount_fen <= 0) {
            if decisions.is_empty() {
                return Ok(None);
            }
            return Err(AppError::invalid(
                "fees",
                "该事项不收费，无需减免",
                "the item charges no fee: there is nothing to waive",
            ));
        }
        let assessment = assess(stored.summary.id, item, decisions, &self.supervision_rules)
            .map_err(|e| AppError::Invalid(vec![crate::FieldError::from_bilingual("fees", &e)]))?;
        if assessment.is_free() {
            return Ok(Some(PlannedFees::Waived {
                assessment,
                by: issued_by,
                at,
            }));
        }
        let unit = self.store.unit(stored.summary.received_unit_id).await?;
        let digits: String = unit.code.chars().filter(char::is_ascii_digit).collect();
        Ok(Some(PlannedFees::Notice(PlannedNotice {
            assessment,
            prefix: format!("{digits:0>6}").chars().take(6).collect(),
            payer: stored.summary.applicant_name.clone(),
            issued_by,
            at,
        })))
    }

    /// The payment of a case the session sees, if its item has fees.
    pub async fn case_payment(&self, session: &Session, id: CaseId) -> Result<Option<PaymentView>> {
        self.visible_case(session, id).await?;
        self.store.payment_of_case(id).await?.map(view).transpose()
    }

    /// The fee window takes the notice's amount in cash or by card (a window clerk who sees
    /// the case), on the payment read at `expected_version`.
    pub async fn pay_at_counter(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        method: CounterMethod,
        amount_fen: i64,
    ) -> Result<PaymentView> {
        session.require(Role::WindowClerk)?;
        let stored = self.store.payment(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("缴款 payment"),
            other => other.into(),
        })?;
        let case = self
            .visible_case(session, stored.record.case_id)
            .await
            .map_err(|_| AppError::NotFound("缴款 payment"))?;
        if matches!(
            case.summary.state,
            CaseState::Withdrawn | CaseState::Refused
        ) {
            return Err(AppError::Forbidden(
                "办件已撤回或不予受理，不能收费 / the case is withdrawn or refused: no fee is taken"
                    .into(),
            ));
        }
        if stored.record.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let action = PaymentAction::PayAtCounter {
            clerk: session.staff.id,
            method,
            amount_fen,
        };
        self.record_payment_action(stored, &action).await?;
        view(self.store.payment(id).await?)
    }

    /// The applicant pays online (after the progress lookup's check): an order is opened at
    /// the provider with our signed request, recorded, and the payer is sent to the address
    /// the provider gave. A failed payment may be tried again with a new order.
    pub async fn start_online_payment(&self, claim: &CaseClaim<'_>) -> Result<String> {
        let not_here = || {
            AppError::Forbidden(
                "本系统未开通网上缴费，请到收费窗口缴费 / online payment is not available here: pay at the fee window"
                    .into(),
            )
        };
        let provider = self.payment_provider.as_ref().ok_or_else(not_here)?;
        let merchant = self.payment_merchant.as_ref().ok_or_else(not_here)?;
        let case = self.claimed_case(claim).await?;
        let stored =
            self.store
                .payment_of_case(case.summary.id)
                .await?
                .ok_or(AppError::NotFound(
                    "该办件无需缴费 / there is nothing to pay for this case",
                ))?;
        let payment = Payment::replay(&stored.events).map_err(corrupt)?;
        let mut random = [0u8; 16];
        rand::rng().fill_bytes(&mut random);
        let request = OrderRequest::for_payment(
            &payment,
            merchant,
            &format!(
                "{}{CALLBACK_PATH}",
                provider.notify_base.trim_end_matches('/')
            ),
            &provider.return_url,
            self.now(),
            random,
        )?;
        let fields = request
            .signed_fields(merchant)
            .map_err(|e| AppError::Forbidden(e.to_string()))?;
        let opened = provider
            .open_order(&fields)
            .await
            .map_err(|e| AppError::Forbidden(e.to_string()))?;
        let action = if payment.orders.is_empty() {
            PaymentAction::StartOnline {
                provider: provider.name.clone(),
                order_ref: request.order_ref.clone(),
                provider_order_id: opened.provider_order_id.clone(),
            }
        } else {
            PaymentAction::Retry {
                provider: provider.name.clone(),
                order_ref: request.order_ref.clone(),
                provider_order_id: opened.provider_order_id.clone(),
            }
        };
        self.record_payment_action(stored, &action).await?;
        Ok(opened.pay_url)
    }

    /// Gives a paid case's fees back in full (an approver who sees the case), with the
    /// reason: a withdrawn application, a fee charged in error.
    pub async fn refund_payment(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        reason: &str,
    ) -> Result<PaymentView> {
        session.require(Role::Approver)?;
        let stored = self.store.payment(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("缴款 payment"),
            other => other.into(),
        })?;
        self.visible_case(session, stored.record.case_id)
            .await
            .map_err(|_| AppError::NotFound("缴款 payment"))?;
        if stored.record.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let action = PaymentAction::Refund {
            by: session.staff.id,
            reason: reason.to_owned(),
            amount_fen: stored.record.received_fen,
        };
        self.record_payment_action(stored, &action).await?;
        view(self.store.payment(id).await?)
    }

    /// Reconciles the notices issued on `day` (China date) against what came in, as their
    /// cases stand now: a withdrawn case owes nothing, an open one not yet paid is waiting;
    /// every other difference becomes a `fees_unreconciled` finding for the case's
    /// department (once: findings are keyed). The day's figures are recorded.
    pub async fn reconcile_payments(&self, day: chrono::NaiveDate) -> Result<DayReconciliation> {
        let now = self.now();
        let from = liandong_domain::calendar::china_day_start(day);
        let before = from + chrono::Duration::days(1);
        let mut payments = Vec::new();
        let mut standing = std::collections::BTreeMap::new();
        let mut items = std::collections::BTreeMap::new();
        let mut departments = std::collections::BTreeMap::new();
        for stored in self.store.payments_created_between(from, before).await? {
            let payment = Payment::replay(&stored.events).map_err(corrupt)?;
            let summary = self.store.case_summary(stored.record.case_id).await?;
            let item = self
                .item_version(summary.item_id, summary.item_version)
                .await?;
            standing.insert(
                summary.id,
                match summary.state {
                    CaseState::Withdrawn | CaseState::Refused => CaseStanding::Withdrawn,
                    CaseState::Decided | CaseState::Concluded => CaseStanding::Closed,
                    _ => CaseStanding::Open,
                },
            );
            departments.insert(summary.id, summary.department_id);
            items.insert(item.code.clone(), item);
            payments.push(payment);
        }
        let reconciliation =
            liandong_domain::payment::reconcile_notices(day, &payments, &standing, &items, now);
        let summary = &reconciliation.summary;
        let mut record = ReconciliationRecord {
            day,
            reconciled_at: now,
            receivable_fen: summary.receivable_fen,
            received_fen: summary.received_fen,
            cases_matched: i64::try_from(summary.cases_matched).unwrap_or(i64::MAX),
            cases_differing: i64::try_from(summary.cases_differing).unwrap_or(i64::MAX),
            awaiting_payment: i64::try_from(reconciliation.awaiting_payment.len())
                .unwrap_or(i64::MAX),
            new_findings: 0,
        };
        let mut by_department: std::collections::BTreeMap<_, Vec<_>> =
            std::collections::BTreeMap::new();
        for finding in &reconciliation.findings {
            if let Some(department) = departments.get(&finding.case_id) {
                by_department
                    .entry(*department)
                    .or_default()
                    .push(finding.clone());
            }
        }
        let mut written = record.clone();
        let new = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut new = 0;
                    for (department, findings) in &by_department {
                        new += tx.record_findings(*department, findings).await?;
                    }
                    written.new_findings = i64::try_from(new).unwrap_or(i64::MAX);
                    tx.record_reconciliation(&written).await?;
                    Ok(new)
                })
            })
            .await?;
        record.new_findings = i64::try_from(new).unwrap_or(i64::MAX);
        Ok(DayReconciliation {
            record,
            reconciliation,
        })
    }

    /// Reconciles yesterday (China date) unless it is recorded already: what the server
    /// runs on its own. Returns the day's figures when it ran.
    pub async fn reconcile_yesterday(&self) -> Result<Option<DayReconciliation>> {
        let today = liandong_domain::calendar::china_date(self.now());
        let Some(yesterday) = today.pred_opt() else {
            return Ok(None);
        };
        let done = self.store.reconciliations(1).await?;
        if done.first().is_some_and(|r| r.day >= yesterday) {
            return Ok(None);
        }
        self.reconcile_payments(yesterday).await.map(Some)
    }

    /// The days reconciled, the latest first (supervisors and system administrators).
    pub async fn reconciliations(&self, session: &Session) -> Result<Vec<ReconciliationRecord>> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        Ok(self.store.reconciliations(62).await?)
    }

    /// Runs a day's reconciliation on request (supervisors and system administrators).
    pub async fn reconcile_day(
        &self,
        session: &Session,
        day: chrono::NaiveDate,
    ) -> Result<DayReconciliation> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        if day >= liandong_domain::calendar::china_date(self.now()) {
            return Err(AppError::invalid(
                "day",
                "只能对账已经过去的日期",
                "only a day that has ended can be reconciled",
            ));
        }
        self.reconcile_payments(day).await
    }

    /// Decides `action` on `stored` and writes the event. Returns whether anything was written.
    async fn record_payment_action(
        &self,
        stored: StoredPayment,
        action: &PaymentAction,
    ) -> Result<bool> {
        let payment = Payment::replay(&stored.events).map_err(corrupt)?;
        let context = PaymentContext::new(self.now(), &self.supervision_rules);
        match decide(&payment, action, &context)? {
            Decision::Record(event) => {
                self.write_payment_event(stored.record.id, payment, event, None)
                    .await
            }
            Decision::AlreadyRecorded => Ok(false),
        }
    }

    /// Writes `event` on `payment` (and books the provider's transaction id `txn` in the same
    /// write: a transaction booked before writes nothing).
    async fn write_payment_event(
        &self,
        id: i64,
        mut payment: Payment,
        event: liandong_domain::payment::PaymentEvent,
        txn: Option<String>,
    ) -> Result<bool> {
        let expected = payment.version;
        payment.apply(&event).map_err(corrupt)?;
        Ok(self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(txn) = &txn
                        && !tx.book_transaction(txn, id).await?
                    {
                        return Ok(false);
                    }
                    tx.append_payment_event(id, expected, &event, &payment)
                        .await?;
                    Ok(true)
                })
            })
            .await?)
    }

    /// A provider's callback (form fields as posted): verified against the merchant's secret
    /// and the replay window, then booked once. Returns what to answer the provider:
    /// `success` once booked, booked before, or refused for good (money taken that we will not
    /// book becomes a supervision finding at once); `fail` to have it sent again. A forged or
    /// malformed callback is an error and books nothing.
    pub async fn payment_callback(&self, fields: &[(String, String)]) -> Result<&'static str> {
        let merchant: &Merchant = self
            .payment_merchant
            .as_ref()
            .ok_or(AppError::NotFound("未找到该地址 / no such address"))?;
        let now = self.now();
        let callback = verify_callback(merchant, fields, now)
            .map_err(|e| AppError::Forbidden(e.to_string()))?;
        let Some((code, _)) = parse_order_ref(&callback.order_ref) else {
            return Err(AppError::NotFound("未找到该订单 / no such order"));
        };
        let Some(stored) = self.store.payment_by_code(code.as_str()).await? else {
            return Err(AppError::NotFound("未找到该订单 / no such order"));
        };
        let payment = Payment::replay(&stored.events).map_err(corrupt)?;
        let txn = callback.provider_txn_id.clone();
        let action = PaymentAction::Callback { callback };
        let context = PaymentContext::new(now, &self.supervision_rules);
        match decide(&payment, &action, &context) {
            Ok(Decision::Record(event)) => {
                match self
                    .write_payment_event(stored.record.id, payment, event, Some(txn))
                    .await
                {
                    Ok(_) => Ok(REPLY_SUCCESS),
                    // Another write on the payment came first: have the provider send again.
                    Err(AppError::Conflict { .. }) => Ok(REPLY_FAIL),
                    Err(e) => Err(e),
                }
            }
            Ok(Decision::AlreadyRecorded) => Ok(REPLY_SUCCESS),
            Err(e) if e.provider_should_retry() => Ok(REPLY_FAIL),
            Err(e) => {
                tracing::warn!(payment = stored.record.id, error = %e, "payment callback refused");
                if e.is_supervision_matter() {
                    let case = self.store.case_summary(stored.record.case_id).await?;
                    let item = self.item_version(case.item_id, case.item_version).await?;
                    if let Some(finding) = e.finding(&item, now) {
                        let department = case.department_id;
                        self.store
                            .write(move |tx| {
                                Box::pin(async move {
                                    tx.record_findings(department, &[finding]).await.map(|_| ())
                                })
                            })
                            .await?;
                    }
                }
                Ok(REPLY_SUCCESS)
            }
        }
    }
}
