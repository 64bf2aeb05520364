//! Appointments: the bookings, each slot's count of bookings, and a row per phone that
//! serialises that phone's bookings.

use std::collections::HashMap;

use chrono::NaiveDate;
use liandong_domain::appointment::{Appointment, Slot};
use liandong_domain::organization::UnitId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, json_column, millis, to_json, u32_column,
    updated_at_version,
};

/// A booking as stored: its id, hall and version beside it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAppointment {
    pub id: i64,
    pub unit_id: UnitId,
    pub version: u32,
    #[serde(flatten)]
    pub appointment: Appointment,
}

fn appointment_row(row: &AnyRow) -> Result<StoredAppointment> {
    Ok(StoredAppointment {
        id: row.try_get("id")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        version: u32_column(row, "version")?,
        appointment: json_column(row, "data")?,
    })
}

const COLUMNS: &str = "SELECT id, unit_id, version, data FROM appointments";

/// A phone's bookings from this day on: enough for the no-show rule (thirty days back) and
/// the bookings still to come.
const PHONE_HISTORY: &str = "SELECT id, unit_id, version, data FROM appointments
     WHERE phone = $1 AND day >= $2 ORDER BY day, start_minute, id";

impl WriteTx {
    /// Locks `phone`'s row (made on its first booking) until the transaction ends: the
    /// limit on bookings per phone is then counted by one booking at a time.
    pub async fn lock_appointment_phone(
        &mut self,
        phone: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO appointment_phones (phone, last_booked_at) VALUES ($1, $2)
             ON CONFLICT (phone) DO UPDATE SET last_booked_at = excluded.last_booked_at",
        )
        .bind(phone)
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The phone's bookings from `since` on, read inside the transaction.
    pub async fn appointments_of_phone_since(
        &mut self,
        phone: &str,
        since: NaiveDate,
    ) -> Result<Vec<StoredAppointment>> {
        let rows = sqlx::query(PHONE_HISTORY)
            .bind(phone)
            .bind(since.to_string())
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(appointment_row).collect()
    }

    /// Takes a place in a slot while fewer than `capacity` are booked; false when it is full.
    pub async fn take_appointment_place(
        &mut self,
        unit: UnitId,
        group: &str,
        slot: Slot,
        capacity: u32,
    ) -> Result<bool> {
        sqlx::query(
            "INSERT INTO appointment_slots (unit_id, group_code, day, start_minute, booked)
             VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING",
        )
        .bind(unit.0)
        .bind(group)
        .bind(slot.day.to_string())
        .bind(i64::from(slot.start_minute()))
        .execute(self.conn())
        .await?;
        let done = sqlx::query(
            "UPDATE appointment_slots SET booked = booked + 1
             WHERE unit_id = $1 AND group_code = $2 AND day = $3 AND start_minute = $4
               AND booked < $5",
        )
        .bind(unit.0)
        .bind(group)
        .bind(slot.day.to_string())
        .bind(i64::from(slot.start_minute()))
        .bind(i64::from(capacity))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back a place (a booking cancelled).
    pub async fn release_appointment_place(
        &mut self,
        unit: UnitId,
        group: &str,
        slot: Slot,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked - 1
             WHERE unit_id = $1 AND group_code = $2 AND day = $3 AND start_minute = $4
               AND booked > 0",
        )
        .bind(unit.0)
        .bind(group)
        .bind(slot.day.to_string())
        .bind(i64::from(slot.start_minute()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Whether a code is in use at the hall that day.
    pub async fn appointment_code_taken(
        &mut self,
        unit: UnitId,
        day: NaiveDate,
        code: &str,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM appointments WHERE unit_id = $1 AND day = $2 AND code = $3",
        )
        .bind(unit.0)
        .bind(day.to_string())
        .bind(code)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    pub async fn insert_appointment(&mut self, unit: UnitId, a: &Appointment) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO appointments (unit_id, group_code, day, start_minute, phone, code, state,
                data, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) RETURNING id",
        )
        .bind(unit.0)
        .bind(&a.group)
        .bind(a.slot.day.to_string())
        .bind(i64::from(a.slot.start_minute()))
        .bind(&a.phone)
        .bind(&a.code)
        .bind(a.state.as_str())
        .bind(to_json(a)?)
        .fetch_one(self.conn())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Writes a booking read at `expected_version`; zero rows is a conflict.
    pub async fn update_appointment(
        &mut self,
        id: i64,
        expected_version: u32,
        a: &Appointment,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE appointments SET state = $1, data = $2, version = version + 1
             WHERE id = $3 AND version = $4",
        )
        .bind(a.state.as_str())
        .bind(to_json(a)?)
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)
    }
}

impl Store {
    pub async fn appointment(&self, id: i64) -> Result<StoredAppointment> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("预约 appointment"))?;
        appointment_row(&row)
    }

    /// The booking with `code` at the hall on `day`.
    pub async fn appointment_by_code(
        &self,
        unit: UnitId,
        day: NaiveDate,
        code: &str,
    ) -> Result<Option<StoredAppointment>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE unit_id = $1 AND day = $2 AND code = $3"
        )))
        .bind(unit.0)
        .bind(day.to_string())
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(appointment_row).transpose()
    }

    /// The hall's bookings of a day, by slot.
    pub async fn appointments_of_day(
        &self,
        unit: UnitId,
        day: NaiveDate,
    ) -> Result<Vec<StoredAppointment>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLUMNS} WHERE unit_id = $1 AND day = $2 ORDER BY start_minute, id"
        )))
        .bind(unit.0)
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(appointment_row).collect()
    }

    /// A phone's bookings from `since` on, in slot order.
    pub async fn appointments_of_phone(
        &self,
        phone: &str,
        since: NaiveDate,
    ) -> Result<Vec<StoredAppointment>> {
        let rows = sqlx::query(PHONE_HISTORY)
            .bind(phone)
            .bind(since.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(appointment_row).collect()
    }

    /// How many are booked in each slot of a group from `from` on, by (day, start minute).
    pub async fn slot_bookings(
        &self,
        unit: UnitId,
        group: &str,
        from: NaiveDate,
    ) -> Result<HashMap<(NaiveDate, u32), u32>> {
        let rows = sqlx::query(
            "SELECT day, start_minute, booked FROM appointment_slots
             WHERE unit_id = $1 AND group_code = $2 AND day >= $3",
        )
        .bind(unit.0)
        .bind(group)
        .bind(from.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                let day = day
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("slot day {day}")))?;
                Ok((
                    (day, u32_column(r, "start_minute")?),
                    u32_column(r, "booked")?,
                ))
            })
            .collect()
    }
}
