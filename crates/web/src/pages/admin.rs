//! Administration: staff accounts (create, disable, reset password, roles), an item's version
//! history, and the reform report.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use liandong_app::organization::{StaffChange, StaffInput};
use liandong_app::{App, AppError, FieldError};
use liandong_domain::catalog::{ItemChange, ItemCode, ReformReport};
use liandong_domain::organization::{DepartmentId, Role, StaffId, UnitId};
use liandong_store::{DepartmentRecord, StaffRecord, UnitRecord};

use crate::error::{PageError, message};
use crate::form::{FieldErrors, Form, Params};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, Pager, date, page, query, render};

const PER_PAGE: usize = 50;

/// A staff row as listed.
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub unit: String,
    pub department: String,
    pub roles: Vec<String>,
    pub active: bool,
}

fn staff_row(s: &StaffRecord, units: &[UnitRecord], departments: &[DepartmentRecord]) -> StaffRow {
    StaffRow {
        id: s.id.0,
        username: s.username.clone(),
        name: s.display_name.clone(),
        unit: units
            .iter()
            .find(|u| u.id == s.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        department: s
            .department_id
            .and_then(|d| departments.iter().find(|x| x.id == d))
            .map(|d| d.short_name.clone())
            .unwrap_or_default(),
        roles: s.roles.iter().map(|r| format!("role.{r}")).collect(),
        active: s.active,
    }
}

#[derive(Template)]
#[template(path = "staff_list.html")]
struct StaffListPage {
    c: Ctx,
    rows: Vec<StaffRow>,
    units: Vec<(i64, String)>,
    unit: i64,
    q: String,
    p: Pager,
    can_edit: bool,
}

fn can_edit(signed: &Signed) -> bool {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])
        .is_ok()
}

pub async fn staff_list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let unit = q.get("unit").parse::<i64>().ok();
    let text = q.get("q").trim().to_owned();
    let staff = app.staff_list(&signed.session, unit.map(UnitId)).await?;
    let units = app.units().await?;
    let departments = app.departments().await?;
    let found: Vec<&StaffRecord> = staff
        .iter()
        .filter(|s| text.is_empty() || s.username.contains(&text) || s.display_name.contains(&text))
        .collect();
    let page_no = q.page();
    let total = i64::try_from(found.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from((page_no - 1) * PER_PAGE as i64).unwrap_or(0);
    let rows = found
        .into_iter()
        .skip(skip)
        .take(PER_PAGE)
        .map(|s| staff_row(s, &units, &departments))
        .collect();
    let unit_text = unit.map(|u| u.to_string()).unwrap_or_default();
    Ok(page(&StaffListPage {
        c: signed.ctx("/admin/staff"),
        rows,
        units: units.iter().map(|u| (u.id.0, u.name.clone())).collect(),
        unit: unit.unwrap_or(0),
        p: Pager::new(
            &query("/admin/staff", &[("q", &text), ("unit", &unit_text)]),
            page_no,
            PER_PAGE as i64,
            total,
        ),
        q: text,
        can_edit: can_edit(&signed),
    }))
}

#[derive(Template)]
#[template(path = "staff_form.html")]
struct StaffFormPage {
    c: Ctx,
    /// None for a new account.
    id: Option<i64>,
    username: String,
    display_name: String,
    unit: i64,
    department: i64,
    roles: Vec<String>,
    active: bool,
    version: i64,
    phone: String,
    units: Vec<(i64, String)>,
    departments: Vec<(i64, String)>,
    all_roles: Vec<(String, String)>,
    e: FieldErrors,
    problem: Option<String>,
    saved: Option<&'static str>,
}

