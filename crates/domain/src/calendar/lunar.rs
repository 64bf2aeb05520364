//! The Chinese lunisolar calendar (农历), just enough to place the statutory holidays of a
//! year for which no State Council notice is loaded yet.
//!
//! The conversion uses the well-known compact year table (`lunarInfo`, 1900–2100) found in
//! many calendar libraries, in its widely used corrected form with the 2050–2100
//! extension; the tests check it against the published festival dates of 2024–2030. One
//! word per lunar year:
//!
//! * bits 0–3: the leap month (1–12), 0 when the year has none;
//! * bits 4–15: months 12 down to 1, a set bit meaning a long month (30 days), clear 29;
//! * bit 16: the length of the leap month (set: 30 days, clear: 29).
//!
//! Lunar year 1900 starts on Gregorian 1900-01-31. Leap months are never needed for the
//! statutory holidays (端午 and 中秋 are in the ordinary month, which comes before its leap
//! month), so the conversion only addresses ordinary months.
//!
//! The Qingming solar term (清明) comes from the "general formula" for 2000–2099:
//! `day = floor(Y × 0.2422 + 4.81) − floor(Y / 4)` in April, `Y` = year mod 100.

use chrono::{Days, NaiveDate};

/// First lunar year covered by the table.
pub const FIRST_YEAR: i32 = 1900;
/// Last lunar year covered by the table.
pub const LAST_YEAR: i32 = 2100;

/// The compact lunar year table, 1900–2100 (201 entries).
#[rustfmt::skip]
const LUNAR_INFO: [u32; 201] = [
    0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2, // 1900
    0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977, // 1910
    0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970, // 1920
    0x06566, 0x0d4a0, 0x0ea50, 0x16a95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950, // 1930
    0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557, // 1940
    0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950, 0x06aa0, // 1950
    0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0, // 1960
    0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0, 0x195a6, // 1970
    0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570, // 1980
    0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0, // 1990
    0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5, // 2000
    0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930, // 2010
    0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530, // 2020
    0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45, // 2030
    0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0, // 2040
    0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06b20, 0x1a6c4, 0x0aae0, // 2050
    0x0a2e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4, // 2060
    0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0, // 2070
    0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160, // 2080
    0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a2d0, 0x0d150, 0x0f252, // 2090
    0x0d520, // 2100
];

/// A date of the lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LunarDate {
    pub year: i32,
    /// 1–12.
    pub month: u32,
    /// 1–30.
    pub day: u32,
    /// True in the leap (intercalary) month that follows month `month`.
    pub leap: bool,
}

fn info(year: i32) -> Option<u32> {
    let index = usize::try_from(year.checked_sub(FIRST_YEAR)?).ok()?;
    LUNAR_INFO.get(index).copied()
}

/// The leap month of a lunar year (1–12), `Some(0)` when it has none, `None` out of range.
pub fn leap_month(year: i32) -> Option<u32> {
    info(year).map(|word| word & 0xf)
}

fn leap_days_of(word: u32) -> u32 {
    if word & 0xf == 0 {
        0
    } else if word & 0x10000 != 0 {
        30
    } else {
        29
    }
}

fn month_days_of(word: u32, month: u32) -> u32 {
    if word & (0x10000 >> month) != 0 {
        30
    } else {
        29
    }
}

fn year_days_of(word: u32) -> u32 {
    (1..=12)
        .map(|month| month_days_of(word, month))
        .sum::<u32>()
        + leap_days_of(word)
}

/// Days in an ordinary month (29 or 30); `None` out of range.
pub fn month_days(year: i32, month: u32) -> Option<u32> {
    if !(1..=12).contains(&month) {
        return None;
    }
    info(year).map(|word| month_days_of(word, month))
}

/// Days in a lunar year (353–385); `None` out of range.
pub fn year_days(year: i32) -> Option<u32> {
    info(year).map(year_days_of)
}

fn epoch() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1900, 1, 31)
}

/// Days from lunar 1900-01-01 to the first day of lunar `year`.
fn days_before_year(year: i32) -> Option<u64> {
    info(year)?;
    let mut total = 0u64;
    for y in FIRST_YEAR..year {
        total += u64::from(year_days(y)?);
    }
    Some(total)
}

/// The Gregorian date of lunar new year (正月初一) of lunar `year`.
pub fn new_year(year: i32) -> Option<NaiveDate> {
    epoch()?.checked_add_days(Days::new(days_before_year(year)?))
}

/// Lunar New Year's Eve (除夕) that precedes lunar `year`: the last day of the 12th month
/// of the year before (the 29th or the 30th). It always falls in Gregorian `year`.
pub fn new_years_eve(year: i32) -> Option<NaiveDate> {
    new_year(year)?.pred_opt()
}

/// The Gregorian date of an ordinary (non-leap) lunar month's day.
pub fn to_gregorian(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let word = info(year)?;
    if !(1..=12).contains(&month) || day == 0 || day > month_days_of(word, month) {
        return None;
    }
    let leap = word & 0xf;
    let mut offset = u64::from(day - 1);
    for m in 1..month {
        offset += u64::from(month_days_of(word, m));
        if m == leap {
            offset += u64::from(leap_days_of(word));
        }
    }
    new_year(year)?.checked_add_days(Days::new(offset))
}

