//! Units, departments, windows and staff.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use liandong_app::organization::{StaffChange, StaffInput};
use liandong_domain::organization::{DepartmentId, Role, StaffId, UnitId};
use liandong_store::{DepartmentRecord, StaffRecord, UnitRecord, WindowRecord};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// Every unit of the district, the tree given by `parent_id`.
#[utoipa::path(get, path = "/api/v1/units", tag = "organization", security(("bearer" = [])),
    responses((status = 200, body = Vec<UnitRecord>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_units(
    State(app): State<App>,
    _staff: Staff,
) -> Result<axum::Json<Vec<UnitRecord>>, ApiError> {
    Ok(axum::Json(app.units().await?))
}

/// Every department with approval powers.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organization", security(("bearer" = [])),
    responses((status = 200, body = Vec<DepartmentRecord>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_departments(
    State(app): State<App>,
    _staff: Staff,
) -> Result<axum::Json<Vec<DepartmentRecord>>, ApiError> {
    Ok(axum::Json(app.departments().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitQuery {
    /// Only this unit's.
    pub unit_id: Option<i64>,
}

/// Windows, with the departments each serves.
#[utoipa::path(get, path = "/api/v1/windows", tag = "organization", security(("bearer" = [])), params(UnitQuery),
    responses((status = 200, body = Vec<WindowRecord>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_windows(
    State(app): State<App>,
    _staff: Staff,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<WindowRecord>>, ApiError> {
    Ok(axum::Json(app.windows(q.unit_id.map(UnitId)).await?))
}

/// Staff accounts (administrators and supervisors).
#[utoipa::path(get, path = "/api/v1/staff", tag = "organization", security(("bearer" = [])), params(UnitQuery),
    responses((status = 200, body = Vec<StaffRecord>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_staff(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<StaffRecord>>, ApiError> {
    Ok(axum::Json(
        app.staff_list(&session, q.unit_id.map(UnitId)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"username": "v20101.clerk2", "display_name": "李秀英", "unit_id": 27,
    "roles": ["window_clerk"], "password": "a-long-password"}))]
pub struct NewStaffRequest {
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub department_id: Option<i64>,
    pub roles: Vec<Role>,
    pub password: String,
}

/// Creates a staff account.
#[utoipa::path(post, path = "/api/v1/staff", tag = "organization", security(("bearer" = [])), request_body = NewStaffRequest,
    responses((status = 201, body = StaffRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the username is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_staff(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<NewStaffRequest>,
) -> Result<(StatusCode, axum::Json<StaffRecord>), ApiError> {
    let input = StaffInput {
        username: req.username,
        display_name: req.display_name,
        unit_id: UnitId(req.unit_id),
        department_id: req.department_id.map(DepartmentId),
        roles: req.roles,
        password: req.password,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_staff(&session, &input).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "roles": ["handling_officer", "reviewer"], "active": true}))]
pub struct StaffChangeRequest {
    /// The account's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
    pub roles: Vec<Role>,
    /// False locks the account.
    pub active: bool,
    /// A new password (at least 8 characters), set by the administrator.
    pub new_password: Option<String>,
}

/// Changes a staff account's roles, lock or password; ends its sign-ins and is audited.
#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "organization", security(("bearer" = [])),
    params(("id" = i64, Path, example = 5)), request_body = StaffChangeRequest,
    responses((status = 200, body = StaffRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_staff(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<StaffChangeRequest>,
) -> Result<axum::Json<StaffRecord>, ApiError> {
    let change = StaffChange {
        expected_version: req.expected_version,
        roles: req.roles,
        active: req.active,
        new_password: req.new_password,
    };
    Ok(axum::Json(
        app.change_staff(&session, StaffId(id), &change).await?,
    ))
}
