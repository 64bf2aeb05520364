#![allow(clippy::unwrap_used)]

use super::*;
use crate::testing::{china, date};

const STATION: UnitId = UnitId(3);
const TOWNSHIP: UnitId = UnitId(2);
const HALL: UnitId = UnitId(1);

struct Ledger {
    events: Vec<ProxyEvent>,
    calendar: WorkingCalendar,
    limits: LegLimits,
    now: DateTime<Utc>,
    decided: bool,
}

impl Ledger {
    fn new(route: Vec<UnitId>, now: DateTime<Utc>) -> Ledger {
        let calendar = WorkingCalendar::shipped();
        let limits = LegLimits::default();
        let kind = register(
            CaseId(9),
            route,
            &["申请书".into(), "身份证复印件".into()],
            date(2026, 3, 20),
            "代办员 王芳 023-67001234",
            limits,
            &calendar,
        )
        .unwrap();
        Ledger {
            events: vec![ProxyEvent {
                seq: 1,
                at: now,
                actor: StaffId(30),
                unit: STATION,
                kind,
            }],
            calendar,
            limits,
            now,
            decided: false,
        }
    }

    fn record(&self) -> ProxyRecord {
        ProxyRecord::replay(&self.events, self.limits, &self.calendar).unwrap()
    }

    fn try_do(&mut self, unit: UnitId, action: ProxyAction) -> Result<ProxyRecord, ProxyError> {
        let record = self.record();
        let kind = decide(
            &record,
            &action,
            &ProxyContext {
                now: self.now,
                actor: StaffId(unit.0 * 10),
                actor_unit: unit,
                case_decided: self.decided,
            },
        )?;
        self.events.push(ProxyEvent {
            seq: record.version + 1,
            at: self.now,
            actor: StaffId(unit.0 * 10),
            unit,
            kind,
        });
        Ok(self.record())
    }

    fn receive(&mut self, at: UnitId, from: UnitId) -> Result<ProxyRecord, ProxyError> {
        self.try_do(
            at,
            ProxyAction::Receive {
                from,
                giver: StaffId(from.0 * 10),
                materials: vec!["申请书".into(), "身份证复印件".into()],
            },
        )
    }
}

#[test]
fn a_registration_needs_a_route_up_and_materials_and_promises_the_legs_down() {
    let calendar = WorkingCalendar::shipped();
    let limits = LegLimits::default();
    let register = |route: Vec<UnitId>, materials: &[String]| {
        register(
            CaseId(1),
            route,
            materials,
            date(2026, 3, 20),
            "",
            limits,
            &calendar,
        )
    };
    let taken = ["申请书".to_owned()];
    assert_eq!(register(vec![STATION], &taken), Err(ProxyError::BadRoute));
    assert_eq!(
        register(vec![STATION, STATION], &taken),
        Err(ProxyError::BadRoute)
    );
    assert_eq!(
        register(vec![STATION, TOWNSHIP], &[" ".to_owned()]),
        Err(ProxyError::NoMaterials)
    );
    // The case is due Friday 20 March; two legs down of 3 working days: Monday 30 March.
    let Ok(ProxyEventKind::Registered { promised, .. }) =
        register(vec![STATION, TOWNSHIP, HALL], &taken)
    else {
        unreachable!()
    };
    assert_eq!(promised, date(2026, 3, 30));
    // Across the Qingming holiday (4–6 April): due Thursday 2 April, one leg → Wednesday 8 April.
    let Ok(ProxyEventKind::Registered { promised, .. }) = super::register(
        CaseId(1),
        vec![STATION, TOWNSHIP],
        &taken,
        date(2026, 4, 2),
        "",
        limits,
        &calendar,
    ) else {
        unreachable!()
    };
    assert_eq!(promised, date(2026, 4, 8));
}

