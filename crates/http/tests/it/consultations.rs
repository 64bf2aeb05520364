//! Online consultation through the API: a signed-in applicant asks, the item's department
//! answers within its working days (the asker told by SMS) and publishes; a question for
//! the wrong item is forwarded; the month's figures.

use axum::http::StatusCode;
use liandong_domain::notify::MessageKind;
use liandong_store::SmsFilter;
use serde_json::{Value, json};

use crate::both;
use crate::online::sign_in;
use crate::support::TestApp;

const PHONE: &str = "13912345678";

async fn ask(t: &TestApp, me: &str, item: &str, title: &str) -> Value {
    let (status, asked) = t
        .post(
            "/api/v1/online/consultations",
            Some(me),
            json!({"item_code": item, "name": "李秀英", "title": title,
                "text": "从业人员的健康证明是否在申请时必须提交？我的电话13912345678。"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    asked
}

async fn act(
    t: &TestApp,
    user: &str,
    id: i64,
    version: &Value,
    action: Value,
) -> (StatusCode, Value) {
    let token = t.token(user).await;
    let mut body = action;
    body["expected_version"] = version.clone();
    t.post(
        &format!("/api/v1/consultations/{id}/actions"),
        Some(&token),
        body,
    )
    .await
}

both!(
    a_question_is_answered_by_its_department_told_by_sms_and_published,
    |t: TestApp| async move {
        let me = sign_in(&t, PHONE).await;
        let (status, refused) = t
            .post(
                "/api/v1/online/consultations",
                Some(&me),
                json!({"item_code": "XK00001000", "name": "李秀英", "title": " ", "text": "健康证明是否必须提交？"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["errors"][0]["field"], "title");

        // Asked on Monday 2 March at 10:00: three working days, due Thursday 5 March.
        let asked = ask(&t, &me, "XK00001000", "健康证明是否必须提交").await;
        let id = asked["id"].as_i64().unwrap();
        assert_eq!(asked["state"], "asked");
        assert_eq!(asked["due_on"], "2026-03-05");
        assert_eq!(asked["may_withdraw"], true);

        let officer = t.token("d01.officer").await;
        let (_, open) = t
            .get("/api/v1/consultations?open=true", Some(&officer))
            .await;
        assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
        assert_eq!(open[0]["level"], "green");
        assert_eq!(open[0]["item_name"], "食品经营许可（新办）");
        // Another department neither sees nor answers it; a supervisor sees it but does not
        // answer for the department.
        let other = t.token("d02.officer").await;
        let (_, none) = t.get("/api/v1/consultations", Some(&other)).await;
        assert_eq!(none, json!([]));
        let (status, _) = t
            .get(&format!("/api/v1/consultations/{id}"), Some(&other))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let answer = json!({"action": "answer", "answer": "健康证明为选交材料，可在开业前补交。"});
        let (status, refused) = act(&t, "supervisor", id, &json!(1), answer.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

        // Three days later, within the limit: the yellow warning on the last day.
        t.clock.advance(chrono::Duration::days(3));
        // Sign-ins do not last three days.
        let officer = t.token("d01.officer").await;
        let me = sign_in(&t, PHONE).await;
        let (_, open) = t
            .get("/api/v1/consultations?open=true", Some(&officer))
            .await;
        assert_eq!(open[0]["level"], "yellow", "{open}");
        let (status, view) = act(&t, "d01.officer", id, &json!(1), answer.clone()).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["consultation"]["state"], "answered");
        assert_eq!(view["row"]["public"], false);
        assert_eq!(view["actions"], json!(["amend_answer", "publish"]));
        let (status, _) = act(&t, "d01.officer", id, &json!(1), answer).await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");

        // The asker is told by SMS, once.
        let sms = t
            .app
            .store
            .sms_list(&SmsFilter {
                case_id: None,
                state: None,
                limit: 100,
            })
            .await
            .unwrap();
        let told: Vec<_> = sms
            .iter()
            .filter(|m| m.kind == MessageKind::ConsultationAnswered)
            .collect();
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].phone, PHONE);
        assert!(
            told[0].text.contains("食品经营许可（新办）"),
            "{}",
            told[0].text
        );

        // Nothing is public until the department says so.
        let (_, public) = t.get("/api/v1/items/XK00001000/consultations", None).await;
        assert_eq!(public, json!([]));
        let (status, view) = act(
            &t,
            "d01.officer",
            id,
            &view["row"]["version"],
            json!({"action": "publish"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        let (status, again) = act(
            &t,
            "d01.officer",
            id,
            &view["row"]["version"],
            json!({"action": "publish"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{again}");
        let (_, public) = t.get("/api/v1/items/XK00001000/consultations", None).await;
        assert_eq!(public.as_array().unwrap().len(), 1, "{public}");
        assert_eq!(public[0]["asker"], "李**");
        assert_eq!(public[0]["phone"], "139****5678");
        let question = public[0]["question"].as_str().unwrap();
        assert!(
            !question.contains("13912345678"),
            "numbers in the text are masked: {question}"
        );
        assert_eq!(public[0]["answer"], "健康证明为选交材料，可在开业前补交。");

        // The asker sees the answer and can no longer withdraw.
        let (_, mine) = t.get("/api/v1/online/consultations", Some(&me)).await;
        assert_eq!(mine[0]["answer"], "健康证明为选交材料，可在开业前补交。");
        assert_eq!(mine[0]["may_withdraw"], false);
        let (status, _) = t
            .post(
                &format!("/api/v1/online/consultations/{id}/withdraw"),
                Some(&me),
                json!({"expected_version": mine[0]["version"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        // Someone else signed in cannot withdraw it either.
        let stranger = sign_in(&t, "13700137000").await;
        let (status, _) = t
            .post(
                &format!("/api/v1/online/consultations/{id}/withdraw"),
                Some(&stranger),
                json!({"expected_version": mine[0]["version"]}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    a_question_for_another_department_is_forwarded_and_counted_there,
    |t: TestApp| async move {
        let me = sign_in(&t, PHONE).await;
        let first = ask(&t, &me, "XK00001000", "低保申请需要哪些材料").await;
        let id = first["id"].as_i64().unwrap();
        let (status, view) = act(
            &t,
            "d01.officer",
            id,
            &json!(1),
            json!({"action": "forward", "item_code": "GG00003000", "reason": "属于最低生活保障事项"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["row"]["item_code"], "GG00003000");
        let officer = t.token("d01.officer").await;
        let (status, _) = t
            .get(&format!("/api/v1/consultations/{id}"), Some(&officer))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no longer the department's");
        let other = t.token("d02.officer").await;
        let (_, open) = t.get("/api/v1/consultations?open=true", Some(&other)).await;
        assert_eq!(open.as_array().unwrap().len(), 1);

        // A second question, withdrawn by its asker.
        let second = ask(&t, &me, "XK00001000", "可以网上办理吗").await;
        let (status, withdrawn) = t
            .post(
                &format!("/api/v1/online/consultations/{}/withdraw", second["id"]),
                Some(&me),
                json!({"expected_version": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        assert_eq!(withdrawn["state"], "withdrawn");

        let supervisor = t.token("supervisor").await;
        let (status, stats) = t
            .get(
                "/api/v1/consultations/statistics?month=2026-03",
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        let of = |name: &str| {
            stats
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["department_name"].as_str().unwrap().contains(name))
                .map(|d| d["stats"].clone())
        };
        let d02 = of("民政").expect("the forwarded question counts at D02");
        assert_eq!(
            (
                d02["asked"].clone(),
                d02["open"].clone(),
                d02["forwarded"].clone()
            ),
            (json!(1), json!(1), json!(1))
        );
        let d01 = of("市场监督").expect("D01");
        assert_eq!(
            (d01["asked"].clone(), d01["withdrawn"].clone()),
            (json!(1), json!(1))
        );
        let (status, _) = t
            .get(
                "/api/v1/consultations/statistics?month=March",
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);
