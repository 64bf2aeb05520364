//! The public side of appeals: raising one online (the person keeps its number), and the
//! person's own lookup by number and the last six digits of the phone, with the rating of
//! an answer. The app masks the name and keeps staff and internal notes inside.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::appeals::PublicAppeal;
use liandong_app::{App, AppError, FieldError};
use liandong_domain::appeal::{AppealError, AppealState};
use liandong_domain::organization::UnitKind;
use liandong_domain::rating::Satisfaction;

use crate::error::{PageError, bilingual, message};
use crate::form::{FieldErrors, Form};
use crate::i18n::Lang;
use crate::pages::appeals::{KINDS, SCOPES, registration};
use crate::pages::progress::lookup_answer;
use crate::session::{CheckedForm, Visitor};
use crate::view::{Ctx, date, opt_time, page, render, time};

const SHOWN: [&str; 9] = [
    "kind",
    "scope",
    "person.name",
    "person.phone",
    "category",
    "content",
    "address",
    "unit",
    "department",
];

#[derive(Template)]
#[template(path = "appeal_submit.html")]
struct SubmitPage {
    c: Ctx,
    f: Form,
    e: FieldErrors,
    others: Vec<String>,
    problem: Option<String>,
    number: Option<String>,
    kinds: Vec<(String, String)>,
    scopes: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
}

async fn submit_page(
    app: &App,
    visitor: &Visitor,
    f: Form,
    e: FieldErrors,
    problem: Option<String>,
    number: Option<String>,
) -> Result<SubmitPage, PageError> {
    let (units, departments) = (app.units().await?, app.departments().await?);
    Ok(SubmitPage {
        c: visitor.ctx("/appeal"),
        others: e.others(&SHOWN, &visitor.lang),
        f,
        e,
        problem,
        number,
        kinds: KINDS
            .iter()
            .map(|k| (k.to_string(), format!("appeal_kind.{k}")))
            .collect(),
        scopes: SCOPES
            .iter()
            .map(|s| (s.to_string(), format!("appeal_scope.{s}")))
            .collect(),
        units: units
            .iter()
            .filter(|u| matches!(u.kind, UnitKind::VillageStation | UnitKind::TownshipCenter))
            .map(|u| (u.id.0, u.name.clone()))
            .collect(),
        departments: departments
            .iter()
            .map(|d| (d.id.0, d.short_name.clone()))
            .collect(),
    })
}

pub async fn submit_form(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let f = Form::default()
        .with("kind", "problem")
        .with("scope", "village");
    let page_data = submit_page(&app, &visitor, f, FieldErrors::default(), None, None).await?;
    Ok(visitor.finish(page(&page_data)))
}

fn appeal_field_error(a: &AppealError) -> Option<&'static str> {
    match a {
        AppealError::VillageNeeded
        | AppealError::TownshipNeeded
        | AppealError::WrongLevel { .. } => Some("unit"),
        AppealError::DepartmentNeeded => Some("department"),
        AppealError::ContentNeeded => Some("content"),
        AppealError::PoorRatingReasonNeeded => Some("comment"),
        _ => None,
    }
}

/// An appeal error as the error of its field, when it has one.
pub fn field_errors(a: &AppealError) -> Option<FieldErrors> {
    appeal_field_error(a).map(|field| {
        let (message_zh, message_en) = bilingual(&a.to_string());
        FieldErrors::new(vec![FieldError {
            field: field.to_owned(),
            message_zh,
            message_en,
        }])
    })
}

