//! The window workbench (窗口工作台): find the item, check the materials, enter the applicant,
//! and decide at once: accept, one-time supplement notice, refuse, or conclude on the spot.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::cases::Intake;
use liandong_app::{App, AppError, FieldError};
use liandong_domain::case::{Action, Applicant, Channel};
use liandong_domain::catalog::{ItemCode, ServiceItem};
use liandong_domain::ids::{CreditCode, PhoneNumber, ResidentId};
use liandong_domain::organization::{CaseId, Role};
use liandong_store::ItemRecord;

use super::cases::{Failed, case_page};
use crate::error::{PageError, message, status_of};
use crate::form::{FieldErrors, Form, Params};
use crate::session::{CheckedForm, Signed, random_hex};
use crate::view::{Ctx, Pager, page, query, render};

const PER_PAGE: usize = 20;

/// The pinyin initials of a name (`食品经营许可` → `spjyxk`); letters and digits stay.
pub fn initials(name: &str) -> String {
    use pinyin::ToPinyin;
    name.chars()
        .zip(name.to_pinyin())
        .filter_map(|(ch, py)| match py {
            Some(py) => py.first_letter().chars().next(),
            None if ch.is_ascii_alphanumeric() => Some(ch.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

/// Whether an item matches a search by name, code or pinyin initials.
pub fn matches(item: &ServiceItem, q: &str) -> bool {
    let q = q.trim();
    if q.is_empty() {
        return true;
    }
    if item.name.contains(q) || item.code.as_str().contains(&q.to_ascii_uppercase()) {
        return true;
    }
    q.chars().all(|c| c.is_ascii_alphabetic())
        && initials(&item.name).contains(&q.to_ascii_lowercase())
}

/// Items in force that match `q`, by code.
pub async fn search_items(app: &App, q: &str) -> Result<Vec<ItemRecord>, PageError> {
    Ok(app
        .items(None, None)
        .await?
        .into_iter()
        .filter(|r| !r.cancelled && matches(&r.item, q))
        .collect())
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct SearchPage {
    c: Ctx,
    q: String,
    items: Vec<ItemRecord>,
    p: Pager,
}

pub async fn search(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    signed.session.require(Role::WindowClerk)?;
    let text = q.get("q").trim().to_owned();
    let found = search_items(&app, &text).await?;
    let page_no = q.page();
    let total = i64::try_from(found.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from((page_no - 1) * PER_PAGE as i64).unwrap_or(0);
    let items = found.into_iter().skip(skip).take(PER_PAGE).collect();
    Ok(page(&SearchPage {
        c: signed.ctx("/workbench"),
        p: Pager::new(
            &query("/workbench", &[("q", &text)]),
            page_no,
            PER_PAGE as i64,
            total,
        ),
        q: text,
        items,
    }))
}

/// What the clerk typed, kept when the form comes back with errors.
#[derive(Default)]
pub struct Typed {
    pub materials: Vec<String>,
    pub applicant_type: String,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub comment: String,
    pub extra_missing: String,
    pub reason: String,
    pub legal_basis: String,
    pub delivery: String,
    pub key: String,
}

impl Typed {
    fn of(form: &Form) -> Typed {
        Typed {
            materials: form.all("materials"),
            applicant_type: form.get("applicant_type").to_owned(),
            name: form.get("name").to_owned(),
            id_number: form.get("id_number").trim().to_owned(),
            phone: form.get("phone").trim().to_owned(),
            comment: form.get("comment").to_owned(),
            extra_missing: form.get("extra_missing").to_owned(),
            reason: form.get("reason").to_owned(),
            legal_basis: form.get("legal_basis").to_owned(),
            delivery: form.get("delivery").to_owned(),
            key: form.get("key").to_owned(),
        }
    }

    pub fn ticked(&self, material: &str) -> bool {
        self.materials.iter().any(|m| m == material)
    }

    pub fn organisation(&self) -> bool {
        self.applicant_type == "organisation"
    }
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    c: Ctx,
    item: ServiceItem,
    t: Typed,
    e: FieldErrors,
    others: Vec<String>,
}

async fn item_of(app: &App, code: &str) -> Result<ItemRecord, PageError> {
    let code = ItemCode::parse(code).map_err(|_| PageError::NotFound)?;
    let record = app.item_by_code(&code).await?;
    if record.cancelled {
        return Err(PageError::NotFound);
    }
    Ok(record)
}

pub async fn intake_form(
    State(app): State<App>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    signed.session.require(Role::WindowClerk)?;
    let record = item_of(&app, &code).await?;
    let t = Typed {
        key: random_hex(),
        delivery: signed.lang.t("field.delivery_default").to_owned(),
        ..Typed::default()
    };
    Ok(page(&IntakePage {
        c: signed.ctx("/workbench"),
        item: record.item,
        t,
        e: FieldErrors::default(),
        others: Vec::new(),
    }))
}

/// The applicant and phone as typed, or the fields that are wrong.
fn applicant_of(t: &Typed) -> Result<(Applicant, PhoneNumber), FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = t.name.trim().to_owned();
    let applicant = if t.organisation() {
        CreditCode::parse(&t.id_number)
            .map(|credit_code| Applicant::Organisation { name, credit_code })
            .map_err(|e| FieldError::from_bilingual("id_number", &e))
    } else {
        ResidentId::parse(&t.id_number)
            .map(|resident_id| Applicant::Person { name, resident_id })
            .map_err(|e| FieldError::from_bilingual("id_number", &e))
    };
    let phone = PhoneNumber::parse(&t.phone).map_err(|e| FieldError::from_bilingual("phone", &e));
    if t.name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            "申请人姓名或名称不能为空",
            "the applicant's name is required",
        ));
    }
    match (applicant, phone) {
        (Ok(a), Ok(p)) if errors.is_empty() => Ok((a, p)),
        (a, p) => {
            if let Err(e) = a {
                errors.push(e);
            }
            if let Err(e) = p {
                errors.push(e);
            }
            Err(errors)
        }
    }
}

/// The app's field names, as the form calls them.
fn form_field(field: &str) -> String {
    match field {
        "applicant.name" => "name".to_owned(),
        other => other.to_owned(),
    }
}

pub async fn intake(
    State(app): State<App>,
    signed: Signed,
    Path(code): Path<String>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    signed.session.require(Role::WindowClerk)?;
    let l = signed.lang;
    let record = item_of(&app, &code).await?;
    let t = Typed::of(&form);
    let again = |t: Typed, e: FieldErrors, item: ServiceItem| {
        let others = e.others(&["name", "id_number", "phone", "materials"], &l);
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &IntakePage {
                c: signed.ctx("/workbench"),
                item,
                t,
                e,
                others,
            },
        )
    };
    let (applicant, phone) = match applicant_of(&t) {
        Ok(ok) => ok,
        Err(e) => return Ok(again(t, e, record.item)),
    };
    let intake = Intake {
        item_code: record.item.code.clone(),
        applicant,
        phone,
        channel: Channel::Window,
        materials: t.materials.clone(),
        comment: t.comment.clone(),
    };
    let key = Some(t.key.as_str()).filter(|k| !k.is_empty());
    let view = match app.submit_case(&signed.session, &intake, key).await {
        Ok(view) => view,
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    e.field = form_field(&e.field);
                    e
                })
                .collect();
            return Ok(again(t, FieldErrors::new(errors), record.item));
        }
        Err(e) => return Err(e.into()),
    };
    let decision = form.get("decision");
    let item = app
        .item_version(view.summary.item_id, view.summary.item_version)
        .await?;
    let action = match decision {
        "supplement" => {
            let mut missing: Vec<String> = view
                .case
                .missing_materials(&item)
                .into_iter()
                .map(str::to_owned)
                .collect();
            missing.extend(form.lines("extra_missing"));
            Action::RequestSupplement { missing }
        }
        "refuse" => Action::RefuseIntake {
            reason: t.reason.trim().to_owned(),
            legal_basis: t.legal_basis.trim().to_owned(),
        },
        "on_the_spot" => Action::ConcludeOnTheSpot {
            delivery: t.delivery.trim().to_owned(),
        },
        _ => Action::Accept,
    };
    let id = view.summary.id;
    match app
        .act(&signed.session, id, view.summary.version, &action, "")
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/cases/{}?done={}", id.0, action.name())).into_response())
        }
        // The application is on record; the clerk finishes the decision on the case page.
        Err(e) => failed_decision(&app, &signed, id, &action, &form, e).await,
    }
}

async fn failed_decision(
    app: &App,
    signed: &Signed,
    id: CaseId,
    action: &Action,
    form: &Form,
    e: AppError,
) -> Result<Response, PageError> {
    let l = signed.lang;
    let status = status_of(&e).0;
    let mut typed = form.clone();
    if let Action::RequestSupplement { missing } = action {
        typed = typed.with("missing", &missing.join("\n"));
    }
    let failed = Failed {
        action: action.name().to_string(),
        typed,
        message: message(&e, l),
        field: None,
    };
    let view = app.case_view(&signed.session, id).await?;
    let problem = Some(failed.message.clone());
    let data = case_page(app, signed, view, None, Some(failed), problem).await?;
    Ok(render(status, &data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_initials_find_an_item() {
        assert_eq!(initials("食品经营许可（新办）"), "spjyxkxb");
        assert_eq!(initials("A级2号"), "aj2h");
    }
}
