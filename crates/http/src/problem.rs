//! The one place errors become HTTP responses: RFC 9457 problem documents with a stable
//! code and the message in Chinese and English.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liandong_app::{AppError, FieldError};
use liandong_domain::case::{ActionName, WorkflowError};
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
        AppError::RoleRequired { .. } => (StatusCode::FORBIDDEN, "role_required"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "stale_version"),
        AppError::Duplicate(_) => (StatusCode::CONFLICT, "duplicate"),
        AppError::IdempotencyMismatch => {
            (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
        }
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
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
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        if let AppError::Storage(e) = &self.0 {
            tracing::error!(error = %e, "storage error");
        }
        let mut problem = Problem::new(status, code, &self.0.to_string());
        match self.0 {
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
    Problem::new(status, code, &format!("{zh}：{detail} / {detail}"))
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
