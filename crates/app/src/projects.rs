//! Key projects and the green channel (重点项目 · 绿色通道): registering a project and its
//! bundle of approvals, opening every approval whose prerequisites are approved as a case
//! (in parallel where nothing holds them back), joint review meetings, and the timeline.

use liandong_domain::case::{Applicant, Channel};
use liandong_domain::catalog::ItemCode;
use liandong_domain::ids::{CreditCode, PhoneNumber};
use liandong_domain::organization::{CaseId, Role, UnitKind, Visibility};
use liandong_domain::project::{
    ApprovalFacts, ApprovalStatus, DEFAULT_TARGET_DAYS, PlannedApproval, Timeline, gantt_svg,
    statuses, timeline, validate_project,
};
use liandong_store::{
    CaseSummary, DepartmentOpinion, JointReview, NewProject, ProjectRecord, StoreError,
    StoredProject,
};
use serde::{Deserialize, Serialize};

use crate::cases::Intake;
use crate::{App, AppError, FieldError, Result, Session};

/// What the green-channel window enters for a new key project.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    /// The construction project code (GB/T 40058-2021), when it has one.
    #[serde(default)]
    pub code: String,
    /// The enterprise building it.
    pub applicant_name: String,
    pub credit_code: CreditCode,
    pub phone: PhoneNumber,
    /// Working days for all its approvals; the seed's 40 when left out.
    #[serde(default)]
    pub target_days: Option<u32>,
    pub approvals: Vec<PlannedApproval>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct JointReviewInput {
    pub departments: Vec<String>,
    pub opinions: Vec<DepartmentOpinion>,
    pub decisions: String,
}

/// One approval as the project page shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    pub index: usize,
    pub item_code: ItemCode,
    pub item_name: String,
    pub stage: String,
    pub depends_on: Vec<usize>,
    pub status: ApprovalStatus,
    pub case: Option<CaseSummary>,
}

/// A key project with its approvals, meetings and timeline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    pub project: ProjectRecord,
    pub approvals: Vec<ApprovalView>,
    pub reviews: Vec<JointReview>,
    pub timeline: Timeline,
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该重点项目 / key project not found")
}

impl App {
    /// Registers a key project at the signed-in clerk's hall with the clerk as its proxy
    /// agent. Every item must be in force and taken at this unit.
    pub async fn register_project(
        &self,
        session: &Session,
        input: &ProjectInput,
    ) -> Result<ProjectView> {
        session.require(Role::WindowClerk)?;
        let unit = self.store.unit(session.staff.unit_id).await?;
        if !matches!(unit.kind, UnitKind::DistrictHall | UnitKind::BranchHall) {
            return Err(AppError::invalid(
                "unit",
                "重点项目由区行政审批服务大厅（分厅）绿色通道窗口登记",
                "key projects are registered at the green-channel window of the hall or a branch hall",
            ));
        }
        let target_days = input.target_days.unwrap_or(DEFAULT_TARGET_DAYS);
        validate_project(&input.name, &input.code, target_days, &input.approvals)
            .map_err(|e| AppError::Invalid(vec![FieldError::from_bilingual("approvals", &e)]))?;
        if input.applicant_name.trim().is_empty() {
            return Err(AppError::invalid(
                "applicant_name",
                "建设单位名称不能为空",
                "the enterprise's name is required",
            ));
        }
        for approval in &input.approvals {
            let record = self.store.item_by_code(&approval.item_code).await?;
            let in_force = self
                .store
                .item_in_force(record.id, liandong_domain::calendar::china_date(self.now()))
                .await?;
            if in_force.is_none() {
                return Err(AppError::invalid(
                    "approvals",
                    format!("事项{}已取消或尚未生效", approval.item_code),
                    format!("item {} is cancelled or not in force", approval.item_code),
                ));
            }
        }
        let new = NewProject {
            name: input.name.trim().to_owned(),
            code: input.code.trim().to_owned(),
            applicant_name: input.applicant_name.trim().to_owned(),
            credit_code: input.credit_code.as_str().to_owned(),
            phone: input.phone.as_str().to_owned(),
            unit_id: session.staff.unit_id,
            agent_id: session.staff.id,
            target_days,
            created_at: self.now(),
            plan: input.approvals.clone(),
        };
        let id = self
            .store
            .write(move |tx| Box::pin(async move { tx.insert_project(&new).await }))
            .await?;
        self.project_view(session, id).await
    }

