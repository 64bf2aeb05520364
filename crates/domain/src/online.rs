//! Online services (网上办事): the applicant's sign-in with a one-time SMS code, and the
//! materials they upload with an application or a supplement.
//!
//! A phone number that can receive the code is the applicant's identity online: it is the
//! number every case records, so the applicant sees exactly the cases taken in under it.
//! Pure: the codes are drawn, hashed, stored and sent by the outer layers; the rules about
//! how often, how long and how many tries are here (docs/online.md).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::ServiceItem;
use crate::organization::string_enum;

// ---------------------------------------------------------------------------------------
// Sign-in by SMS code

/// How codes are limited. The defaults follow common practice for SMS sign-in in Chinese
/// government apps: six digits, five minutes, a minute between sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRules {
    /// How long a code stays valid.
    pub code_valid: TimeDelta,
    /// The least time between two codes sent to one phone.
    pub resend_after: TimeDelta,
    /// Codes one phone may be sent per rolling hour and per rolling day: each one is a
    /// message someone pays for and a phone someone may be harassing.
    pub per_hour: usize,
    pub per_day: usize,
    /// Wrong guesses a code survives; then it is spent and a new one must be asked for.
    pub attempts: u32,
    /// How long a signed-in applicant stays signed in without signing in again.
    pub session: TimeDelta,
}

impl Default for SignInRules {
    fn default() -> Self {
        SignInRules {
            code_valid: TimeDelta::minutes(5),
            resend_after: TimeDelta::seconds(60),
            per_hour: 5,
            per_day: 10,
            attempts: 5,
            session: TimeDelta::hours(2),
        }
    }
}

/// Why a code was not sent or not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("验证码只能发送到手机号码 / a code can only be sent to a mobile number")]
    NotMobile,
    #[error("验证码已发送，请{seconds}秒后再试 / a code was just sent; try again in {seconds} s")]
    TooSoon { seconds: i64 },
    #[error(
        "该号码今日获取验证码次数过多，请稍后再试 / too many codes for this number; try again later"
    )]
    TooMany,
    #[error("验证码应为6位数字 / the code is six digits")]
    Malformed,
    #[error("验证码错误，还可再试{left}次 / wrong code; {left} tries left")]
    Wrong { left: u32 },
    #[error("验证码已失效，请重新获取 / the code has expired or been used; ask for a new one")]
    Expired,
}

/// Whether a code may be sent to a phone that was sent codes at `sent` (any order).
pub fn may_send_code(
    rules: &SignInRules,
    sent: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<(), SignInError> {
    if let Some(last) = sent.iter().max() {
        let wait = *last + rules.resend_after - now;
        if wait > TimeDelta::zero() {
            // Round up: "try in 0 s" would be wrong.
            let seconds = (wait.num_milliseconds() + 999) / 1000;
            return Err(SignInError::TooSoon { seconds });
        }
    }
    let within = |span: TimeDelta| sent.iter().filter(|at| now - **at < span).count();
    if within(TimeDelta::hours(1)) >= rules.per_hour || within(TimeDelta::days(1)) >= rules.per_day
    {
        return Err(SignInError::TooMany);
    }
    Ok(())
}

/// The six digits of a code drawn as `random`.
pub fn code_text(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

/// What is kept of a code: never the digits, only their hash with the phone.
pub fn code_hash(phone: &str, code: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"liandong-sign-in\0");
    hash.update(phone.as_bytes());
    hash.update(b"\0");
    hash.update(code.as_bytes());
    hex::encode(hash.finalize())
}

/// The latest code sent to a phone, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub hash: String,
    pub sent_at: DateTime<Utc>,
    /// Wrong guesses so far.
    pub failures: u32,
    pub used: bool,
}

