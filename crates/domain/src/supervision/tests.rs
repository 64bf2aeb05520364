//! Specification tests of supervision: every rule triggered and not, at its boundary, across
//! holidays on the shipped calendar; dedup keys shared by the event path and the sweep; every
//! transition of the supervision notice allowed and refused; properties over random histories.
//!
//! Cases are built the way a store builds them: `case::decide` an action, seal each event,
//! `Case::apply` it. Histories the workflow would never produce (steps out of order) are
//! sealed directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::finding::untouched_since_acceptance;
use super::*;
use crate::calendar::{china_date, china_day_start};
use crate::case::deadline::{case_clock, step_clock};
use crate::case::event::GENESIS_HASH;
use crate::case::fixtures::{china as at, *};
use crate::case::{
    Action, ActionName, Applicant, Case, CaseEvent, Channel, Context, EventDraft, EventKind,
    WarningLevel, WarningRules, WorkflowError, allowed_actions,
};
use crate::catalog::tests::on_the_spot;
use crate::catalog::{Fee, ItemCode, ServiceItem, StepKind};
use crate::ids::{PhoneNumber, ResidentId};
use crate::organization::{Actor, CaseId, DepartmentId, Role, StaffId, UnitId};

use FindingKind as K;

// ---------------------------------------------------------------------------------------
// Fixtures

const CASE: CaseId = CaseId(42);
const NUMBER: &str = "20307-20251103-0001";

fn ms(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_millis()
}

/// The close of office (17:30) of a working day, the end of any limit ending that day.
fn close(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    at(y, m, d, 17, 30)
}

/// A licence with one fee standard: 工本费 10.00 yuan.
fn a_licence_with_fees() -> ServiceItem {
    ServiceItem {
        fees: vec![Fee {
            name: "工本费".into(),
            amount_fen: 1000,
            basis: "《关于规范证照工本费的通知》".into(),
        }],
        ..a_licence()
    }
}

fn refuse_intake(reason: &str, legal_basis: &str) -> Action {
    Action::RefuseIntake {
        reason: reason.into(),
        legal_basis: legal_basis.into(),
    }
}
fn request_supplement() -> Action {
    Action::RequestSupplement {
        missing: vec!["身份证明".into()],
    }
}
fn supplement() -> Action {
    Action::Supplement {
        received: vec!["身份证明".into()],
    }
}
fn deny(reason: &str, legal_basis: &str) -> Action {
    Action::Deny {
        reason: reason.into(),
        legal_basis: legal_basis.into(),
    }
}
fn a_good_denial() -> Action {
    deny("经营场所不符合要求", "《食品安全法》第三十五条")
}

/// A case, its sealed history and the rules it is judged by.
#[derive(Debug, Clone)]
struct Story {
    item: ServiceItem,
    case: Case,
    events: Vec<CaseEvent>,
    rules: SupervisionRules,
}

impl Story {
    /// An application received at `received` with every material of the item.
    fn new(item: ServiceItem, received: DateTime<Utc>) -> Story {
        let kind = EventKind::Received {
            applicant: Applicant::Person {
                name: "张三".into(),
                resident_id: ResidentId::parse("11010519491231002X").unwrap(),
            },
            phone: PhoneNumber::parse("13800138000").unwrap(),
            item_code: item.code.clone(),
            item_version: 1,
            channel: Channel::Window,
            materials: item.materials.iter().map(|m| m.name.clone()).collect(),
        };
        let event = CaseEvent::seal(NUMBER, GENESIS_HASH, 1, draft(received, kind));
        Story {
            case: Case::replay([&event]).unwrap(),
            item,
            events: vec![event],
            rules: SupervisionRules::default(),
        }
    }

    /// Received and accepted at `accepted`.
    fn accepted(item: ServiceItem, accepted: DateTime<Utc>) -> Story {
        Story::new(item, accepted).then(accepted, Action::Accept)
    }

    /// Seals an event without asking the workflow: for histories it would refuse.
    fn record(&mut self, at: DateTime<Utc>, kind: EventKind) {
        let seq = self.case.version + 1;
        let prev = self.events.last().unwrap().hash.clone();
        let event = CaseEvent::seal(NUMBER, &prev, seq, draft(at, kind));
        self.case.apply(&event).unwrap();
        self.events.push(event);
    }

    fn try_act(&mut self, at: DateTime<Utc>, action: Action) -> Result<(), WorkflowError> {
        let actor = everyone();
        let ctx = Context {
            now: at,
            actor: &actor,
            item: &self.item,
        };
        for kind in crate::case::decide(&self.case, &action, &ctx)? {
            self.record(at, kind);
        }
        Ok(())
    }

    fn act(&mut self, at: DateTime<Utc>, action: Action) {
        let name = action.name();
        self.try_act(at, action)
            .unwrap_or_else(|e| unreachable!("{name} refused: {e}"));
    }

    fn then(mut self, at: DateTime<Utc>, action: Action) -> Story {
        self.act(at, action);
        self
    }

    /// What the last event revealed.
    fn on_last(&self) -> Vec<Finding> {
        findings_on_event(CASE, &self.events, &self.item, &CALENDAR, &self.rules).unwrap()
    }

    /// Acts, then returns what that action's events revealed.
    fn findings_of(&mut self, at: DateTime<Utc>, action: Action) -> Vec<Finding> {
        let from = self.events.len();
        self.act(at, action);
        (from + 1..=self.events.len())
            .flat_map(|end| {
                findings_on_event(
                    CASE,
                    &self.events[..end],
                    &self.item,
                    &CALENDAR,
                    &self.rules,
                )
                .unwrap()
            })
            .collect()
    }

    fn sweep(&self, now: DateTime<Utc>) -> Vec<Finding> {
        sweep(CASE, &self.case, &self.item, &CALENDAR, &self.rules, now).unwrap()
    }
}

fn draft(at: DateTime<Utc>, kind: EventKind) -> EventDraft {
    EventDraft {
        at,
        actor: Some(StaffId(7)),
        unit: UnitId(3),
        comment: kind.type_name().into(),
        kind,
    }
}

fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
    let mut kinds: Vec<FindingKind> = findings.iter().map(|f| f.kind).collect();
    kinds.sort();
    kinds
}

fn has(findings: &[Finding], kind: FindingKind) -> bool {
    findings.iter().any(|f| f.kind == kind)
}

/// The one finding of `kind`.
fn only(findings: &[Finding], kind: FindingKind) -> Finding {
    let of_kind: Vec<&Finding> = findings.iter().filter(|f| f.kind == kind).collect();
    assert_eq!(of_kind.len(), 1, "one {kind} in {findings:#?}");
    of_kind[0].clone()
}

fn responsible(role: Role) -> ResponsibleParty {
    ResponsibleParty {
        department_code: "D22".into(),
        role,
    }
}

// ---------------------------------------------------------------------------------------
// Kinds and rules

#[test]
fn every_kind_has_a_stable_snake_case_name_and_a_distinct_chinese_name() {
    let mut zh = std::collections::BTreeSet::new();
    for kind in FindingKind::ALL {
        assert_eq!(kind.as_str().parse::<FindingKind>(), Ok(kind));
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::String(kind.as_str().into())
        );
        assert!(zh.insert(kind.name_zh()), "{kind}");
    }
    assert!("late".parse::<FindingKind>().is_err());
}

#[test]
fn refusals_denials_suspensions_and_terminations_are_routine_reviews_and_four_kinds_are_time_based()
{
    let reviewed: Vec<_> = FindingKind::ALL
        .into_iter()
        .filter(|k| k.always_reviewed())
        .collect();
    assert_eq!(
        reviewed,
        [K::IntakeRefused, K::Denied, K::Suspended, K::Terminated]
    );
    let timed: Vec<_> = FindingKind::ALL
        .into_iter()
        .filter(|k| k.time_based())
        .collect();
    assert_eq!(
        timed,
        [
            K::CaseOverdue,
            K::StepOverdue,
            K::PauseTooLong,
            K::LeftUntouched
        ]
    );
}

#[test]
fn the_default_rules_take_five_and_twenty_working_days_from_rules_md() {
    let rules = SupervisionRules::default();
    assert_eq!(
        (rules.open_within_days, rules.conclude_within_days),
        (5, 20)
    );
    assert_eq!(rules.untouched_days, 3);
    assert_eq!(rules.repeated_returns, 2);
    let terms = rules.notice_terms();
    assert_eq!(
        (
            terms.reply_days,
            terms.yellow_card_days,
            terms.red_card_days
        ),
        (5, 5, 5)
    );
    assert_eq!(terms.days_for(CardLevel::NoCard), 5);
}

#[test]
fn rules_read_from_a_partial_file_keep_the_other_defaults_and_refuse_unknown_keys() {
    let rules: SupervisionRules = toml::from_str(
        "untouched_days = 2\nreply_days = 3\n[untouched_days_by_item]\nXK00001000 = 1\n",
    )
    .unwrap();
    assert_eq!(rules.untouched_days, 2);
    assert_eq!(rules.reply_days, 3);
    assert_eq!(rules.conclude_within_days, 20);
    let code = ItemCode::parse("XK00001000").unwrap();
    assert_eq!(rules.untouched_days_for(&code), 1);
    assert_eq!(
        rules.untouched_days_for(&ItemCode::parse("XK00009000").unwrap()),
        2
    );
    assert!(toml::from_str::<SupervisionRules>("untouched = 2").is_err());
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(
        serde_json::from_str::<SupervisionRules>(&json).unwrap(),
        rules
    );
}

#[test]
fn a_repeated_returns_threshold_below_one_counts_as_one() {
    for (set, used) in [(0, 1), (1, 1), (2, 2), (5, 5)] {
        let rules = SupervisionRules {
            repeated_returns: set,
            ..SupervisionRules::default()
        };
        assert_eq!(rules.repeated_returns_threshold(), used);
    }
}

// ---------------------------------------------------------------------------------------
// Case overdue (exceeding the committed time)

/// Accepted Monday 3 November 2025 at 10:00: the 8 committed working days are 4–7 and 10–13
/// November, so the case is due at the close of Thursday 13 November.
fn accepted_3_november() -> Story {
    Story::accepted(a_licence(), at(2025, 11, 3, 10, 0))
}

#[test]
fn given_an_open_case_when_its_committed_limit_passes_then_the_sweep_finds_it_overdue_from_the_close_of_the_last_day()
 {
    let s = accepted_3_november();
    assert!(!has(&s.sweep(close(2025, 11, 13)), K::CaseOverdue));
    let now = at(2025, 11, 13, 17, 31);
    let f = only(&s.sweep(now), K::CaseOverdue);
    assert_eq!(f.dedup_key, "case:42:case_overdue");
    assert_eq!(f.occurred_at, close(2025, 11, 13));
    assert_eq!(f.detected_at, now);
    assert_eq!(f.case_id, CASE);
    assert_eq!(f.item_code, s.item.code);
    assert_eq!(f.step, Some(StepKind::Handle));
    assert_eq!(f.responsible, responsible(Role::HandlingOfficer));
    assert!(!f.provisional);
    assert!(
        f.description_zh.starts_with("办件超期："),
        "{}",
        f.description_zh
    );
    let next_day = only(&s.sweep(at(2025, 11, 14, 10, 0)), K::CaseOverdue);
    assert!(
        next_day.description_en.contains("9 working days used of 8"),
        "{}",
        next_day.description_en
    );
    assert_eq!(next_day.dedup_key, f.dedup_key);
}

