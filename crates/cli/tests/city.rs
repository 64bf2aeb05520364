//! The city link (市区两级对接) with the real binary: two district nodes and one city node on
//! 127.0.0.1. One district's link is down (pointed at nowhere) while it keeps working, the
//! city itself stops for a while, then everything comes back; the city's totals must then
//! equal each district's own, nothing counted twice. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use liandong_domain::calendar::WorkingCalendar;
use liandong_domain::case::WarningRules;
use liandong_domain::case::deadline::level_by_due;
use liandong_domain::case::tally::Tally;
use liandong_store::{FindingFilter, Store};
use liandong_testkit::{Db, fresh_database};
use serde_json::{Value, json};

const SECRETS: [(&str, &str, &str); 2] = [
    ("500112", "渝北区", "yubei-link-secret-0001"),
    ("500113", "巴南区", "banan-link-secret-0002"),
];

fn key_file() -> PathBuf {
    std::env::temp_dir().join("liandong-test-certificate.key")
}

fn liandong(database: &str, config: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liandong"));
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .arg("--database")
        .arg(database)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env("LIANDONG_CERTIFICATE_KEY_FILE", key_file())
        .output()
        .expect("run liandong")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", text(&output));
    text(&output)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `liandong serve …` and returns it with the address it says it serves on.
fn serve(database: &str, config: Option<&Path>, args: &[&str]) -> (Server, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_liandong"));
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let mut child = command
        .arg("--database")
        .arg(database)
        .arg("serve")
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env("LIANDONG_CERTIFICATE_KEY_FILE", key_file())
        .env("LIANDONG_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(rest) = line.split("serving on http://").nth(1) {
            let address = rest.split_whitespace().next().unwrap().to_owned();
            // Keep reading its output so that it never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return (server, address);
        }
    }
    panic!("the server never said where it listens");
}

/// A port nothing listens on (bound, then let go).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 exchange; every request its own idempotency key.
fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let key = [("idempotency-key", rand::random::<u64>().to_string())];
    liandong_testkit::exchange::json(address, method, path, token, &key, &body)
}

fn token(address: &str, username: &str, password: &str) -> String {
    let (status, body) = http(
        address,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({"username": username, "password": password})),
    );
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// Work at a district while it serves: an application taken in and refused on thin grounds
/// (a routine review and an irregularity), and one taken in and accepted.
fn work(address: &str) {
    let clerk = token(address, "d22.clerk", "liandong2026");
    let intake = json!({
        "item_code": "XK00094001",
        "applicant": {"type": "person", "name": "王建国", "resident_id": "11010519491231002X"},
        "phone": "13800138000", "channel": "window",
        "materials": ["食品经营许可申请书", "营业执照", "法定代表人（负责人）身份证明",
            "与食品经营相适应的主要设备设施布局、操作流程等文件",
            "食品安全自查、从业人员健康管理等食品安全管理制度目录", "经营场所使用证明"]
    });
    let (status, case) = http(
        address,
        "POST",
        "/api/v1/cases",
        Some(&clerk),
        Some(&intake),
    );
    assert_eq!(status, 201, "{case}");
    let id = case["summary"]["id"].as_i64().unwrap();
    let (status, body) = http(
        address,
        "POST",
        &format!("/api/v1/cases/{id}/actions"),
        Some(&clerk),
        Some(
            &json!({"expected_version": 1, "action": "refuse_intake", "reason": "不符", "legal_basis": "无"}),
        ),
    );
    assert_eq!(status, 200, "{body}");
    let (status, case) = http(
        address,
        "POST",
        "/api/v1/cases",
        Some(&clerk),
        Some(&intake),
    );
    assert_eq!(status, 201, "{case}");
    let id = case["summary"]["id"].as_i64().unwrap();
    let (status, body) = http(
        address,
        "POST",
        &format!("/api/v1/cases/{id}/actions"),
        Some(&clerk),
        Some(&json!({"expected_version": 1, "action": "accept"})),
    );
    assert_eq!(status, 200, "{body}");
}

