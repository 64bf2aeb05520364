//! Crash test: client threads drive cases through their whole life over the HTTP API while
//! the real `liandong` server is killed with SIGKILL at random moments and restarted on the
//! same database, on SQLite and on PostgreSQL (the server process is killed, never the
//! database). Afterwards, read straight from the database:
//!
//! - every action acknowledged with a 2xx is in its case's history, as the very event the
//!   response showed (same sequence number, same kind, same hash);
//! - every case's derived row (version, head hash, state, outcome, instants) equals a recount
//!   from its events, its history folds, and its state is one its item's procedure reaches;
//! - case numbers are unique and each unit's day is numbered 1..n without gaps, and the next
//!   number the server hands out is n + 1;
//! - every idempotency key made at most one case, every case of the test has exactly one key,
//!   and every acknowledged submit is the case its key points at;
//! - `liandong audit verify` passes.
//!
//! Runs: `cargo test -p liandong --test crash` (PostgreSQL from LIANDONG_TEST_POSTGRES_URL,
//! as `scripts/test.sh` sets it). The kill moments come from a seeded generator
//! (LIANDONG_CRASH_SEED, default below); see docs/reliability.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{RwLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use liandong_domain::case::Case;
use liandong_domain::ids::resident_id_check_char;
use liandong_domain::organization::{CaseId, StaffId};
use liandong_store::{KeyOwner, Store, StoredCase};
use liandong_testkit::{Db, fresh_database};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// SIGKILLs of the server while the clients work; each is followed by a restart.
const KILLS: usize = 12;
/// Concurrent client threads, each driving its own cases one after another.
const CLIENTS: usize = 8;
/// A bound on the cases one client starts.
const MAX_CASES_PER_CLIENT: usize = 500;
/// How long the server runs between a start and its kill, in milliseconds.
const RUN_MS: std::ops::RangeInclusive<u64> = 300..=1500;
/// The seed of the kill moments unless LIANDONG_CRASH_SEED says otherwise.
const DEFAULT_SEED: u64 = 20_261_128;
/// History the demo generates before the test; its cases are checked too.
const DEMO_CASES: &str = "200";
const ADMIN_PASSWORD: &str = "crash-admin-2026";
const STAFF_PASSWORD: &str = "liandong2026";
/// Items of the demo catalog that go through steps (not on-the-spot): food production
/// (handle, review, approve) and food business (handle, approve by the window) of D22.
const ITEMS: [&str; 2] = ["XK00095001", "XK00094001"];
/// A safety net: clients stop by themselves after this long, whatever happens.
const CLIENT_HARD_LIMIT: Duration = Duration::from_secs(150);

// ---------------------------------------------------------------------------------------
// The server

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
        .env("LIANDONG_LOG", "warn")
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

#[derive(Debug, Clone, Copy)]
enum Start {
    /// `liandong demo`: builds the district once, then serves what is there.
    Demo,
    /// `liandong serve`.
    Serve,
}

/// A running server; dropping it kills it (SIGKILL), so a failing test leaves none behind.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(database: &str, how: Start, log: &Path) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_liandong"));
        command.arg("--database").arg(database);
        match how {
            Start::Demo => command.args([
                "demo",
                "--cases",
                DEMO_CASES,
                "--admin-password",
                ADMIN_PASSWORD,
                "--listen",
                "127.0.0.1:0",
            ]),
            Start::Serve => command.args(["serve", "--listen", "127.0.0.1:0"]),
        };
        let stderr = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log");
        let mut child = command
            .env("RUST_BACKTRACE", "1")
            .env(
                "LIANDONG_CERTIFICATE_KEY_FILE",
                std::env::temp_dir().join("liandong-test-certificate.key"),
            )
            .env("LIANDONG_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .expect("spawn liandong");
        let stdout = child.stdout.take().expect("stdout");
        let mut copy = OpenOptions::new()
            .append(true)
            .open(log)
            .expect("server log");
        let (said, heard) = mpsc::channel();
        // Drains stdout to the end (a full pipe would stall the server) and reports the address.
        thread::spawn(move || {
            let mut said = Some(said);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(copy, "{line}");
                if let Some(rest) = line.split("http://").nth(1)
                    && let Some(tx) = said.take()
                {
                    let address = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(address);
                }
            }
        });
        let mut server = Server {
            child,
            address: String::new(),
        };
        match heard.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => server.address = address,
            Err(_) => panic!(
                "the server ({how:?}) never said where it listens; its log:\n{}",
                tail(log, 40)
            ),
        }
        server
    }

    /// SIGKILL (`Child::kill` on Unix), and reap it.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let all = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = all.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ---------------------------------------------------------------------------------------
// Minimal HTTP/1.1 over TcpStream, telling "not sent" from "sent, no answer"

