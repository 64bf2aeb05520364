//! Running totals of cases per day, receiving unit, handling unit, department and item
//! (`case_totals`): added to in the same transaction as each event, read by monitoring.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
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
    /// `department_id-handling_unit_id`: both breakdowns of an overview from one reading.
    DepartmentAndHandlingUnit,
    Item,
}

impl TotalsBy {
    /// The key's expression over the daily rows, or over the monthly rollup.
    fn key(self, monthly: bool) -> &'static str {
        match (self, monthly) {
            (TotalsBy::Day, _) => "day",
            (TotalsBy::Month, false) => "SUBSTR(day, 1, 7)",
            (TotalsBy::Month, true) => "month",
            (TotalsBy::Department, _) => "department_id",
            (TotalsBy::DepartmentAndHandlingUnit, _) => {
                "CAST(department_id AS TEXT) || '-' || CAST(handling_unit_id AS TEXT)"
            }
            (TotalsBy::Item, _) => "item_id",
        }
    }
}

/// A stretch of a period: days read from the daily rows, or whole months from the monthly
/// rollup (which has no item).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Days(Option<NaiveDate>, Option<NaiveDate>),
    Months(String, String),
}

/// The stretches a filter's period is read in: whole months from the rollup, the days before
/// the first and after the last whole month from the daily rows. Everything from the daily
/// rows when the filter names an item, has an open end, or the key is a day.
fn parts(filter: &TotalsFilter, by_day: bool) -> Vec<Part> {
    let (Some(from), Some(to)) = (filter.from, filter.to) else {
        return vec![Part::Days(filter.from, filter.to)];
    };
    if by_day || filter.item.is_some() || from > to {
        return vec![Part::Days(Some(from), Some(to))];
    }
    let first_whole = if from.day() == 1 {
        Some(from)
    } else {
        from.with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
    };
    let last_whole_end = match to.succ_opt() {
        Some(next) if next.day() == 1 => Some(to),
        _ => to.with_day(1).and_then(|d| d.pred_opt()),
    };
    let (Some(start), Some(end)) = (first_whole, last_whole_end) else {
        return vec![Part::Days(Some(from), Some(to))];
    };
    if start > end {
        return vec![Part::Days(Some(from), Some(to))];
    }
    let mut out = Vec::new();
    if from < start {
        out.push(Part::Days(Some(from), start.pred_opt()));
    }
    out.push(Part::Months(
        start.format("%Y-%m").to_string(),
        end.format("%Y-%m").to_string(),
    ));
    if end < to {
        out.push(Part::Days(end.succ_opt(), Some(to)));
    }
    out
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
    /// The table and WHERE clause of one stretch of the period.
    fn clause(&self, part: &Part) -> (&'static str, Where) {
        let mut w = Where::default();
        let table = match part {
            Part::Days(from, to) => {
                if let Some(from) = from {
                    let p = w.text(from.to_string());
                    w.and(format!("day >= {p}"));
                }
                if let Some(to) = to {
                    let p = w.text(to.to_string());
                    w.and(format!("day <= {p}"));
                }
                if let Some(item) = self.item {
                    let p = w.int(item.0);
                    w.and(format!("item_id = {p}"));
                }
                "case_totals"
            }
            Part::Months(from, to) => {
                let p = w.text(from.clone());
                w.and(format!("month >= {p}"));
                let p = w.text(to.clone());
                w.and(format!("month <= {p}"));
                // The district's view needs no receiving unit: the narrow rollup.
                if self.units.is_some() {
                    ROLLUPS[0].0
                } else {
                    ROLLUPS[1].0
                }
            }
        };
        if let Some(units) = &self.units {
            received_or_handled_at(&mut w, units);
        }
        if let Some(department) = self.department {
            let p = w.int(department.0);
            w.and(format!("department_id = {p}"));
        }
        (table, w)
    }
}

/// The monthly rollups of the daily rows: each table and the case columns it keeps besides
/// the month. The first serves a unit's view, the second the district's.
const ROLLUPS: [(&str, &[&str]); 2] = [
    (
        "case_totals_monthly",
        &["received_unit_id", "handling_unit_id", "department_id"],
    ),
    (
        "case_totals_district_monthly",
        &["handling_unit_id", "department_id"],
    ),
];

