//! The working-day calendar: reckon dates, see a year, load a notice.

use axum::extract::State;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::calendar::YearCalendar;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AddQuery {
    /// The triggering day; it does not count. 1901-01-01 to 2099-12-31.
    #[param(example = "2026-02-13")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub from: NaiveDate,
    /// Working days to add (at most 3650).
    #[param(example = 5, maximum = 3650)]
    pub days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddResult {
    pub from: NaiveDate,
    pub days: u32,
    pub date: NaiveDate,
    /// A day counted lies in a year with no State Council notice yet.
    pub provisional: bool,
}

/// The date N working days after a date.
#[utoipa::path(get, path = "/api/v1/calendar/add", tag = "calendar", params(AddQuery),
    responses((status = 200, body = AddResult), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "more than 3650 days, or a date outside 1901–2099", body = Problem, content_type = "application/problem+json")))]
pub async fn add_working_days(
    State(app): State<App>,
    Query(q): Query<AddQuery>,
) -> Result<axum::Json<AddResult>, ApiError> {
    check_in_calendar("from", q.from)?;
    if q.days > 3650 {
        return Err(liandong_app::AppError::invalid(
            "days",
            "工作日数不能超过3650",
            "days must be at most 3650",
        )
        .into());
    }
    let r = app.add_working_days(q.from, q.days);
    Ok(axum::Json(AddResult {
        from: q.from,
        days: q.days,
        date: r.value,
        provisional: r.provisional,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BetweenQuery {
    /// 1901-01-01 to 2099-12-31.
    #[param(example = "2025-09-30")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub from: NaiveDate,
    /// 1901-01-01 to 2099-12-31.
    #[param(example = "2025-10-12")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub to: NaiveDate,
}

/// The years the working-day calendar reckons in, as for `/calendar/years/{year}`.
fn check_in_calendar(field: &str, date: NaiveDate) -> Result<(), ApiError> {
    use chrono::Datelike;
    if (1901..=2099).contains(&date.year()) {
        Ok(())
    } else {
        Err(liandong_app::AppError::invalid(
            field,
            "日期应在1901年至2099年之间",
            "the date must be within the years 1901 to 2099",
        )
        .into())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BetweenResult {
    /// Working days after `from` up to and including `to`.
    pub working_days: u32,
    pub provisional: bool,
}

/// The working days between two dates.
#[utoipa::path(get, path = "/api/v1/calendar/between", tag = "calendar", params(BetweenQuery),
    responses((status = 200, body = BetweenResult), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a date outside 1901–2099, or a span of more than 100 years", body = Problem, content_type = "application/problem+json")))]
pub async fn working_days_between(
    State(app): State<App>,
    Query(q): Query<BetweenQuery>,
) -> Result<axum::Json<BetweenResult>, ApiError> {
    check_in_calendar("from", q.from)?;
    check_in_calendar("to", q.to)?;
    if (q.to - q.from).num_days().abs() > 36_600 {
        return Err(liandong_app::AppError::invalid(
            "to",
            "日期跨度不能超过100年",
            "the span is at most 100 years",
        )
        .into());
    }
    let r = app.working_days_between(q.from, q.to);
    Ok(axum::Json(BetweenResult {
        working_days: r.value,
        provisional: r.provisional,
    }))
}

/// A year's holidays and adjusted working days.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i32, Path, minimum = 1901, maximum = 2099, example = 2026)),
    responses((status = 200, body = YearCalendar), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn get_year(
    State(app): State<App>,
    Path(year): Path<i32>,
) -> Result<axum::Json<YearCalendar>, ApiError> {
    Ok(axum::Json(app.year_calendar(year)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"toml": include_str!("../../../../data/calendar/2026.toml")}))]
pub struct NoticeRequest {
    /// The notice in the calendar data-file format (TOML).
    pub toml: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeLoaded {
    /// Cases whose provisional due time was recomputed.
    pub recomputed_cases: usize,
}

/// Loads a year's State Council holiday notice and recomputes provisional deadlines.
#[utoipa::path(post, path = "/api/v1/calendar/notices", tag = "calendar", security(("bearer" = [])), request_body = NoticeRequest,
    responses((status = 200, body = NoticeLoaded), (status = 403, description = "not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn load_notice(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<NoticeRequest>,
) -> Result<axum::Json<NoticeLoaded>, ApiError> {
    let recomputed_cases = app.load_holiday_notice(Some(&session), &req.toml).await?;
    Ok(axum::Json(NoticeLoaded { recomputed_cases }))
}
