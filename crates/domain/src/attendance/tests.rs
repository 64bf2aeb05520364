#![allow(clippy::unwrap_used)]

use chrono::{Datelike, TimeZone};

use super::*;
use crate::calendar::china_offset;
use crate::organization::{Actor, UnitId};
use crate::testing::date;

const W1: WindowId = WindowId(1);
const W2: WindowId = WindowId(2);
const A: StaffId = StaffId(7);
const B: StaffId = StaffId(8);
const MANAGER: StaffId = StaffId(90);

/// A China wall-clock time as UTC.
fn cn(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, h, mi, s)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// A time on Monday 2 March 2026, an ordinary working day.
fn mon(h: u32, mi: u32) -> DateTime<Utc> {
    cn(2026, 3, 2, h, mi, 0)
}

fn actor(id: StaffId, roles: &[Role]) -> Actor {
    Actor {
        staff_id: id,
        unit_id: UnitId(1),
        department_id: None,
        roles: roles.to_vec(),
    }
}

fn clerk(id: StaffId) -> Actor {
    actor(id, &[Role::WindowClerk])
}

fn manager() -> Actor {
    actor(MANAGER, &[Role::UnitAdmin])
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn ev(window: WindowId, at: DateTime<Utc>, clerk: StaffId, kind: DutyEventKind) -> DutyEvent {
    DutyEvent {
        window,
        at,
        by: clerk,
        clerk: Some(clerk),
        kind,
    }
}

fn on(at: DateTime<Utc>, who: StaffId) -> DutyEvent {
    ev(W1, at, who, DutyEventKind::SignedOn)
}

fn off(at: DateTime<Utc>, who: StaffId) -> DutyEvent {
    ev(W1, at, who, DutyEventKind::SignedOff)
}

fn away(at: DateTime<Utc>, who: StaffId) -> DutyEvent {
    ev(W1, at, who, DutyEventKind::MarkedAway)
}

fn resume(at: DateTime<Utc>, who: StaffId) -> DutyEvent {
    ev(W1, at, who, DutyEventKind::Resumed)
}

fn pause(at: DateTime<Utc>, who: StaffId, reason: PauseReason) -> DutyEvent {
    ev(
        W1,
        at,
        who,
        DutyEventKind::Paused {
            reason,
            note: String::new(),
        },
    )
}

fn leave(
    day: NaiveDate,
    part: DayPart,
    who: Option<StaffId>,
    recorded: DateTime<Utc>,
) -> DutyEvent {
    DutyEvent {
        window: W1,
        at: recorded,
        by: MANAGER,
        clerk: None,
        kind: DutyEventKind::LeaveRecorded {
            leave: Leave {
                date: day,
                part,
                clerk: who,
                reason: LeaveReason::Personal,
                note: String::new(),
            },
        },
    }
}

/// The record of W1 on `day` under the default rules, its minutes checked to add up.
fn record(day: NaiveDate, events: &[DutyEvent]) -> DayRecord {
    record_with(day, events, &AttendanceRules::default())
}

fn record_with(day: NaiveDate, events: &[DutyEvent], rules: &AttendanceRules) -> DayRecord {
    let r = day_record(W1, day, events, Some(A), &calendar(), rules);
    assert_eq!(
        r.open_minutes + r.paused.total() + r.away_minutes + r.closed_minutes,
        r.office_minutes,
        "the minutes add up: {r:?}"
    );
    for share in &r.duty {
        assert!(share.open_minutes <= r.open_minutes);
        assert!(share.away_minutes <= r.away_minutes);
    }
    r
}

fn kinds(r: &DayRecord) -> Vec<IrregularityKind> {
    r.irregularities.iter().map(Irregularity::kind).collect()
}

fn duty(state: DutyState, clerk_on_duty: Option<StaffId>) -> WindowDuty {
    WindowDuty {
        window: W1,
        state,
        clerk: clerk_on_duty,
        since: Some(mon(8, 0)),
        pause: (state == DutyState::Paused).then_some(PauseReason::Consultation),
        note: String::new(),
    }
}

fn decide_as(
    d: &WindowDuty,
    action: &DutyAction,
    who: &Actor,
    at: DateTime<Utc>,
) -> Result<DutyEvent, AttendanceError> {
    let calendar = calendar();
    let rules = AttendanceRules::default();
    decide(
        d,
        action,
        &DutyContext {
            at,
            actor: who,
            on_duty_elsewhere: None,
            calendar: &calendar,
            rules: &rules,
        },
    )
}

fn sample(kind: DutyActionKind) -> DutyAction {
    match kind {
        DutyActionKind::SignOn => DutyAction::SignOn,
        DutyActionKind::Pause => DutyAction::Pause {
            reason: PauseReason::SystemFailure,
            note: String::new(),
        },
        DutyActionKind::Resume => DutyAction::Resume,
        DutyActionKind::MarkAway => DutyAction::MarkAway,
        DutyActionKind::SignOff => DutyAction::SignOff,
        DutyActionKind::RecordLeave => DutyAction::RecordLeave {
            date: date(2026, 3, 3),
            part: DayPart::WholeDay,
            clerk: Some(A),
            reason: LeaveReason::Sick,
            note: String::new(),
        },
    }
}

// ---------------------------------------------------------------------------------------
// The state machine.

#[test]
fn every_state_and_action_by_the_person_entitled() {
    use DutyActionKind as K;
    use DutyState as S;
    // (state, action) -> the state after, or None when refused. Written out, not derived.
    let table: [(S, K, Option<S>); 24] = [
        (S::Closed, K::SignOn, Some(S::Open)),
        (S::Closed, K::Pause, None),
        (S::Closed, K::Resume, None),
        (S::Closed, K::MarkAway, None),
        (S::Closed, K::SignOff, None),
        (S::Closed, K::RecordLeave, Some(S::Closed)),
        (S::Open, K::SignOn, None),
        (S::Open, K::Pause, Some(S::Paused)),
        (S::Open, K::Resume, None),
        (S::Open, K::MarkAway, Some(S::Away)),
        (S::Open, K::SignOff, Some(S::Closed)),
        (S::Open, K::RecordLeave, Some(S::Open)),
        (S::Paused, K::SignOn, None),
        (S::Paused, K::Pause, None),
        (S::Paused, K::Resume, Some(S::Open)),
        (S::Paused, K::MarkAway, Some(S::Away)),
        (S::Paused, K::SignOff, Some(S::Closed)),
        (S::Paused, K::RecordLeave, Some(S::Paused)),
        (S::Away, K::SignOn, None),
        (S::Away, K::Pause, None),
        (S::Away, K::Resume, Some(S::Open)),
        (S::Away, K::MarkAway, None),
        (S::Away, K::SignOff, Some(S::Closed)),
        (S::Away, K::RecordLeave, Some(S::Away)),
    ];
    for (state, kind, expected) in table {
        let on_duty = state.is_signed_on().then_some(A);
        let d = duty(state, on_duty);
        // The person entitled: a clerk to sign on, the manager to record leave, else the
        // clerk on duty (or, on a closed window, the clerk who would be).
        let who = match kind {
            K::SignOn => clerk(B),
            K::RecordLeave => manager(),
            _ => clerk(A),
        };
        let result = decide_as(&d, &sample(kind), &who, mon(10, 0));
        match expected {
            Some(after) => {
                assert!(result.is_ok(), "{state:?} {kind:?}: {result:?}");
                let event = result.unwrap();
                assert_eq!(event.window, W1);
                assert_eq!(event.at, mon(10, 0));
                assert_eq!(event.by, who.staff_id);
                let mut folded = d.clone();
                folded.apply(&event);
                assert_eq!(folded.state, after, "{state:?} {kind:?}");
                assert!(kind.allowed_in(state));
            }
            None => {
                assert_eq!(
                    result,
                    Err(AttendanceError::NotAllowedNow {
                        state,
                        action: kind
                    }),
                    "{state:?} {kind:?}"
                );
                assert!(!kind.allowed_in(state));
            }
        }
    }
}

#[test]
fn the_clerk_on_duty_is_recorded_on_each_event() {
    let closed = WindowDuty::closed(W1);
    let signed_on = decide_as(&closed, &DutyAction::SignOn, &clerk(A), mon(8, 55)).unwrap();
    assert_eq!(signed_on.clerk, Some(A));
    assert_eq!(signed_on.kind, DutyEventKind::SignedOn);
    let open = WindowDuty::replay(W1, [&signed_on]);
    assert_eq!(open.state, DutyState::Open);
    assert_eq!(open.clerk, Some(A));
    assert_eq!(open.since, Some(mon(8, 55)));

    // The manager marks the window away: the event names the clerk on duty.
    let marked = decide_as(&open, &DutyAction::MarkAway, &manager(), mon(10, 0)).unwrap();
    assert_eq!(marked.by, MANAGER);
    assert_eq!(marked.clerk, Some(A));
    let away = WindowDuty::replay(W1, [&signed_on, &marked]);
    assert_eq!(away.state, DutyState::Away);
    assert_eq!(away.clerk, Some(A), "still signed on");

    let back = decide_as(&away, &DutyAction::Resume, &clerk(A), mon(10, 20)).unwrap();
    let paused = decide_as(
        &WindowDuty::replay(W1, [&signed_on, &marked, &back]),
        &DutyAction::Pause {
            reason: PauseReason::Other,
            note: "  接待上级检查 ".into(),
        },
        &clerk(A),
        mon(11, 0),
    )
    .unwrap();
    let state = WindowDuty::replay(W1, [&signed_on, &marked, &back, &paused]);
    assert_eq!(state.pause, Some(PauseReason::Other));
    assert_eq!(state.note, "接待上级检查", "the note is trimmed");

    let signed_off = decide_as(&state, &DutyAction::SignOff, &clerk(A), mon(17, 31)).unwrap();
    let closed = WindowDuty::replay(W1, [&signed_on, &marked, &back, &paused, &signed_off]);
    assert_eq!(closed.state, DutyState::Closed);
    assert_eq!(closed.clerk, None);
    assert_eq!(closed.pause, None);
    assert_eq!(closed.note, "");

    // Another window's events change nothing.
    let other = DutyEvent {
        window: W2,
        ..signed_on.clone()
    };
    assert_eq!(WindowDuty::replay(W1, [&other]), WindowDuty::closed(W1));
}

#[test]
fn only_the_clerk_on_duty_or_the_hall_manager_acts() {
    let open = duty(DutyState::Open, Some(A));
    let paused = duty(DutyState::Paused, Some(A));
    let supervisor = actor(StaffId(50), &[Role::Supervisor]);
    let at = mon(10, 0);

    // Signing on takes a window clerk.
    assert_eq!(
        decide_as(&WindowDuty::closed(W1), &DutyAction::SignOn, &manager(), at),
        Err(AttendanceError::NotAWindowClerk)
    );
    let both = actor(MANAGER, &[Role::UnitAdmin, Role::WindowClerk]);
    assert!(decide_as(&WindowDuty::closed(W1), &DutyAction::SignOn, &both, at).is_ok());

    for action in [
        sample(DutyActionKind::Pause),
        DutyAction::MarkAway,
        DutyAction::SignOff,
    ] {
        assert!(
            decide_as(&open, &action, &clerk(A), at).is_ok(),
            "{action:?}"
        );
        assert!(
            decide_as(&open, &action, &manager(), at).is_ok(),
            "{action:?}"
        );
        assert_eq!(
            decide_as(&open, &action, &clerk(B), at),
            Err(AttendanceError::NotOnDuty),
            "{action:?}"
        );
        assert_eq!(
            decide_as(&open, &action, &supervisor, at),
            Err(AttendanceError::NotOnDuty),
            "{action:?}"
        );
    }
    // Only the clerk, back at the window, resumes service.
    assert!(decide_as(&paused, &DutyAction::Resume, &clerk(A), at).is_ok());
    for who in [manager(), clerk(B), supervisor.clone()] {
        assert_eq!(
            decide_as(&paused, &DutyAction::Resume, &who, at),
            Err(AttendanceError::NotTheClerkOnDuty)
        );
    }
    // Leave is the manager's.
    for who in [clerk(A), clerk(B), supervisor] {
        assert_eq!(
            decide_as(&open, &sample(DutyActionKind::RecordLeave), &who, at),
            Err(AttendanceError::ManagerOnly)
        );
    }
}

#[test]
fn a_clerk_is_on_duty_at_one_window_at_a_time() {
    let calendar = calendar();
    let rules = AttendanceRules::default();
    let a = clerk(A);
    let ctx = |elsewhere| DutyContext {
        at: mon(9, 0),
        actor: &a,
        on_duty_elsewhere: elsewhere,
        calendar: &calendar,
        rules: &rules,
    };
    let closed = WindowDuty::closed(W1);
    assert_eq!(
        decide(&closed, &DutyAction::SignOn, &ctx(Some(W2))),
        Err(AttendanceError::OnDutyElsewhere { window: W2 })
    );
    assert!(decide(&closed, &DutyAction::SignOn, &ctx(None)).is_ok());
    assert!(decide(&closed, &DutyAction::SignOn, &ctx(Some(W1))).is_ok());
}

#[test]
fn a_pause_needs_a_reason_and_other_needs_a_note() {
    let open = duty(DutyState::Open, Some(A));
    let pause = |reason, note: &str| {
        decide_as(
            &open,
            &DutyAction::Pause {
                reason,
                note: note.into(),
            },
            &clerk(A),
            mon(10, 0),
        )
    };
    for reason in PauseReason::ALL {
        let result = pause(reason, "");
        if reason == PauseReason::Other {
            assert_eq!(result, Err(AttendanceError::NoteRequired));
        } else {
            assert!(result.is_ok(), "{reason:?}");
        }
    }
    for blank in ["   ", "。", "——"] {
        assert_eq!(
            pause(PauseReason::Other, blank),
            Err(AttendanceError::NoteRequired)
        );
    }
    assert_eq!(
        pause(PauseReason::ShortLeave, &"字".repeat(MAX_NOTE_CHARS + 1)),
        Err(AttendanceError::NoteTooLong)
    );
    assert!(pause(PauseReason::Other, &"字".repeat(MAX_NOTE_CHARS)).is_ok());
}

#[test]
fn an_action_before_the_windows_last_change_is_refused() {
    let open = duty(DutyState::Open, Some(A));
    assert_eq!(
        decide_as(&open, &DutyAction::SignOff, &clerk(A), mon(7, 59)),
        Err(AttendanceError::OutOfOrder)
    );
    assert!(decide_as(&open, &DutyAction::SignOff, &clerk(A), mon(8, 0)).is_ok());
    // A leave is about a date, not a moment of the window: it may come at any time.
    assert!(
        decide_as(
            &open,
            &sample(DutyActionKind::RecordLeave),
            &manager(),
            mon(7, 0)
        )
        .is_ok()
    );
}

#[test]
fn a_duty_lapses_at_midnight_china_time() {
    let open = WindowDuty::replay(W1, [&on(mon(9, 0), A)]);
    // 23:59 on the day, still open; 00:00 the next day, closed.
    assert_eq!(open.as_of(mon(23, 59)).state, DutyState::Open);
    let next = cn(2026, 3, 3, 0, 0, 0);
    assert_eq!(open.as_of(next).state, DutyState::Closed);
    assert_eq!(open.as_of(next).clerk, None);
    // 16:00 UTC is already midnight in China.
    assert_eq!(
        open.as_of(Utc.with_ymd_and_hms(2026, 3, 2, 16, 0, 0).unwrap())
            .state,
        DutyState::Closed
    );
    let morning = cn(2026, 3, 3, 8, 50, 0);
    assert!(decide_as(&open, &DutyAction::SignOn, &clerk(A), morning).is_ok());
    assert_eq!(
        decide_as(&open, &DutyAction::SignOff, &clerk(A), morning),
        Err(AttendanceError::NotAllowedNow {
            state: DutyState::Closed,
            action: DutyActionKind::SignOff
        })
    );
}

#[test]
fn leave_is_for_a_working_day_and_recorded_in_time() {
    let closed = WindowDuty::closed(W1);
    let leave_on = |day: NaiveDate, at: DateTime<Utc>, reason: LeaveReason, note: &str| {
        decide_as(
            &closed,
            &DutyAction::RecordLeave {
                date: day,
                part: DayPart::Morning,
                clerk: Some(A),
                reason,
                note: note.into(),
            },
            &manager(),
            at,
        )
    };
    let at = mon(10, 0);
    // National Day 2026 and an ordinary Saturday are rest days.
    for rest in [date(2026, 10, 1), date(2026, 3, 7)] {
        assert_eq!(
            leave_on(rest, at, LeaveReason::Annual, ""),
            Err(AttendanceError::LeaveOnRestDay { date: rest })
        );
    }
    // The Saturday worked for the Spring Festival (调休) is a working day.
    let adjusted = date(2026, 2, 14);
    let event = leave_on(adjusted, cn(2026, 2, 13, 9, 0, 0), LeaveReason::Annual, "").unwrap();
    assert_eq!(
        event.kind,
        DutyEventKind::LeaveRecorded {
            leave: Leave {
                date: adjusted,
                part: DayPart::Morning,
                clerk: Some(A),
                reason: LeaveReason::Annual,
                note: String::new(),
            }
        }
    );
    assert_eq!(event.clerk, None, "nobody on duty at a closed window");
    // Ahead of time, the same day, and up to 3 working days late: Friday 27 February is 3
    // working days before Tuesday 3 March (28 February, a worked Saturday; 2 and 3 March),
    // 26 February is 4.
    assert!(leave_on(date(2026, 3, 20), at, LeaveReason::Personal, "").is_ok());
    assert!(leave_on(date(2026, 3, 2), at, LeaveReason::Personal, "").is_ok());
    let tuesday = cn(2026, 3, 3, 9, 0, 0);
    assert!(leave_on(date(2026, 2, 27), tuesday, LeaveReason::Sick, "").is_ok());
    assert_eq!(
        leave_on(date(2026, 2, 26), tuesday, LeaveReason::Sick, ""),
        Err(AttendanceError::LeaveTooLate {
            date: date(2026, 2, 26)
        })
    );
    assert_eq!(
        leave_on(date(2026, 3, 2), at, LeaveReason::Other, " "),
        Err(AttendanceError::NoteRequired)
    );
    assert!(leave_on(date(2026, 3, 2), at, LeaveReason::Other, "借调区政府").is_ok());
}

#[test]
fn the_desk_offers_what_the_person_may_do_now() {
    use DutyActionKind as K;
    let at = mon(10, 0);
    let closed = WindowDuty::closed(W1);
    let open = duty(DutyState::Open, Some(A));
    let paused = duty(DutyState::Paused, Some(A));
    let away = duty(DutyState::Away, Some(A));
    assert_eq!(allowed_actions(&closed, &clerk(A), at), vec![K::SignOn]);
    assert_eq!(
        allowed_actions(&closed, &manager(), at),
        vec![K::RecordLeave]
    );
    assert_eq!(
        allowed_actions(&open, &clerk(A), at),
        vec![K::Pause, K::MarkAway, K::SignOff]
    );
    assert_eq!(
        allowed_actions(&open, &manager(), at),
        vec![K::Pause, K::MarkAway, K::SignOff, K::RecordLeave]
    );
    assert!(allowed_actions(&open, &clerk(B), at).is_empty());
    assert_eq!(
        allowed_actions(&paused, &clerk(A), at),
        vec![K::Resume, K::MarkAway, K::SignOff]
    );
    assert_eq!(
        allowed_actions(&away, &clerk(A), at),
        vec![K::Resume, K::SignOff]
    );
    assert_eq!(
        allowed_actions(&away, &manager(), at),
        vec![K::SignOff, K::RecordLeave]
    );
    // The next day the window is closed again.
    assert_eq!(
        allowed_actions(&open, &clerk(A), cn(2026, 3, 3, 8, 0, 0)),
        vec![K::SignOn]
    );
}

#[test]
fn names_serde_and_messages() {
    for state in DutyState::ALL {
        assert_eq!(state.as_str().parse::<DutyState>(), Ok(state));
        assert!(!state.name_zh().is_empty());
    }
    for reason in PauseReason::ALL {
        assert_eq!(reason.as_str().parse::<PauseReason>(), Ok(reason));
    }
    for reason in LeaveReason::ALL {
        assert_eq!(reason.as_str().parse::<LeaveReason>(), Ok(reason));
    }
    for kind in DutyActionKind::ALL {
        assert_eq!(kind.as_str().parse::<DutyActionKind>(), Ok(kind));
        assert_eq!(sample(kind).kind(), kind);
    }
    assert!("lunch".parse::<PauseReason>().is_err());

    let action: DutyAction =
        serde_json::from_str(r#"{"action":"pause","reason":"system_failure"}"#).unwrap();
    assert_eq!(
        action,
        DutyAction::Pause {
            reason: PauseReason::SystemFailure,
            note: String::new()
        }
    );
    let leave = sample(DutyActionKind::RecordLeave);
    let json = serde_json::to_string(&leave).unwrap();
    assert!(json.contains(r#""action":"record_leave""#), "{json}");
    assert_eq!(serde_json::from_str::<DutyAction>(&json).unwrap(), leave);

    let event = leave_event_json();
    assert!(event.contains(r#""kind":"leave_recorded""#), "{event}");

    let rules: AttendanceRules = serde_json::from_str("{}").unwrap();
    assert_eq!(rules, AttendanceRules::default());
    let rules: AttendanceRules = serde_json::from_str(r#"{"late_grace_minutes": 0}"#).unwrap();
    assert_eq!(rules.late_grace_minutes, 0);
    assert_eq!(rules.early_grace_minutes, 5);
    assert!(serde_json::from_str::<AttendanceRules>(r#"{"grace": 3}"#).is_err());

    let message = AttendanceError::NotAllowedNow {
        state: DutyState::Away,
        action: DutyActionKind::Pause,
    }
    .to_string();
    assert_eq!(
        message,
        "窗口离岗时不能暂停服务 / cannot pause while the window is away"
    );
}

fn leave_event_json() -> String {
    let e = leave(date(2026, 3, 2), DayPart::WholeDay, Some(A), mon(8, 0));
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<DutyEvent>(&json).unwrap(), e);
    json
}

// ---------------------------------------------------------------------------------------
// A window's day.

#[test]
fn an_ordinary_day_has_seven_office_hours_all_open() {
    let r = record(date(2026, 3, 2), &[on(mon(8, 55), A), off(mon(17, 35), A)]);
    assert_eq!(r.day_kind, DayKind::Working);
    assert_eq!(r.office_minutes, 420, "9:00–12:00 and 13:30–17:30");
    assert_eq!(r.open_minutes, 420);
    assert_eq!(r.closed_minutes, 0);
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert!(r.on_duty);
    assert_eq!(r.opened_on_time, Some(true));
    assert_eq!(r.first_sign_on, Some(mon(8, 55)));
    assert_eq!(r.last_sign_off, Some(mon(17, 35)));
    assert_eq!(r.duty.len(), 1);
    assert_eq!(r.duty[0].clerk, A);
    assert_eq!(r.duty[0].open_minutes, 420);
    assert!(r.duty[0].on_duty);
}

#[test]
fn the_grace_for_opening_is_five_whole_minutes() {
    let day = date(2026, 3, 2);
    let at = |h, m, s| cn(2026, 3, 2, h, m, s);
    // 9:05 on the wall clock, seconds and all, is on time.
    for sign_on in [at(9, 0, 0), at(9, 5, 0), at(9, 5, 59)] {
        let r = record(day, &[on(sign_on, A)]);
        assert!(
            r.irregularities.is_empty(),
            "{sign_on}: {:?}",
            r.irregularities
        );
        assert_eq!(r.opened_on_time, Some(true));
    }
    let r = record(day, &[on(at(9, 6, 0), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::LateOpening {
            minutes: 6,
            clerk: Some(A)
        }]
    );
    assert_eq!(r.opened_on_time, Some(false));
    assert!(r.on_duty);
    assert_eq!(r.open_minutes, 414);
    assert_eq!(r.closed_minutes, 6);

    // No grace at all: one minute is late.
    let strict = AttendanceRules {
        late_grace_minutes: 0,
        ..AttendanceRules::default()
    };
    assert!(
        record_with(day, &[on(at(9, 0, 59), A)], &strict)
            .irregularities
            .is_empty()
    );
    assert_eq!(
        kinds(&record_with(day, &[on(at(9, 1, 0), A)], &strict)),
        vec![IrregularityKind::LateOpening]
    );
}

#[test]
fn a_first_sign_on_after_lunch_is_late_by_the_office_minutes_missed() {
    // The lunch break does not count: the whole morning (180) and 10 minutes.
    let r = record(date(2026, 3, 2), &[on(mon(13, 40), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::LateOpening {
            minutes: 190,
            clerk: Some(A)
        }]
    );
    // During the lunch break: the morning only.
    let r = record(date(2026, 3, 2), &[on(mon(12, 45), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::LateOpening {
            minutes: 180,
            clerk: Some(A)
        }]
    );
}

#[test]
fn the_grace_for_closing_is_five_whole_minutes() {
    let day = date(2026, 3, 2);
    let at = |h, m, s| cn(2026, 3, 2, h, m, s);
    for sign_off in [at(17, 25, 0), at(17, 30, 0), at(18, 10, 0)] {
        let r = record(day, &[on(at(9, 0, 0), A), off(sign_off, A)]);
        assert!(
            r.irregularities.is_empty(),
            "{sign_off}: {:?}",
            r.irregularities
        );
    }
    // 17:24:59 reads 17:24 on the wall clock: 6 minutes early.
    let r = record(day, &[on(at(9, 0, 0), A), off(at(17, 24, 59), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::EarlyLeave {
            minutes: 6,
            clerk: Some(A)
        }]
    );
    // Signed off for lunch and never back: the whole afternoon.
    let r = record(day, &[on(at(9, 0, 0), A), off(at(12, 0, 0), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::EarlyLeave {
            minutes: 240,
            clerk: Some(A)
        }]
    );
    // The hall manager signing the window off leaves it counted against the clerk.
    let by_manager = DutyEvent {
        by: MANAGER,
        ..off(at(16, 0, 0), A)
    };
    let r = record(day, &[on(at(9, 0, 0), A), by_manager]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::EarlyLeave {
            minutes: 90,
            clerk: Some(A)
        }]
    );
    // A window left signed on is not leaving early (the duty lapses at midnight).
    let r = record(day, &[on(at(9, 0, 0), A)]);
    assert!(r.irregularities.is_empty());
    assert_eq!(r.last_sign_off, None);
}

#[test]
fn the_lunch_break_is_no_office_time() {
    let day = date(2026, 3, 2);
    // Signing off for lunch and on again at the afternoon opening: nothing to record.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            off(mon(12, 0), A),
            on(mon(13, 30), A),
            off(mon(17, 30), A),
        ],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.open_minutes, 420);
    // Away from 11:50 to 13:45: 10 minutes before lunch and 15 after, one stretch of 25.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(11, 50), A),
            resume(mon(13, 45), A),
        ],
    );
    assert_eq!(
        r.irregularities,
        vec![Irregularity::ClosedDuringOfficeHours {
            from: mon(11, 50),
            minutes: 25,
            clerk: Some(A)
        }]
    );
    assert_eq!(r.away_minutes, 25);
    // 11:55 to 13:40: 5 and 10, exactly the threshold: no record.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(11, 55), A),
            resume(mon(13, 40), A),
        ],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.away_minutes, 15);
    // Away only during the break: no office minute away.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(12, 10), A),
            resume(mon(13, 20), A),
        ],
    );
    assert_eq!(r.away_minutes, 0);
    assert!(r.irregularities.is_empty());
    // Back 20 minutes late from lunch after signing off: a closed stretch.
    let r = record(
        day,
        &[on(mon(9, 0), A), off(mon(12, 0), A), on(mon(13, 50), A)],
    );
    assert_eq!(
        r.irregularities,
        vec![Irregularity::ClosedDuringOfficeHours {
            from: mon(12, 0),
            minutes: 20,
            clerk: Some(A)
        }]
    );
    assert_eq!(r.closed_minutes, 20);
}

#[test]
fn a_unit_without_a_lunch_break_counts_straight_through() {
    let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let hours = OfficeHours {
        morning_open: hm(8, 30),
        morning_close: hm(12, 0),
        afternoon_open: hm(12, 0),
        afternoon_close: hm(17, 0),
    };
    let cal = calendar().with_office_hours(hours);
    let rules = AttendanceRules::default();
    let r = day_record(
        W1,
        date(2026, 3, 2),
        &[
            on(mon(8, 30), A),
            away(mon(11, 50), A),
            resume(mon(12, 10), A),
        ],
        None,
        &cal,
        &rules,
    );
    assert_eq!(r.office_minutes, 510);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::ClosedDuringOfficeHours {
            from: mon(11, 50),
            minutes: 20,
            clerk: Some(A)
        }]
    );
}

#[test]
fn unattended_stretches_merge_and_pauses_break_them() {
    let day = date(2026, 3, 2);
    // Away 10:00–10:10, then signed off, and on again at 10:20: one stretch of 20.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(10, 0), A),
            off(mon(10, 10), A),
            on(mon(10, 20), B),
        ],
    );
    assert_eq!(
        r.irregularities,
        vec![Irregularity::ClosedDuringOfficeHours {
            from: mon(10, 0),
            minutes: 20,
            clerk: Some(A)
        }]
    );
    assert_eq!(r.away_minutes, 10);
    assert_eq!(r.closed_minutes, 10);
    // Away 10 minutes, a stated pause, away 10 minutes again: two short stretches.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(10, 0), A),
            resume(mon(10, 10), A),
            pause(mon(10, 10), A, PauseReason::Consultation),
            away(mon(10, 20), A),
            resume(mon(10, 30), A),
        ],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.away_minutes, 20);
    assert_eq!(r.paused.consultation, 10);
}

