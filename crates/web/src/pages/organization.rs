//! The organization: the tree of units, the departments and the windows, and the forms that
//! add and change them. One form template serves all three; each kind lists its fields.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::organization::{
    DepartmentChange, DepartmentInput, UnitChange, UnitInput, WindowChange, WindowInput,
};
use liandong_app::{App, AppError, FieldError};
use liandong_domain::organization::{DepartmentId, Role, UnitId, UnitKind, WindowId, WindowKind};
use liandong_store::{DepartmentRecord, UnitRecord, WindowRecord};

use crate::Lang;
use crate::error::{PageError, message};
use crate::form::{FieldErrors, Form, Params};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, page, render};

/// A unit with the units under it.
pub struct UnitNode {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub kind: String,
    pub address: String,
    pub children: Vec<UnitNode>,
}

pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
}

pub struct WindowRow {
    pub id: i64,
    pub unit: String,
    pub number: String,
    pub name: String,
    pub kind: String,
    pub serves: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    c: Ctx,
    tree: Vec<UnitNode>,
    departments: Vec<DepartmentRow>,
    windows: Vec<WindowRow>,
    counts: Vec<(String, usize)>,
    /// System and unit administrators add units and windows.
    keeps: bool,
    /// Only the system administrator adds and changes departments.
    system_admin: bool,
}

const UNIT_KINDS: [UnitKind; 4] = [
    UnitKind::DistrictHall,
    UnitKind::BranchHall,
    UnitKind::TownshipCenter,
    UnitKind::VillageStation,
];

const WINDOW_KINDS: [WindowKind; 5] = [
    WindowKind::Independent,
    WindowKind::Comprehensive,
    WindowKind::Scheduled,
    WindowKind::Fee,
    WindowKind::Intermediary,
];

fn name_of(units: &[UnitRecord], id: UnitId) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

pub async fn organization(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin, Role::Supervisor])?;
    let units = app.units().await?;
    let departments = app.departments().await?;
    let windows = app.windows(None).await?;
    fn node(units: &[UnitRecord], u: &UnitRecord, depth: u32) -> UnitNode {
        UnitNode {
            id: u.id.0,
            name: u.name.clone(),
            code: u.code.clone(),
            kind: format!("level_kind.{}", u.kind),
            address: u.address.clone(),
            children: if depth > 3 {
                Vec::new()
            } else {
                units
                    .iter()
                    .filter(|c| c.parent_id == Some(u.id))
                    .map(|c| node(units, c, depth + 1))
                    .collect()
            },
        }
    }
    let tree = units
        .iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| node(&units, u, 0))
        .collect();
    let counts = UNIT_KINDS
        .iter()
        .map(|k| {
            (
                format!("level_kind.{k}"),
                units.iter().filter(|u| u.kind == *k).count(),
            )
        })
        .collect();
    Ok(page(&OrganizationPage {
        c: signed.ctx("/admin/organization"),
        tree,
        departments: departments
            .iter()
            .map(|d| DepartmentRow {
                id: d.id.0,
                code: d.code.clone(),
                name: d.name.clone(),
                unit: name_of(&units, d.unit_id),
            })
            .collect(),
        windows: windows
            .iter()
            .map(|w| WindowRow {
                id: w.id.0,
                unit: name_of(&units, w.unit_id),
                number: w.number.clone(),
                name: w.name.clone(),
                kind: format!("window.{}", w.kind),
                serves: w
                    .department_ids
                    .iter()
                    .filter_map(|id| departments.iter().find(|d| d.id == *id))
                    .map(|d| d.short_name.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
                active: w.active,
            })
            .collect(),
        counts,
        keeps: signed
            .session
            .require_any(&[Role::SystemAdmin, Role::UnitAdmin])
            .is_ok(),
        system_admin: signed.session.require(Role::SystemAdmin).is_ok(),
    }))
}

