#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::{Datelike, TimeZone};
use proptest::prelude::*;

use super::*;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap()
}

/// The tables of rules.md ("The working-day calendar"), copied independently of the data
/// files: (year, [(first day off, last day off, adjusted working days)]), as (month, day).
type Table = (i32, Vec<((u32, u32), (u32, u32), Vec<(u32, u32)>)>);

fn rules_tables() -> Vec<Table> {
    vec![
        (
            2024,
            vec![
                ((1, 1), (1, 1), vec![]),
                ((2, 10), (2, 17), vec![(2, 4), (2, 18)]),
                ((4, 4), (4, 6), vec![(4, 7)]),
                ((5, 1), (5, 5), vec![(4, 28), (5, 11)]),
                ((6, 10), (6, 10), vec![]),
                ((9, 15), (9, 17), vec![(9, 14)]),
                ((10, 1), (10, 7), vec![(9, 29), (10, 12)]),
            ],
        ),
        (
            2025,
            vec![
                ((1, 1), (1, 1), vec![]),
                ((1, 28), (2, 4), vec![(1, 26), (2, 8)]),
                ((4, 4), (4, 6), vec![]),
                ((5, 1), (5, 5), vec![(4, 27)]),
                ((5, 31), (6, 2), vec![]),
                ((10, 1), (10, 8), vec![(9, 28), (10, 11)]),
            ],
        ),
        (
            2026,
            vec![
                ((1, 1), (1, 3), vec![(1, 4)]),
                ((2, 15), (2, 23), vec![(2, 14), (2, 28)]),
                ((4, 4), (4, 6), vec![]),
                ((5, 1), (5, 5), vec![(5, 9)]),
                ((6, 19), (6, 21), vec![]),
                ((9, 25), (9, 27), vec![]),
                ((10, 1), (10, 7), vec![(9, 20), (10, 10)]),
            ],
        ),
    ]
}

fn table_sets(table: &Table) -> (BTreeSet<NaiveDate>, BTreeSet<NaiveDate>) {
    let (year, rows) = table;
    let mut off = BTreeSet::new();
    let mut working = BTreeSet::new();
    for ((fm, fd), (lm, ld), adjusted) in rows {
        let mut day = ymd(*year, *fm, *fd);
        while day <= ymd(*year, *lm, *ld) {
            off.insert(day);
            day = day.succ_opt().unwrap();
        }
        for (m, d) in adjusted {
            working.insert(ymd(*year, *m, *d));
        }
    }
    (off, working)
}

fn notice_2027() -> HolidayNotice {
    HolidayNotice {
        year: 2027,
        title: "国务院办公厅关于2027年部分节假日安排的通知（测试）".into(),
        document_number: None,
        published: ymd(2026, 11, 1),
        holidays: vec![HolidayPeriod {
            name_zh: "春节".into(),
            name_en: "Spring Festival".into(),
            first_day: ymd(2027, 2, 5),
            last_day: ymd(2027, 2, 12),
            adjusted_working_days: vec![ymd(2027, 2, 14)],
        }],
    }
}

// --- shipped data -----------------------------------------------------------------------

#[test]
fn the_shipped_files_parse_and_load() {
    let notices = shipped_notices().unwrap();
    assert_eq!(
        notices.iter().map(|n| n.year).collect::<Vec<_>>(),
        vec![2024, 2025, 2026]
    );
    let calendar = WorkingCalendar::new(notices).unwrap();
    assert_eq!(calendar.notices().count(), 3);
    assert_eq!(WorkingCalendar::shipped().notices().count(), 3);
}

#[test]
fn shipped_data_match_the_tables_of_the_rules() {
    let calendar = WorkingCalendar::shipped();
    for table in rules_tables() {
        let year = table.0;
        let (expected_off, expected_working) = table_sets(&table);
        let notice = calendar.notice(year).unwrap();
        let mut off = BTreeSet::new();
        let mut working = BTreeSet::new();
        for period in &notice.holidays {
            off.extend(period.days());
            working.extend(period.adjusted_working_days.iter().copied());
        }
        assert_eq!(off, expected_off, "days off of {year}");
        assert_eq!(working, expected_working, "adjusted working days of {year}");
        // And day by day through the calendar itself.
        let mut day = ymd(year, 1, 1);
        while day.year() == year {
            let expected = if expected_off.contains(&day) {
                DayKind::Holiday
            } else if expected_working.contains(&day) {
                DayKind::AdjustedWorkingDay
            } else if matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
                DayKind::Weekend
            } else {
                DayKind::Working
            };
            assert_eq!(calendar.day_kind(day), expected, "{day}");
            day = day.succ_opt().unwrap();
        }
    }
}

