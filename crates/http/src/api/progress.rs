//! Public progress lookup (办件查询) for applicants.

use axum::extract::State;
use liandong_app::App;
use liandong_app::progress::CaseClaim;
use liandong_app::progress::PublicProgress;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::Json;
use crate::problem::{ApiError, Problem};

/// A case number and the last six characters of the applicant's ID number or phone. Sent in
/// the body, not the address, so that they stay out of access logs.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "100-20261130-0001", "check": "31002X"}))]
pub struct ProgressRequest {
    pub number: String,
    pub check: String,
}

/// Where a case stands (public): stage, due date and timeline, the applicant masked. Five
/// wrong check codes for one case number within the lock-out window lock its lookups.
#[utoipa::path(post, path = "/api/v1/progress", tag = "progress", request_body = ProgressRequest,
    responses((status = 200, body = PublicProgress),
        (status = 404, description = "no case matches the number and check code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a case number, or not six characters of check code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many wrong check codes for this case number", body = Problem, content_type = "application/problem+json")))]
pub async fn lookup_progress(
    State(app): State<App>,
    Json(req): Json<ProgressRequest>,
) -> Result<axum::Json<PublicProgress>, ApiError> {
    Ok(axum::Json(
        app.lookup_progress(&CaseClaim::lookup(&req.number, &req.check))
            .await?,
    ))
}
