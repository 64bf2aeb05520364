//! `liandong-bench sweep`: the supervision sweep (`App::sweep_findings`) end to end over a
//! million open, accepted cases in a real database: read the clocks whose look is due, apply
//! the time-based rules and the warnings, write what is new with each clock's next look, then
//! the notices. On a clock standing at Tuesday 24 November 2026, 10:00 China time, timed:
//! the first sweep (every clock is new: all are looked at), one a minute later (the steady
//! state), one the next morning at 8:30 (the day's midnight and the previous close of office
//! have come for many clocks) and one five minutes after that.
//!
//! The cases are loaded directly (their rows and clocks, no events: `audit verify` fails on
//! this database), for the bench district's one item (8 committed working days: handle 5,
//! review 2, approve 1), accepted over the last 6 days at every step (3 % of them 6 to 14
//! days ago, so that some run late), some paused, some extended; its officer and approver
//! have mobiles, so warnings are queued for them.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Duration, TimeZone, Utc};
use liandong_app::{App, FixedClock};
use liandong_domain::case::{
    CaseNumber, CaseState, ClockSnapshot, Pause, PauseReason, SpecialProcedure,
};
use liandong_domain::organization::{CaseId, DepartmentId, ItemId, UnitId};
use liandong_store::{OpenClock, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

use crate::district;
use crate::stats::machine_line;
use crate::target::Target;

pub struct SweepArgs {
    pub database: Option<String>,
    pub open_cases: usize,
    pub seed: u64,
    pub keep: bool,
}

/// Rows per INSERT and INSERTs per transaction while loading.
const ROWS: usize = 1_000;
const BATCHES: usize = 20;

/// An open case accepted up to 6 days before `now` (a few up to 14), at a random step.
fn snapshot(rng: &mut StdRng, now: DateTime<Utc>) -> ClockSnapshot {
    let days = if rng.random_bool(0.03) { 6..14 } else { 0..6 };
    let age = Duration::minutes(rng.random_range(days.start * 24 * 60..days.end * 24 * 60));
    let accepted = now - age;
    let within = |rng: &mut StdRng, from: DateTime<Utc>, share: (f64, f64)| {
        let span = (now - from).num_minutes().max(0) as f64;
        from + Duration::minutes((span * rng.random_range(share.0..share.1)) as i64)
    };
    let mut s = ClockSnapshot {
        state: CaseState::Handling,
        resume_state: None,
        accepted_at: Some(accepted),
        step_started_at: Some(accepted),
        decided_at: None,
        closed_at: None,
        pauses: Vec::new(),
        extension_days: 0,
        extensions_granted: 0,
        accepted_seq: Some(2),
        step_seq: Some(2),
    };
    let roll: f64 = rng.random();
    let (state, from) = match roll {
        r if r < 0.62 => (CaseState::Handling, (0.0, 0.3)),
        r if r < 0.80 => (CaseState::Reviewing, (0.85, 1.0)),
        r if r < 0.83 => (CaseState::Deciding, (0.9, 1.0)),
        r if r < 0.88 => (CaseState::Decided, (0.5, 0.9)),
        r if r < 0.95 => (CaseState::AwaitingSupplement, (0.0, 0.5)),
        _ => (CaseState::SpecialProcedure, (0.3, 0.7)),
    };
    // One in a hundred handling cases untouched since acceptance.
    if !(state == CaseState::Handling && rng.random_bool(0.01)) {
        s.step_started_at = Some(within(rng, accepted, from));
        s.step_seq = Some(rng.random_range(3..7));
    }
    let step = s.step_started_at.unwrap_or(accepted);
    if rng.random_bool(0.17) && step > accepted {
        // An earlier supplement, answered before the step began.
        s.pauses.push(Pause {
            reason: PauseReason::Supplement,
            started_at: accepted + (step - accepted) / 3,
            ended_at: Some(step),
        });
    }
    if rng.random_bool(0.05) && s.step_started_at.is_some() {
        s.extension_days = 5;
        s.extensions_granted = 1;
    }
    match state {
        CaseState::Decided => {
            s.decided_at = Some(within(rng, step, (0.2, 0.9)));
            s.state = CaseState::Decided;
        }
        CaseState::AwaitingSupplement | CaseState::SpecialProcedure => {
            let started = within(rng, step, (0.1, 0.9));
            let reason = if state == CaseState::AwaitingSupplement {
                PauseReason::Supplement
            } else {
                PauseReason::SpecialProcedure {
                    procedure: SpecialProcedure::Inspection,
                    stated_days: rng.random_range(3..15),
                }
            };
            s.pauses.push(Pause {
                reason,
                started_at: started,
                ended_at: None,
            });
            s.resume_state = Some(if state == CaseState::SpecialProcedure {
                CaseState::Reviewing
            } else {
                CaseState::Handling
            });
            s.state = state;
        }
        state => s.state = state,
    }
    s
}

/// The bench district's ids: (hall, department, item, version).
async fn ids(store: &Store) -> Result<(UnitId, DepartmentId, ItemId, u32)> {
    let pool = store.pool();
    let hall: i64 = sqlx::query("SELECT id FROM units WHERE code = '100'")
        .fetch_one(pool)
        .await?
        .try_get("id")?;
    let department: i64 = sqlx::query("SELECT id FROM departments WHERE code = 'D01'")
        .fetch_one(pool)
        .await?
        .try_get("id")?;
    let row = sqlx::query(
        "SELECT v.item_id, MAX(v.version) AS version FROM service_item_versions v
         JOIN service_items i ON i.id = v.item_id WHERE i.code = $1 GROUP BY v.item_id",
    )
    .bind(district::ITEM)
    .fetch_one(pool)
    .await?;
    let version: i64 = row.try_get("version")?;
    Ok((
        UnitId(hall),
        DepartmentId(department),
        ItemId(row.try_get("item_id")?),
        u32::try_from(version)?,
    ))
}

/// Loads `n` open, accepted cases and their clocks.
async fn load(store: &Store, n: usize, seed: u64, now: DateTime<Utc>) -> Result<()> {
    let (hall, department, item, version) = ids(store).await?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut next = 0usize;
    while next < n {
        let mut tx = store.pool().begin().await?;
        for _ in 0..BATCHES {
            if next >= n {
                break;
            }
            let end = (next + ROWS).min(n);
            let mut cases = String::from(
                "INSERT INTO cases (id, number, item_id, item_version, received_unit_id, handling_unit_id,
                 department_id, channel, applicant_name, applicant_id_number, phone, state, received_at,
                 accepted_at, decided_at, version, head_hash) VALUES ",
            );
            let mut clocks = String::from("INSERT INTO open_case_clocks (case_id, clock) VALUES ");
            for i in next..end {
                let id = i64::try_from(i)? + 1;
                let s = snapshot(&mut rng, now);
                let accepted = s.accepted_at.context("accepted")?.timestamp_millis();
                let decided = s
                    .decided_at
                    .map_or("NULL".to_owned(), |d| d.timestamp_millis().to_string());
                if i > next {
                    cases.push(',');
                    clocks.push(',');
                }
                // A real number's shape: one day's sequence per unit, days back from now.
                let number = CaseNumber::new(
                    "100",
                    now.date_naive() - chrono::Days::new(u64::try_from(id / 100_000)?),
                    u32::try_from(id % 100_000)?,
                );
                cases.push_str(&format!(
                    "({id}, '{number}', {}, {version}, {}, {}, {}, 'window', '王建国', \
                     '11010519491231002X', '13800138000', '{}', {}, {accepted}, {decided}, 6, '')",
                    item.0,
                    hall.0,
                    hall.0,
                    department.0,
                    s.state.as_str(),
                    accepted - 3_600_000,
                ));
                let clock = OpenClock {
                    case_id: CaseId(id),
                    department_id: department,
                    handling_unit_id: hall,
                    item_id: item,
                    item_version: version,
                    snapshot: s,
                    swept: None,
                    look_at: 0,
                    revision: 0,
                };
                clocks.push_str(&format!("({id}, '{}')", clock.line()));
            }
            sqlx::query(sqlx::AssertSqlSafe(cases))
                .execute(&mut *tx)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(clocks))
                .execute(&mut *tx)
                .await?;
            next = end;
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn count(store: &Store, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query(sql)
        .fetch_one(store.pool())
        .await?
        .try_get("n")?)
}

pub async fn run(args: SweepArgs) -> Result<()> {
    ensure!(args.open_cases > 0, "--open-cases must be more than 0");
    let target = Target::fresh(args.database.as_deref(), "sweep").await?;
    let result = bench(&target, &args).await;
    target.remove(args.keep).await;
    result
}

/// One timed sweep.
async fn timed(app: &App, run: &str) -> Result<f64> {
    let started = Instant::now();
    let report = app.sweep_findings().await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{run} sweep at {}: {elapsed:.3} s — {} clocks looked at, {} new findings, {} warnings queued, {} notices opened, {} escalated",
        app.now(),
        report.cases,
        report.new_findings,
        report.warnings_queued,
        report.notices_opened,
        report.notices_escalated
    );
    Ok(elapsed)
}

