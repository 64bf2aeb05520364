//! The signed token behind the certificate's QR code.
//!
//! ```text
//! LD1.<base64url(payload bytes)>.<base64url(ed25519 signature of the payload bytes)>
//! ```
//!
//! base64url is RFC 4648 §5 without padding, decoded strictly (no padding, no stray bits), so
//! a token has exactly one spelling. The **payload bytes** are the UTF-8 text of seven fields
//! in this fixed order, joined by a line feed (U+000A):
//!
//! ```text
//! identifier \n title \n holder \n issuer \n issued_on \n valid_until \n case_number
//! ```
//!
//! Dates are `YYYY-MM-DD`; `valid_until` is empty for a certificate without expiry. Text
//! fields are non-empty, at most [`MAX_FIELD_CHARS`] characters, without control characters
//! (so never a line feed) and without surrounding whitespace: one payload has exactly one
//! byte form, and verifying re-encodes the decoded payload and compares it byte for byte.
//!
//! The holder's name is masked before it goes in (a QR code is public): a person keeps the
//! first character, an organisation keeps its whole name. The full data is on the
//! certificate itself.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use ed25519_dalek::{SIGNATURE_LENGTH, Signature, Signer as _, SigningKey, VerifyingKey};
use liandong_domain::case::disclosure::mask_person_name;

use crate::{CertificateError, LicenceIdentifier};

/// The longest text field of a payload, in characters: keeps the QR code readable.
pub const MAX_FIELD_CHARS: usize = 100;
const PREFIX: &str = "LD1";
const DATE_FORMAT: &str = "%Y-%m-%d";
/// A token's query parameter in the verification URL.
const QUERY_KEY: &str = "c";
/// Generous bound on a token's length (seven full fields, base64, signature): refuses huge
/// inputs before decoding them.
const MAX_TOKEN_LEN: usize = 4096;

/// Whether a certificate's holder is a natural person or an organisation; decides masking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolderKind {
    Person,
    Organisation,
}

/// The holder's name as public views show it: a person keeps the first character and the
/// rest is `*`, at least one (`张三丰` → `张**`, `张` → `张*`), as the domain's public case
/// lookup masks names; an organisation's name is public record and kept whole. Surrounding
/// whitespace is trimmed.
pub fn mask_holder_name(name: &str, kind: HolderKind) -> String {
    match kind {
        HolderKind::Organisation => name.trim().to_owned(),
        HolderKind::Person => mask_person_name(name),
    }
}

/// Whether a certificate is in force on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    Valid,
    Expired,
}

/// What the QR code carries, signed. Build it from a [`crate::Certificate`] with
/// [`crate::Certificate::payload`], which masks the holder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub identifier: LicenceIdentifier,
    /// The certificate's title, e.g. 食品经营许可证.
    pub title: String,
    /// The holder's name, already masked (see [`mask_holder_name`]).
    pub holder: String,
    /// The issuing unit's name.
    pub issuer: String,
    pub issued_on: NaiveDate,
    /// The last day the certificate is in force; `None` for no expiry.
    pub valid_until: Option<NaiveDate>,
    /// The case (办件) number the certificate was issued on.
    pub case_number: String,
}

/// A text field: 1 to `max_chars` characters, no control characters, no surrounding
/// whitespace.
pub(crate) fn check_text(
    field: &'static str,
    text: &str,
    max_chars: usize,
) -> Result<(), CertificateError> {
    let count = text.chars().count();
    let fine = (1..=max_chars).contains(&count)
        && text.trim() == text
        && !text.chars().any(char::is_control);
    if fine {
        Ok(())
    } else {
        Err(CertificateError::InvalidField { field })
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text, DATE_FORMAT).ok()?;
    // Only the canonical spelling (four-digit year, two-digit month and day).
    (date.format(DATE_FORMAT).to_string() == text).then_some(date)
}

impl Payload {
    /// Checks the text fields (see the module doc).
    pub fn validate(&self) -> Result<(), CertificateError> {
        check_text("title", &self.title, MAX_FIELD_CHARS)?;
        check_text("holder", &self.holder, MAX_FIELD_CHARS)?;
        check_text("issuer", &self.issuer, MAX_FIELD_CHARS)?;
        check_text("case_number", &self.case_number, MAX_FIELD_CHARS)?;
        Ok(())
    }

