#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};

use super::*;
use crate::organization::AppealId;
use crate::supervision::FindingKind;
use crate::testing::{china, date};

fn calendar() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

const HALL: UnitRef = UnitRef {
    id: UnitId(1),
    kind: UnitKind::DistrictHall,
    parent: None,
};
const TOWNSHIP: UnitRef = UnitRef {
    id: UnitId(2),
    kind: UnitKind::TownshipCenter,
    parent: Some(UnitId(1)),
};
const VILLAGE: UnitRef = UnitRef {
    id: UnitId(3),
    kind: UnitKind::VillageStation,
    parent: Some(UnitId(2)),
};
const OTHER_VILLAGE: UnitRef = UnitRef {
    id: UnitId(4),
    kind: UnitKind::VillageStation,
    parent: Some(UnitId(2)),
};
const OTHER_TOWNSHIP: UnitRef = UnitRef {
    id: UnitId(5),
    kind: UnitKind::TownshipCenter,
    parent: Some(UnitId(1)),
};

fn unit_ref(id: UnitId) -> UnitRef {
    [HALL, TOWNSHIP, VILLAGE, OTHER_VILLAGE, OTHER_TOWNSHIP]
        .into_iter()
        .find(|u| u.id == id)
        .unwrap()
}

fn actor(id: i64, unit: UnitRef, department: Option<i64>, roles: &[Role]) -> Actor {
    Actor {
        staff_id: StaffId(id),
        unit_id: unit.id,
        department_id: department.map(DepartmentId),
        roles: roles.to_vec(),
    }
}

fn village_clerk() -> Actor {
    actor(10, VILLAGE, None, &[Role::WindowClerk])
}
fn other_village_clerk() -> Actor {
    actor(11, OTHER_VILLAGE, None, &[Role::WindowClerk])
}
fn township_officer() -> Actor {
    actor(20, TOWNSHIP, None, &[Role::HandlingOfficer])
}
fn department_officer() -> Actor {
    actor(30, HALL, Some(7), &[Role::HandlingOfficer])
}
fn other_department_officer() -> Actor {
    actor(31, HALL, Some(8), &[Role::HandlingOfficer])
}
fn supervisor() -> Actor {
    actor(40, HALL, None, &[Role::Supervisor])
}

fn registration(scope: AppealScope) -> Registration {
    Registration {
        kind: AppealKind::Problem,
        channel: AppealChannel::Station,
        scope,
        person: Person {
            name: "李秀英".into(),
            phone: Some(PhoneNumber::parse("13900139000").unwrap()),
        },
        category: "道路交通".into(),
        content: "村道路灯损坏，夜间出行不便".into(),
        address: "石坪村三社".into(),
        unit: None,
        department: None,
    }
}

/// A history under test: the appeal, its events, and the clock.
struct History {
    events: Vec<AppealEvent>,
    now: DateTime<Utc>,
    calendar: WorkingCalendar,
}

impl History {
    fn raise(input: &Registration, at: UnitRef, now: DateTime<Utc>) -> History {
        let calendar = calendar();
        let chosen = input.unit.map(unit_ref);
        let kind = register(input, at, chosen, HALL.id, &calendar, now).unwrap();
        History {
            events: vec![AppealEvent {
                seq: 1,
                at: now,
                actor: Some(StaffId(10)),
                unit: at.id,
                kind,
                prev_hash: String::new(),
                hash: String::new(),
            }],
            now,
            calendar,
        }
    }

    fn appeal(&self) -> Appeal {
        Appeal::replay(&self.events).unwrap()
    }

    fn try_act(
        &mut self,
        who: Option<&Actor>,
        action: AppealAction,
    ) -> Result<Appeal, AppealError> {
        let appeal = self.appeal();
        let chosen = match &action {
            AppealAction::Refer { unit, .. } => Some(unit_ref(*unit)),
            AppealAction::Escalate { unit: Some(u), .. } => Some(unit_ref(*u)),
            _ => None,
        };
        let kinds = decide(
            &appeal,
            &action,
            &AppealContext {
                now: self.now,
                actor: who,
                calendar: &self.calendar,
                responsible_unit: unit_ref(appeal.responsible.unit),
                chosen_unit: chosen,
                hall: HALL.id,
            },
        )?;
        for kind in kinds {
            let seq = u32::try_from(self.events.len()).unwrap() + 1;
            self.events.push(AppealEvent {
                seq,
                at: self.now,
                actor: who.map(|a| a.staff_id),
                unit: who.map_or(appeal.responsible.unit, |a| a.unit_id),
                kind,
                prev_hash: String::new(),
                hash: String::new(),
            });
        }
        Ok(self.appeal())
    }

