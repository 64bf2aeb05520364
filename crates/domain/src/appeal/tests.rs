#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};

use super::*;
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
