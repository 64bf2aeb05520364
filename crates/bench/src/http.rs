//! `liandong-bench http`: durable case actions through the real server.
//!
//! A fresh district on the given database, the real router served in-process on
//! 127.0.0.1:0, and for each client count that many concurrent clients, each on its own
//! keep-alive connection, carrying its own cases through submit → accept → handle → review →
//! approve → conclude, then submitting the next. Every request is a write the server
//! acknowledges only once committed; a non-2xx answer is an error and the case is dropped.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use liandong_app::{App, SystemClock};
use liandong_store::Store;

use crate::client::{Client, REQUEST_TIMEOUT, Response, sign_in};
use crate::district;
use crate::fsync;
use crate::stats::{Latencies, machine_line};
use crate::target::Target;

pub struct HttpArgs {
    pub database: Option<String>,
    pub clients: Vec<usize>,
    pub seconds: f64,
    pub fsync_seconds: f64,
    pub max_requests: u64,
    pub keep: bool,
}

/// The requests of a case's life, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    Accept,
    Handle,
    Review,
    Approve,
    Conclude,
}

const STEPS: [Step; 6] = [
    Step::Submit,
    Step::Accept,
    Step::Handle,
    Step::Review,
    Step::Approve,
    Step::Conclude,
];

impl Step {
    fn index(self) -> usize {
        match self {
            Step::Submit => 0,
            Step::Accept => 1,
            Step::Handle => 2,
            Step::Review => 3,
            Step::Approve => 4,
            Step::Conclude => 5,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Accept => "accept",
            Step::Handle => "handle",
            Step::Review => "review",
            Step::Approve => "approve",
            Step::Conclude => "conclude",
        }
    }

    fn next(self) -> Step {
        match self {
            Step::Submit => Step::Accept,
            Step::Accept => Step::Handle,
            Step::Handle => Step::Review,
            Step::Review => Step::Approve,
            Step::Approve => Step::Conclude,
            Step::Conclude => Step::Submit,
        }
    }

