//! A minimal HTTP/1.1 keep-alive client over one `TcpStream`: enough to drive the API from
//! the bench without an HTTP client crate. It writes a request with `Content-Length`, reads
//! the status line and headers, then a `Content-Length` (or chunked) body. It connects to
//! 127.0.0.1 only.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::{Context, Result, bail, ensure};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest response head (status line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// The largest response body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// No exchange (connect, write, read) may take longer than this.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A response: its status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, cut to `max` bytes, for error messages.
    pub fn body_excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.chars().take(max).collect()
    }
}

/// One keep-alive connection.
pub struct Client {
    addr: SocketAddr,
    host: String,
    stream: Option<TcpStream>,
    /// Bytes read past the previous response.
    buf: Vec<u8>,
    /// Sent as the `Cookie` header when set: the pages' session.
    cookie: Option<String>,
}

impl Client {
    /// A client of `addr`, which must be 127.0.0.1; connects on first use.
    pub fn new(addr: SocketAddr) -> Result<Client> {
        ensure!(
            addr.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST),
            "the bench client connects to 127.0.0.1 only, not {addr}"
        );
        Ok(Client {
            addr,
            host: addr.to_string(),
            stream: None,
            buf: Vec::with_capacity(16 * 1024),
            cookie: None,
        })
    }

    /// Sends `cookie` (e.g. `ld_session=…`) with every request from now on.
    pub fn set_cookie(&mut self, cookie: String) {
        self.cookie = Some(cookie);
    }

    /// Drops the connection; the next request opens a new one.
    pub fn reset(&mut self) {
        self.stream = None;
        self.buf.clear();
    }

    /// Sends one request and reads its response, within [`REQUEST_TIMEOUT`] (a timeout is an
    /// error that downcasts to `tokio::time::error::Elapsed`). On any error the connection
    /// is dropped.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Response> {
        let outcome =
            match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(method, path, token, body))
                .await
            {
                Ok(outcome) => outcome,
                Err(elapsed) => Err(anyhow::Error::new(elapsed)),
            };
        if outcome.is_err() {
            self.reset();
        }
        outcome
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Response> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr)
                .await
                .with_context(|| format!("connect to {}", self.addr))?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let body = body.unwrap_or_default();
        let mut request = Vec::with_capacity(256 + body.len());
        request.extend_from_slice(
            format!(
                "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
                self.host
            )
            .as_bytes(),
        );
        if let Some(token) = token {
            request.extend_from_slice(format!("Authorization: Bearer {token}\r\n").as_bytes());
        }
        if let Some(cookie) = &self.cookie {
            request.extend_from_slice(format!("Cookie: {cookie}\r\n").as_bytes());
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            request.extend_from_slice(b"Content-Type: application/json\r\n");
        }
        request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        request.extend_from_slice(body);
        let Some(stream) = self.stream.as_mut() else {
            bail!("not connected");
        };
        stream.write_all(&request).await.context("write request")?;
        let response = read_response(stream, &mut self.buf, method == "HEAD").await?;
        if response.close {
            self.reset();
        }
        Ok(Response {
            status: response.status,
            body: response.body,
        })
    }
}

struct Raw {
    status: u16,
    body: Vec<u8>,
    close: bool,
}

