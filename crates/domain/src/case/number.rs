//! Case numbers: `{unit code}-{YYYYMMDD}-{sequence}`, e.g. `20307-20261128-0042`.
//!
//! Digits and dashes only, so a clerk can read one over the phone in groups; the unit code
//! says where the case was received, the date when, the sequence counts that unit's day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A case number as issued at intake.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(String);

impl CaseNumber {
    /// The number of the `sequence`th case received at `unit_code` on `date` (China time).
    pub fn new(unit_code: &str, date: NaiveDate, sequence: u32) -> CaseNumber {
        CaseNumber(format!(
            "{unit_code}-{}-{sequence:04}",
            date.format("%Y%m%d")
        ))
    }

    /// Reads a number typed by a person: spaces ignored, the three parts checked.
    pub fn parse(text: &str) -> Option<CaseNumber> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut parts = compact.split('-');
        let (unit, date, seq) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let valid = parts.next().is_none()
            && digits(unit)
            && unit.len() <= 8
            && NaiveDate::parse_from_str(date, "%Y%m%d").is_ok()
            && date.len() == 8
            && digits(seq)
            && (4..=7).contains(&seq.len());
        valid.then_some(CaseNumber(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_case_number_names_unit_date_and_sequence() {
        let n = CaseNumber::new("20307", NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), 42);
        assert_eq!(n.as_str(), "20307-20261128-0042");
        assert_eq!(CaseNumber::parse(" 20307-2026 1128-0042 "), Some(n));
        assert_eq!(
            CaseNumber::new("100", NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), 12345).as_str(),
            "100-20260105-12345"
        );
    }

    #[test]
    fn malformed_numbers_are_not_case_numbers() {
        for bad in [
            "",
            "100",
            "100-20261328-0001",
            "100-20261128-01",
            "A1-20261128-0001",
            "100-20261128-0001-2",
        ] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }
}
