//! Key projects and the green channel (重点项目 · 绿色通道): a project that needs many
//! approvals from many departments gets a proxy agent and has its approvals opened as one
//! bundle. Approvals that do not depend on each other run in parallel (并联审批); those that
//! do wait for their prerequisites to be approved. The bundle has its own target on top of
//! each item's limit (the seed: every approval step within 40 days), and the project's
//! timeline shows what is late, what blocks what, and the speed-up against the items'
//! standard limits.
//!
//! Each approval is a case of the case engine; this module plans and reads the bundle.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{WorkingCalendar, china_date};
use crate::case::{CaseState, Outcome};
use crate::catalog::ItemCode;
use crate::organization::CaseId;

#[cfg(test)]
mod tests;

/// The seed's target for all approval steps of a key project, in working days.
pub const DEFAULT_TARGET_DAYS: u32 = 40;

/// One approval of a project's plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedApproval {
    pub item_code: ItemCode,
    /// A label grouping approvals that run together, e.g. 立项用地, 勘察设计, 施工许可, 竣工验收.
    #[serde(default)]
    pub stage: String,
    /// Positions (from 0) of the approvals that must be approved before this one opens.
    #[serde(default)]
    pub depends_on: Vec<usize>,
}

/// Why a plan cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    #[error("审批计划不能为空 / the plan has no approvals")]
    EmptyPlan,
    // Positions are held from 0 and told to people from 1, as lines are counted.
    #[error(
        "第{}项依赖的第{}项不存在 / approval no. {} depends on no. {}, which is not in the plan",
        .approval + 1, .missing + 1, .approval + 1, .missing + 1
    )]
    UnknownDependency { approval: usize, missing: usize },
    #[error("第{}项不能依赖自身 / approval no. {} depends on itself", .0 + 1, .0 + 1)]
    SelfDependency(usize),
    #[error(
        "审批事项之间存在循环依赖（第{}项） / the plan's dependencies go round in a circle (at approval no. {})",
        .0 + 1, .0 + 1
    )]
    Cycle(usize),
    #[error("事项{0}在计划中重复 / item {0} is in the plan twice")]
    DuplicateItem(String),
    #[error("项目名称不能为空 / the project needs a name")]
    NameNeeded,
    #[error("目标时限应为1至365个工作日 / the target is 1 to 365 working days")]
    BadTarget,
    #[error("项目代码应为24位 / a project code (GB/T 40058-2021) has 24 characters")]
    BadProjectCode,
}

/// Checks a new project: a name, a 24-character project code if any, a target of 1 to 365
/// working days, and its plan.
pub fn validate_project(
    name: &str,
    code: &str,
    target_days: u32,
    plan: &[PlannedApproval],
) -> Result<(), ProjectError> {
    if name.trim().is_empty() {
        return Err(ProjectError::NameNeeded);
    }
    let code = code.trim();
    if !code.is_empty() && (code.chars().count() != 24 || !code.is_ascii()) {
        return Err(ProjectError::BadProjectCode);
    }
    if !(1..=365).contains(&target_days) {
        return Err(ProjectError::BadTarget);
    }
    validate_plan(plan)
}

/// Checks a plan: approvals exist, dependencies point inside it, nothing depends on itself or
/// round in a circle, no item twice.
pub fn validate_plan(plan: &[PlannedApproval]) -> Result<(), ProjectError> {
    if plan.is_empty() {
        return Err(ProjectError::EmptyPlan);
    }
    for (i, approval) in plan.iter().enumerate() {
        if plan[..i].iter().any(|a| a.item_code == approval.item_code) {
            return Err(ProjectError::DuplicateItem(
                approval.item_code.as_str().to_owned(),
            ));
        }
        for &d in &approval.depends_on {
            if d == i {
                return Err(ProjectError::SelfDependency(i));
            }
            if d >= plan.len() {
                return Err(ProjectError::UnknownDependency {
                    approval: i,
                    missing: d,
                });
            }
        }
    }
    topological_order(plan).map(|_| ())
}

