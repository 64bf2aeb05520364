//! The electronic licence identifier (电子证照标识), after GB/T 36901-2018 practice:
//!
//! ```text
//! 1.2.156.3005.2.<type>.<issuer credit code>.<serial>.<version>.<check>
//! 1.2.156.3005.2.11100.91350100M000100Y43.20260001.001.P
//! ```
//!
//! - `1.2.156.3005.2` is the fixed root (the OID arc for electronic licences);
//! - `<type>`: the licence type code, 1–16 digits (Liandong uses 5, e.g. `11100`);
//! - `<issuer credit code>`: the issuing unit's unified social credit code (GB 32100-2015),
//!   checked with [`liandong_domain::ids::CreditCode`];
//! - `<serial>`: 1–20 digits, kept as written (leading zeros are significant);
//! - `<version>`: 3 digits, `001`–`999` (a reissued certificate gets the next version);
//! - `<check>`: one character of `0-9A-Z*`.
//!
//! **The check character.** The practice names a check character but our rules (rules.md,
//! Identifiers) do not fix its algorithm, so Liandong uses ISO/IEC 7064 MOD 37-2 — the
//! standard's alphanumeric pure system, the natural one for a code that contains letters —
//! over every character before the check, dots removed, letters valued A=10 … Z=35, `*`=36.
//! It detects every single substitution and every adjacent transposition. An identifier
//! issued by another system with another check algorithm will not parse here.
//!
//! Parsing trims surrounding whitespace, upper-cases ASCII letters and never panics.

use std::fmt;
use std::str::FromStr;

use liandong_domain::ids::{CreditCode, IdError};

/// The fixed root of every licence identifier.
const ROOT: &str = "1.2.156.3005.2";
/// ISO/IEC 7064 MOD 37-2 alphabet, in value order.
const MOD37_ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";
const MAX_TYPE_DIGITS: usize = 16;
const MAX_SERIAL_DIGITS: usize = 20;

/// Why a licence identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error(
        "证照标识应以 1.2.156.3005.2 开头并由 10 段组成 / a licence identifier starts with 1.2.156.3005.2 and has 10 dot-separated parts"
    )]
    BadStructure,
    #[error("证照类型代码应为 1 至 16 位数字 / the licence type code must be 1 to 16 digits")]
    BadType,
    #[error("发证机构统一社会信用代码无效：{0} / the issuer's credit code is not valid")]
    BadCreditCode(IdError),
    #[error("证照流水号应为 1 至 20 位数字 / the serial number must be 1 to 20 digits")]
    BadSerial,
    #[error("证照版本号应为 001 至 999 / the version must be 001 to 999")]
    BadVersion,
    #[error(
        "证照标识校验位错误（应为 {expected}，实为 {found}） / the licence identifier's check character is wrong (expected {expected}, found {found})"
    )]
    BadCheck { expected: char, found: char },
}

/// The ISO/IEC 7064 MOD 37-2 check character of `text` (characters of `0-9A-Z*`, upper
/// case); `None` if any other character occurs. An empty text has the check `1`.
pub fn mod37_2_check_char(text: &str) -> Option<char> {
    let mut sum = 0u32;
    for byte in text.bytes() {
        let value = MOD37_ALPHABET.iter().position(|&c| c == byte)?;
        sum = ((sum + u32::try_from(value).ok()?) * 2) % 37;
    }
    // The check c makes (sum + c) ≡ 1 (mod 37).
    let check = usize::try_from((38 - sum) % 37).ok()?;
    MOD37_ALPHABET.get(check).map(|&byte| char::from(byte))
}

/// An electronic licence identifier (电子证照标识), checked. See the module doc.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LicenceIdentifier {
    licence_type: String,
    issuer: CreditCode,
    serial: String,
    version: u16,
    check: char,
}

