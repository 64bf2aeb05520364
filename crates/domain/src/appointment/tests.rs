#![allow(clippy::unwrap_used)]

use chrono::{Duration, NaiveTime};

use super::*;
use crate::testing::{china, date};

fn rules() -> AppointmentRules {
    AppointmentRules::default()
}

fn calendar() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn slot(y: i32, mo: u32, d: u32, h: u32, m: u32) -> Slot {
    Slot {
        day: date(y, mo, d),
        start: at(h, m),
    }
}

fn booking(slot: Slot, state: AppointmentState) -> Appointment {
    Appointment {
        group: "A".into(),
        slot,
        phone: "13800000001".into(),
        code: "123456".into(),
        channel: BookingChannel::Online,
        booked_at: slot.starts_at() - Duration::days(2),
        state,
        checked_in_at: None,
        cancelled_at: None,
        ticket: None,
    }
}

#[test]
fn a_slot_starts_at_its_china_time() {
    let s = slot(2026, 4, 30, 9, 30);
    assert_eq!(s.starts_at(), china(2026, 4, 30, 9) + Duration::minutes(30));
    assert_eq!(Slot::at(s.starts_at()), s);
    assert_eq!(s.start_minute(), 570);
    assert_eq!(Slot::from_minute(s.day, 570), Some(s));
    assert_eq!(Slot::from_minute(s.day, 24 * 60), None);
    assert_eq!(s.label(), "09:30");
}

#[test]
fn slots_cover_the_office_sessions_of_today_and_seven_more_working_days() {
    // Thursday 30 April 2026, before opening: the Labour Day holiday (1–5 May) is skipped
    // and Saturday 9 May, an adjusted working day, is offered.
    let offered = slots(&rules(), &calendar(), china(2026, 4, 30, 8));
    let mut days: Vec<NaiveDate> = offered.iter().map(|s| s.day).collect();
    days.dedup();
    assert_eq!(
        days,
        vec![
            date(2026, 4, 30),
            date(2026, 5, 6),
            date(2026, 5, 7),
            date(2026, 5, 8),
            date(2026, 5, 9),
            date(2026, 5, 11),
            date(2026, 5, 12),
            date(2026, 5, 13),
        ]
    );
    // 9:00–12:00 in six slots, 13:30–17:30 in eight.
    let today: Vec<String> = offered
        .iter()
        .filter(|s| s.day == date(2026, 4, 30))
        .map(Slot::label)
        .collect();
    assert_eq!(today.len(), 14);
    assert_eq!(today.first().unwrap(), "09:00");
    assert_eq!(today[5], "11:30");
    assert_eq!(today[6], "13:30");
    assert_eq!(today.last().unwrap(), "17:00");
    assert_eq!(offered.len(), 8 * 14);
}

#[test]
fn a_slot_must_start_far_enough_ahead() {
    // At 10:45 the 11:00 slot is too close (30 minutes' notice); 11:30 is offered.
    let offered = slots(
        &rules(),
        &calendar(),
        china(2026, 4, 30, 10) + Duration::minutes(45),
    );
    let today: Vec<String> = offered
        .iter()
        .filter(|s| s.day == date(2026, 4, 30))
        .map(Slot::label)
        .collect();
    assert_eq!(today.first().unwrap(), "11:30");
    assert_eq!(today.len(), 9);
    // On a holiday nothing is offered that day, only the working days after it.
    let offered = slots(&rules(), &calendar(), china(2026, 5, 2, 10));
    assert_eq!(offered.first().unwrap().day, date(2026, 5, 6));
}

#[test]
fn only_offered_slots_can_be_booked() {
    let now = china(2026, 4, 30, 8);
    let (r, c) = (rules(), calendar());
    assert_eq!(
        check_booking(&r, &c, slot(2026, 5, 6, 9, 30), &[], now),
        Ok(())
    );
    for bad in [
        slot(2026, 5, 1, 9, 30),  // a holiday
        slot(2026, 5, 6, 9, 10),  // off the grid
        slot(2026, 5, 6, 12, 0),  // the lunch break
        slot(2026, 5, 6, 17, 30), // would end after closing
        slot(2026, 5, 14, 9, 0),  // the eighth working day ahead
        slot(2026, 4, 29, 9, 0),  // the past
    ] {
        assert_eq!(
            check_booking(&r, &c, bad, &[], now),
            Err(AppointmentError::NotOffered),
            "{bad:?}"
        );
    }
}

#[test]
fn a_phone_holds_at_most_two_bookings_to_come() {
    let now = china(2026, 4, 30, 8);
    let (r, c) = (rules(), calendar());
    let wanted = slot(2026, 5, 8, 9, 0);
    let mut held = vec![
        booking(slot(2026, 5, 6, 9, 0), AppointmentState::Booked),
        booking(slot(2026, 5, 7, 9, 0), AppointmentState::Booked),
    ];
    assert_eq!(
        check_booking(&r, &c, wanted, &held, now),
        Err(AppointmentError::TooMany(2))
    );
    // Used, cancelled and missed bookings do not count.
    held[1].state = AppointmentState::Cancelled;
    held.push(booking(
        slot(2026, 4, 29, 9, 0),
        AppointmentState::CheckedIn,
    ));
    held.push(booking(slot(2026, 4, 28, 9, 0), AppointmentState::Booked));
    assert_eq!(check_booking(&r, &c, wanted, &held, now), Ok(()));
}

