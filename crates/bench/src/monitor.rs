//! `liandong-bench monitor`: the monitoring overview over years of history.
//!
//! It takes an existing demo database (`liandong demo --cases N`), whose running totals show
//! which units, departments and items take cases and how often, and writes that pattern for
//! `--years` more years before the demo's history, scaled so that those years hold `--cases`
//! cases in all: the rows of running totals such a history leaves. Then it times the
//! supervisor's overview over a month, a year and the whole span, for the district and for
//! one township. The database is a bench copy: its new rows have no events behind them, so
//! `audit verify` would rightly fail on it.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use liandong_app::monitoring::OverviewQuery;
use liandong_app::{App, SystemClock};
use liandong_domain::calendar::china_date;
use liandong_domain::case::tally::Tally;
use liandong_domain::organization::UnitKind;
use liandong_store::{Store, TotalsKey};

use crate::stats::{Latencies, machine_line};

pub struct MonitorArgs {
    pub database: String,
    pub password: String,
    pub cases: u64,
    pub years: u32,
    pub requests: usize,
}

pub async fn run(args: MonitorArgs) -> Result<()> {
    ensure!(
        (0..=30).contains(&args.years),
        "--years takes 0 (time the overview of the database as it is) to 30"
    );
    ensure!(
        (1..=1_000).contains(&args.requests),
        "--requests takes 1 to 1000"
    );
    println!("{}", machine_line());
    let store = Store::connect(&args.database)
        .await
        .with_context(|| format!("open {}", args.database))?;
    store.migrate().await?;
    let app = App::new(store.clone(), Arc::new(SystemClock)).await?;
    app.rebuild_totals_if_missing().await?;
    let rows = store.totals_rows().await?;
    ensure!(
        !rows.is_empty(),
        "the database holds no totals: make it with `liandong demo --cases N --database URL`"
    );
    let first_day = rows.iter().map(|(k, _)| k.day).min().context("no rows")?;
    let demo_cases: i64 = rows.iter().map(|(_, t)| t.received).sum();
    println!(
        "database: {} ({demo_cases} cases received in its totals from {first_day}, {} rows of totals)",
        args.database,
        rows.len()
    );

    // The demo's pattern: each combination's share of a day's cases, on working weekdays.
    let days_of_demo = rows
        .iter()
        .map(|(k, _)| k.day)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        .max(1);
    let mut per_combo: std::collections::BTreeMap<(i64, i64, i64, i64), Tally> =
        std::collections::BTreeMap::new();
    for (k, t) in &rows {
        per_combo
            .entry((
                k.received_unit.0,
                k.handling_unit.0,
                k.department.0,
                k.item.0,
            ))
            .or_default()
            .add(t);
    }
    let start = first_day - Duration::days(i64::from(args.years) * 365);
    let weekdays: Vec<NaiveDate> = start
        .iter_days()
        .take_while(|d| *d < first_day)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect();
    // Scale: the demo's average day, times the factor that brings the span to --cases.
    let demo_per_day = demo_cases as f64 / days_of_demo as f64;
    let factor = args.cases as f64 / (demo_per_day * weekdays.len() as f64).max(1.0);
    let began = Instant::now();
    let mut written = 0usize;
    // Each combination's fraction of a case carried from day to day, so that the span holds
    // the cases asked for and rare combinations still appear now and then.
    let mut carried: std::collections::BTreeMap<(i64, i64, i64, i64), [f64; 12]> =
        std::collections::BTreeMap::new();
    for chunk in weekdays.chunks(30) {
        let mut batch = Vec::new();
        for day in chunk {
            for ((received_unit, handling_unit, department, item), total) in &per_combo {
                let carry = carried
                    .entry((*received_unit, *handling_unit, *department, *item))
                    .or_insert([0.0; 12]);
                let mut scaled = [0i64; 12];
                for ((s, v), c) in scaled.iter_mut().zip(total.values()).zip(carry.iter_mut()) {
                    let exact = v as f64 * factor / days_of_demo as f64 + *c;
                    *s = exact.floor() as i64;
                    *c = exact - exact.floor();
                }
                let tally = Tally::from_values(scaled);
                if tally.is_empty() {
                    continue;
                }
                batch.push((
                    TotalsKey {
                        day: *day,
                        received_unit: liandong_domain::organization::UnitId(*received_unit),
                        handling_unit: liandong_domain::organization::UnitId(*handling_unit),
                        department: liandong_domain::organization::DepartmentId(*department),
                        item: liandong_domain::organization::ItemId(*item),
                    },
                    tally,
                ));
            }
        }
        written += batch.len();
        store
            .write(move |tx| {
                Box::pin(async move {
                    for (key, tally) in &batch {
                        tx.put_totals(key, tally).await?;
                    }
                    Ok(())
                })
            })
            .await?;
    }
    store
        .write(|tx| Box::pin(async move { tx.roll_up_months().await }))
        .await?;
    let all = store.totals(&Default::default()).await?;
    println!(
        "wrote {written} rows of totals for {} weekdays from {start} in {:.1} s: {} cases received in all",
        weekdays.len(),
        began.elapsed().as_secs_f64(),
        all.received
    );

    let token = app.sign_in("supervisor", &args.password).await?;
    let session = app.authenticate(&token.token).await?;
    let today = china_date(app.now());
    let township = app
        .units()
        .await?
        .into_iter()
        .find(|u| u.kind == UnitKind::TownshipCenter)
        .map(|u| u.id);
    let month_start = today.with_day(1).unwrap_or(today);
    let cases = [
        ("this month, district", month_start, None),
        ("last 365 days, district", today - Duration::days(365), None),
        ("whole span, district", start, None),
        ("whole span, a township", start, township),
    ];
    println!(
        "{:<28} {:>9} {:>9} {:>9}",
        "overview", "p50 ms", "p95 ms", "max ms"
    );
    for (label, from, unit) in cases {
        let query = OverviewQuery {
            from,
            to: today,
            unit,
            department: None,
        };
        app.monitoring_overview(&session, &query).await?;
        let mut latencies = Latencies::with_capacity(args.requests);
        for _ in 0..args.requests {
            let started = Instant::now();
            let overview = app.monitoring_overview(&session, &query).await?;
            latencies.record(started.elapsed());
            std::hint::black_box(overview);
        }
        latencies.sort();
        println!(
            "{label:<28} {:>9.1} {:>9.1} {:>9.1}",
            latencies.quantile_ms(0.5),
            latencies.quantile_ms(0.95),
            latencies.max_ms()
        );
    }
    store.close().await;
    Ok(())
}
