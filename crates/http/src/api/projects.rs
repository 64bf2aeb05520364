//! Key projects and the green channel (重点项目 · 绿色通道).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_app::App;
use liandong_app::projects::{JointReviewInput, ProjectInput, ProjectView};
use liandong_store::ProjectRecord;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::{Json, Path, Staff};
use crate::problem::{ApiError, Problem};

/// Registers a key project at the green-channel window; the clerk becomes its proxy agent.
/// Its approvals form a plan: each names the approvals (by position) it waits for.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    request_body(content = ProjectInput, example = json!({
        "name": "重庆某某食品有限公司新建厂房项目", "code": "",
        "applicant_name": "重庆某某食品有限公司", "credit_code": "91500112MA5U5YYP13", "phone": "023-67821234",
        "approvals": [
            {"item_code": "XK00095001", "stage": "生产许可"},
            {"item_code": "XK00094001", "stage": "经营许可", "depends_on": [0]}]})),
    responses((status = 201, body = ProjectView),
        (status = 403, description = "not a window clerk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "an empty, circular or repeated plan, or an item not in force", body = Problem, content_type = "application/problem+json")))]
pub async fn register_project(
    State(app): State<App>,
    Staff(session): Staff,
    Json(input): Json<ProjectInput>,
) -> Result<(StatusCode, axum::Json<ProjectView>), ApiError> {
    let view = app.register_project(&session, &input).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Key projects: all for supervisors, those of the caller's unit for others.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectRecord>)))]
pub async fn list_projects(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<ProjectRecord>>, ApiError> {
    Ok(axum::Json(app.projects(&session).await?))
}

/// A key project with its approvals (and their cases), joint reviews and timeline: the
/// target, what is late, what blocks what, and the speed-up against the standard limits.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_project(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<ProjectView>, ApiError> {
    Ok(axum::Json(app.project_view(&session, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1}))]
pub struct OpenRequest {
    /// The project's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
}

/// Opens, as cases, every approval whose prerequisites are approved: at first the
/// independent ones, in parallel (并联审批). The project's agent only.
#[utoipa::path(post, path = "/api/v1/projects/{id}/open", tag = "projects", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = OpenRequest,
    responses((status = 200, body = ProjectView),
        (status = 403, description = "not the project's agent", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "a stale version, or nothing is ready to open", body = Problem, content_type = "application/problem+json")))]
pub async fn open_ready_approvals(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<OpenRequest>,
) -> Result<axum::Json<ProjectView>, ApiError> {
    Ok(axum::Json(
        app.open_ready_approvals(&session, id, req.expected_version)
            .await?,
    ))
}

/// Records a joint review meeting (联审): the departments present (two or more), each one's
/// opinion, the decisions. The agent or a supervisor.
#[utoipa::path(post, path = "/api/v1/projects/{id}/joint-reviews", tag = "projects", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body(content = JointReviewInput, example = json!({
        "departments": ["区市场监管局", "区生态环境局", "区住房城乡建委"],
        "opinions": [{"department": "区生态环境局", "opinion": "环评批复前置条件已满足"}],
        "decisions": "同意并联办理施工许可与食品生产许可"})),
    responses((status = 200, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_joint_review(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(input): Json<JointReviewInput>,
) -> Result<axum::Json<ProjectView>, ApiError> {
    Ok(axum::Json(
        app.record_joint_review(&session, id, &input).await?,
    ))
}

/// The project's timeline as a Gantt chart (SVG, drawn on the server).
#[utoipa::path(get, path = "/api/v1/projects/{id}/timeline.svg", tag = "projects", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, description = "the chart", content_type = "image/svg+xml", body = String),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn project_gantt(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let svg = app.project_gantt(&session, id).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml; charset=utf-8"),
        )],
        svg,
    )
        .into_response())
}
