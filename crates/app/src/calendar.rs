//! The working-day calendar as a service: reckoning dates, and loading a year's notice.

use chrono::NaiveDate;
use liandong_domain::calendar::{DayKind, HolidayNotice, Reckoned};
use liandong_domain::organization::Role;
use liandong_store::AuditEntry;
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// One day that is not an ordinary weekday or weekend: a holiday or an adjusted working day.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name_zh: String,
    pub name_en: String,
}

/// A year's holidays and adjusted working days, and whether they come from a notice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct YearCalendar {
    pub year: i32,
    pub provisional: bool,
    pub notice_title: Option<String>,
    pub working_days: u32,
    pub days: Vec<SpecialDay>,
}

impl App {
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> Reckoned<NaiveDate> {
        self.calendar().add_working_days(from, days)
    }

    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Reckoned<u32> {
        self.calendar().working_days_between(from, to)
    }

    pub fn year_calendar(&self, year: i32) -> Result<YearCalendar> {
        let calendar = self.calendar();
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Err(AppError::invalid(
                "year",
                "年份超出范围",
                "year out of range",
            ));
        };
        if !(1901..=2099).contains(&year) {
            return Err(AppError::invalid(
                "year",
                "年份应在1901至2099之间",
                "year must be 1901 to 2099",
            ));
        }
        let days = first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter_map(|date| {
                let kind = calendar.day_kind(date);
                matches!(kind, DayKind::Holiday | DayKind::AdjustedWorkingDay).then(|| {
                    let (name_zh, name_en) = calendar.holiday_name(date).unwrap_or_default();
                    SpecialDay {
                        date,
                        kind,
                        name_zh,
                        name_en,
                    }
                })
            })
            .collect();
        Ok(YearCalendar {
            year,
            provisional: !calendar.has_notice(year),
            notice_title: calendar.notice(year).map(|n| n.title.clone()),
            working_days: calendar.working_days_in_year(year).value,
            days,
        })
    }

    /// Loads a State Council notice (as TOML), stores it, and recomputes every provisional
    /// deadline. Returns how many cases' deadlines changed.
    pub async fn load_holiday_notice(
        &self,
        session: Option<&Session>,
        text: &str,
    ) -> Result<usize> {
        if let Some(session) = session {
            session.require(Role::SystemAdmin)?;
        }
        let notice = HolidayNotice::from_toml(text).map_err(|e| {
            AppError::Invalid(vec![crate::FieldError::from_bilingual("notice", &e)])
        })?;
        let mut calendar = (*self.calendar()).clone();
        calendar.load_notice(notice.clone()).map_err(|e| {
            AppError::Invalid(vec![crate::FieldError::from_bilingual("notice", &e)])
        })?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.save_holiday_notice(&notice, now.timestamp_millis())
            .await?;
        tx.audit(&AuditEntry {
            at: now,
            actor_id: session.map(|s| s.staff.id),
            action: "holiday_notice_loaded".into(),
            target: format!("calendar:{}", notice.year),
            detail: notice.title.clone(),
        })
        .await?;
        tx.commit().await?;
        self.replace_calendar(calendar);
        self.recompute_provisional_deadlines().await
    }
}