/// Checks `given` against the latest code sent to `phone`. On `Wrong` the caller records the
/// failure; on success it marks the code used (one code, one sign-in).
pub fn check_code(
    rules: &SignInRules,
    phone: &str,
    issued: Option<&IssuedCode>,
    given: &str,
    now: DateTime<Utc>,
) -> Result<(), SignInError> {
    let given = given.trim();
    if given.len() != 6 || !given.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignInError::Malformed);
    }
    let Some(issued) = issued else {
        return Err(SignInError::Expired);
    };
    if issued.used || issued.failures >= rules.attempts || now - issued.sent_at > rules.code_valid {
        return Err(SignInError::Expired);
    }
    if !same(&code_hash(phone, given), &issued.hash) {
        return Err(SignInError::Wrong {
            left: rules.attempts.saturating_sub(issued.failures + 1),
        });
    }
    Ok(())
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

// ---------------------------------------------------------------------------------------
// Uploaded materials

/// The kinds of file taken: what a scanner or a phone camera produces, and what officers can
/// open on any workstation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
}
string_enum!(MediaType { Pdf => "pdf", Jpeg => "jpeg", Png => "png" });

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }

    /// What the bytes are, by their signature: the name and the declared type of an upload
    /// are whatever the sender says, the content is what an officer's viewer will open.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(MediaType::Png)
        } else {
            None
        }
    }
}

/// The largest file taken: a multi-page scan at 300 dpi fits; a video does not.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most files one application or supplement carries.
pub const MAX_FILES: usize = 20;
/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 100;

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("文件“{name}”是空的 / the file `{name}` is empty")]
    Empty { name: String },
    #[error(
        "文件“{name}”过大（{size_kb} KB），每个文件不超过{} MB / the file `{name}` is too large ({size_kb} KB); at most {} MB each",
        MAX_FILE_BYTES / 1024 / 1024, MAX_FILE_BYTES / 1024 / 1024
    )]
    TooLarge { name: String, size_kb: usize },
    #[error("文件“{name}”不是PDF、JPEG或PNG格式 / the file `{name}` is not a PDF, JPEG or PNG")]
    WrongType { name: String },
    #[error("一次最多上传{MAX_FILES}个文件 / at most {MAX_FILES} files at once")]
    TooManyFiles,
    #[error("“{0}”不是本事项的申请材料 / `{0}` is not a material of this item")]
    UnknownMaterial(String),
    #[error("请至少上传一个文件 / upload at least one file")]
    Nothing,
}

/// A file that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    /// SHA-256 of the content, hex: the file's address, so that the same scan sent twice is
    /// stored once.
    pub sha256: String,
    pub media_type: MediaType,
    /// The name to show and to download under.
    pub file_name: String,
    pub size: usize,
}

/// Checks one uploaded file: not empty, not too large, a PDF, JPEG or PNG by content.
pub fn check_file(file_name: &str, bytes: &[u8]) -> Result<CheckedFile, UploadError> {
    let name = clean_file_name(file_name);
    if bytes.is_empty() {
        return Err(UploadError::Empty { name });
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(UploadError::TooLarge {
            name,
            size_kb: bytes.len().div_ceil(1024),
        });
    }
    let media_type =
        MediaType::sniff(bytes).ok_or(UploadError::WrongType { name: name.clone() })?;
    Ok(CheckedFile {
        sha256: hex::encode(Sha256::digest(bytes)),
        media_type,
        file_name: name,
        size: bytes.len(),
    })
}

/// A file name fit to show and to put in a download header: the last path component, no
/// control characters or quotes, at most 100 characters; "材料" when nothing is left.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "材料".to_owned()
    } else {
        cleaned
    }
}

