//! Appointments (预约取号): a time slot booked ahead for a business group of a hall, online or
//! at the kiosk, checked in at the kiosk on the day (the check-in takes a ticket that windows
//! call before walk-in tickets), cancelled before the slot begins. A booking that is neither
//! checked in nor cancelled by the end of the check-in window is a no-show; three in thirty
//! days suspend booking for the phone for thirty days, so that slots held and not used go to
//! those who come.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{WorkingCalendar, china_date, china_datetime, china_offset};
use crate::organization::string_enum;

/// The hall's booking rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppointmentRules {
    /// Length of a slot in minutes; slots run back to back from each session's opening.
    pub slot_minutes: u32,
    /// Bookings per slot for each window serving the group: the rest of a window's time is
    /// for those who walk in.
    pub per_window: u32,
    /// How far ahead one may book: today and this many further working days.
    pub working_days_ahead: u32,
    /// A slot must start at least this many minutes after the booking, so that the code
    /// reaches the phone and the person reaches the hall.
    pub notice_minutes: u32,
    /// Check-in opens this many minutes before the slot…
    pub check_in_early_minutes: u32,
    /// …and closes this many minutes after its start; then the booking is a no-show.
    pub check_in_late_minutes: u32,
    /// Bookings one phone may hold at a time.
    pub active_per_phone: usize,
    /// No-shows within `no_show_days` that suspend booking…
    pub no_show_limit: usize,
    pub no_show_days: i64,
    /// …for this many days after the last of them.
    pub suspension_days: i64,
}

impl Default for AppointmentRules {
    fn default() -> Self {
        Self {
            slot_minutes: 30,
            per_window: 2,
            working_days_ahead: 7,
            notice_minutes: 30,
            check_in_early_minutes: 30,
            check_in_late_minutes: 15,
            active_per_phone: 2,
            no_show_limit: 3,
            no_show_days: 30,
            suspension_days: 30,
        }
    }
}

impl AppointmentRules {
    /// How many bookings a slot takes when `windows` windows serve the group.
    pub fn capacity(&self, windows: usize) -> u32 {
        u32::try_from(windows)
            .unwrap_or(u32::MAX)
            .saturating_mul(self.per_window)
    }
}

/// A slot: a day and the China time it starts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub day: NaiveDate,
    pub start: NaiveTime,
}

impl Slot {
    /// The instant the slot starts.
    pub fn starts_at(&self) -> DateTime<Utc> {
        let local = self.day.and_time(self.start);
        china_offset()
            .from_local_datetime(&local)
            .single()
            .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
    }

    /// The slot beginning at `at` (China time), whether or not the hall offers it.
    pub fn at(at: DateTime<Utc>) -> Slot {
        let local = china_datetime(at);
        Slot {
            day: local.date(),
            start: local.time(),
        }
    }

    /// Minutes since midnight: how the store keys a slot within its day.
    pub fn start_minute(&self) -> u32 {
        use chrono::Timelike;
        self.start.hour() * 60 + self.start.minute()
    }

    pub fn from_minute(day: NaiveDate, minute: u32) -> Option<Slot> {
        NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).map(|start| Slot { day, start })
    }

    /// `09:30` for pages and messages.
    pub fn label(&self) -> String {
        self.start.format("%H:%M").to_string()
    }
}

