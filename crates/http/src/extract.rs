//! Extractors: the signed-in session from a bearer token, and JSON, query and path
//! extractors whose rejections are problem documents.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use liandong_app::{App, AppError, Session};
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, Problem, rejection};

/// The member of staff behind the request's `Authorization: Bearer` token.
pub struct Staff(pub Session);

/// The bearer token of a request, if it has one.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    bearer_token_of(&parts.headers)
}

/// The bearer token in `headers`, if there is one.
pub fn bearer_token_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<App> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Staff(app.authenticate(token).await?))
    }
}

/// The applicant behind the request's `Authorization: Bearer` token from an online sign-in.
pub struct SignedApplicant(pub liandong_app::online::ApplicantSession);

impl FromRequestParts<App> for SignedApplicant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(SignedApplicant(app.applicant(token).await?))
    }
}

/// JSON body; a malformed one is a 400 problem, an oversized one 413, one that is not
/// `application/json` 415.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(rejection(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| rejection(e.status(), &e.body_text()))?;
        let axum::Json(value) =
            axum::Json::<T>::from_bytes(&bytes).map_err(|e| json_rejection(&e))?;
        if json_has_nul(&bytes) {
            return Err(nul_rejection());
        }
        Ok(Json(value))
    }
}

/// `application/json`, or another JSON type (`application/problem+json`), as axum decides.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

/// Whether a JSON text has a string with the NUL character (`\u0000`): no text of the
/// platform may hold one, and PostgreSQL cannot store it.
pub fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(&b"0000"[..]) {
                return true;
            }
            // Skip the escaped character, so that `\\u0000` (a backslash, then "u0000") is not one.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The problem for text with the NUL character.
pub fn nul_rejection() -> Problem {
    rejection(
        StatusCode::UNPROCESSABLE_ENTITY,
        "文本不能包含空字符（U+0000） / text must not contain the NUL character (U+0000)",
    )
}

fn json_rejection(e: &JsonRejection) -> Problem {
    rejection(e.status(), &e.body_text())
}

/// Whether a percent-encoded URI part decodes to a NUL character.
fn has_encoded_nul(encoded: &str) -> bool {
    encoded.contains("%00")
}

/// Query string; a malformed one is a 400 problem.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let query = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| rejection(StatusCode::BAD_REQUEST, &e.body_text()))?;
        if parts.uri.query().is_some_and(has_encoded_nul) {
            return Err(nul_rejection());
        }
        Ok(query)
    }
}

/// Path parameters; malformed ones are a 400 problem.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let path = axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| rejection(StatusCode::BAD_REQUEST, &e.body_text()))?;
        if has_encoded_nul(parts.uri.path()) {
            return Err(nul_rejection());
        }
        Ok(path)
    }
}

/// Dates in requests: `YYYY-MM-DD` (RFC 3339 `full-date`, the OpenAPI `date` format) and
/// nothing else, so that a date the API takes is one it can give back in the same form.
/// chrono alone would also take `2026-1-5`, ` 2026-01-05`, `+10000-01-01` and `-0001-01-01`.
pub mod date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer};

    const MESSAGE: &str = "日期应为YYYY-MM-DD格式的有效日期 / a date is a valid YYYY-MM-DD date";

    fn parse<E: serde::de::Error>(text: &str) -> Result<NaiveDate, E> {
        let b = text.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err(E::custom(MESSAGE));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| E::custom(MESSAGE))
    }

    /// `#[serde(deserialize_with = "crate::extract::date::required")]`
    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
    }

    /// `#[serde(default, deserialize_with = "crate::extract::date::optional")]`
    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse(&text).map(Some),
            None => Ok(None),
        }
    }
}

/// The `Idempotency-Key` header, if sent: a retried submit with it never makes two cases.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map_err(|_| {
                ApiError::from(liandong_app::AppError::invalid(
                    "Idempotency-Key",
                    "幂等键须为ASCII字符",
                    "Idempotency-Key must be ASCII",
                ))
            })
        })
        .transpose()
}
