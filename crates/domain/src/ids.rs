//! Applicant identifiers: the resident identity card number (GB 11643-1999), the unified
//! social credit code (GB 32100-2015) and phone numbers.
//!
//! Parsing trims surrounding whitespace, normalises letters to upper case and never panics,
//! whatever the input. Error messages are in Chinese, then English.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error(
        "号码长度应为 {expected} 位，实为 {found} 位 / wrong length: expected {expected} characters, found {found}"
    )]
    WrongLength { expected: usize, found: usize },
    #[error(
        "第 {position} 位字符“{character}”无效 / invalid character '{character}' at position {position}"
    )]
    InvalidCharacter { position: usize, character: char },
    #[error(
        "身份证号码校验位错误（应为 {expected}，实为 {found}） / resident ID check character is wrong (expected {expected}, found {found})"
    )]
    BadCheck { expected: char, found: char },
    #[error("身份证号码中的出生日期无效 / the birth date in the resident ID is not valid")]
    BadBirthDate,
    #[error(
        "统一社会信用代码校验位错误（应为 {expected}，实为 {found}） / unified social credit code check character is wrong (expected {expected}, found {found})"
    )]
    BadCreditCodeCheck { expected: char, found: char },
    #[error(
        "电话号码格式不正确，应为 11 位手机号码或“区号-号码” / not a valid phone number: expected an 11-digit mobile number or area code-number"
    )]
    BadPhoneNumber,
}

// ---------------------------------------------------------------------------------------
// Resident ID

/// Weights of ISO 7064 MOD 11-2 over the first 17 digits.
const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for remainders 0..=10.
const RESIDENT_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of a resident ID (ISO 7064 MOD 11-2) from its first 17 digits;
/// `None` unless `first17` is exactly 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(RESIDENT_WEIGHTS)
        .map(|(byte, weight)| u32::from(byte - b'0') * weight)
        .sum();
    let index = usize::try_from(sum % 11).ok()?;
    RESIDENT_CHECK.get(index).copied()
}

/// A resident identity card number (居民身份证号码, GB 11643-1999): 6-digit area code,
/// 8-digit birth date, 3-digit sequence, 1 check character (0–9 or X).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

const EARLIEST_BIRTH: (i32, u32, u32) = (1900, 1, 1);
const LATEST_BIRTH: (i32, u32, u32) = (2099, 12, 31);

fn birth_date_of(digits: &str) -> Option<NaiveDate> {
    let year: i32 = digits.get(6..10)?.parse().ok()?;
    let month: u32 = digits.get(10..12)?.parse().ok()?;
    let day: u32 = digits.get(12..14)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (ey, em, ed) = EARLIEST_BIRTH;
    let (ly, lm, ld) = LATEST_BIRTH;
    let earliest = NaiveDate::from_ymd_opt(ey, em, ed)?;
    let latest = NaiveDate::from_ymd_opt(ly, lm, ld)?;
    (earliest <= date && date <= latest).then_some(date)
}

/// Trims, upper-cases ASCII letters, and checks the length in characters.
fn normalise(text: &str, expected: usize) -> Result<Vec<char>, IdError> {
    let chars: Vec<char> = text
        .trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != expected {
        return Err(IdError::WrongLength {
            expected,
            found: chars.len(),
        });
    }
    Ok(chars)
}

