//! Online services (网上办事) for applicants: sign-in with an SMS code, their cases, applying
//! with materials, supplementing and withdrawing; and the materials' files for officers.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liandong_app::online::{
    ApplicantCaseRow, ApplicantCaseView, ApplicantToken, CodeSent, FileViewer, OnlineApplication,
    UploadedFile,
};
use liandong_app::progress::CaseClaim;
use liandong_app::{App, AppError, FieldError};
use liandong_domain::case::Applicant;
use liandong_domain::catalog::ItemCode;
use liandong_domain::organization::{CaseId, UnitId};
use liandong_store::CaseFile;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::extract::{Json, Path, SignedApplicant, Staff, bearer_token_of, idempotency_key};
use crate::problem::{ApiError, Problem};

/// The largest online application or supplement, as the pages take it.
pub use liandong_web::MAX_UPLOAD_BODY_BYTES;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"phone": "13800138000"}))]
pub struct CodeRequest {
    /// A mainland mobile number.
    pub phone: String,
}

/// Sends a one-time sign-in code by SMS (public). One a minute, five an hour, ten a day per
/// number; the code lasts five minutes.
#[utoipa::path(post, path = "/api/v1/online/codes", tag = "online", request_body = CodeRequest,
    responses((status = 202, body = CodeSent),
        (status = 422, description = "not a mobile number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "a code was sent too recently, or too many today", body = Problem, content_type = "application/problem+json")))]
pub async fn send_code(
    State(app): State<App>,
    Json(req): Json<CodeRequest>,
) -> Result<(StatusCode, axum::Json<CodeSent>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(app.send_sign_in_code(&req.phone).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"phone": "13800138000", "code": "042917"}))]
pub struct SignInRequest {
    pub phone: String,
    /// The six digits sent by SMS.
    pub code: String,
}

/// Signs an applicant in with the code (public). Five wrong codes spend it.
#[utoipa::path(post, path = "/api/v1/online/sessions", tag = "online", request_body = SignInRequest,
    responses((status = 201, body = ApplicantToken),
        (status = 422, description = "wrong, expired or malformed code", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(app): State<App>,
    Json(req): Json<SignInRequest>,
) -> Result<(StatusCode, axum::Json<ApplicantToken>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(app.sign_in_applicant(&req.phone, &req.code).await?),
    ))
}

/// Signs the applicant out: the token stops working.
#[utoipa::path(delete, path = "/api/v1/online/sessions", tag = "online", security(("bearer" = [])),
    responses((status = 204, description = "signed out"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(
    State(app): State<App>,
    SignedApplicant(_signed): SignedApplicant,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = bearer_token_of(&headers) {
        app.sign_out_applicant(token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The applicant's cases: every case taken in under their phone, newest first.
#[utoipa::path(get, path = "/api/v1/online/cases", tag = "online", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApplicantCaseRow>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_cases(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
) -> Result<axum::Json<Vec<ApplicantCaseRow>>, ApiError> {
    Ok(axum::Json(app.applicant_cases(&who).await?))
}

/// A file for one of the item's materials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileUpload {
    /// The material's name as the item lists it.
    #[schema(example = "营业执照")]
    pub material: String,
    #[schema(example = "营业执照.pdf")]
    pub file_name: String,
    /// The file, base64: a PDF, JPEG or PNG of at most 10 MB.
    #[schema(example = "JVBERi0xLjcK")]
    pub content_base64: String,
}

fn decoded(files: Vec<FileUpload>) -> Result<Vec<UploadedFile>, AppError> {
    files
        .into_iter()
        .map(|f| {
            let bytes = STANDARD.decode(f.content_base64.trim()).map_err(|_| {
                AppError::Invalid(vec![FieldError::new(
                    "files",
                    format!("文件“{}”的内容不是有效的base64", f.file_name),
                    format!("the content of `{}` is not valid base64", f.file_name),
                )])
            })?;
            Ok(UploadedFile {
                material: f.material,
                file_name: f.file_name,
                bytes,
            })
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "item_code": "XK-00001",
    "applicant": {"type": "person", "name": "王建国", "resident_id": "11010519491231002X"},
    "files": [{"material": "申请书", "file_name": "申请书.pdf", "content_base64": "JVBERi0xLjcK"}]
}))]
pub struct ApplicationRequest {
    pub item_code: ItemCode,
    pub applicant: Applicant,
    /// For an item the township centers handle: the applicant's township center.
    #[serde(default)]
    pub township: Option<UnitId>,
    pub files: Vec<FileUpload>,
}

/// Applies online for an item with its materials. The case waits for the window's
/// pre-examination; the applicant is told by SMS. Send an `Idempotency-Key` header so that a
/// retried submit never makes two cases.
#[utoipa::path(post, path = "/api/v1/online/cases", tag = "online", security(("bearer" = [])),
    request_body = ApplicationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "unique per intended case", example = "7f3a-0001")),
    responses((status = 201, body = ApplicantCaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the request is too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a file too large, of the wrong type or for no material of the item", body = Problem, content_type = "application/problem+json")))]
pub async fn apply(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    headers: HeaderMap,
    Json(req): Json<ApplicationRequest>,
) -> Result<(StatusCode, axum::Json<ApplicantCaseView>), ApiError> {
    let application = OnlineApplication {
        item_code: req.item_code,
        applicant: req.applicant,
        township: req.township,
        files: decoded(req.files)?,
        submission_key: idempotency_key(&headers)?.map(str::to_owned),
    };
    let id = app.submit_online(&who, application).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(app.applicant_case(&who, id).await?),
    ))
}

