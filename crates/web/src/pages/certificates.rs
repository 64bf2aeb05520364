//! Electronic certificates (电子证照) on the pages: the public verification a QR code leads
//! to, the applicant's download under the progress lookup, and on the case page the
//! officers' download, issue or reissue, and revocation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::certificates::{RenewalLine, VerifyAnswer};
use liandong_app::progress::CaseClaim;
use liandong_app::{App, AppError};
use liandong_domain::organization::CaseId;
use liandong_store::CertificateRecord;

use crate::error::{PageError, message};
use crate::form::Params;
use crate::session::{CheckedForm, Signed, Visitor};
use crate::view::{Ctx, render, time};

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: Ctx,
    code: String,
    answer: Option<VerifyAnswer>,
    problem: Option<String>,
    public_key: Option<String>,
}

/// The verification page (联网核查): what a certificate's QR code opens (`?c=TOKEN`), or an
/// identifier typed in (`?code=…`).
pub async fn verify(
    State(app): State<App>,
    visitor: Visitor,
    Params(q): Params,
) -> Result<Response, PageError> {
    let code = if q.get("c").is_empty() {
        q.get("code").trim().to_owned()
    } else {
        q.get("c").trim().to_owned()
    };
    let (status, answer, problem) = if code.is_empty() {
        (StatusCode::OK, None, None)
    } else {
        match app.verify_certificate(&code).await {
            Ok(answer) => (StatusCode::OK, Some(answer), None),
            Err(e @ AppError::Storage(_)) => return Err(e.into()),
            Err(e) => (
                crate::error::status_of(&e).0,
                None,
                Some(message(&e, visitor.lang)),
            ),
        }
    };
    let data = VerifyPage {
        c: visitor.ctx("/verify"),
        // A token is long and unreadable: the field shows what a person would type.
        code: if code.starts_with("LD") || code.contains("?c=") {
            String::new()
        } else {
            code
        },
        answer,
        problem,
        public_key: app.certificate_public_key(),
    };
    Ok(visitor.finish(render(status, &data)))
}

fn pdf(record: &CertificateRecord, bytes: Vec<u8>) -> Response {
    crate::download::download(bytes, "application/pdf", &record.file_name())
}

/// The applicant's certificate in force, from the progress page (number and check code).
pub async fn applicant_file(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let (record, bytes) = app
        .applicant_certificate(&CaseClaim::lookup(form.get("number"), form.get("check")))
        .await?;
    Ok(visitor.finish(pdf(&record, bytes)))
}

/// A certificate's file for the staff who see its case.
pub async fn file(
    State(app): State<App>,
    signed: Signed,
    Path((_case, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (record, bytes) = app.certificate_file(&signed.session, id).await?;
    Ok(pdf(&record, bytes))
}

/// Issues (or reissues) the case's certificate, then back to the case.
pub async fn issue(
    State(app): State<App>,
    signed: Signed,
    Path(case): Path<i64>,
    CheckedForm(_form): CheckedForm,
) -> Result<Response, PageError> {
    app.issue_certificate(&signed.session, CaseId(case)).await?;
    Ok(Redirect::to(&format!("/cases/{case}#certificates")).into_response())
}

/// Revokes a certificate with the reason given, then back to the case.
pub async fn revoke(
    State(app): State<App>,
    signed: Signed,
    Path((case, id)): Path<(i64, i64)>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    app.revoke_certificate(&signed.session, id, version, form.get("reason"))
        .await?;
    Ok(Redirect::to(&format!("/cases/{case}#certificates")).into_response())
}

#[derive(Template)]
#[template(path = "renewals.html")]
struct RenewalsPage {
    c: Ctx,
    lines: Vec<RenewalLine>,
}

impl RenewalsPage {
    fn standing(&self, line: &RenewalLine) -> &'static str {
        self.c.l.t(format!("renewal.{}", line.standing.as_str()))
    }

    fn reminded(&self, line: &RenewalLine) -> String {
        match line.certificate.renewal_reminded_at {
            Some(at) if liandong_domain::notify::is_mobile(&line.phone) => time(&at),
            Some(_) => self.c.l.t("renewals.no_mobile").to_owned(),
            None => self.c.l.t("renewals.not_yet").to_owned(),
        }
    }
}

/// The renewals list (证照到期): the department's certificates due for renewal, late, or
/// lately expired, to follow up with their holders.
pub async fn renewals(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    let data = RenewalsPage {
        c: signed.ctx("/certificates/renewals"),
        lines: app.renewals_due(&signed.session).await?,
    };
    Ok(render(StatusCode::OK, &data))
}
