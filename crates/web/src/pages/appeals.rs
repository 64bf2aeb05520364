//! Appeals (三项制度) for staff: the list, the appeal page with a form per action, the
//! registration form for window clerks and the supervisors' warning list. The domain decides
//! who may do what; a refused action shows its message on the page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use liandong_app::appeals::AppealView;
use liandong_app::{App, AppError};
use liandong_domain::appeal::{
    AppealAction, AppealChannel, AppealError, AppealEventKind, AppealKind, AppealLevel,
    AppealScope, AppealState, Person, RefusalGround, Registration,
};
use liandong_domain::case::WarningLevel;
use liandong_domain::ids::PhoneNumber;
use liandong_domain::organization::{AppealId, DepartmentId, Role, UnitId, UnitKind};
use liandong_store::{AppealFilter, DepartmentRecord, UnitRecord};

use crate::error::{PageError, message, status_of};
use crate::form::{FieldErrors, Form, Params};
use crate::i18n::Lang;
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, Pager, date, page, query, render, time};

const PER_PAGE: i64 = 20;

pub const KINDS: [AppealKind; 4] = [
    AppealKind::Opinion,
    AppealKind::Suggestion,
    AppealKind::Problem,
    AppealKind::ServiceComplaint,
];
pub const SCOPES: [AppealScope; 5] = [
    AppealScope::Village,
    AppealScope::Township,
    AppealScope::DistrictDepartment,
    AppealScope::DistrictDepartments,
    AppealScope::CityDepartment,
];
const LEVELS: [AppealLevel; 3] = [
    AppealLevel::Village,
    AppealLevel::Township,
    AppealLevel::District,
];

/// An appeal in a list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub category: String,
    pub person: String,
    pub state: String,
    pub level_name: String,
    pub unit: String,
    pub registered: String,
    pub due: String,
    pub warn: &'static str,
    /// A mark beside the state (a decision on acceptance overdue).
    pub flag: Option<&'static str>,
}

fn warn_name(view: &AppealView) -> &'static str {
    if matches!(
        view.summary.state,
        AppealState::Answered | AppealState::Closed
    ) {
        return "none";
    }
    match view.level {
        WarningLevel::Green => "green",
        WarningLevel::Yellow => "yellow",
        WarningLevel::Red => "red",
    }
}

fn unit_name(units: &[UnitRecord], id: UnitId) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn responsible_name(
    units: &[UnitRecord],
    departments: &[DepartmentRecord],
    unit: UnitId,
    department: Option<DepartmentId>,
) -> String {
    let mut name = unit_name(units, unit);
    if let Some(d) = department.and_then(|d| departments.iter().find(|x| x.id == d)) {
        name = format!("{name} · {}", d.short_name);
    }
    name
}

fn row(view: &AppealView, units: &[UnitRecord], departments: &[DepartmentRecord]) -> Row {
    let s = &view.summary;
    Row {
        id: s.id.0,
        number: s.number.clone(),
        kind: format!("appeal_kind.{}", s.kind),
        category: s.category.clone(),
        person: s.person_name.clone(),
        state: format!("appeal_state.{}", s.state),
        level_name: format!("appeal_level.{}", s.level),
        unit: responsible_name(
            units,
            departments,
            s.responsible_unit_id,
            s.responsible_department_id,
        ),
        registered: time(&s.registered_at),
        due: date(&s.due_on),
        warn: warn_name(view),
        flag: None,
    }
}

pub struct Tab {
    pub href: String,
    pub key: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "appeals.html")]
struct ListPage {
    c: Ctx,
    title: &'static str,
    tabs: Vec<Tab>,
    show: String,
    level: String,
    levels: Vec<(String, String)>,
    rows: Vec<Row>,
    p: Option<Pager>,
    can_register: bool,
}

