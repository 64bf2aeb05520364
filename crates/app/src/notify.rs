//! SMS notifications: messages written to the outbox in the transaction of the case event
//! that causes them, templates administrators edit, the delivery worker that hands each
//! message to a `Gateway` (Kannel, `kannel.rs`) with retries, and the delivery reports that
//! come back. Why "sending" is recorded before the gateway is called and how a restart
//! reconciles: docs/design/notifications.md.

pub mod kannel;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use liandong_domain::notify::{
    self, DeliveryReport, MessageKind, MessageState, Placeholder, PlannedMessage, RetryPolicy,
    TemplateError, Values,
};
use liandong_domain::organization::{CaseId, Role, StaffId};
use liandong_store::{
    AttemptEnd, AuditEntry, NewSms, SmsFilter, SmsRecord, Store, StoreError, WriteTx,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Clock, FieldError, Result, Session};

/// Notification settings the app needs while serving (the worker has its own).
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {
    /// The secret Kannel presents in the delivery-report URL; `None` turns the endpoint off.
    pub dlr_token: Option<String>,
    /// The schedule of retries, also used when the SMSC rejects a message.
    pub policy: RetryPolicy,
}

/// Writes the planned messages of one case write into the outbox, inside its transaction:
/// the administrator's template if one was saved, else the shipped one. Returns how many were
/// new (a message whose id is queued already is not queued again).
pub(crate) async fn enqueue_planned(
    tx: &mut WriteTx,
    case: CaseId,
    planned: &[PlannedMessage],
    at: DateTime<Utc>,
) -> std::result::Result<usize, StoreError> {
    enqueue(tx, Some(case), planned, at).await
}

/// Writes planned messages into the outbox, about a case or (a sign-in code) about none.
pub(crate) async fn enqueue(
    tx: &mut WriteTx,
    case: Option<CaseId>,
    planned: &[PlannedMessage],
    at: DateTime<Utc>,
) -> std::result::Result<usize, StoreError> {
    enqueue_many(tx, &[(case, planned)], at).await
}

/// Writes the planned messages of several writes into the outbox at once (a sweep's warnings
/// about many cases): each template read once, the rows inserted many per statement.
/// Returns how many were new.
pub(crate) async fn enqueue_many(
    tx: &mut WriteTx,
    writes: &[(Option<CaseId>, &[PlannedMessage])],
    at: DateTime<Utc>,
) -> std::result::Result<usize, StoreError> {
    let mut templates: BTreeMap<MessageKind, Option<String>> = BTreeMap::new();
    let mut rows = Vec::new();
    for (case, planned) in writes {
        for (ord, message) in (0i64..).zip(planned.iter()) {
            if let std::collections::btree_map::Entry::Vacant(slot) = templates.entry(message.kind)
            {
                slot.insert(tx.sms_template_text(message.kind).await?);
            }
            let custom = templates.get(&message.kind).and_then(Option::as_deref);
            let render = |m: &PlannedMessage| match custom.map(|t| notify::compose(m, t)) {
                Some(Ok(text)) => Ok(text),
                // Saved templates are validated; one that no longer renders must not stop
                // the case's action, so the shipped text stands in.
                _ => notify::compose(m, m.kind.default_template())
                    .map_err(|e| StoreError::Corrupt(e.to_string())),
            };
            let text = render(message)?;
            let masked_text = render(&message.masked())?;
            let segments = i64::try_from(notify::sms_length(&text).segments).unwrap_or(i64::MAX);
            rows.push(NewSms {
                id: message.id.clone(),
                case_id: *case,
                kind: message.kind,
                recipient: message.recipient.key(),
                phone: message.phone.clone(),
                text,
                masked_text,
                segments,
                ord,
                at,
            });
        }
    }
    tx.enqueue_sms(&rows).await
}

/// A message of the outbox as administrators and supervisors see it: the applicant's name
/// and the middle of the phone number masked (their work does not need identities).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SmsMessageView {
    pub id: String,
    pub case_id: Option<CaseId>,
    pub kind: MessageKind,
    /// `applicant` or `staff:ID`.
    pub recipient: String,
    /// `138****8000`
    pub phone: String,
    pub text: String,
    /// SMS parts on the air (UCS-2: 70 characters alone, 67 per part).
    pub segments: i64,
    pub state: MessageState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    /// The gateway's last answer, or why the last attempt failed.
    pub gateway_answer: String,
    /// The last delivery report (1 delivered, 2 undeliverable, 4 buffered, 8 SMSC accepted,
    /// 16 SMSC rejected).
    pub report_status: Option<i64>,
    /// Reports for a second attempt: times the gateway got the message twice.
    pub extra_reports: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<SmsRecord> for SmsMessageView {
    fn from(r: SmsRecord) -> Self {
        SmsMessageView {
            phone: notify::mask_phone(&r.phone),
            text: r.masked_text,
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            recipient: r.recipient,
            segments: r.segments,
            state: r.state,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            gateway_answer: r.gateway_answer,
            report_status: r.report_status,
            extra_reports: r.extra_reports,
            created_at: r.created_at,
            sent_at: r.sent_at,
            delivered_at: r.delivered_at,
        }
    }
}

