//! The online payment provider's side of an order: our signed `POST /orders` (form-encoded)
//! and its JSON answer, over a small HTTP/1.1 client (one connection per request, as with
//! Kannel). The protocol is docs/design/payment.md.

use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest answer read from the provider.
const MAX_RESPONSE: usize = 64 * 1024;

/// Where the provider is and how this server is reached by it and by the payer.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// A name recorded with each order, e.g. `yinlian`.
    pub name: String,
    /// `http://HOST:PORT`: the provider's base; orders go to `ORDERS_PATH` under it.
    pub base_url: String,
    /// How the provider reaches this server (`http://HOST:PORT`) for callbacks.
    pub notify_base: String,
    /// Where the payer's browser returns to afterwards.
    pub return_url: String,
    pub timeout: Duration,
}

/// The provider's answer to an order: its id and where to send the payer.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenedOrder {
    pub provider_order_id: String,
    pub pay_url: String,
}

/// Why an order could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(
        "支付平台地址应为 http://主机:端口 / the provider's address must be http://HOST:PORT, not {0}"
    )]
    BadUrl(String),
    #[error("无法连接支付平台 / cannot reach the payment provider: {0}")]
    Unreachable(String),
    #[error("支付平台拒绝了订单 / the payment provider refused the order: {0}")]
    Refused(String),
}

impl ProviderConfig {
    fn authority(&self) -> Result<&str, ProviderError> {
        let rest = self
            .base_url
            .strip_prefix("http://")
            .ok_or_else(|| ProviderError::BadUrl(self.base_url.clone()))?;
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') || !authority.contains(':') {
            return Err(ProviderError::BadUrl(self.base_url.clone()));
        }
        Ok(authority)
    }

    /// Posts the signed order fields and reads the provider's answer.
    pub async fn open_order(
        &self,
        fields: &[(String, String)],
    ) -> Result<OpenedOrder, ProviderError> {
        let authority = self.authority()?;
        let body = serde_urlencoded::to_string(fields)
            .map_err(|e| ProviderError::Refused(e.to_string()))?;
        let unreachable = |e: &dyn std::fmt::Display| ProviderError::Unreachable(e.to_string());
        let mut stream = tokio::time::timeout(self.timeout, TcpStream::connect(authority))
            .await
            .map_err(|e| unreachable(&e))?
            .map_err(|e| unreachable(&e))?;
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: liandong\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            liandong_domain::payment::ORDERS_PATH,
            body.len()
        );
        tokio::time::timeout(self.timeout, stream.write_all(request.as_bytes()))
            .await
            .map_err(|e| unreachable(&e))?
            .map_err(|e| unreachable(&e))?;
        let mut response = Vec::with_capacity(1024);
        tokio::time::timeout(
            self.timeout,
            (&mut stream)
                .take(u64::try_from(MAX_RESPONSE).unwrap_or(u64::MAX))
                .read_to_end(&mut response),
        )
        .await
        .map_err(|e| unreachable(&e))?
        .map_err(|e| unreachable(&e))?;
        let text = String::from_utf8_lossy(&response);
        let status: u16 = text
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim();
        if status != 200 {
            return Err(ProviderError::Refused(format!(
                "{status} {}",
                body.chars().take(200).collect::<String>()
            )));
        }
        serde_json::from_str(body).map_err(|e| ProviderError::Refused(e.to_string()))
    }
}
