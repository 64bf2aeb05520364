//! The State Council General Office's yearly holiday notice (国务院办公厅关于某年部分节假日安排的
//! 通知), its data-file format (TOML, see `data/calendar/README.md`) and its consistency rules.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// Earliest year a notice may be for.
pub const FIRST_NOTICE_YEAR: i32 = 1949;
/// Latest year a notice may be for.
pub const LAST_NOTICE_YEAR: i32 = 2199;

/// One year's holiday arrangements as published by the State Council General Office.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayNotice {
    pub year: i32,
    /// e.g. 国务院办公厅关于2026年部分节假日安排的通知
    pub title: String,
    /// e.g. 国办发明电〔2024〕12号
    pub document_number: Option<String>,
    pub published: NaiveDate,
    pub holidays: Vec<HolidayPeriod>,
}

/// One holiday of a notice: its days off and the weekend days declared working days.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayPeriod {
    pub name_zh: String,
    pub name_en: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub adjusted_working_days: Vec<NaiveDate>,
}

impl HolidayPeriod {
    /// The days off, first to last, inclusive (empty when `first_day > last_day`).
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first_day
            .iter_days()
            .take_while(move |day| *day <= self.last_day)
    }

    /// Number of days off.
    pub fn len_days(&self) -> u32 {
        u32::try_from((self.last_day - self.first_day).num_days() + 1).unwrap_or(0)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}

// ---------------------------------------------------------------------------------------
// TOML

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    year: i64,
    title: String,
    #[serde(default)]
    document_number: Option<String>,
    published: toml::Value,
    #[serde(default)]
    holidays: Vec<RawPeriod>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    name_zh: String,
    name_en: String,
    first_day: toml::Value,
    last_day: toml::Value,
    #[serde(default)]
    adjusted_working_days: Vec<toml::Value>,
}

fn parse_error(message: String) -> CalendarError {
    CalendarError::Parse(message)
}