#[test]
fn shipped_notices_carry_titles_numbers_and_publication_dates() {
    let calendar = WorkingCalendar::shipped();
    let n2024 = calendar.notice(2024).unwrap();
    assert_eq!(n2024.title, "国务院办公厅关于2024年部分节假日安排的通知");
    assert_eq!(
        n2024.document_number.as_deref(),
        Some("国办发明电〔2023〕7号")
    );
    assert_eq!(n2024.published, ymd(2023, 10, 25));
    let n2025 = calendar.notice(2025).unwrap();
    assert_eq!(
        n2025.document_number.as_deref(),
        Some("国办发明电〔2024〕12号")
    );
    assert_eq!(n2025.published, ymd(2024, 11, 12));
    let n2026 = calendar.notice(2026).unwrap();
    assert_eq!(n2026.title, "国务院办公厅关于2026年部分节假日安排的通知");
    assert_eq!(n2026.document_number, None);
    assert_eq!(n2026.published, ymd(2025, 11, 4));
}

#[test]
fn year_2024_has_251_working_days_and_2025_and_2026_have_248_each() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.working_days_in_year(2024),
        Reckoned {
            value: 251,
            provisional: false
        }
    );
    assert_eq!(
        calendar.working_days_in_year(2025),
        Reckoned {
            value: 248,
            provisional: false
        }
    );
    assert_eq!(
        calendar.working_days_in_year(2026),
        Reckoned {
            value: 248,
            provisional: false
        }
    );
}

#[test]
fn every_statutory_day_of_the_fallback_is_a_day_off_in_the_shipped_notices() {
    let calendar = WorkingCalendar::shipped();
    for year in 2024..=2026 {
        let notice = calendar.notice(year).unwrap();
        let days = statutory::statutory_days(year).unwrap();
        assert!(days.len() >= 11);
        for day in days {
            assert!(
                notice.is_day_off(day.date),
                "{year}: statutory {} on {} is not off in the notice",
                day.festival.name_en(),
                day.date
            );
        }
    }
}

// --- counting around holidays -----------------------------------------------------------

#[test]
fn spring_festival_2026_counts_the_adjusted_saturday_then_skips_the_holiday() {
    let calendar = WorkingCalendar::shipped();
    let r = calendar.add_working_days(ymd(2026, 2, 13), 1);
    assert_eq!(
        r,
        Reckoned {
            value: ymd(2026, 2, 14),
            provisional: false
        }
    );
    assert_eq!(
        calendar.day_kind(ymd(2026, 2, 14)),
        DayKind::AdjustedWorkingDay
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 14), 1).value,
        ymd(2026, 2, 24)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 13), 2).value,
        ymd(2026, 2, 24)
    );
    assert_eq!(
        calendar
            .working_days_between(ymd(2026, 2, 13), ymd(2026, 2, 24))
            .value,
        2
    );
    assert_eq!(
        calendar
            .working_days_between(ymd(2026, 2, 14), ymd(2026, 2, 23))
            .value,
        0
    );
    assert_eq!(calendar.day_kind(ymd(2026, 2, 16)), DayKind::Holiday);
    assert_eq!(
        calendar.holiday_name(ymd(2026, 2, 16)),
        Some(("春节".to_owned(), "Spring Festival".to_owned()))
    );
    assert!(calendar.is_working_day(ymd(2026, 2, 28)));
}

