//! The working-day calendar: which days count for the time limits of the Administrative
//! Licensing Law (行政许可法 Art 82: working days, statutory holidays excluded).
//!
//! * Saturdays and Sundays are rest days unless a State Council notice declares them
//!   adjusted working days (调休上班); a notice's holidays are rest days.
//! * A year with no notice loaded counts weekends plus the statutory days of
//!   全国年节及纪念日放假办法 (see [`statutory`]); every result that counts a day of such a
//!   year is marked provisional ([`Reckoned::provisional`]) and must be recomputed when
//!   the notice is loaded.
//! * "Within N working days" starts the day after the triggering day.
//! * Dates are China dates (UTC+8, no daylight saving); instants are stored in UTC.
//! * A limit ends at the afternoon close of its last working day; an action after hours
//!   counts from the next working day.
//!
//! Every loop is bounded: scans stop after [`MAX_SCAN_DAYS`] days (about 100 years) and
//! saturate, marking the result provisional.

pub mod lunar;
pub mod notice;
pub mod office;
pub mod statutory;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

pub use chrono::{DateTime, NaiveDate, Utc};
use chrono::{Datelike, FixedOffset, NaiveDateTime, Offset, TimeDelta, TimeZone, Weekday};
use serde::Serialize;

pub use notice::{HolidayNotice, HolidayPeriod, shipped_notices};
pub use office::OfficeHours;
pub use statutory::{Festival, StatutoryDay};

/// China Standard Time, UTC+8, no DST.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The China wall-clock time of an instant (saturating at the end of chrono's range).
pub fn china_datetime(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = TimeDelta::seconds(i64::from(china_offset().local_minus_utc()));
    let utc = at.naive_utc();
    utc.checked_add_signed(offset).unwrap_or(utc)
}

/// The China calendar date of an instant.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    china_datetime(at).date()
}

/// The instant a China calendar date begins (midnight, UTC+8).
pub fn china_day_start(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let offset = TimeDelta::seconds(i64::from(china_offset().local_minus_utc()));
    Utc.from_utc_datetime(&midnight.checked_sub_signed(offset).unwrap_or(midnight))
}

/// How a day counts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A Monday to Friday that is no holiday.
    Working,
    /// A Saturday or Sunday that is no adjusted working day.
    Weekend,
    /// A day off of a notice, or a statutory day in a year without notice.
    Holiday,
    /// A Saturday or Sunday declared a working day by a notice (调休上班).
    AdjustedWorkingDay,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, Self::Working | Self::AdjustedWorkingDay)
    }
}

/// A computed value, and whether any day counted lies in a year with no State Council
/// notice loaded (then the value may change when the notice is loaded).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reckoned<T> {
    pub value: T,
    /// true when any day counted lies in a year with no State Council notice loaded
    pub provisional: bool,
}

/// Errors of the calendar. Messages are in Chinese, then English.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("节假日安排无效 / invalid holiday notice: {0}")]
    InvalidNotice(String),
    #[error("节假日文件无法解析 / holiday file cannot be parsed: {0}")]
    Parse(String),
    #[error("{0} 年的节假日安排重复 / duplicate holiday notice for {0}")]
    DuplicateYear(i32),
}

/// Longest scan of days in any computation, about 100 years.
pub const MAX_SCAN_DAYS: u32 = 36_600;

/// What a notice says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    /// A day off: the notice's year and the period's index.
    Off { year: i32, period: usize },
    /// An adjusted working day, declared by the notice of `year`.
    Working { year: i32 },
}

/// The working-day calendar: the loaded notices and the office hours.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    notices: BTreeMap<i32, HolidayNotice>,
    /// Every date declared by a loaded notice, derived from `notices`.
    declared: BTreeMap<NaiveDate, Declared>,
    hours: OfficeHours,
    /// The kinds of each year's days, computed once on first use and shared by clones;
    /// replaced whenever a notice is loaded.
    years: Arc<YearCache>,
}

