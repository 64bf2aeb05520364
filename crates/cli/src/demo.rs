//! The demo district: Yubei's organization, its 395-item catalog with the reform history
//! the seed describes, staff for every role, and a year of cases made by the real engine.

use std::collections::HashMap;

use anyhow::{Context as _, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use liandong_app::App;
use liandong_app::cases::{case_record, seal_events};
use liandong_domain::calendar::{WorkingCalendar, china_offset};
use liandong_domain::case::deadline::case_clock;
use liandong_domain::case::tally::tally;
use liandong_domain::case::{
    Action, Applicant, Case, Channel, Context, EventKind, SpecialProcedure, decide,
};
use liandong_domain::catalog::{ItemChange, ItemLevel, ServiceItem, Step, StepKind};
use liandong_domain::ids::{PhoneNumber, ResidentId, resident_id_check_char};
use liandong_domain::organization::{
    Actor, DepartmentId, ItemId, Role, StaffId, UnitId, UnitKind, WindowId, WindowKind,
};
use liandong_store::{NewCase, NewItemVersion, NewStaff, NewUnit, NewWindow, Store, WriteTx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod appeals;
mod hall;

const UNITS: &str = include_str!("../../../data/demo/units.csv");
const DEPARTMENTS: &str = include_str!("../../../data/demo/departments.csv");
const CATALOG: &str = include_str!("../../../data/demo/catalog.csv");

/// The password of every demo account except `admin`.
pub const DEMO_PASSWORD: &str = "liandong2026";

/// How the demo is built.
pub struct DemoOptions {
    pub cases: u64,
    pub admin_password: String,
    pub seed: u64,
}

fn rows(text: &str) -> Result<Vec<csv::StringRecord>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.context("demo data file"))
        .collect()
}

/// An item of the demo catalog as saved, with the version cases use.
struct DemoItem {
    id: ItemId,
    department: DepartmentId,
    version: u32,
    item: ServiceItem,
}

struct Org {
    hall: UnitId,
    units: Vec<(UnitId, String, UnitKind, Option<UnitId>)>,
    departments: HashMap<String, DepartmentId>,
    /// Staff by (unit, department, role).
    staff: HashMap<(UnitId, Option<DepartmentId>, Role), StaffId>,
    /// The window that takes applications in, by (unit, department): a hall department's
    /// own window or the comprehensive one; a branch hall's, township's or station's only
    /// window under `None`.
    windows: HashMap<(UnitId, Option<DepartmentId>), WindowId>,
}

impl Org {
    fn actor(&self, unit: UnitId, department: Option<DepartmentId>, role: Role) -> Option<Actor> {
        let id = self.staff.get(&(unit, department, role))?;
        Some(Actor {
            staff_id: *id,
            unit_id: unit,
            department_id: department,
            roles: vec![role],
        })
    }

    /// The window where an application for `department` is taken in at `unit`.
    fn window(&self, unit: UnitId, department: DepartmentId) -> Option<WindowId> {
        self.windows
            .get(&(unit, Some(department)))
            .or_else(|| self.windows.get(&(unit, None)))
            .copied()
    }
}

/// Whether the database already holds a district.
pub async fn is_seeded(store: &Store) -> Result<bool> {
    Ok(!store.units().await?.is_empty())
}

/// Builds the demo district into an empty, migrated database.
pub async fn seed(app: &App, options: &DemoOptions) -> Result<()> {
    // Organization and catalog land together or not at all; history then comes in batches.
    let mut tx = app.store.begin().await?;
    let org = seed_organization(app, &mut tx, options).await?;
    let items = seed_catalog(app, &mut tx, &org).await?;
    tx.commit().await?;
    seed_history(app, &org, &items, options).await?;
    let mut rng = StdRng::seed_from_u64(options.seed.wrapping_add(1));
    appeals::seed_appeals(app, &org, options.cases, app.now(), &mut rng).await?;
    hall::seed_hall(app, &org).await
}

