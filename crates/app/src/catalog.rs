//! Catalog use cases: the public service guide, dated versions, the reform report, and
//! import/export.

use chrono::NaiveDate;
use liandong_domain::catalog::{
    ItemChange, ItemCode, ItemVersion, ReformReport, ServiceItem, reform_report,
};
use liandong_domain::organization::{DepartmentId, ItemId, Role};
use liandong_store::{AuditEntry, ItemRecord, NewItemVersion};
use serde::Serialize;

use crate::{App, AppError, FieldError, Result, Session};

/// What an import did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// An item with its full version history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ItemHistory {
    pub record: ItemRecord,
    pub versions: Vec<ItemVersion>,
}

impl App {
    pub async fn items(
        &self,
        department: Option<DepartmentId>,
        search: Option<&str>,
    ) -> Result<Vec<ItemRecord>> {
        Ok(self.store.items(department, search).await?)
    }

    pub async fn item_history(&self, id: ItemId) -> Result<ItemHistory> {
        let record = self.store.item(id).await?;
        let versions = self.store.item_versions(id).await?;
        Ok(ItemHistory { record, versions })
    }

    pub async fn item_by_code(&self, code: &ItemCode) -> Result<ItemRecord> {
        Ok(self.store.item_by_code(code).await?)
    }

    async fn department_id(&self, code: &str) -> Result<DepartmentId> {
        self.store
            .departments()
            .await?
            .into_iter()
            .find(|d| d.code == code)
            .map(|d| d.id)
            .ok_or_else(|| {
                AppError::invalid(
                    "department_code",
                    format!("部门编码“{code}”不存在"),
                    format!("no department with code `{code}`"),
                )
            })
    }

    /// Records a new dated version of an item (or its cancellation). `expected_version` is the
    /// version the editor saw; None creates a new item.
    pub async fn record_item_version(
        &self,
        session: Option<&Session>,
        change: ItemChange,
        code: &ItemCode,
        effective_from: NaiveDate,
        expected_version: Option<u32>,
    ) -> Result<(ItemId, u32)> {
        if let Some(session) = session {
            session.require(Role::SystemAdmin)?;
        }
        let department_code = match &change {
            ItemChange::Defined { item } => {
                item.validate().map_err(|errs| {
                    AppError::Invalid(
                        errs.iter()
                            .map(|e| FieldError::from_bilingual("item", e))
                            .collect(),
                    )
                })?;
                if &item.code != code {
                    return Err(AppError::invalid(
                        "code",
                        "事项编码不能修改",
                        "an item's code cannot change",
                    ));
                }
                item.department_code.clone()
            }
            ItemChange::Cancelled { reason } => {
                if reason.trim().is_empty() {
                    return Err(AppError::invalid(
                        "reason",
                        "取消事项须说明理由",
                        "a cancellation states its reason",
                    ));
                }
                self.store.item_by_code(code).await?.item.department_code
            }
        };
        let department = self.department_id(&department_code).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let saved = tx
            .record_item_version(
                code,
                department,
                expected_version,
                &NewItemVersion {
                    effective_from,
                    change: change.clone(),
                    recorded_by: session.map(|s| s.staff.id),
                },
                now.timestamp_millis(),
            )
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: session.map(|s| s.staff.id),
            action: match change {
                ItemChange::Defined { .. } => "catalog_item_defined".into(),
                ItemChange::Cancelled { .. } => "catalog_item_cancelled".into(),
            },
            target: format!("item:{code}"),
            detail: format!("version {} effective {effective_from}", saved.1),
        })
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Imports items effective from `effective_from`: new codes are created, changed items get
    /// a new version, identical ones are left alone. Nothing is written if any row is wrong.
    pub async fn import_catalog(
        &self,
        session: Option<&Session>,
        items: Vec<ServiceItem>,
        effective_from: NaiveDate,
    ) -> Result<ImportReport> {
        if let Some(session) = session {
            session.require(Role::SystemAdmin)?;
        }
        let departments = self.store.departments().await?;
        let existing = self.store.items(None, None).await?;
        let mut errors = Vec::new();
        for item in &items {
            if !departments.iter().any(|d| d.code == item.department_code) {
                errors.push(FieldError::new(
                    "department_code",
                    format!(
                        "事项{}的部门编码“{}”不存在",
                        item.code, item.department_code
                    ),
                    format!(
                        "item {}: no department `{}`",
                        item.code, item.department_code
                    ),
                ));
            }
            for p in &item.prerequisites {
                let known = items.iter().any(|i| &i.code == p)
                    || existing.iter().any(|e| &e.item.code == p);
                if !known {
                    errors.push(FieldError::new(
                        "prerequisites",
                        format!("事项{}的前置事项{p}不存在", item.code),
                        format!("item {}: prerequisite {p} does not exist", item.code),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let mut report = ImportReport::default();
        let mut tx = self.store.begin().await?;
        for item in items {
            let current = existing.iter().find(|e| e.item.code == item.code);
            let item = carry_over(item, current.map(|c| &c.item));
            if current.is_some_and(|c| c.item == item && !c.cancelled) {
                report.unchanged += 1;
                continue;
            }
            let department = departments
                .iter()
                .find(|d| d.code == item.department_code)
                .map(|d| d.id)
                .ok_or(AppError::NotFound("部门 department"))?;
            let code = item.code.clone();
            tx.record_item_version(
                &code,
                department,
                current.map(|c| c.current_version),
                &NewItemVersion {
                    effective_from,
                    change: ItemChange::Defined {
                        item: Box::new(item),
                    },
                    recorded_by: session.map(|s| s.staff.id),
                },
                now.timestamp_millis(),
            )
            .await?;
            if current.is_some() {
                report.changed += 1
            } else {
                report.created += 1
            }
        }
        tx.audit(&AuditEntry {
            at: now,
            actor_id: session.map(|s| s.staff.id),
            action: "catalog_imported".into(),
            target: "catalog".into(),
            detail: format!(
                "created {} changed {} unchanged {}",
                report.created, report.changed, report.unchanged
            ),
        })
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The items in force now (cancelled ones left out), for export.
    pub async fn catalog_in_force(&self) -> Result<Vec<ServiceItem>> {
        let versions = self.store.all_item_versions().await?;
        let today = liandong_domain::calendar::china_date(self.now());
        Ok(liandong_domain::catalog::in_force_on(&versions, today)
            .into_values()
            .collect())
    }

    /// "Four reductions, one compression" between two dates.
    pub async fn reform_report(&self, from: NaiveDate, to: NaiveDate) -> Result<ReformReport> {
        if to < from {
            return Err(AppError::invalid(
                "to",
                "结束日期不能早于开始日期",
                "the end date is before the start date",
            ));
        }
        let versions = self.store.all_item_versions().await?;
        Ok(reform_report(&versions, from, to))
    }
}

/// What the catalog file has no column for keeps an existing item's value: the extension
/// limit (10 working days by statute, 15 for joint handling, Art 26 and 42).
pub fn carry_over(mut item: ServiceItem, current: Option<&ServiceItem>) -> ServiceItem {
    if let Some(current) = current {
        item.extension_limit_days = current.extension_limit_days;
    }
    item
}