/// The years whose day kinds are cached (the lunar table's range).
const CACHED_YEARS: std::ops::RangeInclusive<i32> = 1901..=2099;

/// One lazily filled slot per cached year.
#[derive(Debug)]
struct YearCache(Vec<OnceLock<YearKinds>>);

impl YearCache {
    fn empty() -> Arc<YearCache> {
        let slots = CACHED_YEARS.end() - CACHED_YEARS.start() + 1;
        Arc::new(YearCache((0..slots).map(|_| OnceLock::new()).collect()))
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn index_notices(
    notices: &BTreeMap<i32, HolidayNotice>,
) -> Result<BTreeMap<NaiveDate, Declared>, CalendarError> {
    let mut declared: BTreeMap<NaiveDate, Declared> = BTreeMap::new();
    let conflict = |date: NaiveDate, a: i32, b: i32| {
        CalendarError::InvalidNotice(format!(
            "{date} 在 {a} 年和 {b} 年的通知中安排冲突 / {date} is declared differently by the notices for {a} and {b}"
        ))
    };
    for (&year, notice) in notices {
        for (period_index, period) in notice.holidays.iter().enumerate() {
            for date in period.days() {
                let entry = Declared::Off {
                    year,
                    period: period_index,
                };
                if let Some(previous) = declared.insert(date, entry) {
                    let other = match previous {
                        Declared::Off { year, .. } | Declared::Working { year } => year,
                    };
                    return Err(conflict(date, other, year));
                }
            }
            for &date in &period.adjusted_working_days {
                let entry = Declared::Working { year };
                match declared.insert(date, entry) {
                    None => {}
                    // Two notices may both repeat the same adjusted working day.
                    Some(Declared::Working { .. }) => {}
                    Some(Declared::Off { year: other, .. }) => {
                        return Err(conflict(date, other, year));
                    }
                }
            }
        }
    }
    Ok(declared)
}

/// The kinds of every day of one year, for scans.
#[derive(Debug)]
struct YearKinds {
    year: i32,
    provisional: bool,
    kinds: Vec<DayKind>,
}

/// Walks days, keeping the kinds of the current year at hand.
struct Walker<'a> {
    calendar: &'a WorkingCalendar,
    current: Option<&'a YearKinds>,
}

impl<'a> Walker<'a> {
    fn new(calendar: &'a WorkingCalendar) -> Self {
        Self {
            calendar,
            current: None,
        }
    }

    /// The kind of `date` and whether its year has no notice.
    fn kind(&mut self, date: NaiveDate) -> (DayKind, bool) {
        let year = date.year();
        if self.current.is_none_or(|current| current.year != year) {
            self.current = self.calendar.cached_year(year);
        }
        let index = usize::try_from(date.ordinal0()).unwrap_or(usize::MAX);
        match self
            .current
            .and_then(|current| current.kinds.get(index).map(|k| (*k, current.provisional)))
        {
            Some(found) => found,
            None => (
                self.calendar.day_kind_uncached(date),
                !self.calendar.has_notice(year),
            ),
        }
    }
}

impl WorkingCalendar {
    /// A calendar with the given notices, each validated; two notices for the same year
    /// are an error ([`CalendarError::DuplicateYear`]).
    pub fn new(notices: Vec<HolidayNotice>) -> Result<Self, CalendarError> {
        let mut by_year = BTreeMap::new();
        for notice in notices {
            notice.validate()?;
            let year = notice.year;
            if by_year.insert(year, notice).is_some() {
                return Err(CalendarError::DuplicateYear(year));
            }
        }
        let declared = index_notices(&by_year)?;
        Ok(Self {
            notices: by_year,
            declared,
            hours: OfficeHours::default(),
            years: YearCache::empty(),
        })
    }

