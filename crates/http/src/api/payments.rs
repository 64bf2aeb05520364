//! Fees and payment (收费): a case's payment notice, the fee window's counter payment, and
//! the online payment provider's callback.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_app::payments::{DayReconciliation, PaymentView};
use liandong_app::progress::CaseClaim;
use liandong_app::{App, AppError};
use liandong_domain::organization::CaseId;
use liandong_domain::payment::CounterMethod;
use liandong_store::ReconciliationRecord;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::{Json, Path, Staff};
use crate::problem::{ApiError, Problem};

/// A case's payment notice and payment (staff who see the case); 404 for a case whose item
/// has no fees, or before acceptance.
#[utoipa::path(get, path = "/api/v1/cases/{id}/payment", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = PaymentView),
        (status = 404, description = "no such case, or nothing to pay", body = Problem, content_type = "application/problem+json")))]
pub async fn case_payment(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<PaymentView>, ApiError> {
    let view = app
        .case_payment(&session, CaseId(id))
        .await?
        .ok_or(AppError::NotFound(
            "该办件无缴款通知 / the case has no payment notice",
        ))?;
    Ok(axum::Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "method": "cash", "amount_fen": 2000}))]
pub struct CounterRequest {
    /// The payment's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    pub method: CounterMethod,
    /// What was taken: the notice's amount.
    pub amount_fen: i64,
}

/// The fee window takes the notice's amount (window clerks who see the case).
#[utoipa::path(post, path = "/api/v1/payments/{id}/counter", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = CounterRequest,
    responses((status = 200, body = PaymentView),
        (status = 403, description = "not a window clerk, paid already, or not allowed now", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "another amount than the notice's", body = Problem, content_type = "application/problem+json")))]
pub async fn pay_at_counter(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<CounterRequest>,
) -> Result<axum::Json<PaymentView>, ApiError> {
    Ok(axum::Json(
        app.pay_at_counter(
            &session,
            id,
            req.expected_version,
            req.method,
            req.amount_fen,
        )
        .await?,
    ))
}

/// The payment provider's callback (not part of the public API; the protocol is in
/// docs/design/payment.md): form fields signed with the merchant's secret. The answer is the
/// text `success` (booked, booked before, or refused for good) or `fail` (send it again).
pub async fn callback(State(app): State<App>, body: Bytes) -> Result<Response, ApiError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| {
        AppError::invalid(
            "body",
            "回调内容应为表单编码",
            "the callback must be form-encoded",
        )
    })?;
    let answer = app.payment_callback(&fields).await?;
    let mut response = (StatusCode::OK, answer).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "100-20261130-0001", "check": "31002X"}))]
pub struct OnlinePaymentRequest {
    pub number: String,
    /// The last six characters of the applicant's ID number or phone, as for the lookup.
    pub check: String,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct OnlinePayment {
    /// Where to send the payer: the provider's payment page for the order just opened.
    pub pay_url: String,
}

/// The applicant pays online (public, after the lookup's check): an order is opened at the
/// payment provider and the answer says where to pay.
#[utoipa::path(post, path = "/api/v1/progress/payment", tag = "payments", request_body = OnlinePaymentRequest,
    responses((status = 200, body = OnlinePayment),
        (status = 403, description = "online payment not available, paid already, or an order is open", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no case matches, or nothing to pay", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn pay_online(
    State(app): State<App>,
    Json(req): Json<OnlinePaymentRequest>,
) -> Result<axum::Json<OnlinePayment>, ApiError> {
    let pay_url = app
        .start_online_payment(&CaseClaim::lookup(&req.number, &req.check))
        .await?;
    Ok(axum::Json(OnlinePayment { pay_url }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 2, "reason": "申请人撤回申请，依规退还已缴费用"}))]
pub struct RefundRequest {
    pub expected_version: u32,
    pub reason: String,
}

/// Gives a paid case's fees back in full, with the reason (an approver who sees the case).
#[utoipa::path(post, path = "/api/v1/payments/{id}/refund", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = RefundRequest,
    responses((status = 200, body = PaymentView),
        (status = 403, description = "not an approver, or not paid", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn refund(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<RefundRequest>,
) -> Result<axum::Json<PaymentView>, ApiError> {
    Ok(axum::Json(
        app.refund_payment(&session, id, req.expected_version, &req.reason)
            .await?,
    ))
}

/// The days reconciled (对账), the latest first (supervisors, system administrators).
#[utoipa::path(get, path = "/api/v1/payments/reconciliations", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReconciliationRecord>),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn reconciliations(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<ReconciliationRecord>>, ApiError> {
    Ok(axum::Json(app.reconciliations(&session).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"day": "2026-03-02"}))]
pub struct ReconcileRequest {
    pub day: chrono::NaiveDate,
}

/// Reconciles a past day now (the server does yesterday on its own every night): the
/// notices issued that day against what came in; differences become findings.
#[utoipa::path(post, path = "/api/v1/payments/reconciliations", tag = "payments", security(("bearer" = [])),
    request_body = ReconcileRequest,
    responses((status = 200, body = DayReconciliation),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "today or a later day", body = Problem, content_type = "application/problem+json")))]
pub async fn reconcile(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<ReconcileRequest>,
) -> Result<axum::Json<DayReconciliation>, ApiError> {
    Ok(axum::Json(app.reconcile_day(&session, req.day).await?))
}
