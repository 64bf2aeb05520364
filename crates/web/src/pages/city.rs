//! The city node's dashboard (市级电子监察): every district's totals as received over the
//! city link, open cases by level, findings, and when each district last pushed.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::city::DistrictTotals;

use crate::charts::percent;
use crate::error::PageError;
use crate::form::Params;
use crate::session::Signed;
use crate::view::{Ctx, city_nav, opt_time, page, time};

/// A district's line, written out.
pub struct Line {
    pub code: String,
    pub name: String,
    pub received: i64,
    pub accepted: i64,
    pub concluded: i64,
    pub on_time: i64,
    pub on_time_rate: String,
    pub on_the_spot: i64,
    pub findings: i64,
    pub open_findings: i64,
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
    pub last_batch: String,
}

fn line(d: &DistrictTotals) -> Line {
    Line {
        code: d.code.clone(),
        name: d.name.clone(),
        received: d.totals.received,
        accepted: d.totals.accepted,
        concluded: d.totals.concluded,
        on_time: d.totals.on_time,
        on_time_rate: percent(d.totals.on_time_permille()),
        on_the_spot: d.totals.on_the_spot,
        findings: d.totals.findings,
        open_findings: d.open_findings,
        green: d.open.green,
        yellow: d.open.yellow,
        red: d.open.red,
        last_batch: opt_time(&d.last_batch_at),
    }
}

#[derive(Template)]
#[template(path = "city.html")]
struct CityPage {
    c: Ctx,
    from: String,
    to: String,
    lines: Vec<Line>,
    city: Line,
    as_of: String,
}

/// `/` on the city node: the dashboard.
pub async fn home() -> Response {
    Redirect::to("/city").into_response()
}

/// `/city?from=&to=`: the whole history by default.
pub async fn dashboard(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let date = |name: &str| NaiveDate::parse_from_str(q.get(name).trim(), "%Y-%m-%d").ok();
    let (from, to) = (date("from"), date("to"));
    let o = app.city_overview(&signed.session, from, to).await?;
    let data = CityPage {
        c: Ctx {
            nav: city_nav("/city", true),
            ..signed.ctx("/city")
        },
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        lines: o.districts.iter().map(line).collect(),
        city: line(&o.city),
        as_of: time(&o.as_of),
    };
    Ok(page(&data))
}
