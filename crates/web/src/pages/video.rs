//! Video monitoring (视频监控): every camera's latest snapshot and health for the efficiency
//! office and the administrators, the camera forms, and the footage of a case's event.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_app::video::{CameraAt, CameraChange, CameraDetail, CameraInput, EventCamera};
use liandong_app::{App, AppError};
use liandong_domain::organization::{CaseId, Role, UnitId, WindowId};
use liandong_domain::video::{CameraId, DeviceId, Health, network_name};
use liandong_store::{CameraRecord, UnitRecord, WindowRecord};

use crate::Lang;
use crate::error::{PageError, message, refused_status};
use crate::form::{FieldErrors, Form, Params};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, opt_time, page, render, time};

/// One camera on the wall of snapshots.
pub struct CameraCard {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub window: String,
    /// `health.{name}`: its words.
    pub health: String,
    /// The badge's class.
    pub badge: &'static str,
    pub device_id: String,
    pub last_probe: String,
    pub failing_since: String,
    pub last_error: String,
    /// The snapshot's address (changing with the picture), if there is one.
    pub snapshot: Option<String>,
    pub taken_at: String,
    pub active: bool,
}

fn badge(health: Health) -> &'static str {
    match health {
        Health::Healthy => "ok",
        Health::Dead => "danger",
        Health::Failing | Health::Recovering => "card-yellow",
        Health::Unknown => "",
    }
}

fn unit_name(units: &[UnitRecord], id: UnitId) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn window_name(windows: &[WindowRecord], id: Option<WindowId>, l: Lang) -> String {
    match id {
        None => l.t("video.whole_unit").to_owned(),
        Some(id) => windows
            .iter()
            .find(|w| w.id == id)
            .map(|w| format!("{} {}", w.number, w.name))
            .unwrap_or_default(),
    }
}

fn card(c: &CameraRecord, units: &[UnitRecord], windows: &[WindowRecord], l: Lang) -> CameraCard {
    let h = &c.health;
    CameraCard {
        id: c.id.0,
        name: c.name.clone(),
        unit: unit_name(units, c.unit_id),
        window: window_name(windows, c.window_id, l),
        health: format!("health.{}", h.state.health),
        badge: badge(h.state.health),
        device_id: c.device_id.clone(),
        last_probe: opt_time(&h.state.last_probe_at),
        failing_since: if matches!(h.state.health, Health::Healthy | Health::Unknown) {
            String::new()
        } else {
            opt_time(&h.state.failing_since)
        },
        last_error: l.pick(&h.last_error).to_owned(),
        snapshot: c.snapshot.as_ref().map(|s| {
            format!(
                "/video/cameras/{}/snapshot?v={}",
                c.id.0,
                s.sha256.get(..12).unwrap_or_default()
            )
        }),
        taken_at: c
            .snapshot
            .as_ref()
            .map(|s| time(&s.taken_at))
            .unwrap_or_default(),
        active: c.active,
    }
}

#[derive(Template)]
#[template(path = "video.html")]
struct VideoPage {
    c: Ctx,
    cards: Vec<CameraCard>,
    units: Vec<(i64, String)>,
    unit: i64,
    retired: bool,
    /// Offer "登记摄像机".
    keeps: bool,
    /// Offer the outages among the findings (the findings' readers).
    findings: bool,
    counts: Vec<(String, usize)>,
}

/// `/video`: every camera the reader may see, its latest snapshot and health.
pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let units = app.camera_units(&signed.session).await?;
    let unit = q.get("unit").parse::<i64>().ok().filter(|u| *u > 0);
    let retired = q.get("retired") == "1";
    let cameras = app
        .cameras(&signed.session, unit.map(UnitId), retired)
        .await?;
    let windows = app.windows(None).await?;
    let l = signed.lang;
    let counts = Health::ALL
        .iter()
        .map(|h| {
            (
                format!("health.{h}"),
                cameras
                    .iter()
                    .filter(|c| c.active && c.health.state.health == *h)
                    .count(),
            )
        })
        .collect();
    Ok(page(&VideoPage {
        c: signed.ctx("/video"),
        cards: cameras
            .iter()
            .map(|c| card(c, &units, &windows, l))
            .collect(),
        units: units.iter().map(|u| (u.id.0, u.name.clone())).collect(),
        unit: unit.unwrap_or(0),
        retired,
        keeps: app.may_keep_cameras(&signed.session),
        findings: signed
            .session
            .require_any(&[Role::Supervisor, Role::SystemAdmin])
            .is_ok(),
        counts,
    }))
}