#[test]
fn three_no_shows_in_thirty_days_suspend_booking_for_thirty_days() {
    let (r, c) = (rules(), calendar());
    let now = china(2026, 4, 30, 8);
    let missed = |d: u32| booking(slot(2026, 4, d, 9, 0), AppointmentState::Booked);
    let two = vec![missed(20), missed(27)];
    assert_eq!(suspended_until(&r, &two, now), None);
    let three = vec![missed(20), missed(27), missed(29)];
    assert_eq!(suspended_until(&r, &three, now), Some(date(2026, 5, 29)));
    assert_eq!(
        check_booking(&r, &c, slot(2026, 5, 6, 9, 0), &three, now),
        Err(AppointmentError::Suspended {
            until: date(2026, 5, 29)
        })
    );
    // The suspension ends; no-shows older than thirty days no longer count.
    assert_eq!(suspended_until(&r, &three, china(2026, 5, 29, 8)), None);
    let old = vec![
        booking(slot(2026, 3, 20, 9, 0), AppointmentState::Booked),
        missed(27),
        missed(29),
    ];
    assert_eq!(suspended_until(&r, &old, now), None);
    // A booking still within its check-in window is not a no-show yet.
    let today = booking(slot(2026, 4, 30, 8, 0), AppointmentState::Booked);
    let pending = vec![missed(20), missed(27), today];
    assert_eq!(suspended_until(&r, &pending, china(2026, 4, 30, 8)), None);
}

#[test]
fn check_in_opens_half_an_hour_before_and_closes_a_quarter_after() {
    let r = rules();
    let a = booking(slot(2026, 5, 6, 10, 0), AppointmentState::Booked);
    let ten = china(2026, 5, 6, 10);
    assert_eq!(
        check_in(&r, &a, ten - Duration::minutes(31)),
        Err(AppointmentError::TooEarly {
            opens: "09:30".into()
        })
    );
    assert_eq!(check_in(&r, &a, ten - Duration::minutes(30)), Ok(()));
    assert_eq!(check_in(&r, &a, ten + Duration::minutes(15)), Ok(()));
    assert_eq!(
        check_in(&r, &a, ten + Duration::minutes(16)),
        Err(AppointmentError::TooLate)
    );
    assert_eq!(
        a.standing(&r, ten + Duration::minutes(16)),
        AppointmentStanding::Missed
    );
    assert_eq!(a.standing(&r, ten), AppointmentStanding::Booked);
    // Another day's booking is not found by today's code.
    assert_eq!(
        check_in(&r, &a, china(2026, 5, 7, 10)),
        Err(AppointmentError::UnknownCode)
    );
    let done = booking(a.slot, AppointmentState::CheckedIn);
    assert_eq!(
        check_in(&r, &done, ten),
        Err(AppointmentError::AlreadyCheckedIn)
    );
    assert_eq!(done.standing(&r, ten), AppointmentStanding::CheckedIn);
    let off = booking(a.slot, AppointmentState::Cancelled);
    assert_eq!(check_in(&r, &off, ten), Err(AppointmentError::Cancelled));
}

#[test]
fn a_booking_is_cancelled_until_its_slot_begins() {
    let a = booking(slot(2026, 5, 6, 10, 0), AppointmentState::Booked);
    let ten = china(2026, 5, 6, 10);
    assert_eq!(check_cancel(&a, ten - Duration::minutes(1)), Ok(()));
    assert_eq!(check_cancel(&a, ten), Err(AppointmentError::CancelTooLate));
    let off = booking(a.slot, AppointmentState::Cancelled);
    assert_eq!(check_cancel(&off, ten), Err(AppointmentError::Cancelled));
    let used = booking(a.slot, AppointmentState::CheckedIn);
    assert_eq!(
        check_cancel(&used, ten),
        Err(AppointmentError::AlreadyCheckedIn)
    );
}

#[test]
fn codes_have_six_digits_and_capacity_follows_the_windows() {
    assert_eq!(booking_code(0), "100000");
    assert_eq!(booking_code(899_999), "999999");
    assert_eq!(booking_code(900_000), "100000");
    assert_eq!(booking_code(u32::MAX).len(), 6);
    assert_eq!(rules().capacity(3), 6);
    assert_eq!(rules().capacity(0), 0);
    assert_eq!(
        "checked_in".parse::<AppointmentState>().unwrap(),
        AppointmentState::CheckedIn
    );
    assert_eq!(BookingChannel::Kiosk.as_str(), "kiosk");
}
