//! Electronic supervision's findings (预警纠错): recorded as events arrive (with the events,
//! in the same transaction) and by the sweep of open cases for those that time brings about.

use liandong_domain::calendar::WorkingCalendar;
use liandong_domain::case::CaseEvent;
use liandong_domain::catalog::ServiceItem;
use liandong_domain::organization::{CaseId, DepartmentId, Role};
use liandong_domain::supervision::{
    Finding, FindingKind, SupervisionRules, findings_on_event, sweep,
};
use liandong_store::{FindingFilter, FindingRecord, StoreError};

use crate::{App, AppError, Result, Session};

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Storage(StoreError::Corrupt(e.to_string()))
}

/// The findings that `new` events reveal, each judged on the history up to it.
pub fn findings_of_events(
    case: CaseId,
    before: &[CaseEvent],
    new: &[CaseEvent],
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
) -> Result<Vec<Finding>> {
    let mut history = before.to_vec();
    let mut found = Vec::new();
    for event in new {
        history.push(event.clone());
        found.extend(findings_on_event(case, &history, item, calendar, rules).map_err(corrupt)?);
    }
    Ok(found)
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub cases: usize,
    pub new_findings: u64,
}

impl App {
    /// Reads every open, accepted case against the clock and records what time has brought
    /// about (overdue cases and steps, cases left untouched, pauses too long). Findings already
    /// recorded are not recorded again.
    pub async fn sweep_findings(&self) -> Result<SweepReport> {
        let calendar = self.calendar();
        let now = self.now();
        let mut report = SweepReport::default();
        let mut pending: Vec<(DepartmentId, Vec<Finding>)> = Vec::new();
        for id in self.store.open_accepted_case_ids().await? {
            let stored = self.store.case(id).await?;
            let item = self
                .item_version(stored.summary.item_id, stored.summary.item_version)
                .await?;
            let case = liandong_domain::case::Case::replay(&stored.events).map_err(corrupt)?;
            let found = sweep(id, &case, &item, &calendar, &self.supervision_rules, now)
                .map_err(corrupt)?;
            report.cases += 1;
            if !found.is_empty() {
                pending.push((stored.summary.department_id, found));
            }
        }
        report.new_findings = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut new = 0;
                    for (department, findings) in &pending {
                        new += tx.record_findings(*department, findings).await?;
                    }
                    Ok(new)
                })
            })
            .await?;
        Ok(report)
    }

    /// Findings for the efficiency office: supervisors and system administrators.
    pub async fn list_findings(
        &self,
        session: &Session,
        filter: &FindingFilter,
    ) -> Result<(Vec<FindingRecord>, i64)> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        Ok(self.store.findings(filter).await?)
    }

    /// Kinds of finding by name, for filters.
    pub fn finding_kinds(&self) -> &'static [FindingKind] {
        &FindingKind::ALL
    }
}
