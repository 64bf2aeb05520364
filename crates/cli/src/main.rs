//! `liandong`: the server and its administration commands.

mod config;
mod demo;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use liandong_app::notify::kannel::{KannelConfig, KannelGateway};
use liandong_app::notify::{Worker, WorkerConfig};
use liandong_app::{App, SystemClock, catalog_file};
use liandong_store::Store;

use crate::config::{FileConfig, Settings};

#[derive(Parser)]
#[command(
    name = "liandong",
    version,
    about = "联动 · 三级联动政务服务平台 / Liandong, the three-level linked government service platform"
)]
struct Cli {
    /// Configuration file (default: liandong.toml in the working directory, if present).
    #[arg(long, global = true, env = "LIANDONG_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:FILE or postgres://USER@HOST:PORT/DB.
    #[arg(long, global = true, env = "LIANDONG_DATABASE_URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LIANDONG_LISTEN")]
        listen: Option<String>,
        /// `district` (default) or `city`: a city node receives the districts' pushes and
        /// shows the city's totals (docs/city-link.md).
        #[arg(long, env = "LIANDONG_ROLE")]
        role: Option<String>,
    },
    /// Apply database migrations.
    Migrate,
    /// Build the Yubei-sized demo district (once) and serve it.
    Demo {
        #[arg(long, env = "LIANDONG_LISTEN")]
        listen: Option<String>,
        /// Cases of history to generate (the seed's full year: 554912).
        #[arg(long, default_value_t = 20_000)]
        cases: u64,
        /// Password of the system administrator `admin` (default: generated and printed).
        #[arg(long, env = "LIANDONG_ADMIN_PASSWORD")]
        admin_password: Option<String>,
        /// Seed of the random history, for a repeatable demo.
        #[arg(long, default_value_t = 2011)]
        seed: u64,
        /// Build the data and exit instead of serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Catalog import and export.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Load a year's State Council holiday notice (TOML) and recompute provisional deadlines.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Write a consistent online backup to a new file.
    Backup {
        /// The backup file to create.
        output: PathBuf,
    },
    /// Restore a backup into an empty database.
    Restore {
        /// The backup file.
        input: PathBuf,
    },
    /// Audit the stored history.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Electronic supervision: `sweep` records what time has brought about in the open
    /// cases (the server does it every five minutes).
    Supervision {
        #[command(subcommand)]
        command: SupervisionCommand,
    },
    /// Electronic certificates (电子证照): check a file offline, print the public key.
    Certificate {
        #[command(subcommand)]
        command: CertificateCommand,
    },
    /// Fees (收费): `reconcile` a day's notices against what came in (the server does
    /// yesterday on its own each night).
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Video monitoring (视频监控): `probe` fetches every camera's snapshot once and records
    /// its health (the server does it every `video_probe_interval_seconds`).
    Video {
        #[command(subcommand)]
        command: VideoCommand,
    },
    /// The city link (市区两级对接): push a district's records now, see what waits; on a city
    /// node, register districts and accounts and print the totals.
    City {
        #[command(subcommand)]
        command: CityCommand,
    },
}

