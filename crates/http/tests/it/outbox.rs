//! SMS notifications: the outbox written with the case events, templates administrators
//! edit, delivery reports, and delivery through a real Kannel (bearerbox, smsbox and the
//! fake SMSC): every message once, with its Chinese text, through an outage and a worker
//! restart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use liandong_app::SystemClock;
use liandong_app::notify::kannel::{KannelConfig, KannelGateway};
use liandong_app::notify::{Gateway, Outgoing, SendOutcome, Worker, WorkerConfig};
use liandong_domain::notify::{MessageState, RetryPolicy};
use liandong_store::{SmsFilter, SmsRecord};
use serde_json::{Value, json};

use crate::both;
use crate::kannel::{self, Kannel};
use crate::support::{TestApp, intake};

const DLR_TOKEN: &str = "dlr-secret-for-tests";

/// Submits `item` for an applicant with `phone` over `channel`; returns the case body.
async fn submit(t: &TestApp, clerk: &str, item: &str, phone: &str, channel: &str) -> Value {
    let token = t.token(clerk).await;
    let mut body = intake(item);
    body["phone"] = json!(phone);
    body["channel"] = json!(channel);
    let (status, case) = t.post("/api/v1/cases", Some(&token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

async fn all_messages(t: &TestApp) -> Vec<SmsRecord> {
    t.app
        .store
        .sms_list(&SmsFilter {
            limit: 10_000,
            ..SmsFilter::default()
        })
        .await
        .unwrap()
}

/// A server for Kannel's delivery reports, on a free port; returns its base URL.
async fn report_server(t: &TestApp) -> String {
    let mut app = t.app.clone();
    app.notify.dlr_token = Some(DLR_TOKEN.into());
    app.notify.policy = fast_policy();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = liandong_http::router(app);
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(200),
        cap: Duration::from_secs(1),
        max_attempts: 1000,
    }
}

fn gateway(k: &Kannel, base: &str) -> KannelGateway {
    KannelGateway::new(KannelConfig {
        url: format!("http://127.0.0.1:{}/cgi-bin/sendsms", k.sendsms_port),
        username: kannel::USERNAME.into(),
        password: kannel::PASSWORD.into(),
        from: Some(kannel::SENDER.into()),
        dlr_base_url: Some(base.into()),
        dlr_token: Some(DLR_TOKEN.into()),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

/// Starts a worker (real clock: the retries wait real time); returns its stop switch and task.
fn start_worker(
    t: &TestApp,
    k: &Kannel,
    base: &str,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let worker = Worker::new(
        t.app.store.clone(),
        gateway(k, base),
        WorkerConfig {
            policy: fast_policy(),
            // One worker runs at a time here: short leases keep the crash recovery quick.
            lease: Duration::from_millis(300),
            report_grace: Duration::from_secs(3),
            batch: 50,
            concurrency: 4,
            idle_poll: Duration::from_millis(50),
        },
        Arc::new(SystemClock),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(stopped));
    (stop, task)
}

/// Waits until every message is delivered (the fake SMSC reports 1 for each).
async fn wait_all_delivered(t: &TestApp, expected: usize) -> Vec<SmsRecord> {
    let start = Instant::now();
    loop {
        let messages = all_messages(t).await;
        if messages.len() == expected && messages.iter().all(|m| m.state == MessageState::Delivered)
        {
            return messages;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "not all delivered: {:?}",
            messages
                .iter()
                .map(|m| (&m.id, m.state, m.attempts, &m.gateway_answer))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the outbox says was sent, as the fake SMSC would print it.
fn expected_on_air(messages: &[SmsRecord]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = messages
        .iter()
        .map(|m| (m.phone.clone(), m.text.clone()))
        .collect();
    out.sort();
    out
}

both!(
    every_message_reaches_kannel_once_with_its_chinese_text,
    |t: TestApp| async move {
        if !kannel::available() {
            return;
        }
        let k = Kannel::start();
        let base = report_server(&t).await;
        // Accepted (with due date), supplement (with the list), on the spot (concluded and
        // rating invitation, no "accepted"), an online intake (received), a landline (none).
        let a = submit(&t, "d01.clerk", "XK00001000", "13800000001", "window").await;
        let (status, _) = t.act("d01.clerk", &a, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK);
        let b = submit(&t, "d01.clerk", "XK00001000", "13800000002", "window").await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &b,
                json!({"action": "request_supplement", "missing": ["营业执照副本", "健康证明"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let c = submit(&t, "d01.clerk", "GG00002000", "13800000003", "window").await;
        let (status, body) = t
            .act(
                "d01.clerk",
                &c,
                json!({"action": "conclude_on_the_spot", "delivery": "窗口当场领取"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        submit(&t, "d01.clerk", "XK00001000", "13800000004", "online").await;
        let landline = submit(&t, "d01.clerk", "XK00001000", "023-67890123", "window").await;
        t.act("d01.clerk", &landline, json!({"action": "accept"}))
            .await;

        let queued = all_messages(&t).await;
        let mut kinds: Vec<String> = queued.iter().map(|m| m.kind.to_string()).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            [
                "accepted",
                "concluded",
                "rating_invitation",
                "received",
                "supplement_needed"
            ]
        );
        let number = a["summary"]["number"].as_str().unwrap();
        let accepted = queued
            .iter()
            .find(|m| m.kind.as_str() == "accepted")
            .unwrap();
        assert_eq!(
            accepted.text,
            format!(
                "【政务服务】王建国您好，您申请的食品经营许可（新办）已受理，办件编号{number}，承诺于2026年3月12日前办结。"
            )
        );
        let supplement = queued
            .iter()
            .find(|m| m.kind.as_str() == "supplement_needed")
            .unwrap();
        assert!(
            supplement.text.contains("营业执照副本、健康证明"),
            "{}",
            supplement.text
        );
        assert!(
            queued.iter().any(|m| m.segments > 1),
            "a long message is concatenated"
        );

        let (stop, task) = start_worker(&t, &k, &base);
        let delivered = wait_all_delivered(&t, 5).await;
        stop.send(true).unwrap();
        task.await.unwrap();
        assert!(
            delivered
                .iter()
                .all(|m| m.attempts == 1 && m.report_status == Some(1))
        );
        assert!(delivered.iter().all(|m| m.extra_reports == 0));
        assert_eq!(k.received(), expected_on_air(&delivered));
    }
);

both!(
    nothing_is_lost_or_sent_twice_through_an_outage_and_a_worker_restart,
    |t: TestApp| async move {
        if !kannel::available() {
            return;
        }
        let mut k = Kannel::start();
        let base = report_server(&t).await;
        let accept_many = |from: usize, n: usize| {
            let t = &t;
            async move {
                for i in from..from + n {
                    let case = submit(
                        t,
                        "d01.clerk",
                        "XK00001000",
                        &format!("139{i:08}"),
                        "window",
                    )
                    .await;
                    let (status, _) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
                    assert_eq!(status, StatusCode::OK);
                }
            }
        };
        // The gateway is down: attempts fail and are retried with backoff, none is lost.
        k.down();
        accept_many(0, 10).await;
        let (stop, task) = start_worker(&t, &k, &base);
        let start = Instant::now();
        loop {
            let messages = all_messages(&t).await;
            if messages.iter().all(|m| m.attempts >= 2) {
                // Between attempts, or in the middle of one: never sent, never given up.
                assert!(
                    messages
                        .iter()
                        .all(|m| matches!(m.state, MessageState::Queued | MessageState::Sending))
                );
                assert!(
                    messages[0].gateway_answer.contains("connect"),
                    "{}",
                    messages[0].gateway_answer
                );
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "no retries");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // It comes back: everything goes, once.
        k.up();
        wait_all_delivered(&t, 10).await;

        // The worker stops; messages pile up; then crashes at every point of an attempt.
        stop.send(true).unwrap();
        task.await.unwrap();
        accept_many(10, 40).await;
        // Crashed after recording "sending", before the request: never reached Kannel.
        // Crashed after Kannel took it, before the answer was recorded: the report tells.
        let due = t.app.store.due_sms(chrono::Utc::now(), 2).await.unwrap();
        assert_eq!(due.len(), 2);
        let lease = chrono::Utc::now() + chrono::Duration::seconds(1);
        let ids: Vec<String> = due.iter().map(|(id, _, _)| id.clone()).collect();
        let claimed = t
            .app
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut n = 0;
                    for (id, attempts, _) in due {
                        n += usize::from(
                            tx.claim_sms(&id, attempts, chrono::Utc::now(), lease)
                                .await?,
                        );
                    }
                    Ok(n)
                })
            })
            .await
            .unwrap();
        assert_eq!(claimed, 2);
        let taken = t.app.store.sms(&ids[1]).await.unwrap();
        let outcome = gateway(&k, &base)
            .send(&Outgoing {
                id: taken.id.clone(),
                attempt: taken.attempts,
                phone: taken.phone.clone(),
                text: taken.text.clone(),
            })
            .await;
        assert!(
            matches!(outcome, SendOutcome::Accepted { .. }),
            "{outcome:?}"
        );
        // And workers killed at random points of their passes.
        for pause in [5u64, 20, 40] {
            let (_stop, task) = start_worker(&t, &k, &base);
            tokio::time::sleep(Duration::from_millis(pause)).await;
            task.abort();
            let _ = task.await;
        }
        let in_flight = all_messages(&t).await;
        eprintln!(
            "after the aborts: {:?}",
            in_flight
                .iter()
                .fold(std::collections::BTreeMap::new(), |mut m, r| {
                    *m.entry(r.state.as_str()).or_insert(0) += 1;
                    m
                })
        );
        let (stop, task) = start_worker(&t, &k, &base);
        let delivered = wait_all_delivered(&t, 50).await;
        stop.send(true).unwrap();
        task.await.unwrap();
        assert_eq!(
            k.received(),
            expected_on_air(&delivered),
            "each message on the air exactly once"
        );
        assert!(delivered.iter().all(|m| m.extra_reports == 0));
    }
);

both!(
    messages_are_written_with_their_events_from_the_templates_in_force,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let (status, templates) = t.get("/api/v1/sms/templates", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(templates.as_array().unwrap().len(), 19);
        let accepted = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "accepted")
            .unwrap();
        assert_eq!(accepted["version"], 0);
        assert_eq!(accepted["customised"], false);
        assert_eq!(accepted["sample_segments"], 1);

        // An unknown placeholder is refused, naming the allowed ones.
        let (status, problem, _) = t
            .send(
                Method::PUT,
                "/api/v1/sms/templates/accepted",
                Some(&admin),
                Some(json!({"expected_version": 0, "text": "{applicant}：{missing}"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let message = problem["errors"][0]["message_zh"].as_str().unwrap();
        assert!(
            message.contains("{missing}") && message.contains("{due_date}"),
            "{message}"
        );
        let (status, _, _) = t
            .send(
                Method::PUT,
                "/api/v1/sms/templates/no_such_kind",
                Some(&admin),
                Some(json!({"expected_version": 0, "text": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let text = "【渝北政务】{applicant}，{item}已受理（{number}），{due_date}前办结。";
        let (status, saved, _) = t
            .send(
                Method::PUT,
                "/api/v1/sms/templates/accepted",
                Some(&admin),
                Some(json!({"expected_version": 0, "text": text})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["version"], 1);
        let (status, _, _) = t
            .send(
                Method::PUT,
                "/api/v1/sms/templates/accepted",
                Some(&admin),
                Some(json!({"expected_version": 0, "text": text})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");

        // The accept writes its message with the new text, in the same transaction.
        let case = submit(&t, "d01.clerk", "XK00001000", "13800000009", "window").await;
        let (status, accepted_case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK);
        // The same action again at the stale version: refused, and no second message.
        let (status, _) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let id = case["summary"]["id"].as_i64().unwrap();
        let (status, messages) = t
            .get(&format!("/api/v1/sms/messages?case_id={id}"), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK);
        let messages = messages.as_array().unwrap();
        assert_eq!(messages.len(), 1, "{messages:?}");
        let number = accepted_case["summary"]["number"].as_str().unwrap();
        assert_eq!(
            messages[0]["text"],
            format!(
                "【渝北政务】王**，食品经营许可（新办）已受理（{number}），2026年3月12日前办结。"
            ),
            "administrators see the applicant masked"
        );
        assert_eq!(messages[0]["state"], "queued");
        assert_eq!(messages[0]["phone"], "138****0009");
        // The phone gets the name in full.
        let message_id = messages[0]["id"].as_str().unwrap().to_owned();
        let stored = t.app.store.sms(&message_id).await.unwrap();
        assert_eq!(
            stored.text,
            format!(
                "【渝北政务】王建国，食品经营许可（新办）已受理（{number}），2026年3月12日前办结。"
            )
        );
        assert_eq!(stored.phone, "13800000009");

        // Delivery reports need the secret; without a configured one the endpoint is off.
        let report = format!(
            "/internal/sms/delivery-report?token={DLR_TOKEN}&id={message_id}&attempt=1&status=1&answer="
        );
        assert_eq!(t.get(&report, None).await.0, StatusCode::NOT_FOUND);
        let mut app = t.app.clone();
        app.notify.dlr_token = Some(DLR_TOKEN.into());
        app.delivery_report(DLR_TOKEN, &message_id, 1, 8, "ACK/")
            .await
            .unwrap();
        assert!(matches!(
            app.delivery_report("wrong", &message_id, 1, 1, "").await,
            Err(liandong_app::AppError::NotFound(_))
        ));
        assert!(
            app.delivery_report(DLR_TOKEN, &message_id, 1, 3, "")
                .await
                .is_err()
        );
        let record = t.app.store.sms(&message_id).await.unwrap();
        assert_eq!(
            record.state,
            MessageState::Sent,
            "a report proves it reached the SMSC"
        );
        app.delivery_report(DLR_TOKEN, &message_id, 1, 1, "")
            .await
            .unwrap();
        app.delivery_report(DLR_TOKEN, &message_id, 1, 8, "late")
            .await
            .unwrap();
        let record = t.app.store.sms(&message_id).await.unwrap();
        assert_eq!(record.state, MessageState::Delivered, "never moves back");
        assert!(record.delivered_at.is_some());
    }
);
