//! Fetching a camera's snapshot: a plain HTTP/1.1 `GET` over a small client (one
//! connection per request, `Connection: close`, as with Kannel and the payment provider),
//! with one deadline for the whole exchange and a cap on the size. The answer must be a
//! `200` whose body is a JPEG or PNG image (told by its first bytes, whatever the headers
//! say); a body announced by `Content-Length` or sent in chunks is read to its end, else to
//! the end of the connection.

use std::time::Duration;

use liandong_domain::video::{MediaUrl, Scheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most bytes of head an answer may have before its body.
const MAX_HEAD: usize = 16 * 1024;

/// A snapshot as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Why a probe failed. Every message is "中文 / English": it is kept as the camera's last
/// error and written into the outage's finding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error(
        "HTTPS快照地址无法读取（无TLS客户端） / an HTTPS snapshot address cannot be read (no TLS client)"
    )]
    Https,
    #[error("连接摄像机失败 / cannot connect to the camera: {0}")]
    Connect(String),
    #[error("连接摄像机超时 / connecting to the camera timed out")]
    ConnectTimeout,
    #[error("快照未在时限内送达 / the snapshot did not arrive in time")]
    Timeout,
    #[error("读取快照失败 / reading the snapshot failed: {0}")]
    Read(String),
    #[error("应答不是HTTP / the answer is not HTTP")]
    NotHttp,
    #[error("摄像机应答HTTP {0} / the camera answered HTTP {0}")]
    Status(u16),
    #[error("快照超过{0}字节 / the snapshot is over {0} bytes")]
    TooLarge(usize),
    #[error("快照不完整 / the snapshot was cut short")]
    Truncated,
    #[error("应答不是JPEG或PNG图片 / the answer is not a JPEG or PNG image")]
    NotAnImage,
}

