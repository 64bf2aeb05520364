//! Monitoring (实时监控) over the running totals, and the recount that checks them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::calendar::china_date;
use liandong_domain::case::deadline::{case_clock, level_by_due};
use liandong_domain::case::tally::{Tally, tally};
use liandong_domain::case::{Case, EventKind, WarningLevel};
use liandong_domain::organization::{CaseId, DepartmentId, Role, UnitId, Visibility};
use liandong_store::{StoreError, TotalsBy, TotalsFilter, TotalsKey};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

impl App {
    /// The totals recounted from every case's events, event by event, with the same rule the
    /// writes use (`case::tally`): what the kept totals must equal.
    pub async fn recount_totals(&self) -> Result<BTreeMap<TotalsKey, Tally>> {
        let calendar = self.calendar();
        let mut totals: BTreeMap<TotalsKey, Tally> = BTreeMap::new();
        let mut after = CaseId(0);
        loop {
            let ids = self.store.case_ids_after(after, 500).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            for id in ids {
                let stored = self.store.case(id).await?;
                let item = self
                    .item_version(stored.summary.item_id, stored.summary.item_version)
                    .await?;
                let corrupt = |e: liandong_domain::case::HistoryError| {
                    AppError::Storage(StoreError::Corrupt(e.to_string()))
                };
                let (first, rest) = stored
                    .events
                    .split_first()
                    .ok_or(AppError::NotFound("办件 case"))?;
                let mut case = Case::replay(std::slice::from_ref(first)).map_err(corrupt)?;
                let mut days = tally(std::slice::from_ref(first), None);
                for event in rest {
                    case.apply(event).map_err(corrupt)?;
                    // The clock matters for a conclusion only; it is read as the action read it.
                    let clock = matches!(event.kind, EventKind::Concluded { .. })
                        .then(|| case_clock(&case, &item, &calendar, &self.warning_rules, event.at))
                        .flatten();
                    days.extend(tally(std::slice::from_ref(event), clock.as_ref()));
                }
                let s = &stored.summary;
                for (day, t) in days {
                    let key = TotalsKey {
                        day,
                        received_unit: s.received_unit_id,
                        handling_unit: s.handling_unit_id,
                        department: s.department_id,
                        item: s.item_id,
                    };
                    totals.entry(key).or_default().add(&t);
                }
            }
        }
        totals.retain(|_, t| !t.is_empty());
        Ok(totals)
    }

    /// Where the kept totals differ from a recount of the events (each line names the row and
    /// both values), or the monthly rollup from the daily totals. Empty when they agree.
    pub async fn totals_differences(&self) -> Result<Vec<String>> {
        let recount = self.recount_totals().await?;
        let kept: BTreeMap<TotalsKey, Tally> =
            self.store.totals_rows().await?.into_iter().collect();
        let mut differences = Vec::new();
        for key in recount
            .keys()
            .chain(kept.keys().filter(|k| !recount.contains_key(k)))
        {
            let (counted, stored) = (recount.get(key).copied(), kept.get(key).copied());
            if counted.unwrap_or_default() != stored.unwrap_or_default() {
                differences.push(format!(
                    "{} unit {}/{} department {} item {}: kept {:?}, recounted {:?}",
                    key.day,
                    key.received_unit,
                    key.handling_unit,
                    key.department,
                    key.item,
                    stored.unwrap_or_default().values(),
                    counted.unwrap_or_default().values()
                ));
            }
        }
        for month in self.store.monthly_totals_disagreeing().await? {
            differences.push(format!(
                "{month}: the monthly rollup differs from the daily totals"
            ));
        }
        Ok(differences)
    }

    /// Replaces the kept totals by a recount, in one transaction. Returns the rows written.
    pub async fn rebuild_totals(&self) -> Result<usize> {
        let totals = self.recount_totals().await?;
        let rows = totals.len();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.clear_totals().await?;
                    for (key, tally) in &totals {
                        tx.put_totals(key, tally).await?;
                    }
                    tx.roll_up_months().await
                })
            })
            .await?;
        Ok(rows)
    }

    /// Builds the totals of a database that holds cases from before totals were kept.
    pub async fn rebuild_totals_if_missing(&self) -> Result<Option<usize>> {
        if self.store.totals_are_empty().await? && self.store.case_count().await? > 0 {
            return self.rebuild_totals().await.map(Some);
        }
        Ok(None)
    }
}

/// What the monitoring page asks for: a period, and optionally a unit (with the units under
/// it) and a department.
#[derive(Debug, Clone)]
pub struct OverviewQuery {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub unit: Option<UnitId>,
    pub department: Option<DepartmentId>,
}

/// Open cases by level.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

impl LevelCounts {
    pub(crate) fn count(&mut self, level: WarningLevel) {
        match level {
            WarningLevel::Green => self.green += 1,
            WarningLevel::Yellow => self.yellow += 1,
            WarningLevel::Red => self.red += 1,
        }
    }

    pub fn total(&self) -> i64 {
        self.green + self.yellow + self.red
    }
}

/// One department's or unit's line of the overview.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    pub id: i64,
    pub name: String,
    pub totals: Tally,
    pub open: LevelCounts,
}

/// The supervision overview (实时监控) of a period.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub period: Tally,
    pub today: Tally,
    /// Per day, or per month (`YYYY-MM`) over a period longer than two months.
    pub series: Vec<(String, Tally)>,
    pub monthly: bool,
    pub by_department: Vec<Breakdown>,
    /// By the unit that handles the cases.
    pub by_unit: Vec<Breakdown>,
    /// Open cases now, by their level as their due time tells (`level_by_due`).
    pub open: LevelCounts,
    pub as_of: DateTime<Utc>,
}