#[test]
fn long_pauses_for_the_clerks_reasons_are_recorded() {
    let day = date(2026, 3, 2);
    let with_pause = |reason, minutes: u32| {
        let start = mon(14, 0);
        record(
            day,
            &[
                on(mon(9, 0), A),
                pause(start, A, reason),
                resume(start + TimeDelta::minutes(minutes.into()), A),
            ],
        )
    };
    for reason in [
        PauseReason::Consultation,
        PauseReason::ShortLeave,
        PauseReason::Other,
    ] {
        assert!(with_pause(reason, 30).irregularities.is_empty());
        let r = with_pause(reason, 31);
        assert_eq!(
            r.irregularities,
            vec![Irregularity::LongPause {
                from: mon(14, 0),
                reason,
                minutes: 31,
                clerk: Some(A)
            }]
        );
        assert_eq!(r.paused.get(reason), 31);
        assert_eq!(r.paused.total(), 31);
    }
    // A training or a system failure may take the afternoon.
    for reason in [PauseReason::Training, PauseReason::SystemFailure] {
        let r = with_pause(reason, 200);
        assert!(r.irregularities.is_empty(), "{reason:?}");
        assert_eq!(r.paused.get(reason), 200);
        assert_eq!(r.open_minutes, 220);
    }
    // A pause across lunch counts its office minutes only: 11:50–13:50 is 30.
    let r = record(
        day,
        &[
            on(mon(9, 0), A),
            pause(mon(11, 50), A, PauseReason::ShortLeave),
            resume(mon(13, 50), A),
        ],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.paused.short_leave, 30);
}