async fn bench(target: &Target, args: &SweepArgs) -> Result<()> {
    let store = Store::connect(&target.url).await?;
    store.migrate().await?;
    // Tuesday 24 November 2026, 10:00 China time.
    let now = Utc
        .with_ymd_and_hms(2026, 11, 24, 2, 0, 0)
        .single()
        .context("the bench's instant")?;
    let clock = FixedClock::new(now);
    let app = App::new(store.clone(), Arc::new(clock.clone())).await?;
    district::build(&app).await?;
    sqlx::query("UPDATE staff SET phone = '13800138001' WHERE username IN ($1, $2)")
        .bind(district::OFFICER)
        .bind(district::APPROVER)
        .execute(store.pool())
        .await?;
    let started = Instant::now();
    load(&store, args.open_cases, args.seed, now).await?;
    println!(
        "{}: {} open cases loaded in {:.1} s ({})",
        target.describe(),
        args.open_cases,
        started.elapsed().as_secs_f64(),
        machine_line()
    );

    // The read alone: every clock is due before the first sweep.
    let started = Instant::now();
    let (mut read, mut after) = (0usize, None);
    loop {
        let page = store.due_clocks(now, after.as_ref(), 16_384).await?;
        let Some(last) = page.last() else { break };
        read += page.len();
        after = Some(last.clone());
    }
    let read_seconds = started.elapsed().as_secs_f64();
    println!("read {read} clocks: {read_seconds:.3} s");

    let first = timed(&app, "first").await?;
    clock.advance(Duration::minutes(1));
    let steady = timed(&app, "a minute later").await?;
    // Wednesday 25 November, 8:30.
    clock.set(now + Duration::minutes(22 * 60 + 30));
    let morning = timed(&app, "next morning").await?;
    clock.advance(Duration::minutes(5));
    let after_morning = timed(&app, "five minutes later").await?;
    let started = Instant::now();
    app.sweep_notices().await?;
    let notices_seconds = started.elapsed().as_secs_f64();
    let findings = count(&store, "SELECT COUNT(*) AS n FROM findings").await?;
    let notices = count(&store, "SELECT COUNT(*) AS n FROM notices").await?;
    let sms = count(&store, "SELECT COUNT(*) AS n FROM sms_outbox").await?;
    let swept = count(
        &store,
        "SELECT COUNT(*) AS n FROM open_case_clocks WHERE swept IS NOT NULL",
    )
    .await?;
    println!(
        "after: {findings} findings, {notices} notices, {sms} SMS queued, {swept} cases with something recorded; the notices' part alone {notices_seconds:.3} s"
    );
    println!(
        "docs: sweep | {} | {} open cases | read all {read_seconds:.2} s | first {first:.2} s | a minute later {steady:.3} s | next morning {morning:.2} s | five minutes later {after_morning:.3} s | notices alone {notices_seconds:.3} s",
        target.describe(),
        args.open_cases,
    );
    store.close().await;
    Ok(())
}
