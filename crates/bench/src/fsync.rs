//! A raw durability reading: one-row INSERT transactions, one after another, each committed
//! through `Store::begin()`/`commit()` (on SQLite: WAL, `synchronous = FULL`, as the product
//! opens it). The disk's fsync rate drifts by 20× here, so durable figures are printed beside
//! such a reading.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use liandong_store::{AuditEntry, Store};

use crate::stats::Latencies;
use crate::target::Target;

/// The most commits one reading makes, whatever its duration.
const MAX_COMMITS: u64 = 10_000_000;

pub struct Reading {
    pub commits: u64,
    pub seconds: f64,
    pub latencies: Latencies,
}

impl Reading {
    pub fn per_second(&self) -> f64 {
        self.commits as f64 / self.seconds
    }

    /// "1,234 commits/s (p50 0.80 ms)".
    pub fn short(&self) -> String {
        format!(
            "{:.0} commits/s (p50 {:.2} ms, p99 {:.2} ms)",
            self.per_second(),
            self.latencies.quantile_ms(0.50),
            self.latencies.quantile_ms(0.99)
        )
    }
}

/// Takes a reading of `seconds` on a fresh, migrated database at `url`.
pub async fn reading(url: &str, seconds: f64) -> Result<Reading> {
    let store = Store::connect(url)
        .await
        .with_context(|| format!("connect to {url}"))?;
    store.migrate().await.context("migrate")?;
    let entry = AuditEntry {
        at: chrono::Utc::now(),
        actor_id: None,
        action: "bench_fsync".into(),
        target: "bench".into(),
        detail: String::new(),
    };
    // One warm-up commit: the first opens the files.
    let mut tx = store.begin().await?;
    tx.audit(&entry).await?;
    tx.commit().await?;
    let mut latencies = Latencies::with_capacity(100_000);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut commits = 0u64;
    while Instant::now() < deadline && commits < MAX_COMMITS {
        let t = Instant::now();
        let mut tx = store.begin().await?;
        tx.audit(&entry).await?;
        tx.commit().await?;
        latencies.record(t.elapsed());
        commits += 1;
    }
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    latencies.sort();
    Ok(Reading {
        commits,
        seconds,
        latencies,
    })
}

/// A reading on a fresh database beside `near` (same directory or server), removed after.
pub async fn reading_beside(near: &Target, seconds: f64) -> Result<Reading> {
    let target = near.sibling("fsync").await?;
    let outcome = reading(&target.url, seconds).await;
    target.remove(false).await;
    outcome
}

/// `liandong-bench fsync`.
pub async fn run(database: Option<&str>, seconds: f64, keep: bool) -> Result<()> {
    let target = Target::fresh(database, "fsync").await?;
    println!("{}", crate::stats::machine_line());
    println!("fsync reading on {}", target.describe());
    let outcome = reading(&target.url, seconds).await;
    let backend = if target.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite WAL synchronous=FULL"
    };
    target.remove(keep).await;
    let r = outcome?;
    println!();
    println!(
        "{:<32} {:>9} {:>8} {:>12} {:>9} {:>9} {:>9}",
        "backend", "commits", "seconds", "commits/s", "p50 ms", "p99 ms", "max ms"
    );
    println!(
        "{:<32} {:>9} {:>8.2} {:>12.0} {:>9.2} {:>9.2} {:>9.2}",
        backend,
        r.commits,
        r.seconds,
        r.per_second(),
        r.latencies.quantile_ms(0.50),
        r.latencies.quantile_ms(0.99),
        r.latencies.max_ms()
    );
    println!();
    println!(
        "docs: | fsync | {backend} | one-row commits, 1 client, {:.0} s | {:.0} commits/s | p50 {:.2} ms | p99 {:.2} ms |",
        r.seconds,
        r.per_second(),
        r.latencies.quantile_ms(0.50),
        r.latencies.quantile_ms(0.99)
    );
    Ok(())
}
