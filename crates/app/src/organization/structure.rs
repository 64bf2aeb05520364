//! Keeping the organization's structure: units, departments and windows.
//!
//! Nothing is deleted: cases, tickets and the audit trail name these rows for years. A unit
//! or department keeps its code for life; a window that stops serving is closed (停用).

use liandong_domain::organization::{DepartmentId, Role, UnitId, UnitKind, WindowId, WindowKind};
use liandong_store::{AuditEntry, DepartmentRecord, NewUnit, NewWindow, UnitRecord, WindowRecord};
use serde::Deserialize;

use crate::{App, AppError, FieldError, Result, Session};

/// A new unit: a branch hall or township center under the hall, a village station under its
/// township.
#[derive(Debug, Clone, Deserialize)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<UnitId>,
    pub address: String,
    pub phone: String,
}

/// What may change on a unit; its code, kind and place in the tree stay.
#[derive(Debug, Clone, Deserialize)]
pub struct UnitChange {
    pub expected_version: i64,
    pub name: String,
    pub address: String,
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentInput {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub unit_id: UnitId,
    /// 统一社会信用代码, or empty.
    #[serde(default)]
    pub credit_code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepartmentChange {
    pub expected_version: i64,
    pub name: String,
    pub short_name: String,
    pub unit_id: UnitId,
    /// 统一社会信用代码, or empty.
    #[serde(default)]
    pub credit_code: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WindowInput {
    pub unit_id: UnitId,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    pub department_ids: Vec<DepartmentId>,
}

/// What may change on a window; it stays at its unit.
#[derive(Debug, Clone, Deserialize)]
pub struct WindowChange {
    pub expected_version: i64,
    pub number: String,
    pub name: String,
    pub kind: WindowKind,
    pub department_ids: Vec<DepartmentId>,
    pub active: bool,
}

impl App {
    /// Adds a unit. A unit administrator may add village stations under the townships they keep;
    /// everything else is the system administrator's.
    pub async fn create_unit(&self, session: &Session, input: &UnitInput) -> Result<UnitRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        let mut errors = Vec::new();
        check_code(&mut errors, "code", &input.code);
        check_name(&mut errors, "name", &input.name);
        check_phone(&mut errors, &input.phone);
        let parent = match input.parent_id {
            Some(id) => Some(self.store.unit(id).await?),
            None => None,
        };
        match &parent {
            Some(p) if !p.kind.may_contain(input.kind) => errors.push(FieldError::new(
                "parent_id",
                format!("{}下不能设{}", p.kind.name_zh(), input.kind.name_zh()),
                format!("a {} cannot hold a {}", p.kind, input.kind),
            )),
            None if input.kind != UnitKind::DistrictHall => errors.push(FieldError::new(
                "parent_id",
                "请选择上级单位",
                "choose the unit above",
            )),
            None if self
                .store
                .first_unit_of_kind(UnitKind::DistrictHall)
                .await?
                .is_some() =>
            {
                errors.push(FieldError::new(
                    "kind",
                    "本区已有行政审批服务大厅",
                    "the district already has its hall",
                ))
            }
            _ => {}
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        if !session.staff.roles.contains(&Role::SystemAdmin) {
            let keeps_parent = match input.parent_id {
                Some(p) => self.keeps(session, p).await?,
                None => false,
            };
            if input.kind != UnitKind::VillageStation || !keeps_parent {
                return Err(AppError::Forbidden(
                    "单位管理员只能在本镇街下设村居便民服务站 / a unit administrator adds village stations under their own township only".into(),
                ));
            }
        }
        let unit = NewUnit {
            code: input.code.trim().to_owned(),
            name: input.name.trim().to_owned(),
            kind: input.kind,
            parent_id: input.parent_id,
            address: input.address.trim().to_owned(),
            phone: input.phone.trim().to_owned(),
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_unit(&unit).await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "unit_created".into(),
            target: format!("unit:{}", unit.code),
            detail: format!("{} {}", unit.kind, unit.name),
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.unit(id).await?)
    }

    /// Changes a unit's name, address or phone; the system administrator's, or the unit
    /// administrator's for the units they keep.
    pub async fn change_unit(
        &self,
        session: &Session,
        id: UnitId,
        change: &UnitChange,
    ) -> Result<UnitRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        let current = self.store.unit(id).await?;
        if !session.staff.roles.contains(&Role::SystemAdmin) && !self.keeps(session, id).await? {
            return Err(AppError::Forbidden(
                "单位管理员只能修改本单位 / a unit administrator changes their own units only"
                    .into(),
            ));
        }
        let mut errors = Vec::new();
        check_name(&mut errors, "name", &change.name);
        check_phone(&mut errors, &change.phone);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let (name, address, phone) = (
            change.name.trim(),
            change.address.trim(),
            change.phone.trim(),
        );
        let detail = differences(&[
            ("name", &current.name, name),
            ("address", &current.address, address),
            ("phone", &current.phone, phone),
        ]);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.update_unit(id, change.expected_version, name, address, phone)
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "unit_changed".into(),
            target: format!("unit:{}", current.code),
            detail,
        })
        .await?;
        tx.commit().await?;
        Ok(self.store.unit(id).await?)
    }

