//! Proxy service through the API: a villager's application carried from the village station
//! through the township to the hall, decided, and the result carried back and signed for.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china};

impl TestApp {
    async fn staff_id(&self, username: &str) -> i64 {
        self.app
            .store
            .staff_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    }

    async fn unit_of(&self, username: &str) -> i64 {
        self.app
            .store
            .staff_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .unit_id
            .0
    }

    async fn enter_ledger(
        &self,
        token: &str,
        case_id: &Value,
        contact: &str,
    ) -> (StatusCode, Value) {
        self.post(
            "/api/v1/proxy",
            Some(token),
            json!({"case_id": case_id, "contact": contact}),
        )
        .await
    }

    async fn proxy_act(&self, user: &str, record: &Value, action: Value) -> (StatusCode, Value) {
        let token = self.token(user).await;
        let id = record["summary"]["id"].as_i64().unwrap();
        let mut body = action;
        body["expected_version"] = record["summary"]["version"].clone();
        self.post(&format!("/api/v1/proxy/{id}/actions"), Some(&token), body)
            .await
    }

    /// `user` records that they received the papers from `giver`.
    async fn receive(&self, user: &str, giver: &str, record: &Value) -> Value {
        let from = self.unit_of(giver).await;
        let giver_id = self.staff_id(giver).await;
        let (status, record) = self
            .proxy_act(
                user,
                record,
                json!({"action": "receive", "from": from, "giver": giver_id, "materials": ["申请书", "营业执照"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{user} from {giver}: {record}");
        record
    }
}

both!(
    a_proxied_application_goes_up_three_levels_and_its_result_comes_back,
    |t: TestApp| async move {
        // The villager applies at station 20101 for a licence the hall decides.
        let (status, case) = t.submit("v20101.clerk", "XK00001000", None).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        assert_eq!(case["summary"]["channel"], "proxy");
        let case_id = case["summary"]["id"].as_i64().unwrap();
        let clerk = t.token("v20101.clerk").await;
        let (status, record) = t
            .enter_ledger(&clerk, &json!(case_id), "代办员 王芳 023-67001234")
            .await;
        assert_eq!(status, StatusCode::CREATED, "{record}");
        assert_eq!(
            record["summary"]["receipt_number"],
            "DB-20101-20260302-0001"
        );
        assert_eq!(
            record["route_names"],
            json!([
                "龙湖社区便民服务站",
                "双龙湖街道便民服务中心",
                "渝北区行政审批服务大厅"
            ])
        );
        assert_eq!(record["summary"]["state"], "going_up");
        // Three working days for the first leg: Thursday 5 March.
        assert!(
            record["summary"]["leg_due_at"]
                .as_str()
                .unwrap()
                .starts_with("2026-03-05T"),
            "{record}"
        );
        // The committed 8 working days after two legs up of 3, then two legs down of 3.
        assert_eq!(record["summary"]["promised_on"], "2026-03-30");
        // Once per case.
        let (status, _) = t.enter_ledger(&clerk, &json!(case_id), "x").await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The station's daily list has it to carry up; the township's has it coming.
        let (_, daily) = t.get("/api/v1/proxy/daily", Some(&clerk)).await;
        assert_eq!(daily.as_array().unwrap().len(), 1, "{daily}");
        let township = t.token("t201.clerk").await;
        let (_, daily) = t.get("/api/v1/proxy/daily", Some(&township)).await;
        assert_eq!(daily.as_array().unwrap().len(), 1, "{daily}");

        // The hall cannot skip the township.
        let hall = t.unit_of("d01.clerk").await;
        let (status, problem) = t
            .proxy_act(
                "d01.clerk",
                &record,
                json!({"action": "receive", "from": t.unit_of("v20101.clerk").await, "giver": 1, "materials": ["申请书"]}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

        t.clock.set(china(2026, 3, 3, 10, 0));
        let record = t.receive("t201.clerk", "v20101.clerk", &record).await;
        assert_eq!(record["summary"]["holder_unit_id"], t.township.0);
        t.clock.set(china(2026, 3, 4, 10, 0));
        let record = t.receive("d01.clerk", "t201.clerk", &record).await;
        assert_eq!(record["summary"]["state"], "at_deciding_unit");
        assert_eq!(record["summary"]["holder_unit_id"], hall);

        // The result cannot start down before the decision.
        let (status, _) = t
            .proxy_act(
                "d01.clerk",
                &record,
                json!({"action": "result_ready", "result": "许可证"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The hall decides the case.
        let token = t.token("d01.clerk").await;
        let (_, case) = t
            .get(&format!("/api/v1/cases/{case_id}"), Some(&token))
            .await;
        t.decide_licence(&case).await;
        let (status, record) = t
            .proxy_act(
                "d01.clerk",
                &record,
                json!({"action": "result_ready", "result": "食品经营许可证"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{record}");
        assert_eq!(record["summary"]["state"], "going_down");
        assert_eq!(record["summary"]["next_unit_id"], t.township.0);

        t.clock.set(china(2026, 3, 5, 10, 0));
        let record = t.receive("t201.clerk", "d01.clerk", &record).await;
        let record = t.receive("v20101.clerk", "t201.clerk", &record).await;
        assert_eq!(record["summary"]["state"], "awaiting_pickup");
        let clerk = t.token("v20101.clerk").await;
        let (_, daily) = t.get("/api/v1/proxy/daily", Some(&clerk)).await;
        assert_eq!(daily[0]["state"], "awaiting_pickup", "{daily}");
        // The applicant is told by SMS, once, in the same write as the hand-over.
        let told: Vec<_> = t
            .app
            .store
            .sms_list(&liandong_store::SmsFilter {
                limit: 1_000,
                ..liandong_store::SmsFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind.as_str() == "result_at_station")
            .collect();
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(
            told[0].text.contains("办理结果已送达龙湖社区便民服务站"),
            "{}",
            told[0].text
        );

        // The applicant signs for it at the station.
        let (status, _) = t
            .proxy_act(
                "v20101.clerk",
                &record,
                json!({"action": "deliver", "signed_by": ""}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, record) = t
            .proxy_act(
                "v20101.clerk",
                &record,
                json!({"action": "deliver", "signed_by": "王建国"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{record}");
        assert_eq!(record["summary"]["state"], "delivered");
        assert_eq!(record["summary"]["late_legs"], 0);
        let kinds: Vec<&str> = record["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "registered",
                "handed_over",
                "handed_over",
                "result_ready",
                "handed_over",
                "handed_over",
                "delivered"
            ]
        );
        let (_, daily) = t.get("/api/v1/proxy/daily", Some(&clerk)).await;
        assert_eq!(daily, json!([]));

        // The ledger, by station, month and state, and its export.
        let (_, ledger) = t
            .get(
                &format!(
                    "/api/v1/proxy?station_id={}&month=2026-03&state=delivered",
                    t.unit_of("v20101.clerk").await
                ),
                Some(&clerk),
            )
            .await;
        assert_eq!(ledger["total"], 1, "{ledger}");
        let (_, none) = t.get("/api/v1/proxy?month=2026-04", Some(&clerk)).await;
        assert_eq!(none["total"], 0);
        let (status, _) = t.get("/api/v1/proxy?month=2026-13", Some(&clerk)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // Another village's ledger does not show it.
        let other = t.token("v20102.clerk").await;
        let (_, ledger) = t.get("/api/v1/proxy", Some(&other)).await;
        assert_eq!(ledger["total"], 0, "{ledger}");
        let id = record["summary"]["id"].as_i64().unwrap();
        let (status, _) = t.get(&format!("/api/v1/proxy/{id}"), Some(&other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    only_proxied_cases_of_the_clerks_unit_enter_its_ledger,
    |t: TestApp| async move {
        // A case taken in at the hall's own window is not proxied.
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let token = t.token("d01.clerk").await;
        let (status, problem) = t.enter_ledger(&token, &case["summary"]["id"], "x").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        // Another station cannot enter this station's case.
        let (_, case) = t.submit("v20101.clerk", "XK00001000", None).await;
        let other = t.token("v20102.clerk").await;
        let (status, _) = t.enter_ledger(&other, &case["summary"]["id"], "x").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Officers do not keep the ledger.
        let officer = t.token("t201.officer").await;
        let (status, _) = t.enter_ledger(&officer, &case["summary"]["id"], "x").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

both!(
    a_late_leg_is_counted_and_the_ledger_exports,
    |t: TestApp| async move {
        let (_, case) = t.submit("v20101.clerk", "XK00001000", None).await;
        let clerk = t.token("v20101.clerk").await;
        let (_, record) = t.enter_ledger(&clerk, &case["summary"]["id"], "王芳").await;
        // Carried up a week later: the first leg (due Thursday 5 March) was late.
        t.clock.set(china(2026, 3, 9, 10, 0));
        let record = t.receive("t201.clerk", "v20101.clerk", &record).await;
        assert_eq!(record["summary"]["late_legs"], 1);
        let admin = t.token("t201.admin").await;
        let (status, _, csv) = t
            .get_text("/api/v1/proxy/export?month=2026-03", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[0].starts_with("\u{feff}承办单编号 receipt_number"));
        assert!(
            lines[1].starts_with("DB-20101-20260302-0001,20101-20260302-0001,龙湖社区便民服务站"),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",报送中,双龙湖街道便民服务中心,"),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with(",1,王芳"), "{}", lines[1]);
    }
);