#[test]
fn given_an_untouched_case_then_the_sweep_looks_at_it_again_exactly_when_each_finding_or_level_arrives()
 {
    // Licence: 8 working days, handling 5; accepted Monday 3 November 2025, counted from
    // the 4th; left untouched after 3 working days.
    let s = accepted_3_november();
    let kept = crate::case::ClockSnapshot::of(&s.case, &[&s.events]);
    let warnings = WarningRules::default();
    let ctx = sweep_context(&s, &warnings);
    let after_close = |d| close(2025, 11, d) + TimeDelta::milliseconds(1);
    let walk = [
        // Left untouched: the third working day (6th) closes.
        (at(2025, 11, 3, 10, 0), after_close(6)),
        // The handling step turns yellow with 4 of its 5 days used (80 %).
        (after_close(6), at(2025, 11, 7, 0, 0)),
        // The handling step runs out at the close of the 10th (red, step overdue). The case
        // turning yellow on the 12th changes nothing: the step's red is the warning.
        (at(2025, 11, 7, 0, 0), after_close(10)),
        // The case runs out at the close of the 13th (red, case overdue, warned as the case).
        (after_close(10), after_close(13)),
    ];
    for (now, next) in walk {
        assert_eq!(ctx.next_look(CASE, &kept, now), next, "from {now}");
        assert!(
            !ctx.verdict(CASE, &kept, next)
                .records_same_as(&ctx.verdict(CASE, &kept, now))
        );
    }
    let findings = |t| kinds(&ctx.verdict(CASE, &kept, t).findings);
    assert_eq!(findings(after_close(6)), [K::LeftUntouched]);
    assert_eq!(
        findings(after_close(10)),
        [K::StepOverdue, K::LeftUntouched]
    );
    assert_eq!(
        findings(after_close(13)),
        [K::CaseOverdue, K::StepOverdue, K::LeftUntouched]
    );
    // Then nothing more can happen: the search ends 31 days on and starts again from there.
    assert_eq!(
        ctx.next_look(CASE, &kept, after_close(13)),
        close(2025, 12, 14) + TimeDelta::milliseconds(1)
    );
}

#[test]
fn given_a_case_in_a_special_procedure_then_only_the_procedures_own_days_bring_a_look() {
    let s = inspection_5_november();
    let kept = crate::case::ClockSnapshot::of(&s.case, &[&s.events]);
    let warnings = WarningRules::default();
    let ctx = sweep_context(&s, &warnings);
    // The clocks are stopped; the procedure's 3 stated days end at the close of the 10th.
    assert_eq!(
        ctx.next_look(CASE, &kept, at(2025, 11, 5, 10, 0)),
        close(2025, 11, 10) + TimeDelta::milliseconds(1)
    );
}

#[test]
fn the_basis_of_the_next_looks_changes_with_the_calendar_and_the_rules_and_nothing_else() {
    let warnings = WarningRules::default();
    let rules = SupervisionRules::default();
    let shipped = crate::calendar::WorkingCalendar::shipped();
    let basis = schedule::basis(&shipped, &rules, &warnings);
    assert_eq!(basis.len(), 64);
    assert_eq!(schedule::basis(&shipped.clone(), &rules, &warnings), basis);
    let stricter = SupervisionRules {
        untouched_days: 2,
        ..SupervisionRules::default()
    };
    assert_ne!(schedule::basis(&shipped, &stricter, &warnings), basis);
    let earlier_yellow = WarningRules {
        yellow_days_left: 2,
        ..warnings
    };
    assert_ne!(schedule::basis(&shipped, &rules, &earlier_yellow), basis);
    let fewer = crate::calendar::WorkingCalendar::new(Vec::new()).unwrap();
    assert_ne!(schedule::basis(&fewer, &rules, &warnings), basis);
}

#[test]
fn given_an_extension_then_its_days_count_in_the_limit_before_the_case_is_overdue() {
    let s = accepted_3_november().then(at(2025, 11, 4, 10, 0), extend(5));
    // 8 + 5 working days: 14 and 17–20 November added.
    assert!(!has(&s.sweep(at(2025, 11, 14, 10, 0)), K::CaseOverdue));
    assert!(!has(&s.sweep(close(2025, 11, 20)), K::CaseOverdue));
    let f = only(&s.sweep(at(2025, 11, 20, 17, 31)), K::CaseOverdue);
    assert_eq!(f.occurred_at, close(2025, 11, 20));
    assert!(
        f.description_zh.contains("含延期5个工作日"),
        "{}",
        f.description_zh
    );
    assert!(f.description_en.contains("of 13"), "{}", f.description_en);
}

#[test]
fn given_national_day_2025_then_the_holiday_is_not_counted_and_the_adjusted_saturday_is() {
    // Accepted Tuesday 30 September: 1–8 October are off, Saturday 11 October is worked.
    // 9, 10, 11, 13, 14, 15, 16, 17 October: due at the close of Friday 17 October.
    let s = Story::accepted(a_licence(), at(2025, 9, 30, 10, 0));
    assert!(!has(&s.sweep(at(2025, 10, 10, 18, 0)), K::CaseOverdue));
    assert!(!has(&s.sweep(close(2025, 10, 17)), K::CaseOverdue));
    let f = only(&s.sweep(at(2025, 10, 17, 17, 31)), K::CaseOverdue);
    assert_eq!(f.occurred_at, close(2025, 10, 17));
}

#[test]
fn given_a_supplement_after_acceptance_then_the_stopped_clock_never_makes_the_case_overdue() {
    let s = accepted_3_november().then(at(2025, 11, 4, 10, 0), request_supplement());
    assert_eq!(kinds(&s.sweep(at(2025, 12, 31, 10, 0))), []);
}

#[test]
fn given_a_case_decided_after_its_limit_then_the_decision_reveals_the_overdue_case_with_the_sweeps_key()
 {
    // Handled on time (Friday 7), reviewed Monday 10 (review share 2: due Tuesday 11),
    // approved Friday 14: the approve step (1 day, due Tuesday 11) and the case (due
    // Thursday 13) are both late.
    let mut s = accepted_3_november()
        .then(at(2025, 11, 7, 10, 0), handle())
        .then(at(2025, 11, 10, 10, 0), review());
    let when = at(2025, 11, 14, 10, 0);
    let swept = s.sweep(when);
    let found = s.findings_of(when, approve());
    assert_eq!(kinds(&found), [K::CaseOverdue, K::StepOverdue]);
    for f in &found {
        let twin = only(&swept, f.kind);
        assert_eq!(f.dedup_key, twin.dedup_key);
        assert_eq!(f.occurred_at, twin.occurred_at);
        assert_eq!(f.detected_at, when);
    }
    assert_eq!(only(&found, K::CaseOverdue).step, Some(StepKind::Approve));
    assert_eq!(
        only(&found, K::StepOverdue).responsible,
        responsible(Role::Approver)
    );
    // Once decided, the case clock is stopped: nothing more to sweep than what was found.
    assert_eq!(kinds(&s.sweep(at(2025, 12, 1, 10, 0))), [K::CaseOverdue]);
    s.act(at(2025, 12, 1, 10, 0), conclude());
    assert_eq!(s.on_last(), []);
    assert_eq!(
        s.sweep(at(2025, 12, 2, 10, 0)),
        [],
        "closed cases are not swept"
    );
}

#[test]
fn given_a_decision_at_the_close_of_the_last_day_then_it_is_on_time_and_a_minute_later_it_is_late()
{
    // Reviewed Wednesday 12 (late for review), so the approve step runs to Thursday 13.
    let s = accepted_3_november()
        .then(at(2025, 11, 7, 10, 0), handle())
        .then(at(2025, 11, 12, 10, 0), review());
    let mut on_time = s.clone();
    assert_eq!(on_time.findings_of(close(2025, 11, 13), approve()), []);
    let mut late = s;
    assert_eq!(
        kinds(&late.findings_of(at(2025, 11, 13, 17, 31), approve())),
        [K::CaseOverdue, K::StepOverdue]
    );
}

#[test]
fn given_a_denial_after_the_limit_then_it_is_overdue_as_well_as_reviewed() {
    let mut s = accepted_3_november()
        .then(at(2025, 11, 7, 10, 0), handle())
        .then(at(2025, 11, 10, 10, 0), review());
    let found = s.findings_of(at(2025, 11, 14, 10, 0), a_good_denial());
    assert_eq!(kinds(&found), [K::CaseOverdue, K::StepOverdue, K::Denied]);
}

#[test]
fn given_a_case_for_a_year_without_holiday_notice_then_its_overdue_finding_is_provisional() {
    let s = Story::accepted(a_licence(), at(2027, 3, 1, 10, 0));
    let f = only(&s.sweep(at(2027, 4, 1, 10, 0)), K::CaseOverdue);
    assert!(f.provisional);
}

// ---------------------------------------------------------------------------------------
// Step overdue

#[test]
fn given_a_step_past_its_share_then_the_sweep_finds_it_while_the_case_is_within_its_limit() {
    // Handle: 5 working days from Monday 3, due at the close of Monday 10.
    let s = accepted_3_november();
    assert!(!has(&s.sweep(close(2025, 11, 10)), K::StepOverdue));
    let found = s.sweep(at(2025, 11, 10, 17, 31));
    assert!(!has(&found, K::CaseOverdue));
    let f = only(&found, K::StepOverdue);
    assert_eq!(
        f.dedup_key,
        format!("case:42:step_overdue:handle:{}", ms(at(2025, 11, 3, 10, 0)))
    );
    assert_eq!(f.step, Some(StepKind::Handle));
    assert_eq!(f.responsible, responsible(Role::HandlingOfficer));
    assert_eq!(f.occurred_at, close(2025, 11, 10));
    assert!(
        f.description_zh.contains("承办环节时限5个工作日"),
        "{}",
        f.description_zh
    );
}

#[test]
fn given_a_step_completed_late_then_the_event_finds_it_with_the_sweeps_key_and_on_time_it_finds_nothing()
 {
    let s = accepted_3_november();
    let swept = only(&s.sweep(at(2025, 11, 10, 17, 31)), K::StepOverdue);
    let mut late = s.clone();
    let found = late.findings_of(at(2025, 11, 11, 9, 0), handle());
    let f = only(&found, K::StepOverdue);
    assert_eq!(f.dedup_key, swept.dedup_key);
    assert_eq!(f.occurred_at, swept.occurred_at);
    assert!(!has(&found, K::CaseOverdue));
    let mut on_time = s;
    assert!(!has(
        &on_time.findings_of(close(2025, 11, 10), handle()),
        K::StepOverdue
    ));
}

#[test]
fn given_a_step_entered_again_after_a_return_then_its_new_period_has_its_own_key() {
    // Handled Tuesday 4, returned from review Wednesday 5: handle runs again 6–12 November.
    let s = accepted_3_november()
        .then(at(2025, 11, 4, 10, 0), handle())
        .then(at(2025, 11, 5, 10, 0), return_to(StepKind::Handle));
    assert!(!has(&s.sweep(close(2025, 11, 12)), K::StepOverdue));
    let f = only(&s.sweep(at(2025, 11, 12, 17, 31)), K::StepOverdue);
    assert_eq!(
        f.dedup_key,
        format!("case:42:step_overdue:handle:{}", ms(at(2025, 11, 5, 10, 0)))
    );
}

#[test]
fn given_a_case_returned_late_then_the_return_reveals_the_overdue_step_it_leaves() {
    // Review (2 days from Tuesday 4: due Thursday 6) returns on Friday 7.
    let mut s = accepted_3_november().then(at(2025, 11, 4, 10, 0), handle());
    let found = s.findings_of(at(2025, 11, 7, 10, 0), return_to(StepKind::Handle));
    let f = only(&found, K::StepOverdue);
    assert_eq!(f.step, Some(StepKind::Review));
    assert_eq!(f.responsible, responsible(Role::Reviewer));
}

// ---------------------------------------------------------------------------------------
// Step out of order