    /// Adds a department with approval powers (the system administrator's).
    pub async fn create_department(
        &self,
        session: &Session,
        input: &DepartmentInput,
    ) -> Result<DepartmentRecord> {
        session.require(Role::SystemAdmin)?;
        let mut errors = Vec::new();
        check_code(&mut errors, "code", &input.code);
        check_name(&mut errors, "name", &input.name);
        check_short_name(&mut errors, &input.short_name);
        let credit_code = checked_credit_code(&mut errors, &input.credit_code);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        self.store.unit(input.unit_id).await?;
        let (code, name) = (input.code.trim(), input.name.trim());
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_department(
                code,
                name,
                input.short_name.trim(),
                input.unit_id,
                &credit_code,
            )
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "department_created".into(),
            target: format!("department:{code}"),
            detail: name.to_owned(),
        })
        .await?;
        tx.commit().await?;
        self.department(id).await
    }

    /// Renames a department or stations it in another unit (the system administrator's).
    pub async fn change_department(
        &self,
        session: &Session,
        id: DepartmentId,
        change: &DepartmentChange,
    ) -> Result<DepartmentRecord> {
        session.require(Role::SystemAdmin)?;
        let current = self.department(id).await?;
        let mut errors = Vec::new();
        check_name(&mut errors, "name", &change.name);
        check_short_name(&mut errors, &change.short_name);
        let credit_code = checked_credit_code(&mut errors, &change.credit_code);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        self.store.unit(change.unit_id).await?;
        let (name, short_name) = (change.name.trim(), change.short_name.trim());
        let detail = differences(&[
            ("name", &current.name, name),
            ("short_name", &current.short_name, short_name),
            ("credit_code", &current.credit_code, &credit_code),
            (
                "unit",
                &current.unit_id.to_string(),
                &change.unit_id.to_string(),
            ),
        ]);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.update_department(
            id,
            change.expected_version,
            name,
            short_name,
            change.unit_id,
            &credit_code,
        )
        .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "department_changed".into(),
            target: format!("department:{}", current.code),
            detail,
        })
        .await?;
        tx.commit().await?;
        self.department(id).await
    }

    /// Opens a window at a unit: the system administrator's, or the unit administrator's at the
    /// units they keep.
    pub async fn create_window(
        &self,
        session: &Session,
        input: &WindowInput,
    ) -> Result<WindowRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        let unit = self.store.unit(input.unit_id).await?;
        self.check_keeps_windows_of(session, unit.id).await?;
        let window = self
            .checked_window(
                unit.id,
                &input.number,
                &input.name,
                input.kind,
                &input.department_ids,
            )
            .await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_window(&window).await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "window_created".into(),
            target: format!("window:{}:{}", unit.code, window.number),
            detail: format!("{} {}", window.kind, window.name),
        })
        .await?;
        tx.commit().await?;
        self.window(id).await
    }

    /// Changes a window, or closes or reopens it.
    pub async fn change_window(
        &self,
        session: &Session,
        id: WindowId,
        change: &WindowChange,
    ) -> Result<WindowRecord> {
        session.require_any(&[Role::SystemAdmin, Role::UnitAdmin])?;
        let current = self.window(id).await?;
        self.check_keeps_windows_of(session, current.unit_id)
            .await?;
        let window = self
            .checked_window(
                current.unit_id,
                &change.number,
                &change.name,
                change.kind,
                &change.department_ids,
            )
            .await?;
        let unit = self.store.unit(current.unit_id).await?;
        let mut detail = differences(&[
            ("number", &current.number, &window.number),
            ("name", &current.name, &window.name),
            ("kind", current.kind.as_str(), window.kind.as_str()),
            (
                "departments",
                &ids_list(&current.department_ids),
                &ids_list(&window.department_ids),
            ),
        ]);
        if current.active != change.active {
            if !detail.is_empty() {
                detail.push_str("; ");
            }
            detail.push_str(if change.active { "reopened" } else { "closed" });
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.update_window(id, change.expected_version, &window, change.active)
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "window_changed".into(),
            target: format!("window:{}:{}", unit.code, current.number),
            detail,
        })
        .await?;
        tx.commit().await?;
        self.window(id).await
    }

    pub async fn department(&self, id: DepartmentId) -> Result<DepartmentRecord> {
        self.store
            .departments()
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(AppError::NotFound("部门 department"))
    }

    pub async fn window(&self, id: WindowId) -> Result<WindowRecord> {
        self.store
            .windows(None)
            .await?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or(AppError::NotFound("窗口 window"))
    }

    /// Whether `unit` is in the session's own subtree.
    pub(crate) async fn keeps(&self, session: &Session, unit: UnitId) -> Result<bool> {
        Ok(self
            .store
            .unit_subtree(session.staff.unit_id)
            .await?
            .contains(&unit))
    }

    async fn check_keeps_windows_of(&self, session: &Session, unit: UnitId) -> Result<()> {
        if session.staff.roles.contains(&Role::SystemAdmin) || self.keeps(session, unit).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "单位管理员只能管理本单位的窗口 / a unit administrator keeps their own units' windows only".into(),
            ))
        }
    }

    /// A window as entered, checked: an independent window serves exactly one department, a
    /// comprehensive window at least one; every department named exists.
    async fn checked_window(
        &self,
        unit_id: UnitId,
        number: &str,
        name: &str,
        kind: WindowKind,
        department_ids: &[DepartmentId],
    ) -> Result<NewWindow> {
        let mut errors = Vec::new();
        let number = number.trim();
        if number.is_empty() || number.chars().count() > 16 {
            errors.push(FieldError::new(
                "number",
                "窗口号为1至16个字符",
                "the window number is 1 to 16 characters",
            ));
        }
        check_name(&mut errors, "name", name);
        let mut departments = department_ids.to_vec();
        departments.sort();
        departments.dedup();
        let needed = match kind {
            WindowKind::Independent if departments.len() != 1 => Some((
                "独立窗口只服务一个部门",
                "an independent window serves one department",
            )),
            WindowKind::Comprehensive if departments.is_empty() => Some((
                "综合窗口至少服务一个部门",
                "a comprehensive window serves at least one department",
            )),
            _ => None,
        };
        if let Some((zh, en)) = needed {
            errors.push(FieldError::new("department_ids", zh, en));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let known = self.store.departments().await?;
        if departments
            .iter()
            .any(|d| !known.iter().any(|k| k.id == *d))
        {
            return Err(AppError::NotFound("部门 department"));
        }
        Ok(NewWindow {
            unit_id,
            number: number.to_owned(),
            name: name.trim().to_owned(),
            kind,
            department_ids: departments,
        })
    }
}

