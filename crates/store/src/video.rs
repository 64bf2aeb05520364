//! Video monitoring (视频监控): cameras, where each was when, their health from the probes,
//! and each one's latest snapshot (kept base64, like uploaded files: a backup holds only
//! integers and text).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use liandong_domain::organization::{UnitId, WindowId};
use liandong_domain::video::{CameraId, Health, HealthState, OutageFinding, Placement};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, millis, opt_instant, parse_column,
    updated_at_version,
};

/// A camera's health as stored: the state the probes left, the last error and how long the
/// last probe took.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthRecord {
    #[serde(flatten)]
    pub state: HealthState,
    /// Why the last probe failed ("中文 / English"); empty after a success.
    pub last_error: String,
    /// Milliseconds the last probe took.
    pub last_millis: Option<i64>,
}

/// The latest snapshot, without its bytes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    pub taken_at: DateTime<Utc>,
    pub media_type: String,
    pub size: i64,
    /// SHA-256 of the image, hexadecimal: the same picture twice is a frozen camera.
    pub sha256: String,
}

/// A camera with where it is now, its health and its latest snapshot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CameraRecord {
    pub id: CameraId,
    pub unit_id: UnitId,
    /// The window it looks at; None: the hall or center as a whole.
    pub window_id: Option<WindowId>,
    pub name: String,
    /// GB/T 28181 device ID (国标编码).
    pub device_id: String,
    pub stream_url: String,
    pub snapshot_url: String,
    /// False once retired (停用): no longer probed, kept for the history.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub health: HealthRecord,
    pub snapshot: Option<SnapshotInfo>,
}

/// A camera's record as written (checked by the domain).
#[derive(Debug, Clone)]
pub struct CameraFields {
    pub unit_id: UnitId,
    pub window_id: Option<WindowId>,
    pub name: String,
    pub device_id: String,
    pub stream_url: String,
    pub snapshot_url: String,
}

/// A change of health, numbered by the probe that made it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthChange {
    pub probe: i64,
    pub at: DateTime<Utc>,
    pub from: Health,
    pub to: Health,
    /// The failure that made it, if one did.
    pub error: String,
}

/// The latest snapshot with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub taken_at: DateTime<Utc>,
    pub media_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// What one probe leaves: the new state, why it failed, how long it took, the change of
/// health and the snapshot, if any.
#[derive(Debug, Clone)]
pub struct ProbeRecord {
    pub camera: CameraId,
    /// The probe count read before probing; another probe since is a conflict.
    pub expected_probes: u64,
    pub state: HealthState,
    pub error: String,
    pub millis: i64,
    pub changed_from: Option<Health>,
    /// (media type, bytes) of a successful probe.
    pub snapshot: Option<(String, Vec<u8>)>,
}

const CAMERA_COLUMNS: &str = "SELECT c.id, c.unit_id, c.window_id, c.name, c.device_id,
    c.stream_url, c.snapshot_url, c.active, c.created_at, c.retired_at, c.version,
    h.health, h.failures, h.successes, h.failing_since, h.probes, h.last_probe_at,
    h.last_ok_at, h.last_error, h.last_millis,
    s.taken_at AS snapshot_at, s.media_type, s.size, s.sha256
    FROM cameras c JOIN camera_health h ON h.camera_id = c.id
    LEFT JOIN camera_snapshots s ON s.camera_id = c.id";

fn count(row: &AnyRow, column: &str) -> Result<u32> {
    let n: i64 = row.try_get(column)?;
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{column}: {n}")))
}

fn camera_row(row: &AnyRow) -> Result<CameraRecord> {
    let probes: i64 = row.try_get("probes")?;
    let snapshot = match row.try_get::<Option<i64>, _>("snapshot_at")? {
        Some(at) => Some(SnapshotInfo {
            taken_at: instant(at)?,
            media_type: row.try_get("media_type")?,
            size: row.try_get("size")?,
            sha256: row.try_get("sha256")?,
        }),
        None => None,
    };
    Ok(CameraRecord {
        id: CameraId(row.try_get("id")?),
        unit_id: UnitId(row.try_get("unit_id")?),
        window_id: row.try_get::<Option<i64>, _>("window_id")?.map(WindowId),
        name: row.try_get("name")?,
        device_id: row.try_get("device_id")?,
        stream_url: row.try_get("stream_url")?,
        snapshot_url: row.try_get("snapshot_url")?,
        active: row.try_get::<i64, _>("active")? != 0,
        created_at: instant(row.try_get("created_at")?)?,
        retired_at: opt_instant(row.try_get("retired_at")?)?,
        version: row.try_get("version")?,
        health: HealthRecord {
            state: HealthState {
                health: parse_column(row, "health")?,
                failures: count(row, "failures")?,
                successes: count(row, "successes")?,
                failing_since: opt_instant(row.try_get("failing_since")?)?,
                probes: u64::try_from(probes)
                    .map_err(|_| StoreError::Corrupt(format!("probes: {probes}")))?,
                last_probe_at: opt_instant(row.try_get("last_probe_at")?)?,
                last_ok_at: opt_instant(row.try_get("last_ok_at")?)?,
            },
            last_error: row.try_get("last_error")?,
            last_millis: row.try_get("last_millis")?,
        },
        snapshot,
    })
}