async fn seed_organization(app: &App, tx: &mut WriteTx, options: &DemoOptions) -> Result<Org> {
    let now = app.now().timestamp_millis();
    let mut by_code: HashMap<String, UnitId> = HashMap::new();
    let mut units = Vec::new();
    for r in rows(UNITS)? {
        let kind: UnitKind = r[2].parse()?;
        let parent = if r[3].is_empty() {
            None
        } else {
            Some(*by_code.get(&r[3]).context("unit parent")?)
        };
        let id = tx
            .insert_unit(&NewUnit {
                code: r[0].to_owned(),
                name: r[1].to_owned(),
                kind,
                parent_id: parent,
                address: r[4].to_owned(),
                phone: r[5].to_owned(),
            })
            .await?;
        by_code.insert(r[0].to_owned(), id);
        units.push((id, r[0].to_owned(), kind, parent));
    }
    let hall = units
        .iter()
        .find(|u| u.2 == UnitKind::DistrictHall)
        .map(|u| u.0)
        .context("no hall")?;
    let mut departments = HashMap::new();
    let mut department_list = Vec::new();
    for (n, r) in (1u32..).zip(rows(DEPARTMENTS)?) {
        let unit = *by_code.get(&r[3]).context("department unit")?;
        // Government bodies (机关, 11) of Yubei (500112): the codes certificates carry.
        let first17 = format!("11500112{n:09}");
        let check =
            liandong_domain::ids::credit_code_check_char(&first17).context("credit code")?;
        let id = tx
            .insert_department(&r[0], &r[1], &r[2], unit, &format!("{first17}{check}"))
            .await?;
        departments.insert(r[0].to_owned(), id);
        department_list.push((id, r[2].to_owned()));
    }
    // The hall's windows as the seed counts them: 27 independent, 1 comprehensive,
    // 1 scheduled, 1 fee, 6 intermediary.
    let mut number = 0;
    let mut window = |kind: WindowKind, name: String, unit: UnitId, deps: Vec<DepartmentId>| {
        number += 1;
        NewWindow {
            unit_id: unit,
            number: format!("{number:02}"),
            name,
            kind,
            department_ids: deps,
        }
    };
    let mut windows = Vec::new();
    for (id, name) in department_list.iter().take(27) {
        windows.push(window(
            WindowKind::Independent,
            format!("{name}窗口"),
            hall,
            vec![*id],
        ));
    }
    let rest: Vec<DepartmentId> = department_list.iter().skip(27).map(|d| d.0).collect();
    windows.push(window(
        WindowKind::Comprehensive,
        "综合服务窗口".into(),
        hall,
        rest.clone(),
    ));
    windows.push(window(
        WindowKind::Scheduled,
        "定时服务窗口".into(),
        hall,
        rest,
    ));
    windows.push(window(WindowKind::Fee, "收费窗口".into(), hall, vec![]));
    for n in 1..=6 {
        windows.push(window(
            WindowKind::Intermediary,
            format!("中介服务窗口{n}"),
            hall,
            vec![],
        ));
    }
    let mut intake_windows = HashMap::new();
    for w in &windows {
        let id = tx.insert_window(w).await?;
        if matches!(w.kind, WindowKind::Independent | WindowKind::Comprehensive) {
            for d in &w.department_ids {
                intake_windows.entry((hall, Some(*d))).or_insert(id);
            }
        }
    }
    for (id, _, kind, _) in units.iter().filter(|u| u.2 != UnitKind::DistrictHall) {
        let (kind, name) = match kind {
            UnitKind::BranchHall => (WindowKind::Independent, "受理窗口"),
            _ => (WindowKind::Comprehensive, "综合便民服务窗口"),
        };
        let window = tx
            .insert_window(&NewWindow {
                unit_id: *id,
                number: "01".into(),
                name: name.into(),
                kind,
                department_ids: vec![],
            })
            .await?;
        intake_windows.insert((*id, None), window);
    }
    let demo_hash = liandong_app::auth::hash_password(DEMO_PASSWORD)?;
    let admin_hash = liandong_app::auth::hash_password(&options.admin_password)?;
    let mut staff = HashMap::new();
    let add = |username: String,
               name: String,
               unit: UnitId,
               department: Option<DepartmentId>,
               roles: Vec<Role>,
               hash: &str| {
        // Officers and approvers get a work mobile, so that warnings are sent.
        let phone = if roles
            .iter()
            .any(|r| matches!(r, Role::HandlingOfficer | Role::Approver))
        {
            let h = username
                .bytes()
                .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            format!("139{:08}", h % 100_000_000)
        } else {
            String::new()
        };
        (
            NewStaff {
                username,
                display_name: name,
                unit_id: unit,
                department_id: department,
                phone,
                roles,
                password_hash: hash.to_owned(),
            },
            unit,
            department,
        )
    };
    let mut accounts = vec![
        add(
            "admin".into(),
            "系统管理员".into(),
            hall,
            None,
            vec![Role::SystemAdmin],
            &admin_hash,
        ),
        add(
            "supervisor".into(),
            "区效能办监察员".into(),
            hall,
            None,
            vec![Role::Supervisor],
            &demo_hash,
        ),
        add(
            "hall.admin".into(),
            "大厅管理员".into(),
            hall,
            None,
            vec![Role::UnitAdmin],
            &demo_hash,
        ),
    ];
    let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高",
        "林", "何", "郭", "马", "罗",
    ];
    let given = [
        "明", "芳", "伟", "静", "磊", "娟", "强", "敏", "军", "丽", "勇", "艳", "杰", "霞", "涛",
        "婷",
    ];
    let mut person = 0usize;
    let mut name = || {
        person += 1;
        format!(
            "{}{}",
            surnames[person % surnames.len()],
            given[(person / surnames.len()) % given.len()]
        )
    };
    let roles = [
        (Role::WindowClerk, "clerk"),
        (Role::HandlingOfficer, "officer"),
        (Role::Reviewer, "reviewer"),
        (Role::Approver, "approver"),
    ];
    for (code, id) in departments.iter() {
        for (role, suffix) in roles {
            accounts.push(add(
                format!("{}.{suffix}", code.to_lowercase()),
                name(),
                hall,
                Some(*id),
                vec![role],
                &demo_hash,
            ));
        }
    }
    for (id, code, kind, _) in &units {
        match kind {
            UnitKind::DistrictHall => {}
            UnitKind::BranchHall | UnitKind::TownshipCenter => {
                let prefix = if *kind == UnitKind::BranchHall {
                    "b"
                } else {
                    "t"
                };
                for (role, suffix) in roles {
                    accounts.push(add(
                        format!("{prefix}{code}.{suffix}"),
                        name(),
                        *id,
                        None,
                        vec![role],
                        &demo_hash,
                    ));
                }
                accounts.push(add(
                    format!("{prefix}{code}.admin"),
                    name(),
                    *id,
                    None,
                    vec![Role::UnitAdmin],
                    &demo_hash,
                ));
            }
            UnitKind::VillageStation => {
                accounts.push(add(
                    format!("v{code}.clerk"),
                    name(),
                    *id,
                    None,
                    vec![Role::WindowClerk],
                    &demo_hash,
                ));
            }
        }
    }
    for (account, unit, department) in &accounts {
        let id = tx.insert_staff(account, now).await?;
        for role in &account.roles {
            staff.insert((*unit, *department, *role), id);
        }
    }
    Ok(Org {
        hall,
        units,
        departments,
        staff,
        windows: intake_windows,
    })
}