/// How a field is entered.
pub enum Input {
    Text,
    /// One of (value, label).
    Select(Vec<(String, String)>),
    /// Any of (value, label), with the values checked.
    Checks(Vec<(String, String)>, Vec<String>),
    /// A single yes/no box.
    Check,
    /// Shown, not changeable.
    Fixed,
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub input: Input,
    pub required: bool,
}

impl Field {
    fn text(name: &'static str, label: &'static str, value: &str, required: bool) -> Field {
        Field {
            name,
            label,
            value: value.to_owned(),
            input: Input::Text,
            required,
        }
    }

    fn fixed(name: &'static str, label: &'static str, value: String) -> Field {
        Field {
            name,
            label,
            value,
            input: Input::Fixed,
            required: false,
        }
    }

    fn select(
        name: &'static str,
        label: &'static str,
        value: String,
        options: Vec<(String, String)>,
    ) -> Field {
        Field {
            name,
            label,
            value,
            input: Input::Select(options),
            required: true,
        }
    }

    /// Whether `value` is checked in a group of boxes.
    pub fn checked(&self, value: &str) -> bool {
        matches!(&self.input, Input::Checks(_, on) if on.iter().any(|v| v == value))
    }
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    c: Ctx,
    /// The words' key of the heading.
    title: &'static str,
    /// What is being changed, after the heading; empty for a new one.
    subject: String,
    action: String,
    version: Option<i64>,
    fields: Vec<Field>,
    e: FieldErrors,
    problem: Option<String>,
    saved: bool,
}

impl OrgFormPage {
    fn new(signed: &Signed, title: &'static str, action: String) -> OrgFormPage {
        OrgFormPage {
            c: signed.ctx("/admin/organization"),
            title,
            subject: String::new(),
            action,
            version: None,
            fields: Vec::new(),
            e: FieldErrors::default(),
            problem: None,
            saved: false,
        }
    }

    /// The form again after a refused save, with what was typed and why.
    fn refused(mut self, e: AppError, duplicate_field: &str) -> Response {
        let l = self.c.l;
        let status = crate::error::status_of(&e).0;
        match e {
            AppError::Invalid(errors) => self.e = FieldErrors::new(errors),
            AppError::Duplicate(_) => self.e.push(FieldError::new(
                duplicate_field,
                "已被使用",
                "already taken",
            )),
            other => self.problem = Some(message(&other, l)),
        }
        render(status, &self)
    }
}

/// Where a save goes next: back to the organization page, or the form again when refused.
fn saved_or_refused<T>(
    result: Result<T, AppError>,
    data: OrgFormPage,
    duplicate_field: &str,
    next: impl FnOnce(T) -> String,
) -> Result<Response, PageError> {
    match result {
        Ok(saved) => Ok(Redirect::to(&next(saved)).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => Ok(data.refused(e, duplicate_field)),
    }
}

fn version_of(form: &Form) -> Result<i64, PageError> {
    form.expected_version().map(i64::from)
}

fn unit_options(units: &[UnitRecord], kinds: &[UnitKind]) -> Vec<(String, String)> {
    units
        .iter()
        .filter(|u| kinds.contains(&u.kind))
        .map(|u| (u.id.0.to_string(), u.name.clone()))
        .collect()
}

fn unit_fields(
    l: Lang,
    units: &[UnitRecord],
    form: &Form,
    current: Option<&UnitRecord>,
) -> Vec<Field> {
    let value = |name: &str, stored: Option<&String>| -> String {
        form.opt(name)
            .map(str::to_owned)
            .or_else(|| stored.cloned())
            .unwrap_or_default()
    };
    let mut fields = Vec::new();
    match current {
        Some(u) => {
            fields.push(Field::fixed("code", "org.code", u.code.clone()));
            fields.push(Field::fixed(
                "kind",
                "org.kind",
                l.t(format!("level_kind.{}", u.kind)).to_owned(),
            ));
        }
        None => {
            fields.push(Field::text(
                "code",
                "org.code",
                form.get("code").trim(),
                true,
            ));
            fields.push(Field::select(
                "kind",
                "org.kind",
                value("kind", None),
                UNIT_KINDS[1..]
                    .iter()
                    .map(|k| (k.to_string(), l.t(format!("level_kind.{k}")).to_owned()))
                    .collect(),
            ));
            fields.push(Field::select(
                "parent_id",
                "org.parent",
                value("parent_id", None),
                unit_options(units, &[UnitKind::DistrictHall, UnitKind::TownshipCenter]),
            ));
        }
    }
    fields.push(Field::text(
        "name",
        "org.name",
        &value("name", current.map(|u| &u.name)),
        true,
    ));
    fields.push(Field::text(
        "address",
        "org.address",
        &value("address", current.map(|u| &u.address)),
        false,
    ));
    fields.push(Field::text(
        "phone",
        "org.phone",
        &value("phone", current.map(|u| &u.phone)),
        false,
    ));
    fields
}

fn id_of(form: &Form, name: &str) -> i64 {
    form.get(name).parse().unwrap_or(0)
}

pub async fn new_unit_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    let mut data = OrgFormPage::new(&signed, "org.new_unit", "/admin/units/new".into());
    data.fields = unit_fields(signed.lang, &app.units().await?, &Form::default(), None);
    Ok(page(&data))
}

