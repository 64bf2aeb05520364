//! Video monitoring (视频监控): cameras per unit and window, their health and latest
//! snapshots, and the camera that watched a case's event (docs/video.md).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::App;
use liandong_app::video::{CameraChange, CameraDetail, CameraInput, EventCamera};
use liandong_domain::organization::{CaseId, UnitId, WindowId};
use liandong_domain::video::CameraId;
use liandong_store::CameraRecord;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, Staff};
use crate::problem::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
pub struct CameraQuery {
    /// Only the cameras of this unit and the units under it.
    pub unit_id: Option<i64>,
    /// Retired cameras too.
    #[serde(default)]
    pub retired: bool,
}

/// Cameras with their health and latest snapshot's time (supervisors and system
/// administrators: all; unit administrators: their units').
#[utoipa::path(get, path = "/api/v1/cameras", tag = "video", security(("bearer" = [])), params(CameraQuery),
    responses((status = 200, body = Vec<CameraRecord>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_cameras(
    State(app): State<App>,
    Staff(session): Staff,
    Query(q): Query<CameraQuery>,
) -> Result<axum::Json<Vec<CameraRecord>>, ApiError> {
    Ok(axum::Json(
        app.cameras(&session, q.unit_id.map(UnitId), q.retired)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"unit_id": 1, "window_id": 3, "name": "1号窗口", "device_id": "50011201021326000001",
    "stream_url": "rtsp://10.20.1.15/Streaming/Channels/101",
    "snapshot_url": "http://10.20.1.15/ISAPI/Streaming/channels/101/picture"}))]
pub struct CameraRequest {
    pub unit_id: i64,
    /// The window it looks at; left out: the hall or center as a whole.
    pub window_id: Option<i64>,
    /// 1 to 60 characters.
    pub name: String,
    /// GB/T 28181 device ID (国标编码): 20 digits, type code 131 (camera) or 132 (IP camera).
    pub device_id: String,
    /// `rtsp://`, `http://` or `https://`, without user name or password.
    pub stream_url: String,
    /// `http://` on the private network: the address the probe fetches the JPEG from.
    pub snapshot_url: String,
}

impl CameraRequest {
    fn input(self) -> CameraInput {
        CameraInput {
            unit_id: UnitId(self.unit_id),
            window_id: self.window_id.map(WindowId),
            name: self.name,
            device_id: self.device_id,
            stream_url: self.stream_url,
            snapshot_url: self.snapshot_url,
        }
    }
}

/// Registers a camera at a unit and window, placed there from now (system administrators;
/// unit administrators at their units). Audited.
#[utoipa::path(post, path = "/api/v1/cameras", tag = "video", security(("bearer" = [])), request_body = CameraRequest,
    responses((status = 201, body = CameraRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit or window", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the device ID is registered, or the window has a camera", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn register_camera(
    State(app): State<App>,
    Staff(session): Staff,
    Json(req): Json<CameraRequest>,
) -> Result<(StatusCode, axum::Json<CameraRecord>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(app.register_camera(&session, &req.input()).await?),
    ))
}

/// One camera, where it has been, and its latest changes of health.
#[utoipa::path(get, path = "/api/v1/cameras/{id}", tag = "video", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = CameraDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_camera(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<CameraDetail>, ApiError> {
    Ok(axum::Json(app.camera_detail(&session, CameraId(id)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 1, "unit_id": 1, "window_id": 4, "name": "2号窗口", "device_id": "50011201021326000001",
    "stream_url": "rtsp://10.20.1.15/Streaming/Channels/101",
    "snapshot_url": "http://10.20.1.15/ISAPI/Streaming/channels/101/picture"}))]
pub struct CameraChangeRequest {
    /// The camera's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
    #[serde(flatten)]
    pub camera: CameraRequest,
}

/// Changes a camera; another unit or window moves it from now on (its placements are
/// kept, so that an event is matched with the camera that was there then). Audited.
#[utoipa::path(patch, path = "/api/v1/cameras/{id}", tag = "video", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = CameraChangeRequest,
    responses((status = 200, body = CameraRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_camera(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<CameraChangeRequest>,
) -> Result<axum::Json<CameraRecord>, ApiError> {
    let change = CameraChange {
        expected_version: req.expected_version,
        camera: req.camera.input(),
    };
    Ok(axum::Json(
        app.change_camera(&session, CameraId(id), &change).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"expected_version": 2}))]
pub struct RetireRequest {
    /// The camera's `version` when it was read; a stale one gets 409.
    pub expected_version: i64,
}

/// Retires a camera: no longer probed, its placement closed, kept for the history. Audited.
#[utoipa::path(post, path = "/api/v1/cameras/{id}/retire", tag = "video", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)), request_body = RetireRequest,
    responses((status = 200, body = CameraRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "retired already", body = Problem, content_type = "application/problem+json")))]
pub async fn retire_camera(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Json(req): Json<RetireRequest>,
) -> Result<axum::Json<CameraRecord>, ApiError> {
    Ok(axum::Json(
        app.retire_camera(&session, CameraId(id), req.expected_version)
            .await?,
    ))
}

/// The camera's latest snapshot, as the last successful probe fetched it (never cached).
#[utoipa::path(get, path = "/api/v1/cameras/{id}/snapshot", tag = "video", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, description = "the image", content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such camera, or no snapshot yet", body = Problem, content_type = "application/problem+json")))]
pub async fn camera_snapshot(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let snapshot = app.camera_snapshot(&session, CameraId(id)).await?;
    Ok(liandong_web::download::snapshot_image(
        snapshot.content,
        &snapshot.media_type,
    ))
}

/// The cameras that watched one event of a case, for investigating a complaint: the
/// window's camera at that instant (the window from the queue ticket the case was taken in
/// on, or the acting clerk's), the unit's own cameras, and the period of footage to ask the
/// video platform for. Needs both the case and cameras at the event's unit; audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events/{seq}/camera", tag = "video", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1), ("seq" = u32, Path, example = 1)),
    responses((status = 200, body = EventCamera),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such case or event, or the case is not yours to see", body = Problem, content_type = "application/problem+json")))]
pub async fn event_camera(
    State(app): State<App>,
    Staff(session): Staff,
    Path((id, seq)): Path<(i64, u32)>,
) -> Result<axum::Json<EventCamera>, ApiError> {
    Ok(axum::Json(
        app.camera_for_event(&session, CaseId(id), seq).await?,
    ))
}
