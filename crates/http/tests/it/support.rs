//! The test harness: a fresh database per test on SQLite or PostgreSQL, a small district
//! built through the use cases, a fixed clock, and in-process requests.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use liandong_app::{App, FixedClock};
use liandong_domain::calendar::china_offset;
use liandong_domain::organization::UnitId;
use liandong_store::Store;
use serde_json::Value;
use tower::ServiceExt;

pub use liandong_testkit::district::{CATALOG, PASSWORD, build_district, start_time};
pub use liandong_testkit::{Db, fresh_database};

/// Runs a test body on both databases: `both!(name, |t| async move { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        liandong_testkit::both_databases!($crate::support::TestApp, $name, $body);
    };
}

/// The test district's merchant account at the payment provider.
pub const MERCHANT_ID: &str = "LD-YUBEI-TEST";
pub const MERCHANT_SECRET: &[u8] = b"test-merchant-secret-yubei";

/// A test's world.
pub struct TestApp {
    pub db: Db,
    pub app: App,
    pub router: Router,
    pub clock: FixedClock,
    /// The township center 201, which has two village stations.
    pub township: UnitId,
}

/// An instant at China time.
pub fn china(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

impl TestApp {
    pub async fn new(db: Db) -> TestApp {
        Self::try_new(db).await.expect("database")
    }

    pub async fn try_new(db: Db) -> Option<TestApp> {
        let url = fresh_database(db).await?;
        Some(Self::on(db, url).await)
    }

    /// A world on a fresh database URL, which gets the fixture district.
    pub async fn on(db: Db, url: String) -> TestApp {
        let t = Self::attach(db, &url).await;
        build_district(&t.app).await;
        Self::attach(db, &url).await
    }

    /// A world on a database that already holds the fixture district (a restored backup).
    pub async fn attach(db: Db, url: &str) -> TestApp {
        let store = Store::connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let clock = FixedClock::new(start_time());
        let mut app = App::new(store, Arc::new(clock.clone())).await.expect("app");
        app.certificates = liandong_testkit::certificate_issuer();
        app.payment_merchant = Some(
            liandong_domain::payment::Merchant::new(MERCHANT_ID, MERCHANT_SECRET, 30)
                .expect("merchant"),
        );
        let township = app
            .units()
            .await
            .expect("units")
            .into_iter()
            .find(|u| u.code == "201")
            .map_or(UnitId(0), |u| u.id);
        let router = liandong_http::router(app.clone());
        TestApp {
            db,
            app,
            router,
            clock,
            township,
        }
    }

    /// Sends a request; returns the status, the JSON body (Null when empty or not JSON) and headers.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, HeaderMap) {
        self.send_raw(
            method,
            uri,
            token,
            body.map(|b| ("application/json", b.to_string().into_bytes())),
            &[],
        )
        .await
    }

    pub async fn send_raw(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value, HeaderMap) {
        let (status, headers, bytes) = self.exchange(method, uri, token, body, headers).await;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value, headers)
    }

    /// One request through the router: the status, headers and body.
    async fn exchange(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = match body {
            Some((content_type, bytes)) => request
                .header("content-type", content_type)
                .body(Body::from(bytes)),
            None => request.body(Body::empty()),
        }
        .expect("request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
        let (s, v, _) = self.send(Method::GET, uri, token, None).await;
        (s, v)
    }

    pub async fn post(&self, uri: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.send(Method::POST, uri, token, Some(body)).await;
        (s, v)
    }

    /// A request whose answer is not JSON (CSV, SVG, XML): the status, content type and text.
    pub async fn request_text(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, String, String) {
        let (status, headers, bytes) = self.exchange(method, uri, token, body, &[]).await;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            content_type,
            String::from_utf8(bytes).expect("UTF-8"),
        )
    }

    /// A request whose answer is bytes (a PDF): the status, content type and body.
    pub async fn request_bytes(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, String, Vec<u8>) {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        let (status, headers, bytes) = self.exchange(method, uri, token, body, &[]).await;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, bytes)
    }

    pub async fn get_text(&self, uri: &str, token: Option<&str>) -> (StatusCode, String, String) {
        self.request_text(Method::GET, uri, token, None).await
    }

    /// Carries the licence `XK00001000` (a case just taken in) through acceptance, handling,
    /// review and approval by the hall's D01 staff; returns the decided case.
    /// A case accepted and then asked twice for materials, breaking the one-time notice (an
    /// irregularity): the answer to the second request.
    pub async fn second_supplement_notice(&self) -> (StatusCode, Value) {
        let (_, case) = self.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = self
            .act("d01.clerk", &case, serde_json::json!({"action": "accept"}))
            .await;
        let (_, case) = self
            .act(
                "d01.officer",
                &case,
                serde_json::json!({"action": "request_supplement", "missing": ["健康证明"]}),
            )
            .await;
        let (_, case) = self
            .act(
                "d01.clerk",
                &case,
                serde_json::json!({"action": "supplement", "received": ["健康证明"]}),
            )
            .await;
        self.act(
            "d01.officer",
            &case,
            serde_json::json!({"action": "request_supplement", "missing": ["营业执照"]}),
        )
        .await
    }

    /// Loads a (hypothetical) 2027 notice that gives 1 to 4 January off; its answer.
    pub async fn load_2027_notice(&self) -> Value {
        let notice = r#"
year = 2027
title = "国务院办公厅关于2027年部分节假日安排的通知"
published = 2026-11-10

[[holidays]]
name_zh = "元旦"
name_en = "New Year's Day"
first_day = 2027-01-01
last_day = 2027-01-04
adjusted_working_days = []
"#;
        let admin = self.token("admin").await;
        let (status, loaded) = self
            .post(
                "/api/v1/calendar/notices",
                Some(&admin),
                serde_json::json!({"toml": notice}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{loaded}");
        loaded
    }

    /// Records a new version of the catalog's item `code` (at version 1) in force from the
    /// first test day, changed by `change`.
    pub async fn redefine_item(&self, code: &str, change: impl FnOnce(&mut Value)) {
        let admin = self.token("admin").await;
        let (_, guide) = self.get(&format!("/api/v1/items/{code}"), None).await;
        let mut item = guide["record"]["item"].clone();
        change(&mut item);
        let (status, saved) = self
            .post(
                &format!("/api/v1/items/{code}/versions"),
                Some(&admin),
                serde_json::json!({"effective_from": "2026-03-02", "expected_version": 1, "item": item}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
    }

    pub async fn decide_licence(&self, case: &Value) -> Value {
        let mut case = case.clone();
        for (user, action) in [
            ("d01.clerk", serde_json::json!({"action": "accept"})),
            (
                "d01.officer",
                serde_json::json!({"action": "handle", "opinion": "符合条件"}),
            ),
            (
                "d01.reviewer",
                serde_json::json!({"action": "review", "opinion": "同意"}),
            ),
            (
                "d01.approver",
                serde_json::json!({"action": "approve", "opinion": "准予许可"}),
            ),
        ] {
            let (status, next) = self.act(user, &case, action).await;
            assert_eq!(status, StatusCode::OK, "{user}: {next}");
            case = next;
        }
        case
    }

    /// Signs in and returns the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/token",
                None,
                serde_json::json!({ "username": username, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign in {username}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Submits an application as `clerk`; returns the created case body.
    pub async fn submit(&self, clerk: &str, item: &str, key: Option<&str>) -> (StatusCode, Value) {
        let token = self.token(clerk).await;
        let body = intake(item);
        let mut headers = vec![];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        let (s, v, _) = self
            .send_raw(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(("application/json", body.to_string().into_bytes())),
                &headers,
            )
            .await;
        (s, v)
    }

    /// Acts on a case as `username` at the case's current version.
    pub async fn act(&self, username: &str, case: &Value, action: Value) -> (StatusCode, Value) {
        let token = self.token(username).await;
        let id = case["summary"]["id"].as_i64().expect("id");
        let mut body = action;
        body["expected_version"] = case["summary"]["version"].clone();
        self.post(&format!("/api/v1/cases/{id}/actions"), Some(&token), body)
            .await
    }
}

/// A valid application for `item` with every required material.
pub fn intake(item: &str) -> Value {
    let materials: Vec<&str> = match item {
        "XK00001000" => vec!["申请书", "营业执照"],
        "GG00002000" => vec!["变更申请书"],
        _ => vec!["申请书", "户口簿"],
    };
    serde_json::json!({
        "item_code": item,
        "applicant": { "type": "person", "name": "王建国", "resident_id": "11010519491231002X" },
        "phone": "13800138000",
        "channel": "window",
        "materials": materials,
    })
}
