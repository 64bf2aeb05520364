//! The HTTP server of Liandong: the JSON API with its OpenAPI document, problem responses,
//! and the layers every request passes.

pub mod api;
pub mod extract;
pub mod open311;
pub mod problem;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use liandong_app::App;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;

/// The largest request body: a catalog file fits, anything larger is refused with 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Liandong 联动政务服务平台 API", description = "Organization, catalog, cases and the working-day calendar of a district's three-level linked government service network. Errors are application/problem+json with a stable `code` and messages in Chinese and English."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "staff sign-in"),
        (name = "organization", description = "units, departments, windows, staff"),
        (name = "catalog", description = "service items (事项), versions, reform report"),
        (name = "cases", description = "cases (办件)"),
        (name = "progress", description = "public progress lookup (办件查询)"),
        (name = "consultations", description = "online consultation (网上咨询): questions about an item, the department's answers, the published ones"),
        (name = "online", description = "online services (网上办事): applicants' SMS sign-in, applying with materials, supplementing, their cases"),
        (name = "disclosure", description = "public monthly disclosure (公示) from the running totals"),
        (name = "supervision", description = "electronic supervision: monitoring and findings (实时监控 · 预警纠错)"),
        (name = "appeals", description = "citizens' opinions, suggestions and problems (三项制度)"),
        (name = "proxy", description = "proxy service (全程代办): the ledger and its hand-overs"),
        (name = "projects", description = "key projects and the green channel (重点项目 · 绿色通道)"),
        (name = "queue", description = "the hall's queue (排队叫号): tickets, calls, the display board"),
        (name = "attendance", description = "window duty and attendance (窗口出勤): sign-on, pauses, the windows' board, the monthly report"),
        (name = "payments", description = "fees and payment (收费): payment notices, the fee window, the provider's callback"),
        (name = "certificates", description = "electronic certificates (电子证照): issue, download, revoke, verify (联网核查)"),
        (name = "ratings", description = "ratings (好差评): the rating pad, online ratings, rectification of poor ratings"),
        (name = "sms", description = "SMS notifications (短信通知): templates and the outbox"),
        (name = "video", description = "video monitoring (视频监控): cameras per unit and window, their health and snapshots, the camera of a case's event"),
        (name = "calendar", description = "working-day calendar"),
        (name = "health"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_routes() -> OpenApiRouter<App> {
    use api::*;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::get_health))
        .routes(routes!(auth::create_token, auth::delete_token))
        .routes(routes!(organization::list_units, organization::create_unit))
        .routes(routes!(organization::change_unit))
        .routes(routes!(
            organization::list_departments,
            organization::create_department
        ))
        .routes(routes!(organization::change_department))
        .routes(routes!(
            organization::list_windows,
            organization::create_window
        ))
        .routes(routes!(organization::change_window))
        .routes(routes!(
            organization::list_staff,
            organization::create_staff
        ))
        .routes(routes!(organization::change_staff))
        .routes(routes!(catalog::list_items))
        .routes(routes!(catalog::get_item))
        .routes(routes!(catalog::create_item_version))
        .routes(routes!(catalog::reform_report))
        .routes(routes!(catalog::export_catalog))
        .routes(routes!(catalog::import_catalog))
        .routes(routes!(cases::create_case, cases::list_cases))
        .routes(routes!(cases::export_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::get_case_by_number))
        .routes(routes!(cases::act_on_case))
        .routes(routes!(calendar::add_working_days))
        .routes(routes!(calendar::working_days_between))
        .routes(routes!(calendar::get_year))
        .routes(routes!(calendar::load_notice))
        .routes(routes!(progress::lookup_progress))
        .routes(routes!(disclosure::get_disclosure))
        .routes(routes!(supervision::get_overview))
        .routes(routes!(supervision::list_findings))
        .routes(routes!(supervision::open_notice))
        .routes(routes!(supervision::list_notices))
        .routes(routes!(supervision::get_notice))
        .routes(routes!(supervision::act_on_notice))
        .routes(routes!(notify::list_sms_templates))
        .routes(routes!(notify::update_sms_template))
        .routes(routes!(notify::list_sms_messages))
        .route(
            "/internal/sms/delivery-report",
            axum::routing::get(notify::delivery_report),
        )
        .routes(routes!(appeals::register_appeal, appeals::list_appeals))
        .routes(routes!(appeals::appeals_at_risk))
        .routes(routes!(appeals::appeals_pending_acceptance))
        .routes(routes!(appeals::appeal_statistics))
        .routes(routes!(appeals::submit_online_appeal))
        .routes(routes!(appeals::lookup_appeal))
        .routes(routes!(appeals::rate_appeal))
        .routes(routes!(appeals::get_appeal))
        .routes(routes!(appeals::act_on_appeal))
        .routes(routes!(proxy::register_proxy, proxy::proxy_ledger))
        .routes(routes!(proxy::export_proxy_ledger))
        .routes(routes!(proxy::proxy_daily_list))
        .routes(routes!(proxy::get_proxy))
        .routes(routes!(proxy::act_on_proxy))
        .routes(routes!(projects::register_project, projects::list_projects))
        .routes(routes!(projects::get_project))
        .routes(routes!(projects::open_ready_approvals))
        .routes(routes!(projects::record_joint_review))
        .routes(routes!(projects::project_gantt))
        .routes(routes!(queue::queue_groups, queue::set_queue_groups))
        .routes(routes!(queue::take_ticket))
        .routes(routes!(queue::queue_board))
        .routes(routes!(queue::call_next))
        .routes(routes!(queue::act_on_ticket))
        .routes(routes!(queue::queue_report))
        .routes(routes!(appointments::slots))
        .routes(routes!(appointments::book_at_kiosk, appointments::of_day))
        .routes(routes!(appointments::check_in))
        .routes(routes!(
            appointments::book_online,
            appointments::my_appointments
        ))
        .routes(routes!(appointments::cancel))
        .routes(routes!(ratings::get_pad))
        .routes(routes!(ratings::rate_at_pad))
        .routes(routes!(ratings::rate_online))
        .routes(routes!(ratings::list_ratings))
        .routes(routes!(ratings::get_rating))
        .routes(routes!(ratings::act_on_rating))
        .routes(routes!(certificates::verify))
        .routes(routes!(certificates::public_key))
        .routes(routes!(
            certificates::case_certificates,
            certificates::issue
        ))
        .routes(routes!(certificates::file))
        .routes(routes!(certificates::revoke))
        .routes(routes!(certificates::applicant_file))
        .routes(routes!(payments::case_payment))
        .routes(routes!(payments::pay_at_counter))
        .routes(routes!(payments::pay_online))
        .routes(routes!(payments::refund))
        .routes(routes!(payments::reconciliations, payments::reconcile))
        .route(
            "/api/v1/payments/callback",
            axum::routing::post(payments::callback),
        )
        .route(
            "/internal/sms/incoming",
            axum::routing::get(notify::incoming_sms),
        )
        .routes(routes!(online::send_code))
        .routes(routes!(online::sign_in, online::sign_out))
        .routes(routes!(online::my_case))
        .routes(routes!(online::withdraw))
        .routes(routes!(online::my_file))
        .routes(routes!(online::my_certificate))
        .routes(routes!(online::case_files))
        .routes(routes!(online::case_file))
        .routes(routes!(consultations::ask, consultations::mine))
        .routes(routes!(consultations::withdraw))
        .routes(routes!(consultations::list))
        .routes(routes!(consultations::statistics))
        .routes(routes!(consultations::get))
        .routes(routes!(consultations::act))
        .routes(routes!(consultations::published))
        .merge(
            // Applications and supplements carry the materials' files.
            OpenApiRouter::new()
                .routes(routes!(online::my_cases, online::apply))
                .routes(routes!(online::supplement))
                .layer(DefaultBodyLimit::max(online::MAX_UPLOAD_BODY_BYTES)),
        )
        .routes(routes!(attendance::duty_board))
        .routes(routes!(attendance::window_duty))
        .routes(routes!(attendance::act_on_duty))
        .routes(routes!(attendance::window_day))
        .routes(routes!(attendance::attendance_report))
        .routes(routes!(video::list_cameras, video::register_camera))
        .routes(routes!(video::get_camera, video::change_camera))
        .routes(routes!(video::retire_camera))
        .routes(routes!(video::camera_snapshot))
        .routes(routes!(video::event_camera))
        .routes(routes!(certificates::renewals))
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    complete(&mut doc);
    doc
}