enum Reply {
    /// A complete response.
    Answer(u16, Value),
    /// Nothing reached a server (none listening): certainly not executed.
    NotSent,
    /// The request went out but no complete response came back: it may or may not have been
    /// executed.
    NoAnswer,
}

struct Request<'a> {
    method: &'a str,
    path: &'a str,
    token: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    body: Option<&'a str>,
}

fn exchange(address: &str, request: &Request<'_>) -> Reply {
    let Ok(socket) = address.parse::<SocketAddr>() else {
        return Reply::NotSent;
    };
    let Ok(mut stream) = TcpStream::connect_timeout(&socket, Duration::from_secs(2)) else {
        return Reply::NotSent;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let body = request.body.unwrap_or("");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        request.method,
        request.path,
        body.len()
    );
    if let Some(token) = request.token {
        head.push_str(&format!("authorization: Bearer {token}\r\n"));
    }
    if let Some(key) = request.idempotency_key {
        head.push_str(&format!("idempotency-key: {key}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    if stream.write_all(head.as_bytes()).is_err() {
        return Reply::NoAnswer;
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() {
        return Reply::NoAnswer;
    }
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Reply::NoAnswer;
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = &raw[split + 4..];
    let Some(status) = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
    else {
        return Reply::NoAnswer;
    };
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    if length.is_some_and(|n| body.len() < n) {
        return Reply::NoAnswer;
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => Reply::Answer(status, json),
        // A success whose body did not arrive whole is no acknowledgement.
        Err(_) if (200..300).contains(&status) => Reply::NoAnswer,
        Err(_) => Reply::Answer(status, Value::Null),
    }
}

// ---------------------------------------------------------------------------------------
// The service guide: what to send and which steps follow

#[derive(Debug, Clone)]
struct Guide {
    code: String,
    /// Lower-case department code, the prefix of its staff accounts (`d22`).
    department: String,
    materials: Vec<String>,
    /// (step kind, role) in order.
    steps: Vec<(String, String)>,
}

impl Guide {
    fn read(address: &str, code: &str) -> Guide {
        let path = format!("/api/v1/items/{code}");
        let Reply::Answer(200, guide) = exchange(
            address,
            &Request {
                method: "GET",
                path: &path,
                token: None,
                idempotency_key: None,
                body: None,
            },
        ) else {
            panic!("cannot read the service guide of {code}");
        };
        let item = &guide["record"]["item"];
        assert_eq!(item["on_the_spot"], false, "{code} must go through steps");
        let materials = item["materials"]
            .as_array()
            .expect("materials")
            .iter()
            .filter(|m| m["optional"] == false)
            .map(|m| m["name"].as_str().expect("material name").to_owned())
            .collect();
        let steps: Vec<(String, String)> = item["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| {
                (
                    s["kind"].as_str().expect("step kind").to_owned(),
                    s["role"].as_str().expect("step role").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            steps.last().map(|s| s.0.as_str()),
            Some("approve"),
            "{code}: the decision is the last step"
        );
        Guide {
            code: code.to_owned(),
            department: item["department_code"]
                .as_str()
                .expect("department")
                .to_lowercase(),
            materials,
            steps,
        }
    }

    /// The whole life of a case of this item: each event and the state it leaves the case in.
    fn life(&self) -> Vec<(&'static str, &'static str)> {
        fn state_at(kind: &str) -> &'static str {
            match kind {
                "handle" => "handling",
                "review" => "reviewing",
                _ => "deciding",
            }
        }
        let mut life = vec![
            ("received", "submitted"),
            ("accepted", state_at(&self.steps[0].0)),
        ];
        for (i, (kind, _)) in self.steps.iter().enumerate() {
            let event = match kind.as_str() {
                "handle" => "handled",
                "review" => "reviewed",
                _ => "approved",
            };
            let after = match self.steps.get(i + 1) {
                Some((next, _)) => state_at(next),
                None => "decided",
            };
            life.push((event, after));
        }
        life.push(("concluded", "concluded"));
        life
    }

    fn role_of(&self, step: &str) -> &str {
        self.steps
            .iter()
            .find(|(kind, _)| kind == step)
            .map_or("approver", |(_, role)| role.as_str())
    }

    /// The demo account with a role in the item's department (`d22.officer`).
    fn account(&self, role: &str) -> String {
        let suffix = match role {
            "handling_officer" => "officer",
            "reviewer" => "reviewer",
            "approver" => "approver",
            _ => "clerk",
        };
        format!("{}.{suffix}", self.department)
    }

    /// What to do to a case in `state`: (the event it makes, account, request body).
    fn next_action(&self, state: &str, version: u32) -> Option<(&'static str, String, Value)> {
        let life = self.life();
        let at = life.iter().position(|(_, after)| *after == state)?;
        let (event, _) = *life.get(at + 1)?;
        let (account, action) = match event {
            "accepted" => (self.account("window_clerk"), json!({"action": "accept"})),
            "handled" => (
                self.account(self.role_of("handle")),
                json!({"action": "handle", "opinion": "材料齐全，符合条件 / complete and eligible"}),
            ),
            "reviewed" => (
                self.account(self.role_of("review")),
                json!({"action": "review", "opinion": "同意承办意见 / agreed"}),
            ),
            "approved" => (
                self.account(self.role_of("approve")),
                json!({"action": "approve", "opinion": "准予许可 / granted"}),
            ),
            _ => (
                self.account("window_clerk"),
                json!({"action": "conclude", "delivery": "窗口领取 / collected at the window"}),
            ),
        };
        let mut body = action;
        body["expected_version"] = json!(version);
        body["comment"] = json!("crash test");
        Some((event, account, body))
    }
}

// ---------------------------------------------------------------------------------------
// The clients

/// What the orchestrator and the clients share.
struct Shared {
    /// Where the server listens now; None while it is down.
    address: RwLock<Option<String>>,
    stop: AtomicBool,
    in_flight: AtomicI64,
    started: Instant,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.started.elapsed() > CLIENT_HARD_LIMIT
    }
}

/// An action acknowledged with a 2xx: the event it made, as the response showed it.
#[derive(Debug, Clone)]
struct Ack {
    case: i64,
    version: u32,
    event: &'static str,
    hash: String,
}

/// An idempotency key sent (by the clerk `staff`), and the case its 2xx answer named.
#[derive(Debug, Clone)]
struct KeyUse {
    staff: i64,
    key: String,
    acked_case: Option<i64>,
}

#[derive(Debug, Default)]
struct Report {
    acks: Vec<Ack>,
    keys: Vec<KeyUse>,
    requests: u64,
    /// Requests that went out and got no answer: killed under them.
    unanswered: u64,
    /// Unanswered actions that the re-read showed done / not done.
    unanswered_done: u64,
    unanswered_not_done: u64,
    retried_submits: u64,
    /// Actions refused with 409 that nobody else won (none expected: each client owns its
    /// cases and re-reads after every doubt).
    conflicts: u64,
    /// Actions sent twice at once on two connections, and how many of those pairs ended
    /// with one 2xx and one 409 (the lost-update guard at work).
    races: u64,
    races_one_winner: u64,
    sign_ins: u64,
    cases_started: u64,
    cases_concluded: u64,
    anomalies: Vec<String>,
}

impl Report {
    fn merge(&mut self, other: Report) {
        self.acks.extend(other.acks);
        self.keys.extend(other.keys);
        self.requests += other.requests;
        self.unanswered += other.unanswered;
        self.unanswered_done += other.unanswered_done;
        self.unanswered_not_done += other.unanswered_not_done;
        self.retried_submits += other.retried_submits;
        self.conflicts += other.conflicts;
        self.races += other.races;
        self.races_one_winner += other.races_one_winner;
        self.sign_ins += other.sign_ins;
        self.cases_started += other.cases_started;
        self.cases_concluded += other.cases_concluded;
        self.anomalies.extend(other.anomalies);
    }
}

/// The outcome of a call made on behalf of an account.
enum Call {
    Answer(u16, Value),
    NoAnswer,
    Stopped,
}

struct Client<'a> {
    number: usize,
    shared: &'a Shared,
    guide: &'a Guide,
    tokens: HashMap<String, (String, i64)>,
    report: Report,
}

fn pause() {
    thread::sleep(Duration::from_millis(20));
}

impl Client<'_> {
    fn anomaly(&mut self, what: String) {
        if self.report.anomalies.len() < 50 {
            self.report
                .anomalies
                .push(format!("client {}: {what}", self.number));
        }
    }

    /// One request to whichever server is up; waits while none is.
    fn send(&mut self, request: &Request<'_>) -> Option<Reply> {
        loop {
            if self.shared.stopping() {
                return None;
            }
            let address = self.shared.address.read().unwrap().clone();
            let Some(address) = address else {
                pause();
                continue;
            };
            self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
            let reply = exchange(&address, request);
            self.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            match reply {
                Reply::NotSent => pause(),
                Reply::NoAnswer => {
                    self.report.requests += 1;
                    self.report.unanswered += 1;
                    return Some(Reply::NoAnswer);
                }
                answer => {
                    self.report.requests += 1;
                    return Some(answer);
                }
            }
        }
    }

    /// The token and staff id of `account`, signing in when there is none.
    fn sign_in(&mut self, account: &str) -> Option<(String, i64)> {
        if let Some(known) = self.tokens.get(account) {
            return Some(known.clone());
        }
        let body = json!({"username": account, "password": STAFF_PASSWORD}).to_string();
        loop {
            let reply = self.send(&Request {
                method: "POST",
                path: "/api/v1/auth/token",
                token: None,
                idempotency_key: None,
                body: Some(&body),
            })?;
            match reply {
                Reply::Answer(200, v) => {
                    let token = v["token"].as_str().expect("token").to_owned();
                    let staff = v["staff"]["id"].as_i64().expect("staff id");
                    self.report.sign_ins += 1;
                    self.tokens
                        .insert(account.to_owned(), (token.clone(), staff));
                    return Some((token, staff));
                }
                Reply::Answer(503, _) | Reply::NoAnswer | Reply::NotSent => pause(),
                Reply::Answer(status, v) => {
                    self.anomaly(format!("sign-in of {account} answered {status}: {v}"));
                    pause();
                }
            }
        }
    }

    /// A request as `account`. A 401 means the server did not know an acknowledged token
    /// (a lost sign-in): noted, and the request is repeated after signing in again (a 401 did
    /// nothing).
    fn call(
        &mut self,
        account: &str,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
    ) -> Call {
        loop {
            let Some((token, _)) = self.sign_in(account) else {
                return Call::Stopped;
            };
            let Some(reply) = self.send(&Request {
                method,
                path,
                token: Some(&token),
                idempotency_key: key,
                body,
            }) else {
                return Call::Stopped;
            };
            match reply {
                Reply::Answer(401, v) => {
                    self.anomaly(format!(
                        "the acknowledged token of {account} was refused (401): {v}"
                    ));
                    self.tokens.remove(account);
                }
                Reply::Answer(status, v) => return Call::Answer(status, v),
                Reply::NoAnswer | Reply::NotSent => return Call::NoAnswer,
            }
        }
    }

    fn run(mut self) -> Report {
        let clerk = self.guide.account("window_clerk");
        for n in 1..=MAX_CASES_PER_CLIENT {
            let Some(view) = self.submit(&clerk, n) else {
                break;
            };
            self.report.cases_started += 1;
            if !self.drive(&clerk, view) {
                break;
            }
            self.report.cases_concluded += 1;
        }
        self.report
    }

    /// Takes in application `n`, retrying with the same key and body until a 2xx.
    fn submit(&mut self, clerk: &str, n: usize) -> Option<Value> {
        let key = format!("crash-{}-{n:04}", self.number);
        let body = self.intake(n).to_string();
        let (_, staff) = self.sign_in(clerk)?;
        self.report.keys.push(KeyUse {
            staff,
            key: key.clone(),
            acked_case: None,
        });
        let mut attempts = 0;
        loop {
            attempts += 1;
            if attempts > 1 {
                self.report.retried_submits += 1;
            }
            match self.call(clerk, "POST", "/api/v1/cases", Some(&key), Some(&body)) {
                Call::Stopped => return None,
                Call::Answer(201, view) => {
                    let case = view["summary"]["id"].as_i64().expect("case id");
                    let first = &view["events"][0];
                    if view["summary"]["version"] != 1 || first["kind"]["type"] != "received" {
                        self.anomaly(format!("submit {key} answered an unexpected case: {view}"));
                    }
                    self.report.acks.push(Ack {
                        case,
                        version: 1,
                        event: "received",
                        hash: first["hash"].as_str().unwrap_or("").to_owned(),
                    });
                    if let Some(keyed) = self.report.keys.last_mut() {
                        keyed.acked_case = Some(case);
                    }
                    return Some(view);
                }
                Call::NoAnswer | Call::Answer(503, _) => pause(),
                Call::Answer(status, v) => {
                    self.anomaly(format!("submit {key} answered {status}: {v}"));
                    pause();
                }
            }
        }
    }

    fn intake(&self, n: usize) -> Value {
        let first17 = format!(
            "500112{:04}{:02}{:02}{:03}",
            1960 + (n % 40),
            1 + self.number % 12,
            1 + n % 28,
            n % 1000
        );
        let check = resident_id_check_char(&first17).expect("17 digits");
        json!({
            "item_code": self.guide.code,
            "applicant": {"type": "person", "name": format!("压测{}号{n}", self.number),
                "resident_id": format!("{first17}{check}")},
            "phone": "13800138000",
            "channel": "window",
            "materials": self.guide.materials,
        })
    }

    /// The case as stored now, read until a server answers.
    fn reread(&mut self, clerk: &str, case: i64) -> Option<Value> {
        let path = format!("/api/v1/cases/{case}");
        loop {
            match self.call(clerk, "GET", &path, None, None) {
                Call::Stopped => return None,
                Call::Answer(200, view) => return Some(view),
                Call::NoAnswer | Call::Answer(503, _) => pause(),
                Call::Answer(status, v) => {
                    self.anomaly(format!("reading case {case} answered {status}: {v}"));
                    pause();
                }
            }
        }
    }

    /// Sends one action twice at once, on two connections with the same expected version:
    /// at most one may be acknowledged, the other must be refused (409). Answers like `call`.
    fn race(
        &mut self,
        account: &str,
        path: &str,
        body: &str,
        case: i64,
        version: u32,
        event: &'static str,
    ) -> Call {
        loop {
            let Some((token, _)) = self.sign_in(account) else {
                return Call::Stopped;
            };
            if self.shared.stopping() {
                return Call::Stopped;
            }
            let address = self.shared.address.read().unwrap().clone();
            let Some(address) = address else {
                pause();
                continue;
            };
            let request = Request {
                method: "POST",
                path,
                token: Some(&token),
                idempotency_key: None,
                body: Some(body),
            };
            self.shared.in_flight.fetch_add(2, Ordering::SeqCst);
            let replies = thread::scope(|scope| {
                let other = scope.spawn(|| exchange(&address, &request));
                let mine = exchange(&address, &request);
                [mine, other.join().unwrap_or(Reply::NoAnswer)]
            });
            self.shared.in_flight.fetch_sub(2, Ordering::SeqCst);
            let mut wins = Vec::new();
            let (mut refused, mut unknown, mut sent) = (0, false, false);
            let mut other = None;
            for reply in replies {
                match reply {
                    Reply::NotSent => {}
                    Reply::NoAnswer => {
                        self.report.requests += 1;
                        self.report.unanswered += 1;
                        unknown = true;
                        sent = true;
                    }
                    Reply::Answer(status, v) => {
                        self.report.requests += 1;
                        sent = true;
                        match status {
                            200 => wins.push(v),
                            409 => refused += 1,
                            401 => {
                                self.anomaly(format!(
                                    "the acknowledged token of {account} was refused (401): {v}"
                                ));
                                self.tokens.remove(account);
                                unknown = true;
                            }
                            503 => unknown = true,
                            _ => other = Some((status, v)),
                        }
                    }
                }
            }
            if !sent {
                pause();
                continue;
            }
            self.report.races += 1;
            if wins.len() == 1 && refused == 1 {
                self.report.races_one_winner += 1;
            }
            if wins.len() > 1 {
                self.anomaly(format!(
                    "case {case}: both of two racing {event} at version {version} were acknowledged"
                ));
                // Both are held to their word: the check finds the one not stored.
                let second = &wins[1]["summary"];
                self.report.acks.push(Ack {
                    case,
                    version: version + 1,
                    event,
                    hash: second["head_hash"].as_str().unwrap_or("").to_owned(),
                });
            }
            if let Some(win) = wins.into_iter().next() {
                return Call::Answer(200, win);
            }
            if let Some((status, v)) = other {
                return Call::Answer(status, v);
            }
            if unknown {
                return Call::NoAnswer;
            }
            return Call::Answer(409, Value::Null);
        }
    }

    /// Drives a case to its conclusion; false when told to stop first.
    fn drive(&mut self, clerk: &str, mut view: Value) -> bool {
        let case = view["summary"]["id"].as_i64().expect("case id");
        let path = format!("/api/v1/cases/{case}/actions");
        loop {
            let version = view["summary"]["version"]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .expect("version");
            let state = view["summary"]["state"].as_str().unwrap_or("").to_owned();
            if state == "concluded" {
                return true;
            }
            let Some((event, account, body)) = self.guide.next_action(&state, version) else {
                self.anomaly(format!(
                    "case {case} is in state {state:?}, outside its procedure"
                ));
                return true;
            };
            // Every third action is sent twice at once: exactly one may win.
            let body = body.to_string();
            let outcome = if (case + i64::from(version)) % 3 == 0 {
                self.race(&account, &path, &body, case, version, event)
            } else {
                self.call(&account, "POST", &path, None, Some(&body))
            };
            match outcome {
                Call::Stopped => return false,
                Call::Answer(200, answer) => {
                    let summary = &answer["summary"];
                    let last = answer["events"]
                        .as_array()
                        .and_then(|e| e.last())
                        .cloned()
                        .unwrap_or_default();
                    if summary["version"] != version + 1 || last["kind"]["type"] != event {
                        self.anomaly(format!(
                            "case {case}: {event} at version {version} answered version {} with {}",
                            summary["version"], last["kind"]["type"]
                        ));
                    }
                    self.report.acks.push(Ack {
                        case,
                        version: version + 1,
                        event,
                        hash: summary["head_hash"].as_str().unwrap_or("").to_owned(),
                    });
                    view = answer;
                }
                Call::Answer(409, _) => {
                    self.report.conflicts += 1;
                    let Some(now) = self.reread(clerk, case) else {
                        return false;
                    };
                    view = now;
                }
                Call::NoAnswer | Call::Answer(503, _) => {
                    // The server died under the request (or could not commit): whether the
                    // action happened is learnt by reading the case again.
                    let Some(now) = self.reread(clerk, case) else {
                        return false;
                    };
                    let stored = now["summary"]["version"].as_u64().unwrap_or(0);
                    let last = now["events"]
                        .as_array()
                        .and_then(|e| e.last())
                        .map(|e| e["kind"]["type"].clone())
                        .unwrap_or_default();
                    if stored == u64::from(version) {
                        self.report.unanswered_not_done += 1;
                    } else if stored == u64::from(version) + 1 && last == event {
                        self.report.unanswered_done += 1;
                    } else {
                        self.anomaly(format!(
                            "case {case}: after an unanswered {event} at version {version} it is at version {stored} ({last})"
                        ));
                    }
                    view = now;
                }
                Call::Answer(status, v) => {
                    self.anomaly(format!(
                        "case {case}: {event} at version {version} answered {status}: {v}"
                    ));
                    let Some(now) = self.reread(clerk, case) else {
                        return false;
                    };
                    view = now;
                }
            }
        }
    }
}