fn all_digits(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

impl LicenceIdentifier {
    /// Builds a new identifier and computes its check character. `credit_code` is the
    /// issuing unit's code (checked); `version` is 1–999.
    pub fn new(
        licence_type: &str,
        credit_code: &str,
        serial: &str,
        version: u16,
    ) -> Result<Self, IdentifierError> {
        if !all_digits(licence_type, MAX_TYPE_DIGITS) {
            return Err(IdentifierError::BadType);
        }
        let issuer = CreditCode::parse(credit_code).map_err(IdentifierError::BadCreditCode)?;
        if !all_digits(serial, MAX_SERIAL_DIGITS) {
            return Err(IdentifierError::BadSerial);
        }
        if !(1..=999).contains(&version) {
            return Err(IdentifierError::BadVersion);
        }
        let mut identifier = Self {
            licence_type: licence_type.to_owned(),
            issuer,
            serial: serial.to_owned(),
            version,
            check: '0',
        };
        identifier.check = identifier.expected_check()?;
        Ok(identifier)
    }

    /// Parses and checks an identifier (trimmed, letters upper-cased).
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = text.trim().to_ascii_uppercase();
        let rest = text
            .strip_prefix(ROOT)
            .and_then(|rest| rest.strip_prefix('.'))
            .ok_or(IdentifierError::BadStructure)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [licence_type, credit_code, serial, version, check] = parts.as_slice() else {
            return Err(IdentifierError::BadStructure);
        };
        // The credit code is checked as written: no trimming inside the identifier.
        if credit_code.trim() != *credit_code {
            return Err(IdentifierError::BadCreditCode(IdError::WrongLength {
                expected: 18,
                found: credit_code.chars().count(),
            }));
        }
        if version.len() != 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::BadVersion);
        }
        let version: u16 = version.parse().map_err(|_| IdentifierError::BadVersion)?;
        let identifier = Self::new(licence_type, credit_code, serial, version)?;
        let mut found = check.chars();
        let found = match (found.next(), found.next()) {
            (Some(found), None) => found,
            _ => return Err(IdentifierError::BadStructure),
        };
        if found != identifier.check {
            return Err(IdentifierError::BadCheck {
                expected: identifier.check,
                found,
            });
        }
        Ok(identifier)
    }

    fn expected_check(&self) -> Result<char, IdentifierError> {
        let body: String = self.body().chars().filter(|&c| c != '.').collect();
        // Unreachable: every part was checked to be digits or credit-code characters.
        mod37_2_check_char(&body).ok_or(IdentifierError::BadStructure)
    }

    /// Everything before the final dot and check character.
    fn body(&self) -> String {
        format!(
            "{ROOT}.{}.{}.{}.{:03}",
            self.licence_type,
            self.issuer.as_str(),
            self.serial,
            self.version
        )
    }

    pub fn licence_type(&self) -> &str {
        &self.licence_type
    }

    pub fn issuer(&self) -> &CreditCode {
        &self.issuer
    }

    pub fn serial(&self) -> &str {
        &self.serial
    }

    pub fn version(&self) -> u16 {
        self.version
    }

    pub fn check_char(&self) -> char {
        self.check
    }
}