/// The catalog as the seed tells it: the items of today effective 2025-01-01, after a
/// reform from the 2024 catalog in which 85 items were cancelled, on-the-spot items grew
/// from 34 to 192, and many items lost steps.
async fn seed_catalog(app: &App, tx: &mut WriteTx, org: &Org) -> Result<Vec<DemoItem>> {
    let items = liandong_app::catalog_file::read_csv(CATALOG.as_bytes()).map_err(|e| {
        anyhow::anyhow!(
            "demo catalog: {}",
            e.first().map(|f| f.message_en.clone()).unwrap_or_default()
        )
    })?;
    let before = NaiveDate::from_ymd_opt(2024, 1, 1).context("date")?;
    let reform = NaiveDate::from_ymd_opt(2025, 1, 1).context("date")?;
    let now = app.now().timestamp_millis();
    let mut saved = Vec::new();
    let mut on_the_spot_seen = 0;
    for (index, item) in items.iter().enumerate() {
        let department = *org
            .departments
            .get(&item.department_code)
            .context("item department")?;
        let mut old = item.clone();
        if item.on_the_spot {
            on_the_spot_seen += 1;
            if on_the_spot_seen > 34 {
                // Before the reform it took a handling step and five working days.
                old.on_the_spot = false;
                old.committed_days = 5;
                old.statutory_days = old.statutory_days.max(5);
                old.steps = vec![
                    Step {
                        kind: StepKind::Handle,
                        share_days: 4,
                        role: Role::HandlingOfficer,
                    },
                    Step {
                        kind: StepKind::Approve,
                        share_days: 1,
                        role: Role::Approver,
                    },
                ];
            }
        } else if index % 3 == 0 && item.steps.len() == 2 {
            // Before the reform it also went through review, and took longer.
            let extra = 2;
            old.committed_days = (item.committed_days + extra)
                .min(item.statutory_days.max(item.committed_days + extra));
            old.statutory_days = old.statutory_days.max(old.committed_days);
            old.steps.insert(
                1,
                Step {
                    kind: StepKind::Review,
                    share_days: extra,
                    role: Role::Reviewer,
                },
            );
            old.materials.push(liandong_domain::catalog::Material {
                name: "主管部门初审意见".into(),
                form: liandong_domain::catalog::MaterialForm::Original,
                count: 1,
                optional: false,
            });
        }
        let (id, mut version) = tx
            .record_item_version(
                &item.code,
                department,
                None,
                &NewItemVersion {
                    effective_from: before,
                    change: ItemChange::Defined {
                        item: Box::new(old.clone()),
                    },
                    recorded_by: None,
                },
                now,
            )
            .await?;
        if old != *item {
            let (_, v) = tx
                .record_item_version(
                    &item.code,
                    department,
                    Some(version),
                    &NewItemVersion {
                        effective_from: reform,
                        change: ItemChange::Defined {
                            item: Box::new(item.clone()),
                        },
                        recorded_by: None,
                    },
                    now,
                )
                .await?;
            version = v;
        }
        saved.push(DemoItem {
            id,
            department,
            version,
            item: item.clone(),
        });
    }
    // The 85 cancelled: annual inspections (年检) of licences, abolished by the reform.
    let licences: Vec<&ServiceItem> = items
        .iter()
        .filter(|i| {
            !i.on_the_spot && i.code.as_str().starts_with("XK") && i.code.as_str().ends_with("000")
        })
        .collect();
    for (n, licence) in licences.iter().cycle().take(85).enumerate() {
        let code = liandong_domain::catalog::ItemCode::parse(&format!("XK{:05}900", 90000 + n))?;
        let mut annual = (*licence).clone();
        annual.code = code.clone();
        annual.name = format!("{}年检", licence.name.trim_end_matches("（新办）"));
        if n >= licences.len() {
            annual.name = format!("{}（第{}类）", annual.name, n / licences.len() + 1);
        }
        annual.prerequisites.clear();
        let department = *org
            .departments
            .get(&annual.department_code)
            .context("department")?;
        let (_, v) = tx
            .record_item_version(
                &code,
                department,
                None,
                &NewItemVersion {
                    effective_from: before,
                    change: ItemChange::Defined {
                        item: Box::new(annual),
                    },
                    recorded_by: None,
                },
                now,
            )
            .await?;
        tx.record_item_version(
            &code,
            department,
            Some(v),
            &NewItemVersion {
                effective_from: reform,
                change: ItemChange::Cancelled {
                    reason: "“四减一压缩”改革取消年检 / annual inspection abolished by the reform"
                        .into(),
                },
                recorded_by: None,
            },
            now,
        )
        .await?;
    }
    Ok(saved)
}

