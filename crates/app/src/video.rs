//! Video monitoring (视频监控): cameras registered per unit and window, their health from a
//! periodic snapshot probe (a dead camera is a supervision finding, once per outage), their
//! latest snapshots, and the camera that watched a case's event, for a complaint.
//!
//! Who: supervisors and system administrators see every camera, a unit administrator the
//! cameras of the units they keep; system administrators register, change and retire
//! cameras anywhere, unit administrators at the units they keep. Everyone else is refused.

pub mod fetch;

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{CaseId, Role, UnitId, WindowId};
use liandong_domain::video::{
    CameraDraft, CameraId, CameraRef, CheckedCamera, Coverage, HealthRules, Placement, Scheme,
    VideoError, WindowBasis, check_camera, covering, footage_period, observe, outage_finding,
    place, window_at,
};
use liandong_store::{
    AuditEntry, CameraFields, CameraRecord, HealthChange, ProbeRecord, StoreError, StoredSnapshot,
};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, FieldError, Result, Session};

/// How the probe runs.
#[derive(Debug, Clone)]
pub struct VideoConfig {
    /// The health machine's thresholds.
    pub rules: HealthRules,
    /// One probe's whole exchange: connecting, asking and reading. Default 5 s.
    pub timeout: std::time::Duration,
    /// The largest snapshot taken. Default 2 MiB (a 1080p JPEG is 200–600 KB).
    pub max_snapshot_bytes: usize,
    /// Cameras probed at once. Default 8.
    pub concurrency: usize,
    /// Footage to look at either side of an event. Default 5 minutes.
    pub footage_margin: chrono::Duration,
}

impl Default for VideoConfig {
    fn default() -> Self {
        VideoConfig {
            rules: HealthRules::default(),
            timeout: std::time::Duration::from_secs(5),
            max_snapshot_bytes: 2 * 1024 * 1024,
            concurrency: 8,
            footage_margin: chrono::Duration::minutes(5),
        }
    }
}

/// A camera to register.
#[derive(Debug, Clone, Deserialize)]
pub struct CameraInput {
    pub unit_id: UnitId,
    /// The window it looks at; None: the hall or center as a whole.
    pub window_id: Option<WindowId>,
    pub name: String,
    pub device_id: String,
    pub stream_url: String,
    pub snapshot_url: String,
}

/// A camera's record changed; a different unit or window moves it from now on.
#[derive(Debug, Clone, Deserialize)]
pub struct CameraChange {
    pub expected_version: i64,
    #[serde(flatten)]
    pub camera: CameraInput,
}

/// A camera with where it has been and its latest changes of health.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CameraDetail {
    #[serde(flatten)]
    pub camera: CameraRecord,
    /// Oldest first.
    pub placements: Vec<Placement>,
    /// Newest first, at most 50.
    pub health_changes: Vec<HealthChange>,
}

/// A camera as it was placed at an instant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CameraAt {
    pub camera_id: CameraId,
    pub name: String,
    pub device_id: String,
    pub stream_url: String,
    pub window_id: Option<WindowId>,
    /// The placement that covered the instant.
    pub placed_from: DateTime<Utc>,
    pub placed_until: Option<DateTime<Utc>>,
    /// Whether it is still in service (a retired camera's recordings may still be kept).
    pub active: bool,
}

/// The cameras that watched one event of a case: the window's (when the window is known)
/// and the unit's own, with the period of footage to look at.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct EventCamera {
    pub case_id: CaseId,
    pub case_number: String,
    pub seq: u32,
    /// The event's instant.
    pub at: DateTime<Utc>,
    /// The unit the event happened at.
    pub unit_id: UnitId,
    /// The window, when the queue's tickets tell it.
    pub window_id: Option<WindowId>,
    pub window_basis: Option<WindowBasis>,
    /// The footage to look at: a margin either side of the event, and the whole visit
    /// when the case's ticket gives it.
    pub footage_from: DateTime<Utc>,
    pub footage_until: DateTime<Utc>,
    /// The window's camera at that instant.
    pub camera: Option<CameraAt>,
    /// The cameras over the unit as a whole at that instant.
    pub unit_cameras: Vec<CameraAt>,
}

