//! The city link (市区两级对接, docs/city-link.md). District side: `city_outbox`, a row per
//! case event and per finding news written in the transaction that writes them, read in id
//! order into records and deleted once the city acknowledges them. City side: the registered
//! districts, every record received once, each case's and finding's latest state, and the
//! running totals, all changed in the transaction that takes a batch.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::case::disclosure::mask_person_name;
use liandong_domain::case::{CaseEvent, CaseState, EventKind};
use liandong_domain::city::{
    BatchError, CaseDeadlineRecord, CaseEventRecord, CityCounts, CountKey, FindingRecord, Order,
    Record, deadline_order, event_counts, finding_counts, finding_record_is_newer, mask_id, order,
};
use liandong_domain::organization::CaseId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, parse_column,
};

/// A district registered at the city (the secret is not shown).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CityDistrict {
    pub code: String,
    pub name: String,
    pub registered_at: DateTime<Utc>,
    pub last_batch_at: Option<DateTime<Utc>>,
    pub last_record_id: Option<i64>,
}

/// What taking a batch did: records applied, and records already held (a retried push).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchReceipt {
    pub applied: u64,
    pub replayed: u64,
    /// The highest record id of the batch: everything up to it in the batch is held.
    pub last_record_id: i64,
}

impl WriteTx {
    /// Queues case events for the city: `state` and `due_at` are the case's after the write,
    /// `on_time` whether a conclusion among them is within the limit.
    pub(crate) async fn queue_city_events(
        &mut self,
        case: CaseId,
        events: &[CaseEvent],
        state: CaseState,
        due_at: Option<DateTime<Utc>>,
        on_time: bool,
    ) -> Result<()> {
        if self.schema < crate::migrate::CITY_OUTBOX {
            return Ok(());
        }
        for event in events {
            let concluded = event.kind.type_name() == "concluded";
            sqlx::query(
                "INSERT INTO city_outbox (kind, case_id, seq, state, due_at, on_time, created_at)
                 VALUES ('case_event', $1, $2, $3, $4, $5, $6)",
            )
            .bind(case.0)
            .bind(i64::from(event.seq))
            .bind(state.as_str())
            .bind(due_at.map(millis))
            .bind(concluded.then_some(i64::from(on_time)))
            .bind(millis(event.at))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Queues the news of a finding about a case for the city: found (`recorded`) or the
    /// state of its notice. A camera's finding (no case) queues nothing.
    pub(crate) async fn queue_city_finding(
        &mut self,
        finding: i64,
        state: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if self.schema < crate::migrate::CITY_OUTBOX {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO city_outbox (kind, case_id, finding_id, state, created_at)
             SELECT 'finding', case_id, id, $2, $3 FROM findings
             WHERE id = $1 AND case_id IS NOT NULL",
        )
        .bind(finding)
        .bind(state)
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Queues a case's deadline recomputed without an event (`seq`: the case's last event).
    pub async fn queue_city_deadline(
        &mut self,
        case: CaseId,
        seq: u32,
        due_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if self.schema < crate::migrate::CITY_OUTBOX {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO city_outbox (kind, case_id, seq, state, due_at, created_at)
             SELECT 'case_deadline', id, $2, state, $3, $4 FROM cases WHERE id = $1",
        )
        .bind(case.0)
        .bind(i64::from(seq))
        .bind(due_at.map(millis))
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Queues the new state of a supervision notice as news of its finding.
    pub(crate) async fn queue_city_notice(
        &mut self,
        notice: i64,
        state: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if self.schema < crate::migrate::CITY_OUTBOX {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO city_outbox (kind, case_id, finding_id, state, created_at)
             SELECT 'finding', f.case_id, f.id, $2, $3 FROM notices n
             JOIN findings f ON f.id = n.finding_id
             WHERE n.id = $1 AND f.case_id IS NOT NULL",
        )
        .bind(notice)
        .bind(state)
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

const EVENT_RECORDS: &str = "SELECT o.id, o.case_id, o.seq, o.state, o.due_at, o.on_time,
    c.number, c.applicant_name, c.applicant_id_number, e.kind, e.at, e.data,
    eu.code AS unit, ru.code AS received_unit, hu.code AS handling_unit,
    d.code AS department, i.code AS item
    FROM city_outbox o
    JOIN cases c ON c.id = o.case_id
    JOIN case_events e ON e.case_id = o.case_id AND e.seq = o.seq
    JOIN units eu ON eu.id = e.unit_id
    JOIN units ru ON ru.id = c.received_unit_id
    JOIN units hu ON hu.id = c.handling_unit_id
    JOIN departments d ON d.id = c.department_id
    JOIN service_items i ON i.id = c.item_id
    WHERE o.kind = 'case_event' ORDER BY o.id LIMIT $1";

const FINDING_RECORDS: &str = "SELECT o.id, o.case_id, o.finding_id, o.state,
    f.kind, f.occurred_at, f.detected_at, f.routine, c.number, d.code AS department
    FROM city_outbox o
    JOIN findings f ON f.id = o.finding_id
    JOIN cases c ON c.id = o.case_id
    JOIN departments d ON d.id = f.department_id
    WHERE o.kind = 'finding' ORDER BY o.id LIMIT $1";

const DEADLINE_RECORDS: &str = "SELECT o.id, o.case_id, o.seq, o.due_at, o.created_at, c.number
    FROM city_outbox o JOIN cases c ON c.id = o.case_id
    WHERE o.kind = 'case_deadline' ORDER BY o.id LIMIT $1";

fn deadline_record(row: &AnyRow) -> Result<Record> {
    Ok(Record::CaseDeadline(CaseDeadlineRecord {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        case_number: row.try_get("number")?,
        seq: u32::try_from(row.try_get::<i64, _>("seq")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        due_at: opt_instant(row.try_get("due_at")?)?,
        at: instant(row.try_get("created_at")?)?,
    }))
}

fn event_record(row: &AnyRow) -> Result<Record> {
    let event: String = row.try_get("kind")?;
    let received = event == "received";
    let on_time: Option<i64> = row.try_get("on_time")?;
    let on_the_spot = matches!(
        json_column::<EventKind>(row, "data")?,
        EventKind::Concluded {
            on_the_spot: true,
            ..
        }
    );
    let name: String = row.try_get("applicant_name")?;
    let id_number: String = row.try_get("applicant_id_number")?;
    Ok(Record::CaseEvent(CaseEventRecord {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        case_number: row.try_get("number")?,
        seq: u32::try_from(row.try_get::<i64, _>("seq")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        event,
        at: instant(row.try_get("at")?)?,
        unit: row.try_get("unit")?,
        received_unit: row.try_get("received_unit")?,
        handling_unit: row.try_get("handling_unit")?,
        department: row.try_get("department")?,
        item: row.try_get("item")?,
        state: parse_column(row, "state")?,
        due_at: opt_instant(row.try_get("due_at")?)?,
        on_time: on_time.map(|v| v != 0),
        on_the_spot,
        applicant_masked: received.then(|| mask_person_name(&name)),
        applicant_id_masked: received.then(|| mask_id(&id_number)),
    }))
}

fn finding_record(row: &AnyRow) -> Result<Record> {
    Ok(Record::Finding(FindingRecord {
        id: row.try_get("id")?,
        finding_id: row.try_get("finding_id")?,
        kind: parse_column(row, "kind")?,
        case_id: row.try_get("case_id")?,
        case_number: row.try_get("number")?,
        department: row.try_get("department")?,
        occurred_at: instant(row.try_get("occurred_at")?)?,
        detected_at: instant(row.try_get("detected_at")?)?,
        routine: row.try_get::<i64, _>("routine")? != 0,
        state: row.try_get("state")?,
    }))
}

fn district_row(row: &AnyRow) -> Result<CityDistrict> {
    Ok(CityDistrict {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        registered_at: instant(row.try_get("registered_at")?)?,
        last_batch_at: opt_instant(row.try_get("last_batch_at")?)?,
        last_record_id: row.try_get("last_record_id")?,
    })
}

impl Store {
    /// The first `limit` records still to be sent, in the order written.
    pub async fn city_pending(&self, limit: i64) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for row in sqlx::query(EVENT_RECORDS)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
        {
            records.push(event_record(&row)?);
        }
        for row in sqlx::query(FINDING_RECORDS)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
        {
            records.push(finding_record(&row)?);
        }
        for row in sqlx::query(DEADLINE_RECORDS)
            .bind(limit)
            .fetch_all(self.pool())
            .await?
        {
            records.push(deadline_record(&row)?);
        }
        records.sort_by_key(Record::id);
        records.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(records)
    }

    /// How many records wait to be sent.
    pub async fn city_pending_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM city_outbox")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Forgets records the city acknowledged.
    pub async fn city_acknowledged(&self, ids: &[i64]) -> Result<()> {
        let mut tx = self.begin().await?;
        for chunk in ids.chunks(200) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "DELETE FROM city_outbox WHERE id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(tx.conn()).await?;
        }
        tx.commit().await
    }

    /// Registers a district at the city, or changes its name and secret.
    pub async fn register_city_district(
        &self,
        code: &str,
        name: &str,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO city_districts (code, name, secret, registered_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, secret = excluded.secret",
        )
        .bind(code)
        .bind(name)
        .bind(secret)
        .bind(millis(now))
        .execute(tx.conn())
        .await?;
        tx.commit().await
    }

    /// The secret a district signs its pushes with; None for a district not registered.
    pub async fn city_district_secret(&self, code: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT secret FROM city_districts WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("secret")).transpose()?)
    }

    pub async fn city_districts(&self) -> Result<Vec<CityDistrict>> {
        sqlx::query(
            "SELECT code, name, registered_at, last_batch_at, last_record_id
             FROM city_districts ORDER BY code",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(district_row)
        .collect()
    }

    /// Takes a validated batch of `district` in one transaction: each record not yet held is
    /// stored, applied to its case or finding and counted. An event that leaves a gap in its
    /// case refuses the whole batch (`Ok(Err(…))`, nothing written).
    pub async fn receive_city_batch(
        &self,
        district: &str,
        records: &[Record],
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<BatchReceipt, BatchError>> {
        let mut tx = self.begin().await?;
        let mut receipt = BatchReceipt::default();
        for record in records {
            receipt.last_record_id = receipt.last_record_id.max(record.id());
            let (kind, body) = match record {
                Record::CaseEvent(r) => ("case_event", serde_json::to_string(r)),
                Record::Finding(r) => ("finding", serde_json::to_string(r)),
                Record::CaseDeadline(r) => ("case_deadline", serde_json::to_string(r)),
            };
            let body = body.map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let inserted = sqlx::query(
                "INSERT INTO city_records (district, record_id, kind, body, received_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (district, record_id) DO NOTHING",
            )
            .bind(district)
            .bind(record.id())
            .bind(kind)
            .bind(body)
            .bind(millis(now))
            .execute(tx.conn())
            .await?
            .rows_affected();
            if inserted == 0 {
                receipt.replayed += 1;
                continue;
            }
            let counted = match record {
                Record::CaseEvent(r) => match tx.apply_city_event(district, r, now).await? {
                    Ok(counts) => counts,
                    Err(e) => return Ok(Err(e)),
                },
                Record::Finding(r) => tx.apply_city_finding(district, r).await?,
                Record::CaseDeadline(r) => match tx.apply_city_deadline(district, r).await? {
                    Ok(()) => None,
                    Err(e) => return Ok(Err(e)),
                },
            };
            if let Some((key, counts)) = counted {
                tx.add_city_counts(district, &key, &counts).await?;
            }
            receipt.applied += 1;
        }
        sqlx::query(
            "UPDATE city_districts SET last_batch_at = $1,
                last_record_id = CASE WHEN last_record_id IS NULL OR last_record_id < $2
                    THEN $2 ELSE last_record_id END
             WHERE code = $3",
        )
        .bind(millis(now))
        .bind(receipt.last_record_id)
        .bind(district)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(Ok(receipt))
    }

    /// The totals per district over the China dates `from..=to` (either end open).
    pub async fn city_totals(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<(String, CityCounts)>> {
        let sums: Vec<String> = CityCounts::COLUMNS
            .iter()
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
            .collect();
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut bounds = Vec::new();
        for (bound, op) in [(from, ">="), (to, "<=")] {
            if let Some(day) = bound {
                bounds.push(day.to_string());
                conditions.push(format!("day {op} ${}", bounds.len()));
            }
        }
        let sql = format!(
            "SELECT district, {} FROM city_totals WHERE {}
             GROUP BY district ORDER BY district",
            sums.join(", "),
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for day in bounds {
            query = query.bind(day);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let mut values = [0i64; 9];
                for (v, c) in values.iter_mut().zip(CityCounts::COLUMNS) {
                    *v = row.try_get(c)?;
                }
                Ok((row.try_get("district")?, CityCounts::from_values(values)))
            })
            .collect()
    }

    /// The due time of every open case the city knows, with its district.
    pub async fn city_open_cases(&self) -> Result<Vec<(String, Option<DateTime<Utc>>)>> {
        sqlx::query("SELECT district, due_at FROM city_cases WHERE closed = 0")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("district")?,
                    opt_instant(row.try_get("due_at")?)?,
                ))
            })
            .collect()
    }

    /// Findings not yet concluded (irregularities only), per district.
    pub async fn city_open_findings(&self) -> Result<Vec<(String, i64)>> {
        sqlx::query(
            "SELECT district, COUNT(*) AS n FROM city_findings
             WHERE routine = 0 AND state <> 'closed' GROUP BY district ORDER BY district",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.try_get("district")?, row.try_get("n")?)))
        .collect()
    }
}

impl WriteTx {
    async fn apply_city_event(
        &mut self,
        district: &str,
        r: &CaseEventRecord,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<Option<(CountKey, CityCounts)>, BatchError>> {
        let held =
            sqlx::query("SELECT last_seq FROM city_cases WHERE district = $1 AND case_id = $2")
                .bind(district)
                .bind(r.case_id)
                .fetch_optional(self.conn())
                .await?;
        let last = held
            .map(|row| row.try_get::<i64, _>("last_seq"))
            .transpose()?
            .map(|s| u32::try_from(s).unwrap_or(u32::MAX));
        match order(last, r.seq) {
            Order::Replay => return Ok(Ok(None)),
            Order::Gap { expected } => {
                return Ok(Err(BatchError::OutOfOrder {
                    case_number: r.case_number.clone(),
                    expected,
                    seq: r.seq,
                }));
            }
            Order::Next => {}
        }
        let closed = i64::from(r.state.is_closed());
        if last.is_none() {
            sqlx::query(
                "INSERT INTO city_cases (district, case_id, number, department, item, handling_unit,
                    state, closed, due_at, last_seq, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(district)
            .bind(r.case_id)
            .bind(&r.case_number)
            .bind(&r.department)
            .bind(&r.item)
            .bind(&r.handling_unit)
            .bind(r.state.as_str())
            .bind(closed)
            .bind(r.due_at.map(millis))
            .bind(i64::from(r.seq))
            .bind(millis(now))
            .execute(self.conn())
            .await
            .map_err(|e| match StoreError::unique("")(e) {
                StoreError::Duplicate(_) => StoreError::Conflict { expected: 0 },
                other => other,
            })?;
        } else {
            let done = sqlx::query(
                "UPDATE city_cases SET department = $1, item = $2, handling_unit = $3, state = $4,
                    closed = $5, due_at = $6, last_seq = $7, updated_at = $8
                 WHERE district = $9 AND case_id = $10 AND last_seq = $11",
            )
            .bind(&r.department)
            .bind(&r.item)
            .bind(&r.handling_unit)
            .bind(r.state.as_str())
            .bind(closed)
            .bind(r.due_at.map(millis))
            .bind(i64::from(r.seq))
            .bind(millis(now))
            .bind(district)
            .bind(r.case_id)
            .bind(i64::from(r.seq) - 1)
            .execute(self.conn())
            .await?;
            // Another push of the same case got in between (two district nodes pushing at
            // once): refuse, the district sends again and finds it a replay or the next one.
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict {
                    expected: i64::from(r.seq) - 1,
                });
            }
        }
        Ok(Ok(Some(event_counts(r))))
    }

    async fn apply_city_deadline(
        &mut self,
        district: &str,
        r: &CaseDeadlineRecord,
    ) -> Result<std::result::Result<(), BatchError>> {
        let last =
            sqlx::query("SELECT last_seq FROM city_cases WHERE district = $1 AND case_id = $2")
                .bind(district)
                .bind(r.case_id)
                .fetch_optional(self.conn())
                .await?
                .map(|row| row.try_get::<i64, _>("last_seq"))
                .transpose()?
                .map(|s| u32::try_from(s).unwrap_or(u32::MAX));
        match deadline_order(last, r.seq) {
            Order::Replay => Ok(Ok(())),
            Order::Gap { expected } => Ok(Err(BatchError::OutOfOrder {
                case_number: r.case_number.clone(),
                expected,
                seq: r.seq,
            })),
            Order::Next => {
                sqlx::query(
                    "UPDATE city_cases SET due_at = $1 WHERE district = $2 AND case_id = $3 AND last_seq = $4",
                )
                .bind(r.due_at.map(millis))
                .bind(district)
                .bind(r.case_id)
                .bind(i64::from(r.seq))
                .execute(self.conn())
                .await?;
                Ok(Ok(()))
            }
        }
    }

    async fn apply_city_finding(
        &mut self,
        district: &str,
        r: &FindingRecord,
    ) -> Result<Option<(CountKey, CityCounts)>> {
        let held = sqlx::query(
            "SELECT last_record_id FROM city_findings WHERE district = $1 AND finding_id = $2",
        )
        .bind(district)
        .bind(r.finding_id)
        .fetch_optional(self.conn())
        .await?;
        let item = sqlx::query("SELECT item FROM city_cases WHERE district = $1 AND case_id = $2")
            .bind(district)
            .bind(r.case_id)
            .fetch_optional(self.conn())
            .await?
            .map(|row| row.try_get::<String, _>("item"))
            .transpose()?
            .unwrap_or_default();
        match held {
            None => {
                sqlx::query(
                    "INSERT INTO city_findings (district, finding_id, case_id, number, kind, department,
                        detected_at, routine, state, last_record_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(district)
                .bind(r.finding_id)
                .bind(r.case_id)
                .bind(&r.case_number)
                .bind(r.kind.as_str())
                .bind(&r.department)
                .bind(millis(r.detected_at))
                .bind(i64::from(r.routine))
                .bind(&r.state)
                .bind(r.id)
                .execute(self.conn())
                .await?;
                Ok(Some(finding_counts(r, true, &item)))
            }
            Some(row) => {
                let last: i64 = row.try_get("last_record_id")?;
                if finding_record_is_newer(last, r.id) {
                    sqlx::query(
                        "UPDATE city_findings SET state = $1, last_record_id = $2
                         WHERE district = $3 AND finding_id = $4",
                    )
                    .bind(&r.state)
                    .bind(r.id)
                    .bind(district)
                    .bind(r.finding_id)
                    .execute(self.conn())
                    .await?;
                }
                Ok(None)
            }
        }
    }

    async fn add_city_counts(
        &mut self,
        district: &str,
        key: &CountKey,
        counts: &CityCounts,
    ) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let columns = CityCounts::COLUMNS.join(", ");
        let placeholders: Vec<String> = (5..5 + CityCounts::COLUMNS.len())
            .map(|i| format!("${i}"))
            .collect();
        let updates: Vec<String> = CityCounts::COLUMNS
            .iter()
            .map(|c| format!("{c} = city_totals.{c} + excluded.{c}"))
            .collect();
        let sql = format!(
            "INSERT INTO city_totals (district, day, department, item, {columns})
             VALUES ($1, $2, $3, $4, {})
             ON CONFLICT (district, day, department, item) DO UPDATE SET {}",
            placeholders.join(", "),
            updates.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(district)
            .bind(key.day.to_string())
            .bind(&key.department)
            .bind(&key.item);
        for v in counts.values() {
            query = query.bind(v);
        }
        query.execute(self.conn()).await?;
        Ok(())
    }
}