/// A TOML local date (`2026-01-01`) or a string holding one (`"2026-01-01"`).
fn date_value(value: &toml::Value, field: &str) -> Result<NaiveDate, CalendarError> {
    let bad = || {
        parse_error(format!(
            "{field} 应为日期，如 2026-01-01 / {field} must be a date such as 2026-01-01, found {value}"
        ))
    };
    match value {
        toml::Value::Datetime(datetime) => {
            let (Some(date), None, None) = (datetime.date, datetime.time, datetime.offset) else {
                return Err(bad());
            };
            NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .ok_or_else(bad)
        }
        toml::Value::String(text) => {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Escapes a string as a TOML basic string, quotes included.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A date as a TOML local date, or as a string for years TOML cannot write.
fn toml_date(date: NaiveDate) -> String {
    if (0..=9999).contains(&date.year()) {
        date.format("%Y-%m-%d").to_string()
    } else {
        toml_string(&date.to_string())
    }
}

fn bilingual(zh: String, en: String) -> CalendarError {
    CalendarError::InvalidNotice(format!("{zh} / {en}"))
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl HolidayNotice {
    /// Parses one notice from TOML text (the data-file format, documented in
    /// `data/calendar/README.md`) and validates it.
    pub fn from_toml(text: &str) -> Result<HolidayNotice, CalendarError> {
        let raw: RawNotice = toml::from_str(text)
            .map_err(|error| parse_error(error.to_string().trim().to_owned()))?;
        let year = i32::try_from(raw.year)
            .map_err(|_| parse_error(format!("年份超出范围 / year out of range: {}", raw.year)))?;
        let mut holidays = Vec::with_capacity(raw.holidays.len());
        for (index, period) in raw.holidays.into_iter().enumerate() {
            let at = |field: &str| format!("holidays[{index}].{field}");
            let adjusted_working_days = period
                .adjusted_working_days
                .iter()
                .map(|value| date_value(value, &at("adjusted_working_days")))
                .collect::<Result<Vec<_>, _>>()?;
            holidays.push(HolidayPeriod {
                first_day: date_value(&period.first_day, &at("first_day"))?,
                last_day: date_value(&period.last_day, &at("last_day"))?,
                name_zh: period.name_zh,
                name_en: period.name_en,
                adjusted_working_days,
            });
        }
        let notice = HolidayNotice {
            year,
            title: raw.title,
            document_number: raw.document_number,
            published: date_value(&raw.published, "published")?,
            holidays,
        };
        notice.validate()?;
        Ok(notice)
    }

    /// Writes the notice in the data-file format; [`HolidayNotice::from_toml`] reads it back.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "year = {}", self.year);
        let _ = writeln!(out, "title = {}", toml_string(&self.title));
        if let Some(number) = &self.document_number {
            let _ = writeln!(out, "document_number = {}", toml_string(number));
        }
        let _ = writeln!(out, "published = {}", toml_date(self.published));
        for period in &self.holidays {
            out.push_str("\n[[holidays]]\n");
            let _ = writeln!(out, "name_zh = {}", toml_string(&period.name_zh));
            let _ = writeln!(out, "name_en = {}", toml_string(&period.name_en));
            let _ = writeln!(out, "first_day = {}", toml_date(period.first_day));
            let _ = writeln!(out, "last_day = {}", toml_date(period.last_day));
            let days: Vec<String> = period
                .adjusted_working_days
                .iter()
                .map(|day| toml_date(*day))
                .collect();
            let _ = writeln!(out, "adjusted_working_days = [{}]", days.join(", "));
        }
        out
    }

    /// Checks consistency: the year is plausible; every day off lies inside `year`;
    /// adjusted working days lie within `year` ± 1 and are Saturdays or Sundays; each period
    /// has `first_day <= last_day` and names; no day is both off and working; no day is
    /// listed twice; periods do not overlap. The message is in Chinese and English.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let year = self.year;
        if !(FIRST_NOTICE_YEAR..=LAST_NOTICE_YEAR).contains(&year) {
            return Err(bilingual(
                format!("年份 {year} 不在 {FIRST_NOTICE_YEAR}–{LAST_NOTICE_YEAR} 之内"),
                format!("year {year} is not within {FIRST_NOTICE_YEAR}–{LAST_NOTICE_YEAR}"),
            ));
        }
        if self.title.trim().is_empty() {
            return Err(bilingual(
                "通知标题为空".into(),
                "the notice has no title".into(),
            ));
        }
        if let Some(number) = &self.document_number
            && number.trim().is_empty()
        {
            return Err(bilingual(
                "文号为空".into(),
                "the document number is empty".into(),
            ));
        }
        if self.published.year() > year {
            return Err(bilingual(
                format!("发布日期 {} 晚于 {year} 年", self.published),
                format!("published {} is after the year {year}", self.published),
            ));
        }

        let mut days_off: BTreeSet<NaiveDate> = BTreeSet::new();
        let mut working: BTreeSet<NaiveDate> = BTreeSet::new();
        for period in &self.holidays {
            let name = &period.name_zh;
            let name_en = &period.name_en;
            if name.trim().is_empty() || name_en.trim().is_empty() {
                return Err(bilingual(
                    format!("从 {} 开始的假期缺少名称", period.first_day),
                    format!("the holiday starting {} has no name", period.first_day),
                ));
            }
            if period.first_day > period.last_day {
                return Err(bilingual(
                    format!(
                        "{name}：首日 {} 晚于末日 {}",
                        period.first_day, period.last_day
                    ),
                    format!(
                        "{name_en}: first day {} is after last day {}",
                        period.first_day, period.last_day
                    ),
                ));
            }
            if period.first_day.year() != year || period.last_day.year() != year {
                return Err(bilingual(
                    format!(
                        "{name}：放假日 {}–{} 不在 {year} 年内",
                        period.first_day, period.last_day
                    ),
                    format!(
                        "{name_en}: days off {}–{} are not within {year}",
                        period.first_day, period.last_day
                    ),
                ));
            }
            for day in period.days() {
                if !days_off.insert(day) {
                    return Err(bilingual(
                        format!("{name}：{day} 与另一假期重叠"),
                        format!("{name_en}: {day} overlaps another holiday"),
                    ));
                }
            }
            for &day in &period.adjusted_working_days {
                if (day.year() - year).abs() > 1 {
                    return Err(bilingual(
                        format!("{name}：调休上班日 {day} 不在 {year} 年前后一年内"),
                        format!(
                            "{name_en}: adjusted working day {day} is not within a year of {year}"
                        ),
                    ));
                }
                if !is_weekend(day) {
                    return Err(bilingual(
                        format!("{name}：调休上班日 {day} 不是星期六或星期日"),
                        format!(
                            "{name_en}: adjusted working day {day} is a {}, not a Saturday or Sunday",
                            day.weekday()
                        ),
                    ));
                }
                if !working.insert(day) {
                    return Err(bilingual(
                        format!("{name}：调休上班日 {day} 重复"),
                        format!("{name_en}: adjusted working day {day} is listed twice"),
                    ));
                }
            }
        }
        if let Some(day) = days_off.intersection(&working).next() {
            return Err(bilingual(
                format!("{day} 既是放假日又是调休上班日"),
                format!("{day} is both a day off and an adjusted working day"),
            ));
        }
        Ok(())
    }

    /// The period whose days off contain `date`.
    pub fn period_of(&self, date: NaiveDate) -> Option<&HolidayPeriod> {
        self.holidays.iter().find(|period| period.contains(date))
    }

    /// True when `date` is a day off of this notice.
    pub fn is_day_off(&self, date: NaiveDate) -> bool {
        self.period_of(date).is_some()
    }

    /// True when `date` is one of this notice's adjusted working days.
    pub fn is_adjusted_working_day(&self, date: NaiveDate) -> bool {
        self.holidays
            .iter()
            .any(|period| period.adjusted_working_days.contains(&date))
    }
}

// ---------------------------------------------------------------------------------------
// Shipped data

/// The notice files shipped in `data/calendar`, by year.
pub const SHIPPED_FILES: [(i32, &str); 3] = [
    (2024, include_str!("../../../../data/calendar/2024.toml")),
    (2025, include_str!("../../../../data/calendar/2025.toml")),
    (2026, include_str!("../../../../data/calendar/2026.toml")),
];

/// Parses the shipped notice files.
pub fn shipped_notices() -> Result<Vec<HolidayNotice>, CalendarError> {
    SHIPPED_FILES
        .iter()
        .map(|(_, text)| HolidayNotice::from_toml(text))
        .collect()
}
