//! The certificate as a PDF, and its offline check.
//!
//! The page is drawn with `printpdf` operations: text in the CJK font the caller passes
//! (subset on save, so a certificate weighs tens of kilobytes, not the font's megabytes), the
//! seal and the QR code as vector graphics. Nothing is fetched, nothing is read from disk.
//!
//! **The trailer.** After the PDF's `%%EOF` two comment lines are appended:
//!
//! ```text
//! %LIANDONG-CERTIFICATE LD1.<payload>.<signature>
//! %LIANDONG-SIGNATURE <base64 ed25519 signature over every byte before this line>
//! ```
//!
//! PDF readers ignore bytes after `%%EOF` that are comments, so the file still opens
//! everywhere; [`verify_pdf`] checks that not one byte of the file changed, without the
//! network. Revocation cannot be seen offline: that is the online check's job.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Datelike, NaiveDate};
use ed25519_dalek::{SIGNATURE_LENGTH, Signature, Signer as _, SigningKey, VerifyingKey};
use printpdf::{
    Color, CurTransMat, FontId, Line, LinePoint, Mm, OffsetDateTime, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect,
    Rgb, TextItem, TextMatrix, WindingOrder,
};
use qrcode::{EcLevel, QrCode};

use crate::token::check_text;
use crate::{
    CertificateError, HolderKind, LicenceIdentifier, MAX_FIELD_CHARS, Payload, Token, Validity,
    mask_holder_name, verify_token,
};

const CERTIFICATE_MARK: &[u8] = b"\n%LIANDONG-CERTIFICATE ";
const SIGNATURE_MARK: &[u8] = b"\n%LIANDONG-SIGNATURE ";

// ---------------------------------------------------------------------------------------
// Input

/// Everything printed on a certificate. The certificate carries the full data; only the
/// QR payload is masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub identifier: LicenceIdentifier,
    /// e.g. 食品经营许可证.
    pub title: String,
    pub holder_name: String,
    pub holder_kind: HolderKind,
    /// The unified social credit code of an organisation, the identity document number of a
    /// person, in full.
    pub holder_id_number: String,
    /// The service item (事项) the certificate was issued under.
    pub item_name: String,
    /// Type-specific label/value pairs in print order, e.g. (经营场所, …), (经营项目, …).
    pub particulars: Vec<(String, String)>,
    pub issuer_name: String,
    pub issued_on: NaiveDate,
    /// The last day in force; `None` prints 长期 (no expiry).
    pub valid_until: Option<NaiveDate>,
    pub case_number: String,
}

impl Certificate {
    /// The QR payload of this certificate, with the holder's name masked for a person.
    pub fn payload(&self) -> Payload {
        Payload {
            identifier: self.identifier.clone(),
            title: self.title.trim().to_owned(),
            holder: mask_holder_name(&self.holder_name, self.holder_kind),
            issuer: self.issuer_name.trim().to_owned(),
            issued_on: self.issued_on,
            valid_until: self.valid_until,
            case_number: self.case_number.trim().to_owned(),
        }
    }
}

/// A parsed CJK font, kept to render many certificates from one parse.
#[derive(Debug, Clone)]
pub struct CertificateFont {
    font: ParsedFont,
    units_per_em: f32,
}

impl CertificateFont {
    /// Parses TrueType or OpenType bytes; `face_index` picks the face of a collection
    /// (`.ttc`, e.g. 0 for WenQuanYi Micro Hei), 0 for a single font. A font without
    /// Chinese characters is refused here rather than at the first certificate.
    pub fn from_bytes(bytes: &[u8], face_index: usize) -> Result<Self, CertificateError> {
        let font = ParsedFont::from_bytes(bytes, face_index, &mut Vec::new())
            .ok_or(CertificateError::BadFont)?;
        let units_per_em = f32::from(font.font_metrics.units_per_em);
        if units_per_em <= 0.0 || font.lookup_glyph_index(u32::from('证')).is_none() {
            return Err(CertificateError::BadFont);
        }
        Ok(Self { font, units_per_em })
    }

    /// The width of `text` at `size` points, in millimetres; refuses a character the font
    /// lacks (it would print as an empty box).
    fn width_mm(&self, text: &str, size: f32) -> Result<f32, CertificateError> {
        let mut units = 0.0;
        for c in text.chars() {
            let glyph = self
                .font
                .lookup_glyph_index(u32::from(c))
                .ok_or(CertificateError::MissingGlyph(c))?;
            units += f32::from(self.font.get_horizontal_advance(glyph));
        }
        Ok(units / self.units_per_em * size / MM_TO_PT)
    }

    /// Breaks `text` into lines no wider than `max_mm` (CJK text breaks anywhere).
    fn wrap(&self, text: &str, size: f32, max_mm: f32) -> Result<Vec<String>, CertificateError> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for c in text.chars() {
            line.push(c);
            if self.width_mm(&line, size)? > max_mm && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        Ok(lines)
    }
}

