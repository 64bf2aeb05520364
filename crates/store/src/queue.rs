//! The hall's queue: business groups per unit and the tickets of each day.

use chrono::NaiveDate;
use liandong_domain::organization::{UnitId, WindowId};
use liandong_domain::queue::{BusinessGroup, Ticket};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, json_column, millis, to_json, u32_column,
    updated_at_version,
};

/// A ticket as stored: its id and version beside it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTicket {
    pub id: i64,
    pub unit_id: UnitId,
    pub version: u32,
    #[serde(flatten)]
    pub ticket: Ticket,
}

fn ticket_row(row: &AnyRow) -> Result<StoredTicket> {
    Ok(StoredTicket {
        id: row.try_get("id")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        version: u32_column(row, "version")?,
        ticket: json_column(row, "data")?,
    })
}

const COLUMNS: &str = "SELECT id, unit_id, version, data FROM queue_tickets";

impl WriteTx {
    /// Replaces a unit's business groups.
    pub async fn set_queue_groups(&mut self, unit: UnitId, groups: &[BusinessGroup]) -> Result<()> {
        sqlx::query("DELETE FROM queue_groups WHERE unit_id = $1")
            .bind(unit.0)
            .execute(self.conn())
            .await?;
        for group in groups {
            sqlx::query(
                "INSERT INTO queue_groups (unit_id, code, name, windows) VALUES ($1, $2, $3, $4)",
            )
            .bind(unit.0)
            .bind(&group.code)
            .bind(&group.name)
            .bind(to_json(&group.windows)?)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// The next sequence number of `group` at `unit` on `day`.
    pub async fn next_ticket_sequence(
        &mut self,
        unit: UnitId,
        day: NaiveDate,
        group: &str,
    ) -> Result<u32> {
        let row = sqlx::query(
            "INSERT INTO queue_sequences (unit_id, day, group_code, last) VALUES ($1, $2, $3, 1)
             ON CONFLICT (unit_id, day, group_code) DO UPDATE SET last = queue_sequences.last + 1
             RETURNING last",
        )
        .bind(unit.0)
        .bind(day.to_string())
        .bind(group)
        .fetch_one(self.conn())
        .await?;
        u32_column(&row, "last")
    }

    pub async fn insert_ticket(&mut self, unit: UnitId, ticket: &Ticket) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO queue_tickets (unit_id, day, group_code, number, state, taken_at,
                last_called_at, data, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
        )
        .bind(unit.0)
        .bind(ticket.day.to_string())
        .bind(&ticket.group)
        .bind(&ticket.number)
        .bind(ticket.state.as_str())
        .bind(millis(ticket.taken_at))
        .bind(ticket.last_called_at.map(millis))
        .bind(to_json(ticket)?)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Writes a ticket read at `expected_version`; zero rows is a conflict (another window
    /// called it first).
    pub async fn update_ticket(
        &mut self,
        id: i64,
        expected_version: u32,
        ticket: &Ticket,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE queue_tickets SET group_code = $1, state = $2, last_called_at = $3, data = $4,
                version = version + 1
             WHERE id = $5 AND version = $6",
        )
        .bind(&ticket.group)
        .bind(ticket.state.as_str())
        .bind(ticket.last_called_at.map(millis))
        .bind(to_json(ticket)?)
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)
    }
}

impl Store {
    pub async fn queue_groups(&self, unit: UnitId) -> Result<Vec<BusinessGroup>> {
        let rows = sqlx::query(
            "SELECT code, name, windows FROM queue_groups WHERE unit_id = $1 ORDER BY code",
        )
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BusinessGroup {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    windows: json_column::<Vec<WindowId>>(r, "windows")?,
                })
            })
            .collect()
    }

    /// The units that have business groups: the halls one can book at.
    pub async fn units_with_queue_groups(&self) -> Result<Vec<UnitId>> {
        let rows = sqlx::query("SELECT DISTINCT unit_id FROM queue_groups ORDER BY unit_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(UnitId(r.try_get("unit_id")?)))
            .collect()
    }

    pub async fn ticket(&self, id: i64) -> Result<StoredTicket> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("号票 ticket"))?;
        ticket_row(&row)
    }

    /// A unit's tickets of one day, in the order taken.
    pub async fn tickets_of_day(&self, unit: UnitId, day: NaiveDate) -> Result<Vec<StoredTicket>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE unit_id = $1 AND day = $2 ORDER BY taken_at, id"
        )))
        .bind(unit.0)
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ticket_row).collect()
    }
}
