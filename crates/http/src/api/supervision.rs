//! Electronic supervision for the efficiency office: the monitoring overview and findings.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::monitoring::{Overview, OverviewQuery};
use liandong_app::supervision::NoticeView;
use liandong_domain::organization::{DepartmentId, UnitId};
use liandong_domain::supervision::{FindingKind, NoticeAction, NoticeEvent, SupervisionNotice};
use liandong_store::{FindingFilter, FindingRecord, NoticeRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct OverviewParams {
    /// First day of the period.
    #[param(example = "2026-03-01")]
    pub from: NaiveDate,
    /// Last day of the period (inclusive; twenty years at most after `from`).
    #[param(example = "2026-03-31")]
    pub to: NaiveDate,
    /// Cases received or handled at this unit or the units under it.
    pub unit_id: Option<i64>,
    pub department_id: Option<i64>,
}

/// The monitoring overview (实时监控) of a period, from the running totals: figures, open
/// cases by level, the series per day or month, breakdowns by department and handling unit.
/// Supervisors and system administrators: the district; unit administrators: their units.
#[utoipa::path(get, path = "/api/v1/monitoring/overview", tag = "supervision", security(("bearer" = [])), params(OverviewParams),
    responses((status = 200, body = Overview),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the period ends before it starts or is longer than twenty years", body = Problem, content_type = "application/problem+json")))]
pub async fn get_overview(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<OverviewParams>,
) -> Result<axum::Json<Overview>, ApiError> {
    let query = OverviewQuery {
        from: q.from,
        to: q.to,
        unit: q.unit_id.map(UnitId),
        department: q.department_id.map(DepartmentId),
    };
    Ok(axum::Json(app.monitoring_overview(&session, &query).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FindingParams {
    pub kind: Option<FindingKind>,
    pub department_id: Option<i64>,
    /// true: the routine reviews (refusals, denials, suspensions, terminations) only; false:
    /// the irregularities only; left out: both.
    pub routine: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingRecord>,
    pub total: i64,
}

/// Findings of electronic supervision (预警纠错), newest first (supervisors and system
/// administrators).
#[utoipa::path(get, path = "/api/v1/findings", tag = "supervision", security(("bearer" = [])), params(FindingParams),
    responses((status = 200, body = FindingPage),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_findings(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<FindingParams>,
) -> Result<axum::Json<FindingPage>, ApiError> {
    let per_page = i64::from(q.per_page.unwrap_or(50).clamp(1, 500));
    let page = i64::from(q.page.unwrap_or(1).max(1));
    let (items, total) = app
        .list_findings(
            &session,
            &FindingFilter {
                kind: q.kind,
                department: q.department_id.map(DepartmentId),
                routine: q.routine,
                limit: per_page,
                offset: (page - 1).saturating_mul(per_page),
            },
        )
        .await?;
    Ok(axum::Json(FindingPage { items, total }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct NoticeParams {
    /// true: the concluded; false: those running; left out: both.
    pub closed: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticePage {
    pub items: Vec<NoticeRecord>,
    pub total: i64,
}

/// Supervision notices (督办单), newest first: every one for supervisors and system
/// administrators, a department's own for its staff.
#[utoipa::path(get, path = "/api/v1/notices", tag = "supervision", security(("bearer" = [])), params(NoticeParams),
    responses((status = 200, body = NoticePage),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_notices(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<NoticeParams>,
) -> Result<axum::Json<NoticePage>, ApiError> {
    let per_page = i64::from(q.per_page.unwrap_or(50).clamp(1, 500));
    let page = i64::from(q.page.unwrap_or(1).max(1));
    let (items, total) = app
        .list_notices(
            &session,
            q.closed,
            per_page,
            (page - 1).saturating_mul(per_page),
        )
        .await?;
    Ok(axum::Json(NoticePage { items, total }))
}

/// A notice with its history and its current terms.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeBody {
    pub record: NoticeRecord,
    pub notice: SupervisionNotice,
    pub events: Vec<NoticeEvent>,
}

fn body(view: NoticeView) -> NoticeBody {
    NoticeBody {
        record: view.stored.record,
        notice: view.notice,
        events: view.stored.events,
    }
}

/// One notice (supervisors, system administrators, the responsible department's staff;
/// others get 404).
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "supervision", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = NoticeBody),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_notice(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<NoticeBody>, ApiError> {
    Ok(axum::Json(body(app.notice_view(&session, id).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "reply", "reply": "已督促承办人当日办理"}))]
pub struct NoticeActionRequest {
    /// The notice's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: NoticeAction,
}

/// Acts on a notice: the department replies; the supervisor returns a reply, escalates or
/// concludes.
#[utoipa::path(post, path = "/api/v1/notices/{id}/actions", tag = "supervision", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = NoticeActionRequest,
    responses((status = 200, body = NoticeBody),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, or not allowed in the notice's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_notice(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<NoticeActionRequest>,
) -> Result<axum::Json<NoticeBody>, ApiError> {
    Ok(axum::Json(body(
        app.act_on_notice(&session, id, req.expected_version, &req.action)
            .await?,
    )))
}

/// Opens a supervision notice on a finding at once (supervisors; the sweep opens one on every
/// irregularity within five minutes anyway). A finding has one notice: a second is 409.
#[utoipa::path(post, path = "/api/v1/findings/{id}/notice", tag = "supervision", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 201, body = NoticeBody),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the finding has its notice", body = Problem, content_type = "application/problem+json")))]
pub async fn open_notice(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<(StatusCode, axum::Json<NoticeBody>), ApiError> {
    let notice = app.open_notice(&session, id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(body(app.notice_view(&session, notice).await?)),
    ))
}
