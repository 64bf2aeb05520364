//! The case state machine: which actions a case allows now, who may take them, and the
//! events each one produces. Pure: the time, the actor and the item come in the `Context`.

use chrono::{DateTime, Utc};

use super::action::{Action, ActionName};
use super::event::EventKind;
use super::{Case, CaseState};
use crate::catalog::{ServiceItem, StepKind};
use crate::organization::{Actor, Role};

/// Everything a decision depends on besides the case.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub actor: &'a Actor,
    /// The item version the case was received under.
    pub item: &'a ServiceItem,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "办件状态为“{}”，不能{}；当前可办理：{} / the case is {state}: `{action}` is not allowed; allowed now: {}",
        state.name_zh(), action.name_zh(), zh_list(allowed), en_list(allowed)
    )]
    NotAllowedNow {
        state: CaseState,
        action: ActionName,
        allowed: Vec<ActionName>,
    },
    #[error("{}须由{}办理 / `{action}` needs the role `{role}`", action.name_zh(), role.name_zh())]
    RoleRequired { action: ActionName, role: Role },
    #[error("尚缺必交材料：{} / required materials missing: {}", .missing.join("、"), .missing.join(", "))]
    MaterialsMissing { missing: Vec<String> },
    #[error("{field_zh}不能为空 / {field} is required")]
    Required {
        field: &'static str,
        field_zh: &'static str,
    },
    #[error(
        "延期只能批准一次（《行政许可法》第四十二条） / an extension is granted once only (Administrative Licensing Law, Art 42)"
    )]
    ExtensionAlreadyGranted,
    #[error("延期不得超过{limit}个工作日 / an extension may add at most {limit} working days")]
    ExtensionTooLong { limit: u32 },
    #[error("只能退回到此前的环节 / a case returns only to an earlier step of its item")]
    NotAnEarlierStep,
    #[error("办件与所给事项不符 / the item given is not the case's item")]
    WrongItem,
    #[error("特别程序时间须为1至365个工作日 / a special procedure states 1 to 365 working days")]
    BadStatedDays,
    #[error(
        "申请人网上只能补正材料或撤回申请，{}须由窗口办理 / online, the applicant may only supplement or withdraw; `{action}` is done by the office",
        action.name_zh()
    )]
    NotForApplicant { action: ActionName },
}

fn zh_list(actions: &[ActionName]) -> String {
    if actions.is_empty() {
        return "无".to_owned();
    }
    actions
        .iter()
        .map(|a| a.name_zh())
        .collect::<Vec<_>>()
        .join("、")
}

fn en_list(actions: &[ActionName]) -> String {
    if actions.is_empty() {
        return "none".to_owned();
    }
    actions
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The actions the case allows in its state, whoever asks.
pub fn allowed_actions(case: &Case, item: &ServiceItem) -> Vec<ActionName> {
    use ActionName as A;
    let before_acceptance = case.accepted_at.is_none();
    match case.state {
        CaseState::Submitted => {
            let mut actions = vec![A::Accept, A::RefuseIntake, A::RequestSupplement];
            if item.on_the_spot {
                actions.push(A::ConcludeOnTheSpot);
            }
            actions.push(A::Withdraw);
            actions
        }
        CaseState::AwaitingSupplement if before_acceptance => {
            vec![A::Supplement, A::RefuseIntake, A::Withdraw]
        }
        CaseState::AwaitingSupplement => vec![A::Supplement, A::Withdraw],
        CaseState::Handling | CaseState::Reviewing | CaseState::Deciding => {
            let mut actions = match case.state {
                CaseState::Handling => vec![A::Handle],
                CaseState::Reviewing => vec![A::Review],
                _ => vec![A::Approve, A::Deny],
            };
            actions.push(A::RequestSupplement);
            if earlier_steps(case.state, item).next().is_some() {
                actions.push(A::Return);
            }
            actions.push(A::StartSpecialProcedure);
            if case.extensions_granted == 0 {
                actions.push(A::GrantExtension);
            }
            actions.push(A::Withdraw);
            actions
        }
        CaseState::SpecialProcedure => vec![A::EndSpecialProcedure, A::Withdraw],
        CaseState::Decided => vec![A::Conclude],
        CaseState::Concluded | CaseState::Refused | CaseState::Withdrawn => vec![],
    }
}

fn earlier_steps(state: CaseState, item: &ServiceItem) -> impl Iterator<Item = StepKind> + '_ {
    let current = state.step();
    item.steps
        .iter()
        .map(|s| s.kind)
        .filter(move |k| current.is_some_and(|c| *k < c))
}

