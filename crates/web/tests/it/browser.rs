//! End to end in real headless Chromium (Debian's `chromium` and `chromium-driver`): the test
//! starts the whole server on a free port and chromedriver on another, then drives the pages
//! as clerks, officers and the public would. Every step waits for an element or an address;
//! nothing sleeps. With `LIANDONG_SCREENSHOTS=1` the main pages are saved (1366×768) to
//! `docs/screenshots/`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::*;

/// Debian's paths, unless `LIANDONG_CHROMEDRIVER` / `LIANDONG_CHROMIUM` say otherwise.
fn chromedriver() -> String {
    std::env::var("LIANDONG_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

fn chromium() -> String {
    std::env::var("LIANDONG_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Our chromedriver, ended (by its own id) when the test ends, however it ends.
struct Driver {
    child: Child,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts chromedriver and returns once it says it listens.
async fn start_driver() -> (Driver, u16) {
    let port = free_port();
    let mut child = Command::new(chromedriver())
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let stdout = child.stdout.take().expect("stdout");
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("started successfully"))
    })
    .await
    .expect("read chromedriver");
    assert!(ready, "chromedriver did not start");
    let profile = std::env::temp_dir().join(format!("liandong-chromium-{port}"));
    (Driver { child, profile }, port)
}

async fn browser(driver: &Driver, port: u16) -> Client {
    let options = json!({
        "binary": chromium(),
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            // Without these Chromium reaches for the network, and the closed network refuses it.
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=zh-CN",
            format!("--user-data-dir={}", driver.profile.display()),
        ],
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromium session")
}

/// The browser and the server's address.
struct Session {
    c: Client,
    base: String,
    /// The server's world, for what happens meanwhile elsewhere in the district.
    t: std::sync::Arc<TestApp>,
}

impl Session {
    async fn go(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("goto");
    }

    async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self.c.wait().for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                let url = self.c.current_url().await.map(|u| u.to_string());
                let page = self.c.source().await.unwrap_or_default();
                let main = page.find("<main").map_or(page.as_str(), |i| &page[i..]);
                panic!("waiting for {css} at {url:?}: {e}\n{main}");
            }
        }
    }

    /// Waits for the case page that says `action` was done (after the form's redirect).
    async fn wait_done(&self, action: &str) {
        self.wait(&format!("#done[data-done='{action}']")).await;
    }

    async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("text")
    }

    /// Waits until the element's text is `expected` (a form that posts back to its own page).
    async fn wait_text(&self, css: &str, expected: &str) {
        for _ in 0..100 {
            if let Ok(element) = self.c.find(Locator::Css(css)).await
                && element.text().await.is_ok_and(|t| t == expected)
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(self.text(css).await, expected, "{css}");
    }

    async fn click(&self, css: &str) {
        self.wait(css).await.click().await.expect("click");
    }

    /// Types `digits` on the kiosk's touch keypad for the input `input`.
    async fn tap(&self, input: &str, digits: &str) {
        for digit in digits.chars() {
            self.click(&format!("[data-keypad='{input}'] [data-key='{digit}']"))
                .await;
        }
        let typed = self
            .wait(&format!("#{input}"))
            .await
            .prop("value")
            .await
            .expect("value");
        assert_eq!(
            typed.as_deref(),
            Some(digits),
            "the keypad typed into #{input}"
        );
    }

    async fn fill(&self, css: &str, value: &str) {
        let field = self.wait(css).await;
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    async fn sign_in(&self, user: &str) {
        self.go("/login").await;
        self.fill("#username", user).await;
        self.fill("#password", PASSWORD).await;
        self.click("#sign-in").await;
        self.wait("#sign-out").await;
    }

    async fn sign_out(&self) {
        self.click("#sign-out").await;
        self.wait("#login-form").await;
    }

    /// Makes the page area (not the window) `width`×`height`, the size of the screenshots.
    async fn viewport(&self, width: u32, height: u32) {
        self.go("/login").await;
        let inner = self
            .c
            .execute("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];", vec![])
            .await
            .expect("window size");
        let frame = |i: usize| {
            inner
                .get(i)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0) as u32
        };
        self.c
            .set_window_size(width + frame(0), height + frame(1))
            .await
            .expect("resize");
    }

    /// Saves the page when screenshots are asked for.
    async fn shot(&self, name: &str) {
        if std::env::var("LIANDONG_SCREENSHOTS").is_err() {
            return;
        }
        let png = self.c.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// The case's id from the address of its page.
    async fn case_id(&self) -> i64 {
        let url = self.c.current_url().await.expect("url");
        url.path()
            .strip_prefix("/cases/")
            .and_then(|id| id.parse().ok())
            .expect("a case page")
    }

    /// Fills the applicant at the workbench.
    async fn applicant(&self) {
        self.fill("#name", "王建国").await;
        self.fill("#id_number", RESIDENT_ID).await;
        // The script checks the number as it is typed (GB 11643).
        self.wait("#id-hint.ok").await;
        self.fill("#phone", "13800138000").await;
    }

    async fn tick(&self, material: &str) {
        self.click(&format!("input[name=materials][value='{material}']"))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerks_officers_and_the_public_work_through_the_pages_in_chromium() {
    if !std::path::Path::new(&chromedriver()).exists() {
        assert!(
            std::env::var("LIANDONG_TEST_SKIP_BROWSER").is_ok(),
            "install chromium and chromium-driver (scripts/test.sh does), or set LIANDONG_TEST_SKIP_BROWSER=1"
        );
        eprintln!("browser test skipped: LIANDONG_TEST_SKIP_BROWSER is set");
        return;
    }
    let t = std::sync::Arc::new(TestApp::new(Db::Sqlite).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(axum::serve(listener, t.router.clone()).into_future());
    let (driver, port) = start_driver().await;
    let client = browser(&driver, port).await;
    let s = Session {
        c: client.clone(),
        base,
        t: t.clone(),
    };
    // The flows run in their own task so that, pass or fail, the browser session is closed
    // afterwards and Chromium exits with it.
    let outcome = tokio::spawn(flows(s)).await;
    let _ = client.close().await;
    server.abort();
    drop(driver);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn flows(s: Session) {
    s.viewport(1366, 768).await;

    // Sign-in page, then the clerk takes in an application found by its pinyin initials.
    s.go("/login").await;
    s.wait("#login-form").await;
    s.shot("login").await;
    s.sign_in("d01.clerk").await;
    s.go("/workbench").await;
    s.fill("#item-q", "spjy\u{E007}").await;
    // The results page (the search as an attribute), not the page typed into.
    s.wait("#item-q[value='spjy']").await;
    s.click("#pick-XK00001000").await;
    s.wait("#intake-form").await;
    s.tick("申请书").await;
    s.tick("营业执照").await;
    s.applicant().await;
    s.shot("intake").await;
    s.click("#decide-accept").await;
    s.wait_done("accept").await;
    let id = s.case_id().await;
    assert_eq!(s.text("#case-state").await, "承办中");
    s.shot("case").await;
    s.click("#print-acceptance").await;
    s.wait("#notice-acceptance").await;
    s.shot("print-acceptance").await;
    let title = {
        s.go(&format!("/cases/{id}")).await;
        s.text("h1").await
    };
    let number = title.trim_start_matches("办件").trim().to_owned();
    s.sign_out().await;

    // Each officer finds it in the inbox and takes their step.
    for (user, action, state) in [
        ("d01.officer", "handle", "审核中"),
        ("d01.reviewer", "review", "待批准"),
        ("d01.approver", "approve", "已决定待送达"),
    ] {
        s.sign_in(user).await;
        s.go("/inbox").await;
        if action == "handle" {
            s.shot("inbox").await;
        }
        s.click(&format!("a[href='/cases/{id}']")).await;
        s.fill(&format!("#{action}-opinion"), "材料齐全，符合条件")
            .await;
        s.click(&format!("#do-{action}")).await;
        s.wait_done(action).await;
        assert_eq!(s.text("#case-state").await, state, "{user}");
        s.sign_out().await;
    }

    // The inbox keeps itself current: a case accepted meanwhile at the window appears in it
    // without a reload.
    s.sign_in("d01.officer").await;
    s.go("/inbox").await;
    s.wait("#inbox-list").await;
    let mut window = s.t.signed_in("d01.clerk").await;
    let (_, fresh) = window
        .intake("XK00001000", &["申请书", "营业执照"], "accept")
        .await;
    let link = format!("#inbox-list a[href='/cases/{fresh}']");
    assert!(
        s.c.find(Locator::Css(&link)).await.is_err(),
        "not there before"
    );
    s.c.execute(
        "document.getElementById('inbox-list').dispatchEvent(new Event('liandong:refresh'));",
        vec![],
    )
    .await
    .expect("script");
    s.wait(&link).await;
    s.sign_out().await;

    // The supervisor's monitoring page draws its charts.
    s.sign_in("supervisor").await;
    s.go("/monitor").await;
    s.wait("#chart-volume svg").await;
    assert!(s.text("#open-green").await.parse::<u32>().unwrap_or(0) >= 1);
    s.shot("monitor").await;
    s.sign_out().await;

    // The clerk delivers the result: the case concludes.
    s.sign_in("d01.clerk").await;
    s.go(&format!("/cases/{id}")).await;
    // The approval issued the electronic certificate.
    assert_eq!(s.text("#certificate-state-1").await, "有效");
    let identifier = s.text("#certificates .mono").await;
    assert!(identifier.starts_with("1.2.156.3005.2."), "{identifier}");
    s.click("#do-conclude").await;
    s.wait_done("conclude").await;
    assert_eq!(s.text("#case-state").await, "已办结");

    // A supplement round trip: notice with the missing material, supplied, accepted.
    s.go("/workbench/XK00001000").await;
    s.tick("申请书").await;
    s.applicant().await;
    s.click("#decide-supplement").await;
    s.wait_done("request_supplement").await;
    let second = s.case_id().await;
    assert_eq!(s.text("#case-state").await, "待补正");
    s.click("#print-supplement").await;
    assert!(s.text("#notice-supplement").await.contains("营业执照"));
    s.go(&format!("/cases/{second}")).await;
    s.click("#do-supplement").await;
    s.wait_done("supplement").await;
    s.click("#do-accept").await;
    s.wait_done("accept").await;
    assert_eq!(s.text("#case-state").await, "承办中");

    // A form whose CSRF token is gone is refused, and nothing happens to the case.
    s.c.execute(
        "document.querySelectorAll('input[name=csrf]').forEach(function (e) { e.remove(); });",
        vec![],
    )
    .await
    .expect("script");
    s.click("#act-withdraw summary").await;
    s.fill("#wd-reason", "申请人撤回").await;
    s.click("#do-withdraw").await;
    assert!(s.text("#error-page").await.contains("表单已失效"));
    s.go(&format!("/cases/{second}")).await;
    assert_eq!(s.text("#case-state").await, "承办中");

    // An on-the-spot item concludes in one step at the window.
    s.go("/workbench?q=GG00002000").await;
    s.click("#pick-GG00002000").await;
    s.tick("变更申请书").await;
    s.applicant().await;
    s.click("#decide-on-the-spot").await;
    s.wait_done("conclude_on_the_spot").await;
    assert_eq!(s.text("#case-state").await, "已办结");
    s.wait("#print-conclusion").await;
    s.go("/").await;
    s.wait("#h-today").await;
    s.shot("dashboard").await;
    s.go("/workbench?q=xk").await;
    s.wait("#pick-XK00001000").await;
    s.shot("workbench").await;
    s.sign_out().await;

    // A clerk of another unit gets the not-found page for the case.
    s.sign_in("v20201.clerk").await;
    s.go(&format!("/cases/{id}")).await;
    assert!(s.text("#error-page").await.contains("404"));
    s.sign_out().await;

    // The applicant looks the case up: the stage, masked.
    s.go("/progress").await;
    s.fill("#number", &number).await;
    s.fill("#check", "31002X").await;
    s.click("#lookup").await;
    s.wait("#progress-result").await;
    assert_eq!(s.text("#public-state").await, "已办结");
    assert_eq!(s.text("#public-applicant").await, "王**");
    s.shot("progress").await;

    // The certificate can be downloaded here, and anyone verifies it by its identifier.
    s.wait("#certificate-form").await;
    s.go(&format!("/verify?code={identifier}")).await;
    assert_eq!(s.text("#verify-status").await, "有效");
    assert_eq!(s.text("#verify-holder").await, "王**");
    s.shot("verify").await;
    s.go("/progress").await;
    s.fill("#number", &number).await;
    s.fill("#check", "31002X").await;
    s.click("#lookup").await;
    s.wait("#progress-result").await;

    // Under the concluded case the applicant rates it once; a poor rating says why.
    s.click("#online-dissatisfied").await;
    s.fill("#rating-reason", "等候时间太长").await;
    s.fill("#rating-check", "31002X").await;
    s.click("#rating-submit").await;
    s.wait("#rated").await;
    s.go("/progress").await;
    s.fill("#number", &number).await;
    s.fill("#check", "31002X").await;
    s.click("#lookup").await;
    assert!(s.text("#rating-given").await.contains("不满意"));
    assert!(s.c.find(Locator::Css("#rating-form")).await.is_err());

    // The window's rating pad: the visit just finished there is rated with one touch.
    let window = s.t.finished_visit(Some(id)).await;
    s.go(&format!("/pad/{window}")).await;
    s.wait("#pad-form").await;
    s.shot("pad").await;
    s.click("#rate-very_satisfied").await;
    s.wait("#pad-thanks").await;
    s.wait("#pad-welcome").await;

    // A queue day: a ticket from the kiosk, the board, the clerk's desk, the pad.
    s.go("/kiosk/1").await;
    s.shot("kiosk").await;
    s.click("#take-A").await;
    let ticket = s.text("#ticket-number").await;
    assert_eq!(ticket, "A002");
    s.go("/board/1").await;
    assert_eq!(s.text("#waiting-A").await, "1");
    assert!(s.c.find(Locator::Css("#board-calls li")).await.is_err());
    // Called from the clerk's desk elsewhere: the board shows it without a reload.
    let clerk = s.t.session("d01.clerk").await;
    s.t.app
        .call_next(&clerk, liandong_domain::organization::WindowId(window))
        .await
        .expect("call");
    s.wait("#board-calls li").await;
    assert!(s.text("#board-calls").await.contains(&ticket));
    assert_eq!(s.text("#waiting-A").await, "0");
    s.shot("board").await;
    // At the desk the clerk starts, takes the application in, and finishes the ticket with it.
    s.sign_in("d01.clerk").await;
    s.go(&format!("/queue?window={window}")).await;
    assert_eq!(s.text("#desk-current").await, ticket);
    s.click("#desk-start").await;
    s.wait("#desk-finish").await;
    s.shot("queue-desk").await;
    s.go("/workbench?q=GG00002000").await;
    s.click("#pick-GG00002000").await;
    s.tick("变更申请书").await;
    s.applicant().await;
    s.click("#decide-on-the-spot").await;
    s.wait_done("conclude_on_the_spot").await;
    let taken = s
        .text("h1")
        .await
        .trim_start_matches("办件")
        .trim()
        .to_owned();
    s.go(&format!("/queue?window={window}")).await;
    s.fill("#finish-case", &taken).await;
    s.click("#desk-finish").await;
    s.wait("#desk-call").await;
    s.sign_out().await;
    s.go(&format!("/pad/{window}")).await;
    assert_eq!(s.text("#pad-ticket").await, ticket);
    s.click("#rate-satisfied").await;
    s.wait("#pad-thanks").await;

    // An appointment at the kiosk, all by touch: a group, the first slot, the phone and the
    // code sent to it; then the check-in with the booking code gives a booked ticket.
    s.go("/kiosk/1").await;
    s.click("#tile-book").await;
    s.click("#book-group-A").await;
    s.click("#book-slots a.slot").await;
    let phone = "13900000201";
    s.tap("book-phone-input", phone).await;
    s.click("#book-send-code").await;
    s.wait("#book-confirm").await;
    let (_, code) = liandong_testkit::outbox::sign_in_code_sent_to(&s.t.app.store, phone).await;
    s.tap("book-code", &code).await;
    s.shot("kiosk-book").await;
    s.click("#book-submit").await;
    let booking_code = s.text("#booked-code").await;
    assert_eq!(booking_code.len(), 6);
    let today = liandong_domain::calendar::china_date(s.t.app.now());
    let booked =
        s.t.app
            .store
            .appointments_of_phone(phone, today)
            .await
            .expect("bookings");
    assert_eq!(booked.len(), 1);
    // Check-in opens half an hour before the slot.
    let opens = booked[0].appointment.slot.starts_at() - chrono::Duration::minutes(20);
    if opens > s.t.app.now() {
        s.t.clock.set(opens);
    }
    s.go("/kiosk/1").await;
    s.click("#tile-check-in").await;
    s.tap("check-in-code", &booking_code).await;
    s.click("#check-in-submit").await;
    s.wait("#ticket-booked").await;
    assert!(s.text("#ticket-number").await.starts_with('A'));

    // Window duty (窗口出勤): the clerk signs on at the desk; the board shows the window open.
    s.sign_in("d01.clerk").await;
    s.go(&format!("/queue?window={window}")).await;
    s.click("#duty-sign_on").await;
    s.wait("#duty-pause").await;
    assert_eq!(s.text("#duty-state").await, "服务中");
    s.sign_out().await;
    s.go("/board/1").await;
    assert!(
        s.text(&format!("#duty-window-{window}"))
            .await
            .contains("服务中")
    );

    // An appeal (三项制度): a village clerk registers it and answers it; the person looks it
    // up by number and phone, masked, and rates the answer.
    s.sign_in("v20101.clerk").await;
    s.go("/appeals").await;
    s.click("#new-appeal").await;
    s.fill("#name", "李秀英").await;
    s.fill("#phone", "13900139000").await;
    s.fill("#category", "道路交通").await;
    s.fill("#content", "村道路灯损坏，夜间出行不便").await;
    s.fill("#address", "龙湖社区三组").await;
    s.click("#register-appeal").await;
    s.wait("#done[data-done='appeal.registered_done']").await;
    assert_eq!(s.text("#appeal-state").await, "已登记");
    let appeal_number = s
        .text("h1")
        .await
        .trim_start_matches("诉求")
        .trim()
        .to_owned();
    s.shot("appeal").await;
    s.click("#act-answer summary").await;
    s.fill("#answer-text", "路灯已于今日修复，感谢反映").await;
    s.click("#do-answer").await;
    s.wait("#done[data-done='appeal_action.answer']").await;
    assert_eq!(s.text("#appeal-state").await, "已答复");
    // The station takes in an application by proxy and prints the proxy receipt.
    s.go("/workbench/XK00001000").await;
    s.tick("申请书").await;
    s.tick("营业执照").await;
    s.applicant().await;
    s.click("#decide-accept").await;
    s.wait_done("accept").await;
    s.fill("#proxy-contact", "郑代办 13800000001").await;
    s.click("#proxy-register").await;
    assert!(s.text("#proxy-receipt").await.contains("代办事项承办单"));
    s.shot("proxy-receipt").await;
    s.go("/proxy").await;
    s.wait("#proxy-export").await;
    s.sign_out().await;
    s.go("/").await;
    s.click("#tile-appeal-lookup").await;
    s.fill("#number", &appeal_number).await;
    s.fill("#check", "139000").await;
    s.click("#lookup").await;
    s.wait("#appeal-result").await;
    assert_eq!(s.text("#public-state").await, "已答复");
    assert_eq!(s.text("#public-person").await, "李**");
    assert!(s.text("#public-answer").await.contains("路灯已于今日修复"));
    s.shot("appeal-lookup").await;
    s.click("#rate-satisfied").await;
    s.fill("#rate-check", "139000").await;
    s.click("#rate").await;
    s.wait("#rated").await;
    assert_eq!(s.text("#public-rating").await, "满意");
    // The figures: the supervisor reads them from the appeals' tabs.
    s.sign_in("supervisor").await;
    s.go("/appeals").await;
    s.click("a[href='/appeals/statistics']").await;
    s.wait("#stats-table").await;
    let overall = s.text("#stats-overall").await;
    assert!(overall.starts_with("合计"), "{overall}");
    s.shot("appeal-statistics").await;
    s.sign_out().await;

    online_application(&s).await;

    // The public guide, and the staff administration.
    s.go("/guide/XK00001000").await;
    s.wait("#guide-title").await;
    s.shot("guide").await;
    s.sign_in("admin").await;
    s.go("/admin/staff").await;
    s.wait("#staff-table").await;
    s.shot("staff").await;

    // Video monitoring: a camera over the hall, probed against the local camera simulator;
    // the wall shows its snapshot, fetched through the signed-in route and decoded.
    let cameras = liandong_testkit::cameras::Cameras::start().await;
    cameras.set(
        "hall",
        liandong_testkit::cameras::Behaviour::Picture(&liandong_testkit::cameras::SNAPSHOT_A),
    );
    s.t.app
        .register_camera(
            &s.t.session("admin").await,
            &liandong_app::video::CameraInput {
                unit_id: liandong_domain::organization::UnitId(1),
                window_id: None,
                name: "大厅全景".into(),
                device_id: "50011201021316000001".into(),
                stream_url: "rtsp://10.20.1.2/".into(),
                snapshot_url: cameras.url("hall"),
            },
        )
        .await
        .expect("camera");
    s.t.app.probe_cameras().await.expect("probe");
    s.go("/video").await;
    s.wait("img.snapshot").await;
    let width = s
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1]; const img = document.querySelector('img.snapshot'); if (img.complete) { done(img.naturalWidth); } else { img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); }",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(width.as_i64(), Some(16), "the snapshot shows");
    s.shot("video").await;
    s.go("/?lang=en").await;
    assert_eq!(s.text("#lang-switch").await, "中文");

    // On a phone's width the pages fit without sideways scrolling.
    s.viewport(390, 844).await;
    s.go("/?lang=zh").await;
    s.sign_in("d01.clerk").await;
    for path in [
        format!("/cases/{second}"),
        "/workbench/XK00001000".to_owned(),
        "/inbox".to_owned(),
        "/guide/XK00001000".to_owned(),
        "/appeals".to_owned(),
        "/appeals/new".to_owned(),
        "/appeal/lookup".to_owned(),
        "/proxy".to_owned(),
        "/online".to_owned(),
    ] {
        s.go(&path).await;
        s.wait("#main").await;
        let overflow = s
            .c
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .expect("script");
        assert!(
            overflow.as_i64().unwrap_or(1) <= 0,
            "{path} scrolls sideways by {overflow}"
        );
    }
    s.go(&format!("/cases/{second}")).await;
    s.wait("#case-state").await;
    s.shot("case-phone").await;

    s.viewport(1366, 768).await;
    certificate_renewal(&s).await;
}

/// The item's certificates run one year; months after the approval the department's renewals
/// list shows the licence as due, and the holder's lookup says by when to apply.
async fn certificate_renewal(s: &Session) {
    use chrono::TimeZone;
    let code = liandong_domain::catalog::ItemCode::parse("XK00001000").expect("code");
    let record = s.t.app.item_by_code(&code).await.expect("item");
    let mut item = record.item.clone();
    item.certificate_valid_years = Some(1);
    let today = liandong_domain::calendar::china_date(s.t.app.now());
    s.t.app
        .record_item_version(
            Some(&s.t.session("admin").await),
            liandong_domain::catalog::ItemChange::Defined {
                item: Box::new(item),
            },
            &code,
            today,
            Some(record.current_version),
        )
        .await
        .expect("a validity of one year");
    let mut window = s.t.signed_in("d01.clerk").await;
    let (_, id) = window
        .intake("XK00001000", &["申请书", "营业执照"], "accept")
        .await;
    for (user, action) in [
        ("d01.officer", "handle"),
        ("d01.reviewer", "review"),
        ("d01.approver", "approve"),
    ] {
        let page =
            s.t.signed_in(user)
                .await
                .act(id, action, &[("opinion", "符合条件")])
                .await;
        assert!(page.status.is_redirection(), "{user}: {}", page.body);
    }
    let case = liandong_domain::organization::CaseId(id);
    let certificate =
        s.t.app
            .store
            .certificates_of_case(case)
            .await
            .expect("certificates");
    let last = certificate[0].valid_until.expect("a last day");
    let number = s.t.app.store.case_summary(case).await.expect("case").number;

    // Sixty days before its last day.
    let day = last - chrono::Days::new(60);
    let morning = liandong_domain::calendar::china_offset()
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).expect("time"))
        .single()
        .expect("time");
    s.t.clock.set(morning.with_timezone(&chrono::Utc));
    s.sign_in("d01.approver").await;
    s.click("a[href='/certificates/renewals']").await;
    s.wait("#renewal-list").await;
    let row = s
        .text(&format!("#renewal-list tr:has(a[href='/cases/{id}'])"))
        .await;
    assert!(
        row.contains("应申请延续") && row.contains(&last.to_string()),
        "{row}"
    );
    s.shot("renewals").await;
    s.sign_out().await;
    s.go("/progress").await;
    s.fill("#number", number.as_str()).await;
    s.fill("#check", "138000").await;
    s.click("#lookup").await;
    s.wait("#progress-result").await;
    assert!(
        s.text("#certificate-validity")
            .await
            .contains(&last.to_string())
    );
    assert!(s.text("#renewal-notice").await.contains("前提出延续申请"));
}

/// An applicant signs in with an SMS code, applies online with a scan (after a file of the
/// wrong kind is refused), answers the window's supplement notice by uploading the missing
/// material, and the officer sees both files; then the applicant withdraws.
async fn online_application(s: &Session) {
    let dir = std::env::temp_dir().join(format!("liandong-uploads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("upload dir");
    let pdf = dir.join("申请书.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n").expect("pdf");
    let fake = dir.join("病毒.pdf");
    std::fs::write(&fake, b"MZ\x90\0 this is no pdf").expect("fake");
    let png = dir.join("营业执照.png");
    std::fs::write(
        &png,
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
    )
    .expect("png");
    let path = |p: &std::path::Path| p.to_str().expect("path").to_owned();

    s.go("/guide/XK00001000").await;
    s.click("#apply-online").await;
    // Not signed in: the sign-in page, which comes back to the form afterwards.
    s.fill("#phone", "13912345678").await;
    s.click("#send-code").await;
    assert!(s.text("#code-sent").await.contains("139****5678"));
    s.shot("online-sign-in").await;
    let code = code_sent_to(&s.t, "13912345678").await;
    s.fill("#code", &code).await;
    s.click("#sign-in").await;
    s.wait("#apply-form").await;
    s.fill("#name", "李秀英").await;
    s.fill("#id_number", RESIDENT_ID).await;
    s.wait("#m0")
        .await
        .send_keys(&path(&fake))
        .await
        .expect("file");
    s.click("#submit-application").await;
    assert!(
        s.text("#files-error")
            .await
            .contains("不是PDF、JPEG或PNG格式")
    );
    // What was typed is kept; the file is chosen again.
    s.wait("#m0")
        .await
        .send_keys(&path(&pdf))
        .await
        .expect("file");
    s.shot("online-apply").await;
    s.click("#submit-application").await;
    assert_eq!(s.text("#online-state").await, "待受理");
    assert!(s.text("#files").await.contains("申请书.pdf"));
    let url = s.c.current_url().await.expect("url");
    let id: i64 = url
        .path()
        .strip_prefix("/online/cases/")
        .and_then(|i| i.parse().ok())
        .expect("the applicant's case page");

    // The window's pre-examination asks for the licence copy.
    let clerk = s.t.session("d01.clerk").await;
    let case = liandong_domain::organization::CaseId(id);
    let view = s.t.app.case_view(&clerk, case).await.expect("case");
    s.t.app
        .act(
            &clerk,
            case,
            view.summary.version,
            &liandong_domain::case::Action::RequestSupplement {
                missing: vec!["营业执照".into()],
            },
            "",
        )
        .await
        .expect("supplement notice");
    s.go("/online/cases").await;
    s.click(&format!("a[href='/online/cases/{id}']")).await;
    assert!(s.text("#missing").await.contains("营业执照"));
    assert_eq!(s.text("#online-state").await, "待补正");
    s.wait("#s1")
        .await
        .send_keys(&path(&png))
        .await
        .expect("file");
    s.shot("online-case").await;
    s.click("#submit-supplement").await;
    s.wait_text("#online-state", "待受理").await;
    assert!(s.text("#files").await.contains("营业执照.png"));

    // The officer sees both files on the case page.
    s.sign_in("d01.clerk").await;
    s.go(&format!("/cases/{id}")).await;
    let files = s.text("#case-files").await;
    assert!(
        files.contains("申请书.pdf") && files.contains("营业执照.png"),
        "{files}"
    );
    s.sign_out().await;

    // A question about the item: answered by the department and published in the guide.
    s.go("/guide/XK00001000").await;
    s.click("#ask-question").await;
    s.fill("#name", "李秀英").await;
    s.fill("#title", "健康证明是否必须提交").await;
    s.fill("#text", "从业人员的健康证明是否在申请时必须提交？")
        .await;
    s.click("#ask").await;
    s.wait("section[id^='question-']").await;
    s.sign_in("d01.officer").await;
    s.go("/consultations").await;
    s.click("#consultation-list a").await;
    s.fill("#answer", "健康证明为选交材料，可在开业前补交。")
        .await;
    s.click("#do-answer").await;
    s.wait_text("#consultation-state", "已答复").await;
    s.click("#do-publish").await;
    s.wait("#consultation-public").await;
    s.sign_out().await;
    s.go("/guide/XK00001000").await;
    assert!(s.text("#consultations").await.contains("可在开业前补交"));

    // The applicant withdraws.
    s.go(&format!("/online/cases/{id}")).await;
    s.fill("#reason", "已到窗口办理").await;
    s.click("#withdraw").await;
    s.wait_text("#online-state", "已撤回").await;
    assert!(s.c.find(Locator::Css("#withdraw-form")).await.is_err());
    s.go("/online/cases").await;
    s.click("#applicant-sign-out").await;
    s.wait("#sign-in-form").await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// The city node's dashboard in Chromium: the city's supervisor signs in on a city node that
/// has received a district's records, and reads the district's line and the city's sum.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_dashboard_in_chromium() {
    if !std::path::Path::new(&chromedriver()).exists() {
        assert!(
            std::env::var("LIANDONG_TEST_SKIP_BROWSER").is_ok(),
            "install chromium and chromium-driver (scripts/test.sh does), or set LIANDONG_TEST_SKIP_BROWSER=1"
        );
        return;
    }
    let district = TestApp::new(Db::Sqlite).await;
    let mut clerk = district.signed_in("d01.clerk").await;
    clerk
        .intake("XK00001000", &["申请书", "营业执照"], "accept")
        .await;
    let t = std::sync::Arc::new(crate::city::city_node(&district, PASSWORD).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(axum::serve(listener, t.router.clone()).into_future());
    let (driver, port) = start_driver().await;
    let client = browser(&driver, port).await;
    let s = Session {
        c: client.clone(),
        base,
        t: t.clone(),
    };
    let outcome = tokio::spawn(async move {
        s.go("/city").await;
        s.wait("#login-form").await;
        s.sign_in("city.supervisor").await;
        s.go("/city").await;
        let line = s.text("tr[data-district='500112']").await;
        assert!(line.starts_with("渝北区"), "{line}");
        assert!(line.contains("500112"), "{line}");
        let city = s.text("#city-line").await;
        assert!(
            city.starts_with("全市 1 1 0"),
            "received 1, accepted 1: {city}"
        );
        s.wait("tr[data-district='500113']").await;
        s.click("#lang-switch").await;
        s.wait("html[lang='en']").await;
        assert!(s.text("h1").await.contains("City supervision"));
        s.sign_out().await;
    })
    .await;
    let _ = client.close().await;
    server.abort();
    drop(driver);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
