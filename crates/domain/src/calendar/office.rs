//! Office hours of a service hall.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// The daily opening hours of a unit, China time. The default is the published practice
/// 9:00–12:00 and 13:30–17:30; each unit may configure its own.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeHours {
    pub morning_open: NaiveTime,
    pub morning_close: NaiveTime,
    pub afternoon_open: NaiveTime,
    pub afternoon_close: NaiveTime,
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for OfficeHours {
    fn default() -> Self {
        Self {
            morning_open: hm(9, 0),
            morning_close: hm(12, 0),
            afternoon_open: hm(13, 30),
            afternoon_close: hm(17, 30),
        }
    }
}

impl OfficeHours {
    /// True when the four times are in order: morning open < morning close <= afternoon
    /// open < afternoon close.
    pub fn is_ordered(&self) -> bool {
        self.morning_open < self.morning_close
            && self.morning_close <= self.afternoon_open
            && self.afternoon_open < self.afternoon_close
    }

    /// True when `time` lies within the morning or the afternoon session.
    pub fn is_open_at(&self, time: NaiveTime) -> bool {
        (self.morning_open <= time && time < self.morning_close)
            || (self.afternoon_open <= time && time < self.afternoon_close)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_office_hours_are_nine_to_twelve_and_half_past_one_to_half_past_five() {
        let hours = OfficeHours::default();
        assert!(hours.is_ordered());
        assert_eq!(
            hours.afternoon_close,
            NaiveTime::from_hms_opt(17, 30, 0).unwrap()
        );
        assert!(hours.is_open_at(NaiveTime::from_hms_opt(9, 0, 0).unwrap()));
        assert!(!hours.is_open_at(NaiveTime::from_hms_opt(12, 30, 0).unwrap()));
        assert!(!hours.is_open_at(NaiveTime::from_hms_opt(17, 30, 0).unwrap()));
    }

    #[test]
    fn office_hours_round_trip_through_json() {
        let hours = OfficeHours::default();
        let json = serde_json::to_string(&hours).unwrap();
        assert_eq!(serde_json::from_str::<OfficeHours>(&json).unwrap(), hours);
    }
}
