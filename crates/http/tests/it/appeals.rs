//! Appeals (三项制度) through the API: raised in a village, escalated to the district,
//! answered and rated; the person's own lookup; the efficiency complaint center's oversight;
//! deadlines on the working-day calendar; statistics.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china};

fn village_problem() -> Value {
    json!({
        "kind": "problem", "channel": "station", "scope": "village",
        "person": {"name": "李秀英", "phone": "13900139000"},
        "category": "道路交通", "content": "社区路灯损坏，夜间出行不便", "address": "龙湖社区三组"
    })
}

impl TestApp {
    async fn act_on_appeal(
        &self,
        user: &str,
        appeal: &Value,
        action: Value,
    ) -> (StatusCode, Value) {
        let token = self.token(user).await;
        let id = appeal["summary"]["id"].as_i64().unwrap();
        let mut body = action;
        body["expected_version"] = appeal["summary"]["version"].clone();
        self.post(&format!("/api/v1/appeals/{id}/actions"), Some(&token), body)
            .await
    }

    async fn register_appeal(&self, user: &str, body: Value) -> Value {
        let token = self.token(user).await;
        let (status, appeal) = self.post("/api/v1/appeals", Some(&token), body).await;
        assert_eq!(status, StatusCode::CREATED, "{appeal}");
        appeal
    }
}

