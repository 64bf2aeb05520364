//! The web pages of Liandong: server-rendered askama templates for the window clerk, the
//! officers, the administrators and the public, Chinese first and English on request.
//!
//! Pages call the same use cases as the JSON API (`liandong_app::App`); nothing here decides a
//! rule or reads the database itself. Signed-in pages hold the app's own sign-in token in an
//! HttpOnly cookie; every POST form carries a CSRF token derived from it (see `session`).

mod assets;
mod charts;
pub mod download;
mod error;
mod form;
pub mod i18n;
mod pages;
mod session;
mod view;

use axum::Router;
use axum::routing::{get, post};
use liandong_app::App;

pub use error::PageError;
pub use i18n::Lang;
pub use session::{CSRF_FIELD, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE, csrf_token};

/// The largest online application or supplement: several scans of up to 10 MB each.
pub const MAX_UPLOAD_BODY_BYTES: usize = 40 * 1024 * 1024;

/// Every page and static file, to be merged into the server's router; `app` lets error pages
/// show the signed-in header.
pub fn routes(app: App) -> Router<App> {
    use pages::*;
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/inbox", get(cases::inbox))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/act", post(cases::act))
        .route("/cases/{id}/print/{doc}", get(cases::print))
        .route("/workbench", get(workbench::search))
        .route(
            "/workbench/{code}",
            get(workbench::intake_form).post(workbench::intake),
        )
        .route(
            "/appeal",
            get(appeal_public::submit_form).post(appeal_public::submit),
        )
        .route(
            "/appeal/lookup",
            get(appeal_public::lookup_form).post(appeal_public::lookup),
        )
        .route("/appeals", get(appeals::list))
        .route("/appeals/at-risk", get(appeals::at_risk))
        .route("/appeals/acceptance", get(appeals::acceptance))
        .route("/appeals/statistics", get(appeals::statistics))
        .route(
            "/appeals/new",
            get(appeals::new_form).post(appeals::register),
        )
        .route("/appeals/{id}", get(appeals::show))
        .route("/appeals/{id}/act", post(appeals::act))
        .route("/proxy", get(proxy::list).post(proxy::register))
        .route("/proxy/export.csv", get(proxy::export))
        .route("/proxy/{id}", get(proxy::show))
        .route("/proxy/{id}/act", post(proxy::act))
        .route("/proxy/{id}/receipt", get(proxy::receipt))
        .route("/monitor", get(monitor::overview))
        .route("/findings", get(findings::list))
        .route("/evaluation", get(evaluation::show))
        .route("/evaluation.xlsx", get(evaluation::workbook))
        .route("/notices", get(notices::list))
        .route("/notices/{id}", get(notices::show))
        .route("/notices/{id}/act", post(notices::act))
        .route("/disclosure", get(disclosure::show))
        .route("/projects", get(projects::list))
        .route(
            "/projects/new",
            get(projects::new_form).post(projects::register),
        )
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/open", post(projects::open))
        .route("/projects/{id}/reviews", post(projects::review))
        .route("/guide", get(guide::list))
        .route("/guide/{code}", get(guide::show))
        .route("/progress", get(progress::form).post(progress::lookup))
        .route("/progress/rate", post(ratings::rate_online))
        .route("/progress/pay", post(payments::pay_online))
        .route("/progress/certificate", post(certificates::applicant_file))
        .route("/verify", get(certificates::verify))
        .route("/online", get(online::sign_in_form))
        .route("/online/code", post(online::send_code))
        .route("/online/login", post(online::sign_in))
        .route("/online/logout", post(online::sign_out))
        .route("/online/cases", get(online::my_cases))
        .route(
            "/online/appointments",
            get(appointments::online_appointments).post(appointments::online_book),
        )
        .route(
            "/online/appointments/{id}/cancel",
            post(appointments::online_cancel),
        )
        .route("/online/cases/{id}", get(online::show))
        .route("/online/cases/{id}/withdraw", post(online::withdraw))
        .route("/online/cases/{id}/pay", post(online::pay))
        .route("/online/cases/{id}/certificate", get(online::certificate))
        .route("/online/cases/{id}/files/{file}", get(online::my_file))
        .route("/cases/{id}/files/{file}", get(online::case_file))
        .route(
            "/online/consult/{code}",
            get(consultations::ask_form).post(consultations::ask),
        )
        .route("/online/consultations", get(consultations::mine))
        .route(
            "/online/consultations/{id}/withdraw",
            post(consultations::withdraw),
        )
        .route("/certificates/renewals", get(certificates::renewals))
        .route("/consultations", get(consultations::list))
        .route("/consultations/{id}", get(consultations::show))
        .route("/consultations/{id}/act", post(consultations::act))
        .merge(
            // Applications and supplements carry the materials' files.
            Router::new()
                .route(
                    "/online/apply/{code}",
                    get(online::apply_form).post(online::apply),
                )
                .route("/online/cases/{id}/supplement", post(online::supplement))
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BODY_BYTES)),
        )
        .route("/payments/{id}/counter", post(payments::pay_at_counter))
        .route("/payments/{id}/refund", post(payments::refund))
        .route("/cases/{id}/certificates", post(certificates::issue))
        .route(
            "/cases/{id}/certificates/{cid}/file",
            get(certificates::file),
        )
        .route(
            "/cases/{id}/certificates/{cid}/revoke",
            post(certificates::revoke),
        )
        .route(
            "/pad/{window}",
            get(ratings::pad).post(ratings::rate_at_pad),
        )
        .route("/kiosk/{unit}", get(queue::kiosk).post(queue::take_ticket))
        .route(
            "/kiosk/{unit}/book",
            get(appointments::kiosk_book).post(appointments::kiosk_book_post),
        )
        .route(
            "/kiosk/{unit}/book/code",
            post(appointments::kiosk_send_code),
        )
        .route(
            "/kiosk/{unit}/check-in",
            get(appointments::kiosk_check_in).post(appointments::kiosk_check_in_post),
        )
        .route("/board/{unit}", get(queue::board))
        .route("/board/{unit}/events", get(queue::board_events))
        .route("/queue", get(queue::desk))
        .route("/queue/call", post(queue::call_next))
        .route("/queue/tickets/{id}", post(queue::act))
        .route("/queue/duty", post(queue::duty))
        .route("/attendance", get(attendance::show))
        .route("/attendance/windows/{id}", post(attendance::act))
        .route("/attendance/leave", post(attendance::leave))
        .route("/ratings", get(ratings::list))
        .route("/ratings/{id}", get(ratings::show))
        .route("/ratings/{id}/act", post(ratings::act))
        .route("/admin/staff", get(admin::staff_list))
        .route(
            "/admin/staff/new",
            get(admin::new_staff_form).post(admin::create_staff),
        )
        .route(
            "/admin/staff/{id}",
            get(admin::edit_staff_form).post(admin::change_staff),
        )
        .route("/admin/items/{code}", get(admin::item_history))
        .route(
            "/admin/items/{code}/edit",
            get(setup::item_edit_form).post(setup::item_edit),
        )
        .route("/admin/organization", get(organization::organization))
        .route(
            "/admin/units/new",
            get(organization::new_unit_form).post(organization::create_unit),
        )
        .route(
            "/admin/units/{id}",
            get(organization::edit_unit_form).post(organization::change_unit),
        )
        .route(
            "/admin/departments/new",
            get(organization::new_department_form).post(organization::create_department),
        )
        .route(
            "/admin/departments/{id}",
            get(organization::edit_department_form).post(organization::change_department),
        )
        .route(
            "/admin/windows/new",
            get(organization::new_window_form).post(organization::create_window),
        )
        .route(
            "/admin/windows/{id}",
            get(organization::edit_window_form).post(organization::change_window),
        )
        .route(
            "/admin/catalog/import",
            get(setup::import_form).post(setup::import),
        )
        .route(
            "/admin/calendar",
            get(setup::calendar).post(setup::load_notice),
        )
        .route("/admin/reform-report", get(admin::reform_report))
        .route("/video", get(video::list))
        .route(
            "/video/cameras/new",
            get(video::new_form).post(video::register),
        )
        .route("/video/cameras/{id}", get(video::show).post(video::change))
        .route("/video/cameras/{id}/retire", post(video::retire))
        .route("/video/cameras/{id}/snapshot", get(video::snapshot))
        .route("/video/cases/{id}/events/{seq}", get(video::event))
        .route("/static/{file}", get(assets::file))
        .layer(axum::middleware::from_fn_with_state(app, error::page_layer))
}

/// The pages of a city node (`serve --role city`): sign-in and the city's dashboard only.
pub fn city_routes(app: App) -> Router<App> {
    use pages::*;
    Router::new()
        .route("/", get(city::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/city", get(city::dashboard))
        .route("/static/{file}", get(assets::file))
        .layer(axum::middleware::from_fn_with_state(app, error::page_layer))
        .layer(axum::Extension(session::CityNode))
}
