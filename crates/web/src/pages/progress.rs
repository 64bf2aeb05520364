//! The public progress lookup (办件查询): a case number and the last six characters of the
//! applicant's ID or phone; the app masks the applicant and keeps staff opinions inside.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::progress::CaseClaim;
use liandong_app::progress::PublicProgress;
use liandong_app::ratings::PublicRating;
use liandong_app::{App, AppError};
use liandong_domain::case::CaseState;

use crate::error::{PageError, message};
use crate::form::FieldErrors;
use crate::i18n::Lang;
use crate::session::{CheckedForm, Visitor};
use crate::view::{Ctx, opt_time, page, render, time};

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    c: Ctx,
    number: String,
    e: FieldErrors,
    problem: Option<String>,
    found: Option<Found>,
    /// The rating scale, offered under a concluded case.
    levels: Vec<(&'static str, &'static str, &'static str)>,
}

/// The lookup's answer, ready to show.
struct Found {
    p: PublicProgress,
    /// A concluded (or refused) case may be rated once; its rating once given.
    rateable: bool,
    rating: Option<PublicRating>,
    state: String,
    received: String,
    accepted: String,
    due: String,
    timeline: Vec<(String, String, String, String)>,
}

/// A public timeline as the pages list it: when, what (in the page's language), where, and
/// the detail the public may read.
pub(crate) fn timeline_rows(
    timeline: &[liandong_app::progress::PublicUnitEntry],
    l: Lang,
) -> Vec<(String, String, String, String)> {
    timeline
        .iter()
        .map(|t| {
            let name = match l {
                Lang::Zh => t.entry.name_zh.to_owned(),
                Lang::En => l.named("event", t.entry.kind).to_owned(),
            };
            (
                time(&t.entry.at),
                name,
                t.unit_name.clone(),
                t.entry.detail.clone(),
            )
        })
        .collect()
}

fn found(p: PublicProgress, l: Lang) -> Found {
    let timeline = timeline_rows(&p.timeline, l);
    Found {
        rateable: matches!(p.state, CaseState::Concluded | CaseState::Refused),
        rating: None,
        state: format!("state.{}", p.state),
        received: time(&p.received_at),
        accepted: opt_time(&p.accepted_at),
        due: opt_time(&p.due_at),
        timeline,
        p,
    }
}

pub async fn form(visitor: Visitor) -> Response {
    let page_data = ProgressPage {
        c: visitor.ctx("/progress"),
        number: String::new(),
        e: FieldErrors::default(),
        problem: None,
        found: None,
        levels: crate::pages::ratings::levels(visitor.lang),
    };
    visitor.finish(page(&page_data))
}

pub async fn lookup(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = visitor.lang;
    let number = form.get("number").trim().to_owned();
    // The check code is never echoed back into the page.
    let (status, e, problem, mut result) = lookup_answer(
        app.lookup_progress(&CaseClaim::lookup(&number, form.get("check")))
            .await
            .map(|p| found(p, l)),
        l,
        "progress.not_found",
    )?;
    if let Some(f) = result.as_mut().filter(|f| f.rateable) {
        f.rating = app
            .public_rating(&CaseClaim::lookup(&number, form.get("check")))
            .await?;
    }
    let page_data = ProgressPage {
        c: visitor.ctx("/progress"),
        number,
        e,
        problem,
        found: result,
        levels: crate::pages::ratings::levels(l),
    };
    Ok(visitor.finish(render(status, &page_data)))
}

/// What a public lookup page shows for a lookup's result: its status, the errors next to the
/// fields, a problem line, and what was found. `not_found` is the message key for "no match"
/// (the same for an unknown number and a wrong check code).
pub(crate) type LookupAnswer<R> = (StatusCode, FieldErrors, Option<String>, Option<R>);

pub(crate) fn lookup_answer<R>(
    result: Result<R, AppError>,
    l: Lang,
    not_found: &str,
) -> Result<LookupAnswer<R>, PageError> {
    Ok(match result {
        Ok(found) => (StatusCode::OK, FieldErrors::default(), None, Some(found)),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::new(errors),
            None,
            None,
        ),
        Err(AppError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            FieldErrors::default(),
            Some(l.t(not_found).to_owned()),
            None,
        ),
        Err(AppError::TooManyLookups { minutes }) => (
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::default(),
            Some(l.tf("progress.locked", minutes)),
            None,
        ),
        Err(e @ AppError::Storage(_)) => return Err(e.into()),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::default(),
            Some(message(&e, l)),
            None,
        ),
    })
}