pub async fn create_unit(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = OrgFormPage::new(&signed, "org.new_unit", "/admin/units/new".into());
    data.fields = unit_fields(signed.lang, &app.units().await?, &form, None);
    let input = UnitInput {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").parse().map_err(|_| PageError::BadForm)?,
        parent_id: Some(id_of(&form, "parent_id"))
            .filter(|id| *id > 0)
            .map(UnitId),
        address: form.get("address").to_owned(),
        phone: form.get("phone").to_owned(),
    };
    let result = app.create_unit(&signed.session, &input).await;
    saved_or_refused(result, data, "code", |u| {
        format!("/admin/units/{}?saved=1", u.id.0)
    })
}

async fn existing_unit(app: &App, id: i64) -> Result<(Vec<UnitRecord>, UnitRecord), PageError> {
    let units = app.units().await?;
    let unit = units
        .iter()
        .find(|u| u.id == UnitId(id))
        .cloned()
        .ok_or(PageError::NotFound)?;
    Ok((units, unit))
}

fn unit_form(signed: &Signed, units: &[UnitRecord], unit: &UnitRecord, form: &Form) -> OrgFormPage {
    let mut data = OrgFormPage::new(
        signed,
        "org.edit_unit",
        format!("/admin/units/{}", unit.id.0),
    );
    data.subject.clone_from(&unit.name);
    data.version = Some(unit.version);
    data.fields = unit_fields(signed.lang, units, form, Some(unit));
    data
}

pub async fn edit_unit_form(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    let (units, unit) = existing_unit(&app, id).await?;
    let mut data = unit_form(&signed, &units, &unit, &Form::default());
    data.saved = q.get("saved") == "1";
    Ok(page(&data))
}

pub async fn change_unit(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let (units, unit) = existing_unit(&app, id).await?;
    let data = unit_form(&signed, &units, &unit, &form);
    let change = UnitChange {
        expected_version: version_of(&form)?,
        name: form.get("name").to_owned(),
        address: form.get("address").to_owned(),
        phone: form.get("phone").to_owned(),
    };
    let result = app.change_unit(&signed.session, unit.id, &change).await;
    saved_or_refused(result, data, "name", |u| {
        format!("/admin/units/{}?saved=1", u.id.0)
    })
}

