//! Cases: intake, list, read, act.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use liandong_app::App;
use liandong_app::case_export::PersonalData;
use liandong_app::cases::{CaseView, Intake};
use liandong_domain::calendar::china_day_start;
use liandong_domain::case::{Action, CaseState};
use liandong_domain::organization::{CaseId, DepartmentId, ItemId, UnitId};
use liandong_store::{CaseFilter, CaseSort, CaseSummary};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff, idempotency_key};
use crate::problem::{ApiError, Problem};

/// Takes in an application at the signed-in clerk's unit. Send an `Idempotency-Key` header
/// so that a retried submit never makes two cases.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body(content = Intake, example = json!({
        "item_code": "XK00094001",
        "applicant": {"type": "person", "name": "王建国", "resident_id": "11010519491231002X"},
        "phone": "13800138000", "channel": "window",
        "materials": ["食品经营许可申请书", "营业执照", "法定代表人（负责人）身份证明",
            "与食品经营相适应的主要设备设施布局、操作流程等文件",
            "食品安全自查、从业人员健康管理等食品安全管理制度目录", "经营场所使用证明"]})),
    params(("Idempotency-Key" = Option<String>, Header, description = "unique per intended case", example = "7f3a-0001")),
    responses((status = 201, body = CaseView), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not a window clerk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item, or no unit handles it", body = Problem, content_type = "application/problem+json")))]
pub async fn create_case(
    State(app): State<App>,
    Staff(session): Staff,
    headers: HeaderMap,
    Json(intake): Json<Intake>,
) -> Result<(StatusCode, axum::Json<CaseView>), ApiError> {
    let key = idempotency_key(&headers)?;
    let view = app.submit_case(&session, &intake, key).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Newest,
    Due,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseQuery {
    pub state: Option<CaseState>,
    /// Only cases still open.
    #[serde(default)]
    pub open: bool,
    /// Only cases past their due time.
    #[serde(default)]
    pub overdue: bool,
    pub unit_id: Option<i64>,
    pub department_id: Option<i64>,
    pub item_id: Option<i64>,
    /// Received on or after this date (China time).
    #[serde(default, deserialize_with = "crate::extract::date::optional")]
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date (China time).
    #[serde(default, deserialize_with = "crate::extract::date::optional")]
    pub received_to: Option<NaiveDate>,
    /// Case number, applicant ID number, or the beginning of the applicant's name.
    pub q: Option<String>,
    #[serde(default)]
    #[param(inline)]
    pub sort: SortOrder,
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 200, default 50.
    pub per_page: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// The store's filter for a query: one page of `limit` rows from `offset`.
fn case_filter(app: &App, q: &CaseQuery, limit: i64, offset: i64) -> CaseFilter {
    CaseFilter {
        state: q.state,
        open_only: q.open || q.overdue,
        unit: q.unit_id.map(UnitId),
        department: q.department_id.map(DepartmentId),
        item: q.item_id.map(ItemId),
        received_from: q.received_from.map(china_day_start),
        received_before: q
            .received_to
            .and_then(|d| d.succ_opt())
            .map(china_day_start),
        due_before: q.overdue.then(|| app.now()),
        search: q.q.clone(),
        sort: match q.sort {
            SortOrder::Newest => CaseSort::ReceivedDesc,
            SortOrder::Due => CaseSort::DueAsc,
        },
        limit,
        offset,
    }
}

/// The cases the signed-in member of staff may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(CaseQuery),
    responses((status = 200, body = CaseList), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<CaseQuery>,
) -> Result<axum::Json<CaseList>, ApiError> {
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let filter = case_filter(&app, &q, per_page, (page - 1) * per_page);
    let (cases, total) = app.list_cases(&session, &filter).await?;
    Ok(axum::Json(CaseList {
        cases,
        total,
        page,
        per_page,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportOptions {
    /// `masked` (the default) or `full`; `full` needs a role that works on cases.
    #[serde(default)]
    #[param(inline)]
    pub personal_data: PersonalData,
}

/// The same cases as the list, filtered alike, as one CSV file of at most 100,000 rows. The
/// export is audited with its filter and whether identities were in it.
#[utoipa::path(get, path = "/api/v1/cases/export", tag = "cases", security(("bearer" = [])), params(CaseQuery, ExportOptions),
    responses((status = 200, description = "the cases, CSV (UTF-8 with BOM)", content_type = "text/csv", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "identities in full asked for by a role that does not work on cases", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "more than 100,000 cases match", body = Problem, content_type = "application/problem+json")))]
pub async fn export_cases(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<CaseQuery>,
    Query(options): Query<ExportOptions>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let filter = case_filter(&app, &q, 0, 0);
    let csv = app
        .export_cases(
            &session,
            &filter,
            options.personal_data,
            uri.query().unwrap_or_default(),
        )
        .await?;
    let name = format!(
        "attachment; filename=\"cases-{}.csv\"",
        liandong_domain::calendar::china_date(app.now()).format("%Y%m%d")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        csv,
    )
        .into_response())
}

/// A case with its history, clocks and the actions allowed now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = CaseView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(app.case_view(&session, CaseId(id)).await?))
}

/// A case by its number, e.g. `20307-20261128-0042`.
#[utoipa::path(get, path = "/api/v1/cases/by-number/{number}", tag = "cases", security(("bearer" = [])), params(("number" = String, Path, description = "unit code, date of intake, sequence", pattern = "^[0-9]{1,8}-[0-9]{8}-[0-9]{4,7}$", example = "100-20260302-0001")),
    responses((status = 200, body = CaseView), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "not a case number", body = Problem, content_type = "application/problem+json")))]
pub async fn get_case_by_number(
    State(app): State<App>,
    Staff(session): Staff,
    Path(number): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(app.case_by_number(&session, &number).await?))
}

/// An action on a case, naming the version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "action": "accept"}))]
pub struct CaseActionRequest {
    /// The case's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    #[serde(default)]
    pub comment: String,
    /// With `accept` only: fees waived (免收) or reduced (减收), each with its legal reason.
    /// Fees not named are charged at the item's standard.
    #[serde(default)]
    pub fees: Vec<liandong_domain::payment::FeeDecision>,
    #[serde(flatten)]
    pub action: Action,
}

/// Acts on a case: accept, handle, review, approve, deny, conclude, request a supplement…
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", security(("bearer" = [])), params(("id" = i64, Path, example = 1)),
    request_body = CaseActionRequest,
    responses((status = 200, body = CaseView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act_on_case(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<CaseActionRequest>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(
        app.act_with_fees(
            &session,
            CaseId(id),
            req.expected_version,
            &req.action,
            &req.comment,
            &req.fees,
        )
        .await?,
    ))
}
