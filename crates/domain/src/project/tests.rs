#![allow(clippy::unwrap_used)]

use super::*;
use crate::testing::china;

fn approval(code: &str, depends_on: &[usize]) -> PlannedApproval {
    PlannedApproval {
        item_code: ItemCode::parse(code).unwrap(),
        stage: String::new(),
        depends_on: depends_on.to_vec(),
    }
}

/// Land use (0) and environmental assessment (1) run in parallel; the construction permit (2)
/// needs both; completion acceptance (3) needs the permit.
fn factory() -> Vec<PlannedApproval> {
    vec![
        approval("XK00001000", &[]),
        approval("XK00002000", &[]),
        approval("XK00003000", &[0, 1]),
        approval("XK00004000", &[2]),
    ]
}

fn opened(at: DateTime<Utc>, statutory_days: u32, due: DateTime<Utc>) -> ApprovalFacts {
    ApprovalFacts {
        case: Some(CaseId(1)),
        opened_at: Some(at),
        state: Some(CaseState::Handling),
        due_at: Some(due),
        statutory_days,
        ..ApprovalFacts::default()
    }
}

fn approved(mut f: ApprovalFacts, at: DateTime<Utc>) -> ApprovalFacts {
    f.state = Some(CaseState::Concluded);
    f.outcome = Some(Outcome::Approved);
    f.decided_at = Some(at);
    f.closed_at = Some(at);
    f
}

#[test]
fn a_plan_is_checked_for_unknown_self_circular_and_repeated_dependencies() {
    assert_eq!(validate_plan(&[]), Err(ProjectError::EmptyPlan));
    assert!(validate_plan(&factory()).is_ok());
    assert_eq!(
        validate_plan(&[approval("XK00001000", &[3])]),
        Err(ProjectError::UnknownDependency {
            approval: 0,
            missing: 3
        })
    );
    assert_eq!(
        validate_plan(&[approval("XK00001000", &[0])]),
        Err(ProjectError::SelfDependency(0))
    );
    assert!(matches!(
        validate_plan(&[
            approval("XK00001000", &[2]),
            approval("XK00002000", &[0]),
            approval("XK00003000", &[1]),
        ]),
        Err(ProjectError::Cycle(_))
    ));
    assert_eq!(
        validate_plan(&[approval("XK00001000", &[]), approval("XK00001000", &[])]),
        Err(ProjectError::DuplicateItem("XK00001000".into()))
    );
    assert_eq!(
        validate_project(" ", "", 40, &factory()),
        Err(ProjectError::NameNeeded)
    );
    assert_eq!(
        validate_project("厂房", "2026-500112-04-01", 40, &factory()),
        Err(ProjectError::BadProjectCode)
    );
    assert_eq!(
        validate_project("厂房", "", 0, &factory()),
        Err(ProjectError::BadTarget)
    );
    assert!(validate_project("厂房", "2026-500112-04-01-123456", 40, &factory()).is_ok());
}

#[test]
fn independent_approvals_run_in_parallel_and_dependents_wait() {
    let plan = factory();
    let none = vec![ApprovalFacts::default(); 4];
    assert_eq!(
        statuses(&plan, &none),
        [
            ApprovalStatus::Ready,
            ApprovalStatus::Ready,
            ApprovalStatus::Waiting,
            ApprovalStatus::Waiting
        ]
    );
    let t0 = china(2026, 3, 2, 10);
    let due = china(2026, 3, 20, 17);
    let mut facts = vec![
        opened(t0, 20, due),
        opened(t0, 20, due),
        ApprovalFacts::default(),
        ApprovalFacts::default(),
    ];
    facts[0] = approved(facts[0], china(2026, 3, 10, 10));
    // One prerequisite approved is not enough.
    assert_eq!(statuses(&plan, &facts)[2], ApprovalStatus::Waiting);
    facts[1] = approved(facts[1], china(2026, 3, 12, 10));
    assert_eq!(statuses(&plan, &facts)[2], ApprovalStatus::Ready);
    // A denied prerequisite blocks everything after it.
    facts[1].outcome = Some(Outcome::Denied);
    let s = statuses(&plan, &facts);
    assert_eq!(s[1], ApprovalStatus::Failed);
    assert_eq!(s[2], ApprovalStatus::Blocked);
    assert_eq!(s[3], ApprovalStatus::Blocked);
    // A withdrawn one too.
    facts[1].outcome = None;
    facts[1].state = Some(CaseState::Withdrawn);
    assert_eq!(statuses(&plan, &facts)[3], ApprovalStatus::Blocked);
}

