//! Fees on the pages: the fee window takes a case's payment at the counter (the notice itself
//! shows on the case page).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::App;

use crate::error::PageError;
use crate::session::{CheckedForm, Signed};

/// The fee window takes the notice's amount, then back to the case.
pub async fn pay_at_counter(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form
        .get("expected_version")
        .parse()
        .map_err(|_| PageError::BadForm)?;
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
