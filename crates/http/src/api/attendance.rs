//! Window duty and attendance (窗口出勤): the windows' board, a window's duty and the actions
//! on it, a window's day, and a unit's monthly report.

use axum::extract::State;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::attendance::{AttendanceReport, DutyBoard, WindowDay, WindowDutyView};
use liandong_domain::attendance::DutyAction;
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{UnitId, WindowId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// Each window of a unit open, paused (with the reason) or away, as the hall's screen shows
/// it (public: no names).
#[utoipa::path(get, path = "/api/v1/units/{id}/duty", tag = "attendance", params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = DutyBoard), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn duty_board(
    State(app): State<App>,
    Path(id): Path<i64>,
) -> Result<axum::Json<DutyBoard>, ApiError> {
    Ok(axum::Json(app.duty_board(UnitId(id)).await?))
}

/// A window's duty: who is on duty, the version to name, and the actions the caller may take
/// now (staff who may see the window's unit).
#[utoipa::path(get, path = "/api/v1/windows/{id}/duty", tag = "attendance", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = WindowDutyView),
        (status = 404, description = "no such window the caller may see", body = Problem, content_type = "application/problem+json")))]
pub async fn window_duty(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<WindowDutyView>, ApiError> {
    Ok(axum::Json(app.window_duty(&session, WindowId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "pause", "reason": "consultation", "note": ""}))]
pub struct DutyActionRequest {
    /// The duty's `version` when it was read (0 for a window never signed on at); a stale
    /// one gets 409.
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: DutyAction,
}

/// An action on a window's duty: `sign_on` (a window clerk of the window's unit, as
/// themselves), `pause` {reason, note}, `resume` (the clerk on duty), `mark_away`,
/// `sign_off`, `record_leave` {date, part, clerk, reason, note} (the unit's administrator).
#[utoipa::path(post, path = "/api/v1/windows/{id}/duty/actions", tag = "attendance", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = DutyActionRequest,
    responses((status = 200, body = WindowDutyView),
        (status = 403, description = "not a window clerk or the unit's administrator, or not the one who may take this action", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not a window of the caller's unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, an action the window's state does not allow, or the clerk is on duty at another window", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a note missing or too long, a leave on a rest day or past the days to record it", body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_duty(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<DutyActionRequest>,
) -> Result<axum::Json<WindowDutyView>, ApiError> {
    Ok(axum::Json(
        app.act_on_duty(&session, WindowId(id), req.expected_version, &req.action)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    /// The China date; today when left out.
    #[param(example = "2026-03-02")]
    #[serde(default, deserialize_with = "crate::extract::date::optional")]
    pub date: Option<NaiveDate>,
}

/// A window's day: minutes open, paused by reason, away and closed within office hours, who
/// held it, leave, and the irregularities (the unit's administrators, supervisors).
#[utoipa::path(get, path = "/api/v1/windows/{id}/attendance", tag = "attendance", security(("bearer" = [])), params(("id" = i64, Path, example = 1), DayQuery),
    responses((status = 200, body = WindowDay),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such window the caller may see", body = Problem, content_type = "application/problem+json")))]
pub async fn window_day(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<WindowDay>, ApiError> {
    let date = q.date.unwrap_or_else(|| china_date(app.now()));
    Ok(axum::Json(
        app.window_day(&session, WindowId(id), date).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `YYYY-MM`; the last complete month when left out.
    #[param(example = "2026-03")]
    pub month: Option<String>,
}

/// A unit's month of attendance and window operation: per window and per clerk (days on
/// duty, on leave, late openings, absences, early leaves, closed stretches, long pauses,
/// minutes and the open-hours rate), and every irregularity by day (the unit's
/// administrators, supervisors).
#[utoipa::path(get, path = "/api/v1/units/{id}/attendance", tag = "attendance", security(("bearer" = [])), params(("id" = i64, Path, example = 1), MonthQuery),
    responses((status = 200, body = AttendanceReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a month, or a month not yet begun", body = Problem, content_type = "application/problem+json")))]
pub async fn attendance_report(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<axum::Json<AttendanceReport>, ApiError> {
    Ok(axum::Json(
        app.attendance_report(&session, UnitId(id), q.month.as_deref())
            .await?,
    ))
}
