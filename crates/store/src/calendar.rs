//! Holiday notices loaded by administrators, on top of the ones the binary ships.

use liandong_domain::calendar::HolidayNotice;
use sqlx::Row;

use crate::{Result, Store, StoreError, WriteTx};

impl WriteTx {
    /// Stores (or replaces) a year's notice.
    pub async fn save_holiday_notice(&mut self, notice: &HolidayNotice, now_ms: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO holiday_notices (year, notice, loaded_at) VALUES ($1, $2, $3)
             ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, loaded_at = excluded.loaded_at",
        )
        .bind(i64::from(notice.year))
        .bind(notice.to_toml())
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Every notice loaded into this database.
    pub async fn holiday_notices(&self) -> Result<Vec<HolidayNotice>> {
        let rows = sqlx::query("SELECT notice FROM holiday_notices ORDER BY year")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("notice")?;
                HolidayNotice::from_toml(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }
}
