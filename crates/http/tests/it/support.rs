//! The test harness: a fresh database per test on SQLite or PostgreSQL, a small district
//! built through the use cases, a fixed clock, and in-process requests.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use liandong_app::{App, FixedClock, catalog_file};
use liandong_domain::calendar::china_offset;
use liandong_domain::organization::{DepartmentId, Role, UnitId, UnitKind};
use liandong_store::{NewStaff, NewUnit, Store};
use serde_json::Value;
use tower::ServiceExt;

pub use liandong_testkit::{Db, fresh_database};

/// Runs a test body on both databases: `both!(name, |t| async move { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = $crate::support::TestApp::new($crate::support::Db::Sqlite).await;
                ($body)(t).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) =
                    $crate::support::TestApp::try_new($crate::support::Db::Postgres).await
                else {
                    return;
                };
                ($body)(t).await;
            }
        }
    };
}

/// The demo password of every fixture account; hashed once per test run.
pub const PASSWORD: &str = "test-password-1";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| liandong_app::auth::hash_password(PASSWORD).expect("hash"))
}

/// The catalog of the fixture district.
pub const CATALOG: &str = "code,name,department_code,level,branch_code,proxy_by_village,kind,legal_basis,statutory_days,committed_days,on_the_spot,window_authorised,materials,fees,prerequisites,steps
XK00001000,食品经营许可（新办）,D01,district_hall,,true,licence,《中华人民共和国食品安全法》第三十五条,20,8,false,false,申请书|original|1|required;营业执照|copy|1|required;健康证明|copy|1|optional,,,handle|5|handling_officer;review|2|reviewer;approve|1|approver
GG00002000,个体工商户名称变更登记,D01,district_hall,,true,public_service,《促进个体工商户发展条例》,5,0,true,true,变更申请书|original|1|required,,,approve|0|window_clerk
GG00003000,最低生活保障申请受理,D02,township_center,,true,public_service,《社会救助暂行办法》第十一条,30,10,false,false,申请书|original|1|required;户口簿|copy|1|required,,,handle|6|handling_officer;approve|4|approver
";

/// A test's world.
pub struct TestApp {
    pub db: Db,
    pub app: App,
    pub router: Router,
    pub clock: FixedClock,
    /// The township center 201, which has two village stations.
    pub township: UnitId,
}

/// A Monday in March 2026, 10:00 China time.
pub fn start_time() -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
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
        let app = App::new(store, Arc::new(clock.clone())).await.expect("app");
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

    pub async fn get_text(&self, uri: &str, token: Option<&str>) -> (StatusCode, String, String) {
        self.request_text(Method::GET, uri, token, None).await
    }

    /// Carries the licence `XK00001000` (a case just taken in) through acceptance, handling,
    /// review and approval by the hall's D01 staff; returns the decided case.
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

/// The fixture district: the hall, a township with two villages, another township with one,
/// two departments, staff for every role, and the three-item catalog.
async fn build_district(app: &App) {
    let mut tx = app.store.begin().await.expect("begin");
    let unit = |code: &str, name: &str, kind: UnitKind, parent: Option<UnitId>| NewUnit {
        code: code.into(),
        name: name.into(),
        kind,
        parent_id: parent,
        address: String::new(),
        phone: String::new(),
    };
    let hall = tx
        .insert_unit(&unit(
            "100",
            "渝北区行政审批服务大厅",
            UnitKind::DistrictHall,
            None,
        ))
        .await
        .expect("hall");
    let t201 = tx
        .insert_unit(&unit(
            "201",
            "双龙湖街道便民服务中心",
            UnitKind::TownshipCenter,
            Some(hall),
        ))
        .await
        .expect("t");
    let t202 = tx
        .insert_unit(&unit(
            "202",
            "回兴街道便民服务中心",
            UnitKind::TownshipCenter,
            Some(hall),
        ))
        .await
        .expect("t");
    let v1 = tx
        .insert_unit(&unit(
            "20101",
            "龙湖社区便民服务站",
            UnitKind::VillageStation,
            Some(t201),
        ))
        .await
        .expect("v");
    let v2 = tx
        .insert_unit(&unit(
            "20102",
            "双湖社区便民服务站",
            UnitKind::VillageStation,
            Some(t201),
        ))
        .await
        .expect("v");
    let v3 = tx
        .insert_unit(&unit(
            "20201",
            "宝桐社区便民服务站",
            UnitKind::VillageStation,
            Some(t202),
        ))
        .await
        .expect("v");
    let d01 = tx
        .insert_department("D01", "重庆市渝北区市场监督管理局", "区市场监管局", hall)
        .await
        .expect("d");
    let d02 = tx
        .insert_department("D02", "重庆市渝北区民政局", "区民政局", hall)
        .await
        .expect("d");
    let people: Vec<(&str, UnitId, Option<DepartmentId>, Role)> = vec![
        ("admin", hall, None, Role::SystemAdmin),
        ("supervisor", hall, None, Role::Supervisor),
        ("d01.clerk", hall, Some(d01), Role::WindowClerk),
        ("d01.officer", hall, Some(d01), Role::HandlingOfficer),
        ("d01.reviewer", hall, Some(d01), Role::Reviewer),
        ("d01.approver", hall, Some(d01), Role::Approver),
        ("d02.officer", hall, Some(d02), Role::HandlingOfficer),
        ("t201.clerk", t201, None, Role::WindowClerk),
        ("t201.officer", t201, None, Role::HandlingOfficer),
        ("t201.approver", t201, None, Role::Approver),
        ("t202.officer", t202, None, Role::HandlingOfficer),
        ("t201.admin", t201, None, Role::UnitAdmin),
        ("v20101.clerk", v1, None, Role::WindowClerk),
        ("v20102.clerk", v2, None, Role::WindowClerk),
        ("v20201.clerk", v3, None, Role::WindowClerk),
    ];
    for (username, unit, department, role) in people {
        tx.insert_staff(
            &NewStaff {
                username: username.into(),
                display_name: username.into(),
                unit_id: unit,
                department_id: department,
                roles: vec![role],
                password_hash: password_hash().into(),
            },
            0,
        )
        .await
        .expect("staff");
    }
    tx.commit().await.expect("commit");
    let items = catalog_file::read_csv(CATALOG.as_bytes()).expect("catalog");
    let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    app.import_catalog(None, items, from).await.expect("import");
}