/// A template as administrators see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SmsTemplateView {
    pub kind: MessageKind,
    pub name_zh: String,
    /// Sent to staff (warnings) rather than to the applicant.
    pub to_staff: bool,
    /// The placeholders this kind may use, written `{name}`.
    pub placeholders: Vec<Placeholder>,
    pub text: String,
    pub default_text: String,
    /// Whether an administrator replaced the shipped text.
    pub customised: bool,
    /// 0 while the shipped text is in force; name it as `expected_version` to change it.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<StaffId>,
    /// The text filled with example values, and how many SMS parts it takes.
    pub sample: String,
    pub sample_segments: usize,
}

/// Example values, for the sample shown beside a template.
fn sample_values() -> Values {
    let mut v = Values::new();
    v.insert(Placeholder::Applicant, "王建国".into());
    v.insert(Placeholder::Item, "食品经营许可（新办）".into());
    v.insert(Placeholder::Number, "100-20260302-0001".into());
    v.insert(Placeholder::DueDate, "2026年3月12日".into());
    v.insert(Placeholder::Missing, "营业执照、健康证明".into());
    v.insert(Placeholder::Outcome, "准予许可".into());
    v.insert(Placeholder::Delivery, "窗口领取".into());
    v.insert(Placeholder::Staff, "张承办".into());
    v.insert(Placeholder::Days, "1".into());
    v.insert(Placeholder::Finding, "受理后未办理".into());
    v
}

fn template_view(
    kind: MessageKind,
    saved: Option<&liandong_store::SmsTemplateRow>,
) -> SmsTemplateView {
    let text = saved.map_or(kind.default_template(), |s| s.text.as_str());
    let sample = notify::render(kind, text, &sample_values()).unwrap_or_default();
    SmsTemplateView {
        kind,
        name_zh: kind.name_zh().to_owned(),
        to_staff: kind.to_staff(),
        placeholders: kind.placeholders().to_vec(),
        text: text.to_owned(),
        default_text: kind.default_template().to_owned(),
        customised: saved.is_some(),
        version: saved.map_or(0, |s| s.version),
        updated_at: saved.map(|s| s.updated_at),
        updated_by: saved.and_then(|s| s.updated_by),
        sample_segments: notify::sms_length(&sample).segments,
        sample,
    }
}

fn template_field_error(e: &TemplateError) -> AppError {
    AppError::Invalid(vec![FieldError::from_bilingual("text", e)])
}

/// The delivery-report secret when none is configured: derived from the gateway password,
/// so that it survives restarts (Kannel keeps calling the URL it was given) without being
/// the password itself.
pub fn derived_dlr_token(password: &str) -> String {
    hex::encode(Sha256::digest(
        format!("liandong-dlr\0{password}").as_bytes(),
    ))
    .chars()
    .take(32)
    .collect()
}

