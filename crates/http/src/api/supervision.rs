//! Electronic supervision for the efficiency office: the monitoring overview and findings.

use axum::extract::State;
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::monitoring::{Overview, OverviewQuery};
use liandong_domain::organization::{DepartmentId, UnitId};
use liandong_domain::supervision::FindingKind;
use liandong_store::{FindingFilter, FindingRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Query, Staff};
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
