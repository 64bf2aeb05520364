//! Sign-in and sign-out.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::{App, AppError};

use crate::error::PageError;
use crate::form::Params;
use crate::session::{CheckedForm, SESSION_COOKIE, Visitor, cookie, over_tls, set_cookie};
use crate::view::{Ctx, render};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Ctx,
    username: String,
    next: String,
    /// Message key and argument of what went wrong.
    problem: Option<String>,
    signed_out: bool,
}

/// Where to go after signing in: only a path on this site.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

pub async fn login_form(visitor: Visitor, Params(q): Params) -> Response {
    let page = LoginPage {
        c: visitor.ctx("/login"),
        username: String::new(),
        next: safe_next(q.get("next")),
        problem: None,
        signed_out: q.get("signed_out") == "1",
    };
    visitor.finish(render(StatusCode::OK, &page))
}

pub async fn login(
    State(app): State<App>,
    visitor: Visitor,
    headers: axum::http::HeaderMap,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let username = form.get("username").trim().to_owned();
    let next = safe_next(form.get("next"));
    let lang = visitor.lang;
    let failed = |status: StatusCode, problem: String| {
        let page = LoginPage {
            c: visitor.ctx("/login"),
            username: username.clone(),
            next: next.clone(),
            problem: Some(problem),
            signed_out: false,
        };
        visitor.finish(render(status, &page))
    };
    match app.sign_in(&username, form.get("password")).await {
        Ok(issued) => {
            let seconds = (issued.expires_at - app.now()).num_seconds().max(0);
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &issued.token,
                    Some(seconds),
                    over_tls(&headers),
                ),
            );
            Ok(response)
        }
        Err(AppError::BadCredentials) => Ok(failed(
            StatusCode::UNAUTHORIZED,
            lang.t("login.bad").to_owned(),
        )),
        Err(AppError::TooManyAttempts { minutes }) => Ok(failed(
            StatusCode::TOO_MANY_REQUESTS,
            lang.tf("login.locked", minutes),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(
    State(app): State<App>,
    headers: axum::http::HeaderMap,
    CheckedForm(_): CheckedForm,
) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        app.sign_out(token).await?;
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), over_tls(&headers)),
    );
    Ok(response)
}