/// The role an action needs on this case now.
fn required_role(case: &Case, action: ActionName, item: &ServiceItem) -> Role {
    let step_role = |kind: StepKind| item.step(kind).map_or(Role::Approver, |s| s.role);
    let current_step_role = |state: CaseState| state.step().map_or(Role::Approver, step_role);
    match action {
        ActionName::Accept
        | ActionName::RefuseIntake
        | ActionName::Supplement
        | ActionName::Conclude
        | ActionName::ConcludeOnTheSpot
        | ActionName::Withdraw => Role::WindowClerk,
        ActionName::RequestSupplement if case.accepted_at.is_none() => Role::WindowClerk,
        ActionName::Handle => step_role(StepKind::Handle),
        ActionName::Review => step_role(StepKind::Review),
        ActionName::Approve | ActionName::Deny => step_role(StepKind::Approve),
        ActionName::RequestSupplement | ActionName::Return | ActionName::StartSpecialProcedure => {
            current_step_role(case.state)
        }
        ActionName::EndSpecialProcedure => {
            current_step_role(case.resume_state.unwrap_or(case.state))
        }
        ActionName::GrantExtension => Role::Approver,
    }
}

fn required(text: &str, field: &'static str, field_zh: &'static str) -> Result<(), WorkflowError> {
    if text.trim().is_empty() {
        Err(WorkflowError::Required { field, field_zh })
    } else {
        Ok(())
    }
}

fn required_list(
    list: &[String],
    field: &'static str,
    field_zh: &'static str,
) -> Result<(), WorkflowError> {
    if list.iter().all(|s| s.trim().is_empty()) {
        Err(WorkflowError::Required { field, field_zh })
    } else {
        Ok(())
    }
}

