//! `liandong-bench seeding`: the real `liandong demo --no-serve` on a fresh database, timed,
//! then the cases and events it wrote counted through the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use liandong_store::Store;
use sqlx::Row;

use crate::stats::machine_line;
use crate::target::Target;

/// The `liandong` binary: `--liandong`, else beside this executable (the same target
/// directory), else `target/release/liandong`.
fn liandong_binary(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = given {
        ensure!(path.is_file(), "{} is not a file", path.display());
        return Ok(path.to_owned());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("liandong")));
    for candidate in beside
        .into_iter()
        .chain([PathBuf::from("target/release/liandong")])
    {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "no liandong binary found: build it (cargo build --release -p liandong) or give --liandong PATH"
    )
}

/// What `liandong demo` printed as its own seeding time ("… built in 12.3 s").
fn reported_seconds(stdout: &str) -> Option<f64> {
    let line = stdout
        .lines()
        .find(|l| l.contains("demo district built in"))?;
    let after = line.rsplit("built in").next()?;
    after.trim().trim_end_matches('s').trim().parse().ok()
}

pub struct SeedingArgs {
    pub cases: u64,
    pub liandong: Option<PathBuf>,
    pub database: Option<String>,
    pub timeout_seconds: u64,
    pub keep: bool,
}

/// `liandong-bench seeding`.
pub async fn run(args: SeedingArgs) -> Result<()> {
    let binary = liandong_binary(args.liandong.as_deref())?;
    let target = Target::fresh(args.database.as_deref(), "seeding").await?;
    let outcome = run_on(&target, &binary, &args).await;
    target.remove(args.keep).await;
    outcome
}

async fn run_on(target: &Target, binary: &Path, args: &SeedingArgs) -> Result<()> {
    println!("{}", machine_line());
    println!("liandong: {}", binary.display());
    println!("database: {}", target.describe());
    // A directory of its own, so that no liandong.toml of the caller's is read, and for the
    // command's output.
    let work = std::env::temp_dir().join(format!(
        "liandong-bench-seeding-{:016x}",
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&work)?;
    let outcome = seed(target, binary, args, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    outcome
}

async fn seed(target: &Target, binary: &Path, args: &SeedingArgs, work: &Path) -> Result<()> {
    let stdout_path = work.join("stdout.txt");
    let stderr_path = work.join("stderr.txt");
    let cases = args.cases.to_string();
    let command_line = format!(
        "{} --database {} demo --cases {} --no-serve --admin-password bench-admin-1",
        binary.display(),
        target.url,
        cases
    );
    println!("command: {command_line}");
    let started = Instant::now();
    let mut child = Command::new(binary)
        .current_dir(work)
        .env_remove("LIANDONG_CONFIG")
        .env_remove("LIANDONG_DATABASE_URL")
        .env("LIANDONG_LOG", "warn")
        .args(["--database", &target.url, "demo", "--cases", &cases])
        .args(["--no-serve", "--admin-password", "bench-admin-1"])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path)?)
        .stderr(std::fs::File::create(&stderr_path)?)
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let limit = Duration::from_secs(args.timeout_seconds);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!("liandong demo did not finish within {limit:?}; stopped it");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let wall = started.elapsed().as_secs_f64();
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    if !status.success() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        bail!("liandong demo failed ({status}):\n{stdout}\n{stderr}");
    }
    let reported = reported_seconds(&stdout);

    let store = Store::connect(&target.url).await?;
    let cases_n = store.case_count().await?;
    let events_n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM case_events")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    store.close().await;
    let rows = (cases_n + events_n) as f64;

    println!();
    println!(
        "{:>9} {:>9} {:>10} {:>14} {:>10} {:>11} {:>10}",
        "cases", "events", "rows", "seeding s", "rows/s", "wall s", "rows/s"
    );
    let seeding = reported.unwrap_or(wall);
    println!(
        "{:>9} {:>9} {:>10} {:>14.2} {:>10.0} {:>11.2} {:>10.0}",
        cases_n,
        events_n,
        cases_n + events_n,
        seeding,
        rows / seeding,
        wall,
        rows / wall
    );
    println!(
        "(seeding s: the time liandong printed for building the district; wall s: the whole \
         process, with start, migration and password hashing)"
    );
    let backend = if target.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!();
    println!(
        "docs: | seeding | {backend} | --cases {} | {cases_n} cases + {events_n} events | {seeding:.2} s | {:.0} rows/s | wall {wall:.2} s |",
        args.cases,
        rows / seeding
    );
    Ok(())
}
