//! Files sent to be saved: the type, and a name that survives any browser.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// `bytes` as a download named `file_name`: an ASCII fallback name for old clients, and the
/// real (often Chinese) name percent-encoded as RFC 6266 `filename*`. Never cached.
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(value) = HeaderValue::from_str(&content_disposition(file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn content_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A camera's snapshot shown in a page: an image of people at a window, so never cached.
/// Only the two types the probe keeps are sent as images.
pub fn snapshot_image(bytes: Vec<u8>, media_type: &str) -> Response {
    let content_type = match media_type {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_name_is_encoded_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("身份证.pdf"),
            "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf"
        );
        assert_eq!(
            content_disposition("a \"b\".pdf"),
            "attachment; filename=\"a__b_.pdf\"; filename*=UTF-8''a%20%22b%22.pdf"
        );
    }

    #[test]
    fn a_download_is_typed_named_and_not_cached() {
        let response = download(vec![1, 2], "application/pdf", "证照.pdf");
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(h[header::CACHE_CONTROL], "private, no-store");
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .is_ok_and(|v| v.contains("filename*=UTF-8''%E8%AF%81%E7%85%A7.pdf"))
        );
    }
}
