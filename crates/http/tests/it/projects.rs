//! Key projects through the API: a bundle whose independent approvals open in parallel and
//! whose dependent ones wait, a joint review, the timeline and its Gantt chart.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china};

fn factory(approvals: Value) -> Value {
    json!({
        "name": "重庆某某食品有限公司新建厂房项目",
        "applicant_name": "重庆某某食品有限公司",
        "credit_code": "91500112MA5U5YYP13",
        "phone": "023-67821234",
        "approvals": approvals,
    })
}

impl TestApp {
    async fn open_project(&self, user: &str, project: &Value) -> (StatusCode, Value) {
        let token = self.token(user).await;
        let id = project["project"]["id"].as_i64().unwrap();
        self.post(
            &format!("/api/v1/projects/{id}/open"),
            Some(&token),
            json!({"expected_version": project["project"]["version"]}),
        )
        .await
    }
}

both!(
    independent_approvals_open_together_and_dependent_ones_after_their_prerequisites,
    |t: TestApp| async move {
        let token = t.token("d01.clerk").await;
        let (status, project) = t
            .post(
                "/api/v1/projects",
                Some(&token),
                factory(json!([
                    {"item_code": "GG00002000", "stage": "名称登记"},
                    {"item_code": "XK00001000", "stage": "经营许可", "depends_on": [0]}
                ])),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{project}");
        assert_eq!(project["approvals"][0]["status"], "ready");
        assert_eq!(project["approvals"][1]["status"], "waiting");
        assert_eq!(project["project"]["target_days"], 40);
        assert_eq!(project["timeline"]["opened_on"], Value::Null);

        // Only the agent opens; a stale version is a conflict.
        let (status, _) = t.open_project("supervisor", &project).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, project) = t.open_project("d01.clerk", &project).await;
        assert_eq!(status, StatusCode::OK, "{project}");
        assert_eq!(project["approvals"][0]["status"], "in_progress");
        assert_eq!(project["approvals"][1]["status"], "waiting");
        assert_eq!(project["timeline"]["opened_on"], "2026-03-02");
        assert_eq!(project["timeline"]["target_on"], "2026-04-28");
        assert_eq!(project["timeline"]["rows"][1]["blocked_by"], json!([0]));
        let mut stale = project.clone();
        stale["project"]["version"] = json!(1);
        let (status, _) = t.open_project("d01.clerk", &stale).await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Nothing else is ready until the first is approved.
        let (status, _) = t.open_project("d01.clerk", &project).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The name change is decided on the spot; the licence then opens.
        let case = project["approvals"][0]["case"].clone();
        let (_, case_view) = t
            .get(&format!("/api/v1/cases/{}", case["id"]), Some(&token))
            .await;
        assert_eq!(
            case_view["case"]["applicant"]["name"],
            "重庆某某食品有限公司"
        );
        let (status, done) = t
            .act(
                "d01.clerk",
                &case_view,
                json!({"action": "conclude_on_the_spot", "delivery": "当场领取"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        t.clock.set(china(2026, 3, 3, 10, 0));
        let token = t.token("d01.clerk").await;
        let id = project["project"]["id"].as_i64().unwrap();
        let (_, project) = t.get(&format!("/api/v1/projects/{id}"), Some(&token)).await;
        assert_eq!(project["approvals"][0]["status"], "approved");
        assert_eq!(project["approvals"][1]["status"], "ready");
        let (status, project) = t.open_project("d01.clerk", &project).await;
        assert_eq!(status, StatusCode::OK, "{project}");
        assert_eq!(project["approvals"][1]["status"], "in_progress");

        // A joint review with the departments concerned.
        let supervisor = t.token("supervisor").await;
        let (status, problem) = t
            .post(
                &format!("/api/v1/projects/{id}/joint-reviews"),
                Some(&supervisor),
                json!({"departments": ["区市场监管局"], "opinions": [], "decisions": "同意"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, project) = t
            .post(
                &format!("/api/v1/projects/{id}/joint-reviews"),
                Some(&supervisor),
                json!({"departments": ["区市场监管局", "区住房城乡建委"],
                       "opinions": [{"department": "区住房城乡建委", "opinion": "厂房已竣工验收"}],
                       "decisions": "同意加快办理食品经营许可"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{project}");
        assert_eq!(
            project["reviews"][0]["departments"],
            json!(["区市场监管局", "区住房城乡建委"])
        );

        // The licence through its steps, and the bundle is complete.
        let case_id = project["approvals"][1]["case"]["id"].as_i64().unwrap();
        let (_, case) = t
            .get(&format!("/api/v1/cases/{case_id}"), Some(&token))
            .await;
        t.decide_licence(&case).await;
        t.clock.set(china(2026, 3, 9, 10, 0));
        let token = t.token("d01.clerk").await;
        let (_, project) = t.get(&format!("/api/v1/projects/{id}"), Some(&token)).await;
        let timeline = &project["timeline"];
        assert_eq!(timeline["complete"], true, "{timeline}");
        assert_eq!(timeline["late"], false);
        // The standard: 5 + 20 statutory working days; both decided on 3 March, one working
        // day after opening.
        assert_eq!(timeline["standard_days"], 25);
        assert_eq!(timeline["working_days_used"], 1);
        assert!(
            (timeline["speedup"].as_f64().unwrap() - 0.96).abs() < 1e-9,
            "{timeline}"
        );

        // The Gantt chart.
        let (status, content_type, svg) = t
            .get_text(&format!("/api/v1/projects/{id}/timeline.svg"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "image/svg+xml; charset=utf-8");
        assert!(
            svg.contains("食品经营许可（新办）") && svg.contains("个体工商户名称变更登记"),
            "{svg}"
        );
        assert_eq!(svg.matches("<rect ").count(), 2);

        // Other units do not see it; supervisors do.
        let village = t.token("v20101.clerk").await;
        let (status, _) = t
            .get(&format!("/api/v1/projects/{id}"), Some(&village))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = t.get("/api/v1/projects", Some(&village)).await;
        assert_eq!(list, json!([]));
        let supervisor = t.token("supervisor").await;
        let (_, list) = t.get("/api/v1/projects", Some(&supervisor)).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
    }
);

both!(
    approvals_without_prerequisites_run_in_parallel_and_bad_plans_are_refused,
    |t: TestApp| async move {
        let token = t.token("d01.clerk").await;
        let (status, project) = t
            .post(
                "/api/v1/projects",
                Some(&token),
                factory(json!([{"item_code": "GG00002000"}, {"item_code": "XK00001000"}])),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{project}");
        let (status, project) = t.open_project("d01.clerk", &project).await;
        assert_eq!(status, StatusCode::OK, "{project}");
        let cases: Vec<&Value> = project["approvals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["case"])
            .collect();
        assert!(
            cases.iter().all(|c| c["id"].is_i64()),
            "both opened at once: {project}"
        );
        assert_ne!(cases[0]["id"], cases[1]["id"]);

        for (approvals, why) in [
            (json!([]), "不能为空"),
            (
                json!([{"item_code": "GG00002000", "depends_on": [1]}, {"item_code": "XK00001000", "depends_on": [0]}]),
                "循环",
            ),
            (
                json!([{"item_code": "GG00002000", "depends_on": [5]}]),
                "不存在",
            ),
            (
                json!([{"item_code": "GG00002000"}, {"item_code": "GG00002000"}]),
                "重复",
            ),
        ] {
            let (status, problem) = t
                .post("/api/v1/projects", Some(&token), factory(approvals))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert!(
                problem["message_zh"].as_str().unwrap().contains(why),
                "{problem}"
            );
        }
        let (status, _) = t
            .post(
                "/api/v1/projects",
                Some(&token),
                factory(json!([{"item_code": "XK09999000"}])),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let officer = t.token("d01.officer").await;
        let (status, _) = t
            .post(
                "/api/v1/projects",
                Some(&officer),
                factory(json!([{"item_code": "GG00002000"}])),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

both!(
    the_projects_agent_is_warned_with_the_officers_when_an_approval_turns_yellow,
    |t: TestApp| async move {
        let token = t.token("d01.clerk").await;
        let (_, project) = t
            .post(
                "/api/v1/projects",
                Some(&token),
                factory(json!([{"item_code": "XK00001000", "stage": "经营许可"}])),
            )
            .await;
        let (status, project) = t.open_project("d01.clerk", &project).await;
        assert_eq!(status, StatusCode::OK, "{project}");
        let case_id = project["approvals"][0]["case"]["id"].as_i64().unwrap();
        let (_, case) = t
            .get(&format!("/api/v1/cases/{case_id}"), Some(&token))
            .await;
        assert_eq!(case["summary"]["state"], "submitted");
        let (status, accepted) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        // A case taken in at the window the usual way warns only its officers.
        let (_, other) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, accepted) = t
            .act("d01.clerk", &other, json!({"action": "accept"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");

        // The handling step has five working days: on the last it turns yellow.
        t.clock.set(china(2026, 3, 9, 10, 0));
        let report = t.app.sweep_findings().await.unwrap();
        assert_eq!(report.warnings_queued, 5, "{report:?}");
        let warned = liandong_testkit::outbox::messages(
            &t.app.store,
            liandong_domain::notify::MessageKind::YellowWarning,
        )
        .await;
        let to = |phone: &str, case: i64| {
            warned
                .iter()
                .filter(|m| m.phone == phone && m.case_id.map(|c| c.0) == Some(case))
                .count()
        };
        let other_id = other["summary"]["id"].as_i64().unwrap();
        assert_eq!(to("13900000003", case_id), 1, "the agent: {warned:?}");
        assert_eq!(to("13900000003", other_id), 0, "not the agent's");
        for officer in ["13900000001", "13900000002"] {
            assert_eq!(to(officer, case_id), 1);
            assert_eq!(to(officer, other_id), 1);
        }
        let text = &warned
            .iter()
            .find(|m| m.phone == "13900000003")
            .unwrap()
            .text;
        assert!(text.starts_with("【电子监察】李窗口："), "{text}");
        // A second sweep tells nobody again.
        assert_eq!(t.app.sweep_findings().await.unwrap().warnings_queued, 0);
    }
);
