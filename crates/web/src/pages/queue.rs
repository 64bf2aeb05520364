//! The hall's devices and the clerk's queue desk (排队叫号): the kiosk where a ticket is
//! taken, the display board that shows the calls as they happen (server-sent events), and
//! the window clerk's desk to call, recall, skip, start and finish tickets.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::stream::Stream;
use liandong_app::attendance::{DutyBoard, WindowDutyView};
use liandong_app::queue::{Board, WindowDesk};
use liandong_app::{App, AppError};
use liandong_domain::attendance::{DutyAction, DutyActionKind, PauseReason};
use liandong_domain::case::CaseNumber;
use liandong_domain::organization::{UnitId, WindowId};
use liandong_domain::queue::{TicketAction, TicketState};
use liandong_store::StoredTicket;

use crate::error::{PageError, message};
use crate::form::Params;
use crate::session::{CheckedForm, Signed, Visitor};
use crate::view::{Ctx, page, render, time};

#[derive(Template)]
#[template(path = "kiosk.html")]
struct KioskPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    /// Code, name, people waiting.
    groups: Vec<(String, String, usize)>,
    problem: Option<String>,
}

async fn kiosk_page(app: &App, visitor: &Visitor, unit: i64) -> Result<KioskPage, PageError> {
    let record = app.store.unit(UnitId(unit)).await.map_err(AppError::from)?;
    let board = app.queue_board(UnitId(unit)).await?;
    Ok(KioskPage {
        c: visitor.ctx(&format!("/kiosk/{unit}")),
        unit_id: unit,
        unit_name: record.name,
        groups: board
            .waiting
            .into_iter()
            .map(|w| (w.group, w.name, w.waiting))
            .collect(),
        problem: None,
    })
}

/// The kiosk (a touch screen): a large button per business group, and the public services.
pub async fn kiosk(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
) -> Result<Response, PageError> {
    let data = kiosk_page(&app, &visitor, unit).await?;
    Ok(visitor.finish(page(&data)))
}

#[derive(Template)]
#[template(path = "kiosk_ticket.html")]
struct TicketPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    number: String,
    group_name: String,
    ahead: usize,
    taken: String,
    /// Taken at an appointment's check-in: called before the walk-ins.
    booked: bool,
}

/// Takes a ticket for the group touched and shows it, to print or to note.
pub async fn take_ticket(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let group = form.get("group").to_owned();
    let ticket = match app.take_ticket(UnitId(unit), &group).await {
        Ok(ticket) => ticket,
        Err(e @ (AppError::Storage(_) | AppError::NotFound(_))) => return Err(e.into()),
        Err(e) => {
            let mut data = kiosk_page(&app, &visitor, unit).await?;
            data.problem = Some(message(&e, visitor.lang));
            return Ok(visitor.finish(render(crate::error::refused_status(&e), &data)));
        }
    };
    show_ticket(&app, &visitor, unit, &ticket).await
}

/// The ticket just taken (or checked in for), to print or to note.
pub async fn show_ticket(
    app: &App,
    visitor: &Visitor,
    unit: i64,
    ticket: &StoredTicket,
) -> Result<Response, PageError> {
    let board = app.queue_board(UnitId(unit)).await?;
    let waiting = board
        .waiting
        .iter()
        .find(|w| w.group == ticket.ticket.group);
    let record = app.store.unit(UnitId(unit)).await.map_err(AppError::from)?;
    Ok(visitor.finish(page(&TicketPage {
        c: visitor.ctx(&format!("/kiosk/{unit}")),
        unit_id: unit,
        unit_name: record.name,
        number: ticket.ticket.number.clone(),
        group_name: waiting.map(|w| w.name.clone()).unwrap_or_default(),
        // Those waiting before this ticket: all waiting in the group but itself.
        ahead: waiting.map_or(0, |w| w.waiting.saturating_sub(1)),
        taken: time(&ticket.ticket.taken_at),
        booked: ticket.ticket.booked,
    })))
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    board: Board,
    /// Each window open, paused (with the reason) or away.
    duty: DutyBoard,
}