#[test]
fn spring_festival_2025_counts_the_adjusted_sunday_and_saturday() {
    let calendar = WorkingCalendar::shipped();
    // Fri 24 Jan → Sun 26 Jan (adjusted) → Mon 27 Jan → Wed 5 Feb.
    assert_eq!(
        calendar.add_working_days(ymd(2025, 1, 24), 1).value,
        ymd(2025, 1, 26)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2025, 1, 24), 2).value,
        ymd(2025, 1, 27)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2025, 1, 24), 3).value,
        ymd(2025, 2, 5)
    );
    assert_eq!(
        calendar.day_kind(ymd(2025, 2, 8)),
        DayKind::AdjustedWorkingDay
    );
    // 26, 27 Jan, 5, 6, 7, 8 Feb.
    assert_eq!(
        calendar
            .working_days_between(ymd(2025, 1, 24), ymd(2025, 2, 9))
            .value,
        6
    );
}

#[test]
fn national_day_2025_skips_eight_days_and_counts_saturday_11_october() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.add_working_days(ymd(2025, 9, 30), 1).value,
        ymd(2025, 10, 9)
    );
    assert!(calendar.is_working_day(ymd(2025, 10, 11)));
    assert_eq!(
        calendar.day_kind(ymd(2025, 10, 11)),
        DayKind::AdjustedWorkingDay
    );
    assert_eq!(calendar.day_kind(ymd(2025, 10, 6)), DayKind::Holiday);
    assert_eq!(
        calendar.holiday_name(ymd(2025, 10, 6)).unwrap().1,
        "National Day and Mid-Autumn Festival"
    );
    // Sun 28 Sep (adjusted), 29, 30 Sep, 9, 10, 11 Oct.
    assert_eq!(
        calendar
            .working_days_between(ymd(2025, 9, 26), ymd(2025, 10, 11))
            .value,
        6
    );
    assert_eq!(
        calendar
            .working_days_between(ymd(2025, 9, 30), ymd(2025, 10, 8))
            .value,
        0
    );
    assert_eq!(
        calendar.next_working_day(ymd(2025, 10, 1)),
        ymd(2025, 10, 9)
    );
}

#[test]
fn national_day_2026_counts_sunday_20_september_and_saturday_10_october() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.add_working_days(ymd(2026, 9, 18), 1).value,
        ymd(2026, 9, 20)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 9, 30), 1).value,
        ymd(2026, 10, 8)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 9, 30), 3).value,
        ymd(2026, 10, 10)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 9, 30), 4).value,
        ymd(2026, 10, 12)
    );
    assert_eq!(
        calendar
            .working_days_between(ymd(2026, 9, 30), ymd(2026, 10, 12))
            .value,
        4
    );
    assert_eq!(calendar.day_kind(ymd(2026, 9, 25)), DayKind::Holiday);
}

#[test]
fn twenty_working_days_from_an_acceptance_before_national_day_2026() {
    let calendar = WorkingCalendar::shipped();
    // Accepted Fri 25 Sep 2026 (a holiday): counts from 28 Sep.
    // 28, 29, 30 Sep; 8, 9, 10, 12–16, 19–23, 26–29 Oct → the 20th is 29 Oct.
    let r = calendar.add_working_days(ymd(2026, 9, 24), 20);
    assert_eq!(
        r,
        Reckoned {
            value: ymd(2026, 10, 29),
            provisional: false
        }
    );
}

#[test]
fn zero_working_days_returns_the_start_and_empty_ranges_count_zero() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 15), 0),
        Reckoned {
            value: ymd(2026, 2, 15),
            provisional: false
        }
    );
    assert_eq!(
        calendar.working_days_between(ymd(2026, 3, 10), ymd(2026, 3, 10)),
        Reckoned {
            value: 0,
            provisional: false
        }
    );
    assert_eq!(
        calendar
            .working_days_between(ymd(2026, 3, 10), ymd(2026, 3, 1))
            .value,
        0
    );
    // from itself never counts.
    assert_eq!(
        calendar
            .working_days_between(ymd(2026, 3, 9), ymd(2026, 3, 10))
            .value,
        1
    );
}

// --- years without a notice -------------------------------------------------------------