#[test]
fn a_working_day_without_a_sign_on_is_an_unexplained_absence() {
    let r = record(date(2026, 3, 2), &[]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::UnexplainedAbsence { clerk: Some(A) }]
    );
    assert!(!r.on_duty);
    assert_eq!(r.opened_on_time, None);
    assert_eq!(r.closed_minutes, 420);
    // Signing on after the close is no attendance.
    let r = record(date(2026, 3, 2), &[on(mon(17, 30), A), off(mon(17, 40), A)]);
    assert_eq!(kinds(&r), vec![IrregularityKind::UnexplainedAbsence]);
    assert!(!r.on_duty);
    assert_eq!(r.duty.len(), 1);
    assert!(!r.duty[0].on_duty);
    // Without a posted clerk the absence is the window's alone.
    let r = day_record(
        W1,
        date(2026, 3, 2),
        &[],
        None,
        &calendar(),
        &AttendanceRules::default(),
    );
    assert_eq!(
        r.irregularities,
        vec![Irregularity::UnexplainedAbsence { clerk: None }]
    );
}

#[test]
fn leave_excuses_the_part_of_the_day_it_covers() {
    let day = date(2026, 3, 2);
    let recorded = cn(2026, 2, 27, 16, 0, 0);
    // A whole day: nothing to keep, nothing irregular.
    let r = record(day, &[leave(day, DayPart::WholeDay, Some(A), recorded)]);
    assert!(r.irregularities.is_empty());
    assert_eq!(r.excused, Some(DayPart::WholeDay));
    assert_eq!(r.office_minutes, 0);
    assert_eq!(r.opened_on_time, None);
    assert_eq!(r.leaves.len(), 1);
    // A leave for another day, or at another window, excuses nothing here.
    let r = record(
        day,
        &[
            leave(date(2026, 3, 3), DayPart::WholeDay, Some(A), recorded),
            DutyEvent {
                window: W2,
                ..leave(day, DayPart::WholeDay, Some(A), recorded)
            },
        ],
    );
    assert_eq!(kinds(&r), vec![IrregularityKind::UnexplainedAbsence]);
    assert!(r.leaves.is_empty());

    // Morning off: the window opens at 13:30, with the same grace.
    let morning = leave(day, DayPart::Morning, Some(A), recorded);
    let r = record(day, &[morning.clone(), on(mon(13, 35), A)]);
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.office_minutes, 240);
    assert_eq!(r.opened_on_time, Some(true));
    let r = record(day, &[morning.clone(), on(mon(13, 40), A)]);
    assert_eq!(
        r.irregularities,
        vec![Irregularity::LateOpening {
            minutes: 10,
            clerk: Some(A)
        }]
    );
    // Morning off and nobody in the afternoon: still absent.
    let r = record(day, std::slice::from_ref(&morning));
    assert_eq!(kinds(&r), vec![IrregularityKind::UnexplainedAbsence]);

    // Afternoon off: signing off at noon is no early leave.
    let afternoon = leave(day, DayPart::Afternoon, Some(A), recorded);
    let r = record(
        day,
        &[afternoon.clone(), on(mon(9, 0), A), off(mon(12, 0), A)],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    assert_eq!(r.office_minutes, 180);
    assert_eq!(r.excused, Some(DayPart::Afternoon));
    // Morning and afternoon make a whole day.
    let r = record(day, &[morning, afternoon]);
    assert_eq!(r.excused, Some(DayPart::WholeDay));
    assert!(r.irregularities.is_empty());
}