/// The longest period an overview reads at once.
const MAX_PERIOD_DAYS: i64 = 7_310;

impl App {
    /// The overview of a period for supervisors and system administrators (the district) and
    /// unit administrators (the units they keep). Reads running totals and the open cases'
    /// due times, never the history of every case.
    pub async fn monitoring_overview(
        &self,
        session: &Session,
        query: &OverviewQuery,
    ) -> Result<Overview> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin, Role::UnitAdmin])?;
        let span = (query.to - query.from).num_days();
        if !(0..=MAX_PERIOD_DAYS).contains(&span) {
            return Err(AppError::invalid(
                "to",
                "统计期应为起止日期之间，不超过二十年",
                "the period runs from its first to its last day, twenty years at most",
            ));
        }
        let district_wide = session.visibility == Visibility::All;
        let units = match (query.unit, district_wide) {
            (Some(unit), true) => Some(self.store.unit_subtree(unit).await?),
            (None, true) => None,
            (Some(unit), false) if self.keeps(session, unit).await? => {
                Some(self.store.unit_subtree(unit).await?)
            }
            (Some(_), false) => {
                return Err(AppError::Forbidden(
                    "只能查看本单位的统计 / the totals of your own units only".into(),
                ));
            }
            (None, false) => Some(self.store.unit_subtree(session.staff.unit_id).await?),
        };
        let filter = TotalsFilter {
            from: Some(query.from),
            to: Some(query.to),
            units: units.clone(),
            department: query.department,
            item: None,
        };
        let now = self.now();
        let today = china_date(now);
        let today_filter = TotalsFilter {
            from: Some(today),
            to: Some(today),
            ..filter.clone()
        };
        let monthly = span > 62;
        let by = if monthly {
            TotalsBy::Month
        } else {
            TotalsBy::Day
        };
        let calendar = self.calendar();
        let mut open = LevelCounts::default();
        let mut open_by_department: BTreeMap<i64, LevelCounts> = BTreeMap::new();
        let mut open_by_unit: BTreeMap<i64, LevelCounts> = BTreeMap::new();
        for case in self
            .store
            .open_case_dues(units.as_deref(), query.department)
            .await?
        {
            let level = level_by_due(case.due_at, &calendar, &self.warning_rules, now);
            open.count(level);
            open_by_department
                .entry(case.department.0)
                .or_default()
                .count(level);
            open_by_unit
                .entry(case.handling_unit.0)
                .or_default()
                .count(level);
        }
        let departments = self.store.departments().await?;
        let all_units = self.store.units().await?;
        // One reading gives both breakdowns, and their sum the period's (every row has both).
        let mut period = Tally::default();
        let mut per_department: BTreeMap<i64, Tally> = BTreeMap::new();
        let mut per_unit: BTreeMap<i64, Tally> = BTreeMap::new();
        for (key, t) in self
            .store
            .totals_by(TotalsBy::DepartmentAndHandlingUnit, &filter)
            .await?
        {
            let Some((department, unit)) = key.split_once('-') else {
                continue;
            };
            let (Ok(department), Ok(unit)) = (department.parse::<i64>(), unit.parse::<i64>())
            else {
                continue;
            };
            period.add(&t);
            per_department.entry(department).or_default().add(&t);
            per_unit.entry(unit).or_default().add(&t);
        }
        let by_department = per_department
            .into_iter()
            .filter_map(|(id, totals)| {
                let d = departments.iter().find(|d| d.id.0 == id)?;
                Some(Breakdown {
                    id,
                    name: d.name.clone(),
                    totals,
                    open: open_by_department.get(&id).copied().unwrap_or_default(),
                })
            })
            .collect();
        let by_unit = per_unit
            .into_iter()
            .filter_map(|(id, totals)| {
                let u = all_units.iter().find(|u| u.id.0 == id)?;
                Some(Breakdown {
                    id,
                    name: u.name.clone(),
                    totals,
                    open: open_by_unit.get(&id).copied().unwrap_or_default(),
                })
            })
            .collect();
        Ok(Overview {
            from: query.from,
            to: query.to,
            period,
            today: self.store.totals(&today_filter).await?,
            series: every_day_or_month(
                query.from,
                query.to,
                monthly,
                self.store.totals_by(by, &filter).await?,
            ),
            monthly,
            by_department,
            by_unit,
            open,
            as_of: now,
        })
    }
}

/// The series with a line for every day (or month) of the period, zero where nothing was
/// counted, so that a chart's axis is the calendar's.
fn every_day_or_month(
    from: NaiveDate,
    to: NaiveDate,
    monthly: bool,
    counted: Vec<(String, Tally)>,
) -> Vec<(String, Tally)> {
    let key = |d: NaiveDate| {
        if monthly {
            d.format("%Y-%m").to_string()
        } else {
            d.to_string()
        }
    };
    let mut series: Vec<(String, Tally)> = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        let k = key(day);
        if series.last().is_none_or(|(last, _)| *last != k) {
            series.push((k, Tally::default()));
        }
    }
    for (k, t) in counted {
        if let Some((_, slot)) = series.iter_mut().find(|(s, _)| *s == k) {
            *slot = t;
        }
    }
    series
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_series_has_every_day_or_month_of_its_period() {
        let counted = Tally {
            received: 3,
            ..Tally::default()
        };
        let days = every_day_or_month(
            day(2026, 2, 27),
            day(2026, 3, 2),
            false,
            vec![("2026-03-01".into(), counted)],
        );
        let keys: Vec<&str> = days.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        assert_eq!(days[2].1.received, 3);
        assert!(days[0].1.is_empty());
        let months = every_day_or_month(day(2025, 11, 15), day(2026, 2, 1), true, vec![]);
        let keys: Vec<&str> = months.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    }
}
