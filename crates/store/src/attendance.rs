//! Window duty and attendance (窗口出勤): each window's duty events, and its duty now.
//!
//! `window_duty` holds one row per window that ever had an event: the fold of its events
//! ([`WindowDuty`]) and a version that counts them. An event is appended under that version
//! (zero rows updated: somebody acted first → [`StoreError::Conflict`]) and numbered with the
//! version it makes, so the events of a window are never interleaved.

use chrono::NaiveDate;
use liandong_domain::attendance::{DutyEvent, DutyEventKind, WindowDuty};
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{StaffId, UnitId, WindowId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, to_json, u32_column,
    updated_at_version,
};

/// A window's duty as stored: the fold of its events and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDuty {
    pub duty: WindowDuty,
    /// The events of the window so far; 0 for a window nobody has signed on at.
    pub version: u32,
}

/// The China date an event concerns: the day a leave excuses, else the day it happened.
fn event_day(event: &DutyEvent) -> NaiveDate {
    match &event.kind {
        DutyEventKind::LeaveRecorded { leave } => leave.date,
        _ => china_date(event.at),
    }
}

fn duty_row(row: &AnyRow) -> Result<StoredDuty> {
    Ok(StoredDuty {
        duty: json_column(row, "data")?,
        version: u32_column(row, "version")?,
    })
}

fn event_row(row: &AnyRow) -> Result<DutyEvent> {
    Ok(DutyEvent {
        window: WindowId(row.try_get("window_id")?),
        at: instant(row.try_get("at")?)?,
        by: StaffId(row.try_get("by_staff_id")?),
        clerk: row.try_get::<Option<i64>, _>("clerk_id")?.map(StaffId),
        kind: json_column(row, "data")?,
    })
}

const EVENT_COLUMNS: &str = "SELECT e.window_id, e.at, e.by_staff_id, e.clerk_id, e.data
    FROM window_duty_events e";

impl WriteTx {
    /// Appends `event` to its window's duty read at `expected_version`, and keeps `after`
    /// (the duty with the event folded in) as the window's duty now. Returns the new version.
    pub async fn append_duty_event(
        &mut self,
        expected_version: u32,
        event: &DutyEvent,
        after: &WindowDuty,
    ) -> Result<u32> {
        let window = event.window.0;
        let version = expected_version + 1;
        let done = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO window_duty (window_id, state, clerk_id, since, data, version)
                 VALUES ($1, $2, $3, $4, $5, 1)
                 ON CONFLICT (window_id) DO NOTHING",
            )
            .bind(window)
            .bind(after.state.as_str())
            .bind(after.clerk.map(|c| c.0))
            .bind(after.since.map(millis))
            .bind(to_json(after)?)
            .execute(self.conn())
            .await?
        } else {
            sqlx::query(
                "UPDATE window_duty SET state = $1, clerk_id = $2, since = $3, data = $4,
                    version = version + 1
                 WHERE window_id = $5 AND version = $6",
            )
            .bind(after.state.as_str())
            .bind(after.clerk.map(|c| c.0))
            .bind(after.since.map(millis))
            .bind(to_json(after)?)
            .bind(window)
            .bind(i64::from(expected_version))
            .execute(self.conn())
            .await?
        };
        updated_at_version(&done, expected_version)?;
        sqlx::query(
            "INSERT INTO window_duty_events (window_id, seq, at, day, by_staff_id, clerk_id, kind, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(window)
        .bind(i64::from(version))
        .bind(millis(event.at))
        .bind(event_day(event).to_string())
        .bind(event.by.0)
        .bind(event.clerk.map(|c| c.0))
        .bind(event.kind.as_str())
        .bind(to_json(&event.kind)?)
        .execute(self.conn())
        .await?;
        Ok(version)
    }
}

impl Store {
    /// A window's duty now (as stored: a duty of an earlier day has lapsed, which
    /// [`WindowDuty::as_of`] tells).
    pub async fn window_duty(&self, window: WindowId) -> Result<StoredDuty> {
        let row = sqlx::query("SELECT data, version FROM window_duty WHERE window_id = $1")
            .bind(window.0)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => duty_row(&row),
            None => Ok(StoredDuty {
                duty: WindowDuty::closed(window),
                version: 0,
            }),
        }
    }

    /// The duty of every window of `unit` that has one (others are closed, version 0).
    pub async fn unit_duties(&self, unit: UnitId) -> Result<Vec<StoredDuty>> {
        let rows = sqlx::query(
            "SELECT d.data, d.version FROM window_duty d JOIN windows w ON w.id = d.window_id
             WHERE w.unit_id = $1",
        )
        .bind(unit.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(duty_row).collect()
    }

    /// The windows `clerk` is recorded as signed on at (possibly since an earlier day).
    pub async fn duties_of_clerk(&self, clerk: StaffId) -> Result<Vec<StoredDuty>> {
        let rows = sqlx::query(
            "SELECT data, version FROM window_duty WHERE clerk_id = $1 AND state <> 'closed'",
        )
        .bind(clerk.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(duty_row).collect()
    }

    /// The duty events concerning the days `from..=to` (China dates), of the windows of
    /// `unit` or, with none, of every window: state changes on those days and leaves for
    /// them, in the order recorded.
    pub async fn duty_events(
        &self,
        unit: Option<UnitId>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DutyEvent>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{EVENT_COLUMNS} JOIN windows w ON w.id = e.window_id
             WHERE e.day >= $1 AND e.day <= $2 AND ($3 IS NULL OR w.unit_id = $3)
             ORDER BY e.window_id, e.seq"
        )))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(unit.map(|u| u.0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    /// The first and last days any duty event concerns, per window (of `unit`, or of every
    /// window): the days a window's attendance is kept between.
    pub async fn duty_kept_days(
        &self,
        unit: Option<UnitId>,
    ) -> Result<Vec<(WindowId, NaiveDate, NaiveDate)>> {
        let rows = sqlx::query(
            "SELECT e.window_id, MIN(e.day) AS first_day, MAX(e.day) AS last_day
             FROM window_duty_events e JOIN windows w ON w.id = e.window_id
             WHERE $1 IS NULL OR w.unit_id = $1
             GROUP BY e.window_id ORDER BY e.window_id",
        )
        .bind(unit.map(|u| u.0))
        .fetch_all(&self.pool)
        .await?;
        let day = |row: &AnyRow, column: &str| -> Result<NaiveDate> {
            let text: String = row.try_get(column)?;
            text.parse()
                .map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
        };
        rows.iter()
            .map(|r| {
                Ok((
                    WindowId(r.try_get("window_id")?),
                    day(r, "first_day")?,
                    day(r, "last_day")?,
                ))
            })
            .collect()
    }
}
