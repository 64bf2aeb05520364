//! The hall's queue (排队叫号): groups, tickets from the kiosk, calls from the windows, the
//! display board and the day's figures.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::queue::{Board, QueueReport};
use liandong_domain::organization::{UnitId, WindowId};
use liandong_domain::queue::{BusinessGroup, TicketAction};
use liandong_store::StoredTicket;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// A unit's business groups (public: the kiosk shows them).
#[utoipa::path(get, path = "/api/v1/units/{id}/queue/groups", tag = "queue", params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = Vec<BusinessGroup>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn queue_groups(
    State(app): State<App>,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<BusinessGroup>>, ApiError> {
    Ok(axum::Json(app.queue_groups(UnitId(id)).await?))
}

/// Replaces a unit's business groups (its administrator, or a system administrator).
#[utoipa::path(put, path = "/api/v1/units/{id}/queue/groups", tag = "queue", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body(content = Vec<BusinessGroup>, example = json!([
        {"code": "A", "name": "市场准入", "windows": [1, 2]},
        {"code": "B", "name": "社会事务", "windows": [3]}])),
    responses((status = 200, body = Vec<BusinessGroup>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a bad code, a group twice, no windows, or another unit's window", body = Problem, content_type = "application/problem+json")))]
pub async fn set_queue_groups(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(groups): Json<Vec<BusinessGroup>>,
) -> Result<axum::Json<Vec<BusinessGroup>>, ApiError> {
    Ok(axum::Json(
        app.set_queue_groups(&session, UnitId(id), groups).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"group": "A"}))]
pub struct TicketRequest {
    pub group: String,
}

/// Takes a ticket for a business group (public: the kiosk).
#[utoipa::path(post, path = "/api/v1/units/{id}/queue/tickets", tag = "queue", params(("id" = i64, Path, example = 1)),
    request_body = TicketRequest,
    responses((status = 201, body = StoredTicket),
        (status = 404, description = "no such unit or group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the group's tickets for today are all taken", body = Problem, content_type = "application/problem+json")))]
pub async fn take_ticket(
    State(app): State<App>,
    Path(id): Path<i64>,
    Json(req): Json<TicketRequest>,
) -> Result<(StatusCode, axum::Json<StoredTicket>), ApiError> {
    let ticket = app.take_ticket(UnitId(id), &req.group).await?;
    Ok((StatusCode::CREATED, axum::Json(ticket)))
}

/// What the hall's screen shows: the latest calls and the waiting per group (public).
#[utoipa::path(get, path = "/api/v1/units/{id}/queue/board", tag = "queue", params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = Board), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn queue_board(
    State(app): State<App>,
    Path(id): Path<i64>,
) -> Result<axum::Json<Board>, ApiError> {
    Ok(axum::Json(app.queue_board(UnitId(id)).await?))
}

/// Calls the next ticket to the clerk's window: the one taken first among the groups it serves.
#[utoipa::path(post, path = "/api/v1/windows/{id}/call-next", tag = "queue", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = StoredTicket),
        (status = 403, description = "not a window clerk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not a window of the clerk's unit, or nobody is waiting", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn call_next(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<StoredTicket>, ApiError> {
    Ok(axum::Json(app.call_next(&session, WindowId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 2, "window_id": 1, "action": "start"}))]
pub struct TicketActionRequest {
    /// The ticket's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    /// The clerk's window the ticket was called to.
    pub window_id: i64,
    #[serde(flatten)]
    pub action: TicketAction,
}

/// A window's action on the ticket called to it: recall, start, skip, transfer, finish.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/actions", tag = "queue", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = TicketActionRequest,
    responses((status = 200, body = StoredTicket),
        (status = 403, description = "not a window clerk, or not the window it was called to", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_ticket(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<TicketActionRequest>,
) -> Result<axum::Json<StoredTicket>, ApiError> {
    Ok(axum::Json(
        app.act_on_ticket(
            &session,
            id,
            req.expected_version,
            WindowId(req.window_id),
            &req.action,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    #[param(example = "2026-03-02")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub date: NaiveDate,
}

/// A unit's queue figures for a day: waits and handling times by group, window and hour, and
/// the groups whose queue is too long.
#[utoipa::path(get, path = "/api/v1/units/{id}/queue/report", tag = "queue", security(("bearer" = [])), params(("id" = i64, Path, example = 1), ReportQuery),
    responses((status = 200, body = QueueReport),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit the caller may see", body = Problem, content_type = "application/problem+json")))]
pub async fn queue_report(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<axum::Json<QueueReport>, ApiError> {
    Ok(axum::Json(
        app.queue_report(&session, UnitId(id), q.date).await?,
    ))
}
