//! Units, departments, windows and staff.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use liandong_app::organization::{
    DepartmentChange, DepartmentInput, StaffChange, StaffInput, UnitChange, UnitInput,
    WindowChange, WindowInput,
};
use liandong_domain::organization::{
    DepartmentId, Role, StaffId, UnitId, UnitKind, WindowId, WindowKind,
};
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
    /// A work mobile for the supervision's SMS (yellow and red warnings).
    #[serde(default)]
    pub phone: String,
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
        phone: req.phone,
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
    /// A new work mobile (empty clears it); left out, it stays.
    pub phone: Option<String>,
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
        phone: req.phone,
    };
    Ok(axum::Json(
        app.change_staff(&session, StaffId(id), &change).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "20103", "name": "石坪村便民服务站", "kind": "village_station",
    "parent_id": 12, "address": "石坪村村委会", "phone": "023-67821234"}))]
pub struct NewUnitRequest {
    /// The unit's code for life (letters, digits, -).
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    /// The unit above; only the district hall has none.
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// Adds a unit: a branch hall or township center under the hall, a village station under its
/// township (unit administrators: village stations under their own township).
#[utoipa::path(post, path = "/api/v1/units", tag = "organization", security(("bearer" = [])), request_body = NewUnitRequest,
    responses((status = 201, body = UnitRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such parent unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_unit(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<NewUnitRequest>,
) -> Result<(StatusCode, axum::Json<UnitRecord>), ApiError> {
    let input = UnitInput {
        code: req.code,
        name: req.name,
        kind: req.kind,
        parent_id: req.parent_id.map(UnitId),
        address: req.address,
        phone: req.phone,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_unit(&session, &input).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "name": "石坪村便民服务站", "address": "石坪村村委会", "phone": ""}))]
pub struct UnitChangeRequest {
    /// The unit's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
}

/// Changes a unit's name, address or phone; its code, kind and place stay. Audited.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "organization", security(("bearer" = [])),
    params(("id" = i64, Path, example = 3)), request_body = UnitChangeRequest,
    responses((status = 200, body = UnitRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_unit(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<UnitChangeRequest>,
) -> Result<axum::Json<UnitRecord>, ApiError> {
    let change = UnitChange {
        expected_version: req.expected_version,
        name: req.name,
        address: req.address,
        phone: req.phone,
    };
    Ok(axum::Json(
        app.change_unit(&session, UnitId(id), &change).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "D31", "name": "区退役军人事务局", "short_name": "退役军人局", "unit_id": 1}))]
pub struct NewDepartmentRequest {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    /// The unit it is stationed in.
    pub unit_id: i64,
    /// 统一社会信用代码 (GB 32100-2015), carried by the certificates it issues.
    #[serde(default)]
    pub credit_code: String,
}

/// Adds a department with approval powers (system administrators).
#[utoipa::path(post, path = "/api/v1/departments", tag = "organization", security(("bearer" = [])), request_body = NewDepartmentRequest,
    responses((status = 201, body = DepartmentRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_department(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<NewDepartmentRequest>,
) -> Result<(StatusCode, axum::Json<DepartmentRecord>), ApiError> {
    let input = DepartmentInput {
        code: req.code,
        name: req.name,
        short_name: req.short_name,
        unit_id: UnitId(req.unit_id),
        credit_code: req.credit_code,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_department(&session, &input).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "name": "区退役军人事务局", "short_name": "退役军人局", "unit_id": 1}))]
pub struct DepartmentChangeRequest {
    /// The department's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    pub unit_id: i64,
    /// 统一社会信用代码; empty clears it.
    #[serde(default)]
    pub credit_code: String,
}

/// Renames a department or stations it in another unit (system administrators). Audited.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "organization", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = DepartmentChangeRequest,
    responses((status = 200, body = DepartmentRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_department(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<DepartmentChangeRequest>,
) -> Result<axum::Json<DepartmentRecord>, ApiError> {
    let change = DepartmentChange {
        expected_version: req.expected_version,
        name: req.name,
        short_name: req.short_name,
        unit_id: UnitId(req.unit_id),
        credit_code: req.credit_code,
    };
    Ok(axum::Json(
        app.change_department(&session, DepartmentId(id), &change)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"unit_id": 1, "number": "A12", "name": "不动产登记窗口", "kind": "independent", "department_ids": [3]}))]
pub struct NewWindowRequest {
    pub unit_id: i64,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    /// The departments it serves: one for an independent window, at least one for a
    /// comprehensive window.
    #[serde(default)]
    pub department_ids: Vec<i64>,
}

/// Opens a window at a unit (system administrators; unit administrators at their units).
#[utoipa::path(post, path = "/api/v1/windows", tag = "organization", security(("bearer" = [])), request_body = NewWindowRequest,
    responses((status = 201, body = WindowRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit or department", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the unit has a window of that number", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_window(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<NewWindowRequest>,
) -> Result<(StatusCode, axum::Json<WindowRecord>), ApiError> {
    let input = WindowInput {
        unit_id: UnitId(req.unit_id),
        number: req.number,
        name: req.name,
        kind: req.kind,
        department_ids: req.department_ids.into_iter().map(DepartmentId).collect(),
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(app.create_window(&session, &input).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "number": "A12", "name": "不动产登记窗口", "kind": "independent", "department_ids": [3], "active": true}))]
pub struct WindowChangeRequest {
    /// The window's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    #[serde(default)]
    pub department_ids: Vec<i64>,
    /// False closes the window (停用): it calls no tickets; its history stays.
    pub active: bool,
}

/// Changes a window, or closes or reopens it. Audited.
#[utoipa::path(patch, path = "/api/v1/windows/{id}", tag = "organization", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = WindowChangeRequest,
    responses((status = 200, body = WindowRecord), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_window(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<WindowChangeRequest>,
) -> Result<axum::Json<WindowRecord>, ApiError> {
    let change = WindowChange {
        expected_version: req.expected_version,
        number: req.number,
        name: req.name,
        kind: req.kind,
        department_ids: req.department_ids.into_iter().map(DepartmentId).collect(),
        active: req.active,
    };
    Ok(axum::Json(
        app.change_window(&session, WindowId(id), &change).await?,
    ))
}