/// The image type of `bytes` by their signature.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Fetches the snapshot at `url` within `timeout`, refusing more than `max_bytes`.
pub async fn fetch_snapshot(
    url: &MediaUrl,
    timeout: Duration,
    max_bytes: usize,
) -> Result<Snapshot, FetchError> {
    if url.scheme != Scheme::Http {
        return Err(FetchError::Https);
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let authority = url.authority();
    let mut stream = match tokio::time::timeout_at(deadline, TcpStream::connect(&authority)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Err(FetchError::Connect(e.to_string())),
        Err(_) => return Err(FetchError::ConnectTimeout),
    };
    let host = if url.port == 80 {
        url.host.clone()
    } else {
        authority
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: liandong\r\nAccept: image/jpeg, image/png, image/*\r\nConnection: close\r\n\r\n",
        url.target
    );
    let exchange = async {
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| FetchError::Read(e.to_string()))?;
        read_answer(&mut stream, max_bytes).await
    };
    let body = tokio::time::timeout_at(deadline, exchange)
        .await
        .map_err(|_| FetchError::Timeout)??;
    let media_type = sniff(&body).ok_or(FetchError::NotAnImage)?;
    Ok(Snapshot {
        media_type,
        bytes: body,
    })
}

/// How the body of an answer ends.
enum Framing {
    Length(usize),
    Chunked,
    Close,
}

/// Reads an answer's head and its body; the body of a `200`, or the status as an error.
async fn read_answer(stream: &mut TcpStream, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let mut buffer = Vec::with_capacity(8 * 1024);
    let mut chunk = [0u8; 8 * 1024];
    let mut head: Option<(usize, Framing)> = None;
    loop {
        if let Some((start, framing)) = &head {
            let body = &buffer[*start..];
            match framing {
                Framing::Length(n) if body.len() >= *n => return Ok(body[..*n].to_vec()),
                Framing::Chunked => {
                    if let Some(decoded) = dechunk(body, max_bytes)? {
                        return Ok(decoded);
                    }
                }
                _ => {}
            }
            if body.len() > max_bytes.saturating_add(MAX_HEAD) {
                return Err(FetchError::TooLarge(max_bytes));
            }
        } else if buffer.len() > MAX_HEAD {
            return Err(FetchError::NotHttp);
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| FetchError::Read(e.to_string()))?;
        if n == 0 {
            return match head {
                None => Err(FetchError::NotHttp),
                Some((start, Framing::Close)) => {
                    let body = buffer.get(start..).unwrap_or_default();
                    if body.len() > max_bytes {
                        Err(FetchError::TooLarge(max_bytes))
                    } else {
                        Ok(body.to_vec())
                    }
                }
                Some(_) => Err(FetchError::Truncated),
            };
        }
        buffer.extend_from_slice(&chunk[..n]);
        if head.is_none()
            && let Some(end) = find(&buffer, b"\r\n\r\n")
        {
            let framing = parse_head(&buffer[..end], max_bytes)?;
            head = Some((end + 4, framing));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status must be 200; the framing comes from `Transfer-Encoding` or `Content-Length`.
fn parse_head(head: &[u8], max_bytes: usize) -> Result<Framing, FetchError> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        return Err(FetchError::NotHttp);
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(FetchError::NotHttp)?;
    if status != 200 {
        return Err(FetchError::Status(status));
    }
    let mut framing = Framing::Close;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.trim().eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            framing = Framing::Chunked;
        } else if name.trim().eq_ignore_ascii_case("content-length")
            && !matches!(framing, Framing::Chunked)
        {
            let n: usize = value.parse().map_err(|_| FetchError::NotHttp)?;
            if n > max_bytes {
                return Err(FetchError::TooLarge(max_bytes));
            }
            framing = Framing::Length(n);
        }
    }
    Ok(framing)
}

/// A chunked body decoded, once its last chunk is in; None while more is to come.
fn dechunk(body: &[u8], max_bytes: usize) -> Result<Option<Vec<u8>>, FetchError> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let Some(line_end) = find(&body[at..], b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&body[at..at + line_end]);
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| FetchError::NotHttp)?;
        at += line_end + 2;
        if size == 0 {
            return Ok(Some(out));
        }
        if out.len().saturating_add(size) > max_bytes {
            return Err(FetchError::TooLarge(max_bytes));
        }
        if body.len() < at + size + 2 {
            return Ok(None);
        }
        out.extend_from_slice(&body[at..at + size]);
        at += size + 2;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn images_are_told_by_their_first_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(&[]), None);
    }

    #[test]
    fn a_head_gives_the_status_and_the_framing() {
        assert!(matches!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 12", 100),
            Ok(Framing::Length(12))
        ));
        assert!(matches!(
            parse_head(
                b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\nTransfer-Encoding: chunked",
                100
            ),
            Ok(Framing::Chunked)
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.0 200 OK\r\nServer: cam", 100),
            Ok(Framing::Close)
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.1 401 Unauthorized", 100),
            Err(FetchError::Status(401))
        ));
        assert!(matches!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 101", 100),
            Err(FetchError::TooLarge(100))
        ));
        assert!(matches!(
            parse_head(b"SSH-2.0-OpenSSH", 100),
            Err(FetchError::NotHttp)
        ));
    }

    #[test]
    fn chunks_are_joined_once_the_last_is_in() {
        let body = b"4\r\nabcd\r\n3;x=1\r\nefg\r\n0\r\n\r\n";
        assert_eq!(dechunk(body, 100).unwrap(), Some(b"abcdefg".to_vec()));
        assert_eq!(dechunk(&body[..10], 100).unwrap(), None);
        assert_eq!(dechunk(b"4\r\nab", 100).unwrap(), None);
        assert!(matches!(dechunk(body, 5), Err(FetchError::TooLarge(5))));
        assert!(matches!(
            dechunk(b"zz\r\nab\r\n", 100),
            Err(FetchError::NotHttp)
        ));
    }

    #[test]
    fn every_failure_reads_in_both_languages() {
        for e in [
            FetchError::Https,
            FetchError::Connect("refused".into()),
            FetchError::ConnectTimeout,
            FetchError::Timeout,
            FetchError::Read("reset".into()),
            FetchError::NotHttp,
            FetchError::Status(404),
            FetchError::TooLarge(10),
            FetchError::Truncated,
            FetchError::NotAnImage,
        ] {
            assert!(e.to_string().contains(" / "), "{e}");
        }
    }
}
