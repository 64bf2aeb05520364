//! Service items and their dated versions.

use chrono::NaiveDate;
use liandong_domain::catalog::{ItemChange, ItemCode, ItemVersion, ServiceItem, in_force_on};
use liandong_domain::organization::{DepartmentId, ItemId, StaffId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, WriteTx, json_column, parse_column, to_json};

/// An item as the catalog keeps it now: its newest recorded version.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRecord {
    pub id: ItemId,
    pub department_id: DepartmentId,
    pub current_version: u32,
    pub cancelled: bool,
    pub item: ServiceItem,
}

/// A new version to record.
#[derive(Debug, Clone)]
pub struct NewItemVersion {
    pub effective_from: NaiveDate,
    pub change: ItemChange,
    pub recorded_by: Option<StaffId>,
}

fn item_row(row: &AnyRow) -> Result<ItemRecord> {
    Ok(ItemRecord {
        id: ItemId(row.try_get("id")?),
        department_id: DepartmentId(row.try_get("department_id")?),
        current_version: u32::try_from(row.try_get::<i64, _>("current_version")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        cancelled: row.try_get::<i64, _>("cancelled")? != 0,
        item: json_column(row, "definition")?,
    })
}

fn version_row(row: &AnyRow) -> Result<ItemVersion> {
    Ok(ItemVersion {
        code: parse_column::<String>(row, "code")
            .and_then(|c| ItemCode::parse(&c).map_err(|e| StoreError::Corrupt(e.to_string())))?,
        version: u32::try_from(row.try_get::<i64, _>("version")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        effective_from: parse_column(row, "effective_from")?,
        change: json_column(row, "change")?,
    })
}

const ITEM_COLUMNS: &str =
    "SELECT id, department_id, current_version, cancelled, definition FROM service_items";
const VERSION_COLUMNS: &str = "SELECT i.code, v.version, v.effective_from, v.change
     FROM service_item_versions v JOIN service_items i ON i.id = v.item_id";

impl WriteTx {
    /// Records a new version of the item `code`, creating the item on its first version.
    /// `expected_version` is the version the editor saw (None for a new item): a stale one is
    /// a conflict. A cancellation keeps the last definition as the item's snapshot.
    pub async fn record_item_version(
        &mut self,
        code: &ItemCode,
        department_id: DepartmentId,
        expected_version: Option<u32>,
        version: &NewItemVersion,
        now_ms: i64,
    ) -> Result<(ItemId, u32)> {
        let existing = sqlx::query(
            "SELECT id, current_version, definition FROM service_items WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(self.conn())
        .await?;
        let (id, number) = match (existing, expected_version) {
            (None, None) => {
                let ItemChange::Defined { item } = &version.change else {
                    return Err(StoreError::NotFound("事项 service item"));
                };
                let row = sqlx::query(
                    "INSERT INTO service_items (code, name, department_id, level, on_the_spot, cancelled, current_version, definition)
                     VALUES ($1, $2, $3, $4, $5, 0, 1, $6) RETURNING id",
                )
                .bind(code.as_str())
                .bind(&item.name)
                .bind(department_id.0)
                .bind(item.level.as_str())
                .bind(i64::from(item.on_the_spot))
                .bind(to_json(item)?)
                .fetch_one(self.conn())
                .await
                .map_err(StoreError::unique(format!("事项编码 item code {code}")))?;
                (ItemId(row.try_get("id")?), 1)
            }
            (None, Some(_)) => return Err(StoreError::NotFound("事项 service item")),
            (Some(_), None) => {
                return Err(StoreError::Duplicate(format!("事项编码 item code {code}")));
            }
            (Some(row), Some(expected)) => {
                let id = ItemId(row.try_get("id")?);
                let next = expected + 1;
                let updated = match &version.change {
                    ItemChange::Defined { item } => {
                        sqlx::query(
                            "UPDATE service_items SET name = $1, department_id = $2, level = $3, on_the_spot = $4,
                             cancelled = 0, current_version = $5, definition = $6
                             WHERE id = $7 AND current_version = $8",
                        )
                        .bind(&item.name)
                        .bind(department_id.0)
                        .bind(item.level.as_str())
                        .bind(i64::from(item.on_the_spot))
                        .bind(i64::from(next))
                        .bind(to_json(item)?)
                        .bind(id.0)
                        .bind(i64::from(expected))
                        .execute(self.conn())
                        .await?
                    }
                    ItemChange::Cancelled { .. } => {
                        sqlx::query(
                            "UPDATE service_items SET cancelled = 1, current_version = $1
                             WHERE id = $2 AND current_version = $3",
                        )
                        .bind(i64::from(next))
                        .bind(id.0)
                        .bind(i64::from(expected))
                        .execute(self.conn())
                        .await?
                    }
                };
                if updated.rows_affected() == 0 {
                    return Err(StoreError::Conflict {
                        expected: i64::from(expected),
                    });
                }
                (id, next)
            }
        };
        sqlx::query(
            "INSERT INTO service_item_versions (item_id, version, effective_from, change, recorded_at, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.0)
        .bind(i64::from(number))
        .bind(version.effective_from.to_string())
        .bind(to_json(&version.change)?)
        .bind(now_ms)
        .bind(version.recorded_by.map(|s| s.0))
        .execute(self.conn())
        .await?;
        Ok((id, number))
    }
}

impl Store {
    /// Items, optionally of one department, matching `search` in code or name.
    pub async fn items(
        &self,
        department: Option<DepartmentId>,
        search: Option<&str>,
    ) -> Result<Vec<ItemRecord>> {
        let pattern = search.map(|s| format!("%{}%", s.trim()));
        let sql = format!(
            "{ITEM_COLUMNS} WHERE ($1 IS NULL OR department_id = $1)
             AND ($2 IS NULL OR code LIKE $2 OR name LIKE $2) ORDER BY code"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(department.map(|d| d.0))
            .bind(pattern)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item_row).collect()
    }

    pub async fn item(&self, id: ItemId) -> Result<ItemRecord> {
        let sql = format!("{ITEM_COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("事项 service item"))?;
        item_row(&row)
    }

    pub async fn item_by_code(&self, code: &ItemCode) -> Result<ItemRecord> {
        let sql = format!("{ITEM_COLUMNS} WHERE code = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("事项 service item"))?;
        item_row(&row)
    }

    /// Every recorded version of one item, oldest first.
    pub async fn item_versions(&self, id: ItemId) -> Result<Vec<ItemVersion>> {
        let sql = format!("{VERSION_COLUMNS} WHERE v.item_id = $1 ORDER BY v.version");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_row).collect()
    }

    /// Every version of every item, for the reform report and export.
    pub async fn all_item_versions(&self) -> Result<Vec<ItemVersion>> {
        let sql = format!("{VERSION_COLUMNS} ORDER BY i.code, v.version");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_row).collect()
    }

    /// The definition a case uses: the item as in force on `date`.
    pub async fn item_in_force(
        &self,
        id: ItemId,
        date: NaiveDate,
    ) -> Result<Option<(u32, ServiceItem)>> {
        let versions = self.item_versions(id).await?;
        let Some(item) = in_force_on(&versions, date).into_values().next() else {
            return Ok(None);
        };
        let number = versions
            .iter()
            .filter(|v| v.effective_from <= date)
            .max_by_key(|v| (v.effective_from, v.version))
            .map_or(1, |v| v.version);
        Ok(Some((number, item)))
    }

    /// One recorded version's definition (a cancellation has none).
    pub async fn item_version(&self, id: ItemId, version: u32) -> Result<ServiceItem> {
        let row = sqlx::query(
            "SELECT change FROM service_item_versions WHERE item_id = $1 AND version = $2",
        )
        .bind(id.0)
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("事项版本 item version"))?;
        match json_column::<ItemChange>(&row, "change")? {
            ItemChange::Defined { item } => Ok(*item),
            ItemChange::Cancelled { .. } => Err(StoreError::NotFound("事项版本 item version")),
        }
    }
}