#[test]
fn a_2027_date_is_provisional_and_its_spring_festival_is_off() {
    let calendar = WorkingCalendar::shipped();
    assert!(calendar.is_provisional(ymd(2027, 3, 1)));
    assert!(!calendar.is_provisional(ymd(2026, 3, 1)));
    assert!(!calendar.has_notice(2027));
    for d in 5..=8 {
        assert_eq!(
            calendar.day_kind(ymd(2027, 2, d)),
            DayKind::Holiday,
            "2027-02-0{d}"
        );
    }
    assert!(calendar.is_working_day(ymd(2027, 2, 4)));
    assert!(calendar.is_working_day(ymd(2027, 2, 9)));
    assert_eq!(
        calendar.holiday_name(ymd(2027, 2, 5)),
        Some(("春节".to_owned(), "Spring Festival".to_owned()))
    );
    assert_eq!(calendar.holiday_name(ymd(2027, 9, 15)).unwrap().0, "中秋节");
    assert_eq!(calendar.holiday_name(ymd(2027, 3, 1)), None);
    // Fallback: 13 statutory days, on weekdays or not.
    let r = calendar.working_days_in_year(2027);
    assert!(r.provisional);
    let r = calendar.add_working_days(ymd(2027, 2, 4), 1);
    assert_eq!(
        r,
        Reckoned {
            value: ymd(2027, 2, 9),
            provisional: true
        }
    );
}

#[test]
fn a_count_crossing_into_a_year_without_notice_is_provisional() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.add_working_days(ymd(2026, 12, 30), 1),
        Reckoned {
            value: ymd(2026, 12, 31),
            provisional: false
        }
    );
    // 1 Jan 2027 is a Friday (元旦), then a weekend.
    assert_eq!(
        calendar.add_working_days(ymd(2026, 12, 31), 1),
        Reckoned {
            value: ymd(2027, 1, 4),
            provisional: true
        }
    );
    assert!(
        calendar
            .working_days_between(ymd(2026, 12, 1), ymd(2027, 1, 4))
            .provisional
    );
    assert!(
        !calendar
            .working_days_between(ymd(2026, 12, 1), ymd(2026, 12, 31))
            .provisional
    );
}

#[test]
fn loading_a_2027_notice_makes_2027_no_longer_provisional() {
    let mut calendar = WorkingCalendar::shipped();
    calendar.load_notice(notice_2027()).unwrap();
    assert!(calendar.has_notice(2027));
    assert!(!calendar.is_provisional(ymd(2027, 3, 1)));
    assert_eq!(calendar.day_kind(ymd(2027, 2, 12)), DayKind::Holiday);
    assert_eq!(
        calendar.day_kind(ymd(2027, 2, 14)),
        DayKind::AdjustedWorkingDay
    );
    // The notice governs now: 元旦 is not in this (test) notice, so 1 Jan is a working day.
    assert!(calendar.is_working_day(ymd(2027, 1, 1)));
    assert_eq!(
        calendar.add_working_days(ymd(2027, 2, 4), 1),
        Reckoned {
            value: ymd(2027, 2, 14),
            provisional: false
        }
    );
    assert!(!calendar.working_days_in_year(2027).provisional);
    // Replacing the notice of a year is allowed.
    let mut changed = notice_2027();
    changed.holidays[0].last_day = ymd(2027, 2, 11);
    calendar.load_notice(changed).unwrap();
    assert!(calendar.is_working_day(ymd(2027, 2, 12)));
    assert_eq!(calendar.notices().count(), 4);
}

#[test]
fn a_year_outside_the_statutory_tables_counts_weekends_only() {
    let calendar = WorkingCalendar::shipped();
    // 1 October 2150 is a Thursday; 2150 is beyond the tables.
    assert_eq!(calendar.day_kind(ymd(2150, 10, 1)), DayKind::Working);
    assert_eq!(calendar.day_kind(ymd(2150, 10, 3)), DayKind::Weekend);
    assert_eq!(calendar.holiday_name(ymd(2150, 10, 1)), None);
    // 2150: starts on a Thursday, 365 days → 261 weekdays.
    assert_eq!(
        calendar.working_days_in_year(2150),
        Reckoned {
            value: 261,
            provisional: true
        }
    );
}

// --- instants ---------------------------------------------------------------------------

#[test]
fn china_dates_are_utc_plus_eight() {
    assert_eq!(china_offset().local_minus_utc(), 8 * 3600);
    assert_eq!(china_date(utc(2025, 9, 30, 17, 0)), ymd(2025, 10, 1));
    assert_eq!(china_date(utc(2025, 9, 30, 15, 59)), ymd(2025, 9, 30));
}

