//! Supervision notices (督办单) and their events.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::organization::{CaseId, DepartmentId, StaffId};
use liandong_domain::supervision::{
    CardLevel, Finding, NoticeEvent, NoticeEventKind, NoticeParty, NoticeState, SupervisionNotice,
};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{
    Result, Store, StoreError, WriteTx, instant, millis, parse_column, u32_column,
    updated_at_version,
};

/// A notice as listed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeRecord {
    pub id: i64,
    pub finding_id: i64,
    pub case_id: CaseId,
    pub case_number: String,
    pub department_id: DepartmentId,
    pub state: NoticeState,
    pub card: CardLevel,
    pub opened_at: DateTime<Utc>,
    /// The reply deadline of the current stage.
    pub due: NaiveDate,
    pub conclude_by: NaiveDate,
    pub version: u32,
}

/// A notice with its history.
#[derive(Debug, Clone)]
pub struct StoredNotice {
    pub record: NoticeRecord,
    pub events: Vec<NoticeEvent>,
}

/// Which notices to list.
#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    /// Only this department's (a department's own list).
    pub department: Option<DepartmentId>,
    /// Concluded ones (true) or those still running (false).
    pub closed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

const NOTICE_COLUMNS: &str = "SELECT notices.id, notices.finding_id, notices.case_id, c.number,
    notices.department_id, notices.state, notices.card, notices.opened_at, notices.due,
    notices.conclude_by, notices.version FROM notices JOIN cases c ON c.id = notices.case_id";

fn date_column(row: &AnyRow, column: &str) -> Result<NaiveDate> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} {text}")))
}