    /// The canonical payload bytes (see the module doc); checks the fields first.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CertificateError> {
        self.validate()?;
        let valid_until = self
            .valid_until
            .map(|date| date.format(DATE_FORMAT).to_string())
            .unwrap_or_default();
        let fields = [
            self.identifier.to_string(),
            self.title.clone(),
            self.holder.clone(),
            self.issuer.clone(),
            self.issued_on.format(DATE_FORMAT).to_string(),
            valid_until,
            self.case_number.clone(),
        ];
        Ok(fields.join("\n").into_bytes())
    }

    /// Reads canonical payload bytes; anything else is `Malformed`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CertificateError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| CertificateError::Malformed("内容不是 UTF-8 / payload is not UTF-8"))?;
        let fields: Vec<&str> = text.split('\n').collect();
        let [
            identifier,
            title,
            holder,
            issuer,
            issued_on,
            valid_until,
            case_number,
        ] = fields.as_slice()
        else {
            return Err(CertificateError::Malformed(
                "字段数不对 / wrong number of payload fields",
            ));
        };
        let identifier = LicenceIdentifier::parse(identifier)
            .map_err(|_| CertificateError::Malformed("证照标识无效 / bad licence identifier"))?;
        let issued_on = parse_date(issued_on)
            .ok_or(CertificateError::Malformed("发证日期无效 / bad issue date"))?;
        let valid_until = match *valid_until {
            "" => None,
            text => Some(
                parse_date(text)
                    .ok_or(CertificateError::Malformed("有效期无效 / bad expiry date"))?,
            ),
        };
        let payload = Self {
            identifier,
            title: (*title).to_owned(),
            holder: (*holder).to_owned(),
            issuer: (*issuer).to_owned(),
            issued_on,
            valid_until,
            case_number: (*case_number).to_owned(),
        };
        let canonical = payload
            .to_bytes()
            .map_err(|_| CertificateError::Malformed("字段无效 / bad payload field"))?;
        if canonical != bytes {
            return Err(CertificateError::Malformed(
                "不是规范编码 / payload is not in canonical form",
            ));
        }
        Ok(payload)
    }

    /// Signs the payload into a token.
    pub fn sign(&self, key: &SigningKey) -> Result<Token, CertificateError> {
        let bytes = self.to_bytes()?;
        let signature = key.sign(&bytes);
        Ok(Token(format!(
            "{PREFIX}.{}.{}",
            URL_SAFE_NO_PAD.encode(&bytes),
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )))
    }

    /// Valid through `valid_until` inclusive; a certificate without expiry is always valid.
    /// The caller passes its own date (China Standard Time): this crate reads no clock.
    pub fn status_on(&self, date: NaiveDate) -> Validity {
        match self.valid_until {
            Some(last) if date > last => Validity::Expired,
            _ => Validity::Valid,
        }
    }
}

/// A token as it is written in the QR code and the PDF trailer: well formed, signature not
/// yet checked (see [`verify_token`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text of the QR code: `<verify_base>/verify?c=<token>`. A token is made of
    /// `[A-Za-z0-9._-]` only, so it needs no escaping. A trailing `/` of the base is dropped.
    pub fn qr_text(&self, verify_base: &str) -> String {
        format!(
            "{}/verify?{QUERY_KEY}={}",
            verify_base.trim().trim_end_matches('/'),
            self.0
        )
    }

    /// The decoded payload bytes and signature; the token was checked when it was made.
    fn parts(&self) -> Result<(Vec<u8>, Signature), CertificateError> {
        let malformed = || CertificateError::Malformed("令牌格式错误 / bad token format");
        let mut parts = self.0.split('.');
        let (Some(PREFIX), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
        let signature: [u8; SIGNATURE_LENGTH] = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| malformed())?
            .try_into()
            .map_err(|_| malformed())?;
        if payload.is_empty() {
            return Err(malformed());
        }
        Ok((payload, Signature::from_bytes(&signature)))
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Token {
    type Err = CertificateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_token(text)
    }
}

