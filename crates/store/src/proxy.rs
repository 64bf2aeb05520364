//! The proxy ledger (接办件登记台账): proxy records and their hand-overs.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::organization::{CaseId, StaffId, UnitId};
use liandong_domain::proxy::{ProxyEvent, ProxyEventKind, ProxyState};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, parse_column,
    to_json, u32_column, updated_at_version,
};

/// A ledger line: what lists, the daily list and exports read. Derived from the events.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxySummary {
    pub id: i64,
    /// `DB-{station code}-{YYYYMMDD}-{sequence}`, printed on the proxy receipt.
    pub receipt_number: String,
    pub case_id: CaseId,
    pub station_unit_id: UnitId,
    pub deciding_unit_id: UnitId,
    pub holder_unit_id: UnitId,
    pub next_unit_id: Option<UnitId>,
    pub state: ProxyState,
    pub registered_at: DateTime<Utc>,
    pub promised_on: NaiveDate,
    /// When the current leg must be done; none while nothing is moving.
    pub leg_due_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub late_legs: u32,
    pub contact: String,
    pub version: u32,
}

/// The columns an append rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRow {
    pub holder_unit_id: UnitId,
    pub next_unit_id: Option<UnitId>,
    pub state: ProxyState,
    pub leg_due_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub late_legs: u32,
}

/// A new ledger line.
#[derive(Debug, Clone)]
pub struct NewProxyRecord {
    pub station_unit_id: UnitId,
    pub station_code: String,
    pub registered_on: NaiveDate,
    pub deciding_unit_id: UnitId,
    pub promised_on: NaiveDate,
    pub contact: String,
    pub first: ProxyEvent,
    pub row: ProxyRow,
}

#[derive(Debug, Clone)]
pub struct StoredProxy {
    pub summary: ProxySummary,
    pub events: Vec<ProxyEvent>,
}

/// Filters of the ledger.
#[derive(Debug, Clone, Default)]
pub struct ProxyFilter {
    /// Registered at this station.
    pub station: Option<UnitId>,
    /// Held by or coming to this unit now.
    pub at_unit: Option<UnitId>,
    pub state: Option<ProxyState>,
    pub registered_from: Option<DateTime<Utc>>,
    pub registered_before: Option<DateTime<Utc>>,
    /// Units whose ledgers the caller may read; `None` for all.
    pub visible_units: Option<Vec<UnitId>>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "SELECT id, receipt_number, case_id, station_unit_id, deciding_unit_id,
    holder_unit_id, next_unit_id, state, registered_at, promised_on, leg_due_at, delivered_at,
    late_legs, contact, version FROM proxy_records";

fn summary_row(row: &AnyRow) -> Result<ProxySummary> {
    Ok(ProxySummary {
        id: row.try_get("id")?,
        receipt_number: row.try_get("receipt_number")?,
        case_id: CaseId(row.try_get("case_id")?),
        station_unit_id: UnitId(row.try_get("station_unit_id")?),
        deciding_unit_id: UnitId(row.try_get("deciding_unit_id")?),
        holder_unit_id: UnitId(row.try_get("holder_unit_id")?),
        next_unit_id: row.try_get::<Option<i64>, _>("next_unit_id")?.map(UnitId),
        state: parse_column(row, "state")?,
        registered_at: instant(row.try_get("registered_at")?)?,
        promised_on: parse_column(row, "promised_on")?,
        leg_due_at: opt_instant(row.try_get("leg_due_at")?)?,
        delivered_at: opt_instant(row.try_get("delivered_at")?)?,
        late_legs: u32_column(row, "late_legs")?,
        contact: row.try_get("contact")?,
        version: u32_column(row, "version")?,
    })
}

impl WriteTx {
    /// Numbers and inserts a ledger line with its registration.
    pub async fn insert_proxy_record(&mut self, new: &NewProxyRecord) -> Result<(i64, String)> {
        let ProxyEventKind::Registered { case, .. } = &new.first.kind else {
            return Err(StoreError::Corrupt(
                "a proxy record starts with its registration".into(),
            ));
        };
        let row = sqlx::query(
            "INSERT INTO proxy_number_sequences (unit_id, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (unit_id, day) DO UPDATE SET last = proxy_number_sequences.last + 1
             RETURNING last",
        )
        .bind(new.station_unit_id.0)
        .bind(new.registered_on.to_string())
        .fetch_one(self.conn())
        .await?;
        let number = format!(
            "DB-{}-{}-{:04}",
            new.station_code,
            new.registered_on.format("%Y%m%d"),
            u32_column(&row, "last")?
        );
        let r = &new.row;
        let row = sqlx::query(
            "INSERT INTO proxy_records (receipt_number, case_id, station_unit_id, deciding_unit_id,
                holder_unit_id, next_unit_id, state, registered_at, promised_on, leg_due_at,
                delivered_at, late_legs, contact, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1) RETURNING id",
        )
        .bind(&number)
        .bind(case.0)
        .bind(new.station_unit_id.0)
        .bind(new.deciding_unit_id.0)
        .bind(r.holder_unit_id.0)
        .bind(r.next_unit_id.map(|u| u.0))
        .bind(r.state.as_str())
        .bind(millis(new.first.at))
        .bind(new.promised_on.to_string())
        .bind(r.leg_due_at.map(millis))
        .bind(r.delivered_at.map(millis))
        .bind(i64::from(r.late_legs))
        .bind(&new.contact)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(
            "该办件的代办登记 the proxy record of this case",
        ))?;
        let id: i64 = row.try_get("id")?;
        self.insert_proxy_event(id, &new.first).await?;
        Ok((id, number))
    }

    async fn insert_proxy_event(&mut self, record: i64, event: &ProxyEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO proxy_events (record_id, seq, at, actor_id, unit_id, kind, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(record)
        .bind(i64::from(event.seq))
        .bind(millis(event.at))
        .bind(event.actor.0)
        .bind(event.unit.0)
        .bind(event.kind.type_name())
        .bind(to_json(&event.kind)?)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique("代办事件 proxy event"))?;
        Ok(())
    }

    /// Appends an event to a record read at `expected_version`; zero rows updated is a conflict.
    pub async fn append_proxy_event(
        &mut self,
        record: i64,
        expected_version: u32,
        event: &ProxyEvent,
        row: &ProxyRow,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE proxy_records SET holder_unit_id = $1, next_unit_id = $2, state = $3,
                leg_due_at = $4, delivered_at = $5, late_legs = $6, version = $7
             WHERE id = $8 AND version = $9",
        )
        .bind(row.holder_unit_id.0)
        .bind(row.next_unit_id.map(|u| u.0))
        .bind(row.state.as_str())
        .bind(row.leg_due_at.map(millis))
        .bind(row.delivered_at.map(millis))
        .bind(i64::from(row.late_legs))
        .bind(i64::from(event.seq))
        .bind(record)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&updated, expected_version)?;
        self.insert_proxy_event(record, event).await
    }
}