#[test]
fn rest_days_have_no_office_hours_and_no_irregularities() {
    // National Day 2026 (a holiday), and an ordinary Saturday.
    for (day, kind) in [
        (date(2026, 10, 1), DayKind::Holiday),
        (date(2026, 3, 7), DayKind::Weekend),
    ] {
        let r = record(day, &[]);
        assert_eq!(r.day_kind, kind);
        assert!(r.irregularities.is_empty());
        assert_eq!(r.office_minutes, 0);
        // A window opened for a special service on a rest day is recorded, not judged.
        let at = |h, m| cn(day.year(), day.month(), day.day(), h, m, 0);
        let r = record(
            day,
            &[on(at(10, 30), A), away(at(11, 0), A), off(at(11, 5), A)],
        );
        assert!(r.irregularities.is_empty(), "{day}: {:?}", r.irregularities);
        assert_eq!(r.first_sign_on, Some(at(10, 30)));
        assert_eq!(r.open_minutes, 0);
        assert_eq!(r.opened_on_time, None);
    }
}

#[test]
fn an_adjusted_working_weekend_is_judged_like_any_working_day() {
    // Saturday 14 February 2026 is worked for the Spring Festival (调休上班).
    let day = date(2026, 2, 14);
    let r = record(day, &[]);
    assert_eq!(r.day_kind, DayKind::AdjustedWorkingDay);
    assert_eq!(kinds(&r), vec![IrregularityKind::UnexplainedAbsence]);
    let r = record(
        day,
        &[
            on(cn(2026, 2, 14, 9, 20, 0), A),
            off(cn(2026, 2, 14, 17, 30, 0), A),
        ],
    );
    assert_eq!(
        r.irregularities,
        vec![Irregularity::LateOpening {
            minutes: 20,
            clerk: Some(A)
        }]
    );
    // And the Monday after the festival, 23 February, is still a holiday.
    assert_eq!(record(date(2026, 2, 23), &[]).day_kind, DayKind::Holiday);
    assert!(record(date(2026, 2, 23), &[]).irregularities.is_empty());
}