impl FromStr for LicenceIdentifier {
    type Err = IdentifierError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for LicenceIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.body(), self.check)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    const ISSUER: &str = "91350100M000100Y43";

    #[test]
    fn mod37_2_matches_the_published_example_and_an_independent_implementation() {
        // ISO/IEC 7064's example for MOD 37-2, and python-stdnum's iso7064.mod_37_2 on a
        // dot-free identifier body.
        assert_eq!(mod37_2_check_char("G123498654321"), Some('H'));
        assert_eq!(
            mod37_2_check_char("12156300521110091350100M000100Y4320260001001"),
            Some('P')
        );
        assert_eq!(
            mod37_2_check_char("12156300521110091350100M000100Y431999"),
            Some('V')
        );
        assert_eq!(
            mod37_2_check_char("1215631300521110012350100M000100Y430000000001001"),
            Some('6')
        );
        assert_eq!(mod37_2_check_char(""), Some('1'));
        assert_eq!(mod37_2_check_char("a"), None);
        assert_eq!(mod37_2_check_char("1.2"), None);
    }

    #[test]
    fn an_identifier_round_trips_through_display_and_parse() {
        let id = LicenceIdentifier::new("11100", ISSUER, "20260001", 1).unwrap();
        let text = id.to_string();
        assert!(
            text.starts_with("1.2.156.3005.2.11100.91350100M000100Y43.20260001.001."),
            "{text}"
        );
        // The check computed by python-stdnum's iso7064.mod_37_2 over the dot-free body.
        assert_eq!(
            text,
            "1.2.156.3005.2.11100.91350100M000100Y43.20260001.001.P"
        );
        let parsed: LicenceIdentifier = text.parse().unwrap();
        assert_eq!(parsed, id);
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.licence_type(), "11100");
        assert_eq!(parsed.issuer().as_str(), ISSUER);
        assert_eq!(parsed.serial(), "20260001");
        assert_eq!(parsed.version(), 1);
        // Lower case and surrounding spaces are accepted and normalised.
        let loose = format!("  {}\n", text.to_lowercase());
        assert_eq!(LicenceIdentifier::parse(&loose).unwrap(), id);
    }

    #[test]
    fn the_check_character_is_computed_over_the_identifier_without_dots() {
        let id = LicenceIdentifier::new("11100", ISSUER, "20260001", 1).unwrap();
        let expected = mod37_2_check_char("12156300521110091350100M000100Y4320260001001");
        assert_eq!(Some(id.check_char()), expected);
        assert!(id.to_string().ends_with(&format!(".{}", id.check_char())));
    }

    #[test]
    fn every_wrong_check_character_is_rejected() {
        for (serial, version) in [("20260001", 1), ("1", 999), ("00000000000000000000", 42)] {
            let id = LicenceIdentifier::new("11100", ISSUER, serial, version).unwrap();
            let text = id.to_string();
            let body = &text[..text.len() - 1];
            let mut rejected = 0;
            for &byte in MOD37_ALPHABET {
                let other = char::from(byte);
                let result = LicenceIdentifier::parse(&format!("{body}{other}"));
                if other == id.check_char() {
                    assert_eq!(result.unwrap(), id);
                } else {
                    assert_eq!(
                        result.unwrap_err(),
                        IdentifierError::BadCheck {
                            expected: id.check_char(),
                            found: other
                        }
                    );
                    rejected += 1;
                }
            }
            assert_eq!(rejected, 36);
            for bad in ["", "XX", "#", "中"] {
                assert!(LicenceIdentifier::parse(&format!("{body}{bad}")).is_err());
            }
        }
    }

    #[test]
    fn a_bad_part_is_rejected_with_its_own_variant() {
        for bad_type in ["", "1110A", "11 00", "12345678901234567", "１１１００"] {
            assert_eq!(
                LicenceIdentifier::new(bad_type, ISSUER, "1", 1).unwrap_err(),
                IdentifierError::BadType,
                "{bad_type}"
            );
        }
        assert!(LicenceIdentifier::new("1234567890123456", ISSUER, "1", 1).is_ok());
        assert_eq!(
            LicenceIdentifier::new("11100", "91350100M000100Y44", "1", 1).unwrap_err(),
            IdentifierError::BadCreditCode(IdError::BadCreditCodeCheck {
                expected: '3',
                found: '4'
            })
        );
        assert!(matches!(
            LicenceIdentifier::new("11100", "91350100M000100Y4", "1", 1),
            Err(IdentifierError::BadCreditCode(IdError::WrongLength { .. }))
        ));
        for bad_serial in ["", "12a", "123456789012345678901", "-1"] {
            assert_eq!(
                LicenceIdentifier::new("11100", ISSUER, bad_serial, 1).unwrap_err(),
                IdentifierError::BadSerial,
                "{bad_serial}"
            );
        }
        for bad_version in [0, 1000, u16::MAX] {
            assert_eq!(
                LicenceIdentifier::new("11100", ISSUER, "1", bad_version).unwrap_err(),
                IdentifierError::BadVersion
            );
        }
    }

    #[test]
    fn a_bad_part_in_a_parsed_identifier_is_rejected_with_its_own_variant() {
        let good = LicenceIdentifier::new("11100", ISSUER, "20260001", 1).unwrap();
        let text = good.to_string();
        let with = |index: usize, part: &str| {
            let mut parts: Vec<&str> = text.split('.').collect();
            parts[index] = part;
            LicenceIdentifier::parse(&parts.join(".")).unwrap_err()
        };
        assert_eq!(with(5, "11A00"), IdentifierError::BadType);
        assert_eq!(with(5, ""), IdentifierError::BadType);
        assert!(matches!(
            with(6, "91350100M000100Y44"),
            IdentifierError::BadCreditCode(IdError::BadCreditCodeCheck { .. })
        ));
        assert!(matches!(
            with(6, " 91350100M000100Y43"),
            IdentifierError::BadCreditCode(_)
        ));
        assert_eq!(with(7, "2026O001"), IdentifierError::BadSerial);
        assert_eq!(with(8, "000"), IdentifierError::BadVersion);
        assert_eq!(with(8, "01"), IdentifierError::BadVersion);
        assert_eq!(with(8, "0001"), IdentifierError::BadVersion);
        assert_eq!(with(8, "+01"), IdentifierError::BadVersion);
        assert_eq!(with(0, "2"), IdentifierError::BadStructure);
        assert_eq!(with(3, "3006"), IdentifierError::BadStructure);
        for bad in [
            "",
            "1.2.156.3005.2",
            "1.2.156.3005.2.",
            "1.2.156.3005.2.11100.91350100M000100Y43.20260001.001",
            "1.2.156.3005.211100.91350100M000100Y43.20260001.001.W",
        ] {
            assert_eq!(
                LicenceIdentifier::parse(bad).unwrap_err(),
                IdentifierError::BadStructure,
                "{bad}"
            );
        }
        let extra = format!("{text}.1");
        assert_eq!(
            LicenceIdentifier::parse(&extra).unwrap_err(),
            IdentifierError::BadStructure
        );
    }

    #[test]
    fn error_messages_are_bilingual() {
        let message = IdentifierError::BadCheck {
            expected: 'W',
            found: '1',
        }
        .to_string();
        assert!(message.starts_with("证照标识校验位错误"), "{message}");
        assert!(
            message.contains("the licence identifier's check character is wrong"),
            "{message}"
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in any::<String>()) {
            let _ = text.parse::<LicenceIdentifier>();
            let _ = mod37_2_check_char(&text);
        }

        #[test]
        fn parsing_never_panics_on_near_valid_text(
            text in "1\\.2\\.156\\.3005\\.2\\.[0-9.]{0,8}\\.?[0-9A-Z .*中]{0,24}\\.?[0-9.]{0,6}\\.?[0-9A-Z*]{0,2}",
        ) {
            let _ = text.parse::<LicenceIdentifier>();
        }

        #[test]
        fn any_valid_identifier_round_trips_and_detects_a_changed_character(
            licence_type in "[0-9]{1,16}",
            serial in "[0-9]{1,20}",
            version in 1u16..=999,
            position in 0usize..80,
            replacement in 0usize..37,
        ) {
            let id = LicenceIdentifier::new(&licence_type, ISSUER, &serial, version).unwrap();
            let text = id.to_string();
            prop_assert_eq!(LicenceIdentifier::parse(&text).unwrap(), id);
            // Any single character changed after the root (to a character of the alphabet)
            // is refused: MOD 37-2 catches every substitution.
            let mut chars: Vec<char> = text.chars().collect();
            let position = ROOT.len() + 1 + position % (chars.len() - ROOT.len() - 1);
            let new = char::from(MOD37_ALPHABET[replacement]);
            prop_assume!(chars[position] != '.' && chars[position] != new);
            chars[position] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(LicenceIdentifier::parse(&changed).is_err(), "{}", changed);
        }
    }
}