// ---------------------------------------------------------------------------------------
// Drawing

const MM_TO_PT: f32 = 72.0 / 25.4;
const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
/// The body's rows must end above the seal and QR code.
const BODY_BOTTOM: f32 = 100.0;
/// Where the issuer's name and the date end, left of the seal.
const ISSUER_RIGHT: f32 = 126.0;

fn pt(mm: f32) -> Pt {
    Pt(mm * MM_TO_PT)
}

fn point(x: f32, y: f32) -> Point {
    Point { x: pt(x), y: pt(y) }
}

fn black() -> Color {
    Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None))
}

fn seal_red() -> Color {
    Color::Rgb(Rgb::new(0.86, 0.08, 0.09, None))
}

fn frame_gold() -> Color {
    Color::Rgb(Rgb::new(0.62, 0.47, 0.2, None))
}

/// The page's operations, with the one font.
struct Canvas<'a> {
    font: &'a CertificateFont,
    font_id: FontId,
    ops: Vec<Op>,
}

impl Canvas<'_> {
    /// Text with its baseline's left end at (x, y) mm, turned `angle` degrees
    /// counter-clockwise. One text object per call: `Tm` sets an absolute position.
    fn text_at(
        &mut self,
        text: &str,
        (x, y): (f32, f32),
        size: f32,
        angle: f32,
        color: Color,
    ) -> Result<(), CertificateError> {
        self.font.width_mm(text, size)?;
        let (sin, cos) = angle.to_radians().sin_cos();
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetFont {
                font: PdfFontHandle::External(self.font_id.clone()),
                size: Pt(size),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Raw([cos, sin, -sin, cos, pt(x).0, pt(y).0]),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
        Ok(())
    }

    fn text(&mut self, text: &str, x: f32, y: f32, size: f32) -> Result<(), CertificateError> {
        self.text_at(text, (x, y), size, 0.0, black())
    }

    fn text_centred(
        &mut self,
        text: &str,
        centre_x: f32,
        y: f32,
        size: f32,
        color: Color,
    ) -> Result<(), CertificateError> {
        let width = self.font.width_mm(text, size)?;
        self.text_at(text, (centre_x - width / 2.0, y), size, 0.0, color)
    }

    fn stroke(&mut self, points: Vec<(f32, f32)>, width_mm: f32, color: Color) {
        self.ops.extend([
            Op::SetOutlineColor { col: color },
            Op::SetOutlineThickness { pt: pt(width_mm) },
            Op::DrawLine {
                line: Line {
                    points: points
                        .into_iter()
                        .map(|(x, y)| LinePoint {
                            p: point(x, y),
                            bezier: false,
                        })
                        .collect(),
                    is_closed: true,
                },
            },
        ]);
    }

    fn fill(&mut self, rings: Vec<Vec<(f32, f32)>>, color: Color) {
        let rings = rings
            .into_iter()
            .map(|ring| PolygonRing {
                points: ring
                    .into_iter()
                    .map(|(x, y)| LinePoint {
                        p: point(x, y),
                        bezier: false,
                    })
                    .collect(),
            })
            .collect();
        self.ops.extend([
            Op::SetFillColor { col: color },
            Op::DrawPolygon {
                polygon: Polygon {
                    rings,
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            },
        ]);
    }

    fn frame(&mut self, inset: f32, width_mm: f32) {
        self.ops.extend([
            Op::SetOutlineColor { col: frame_gold() },
            Op::SetOutlineThickness { pt: pt(width_mm) },
            Op::DrawRectangle {
                rectangle: Rect {
                    mode: Some(PaintMode::Stroke),
                    ..Rect::from_xywh(
                        pt(inset),
                        pt(inset),
                        pt(PAGE_WIDTH - 2.0 * inset),
                        pt(PAGE_HEIGHT - 2.0 * inset),
                    )
                },
            },
        ]);
    }

    /// The unit's seal: a double ring, a five-pointed star, the unit's name along the top
    /// arc and 行政审批专用章 straight below the star, all in red.
    fn seal(
        &mut self,
        unit: &str,
        (cx, cy): (f32, f32),
        radius: f32,
    ) -> Result<(), CertificateError> {
        let circle = |r: f32| -> Vec<(f32, f32)> {
            (0..90)
                .map(|i| {
                    let angle = (i as f32 * 4.0).to_radians();
                    (cx + r * angle.cos(), cy + r * angle.sin())
                })
                .collect()
        };
        let outer_width = 1.1;
        self.stroke(circle(radius - outer_width / 2.0), outer_width, seal_red());
        let inner = radius - 1.9;
        self.stroke(circle(inner), 0.25, seal_red());

        let star_outer = radius * 0.3;
        let star_inner = star_outer * 0.382;
        let star = (0..10)
            .map(|i| {
                let r = if i % 2 == 0 { star_outer } else { star_inner };
                let angle = (90.0 + 36.0 * i as f32).to_radians();
                (cx + r * angle.cos(), cy + r * angle.sin())
            })
            .collect();
        self.fill(vec![star], seal_red());

        // The name runs clockwise along the top, the glyphs' tops outward. It takes at most
        // 250° of the circle and shrinks its font to fit.
        let chars: Vec<String> = unit.chars().map(String::from).collect();
        let count = chars.len().max(1) as f32;
        let mut size_pt = 13.0f32;
        let glyph_mm = |size_pt: f32| size_pt / MM_TO_PT;
        let baseline = |size_pt: f32| inner - 1.0 - glyph_mm(size_pt) * 0.88;
        while size_pt > 5.0 {
            let step = glyph_mm(size_pt) * 1.08 / baseline(size_pt);
            if step * count <= 250f32.to_radians() {
                break;
            }
            size_pt -= 0.5;
        }
        let r = baseline(size_pt);
        // A name too long even at the smallest size is squeezed, never wrapped round.
        let step = (glyph_mm(size_pt) * 1.08 / r).min(250f32.to_radians() / count);
        let span = step * count;
        for (index, glyph) in chars.iter().enumerate() {
            let theta = std::f32::consts::FRAC_PI_2 + span / 2.0 - (index as f32 + 0.5) * step;
            let width = self.font.width_mm(glyph, size_pt)?;
            let (sin, cos) = theta.sin_cos();
            // The glyph's baseline is the tangent (sin, -cos); centre it on the radius.
            let x = cx + r * cos - width / 2.0 * sin;
            let y = cy + r * sin + width / 2.0 * cos;
            self.text_at(
                glyph,
                (x, y),
                size_pt,
                theta.to_degrees() - 90.0,
                seal_red(),
            )?;
        }
        self.text_centred("行政审批专用章", cx, cy - radius * 0.58, 8.5, seal_red())
    }

    /// The QR code as filled squares, `size` mm square with its lower left corner at
    /// (x, y). Drawn in module units under a scaling matrix (small integers keep the content
    /// stream short), one rectangle per run of dark modules in a row.
    fn qr_code(&mut self, code: &QrCode, (x, y): (f32, f32), size: f32) {
        let width = code.width();
        let module = pt(size).0 / width as f32;
        let colors = code.to_colors();
        let mut rects = Vec::new();
        for (row, modules) in colors.chunks(width).enumerate() {
            let top = (width - row) as f32;
            let mut column = 0;
            while column < width {
                if modules.get(column) != Some(&qrcode::Color::Dark) {
                    column += 1;
                    continue;
                }
                let start = column;
                while modules.get(column) == Some(&qrcode::Color::Dark) {
                    column += 1;
                }
                rects.push(Op::DrawRectangle {
                    rectangle: Rect {
                        mode: Some(PaintMode::Fill),
                        ..Rect::from_xywh(
                            Pt(start as f32),
                            Pt(top - 1.0),
                            Pt((column - start) as f32),
                            Pt(1.0),
                        )
                    },
                });
            }
        }
        self.ops.extend([
            Op::SaveGraphicsState,
            Op::SetTransformationMatrix {
                matrix: CurTransMat::Raw([module, 0.0, 0.0, module, pt(x).0, pt(y).0]),
            },
            Op::SetFillColor { col: black() },
        ]);
        self.ops.extend(rects);
        self.ops.extend([Op::RestoreGraphicsState]);
    }
}

fn chinese_date(date: NaiveDate) -> String {
    format!("{}年{:02}月{:02}日", date.year(), date.month(), date.day())
}

/// Midnight of `date` in China Standard Time, for the document's dates.
fn pdf_date(date: NaiveDate) -> Option<OffsetDateTime> {
    let seconds = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 8 * 3600;
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// Renders the certificate as a one-page A4 PDF with its QR code pointing at
/// `<verify_base>/verify?c=<token>`, and signs the file (see the module doc). `key` signs
/// both the token and the file.
pub fn render_pdf(
    certificate: &Certificate,
    font: &CertificateFont,
    key: &SigningKey,
    verify_base: &str,
) -> Result<Vec<u8>, CertificateError> {
    let payload = certificate.payload();
    let token = payload.sign(key)?;
    check_text(
        "holder_id_number",
        certificate.holder_id_number.trim(),
        MAX_FIELD_CHARS,
    )?;
    check_text("item_name", certificate.item_name.trim(), MAX_FIELD_CHARS)?;
    for (label, value) in &certificate.particulars {
        check_text("particulars", label.trim(), MAX_FIELD_CHARS)?;
        // Values wrap over several lines; the page's height is the limit.
        check_text("particulars", value.trim(), 1000)?;
    }
    let qr = QrCode::with_error_correction_level(token.qr_text(verify_base), EcLevel::M)
        .map_err(|_| CertificateError::QrCodeTooLong)?;

    let mut document = PdfDocument::new(&format!("{} {}", payload.title, certificate.identifier));
    let font_id = document.add_font(&font.font);
    let mut canvas = Canvas {
        font,
        font_id,
        ops: Vec::new(),
    };

    canvas.frame(10.0, 1.0);
    canvas.frame(12.5, 0.3);
    canvas.text_centred(&payload.title, PAGE_WIDTH / 2.0, 256.0, 30.0, black())?;
    canvas.text_centred(
        &format!("证照编号：{}", certificate.identifier),
        PAGE_WIDTH / 2.0,
        244.0,
        9.0,
        black(),
    )?;

    let (name_label, id_label) = match certificate.holder_kind {
        HolderKind::Organisation => ("名　　称", "统一社会信用代码"),
        HolderKind::Person => ("姓　　名", "身份证件号码"),
    };
    let validity = match certificate.valid_until {
        Some(until) => format!(
            "{} 至 {}",
            chinese_date(certificate.issued_on),
            chinese_date(until)
        ),
        None => "长期".to_owned(),
    };
    let mut rows: Vec<(&str, &str)> = vec![
        (name_label, certificate.holder_name.trim()),
        (id_label, certificate.holder_id_number.trim()),
        ("许可事项", certificate.item_name.trim()),
    ];
    rows.extend(
        certificate
            .particulars
            .iter()
            .map(|(label, value)| (label.trim(), value.trim())),
    );
    rows.push(("有效期限", &validity));

    // A long issuer name wraps upwards and pushes the body's end up.
    let mut issuer_lines = font.wrap(
        &format!("发证机关：{}", payload.issuer),
        11.0,
        ISSUER_RIGHT - 68.0,
    )?;
    issuer_lines.push(format!("发证日期：{}", chinese_date(certificate.issued_on)));
    let issuer_top = 63.0 + (issuer_lines.len() - 1) as f32 * 7.0;
    let body_bottom = BODY_BOTTOM.max(issuer_top + 12.0);

    let (label_x, value_x, value_width, size) = (28.0, 72.0, 110.0, 12.0);
    let mut y = 226.0;
    for (label, value) in rows {
        let label_lines = font.wrap(label, size, value_x - label_x - 4.0)?;
        let value_lines = font.wrap(value, size, value_width)?;
        for (index, line) in label_lines.iter().enumerate() {
            canvas.text(line, label_x, y - index as f32 * 6.5, size)?;
        }
        canvas.text("：", value_x - 5.0, y, size)?;
        for (index, line) in value_lines.iter().enumerate() {
            canvas.text(line, value_x, y - index as f32 * 6.5, size)?;
        }
        let lines = label_lines.len().max(value_lines.len()) as f32;
        y -= (lines - 1.0) * 6.5 + 10.0;
        if y < body_bottom {
            return Err(CertificateError::TooMuchContent);
        }
    }

    // Issuer and date right-aligned to the left of the seal, the QR code bottom left.
    for (index, line) in issuer_lines.iter().enumerate() {
        let width = font.width_mm(line, 11.0)?;
        canvas.text(
            line,
            ISSUER_RIGHT - width,
            issuer_top - index as f32 * 7.0,
            11.0,
        )?;
    }
    canvas.seal(&payload.issuer, (153.0, 68.0), 21.0)?;
    canvas.qr_code(&qr, (28.0, 34.0), 36.0);
    canvas.text_centred("扫码核验", 46.0, 28.0, 9.0, black())?;

    let page = PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), canvas.ops);
    let info = &mut document.metadata.info;
    info.author = payload.issuer.clone();
    info.creator = "Liandong".to_owned();
    info.producer = "Liandong".to_owned();
    info.subject = certificate.identifier.to_string();
    info.identifier = certificate.identifier.to_string();
    if let Some(date) = pdf_date(certificate.issued_on) {
        info.creation_date = date;
        info.modification_date = date;
        info.metadata_date = date;
    }
    let options = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    let bytes = document
        .with_pages(vec![page])
        .save(&options, &mut Vec::new());
    sign_pdf(bytes, &token, key)
}