#[test]
fn the_fold_takes_the_windows_events_of_the_day_in_time_order() {
    let day = date(2026, 3, 2);
    let yesterday_on = on(cn(2026, 3, 1, 9, 0, 0), A);
    let other_window = DutyEvent {
        window: W2,
        ..off(mon(10, 0), A)
    };
    // Out of order, with noise: the same as in order.
    let shuffled = [
        off(mon(17, 30), A),
        other_window,
        away(mon(10, 0), A),
        yesterday_on,
        resume(mon(10, 30), A),
        on(mon(9, 0), A),
    ];
    let r = record(day, &shuffled);
    let ordered = record(
        day,
        &[
            on(mon(9, 0), A),
            away(mon(10, 0), A),
            resume(mon(10, 30), A),
            off(mon(17, 30), A),
        ],
    );
    assert_eq!(r, ordered);
    assert_eq!(kinds(&r), vec![IrregularityKind::ClosedDuringOfficeHours]);
    // A window left open overnight starts the next day closed.
    let next = record(date(2026, 3, 3), &[on(mon(9, 0), A)]);
    assert_eq!(kinds(&next), vec![IrregularityKind::UnexplainedAbsence]);
    // An event just after midnight China time (16:xx UTC the day before) is on the new day.
    let early = Utc.with_ymd_and_hms(2026, 3, 2, 16, 30, 0).unwrap();
    let r = record(date(2026, 3, 3), &[on(early, A)]);
    assert_eq!(r.opened_on_time, Some(true));
}