const GIVEN_NAMES: [&str; 24] = [
    "建国", "秀英", "志强", "桂兰", "海燕", "晓东", "玉梅", "德明", "春花", "国华", "小红", "文杰",
    "丽娟", "永福", "淑芬", "俊杰", "雪梅", "洪波", "思远", "欣怡", "子涵", "浩然", "雨桐", "宇航",
];
const SURNAMES: [&str; 30] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];

fn random_person(rng: &mut StdRng) -> Result<Applicant> {
    let born = NaiveDate::from_ymd_opt(
        rng.random_range(1940..2006),
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .context("date")?;
    let first17 = format!(
        "500112{}{:03}",
        born.format("%Y%m%d"),
        rng.random_range(0..1000)
    );
    let check = resident_id_check_char(&first17).context("check")?;
    Ok(Applicant::Person {
        name: format!(
            "{}{}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())]
        ),
        resident_id: ResidentId::parse(&format!("{first17}{check}"))?,
    })
}

fn random_phone(rng: &mut StdRng) -> Result<PhoneNumber> {
    let prefix = [
        "138", "139", "135", "136", "150", "151", "158", "187", "188", "177", "199",
    ][rng.random_range(0..11)];
    Ok(PhoneNumber::parse(&format!(
        "{prefix}{:08}",
        rng.random_range(0..100_000_000u32)
    ))?)
}

/// An instant `days` working days and some office minutes after `from`, on the calendar.
fn later(
    calendar: &WorkingCalendar,
    from: DateTime<Utc>,
    days: u32,
    rng: &mut StdRng,
) -> Result<DateTime<Utc>> {
    let date = calendar
        .add_working_days(liandong_domain::calendar::china_date(from), days)
        .value;
    let minutes = rng.random_range(0..(7 * 60));
    let local = date.and_hms_opt(9, 0, 0).context("time")?
        + Duration::minutes(i64::from(minutes) + if minutes >= 180 { 90 } else { 0 });
    let at = china_offset()
        .from_local_datetime(&local)
        .single()
        .context("time")?
        .with_timezone(&Utc);
    Ok(if days == 0 {
        from + Duration::minutes(rng.random_range(5..40))
    } else {
        at
    })
}

struct Plan<'a> {
    item_id: ItemId,
    item_version: u32,
    department: DepartmentId,
    item: &'a ServiceItem,
    received_unit: (UnitId, String),
    handling_unit: UnitId,
    channel: Channel,
}