/// The approvals in an order where each comes after its prerequisites (Kahn's algorithm).
fn topological_order(plan: &[PlannedApproval]) -> Result<Vec<usize>, ProjectError> {
    let mut waiting: Vec<usize> = plan.iter().map(|a| a.depends_on.len()).collect();
    let mut order = Vec::with_capacity(plan.len());
    let mut ready: Vec<usize> = (0..plan.len()).filter(|&i| waiting[i] == 0).collect();
    while let Some(i) = ready.pop() {
        order.push(i);
        for (j, approval) in plan.iter().enumerate() {
            let edges = approval.depends_on.iter().filter(|&&d| d == i).count();
            if edges > 0 {
                waiting[j] -= edges;
                if waiting[j] == 0 {
                    ready.push(j);
                }
            }
        }
    }
    if order.len() == plan.len() {
        Ok(order)
    } else {
        let stuck = (0..plan.len()).find(|i| !order.contains(i)).unwrap_or(0);
        Err(ProjectError::Cycle(stuck))
    }
}

/// Where one approval of the bundle stands, read from its case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApprovalFacts {
    pub case: Option<CaseId>,
    pub opened_at: Option<DateTime<Utc>>,
    pub state: Option<CaseState>,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The case's own due time.
    pub due_at: Option<DateTime<Utc>>,
    /// The item's statutory limit in working days: the standard the speed-up is measured by.
    pub statutory_days: u32,
}

impl ApprovalFacts {
    /// Approved, whether or not the result has been handed over yet.
    fn approved(&self) -> bool {
        self.outcome == Some(Outcome::Approved)
    }

    /// Decided against, refused or withdrawn: what depends on it cannot open.
    fn failed(&self) -> bool {
        self.outcome == Some(Outcome::Denied)
            || matches!(self.state, Some(CaseState::Refused | CaseState::Withdrawn))
    }

    /// When the approval's work ended: its decision, or its closing.
    fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.decided_at.or(self.closed_at)
    }
}

/// How an approval of the bundle stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Its prerequisites are not all approved yet.
    Waiting,
    /// Its prerequisites are approved: it may be opened now.
    Ready,
    /// Its case is open.
    InProgress,
    Approved,
    /// Denied, refused or withdrawn.
    Failed,
    /// A prerequisite failed: it cannot open.
    Blocked,
}

/// The status of each approval.
pub fn statuses(plan: &[PlannedApproval], facts: &[ApprovalFacts]) -> Vec<ApprovalStatus> {
    let mut out = vec![ApprovalStatus::Waiting; plan.len()];
    // In dependency order, so that a prerequisite's status is known first.
    let order = topological_order(plan).unwrap_or_else(|_| (0..plan.len()).collect());
    for i in order {
        let f = facts.get(i).copied().unwrap_or_default();
        out[i] = if f.approved() {
            ApprovalStatus::Approved
        } else if f.failed() {
            ApprovalStatus::Failed
        } else if f.case.is_some() {
            ApprovalStatus::InProgress
        } else if plan[i].depends_on.iter().any(|&d| {
            matches!(
                out.get(d),
                Some(ApprovalStatus::Failed | ApprovalStatus::Blocked)
            )
        }) {
            ApprovalStatus::Blocked
        } else if plan[i]
            .depends_on
            .iter()
            .all(|&d| out.get(d) == Some(&ApprovalStatus::Approved))
        {
            ApprovalStatus::Ready
        } else {
            ApprovalStatus::Waiting
        };
    }
    out
}

