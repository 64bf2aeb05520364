//! Key projects: the project, its planned approvals (each linked to its case once opened),
//! and its joint review meetings.

use chrono::{DateTime, Utc};
use liandong_domain::catalog::ItemCode;
use liandong_domain::organization::{CaseId, StaffId, UnitId};
use liandong_domain::project::PlannedApproval;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, json_column, millis, opt_instant, to_json,
    u32_column, updated_at_version,
};

/// A key project's row.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectRecord {
    pub id: i64,
    pub name: String,
    /// The construction project code (GB/T 40058-2021, 24 characters), when it has one.
    pub code: String,
    pub applicant_name: String,
    pub credit_code: String,
    pub phone: String,
    /// The hall that runs its green channel.
    pub unit_id: UnitId,
    /// The proxy agent from the green-channel window.
    pub agent_id: StaffId,
    pub target_days: u32,
    pub created_at: DateTime<Utc>,
    /// When its approvals were first opened.
    pub opened_at: Option<DateTime<Utc>>,
    pub version: u32,
}

/// A joint review meeting (联审): who sat, what each said, what was decided.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointReview {
    pub held_at: DateTime<Utc>,
    pub convener_id: StaffId,
    pub departments: Vec<String>,
    pub opinions: Vec<DepartmentOpinion>,
    pub decisions: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentOpinion {
    pub department: String,
    pub opinion: String,
}

/// A planned approval and its case, once opened.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectApproval {
    pub index: usize,
    pub plan: PlannedApproval,
    pub case_id: Option<CaseId>,
}

#[derive(Debug, Clone)]
pub struct StoredProject {
    pub record: ProjectRecord,
    pub approvals: Vec<ProjectApproval>,
    pub reviews: Vec<JointReview>,
}

/// A new project.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: String,
    pub code: String,
    pub applicant_name: String,
    pub credit_code: String,
    pub phone: String,
    pub unit_id: UnitId,
    pub agent_id: StaffId,
    pub target_days: u32,
    pub created_at: DateTime<Utc>,
    pub plan: Vec<PlannedApproval>,
}

const COLUMNS: &str =
    "SELECT id, name, code, applicant_name, credit_code, phone, unit_id, agent_id,
    target_days, created_at, opened_at, version FROM key_projects";

fn project_row(row: &AnyRow) -> Result<ProjectRecord> {
    Ok(ProjectRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        code: row.try_get("code")?,
        applicant_name: row.try_get("applicant_name")?,
        credit_code: row.try_get("credit_code")?,
        phone: row.try_get("phone")?,
        unit_id: UnitId(row.try_get("unit_id")?),
        agent_id: StaffId(row.try_get("agent_id")?),
        target_days: u32_column(row, "target_days")?,
        created_at: instant(row.try_get("created_at")?)?,
        opened_at: opt_instant(row.try_get("opened_at")?)?,
        version: u32_column(row, "version")?,
    })
}

impl WriteTx {
    pub async fn insert_project(&mut self, project: &NewProject) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO key_projects (name, code, applicant_name, credit_code, phone, unit_id,
                agent_id, target_days, created_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) RETURNING id",
        )
        .bind(&project.name)
        .bind(&project.code)
        .bind(&project.applicant_name)
        .bind(&project.credit_code)
        .bind(&project.phone)
        .bind(project.unit_id.0)
        .bind(project.agent_id.0)
        .bind(i64::from(project.target_days))
        .bind(millis(project.created_at))
        .fetch_one(self.conn())
        .await?;
        let id: i64 = row.try_get("id")?;
        for (index, approval) in project.plan.iter().enumerate() {
            sqlx::query(
                "INSERT INTO project_approvals (project_id, idx, item_code, stage, depends_on)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i64::try_from(index).unwrap_or(i64::MAX))
            .bind(approval.item_code.as_str())
            .bind(&approval.stage)
            .bind(to_json(&approval.depends_on)?)
            .execute(self.conn())
            .await?;
        }
        Ok(id)
    }

    /// Links approvals to the cases just opened for them, and marks the project opened, under
    /// the version read: a second agent opening the same approvals at once gets a conflict.
    pub async fn open_project_approvals(
        &mut self,
        project: i64,
        expected_version: u32,
        opened: &[(usize, CaseId)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE key_projects SET opened_at = COALESCE(opened_at, $1), version = version + 1
             WHERE id = $2 AND version = $3",
        )
        .bind(millis(at))
        .bind(project)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&updated, expected_version)?;
        for (index, case) in opened {
            sqlx::query(
                "UPDATE project_approvals SET case_id = $1
                 WHERE project_id = $2 AND idx = $3 AND case_id IS NULL",
            )
            .bind(case.0)
            .bind(project)
            .bind(i64::try_from(*index).unwrap_or(i64::MAX))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    pub async fn insert_joint_review(&mut self, project: i64, review: &JointReview) -> Result<()> {
        sqlx::query(
            "INSERT INTO joint_reviews (project_id, held_at, convener_id, departments, opinions, decisions)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(project)
        .bind(millis(review.held_at))
        .bind(review.convener_id.0)
        .bind(to_json(&review.departments)?)
        .bind(to_json(&review.opinions)?)
        .bind(&review.decisions)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The proxy agent of every key project, by the cases its approvals opened that are
    /// still open: whom a warning on such a case also goes to.
    pub async fn project_agents_of_open_cases(
        &self,
    ) -> Result<std::collections::HashMap<CaseId, StaffId>> {
        let rows = sqlx::query(
            "SELECT pa.case_id, kp.agent_id FROM project_approvals pa
             JOIN key_projects kp ON kp.id = pa.project_id
             JOIN cases c ON c.id = pa.case_id
             WHERE c.closed_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    CaseId(r.try_get("case_id")?),
                    StaffId(r.try_get("agent_id")?),
                ))
            })
            .collect()
    }

    pub async fn project(&self, id: i64) -> Result<StoredProject> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("重点项目 key project"))?;
        let record = project_row(&row)?;
        let approvals = sqlx::query(
            "SELECT idx, item_code, stage, depends_on, case_id FROM project_approvals
             WHERE project_id = $1 ORDER BY idx",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let index: i64 = r.try_get("idx")?;
            Ok(ProjectApproval {
                index: usize::try_from(index)
                    .map_err(|_| StoreError::Corrupt(format!("idx: {index}")))?,
                plan: PlannedApproval {
                    item_code: ItemCode::parse(&r.try_get::<String, _>("item_code")?)
                        .map_err(|e| StoreError::Corrupt(format!("item_code: {e}")))?,
                    stage: r.try_get("stage")?,
                    depends_on: json_column(r, "depends_on")?,
                },
                case_id: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
            })
        })
        .collect::<Result<_>>()?;
        let reviews = sqlx::query(
            "SELECT held_at, convener_id, departments, opinions, decisions FROM joint_reviews
             WHERE project_id = $1 ORDER BY held_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(JointReview {
                held_at: instant(r.try_get("held_at")?)?,
                convener_id: StaffId(r.try_get("convener_id")?),
                departments: json_column(r, "departments")?,
                opinions: json_column(r, "opinions")?,
                decisions: r.try_get("decisions")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(StoredProject {
            record,
            approvals,
            reviews,
        })
    }

    /// Key projects, newest first: all, or those run at `unit`.
    pub async fn projects(&self, unit: Option<UnitId>) -> Result<Vec<ProjectRecord>> {
        let rows = match unit {
            Some(unit) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500"
                )))
                .bind(unit.0)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} ORDER BY created_at DESC, id DESC LIMIT 500"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(project_row).collect()
    }
}