#[derive(Subcommand)]
enum CityCommand {
    /// Push everything waiting to the city once (district; needs city_url, district_code,
    /// city_secret).
    Push,
    /// How many records wait for the city (district).
    Status,
    /// Register a district at this city node, or change its name and secret.
    AddDistrict {
        code: String,
        #[arg(long)]
        name: String,
        /// The secret the district signs with (at least 16 bytes).
        #[arg(long, env = "LIANDONG_CITY_DISTRICT_SECRET")]
        secret: String,
    },
    /// Create an account of this city node: a supervisor (default) or a system administrator.
    AddAccount {
        username: String,
        #[arg(long, env = "LIANDONG_CITY_ACCOUNT_PASSWORD")]
        password: String,
        #[arg(long, default_value = "市级监察员")]
        name: String,
        #[arg(long)]
        admin: bool,
    },
    /// Print the city's totals per district and for the city, as JSON.
    Totals,
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Reconcile the notices issued on a day (default: yesterday, China time); differences
    /// become findings.
    Reconcile {
        #[arg(long)]
        day: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum VideoCommand {
    /// Probe every camera in service once; a camera dead by the rules becomes a finding.
    Probe,
}

#[derive(Subcommand)]
enum CertificateCommand {
    /// Check a certificate PDF offline against the district's published public key: every
    /// byte signed, the QR token signed, and the validity on today's date. Revocation needs
    /// the online verification.
    Verify {
        file: PathBuf,
        /// The published key (64 hexadecimal digits; GET /api/v1/certificates/public-key).
        #[arg(long, env = "LIANDONG_CERTIFICATE_PUBLIC_KEY")]
        public_key: String,
    },
    /// Print the public key of the configured signing key file (`certificate_key_file`).
    PublicKey,
}

#[derive(Subcommand)]
enum SupervisionCommand {
    /// Read every open case against the clock once and record new findings.
    Sweep,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import a catalog file (.csv or .xlsx); all rows or none.
    Import {
        file: PathBuf,
        /// The date the imported definitions take effect.
        #[arg(long)]
        effective_from: NaiveDate,
    },
    /// Export the catalog in force (.csv or .xlsx by the file's extension).
    Export { file: PathBuf },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load a notice file (format: data/calendar/README.md).
    Load { file: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the hash chain of every case's history.
    Verify,
}

async fn open(settings: &Settings) -> Result<App> {
    let store = Store::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open the database {}", settings.database_url))?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    let mut app = App::new(store, Arc::new(SystemClock)).await?;
    app.token_lifetime = chrono::Duration::hours(settings.token_lifetime_hours);
    app.warning_rules.yellow_used_percent = settings.yellow_used_percent;
    app.warning_rules.yellow_days_left = settings.yellow_days_left;
    app.lockout_failures = settings.lockout_failures;
    app.lockout_window = chrono::Duration::minutes(settings.lockout_minutes);
    app.renewal_rules.remind_days_before_expiry = settings.renewal_reminder_days;
    Ok(app)
}

/// A running background worker (the SMS delivery, the camera probe): its stop switch and
/// its task.
type Background = (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
);

/// Starts the SMS delivery worker when a gateway is configured; without one, says once that
/// messages stay in the outbox. Returns the worker's stop switch.
fn start_sms(
    app: &mut App,
    settings: &Settings,
    bound: std::net::SocketAddr,
) -> Result<Option<Background>> {
    let Some(sms) = &settings.sms else {
        println!(
            "未配置短信网关：短信保留在发件箱中，配置 sms_gateway_url 后发送 / no SMS gateway configured (sms_gateway_url): messages stay queued in the outbox"
        );
        return Ok(None);
    };
    app.notify.dlr_token = Some(sms.dlr_token.clone());
    let gateway = KannelGateway::new(KannelConfig {
        url: sms.gateway_url.clone(),
        username: sms.username.clone(),
        password: sms.password.clone(),
        from: sms.from.clone(),
        // Kannel usually runs beside the server: by default it reports where the server listens.
        dlr_base_url: Some(sms.dlr_base_url.clone().unwrap_or_else(|| {
            let host = if bound.ip().is_unspecified() {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            } else {
                bound.ip()
            };
            format!("http://{}", std::net::SocketAddr::new(host, bound.port()))
        })),
        dlr_token: Some(sms.dlr_token.clone()),
        timeout: std::time::Duration::from_secs(15),
    })?;
    let worker = Worker::new(
        app.store.clone(),
        gateway,
        WorkerConfig {
            policy: app.notify.policy,
            ..WorkerConfig::default()
        },
        Arc::new(SystemClock),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    println!(
        "短信经 Kannel 发送 / SMS delivery through Kannel at {}",
        sms.gateway_url
    );
    Ok(Some((stop, running)))
}

/// The signing key in `path` (64 hexadecimal digits), created with a fresh random seed (and
/// permissions 0600) when the file does not exist yet. The new key is written whole to a
/// file of its own and then linked into place, so that two servers starting at once end up
/// reading the same key and nobody reads half a file.
fn certificate_seed(path: &std::path::Path, create: bool) -> Result<[u8; 32]> {
    if !path.exists() && create {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let fresh = path.with_extension(format!("new-{:016x}", rand::random::<u64>()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&fresh)
            .with_context(|| format!("cannot create the key file {}", fresh.display()))?;
        std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(seed)).as_bytes())?;
        file.sync_all()?;
        drop(file);
        let linked = std::fs::hard_link(&fresh, path);
        let _ = std::fs::remove_file(&fresh);
        match linked {
            Ok(()) => println!(
                "已生成证照签名密钥 / created the certificate signing key {} (keep it secret and backed up)",
                path.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot create the key file {}", path.display()));
            }
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .ok()
        .filter(|b| b.len() == 32)
        .with_context(|| format!("{} is not 64 hexadecimal digits", path.display()))?;
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&bytes);
    Ok(seed)
}

/// Turns certificate issuing on: the key (created if missing) and the font. Without the font
/// the server still runs and says why no certificate is issued.
fn start_certificates(
    app: &mut App,
    settings: &Settings,
    bound: std::net::SocketAddr,
) -> Result<()> {
    let c = &settings.certificate;
    let seed = certificate_seed(&c.key_file, true)?;
    let font = match std::fs::read(&c.font) {
        Ok(font) => font,
        Err(e) => {
            println!(
                "证照签发未启用：找不到字体 {}（安装 fonts-wqy-microhei）/ certificates off: cannot read the font {}: {e}",
                c.font.display(),
                c.font.display()
            );
            return Ok(());
        }
    };
    let base = c
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"));
    let issuer = liandong_app::certificates::CertificateIssuer::new(&seed, &font, &base)
        .with_context(|| format!("cannot use the font {}", c.font.display()))?;
    println!(
        "证照签发已启用 / certificates on; public key {}",
        issuer.public_key()
    );
    app.certificates = Some(Arc::new(issuer));
    Ok(())
}

async fn serve(mut app: App, settings: &Settings) -> Result<()> {
    if let Some(rows) = app.rebuild_totals_if_missing().await? {
        println!("统计已由办件事件重建 / running totals rebuilt from the case events: {rows} rows");
    }
    let listen = settings.listen.as_str();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    let sms = start_sms(&mut app, settings, address)?;
    start_certificates(&mut app, settings, address)?;
    if let Some((merchant, secret)) = &settings.payment {
        let merchant = liandong_domain::payment::Merchant::new(
            merchant,
            secret.as_bytes(),
            liandong_domain::payment::DEFAULT_REPLAY_WINDOW_MINUTES,
        )
        .map_err(|e| anyhow::anyhow!("payment_merchant_id / payment_secret: {e}"))?;
        app.payment_merchant = Some(merchant);
        if let Some(url) = &settings.payment_provider_url {
            let base = settings
                .certificate
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}"));
            app.payment_provider = Some(liandong_app::provider::ProviderConfig {
                name: "provider".into(),
                base_url: url.clone(),
                notify_base: base.clone(),
                return_url: format!("{}/progress", base.trim_end_matches('/')),
                timeout: std::time::Duration::from_secs(15),
            });
        }
    }
    let pusher = start_city_push(&app, settings)?;
    let sweeper = tokio::spawn(sweep_every(app.clone(), SWEEP_EVERY));
    let prober = start_video_probe(&app, settings);
    println!(
        "联动已启动 Liandong is serving on http://{address}  (API: http://{address}/api/v1, OpenAPI: http://{address}/api/openapi.json)"
    );
    liandong_http::serve(listener, liandong_http::router(app)).await?;
    sweeper.abort();
    if let Some((stop, running)) = pusher {
        // A batch on its way is either answered or sent again next time: the city keeps
        // each record once.
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), running).await;
    }
    if let Some((stop, running)) = prober {
        // A probe in progress records what it fetched; each camera takes at most its timeout.
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), running).await;
    }
    if let Some((stop, running)) = sms {
        // Let a pass in progress record its answers: an attempt cut short is only reconciled
        // after its lease and the report grace.
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), running).await;
    }
    Ok(())
}

