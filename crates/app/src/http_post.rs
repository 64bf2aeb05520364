//! One HTTP/1.1 POST to a plain-HTTP peer on the district's network (the payment provider,
//! the city's node): `Connection: close`, each step under the timeout, the answer read up to
//! 64 KB. No TLS: these peers sit on the government network, behind its own gateways.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most of an answer read: the peers' answers are a few hundred bytes.
const MAX_RESPONSE: u64 = 64 * 1024;

/// The `HOST:PORT` of an `http://HOST:PORT` address (a trailing `/` allowed); `None` for
/// anything else.
pub(crate) fn authority(url: &str) -> Option<&str> {
    let authority = url.strip_prefix("http://")?.trim_end_matches('/');
    (!authority.is_empty() && !authority.contains('/') && authority.contains(':'))
        .then_some(authority)
}

/// Posts `body` to `http://{authority}{path}` with the extra `headers`; the status (0 when
/// the answer has none) and the body. An error is why the peer could not be reached.
pub(crate) async fn post(
    authority: &str,
    path: &str,
    content_type: &str,
    headers: &[(&str, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<(u16, String), String> {
    let mut stream = tokio::time::timeout(timeout, TcpStream::connect(authority))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: liandong\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    tokio::time::timeout(timeout, stream.write_all(&request))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let mut response = Vec::with_capacity(1024);
    tokio::time::timeout(
        timeout,
        (&mut stream).take(MAX_RESPONSE).read_to_end(&mut response),
    )
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let status: u16 = text
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim();
    Ok((status, body.to_owned()))
}