    async fn visible_project(&self, session: &Session, id: i64) -> Result<StoredProject> {
        let stored = self.store.project(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        let visible = match &session.visibility {
            Visibility::All => true,
            Visibility::Limited { units, .. } => {
                stored.record.agent_id == session.staff.id || units.contains(&stored.record.unit_id)
            }
        };
        if visible {
            Ok(stored)
        } else {
            Err(not_found())
        }
    }

    async fn approval_facts(
        &self,
        stored: &StoredProject,
    ) -> Result<(Vec<ApprovalFacts>, Vec<Option<CaseSummary>>, Vec<String>)> {
        let mut facts = Vec::with_capacity(stored.approvals.len());
        let mut cases = Vec::with_capacity(stored.approvals.len());
        let mut names = Vec::with_capacity(stored.approvals.len());
        for approval in &stored.approvals {
            let item = self.store.item_by_code(&approval.plan.item_code).await?;
            names.push(item.item.name.clone());
            let case = match approval.case_id {
                Some(id) => Some(self.store.case_summary(id).await?),
                None => None,
            };
            facts.push(ApprovalFacts {
                case: approval.case_id,
                opened_at: case.as_ref().map(|c| c.received_at),
                state: case.as_ref().map(|c| c.state),
                outcome: case.as_ref().and_then(|c| c.outcome),
                closed_at: case.as_ref().and_then(|c| c.closed_at),
                decided_at: case.as_ref().and_then(|c| c.decided_at),
                due_at: case.as_ref().and_then(|c| c.due_at),
                statutory_days: item.item.statutory_days,
            });
            cases.push(case);
        }
        Ok((facts, cases, names))
    }

    async fn project_view_of(&self, stored: StoredProject) -> Result<ProjectView> {
        let (facts, cases, names) = self.approval_facts(&stored).await?;
        let plan: Vec<PlannedApproval> = stored.approvals.iter().map(|a| a.plan.clone()).collect();
        let status = statuses(&plan, &facts);
        let timeline = timeline(
            &plan,
            &facts,
            stored.record.opened_at,
            stored.record.target_days,
            &self.calendar(),
            self.now(),
        );
        let approvals = stored
            .approvals
            .iter()
            .zip(cases)
            .zip(names)
            .map(|((a, case), item_name)| ApprovalView {
                index: a.index,
                item_code: a.plan.item_code.clone(),
                item_name,
                stage: a.plan.stage.clone(),
                depends_on: a.plan.depends_on.clone(),
                status: status
                    .get(a.index)
                    .copied()
                    .unwrap_or(ApprovalStatus::Waiting),
                case,
            })
            .collect();
        Ok(ProjectView {
            project: stored.record,
            approvals,
            reviews: stored.reviews,
            timeline,
        })
    }

    pub async fn project_view(&self, session: &Session, id: i64) -> Result<ProjectView> {
        let stored = self.visible_project(session, id).await?;
        self.project_view_of(stored).await
    }

    /// Key projects: all for supervisors, those of the session's unit for others.
    pub async fn projects(&self, session: &Session) -> Result<Vec<ProjectRecord>> {
        let unit = match session.visibility {
            Visibility::All => None,
            Visibility::Limited { .. } => Some(session.staff.unit_id),
        };
        Ok(self.store.projects(unit).await?)
    }

    /// Opens, as cases taken in by the agent, every approval whose prerequisites are all
    /// approved: at first the independent ones, in parallel; later those that waited. Names
    /// the version read, so that two openings at once cannot both open the same approvals.
    pub async fn open_ready_approvals(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
    ) -> Result<ProjectView> {
        let stored = self.visible_project(session, id).await?;
        if stored.record.agent_id != session.staff.id {
            return Err(AppError::Forbidden(
                "只有项目的代办员可以开展审批 / only the project's agent opens its approvals"
                    .into(),
            ));
        }
        if stored.record.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let (facts, _, _) = self.approval_facts(&stored).await?;
        let plan: Vec<PlannedApproval> = stored.approvals.iter().map(|a| a.plan.clone()).collect();
        let ready: Vec<usize> = statuses(&plan, &facts)
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == ApprovalStatus::Ready)
            .map(|(i, _)| i)
            .collect();
        if ready.is_empty() {
            return Err(AppError::Duplicate(
                "没有可以开展的审批事项 / no approval is ready to open".into(),
            ));
        }
        let record = &stored.record;
        let credit_code = CreditCode::parse(&record.credit_code)
            .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        let phone = PhoneNumber::parse(&record.phone)
            .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        let mut opened: Vec<(usize, CaseId)> = Vec::new();
        for index in ready {
            let code = &plan[index].item_code;
            let item = self.store.item_by_code(code).await?;
            let materials = item
                .item
                .materials
                .iter()
                .filter(|m| !m.optional)
                .map(|m| m.name.clone())
                .collect();
            // The key stays the same for a retried opening: one case per approval.
            let key = format!("project-{}-approval-{index}", record.id);
            let case = self
                .submit_case(
                    session,
                    &Intake {
                        item_code: code.clone(),
                        applicant: Applicant::Organisation {
                            name: record.applicant_name.clone(),
                            credit_code: credit_code.clone(),
                        },
                        phone: phone.clone(),
                        channel: Channel::Window,
                        materials,
                        comment: format!("重点项目（绿色通道）：{}", record.name),
                    },
                    Some(&key),
                )
                .await?;
            opened.push((index, case.summary.id));
        }
        let at = self.now();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.open_project_approvals(id, expected_version, &opened, at)
                        .await
                })
            })
            .await?;
        self.project_view(session, id).await
    }

    /// Records a joint review meeting (联审) on the project: the departments present, each
    /// one's opinion, and the decisions. Held by the agent or a supervisor.
    pub async fn record_joint_review(
        &self,
        session: &Session,
        id: i64,
        input: &JointReviewInput,
    ) -> Result<ProjectView> {
        let stored = self.visible_project(session, id).await?;
        if stored.record.agent_id != session.staff.id {
            session.require(Role::Supervisor)?;
        }
        let departments: Vec<String> = input
            .departments
            .iter()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect();
        if departments.len() < 2 {
            return Err(AppError::invalid(
                "departments",
                "联审须有两个以上部门参加",
                "a joint review has two departments or more",
            ));
        }
        if input.decisions.trim().is_empty() {
            return Err(AppError::invalid(
                "decisions",
                "须记录会议决定",
                "the meeting's decisions are needed",
            ));
        }
        let review = JointReview {
            held_at: self.now(),
            convener_id: session.staff.id,
            departments,
            opinions: input.opinions.clone(),
            decisions: input.decisions.trim().to_owned(),
        };
        self.store
            .write(move |tx| Box::pin(async move { tx.insert_joint_review(id, &review).await }))
            .await?;
        self.project_view(session, id).await
    }

    /// The project's timeline as an SVG Gantt chart.
    pub async fn project_gantt(&self, session: &Session, id: i64) -> Result<String> {
        let view = self.project_view(session, id).await?;
        let names: Vec<String> = view.approvals.iter().map(|a| a.item_name.clone()).collect();
        Ok(gantt_svg(&view.timeline, &names, self.now()))
    }
}