/// The longest chain of standard limits through the plan: how long the bundle takes when
/// every approval takes its statutory limit and dependents wait for their prerequisites.
pub fn standard_days(plan: &[PlannedApproval], facts: &[ApprovalFacts]) -> u32 {
    let order = topological_order(plan).unwrap_or_default();
    let mut finish = vec![0u32; plan.len()];
    for i in order {
        let start = plan[i]
            .depends_on
            .iter()
            .map(|&d| finish.get(d).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let own = facts.get(i).map_or(0, |f| f.statutory_days);
        finish[i] = start.saturating_add(own);
    }
    finish.into_iter().max().unwrap_or(0)
}

/// One row of the timeline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    pub index: usize,
    pub item_code: String,
    pub stage: String,
    pub status: ApprovalStatus,
    pub start: Option<DateTime<Utc>>,
    /// Its decision, or now while open.
    pub end: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// Past its own due time (decided late, or still open after it).
    pub late: bool,
    /// Prerequisites not yet approved.
    pub blocked_by: Vec<usize>,
}

/// The bundle's timeline and how it measures against its target and the standard limits.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub rows: Vec<TimelineRow>,
    pub opened_on: Option<NaiveDate>,
    /// The bundle's own target date, and its afternoon close.
    pub target_on: Option<NaiveDate>,
    pub target_at: Option<DateTime<Utc>>,
    /// Every approval approved.
    pub complete: bool,
    /// Past the target with approvals still open, or completed after it.
    pub late: bool,
    /// Working days from opening to the last decision (to today while open).
    pub working_days_used: u32,
    /// The standard: the longest chain of statutory limits.
    pub standard_days: u32,
    /// 1 − used / standard: the seed asks ≥ 50 %. `None` until there is a standard.
    pub speedup: Option<f64>,
}