/// `INSERT INTO table (first, keys…, counts…) <source> ON CONFLICT DO UPDATE` adding the counts,
/// where `source` supplies the values (`VALUES (…)` or `SELECT … FROM cases …`).
fn add_counts_sql(table: &str, first: &str, keys: &[&str], source: &str) -> String {
    let conflict = std::iter::once(first)
        .chain(keys.iter().copied())
        .collect::<Vec<_>>()
        .join(", ");
    let updates: Vec<String> = Tally::COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({conflict}, {}) {source} ON CONFLICT ({conflict}) DO UPDATE SET {}",
        Tally::COLUMNS.join(", "),
        updates.join(", ")
    )
}

/// `count` placeholders cast to BIGINT, numbered from `first`.
fn count_placeholders(first: usize) -> String {
    (0..Tally::COLUMNS.len())
        .map(|i| format!("CAST(${} AS BIGINT)", i + first))
        .collect::<Vec<_>>()
        .join(", ")
}

impl WriteTx {
    /// Adds what a case's events count (`case::tally`) to the totals of their days and the
    /// monthly rollups, under the case's units, department and item.
    pub async fn add_to_totals(&mut self, case: CaseId, days: &[(NaiveDate, Tally)]) -> Result<()> {
        let daily_keys = [
            "received_unit_id",
            "handling_unit_id",
            "department_id",
            "item_id",
        ];
        let mut statements = vec![(
            add_counts_sql(
                "case_totals",
                "day",
                &daily_keys,
                &format!(
                    "SELECT $1, {}, {} FROM cases WHERE id = $2",
                    daily_keys.join(", "),
                    count_placeholders(3)
                ),
            ),
            false,
        )];
        for (table, keys) in ROLLUPS {
            statements.push((
                add_counts_sql(
                    table,
                    "month",
                    keys,
                    &format!(
                        "SELECT $1, {}, {} FROM cases WHERE id = $2",
                        keys.join(", "),
                        count_placeholders(3)
                    ),
                ),
                true,
            ));
        }
        for (day, tally) in days.iter().filter(|(_, t)| !t.is_empty()) {
            for (sql, monthly) in &statements {
                let key = if *monthly {
                    day.format("%Y-%m").to_string()
                } else {
                    day.to_string()
                };
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(key)
                    .bind(case.0);
                for value in tally.values() {
                    query = query.bind(value);
                }
                query.execute(self.conn()).await?;
            }
        }
        Ok(())
    }