/// Reads a token, bare (`LD1.…`) or inside the verification URL (its `c` query
/// parameter), as a scanner hands it over. Checks the format only, not the signature.
pub fn parse_token(text: &str) -> Result<Token, CertificateError> {
    let text = text.trim();
    if text.len() > MAX_TOKEN_LEN {
        return Err(CertificateError::Malformed("令牌过长 / token too long"));
    }
    let candidate = if text.starts_with("LD1.") {
        text
    } else {
        let query =
            text.split_once('?')
                .map(|(_, query)| query)
                .ok_or(CertificateError::Malformed(
                    "不是证照令牌或核验网址 / neither a token nor a verification URL",
                ))?;
        let query = query.split('#').next().unwrap_or_default();
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("c="))
            .ok_or(CertificateError::Malformed(
                "核验网址中没有令牌 / no token in the verification URL",
            ))?
    };
    let token = Token(candidate.to_owned());
    token.parts()?;
    Ok(token)
}

/// Parses a token (or its URL) and checks its signature with the issuer's public key; returns
/// the payload. Any altered byte gives `BadSignature` (or `Malformed` if the format breaks).
pub fn verify_token(text: &str, key: &VerifyingKey) -> Result<Payload, CertificateError> {
    let token = parse_token(text)?;
    let (bytes, signature) = token.parts()?;
    key.verify_strict(&bytes, &signature)
        .map_err(|_| CertificateError::BadSignature)?;
    Payload::from_bytes(&bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::signing_key_from_seed;

    pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub(crate) fn sample_payload() -> Payload {
        Payload {
            identifier: LicenceIdentifier::new("11100", "91350100M000100Y43", "20260001", 1)
                .unwrap(),
            title: "食品经营许可证".to_owned(),
            holder: mask_holder_name("张三丰", HolderKind::Person),
            issuer: "某某区行政审批局".to_owned(),
            issued_on: date(2026, 5, 6),
            valid_until: Some(date(2031, 5, 5)),
            case_number: "20307-20260506-0042".to_owned(),
        }
    }

    fn key() -> SigningKey {
        signing_key_from_seed(&[42; 32])
    }

    #[test]
    fn names_are_masked_for_people_and_kept_for_organisations() {
        assert_eq!(mask_holder_name("张三丰", HolderKind::Person), "张**");
        assert_eq!(mask_holder_name("张三", HolderKind::Person), "张*");
        assert_eq!(mask_holder_name("张", HolderKind::Person), "张*");
        assert_eq!(mask_holder_name(" 欧阳娜娜 ", HolderKind::Person), "欧***");
        assert_eq!(
            mask_holder_name("阿依古丽·买买提", HolderKind::Person),
            "阿*******"
        );
        assert_eq!(mask_holder_name("", HolderKind::Person), "");
        assert_eq!(
            mask_holder_name("福州某某餐饮有限公司", HolderKind::Organisation),
            "福州某某餐饮有限公司"
        );
        assert_eq!(
            mask_holder_name(" 某某公司\n", HolderKind::Organisation),
            "某某公司"
        );
    }

    #[test]
    fn the_payload_bytes_are_the_documented_canonical_form() {
        let payload = sample_payload();
        let text = String::from_utf8(payload.to_bytes().unwrap()).unwrap();
        assert_eq!(
            text,
            format!(
                "{}\n食品经营许可证\n张**\n某某区行政审批局\n2026-05-06\n2031-05-05\n20307-20260506-0042",
                payload.identifier
            )
        );
        assert_eq!(Payload::from_bytes(text.as_bytes()).unwrap(), payload);
        let no_expiry = Payload {
            valid_until: None,
            ..sample_payload()
        };
        let bytes = no_expiry.to_bytes().unwrap();
        assert!(
            String::from_utf8(bytes.clone())
                .unwrap()
                .contains("\n2026-05-06\n\n20307-")
        );
        assert_eq!(Payload::from_bytes(&bytes).unwrap(), no_expiry);
    }

    #[test]
    fn payload_bytes_in_another_form_are_malformed() {
        let good = String::from_utf8(sample_payload().to_bytes().unwrap()).unwrap();
        for bad in [
            good.replace("2026-05-06", "2026-5-6"),
            good.replace("2026-05-06", "2026-02-30"),
            good.replace("2031-05-05", "never"),
            good.replace("张**", " 张**"),
            good.replace("张**", ""),
            good.replace("\n20307-", "\n\n20307-"),
            format!("{good}\n"),
            good.replace('\n', "\r\n"),
            good.replace("1.2.156", "1.2.157"),
            good.replace("食品", "食\u{7}品"),
        ] {
            assert!(
                matches!(
                    Payload::from_bytes(bad.as_bytes()),
                    Err(CertificateError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            Payload::from_bytes(&[0xff, 0xfe]),
            Err(CertificateError::Malformed(_))
        ));
    }

    #[test]
    fn invalid_fields_are_refused_when_signing() {
        let long = "长".repeat(MAX_FIELD_CHARS + 1);
        for (field, payload) in [
            (
                "title",
                Payload {
                    title: String::new(),
                    ..sample_payload()
                },
            ),
            (
                "holder",
                Payload {
                    holder: "张\n三".to_owned(),
                    ..sample_payload()
                },
            ),
            (
                "issuer",
                Payload {
                    issuer: long.clone(),
                    ..sample_payload()
                },
            ),
            (
                "case_number",
                Payload {
                    case_number: " 20307-20260506-0042".to_owned(),
                    ..sample_payload()
                },
            ),
        ] {
            assert_eq!(
                payload.sign(&key()).unwrap_err(),
                CertificateError::InvalidField { field }
            );
        }
        let longest = Payload {
            issuer: "长".repeat(MAX_FIELD_CHARS),
            ..sample_payload()
        };
        assert!(longest.sign(&key()).is_ok());
    }

    #[test]
    fn a_token_round_trips_bare_and_in_its_url() {
        let payload = sample_payload();
        let token = payload.sign(&key()).unwrap();
        assert!(token.as_str().starts_with("LD1."));
        assert!(
            token
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        );
        // Deterministic: ed25519 signatures need no randomness.
        assert_eq!(payload.sign(&key()).unwrap(), token);
        let public = key().verifying_key();
        assert_eq!(verify_token(token.as_str(), &public).unwrap(), payload);

        let url = token.qr_text("https://zwfw.example.gov.cn/");
        assert_eq!(url, format!("https://zwfw.example.gov.cn/verify?c={token}"));
        assert_eq!(parse_token(&url).unwrap(), token);
        assert_eq!(verify_token(&url, &public).unwrap(), payload);
        let with_more = format!("https://x.example/verify?lang=zh&c={token}#top");
        assert_eq!(parse_token(&with_more).unwrap(), token);
        assert_eq!(token.to_string().parse::<Token>().unwrap(), token);
        assert_eq!(parse_token(&format!(" {token}\n")).unwrap(), token);
    }

    #[test]
    fn a_flipped_bit_in_the_payload_or_the_signature_fails() {
        let public = key().verifying_key();
        let token = sample_payload().sign(&key()).unwrap();
        let (payload, signature) = token.parts().unwrap();
        let signature = signature.to_bytes();
        for index in 0..payload.len() {
            for bit in [0, 3, 7] {
                let mut changed = payload.clone();
                changed[index] ^= 1 << bit;
                let text = format!(
                    "LD1.{}.{}",
                    URL_SAFE_NO_PAD.encode(&changed),
                    URL_SAFE_NO_PAD.encode(signature)
                );
                assert_eq!(
                    verify_token(&text, &public).unwrap_err(),
                    CertificateError::BadSignature
                );
            }
        }
        for index in 0..signature.len() {
            let mut changed = signature;
            changed[index] ^= 0x10;
            let text = format!(
                "LD1.{}.{}",
                URL_SAFE_NO_PAD.encode(&payload),
                URL_SAFE_NO_PAD.encode(changed)
            );
            assert_eq!(
                verify_token(&text, &public).unwrap_err(),
                CertificateError::BadSignature
            );
        }
    }

    #[test]
    fn any_changed_character_of_the_token_text_fails() {
        let public = key().verifying_key();
        let token = sample_payload().sign(&key()).unwrap();
        let text = token.as_str();
        for index in 0..text.len() {
            for replacement in ['A', 'g', '0', '-', '_', '.', '='] {
                let mut bytes = text.as_bytes().to_vec();
                if bytes[index] == replacement as u8 {
                    continue;
                }
                bytes[index] = replacement as u8;
                let changed = String::from_utf8(bytes).unwrap();
                let error = verify_token(&changed, &public).unwrap_err();
                assert!(
                    matches!(
                        error,
                        CertificateError::BadSignature | CertificateError::Malformed(_)
                    ),
                    "{changed}: {error:?}"
                );
            }
        }
    }

    #[test]
    fn a_token_signed_by_another_key_fails() {
        let token = sample_payload()
            .sign(&signing_key_from_seed(&[43; 32]))
            .unwrap();
        assert_eq!(
            verify_token(token.as_str(), &key().verifying_key()).unwrap_err(),
            CertificateError::BadSignature
        );
    }

    #[test]
    fn malformed_tokens_are_rejected_before_the_signature() {
        let public = key().verifying_key();
        let token = sample_payload().sign(&key()).unwrap();
        let (payload, signature) = token.as_str()[4..].split_once('.').unwrap();
        for bad in [
            String::new(),
            "LD1".to_owned(),
            "LD1..".to_owned(),
            format!("LD2.{payload}.{signature}"),
            format!("LD1.{payload}"),
            format!("LD1.{payload}.{signature}.x"),
            format!("LD1.{payload}=.{signature}"),
            format!("LD1.{payload}.{}", &signature[1..]),
            format!("LD1.{payload}.{signature}AA"),
            format!("LD1..{signature}"),
            format!("LD1.{payload}.{signature}").replace('-', "+"),
            "https://x.example/verify".to_owned(),
            "https://x.example/verify?d=1".to_owned(),
            format!("https://x.example/verify?c=LD1.{payload}"),
            "A".repeat(MAX_TOKEN_LEN + 1),
        ] {
            let error = verify_token(&bad, &public).unwrap_err();
            assert!(
                matches!(error, CertificateError::Malformed(_)),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn a_validly_signed_but_malformed_payload_is_malformed() {
        let bytes = b"not a payload";
        let signature = key().sign(bytes);
        let text = format!(
            "LD1.{}.{}",
            URL_SAFE_NO_PAD.encode(bytes),
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        );
        assert!(matches!(
            verify_token(&text, &key().verifying_key()),
            Err(CertificateError::Malformed(_))
        ));
    }

    #[test]
    fn the_status_compares_the_expiry_with_the_callers_date() {
        let payload = sample_payload();
        assert_eq!(payload.status_on(date(2026, 5, 6)), Validity::Valid);
        assert_eq!(payload.status_on(date(2031, 5, 5)), Validity::Valid);
        assert_eq!(payload.status_on(date(2031, 5, 6)), Validity::Expired);
        let forever = Payload {
            valid_until: None,
            ..payload
        };
        assert_eq!(forever.status_on(date(2999, 1, 1)), Validity::Valid);
    }

    proptest! {
        #[test]
        fn parsing_and_verifying_never_panic(text in any::<String>()) {
            let public = key().verifying_key();
            let _ = parse_token(&text);
            let _ = verify_token(&text, &public);
            let _ = Payload::from_bytes(text.as_bytes());
        }

        #[test]
        fn parsing_and_verifying_never_panic_on_token_like_text(
            text in "(https://a\\.b/verify\\?c=)?LD1\\.[A-Za-z0-9_=.-]{0,120}",
        ) {
            let public = key().verifying_key();
            let _ = verify_token(&text, &public);
        }

        #[test]
        fn any_valid_payload_round_trips(
            title in "[\\p{Han}A-Za-z0-9（）]{1,30}",
            holder in "\\p{Han}{1,6}",
            company in any::<bool>(),
            days in 0i64..40_000,
            validity in proptest::option::of(0i64..20_000),
            case_number in "[A-Z0-9-]{1,30}",
        ) {
            let issued_on = date(1950, 1, 1) + chrono::TimeDelta::days(days);
            let kind = if company { HolderKind::Organisation } else { HolderKind::Person };
            let payload = Payload {
                title,
                holder: mask_holder_name(&holder, kind),
                issued_on,
                valid_until: validity.map(|days| issued_on + chrono::TimeDelta::days(days)),
                case_number,
                ..sample_payload()
            };
            let token = payload.sign(&key()).unwrap();
            prop_assert_eq!(verify_token(token.as_str(), &key().verifying_key()).unwrap(), payload);
        }
    }
}
