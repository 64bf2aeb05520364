//! Identifiers typed by people: resident IDs, credit codes, phone numbers, item codes, case
//! numbers, and the public lookup's check code. Whatever parses must read back the same from
//! its own text; nothing may panic.
#![no_main]

use liandong_domain::case::CaseNumber;
use liandong_domain::case::disclosure::{check_code_matches, mask_person_name};
use liandong_domain::catalog::ItemCode;
use liandong_domain::ids::{
    CreditCode, PhoneNumber, ResidentId, credit_code_check_char, resident_id_check_char,
};
use libfuzzer_sys::fuzz_target;

fn only_digits_and_dashes(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    if let Ok(id) = ResidentId::parse(text) {
        assert_eq!(ResidentId::parse(id.as_str()).as_ref(), Ok(&id), "{text:?}");
        assert_eq!(id.as_str().len(), 18);
        assert_eq!(id.masked().chars().count(), 18);
        assert_eq!(id.area_code().len(), 6);
        assert_eq!(id.last_six().len(), 6);
        let _ = id.birth_date();
        assert!(check_code_matches(id.last_six(), id.as_str(), ""));
    }
    if let Ok(code) = CreditCode::parse(text) {
        assert_eq!(
            CreditCode::parse(code.as_str()).as_ref(),
            Ok(&code),
            "{text:?}"
        );
        assert_eq!(code.as_str().len(), 18);
        assert_eq!(code.masked().chars().count(), 18);
    }
    if let Ok(phone) = PhoneNumber::parse(text) {
        assert_eq!(
            PhoneNumber::parse(phone.as_str()).as_ref(),
            Ok(&phone),
            "{text:?}"
        );
        assert!(only_digits_and_dashes(phone.as_str()), "{phone:?}");
        let masked = phone.masked();
        assert_eq!(masked.chars().count(), phone.as_str().chars().count());
        let _ = phone.is_mobile();
    }
    let _ = resident_id_check_char(text);
    let _ = credit_code_check_char(text);

    if let Ok(code) = ItemCode::parse(text) {
        assert_eq!(
            ItemCode::parse(code.as_str()).as_ref(),
            Ok(&code),
            "{text:?}"
        );
        assert_eq!(code.as_str().len(), 10);
    }
    if let Some(number) = CaseNumber::parse(text) {
        assert_eq!(
            CaseNumber::parse(number.as_str()).as_ref(),
            Some(&number),
            "{text:?}"
        );
        assert!(only_digits_and_dashes(number.as_str()), "{number:?}");
    }

    // The public progress lookup: the check code, the ID and the phone as typed.
    let mut parts = text.splitn(3, '\n');
    let (check, id_number, phone) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let _ = check_code_matches(check, id_number, phone);
    let masked = mask_person_name(text);
    assert!(masked.is_empty() == text.trim().is_empty());
});
