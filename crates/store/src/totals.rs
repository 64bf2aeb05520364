//! Running totals of cases per day, receiving unit, handling unit, department and item
//! (`case_totals`): added to in the same transaction as each event, read by monitoring.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::case::tally::Tally;
use liandong_domain::organization::{CaseId, DepartmentId, ItemId, UnitId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{Result, Store, WriteTx, instant};

/// Which totals to read: a period of days, and optionally units, a department, an item.
#[derive(Debug, Clone, Default)]
pub struct TotalsFilter {
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    /// Cases received or handled at any of these units.
    pub units: Option<Vec<UnitId>>,
    pub department: Option<DepartmentId>,
    pub item: Option<ItemId>,
}

/// The row of totals a case's event counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TotalsKey {
    pub day: NaiveDate,
    pub received_unit: UnitId,
    pub handling_unit: UnitId,
    pub department: DepartmentId,
    pub item: ItemId,
}

/// An open case's place and due time, for counting open cases by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCaseDue {
    pub department: DepartmentId,
    pub handling_unit: UnitId,
    /// None before acceptance and while the clock is stopped.
    pub due_at: Option<DateTime<Utc>>,
}

/// How totals are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsBy {
    Day,
    /// `YYYY-MM`.
    Month,
    Department,
    HandlingUnit,
    Item,
}

impl TotalsBy {
    fn key(self) -> &'static str {
        match self {
            TotalsBy::Day => "day",
            TotalsBy::Month => "SUBSTR(day, 1, 7)",
            TotalsBy::Department => "department_id",
            TotalsBy::HandlingUnit => "handling_unit_id",
            TotalsBy::Item => "item_id",
        }
    }
}

fn tally_row(row: &AnyRow) -> Result<Tally> {
    let mut values = [0i64; 12];
    for (v, c) in values.iter_mut().zip(Tally::COLUMNS) {
        *v = row.try_get(c)?;
    }
    Ok(Tally::from_values(values))
}

/// Rows of cases received or handled at any of `units`.
fn received_or_handled_at(w: &mut Where, units: &[UnitId]) {
    let mut alternatives = Vec::new();
    for unit in units {
        let p = w.int(unit.0);
        alternatives.push(format!("handling_unit_id = {p} OR received_unit_id = {p}"));
    }
    w.any_of(&alternatives);
}

impl TotalsFilter {
    fn clause(&self) -> Where {
        let mut w = Where::default();
        if let Some(from) = self.from {
            let p = w.text(from.to_string());
            w.and(format!("day >= {p}"));
        }
        if let Some(to) = self.to {
            let p = w.text(to.to_string());
            w.and(format!("day <= {p}"));
        }
        if let Some(units) = &self.units {
            received_or_handled_at(&mut w, units);
        }
        if let Some(department) = self.department {
            let p = w.int(department.0);
            w.and(format!("department_id = {p}"));
        }
        if let Some(item) = self.item {
            let p = w.int(item.0);
            w.and(format!("item_id = {p}"));
        }
        w
    }
}

impl WriteTx {
    /// Adds what a case's events count (`case::tally`) to the totals of their days, under the
    /// case's units, department and item.
    pub async fn add_to_totals(&mut self, case: CaseId, days: &[(NaiveDate, Tally)]) -> Result<()> {
        let columns = Tally::COLUMNS.join(", ");
        let placeholders: Vec<String> = (0..Tally::COLUMNS.len())
            .map(|i| format!("CAST(${} AS BIGINT)", i + 3))
            .collect();
        let updates: Vec<String> = Tally::COLUMNS
            .iter()
            .map(|c| format!("{c} = case_totals.{c} + excluded.{c}"))
            .collect();
        let sql = format!(
            "INSERT INTO case_totals (day, received_unit_id, handling_unit_id, department_id, item_id, {columns})
             SELECT $1, received_unit_id, handling_unit_id, department_id, item_id, {}
             FROM cases WHERE id = $2
             ON CONFLICT (day, received_unit_id, handling_unit_id, department_id, item_id)
             DO UPDATE SET {}",
            placeholders.join(", "),
            updates.join(", ")
        );
        for (day, tally) in days.iter().filter(|(_, t)| !t.is_empty()) {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(day.to_string())
                .bind(case.0);
            for value in tally.values() {
                query = query.bind(value);
            }
            query.execute(self.conn()).await?;
        }
        Ok(())
    }