fn tabs(signed: &Signed, show: &str, path: &str) -> Vec<Tab> {
    let mut out: Vec<Tab> = [
        ("open", "appeals.open"),
        ("overdue", "appeals.overdue"),
        ("all", "appeals.all"),
    ]
    .iter()
    .map(|(v, key)| Tab {
        href: format!("/appeals?show={v}"),
        key,
        active: path == "/appeals" && show == *v,
    })
    .collect();
    if signed.session.staff.roles.contains(&Role::Supervisor) {
        out.push(Tab {
            href: "/appeals/acceptance".to_owned(),
            key: "appeals.acceptance",
            active: path == "/appeals/acceptance",
        });
        out.push(Tab {
            href: "/appeals/at-risk".to_owned(),
            key: "appeals.at_risk",
            active: path == "/appeals/at-risk",
        });
    }
    out.push(Tab {
        href: "/appeals/statistics".to_owned(),
        key: "appeals.statistics",
        active: path == "/appeals/statistics",
    });
    out
}

#[derive(Template)]
#[template(path = "appeal_statistics.html")]
struct StatisticsPage {
    c: Ctx,
    tabs: Vec<Tab>,
    from: String,
    to: String,
    stats: Option<liandong_app::appeals::AppealStatistics>,
    problem: Option<String>,
}

impl StatisticsPage {
    /// One line's cells, in the order of the table's columns.
    fn cells(&self, x: &liandong_domain::appeal::AppealStats) -> Vec<String> {
        let percent = |rate: f64| format!("{:.1}%", rate * 100.0);
        vec![
            x.total.to_string(),
            x.concluded.to_string(),
            percent(x.concluded_rate),
            percent(x.on_time_rate),
            percent(x.settled_in_village_rate),
            format!("{:.1}", x.mean_days_to_answer),
            x.overdue_open.to_string(),
        ]
    }
}

/// The appeals' figures (三项制度统计) for a period, over what the user may see: overall, by
/// level (with the share settled in the village, the seed's ≥ 90 %), by kind and by unit.
pub async fn statistics(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let today = liandong_domain::calendar::china_date(app.now());
    let first = today.with_day(1).unwrap_or(today);
    let parse = |name: &str, default: chrono::NaiveDate| match q.get(name).trim() {
        "" => Ok(default),
        text => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"),
    };
    let (from, to) = (parse("from", first), parse("to", today));
    let (status, stats, problem) = match (from, to) {
        (Ok(from), Ok(to)) => match app.appeal_statistics(&signed.session, from, to, None).await {
            Ok(stats) => (StatusCode::OK, Some(stats), None),
            Err(e @ AppError::Storage(_)) => return Err(e.into()),
            Err(e) => (status_of(&e).0, None, Some(message(&e, signed.lang))),
        },
        _ => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(signed.lang.t("error.date_format").to_owned()),
        ),
    };
    let data = StatisticsPage {
        c: signed.ctx("/appeals"),
        tabs: tabs(&signed, "", "/appeals/statistics"),
        from: q.get("from").trim().to_owned(),
        to: q.get("to").trim().to_owned(),
        stats,
        problem,
    };
    Ok(render(status, &data))
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let show = match q.get("show") {
        "overdue" => "overdue",
        "all" => "all",
        _ => "open",
    };
    let level = q.get("level").parse::<AppealLevel>().ok();
    let page_no = q.page();
    let filter = AppealFilter {
        state: None,
        open_only: show != "all",
        pending_acceptance: false,
        due_before: (show == "overdue").then(|| app.now()),
        unit: None,
        level,
        kind: None,
        registered_from: None,
        registered_before: None,
        limit: PER_PAGE,
        offset: (page_no - 1) * PER_PAGE,
    };
    let (list, total) = app.list_appeals(&signed.session, &filter).await?;
    let (units, departments) = (app.units().await?, app.departments().await?);
    let mut rows = Vec::with_capacity(list.len());
    for s in &list {
        let view = app.appeal_view(&signed.session, s.id).await?;
        rows.push(row(&view, &units, &departments));
    }
    let level_text = level.map(|l| l.to_string()).unwrap_or_default();
    let base = query("/appeals", &[("show", show), ("level", &level_text)]);
    Ok(page(&ListPage {
        c: signed.ctx("/appeals"),
        title: "appeals.title",
        tabs: tabs(&signed, show, "/appeals"),
        show: show.to_owned(),
        level: level_text,
        levels: LEVELS
            .iter()
            .map(|l| (l.to_string(), format!("appeal_level.{l}")))
            .collect(),
        rows,
        p: Some(Pager::new(&base, page_no, PER_PAGE, total)),
        can_register: can_register(&signed),
    }))
}