// ---------------------------------------------------------------------------------------
// Trailer

/// Appends the trailer (see the module doc) to a complete PDF: the token line, then the
/// signature over every byte before the signature line.
pub fn sign_pdf(
    mut pdf: Vec<u8>,
    token: &Token,
    key: &SigningKey,
) -> Result<Vec<u8>, CertificateError> {
    if !pdf.starts_with(b"%PDF-") || find_last(&pdf, b"%%EOF").is_none() {
        return Err(CertificateError::Malformed(
            "不是完整的 PDF 文件 / not a complete PDF file",
        ));
    }
    if !pdf.ends_with(b"\n") {
        pdf.push(b'\n');
    }
    pdf.extend_from_slice(&CERTIFICATE_MARK[1..]);
    pdf.extend_from_slice(token.as_str().as_bytes());
    pdf.push(b'\n');
    let signature = key.sign(&pdf);
    pdf.extend_from_slice(&SIGNATURE_MARK[1..]);
    pdf.extend_from_slice(STANDARD.encode(signature.to_bytes()).as_bytes());
    pdf.push(b'\n');
    Ok(pdf)
}

/// What an intact certificate file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    pub payload: Payload,
    pub token: Token,
}

impl VerifiedCertificate {
    /// See [`Payload::status_on`]: expiry is the caller's decision, on its own date.
    pub fn status_on(&self, date: NaiveDate) -> Validity {
        self.payload.status_on(date)
    }
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// Checks a certificate file offline: first the signature over the whole file (one changed
/// byte anywhere, or a file signed with another key, gives `Altered`), then the token's
/// signature, and returns the payload. A file without any trailer is `NotACertificate`.
/// Whether it has expired or been revoked is not decided here.
pub fn verify_pdf(
    bytes: &[u8],
    key: &VerifyingKey,
) -> Result<VerifiedCertificate, CertificateError> {
    let Some(mark) = find_last(bytes, SIGNATURE_MARK) else {
        // A token line without its signature line: a trailer that was cut or changed.
        return Err(if find_last(bytes, CERTIFICATE_MARK).is_some() {
            CertificateError::Altered
        } else {
            CertificateError::NotACertificate
        });
    };
    let (signed, signature_line) = bytes.split_at(mark + 1);
    let signature = signature_line
        .get(SIGNATURE_MARK.len() - 1..)
        .and_then(|rest| rest.strip_suffix(b"\n"))
        .and_then(|text| STANDARD.decode(text).ok())
        .and_then(|decoded| <[u8; SIGNATURE_LENGTH]>::try_from(decoded).ok())
        .ok_or(CertificateError::Altered)?;
    key.verify_strict(signed, &Signature::from_bytes(&signature))
        .map_err(|_| CertificateError::Altered)?;

    // The file is as we signed it; its last signed line must be the token line.
    let body = signed.strip_suffix(b"\n").unwrap_or(signed);
    let line_start = find_last(body, b"\n").map_or(0, |index| index + 1);
    let token = body
        .get(line_start..)
        .and_then(|line| line.strip_prefix(&CERTIFICATE_MARK[1..]))
        .and_then(|token| std::str::from_utf8(token).ok())
        .ok_or(CertificateError::Malformed(
            "签名前没有证照令牌行 / no token line before the signature",
        ))?;
    let payload = verify_token(token, key)?;
    let token = crate::parse_token(token)?;
    Ok(VerifiedCertificate { payload, token })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::process::Command;
    use std::sync::OnceLock;
    use std::time::Instant;

    use proptest::prelude::*;

    use super::*;
    use crate::signing_key_from_seed;
    use crate::token::tests::{date, sample_payload};

    const FONT_PATH: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
    const VERIFY_BASE: &str = "https://zwfw.example.gov.cn";
    /// The sample certificate measured 29 KB (18 KB of it the subset font); with the whole
    /// font embedded it would be over 2 MB.
    const MAX_PDF_BYTES: usize = 60_000;

    fn key() -> SigningKey {
        signing_key_from_seed(&[42; 32])
    }

    /// The font, parsed once for all tests (scripts/test.sh installs fonts-wqy-microhei).
    fn font() -> &'static CertificateFont {
        static FONT: OnceLock<CertificateFont> = OnceLock::new();
        FONT.get_or_init(|| {
            let bytes = std::fs::read(FONT_PATH).unwrap_or_else(|error| {
                panic!("{FONT_PATH}: {error}; install it with `apt-get install fonts-wqy-microhei`")
            });
            let started = Instant::now();
            let font = CertificateFont::from_bytes(&bytes, 0).unwrap();
            println!("font parsed in {:?}", started.elapsed());
            font
        })
    }