fn department_fields(
    units: &[UnitRecord],
    form: &Form,
    current: Option<&DepartmentRecord>,
) -> Vec<Field> {
    let value = |name: &str, stored: Option<String>| -> String {
        form.opt(name)
            .map(str::to_owned)
            .or(stored)
            .unwrap_or_default()
    };
    let code = match current {
        Some(d) => Field::fixed("code", "org.code", d.code.clone()),
        None => Field::text("code", "org.code", form.get("code").trim(), true),
    };
    vec![
        code,
        Field::text(
            "name",
            "org.name",
            &value("name", current.map(|d| d.name.clone())),
            true,
        ),
        Field::text(
            "short_name",
            "org.short_name",
            &value("short_name", current.map(|d| d.short_name.clone())),
            false,
        ),
        Field::select(
            "unit_id",
            "org.stationed",
            value("unit_id", current.map(|d| d.unit_id.0.to_string())),
            unit_options(units, &UNIT_KINDS),
        ),
        Field::text(
            "credit_code",
            "org.credit_code",
            &value("credit_code", current.map(|d| d.credit_code.clone())),
            false,
        ),
    ]
}

pub async fn new_department_form(
    State(app): State<App>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    let mut data = OrgFormPage::new(
        &signed,
        "org.new_department",
        "/admin/departments/new".into(),
    );
    data.fields = department_fields(&app.units().await?, &Form::default(), None);
    Ok(page(&data))
}

pub async fn create_department(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = OrgFormPage::new(
        &signed,
        "org.new_department",
        "/admin/departments/new".into(),
    );
    data.fields = department_fields(&app.units().await?, &form, None);
    let input = DepartmentInput {
        code: form.get("code").to_owned(),
        name: form.get("name").to_owned(),
        short_name: form.get("short_name").to_owned(),
        unit_id: UnitId(id_of(&form, "unit_id")),
        credit_code: form.get("credit_code").to_owned(),
    };
    let result = app.create_department(&signed.session, &input).await;
    saved_or_refused(result, data, "code", |d| {
        format!("/admin/departments/{}?saved=1", d.id.0)
    })
}

async fn department_form(
    app: &App,
    signed: &Signed,
    id: i64,
    form: &Form,
) -> Result<OrgFormPage, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    let department = app.department(DepartmentId(id)).await?;
    let mut data = OrgFormPage::new(
        signed,
        "org.edit_department",
        format!("/admin/departments/{id}"),
    );
    data.subject.clone_from(&department.name);
    data.version = Some(department.version);
    data.fields = department_fields(&app.units().await?, form, Some(&department));
    Ok(data)
}

pub async fn edit_department_form(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let mut data = department_form(&app, &signed, id, &Form::default()).await?;
    data.saved = q.get("saved") == "1";
    Ok(page(&data))
}

pub async fn change_department(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let data = department_form(&app, &signed, id, &form).await?;
    let change = DepartmentChange {
        expected_version: version_of(&form)?,
        name: form.get("name").to_owned(),
        short_name: form.get("short_name").to_owned(),
        unit_id: UnitId(id_of(&form, "unit_id")),
        credit_code: form.get("credit_code").to_owned(),
    };
    let result = app
        .change_department(&signed.session, DepartmentId(id), &change)
        .await;
    saved_or_refused(result, data, "code", |d| {
        format!("/admin/departments/{}?saved=1", d.id.0)
    })
}

