//! The catalog: the public service guide, versions, the reform report, import and export.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use liandong_app::catalog::{ImportReport, ItemHistory};
use liandong_app::{App, AppError, catalog_file};
use liandong_domain::catalog::{ItemChange, ItemCode, ReformReport, ServiceItem};
use liandong_store::ItemRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct ItemQuery {
    pub department_id: Option<i64>,
    /// Part of the code or the name.
    pub q: Option<String>,
}

/// The catalog (public): every item, newest version.
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(ItemQuery),
    responses((status = 200, body = Vec<ItemRecord>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_items(
    State(app): State<App>,
    Query(q): Query<ItemQuery>,
) -> Result<axum::Json<Vec<ItemRecord>>, ApiError> {
    let items = app
        .items(
            q.department_id
                .map(liandong_domain::organization::DepartmentId),
            q.q.as_deref().filter(|s| !s.trim().is_empty()),
        )
        .await?;
    Ok(axum::Json(items))
}

fn parse_code(code: &str) -> Result<ItemCode, ApiError> {
    ItemCode::parse(code).map_err(|e| {
        ApiError(AppError::Invalid(vec![
            liandong_app::FieldError::from_bilingual("code", &e),
        ]))
    })
}

/// One item's service guide (public) with its whole version history.
#[utoipa::path(get, path = "/api/v1/items/{code}", tag = "catalog", params(("code" = String, Path, description = "two letters and eight digits", pattern = "^[A-Za-z]{2}[0-9]{8}$", example = "XK00094001")),
    responses((status = 200, body = ItemHistory), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not an item code", body = Problem, content_type = "application/problem+json")))]
pub async fn get_item(
    State(app): State<App>,
    Path(code): Path<String>,
) -> Result<axum::Json<ItemHistory>, ApiError> {
    let record = app.item_by_code(&parse_code(&code)?).await?;
    Ok(axum::Json(app.item_history(record.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"effective_from": "2027-01-01", "expected_version": 2, "cancel_reason": "并入“食品经营许可（变更）”事项"}))]
pub struct ItemVersionRequest {
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub effective_from: NaiveDate,
    /// The version the editor saw; omit to create a new item.
    pub expected_version: Option<u32>,
    /// The new definition; omit and give `cancel_reason` to cancel the item.
    pub item: Option<ServiceItem>,
    pub cancel_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemVersionSaved {
    pub item_id: i64,
    pub version: u32,
}

/// Records a new dated version of an item, or its cancellation (system administrators).
#[utoipa::path(post, path = "/api/v1/items/{code}/versions", tag = "catalog", security(("bearer" = [])),
    params(("code" = String, Path, pattern = "^[A-Za-z]{2}[0-9]{8}$", example = "XK00094001")), request_body = ItemVersionRequest,
    responses((status = 201, body = ItemVersionSaved), (status = 403, description = "not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item to change or cancel", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_item_version(
    State(app): State<App>,
    Staff(session): Staff,
    Path(code): Path<String>,
    Json(req): Json<ItemVersionRequest>,
) -> Result<(StatusCode, axum::Json<ItemVersionSaved>), ApiError> {
    let code = parse_code(&code)?;
    let change = match (req.item, req.cancel_reason) {
        (Some(item), None) => ItemChange::Defined {
            item: Box::new(item),
        },
        (None, Some(reason)) => ItemChange::Cancelled { reason },
        _ => {
            return Err(AppError::invalid(
                "item",
                "须给出新的事项定义或取消理由之一",
                "give either a new definition or a cancellation reason",
            )
            .into());
        }
    };
    let (id, version) = app
        .record_item_version(
            Some(&session),
            change,
            &code,
            req.effective_from,
            req.expected_version,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ItemVersionSaved {
            item_id: id.0,
            version,
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReformQuery {
    #[param(example = "2024-06-01")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::extract::date::required")]
    #[param(example = "2025-06-01")]
    pub to: NaiveDate,
}

/// "Four reductions, one compression" (四减一压缩) between two dates (public).
#[utoipa::path(get, path = "/api/v1/catalog/reform-report", tag = "catalog", params(ReformQuery),
    responses((status = 200, body = ReformReport), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reform_report(
    State(app): State<App>,
    Query(q): Query<ReformQuery>,
) -> Result<axum::Json<ReformReport>, ApiError> {
    Ok(axum::Json(app.reform_report(q.from, q.to).await?))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    #[default]
    Csv,
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    #[serde(default)]
    #[param(inline)]
    pub format: FileFormat,
}

/// The catalog in force, as CSV or XLSX (public).
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(ExportQuery),
    responses((status = 200, description = "the catalog file", content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, description = "the file cannot be written", body = Problem, content_type = "application/problem+json")))]
pub async fn export_catalog(
    State(app): State<App>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let items = app.catalog_in_force().await?;
    let (bytes, mime, name) = match q.format {
        FileFormat::Csv => (
            catalog_file::write_csv(&items),
            "text/csv; charset=utf-8",
            "catalog.csv",
        ),
        FileFormat::Xlsx => (
            catalog_file::write_xlsx(&items)
                .map_err(|e| AppError::invalid("format", e.clone(), e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "catalog.xlsx",
        ),
    };
    Ok(liandong_web::download::download(bytes, mime, name))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    #[serde(default)]
    #[param(inline)]
    pub format: FileFormat,
    #[serde(deserialize_with = "crate::extract::date::required")]
    #[param(example = "2027-01-01")]
    pub effective_from: NaiveDate,
}

/// Imports a catalog file; all or nothing (system administrators).
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, description = "not a system administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_catalog(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<axum::Json<ImportReport>, ApiError> {
    session.require(liandong_domain::organization::Role::SystemAdmin)?;
    let items = match q.format {
        FileFormat::Csv => catalog_file::read_csv(&body),
        FileFormat::Xlsx => catalog_file::read_xlsx(&body),
    }
    .map_err(AppError::Invalid)?;
    if serde_json::to_vec(&items).is_ok_and(|json| crate::extract::json_has_nul(&json)) {
        return Err(ApiError(AppError::invalid(
            "file",
            "文本不能包含空字符（U+0000）",
            "text must not contain the NUL character (U+0000)",
        )));
    }
    Ok(axum::Json(
        app.import_catalog(Some(&session), items, q.effective_from)
            .await?,
    ))
}