pub async fn submit(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = visitor.lang;
    let form = form.with("channel", "online");
    let (status, e, problem, number) = match registration(&form, l) {
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None, None),
        Ok(input) => match app.submit_online_appeal(&input).await {
            Ok(p) => (StatusCode::OK, FieldErrors::default(), None, Some(p.number)),
            Err(AppError::Invalid(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::new(errors),
                None,
                None,
            ),
            Err(e @ AppError::Storage(_)) => return Err(e.into()),
            Err(AppError::Appeal(a)) => match field_errors(&a) {
                Some(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None, None),
                None => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FieldErrors::default(),
                    Some(l.pick(&a.to_string()).to_owned()),
                    None,
                ),
            },
            Err(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::default(),
                Some(message(&e, l)),
                None,
            ),
        },
    };
    let page_data = submit_page(&app, &visitor, form, e, problem, number).await?;
    Ok(visitor.finish(render(status, &page_data)))
}

#[derive(Template)]
#[template(path = "appeal_lookup.html")]
struct LookupPage {
    c: Ctx,
    number: String,
    comment: String,
    e: FieldErrors,
    problem: Option<String>,
    rated: bool,
    found: Option<Found>,
    levels: Vec<(String, String)>,
}

/// The lookup's answer, ready to show.
struct Found {
    p: PublicAppeal,
    state: String,
    registered: String,
    due: String,
    answered: String,
    satisfaction: Option<String>,
    can_rate: bool,
    timeline: Vec<(String, String)>,
}

fn found(p: PublicAppeal, l: Lang) -> Found {
    let timeline = p
        .timeline
        .iter()
        .rev()
        .map(|t| {
            let name = match l {
                Lang::Zh => t.name_zh.to_owned(),
                Lang::En => l.named("appeal_event", t.kind).to_owned(),
            };
            (time(&t.at), name)
        })
        .collect();
    Found {
        state: format!("appeal_state.{}", p.state),
        registered: time(&p.registered_at),
        due: date(&p.due_on),
        answered: opt_time(&p.answered_at),
        satisfaction: p.satisfaction.map(|s| format!("satisfaction.{s}")),
        can_rate: p.state == AppealState::Answered && p.satisfaction.is_none(),
        timeline,
        p,
    }
}

/// The five levels, best first, with their words' keys.
pub fn levels() -> Vec<(String, String)> {
    [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Acceptable,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ]
    .iter()
    .map(|s| (s.to_string(), format!("satisfaction.{s}")))
    .collect()
}

pub async fn lookup_form(visitor: Visitor) -> Response {
    let page_data = LookupPage {
        c: visitor.ctx("/appeal/lookup"),
        number: String::new(),
        comment: String::new(),
        e: FieldErrors::default(),
        problem: None,
        rated: false,
        found: None,
        levels: levels(),
    };
    visitor.finish(page(&page_data))
}

/// A lookup, or a rating when the form names a level; the check code is never echoed back.
pub async fn lookup(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = visitor.lang;
    let number = form.get("number").trim().to_owned();
    let check = form.get("check");
    let rating = form.opt("satisfaction").map(str::parse::<Satisfaction>);
    let comment = form.get("comment").trim().to_owned();
    let result = match rating {
        None => app.lookup_appeal(&number, check).await,
        Some(Err(_)) => return Err(PageError::BadForm),
        Some(Ok(s)) => app.rate_appeal(&number, check, s, &comment).await,
    };
    let rated = rating.is_some();
    let (status, e, problem, result) = match result {
        Err(AppError::Appeal(a)) if field_errors(&a).is_some() => {
            // A poor rating without a reason: the appeal as it is, the form with the message.
            let p = app.lookup_appeal(&number, check).await?;
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                field_errors(&a).unwrap_or_default(),
                None,
                Some(found(p, l)),
            )
        }
        other => lookup_answer(other.map(|p| found(p, l)), l, "appeal.not_found")?,
    };
    let page_data = LookupPage {
        c: visitor.ctx("/appeal/lookup"),
        number,
        comment: if e.is_empty() { String::new() } else { comment },
        rated: rated && e.is_empty() && result.is_some(),
        e,
        problem,
        found: result,
        levels: levels(),
    };
    Ok(visitor.finish(render(status, &page_data)))
}
