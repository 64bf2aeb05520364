//! The session cookie, the CSRF tokens and the extractors that give a page its signed-in
//! member of staff (or send them to the sign-in page).
//!
//! The session cookie holds the app's own sign-in token, so signing out or an administrator's
//! change to the account ends the page session exactly as it ends an API token. A form's CSRF
//! token is SHA-256 over a label and that token: an attacker's page can neither read it nor
//! compute it. Forms shown before sign-in (sign-in, public lookup) use a random pre-session
//! cookie the same way. All cookies are HttpOnly and SameSite=Strict.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::{App, Session};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::PageError;
use crate::form::Form;
use crate::i18n::Lang;
use crate::view::Ctx;

/// The cookie holding the sign-in token.
pub const SESSION_COOKIE: &str = "ld_session";
/// A random value that anonymous forms' CSRF tokens derive from.
pub const PRE_COOKIE: &str = "ld_pre";
/// The chosen language.
pub const LANG_COOKIE: &str = "ld_lang";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The CSRF token of forms shown to the holder of `secret` (a session token or a pre-session
/// value); `scope` keeps the two kinds apart.
pub fn csrf_token(scope: &str, secret: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"liandong-web-csrf\0");
    hash.update(scope.as_bytes());
    hash.update(b"\0");
    hash.update(secret.as_bytes());
    hex::encode(hash.finalize())
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the request reached us over TLS: directly, or through a proxy that says so.
pub fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
        || headers
            .get(header::FORWARDED)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("x=; Path=/"))
}

/// A fresh random hex value.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A visitor who may or may not be signed in: the language, and the pre-session value for the
/// forms an anonymous page shows.
pub struct Visitor {
    pub lang: Lang,
    pub signed_in: Option<Signed>,
    /// The pre-session value; `new_pre` when it must be set as a cookie.
    pub pre: String,
    pub new_pre: bool,
    pub secure: bool,
    /// On a city node: its own menu, not a district's.
    pub city: bool,
}

/// Marks the requests of a city node (`liandong_web::city_routes`).
#[derive(Debug, Clone, Copy)]
pub struct CityNode;

impl Visitor {
    /// The page context: signed-in chrome when there is a session, public otherwise.
    pub fn ctx(&self, path: &str) -> Ctx {
        let mut c = match &self.signed_in {
            Some(s) => s.ctx(path),
            None => Ctx::public(self.lang, csrf_token("pre", &self.pre), path),
        };
        if self.city {
            c.nav = crate::view::city_nav(path, self.signed_in.is_some());
        }
        c
    }

    /// Sets the pre-session cookie on `response` if the visitor did not have one.
    pub fn finish(&self, response: impl IntoResponse) -> Response {
        let mut response = response.into_response();
        if self.new_pre {
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(PRE_COOKIE, &self.pre, None, self.secure),
            );
        }
        response
    }
}

impl FromRequestParts<App> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, PageError> {
        let lang = lang_of(parts);
        let signed_in = Signed::from_request_parts(parts, app).await.ok();
        let (pre, new_pre) = match cookie(&parts.headers, PRE_COOKIE) {
            Some(v) if v.len() == 48 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
                (v.to_owned(), false)
            }
            _ => (random_hex(), true),
        };
        Ok(Visitor {
            lang,
            signed_in,
            pre,
            new_pre,
            secure: over_tls(&parts.headers),
            city: parts.extensions.get::<CityNode>().is_some(),
        })
    }
}

/// The language the layer chose for this request.
pub fn lang_of(parts: &Parts) -> Lang {
    parts.extensions.get::<Lang>().copied().unwrap_or_default()
}

/// A signed-in member of staff; without a valid session cookie the page redirects to sign-in.
pub struct Signed {
    pub session: Session,
    pub token: String,
    pub lang: Lang,
    pub unit_name: String,
}

impl Signed {
    pub fn csrf(&self) -> String {
        csrf_token("session", &self.token)
    }

    pub fn ctx(&self, path: &str) -> Ctx {
        Ctx::signed(self, path)
    }
}

