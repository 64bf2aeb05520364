//! Appeals (三项制度), their event histories and numbers.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::appeal::chain::seal_all;
use liandong_domain::appeal::{
    AcceptanceOutcome, AppealChannel, AppealEvent, AppealEventKind, AppealKind, AppealLevel,
    AppealScope, AppealState,
};
use liandong_domain::case::event::GENESIS_HASH;
use liandong_domain::organization::{AppealId, DepartmentId, StaffId, UnitId, Visibility};
use liandong_domain::rating::Satisfaction;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, parse_column,
    to_json, u32_column, updated_at_version,
};

/// The row of an appeal: what lists, filters and statistics read. Derived from its events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealSummary {
    pub id: AppealId,
    /// `SX-{unit code}-{YYYYMMDD}-{sequence}`, numbered per unit where it was raised.
    pub number: String,
    pub kind: AppealKind,
    pub channel: AppealChannel,
    pub scope: AppealScope,
    pub level: AppealLevel,
    pub category: String,
    pub raised_unit_id: UnitId,
    pub responsible_unit_id: UnitId,
    pub responsible_department_id: Option<DepartmentId>,
    pub person_name: String,
    pub person_phone: String,
    pub state: AppealState,
    pub registered_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<Satisfaction>,
    pub escalations: u32,
    pub taken_over: bool,
    /// For a complaint about the service: the last day of the center's decision on
    /// acceptance.
    pub acceptance_due_on: Option<NaiveDate>,
    /// That decision, once made.
    pub acceptance: Option<AcceptanceOutcome>,
    pub version: u32,
    /// The hash of the last event (the appeal's chain).
    pub head_hash: String,
}

/// The columns an append rewrites, from the folded appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealRecord {
    pub scope: AppealScope,
    pub level: AppealLevel,
    pub responsible_unit_id: UnitId,
    pub responsible_department_id: Option<DepartmentId>,
    pub state: AppealState,
    pub due_on: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<Satisfaction>,
    pub escalations: u32,
    pub taken_over: bool,
    pub acceptance_due_on: Option<NaiveDate>,
    pub acceptance: Option<AcceptanceOutcome>,
}

/// A new appeal: where it was raised, its first event and its row.
#[derive(Debug, Clone)]
pub struct NewAppeal {
    pub raised_unit_id: UnitId,
    pub raised_unit_code: String,
    pub raised_on: NaiveDate,
    pub at: DateTime<Utc>,
    pub actor: Option<StaffId>,
    pub registered: AppealEventKind,
    pub record: AppealRecord,
}

/// An appeal and its whole history.
#[derive(Debug, Clone)]
pub struct StoredAppeal {
    pub summary: AppealSummary,
    pub events: Vec<AppealEvent>,
}

