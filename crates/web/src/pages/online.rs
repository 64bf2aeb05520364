//! Online services (网上办事) for applicants: sign in with an SMS code, the list of their
//! cases, an application with its materials, a case with its notices, the supplement and
//! the withdrawal; and the materials' files for the officers of a case.

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::online::{
    ApplicantCaseRow, ApplicantCaseView, ApplicantSession, FileViewer, OnlineApplication,
    UploadedFile,
};
use liandong_app::progress::CaseClaim;
use liandong_app::{App, AppError, FieldError};
use liandong_domain::case::{ActionName, Applicant};
use liandong_domain::catalog::{ItemLevel, Material, ServiceItem};
use liandong_domain::ids::{CreditCode, ResidentId};
use liandong_domain::organization::{CaseId, UnitId, UnitKind};
use liandong_store::CaseFile;

use crate::error::{PageError, message, refused_status};
use crate::form::{FieldErrors, Form, Params};
use crate::i18n::Lang;
use crate::session::{CheckedForm, CheckedUpload, Signed, Upload, Visitor, cookie, set_cookie};
use crate::view::{Ctx, opt_time, render, time};

/// The cookie holding a signed-in applicant's token (separate from the staff session).
pub const APPLICANT_COOKIE: &str = "ld_applicant";

/// A signed-in applicant; without a valid cookie the page sends them to sign in.
pub struct SignedApplicant {
    pub who: ApplicantSession,
    pub token: String,
}

impl FromRequestParts<App> for SignedApplicant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        let back = || {
            let target = parts.uri.path().to_owned();
            let next = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
            Redirect::to(&format!("/online?{next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, APPLICANT_COOKIE).map(str::to_owned) else {
            return Err(back());
        };
        match app.applicant(&token).await {
            Ok(who) => Ok(SignedApplicant { who, token }),
            Err(_) => Err(back()),
        }
    }
}

/// Where to go after signing in: a page of the online hall, nothing else.
fn next_page(form: &Form) -> String {
    let next = form.get("next").trim();
    if next.starts_with("/online/") && !next.contains("//") {
        next.to_owned()
    } else {
        "/online/cases".to_owned()
    }
}

#[derive(Template)]
#[template(path = "online_login.html")]
struct SignInPage {
    c: Ctx,
    phone: String,
    next: String,
    e: FieldErrors,
    sent: Option<String>,
    problem: Option<String>,
}

fn sign_in_page(
    visitor: &Visitor,
    form: &Form,
    status: StatusCode,
    e: FieldErrors,
    sent: Option<String>,
    problem: Option<String>,
) -> Response {
    let data = SignInPage {
        c: visitor.ctx("/online"),
        phone: form.get("phone").trim().to_owned(),
        next: next_page(form),
        e,
        sent,
        problem,
    };
    visitor.finish(render(status, &data))
}

/// The sign-in page; a signed-in applicant goes straight to their cases.
pub async fn sign_in_form(
    State(app): State<App>,
    visitor: Visitor,
    Params(q): Params,
    parts: axum::http::HeaderMap,
) -> Response {
    if let Some(token) = cookie(&parts, APPLICANT_COOKIE)
        && app.applicant(token).await.is_ok()
    {
        return Redirect::to(&next_page(&q)).into_response();
    }
    sign_in_page(
        &visitor,
        &q,
        StatusCode::OK,
        FieldErrors::default(),
        None,
        None,
    )
}

/// How a refusal shows on a form: next to its field when it names one, above it otherwise.
fn refusal(e: AppError, l: Lang) -> Result<(StatusCode, FieldErrors, Option<String>), PageError> {
    match e {
        AppError::Storage(_) => Err(e.into()),
        AppError::Invalid(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::new(errors),
            None,
        )),
        other => Ok((
            refused_status(&other),
            FieldErrors::default(),
            Some(message(&other, l)),
        )),
    }
}

