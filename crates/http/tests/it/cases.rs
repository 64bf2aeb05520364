//! Cases through the API: the whole life of a case, versions, idempotency, scoping, clocks.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china, intake};

async fn accepted_licence(t: &TestApp) -> Value {
    let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let (status, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case
}

both!(
    a_licence_goes_from_intake_to_conclusion_through_every_step,
    |t: TestApp| async move {
        let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        assert_eq!(
            number, "100-20260302-0001",
            "unit code, China date, sequence"
        );
        assert_eq!(case["summary"]["state"], "submitted");
        assert_eq!(
            case["allowed_actions"],
            json!(["accept", "refuse_intake", "request_supplement", "withdraw"])
        );

        let steps = [
            (
                "d01.clerk",
                json!({"action": "accept", "comment": "材料齐全"}),
                "handling",
            ),
            (
                "d01.officer",
                json!({"action": "handle", "opinion": "符合条件，建议准予许可"}),
                "reviewing",
            ),
            (
                "d01.reviewer",
                json!({"action": "review", "opinion": "审核同意"}),
                "deciding",
            ),
            (
                "d01.approver",
                json!({"action": "approve", "opinion": "同意"}),
                "decided",
            ),
            (
                "d01.clerk",
                json!({"action": "conclude", "delivery": "窗口领取"}),
                "concluded",
            ),
        ];
        let mut case = case;
        for (who, action, state) in steps {
            t.clock.advance(Duration::hours(20));
            let (status, next) = t.act(who, &case, action).await;
            assert_eq!(status, StatusCode::OK, "{who}: {next}");
            assert_eq!(next["summary"]["state"], state);
            case = next;
        }
        assert_eq!(case["summary"]["outcome"], "approved");
        assert_eq!(case["summary"]["version"], 6);
        let kinds: Vec<&str> = case["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "received",
                "accepted",
                "handled",
                "reviewed",
                "approved",
                "concluded"
            ]
        );
        assert_eq!(case["events"][1]["comment"], "材料齐全");
        assert_eq!(case["clock"]["running"], false);
        assert_eq!(case["clock"]["limit_days"], 8);
        assert_eq!(case["allowed_actions"], json!([]));

        let token = t.token("supervisor").await;
        let (status, by_number) = t
            .get(&format!("/api/v1/cases/by-number/{number}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(by_number["summary"]["id"], case["summary"]["id"]);
        let (checked, findings) = t.app.store.verify_all_cases(|_| {}).await.unwrap();
        assert_eq!((checked, findings.len()), (1, 0));
    }
);

both!(
    an_on_the_spot_item_concludes_in_one_action_at_the_window,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "GG00002000", None).await;
        assert!(
            case["allowed_actions"]
                .as_array()
                .unwrap()
                .contains(&json!("conclude_on_the_spot"))
        );
        let (status, done) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "conclude_on_the_spot", "delivery": "当场领取"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["summary"]["state"], "concluded");
        assert_eq!(
            done["events"].as_array().unwrap().len(),
            4,
            "received, accepted, approved, concluded"
        );
    }
);

both!(
    an_action_on_a_stale_version_is_a_conflict_not_a_lost_update,
    |t: TestApp| async move {
        let case = accepted_licence(&t).await;
        let (status, handled) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "handle", "opinion": "同意"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // The reviewer still holds the version read before the handling.
        let (status, problem) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "handle", "opinion": "again"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(problem["code"], "stale_version");
        assert!(
            problem["message_zh"]
                .as_str()
                .unwrap()
                .contains("已被他人修改")
        );
        let token = t.token("supervisor").await;
        let (_, now) = t
            .get(
                &format!("/api/v1/cases/{}", case["summary"]["id"]),
                Some(&token),
            )
            .await;
        assert_eq!(
            now["summary"]["version"], handled["summary"]["version"],
            "nothing written by the stale action"
        );
    }
);

