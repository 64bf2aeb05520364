//! Online consultation (网上咨询): applicants ask about an item; the item's department
//! answers and publishes; the public reads the published answers.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use liandong_app::consultations::{
    AskInput, ConsultationLine, ConsultationRequest, ConsultationView, DepartmentConsultations,
    MyConsultation,
};
use liandong_domain::catalog::ItemCode;
use liandong_domain::consultation::PublicConsultation;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, SignedApplicant, Staff};
use crate::problem::{ApiError, Problem};

/// Asks a question about an item (the signed-in applicant; the answer is sent by SMS to
/// their number). The item's department answers within 3 working days.
#[utoipa::path(post, path = "/api/v1/online/consultations", tag = "consultations", security(("bearer" = [])),
    request_body(content = AskInput, example = json!({"item_code": "XK00001000", "name": "李秀英",
        "title": "健康证明是否必须提交", "text": "从业人员的健康证明是否在申请时必须提交？", "anonymous": false})),
    responses((status = 201, body = MyConsultation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn ask(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Json(input): Json<AskInput>,
) -> Result<(StatusCode, axum::Json<MyConsultation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(app.ask_question(&who, &input).await?),
    ))
}

/// The applicant's own questions and their answers, newest first.
#[utoipa::path(get, path = "/api/v1/online/consultations", tag = "consultations", security(("bearer" = [])),
    responses((status = 200, body = Vec<MyConsultation>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn mine(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
) -> Result<axum::Json<Vec<MyConsultation>>, ApiError> {
    Ok(axum::Json(app.my_consultations(&who).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1}))]
pub struct WithdrawQuestion {
    pub expected_version: u32,
}

/// The asker takes a question back before it is answered.
#[utoipa::path(post, path = "/api/v1/online/consultations/{id}/withdraw", tag = "consultations", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = WithdrawQuestion,
    responses((status = 200, body = MyConsultation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
    Json(req): Json<WithdrawQuestion>,
) -> Result<axum::Json<MyConsultation>, ApiError> {
    Ok(axum::Json(
        app.withdraw_question(&who, id, req.expected_version)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsultationQuery {
    /// Only those awaiting an answer (the oldest first).
    #[serde(default)]
    pub open: bool,
}

/// The consultations of the officer's department (supervisors: all).
#[utoipa::path(get, path = "/api/v1/consultations", tag = "consultations", security(("bearer" = [])),
    params(ConsultationQuery),
    responses((status = 200, body = Vec<ConsultationLine>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<ConsultationQuery>,
) -> Result<axum::Json<Vec<ConsultationLine>>, ApiError> {
    Ok(axum::Json(app.list_consultations(&session, q.open).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MonthQuery {
    /// `2026-03`
    pub month: String,
}

/// Each department's figures for the questions asked in a month.
#[utoipa::path(get, path = "/api/v1/consultations/statistics", tag = "consultations", security(("bearer" = [])),
    params(MonthQuery),
    responses((status = 200, body = Vec<DepartmentConsultations>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn statistics(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<MonthQuery>,
) -> Result<axum::Json<Vec<DepartmentConsultations>>, ApiError> {
    let month = q.month.parse().map_err(|_| {
        liandong_app::AppError::invalid(
            "month",
            "月份格式应为2026-03",
            "a month is written 2026-03",
        )
    })?;
    Ok(axum::Json(
        app.consultation_statistics(&session, month).await?,
    ))
}

/// One consultation with its history and what the officer may do now.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "consultations", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ConsultationView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<ConsultationView>, ApiError> {
    Ok(axum::Json(app.consultation_view(&session, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "answer", "answer": "健康证明为选交材料，可在开业前补交。"}))]
pub struct ConsultationActionRequest {
    pub expected_version: u32,
    #[serde(flatten)]
    pub action: ConsultationRequest,
}

/// Answers, amends, publishes or takes down, forwards or declines.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/actions", tag = "consultations", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = ConsultationActionRequest,
    responses((status = 200, body = ConsultationView),
        (status = 403, description = "not the item's department", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "not allowed in this state, or the consultation changed", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<ConsultationActionRequest>,
) -> Result<axum::Json<ConsultationView>, ApiError> {
    Ok(axum::Json(
        app.act_on_consultation(&session, id, req.expected_version, &req.action)
            .await?,
    ))
}

/// The published questions and answers about an item (public).
#[utoipa::path(get, path = "/api/v1/items/{code}/consultations", tag = "consultations",
    params(("code" = String, Path, example = "XK00001000")),
    responses((status = 200, body = Vec<PublicConsultation>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn published(
    State(app): State<App>,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<PublicConsultation>>, ApiError> {
    let code = ItemCode::parse(&code)
        .map_err(|_| liandong_app::AppError::NotFound("没有该事项 / no such item"))?;
    Ok(axum::Json(app.public_consultations(&code).await?))
}