#[test]
fn given_the_workflows_own_steps_then_nothing_is_out_of_order() {
    let s = accepted_3_november()
        .then(at(2025, 11, 4, 10, 0), handle())
        .then(at(2025, 11, 4, 11, 0), return_to(StepKind::Handle))
        .then(at(2025, 11, 4, 12, 0), handle())
        .then(at(2025, 11, 4, 14, 0), review())
        .then(at(2025, 11, 4, 15, 0), return_to(StepKind::Review))
        .then(at(2025, 11, 4, 16, 0), review())
        .then(at(2025, 11, 5, 10, 0), approve())
        .then(at(2025, 11, 5, 11, 0), conclude());
    let all = findings_in_history(CASE, &s.events, &s.item, &CALENDAR, &s.rules).unwrap();
    assert_eq!(all, []);
    let spot = Story::new(on_the_spot("XK00002000"), at(2025, 11, 3, 10, 0)).then(
        at(2025, 11, 3, 10, 0),
        Action::ConcludeOnTheSpot {
            delivery: "当场领取".into(),
        },
    );
    let all = findings_in_history(CASE, &spot.events, &spot.item, &CALENDAR, &spot.rules).unwrap();
    assert_eq!(all, []);
}

#[test]
fn given_acceptance_into_a_step_the_item_does_not_start_with_then_it_is_out_of_order() {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 10, 0));
    s.record(
        at(2025, 11, 3, 10, 0),
        EventKind::Accepted {
            first_step: StepKind::Review,
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert_eq!(f.dedup_key, "case:42:step_out_of_order:2");
    assert_eq!(f.step, Some(StepKind::Review));
    assert_eq!(f.responsible, responsible(Role::Reviewer));
    assert!(f.description_en.contains("the item starts with `handle`"));
}

#[test]
fn given_a_step_that_skips_the_next_one_then_it_is_out_of_order() {
    let mut s = accepted_3_november();
    s.record(
        at(2025, 11, 4, 10, 0),
        EventKind::Handled {
            opinion: "同意".into(),
            next_step: StepKind::Approve,
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert_eq!(f.step, Some(StepKind::Handle));
    assert!(
        f.description_en
            .contains("the item's next step is `review`"),
        "{}",
        f.description_en
    );
    assert_eq!(f.dedup_key, "case:42:step_out_of_order:3");
}

#[test]
fn given_a_step_the_item_does_not_have_then_it_is_out_of_order() {
    let mut s = Story::accepted(a_licence_without_review(), at(2025, 11, 3, 10, 0))
        .then(at(2025, 11, 4, 10, 0), handle());
    s.record(
        at(2025, 11, 4, 11, 0),
        EventKind::Reviewed {
            opinion: "同意".into(),
            next_step: StepKind::Approve,
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert_eq!(f.step, Some(StepKind::Review));
    assert_eq!(
        f.responsible.role,
        Role::Reviewer,
        "the step's natural role"
    );
    assert!(f.description_en.contains("no such step"));
}

#[test]
fn given_a_decision_taken_before_the_case_reached_it_then_it_is_out_of_order() {
    let mut s = accepted_3_november();
    s.record(
        at(2025, 11, 4, 10, 0),
        EventKind::Approved {
            opinion: "准予".into(),
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert_eq!(f.step, Some(StepKind::Approve));
    assert_eq!(f.responsible, responsible(Role::Approver));
}

#[test]
fn given_a_return_to_a_later_or_missing_step_then_it_is_out_of_order_and_to_an_earlier_one_it_is_not()
 {
    let mut s = accepted_3_november();
    s.record(
        at(2025, 11, 4, 10, 0),
        EventKind::Returned {
            to: StepKind::Review,
            reason: "退回".into(),
        },
    );
    assert_eq!(
        only(&s.on_last(), K::StepOutOfOrder).step,
        Some(StepKind::Handle)
    );

    let mut s = Story::accepted(a_licence_without_review(), at(2025, 11, 3, 10, 0))
        .then(at(2025, 11, 4, 10, 0), handle());
    s.record(
        at(2025, 11, 4, 11, 0),
        EventKind::Returned {
            to: StepKind::Review,
            reason: "退回".into(),
        },
    );
    assert!(has(&s.on_last(), K::StepOutOfOrder));

    let mut s = accepted_3_november().then(at(2025, 11, 4, 10, 0), handle());
    s.record(
        at(2025, 11, 4, 11, 0),
        EventKind::Returned {
            to: StepKind::Handle,
            reason: "退回".into(),
        },
    );
    assert!(!has(&s.on_last(), K::StepOutOfOrder));
}

#[test]
fn given_a_conclusion_without_a_decision_or_a_second_acceptance_then_it_is_out_of_order() {
    let mut s = accepted_3_november();
    s.record(
        at(2025, 11, 4, 10, 0),
        EventKind::Concluded {
            delivery: "邮寄".into(),
            on_the_spot: false,
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert_eq!(f.step, None);
    assert_eq!(f.responsible, responsible(Role::WindowClerk));

    let mut s = accepted_3_november();
    s.record(
        at(2025, 11, 4, 10, 0),
        EventKind::Accepted {
            first_step: StepKind::Handle,
        },
    );
    let f = only(&s.on_last(), K::StepOutOfOrder);
    assert!(f.description_en.contains("accepted a second time"));
}

// ---------------------------------------------------------------------------------------
// Special procedures: every suspension reviewed, and none longer than stated

/// A 3-working-day inspection started Wednesday 5 November at 10:00: it may stop the clock
/// on 6, 7 and 10 November, to the close of Monday 10.
fn inspection_5_november() -> Story {
    accepted_3_november().then(at(2025, 11, 5, 10, 0), start_special(3))
}

#[test]
fn given_a_special_procedure_then_every_start_is_reviewed_once_per_procedure() {
    let s = inspection_5_november();
    let f = only(&s.on_last(), K::Suspended);
    assert_eq!(
        f.dedup_key,
        format!("case:42:suspended:{}", ms(at(2025, 11, 5, 10, 0)))
    );
    assert_eq!(f.step, Some(StepKind::Handle));
    assert!(f.kind.always_reviewed());
    assert_eq!(kinds(&s.on_last()), [K::Suspended]);
}

#[test]
fn given_a_special_procedure_past_its_stated_days_then_the_sweep_finds_it_and_the_case_clocks_stay_stopped()
 {
    let s = inspection_5_november();
    assert_eq!(kinds(&s.sweep(close(2025, 11, 10))), []);
    let f = only(&s.sweep(at(2025, 11, 10, 17, 31)), K::PauseTooLong);
    assert_eq!(
        f.dedup_key,
        format!("case:42:pause_too_long:{}", ms(at(2025, 11, 5, 10, 0)))
    );
    assert_eq!(f.occurred_at, close(2025, 11, 10));
    assert_eq!(f.step, Some(StepKind::Handle));
    assert_eq!(f.responsible, responsible(Role::HandlingOfficer));
    assert!(
        f.description_zh.contains("检验告知3个工作日"),
        "{}",
        f.description_zh
    );
    // Weeks later the case and step clocks have still used only 4 and 5 November.
    assert_eq!(kinds(&s.sweep(at(2025, 12, 31, 10, 0))), [K::PauseTooLong]);
}

#[test]
fn given_a_special_procedure_ended_late_then_the_end_reveals_it_with_the_sweeps_key() {
    let swept = only(
        &inspection_5_november().sweep(at(2025, 11, 10, 17, 31)),
        K::PauseTooLong,
    );
    let mut on_time = inspection_5_november();
    assert_eq!(
        on_time.findings_of(at(2025, 11, 10, 17, 0), end_special()),
        []
    );
    let mut late = inspection_5_november();
    let f = only(
        &late.findings_of(at(2025, 11, 11, 9, 0), end_special()),
        K::PauseTooLong,
    );
    assert_eq!(f.dedup_key, swept.dedup_key);
    assert_eq!(f.occurred_at, swept.occurred_at);
    // Withdrawing ends the procedure too.
    let mut withdrawn = inspection_5_november();
    assert!(has(
        &withdrawn.findings_of(at(2025, 11, 11, 9, 0), withdraw()),
        K::PauseTooLong
    ));
}

#[test]
fn given_a_special_procedure_started_after_hours_then_its_days_count_from_the_next_working_period()
{
    let s = accepted_3_november().then(at(2025, 11, 5, 18, 0), start_special(3));
    // Counted from Thursday 6: 7, 10 and 11 November.
    assert!(!has(&s.sweep(at(2025, 11, 10, 17, 31)), K::PauseTooLong));
    assert!(!has(&s.sweep(close(2025, 11, 11)), K::PauseTooLong));
    assert!(has(&s.sweep(at(2025, 11, 11, 17, 31)), K::PauseTooLong));
}

#[test]
fn given_a_special_procedure_over_national_day_then_the_holiday_does_not_count_against_it() {
    let s = Story::accepted(a_licence(), at(2025, 9, 29, 10, 0))
        .then(at(2025, 9, 30, 10, 0), start_special(3));
    // 9, 10 and (adjusted) Saturday 11 October.
    assert!(!has(&s.sweep(at(2025, 10, 8, 23, 0)), K::PauseTooLong));
    assert!(!has(&s.sweep(close(2025, 10, 11)), K::PauseTooLong));
    assert!(has(&s.sweep(at(2025, 10, 11, 17, 31)), K::PauseTooLong));
}

// ---------------------------------------------------------------------------------------
// One-time notice (一次性告知)

#[test]
fn given_one_supplement_notice_then_nothing_and_given_a_second_on_the_same_case_then_it_is_found() {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 9, 0));
    assert_eq!(
        s.findings_of(at(2025, 11, 3, 9, 10), request_supplement()),
        []
    );
    s.act(at(2025, 11, 3, 11, 0), supplement());
    s.act(at(2025, 11, 3, 11, 10), Action::Accept);
    let f = only(
        &s.findings_of(at(2025, 11, 4, 10, 0), request_supplement()),
        K::SupplementRepeated,
    );
    assert_eq!(f.dedup_key, "case:42:supplement_repeated");
    assert_eq!(f.step, Some(StepKind::Handle));
    assert_eq!(f.responsible, responsible(Role::HandlingOfficer));
    assert!(
        f.description_zh.contains("第2次补正告知"),
        "{}",
        f.description_zh
    );

    // A third notice is the same irregularity.
    s.act(at(2025, 11, 5, 10, 0), supplement());
    let again = only(
        &s.findings_of(at(2025, 11, 5, 11, 0), request_supplement()),
        K::SupplementRepeated,
    );
    assert_eq!(again.dedup_key, f.dedup_key);
}

#[test]
fn given_two_notices_before_acceptance_then_the_window_answers_for_it() {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 9, 0))
        .then(at(2025, 11, 3, 9, 10), request_supplement())
        .then(at(2025, 11, 3, 11, 0), supplement());
    let f = only(
        &s.findings_of(at(2025, 11, 3, 11, 10), request_supplement()),
        K::SupplementRepeated,
    );
    assert_eq!(f.step, None);
    assert_eq!(f.responsible, responsible(Role::WindowClerk));
}

#[test]
fn given_a_single_notice_after_acceptance_then_nothing_is_found() {
    let mut s = accepted_3_november();
    assert_eq!(
        s.findings_of(at(2025, 11, 4, 10, 0), request_supplement()),
        []
    );
}

// ---------------------------------------------------------------------------------------
// Left untouched after acceptance

#[test]
fn given_a_case_untouched_since_acceptance_then_the_sweep_finds_it_after_the_threshold() {
    // 3 working days from Monday 3: 4, 5, 6 November.
    let s = accepted_3_november();
    assert!(!has(&s.sweep(close(2025, 11, 6)), K::LeftUntouched));
    let f = only(&s.sweep(at(2025, 11, 6, 17, 31)), K::LeftUntouched);
    assert_eq!(f.dedup_key, "case:42:left_untouched");
    assert_eq!(f.occurred_at, close(2025, 11, 6));
    assert_eq!(f.step, Some(StepKind::Handle));
    assert_eq!(f.responsible, responsible(Role::HandlingOfficer));
    assert_eq!(kinds(&s.sweep(at(2025, 11, 6, 17, 31))), [K::LeftUntouched]);
}

#[test]
fn given_any_action_after_acceptance_then_the_case_is_not_untouched() {
    for action in [
        handle(),
        extend(2),
        request_supplement(),
        start_special(10),
        return_to(StepKind::Handle),
    ] {
        let name = action.name();
        let mut s = accepted_3_november();
        if name == ActionName::Return {
            s.act(at(2025, 11, 3, 11, 0), handle());
        }
        s.act(at(2025, 11, 4, 10, 0), action);
        assert!(!untouched_since_acceptance(&s.case), "{name}");
        assert!(
            !has(&s.sweep(at(2025, 11, 7, 10, 0)), K::LeftUntouched),
            "{name}"
        );
    }
}

#[test]
fn given_the_first_action_after_the_threshold_then_it_reveals_the_untouched_case_with_the_sweeps_key()
 {
    let s = accepted_3_november();
    let swept = only(&s.sweep(at(2025, 11, 7, 10, 0)), K::LeftUntouched);
    let mut late = s.clone();
    let f = only(
        &late.findings_of(at(2025, 11, 7, 10, 0), handle()),
        K::LeftUntouched,
    );
    assert_eq!(f.dedup_key, swept.dedup_key);
    assert_eq!(f.occurred_at, swept.occurred_at);
    let mut on_time = s;
    assert_eq!(on_time.findings_of(close(2025, 11, 6), handle()), []);
}

#[test]
fn given_a_per_item_threshold_then_it_replaces_the_default_for_that_item_only() {
    let mut s = accepted_3_november();
    s.rules
        .untouched_days_by_item
        .insert(s.item.code.clone(), 1);
    assert!(!has(&s.sweep(close(2025, 11, 4)), K::LeftUntouched));
    assert!(has(&s.sweep(at(2025, 11, 4, 17, 31)), K::LeftUntouched));
    let mut other = Story::accepted(a_licence_without_review(), at(2025, 11, 3, 10, 0));
    other.rules = s.rules.clone();
    assert!(!has(
        &other.sweep(at(2025, 11, 4, 17, 31)),
        K::LeftUntouched
    ));
    assert!(has(&other.sweep(at(2025, 11, 6, 17, 31)), K::LeftUntouched));
}

#[test]
fn given_acceptance_after_hours_on_friday_then_the_untouched_days_count_from_monday() {
    // Effective Monday 10: 11, 12, 13 November.
    let s = Story::accepted(a_licence(), at(2025, 11, 7, 18, 0));
    assert!(!has(&s.sweep(close(2025, 11, 13)), K::LeftUntouched));
    assert!(has(&s.sweep(at(2025, 11, 13, 17, 31)), K::LeftUntouched));
}

#[test]
fn given_acceptance_before_national_day_then_the_untouched_days_skip_the_holiday() {
    // 9, 10 and (adjusted) Saturday 11 October.
    let s = Story::accepted(a_licence(), at(2025, 9, 30, 10, 0));
    assert!(!has(&s.sweep(at(2025, 10, 8, 23, 0)), K::LeftUntouched));
    assert!(!has(&s.sweep(close(2025, 10, 11)), K::LeftUntouched));
    let f = only(&s.sweep(at(2025, 10, 11, 17, 31)), K::LeftUntouched);
    assert_eq!(f.occurred_at, close(2025, 10, 11));
}

// ---------------------------------------------------------------------------------------
// Refusals and denials

const GOOD_REASON: &str = "不属于本机关职权范围";
const GOOD_BASIS: &str = "《中华人民共和国行政许可法》第三十二条";

fn refused(reason: &str, legal_basis: &str) -> Vec<Finding> {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 9, 0));
    s.findings_of(at(2025, 11, 3, 9, 10), refuse_intake(reason, legal_basis))
}

#[test]
fn given_every_intake_refusal_then_it_is_reviewed_and_with_grounds_nothing_more() {
    let found = refused(GOOD_REASON, GOOD_BASIS);
    assert_eq!(kinds(&found), [K::IntakeRefused]);
    let f = only(&found, K::IntakeRefused);
    assert_eq!(f.dedup_key, "case:42:intake_refused");
    assert_eq!(f.step, None);
    assert_eq!(f.responsible, responsible(Role::WindowClerk));
    assert!(f.description_zh.contains(GOOD_REASON));
}

#[test]
fn given_a_refusal_reason_below_four_characters_then_it_is_refused_without_grounds() {
    assert_eq!(kinds(&refused("材料不全", GOOD_BASIS)), [K::IntakeRefused]);
    let found = refused("不符合", GOOD_BASIS);
    let f = only(&found, K::RefusalWithoutGrounds);
    assert_eq!(f.dedup_key, "case:42:refusal_without_grounds");
    assert_eq!(f.description_en, "refused with no reason given");
    // Whitespace is not a reason.
    assert!(has(
        &refused(" 不 符 合 ", GOOD_BASIS),
        K::RefusalWithoutGrounds
    ));
}

#[test]
fn given_a_legal_basis_below_six_characters_then_it_is_refused_without_grounds() {
    assert_eq!(
        kinds(&refused(GOOD_REASON, "许可法第一条")),
        [K::IntakeRefused]
    );
    let f = only(
        &refused(GOOD_REASON, "许可法一条"),
        K::RefusalWithoutGrounds,
    );
    assert_eq!(f.description_en, "refused with no legal basis given");
    let f = only(&refused(GOOD_REASON, "相关规定"), K::RefusalWithoutGrounds);
    assert!(f.description_zh.contains("未写明法律依据"));
    let f = only(&refused("不行", "有关规定"), K::RefusalWithoutGrounds);
    assert_eq!(
        f.description_en,
        "refused with neither reason nor legal basis given"
    );
}

#[test]
fn given_lower_minimums_then_short_grounds_pass() {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 9, 0));
    s.rules.min_reason_chars = 0;
    s.rules.min_legal_basis_chars = 0;
    let found = s.findings_of(at(2025, 11, 3, 9, 10), refuse_intake("否", "法"));
    assert_eq!(kinds(&found), [K::IntakeRefused]);
}

#[test]
fn given_every_denial_then_it_is_reviewed_and_short_grounds_are_found_at_the_approve_step() {
    let decided = |action: Action| {
        let mut s = accepted_3_november()
            .then(at(2025, 11, 4, 10, 0), handle())
            .then(at(2025, 11, 4, 11, 0), review());
        s.findings_of(at(2025, 11, 4, 14, 0), action)
    };
    let found = decided(a_good_denial());
    assert_eq!(kinds(&found), [K::Denied]);
    let f = only(&found, K::Denied);
    assert_eq!(f.dedup_key, "case:42:denied");
    assert_eq!(f.step, Some(StepKind::Approve));
    assert_eq!(f.responsible, responsible(Role::Approver));
    let found = decided(deny("不符合", GOOD_BASIS));
    assert_eq!(kinds(&found), [K::RefusalWithoutGrounds, K::Denied]);
    assert_eq!(
        only(&found, K::RefusalWithoutGrounds).step,
        Some(StepKind::Approve)
    );
    assert_eq!(decided(approve()), []);
}

#[test]
fn given_a_window_authorised_item_then_its_denial_is_the_window_clerks() {
    let mut s = Story::accepted(a_window_authorised_licence(), at(2025, 11, 3, 10, 0))
        .then(at(2025, 11, 4, 10, 0), handle());
    let f = only(
        &s.findings_of(at(2025, 11, 4, 11, 0), a_good_denial()),
        K::Denied,
    );
    assert_eq!(f.responsible.role, Role::WindowClerk);
}

// ---------------------------------------------------------------------------------------
// Returns repeated on the same step

fn at_review() -> Story {
    accepted_3_november().then(at(2025, 11, 4, 10, 0), handle())
}

#[test]
fn given_a_second_return_from_the_same_step_then_it_is_found_once_per_step() {
    let mut s = at_review();
    assert_eq!(
        s.findings_of(at(2025, 11, 4, 11, 0), return_to(StepKind::Handle)),
        []
    );
    s.act(at(2025, 11, 4, 12, 0), handle());
    let f = only(
        &s.findings_of(at(2025, 11, 4, 14, 0), return_to(StepKind::Handle)),
        K::ReturnsRepeated,
    );
    assert_eq!(f.dedup_key, "case:42:returns_repeated:review");
    assert_eq!(f.step, Some(StepKind::Review));
    assert_eq!(f.responsible, responsible(Role::Reviewer));
    assert!(
        f.description_zh.contains("审核环节第2次退回"),
        "{}",
        f.description_zh
    );
    s.act(at(2025, 11, 4, 15, 0), handle());
    let third = only(
        &s.findings_of(at(2025, 11, 4, 16, 0), return_to(StepKind::Handle)),
        K::ReturnsRepeated,
    );
    assert_eq!(third.dedup_key, f.dedup_key);
}

#[test]
fn given_returns_from_different_steps_then_none_is_repeated() {
    let mut s = at_review()
        .then(at(2025, 11, 4, 11, 0), return_to(StepKind::Handle))
        .then(at(2025, 11, 4, 12, 0), handle())
        .then(at(2025, 11, 4, 14, 0), review());
    assert_eq!(
        s.findings_of(at(2025, 11, 4, 15, 0), return_to(StepKind::Handle)),
        []
    );
}

#[test]
fn given_a_threshold_of_one_then_every_return_is_found_and_of_three_only_the_third() {
    let mut s = at_review();
    s.rules.repeated_returns = 1;
    assert!(has(
        &s.findings_of(at(2025, 11, 4, 11, 0), return_to(StepKind::Handle)),
        K::ReturnsRepeated
    ));
    let mut s = at_review();
    s.rules.repeated_returns = 3;
    let mut found = Vec::new();
    for hour in [11, 13, 15] {
        found.push(has(
            &s.findings_of(at(2025, 11, 4, hour, 0), return_to(StepKind::Handle)),
            K::ReturnsRepeated,
        ));
        s.act(at(2025, 11, 4, hour, 30), handle());
    }
    assert_eq!(found, [false, false, true]);
}

// ---------------------------------------------------------------------------------------
// Terminations

#[test]
fn given_a_withdrawal_after_acceptance_then_it_is_reviewed_and_before_acceptance_it_is_not() {
    let mut s = accepted_3_november();
    let found = s.findings_of(at(2025, 11, 4, 10, 0), withdraw());
    assert_eq!(kinds(&found), [K::Terminated]);
    let f = only(&found, K::Terminated);
    assert_eq!(f.dedup_key, "case:42:terminated");
    assert_eq!(f.step, Some(StepKind::Handle));
    let mut early = Story::new(a_licence(), at(2025, 11, 3, 9, 0));
    assert_eq!(early.findings_of(at(2025, 11, 3, 9, 10), withdraw()), []);
}

#[test]
fn given_an_overdue_case_withdrawn_then_the_withdrawal_reveals_every_period_it_ends() {
    let mut s = accepted_3_november();
    let swept = s.sweep(at(2025, 11, 20, 10, 0));
    let found = s.findings_of(at(2025, 11, 20, 10, 0), withdraw());
    assert_eq!(
        kinds(&found),
        [
            K::CaseOverdue,
            K::StepOverdue,
            K::LeftUntouched,
            K::Terminated
        ]
    );
    for f in found.iter().filter(|f| f.kind.time_based()) {
        assert_eq!(f.dedup_key, only(&swept, f.kind).dedup_key);
    }
}

// ---------------------------------------------------------------------------------------
// Whole histories, errors

#[test]
fn given_a_whole_history_then_its_findings_are_those_of_each_event_in_turn() {
    let mut s = Story::new(a_licence(), at(2025, 11, 3, 9, 0))
        .then(at(2025, 11, 3, 9, 10), request_supplement())
        .then(at(2025, 11, 3, 11, 0), supplement())
        .then(at(2025, 11, 3, 11, 10), Action::Accept)
        .then(at(2025, 11, 7, 10, 0), request_supplement())
        .then(at(2025, 11, 10, 10, 0), supplement())
        .then(at(2025, 11, 10, 11, 0), handle())
        .then(at(2025, 11, 10, 14, 0), return_to(StepKind::Handle))
        .then(at(2025, 11, 10, 15, 0), handle())
        .then(at(2025, 11, 10, 16, 0), return_to(StepKind::Handle))
        .then(at(2025, 11, 11, 10, 0), handle())
        .then(at(2025, 11, 11, 11, 0), start_special(1))
        .then(at(2025, 11, 14, 10, 0), end_special())
        .then(at(2025, 11, 14, 11, 0), review())
        .then(at(2025, 11, 24, 10, 0), a_good_denial());
    s.act(at(2025, 11, 24, 11, 0), conclude());
    let all = findings_in_history(CASE, &s.events, &s.item, &CALENDAR, &s.rules).unwrap();
    let each: Vec<Finding> = (1..=s.events.len())
        .flat_map(|end| {
            findings_on_event(CASE, &s.events[..end], &s.item, &CALENDAR, &s.rules).unwrap()
        })
        .collect();
    assert_eq!(all, each);
    assert_eq!(
        kinds(&all),
        [
            K::CaseOverdue,
            K::StepOverdue,
            K::PauseTooLong,
            K::SupplementRepeated,
            K::LeftUntouched,
            K::Denied,
            K::ReturnsRepeated,
            K::Suspended
        ]
    );
}

#[test]
fn given_the_wrong_item_or_no_history_then_findings_are_refused() {
    let s = accepted_3_november();
    let other = a_licence_without_review();
    let rules = SupervisionRules::default();
    assert_eq!(
        findings_on_event(CASE, &s.events, &other, &CALENDAR, &rules),
        Err(FindingError::WrongItem)
    );
    assert_eq!(
        findings_in_history(CASE, &s.events, &other, &CALENDAR, &rules),
        Err(FindingError::WrongItem)
    );
    assert_eq!(
        sweep(
            CASE,
            &s.case,
            &other,
            &CALENDAR,
            &rules,
            at(2025, 12, 1, 0, 0)
        ),
        Err(FindingError::WrongItem)
    );
    let empty = findings_on_event(CASE, &[], &s.item, &CALENDAR, &rules).unwrap_err();
    assert!(matches!(empty, FindingError::History(_)));
    for error in [FindingError::WrongItem, empty] {
        assert!(bilingual(&error.to_string()), "{error}");
    }
    let mut broken = s.events.clone();
    broken.swap(0, 1);
    assert!(matches!(
        findings_on_event(CASE, &broken, &s.item, &CALENDAR, &rules),
        Err(FindingError::History(_))
    ));
}

#[test]
fn given_a_case_not_yet_accepted_then_the_sweep_finds_nothing_however_late() {
    let s = Story::new(a_licence(), at(2025, 11, 3, 9, 0));
    assert_eq!(s.sweep(at(2026, 11, 3, 9, 0)), []);
}

#[test]
fn findings_round_trip_through_json() {
    let f = only(
        &accepted_3_november().sweep(at(2025, 11, 20, 10, 0)),
        K::StepOverdue,
    );
    let json = serde_json::to_string(&f).unwrap();
    assert!(json.contains("\"kind\":\"step_overdue\""), "{json}");
    assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), f);
}