/// Tells the clients to stop when the orchestrator leaves, even by a panic.
struct StopOnDrop<'a>(&'a Shared);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------------------
// The checks, on the database itself

/// Every case and its history, and the case each key made.
struct Stored {
    cases: BTreeMap<i64, StoredCase>,
    keyed: Vec<(KeyUse, Option<i64>)>,
}

async fn read_database(url: &str, keys: &[KeyUse]) -> Stored {
    let store = Store::connect(url).await.expect("open the database");
    let mut cases = BTreeMap::new();
    let mut after = CaseId(0);
    loop {
        let ids = store.case_ids_after(after, 500).await.expect("case ids");
        let Some(last) = ids.last().copied() else {
            break;
        };
        for id in ids {
            cases.insert(id.0, store.case(id).await.expect("read a case"));
        }
        after = last;
    }
    let mut keyed = Vec::with_capacity(keys.len());
    for key in keys {
        let made = store
            .idempotent_case(&KeyOwner::Staff(StaffId(key.staff)), &key.key)
            .await
            .expect("idempotency key");
        keyed.push((key.clone(), made.map(|(id, _)| id.0)));
    }
    store.close().await;
    Stored { cases, keyed }
}

async fn case_ids(url: &str) -> HashSet<i64> {
    read_database(url, &[]).await.cases.into_keys().collect()
}

