//! Supervision notices (督办单): the list (the efficiency office's, or a department's own),
//! and a notice with its finding, history and what the reader may do: the department replies;
//! the supervisor returns a reply, escalates or closes.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::supervision::NoticeView;
use liandong_app::{App, AppError};
use liandong_domain::supervision::{
    CardLevel, NoticeAction, NoticeEventKind, NoticeParty, NoticeState, Resolution,
};

use crate::error::{PageError, message};
use crate::form::{Form, Params};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, Pager, date, page, query, render, time};

const PER_PAGE: i64 = 50;

pub struct Row {
    pub id: i64,
    pub case_id: i64,
    pub number: String,
    pub department: String,
    pub state: String,
    pub card: String,
    pub card_class: &'static str,
    pub opened: String,
    pub due: String,
}

fn card_class(card: CardLevel) -> &'static str {
    match card {
        CardLevel::NoCard => "none",
        CardLevel::Yellow => "yellow",
        CardLevel::Red => "red",
    }
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    c: Ctx,
    rows: Vec<Row>,
    closed: bool,
    total: i64,
    p: Pager,
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let closed = q.get("closed") == "1";
    let page_no = q.page();
    let (found, total) = app
        .list_notices(
            &signed.session,
            Some(closed),
            PER_PAGE,
            (page_no - 1) * PER_PAGE,
        )
        .await?;
    let departments = app.departments().await?;
    let rows = found
        .iter()
        .map(|n| Row {
            id: n.id,
            case_id: n.case_id.0,
            number: n.case_number.clone(),
            department: departments
                .iter()
                .find(|d| d.id == n.department_id)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            state: format!("notice_state.{}", n.state),
            card: format!("card.{}", n.card),
            card_class: card_class(n.card),
            opened: time(&n.opened_at),
            due: date(&n.due),
        })
        .collect();
    Ok(page(&NoticesPage {
        c: signed.ctx("/notices"),
        rows,
        closed,
        total,
        p: Pager::new(
            &query("/notices", &[("closed", if closed { "1" } else { "" })]),
            page_no,
            PER_PAGE,
            total,
        ),
    }))
}

/// A line of a notice's history.
pub struct Line {
    pub at: String,
    pub who: String,
    pub what: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    c: Ctx,
    id: i64,
    case_id: i64,
    number: String,
    finding: String,
    kind: String,
    state: String,
    card: String,
    card_class: &'static str,
    due: String,
    conclude_by: String,
    opened_late: bool,
    version: u32,
    history: Vec<Line>,
    /// Which forms to show.
    can_reply: bool,
    can_review: bool,
    can_escalate: bool,
    can_close: bool,
    problem: Option<String>,
    done: bool,
}

fn notice_page(signed: &Signed, view: &NoticeView) -> NoticePage {
    let l = signed.lang;
    let n = &view.notice;
    let r = &view.stored.record;
    let bilingual = |zh: &str, en: &str| match l {
        crate::Lang::Zh => zh.to_owned(),
        crate::Lang::En => en.to_owned(),
    };
    let history = view
        .stored
        .events
        .iter()
        .map(|e| {
            let (what, text) = match &e.kind {
                NoticeEventKind::Opened { .. } => ("notice_event.opened", String::new()),
                NoticeEventKind::Replied { reply } => ("notice_event.replied", reply.clone()),
                NoticeEventKind::ReplyReturned { reason } => {
                    ("notice_event.reply_returned", reason.clone())
                }
                NoticeEventKind::Escalated { text, .. } => ("notice_event.escalated", text.clone()),
                NoticeEventKind::Closed { note, .. } => ("notice_event.closed", note.clone()),
            };
            Line {
                at: time(&e.at),
                who: format!("notice_party.{}", e.party),
                what: what.to_owned(),
                text,
            }
        })
        .collect();
    let supervisor = view.party == Some(NoticeParty::Supervisor);
    NoticePage {
        c: signed.ctx("/notices"),
        id: r.id,
        case_id: r.case_id.0,
        number: r.case_number.clone(),
        finding: bilingual(&n.finding.description_zh, &n.finding.description_en),
        kind: format!("finding.{}", n.finding.kind),
        state: format!("notice_state.{}", n.state),
        card: format!("card.{}", n.card),
        card_class: card_class(n.card),
        due: date(&n.due),
        conclude_by: date(&n.conclude_by),
        opened_late: n.opened_late,
        version: r.version,
        history,
        can_reply: view.party == Some(NoticeParty::Department) && n.state == NoticeState::Open,
        can_review: supervisor && n.state == NoticeState::Replied,
        can_escalate: supervisor && n.state == NoticeState::Open && n.card != CardLevel::Red,
        can_close: supervisor && n.state != NoticeState::Closed,
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
    let view = app.notice_view(&signed.session, id).await?;
    let mut data = notice_page(&signed, &view);
    data.done = q.get("done") == "1";
    Ok(page(&data))
}

fn action_of(form: &Form) -> Option<NoticeAction> {
    Some(match form.get("action") {
        "reply" => NoticeAction::Reply {
            reply: form.get("text").to_owned(),
        },
        "return_reply" => NoticeAction::ReturnReply {
            reason: form.get("text").to_owned(),
        },
        "escalate" => NoticeAction::Escalate {
            text: form.get("text").to_owned(),
        },
        "close" => NoticeAction::Close {
            resolution: match form.get("resolution") {
                "unfounded" => Resolution::Unfounded,
                _ => Resolution::Rectified,
            },
            note: form.get("text").to_owned(),
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
        .act_on_notice(&signed.session, id, version, &action)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/notices/{id}?done=1")).into_response()),
        Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => Err(e.into()),
        Err(e) => {
            let view = app.notice_view(&signed.session, id).await?;
            let mut data = notice_page(&signed, &view);
            data.problem = Some(message(&e, signed.lang));
            Ok(render(crate::error::refused_status(&e), &data))
        }
    }
}