/// Every slot the hall offers from `now` on: the office sessions of today and the next
/// working days, cut into slots that end by the session's close, starting far enough ahead.
pub fn slots(
    rules: &AppointmentRules,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let hours = calendar.office_hours();
    let step = Duration::minutes(i64::from(rules.slot_minutes.max(1)));
    let earliest = now + Duration::minutes(i64::from(rules.notice_minutes));
    let today = china_date(now);
    let mut days = Vec::new();
    if calendar.is_working_day(today) {
        days.push(today);
    }
    let mut day = today;
    for _ in 0..rules.working_days_ahead {
        day = calendar.next_working_day(day);
        days.push(day);
    }
    let mut out = Vec::new();
    for day in days {
        for (open, close) in [
            (hours.morning_open, hours.morning_close),
            (hours.afternoon_open, hours.afternoon_close),
        ] {
            let mut start = open;
            loop {
                let (end, wrapped) = start.overflowing_add_signed(step);
                if wrapped != 0 || end > close || end <= start {
                    break;
                }
                let slot = Slot { day, start };
                if slot.starts_at() >= earliest {
                    out.push(slot);
                }
                start = end;
            }
        }
    }
    out
}

/// Where a booking was made.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingChannel {
    Online,
    Kiosk,
}
string_enum!(BookingChannel {
    Online => "online",
    Kiosk => "kiosk",
});

impl BookingChannel {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Online => "网上预约",
            Self::Kiosk => "自助机预约",
        }
    }
}

/// What was recorded of a booking. A no-show is not recorded: it is a booking still
/// `booked` after its check-in window (see [`Appointment::standing`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentState {
    Booked,
    CheckedIn,
    Cancelled,
}
string_enum!(AppointmentState {
    Booked => "booked",
    CheckedIn => "checked_in",
    Cancelled => "cancelled",
});

/// Where a booking stands at a given instant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStanding {
    /// Booked; the slot is still to come or check-in is open.
    Booked,
    CheckedIn,
    Cancelled,
    /// Not checked in by the end of the check-in window.
    Missed,
}
string_enum!(AppointmentStanding {
    Booked => "booked",
    CheckedIn => "checked_in",
    Cancelled => "cancelled",
    Missed => "missed",
});

impl AppointmentStanding {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Booked => "已预约",
            Self::CheckedIn => "已签到",
            Self::Cancelled => "已取消",
            Self::Missed => "爽约",
        }
    }
}

/// A booking.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub group: String,
    pub slot: Slot,
    /// The mobile number it was booked for, normalised: the code is sent there.
    pub phone: String,
    /// Six digits, unique within the hall's day: typed at the kiosk to check in.
    pub code: String,
    pub channel: BookingChannel,
    pub booked_at: DateTime<Utc>,
    pub state: AppointmentState,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The ticket taken at check-in.
    pub ticket: Option<i64>,
}

impl Appointment {
    /// The end of its check-in window.
    pub fn check_in_closes(&self, rules: &AppointmentRules) -> DateTime<Utc> {
        self.slot.starts_at() + Duration::minutes(i64::from(rules.check_in_late_minutes))
    }

    pub fn check_in_opens(&self, rules: &AppointmentRules) -> DateTime<Utc> {
        self.slot.starts_at() - Duration::minutes(i64::from(rules.check_in_early_minutes))
    }

    pub fn standing(&self, rules: &AppointmentRules, now: DateTime<Utc>) -> AppointmentStanding {
        match self.state {
            AppointmentState::CheckedIn => AppointmentStanding::CheckedIn,
            AppointmentState::Cancelled => AppointmentStanding::Cancelled,
            AppointmentState::Booked if now > self.check_in_closes(rules) => {
                AppointmentStanding::Missed
            }
            AppointmentState::Booked => AppointmentStanding::Booked,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    #[error("该时段不可预约 / the hall does not offer this slot")]
    NotOffered,
    #[error("该时段已约满 / this slot is fully booked")]
    SlotFull,
    #[error(
        "该手机号已有{0}个未到期的预约，请先办理或取消 / this phone already holds {0} bookings; use or cancel one first"
    )]
    TooMany(usize),
    #[error(
        "近期多次预约未到，{until}前不能预约 / after repeated no-shows, booking is suspended until {until}"
    )]
    Suspended { until: NaiveDate },
    #[error("预约码不正确或不是今天的预约 / no booking for today has this code")]
    UnknownCode,
    #[error("签到时间未到，请于{opens}后签到 / check-in opens at {opens}")]
    TooEarly { opens: String },
    #[error("已超过签到时间，预约已失效，请现场取号 / check-in has closed; please take a ticket")]
    TooLate,
    #[error("该预约已签到 / this booking is checked in already")]
    AlreadyCheckedIn,
    #[error("该预约已取消 / this booking was cancelled")]
    Cancelled,
    #[error("预约时段已开始，不能取消 / the slot has begun; it can no longer be cancelled")]
    CancelTooLate,
}

