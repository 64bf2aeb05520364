//! Cases, their event histories, case numbers and idempotent intake.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::case::tally::{Tally, tally};
use liandong_domain::case::{
    CaseEvent, CaseNumber, CaseState, Channel, ClockSnapshot, EventDraft, EventKind, Outcome,
};
use liandong_domain::organization::{
    CaseId, DepartmentId, ItemId, StaffId, UnitId, Visibility, WindowId,
};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, parse_column,
    to_json, u32_column, updated_at_version,
};

/// The columns of a case row that lists and filters read; derived from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: CaseNumber,
    pub item_id: ItemId,
    pub item_version: u32,
    pub received_unit_id: UnitId,
    pub handling_unit_id: UnitId,
    pub department_id: DepartmentId,
    pub channel: Channel,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub phone: String,
    pub state: CaseState,
    pub outcome: Option<Outcome>,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_provisional: bool,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: u32,
    pub head_hash: String,
}

impl CaseSummary {
    /// The row as it stands after an append of events ending with `last`.
    pub fn after_append(&mut self, record: &CaseRecord, last: &CaseEvent) {
        self.state = record.state;
        self.outcome = record.outcome;
        self.accepted_at = record.accepted_at;
        self.due_at = record.due_at;
        self.due_provisional = record.due_provisional;
        self.decided_at = record.decided_at;
        self.closed_at = record.closed_at;
        self.version = last.seq;
        self.head_hash.clone_from(&last.hash);
    }
}

/// The derived columns written with every append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub state: CaseState,
    pub outcome: Option<Outcome>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_provisional: bool,
    pub decided_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The time facts kept for the sweep while the case is accepted and open.
    pub clock: ClockSnapshot,
}

/// A case and its whole history.
#[derive(Debug, Clone)]
pub struct StoredCase {
    pub summary: CaseSummary,
    pub events: Vec<CaseEvent>,
}

/// What intake writes: where and for what, the first event's content, and the derived columns.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub item_id: ItemId,
    pub item_version: u32,
    pub received_unit_id: UnitId,
    pub received_unit_code: String,
    pub handling_unit_id: UnitId,
    pub department_id: DepartmentId,
    pub received_at: DateTime<Utc>,
    /// The China date of intake, for the case number.
    pub received_date: NaiveDate,
    /// None: the applicant, online.
    pub actor: Option<StaffId>,
    pub comment: String,
    pub received: EventKind,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub phone: String,
    pub channel: Channel,
    /// The window that took it in: the one the clerk is signed on at; none online.
    pub window_id: Option<WindowId>,
}

/// How lists are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// Newest first.
    #[default]
    ReceivedDesc,
    /// Most urgent first: the nearest due time, open cases only make sense here.
    DueAsc,
}

/// Filters of the case list; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub state: Option<CaseState>,
    pub open_only: bool,
    pub unit: Option<UnitId>,
    pub department: Option<DepartmentId>,
    pub item: Option<ItemId>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// Due before this instant (for "overdue" and "due soon").
    pub due_before: Option<DateTime<Utc>>,
    /// Case number, applicant name or ID number (exact).
    pub search: Option<String>,
    pub sort: CaseSort,
    pub limit: i64,
    pub offset: i64,
}

const SUMMARY_COLUMNS: &str =
    "SELECT id, number, item_id, item_version, received_unit_id, handling_unit_id,
    department_id, channel, applicant_name, applicant_id_number, phone, state, outcome, received_at,
    accepted_at, due_at, due_provisional, decided_at, closed_at, version, head_hash FROM cases";

fn summary_row(row: &AnyRow) -> Result<CaseSummary> {
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(CaseSummary {
        id: CaseId(row.try_get("id")?),
        number: CaseNumber::parse(&row.try_get::<String, _>("number")?)
            .ok_or_else(|| StoreError::Corrupt("case number".into()))?,
        item_id: ItemId(row.try_get("item_id")?),
        item_version: u32_column(row, "item_version")?,
        received_unit_id: UnitId(row.try_get("received_unit_id")?),
        handling_unit_id: UnitId(row.try_get("handling_unit_id")?),
        department_id: DepartmentId(row.try_get("department_id")?),
        channel: parse_column(row, "channel")?,
        applicant_name: row.try_get("applicant_name")?,
        applicant_id_number: row.try_get("applicant_id_number")?,
        phone: row.try_get("phone")?,
        state: parse_column(row, "state")?,
        outcome: outcome
            .map(|o| {
                o.parse()
                    .map_err(|e: liandong_domain::organization::UnknownName| {
                        StoreError::Corrupt(e.to_string())
                    })
            })
            .transpose()?,
        received_at: instant(row.try_get("received_at")?)?,
        accepted_at: opt_instant(row.try_get("accepted_at")?)?,
        due_at: opt_instant(row.try_get("due_at")?)?,
        due_provisional: row.try_get::<i64, _>("due_provisional")? != 0,
        decided_at: opt_instant(row.try_get("decided_at")?)?,
        closed_at: opt_instant(row.try_get("closed_at")?)?,
        version: u32_column(row, "version")?,
        head_hash: row.try_get("head_hash")?,
    })
}

