//! `liandong-bench`: benchmarks of Liandong on this machine (docs/benchmarks.md).
//!
//! - `http`: durable case actions through the real server, 1/8/64 concurrent clients;
//! - `fsync`: a raw durability reading of the disk (one-row commits) to print beside them;
//! - `warnings`: warning levels of a million open cases, pure domain;
//! - `seeding`: the real `liandong demo` seeding, rows per second;
//! - `sms`: the SMS outbox's delivery rate through a real Kannel and its fake SMSC;
//! - `pages`: the busiest pages' response times over an existing demo database;
//! - `monitor`: the monitoring overview over years of running totals;
//! - `sweep`: the supervision sweep over a million open cases in a real database.

mod client;
mod district;
mod fsync;
mod http;
mod monitor;
mod pages;
mod seeding;
mod sms;
mod stats;
mod sweep;
mod target;
mod warnings;

use std::path::PathBuf;

use anyhow::{Result, ensure};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "liandong-bench",
    version,
    about = "Benchmarks of Liandong: case actions over HTTP, fsync, warning levels, demo seeding"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Durable case actions over HTTP against the in-process server on 127.0.0.1.
    Http {
        /// sqlite:PATH (a new file; default: a temp file) or a PostgreSQL server URL, on
        /// which a fresh database bench_<random> is created and dropped afterwards.
        #[arg(long)]
        database: Option<String>,
        /// Concurrent clients, one run each.
        #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
        clients: Vec<usize>,
        /// Seconds per run.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Seconds of the fsync reading taken before and after (0: none).
        #[arg(long, default_value_t = 3.0)]
        fsync_seconds: f64,
        /// Most requests per run, over all clients.
        #[arg(long, default_value_t = 5_000_000)]
        max_requests: u64,
        /// Keep the database afterwards.
        #[arg(long)]
        keep: bool,
    },
    /// A raw durability reading: one-row commits, one client (SQLite WAL synchronous=FULL).
    Fsync {
        /// sqlite:PATH (a new file on the disk to measure; default: a temp file) or a
        /// PostgreSQL server URL.
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
        #[arg(long)]
        keep: bool,
    },
    /// Warning levels (case_clock) of many open cases in memory, pure domain.
    Warnings {
        #[arg(long, default_value_t = 1_000_000)]
        open_cases: usize,
        /// Seed of the generated cases.
        #[arg(long, default_value_t = 2011)]
        seed: u64,
        /// Threads of the parallel sweep (default: every CPU).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// The real `liandong demo --no-serve` seeding on a fresh database, in rows per second.
    Seeding {
        #[arg(long, default_value_t = 20_000)]
        cases: u64,
        /// The liandong binary (default: beside this one, else target/release/liandong).
        #[arg(long)]
        liandong: Option<PathBuf>,
        /// sqlite:PATH (a new file; default: a temp file) or a PostgreSQL server URL.
        #[arg(long)]
        database: Option<String>,
        /// Stop the seeding after this long.
        #[arg(long, default_value_t = 3_600)]
        timeout_seconds: u64,
        #[arg(long)]
        keep: bool,
    },
    /// The SMS outbox's delivery rate to Kannel (bearerbox, smsbox, the fake SMSC).
    Sms {
        /// sqlite:PATH (a new file; default: a temp file) or a PostgreSQL server URL.
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 5_000)]
        messages: usize,
        /// Requests to Kannel in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Seconds of the fsync reading taken before (0: none).
        #[arg(long, default_value_t = 3.0)]
        fsync_seconds: f64,
        #[arg(long)]
        keep: bool,
    },
    /// Response times of the busiest pages over an existing demo database (`liandong demo
    /// --cases N --database URL` first).
    Pages {
        #[arg(long)]
        database: String,
        /// The demo accounts' password (`liandong demo` prints it).
        #[arg(long, default_value = "liandong2026")]
        password: String,
        /// Requests per page after one warm-up.
        #[arg(long, default_value_t = 20)]
        requests: usize,
    },
    /// The supervision sweep end to end over open, accepted cases loaded into a fresh database
    /// (SQLite file by default, or a PostgreSQL server URL): the first sweep, the steady
    /// state, the next morning's and the steady state after it.
    Sweep {
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        open_cases: usize,
        #[arg(long, default_value_t = 2011)]
        seed: u64,
        #[arg(long)]
        keep: bool,
    },
    /// The monitoring overview over `--years` more years of running totals written before an
    /// existing demo database's history (a bench copy: audit verify fails on it after).
    Monitor {
        #[arg(long)]
        database: String,
        #[arg(long, default_value = "liandong2026")]
        password: String,
        /// Cases the added years hold in all.
        #[arg(long, default_value_t = 10_000_000)]
        cases: u64,
        #[arg(long, default_value_t = 10)]
        years: u32,
        #[arg(long, default_value_t = 20)]
        requests: usize,
    },
}

fn check_seconds(seconds: f64, name: &str) -> Result<()> {
    ensure!(
        seconds.is_finite() && (0.0..=3_600.0).contains(&seconds),
        "{name} takes 0 to 3600 seconds"
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Http {
            database,
            clients,
            seconds,
            fsync_seconds,
            max_requests,
            keep,
        } => {
            check_seconds(seconds, "--seconds")?;
            ensure!(seconds > 0.0, "--seconds must be more than 0");
            check_seconds(fsync_seconds, "--fsync-seconds")?;
            http::run(http::HttpArgs {
                database,
                clients,
                seconds,
                fsync_seconds,
                max_requests,
                keep,
            })
            .await
        }
        Command::Fsync {
            database,
            seconds,
            keep,
        } => {
            check_seconds(seconds, "--seconds")?;
            ensure!(seconds > 0.0, "--seconds must be more than 0");
            fsync::run(database.as_deref(), seconds, keep).await
        }
        Command::Warnings {
            open_cases,
            seed,
            threads,
        } => warnings::run(open_cases, seed, threads),
        Command::Seeding {
            cases,
            liandong,
            database,
            timeout_seconds,
            keep,
        } => {
            seeding::run(seeding::SeedingArgs {
                cases,
                liandong,
                database,
                timeout_seconds,
                keep,
            })
            .await
        }
        Command::Sms {
            database,
            messages,
            concurrency,
            fsync_seconds,
            keep,
        } => {
            check_seconds(fsync_seconds, "--fsync-seconds")?;
            sms::run(sms::SmsArgs {
                database,
                messages,
                concurrency,
                fsync_seconds,
                keep,
            })
            .await
        }
        Command::Monitor {
            database,
            password,
            cases,
            years,
            requests,
        } => {
            monitor::run(monitor::MonitorArgs {
                database,
                password,
                cases,
                years,
                requests,
            })
            .await
        }
        Command::Sweep {
            database,
            open_cases,
            seed,
            keep,
        } => {
            sweep::run(sweep::SweepArgs {
                database,
                open_cases,
                seed,
                keep,
            })
            .await
        }
        Command::Pages {
            database,
            password,
            requests,
        } => {
            pages::run(pages::PagesArgs {
                database,
                password,
                requests,
            })
            .await
        }
    }
}
