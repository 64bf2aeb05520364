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
        // A complaint about the service awaits the center's decision on acceptance first:
        // five working days from Monday 2 March.
        assert_eq!(mine["state"], "pending_acceptance");
        assert_eq!(mine["due_on"], "2026-03-09");
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
        // The center accepts it; the month to answer runs from acceptance.
        let (status, appeal) = t
            .act_on_appeal("supervisor", &appeal, json!({"action": "accept"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["summary"]["due_on"], "2026-04-02");
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

fn service_complaint() -> Value {
    json!({"kind": "service_complaint", "channel": "online", "scope": "district_department",
           "department": 1, "person": {"name": "张伟", "phone": "13800138000"},
           "category": "服务态度", "content": "窗口工作人员态度生硬"})
}

impl TestApp {
    /// The messages of `kind` queued so far, oldest first.
    async fn appeal_sms(&self, kind: &str) -> Vec<String> {
        self.app
            .store
            .sms_list(&liandong_store::SmsFilter {
                limit: 1_000,
                ..liandong_store::SmsFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .rev()
            .filter(|m| m.kind.as_str() == kind)
            .map(|m| m.text)
            .collect()
    }

    async fn acceptance_findings(&self) -> Vec<liandong_store::FindingRecord> {
        self.app
            .store
            .findings(&liandong_store::FindingFilter {
                kind: Some(liandong_domain::supervision::FindingKind::AppealAcceptanceOverdue),
                limit: 100,
                ..liandong_store::FindingFilter::default()
            })
            .await
            .unwrap()
            .0
    }
}

both!(
    a_complaint_about_the_service_is_accepted_by_the_center_then_answered_and_settled,
    |t: TestApp| async move {
        // Thursday 2 April 2026: Qingming (4–6 April) lies inside the five working days.
        t.clock.set(china(2026, 4, 2, 10, 0));
        let (status, mine) = t
            .post("/api/v1/appeals/online", None, service_complaint())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{mine}");
        let number = mine["number"].as_str().unwrap().to_owned();
        assert_eq!(mine["state"], "pending_acceptance");
        assert_eq!(mine["due_on"], "2026-04-10");

        // The center sees it among the decisions to make, with its last day.
        let boss = t.token("supervisor").await;
        let (status, pending) = t
            .get("/api/v1/appeals/pending-acceptance", Some(&boss))
            .await;
        assert_eq!(status, StatusCode::OK, "{pending}");
        assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
        assert_eq!(pending[0]["summary"]["number"], number.as_str());
        assert_eq!(pending[0]["due_on"], "2026-04-10");
        assert_eq!(pending[0]["overdue"], false);
        let officer = t.token("d01.officer").await;
        let (status, _) = t
            .get("/api/v1/appeals/pending-acceptance", Some(&officer))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The department sees it but can neither work on it nor decide on it.
        let (_, list) = t.get("/api/v1/appeals?open=true", Some(&officer)).await;
        assert_eq!(list["total"], 1, "{list}");
        let id = list["appeals"][0]["id"].as_i64().unwrap();
        let (_, appeal) = t
            .get(&format!("/api/v1/appeals/{id}"), Some(&officer))
            .await;
        let (status, _) = t
            .act_on_appeal(
                "d01.officer",
                &appeal,
                json!({"action": "answer", "answer": "已批评教育"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = t
            .act_on_appeal("d01.officer", &appeal, json!({"action": "accept"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A refusal on "other" needs its reason.
        let (status, problem) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "refuse_acceptance", "ground": "other"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

        // Accepted on Wednesday 8 April: the month to answer runs from that day.
        t.clock.set(china(2026, 4, 8, 15, 0));
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "accept", "note": "属于效能投诉受理范围"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["appeal"]["state"], "registered");
        assert_eq!(appeal["summary"]["acceptance"], "accepted");
        assert_eq!(appeal["summary"]["acceptance_due_on"], "2026-04-10");
        assert_eq!(appeal["summary"]["due_on"], "2026-05-08");
        let boss = t.token("supervisor").await;
        let (_, pending) = t
            .get("/api/v1/appeals/pending-acceptance", Some(&boss))
            .await;
        assert_eq!(pending.as_array().unwrap().len(), 0, "{pending}");

        // The complainant was told: registered, then accepted with the answer's date.
        let registered = t.appeal_sms("appeal_registered").await;
        assert_eq!(registered.len(), 1);
        assert!(registered[0].contains("2026年4月10日"), "{}", registered[0]);
        let decided = t.appeal_sms("appeal_acceptance").await;
        assert_eq!(decided.len(), 1, "{decided:?}");
        assert!(
            decided[0].contains(&number) && decided[0].contains("已受理，将于2026年5月8日前答复"),
            "{}",
            decided[0]
        );
        assert!(
            !decided[0].contains("效能投诉受理范围"),
            "the note stays inside"
        );

        // The department answers, the person rates it, and it is settled.
        let (status, appeal) = t
            .act_on_appeal(
                "d01.officer",
                &appeal,
                json!({"action": "answer", "answer": "已对该工作人员批评教育"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        let (status, rated) = t
            .post(
                "/api/v1/appeals/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rated}");
        assert_eq!(rated["state"], "closed");
        let kinds: Vec<&str> = rated["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["registered", "accepted", "answered", "rated"]);
        // Decided in time: no finding, however often the sweep runs.
        t.app.sweep_findings().await.unwrap();
        assert!(t.acceptance_findings().await.is_empty());
        // The history is sealed on its chain.
        let (checked, broken) = t.app.store.verify_all_appeals(|_| {}).await.unwrap();
        assert_eq!((checked, broken.len()), (1, 0));
    }
);

both!(
    a_decision_on_acceptance_left_past_five_working_days_is_found_once,
    |t: TestApp| async move {
        t.clock.set(china(2026, 4, 2, 10, 0));
        let (_, late) = t
            .post("/api/v1/appeals/online", None, service_complaint())
            .await;
        let late_number = late["number"].as_str().unwrap().to_owned();
        // Another is refused at once, on a listed ground: the person is told why.
        let (_, refused) = t
            .post("/api/v1/appeals/online", None, service_complaint())
            .await;
        let boss = t.token("supervisor").await;
        let refused_id = t
            .app
            .store
            .appeal_id_by_number(refused["number"].as_str().unwrap())
            .await
            .unwrap();
        let (_, appeal) = t
            .get(&format!("/api/v1/appeals/{}", refused_id.0), Some(&boss))
            .await;
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "refuse_acceptance", "ground": "outside_scope"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["appeal"]["state"], "closed");
        assert_eq!(appeal["summary"]["acceptance"], "refused");
        let told = t.appeal_sms("appeal_acceptance").await;
        assert!(
            told[0].contains("不予受理，理由：不属于行政效能投诉受理范围"),
            "{told:?}"
        );
        let (_, looked) = t
            .post(
                "/api/v1/appeals/lookup",
                None,
                json!({"number": refused["number"], "check": "138000"}),
            )
            .await;
        assert_eq!(looked["state_zh"], "不予受理");

        // At the close of the fifth working day it is still in time.
        t.clock.set(china(2026, 4, 10, 17, 0));
        t.app.sweep_findings().await.unwrap();
        assert!(t.acceptance_findings().await.is_empty());
        // On Monday it is late: marked on the center's list, found by the sweep, once.
        t.clock.set(china(2026, 4, 13, 9, 0));
        let boss = t.token("supervisor").await;
        let (_, pending) = t
            .get("/api/v1/appeals/pending-acceptance", Some(&boss))
            .await;
        assert_eq!(pending[0]["summary"]["number"], late_number.as_str());
        assert_eq!(pending[0]["overdue"], true);
        let (_, overdue) = t.get("/api/v1/appeals?overdue=true", Some(&boss)).await;
        assert_eq!(overdue["total"], 1, "{overdue}");
        t.app.sweep_findings().await.unwrap();
        t.app.sweep_findings().await.unwrap();
        let found = t.acceptance_findings().await;
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].appeal_number.as_deref(),
            Some(late_number.as_str())
        );
        assert_eq!(found[0].case_id, None);
        // About the center, not a department's case: no notice is opened on it.
        let notices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices")
            .fetch_one(t.app.store.pool())
            .await
            .unwrap();
        assert_eq!(notices, 0);

        // Forwarded late: the decision stands, the finding is not doubled.
        let late_id = found[0].appeal_id.unwrap();
        let (_, appeal) = t
            .get(&format!("/api/v1/appeals/{}", late_id.0), Some(&boss))
            .await;
        let (status, appeal) = t
            .act_on_appeal(
                "supervisor",
                &appeal,
                json!({"action": "forward", "to": "区市场监督管理局", "reason": "属于市场监管职责"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        assert_eq!(appeal["summary"]["acceptance"], "forwarded");
        assert_eq!(t.acceptance_findings().await.len(), 1);
        let told = t.appeal_sms("appeal_acceptance").await;
        assert!(told[1].contains("已转送区市场监督管理局处理"), "{told:?}");
    }
);