fn pick<'a>(org: &Org, items: &'a [DemoItem], rng: &mut StdRng) -> Option<Plan<'a>> {
    let on_the_spot = rng.random_bool(0.8);
    let candidates: Vec<&DemoItem> = items
        .iter()
        .filter(|i| i.item.on_the_spot == on_the_spot)
        .collect();
    let chosen = candidates.get(rng.random_range(0..candidates.len().max(1)))?;
    let item = &chosen.item;
    let find = |code: &str| org.units.iter().find(|u| u.1 == code);
    let townships: Vec<_> = org
        .units
        .iter()
        .filter(|u| u.2 == UnitKind::TownshipCenter)
        .collect();
    let (received, handling, channel) = match item.level {
        ItemLevel::DistrictHall => {
            let hall = org.units.iter().find(|u| u.0 == org.hall)?;
            if item.proxy_by_village && rng.random_bool(0.3) {
                let villages: Vec<_> = org
                    .units
                    .iter()
                    .filter(|u| u.2 == UnitKind::VillageStation)
                    .collect();
                let v = villages.get(rng.random_range(0..villages.len()))?;
                (*v, org.hall, Channel::Proxy)
            } else {
                (
                    hall,
                    org.hall,
                    if rng.random_bool(0.15) {
                        Channel::Online
                    } else {
                        Channel::Window
                    },
                )
            }
        }
        ItemLevel::BranchHall => {
            let b = find(item.branch_code.as_deref()?)?;
            (b, b.0, Channel::Window)
        }
        ItemLevel::TownshipCenter => {
            let t = townships.get(rng.random_range(0..townships.len()))?;
            if item.proxy_by_village && rng.random_bool(0.5) {
                let villages: Vec<_> = org.units.iter().filter(|u| u.3 == Some(t.0)).collect();
                let v = villages.get(rng.random_range(0..villages.len().max(1)))?;
                (*v, t.0, Channel::Proxy)
            } else {
                (*t, t.0, Channel::Window)
            }
        }
    };
    Some(Plan {
        item_id: chosen.id,
        item_version: chosen.version,
        department: chosen.department,
        item,
        received_unit: (received.0, received.1.clone()),
        handling_unit: handling,
        channel,
    })
}

