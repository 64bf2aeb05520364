//! What an electronic certificate (电子证照) is worth on a given day: the answer of the public
//! verification (联网核查). The formats (identifier, signed token, PDF) are the
//! `liandong-certificate` crate's; this is the rule the server applies to its register.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::organization::string_enum;

/// A certificate in the register.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateState {
    /// In force (unless past its last day).
    Valid,
    /// Revoked (吊销/撤销), or replaced by a later edition (换发).
    Revoked,
}
string_enum!(CertificateState { Valid => "valid", Revoked => "revoked" });

/// The answer to "is this certificate good?".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    Valid,
    Expired,
    Revoked,
    /// Well formed, but not in the register.
    Unknown,
    /// The signature does not hold: altered or forged.
    Invalid,
}
string_enum!(Verification {
    Valid => "valid",
    Expired => "expired",
    Revoked => "revoked",
    Unknown => "unknown",
    Invalid => "invalid",
});

impl Verification {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Valid => "有效",
            Self::Expired => "已过期",
            Self::Revoked => "已注销",
            Self::Unknown => "查无此证",
            Self::Invalid => "验证失败（证照被篡改或伪造）",
        }
    }
}

/// A registered certificate's standing on `today`: revocation first, then the last day in
/// force (inclusive); a certificate without one (长期) does not expire.
pub fn standing(
    state: CertificateState,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Verification {
    match state {
        CertificateState::Revoked => Verification::Revoked,
        CertificateState::Valid if valid_until.is_some_and(|last| today > last) => {
            Verification::Expired
        }
        CertificateState::Valid => Verification::Valid,
    }
}

/// The last day in force of a certificate issued on `issued_on` for `years`, as licences print
/// it (有效期至): the day before the anniversary, so that it runs whole years (issued
/// 2026-11-30 for 5 years → through 2031-11-29). Issued on 29 February, it runs through
/// 28 February of a common year (the anniversary there being 1 March). `None` past the
/// calendar's end.
pub fn last_day_in_force(issued_on: NaiveDate, years: u32) -> Option<NaiveDate> {
    use chrono::Datelike;
    let year = issued_on.year().checked_add(i32::try_from(years).ok()?)?;
    match NaiveDate::from_ymd_opt(year, issued_on.month(), issued_on.day()) {
        Some(anniversary) => anniversary.pred_opt(),
        None => NaiveDate::from_ymd_opt(year, 2, 28),
    }
}

/// 行政许可法 Art 50: a holder who wants a licence extended applies at least 30 days before it
/// expires, unless a law or regulation says otherwise.
pub const RENEWAL_NOTICE_DAYS: u32 = 30;

/// When holders are reminded to renew: a configurable default (local practice, not law).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalRules {
    /// The reminder goes out this many days before the last day in force, leaving the holder
    /// time to gather materials before the Art 50 date.
    pub remind_days_before_expiry: u32,
}

impl Default for RenewalRules {
    fn default() -> Self {
        RenewalRules {
            remind_days_before_expiry: 90,
        }
    }
}

/// Where a certificate stands on the way to its expiry.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalStanding {
    /// Not yet within the reminder period, or without expiry, or no longer in force.
    NotDue,
    /// Within the reminder period, and the Art 50 date not yet passed: apply now.
    Due,
    /// Past the Art 50 date but still in force: the authority may still take the application
    /// but need not decide before expiry.
    Late,
    /// Past its last day.
    Expired,
}
string_enum!(RenewalStanding {
    NotDue => "not_due",
    Due => "due",
    Late => "late",
    Expired => "expired",
});

impl RenewalStanding {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::NotDue => "未到期",
            Self::Due => "应申请延续",
            Self::Late => "已过延续申请期限",
            Self::Expired => "已过期",
        }
    }
}

/// A certificate's renewal dates: the last day to apply under Art 50, and the day the
/// reminder is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalDates {
    pub expires_after: NaiveDate,
    pub apply_by: NaiveDate,
    pub remind_on: NaiveDate,
}

impl RenewalDates {
    pub fn of(valid_until: NaiveDate, rules: &RenewalRules) -> RenewalDates {
        let days_before = |n: u32| {
            valid_until
                .checked_sub_days(chrono::Days::new(u64::from(n)))
                .unwrap_or(NaiveDate::MIN)
        };
        let apply_by = days_before(RENEWAL_NOTICE_DAYS);
        RenewalDates {
            expires_after: valid_until,
            apply_by,
            // A reminder period shorter than Art 50's still reminds on the last day to apply.
            remind_on: days_before(rules.remind_days_before_expiry).min(apply_by),
        }
    }
}

/// Where a registered certificate stands on `today`. Only a certificate in force with a last
/// day is ever due; a revoked or replaced one is not the holder's to renew.
pub fn renewal_standing(
    state: CertificateState,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
    rules: &RenewalRules,
) -> RenewalStanding {
    let (CertificateState::Valid, Some(last)) = (state, valid_until) else {
        return RenewalStanding::NotDue;
    };
    let dates = RenewalDates::of(last, rules);
    if today > last {
        RenewalStanding::Expired
    } else if today > dates.apply_by {
        RenewalStanding::Late
    } else if today >= dates.remind_on {
        RenewalStanding::Due
    } else {
        RenewalStanding::NotDue
    }
}

