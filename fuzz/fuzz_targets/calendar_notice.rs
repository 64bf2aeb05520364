//! A State Council holiday notice as a TOML data file. A notice that reads must write and
//! read back the same, and a calendar built on it must keep its days off and working days.
#![no_main]

use liandong_domain::calendar::{DayKind, HolidayNotice, NaiveDate, WorkingCalendar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(notice) = HolidayNotice::from_toml(text) else {
        return;
    };
    let written = notice.to_toml();
    match HolidayNotice::from_toml(&written) {
        Ok(again) => assert_eq!(again, notice, "{written}"),
        Err(error) => panic!("the written notice does not read back: {error}\n{written}"),
    }

    let calendar = match WorkingCalendar::new(vec![notice.clone()]) {
        Ok(calendar) => calendar,
        Err(error) => panic!("a valid notice makes no calendar: {error}"),
    };
    for period in &notice.holidays {
        for day in period.days() {
            assert_eq!(calendar.day_kind(day), DayKind::Holiday, "{day}");
        }
        for &day in &period.adjusted_working_days {
            assert_eq!(calendar.day_kind(day), DayKind::AdjustedWorkingDay, "{day}");
            assert!(calendar.is_working_day(day));
        }
    }
    let _ = calendar.working_days_in_year(notice.year);
    if let Some(first) = NaiveDate::from_ymd_opt(notice.year, 1, 1) {
        let _ = calendar.add_working_days(first, 30);
        let _ = calendar.next_working_day(first);
        if let Some(last) = NaiveDate::from_ymd_opt(notice.year, 12, 31) {
            let _ = calendar.working_days_between(first, last);
        }
    }
});
