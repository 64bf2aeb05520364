//! The statutory holidays of 全国年节及纪念日放假办法 (National Holidays and Memorial Days
//! Regulations), used for a year whose State Council notice is not loaded.
//!
//! The days depend on the revision in force in the year:
//!
//! | years | revision | days |
//! | --- | --- | --- |
//! | 2025– | 2024 (decision of 2024-11-12, in force 2025-01-01) | 13: 元旦; 春节 除夕–初三 (4); 清明; 劳动节 5-1, 5-2; 端午; 中秋; 国庆 10-1–10-3 |
//! | 2014–2024 | 2013 (国务院令第644号) | 11: 元旦; 春节 初一–初三; 清明; 劳动节 5-1; 端午; 中秋; 国庆 10-1–10-3 |
//! | 2008–2013 | 2007 (国务院令第513号) | 11: 元旦; 春节 除夕–初二; 清明; 劳动节 5-1; 端午; 中秋; 国庆 10-1–10-3 |
//! | 2000–2007 | 1999 (国务院令第270号) | 10: 元旦; 春节 初一–初三; 劳动节 5-1–5-3; 国庆 10-1–10-3 |
//!
//! Outside 2000–2099 (the range of the Qingming formula) no statutory day is computed and
//! only weekends are rest days. Lunar dates come from [`super::lunar`].

use chrono::NaiveDate;

use super::lunar;

/// One of the seven festivals of the regulations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Festival {
    NewYear,
    SpringFestival,
    Qingming,
    LabourDay,
    DragonBoat,
    MidAutumn,
    NationalDay,
}

impl Festival {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::NewYear => "元旦",
            Self::SpringFestival => "春节",
            Self::Qingming => "清明节",
            Self::LabourDay => "劳动节",
            Self::DragonBoat => "端午节",
            Self::MidAutumn => "中秋节",
            Self::NationalDay => "国庆节",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::NewYear => "New Year's Day",
            Self::SpringFestival => "Spring Festival",
            Self::Qingming => "Qingming Festival",
            Self::LabourDay => "Labour Day",
            Self::DragonBoat => "Dragon Boat Festival",
            Self::MidAutumn => "Mid-Autumn Festival",
            Self::NationalDay => "National Day",
        }
    }
}

/// A statutory holiday day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryDay {
    pub date: NaiveDate,
    pub festival: Festival,
}

/// First year for which statutory days are computed.
pub const FIRST_YEAR: i32 = 2000;
/// Last year for which statutory days are computed.
pub const LAST_YEAR: i32 = 2099;

/// The statutory holiday days of Gregorian `year` under the revision in force that year,
/// sorted by date; `None` outside 2000–2099.
pub fn statutory_days(year: i32) -> Option<Vec<StatutoryDay>> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let fixed = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    let mut days: Vec<StatutoryDay> = Vec::with_capacity(13);
    let mut push = |date: Option<NaiveDate>, festival: Festival| -> Option<()> {
        days.push(StatutoryDay {
            date: date?,
            festival,
        });
        Some(())
    };

    push(fixed(1, 1), Festival::NewYear)?;

    // Spring Festival: which days, by revision.
    let eve = lunar::new_years_eve(year);
    let first = lunar::to_gregorian(year, 1, 1);
    let second = lunar::to_gregorian(year, 1, 2);
    let third = lunar::to_gregorian(year, 1, 3);
    let spring: Vec<Option<NaiveDate>> = if year >= 2025 {
        vec![eve, first, second, third]
    } else if (2008..=2013).contains(&year) {
        vec![eve, first, second]
    } else {
        vec![first, second, third]
    };
    for date in spring {
        push(date, Festival::SpringFestival)?;
    }

    if year >= 2008 {
        push(lunar::qingming(year), Festival::Qingming)?;
    }

    let labour: &[u32] = if year >= 2025 {
        &[1, 2]
    } else if year >= 2008 {
        &[1]
    } else {
        &[1, 2, 3]
    };
    for &day in labour {
        push(fixed(5, day), Festival::LabourDay)?;
    }

    if year >= 2008 {
        push(lunar::to_gregorian(year, 5, 5), Festival::DragonBoat)?;
        push(lunar::to_gregorian(year, 8, 15), Festival::MidAutumn)?;
    }

    for day in 1..=3 {
        push(fixed(10, day), Festival::NationalDay)?;
    }

    days.sort_by_key(|d| d.date);
    // Mid-Autumn can fall on 1–3 October (1 October in 2001 and 2020): keep one entry per
    // date (the stable sort keeps Mid-Autumn, pushed first).
    days.dedup_by_key(|d| d.date);
    Some(days)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_2024_revision_gives_thirteen_days_from_2025() {
        for year in 2025..=2099 {
            let days = statutory_days(year).unwrap();
            // 13 unless Mid-Autumn falls on 1–3 October.
            let mid_autumn = lunar::to_gregorian(year, 8, 15).unwrap();
            let clash = mid_autumn >= ymd(year, 10, 1) && mid_autumn <= ymd(year, 10, 3);
            assert_eq!(days.len(), if clash { 12 } else { 13 }, "{year}");
        }
    }

    #[test]
    fn statutory_days_of_2027_are_as_the_law_and_the_lunar_table_say() {
        let days: Vec<NaiveDate> = statutory_days(2027)
            .unwrap()
            .iter()
            .map(|d| d.date)
            .collect();
        let expected = vec![
            ymd(2027, 1, 1),
            ymd(2027, 2, 5),
            ymd(2027, 2, 6),
            ymd(2027, 2, 7),
            ymd(2027, 2, 8),
            ymd(2027, 4, 5),
            ymd(2027, 5, 1),
            ymd(2027, 5, 2),
            ymd(2027, 6, 9),
            ymd(2027, 9, 15),
            ymd(2027, 10, 1),
            ymd(2027, 10, 2),
            ymd(2027, 10, 3),
        ];
        assert_eq!(days, expected);
    }

    #[test]
    fn the_2013_revision_gives_first_to_third_day_and_no_eve_in_2024() {
        let days: Vec<NaiveDate> = statutory_days(2024)
            .unwrap()
            .iter()
            .map(|d| d.date)
            .collect();
        assert!(!days.contains(&ymd(2024, 2, 9)));
        assert!(days.contains(&ymd(2024, 2, 10)));
        assert!(days.contains(&ymd(2024, 2, 12)));
        assert!(!days.contains(&ymd(2024, 5, 2)));
        assert_eq!(days.len(), 11);
    }

    #[test]
    fn no_statutory_days_outside_the_supported_range() {
        assert!(statutory_days(1999).is_none());
        assert!(statutory_days(2100).is_none());
    }
}