both!(
    an_illegal_or_unauthorised_action_is_refused_with_the_reason,
    |t: TestApp| async move {
        let case = accepted_licence(&t).await;
        let (status, problem) = t
            .act(
                "d01.approver",
                &case,
                json!({"action": "approve", "opinion": "同意"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "action_not_allowed");
        assert!(problem["message_zh"].as_str().unwrap().contains("承办中"));
        assert!(
            problem["allowed_actions"]
                .as_array()
                .unwrap()
                .contains(&json!("handle"))
        );
        let (status, problem) = t
            .act(
                "d01.reviewer",
                &case,
                json!({"action": "handle", "opinion": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert_eq!(problem["code"], "role_required");
        let (status, problem) = t
            .act(
                "d01.approver",
                &case,
                json!({"action": "grant_extension", "days": 11, "reason": "复杂"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["message_en"]
                .as_str()
                .unwrap()
                .contains("at most 10 working days")
        );
        let (status, problem) = t.act("d01.officer", &case, json!({"action": "fly"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    }
);

both!(
    a_retried_submit_with_the_same_key_makes_one_case,
    |t: TestApp| async move {
        let (s1, first) = t
            .submit("d01.clerk", "XK00001000", Some("intake-7f3a"))
            .await;
        let (s2, second) = t
            .submit("d01.clerk", "XK00001000", Some("intake-7f3a"))
            .await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(first["summary"]["id"], second["summary"]["id"]);
        let token = t.token("d01.clerk").await;
        let mut other = intake("XK00001000");
        other["phone"] = json!("13900139000");
        let (status, problem, _) = t
            .send_raw(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(("application/json", other.to_string().into_bytes())),
                &[("idempotency-key", "intake-7f3a")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["code"], "idempotency_key_reused");
        let (_, list) = t.get("/api/v1/cases", Some(&token)).await;
        assert_eq!(list["total"], 1);
    }
);

both!(
    concurrent_retries_and_concurrent_actions_neither_duplicate_nor_lose,
    |t: TestApp| async move {
        let t = std::sync::Arc::new(t);
        let submits: Vec<_> = (0..8)
            .map(|_| {
                let t = t.clone();
                tokio::spawn(
                    async move { t.submit("d01.clerk", "XK00001000", Some("same-key")).await },
                )
            })
            .collect();
        let mut ids = std::collections::HashSet::new();
        for s in submits {
            let (status, case) = s.await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{case}");
            ids.insert(case["summary"]["id"].as_i64().unwrap());
        }
        assert_eq!(ids.len(), 1, "one case for eight retries");

        let case = accepted_licence(&t).await;
        let actions: Vec<_> = (0..8)
            .map(|i| {
                let (t, case) = (t.clone(), case.clone());
                tokio::spawn(async move {
                    t.act(
                        "d01.officer",
                        &case,
                        json!({"action": "handle", "opinion": format!("意见{i}")}),
                    )
                    .await
                    .0
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for a in actions {
            statuses.push(a.await.unwrap());
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
            "{statuses:?}"
        );
        let token = t.token("supervisor").await;
        let (_, after) = t
            .get(
                &format!("/api/v1/cases/{}", case["summary"]["id"]),
                Some(&token),
            )
            .await;
        assert_eq!(after["events"].as_array().unwrap().len(), 3);
    }
);

both!(
    every_read_is_scoped_to_what_the_staff_member_may_see,
    |t: TestApp| async move {
        // A villager applies at their station for a township item, carried up by proxy.
        let (status, proxied) = t.submit("v20101.clerk", "GG00003000", None).await;
        assert_eq!(status, StatusCode::CREATED, "{proxied}");
        assert_eq!(proxied["summary"]["channel"], "proxy");
        assert_eq!(proxied["summary"]["handling_unit_id"], t.township.0);
        let (_, hall_case) = t.submit("d01.clerk", "XK00001000", None).await;
        let proxied_url = format!("/api/v1/cases/{}", proxied["summary"]["id"]);
        let hall_url = format!("/api/v1/cases/{}", hall_case["summary"]["id"]);

        let sees = |who: &'static str, url: String| {
            let t = &t;
            async move {
                let token = t.token(who).await;
                t.get(&url, Some(&token)).await.0
            }
        };
        assert_eq!(
            sees("v20101.clerk", proxied_url.clone()).await,
            StatusCode::OK
        );
        assert_eq!(
            sees("v20102.clerk", proxied_url.clone()).await,
            StatusCode::NOT_FOUND,
            "another village never sees it"
        );
        assert_eq!(
            sees("t201.officer", proxied_url.clone()).await,
            StatusCode::OK,
            "the township handles it"
        );
        assert_eq!(
            sees("t202.officer", proxied_url.clone()).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            sees("d02.officer", proxied_url.clone()).await,
            StatusCode::OK,
            "its department sees it"
        );
        assert_eq!(
            sees("d01.officer", proxied_url.clone()).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            sees("d02.officer", hall_url.clone()).await,
            StatusCode::NOT_FOUND,
            "not every case of the hall"
        );
        assert_eq!(sees("supervisor", hall_url.clone()).await, StatusCode::OK);
        assert_eq!(
            sees("t201.admin", proxied_url.clone()).await,
            StatusCode::OK,
            "a unit admin sees the subtree"
        );

        let token = t.token("v20102.clerk").await;
        let (_, list) = t.get("/api/v1/cases", Some(&token)).await;
        assert_eq!(list["total"], 0);
        let token = t.token("supervisor").await;
        let (_, list) = t
            .get("/api/v1/cases?sort=due&per_page=1", Some(&token))
            .await;
        assert_eq!(list["total"], 2);
        assert_eq!(list["cases"].as_array().unwrap().len(), 1);

        // A village station cannot take an item that is not for proxy, nor a hall clerk a township item.
        let (status, problem) = t.submit("d01.clerk", "GG00003000", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
);

both!(
    a_supplement_after_acceptance_stops_the_clock_for_its_working_days,
    |t: TestApp| async move {
        // Accepted Monday 2 March 2026 at 10:00: 8 working days → due Thursday 12 March.
        let case = accepted_licence(&t).await;
        assert_eq!(case["clock"]["due_date"], "2026-03-12");
        assert_eq!(case["level"], "green");
        t.clock.set(china(2026, 3, 4, 11, 0));
        let (status, waiting) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "request_supplement", "missing": ["健康证明"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{waiting}");
        assert_eq!(waiting["summary"]["state"], "awaiting_supplement");
        assert_eq!(waiting["clock"]["running"], false);
        assert_eq!(waiting["clock"]["used_days"], 2);
        // Supplied the next Monday: 5, 6 and 9 March are not counted.
        t.clock.set(china(2026, 3, 9, 15, 0));
        let (status, resumed) = t
            .act(
                "d01.clerk",
                &waiting,
                json!({"action": "supplement", "received": ["健康证明"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{resumed}");
        assert_eq!(resumed["summary"]["state"], "handling");
        assert_eq!(resumed["clock"]["due_date"], "2026-03-17");
        assert_eq!(
            resumed["summary"]["due_at"], "2026-03-17T09:30:00Z",
            "17:30 China time"
        );
        // Two days before: yellow (80 % used); after the close of the due day: red.
        t.clock.set(china(2026, 3, 16, 10, 0));
        let token = t.token("d01.officer").await;
        let url = format!("/api/v1/cases/{}", case["summary"]["id"]);
        let (_, near) = t.get(&url, Some(&token)).await;
        assert_eq!(near["clock"]["level"], "yellow");
        assert_eq!(near["clock"]["remaining_days"], 1);
        // The handling step had 5 of the 8 days and has used 7: the step is overdue on its own.
        assert_eq!(near["step_clock"]["level"], "red");
        assert_eq!(near["level"], "red");
        t.clock.set(china(2026, 3, 17, 17, 45));
        let (status, _) = t.get(&url, Some(&token)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "yesterday's sign-in has expired"
        );
        let token = t.token("d01.officer").await;
        let (_, late) = t.get(&url, Some(&token)).await;
        assert_eq!(late["clock"]["level"], "red");
        let (_, overdue) = t.get("/api/v1/cases?overdue=true", Some(&token)).await;
        assert_eq!(overdue["total"], 1);
    }
);

both!(
    an_extension_is_granted_once_and_moves_the_due_date,
    |t: TestApp| async move {
        let case = accepted_licence(&t).await;
        let (status, extended) = t
            .act(
                "d01.approver",
                &case,
                json!({"action": "grant_extension", "days": 10, "reason": "需现场核查"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{extended}");
        assert_eq!(extended["clock"]["limit_days"], 18);
        assert_eq!(extended["clock"]["due_date"], "2026-03-26");
        let (status, problem) = t
            .act(
                "d01.approver",
                &extended,
                json!({"action": "grant_extension", "days": 1, "reason": "再延"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["message_zh"]
                .as_str()
                .unwrap()
                .contains("第四十二条"),
            "{problem}"
        );
    }
);

both!(
    loading_next_years_notice_recomputes_provisional_deadlines,
    |t: TestApp| async move {
        // Accepted on 22 December 2026 with 8 working days: the due date lies in 2027.
        t.clock.set(china(2026, 12, 22, 10, 0));
        let case = accepted_licence(&t).await;
        assert_eq!(case["clock"]["provisional"], true);
        assert_eq!(case["summary"]["due_provisional"], true);
        assert_eq!(
            case["clock"]["due_date"], "2027-01-04",
            "1 January is the law's holiday"
        );
        // A notice that (hypothetically) gives 4 January 2027 off as well.
        let loaded = t.load_2027_notice().await;
        assert_eq!(loaded["recomputed_cases"], 1);
        let admin = t.token("admin").await;
        let (_, after) = t
            .get(
                &format!("/api/v1/cases/{}", case["summary"]["id"]),
                Some(&admin),
            )
            .await;
        assert_eq!(after["clock"]["due_date"], "2027-01-05");
        assert_eq!(after["summary"]["due_provisional"], false);
        let clerk = t.token("d01.clerk").await;
        let (status, _) = t
            .post(
                "/api/v1/calendar/notices",
                Some(&clerk),
                json!({"toml": "year = 2027"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

both!(
    an_export_masks_applicants_unless_the_role_works_on_cases_and_is_audited,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        let export = |user: &'static str, query: &'static str| {
            let t = &t;
            async move {
                let token = t.token(user).await;
                t.get_text(&format!("/api/v1/cases/export{query}"), Some(&token))
                    .await
            }
        };

        let (status, content_type, csv) = export("supervisor", "?state=submitted").await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        assert!(
            csv.starts_with('\u{feff}'),
            "a BOM for spreadsheet programs"
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[0].contains("办件编号 number"));
        assert!(lines[1].starts_with(&number), "{}", lines[1]);
        assert!(lines[1].contains("王**") && lines[1].contains("1101**********002X"));
        assert!(lines[1].contains("138****8000") && lines[1].contains("待受理"));
        for secret in ["王建国", "11010519491231002X", "13800138000"] {
            assert!(!csv.contains(secret), "{secret} in a masked export");
        }

        // Identities in full: the clerk who works on cases may, a supervisor may not.
        let (status, _, _) = export("supervisor", "?personal_data=full").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, csv) = export("d01.clerk", "?personal_data=full").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            csv.contains("王建国,11010519491231002X,13800138000"),
            "{csv}"
        );

        // Scoped like the list: a village clerk's export holds none of the hall's cases.
        let (status, _, csv) = export("v20101.clerk", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(csv.lines().count(), 1, "{csv}");

        let audited: Vec<_> = t
            .app
            .store
            .audit_entries(50)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "cases_exported")
            .collect();
        assert_eq!(
            audited.len(),
            3,
            "the refused export is not one: {audited:?}"
        );
        let supervisor = audited
            .iter()
            .find(|e| e.target == "staff:supervisor")
            .unwrap();
        assert_eq!(
            supervisor.detail,
            "1 rows, personal data masked; state=submitted"
        );
        assert!(audited.iter().any(|e| e.target == "staff:d01.clerk"
            && e.detail.starts_with("1 rows, personal data in full")));
    }
);
