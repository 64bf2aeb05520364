//! Proxy service (全程代办): the station's ledger, hand-overs up and down, the daily list.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_app::proxy::ProxyView;
use liandong_app::{App, AppError};
use liandong_domain::organization::{CaseId, UnitId};
use liandong_domain::proxy::{ProxyAction, ProxyState};
use liandong_store::ProxySummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"case_id": 1, "contact": "代办员 王芳 023-67001234"}))]
pub struct ProxyRegistration {
    /// A case this station (or township center) took in by proxy.
    pub case_id: i64,
    /// Whom the applicant calls: the proxy agent and a phone, printed on the receipt.
    pub contact: String,
}

/// Enters a proxied case in the ledger (接办件登记台账) of the unit that took it in; the
/// answer is what the proxy receipt (代办事项承办单) prints: its number, the materials taken,
/// the route up, the promised date and whom to call.
#[utoipa::path(post, path = "/api/v1/proxy", tag = "proxy", security(("bearer" = [])), request_body = ProxyRegistration,
    responses((status = 201, body = ProxyView),
        (status = 403, description = "not a window clerk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case the clerk may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the case is already in the ledger", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a case this unit took in by proxy", body = Problem, content_type = "application/problem+json")))]
pub async fn register_proxy(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<ProxyRegistration>,
) -> Result<(StatusCode, axum::Json<ProxyView>), ApiError> {
    let view = app
        .register_proxy(&session, CaseId(req.case_id), &req.contact)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LedgerQuery {
    /// Registered at this station.
    pub station_id: Option<i64>,
    /// Registered in this month, `YYYY-MM`.
    #[param(example = "2026-03", pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub month: Option<String>,
    #[param(inline)]
    pub state: Option<ProxyState>,
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 200, default 50.
    pub per_page: Option<i64>,
}

fn month(text: Option<&str>) -> Result<Option<(i32, u32)>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let parsed = text
        .split_once('-')
        .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
        .filter(|(y, m): &(i32, u32)| (1901..=2099).contains(y) && (1..=12).contains(m));
    match parsed {
        Some(month) => Ok(Some(month)),
        None => Err(ApiError(AppError::invalid(
            "month",
            "月份格式应为YYYY-MM",
            "a month is written YYYY-MM",
        ))),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProxyLedger {
    pub records: Vec<ProxySummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The ledger the caller may read (their unit's; supervisors all), by station, month and
/// state, most urgent leg first.
#[utoipa::path(get, path = "/api/v1/proxy", tag = "proxy", security(("bearer" = [])), params(LedgerQuery),
    responses((status = 200, body = ProxyLedger), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a month", body = Problem, content_type = "application/problem+json")))]
pub async fn proxy_ledger(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<LedgerQuery>,
) -> Result<axum::Json<ProxyLedger>, ApiError> {
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let (records, total) = app
        .proxy_ledger(
            &session,
            q.station_id.map(UnitId),
            month(q.month.as_deref())?,
            q.state,
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    Ok(axum::Json(ProxyLedger {
        records,
        total,
        page,
        per_page,
    }))
}

/// The ledger as CSV (UTF-8 with a BOM), by station, month and state.
#[utoipa::path(get, path = "/api/v1/proxy/export", tag = "proxy", security(("bearer" = [])), params(LedgerQuery),
    responses((status = 200, description = "the ledger, CSV", content_type = "text/csv", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a month, or more than 10,000 lines", body = Problem, content_type = "application/problem+json")))]
pub async fn export_proxy_ledger(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, ApiError> {
    let csv = app
        .export_proxy_ledger(
            &session,
            q.station_id.map(UnitId),
            month(q.month.as_deref())?,
            q.state,
        )
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"proxy-ledger.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// What the caller's unit must do: papers to carry on or take in, results to hand to
/// applicants; most urgent first.
#[utoipa::path(get, path = "/api/v1/proxy/daily", tag = "proxy", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProxySummary>)))]
pub async fn proxy_daily_list(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<ProxySummary>>, ApiError> {
    Ok(axum::Json(app.proxy_daily_list(&session).await?))
}

/// A ledger line with its hand-overs; what the receipt prints.
#[utoipa::path(get, path = "/api/v1/proxy/{id}", tag = "proxy", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ProxyView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_proxy(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProxyView>, ApiError> {
    Ok(axum::Json(app.proxy_view(&session, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "receive", "from": 27, "giver": 41, "materials": ["申请书"]}))]
pub struct ProxyActionRequest {
    /// The record's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: ProxyAction,
}

/// Records, at the receiving unit, a hand-over up or down (`receive`); at the deciding unit,
/// that the result starts down (`result_ready`); at the station, the applicant's signature
/// for the result (`deliver`).
#[utoipa::path(post, path = "/api/v1/proxy/{id}/actions", tag = "proxy", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = ProxyActionRequest,
    responses((status = 200, body = ProxyView),
        (status = 403, description = "not the unit the papers go to, or do not hold them", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, not now, or the case is not decided", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_proxy(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<ProxyActionRequest>,
) -> Result<axum::Json<ProxyView>, ApiError> {
    Ok(axum::Json(
        app.act_on_proxy(&session, id, req.expected_version, &req.action)
            .await?,
    ))
}
