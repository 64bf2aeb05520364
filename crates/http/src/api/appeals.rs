//! Appeals (三项制度): registration, work, oversight, the person's lookup and rating, and
//! statistics.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::appeals::{AppealStatistics, AppealView, PendingAcceptance, PublicAppeal};
use liandong_domain::appeal::{AppealAction, AppealKind, AppealLevel, AppealState, Registration};
use liandong_domain::calendar::china_day_start;
use liandong_domain::organization::{AppealId, UnitId};
use liandong_domain::rating::Satisfaction;
use liandong_store::{AppealFilter, AppealSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// Registers an appeal raised at the signed-in clerk's unit: a village or community station,
/// a township center, the hall's window, or the hotline desk. It is routed by its scope and
/// gets the seed's deadline.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    request_body(content = Registration, example = json!({
        "kind": "problem", "channel": "station", "scope": "village",
        "person": {"name": "李秀英", "phone": "13900139000"},
        "category": "道路交通", "content": "村道路灯损坏，夜间出行不便", "address": "石坪村三社"})),
    responses((status = 201, body = AppealView),
        (status = 403, description = "not a window clerk or supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn register_appeal(
    State(app): State<App>,
    Staff(session): Staff,
    Json(input): Json<Registration>,
) -> Result<(StatusCode, axum::Json<AppealView>), ApiError> {
    let view = app.register_appeal(&session, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AppealQuery {
    #[param(inline)]
    pub state: Option<AppealState>,
    /// Only those still awaiting an answer.
    #[serde(default)]
    pub open: bool,
    /// Only those past their deadline and still awaiting an answer.
    #[serde(default)]
    pub overdue: bool,
    pub unit_id: Option<i64>,
    #[param(inline)]
    pub level: Option<AppealLevel>,
    #[param(inline)]
    pub kind: Option<AppealKind>,
    /// Registered on or after this date (China time).
    #[serde(default, deserialize_with = "crate::extract::date::optional")]
    pub registered_from: Option<NaiveDate>,
    /// Registered on or before this date (China time).
    #[serde(default, deserialize_with = "crate::extract::date::optional")]
    pub registered_to: Option<NaiveDate>,
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 200, default 50.
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppealList {
    pub appeals: Vec<AppealSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The appeals the signed-in member of staff may see: raised at or settled by their unit (a
/// unit administrator's whole subtree), their department's; supervisors see all. Open and
/// overdue lists come most urgent first, others newest first.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])), params(AppealQuery),
    responses((status = 200, body = AppealList), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_appeals(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<AppealQuery>,
) -> Result<axum::Json<AppealList>, ApiError> {
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let filter = AppealFilter {
        state: q.state,
        open_only: q.open,
        pending_acceptance: false,
        due_before: q.overdue.then(|| app.now()),
        unit: q.unit_id.map(UnitId),
        level: q.level,
        kind: q.kind,
        registered_from: q.registered_from.map(china_day_start),
        registered_before: q
            .registered_to
            .and_then(|d| d.succ_opt())
            .map(china_day_start),
        limit: per_page,
        offset: (page - 1) * per_page,
    };
    let (appeals, total) = app.list_appeals(&session, &filter).await?;
    Ok(axum::Json(AppealList {
        appeals,
        total,
        page,
        per_page,
    }))
}

/// Open appeals that are red now: two working days or fewer to their deadline, or past it.
/// The efficiency complaint center's list (supervisors).
#[utoipa::path(get, path = "/api/v1/appeals/at-risk", tag = "appeals", security(("bearer" = [])),
    responses((status = 200, body = Vec<AppealView>),
        (status = 403, description = "not a supervisor", body = Problem, content_type = "application/problem+json")))]
pub async fn appeals_at_risk(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<AppealView>>, ApiError> {
    Ok(axum::Json(app.appeals_at_risk(&session).await?))
}

/// Complaints about the service awaiting the efficiency complaint center's decision on
/// acceptance (受理 / 不予受理 / 转送), soonest due first: each with the decision's last day,
/// five working days after registration, and whether it is overdue. The center's list
/// (supervisors); the decision itself is an action (`accept`, `refuse_acceptance`, `forward`).
#[utoipa::path(get, path = "/api/v1/appeals/pending-acceptance", tag = "appeals", security(("bearer" = [])),
    responses((status = 200, body = Vec<PendingAcceptance>),
        (status = 403, description = "not a supervisor", body = Problem, content_type = "application/problem+json")))]
pub async fn appeals_pending_acceptance(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<PendingAcceptance>>, ApiError> {
    Ok(axum::Json(app.appeals_pending_acceptance(&session).await?))
}

/// An appeal with its history and level.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = AppealView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_appeal(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<AppealView>, ApiError> {
    Ok(axum::Json(app.appeal_view(&session, AppealId(id)).await?))
}

/// An action on an appeal, naming the version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "record_action", "note": "已到现场查看"}))]
pub struct AppealActionRequest {
    /// The appeal's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: AppealAction,
}

/// Acts on an appeal: record a visit or action, refer, escalate, answer; the efficiency
/// complaint center (supervisors) decides on a complaint's acceptance (accept, refuse with a
/// ground, forward to the competent body), extends, takes over, orders a redo, closes.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/actions", tag = "appeals", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = AppealActionRequest,
    responses((status = 200, body = AppealView),
        (status = 403, description = "not the responsible unit, or a supervisor's action", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, or not allowed in the appeal's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_appeal(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<AppealActionRequest>,
) -> Result<axum::Json<AppealView>, ApiError> {
    Ok(axum::Json(
        app.act_on_appeal(&session, AppealId(id), req.expected_version, &req.action)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatisticsQuery {
    #[param(example = "2026-01-01")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub from: NaiveDate,
    #[param(example = "2026-12-31")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub to: NaiveDate,
    /// Only appeals raised at or settled by this unit.
    pub unit_id: Option<i64>,
}

/// Statistics of the appeals registered in a period that the caller may see: completion
/// rate, answers on time, the share settled in the village (the seed's ≥ 90 %), mean days to
/// answer, open ones overdue; overall and by level, kind and settling unit.
#[utoipa::path(get, path = "/api/v1/appeals/statistics", tag = "appeals", security(("bearer" = [])), params(StatisticsQuery),
    responses((status = 200, body = AppealStatistics), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the period ends before it starts or spans more than three years", body = Problem, content_type = "application/problem+json")))]
pub async fn appeal_statistics(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<StatisticsQuery>,
) -> Result<axum::Json<AppealStatistics>, ApiError> {
    Ok(axum::Json(
        app.appeal_statistics(&session, q.from, q.to, q.unit_id.map(UnitId))
            .await?,
    ))
}

/// An appeal submitted online by the person (public). It is raised at the hall; without a
/// scope's unit it goes to the efficiency complaint center to be routed. Keep the number:
/// with the phone's last six digits it shows progress and takes the rating.
#[utoipa::path(post, path = "/api/v1/appeals/online", tag = "appeals",
    request_body(content = Registration, example = json!({
        "kind": "suggestion", "channel": "online", "scope": "district_departments",
        "person": {"name": "张伟", "phone": "13800138000"},
        "category": "交通出行", "content": "建议在两路口增设公交站台"})),
    responses((status = 201, body = PublicAppeal),
        (status = 404, description = "no such unit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "no content, no phone, or a scope without its unit", body = Problem, content_type = "application/problem+json")))]
pub async fn submit_online_appeal(
    State(app): State<App>,
    Json(input): Json<Registration>,
) -> Result<(StatusCode, axum::Json<PublicAppeal>), ApiError> {
    let appeal = app.submit_online_appeal(&input).await?;
    Ok((StatusCode::CREATED, axum::Json(appeal)))
}

/// The appeal's number and the last six digits of the phone left with it.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "SX-100-20261130-0001", "check": "138000"}))]
pub struct AppealLookup {
    pub number: String,
    pub check: String,
}

/// The person's view of their appeal (public): state, deadline, the answer, and the
/// timeline by name and date. Wrong codes are audited and, five within the lock-out
/// window, lock the number's lookups.
#[utoipa::path(post, path = "/api/v1/appeals/lookup", tag = "appeals", request_body = AppealLookup,
    responses((status = 200, body = PublicAppeal),
        (status = 404, description = "no appeal matches the number and check code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many wrong check codes for this number", body = Problem, content_type = "application/problem+json")))]
pub async fn lookup_appeal(
    State(app): State<App>,
    Json(req): Json<AppealLookup>,
) -> Result<axum::Json<PublicAppeal>, ApiError> {
    Ok(axum::Json(
        app.lookup_appeal(&req.number, &req.check).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "SX-100-20261130-0001", "check": "138000", "satisfaction": "satisfied"}))]
pub struct AppealRating {
    pub number: String,
    pub check: String,
    pub satisfaction: Satisfaction,
    /// Required for 不满意 and 非常不满意.
    #[serde(default)]
    pub comment: String,
}

/// The person rates the answer (public). A poor rating needs its reason and goes to the
/// efficiency complaint center, which may order the answer redone.
#[utoipa::path(post, path = "/api/v1/appeals/rating", tag = "appeals", request_body = AppealRating,
    responses((status = 200, body = PublicAppeal),
        (status = 404, description = "no appeal matches the number and check code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not answered yet, or already rated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a poor rating without its reason", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many wrong check codes for this number", body = Problem, content_type = "application/problem+json")))]
pub async fn rate_appeal(
    State(app): State<App>,
    Json(req): Json<AppealRating>,
) -> Result<axum::Json<PublicAppeal>, ApiError> {
    Ok(axum::Json(
        app.rate_appeal(&req.number, &req.check, req.satisfaction, &req.comment)
            .await?,
    ))
}