fn can_register(signed: &Signed) -> bool {
    let roles = &signed.session.staff.roles;
    roles.contains(&Role::WindowClerk) || roles.contains(&Role::Supervisor)
}

/// The efficiency complaint center's warning list: open appeals red now or soon.
pub async fn at_risk(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    let views = app.appeals_at_risk(&signed.session).await?;
    let (units, departments) = (app.units().await?, app.departments().await?);
    Ok(page(&ListPage {
        c: signed.ctx("/appeals"),
        title: "appeals.at_risk",
        tabs: tabs(&signed, "", "/appeals/at-risk"),
        show: String::new(),
        level: String::new(),
        levels: Vec::new(),
        rows: views.iter().map(|v| row(v, &units, &departments)).collect(),
        p: None,
        can_register: can_register(&signed),
    }))
}

/// The efficiency complaint center's list of complaints awaiting its decision on
/// acceptance, soonest due first; those past their five working days are red and marked.
pub async fn acceptance(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    let pending = app.appeals_pending_acceptance(&signed.session).await?;
    let (units, departments) = (app.units().await?, app.departments().await?);
    let mut rows = Vec::with_capacity(pending.len());
    for p in &pending {
        let view = app.appeal_view(&signed.session, p.summary.id).await?;
        let mut r = row(&view, &units, &departments);
        r.due = date(&p.due_on);
        (r.warn, r.flag) = if p.overdue {
            ("red", Some("appeals.acceptance_overdue"))
        } else {
            ("green", None)
        };
        rows.push(r);
    }
    Ok(page(&ListPage {
        c: signed.ctx("/appeals"),
        title: "appeals.acceptance",
        tabs: tabs(&signed, "", "/appeals/acceptance"),
        show: String::new(),
        level: String::new(),
        levels: Vec::new(),
        rows,
        p: None,
        can_register: can_register(&signed),
    }))
}

/// One event of an appeal's history.
pub struct Entry {
    pub at: String,
    pub kind: String,
    pub unit: String,
    pub actor: String,
    pub details: Vec<(String, String)>,
}

/// The form of one action, with what was typed if it failed.
pub struct ActionForm {
    pub name: &'static str,
    pub open: bool,
    pub typed: Form,
    pub error: Option<String>,
}

impl ActionForm {
    pub fn v(&self, field: &str) -> &str {
        self.typed.get(field)
    }

    pub fn label(&self) -> String {
        format!("appeal_action.{}", self.name)
    }
}

#[derive(Template)]
#[template(path = "appeal.html")]
struct AppealPage {
    c: Ctx,
    id: i64,
    number: String,
    version: u32,
    state: String,
    warn: &'static str,
    kind: String,
    channel: String,
    scope: String,
    level_name: String,
    category: String,
    person: String,
    phone: String,
    content: String,
    address: String,
    unit: String,
    raised: String,
    registered: String,
    due: String,
    /// For a complaint about the service: the decision's last day, and the decision.
    acceptance_due: Option<String>,
    acceptance: Option<String>,
    answer: String,
    timeline: Vec<Entry>,
    actions: Vec<ActionForm>,
    units: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    scopes: Vec<(String, String)>,
    satisfactions: Vec<(String, String)>,
    grounds: Vec<(String, String)>,
    done: Option<String>,
    problem: Option<String>,
}

