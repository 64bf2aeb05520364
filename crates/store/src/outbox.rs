//! The SMS outbox and the message templates (migration 0003). Messages are inserted inside
//! the transaction of the case write that causes them; every later change of a message is a
//! conditional update naming the state (and attempt) it was read in, so that the worker, a
//! second worker on another node and the delivery reports never overwrite each other.

use chrono::{DateTime, Utc};
use liandong_domain::notify::{MessageKind, MessageState};
use liandong_domain::organization::{CaseId, StaffId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, WriteTx, instant, millis, opt_instant, parse_column};

/// A message to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewSms {
    pub id: String,
    pub case_id: Option<CaseId>,
    pub kind: MessageKind,
    pub recipient: String,
    pub phone: String,
    pub text: String,
    /// The text with the applicant's name masked.
    pub masked_text: String,
    pub segments: i64,
    /// Order among the messages of one write.
    pub ord: i64,
    pub at: DateTime<Utc>,
}

/// A message of the outbox as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmsRecord {
    pub id: String,
    pub case_id: Option<CaseId>,
    pub kind: MessageKind,
    pub recipient: String,
    pub phone: String,
    pub text: String,
    pub masked_text: String,
    pub segments: i64,
    pub state: MessageState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub gateway_answer: String,
    pub report_status: Option<i64>,
    pub report_attempt: Option<u32>,
    pub extra_reports: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A template an administrator replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTemplateRow {
    pub kind: MessageKind,
    pub text: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<StaffId>,
}

/// How an attempt ended, as the worker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    /// The gateway took it.
    Sent { answer: String },
    /// It did not reach the gateway; try again at `next_at`.
    Retry {
        answer: String,
        next_at: DateTime<Utc>,
    },
    /// Given up.
    Failed { answer: String },
}

const SMS_COLUMNS: &str =
    "SELECT id, case_id, kind, recipient, phone, text, masked_text, segments, state, attempts,
    next_attempt_at, lease_until, gateway_answer, report_status, report_attempt, extra_reports,
    created_at, sent_at, delivered_at, updated_at FROM sms_outbox";

fn u32_of(row: &AnyRow, column: &str) -> Result<u32> {
    u32::try_from(row.try_get::<i64, _>(column)?)
        .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn sms_row(row: &AnyRow) -> Result<SmsRecord> {
    let report_attempt: Option<i64> = row.try_get("report_attempt")?;
    Ok(SmsRecord {
        id: row.try_get("id")?,
        case_id: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        kind: parse_column(row, "kind")?,
        recipient: row.try_get("recipient")?,
        phone: row.try_get("phone")?,
        text: row.try_get("text")?,
        masked_text: row.try_get("masked_text")?,
        segments: row.try_get("segments")?,
        state: parse_column(row, "state")?,
        attempts: u32_of(row, "attempts")?,
        next_attempt_at: instant(row.try_get("next_attempt_at")?)?,
        lease_until: opt_instant(row.try_get("lease_until")?)?,
        gateway_answer: row.try_get("gateway_answer")?,
        report_status: row.try_get("report_status")?,
        report_attempt: report_attempt
            .map(u32::try_from)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("report_attempt: {e}")))?,
        extra_reports: row.try_get("extra_reports")?,
        created_at: instant(row.try_get("created_at")?)?,
        sent_at: opt_instant(row.try_get("sent_at")?)?,
        delivered_at: opt_instant(row.try_get("delivered_at")?)?,
        updated_at: instant(row.try_get("updated_at")?)?,
    })
}

fn template_row(row: &AnyRow) -> Result<SmsTemplateRow> {
    Ok(SmsTemplateRow {
        kind: parse_column(row, "kind")?,
        text: row.try_get("text")?,
        version: row.try_get("version")?,
        updated_at: instant(row.try_get("updated_at")?)?,
        updated_by: row.try_get::<Option<i64>, _>("updated_by")?.map(StaffId),
    })
}

/// Gateway answers are kept for people to read, not to grow rows without bound.
fn clip(answer: &str) -> String {
    answer.chars().take(500).collect()
}

