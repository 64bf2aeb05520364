//! Online consultation (网上咨询) on the pages: the applicant asks from the guide and follows
//! their questions; the department answers, publishes, forwards or declines.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::consultations::{
    AskInput, ConsultationLine, ConsultationRequest, ConsultationView, MyConsultation,
};
use liandong_app::{App, AppError};
use liandong_domain::catalog::{ItemCode, ServiceItem};
use liandong_domain::consultation::ConsultationActionName;

use crate::error::{PageError, message, refused_status};
use crate::form::{FieldErrors, Form, Params};
use crate::pages::online::SignedApplicant;
use crate::session::{CheckedForm, Signed, Visitor};
use crate::view::{Ctx, render, time};

fn item_code(code: &str) -> Result<ItemCode, PageError> {
    ItemCode::parse(code).map_err(|_| PageError::NotFound)
}

#[derive(Template)]
#[template(path = "online_consult.html")]
struct AskPage {
    c: Ctx,
    item: ServiceItem,
    form: Form,
    e: FieldErrors,
    due_days: u32,
}

async fn ask_page(
    app: &App,
    visitor: &Visitor,
    code: &str,
    form: Form,
    status: StatusCode,
    e: FieldErrors,
) -> Result<Response, PageError> {
    let record = crate::pages::guide::published_item(app, code).await?;
    let data = AskPage {
        c: visitor.ctx("/online/consult"),
        item: record.item,
        form,
        e,
        due_days: app.consultation_rules.answer_days,
    };
    Ok(visitor.finish(render(status, &data)))
}

/// The question form of an item.
pub async fn ask_form(
    State(app): State<App>,
    visitor: Visitor,
    _applicant: SignedApplicant,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    ask_page(
        &app,
        &visitor,
        &code,
        Form::default(),
        StatusCode::OK,
        FieldErrors::default(),
    )
    .await
}

pub async fn ask(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(code): Path<String>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let input = AskInput {
        item_code: item_code(&code)?,
        name: form.get("name").to_owned(),
        title: form.get("title").to_owned(),
        text: form.get("text").to_owned(),
        anonymous: form.get("anonymous") == "1",
    };
    match app.ask_question(&applicant.who, &input).await {
        Ok(_) => Ok(Redirect::to("/online/consultations").into_response()),
        Err(AppError::Invalid(errors)) => {
            ask_page(
                &app,
                &visitor,
                &code,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::new(errors),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "online_consultations.html")]
struct MinePage {
    c: Ctx,
    rows: Vec<(MyConsultation, String, String)>,
}

/// The applicant's questions and their answers.
pub async fn mine(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
) -> Result<Response, PageError> {
    let rows = app
        .my_consultations(&applicant.who)
        .await?
        .into_iter()
        .map(|m| {
            let state = format!("consultation_state.{}", m.state);
            let at = time(&m.asked_at);
            (m, state, at)
        })
        .collect();
    let data = MinePage {
        c: visitor.ctx("/online/consultations"),
        rows,
    };
    Ok(visitor.finish(render(StatusCode::OK, &data)))
}

pub async fn withdraw(
    State(app): State<App>,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    app.withdraw_question(&applicant.who, id, version).await?;
    Ok(Redirect::to("/online/consultations").into_response())
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ListPage {
    c: Ctx,
    open: bool,
    rows: Vec<(ConsultationLine, String, String)>,
}

/// The department's questions: awaiting an answer (oldest first) or all.
pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let open = q.get("all") != "1";
    let rows = app
        .list_consultations(&signed.session, open)
        .await?
        .into_iter()
        .map(|line| {
            let state = format!("consultation_state.{}", line.row.state);
            let at = time(&line.row.asked_at);
            (line, state, at)
        })
        .collect();
    let data = ListPage {
        c: signed.ctx("/consultations"),
        open,
        rows,
    };
    Ok(render(StatusCode::OK, &data))
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct DetailPage {
    c: Ctx,
    v: ConsultationView,
    state: String,
    asked: String,
    history: Vec<(String, &'static str, String)>,
    form: Form,
    problem: Option<String>,
}

impl DetailPage {
    fn may(&self, action: &str) -> bool {
        self.v.actions.iter().any(|a| a.as_str() == action)
    }
}

fn detail(
    signed: &Signed,
    v: ConsultationView,
    status: StatusCode,
    form: Form,
    problem: Option<String>,
) -> Response {
    let history = v
        .events
        .iter()
        .map(|e| {
            let what = match &e.kind {
                liandong_domain::consultation::ConsultationEventKind::Answered { answer }
                | liandong_domain::consultation::ConsultationEventKind::AnswerAmended {
                    answer,
                    ..
                } => answer.clone(),
                liandong_domain::consultation::ConsultationEventKind::Unpublished { reason }
                | liandong_domain::consultation::ConsultationEventKind::Forwarded {
                    reason, ..
                }
                | liandong_domain::consultation::ConsultationEventKind::Declined { reason } => {
                    reason.clone()
                }
                _ => String::new(),
            };
            (time(&e.at), e.kind.name_zh(), what)
        })
        .collect();
    let data = DetailPage {
        c: signed.ctx("/consultations"),
        state: format!("consultation_state.{}", v.consultation.state),
        asked: time(&v.consultation.asked_at),
        history,
        form,
        problem,
        v,
    };
    render(status, &data)
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let v = app.consultation_view(&signed.session, id).await?;
    Ok(detail(&signed, v, StatusCode::OK, Form::default(), None))
}

/// An officer's action; a refusal shows the consultation again with the words kept.
pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    let action: ConsultationActionName =
        form.get("action").parse().map_err(|_| PageError::BadForm)?;
    let text = |name: &str| form.get(name).to_owned();
    let request = match action {
        ConsultationActionName::Answer => ConsultationRequest::Answer {
            answer: text("answer"),
        },
        ConsultationActionName::AmendAnswer => ConsultationRequest::AmendAnswer {
            answer: text("answer"),
            reason: text("reason"),
        },
        ConsultationActionName::Publish => ConsultationRequest::Publish,
        ConsultationActionName::Unpublish => ConsultationRequest::Unpublish {
            reason: text("reason"),
        },
        ConsultationActionName::Forward => ConsultationRequest::Forward {
            item_code: item_code(form.get("item_code").trim()).map_err(|_| {
                AppError::invalid("item_code", "没有该事项", "there is no such item")
            })?,
            reason: text("reason"),
        },
        ConsultationActionName::Decline => ConsultationRequest::Decline {
            reason: text("reason"),
        },
        ConsultationActionName::Withdraw => return Err(PageError::BadForm),
    };
    match app
        .act_on_consultation(&signed.session, id, version, &request)
        .await
    {
        // Forwarded, it is another department's: back to the list.
        Ok(_) if action == ConsultationActionName::Forward => {
            Ok(Redirect::to("/consultations").into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => {
            let status = refused_status(&e);
            let problem = Some(message(&e, signed.lang));
            let v = app.consultation_view(&signed.session, id).await?;
            Ok(detail(&signed, v, status, form, problem))
        }
    }
}
