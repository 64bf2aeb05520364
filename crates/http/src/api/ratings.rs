//! Ratings (好差评): the window's rating pad, the applicant's online rating, the SMS reply
//! Kannel forwards, and the rectification of poor ratings.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use liandong_app::progress::CaseClaim;
use liandong_app::ratings::{PadView, PublicRating, RatingView};
use liandong_domain::organization::WindowId;
use liandong_domain::rating::{RectificationAction, Satisfaction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// What the rating pad of a window shows now (public: the pad is a device in the hall).
#[utoipa::path(get, path = "/api/v1/windows/{id}/pad", tag = "ratings",
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = PadView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_pad(
    State(app): State<App>,
    Path(id): Path<i64>,
) -> Result<axum::Json<PadView>, ApiError> {
    Ok(axum::Json(app.pad(WindowId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"ticket_id": 1, "satisfaction": "very_satisfied"}))]
pub struct PadRatingRequest {
    /// The visit the pad offered (`to_rate.ticket_id`).
    pub ticket_id: i64,
    pub satisfaction: Satisfaction,
    /// Required for 不满意 and 非常不满意.
    #[serde(default)]
    pub reason: String,
}

/// Rates the visit just finished at the window (一次一评): within minutes of its end, once.
#[utoipa::path(post, path = "/api/v1/windows/{id}/pad/ratings", tag = "ratings",
    params(("id" = i64, Path, example = 1)), request_body = PadRatingRequest,
    responses((status = 201, body = PublicRating),
        (status = 403, description = "the ticket is not a visit finished at this window", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the visit is rated, or the time to rate it has passed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a poor rating without a reason", body = Problem, content_type = "application/problem+json")))]
pub async fn rate_at_pad(
    State(app): State<App>,
    Path(id): Path<i64>,
    Json(req): Json<PadRatingRequest>,
) -> Result<(StatusCode, axum::Json<PublicRating>), ApiError> {
    let rating = app
        .rate_at_pad(WindowId(id), req.ticket_id, req.satisfaction, &req.reason)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(PublicRating::from(&rating))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "100-20261130-0001", "check": "31002X", "satisfaction": "dissatisfied", "reason": "等候时间太长"}))]
pub struct OnlineRatingRequest {
    pub number: String,
    /// The last six characters of the applicant's ID number or phone, as for the lookup.
    pub check: String,
    pub satisfaction: Satisfaction,
    #[serde(default)]
    pub reason: String,
}

/// The applicant rates their concluded case online (一事一评), once.
#[utoipa::path(post, path = "/api/v1/progress/rating", tag = "ratings", request_body = OnlineRatingRequest,
    responses((status = 201, body = PublicRating),
        (status = 404, description = "no case matches the number and check code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not concluded yet, or rated already", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many wrong check codes for this case number", body = Problem, content_type = "application/problem+json")))]
pub async fn rate_online(
    State(app): State<App>,
    Json(req): Json<OnlineRatingRequest>,
) -> Result<(StatusCode, axum::Json<PublicRating>), ApiError> {
    let rating = app
        .rate_online(
            &CaseClaim::lookup(&req.number, &req.check),
            req.satisfaction,
            &req.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(rating)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RatingParams {
    /// Poor ratings (差评) only.
    pub poor: Option<bool>,
    /// Poor ratings whose rectification still runs.
    pub open: Option<bool>,
    #[param(minimum = 1)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatingPage {
    pub items: Vec<RatingView>,
    pub total: i64,
}

/// Ratings, newest first: every one for supervisors, a department's or a unit's own for its
/// staff.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", security(("bearer" = [])), params(RatingParams),
    responses((status = 200, body = RatingPage),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_ratings(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<RatingParams>,
) -> Result<axum::Json<RatingPage>, ApiError> {
    let per_page = i64::from(q.per_page.unwrap_or(50).clamp(1, 500));
    let page = i64::from(q.page.unwrap_or(1).max(1));
    let (items, total) = app
        .list_ratings(
            &session,
            q.poor.unwrap_or(false),
            q.open.unwrap_or(false),
            per_page,
            (page - 1).saturating_mul(per_page),
        )
        .await?;
    Ok(axum::Json(RatingPage { items, total }))
}

/// One rating with its rectification (others' ratings are 404).
#[utoipa::path(get, path = "/api/v1/ratings/{id}", tag = "ratings", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = RatingView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_rating(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<RatingView>, ApiError> {
    Ok(axum::Json(app.rating_view(&session, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "return_visit", "notes": "电话回访，申请人反映等候时间长", "founded": true}))]
pub struct RectificationRequest {
    /// The rating's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: RectificationAction,
}

/// A step of a poor rating's rectification: the return visit, then rectified or explained
/// with the reply the applicant gets by SMS.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/actions", tag = "ratings", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = RectificationRequest,
    responses((status = 200, body = RatingView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, or not allowed in the rectification's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_rating(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<RectificationRequest>,
) -> Result<axum::Json<RatingView>, ApiError> {
    Ok(axum::Json(
        app.act_on_rating(&session, id, req.expected_version, &req.action)
            .await?,
    ))
}
