//! Online services through the API: the applicant's SMS sign-in, an application with its
//! materials, the window's pre-examination and the supplement answered online, down to the
//! certificate and its verification; and the refusals of bad codes and bad files.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use liandong_domain::notify::MessageKind;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestApp;

const PHONE: &str = "13912345678";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

/// The latest sign-in code the outbox holds for `phone`, as the SMS carries it.
pub(crate) async fn code_sent_to(t: &TestApp, phone: &str) -> String {
    let (message, code) = liandong_testkit::outbox::sign_in_code_sent_to(&t.app.store, phone).await;
    assert!(
        !message.masked_text.contains(&message.text[..]) && message.masked_text.contains("******"),
        "whoever reads the outbox does not see the code: {}",
        message.masked_text
    );
    code
}

/// Signs `phone` in with a fresh code; returns the applicant's token.
pub(crate) async fn sign_in(t: &TestApp, phone: &str) -> String {
    let (status, sent) = t
        .post("/api/v1/online/codes", None, json!({"phone": phone}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code = code_sent_to(t, phone).await;
    let (status, token) = t
        .post(
            "/api/v1/online/sessions",
            None,
            json!({"phone": phone, "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    token["token"].as_str().unwrap().to_owned()
}

fn file(material: &str, name: &str, bytes: &[u8]) -> Value {
    json!({"material": material, "file_name": name, "content_base64": STANDARD.encode(bytes)})
}

fn application(files: Vec<Value>) -> Value {
    json!({
        "item_code": "XK00001000",
        "applicant": {"type": "person", "name": "李秀英", "resident_id": "11010519491231002X"},
        "files": files,
    })
}

both!(
    an_online_application_from_sign_in_to_certificate_and_verification,
    |t: TestApp| async move {
        // Sign-in: a code, not twice within the minute, a wrong guess counted.
        let (status, sent) = t
            .post("/api/v1/online/codes", None, json!({"phone": PHONE}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        assert_eq!(sent["phone"], "139****5678");
        let (status, again) = t
            .post("/api/v1/online/codes", None, json!({"phone": PHONE}))
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{again}");
        assert_eq!(again["code"], "too_many_codes");
        let code = code_sent_to(&t, PHONE).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let (status, refused) = t
            .post(
                "/api/v1/online/sessions",
                None,
                json!({"phone": PHONE, "code": wrong}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["errors"][0]["message_zh"]
                .as_str()
                .unwrap()
                .contains("还可再试4次"),
            "{refused}"
        );
        let (status, signed) = t
            .post(
                "/api/v1/online/sessions",
                None,
                json!({"phone": PHONE, "code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{signed}");
        let me = signed["token"].as_str().unwrap().to_owned();
        let (status, _) = t
            .post(
                "/api/v1/online/sessions",
                None,
                json!({"phone": PHONE, "code": code}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a code signs in once"
        );
        let (status, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!((status, mine.clone()), (StatusCode::OK, json!([])));

        // The application, with the form but not the licence copy the item requires.
        let (status, view) = t
            .post(
                "/api/v1/online/cases",
                Some(&me),
                application(vec![file("申请书", "申请书.pdf", PDF)]),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        let id = view["id"].as_i64().unwrap();
        assert_eq!(view["channel"], "online");
        assert_eq!(view["progress"]["state"], "submitted");
        assert_eq!(view["files"].as_array().unwrap().len(), 1);
        assert_eq!(view["files"][0]["media_type"], "pdf");
        assert!(
            view["messages"][0]["text"]
                .as_str()
                .unwrap()
                .contains("申请已收到"),
            "{view}"
        );
        let (_, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(mine[0]["item_name"], "食品经营许可（新办）");

        // The window's pre-examination: the clerk sees the case and its file.
        let clerk = t.token("d01.clerk").await;
        let (status, case) = t.get(&format!("/api/v1/cases/{id}"), Some(&clerk)).await;
        assert_eq!(status, StatusCode::OK, "{case}");
        assert_eq!(case["summary"]["channel"], "online");
        assert_eq!(
            case["events"][0]["actor"],
            Value::Null,
            "no officer took it in"
        );
        let (_, files) = t
            .get(&format!("/api/v1/cases/{id}/files"), Some(&clerk))
            .await;
        let file_id = files[0]["id"].as_i64().unwrap();
        let (status, content_type, bytes) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/cases/{id}/files/{file_id}"),
                Some(&clerk),
                None,
            )
            .await;
        assert_eq!(
            (status, content_type.as_str(), bytes.as_slice()),
            (StatusCode::OK, "application/pdf", PDF)
        );
        let (status, refused) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let (status, case) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "request_supplement", "missing": ["营业执照"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{case}");

        // The applicant sees the notice and answers it online.
        let (_, view) = t
            .get(&format!("/api/v1/online/cases/{id}"), Some(&me))
            .await;
        assert_eq!(view["missing"], json!(["营业执照"]));
        assert_eq!(view["actions"], json!(["supplement", "withdraw"]));
        assert!(
            view["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["text"].as_str().unwrap().contains("营业执照")),
            "the notice came by SMS: {view}"
        );
        let supplement = |version: &Value| json!({"expected_version": version, "files": [file("营业执照", "执照.png", PNG)]});
        let (status, _) = t
            .post(
                &format!("/api/v1/online/cases/{id}/supplement"),
                Some(&me),
                supplement(&json!(1)),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");
        let (status, view) = t
            .post(
                &format!("/api/v1/online/cases/{id}/supplement"),
                Some(&me),
                supplement(&view["version"]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["progress"]["state"], "submitted");
        assert_eq!(view["files"].as_array().unwrap().len(), 2);
        assert_eq!(view["files"][1]["seq"], 3, "brought by the supplement");
        assert_eq!(view["missing"], json!([]));

        // Someone else signed in sees none of it.
        let other = sign_in(&t, "13700137000").await;
        let (status, _) = t
            .get(&format!("/api/v1/online/cases/{id}"), Some(&other))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/online/cases/{id}/files/{file_id}"),
                Some(&other),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, bytes) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/online/cases/{id}/files/{file_id}"),
                Some(&me),
                None,
            )
            .await;
        assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));

        // The case goes through like any other; the certificate reaches the applicant.
        let (_, case) = t.get(&format!("/api/v1/cases/{id}"), Some(&clerk)).await;
        assert_eq!(
            case["events"][2]["actor"],
            Value::Null,
            "the applicant supplemented"
        );
        t.decide_licence(&case).await;
        let (status, content_type, pdf) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/online/cases/{id}/certificate"),
                Some(&me),
                None,
            )
            .await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "application/pdf")
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let (_, certificates) = t
            .get(&format!("/api/v1/cases/{id}/certificates"), Some(&clerk))
            .await;
        let identifier = certificates[0]["identifier"].as_str().unwrap().to_owned();
        let (status, answer) = t
            .get(
                &format!("/api/v1/certificates/verify?code={identifier}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["status"], "valid", "{answer}");
        // And offline, the file against the district's published key.
        let (_, key) = t.get("/api/v1/certificates/public-key", None).await;
        let key =
            liandong_certificate::parse_public_key(key["public_key"].as_str().unwrap()).unwrap();
        let verified = liandong_certificate::verify_pdf(&pdf, &key).unwrap();
        assert_eq!(verified.payload.identifier.to_string(), identifier);

        // Signing out ends the token.
        let (status, _, _) = t
            .send(Method::DELETE, "/api/v1/online/sessions", Some(&me), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

both!(
    uploads_too_large_or_of_the_wrong_type_are_refused_with_a_clear_message,
    |t: TestApp| async move {
        let me = sign_in(&t, PHONE).await;
        let refused = |files: Vec<Value>| {
            let (t, me) = (&t, &me);
            async move {
                let (status, problem) = t
                    .post("/api/v1/online/cases", Some(me), application(files))
                    .await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
                assert_eq!(problem["errors"][0]["field"], "files");
                (
                    problem["errors"][0]["message_zh"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    problem["errors"][0]["message_en"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            }
        };
        let (zh, en) = refused(vec![file("申请书", "申请书.pdf", b"MZ\x90\0 not a pdf")]).await;
        assert!(zh.contains("不是PDF、JPEG或PNG格式"), "{zh}");
        assert!(en.contains("not a PDF, JPEG or PNG"), "{en}");
        let mut big = PDF.to_vec();
        big.resize(10 * 1024 * 1024 + 1, b' ');
        let (zh, _) = refused(vec![file("申请书", "扫描件.pdf", &big)]).await;
        assert!(zh.contains("过大") && zh.contains("10 MB"), "{zh}");
        let (zh, _) = refused(vec![file("户口簿", "户口簿.pdf", PDF)]).await;
        assert!(zh.contains("不是本事项的申请材料"), "{zh}");
        let (zh, _) = refused(vec![file("申请书", "空.pdf", b"")]).await;
        assert!(zh.contains("是空的"), "{zh}");
        let (zh, _) = refused(vec![]).await;
        assert!(zh.contains("至少上传一个文件"), "{zh}");
        let (status, problem) = t
            .post(
                "/api/v1/online/cases",
                Some(&me),
                application(vec![
                    json!({"material": "申请书", "file_name": "a.pdf", "content_base64": "!!"}),
                ]),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        // Past the request limit: refused before it is read.
        let (status, _, _) = t
            .send_raw(
                Method::POST,
                "/api/v1/online/cases",
                Some(&me),
                Some(("application/json", vec![b' '; 41 * 1024 * 1024])),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        // Nothing was taken in.
        let (_, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!(mine, json!([]));
    }
);

both!(
    a_code_expires_is_spent_by_five_wrong_guesses_and_is_limited_per_day,
    |t: TestApp| async move {
        let ask = || async {
            t.post("/api/v1/online/codes", None, json!({"phone": PHONE}))
                .await
        };
        let try_code = |code: String| {
            let t = &t;
            async move {
                t.post(
                    "/api/v1/online/sessions",
                    None,
                    json!({"phone": PHONE, "code": code}),
                )
                .await
            }
        };
        assert_eq!(ask().await.0, StatusCode::ACCEPTED);
        let code = code_sent_to(&t, PHONE).await;
        t.clock.advance(Duration::minutes(6));
        let (status, expired) = try_code(code).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            expired["errors"][0]["message_en"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{expired}"
        );

        assert_eq!(ask().await.0, StatusCode::ACCEPTED);
        let code = code_sent_to(&t, PHONE).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            assert_eq!(
                try_code(wrong.into()).await.0,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        assert_eq!(
            try_code(code).await.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "five wrong guesses spend the code"
        );

        // Five an hour: three more now, a minute apart; the sixth waits for the hour.
        for _ in 0..3 {
            t.clock.advance(Duration::seconds(61));
            assert_eq!(ask().await.0, StatusCode::ACCEPTED);
        }
        t.clock.advance(Duration::seconds(61));
        let (status, problem) = ask().await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        assert!(problem["message_zh"].as_str().unwrap().contains("次数过多"));
        // A day on, the codes and the session are forgotten; the limits start afresh.
        let session = sign_in_after_a_day(&t).await;
        assert!(!session.is_empty());
        // A landline cannot receive a code.
        let (status, _) = t
            .post(
                "/api/v1/online/codes",
                None,
                json!({"phone": "023-67890123"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

/// Lets a day pass, purges, and signs in again: the day's limit no longer counts the old codes.
async fn sign_in_after_a_day(t: &TestApp) -> String {
    t.clock.advance(Duration::hours(25));
    let purged = t.app.purge_sign_ins().await.unwrap();
    assert!(purged >= 5, "the day's codes are gone: {purged}");
    assert_eq!(t.app.purge_sign_ins().await.unwrap(), 0);
    sign_in(t, PHONE).await
}

both!(
    the_applicant_withdraws_online_and_the_township_handles_its_own_items,
    |t: TestApp| async move {
        let me = sign_in(&t, PHONE).await;
        let township_item = json!({
            "item_code": "GG00003000",
            "applicant": {"type": "person", "name": "李秀英", "resident_id": "11010519491231002X"},
            "files": [file("申请书", "申请书.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10])],
        });
        let (status, problem) = t
            .post("/api/v1/online/cases", Some(&me), township_item.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "township");
        let mut chosen = township_item;
        chosen["township"] = json!(t.township.0);
        let (status, view) = t.post("/api/v1/online/cases", Some(&me), chosen).await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        assert_eq!(view["progress"]["handling_unit"], "双龙湖街道便民服务中心");
        assert!(
            view["progress"]["number"]
                .as_str()
                .unwrap()
                .starts_with("201-")
        );
        let id = view["id"].as_i64().unwrap();
        let withdraw =
            |reason: &str, version: &Value| json!({"expected_version": version, "reason": reason});
        let (status, _) = t
            .post(
                &format!("/api/v1/online/cases/{id}/withdraw"),
                Some(&me),
                withdraw(" ", &view["version"]),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is needed"
        );
        let (status, withdrawn) = t
            .post(
                &format!("/api/v1/online/cases/{id}/withdraw"),
                Some(&me),
                withdraw("已在窗口办理", &view["version"]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{withdrawn}");
        assert_eq!(withdrawn["progress"]["state"], "withdrawn");
        assert_eq!(withdrawn["actions"], json!([]));
        let (status, problem) = t
            .post(
                &format!("/api/v1/online/cases/{id}/supplement"),
                Some(&me),
                json!({"expected_version": withdrawn["version"], "files": [file("申请书", "a.pdf", PDF)]}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        // A case taken in at a window under the same phone is in the applicant's list too.
        let mut window_case = crate::support::intake("XK00001000");
        window_case["phone"] = json!(PHONE);
        let clerk = t.token("d01.clerk").await;
        let (status, _) = t.post("/api/v1/cases", Some(&clerk), window_case).await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        let channels: Vec<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["summary"]["channel"].as_str().unwrap())
            .collect();
        assert_eq!(channels, ["window", "online"], "newest first");
    }
);

both!(
    a_submit_sent_twice_with_its_key_makes_one_case,
    |t: TestApp| async move {
        let me = sign_in(&t, PHONE).await;
        let submit = |body: Value, key: &'static str| {
            let (t, me) = (&t, &me);
            async move {
                let bytes = body.to_string().into_bytes();
                t.send_raw(
                    Method::POST,
                    "/api/v1/online/cases",
                    Some(me),
                    Some(("application/json", bytes)),
                    &[("idempotency-key", key)],
                )
                .await
            }
        };
        let body = application(vec![file("申请书", "申请书.pdf", PDF)]);
        let (status, first, _) = submit(body.clone(), "apply-1").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        // The double click: the same application, the same key → the same case.
        let (status, again, _) = submit(body.clone(), "apply-1").await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["id"], first["id"]);
        let (_, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
        // The key with another application (another file) is refused, and makes nothing.
        let other = application(vec![file("申请书", "申请书.png", PNG)]);
        let (status, problem, _) = submit(other.clone(), "apply-1").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["code"], "idempotency_key_reused");
        // Another applicant's key of the same text is theirs alone.
        let neighbour = sign_in(&t, "13700001111").await;
        let (status, theirs, _) = t
            .send_raw(
                Method::POST,
                "/api/v1/online/cases",
                Some(&neighbour),
                Some(("application/json", body.to_string().into_bytes())),
                &[("idempotency-key", "apply-1")],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{theirs}");
        assert_ne!(theirs["id"], first["id"]);
        // A new key is a new application.
        let (status, second, _) = submit(other, "apply-2").await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        assert_ne!(second["id"], first["id"]);
        let (_, mine) = t.get("/api/v1/online/cases", Some(&me)).await;
        assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
        // One "application received" message per case, not per click.
        let received = liandong_testkit::outbox::messages(&t.app.store, MessageKind::Received)
            .await
            .into_iter()
            .filter(|m| m.phone == PHONE)
            .count();
        assert_eq!(received, 2);
    }
);