fn window_fields(
    l: Lang,
    units: &[UnitRecord],
    departments: &[DepartmentRecord],
    form: &Form,
    current: Option<&WindowRecord>,
    posted: bool,
) -> Vec<Field> {
    let value = |name: &str, stored: Option<String>| -> String {
        form.opt(name)
            .map(str::to_owned)
            .or(stored)
            .unwrap_or_default()
    };
    let served = if posted {
        form.all("department_ids")
    } else {
        current
            .map(|w| w.department_ids.iter().map(|d| d.0.to_string()).collect())
            .unwrap_or_default()
    };
    let mut fields = vec![match current {
        Some(w) => Field::fixed("unit_id", "staff.unit", name_of(units, w.unit_id)),
        None => Field::select(
            "unit_id",
            "staff.unit",
            value("unit_id", None),
            unit_options(units, &UNIT_KINDS),
        ),
    }];
    fields.push(Field::text(
        "number",
        "org.number",
        &value("number", current.map(|w| w.number.clone())),
        true,
    ));
    fields.push(Field::text(
        "name",
        "org.name",
        &value("name", current.map(|w| w.name.clone())),
        true,
    ));
    fields.push(Field::select(
        "kind",
        "org.kind",
        value("kind", current.map(|w| w.kind.to_string())),
        WINDOW_KINDS
            .iter()
            .map(|k| (k.to_string(), l.t(format!("window.{k}")).to_owned()))
            .collect(),
    ));
    fields.push(Field {
        name: "department_ids",
        label: "org.serves",
        value: String::new(),
        input: Input::Checks(
            departments
                .iter()
                .map(|d| (d.id.0.to_string(), d.name.clone()))
                .collect(),
            served,
        ),
        required: false,
    });
    if let Some(w) = current {
        let open = if posted {
            form.get("active") == "1"
        } else {
            w.active
        };
        fields.push(Field {
            name: "active",
            label: "org.open",
            value: if open { "1".into() } else { String::new() },
            input: Input::Check,
            required: false,
        });
    }
    fields
}

fn departments_of(form: &Form) -> Vec<DepartmentId> {
    form.all("department_ids")
        .iter()
        .filter_map(|d| d.parse().ok().map(DepartmentId))
        .collect()
}

pub async fn new_window_form(
    State(app): State<App>,
    signed: Signed,
) -> Result<Response, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    let mut data = OrgFormPage::new(&signed, "org.new_window", "/admin/windows/new".into());
    let mut form = Form::default();
    form = form.with("unit_id", &signed.session.staff.unit_id.0.to_string());
    data.fields = window_fields(
        signed.lang,
        &app.units().await?,
        &app.departments().await?,
        &form,
        None,
        false,
    );
    Ok(page(&data))
}

pub async fn create_window(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = OrgFormPage::new(&signed, "org.new_window", "/admin/windows/new".into());
    data.fields = window_fields(
        signed.lang,
        &app.units().await?,
        &app.departments().await?,
        &form,
        None,
        true,
    );
    let input = WindowInput {
        unit_id: UnitId(id_of(&form, "unit_id")),
        number: form.get("number").to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").parse().map_err(|_| PageError::BadForm)?,
        department_ids: departments_of(&form),
    };
    let result = app.create_window(&signed.session, &input).await;
    saved_or_refused(result, data, "number", |w| {
        format!("/admin/windows/{}?saved=1", w.id.0)
    })
}

async fn window_form(
    app: &App,
    signed: &Signed,
    id: i64,
    form: &Form,
    posted: bool,
) -> Result<OrgFormPage, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    let window = app.window(WindowId(id)).await?;
    let mut data = OrgFormPage::new(signed, "org.edit_window", format!("/admin/windows/{id}"));
    data.subject = format!("{} {}", window.number, window.name);
    data.version = Some(window.version);
    data.fields = window_fields(
        signed.lang,
        &app.units().await?,
        &app.departments().await?,
        form,
        Some(&window),
        posted,
    );
    Ok(data)
}

pub async fn edit_window_form(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let mut data = window_form(&app, &signed, id, &Form::default(), false).await?;
    data.saved = q.get("saved") == "1";
    Ok(page(&data))
}

pub async fn change_window(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let data = window_form(&app, &signed, id, &form, true).await?;
    let change = WindowChange {
        expected_version: version_of(&form)?,
        number: form.get("number").to_owned(),
        name: form.get("name").to_owned(),
        kind: form.get("kind").parse().map_err(|_| PageError::BadForm)?,
        department_ids: departments_of(&form),
        active: form.get("active") == "1",
    };
    let result = app
        .change_window(&signed.session, WindowId(id), &change)
        .await;
    saved_or_refused(result, data, "number", |w| {
        format!("/admin/windows/{}?saved=1", w.id.0)
    })
}
