//! The proxy ledger (全程代办) of stations and the units on the route: what to do today, the
//! ledger with its filters and CSV export, a line's page with its hand-over forms, and the
//! receipt (代办事项承办单) printed for the applicant.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::proxy::ProxyView;
use liandong_app::{App, AppError};
use liandong_domain::case::Channel;
use liandong_domain::organization::{CaseId, Role, StaffId, UnitId};
use liandong_domain::proxy::{ProxyAction, ProxyEventKind, ProxyState};
use liandong_store::{ProxySummary, UnitRecord};

use crate::error::{PageError, message, status_of};
use crate::form::{Form, Params};
use crate::i18n::Lang;
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, Pager, date, opt_time, page, query, render, time};

const PER_PAGE: i64 = 20;
const STATES: [ProxyState; 5] = [
    ProxyState::GoingUp,
    ProxyState::AtDecidingUnit,
    ProxyState::GoingDown,
    ProxyState::AwaitingPickup,
    ProxyState::Delivered,
];

/// A ledger line in a list.
pub struct Row {
    pub id: i64,
    pub receipt: String,
    pub station: String,
    pub holder: String,
    pub next: String,
    pub state: String,
    pub promised: String,
    pub leg_due: String,
    pub late: bool,
    pub late_legs: u32,
}

fn name(units: &[UnitRecord], id: Option<UnitId>) -> String {
    id.and_then(|id| units.iter().find(|u| u.id == id))
        .map_or_else(|| "—".to_owned(), |u| u.name.clone())
}

fn row(s: &ProxySummary, units: &[UnitRecord], now: chrono::DateTime<chrono::Utc>) -> Row {
    Row {
        id: s.id,
        receipt: s.receipt_number.clone(),
        station: name(units, Some(s.station_unit_id)),
        holder: name(units, Some(s.holder_unit_id)),
        next: name(units, s.next_unit_id),
        state: format!("proxy_state.{}", s.state),
        promised: date(&s.promised_on),
        leg_due: opt_time(&s.leg_due_at),
        late: s.leg_due_at.is_some_and(|d| d < now),
        late_legs: s.late_legs,
    }
}

#[derive(Template)]
#[template(path = "proxy_list.html")]
struct ListPage {
    c: Ctx,
    daily: Vec<Row>,
    rows: Vec<Row>,
    p: Pager,
    station: String,
    month: String,
    state: String,
    stations: Vec<(i64, String)>,
    states: Vec<(String, String)>,
    export: String,
}

/// The ledger's filters from a query string: station, month (`2026-03`), state.
fn filters(q: &Form) -> (Option<UnitId>, Option<(i32, u32)>, Option<ProxyState>) {
    let station = q.get("station").parse::<i64>().ok().map(UnitId);
    let month = q.get("month").split_once('-').and_then(|(y, m)| {
        Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)).filter(|(_, m)| (1..=12).contains(m))
    });
    let state = q.get("state").parse::<ProxyState>().ok();
    (station, month, state)
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let (station, month, state) = filters(&q);
    let page_no = q.page();
    let units = app.units().await?;
    let now = app.now();
    let daily = app
        .proxy_daily_list(&signed.session)
        .await?
        .iter()
        .map(|s| row(s, &units, now))
        .collect();
    let (lines, total) = app
        .proxy_ledger(
            &signed.session,
            station,
            month,
            state,
            PER_PAGE,
            (page_no - 1) * PER_PAGE,
        )
        .await?;
    let rows = lines.iter().map(|s| row(s, &units, now)).collect();
    let station_text = station.map(|s| s.0.to_string()).unwrap_or_default();
    let month_text = month
        .map(|(y, m)| format!("{y:04}-{m:02}"))
        .unwrap_or_default();
    let state_text = state.map(|s| s.to_string()).unwrap_or_default();
    let pairs = [
        ("station", station_text.as_str()),
        ("month", month_text.as_str()),
        ("state", state_text.as_str()),
    ];
    Ok(page(&ListPage {
        c: signed.ctx("/proxy"),
        daily,
        rows,
        p: Pager::new(&query("/proxy", &pairs), page_no, PER_PAGE, total),
        export: query("/proxy/export.csv", &pairs),
        station: station_text,
        month: month_text,
        state: state_text,
        stations: units
            .iter()
            .filter(|u| u.kind == liandong_domain::organization::UnitKind::VillageStation)
            .map(|u| (u.id.0, u.name.clone()))
            .collect(),
        states: STATES
            .iter()
            .map(|s| (s.to_string(), format!("proxy_state.{s}")))
            .collect(),
    }))
}

