//! Public disclosure (公示): a month's cases per department, from the running totals.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::attendance::WindowOperationLine;
use liandong_app::disclosure::{Disclosure, DisclosureLine};
use liandong_app::{App, AppError};

use crate::charts::{percent, rate_bars};
use crate::error::{PageError, message};
use crate::form::Params;
use crate::session::Visitor;
use crate::view::{Ctx, date, render};

pub struct Row {
    pub department: String,
    pub received: i64,
    pub accepted: i64,
    pub concluded: i64,
    pub on_time: String,
    pub on_the_spot: String,
}

fn row(line: &DisclosureLine) -> Row {
    Row {
        department: line.department.clone(),
        received: line.received,
        accepted: line.accepted,
        concluded: line.concluded,
        on_time: percent(line.on_time_permille),
        on_the_spot: percent(line.on_the_spot_permille),
    }
}

/// A window's month of attendance and operation.
pub struct WindowRow {
    pub unit: String,
    pub window: String,
    pub working_days: u32,
    pub days_on_duty: u32,
    pub days_on_leave: u32,
    pub late_openings: u32,
    pub absences: u32,
    pub early_leaves: u32,
    pub closed_stretches: u32,
    pub open_rate: String,
}

fn window_row(line: &WindowOperationLine) -> WindowRow {
    WindowRow {
        unit: line.unit.clone(),
        window: format!("{} {}", line.window_number, line.window_name),
        working_days: line.working_days,
        days_on_duty: line.days_on_duty,
        days_on_leave: line.days_on_leave,
        late_openings: line.late_openings,
        absences: line.absences,
        early_leaves: line.early_leaves,
        closed_stretches: line.closed_stretches,
        open_rate: percent(line.open_rate_per_mille.map(i64::from)),
    }
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct DisclosurePage {
    c: Ctx,
    month: String,
    complete: bool,
    district: Option<Row>,
    rows: Vec<Row>,
    chart: String,
    /// The windows' attendance and operation, and the last day they count.
    windows: Vec<WindowRow>,
    windows_through: String,
    problem: Option<String>,
}

pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Params(q): Params,
) -> Result<Response, PageError> {
    let l = visitor.lang;
    let asked = q.opt("month").map(str::to_owned);
    let mut data = DisclosurePage {
        c: visitor.ctx("/disclosure"),
        month: asked.clone().unwrap_or_default(),
        complete: true,
        district: None,
        rows: Vec::new(),
        chart: String::new(),
        windows: Vec::new(),
        windows_through: String::new(),
        problem: None,
    };
    let disclosure: Disclosure = match app.public_disclosure(asked.as_deref()).await {
        Ok(d) => d,
        Err(e @ AppError::Invalid(_)) => {
            data.problem = Some(message(&e, l));
            return Ok(visitor.finish(render(StatusCode::UNPROCESSABLE_ENTITY, &data)));
        }
        Err(e) => return Err(e.into()),
    };
    data.month = disclosure.month.to_string();
    data.complete = disclosure.complete;
    data.district = Some(row(&disclosure.district));
    data.rows = disclosure.departments.iter().map(row).collect();
    data.windows = disclosure.windows.iter().map(window_row).collect();
    data.windows_through = date(&disclosure.windows_through);
    data.chart = rate_bars(
        &disclosure
            .departments
            .iter()
            .map(|d| (d.department.clone(), d.on_time_permille))
            .collect::<Vec<_>>(),
        l,
    );
    Ok(visitor.finish(render(StatusCode::OK, &data)))
}