fn config(dir: &Path, name: &str, city: &str, code: &str, secret: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "city_url = \"http://{city}\"\ndistrict_code = \"{code}\"\ncity_secret = \"{secret}\"\ncity_push_interval_seconds = 1\ncity_push_max_backoff_seconds = 2\nvideo_probe_interval_seconds = 0\n"
        ),
    )
    .unwrap();
    path
}

fn waiting(database: &str, config: &Path) -> i64 {
    let out = ok(liandong(database, Some(config), &["city", "status"]));
    out.split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"))
}

/// Waits until the district's outbox is empty (its server pushes on its own).
fn until_pushed(database: &str, config: &Path) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while waiting(database, config) > 0 {
        assert!(Instant::now() < deadline, "the district never caught up");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A district's own figures, read from its database.
struct Own {
    totals: Tally,
    findings: i64,
    routine: i64,
    open: [i64; 3],
}

async fn own(database: &str) -> Own {
    let store = Store::connect(database).await.unwrap();
    let mut totals = Tally::default();
    for (_, t) in store.totals_rows().await.unwrap() {
        totals.add(&t);
    }
    let count = |routine| FindingFilter {
        routine: Some(routine),
        limit: 1,
        ..FindingFilter::default()
    };
    let (_, findings) = store.findings(&count(false)).await.unwrap();
    let (_, routine) = store.findings(&count(true)).await.unwrap();
    let calendar = WorkingCalendar::shipped();
    let now = chrono::Utc::now();
    let mut open = [0; 3];
    for case in store.open_case_dues(None, None).await.unwrap() {
        let level = level_by_due(case.due_at, &calendar, &WarningRules::default(), now);
        open[level as usize] += 1;
    }
    store.close().await;
    Own {
        totals,
        findings,
        routine,
        open,
    }
}

async fn two_districts_and_a_city_agree_after_an_outage(db: Db) {
    let Some(city_db) = fresh_database(db).await else {
        return;
    };
    let district_dbs = [
        fresh_database(db).await.unwrap(),
        fresh_database(db).await.unwrap(),
    ];
    let dir = std::env::temp_dir().join(format!("liandong-city-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();

    for (code, name, secret) in SECRETS {
        ok(liandong(
            &city_db,
            None,
            &[
                "city",
                "add-district",
                code,
                "--name",
                name,
                "--secret",
                secret,
            ],
        ));
    }
    let refused = liandong(
        &city_db,
        None,
        &[
            "city",
            "add-district",
            "500114",
            "--name",
            "x",
            "--secret",
            "short",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("at least 16 bytes"),
        "{}",
        text(&refused)
    );
    ok(liandong(
        &city_db,
        None,
        &[
            "city",
            "add-account",
            "city.supervisor",
            "--password",
            "city-password-1",
        ],
    ));
    // Each district has a year's history before the link: it goes up too.
    for (database, (cases, seed)) in district_dbs.iter().zip([("120", "1"), ("90", "2")]) {
        ok(liandong(
            database,
            None,
            &[
                "demo",
                "--cases",
                cases,
                "--seed",
                seed,
                "--no-serve",
                "--admin-password",
                "district-admin-1",
            ],
        ));
    }

    let city_address = format!("127.0.0.1:{}", free_port());
    let (city, _) = serve(
        &city_db,
        None,
        &["--role", "city", "--listen", &city_address],
    );
    let nowhere = format!("127.0.0.1:{}", free_port());
    let linked = [
        config(&dir, "d1", &city_address, SECRETS[0].0, SECRETS[0].2),
        config(&dir, "d2", &city_address, SECRETS[1].0, SECRETS[1].2),
    ];
    let cut_off = config(&dir, "d2-cut", &nowhere, SECRETS[1].0, SECRETS[1].2);

    let (d1, d1_address) = serve(
        &district_dbs[0],
        Some(&linked[0]),
        &["--listen", "127.0.0.1:0"],
    );
    let (d2, d2_address) = serve(
        &district_dbs[1],
        Some(&cut_off),
        &["--listen", "127.0.0.1:0"],
    );
    work(&d1_address);
    work(&d2_address);
    until_pushed(&district_dbs[0], &linked[0]);
    // The second district's link is down: it keeps working, its records wait.
    ok(liandong(&district_dbs[1], None, &["supervision", "sweep"]));
    work(&d2_address);
    assert!(waiting(&district_dbs[1], &cut_off) > 0);
    let push = liandong(&district_dbs[1], Some(&cut_off), &["city", "push"]);
    assert!(!push.status.success());
    assert!(
        text(&push).contains("cannot reach the city"),
        "{}",
        text(&push)
    );

    // The city itself goes away for a while; the first district keeps working and retrying.
    drop(city);
    work(&d1_address);
    ok(liandong(&district_dbs[0], None, &["supervision", "sweep"]));
    std::thread::sleep(Duration::from_secs(3));
    assert!(waiting(&district_dbs[0], &linked[0]) > 0);

    // Everything back: the city on its address, the second district pointed at it.
    let (_city, _) = serve(
        &city_db,
        None,
        &["--role", "city", "--listen", &city_address],
    );
    drop(d2);
    let (_d2, _) = serve(
        &district_dbs[1],
        Some(&linked[1]),
        &["--listen", "127.0.0.1:0"],
    );
    until_pushed(&district_dbs[0], &linked[0]);
    until_pushed(&district_dbs[1], &linked[1]);
    // A push by hand now finds nothing more to send.
    let again = ok(liandong(
        &district_dbs[1],
        Some(&linked[1]),
        &["city", "push"],
    ));
    assert!(again.contains("pushed: 0 batches"), "{again}");
    drop(d1);

    let city_token = token(&city_address, "city.supervisor", "city-password-1");
    let (status, o) = http(
        &city_address,
        "GET",
        "/api/v1/city/totals",
        Some(&city_token),
        None,
    );
    assert_eq!(status, 200, "{o}");
    let mut sum = [0i64; 3];
    for (i, (code, _, _)) in SECRETS.iter().enumerate() {
        let d = o["districts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == json!(code))
            .unwrap();
        let own = own(&district_dbs[i]).await;
        let t = &d["totals"];
        assert_eq!(t["received"], json!(own.totals.received), "{code}: {d}");
        assert_eq!(t["accepted"], json!(own.totals.accepted), "{code}: {d}");
        assert_eq!(
            t["intake_refused"],
            json!(own.totals.intake_refused),
            "{code}: {d}"
        );
        assert_eq!(t["concluded"], json!(own.totals.concluded), "{code}: {d}");
        assert_eq!(
            t["on_time"],
            json!(own.totals.concluded_on_time),
            "{code}: {d}"
        );
        assert_eq!(
            t["on_the_spot"],
            json!(own.totals.on_the_spot),
            "{code}: {d}"
        );
        assert_eq!(t["withdrawn"], json!(own.totals.withdrawn), "{code}: {d}");
        assert_eq!(t["findings"], json!(own.findings), "{code}: {d}");
        assert_eq!(t["routine_reviews"], json!(own.routine), "{code}: {d}");
        let open = [&d["open"]["green"], &d["open"]["yellow"], &d["open"]["red"]];
        assert_eq!(open, own.open.map(|n| json!(n)).each_ref(), "{code}: {d}");
        assert!(
            own.findings >= 2,
            "each refusal on thin grounds is an irregularity"
        );
        sum[0] += own.totals.received;
        sum[1] += own.totals.concluded;
        sum[2] += own.findings;
    }
    let city_line = &o["city"]["totals"];
    assert_eq!(
        [
            &city_line["received"],
            &city_line["concluded"],
            &city_line["findings"]
        ],
        sum.map(|n| json!(n)).each_ref()
    );
    // The dashboard page, after signing in.
    let (status, _) = http(&city_address, "GET", "/city", None, None);
    assert_eq!(status, 303, "signed out: to the sign-in page");
}

#[tokio::test]
async fn two_districts_and_a_city_on_sqlite() {
    two_districts_and_a_city_agree_after_an_outage(Db::Sqlite).await;
}

#[tokio::test]
async fn two_districts_and_a_city_on_postgres() {
    two_districts_and_a_city_agree_after_an_outage(Db::Postgres).await;
}
