//! `liandong-bench warnings`: the supervision sweep, pure domain. A million open, accepted
//! cases in memory (items of 1–20 committed working days, accepted over the last 60 days,
//! some with pauses and extensions), and the time to read every one's clock and warning
//! level with the shipped calendar.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Duration, Utc};
use liandong_domain::calendar::WorkingCalendar;
use liandong_domain::case::deadline::{case_clock, step_clock};
use liandong_domain::case::{
    Applicant, Case, CaseState, Channel, Pause, PauseReason, SpecialProcedure, WarningLevel,
    WarningRules,
};
use liandong_domain::catalog::{
    ItemCode, ItemKind, ItemLevel, Material, MaterialForm, STATUTORY_EXTENSION_DAYS, ServiceItem,
    Step, StepKind,
};
use liandong_domain::ids::{PhoneNumber, ResidentId};
use liandong_domain::organization::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::stats::{machine_line, rss_mib};

/// Items with committed limits of 1 to 20 working days.
fn items() -> Result<Vec<ServiceItem>> {
    (1..=20u32)
        .map(|days| {
            let handle = (days * 3 / 5).max(1);
            let review = days / 5;
            let approve = days.saturating_sub(handle + review);
            let mut steps = vec![Step {
                kind: StepKind::Handle,
                share_days: handle,
                role: Role::HandlingOfficer,
            }];
            if review > 0 {
                steps.push(Step {
                    kind: StepKind::Review,
                    share_days: review,
                    role: Role::Reviewer,
                });
            }
            steps.push(Step {
                kind: StepKind::Approve,
                share_days: approve,
                role: Role::Approver,
            });
            Ok(ServiceItem {
                code: ItemCode::parse(&format!("XK{:05}000", days))?,
                name: format!("基准事项（{days}个工作日）"),
                department_code: "D01".into(),
                level: ItemLevel::DistrictHall,
                branch_code: None,
                proxy_by_village: false,
                kind: ItemKind::Licence,
                legal_basis: "《中华人民共和国行政许可法》".into(),
                statutory_days: days.max(20),
                committed_days: days,
                on_the_spot: false,
                window_authorised: false,
                materials: vec![Material {
                    name: "申请书".into(),
                    form: MaterialForm::Original,
                    count: 1,
                    optional: false,
                }],
                fees: vec![],
                prerequisites: vec![],
                steps,
                extension_limit_days: STATUTORY_EXTENSION_DAYS,
                certificate_valid_years: None,
            })
        })
        .collect()
}

/// A random instant in [from, to).
fn between(rng: &mut StdRng, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_seconds().max(1);
    from + Duration::seconds(rng.random_range(0..span))
}

/// An open case accepted at a random instant of the last 60 days.
fn open_case(
    rng: &mut StdRng,
    item: &ServiceItem,
    template: &Applicant,
    phone: &PhoneNumber,
    now: DateTime<Utc>,
) -> Case {
    let accepted = between(rng, now - Duration::days(60), now);
    let received = accepted - Duration::seconds(rng.random_range(0..3_600));
    let has_review = item.step(StepKind::Review).is_some();
    let mut state = match rng.random_range(0..4) {
        0 | 1 => CaseState::Handling,
        2 if has_review => CaseState::Reviewing,
        _ => CaseState::Deciding,
    };
    let step_started = between(rng, accepted, now);
    let mut pauses = Vec::new();
    let mut resume_state = None;
    let mut supplement_notices = 0;
    let kind = rng.random_range(0..100);
    // 12 % had a supplement (closed pause), 3 % are in a special procedure now (open pause),
    // 2 % both.
    if kind < 12 || (15..17).contains(&kind) {
        let started = between(rng, accepted, accepted + (now - accepted) / 2);
        let ended = (started + Duration::days(rng.random_range(1..=10))).min(now);
        pauses.push(Pause {
            reason: PauseReason::Supplement,
            started_at: started,
            ended_at: Some(ended),
        });
        supplement_notices = 1;
    }
    if (12..17).contains(&kind) {
        let from = pauses
            .last()
            .and_then(|p: &Pause| p.ended_at)
            .unwrap_or(accepted);
        pauses.push(Pause {
            reason: PauseReason::SpecialProcedure {
                procedure: SpecialProcedure::Inspection,
                stated_days: 5,
            },
            started_at: between(rng, from, now),
            ended_at: None,
        });
        resume_state = Some(state);
        state = CaseState::SpecialProcedure;
    }
    let extension_days = if rng.random_bool(0.05) {
        rng.random_range(1..=10)
    } else {
        0
    };
    Case {
        applicant: template.clone(),
        phone: phone.clone(),
        item_code: item.code.clone(),
        item_version: 1,
        channel: Channel::Window,
        materials_received: Vec::new(),
        state,
        resume_state,
        received_at: received,
        accepted_at: Some(accepted),
        step_started_at: Some(step_started),
        decided_at: None,
        closed_at: None,
        outcome: None,
        pauses,
        extension_days,
        extensions_granted: u32::from(extension_days > 0),
        supplement_notices,
        returns: 0,
        version: 3,
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    green: u64,
    yellow: u64,
    red: u64,
    none: u64,
}

impl Tally {
    fn add(&mut self, level: Option<WarningLevel>) {
        match level {
            Some(WarningLevel::Green) => self.green += 1,
            Some(WarningLevel::Yellow) => self.yellow += 1,
            Some(WarningLevel::Red) => self.red += 1,
            None => self.none += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.green += other.green;
        self.yellow += other.yellow;
        self.red += other.red;
        self.none += other.none;
    }
}

struct Sweep<'a> {
    cases: &'a [Case],
    item_of: &'a [u8],
    items: &'a [ServiceItem],
    calendar: &'a WorkingCalendar,
    rules: &'a WarningRules,
    now: DateTime<Utc>,
}

impl Sweep<'_> {
    /// Reads the case clock (and with `with_step`, the step clock too, as a case view does)
    /// of cases `range`.
    fn levels(&self, range: std::ops::Range<usize>, with_step: bool) -> Tally {
        let mut tally = Tally::default();
        let cases = self.cases.get(range.clone()).unwrap_or_default();
        let item_of = self.item_of.get(range).unwrap_or_default();
        for (case, index) in cases.iter().zip(item_of) {
            let Some(item) = self.items.get(usize::from(*index)) else {
                tally.add(None);
                continue;
            };
            let clock = case_clock(case, item, self.calendar, self.rules, self.now);
            let mut level = clock.map(|c| c.level);
            if with_step {
                let step = step_clock(case, item, self.calendar, self.rules, self.now);
                level = level.max(step.map(|c| c.level));
            }
            tally.add(black_box(level));
        }
        tally
    }
}