#[test]
fn a_hand_over_at_lunch_shares_the_day_between_the_clerks() {
    let r = record(
        date(2026, 3, 2),
        &[
            on(mon(8, 58), A),
            pause(mon(10, 0), A, PauseReason::Consultation),
            resume(mon(10, 10), A),
            off(mon(12, 0), A),
            on(mon(13, 28), B),
            away(mon(15, 0), B),
            resume(mon(15, 5), B),
            off(mon(17, 30), B),
        ],
    );
    assert!(r.irregularities.is_empty(), "{:?}", r.irregularities);
    let clerks: Vec<StaffId> = r.duty.iter().map(|d| d.clerk).collect();
    assert_eq!(clerks, vec![A, B]);
    assert_eq!(r.duty[0].open_minutes, 170);
    assert_eq!(r.duty[0].paused.consultation, 10);
    assert_eq!(r.duty[1].open_minutes, 235);
    assert_eq!(r.duty[1].away_minutes, 5);
    assert_eq!(r.open_minutes, 405);
    assert_eq!(r.first_sign_on, Some(mon(8, 58)));
    assert_eq!(r.last_sign_off, Some(mon(17, 30)));
}

#[test]
fn a_day_built_through_decide_folds_the_same() {
    let mut events: Vec<DutyEvent> = Vec::new();
    let mut act = |action: DutyAction, who: &Actor, at: DateTime<Utc>| {
        let duty = WindowDuty::replay(W1, &events);
        let event = decide_as(&duty, &action, who, at).unwrap();
        events.push(event);
    };
    act(DutyAction::SignOn, &clerk(A), mon(9, 2));
    act(
        DutyAction::Pause {
            reason: PauseReason::ShortLeave,
            note: String::new(),
        },
        &clerk(A),
        mon(10, 0),
    );
    act(DutyAction::MarkAway, &manager(), mon(10, 20));
    act(DutyAction::Resume, &clerk(A), mon(10, 50));
    act(DutyAction::SignOff, &clerk(A), mon(17, 0));
    let r = record(date(2026, 3, 2), &events);
    assert_eq!(
        r.irregularities,
        vec![
            Irregularity::ClosedDuringOfficeHours {
                from: mon(10, 20),
                minutes: 30,
                clerk: Some(A)
            },
            Irregularity::EarlyLeave {
                minutes: 30,
                clerk: Some(A)
            },
        ]
    );
    assert_eq!(r.paused.short_leave, 20);
    assert_eq!(r.open_minutes, 420 - 2 - 20 - 30 - 30);
}

