//! Keeping the district's setup: editing a catalog item as a new dated version, importing the
//! catalog, and the holiday calendar.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use liandong_app::catalog_file::{COLUMNS, item_from_cells, item_to_cells};
use liandong_app::{App, AppError, FieldError};
use liandong_domain::calendar::{DayKind, china_date};
use liandong_domain::catalog::{ItemChange, ItemCode};
use liandong_domain::organization::Role;

use crate::error::{PageError, message};
use crate::form::{FieldErrors, Form, Params};
use crate::session::{CheckedForm, CheckedUpload, Signed};
use crate::view::{Ctx, date, page, render};

#[derive(Template)]
#[template(path = "item_edit.html")]
struct ItemEditPage {
    c: Ctx,
    code: String,
    name: String,
    version: u32,
    effective_from: String,
    /// Column, its words' key, the value, and whether it is a long text.
    cells: Vec<(String, String, String, bool)>,
    e: FieldErrors,
    cancel_reason: String,
    problem: Option<String>,
}

/// The field a catalog-file error is about, and its message without the line number.
fn cell_error(e: FieldError) -> FieldError {
    let field = e
        .field
        .split_once(": ")
        .map_or(e.field.as_str(), |(_, f)| f)
        .to_owned();
    let zh = e
        .message_zh
        .split_once('：')
        .map_or(e.message_zh.as_str(), |(_, m)| m)
        .to_owned();
    let en = e
        .message_en
        .split_once(": ")
        .map_or(e.message_en.as_str(), |(_, m)| m)
        .to_owned();
    FieldError::new(field, zh, en)
}

async fn item_edit_page(
    app: &App,
    signed: &Signed,
    code: &ItemCode,
) -> Result<ItemEditPage, PageError> {
    let record = app.item_by_code(code).await?;
    let cells = item_to_cells(&record.item);
    let tomorrow = china_date(app.now())
        .succ_opt()
        .unwrap_or(china_date(app.now()));
    Ok(ItemEditPage {
        c: signed.ctx("/guide"),
        code: code.to_string(),
        name: record.item.name.clone(),
        version: record.current_version,
        effective_from: date(&tomorrow),
        cells: COLUMNS
            .iter()
            .zip(cells)
            .skip(1)
            .map(|(col, value)| {
                let long = matches!(*col, "materials" | "fees" | "steps" | "legal_basis");
                ((*col).to_owned(), format!("col.{col}"), value, long)
            })
            .collect(),
        e: FieldErrors::default(),
        cancel_reason: String::new(),
        problem: None,
    })
}

fn code_of(code: &str) -> Result<ItemCode, PageError> {
    ItemCode::parse(code).map_err(|_| PageError::NotFound)
}

pub async fn item_edit_form(
    State(app): State<App>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    Ok(page(
        &item_edit_page(&app, &signed, &code_of(&code)?).await?,
    ))
}

