//! SMS notifications: message templates (system administrators), the outbox's messages
//! (administrators and supervisors), and the delivery-report endpoint Kannel calls.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use liandong_app::notify::{SmsMessageView, SmsTemplateView};
use liandong_domain::notify::MessageState;
use liandong_domain::organization::CaseId;
use liandong_store::SmsFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

/// Every message template: the text in force, the shipped default, the placeholders the
/// kind offers and a sample with its SMS part count.
#[utoipa::path(get, path = "/api/v1/sms/templates", tag = "sms", security(("bearer" = [])),
    responses((status = 200, body = Vec<SmsTemplateView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a system administrator", body = Problem, content_type = "application/problem+json")))]
pub async fn list_sms_templates(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<SmsTemplateView>>, ApiError> {
    Ok(axum::Json(app.sms_templates(&session).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 0,
    "text": "【渝北政务】{applicant}您好，您申请的{item}已受理，办件编号{number}，承诺于{due_date}前办结。"}))]
pub struct TemplateChange {
    /// The template's `version` when it was read (0 for the shipped text).
    pub expected_version: i64,
    /// The new text; placeholders are `{name}`, literal braces `{{` and `}}`.
    pub text: String,
}

/// Replaces a message template. Messages already written keep their text; an unknown
/// placeholder is refused with 422 naming the placeholders allowed.
#[utoipa::path(put, path = "/api/v1/sms/templates/{kind}", tag = "sms", security(("bearer" = [])),
    params(("kind" = String, Path, example = "accepted")), request_body = TemplateChange,
    responses((status = 200, body = SmsTemplateView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such kind of message", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "changed by someone else since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_sms_template(
    State(app): State<App>,
    Staff(session): Staff,
    Path(kind): Path<String>,
    Json(change): Json<TemplateChange>,
) -> Result<axum::Json<SmsTemplateView>, ApiError> {
    Ok(axum::Json(
        app.update_sms_template(&session, &kind, change.expected_version, &change.text)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MessageQuery {
    /// Only the messages of this case.
    pub case_id: Option<i64>,
    pub state: Option<MessageState>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// Messages of the outbox, newest first, with their delivery state; the applicant's name and
/// phone number are masked.
#[utoipa::path(get, path = "/api/v1/sms/messages", tag = "sms", security(("bearer" = [])), params(MessageQuery),
    responses((status = 200, body = Vec<SmsMessageView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "neither a system administrator nor a supervisor", body = Problem, content_type = "application/problem+json")))]
pub async fn list_sms_messages(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<MessageQuery>,
) -> Result<axum::Json<Vec<SmsMessageView>>, ApiError> {
    let filter = SmsFilter {
        case_id: q.case_id.map(CaseId),
        state: q.state,
        limit: q.limit.unwrap_or(100),
    };
    Ok(axum::Json(app.sms_messages(&session, &filter).await?))
}

/// What Kannel's `dlr-url` carries.
#[derive(Debug, Deserialize)]
pub struct DeliveryReportQuery {
    pub token: String,
    pub id: String,
    pub attempt: u32,
    pub status: i64,
    #[serde(default)]
    pub answer: String,
}

/// Kannel's delivery report (not part of the public API): protected by the secret token in
/// the URL the worker gave Kannel; anything else is "not found".
pub async fn delivery_report(
    State(app): State<App>,
    Query(q): Query<DeliveryReportQuery>,
) -> Result<StatusCode, ApiError> {
    app.delivery_report(&q.token, &q.id, q.attempt, q.status, &q.answer)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What Kannel's `sms-service` `get-url` carries for a message an applicant sent.
#[derive(Debug, Deserialize)]
pub struct IncomingQuery {
    pub token: String,
    pub from: String,
    #[serde(default)]
    pub text: String,
}

/// A message from an applicant (not part of the public API): a reply to the rating
/// invitation. Kannel sends nothing back to the phone (an empty answer).
pub async fn incoming_sms(
    State(app): State<App>,
    Query(q): Query<IncomingQuery>,
) -> Result<StatusCode, ApiError> {
    app.incoming_sms(&q.token, &q.from, &q.text).await?;
    Ok(StatusCode::NO_CONTENT)
}
