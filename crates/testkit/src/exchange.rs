//! A blocking HTTP/1.1 exchange with a server under test on 127.0.0.1, for tests that start
//! the real binary: one request, `Connection: close`, the status and the JSON body (Null when
//! there is none).

use std::io::{Read, Write};
use std::net::TcpStream;

/// Sends `method path` with a JSON `body`, a bearer `token` and any extra `headers`.
pub fn json(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(address).expect("connect");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n"
    );
    if let Some(token) = token {
        head.push_str(&format!("authorization: Bearer {token}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    write!(
        stream,
        "{head}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| serde_json::from_str(b).unwrap_or_default())
        .unwrap_or_default();
    (status, json)
}