/// What the path annotations leave out: the problems every operation may answer, and the
/// links from a case to what may be done with it next.
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::link::LinkBuilder;

    problem::document_common_problems(doc);
    let case_links = |description: &str| {
        [
            (
                "GetCase",
                LinkBuilder::new()
                    .operation_id("get_case")
                    .parameter("id", "$response.body#/summary/id")
                    .description(format!("{description}: read it again"))
                    .build(),
            ),
            (
                "ActOnCase",
                LinkBuilder::new()
                    .operation_id("act_on_case")
                    .parameter("id", "$response.body#/summary/id")
                    .request_body(Some(serde_json::json!({
                        "expected_version": "$response.body#/summary/version"
                    })))
                    .description(format!(
                        "{description}: act on it, naming `summary.version` as `expected_version`"
                    ))
                    .build(),
            ),
        ]
    };
    for (path, status, description) in [
        ("/api/v1/cases", "201", "the case taken in"),
        ("/api/v1/cases/{id}/actions", "200", "the case acted on"),
    ] {
        let response = doc
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.responses.responses.get_mut(status));
        if let Some(RefOr::T(response)) = response {
            for (name, link) in case_links(description) {
                response.links.insert(name.to_owned(), RefOr::T(link));
            }
        }
    }
}

async fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "未找到该地址 / no such address",
    )
}

async fn method_not_allowed() -> impl IntoResponse {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "不支持该请求方法 / method not allowed",
    )
}

/// The whole server: API, OpenAPI document and the layers.
pub fn router(app: App) -> Router {
    let (api, mut doc) = api_routes().split_for_parts();
    complete(&mut doc);
    let doc = std::sync::Arc::new(doc);
    let security_headers = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        ),
    ];
    let mut router = api
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        .merge(open311::routes())
        // The web pages (crates/web): same app, same security headers.
        .merge(liandong_web::routes(app.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http());
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// A city node (`serve --role city`): health, staff sign-in, the districts' pushes, the
/// city's totals and its pages, under the same layers. Nothing of a district's case work.
pub fn city_router(app: App) -> Router {
    use axum::routing::{delete, get, post};
    let security_headers = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        ),
    ];
    let mut router = Router::new()
        .route("/api/v1/health", get(api::health::get_health))
        .route(
            "/api/v1/auth/token",
            post(api::auth::create_token).merge(delete(api::auth::delete_token)),
        )
        .route(
            liandong_domain::city::BATCHES_PATH,
            post(api::city::receive_batch),
        )
        .route("/api/v1/city/totals", get(api::city::get_totals))
        .merge(liandong_web::city_routes(app.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http());
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