fn details(
    kind: &AppealEventKind,
    units: &[UnitRecord],
    departments: &[DepartmentRecord],
    l: Lang,
) -> Vec<(String, String)> {
    let t = |k: &str| l.t(k).to_owned();
    let resp = |r: &liandong_domain::appeal::Responsible| {
        responsible_name(units, departments, r.unit, r.department)
    };
    match kind {
        AppealEventKind::Registered {
            responsible, due, ..
        } => vec![
            (t("appeal.unit"), resp(responsible)),
            (t("appeal.due"), date(due)),
        ],
        AppealEventKind::ActionRecorded { note } | AppealEventKind::Closed { note } => {
            vec![(t("appeal.note"), note.clone())]
        }
        AppealEventKind::Accepted { due, note } => vec![
            (t("appeal.due"), date(due)),
            (t("appeal.note"), note.clone()),
        ],
        AppealEventKind::AcceptanceRefused { ground, reason } => vec![
            (
                t("appeal.ground"),
                l.named("refusal_ground", ground.as_str()).into(),
            ),
            (t("field.reason"), reason.clone()),
        ],
        AppealEventKind::Forwarded { to, reason } => vec![
            (t("appeal.forward_to"), to.clone()),
            (t("field.reason"), reason.clone()),
        ],
        AppealEventKind::Referred {
            responsible,
            reason,
        }
        | AppealEventKind::TakenOver {
            responsible,
            reason,
        } => vec![
            (t("appeal.unit"), resp(responsible)),
            (t("field.reason"), reason.clone()),
        ],
        AppealEventKind::Escalated {
            scope,
            responsible,
            reason,
            due,
        } => vec![
            (
                t("appeal.scope"),
                l.named("appeal_scope", scope.as_str()).into(),
            ),
            (t("appeal.unit"), resp(responsible)),
            (t("field.reason"), reason.clone()),
            (t("appeal.due"), date(due)),
        ],
        AppealEventKind::Extended { due, reason }
        | AppealEventKind::RedoOrdered { reason, due } => {
            vec![
                (t("appeal.due"), date(due)),
                (t("field.reason"), reason.clone()),
            ]
        }
        AppealEventKind::Answered { answer } => vec![(t("appeal.answer"), answer.clone())],
        AppealEventKind::Rated {
            satisfaction,
            comment,
        } => vec![
            (
                t("appeal.satisfaction"),
                l.named("satisfaction", satisfaction.as_str()).into(),
            ),
            (t("appeal.comment"), comment.clone()),
        ],
    }
}

/// The actions to offer: the domain decides; these are the ones that can apply now.
fn offered(view: &AppealView, supervisor: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    match view.summary.state {
        // The efficiency complaint center decides on a complaint's acceptance first.
        AppealState::PendingAcceptance => {
            if supervisor {
                out.extend(["accept", "refuse_acceptance", "forward"]);
            }
        }
        AppealState::Registered | AppealState::InProgress => {
            out.extend(["record_action", "answer", "refer", "escalate"]);
            if supervisor {
                out.extend(["extend", "take_over"]);
            }
        }
        AppealState::Answered => {
            if view.summary.satisfaction.is_none() {
                out.push("rate");
            }
            if supervisor {
                out.extend(["order_redo", "close"]);
            }
        }
        AppealState::Closed => {}
    }
    out
}