/// Serves a city node: the districts' pushes, sign-in and the city's dashboard.
async fn serve_city(app: App, settings: &Settings) -> Result<()> {
    let listen = settings.listen.as_str();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    let districts = app.city_districts().await?;
    println!(
        "市级节点已启动，已登记 {} 个区县 / the city node is serving on http://{address} with {} registered districts (dashboard: http://{address}/city)",
        districts.len(),
        districts.len()
    );
    liandong_http::serve(listener, liandong_http::city_router(app)).await?;
    Ok(())
}

/// Starts the district's push to the city when the link is configured.
fn start_city_push(app: &App, settings: &Settings) -> Result<Option<Background>> {
    if let Some(problem) = &settings.city_problem {
        bail!("{problem}");
    }
    let Some(city) = &settings.city else {
        println!(
            "未配置市区对接：办件事件和问题留在待报送队列中 / no city link configured (city_url): records wait in the outbox"
        );
        return Ok(None);
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(liandong_app::city::push_every(
        app.clone(),
        city.link.clone(),
        city.every,
        city.max_backoff,
        stopped,
    ));
    println!(
        "市区对接：每 {} 秒向 {} 报送 / city link: pushing to {} every {} s as district {}",
        city.every.as_secs(),
        city.link.city_url,
        city.link.city_url,
        city.every.as_secs(),
        city.link.district
    );
    Ok(Some((stop, running)))
}

async fn city_command(app: &App, settings: &Settings, command: CityCommand) -> Result<()> {
    match command {
        CityCommand::Push => {
            if let Some(problem) = &settings.city_problem {
                bail!("{problem}");
            }
            let Some(city) = &settings.city else {
                bail!(
                    "未配置市区对接（city_url、district_code、city_secret） / the city link is not configured (city_url, district_code, city_secret)"
                );
            };
            let r = app.push_to_city(&city.link).await?;
            println!(
                "报送完成：{} 批，新接收 {} 条，重复 {} 条，待报送 {} 条 / pushed: {} batches, {} applied, {} already held, {} waiting",
                r.batches,
                r.applied,
                r.replayed,
                r.pending,
                r.batches,
                r.applied,
                r.replayed,
                r.pending
            );
        }
        CityCommand::Status => {
            let n = app.city_pending().await?;
            println!("待报送 {n} 条 / {n} records waiting for the city");
        }
        CityCommand::AddDistrict { code, name, secret } => {
            app.register_city_district(&code, &name, &secret)
                .await
                .map_err(|e| match e {
                    liandong_app::AppError::Invalid(errors) => anyhow::anyhow!(
                        "{}",
                        errors
                            .iter()
                            .map(|e| format!("{} / {}", e.message_zh, e.message_en))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    e => e.into(),
                })?;
            println!("已登记区县 {code} / district {code} registered");
        }
        CityCommand::AddAccount {
            username,
            password,
            name,
            admin,
        } => {
            let role = if admin {
                liandong_domain::organization::Role::SystemAdmin
            } else {
                liandong_domain::organization::Role::Supervisor
            };
            app.create_city_account(&username, &name, &password, role)
                .await?;
            println!("已创建账号 {username} / account {username} created");
        }
        CityCommand::Totals => {
            let o = app.city_overview_unchecked(None, None).await?;
            println!("{}", serde_json::to_string_pretty(&o)?);
        }
    }
    Ok(())
}

/// Starts the periodic probe of the cameras (视频监控), unless the interval is 0 (a timer
/// runs `liandong video probe` instead). Returns its stop switch.
fn start_video_probe(app: &App, settings: &Settings) -> Option<Background> {
    if settings.video_probe_interval_seconds == 0 {
        println!(
            "摄像机巡检未启用（video_probe_interval_seconds = 0） / the camera probe is off (video_probe_interval_seconds = 0)"
        );
        return None;
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(liandong_app::video::probe_every(
        app.clone(),
        std::time::Duration::from_secs(settings.video_probe_interval_seconds),
        stopped,
    ));
    Some((stop, running))
}

/// How often the server sweeps the open cases for what time brings about.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Sweeps now and then every `every`; a failed sweep is logged and the next one tries again.
async fn sweep_every(app: App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match app.sweep_findings().await {
            Ok(r) => tracing::info!(cases = r.cases, new = r.new_findings, "supervision sweep"),
            Err(e) => tracing::warn!(error = %e, "supervision sweep failed"),
        }
        if let Err(e) = app.purge_sign_ins().await {
            tracing::warn!(error = %e, "purging expired sign-ins failed");
        }
        match app.remind_renewals().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "certificate renewal reminders queued"),
            Err(e) => tracing::warn!(error = %e, "certificate renewal reminders failed"),
        }
        // Once a day, the first sweep after midnight reconciles the day before.
        match app.reconcile_yesterday().await {
            Ok(Some(r)) => tracing::info!(
                day = %r.record.day,
                differing = r.record.cases_differing,
                new = r.record.new_findings,
                "fees reconciled"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "fee reconciliation failed"),
        }
    }
}