/// A camera's latest snapshot, for the pages' `<img>`.
pub async fn snapshot(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let snapshot = app.camera_snapshot(&signed.session, CameraId(id)).await?;
    Ok(crate::download::snapshot_image(
        snapshot.content,
        &snapshot.media_type,
    ))
}

/// A field of the camera form.
pub struct CameraField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    /// (value, label) for a select; empty for text.
    pub options: Vec<(String, String)>,
    pub hint: &'static str,
}

/// The camera form's fields with what was typed (or is stored).
fn camera_fields(
    l: Lang,
    units: &[UnitRecord],
    windows: &[WindowRecord],
    form: &Form,
    current: Option<&CameraRecord>,
) -> Vec<CameraField> {
    let value = |name: &str, stored: Option<String>| -> String {
        form.opt(name)
            .map(str::to_owned)
            .or(stored)
            .unwrap_or_default()
    };
    let mut window_options = vec![(String::new(), l.t("video.whole_unit").to_owned())];
    window_options.extend(
        windows
            .iter()
            .filter(|w| units.iter().any(|u| u.id == w.unit_id))
            .filter(|w| w.active || current.is_some_and(|c| c.window_id == Some(w.id)))
            .map(|w| {
                (
                    w.id.0.to_string(),
                    format!("{} · {} {}", unit_name(units, w.unit_id), w.number, w.name),
                )
            }),
    );
    vec![
        CameraField {
            name: "unit_id",
            label: "staff.unit",
            value: value("unit_id", current.map(|c| c.unit_id.0.to_string())),
            options: units
                .iter()
                .map(|u| (u.id.0.to_string(), u.name.clone()))
                .collect(),
            hint: "",
        },
        CameraField {
            name: "window_id",
            label: "video.window",
            value: value(
                "window_id",
                current.map(|c| c.window_id.map(|w| w.0.to_string()).unwrap_or_default()),
            ),
            options: window_options,
            hint: "video.window_hint",
        },
        CameraField {
            name: "name",
            label: "video.name",
            value: value("name", current.map(|c| c.name.clone())),
            options: Vec::new(),
            hint: "",
        },
        CameraField {
            name: "device_id",
            label: "video.device_id",
            value: value("device_id", current.map(|c| c.device_id.clone())),
            options: Vec::new(),
            hint: "video.device_id_hint",
        },
        CameraField {
            name: "stream_url",
            label: "video.stream_url",
            value: value("stream_url", current.map(|c| c.stream_url.clone())),
            options: Vec::new(),
            hint: "video.stream_url_hint",
        },
        CameraField {
            name: "snapshot_url",
            label: "video.snapshot_url",
            value: value("snapshot_url", current.map(|c| c.snapshot_url.clone())),
            options: Vec::new(),
            hint: "video.snapshot_url_hint",
        },
    ]
}

fn input_of(form: &Form) -> CameraInput {
    CameraInput {
        unit_id: UnitId(form.get("unit_id").parse().unwrap_or(0)),
        window_id: form.get("window_id").parse().ok().map(WindowId),
        name: form.get("name").to_owned(),
        device_id: form.get("device_id").to_owned(),
        stream_url: form.get("stream_url").to_owned(),
        snapshot_url: form.get("snapshot_url").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "camera.html")]
struct CameraPage {
    c: Ctx,
    /// None: the form of a new camera.
    camera: Option<CameraCard>,
    facts: Vec<(String, String)>,
    placements: Vec<(String, String, String, String)>,
    changes: Vec<(String, String, String, String)>,
    /// The form, for those who keep the camera's unit (and a camera in service).
    fields: Vec<CameraField>,
    action: String,
    version: i64,
    e: FieldErrors,
    problem: Option<String>,
    saved: bool,
}

impl CameraPage {
    fn new(signed: &Signed, action: String) -> CameraPage {
        CameraPage {
            c: signed.ctx("/video"),
            camera: None,
            facts: Vec::new(),
            placements: Vec::new(),
            changes: Vec::new(),
            fields: Vec::new(),
            action,
            version: 0,
            e: FieldErrors::default(),
            problem: None,
            saved: false,
        }
    }

