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