#[test]
fn the_standard_is_the_longest_chain_of_statutory_limits() {
    let plan = factory();
    let facts: Vec<ApprovalFacts> = [20, 30, 20, 15]
        .into_iter()
        .map(|days| ApprovalFacts {
            statutory_days: days,
            ..ApprovalFacts::default()
        })
        .collect();
    // max(20, 30) + 20 + 15.
    assert_eq!(standard_days(&plan, &facts), 65);
}

#[test]
fn the_timeline_measures_the_bundle_against_its_target_and_the_standard() {
    let calendar = WorkingCalendar::shipped();
    let plan = factory();
    let t0 = china(2026, 3, 2, 10);
    let due = china(2026, 3, 30, 17);
    let mut facts = vec![
        approved(opened(t0, 20, due), china(2026, 3, 9, 10)),
        approved(opened(t0, 30, due), china(2026, 3, 11, 10)),
        opened(china(2026, 3, 11, 11), 20, china(2026, 3, 20, 17)),
        ApprovalFacts {
            statutory_days: 15,
            ..ApprovalFacts::default()
        },
    ];
    let now = china(2026, 3, 23, 10);
    let t = timeline(&plan, &facts, Some(t0), DEFAULT_TARGET_DAYS, &calendar, now);
    assert_eq!(
        t.opened_on,
        Some(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
    );
    // 40 working days from 2 March, across the Qingming holiday (4–6 April): 28 April.
    assert_eq!(
        t.target_on,
        Some(NaiveDate::from_ymd_opt(2026, 4, 28).unwrap())
    );
    assert!(!t.complete && !t.late);
    assert_eq!(t.rows[2].status, ApprovalStatus::InProgress);
    assert!(t.rows[2].late, "open past its own due time");
    assert!(!t.rows[0].late);
    assert_eq!(t.rows[3].blocked_by, [2]);
    assert_eq!(t.rows[3].start, None);
    assert_eq!(t.standard_days, 65);
    assert_eq!(t.working_days_used, 15);

    // Everything approved by 27 March: 19 working days against 65, a speed-up of 71 %.
    facts[2] = approved(facts[2], china(2026, 3, 24, 10));
    let mut last = opened(china(2026, 3, 24, 11), 15, china(2026, 4, 14, 17));
    last = approved(last, china(2026, 3, 27, 10));
    facts[3] = last;
    let t = timeline(
        &plan,
        &facts,
        Some(t0),
        DEFAULT_TARGET_DAYS,
        &calendar,
        china(2026, 5, 6, 9),
    );
    assert!(t.complete && !t.late);
    assert_eq!(t.working_days_used, 19);
    let speedup = t.speedup.unwrap();
    assert!((speedup - (1.0 - 19.0 / 65.0)).abs() < 1e-9, "{speedup}");

    // Finished after the target: late.
    let t = timeline(&plan, &facts, Some(t0), 10, &calendar, china(2026, 5, 6, 9));
    assert!(t.late);
}

#[test]
fn the_gantt_chart_draws_a_bar_per_opened_approval_and_the_target() {
    let calendar = WorkingCalendar::shipped();
    let plan = factory();
    let t0 = china(2026, 3, 2, 10);
    let facts = vec![
        approved(
            opened(t0, 20, china(2026, 3, 30, 17)),
            china(2026, 3, 9, 10),
        ),
        opened(t0, 30, china(2026, 3, 10, 17)),
        ApprovalFacts::default(),
        ApprovalFacts::default(),
    ];
    let now = china(2026, 3, 16, 10);
    let t = timeline(&plan, &facts, Some(t0), DEFAULT_TARGET_DAYS, &calendar, now);
    let names: Vec<String> = [
        "建设用地规划许可",
        "环境影响评价<审批>",
        "施工许可",
        "竣工验收",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let svg = gantt_svg(&t, &names, now);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<rect ").count(), 2, "two approvals opened");
    assert!(svg.contains("fill=\"#2e7d32\""), "approved in green");
    assert!(svg.contains("fill=\"#c62828\""), "late in red");
    assert!(svg.contains("环境影响评价&lt;审批&gt;"), "names escaped");
    assert_eq!(svg.matches("等待前置事项").count(), 2);
    assert!(svg.contains(">目标<"));
}

#[test]
fn positions_are_told_to_people_counted_from_one() {
    let e = ProjectError::UnknownDependency {
        approval: 1,
        missing: 2,
    };
    assert_eq!(
        e.to_string(),
        "第2项依赖的第3项不存在 / approval no. 2 depends on no. 3, which is not in the plan"
    );
    assert!(
        ProjectError::SelfDependency(0)
            .to_string()
            .starts_with("第1项")
    );
    assert!(ProjectError::Cycle(4).to_string().contains("第5项"));
}