/// One of the applicant's cases: progress, files, the open supplement notice, messages.
#[utoipa::path(get, path = "/api/v1/online/cases/{id}", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = ApplicantCaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn my_case(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
) -> Result<axum::Json<ApplicantCaseView>, ApiError> {
    Ok(axum::Json(app.applicant_case(&who, CaseId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 2, "files": [{"material": "身份证明", "file_name": "身份证.jpg", "content_base64": "/9j/4AAQ"}]}))]
pub struct SupplementRequest {
    /// The case's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    pub files: Vec<FileUpload>,
}

/// Answers the one-time supplement notice with the files asked for.
#[utoipa::path(post, path = "/api/v1/online/cases/{id}/supplement", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = SupplementRequest,
    responses((status = 200, body = ApplicantCaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "no supplement is asked for, or the case changed", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn supplement(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
    Json(req): Json<SupplementRequest>,
) -> Result<axum::Json<ApplicantCaseView>, ApiError> {
    let files = decoded(req.files)?;
    Ok(axum::Json(
        app.supplement_online(&who, CaseId(id), req.expected_version, files)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "reason": "已不需要办理"}))]
pub struct WithdrawRequest {
    pub expected_version: u32,
    pub reason: String,
}

/// Withdraws the application, with the reason.
#[utoipa::path(post, path = "/api/v1/online/cases/{id}/withdraw", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = WithdrawRequest,
    responses((status = 200, body = ApplicantCaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
    Json(req): Json<WithdrawRequest>,
) -> Result<axum::Json<ApplicantCaseView>, ApiError> {
    Ok(axum::Json(
        app.withdraw_online(&who, CaseId(id), req.expected_version, &req.reason)
            .await?,
    ))
}

fn file_response(file: &CaseFile, bytes: Vec<u8>) -> Response {
    liandong_web::download::download(bytes, file.media_type.mime(), &file.file_name)
}

/// One of the applicant's own files.
#[utoipa::path(get, path = "/api/v1/online/cases/{id}/files/{file}", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1), ("file" = i64, Path, example = 1)),
    responses((status = 200, description = "the file as uploaded", content((Vec<u8> = "application/octet-stream"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn my_file(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (record, bytes) = app
        .case_file(FileViewer::Applicant(&who), CaseId(id), file)
        .await?;
    Ok(file_response(&record, bytes))
}

/// The applicant's electronic certificate in force for the case.
#[utoipa::path(get, path = "/api/v1/online/cases/{id}/certificate", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, description = "the signed PDF", content((Vec<u8> = "application/pdf"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case of theirs, or no certificate in force", body = Problem, content_type = "application/problem+json")))]
pub async fn my_certificate(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let claim = CaseClaim::Online {
        applicant: &who,
        case: CaseId(id),
    };
    let (record, pdf) = app.applicant_certificate(&claim).await?;
    Ok(liandong_web::download::download(
        pdf,
        "application/pdf",
        &record.file_name(),
    ))
}

/// The materials' files of a case (its officers).
#[utoipa::path(get, path = "/api/v1/cases/{id}/files", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = Vec<CaseFile>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn case_files(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<CaseFile>>, ApiError> {
    Ok(axum::Json(app.case_files(&session, CaseId(id)).await?))
}

/// One file of a case (its officers; audited).
#[utoipa::path(get, path = "/api/v1/cases/{id}/files/{file}", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1), ("file" = i64, Path, example = 1)),
    responses((status = 200, description = "the file as uploaded", content((Vec<u8> = "application/octet-stream"))),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn case_file(
    State(app): State<App>,
    Staff(session): Staff,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (record, bytes) = app
        .case_file(FileViewer::Staff(&session), CaseId(id), file)
        .await?;
    Ok(file_response(&record, bytes))
}