/// Why a signed-in page was refused before its handler ran.
pub enum NotSignedIn {
    Redirect(String),
}

impl IntoResponse for NotSignedIn {
    fn into_response(self) -> Response {
        match self {
            NotSignedIn::Redirect(to) => Redirect::to(&to).into_response(),
        }
    }
}

impl FromRequestParts<App> for Signed {
    type Rejection = NotSignedIn;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, NotSignedIn> {
        let back = || {
            let target = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let next: String = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
            NotSignedIn::Redirect(format!("/login?{next}"))
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(back());
        };
        let Ok(session) = app.authenticate(&token).await else {
            return Err(back());
        };
        let unit_name = app
            .units()
            .await
            .ok()
            .and_then(|units| units.into_iter().find(|u| u.id == session.staff.unit_id))
            .map(|u| u.name)
            .unwrap_or_default();
        Ok(Signed {
            session,
            token,
            lang: lang_of(parts),
            unit_name,
        })
    }
}

/// A POST form whose CSRF token matched: the only way a page handler reads a form, so that no
/// form goes unchecked.
pub struct CheckedForm(pub Form);

impl FromRequest<App> for CheckedForm {
    type Rejection = PageError;

    async fn from_request(request: Request, _app: &App) -> Result<Self, PageError> {
        let headers = request.headers().clone();
        let bytes = axum::body::to_bytes(request.into_body(), 1024 * 1024)
            .await
            .map_err(|_| PageError::BadForm)?;
        let form = Form::parse(&bytes).ok_or(PageError::BadForm)?;
        check_csrf(&headers, &form)?;
        Ok(CheckedForm(form))
    }
}

fn check_csrf(headers: &HeaderMap, form: &Form) -> Result<(), PageError> {
    let sent = form.get(CSRF_FIELD);
    let expected = [
        cookie(headers, SESSION_COOKIE).map(|t| csrf_token("session", t)),
        cookie(headers, PRE_COOKIE).map(|p| csrf_token("pre", p)),
    ];
    if sent.is_empty() || !expected.iter().flatten().any(|e| same(e, sent)) {
        return Err(PageError::Csrf);
    }
    Ok(())
}

/// A file sent with a form.
pub struct Upload {
    pub field: String,
    pub file_name: String,
    pub bytes: axum::body::Bytes,
}

/// A `multipart/form-data` POST (a form with files) whose CSRF token matched. The body is
/// held to the server's body limit; a larger one is refused with 413.
pub struct CheckedUpload {
    pub form: Form,
    pub files: Vec<Upload>,
}

impl FromRequest<App> for CheckedUpload {
    type Rejection = PageError;

    async fn from_request(request: Request, app: &App) -> Result<Self, PageError> {
        let headers = request.headers().clone();
        let mut multipart = axum::extract::Multipart::from_request(request, app)
            .await
            .map_err(|_| PageError::BadForm)?;
        let rejected = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                PageError::TooLarge
            } else {
                PageError::BadForm
            }
        };
        let mut pairs = Vec::new();
        let mut files = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(rejected)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(rejected)?;
                    files.push(Upload {
                        field: name,
                        file_name,
                        bytes,
                    });
                }
                None => pairs.push((name, field.text().await.map_err(rejected)?)),
            }
        }
        let form = Form::from_pairs(pairs);
        check_csrf(&headers, &form)?;
        Ok(CheckedUpload { form, files })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn csrf_tokens_differ_by_secret_and_scope() {
        let a = csrf_token("session", "abc");
        assert_eq!(a.len(), 64);
        assert_eq!(a, csrf_token("session", "abc"));
        assert_ne!(a, csrf_token("session", "abd"));
        assert_ne!(a, csrf_token("pre", "abc"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ld_session=tok; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn a_cookie_is_secure_only_behind_tls() {
        let v = set_cookie("ld_session", "t", Some(60), true);
        let v = v.to_str().unwrap();
        assert!(v.contains("HttpOnly") && v.contains("SameSite=Strict") && v.contains("Secure"));
        let mut h = HeaderMap::new();
        assert!(!over_tls(&h));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(over_tls(&h));
    }
}
