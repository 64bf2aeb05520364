//! The officer's inbox, the case list, the case page with its action forms, and the notices
//! printed for the applicant.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use liandong_app::cases::CaseView;
use liandong_app::{App, AppError};
use liandong_domain::case::{
    Action, ActionName, Applicant, CaseEvent, CaseState, EventKind, WarningLevel, WorkflowError,
};
use liandong_domain::catalog::{ServiceItem, StepKind};
use liandong_domain::certificate::CertificateState;
use liandong_domain::organization::{CaseId, Role};
use liandong_domain::payment::{Adjustment, AdjustmentKind, FeeDecision, PaymentState};
use liandong_store::{CaseFilter, CaseSort, UnitRecord};

use crate::error::{PageError, message, status_of};
use crate::form::{Form, Params};
use crate::i18n::Lang;
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, PROCEDURES, Pager, date, page, query, render, time};

/// Rows per page of case lists; each row reads its case's clocks.
const PER_PAGE: i64 = 20;

/// A case in a list, with its clock read.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub item_name: String,
    pub applicant: String,
    pub state: String,
    pub received: String,
    pub due: String,
    /// Working days left on the case's clock (negative when over), if it runs.
    pub remaining: Option<i64>,
    pub level: &'static str,
}

impl Row {
    pub fn remaining_text(&self, l: &Lang) -> String {
        let l = *l;
        match self.remaining {
            Some(d) if d < 0 => l.tf("remaining.over", -d),
            Some(d) => l.tf("remaining.days", d),
            None => l.t("remaining.none").to_owned(),
        }
    }
}

fn row(view: &CaseView) -> Row {
    let s = &view.summary;
    Row {
        id: s.id.0,
        number: s.number.as_str().to_owned(),
        item_name: view.item_name.clone(),
        applicant: s.applicant_name.clone(),
        state: format!("state.{}", s.state),
        received: time(&s.received_at),
        due: s.due_at.as_ref().map_or_else(|| "—".to_owned(), time),
        remaining: view
            .step_clock
            .or(view.clock)
            .filter(|_| !s.state.is_closed())
            .map(|c| c.remaining_days),
        level: level_name(view.level, s.state),
    }
}

fn level_name(level: WarningLevel, state: CaseState) -> &'static str {
    if state.is_closed() {
        return "none";
    }
    match level {
        WarningLevel::Green => "green",
        WarningLevel::Yellow => "yellow",
        WarningLevel::Red => "red",
    }
}

/// A page of cases with their clocks: the list functions page on the server, and each row
/// reads its case through the same use case as the case page, so a row's colour is the case's.
pub async fn rows(
    app: &App,
    signed: &Signed,
    filter: &CaseFilter,
) -> Result<(Vec<Row>, i64), PageError> {
    let (cases, total) = app.list_cases(&signed.session, filter).await?;
    let mut out = Vec::with_capacity(cases.len());
    for summary in &cases {
        out.push(row(&app.case_view(&signed.session, summary.id).await?));
    }
    Ok((out, total))
}

/// A filter over open cases in `state`, most urgent first.
pub fn waiting(state: CaseState, limit: i64, offset: i64) -> CaseFilter {
    CaseFilter {
        state: Some(state),
        open_only: true,
        unit: None,
        department: None,
        item: None,
        received_from: None,
        received_before: None,
        due_before: None,
        search: None,
        sort: CaseSort::DueAsc,
        limit,
        offset,
    }
}

/// The states in which a case waits for someone with these roles.
pub fn inbox_states(roles: &[Role]) -> Vec<CaseState> {
    let mut states = Vec::new();
    for role in roles {
        let for_role: &[CaseState] = match role {
            Role::WindowClerk => &[
                CaseState::Submitted,
                CaseState::AwaitingSupplement,
                CaseState::Decided,
            ],
            Role::HandlingOfficer => &[CaseState::Handling, CaseState::SpecialProcedure],
            Role::Reviewer => &[CaseState::Reviewing],
            Role::Approver => &[CaseState::Deciding],
            _ => &[],
        };
        for s in for_role {
            if !states.contains(s) {
                states.push(*s);
            }
        }
    }
    states
}