/// SHA-256 of a secret, so that comparing two takes the same time wherever they differ.
fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl App {
    /// Every message template, the shipped ones and those administrators replaced.
    pub async fn sms_templates(&self, session: &Session) -> Result<Vec<SmsTemplateView>> {
        session.require(Role::SystemAdmin)?;
        let saved: BTreeMap<MessageKind, liandong_store::SmsTemplateRow> = self
            .store
            .sms_templates()
            .await?
            .into_iter()
            .map(|t| (t.kind, t))
            .collect();
        Ok(MessageKind::ALL
            .iter()
            .map(|k| template_view(*k, saved.get(k)))
            .collect())
    }

    /// Replaces the template of `kind`, read at `expected_version`; audited. Messages already
    /// in the outbox keep the text they were written with.
    pub async fn update_sms_template(
        &self,
        session: &Session,
        kind: &str,
        expected_version: i64,
        text: &str,
    ) -> Result<SmsTemplateView> {
        session.require(Role::SystemAdmin)?;
        let kind: MessageKind = kind
            .parse()
            .map_err(|_| AppError::NotFound("未找到该短信模板 / no such message template"))?;
        let text = text.trim().to_owned();
        notify::validate_template(kind, &text).map_err(|e| template_field_error(&e))?;
        let now = self.now();
        let by = session.staff.id;
        let saved_text = text.clone();
        let version = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let version = tx
                        .save_sms_template(kind, &saved_text, expected_version, by, now)
                        .await?;
                    tx.audit(&AuditEntry {
                        at: now,
                        actor_id: Some(by),
                        action: "sms_template_changed".into(),
                        target: format!("sms_template:{}", kind.as_str()),
                        detail: saved_text,
                    })
                    .await?;
                    Ok(version)
                })
            })
            .await?;
        let row = liandong_store::SmsTemplateRow {
            kind,
            text,
            version,
            updated_at: now,
            updated_by: Some(by),
        };
        Ok(template_view(kind, Some(&row)))
    }

    /// Messages of the outbox, newest first, masked: system administrators and supervisors.
    pub async fn sms_messages(
        &self,
        session: &Session,
        filter: &SmsFilter,
    ) -> Result<Vec<SmsMessageView>> {
        session.require_any(&[Role::SystemAdmin, Role::Supervisor])?;
        let messages = self.store.sms_list(filter).await?;
        Ok(messages.into_iter().map(SmsMessageView::from).collect())
    }

    /// A delivery report from the gateway for attempt `attempt` of message `id`. The token
    /// must be the configured one; a wrong or missing one gets "not found", as does an
    /// unknown message, so that the endpoint tells a prober nothing.
    /// A message an applicant sent (Kannel's `sms-service` forwards it with the same secret
    /// as delivery reports): a reply to the rating invitation becomes the rating of their
    /// latest concluded case. Returns the rating's id, if the text was one.
    pub async fn incoming_sms(&self, token: &str, from: &str, text: &str) -> Result<Option<i64>> {
        self.check_gateway_token(token)?;
        let digits: String = from.chars().filter(char::is_ascii_digit).collect();
        // Kannel gives the sender as +8613800138000, 8613800138000 or 13800138000.
        let phone = match digits.strip_prefix("86") {
            Some(rest) if rest.len() == 11 => rest.to_owned(),
            _ => digits,
        };
        let rated = self.rate_by_sms(&phone, text).await?;
        tracing::info!(rated = ?rated, "incoming SMS");
        Ok(rated)
    }

    /// The gateway's secret: a wrong or missing one gets "not found", so that the internal
    /// endpoints tell a prober nothing.
    fn check_gateway_token(&self, token: &str) -> Result<()> {
        let expected = self
            .notify
            .dlr_token
            .as_deref()
            .ok_or(AppError::NotFound("未找到该地址 / no such address"))?;
        if digest(expected) != digest(token) {
            return Err(AppError::NotFound("未找到该地址 / no such address"));
        }
        Ok(())
    }

    pub async fn delivery_report(
        &self,
        token: &str,
        id: &str,
        attempt: u32,
        status: i64,
        answer: &str,
    ) -> Result<()> {
        self.check_gateway_token(token)?;
        let report = DeliveryReport::from_kannel(status).ok_or_else(|| {
            AppError::invalid(
                "status",
                "未知的状态报告值",
                "unknown delivery report status",
            )
        })?;
        let now = self.now();
        let policy = self.notify.policy;
        let (id, answer) = (id.to_owned(), answer.to_owned());
        // A report and the worker's own record may race on PostgreSQL: each update names the
        // state it read, and a lost race reads again.
        for _ in 0..5 {
            let (id, answer) = (id.clone(), answer.clone());
            let applied = self
                .store
                .write(move |tx| {
                    Box::pin(async move {
                        let Some(row) = tx.sms_for_update(&id).await? else {
                            return Err(StoreError::NotFound("短信 message"));
                        };
                        let final_report = matches!(
                            report,
                            DeliveryReport::Delivered | DeliveryReport::Undeliverable
                        );
                        let extra =
                            final_report && row.report_attempt.is_some_and(|a| a != attempt);
                        // A failure reported for an earlier attempt says nothing about a
                        // later one that may be on its way; a success proves delivery
                        // whichever attempt it was.
                        let stale_failure = attempt < row.attempts
                            && matches!(
                                report,
                                DeliveryReport::Undeliverable | DeliveryReport::RejectedBySmsc
                            );
                        let moved = if stale_failure {
                            None
                        } else {
                            row.state.after_report(report)
                        };
                        let Some(to) = moved else {
                            // Nothing moves (an SMSC ack after the delivery, a report on a
                            // failed message): the report that decided the state stays.
                            if !extra {
                                return Ok(true);
                            }
                            return tx
                                .apply_sms_report(
                                    &id, row.state, row.state, attempt, status, &answer, None,
                                    true, now,
                                )
                                .await;
                        };
                        let next_at = (to == MessageState::Queued
                            && row.state != MessageState::Queued)
                            .then(|| policy.delay_after(row.attempts, notify::jitter_seed(&id)))
                            .map(|delay| delay.and_then(|d| chrono::Duration::from_std(d).ok()));
                        let (to, next_at) = match next_at {
                            Some(None) => (MessageState::Failed, None),
                            Some(Some(d)) => (to, Some(now + d)),
                            None => (to, None),
                        };
                        tx.apply_sms_report(
                            &id, row.state, to, attempt, status, &answer, next_at, extra, now,
                        )
                        .await
                    })
                })
                .await?;
            if applied {
                return Ok(());
            }
        }
        Err(AppError::Conflict { stale: 0 })
    }
}