/// Sends the code and shows the page again, saying where it went.
pub async fn send_code(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let l = visitor.lang;
    Ok(match app.send_sign_in_code(form.get("phone")).await {
        Ok(sent) => {
            let text = l
                .t("online.code_sent")
                .replace("{phone}", &sent.phone)
                .replace("{minutes}", &sent.valid_minutes.to_string());
            sign_in_page(
                &visitor,
                &form,
                StatusCode::OK,
                FieldErrors::default(),
                Some(text),
                None,
            )
        }
        Err(e) => {
            let (status, errors, problem) = refusal(e, l)?;
            sign_in_page(&visitor, &form, status, errors, None, problem)
        }
    })
}

/// Signs in with the code; the cookie lasts as long as the sign-in.
pub async fn sign_in(
    State(app): State<App>,
    visitor: Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    match app
        .sign_in_applicant(form.get("phone"), form.get("code"))
        .await
    {
        Ok(issued) => {
            let seconds = (issued.expires_at - app.now()).num_seconds().max(0);
            let mut response = Redirect::to(&next_page(&form)).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    APPLICANT_COOKIE,
                    &issued.token,
                    Some(seconds),
                    visitor.secure,
                ),
            );
            Ok(visitor.finish(response))
        }
        Err(e) => {
            let (status, errors, problem) = refusal(e, visitor.lang)?;
            Ok(sign_in_page(&visitor, &form, status, errors, None, problem))
        }
    }
}

pub async fn sign_out(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    CheckedForm(_): CheckedForm,
) -> Result<Response, PageError> {
    app.sign_out_applicant(&applicant.token).await?;
    let mut response = Redirect::to("/online").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(APPLICANT_COOKIE, "", Some(0), visitor.secure),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "online_cases.html")]
struct CasesPage {
    c: Ctx,
    phone: String,
    rows: Vec<Row>,
}

struct Row {
    id: CaseId,
    number: String,
    item: String,
    channel: String,
    state: String,
    received: String,
    due: String,
}

fn row(r: ApplicantCaseRow) -> Row {
    Row {
        id: r.summary.id,
        number: r.summary.number.as_str().to_owned(),
        item: r.item_name,
        channel: format!("channel.{}", r.summary.channel),
        state: format!("state.{}", r.summary.state),
        received: time(&r.summary.received_at),
        due: opt_time(&r.summary.due_at),
    }
}

/// Every case taken in under the applicant's phone.
pub async fn my_cases(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
) -> Result<Response, PageError> {
    let rows = app.applicant_cases(&applicant.who).await?;
    let data = CasesPage {
        c: visitor.ctx("/online/cases"),
        phone: applicant.who.phone.masked(),
        rows: rows.into_iter().map(row).collect(),
    };
    Ok(visitor.finish(render(StatusCode::OK, &data)))
}

#[derive(Template)]
#[template(path = "online_apply.html")]
struct ApplyPage {
    c: Ctx,
    /// The submission's idempotency key.
    key: String,
    item: ServiceItem,
    townships: Vec<(UnitId, String)>,
    form: Form,
    e: FieldErrors,
    problem: Option<String>,
    max_mb: usize,
}

impl ApplyPage {
    fn checked(&self, name: &str, value: &str) -> bool {
        let given = self.form.get(name);
        given == value || (given.is_empty() && value == "person")
    }

    fn township_chosen(&self, id: &UnitId) -> bool {
        self.form.get("township") == id.0.to_string()
    }
}