pub struct Tab {
    pub href: String,
    pub key: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    c: Ctx,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    p: Pager,
}

pub async fn inbox(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let states = inbox_states(&signed.session.staff.roles);
    let chosen = q
        .get("state")
        .parse::<CaseState>()
        .ok()
        .filter(|s| states.contains(s))
        .or(states.first().copied());
    let page_no = q.page();
    let (rows, total) = match chosen {
        Some(state) => {
            rows(
                &app,
                &signed,
                &waiting(state, PER_PAGE, (page_no - 1) * PER_PAGE),
            )
            .await?
        }
        None => (Vec::new(), 0),
    };
    let tabs = states
        .iter()
        .map(|s| Tab {
            href: format!("/inbox?state={s}"),
            key: format!("state.{s}"),
            active: Some(*s) == chosen,
        })
        .collect();
    let base = chosen.map_or_else(|| "/inbox".to_owned(), |s| format!("/inbox?state={s}"));
    Ok(page(&InboxPage {
        c: signed.ctx("/inbox"),
        tabs,
        rows,
        p: Pager::new(&base, page_no, PER_PAGE, total),
    }))
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    c: Ctx,
    rows: Vec<Row>,
    p: Pager,
    q: String,
    state: String,
    states: Vec<(String, String)>,
    open: bool,
    overdue: bool,
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let state = q.get("state").parse::<CaseState>().ok();
    let (open, overdue) = (q.get("open") == "1", q.get("overdue") == "1");
    let page_no = q.page();
    let filter = CaseFilter {
        state,
        open_only: open || overdue,
        unit: None,
        department: None,
        item: None,
        received_from: None,
        received_before: None,
        due_before: overdue.then(|| app.now()),
        search: q.opt("q").map(str::to_owned),
        sort: if overdue {
            CaseSort::DueAsc
        } else {
            CaseSort::ReceivedDesc
        },
        limit: PER_PAGE,
        offset: (page_no - 1) * PER_PAGE,
    };
    let (rows, total) = rows(&app, &signed, &filter).await?;
    let state_text = state.map(|s| s.to_string()).unwrap_or_default();
    let base = query(
        "/cases",
        &[
            ("q", q.get("q").trim()),
            ("state", &state_text),
            ("open", if open { "1" } else { "" }),
            ("overdue", if overdue { "1" } else { "" }),
        ],
    );
    Ok(page(&ListPage {
        c: signed.ctx("/cases"),
        rows,
        p: Pager::new(&base, page_no, PER_PAGE, total),
        q: q.get("q").trim().to_owned(),
        state: state_text,
        states: CaseState::ALL
            .iter()
            .map(|s| (s.to_string(), format!("state.{s}")))
            .collect(),
        open,
        overdue,
    }))
}

/// One material of the item, and whether it was handed in.
pub struct MaterialLine {
    pub name: String,
    pub form: String,
    pub count: u32,
    pub optional: bool,
    pub received: bool,
}

/// One event of the timeline.
pub struct TimelineEntry {
    pub at: String,
    pub kind: String,
    pub unit: String,
    pub actor: String,
    pub details: Vec<(String, String)>,
    pub comment: String,
    /// "录像": the page of the camera that watched the event, when one did and the reader
    /// may see cameras.
    pub footage: Option<String>,
}

/// The form of one allowed action, with what was typed into it if it failed.
pub struct ActionForm {
    pub name: String,
    pub open: bool,
    pub values: HashMap<String, String>,
    pub error: Option<String>,
    pub error_field: Option<String>,
}

impl ActionForm {
    /// The value typed in the `i`th of a repeated field (`fee_kind_0`, `fee_kind_1`…).
    pub fn vi(&self, field: &str, i: &usize) -> &str {
        self.v(&format!("{field}_{i}"))
    }