/// The ledger as CSV through the app's export (the API's `/api/v1/proxy/export` takes a
/// bearer token; pages have the cookie).
pub async fn export(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let (station, month, state) = filters(&q);
    let csv = app
        .export_proxy_ledger(&signed.session, station, month, state)
        .await?;
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"proxy-ledger.csv\""),
    );
    Ok(response)
}

/// A ledger line's history entry.
pub struct Entry {
    pub at: String,
    pub kind: String,
    pub unit: String,
    pub actor: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "proxy.html")]
struct RecordPage {
    c: Ctx,
    id: i64,
    version: u32,
    receipt: String,
    case_id: i64,
    case_number: String,
    item_name: String,
    state: String,
    route: String,
    holder: String,
    holder_id: i64,
    next: String,
    promised: String,
    leg_due: String,
    leg_overdue: bool,
    contact: String,
    materials: Vec<String>,
    timeline: Vec<Entry>,
    receive: bool,
    result_ready: bool,
    deliver: bool,
    givers: Vec<(i64, String)>,
    typed: Form,
    failed: String,
    problem: Option<String>,
    done: Option<String>,
}

fn materials_of(view: &ProxyView) -> Vec<String> {
    view.events
        .iter()
        .find_map(|e| match &e.kind {
            ProxyEventKind::Registered { materials, .. } => Some(materials.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

async fn record_page(
    app: &App,
    signed: &Signed,
    view: ProxyView,
    failed: Option<(String, Form, String)>,
    problem: Option<String>,
    done: Option<String>,
) -> Result<RecordPage, PageError> {
    let l = signed.lang;
    let units = app.units().await?;
    let s = &view.summary;
    let mine = signed.session.staff.unit_id;
    let actors: Vec<StaffId> = view.events.iter().map(|e| e.actor).collect();
    let names = app.staff_names(&signed.session, &actors).await?;
    let timeline = view
        .events
        .iter()
        .rev()
        .map(|e| Entry {
            at: time(&e.at),
            kind: format!("proxy_event.{}", e.kind.type_name()),
            unit: name(&units, Some(e.unit)),
            actor: names.get(&e.actor).cloned().unwrap_or_default(),
            detail: match &e.kind {
                ProxyEventKind::Registered { contact, .. } => contact.clone(),
                ProxyEventKind::HandedOver {
                    from,
                    to,
                    giver,
                    materials,
                    ..
                } => format!(
                    "{} → {} · {} {} · {}",
                    name(&units, Some(*from)),
                    name(&units, Some(*to)),
                    l.t("proxy.giver"),
                    names.get(giver).cloned().unwrap_or_default(),
                    materials.join("、")
                ),
                ProxyEventKind::ResultReady { result } => result.clone(),
                ProxyEventKind::Delivered { signed_by } => {
                    format!("{} {signed_by}", l.t("proxy.signed_by"))
                }
            },
        })
        .collect();
    let moving = matches!(s.state, ProxyState::GoingUp | ProxyState::GoingDown);
    let receive = moving && s.next_unit_id == Some(mine);
    let givers = if receive {
        app.unit_staff_names(&signed.session, s.holder_unit_id)
            .await?
            .into_iter()
            .map(|(id, n)| (id.0, n))
            .collect()
    } else {
        Vec::new()
    };
    let materials = materials_of(&view);
    let (failed_action, mut typed, problem) = match failed {
        Some((a, f, m)) => (a, f, problem.or(Some(m))),
        None => (String::new(), Form::default(), problem),
    };
    if typed.get("materials").is_empty() {
        typed = typed.with("materials", &materials.join("\n"));
    }
    Ok(RecordPage {
        c: signed.ctx("/proxy"),
        id: s.id,
        version: s.version,
        receipt: s.receipt_number.clone(),
        case_id: s.case_id.0,
        case_number: view.case_number.clone(),
        item_name: view.item_name.clone(),
        state: format!("proxy_state.{}", s.state),
        route: view.route_names.join(" → "),
        holder: name(&units, Some(s.holder_unit_id)),
        holder_id: s.holder_unit_id.0,
        next: name(&units, s.next_unit_id),
        promised: date(&s.promised_on),
        leg_due: opt_time(&s.leg_due_at),
        leg_overdue: view.leg_overdue,
        contact: s.contact.clone(),
        materials,
        timeline,
        receive,
        result_ready: s.state == ProxyState::AtDecidingUnit && s.deciding_unit_id == mine,
        deliver: s.state == ProxyState::AwaitingPickup && s.station_unit_id == mine,
        givers,
        typed,
        failed: failed_action,
        problem,
        done,
    })
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.proxy_view(&signed.session, id).await?;
    let done = match q.get("done") {
        d @ ("receive" | "result_ready" | "deliver") => Some(format!("proxy_action.{d}")),
        _ => None,
    };
    Ok(page(
        &record_page(&app, &signed, view, None, None, done).await?,
    ))
}

fn action_of(form: &Form) -> Option<ProxyAction> {
    Some(match form.get("action") {
        "receive" => ProxyAction::Receive {
            from: UnitId(form.get("from").parse().ok()?),
            giver: StaffId(form.get("giver").parse().ok()?),
            materials: form.lines("materials"),
        },
        "result_ready" => ProxyAction::ResultReady {
            result: form.get("result").trim().to_owned(),
        },
        "deliver" => ProxyAction::Deliver {
            signed_by: form.get("signed_by").trim().to_owned(),
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
    let l = signed.lang;
    let expected = form.expected_version()?;
    let action = action_of(&form).ok_or(PageError::BadForm)?;
    let name = form.get("action").to_owned();
    let (status, msg) = match app
        .act_on_proxy(&signed.session, id, expected, &action)
        .await
    {
        Ok(_) => return Ok(Redirect::to(&format!("/proxy/{id}?done={name}")).into_response()),
        Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => return Err(e.into()),
        Err(e) => (status_of(&e).0, message(&e, l)),
    };
    let view = app.proxy_view(&signed.session, id).await?;
    let page_data = record_page(&app, &signed, view, Some((name, form, msg)), None, None).await?;
    Ok(render(status, &page_data))
}

/// Enters a proxied case in the ledger from its page; the receipt follows.
pub async fn register(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let case = CaseId(
        form.get("case_id")
            .parse()
            .map_err(|_| PageError::BadForm)?,
    );
    let view = app
        .register_proxy(&signed.session, case, form.get("contact").trim())
        .await?;
    Ok(Redirect::to(&format!("/proxy/{}/receipt", view.summary.id)).into_response())
}

/// Whether the case page offers "登记代办": a proxied case taken in at the clerk's own unit,
/// not yet in the ledger. `Some(id)` links to its line when it is.
pub async fn case_proxy(
    app: &App,
    signed: &Signed,
    case: CaseId,
    channel: Channel,
    received_unit: UnitId,
) -> Result<(bool, Option<i64>), PageError> {
    if channel != Channel::Proxy {
        return Ok((false, None));
    }
    let line = app.proxy_of_case(&signed.session, case).await?;
    let clerk = signed.session.staff.roles.contains(&Role::WindowClerk)
        && signed.session.staff.unit_id == received_unit;
    Ok((clerk && line.is_none(), line))
}

#[derive(Template)]
#[template(path = "proxy_receipt.html")]
struct ReceiptPage {
    l: Lang,
    receipt: String,
    station: String,
    case_number: String,
    item_name: String,
    materials: Vec<String>,
    route: String,
    promised: String,
    contact: String,
    registered: String,
    back: String,
}

pub async fn receipt(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let view = app.proxy_view(&signed.session, id).await?;
    let units = app.units().await?;
    let s = &view.summary;
    Ok(page(&ReceiptPage {
        l: signed.lang,
        receipt: s.receipt_number.clone(),
        station: name(&units, Some(s.station_unit_id)),
        case_number: view.case_number.clone(),
        item_name: view.item_name.clone(),
        materials: materials_of(&view),
        route: view.route_names.join(" → "),
        promised: date(&s.promised_on),
        contact: s.contact.clone(),
        registered: time(&s.registered_at),
        back: format!("/proxy/{id}"),
    }))
}