impl ResidentId {
    /// Parses and checks a resident ID: 17 digits and a check character (a lower-case `x`
    /// is accepted and normalised to `X`; surrounding whitespace is trimmed); the birth
    /// date must be a real date from 1900-01-01 to 2099-12-31; the check character must
    /// match.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let chars = normalise(text, 18)?;
        for (index, &character) in chars.iter().enumerate() {
            let allowed = character.is_ascii_digit() || (index == 17 && character == 'X');
            if !allowed {
                return Err(IdError::InvalidCharacter {
                    position: index + 1,
                    character,
                });
            }
        }
        let id: String = chars.iter().collect();
        if birth_date_of(&id).is_none() {
            return Err(IdError::BadBirthDate);
        }
        let expected =
            id.get(..17)
                .and_then(resident_id_check_char)
                .ok_or(IdError::WrongLength {
                    expected: 18,
                    found: chars.len(),
                })?;
        let found = chars.get(17).copied().unwrap_or('?');
        if expected != found {
            return Err(IdError::BadCheck { expected, found });
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date (characters 7–14).
    pub fn birth_date(&self) -> NaiveDate {
        // Checked by `parse`; the fallback is never used.
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The administrative area code of the place of registration (first 6 digits).
    pub fn area_code(&self) -> &str {
        self.0.get(..6).unwrap_or("")
    }

    /// The ID with all but the first 4 and the last 4 characters hidden:
    /// `5001**********123X`.
    pub fn masked(&self) -> String {
        mask(&self.0, 4, 4)
    }

    /// The last six characters (used, e.g., as a lookup hint with the applicant's name).
    pub fn last_six(&self) -> &str {
        self.0.get(12..).unwrap_or("")
    }
}

// ---------------------------------------------------------------------------------------
// Unified social credit code

/// The 31 characters of the unified social credit code, in value order (no I, O, S, V, Z).
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(character: char) -> Option<u32> {
    let byte = u8::try_from(character).ok()?;
    let index = CREDIT_ALPHABET.iter().position(|&c| c == byte)?;
    u32::try_from(index).ok()
}

/// The check character of a unified social credit code (GB 32100-2015) from its first 17
/// characters: 31 − (Σ value × weight mod 31), 31 → 0. `None` unless `first17` is 17
/// characters of the code's alphabet (upper case).
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let mut count = 0usize;
    let mut sum = 0u32;
    for (character, weight) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(character)? * weight;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    let index = usize::try_from(check).ok()?;
    CREDIT_ALPHABET.get(index).map(|&byte| char::from(byte))
}

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of
/// `0123456789ABCDEFGHJKLMNPQRTUWXY`, the last a check character.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses and checks a credit code (trimmed, upper-cased).
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let chars = normalise(text, 18)?;
        for (index, &character) in chars.iter().enumerate() {
            if credit_value(character).is_none() {
                return Err(IdError::InvalidCharacter {
                    position: index + 1,
                    character,
                });
            }
        }
        let code: String = chars.iter().collect();
        let first17: String = chars.iter().take(17).collect();
        let found = chars.get(17).copied().unwrap_or('?');
        match credit_code_check_char(&first17) {
            Some(expected) if expected == found => Ok(Self(code)),
            Some(expected) => Err(IdError::BadCreditCodeCheck { expected, found }),
            // Unreachable: every character was checked above.
            None => Err(IdError::WrongLength {
                expected: 18,
                found: chars.len(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code with all but the first 4 and the last 4 characters hidden:
    /// `9135**********0Y43`.
    pub fn masked(&self) -> String {
        mask(&self.0, 4, 4)
    }
}

// ---------------------------------------------------------------------------------------
// Phone numbers

/// A phone number: a mainland mobile number (11 digits, `1[3-9]…`) or a landline written
/// `area code-number` (area code of 3–4 digits starting with 0, number of 7–8 digits), e.g.
/// `023-67821234`. Mobile numbers are normalised to their 11 digits: spaces and hyphens
/// between digits and a leading `+86` or `86` are dropped.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let text = text.trim();
        for (index, character) in text.chars().enumerate() {
            if !(character.is_ascii_digit() || matches!(character, '-' | ' ' | '+')) {
                return Err(IdError::InvalidCharacter {
                    position: index + 1,
                    character,
                });
            }
        }
        // Landline: area code, one hyphen, number.
        if let Some((area, number)) = text.split_once('-') {
            let landline = (3..=4).contains(&area.len())
                && area.starts_with('0')
                && area.bytes().all(|b| b.is_ascii_digit())
                && (7..=8).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit());
            if landline {
                return Ok(Self(format!("{area}-{number}")));
            }
        }
        // Mobile: digits with optional separators and country code.
        let rest = text.strip_prefix('+').unwrap_or(text);
        if rest.contains('+') {
            return Err(IdError::BadPhoneNumber);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let digits = match digits.len() {
            13 if digits.starts_with("86") => digits.get(2..).unwrap_or("").to_owned(),
            _ if text.starts_with('+') => return Err(IdError::BadPhoneNumber),
            _ => digits,
        };
        let bytes = digits.as_bytes();
        let mobile = bytes.len() == 11
            && bytes.first() == Some(&b'1')
            && bytes.get(1).is_some_and(|b| (b'3'..=b'9').contains(b));
        if mobile {
            Ok(Self(digits))
        } else {
            Err(IdError::BadPhoneNumber)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.contains('-')
    }

    /// Mobile: `138****5678`; landline: `023-****1234`.
    pub fn masked(&self) -> String {
        match self.0.split_once('-') {
            Some((area, number)) => format!("{area}-{}", mask(number, 0, 4)),
            None => mask(&self.0, 3, 4),
        }
    }
}

/// Keeps the first `head` and last `tail` characters, replacing the rest with `*`.
fn mask(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(index, &c)| {
            if index < head || index >= chars.len() - tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Conversions shared by the three types

macro_rules! string_identifier {
    ($type:ident) => {
        impl TryFrom<String> for $type {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }

        impl FromStr for $type {
            type Err = IdError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_identifier!(ResidentId);
string_identifier!(CreditCode);
string_identifier!(PhoneNumber);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_real_format_resident_id_is_valid() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.area_code(), "110105");
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.last_six(), "31002X");
        assert_eq!(resident_id_check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn a_lower_case_x_and_surrounding_spaces_are_accepted_and_normalised() {
        let id = ResidentId::parse("  11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn a_wrong_resident_id_check_character_is_rejected_with_the_expected_one() {
        let error = ResidentId::parse("110105194912310021").unwrap_err();
        assert_eq!(
            error,
            IdError::BadCheck {
                expected: 'X',
                found: '1'
            }
        );
        let message = error.to_string();
        assert!(
            message.starts_with("身份证号码校验位错误（应为 X"),
            "{message}"
        );
        assert!(
            message.contains("resident ID check character is wrong (expected X"),
            "{message}"
        );
    }

    #[test]
    fn resident_ids_of_the_wrong_form_are_rejected() {
        assert_eq!(
            ResidentId::parse("11010519491231002").unwrap_err(),
            IdError::WrongLength {
                expected: 18,
                found: 17
            }
        );
        assert_eq!(
            ResidentId::parse("").unwrap_err(),
            IdError::WrongLength {
                expected: 18,
                found: 0
            }
        );
        assert_eq!(
            ResidentId::parse("1101051949123100X2").unwrap_err(),
            IdError::InvalidCharacter {
                position: 17,
                character: 'X'
            }
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Ｘ").unwrap_err(),
            IdError::InvalidCharacter {
                position: 18,
                character: 'Ｘ'
            }
        );
        // 31 February, 1899 and 2100 are not valid birth dates; fix the check so that only
        // the date is wrong.
        for body in [
            "11010519490231002",
            "11010518991231002",
            "11010521000101002",
        ] {
            let check = resident_id_check_char(body).unwrap();
            let id = format!("{body}{check}");
            assert_eq!(
                ResidentId::parse(&id).unwrap_err(),
                IdError::BadBirthDate,
                "{id}"
            );
        }
        let body = "11010520991231002";
        let id = format!("{body}{}", resident_id_check_char(body).unwrap());
        assert!(ResidentId::parse(&id).is_ok());
    }

    #[test]
    fn a_real_format_credit_code_is_valid() {
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.masked(), "9135**********0Y43");
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(CreditCode::parse(" 91350100m000100y43 ").unwrap(), code);
    }

    #[test]
    fn a_wrong_credit_code_check_character_is_rejected() {
        let error = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            error,
            IdError::BadCreditCodeCheck {
                expected: '3',
                found: '4'
            }
        );
        assert!(error.to_string().contains("统一社会信用代码校验位错误"));
    }

    #[test]
    fn credit_codes_with_i_o_s_v_or_z_are_rejected() {
        for letter in ['I', 'O', 'S', 'V', 'Z'] {
            let code = format!("91350100M000100{letter}43");
            assert_eq!(
                CreditCode::parse(&code).unwrap_err(),
                IdError::InvalidCharacter {
                    position: 16,
                    character: letter
                },
                "{code}"
            );
            assert_eq!(
                credit_code_check_char(&format!("91350100M000100{letter}4")),
                None
            );
        }
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err(),
            IdError::WrongLength {
                expected: 18,
                found: 17
            }
        );
    }

    #[test]
    fn check_character_functions_reject_bad_input() {
        assert_eq!(resident_id_check_char(""), None);
        assert_eq!(resident_id_check_char("1101051949123100"), None);
        assert_eq!(resident_id_check_char("1101051949123100A"), None);
        assert_eq!(
            resident_id_check_char("１１０１０５１９４９１２３１００"),
            None
        );
        assert_eq!(credit_code_check_char(""), None);
        assert_eq!(credit_code_check_char("91350100M000100Y4X"), None);
        assert_eq!(credit_code_check_char("91350100m000100Y4"), None);
    }

    #[test]
    fn mobile_and_landline_numbers_are_accepted_and_masked() {
        let mobile = PhoneNumber::parse("13812345678").unwrap();
        assert!(mobile.is_mobile());
        assert_eq!(mobile.masked(), "138****5678");
        for variant in [
            "+86 138 1234 5678",
            "8613812345678",
            "138-1234-5678",
            " 13812345678 ",
        ] {
            assert_eq!(PhoneNumber::parse(variant).unwrap(), mobile, "{variant}");
        }
        let landline = PhoneNumber::parse("023-67821234").unwrap();
        assert!(!landline.is_mobile());
        assert_eq!(landline.as_str(), "023-67821234");
        assert_eq!(landline.masked(), "023-****1234");
        assert!(PhoneNumber::parse("0851-5551234").is_ok());
    }

    #[test]
    fn malformed_phone_numbers_are_rejected() {
        for bad in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "23-67821234",
            "023-678212",
            "023-678212345",
            "00023-67821234",
            "+1 13812345678",
            "+8613812345678+",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad).unwrap_err(),
                IdError::BadPhoneNumber,
                "{bad}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("138a2345678").unwrap_err(),
            IdError::InvalidCharacter {
                position: 4,
                character: 'a'
            }
        );
    }

    #[test]
    fn identifiers_serialise_as_strings_and_are_checked_when_deserialised() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
        let code: CreditCode = serde_json::from_str("\"91350100M000100Y43\"").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
        let phone: PhoneNumber = serde_json::from_str("\"023-67821234\"").unwrap();
        assert_eq!(String::from(phone), "023-67821234");
        assert_eq!(
            "13812345678".parse::<PhoneNumber>().unwrap().as_ref(),
            "13812345678"
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_arbitrary_strings(text in any::<String>()) {
            let _ = ResidentId::parse(&text);
            let _ = CreditCode::parse(&text);
            let _ = PhoneNumber::parse(&text);
            let _ = resident_id_check_char(&text);
            let _ = credit_code_check_char(&text);
        }

        #[test]
        fn parsing_never_panics_on_near_valid_strings(text in "[0-9A-Za-z +\\-Ｘ😀]{0,22}") {
            let _ = ResidentId::parse(&text);
            let _ = CreditCode::parse(&text);
            let _ = PhoneNumber::parse(&text);
        }

        #[test]
        fn any_17_digits_with_their_check_character_parse_when_the_date_is_valid(
            area in 110000u32..660000,
            days in 0i64..73_000,
            sequence in 0u32..1000,
        ) {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            let body = format!("{area:06}{}{sequence:03}", birth.format("%Y%m%d"));
            let check = resident_id_check_char(&body).unwrap();
            let id = ResidentId::parse(&format!("{body}{check}")).unwrap();
            prop_assert_eq!(id.birth_date(), birth);
            // Any other check character is rejected.
            for other in ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'] {
                if other != check {
                    let rejected = ResidentId::parse(&format!("{body}{other}")).is_err();
                    prop_assert!(rejected);
                }
            }
        }

        #[test]
        fn every_single_character_change_of_a_credit_code_is_detected(
            position in 0usize..17,
            replacement in 0usize..31,
        ) {
            let mut chars: Vec<char> = "91350100M000100Y43".chars().collect();
            let new = char::from(CREDIT_ALPHABET[replacement]);
            prop_assume!(chars[position] != new);
            chars[position] = new;
            let code: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&code).is_err());
        }
    }
}