/// A year of cases ending now, each carried by the engine as far as its age allows.
async fn seed_history(
    app: &App,
    org: &Org,
    items: &[DemoItem],
    options: &DemoOptions,
) -> Result<()> {
    if options.cases == 0 {
        return Ok(());
    }
    let calendar = app.calendar();
    let now = app.now();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let bar = ProgressBar::new(options.cases);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 件 ({per_sec}, 剩余 {eta})")
            .map_err(|e| anyhow::anyhow!(e))?
            .progress_chars("=> "),
    );
    bar.set_message("生成办件 generating cases");
    // Receipt times spread over the office hours (9:00–12:00, 13:30–17:30) of the working
    // days of the last year, in order; exactly as many as asked for.
    let today = liandong_domain::calendar::china_date(now);
    let working_days: Vec<NaiveDate> = (today - Duration::days(365))
        .iter_days()
        .take_while(|d| *d <= today)
        .filter(|d| calendar.is_working_day(*d))
        .collect();
    let mut times: Vec<DateTime<Utc>> =
        Vec::with_capacity(usize::try_from(options.cases).unwrap_or(0));
    for _ in 0..options.cases {
        let Some(day) = working_days.get(rng.random_range(0..working_days.len().max(1))) else {
            break;
        };
        let minute = rng.random_range(0..420);
        let local = day.and_hms_opt(9, 0, 0).context("time")?
            + Duration::minutes(if minute < 180 { minute } else { minute + 90 });
        let at = china_offset()
            .from_local_datetime(&local)
            .single()
            .context("time")?
            .with_timezone(&Utc);
        // Today's cases arrive before now.
        times.push(if at < now {
            at
        } else {
            now - Duration::minutes(rng.random_range(1..120))
        });
    }
    times.sort();
    let batch = 2_000;
    for chunk in times.chunks(batch) {
        let mut tx = app.store.begin().await?;
        for received_at in chunk {
            let Some(plan) = pick(org, items, &mut rng) else {
                continue;
            };
            simulate_case(
                &mut tx,
                org,
                &calendar,
                app,
                &plan,
                *received_at,
                now,
                &mut rng,
            )
            .await?;
            bar.inc(1);
        }
        tx.commit().await?;
    }
    bar.finish_with_message("办件已生成 cases generated");
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn simulate_case(
    tx: &mut liandong_store::WriteTx,
    org: &Org,
    calendar: &WorkingCalendar,
    app: &App,
    plan: &Plan<'_>,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
    rng: &mut StdRng,
) -> Result<()> {
    let item = plan.item;
    let clerk_unit = plan.received_unit.0;
    let clerk = org.actor(clerk_unit, None, Role::WindowClerk).or_else(|| {
        org.departments.values().find_map(|d| {
            org.actor(clerk_unit, Some(*d), Role::WindowClerk)
                .filter(|_| clerk_unit == org.hall)
        })
    });
    let Some(clerk) = clerk else {
        bail!("no clerk at unit {}", clerk_unit)
    };
    // Officers: a hall or branch item is handled by its department at the hall, a township
    // item by the township center's own officers.
    let officer = |role: Role| match item.level {
        ItemLevel::TownshipCenter => org.actor(plan.handling_unit, None, role),
        _ => org.actor(org.hall, Some(plan.department), role),
    };
    let hall_clerk = org.actor(org.hall, Some(plan.department), Role::WindowClerk);
    let mut materials: Vec<String> = item
        .materials
        .iter()
        .filter(|m| !m.optional)
        .map(|m| m.name.clone())
        .collect();
    let incomplete = !materials.is_empty() && rng.random_bool(0.05);
    if incomplete {
        materials.pop();
    }
    let applicant = random_person(rng)?;
    let phone = random_phone(rng)?;
    let new_case = NewCase {
        item_id: plan.item_id,
        item_version: plan.item_version,
        received_unit_id: clerk_unit,
        received_unit_code: plan.received_unit.1.clone(),
        handling_unit_id: plan.handling_unit,
        department_id: plan.department,
        received_at,
        received_date: liandong_domain::calendar::china_date(received_at),
        actor: Some(clerk.staff_id),
        comment: String::new(),
        received: EventKind::Received {
            applicant: applicant.clone(),
            phone: phone.clone(),
            item_code: item.code.clone(),
            item_version: plan.item_version,
            channel: plan.channel,
            materials,
        },
        applicant_name: applicant.name().to_owned(),
        applicant_id_number: applicant.id_number().to_owned(),
        phone: phone.as_str().to_owned(),
        channel: plan.channel,
        // Applications made at a counter name its window; online ones none.
        window_id: (plan.channel != Channel::Online)
            .then(|| org.window(clerk_unit, plan.department))
            .flatten(),
    };
    let (id, number, first) = tx.insert_case(&new_case).await?;
    let mut case = Case::replay([&first]).map_err(|e| anyhow::anyhow!(e))?;
    let mut events = vec![first];
    let mut counted = Vec::new();
    let mut at = received_at;
    // The script of a typical case; each step is decided by the engine as it would be live.
    let mut script: Vec<(u32, Option<Actor>, Action)> = Vec::new();
    if incomplete {
        let missing = case
            .missing_materials(item)
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>();
        script.push((
            0,
            Some(clerk.clone()),
            Action::RequestSupplement {
                missing: missing.clone(),
            },
        ));
        script.push((
            rng.random_range(1..4),
            Some(clerk.clone()),
            Action::Supplement { received: missing },
        ));
    }
    if item.on_the_spot {
        script.push((
            0,
            Some(clerk.clone()),
            Action::ConcludeOnTheSpot {
                delivery: "当场领取 / collected at the window".into(),
            },
        ));
    } else {
        script.push((0, Some(clerk.clone()), Action::Accept));
        let slow = rng.random_bool(0.03);
        for step in &item.steps {
            let share = step.share_days.max(1);
            let days = if slow {
                share + rng.random_range(1..4)
            } else {
                rng.random_range(0..=share)
            };
            let actor = match step.role {
                Role::WindowClerk => Some(clerk.clone()),
                role => officer(role),
            };
            if step.kind == StepKind::Handle && rng.random_bool(0.01) {
                script.push((
                    days,
                    actor.clone(),
                    Action::StartSpecialProcedure {
                        procedure: SpecialProcedure::ExpertReview,
                        stated_days: 5,
                        reason: "需组织专家评审 / expert review required".into(),
                    },
                ));
                script.push((
                    5,
                    actor.clone(),
                    Action::EndSpecialProcedure {
                        result: "专家评审通过 / experts agreed".into(),
                    },
                ));
            }
            let action = match step.kind {
                StepKind::Handle => Action::Handle {
                    opinion: "材料齐全，符合法定条件，建议准予许可".into(),
                },
                StepKind::Review => Action::Review {
                    opinion: "审核同意".into(),
                },
                StepKind::Approve if rng.random_bool(0.03) => Action::Deny {
                    reason: "申请事项不符合法定条件".into(),
                    legal_basis: item.legal_basis.clone(),
                },
                StepKind::Approve => Action::Approve {
                    opinion: "同意".into(),
                },
            };
            script.push((days, actor, action));
        }
        let deliverer = if clerk_unit == org.hall {
            hall_clerk.clone().unwrap_or(clerk.clone())
        } else {
            clerk.clone()
        };
        script.push((
            rng.random_range(0..2),
            Some(deliverer),
            Action::Conclude {
                delivery: "窗口领取 / collected at the window".into(),
            },
        ));
    }
    for (days, actor, action) in script {
        let Some(actor) = actor else { break };
        let when = later(calendar, at, days, rng)?;
        if when > now {
            break;
        }
        let kinds = decide(
            &case,
            &action,
            &Context {
                now: when,
                actor: &actor,
                item,
            },
        )
        .map_err(|e| anyhow::anyhow!("demo case {number}: {e}"))?;
        let Some(last) = events.last() else { break };
        let sealed = seal_events(
            number.as_str(),
            last,
            kinds,
            when,
            Some(actor.staff_id),
            actor.unit_id,
            "",
        );
        for e in &sealed {
            case.apply(e).map_err(|e| anyhow::anyhow!(e))?;
        }
        // Counted as the app counts an action: with the clock just after it.
        let clock = case_clock(&case, item, calendar, &app.warning_rules, when);
        counted.extend(tally(&sealed, clock.as_ref()));
        events.extend(sealed);
        at = when;
    }
    if events.len() > 1 {
        let clock = case_clock(&case, item, calendar, &app.warning_rules, now);
        let record = case_record(&case, clock.as_ref(), &[&events]);
        tx.append_events(
            id,
            1,
            events.get(1..).unwrap_or_default(),
            &record,
            &counted,
        )
        .await?;
    }
    Ok(())
}
