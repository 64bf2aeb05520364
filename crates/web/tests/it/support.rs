//! The pages' test harness: a fresh database per test on SQLite or PostgreSQL, a small district
//! built through the use cases, a fixed clock, the whole server's router (API, pages and the
//! security headers), and a cookie-keeping client that signs in through the sign-in form.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use liandong_app::{App, FixedClock};
use liandong_store::Store;
use tower::ServiceExt;

pub use liandong_testkit::district::{CATALOG, PASSWORD, build_district, start_time};
pub use liandong_testkit::{Db, fresh_database};

/// The applicant of the fixture applications: the check code is `31002X`.
pub const RESIDENT_ID: &str = "11010519491231002X";

/// Runs a test body on both databases: `both!(name, |t| async move { ... })`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        liandong_testkit::both_databases!($crate::support::TestApp, $name, $body);
    };
}

/// A test's world.
pub struct TestApp {
    pub app: App,
    pub router: Router,
    /// Stands still unless a test moves it.
    #[allow(dead_code)]
    pub clock: FixedClock,
}

impl TestApp {
    pub async fn new(db: Db) -> TestApp {
        Self::try_new(db).await.expect("database")
    }

    pub async fn try_new(db: Db) -> Option<TestApp> {
        let url = fresh_database(db).await?;
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let clock = FixedClock::new(start_time());
        let mut app = App::new(store, Arc::new(clock.clone())).await.expect("app");
        app.certificates = liandong_testkit::certificate_issuer();
        build_district(&app).await;
        let router = liandong_http::router(app.clone());
        Some(TestApp { app, router, clock })
    }

    /// A visit served at a new hall window: a ticket of group A taken, called by the D01
    /// clerk, started and finished with `case`. Returns the window's id.
    #[allow(dead_code)]
    pub async fn finished_visit(&self, case: Option<i64>) -> i64 {
        use liandong_domain::organization::{CaseId, UnitId, WindowKind};
        use liandong_domain::queue::{BusinessGroup, TicketAction};
        let hall = UnitId(1);
        let mut tx = self.app.store.begin().await.expect("tx");
        let window = tx
            .insert_window(&liandong_store::NewWindow {
                unit_id: hall,
                number: "8".into(),
                name: "综合窗口".into(),
                kind: WindowKind::Comprehensive,
                department_ids: vec![],
            })
            .await
            .expect("window");
        tx.set_queue_groups(
            hall,
            &[BusinessGroup {
                code: "A".into(),
                name: "综合".into(),
                windows: vec![window],
            }],
        )
        .await
        .expect("groups");
        tx.commit().await.expect("commit");
        self.app.take_ticket(hall, "A").await.expect("ticket");
        let session = self.session("d01.clerk").await;
        let called = self.app.call_next(&session, window).await.expect("call");
        let serving = self
            .app
            .act_on_ticket(
                &session,
                called.id,
                called.version,
                window,
                &TicketAction::Start,
            )
            .await
            .expect("start");
        self.app
            .act_on_ticket(
                &session,
                serving.id,
                serving.version,
                window,
                &TicketAction::Finish {
                    case: case.map(CaseId),
                },
            )
            .await
            .expect("finish");
        window.0
    }

    /// The app's session of `username`, for acting through the app beside the pages.
    #[allow(dead_code)]
    pub async fn session(&self, username: &str) -> liandong_app::Session {
        let token = self.app.sign_in(username, PASSWORD).await.expect("sign in");
        self.app.authenticate(&token.token).await.expect("session")
    }

    /// A client without cookies.
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            headers: Vec::new(),
        }
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign in {username}: {}",
            r.body
        );
        c
    }
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the first `name="…" value="…"` hidden field.
    pub fn field(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&needle).expect(name) + needle.len();
        let rest = &self.body[start..];
        rest[..rest.find('"').expect("quote")].to_owned()
    }

    pub fn csrf(&self) -> String {
        self.field("csrf")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

/// A client that keeps cookies, like a browser would.
pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    /// Extra headers on every request.
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub async fn send(&mut self, method: Method, uri: &str, form: Option<&[(&str, &str)]>) -> Page {
        let body = form.map(|pairs| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                serde_urlencoded::to_string(pairs)
                    .expect("form")
                    .into_bytes(),
            )
        });
        self.send_body(method, uri, body).await
    }

    /// Posts a `multipart/form-data` form with files (field, file name, bytes), as a browser
    /// sends an upload.
    pub async fn post_files(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----liandong-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send_body(Method::POST, uri, Some((content_type, body)))
            .await
    }

    async fn send_body(
        &mut self,
        method: Method,
        uri: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> Page {
        let mut request = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        for (k, v) in &self.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = match body {
            Some((content_type, bytes)) => request
                .header(header::CONTENT_TYPE, content_type)
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
        let page = Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for c in page.set_cookies() {
            let first = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        page
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Method::GET, uri, None).await
    }

    pub async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, uri, Some(form)).await
    }

    /// Signs in through the form, as a person would.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// The CSRF token of a signed-in page.
    pub async fn csrf(&mut self) -> String {
        self.get("/").await.csrf()
    }

    /// Takes in an application at the workbench; returns the case id from the redirect.
    pub async fn intake(&mut self, item: &str, materials: &[&str], decision: &str) -> (Page, i64) {
        let form = self.get(&format!("/workbench/{item}")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let (csrf, key) = (form.csrf(), form.field("key"));
        let mut pairs: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("key", &key),
            ("applicant_type", "person"),
            ("name", "王建国"),
            ("id_number", RESIDENT_ID),
            ("phone", "13800138000"),
            ("decision", decision),
            ("delivery", "窗口领取"),
            ("reason", "不属于本机关职权范围"),
            ("legal_basis", "《行政许可法》第三十二条"),
        ];
        for m in materials {
            pairs.push(("materials", m));
        }
        let page = self.post(&format!("/workbench/{item}"), &pairs).await;
        let id = page
            .location()
            .strip_prefix("/cases/")
            .and_then(|rest| rest.split('?').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        (page, id)
    }

    /// Acts on a case through its page's form, at the version the page shows.
    pub async fn act(&mut self, id: i64, action: &str, fields: &[(&str, &str)]) -> Page {
        let case = self.get(&format!("/cases/{id}")).await;
        assert_eq!(case.status, StatusCode::OK, "{}", case.body);
        let (csrf, version) = (case.csrf(), case.field("expected_version"));
        let mut pairs: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("action", action),
            ("expected_version", &version),
        ];
        pairs.extend_from_slice(fields);
        self.post(&format!("/cases/{id}/act"), &pairs).await
    }
}

/// The latest sign-in code the outbox holds for `phone`.
pub async fn code_sent_to(t: &TestApp, phone: &str) -> String {
    liandong_testkit::outbox::sign_in_code_sent_to(&t.app.store, phone)
        .await
        .1
}