/// Filters of the appeal list.
#[derive(Debug, Clone, Default)]
pub struct AppealFilter {
    pub state: Option<AppealState>,
    /// Only those still awaiting an answer (or the decision on acceptance).
    pub open_only: bool,
    /// Only complaints awaiting the center's decision on acceptance, soonest due first.
    pub pending_acceptance: bool,
    /// Due before this instant and still awaiting an answer.
    pub due_before: Option<DateTime<Utc>>,
    pub unit: Option<UnitId>,
    pub level: Option<AppealLevel>,
    pub kind: Option<AppealKind>,
    pub registered_from: Option<DateTime<Utc>>,
    pub registered_before: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "SELECT id, number, kind, channel, scope, level, category, raised_unit_id,
    responsible_unit_id, responsible_department_id, person_name, person_phone, state, registered_at,
    due_on, due_at, answered_at, closed_at, satisfaction, escalations, taken_over,
    acceptance_due_on, acceptance, version, head_hash FROM appeals";

fn summary_row(row: &AnyRow) -> Result<AppealSummary> {
    let satisfaction: Option<String> = row.try_get("satisfaction")?;
    Ok(AppealSummary {
        id: AppealId(row.try_get("id")?),
        number: row.try_get("number")?,
        kind: parse_column(row, "kind")?,
        channel: parse_column(row, "channel")?,
        scope: parse_column(row, "scope")?,
        level: parse_column(row, "level")?,
        category: row.try_get("category")?,
        raised_unit_id: UnitId(row.try_get("raised_unit_id")?),
        responsible_unit_id: UnitId(row.try_get("responsible_unit_id")?),
        responsible_department_id: row
            .try_get::<Option<i64>, _>("responsible_department_id")?
            .map(DepartmentId),
        person_name: row.try_get("person_name")?,
        person_phone: row.try_get("person_phone")?,
        state: parse_column(row, "state")?,
        registered_at: instant(row.try_get("registered_at")?)?,
        due_on: parse_column(row, "due_on")?,
        due_at: instant(row.try_get("due_at")?)?,
        answered_at: opt_instant(row.try_get("answered_at")?)?,
        closed_at: opt_instant(row.try_get("closed_at")?)?,
        satisfaction: satisfaction
            .map(|s| {
                s.parse()
                    .map_err(|e| StoreError::Corrupt(format!("satisfaction: {e}")))
            })
            .transpose()?,
        escalations: u32_column(row, "escalations")?,
        taken_over: row.try_get::<i64, _>("taken_over")? != 0,
        acceptance_due_on: row
            .try_get::<Option<String>, _>("acceptance_due_on")?
            .map(|d| {
                d.parse()
                    .map_err(|e| StoreError::Corrupt(format!("acceptance_due_on: {e}")))
            })
            .transpose()?,
        acceptance: row
            .try_get::<Option<String>, _>("acceptance")?
            .map(|a| {
                a.parse()
                    .map_err(|e| StoreError::Corrupt(format!("acceptance: {e}")))
            })
            .transpose()?,
        version: u32_column(row, "version")?,
        head_hash: row.try_get("head_hash")?,
    })
}

fn event_row(r: &AnyRow) -> Result<AppealEvent> {
    Ok(AppealEvent {
        seq: u32_column(r, "seq")?,
        at: instant(r.try_get("at")?)?,
        actor: r.try_get::<Option<i64>, _>("actor_id")?.map(StaffId),
        unit: UnitId(r.try_get("unit_id")?),
        kind: json_column(r, "data")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl WriteTx {
    async fn next_appeal_number(
        &mut self,
        unit: UnitId,
        code: &str,
        date: NaiveDate,
    ) -> Result<String> {
        let row = sqlx::query(
            "INSERT INTO appeal_number_sequences (unit_id, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (unit_id, day) DO UPDATE SET last = appeal_number_sequences.last + 1
             RETURNING last",
        )
        .bind(unit.0)
        .bind(date.to_string())
        .fetch_one(self.conn())
        .await?;
        let last = u32_column(&row, "last")?;
        Ok(format!("SX-{code}-{}-{last:04}", date.format("%Y%m%d")))
    }

    /// Numbers and inserts a new appeal with its registration event.
    pub async fn insert_appeal(&mut self, appeal: &NewAppeal) -> Result<(AppealId, String)> {
        let number = self
            .next_appeal_number(
                appeal.raised_unit_id,
                &appeal.raised_unit_code,
                appeal.raised_on,
            )
            .await?;
        let AppealEventKind::Registered {
            kind,
            channel,
            category,
            person,
            ..
        } = &appeal.registered
        else {
            return Err(StoreError::Corrupt(
                "an appeal starts with its registration".into(),
            ));
        };
        let r = &appeal.record;
        // The number is known only now: the registration is sealed here, first on the chain.
        let mut first = [AppealEvent::new(
            1,
            appeal.at,
            appeal.actor,
            appeal.raised_unit_id,
            appeal.registered.clone(),
        )];
        let head = seal_all(&number, GENESIS_HASH, &mut first);
        let row = sqlx::query(
            "INSERT INTO appeals (number, kind, channel, scope, level, category, raised_unit_id,
                responsible_unit_id, responsible_department_id, person_name, person_phone, state,
                registered_at, due_on, due_at, escalations, taken_over, acceptance_due_on,
                acceptance, version, head_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, 0, $16,
                $17, 1, $18)
             RETURNING id",
        )
        .bind(&number)
        .bind(kind.as_str())
        .bind(channel.as_str())
        .bind(r.scope.as_str())
        .bind(r.level.as_str())
        .bind(category)
        .bind(appeal.raised_unit_id.0)
        .bind(r.responsible_unit_id.0)
        .bind(r.responsible_department_id.map(|d| d.0))
        .bind(&person.name)
        .bind(
            person
                .phone
                .as_ref()
                .map(|p| p.as_str())
                .unwrap_or_default(),
        )
        .bind(r.state.as_str())
        .bind(millis(appeal.at))
        .bind(r.due_on.to_string())
        .bind(millis(r.due_at))
        .bind(r.acceptance_due_on.map(|d| d.to_string()))
        .bind(r.acceptance.map(|a| a.as_str()))
        .bind(&head)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!(
            "诉求编号 appeal number {number}"
        )))?;
        let id = AppealId(row.try_get("id")?);
        for event in &first {
            self.insert_appeal_event(id, event).await?;
        }
        Ok((id, number))
    }

    async fn insert_appeal_event(&mut self, appeal: AppealId, event: &AppealEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO appeal_events (appeal_id, seq, at, actor_id, unit_id, kind, data,
                prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(appeal.0)
        .bind(i64::from(event.seq))
        .bind(millis(event.at))
        .bind(event.actor.map(|a| a.0))
        .bind(event.unit.0)
        .bind(event.kind.type_name())
        .bind(to_json(&event.kind)?)
        .bind(&event.prev_hash)
        .bind(&event.hash)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique("诉求事件 appeal event"))?;
        Ok(())
    }

    /// Appends events to an appeal read at `expected_version`, sealing them onto its chain,
    /// and rewrites its row; zero rows updated means somebody else acted first (whoever did
    /// changed the version this write is conditioned on, so the head read here is theirs
    /// only if this write then fails).
    pub async fn append_appeal_events(
        &mut self,
        appeal: AppealId,
        expected_version: u32,
        events: &[AppealEvent],
        record: &AppealRecord,
    ) -> Result<()> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        let row = sqlx::query("SELECT number, head_hash FROM appeals WHERE id = $1")
            .bind(appeal.0)
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::NotFound("诉求 appeal"))?;
        let number: String = row.try_get("number")?;
        let head: String = row.try_get("head_hash")?;
        let mut sealed = events.to_vec();
        let head = seal_all(&number, &head, &mut sealed);
        let updated = sqlx::query(
            "UPDATE appeals SET scope = $1, level = $2, responsible_unit_id = $3,
                responsible_department_id = $4, state = $5, due_on = $6, due_at = $7,
                answered_at = $8, closed_at = $9, satisfaction = $10, escalations = $11,
                taken_over = $12, version = $13, acceptance_due_on = $16, acceptance = $17,
                head_hash = $18
             WHERE id = $14 AND version = $15",
        )
        .bind(record.scope.as_str())
        .bind(record.level.as_str())
        .bind(record.responsible_unit_id.0)
        .bind(record.responsible_department_id.map(|d| d.0))
        .bind(record.state.as_str())
        .bind(record.due_on.to_string())
        .bind(millis(record.due_at))
        .bind(record.answered_at.map(millis))
        .bind(record.closed_at.map(millis))
        .bind(record.satisfaction.map(|s| s.as_str()))
        .bind(i64::from(record.escalations))
        .bind(i64::from(record.taken_over))
        .bind(i64::from(last.seq))
        .bind(appeal.0)
        .bind(i64::from(expected_version))
        .bind(record.acceptance_due_on.map(|d| d.to_string()))
        .bind(record.acceptance.map(|a| a.as_str()))
        .bind(&head)
        .execute(self.conn())
        .await?;
        updated_at_version(&updated, expected_version)?;
        for event in &sealed {
            self.insert_appeal_event(appeal, event).await?;
        }
        Ok(())
    }

    /// Seals the appeal events stored before appeal events had a chain: every appeal, its
    /// events in order from the genesis hash, and its head. Run by migration 27 in its
    /// transaction; an appeal whose head is already set is left alone, so a second run does
    /// nothing.
    pub(crate) async fn seal_unsealed_appeals(&mut self) -> Result<u64> {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM appeals WHERE head_hash = '' ORDER BY id")
            .fetch_all(self.conn())
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut sealed = 0;
        for id in ids {
            let row = sqlx::query("SELECT number FROM appeals WHERE id = $1")
                .bind(id)
                .fetch_one(self.conn())
                .await?;
            let number: String = row.try_get("number")?;
            let rows = sqlx::query(
                "SELECT seq, at, actor_id, unit_id, data, prev_hash, hash FROM appeal_events
                 WHERE appeal_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(self.conn())
            .await?;
            let mut events = rows.iter().map(event_row).collect::<Result<Vec<_>>>()?;
            let head = seal_all(&number, GENESIS_HASH, &mut events);
            for event in &events {
                sqlx::query(
                    "UPDATE appeal_events SET prev_hash = $1, hash = $2
                     WHERE appeal_id = $3 AND seq = $4",
                )
                .bind(&event.prev_hash)
                .bind(&event.hash)
                .bind(id)
                .bind(i64::from(event.seq))
                .execute(self.conn())
                .await?;
            }
            sqlx::query("UPDATE appeals SET head_hash = $1 WHERE id = $2")
                .bind(&head)
                .bind(id)
                .execute(self.conn())
                .await?;
            sealed += 1;
        }
        Ok(sealed)
    }
}