/// Number prefix (`unit-date`) and sequence of a case number.
fn split_number(number: &str) -> (String, u32) {
    let (prefix, sequence) = number.rsplit_once('-').expect("case number");
    (prefix.to_owned(), sequence.parse().expect("sequence"))
}

/// What the database shows against what was acknowledged. Returns the failures and the
/// number of acknowledged actions found.
fn check(
    stored: &Stored,
    demo: &HashSet<i64>,
    guides: &[Guide],
    acks: &[Ack],
) -> (Vec<String>, usize) {
    let mut failures = Vec::new();
    let mut numbers: HashMap<String, i64> = HashMap::new();
    let mut per_day: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (id, case) in &stored.cases {
        let (summary, events) = (&case.summary, &case.events);
        let number = summary.number.as_str().to_owned();
        if let Some(other) = numbers.insert(number.clone(), *id) {
            failures.push(format!(
                "case number {number} is held by cases {other} and {id}"
            ));
        }
        let (prefix, sequence) = split_number(&number);
        per_day.entry(prefix).or_default().push(sequence);
        let seqs: Vec<u32> = events.iter().map(|e| e.seq).collect();
        let expected: Vec<u32> = (1..=u32::try_from(events.len()).unwrap()).collect();
        if seqs != expected {
            failures.push(format!("case {id}: event sequence {seqs:?}"));
        }
        if usize::try_from(summary.version).unwrap() != events.len() {
            failures.push(format!(
                "case {id}: version {} but {} events",
                summary.version,
                events.len()
            ));
        }
        if events.last().map(|e| e.hash.as_str()) != Some(summary.head_hash.as_str()) {
            failures.push(format!("case {id}: head hash is not its last event's hash"));
        }
        for pair in events.windows(2) {
            if pair[1].prev_hash != pair[0].hash {
                failures.push(format!("case {id}: event {} is off the chain", pair[1].seq));
            }
        }
        let folded = match Case::replay(events) {
            Ok(folded) => folded,
            Err(e) => {
                failures.push(format!("case {id}: its history does not fold: {e}"));
                continue;
            }
        };
        let recount = (
            folded.state,
            folded.outcome,
            folded.accepted_at,
            folded.decided_at,
            folded.closed_at,
        );
        let row = (
            summary.state,
            summary.outcome,
            summary.accepted_at,
            summary.decided_at,
            summary.closed_at,
        );
        if recount != row {
            failures.push(format!(
                "case {id}: the row says {row:?}, its events say {recount:?}"
            ));
        }
        if demo.contains(id) {
            continue;
        }
        // A case of the test: its history is a beginning of its item's life, and its state
        // is the one that beginning leads to.
        let Some(guide) = guides.iter().find(|g| g.code == folded.item_code.as_str()) else {
            failures.push(format!(
                "case {id}: item {} is not one of the test's",
                folded.item_code.as_str()
            ));
            continue;
        };
        let life = guide.life();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.type_name()).collect();
        let allowed: Vec<&str> = life.iter().map(|(event, _)| *event).collect();
        if kinds.len() > allowed.len() || kinds[..] != allowed[..kinds.len()] {
            failures.push(format!(
                "case {id}: history {kinds:?} is not a beginning of {allowed:?}"
            ));
        } else if life[kinds.len() - 1].1 != summary.state.as_str() {
            failures.push(format!(
                "case {id}: state {} after {:?}",
                summary.state.as_str(),
                kinds.last()
            ));
        }
    }
    for (prefix, mut sequences) in per_day {
        sequences.sort_unstable();
        let expected: Vec<u32> = (1..=u32::try_from(sequences.len()).unwrap()).collect();
        if sequences != expected {
            failures.push(format!("numbers of {prefix}: {sequences:?}, not 1..n"));
        }
    }
    // Every acknowledged action, as the very event the response showed.
    let mut found = 0;
    for ack in acks {
        let event = stored
            .cases
            .get(&ack.case)
            .and_then(|c| c.events.get(usize::try_from(ack.version).unwrap() - 1));
        match event {
            Some(e) if e.kind.type_name() == ack.event && e.hash == ack.hash => found += 1,
            Some(e) => failures.push(format!(
                "acknowledged {} (case {} version {}) is stored as {} {}",
                ack.event,
                ack.case,
                ack.version,
                e.kind.type_name(),
                e.hash
            )),
            None => failures.push(format!(
                "acknowledged {} (case {} version {}) is lost",
                ack.event, ack.case, ack.version
            )),
        }
    }
    // Idempotency: every case of the test made by exactly one key, every key at most one case.
    let mut made_by: HashMap<i64, &str> = HashMap::new();
    for (key, made) in &stored.keyed {
        if let Some(acked) = key.acked_case
            && *made != Some(acked)
        {
            failures.push(format!(
                "key {} was acknowledged with case {acked} but points at {made:?}",
                key.key
            ));
        }
        if let Some(case) = made
            && let Some(other) = made_by.insert(*case, &key.key)
        {
            failures.push(format!(
                "case {case} is claimed by keys {other} and {}",
                key.key
            ));
        }
    }
    for id in stored.cases.keys().filter(|id| !demo.contains(id)) {
        if !made_by.contains_key(id) {
            failures.push(format!(
                "case {id} was made by no idempotency key (a duplicate?)"
            ));
        }
    }
    (failures, found)
}