// ---------------------------------------------------------------------------------------
// Fees

fn charge(name: &str, amount_fen: i64) -> FeeCharge {
    FeeCharge {
        fee_name: name.into(),
        amount_fen,
    }
}

fn charged(item: &ServiceItem, charges: &[FeeCharge]) -> Vec<Finding> {
    check_charges(CASE, item, charges, at(2025, 11, 3, 10, 0))
}

#[test]
fn given_fees_at_their_standard_then_nothing_is_found() {
    let item = a_licence_with_fees();
    assert_eq!(charged(&item, &[]), []);
    assert_eq!(charged(&item, &[charge("工本费", 1000)]), []);
    assert_eq!(
        charged(&item, &[charge(" 工本费 ", 1000)]),
        [],
        "names are trimmed"
    );
    assert_eq!(
        charged(&item, &[charge("工本费", 500), charge("工本费", 500)]),
        [],
        "charges of one fee add up"
    );
    assert_eq!(
        charged(&item, &[charge("工本费", 2000), charge("工本费", -1000)]),
        [],
        "a refund nets off"
    );
    assert_eq!(charged(&item, &[charge("加急费", 0)]), [], "nothing taken");
}

#[test]
fn given_a_fee_off_its_standard_either_way_then_it_is_found() {
    let item = a_licence_with_fees();
    for (amount, shown) in [(1500, "15.00"), (999, "9.99"), (1001, "10.01")] {
        let found = charged(&item, &[charge("工本费", amount)]);
        let f = only(&found, K::FeeOffStandard);
        assert_eq!(f.dedup_key, "case:42:fee_off_standard:工本费");
        assert_eq!(f.responsible, responsible(Role::WindowClerk));
        assert_eq!(f.step, None);
        assert!(
            f.description_zh
                .contains(&format!("收取{shown}元，收费标准为10.00元")),
            "{}",
            f.description_zh
        );
    }
}