#[test]
fn an_action_at_one_in_the_morning_of_1_october_2025_counts_on_9_october() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(
        calendar.effective_date(utc(2025, 9, 30, 17, 0)),
        ymd(2025, 10, 9)
    );
}

#[test]
fn an_action_at_four_pm_on_a_working_day_counts_that_day() {
    let calendar = WorkingCalendar::shipped();
    // 16:00 China time on Tue 10 March 2026 = 08:00 UTC.
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 10, 8, 0)),
        ymd(2026, 3, 10)
    );
    // 07:00 China time, before opening, still counts that day.
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 9, 23, 0)),
        ymd(2026, 3, 10)
    );
}

#[test]
fn an_action_at_six_pm_counts_on_the_next_working_day() {
    let calendar = WorkingCalendar::shipped();
    // 18:00 China time on Tue 10 March 2026 = 10:00 UTC.
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 10, 10, 0)),
        ymd(2026, 3, 11)
    );
    // Exactly at the close is after hours.
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 10, 9, 30)),
        ymd(2026, 3, 11)
    );
    // Friday evening counts on Monday; Friday 13 Feb 2026 evening on Saturday 14 (adjusted).
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 13, 10, 0)),
        ymd(2026, 3, 16)
    );
    assert_eq!(
        calendar.effective_date(utc(2026, 2, 13, 10, 0)),
        ymd(2026, 2, 14)
    );
}

#[test]
fn a_limit_ends_at_half_past_five_china_time_which_is_half_past_nine_utc() {
    let calendar = WorkingCalendar::shipped();
    assert_eq!(calendar.close_of(ymd(2026, 3, 10)), utc(2026, 3, 10, 9, 30));
    let hours = OfficeHours {
        afternoon_close: chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        ..OfficeHours::default()
    };
    let calendar = calendar.with_office_hours(hours);
    assert_eq!(calendar.office_hours(), hours);
    assert_eq!(calendar.close_of(ymd(2026, 3, 10)), utc(2026, 3, 10, 10, 0));
    // 17:45 China time now counts the same day.
    assert_eq!(
        calendar.effective_date(utc(2026, 3, 10, 9, 45)),
        ymd(2026, 3, 10)
    );
}

// --- notices ----------------------------------------------------------------------------

#[test]
fn a_notice_survives_a_toml_round_trip() {
    let calendar = WorkingCalendar::shipped();
    for notice in calendar.notices() {
        let text = notice.to_toml();
        assert_eq!(&HolidayNotice::from_toml(&text).unwrap(), notice, "{text}");
    }
    let mut odd = notice_2027();
    odd.title = "标题 \"quoted\" \\ back\tslash\nnew line".into();
    odd.document_number = Some("国办发明电〔2026〕1号".into());
    assert_eq!(HolidayNotice::from_toml(&odd.to_toml()).unwrap(), odd);
}

#[test]
fn a_notice_survives_a_json_round_trip() {
    let notice = notice_2027();
    let json = serde_json::to_string(&notice).unwrap();
    assert_eq!(
        serde_json::from_str::<HolidayNotice>(&json).unwrap(),
        notice
    );
}

#[test]
fn dates_may_be_quoted_strings_in_a_notice_file() {
    let text = r#"
year = 2027
title = "test"
published = "2026-11-01"

[[holidays]]
name_zh = "元旦"
name_en = "New Year's Day"
first_day = "2027-01-01"
last_day = 2027-01-01
"#;
    let notice = HolidayNotice::from_toml(text).unwrap();
    assert_eq!(notice.published, ymd(2026, 11, 1));
    assert_eq!(notice.holidays[0].first_day, ymd(2027, 1, 1));
    assert!(notice.holidays[0].adjusted_working_days.is_empty());
}

#[test]
fn malformed_notice_files_are_parse_errors() {
    for text in [
        "year = ",
        "year = 2027\ntitle = \"t\"\npublished = 2026-11-01\nunknown = 1\n",
        "year = 2027\ntitle = \"t\"\npublished = 2026-13-01\n",
        "year = 2027\ntitle = \"t\"\npublished = \"yesterday\"\n",
        "year = 2027\ntitle = \"t\"\npublished = 2026-11-01T10:00:00\n",
        "year = 99999999999\ntitle = \"t\"\npublished = 2026-11-01\n",
        "title = \"t\"\npublished = 2026-11-01\n",
    ] {
        assert!(
            matches!(HolidayNotice::from_toml(text), Err(CalendarError::Parse(_))),
            "{text}"
        );
    }
}