    fn act(&mut self, who: Option<&Actor>, action: AppealAction) -> Appeal {
        self.try_act(who, action).unwrap()
    }
}

// ---------------------------------------------------------------------------------------
// Periods and deadlines

#[test]
fn each_scope_has_the_seeds_period_and_level() {
    let table = [
        (
            AppealScope::Village,
            Period::HalfMonth,
            AppealLevel::Village,
        ),
        (
            AppealScope::Township,
            Period::Months(1),
            AppealLevel::Township,
        ),
        (
            AppealScope::DistrictDepartment,
            Period::Months(1),
            AppealLevel::District,
        ),
        (
            AppealScope::DistrictDepartments,
            Period::Months(3),
            AppealLevel::District,
        ),
        (
            AppealScope::CityDepartment,
            Period::Months(3),
            AppealLevel::District,
        ),
    ];
    for (scope, period, level) in table {
        assert_eq!(scope.period(), period, "{scope}");
        assert_eq!(scope.level(), level, "{scope}");
    }
}

#[test]
fn periods_are_calendar_periods() {
    assert_eq!(Period::HalfMonth.end(date(2026, 3, 2)), date(2026, 3, 17));
    assert_eq!(Period::Months(1).end(date(2026, 3, 2)), date(2026, 4, 2));
    // A month without the day ends on its last day.
    assert_eq!(Period::Months(1).end(date(2026, 3, 31)), date(2026, 4, 30));
    assert_eq!(Period::Months(3).end(date(2026, 11, 30)), date(2027, 2, 28));
    assert_eq!(Period::Months(6).end(date(2026, 8, 31)), date(2027, 2, 28));
}

#[test]
fn a_period_ending_on_a_day_off_ends_on_the_next_working_day() {
    let calendar = calendar();
    // Half a month from 16 September 2026 ends on National Day: due the first working day
    // after the holiday (1–7 October), Thursday 8 October.
    assert_eq!(
        due_date(&calendar, date(2026, 9, 16), Period::HalfMonth),
        date(2026, 10, 8)
    );
    // One month from 15 January ends on the first day of the Spring Festival (15–23
    // February): due Tuesday 24 February.
    assert_eq!(
        due_date(&calendar, date(2026, 1, 15), Period::Months(1)),
        date(2026, 2, 24)
    );
    // Sunday 20 September 2026 is an adjusted working day: a period ending then ends then.
    assert_eq!(
        due_date(&calendar, date(2026, 9, 5), Period::HalfMonth),
        date(2026, 9, 20)
    );
    // A plain Saturday moves to Monday.
    assert_eq!(
        due_date(&calendar, date(2026, 6, 13), Period::Months(1)),
        date(2026, 7, 13)
    );
    // Into a year without a notice yet: weekends only (Sunday 28 February 2027 → Monday).
    assert_eq!(
        due_date(&calendar, date(2026, 11, 30), Period::Months(3)),
        date(2027, 3, 1)
    );
    assert_eq!(
        latest_due_date(&calendar, date(2026, 3, 2)),
        date(2026, 9, 2)
    );
}

// ---------------------------------------------------------------------------------------
// Routing

#[test]
fn a_matter_is_routed_to_the_level_its_scope_needs() {
    let dept = Some(DepartmentId(7));
    let at = |unit| Responsible {
        unit,
        department: None,
    };
    // Raised at a village station.
    assert_eq!(
        route(AppealScope::Village, VILLAGE, None, None, HALL.id),
        Ok(at(VILLAGE.id))
    );
    assert_eq!(
        route(AppealScope::Township, VILLAGE, None, None, HALL.id),
        Ok(at(TOWNSHIP.id))
    );
    assert_eq!(
        route(
            AppealScope::DistrictDepartment,
            VILLAGE,
            None,
            dept,
            HALL.id
        ),
        Ok(Responsible {
            unit: HALL.id,
            department: dept
        })
    );
    assert_eq!(
        route(
            AppealScope::DistrictDepartment,
            VILLAGE,
            None,
            None,
            HALL.id
        ),
        Err(AppealError::DepartmentNeeded)
    );
    assert_eq!(
        route(AppealScope::CityDepartment, VILLAGE, None, None, HALL.id),
        Ok(at(HALL.id))
    );
    // Raised at the hall or the hotline: a village or township matter needs its unit.
    assert_eq!(
        route(AppealScope::Village, HALL, None, None, HALL.id),
        Err(AppealError::VillageNeeded)
    );
    assert_eq!(
        route(
            AppealScope::Village,
            HALL,
            Some(OTHER_VILLAGE),
            None,
            HALL.id
        ),
        Ok(at(OTHER_VILLAGE.id))
    );
    assert_eq!(
        route(AppealScope::Township, HALL, None, None, HALL.id),
        Err(AppealError::TownshipNeeded)
    );
    assert!(matches!(
        route(AppealScope::Township, HALL, Some(VILLAGE), None, HALL.id),
        Err(AppealError::WrongLevel { .. })
    ));
    assert!(matches!(
        route(AppealScope::Village, HALL, Some(TOWNSHIP), None, HALL.id),
        Err(AppealError::WrongLevel { .. })
    ));
    assert_eq!(
        route(AppealScope::Township, TOWNSHIP, None, None, HALL.id),
        Ok(at(TOWNSHIP.id))
    );
}