#[test]
fn given_a_fee_the_item_does_not_list_then_it_is_charged_without_authority() {
    let found = charged(
        &a_licence_with_fees(),
        &[charge("工本费", 1000), charge("加急费", 5000)],
    );
    let f = only(&found, K::FeeOffStandard);
    assert_eq!(f.dedup_key, "case:42:fee_off_standard:加急费");
    assert!(f.description_en.contains("the item lists no such fee"));
    // A free item: any money taken is without authority.
    let free = charged(&a_licence(), &[charge("工本费", 1000)]);
    assert_eq!(kinds(&free), [K::FeeOffStandard]);
}

#[test]
fn given_fees_receivable_and_received_then_a_difference_is_found() {
    let item = a_licence_with_fees();
    let when = at(2025, 11, 3, 10, 0);
    assert_eq!(check_receipts(CASE, &item, 1000, 1000, when), None);
    assert_eq!(check_receipts(CASE, &item, 0, 0, when), None);
    let f = check_receipts(CASE, &item, 1000, 850, when).unwrap();
    assert_eq!(f.kind, K::FeesUnreconciled);
    assert_eq!(f.dedup_key, "case:42:fees_unreconciled");
    assert_eq!(f.description_zh, "应收实收不符：应收10.00元，实收8.50元");
    let f = check_receipts(CASE, &item, 0, -5, when).unwrap();
    assert!(
        f.description_en.contains("received -0.05 yuan"),
        "{}",
        f.description_en
    );
}

// ---------------------------------------------------------------------------------------
// The supervision notice (督办单)

/// The case accepted 3 November left untouched: occurred at the close of Thursday 6, so a
/// notice is due to be opened by Thursday 13 (7, 10, 11, 12, 13 November).
fn a_finding() -> Finding {
    only(
        &accepted_3_november().sweep(at(2025, 11, 7, 10, 0)),
        K::LeftUntouched,
    )
}

fn supervisor() -> NoticeParty {
    NoticeParty::Supervisor
}

/// A notice and its history.
#[derive(Debug, Clone)]
struct Docket {
    notice: SupervisionNotice,
    events: Vec<NoticeEvent>,
}

impl Docket {
    fn open_at(opened: DateTime<Utc>, rules: &SupervisionRules) -> Docket {
        let kind = open(&a_finding(), NoticeParty::System, rules, &CALENDAR, opened).unwrap();
        let events = vec![NoticeEvent {
            seq: 1,
            at: opened,
            party: NoticeParty::System,
            actor: None,
            kind,
        }];
        Docket {
            notice: SupervisionNotice::replay(&events).unwrap(),
            events,
        }
    }

    /// Opened by the sweep on Thursday 13 November at 10:00: reply due Thursday 20 (14, 17,
    /// 18, 19, 20), to be concluded by Thursday 11 December (20 working days).
    fn opened_13_november() -> Docket {
        Docket::open_at(at(2025, 11, 13, 10, 0), &SupervisionRules::default())
    }

    fn try_act(
        &mut self,
        party: NoticeParty,
        action: NoticeAction,
        now: DateTime<Utc>,
    ) -> Result<(), SupervisionError> {
        for kind in decide(&self.notice, &action, party, now, &CALENDAR)? {
            let event = NoticeEvent {
                seq: self.notice.version + 1,
                at: now,
                party,
                actor: (party != NoticeParty::System).then_some(StaffId(9)),
                kind,
            };
            self.notice.apply(&event).unwrap();
            self.events.push(event);
        }
        Ok(())
    }

    fn then(mut self, party: NoticeParty, action: NoticeAction, now: DateTime<Utc>) -> Docket {
        let name = action.name();
        self.try_act(party, action, now)
            .unwrap_or_else(|e| unreachable!("{name} by {party} refused: {e}"));
        self
    }

    fn last(&self) -> &NoticeEventKind {
        &self.events.last().unwrap().kind
    }
}

fn reply() -> NoticeAction {
    NoticeAction::Reply {
        reply: "已督促承办人当日办理，并建立每日清单".into(),
    }
}
fn return_reply() -> NoticeAction {
    NoticeAction::ReturnReply {
        reason: "未说明整改措施".into(),
    }
}
fn escalate() -> NoticeAction {
    NoticeAction::Escalate {
        text: "限期书面说明情况".into(),
    }
}
fn auto(to: CardLevel) -> NoticeAction {
    NoticeAction::AutoEscalate { to }
}
fn close_as(resolution: Resolution) -> NoticeAction {
    NoticeAction::Close {
        resolution,
        note: "整改到位".into(),
    }
}

#[test]
fn given_a_finding_when_a_notice_is_opened_then_its_reply_and_conclusion_deadlines_count_working_days()
 {
    let d = Docket::opened_13_november();
    let n = &d.notice;
    assert_eq!(n.state, NoticeState::Open);
    assert_eq!(n.card, CardLevel::NoCard);
    assert_eq!(n.due, date(2025, 11, 20));
    assert_eq!(n.conclude_by, date(2025, 12, 11));
    assert_eq!(n.due_at(&CALENDAR), close(2025, 11, 20));
    assert!(!n.opened_late);
    assert_eq!(n.finding, a_finding());
    assert_eq!(n.terms, SupervisionRules::default().notice_terms());
    assert_eq!(n.version, 1);
}

#[test]
fn given_a_notice_opened_after_five_working_days_then_it_is_opened_late_but_opened() {
    let rules = SupervisionRules::default();
    assert_eq!(open_by(&a_finding(), &CALENDAR, &rules), date(2025, 11, 13));
    assert!(
        !Docket::open_at(close(2025, 11, 13), &rules)
            .notice
            .opened_late
    );
    assert!(
        Docket::open_at(at(2025, 11, 13, 17, 31), &rules)
            .notice
            .opened_late
    );
}

#[test]
fn given_a_notice_opened_after_hours_then_its_days_count_from_the_next_working_period() {
    // Friday 14 November 18:00 counts from Monday 17: reply by Monday 24, conclude by
    // Monday 15 December.
    let n = Docket::open_at(at(2025, 11, 14, 18, 0), &SupervisionRules::default()).notice;
    assert_eq!(
        (n.due, n.conclude_by),
        (date(2025, 11, 24), date(2025, 12, 15))
    );
}

#[test]
fn given_a_notice_opened_before_national_day_then_its_deadlines_skip_the_holiday() {
    // From Tuesday 30 September: 9, 10, 11 (Saturday, worked), 13, 14 October.
    let n = Docket::open_at(at(2025, 9, 30, 10, 0), &SupervisionRules::default()).notice;
    assert_eq!(n.due, date(2025, 10, 14));
    assert_eq!(n.conclude_by, date(2025, 11, 4));
}