pub(crate) fn event_row(row: &AnyRow) -> Result<CaseEvent> {
    Ok(CaseEvent {
        seq: u32_column(row, "seq")?,
        at: instant(row.try_get("at")?)?,
        actor: row.try_get::<Option<i64>, _>("actor_id")?.map(StaffId),
        unit: UnitId(row.try_get("unit_id")?),
        comment: row.try_get("comment")?,
        kind: json_column(row, "data")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Whose idempotency key it is: a member of staff at a window, or an applicant signed in
/// online with their phone. The same key of two owners names two requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    Staff(StaffId),
    Applicant(String),
}

impl KeyOwner {
    /// The table the owner's keys are kept in and the column that names the owner.
    fn table(&self) -> (&'static str, &'static str) {
        match self {
            KeyOwner::Staff(_) => ("idempotency_keys", "staff_id"),
            KeyOwner::Applicant(_) => ("applicant_idempotency_keys", "phone"),
        }
    }

    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        match self {
            KeyOwner::Staff(id) => query.bind(id.0),
            KeyOwner::Applicant(phone) => query.bind(phone.as_str()),
        }
    }
}

async fn idempotent_case<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    owner: &KeyOwner,
    key: &str,
) -> Result<Option<(CaseId, String)>> {
    let (table, column) = owner.table();
    let sql = format!("SELECT case_id, request_hash FROM {table} WHERE {column} = $1 AND key = $2");
    let row = owner
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(key)
        .fetch_optional(executor)
        .await?;
    row.map(|r| Ok((CaseId(r.try_get("case_id")?), r.try_get("request_hash")?)))
        .transpose()
}

impl WriteTx {
    /// The next number of the unit's day: one row per unit and day, bumped in the transaction.
    async fn next_case_number(
        &mut self,
        unit: UnitId,
        code: &str,
        date: NaiveDate,
    ) -> Result<CaseNumber> {
        let row = sqlx::query(
            "INSERT INTO case_number_sequences (unit_id, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (unit_id, day) DO UPDATE SET last = case_number_sequences.last + 1
             RETURNING last",
        )
        .bind(unit.0)
        .bind(date.to_string())
        .fetch_one(self.conn())
        .await?;
        let last = u32_column(&row, "last")?;
        Ok(CaseNumber::new(code, date, last))
    }