    pub fn v(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn err_on(&self, field: &str) -> bool {
        self.error_field.as_deref() == Some(field)
    }

    pub fn label(&self) -> String {
        format!("action.{}", self.name)
    }
}

#[derive(Template)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    c: Ctx,
    id: i64,
    number: String,
    version: u32,
    item_name: String,
    item_code: String,
    applicant: String,
    id_number: String,
    phone: String,
    channel: String,
    state: String,
    received: String,
    accepted: String,
    due: String,
    step_due: String,
    limit_days: Option<u32>,
    used_days: Option<u32>,
    paused: bool,
    level: &'static str,
    materials: Vec<MaterialLine>,
    extra_materials: Vec<String>,
    missing_now: Vec<String>,
    timeline: Vec<TimelineEntry>,
    actions: Vec<ActionForm>,
    return_steps: Vec<(String, String)>,
    procedures: Vec<(String, String)>,
    prints: Vec<(String, String)>,
    /// The action just done: its name and its words' key.
    done: Option<(String, String)>,
    problem: Option<String>,
    /// Offer "登记代办" (a proxied case of the clerk's unit not yet in the ledger).
    proxy_register: bool,
    /// The case's proxy ledger line, when it has one.
    proxy_line: Option<i64>,
    /// Its electronic certificates (电子证照), the latest edition first.
    certificates: Vec<CertificateLine>,
    /// Offer "签发/换发证照": an approved licence, certificates configured, a role that issues.
    can_issue: bool,
    /// The case's payment notice (缴款通知) and where its payment stands.
    payment: Option<PaymentLine>,
    /// The files the applicant uploaded online: id, material, file name.
    files: Vec<(i64, String, String)>,
    /// The item's fees (name, standard in yuan), for waivers and reductions at acceptance.
    fees: Vec<(String, String)>,
}

/// A case's payment as the case page shows it.
pub(crate) struct PaymentLine {
    pub id: i64,
    pub code: String,
    pub amount: String,
    pub amount_fen: i64,
    pub state: String,
    pub settlement: String,
    pub version: u32,
    /// A window clerk may take it at the counter now.
    pub can_take: bool,
    /// An approver may give it back now.
    pub can_refund: bool,
}

/// A certificate as the case page lists it.
pub(crate) struct CertificateLine {
    pub id: i64,
    pub edition: u32,
    pub identifier: String,
    pub title: String,
    pub issued_on: String,
    /// The last day in force, `None` for no expiry.
    pub valid_until: Option<String>,
    pub valid: bool,
    pub revoke_reason: String,
    pub version: u32,
    /// The reader may revoke it (an approver of its department, or a supervisor).
    pub can_revoke: bool,
}

fn unit_name(units: &[UnitRecord], id: liandong_domain::organization::UnitId) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn details(kind: &EventKind, l: Lang) -> Vec<(String, String)> {
    let t = |k: &str| l.t(k).to_owned();
    let list = |v: &[String]| v.join("、");
    match kind {
        EventKind::Received {
            materials, channel, ..
        } => vec![
            (
                t("case.channel"),
                l.named("channel", channel.as_str()).into(),
            ),
            (t("case.materials"), list(materials)),
        ],
        EventKind::Accepted { first_step } => {
            vec![(
                t("guide.steps"),
                l.named("step", first_step.as_str()).into(),
            )]
        }
        EventKind::IntakeRefused {
            reason,
            legal_basis,
        }
        | EventKind::Denied {
            reason,
            legal_basis,
        } => vec![
            (t("field.reason"), reason.clone()),
            (t("field.legal_basis"), legal_basis.clone()),
        ],
        EventKind::SupplementRequested { missing, .. } => {
            vec![(t("case.material_missing"), list(missing))]
        }
        EventKind::Supplemented { received } => {
            vec![(t("case.material_received"), list(received))]
        }
        EventKind::Handled { opinion, .. }
        | EventKind::Reviewed { opinion, .. }
        | EventKind::Approved { opinion } => vec![(t("field.opinion"), opinion.clone())],
        EventKind::Concluded { delivery, .. } => vec![(t("field.delivery"), delivery.clone())],
        EventKind::Returned { to, reason } => vec![
            (t("field.return_to"), l.named("step", to.as_str()).into()),
            (t("field.reason"), reason.clone()),
        ],
        EventKind::SpecialProcedureStarted {
            procedure,
            stated_days,
            reason,
        } => vec![
            (
                t("field.procedure"),
                l.named("procedure", procedure.as_str()).into(),
            ),
            (t("field.stated_days"), stated_days.to_string()),
            (t("field.reason"), reason.clone()),
        ],
        EventKind::SpecialProcedureEnded { result } => vec![(t("field.result"), result.clone())],
        EventKind::ExtensionGranted { days, reason } => vec![
            (t("field.days"), days.to_string()),
            (t("field.reason"), reason.clone()),
        ],
        EventKind::Withdrawn { reason } => vec![(t("field.reason"), reason.clone())],
    }
}

