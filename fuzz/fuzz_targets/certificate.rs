//! Electronic certificates, on arbitrary bytes: a scanned QR text (token or verification URL),
//! a certificate file handed in for checking, a typed licence identifier. Nothing may panic;
//! an identifier that parses must read back the same from its own text; a token or file that
//! verifies under the fixed key must carry a payload that signs back to the same token.
#![no_main]

use std::sync::OnceLock;

use liandong_certificate::{
    LicenceIdentifier, SigningKey, parse_token, signing_key_from_seed, verify_pdf, verify_token,
};
use libfuzzer_sys::fuzz_target;

/// The key of the seed corpus (fuzz/corpus/certificate): seed 0x2a repeated.
fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| signing_key_from_seed(&[42; 32]))
}

fuzz_target!(|data: &[u8]| {
    let public = key().verifying_key();

    if let Ok(verified) = verify_pdf(data, &public) {
        let again = verified
            .payload
            .sign(key())
            .expect("a verified payload signs");
        assert_eq!(again, verified.token);
    }

    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    if let Ok(token) = parse_token(text) {
        assert_eq!(parse_token(token.as_str()).as_ref(), Ok(&token), "{text:?}");
    }
    if let Ok(payload) = verify_token(text, &public) {
        let token = payload.sign(key()).expect("a verified payload signs");
        assert_eq!(parse_token(text).as_ref(), Ok(&token), "{text:?}");
    }
    if let Ok(identifier) = text.parse::<LicenceIdentifier>() {
        let written = identifier.to_string();
        assert_eq!(
            written.parse::<LicenceIdentifier>().as_ref(),
            Ok(&identifier)
        );
        assert!(written.starts_with("1.2.156.3005.2."), "{written}");
    }
});
