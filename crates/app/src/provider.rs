//! The online payment provider's side of an order: our signed `POST /orders` (form-encoded)
//! and its JSON answer, over a small HTTP/1.1 client (one connection per request, as with
//! Kannel). The protocol is docs/design/payment.md.

use std::time::Duration;

use serde::Deserialize;

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
        crate::http_post::authority(&self.base_url)
            .ok_or_else(|| ProviderError::BadUrl(self.base_url.clone()))
    }

    /// Posts the signed order fields and reads the provider's answer.
    pub async fn open_order(
        &self,
        fields: &[(String, String)],
    ) -> Result<OpenedOrder, ProviderError> {
        let authority = self.authority()?;
        let body = serde_urlencoded::to_string(fields)
            .map_err(|e| ProviderError::Refused(e.to_string()))?;
        let (status, body) = crate::http_post::post(
            authority,
            liandong_domain::payment::ORDERS_PATH,
            "application/x-www-form-urlencoded",
            &[],
            body.as_bytes(),
            self.timeout,
        )
        .await
        .map_err(ProviderError::Unreachable)?;
        if status != 200 {
            return Err(ProviderError::Refused(format!(
                "{status} {}",
                body.chars().take(200).collect::<String>()
            )));
        }
        serde_json::from_str(&body).map_err(|e| ProviderError::Refused(e.to_string()))
    }
}
