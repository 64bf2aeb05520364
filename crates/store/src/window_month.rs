//! What the windows did in a period, from the cases they took in (`cases.window_id`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use liandong_domain::case::CaseEvent;
use liandong_domain::organization::{CaseId, ItemId, Role, WindowId};
use liandong_domain::supervision::FindingKind;
use sqlx::Row;

use crate::cases::event_row;
use crate::{Result, Store, StoreError, WriteTx, millis, parse_column, u32_column};

/// A case taken in at a window and concluded in the period asked, with its history.
#[derive(Debug, Clone)]
pub struct WindowConclusion {
    pub window: WindowId,
    pub case: CaseId,
    pub item: ItemId,
    pub item_version: u32,
    pub events: Vec<CaseEvent>,
}

impl WriteTx {
    /// Records the window that took `case` in, unless one is recorded already: the queue
    /// ticket finished with a case names the window when intake did not know it.
    pub async fn set_case_window(&mut self, case: CaseId, window: WindowId) -> Result<()> {
        sqlx::query("UPDATE cases SET window_id = $1 WHERE id = $2 AND window_id IS NULL")
            .bind(window.0)
            .bind(case.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The window a case was taken in at, if known.
    pub async fn case_window(&self, case: CaseId) -> Result<Option<WindowId>> {
        let row = sqlx::query("SELECT window_id FROM cases WHERE id = $1")
            .bind(case.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("办件 case"))?;
        Ok(row.try_get::<Option<i64>, _>("window_id")?.map(WindowId))
    }

    /// Cases received in [from, to) per window that took them in.
    pub async fn window_received(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(WindowId, i64)>> {
        let rows = sqlx::query(
            "SELECT window_id, COUNT(*) AS n FROM cases
             WHERE window_id IS NOT NULL AND received_at >= $1 AND received_at < $2
             GROUP BY window_id",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((WindowId(r.try_get("window_id")?), r.try_get("n")?)))
            .collect()
    }

    /// The cases taken in at a window and concluded in [from, to), each with its whole
    /// history, in two reads however many there are: the caller reads each one's clock at
    /// the conclusion, as the running totals do.
    pub async fn window_concluded_histories(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<WindowConclusion>> {
        const CONCLUDED: &str = "SELECT DISTINCT c.id FROM cases c
             JOIN case_events x ON x.case_id = c.id
             WHERE c.window_id IS NOT NULL AND x.kind = 'concluded' AND x.at >= $1 AND x.at < $2";
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, window_id, item_id, item_version FROM cases WHERE id IN ({CONCLUDED})
             ORDER BY id"
        )))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut at: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            at.insert(id, out.len());
            out.push(WindowConclusion {
                window: WindowId(row.try_get("window_id")?),
                case: CaseId(id),
                item: ItemId(row.try_get("item_id")?),
                item_version: u32_column(row, "item_version")?,
                events: Vec::new(),
            });
        }
        let events = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT case_id, seq, at, actor_id, unit_id, comment, data, prev_hash, hash
             FROM case_events WHERE case_id IN ({CONCLUDED}) ORDER BY case_id, seq"
        )))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        for row in &events {
            let case: i64 = row.try_get("case_id")?;
            // A case concluded between the two reads is left to the next reading.
            if let Some(i) = at.get(&case) {
                out[*i].events.push(event_row(row)?);
            }
        }
        Ok(out)
    }

    /// Findings detected in [from, to) on the cases taken in at each window, of the steps
    /// `role` answers for, per kind.
    pub async fn window_finding_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        role: Role,
    ) -> Result<Vec<(WindowId, FindingKind, i64)>> {
        let rows = sqlx::query(
            "SELECT c.window_id, f.kind, COUNT(*) AS n
             FROM findings f JOIN cases c ON c.id = f.case_id
             WHERE c.window_id IS NOT NULL AND f.role = $1
                AND f.detected_at >= $2 AND f.detected_at < $3
             GROUP BY c.window_id, f.kind",
        )
        .bind(role.as_str())
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    WindowId(r.try_get("window_id")?),
                    parse_column(r, "kind")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }
}
