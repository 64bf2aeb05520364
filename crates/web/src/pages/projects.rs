//! Key projects and the green channel (重点项目 · 绿色通道): the list (a supervisor's is the
//! district's), registering a project with its plan of approvals at the green-channel window,
//! and the project page: approvals, what blocks what, the Gantt chart, opening the approvals
//! that are ready, and joint review meetings.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::projects::{JointReviewInput, ProjectInput, ProjectView};
use liandong_app::{App, AppError, FieldError};
use liandong_domain::catalog::ItemCode;
use liandong_domain::ids::{CreditCode, PhoneNumber};
use liandong_domain::organization::{Role, UnitKind};
use liandong_domain::project::{ApprovalStatus, DEFAULT_TARGET_DAYS, PlannedApproval, gantt_svg};
use liandong_store::DepartmentOpinion;

use crate::error::{PageError, message};
use crate::form::{FieldErrors, Params};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, opt_time, page, render, time};

pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub applicant: String,
    pub created: String,
    pub opened: String,
    pub target_days: u32,
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectsPage {
    c: Ctx,
    rows: Vec<ProjectRow>,
    can_register: bool,
}

/// Whether the session is a window clerk at the hall or a branch hall (the green channel).
async fn at_green_channel(app: &App, signed: &Signed) -> Result<bool, PageError> {
    if signed.session.require(Role::WindowClerk).is_err() {
        return Ok(false);
    }
    let unit = app
        .store
        .unit(signed.session.staff.unit_id)
        .await
        .map_err(AppError::from)?;
    Ok(matches!(
        unit.kind,
        UnitKind::DistrictHall | UnitKind::BranchHall
    ))
}

pub async fn list(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    let projects = app.projects(&signed.session).await?;
    Ok(page(&ProjectsPage {
        c: signed.ctx("/projects"),
        rows: projects
            .iter()
            .rev()
            .map(|p| ProjectRow {
                id: p.id,
                name: p.name.clone(),
                applicant: p.applicant_name.clone(),
                created: time(&p.created_at),
                opened: opt_time(&p.opened_at),
                target_days: p.target_days,
            })
            .collect(),
        can_register: at_green_channel(&app, &signed).await?,
    }))
}

#[derive(Template)]
#[template(path = "project_new.html")]
struct NewProjectPage {
    c: Ctx,
    name: String,
    code: String,
    applicant_name: String,
    credit_code: String,
    phone: String,
    target_days: String,
    plan: String,
    e: FieldErrors,
    problem: Option<String>,
}

fn new_page(signed: &Signed) -> NewProjectPage {
    NewProjectPage {
        c: signed.ctx("/projects"),
        name: String::new(),
        code: String::new(),
        applicant_name: String::new(),
        credit_code: String::new(),
        phone: String::new(),
        target_days: DEFAULT_TARGET_DAYS.to_string(),
        plan: String::new(),
        e: FieldErrors::default(),
        problem: None,
    }
}

pub async fn new_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    if !at_green_channel(&app, &signed).await? {
        return Err(AppError::RoleRequired {
            role: Role::WindowClerk,
        }
        .into());
    }
    Ok(page(&new_page(&signed)))
}