fn is_xlsx(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIANDONG_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = FileConfig::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { listen, role } => {
            let settings = config.settle(listen, cli.database);
            let role: config::Role = role
                .or_else(|| settings.role.clone())
                .unwrap_or_else(|| "district".into())
                .parse()
                .map_err(anyhow::Error::msg)?;
            let app = open(&settings).await?;
            match role {
                config::Role::District => serve(app, &settings).await,
                config::Role::City => serve_city(app, &settings).await,
            }
        }
        Command::City { command } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            city_command(&app, &settings, command).await
        }
        Command::Migrate => {
            let settings = config.settle(None, cli.database);
            let store = Store::connect(&settings.database_url).await?;
            let applied = store.migrate().await?;
            println!("migrations applied: {applied:?}");
            Ok(())
        }
        Command::Demo {
            listen,
            cases,
            admin_password,
            seed,
            no_serve,
        } => {
            let settings = config.settle(
                listen,
                cli.database
                    .or_else(|| Some("sqlite:liandong-demo.db".into())),
            );
            let app = open(&settings).await?;
            if demo::is_seeded(&app.store).await? {
                println!(
                    "数据库中已有演示数据，直接启动 / the database already holds the demo district; serving it"
                );
                if admin_password.is_some() {
                    println!("(--admin-password applies to a new demo database only)");
                }
            } else {
                let admin_password = admin_password.unwrap_or_else(|| {
                    use rand::Rng;
                    let mut rng = rand::rng();
                    (0..12)
                        .map(|_| {
                            char::from(b"abcdefghjkmnpqrstuvwxyz23456789"[rng.random_range(0..31)])
                        })
                        .collect()
                });
                if admin_password.chars().count() < 8 {
                    bail!("--admin-password needs at least 8 characters");
                }
                let started = std::time::Instant::now();
                demo::seed(
                    &app,
                    &demo::DemoOptions {
                        cases,
                        admin_password: admin_password.clone(),
                        seed,
                    },
                )
                .await?;
                println!(
                    "演示区县已建成，用时 {:.1} 秒 / demo district built in {:.1} s",
                    started.elapsed().as_secs_f64(),
                    started.elapsed().as_secs_f64()
                );
                println!("系统管理员 system administrator: admin / {admin_password}");
            }
            println!("演示账号 demo accounts (password {}):", demo::DEMO_PASSWORD);
            println!("  supervisor            监察人员 supervisor (sees every case)");
            println!(
                "  d22.clerk d22.officer d22.reviewer d22.approver   区市场监管局 hall department staff (D01–D35)"
            );
            println!(
                "  t201.clerk t201.officer t201.reviewer t201.approver t201.admin   镇街便民服务中心 township center (201–220)"
            );
            println!("  v20101.clerk          村居便民服务站 village station clerk");
            println!("  b101.clerk            分厅 branch hall clerk (101–105)");
            if no_serve {
                return Ok(());
            }
            serve(app, &settings).await
        }
        Command::Catalog { command } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            match command {
                CatalogCommand::Import {
                    file,
                    effective_from,
                } => {
                    let bytes = std::fs::read(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?;
                    let parsed = if is_xlsx(&file) {
                        catalog_file::read_xlsx(&bytes)
                    } else {
                        catalog_file::read_csv(&bytes)
                    };
                    let items = match parsed {
                        Ok(items) => items,
                        Err(errors) => {
                            for e in &errors {
                                eprintln!("{} / {}", e.message_zh, e.message_en);
                            }
                            bail!("{} errors; nothing was imported", errors.len());
                        }
                    };
                    match app.import_catalog(None, items, effective_from).await {
                        Ok(report) => println!(
                            "created {}, changed {}, unchanged {}",
                            report.created, report.changed, report.unchanged
                        ),
                        Err(liandong_app::AppError::Invalid(errors)) => {
                            for e in &errors {
                                eprintln!("{} / {}", e.message_zh, e.message_en);
                            }
                            bail!("{} errors; nothing was imported", errors.len());
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                CatalogCommand::Export { file } => {
                    let items = app.catalog_in_force().await?;
                    let bytes = if is_xlsx(&file) {
                        catalog_file::write_xlsx(&items).map_err(anyhow::Error::msg)?
                    } else {
                        catalog_file::write_csv(&items)
                    };
                    std::fs::write(&file, bytes)
                        .with_context(|| format!("cannot write {}", file.display()))?;
                    println!("exported {} items to {}", items.len(), file.display());
                }
            }
            Ok(())
        }
        Command::Calendar {
            command: CalendarCommand::Load { file },
        } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            match app.load_holiday_notice(None, &text).await {
                Ok(n) => println!("notice loaded; {n} provisional deadlines recomputed"),
                Err(liandong_app::AppError::Invalid(errors)) => {
                    for e in &errors {
                        eprintln!("{} / {}", e.message_zh, e.message_en);
                    }
                    bail!("the notice was not loaded");
                }
                Err(e) => return Err(e.into()),
            }
            Ok(())
        }
        Command::Backup { output } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let rows = app.store.backup_to(&output).await?;
            println!("backup written to {} ({rows} rows)", output.display());
            Ok(())
        }
        Command::Restore { input } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let rows = app.store.restore_from(&input).await?;
            println!("restored {rows} rows from {}", input.display());
            Ok(())
        }
        Command::Certificate {
            command: CertificateCommand::PublicKey,
        } => {
            let settings = config.settle(None, cli.database);
            let seed = certificate_seed(&settings.certificate.key_file, false)?;
            let key = liandong_certificate::signing_key_from_seed(&seed);
            println!(
                "{}",
                liandong_certificate::public_key_text(&key.verifying_key())
            );
            Ok(())
        }
        Command::Certificate {
            command: CertificateCommand::Verify { file, public_key },
        } => {
            let key = liandong_certificate::parse_public_key(&public_key)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let verified = liandong_certificate::verify_pdf(&bytes, &key).map_err(|e| {
                anyhow::anyhow!("证照验证失败 / the certificate does not verify: {e}")
            })?;
            let p = &verified.payload;
            let today = liandong_domain::calendar::china_date(chrono::Utc::now());
            let validity = match verified.status_on(today) {
                liandong_certificate::Validity::Valid => "有效 / valid",
                liandong_certificate::Validity::Expired => "已过期 / expired",
            };
            println!("签名有效，文件未被改动 / signed, and not altered since");
            println!("证照标识 identifier: {}", p.identifier);
            println!("证照名称 title: {}", p.title);
            println!("持证者 holder: {}", p.holder);
            println!("发证机关 issuer: {}", p.issuer);
            println!("发证日期 issued on: {}", p.issued_on);
            println!(
                "有效期至 valid until: {}",
                p.valid_until
                    .map_or_else(|| "长期 / no expiry".to_owned(), |d| d.to_string())
            );
            println!("办件编号 case: {}", p.case_number);
            println!(
                "{today}: {validity}（是否注销请联网核查 / revocation needs the online check）"
            );
            if matches!(
                verified.status_on(today),
                liandong_certificate::Validity::Expired
            ) {
                bail!("证照已过期 / the certificate has expired");
            }
            Ok(())
        }
        Command::Payments {
            command: PaymentsCommand::Reconcile { day },
        } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let today = liandong_domain::calendar::china_date(app.now());
            let day = day
                .or_else(|| today.pred_opt())
                .context("no day before today")?;
            if day >= today {
                bail!("只能对账已经过去的日期 / only a day that has ended can be reconciled");
            }
            let r = app.reconcile_payments(day).await?;
            let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
            println!(
                "{day} 对账：应收 {} 元，实收 {} 元，相符 {} 件，不符 {} 件，待缴 {} 件，新发现 {} 项 / reconciled: receivable {}, received {}, matched {}, differing {}, awaiting payment {}, new findings {}",
                yuan(r.record.receivable_fen),
                yuan(r.record.received_fen),
                r.record.cases_matched,
                r.record.cases_differing,
                r.record.awaiting_payment,
                r.record.new_findings,
                yuan(r.record.receivable_fen),
                yuan(r.record.received_fen),
                r.record.cases_matched,
                r.record.cases_differing,
                r.record.awaiting_payment,
                r.record.new_findings,
            );
            Ok(())
        }
        Command::Supervision {
            command: SupervisionCommand::Sweep,
        } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let report = app.sweep_findings().await?;
            println!(
                "巡检完成：{} 件在办件，新发现 {} 项 / sweep done: {} open cases, {} new findings",
                report.cases, report.new_findings, report.cases, report.new_findings
            );
            Ok(())
        }
        Command::Video {
            command: VideoCommand::Probe,
        } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let r = app.probe_cameras().await?;
            println!(
                "巡检完成：{} 台摄像机，正常 {}，异常 {}，离线 {}，恢复中 {}，新增离线问题 {} / probe done: {} cameras, {} healthy, {} failing, {} dead, {} recovering, {} new findings",
                r.probed,
                r.healthy,
                r.failing,
                r.dead,
                r.recovering,
                r.new_findings,
                r.probed,
                r.healthy,
                r.failing,
                r.dead,
                r.recovering,
                r.new_findings
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let settings = config.settle(None, cli.database);
            let app = open(&settings).await?;
            let (checked, findings) = app.store.verify_all_cases(|_| {}).await?;
            for f in &findings {
                println!("{}: {}", f.number, f.problem);
            }
            if !findings.is_empty() {
                bail!(
                    "审计失败：{} 件办件的历史被改动 / audit failed: {} of {checked} cases have altered histories",
                    findings.len(),
                    findings.len()
                )
            }
            // Appeals carry a hash chain too: a broken one is reported by its number.
            let (appeals, broken) = app.store.verify_all_appeals(|_| {}).await?;
            for f in &broken {
                println!("{}: {}", f.number, f.problem);
            }
            if !broken.is_empty() {
                bail!(
                    "审计失败：{} 件诉求的历史被改动 / audit failed: {} of {appeals} appeals have altered histories",
                    broken.len(),
                    broken.len()
                )
            }
            // The running totals that monitoring reads must equal a recount of the events.
            let differences = app.totals_differences().await?;
            for d in differences.iter().take(20) {
                println!("{d}");
            }
            if !differences.is_empty() {
                bail!(
                    "审计失败：{} 行统计与办件事件不符 / audit failed: {} rows of the running totals differ from a recount of the events",
                    differences.len(),
                    differences.len()
                )
            }
            println!(
                "审计通过：{checked} 件办件和 {appeals} 件诉求的历史完整，统计与事件一致 / audit passed: the history of {checked} cases and {appeals} appeals is intact and the running totals equal a recount"
            );
            Ok(())
        }
    }
}
