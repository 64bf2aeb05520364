//! Fees and payment through the API: the notice issued with the acceptance, the fee
//! window's counter payment, and the provider's signed callback booked once however often it
//! comes.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use liandong_app::progress::CaseClaim;
use liandong_domain::payment::{Callback, CallbackStatus, order_ref, sign};
use serde_json::{Value, json};

use crate::both;
use crate::support::{MERCHANT_ID, MERCHANT_SECRET, TestApp};

/// Gives XK00001000 a 10-yuan fee (工本费) from today.
async fn with_fee(t: &TestApp) {
    t.redefine_item("XK00001000", |item| {
        item["fees"] = json!([{"name": "工本费", "amount_fen": 1000, "basis": "渝价〔2026〕1号"}]);
    })
    .await;
}

/// A case of XK00001000 just taken in at the hall.
async fn submitted(t: &TestApp) -> Value {
    let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    case
}

/// Gives XK00001000 a 10-yuan fee from today, and returns a case of it just accepted.
async fn accepted_with_fee(t: &TestApp) -> Value {
    with_fee(t).await;
    let case = submitted(t).await;
    let clerk = t.token("d01.clerk").await;
    let (status, _) = t
        .get(
            &format!("/api/v1/cases/{}/payment", case["summary"]["id"]),
            Some(&clerk),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing to pay before acceptance"
    );
    let (status, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case
}

async fn payment_of(t: &TestApp, case: &Value) -> Value {
    let clerk = t.token("d01.clerk").await;
    let (status, payment) = t
        .get(
            &format!("/api/v1/cases/{}/payment", case["summary"]["id"]),
            Some(&clerk),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{payment}");
    payment
}

/// A callback as the provider posts it: the fields and their signature, form-encoded.
fn callback_body(callback: &Callback, secret: &[u8]) -> Vec<u8> {
    let mut fields = callback.fields();
    let signature = sign(secret, &fields).unwrap();
    fields.push(("signature".into(), signature));
    serde_urlencoded::to_string(&fields).unwrap().into_bytes()
}

async fn post_callback(t: &TestApp, body: Vec<u8>) -> (StatusCode, String) {
    let (status, _, text) = t
        .request_text(
            Method::POST,
            "/api/v1/payments/callback",
            None,
            Some(("application/x-www-form-urlencoded", body)),
        )
        .await;
    (status, text)
}

both!(
    a_provider_callback_replayed_records_one_payment,
    |t: TestApp| async move {
        let case = accepted_with_fee(&t).await;
        let payment = payment_of(&t, &case).await;
        assert_eq!(payment["record"]["state"], "created");
        assert_eq!(payment["record"]["amount_fen"], 1000);
        let code = payment["record"]["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 20);
        assert_eq!(payment["payment"]["notice"]["payer"], "王建国");

        let callback = Callback {
            merchant_id: MERCHANT_ID.into(),
            order_ref: order_ref(&code.parse().unwrap(), 1),
            provider_txn_id: "T2026030200001".into(),
            amount_fen: 1000,
            status: CallbackStatus::Success,
            paid_at: t.app.now() - Duration::minutes(1),
            nonce: "5f1c0d2e9a7b4c3d".into(),
        };
        // Forged: signed with another secret. Nothing is booked.
        let (status, _) =
            post_callback(&t, callback_body(&callback, b"not-the-merchant-secret")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(payment_of(&t, &case).await["record"]["state"], "created");

        // The provider sends it three times: one payment.
        for _ in 0..3 {
            let (status, answer) =
                post_callback(&t, callback_body(&callback, MERCHANT_SECRET)).await;
            assert_eq!((status, answer.as_str()), (StatusCode::OK, "success"));
        }
        let paid = payment_of(&t, &case).await;
        assert_eq!(paid["record"]["state"], "paid");
        assert_eq!(paid["record"]["received_fen"], 1000);
        assert_eq!(
            paid["record"]["version"], 2,
            "one event after the notice: {paid}"
        );

        // A second transaction for a paid notice is not booked: money taken twice is a
        // finding for supervision at once. The fee window cannot take the money again.
        let mut again = callback.clone();
        again.provider_txn_id = "T2026030200002".into();
        let (status, answer) = post_callback(&t, callback_body(&again, MERCHANT_SECRET)).await;
        assert_eq!((status, answer.as_str()), (StatusCode::OK, "success"));
        let still = payment_of(&t, &case).await;
        assert_eq!(still["record"]["received_fen"], 1000, "{still}");
        let supervisor = t.token("supervisor").await;
        let (_, findings) = t
            .get("/api/v1/findings?kind=fees_unreconciled", Some(&supervisor))
            .await;
        assert_eq!(findings["total"], 1, "{findings}");
        assert_eq!(findings["items"][0]["case_id"], case["summary"]["id"]);
        let clerk = t.token("d01.clerk").await;
        let (status, _) = t
            .post(
                &format!("/api/v1/payments/{}/counter", still["record"]["id"]),
                Some(&clerk),
                json!({"expected_version": still["record"]["version"], "method": "cash", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A callback for an order nobody issued is not found.
        let mut stranger = callback.clone();
        stranger.order_ref = "not-ours".into();
        let (status, _) = post_callback(&t, callback_body(&stranger, MERCHANT_SECRET)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    the_fee_window_takes_the_notice_amount_once,
    |t: TestApp| async move {
        let case = accepted_with_fee(&t).await;
        let payment = payment_of(&t, &case).await;
        let id = payment["record"]["id"].clone();
        let uri = format!("/api/v1/payments/{id}/counter");
        let clerk = t.token("d01.clerk").await;
        let officer = t.token("d01.officer").await;
        let version = payment["record"]["version"].clone();
        let (status, _) = t
            .post(
                &uri,
                Some(&officer),
                json!({"expected_version": version, "method": "cash", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an officer does not take money"
        );
        let (status, wrong) = t
            .post(
                &uri,
                Some(&clerk),
                json!({"expected_version": version, "method": "cash", "amount_fen": 900}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        let (status, paid) = t
            .post(
                &uri,
                Some(&clerk),
                json!({"expected_version": version, "method": "card", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        assert_eq!(paid["record"]["state"], "paid");
        assert_eq!(paid["payment"]["settlement"]["amount_fen"], 1000, "{paid}");
        let (status, _) = t
            .post(
                &uri,
                Some(&clerk),
                json!({"expected_version": version, "method": "cash", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");
        // A village clerk does not see the hall's payment.
        let village = t.token("v20101.clerk").await;
        let (status, _) = t
            .post(&uri, Some(&village), json!({"expected_version": paid["record"]["version"], "method": "cash", "amount_fen": 1000}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    an_online_payment_goes_through_the_provider_and_its_callback_is_booked_once,
    |t: TestApp| async move {
        use liandong_testkit::payment_provider::PaymentProvider;
        let case = accepted_with_fee(&t).await;
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        // The provider's simulator, and this server listening for its callbacks.
        let provider = PaymentProvider::start(MERCHANT_ID, MERCHANT_SECRET).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut app = t.app.clone();
        assert!(
            app.start_online_payment(&CaseClaim::lookup(&number, "138000"))
                .await
                .is_err(),
            "no provider configured: pay at the window"
        );
        app.payment_provider = Some(liandong_app::provider::ProviderConfig {
            name: "simulator".into(),
            base_url: provider.base_url().to_owned(),
            notify_base: base.clone(),
            return_url: format!("{base}/progress"),
            timeout: std::time::Duration::from_secs(10),
        });
        let server =
            tokio::spawn(axum::serve(listener, liandong_http::router(app.clone())).into_future());

        let pay_url = app
            .start_online_payment(&CaseClaim::lookup(&number, "138000"))
            .await
            .unwrap();
        assert!(pay_url.starts_with(provider.base_url()), "{pay_url}");
        let pending = payment_of(&t, &case).await;
        assert_eq!(pending["record"]["state"], "pending");
        let order_ref = pending["payment"]["orders"][0]["order_ref"]
            .as_str()
            .unwrap()
            .to_owned();
        let order = provider
            .order(&order_ref)
            .expect("the simulator has the order");
        assert_eq!(order.amount_fen, 1000);
        assert_eq!(order.notify_url, format!("{base}/api/v1/payments/callback"));
        // An order is open: a second click does not open another.
        assert!(
            app.start_online_payment(&CaseClaim::lookup(&number, "138000"))
                .await
                .is_err()
        );

        // The payer pays; the provider reports it three times over real HTTP: one payment.
        for _ in 0..3 {
            let (status, answer) = provider
                .report(
                    &order_ref,
                    "SIMTXN000001",
                    liandong_domain::payment::CallbackStatus::Success,
                    t.app.now(),
                )
                .await;
            assert_eq!((status, answer.as_str()), (200, "success"));
        }
        let paid = payment_of(&t, &case).await;
        assert_eq!(paid["record"]["state"], "paid");
        assert_eq!(paid["record"]["received_fen"], 1000);
        assert_eq!(
            paid["record"]["version"], 3,
            "notice, order, one payment: {paid}"
        );
        server.abort();
    }
);

both!(
    fees_are_waived_or_reduced_at_acceptance_only_with_a_legal_reason,
    |t: TestApp| async move {
        with_fee(&t).await;
        let reduce = |to: i64, reason: &str| {
            json!([{"name": "工本费", "assessed_fen": to,
                "adjustment": {"kind": if to == 0 { "waived" } else { "reduced" }, "reason": reason}}])
        };
        // Without a reason, or with another action: refused, nothing written.
        let case = submitted(&t).await;
        let (status, refused) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "accept", "fees": reduce(500, "")}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["errors"][0]["field"], "fees");
        assert_eq!(
            refused["errors"][0]["message_en"]
                .as_str()
                .map(|m| m.contains("reason")),
            Some(true),
            "{refused}"
        );
        let (status, _) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "request_supplement", "missing": ["营业执照"],
                "fees": reduce(500, "《行政事业性收费管理办法》第十条减半收取")}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Reduced with its legal reason: the notice is for the rest and shows why.
        let (status, accepted) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "accept",
                "fees": reduce(500, "《行政事业性收费管理办法》第十条减半收取")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        let payment = payment_of(&t, &accepted).await;
        assert_eq!(payment["record"]["amount_fen"], 500);
        let line = &payment["payment"]["notice"]["lines"][0];
        assert_eq!(
            (line["standard_fen"].clone(), line["assessed_fen"].clone()),
            (json!(1000), json!(500))
        );
        assert_eq!(line["adjustment"]["kind"], "reduced");

        // Waived entirely: no notice, the waiver on the audit trail.
        let case = submitted(&t).await;
        let (status, accepted) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "accept",
                "fees": reduce(0, "小微企业免收工本费（财税〔2026〕1号）")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        let clerk = t.token("d01.clerk").await;
        let (status, _) = t
            .get(
                &format!("/api/v1/cases/{}/payment", accepted["summary"]["id"]),
                Some(&clerk),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nothing to pay");
        let audit = t.app.store.audit_entries(50).await.unwrap();
        let waived = audit
            .iter()
            .find(|e| e.action == "fees_waived")
            .expect("the waiver is audited");
        assert_eq!(waived.target, format!("case:{}", accepted["summary"]["id"]));
        assert!(
            waived.detail.contains("小微企业免收工本费"),
            "{}",
            waived.detail
        );
    }
);

both!(
    an_approver_refunds_a_paid_fee_with_its_reason,
    |t: TestApp| async move {
        let case = accepted_with_fee(&t).await;
        let payment = payment_of(&t, &case).await;
        let id = payment["record"]["id"].as_i64().unwrap();
        let clerk = t.token("d01.clerk").await;
        let (status, paid) = t
            .post(
                &format!("/api/v1/payments/{id}/counter"),
                Some(&clerk),
                json!({"expected_version": 1, "method": "cash", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{paid}");
        let refund = json!({"expected_version": 2, "reason": "申请人撤回申请，依规退还已缴费用"});
        let (status, _) = t
            .post(
                &format!("/api/v1/payments/{id}/refund"),
                Some(&clerk),
                refund.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a clerk does not refund");
        let approver = t.token("d01.approver").await;
        let (status, _) = t
            .post(
                &format!("/api/v1/payments/{id}/refund"),
                Some(&approver),
                json!({"expected_version": 1, "reason": "退还"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");
        let (status, refunded) = t
            .post(
                &format!("/api/v1/payments/{id}/refund"),
                Some(&approver),
                refund.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{refunded}");
        assert_eq!(refunded["record"]["state"], "refunded");
        assert_eq!(refunded["record"]["received_fen"], 0);
        let (status, _) = t
            .post(
                &format!("/api/v1/payments/{id}/refund"),
                Some(&approver),
                json!({"expected_version": 3, "reason": "再退一次"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "refunded already");
    }
);

both!(
    a_days_notices_are_reconciled_once_and_only_wrongs_become_findings,
    |t: TestApp| async move {
        with_fee(&t).await;
        // Monday 2 March: one paid at the counter, one still open and unpaid, one
        // concluded without payment.
        let paid = t
            .act(
                "d01.clerk",
                &submitted(&t).await,
                json!({"action": "accept"}),
            )
            .await
            .1;
        let waiting = t
            .act(
                "d01.clerk",
                &submitted(&t).await,
                json!({"action": "accept"}),
            )
            .await
            .1;
        let decided = t.decide_licence(&submitted(&t).await).await;
        let (status, unpaid) = t
            .act(
                "d01.clerk",
                &decided,
                json!({"action": "conclude", "delivery": "窗口领取"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{unpaid}");
        let notice = payment_of(&t, &paid).await;
        let clerk = t.token("d01.clerk").await;
        let (status, _) = t
            .post(
                &format!("/api/v1/payments/{}/counter", notice["record"]["id"]),
                Some(&clerk),
                json!({"expected_version": 1, "method": "card", "amount_fen": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let supervisor = t.token("supervisor").await;
        let (status, _) = t
            .post(
                "/api/v1/payments/reconciliations",
                Some(&supervisor),
                json!({"day": "2026-03-02"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the day has not ended"
        );

        // The night after: the server's own run, then the office's on request.
        t.clock.advance(chrono::Duration::hours(15));
        let ran = t
            .app
            .reconcile_yesterday()
            .await
            .unwrap()
            .expect("yesterday reconciled");
        assert_eq!(ran.record.day.to_string(), "2026-03-02");
        assert_eq!(
            (
                ran.record.receivable_fen,
                ran.record.received_fen,
                ran.record.cases_matched,
                ran.record.cases_differing,
                ran.record.awaiting_payment,
                ran.record.new_findings
            ),
            (3000, 1000, 1, 2, 1, 1)
        );
        assert_eq!(
            ran.reconciliation.awaiting_payment[0].0,
            waiting["summary"]["id"].as_i64().unwrap()
        );
        assert!(
            t.app.reconcile_yesterday().await.unwrap().is_none(),
            "once a day"
        );
        let supervisor = t.token("supervisor").await;
        let (status, again) = t
            .post(
                "/api/v1/payments/reconciliations",
                Some(&supervisor),
                json!({"day": "2026-03-02"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(
            again["record"]["new_findings"], 0,
            "a finding is recorded once"
        );
        let (_, days) = t
            .get("/api/v1/payments/reconciliations", Some(&supervisor))
            .await;
        assert_eq!(days.as_array().unwrap().len(), 1);
        let (_, findings) = t
            .get("/api/v1/findings?kind=fees_unreconciled", Some(&supervisor))
            .await;
        let cases: Vec<i64> = findings["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["case_id"].as_i64().unwrap())
            .collect();
        assert_eq!(cases, [unpaid["summary"]["id"].as_i64().unwrap()]);
    }
);