fn clean(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// The step after `kind` in the item's procedure (the decision step always exists).
fn next_step(item: &ServiceItem, kind: StepKind) -> StepKind {
    item.step_after(kind).map_or(StepKind::Approve, |s| s.kind)
}

/// Decides what `action` does to `case`: the events to append, or why not.
pub fn decide(
    case: &Case,
    action: &Action,
    ctx: &Context<'_>,
) -> Result<Vec<EventKind>, WorkflowError> {
    let item = ctx.item;
    if item.code != case.item_code {
        return Err(WorkflowError::WrongItem);
    }
    let name = action.name();
    // Art 42 allows one extension: say so, rather than only that it is not allowed now.
    if name == ActionName::GrantExtension
        && case.extensions_granted > 0
        && case.state.step().is_some()
    {
        return Err(WorkflowError::ExtensionAlreadyGranted);
    }
    let allowed = allowed_actions(case, item);
    if !allowed.contains(&name) {
        return Err(WorkflowError::NotAllowedNow {
            state: case.state,
            action: name,
            allowed,
        });
    }
    let role = required_role(case, name, item);
    if !ctx.actor.has_role(role) {
        return Err(WorkflowError::RoleRequired { action: name, role });
    }
    events_of(case, action, item)
}

/// The actions an applicant signed in online may take on their own case: supplying what a
/// one-time notice asked for, and withdrawing. Everything else is the office's work.
pub const APPLICANT_ACTIONS: [ActionName; 2] = [ActionName::Supplement, ActionName::Withdraw];

/// Decides an action the applicant takes online on their own case (the caller has checked
/// that the signed-in phone is the case's).
pub fn decide_for_applicant(
    case: &Case,
    action: &Action,
    item: &ServiceItem,
) -> Result<Vec<EventKind>, WorkflowError> {
    if item.code != case.item_code {
        return Err(WorkflowError::WrongItem);
    }
    let name = action.name();
    if !APPLICANT_ACTIONS.contains(&name) {
        return Err(WorkflowError::NotForApplicant { action: name });
    }
    let allowed = allowed_actions(case, item);
    if !allowed.contains(&name) {
        return Err(WorkflowError::NotAllowedNow {
            state: case.state,
            action: name,
            allowed: allowed
                .into_iter()
                .filter(|a| APPLICANT_ACTIONS.contains(a))
                .collect(),
        });
    }
    events_of(case, action, item)
}

/// The events an allowed action produces, its data checked.
fn events_of(
    case: &Case,
    action: &Action,
    item: &ServiceItem,
) -> Result<Vec<EventKind>, WorkflowError> {
    let first_step = item.first_step().map_or(StepKind::Approve, |s| s.kind);
    let events = match action {
        Action::Accept => {
            let missing = case.missing_materials(item);
            if !missing.is_empty() {
                return Err(WorkflowError::MaterialsMissing {
                    missing: missing.into_iter().map(str::to_owned).collect(),
                });
            }
            vec![EventKind::Accepted { first_step }]
        }
        Action::RefuseIntake {
            reason,
            legal_basis,
        } => {
            required(reason, "reason", "不予受理理由")?;
            required(legal_basis, "legal_basis", "法律依据")?;
            vec![EventKind::IntakeRefused {
                reason: reason.trim().into(),
                legal_basis: legal_basis.trim().into(),
            }]
        }
        Action::RequestSupplement { missing } => {
            required_list(missing, "missing", "需补正材料")?;
            vec![EventKind::SupplementRequested {
                missing: clean(missing),
                stops_clock: case.accepted_at.is_some(),
            }]
        }
        Action::Supplement { received } => {
            required_list(received, "received", "补正材料")?;
            vec![EventKind::Supplemented {
                received: clean(received),
            }]
        }
        Action::Handle { opinion } => {
            required(opinion, "opinion", "承办意见")?;
            vec![EventKind::Handled {
                opinion: opinion.trim().into(),
                next_step: next_step(item, StepKind::Handle),
            }]
        }
        Action::Review { opinion } => {
            required(opinion, "opinion", "审核意见")?;
            vec![EventKind::Reviewed {
                opinion: opinion.trim().into(),
                next_step: next_step(item, StepKind::Review),
            }]
        }
        Action::Approve { opinion } => {
            required(opinion, "opinion", "批准意见")?;
            vec![EventKind::Approved {
                opinion: opinion.trim().into(),
            }]
        }
        Action::Deny {
            reason,
            legal_basis,
        } => {
            required(reason, "reason", "不予许可理由")?;
            required(legal_basis, "legal_basis", "法律依据")?;
            vec![EventKind::Denied {
                reason: reason.trim().into(),
                legal_basis: legal_basis.trim().into(),
            }]
        }
        Action::Conclude { delivery } => {
            required(delivery, "delivery", "送达方式")?;
            vec![EventKind::Concluded {
                delivery: delivery.trim().into(),
                on_the_spot: false,
            }]
        }
        Action::ConcludeOnTheSpot { delivery } => {
            let missing = case.missing_materials(item);
            if !missing.is_empty() {
                return Err(WorkflowError::MaterialsMissing {
                    missing: missing.into_iter().map(str::to_owned).collect(),
                });
            }
            required(delivery, "delivery", "送达方式")?;
            vec![
                EventKind::Accepted { first_step },
                EventKind::Approved {
                    opinion: "当场审批 / decided on the spot".into(),
                },
                EventKind::Concluded {
                    delivery: delivery.trim().into(),
                    on_the_spot: true,
                },
            ]
        }
        Action::Return { to, reason } => {
            if !earlier_steps(case.state, item).any(|k| k == *to) {
                return Err(WorkflowError::NotAnEarlierStep);
            }
            required(reason, "reason", "退回理由")?;
            vec![EventKind::Returned {
                to: *to,
                reason: reason.trim().into(),
            }]
        }
        Action::StartSpecialProcedure {
            procedure,
            stated_days,
            reason,
        } => {
            if !(1..=365).contains(stated_days) {
                return Err(WorkflowError::BadStatedDays);
            }
            required(reason, "reason", "特别程序事由")?;
            vec![EventKind::SpecialProcedureStarted {
                procedure: *procedure,
                stated_days: *stated_days,
                reason: reason.trim().into(),
            }]
        }
        Action::EndSpecialProcedure { result } => {
            required(result, "result", "特别程序结果")?;
            vec![EventKind::SpecialProcedureEnded {
                result: result.trim().into(),
            }]
        }
        Action::GrantExtension { days, reason } => {
            if *days == 0 {
                return Err(WorkflowError::Required {
                    field: "days",
                    field_zh: "延期天数",
                });
            }
            if *days > item.extension_limit_days {
                return Err(WorkflowError::ExtensionTooLong {
                    limit: item.extension_limit_days,
                });
            }
            required(reason, "reason", "延期理由")?;
            vec![EventKind::ExtensionGranted {
                days: *days,
                reason: reason.trim().into(),
            }]
        }
        Action::Withdraw { reason } => {
            required(reason, "reason", "撤回理由")?;
            vec![EventKind::Withdrawn {
                reason: reason.trim().into(),
            }]
        }
    };
    Ok(events)
}