/// The plan as typed, one approval a line: `item code | stage | numbers of the lines it
/// waits for` (counted from 1, separated by commas), e.g. `XK00002000 | 施工许可 | 1, 2`.
pub fn parse_plan(text: &str) -> Result<Vec<PlannedApproval>, FieldError> {
    let mut plan = Vec::new();
    for (n, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let mut parts = line.split(['|', '｜']).map(str::trim);
        let bad = |zh: &str, en: &str| {
            FieldError::new(
                "plan",
                format!("第{}行：{zh}", n + 1),
                format!("line {}: {en}", n + 1),
            )
        };
        let item_code = ItemCode::parse(parts.next().unwrap_or_default())
            .map_err(|_| bad("事项编码有误", "the item code is wrong"))?;
        let stage = parts.next().unwrap_or_default().to_owned();
        let depends_on = parts
            .next()
            .unwrap_or_default()
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| match d.parse::<usize>() {
                Ok(k) if k >= 1 => Ok(k - 1),
                _ => Err(bad(
                    "依赖应为行号（从1起）",
                    "a prerequisite is a line number (from 1)",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        plan.push(PlannedApproval {
            item_code,
            stage,
            depends_on,
        });
    }
    Ok(plan)
}

pub async fn register(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = new_page(&signed);
    data.name = form.get("name").trim().to_owned();
    data.code = form.get("code").trim().to_owned();
    data.applicant_name = form.get("applicant_name").trim().to_owned();
    data.credit_code = form.get("credit_code").trim().to_owned();
    data.phone = form.get("phone").trim().to_owned();
    data.target_days = form.get("target_days").trim().to_owned();
    data.plan = form.get("plan").to_owned();
    let mut errors = Vec::new();
    let credit_code = CreditCode::parse(&data.credit_code)
        .map_err(|e| errors.push(FieldError::from_bilingual("credit_code", &e)))
        .ok();
    let phone = PhoneNumber::parse(&data.phone)
        .map_err(|e| errors.push(FieldError::from_bilingual("phone", &e)))
        .ok();
    let target_days = match data.target_days.parse::<u32>() {
        Ok(days) => Some(days),
        Err(_) => {
            errors.push(FieldError::new(
                "target_days",
                "目标应为工作日数",
                "the target is a number of working days",
            ));
            None
        }
    };
    let plan = parse_plan(&data.plan)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let (Some(credit_code), Some(phone), true) = (credit_code, phone, errors.is_empty()) else {
        data.e = FieldErrors::new(errors);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data));
    };
    let input = ProjectInput {
        name: data.name.clone(),
        code: data.code.clone(),
        applicant_name: data.applicant_name.clone(),
        credit_code,
        phone,
        target_days,
        approvals: plan,
    };
    match app.register_project(&signed.session, &input).await {
        Ok(view) => Ok(Redirect::to(&format!("/projects/{}", view.project.id)).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(AppError::Invalid(errors)) => {
            // The plan's own errors name `approvals`; on the page that is the plan's box.
            data.e = FieldErrors::new(
                errors
                    .into_iter()
                    .map(|mut e| {
                        if e.field == "approvals" {
                            e.field = "plan".into();
                        }
                        e
                    })
                    .collect(),
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data))
        }
        Err(e) => {
            let status = crate::error::status_of(&e).0;
            data.problem = Some(message(&e, signed.lang));
            Ok(render(status, &data))
        }
    }
}

pub struct ApprovalRow {
    pub position: usize,
    pub item_name: String,
    pub item_code: String,
    pub stage: String,
    pub waits_for: String,
    pub status: &'static str,
    pub case: Option<(i64, String)>,
    pub late: bool,
}

pub struct ReviewRow {
    pub held_at: String,
    pub departments: String,
    pub opinions: Vec<(String, String)>,
    pub decisions: String,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    c: Ctx,
    id: i64,
    name: String,
    code: String,
    applicant: String,
    created: String,
    opened: String,
    target_days: u32,
    version: u32,
    approvals: Vec<ApprovalRow>,
    reviews: Vec<ReviewRow>,
    gantt: String,
    /// Working days used, the standard, the speed-up in percent.
    used_days: u32,
    standard_days: u32,
    speedup: Option<i64>,
    complete: bool,
    late: bool,
    /// The agent may open the ready approvals; the agent or a supervisor records a meeting.
    can_open: bool,
    can_review: bool,
    ready: usize,
    e: FieldErrors,
    problem: Option<String>,
    review_departments: String,
    review_opinions: String,
    review_decisions: String,
    done: Option<&'static str>,
}

fn status_key(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::Waiting => "project.status.waiting",
        ApprovalStatus::Ready => "project.status.ready",
        ApprovalStatus::InProgress => "project.status.in_progress",
        ApprovalStatus::Approved => "project.status.approved",
        ApprovalStatus::Failed => "project.status.failed",
        ApprovalStatus::Blocked => "project.status.blocked",
    }
}

