//! Electronic certificates (电子证照): the licence identifier, the signed token behind the QR
//! code, the PDF and its offline check.
//!
//! No I/O, no clock, no random numbers: callers pass the font bytes, the signing seed and the
//! date in, and store or serve what comes out. Tokens are deterministic (ed25519 needs no
//! randomness); PDF bytes are not quite, since printpdf names its resources from a
//! process-wide counter. See `docs/design/certificates.md` for the formats.
//!
//! - [`LicenceIdentifier`], the identifier
//!   `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>`;
//! - [`Payload`] and [`Token`], what the QR code carries, signed with ed25519;
//! - [`render_pdf`] and [`verify_pdf`], an A4 certificate whose every byte is signed in a
//!   trailer after `%%EOF`, so a copy can be checked without the network.

mod error;
mod identifier;
mod keys;
mod pdf;
mod token;

pub use ed25519_dalek::{SigningKey, VerifyingKey};

pub use error::CertificateError;
pub use identifier::{IdentifierError, LicenceIdentifier, mod37_2_check_char};
pub use keys::{parse_public_key, public_key_text, signing_key_from_seed};
pub use pdf::{
    Certificate, CertificateFont, VerifiedCertificate, render_pdf, sign_pdf, verify_pdf,
};
pub use token::{
    HolderKind, MAX_FIELD_CHARS, Payload, Token, Validity, mask_holder_name, parse_token,
    verify_token,
};