// ---------------------------------------------------------------------------------------
// The test

fn crash_test(db: Db) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Some(url) = runtime.block_on(fresh_database(db)) else {
        return;
    };
    let seed = std::env::var("LIANDONG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let began = Instant::now();
    let dir = std::env::temp_dir().join(format!(
        "liandong-crash-{}-{:x}",
        format!("{db:?}").to_lowercase(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("log directory");
    let log: PathBuf = dir.join("server.log");
    File::create(&log).expect("server log");

    // The demo district, built once; its history is checked with the rest.
    let built = liandong(
        &url,
        &[
            "demo",
            "--cases",
            DEMO_CASES,
            "--admin-password",
            ADMIN_PASSWORD,
            "--no-serve",
        ],
    );
    assert!(built.status.success(), "{}", text(&built));
    let demo = runtime.block_on(case_ids(&url));

    let mut server = Server::start(&url, Start::Demo, &log);
    let guides: Vec<Guide> = ITEMS
        .iter()
        .map(|code| Guide::read(&server.address, code))
        .collect();
    let shared = Shared {
        address: RwLock::new(Some(server.address.clone())),
        stop: AtomicBool::new(false),
        in_flight: AtomicI64::new(0),
        started: Instant::now(),
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut runs_ms = Vec::new();
    let mut in_flight_at_kill = Vec::new();
    let chaos_began = Instant::now();
    let (report, server) = thread::scope(|scope| {
        let _stop = StopOnDrop(&shared);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|number| {
                let client = Client {
                    number,
                    shared: &shared,
                    guide: &guides[number % guides.len()],
                    tokens: HashMap::new(),
                    report: Report::default(),
                };
                scope.spawn(move || client.run())
            })
            .collect();
        for kill in 1..=KILLS {
            let run = rng.random_range(RUN_MS);
            runs_ms.push(run);
            thread::sleep(Duration::from_millis(run));
            *shared.address.write().unwrap() = None;
            in_flight_at_kill.push(shared.in_flight.load(Ordering::SeqCst));
            server.kill();
            // Restarted the way an operator would: alternately `serve` and `demo` again.
            let how = if kill % 2 == 1 {
                Start::Serve
            } else {
                Start::Demo
            };
            server = Server::start(&url, how, &log);
            *shared.address.write().unwrap() = Some(server.address.clone());
        }
        // The last server works a while too, then the clients stop (finishing what they have
        // in flight) and the server is killed once more, never shut down cleanly.
        thread::sleep(Duration::from_millis(rng.random_range(RUN_MS)));
        shared.stop.store(true, Ordering::SeqCst);
        let mut report = Report::default();
        for client in clients {
            report.merge(client.join().expect("a client panicked"));
        }
        (report, server)
    });
    let chaos = chaos_began.elapsed();
    *shared.address.write().unwrap() = None;
    server.kill();

    // Read back with the server down, straight from the database.
    let stored = runtime.block_on(read_database(&url, &report.keys));
    let (mut failures, found) = check(&stored, &demo, &guides, &report.acks);
    failures.extend(report.anomalies.iter().cloned());

    // The sequence of case numbers is a derived total too: the next number must follow the
    // recount of the unit's day.
    let server = Server::start(&url, Start::Serve, &log);
    let probe = {
        let mut client = Client {
            number: CLIENTS,
            shared: &Shared {
                address: RwLock::new(Some(server.address.clone())),
                stop: AtomicBool::new(false),
                in_flight: AtomicI64::new(0),
                started: Instant::now(),
            },
            guide: &guides[0],
            tokens: HashMap::new(),
            report: Report::default(),
        };
        let clerk = guides[0].account("window_clerk");
        let view = client.submit(&clerk, 1).expect("probe case");
        failures.extend(client.report.anomalies);
        view["summary"]["number"]
            .as_str()
            .expect("number")
            .to_owned()
    };
    server.kill();
    let (prefix, sequence) = split_number(&probe);
    let recount = stored
        .cases
        .values()
        .filter(|c| split_number(c.summary.number.as_str()).0 == prefix)
        .count();
    if usize::try_from(sequence).unwrap() != recount + 1 {
        failures.push(format!(
            "the next number is {probe}, but {recount} cases hold numbers of {prefix}"
        ));
    }

    let audit = liandong(&url, &["audit", "verify"]);
    let audited = audit.status.success() && text(&audit).contains("audit passed");
    if !audited {
        failures.push(format!("audit verify failed: {}", text(&audit)));
    }

    let mut by_event: BTreeMap<&str, usize> = BTreeMap::new();
    for ack in &report.acks {
        *by_event.entry(ack.event).or_default() += 1;
    }
    let test_cases = stored.cases.len() - demo.len();
    let events: usize = stored.cases.values().map(|c| c.events.len()).sum();
    eprintln!(
        "crash test on {db:?} (seed {seed}): {KILLS} SIGKILLs after runs of {runs_ms:?} ms, requests in flight at each kill {in_flight_at_kill:?}; \
         {CLIENTS} clients, {} requests over {:.1} s, {} unanswered (of the actions among them {} had been done, {} had not), {} submits retried with their key, {} actions raced in pairs ({} pairs with one 2xx and one 409), {} unexpected conflicts, {} sign-ins",
        report.requests,
        chaos.as_secs_f64(),
        report.unanswered,
        report.unanswered_done,
        report.unanswered_not_done,
        report.retried_submits,
        report.races,
        report.races_one_winner,
        report.conflicts,
        report.sign_ins,
    );
    eprintln!(
        "crash test on {db:?}: actions acknowledged {} {by_event:?}, found in the database {found}; \
         cases {} ({} of the demo, {test_cases} of the test: {} started, {} concluded by the clients), {events} events, {} keys; next number {probe}; audit {}; {:.1} s in all",
        report.acks.len(),
        stored.cases.len(),
        demo.len(),
        report.cases_started,
        report.cases_concluded,
        stored.keyed.len(),
        if audited { "passed" } else { "FAILED" },
        began.elapsed().as_secs_f64(),
    );
    assert!(
        failures.is_empty(),
        "{} findings after the crashes (server log: {}, database {url}):\n{}",
        failures.len(),
        log.display(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        report.acks.len() > 100,
        "too little was acknowledged to judge"
    );
    assert_eq!(found, report.acks.len());
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(path) = url.strip_prefix("sqlite:") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}

#[test]
fn acknowledged_actions_survive_sigkill_on_sqlite() {
    crash_test(Db::Sqlite);
}

#[test]
fn acknowledged_actions_survive_sigkill_on_postgres() {
    crash_test(Db::Postgres);
}