fn applicant_parts(applicant: &Applicant) -> (String, String) {
    match applicant {
        Applicant::Person { name, resident_id } => (name.clone(), resident_id.as_str().to_owned()),
        Applicant::Organisation { name, credit_code } => {
            (name.clone(), credit_code.as_str().to_owned())
        }
    }
}

/// Which notices can be printed for a case, from its history.
fn printable(view: &CaseView) -> Vec<&'static str> {
    let has = |f: fn(&EventKind) -> bool| view.events.iter().any(|e| f(&e.kind));
    let mut out = Vec::new();
    if view.case.accepted_at.is_some() && !has(|k| matches!(k, EventKind::Concluded { .. })) {
        out.push("acceptance");
    }
    if has(|k| matches!(k, EventKind::SupplementRequested { .. })) {
        out.push("supplement");
    }
    if has(|k| matches!(k, EventKind::IntakeRefused { .. })) {
        out.push("refusal");
    }
    if has(|k| matches!(k, EventKind::Concluded { .. })) {
        out.push("conclusion");
    }
    out
}

/// What a failed action leaves on the page: which form, what was typed, and why.
pub struct Failed {
    pub action: String,
    pub typed: Form,
    pub message: String,
    pub field: Option<String>,
}

pub(crate) async fn case_page(
    app: &App,
    signed: &Signed,
    view: CaseView,
    done: Option<(String, String)>,
    failed: Option<Failed>,
    problem: Option<String>,
) -> Result<CasePage, PageError> {
    let l = signed.lang;
    let item = app
        .item_version(view.summary.item_id, view.summary.item_version)
        .await?;
    let units = app.units().await?;
    let s = &view.summary;
    let (applicant, id_number) = applicant_parts(&view.case.applicant);
    let materials: Vec<MaterialLine> = item
        .materials
        .iter()
        .map(|m| MaterialLine {
            name: m.name.clone(),
            form: format!("form.{}", m.form),
            count: m.count,
            optional: m.optional,
            received: view.case.materials_received.contains(&m.name),
        })
        .collect();
    let extra_materials = view
        .case
        .materials_received
        .iter()
        .filter(|r| !item.materials.iter().any(|m| &m.name == *r))
        .cloned()
        .collect();
    let missing_now: Vec<String> = view
        .case
        .missing_materials(&item)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let actors: Vec<_> = view.events.iter().filter_map(|e| e.actor).collect();
    let names = app.staff_names(&signed.session, &actors).await?;
    let watched = app
        .events_with_cameras(&signed.session, view.summary.id, &view.events)
        .await?;
    let timeline = view
        .events
        .iter()
        .rev()
        .map(|e: &CaseEvent| TimelineEntry {
            at: time(&e.at),
            kind: format!("event.{}", e.kind.type_name()),
            unit: unit_name(&units, e.unit),
            actor: match e.actor {
                Some(staff) => names.get(&staff).cloned().unwrap_or_default(),
                None => l.t("case.by_applicant_online").to_owned(),
            },
            details: details(&e.kind, l),
            comment: e.comment.clone(),
            footage: watched
                .contains(&e.seq)
                .then(|| format!("/video/cases/{}/events/{}", view.summary.id.0, e.seq)),
        })
        .collect();
    let actions = action_forms(&view, &item, &missing_now, failed, l);
    let (proxy_register, proxy_line) =
        crate::pages::proxy::case_proxy(app, signed, s.id, s.channel, s.received_unit_id).await?;
    let current = view
        .case
        .resume_state
        .filter(|_| view.case.state.step().is_none())
        .unwrap_or(view.case.state)
        .step();
    let return_steps = item
        .steps
        .iter()
        .map(|st| st.kind)
        .filter(|k| current.is_some_and(|c| *k < c))
        .map(|k: StepKind| (k.to_string(), format!("step.{k}")))
        .collect();
    let staff = &signed.session.staff;
    let certificates = app
        .case_certificates(&signed.session, s.id)
        .await?
        .into_iter()
        .map(|c| CertificateLine {
            can_revoke: c.state == CertificateState::Valid
                && (staff.roles.contains(&Role::Supervisor)
                    || (staff.roles.contains(&Role::Approver)
                        && staff.department_id == Some(c.department_id))),
            id: c.id,
            edition: c.edition,
            identifier: c.identifier,
            title: c.title,
            issued_on: date(&c.issued_on),
            valid_until: c.valid_until.as_ref().map(date),
            valid: c.state == CertificateState::Valid,
            revoke_reason: c.revoke_reason,
            version: c.version,
        })
        .collect();
    let can_issue = app.certificates.is_some()
        && item.kind == liandong_domain::catalog::ItemKind::Licence
        && s.outcome == Some(liandong_domain::case::Outcome::Approved)
        && [Role::Approver, Role::WindowClerk, Role::Supervisor]
            .iter()
            .any(|r| staff.roles.contains(r));
    let payment = app
        .case_payment(&signed.session, s.id)
        .await?
        .map(|v| PaymentLine {
            can_take: staff.roles.contains(&Role::WindowClerk)
                && matches!(
                    v.payment.state,
                    PaymentState::Created | PaymentState::Failed
                ),
            can_refund: staff.roles.contains(&Role::Approver)
                && v.payment.state == PaymentState::Paid,
            id: v.record.id,
            code: v.payment.notice.code.grouped(),
            amount: format!(
                "{}.{:02}",
                v.record.amount_fen / 100,
                v.record.amount_fen % 100
            ),
            amount_fen: v.record.amount_fen,
            state: format!("payment_state.{}", v.payment.state),
            settlement: v
                .payment
                .settlement
                .as_ref()
                .map(|s| match l {
                    Lang::Zh => s.describe_zh(),
                    Lang::En => s.describe_en(),
                })
                .unwrap_or_default(),
            version: v.record.version,
        });
    let files = app
        .case_files(&signed.session, s.id)
        .await?
        .into_iter()
        .map(|f| (f.id, f.material, f.file_name))
        .collect();
    let fees = item
        .fees
        .iter()
        .filter(|f| f.amount_fen > 0)
        .map(|f| (f.name.clone(), crate::view::yuan(&f.amount_fen)))
        .collect();
    Ok(CasePage {
        fees,
        files,
        payment,
        certificates,
        can_issue,
        c: signed.ctx("/cases"),
        id: s.id.0,
        number: s.number.as_str().to_owned(),
        version: s.version,
        item_name: view.item_name.clone(),
        item_code: item.code.to_string(),
        applicant,
        id_number,
        phone: view.case.phone.as_str().to_owned(),
        channel: format!("channel.{}", s.channel),
        state: format!("state.{}", s.state),
        received: time(&s.received_at),
        accepted: s.accepted_at.as_ref().map_or_else(|| "—".into(), time),
        due: due_text(
            view.clock.and_then(|c| c.due_at),
            view.summary.due_provisional,
            l,
        ),
        step_due: due_text(view.step_clock.and_then(|c| c.due_at), false, l),
        limit_days: view.clock.map(|c| c.limit_days),
        used_days: view.clock.map(|c| c.used_days),
        paused: view.case.open_pause().is_some(),
        level: level_name(view.level, s.state),
        materials,
        extra_materials,
        missing_now,
        timeline,
        actions,
        return_steps,
        procedures: PROCEDURES
            .iter()
            .map(|p| (p.to_string(), format!("procedure.{p}")))
            .collect(),
        prints: printable(&view)
            .into_iter()
            .map(|d| (d.to_owned(), format!("print.{d}")))
            .collect(),
        done,
        problem,
        proxy_register,
        proxy_line,
    })
}

