//! A local simulator of the online payment provider, speaking the protocol of
//! docs/design/payment.md on a free port of 127.0.0.1: it checks our signed `POST /orders`,
//! answers with its order id and pay address, and, when told to, posts the signed callback to
//! the order's `notify_url` — as often as a test likes, to replay it.
#![allow(clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use liandong_domain::payment::{Callback, CallbackStatus, sign};

/// An order the simulator opened.
#[derive(Debug, Clone)]
pub struct SimulatedOrder {
    pub order_ref: String,
    pub provider_order_id: String,
    pub amount_fen: i64,
    pub notify_url: String,
}

#[derive(Clone)]
struct Shared {
    merchant_id: String,
    secret: Vec<u8>,
    orders: Arc<Mutex<HashMap<String, SimulatedOrder>>>,
    base: String,
}

/// The running simulator.
pub struct PaymentProvider {
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PaymentProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn open_order(State(shared): State<Shared>, body: Bytes) -> (StatusCode, String) {
    let Ok(mut fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a form".into());
    };
    let Some(at) = fields.iter().position(|(k, _)| k == "signature") else {
        return (StatusCode::FORBIDDEN, "unsigned".into());
    };
    let (_, signature) = fields.remove(at);
    if sign(&shared.secret, &fields).ok() != Some(signature) {
        return (StatusCode::FORBIDDEN, "bad signature".into());
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if get("merchant_id") != shared.merchant_id {
        return (StatusCode::FORBIDDEN, "unknown merchant".into());
    }
    let mut orders = shared.orders.lock().expect("orders");
    let provider_order_id = format!("SIM{:06}", orders.len() + 1);
    let order = SimulatedOrder {
        order_ref: get("order_ref"),
        provider_order_id: provider_order_id.clone(),
        amount_fen: get("amount_fen").parse().unwrap_or(0),
        notify_url: get("notify_url"),
    };
    orders.insert(order.order_ref.clone(), order);
    let pay_url = format!("{}/pay/{provider_order_id}", shared.base);
    (
        StatusCode::OK,
        serde_json::json!({"provider_order_id": provider_order_id, "pay_url": pay_url}).to_string(),
    )
}

impl PaymentProvider {
    /// Starts the simulator for the merchant `merchant_id` with `secret`.
    pub async fn start(merchant_id: &str, secret: &[u8]) -> PaymentProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the simulator");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Shared {
            merchant_id: merchant_id.to_owned(),
            secret: secret.to_vec(),
            orders: Arc::default(),
            base,
        };
        let router = axum::Router::new()
            .route(liandong_domain::payment::ORDERS_PATH, post(open_order))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        PaymentProvider { shared, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base
    }

    /// The order opened for `order_ref`, if any.
    pub fn order(&self, order_ref: &str) -> Option<SimulatedOrder> {
        self.shared
            .orders
            .lock()
            .expect("orders")
            .get(order_ref)
            .cloned()
    }

    /// The payer paid (or failed to): posts the signed callback of `order_ref` with the
    /// provider's transaction id `txn` to the order's notify URL, and returns our answer's
    /// status and text (`success` or `fail`).
    pub async fn report(
        &self,
        order_ref: &str,
        txn: &str,
        status: CallbackStatus,
        paid_at: chrono::DateTime<chrono::Utc>,
    ) -> (u16, String) {
        let order = self
            .order(order_ref)
            .expect("an order the simulator opened");
        let callback = Callback {
            merchant_id: self.shared.merchant_id.clone(),
            order_ref: order.order_ref.clone(),
            provider_txn_id: txn.to_owned(),
            amount_fen: order.amount_fen,
            status,
            paid_at,
            nonce: format!("{:032x}", rand::random::<u128>()),
        };
        let mut fields = callback.fields();
        let signature = sign(&self.shared.secret, &fields).expect("sign");
        fields.push(("signature".into(), signature));
        let body = serde_urlencoded::to_string(&fields).expect("form");
        post_form(&order.notify_url, &body).await
    }
}

/// A plain HTTP/1.1 form post, the answer's status and body.
async fn post_form(url: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(authority)
        .await
        .expect("connect to the notify URL");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .trim()
        .to_owned();
    (status, body)
}
