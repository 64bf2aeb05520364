//! Findings of electronic supervision (预警纠错), one row per irregularity.

use chrono::{DateTime, Utc};
use liandong_domain::appeal::AcceptanceFinding;
use liandong_domain::organization::{AppealId, CaseId, DepartmentId, UnitId};
use liandong_domain::supervision::{Finding, FindingKind};
use liandong_domain::video::CameraId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{Result, Store, WriteTx, instant, millis, parse_column};

/// A finding as stored, with the case's number for listing. A finding is about a case (its
/// department answers) or, for a dead camera (`camera_offline`), about a camera (its unit
/// answers).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRecord {
    pub id: i64,
    pub kind: FindingKind,
    /// The case; None for a camera's finding.
    pub case_id: Option<CaseId>,
    pub case_number: Option<String>,
    pub step: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    /// The department that answers for a case's finding.
    pub department_id: Option<DepartmentId>,
    /// The camera of a `camera_offline` finding.
    pub camera_id: Option<CameraId>,
    /// The camera's unit, which answers for it (or the efficiency complaint center's, for a
    /// late decision on a complaint's acceptance).
    pub unit_id: Option<UnitId>,
    /// The complaint of an `appeal_acceptance_overdue` finding, and its number.
    pub appeal_id: Option<AppealId>,
    pub appeal_number: Option<String>,
    pub role: String,
    pub description_zh: String,
    pub description_en: String,
    pub provisional: bool,
    /// Reviewed as routine (refusals, denials, suspensions, terminations).
    pub routine: bool,
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub kind: Option<FindingKind>,
    pub department: Option<DepartmentId>,
    /// Some(false): irregularities only; Some(true): routine reviews only.
    pub routine: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

/// The columns of a finding with its case's number; conditions name `findings.` columns,
/// so that the same WHERE serves the count over `findings` alone.
const FINDING_COLUMNS: &str = "SELECT findings.id, findings.kind, findings.case_id, c.number,
    findings.step, findings.occurred_at, findings.detected_at, findings.department_id,
    findings.camera_id, findings.unit_id, findings.appeal_id, a.number AS appeal_number,
    findings.role, findings.description_zh, findings.description_en, findings.provisional,
    findings.routine FROM findings LEFT JOIN cases c ON c.id = findings.case_id
    LEFT JOIN appeals a ON a.id = findings.appeal_id";

fn finding_row(row: &AnyRow) -> Result<FindingRecord> {
    Ok(FindingRecord {
        id: row.try_get("id")?,
        kind: parse_column(row, "kind")?,
        case_id: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        case_number: row.try_get("number")?,
        step: row.try_get("step")?,
        occurred_at: instant(row.try_get("occurred_at")?)?,
        detected_at: instant(row.try_get("detected_at")?)?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        camera_id: row.try_get::<Option<i64>, _>("camera_id")?.map(CameraId),
        unit_id: row.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        appeal_id: row.try_get::<Option<i64>, _>("appeal_id")?.map(AppealId),
        appeal_number: row.try_get("appeal_number")?,
        role: row.try_get("role")?,
        description_zh: row.try_get("description_zh")?,
        description_en: row.try_get("description_en")?,
        provisional: row.try_get::<i64, _>("provisional")? != 0,
        routine: row.try_get::<i64, _>("routine")? != 0,
    })
}