async fn appeal_page(
    app: &App,
    signed: &Signed,
    view: AppealView,
    done: Option<String>,
    failed: Option<(String, Form, String)>,
    problem: Option<String>,
) -> Result<AppealPage, PageError> {
    let l = signed.lang;
    let (units, departments) = (app.units().await?, app.departments().await?);
    let s = &view.summary;
    let actors: Vec<_> = view.events.iter().filter_map(|e| e.actor).collect();
    let names = app.staff_names(&signed.session, &actors).await?;
    let (mut content, mut address, mut phone, mut answer) =
        (String::new(), String::new(), String::new(), String::new());
    for e in &view.events {
        match &e.kind {
            AppealEventKind::Registered {
                content: c,
                address: a,
                person,
                ..
            } => {
                content.clone_from(c);
                address.clone_from(a);
                phone = person
                    .phone
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
            }
            AppealEventKind::Answered { answer: a } => answer.clone_from(a),
            _ => {}
        }
    }
    let timeline = view
        .events
        .iter()
        .rev()
        .map(|e| Entry {
            at: time(&e.at),
            kind: format!("appeal_event.{}", e.kind.type_name()),
            unit: unit_name(&units, e.unit),
            actor: e
                .actor
                .and_then(|a| names.get(&a).cloned())
                .unwrap_or_default(),
            details: details(&e.kind, &units, &departments, l),
        })
        .collect();
    let supervisor = signed.session.staff.roles.contains(&Role::Supervisor);
    let actions = offered(&view, supervisor)
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let mut form = ActionForm {
                name,
                open: i == 0,
                typed: Form::default(),
                error: None,
            };
            if name == "escalate" {
                let wider = SCOPES
                    .iter()
                    .skip_while(|sc| **sc != view.summary.scope)
                    .nth(1)
                    .copied()
                    .unwrap_or(AppealScope::CityDepartment);
                form.typed = Form::default().with("scope", wider.as_str());
            }
            if let Some((_, typed, msg)) = failed.as_ref().filter(|f| f.0 == name) {
                form.open = true;
                form.typed = typed.clone();
                form.error = Some(msg.clone());
            }
            form
        })
        .collect();
    Ok(AppealPage {
        c: signed.ctx("/appeals"),
        id: s.id.0,
        number: s.number.clone(),
        version: s.version,
        state: format!("appeal_state.{}", s.state),
        warn: warn_name(&view),
        kind: format!("appeal_kind.{}", s.kind),
        channel: format!("appeal_channel.{}", s.channel),
        scope: format!("appeal_scope.{}", s.scope),
        level_name: format!("appeal_level.{}", s.level),
        category: s.category.clone(),
        person: s.person_name.clone(),
        phone,
        content,
        address,
        unit: responsible_name(
            &units,
            &departments,
            s.responsible_unit_id,
            s.responsible_department_id,
        ),
        raised: unit_name(&units, s.raised_unit_id),
        registered: time(&s.registered_at),
        due: date(&s.due_on),
        acceptance_due: s.acceptance_due_on.as_ref().map(date),
        acceptance: s
            .acceptance
            .map(|a| l.named("appeal_acceptance", a.as_str()).to_owned()),
        answer,
        timeline,
        actions,
        units: units.iter().map(|u| (u.id.0, u.name.clone())).collect(),
        departments: departments
            .iter()
            .map(|d| (d.id.0, d.short_name.clone()))
            .collect(),
        scopes: SCOPES
            .iter()
            .map(|s| (s.to_string(), format!("appeal_scope.{s}")))
            .collect(),
        satisfactions: crate::pages::appeal_public::levels(),
        grounds: RefusalGround::ALL
            .iter()
            .map(|g| (g.to_string(), format!("refusal_ground.{g}")))
            .collect(),
        done,
        problem,
    })
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.appeal_view(&signed.session, AppealId(id)).await?;
    let done = q.opt("done").and_then(|d| {
        if d == "registered" {
            Some("appeal.registered_done".to_owned())
        } else {
            ACTIONS.contains(&d).then(|| format!("appeal_action.{d}"))
        }
    });
    let page_data = appeal_page(&app, &signed, view, done, None, None).await?;
    Ok(page(&page_data))
}

const ACTIONS: [&str; 12] = [
    "accept",
    "refuse_acceptance",
    "forward",
    "rate",
    "record_action",
    "answer",
    "refer",
    "escalate",
    "extend",
    "take_over",
    "order_redo",
    "close",
];

fn opt_id(form: &Form, field: &str) -> Result<Option<i64>, ()> {
    match form.opt(field) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| ()),
    }
}