fn check_code(errors: &mut Vec<FieldError>, field: &str, code: &str) {
    let code = code.trim();
    if code.is_empty()
        || code.len() > 32
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(FieldError::new(
            field,
            "编码为1至32位字母、数字或-",
            "the code is 1 to 32 letters, digits or -",
        ));
    }
}

fn check_name(errors: &mut Vec<FieldError>, field: &str, name: &str) {
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        errors.push(FieldError::new(
            field,
            "名称为1至100个字",
            "the name is 1 to 100 characters",
        ));
    }
}

/// A department's credit code, checked (GB 32100-2015) unless left empty.
fn checked_credit_code(errors: &mut Vec<FieldError>, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    match liandong_domain::ids::CreditCode::parse(text) {
        Ok(code) => code.as_str().to_owned(),
        Err(e) => {
            errors.push(FieldError::from_bilingual("credit_code", &e));
            String::new()
        }
    }
}

fn check_short_name(errors: &mut Vec<FieldError>, short_name: &str) {
    if short_name.trim().chars().count() > 20 {
        errors.push(FieldError::new(
            "short_name",
            "简称不超过20个字",
            "the short name is at most 20 characters",
        ));
    }
}

/// A phone number of the unit: empty, or digits with - between groups (e.g. 023-67821234).
fn check_phone(errors: &mut Vec<FieldError>, phone: &str) {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty()
        && (!(7..=20).contains(&digits)
            || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
            || phone.starts_with('-')
            || phone.ends_with('-'))
    {
        errors.push(FieldError::new(
            "phone",
            "电话为7至20位数字，可用-分隔",
            "the phone is 7 to 20 digits, groups separated by -",
        ));
    }
}