/// Checks that every material named is one of the item's, that there are files at all and
/// not too many; returns the distinct material names in the item's order, as the case
/// records them received.
pub fn materials_received(item: &ServiceItem, named: &[&str]) -> Result<Vec<String>, UploadError> {
    if named.is_empty() {
        return Err(UploadError::Nothing);
    }
    if named.len() > MAX_FILES {
        return Err(UploadError::TooManyFiles);
    }
    if let Some(unknown) = named
        .iter()
        .find(|n| !item.materials.iter().any(|m| m.name == **n))
    {
        return Err(UploadError::UnknownMaterial((*unknown).to_owned()));
    }
    Ok(item
        .materials
        .iter()
        .filter(|m| named.contains(&m.name.as_str()))
        .map(|m| m.name.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;
    use crate::case::fixtures::a_licence;

    fn at(minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 2, minute, second).unwrap()
    }

    #[test]
    fn a_first_code_may_be_sent_and_the_next_only_after_a_minute() {
        let rules = SignInRules::default();
        assert_eq!(may_send_code(&rules, &[], at(0, 0)), Ok(()));
        assert_eq!(
            may_send_code(&rules, &[at(0, 0)], at(0, 1)),
            Err(SignInError::TooSoon { seconds: 59 })
        );
        assert_eq!(
            may_send_code(&rules, &[at(0, 0)], at(0, 59)),
            Err(SignInError::TooSoon { seconds: 1 })
        );
        assert_eq!(may_send_code(&rules, &[at(0, 0)], at(1, 0)), Ok(()));
    }

    #[test]
    fn five_codes_an_hour_and_ten_a_day() {
        let rules = SignInRules::default();
        let five: Vec<_> = (0..5).map(|i| at(i * 2, 0)).collect();
        assert_eq!(
            may_send_code(&rules, &five, at(30, 0)),
            Err(SignInError::TooMany)
        );
        // An hour after the first, one of the five has left the window.
        let later = at(0, 0) + TimeDelta::minutes(61);
        assert_eq!(may_send_code(&rules, &five, later), Ok(()));
        let ten: Vec<_> = (0..10).map(|i| at(0, 0) + TimeDelta::hours(i)).collect();
        let next_day_minus = at(0, 0) + TimeDelta::hours(23);
        assert_eq!(
            may_send_code(&rules, &ten, next_day_minus),
            Err(SignInError::TooMany)
        );
        assert_eq!(
            may_send_code(&rules, &ten, at(0, 0) + TimeDelta::hours(24)),
            Ok(())
        );
    }

    fn issued(code: &str, sent_at: DateTime<Utc>) -> IssuedCode {
        IssuedCode {
            hash: code_hash("13800138000", code),
            sent_at,
            failures: 0,
            used: false,
        }
    }

    #[test]
    fn the_right_code_in_time_signs_in() {
        let rules = SignInRules::default();
        let code = issued("042917", at(0, 0));
        assert_eq!(
            check_code(&rules, "13800138000", Some(&code), " 042917 ", at(4, 59)),
            Ok(())
        );
    }

    #[test]
    fn a_code_is_for_its_phone_only() {
        let rules = SignInRules::default();
        let code = issued("042917", at(0, 0));
        assert!(matches!(
            check_code(&rules, "13900139000", Some(&code), "042917", at(1, 0)),
            Err(SignInError::Wrong { .. })
        ));
    }

    #[test]
    fn wrong_guesses_count_down_and_then_the_code_is_spent() {
        let rules = SignInRules::default();
        let mut code = issued("042917", at(0, 0));
        for left in (0..5).rev() {
            assert_eq!(
                check_code(&rules, "13800138000", Some(&code), "000000", at(1, 0)),
                Err(SignInError::Wrong { left })
            );
            code.failures += 1;
        }
        assert_eq!(
            check_code(&rules, "13800138000", Some(&code), "042917", at(1, 0)),
            Err(SignInError::Expired),
            "after five wrong guesses even the right code is refused"
        );
    }

    #[test]
    fn an_old_a_used_or_a_missing_code_has_expired() {
        let rules = SignInRules::default();
        let code = issued("042917", at(0, 0));
        assert_eq!(
            check_code(&rules, "13800138000", Some(&code), "042917", at(5, 1)),
            Err(SignInError::Expired)
        );
        let used = IssuedCode { used: true, ..code };
        assert_eq!(
            check_code(&rules, "13800138000", Some(&used), "042917", at(1, 0)),
            Err(SignInError::Expired)
        );
        assert_eq!(
            check_code(&rules, "13800138000", None, "042917", at(1, 0)),
            Err(SignInError::Expired)
        );
    }

    #[test]
    fn a_code_is_six_digits() {
        let rules = SignInRules::default();
        for given in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(
                check_code(&rules, "13800138000", None, given, at(0, 0)),
                Err(SignInError::Malformed),
                "{given:?}"
            );
        }
        assert_eq!(code_text(7), "000007");
        assert_eq!(code_text(4_294_967_295), "967295");
    }

    #[test]
    fn files_are_known_by_their_content_not_their_name() {
        let pdf = b"%PDF-1.7\n...";
        let checked = check_file("C:\\扫描\\身份证.jpg", pdf).unwrap();
        assert_eq!(checked.media_type, MediaType::Pdf);
        assert_eq!(checked.file_name, "身份证.jpg");
        assert_eq!(checked.size, pdf.len());
        assert_eq!(checked.sha256, hex::encode(Sha256::digest(pdf)));
        assert_eq!(
            check_file("a.jpg", &[0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .media_type,
            MediaType::Jpeg
        );
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(check_file("a", &png).unwrap().media_type, MediaType::Png);
        assert_eq!(
            check_file("合同.pdf", b"MZ\x90\0 an executable"),
            Err(UploadError::WrongType {
                name: "合同.pdf".into()
            })
        );
        assert_eq!(
            check_file("a.pdf", b"%PDF"),
            Err(UploadError::WrongType {
                name: "a.pdf".into()
            }),
            "a truncated signature is not a PDF"
        );
    }

    #[test]
    fn files_must_have_content_and_stay_within_the_limit() {
        assert_eq!(
            check_file("a.pdf", b""),
            Err(UploadError::Empty {
                name: "a.pdf".into()
            })
        );
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_FILE_BYTES, 0);
        assert!(
            check_file("a.pdf", &big).is_ok(),
            "exactly the limit is taken"
        );
        big.push(0);
        let err = check_file("a.pdf", &big).unwrap_err();
        assert_eq!(
            err,
            UploadError::TooLarge {
                name: "a.pdf".into(),
                size_kb: 10 * 1024 + 1
            }
        );
        let text = err.to_string();
        assert!(text.contains("10 MB") && text.contains(" / "), "{text}");
    }

    #[test]
    fn file_names_lose_paths_controls_and_quotes() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b;\r\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".hidden"), "hidden");
        assert_eq!(clean_file_name("   "), "材料");
        assert_eq!(clean_file_name("dir/"), "材料");
        assert_eq!(clean_file_name(&"长".repeat(300)).chars().count(), 100);
    }

    #[test]
    fn materials_received_are_the_items_own_in_its_order_once_each() {
        let item = a_licence();
        let names: Vec<&str> = item.materials.iter().map(|m| m.name.as_str()).collect();
        assert!(names.len() >= 2, "the fixture has several materials");
        let given = [names[1], names[0], names[1]];
        assert_eq!(
            materials_received(&item, &given).unwrap(),
            vec![names[0].to_owned(), names[1].to_owned()]
        );
        assert_eq!(
            materials_received(&item, &["户口本"]),
            Err(UploadError::UnknownMaterial("户口本".into()))
        );
        assert_eq!(materials_received(&item, &[]), Err(UploadError::Nothing));
        let many = vec![names[0]; MAX_FILES + 1];
        assert_eq!(
            materials_received(&item, &many),
            Err(UploadError::TooManyFiles)
        );
    }

    #[test]
    fn every_refusal_speaks_both_languages() {
        let errors: Vec<String> = vec![
            SignInError::NotMobile.to_string(),
            SignInError::TooSoon { seconds: 5 }.to_string(),
            SignInError::TooMany.to_string(),
            SignInError::Malformed.to_string(),
            SignInError::Wrong { left: 2 }.to_string(),
            SignInError::Expired.to_string(),
            UploadError::Empty { name: "a".into() }.to_string(),
            UploadError::TooLarge {
                name: "a".into(),
                size_kb: 1,
            }
            .to_string(),
            UploadError::WrongType { name: "a".into() }.to_string(),
            UploadError::TooManyFiles.to_string(),
            UploadError::UnknownMaterial("a".into()).to_string(),
            UploadError::Nothing.to_string(),
        ];
        for text in errors {
            assert!(crate::case::fixtures::bilingual(&text), "{text}");
        }
    }
}