    /// Writes one row of totals (a recount's; rows are otherwise only added to).
    pub async fn put_totals(&mut self, key: &TotalsKey, tally: &Tally) -> Result<()> {
        let placeholders: Vec<String> = (0..Tally::COLUMNS.len())
            .map(|i| format!("${}", i + 6))
            .collect();
        let sql = format!(
            "INSERT INTO case_totals (day, received_unit_id, handling_unit_id, department_id, item_id, {})
             VALUES ($1, $2, $3, $4, $5, {})",
            Tally::COLUMNS.join(", "),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key.day.to_string())
            .bind(key.received_unit.0)
            .bind(key.handling_unit.0)
            .bind(key.department.0)
            .bind(key.item.0);
        for value in tally.values() {
            query = query.bind(value);
        }
        query.execute(self.conn()).await?;
        Ok(())
    }

    /// Empties the totals, before they are recounted from the events.
    pub async fn clear_totals(&mut self) -> Result<()> {
        sqlx::query("DELETE FROM case_totals")
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// The sum of the totals that match.
    pub async fn totals(&self, filter: &TotalsFilter) -> Result<Tally> {
        let select = format!("SELECT {} FROM case_totals", cast_sums());
        let rows = filter.clause().all(&self.pool, &select, "").await?;
        rows.first().map_or(Ok(Tally::default()), tally_row)
    }

    /// The totals that match, grouped `by`, in the order of the key.
    pub async fn totals_by(
        &self,
        by: TotalsBy,
        filter: &TotalsFilter,
    ) -> Result<Vec<(String, Tally)>> {
        let key = by.key();
        let select = format!(
            "SELECT CAST({key} AS TEXT) AS k, {} FROM case_totals",
            cast_sums()
        );
        let rest = format!(" GROUP BY {key} ORDER BY {key}");
        let rows = filter.clause().all(&self.pool, &select, &rest).await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String, _>("k")?, tally_row(row)?)))
            .collect()
    }

    /// Every row of totals, in key order (to compare with a recount).
    pub async fn totals_rows(&self) -> Result<Vec<(TotalsKey, Tally)>> {
        let sql = format!(
            "SELECT day, received_unit_id, handling_unit_id, department_id, item_id, {} FROM case_totals
             ORDER BY day, received_unit_id, handling_unit_id, department_id, item_id",
            Tally::COLUMNS.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let day: String = row.try_get("day")?;
                let key = TotalsKey {
                    day: day
                        .parse()
                        .map_err(|_| crate::StoreError::Corrupt(format!("totals day {day}")))?,
                    received_unit: UnitId(row.try_get("received_unit_id")?),
                    handling_unit: UnitId(row.try_get("handling_unit_id")?),
                    department: DepartmentId(row.try_get("department_id")?),
                    item: ItemId(row.try_get("item_id")?),
                };
                Ok((key, tally_row(row)?))
            })
            .collect()
    }

    /// Every open case (not yet closed) received or handled at `units`, of `department`, with
    /// its due time: the few columns the monitoring's levels need, from a partial index.
    pub async fn open_case_dues(
        &self,
        units: Option<&[UnitId]>,
        department: Option<DepartmentId>,
    ) -> Result<Vec<OpenCaseDue>> {
        let mut w = Where::default();
        w.and("closed_at IS NULL".into());
        if let Some(units) = units {
            received_or_handled_at(&mut w, units);
        }
        if let Some(department) = department {
            let p = w.int(department.0);
            w.and(format!("department_id = {p}"));
        }
        let rows = w
            .all(
                &self.pool,
                "SELECT department_id, handling_unit_id, due_at FROM cases",
                "",
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(OpenCaseDue {
                    department: DepartmentId(row.try_get("department_id")?),
                    handling_unit: UnitId(row.try_get("handling_unit_id")?),
                    due_at: row
                        .try_get::<Option<i64>, _>("due_at")?
                        .map(instant)
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Whether no totals are kept yet (a database from before they were).
    pub async fn totals_are_empty(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM case_totals LIMIT 1) t")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
    }
}

/// SUMs cast to BIGINT: PostgreSQL sums integers as numeric.
fn cast_sums() -> String {
    Tally::COLUMNS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