async fn apply_page(
    app: &App,
    visitor: &Visitor,
    code: &str,
    form: Form,
    status: StatusCode,
    e: FieldErrors,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let item = crate::pages::guide::published_item(app, code).await?.item;
    let townships = if item.level == ItemLevel::TownshipCenter {
        app.units()
            .await?
            .into_iter()
            .filter(|u| u.kind == UnitKind::TownshipCenter)
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    // One key per form shown: a second click on "submit" finds the case the first made. A
    // form sent back with a problem keeps its key (the refused submit made no case).
    let key = match form.get("key") {
        "" => crate::session::random_hex(),
        key => key.to_owned(),
    };
    let data = ApplyPage {
        c: visitor.ctx("/online/apply"),
        key,
        item,
        townships,
        form,
        e,
        problem,
        max_mb: liandong_domain::online::MAX_FILE_BYTES / 1024 / 1024,
    };
    Ok(visitor.finish(render(status, &data)))
}

/// The application form of an item: who applies, the township where the item needs one,
/// and a file input for each material.
pub async fn apply_form(
    State(app): State<App>,
    visitor: Visitor,
    _applicant: SignedApplicant,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    apply_page(
        &app,
        &visitor,
        &code,
        Form::default(),
        StatusCode::OK,
        FieldErrors::default(),
        None,
    )
    .await
}

/// The files of an upload form: inputs named `m{index}` for the item's materials; an input
/// left empty sends a part without name or content, which is no file.
fn uploaded(materials: &[Material], files: Vec<Upload>) -> Result<Vec<UploadedFile>, PageError> {
    let mut out = Vec::new();
    for file in files {
        if file.file_name.is_empty() && file.bytes.is_empty() {
            continue;
        }
        let index: usize = file
            .field
            .strip_prefix('m')
            .and_then(|i| i.parse().ok())
            .ok_or(PageError::BadForm)?;
        let material = materials.get(index).ok_or(PageError::BadForm)?;
        out.push(UploadedFile {
            material: material.name.clone(),
            file_name: file.file_name,
            bytes: file.bytes.to_vec(),
        });
    }
    Ok(out)
}

fn applicant_of(form: &Form) -> Result<Applicant, AppError> {
    let name = form.get("name").trim().to_owned();
    let number = form.get("id_number").trim();
    let bad_number = |e: &dyn std::fmt::Display| {
        AppError::Invalid(vec![FieldError::from_bilingual(
            "id_number",
            &e.to_string(),
        )])
    };
    if form.get("applicant_type") == "organisation" {
        Ok(Applicant::Organisation {
            name,
            credit_code: CreditCode::parse(number).map_err(|e| bad_number(&e))?,
        })
    } else {
        Ok(Applicant::Person {
            name,
            resident_id: ResidentId::parse(number).map_err(|e| bad_number(&e))?,
        })
    }
}

/// Takes the application in; on a refusal the form comes back with what was typed and the
/// reason (the files must be chosen again: a browser never refills a file input).
pub async fn apply(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(code): Path<String>,
    upload: CheckedUpload,
) -> Result<Response, PageError> {
    let record = crate::pages::guide::published_item(&app, &code).await?;
    let (item_code, item) = (record.item.code.clone(), record.item);
    let files = uploaded(&item.materials, upload.files)?;
    let form = upload.form;
    let result = match applicant_of(&form) {
        Ok(who) => {
            let application = OnlineApplication {
                item_code,
                applicant: who,
                township: form.get("township").parse().ok().map(UnitId),
                files,
                submission_key: Some(form.get("key").to_owned()).filter(|k| !k.is_empty()),
            };
            app.submit_online(&applicant.who, application).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/online/cases/{}", id.0)).into_response()),
        Err(e) => {
            let (status, errors, problem) = refusal(e, visitor.lang)?;
            apply_page(&app, &visitor, &code, form, status, errors, problem).await
        }
    }
}

#[derive(Template)]
#[template(path = "online_case.html")]
struct CasePage {
    c: Ctx,
    v: ApplicantCaseView,
    state: String,
    channel: String,
    received: String,
    accepted: String,
    due: String,
    timeline: Vec<(String, String, String, String)>,
    files: Vec<(CaseFile, String)>,
    messages: Vec<(String, String)>,
    /// The item's materials a supplement may bring, with their input's index; the ones the
    /// notice asks for first.
    supplement_inputs: Vec<(usize, String, bool)>,
    may_supplement: bool,
    may_withdraw: bool,
    e: FieldErrors,
    problem: Option<String>,
}

fn case_page(
    visitor: &Visitor,
    v: ApplicantCaseView,
    status: StatusCode,
    e: FieldErrors,
    problem: Option<String>,
) -> Response {
    let l = visitor.lang;
    let timeline = crate::pages::progress::timeline_rows(&v.progress.timeline, l);
    let mut supplement_inputs: Vec<(usize, String, bool)> = v
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m.name.clone(), v.missing.contains(&m.name)))
        .collect();
    supplement_inputs.sort_by_key(|(i, _, asked)| (!*asked, *i));
    let data = CasePage {
        c: visitor.ctx(&format!("/online/cases/{}", v.id.0)),
        state: format!("state.{}", v.progress.state),
        channel: format!("channel.{}", v.channel),
        received: time(&v.progress.received_at),
        accepted: opt_time(&v.progress.accepted_at),
        due: opt_time(&v.progress.due_at),
        timeline,
        files: v
            .files
            .iter()
            .map(|f| (f.clone(), time(&f.uploaded_at)))
            .collect(),
        messages: v
            .messages
            .iter()
            .map(|m| (time(&m.at), m.text.clone()))
            .collect(),
        supplement_inputs,
        may_supplement: v.actions.contains(&ActionName::Supplement),
        may_withdraw: v.actions.contains(&ActionName::Withdraw),
        e,
        problem,
        v,
    };
    visitor.finish(render(status, &data))
}