/// "field old -> new" for every field that changed, for the audit trail.
fn differences(fields: &[(&str, &str, &str)]) -> String {
    fields
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| format!("{field} {old} -> {new}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn ids_list(ids: &[DepartmentId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(f: impl FnOnce(&mut Vec<FieldError>)) -> Vec<String> {
        let mut errors = Vec::new();
        f(&mut errors);
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn codes_are_short_ascii_words() {
        assert!(errors_of(|e| check_code(e, "code", "20103")).is_empty());
        assert!(errors_of(|e| check_code(e, "code", " D-12 ")).is_empty());
        for bad in ["", "  ", "二〇一", "a b", &"9".repeat(33)] {
            assert_eq!(errors_of(|e| check_code(e, "code", bad)), ["code"], "{bad}");
        }
    }

    #[test]
    fn phones_are_digits_in_groups_or_nothing() {
        for good in ["", "023-67821234", "13800138000", "1234567"] {
            assert!(errors_of(|e| check_phone(e, good)).is_empty(), "{good}");
        }
        for bad in ["123456", "023 6782", "-0236782123", "0236782123-", "电话"] {
            assert_eq!(errors_of(|e| check_phone(e, bad)), ["phone"], "{bad}");
        }
    }

    #[test]
    fn names_have_one_to_a_hundred_characters() {
        assert!(errors_of(|e| check_name(e, "name", "龙溪街道便民服务中心")).is_empty());
        assert_eq!(errors_of(|e| check_name(e, "name", " ")), ["name"]);
        assert_eq!(
            errors_of(|e| check_name(e, "name", &"村".repeat(101))),
            ["name"]
        );
    }

    #[test]
    fn the_audit_detail_names_only_what_changed() {
        assert_eq!(
            differences(&[("name", "甲", "乙"), ("phone", "1", "1")]),
            "name 甲 -> 乙"
        );
        assert_eq!(differences(&[("name", "甲", "甲")]), "");
    }
}