fn due_text(at: Option<DateTime<Utc>>, provisional: bool, l: Lang) -> String {
    match at {
        Some(at) if provisional => format!("{}{}", time(&at), l.t("common.provisional")),
        Some(at) => time(&at),
        None => "—".to_owned(),
    }
}

fn action_forms(
    view: &CaseView,
    item: &ServiceItem,
    missing_now: &[String],
    failed: Option<Failed>,
    l: Lang,
) -> Vec<ActionForm> {
    view.allowed_actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let name = a.as_str().to_owned();
            let mut values = HashMap::new();
            match a {
                ActionName::RequestSupplement => {
                    values.insert("missing".to_owned(), missing_now.join("\n"));
                }
                ActionName::Conclude | ActionName::ConcludeOnTheSpot => {
                    values.insert(
                        "delivery".to_owned(),
                        l.t("field.delivery_default").to_owned(),
                    );
                }
                ActionName::GrantExtension => {
                    values.insert("days".to_owned(), item.extension_limit_days.to_string());
                }
                _ => {}
            }
            let mut form = ActionForm {
                open: i == 0,
                name,
                values,
                error: None,
                error_field: None,
            };
            if let Some(f) = failed.as_ref().filter(|f| f.action == form.name) {
                for field in [
                    "reason",
                    "legal_basis",
                    "missing",
                    "received_more",
                    "opinion",
                    "delivery",
                    "to",
                    "procedure",
                    "stated_days",
                    "result",
                    "days",
                    "comment",
                ] {
                    if !f.typed.get(field).is_empty() {
                        form.values
                            .insert(field.to_owned(), f.typed.get(field).to_owned());
                    }
                }
                // The fee lines of an acceptance: fee_kind_0, fee_yuan_0, fee_reason_0…
                for i in 0..item.fees.len() {
                    for field in ["fee_kind", "fee_yuan", "fee_reason"] {
                        let key = format!("{field}_{i}");
                        if !f.typed.get(&key).is_empty() {
                            form.values
                                .insert(key.clone(), f.typed.get(&key).to_owned());
                        }
                    }
                }
                form.open = true;
                form.error = Some(f.message.clone());
                form.error_field.clone_from(&f.field);
            }
            form
        })
        .collect()
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.case_view(&signed.session, CaseId(id)).await?;
    let done = q
        .get("done")
        .parse::<ActionName>()
        .ok()
        .map(|a| (a.to_string(), format!("action.{a}")));
    let page_data = case_page(&app, &signed, view, done, None, None).await?;
    Ok(page(&page_data))
}

