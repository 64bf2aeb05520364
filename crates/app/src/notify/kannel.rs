//! Kannel's sendsms HTTP interface, through a small HTTP/1.1 client (Kannel 1.4 answers
//! `Connection: close`, so one connection per request and the body runs to the end of the
//! stream). Chinese text goes as UTF-8 with `coding=2`: Kannel converts it to UCS-2 and
//! splits it into concatenated parts.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Gateway, Outgoing, SendOutcome};

/// The largest answer read from Kannel.
const MAX_RESPONSE: usize = 64 * 1024;

/// Where and how to reach Kannel.
#[derive(Debug, Clone)]
pub struct KannelConfig {
    /// `http://HOST:PORT/cgi-bin/sendsms`
    pub url: String,
    pub username: String,
    pub password: String,
    /// The sender number (`from`); Kannel refuses a message without one unless the
    /// sendsms-user has a default.
    pub from: Option<String>,
    /// How Kannel reaches this server for delivery reports (`http://HOST:PORT`), and the
    /// secret it presents; without them no reports are asked for.
    pub dlr_base_url: Option<String>,
    pub dlr_token: Option<String>,
    /// For connecting, and separately for the answer.
    pub timeout: Duration,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KannelConfigError {
    #[error(
        "短信网关地址应为 http://主机:端口/路径 / the SMS gateway URL must be http://HOST:PORT/PATH, not {0}"
    )]
    BadUrl(String),
}

/// The Kannel gateway.
#[derive(Debug, Clone)]
pub struct KannelGateway {
    config: KannelConfig,
    /// `HOST:PORT`, for connecting and for the Host header.
    authority: String,
    path: String,
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl KannelGateway {
    pub fn new(config: KannelConfig) -> Result<KannelGateway, KannelConfigError> {
        let bad = || KannelConfigError::BadUrl(config.url.clone());
        let rest = config.url.strip_prefix("http://").ok_or_else(bad)?;
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, "/cgi-bin/sendsms"),
        };
        if authority.is_empty() || !authority.contains(':') {
            return Err(bad());
        }
        Ok(KannelGateway {
            authority: authority.to_owned(),
            path: path.to_owned(),
            config,
        })
    }

    /// The delivery-report URL of one attempt; Kannel fills in `%d` (the status) and `%A`
    /// (the SMSC's answer).
    fn dlr_url(&self, message: &Outgoing) -> Option<String> {
        let base = self.config.dlr_base_url.as_deref()?;
        let token = self.config.dlr_token.as_deref()?;
        Some(format!(
            "{}/internal/sms/delivery-report?token={}&id={}&attempt={}&status=%d&answer=%A",
            base.trim_end_matches('/'),
            url_encode(token),
            url_encode(&message.id),
            message.attempt
        ))
    }

    /// The sendsms request line's target.
    pub fn request_target(&self, message: &Outgoing) -> String {
        let mut params: Vec<(&str, String)> = vec![
            ("username", self.config.username.clone()),
            ("password", self.config.password.clone()),
            ("to", message.phone.clone()),
            ("text", message.text.clone()),
            ("charset", "UTF-8".into()),
            ("coding", "2".into()),
        ];
        if let Some(from) = &self.config.from {
            params.push(("from", from.clone()));
        }
        if let Some(url) = self.dlr_url(message) {
            // 1 delivered, 2 undeliverable, 4 buffered, 8 SMSC accepted, 16 SMSC rejected.
            params.push(("dlr-mask", "31".into()));
            params.push(("dlr-url", url));
        }
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    async fn exchange(&self, message: &Outgoing) -> SendOutcome {
        let timeout = self.config.timeout;
        let connected = tokio::time::timeout(timeout, TcpStream::connect(&self.authority)).await;
        let mut stream = match connected {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                return SendOutcome::Unavailable {
                    answer: format!("连接短信网关失败 / cannot connect to the gateway: {e}"),
                };
            }
            Err(_) => {
                return SendOutcome::Unavailable {
                    answer: "连接短信网关超时 / connecting to the gateway timed out".into(),
                };
            }
        };
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: liandong\r\nConnection: close\r\n\r\n",
            self.request_target(message),
            self.authority
        );
        // Kannel acts on a request only once it has the whole head: a failed write means it
        // was not taken.
        match tokio::time::timeout(timeout, stream.write_all(request.as_bytes())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return SendOutcome::Unavailable {
                    answer: format!("发送请求失败 / writing the request failed: {e}"),
                };
            }
            Err(_) => {
                return SendOutcome::Unavailable {
                    answer: "发送请求超时 / writing the request timed out".into(),
                };
            }
        }
        let mut response = Vec::with_capacity(512);
        let read = tokio::time::timeout(
            timeout,
            (&mut stream)
                .take(u64::try_from(MAX_RESPONSE).unwrap_or(u64::MAX))
                .read_to_end(&mut response),
        )
        .await;
        match read {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if response.is_empty() => {
                return SendOutcome::Unknown {
                    answer: format!("读取应答失败 / reading the answer failed: {e}"),
                };
            }
            Ok(Err(_)) => {}
            Err(_) => {
                return SendOutcome::Unknown {
                    answer: "等待应答超时 / the answer timed out".into(),
                };
            }
        }
        classify(&response)
    }
}

