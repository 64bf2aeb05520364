//! `liandong demo` with an SMS gateway configured starts the delivery worker: an accepted
//! case's message reaches the gateway's sendsms URL once, with a delivery-report URL that
//! reaches the server on the address it is bound to, with the secret derived from the
//! password. The gateway here is a stand-in answering like Kannel; the real Kannel runs in
//! crates/http/tests/it/outbox.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use liandong_testkit::{Db, fresh_database};

fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    liandong_testkit::exchange::json(address, method, path, token, &[], body.unwrap_or(""))
}

/// Decodes a query value (`%XX`, `+` as space).
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn param(target: &str, name: &str) -> Option<String> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

/// A sendsms stand-in: records each request target, answers 202 as Kannel does.
fn fake_gateway() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                    break;
                }
            }
            let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
            record.lock().unwrap().push(target);
            let body = "0: Accepted for delivery";
            let _ = write!(
                stream,
                "HTTP/1.1 202 Accepted\r\nContent-Length: {}\r\nConnection: Close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn a_configured_gateway_gets_each_message_once_and_reports_come_back(db: Db) {
    let Some(url) = fresh_database(db).await else {
        return;
    };
    let (port, seen) = fake_gateway();
    let dir = std::env::temp_dir().join(format!("liandong-sms-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("liandong.toml");
    std::fs::write(
        &config,
        format!(
            "sms_gateway_url = \"http://127.0.0.1:{port}/cgi-bin/sendsms\"\nsms_username = \"liandong\"\nsms_password = \"gw-pass\"\nsms_from = \"10690001\"\n"
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_liandong"))
        .arg("--config")
        .arg(&config)
        .args([
            "--database",
            &url,
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            "0",
        ])
        .args(["--admin-password", "district-admin-1"])
        .env("RUST_BACKTRACE", "0")
        .env(
            "LIANDONG_CERTIFICATE_KEY_FILE",
            std::env::temp_dir().join("liandong-test-certificate.key"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut said_kannel = false;
    let mut address = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        said_kannel |= line.contains("SMS delivery through Kannel");
        if line.contains("is serving on") {
            let rest = line.split("http://").nth(1).unwrap();
            address = rest.split_whitespace().next().unwrap().to_owned();
            break;
        }
    }
    assert!(said_kannel, "the server says the worker runs");

    // Accept a case at the hall: one "accepted" message.
    let (_, signed) = http(
        &address,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(r#"{"username":"d01.clerk","password":"liandong2026"}"#),
    );
    let clerk = signed["token"].as_str().unwrap().to_owned();
    let (_, item) = http(&address, "GET", "/api/v1/items/XK00001000", None, None);
    let materials: Vec<&str> = item["record"]["item"]["materials"]
        .as_array()
        .unwrap_or_else(|| panic!("{item}"))
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let intake = serde_json::json!({
        "item_code": "XK00001000",
        "applicant": {"type": "person", "name": "王建国", "resident_id": "11010519491231002X"},
        "phone": "13800138000", "channel": "window", "materials": materials,
    });
    let (status, case) = http(
        &address,
        "POST",
        "/api/v1/cases",
        Some(&clerk),
        Some(&intake.to_string()),
    );
    assert_eq!(status, 201, "{case}");
    let id = case["summary"]["id"].as_i64().unwrap();
    let act = serde_json::json!({"expected_version": 1, "action": "accept"});
    let (status, accepted) = http(
        &address,
        "POST",
        &format!("/api/v1/cases/{id}/actions"),
        Some(&clerk),
        Some(&act.to_string()),
    );
    assert_eq!(status, 200, "{accepted}");

    // The demo's own messages (its online applicant's) may come first: find the applicant's.
    let start = Instant::now();
    let target = loop {
        let found = seen
            .lock()
            .unwrap()
            .iter()
            .find(|t| param(t, "to").as_deref() == Some("13800138000"))
            .cloned();
        if let Some(target) = found {
            break target;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nothing reached the gateway"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(target.starts_with("/cgi-bin/sendsms?"), "{target}");
    assert_eq!(param(&target, "to").as_deref(), Some("13800138000"));
    assert_eq!(param(&target, "coding").as_deref(), Some("2"));
    assert_eq!(param(&target, "from").as_deref(), Some("10690001"));
    let text = param(&target, "text").unwrap();
    assert!(text.contains("已受理") && text.contains("王建国"), "{text}");

    // Kannel would now call the report URL: it reaches this server, with a secret that works.
    let report = param(&target, "dlr-url").unwrap();
    let path = report
        .strip_prefix(&format!("http://{address}"))
        .unwrap_or_else(|| panic!("{report} is not on {address}"))
        .replace("%d", "1")
        .replace("%A", "");
    let (status, _) = http(&address, "GET", &path, None, None);
    assert_eq!(status, 204);
    let (status, _) = http(
        &address,
        "GET",
        &path.replace("token=", "token=x"),
        None,
        None,
    );
    assert_eq!(status, 404, "a wrong secret");
    let (_, admin) = http(
        &address,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(r#"{"username":"admin","password":"district-admin-1"}"#),
    );
    let admin = admin["token"].as_str().unwrap().to_owned();
    let (_, messages) = http(
        &address,
        "GET",
        &format!("/api/v1/sms/messages?case_id={id}"),
        Some(&admin),
        None,
    );
    assert_eq!(messages[0]["state"], "delivered", "{messages}");
    std::thread::sleep(Duration::from_millis(500));
    let to_applicant = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|t| param(t, "to").as_deref() == Some("13800138000"))
        .count();
    assert_eq!(to_applicant, 1, "sent once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sms_through_a_configured_gateway_on_sqlite() {
    a_configured_gateway_gets_each_message_once_and_reports_come_back(Db::Sqlite).await;
}

#[tokio::test]
async fn sms_through_a_configured_gateway_on_postgres() {
    a_configured_gateway_gets_each_message_once_and_reports_come_back(Db::Postgres).await;
}