// ---------------------------------------------------------------------------------------
// Delivery

/// A message handed to a gateway: one attempt of one outbox message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: String,
    /// 1 for the first attempt; goes into the delivery-report URL so that a late report is
    /// matched to the attempt it is about.
    pub attempt: u32,
    pub phone: String,
    pub text: String,
}

/// What a gateway said about one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Taken for delivery (Kannel: 202 "0: Accepted" or "3: Queued for later delivery").
    Accepted { answer: String },
    /// Certainly not taken (connection refused, the request not fully written, a 5xx or a
    /// wrong password): try again later.
    Unavailable { answer: String },
    /// Refused for good (a malformed request or number): never try again.
    Rejected { answer: String },
    /// The request went out but no answer came back: it may or may not have been taken.
    /// The attempt stays "sending" until a delivery report proves it, or its lease ends.
    Unknown { answer: String },
}

/// An SMS gateway. Kannel has no idempotency key: the worker's records make up for it.
pub trait Gateway: Send + Sync + 'static {
    fn send(&self, message: &Outgoing) -> impl Future<Output = SendOutcome> + Send;
}

/// Messages to one phone sent in one pass; the rest wait for the next.
const MAX_PER_PHONE_PER_PASS: usize = 4;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub policy: RetryPolicy,
    /// How long one attempt may take: at least the gateway client's whole timeout (Kannel:
    /// connect, write and read, each with its own), with a margin.
    pub lease: Duration,
    /// After the lease: how long to wait for a delivery report before taking an attempt with
    /// no recorded answer as lost and sending again.
    pub report_grace: Duration,
    /// Messages claimed at once (one transaction).
    pub batch: i64,
    /// Gateway requests in flight at once; one phone's messages always go one after another.
    pub concurrency: usize,
    /// How often an idle worker looks for due messages.
    pub idle_poll: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            policy: RetryPolicy::default(),
            lease: Duration::from_secs(60),
            report_grace: Duration::from_secs(120),
            batch: 200,
            concurrency: 8,
            idle_poll: Duration::from_secs(1),
        }
    }
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub requeued: u64,
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub unknown: usize,
}

/// The delivery worker: claims due messages, hands each attempt to the gateway once, and
/// records the outcome.
pub struct Worker<G: Gateway> {
    store: Store,
    gateway: Arc<G>,
    config: WorkerConfig,
    clock: Arc<dyn Clock>,
}