// ---------------------------------------------------------------------------------------
// The month.

fn feb(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    cn(2026, 2, d, h, mi, 0)
}

/// February 2026 at window 1: clerk A posted, B standing in once.
fn february() -> Vec<DutyEvent> {
    let cal = calendar();
    let mut events = Vec::new();
    let month = Month::new(2026, 2).unwrap();
    for day in month
        .first_day()
        .iter_days()
        .take_while(|d| *d <= month.last_day())
    {
        if !cal.is_working_day(day) {
            continue;
        }
        let d = day.day();
        match d {
            3 => events.extend([on(feb(3, 9, 12), A), off(feb(3, 17, 30), A)]),
            4 => {}
            5 => events.push(leave(day, DayPart::WholeDay, Some(A), feb(4, 10, 0))),
            6 => events.extend([
                on(feb(6, 9, 0), A),
                away(feb(6, 10, 0), A),
                resume(feb(6, 10, 40), A),
                off(feb(6, 17, 30), A),
            ]),
            9 => events.extend([on(feb(9, 9, 0), B), off(feb(9, 16, 0), B)]),
            10 => events.extend([
                on(feb(10, 9, 0), A),
                pause(feb(10, 14, 0), A, PauseReason::ShortLeave),
                resume(feb(10, 14, 45), A),
                off(feb(10, 17, 30), A),
            ]),
            14 => events.extend([on(feb(14, 9, 3), A), off(feb(14, 17, 30), A)]),
            _ => events.extend([on(feb(d, 8, 55), A), off(feb(d, 17, 31), A)]),
        }
    }
    // A special service on Saturday 21 February, in the Spring Festival holiday.
    events.extend([on(feb(21, 10, 0), A), off(feb(21, 11, 0), A)]);
    events
}

#[test]
fn february_2026_has_sixteen_working_days_with_the_festival_and_two_worked_saturdays() {
    let cal = calendar();
    let month = Month::new(2026, 2).unwrap();
    let records = month_records(
        W1,
        month,
        month.last_day(),
        &february(),
        Some(A),
        &cal,
        &AttendanceRules::default(),
    );
    let working = records.iter().filter(|r| r.day_kind.is_working()).count();
    assert_eq!(working, 16);
    // The holiday Saturday with a sign-on is kept, the other rest days are not.
    let rest: Vec<NaiveDate> = records
        .iter()
        .filter(|r| !r.day_kind.is_working())
        .map(|r| r.date)
        .collect();
    assert_eq!(rest, vec![date(2026, 2, 21)]);
}