    /// The calendar with the State Council notices shipped in `data/calendar`, 2024–2026.
    ///
    /// The shipped files are checked by the tests; should one ever fail to load, the
    /// calendar keeps the others (and the missing years count as provisional).
    pub fn shipped() -> Self {
        let mut calendar = Self {
            notices: BTreeMap::new(),
            declared: BTreeMap::new(),
            hours: OfficeHours::default(),
            years: YearCache::empty(),
        };
        for (_, text) in notice::SHIPPED_FILES {
            if let Ok(notice) = HolidayNotice::from_toml(text) {
                let _ = calendar.load_notice(notice);
            }
        }
        calendar
    }

    /// Adds or replaces a year's notice (administrators load next year's notice when
    /// published). On error the calendar is unchanged.
    pub fn load_notice(&mut self, notice: HolidayNotice) -> Result<(), CalendarError> {
        notice.validate()?;
        let mut notices = self.notices.clone();
        notices.insert(notice.year, notice);
        self.declared = index_notices(&notices)?;
        self.notices = notices;
        self.years = YearCache::empty();
        Ok(())
    }

    pub fn notice(&self, year: i32) -> Option<&HolidayNotice> {
        self.notices.get(&year)
    }

    /// The loaded notices, by year.
    pub fn notices(&self) -> impl Iterator<Item = &HolidayNotice> {
        self.notices.values()
    }

    pub fn has_notice(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    fn kind_with(&self, date: NaiveDate, statutory: Option<&[StatutoryDay]>) -> DayKind {
        match self.declared.get(&date) {
            Some(Declared::Off { .. }) => return DayKind::Holiday,
            Some(Declared::Working { .. }) => return DayKind::AdjustedWorkingDay,
            None => {}
        }
        if !self.has_notice(date.year())
            && statutory.is_some_and(|days| days.iter().any(|day| day.date == date))
        {
            return DayKind::Holiday;
        }
        if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Working
        }
    }

    fn statutory_for(&self, year: i32) -> Option<Vec<StatutoryDay>> {
        if self.has_notice(year) {
            None
        } else {
            statutory::statutory_days(year)
        }
    }

    fn year_kinds(&self, year: i32) -> YearKinds {
        let statutory = self.statutory_for(year);
        let kinds = match NaiveDate::from_yo_opt(year, 1) {
            Some(first) => first
                .iter_days()
                .take_while(|date| date.year() == year)
                .map(|date| self.kind_with(date, statutory.as_deref()))
                .collect(),
            None => Vec::new(),
        };
        YearKinds {
            year,
            provisional: !self.has_notice(year),
            kinds,
        }
    }

    /// How `date` counts. For a year without notice: weekends and the statutory days of
    /// the regulations are rest days (adjusted working days declared for that year by a
    /// neighbouring year's notice still count).
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        Walker::new(self).kind(date).0
    }

    fn day_kind_uncached(&self, date: NaiveDate) -> DayKind {
        let statutory = self.statutory_for(date.year());
        self.kind_with(date, statutory.as_deref())
    }

    /// The day kinds of `year`, computed on first use; None outside the cached years.
    fn cached_year(&self, year: i32) -> Option<&YearKinds> {
        let slot = usize::try_from(year - CACHED_YEARS.start()).ok()?;
        Some(
            self.years
                .0
                .get(slot)?
                .get_or_init(|| self.year_kinds(year)),
        )
    }

