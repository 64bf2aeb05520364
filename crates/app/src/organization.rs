//! Reading and keeping the organization.

use liandong_domain::organization::{DepartmentId, Role, StaffId, UnitId};
use liandong_store::{
    AuditEntry, DepartmentRecord, NewStaff, StaffRecord, UnitRecord, WindowRecord,
};
use serde::Deserialize;

use crate::auth::hash_password;
use crate::{App, AppError, Result, Session};

mod structure;
pub use structure::{
    DepartmentChange, DepartmentInput, UnitChange, UnitInput, WindowChange, WindowInput,
};

/// A change to a staff account: roles, whether it may sign in, and optionally a new password.
#[derive(Debug, Clone, Deserialize)]
pub struct StaffChange {
    /// The account's version when it was read.
    pub expected_version: i64,
    pub roles: Vec<Role>,
    pub active: bool,
    pub new_password: Option<String>,
    /// A new work mobile (empty clears it); none leaves it as it is.
    pub phone: Option<String>,
}

/// A new staff account, as an administrator enters it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub department_id: Option<DepartmentId>,
    pub roles: Vec<Role>,
    pub password: String,
    /// A work mobile for the supervision's SMS, or empty.
    #[serde(default)]
    pub phone: String,
}

impl App {
    pub async fn units(&self) -> Result<Vec<UnitRecord>> {
        Ok(self.store.units().await?)
    }

    pub async fn departments(&self) -> Result<Vec<DepartmentRecord>> {
        Ok(self.store.departments().await?)
    }

    pub async fn windows(&self, unit: Option<UnitId>) -> Result<Vec<WindowRecord>> {
        Ok(self.store.windows(unit).await?)
    }