#[test]
fn the_application_goes_up_level_by_level_and_the_result_comes_back_down() {
    let mut ledger = Ledger::new(vec![STATION, TOWNSHIP, HALL], china(2026, 3, 2, 9));
    let record = ledger.record();
    assert_eq!(record.state, ProxyState::GoingUp);
    assert_eq!(record.holder, STATION);
    assert_eq!(record.next_unit(), Some(TOWNSHIP));

    // Only the next level receives it, and only from whoever holds it.
    assert_eq!(
        ledger.receive(HALL, STATION),
        Err(ProxyError::WrongNextUnit { expected: TOWNSHIP })
    );
    assert_eq!(
        ledger.receive(TOWNSHIP, HALL),
        Err(ProxyError::NotHere {
            holder: STATION,
            from: HALL
        })
    );
    ledger.now = china(2026, 3, 3, 15);
    let record = ledger.receive(TOWNSHIP, STATION).unwrap();
    assert_eq!(record.holder, TOWNSHIP);
    assert_eq!(record.state, ProxyState::GoingUp);
    ledger.now = china(2026, 3, 4, 10);
    let record = ledger.receive(HALL, TOWNSHIP).unwrap();
    assert_eq!(record.state, ProxyState::AtDecidingUnit);
    assert_eq!(record.next_unit(), None);
    assert_eq!(record.late_legs, 0);

    // The result starts down only once the case is decided, and only at the deciding unit.
    let ready = || ProxyAction::ResultReady {
        result: "食品经营许可证".into(),
    };
    assert_eq!(ledger.try_do(HALL, ready()), Err(ProxyError::NotDecided));
    ledger.decided = true;
    assert!(matches!(
        ledger.try_do(TOWNSHIP, ready()),
        Err(ProxyError::NotHere { .. })
    ));
    let record = ledger.try_do(HALL, ready()).unwrap();
    assert_eq!(record.state, ProxyState::GoingDown);
    assert_eq!(record.next_unit(), Some(TOWNSHIP));
    let record = ledger.receive(TOWNSHIP, HALL).unwrap();
    assert_eq!(record.state, ProxyState::GoingDown);
    let record = ledger.receive(STATION, TOWNSHIP).unwrap();
    assert_eq!(record.state, ProxyState::AwaitingPickup);

    // The applicant signs for it at the station.
    assert_eq!(
        ledger.try_do(
            STATION,
            ProxyAction::Deliver {
                signed_by: " ".into()
            }
        ),
        Err(ProxyError::SignatureNeeded)
    );
    let record = ledger
        .try_do(
            STATION,
            ProxyAction::Deliver {
                signed_by: "李秀英".into(),
            },
        )
        .unwrap();
    assert_eq!(record.state, ProxyState::Delivered);
    assert!(record.delivered_at.is_some());
    assert_eq!(record.version, 7);
    assert!(matches!(
        ledger.receive(TOWNSHIP, STATION),
        Err(ProxyError::NotAllowedNow { .. })
    ));
}

#[test]
fn each_leg_has_three_working_days_and_a_late_one_is_counted() {
    // Registered Thursday 12 February 2026: the Spring Festival (15–23 February) falls in the
    // leg; Saturday 14 February is an adjusted working day. Three working days: 13, 14 and
    // 24 February.
    let mut ledger = Ledger::new(vec![STATION, TOWNSHIP], china(2026, 2, 12, 16));
    let record = ledger.record();
    let due = record.leg_due(ledger.limits, &ledger.calendar).unwrap();
    assert_eq!(china_date(due), date(2026, 2, 24));
    assert!(!record.leg_overdue(ledger.limits, &ledger.calendar, china(2026, 2, 24, 16)));
    assert!(record.leg_overdue(ledger.limits, &ledger.calendar, china(2026, 2, 25, 9)));
    ledger.now = china(2026, 2, 25, 9);
    let record = ledger.receive(TOWNSHIP, STATION).unwrap();
    assert_eq!(record.late_legs, 1);
    // At the deciding unit nothing is moving.
    assert_eq!(record.leg_due(ledger.limits, &ledger.calendar), None);
}

#[test]
fn a_history_that_does_not_fold_is_refused() {
    let ledger = Ledger::new(vec![STATION, TOWNSHIP], china(2026, 3, 2, 9));
    let (limits, calendar) = (ledger.limits, &ledger.calendar);
    assert!(ProxyRecord::replay(&[], limits, calendar).is_err());
    let mut twice = ledger.events.clone();
    let mut again = twice[0].clone();
    again.seq = 2;
    twice.push(again);
    assert!(ProxyRecord::replay(&twice, limits, calendar).is_err());
    let mut gap = ledger.events.clone();
    gap.push(ProxyEvent {
        seq: 5,
        at: ledger.now,
        actor: StaffId(1),
        unit: STATION,
        kind: ProxyEventKind::Delivered {
            signed_by: "x".into(),
        },
    });
    assert!(ProxyRecord::replay(&gap, limits, calendar).is_err());
}
