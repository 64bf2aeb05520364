//! The one place errors become HTTP responses: RFC 9457 problem documents with a stable
//! code and the message in Chinese and English.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_app::{AppError, FieldError};
use liandong_domain::appeal::AppealError;
use liandong_domain::appointment::AppointmentError;
use liandong_domain::attendance::AttendanceError;
use liandong_domain::case::{ActionName, WorkflowError};
use liandong_domain::city::BatchError;
use liandong_domain::proxy::ProxyError;
use liandong_domain::queue::QueueError;
use liandong_domain::rating::RatingError;
use liandong_domain::supervision::SupervisionError;
use serde::Serialize;

/// `application/problem+json` body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:liandong:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short English title.
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    /// The message in Chinese.
    pub message_zh: String,
    /// The message in English.
    pub message_en: String,
    /// Field-level errors, for invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For an action not allowed now: what is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<ActionName>>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, message: &str) -> Problem {
        let (zh, en) = message.split_once(" / ").unwrap_or((message, message));
        Problem {
            kind: format!("urn:liandong:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            message_zh: zh.to_owned(),
            message_en: en.to_owned(),
            errors: Vec::new(),
            allowed_actions: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// An application error on its way out.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// The status and stable code of every error.
pub fn status_and_code(error: &AppError) -> (StatusCode, &'static str) {
    match error {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
        AppError::TooManyAttempts { .. } => {
            (StatusCode::TOO_MANY_REQUESTS, "too_many_sign_in_attempts")
        }
        AppError::TooManyLookups { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_lookups"),
        AppError::SignIn(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_codes"),
        AppError::Consultation(_) => (StatusCode::CONFLICT, "action_not_allowed"),
        AppError::RoleRequired { .. } => (StatusCode::FORBIDDEN, "role_required"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "stale_version"),
        AppError::Duplicate(_) => (StatusCode::CONFLICT, "duplicate"),
        AppError::IdempotencyMismatch => {
            (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
        }
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::Appeal(AppealError::NotResponsible | AppealError::SupervisorOnly) => {
            (StatusCode::FORBIDDEN, "forbidden")
        }
        AppError::Appeal(AppealError::NotAllowedNow { .. }) => {
            (StatusCode::CONFLICT, "action_not_allowed")
        }
        AppError::Appeal(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::Proxy(ProxyError::NotAllowedNow { .. } | ProxyError::NotDecided) => {
            (StatusCode::CONFLICT, "action_not_allowed")
        }
        AppError::Proxy(ProxyError::NotHere { .. } | ProxyError::WrongNextUnit { .. }) => {
            (StatusCode::FORBIDDEN, "forbidden")
        }
        AppError::Proxy(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::Queue(QueueError::NotThisWindow) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Queue(QueueError::NotAllowedNow { .. }) => {
            (StatusCode::CONFLICT, "action_not_allowed")
        }
        AppError::Queue(QueueError::UnknownGroup(_)) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Queue(QueueError::Full) => (StatusCode::CONFLICT, "queue_full"),
        AppError::Queue(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::Appointment(AppointmentError::NotOffered) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
        }
        AppError::Appointment(AppointmentError::SlotFull) => (StatusCode::CONFLICT, "slot_full"),
        AppError::Appointment(AppointmentError::TooMany(_)) => {
            (StatusCode::CONFLICT, "too_many_bookings")
        }
        AppError::Appointment(AppointmentError::Suspended { .. }) => {
            (StatusCode::FORBIDDEN, "booking_suspended")
        }
        AppError::Appointment(AppointmentError::UnknownCode) => {
            (StatusCode::NOT_FOUND, "not_found")
        }
        AppError::Appointment(_) => (StatusCode::CONFLICT, "action_not_allowed"),
        AppError::Supervision(SupervisionError::PartyNotAllowed { .. }) => {
            (StatusCode::FORBIDDEN, "forbidden")
        }
        AppError::Supervision(SupervisionError::Required { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
        }
        AppError::Supervision(_) => (StatusCode::CONFLICT, "action_not_allowed"),
        AppError::Attendance(
            AttendanceError::NotAWindowClerk
            | AttendanceError::NotOnDuty
            | AttendanceError::NotTheClerkOnDuty
            | AttendanceError::ManagerOnly,
        ) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Attendance(AttendanceError::OnDutyElsewhere { .. }) => {
            (StatusCode::CONFLICT, "on_duty_elsewhere")
        }
        AppError::Attendance(
            AttendanceError::NotAllowedNow { .. } | AttendanceError::OutOfOrder,
        ) => (StatusCode::CONFLICT, "action_not_allowed"),
        AppError::Attendance(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        AppError::Rating(RatingError::MatterRated | RatingError::VisitRated) => {
            (StatusCode::CONFLICT, "already_rated")
        }
        AppError::Rating(_) => (StatusCode::CONFLICT, "action_not_allowed"),
        AppError::Workflow(WorkflowError::NotAllowedNow { .. }) => {
            (StatusCode::CONFLICT, "action_not_allowed")
        }
        AppError::Workflow(WorkflowError::RoleRequired { .. }) => {
            (StatusCode::FORBIDDEN, "role_required")
        }
        AppError::Workflow(WorkflowError::MaterialsMissing { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "materials_missing")
        }
        AppError::Workflow(_) => (StatusCode::UNPROCESSABLE_ENTITY, "workflow_rule"),
        AppError::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
        AppError::CityAuth(_) => (StatusCode::UNAUTHORIZED, "city_unauthenticated"),
        AppError::CityBatch(BatchError::Malformed(_)) => {
            (StatusCode::BAD_REQUEST, "malformed_request")
        }
        AppError::CityBatch(BatchError::OutOfOrder { .. }) => {
            (StatusCode::CONFLICT, "batch_out_of_order")
        }
        AppError::CityBatch(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_batch"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        let message = match &self.0 {
            AppError::Storage(e) => {
                // The cause is logged, not shown: it names tables, constraints and queries.
                tracing::error!(error = %e, "storage error");
                "服务暂时不可用，请稍后重试 / the service is unavailable; try again later"
                    .to_owned()
            }
            other => other.to_string(),
        };
        let mut problem = Problem::new(status, code, &message);
        match self.0 {
            AppError::NotFound(what) if !what.contains(" / ") => {
                // A bare label such as "事项 service item": say "not found" in each language.
                let (zh, en) = what.split_once(' ').unwrap_or((what, what));
                problem.message_zh = format!("未找到{zh}");
                problem.message_en = format!("{en} not found");
            }
            AppError::Invalid(errors) => {
                if let [only] = errors.as_slice() {
                    problem.message_zh = only.message_zh.clone();
                    problem.message_en = only.message_en.clone();
                }
                problem.errors = errors;
            }
            AppError::Workflow(WorkflowError::NotAllowedNow { allowed, .. }) => {
                problem.allowed_actions = Some(allowed);
            }
            _ => {}
        }
        problem.into_response()
    }
}

/// Turns an extractor's rejection (malformed JSON, bad query, oversized body) into a problem.
pub fn rejection(status: StatusCode, detail: &str) -> Problem {
    let (code, zh) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求内容过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "请求内容类型应为 application/json",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_input", "请求内容不符合要求"),
        _ => ("malformed_request", "请求格式错误"),
    };
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY || status.is_server_error() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let (detail_zh, detail_en) = bilingual_detail(detail);
    let mut problem = Problem::new(status, code, "");
    problem.message_zh = format!("{zh}：{detail_zh}");
    problem.message_en = detail_en;
    problem
}

/// Splits an extractor's detail in two when it carries a domain message "中文 / English"
/// (`…: applicant: 号码长度应为 18 位 / wrong length: … at line 1 column 69`): the Chinese half,
/// and the English half with the context that precedes the Chinese message. Any other detail
/// is the same in both.
fn bilingual_detail(detail: &str) -> (String, String) {
    let Some((zh, en)) = detail.split_once(" / ") else {
        return (detail.to_owned(), detail.to_owned());
    };
    let Some(start) = zh.find(|c: char| !c.is_ascii()) else {
        return (detail.to_owned(), detail.to_owned());
    };
    let context = zh[..start].trim_end();
    let en = if context.is_empty() {
        en.to_owned()
    } else {
        format!("{context} {en}")
    };
    (zh.to_owned(), en)
}

/// Operations that never touch the database, so never answer 503.
const STORAGE_FREE: &[&str] = &[
    "/api/v1/calendar/add",
    "/api/v1/calendar/between",
    "/api/v1/calendar/years/{year}",
];

/// Documents in `doc` the problems an operation may answer whatever it does, from what it
/// takes: 400 when it has parameters or a body (they may not parse), 401 when it needs a bearer
/// token, 413 when it has a body, 415 when that body is JSON, and 503 when it reads or writes
/// the database. Every response gets a description, which OpenAPI requires.
pub fn document_common_problems(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Content, Ref, ResponseBuilder};

    for (path, item) in &mut doc.paths.paths {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let body_types: Vec<String> = match &operation.request_body {
                Some(utoipa::openapi::RefOr::T(body)) => body.content.keys().cloned().collect(),
                Some(utoipa::openapi::RefOr::Ref(_)) => vec!["application/json".into()],
                None => Vec::new(),
            };
            let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let common = [
                (
                    StatusCode::BAD_REQUEST,
                    has_parameters || !body_types.is_empty(),
                    "a parameter or the body cannot be read (`malformed_request`, `invalid_input`)",
                ),
                (
                    StatusCode::UNAUTHORIZED,
                    secured,
                    "no bearer token, or it expired or was revoked (`unauthenticated`)",
                ),
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    !body_types.is_empty(),
                    "the body is larger than the server takes (`payload_too_large`)",
                ),
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    body_types.iter().any(|t| t == "application/json"),
                    "the body is not `application/json` (`unsupported_media_type`)",
                ),
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    !STORAGE_FREE.contains(&path.as_str()),
                    "the database does not answer (`storage_unavailable`)",
                ),
            ];
            let responses = &mut operation.responses.responses;
            for (status, applies, description) in common {
                if applies {
                    responses
                        .entry(status.as_str().to_owned())
                        .or_insert_with(|| {
                            ResponseBuilder::new()
                                .description(description)
                                .content(
                                    "application/problem+json",
                                    Content::new(Some(Ref::from_schema_name("Problem"))),
                                )
                                .build()
                                .into()
                        });
                }
            }
            for (status, response) in responses.iter_mut() {
                if let utoipa::openapi::RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|s| StatusCode::from_u16(s).ok())
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("response")
                        .to_owned();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use liandong_domain::case::CaseState;

    #[test]
    fn every_error_has_a_status_and_a_stable_code() {
        let cases = [
            (AppError::Unauthenticated, 401, "unauthenticated"),
            (AppError::Conflict { stale: 3 }, 409, "stale_version"),
            (AppError::NotFound("办件 case"), 404, "not_found"),
            (AppError::invalid("x", "错", "wrong"), 422, "invalid_input"),
            (AppError::IdempotencyMismatch, 422, "idempotency_key_reused"),
            (
                AppError::Workflow(WorkflowError::NotAllowedNow {
                    state: CaseState::Concluded,
                    action: ActionName::Handle,
                    allowed: vec![],
                }),
                409,
                "action_not_allowed",
            ),
            (
                AppError::Attendance(AttendanceError::OnDutyElsewhere {
                    window: liandong_domain::organization::WindowId(2),
                }),
                409,
                "on_duty_elsewhere",
            ),
            (
                AppError::Attendance(AttendanceError::ManagerOnly),
                403,
                "forbidden",
            ),
            (
                AppError::Attendance(AttendanceError::NoteRequired),
                422,
                "invalid_input",
            ),
        ];
        for (error, status, code) in cases {
            let (s, c) = status_and_code(&error);
            assert_eq!((s.as_u16(), c), (status, code), "{error}");
        }
    }

    #[test]
    fn a_problem_carries_both_languages_and_the_problem_media_type() {
        let response = ApiError(AppError::Conflict { stale: 4 }).into_response();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let p = Problem::new(
            StatusCode::CONFLICT,
            "stale_version",
            &AppError::Conflict { stale: 4 }.to_string(),
        );
        assert!(p.message_zh.contains("记录已被他人修改"));
        assert!(
            !p.message_zh.contains("changed"),
            "the Chinese part stands alone: {}",
            p.message_zh
        );
        assert!(
            p.message_en
                .starts_with("the record was changed by someone else")
        );
        assert_eq!(p.kind, "urn:liandong:problem:stale_version");
    }
}