/// Until when a phone may not book after its no-shows (`history`: its bookings, any order),
/// if it may not now.
pub fn suspended_until(
    rules: &AppointmentRules,
    history: &[Appointment],
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let since = now - Duration::days(rules.no_show_days);
    let mut missed: Vec<DateTime<Utc>> = history
        .iter()
        .filter(|a| a.standing(rules, now) == AppointmentStanding::Missed)
        .map(|a| a.check_in_closes(rules))
        .filter(|closed| *closed >= since)
        .collect();
    if missed.len() < rules.no_show_limit {
        return None;
    }
    missed.sort_unstable();
    let last = *missed.last()?;
    let until = china_date(last) + Duration::days(rules.suspension_days);
    (china_date(now) < until).then_some(until)
}

/// Checks a booking of `slot` for a phone whose bookings are `history` (the slot's capacity
/// is checked where the bookings are counted, atomically).
pub fn check_booking(
    rules: &AppointmentRules,
    calendar: &WorkingCalendar,
    slot: Slot,
    history: &[Appointment],
    now: DateTime<Utc>,
) -> Result<(), AppointmentError> {
    if !slots(rules, calendar, now).contains(&slot) {
        return Err(AppointmentError::NotOffered);
    }
    if let Some(until) = suspended_until(rules, history, now) {
        return Err(AppointmentError::Suspended { until });
    }
    let active = history
        .iter()
        .filter(|a| a.standing(rules, now) == AppointmentStanding::Booked)
        .count();
    if active >= rules.active_per_phone {
        return Err(AppointmentError::TooMany(active));
    }
    Ok(())
}

/// Checks the check-in of `appointment` at `now`.
pub fn check_in(
    rules: &AppointmentRules,
    appointment: &Appointment,
    now: DateTime<Utc>,
) -> Result<(), AppointmentError> {
    match appointment.state {
        AppointmentState::CheckedIn => return Err(AppointmentError::AlreadyCheckedIn),
        AppointmentState::Cancelled => return Err(AppointmentError::Cancelled),
        AppointmentState::Booked => {}
    }
    if appointment.slot.day != china_date(now) {
        return Err(AppointmentError::UnknownCode);
    }
    let opens = appointment.check_in_opens(rules);
    if now < opens {
        return Err(AppointmentError::TooEarly {
            opens: china_datetime(opens).format("%H:%M").to_string(),
        });
    }
    if now > appointment.check_in_closes(rules) {
        return Err(AppointmentError::TooLate);
    }
    Ok(())
}

/// Checks the cancellation of `appointment` at `now`: possible until its slot begins.
pub fn check_cancel(appointment: &Appointment, now: DateTime<Utc>) -> Result<(), AppointmentError> {
    match appointment.state {
        AppointmentState::CheckedIn => Err(AppointmentError::AlreadyCheckedIn),
        AppointmentState::Cancelled => Err(AppointmentError::Cancelled),
        AppointmentState::Booked if now >= appointment.slot.starts_at() => {
            Err(AppointmentError::CancelTooLate)
        }
        AppointmentState::Booked => Ok(()),
    }
}

/// A booking code from a random number: six digits, never starting with 0 so that it reads
/// the same whether a keypad or a person drops leading zeros.
pub fn booking_code(random: u32) -> String {
    format!("{}", 100_000 + random % 900_000)
}

#[cfg(test)]
mod tests;
