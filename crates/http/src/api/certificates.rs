//! Electronic certificates (电子证照): the public verification and public key, the case's
//! certificates for its officers, issue and revoke, and the applicant's download.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::App;
use liandong_app::certificates::{RenewalLine, VerifyAnswer};
use liandong_app::progress::CaseClaim;
use liandong_domain::organization::CaseId;
use liandong_store::CertificateRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct VerifyParams {
    /// What the QR code holds (the token, or the whole address), or the licence identifier.
    #[param(example = "1.2.156.3005.2.00001000.11500112000000001X.100202611300001.001.P")]
    pub code: String,
}

/// Verifies a certificate (联网核查, public): valid, expired, revoked, unknown, or invalid when
/// its signature does not hold. The holder is masked.
#[utoipa::path(get, path = "/api/v1/certificates/verify", tag = "certificates", params(VerifyParams),
    responses((status = 200, body = VerifyAnswer),
        (status = 403, description = "certificates are not configured on this server", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "neither a token nor an identifier", body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(app): State<App>,
    Query(q): Query<VerifyParams>,
) -> Result<axum::Json<VerifyAnswer>, ApiError> {
    Ok(axum::Json(app.verify_certificate(&q.code).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    #[schema(example = "ed25519")]
    pub algorithm: &'static str,
    /// 64 hexadecimal digits: what `liandong certificate verify --public-key` takes.
    pub public_key: String,
}

/// The district's published key for checking certificate files offline (public).
#[utoipa::path(get, path = "/api/v1/certificates/public-key", tag = "certificates",
    responses((status = 200, body = PublicKey),
        (status = 404, description = "certificates are not configured on this server", body = Problem, content_type = "application/problem+json")))]
pub async fn public_key(State(app): State<App>) -> Result<axum::Json<PublicKey>, ApiError> {
    let public_key = app
        .certificate_public_key()
        .ok_or(liandong_app::AppError::NotFound(
            "本系统未配置证照签发 / certificates are not configured here",
        ))?;
    Ok(axum::Json(PublicKey {
        algorithm: "ed25519",
        public_key,
    }))
}

/// A case's certificates, the latest edition first (staff who see the case).
#[utoipa::path(get, path = "/api/v1/cases/{id}/certificates", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = Vec<CertificateRecord>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn case_certificates(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<CertificateRecord>>, ApiError> {
    Ok(axum::Json(
        app.case_certificates(&session, CaseId(id)).await?,
    ))
}

/// Issues the certificate of an approved licence, or a new edition that replaces the one in
/// force (换发). Approval issues the first by itself; this is for a reissue or a retry.
#[utoipa::path(post, path = "/api/v1/cases/{id}/certificates", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 201, body = CertificateRecord),
        (status = 403, description = "not an approved licence, a role that does not issue, or certificates not configured", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn issue(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<(StatusCode, axum::Json<CertificateRecord>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(app.issue_certificate(&session, CaseId(id)).await?),
    ))
}

/// A PDF download response.
fn pdf_response(record: &CertificateRecord, pdf: Vec<u8>) -> Response {
    liandong_web::download::download(pdf, "application/pdf", &record.file_name())
}

/// The certificate's signed file (staff who see its case; audited).
#[utoipa::path(get, path = "/api/v1/certificates/{id}/file", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, description = "the signed PDF", content((Vec<u8> = "application/pdf"))),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn file(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (record, pdf) = app.certificate_file(&session, id).await?;
    Ok(pdf_response(&record, pdf))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "reason": "依法撤销：以欺骗手段取得许可"}))]
pub struct RevokeRequest {
    /// The certificate's `version` when it was read; a stale one gets 409.
    pub expected_version: u32,
    pub reason: String,
}

/// Revokes a certificate in force (an approver of its department, or a supervisor).
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", tag = "certificates", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = RevokeRequest,
    responses((status = 200, body = CertificateRecord),
        (status = 403, description = "not allowed, or revoked already", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<RevokeRequest>,
) -> Result<axum::Json<CertificateRecord>, ApiError> {
    Ok(axum::Json(
        app.revoke_certificate(&session, id, req.expected_version, &req.reason)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"number": "100-20261130-0001", "check": "31002X"}))]
pub struct ApplicantCertificateRequest {
    pub number: String,
    /// The last six characters of the applicant's ID number or phone, as for the lookup.
    pub check: String,
}

/// The applicant downloads their certificate in force (public, after the lookup's check).
#[utoipa::path(post, path = "/api/v1/progress/certificate", tag = "certificates", request_body = ApplicantCertificateRequest,
    responses((status = 200, description = "the signed PDF", content((Vec<u8> = "application/pdf"))),
        (status = 404, description = "no case matches, or it has no certificate in force", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn applicant_file(
    State(app): State<App>,
    Json(req): Json<ApplicantCertificateRequest>,
) -> Result<Response, ApiError> {
    let (record, pdf) = app
        .applicant_certificate(&CaseClaim::lookup(&req.number, &req.check))
        .await?;
    Ok(pdf_response(&record, pdf))
}

/// The renewals list (证照到期): certificates of the caller's department (every department's
/// for supervisors) due for renewal, late for it (past the 行政许可法 Art 50 date, still in
/// force), or expired within the last 30 days, the soonest to expire first.
#[utoipa::path(get, path = "/api/v1/certificates/renewals", tag = "certificates", security(("bearer" = [])),
    responses((status = 200, body = Vec<RenewalLine>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn renewals(
    State(app): State<App>,
    Staff(session): Staff,
) -> Result<axum::Json<Vec<RenewalLine>>, ApiError> {
    Ok(axum::Json(app.renewals_due(&session).await?))
}
