//! `liandong-bench sms`: the outbox's delivery rate to a real Kannel. N messages of Chinese
//! text (one to two SMS parts) are put in the outbox of a fresh database, then the worker
//! sends them through smsbox to bearerbox and the fake SMSC of kannel-extras, and the
//! delivery reports come back to the real server. Measured: messages accepted by Kannel per
//! second, and messages delivered (report 1 recorded) per second; the fake SMSC's count is
//! checked against N.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use liandong_app::notify::kannel::{KannelConfig, KannelGateway};
use liandong_app::notify::{Worker, WorkerConfig};
use liandong_app::{App, SystemClock};
use liandong_domain::notify::{MessageKind, MessageState, RetryPolicy, sms_length};
use liandong_store::{NewSms, Store};

use crate::target::Target;

const TOKEN: &str = "bench-dlr-token";

pub struct SmsArgs {
    pub database: Option<String>,
    pub messages: usize,
    pub concurrency: usize,
    pub fsync_seconds: f64,
    pub keep: bool,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_for(what: &str, mut ready: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > Duration::from_secs(20) {
            bail!("Kannel: {what} did not happen in 20 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// bearerbox, the fake SMSC and smsbox on free local ports.
struct Kannel {
    dir: PathBuf,
    children: Vec<Child>,
    _fake_stdin: Option<ChildStdin>,
    sendsms: u16,
}

impl Kannel {
    async fn start() -> Result<Kannel> {
        for program in [
            "/usr/sbin/bearerbox",
            "/usr/sbin/smsbox",
            "/usr/lib/kannel/test/fakesmsc",
        ] {
            ensure!(
                std::path::Path::new(program).exists(),
                "{program} is missing: apt-get install -y kannel kannel-extras"
            );
        }
        let dir = std::env::temp_dir().join(format!(
            "liandong-bench-kannel-{:016x}",
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir)?;
        let (admin, boxes, fake, sendsms) =
            (free_port()?, free_port()?, free_port()?, free_port()?);
        let d = dir.display();
        let conf = dir.join("kannel.conf");
        std::fs::write(
            &conf,
            format!(
                "group = core\nadmin-port = {admin}\nadmin-password = \"bench-admin\"\nadmin-allow-ip = \"127.0.0.1\"\n\
                 smsbox-port = {boxes}\nbox-allow-ip = \"127.0.0.1\"\nlog-file = \"{d}/bearerbox.log\"\nlog-level = 2\n\
                 dlr-storage = internal\n\n\
                 group = smsc\nsmsc = fake\nsmsc-id = fake\nport = {fake}\nconnect-allow-ip = \"127.0.0.1\"\n\n\
                 group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = {boxes}\nsendsms-port = {sendsms}\n\
                 log-file = \"{d}/smsbox.log\"\nlog-level = 2\nhttp-request-retry = 10\nhttp-queue-delay = 1\n\n\
                 group = sendsms-user\nusername = bench\npassword = bench-pw\nconcatenation = true\nmax-messages = 10\n\n\
                 group = sms-service\nkeyword = default\ntext = \"ok\"\n"
            ),
        )?;
        let mut kannel = Kannel {
            dir: dir.clone(),
            children: Vec::new(),
            _fake_stdin: None,
            sendsms,
        };
        let quiet = || -> Result<File> { Ok(File::create(dir.join("boxes.out"))?) };
        kannel.children.push(
            Command::new("/usr/sbin/bearerbox")
                .arg(&conf)
                .stdout(quiet()?)
                .stderr(quiet()?)
                .spawn()
                .context("bearerbox")?,
        );
        wait_for("bearerbox listening", || {
            std::net::TcpStream::connect(("127.0.0.1", boxes)).is_ok()
        })
        .await?;
        let out = File::create(dir.join("fakesmsc.out"))?;
        let mut fake = Command::new("/usr/lib/kannel/test/fakesmsc")
            .args([
                "-H",
                "127.0.0.1",
                "-r",
                &fake.to_string(),
                "-i",
                "1",
                "-m",
                "0",
                "1 2 text x",
            ])
            .stdin(Stdio::piped())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("fakesmsc")?;
        // The fake SMSC stops at the end of its input: the pipe stays open while it runs.
        kannel._fake_stdin = fake.stdin.take();
        kannel.children.push(fake);
        tokio::time::sleep(Duration::from_millis(500)).await;
        kannel.children.push(
            Command::new("/usr/sbin/smsbox")
                .arg(&conf)
                .stdout(quiet()?)
                .stderr(quiet()?)
                .spawn()
                .context("smsbox")?,
        );
        wait_for("smsbox listening", || {
            std::net::TcpStream::connect(("127.0.0.1", sendsms)).is_ok()
        })
        .await?;
        // The log is quiet at this level: give smsbox a moment to join bearerbox.
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(kannel)
    }

    /// Messages (parts) the fake SMSC printed.
    fn parts_received(&self) -> usize {
        std::fs::read_to_string(self.dir.join("fakesmsc.out"))
            .map(|t| t.matches("Got message").count())
            .unwrap_or(0)
    }
}

impl Drop for Kannel {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn count(store: &Store, state: MessageState) -> Result<i64> {
    Ok(store
        .sms_counts()
        .await?
        .into_iter()
        .find(|(s, _)| *s == state)
        .map_or(0, |(_, n)| n))
}

/// `liandong-bench sms`.
pub async fn run(args: SmsArgs) -> Result<()> {
    ensure!(args.messages > 0, "--messages must be more than 0");
    println!("{}", crate::stats::machine_line());
    let target = Target::fresh(args.database.as_deref(), "sms").await?;
    let fsync_before = if args.fsync_seconds > 0.0 {
        Some(crate::fsync::reading_beside(&target, args.fsync_seconds).await?)
    } else {
        None
    };
    let outcome = measure(&target, &args).await;
    if let Some(r) = fsync_before {
        println!("fsync reading before the run: {}", r.short());
    }
    target.remove(args.keep).await;
    outcome
}

async fn measure(target: &Target, args: &SmsArgs) -> Result<()> {
    let store = Store::connect(&target.url).await?;
    store.migrate().await?;
    let kannel = Kannel::start().await?;
    let mut app = App::new(store.clone(), Arc::new(SystemClock)).await?;
    app.notify.dlr_token = Some(TOKEN.into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = liandong_http::router(app);
    tokio::spawn(async move {
        if let Err(e) = liandong_http::serve(listener, router).await {
            eprintln!("report server: {e}");
        }
    });

    // The outbox, filled in batches of 1,000 per transaction: 3 kinds of message in turn.
    let kinds = [
        (
            MessageKind::Accepted,
            "【政务服务】王建国您好，您申请的食品经营许可（新办）已受理，办件编号100-20260302-0001，承诺于2026年3月12日前办结。",
        ),
        (
            MessageKind::Received,
            "【政务服务】王建国您好，您的食品经营许可（新办）申请已收到，办件编号100-20260302-0001。",
        ),
        (
            MessageKind::SupplementNeeded,
            "【政务服务】王建国您好，您申请的食品经营许可（新办）（办件编号100-20260302-0001）需一次性补正以下材料：营业执照副本、健康证明。请按书面补正告知书提交。",
        ),
    ];
    let now = chrono::Utc::now();
    let mut parts_expected = 0usize;
    let mut written = 0usize;
    while written < args.messages {
        let n = (args.messages - written).min(1_000);
        let batch: Vec<NewSms> = (written..written + n)
            .map(|i| {
                let (kind, text) = kinds[i % kinds.len()];
                NewSms {
                    id: format!("bench-{i}"),
                    case_id: None,
                    kind,
                    recipient: "applicant".into(),
                    phone: format!("139{:08}", i),
                    text: text.into(),
                    masked_text: text.into(),
                    segments: i64::try_from(sms_length(text).segments).unwrap_or(1),
                    ord: 0,
                    at: now,
                }
            })
            .collect();
        parts_expected += batch
            .iter()
            .map(|m| usize::try_from(m.segments).unwrap_or(1))
            .sum::<usize>();
        store
            .write(move |tx| {
                Box::pin(async move {
                    tx.enqueue_sms(&batch).await?;
                    Ok(())
                })
            })
            .await?;
        written += n;
    }
    println!(
        "{} messages ({} SMS parts) in the outbox on {}; Kannel sendsms on 127.0.0.1:{}",
        args.messages,
        parts_expected,
        target.describe(),
        kannel.sendsms
    );

    let gateway = KannelGateway::new(KannelConfig {
        url: format!("http://127.0.0.1:{}/cgi-bin/sendsms", kannel.sendsms),
        username: "bench".into(),
        password: "bench-pw".into(),
        from: Some("10690001".into()),
        dlr_base_url: Some(base),
        dlr_token: Some(TOKEN.into()),
        timeout: Duration::from_secs(15),
    })?;
    let worker = Worker::new(
        store.clone(),
        gateway,
        WorkerConfig {
            policy: RetryPolicy::default(),
            concurrency: args.concurrency,
            idle_poll: Duration::from_millis(20),
            ..WorkerConfig::default()
        },
        Arc::new(SystemClock),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let task = tokio::spawn(worker.run(stopped));
    let total = i64::try_from(args.messages).unwrap_or(i64::MAX);
    let mut accepted_at = None;
    loop {
        let delivered = count(&store, MessageState::Delivered).await?;
        let sent = count(&store, MessageState::Sent).await? + delivered;
        if accepted_at.is_none() && sent >= total {
            accepted_at = Some(started.elapsed());
        }
        if delivered >= total {
            break;
        }
        if started.elapsed() > Duration::from_secs(1_800) {
            bail!("not delivered after 30 minutes: {sent} sent, {delivered} delivered");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered_after = started.elapsed();
    let _ = stop.send(true);
    let _ = task.await;
    let accepted_after = accepted_at.unwrap_or(delivered_after);
    let failed = count(&store, MessageState::Failed).await?;
    // The fake SMSC prints each part; the last ones may still be in its buffer.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let parts = kannel.parts_received();
    let per_second = |d: Duration| args.messages as f64 / d.as_secs_f64();
    println!();
    println!(
        "{:<12} {:>9} {:>11} {:>12} {:>13} {:>14} {:>7}",
        "concurrency",
        "messages",
        "accepted s",
        "accepted/s",
        "delivered s",
        "delivered/s",
        "failed"
    );
    println!(
        "{:<12} {:>9} {:>11.2} {:>12.0} {:>13.2} {:>14.0} {:>7}",
        args.concurrency,
        args.messages,
        accepted_after.as_secs_f64(),
        per_second(accepted_after),
        delivered_after.as_secs_f64(),
        per_second(delivered_after),
        failed
    );
    println!("fake SMSC received {parts} parts of {parts_expected} sent");
    ensure!(
        parts == parts_expected,
        "the fake SMSC received {parts} parts, expected {parts_expected}: lost or duplicated"
    );
    store.close().await;
    Ok(())
}