#[test]
fn validate_rejects_a_monday_as_adjusted_working_day() {
    let mut notice = notice_2027();
    notice.holidays[0].adjusted_working_days = vec![ymd(2027, 2, 15)]; // a Monday
    let error = notice.validate().unwrap_err();
    let CalendarError::InvalidNotice(message) = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("不是星期六或星期日"), "{message}");
    assert!(message.contains("not a Saturday or Sunday"), "{message}");
    // from_toml validates too.
    assert!(matches!(
        HolidayNotice::from_toml(&notice.to_toml()),
        Err(CalendarError::InvalidNotice(_))
    ));
}

#[test]
fn validate_rejects_a_day_both_off_and_working() {
    let mut notice = notice_2027();
    notice.holidays[0].adjusted_working_days = vec![ymd(2027, 2, 6)]; // a Saturday, off
    let error = notice.validate().unwrap_err();
    let CalendarError::InvalidNotice(message) = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("既是放假日又是调休上班日"), "{message}");
    assert!(
        message.contains("both a day off and an adjusted working day"),
        "{message}"
    );
}

#[test]
fn validate_rejects_inconsistent_periods() {
    let base = notice_2027();
    let mut overlapping = base.clone();
    overlapping.holidays.push(HolidayPeriod {
        name_zh: "重叠".into(),
        name_en: "Overlap".into(),
        first_day: ymd(2027, 2, 12),
        last_day: ymd(2027, 2, 13),
        adjusted_working_days: vec![],
    });
    let mut reversed = base.clone();
    reversed.holidays[0].first_day = ymd(2027, 2, 13);
    let mut other_year = base.clone();
    other_year.holidays[0].last_day = ymd(2028, 1, 1);
    let mut far_adjusted = base.clone();
    far_adjusted.holidays[0].adjusted_working_days = vec![ymd(2029, 1, 6)];
    let mut unnamed = base.clone();
    unnamed.holidays[0].name_zh = " ".into();
    let mut twice = base.clone();
    twice.holidays[0].adjusted_working_days = vec![ymd(2027, 2, 14), ymd(2027, 2, 14)];
    let mut late = base.clone();
    late.published = ymd(2028, 1, 1);
    let mut absurd = base.clone();
    absurd.year = 1800;
    for notice in [
        overlapping,
        reversed,
        other_year,
        far_adjusted,
        unnamed,
        twice,
        late,
        absurd,
    ] {
        assert!(
            matches!(notice.validate(), Err(CalendarError::InvalidNotice(_))),
            "{notice:?}"
        );
    }
    // An adjusted working day in the year before is accepted (year ± 1).
    let mut before = base;
    before.holidays[0].adjusted_working_days = vec![ymd(2026, 12, 27)];
    assert_eq!(before.validate(), Ok(()));
}

#[test]
fn a_calendar_rejects_two_notices_for_one_year() {
    let notices = vec![notice_2027(), notice_2027()];
    assert_eq!(
        WorkingCalendar::new(notices).unwrap_err(),
        CalendarError::DuplicateYear(2027)
    );
    assert!(
        CalendarError::DuplicateYear(2027)
            .to_string()
            .contains("2027")
    );
}

#[test]
fn a_notice_may_not_declare_working_a_day_off_of_another_notice() {
    let mut calendar = WorkingCalendar::shipped();
    let mut notice = notice_2027();
    // 2026-01-03 (Saturday) is off in the 2026 notice.
    notice.holidays[0].adjusted_working_days = vec![ymd(2026, 1, 3)];
    assert!(matches!(
        calendar.load_notice(notice),
        Err(CalendarError::InvalidNotice(_))
    ));
    assert!(!calendar.has_notice(2027));
    // A neighbouring notice's adjusted working day counts in a year without notice.
    let mut notice = notice_2027();
    notice.holidays[0].adjusted_working_days = vec![ymd(2026, 12, 27)];
    calendar.load_notice(notice).unwrap();
    assert_eq!(
        calendar.day_kind(ymd(2026, 12, 27)),
        DayKind::AdjustedWorkingDay
    );
}