impl WriteTx {
    /// Puts messages in the outbox; a message with an id already there is left as it is (the
    /// same event never sends twice). Returns how many were new.
    pub async fn enqueue_sms(&mut self, messages: &[NewSms]) -> Result<usize> {
        const COLUMNS: usize = 12;
        // A few rows per statement: sqlx looks each bound value's name up among all the
        // statement's on SQLite, so the cost per row grows with the rows (measured: at 500 rows
        // that lookup was 43 % of a sweep's time).
        let mut queued = 0;
        for chunk in messages.chunks(25) {
            let mut sql = String::from(
                "INSERT INTO sms_outbox (id, case_id, kind, recipient, phone, text, masked_text,
                    segments, state, attempts, next_attempt_at, ord, created_at, updated_at)
                 VALUES ",
            );
            for row in 0..chunk.len() {
                if row > 0 {
                    sql.push(',');
                }
                let p = |column: usize| format!("${}", row * COLUMNS + column);
                sql.push_str(&format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, 'queued', 0, {}, {}, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(8),
                    p(9),
                    p(10),
                    p(11),
                    p(12)
                ));
            }
            sql.push_str(" ON CONFLICT (id) DO NOTHING");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for m in chunk {
                let at = millis(m.at);
                query = query
                    .bind(m.id.clone())
                    .bind(m.case_id.map(|c| c.0))
                    .bind(m.kind.as_str())
                    .bind(m.recipient.clone())
                    .bind(m.phone.clone())
                    .bind(m.text.clone())
                    .bind(m.masked_text.clone())
                    .bind(m.segments)
                    .bind(at)
                    .bind(m.ord)
                    .bind(at)
                    .bind(at);
            }
            let done = query.execute(self.conn()).await?;
            queued += usize::try_from(done.rows_affected()).unwrap_or(usize::MAX);
        }
        Ok(queued)
    }

    /// The administrator's text for `kind`, if one was saved.
    pub async fn sms_template_text(&mut self, kind: MessageKind) -> Result<Option<String>> {
        let row = sqlx::query("SELECT text FROM sms_templates WHERE kind = $1")
            .bind(kind.as_str())
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| Ok(r.try_get("text")?)).transpose()
    }

    /// Saves a template read at `expected_version` (0: the shipped default, no row yet).
    /// Returns the new version; a stale version is a conflict.
    pub async fn save_sms_template(
        &mut self,
        kind: MessageKind,
        text: &str,
        expected_version: i64,
        by: StaffId,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let conflict = StoreError::Conflict {
            expected: expected_version,
        };
        let done = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO sms_templates (kind, text, version, updated_at, updated_by)
                 VALUES ($1, $2, 1, $3, $4) ON CONFLICT (kind) DO NOTHING",
            )
            .bind(kind.as_str())
            .bind(text)
            .bind(millis(at))
            .bind(by.0)
            .execute(self.conn())
            .await?
        } else {
            sqlx::query(
                "UPDATE sms_templates SET text = $1, version = version + 1, updated_at = $2, updated_by = $3
                 WHERE kind = $4 AND version = $5",
            )
            .bind(text)
            .bind(millis(at))
            .bind(by.0)
            .bind(kind.as_str())
            .bind(expected_version)
            .execute(self.conn())
            .await?
        };
        if done.rows_affected() == 0 {
            return Err(conflict);
        }
        Ok(expected_version + 1)
    }

    /// Marks a due, queued message as being sent by this attempt, durably, before the
    /// gateway is called. False if another worker took it or it is no longer due.
    pub async fn claim_sms(
        &mut self,
        id: &str,
        attempts_read: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sms_outbox SET state = 'sending', attempts = attempts + 1, lease_until = $1, updated_at = $2
             WHERE id = $3 AND state = 'queued' AND attempts = $4 AND next_attempt_at <= $5",
        )
        .bind(millis(lease_until))
        .bind(millis(now))
        .bind(id)
        .bind(i64::from(attempts_read))
        .bind(millis(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how attempt `attempt` ended. False if the message moved on meanwhile (a
    /// delivery report came first, or the attempt was taken as lost and another began).
    pub async fn finish_sms_attempt(
        &mut self,
        id: &str,
        attempt: u32,
        end: &AttemptEnd,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (state, answer, next_at, sent_at) = match end {
            AttemptEnd::Sent { answer } => ("sent", answer, None, Some(millis(now))),
            AttemptEnd::Retry { answer, next_at } => {
                ("queued", answer, Some(millis(*next_at)), None)
            }
            AttemptEnd::Failed { answer } => ("failed", answer, None, None),
        };
        let done = sqlx::query(
            "UPDATE sms_outbox SET state = $1, gateway_answer = $2,
                next_attempt_at = COALESCE($3, next_attempt_at), sent_at = COALESCE($4, sent_at),
                lease_until = NULL, updated_at = $5
             WHERE id = $6 AND state = 'sending' AND attempts = $7",
        )
        .bind(state)
        .bind(clip(answer))
        .bind(next_at)
        .bind(sent_at)
        .bind(millis(now))
        .bind(id)
        .bind(i64::from(attempt))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One message, read inside the transaction.
    pub async fn sms_for_update(&mut self, id: &str) -> Result<Option<SmsRecord>> {
        let sql = format!("{SMS_COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(sms_row).transpose()
    }

    /// Applies a delivery report to a message read in `from`: moves it to `to` (the same
    /// state when the report changes nothing but is recorded). `extra` counts a report for
    /// an attempt other than the one already reported: the gateway got the message twice.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_sms_report(
        &mut self,
        id: &str,
        from: MessageState,
        to: MessageState,
        attempt: u32,
        status: i64,
        answer: &str,
        next_at: Option<DateTime<Utc>>,
        extra: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now_ms = millis(now);
        let done = sqlx::query(
            "UPDATE sms_outbox SET state = $1, report_status = $2,
                report_attempt = COALESCE(report_attempt, $3),
                extra_reports = extra_reports + $4,
                gateway_answer = CASE WHEN $5 = '' THEN gateway_answer ELSE $5 END,
                next_attempt_at = COALESCE($6, next_attempt_at),
                sent_at = CASE WHEN $1 IN ('sent', 'delivered') THEN COALESCE(sent_at, $7) ELSE sent_at END,
                delivered_at = CASE WHEN $1 = 'delivered' THEN $7 ELSE delivered_at END,
                lease_until = CASE WHEN $1 = 'sending' THEN lease_until ELSE NULL END,
                updated_at = $7
             WHERE id = $8 AND state = $9",
        )
        .bind(to.as_str())
        .bind(status)
        .bind(i64::from(attempt))
        .bind(i64::from(extra))
        .bind(clip(answer))
        .bind(next_at.map(millis))
        .bind(now_ms)
        .bind(id)
        .bind(from.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Attempts still `sending` whose lease ended before `cutoff` are taken to have not
    /// reached the gateway (no answer was recorded and no delivery report came): queued
    /// again, due now, or failed when they used every attempt. Returns how many.
    pub async fn requeue_stale_sms(
        &mut self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE sms_outbox SET
                state = CASE WHEN attempts >= $1 THEN 'failed' ELSE 'queued' END,
                next_attempt_at = $2, lease_until = NULL, updated_at = $2,
                gateway_answer = '发送结果未知且无状态报告，重新排队 / no answer and no delivery report: queued again'
             WHERE state = 'sending' AND lease_until < $3",
        )
        .bind(i64::from(max_attempts))
        .bind(millis(now))
        .bind(millis(cutoff))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }
}

/// Filters of the message list.
#[derive(Debug, Clone, Default)]
pub struct SmsFilter {
    pub case_id: Option<CaseId>,
    pub state: Option<MessageState>,
    pub limit: i64,
}

impl Store {
    /// Ids, attempt counts and phones of queued messages due at `now`, oldest first, in the
    /// order they were written.
    pub async fn due_sms(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(String, u32, String)>> {
        let rows = sqlx::query(
            "SELECT id, attempts, phone FROM sms_outbox WHERE state = 'queued' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, created_at, ord, id LIMIT $2",
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    u32_of(r, "attempts")?,
                    r.try_get("phone")?,
                ))
            })
            .collect()
    }

    /// Attempts still `sending` whose lease ended before `cutoff`.
    pub async fn stale_sms_count(&self, cutoff: DateTime<Utc>) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sms_outbox WHERE state = 'sending' AND lease_until < $1",
        )
        .bind(millis(cutoff))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// The messages with the given ids, in the outbox's order.
    pub async fn sms_by_ids(&self, ids: &[String]) -> Result<Vec<SmsRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "{SMS_COLUMNS} WHERE id IN ({}) ORDER BY next_attempt_at, created_at, ord, id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(sms_row).collect()
    }

    pub async fn sms(&self, id: &str) -> Result<SmsRecord> {
        let sql = format!("{SMS_COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("短信 message"))?;
        sms_row(&row)
    }

    /// Messages, newest first.
    pub async fn sms_list(&self, filter: &SmsFilter) -> Result<Vec<SmsRecord>> {
        let mut conditions = Vec::new();
        if filter.case_id.is_some() {
            conditions.push("case_id = $1");
        }
        if filter.state.is_some() {
            conditions.push(if filter.case_id.is_some() {
                "state = $2"
            } else {
                "state = $1"
            });
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let limit = filter.limit.clamp(1, 10_000);
        let sql = format!(
            "{SMS_COLUMNS}{where_clause} ORDER BY created_at DESC, ord DESC, id DESC LIMIT {limit}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(case) = filter.case_id {
            query = query.bind(case.0);
        }
        if let Some(state) = filter.state {
            query = query.bind(state.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(sms_row).collect()
    }

    /// How many messages are in each state.
    pub async fn sms_counts(&self) -> Result<Vec<(MessageState, i64)>> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM sms_outbox GROUP BY state ORDER BY state",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((parse_column(r, "state")?, r.try_get("n")?)))
            .collect()
    }

    /// The templates administrators replaced.
    pub async fn sms_templates(&self) -> Result<Vec<SmsTemplateRow>> {
        let rows = sqlx::query(
            "SELECT kind, text, version, updated_at, updated_by FROM sms_templates ORDER BY kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(template_row).collect()
    }
}
