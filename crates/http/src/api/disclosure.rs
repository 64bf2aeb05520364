//! Public disclosure (公示): a month's cases per department.

use axum::extract::State;
use liandong_app::App;
use liandong_app::disclosure::Disclosure;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::extract::Query;
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct DisclosureQuery {
    /// `YYYY-MM`; the last complete month when left out.
    #[param(example = "2026-02")]
    pub month: Option<String>,
}

/// A month's cases per department and the district's: received, accepted, concluded, on-time
/// and on-the-spot rates (public; counts only, nothing about a person).
#[utoipa::path(get, path = "/api/v1/disclosure", tag = "disclosure", params(DisclosureQuery),
    responses((status = 200, body = Disclosure),
        (status = 422, description = "not a month, or a month not yet begun", body = Problem, content_type = "application/problem+json")))]
pub async fn get_disclosure(
    State(app): State<App>,
    Query(q): Query<DisclosureQuery>,
) -> Result<axum::Json<Disclosure>, ApiError> {
    Ok(axum::Json(app.public_disclosure(q.month.as_deref()).await?))
}