fn notice_row(row: &AnyRow) -> Result<NoticeRecord> {
    Ok(NoticeRecord {
        id: row.try_get("id")?,
        finding_id: row.try_get("finding_id")?,
        case_id: CaseId(row.try_get("case_id")?),
        case_number: row.try_get("number")?,
        department_id: DepartmentId(row.try_get("department_id")?),
        state: parse_column(row, "state")?,
        card: parse_column(row, "card")?,
        opened_at: instant(row.try_get("opened_at")?)?,
        due: date_column(row, "due")?,
        conclude_by: date_column(row, "conclude_by")?,
        version: u32_column(row, "version")?,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl WriteTx {
    async fn insert_notice_event(&mut self, notice: i64, event: &NoticeEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO notice_events (notice_id, seq, at, party, actor_id, kind, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(notice)
        .bind(i64::from(event.seq))
        .bind(millis(event.at))
        .bind(event.party.as_str())
        .bind(event.actor.map(|a| a.0))
        .bind(event.kind.type_name())
        .bind(to_json(&event.kind)?)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique("督办事件 notice event"))?;
        Ok(())
    }

    /// Opens a notice for finding `finding_id` (one per finding: a second is `Duplicate`).
    pub async fn insert_notice(
        &mut self,
        finding_id: i64,
        case: CaseId,
        department: DepartmentId,
        opened: &NoticeEvent,
        notice: &SupervisionNotice,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO notices (finding_id, case_id, department_id, state, card, opened_at, due, conclude_by, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
        )
        .bind(finding_id)
        .bind(case.0)
        .bind(department.0)
        .bind(notice.state.as_str())
        .bind(notice.card.as_str())
        .bind(millis(notice.opened_at))
        .bind(notice.due.to_string())
        .bind(notice.conclude_by.to_string())
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique("该问题的督办单 a notice for this finding"))?;
        let id: i64 = row.try_get("id")?;
        if self.schema >= crate::migrate::AWAITING_NOTICE {
            sqlx::query("UPDATE findings SET awaiting_notice = 0 WHERE id = $1")
                .bind(finding_id)
                .execute(self.conn())
                .await?;
        }
        self.insert_notice_event(id, opened).await?;
        self.queue_city_notice(id, notice.state.as_str(), opened.at)
            .await?;
        Ok(id)
    }

    /// Appends events to a notice read at `expected_version` and writes its listed columns.
    pub async fn append_notice_events(
        &mut self,
        id: i64,
        expected_version: u32,
        events: &[NoticeEvent],
        notice: &SupervisionNotice,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE notices SET state = $1, card = $2, due = $3, version = $4
             WHERE id = $5 AND version = $6",
        )
        .bind(notice.state.as_str())
        .bind(notice.card.as_str())
        .bind(notice.due.to_string())
        .bind(i64::from(notice.version))
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)?;
        for event in events {
            self.insert_notice_event(id, event).await?;
        }
        if let Some(last) = events.last() {
            self.queue_city_notice(id, notice.state.as_str(), last.at)
                .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The finding of `id` as the rules made it, and the department it holds responsible.
    pub async fn finding(&self, id: i64) -> Result<(Finding, DepartmentId)> {
        // A camera's finding has no department and no notice.
        let row = sqlx::query(
            "SELECT data, department_id FROM findings WHERE id = $1 AND case_id IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("问题 finding"))?;
        let data: String = row.try_get("data")?;
        let finding =
            serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((finding, DepartmentId(row.try_get("department_id")?)))
    }

    /// Irregularities on cases that hold no notice yet (not routine reviews), flagged as they
    /// are recorded (`awaiting_notice`, migration 30).
    pub async fn findings_without_notice(&self) -> Result<Vec<i64>> {
        let sql = if self.schema.load(std::sync::atomic::Ordering::Relaxed)
            >= crate::migrate::AWAITING_NOTICE
        {
            "SELECT id FROM findings WHERE awaiting_notice = 1 ORDER BY id"
        } else {
            "SELECT f.id FROM findings f LEFT JOIN notices n ON n.finding_id = f.id
             WHERE n.id IS NULL AND f.routine = 0 AND f.case_id IS NOT NULL ORDER BY f.id"
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    pub async fn notice(&self, id: i64) -> Result<StoredNotice> {
        let sql = format!("{NOTICE_COLUMNS} WHERE notices.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("督办单 notice"))?;
        let record = notice_row(&row)?;
        let rows = sqlx::query(
            "SELECT seq, at, party, actor_id, data FROM notice_events WHERE notice_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                let kind: NoticeEventKind =
                    serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let party: NoticeParty = parse_column(r, "party")?;
                Ok(NoticeEvent {
                    seq: u32_column(r, "seq")?,
                    at: instant(r.try_get("at")?)?,
                    party,
                    actor: r.try_get::<Option<i64>, _>("actor_id")?.map(StaffId),
                    kind,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StoredNotice { record, events })
    }

    /// A page of notices, the newest first, and how many match.
    pub async fn notices(&self, filter: &NoticeFilter) -> Result<(Vec<NoticeRecord>, i64)> {
        let mut w = Where::default();
        if let Some(department) = filter.department {
            let p = w.int(department.0);
            w.and(format!("notices.department_id = {p}"));
        }
        match filter.closed {
            Some(true) => w.and("notices.state = 'closed'".into()),
            Some(false) => w.and("notices.state <> 'closed'".into()),
            None => {}
        }
        let (rows, total) = w
            .page(
                &self.pool,
                NOTICE_COLUMNS,
                "notices",
                "notices.opened_at DESC, notices.id DESC",
                filter.limit.clamp(1, 500),
                filter.offset,
            )
            .await?;
        Ok((rows.iter().map(notice_row).collect::<Result<_>>()?, total))
    }

    /// Cards (警告, 问责) issued in `[from, to)`, by the department of their notice or
    /// (`by_unit`) by the unit handling its case.
    pub async fn cards_issued(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by_unit: bool,
    ) -> Result<Vec<(i64, CardLevel)>> {
        let key = if by_unit {
            "c.handling_unit_id"
        } else {
            "n.department_id"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {key} AS owner, e.data FROM notice_events e
             JOIN notices n ON n.id = e.notice_id JOIN cases c ON c.id = n.case_id
             WHERE e.kind = 'escalated' AND e.at >= $1 AND e.at < $2"
        )))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                let kind: NoticeEventKind =
                    serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let NoticeEventKind::Escalated { to, .. } = kind else {
                    return Err(StoreError::Corrupt("an escalation that is not one".into()));
                };
                Ok((r.try_get("owner")?, to))
            })
            .collect()
    }

    /// Ids of the notices not yet concluded (the sweep escalates the overdue).
    /// Open notices without a red card whose reply was due on or before `today`: those an
    /// automatic escalation may be due on (the domain decides; the rest cannot be yet).
    pub async fn notices_past_due(&self, today: chrono::NaiveDate) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM notices WHERE state = 'open' AND card <> 'red' AND due <= $1 ORDER BY id",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}