impl StaffFormPage {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

async fn staff_form(
    app: &App,
    signed: &Signed,
    id: Option<i64>,
) -> Result<StaffFormPage, PageError> {
    let units = app.units().await?;
    let departments = app.departments().await?;
    Ok(StaffFormPage {
        c: signed.ctx("/admin/staff"),
        id,
        username: String::new(),
        display_name: String::new(),
        unit: signed.session.staff.unit_id.0,
        department: 0,
        roles: Vec::new(),
        active: true,
        version: 0,
        phone: String::new(),
        units: units.iter().map(|u| (u.id.0, u.name.clone())).collect(),
        departments: departments
            .iter()
            .map(|d| (d.id.0, d.name.clone()))
            .collect(),
        all_roles: Role::ALL
            .iter()
            .map(|r| (r.to_string(), format!("role.{r}")))
            .collect(),
        e: FieldErrors::default(),
        problem: None,
        saved: None,
    })
}

pub async fn new_staff_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    Ok(page(&staff_form(&app, &signed, None).await?))
}

fn roles_of(form: &Form) -> Vec<Role> {
    form.all("roles")
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect()
}

/// A failed save: the form again, with what was typed and why.
fn refused(mut data: StaffFormPage, form: &Form, e: AppError) -> Response {
    let l = data.c.l;
    data.roles = form.all("roles");
    data.active = form.get("active") == "1";
    let status = crate::error::status_of(&e).0;
    match e {
        AppError::Invalid(errors) => data.e = FieldErrors::new(errors),
        AppError::Duplicate(_) => data.e.push(FieldError::new(
            "username",
            "该用户名已被使用",
            "this username is taken",
        )),
        other => data.problem = Some(message(&other, l)),
    }
    render(status, &data)
}

pub async fn create_staff(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = staff_form(&app, &signed, None).await?;
    data.username = form.get("username").trim().to_owned();
    data.display_name = form.get("display_name").trim().to_owned();
    data.unit = form.get("unit_id").parse().unwrap_or(0);
    data.department = form.get("department_id").parse().unwrap_or(0);
    data.phone = form.get("phone").trim().to_owned();
    let input = StaffInput {
        username: data.username.clone(),
        display_name: data.display_name.clone(),
        unit_id: UnitId(data.unit),
        department_id: (data.department > 0).then_some(DepartmentId(data.department)),
        roles: roles_of(&form),
        password: form.get("password").to_owned(),
        phone: form.get("phone").to_owned(),
    };
    match app.create_staff(&signed.session, &input).await {
        Ok(created) => {
            Ok(Redirect::to(&format!("/admin/staff/{}?created=1", created.id.0)).into_response())
        }
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => Ok(refused(data, &form, e)),
    }
}

async fn existing(app: &App, signed: &Signed, id: i64) -> Result<StaffRecord, PageError> {
    app.staff_list(&signed.session, None)
        .await?
        .into_iter()
        .find(|s| s.id == StaffId(id))
        .ok_or(PageError::NotFound)
}

fn fill(data: &mut StaffFormPage, s: &StaffRecord) {
    data.username.clone_from(&s.username);
    data.display_name.clone_from(&s.display_name);
    data.unit = s.unit_id.0;
    data.department = s.department_id.map_or(0, |d| d.0);
    data.roles = s.roles.iter().map(|r| r.to_string()).collect();
    data.active = s.active;
    data.version = s.version;
    data.phone.clone_from(&s.phone);
}

pub async fn edit_staff_form(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let current = existing(&app, &signed, id).await?;
    let mut data = staff_form(&app, &signed, Some(id)).await?;
    fill(&mut data, &current);
    data.saved = if q.get("created") == "1" {
        Some("staff.created")
    } else if q.get("saved") == "1" {
        Some("staff.saved")
    } else {
        None
    };
    Ok(page(&data))
}

pub async fn change_staff(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let current = existing(&app, &signed, id).await?;
    let mut data = staff_form(&app, &signed, Some(id)).await?;
    fill(&mut data, &current);
    let change = StaffChange {
        expected_version: i64::from(form.expected_version()?),
        roles: roles_of(&form),
        active: form.get("active") == "1",
        new_password: form.opt("new_password").map(str::to_owned),
        phone: Some(form.get("phone").to_owned()),
    };
    match app
        .change_staff(&signed.session, StaffId(id), &change)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/staff/{id}?saved=1")).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => Ok(refused(data, &form, e)),
    }
}

/// One version of an item, as the history lists it.
pub struct VersionRow {
    pub version: u32,
    pub effective_from: String,
    pub cancelled: bool,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "item_history.html")]