    /// The page again after a refused save, with what was typed and why.
    fn refused(mut self, e: AppError) -> Response {
        let l = self.c.l;
        let status = refused_status(&e);
        match e {
            AppError::Invalid(errors) => {
                let shown = [
                    "unit_id",
                    "window_id",
                    "name",
                    "device_id",
                    "stream_url",
                    "snapshot_url",
                ];
                let e = FieldErrors::new(errors);
                let others = e.others(&shown, &l);
                if !others.is_empty() {
                    self.problem = Some(others.join("；"));
                }
                self.e = e;
            }
            other => self.problem = Some(message(&other, l)),
        }
        render(status, &self)
    }
}

/// The facts, placements and changes of an existing camera.
fn detail_page(
    signed: &Signed,
    detail: &CameraDetail,
    units: &[UnitRecord],
    windows: &[WindowRecord],
) -> CameraPage {
    let l = signed.lang;
    let c = &detail.camera;
    let mut page = CameraPage::new(signed, format!("/video/cameras/{}", c.id.0));
    page.version = c.version;
    let mut facts = vec![
        (l.t("staff.unit").to_owned(), unit_name(units, c.unit_id)),
        (
            l.t("video.window").to_owned(),
            window_name(windows, c.window_id, l),
        ),
        (l.t("video.device_id").to_owned(), c.device_id.clone()),
    ];
    if let Ok(id) = DeviceId::parse(&c.device_id) {
        let network = network_name(id.network());
        facts.push((
            l.t("video.device_kind").to_owned(),
            format!(
                "{} · {} · {}",
                id.camera_type()
                    .map(|t| l.t(format!("camera_type.{t}")))
                    .unwrap_or_default(),
                id.division(),
                match l {
                    Lang::Zh => network.0,
                    Lang::En => network.1,
                }
            ),
        ));
    }
    facts.push((l.t("video.stream_url").to_owned(), c.stream_url.clone()));
    facts.push((l.t("video.snapshot_url").to_owned(), c.snapshot_url.clone()));
    facts.push((
        l.t("video.last_ok").to_owned(),
        opt_time(&c.health.state.last_ok_at),
    ));
    if let Some(ms) = c.health.last_millis {
        facts.push((l.t("video.last_millis").to_owned(), format!("{ms} ms")));
    }
    if let Some(retired) = &c.retired_at {
        facts.push((l.t("video.retired").to_owned(), time(retired)));
    }
    page.facts = facts;
    page.camera = Some(card(c, units, windows, l));
    page.placements = detail
        .placements
        .iter()
        .rev()
        .map(|p| {
            (
                time(&p.from),
                p.until
                    .as_ref()
                    .map_or_else(|| l.t("video.now").to_owned(), time),
                unit_name(units, p.unit),
                window_name(windows, p.window, l),
            )
        })
        .collect();
    page.changes = detail
        .health_changes
        .iter()
        .map(|h| {
            (
                time(&h.at),
                l.t(format!("health.{}", h.from)).to_owned(),
                l.t(format!("health.{}", h.to)).to_owned(),
                l.pick(&h.error).to_owned(),
            )
        })
        .collect();
    page
}

/// Loads what a camera's page shows; the form only for those who keep cameras there.
async fn camera_page(
    app: &App,
    signed: &Signed,
    id: i64,
    form: &Form,
) -> Result<CameraPage, PageError> {
    let detail = app.camera_detail(&signed.session, CameraId(id)).await?;
    let units = app.units().await?;
    let windows = app.windows(None).await?;
    let mut page = detail_page(signed, &detail, &units, &windows);
    let keeps = signed.session.staff.roles.contains(&Role::SystemAdmin)
        || signed.session.staff.roles.contains(&Role::UnitAdmin);
    if keeps && detail.camera.active {
        let kept = app.camera_units(&signed.session).await?;
        page.fields = camera_fields(signed.lang, &kept, &windows, form, Some(&detail.camera));
    }
    Ok(page)
}

/// `/video/cameras/{id}`: the camera, where it has been, its health, and its form.
pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let mut data = camera_page(&app, &signed, id, &Form::default()).await?;
    data.saved = q.get("saved") == "1";
    Ok(page(&data))
}