/// The lunar date of a Gregorian date, for dates from 1900-01-31 to the end of lunar 2100.
pub fn from_gregorian(date: NaiveDate) -> Option<LunarDate> {
    let mut offset = u64::try_from((date - epoch()?).num_days()).ok()?;
    let mut year = FIRST_YEAR;
    loop {
        let days = u64::from(year_days(year)?);
        if offset < days {
            break;
        }
        offset -= days;
        year += 1;
    }
    let word = info(year)?;
    let leap = word & 0xf;
    for month in 1..=12 {
        let days = u64::from(month_days_of(word, month));
        if offset < days {
            let day = u32::try_from(offset + 1).ok()?;
            return Some(LunarDate {
                year,
                month,
                day,
                leap: false,
            });
        }
        offset -= days;
        if month == leap {
            let days = u64::from(leap_days_of(word));
            if offset < days {
                let day = u32::try_from(offset + 1).ok()?;
                return Some(LunarDate {
                    year,
                    month,
                    day,
                    leap: true,
                });
            }
            offset -= days;
        }
    }
    None
}

/// First Gregorian year for which [`qingming`] is defined.
pub const QINGMING_FIRST_YEAR: i32 = 2000;
/// Last Gregorian year for which [`qingming`] is defined.
pub const QINGMING_LAST_YEAR: i32 = 2099;

/// The date of the Qingming solar term (清明) in April of `year`, 2000–2099.
pub fn qingming(year: i32) -> Option<NaiveDate> {
    if !(QINGMING_FIRST_YEAR..=QINGMING_LAST_YEAR).contains(&year) {
        return None;
    }
    let y = year % 100;
    // floor(Y * 0.2422 + 4.81) in integer arithmetic: (Y * 2422 + 48100) / 10000.
    let day = (y * 2422 + 48_100) / 10_000 - y / 4;
    NaiveDate::from_ymd_opt(year, 4, u32::try_from(day).ok()?)
}

/// True when `date` falls in the lunar table's range (used by tests and callers that want
/// to know whether a fallback is available).
pub fn in_range(year: i32) -> bool {
    info(year).is_some()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Datelike;

    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn spring_festival_falls_on_the_published_dates() {
        for (year, m, d) in [
            (2024, 2, 10),
            (2025, 1, 29),
            (2026, 2, 17),
            (2027, 2, 6),
            (2028, 1, 26),
            (2030, 2, 3),
        ] {
            assert_eq!(
                new_year(year),
                Some(ymd(year, m, d)),
                "lunar new year {year}"
            );
            assert_eq!(to_gregorian(year, 1, 1), Some(ymd(year, m, d)));
        }
    }

    #[test]
    fn dragon_boat_festival_falls_on_the_published_dates() {
        for (year, m, d) in [(2024, 6, 10), (2025, 5, 31), (2026, 6, 19), (2027, 6, 9)] {
            assert_eq!(
                to_gregorian(year, 5, 5),
                Some(ymd(year, m, d)),
                "端午 {year}"
            );
        }
    }

    #[test]
    fn mid_autumn_festival_falls_on_the_published_dates() {
        for (year, m, d) in [(2024, 9, 17), (2025, 10, 6), (2026, 9, 25), (2027, 9, 15)] {
            assert_eq!(
                to_gregorian(year, 8, 15),
                Some(ymd(year, m, d)),
                "中秋 {year}"
            );
        }
    }

    #[test]
    fn lunar_new_years_eve_is_the_day_before_spring_festival_even_on_the_29th() {
        assert_eq!(new_years_eve(2026), Some(ymd(2026, 2, 16)));
        assert_eq!(new_years_eve(2027), Some(ymd(2027, 2, 5)));
        assert_eq!(new_years_eve(2025), Some(ymd(2025, 1, 28)));
        // 2025's eve is the 29th of the 12th month of lunar 2024 (a short month).
        assert_eq!(
            from_gregorian(ymd(2025, 1, 28)),
            Some(LunarDate {
                year: 2024,
                month: 12,
                day: 29,
                leap: false
            })
        );
    }

    #[test]
    fn qingming_formula_gives_the_known_dates() {
        for (year, d) in [
            (2024, 4),
            (2025, 4),
            (2026, 5),
            (2027, 5),
            (2028, 4),
            (2019, 5),
            (2020, 4),
        ] {
            assert_eq!(qingming(year), Some(ymd(year, 4, d)), "清明 {year}");
        }
        assert_eq!(qingming(1999), None);
        assert_eq!(qingming(2100), None);
    }

    #[test]
    fn conversion_round_trips_for_every_day_of_the_table() {
        let mut date = ymd(1900, 1, 31);
        let end = ymd(2100, 12, 31);
        while date <= end {
            let lunar = from_gregorian(date).unwrap();
            if !lunar.leap {
                assert_eq!(to_gregorian(lunar.year, lunar.month, lunar.day), Some(date));
            }
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn lunar_years_have_plausible_lengths_and_new_years() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = year_days(year).unwrap();
            assert!((353..=385).contains(&days), "{year}: {days}");
            let ny = new_year(year).unwrap();
            assert_eq!(ny.year(), year);
            assert!(
                ny >= ymd(year, 1, 21) && ny <= ymd(year, 2, 20),
                "{year}: {ny}"
            );
        }
    }

    #[test]
    fn out_of_range_years_give_none() {
        assert_eq!(new_year(1899), None);
        assert_eq!(new_year(2101), None);
        assert_eq!(to_gregorian(2026, 13, 1), None);
        assert_eq!(to_gregorian(2026, 1, 31), None);
        assert_eq!(to_gregorian(2026, 0, 1), None);
        assert_eq!(from_gregorian(ymd(1899, 12, 31)), None);
        assert!(!in_range(2101));
    }
}
