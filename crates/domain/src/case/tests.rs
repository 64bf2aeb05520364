//! Specification tests of the case engine: the state machine, roles, supplements, special
//! procedures, extensions, returns, deadlines on the shipped calendar, the audit chain, and a
//! property test over random histories.
//!
//! Cases are built the way a store builds them: `decide` an action, seal each event with
//! `CaseEvent::seal` onto the chain, and `Case::apply` it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::deadline::{case_clock, step_clock};
use super::event::{ChainBreak, GENESIS_HASH, verify_chain};
use super::*;
use crate::case::fixtures::*;
use crate::catalog::tests::on_the_spot;
use crate::catalog::{ServiceItem, StepKind};
use crate::ids::{PhoneNumber, ResidentId};
use crate::organization::{Actor, Role, StaffId, UnitId};

use super::ActionName as A;

// ---------------------------------------------------------------------------------------
// Fixtures

const NUMBER: &str = "20307-20251103-0001";

fn staff(roles: &[Role]) -> Actor {
    Actor {
        staff_id: StaffId(7),
        unit_id: UnitId(3),
        department_id: None,
        roles: roles.to_vec(),
    }
}

/// 即办件: one approve step held by the window clerk, committed 0 days.
fn an_on_the_spot_item() -> ServiceItem {
    on_the_spot("XK00002000")
}

fn with_committed(item: ServiceItem, days: u32) -> ServiceItem {
    ServiceItem {
        committed_days: days,
        ..item
    }
}

fn accept() -> Action {
    Action::Accept
}
fn refuse_intake() -> Action {
    Action::RefuseIntake {
        reason: "不属于本机关职权范围".into(),
        legal_basis: "《中华人民共和国行政许可法》第三十二条".into(),
    }
}
fn request_supplement(missing: &[&str]) -> Action {
    Action::RequestSupplement {
        missing: missing.iter().map(|s| (*s).to_owned()).collect(),
    }
}
fn supplement(received: &[&str]) -> Action {
    Action::Supplement {
        received: received.iter().map(|s| (*s).to_owned()).collect(),
    }
}
fn deny() -> Action {
    Action::Deny {
        reason: "经营场所不符合要求".into(),
        legal_basis: "《食品安全法》第三十五条".into(),
    }
}
fn conclude_on_the_spot() -> Action {
    Action::ConcludeOnTheSpot {
        delivery: "当场领取".into(),
    }
}

/// A case and its sealed history, kept the way a store keeps them.
#[derive(Debug, Clone)]
struct Story {
    item: ServiceItem,
    case: Case,
    events: Vec<CaseEvent>,
    /// When the next `act` happens; each `act` moves it on by ten minutes.
    now: DateTime<Utc>,
}

impl Story {
    /// An application received with every material of the item.
    fn new(item: ServiceItem, at: DateTime<Utc>) -> Story {
        let materials = item.materials.iter().map(|m| m.name.clone()).collect();
        Story::with_materials(item, at, materials)
    }

    fn with_materials(item: ServiceItem, at: DateTime<Utc>, materials: Vec<String>) -> Story {
        let kind = EventKind::Received {
            applicant: Applicant::Person {
                name: "张三".into(),
                resident_id: ResidentId::parse("11010519491231002X").unwrap(),
            },
            phone: PhoneNumber::parse("13800138000").unwrap(),
            item_code: item.code.clone(),
            item_version: 1,
            channel: Channel::Window,
            materials,
        };
        let draft = EventDraft {
            at,
            actor: Some(StaffId(1)),
            unit: UnitId(3),
            comment: "收件".into(),
            kind,
        };
        let event = CaseEvent::seal(NUMBER, GENESIS_HASH, 1, draft);
        let case = Case::replay([&event]).unwrap();
        Story {
            item,
            case,
            events: vec![event],
            now: at + TimeDelta::minutes(10),
        }
    }

    fn head(&self) -> String {
        self.events
            .last()
            .map_or(GENESIS_HASH, |e| e.hash.as_str())
            .to_owned()
    }