    /// The action body at `version`; None for a submit.
    fn action_body(self, version: u32) -> Option<String> {
        let action = match self {
            Step::Submit => return None,
            Step::Accept => r#""action":"accept""#,
            Step::Handle => r#""action":"handle","opinion":"材料齐全，符合法定条件，建议准予许可""#,
            Step::Review => r#""action":"review","opinion":"审核同意""#,
            Step::Approve => r#""action":"approve","opinion":"同意""#,
            Step::Conclude => r#""action":"conclude","delivery":"窗口领取""#,
        };
        Some(format!(r#"{{"expected_version":{version},{action}}}"#))
    }
}

/// The bearer tokens of the four accounts.
struct Tokens {
    clerk: String,
    officer: String,
    reviewer: String,
    approver: String,
}

impl Tokens {
    fn for_step(&self, step: Step) -> &str {
        match step {
            Step::Submit | Step::Accept | Step::Conclude => &self.clerk,
            Step::Handle => &self.officer,
            Step::Review => &self.reviewer,
            Step::Approve => &self.approver,
        }
    }
}

/// What one client saw.
#[derive(Default)]
struct ClientStats {
    ok: u64,
    errors: u64,
    statuses: BTreeMap<u16, u64>,
    transport_errors: u64,
    timeouts: u64,
    concluded: u64,
    per_step: [Latencies; 6],
    first_error: Option<String>,
}

impl ClientStats {
    fn merge(&mut self, other: ClientStats) {
        self.ok += other.ok;
        self.errors += other.errors;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        self.transport_errors += other.transport_errors;
        self.timeouts += other.timeouts;
        self.concluded += other.concluded;
        for (mine, theirs) in self.per_step.iter_mut().zip(other.per_step) {
            mine.extend(theirs);
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn note_error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(what);
        }
    }
}

/// The id and version of a case from a CaseView body.
fn case_of(response: &Response) -> Result<(i64, u32)> {
    let view: serde_json::Value =
        serde_json::from_slice(&response.body).context("case view is not JSON")?;
    let id = view["summary"]["id"].as_i64().context("summary.id")?;
    let version = view["summary"]["version"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .context("summary.version")?;
    Ok((id, version))
}

async fn submit(client: &mut Client, tokens: &Tokens) -> Result<i64> {
    let response = client
        .request(
            "POST",
            "/api/v1/cases",
            Some(&tokens.clerk),
            Some(&district::intake_json()),
        )
        .await?;
    ensure!(
        response.is_success(),
        "submit: {} {}",
        response.status,
        response.body_excerpt(300)
    );
    Ok(case_of(&response)?.0)
}

/// One client: carries cases through their steps until the deadline or `max_requests`.
async fn client_loop(
    addr: SocketAddr,
    tokens: Arc<Tokens>,
    first_case: i64,
    deadline: Instant,
    max_requests: u64,
) -> ClientStats {
    let mut stats = ClientStats::default();
    let mut client = match Client::new(addr) {
        Ok(c) => c,
        Err(e) => {
            stats.note_error(format!("{e:#}"));
            return stats;
        }
    };
    let intake = district::intake_json();
    let mut case = first_case;
    let mut version: u32 = 1;
    let mut step = Step::Accept;
    let mut sent = 0u64;
    while Instant::now() < deadline && sent < max_requests {
        sent += 1;
        let token = tokens.for_step(step);
        let path;
        let body;
        match step.action_body(version) {
            Some(action) => {
                path = format!("/api/v1/cases/{case}/actions");
                body = action.into_bytes();
            }
            None => {
                path = "/api/v1/cases".to_owned();
                body = intake.clone();
            }
        }
        let started = Instant::now();
        let outcome = client
            .request("POST", &path, Some(token), Some(&body))
            .await;
        let took = started.elapsed();
        match outcome {
            Ok(response) if response.is_success() => {
                if step == Step::Submit {
                    match case_of(&response) {
                        Ok((id, v)) => {
                            case = id;
                            version = v;
                        }
                        Err(e) => {
                            stats.note_error(format!("submit answer: {e:#}"));
                            continue;
                        }
                    }
                } else {
                    version += 1;
                }
                stats.ok += 1;
                stats.per_step[step.index()].record(took);
                if step == Step::Conclude {
                    stats.concluded += 1;
                }
                step = step.next();
            }
            Ok(response) => {
                *stats.statuses.entry(response.status).or_default() += 1;
                stats.note_error(format!(
                    "{} on case {case} v{version}: {} {}",
                    step.name(),
                    response.status,
                    response.body_excerpt(300)
                ));
                // The case's state is unknown now: start a new one.
                step = Step::Submit;
            }
            Err(e) if e.is::<tokio::time::error::Elapsed>() => {
                stats.timeouts += 1;
                stats.note_error(format!(
                    "{}: no answer within {REQUEST_TIMEOUT:?}",
                    step.name()
                ));
                step = Step::Submit;
            }
            Err(e) => {
                stats.transport_errors += 1;
                stats.note_error(format!("{}: {e:#}", step.name()));
                step = Step::Submit;
                // A refused or broken connection: do not spin.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    stats
}

struct RunResult {
    clients: usize,
    seconds: f64,
    stats: ClientStats,
    all: Latencies,
}

async fn run_clients(
    addr: SocketAddr,
    tokens: &Arc<Tokens>,
    cases: Vec<i64>,
    seconds: f64,
    max_requests: u64,
) -> Result<RunResult> {
    let clients = cases.len();
    let per_client = (max_requests / clients as u64).max(1);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|case| {
            tokio::spawn(client_loop(
                addr,
                tokens.clone(),
                case,
                deadline,
                per_client,
            ))
        })
        .collect();
    let mut stats = ClientStats::default();
    for task in tasks {
        stats.merge(task.await.context("client task")?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Latencies::default();
    for step in &mut stats.per_step {
        step.sort();
        all.extend(step.clone());
    }
    all.sort();
    Ok(RunResult {
        clients,
        seconds,
        stats,
        all,
    })
}

/// `liandong-bench http`.
pub async fn run(args: HttpArgs) -> Result<()> {
    if args.clients.is_empty() || args.clients.iter().any(|c| !(1..=1024).contains(c)) {
        bail!("--clients takes counts from 1 to 1024");
    }
    let target = Target::fresh(args.database.as_deref(), "http").await?;
    let outcome = run_on(&target, &args).await;
    target.remove(args.keep).await;
    outcome
}

async fn run_on(target: &Target, args: &HttpArgs) -> Result<()> {
    println!("{}", machine_line());
    println!("database: {}", target.describe());
    let backend = if target.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let before = if args.fsync_seconds > 0.0 {
        let r = fsync::reading_beside(target, args.fsync_seconds).await?;
        println!("fsync reading before: {}", r.short());
        Some(r)
    } else {
        None
    };

    let store = Store::connect(&target.url).await?;
    store.migrate().await?;
    let app = App::new(store.clone(), Arc::new(SystemClock)).await?;
    district::build(&app).await?;
    let router = liandong_http::router(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(liandong_http::serve(listener, router));
    println!("server: http://{addr} (in-process)");

    let outcome = drive(addr, args).await;

    server.abort();
    let _ = server.await;
    store.close().await;

    let results = outcome?;
    let after = if args.fsync_seconds > 0.0 {
        let r = fsync::reading_beside(target, args.fsync_seconds).await?;
        println!("fsync reading after:  {}", r.short());
        Some(r)
    } else {
        None
    };
    report(backend, &results, before.as_ref(), after.as_ref());
    Ok(())
}

async fn drive(addr: SocketAddr, args: &HttpArgs) -> Result<Vec<RunResult>> {
    let tokens = Arc::new(Tokens {
        clerk: sign_in(addr, district::CLERK, district::PASSWORD).await?,
        officer: sign_in(addr, district::OFFICER, district::PASSWORD).await?,
        reviewer: sign_in(addr, district::REVIEWER, district::PASSWORD).await?,
        approver: sign_in(addr, district::APPROVER, district::PASSWORD).await?,
    });
    // Every client starts on a submitted case of its own, made before the clock starts.
    let mut setup = Client::new(addr)?;
    let mut results = Vec::new();
    for &clients in &args.clients {
        let mut cases = Vec::with_capacity(clients);
        for _ in 0..clients {
            cases.push(submit(&mut setup, &tokens).await?);
        }
        println!("running {clients} client(s) for {} s…", args.seconds);
        let result = run_clients(addr, &tokens, cases, args.seconds, args.max_requests).await?;
        println!(
            "  {} ok, {} errors, {:.0} actions/s",
            result.stats.ok,
            result.stats.errors,
            result.stats.ok as f64 / result.seconds
        );
        results.push(result);
    }
    Ok(results)
}

fn report(
    backend: &str,
    results: &[RunResult],
    before: Option<&fsync::Reading>,
    after: Option<&fsync::Reading>,
) {
    println!();
    println!(
        "{:>7} {:>8} {:>9} {:>7} {:>11} {:>8} {:>8} {:>8} {:>10}",
        "clients",
        "seconds",
        "ok",
        "errors",
        "actions/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "concluded"
    );
    for r in results {
        println!(
            "{:>7} {:>8.2} {:>9} {:>7} {:>11.0} {:>8.2} {:>8.2} {:>8.2} {:>10}",
            r.clients,
            r.seconds,
            r.stats.ok,
            r.stats.errors,
            r.stats.ok as f64 / r.seconds,
            r.all.quantile_ms(0.50),
            r.all.quantile_ms(0.99),
            r.all.max_ms(),
            r.stats.concluded
        );
    }
    println!();
    println!("latency by request (p50 / p99 ms):");
    print!("{:>7}", "clients");
    for step in STEPS {
        print!(" {:>15}", step.name());
    }
    println!();
    for r in results {
        print!("{:>7}", r.clients);
        for step in STEPS {
            let l = &r.stats.per_step[step.index()];
            print!(
                " {:>15}",
                format!("{:.2} / {:.2}", l.quantile_ms(0.50), l.quantile_ms(0.99))
            );
        }
        println!();
    }
    for r in results {
        if r.stats.errors > 0 {
            println!();
            println!(
                "{} client(s): {} errors (statuses {:?}, transport {}, timeouts {}); first: {}",
                r.clients,
                r.stats.errors,
                r.stats.statuses,
                r.stats.transport_errors,
                r.stats.timeouts,
                r.stats.first_error.as_deref().unwrap_or("")
            );
        }
    }
    let fsync_text = match (before, after) {
        (Some(b), Some(a)) => format!(
            "fsync {:.0} → {:.0} commits/s",
            b.per_second(),
            a.per_second()
        ),
        _ => "no fsync reading".to_owned(),
    };
    println!();
    for r in results {
        println!(
            "docs: | http | {backend} | {} clients | {:.0} s | {:.0} actions/s | p50 {:.2} ms | p99 {:.2} ms | {} errors | {fsync_text} |",
            r.clients,
            r.seconds,
            r.stats.ok as f64 / r.seconds,
            r.all.quantile_ms(0.50),
            r.all.quantile_ms(0.99),
            r.stats.errors
        );
    }
}
