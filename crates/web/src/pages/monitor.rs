//! The supervision overview (实时监控): a period's intake, conclusions and rates for the
//! district or a unit and department, today's figures, open cases by level, charts drawn on
//! the server, and the live part refreshing itself (data-refresh).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use liandong_app::monitoring::{Breakdown, Overview, OverviewQuery};
use liandong_app::{App, AppError};
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{DepartmentId, UnitId, UnitKind, Visibility};

use crate::charts::{percent, rate_bars, volume_chart};
use crate::error::{PageError, message};
use crate::form::Params;
use crate::session::Signed;
use crate::view::{Ctx, page, render, time};

/// A line of a breakdown table, with its rates written out.
pub struct Line {
    pub name: String,
    pub received: i64,
    pub concluded: i64,
    pub on_time: String,
    pub on_the_spot: String,
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

fn line(b: &Breakdown) -> Line {
    Line {
        name: b.name.clone(),
        received: b.totals.received,
        concluded: b.totals.concluded,
        on_time: percent(b.totals.on_time_permille()),
        on_the_spot: percent(b.totals.on_the_spot_permille()),
        green: b.open.green,
        yellow: b.open.yellow,
        red: b.open.red,
    }
}

#[derive(Template)]
#[template(path = "monitor.html")]
struct MonitorPage {
    c: Ctx,
    from: String,
    to: String,
    unit: i64,
    department: i64,
    units: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    problem: Option<String>,
    o: Option<Overview>,
    /// (words' key, value) of the period's figures.
    figures: Vec<(&'static str, String)>,
    today: Vec<(&'static str, String)>,
    volume: String,
    on_time: String,
    /// (heading's key, lines, table id): by department, by handling unit.
    breakdowns: Vec<(&'static str, Vec<Line>, &'static str)>,
    as_of: String,
}

fn figures(o: &Overview) -> Vec<(&'static str, String)> {
    let p = &o.period;
    vec![
        ("monitor.received", p.received.to_string()),
        ("monitor.accepted", p.accepted.to_string()),
        ("monitor.concluded", p.concluded.to_string()),
        ("monitor.on_time_rate", percent(p.on_time_permille())),
        (
            "monitor.on_the_spot_rate",
            percent(p.on_the_spot_permille()),
        ),
        ("monitor.conclusion_rate", percent(p.conclusion_permille())),
        ("monitor.refused", p.intake_refused.to_string()),
        ("monitor.denied", p.denied.to_string()),
    ]
}

pub async fn overview(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let today = china_date(app.now());
    let month_start = today.with_day(1).unwrap_or(today);
    let date = |name: &str, default: NaiveDate| {
        NaiveDate::parse_from_str(q.get(name).trim(), "%Y-%m-%d").unwrap_or(default)
    };
    let (from, to) = (date("from", month_start), date("to", today));
    let unit = q.get("unit").parse::<i64>().ok().filter(|u| *u > 0);
    let department = q.get("department").parse::<i64>().ok().filter(|d| *d > 0);
    let query = OverviewQuery {
        from,
        to,
        unit: unit.map(UnitId),
        department: department.map(DepartmentId),
    };
    let units = app.units().await?;
    let keeps: Vec<UnitId> = match &signed.session.visibility {
        Visibility::All => units.iter().map(|u| u.id).collect(),
        Visibility::Limited { .. } => app
            .store
            .unit_subtree(signed.session.staff.unit_id)
            .await
            .map_err(AppError::from)?,
    };
    let mut data = MonitorPage {
        c: signed.ctx("/monitor"),
        from: from.to_string(),
        to: to.to_string(),
        unit: unit.unwrap_or(0),
        department: department.unwrap_or(0),
        units: units
            .iter()
            .filter(|u| u.kind != UnitKind::VillageStation && keeps.contains(&u.id))
            .map(|u| (u.id.0, u.name.clone()))
            .collect(),
        departments: app
            .departments()
            .await?
            .iter()
            .map(|d| (d.id.0, d.name.clone()))
            .collect(),
        problem: None,
        o: None,
        figures: Vec::new(),
        today: Vec::new(),
        volume: String::new(),
        on_time: String::new(),
        breakdowns: Vec::new(),
        as_of: String::new(),
    };
    let overview = match app.monitoring_overview(&signed.session, &query).await {
        Ok(o) => o,
        Err(e @ AppError::Invalid(_)) => {
            data.problem = Some(message(&e, signed.lang));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data));
        }
        Err(e) => return Err(e.into()),
    };
    let l = signed.lang;
    data.figures = figures(&overview);
    data.today = vec![
        ("monitor.received", overview.today.received.to_string()),
        ("monitor.concluded", overview.today.concluded.to_string()),
        (
            "monitor.on_the_spot",
            overview.today.on_the_spot.to_string(),
        ),
    ];
    data.volume = volume_chart(&overview.series, l);
    data.on_time = rate_bars(
        &overview
            .by_department
            .iter()
            .map(|b| (b.name.clone(), b.totals.on_time_permille()))
            .collect::<Vec<_>>(),
        l,
    );
    data.breakdowns = vec![
        (
            "monitor.by_department",
            overview.by_department.iter().map(line).collect(),
            "by-department",
        ),
        (
            "monitor.by_unit",
            overview.by_unit.iter().map(line).collect(),
            "by-unit",
        ),
    ];
    data.as_of = time(&overview.as_of);
    data.o = Some(overview);
    Ok(page(&data))
}
