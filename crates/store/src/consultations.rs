//! Online consultation (网上咨询): the question's row for lists and counts, and its history.

use chrono::{DateTime, Utc};
use liandong_domain::consultation::{Consultation, ConsultationEvent, ConsultationState};
use liandong_domain::organization::{DepartmentId, StaffId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, parse_column,
    to_json, u32_column, updated_at_version,
};

/// A consultation's row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsultationRow {
    pub id: i64,
    pub item_code: String,
    pub department_id: DepartmentId,
    /// The asker's phone: for the department's staff, and the asker's own list.
    pub phone: String,
    pub title: String,
    pub state: ConsultationState,
    pub public: bool,
    pub asked_at: DateTime<Utc>,
    pub answer_days: u32,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: u32,
}

/// A row and its history.
#[derive(Debug, Clone)]
pub struct StoredConsultation {
    pub row: ConsultationRow,
    pub events: Vec<ConsultationEvent>,
}

/// Which consultations to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct ConsultationFilter {
    /// None: every department (supervisors).
    pub departments: Option<Vec<DepartmentId>>,
    pub state: Option<ConsultationState>,
    pub item_code: Option<String>,
    pub phone: Option<String>,
    pub public_only: bool,
    pub asked_from: Option<DateTime<Utc>>,
    pub asked_before: Option<DateTime<Utc>>,
    pub limit: i64,
}

const COLUMNS: &str = "SELECT id, item_code, department_id, phone, title, state, public, asked_at,
    answer_days, answered_at, version FROM consultations";

fn row_of(row: &AnyRow) -> Result<ConsultationRow> {
    Ok(ConsultationRow {
        id: row.try_get("id")?,
        item_code: row.try_get("item_code")?,
        department_id: DepartmentId(row.try_get("department_id")?),
        phone: row.try_get("phone")?,
        title: row.try_get("title")?,
        state: parse_column(row, "state")?,
        public: row.try_get::<i64, _>("public")? != 0,
        asked_at: instant(row.try_get("asked_at")?)?,
        answer_days: u32_column(row, "answer_days")?,
        answered_at: opt_instant(row.try_get("answered_at")?)?,
        version: u32_column(row, "version")?,
    })
}

fn event_of(row: &AnyRow) -> Result<ConsultationEvent> {
    Ok(ConsultationEvent {
        seq: u32_column(row, "seq")?,
        at: instant(row.try_get("at")?)?,
        actor: row.try_get::<Option<i64>, _>("actor_id")?.map(StaffId),
        kind: json_column(row, "data")?,
    })
}

impl WriteTx {
    async fn insert_consultation_event(
        &mut self,
        id: i64,
        event: &ConsultationEvent,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO consultation_events (consultation_id, seq, at, actor_id, kind, data)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(i64::from(event.seq))
        .bind(millis(event.at))
        .bind(event.actor.map(|a| a.0))
        .bind(event.kind.type_name())
        .bind(to_json(&event.kind)?)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Writes a new consultation from its first event, folded as `folded`; returns its id.
    pub async fn insert_consultation(
        &mut self,
        first: &ConsultationEvent,
        folded: &Consultation,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO consultations (item_code, department_id, phone, title, state, public,
                asked_at, answer_days, answered_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1) RETURNING id",
        )
        .bind(folded.question.item.as_str())
        .bind(folded.department.0)
        .bind(folded.question.phone.as_str())
        .bind(&folded.question.title)
        .bind(folded.state.as_str())
        .bind(i64::from(folded.public))
        .bind(millis(folded.asked_at))
        .bind(i64::from(folded.answer_days))
        .fetch_one(self.conn())
        .await?;
        let id: i64 = row.try_get("id")?;
        self.insert_consultation_event(id, first).await?;
        Ok(id)
    }

    /// Appends events to a consultation read at `expected_version` and rewrites its row from
    /// the fold; someone else's write in between is a conflict.
    pub async fn append_consultation_events(
        &mut self,
        id: i64,
        expected_version: u32,
        events: &[ConsultationEvent],
        folded: &Consultation,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE consultations SET item_code = $1, department_id = $2, state = $3, public = $4,
                answered_at = $5, version = $6
             WHERE id = $7 AND version = $8",
        )
        .bind(folded.question.item.as_str())
        .bind(folded.department.0)
        .bind(folded.state.as_str())
        .bind(i64::from(folded.public))
        .bind(folded.answered_at.map(millis))
        .bind(i64::from(folded.version))
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)?;
        for event in events {
            self.insert_consultation_event(id, event).await?;
        }
        Ok(())
    }
}

impl Store {
    pub async fn consultation(&self, id: i64) -> Result<StoredConsultation> {
        let sql = format!("{COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("咨询 consultation"))?;
        let row = row_of(&row)?;
        let events = self.consultation_events(id).await?;
        Ok(StoredConsultation { row, events })
    }

    async fn consultation_events(&self, id: i64) -> Result<Vec<ConsultationEvent>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, data FROM consultation_events
             WHERE consultation_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_of).collect()
    }

    /// Rows by the filter, the oldest question first for open ones (the most urgent), the
    /// newest first otherwise.
    pub async fn consultations(&self, filter: &ConsultationFilter) -> Result<Vec<ConsultationRow>> {
        let mut sql = format!("{COLUMNS} WHERE 1 = 1");
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        if let Some(departments) = &filter.departments {
            if departments.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = departments.iter().map(|d| d.0.to_string()).collect();
            // Ids are integers from our own rows: safe to inline.
            sql.push_str(&format!(" AND department_id IN ({})", list.join(", ")));
        }
        if filter.state.is_some() {
            sql.push_str(&format!(" AND state = {}", next()));
        }
        if filter.item_code.is_some() {
            sql.push_str(&format!(" AND item_code = {}", next()));
        }
        if filter.phone.is_some() {
            sql.push_str(&format!(" AND phone = {}", next()));
        }
        if filter.public_only {
            sql.push_str(" AND public = 1");
        }
        if filter.asked_from.is_some() {
            sql.push_str(&format!(" AND asked_at >= {}", next()));
        }
        if filter.asked_before.is_some() {
            sql.push_str(&format!(" AND asked_at < {}", next()));
        }
        let order = if filter.state == Some(ConsultationState::Asked) {
            "asked_at ASC, id ASC"
        } else {
            "asked_at DESC, id DESC"
        };
        sql.push_str(&format!(" ORDER BY {order} LIMIT {}", next()));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(state) = filter.state {
            query = query.bind(state.as_str());
        }
        if let Some(item) = &filter.item_code {
            query = query.bind(item.clone());
        }
        if let Some(phone) = &filter.phone {
            query = query.bind(phone.clone());
        }
        if let Some(from) = filter.asked_from {
            query = query.bind(millis(from));
        }
        if let Some(before) = filter.asked_before {
            query = query.bind(millis(before));
        }
        let rows = query
            .bind(filter.limit.clamp(1, 1000))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_of).collect()
    }

    /// The histories of several consultations, in the order given.
    pub async fn consultation_histories(
        &self,
        rows: Vec<ConsultationRow>,
    ) -> Result<Vec<StoredConsultation>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let events = self.consultation_events(row.id).await?;
            out.push(StoredConsultation { row, events });
        }
        Ok(out)
    }
}
