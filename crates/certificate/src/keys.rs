//! Key handling: the signing key comes from a 32-byte seed the caller keeps secret (so this
//! crate needs no random number generator); the public key is published as text.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ed25519_dalek::{PUBLIC_KEY_LENGTH, SigningKey, VerifyingKey};

use crate::CertificateError;

/// The ed25519 signing key of a 32-byte secret seed (RFC 8032's private key). The same seed
/// always gives the same key.
pub fn signing_key_from_seed(seed: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(seed)
}

/// The public key as 64 lower-case hex digits, for publishing beside the verification page
/// and in configuration.
pub fn public_key_text(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// Reads a public key written as 64 hex digits (either case) or as base64 (standard or
/// URL-safe alphabet, with or without padding), surrounding whitespace ignored. Rejects
/// points that are not on the curve and the weak (small-order) keys.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, CertificateError> {
    let text = text.trim();
    let bytes = if text.len() == 2 * PUBLIC_KEY_LENGTH {
        hex::decode(text).map_err(|_| CertificateError::BadPublicKey)?
    } else {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .ok_or(CertificateError::BadPublicKey)?
    };
    let bytes: [u8; PUBLIC_KEY_LENGTH] = bytes
        .try_into()
        .map_err(|_| CertificateError::BadPublicKey)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| CertificateError::BadPublicKey)?;
    if key.is_weak() {
        return Err(CertificateError::BadPublicKey);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_key_and_the_rfc_8032_public_key() {
        // RFC 8032, section 7.1, test 1.
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let key = signing_key_from_seed(&seed);
        assert_eq!(
            public_key_text(&key.verifying_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(signing_key_from_seed(&seed), key);
    }

    #[test]
    fn a_public_key_reads_back_from_hex_and_base64() {
        let key = signing_key_from_seed(&[7; 32]).verifying_key();
        let hex_text = public_key_text(&key);
        assert_eq!(hex_text.len(), 64);
        assert_eq!(parse_public_key(&hex_text).unwrap(), key);
        assert_eq!(parse_public_key(&hex_text.to_uppercase()).unwrap(), key);
        assert_eq!(parse_public_key(&format!(" {hex_text}\n")).unwrap(), key);
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
            let text = engine.encode(key.as_bytes());
            assert_eq!(parse_public_key(&text).unwrap(), key, "{text}");
        }
    }

    #[test]
    fn malformed_and_weak_public_keys_are_rejected() {
        let key = signing_key_from_seed(&[7; 32]).verifying_key();
        let hex_text = public_key_text(&key);
        let identity = format!("01{}", "00".repeat(31));
        for bad in [
            "",
            "zz",
            &hex_text[..62],
            &format!("{hex_text}00"),
            &format!("{}g", &hex_text[..63]),
            &STANDARD.encode([1u8; 31]),
            // The identity point has small order: a weak key.
            &identity,
        ] {
            assert_eq!(
                parse_public_key(bad).unwrap_err(),
                CertificateError::BadPublicKey,
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn parsing_a_public_key_never_panics(text in any::<String>()) {
            let _ = parse_public_key(&text);
        }
    }
}