#[test]
fn given_a_department_then_it_cannot_open_a_notice() {
    let rules = SupervisionRules::default();
    let now = at(2025, 11, 13, 10, 0);
    assert!(open(&a_finding(), supervisor(), &rules, &CALENDAR, now).is_ok());
    let refused = open(
        &a_finding(),
        NoticeParty::Department,
        &rules,
        &CALENDAR,
        now,
    );
    assert_eq!(
        refused,
        Err(SupervisionError::PartyNotAllowed {
            action: NoticeActionName::Open,
            party: NoticeParty::Department,
        })
    );
}

#[test]
fn given_no_reply_by_the_deadline_then_the_sweep_escalates_to_a_yellow_card_then_a_red_card_then_stops()
 {
    let mut d = Docket::opened_13_november();
    assert_eq!(
        due_escalation(&d.notice, &CALENDAR, close(2025, 11, 20)),
        None
    );
    let now = at(2025, 11, 20, 17, 31);
    let due = due_escalation(&d.notice, &CALENDAR, now).unwrap();
    assert_eq!(due, auto(CardLevel::Yellow));
    d.try_act(NoticeParty::System, due, now).unwrap();
    // After hours: from Friday 21, five working days to Friday 28.
    let NoticeEventKind::Escalated {
        to,
        due,
        text,
        automatic,
    } = d.last().clone()
    else {
        unreachable!("{:?}", d.last())
    };
    assert_eq!(
        (to, due, automatic),
        (CardLevel::Yellow, date(2025, 11, 28), true)
    );
    assert!(
        text.contains("黄牌警告") && text.contains("2025-11-28"),
        "{text}"
    );
    assert!(bilingual(&text), "{text}");
    assert_eq!(d.notice.card, CardLevel::Yellow);
    assert_eq!(d.notice.yellow_card_at, Some(now));
    assert_eq!(d.notice.state, NoticeState::Open);

    assert_eq!(
        due_escalation(&d.notice, &CALENDAR, close(2025, 11, 28)),
        None
    );
    let now = at(2025, 11, 28, 17, 31);
    let due = due_escalation(&d.notice, &CALENDAR, now).unwrap();
    assert_eq!(due, auto(CardLevel::Red));
    d.try_act(NoticeParty::System, due, now).unwrap();
    // From Monday 1 December: 2, 3, 4, 5, 8 December.
    assert_eq!(d.notice.card, CardLevel::Red);
    assert_eq!(d.notice.due, date(2025, 12, 8));
    assert_eq!(d.notice.red_card_at, Some(now));
    let NoticeEventKind::Escalated { text, .. } = d.last() else {
        unreachable!()
    };
    assert!(
        text.contains("红牌问责") && text.contains("整改建议"),
        "{text}"
    );

    assert_eq!(
        due_escalation(&d.notice, &CALENDAR, at(2026, 6, 1, 10, 0)),
        None
    );
    assert_eq!(
        d.try_act(
            NoticeParty::System,
            auto(CardLevel::Red),
            at(2026, 6, 1, 10, 0)
        ),
        Err(SupervisionError::AlreadyRed)
    );
}

#[test]
fn given_an_automatic_escalation_before_the_deadline_or_to_the_wrong_level_then_it_is_refused() {
    let mut d = Docket::opened_13_november();
    assert_eq!(
        d.try_act(
            NoticeParty::System,
            auto(CardLevel::Yellow),
            close(2025, 11, 20)
        ),
        Err(SupervisionError::NotDue {
            due: date(2025, 11, 20)
        })
    );
    let late = at(2025, 11, 21, 10, 0);
    assert_eq!(
        d.try_act(NoticeParty::System, auto(CardLevel::Red), late),
        Err(SupervisionError::StaleEscalation {
            current: CardLevel::NoCard,
            expected: CardLevel::Yellow,
            asked: CardLevel::Red,
        })
    );
    assert_eq!(
        d.try_act(supervisor(), auto(CardLevel::Yellow), late),
        Err(SupervisionError::PartyNotAllowed {
            action: NoticeActionName::AutoEscalate,
            party: NoticeParty::Supervisor,
        })
    );
    assert_eq!(d.notice.version, 1, "nothing was recorded");
}

#[test]
fn given_a_reply_waiting_for_review_then_the_deadline_does_not_escalate_it() {
    let d = Docket::opened_13_november().then(
        NoticeParty::Department,
        reply(),
        at(2025, 11, 19, 10, 0),
    );
    assert_eq!(d.notice.state, NoticeState::Replied);
    assert_eq!(d.notice.replies, 1);
    assert_eq!(d.notice.last_reply_at, Some(at(2025, 11, 19, 10, 0)));
    assert_eq!(
        due_escalation(&d.notice, &CALENDAR, at(2025, 12, 31, 10, 0)),
        None
    );
}

#[test]
fn given_a_reply_returned_as_insufficient_then_the_notice_waits_again_under_the_same_deadline() {
    let d = Docket::opened_13_november()
        .then(NoticeParty::Department, reply(), at(2025, 11, 19, 10, 0))
        .then(supervisor(), return_reply(), at(2025, 11, 21, 10, 0));
    assert_eq!(d.notice.state, NoticeState::Open);
    assert_eq!(d.notice.returned_replies, 1);
    assert_eq!(
        d.notice.due,
        date(2025, 11, 20),
        "a returned reply buys no time"
    );
    assert_eq!(
        due_escalation(&d.notice, &CALENDAR, at(2025, 11, 21, 10, 1)),
        Some(auto(CardLevel::Yellow))
    );
}

#[test]
fn given_a_supervisor_then_a_notice_escalates_by_hand_one_level_at_a_time_with_its_text() {
    let mut d = Docket::opened_13_november();
    assert_eq!(
        d.try_act(
            supervisor(),
            NoticeAction::Escalate { text: "  ".into() },
            at(2025, 11, 14, 10, 0)
        ),
        Err(SupervisionError::Required {
            field: "text",
            field_zh: "书面警告"
        })
    );
    d.try_act(supervisor(), escalate(), at(2025, 11, 14, 10, 0))
        .unwrap();
    assert_eq!(
        d.last(),
        &NoticeEventKind::Escalated {
            to: CardLevel::Yellow,
            due: date(2025, 11, 21),
            text: "限期书面说明情况".into(),
            automatic: false,
        }
    );
    assert_eq!(
        d.try_act(
            supervisor(),
            NoticeAction::Escalate {
                text: String::new()
            },
            at(2025, 11, 17, 10, 0)
        ),
        Err(SupervisionError::Required {
            field: "text",
            field_zh: "整改建议"
        })
    );
    d.try_act(supervisor(), escalate(), at(2025, 11, 17, 10, 0))
        .unwrap();
    assert_eq!(d.notice.card, CardLevel::Red);
    assert_eq!(
        d.try_act(supervisor(), escalate(), at(2025, 11, 18, 10, 0)),
        Err(SupervisionError::AlreadyRed)
    );
}

#[test]
fn given_a_card_deadline_beyond_the_conclusion_date_then_it_ends_on_the_conclusion_date() {
    let rules = SupervisionRules {
        yellow_card_days: 30,
        ..SupervisionRules::default()
    };
    let d = Docket::open_at(at(2025, 11, 13, 10, 0), &rules).then(
        supervisor(),
        escalate(),
        at(2025, 11, 14, 10, 0),
    );
    assert_eq!(d.notice.due, date(2025, 12, 11));
    let rules = SupervisionRules {
        reply_days: 40,
        ..SupervisionRules::default()
    };
    let n = Docket::open_at(at(2025, 11, 13, 10, 0), &rules).notice;
    assert_eq!(n.due, n.conclude_by);
}

#[test]
fn given_a_notice_then_only_a_reply_lets_it_close_as_rectified_and_unfounded_closes_it_any_time() {
    let opened = Docket::opened_13_november();
    let mut d = opened.clone();
    assert_eq!(
        d.try_act(
            supervisor(),
            close_as(Resolution::Rectified),
            at(2025, 11, 14, 10, 0)
        ),
        Err(SupervisionError::NoReplyYet)
    );
    d.try_act(
        supervisor(),
        close_as(Resolution::Unfounded),
        at(2025, 11, 14, 10, 0),
    )
    .unwrap();
    assert_eq!(d.notice.state, NoticeState::Closed);
    assert_eq!(d.notice.resolution, Some(Resolution::Unfounded));

    let d = opened
        .then(NoticeParty::Department, reply(), at(2025, 11, 19, 10, 0))
        .then(
            supervisor(),
            close_as(Resolution::Rectified),
            at(2025, 11, 20, 10, 0),
        );
    assert_eq!(d.notice.resolution, Some(Resolution::Rectified));
    assert_eq!(d.notice.closed_at, Some(at(2025, 11, 20, 10, 0)));
    let mut closed = d;
    assert_eq!(
        closed.try_act(
            supervisor(),
            NoticeAction::Close {
                resolution: Resolution::Unfounded,
                note: "再次".into()
            },
            at(2025, 11, 21, 10, 0)
        ),
        Err(SupervisionError::NotAllowedNow {
            state: NoticeState::Closed,
            action: NoticeActionName::Close
        })
    );
}

#[test]
fn given_blank_texts_then_replies_returns_and_closings_are_refused() {
    let mut d = Docket::opened_13_november();
    let now = at(2025, 11, 14, 10, 0);
    assert_eq!(
        d.try_act(
            NoticeParty::Department,
            NoticeAction::Reply { reply: " ".into() },
            now
        ),
        Err(SupervisionError::Required {
            field: "reply",
            field_zh: "答复内容"
        })
    );
    assert_eq!(
        d.try_act(
            supervisor(),
            NoticeAction::Close {
                resolution: Resolution::Unfounded,
                note: String::new()
            },
            now
        ),
        Err(SupervisionError::Required {
            field: "note",
            field_zh: "办结意见"
        })
    );
    d.try_act(NoticeParty::Department, reply(), now).unwrap();
    assert_eq!(
        d.try_act(
            supervisor(),
            NoticeAction::ReturnReply {
                reason: "\t".into()
            },
            now
        ),
        Err(SupervisionError::Required {
            field: "reason",
            field_zh: "退回理由"
        })
    );
}

#[test]
fn given_a_notice_with_cards_then_cards_stand_after_it_is_closed() {
    let d = Docket::opened_13_november()
        .then(supervisor(), escalate(), at(2025, 11, 14, 10, 0))
        .then(NoticeParty::Department, reply(), at(2025, 11, 17, 10, 0))
        .then(
            supervisor(),
            close_as(Resolution::Unfounded),
            at(2025, 11, 18, 10, 0),
        );
    assert_eq!(d.notice.card, CardLevel::Yellow);
    assert_eq!(d.notice.state, NoticeState::Closed);
}

#[test]
fn given_the_conclusion_date_then_a_notice_is_late_only_after_its_close() {
    let opened = Docket::opened_13_november();
    assert!(!opened.notice.concluded_late(&CALENDAR, close(2025, 12, 11)));
    assert!(
        opened
            .notice
            .concluded_late(&CALENDAR, at(2025, 12, 11, 17, 31))
    );
    let replied = opened.then(NoticeParty::Department, reply(), at(2025, 12, 1, 10, 0));
    let on_time = replied.clone().then(
        supervisor(),
        close_as(Resolution::Rectified),
        close(2025, 12, 11),
    );
    assert!(
        !on_time
            .notice
            .concluded_late(&CALENDAR, at(2026, 1, 5, 10, 0))
    );
    let late = replied.then(
        supervisor(),
        close_as(Resolution::Rectified),
        at(2025, 12, 12, 9, 0),
    );
    assert!(
        late.notice
            .concluded_late(&CALENDAR, at(2025, 12, 12, 9, 0))
    );
}