fn std_to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl<G: Gateway> Worker<G> {
    pub fn new(store: Store, gateway: G, config: WorkerConfig, clock: Arc<dyn Clock>) -> Self {
        Worker {
            store,
            gateway: Arc::new(gateway),
            config,
            clock,
        }
    }

    /// Runs passes until `stop` turns true. A pass that fails (the database away) is
    /// logged and tried again after the idle interval.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let busy = match self.run_once().await {
                Ok(pass) => pass.claimed > 0,
                Err(e) => {
                    tracing::warn!("短信发送暂停 / SMS delivery pass failed: {e}");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = tokio::time::sleep(self.config.idle_poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// One pass: requeue lost attempts, claim what is due, send it, record the outcomes.
    pub async fn run_once(&self) -> Result<PassReport, StoreError> {
        let mut pass = PassReport::default();
        let now = self.clock.now();
        let cutoff = now - std_to_chrono(self.config.report_grace);
        if self.store.stale_sms_count(cutoff).await? > 0 {
            let max = self.config.policy.max_attempts;
            pass.requeued = self
                .store
                .write(move |tx| {
                    Box::pin(async move { tx.requeue_stale_sms(cutoff, now, max).await })
                })
                .await?;
        }
        let due = self.store.due_sms(now, self.config.batch).await?;
        if due.is_empty() {
            return Ok(pass);
        }
        // One phone's messages go one after another: a few per pass keeps the pass short.
        let mut per_phone: BTreeMap<String, usize> = BTreeMap::new();
        let due: Vec<(String, u32)> = due
            .into_iter()
            .filter(|(_, _, phone)| {
                let n = per_phone.entry(phone.clone()).or_default();
                *n += 1;
                *n <= MAX_PER_PHONE_PER_PASS
            })
            .map(|(id, attempts, _)| (id, attempts))
            .collect();
        // The lease covers the whole pass: as many rounds of requests as the concurrency and
        // the longest queue of one phone need, each at most `lease`. Another worker never
        // takes an attempt of this pass for lost while the pass can still be running.
        let concurrency = self.config.concurrency.max(1);
        let longest = per_phone
            .values()
            .copied()
            .max()
            .unwrap_or(1)
            .min(MAX_PER_PHONE_PER_PASS);
        let rounds = due.len().div_ceil(concurrency).max(longest);
        let lease = self
            .config
            .lease
            .saturating_mul(u32::try_from(rounds).unwrap_or(u32::MAX));
        let lease_until = now + std_to_chrono(lease);
        // "Sending" is on disk before any request goes out: a crash from here on leaves a
        // trace that the restart reconciles, instead of a message silently sent twice.
        let claimed = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut claimed = Vec::new();
                    for (id, attempts) in due {
                        if tx.claim_sms(&id, attempts, now, lease_until).await? {
                            claimed.push(id);
                        }
                    }
                    Ok(claimed)
                })
            })
            .await?;
        pass.claimed = claimed.len();
        let messages = self.store.sms_by_ids(&claimed).await?;
        let outcomes = self.send_all(messages).await;
        let now = self.clock.now();
        let mut ends = Vec::new();
        for (message, outcome) in outcomes {
            let attempt = message.attempts;
            let end = match outcome {
                SendOutcome::Accepted { answer } => {
                    pass.sent += 1;
                    AttemptEnd::Sent { answer }
                }
                SendOutcome::Unavailable { answer } => {
                    match self
                        .config
                        .policy
                        .delay_after(attempt, notify::jitter_seed(&message.id))
                    {
                        Some(delay) => {
                            pass.retried += 1;
                            AttemptEnd::Retry {
                                answer,
                                next_at: now + std_to_chrono(delay),
                            }
                        }
                        None => {
                            pass.failed += 1;
                            AttemptEnd::Failed { answer }
                        }
                    }
                }
                SendOutcome::Rejected { answer } => {
                    pass.failed += 1;
                    AttemptEnd::Failed { answer }
                }
                SendOutcome::Unknown { answer } => {
                    pass.unknown += 1;
                    tracing::warn!(
                        "短信{}第{}次发送结果未知 / SMS {} attempt {attempt}: no answer from the gateway ({answer}); waiting for a delivery report",
                        message.id,
                        attempt,
                        message.id
                    );
                    continue;
                }
            };
            ends.push((message.id, attempt, end));
        }
        if !ends.is_empty() {
            self.store
                .write(move |tx| {
                    Box::pin(async move {
                        for (id, attempt, end) in &ends {
                            tx.finish_sms_attempt(id, *attempt, end, now).await?;
                        }
                        Ok(())
                    })
                })
                .await?;
        }
        Ok(pass)
    }

    /// Sends claimed messages, `concurrency` at a time, each phone's in order.
    async fn send_all(&self, messages: Vec<SmsRecord>) -> Vec<(SmsRecord, SendOutcome)> {
        let mut by_phone: BTreeMap<String, Vec<SmsRecord>> = BTreeMap::new();
        for m in messages {
            by_phone.entry(m.phone.clone()).or_default().push(m);
        }
        let permits = Arc::new(tokio::sync::Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (_, group) in by_phone {
            let gateway = self.gateway.clone();
            let permits = permits.clone();
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(group.len());
                for message in group {
                    let outcome = match permits.acquire().await {
                        Ok(_permit) => {
                            gateway
                                .send(&Outgoing {
                                    id: message.id.clone(),
                                    attempt: message.attempts,
                                    phone: message.phone.clone(),
                                    text: message.text.clone(),
                                })
                                .await
                        }
                        Err(_) => SendOutcome::Unavailable {
                            answer: "worker stopping".into(),
                        },
                    };
                    out.push((message, outcome));
                }
                out
            });
        }
        let mut all = Vec::new();
        while let Some(done) = tasks.join_next().await {
            // A panicked task leaves its messages "sending": the lease reconciles them.
            if let Ok(out) = done {
                all.extend(out);
            }
        }
        all
    }
}