/// The display board for the hall's screen.
pub async fn board(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
) -> Result<Response, PageError> {
    let record = app.store.unit(UnitId(unit)).await.map_err(AppError::from)?;
    let board = app.queue_board(UnitId(unit)).await?;
    let duty = app.duty_board(UnitId(unit)).await?;
    Ok(visitor.finish(page(&BoardPage {
        c: visitor.ctx(&format!("/board/{unit}")),
        unit_id: unit,
        unit_name: record.name,
        board,
        duty,
    })))
}

/// What the board shows, as text to compare: the calls, the waiting and the windows' duty.
async fn board_state(app: &App, unit: UnitId) -> Result<String, AppError> {
    let board = app.queue_board(unit).await?;
    let duty = app.duty_board(unit).await?;
    Ok(serde_json::to_string(&(board, duty)).unwrap_or_default())
}

/// How often the board's event stream looks at the queue.
const BOARD_LOOK_EVERY: Duration = Duration::from_secs(2);

/// Server-sent events for the board: a `board` event whenever what it shows changes (a call,
/// the waiting, a window's duty; the page then fetches itself again), looked at every two
/// seconds; comments keep the connection open.
pub async fn board_events(
    State(app): State<App>,
    Path(unit): Path<i64>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    let seen = board_state(&app, UnitId(unit)).await?;
    let stream = futures_util::stream::unfold((app, seen), move |(app, mut seen)| async move {
        loop {
            tokio::time::sleep(BOARD_LOOK_EVERY).await;
            let Ok(now) = board_state(&app, UnitId(unit)).await else {
                continue;
            };
            if now != seen {
                seen = now;
                let event = Event::default().event("board").data("changed");
                return Some((Ok(event), (app, seen)));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The ticket at the desk's window, with what may be done to it now.
pub struct DeskTicket {
    pub id: i64,
    pub number: String,
    pub state: &'static str,
    pub version: u32,
    pub actions: Vec<(&'static str, &'static str)>,
}

/// The chosen window's duty at the desk, with the clerk's buttons.
pub struct DeskDuty {
    pub state: &'static str,
    pub reason: Option<&'static str>,
    pub clerk: String,
    pub since: String,
    pub note: String,
    pub version: u32,
    /// The actions the clerk may take now (leave is the hall manager's).
    pub actions: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "queue_desk.html")]
struct DeskPage {
    c: Ctx,
    unit_id: i64,
    window_id: i64,
    /// The clerk's unit's windows in use: id and label.
    windows: Vec<(i64, String)>,
    /// The chosen window serves a business group.
    serves_queue: bool,
    waiting: usize,
    current: Option<DeskTicket>,
    duty: Option<DeskDuty>,
    /// The reasons a pause may give: value and message key.
    pause_reasons: Vec<(&'static str, String)>,
    /// The hall's bookings of the day.
    appointments: Vec<crate::pages::appointments::BookingRow>,
    problem: Option<String>,
}

/// The pause reasons of a select: value and message key.
pub fn pause_reasons() -> Vec<(&'static str, String)> {
    PauseReason::ALL
        .iter()
        .map(|r| (r.as_str(), format!("pause_reason.{r}")))
        .collect()
}

fn desk_duty(view: WindowDutyView) -> DeskDuty {
    DeskDuty {
        state: view.line.state.as_str(),
        reason: view.line.pause_reason.map(PauseReason::as_str),
        clerk: view.clerk_name.unwrap_or_default(),
        since: view
            .line
            .since
            .map(|at| crate::view::time(&at))
            .unwrap_or_default(),
        note: view.note,
        version: view.version,
        actions: view
            .allowed_actions
            .into_iter()
            .filter(|a| *a != DutyActionKind::RecordLeave)
            .map(DutyActionKind::as_str)
            .collect(),
    }
}

fn desk_page(signed: &Signed, desk: WindowDesk) -> DeskPage {
    let current = desk.current.map(|t| {
        let actions = match t.ticket.state {
            TicketState::Called => vec![
                ("start", "desk.start"),
                ("recall", "desk.recall"),
                ("skip", "desk.skip"),
            ],
            _ => vec![("finish", "desk.finish")],
        };
        DeskTicket {
            id: t.id,
            number: t.ticket.number,
            state: t.ticket.state.as_str(),
            version: t.version,
            actions,
        }
    });
    DeskPage {
        c: signed.ctx("/queue"),
        unit_id: signed.session.staff.unit_id.0,
        window_id: desk.window.map_or(0, |w| w.0),
        windows: desk
            .windows
            .into_iter()
            .map(|w| (w.id.0, format!("{} {}", w.number, w.name)))
            .collect(),
        serves_queue: desk.serves_queue,
        waiting: desk.waiting,
        current,
        duty: desk.duty.map(desk_duty),
        pause_reasons: pause_reasons(),
        appointments: crate::pages::appointments::day_rows(desk.appointments, signed.lang),
        problem: None,
    }
}

/// The window clerk's queue desk: the window's current ticket, or the button to call the next.
pub async fn desk(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let window = q.get("window").parse().ok().map(WindowId);
    let desk = app.window_desk(&signed.session, window).await?;
    Ok(page(&desk_page(&signed, desk)))
}

async fn desk_refused(
    app: &App,
    signed: &Signed,
    window: WindowId,
    e: AppError,
) -> Result<Response, PageError> {
    if matches!(e, AppError::Storage(_)) {
        return Err(e.into());
    }
    let desk = app.window_desk(&signed.session, Some(window)).await?;
    let mut data = desk_page(signed, desk);
    data.problem = Some(message(&e, signed.lang));
    Ok(render(crate::error::refused_status(&e), &data))
}

/// Calls the next ticket to the window.
pub async fn call_next(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let window = WindowId(form.get("window").parse().map_err(|_| PageError::BadForm)?);
    match app.call_next(&signed.session, window).await {
        Ok(_) => Ok(Redirect::to(&format!("/queue?window={}", window.0)).into_response()),
        Err(e) => desk_refused(&app, &signed, window, e).await,
    }
}

/// Recall, skip, start, or finish (with the number of the case taken in, if any).
pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let window = WindowId(form.get("window").parse().map_err(|_| PageError::BadForm)?);
    let version = form.expected_version()?;
    let action = match form.get("action") {
        "start" => TicketAction::Start,
        "recall" => TicketAction::Recall,
        "skip" => TicketAction::Skip,
        "finish" => {
            let number = form.get("case_number").trim();
            let case = if number.is_empty() {
                None
            } else {
                let parsed = CaseNumber::parse(number).ok_or(PageError::BadForm)?;
                match app.store.case_id_by_number(&parsed).await {
                    Ok(id) => Some(id),
                    Err(_) => {
                        let e = AppError::invalid(
                            "case_number",
                            "未找到该办件编号",
                            "no case with this number",
                        );
                        return desk_refused(&app, &signed, window, e).await;
                    }
                }
            };
            TicketAction::Finish { case }
        }
        _ => return Err(PageError::BadForm),
    };
    match app
        .act_on_ticket(&signed.session, id, version, window, &action)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/queue?window={}", window.0)).into_response()),
        Err(e) => desk_refused(&app, &signed, window, e).await,
    }
}

/// The duty action a form names: sign on, pause (with its reason and note), resume, mark
/// away, sign off.
pub fn duty_action(form: &crate::form::Form) -> Result<DutyAction, PageError> {
    Ok(match form.get("action") {
        "sign_on" => DutyAction::SignOn,
        "pause" => DutyAction::Pause {
            reason: form.get("reason").parse().map_err(|_| PageError::BadForm)?,
            note: form.get("note").to_owned(),
        },
        "resume" => DutyAction::Resume,
        "mark_away" => DutyAction::MarkAway,
        "sign_off" => DutyAction::SignOff,
        _ => return Err(PageError::BadForm),
    })
}

/// The clerk's duty at the chosen window: sign on, pause, resume, mark away, sign off.
pub async fn duty(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let window = WindowId(form.get("window").parse().map_err(|_| PageError::BadForm)?);
    let version = form
        .get("expected_version")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    let action = duty_action(&form)?;
    match app
        .act_on_duty(&signed.session, window, version, &action)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/queue?window={}", window.0)).into_response()),
        Err(e) => desk_refused(&app, &signed, window, e).await,
    }
}