/// Notices in each state; the reply deadline (20 November) has passed at `TABLE_NOW`.
fn in_state(state: NoticeState) -> Docket {
    let opened = Docket::opened_13_november();
    match state {
        NoticeState::Open => opened,
        NoticeState::Replied => {
            opened.then(NoticeParty::Department, reply(), at(2025, 11, 19, 10, 0))
        }
        NoticeState::Closed => opened.then(
            supervisor(),
            close_as(Resolution::Unfounded),
            at(2025, 11, 19, 10, 0),
        ),
    }
}

const TABLE_HOUR: u32 = 10;

/// What the rules allow, written out independently of `decide`.
fn expected(
    state: NoticeState,
    action: &NoticeAction,
    party: NoticeParty,
) -> Result<NoticeState, &'static str> {
    use NoticeParty as P;
    use NoticeState as S;
    let (states, who, then): (&[S], P, S) = match action {
        NoticeAction::Reply { .. } => (&[S::Open], P::Department, S::Replied),
        NoticeAction::ReturnReply { .. } => (&[S::Replied], P::Supervisor, S::Open),
        NoticeAction::Escalate { .. } => (&[S::Open], P::Supervisor, S::Open),
        NoticeAction::AutoEscalate { .. } => (&[S::Open], P::System, S::Open),
        NoticeAction::Close { .. } => (&[S::Open, S::Replied], P::Supervisor, S::Closed),
    };
    if !states.contains(&state) {
        return Err("not_allowed_now");
    }
    if party != who {
        return Err("party_not_allowed");
    }
    if state == S::Open
        && matches!(
            action,
            NoticeAction::Close {
                resolution: Resolution::Rectified,
                ..
            }
        )
    {
        return Err("no_reply_yet");
    }
    Ok(then)
}

fn error_name(error: &SupervisionError) -> &'static str {
    match error {
        SupervisionError::NotAllowedNow { .. } => "not_allowed_now",
        SupervisionError::PartyNotAllowed { .. } => "party_not_allowed",
        SupervisionError::Required { .. } => "required",
        SupervisionError::AlreadyRed => "already_red",
        SupervisionError::NotDue { .. } => "not_due",
        SupervisionError::StaleEscalation { .. } => "stale_escalation",
        SupervisionError::NoReplyYet => "no_reply_yet",
    }
}

#[test]
fn every_state_by_every_action_by_every_party_is_allowed_or_refused_as_the_rules_say() {
    let now = at(2025, 11, 21, TABLE_HOUR, 0);
    let actions = [
        reply(),
        return_reply(),
        escalate(),
        auto(CardLevel::Yellow),
        close_as(Resolution::Rectified),
        close_as(Resolution::Unfounded),
    ];
    let mut allowed = 0;
    for state in NoticeState::ALL {
        for action in &actions {
            for party in NoticeParty::ALL {
                let mut d = in_state(state);
                assert_eq!(d.notice.state, state);
                let got = d
                    .try_act(party, action.clone(), now)
                    .map(|()| d.notice.state)
                    .map_err(|e| {
                        assert!(bilingual(&e.to_string()), "{e}");
                        error_name(&e)
                    });
                assert_eq!(
                    got,
                    expected(state, action, party),
                    "{state} {} by {party}",
                    action.name()
                );
                if got.is_ok() {
                    allowed += 1;
                    assert_eq!(d.notice.version, 2 + u32::from(state != NoticeState::Open));
                }
            }
        }
    }
    // Open: reply, escalate, auto-escalate, close as unfounded; replied: return, two closings.
    assert_eq!(allowed, 7);
}

#[test]
fn a_notice_replays_from_its_events_and_a_broken_history_is_refused() {
    let d = Docket::opened_13_november()
        .then(supervisor(), escalate(), at(2025, 11, 14, 10, 0))
        .then(NoticeParty::Department, reply(), at(2025, 11, 17, 10, 0))
        .then(supervisor(), return_reply(), at(2025, 11, 18, 10, 0))
        .then(NoticeParty::Department, reply(), at(2025, 11, 19, 10, 0))
        .then(
            supervisor(),
            close_as(Resolution::Rectified),
            at(2025, 11, 20, 10, 0),
        );
    assert_eq!(SupervisionNotice::replay(&d.events).unwrap(), d.notice);
    assert_eq!((d.notice.replies, d.notice.returned_replies), (2, 1));
    let json = serde_json::to_string(&d.events).unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<NoticeEvent>>(&json).unwrap(),
        d.events
    );
    let types: Vec<&str> = d.events.iter().map(|e| e.kind.type_name()).collect();
    assert_eq!(
        types,
        [
            "opened",
            "escalated",
            "replied",
            "reply_returned",
            "replied",
            "closed"
        ]
    );

    let errors = [
        SupervisionNotice::replay(&[]).unwrap_err(),
        SupervisionNotice::replay(&d.events[1..]).unwrap_err(),
        SupervisionNotice::replay(&[d.events[0].clone(), d.events[2].clone()]).unwrap_err(),
        SupervisionNotice::replay(&[d.events[0].clone(), {
            let mut again = d.events[0].clone();
            again.seq = 2;
            again
        }])
        .unwrap_err(),
        SupervisionNotice::replay(&[{
            let mut first = d.events[0].clone();
            first.seq = 3;
            first
        }])
        .unwrap_err(),
    ];
    for error in errors {
        assert!(bilingual(&error.to_string()), "{error}");
    }
}

#[test]
fn the_party_of_staff_follows_the_supervisor_role_and_the_responsible_department() {
    let staff = |department: Option<i64>, roles: &[Role]| Actor {
        staff_id: StaffId(1),
        unit_id: UnitId(1),
        department_id: department.map(DepartmentId),
        roles: roles.to_vec(),
    };
    let d22 = DepartmentId(22);
    assert_eq!(
        NoticeParty::of(&staff(None, &[Role::Supervisor]), d22),
        Some(NoticeParty::Supervisor)
    );
    assert_eq!(
        NoticeParty::of(&staff(Some(22), &[Role::Supervisor, Role::Approver]), d22),
        Some(NoticeParty::Supervisor)
    );
    for role in [
        Role::WindowClerk,
        Role::HandlingOfficer,
        Role::Reviewer,
        Role::Approver,
        Role::UnitAdmin,
    ] {
        assert_eq!(
            NoticeParty::of(&staff(Some(22), &[role]), d22),
            Some(NoticeParty::Department),
            "{role}"
        );
        assert_eq!(
            NoticeParty::of(&staff(Some(23), &[role]), d22),
            None,
            "{role}"
        );
    }
    assert_eq!(
        NoticeParty::of(&staff(Some(22), &[Role::SystemAdmin]), d22),
        None
    );
    assert_eq!(NoticeParty::of(&staff(None, &[Role::Approver]), d22), None);
}

#[test]
fn card_levels_rise_from_none_to_red_and_are_named_none_yellow_red() {
    assert_eq!(CardLevel::NoCard.next(), Some(CardLevel::Yellow));
    assert_eq!(CardLevel::Yellow.next(), Some(CardLevel::Red));
    assert_eq!(CardLevel::Red.next(), None);
    assert!(CardLevel::NoCard < CardLevel::Yellow && CardLevel::Yellow < CardLevel::Red);
    for (card, name, zh) in [
        (CardLevel::NoCard, "none", "短信督办"),
        (CardLevel::Yellow, "yellow", "黄牌警告"),
        (CardLevel::Red, "red", "红牌问责"),
    ] {
        assert_eq!(card.as_str(), name);
        assert_eq!(name.parse::<CardLevel>(), Ok(card));
        assert_eq!(
            serde_json::to_value(card).unwrap(),
            serde_json::Value::String(name.into())
        );
        assert_eq!(card.name_zh(), zh);
    }
    for state in NoticeState::ALL {
        assert_eq!(state.as_str().parse::<NoticeState>(), Ok(state));
        assert!(!state.name_zh().is_empty());
    }
    for resolution in [Resolution::Rectified, Resolution::Unfounded] {
        assert_eq!(resolution.as_str().parse::<Resolution>(), Ok(resolution));
        assert!(!resolution.name_zh().is_empty());
    }
    for name in [
        NoticeActionName::Open,
        NoticeActionName::Reply,
        NoticeActionName::ReturnReply,
        NoticeActionName::Escalate,
        NoticeActionName::AutoEscalate,
        NoticeActionName::Close,
    ] {
        assert_eq!(name.as_str().parse::<NoticeActionName>(), Ok(name));
        assert!(!name.name_zh().is_empty());
    }
}

#[test]
fn every_supervision_error_speaks_chinese_then_english() {
    let errors = [
        SupervisionError::NotAllowedNow {
            state: NoticeState::Closed,
            action: NoticeActionName::Reply,
        },
        SupervisionError::PartyNotAllowed {
            action: NoticeActionName::Close,
            party: NoticeParty::Department,
        },
        SupervisionError::Required {
            field: "reply",
            field_zh: "答复内容",
        },
        SupervisionError::AlreadyRed,
        SupervisionError::NotDue {
            due: date(2025, 11, 20),
        },
        SupervisionError::StaleEscalation {
            current: CardLevel::Yellow,
            expected: CardLevel::Red,
            asked: CardLevel::Yellow,
        },
        SupervisionError::NoReplyYet,
    ];
    for error in errors {
        assert!(bilingual(&error.to_string()), "{error}");
    }
}

// ---------------------------------------------------------------------------------------
// Properties over random histories

fn item_by_index(index: usize) -> ServiceItem {
    match index % 4 {
        0 => a_licence(),
        1 => a_licence_without_review(),
        2 => on_the_spot("XK00002000"),
        _ => a_window_authorised_licence(),
    }
}

/// One step of a random history: which allowed action, how long after the last one, and
/// when to sweep in between.
#[derive(Debug, Clone)]
struct Move {
    pick: prop::sample::Index,
    minutes: i64,
    days: u32,
    may_end: bool,
    sweep_after: i64,
}

fn move_strategy() -> impl Strategy<Value = Move> {
    (
        any::<prop::sample::Index>(),
        1i64..(5 * 24 * 60),
        1u32..=10,
        prop::bool::weighted(0.05),
        0i64..(8 * 24 * 60),
    )
        .prop_map(|(pick, minutes, days, may_end, sweep_after)| Move {
            pick,
            minutes,
            days,
            may_end,
            sweep_after,
        })
}

fn sample_action(name: ActionName, item: &ServiceItem, days: u32) -> Action {
    match name {
        ActionName::Accept => Action::Accept,
        ActionName::RefuseIntake => refuse_intake(GOOD_REASON, GOOD_BASIS),
        ActionName::RequestSupplement => request_supplement(),
        ActionName::Supplement => supplement(),
        ActionName::Handle => handle(),
        ActionName::Review => review(),
        ActionName::Approve => approve(),
        ActionName::Deny => a_good_denial(),
        ActionName::Conclude => conclude(),
        ActionName::ConcludeOnTheSpot => Action::ConcludeOnTheSpot {
            delivery: "当场领取".into(),
        },
        ActionName::Return => return_to(item.first_step().map_or(StepKind::Handle, |s| s.kind)),
        ActionName::StartSpecialProcedure => start_special(days.min(5)),
        ActionName::EndSpecialProcedure => end_special(),
        ActionName::GrantExtension => extend(days),
        ActionName::Withdraw => withdraw(),
    }
}

fn keys(findings: &[Finding]) -> std::collections::BTreeSet<String> {
    findings.iter().map(|f| f.dedup_key.clone()).collect()
}