impl Store {
    /// Proxied applications the `units` carried in `[from, to)`: those with a registration,
    /// hand-over or delivery recorded at one of them in the period, each once.
    pub async fn proxy_records_carried(
        &self,
        units: &[UnitId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64> {
        let mut w = Where::default();
        let p = w.int(millis(from));
        w.and(format!("at >= {p}"));
        let p = w.int(millis(to));
        w.and(format!("at < {p}"));
        let alternatives: Vec<String> = units
            .iter()
            .map(|u| {
                let p = w.int(u.0);
                format!("unit_id = {p}")
            })
            .collect();
        w.any_of(&alternatives);
        let rows = w
            .all(
                &self.pool,
                "SELECT COUNT(DISTINCT record_id) AS n FROM proxy_events",
                "",
            )
            .await?;
        Ok(rows
            .first()
            .map(|r| r.try_get("n"))
            .transpose()?
            .unwrap_or(0))
    }

    pub async fn proxy_record(&self, id: i64) -> Result<StoredProxy> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("代办记录 proxy record"))?;
        let summary = summary_row(&row)?;
        let rows = sqlx::query(
            "SELECT seq, at, actor_id, unit_id, data FROM proxy_events WHERE record_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                Ok(ProxyEvent {
                    seq: u32_column(r, "seq")?,
                    at: instant(r.try_get("at")?)?,
                    actor: StaffId(r.try_get("actor_id")?),
                    unit: UnitId(r.try_get("unit_id")?),
                    kind: json_column(r, "data")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(StoredProxy { summary, events })
    }

    /// The ledger line of a case, if it was proxied.
    pub async fn proxy_record_of_case(&self, case: CaseId) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT id FROM proxy_records WHERE case_id = $1")
            .bind(case.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get("id").map_err(StoreError::from))
            .transpose()
    }

    /// A page of the ledger, most urgent leg first, and how many lines match in all.
    pub async fn proxy_records(&self, filter: &ProxyFilter) -> Result<(Vec<ProxySummary>, i64)> {
        let mut w = Where::default();
        if let Some(units) = &filter.visible_units {
            let any: Vec<String> = units
                .iter()
                .map(|u| {
                    let p = w.int(u.0);
                    format!("station_unit_id = {p} OR deciding_unit_id = {p} OR holder_unit_id = {p} OR next_unit_id = {p}")
                })
                .collect();
            w.any_of(&any);
        }
        if let Some(station) = filter.station {
            let p = w.int(station.0);
            w.and(format!("station_unit_id = {p}"));
        }
        if let Some(unit) = filter.at_unit {
            let p = w.int(unit.0);
            w.and(format!("(holder_unit_id = {p} OR next_unit_id = {p})"));
        }
        if let Some(from) = filter.registered_from {
            let p = w.int(millis(from));
            w.and(format!("registered_at >= {p}"));
        }
        if let Some(before) = filter.registered_before {
            let p = w.int(millis(before));
            w.and(format!("registered_at < {p}"));
        }
        if let Some(state) = filter.state {
            let p = w.text(state.as_str());
            w.and(format!("state = {p}"));
        }
        let (rows, total) = w
            .page(
                &self.pool,
                COLUMNS,
                "proxy_records",
                "CASE WHEN leg_due_at IS NULL THEN 1 ELSE 0 END, leg_due_at, registered_at, id",
                filter.limit.clamp(1, 10_000),
                filter.offset,
            )
            .await?;
        Ok((rows.iter().map(summary_row).collect::<Result<_>>()?, total))
    }
}