    /// Inserts a case with its `Received` event, numbering it; returns the id and first event.
    pub async fn insert_case(&mut self, case: &NewCase) -> Result<(CaseId, CaseNumber, CaseEvent)> {
        let number = self
            .next_case_number(
                case.received_unit_id,
                &case.received_unit_code,
                case.received_date,
            )
            .await?;
        let event = CaseEvent::seal(
            number.as_str(),
            liandong_domain::case::event::GENESIS_HASH,
            1,
            EventDraft {
                at: case.received_at,
                actor: case.actor,
                unit: case.received_unit_id,
                comment: case.comment.clone(),
                kind: case.received.clone(),
            },
        );
        let row = sqlx::query(
            "INSERT INTO cases (number, item_id, item_version, received_unit_id, handling_unit_id, department_id,
                channel, applicant_name, applicant_id_number, phone, state, received_at, version, head_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13) RETURNING id",
        )
        .bind(number.as_str())
        .bind(case.item_id.0)
        .bind(i64::from(case.item_version))
        .bind(case.received_unit_id.0)
        .bind(case.handling_unit_id.0)
        .bind(case.department_id.0)
        .bind(case.channel.as_str())
        .bind(&case.applicant_name)
        .bind(&case.applicant_id_number)
        .bind(&case.phone)
        .bind(CaseState::Submitted.as_str())
        .bind(millis(event.at))
        .bind(&event.hash)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!("办件编号 case number {number}")))?;
        let id = CaseId(row.try_get("id")?);
        // The window in a statement of its own, only when there is one: intake without a
        // window still runs on a schema before migration 25 (the migration tests seed older
        // schemas through the use cases).
        if let Some(window) = case.window_id {
            self.set_case_window(id, window).await?;
        }
        self.insert_event(id, &event).await?;
        self.add_to_totals(id, &tally(std::slice::from_ref(&event), None))
            .await?;
        self.queue_city_events(
            id,
            std::slice::from_ref(&event),
            CaseState::Submitted,
            None,
            true,
        )
        .await?;
        Ok((id, number, event))
    }

    async fn insert_event(&mut self, case: CaseId, event: &CaseEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, at, actor_id, unit_id, kind, comment, data, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(case.0)
        .bind(i64::from(event.seq))
        .bind(millis(event.at))
        .bind(event.actor.map(|a| a.0))
        .bind(event.unit.0)
        .bind(event.kind.type_name())
        .bind(&event.comment)
        .bind(to_json(&event.kind)?)
        .bind(&event.prev_hash)
        .bind(&event.hash)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique("办件事件 case event"))?;
        Ok(())
    }

    /// Appends events to a case read at `expected_version`, writes its derived columns and
    /// its clock (`open_case_clocks`), and adds what the events count (`days`, from `case::tally`) to the running totals.
    /// Zero rows updated means somebody else acted first: a conflict.
    pub async fn append_events(
        &mut self,
        case: CaseId,
        expected_version: u32,
        events: &[CaseEvent],
        record: &CaseRecord,
        days: &[(NaiveDate, Tally)],
    ) -> Result<()> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        let done = sqlx::query(
            "UPDATE cases SET state = $1, outcome = $2, accepted_at = $3, due_at = $4, due_provisional = $5,
                decided_at = $6, closed_at = $7, version = $8, head_hash = $9
             WHERE id = $10 AND version = $11",
        )
        .bind(record.state.as_str())
        .bind(record.outcome.map(|o| o.as_str()))
        .bind(record.accepted_at.map(millis))
        .bind(record.due_at.map(millis))
        .bind(i64::from(record.due_provisional))
        .bind(record.decided_at.map(millis))
        .bind(record.closed_at.map(millis))
        .bind(i64::from(last.seq))
        .bind(&last.hash)
        .bind(case.0)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)?;
        for event in events {
            self.insert_event(case, event).await?;
        }
        self.keep_clock(case, &record.clock).await?;
        self.add_to_totals(case, days).await?;
        let on_time = days.iter().any(|(_, t)| t.concluded_on_time > 0);
        self.queue_city_events(case, events, record.state, record.due_at, on_time)
            .await
    }

    /// Rewrites the derived columns of a case without new events (a recomputed deadline).
    pub async fn update_case_record(
        &mut self,
        case: CaseId,
        version: u32,
        record: &CaseRecord,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE cases SET due_at = $1, due_provisional = $2 WHERE id = $3 AND version = $4 AND state = $5",
        )
        .bind(record.due_at.map(millis))
        .bind(i64::from(record.due_provisional))
        .bind(case.0)
        .bind(i64::from(version))
        .bind(record.state.as_str())
        .execute(self.conn())
        .await?;
        updated_at_version(&done, version)?;
        Ok(())
    }

    /// The case an idempotency key already made, with the hash of the request that made it.
    pub async fn idempotent_case(
        &mut self,
        owner: &KeyOwner,
        key: &str,
    ) -> Result<Option<(CaseId, String)>> {
        idempotent_case(self.conn(), owner, key).await
    }

    pub async fn remember_idempotency_key(
        &mut self,
        owner: &KeyOwner,
        key: &str,
        request_hash: &str,
        case: CaseId,
        now_ms: i64,
    ) -> Result<()> {
        let (table, column) = owner.table();
        let sql = format!(
            "INSERT INTO {table} ({column}, key, request_hash, case_id, created_at)
             VALUES ($1, $2, $3, $4, $5)"
        );
        owner
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .bind(key)
            .bind(request_hash)
            .bind(case.0)
            .bind(now_ms)
            .execute(self.conn())
            .await
            .map_err(StoreError::unique("幂等键 idempotency key"))?;
        Ok(())
    }
}