#[test]
fn registration_routes_dates_and_needs_content() {
    let now = china(2026, 9, 16, 10);
    let history = History::raise(&registration(AppealScope::Village), VILLAGE, now);
    let appeal = history.appeal();
    assert_eq!(appeal.state, AppealState::Registered);
    assert_eq!(appeal.responsible.unit, VILLAGE.id);
    assert_eq!(appeal.due, date(2026, 10, 8));
    assert_eq!(appeal.registered_on, date(2026, 9, 16));
    assert_eq!(appeal.level(), AppealLevel::Village);

    let mut empty = registration(AppealScope::Village);
    empty.content = "   ".into();
    assert_eq!(
        register(&empty, VILLAGE, None, HALL.id, &calendar(), now),
        Err(AppealError::ContentNeeded)
    );
    // The China date counts: 23:30 on 15 September UTC is already the 16th in China.
    let late = Utc.with_ymd_and_hms(2026, 9, 15, 23, 30, 0).unwrap();
    let history = History::raise(&registration(AppealScope::Village), VILLAGE, late);
    assert_eq!(history.appeal().due, date(2026, 10, 8));
}

// ---------------------------------------------------------------------------------------
// The life of an appeal

#[test]
fn a_village_appeal_is_worked_answered_and_rated() {
    let mut h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    let clerk = village_clerk();
    let appeal = h.act(
        Some(&clerk),
        AppealAction::RecordAction {
            note: "已到现场查看，联系电工".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::InProgress);
    h.now = china(2026, 3, 10, 15);
    let appeal = h.act(
        Some(&clerk),
        AppealAction::Answer {
            answer: "路灯已于3月9日修复".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Answered);
    assert_eq!(appeal.answered_on_time(&h.calendar), Some(true));
    // The person rates it themselves, through the public lookup.
    let appeal = h.act(
        None,
        AppealAction::Rate {
            satisfaction: Satisfaction::Satisfied,
            comment: String::new(),
        },
    );
    assert_eq!(appeal.state, AppealState::Closed);
    assert_eq!(appeal.satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(appeal.version, 4);
    // Nothing more happens to a closed appeal.
    assert!(matches!(
        h.try_act(
            Some(&clerk),
            AppealAction::RecordAction {
                note: "再次".into()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));
    assert!(matches!(
        h.try_act(
            None,
            AppealAction::Rate {
                satisfaction: Satisfaction::VerySatisfied,
                comment: String::new()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));
}

#[test]
fn only_the_responsible_unit_or_the_center_acts() {
    let mut h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    let note = || AppealAction::RecordAction {
        note: "走访".into(),
    };
    for outsider in [
        other_village_clerk(),
        township_officer(),
        department_officer(),
    ] {
        assert_eq!(
            h.try_act(Some(&outsider), note()),
            Err(AppealError::NotResponsible),
            "{outsider:?}"
        );
    }
    // Nobody acts anonymously but to rate.
    assert_eq!(h.try_act(None, note()), Err(AppealError::NotResponsible));
    assert!(h.try_act(Some(&supervisor()), note()).is_ok());
    // A unit administrator of the village may act; a supervisor's powers stay the center's.
    let admin = actor(12, VILLAGE, None, &[Role::UnitAdmin]);
    assert!(h.try_act(Some(&admin), note()).is_ok());
    assert_eq!(
        h.try_act(
            Some(&village_clerk()),
            AppealAction::Extend {
                due: date(2026, 4, 1),
                reason: "复杂".into()
            }
        ),
        Err(AppealError::SupervisorOnly)
    );
}

#[test]
fn a_department_matter_is_for_that_departments_staff() {
    let mut input = registration(AppealScope::DistrictDepartment);
    input.department = Some(DepartmentId(7));
    input.channel = AppealChannel::Hall;
    let mut h = History::raise(&input, HALL, china(2026, 3, 2, 9));
    assert_eq!(h.appeal().due, date(2026, 4, 2));
    assert_eq!(
        h.try_act(
            Some(&other_department_officer()),
            AppealAction::Answer {
                answer: "答复".into()
            }
        ),
        Err(AppealError::NotResponsible)
    );
    // Referred to department 8 at the hall: now theirs, with the same deadline.
    let appeal = h.act(
        Some(&department_officer()),
        AppealAction::Refer {
            unit: HALL.id,
            department: Some(DepartmentId(8)),
            reason: "属于交通部门职责".into(),
        },
    );
    assert_eq!(appeal.responsible.department, Some(DepartmentId(8)));
    assert_eq!(appeal.due, date(2026, 4, 2));
    assert!(
        h.try_act(
            Some(&other_department_officer()),
            AppealAction::Answer {
                answer: "已安排维修".into()
            }
        )
        .is_ok()
    );
}

#[test]
fn escalation_widens_the_scope_and_takes_the_new_period_from_today() {
    let mut h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    assert_eq!(h.appeal().due, date(2026, 3, 17));
    h.now = china(2026, 3, 9, 10);
    let clerk = village_clerk();
    // Sideways or down is not an escalation; a reason is needed.
    assert!(matches!(
        h.try_act(
            Some(&clerk),
            AppealAction::Escalate {
                scope: AppealScope::Village,
                unit: None,
                department: None,
                reason: "x".into()
            }
        ),
        Err(AppealError::NotWider { .. })
    ));
    assert_eq!(
        h.try_act(
            Some(&clerk),
            AppealAction::Escalate {
                scope: AppealScope::Township,
                unit: None,
                department: None,
                reason: " ".into()
            }
        ),
        Err(AppealError::ReasonNeeded)
    );
    let appeal = h.act(
        Some(&clerk),
        AppealAction::Escalate {
            scope: AppealScope::Township,
            unit: None,
            department: None,
            reason: "涉及镇水务站和城建办".into(),
        },
    );
    assert_eq!(appeal.responsible.unit, TOWNSHIP.id);
    assert_eq!(appeal.level(), AppealLevel::Township);
    assert_eq!(appeal.due, date(2026, 4, 9), "a month from the escalation");
    assert_eq!(appeal.escalations, 1);
    // The village can no longer act; the township can, and sends it to the district.
    assert_eq!(
        h.try_act(
            Some(&clerk),
            AppealAction::RecordAction { note: "x".into() }
        ),
        Err(AppealError::NotResponsible)
    );
    h.now = china(2026, 4, 1, 10);
    let appeal = h.act(
        Some(&township_officer()),
        AppealAction::Escalate {
            scope: AppealScope::DistrictDepartments,
            unit: None,
            department: None,
            reason: "需区水利、交通部门共同解决".into(),
        },
    );
    assert_eq!(appeal.responsible.unit, HALL.id);
    assert_eq!(appeal.due, date(2026, 7, 1));
    assert_eq!(appeal.escalations, 2);
}

#[test]
fn no_deadline_goes_past_six_months_from_registration() {
    let mut h = History::raise(
        &registration(AppealScope::Township),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    // Escalated late: three months from 20 July would be 20 October; six months from
    // registration is 2 September.
    h.now = china(2026, 7, 20, 10);
    let appeal = h.act(
        Some(&township_officer()),
        AppealAction::Escalate {
            scope: AppealScope::CityDepartment,
            unit: None,
            department: None,
            reason: "需市级部门办理".into(),
        },
    );
    assert_eq!(appeal.due, date(2026, 9, 2));
    let boss = supervisor();
    assert_eq!(
        h.try_act(
            Some(&boss),
            AppealAction::Extend {
                due: date(2026, 9, 3),
                reason: "市级部门未答复".into()
            }
        ),
        Err(AppealError::BeyondSixMonths {
            latest: date(2026, 9, 2)
        })
    );
    assert_eq!(
        h.try_act(
            Some(&boss),
            AppealAction::Extend {
                due: date(2026, 9, 1),
                reason: "x".into()
            }
        ),
        Err(AppealError::NotLater {
            current: date(2026, 9, 2)
        })
    );
}

#[test]
fn the_center_extends_takes_over_orders_a_redo_and_closes() {
    let mut h = History::raise(
        &registration(AppealScope::DistrictDepartments),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    assert_eq!(h.appeal().due, date(2026, 6, 2));
    let boss = supervisor();
    let appeal = h.act(
        Some(&boss),
        AppealAction::Extend {
            due: date(2026, 8, 3),
            reason: "涉及多部门协调".into(),
        },
    );
    assert_eq!(appeal.due, date(2026, 8, 3));
    let appeal = h.act(
        Some(&boss),
        AppealAction::TakeOver {
            reason: "多次催办未果".into(),
        },
    );
    assert!(appeal.taken_over);
    assert!(matches!(
        h.try_act(
            Some(&boss),
            AppealAction::TakeOver {
                reason: "再次".into()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));
    // Closing or a redo needs an answer first.
    assert!(matches!(
        h.try_act(Some(&boss), AppealAction::Close { note: "x".into() }),
        Err(AppealError::NotAllowedNow { .. })
    ));
    h.now = china(2026, 5, 6, 10);
    h.act(
        Some(&boss),
        AppealAction::Answer {
            answer: "已协调处理".into(),
        },
    );
    // A poor rating needs its reason and leaves the appeal open for the center.
    assert_eq!(
        h.try_act(
            None,
            AppealAction::Rate {
                satisfaction: Satisfaction::Dissatisfied,
                comment: " ".into()
            }
        ),
        Err(AppealError::PoorRatingReasonNeeded)
    );
    let appeal = h.act(
        None,
        AppealAction::Rate {
            satisfaction: Satisfaction::VeryDissatisfied,
            comment: "问题没有解决".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Answered);
    assert!(appeal.closed_at.is_none());
    let appeal = h.act(
        Some(&boss),
        AppealAction::OrderRedo {
            reason: "答复与实际不符".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::InProgress);
    assert_eq!(appeal.satisfaction, None);
    // Three months from 6 May is 6 August, past the extension: the later date counts.
    assert_eq!(appeal.due, date(2026, 8, 6));
    h.act(
        Some(&boss),
        AppealAction::Answer {
            answer: "已重新处理".into(),
        },
    );
    let appeal = h.act(
        Some(&boss),
        AppealAction::Close {
            note: "回访确认已解决".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Closed);
}

// ---------------------------------------------------------------------------------------
// Warnings

#[test]
fn an_open_appeal_turns_yellow_then_red_before_its_deadline() {
    let calendar = calendar();
    let h = History::raise(
        &registration(AppealScope::Township),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    let appeal = h.appeal();
    assert_eq!(appeal.due, date(2026, 4, 2));
    let level = |y, m, d, hour| appeal.warning_level(&calendar, china(y, m, d, hour));
    assert_eq!(level(2026, 3, 10, 9), WarningLevel::Green);
    // 80 % of the time from 2 March 09:00 to 2 April 17:30 is past on 27 March.
    assert_eq!(level(2026, 3, 26, 9), WarningLevel::Green);
    assert_eq!(level(2026, 3, 27, 12), WarningLevel::Yellow);
    // Two working days left (Wednesday 1 and Thursday 2 April): red, before it is missed.
    assert_eq!(level(2026, 3, 30, 12), WarningLevel::Yellow);
    assert_eq!(level(2026, 3, 31, 12), WarningLevel::Red);
    assert_eq!(level(2026, 4, 3, 9), WarningLevel::Red);

    // An answered appeal has no level.
    let mut h = h;
    h.now = china(2026, 4, 3, 9);
    let answered = h.act(
        Some(&township_officer()),
        AppealAction::Answer {
            answer: "已答复".into(),
        },
    );
    assert_eq!(
        answered.warning_level(&calendar, china(2026, 5, 1, 9)),
        WarningLevel::Green
    );
    assert_eq!(answered.answered_on_time(&calendar), Some(false));
}

// ---------------------------------------------------------------------------------------
// History and statistics

#[test]
fn a_history_that_does_not_fold_is_refused() {
    let h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    assert!(Appeal::replay(&[]).is_err());
    let mut skipped = h.events.clone();
    skipped.push(AppealEvent {
        seq: 3,
        at: h.now,
        actor: None,
        unit: VILLAGE.id,
        kind: AppealEventKind::Closed { note: "x".into() },
        prev_hash: String::new(),
        hash: String::new(),
    });
    assert!(Appeal::replay(&skipped).is_err());
    let mut twice = h.events.clone();
    let mut again = twice[0].clone();
    again.seq = 2;
    twice.push(again);
    assert!(Appeal::replay(&twice).is_err());
    let not_first = vec![AppealEvent {
        seq: 1,
        at: h.now,
        actor: None,
        unit: VILLAGE.id,
        kind: AppealEventKind::Answered { answer: "x".into() },
        prev_hash: String::new(),
        hash: String::new(),
    }];
    assert!(Appeal::replay(&not_first).is_err());
}

#[test]
fn statistics_count_completion_village_settlement_and_time_to_answer() {
    let facts = |level, state, answered: Option<u32>, on_time, escalations| AppealFacts {
        level,
        kind: AppealKind::Problem,
        state,
        registered_on: date(2026, 3, 1),
        answered_on: answered.map(|d| date(2026, 3, d)),
        on_time,
        escalations,
        overdue: level == AppealLevel::District,
    };
    let all = [
        facts(
            AppealLevel::Village,
            AppealState::Closed,
            Some(5),
            Some(true),
            0,
        ),
        facts(
            AppealLevel::Village,
            AppealState::Answered,
            Some(11),
            Some(true),
            0,
        ),
        facts(
            AppealLevel::Township,
            AppealState::Closed,
            Some(21),
            Some(false),
            1,
        ),
        facts(AppealLevel::Village, AppealState::InProgress, None, None, 0),
        facts(
            AppealLevel::District,
            AppealState::Registered,
            None,
            None,
            0,
        ),
    ];
    let stats = statistics(&all);
    assert_eq!(stats.total, 5);
    assert_eq!(stats.concluded, 3);
    assert!((stats.concluded_rate - 0.6).abs() < 1e-9);
    assert_eq!(stats.settled_in_village, 2);
    assert!((stats.settled_in_village_rate - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(stats.answered_on_time, 2);
    assert!((stats.on_time_rate - 2.0 / 3.0).abs() < 1e-9);
    // (4 + 10 + 20) / 3 days.
    assert!((stats.mean_days_to_answer - 34.0 / 3.0).abs() < 1e-9);
    assert_eq!(stats.overdue_open, 1);
    let empty = statistics(&[]);
    assert_eq!(empty.total, 0);
    assert!(empty.concluded_rate.abs() < f64::EPSILON);
}

// ---------------------------------------------------------------------------------------
// The efficiency complaint center's decision on acceptance

fn complaint(channel: AppealChannel) -> Registration {
    Registration {
        kind: AppealKind::ServiceComplaint,
        channel,
        scope: AppealScope::DistrictDepartment,
        person: Person {
            name: "张伟".into(),
            phone: Some(PhoneNumber::parse("13800138000").unwrap()),
        },
        category: "服务态度".into(),
        content: "窗口工作人员态度生硬".into(),
        address: String::new(),
        unit: None,
        department: Some(DepartmentId(7)),
    }
}

#[test]
fn the_decision_on_acceptance_is_due_five_working_days_after_registration() {
    let calendar = calendar();
    // Thursday 2 April 2026: Friday 3 counts, Qingming (4–6 April) does not, then 7–10.
    assert_eq!(
        acceptance_due(&calendar, china(2026, 4, 2, 10)).value,
        date(2026, 4, 10)
    );
    // The week before has no holiday: Thursday 26 March is due Thursday 2 April.
    assert_eq!(
        acceptance_due(&calendar, china(2026, 3, 26, 10)).value,
        date(2026, 4, 2)
    );
    // After the afternoon close it counts from the next working day (Friday 3 April).
    assert_eq!(
        acceptance_due(&calendar, china(2026, 4, 2, 18)).value,
        date(2026, 4, 13)
    );
    // Raised online on the holiday itself: counts from Tuesday 7 April.
    assert_eq!(
        acceptance_due(&calendar, china(2026, 4, 5, 11)).value,
        date(2026, 4, 14)
    );
    // Across Labour Day (1–5 May) the fifth working day is the adjusted Saturday, 9 May.
    let due = acceptance_due(&calendar, china(2026, 4, 29, 10));
    assert_eq!(due.value, date(2026, 5, 9));
    assert!(!due.provisional);
    // In a year without a holiday notice the day is computed, and marked provisional.
    assert!(acceptance_due(&calendar, china(2027, 6, 1, 10)).provisional);
}

#[test]
fn a_complaint_about_the_service_awaits_the_centers_decision_whatever_its_channel() {
    for channel in [
        AppealChannel::Online,
        AppealChannel::Hall,
        AppealChannel::Hotline,
    ] {
        let h = History::raise(&complaint(channel), HALL, china(2026, 4, 2, 10));
        let appeal = h.appeal();
        assert_eq!(appeal.state, AppealState::PendingAcceptance, "{channel:?}");
        assert_eq!(appeal.acceptance_due, Some(date(2026, 4, 10)));
        // The deadline running is the decision's; the answer's starts at acceptance.
        assert_eq!(appeal.due, date(2026, 4, 10));
        assert!(!appeal.state.awaits_answer());
    }
    // Other kinds go straight to work, and their registration is stored as before.
    let h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 4, 2, 10),
    );
    assert_eq!(h.appeal().state, AppealState::Registered);
    assert_eq!(h.appeal().acceptance_due, None);
    let json = serde_json::to_string(&h.events[0].kind).unwrap();
    assert!(!json.contains("acceptance_due"), "{json}");
}

#[test]
fn only_the_center_accepts_and_the_answers_period_runs_from_acceptance() {
    let mut h = History::raise(
        &complaint(AppealChannel::Online),
        HALL,
        china(2026, 4, 2, 10),
    );
    let officer = department_officer();
    // The department cannot work on it before it is accepted, nor decide on it.
    assert!(matches!(
        h.try_act(
            Some(&officer),
            AppealAction::Answer {
                answer: "已批评教育".into()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));
    assert_eq!(
        h.try_act(
            Some(&officer),
            AppealAction::Accept {
                note: String::new()
            }
        ),
        Err(AppealError::SupervisorOnly)
    );
    // The center decides first; taking it over meanwhile means nothing.
    let boss = supervisor();
    assert!(matches!(
        h.try_act(Some(&boss), AppealAction::TakeOver { reason: "x".into() }),
        Err(AppealError::NotAllowedNow { .. })
    ));
    h.now = china(2026, 4, 8, 15);
    let appeal = h.act(
        Some(&boss),
        AppealAction::Accept {
            note: "属于效能投诉受理范围".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Registered);
    assert_eq!(appeal.acceptance, Some(AcceptanceOutcome::Accepted));
    // One month from the day of acceptance, 8 April: 8 May (a Friday).
    assert_eq!(appeal.due, date(2026, 5, 8));
    // Decided once.
    assert!(matches!(
        h.try_act(
            Some(&boss),
            AppealAction::Accept {
                note: String::new()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));
    let appeal = h.act(
        Some(&officer),
        AppealAction::Answer {
            answer: "已对该工作人员批评教育".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Answered);
    assert_eq!(appeal.answered_on_time(&h.calendar), Some(true));
}

#[test]
fn a_refusal_needs_a_listed_ground_or_its_reason_and_a_forward_names_the_body() {
    let raise = || {
        History::raise(
            &complaint(AppealChannel::Online),
            HALL,
            china(2026, 4, 2, 10),
        )
    };
    let boss = supervisor();
    let mut h = raise();
    assert_eq!(
        h.try_act(
            Some(&boss),
            AppealAction::RefuseAcceptance {
                ground: RefusalGround::Other,
                reason: "  ".into()
            }
        ),
        Err(AppealError::RefusalReasonNeeded)
    );
    let appeal = h.act(
        Some(&boss),
        AppealAction::RefuseAcceptance {
            ground: RefusalGround::LegalProcedure,
            reason: String::new(),
        },
    );
    assert_eq!(appeal.state, AppealState::Closed);
    assert_eq!(appeal.acceptance, Some(AcceptanceOutcome::Refused));
    assert_eq!(appeal.closed_at, Some(h.now));
    assert!(matches!(
        h.try_act(
            Some(&boss),
            AppealAction::Accept {
                note: String::new()
            }
        ),
        Err(AppealError::NotAllowedNow { .. })
    ));

    let mut h = raise();
    let appeal = h.act(
        Some(&boss),
        AppealAction::RefuseAcceptance {
            ground: RefusalGround::Other,
            reason: "投诉人撤回".into(),
        },
    );
    assert_eq!(appeal.state, AppealState::Closed);
    assert!(matches!(
        &h.events[1].kind,
        AppealEventKind::AcceptanceRefused { reason, .. } if reason == "投诉人撤回"
    ));

    let mut h = raise();
    assert_eq!(
        h.try_act(
            Some(&boss),
            AppealAction::Forward {
                to: " ".into(),
                reason: String::new()
            }
        ),
        Err(AppealError::ForwardeeNeeded)
    );
    let appeal = h.act(
        Some(&boss),
        AppealAction::Forward {
            to: "区市场监督管理局".into(),
            reason: "属于市场监管职责".into(),
        },
    );
    assert_eq!(appeal.acceptance, Some(AcceptanceOutcome::Forwarded));
    assert_eq!(appeal.state, AppealState::Closed);
    assert_eq!(RefusalGround::ALL.len(), 5);
}

#[test]
fn a_decision_not_made_in_five_working_days_is_a_finding_about_the_appeal() {
    let calendar = calendar();
    let registered = china(2026, 4, 2, 10);
    let find = |decided, now| {
        acceptance_overdue_finding(
            AppealId(9),
            "SX-100-20260402-0001",
            HALL.id,
            registered,
            &calendar,
            decided,
            now,
        )
    };
    // Due at the close of Friday 10 April (Qingming in between).
    assert_eq!(find(None, china(2026, 4, 10, 17)), None);
    let f = find(None, china(2026, 4, 10, 18)).unwrap();
    assert_eq!(f.kind, FindingKind::AppealAcceptanceOverdue);
    assert_eq!(f.dedup_key, "appeal:9:appeal_acceptance_overdue");
    assert_eq!(f.occurred_at, calendar.close_of(date(2026, 4, 10)));
    assert_eq!(f.unit, HALL.id);
    assert!(f.description_zh.contains("SX-100-20260402-0001"));
    assert!(f.description_zh.contains("2026-04-10"));
    assert!(!f.provisional);
    // Decided in time: nothing, however late it is now; decided late: the same finding.
    assert_eq!(find(Some(china(2026, 4, 9, 9)), china(2026, 5, 1, 9)), None);
    assert_eq!(
        find(Some(china(2026, 4, 13, 9)), china(2026, 4, 13, 9))
            .unwrap()
            .dedup_key,
        f.dedup_key
    );
    assert!(!FindingKind::AppealAcceptanceOverdue.about_case());
    assert!(!FindingKind::AppealAcceptanceOverdue.always_reviewed());
}

// ---------------------------------------------------------------------------------------
// The hash chain

#[test]
fn sealed_events_verify_and_any_change_breaks_the_chain() {
    use crate::case::event::{ChainBreak, GENESIS_HASH};
    let mut h = History::raise(
        &registration(AppealScope::Village),
        VILLAGE,
        china(2026, 3, 2, 9),
    );
    let clerk = village_clerk();
    h.act(
        Some(&clerk),
        AppealAction::RecordAction {
            note: "已走访".into(),
        },
    );
    h.act(
        Some(&clerk),
        AppealAction::Answer {
            answer: "已更换路灯".into(),
        },
    );
    let number = "SX-30-20260302-0001";
    let mut events = h.events.clone();
    let head = chain::seal_all(number, GENESIS_HASH, &mut events);
    assert_eq!(head, events[2].hash);
    assert_eq!(events[1].prev_hash, events[0].hash);
    assert_eq!(
        chain::verify_appeal_chain(number, &events, &head, 3),
        Ok(())
    );
    // Sealing more later continues the same chain.
    let (first, rest) = h.events.split_at(1);
    let mut part = first.to_vec();
    let mid = chain::seal_all(number, GENESIS_HASH, &mut part);
    let mut more = rest.to_vec();
    assert_eq!(chain::seal_all(number, &mid, &mut more), head);

    let mut changed = events.clone();
    changed[1].kind = AppealEventKind::ActionRecorded {
        note: "未走访".into(),
    };
    assert_eq!(
        chain::verify_appeal_chain(number, &changed, &head, 3),
        Err(ChainBreak::Content { seq: 2 })
    );
    assert_eq!(
        chain::verify_appeal_chain("SX-30-20260302-0002", &events, &head, 3),
        Err(ChainBreak::Content { seq: 1 })
    );
    let mut gap = events.clone();
    gap.remove(1);
    assert_eq!(
        chain::verify_appeal_chain(number, &gap, &head, 3),
        Err(ChainBreak::Sequence {
            expected: 2,
            found: 3
        })
    );
    assert_eq!(
        chain::verify_appeal_chain(number, &events[..2], &head, 3),
        Err(ChainBreak::Head)
    );
    let mut relinked = events.clone();
    relinked[2].prev_hash = GENESIS_HASH.into();
    assert_eq!(
        chain::verify_appeal_chain(number, &relinked, &head, 3),
        Err(ChainBreak::Link { seq: 3 })
    );
}
