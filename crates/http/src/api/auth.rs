//! `POST /api/v1/auth/token`: staff sign-in; `DELETE` signs out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use liandong_app::App;
use liandong_app::auth::IssuedToken;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::{Json, Staff, bearer_token};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"username": "d22.clerk", "password": "liandong2026"}))]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

/// Signs a member of staff in and issues a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = IssuedToken), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failed sign-ins", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(app): State<App>,
    Json(req): Json<TokenRequest>,
) -> Result<axum::Json<IssuedToken>, ApiError> {
    Ok(axum::Json(app.sign_in(&req.username, &req.password).await?))
}

/// Revokes the token the request carries.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_token(
    State(app): State<App>,
    _staff: Staff,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = bearer_token(&parts) {
        app.sign_out(token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