/// A field that does not parse, shown beside it.
fn unparsed(form: &Form, field: &str, l: Lang) -> Failed {
    Failed {
        action: form.get("action").to_owned(),
        typed: form.clone(),
        message: l.t("field.unparsed").to_owned(),
        field: Some(field.to_owned()),
    }
}

/// A field parsed into `T` (a number, a step, a procedure).
fn parsed<T: std::str::FromStr>(form: &Form, field: &str, l: Lang) -> Result<T, Failed> {
    form.get(field)
        .trim()
        .parse::<T>()
        .map_err(|_| unparsed(form, field, l))
}

/// The action a form asks for.
fn action_of(form: &Form, l: Lang) -> Result<Option<Action>, Failed> {
    let text = |f: &str| form.get(f).trim().to_owned();
    let name = match form.get("action").parse::<ActionName>() {
        Ok(name) => name,
        Err(_) => return Ok(None),
    };
    Ok(Some(match name {
        ActionName::Accept => Action::Accept,
        ActionName::RefuseIntake => Action::RefuseIntake {
            reason: text("reason"),
            legal_basis: text("legal_basis"),
        },
        ActionName::RequestSupplement => Action::RequestSupplement {
            missing: form.lines("missing"),
        },
        ActionName::Supplement => {
            let mut received = form.all("received");
            received.extend(form.lines("received_more"));
            Action::Supplement { received }
        }
        ActionName::Handle => Action::Handle {
            opinion: text("opinion"),
        },
        ActionName::Review => Action::Review {
            opinion: text("opinion"),
        },
        ActionName::Approve => Action::Approve {
            opinion: text("opinion"),
        },
        ActionName::Deny => Action::Deny {
            reason: text("reason"),
            legal_basis: text("legal_basis"),
        },
        ActionName::Conclude => Action::Conclude {
            delivery: text("delivery"),
        },
        ActionName::ConcludeOnTheSpot => Action::ConcludeOnTheSpot {
            delivery: text("delivery"),
        },
        ActionName::Return => Action::Return {
            to: parsed::<StepKind>(form, "to", l)?,
            reason: text("reason"),
        },
        ActionName::StartSpecialProcedure => Action::StartSpecialProcedure {
            procedure: parsed(form, "procedure", l)?,
            stated_days: parsed(form, "stated_days", l)?,
            reason: text("reason"),
        },
        ActionName::EndSpecialProcedure => Action::EndSpecialProcedure {
            result: text("result"),
        },
        ActionName::GrantExtension => Action::GrantExtension {
            days: parsed(form, "days", l)?,
            reason: text("reason"),
        },
        ActionName::Withdraw => Action::Withdraw {
            reason: text("reason"),
        },
    }))
}