impl WriteTx {
    /// Records findings of a case of `department`; one already recorded (the same dedup key,
    /// from the other path or an earlier sweep) is left as it is. Returns how many are new.
    pub async fn record_findings(
        &mut self,
        department: DepartmentId,
        findings: &[Finding],
    ) -> Result<u64> {
        let mut new = 0;
        for f in findings {
            let done = sqlx::query(
                "INSERT INTO findings (dedup_key, case_id, kind, step, occurred_at, detected_at,
                    department_id, role, description_zh, description_en, provisional, routine, data)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            )
            .bind(&f.dedup_key)
            .bind(f.case_id.0)
            .bind(f.kind.as_str())
            .bind(f.step.map(|s| s.as_str()))
            .bind(millis(f.occurred_at))
            .bind(millis(f.detected_at))
            .bind(department.0)
            .bind(f.responsible.role.as_str())
            .bind(&f.description_zh)
            .bind(&f.description_en)
            .bind(i64::from(f.provisional))
            .bind(i64::from(f.kind.always_reviewed()))
            .bind(serde_json::to_string(f).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?)
            .fetch_optional(self.conn())
            .await?;
            if let Some(row) = done {
                new += 1;
                let id: i64 = row.try_get("id")?;
                // Every irregularity on a case gets a notice; a routine review does not.
                if !f.kind.always_reviewed() && self.schema >= crate::migrate::AWAITING_NOTICE {
                    sqlx::query("UPDATE findings SET awaiting_notice = 1 WHERE id = $1")
                        .bind(id)
                        .execute(self.conn())
                        .await?;
                }
                self.queue_city_finding(id, "recorded", f.detected_at)
                    .await?;
            }
        }
        Ok(new)
    }
}

impl WriteTx {
    /// Records the finding of a complaint's late decision on acceptance, once (the sweep and
    /// the late decision itself share its dedup key). Returns whether it is new.
    pub async fn record_acceptance_finding(&mut self, finding: &AcceptanceFinding) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO findings (dedup_key, appeal_id, unit_id, kind, occurred_at, detected_at,
                role, description_zh, description_en, provisional, routine, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11)
             ON CONFLICT (dedup_key) DO NOTHING",
        )
        .bind(&finding.dedup_key)
        .bind(finding.appeal.0)
        .bind(finding.unit.0)
        .bind(finding.kind.as_str())
        .bind(millis(finding.occurred_at))
        .bind(millis(finding.detected_at))
        .bind(liandong_domain::organization::Role::Supervisor.as_str())
        .bind(&finding.description_zh)
        .bind(&finding.description_en)
        .bind(i64::from(finding.provisional))
        .bind(crate::to_json(finding)?)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

impl Store {
    /// A page of findings, newest first, and how many match.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<(Vec<FindingRecord>, i64)> {
        let mut w = Where::default();
        if let Some(kind) = filter.kind {
            let p = w.text(kind.as_str());
            w.and(format!("findings.kind = {p}"));
        }
        if let Some(department) = filter.department {
            let p = w.int(department.0);
            w.and(format!("findings.department_id = {p}"));
        }
        if let Some(routine) = filter.routine {
            let p = w.int(i64::from(routine));
            w.and(format!("findings.routine = {p}"));
        }
        let (rows, total) = w
            .page(
                &self.pool,
                FINDING_COLUMNS,
                "findings",
                "findings.detected_at DESC, findings.id DESC",
                filter.limit.clamp(1, 500),
                filter.offset,
            )
            .await?;
        Ok((rows.iter().map(finding_row).collect::<Result<_>>()?, total))
    }

    /// The findings of one case, in the order found.
    pub async fn case_findings(&self, case: CaseId) -> Result<Vec<FindingRecord>> {
        let (rows, _) = {
            let mut w = Where::default();
            let p = w.int(case.0);
            w.and(format!("findings.case_id = {p}"));
            w.page(
                &self.pool,
                FINDING_COLUMNS,
                "findings",
                "findings.id",
                500,
                0,
            )
            .await?
        };
        rows.iter().map(finding_row).collect()
    }

    /// Findings detected in `[from, to)` counted by kind and by the department they hold
    /// responsible, or (`by_unit`) by the unit handling their case.
    pub async fn finding_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by_unit: bool,
    ) -> Result<Vec<(i64, FindingKind, i64)>> {
        let key = if by_unit {
            "c.handling_unit_id"
        } else {
            "findings.department_id"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {key} AS owner, findings.kind, COUNT(*) AS n
             FROM findings JOIN cases c ON c.id = findings.case_id
             WHERE findings.detected_at >= $1 AND findings.detected_at < $2
             GROUP BY {key}, findings.kind"
        )))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("owner")?,
                    parse_column(r, "kind")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    /// Ids of the cases accepted and not closed: the sweep's work.
    pub async fn open_accepted_case_ids(&self) -> Result<Vec<CaseId>> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE closed_at IS NULL AND accepted_at IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get("id")?))).collect()
    }
}
