//! The one error type of tokens, keys, rendering and verification.

/// Why a certificate could not be made or was not accepted.
///
/// The verification variants are distinct on purpose: a file without our trailer
/// (`NotACertificate`) is a different answer to the public than a file that was changed
/// (`Altered`) or a token nobody we trust signed (`BadSignature`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("不是电子证照文件（没有证照签名） / not a certificate file (no certificate trailer)")]
    NotACertificate,
    #[error("证照文件已被改动 / the certificate file has been altered")]
    Altered,
    #[error("证照签名无效 / the certificate's signature is not valid")]
    BadSignature,
    /// The reason is itself bilingual.
    #[error("证照数据格式错误 / malformed certificate data: {0}")]
    Malformed(&'static str),
    #[error(
        "证照字段“{field}”为空、过长或含控制字符 / the certificate field {field} is empty, too long or contains control characters"
    )]
    InvalidField { field: &'static str },
    #[error("公钥格式错误 / not a valid ed25519 public key")]
    BadPublicKey,
    #[error("字体无法读取 / the font cannot be read")]
    BadFont,
    #[error("字体缺少字符“{0}” / the font has no glyph for '{0}'")]
    MissingGlyph(char),
    #[error("证照内容过多，一页放不下 / too much content for one page")]
    TooMuchContent,
    #[error("二维码内容过长 / the QR code's text is too long")]
    QrCodeTooLong,
}