/// The title printed on the certificate of an approved licence: `食品经营许可证` for an item
/// named `食品经营许可（新办）`, else the generic decision (准予行政许可决定书, 行政许可法
/// Art 38) that every approval yields.
pub fn licence_title(item_name: &str) -> String {
    let base = item_name
        .split(['（', '('])
        .next()
        .unwrap_or(item_name)
        .trim();
    if base.ends_with("许可") {
        format!("{base}证")
    } else {
        "准予行政许可决定书".to_owned()
    }
}

/// The serial of a case's certificates: the digits of its case number (unique per case).
pub fn serial_of_case_number(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The licence type code of an item: the digits of its basic code (`XK00001000` → `00001000`).
pub fn licence_type_of_item(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_certificate_is_in_force_through_the_day_before_the_anniversary() {
        assert_eq!(
            last_day_in_force(ymd(2026, 11, 30), 5),
            Some(ymd(2031, 11, 29))
        );
        assert_eq!(
            last_day_in_force(ymd(2026, 1, 1), 1),
            Some(ymd(2026, 12, 31))
        );
        // 29 February: a whole year later is the end of 28 February.
        assert_eq!(
            last_day_in_force(ymd(2028, 2, 29), 1),
            Some(ymd(2029, 2, 28))
        );
        assert_eq!(
            last_day_in_force(ymd(2028, 2, 29), 4),
            Some(ymd(2032, 2, 28))
        );
        assert_eq!(last_day_in_force(NaiveDate::MAX, 1), None);
        assert_eq!(last_day_in_force(ymd(2026, 1, 1), u32::MAX), None);
    }

    #[test]
    fn renewal_is_due_from_the_reminder_through_the_art_50_date() {
        use CertificateState::*;
        let rules = RenewalRules::default();
        let last = ymd(2027, 3, 31);
        let dates = RenewalDates::of(last, &rules);
        assert_eq!(dates.apply_by, ymd(2027, 3, 1));
        assert_eq!(dates.remind_on, ymd(2026, 12, 31));
        let at = |today| renewal_standing(Valid, Some(last), today, &rules);
        assert_eq!(at(ymd(2026, 12, 30)), RenewalStanding::NotDue);
        assert_eq!(at(ymd(2026, 12, 31)), RenewalStanding::Due);
        assert_eq!(at(ymd(2027, 3, 1)), RenewalStanding::Due);
        assert_eq!(at(ymd(2027, 3, 2)), RenewalStanding::Late);
        assert_eq!(at(ymd(2027, 3, 31)), RenewalStanding::Late);
        assert_eq!(at(ymd(2027, 4, 1)), RenewalStanding::Expired);
        // Revoked, replaced or without expiry: never the holder's to renew.
        for today in [ymd(2026, 1, 1), ymd(2027, 3, 15), ymd(2030, 1, 1)] {
            assert_eq!(
                renewal_standing(Revoked, Some(last), today, &rules),
                RenewalStanding::NotDue
            );
            assert_eq!(
                renewal_standing(Valid, None, today, &rules),
                RenewalStanding::NotDue
            );
        }
    }

    #[test]
    fn a_reminder_period_shorter_than_the_law_reminds_on_the_last_day_to_apply() {
        let rules = RenewalRules {
            remind_days_before_expiry: 10,
        };
        let dates = RenewalDates::of(ymd(2027, 3, 31), &rules);
        assert_eq!(dates.remind_on, dates.apply_by);
        assert_eq!(
            renewal_standing(
                CertificateState::Valid,
                Some(ymd(2027, 3, 31)),
                ymd(2027, 3, 1),
                &rules
            ),
            RenewalStanding::Due
        );
        let early = RenewalDates::of(NaiveDate::MIN, &RenewalRules::default());
        assert_eq!(early.remind_on, NaiveDate::MIN);
    }

    #[test]
    fn revocation_comes_first_then_the_last_day_counts_inclusive() {
        use CertificateState::*;
        assert_eq!(standing(Valid, None, day(30)), Verification::Valid);
        assert_eq!(standing(Valid, Some(day(29)), day(29)), Verification::Valid);
        assert_eq!(
            standing(Valid, Some(day(29)), day(30)),
            Verification::Expired
        );
        assert_eq!(
            standing(Revoked, Some(day(29)), day(30)),
            Verification::Revoked
        );
        assert_eq!(standing(Revoked, None, day(1)), Verification::Revoked);
    }

    #[test]
    fn licence_titles_follow_the_item_name() {
        assert_eq!(licence_title("食品经营许可（新办）"), "食品经营许可证");
        assert_eq!(licence_title("排污许可"), "排污许可证");
        assert_eq!(
            licence_title("建设工程规划许可(变更)"),
            "建设工程规划许可证"
        );
        assert_eq!(
            licence_title("个体工商户名称变更登记"),
            "准予行政许可决定书"
        );
    }

    #[test]
    fn serials_and_types_are_the_digits() {
        assert_eq!(
            serial_of_case_number("100-20261130-0001"),
            "100202611300001"
        );
        assert_eq!(licence_type_of_item("XK00001000"), "00001000");
        assert_eq!(
            Verification::Invalid.name_zh(),
            "验证失败（证照被篡改或伪造）"
        );
        assert_eq!("expired".parse(), Ok(Verification::Expired));
    }
}