/// Reads more bytes into `buf`; an orderly close before the response is complete is an error.
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = stream.read(&mut chunk).await.context("read response")?;
    if n == 0 {
        bail!("the server closed the connection");
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>, head_only: bool) -> Result<Raw> {
    loop {
        // Interim 1xx responses are skipped; the final one follows.
        let head_end = loop {
            if let Some(at) = find(buf, b"\r\n\r\n") {
                break at;
            }
            ensure!(buf.len() <= MAX_HEAD, "response head too large");
            fill(stream, buf).await?;
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        ensure!(
            version.starts_with("HTTP/1."),
            "not an HTTP/1 response: {status_line}"
        );
        let status: u16 = parts
            .next()
            .unwrap_or_default()
            .parse()
            .with_context(|| format!("bad status line: {status_line}"))?;
        let mut length: Option<usize> = None;
        let mut chunked = false;
        let mut close = version == "HTTP/1.0";
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse().context("bad Content-Length")?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        if (100..200).contains(&status) {
            continue;
        }
        let body = if head_only || status == 204 || status == 304 {
            Vec::new()
        } else if chunked {
            read_chunked(stream, buf).await?
        } else if let Some(length) = length {
            ensure!(
                length <= MAX_BODY,
                "response body too large ({length} bytes)"
            );
            while buf.len() < length {
                fill(stream, buf).await?;
            }
            buf.drain(..length).collect()
        } else {
            bail!("response {status} has neither Content-Length nor chunked encoding");
        };
        return Ok(Raw {
            status,
            body,
            close,
        });
    }
}

async fn read_line(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<String> {
    loop {
        if let Some(at) = find(buf, b"\r\n") {
            let line = String::from_utf8_lossy(&buf[..at]).into_owned();
            buf.drain(..at + 2);
            return Ok(line);
        }
        ensure!(buf.len() <= MAX_HEAD, "chunk header too large");
        fill(stream, buf).await?;
    }
}

async fn read_chunked(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line = read_line(stream, buf).await?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .with_context(|| format!("bad chunk size: {line}"))?;
        if size == 0 {
            // Trailers, up to an empty line.
            while !read_line(stream, buf).await?.is_empty() {}
            return Ok(body);
        }
        ensure!(body.len() + size <= MAX_BODY, "response body too large");
        while buf.len() < size + 2 {
            fill(stream, buf).await?;
        }
        body.extend(buf.drain(..size));
        buf.drain(..2);
    }
}

/// Signs `username` in through the API and returns the bearer token (also the pages' session).
pub async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> Result<String> {
    let mut client = Client::new(addr)?;
    let body = serde_json::json!({ "username": username, "password": password });
    let response = client
        .request(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(body.to_string().as_bytes()),
        )
        .await?;
    ensure!(
        response.is_success(),
        "sign in {username}: {} {}",
        response.status,
        response.body_excerpt(300)
    );
    let value: serde_json::Value = serde_json::from_slice(&response.body)?;
    value["token"]
        .as_str()
        .map(str::to_owned)
        .context("no token in the sign-in answer")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// Serves `answers` in order on one connection, one per request read.
    async fn serve(answers: Vec<&'static [u8]>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            for answer in answers {
                // Read one request: head, then its Content-Length body.
                loop {
                    if let Some(end) = find(&seen, b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&seen[..end]).to_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        if seen.len() >= end + 4 + length {
                            seen.drain(..end + 4 + length);
                            break;
                        }
                    }
                    let mut chunk = [0u8; 1024];
                    let n = socket.read(&mut chunk).await.unwrap();
                    assert!(n > 0, "client closed");
                    seen.extend_from_slice(&chunk[..n]);
                }
                socket.write_all(answer).await.unwrap();
            }
        });
        addr
    }

    #[tokio::test]
    async fn reads_length_and_chunked_bodies_on_one_connection() {
        let addr = serve(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\n\r\n",
        ])
        .await;
        let mut client = Client::new(addr).unwrap();
        let a = client.request("GET", "/a", None, None).await.unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, &b"hello"[..]));
        let b = client
            .request("POST", "/b", Some("t"), Some(b"{}"))
            .await
            .unwrap();
        assert_eq!((b.status, b.body.as_slice()), (409, &b"abcde"[..]));
        assert!(!b.is_success());
        let c = client.request("POST", "/c", None, None).await.unwrap();
        assert_eq!((c.status, c.body.len()), (204, 0));
    }

    #[test]
    fn connects_to_127_0_0_1_only() {
        assert!(Client::new("10.0.0.1:80".parse().unwrap()).is_err());
        assert!(Client::new("127.0.0.1:80".parse().unwrap()).is_ok());
    }
}
