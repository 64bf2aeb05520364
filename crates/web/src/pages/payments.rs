//! Fees on the pages: the fee window takes a case's payment at the counter (the notice itself
//! shows on the case page).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::App;
use liandong_app::progress::CaseClaim;

use crate::error::PageError;
use crate::session::{CheckedForm, Signed};

/// The fee window takes the notice's amount, then back to the case.
pub async fn pay_at_counter(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    let amount = form
        .get("amount_fen")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    let method = form.get("method").parse().map_err(|_| PageError::BadForm)?;
    let view = app
        .pay_at_counter(&signed.session, id, version, method, amount)
        .await?;
    Ok(Redirect::to(&format!("/cases/{}#payment", view.record.case_id.0)).into_response())
}

/// An approver gives a paid fee back with the reason, then back to the case.
pub async fn refund(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form.expected_version()?;
    let view = app
        .refund_payment(&signed.session, id, version, form.get("reason"))
        .await?;
    Ok(Redirect::to(&format!("/cases/{}#payment", view.record.case_id.0)).into_response())
}

/// The applicant pays online from the progress page: an order is opened at the provider and
/// the browser goes to its payment page; anything in the way is said on the page.
pub async fn pay_online(
    State(app): State<App>,
    visitor: crate::session::Visitor,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    match app
        .start_online_payment(&CaseClaim::lookup(form.get("number"), form.get("check")))
        .await
    {
        Ok(pay_url) => Ok(visitor.finish(Redirect::to(&pay_url))),
        Err(e @ liandong_app::AppError::Storage(_)) => Err(e.into()),
        Err(e) => {
            let status = crate::error::refused_status(&e);
            let text = crate::error::message(&e, visitor.lang);
            Ok(visitor.finish(crate::pages::ratings::rated_page(
                &visitor, false, text, status,
            )))
        }
    }
}