/// What a probe of every camera in service did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    pub probed: usize,
    pub healthy: usize,
    pub failing: usize,
    pub dead: usize,
    pub recovering: usize,
    /// Outages newly recorded as findings.
    pub new_findings: usize,
    /// Probes left unrecorded because another probe of the camera was recorded meanwhile.
    pub skipped: usize,
}

/// Which cameras a session may see.
enum Scope {
    All,
    Units(Vec<UnitId>),
}

impl Scope {
    fn has(&self, unit: UnitId) -> bool {
        match self {
            Scope::All => true,
            Scope::Units(units) => units.contains(&unit),
        }
    }
}

fn invalid(errors: &[VideoError]) -> AppError {
    AppError::Invalid(
        errors
            .iter()
            .map(|e| FieldError::from_bilingual(e.field(), e))
            .collect(),
    )
}

fn camera_not_found() -> AppError {
    AppError::NotFound("摄像机 camera")
}

/// "field old -> new" for the audit trail.
fn differences(fields: &[(&str, String, String)]) -> String {
    fields
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| format!("{field} {old} -> {new}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn window_text(window: Option<WindowId>) -> String {
    window.map_or_else(|| "-".to_owned(), |w| w.to_string())
}

impl App {
    /// The cameras the session may see: everything for supervisors and system
    /// administrators, the kept units for a unit administrator; others are refused.
    async fn video_scope(&self, session: &Session) -> Result<Scope> {
        let roles = &session.staff.roles;
        if roles.contains(&Role::Supervisor) || roles.contains(&Role::SystemAdmin) {
            Ok(Scope::All)
        } else if roles.contains(&Role::UnitAdmin) {
            Ok(Scope::Units(
                self.store.unit_subtree(session.staff.unit_id).await?,
            ))
        } else {
            Err(AppError::RoleRequired {
                role: Role::Supervisor,
            })
        }
    }

    /// The units whose cameras the session may see, in the tree's order (for filters and the
    /// camera forms: a unit administrator keeps the same units).
    pub async fn camera_units(&self, session: &Session) -> Result<Vec<liandong_store::UnitRecord>> {
        let scope = self.video_scope(session).await?;
        Ok(self
            .store
            .units()
            .await?
            .into_iter()
            .filter(|u| scope.has(u.id))
            .collect())
    }

    /// Whether the session may see cameras at all (for offering links).
    pub fn may_watch_video(&self, session: &Session) -> bool {
        session
            .require_any(&[Role::Supervisor, Role::SystemAdmin, Role::UnitAdmin])
            .is_ok()
    }

    /// Whether the session may register and change cameras at all (for offering forms).
    pub fn may_keep_cameras(&self, session: &Session) -> bool {
        session
            .require_any(&[Role::SystemAdmin, Role::UnitAdmin])
            .is_ok()
    }

    /// Refuses a session that keeps no cameras anywhere.
    fn check_keeps_cameras(&self, session: &Session) -> Result<()> {
        let roles = &session.staff.roles;
        if roles.contains(&Role::SystemAdmin) || roles.contains(&Role::UnitAdmin) {
            Ok(())
        } else if roles.contains(&Role::Supervisor) {
            Err(AppError::Forbidden(
                "监察人员查看摄像机，不登记或修改 / supervisors watch the cameras; they do not register or change them".into(),
            ))
        } else {
            Err(AppError::RoleRequired {
                role: Role::SystemAdmin,
            })
        }
    }

    /// Refuses unless the session keeps cameras at `unit`.
    async fn check_keeps_cameras_at(&self, session: &Session, unit: UnitId) -> Result<()> {
        self.check_keeps_cameras(session)?;
        if session.staff.roles.contains(&Role::SystemAdmin) || self.keeps(session, unit).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "单位管理员只能管理本单位的摄像机 / a unit administrator keeps their own units' cameras only".into(),
            ))
        }
    }

    /// A camera's record as entered, checked: the unit and window exist, the window is at
    /// the unit, the device ID and addresses hold, and the snapshot is one the probe can
    /// read (plain HTTP on the private network: the probe has no TLS client).
    async fn checked_camera(&self, input: &CameraInput) -> Result<CheckedCamera> {
        self.store.unit(input.unit_id).await?;
        let window = match input.window_id {
            Some(id) => Some((id, self.window(id).await?.unit_id)),
            None => None,
        };
        let checked = check_camera(&CameraDraft {
            name: &input.name,
            device_id: &input.device_id,
            stream_url: &input.stream_url,
            snapshot_url: &input.snapshot_url,
            unit: input.unit_id,
            window,
        })
        .map_err(|errors| invalid(&errors))?;
        if checked.snapshot_url.scheme == Scheme::Https {
            return Err(AppError::invalid(
                "snapshot_url",
                "快照地址须为http://：巡检取图不带TLS客户端，请填摄像机在内网的http地址",
                "the snapshot address must be http://: the probe has no TLS client; give the camera's http address on the private network",
            ));
        }
        Ok(checked)
    }

    fn fields_of(checked: &CheckedCamera) -> CameraFields {
        CameraFields {
            unit_id: checked.unit,
            window_id: checked.window,
            name: checked.name.clone(),
            device_id: checked.device_id.to_string(),
            stream_url: checked.stream_url.to_string(),
            snapshot_url: checked.snapshot_url.to_string(),
        }
    }

    /// The placements on `window` (at its unit), for the one-camera-per-window check.
    async fn placements_on(
        &self,
        unit: UnitId,
        window: Option<WindowId>,
    ) -> Result<Vec<Placement>> {
        let Some(window) = window else {
            return Ok(Vec::new());
        };
        Ok(self
            .store
            .placements_at(unit)
            .await?
            .into_iter()
            .filter(|p| p.window == Some(window))
            .collect())
    }

    /// Registers a camera at a unit (and window), placed there from now. Audited.
    pub async fn register_camera(
        &self,
        session: &Session,
        input: &CameraInput,
    ) -> Result<CameraRecord> {
        self.check_keeps_cameras(session)?;
        let checked = self.checked_camera(input).await?;
        self.check_keeps_cameras_at(session, checked.unit).await?;
        let others = self.placements_on(checked.unit, checked.window).await?;
        let fields = Self::fields_of(&checked);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_camera(&fields, now).await?;
        let (_, placement) = place(&others, None, id, checked.unit, checked.window, now)
            .map_err(|e| invalid(&[e]))?;
        tx.insert_placement(&placement).await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "camera_registered".into(),
            target: format!("camera:{}", fields.device_id),
            detail: format!(
                "{} unit {} window {}",
                fields.name,
                fields.unit_id,
                window_text(fields.window_id)
            ),
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.camera(id).await?)
    }

    /// Changes a camera read at `expected_version`; a new unit or window moves it from now
    /// (its placement there closes, the new one opens). Audited.
    pub async fn change_camera(
        &self,
        session: &Session,
        id: CameraId,
        change: &CameraChange,
    ) -> Result<CameraRecord> {
        let current = self.visible_camera(session, id).await?;
        self.check_keeps_cameras_at(session, current.unit_id)
            .await?;
        if !current.active {
            return Err(invalid(&[VideoError::Retired]));
        }
        let checked = self.checked_camera(&change.camera).await?;
        self.check_keeps_cameras_at(session, checked.unit).await?;
        let moved = (checked.unit, checked.window) != (current.unit_id, current.window_id);
        let now = self.now();
        let placement = if moved {
            let placements = self.store.camera_placements(id).await?;
            let open = placements.iter().rev().find(|p| p.until.is_none());
            let others = self.placements_on(checked.unit, checked.window).await?;
            let (_, next) = place(&others, open, id, checked.unit, checked.window, now)
                .map_err(|e| invalid(&[e]))?;
            Some(next)
        } else {
            None
        };
        let fields = Self::fields_of(&checked);
        let detail = differences(&[
            ("name", current.name.clone(), fields.name.clone()),
            (
                "device_id",
                current.device_id.clone(),
                fields.device_id.clone(),
            ),
            (
                "stream_url",
                current.stream_url.clone(),
                fields.stream_url.clone(),
            ),
            (
                "snapshot_url",
                current.snapshot_url.clone(),
                fields.snapshot_url.clone(),
            ),
            (
                "unit",
                current.unit_id.to_string(),
                fields.unit_id.to_string(),
            ),
            (
                "window",
                window_text(current.window_id),
                window_text(fields.window_id),
            ),
        ]);
        let mut tx = self.store.begin().await?;
        tx.update_camera(id, change.expected_version, &fields)
            .await?;
        if let Some(next) = &placement {
            tx.close_placement(id, now).await?;
            tx.insert_placement(next).await?;
        }
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "camera_changed".into(),
            target: format!("camera:{}", current.device_id),
            detail,
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.camera(id).await?)
    }

    /// Retires a camera read at `expected_version`: no longer probed, its placement closed,
    /// kept for the history that names it. Audited.
    pub async fn retire_camera(
        &self,
        session: &Session,
        id: CameraId,
        expected_version: i64,
    ) -> Result<CameraRecord> {
        let current = self.visible_camera(session, id).await?;
        self.check_keeps_cameras_at(session, current.unit_id)
            .await?;
        if !current.active {
            return Err(invalid(&[VideoError::Retired]));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.retire_camera(id, expected_version, now).await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "camera_retired".into(),
            target: format!("camera:{}", current.device_id),
            detail: current.name.clone(),
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.camera(id).await?)
    }

    /// A camera the session may see; one it may not is not found.
    async fn visible_camera(&self, session: &Session, id: CameraId) -> Result<CameraRecord> {
        let scope = self.video_scope(session).await?;
        let camera = self.store.camera(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => camera_not_found(),
            other => other.into(),
        })?;
        if !scope.has(camera.unit_id) {
            return Err(camera_not_found());
        }
        Ok(camera)
    }

    /// The cameras the session may see, at `unit` and the units under it if given, with
    /// their health; the retired ones too when asked.
    pub async fn cameras(
        &self,
        session: &Session,
        unit: Option<UnitId>,
        include_retired: bool,
    ) -> Result<Vec<CameraRecord>> {
        let scope = self.video_scope(session).await?;
        let under = match unit {
            Some(u) => Some(self.store.unit_subtree(u).await?),
            None => None,
        };
        Ok(self
            .store
            .cameras(include_retired)
            .await?
            .into_iter()
            .filter(|c| scope.has(c.unit_id))
            .filter(|c| {
                under
                    .as_ref()
                    .is_none_or(|units| units.contains(&c.unit_id))
            })
            .collect())
    }

    /// One camera with its placements and its latest changes of health.
    pub async fn camera_detail(&self, session: &Session, id: CameraId) -> Result<CameraDetail> {
        let camera = self.visible_camera(session, id).await?;
        Ok(CameraDetail {
            placements: self.store.camera_placements(id).await?,
            health_changes: self.store.health_changes(id, 50).await?,
            camera,
        })
    }

    /// A camera's latest snapshot.
    pub async fn camera_snapshot(&self, session: &Session, id: CameraId) -> Result<StoredSnapshot> {
        self.visible_camera(session, id).await?;
        self.store
            .camera_snapshot(id)
            .await?
            .ok_or(AppError::NotFound("快照 snapshot"))
    }

    /// Probes every camera in service once: fetches its snapshot, moves its health, keeps
    /// the snapshot, and records a finding when an outage opens (once per outage, whichever
    /// probe — the server's or `liandong video probe` — sees it first).
    pub async fn probe_cameras(&self) -> Result<ProbeReport> {
        let cameras = self.store.cameras(false).await?;
        let semaphore =
            std::sync::Arc::new(tokio::sync::Semaphore::new(self.video.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for camera in cameras {
            let semaphore = semaphore.clone();
            let (timeout, max) = (self.video.timeout, self.video.max_snapshot_bytes);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let started = std::time::Instant::now();
                let outcome = match liandong_domain::video::MediaUrl::parse(
                    &camera.snapshot_url,
                    &[Scheme::Http, Scheme::Https],
                ) {
                    Ok(url) => fetch::fetch_snapshot(&url, timeout, max).await,
                    Err((_, en)) => Err(fetch::FetchError::Read(en)),
                };
                let millis = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                (camera, outcome, millis)
            });
        }
        let mut report = ProbeReport::default();
        while let Some(done) = tasks.join_next().await {
            let Ok((camera, outcome, millis)) = done else {
                continue;
            };
            report.probed += 1;
            match self.record_probe(camera, outcome, millis).await {
                Ok((health, new_finding)) => {
                    use liandong_domain::video::Health;
                    match health {
                        Health::Healthy => report.healthy += 1,
                        Health::Failing => report.failing += 1,
                        Health::Dead => report.dead += 1,
                        Health::Recovering => report.recovering += 1,
                        Health::Unknown => {}
                    }
                    report.new_findings += usize::from(new_finding);
                }
                Err(AppError::Conflict { .. }) => report.skipped += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Records one probe's outcome; returns the health after it and whether it opened an
    /// outage newly recorded as a finding.
    async fn record_probe(
        &self,
        camera: CameraRecord,
        outcome: std::result::Result<fetch::Snapshot, fetch::FetchError>,
        millis: i64,
    ) -> Result<(liandong_domain::video::Health, bool)> {
        let now = self.now();
        let before = camera.health.state.clone();
        let observed = observe(&before, outcome.is_ok(), now, &self.video.rules);
        let error = outcome
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        let finding = observed.outage_opened.map(|since| {
            outage_finding(
                &CameraRef {
                    id: camera.id,
                    unit: camera.unit_id,
                    name: camera.name.clone(),
                    device_id: camera.device_id.clone(),
                },
                since,
                now,
                observed.state.failures,
                &error,
            )
        });
        let health = observed.state.health;
        let probe = ProbeRecord {
            camera: camera.id,
            expected_probes: before.probes,
            state: observed.state,
            error,
            millis,
            changed_from: observed.changed_from,
            snapshot: outcome.ok().map(|s| (s.media_type.to_owned(), s.bytes)),
        };
        let new_finding = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    tx.record_probe(&probe).await?;
                    match &finding {
                        Some(f) => tx.record_outage_finding(f).await,
                        None => Ok(false),
                    }
                })
            })
            .await?;
        if new_finding {
            tracing::warn!(camera = camera.id.0, name = %camera.name, "camera offline: finding recorded");
        }
        Ok((health, new_finding))
    }

    /// The cameras that watched event `seq` of case `id`: the session must see both the
    /// case and cameras at the event's unit. Every look is audited (it opens footage of
    /// people at a window).
    pub async fn camera_for_event(
        &self,
        session: &Session,
        id: CaseId,
        seq: u32,
    ) -> Result<EventCamera> {
        let scope = self.video_scope(session).await?;
        let stored = self.visible_case(session, id).await?;
        let event = stored
            .events
            .iter()
            .find(|e| e.seq == seq)
            .ok_or(AppError::NotFound("事件 event"))?;
        if !scope.has(event.unit) {
            return Err(AppError::Forbidden(
                "该事件发生在您管理范围之外的单位 / the event happened at a unit you do not keep"
                    .into(),
            ));
        }
        let tickets = self
            .store
            .tickets_of_day(event.unit, china_date(event.at))
            .await?;
        let window = window_at(
            &tickets.iter().map(|t| t.ticket.clone()).collect::<Vec<_>>(),
            id,
            event.actor,
            event.at,
        );
        let placements = self.store.placements_at(event.unit).await?;
        let coverage = covering(
            &placements,
            event.unit,
            window.as_ref().map(|w| w.window),
            event.at,
        );
        let (footage_from, footage_until) = footage_period(
            event.at,
            self.video.footage_margin,
            window.as_ref().and_then(|w| w.visit),
        );
        let mut cameras = HashMap::new();
        for p in coverage.window.iter().chain(&coverage.unit) {
            if let Entry::Vacant(slot) = cameras.entry(p.camera) {
                slot.insert(self.store.camera(p.camera).await?);
            }
        }
        let at = |p: &Placement| {
            cameras.get(&p.camera).map(|c: &CameraRecord| CameraAt {
                camera_id: c.id,
                name: c.name.clone(),
                device_id: c.device_id.clone(),
                stream_url: c.stream_url.clone(),
                window_id: p.window,
                placed_from: p.from,
                placed_until: p.until,
                active: c.active,
            })
        };
        let answer = EventCamera {
            case_id: id,
            case_number: stored.summary.number.to_string(),
            seq,
            at: event.at,
            unit_id: event.unit,
            window_id: window.as_ref().map(|w| w.window),
            window_basis: window.as_ref().map(|w| w.basis),
            footage_from,
            footage_until,
            camera: coverage.window.as_ref().and_then(at),
            unit_cameras: coverage.unit.iter().filter_map(at).collect(),
        };
        self.store
            .audit(&AuditEntry {
                at: self.now(),
                actor_id: Some(session.staff.id),
                action: "camera_looked_up".into(),
                target: format!("case:{}", id.0),
                detail: format!("event:{seq}"),
            })
            .await?;
        Ok(answer)
    }

    /// The events of a case some camera watched, for the case page's "录像" links: empty
    /// for a session that may not see cameras. Nothing is audited: no footage is opened.
    pub async fn events_with_cameras(
        &self,
        session: &Session,
        id: CaseId,
        events: &[liandong_domain::case::CaseEvent],
    ) -> Result<BTreeSet<u32>> {
        let Ok(scope) = self.video_scope(session).await else {
            return Ok(BTreeSet::new());
        };
        let mut placements: HashMap<UnitId, Vec<Placement>> = HashMap::new();
        let mut tickets: HashMap<(UnitId, chrono::NaiveDate), Vec<liandong_domain::queue::Ticket>> =
            HashMap::new();
        let mut covered = BTreeSet::new();
        for event in events {
            if !scope.has(event.unit) {
                continue;
            }
            let at_unit = match placements.entry(event.unit) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(self.store.placements_at(event.unit).await?),
            };
            if at_unit.is_empty() {
                continue;
            }
            let of_day = match tickets.entry((event.unit, china_date(event.at))) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => {
                    let (unit, day) = *slot.key();
                    let of_day = self.store.tickets_of_day(unit, day).await?;
                    slot.insert(of_day.into_iter().map(|t| t.ticket).collect())
                }
            };
            let window = window_at(of_day, id, event.actor, event.at).map(|w| w.window);
            let coverage: Coverage = covering(at_unit, event.unit, window, event.at);
            if !coverage.is_empty() {
                covered.insert(event.seq);
            }
        }
        Ok(covered)
    }
}

/// Probes every `every` until `stop` turns true (or its sender goes): the server's
/// background probe. A probe in progress finishes before it stops; a failed probe is
/// logged and the next one tries again.
pub async fn probe_every(
    app: App,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
                continue;
            }
        }
        match app.probe_cameras().await {
            Ok(r) => tracing::info!(
                probed = r.probed,
                dead = r.dead,
                new_findings = r.new_findings,
                "video probe"
            ),
            Err(e) => tracing::warn!(error = %e, "video probe failed"),
        }
    }
}