#[test]
fn a_calendar_without_notices_still_counts_weekends_and_statutory_days() {
    let calendar = WorkingCalendar::new(Vec::new()).unwrap();
    assert_eq!(calendar.notices().count(), 0);
    // 2026 under the 2024 revision: Lunar New Year's Eve, Mon 16 Feb 2026, is off.
    assert_eq!(calendar.day_kind(ymd(2026, 2, 16)), DayKind::Holiday);
    assert_eq!(calendar.day_kind(ymd(2026, 2, 14)), DayKind::Weekend);
    let r = calendar.working_days_in_year(2026);
    assert!(r.provisional);
    // 261 weekdays in 2026, less the 10 statutory days that fall on weekdays: 1 Jan (Thu),
    // 16–19 Feb (Mon–Thu), 1 May (Fri), 19 Jun (Fri), 25 Sep (Fri), 1–2 Oct (Thu–Fri);
    // 5 Apr, 2 May and 3 Oct fall on weekends.
    assert_eq!(r.value, 261 - 10);
}

#[test]
fn day_kinds_serialise_in_snake_case() {
    assert_eq!(
        serde_json::to_string(&DayKind::AdjustedWorkingDay).unwrap(),
        "\"adjusted_working_day\""
    );
    let r = Reckoned {
        value: ymd(2027, 1, 4),
        provisional: true,
    };
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        r#"{"value":"2027-01-04","provisional":true}"#
    );
}

#[test]
fn huge_counts_saturate_instead_of_looping_forever() {
    let calendar = WorkingCalendar::shipped();
    let r = calendar.add_working_days(ymd(2026, 1, 1), u32::MAX);
    assert!(r.provisional);
    assert!(
        r.value.year() >= 2120 && r.value.year() <= 2130,
        "{}",
        r.value
    );
    let r = calendar.working_days_between(NaiveDate::MIN, NaiveDate::MAX);
    assert!(r.provisional);
    assert!(r.value > 20_000);
    // Near the end of chrono's range nothing panics.
    let r = calendar.add_working_days(NaiveDate::MAX, 5);
    assert_eq!(r.value, NaiveDate::MAX);
    assert!(r.provisional);
    let _ = calendar.effective_date(DateTime::<Utc>::MAX_UTC);
    let _ = calendar.close_of(NaiveDate::MAX);
    let _ = calendar.close_of(NaiveDate::MIN);
    let _ = china_date(DateTime::<Utc>::MIN_UTC);
    let _ = calendar.working_days_in_year(NaiveDate::MAX.year() + 1);
}

#[test]
fn four_thousand_working_days_are_quick() {
    let calendar = WorkingCalendar::shipped();
    let r = calendar.add_working_days(ymd(2024, 1, 1), 4000);
    assert!(r.provisional);
    assert_eq!(
        calendar
            .working_days_between(ymd(2024, 1, 1), r.value)
            .value,
        4000
    );
}

proptest! {
    #[test]
    fn counting_back_the_days_added_gives_n(offset in 0u64..(5 * 366), n in 0u32..400) {
        let calendar = WorkingCalendar::shipped();
        let from = ymd(2024, 1, 1) + chrono::Days::new(offset);
        let end = calendar.add_working_days(from, n);
        prop_assert_eq!(calendar.working_days_between(from, end.value).value, n);
        if n > 0 {
            prop_assert!(calendar.is_working_day(end.value));
            prop_assert!(end.value > from);
        }
        // Notices are loaded for 2024–2026 only.
        prop_assert_eq!(end.provisional, n > 0 && end.value.year() > 2026);
    }
}

#[test]
fn a_china_day_starts_at_midnight_utc_plus_8() {
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let start = china_day_start(day);
    assert_eq!(start.to_rfc3339(), "2026-03-01T16:00:00+00:00");
    assert_eq!(china_date(start), day);
    assert_eq!(
        china_date(start - chrono::Duration::seconds(1)),
        day.pred_opt().unwrap()
    );
}
