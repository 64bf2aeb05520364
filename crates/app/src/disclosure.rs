//! Public disclosure (公示): each month's cases per department — received, concluded, on-time
//! and on-the-spot rates — as the seed's hall publishes them, from the running totals; and
//! beside them the month's attendance and window operation (出勤、窗口运行情况) per window.

use chrono::NaiveDate;
use liandong_domain::calendar::china_date;
use liandong_domain::case::tally::Tally;
use liandong_domain::evaluation::Month;
use liandong_store::{TotalsBy, TotalsFilter};
use serde::Serialize;

use crate::attendance::WindowOperationLine;
use crate::{App, AppError, Result};

/// One department's month, or the district's.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisclosureLine {
    /// The department's code; empty on the district's line.
    pub department_code: String,
    pub department: String,
    pub received: i64,
    pub accepted: i64,
    pub concluded: i64,
    /// Concluded on time among the concluded, per mille; absent with nothing concluded.
    pub on_time_permille: Option<i64>,
    pub on_the_spot_permille: Option<i64>,
}

impl DisclosureLine {
    fn of(department_code: String, department: String, t: &Tally) -> DisclosureLine {
        DisclosureLine {
            department_code,
            department,
            received: t.received,
            accepted: t.accepted,
            concluded: t.concluded,
            on_time_permille: t.on_time_permille(),
            on_the_spot_permille: t.on_the_spot_permille(),
        }
    }
}

/// A month's disclosure.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    /// `YYYY-MM`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-02"))]
    pub month: Month,
    /// False for the month in progress: its figures are to date.
    pub complete: bool,
    pub district: DisclosureLine,
    /// Departments with cases that month, by code.
    pub departments: Vec<DisclosureLine>,
    /// The last day the window operation counts: the month's last, or yesterday for the
    /// month in progress.
    pub windows_through: NaiveDate,
    /// Each window's attendance and operation, by unit and window number: the windows whose
    /// attendance is kept (signed on at through the system by then).
    pub windows: Vec<WindowOperationLine>,
}

impl App {
    /// The disclosure of `month` (`YYYY-MM`; the last complete month when none is given).
    /// Public: it holds counts and rates only, nothing about a person.
    pub async fn public_disclosure(&self, month: Option<&str>) -> Result<Disclosure> {
        let (month, current) = self.month_asked(month)?;
        let filter = TotalsFilter {
            from: Some(month.first_day()),
            to: Some(month.last_day()),
            ..TotalsFilter::default()
        };
        let departments = self.store.departments().await?;
        let mut lines: Vec<DisclosureLine> = self
            .store
            .totals_by(TotalsBy::Department, &filter)
            .await?
            .into_iter()
            .filter_map(|(id, t)| {
                let d = departments.iter().find(|d| d.id.0.to_string() == id)?;
                Some(DisclosureLine::of(d.code.clone(), d.name.clone(), &t))
            })
            .collect();
        lines.sort_by(|a, b| a.department_code.cmp(&b.department_code));
        let district = self.store.totals(&filter).await?;
        let (windows_through, windows) = self.window_operation(month).await?;
        Ok(Disclosure {
            month,
            complete: month < current,
            district: DisclosureLine::of(
                String::new(),
                "全区合计 / the district".into(),
                &district,
            ),
            departments: lines,
            windows_through,
            windows,
        })
    }
}

impl App {
    /// The month a report asks for (`YYYY-MM`; the last complete month when none is given),
    /// and the month in progress. A month not yet begun has nothing to report.
    pub(crate) fn month_asked(&self, month: Option<&str>) -> Result<(Month, Month)> {
        let current = Month::of(china_date(self.now()));
        let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(text) => text.parse::<Month>().map_err(|_| {
                AppError::invalid("month", "月份格式应为YYYY-MM", "a month is written YYYY-MM")
            })?,
            None => current.previous().unwrap_or(current),
        };
        if month > current {
            return Err(AppError::invalid(
                "month",
                "尚未到来的月份无可报告",
                "a month not yet begun has nothing to report",
            ));
        }
        Ok((month, current))
    }
}