both!(
    a_village_problem_is_escalated_to_the_district_answered_and_rated,
    |t: TestApp| async move {
        let appeal = t.register_appeal("v20101.clerk", village_problem()).await;
        let number = appeal["summary"]["number"].as_str().unwrap().to_owned();
        assert_eq!(number, "SX-20101-20260302-0001");
        assert_eq!(appeal["summary"]["level"], "village");
        // Half a month from Monday 2 March: Tuesday 17 March.
        assert_eq!(appeal["summary"]["due_on"], "2026-03-17");
        assert_eq!(appeal["level"], "green");

        // Another village's clerk and another township's officer do not see it.
        for outsider in ["v20102.clerk", "t202.officer", "d01.officer"] {
            let token = t.token(outsider).await;
            let id = appeal["summary"]["id"].as_i64().unwrap();
            let (status, _) = t.get(&format!("/api/v1/appeals/{id}"), Some(&token)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{outsider}");
            let (_, list) = t.get("/api/v1/appeals", Some(&token)).await;
            assert_eq!(list["total"], 0, "{outsider}: {list}");
        }
        // Nor may they act on it.
        let (status, _) = t
            .act_on_appeal(
                "v20102.clerk",
                &appeal,
                json!({"action": "record_action", "note": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, appeal) = t
            .act_on_appeal(
                "v20101.clerk",
                &appeal,
                json!({"action": "record_action", "note": "已到现场查看，需镇城建办协调"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["appeal"]["state"], "in_progress");

        // A stale version is a conflict.
        let mut stale = appeal.clone();
        stale["summary"]["version"] = json!(1);
        let (status, problem) = t
            .act_on_appeal(
                "v20101.clerk",
                &stale,
                json!({"action": "record_action", "note": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");

        t.clock.set(china(2026, 3, 9, 10, 0));
        let (status, appeal) = t
            .act_on_appeal(
                "v20101.clerk",
                &appeal,
                json!({"action": "escalate", "scope": "township", "reason": "涉及镇城建办和水务站"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["summary"]["level"], "township");
        assert_eq!(appeal["summary"]["responsible_unit_id"], t.township.0);
        assert_eq!(appeal["summary"]["due_on"], "2026-04-09");
        // The village that raised it still follows it; now the township works on it.
        let (status, _) = t
            .act_on_appeal(
                "v20101.clerk",
                &appeal,
                json!({"action": "record_action", "note": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        t.clock.set(china(2026, 3, 20, 10, 0));
        let (status, appeal) = t
            .act_on_appeal(
                "t201.officer",
                &appeal,
                json!({"action": "escalate", "scope": "district_departments", "reason": "需区交通、水利部门共同解决"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["summary"]["level"], "district");
        assert_eq!(
            appeal["summary"]["due_on"], "2026-06-22",
            "three months, Saturday 20 June → Monday"
        );
        assert_eq!(appeal["summary"]["escalations"], 2);

        // At the district the efficiency complaint center answers it.
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "answer", "answer": "区交通局已于4月2日完成路灯更换"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");

        // The person looks it up with the last six digits of their phone and rates it.
        let (status, mine) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": number, "check": "139000"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        assert_eq!(mine["state"], "answered");
        assert_eq!(mine["person_name"], "李**");
        assert_eq!(mine["answer"], "区交通局已于4月2日完成路灯更换");
        let text = mine.to_string();
        assert!(
            !text.contains("13900139000") && !text.contains("李秀英"),
            "{text}"
        );
        let (status, rated) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "139000", "satisfaction": "very_satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rated}");
        assert_eq!(rated["state"], "closed");
        // Once is enough.
        let (status, _) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "139000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The person was told by SMS: the registration, each escalation's new due date, the
        // answer (to look up, not its text), each once.
        let told: Vec<(String, String)> = t
            .app
            .store
            .sms_list(&liandong_store::SmsFilter {
                limit: 1_000,
                ..liandong_store::SmsFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .rev() // newest first
            .filter(|m| m.kind.as_str().starts_with("appeal_"))
            .map(|m| (m.kind.as_str().to_owned(), m.text))
            .collect();
        let kinds: Vec<&str> = told.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "appeal_registered",
                "appeal_progress",
                "appeal_progress",
                "appeal_answered"
            ],
            "{told:?}"
        );
        assert!(told[0].1.contains(&number), "{}", told[0].1);
        assert!(told[3].1.contains("已答复") && !told[3].1.contains("路灯更换"));

        // Statistics: one appeal, concluded, not settled in the village, on time.
        let token = t.token("supervisor").await;
        let (status, stats) = t
            .get(
                "/api/v1/appeals/statistics?from=2026-03-01&to=2026-03-31",
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(stats["overall"]["total"], 1);
        assert_eq!(stats["overall"]["concluded"], 1);
        assert_eq!(stats["overall"]["settled_in_village"], 0);
        assert_eq!(stats["overall"]["answered_on_time"], 1);
        assert_eq!(stats["by_level"][0]["key"], "district");
    }
);

both!(
    an_online_appeal_is_found_only_with_its_phone_and_a_poor_rating_goes_back,
    |t: TestApp| async move {
        let (status, mine) = t
            .post(
                "/api/v1/appeals/online",
                None,
                json!({"kind": "service_complaint", "channel": "online", "scope": "district_department",
                       "department": 1, "person": {"name": "张伟", "phone": "13800138000"},
                       "category": "服务态度", "content": "窗口工作人员态度生硬"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{mine}");
        let number = mine["number"].as_str().unwrap().to_owned();
        assert!(
            number.starts_with("SX-100-"),
            "raised at the hall: {number}"
        );
        assert_eq!(mine["due_on"], "2026-04-02");
        // No phone, no online appeal: nobody could be told of the answer.
        let (status, _) = t
            .post(
                "/api/v1/appeals/online",
                None,
                json!({"kind": "opinion", "channel": "online", "scope": "city_department",
                       "category": "其他", "content": "无联系方式"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // The department's officer sees and answers it; the other department does not see it.
        let token = t.token("d02.officer").await;
        let (_, list) = t.get("/api/v1/appeals", Some(&token)).await;
        assert_eq!(list["total"], 0, "{list}");
        let token = t.token("d01.officer").await;
        let (_, list) = t.get("/api/v1/appeals?open=true", Some(&token)).await;
        assert_eq!(list["total"], 1, "{list}");
        let id = list["appeals"][0]["id"].as_i64().unwrap();
        let (_, appeal) = t.get(&format!("/api/v1/appeals/{id}"), Some(&token)).await;
        // Rating before the answer is refused.
        let (status, _) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, appeal) = t
            .act_on_appeal(
                "d01.officer",
                &appeal,
                json!({"action": "answer", "answer": "已对该工作人员批评教育"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");

        // A poor rating needs its reason; with it, the appeal stays open for the center.
        let (status, _) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "dissatisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, rated) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "dissatisfied", "comment": "没有向我道歉"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rated}");
        assert_eq!(rated["state"], "answered");

        // Only the center orders a redo.
        let token = t.token("supervisor").await;
        let (_, appeal) = t.get(&format!("/api/v1/appeals/{id}"), Some(&token)).await;
        let (status, _) = t
            .act_on_appeal(
                "d01.officer",
                &appeal,
                json!({"action": "order_redo", "reason": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "order_redo", "reason": "当面致歉并回访"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["appeal"]["state"], "in_progress");

        // Wrong check codes: the same 404 as an unknown number, audited, then a lock.
        let (status, unknown) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": "SX-100-20260302-0999", "check": "138000"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for _ in 0..4 {
            let (status, wrong) = t
                .post(
                    "/api/v1/appeals/lookup",
                    None,
                    json!({"number": number, "check": "000000"}),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(wrong["message_en"], unknown["message_en"]);
        }
        let (status, _) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": number, "check": "999999"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, locked) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": number, "check": "138000"}),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{locked}");
        t.clock.advance(Duration::minutes(16));
        let (status, _) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": number, "check": "138000"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
);

both!(
    the_center_sees_appeals_turn_red_before_their_deadline,
    |t: TestApp| async move {
        // Half a month from Wednesday 16 September 2026 ends on National Day: due Thursday
        // 8 October, the first working day after the holiday.
        t.clock.set(china(2026, 9, 16, 10, 0));
        let appeal = t.register_appeal("v20101.clerk", village_problem()).await;
        assert_eq!(appeal["summary"]["due_on"], "2026-10-08");
        let token = t.token("supervisor").await;
        let (status, risky) = t.get("/api/v1/appeals/at-risk", Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(risky, json!([]));
        let clerk = t.token("v20101.clerk").await;
        let (status, _) = t.get("/api/v1/appeals/at-risk", Some(&clerk)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Monday 28 September: 29 and 30 September and 8 October are left; green still.
        t.clock.set(china(2026, 9, 28, 10, 0));
        let token = t.token("supervisor").await;
        let (_, risky) = t.get("/api/v1/appeals/at-risk", Some(&token)).await;
        assert_eq!(
            risky.as_array().unwrap().len(),
            0,
            "three working days left: {risky}"
        );
        // Tuesday 29 September: two working days left across the holiday: red.
        t.clock.set(china(2026, 9, 29, 10, 0));
        let token = t.token("supervisor").await;
        let (_, risky) = t.get("/api/v1/appeals/at-risk", Some(&token)).await;
        assert_eq!(risky.as_array().unwrap().len(), 1, "{risky}");
        assert_eq!(risky[0]["level"], "red");
        t.clock.set(china(2026, 10, 9, 10, 0));
        let token = t.token("supervisor").await;
        let (_, overdue) = t.get("/api/v1/appeals?overdue=true", Some(&token)).await;
        assert_eq!(overdue["total"], 1, "{overdue}");

        // The center extends it, within six months of registration only.
        let id = appeal["summary"]["id"].as_i64().unwrap();
        let (_, appeal) = t.get(&format!("/api/v1/appeals/{id}"), Some(&token)).await;
        let (status, problem) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "extend", "due": "2027-03-17", "reason": "需协调"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "extend", "due": "2026-10-30", "reason": "需协调供电公司"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["level"], "green");
        let (_, overdue) = t.get("/api/v1/appeals?overdue=true", Some(&token)).await;
        assert_eq!(overdue["total"], 0, "{overdue}");
    }
);

both!(
    unknown_units_and_departments_are_not_found_not_storage_errors,
    |t: TestApp| async move {
        let hotline = t.token("d01.clerk").await;
        let mut body = village_problem();
        body["channel"] = json!("hotline");
        body["scope"] = json!("district_department");
        body["department"] = json!(1_441_969);
        let (status, problem) = t
            .post("/api/v1/appeals", Some(&hotline), body.clone())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        body["scope"] = json!("village");
        body["department"] = Value::Null;
        body["unit"] = json!(987_654);
        let (status, problem) = t.post("/api/v1/appeals", Some(&hotline), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        let appeal = t.register_appeal("v20101.clerk", village_problem()).await;
        let (status, problem) = t
            .act_on_appeal(
                "v20101.clerk",
                &appeal,
                json!({"action": "escalate", "scope": "district_department", "department": 1_441_969, "reason": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    }
);
