//! Public progress lookup: the right check code shows the case masked, wrong ones are audited
//! and lock the number's lookups, and nothing tells which case numbers exist.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::json;

use crate::both;
use crate::support::TestApp;

both!(
    an_applicant_follows_their_case_without_seeing_the_office_inside,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "request_supplement", "missing": ["健康证明"], "comment": "内部：申请人王建国来电"}),
            )
            .await;
        let number = case["summary"]["number"].as_str().unwrap().to_owned();

        // The last six of the ID number, in lower case as a villager may type it.
        let (status, found) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": number, "check": "31002x"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["number"], number.as_str());
        assert_eq!(found["applicant_name"], "王**");
        assert_eq!(found["applicant_id_number"], "1101**********002X");
        assert_eq!(found["phone"], "138****8000");
        assert_eq!(found["state"], "awaiting_supplement");
        assert_eq!(found["state_zh"], "待补正");
        assert_eq!(found["item_name"], "食品经营许可（新办）");
        assert_eq!(found["handling_unit"], found["received_unit"]);
        let timeline = found["timeline"].as_array().unwrap();
        assert_eq!(timeline.len(), 2);
        assert_eq!(timeline[1]["kind"], "supplement_requested");
        assert_eq!(timeline[1]["detail"], "健康证明");
        assert!(!timeline[1]["unit_name"].as_str().unwrap().is_empty());
        let text = found.to_string();
        for secret in [
            "王建国",
            "11010519491231002X",
            "13800138000",
            "内部",
            "actor",
            "hash",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }

        // The last six digits of the phone work too.
        let (status, _) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": number, "check": "138000"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
);

both!(
    wrong_check_codes_are_audited_and_lock_the_number_for_a_while,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let number = case["summary"]["number"].as_str().unwrap().to_owned();

        // A number that does not exist answers exactly like a wrong check code.
        let (status, missing) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": "100-20260302-0999", "check": "31002X"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, wrong) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": number, "check": "000000"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(missing["message_en"], wrong["message_en"]);
        assert_eq!(missing["message_zh"], wrong["message_zh"]);

        for _ in 1..5 {
            let (status, _) = t
                .post(
                    "/api/v1/progress",
                    None,
                    json!({"number": number, "check": "123456"}),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        // Five wrong codes: even the right one is refused now.
        let (status, locked) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": number, "check": "31002X"}),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{locked}");
        assert_eq!(locked["code"], "too_many_lookups");
        let failures = t
            .app
            .store
            .count_audit_since(
                "progress_lookup_failed",
                &format!("case:{number}"),
                t.app.now() - Duration::hours(1),
            )
            .await
            .unwrap();
        assert_eq!(failures, 5);

        // Other cases are not affected, and the lock ends with its window.
        let (status, _) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": "100-20260302-0999", "check": "31002X"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        t.clock.advance(Duration::minutes(16));
        let (status, _) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": number, "check": "31002X"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
);

both!(
    malformed_lookups_say_what_is_wrong,
    |t: TestApp| async move {
        for (body, field) in [
            (json!({"number": "20260302", "check": "31002X"}), "number"),
            (
                json!({"number": "100-20260302-0001", "check": "1002X"}),
                "check",
            ),
            (
                json!({"number": "100-20260302-0001", "check": "131002X"}),
                "check",
            ),
        ] {
            let (status, problem) = t.post("/api/v1/progress", None, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
        let (status, _) = t
            .post(
                "/api/v1/progress",
                None,
                json!({"number": "100-20260302-0001"}),
            )
            .await;
        assert!(status.is_client_error());
    }
);