fn project_page(app: &App, signed: &Signed, view: &ProjectView) -> ProjectPage {
    let p = &view.project;
    let names: Vec<String> = view.approvals.iter().map(|a| a.item_name.clone()).collect();
    let is_agent = p.agent_id == signed.session.staff.id;
    ProjectPage {
        c: signed.ctx("/projects"),
        id: p.id,
        name: p.name.clone(),
        code: p.code.clone(),
        applicant: p.applicant_name.clone(),
        created: time(&p.created_at),
        opened: opt_time(&p.opened_at),
        target_days: p.target_days,
        version: p.version,
        approvals: view
            .approvals
            .iter()
            .map(|a| ApprovalRow {
                position: a.index + 1,
                item_name: a.item_name.clone(),
                item_code: a.item_code.to_string(),
                stage: a.stage.clone(),
                waits_for: a
                    .depends_on
                    .iter()
                    .map(|d| (d + 1).to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
                status: status_key(a.status),
                case: a.case.as_ref().map(|c| (c.id.0, c.number.to_string())),
                late: view.timeline.rows.get(a.index).is_some_and(|r| r.late),
            })
            .collect(),
        reviews: view
            .reviews
            .iter()
            .rev()
            .map(|r| ReviewRow {
                held_at: time(&r.held_at),
                departments: r.departments.join("、"),
                opinions: r
                    .opinions
                    .iter()
                    .map(|o| (o.department.clone(), o.opinion.clone()))
                    .collect(),
                decisions: r.decisions.clone(),
            })
            .collect(),
        gantt: gantt_svg(&view.timeline, &names, app.now()),
        used_days: view.timeline.working_days_used,
        standard_days: view.timeline.standard_days,
        speedup: view.timeline.speedup.map(|s| (s * 100.0).round() as i64),
        complete: view.timeline.complete,
        late: view.timeline.late,
        can_open: is_agent,
        can_review: is_agent || signed.session.require(Role::Supervisor).is_ok(),
        ready: view
            .approvals
            .iter()
            .filter(|a| a.status == ApprovalStatus::Ready)
            .count(),
        e: FieldErrors::default(),
        problem: None,
        review_departments: String::new(),
        review_opinions: String::new(),
        review_decisions: String::new(),
        done: None,
    }
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let view = app.project_view(&signed.session, id).await?;
    let mut data = project_page(&app, &signed, &view);
    data.done = match q.get("done") {
        "open" => Some("project.opened_done"),
        "review" => Some("project.review_done"),
        _ => None,
    };
    Ok(page(&data))
}

/// Opens every approval whose prerequisites are approved (the agent's).
pub async fn open(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    match app.open_ready_approvals(&signed.session, id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=open")).into_response()),
        Err(e @ (AppError::Storage(_) | AppError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let view = app.project_view(&signed.session, id).await?;
            let mut data = project_page(&app, &signed, &view);
            let status = crate::error::status_of(&e).0;
            data.problem = Some(message(&e, signed.lang));
            Ok(render(status, &data))
        }
    }
}

/// Records a joint review meeting: the departments present (a line each), their opinions
/// (`部门：意见`, a line each) and the decisions.
pub async fn review(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let opinions = form
        .lines("opinions")
        .into_iter()
        .map(|line| match line.split_once(['：', ':']) {
            Some((department, opinion)) => DepartmentOpinion {
                department: department.trim().to_owned(),
                opinion: opinion.trim().to_owned(),
            },
            None => DepartmentOpinion {
                department: String::new(),
                opinion: line,
            },
        })
        .collect();
    let input = JointReviewInput {
        departments: form.lines("departments"),
        opinions,
        decisions: form.get("decisions").to_owned(),
    };
    match app.record_joint_review(&signed.session, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{id}?done=review")).into_response()),
        Err(e @ (AppError::Storage(_) | AppError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let view = app.project_view(&signed.session, id).await?;
            let mut data = project_page(&app, &signed, &view);
            data.review_departments = form.get("departments").to_owned();
            data.review_opinions = form.get("opinions").to_owned();
            data.review_decisions = form.get("decisions").to_owned();
            let status = crate::error::status_of(&e).0;
            match e {
                AppError::Invalid(errors) => data.e = FieldErrors::new(errors),
                other => data.problem = Some(message(&other, signed.lang)),
            }
            Ok(render(status, &data))
        }
    }
}
