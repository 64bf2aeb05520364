//! Units, departments, windows and staff.

use liandong_domain::organization::{
    Actor, DepartmentId, Role, StaffId, UnitId, UnitKind, WindowId, WindowKind,
};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, WriteTx, parse_column, updated_at_version};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRecord {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub address: String,
    pub phone: String,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub address: String,
    pub phone: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRecord {
    pub id: DepartmentId,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub unit_id: UnitId,
    /// Unified social credit code (统一社会信用代码), carried by the identifiers of the
    /// certificates it issues; empty until entered.
    pub credit_code: String,
    pub version: i64,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowRecord {
    pub id: WindowId,
    pub unit_id: UnitId,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    pub department_ids: Vec<DepartmentId>,
    /// False once the window is closed (停用): kept for the history that names it.
    pub active: bool,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewWindow {
    pub unit_id: UnitId,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    pub department_ids: Vec<DepartmentId>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub version: i64,
    /// A work mobile for the supervision's SMS; empty when none.
    pub phone: String,
    #[serde(skip)]
    pub password_hash: String,
}

impl StaffRecord {
    pub fn actor(&self) -> Actor {
        Actor {
            staff_id: self.id,
            unit_id: self.unit_id,
            department_id: self.department_id,
            roles: self.roles.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub password_hash: String,
    /// A work mobile, or empty.
    pub phone: String,
}

fn unit_row(row: &AnyRow) -> Result<UnitRecord> {
    Ok(UnitRecord {
        id: UnitId(row.try_get("id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: parse_column(row, "kind")?,
        parent_id: row.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        version: row.try_get("version")?,
    })
}

fn department_row(row: &AnyRow) -> Result<DepartmentRecord> {
    Ok(DepartmentRecord {
        id: DepartmentId(row.try_get("id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        credit_code: row.try_get("credit_code")?,
        version: row.try_get("version")?,
    })
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn staff_row(row: &AnyRow) -> Result<StaffRecord> {
    let roles: String = row.try_get("roles")?;
    let roles = roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<Role>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(StaffRecord {
        id: StaffId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        roles,
        active: row.try_get::<i64, _>("active")? != 0,
        version: row.try_get("version")?,
        phone: row.try_get("phone")?,
        password_hash: row.try_get("password_hash")?,
    })
}

const UNIT_COLUMNS: &str =
    "SELECT id, code, name, kind, parent_id, address, phone, version FROM units";

const STAFF_COLUMNS: &str = "SELECT id, username, display_name, unit_id, department_id, roles, active, version, phone, password_hash FROM staff";

impl WriteTx {
    pub async fn insert_unit(&mut self, unit: &NewUnit) -> Result<UnitId> {
        let row = sqlx::query(
            "INSERT INTO units (code, name, kind, parent_id, address, phone)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&unit.code)
        .bind(&unit.name)
        .bind(unit.kind.as_str())
        .bind(unit.parent_id.map(|p| p.0))
        .bind(&unit.address)
        .bind(&unit.phone)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!(
            "单位编码 unit code {}",
            unit.code
        )))?;
        Ok(UnitId(row.try_get("id")?))
    }

    pub async fn insert_department(
        &mut self,
        code: &str,
        name: &str,
        short_name: &str,
        unit_id: UnitId,
        credit_code: &str,
    ) -> Result<DepartmentId> {
        let row = sqlx::query(
            "INSERT INTO departments (code, name, short_name, unit_id, credit_code) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(code)
        .bind(name)
        .bind(short_name)
        .bind(unit_id.0)
        .bind(credit_code)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!("部门编码 department code {code}")))?;
        Ok(DepartmentId(row.try_get("id")?))
    }

    pub async fn insert_window(&mut self, window: &NewWindow) -> Result<WindowId> {
        let row = sqlx::query(
            "INSERT INTO windows (unit_id, number, name, kind) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(window.unit_id.0)
        .bind(&window.number)
        .bind(&window.name)
        .bind(window.kind.as_str())
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!("窗口号 window {}", window.number)))?;
        let id = WindowId(row.try_get("id")?);
        self.link_window(id, &window.department_ids).await?;
        Ok(id)
    }

    async fn link_window(&mut self, id: WindowId, departments: &[DepartmentId]) -> Result<()> {
        for department in departments {
            sqlx::query(
                "INSERT INTO window_departments (window_id, department_id) VALUES ($1, $2)",
            )
            .bind(id.0)
            .bind(department.0)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Changes a unit's name, address and phone, if nobody changed it since `version`.
    pub async fn update_unit(
        &mut self,
        id: UnitId,
        version: i64,
        name: &str,
        address: &str,
        phone: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE units SET name = $1, address = $2, phone = $3, version = version + 1
             WHERE id = $4 AND version = $5",
        )
        .bind(name)
        .bind(address)
        .bind(phone)
        .bind(id.0)
        .bind(version)
        .execute(self.conn())
        .await?;
        updated_at_version(&done, version)
    }

    /// Renames a department or stations it in another unit, if nobody changed it since `version`.
    pub async fn update_department(
        &mut self,
        id: DepartmentId,
        version: i64,
        name: &str,
        short_name: &str,
        unit_id: UnitId,
        credit_code: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE departments SET name = $1, short_name = $2, unit_id = $3, credit_code = $6,
                version = version + 1
             WHERE id = $4 AND version = $5",
        )
        .bind(name)
        .bind(short_name)
        .bind(unit_id.0)
        .bind(id.0)
        .bind(version)
        .bind(credit_code)
        .execute(self.conn())
        .await?;
        updated_at_version(&done, version)
    }

    /// Changes a window's number, name, kind, departments served and whether it is open, if
    /// nobody changed it since `version`.
    pub async fn update_window(
        &mut self,
        id: WindowId,
        version: i64,
        change: &NewWindow,
        active: bool,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE windows SET number = $1, name = $2, kind = $3, active = $4, version = version + 1
             WHERE id = $5 AND version = $6",
        )
        .bind(&change.number)
        .bind(&change.name)
        .bind(change.kind.as_str())
        .bind(i64::from(active))
        .bind(id.0)
        .bind(version)
        .execute(self.conn())
        .await
        .map_err(StoreError::unique(format!("窗口号 window {}", change.number)))?;
        updated_at_version(&done, version)?;
        sqlx::query("DELETE FROM window_departments WHERE window_id = $1")
            .bind(id.0)
            .execute(self.conn())
            .await?;
        self.link_window(id, &change.department_ids).await
    }

    pub async fn insert_staff(&mut self, staff: &NewStaff, now_ms: i64) -> Result<StaffId> {
        let row = sqlx::query(
            "INSERT INTO staff (username, display_name, unit_id, department_id, roles, password_hash, active, version, created_at, phone)
             VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $8) RETURNING id",
        )
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(staff.unit_id.0)
        .bind(staff.department_id.map(|d| d.0))
        .bind(roles_text(&staff.roles))
        .bind(&staff.password_hash)
        .bind(now_ms)
        .bind(&staff.phone)
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(format!("用户名 username {}", staff.username)))?;
        Ok(StaffId(row.try_get("id")?))
    }

    /// Changes a member of staff's roles and active flag, if nobody changed them since `version`.
    /// Changes an account's roles, active flag and, when given, password hash, if nobody
    /// changed the account since `version`.
    pub async fn update_staff(
        &mut self,
        id: StaffId,
        version: i64,
        roles: &[Role],
        active: bool,
        password_hash: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE staff SET roles = $1, active = $2, password_hash = COALESCE($3, password_hash),
             phone = COALESCE($6, phone), version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(roles_text(roles))
        .bind(i64::from(active))
        .bind(password_hash)
        .bind(id.0)
        .bind(version)
        .bind(phone)
        .execute(self.conn())
        .await?;
        updated_at_version(&done, version)
    }

    /// Ends every sign-in of an account (after a role change, a lock or a new password).
    pub async fn revoke_tokens_of(&mut self, staff: StaffId) -> Result<()> {
        sqlx::query("UPDATE staff_tokens SET revoked = 1 WHERE staff_id = $1")
            .bind(staff.0)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    pub async fn units(&self) -> Result<Vec<UnitRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{UNIT_COLUMNS} ORDER BY code")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(unit_row).collect()
    }

    pub async fn unit(&self, id: UnitId) -> Result<UnitRecord> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{UNIT_COLUMNS} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("单位 unit"))?;
        unit_row(&row)
    }

    /// The unit with `code`, if any.
    pub async fn unit_by_code(&self, code: &str) -> Result<Option<UnitRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{UNIT_COLUMNS} WHERE code = $1"
        )))
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(unit_row).transpose()
    }

    /// The first unit of `kind` (the district has one hall).
    pub async fn first_unit_of_kind(&self, kind: UnitKind) -> Result<Option<UnitRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{UNIT_COLUMNS} WHERE kind = $1 ORDER BY id LIMIT 1"
        )))
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(unit_row).transpose()
    }

    /// The unit and every unit below it.
    pub async fn unit_subtree(&self, root: UnitId) -> Result<Vec<UnitId>> {
        let rows = sqlx::query("SELECT id, parent_id FROM units")
            .fetch_all(&self.pool)
            .await?;
        let links: Vec<(i64, Option<i64>)> = rows
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?)))
            .collect::<Result<_>>()?;
        let mut out = vec![root];
        let mut i = 0;
        while let Some(parent) = out.get(i).copied() {
            out.extend(
                links
                    .iter()
                    .filter(|(_, p)| *p == Some(parent.0))
                    .map(|(id, _)| UnitId(*id)),
            );
            i += 1;
        }
        Ok(out)
    }

    pub async fn departments(&self) -> Result<Vec<DepartmentRecord>> {
        let rows = sqlx::query(
            "SELECT id, code, name, short_name, unit_id, credit_code, version FROM departments ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(department_row).collect()
    }

    pub async fn windows(&self, unit: Option<UnitId>) -> Result<Vec<WindowRecord>> {
        let rows = sqlx::query(
            "SELECT id, unit_id, number, name, kind, active, version FROM windows
             WHERE $1 IS NULL OR unit_id = $1 ORDER BY unit_id, number",
        )
        .bind(unit.map(|u| u.0))
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query("SELECT window_id, department_id FROM window_departments")
            .fetch_all(&self.pool)
            .await?;
        let links: Vec<(i64, i64)> = links
            .iter()
            .map(|r| Ok((r.try_get("window_id")?, r.try_get("department_id")?)))
            .collect::<Result<_>>()?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                Ok(WindowRecord {
                    id: WindowId(id),
                    unit_id: UnitId(row.try_get("unit_id")?),
                    number: row.try_get("number")?,
                    name: row.try_get("name")?,
                    kind: parse_column(row, "kind")?,
                    department_ids: links
                        .iter()
                        .filter(|(w, _)| *w == id)
                        .map(|(_, d)| DepartmentId(*d))
                        .collect(),
                    active: row.try_get::<i64, _>("active")? != 0,
                    version: row.try_get("version")?,
                })
            })
            .collect()
    }

    pub async fn staff(&self, unit: Option<UnitId>) -> Result<Vec<StaffRecord>> {
        let sql = format!("{STAFF_COLUMNS} WHERE $1 IS NULL OR unit_id = $1 ORDER BY username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(unit.map(|u| u.0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(staff_row).collect()
    }

    /// Active staff of `department` at `unit` holding any of `roles`: whom a warning about
    /// that department's case at that unit goes to.
    pub async fn staff_of(
        &self,
        department: DepartmentId,
        unit: UnitId,
        roles: &[Role],
    ) -> Result<Vec<StaffRecord>> {
        let sql = format!(
            "{STAFF_COLUMNS} WHERE department_id = $1 AND unit_id = $2 AND active = 1 ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(department.0)
            .bind(unit.0)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(staff_row)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|s| s.roles.iter().any(|r| roles.contains(r)))
            .collect())
    }

    pub async fn staff_by_id(&self, id: StaffId) -> Result<StaffRecord> {
        let sql = format!("{STAFF_COLUMNS} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("工作人员 staff"))?;
        staff_row(&row)
    }

    pub async fn staff_by_username(&self, username: &str) -> Result<Option<StaffRecord>> {
        let sql = format!("{STAFF_COLUMNS} WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(staff_row).transpose()
    }

    /// Records a sign-in token (only its hash is kept).
    pub async fn insert_token(
        &self,
        token_hash: &str,
        staff: StaffId,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO staff_tokens (token_hash, staff_id, created_at, expires_at, revoked) VALUES ($1, $2, $3, $4, 0)")
            .bind(token_hash)
            .bind(staff.0)
            .bind(now_ms)
            .bind(expires_ms)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The active member of staff holding an unexpired, unrevoked token.
    pub async fn staff_for_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<StaffRecord>> {
        let sql = format!(
            "{STAFF_COLUMNS} WHERE active = 1 AND id = (SELECT staff_id FROM staff_tokens
             WHERE token_hash = $1 AND revoked = 0 AND expires_at > $2)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(staff_row).transpose()
    }

    pub async fn revoke_token(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE staff_tokens SET revoked = 1 WHERE token_hash = $1")
            .bind(token_hash)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }
}