/// `liandong-bench warnings`.
pub fn run(open_cases: usize, seed: u64, threads: Option<usize>) -> Result<()> {
    ensure!(
        (1..=20_000_000).contains(&open_cases),
        "--open-cases takes 1 to 20,000,000"
    );
    println!("{}", machine_line());
    let calendar = WorkingCalendar::shipped();
    let rules = WarningRules::default();
    let now = Utc::now();
    let items = items()?;
    let template = Applicant::Person {
        name: "王建国".into(),
        resident_id: ResidentId::parse("11010519491231002X")?,
    };
    let phone = PhoneNumber::parse("13800138000")?;
    let rss_before = rss_mib();
    let built = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cases = Vec::with_capacity(open_cases);
    let mut item_of = Vec::with_capacity(open_cases);
    for _ in 0..open_cases {
        let index = rng.random_range(0..items.len());
        let item = items.get(index).context("item")?;
        cases.push(open_case(&mut rng, item, &template, &phone, now));
        item_of.push(u8::try_from(index)?);
    }
    let build_seconds = built.elapsed().as_secs_f64();
    let memory = match (rss_before, rss_mib()) {
        (Some(b), Some(a)) => format!("{:.0} MiB resident for the cases", a - b),
        _ => "resident size unknown".into(),
    };
    let paused = cases.iter().filter(|c| !c.pauses.is_empty()).count();
    println!(
        "built {open_cases} open cases in {build_seconds:.2} s ({} bytes per Case value; {memory}); {paused} with pauses",
        std::mem::size_of::<Case>()
    );
    let sweep = Sweep {
        cases: &cases,
        item_of: &item_of,
        items: &items,
        calendar: &calendar,
        rules: &rules,
        now,
    };
    let cores = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 256);

    let mut rows = Vec::new();
    let timed = |with_step: bool, threads: usize| -> Result<(f64, Tally)> {
        let started = Instant::now();
        let mut tally = Tally::default();
        if threads == 1 {
            tally = sweep.levels(0..open_cases, with_step);
        } else {
            let chunk = open_cases.div_ceil(threads);
            let parts = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = (t * chunk).min(open_cases)..((t + 1) * chunk).min(open_cases);
                        let sweep = &sweep;
                        scope.spawn(move || sweep.levels(range, with_step))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join()).collect::<Vec<_>>()
            });
            for part in parts {
                tally.merge(part.map_err(|_| anyhow::anyhow!("a sweep thread failed"))?);
            }
        }
        Ok((started.elapsed().as_secs_f64(), tally))
    };
    for (label, with_step, threads) in [
        ("case_clock", false, 1),
        ("case_clock", false, cores),
        ("case_clock + step_clock", true, 1),
    ] {
        if threads > 1 && cores == 1 {
            continue;
        }
        let (seconds, tally) = timed(with_step, threads)?;
        rows.push((label, threads, seconds, tally));
    }

    println!();
    println!(
        "{:<24} {:>7} {:>9} {:>11} {:>9} {:>9} {:>9}",
        "computed", "threads", "seconds", "cases/s", "green", "yellow", "red"
    );
    for (label, threads, seconds, tally) in &rows {
        println!(
            "{:<24} {:>7} {:>9.2} {:>11.0} {:>9} {:>9} {:>9}",
            label,
            threads,
            seconds,
            open_cases as f64 / seconds,
            tally.green,
            tally.yellow,
            tally.red
        );
    }
    println!();
    for (label, threads, seconds, _) in &rows {
        println!(
            "docs: | warnings | {label} | {open_cases} open cases | {threads} thread(s) | {seconds:.2} s | {:.0} cases/s |",
            open_cases as f64 / seconds
        );
    }
    Ok(())
}