/// One of the applicant's cases.
pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let v = app.applicant_case(&applicant.who, CaseId(id)).await?;
    Ok(case_page(
        &visitor,
        v,
        StatusCode::OK,
        FieldErrors::default(),
        None,
    ))
}

/// After an action: the case again, or the case with the refusal.
async fn after(
    app: &App,
    visitor: &Visitor,
    who: &ApplicantSession,
    id: CaseId,
    result: Result<ApplicantCaseView, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/online/cases/{}", id.0)).into_response()),
        Err(e) => {
            let (status, errors, problem) = refusal(e, visitor.lang)?;
            let v = app.applicant_case(who, id).await?;
            Ok(case_page(visitor, v, status, errors, problem))
        }
    }
}

/// The supplement: the files the notice asked for.
pub async fn supplement(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
    upload: CheckedUpload,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let version = upload.form.expected_version()?;
    let materials = app.applicant_case(&applicant.who, id).await?.materials;
    let files = uploaded(&materials, upload.files)?;
    let result = app
        .supplement_online(&applicant.who, id, version, files)
        .await;
    after(&app, &visitor, &applicant.who, id, result).await
}

/// The withdrawal, with its reason.
pub async fn withdraw(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let version = form.expected_version()?;
    let result = app
        .withdraw_online(&applicant.who, id, version, form.get("reason"))
        .await;
    after(&app, &visitor, &applicant.who, id, result).await
}

/// Pays the case's fees online: to the provider's page.
pub async fn pay(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
    CheckedForm(_): CheckedForm,
) -> Result<Response, PageError> {
    let id = CaseId(id);
    let claim = CaseClaim::Online {
        applicant: &applicant.who,
        case: id,
    };
    match app.start_online_payment(&claim).await {
        Ok(pay_url) => Ok(Redirect::to(&pay_url).into_response()),
        Err(e) => after(&app, &visitor, &applicant.who, id, Err(e)).await,
    }
}

/// The applicant's certificate in force.
pub async fn certificate(
    State(app): State<App>,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let claim = CaseClaim::Online {
        applicant: &applicant.who,
        case: CaseId(id),
    };
    let (record, pdf) = app.applicant_certificate(&claim).await?;
    Ok(crate::download::download(
        pdf,
        "application/pdf",
        &record.file_name(),
    ))
}

/// One of the applicant's files.
pub async fn my_file(
    State(app): State<App>,
    applicant: SignedApplicant,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (record, bytes) = app
        .case_file(FileViewer::Applicant(&applicant.who), CaseId(id), file)
        .await?;
    Ok(crate::download::download(
        bytes,
        record.media_type.mime(),
        &record.file_name,
    ))
}

/// A file of a case, for its officers.
pub async fn case_file(
    State(app): State<App>,
    signed: Signed,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (record, bytes) = app
        .case_file(FileViewer::Staff(&signed.session), CaseId(id), file)
        .await?;
    Ok(crate::download::download(
        bytes,
        record.media_type.mime(),
        &record.file_name,
    ))
}