impl Store {
    pub async fn appeal(&self, id: AppealId) -> Result<StoredAppeal> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("诉求 appeal"))?;
        let summary = summary_row(&row)?;
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, unit_id, data, prev_hash, hash FROM appeal_events
             WHERE appeal_id = $1 ORDER BY seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        let events = rows.iter().map(event_row).collect::<Result<_>>()?;
        Ok(StoredAppeal { summary, events })
    }

    pub async fn appeal_id_by_number(&self, number: &str) -> Result<AppealId> {
        let row = sqlx::query("SELECT id FROM appeals WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("诉求 appeal"))?;
        Ok(AppealId(row.try_get("id")?))
    }

    /// A page of the appeals visible under `visibility` (raised at or settled by one of its
    /// units, or its departments'), newest first, and how many match in all.
    pub async fn appeals(
        &self,
        visibility: &Visibility,
        filter: &AppealFilter,
    ) -> Result<(Vec<AppealSummary>, i64)> {
        let mut w = Where::default();
        if let Visibility::Limited { units, departments } = visibility {
            let mut any_of = Vec::new();
            for unit in units {
                let p = w.int(unit.0);
                any_of.push(format!("raised_unit_id = {p} OR responsible_unit_id = {p}"));
            }
            for department in departments {
                any_of.push(format!(
                    "responsible_department_id = {}",
                    w.int(department.0)
                ));
            }
            w.any_of(&any_of);
        }
        if let Some(unit) = filter.unit {
            let p = w.int(unit.0);
            w.and(format!(
                "(raised_unit_id = {p} OR responsible_unit_id = {p})"
            ));
        }
        if let Some(due) = filter.due_before {
            let p = w.int(millis(due));
            w.and(format!("due_at < {p}"));
        }
        if let Some(from) = filter.registered_from {
            let p = w.int(millis(from));
            w.and(format!("registered_at >= {p}"));
        }
        if let Some(before) = filter.registered_before {
            let p = w.int(millis(before));
            w.and(format!("registered_at < {p}"));
        }
        if filter.open_only || filter.due_before.is_some() {
            // A complaint awaiting the decision on acceptance is open too (its due time is
            // the decision's meanwhile).
            w.and("state IN ('pending_acceptance', 'registered', 'in_progress')".into());
        }
        if filter.pending_acceptance {
            w.and("state = 'pending_acceptance'".into());
        }
        if let Some(state) = filter.state {
            let p = w.text(state.as_str());
            w.and(format!("state = {p}"));
        }
        if let Some(level) = filter.level {
            let p = w.text(level.as_str());
            w.and(format!("level = {p}"));
        }
        if let Some(kind) = filter.kind {
            let p = w.text(kind.as_str());
            w.and(format!("kind = {p}"));
        }
        let order = if filter.due_before.is_some() || filter.open_only || filter.pending_acceptance
        {
            "due_at, id"
        } else {
            "registered_at DESC, id DESC"
        };
        let (rows, total) = w
            .page(
                &self.pool,
                COLUMNS,
                "appeals",
                order,
                filter.limit.clamp(1, 500),
                filter.offset,
            )
            .await?;
        Ok((rows.iter().map(summary_row).collect::<Result<_>>()?, total))
    }

    /// Complaints still awaiting the decision on acceptance whose last day closed before
    /// `now` (while pending, the row's due time is the decision's): what the supervision
    /// sweep records as late. A query of its own, apart from the case sweep's, reading only
    /// columns as old as the appeals themselves.
    pub async fn appeals_pending_acceptance_past(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(AppealId, String, DateTime<Utc>)>> {
        let rows = sqlx::query(
            "SELECT id, number, registered_at FROM appeals
             WHERE state = 'pending_acceptance' AND due_at < $1 ORDER BY id",
        )
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    AppealId(r.try_get("id")?),
                    r.try_get("number")?,
                    instant(r.try_get("registered_at")?)?,
                ))
            })
            .collect()
    }

    /// Every appeal registered in `[from, before)` at or for `unit` (all when `None`), for
    /// statistics: at most a district's year, read in one pass.
    pub async fn appeal_rows_between(
        &self,
        from: DateTime<Utc>,
        before: DateTime<Utc>,
        unit: Option<UnitId>,
    ) -> Result<Vec<AppealSummary>> {
        let rows = match unit {
            Some(unit) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE registered_at >= $1 AND registered_at < $2
                     AND (raised_unit_id = $3 OR responsible_unit_id = $3) ORDER BY id"
                )))
                .bind(millis(from))
                .bind(millis(before))
                .bind(unit.0)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE registered_at >= $1 AND registered_at < $2 ORDER BY id"
                )))
                .bind(millis(from))
                .bind(millis(before))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(summary_row).collect()
    }
}
