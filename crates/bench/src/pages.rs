//! `liandong-bench pages`: how fast the busiest pages answer over a demo district's history.
//!
//! It opens an existing demo database (made by `liandong demo --cases N`), serves it in
//! process on 127.0.0.1, signs the demo accounts in, and fetches each page one after another,
//! the rendered HTML read to the end. Lists filter, sort and page on the server, so their time
//! should not grow with the history; this shows whether it does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use liandong_app::{App, SystemClock};
use liandong_store::Store;
use sqlx::Row;

use crate::client::{Client, sign_in};
use crate::stats::{Latencies, machine_line};

pub struct PagesArgs {
    pub database: String,
    pub password: String,
    pub requests: usize,
}

/// Who asks for what: the demo's accounts and the pages they open most.
const PAGES: &[(&str, &str)] = &[
    ("supervisor", "/"),
    ("supervisor", "/cases"),
    ("supervisor", "/cases?open=true&sort=due"),
    ("supervisor", "/cases?q=%E7%8E%8B"),
    ("supervisor", "/cases?page=200"),
    ("supervisor", "/appeals"),
    ("supervisor", "/proxy"),
    ("d01.officer", "/"),
    ("d01.officer", "/inbox"),
    ("d01.clerk", "/"),
    ("d01.clerk", "/workbench?q=spxk"),
    ("hall.admin", "/admin/organization"),
    ("hall.admin", "/admin/staff"),
    ("supervisor", "/guide"),
    ("supervisor", "/monitor"),
    ("supervisor", "/monitor?from=2025-01-01&to=2025-12-31"),
    ("supervisor", "/projects"),
];

pub async fn run(args: PagesArgs) -> Result<()> {
    ensure!(
        (1..=10_000).contains(&args.requests),
        "--requests takes 1 to 10000"
    );
    println!("{}", machine_line());
    let store = Store::connect(&args.database)
        .await
        .with_context(|| format!("open {}", args.database))?;
    store.migrate().await?;
    let cases: i64 = sqlx::query("SELECT COUNT(*) AS n FROM cases")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    ensure!(
        cases > 0,
        "the database holds no cases: make one with `liandong demo --cases N --database URL`"
    );
    println!("database: {} ({cases} cases)", args.database);
    let app = App::new(store.clone(), Arc::new(SystemClock)).await?;
    let started = Instant::now();
    if let Some(rows) = app.rebuild_totals_if_missing().await? {
        println!(
            "running totals rebuilt from the events: {rows} rows in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let router = liandong_http::router(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(liandong_http::serve(listener, router));
    let outcome = measure(addr, &args).await;
    server.abort();
    let _ = server.await;
    store.close().await;
    outcome
}

async fn measure(addr: SocketAddr, args: &PagesArgs) -> Result<()> {
    println!(
        "{:<14} {:<32} {:>9} {:>9} {:>9} {:>8}",
        "account", "page", "p50 ms", "p95 ms", "max ms", "KiB"
    );
    for (account, path) in PAGES {
        let token = sign_in(addr, account, &args.password).await?;
        let mut client = Client::new(addr)?;
        client.set_cookie(format!("{}={token}", liandong_web::SESSION_COOKIE));
        // One warm-up: the first read of a page fills caches the rest share.
        let first = client.request("GET", path, None, None).await?;
        ensure!(
            first.status == 200,
            "{path} as {account}: {} {}",
            first.status,
            first.body_excerpt(300)
        );
        let mut latencies = Latencies::with_capacity(args.requests);
        for _ in 0..args.requests {
            let started = Instant::now();
            let response = client.request("GET", path, None, None).await?;
            latencies.record(started.elapsed());
            ensure!(response.status == 200, "{path}: {}", response.status);
        }
        latencies.sort();
        println!(
            "{:<14} {:<32} {:>9.1} {:>9.1} {:>9.1} {:>8.0}",
            account,
            path,
            latencies.quantile_ms(0.5),
            latencies.quantile_ms(0.95),
            latencies.max_ms(),
            first.body.len() as f64 / 1024.0
        );
    }
    Ok(())
}
