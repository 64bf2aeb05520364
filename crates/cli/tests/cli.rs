//! The real `liandong` binary: the demo district, serving, audit, the camera probe, catalog
//! files and backup, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use liandong_testkit::{Db, fresh_database};

fn liandong(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--database")
        .arg(database)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env(
            "LIANDONG_CERTIFICATE_KEY_FILE",
            std::env::temp_dir().join("liandong-test-certificate.key"),
        )
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

/// A minimal HTTP/1.1 exchange with the server on 127.0.0.1.
fn http(address: &str, method: &str, path: &str, body: Option<&str>) -> (u16, serde_json::Value) {
    liandong_testkit::exchange::json(address, method, path, None, &[], body.unwrap_or(""))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `liandong ... demo` serving on a free port and returns it with its address.
fn serve_demo(database: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .args([
            "--database",
            database,
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            "0",
        ])
        .env("RUST_BACKTRACE", "0")
        .env(
            "LIANDONG_CERTIFICATE_KEY_FILE",
            std::env::temp_dir().join("liandong-test-certificate.key"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.split("http://").nth(1) {
            let address = rest.split_whitespace().next().unwrap().to_owned();
            return (server, address);
        }
    }
    panic!("the server never said where it listens");
}

async fn the_demo_district_is_built_served_and_audited(db: Db) {
    let Some(url) = fresh_database(db).await else {
        return;
    };
    let built = liandong(
        &url,
        &[
            "demo",
            "--cases",
            "400",
            "--no-serve",
            "--admin-password",
            "district-admin-1",
        ],
    );
    assert!(built.status.success(), "{}", text(&built));
    assert!(text(&built).contains("admin / district-admin-1"));

    // The appeals of the seed's year, in its proportion to cases: 400 × 95,000 / 554,912.
    let store = liandong_store::Store::connect(&url).await.unwrap();
    let (appeals, total) = store
        .appeals(
            &liandong_domain::organization::Visibility::All,
            &liandong_store::AppealFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 68);
    assert!(appeals.iter().any(|a| a.state.as_str() == "closed"));
    // A key project in the green channel with its first approval opened, and the hall's queue.
    let projects = store.projects(None).await.unwrap();
    assert_eq!(projects.len(), 1);
    assert!(projects[0].opened_at.is_some());
    let hall = store.units().await.unwrap()[0].id;
    let groups: Vec<String> = store
        .queue_groups(hall)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.code)
        .collect();
    assert_eq!(groups, ["A", "B", "C", "D"]);
    store.close().await;

    let again = liandong(&url, &["demo", "--no-serve"]);
    assert!(
        text(&again).contains("already holds the demo district"),
        "{}",
        text(&again)
    );

    let audit = liandong(&url, &["audit", "verify"]);
    assert!(audit.status.success(), "{}", text(&audit));
    assert!(text(&audit).contains("audit passed"), "{}", text(&audit));
    // The cameras' probe as a command of its own (the demo has no cameras yet).
    let probe = liandong(&url, &["video", "probe"]);
    assert!(probe.status.success(), "{}", text(&probe));
    assert!(
        text(&probe).contains("probe done: 0 cameras"),
        "{}",
        text(&probe)
    );

    let dir = std::env::temp_dir().join(format!("liandong-cli-{:x}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("catalog.csv");
    let export = liandong(&url, &["catalog", "export", csv.to_str().unwrap()]);
    assert!(
        text(&export).contains("exported 395 items"),
        "{}",
        text(&export)
    );
    let xlsx = dir.join("catalog.xlsx");
    assert!(
        liandong(&url, &["catalog", "export", xlsx.to_str().unwrap()])
            .status
            .success()
    );
    let import = liandong(
        &url,
        &[
            "catalog",
            "import",
            xlsx.to_str().unwrap(),
            "--effective-from",
            "2026-12-01",
        ],
    );
    assert!(
        text(&import).contains("created 0, changed 0, unchanged 395"),
        "{}",
        text(&import)
    );
    std::fs::write(dir.join("bad.csv"), "code,name\nXK1,x\n").unwrap();
    let bad = liandong(
        &url,
        &[
            "catalog",
            "import",
            dir.join("bad.csv").to_str().unwrap(),
            "--effective-from",
            "2026-12-01",
        ],
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("首行应为列名"), "{}", text(&bad));

    let backup = dir.join("backup.db");
    let saved = liandong(&url, &["backup", backup.to_str().unwrap()]);
    assert!(saved.status.success(), "{}", text(&saved));
    let restored_url = fresh_database(db).await.unwrap();
    let restored = liandong(&restored_url, &["restore", backup.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", text(&restored));
    assert!(
        liandong(&restored_url, &["audit", "verify"])
            .status
            .success()
    );

    let (server, address) = serve_demo(&url);
    let (status, health) = http(&address, "GET", "/api/v1/health", None);
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, token) = http(
        &address,
        "POST",
        "/api/v1/auth/token",
        Some(r#"{"username":"admin","password":"district-admin-1"}"#),
    );
    assert_eq!(status, 200, "{token}");
    let (_, report) = http(
        &address,
        "GET",
        "/api/v1/catalog/reform-report?from=2024-06-01&to=2025-06-01",
        None,
    );
    assert_eq!(report["items_before"], 395 + 85, "{report}");
    assert_eq!(
        report["items_cancelled"].as_array().unwrap().len(),
        85,
        "the seed's 85 cancelled items"
    );
    assert_eq!(report["on_the_spot_before"], 34);
    assert_eq!(report["on_the_spot_after"], 192);
    let (_, items) = http(&address, "GET", "/api/v1/items", None);
    assert_eq!(
        items
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["cancelled"] == false)
            .count(),
        395
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

#[tokio::test]
async fn the_demo_district_on_sqlite() {
    the_demo_district_is_built_served_and_audited(Db::Sqlite).await;
}

#[tokio::test]
async fn the_demo_district_on_postgres() {
    the_demo_district_is_built_served_and_audited(Db::Postgres).await;
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = liandong("mysql://nowhere", &["migrate"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("unsupported database URL"),
        "{}",
        text(&out)
    );
}

/// A certificate as the server makes it, written to `dir`: the key's seed, the file.
fn certificate_file(dir: &std::path::Path) -> ([u8; 32], std::path::PathBuf) {
    let seed = [9u8; 32];
    let font = std::fs::read(liandong_testkit::CERTIFICATE_FONT)
        .expect("the CJK font (scripts/test.sh installs fonts-wqy-microhei)");
    let certificate = liandong_certificate::Certificate {
        identifier: liandong_certificate::LicenceIdentifier::new(
            "00001000",
            &liandong_testkit::district::government_credit_code(1),
            "100202611300001",
            1,
        )
        .unwrap(),
        title: "食品经营许可证".into(),
        holder_name: "王建国".into(),
        holder_kind: liandong_certificate::HolderKind::Person,
        holder_id_number: "11010519491231002X".into(),
        item_name: "食品经营许可（新办）".into(),
        particulars: vec![],
        issuer_name: "重庆市渝北区市场监督管理局".into(),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        valid_until: None,
        case_number: "100-20261130-0001".into(),
    };
    let pdf = liandong_certificate::render_pdf(
        &certificate,
        &liandong_certificate::CertificateFont::from_bytes(&font, 0).unwrap(),
        &liandong_certificate::signing_key_from_seed(&seed),
        "http://127.0.0.1:8080",
    )
    .unwrap();
    let path = dir.join("certificate.pdf");
    std::fs::write(&path, pdf).unwrap();
    (seed, path)
}

#[test]
fn a_certificate_file_verifies_offline_and_an_altered_one_does_not() {
    let dir = std::env::temp_dir().join(format!("liandong-cert-{:x}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let (seed, file) = certificate_file(&dir);
    // The public key comes from the configured key file, as the server publishes it.
    let key_file = dir.join("district.key");
    std::fs::write(&key_file, format!("{}\n", hex::encode(seed))).unwrap();
    let printed = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .args(["certificate", "public-key"])
        .env("LIANDONG_CERTIFICATE_KEY_FILE", &key_file)
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", text(&printed));
    let public_key = String::from_utf8_lossy(&printed.stdout).trim().to_owned();
    assert_eq!(public_key.len(), 64, "{public_key}");

    let verify = |path: &std::path::Path, key: &str| {
        Command::new(env!("CARGO_BIN_EXE_liandong"))
            .args(["certificate", "verify"])
            .arg(path)
            .args(["--public-key", key])
            .output()
            .unwrap()
    };
    let good = verify(&file, &public_key);
    assert!(good.status.success(), "{}", text(&good));
    let out = text(&good);
    assert!(out.contains("100-20261130-0001"), "{out}");
    assert!(out.contains("王**"), "{out}");
    assert!(!out.contains("王建国"), "the QR payload is masked: {out}");

    // One byte changed anywhere, or another district's key: refused.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    let altered = dir.join("altered.pdf");
    std::fs::write(&altered, bytes).unwrap();
    let bad = verify(&altered, &public_key);
    assert!(!bad.status.success());
    assert!(text(&bad).contains("证照验证失败"), "{}", text(&bad));
    let other_key = liandong_certificate::public_key_text(
        &liandong_certificate::signing_key_from_seed(&[1u8; 32]).verifying_key(),
    );
    let foreign = verify(&file, &other_key);
    assert!(!foreign.status.success(), "{}", text(&foreign));
    let _ = std::fs::remove_dir_all(&dir);
}
