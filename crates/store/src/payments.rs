//! Payments (收费): the notice of each case with fees and the events of its payment.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::organization::CaseId;
use liandong_domain::payment::{Payment, PaymentEvent, PaymentState};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, millis, parse_column, to_json, u32_column,
    updated_at_version,
};

/// A payment as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRecord {
    pub id: i64,
    pub case_id: CaseId,
    /// 缴款码, 20 digits.
    pub code: String,
    pub state: PaymentState,
    pub amount_fen: i64,
    /// Paid minus refunded.
    pub received_fen: i64,
    pub created_at: DateTime<Utc>,
    pub version: u32,
}

/// A payment with its history.
#[derive(Debug, Clone)]
pub struct StoredPayment {
    pub record: PaymentRecord,
    pub events: Vec<PaymentEvent>,
}

const COLUMNS: &str =
    "SELECT id, case_id, code, state, amount_fen, received_fen, created_at, version
    FROM payments";

fn payment_row(row: &AnyRow) -> Result<PaymentRecord> {
    Ok(PaymentRecord {
        id: row.try_get("id")?,
        case_id: CaseId(row.try_get("case_id")?),
        code: row.try_get("code")?,
        state: parse_column(row, "state")?,
        amount_fen: row.try_get("amount_fen")?,
        received_fen: row.try_get("received_fen")?,
        created_at: instant(row.try_get("created_at")?)?,
        version: u32_column(row, "version")?,
    })
}

impl WriteTx {
    /// The next serial of payment codes with `prefix` on `day`.
    pub async fn next_payment_serial(&mut self, prefix: &str, day: NaiveDate) -> Result<u32> {
        let row = sqlx::query(
            "INSERT INTO payment_code_sequences (prefix, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (prefix, day) DO UPDATE SET last = payment_code_sequences.last + 1
             RETURNING last",
        )
        .bind(prefix)
        .bind(day.to_string())
        .fetch_one(self.conn())
        .await?;
        u32_column(&row, "last")
    }

    async fn insert_payment_event(
        &mut self,
        id: i64,
        seq: u32,
        event: &PaymentEvent,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO payment_events (payment_id, seq, at, kind, data) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i64::from(seq))
        .bind(millis(event.at()))
        .bind(event.type_name())
        .bind(to_json(event)?)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique("缴款事件 payment event"))?;
        Ok(())
    }

    /// Stores a new payment from its first event (the notice issued); one per case.
    pub async fn insert_payment(
        &mut self,
        case: CaseId,
        created: &PaymentEvent,
        payment: &Payment,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO payments (case_id, code, state, amount_fen, received_fen, created_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(case.0)
        .bind(payment.notice.code.as_str())
        .bind(payment.state.as_str())
        .bind(payment.notice.amount_fen)
        .bind(payment.received_fen())
        .bind(millis(created.at()))
        .bind(i64::from(payment.version))
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique("该办件的缴款通知 a payment notice for this case"))?;
        let id: i64 = row.try_get("id")?;
        self.insert_payment_event(id, 1, created).await?;
        Ok(id)
    }

    /// Appends `event` to a payment read at `expected_version`; `payment` is the fold after it.
    pub async fn append_payment_event(
        &mut self,
        id: i64,
        expected_version: u32,
        event: &PaymentEvent,
        payment: &Payment,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE payments SET state = $1, received_fen = $2, version = $3
             WHERE id = $4 AND version = $5",
        )
        .bind(payment.state.as_str())
        .bind(payment.received_fen())
        .bind(i64::from(payment.version))
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)?;
        self.insert_payment_event(id, payment.version, event).await
    }

    /// Books a provider's transaction id for `payment`: false when it was booked before (by
    /// this payment or any other), so that a replayed callback is never a second payment.
    pub async fn book_transaction(&mut self, txn_id: &str, payment: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO payment_transactions (provider_txn_id, payment_id) VALUES ($1, $2)
             ON CONFLICT (provider_txn_id) DO NOTHING",
        )
        .bind(txn_id)
        .bind(payment)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    async fn payment_where(
        &self,
        condition: &str,
        bind: PaymentKey<'_>,
    ) -> Result<Option<StoredPayment>> {
        let sql = format!("{COLUMNS} WHERE {condition}");
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match bind {
            PaymentKey::Id(id) => query.bind(id),
            PaymentKey::Text(text) => query.bind(text),
        };
        let Some(row) = query.fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let record = payment_row(&row)?;
        let rows =
            sqlx::query("SELECT data FROM payment_events WHERE payment_id = $1 ORDER BY seq")
                .bind(record.id)
                .fetch_all(&self.pool)
                .await?;
        let events = rows
            .iter()
            .map(|r| crate::json_column(r, "data"))
            .collect::<Result<_>>()?;
        Ok(Some(StoredPayment { record, events }))
    }

    pub async fn payment(&self, id: i64) -> Result<StoredPayment> {
        self.payment_where("id = $1", PaymentKey::Id(id))
            .await?
            .ok_or(StoreError::NotFound("缴款 payment"))
    }

    pub async fn payment_of_case(&self, case: CaseId) -> Result<Option<StoredPayment>> {
        self.payment_where("case_id = $1", PaymentKey::Id(case.0))
            .await
    }

    pub async fn payment_by_code(&self, code: &str) -> Result<Option<StoredPayment>> {
        self.payment_where("code = $1", PaymentKey::Text(code))
            .await
    }
}