/// The action a form asks for, or the field that does not parse.
fn action_of(form: &Form) -> Result<AppealAction, &'static str> {
    let text = |f: &str| form.get(f).trim().to_owned();
    let department = opt_id(form, "department")
        .map_err(|()| "department")?
        .map(DepartmentId);
    Ok(match form.get("action") {
        "accept" => AppealAction::Accept { note: text("note") },
        "refuse_acceptance" => AppealAction::RefuseAcceptance {
            ground: form.get("ground").parse().map_err(|_| "ground")?,
            reason: text("reason"),
        },
        "forward" => AppealAction::Forward {
            to: text("to"),
            reason: text("reason"),
        },
        "record_action" => AppealAction::RecordAction { note: text("note") },
        "answer" => AppealAction::Answer {
            answer: text("answer"),
        },
        "refer" => AppealAction::Refer {
            unit: UnitId(opt_id(form, "unit").ok().flatten().ok_or("unit")?),
            department,
            reason: text("reason"),
        },
        "escalate" => AppealAction::Escalate {
            scope: form.get("scope").parse().map_err(|_| "scope")?,
            unit: opt_id(form, "unit").map_err(|()| "unit")?.map(UnitId),
            department,
            reason: text("reason"),
        },
        "extend" => AppealAction::Extend {
            due: form.get("due").trim().parse().map_err(|_| "due")?,
            reason: text("reason"),
        },
        "take_over" => AppealAction::TakeOver {
            reason: text("reason"),
        },
        "order_redo" => AppealAction::OrderRedo {
            reason: text("reason"),
        },
        "close" => AppealAction::Close { note: text("note") },
        "rate" => AppealAction::Rate {
            satisfaction: form
                .get("satisfaction")
                .parse()
                .map_err(|_| "satisfaction")?,
            comment: text("comment"),
        },
        _ => return Err("action"),
    })
}

pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let id = AppealId(id);
    let expected = form.expected_version()?;
    let name = form.get("action").to_owned();
    let (status, msg) = match action_of(&form) {
        Err("action") => return Err(PageError::BadForm),
        Err(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            l.t("field.unparsed").to_owned(),
        ),
        Ok(action) => match app
            .act_on_appeal(&signed.session, id, expected, &action)
            .await
        {
            Ok(view) => {
                return Ok(
                    Redirect::to(&format!("/appeals/{}?done={name}", view.summary.id.0))
                        .into_response(),
                );
            }
            Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => return Err(e.into()),
            Err(e @ AppError::Conflict { .. }) => {
                let view = app.appeal_view(&signed.session, id).await?;
                let page_data =
                    appeal_page(&app, &signed, view, None, None, Some(message(&e, l))).await?;
                return Ok(render(StatusCode::CONFLICT, &page_data));
            }
            Err(e) => (status_of(&e).0, message(&e, l)),
        },
    };
    let view = app.appeal_view(&signed.session, id).await?;
    let page_data = appeal_page(
        &app,
        &signed,
        view,
        None,
        Some((name, form.clone(), msg.clone())),
        Some(msg),
    )
    .await?;
    Ok(render(status, &page_data))
}

#[derive(Template)]
#[template(path = "appeal_new.html")]
struct NewPage {
    c: Ctx,
    f: Form,
    e: FieldErrors,
    others: Vec<String>,
    problem: Option<String>,
    kinds: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    scopes: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
}

fn default_channel(kind: Option<UnitKind>) -> AppealChannel {
    match kind {
        Some(UnitKind::VillageStation) => AppealChannel::Station,
        Some(UnitKind::TownshipCenter) => AppealChannel::Township,
        _ => AppealChannel::Hall,
    }
}

