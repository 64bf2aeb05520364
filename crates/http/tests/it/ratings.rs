//! Ratings (好差评) through the API: the window's pad rates the visit just finished, once and
//! in time; the applicant rates a concluded case online once; a poor rating is visited,
//! rectified or explained, and the reply goes out by SMS; the evaluation counts them.

use axum::http::StatusCode;
use chrono::Duration;
use liandong_app::progress::CaseClaim;
use liandong_store::RatingsBy;
use serde_json::{Value, json};

use crate::both;
use crate::queue::windows;
use crate::support::TestApp;

/// A visit at window `w`: ticket A called, served, and finished with `case` (if any).
async fn visit(t: &TestApp, w: i64, case: Option<&Value>) -> Value {
    let ticket = t.ticket("A").await;
    let clerk = t.token("d01.clerk").await;
    let (status, called) = t
        .post(
            &format!("/api/v1/windows/{w}/call-next"),
            Some(&clerk),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{called}");
    assert_eq!(called["id"], ticket["id"]);
    let (_, serving) = t.ticket_act(&called, w, json!({"action": "start"})).await;
    let mut finish = json!({"action": "finish"});
    if let Some(case) = case {
        finish["case"] = case["summary"]["id"].clone();
    }
    let (status, done) = t.ticket_act(&serving, w, finish).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

async fn concluded_on_the_spot(t: &TestApp) -> Value {
    let (_, case) = t.submit("d01.clerk", "GG00002000", None).await;
    let (status, case) = t
        .act(
            "d01.clerk",
            &case,
            json!({"action": "conclude_on_the_spot", "delivery": "当场领取"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case
}

both!(
    the_pad_rates_the_visit_just_finished_once_and_in_time,
    |t: TestApp| async move {
        let (w1, w2) = windows(&t).await;
        let (_, pad) = t.get(&format!("/api/v1/windows/{w1}/pad"), None).await;
        assert_eq!(pad["to_rate"], Value::Null, "{pad}");
        assert_eq!(pad["window_number"], "1");

        let case = concluded_on_the_spot(&t).await;
        let done = visit(&t, w1, Some(&case)).await;
        let (status, pad) = t.get(&format!("/api/v1/windows/{w1}/pad"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(pad["to_rate"]["ticket_id"], done["id"], "{pad}");
        assert_eq!(pad["to_rate"]["item_name"], "个体工商户名称变更登记");
        // The other window has nothing to rate.
        let (_, other) = t.get(&format!("/api/v1/windows/{w2}/pad"), None).await;
        assert_eq!(other["to_rate"], Value::Null);

        let rate = |window: i64, body: Value| {
            let t = &t;
            async move {
                t.post(&format!("/api/v1/windows/{window}/pad/ratings"), None, body)
                    .await
            }
        };
        // A poor rating needs its reason; another window cannot rate this visit.
        let (status, problem) = rate(
            w1,
            json!({"ticket_id": done["id"], "satisfaction": "dissatisfied"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) = rate(
            w2,
            json!({"ticket_id": done["id"], "satisfaction": "satisfied"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, rated) = rate(
            w1,
            json!({"ticket_id": done["id"], "satisfaction": "dissatisfied", "reason": "等候时间太长"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{rated}");
        assert_eq!(rated["rectification"], "awaiting_visit");
        assert!(
            rated.get("phone").is_none(),
            "the public answer has no phone"
        );
        let (status, again) = rate(
            w1,
            json!({"ticket_id": done["id"], "satisfaction": "very_satisfied"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");
        assert_eq!(again["code"], "already_rated");
        let (_, pad) = t.get(&format!("/api/v1/windows/{w1}/pad"), None).await;
        assert_eq!(
            pad["to_rate"],
            Value::Null,
            "a rated visit is not offered again"
        );

        // A visit that took no case, rated too late.
        let late = visit(&t, w1, None).await;
        t.clock.advance(Duration::minutes(11));
        let (_, pad) = t.get(&format!("/api/v1/windows/{w1}/pad"), None).await;
        assert_eq!(pad["to_rate"], Value::Null, "{pad}");
        let (status, too_late) = rate(
            w1,
            json!({"ticket_id": late["id"], "satisfaction": "satisfied"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{too_late}");

        // The department's officer sees the poor rating; a village clerk sees nothing.
        let officer = t.token("d01.officer").await;
        let (status, list) = t.get("/api/v1/ratings?open=true", Some(&officer)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 1);
        let rating = &list["items"][0];
        assert_eq!(rating["case_id"], case["summary"]["id"]);
        assert_eq!(rating["window_id"], w1);
        assert_eq!(rating["may_act"], true);
        assert_eq!(rating["real_name"], true);
        let village = t.token("v20101.clerk").await;
        let (_, none) = t.get("/api/v1/ratings", Some(&village)).await;
        assert_eq!(none["total"], 0, "{none}");
        let id = rating["id"].as_i64().unwrap();
        let (status, _) = t
            .get(&format!("/api/v1/ratings/{id}"), Some(&village))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    a_poor_rating_is_visited_then_rectified_and_the_reply_goes_by_sms,
    |t: TestApp| async move {
        let case = concluded_on_the_spot(&t).await;
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        // Not before the conclusion, and only with the right check code.
        let (_, open_case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, early) = t
            .post(
                "/api/v1/progress/rating",
                None,
                json!({"number": open_case["summary"]["number"], "check": "38000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{early}");
        let (status, early) = t
            .post(
                "/api/v1/progress/rating",
                None,
                json!({"number": open_case["summary"]["number"], "check": "138000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{early}");
        let (status, _) = t
            .post(
                "/api/v1/progress/rating",
                None,
                json!({"number": number, "check": "999999", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, rated) = t
            .post(
                "/api/v1/progress/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "very_dissatisfied", "reason": "材料要求反复变化"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{rated}");
        assert_eq!(rated["satisfaction_zh"], "非常不满意");
        let (status, _) = t
            .post(
                "/api/v1/progress/rating",
                None,
                json!({"number": number, "check": "138000", "satisfaction": "satisfied"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "one rating per matter");

        let officer = t.token("d01.officer").await;
        let (_, list) = t.get("/api/v1/ratings?poor=true", Some(&officer)).await;
        let rating = list["items"][0].clone();
        let id = rating["id"].as_i64().unwrap();
        assert_eq!(rating["channel"], "online");
        assert_eq!(rating["reason"], "材料要求反复变化");
        let act = |version: &Value, body: Value| {
            let t = &t;
            let officer = officer.clone();
            let mut body = body;
            body["expected_version"] = version.clone();
            async move {
                t.post(
                    &format!("/api/v1/ratings/{id}/actions"),
                    Some(&officer),
                    body,
                )
                .await
            }
        };
        // A real-name rating is visited first.
        let (status, refused) = act(
            &rating["version"],
            json!({"action": "rectify", "measures": "统一材料清单", "reply": "已统一材料清单"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}");
        let (status, visited) = act(
            &rating["version"],
            json!({"action": "return_visit", "notes": "电话回访，属实", "founded": true}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{visited}");
        assert_eq!(visited["rectification"], "visited");
        // The version read before the visit is stale now.
        let (status, _) = act(
            &rating["version"],
            json!({"action": "explain", "explanation": "依法办理", "reply": "已说明"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, short) = act(
            &visited["version"],
            json!({"action": "rectify", "measures": "统一材料清单", "reply": "。"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{short}");
        assert_eq!(short["errors"][0]["field"], "reply", "{short}");
        let (status, done) = act(
            &visited["version"],
            json!({"action": "rectify", "measures": "统一材料清单并公示", "reply": "已统一并公示材料清单，感谢监督"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["rectification"], "rectified");
        assert_eq!(done["may_act"], false);

        // The reply is in the outbox for the applicant; the applicant sees it online.
        let admin = t.token("admin").await;
        let (_, messages) = t
            .get(
                &format!("/api/v1/sms/messages?case_id={}", case["summary"]["id"]),
                Some(&admin),
            )
            .await;
        let reply = messages
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "rating_reply")
            .unwrap_or_else(|| panic!("no reply in {messages}"));
        assert!(
            reply["text"]
                .as_str()
                .unwrap()
                .contains("已统一并公示材料清单"),
            "{reply}"
        );
        let public = t
            .app
            .public_rating(&CaseClaim::lookup(&number, "138000"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(public.reply, "已统一并公示材料清单，感谢监督");

        // The month's counts for the department: one very dissatisfied, rectified.
        let now = t.app.now();
        let counts = t
            .app
            .store
            .rating_counts(
                now - Duration::days(1),
                now + Duration::days(1),
                RatingsBy::Department,
            )
            .await
            .unwrap();
        assert_eq!(counts.len(), 1, "{counts:?}");
        assert_eq!(counts[0].count, 1);
        assert_eq!(counts[0].rectified, 1);
        assert_eq!(
            counts[0].owner,
            case["summary"]["department_id"].as_i64().unwrap()
        );
    }
);

both!(
    a_reply_to_the_invitation_sms_rates_the_latest_concluded_case,
    |t: TestApp| async move {
        let case = concluded_on_the_spot(&t).await;
        // The gateway's secret guards the endpoint.
        let mut app = t.app.clone();
        assert!(
            app.incoming_sms("", "13800138000", "1").await.is_err(),
            "no secret configured: the endpoint is off"
        );
        app.notify.dlr_token = Some("gateway-secret".into());
        assert!(app.incoming_sms("wrong", "13800138000", "1").await.is_err());
        let token = "gateway-secret".to_owned();
        assert_eq!(
            app.incoming_sms(&token, "+8613800138000", "你好")
                .await
                .unwrap(),
            None,
            "not a rating"
        );
        assert_eq!(
            app.incoming_sms(&token, "13900000009", "1").await.unwrap(),
            None,
            "no case for that phone"
        );
        let id = app
            .incoming_sms(&token, "+8613800138000", "4 slow")
            .await
            .unwrap()
            .expect("rated");
        let rating = app.store.rating(id).await.unwrap();
        assert_eq!(rating.case_id.map(|c| c.0), case["summary"]["id"].as_i64());
        assert_eq!(rating.satisfaction.as_str(), "dissatisfied");
        assert_eq!(rating.reason, "slow");
        // The matter is rated: a second reply rates nothing.
        assert_eq!(
            app.incoming_sms(&token, "13800138000", "1").await.unwrap(),
            None
        );
    }
);