/// A day's reconciliation as recorded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciliationRecord {
    pub day: NaiveDate,
    pub reconciled_at: DateTime<Utc>,
    pub receivable_fen: i64,
    pub received_fen: i64,
    pub cases_matched: i64,
    pub cases_differing: i64,
    pub awaiting_payment: i64,
    pub new_findings: i64,
}

impl WriteTx {
    /// Records a day's reconciliation (again: the latest run stands).
    pub async fn record_reconciliation(&mut self, r: &ReconciliationRecord) -> Result<()> {
        sqlx::query("DELETE FROM payment_reconciliations WHERE day = $1")
            .bind(r.day.to_string())
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO payment_reconciliations (day, reconciled_at, receivable_fen, received_fen,
                cases_matched, cases_differing, awaiting_payment, new_findings)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.day.to_string())
        .bind(millis(r.reconciled_at))
        .bind(r.receivable_fen)
        .bind(r.received_fen)
        .bind(r.cases_matched)
        .bind(r.cases_differing)
        .bind(r.awaiting_payment)
        .bind(r.new_findings)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The payments whose notices were issued in `[from, before)`, with their histories.
    pub async fn payments_created_between(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<StoredPayment>> {
        let rows = sqlx::query(
            "SELECT id FROM payments WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
        )
        .bind(millis(from))
        .bind(millis(before))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.payment(row.try_get("id")?).await?);
        }
        Ok(out)
    }

    /// The days reconciled, the latest first.
    pub async fn reconciliations(&self, limit: i64) -> Result<Vec<ReconciliationRecord>> {
        let rows = sqlx::query(
            "SELECT day, reconciled_at, receivable_fen, received_fen, cases_matched,
                cases_differing, awaiting_payment, new_findings
             FROM payment_reconciliations ORDER BY day DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReconciliationRecord {
                    day: parse_column(r, "day")?,
                    reconciled_at: instant(r.try_get("reconciled_at")?)?,
                    receivable_fen: r.try_get("receivable_fen")?,
                    received_fen: r.try_get("received_fen")?,
                    cases_matched: r.try_get("cases_matched")?,
                    cases_differing: r.try_get("cases_differing")?,
                    awaiting_payment: r.try_get("awaiting_payment")?,
                    new_findings: r.try_get("new_findings")?,
                })
            })
            .collect()
    }
}

enum PaymentKey<'a> {
    Id(i64),
    Text(&'a str),
}