fn placement_row(row: &AnyRow) -> Result<Placement> {
    Ok(Placement {
        camera: CameraId(row.try_get("camera_id")?),
        unit: UnitId(row.try_get("unit_id")?),
        window: row.try_get::<Option<i64>, _>("window_id")?.map(WindowId),
        from: instant(row.try_get("from_at")?)?,
        until: opt_instant(row.try_get("until_at")?)?,
    })
}

fn open_window_taken(e: sqlx::Error) -> StoreError {
    StoreError::unique("窗口的摄像机 the window's camera")(e)
}

impl WriteTx {
    /// Registers a camera at `at`: its row, its health (never probed) and no placement yet.
    pub async fn insert_camera(
        &mut self,
        camera: &CameraFields,
        at: DateTime<Utc>,
    ) -> Result<CameraId> {
        let row = sqlx::query(
            "INSERT INTO cameras (unit_id, window_id, name, device_id, stream_url, snapshot_url,
                active, created_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, 1) RETURNING id",
        )
        .bind(camera.unit_id.0)
        .bind(camera.window_id.map(|w| w.0))
        .bind(&camera.name)
        .bind(&camera.device_id)
        .bind(&camera.stream_url)
        .bind(&camera.snapshot_url)
        .bind(millis(at))
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!(
            "国标编码 device ID {}",
            camera.device_id
        )))?;
        let id = CameraId(row.try_get("id")?);
        sqlx::query(
            "INSERT INTO camera_health (camera_id, health, failures, successes, probes, last_error)
             VALUES ($1, $2, 0, 0, 0, '')",
        )
        .bind(id.0)
        .bind(Health::Unknown.as_str())
        .execute(self.conn())
        .await?;
        Ok(id)
    }

    /// Changes a camera's record, if nobody changed it since `version`.
    pub async fn update_camera(
        &mut self,
        id: CameraId,
        version: i64,
        camera: &CameraFields,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE cameras SET unit_id = $1, window_id = $2, name = $3, device_id = $4,
                stream_url = $5, snapshot_url = $6, version = version + 1
             WHERE id = $7 AND version = $8 AND active = 1",
        )
        .bind(camera.unit_id.0)
        .bind(camera.window_id.map(|w| w.0))
        .bind(&camera.name)
        .bind(&camera.device_id)
        .bind(&camera.stream_url)
        .bind(&camera.snapshot_url)
        .bind(id.0)
        .bind(version)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique(format!(
            "国标编码 device ID {}",
            camera.device_id
        )))?;
        updated_at_version(&done, version)
    }

    /// Retires a camera at `at`, if nobody changed it since `version`; its placement closes.
    pub async fn retire_camera(
        &mut self,
        id: CameraId,
        version: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE cameras SET active = 0, retired_at = $1, version = version + 1
             WHERE id = $2 AND version = $3 AND active = 1",
        )
        .bind(millis(at))
        .bind(id.0)
        .bind(version)
        .execute(self.conn())
        .await?;
        updated_at_version(&done, version)?;
        self.close_placement(id, at).await
    }

    /// Closes the camera's open placement at `at` (none open: nothing to do).
    pub async fn close_placement(&mut self, camera: CameraId, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE camera_placements SET until_at = $1 WHERE camera_id = $2 AND until_at IS NULL",
        )
        .bind(millis(at))
        .bind(camera.0)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Opens a placement, the camera's next; a window with an open placement of another
    /// camera is a duplicate.
    pub async fn insert_placement(&mut self, placement: &Placement) -> Result<()> {
        sqlx::query(
            "INSERT INTO camera_placements (camera_id, seq, unit_id, window_id, from_at, until_at)
             VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM camera_placements WHERE camera_id = $1),
                $2, $3, $4, $5)",
        )
        .bind(placement.camera.0)
        .bind(placement.unit.0)
        .bind(placement.window.map(|w| w.0))
        .bind(millis(placement.from))
        .bind(placement.until.map(millis))
        .execute(self.conn())
        .await
        .map_err(open_window_taken)?;
        Ok(())
    }

    /// Records a probe: the health row (only if no other probe was recorded since it was
    /// read: else a conflict), the change of health and the snapshot.
    pub async fn record_probe(&mut self, probe: &ProbeRecord) -> Result<()> {
        let s = &probe.state;
        let expected = i64::try_from(probe.expected_probes).unwrap_or(i64::MAX);
        let probes = i64::try_from(s.probes).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "UPDATE camera_health SET health = $1, failures = $2, successes = $3,
                failing_since = $4, probes = $5, last_probe_at = $6, last_ok_at = $7,
                last_error = $8, last_millis = $9
             WHERE camera_id = $10 AND probes = $11",
        )
        .bind(s.health.as_str())
        .bind(i64::from(s.failures))
        .bind(i64::from(s.successes))
        .bind(s.failing_since.map(millis))
        .bind(probes)
        .bind(s.last_probe_at.map(millis))
        .bind(s.last_ok_at.map(millis))
        .bind(&probe.error)
        .bind(probe.millis)
        .bind(probe.camera.0)
        .bind(expected)
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected)?;
        if let Some(from) = probe.changed_from {
            sqlx::query(
                "INSERT INTO camera_health_changes (camera_id, probe, at, from_health, to_health, error)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(probe.camera.0)
            .bind(probes)
            .bind(s.last_probe_at.map_or(0, millis))
            .bind(from.as_str())
            .bind(s.health.as_str())
            .bind(&probe.error)
            .execute(self.conn())
            .await?;
        }
        if let (Some((media_type, bytes)), Some(at)) = (&probe.snapshot, s.last_probe_at) {
            use sha2::{Digest, Sha256};
            let sha256 = hex::encode(Sha256::digest(bytes));
            sqlx::query(
                "INSERT INTO camera_snapshots (camera_id, taken_at, media_type, size, sha256, content)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (camera_id) DO UPDATE SET taken_at = $2, media_type = $3, size = $4,
                    sha256 = $5, content = $6",
            )
            .bind(probe.camera.0)
            .bind(millis(at))
            .bind(media_type)
            .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
            .bind(sha256)
            .bind(STANDARD.encode(bytes))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records the finding of an outage, once: an outage already recorded (the same dedup
    /// key) is left as it is. Returns whether it is new.
    pub async fn record_outage_finding(&mut self, finding: &OutageFinding) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO findings (dedup_key, camera_id, unit_id, kind, occurred_at, detected_at,
                role, description_zh, description_en, provisional, routine, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10)
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(&finding.dedup_key)
        .bind(finding.camera.0)
        .bind(finding.unit.0)
        .bind(finding.kind.as_str())
        .bind(millis(finding.occurred_at))
        .bind(millis(finding.detected_at))
        .bind(liandong_domain::organization::Role::UnitAdmin.as_str())
        .bind(&finding.description_zh)
        .bind(&finding.description_en)
        .bind(crate::to_json(finding)?)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Store {
    /// Every camera in service (and the retired ones when asked), by unit and name.
    pub async fn cameras(&self, include_retired: bool) -> Result<Vec<CameraRecord>> {
        let active = if include_retired {
            ""
        } else {
            " WHERE c.active = 1"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CAMERA_COLUMNS}{active} ORDER BY c.unit_id, c.active DESC, c.name, c.id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(camera_row).collect()
    }

    pub async fn camera(&self, id: CameraId) -> Result<CameraRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CAMERA_COLUMNS} WHERE c.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("摄像机 camera"))?;
        camera_row(&row)
    }

    /// A camera's placements, oldest first.
    pub async fn camera_placements(&self, camera: CameraId) -> Result<Vec<Placement>> {
        let rows = sqlx::query(
            "SELECT camera_id, unit_id, window_id, from_at, until_at FROM camera_placements
             WHERE camera_id = $1 ORDER BY seq",
        )
        .bind(camera.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(placement_row).collect()
    }

    /// Every placement at a unit, past and present: which cameras covered it when.
    pub async fn placements_at(&self, unit: UnitId) -> Result<Vec<Placement>> {
        let rows = sqlx::query(
            "SELECT camera_id, unit_id, window_id, from_at, until_at FROM camera_placements
             WHERE unit_id = $1 ORDER BY from_at, camera_id",
        )
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(placement_row).collect()
    }

    /// A camera's latest changes of health, newest first.
    pub async fn health_changes(&self, camera: CameraId, limit: i64) -> Result<Vec<HealthChange>> {
        let rows = sqlx::query(
            "SELECT probe, at, from_health, to_health, error FROM camera_health_changes
             WHERE camera_id = $1 ORDER BY probe DESC LIMIT $2",
        )
        .bind(camera.0)
        .bind(limit.clamp(1, 500))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HealthChange {
                    probe: r.try_get("probe")?,
                    at: instant(r.try_get("at")?)?,
                    from: parse_column(r, "from_health")?,
                    to: parse_column(r, "to_health")?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }

    /// A camera's latest snapshot with its bytes, if it has one.
    pub async fn camera_snapshot(&self, camera: CameraId) -> Result<Option<StoredSnapshot>> {
        let row = sqlx::query(
            "SELECT taken_at, media_type, sha256, content FROM camera_snapshots WHERE camera_id = $1",
        )
        .bind(camera.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let content: String = row.try_get("content")?;
        Ok(Some(StoredSnapshot {
            taken_at: instant(row.try_get("taken_at")?)?,
            media_type: row.try_get("media_type")?,
            sha256: row.try_get("sha256")?,
            content: STANDARD
                .decode(content)
                .map_err(|e| StoreError::Corrupt(format!("snapshot: {e}")))?,
        }))
    }
}