/// Reads the bundle at `now`.
pub fn timeline(
    plan: &[PlannedApproval],
    facts: &[ApprovalFacts],
    opened_at: Option<DateTime<Utc>>,
    target_days: u32,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Timeline {
    let status = statuses(plan, facts);
    let rows: Vec<TimelineRow> = plan
        .iter()
        .enumerate()
        .map(|(i, approval)| {
            let f = facts.get(i).copied().unwrap_or_default();
            let end = f.finished_at().or(f.opened_at.map(|_| now));
            let late = match (f.due_at, f.finished_at()) {
                (Some(due), Some(done)) => done > due,
                (Some(due), None) => f.case.is_some() && now > due,
                (None, _) => false,
            };
            TimelineRow {
                index: i,
                item_code: approval.item_code.as_str().to_owned(),
                stage: approval.stage.clone(),
                status: status[i],
                start: f.opened_at,
                end,
                due_at: f.due_at,
                late,
                blocked_by: approval
                    .depends_on
                    .iter()
                    .copied()
                    .filter(|&d| status.get(d) != Some(&ApprovalStatus::Approved))
                    .collect(),
            }
        })
        .collect();
    let complete = status.iter().all(|s| *s == ApprovalStatus::Approved);
    let opened_on = opened_at.map(china_date);
    let target_on = opened_on.map(|d| calendar.add_working_days(d, target_days).value);
    let last = rows.iter().filter_map(|r| r.end).max();
    let until = if complete { last.unwrap_or(now) } else { now };
    let working_days_used = opened_on.map_or(0, |d| {
        calendar.working_days_between(d, china_date(until)).value
    });
    let late = match target_on {
        Some(target) => china_date(until) > target,
        None => false,
    };
    let standard = standard_days(plan, facts);
    let speedup = (standard > 0 && opened_on.is_some())
        .then(|| 1.0 - f64::from(working_days_used) / f64::from(standard));
    Timeline {
        rows,
        opened_on,
        target_on,
        target_at: target_on.map(|d| calendar.close_of(d)),
        complete,
        late,
        working_days_used,
        standard_days: standard,
        speedup,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The timeline as a Gantt chart in SVG: a row per approval (its name, a bar from its start to
/// its decision or today, red when late, grey while waiting), the bundle's target as a line.
/// `names` are the approvals' item names.
pub fn gantt_svg(timeline: &Timeline, names: &[String], now: DateTime<Utc>) -> String {
    const LABEL: i64 = 260;
    const WIDTH: i64 = 900;
    const ROW: i64 = 28;
    const TOP: i64 = 40;
    let start = timeline
        .rows
        .iter()
        .filter_map(|r| r.start)
        .min()
        .unwrap_or(now);
    let mut end = timeline
        .rows
        .iter()
        .filter_map(|r| r.end.max(r.due_at))
        .max()
        .unwrap_or(now)
        .max(now);
    let target = timeline.target_at;
    if let Some(t) = target {
        end = end.max(t);
    }
    let span = (end - start).num_minutes().max(1);
    let x = |at: DateTime<Utc>| {
        LABEL + ((at - start).num_minutes().max(0) * (WIDTH - LABEL - 20)) / span
    };
    let rows = i64::try_from(timeline.rows.len()).unwrap_or(0);
    let height = TOP + rows * ROW + 30;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"13\" role=\"img\" aria-label=\"审批进度图 approval timeline\">"
    );
    svg.push_str(&format!(
        "<text x=\"8\" y=\"20\" font-weight=\"bold\">审批进度（{} 至 {}）</text>",
        china_date(start),
        china_date(end)
    ));
    for (i, row) in timeline.rows.iter().enumerate() {
        let y = TOP + i64::try_from(i).unwrap_or(0) * ROW;
        let name = names.get(i).map_or(row.item_code.as_str(), String::as_str);
        svg.push_str(&format!(
            "<text x=\"8\" y=\"{}\">{}</text>",
            y + 17,
            escape(name)
        ));
        let colour = match (row.status, row.late) {
            (_, true) => "#c62828",
            (ApprovalStatus::Approved, false) => "#2e7d32",
            (ApprovalStatus::InProgress, false) => "#1565c0",
            (ApprovalStatus::Failed | ApprovalStatus::Blocked, false) => "#6d4c41",
            (ApprovalStatus::Waiting | ApprovalStatus::Ready, false) => "#9e9e9e",
        };
        match (row.start, row.end) {
            (Some(s), Some(e)) => {
                let (x0, x1) = (x(s), x(e).max(x(s) + 3));
                svg.push_str(&format!(
                    "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{colour}\"><title>{}</title></rect>",
                    y + 4,
                    x1 - x0,
                    escape(name)
                ));
            }
            _ => {
                svg.push_str(&format!(
                    "<text x=\"{LABEL}\" y=\"{}\" fill=\"{colour}\">{}</text>",
                    y + 17,
                    match row.status {
                        ApprovalStatus::Blocked => "前置事项未通过，无法开展",
                        ApprovalStatus::Ready => "可以开展",
                        _ => "等待前置事项",
                    }
                ));
            }
        }
        if let Some(due) = row.due_at {
            let dx = x(due);
            svg.push_str(&format!(
                "<line x1=\"{dx}\" y1=\"{}\" x2=\"{dx}\" y2=\"{}\" stroke=\"#000\" stroke-width=\"2\"/>",
                y + 2,
                y + 24
            ));
        }
    }
    if let Some(t) = target {
        let tx = x(t);
        svg.push_str(&format!(
            "<line x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\" stroke=\"#c62828\" stroke-dasharray=\"6 4\"/><text x=\"{tx}\" y=\"{}\" fill=\"#c62828\" text-anchor=\"middle\">目标</text>",
            TOP - 6,
            TOP + rows * ROW,
            TOP + rows * ROW + 16
        ));
    }
    let nx = x(now);
    svg.push_str(&format!(
        "<line x1=\"{nx}\" y1=\"{}\" x2=\"{nx}\" y2=\"{}\" stroke=\"#ff8f00\"/><text x=\"{nx}\" y=\"{}\" fill=\"#ff8f00\" text-anchor=\"middle\">今天</text></svg>",
        TOP - 6,
        TOP + rows * ROW,
        TOP - 10
    ));
    svg
}