    fn sample_certificate() -> Certificate {
        let payload = sample_payload();
        Certificate {
            identifier: payload.identifier,
            title: payload.title,
            holder_name: "福州市某某餐饮管理有限公司".to_owned(),
            holder_kind: HolderKind::Organisation,
            holder_id_number: "91350100M000100Y43".to_owned(),
            item_name: "食品经营许可（新办）".to_owned(),
            particulars: vec![
                (
                    "经营场所".to_owned(),
                    "福建省福州市鼓楼区某某路 88 号某某大厦一层 101 至 105 室".to_owned(),
                ),
                (
                    "主体业态".to_owned(),
                    "餐饮服务经营者（中型餐馆）".to_owned(),
                ),
                (
                    "经营项目".to_owned(),
                    "热食类食品制售；冷食类食品制售；生食类食品制售；自制饮品制售（不含自酿酒）"
                        .to_owned(),
                ),
            ],
            issuer_name: payload.issuer,
            issued_on: payload.issued_on,
            valid_until: payload.valid_until,
            case_number: payload.case_number,
        }
    }

    fn rendered() -> &'static [u8] {
        static PDF: OnceLock<Vec<u8>> = OnceLock::new();
        PDF.get_or_init(|| {
            let font = font();
            let started = Instant::now();
            let pdf = render_pdf(&sample_certificate(), font, &key(), VERIFY_BASE).unwrap();
            println!("rendered {} bytes in {:?}", pdf.len(), started.elapsed());
            pdf
        })
    }

    fn tool(name: &str) -> bool {
        let found = Command::new(name).arg("--version").output().is_ok();
        if !found {
            println!("SKIPPED: `{name}` is not installed (Debian: poppler-utils, qpdf)");
        }
        found
    }

    fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "liandong-certificate-{}-{name}.pdf",
            std::process::id()
        ));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn the_certificate_renders_small_with_a_subset_font_and_verifies() {
        let pdf = rendered();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(
            pdf.len() < MAX_PDF_BYTES,
            "{} bytes: is the font subset?",
            pdf.len()
        );
        assert!(pdf.len() > 5_000, "{} bytes: is the font there?", pdf.len());
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("/FontFile2"), "the font is embedded");
        // A subset font's name carries a six-letter tag (/BaseFont /ABCDEF+Name), and its
        // program (/Length1, uncompressed) is tens of kilobytes, not the face's megabytes.
        let base_font = text
            .split("/BaseFont")
            .nth(1)
            .unwrap()
            .trim_start()
            .trim_start_matches('/');
        assert!(
            base_font.len() > 7
                && base_font.as_bytes()[..6].iter().all(u8::is_ascii_uppercase)
                && base_font.as_bytes()[6] == b'+',
            "not a subset font: {}",
            &base_font[..20]
        );
        let program: usize = text
            .split("/Length1")
            .nth(1)
            .and_then(|rest| {
                rest.trim_start()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
            })
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (1_000..100_000).contains(&program),
            "font program of {program} bytes"
        );
        let verified = verify_pdf(pdf, &key().verifying_key()).unwrap();
        assert_eq!(verified.payload, sample_certificate().payload());
        assert_eq!(verified.payload.holder, "福州市某某餐饮管理有限公司");
        assert_eq!(verified.status_on(date(2031, 5, 5)), Validity::Valid);
        assert_eq!(verified.status_on(date(2031, 5, 6)), Validity::Expired);
        // The trailer is the last two lines, the token the QR code carries.
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 600..]).into_owned();
        let lines: Vec<&str> = tail.trim_end().lines().rev().take(3).collect();
        assert!(lines[0].starts_with("%LIANDONG-SIGNATURE "), "{tail}");
        assert_eq!(
            lines[1],
            format!("%LIANDONG-CERTIFICATE {}", verified.token)
        );
        assert!(lines[2].ends_with("%%EOF"), "{tail}");
        assert_eq!(
            verified.token,
            sample_certificate().payload().sign(&key()).unwrap()
        );
    }

    #[test]
    fn the_rendered_file_opens_in_pdf_tools_with_its_text() {
        if !tool("pdftotext") {
            return;
        }
        let path = write_temp("text", rendered());
        let output = Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(output.status.success(), "{:?}", output);
        let text = String::from_utf8(output.stdout).unwrap();
        let errors = String::from_utf8_lossy(&output.stderr);
        assert!(errors.trim().is_empty(), "pdftotext complained: {errors}");
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for expected in [
            "食品经营许可证",
            "1.2.156.3005.2.11100.91350100M000100Y43.20260001.001.P",
            "福州市某某餐饮管理有限公司",
            "91350100M000100Y43",
            "食品经营许可（新办）",
            "经营场所",
            "餐饮服务经营者（中型餐馆）",
            "2026年05月06日至2031年05月05日",
            "发证机关：某某区行政审批局",
            "行政审批专用章",
            "扫码核验",
        ] {
            assert!(compact.contains(expected), "{expected} not in:\n{text}");
        }
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn the_rendered_file_passes_qpdf_check() {
        if !tool("qpdf") {
            return;
        }
        let path = write_temp("qpdf", rendered());
        let output = Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{report}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            report.contains("No syntax or stream encoding errors"),
            "{report}"
        );
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn any_changed_byte_makes_the_file_altered() {
        let pdf = rendered();
        let public = key().verifying_key();
        let trailer = find_last(pdf, CERTIFICATE_MARK).unwrap();
        // Every byte of the trailer and the end of the file, and a sample of the rest
        // (each check hashes the whole file).
        let positions: Vec<usize> = (0..pdf.len())
            .filter(|&index| index < 64 || index + 8 >= trailer || index % 251 == 0)
            .collect();
        assert!(positions.len() > 400);
        for index in positions {
            for change in [0x01u8, 0x80, 0xff] {
                let mut altered = pdf.to_vec();
                altered[index] ^= change;
                assert_eq!(
                    verify_pdf(&altered, &public).unwrap_err(),
                    CertificateError::Altered,
                    "byte {index} ^ {change:#x}"
                );
            }
        }
    }

    #[test]
    fn a_changed_digit_in_the_body_is_altered_and_so_is_anything_appended() {
        let pdf = rendered();
        let public = key().verifying_key();
        // The first digit after the header: a number somewhere in the objects.
        let index = (16..pdf.len()).find(|&i| pdf[i].is_ascii_digit()).unwrap();
        let mut altered = pdf.to_vec();
        altered[index] = if pdf[index] == b'9' {
            b'8'
        } else {
            pdf[index] + 1
        };
        assert_eq!(
            verify_pdf(&altered, &public).unwrap_err(),
            CertificateError::Altered
        );

        let middle = pdf.len() / 2;
        let mut altered = pdf.to_vec();
        altered[middle] = altered[middle].wrapping_add(1);
        assert_eq!(
            verify_pdf(&altered, &public).unwrap_err(),
            CertificateError::Altered
        );

        for extra in [&b"x"[..], b"\n", b"%LIANDONG-SIGNATURE AAAA\n", b" "] {
            let mut longer = pdf.to_vec();
            longer.extend_from_slice(extra);
            assert_eq!(
                verify_pdf(&longer, &public).unwrap_err(),
                CertificateError::Altered
            );
        }
        // A byte removed or inserted in the middle.
        let mut shorter = pdf.to_vec();
        shorter.remove(middle);
        assert_eq!(
            verify_pdf(&shorter, &public).unwrap_err(),
            CertificateError::Altered
        );
        let mut longer = pdf.to_vec();
        longer.insert(middle, b' ');
        assert_eq!(
            verify_pdf(&longer, &public).unwrap_err(),
            CertificateError::Altered
        );
    }

    #[test]
    fn a_file_without_the_trailer_is_not_a_certificate() {
        let pdf = rendered();
        let public = key().verifying_key();
        let trailer = find_last(pdf, CERTIFICATE_MARK).unwrap();
        let original = &pdf[..=trailer];
        assert!(
            String::from_utf8_lossy(original)
                .trim_end()
                .ends_with("%%EOF")
        );
        assert_eq!(
            verify_pdf(original, &public).unwrap_err(),
            CertificateError::NotACertificate
        );
        assert_eq!(
            verify_pdf(b"", &public).unwrap_err(),
            CertificateError::NotACertificate
        );
        assert_eq!(
            verify_pdf(b"%PDF-1.7\n%%EOF\n", &public).unwrap_err(),
            CertificateError::NotACertificate
        );
        // Only the signature line cut: a trailer tampered with.
        let signature = find_last(pdf, SIGNATURE_MARK).unwrap();
        assert_eq!(
            verify_pdf(&pdf[..=signature], &public).unwrap_err(),
            CertificateError::Altered
        );
    }

    #[test]
    fn a_file_checked_with_another_key_is_altered() {
        let other = signing_key_from_seed(&[43; 32]).verifying_key();
        assert_eq!(
            verify_pdf(rendered(), &other).unwrap_err(),
            CertificateError::Altered
        );
    }

    #[test]
    fn a_file_signed_by_us_around_a_foreign_token_has_a_bad_signature() {
        // Only the holder of our key can make this; the token check must still hold.
        let foreign = sample_payload()
            .sign(&signing_key_from_seed(&[43; 32]))
            .unwrap();
        let pdf = sign_pdf(b"%PDF-1.7\n%%EOF\n".to_vec(), &foreign, &key()).unwrap();
        assert_eq!(
            verify_pdf(&pdf, &key().verifying_key()).unwrap_err(),
            CertificateError::BadSignature
        );
        let ours = sample_payload().sign(&key()).unwrap();
        let pdf = sign_pdf(b"%PDF-1.7\n%%EOF".to_vec(), &ours, &key()).unwrap();
        assert_eq!(
            verify_pdf(&pdf, &key().verifying_key()).unwrap().payload,
            sample_payload()
        );
        assert!(matches!(
            sign_pdf(b"not a pdf".to_vec(), &ours, &key()),
            Err(CertificateError::Malformed(_))
        ));
    }

    #[test]
    fn a_person_is_masked_in_the_qr_payload_but_printed_in_full() {
        let certificate = Certificate {
            holder_name: "张三丰".to_owned(),
            holder_kind: HolderKind::Person,
            holder_id_number: "11010519491231002X".to_owned(),
            particulars: Vec::new(),
            valid_until: None,
            ..sample_certificate()
        };
        assert_eq!(certificate.payload().holder, "张**");
        let pdf = render_pdf(&certificate, font(), &key(), VERIFY_BASE).unwrap();
        let verified = verify_pdf(&pdf, &key().verifying_key()).unwrap();
        assert_eq!(verified.payload.holder, "张**");
        assert_eq!(verified.payload.valid_until, None);
        assert_eq!(verified.status_on(date(2999, 1, 1)), Validity::Valid);
        if tool("pdftotext") {
            let path = write_temp("person", &pdf);
            let output = Command::new("pdftotext")
                .arg(&path)
                .arg("-")
                .output()
                .unwrap();
            let text: String = String::from_utf8(output.stdout)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for expected in ["张三丰", "11010519491231002X", "身份证件号码", "长期"] {
                assert!(text.contains(expected), "{expected} not in {text}");
            }
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn bad_input_is_refused_before_rendering() {
        let missing = Certificate {
            holder_name: "𓀀".to_owned(),
            ..sample_certificate()
        };
        assert_eq!(
            render_pdf(&missing, font(), &key(), VERIFY_BASE).unwrap_err(),
            CertificateError::MissingGlyph('𓀀')
        );
        let too_many = Certificate {
            particulars: (0..30)
                .map(|i| (format!("项目{i}"), "内容".to_owned()))
                .collect(),
            ..sample_certificate()
        };
        assert_eq!(
            render_pdf(&too_many, font(), &key(), VERIFY_BASE).unwrap_err(),
            CertificateError::TooMuchContent
        );
        let empty_title = Certificate {
            title: "  ".to_owned(),
            ..sample_certificate()
        };
        assert_eq!(
            render_pdf(&empty_title, font(), &key(), VERIFY_BASE).unwrap_err(),
            CertificateError::InvalidField { field: "title" }
        );
        let no_item = Certificate {
            item_name: " ".to_owned(),
            ..sample_certificate()
        };
        assert_eq!(
            render_pdf(&no_item, font(), &key(), VERIFY_BASE).unwrap_err(),
            CertificateError::InvalidField { field: "item_name" }
        );
        let bad_particular = Certificate {
            particulars: vec![("经营场所".to_owned(), "某路\t1 号".to_owned())],
            ..sample_certificate()
        };
        assert_eq!(
            render_pdf(&bad_particular, font(), &key(), VERIFY_BASE).unwrap_err(),
            CertificateError::InvalidField {
                field: "particulars"
            }
        );
        let long_base = "https://x.example/".repeat(200);
        assert_eq!(
            render_pdf(&sample_certificate(), font(), &key(), &long_base).unwrap_err(),
            CertificateError::QrCodeTooLong
        );
        assert!(matches!(
            CertificateFont::from_bytes(b"not a font", 0),
            Err(CertificateError::BadFont)
        ));
    }

    #[test]
    fn a_long_issuer_name_wraps_and_fits_the_seal() {
        let issuer = "某某省某某市某某区人民政府行政审批服务局某某街道便民服务中心".to_owned();
        let certificate = Certificate {
            issuer_name: issuer.clone(),
            ..sample_certificate()
        };
        let pdf = render_pdf(&certificate, font(), &key(), VERIFY_BASE).unwrap();
        let verified = verify_pdf(&pdf, &key().verifying_key()).unwrap();
        assert_eq!(verified.payload.issuer, issuer);
        let longest = Certificate {
            issuer_name: "某".repeat(MAX_FIELD_CHARS),
            ..sample_certificate()
        };
        // Seven lines of issuer: the body has less room, and still fits or says so.
        match render_pdf(&longest, font(), &key(), VERIFY_BASE) {
            Ok(pdf) => assert!(verify_pdf(&pdf, &key().verifying_key()).is_ok()),
            Err(error) => assert_eq!(error, CertificateError::TooMuchContent),
        }
    }

    #[test]
    fn long_values_wrap_within_the_column() {
        let font = font();
        let text = "热食类食品制售；冷食类食品制售；生食类食品制售；自制饮品制售（不含自酿酒）";
        let lines = font.wrap(text, 12.0, 110.0).unwrap();
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.concat(), text);
        for line in &lines {
            assert!(font.width_mm(line, 12.0).unwrap() <= 110.0, "{line}");
        }
        assert_eq!(font.wrap("", 12.0, 110.0).unwrap(), vec![String::new()]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn verify_pdf_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let public = key().verifying_key();
            let _ = verify_pdf(&bytes, &public);
            let mut with_marks = bytes.clone();
            with_marks.extend_from_slice(b"\n%LIANDONG-CERTIFICATE LD1.AA.BB\n%LIANDONG-SIGNATURE ");
            with_marks.extend_from_slice(&bytes);
            let _ = verify_pdf(&with_marks, &public);
        }
    }
}