/// Saves a camera's form: its record, or a move to another unit or window.
pub async fn change(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let data = camera_page(&app, &signed, id, &form).await?;
    let change = CameraChange {
        expected_version: form
            .get("expected_version")
            .parse()
            .map_err(|_| PageError::BadForm)?,
        camera: input_of(&form),
    };
    match app
        .change_camera(&signed.session, CameraId(id), &change)
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/video/cameras/{}?saved=1", c.id.0)).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => Ok(data.refused(e)),
    }
}

/// Retires a camera.
pub async fn retire(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let version = form
        .get("expected_version")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    match app
        .retire_camera(&signed.session, CameraId(id), version)
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/video/cameras/{}?saved=1", c.id.0)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let data = camera_page(&app, &signed, id, &Form::default()).await?;
            Ok(data.refused(e))
        }
        Err(e) => Err(e.into()),
    }
}

async fn new_page(app: &App, signed: &Signed, form: &Form) -> Result<CameraPage, PageError> {
    signed
        .session
        .require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
    let units = app.camera_units(&signed.session).await?;
    let windows = app.windows(None).await?;
    let mut data = CameraPage::new(signed, "/video/cameras/new".into());
    data.fields = camera_fields(signed.lang, &units, &windows, form, None);
    Ok(data)
}

/// `/video/cameras/new`: the form of a new camera (at the reader's own unit first).
pub async fn new_form(State(app): State<App>, signed: Signed) -> Result<Response, PageError> {
    let form = Form::default().with("unit_id", &signed.session.staff.unit_id.0.to_string());
    Ok(page(&new_page(&app, &signed, &form).await?))
}

/// Registers a camera.
pub async fn register(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let data = new_page(&app, &signed, &form).await?;
    match app.register_camera(&signed.session, &input_of(&form)).await {
        Ok(c) => Ok(Redirect::to(&format!("/video/cameras/{}?saved=1", c.id.0)).into_response()),
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => Ok(data.refused(e)),
    }
}

/// A camera as an event's page shows it.
pub struct WatchedBy {
    pub id: i64,
    pub name: String,
    pub device_id: String,
    pub stream_url: String,
    pub window: String,
    pub placed: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "video_event.html")]
struct EventPage {
    c: Ctx,
    case_id: i64,
    number: String,
    seq: u32,
    at: String,
    unit: String,
    window: String,
    basis: String,
    from: String,
    until: String,
    camera: Option<WatchedBy>,
    unit_cameras: Vec<WatchedBy>,
}

/// `/video/cases/{id}/events/{seq}`: the cameras that watched a case's event and the period
/// of footage to ask the video platform for (audited, like the API's).
pub async fn event(
    State(app): State<App>,
    signed: Signed,
    Path((id, seq)): Path<(i64, u32)>,
) -> Result<Response, PageError> {
    let found: EventCamera = app
        .camera_for_event(&signed.session, CaseId(id), seq)
        .await?;
    let units = app.units().await?;
    let windows = app.windows(None).await?;
    let l = signed.lang;
    let watched = |c: &CameraAt| WatchedBy {
        id: c.camera_id.0,
        name: c.name.clone(),
        device_id: c.device_id.clone(),
        stream_url: c.stream_url.clone(),
        window: window_name(&windows, c.window_id, l),
        placed: format!(
            "{} – {}",
            time(&c.placed_from),
            c.placed_until
                .as_ref()
                .map_or_else(|| l.t("video.now").to_owned(), time)
        ),
        active: c.active,
    };
    Ok(page(&EventPage {
        c: signed.ctx("/video"),
        case_id: id,
        number: found.case_number.clone(),
        seq,
        at: crate::view::time(&found.at),
        unit: unit_name(&units, found.unit_id),
        window: match found.window_id {
            Some(w) => window_name(&windows, Some(w), l),
            None => String::new(),
        },
        basis: found
            .window_basis
            .map(|b| format!("basis.{b}"))
            .unwrap_or_default(),
        from: china_seconds(&found.footage_from),
        until: china_seconds(&found.footage_until),
        camera: found.camera.as_ref().map(watched),
        unit_cameras: found.unit_cameras.iter().map(watched).collect(),
    }))
}

/// `2026-03-02 10:00:00`, China time: what a video platform's playback asks for.
fn china_seconds(at: &chrono::DateTime<chrono::Utc>) -> String {
    liandong_domain::calendar::china_datetime(*at)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
