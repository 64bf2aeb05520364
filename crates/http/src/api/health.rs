//! `GET /api/v1/health`: whether the server and its database answer.

use axum::extract::State;
use axum::http::StatusCode;
use liandong_app::App;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn get_health(State(app): State<App>) -> (StatusCode, axum::Json<Health>) {
    let database = match app.store.backend() {
        liandong_store::Backend::Sqlite => "sqlite",
        liandong_store::Backend::Postgres => "postgres",
    };
    let ok = app.store.ping().await.is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(Health {
            status: if ok { "ok" } else { "degraded" }.into(),
            database: database.into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }),
    )
}