pub async fn item_edit(
    State(app): State<App>,
    signed: Signed,
    Path(code): Path<String>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    let code = code_of(&code)?;
    let mut data = item_edit_page(&app, &signed, &code).await?;
    let l = signed.lang;
    for cell in &mut data.cells {
        cell.2 = form.get(&cell.0).to_owned();
    }
    data.effective_from = form.get("effective_from").trim().to_owned();
    data.cancel_reason = form.get("cancel_reason").trim().to_owned();
    let refuse = |mut data: ItemEditPage, errors: Vec<FieldError>| {
        data.e = FieldErrors::new(errors);
        render(StatusCode::UNPROCESSABLE_ENTITY, &data)
    };
    let Ok(effective_from) = NaiveDate::parse_from_str(&data.effective_from, "%Y-%m-%d") else {
        let e = FieldError::new(
            "effective_from",
            "日期格式应为YYYY-MM-DD",
            "a date is YYYY-MM-DD",
        );
        return Ok(refuse(data, vec![e]));
    };
    let change = if form.get("cancel") == "1" {
        ItemChange::Cancelled {
            reason: data.cancel_reason.clone(),
        }
    } else {
        let mut cells = vec![code.to_string()];
        cells.extend(data.cells.iter().map(|c| c.2.clone()));
        match item_from_cells(&cells, 1) {
            Ok(item) => ItemChange::Defined {
                item: Box::new(liandong_app::catalog::carry_over(
                    item,
                    Some(&app.item_by_code(&code).await?.item),
                )),
            },
            Err(errors) => {
                return Ok(refuse(data, errors.into_iter().map(cell_error).collect()));
            }
        }
    };
    let expected = form.get("expected_version").parse::<u32>().ok();
    match app
        .record_item_version(
            Some(&signed.session),
            change,
            &code,
            effective_from,
            expected,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/items/{code}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(refuse(data, errors.into_iter().map(cell_error).collect()))
        }
        Err(e @ (AppError::Storage(_) | AppError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            data.problem = Some(message(&e, l));
            Ok(render(crate::error::status_of(&e).0, &data))
        }
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Ctx,
    year: i32,
    provisional: bool,
    notice_title: String,
    working_days: u32,
    days: Vec<(String, String, String)>,
    admin: bool,
    notice: String,
    e: FieldErrors,
    loaded: Option<String>,
}

async fn calendar_page(app: &App, signed: &Signed, year: i32) -> Result<CalendarPage, PageError> {
    let l = signed.lang;
    let y = app.year_calendar(year)?;
    Ok(CalendarPage {
        c: signed.ctx("/admin/calendar"),
        year,
        provisional: y.provisional,
        notice_title: y.notice_title.unwrap_or_default(),
        working_days: y.working_days,
        days: y
            .days
            .iter()
            .map(|d| {
                (
                    date(&d.date),
                    match d.kind {
                        DayKind::Holiday => "day.holiday".to_owned(),
                        _ => "day.adjusted".to_owned(),
                    },
                    match l {
                        crate::Lang::Zh => d.name_zh.clone(),
                        crate::Lang::En => d.name_en.clone(),
                    },
                )
            })
            .collect(),
        admin: signed.session.require(Role::SystemAdmin).is_ok(),
        notice: String::new(),
        e: FieldErrors::default(),
        loaded: None,
    })
}

fn year_of(app: &App, q: &Form) -> i32 {
    q.get("year")
        .parse()
        .unwrap_or_else(|_| chrono::Datelike::year(&china_date(app.now())))
}

pub async fn calendar(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let mut data = calendar_page(&app, &signed, year_of(&app, &q)).await?;
    if let Some(n) = q.opt("loaded") {
        data.loaded = Some(signed.lang.tf("calendar.loaded", n));
    }
    Ok(page(&data))
}

pub async fn load_notice(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    let year = year_of(&app, &form);
    match app
        .load_holiday_notice(Some(&signed.session), form.get("notice"))
        .await
    {
        Ok(changed) => Ok(
            Redirect::to(&format!("/admin/calendar?year={year}&loaded={changed}")).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let mut data = calendar_page(&app, &signed, year).await?;
            data.notice = form.get("notice").to_owned();
            data.e = FieldErrors::new(errors);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Ctx,
    csv: String,
    /// The file sent, named in the outcome.
    file_name: String,
    effective_from: String,
    errors: Vec<String>,
    report: Option<liandong_app::catalog::ImportReport>,
}

fn import_page(app: &App, signed: &Signed) -> ImportPage {
    let tomorrow = china_date(app.now())
        .succ_opt()
        .unwrap_or(china_date(app.now()));
    ImportPage {
        c: signed.ctx("/guide"),
        csv: String::new(),
        file_name: String::new(),
        effective_from: date(&tomorrow),
        errors: Vec::new(),
        report: None,
    }
}

pub async fn import_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    Ok(page(&import_page(&app, &signed)))
}

/// Imports a catalog file (CSV or XLSX, the formats of `liandong catalog import`) or rows
/// pasted as CSV.
pub async fn import(
    State(app): State<App>,
    signed: Signed,
    CheckedUpload { form, files }: CheckedUpload,
) -> Result<Response, PageError> {
    signed.session.require(Role::SystemAdmin)?;
    let l = signed.lang;
    let mut data = import_page(&app, &signed);
    data.csv = form.get("csv").to_owned();
    data.effective_from = form.get("effective_from").trim().to_owned();
    let pick = |e: &FieldError| match l {
        crate::Lang::Zh => e.message_zh.clone(),
        crate::Lang::En => e.message_en.clone(),
    };
    let Ok(effective_from) = NaiveDate::parse_from_str(&data.effective_from, "%Y-%m-%d") else {
        data.errors = vec![l.t("import.bad_date").to_owned()];
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data));
    };
    // A chosen file wins over pasted rows; a workbook is told by its name or its zip header.
    let file = files
        .iter()
        .find(|f| f.field == "file" && !f.bytes.is_empty());
    let read = match file {
        Some(f)
            if f.file_name.to_ascii_lowercase().ends_with(".xlsx")
                || f.bytes.starts_with(b"PK\x03\x04") =>
        {
            data.file_name.clone_from(&f.file_name);
            liandong_app::catalog_file::read_xlsx(&f.bytes)
        }
        Some(f) => {
            data.file_name.clone_from(&f.file_name);
            liandong_app::catalog_file::read_csv(&f.bytes)
        }
        None => liandong_app::catalog_file::read_csv(data.csv.as_bytes()),
    };
    let items = match read {
        Ok(items) => items,
        Err(errors) => {
            data.errors = errors.iter().map(pick).collect();
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data));
        }
    };
    match app
        .import_catalog(Some(&signed.session), items, effective_from)
        .await
    {
        Ok(report) => {
            data.report = Some(report);
            Ok(page(&data))
        }
        Err(AppError::Invalid(errors)) => {
            data.errors = errors.iter().map(pick).collect();
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data))
        }
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => {
            data.errors = vec![message(&e, l)];
            Ok(render(crate::error::status_of(&e).0, &data))
        }
    }
}
