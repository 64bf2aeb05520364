//! Ratings (好差评): the window's rating pad (a touch screen facing the applicant), the
//! applicant's online rating under the progress lookup, and the staff's list of ratings
//! with the rectification of poor ones.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::progress::CaseClaim;
use liandong_app::ratings::{PadView, RatingView};
use liandong_app::{App, AppError};
use liandong_domain::organization::WindowId;
use liandong_domain::rating::{RectificationAction, RectificationState, Satisfaction};

use crate::error::{PageError, message};
use crate::form::{Form, Params};
use crate::i18n::Lang;
use crate::session::{CheckedForm, Signed, Visitor};
use crate::view::{Ctx, Pager, date, page, query, render, time};

const PER_PAGE: i64 = 50;

/// The levels as the pad shows them, best first: value, words, class.
pub fn levels(l: Lang) -> Vec<(&'static str, &'static str, &'static str)> {
    Satisfaction::ALL
        .iter()
        .map(|s| {
            (
                s.as_str(),
                l.named("satisfaction", s.as_str()),
                if s.is_poor() { "poor" } else { "good" },
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pad.html")]
struct PadPage {
    c: Ctx,
    pad: PadView,
    levels: Vec<(&'static str, &'static str, &'static str)>,
    /// The level chosen when a poor rating came without its reason.
    chosen: String,
    problem: Option<String>,
    thanks: bool,
}

fn pad_page(visitor: &Visitor, window: i64, pad: PadView) -> PadPage {
    PadPage {
        c: visitor.ctx(&format!("/pad/{window}")),
        levels: levels(visitor.lang),
        pad,
        chosen: String::new(),
        problem: None,
        thanks: false,
    }
}

/// The pad of a window: the scale after each visit, a greeting in between. It refreshes
/// itself (data-refresh) so that a visit finished at the window appears without a touch.
pub async fn pad(
    State(app): State<App>,
    visitor: Visitor,
    Path(window): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.pad(WindowId(window)).await?;
    let mut data = pad_page(&visitor, window, view);
    data.thanks = q.get("thanks") == "1";
    Ok(visitor.finish(page(&data)))
}

pub async fn rate_at_pad(
    State(app): State<App>,
    visitor: Visitor,
    Path(window): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let ticket = form.get("ticket").parse().map_err(|_| PageError::BadForm)?;
    let satisfaction: Satisfaction = form
        .get("satisfaction")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    match app
        .rate_at_pad(WindowId(window), ticket, satisfaction, form.get("reason"))
        .await
    {
        Ok(_) => Ok(visitor.finish(Redirect::to(&format!("/pad/{window}?thanks=1")))),
        Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => Err(e.into()),
        Err(e) => {
            let view = app.pad(WindowId(window)).await?;
            let mut data = pad_page(&visitor, window, view);
            data.chosen = satisfaction.as_str().to_owned();
            data.problem = Some(message(&e, visitor.lang));
            Ok(visitor.finish(render(StatusCode::UNPROCESSABLE_ENTITY, &data)))
        }
    }
}

/// The applicant's rating of their concluded case, sent from the progress page: the check
/// code is asked again (it is never written into a page).
pub async fn rate_online(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let satisfaction: Satisfaction = form
        .get("satisfaction")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    let l = visitor.lang;
    let (status, text) = match app
        .rate_online(
            &CaseClaim::lookup(form.get("number"), form.get("check")),
            satisfaction,
            form.get("reason"),
        )
        .await
    {
        Ok(_) => (StatusCode::OK, l.t("rating.thanks").to_owned()),
        Err(e @ AppError::Storage(_)) => return Err(e.into()),
        Err(AppError::NotFound(_)) => (StatusCode::NOT_FOUND, l.t("progress.not_found").to_owned()),
        Err(e) => (crate::error::status_of(&e).0, message(&e, l)),
    };
    Ok(visitor.finish(rated_page(&visitor, status.is_success(), text, status)))
}

/// The short answer page under the progress lookup (a rating taken, a payment refused…).
pub(crate) fn rated_page(
    visitor: &Visitor,
    ok: bool,
    text: String,
    status: StatusCode,
) -> Response {
    render(
        status,
        &RatedPage {
            c: visitor.ctx("/progress"),
            ok,
            text,
        },
    )
}

#[derive(Template)]
#[template(path = "rated.html")]
struct RatedPage {
    c: Ctx,
    ok: bool,
    text: String,
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub channel: String,
    pub satisfaction: String,
    pub poor: bool,
    pub number: String,
    pub case_id: i64,
    pub reason: String,
    pub state: String,
    pub rectify_by: String,
    pub overdue: bool,
}

fn row(v: &RatingView) -> Row {
    let r = &v.rating;
    Row {
        id: r.id,
        at: time(&r.rated_at),
        channel: format!("rating_channel.{}", r.channel),
        satisfaction: format!("satisfaction.{}", r.satisfaction),
        poor: r.satisfaction.is_poor(),
        number: r.case_number.clone().unwrap_or_default(),
        case_id: r.case_id.map_or(0, |c| c.0),
        reason: r.reason.clone(),
        state: r
            .rectification
            .map(|s| format!("rectification.{s}"))
            .unwrap_or_default(),
        rectify_by: r.rectify_by.as_ref().map(date).unwrap_or_default(),
        overdue: v.overdue,
    }
}

#[derive(Template)]
#[template(path = "ratings.html")]
struct RatingsPage {
    c: Ctx,
    rows: Vec<Row>,
    /// "" all, "poor", "open".
    show: String,
    total: i64,
    p: Pager,
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let show = match q.get("show") {
        "poor" => "poor",
        "open" => "open",
        _ => "",
    };
    let page_no = q.page();
    let (found, total) = app
        .list_ratings(
            &signed.session,
            show == "poor",
            show == "open",
            PER_PAGE,
            (page_no - 1) * PER_PAGE,
        )
        .await?;
    Ok(page(&RatingsPage {
        c: signed.ctx("/ratings"),
        rows: found.iter().map(row).collect(),
        show: show.to_owned(),
        total,
        p: Pager::new(
            &query("/ratings", &[("show", show)]),
            page_no,
            PER_PAGE,
            total,
        ),
    }))
}

#[derive(Template)]
#[template(path = "rating.html")]
struct RatingPage {
    c: Ctx,
    r: Row,
    view: RatingView,
    concluded: String,
    can_visit: bool,
    can_rectify: bool,
    can_explain: bool,
    problem: Option<String>,
    done: bool,
}

fn rating_page(signed: &Signed, view: RatingView) -> RatingPage {
    let state = view.rating.rectification;
    let acting = view.may_act;
    let real_name = view.rating.real_name;
    let founded = view.rating.founded;
    RatingPage {
        c: signed.ctx("/ratings"),
        r: row(&view),
        concluded: view
            .rating
            .concluded_at
            .as_ref()
            .map(time)
            .unwrap_or_default(),
        can_visit: acting && state == Some(RectificationState::AwaitingVisit),
        can_rectify: acting
            && match state {
                Some(RectificationState::AwaitingVisit) => !real_name,
                Some(RectificationState::Visited) => founded != Some(false),
                _ => false,
            },
        can_explain: acting
            && match state {
                Some(RectificationState::AwaitingVisit) => !real_name,
                Some(RectificationState::Visited) => true,
                _ => false,
            },
        view,
        problem: None,
        done: false,
    }
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.rating_view(&signed.session, id).await?;
    let mut data = rating_page(&signed, view);
    data.done = q.get("done") == "1";
    Ok(page(&data))
}

fn action_of(form: &Form) -> Option<RectificationAction> {
    Some(match form.get("action") {
        "return_visit" => RectificationAction::ReturnVisit {
            notes: form.get("notes").to_owned(),
            founded: form.get("founded") == "1",
        },
        "rectify" => RectificationAction::Rectify {
            measures: form.get("measures").to_owned(),
            reply: form.get("reply").to_owned(),
        },
        "explain" => RectificationAction::Explain {
            explanation: form.get("measures").to_owned(),
            reply: form.get("reply").to_owned(),
        },
        _ => return None,
    })
}

pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    let action = action_of(&form).ok_or(PageError::BadForm)?;
    match app
        .act_on_rating(&signed.session, id, version, &action)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/ratings/{id}?done=1")).into_response()),
        Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => Err(e.into()),
        Err(e) => {
            let view = app.rating_view(&signed.session, id).await?;
            let mut data = rating_page(&signed, view);
            data.problem = Some(message(&e, signed.lang));
            Ok(render(crate::error::refused_status(&e), &data))
        }
    }
}