/// The warning as the sweep computed it from the whole history before the clocks were kept
/// with the case row: (period's event, level, due time, working days).
fn warning_from_history(
    s: &Story,
    now: DateTime<Utc>,
) -> Option<(u32, WarningLevel, DateTime<Utc>, u32)> {
    let rules = WarningRules::default();
    let whole = case_clock(&s.case, &s.item, &CALENDAR, &rules, now);
    let step = step_clock(&s.case, &s.item, &CALENDAR, &rules, now);
    let (clock, started_at) = match (whole, step) {
        (Some(w), Some(st)) if st.level > w.level => (st, s.case.step_started_at),
        (Some(w), _) => (w, s.case.accepted_at),
        (None, Some(st)) => (st, s.case.step_started_at),
        (None, None) => return None,
    };
    if clock.level == WarningLevel::Green || !clock.running {
        return None;
    }
    let started_at = started_at?;
    let seq = s.events.iter().rev().find(|e| e.at <= started_at)?.seq;
    let days = u32::try_from(clock.remaining_days.unsigned_abs()).unwrap_or(u32::MAX);
    Some((seq, clock.level, clock.due_at?, days))
}

/// The sweep and the warning read from the case's clock snapshot (as a store keeps it, its
/// serialized form read back) equal those read from the replayed history.
fn check_snapshot(s: &Story, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let kept = crate::case::ClockSnapshot::of(&s.case, &[&s.events]);
    let text = serde_json::to_string(&kept).unwrap();
    let snapshot: crate::case::ClockSnapshot = serde_json::from_str(&text).unwrap();
    prop_assert_eq!(&snapshot, &kept);
    prop_assert_eq!(
        snapshot.swept(),
        s.case.accepted_at.is_some() && !s.case.state.is_closed()
    );
    let from_snapshot = sweep_timing(CASE, snapshot.timing(), &s.item, &CALENDAR, &s.rules, now);
    prop_assert_eq!(&from_snapshot, &s.sweep(now));
    let warning = snapshot
        .warning(&s.item, &CALENDAR, &WarningRules::default(), now)
        .map(|w| (w.period_seq, w.level, w.due_at, w.working_days));
    prop_assert_eq!(warning, warning_from_history(s, now));
    Ok(())
}

fn sweep_context<'a>(s: &'a Story, warnings: &'a WarningRules) -> SweepContext<'a> {
    SweepContext {
        item: &s.item,
        calendar: &CALENDAR,
        supervision: &s.rules,
        warnings,
    }
}

/// The sweep's next look at an open case is the first instant its verdict changes: nothing
/// changes before it (probed at each day's midnight, a morning minute, the close of office,
/// the millisecond after and the minute before midnight, up to it), and something changes at
/// it unless it is the end of the search.
fn check_next_look(s: &Story, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let kept = crate::case::ClockSnapshot::of(&s.case, &[&s.events]);
    if !kept.swept() {
        return Ok(());
    }
    let warnings = WarningRules::default();
    let ctx = sweep_context(s, &warnings);
    let base = ctx.verdict(CASE, &kept, now);
    prop_assert_eq!(&base.findings, &s.sweep(now));
    let next = ctx.next_look(CASE, &kept, now);
    prop_assert!(next > now, "{} is not after {}", next, now);
    let today = china_date(now);
    let mut date = today;
    while china_day_start(date) < next {
        let start = china_day_start(date);
        let probes = [
            start,
            start + TimeDelta::minutes(9 * 60 + 17),
            CALENDAR.close_of(date),
            CALENDAR.close_of(date) + TimeDelta::milliseconds(1),
            start + TimeDelta::minutes(24 * 60 - 1),
        ];
        for t in probes.into_iter().filter(|t| *t > now && *t < next) {
            prop_assert!(
                ctx.verdict(CASE, &kept, t).records_same_as(&base),
                "the verdict changed at {} before the next look {}",
                t,
                next
            );
        }
        date = date.succ_opt().unwrap();
    }
    let horizon = CALENDAR.close_of(today + chrono::Days::new(schedule::LOOK_AHEAD_DAYS))
        + TimeDelta::milliseconds(1);
    prop_assert!(next <= horizon);
    if next < horizon {
        prop_assert!(
            !ctx.verdict(CASE, &kept, next).records_same_as(&base),
            "nothing changed at the next look {}",
            next
        );
    }
    Ok(())
}

/// The sweep at `now` against the clocks, read independently.
fn check_sweep(s: &Story, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    check_snapshot(s, now)?;
    check_next_look(s, now)?;
    check_snapshot(s, now + TimeDelta::days(9))?;
    let found = s.sweep(now);
    prop_assert_eq!(&s.sweep(now), &found, "the same sweep twice");
    if s.case.state.is_closed() || s.case.accepted_at.is_none() {
        prop_assert!(found.is_empty(), "{:?}", found);
        return Ok(());
    }
    prop_assert!(found.iter().all(|f| f.kind.time_based()));
    let later = s.sweep(now + TimeDelta::days(3));
    prop_assert!(
        keys(&found).is_subset(&keys(&later)),
        "time alone never withdraws a finding"
    );
    let rules = WarningRules::default();
    let red = |reading: Option<crate::case::ClockReading>| {
        reading.is_some_and(|r| r.level == WarningLevel::Red)
    };
    let case_red = red(case_clock(&s.case, &s.item, &CALENDAR, &rules, now));
    let step_red = red(step_clock(&s.case, &s.item, &CALENDAR, &rules, now));
    prop_assert_eq!(has(&found, K::CaseOverdue), case_red);
    prop_assert_eq!(has(&found, K::StepOverdue), step_red);
    let special = s
        .case
        .open_pause()
        .is_some_and(|p| matches!(p.reason, crate::case::PauseReason::SpecialProcedure { .. }));
    let untouched = matches!(
        s.events.last().map(|e| &e.kind),
        Some(EventKind::Accepted { .. })
    );
    if !case_red && !step_red && !special && !untouched {
        prop_assert!(found.is_empty(), "no overdue clock, yet {:?}", found);
    }
    Ok(())
}

fn run_random_history(
    item_index: usize,
    start: i64,
    moves: Vec<Move>,
) -> Result<(), TestCaseError> {
    let mut now = at(2025, 1, 1, 0, 0) + TimeDelta::minutes(start);
    let mut s = Story::new(item_by_index(item_index), now);
    for m in moves {
        check_sweep(&s, now + TimeDelta::minutes(m.sweep_after))?;
        now += TimeDelta::minutes(m.minutes);
        let allowed = allowed_actions(&s.case, &s.item);
        let ending = [ActionName::Withdraw, ActionName::RefuseIntake];
        let mut candidates: Vec<ActionName> = allowed
            .iter()
            .copied()
            .filter(|a| m.may_end || !ending.contains(a))
            .collect();
        if candidates.is_empty() {
            candidates = allowed;
        }
        if candidates.is_empty() {
            break;
        }
        let name = candidates[m.pick.index(candidates.len())];
        let from = s.events.len();
        let action = sample_action(name, &s.item, m.days);
        let done = s.try_act(now, action);
        prop_assert!(done.is_ok(), "{} refused: {:?}", name, done);
        for end in from + 1..=s.events.len() {
            let prefix = &s.events[..end];
            let found = findings_on_event(CASE, prefix, &s.item, &CALENDAR, &s.rules).unwrap();
            prop_assert!(!has(&found, K::StepOutOfOrder), "{:?}", found);
            for f in &found {
                let stem = format!("case:42:{}", f.kind);
                prop_assert!(f.dedup_key.starts_with(&stem), "{}", f.dedup_key);
                prop_assert!(!f.kind.time_based() || f.occurred_at <= f.detected_at);
            }
            let before = Case::replay(&prefix[..end - 1]).unwrap();
            let event_at = prefix[end - 1].at;
            let swept = sweep(CASE, &before, &s.item, &CALENDAR, &s.rules, event_at).unwrap();
            for f in found.iter().filter(|f| f.kind.time_based()) {
                prop_assert!(
                    keys(&swept).contains(&f.dedup_key),
                    "{} found by the event but not by the sweep",
                    f.dedup_key
                );
            }
        }
        let last_is_acceptance = matches!(
            s.events.last().map(|e| &e.kind),
            Some(EventKind::Accepted { .. })
        );
        prop_assert_eq!(untouched_since_acceptance(&s.case), last_is_acceptance);
    }
    let all = findings_in_history(CASE, &s.events, &s.item, &CALENDAR, &s.rules).unwrap();
    let each: Vec<Finding> = (1..=s.events.len())
        .flat_map(|end| {
            findings_on_event(CASE, &s.events[..end], &s.item, &CALENDAR, &s.rules).unwrap()
        })
        .collect();
    prop_assert_eq!(all, each);
    Ok(())
}

/// A random step of a notice's life: an action (by index), a party, and time passing.
#[derive(Debug, Clone)]
struct NoticeMove {
    action: usize,
    party: prop::sample::Index,
    hours: i64,
}

fn notice_move() -> impl Strategy<Value = NoticeMove> {
    (0usize..7, any::<prop::sample::Index>(), 1i64..(6 * 24)).prop_map(|(action, party, hours)| {
        NoticeMove {
            action,
            party,
            hours,
        }
    })
}

fn notice_action(
    index: usize,
    notice: &SupervisionNotice,
    calendar_now: DateTime<Utc>,
) -> NoticeAction {
    match index {
        0 => reply(),
        1 => return_reply(),
        2 => escalate(),
        3 => auto(notice.card.next().unwrap_or(CardLevel::Red)),
        4 => close_as(Resolution::Rectified),
        5 => close_as(Resolution::Unfounded),
        // What the sweep would do now, if anything.
        _ => due_escalation(notice, &CALENDAR, calendar_now).unwrap_or_else(reply),
    }
}

fn run_random_notice(start: i64, moves: Vec<NoticeMove>) -> Result<(), TestCaseError> {
    let mut now = at(2025, 11, 13, 0, 0) + TimeDelta::minutes(start);
    let rules = SupervisionRules::default();
    let mut d = Docket::open_at(now, &rules);
    for m in moves {
        now += TimeDelta::hours(m.hours);
        if let Some(due) = due_escalation(&d.notice, &CALENDAR, now) {
            let ok = decide(&d.notice, &due, NoticeParty::System, now, &CALENDAR);
            prop_assert!(ok.is_ok(), "a due escalation is refused: {:?}", ok);
        }
        let party = NoticeParty::ALL[m.party.index(NoticeParty::ALL.len())];
        let action = notice_action(m.action, &d.notice, now);
        let before = d.notice.clone();
        match d.try_act(party, action.clone(), now) {
            Ok(()) => {
                prop_assert!(before.state != NoticeState::Closed);
                prop_assert!(d.notice.card >= before.card, "cards only rise");
                prop_assert!(d.notice.card <= before.card.next().unwrap_or(CardLevel::Red));
            }
            Err(e) => {
                prop_assert_eq!(&d.notice, &before, "a refusal changes nothing");
                prop_assert!(bilingual(&e.to_string()), "{}", e);
            }
        }
        prop_assert!(d.notice.due <= d.notice.conclude_by);
        prop_assert_eq!(
            d.notice.state == NoticeState::Closed,
            d.notice.resolution.is_some()
        );
        prop_assert_eq!(&SupervisionNotice::replay(&d.events).unwrap(), &d.notice);
        if d.notice.state == NoticeState::Closed {
            prop_assert_eq!(due_escalation(&d.notice, &CALENDAR, now), None);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn given_random_histories_then_the_event_path_and_the_sweep_agree_and_the_sweep_only_reports_overdue_clocks(
        item_index in 0usize..4,
        start in 0i64..(540 * 24 * 60),
        moves in prop::collection::vec(move_strategy(), 0..=24),
    ) {
        run_random_history(item_index, start, moves)?;
    }

    #[test]
    fn given_random_notice_actions_then_cards_only_rise_deadlines_stay_within_the_conclusion_date_and_refusals_change_nothing(
        start in 0i64..(7 * 24 * 60),
        moves in prop::collection::vec(notice_move(), 0..=20),
    ) {
        run_random_notice(start, moves)?;
    }
}