impl Store {
    /// The cases taken in under `phone`, newest first: what an applicant signed in online
    /// with that number sees.
    pub async fn cases_of_phone(&self, phone: &str, limit: i64) -> Result<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_COLUMNS} WHERE phone = $1 ORDER BY received_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(phone)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_row).collect()
    }

    pub async fn case_summary(&self, id: CaseId) -> Result<CaseSummary> {
        let sql = format!("{SUMMARY_COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("办件 case"))?;
        summary_row(&row)
    }

    /// The case an idempotency key made, with the hash of the request that made it.
    pub async fn idempotent_case(
        &self,
        owner: &KeyOwner,
        key: &str,
    ) -> Result<Option<(CaseId, String)>> {
        idempotent_case(&self.pool, owner, key).await
    }

    pub async fn case_id_by_number(&self, number: &CaseNumber) -> Result<CaseId> {
        let row = sqlx::query("SELECT id FROM cases WHERE number = $1")
            .bind(number.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("办件 case"))?;
        Ok(CaseId(row.try_get("id")?))
    }

    pub async fn case_events(&self, id: CaseId) -> Result<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, unit_id, comment, data, prev_hash, hash FROM case_events
             WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    /// A case and its history. Both reads see one committed state: the summary's version
    /// must match the history, or another write slipped between them and we read again.
    pub async fn case(&self, id: CaseId) -> Result<StoredCase> {
        for _ in 0..5 {
            let summary = self.case_summary(id).await?;
            let events = self.case_events(id).await?;
            if events.last().map(|e| e.seq) == Some(summary.version) {
                return Ok(StoredCase { summary, events });
            }
        }
        Err(StoreError::Conflict { expected: 0 })
    }

    /// A page of cases visible under `visibility`, and how many match in all.
    pub async fn cases(
        &self,
        visibility: &Visibility,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseSummary>, i64)> {
        let mut w = Where::default();
        if let Visibility::Limited { units, departments } = visibility {
            let mut any_of = Vec::new();
            for unit in units {
                let p = w.int(unit.0);
                any_of.push(format!("received_unit_id = {p} OR handling_unit_id = {p}"));
            }
            for department in departments {
                any_of.push(format!("department_id = {}", w.int(department.0)));
            }
            if any_of.is_empty() {
                return Ok((Vec::new(), 0));
            }
            w.any_of(&any_of);
        }
        if let Some(unit) = filter.unit {
            let p = w.int(unit.0);
            w.and(format!(
                "(received_unit_id = {p} OR handling_unit_id = {p})"
            ));
        }
        if let Some(department) = filter.department {
            let p = w.int(department.0);
            w.and(format!("department_id = {p}"));
        }
        if let Some(item) = filter.item {
            let p = w.int(item.0);
            w.and(format!("item_id = {p}"));
        }
        if let Some(from) = filter.received_from {
            let p = w.int(millis(from));
            w.and(format!("received_at >= {p}"));
        }
        if let Some(before) = filter.received_before {
            let p = w.int(millis(before));
            w.and(format!("received_at < {p}"));
        }
        if let Some(due) = filter.due_before {
            let p = w.int(millis(due));
            w.and(format!("due_at < {p}"));
        }
        if filter.open_only {
            // Closed exactly when concluded, refused or withdrawn; the partial indexes of open
            // cases answer this form.
            w.and("closed_at IS NULL".into());
        }
        if let Some(state) = filter.state {
            let p = w.text(state.as_str());
            w.and(format!("state = {p}"));
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let exact = w.text(search);
            let prefix = w.text(format!("{search}%"));
            w.and(format!(
                "(number = {exact} OR applicant_id_number = {exact} OR applicant_name LIKE {prefix})"
            ));
        }
        let order = match filter.sort {
            CaseSort::ReceivedDesc => "received_at DESC, id DESC",
            CaseSort::DueAsc => "CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id",
        };
        let (rows, total) = w
            .page(
                &self.pool,
                SUMMARY_COLUMNS,
                "cases",
                order,
                filter.limit.clamp(1, 500),
                filter.offset,
            )
            .await?;
        Ok((rows.iter().map(summary_row).collect::<Result<_>>()?, total))
    }

    /// Ids of the cases whose due time was computed on a provisional calendar.
    pub async fn provisional_case_ids(&self) -> Result<Vec<CaseId>> {
        let rows = sqlx::query("SELECT id FROM cases WHERE due_provisional = 1 ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get("id")?))).collect()
    }

    /// Ids of every case, in batches, for audit verification.
    pub async fn case_ids_after(&self, after: CaseId, limit: i64) -> Result<Vec<CaseId>> {
        let rows = sqlx::query("SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get("id")?))).collect()
    }

    pub async fn case_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }
}