    /// For a notice year, the name of the holiday period containing `date`; for a day in a
    /// year without notice that is a statutory holiday, the holiday's name. Chinese first.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<(String, String)> {
        match self.declared.get(&date) {
            Some(Declared::Off { year, period }) => {
                let period = self.notices.get(year)?.holidays.get(*period)?;
                return Some((period.name_zh.clone(), period.name_en.clone()));
            }
            Some(Declared::Working { .. }) => return None,
            None => {}
        }
        let day = self
            .statutory_for(date.year())?
            .into_iter()
            .find(|day| day.date == date)?;
        Some((
            day.festival.name_zh().to_owned(),
            day.festival.name_en().to_owned(),
        ))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_kind(date).is_working()
    }

    /// True when `date` lies in a year with no notice loaded.
    pub fn is_provisional(&self, date: NaiveDate) -> bool {
        !self.has_notice(date.year())
    }

    /// The date that is `n` working days after `from` (`from` itself never counts:
    /// "within N working days" starts the day after). `n = 0` returns `from`.
    ///
    /// Provisional when any day from the day after `from` to the result lies in a year
    /// without notice. A scan longer than [`MAX_SCAN_DAYS`] saturates: the last date
    /// scanned, provisional.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Reckoned<NaiveDate> {
        if n == 0 {
            return Reckoned {
                value: from,
                provisional: false,
            };
        }
        let mut walker = Walker::new(self);
        let mut date = from;
        let mut provisional = false;
        let mut counted = 0u32;
        for _ in 0..MAX_SCAN_DAYS {
            let Some(next) = date.succ_opt() else { break };
            date = next;
            let (kind, day_provisional) = walker.kind(date);
            provisional |= day_provisional;
            if kind.is_working() {
                counted += 1;
                if counted == n {
                    return Reckoned {
                        value: date,
                        provisional,
                    };
                }
            }
        }
        Reckoned {
            value: date,
            provisional: true,
        }
    }

    /// Number of working days `d` with `from < d <= to` (0 when `to <= from`).
    ///
    /// Provisional when any day of that range lies in a year without notice. A range
    /// longer than [`MAX_SCAN_DAYS`] is counted up to that many days, provisional.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Reckoned<u32> {
        let mut walker = Walker::new(self);
        let mut date = from;
        let mut provisional = false;
        let mut count = 0u32;
        for _ in 0..MAX_SCAN_DAYS {
            if date >= to {
                return Reckoned {
                    value: count,
                    provisional,
                };
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
            let (kind, day_provisional) = walker.kind(date);
            provisional |= day_provisional;
            if kind.is_working() {
                count += 1;
            }
        }
        Reckoned {
            value: count,
            provisional: provisional || date < to,
        }
    }

    /// Number of working days in `year`; provisional when the year has no notice.
    pub fn working_days_in_year(&self, year: i32) -> Reckoned<u32> {
        let kinds = self.year_kinds(year);
        let count = kinds.kinds.iter().filter(|kind| kind.is_working()).count();
        Reckoned {
            value: u32::try_from(count).unwrap_or(u32::MAX),
            provisional: kinds.provisional,
        }
    }

    /// The first working day strictly after `after` (saturating after [`MAX_SCAN_DAYS`]).
    pub fn next_working_day(&self, after: NaiveDate) -> NaiveDate {
        self.add_working_days(after, 1).value
    }

    pub fn office_hours(&self) -> OfficeHours {
        self.hours
    }

    pub fn with_office_hours(mut self, hours: OfficeHours) -> Self {
        self.hours = hours;
        self
    }

    /// The working date an action at `at` counts on: its China date when that is a
    /// working day and `at` is before the afternoon close; otherwise the next working day
    /// ("an action after hours counts from the next working period").
    pub fn effective_date(&self, at: DateTime<Utc>) -> NaiveDate {
        let local = china_datetime(at);
        let date = local.date();
        if self.is_working_day(date) && local.time() < self.hours.afternoon_close {
            date
        } else {
            self.next_working_day(date)
        }
    }

    /// The instant a working-day limit ending on `date` ends: the afternoon close of that
    /// date, China time, as UTC.
    pub fn close_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let naive = date.and_time(self.hours.afternoon_close);
        match china_offset().from_local_datetime(&naive).single() {
            Some(local) => local.with_timezone(&Utc),
            None => Utc.from_utc_datetime(&naive),
        }
    }
}

#[cfg(test)]
mod tests;
