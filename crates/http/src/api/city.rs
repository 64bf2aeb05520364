//! The city link's endpoints on a city node (`serve --role city`, docs/city-link.md): a
//! district's signed push, and the city's totals. Not in the district's OpenAPI document:
//! a district node does not serve them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::city::{BatchAnswer, CityOverview, PushHeaders};
use liandong_domain::city::{DISTRICT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde::Deserialize;

use crate::extract::{Query, Staff};
use crate::problem::ApiError;

/// `POST /api/v1/city/batches`: a batch of a district's records, signed with its secret.
/// 200 with what was applied and what was already held; 401 unknown district or bad
/// signature; 400 not JSON; 422 a batch the format refuses; 409 a gap in a case's events.
pub async fn receive_batch(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<BatchAnswer>, ApiError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let push = PushHeaders {
        district: header(DISTRICT_HEADER),
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
    };
    Ok(axum::Json(app.receive_city_batch(&push, &body).await?))
}

#[derive(Debug, Deserialize)]
pub struct TotalsQuery {
    /// First China date counted, `YYYY-MM-DD`; the whole history when left out.
    pub from: Option<NaiveDate>,
    /// Last China date counted.
    pub to: Option<NaiveDate>,
}

/// `GET /api/v1/city/totals?from=&to=`: each district's totals and the city's (city
/// supervisors and system administrators).
pub async fn get_totals(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<TotalsQuery>,
) -> Result<axum::Json<CityOverview>, ApiError> {
    Ok(axum::Json(app.city_overview(&session, q.from, q.to).await?))
}
