//! The one mapping from errors to error pages, and the layer every page passes: it picks the
//! language (`?lang=`, then the cookie, then Chinese) and renders failures as pages in it.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use liandong_app::{App, AppError};
use liandong_domain::attendance::AttendanceError;
use liandong_domain::case::WorkflowError;
use liandong_domain::supervision::SupervisionError;

use crate::form::Form;
use crate::i18n::Lang;
use crate::session::{LANG_COOKIE, SESSION_COOKIE, Signed, cookie, over_tls, set_cookie};
use crate::view::{Ctx, render};

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error(transparent)]
    App(#[from] AppError),
    /// A POST without a matching CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("malformed form")]
    BadForm,
    /// A body over the server's limit.
    #[error("too large")]
    TooLarge,
    #[error("not found")]
    NotFound,
}

/// A failure carried from a handler to the layer, which knows the language.
#[derive(Debug, Clone)]
struct Failure {
    status: StatusCode,
    /// Message key of the headline.
    headline: &'static str,
    /// The error's own message (中文, English), when it says more than the headline.
    detail: Option<(String, String)>,
}

impl PageError {
    fn failure(&self) -> Failure {
        let (status, headline) = match self {
            PageError::Csrf => (StatusCode::FORBIDDEN, "error.csrf"),
            PageError::BadForm => (StatusCode::BAD_REQUEST, "error.invalid"),
            PageError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "error.too_large"),
            PageError::NotFound => (StatusCode::NOT_FOUND, "error.not_found"),
            PageError::App(e) => status_of(e),
        };
        let detail = match self {
            // A missing case and a case of another unit look the same (no probing).
            PageError::NotFound | PageError::App(AppError::NotFound(_)) => None,
            PageError::App(AppError::Storage(e)) => {
                tracing::error!(error = %e, "storage error");
                None
            }
            PageError::App(AppError::Invalid(errors)) => Some((
                errors
                    .iter()
                    .map(|e| e.message_zh.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
                errors
                    .iter()
                    .map(|e| e.message_en.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            PageError::App(e) => Some(bilingual(&e.to_string())),
            PageError::Csrf | PageError::BadForm | PageError::TooLarge => None,
        };
        Failure {
            status,
            headline,
            detail,
        }
    }
}

/// Splits a "中文 / English" message.
pub fn bilingual(text: &str) -> (String, String) {
    let (zh, en) = text.split_once(" / ").unwrap_or((text, text));
    (zh.to_owned(), en.to_owned())
}

/// The message of an app error in `lang`.
pub fn message(e: &AppError, lang: Lang) -> String {
    match e {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| match lang {
                Lang::Zh => e.message_zh.clone(),
                Lang::En => e.message_en.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Storage(_) => lang.t("error.unavailable").to_owned(),
        // A stale version: the page's own words (someone acted first; look again).
        AppError::Conflict { .. } => lang.t("error.conflict").to_owned(),
        other => {
            let (zh, en) = bilingual(&other.to_string());
            match lang {
                Lang::Zh => zh,
                Lang::En => en,
            }
        }
    }
}

/// The status a form's page is shown again with after `e` refused it: the error's own, and
/// 422 for one that maps to success (none should).
pub fn refused_status(e: &AppError) -> StatusCode {
    let status = status_of(e).0;
    if status.is_success() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    }
}

/// The status and headline of an app error (the pages' counterpart of the API's problem.rs).
pub fn status_of(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Unauthenticated | AppError::BadCredentials => {
            (StatusCode::UNAUTHORIZED, "error.forbidden")
        }
        AppError::TooManyAttempts { .. }
        | AppError::TooManyLookups { .. }
        | AppError::SignIn(_) => (StatusCode::TOO_MANY_REQUESTS, "error.forbidden"),
        AppError::RoleRequired { .. }
        | AppError::Forbidden(_)
        | AppError::Workflow(WorkflowError::RoleRequired { .. }) => {
            (StatusCode::FORBIDDEN, "error.forbidden")
        }
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "error.not_found"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "error.conflict"),
        AppError::Duplicate(_) | AppError::Workflow(WorkflowError::NotAllowedNow { .. }) => {
            (StatusCode::CONFLICT, "error.title")
        }
        AppError::Supervision(SupervisionError::PartyNotAllowed { .. }) => {
            (StatusCode::FORBIDDEN, "error.forbidden")
        }
        AppError::Supervision(SupervisionError::Required { .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid")
        }
        AppError::Supervision(_) | AppError::Rating(_) | AppError::Consultation(_) => {
            (StatusCode::CONFLICT, "error.title")
        }
        AppError::Attendance(
            AttendanceError::NotAWindowClerk
            | AttendanceError::NotOnDuty
            | AttendanceError::NotTheClerkOnDuty
            | AttendanceError::ManagerOnly,
        ) => (StatusCode::FORBIDDEN, "error.forbidden"),
        AppError::Attendance(
            AttendanceError::NotAllowedNow { .. }
            | AttendanceError::OnDutyElsewhere { .. }
            | AttendanceError::OutOfOrder,
        ) => (StatusCode::CONFLICT, "error.title"),
        AppError::Attendance(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid"),
        AppError::Invalid(_)
        | AppError::IdempotencyMismatch
        | AppError::Workflow(_)
        | AppError::Appeal(_)
        | AppError::Proxy(_)
        | AppError::Queue(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid"),
        AppError::Appointment(_) => (StatusCode::CONFLICT, "error.title"),
        AppError::Storage(_) => (StatusCode::SERVICE_UNAVAILABLE, "error.unavailable"),
        AppError::CityAuth(_) => (StatusCode::UNAUTHORIZED, "error.title"),
        AppError::CityBatch(_) => (StatusCode::UNPROCESSABLE_ENTITY, "error.invalid"),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let failure = self.failure();
        let mut response = failure.status.into_response();
        response.extensions_mut().insert(failure);
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Ctx,
    headline: &'static str,
    detail: Option<String>,
    not_found: bool,
}

/// The signed-in header for an error page, when the session cookie is still good.
async fn signed_ctx(app: &App, token: String, lang: Lang, path: &str) -> Option<Ctx> {
    let session = app.authenticate(&token).await.ok()?;
    let unit_name = app
        .units()
        .await
        .ok()?
        .into_iter()
        .find(|u| u.id == session.staff.unit_id)
        .map(|u| u.name)
        .unwrap_or_default();
    let signed = Signed {
        session,
        token,
        lang,
        unit_name,
    };
    Some(signed.ctx(path))
}

/// Chooses the language, remembers a `?lang=` choice in a cookie, renders failures, and keeps
/// pages out of caches.
pub async fn page_layer(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let asked = request
        .uri()
        .query()
        .and_then(|q| Form::parse(q.as_bytes()))
        .and_then(|f| Lang::parse(f.get("lang")));
    let lang = asked
        .or_else(|| cookie(request.headers(), LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default();
    let secure = over_tls(request.headers());
    let path = request.uri().path().to_owned();
    let token = cookie(request.headers(), SESSION_COOKIE).map(str::to_owned);
    request.extensions_mut().insert(lang);
    let city = request
        .extensions()
        .get::<crate::session::CityNode>()
        .is_some();
    let mut response = next.run(request).await;
    if let Some(failure) = response.extensions_mut().remove::<Failure>() {
        let c = match token {
            Some(token) => signed_ctx(&app, token, lang, &path).await,
            None => None,
        };
        let signed_in = c.is_some();
        let mut c = c.unwrap_or_else(|| Ctx::public(lang, String::new(), &path));
        if city {
            c.nav = crate::view::city_nav(&path, signed_in);
        }
        let page = ErrorPage {
            c,
            headline: failure.headline,
            detail: failure.detail.map(|(zh, en)| match lang {
                Lang::Zh => zh,
                Lang::En => en,
            }),
            not_found: failure.status == StatusCode::NOT_FOUND,
        };
        let headers = std::mem::take(response.headers_mut());
        response = render(failure.status, &page);
        for (name, value) in &headers {
            if name == header::SET_COOKIE {
                response.headers_mut().append(name, value.clone());
            }
        }
    }
    if let Some(lang) = asked {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(LANG_COOKIE, lang.code(), Some(365 * 24 * 3600), secure),
        );
    }
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