    /// Writes one daily row of totals (a recount's; rows are otherwise only added to). The
    /// rollups follow with `roll_up_months`.
    pub async fn put_totals(&mut self, key: &TotalsKey, tally: &Tally) -> Result<()> {
        let sql = format!(
            "INSERT INTO case_totals (day, received_unit_id, handling_unit_id, department_id, item_id, {})
             VALUES ($1, $2, $3, $4, $5, {})",
            Tally::COLUMNS.join(", "),
            count_placeholders(6)
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

    /// Refills the monthly rollups from the daily rows (after `put_totals`).
    pub async fn roll_up_months(&mut self) -> Result<()> {
        let sums = Tally::COLUMNS
            .iter()
            .map(|c| format!("SUM({c})"))
            .collect::<Vec<_>>()
            .join(", ");
        for (table, keys) in ROLLUPS {
            let keys = keys.join(", ");
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(self.conn())
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} (month, {keys}, {}) SELECT SUBSTR(day, 1, 7), {keys}, {sums}
                 FROM case_totals GROUP BY SUBSTR(day, 1, 7), {keys}",
                Tally::COLUMNS.join(", ")
            )))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Empties the totals, before they are recounted from the events.
    pub async fn clear_totals(&mut self) -> Result<()> {
        for table in std::iter::once("case_totals").chain(ROLLUPS.iter().map(|(t, _)| *t)) {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The sum of the totals that match.
    pub async fn totals(&self, filter: &TotalsFilter) -> Result<Tally> {
        let mut sum = Tally::default();
        for part in parts(filter, false) {
            let (table, w) = filter.clause(&part);
            let select = format!("SELECT {} FROM {table}", cast_sums());
            if let Some(row) = w.all(&self.pool, &select, "").await?.first() {
                sum.add(&tally_row(row)?);
            }
        }
        Ok(sum)
    }

    /// The totals that match, grouped `by`, in the order of the key (as text).
    pub async fn totals_by(
        &self,
        by: TotalsBy,
        filter: &TotalsFilter,
    ) -> Result<Vec<(String, Tally)>> {
        let by_day = matches!(by, TotalsBy::Day | TotalsBy::Item);
        let mut grouped: std::collections::BTreeMap<String, Tally> = Default::default();
        for part in parts(filter, by_day) {
            let (table, w) = filter.clause(&part);
            let key = by.key(matches!(part, Part::Months(..)));
            let select = format!(
                "SELECT CAST({key} AS TEXT) AS k, {} FROM {table}",
                cast_sums()
            );
            for row in w
                .all(&self.pool, &select, &format!(" GROUP BY {key}"))
                .await?
            {
                grouped
                    .entry(row.try_get::<String, _>("k")?)
                    .or_default()
                    .add(&tally_row(&row)?);
            }
        }
        Ok(grouped.into_iter().collect())
    }

    /// The months where a monthly rollup differs from the daily rows summed by month, each
    /// with its table (none when they agree).
    pub async fn monthly_totals_disagreeing(&self) -> Result<Vec<String>> {
        let read = |rows: Vec<AnyRow>| -> Result<std::collections::BTreeMap<String, Tally>> {
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("k")?, tally_row(r)?)))
                .collect()
        };
        let sql = |table: &str, key: &str| {
            format!(
                "SELECT {key} AS k, {} FROM {table} GROUP BY {key}",
                cast_sums()
            )
        };
        let daily = read(
            sqlx::query(sqlx::AssertSqlSafe(sql("case_totals", "SUBSTR(day, 1, 7)")))
                .fetch_all(&self.pool)
                .await?,
        )?;
        let mut out = Vec::new();
        for (table, _) in ROLLUPS {
            let monthly = read(
                sqlx::query(sqlx::AssertSqlSafe(sql(table, "month")))
                    .fetch_all(&self.pool)
                    .await?,
            )?;
            let months: std::collections::BTreeSet<&String> =
                daily.keys().chain(monthly.keys()).collect();
            for m in months {
                if daily.get(m).copied().unwrap_or_default()
                    != monthly.get(m).copied().unwrap_or_default()
                {
                    out.push(format!("{table} {m}"));
                }
            }
        }
        Ok(out)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> TotalsFilter {
        TotalsFilter {
            from,
            to,
            ..TotalsFilter::default()
        }
    }

    #[test]
    fn whole_months_come_from_the_rollup_and_the_ends_from_the_days() {
        assert_eq!(
            parts(&period(day(2025, 11, 15), day(2026, 3, 2)), false),
            [
                Part::Days(day(2025, 11, 15), day(2025, 11, 30)),
                Part::Months("2025-12".into(), "2026-02".into()),
                Part::Days(day(2026, 3, 1), day(2026, 3, 2)),
            ]
        );
        assert_eq!(
            parts(&period(day(2024, 1, 1), day(2024, 2, 29)), false),
            [Part::Months("2024-01".into(), "2024-02".into())],
            "exact months, a leap February"
        );
    }

    #[test]
    fn days_alone_when_no_month_is_whole_or_the_question_needs_days() {
        let march = period(day(2026, 3, 2), day(2026, 3, 31));
        assert_eq!(
            parts(&march, false),
            [Part::Days(day(2026, 3, 2), day(2026, 3, 31))]
        );
        let year = period(day(2025, 1, 1), day(2025, 12, 31));
        assert!(matches!(parts(&year, true)[..], [Part::Days(..)]), "by day");
        let item = TotalsFilter {
            item: Some(ItemId(3)),
            ..year.clone()
        };
        assert!(
            matches!(parts(&item, false)[..], [Part::Days(..)]),
            "the rollup has no item"
        );
        assert_eq!(
            parts(&period(None, day(2026, 3, 1)), false),
            [Part::Days(None, day(2026, 3, 1))]
        );
    }
}