    /// Staff of a unit; administrators see staff of the units they keep.
    pub async fn staff_list(
        &self,
        session: &Session,
        unit: Option<UnitId>,
    ) -> Result<Vec<StaffRecord>> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin, Role::Supervisor])?;
        let all = self.store.staff(unit).await?;
        Ok(all
            .into_iter()
            .filter(|s| session.visibility == liandong_domain::organization::Visibility::All || {
                matches!(&session.visibility, liandong_domain::organization::Visibility::Limited { units, .. } if units.contains(&s.unit_id))
            })
            .collect())
    }

    /// Creates a staff account. A unit administrator may create accounts in the units they keep,
    /// without the supervisor and system administrator roles.
    pub async fn create_staff(&self, session: &Session, input: &StaffInput) -> Result<StaffRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        self.check_keeps(session, input.unit_id, &input.roles)
            .await?;
        let mut errors = Vec::new();
        let username = input.username.trim();
        if username.len() < 3
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            errors.push(crate::FieldError::new(
                "username",
                "用户名应为3至64位字母、数字或._-",
                "username is 3 to 64 letters, digits or ._-",
            ));
        }
        if input.display_name.trim().is_empty() {
            errors.push(crate::FieldError::new(
                "display_name",
                "姓名不能为空",
                "the name is required",
            ));
        }
        if input.password.chars().count() < 8 {
            errors.push(crate::FieldError::new(
                "password",
                "密码至少8位",
                "the password has at least 8 characters",
            ));
        }
        if input.roles.is_empty() {
            errors.push(crate::FieldError::new(
                "roles",
                "至少选择一个角色",
                "choose at least one role",
            ));
        }
        check_mobile(&mut errors, &input.phone);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        self.store.unit(input.unit_id).await?;
        self.known_department(input.department_id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_staff(
                &NewStaff {
                    username: username.to_owned(),
                    display_name: input.display_name.trim().to_owned(),
                    unit_id: input.unit_id,
                    department_id: input.department_id,
                    roles: input.roles.clone(),
                    password_hash: hash_password(&input.password)?,
                    phone: input.phone.trim().to_owned(),
                },
                now.timestamp_millis(),
            )
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "staff_created".into(),
            target: format!("staff:{username}"),
            detail: roles_list(&input.roles),
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.staff_by_id(id).await?)
    }

    /// A department named by a form must exist.
    pub(crate) async fn known_department(&self, department: Option<DepartmentId>) -> Result<()> {
        match department {
            Some(d) if !self.store.departments().await?.iter().any(|r| r.id == d) => {
                Err(AppError::NotFound("部门 department"))
            }
            _ => Ok(()),
        }
    }

    /// Changes an account; every change ends the account's sign-ins and is audited. A unit
    /// administrator may change accounts of the units they keep, never to or from the
    /// district-wide roles, and never their own.
    pub async fn change_staff(
        &self,
        session: &Session,
        id: StaffId,
        change: &StaffChange,
    ) -> Result<StaffRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        let current = self.store.staff_by_id(id).await?;
        self.check_keeps(session, current.unit_id, &change.roles)
            .await?;
        if current.roles.iter().any(|r| r.sees_everything()) {
            session.require(Role::SystemAdmin)?;
        }
        if id == session.staff.id
            && !change.roles.contains(&Role::SystemAdmin)
            && current.roles.contains(&Role::SystemAdmin)
        {
            return Err(AppError::Forbidden("不能撤销自己的系统管理员角色 / you cannot remove your own system administrator role".into()));
        }
        let mut errors = Vec::new();
        if change.roles.is_empty() {
            errors.push(crate::FieldError::new(
                "roles",
                "至少选择一个角色",
                "choose at least one role",
            ));
        }
        if change
            .new_password
            .as_ref()
            .is_some_and(|p| p.chars().count() < 8)
        {
            errors.push(crate::FieldError::new(
                "new_password",
                "密码至少8位",
                "the password has at least 8 characters",
            ));
        }
        if let Some(phone) = &change.phone {
            check_mobile(&mut errors, phone);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let hash = change
            .new_password
            .as_deref()
            .map(hash_password)
            .transpose()?;
        let now = self.now();
        let mut what = Vec::new();
        if current.roles != change.roles {
            what.push(format!(
                "roles {} -> {}",
                roles_list(&current.roles),
                roles_list(&change.roles)
            ));
        }
        if current.active != change.active {
            what.push(if change.active {
                "enabled".to_owned()
            } else {
                "disabled".to_owned()
            });
        }
        if hash.is_some() {
            what.push("password reset".to_owned());
        }
        let phone = change.phone.as_deref().map(str::trim);
        if phone.is_some_and(|p| p != current.phone) {
            what.push("phone changed".to_owned());
        }
        let mut tx = self.store.begin().await?;
        tx.update_staff(
            id,
            change.expected_version,
            &change.roles,
            change.active,
            hash.as_deref(),
            phone,
        )
        .await?;
        tx.revoke_tokens_of(id).await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "staff_changed".into(),
            target: format!("staff:{}", current.username),
            detail: what.join("; "),
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.staff_by_id(id).await?)
    }

    /// Whether the session may manage accounts of `unit` with `roles`.
    async fn check_keeps(&self, session: &Session, unit: UnitId, roles: &[Role]) -> Result<()> {
        if session.staff.roles.contains(&Role::SystemAdmin) {
            return Ok(());
        }
        if !self.keeps(session, unit).await? || roles.iter().any(|r| r.sees_everything()) {
            return Err(AppError::Forbidden(
                "单位管理员只能管理本单位的业务账号 / a unit administrator manages working accounts of their own units only".into(),
            ));
        }
        Ok(())
    }
}

/// A work mobile: empty, or a mainland mobile number that can receive SMS.
fn check_mobile(errors: &mut Vec<crate::FieldError>, phone: &str) {
    let phone = phone.trim();
    if !phone.is_empty() && !liandong_domain::notify::is_mobile(phone) {
        errors.push(crate::FieldError::new(
            "phone",
            "手机号码应为11位数字，以1开头",
            "a mobile number has 11 digits and starts with 1",
        ));
    }
}

fn roles_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}