async fn new_page(
    app: &App,
    signed: &Signed,
    f: Form,
    e: FieldErrors,
    problem: Option<String>,
) -> Result<NewPage, PageError> {
    let (units, departments) = (app.units().await?, app.departments().await?);
    let others = e.others(
        &[
            "kind",
            "scope",
            "channel",
            "person.name",
            "person.phone",
            "category",
            "content",
            "address",
            "unit",
            "department",
        ],
        &signed.lang,
    );
    Ok(NewPage {
        c: signed.ctx("/appeals"),
        f,
        e,
        others,
        problem,
        kinds: KINDS
            .iter()
            .map(|k| (k.to_string(), format!("appeal_kind.{k}")))
            .collect(),
        channels: [
            AppealChannel::Station,
            AppealChannel::Township,
            AppealChannel::Hall,
            AppealChannel::Hotline,
        ]
        .iter()
        .map(|c| (c.to_string(), format!("appeal_channel.{c}")))
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

pub async fn new_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    // The form only for those who may register: the appeals windows' clerks and the center.
    signed
        .session
        .require_any(&[Role::WindowClerk, Role::Supervisor])?;
    let units = app.units().await?;
    let kind = units
        .iter()
        .find(|u| u.id == signed.session.staff.unit_id)
        .map(|u| u.kind);
    let f = Form::default()
        .with("channel", default_channel(kind).as_str())
        .with("kind", "problem")
        .with("scope", "village");
    let page_data = new_page(&app, &signed, f, FieldErrors::default(), None).await?;
    Ok(page(&page_data))
}

/// The registration a form describes, or the errors of its fields.
pub fn registration(form: &Form, l: Lang) -> Result<Registration, FieldErrors> {
    let mut e = FieldErrors::default();
    let mut bad = |field: &str| {
        let (zh, en) = (Lang::Zh.t("field.unparsed"), Lang::En.t("field.unparsed"));
        let _ = l;
        e.push(liandong_app::FieldError {
            field: field.to_owned(),
            message_zh: zh.to_owned(),
            message_en: en.to_owned(),
        });
    };
    let kind = form.get("kind").parse::<AppealKind>().ok();
    if kind.is_none() {
        bad("kind");
    }
    let channel = form
        .get("channel")
        .parse::<AppealChannel>()
        .unwrap_or(AppealChannel::Online);
    let scope = form.get("scope").parse::<AppealScope>().ok();
    if scope.is_none() {
        bad("scope");
    }
    let phone = match form.opt("phone") {
        None => None,
        Some(p) => match PhoneNumber::parse(p) {
            Ok(p) => Some(p),
            Err(_) => {
                bad("person.phone");
                None
            }
        },
    };
    let unit = opt_id(form, "unit").unwrap_or_else(|()| {
        bad("unit");
        None
    });
    let department = opt_id(form, "department").unwrap_or_else(|()| {
        bad("department");
        None
    });
    match (kind, scope) {
        (Some(kind), Some(scope)) if e.is_empty() => Ok(Registration {
            kind,
            channel,
            scope,
            person: Person {
                name: form.get("name").trim().to_owned(),
                phone,
            },
            category: form.get("category").trim().to_owned(),
            content: form.get("content").trim().to_owned(),
            address: form.get("address").trim().to_owned(),
            unit: unit.map(UnitId),
            department: department.map(DepartmentId),
        }),
        _ => Err(e),
    }
}

pub async fn register(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let (status, e, problem) = match registration(&form, l) {
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None),
        Ok(input) => match app.register_appeal(&signed.session, &input).await {
            Ok(view) => {
                return Ok(Redirect::to(&format!(
                    "/appeals/{}?done=registered",
                    view.summary.id.0
                ))
                .into_response());
            }
            Err(AppError::Invalid(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::new(errors),
                None,
            ),
            Err(e @ (AppError::Storage(_) | AppError::Forbidden(_))) => return Err(e.into()),
            Err(AppError::Appeal(a)) => {
                let field = match a {
                    AppealError::VillageNeeded
                    | AppealError::TownshipNeeded
                    | AppealError::WrongLevel { .. } => Some("unit"),
                    AppealError::DepartmentNeeded => Some("department"),
                    AppealError::ContentNeeded => Some("content"),
                    _ => None,
                };
                let (zh, en) = crate::error::bilingual(&a.to_string());
                match field {
                    Some(field) => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        FieldErrors::new(vec![liandong_app::FieldError {
                            field: field.to_owned(),
                            message_zh: zh,
                            message_en: en,
                        }]),
                        None,
                    ),
                    None => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        FieldErrors::default(),
                        Some(l.pick(&a.to_string()).to_owned()),
                    ),
                }
            }
            Err(e) => (
                status_of(&e).0,
                FieldErrors::default(),
                Some(message(&e, l)),
            ),
        },
    };
    let page_data = new_page(&app, &signed, form, e, problem).await?;
    Ok(render(status, &page_data))
}