    /// Seals one event onto the chain and folds it in.
    fn record(
        &mut self,
        kind: EventKind,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<(), HistoryError> {
        let seq = self.case.version + 1;
        let comment = format!("{} by {}", kind.type_name(), actor.staff_id);
        let draft = EventDraft {
            at,
            actor: Some(actor.staff_id),
            unit: actor.unit_id,
            comment,
            kind,
        };
        let event = CaseEvent::seal(NUMBER, &self.head(), seq, draft);
        self.case.apply(&event)?;
        self.events.push(event);
        Ok(())
    }

    fn decide_by(
        &self,
        actor: &Actor,
        action: &Action,
        at: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, WorkflowError> {
        decide(
            &self.case,
            action,
            &Context {
                now: at,
                actor,
                item: &self.item,
            },
        )
    }

    /// Decides as `actor` at `at` and, if allowed, records the events.
    fn try_act_by(
        &mut self,
        actor: &Actor,
        action: Action,
        at: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, WorkflowError> {
        let kinds = self.decide_by(actor, &action, at)?;
        for kind in kinds.clone() {
            self.record(kind, at, actor).expect("decided events apply");
        }
        self.now = at + TimeDelta::minutes(10);
        Ok(kinds)
    }

    fn try_act(&mut self, role: Role, action: Action) -> Result<Vec<EventKind>, WorkflowError> {
        self.try_act_by(&staff(&[role]), action, self.now)
    }

    fn act_at(&mut self, at: DateTime<Utc>, role: Role, action: Action) -> Vec<EventKind> {
        let name = action.name();
        self.try_act_by(&staff(&[role]), action, at)
            .unwrap_or_else(|e| unreachable!("{name} by {role} refused: {e}"))
    }

    fn act(&mut self, role: Role, action: Action) -> Vec<EventKind> {
        self.act_at(self.now, role, action)
    }

    /// Builder form of `act`.
    fn then(mut self, role: Role, action: Action) -> Story {
        self.act(role, action);
        self
    }

    fn allowed(&self) -> Vec<ActionName> {
        allowed_actions(&self.case, &self.item)
    }

    fn clock(&self, at: DateTime<Utc>) -> ClockReading {
        case_clock(
            &self.case,
            &self.item,
            &CALENDAR,
            &WarningRules::default(),
            at,
        )
        .expect("the case was accepted")
    }

    fn step_clock(&self, at: DateTime<Utc>) -> ClockReading {
        step_clock(
            &self.case,
            &self.item,
            &CALENDAR,
            &WarningRules::default(),
            at,
        )
        .expect("the case is at a step")
    }
}

// ---------------------------------------------------------------------------------------
// 1. Every state × every action

/// All fifteen actions, in declaration order (see `position`, which keeps this complete).
const ALL_ACTIONS: [ActionName; 15] = [
    A::Accept,
    A::RefuseIntake,
    A::RequestSupplement,
    A::Supplement,
    A::Handle,
    A::Review,
    A::Approve,
    A::Deny,
    A::Conclude,
    A::ConcludeOnTheSpot,
    A::Return,
    A::StartSpecialProcedure,
    A::EndSpecialProcedure,
    A::GrantExtension,
    A::Withdraw,
];

/// Exhaustive: a new action fails to compile here until it is added to `ALL_ACTIONS`.
fn position(name: ActionName) -> usize {
    match name {
        A::Accept => 0,
        A::RefuseIntake => 1,
        A::RequestSupplement => 2,
        A::Supplement => 3,
        A::Handle => 4,
        A::Review => 5,
        A::Approve => 6,
        A::Deny => 7,
        A::Conclude => 8,
        A::ConcludeOnTheSpot => 9,
        A::Return => 10,
        A::StartSpecialProcedure => 11,
        A::EndSpecialProcedure => 12,
        A::GrantExtension => 13,
        A::Withdraw => 14,
    }
}

/// A well-formed instance of each action for a case of `item`.
fn sample_action(name: ActionName, item: &ServiceItem) -> Action {
    match name {
        A::Accept => accept(),
        A::RefuseIntake => refuse_intake(),
        A::RequestSupplement => request_supplement(&["身份证明"]),
        A::Supplement => Action::Supplement {
            received: item.materials.iter().map(|m| m.name.clone()).collect(),
        },
        A::Handle => handle(),
        A::Review => review(),
        A::Approve => approve(),
        A::Deny => deny(),
        A::Conclude => conclude(),
        A::ConcludeOnTheSpot => conclude_on_the_spot(),
        A::Return => return_to(item.first_step().map_or(StepKind::Handle, |s| s.kind)),
        A::StartSpecialProcedure => start_special(10),
        A::EndSpecialProcedure => end_special(),
        A::GrantExtension => extend(5),
        A::Withdraw => withdraw(),
    }
}

fn submitted() -> Story {
    Story::new(a_licence(), china(2025, 11, 3, 9, 30))
}
fn submitted_on_the_spot() -> Story {
    Story::new(an_on_the_spot_item(), china(2025, 11, 3, 9, 30))
}
fn awaiting_supplement_before_acceptance() -> Story {
    submitted().then(Role::WindowClerk, request_supplement(&["身份证明"]))
}
fn handling() -> Story {
    submitted().then(Role::WindowClerk, accept())
}
fn handling_after_an_extension() -> Story {
    handling().then(Role::Approver, extend(5))
}
fn reviewing() -> Story {
    handling().then(Role::HandlingOfficer, handle())
}
fn deciding() -> Story {
    reviewing().then(Role::Reviewer, review())
}
fn deciding_without_review() -> Story {
    Story::new(a_licence_without_review(), china(2025, 11, 3, 9, 30))
        .then(Role::WindowClerk, accept())
        .then(Role::HandlingOfficer, handle())
}
fn deciding_an_on_the_spot_item_accepted_normally() -> Story {
    submitted_on_the_spot().then(Role::WindowClerk, accept())
}
fn awaiting_supplement_after_acceptance() -> Story {
    reviewing().then(Role::Reviewer, request_supplement(&["身份证明"]))
}
fn in_special_procedure() -> Story {
    reviewing().then(Role::Reviewer, start_special(10))
}
fn decided() -> Story {
    deciding().then(Role::Approver, approve())
}
fn concluded() -> Story {
    decided().then(Role::WindowClerk, conclude())
}
fn concluded_on_the_spot() -> Story {
    submitted_on_the_spot().then(Role::WindowClerk, conclude_on_the_spot())
}
fn refused() -> Story {
    submitted().then(Role::WindowClerk, refuse_intake())
}
fn refused_while_awaiting_supplement() -> Story {
    awaiting_supplement_before_acceptance().then(Role::WindowClerk, refuse_intake())
}
fn withdrawn_before_acceptance() -> Story {
    submitted().then(Role::WindowClerk, withdraw())
}
fn withdrawn_in_special_procedure() -> Story {
    in_special_procedure().then(Role::WindowClerk, withdraw())
}

struct Row {
    given: &'static str,
    build: fn() -> Story,
    state: CaseState,
    allowed: &'static [ActionName],
}

/// The state machine as a table: a change to `allowed_actions` shows up as a diff here.
#[rustfmt::skip]
const STATE_TABLE: &[Row] = &[
    Row { given: "a licence application just received", build: submitted, state: CaseState::Submitted,
          allowed: &[A::Accept, A::RefuseIntake, A::RequestSupplement, A::Withdraw] },
    Row { given: "an on-the-spot application just received", build: submitted_on_the_spot, state: CaseState::Submitted,
          allowed: &[A::Accept, A::RefuseIntake, A::RequestSupplement, A::ConcludeOnTheSpot, A::Withdraw] },
    Row { given: "a supplement notice before acceptance", build: awaiting_supplement_before_acceptance, state: CaseState::AwaitingSupplement,
          allowed: &[A::Supplement, A::RefuseIntake, A::Withdraw] },
    Row { given: "an accepted licence at its first step", build: handling, state: CaseState::Handling,
          allowed: &[A::Handle, A::RequestSupplement, A::StartSpecialProcedure, A::GrantExtension, A::Withdraw] },
    Row { given: "a case being handled after its extension", build: handling_after_an_extension, state: CaseState::Handling,
          allowed: &[A::Handle, A::RequestSupplement, A::StartSpecialProcedure, A::Withdraw] },
    Row { given: "a handled licence", build: reviewing, state: CaseState::Reviewing,
          allowed: &[A::Review, A::RequestSupplement, A::Return, A::StartSpecialProcedure, A::GrantExtension, A::Withdraw] },
    Row { given: "a reviewed licence", build: deciding, state: CaseState::Deciding,
          allowed: &[A::Approve, A::Deny, A::RequestSupplement, A::Return, A::StartSpecialProcedure, A::GrantExtension, A::Withdraw] },
    Row { given: "a handled licence without a review step", build: deciding_without_review, state: CaseState::Deciding,
          allowed: &[A::Approve, A::Deny, A::RequestSupplement, A::Return, A::StartSpecialProcedure, A::GrantExtension, A::Withdraw] },
    Row { given: "an on-the-spot item accepted the long way", build: deciding_an_on_the_spot_item_accepted_normally, state: CaseState::Deciding,
          allowed: &[A::Approve, A::Deny, A::RequestSupplement, A::StartSpecialProcedure, A::GrantExtension, A::Withdraw] },
    Row { given: "a supplement notice after acceptance", build: awaiting_supplement_after_acceptance, state: CaseState::AwaitingSupplement,
          allowed: &[A::Supplement, A::Withdraw] },
    Row { given: "a special procedure running", build: in_special_procedure, state: CaseState::SpecialProcedure,
          allowed: &[A::EndSpecialProcedure, A::Withdraw] },
    Row { given: "an approved licence", build: decided, state: CaseState::Decided,
          allowed: &[A::Conclude] },
    Row { given: "a concluded licence", build: concluded, state: CaseState::Concluded,
          allowed: &[] },
    Row { given: "an on-the-spot case concluded at the window", build: concluded_on_the_spot, state: CaseState::Concluded,
          allowed: &[] },
    Row { given: "a refused application", build: refused, state: CaseState::Refused,
          allowed: &[] },
    Row { given: "an application refused while awaiting supplement", build: refused_while_awaiting_supplement, state: CaseState::Refused,
          allowed: &[] },
    Row { given: "an application withdrawn before acceptance", build: withdrawn_before_acceptance, state: CaseState::Withdrawn,
          allowed: &[] },
    Row { given: "a case withdrawn during a special procedure", build: withdrawn_in_special_procedure, state: CaseState::Withdrawn,
          allowed: &[] },
];

#[test]
fn the_action_list_names_each_of_the_fifteen_actions_once() {
    for (index, name) in ALL_ACTIONS.iter().enumerate() {
        assert_eq!(position(*name), index, "{name}");
        assert_eq!(sample_action(*name, &a_licence()).name(), *name);
    }
}

#[test]
fn the_state_table_reaches_every_state_of_a_case() {
    for state in CaseState::ALL {
        assert!(
            STATE_TABLE.iter().any(|row| row.state == state),
            "no row for {state}"
        );
    }
}

#[test]
fn given_each_reachable_state_when_any_of_the_fifteen_actions_is_asked_then_it_succeeds_or_is_not_allowed_now()
 {
    for row in STATE_TABLE {
        let story = (row.build)();
        let given = row.given;
        assert_eq!(story.case.state, row.state, "given {given}");
        assert_eq!(story.allowed(), row.allowed.to_vec(), "given {given}");
        assert_eq!(
            story.case.state.is_closed(),
            row.allowed.is_empty(),
            "given {given}"
        );
        for name in ALL_ACTIONS {
            let action = sample_action(name, &story.item);
            let by_everyone = story.decide_by(&everyone(), &action, story.now);
            let by_nobody = story.decide_by(&staff(&[]), &action, story.now);
            if row.allowed.contains(&name) {
                let kinds = by_everyone
                    .unwrap_or_else(|e| unreachable!("given {given}, {name} refused: {e}"));
                assert!(!kinds.is_empty(), "given {given}, {name}");
                assert!(
                    matches!(by_nobody, Err(WorkflowError::RoleRequired { action, .. }) if action == name),
                    "given {given}, {name} by someone without roles: {by_nobody:?}"
                );
                // The events apply like a store would apply them, and replay to the same case.
                let mut after = story.clone();
                after.try_act_by(&everyone(), action, story.now).unwrap();
                assert_eq!(
                    Case::replay(&after.events).unwrap(),
                    after.case,
                    "given {given}, {name}"
                );
            } else {
                let second_extension = name == ActionName::GrantExtension
                    && story.case.extensions_granted > 0
                    && row.state.step().is_some();
                let expected = if second_extension {
                    // Refused with the law's reason rather than "not allowed now".
                    Err(WorkflowError::ExtensionAlreadyGranted)
                } else {
                    Err(WorkflowError::NotAllowedNow {
                        state: row.state,
                        action: name,
                        allowed: allowed_actions(&story.case, &story.item),
                    })
                };
                assert_eq!(by_everyone, expected, "given {given}, {name}");
                // The state is checked before the role.
                assert_eq!(
                    by_nobody, expected,
                    "given {given}, {name} by someone without roles"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. Happy paths

#[test]
fn given_a_licence_when_accepted_handled_reviewed_approved_and_concluded_by_the_right_roles_then_it_closes_approved()
 {
    let mut s = Story::new(a_licence(), china(2025, 11, 3, 9, 30));
    assert_eq!(s.case.state, CaseState::Submitted);
    assert_eq!(s.case.version, 1);

    let at = china(2025, 11, 3, 10, 0);
    assert_eq!(
        s.act_at(at, Role::WindowClerk, accept()),
        vec![EventKind::Accepted {
            first_step: StepKind::Handle
        }]
    );
    assert_eq!(
        (s.case.state, s.case.accepted_at, s.case.step_started_at),
        (CaseState::Handling, Some(at), Some(at))
    );

    let at = china(2025, 11, 5, 15, 0);
    assert_eq!(
        s.act_at(at, Role::HandlingOfficer, handle()),
        vec![EventKind::Handled {
            opinion: "材料齐全，符合条件".into(),
            next_step: StepKind::Review
        }]
    );
    assert_eq!(
        (s.case.state, s.case.step_started_at),
        (CaseState::Reviewing, Some(at))
    );

    let at = china(2025, 11, 6, 11, 0);
    assert_eq!(
        s.act_at(at, Role::Reviewer, review()),
        vec![EventKind::Reviewed {
            opinion: "同意承办意见".into(),
            next_step: StepKind::Approve
        }]
    );
    assert_eq!(
        (s.case.state, s.case.step_started_at),
        (CaseState::Deciding, Some(at))
    );

    let decided_at = china(2025, 11, 7, 9, 15);
    assert_eq!(
        s.act_at(decided_at, Role::Approver, approve()),
        vec![EventKind::Approved {
            opinion: "准予许可".into()
        }]
    );
    assert_eq!(s.case.state, CaseState::Decided);
    assert_eq!(
        (s.case.outcome, s.case.decided_at, s.case.closed_at),
        (Some(Outcome::Approved), Some(decided_at), None)
    );

    let closed_at = china(2025, 11, 10, 14, 0);
    assert_eq!(
        s.act_at(closed_at, Role::WindowClerk, conclude()),
        vec![EventKind::Concluded {
            delivery: "窗口领取".into(),
            on_the_spot: false,
        }]
    );
    assert_eq!(s.case.state, CaseState::Concluded);
    assert_eq!(s.case.closed_at, Some(closed_at));
    assert_eq!(s.case.version, 6);
    assert!(s.allowed().is_empty());
    assert_eq!(
        (
            s.case.returns,
            s.case.supplement_notices,
            s.case.extensions_granted
        ),
        (0, 0, 0)
    );
    assert!(s.case.pauses.is_empty());
}

#[test]
fn given_an_item_without_a_review_step_when_handled_then_it_skips_reviewing_and_awaits_the_decision()
 {
    let mut s = Story::new(a_licence_without_review(), china(2025, 11, 3, 9, 30));
    s.act(Role::WindowClerk, accept());
    assert_eq!(
        s.act(Role::HandlingOfficer, handle()),
        vec![EventKind::Handled {
            opinion: "材料齐全，符合条件".into(),
            next_step: StepKind::Approve
        }]
    );
    assert_eq!(s.case.state, CaseState::Deciding);
    s.act(Role::Approver, approve());
    s.act(Role::WindowClerk, conclude());
    assert_eq!(s.case.state, CaseState::Concluded);
    assert!(
        !s.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Reviewed { .. }))
    );
}

#[test]
fn given_an_on_the_spot_item_when_the_window_concludes_on_the_spot_then_one_action_yields_accepted_approved_concluded()
 {
    let mut s = Story::new(an_on_the_spot_item(), china(2025, 11, 3, 9, 30));
    let at = china(2025, 11, 3, 9, 40);
    let kinds = s.act_at(
        at,
        Role::WindowClerk,
        Action::ConcludeOnTheSpot {
            delivery: "  当场领取 ".into(),
        },
    );
    assert_eq!(
        kinds,
        vec![
            EventKind::Accepted {
                first_step: StepKind::Approve
            },
            EventKind::Approved {
                opinion: "当场审批 / decided on the spot".into()
            },
            EventKind::Concluded {
                delivery: "当场领取".into(),
                on_the_spot: true,
            },
        ]
    );
    assert_eq!(s.case.state, CaseState::Concluded);
    assert_eq!(s.case.outcome, Some(Outcome::Approved));
    assert_eq!(
        (s.case.accepted_at, s.case.decided_at, s.case.closed_at),
        (Some(at), Some(at), Some(at))
    );
    assert_eq!(s.case.version, 4);
    assert_eq!(
        s.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
}

#[test]
fn given_a_licence_when_the_window_tries_to_conclude_on_the_spot_then_it_is_not_allowed_now() {
    let s = submitted();
    let result = s.decide_by(&everyone(), &conclude_on_the_spot(), s.now);
    assert!(
        matches!(
            result,
            Err(WorkflowError::NotAllowedNow {
                action: A::ConcludeOnTheSpot,
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn given_an_on_the_spot_application_missing_a_material_when_concluded_on_the_spot_then_materials_missing()
 {
    let s = Story::with_materials(
        an_on_the_spot_item(),
        china(2025, 11, 3, 9, 30),
        vec!["申请书".into()],
    );
    assert_eq!(
        s.decide_by(&staff(&[Role::WindowClerk]), &conclude_on_the_spot(), s.now),
        Err(WorkflowError::MaterialsMissing {
            missing: vec!["营业执照".into()]
        })
    );
}

#[test]
fn given_a_case_to_decide_when_denied_then_reason_and_legal_basis_are_both_required() {
    let mut s = deciding();
    let approver = staff(&[Role::Approver]);
    let no_reason = Action::Deny {
        reason: "  ".into(),
        legal_basis: "《食品安全法》第三十五条".into(),
    };
    assert_eq!(
        s.decide_by(&approver, &no_reason, s.now),
        Err(WorkflowError::Required {
            field: "reason",
            field_zh: "不予许可理由"
        })
    );
    let no_basis = Action::Deny {
        reason: "经营场所不符合要求".into(),
        legal_basis: String::new(),
    };
    assert_eq!(
        s.decide_by(&approver, &no_basis, s.now),
        Err(WorkflowError::Required {
            field: "legal_basis",
            field_zh: "法律依据"
        })
    );
    let padded = Action::Deny {
        reason: " 经营场所不符合要求 ".into(),
        legal_basis: " 《食品安全法》第三十五条\n".into(),
    };
    assert_eq!(
        s.act(Role::Approver, padded),
        vec![EventKind::Denied {
            reason: "经营场所不符合要求".into(),
            legal_basis: "《食品安全法》第三十五条".into()
        }]
    );
    assert_eq!(
        (s.case.state, s.case.outcome),
        (CaseState::Decided, Some(Outcome::Denied))
    );
    s.act(Role::WindowClerk, conclude());
    assert_eq!(
        (s.case.state, s.case.outcome),
        (CaseState::Concluded, Some(Outcome::Denied))
    );
}

#[test]
fn given_an_application_when_intake_is_refused_then_reason_and_legal_basis_are_both_required() {
    let mut s = submitted();
    let clerk = staff(&[Role::WindowClerk]);
    let no_reason = Action::RefuseIntake {
        reason: String::new(),
        legal_basis: "《行政许可法》第三十二条".into(),
    };
    assert_eq!(
        s.decide_by(&clerk, &no_reason, s.now),
        Err(WorkflowError::Required {
            field: "reason",
            field_zh: "不予受理理由"
        })
    );
    let no_basis = Action::RefuseIntake {
        reason: "不属于本机关职权范围".into(),
        legal_basis: " \t ".into(),
    };
    assert_eq!(
        s.decide_by(&clerk, &no_basis, s.now),
        Err(WorkflowError::Required {
            field: "legal_basis",
            field_zh: "法律依据"
        })
    );
    let at = china(2025, 11, 3, 11, 0);
    s.act_at(at, Role::WindowClerk, refuse_intake());
    assert_eq!(
        (s.case.state, s.case.closed_at, s.case.accepted_at),
        (CaseState::Refused, Some(at), None)
    );
    assert!(case_clock(&s.case, &s.item, &CALENDAR, &WarningRules::default(), at).is_none());
}

// ---------------------------------------------------------------------------------------
// 3. Roles

#[test]
fn given_a_case_being_handled_when_a_reviewer_handles_it_then_the_handling_officer_role_is_required()
 {
    let mut s = handling();
    let result = s.try_act(Role::Reviewer, handle());
    assert_eq!(
        result,
        Err(WorkflowError::RoleRequired {
            action: A::Handle,
            role: Role::HandlingOfficer
        })
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "承办须由承办人办理 / `handle` needs the role `handling_officer`"
    );
    assert_eq!(s.case.state, CaseState::Handling);
    assert_eq!(s.case.version, 2);
}

#[test]
fn given_a_licence_to_decide_when_a_window_clerk_approves_or_denies_then_the_approver_role_is_required()
 {
    let s = deciding();
    let clerk = staff(&[Role::WindowClerk]);
    assert_eq!(
        s.decide_by(&clerk, &approve(), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::Approve,
            role: Role::Approver
        })
    );
    assert_eq!(
        s.decide_by(&clerk, &deny(), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::Deny,
            role: Role::Approver
        })
    );
    assert!(
        s.decide_by(&staff(&[Role::Approver]), &approve(), s.now)
            .is_ok()
    );
}

#[test]
fn given_a_window_authorised_item_when_the_window_clerk_approves_then_the_clerk_decides_and_an_approver_may_not()
 {
    let mut s = Story::new(a_window_authorised_licence(), china(2025, 11, 3, 9, 30))
        .then(Role::WindowClerk, accept())
        .then(Role::HandlingOfficer, handle());
    assert_eq!(s.case.state, CaseState::Deciding);
    assert_eq!(
        s.decide_by(&staff(&[Role::Approver]), &approve(), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::Approve,
            role: Role::WindowClerk
        })
    );
    s.act(Role::WindowClerk, approve());
    assert_eq!(s.case.outcome, Some(Outcome::Approved));
}

/// Documents current behaviour: the approve step's role, not the `window_authorised` flag,
/// decides who approves (see the report: nothing ties the two together).
#[test]
fn given_an_item_not_flagged_window_authorised_whose_approve_step_is_the_clerks_then_the_clerk_may_still_approve()
 {
    let item = ServiceItem {
        window_authorised: false,
        ..a_window_authorised_licence()
    };
    let s = Story::new(item, china(2025, 11, 3, 9, 30))
        .then(Role::WindowClerk, accept())
        .then(Role::HandlingOfficer, handle());
    assert!(
        s.decide_by(&staff(&[Role::WindowClerk]), &approve(), s.now)
            .is_ok()
    );
}

#[test]
fn given_a_case_at_any_step_when_an_extension_is_asked_then_only_an_approver_grants_it() {
    for story in [handling(), reviewing(), deciding()] {
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Approver) {
            assert_eq!(
                story.decide_by(&staff(&[role]), &extend(5), story.now),
                Err(WorkflowError::RoleRequired {
                    action: A::GrantExtension,
                    role: Role::Approver
                }),
                "{role} at {}",
                story.case.state
            );
        }
        assert!(
            story
                .decide_by(&staff(&[Role::Approver]), &extend(5), story.now)
                .is_ok()
        );
    }
    // Even where the window holds the seal.
    let s = Story::new(a_window_authorised_licence(), china(2025, 11, 3, 9, 30))
        .then(Role::WindowClerk, accept());
    assert_eq!(
        s.decide_by(&staff(&[Role::WindowClerk]), &extend(5), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::GrantExtension,
            role: Role::Approver
        })
    );
}

#[test]
fn given_any_refusal_of_the_engine_when_shown_then_the_message_is_chinese_first_then_english() {
    let errors = vec![
        concluded()
            .decide_by(&everyone(), &accept(), china(2025, 12, 1, 10, 0))
            .unwrap_err(),
        handling()
            .decide_by(
                &staff(&[Role::Reviewer]),
                &handle(),
                china(2025, 12, 1, 10, 0),
            )
            .unwrap_err(),
        Story::with_materials(a_licence(), china(2025, 11, 3, 9, 0), vec![])
            .decide_by(&everyone(), &accept(), china(2025, 11, 3, 9, 5))
            .unwrap_err(),
        handling()
            .decide_by(
                &everyone(),
                &Action::Handle {
                    opinion: " ".into(),
                },
                china(2025, 12, 1, 10, 0),
            )
            .unwrap_err(),
        handling_after_an_extension()
            .decide_by(&everyone(), &extend(5), china(2025, 12, 1, 10, 0))
            .unwrap_err(),
        handling()
            .decide_by(&everyone(), &extend(11), china(2025, 12, 1, 10, 0))
            .unwrap_err(),
        reviewing()
            .decide_by(
                &everyone(),
                &return_to(StepKind::Approve),
                china(2025, 12, 1, 10, 0),
            )
            .unwrap_err(),
        handling()
            .decide_by(&everyone(), &start_special(0), china(2025, 12, 1, 10, 0))
            .unwrap_err(),
        WorkflowError::ExtensionAlreadyGranted,
        WorkflowError::WrongItem,
    ];
    for error in errors {
        let message = error.to_string();
        assert!(bilingual(&message), "{message}");
    }
    assert_eq!(
        concluded()
            .decide_by(&everyone(), &accept(), china(2025, 12, 1, 10, 0))
            .unwrap_err()
            .to_string(),
        "办件状态为“已办结”，不能受理；当前可办理：无 / the case is concluded: `accept` is not allowed; allowed now: none"
    );
    assert_eq!(
        decided()
            .decide_by(&everyone(), &withdraw(), china(2025, 12, 1, 10, 0))
            .unwrap_err()
            .to_string(),
        "办件状态为“已决定待送达”，不能撤回申请；当前可办理：办结 / the case is decided: `withdraw` is not allowed; allowed now: conclude"
    );
}

// ---------------------------------------------------------------------------------------
// 4. Supplements

#[test]
fn given_an_application_not_yet_accepted_when_a_supplement_is_requested_then_the_clock_is_not_stopped()
 {
    let mut s = submitted();
    assert_eq!(
        s.act(
            Role::WindowClerk,
            request_supplement(&[" 身份证明 ", "身份证明", "", "章程"])
        ),
        vec![EventKind::SupplementRequested {
            missing: vec!["身份证明".into(), "章程".into()],
            stops_clock: false
        }]
    );
    assert_eq!(s.case.state, CaseState::AwaitingSupplement);
    assert!(s.case.pauses.is_empty());
    assert_eq!(s.case.open_pause(), None);
    s.act(Role::WindowClerk, supplement(&["身份证明", "章程"]));
    assert_eq!(s.case.state, CaseState::Submitted);
    assert!(s.case.pauses.is_empty());
    assert!(s.case.materials_received.contains(&"章程".to_owned()));
}

#[test]
fn given_an_empty_supplement_notice_or_delivery_when_asked_then_the_list_is_required() {
    let s = submitted();
    let clerk = staff(&[Role::WindowClerk]);
    assert_eq!(
        s.decide_by(&clerk, &request_supplement(&[]), s.now),
        Err(WorkflowError::Required {
            field: "missing",
            field_zh: "需补正材料"
        })
    );
    assert_eq!(
        s.decide_by(&clerk, &request_supplement(&["  ", ""]), s.now),
        Err(WorkflowError::Required {
            field: "missing",
            field_zh: "需补正材料"
        })
    );
    let s = awaiting_supplement_before_acceptance();
    assert_eq!(
        s.decide_by(&clerk, &supplement(&[" "]), s.now),
        Err(WorkflowError::Required {
            field: "received",
            field_zh: "补正材料"
        })
    );
}

#[test]
fn given_an_accepted_case_when_a_supplement_is_requested_and_supplied_then_the_clock_stops_and_resumes_at_the_same_step()
 {
    let mut s = reviewing();
    let requested_at = china(2025, 11, 5, 10, 0);
    assert_eq!(
        s.act_at(
            requested_at,
            Role::Reviewer,
            request_supplement(&["身份证明"])
        ),
        vec![EventKind::SupplementRequested {
            missing: vec!["身份证明".into()],
            stops_clock: true
        }]
    );
    assert_eq!(s.case.state, CaseState::AwaitingSupplement);
    assert_eq!(s.case.resume_state, Some(CaseState::Reviewing));
    assert_eq!(
        s.case.open_pause(),
        Some(&Pause {
            reason: PauseReason::Supplement,
            started_at: requested_at,
            ended_at: None
        })
    );
    assert!(!s.clock(china(2025, 11, 6, 10, 0)).running);
    assert!(!s.step_clock(china(2025, 11, 6, 10, 0)).running);

    let supplied_at = china(2025, 11, 7, 16, 0);
    s.act_at(supplied_at, Role::WindowClerk, supplement(&["身份证明"]));
    assert_eq!(s.case.state, CaseState::Reviewing);
    assert_eq!(s.case.resume_state, None);
    assert_eq!(s.case.open_pause(), None);
    assert_eq!(
        s.case.pauses,
        vec![Pause {
            reason: PauseReason::Supplement,
            started_at: requested_at,
            ended_at: Some(supplied_at)
        }]
    );
    assert!(s.clock(china(2025, 11, 10, 10, 0)).running);
}

#[test]
fn given_an_accepted_case_when_the_handling_officer_asks_for_a_supplement_then_the_window_clerk_may_not()
 {
    let s = handling();
    assert_eq!(
        s.decide_by(
            &staff(&[Role::WindowClerk]),
            &request_supplement(&["身份证明"]),
            s.now
        ),
        Err(WorkflowError::RoleRequired {
            action: A::RequestSupplement,
            role: Role::HandlingOfficer
        })
    );
    let s = submitted();
    assert_eq!(
        s.decide_by(
            &staff(&[Role::HandlingOfficer]),
            &request_supplement(&["身份证明"]),
            s.now
        ),
        Err(WorkflowError::RoleRequired {
            action: A::RequestSupplement,
            role: Role::WindowClerk
        })
    );
}

#[test]
fn given_a_required_material_not_received_when_accepted_then_materials_missing_until_a_supplement_supplies_it()
 {
    let mut s = Story::with_materials(a_licence(), china(2025, 11, 3, 9, 0), vec!["申请书".into()]);
    assert_eq!(
        s.try_act(Role::WindowClerk, accept()),
        Err(WorkflowError::MaterialsMissing {
            missing: vec!["营业执照".into()]
        })
    );
    assert_eq!(s.case.state, CaseState::Submitted);
    s.act(Role::WindowClerk, request_supplement(&["营业执照"]));
    // A supplement that does not bring the missing material leaves it missing.
    s.act(Role::WindowClerk, supplement(&["身份证明"]));
    assert_eq!(
        s.try_act(Role::WindowClerk, accept()),
        Err(WorkflowError::MaterialsMissing {
            missing: vec!["营业执照".into()]
        })
    );
    s.act(Role::WindowClerk, request_supplement(&["营业执照"]));
    s.act(Role::WindowClerk, supplement(&["营业执照"]));
    s.act(Role::WindowClerk, accept());
    assert_eq!(s.case.state, CaseState::Handling);
    assert_eq!(
        s.case.materials_received,
        vec!["申请书".to_owned(), "身份证明".into(), "营业执照".into()]
    );
}

#[test]
fn given_a_case_with_one_notice_out_when_a_second_notice_is_issued_then_it_is_allowed_but_counted()
{
    let mut s = submitted();
    s.act(Role::WindowClerk, request_supplement(&["身份证明"]));
    s.act(Role::WindowClerk, supplement(&["身份证明"]));
    assert_eq!(s.case.supplement_notices, 1);
    s.act(Role::WindowClerk, accept());
    s.act(Role::HandlingOfficer, request_supplement(&["章程"]));
    s.act(Role::WindowClerk, supplement(&["章程"]));
    s.act(Role::HandlingOfficer, request_supplement(&["租赁合同"]));
    assert_eq!(s.case.supplement_notices, 3);
    assert_eq!(
        s.case.pauses.len(),
        2,
        "only the notices after acceptance stop the clock"
    );
}

// ---------------------------------------------------------------------------------------
// 5. Special procedures and extensions

#[test]
fn given_a_special_procedure_when_its_stated_days_are_outside_1_to_365_then_bad_stated_days() {
    let s = reviewing();
    let reviewer = staff(&[Role::Reviewer]);
    for days in [0, 366, u32::MAX] {
        assert_eq!(
            s.decide_by(&reviewer, &start_special(days), s.now),
            Err(WorkflowError::BadStatedDays),
            "{days}"
        );
    }
    for days in [1, 365] {
        assert!(
            s.decide_by(&reviewer, &start_special(days), s.now).is_ok(),
            "{days}"
        );
    }
    // The role of the step the case waits at.
    assert_eq!(
        s.decide_by(&staff(&[Role::HandlingOfficer]), &start_special(10), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::StartSpecialProcedure,
            role: Role::Reviewer
        })
    );
}

#[test]
fn given_a_special_procedure_when_it_ends_then_the_case_resumes_and_the_paused_working_days_are_not_counted()
 {
    let item = a_licence(); // committed 8 working days
    let mut s = Story::new(item, china(2025, 11, 3, 9, 30));
    s.act_at(china(2025, 11, 3, 10, 0), Role::WindowClerk, accept());
    assert_eq!(
        s.clock(china(2025, 11, 3, 10, 0)).due_date,
        Some(date(2025, 11, 13))
    );

    let started = china(2025, 11, 5, 10, 0);
    s.act_at(started, Role::HandlingOfficer, start_special(3));
    assert_eq!(s.case.state, CaseState::SpecialProcedure);
    assert_eq!(s.case.resume_state, Some(CaseState::Handling));
    assert_eq!(
        s.case.open_pause().map(|p| p.reason),
        Some(PauseReason::SpecialProcedure {
            procedure: SpecialProcedure::Inspection,
            stated_days: 3
        })
    );
    let paused = s.clock(china(2025, 11, 7, 12, 0));
    assert!(!paused.running);
    assert_eq!(paused.used_days, 2, "4 and 5 November");
    assert_eq!(paused.due_date, None, "unknown while the clock is stopped");

    // Ended by the role of the step it interrupted.
    let ended = china(2025, 11, 10, 10, 0);
    assert_eq!(
        s.decide_by(&staff(&[Role::Reviewer]), &end_special(), ended),
        Err(WorkflowError::RoleRequired {
            action: A::EndSpecialProcedure,
            role: Role::HandlingOfficer
        })
    );
    s.act_at(ended, Role::HandlingOfficer, end_special());
    assert_eq!(s.case.state, CaseState::Handling);
    assert_eq!(s.case.open_pause(), None);

    // 6, 7 and 10 November are not counted: the due date moves from the 13th by three working days.
    assert_eq!(
        CALENDAR
            .working_days_between(date(2025, 11, 5), date(2025, 11, 10))
            .value,
        3
    );
    let r = s.clock(china(2025, 11, 12, 12, 0));
    assert!(r.running);
    assert_eq!(r.used_days, 4, "4, 5, 11 and 12 November");
    assert_eq!(r.due_date, Some(date(2025, 11, 18)));
    assert_eq!(
        r.due_date,
        Some(CALENDAR.add_working_days(date(2025, 11, 13), 3).value)
    );
}

#[test]
fn given_an_extension_granted_when_a_second_one_is_asked_then_it_is_refused_and_only_one_counts() {
    let mut s = handling();
    s.act(Role::Approver, extend(5));
    assert_eq!((s.case.extensions_granted, s.case.extension_days), (1, 5));
    s.act(Role::HandlingOfficer, handle());
    assert!(s.try_act(Role::Approver, extend(3)).is_err());
    assert_eq!((s.case.extensions_granted, s.case.extension_days), (1, 5));
    assert!(!s.allowed().contains(&A::GrantExtension));
}

#[test]
fn given_an_extension_granted_when_a_second_one_is_asked_then_extension_already_granted() {
    let mut s = handling();
    s.act(Role::Approver, extend(5));
    assert_eq!(
        s.try_act(Role::Approver, extend(3)),
        Err(WorkflowError::ExtensionAlreadyGranted)
    );
}

#[test]
fn given_an_item_extension_limit_when_an_extension_asks_for_more_or_for_nothing_then_extension_too_long()
 {
    let s = handling();
    let approver = staff(&[Role::Approver]);
    assert_eq!(
        s.decide_by(&approver, &extend(11), s.now),
        Err(WorkflowError::ExtensionTooLong { limit: 10 })
    );
    assert_eq!(
        s.decide_by(&approver, &extend(0), s.now),
        Err(WorkflowError::Required {
            field: "days",
            field_zh: "延期天数"
        })
    );
    assert!(s.decide_by(&approver, &extend(10), s.now).is_ok());
    assert_eq!(
        s.decide_by(
            &approver,
            &Action::GrantExtension {
                days: 3,
                reason: " ".into()
            },
            s.now
        ),
        Err(WorkflowError::Required {
            field: "reason",
            field_zh: "延期理由"
        })
    );

    // Joint handling (Art 26) allows 15.
    let joint = Story::new(
        ServiceItem {
            extension_limit_days: 15,
            ..a_licence()
        },
        china(2025, 11, 3, 9, 30),
    )
    .then(Role::WindowClerk, accept());
    assert!(joint.decide_by(&approver, &extend(15), joint.now).is_ok());
    assert_eq!(
        joint.decide_by(&approver, &extend(16), joint.now),
        Err(WorkflowError::ExtensionTooLong { limit: 15 })
    );
}

#[test]
fn given_an_extension_when_granted_then_its_days_add_to_the_case_clock_limit() {
    let mut s = Story::new(a_licence(), china(2025, 11, 3, 9, 30));
    s.act_at(china(2025, 11, 3, 10, 0), Role::WindowClerk, accept());
    let before = s.clock(china(2025, 11, 12, 10, 0));
    assert_eq!(
        (before.limit_days, before.due_date),
        (8, Some(date(2025, 11, 13)))
    );
    assert_eq!(before.level, WarningLevel::Yellow, "7 of 8 used");

    s.act_at(china(2025, 11, 12, 10, 0), Role::Approver, extend(5));
    let after = s.clock(china(2025, 11, 12, 10, 0));
    assert_eq!(after.limit_days, 13);
    assert_eq!(after.used_days, before.used_days);
    assert_eq!(after.remaining_days, 6);
    assert_eq!(after.due_date, Some(date(2025, 11, 20)));
    assert_eq!(after.level, WarningLevel::Green, "7 of 13 used");
}

// ---------------------------------------------------------------------------------------
// 6. Returns

#[test]
fn given_a_case_at_its_first_step_when_returned_then_it_is_not_allowed_now() {
    let s = handling();
    assert!(matches!(
        s.decide_by(&everyone(), &return_to(StepKind::Handle), s.now),
        Err(WorkflowError::NotAllowedNow {
            action: A::Return,
            ..
        })
    ));
}

#[test]
fn given_a_case_at_a_later_step_when_returned_then_only_an_earlier_step_of_the_item_is_accepted() {
    let s = reviewing();
    let reviewer = staff(&[Role::Reviewer]);
    assert_eq!(
        s.decide_by(&reviewer, &return_to(StepKind::Review), s.now),
        Err(WorkflowError::NotAnEarlierStep)
    );
    assert_eq!(
        s.decide_by(&reviewer, &return_to(StepKind::Approve), s.now),
        Err(WorkflowError::NotAnEarlierStep)
    );
    assert!(
        s.decide_by(&reviewer, &return_to(StepKind::Handle), s.now)
            .is_ok()
    );
    assert_eq!(
        s.decide_by(
            &reviewer,
            &Action::Return {
                to: StepKind::Handle,
                reason: String::new()
            },
            s.now
        ),
        Err(WorkflowError::Required {
            field: "reason",
            field_zh: "退回理由"
        })
    );

    let s = deciding();
    let approver = staff(&[Role::Approver]);
    assert!(
        s.decide_by(&approver, &return_to(StepKind::Handle), s.now)
            .is_ok()
    );
    assert!(
        s.decide_by(&approver, &return_to(StepKind::Review), s.now)
            .is_ok()
    );
    assert_eq!(
        s.decide_by(&reviewer, &return_to(StepKind::Review), s.now),
        Err(WorkflowError::RoleRequired {
            action: A::Return,
            role: Role::Approver
        })
    );

    // The item has no review step to return to.
    let s = deciding_without_review();
    assert_eq!(
        s.decide_by(&approver, &return_to(StepKind::Review), s.now),
        Err(WorkflowError::NotAnEarlierStep)
    );
    assert!(
        s.decide_by(&approver, &return_to(StepKind::Handle), s.now)
            .is_ok()
    );
}

#[test]
fn given_a_case_returned_to_an_earlier_step_then_returns_are_counted_and_the_step_clock_restarts() {
    let mut s = Story::new(a_licence(), china(2025, 11, 3, 9, 30));
    s.act_at(china(2025, 11, 3, 10, 0), Role::WindowClerk, accept());
    s.act_at(china(2025, 11, 5, 10, 0), Role::HandlingOfficer, handle());
    let review_clock = s.step_clock(china(2025, 11, 7, 10, 0));
    assert_eq!((review_clock.limit_days, review_clock.used_days), (2, 2));
    assert_eq!(review_clock.due_date, Some(date(2025, 11, 7)));
    assert_eq!(review_clock.level, WarningLevel::Yellow);

    let returned_at = china(2025, 11, 7, 10, 0);
    assert_eq!(
        s.act_at(returned_at, Role::Reviewer, return_to(StepKind::Handle)),
        vec![EventKind::Returned {
            to: StepKind::Handle,
            reason: "承办意见不完整".into()
        }]
    );
    assert_eq!(
        (s.case.state, s.case.returns, s.case.step_started_at),
        (CaseState::Handling, 1, Some(returned_at))
    );
    let handle_clock = s.step_clock(returned_at);
    assert_eq!((handle_clock.limit_days, handle_clock.used_days), (5, 0));
    assert_eq!(handle_clock.due_date, Some(date(2025, 11, 14)));
    assert_eq!(handle_clock.level, WarningLevel::Green);
    assert!(handle_clock.running);

    s.act_at(china(2025, 11, 10, 10, 0), Role::HandlingOfficer, handle());
    s.act_at(
        china(2025, 11, 10, 11, 0),
        Role::Reviewer,
        return_to(StepKind::Handle),
    );
    assert_eq!(s.case.returns, 2);
    // The case clock is not restarted by a return.
    assert_eq!(s.clock(china(2025, 11, 10, 11, 0)).used_days, 5);
}

// ---------------------------------------------------------------------------------------
// 7. Deadlines on the shipped calendar

fn accepted_at(item: ServiceItem, at: DateTime<Utc>) -> Story {
    let mut s = Story::new(item, at - TimeDelta::minutes(5));
    s.act_at(at, Role::WindowClerk, accept());
    s
}

#[test]
fn given_acceptance_on_30_september_2025_at_ten_with_3_committed_days_then_due_on_the_adjusted_saturday_11_october()
 {
    // 1–8 October are off; Thursday 9 and Friday 10 count, Saturday 11 is a working day.
    let s = accepted_at(with_committed(a_licence(), 3), china(2025, 9, 30, 10, 0));
    let r = s.clock(china(2025, 9, 30, 10, 0));
    assert_eq!(r.due_date, Some(date(2025, 10, 11)));
    assert_eq!(r.due_at, Some(china(2025, 10, 11, 17, 30)));
    assert_eq!(r.due_at.unwrap().to_rfc3339(), "2025-10-11T09:30:00+00:00");
    assert_eq!((r.limit_days, r.used_days, r.remaining_days), (3, 0, 3));
    assert!(r.running && !r.provisional);
    assert_eq!(r.level, WarningLevel::Green);

    assert_eq!(
        s.clock(china(2025, 10, 8, 23, 59)).used_days,
        0,
        "the holiday is not counted"
    );
    let r = s.clock(china(2025, 10, 9, 12, 0));
    assert_eq!((r.used_days, r.level), (1, WarningLevel::Green));
    let r = s.clock(china(2025, 10, 10, 12, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (2, 1, WarningLevel::Yellow)
    );
    let r = s.clock(china(2025, 10, 11, 17, 30));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (3, 0, WarningLevel::Yellow)
    );
    let r = s.clock(china(2025, 10, 11, 17, 31));
    assert_eq!(r.level, WarningLevel::Red);
    let r = s.clock(china(2025, 10, 12, 10, 0));
    assert_eq!(
        (r.used_days, r.level),
        (3, WarningLevel::Red),
        "Sunday 12 October is not a working day"
    );
    let r = s.clock(china(2025, 10, 13, 10, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (4, -1, WarningLevel::Red)
    );
}

#[test]
fn given_acceptance_after_the_afternoon_close_then_the_period_counts_from_the_next_working_day() {
    let item = with_committed(a_licence(), 3);
    let due = |at| accepted_at(item.clone(), at).clock(at).due_date;
    assert_eq!(due(china(2025, 9, 30, 17, 29)), Some(date(2025, 10, 11)));
    // Counts as accepted on Thursday 9 October: 10, 11 and 13 October.
    assert_eq!(due(china(2025, 9, 30, 17, 30)), Some(date(2025, 10, 13)));
    assert_eq!(due(china(2025, 9, 30, 18, 0)), Some(date(2025, 10, 13)));
    // On a day off, likewise.
    assert_eq!(due(china(2025, 10, 3, 10, 0)), Some(date(2025, 10, 13)));
    // The China date decides, not the UTC one: 00:30 on 1 October is still 30 September in UTC.
    assert_eq!(due(china(2025, 10, 1, 0, 30)), Some(date(2025, 10, 13)));
}

#[test]
fn given_acceptance_before_spring_festival_2026_then_the_adjusted_saturdays_count_and_the_holiday_does_not()
 {
    // Friday 13 February; Saturday 14 works; 15–23 off; Saturday 28 works.
    let s = accepted_at(with_committed(a_licence(), 5), china(2026, 2, 13, 10, 0));
    assert_eq!(
        s.clock(china(2026, 2, 13, 10, 0)).due_date,
        Some(date(2026, 2, 27))
    );
    assert_eq!(s.clock(china(2026, 2, 14, 12, 0)).used_days, 1);
    assert_eq!(s.clock(china(2026, 2, 23, 12, 0)).used_days, 1);
    assert_eq!(s.clock(china(2026, 2, 24, 12, 0)).used_days, 2);

    let six = accepted_at(with_committed(a_licence(), 6), china(2026, 2, 13, 10, 0));
    assert_eq!(
        six.clock(china(2026, 2, 13, 10, 0)).due_date,
        Some(date(2026, 2, 28))
    );

    // After hours on Friday: counts from the adjusted Saturday, so 24–28 February.
    let late = accepted_at(with_committed(a_licence(), 5), china(2026, 2, 13, 18, 0));
    let r = late.clock(china(2026, 2, 13, 18, 0));
    assert_eq!(r.due_date, Some(date(2026, 2, 28)));
    assert_eq!(r.due_at, Some(china(2026, 2, 28, 17, 30)));
    assert!(!r.provisional);
}

#[test]
fn given_a_supplement_pause_across_several_working_days_then_the_due_date_moves_by_exactly_those_days()
 {
    let mut s = accepted_at(a_licence(), china(2025, 11, 3, 10, 0));
    let unpaused = s.clock(china(2025, 11, 3, 10, 0)).due_date.unwrap();
    assert_eq!(unpaused, date(2025, 11, 13));

    s.act_at(
        china(2025, 11, 5, 10, 0),
        Role::HandlingOfficer,
        request_supplement(&["身份证明"]),
    );
    let paused = s.clock(china(2025, 11, 8, 10, 0));
    assert!(!paused.running);
    assert_eq!(paused.used_days, 2);
    s.act_at(
        china(2025, 11, 10, 10, 0),
        Role::WindowClerk,
        supplement(&["身份证明"]),
    );

    let pause_days = CALENDAR
        .working_days_between(date(2025, 11, 5), date(2025, 11, 10))
        .value;
    assert_eq!(pause_days, 3, "6, 7 and 10 November");
    let r = s.clock(china(2025, 11, 10, 10, 0));
    assert!(r.running);
    assert_eq!(r.used_days, 2);
    assert_eq!(
        r.due_date,
        Some(CALENDAR.add_working_days(unpaused, pause_days).value)
    );
    assert_eq!(r.due_date, Some(date(2025, 11, 18)));
    assert_eq!(s.clock(china(2025, 11, 18, 17, 0)).used_days, 8);
}

#[test]
fn given_a_supplement_asked_and_supplied_on_the_same_working_day_then_no_working_day_is_lost() {
    let mut s = accepted_at(a_licence(), china(2025, 11, 3, 10, 0));
    s.act_at(
        china(2025, 11, 5, 10, 0),
        Role::HandlingOfficer,
        request_supplement(&["身份证明"]),
    );
    s.act_at(
        china(2025, 11, 5, 15, 0),
        Role::WindowClerk,
        supplement(&["身份证明"]),
    );
    assert_eq!(
        s.clock(china(2025, 11, 6, 10, 0)).due_date,
        Some(date(2025, 11, 13))
    );
}

#[test]
fn given_a_supplement_asked_and_supplied_after_hours_on_the_same_evening_then_no_working_day_is_lost()
 {
    // The module documents: not counted are "the working days after the pause's day until
    // the day it ends" — here none, since the pause starts and ends on 5 November.
    let mut s = accepted_at(a_licence(), china(2025, 11, 3, 10, 0));
    s.act_at(
        china(2025, 11, 5, 18, 0),
        Role::HandlingOfficer,
        request_supplement(&["身份证明"]),
    );
    s.act_at(
        china(2025, 11, 5, 19, 0),
        Role::WindowClerk,
        supplement(&["身份证明"]),
    );
    assert_eq!(
        s.clock(china(2025, 11, 6, 10, 0)).due_date,
        Some(date(2025, 11, 13))
    );
}

#[test]
fn given_a_ten_day_limit_then_yellow_at_80_percent_used_and_red_after_the_due_time() {
    let s = accepted_at(with_committed(a_licence(), 10), china(2025, 11, 3, 10, 0));
    let r = s.clock(china(2025, 11, 3, 10, 0));
    assert_eq!(r.due_date, Some(date(2025, 11, 17)));
    let r = s.clock(china(2025, 11, 12, 16, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (7, 3, WarningLevel::Green)
    );
    let r = s.clock(china(2025, 11, 13, 9, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (8, 2, WarningLevel::Yellow),
        "80 % used"
    );
    let r = s.clock(china(2025, 11, 17, 17, 29));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (10, 0, WarningLevel::Yellow)
    );
    let r = s.clock(china(2025, 11, 17, 17, 31));
    assert_eq!(
        (r.used_days, r.level),
        (10, WarningLevel::Red),
        "past the close of the due date"
    );
    let r = s.clock(china(2025, 11, 18, 9, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (11, -1, WarningLevel::Red)
    );
}

#[test]
fn given_a_three_day_limit_then_yellow_with_one_working_day_left_before_80_percent() {
    let s = accepted_at(with_committed(a_licence(), 3), china(2025, 11, 3, 10, 0));
    let r = s.clock(china(2025, 11, 4, 12, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (1, 2, WarningLevel::Green)
    );
    let r = s.clock(china(2025, 11, 5, 12, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level),
        (2, 1, WarningLevel::Yellow),
        "67 % used, 1 day left"
    );
}

#[test]
fn given_a_decided_case_then_its_clock_stops_and_keeps_its_final_level() {
    let item = with_committed(a_licence(), 10);
    let mut s = accepted_at(item.clone(), china(2025, 11, 3, 10, 0));
    s.act_at(china(2025, 11, 4, 10, 0), Role::HandlingOfficer, handle());
    s.act_at(china(2025, 11, 5, 10, 0), Role::Reviewer, review());
    let decided_at = china(2025, 11, 13, 10, 0);
    let before = s.clock(decided_at);
    assert!(before.running);
    assert_eq!(before.level, WarningLevel::Yellow);
    s.act_at(decided_at, Role::Approver, approve());

    let at_decision = s.clock(decided_at);
    assert!(!at_decision.running);
    assert_eq!(
        at_decision,
        ClockReading {
            running: false,
            ..before
        }
    );
    assert_eq!(
        s.clock(china(2026, 3, 1, 10, 0)),
        at_decision,
        "weeks later nothing moves"
    );
    s.act_at(china(2025, 11, 20, 10, 0), Role::WindowClerk, conclude());
    assert_eq!(
        s.clock(china(2026, 3, 1, 10, 0)),
        at_decision,
        "conclusion does not move it either"
    );
    assert_eq!(
        step_clock(
            &s.case,
            &s.item,
            &CALENDAR,
            &WarningRules::default(),
            decided_at
        ),
        None
    );

    // Decided late: red for good.
    let mut late = accepted_at(item, china(2025, 11, 3, 10, 0));
    late.act_at(china(2025, 11, 4, 10, 0), Role::HandlingOfficer, handle());
    late.act_at(china(2025, 11, 5, 10, 0), Role::Reviewer, review());
    late.act_at(china(2025, 11, 19, 10, 0), Role::Approver, deny());
    let r = late.clock(china(2026, 3, 1, 10, 0));
    assert_eq!(
        (r.used_days, r.remaining_days, r.level, r.running),
        (12, -2, WarningLevel::Red, false)
    );
}

#[test]
fn given_a_withdrawn_case_then_its_clock_stops_at_the_withdrawal() {
    let mut s = accepted_at(a_licence(), china(2025, 11, 3, 10, 0));
    s.act_at(china(2025, 11, 5, 10, 0), Role::WindowClerk, withdraw());
    let r = s.clock(china(2025, 12, 31, 10, 0));
    assert_eq!(
        (r.used_days, r.running, r.level),
        (2, false, WarningLevel::Green)
    );
}

#[test]
fn given_acceptance_in_december_2026_with_a_due_date_in_2027_then_the_deadline_is_provisional() {
    // No notice for 2027 yet: weekends and 1 January (statutory) are off, provisionally.
    let s = accepted_at(a_licence(), china(2026, 12, 28, 10, 0));
    let r = s.clock(china(2026, 12, 28, 10, 0));
    assert_eq!(r.due_date, Some(date(2027, 1, 8)));
    assert!(r.provisional);

    let inside = accepted_at(a_licence(), china(2026, 12, 1, 10, 0));
    let r = inside.clock(china(2026, 12, 1, 10, 0));
    assert_eq!(r.due_date, Some(date(2026, 12, 11)));
    assert!(!r.provisional);
}

#[test]
fn given_an_on_the_spot_case_concluded_at_the_window_then_its_clock_is_green() {
    let s = concluded_on_the_spot();
    let r = s.clock(china(2025, 12, 1, 10, 0));
    assert_eq!((r.limit_days, r.used_days, r.running), (0, 0, false));
    assert_eq!(r.level, WarningLevel::Green);
}

// ---------------------------------------------------------------------------------------
// 8. The audit chain

fn a_sealed_history() -> Story {
    concluded()
}

#[test]
fn given_a_sealed_history_then_the_chain_verifies() {
    let s = a_sealed_history();
    assert_eq!(s.events.len(), 6);
    assert_eq!(s.events[0].prev_hash, GENESIS_HASH);
    for pair in s.events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert_eq!(
        verify_chain(NUMBER, &s.events, &s.head(), s.case.version),
        Ok(())
    );
    // The chain is bound to its case number.
    assert_eq!(
        verify_chain("20307-20251103-0002", &s.events, &s.head(), s.case.version),
        Err(ChainBreak::Content { seq: 1 })
    );
}

#[test]
fn given_a_sealed_history_when_one_comment_is_changed_then_content() {
    let s = a_sealed_history();
    let mut events = s.events.clone();
    events[2].comment = "改过的意见".into();
    assert_eq!(
        verify_chain(NUMBER, &events, &s.head(), s.case.version),
        Err(ChainBreak::Content { seq: 3 })
    );
}

#[test]
fn given_a_sealed_history_when_one_event_is_changed_and_resealed_then_the_next_does_not_link() {
    let s = a_sealed_history();
    let mut events = s.events.clone();
    let old = &events[2];
    let draft = EventDraft {
        at: old.at,
        actor: old.actor,
        unit: old.unit,
        comment: "改过的意见".into(),
        kind: old.kind.clone(),
    };
    events[2] = CaseEvent::seal(NUMBER, &old.prev_hash.clone(), old.seq, draft);
    assert_eq!(
        verify_chain(NUMBER, &events, &s.head(), s.case.version),
        Err(ChainBreak::Link { seq: 4 })
    );
}

#[test]
fn given_a_sealed_history_when_the_last_event_is_removed_then_head() {
    let s = a_sealed_history();
    let mut events = s.events.clone();
    events.pop();
    assert_eq!(
        verify_chain(NUMBER, &events, &s.head(), s.case.version),
        Err(ChainBreak::Head)
    );
    // Also when the version is lowered to match: the head hash still differs.
    assert_eq!(
        verify_chain(NUMBER, &events, &s.head(), s.case.version - 1),
        Err(ChainBreak::Head)
    );
}

#[test]
fn given_a_sealed_history_when_two_events_are_swapped_then_sequence_or_link() {
    let s = a_sealed_history();
    let mut events = s.events.clone();
    events.swap(2, 3);
    let result = verify_chain(NUMBER, &events, &s.head(), s.case.version);
    assert!(
        matches!(
            result,
            Err(ChainBreak::Sequence { .. } | ChainBreak::Link { .. })
        ),
        "{result:?}"
    );
    assert_eq!(
        result,
        Err(ChainBreak::Sequence {
            expected: 3,
            found: 4
        })
    );
}

#[test]
fn given_a_history_that_does_not_start_with_received_then_it_does_not_replay() {
    let s = a_sealed_history();
    assert!(Case::replay(&s.events[1..]).is_err());
    assert!(Case::replay(std::iter::empty::<&CaseEvent>()).is_err());
    let mut twice = s.events.clone();
    twice.push(s.events[0].clone());
    assert!(Case::replay(&twice).is_err());
}

// ---------------------------------------------------------------------------------------
// 9. Random histories

#[derive(Debug, Clone)]
struct Payload {
    text: String,
    other_text: String,
    list: Vec<String>,
    step: StepKind,
    procedure: SpecialProcedure,
    stated_days: u32,
    extension_days: u32,
}

#[derive(Debug, Clone)]
struct Move {
    /// Pick among the actions allowed now (else `name`, which is usually not allowed).
    guided: bool,
    /// Whether a guided pick may withdraw or refuse (rarely, so that histories get deep).
    may_end: bool,
    pick: prop::sample::Index,
    name: ActionName,
    payload: Payload,
    roles: Vec<Role>,
    advance: TimeDelta,
}

fn build_action(name: ActionName, p: &Payload) -> Action {
    match name {
        A::Accept => Action::Accept,
        A::RefuseIntake => Action::RefuseIntake {
            reason: p.text.clone(),
            legal_basis: p.other_text.clone(),
        },
        A::RequestSupplement => Action::RequestSupplement {
            missing: p.list.clone(),
        },
        A::Supplement => Action::Supplement {
            received: p.list.clone(),
        },
        A::Handle => Action::Handle {
            opinion: p.text.clone(),
        },
        A::Review => Action::Review {
            opinion: p.text.clone(),
        },
        A::Approve => Action::Approve {
            opinion: p.text.clone(),
        },
        A::Deny => Action::Deny {
            reason: p.text.clone(),
            legal_basis: p.other_text.clone(),
        },
        A::Conclude => Action::Conclude {
            delivery: p.text.clone(),
        },
        A::ConcludeOnTheSpot => Action::ConcludeOnTheSpot {
            delivery: p.text.clone(),
        },
        A::Return => Action::Return {
            to: p.step,
            reason: p.other_text.clone(),
        },
        A::StartSpecialProcedure => Action::StartSpecialProcedure {
            procedure: p.procedure,
            stated_days: p.stated_days,
            reason: p.text.clone(),
        },
        A::EndSpecialProcedure => Action::EndSpecialProcedure {
            result: p.other_text.clone(),
        },
        A::GrantExtension => Action::GrantExtension {
            days: p.extension_days,
            reason: p.text.clone(),
        },
        A::Withdraw => Action::Withdraw {
            reason: p.other_text.clone(),
        },
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("符合法定条件".to_owned()),
        2 => Just("  《行政许可法》第三十二条 ".to_owned()),
        1 => Just(String::new()),
        1 => Just(" \t".to_owned()),
    ]
}

fn payload_strategy() -> impl Strategy<Value = Payload> {
    let names = vec!["申请书", "营业执照", "身份证明", " ", "营业执照 "];
    let list = prop::collection::vec(prop::sample::select(names).prop_map(str::to_owned), 0..4);
    let step = prop::sample::select(vec![StepKind::Handle, StepKind::Review, StepKind::Approve]);
    let procedure = prop::sample::select(vec![
        SpecialProcedure::Hearing,
        SpecialProcedure::Tender,
        SpecialProcedure::Auction,
        SpecialProcedure::Inspection,
        SpecialProcedure::Testing,
        SpecialProcedure::Quarantine,
        SpecialProcedure::Appraisal,
        SpecialProcedure::ExpertReview,
    ]);
    let stated_days = prop_oneof![4 => 1u32..=30, 1 => 0u32..=400];
    (
        text_strategy(),
        text_strategy(),
        list,
        step,
        procedure,
        stated_days,
        0u32..=16,
    )
        .prop_map(
            |(text, other_text, list, step, procedure, stated_days, extension_days)| Payload {
                text,
                other_text,
                list,
                step,
                procedure,
                stated_days,
                extension_days,
            },
        )
}

fn roles_strategy() -> impl Strategy<Value = Vec<Role>> {
    prop_oneof![
        2 => prop::sample::subsequence(Role::ALL.to_vec(), 0..=Role::ALL.len()),
        1 => prop::sample::select(vec![Role::WindowClerk, Role::HandlingOfficer, Role::Reviewer, Role::Approver])
            .prop_map(|r| vec![r]),
        3 => Just(vec![Role::WindowClerk, Role::HandlingOfficer, Role::Reviewer, Role::Approver]),
    ]
}

fn advance_strategy() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![
        (0i64..600).prop_map(TimeDelta::minutes),
        (0i64..72).prop_map(TimeDelta::hours),
        (0i64..20).prop_map(TimeDelta::days),
    ]
}

fn move_strategy() -> impl Strategy<Value = Move> {
    (
        prop::bool::weighted(0.7),
        prop::bool::weighted(0.04),
        any::<prop::sample::Index>(),
        prop::sample::select(ALL_ACTIONS.to_vec()),
        payload_strategy(),
        roles_strategy(),
        advance_strategy(),
    )
        .prop_map(
            |(guided, may_end, pick, name, payload, roles, advance)| Move {
                guided,
                may_end,
                pick,
                name,
                payload,
                roles,
                advance,
            },
        )
}

fn item_by_index(index: usize) -> ServiceItem {
    match index % 4 {
        0 => a_licence(),
        1 => a_licence_without_review(),
        2 => an_on_the_spot_item(),
        _ => a_window_authorised_licence(),
    }
}

/// The invariants of a case after each event; `last_used` carries the case clock's last reading.
fn check_invariants(
    story: &Story,
    now: DateTime<Utc>,
    last_used: &mut Option<u32>,
) -> Result<(), TestCaseError> {
    let case = &story.case;
    let replayed = Case::replay(&story.events).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&replayed, case);
    prop_assert_eq!(usize::try_from(case.version).unwrap(), story.events.len());
    let allowed = story.allowed();
    if case.state.is_closed() {
        prop_assert!(allowed.is_empty(), "{} allows {:?}", case.state, allowed);
    }
    let open = case.pauses.iter().filter(|p| p.ended_at.is_none()).count();
    prop_assert!(open <= 1, "{} open pauses", open);
    let paused = (case.state == CaseState::AwaitingSupplement && case.accepted_at.is_some())
        || case.state == CaseState::SpecialProcedure;
    prop_assert_eq!(open == 1, paused, "open pauses {} in {}", open, case.state);
    prop_assert_eq!(case.open_pause().is_some(), paused);

    let rules = WarningRules::default();
    let clock = case_clock(case, &story.item, &CALENDAR, &rules, now);
    prop_assert_eq!(clock.is_some(), case.accepted_at.is_some());
    if let Some(reading) = clock {
        let previous = last_used.unwrap_or(0);
        prop_assert!(
            reading.used_days >= previous,
            "used {} after {}",
            reading.used_days,
            previous
        );
        *last_used = Some(reading.used_days);
        let stopped = paused || case.decided_at.is_some() || case.state.is_closed();
        prop_assert_eq!(reading.running, !stopped, "running in {}", case.state);
        prop_assert_eq!(
            reading.remaining_days,
            i64::from(reading.limit_days) - i64::from(reading.used_days)
        );
        prop_assert_eq!(reading.due_date.is_none(), reading.due_at.is_none());
    }
    let at_step = case.state.step().is_some();
    if at_step {
        let step = step_clock(case, &story.item, &CALENDAR, &rules, now);
        prop_assert!(
            step.is_some_and(|r| r.running),
            "step clock at {}",
            case.state
        );
    }
    prop_assert_eq!(
        verify_chain(NUMBER, &story.events, &story.head(), case.version),
        Ok(())
    );
    Ok(())
}

fn run_random_history(
    item_index: usize,
    kept: &[bool],
    start: i64,
    moves: Vec<Move>,
) -> Result<(), TestCaseError> {
    let item = item_by_index(item_index);
    let materials = item
        .materials
        .iter()
        .zip(kept)
        .filter(|(_, k)| **k)
        .map(|(m, _)| m.name.clone())
        .collect();
    let mut now = china(2025, 1, 1, 0, 0) + TimeDelta::minutes(start);
    let end = china(2027, 12, 31, 23, 59);
    let mut story = Story::with_materials(item, now, materials);
    let mut last_used = None;
    check_invariants(&story, now, &mut last_used)?;
    for m in moves {
        now = (now + m.advance).min(end);
        // Time moving on alone never takes used days back.
        if let Some(r) = case_clock(
            &story.case,
            &story.item,
            &CALENDAR,
            &WarningRules::default(),
            now,
        ) {
            prop_assert!(r.used_days >= last_used.unwrap_or(0));
            last_used = Some(r.used_days);
        }
        let allowed = story.allowed();
        let ending = [A::Withdraw, A::RefuseIntake];
        let mut candidates: Vec<ActionName> = allowed
            .iter()
            .copied()
            .filter(|a| m.may_end || !ending.contains(a))
            .collect();
        if candidates.is_empty() {
            candidates.clone_from(&allowed);
        }
        let name = if m.guided && !candidates.is_empty() {
            candidates[m.pick.index(candidates.len())]
        } else {
            m.name
        };
        let action = build_action(name, &m.payload);
        let actor = staff(&m.roles);
        match story.decide_by(&actor, &action, now) {
            Ok(kinds) => {
                prop_assert!(allowed.contains(&name));
                prop_assert!(!kinds.is_empty());
                for kind in kinds {
                    let applied = story.record(kind, now, &actor);
                    prop_assert!(applied.is_ok(), "{:?}", applied);
                    check_invariants(&story, now, &mut last_used)?;
                }
            }
            Err(WorkflowError::NotAllowedNow {
                state,
                action,
                allowed: listed,
            }) => {
                prop_assert_eq!(state, story.case.state);
                prop_assert_eq!(action, name);
                prop_assert!(!allowed.contains(&name));
                prop_assert_eq!(listed, allowed);
            }
            Err(WorkflowError::RoleRequired { action, role }) => {
                prop_assert_eq!(action, name);
                prop_assert!(!actor.has_role(role));
                prop_assert!(allowed.contains(&name));
            }
            Err(WorkflowError::ExtensionAlreadyGranted) => {
                prop_assert_eq!(name, ActionName::GrantExtension);
                prop_assert!(story.case.extensions_granted > 0);
            }
            Err(other) => {
                prop_assert!(allowed.contains(&name), "{} refused with {}", name, other);
                prop_assert!(bilingual(&other.to_string()), "{}", other);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn given_random_actions_by_random_staff_over_2025_to_2027_then_every_event_applies_and_the_case_stays_consistent(
        item_index in 0usize..4,
        kept in prop::collection::vec(prop::bool::weighted(0.85), 2),
        start in 0i64..(2 * 365 * 24 * 60),
        moves in prop::collection::vec(move_strategy(), 0..=40),
    ) {
        run_random_history(item_index, &kept, start, moves)?;
    }
}

#[test]
fn an_open_cases_level_from_its_due_time_alone() {
    use super::deadline::level_by_due;
    let rules = WarningRules::default();
    let cal = &*CALENDAR;
    // Due at the close of Friday 9 October 2026; the days before are working days.
    let due = Some(cal.close_of(NaiveDate::from_ymd_opt(2026, 10, 9).unwrap()));
    let at = |m: u32, d: u32, h: u32| {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    // 30 September: the National Day holiday lies between; two working days remain.
    assert_eq!(
        level_by_due(due, cal, &rules, at(9, 30, 10)),
        WarningLevel::Green
    );
    // Thursday 8 October: one working day left.
    assert_eq!(
        level_by_due(due, cal, &rules, at(10, 8, 10)),
        WarningLevel::Yellow
    );
    assert_eq!(
        level_by_due(due, cal, &rules, at(10, 9, 17)),
        WarningLevel::Yellow
    );
    assert_eq!(
        level_by_due(due, cal, &rules, at(10, 9, 18)),
        WarningLevel::Red
    );
    assert_eq!(
        level_by_due(None, cal, &rules, at(10, 20, 10)),
        WarningLevel::Green,
        "a stopped clock has no due time"
    );
}

// ---------------------------------------------------------------------------------------
// The applicant acting online

#[test]
fn every_state_and_action_for_the_applicant_online_follows_the_table_narrowed_to_supplement_and_withdraw()
 {
    for row in STATE_TABLE {
        let story = (row.build)();
        for name in ALL_ACTIONS {
            let action = sample_action(name, &story.item);
            let result = decide_for_applicant(&story.case, &action, &story.item);
            let for_applicant = APPLICANT_ACTIONS.contains(&name);
            match result {
                Ok(kinds) => {
                    assert!(
                        for_applicant && row.allowed.contains(&name),
                        "{}: {name}",
                        row.given
                    );
                    let staff_kinds = story
                        .decide_by(&everyone(), &action, story.now)
                        .expect("the office may do it too");
                    assert_eq!(kinds, staff_kinds, "{}: {name}", row.given);
                }
                Err(WorkflowError::NotForApplicant { action }) => {
                    assert!(!for_applicant, "{}: {name}", row.given);
                    assert_eq!(action, name);
                }
                Err(WorkflowError::NotAllowedNow { allowed, .. }) => {
                    assert!(for_applicant && !row.allowed.contains(&name));
                    let expected: Vec<_> = row
                        .allowed
                        .iter()
                        .copied()
                        .filter(|a| APPLICANT_ACTIONS.contains(a))
                        .collect();
                    assert_eq!(
                        allowed, expected,
                        "only what the applicant may do is offered"
                    );
                }
                Err(other) => unreachable!("{}: {name}: {other}", row.given),
            }
        }
    }
}

#[test]
fn given_a_supplement_notice_when_the_applicant_supplies_online_then_the_case_goes_back_to_intake()
{
    let mut s = awaiting_supplement_before_acceptance();
    let kinds = decide_for_applicant(&s.case, &supplement(&["身份证明"]), &s.item).unwrap();
    assert_eq!(
        kinds,
        vec![EventKind::Supplemented {
            received: vec!["身份证明".into()]
        }]
    );
    let seq = s.case.version + 1;
    let event = CaseEvent::seal(
        NUMBER,
        &s.head(),
        seq,
        EventDraft {
            at: s.now,
            actor: None,
            unit: UnitId(3),
            comment: "申请人网上补正".into(),
            kind: kinds[0].clone(),
        },
    );
    s.case.apply(&event).unwrap();
    s.events.push(event);
    assert_eq!(s.case.state, CaseState::Submitted);
    assert!(verify_chain(NUMBER, &s.events, &s.head(), s.case.version).is_ok());
}

#[test]
fn the_applicant_online_cannot_supply_nothing_nor_withdraw_without_a_reason() {
    let s = awaiting_supplement_before_acceptance();
    assert!(matches!(
        decide_for_applicant(&s.case, &supplement(&[" "]), &s.item),
        Err(WorkflowError::Required { .. })
    ));
    let err = decide_for_applicant(
        &handling().case,
        &Action::Withdraw { reason: "".into() },
        &a_licence(),
    )
    .unwrap_err();
    assert!(matches!(err, WorkflowError::Required { .. }));
    let refused = decide_for_applicant(&handling().case, &accept(), &a_licence()).unwrap_err();
    assert!(bilingual(&refused.to_string()), "{refused}");
}

#[test]
fn an_event_by_the_applicant_has_no_officer_and_an_officers_event_hashes_as_before() {
    // Events sealed when the actor was a plain staff id must keep their hashes.
    assert_eq!(
        serde_json::to_string(&Some(StaffId(42))).unwrap(),
        serde_json::to_string(&StaffId(42)).unwrap()
    );
    assert_eq!(serde_json::to_string(&None::<StaffId>).unwrap(), "null");
}