/// What an HTTP answer from sendsms means.
pub fn classify(response: &[u8]) -> SendOutcome {
    let text = String::from_utf8_lossy(response);
    let status: Option<u16> = text
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    let answer = match status {
        Some(code) => format!("{code} {body}"),
        None => body.clone(),
    };
    match status {
        Some(200..=299) => SendOutcome::Accepted { answer },
        // 403: a wrong password is the operator's to fix; keep the message meanwhile.
        Some(403 | 408 | 429 | 500..=599) => SendOutcome::Unavailable { answer },
        Some(_) => SendOutcome::Rejected { answer },
        None => SendOutcome::Unknown {
            answer: format!("无法解析的应答 / unreadable answer: {answer}"),
        },
    }
}

impl Gateway for KannelGateway {
    async fn send(&self, message: &Outgoing) -> SendOutcome {
        self.exchange(message).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn gateway(url: &str) -> Result<KannelGateway, KannelConfigError> {
        KannelGateway::new(KannelConfig {
            url: url.into(),
            username: "u".into(),
            password: "p w".into(),
            from: Some("10690001".into()),
            dlr_base_url: Some("http://127.0.0.1:8080/".into()),
            dlr_token: Some("t0k".into()),
            timeout: Duration::from_secs(5),
        })
    }

    #[test]
    fn the_request_carries_utf8_text_as_ucs2_with_a_delivery_report_url() {
        let g = gateway("http://127.0.0.1:13013/cgi-bin/sendsms").unwrap();
        let target = g.request_target(&Outgoing {
            id: "case-1-2-accepted-applicant".into(),
            attempt: 3,
            phone: "13800138000".into(),
            text: "已受理 ok".into(),
        });
        assert!(target.starts_with("/cgi-bin/sendsms?username=u&password=p%20w&to=13800138000&text=%E5%B7%B2%E5%8F%97%E7%90%86%20ok&charset=UTF-8&coding=2&from=10690001&dlr-mask=31&dlr-url="), "{target}");
        assert!(target.contains("delivery-report%3Ftoken%3Dt0k%26id%3Dcase-1-2-accepted-applicant%26attempt%3D3%26status%3D%25d"), "{target}");
        assert!(gateway("https://x:1/").is_err());
        assert!(gateway("http://nohost/").is_err());
        assert_eq!(gateway("http://h:1").unwrap().path, "/cgi-bin/sendsms");
    }

    #[test]
    fn answers_are_classified() {
        let accepted =
            classify(b"HTTP/1.1 202 Accepted\r\nConnection: Close\r\n\r\n0: Accepted for delivery");
        assert_eq!(
            accepted,
            SendOutcome::Accepted {
                answer: "202 0: Accepted for delivery".into()
            }
        );
        assert!(matches!(
            classify(b"HTTP/1.1 202 Accepted\r\n\r\n3: Queued for later delivery"),
            SendOutcome::Accepted { .. }
        ));
        assert!(matches!(
            classify(b"HTTP/1.1 403 Forbidden\r\n\r\nAuthorization failed for sendsms"),
            SendOutcome::Unavailable { .. }
        ));
        assert!(matches!(
            classify(b"HTTP/1.1 400 Bad Request\r\n\r\nSender missing"),
            SendOutcome::Rejected { .. }
        ));
        assert!(matches!(classify(b""), SendOutcome::Unknown { .. }));
    }
}