struct HistoryPage {
    c: Ctx,
    code: String,
    name: String,
    rows: Vec<VersionRow>,
    admin: bool,
    saved: bool,
}

pub async fn item_history(
    State(app): State<App>,
    signed: Signed,
    Path(code): Path<String>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let code = ItemCode::parse(&code).map_err(|_| PageError::NotFound)?;
    let record = app.item_by_code(&code).await?;
    let history = app.item_history(record.id).await?;
    let rows = history
        .versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            effective_from: date(&v.effective_from),
            cancelled: matches!(v.change, ItemChange::Cancelled { .. }),
            summary: match &v.change {
                ItemChange::Defined { item } => format!(
                    "{} · {} {} · {} {} · {} {}",
                    item.name,
                    l.t("wb.committed"),
                    l.tf("common.working_days", item.committed_days),
                    l.t("guide.materials"),
                    item.materials.len(),
                    l.t("guide.steps"),
                    item.steps
                        .iter()
                        .map(|s| l.named("step", s.kind.as_str()))
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
                ItemChange::Cancelled { reason } => reason.clone(),
            },
        })
        .collect();
    Ok(page(&HistoryPage {
        c: signed.ctx("/guide"),
        code: code.to_string(),
        name: record.item.name,
        rows,
        admin: signed.session.require(Role::SystemAdmin).is_ok(),
        saved: q.get("saved") == "1",
    }))
}

#[derive(Template)]
#[template(path = "reform.html")]
struct ReformPage {
    c: Ctx,
    from: String,
    to: String,
    e: FieldErrors,
    lines: Vec<(&'static str, String, String)>,
}

fn lines(r: &ReformReport) -> Vec<(&'static str, String, String)> {
    let n = |x: usize| x.to_string();
    vec![
        ("reform.items", n(r.items_before), n(r.items_after)),
        (
            "reform.cancelled",
            String::new(),
            n(r.items_cancelled.len()),
        ),
        ("reform.added", String::new(), n(r.items_added.len())),
        (
            "reform.fewer_steps",
            String::new(),
            format!("{} / {}", r.items_with_fewer_steps, r.steps_removed),
        ),
        (
            "reform.fewer_materials",
            String::new(),
            format!("{} / {}", r.items_with_fewer_materials, r.materials_removed),
        ),
        (
            "reform.fewer_prerequisites",
            String::new(),
            format!(
                "{} / {}",
                r.items_with_fewer_prerequisites, r.prerequisites_removed
            ),
        ),
        (
            "reform.shorter",
            String::new(),
            format!("{} / {}", r.items_with_shorter_limits, r.working_days_saved),
        ),
        (
            "reform.on_the_spot",
            n(r.on_the_spot_before),
            n(r.on_the_spot_after),
        ),
    ]
}

pub async fn reform_report(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let today = liandong_domain::calendar::china_date(app.now());
    let parse = |field: &str, default: NaiveDate| match q.opt(field) {
        None => Ok(default),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "日期格式应为YYYY-MM-DD", "a date is YYYY-MM-DD")),
    };
    let year_ago = today - chrono::Duration::days(365);
    let mut e = FieldErrors::default();
    let from = parse("from", year_ago).unwrap_or_else(|err| {
        e.push(err);
        year_ago
    });
    let to = parse("to", today).unwrap_or_else(|err| {
        e.push(err);
        today
    });
    let (status, report_lines) = if e.is_empty() {
        match app.reform_report(from, to).await {
            Ok(r) => (StatusCode::OK, lines(&r)),
            Err(AppError::Invalid(errors)) => {
                e = FieldErrors::new(errors);
                (StatusCode::UNPROCESSABLE_ENTITY, Vec::new())
            }
            Err(err) => return Err(err.into()),
        }
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, Vec::new())
    };
    Ok(render(
        status,
        &ReformPage {
            c: signed.ctx("/admin/reform-report"),
            from: q.opt("from").map_or_else(|| date(&from), str::to_owned),
            to: q.opt("to").map_or_else(|| date(&to), str::to_owned),
            e,
            lines: report_lines,
        },
    ))
}