#[test]
fn a_windows_month_sums_its_days() {
    let cal = calendar();
    let month = Month::new(2026, 2).unwrap();
    let rules = AttendanceRules::default();
    let records = month_records(
        W1,
        month,
        month.last_day(),
        &february(),
        Some(A),
        &cal,
        &rules,
    );
    let m = monthly(
        AttendanceSubject::Window { id: W1 },
        month,
        month.last_day(),
        &records,
        &cal,
    );
    assert_eq!(m.working_days, 16);
    assert!(!m.provisional);
    assert_eq!(m.through, date(2026, 2, 28));
    assert_eq!(m.days_on_duty, 14, "less the absence and the leave");
    assert_eq!(m.days_on_leave, 1);
    assert_eq!(m.on_time_openings, 13);
    assert_eq!(m.late_openings, 1);
    assert_eq!(m.absences, 1);
    assert_eq!(m.early_leaves, 1);
    assert_eq!(m.closed_stretches, 1);
    assert_eq!(m.long_pauses, 1);
    assert_eq!(m.office_minutes, 15 * 420);
    // 420 a day less: 12 late, 420 absent, 40 away, 90 early, 45 paused, 3 on the Saturday.
    assert_eq!(m.open_minutes, 15 * 420 - 12 - 420 - 40 - 90 - 45 - 3);
    assert_eq!(m.paused.short_leave, 45);
    assert_eq!(m.away_minutes, 40);
    assert_eq!(m.closed_minutes, 12 + 420 + 90 + 3);
    assert_eq!(m.open_rate_per_mille, Some(903), "5690 / 6300");
    assert_eq!(m.open_rate_percent(), Some(90.3));

    // Half the month: up to Friday 13 February, 10 working days.
    let half = monthly(
        AttendanceSubject::Window { id: W1 },
        month,
        date(2026, 2, 13),
        &records,
        &cal,
    );
    assert_eq!(half.working_days, 10);
    assert_eq!(half.through, date(2026, 2, 13));
    assert_eq!(half.days_on_duty, 8);
    // Another window has nothing of window 1.
    let other = monthly(
        AttendanceSubject::Window { id: W2 },
        month,
        month.last_day(),
        &records,
        &cal,
    );
    assert_eq!(other.working_days, 16);
    assert_eq!(other.days_on_duty, 0);
    assert_eq!(other.open_rate_per_mille, None);
}

#[test]
fn a_clerks_month_counts_what_is_theirs() {
    let cal = calendar();
    let month = Month::new(2026, 2).unwrap();
    let rules = AttendanceRules::default();
    let records = month_records(
        W1,
        month,
        month.last_day(),
        &february(),
        Some(A),
        &cal,
        &rules,
    );
    let a = monthly(
        AttendanceSubject::Clerk { id: A },
        month,
        month.last_day(),
        &records,
        &cal,
    );
    assert_eq!(a.working_days, 16);
    assert_eq!(
        a.days_on_duty, 13,
        "less the absence, the leave and B's day"
    );
    assert_eq!(a.days_on_leave, 1);
    assert_eq!(a.on_time_openings, 12);
    assert_eq!(a.late_openings, 1);
    assert_eq!(a.absences, 1);
    assert_eq!(a.early_leaves, 0);
    assert_eq!(a.closed_stretches, 1);
    assert_eq!(a.long_pauses, 1);
    assert_eq!(a.open_minutes, 5690 - 330);
    assert_eq!(a.paused.short_leave, 45);
    assert_eq!(a.office_minutes, 5360 + 45 + 40);
    assert_eq!(a.closed_minutes, 0);

    let b = monthly(
        AttendanceSubject::Clerk { id: B },
        month,
        month.last_day(),
        &records,
        &cal,
    );
    assert_eq!(b.days_on_duty, 1);
    assert_eq!(b.on_time_openings, 1);
    assert_eq!(b.early_leaves, 1);
    assert_eq!(b.absences, 0);
    assert_eq!(b.open_minutes, 330);
    assert_eq!(b.open_rate_per_mille, Some(1000));
}

#[test]
fn a_clerk_absent_from_their_window_but_on_duty_at_another_is_not_absent() {
    let cal = calendar();
    let rules = AttendanceRules::default();
    let day = date(2026, 3, 2);
    let at_w2 = [
        DutyEvent {
            window: W2,
            ..on(mon(9, 0), A)
        },
        DutyEvent {
            window: W2,
            ..off(mon(17, 30), A)
        },
    ];
    let records = vec![
        day_record(W1, day, &at_w2, Some(A), &cal, &rules),
        day_record(W2, day, &at_w2, None, &cal, &rules),
    ];
    assert_eq!(
        kinds(&records[0]),
        vec![IrregularityKind::UnexplainedAbsence]
    );
    let month = Month::new(2026, 3).unwrap();
    let a = monthly(
        AttendanceSubject::Clerk { id: A },
        month,
        day,
        &records,
        &cal,
    );
    assert_eq!(a.working_days, 1);
    assert_eq!(a.days_on_duty, 1);
    assert_eq!(a.absences, 0);
    assert_eq!(a.on_time_openings, 1);
    // The window itself was absent all the same.
    let w1 = monthly(
        AttendanceSubject::Window { id: W1 },
        month,
        day,
        &records,
        &cal,
    );
    assert_eq!(w1.absences, 1);
}

#[test]
fn a_month_not_begun_or_without_a_notice() {
    let cal = calendar();
    let month = Month::new(2026, 3).unwrap();
    let m = monthly(
        AttendanceSubject::Window { id: W1 },
        month,
        date(2026, 2, 28),
        &[],
        &cal,
    );
    assert_eq!(m.working_days, 0);
    assert_eq!(m.open_rate_per_mille, None);
    assert!(
        month_records(
            W1,
            month,
            date(2026, 2, 28),
            &[],
            None,
            &cal,
            &AttendanceRules::default()
        )
        .is_empty()
    );
    // 2027 has no State Council notice yet: the working days are provisional.
    let m = monthly(
        AttendanceSubject::Window { id: W1 },
        Month::new(2027, 1).unwrap(),
        date(2027, 1, 31),
        &[],
        &cal,
    );
    assert!(m.provisional);
}

#[test]
fn rates_are_rounded_half_up_per_thousand() {
    assert_eq!(per_mille(0, 0), None);
    assert_eq!(per_mille(0, 7), Some(0));
    assert_eq!(per_mille(2, 3), Some(667));
    assert_eq!(per_mille(1, 3), Some(333));
    assert_eq!(per_mille(1, 2000), Some(1), "0.5 ‰ rounds up");
    assert_eq!(per_mille(7, 7), Some(1000));
    assert_eq!(per_mille(u32::MAX, u32::MAX), Some(1000));
}