/// The field a workflow error is about, to show the message beside it.
/// The waivers and reductions an acceptance form carries: for the item's fee `i`,
/// `fee_name_i`, `fee_kind_i` (`standard`, `reduced`, `waived`), `fee_yuan_i` and
/// `fee_reason_i`. A fee left at its standard is not named.
fn fee_decisions(form: &Form) -> Result<Vec<FeeDecision>, AppError> {
    let mut decisions = Vec::new();
    for i in 0.. {
        let Some(name) = form.opt(&format!("fee_name_{i}")) else {
            break;
        };
        let reason = form.get(&format!("fee_reason_{i}")).to_owned();
        let (kind, assessed_fen) = match form.get(&format!("fee_kind_{i}")) {
            "waived" => (AdjustmentKind::Waived, 0),
            "reduced" => {
                let yuan = form.get(&format!("fee_yuan_{i}")).trim();
                let fen = crate::view::parse_yuan(yuan).ok_or_else(|| {
                    AppError::invalid(
                        "fees",
                        format!("“{name}”的减收后金额应为元，如12.50"),
                        format!("the reduced amount of `{name}` is in yuan, e.g. 12.50"),
                    )
                })?;
                (AdjustmentKind::Reduced, fen)
            }
            _ => continue,
        };
        decisions.push(FeeDecision {
            name: name.to_owned(),
            assessed_fen,
            adjustment: Some(Adjustment { kind, reason }),
        });
    }
    Ok(decisions)
}

fn field_of(e: &AppError) -> Option<String> {
    match e {
        AppError::Workflow(WorkflowError::Required { field, .. }) => Some((*field).to_owned()),
        AppError::Workflow(WorkflowError::ExtensionTooLong { .. }) => Some("days".to_owned()),
        AppError::Workflow(WorkflowError::BadStatedDays) => Some("stated_days".to_owned()),
        _ => None,
    }
}

pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let id = CaseId(id);
    let expected = form.expected_version()?;
    let failed = match action_of(&form, l) {
        Ok(None) => return Err(PageError::BadForm),
        Ok(Some(action)) => {
            let acted = match fee_decisions(&form) {
                Ok(fees) => {
                    app.act_with_fees(
                        &signed.session,
                        id,
                        expected,
                        &action,
                        form.get("comment"),
                        &fees,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            match acted {
                Ok(view) => {
                    return Ok(Redirect::to(&format!(
                        "/cases/{}?done={}",
                        view.summary.id.0,
                        action.name()
                    ))
                    .into_response());
                }
                Err(e @ (AppError::NotFound(_) | AppError::Storage(_))) => return Err(e.into()),
                Err(e @ AppError::Conflict { .. }) => {
                    // Shown on the case as it is now, with the clerk's words kept.
                    let view = app.case_view(&signed.session, id).await?;
                    let page_data =
                        case_page(&app, &signed, view, None, None, Some(message(&e, l))).await?;
                    return Ok(render(StatusCode::CONFLICT, &page_data));
                }
                Err(e) => (
                    status_of(&e).0,
                    Failed {
                        action: form.get("action").to_owned(),
                        typed: form.clone(),
                        message: message(&e, l),
                        field: field_of(&e),
                    },
                ),
            }
        }
        Err(f) => (StatusCode::UNPROCESSABLE_ENTITY, f),
    };
    let (status, failed) = failed;
    let view = app.case_view(&signed.session, id).await?;
    let problem = Some(failed.message.clone());
    let page_data = case_page(&app, &signed, view, None, Some(failed), problem).await?;
    Ok(render(status, &page_data))
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    l: Lang,
    doc: String,
    title: String,
    number: String,
    unit: String,
    applicant: String,
    id_number: String,
    item_name: String,
    received: String,
    date: String,
    due: Option<String>,
    list: Vec<String>,
    reason: Option<(String, String)>,
    delivery: Option<String>,
    back: String,
}

fn last_event<'a, T>(
    events: &'a [CaseEvent],
    f: impl Fn(&'a EventKind) -> Option<T>,
) -> Option<(&'a CaseEvent, T)> {
    events.iter().rev().find_map(|e| f(&e.kind).map(|t| (e, t)))
}

pub async fn print(
    State(app): State<App>,
    signed: Signed,
    Path((id, doc)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let view = app.case_view(&signed.session, CaseId(id)).await?;
    if !printable(&view).contains(&doc.as_str()) {
        return Err(PageError::NotFound);
    }
    let units = app.units().await?;
    let s = &view.summary;
    let (applicant, id_number) = applicant_parts(&view.case.applicant);
    let mut list = Vec::new();
    let mut reason = None;
    let mut delivery = None;
    let mut due = None;
    let mut at = s.received_at;
    match doc.as_str() {
        "acceptance" => {
            at = view.case.accepted_at.unwrap_or(at);
            due = view.clock.and_then(|c| c.due_at).map(|d| time(&d));
        }
        "supplement" => {
            if let Some((e, missing)) = last_event(&view.events, |k| match k {
                EventKind::SupplementRequested { missing, .. } => Some(missing),
                _ => None,
            }) {
                at = e.at;
                list.clone_from(missing);
            }
        }
        "refusal" => {
            if let Some((e, r)) = last_event(&view.events, |k| match k {
                EventKind::IntakeRefused {
                    reason,
                    legal_basis,
                } => Some((reason.clone(), legal_basis.clone())),
                _ => None,
            }) {
                at = e.at;
                reason = Some(r);
            }
        }
        _ => {
            if let Some((e, d)) = last_event(&view.events, |k| match k {
                EventKind::Concluded { delivery, .. } => Some(delivery.clone()),
                _ => None,
            }) {
                at = e.at;
                delivery = Some(d);
            }
            if let Some(outcome) = s.outcome {
                list.push(l.named("outcome", outcome.as_str()).to_owned());
            }
        }
    }
    Ok(page(&PrintPage {
        l,
        title: format!("print.{doc}"),
        doc,
        number: s.number.as_str().to_owned(),
        unit: unit_name(&units, s.received_unit_id),
        applicant,
        id_number,
        item_name: view.item_name.clone(),
        received: time(&s.received_at),
        date: time(&at),
        due,
        list,
        reason,
        delivery,
        back: format!("/cases/{id}"),
    }))
}

/// Counts for the dashboard: one page of one row per filter, reading only the total.
pub async fn count(app: &App, signed: &Signed, filter: CaseFilter) -> Result<i64, PageError> {
    let filter = CaseFilter { limit: 1, ..filter };
    Ok(app.list_cases(&signed.session, &filter).await?.1)
}
