//! Sign-in, problems, health and the OpenAPI document.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::support::{Db, TestApp, intake};

both!(
    health_and_the_openapi_document_are_public,
    |t: TestApp| async move {
        let (status, body) = t.get("/api/v1/health", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
        assert_eq!(
            body["database"],
            if t.db == Db::Sqlite {
                "sqlite"
            } else {
                "postgres"
            }
        );
        let (status, doc) = t.get("/api/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            "/api/v1/cases",
            "/api/v1/cases/{id}/actions",
            "/api/v1/items/{code}",
            "/api/v1/calendar/add",
            "/api/v1/auth/token",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        assert!(doc["components"]["schemas"]["CaseView"].is_object());
    }
);

both!(
    staff_sign_in_with_a_password_and_use_a_bearer_token,
    |t: TestApp| async move {
        let (status, problem, headers) = t
            .send(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "d01.clerk", "password": "wrong"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem["code"], "bad_credentials");
        assert_eq!(problem["message_zh"], "用户名或密码错误");
        assert_eq!(problem["message_en"], "wrong username or password");

        let (status, problem) = t.get("/api/v1/cases", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(problem["code"], "unauthenticated");
        let (status, _) = t.get("/api/v1/cases", Some("not-a-token")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let token = t.token("d01.clerk").await;
        let (status, list) = t.get("/api/v1/cases", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let (status, _, _) = t
            .send(Method::DELETE, "/api/v1/auth/token", Some(&token), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = t.get("/api/v1/cases", Some(&token)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a revoked token no longer works"
        );

        let entries = t.app.store.audit_entries(10).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "sign_in_failed" && e.target == "staff:d01.clerk")
        );
        assert!(entries.iter().any(|e| e.action == "sign_in"));
    }
);

both!(
    malformed_requests_get_problem_documents_not_panics,
    |t: TestApp| async move {
        let token = t.token("d01.clerk").await;
        let (status, problem, headers) = t
            .send_raw(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(("application/json", b"{not json".to_vec())),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem["code"], "malformed_request");

        let mut bad_id = intake("XK00001000");
        bad_id["applicant"]["resident_id"] = json!("110105194912310021");
        let (status, problem) = t.post("/api/v1/cases", Some(&token), bad_id).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(
            problem["message_zh"].as_str().unwrap().contains("校验"),
            "{problem}"
        );

        let (status, problem) = t.get("/api/v1/cases/not-a-number", Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        let (status, problem) = t.get("/api/v1/nowhere", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(problem["code"], "not_found");

        let huge = vec![b' '; liandong_http::MAX_BODY_BYTES + 10];
        let (status, problem, _) = t
            .send_raw(
                Method::POST,
                "/api/v1/cases",
                Some(&token),
                Some(("application/json", huge)),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert_eq!(problem["code"], "payload_too_large");

        let (status, problem) = t
            .get("/api/v1/calendar/add?from=2026-02-30&days=1", None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    }
);

both!(
    every_response_carries_the_security_headers,
    |t: TestApp| async move {
        let (_, _, headers) = t.send(Method::GET, "/api/v1/health", None, None).await;
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
    }
);

both!(
    the_calendar_reckons_working_days_around_the_holidays,
    |t: TestApp| async move {
        let (status, body) = t
            .get("/api/v1/calendar/add?from=2026-02-13&days=1", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["date"], "2026-02-14", "the adjusted Saturday works");
        let (_, body) = t
            .get("/api/v1/calendar/add?from=2026-02-14&days=1", None)
            .await;
        assert_eq!(
            body["date"], "2026-02-24",
            "Spring Festival 2026 runs 15–23 February"
        );
        let (_, body) = t
            .get(
                "/api/v1/calendar/between?from=2025-09-30&to=2025-10-12",
                None,
            )
            .await;
        assert_eq!(
            body["working_days"], 3,
            "9, 10 and the adjusted Saturday 11 October"
        );
        assert_eq!(body["provisional"], false);
        let (_, year) = t.get("/api/v1/calendar/years/2026", None).await;
        assert_eq!(year["working_days"], 248);
        assert_eq!(year["provisional"], false);
        let (_, next) = t.get("/api/v1/calendar/years/2027", None).await;
        assert_eq!(next["provisional"], true);
        let (_, body) = t
            .get("/api/v1/calendar/add?from=2027-02-04&days=1", None)
            .await;
        assert_eq!(body["provisional"], true);
        assert_eq!(
            body["date"], "2027-02-09",
            "the law's Spring Festival days 5–8 February 2027 are rest days"
        );
    }
);

both!(
    the_organization_is_listed_and_staff_are_created_by_administrators,
    |t: TestApp| async move {
        let clerk = t.token("d01.clerk").await;
        let (status, units) = t.get("/api/v1/units", Some(&clerk)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(units.as_array().unwrap().len(), 6);
        let (_, departments) = t.get("/api/v1/departments", Some(&clerk)).await;
        assert_eq!(departments[0]["code"], "D01");
        let (status, windows) = t
            .get(
                &format!("/api/v1/windows?unit_id={}", t.township.0),
                Some(&clerk),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(windows, json!([]));
        let (status, _) = t.get("/api/v1/units", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let (status, problem) = t.get("/api/v1/staff", Some(&clerk)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let village = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "20101")
            .unwrap()["id"]
            .clone();
        let other_township = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "202")
            .unwrap()["id"]
            .clone();
        let new_clerk = json!({
            "username": "v20101.clerk2", "display_name": "李秀英", "unit_id": village,
            "roles": ["window_clerk"], "password": "a-long-password"
        });
        let unit_admin = t.token("t201.admin").await;
        let (status, created) = t
            .post("/api/v1/staff", Some(&unit_admin), new_clerk.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["roles"], json!(["window_clerk"]));
        assert!(
            created.get("password_hash").is_none(),
            "the hash never leaves the server"
        );
        let (status, problem) = t
            .post("/api/v1/staff", Some(&unit_admin), new_clerk.clone())
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        let mut elsewhere = new_clerk.clone();
        elsewhere["username"] = json!("t202.clerk2");
        elsewhere["unit_id"] = other_township;
        let (status, _) = t.post("/api/v1/staff", Some(&unit_admin), elsewhere).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a unit administrator keeps only their own units"
        );
        let mut weak = new_clerk.clone();
        weak["username"] = json!("x");
        weak["password"] = json!("short");
        let (status, problem) = t.post("/api/v1/staff", Some(&unit_admin), weak).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
        let mut nowhere = new_clerk.clone();
        nowhere["username"] = json!("v20101.clerk3");
        nowhere["department_id"] = json!(i64::MAX - 1);
        let (status, problem) = t.post("/api/v1/staff", Some(&unit_admin), nowhere).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "an unknown department is the caller's mistake: {problem}"
        );

        let (_, listed) = t.get("/api/v1/staff", Some(&unit_admin)).await;
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["username"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"v20101.clerk2") && !names.contains(&"d01.clerk"),
            "{names:?}"
        );
        let (status, signed_in) = t
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": "v20101.clerk2", "password": "a-long-password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{signed_in}");
    }
);

/// Schemas are named after their Rust types: two types of one name would silently become one
/// schema, and every operation using the loser would document the wrong body.
#[test]
fn schemas_of_types_with_the_same_name_are_kept_apart() {
    let doc = serde_json::to_value(liandong_http::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["Health"]["properties"]["database"].is_object(),
        "the server's health"
    );
    assert!(
        schemas["CameraHealth"]["enum"].is_array(),
        "a camera's health"
    );
    assert!(
        schemas["DutyPauseReason"]["enum"].is_array(),
        "a window's pause"
    );
    assert!(
        schemas["PauseReason"]["enum"].is_null(),
        "a case's pause is tagged, not a plain enum"
    );
}

/// The OpenAPI document is kept in docs/openapi.json so that an API change shows as a diff.
/// `LIANDONG_UPDATE_OPENAPI=1 cargo test -p liandong-http --test it openapi` rewrites it.
#[test]
fn the_openapi_document_matches_the_one_kept_in_docs() {
    let generated = serde_json::to_string_pretty(&liandong_http::openapi()).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("LIANDONG_UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).unwrap();
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == generated,
        "docs/openapi.json is out of date: rerun with LIANDONG_UPDATE_OPENAPI=1 and review the diff"
    );
}

both!(
    an_administrator_changes_roles_locks_and_resets_an_account,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let victim = t.token("t201.officer").await;
        let (_, staff) = t.get("/api/v1/staff", Some(&admin)).await;
        let officer = staff
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["username"] == "t201.officer")
            .unwrap()
            .clone();
        let url = format!("/api/v1/staff/{}", officer["id"]);
        let change = json!({"expected_version": officer["version"], "roles": ["handling_officer", "reviewer"], "active": true});
        let (status, changed, _) = t
            .send(Method::PATCH, &url, Some(&admin), Some(change.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["roles"], json!(["handling_officer", "reviewer"]));
        let (status, _) = t.get("/api/v1/cases", Some(&victim)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a role change ends the account's sign-ins"
        );
        let (status, problem, _) = t
            .send(Method::PATCH, &url, Some(&admin), Some(change))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale edit: {problem}");

        let lock = json!({"expected_version": changed["version"], "roles": ["handling_officer"], "active": false});
        let (status, locked, _) = t.send(Method::PATCH, &url, Some(&admin), Some(lock)).await;
        assert_eq!((status, &locked["active"]), (StatusCode::OK, &json!(false)));
        let (status, _) = t
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": "t201.officer", "password": crate::support::PASSWORD}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a locked account cannot sign in"
        );

        let reset = json!({"expected_version": locked["version"], "roles": ["handling_officer"], "active": true, "new_password": "a-new-password-2"});
        let (status, _, _) = t.send(Method::PATCH, &url, Some(&admin), Some(reset)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = t
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": "t201.officer", "password": "a-new-password-2"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // A unit administrator may not raise anyone to a district-wide role.
        let unit_admin = t.token("t201.admin").await;
        let (_, now) = t.get("/api/v1/staff", Some(&admin)).await;
        let officer = now
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["username"] == "t201.officer")
            .unwrap()
            .clone();
        let raise = json!({"expected_version": officer["version"], "roles": ["supervisor"], "active": true});
        let (status, _, _) = t
            .send(Method::PATCH, &url, Some(&unit_admin), Some(raise))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let entries = t.app.store.audit_entries(50).await.unwrap();
        let changes: Vec<&str> = entries
            .iter()
            .filter(|e| e.action == "staff_changed")
            .map(|e| e.detail.as_str())
            .collect();
        assert_eq!(
            changes,
            [
                "enabled; password reset",
                "roles handling_officer,reviewer -> handling_officer; disabled",
                "roles handling_officer -> handling_officer,reviewer"
            ]
        );
    }
);

/// The statuses the document declares for `method path`.
fn declared(doc: &serde_json::Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} is documented"))
        .keys()
        .cloned()
        .collect()
}

both!(
    every_status_the_fuzzer_met_is_in_the_document,
    |t: TestApp| async move {
        // Found by scripts/fuzz-api.sh (schemathesis): these answers were right, the document
        // did not declare them.
        let (_, doc) = t.get("/api/openapi.json", None).await;
        let token = t.token("admin").await;
        let json = |body: &str| Some(("application/json", body.as_bytes().to_vec()));
        let token = Some(token.as_str());
        let cases = vec![
            (
                Method::GET,
                "/api/v1/cases",
                "/api/v1/cases",
                None,
                None,
                401,
            ),
            (
                Method::GET,
                "/api/v1/staff?unit_id=99999999999999999999",
                "/api/v1/staff",
                token,
                None,
                400,
            ),
            (
                Method::GET,
                "/api/v1/windows?unit_id=x",
                "/api/v1/windows",
                token,
                None,
                400,
            ),
            (
                Method::GET,
                "/api/v1/cases/2.5",
                "/api/v1/cases/{id}",
                token,
                None,
                400,
            ),
            (
                Method::GET,
                "/api/v1/cases/by-number/x",
                "/api/v1/cases/by-number/{number}",
                token,
                None,
                422,
            ),
            (
                Method::GET,
                "/api/v1/items/0",
                "/api/v1/items/{code}",
                None,
                None,
                422,
            ),
            (
                Method::GET,
                "/api/v1/calendar/years/2147483648",
                "/api/v1/calendar/years/{year}",
                None,
                None,
                400,
            ),
            (
                Method::GET,
                "/api/v1/calendar/add?from=2026-01-01&days=4000",
                "/api/v1/calendar/add",
                None,
                None,
                422,
            ),
            (
                Method::GET,
                "/api/v1/calendar/between?from=1901-01-01&to=2099-01-01",
                "/api/v1/calendar/between",
                None,
                None,
                422,
            ),
            (
                Method::GET,
                "/api/v1/catalog/reform-report?from=2026-01-01",
                "/api/v1/catalog/reform-report",
                None,
                None,
                400,
            ),
            (
                Method::POST,
                "/api/v1/auth/token",
                "/api/v1/auth/token",
                None,
                None,
                415,
            ),
            (
                Method::POST,
                "/api/v1/auth/token",
                "/api/v1/auth/token",
                None,
                json("\"x\""),
                400,
            ),
            (
                Method::POST,
                "/api/v1/staff",
                "/api/v1/staff",
                token,
                None,
                415,
            ),
            (
                Method::POST,
                "/api/v1/calendar/notices",
                "/api/v1/calendar/notices",
                token,
                json("{"),
                400,
            ),
            (
                Method::POST,
                "/api/v1/cases",
                "/api/v1/cases",
                token,
                json("{}"),
                400,
            ),
            (
                Method::POST,
                "/api/v1/cases/1/actions",
                "/api/v1/cases/{id}/actions",
                token,
                None,
                415,
            ),
            (
                Method::POST,
                "/api/v1/items/XK00001000/versions",
                "/api/v1/items/{code}/versions",
                token,
                json("[]"),
                400,
            ),
            (
                Method::POST,
                "/api/v1/catalog/import",
                "/api/v1/catalog/import",
                token,
                Some(("text/csv", vec![])),
                400,
            ),
            (
                Method::PATCH,
                "/api/v1/staff/1",
                "/api/v1/staff/{id}",
                token,
                json("{\"expected_version\": 1.5}"),
                400,
            ),
        ];
        for (method, uri, path, token, body, expected) in cases {
            let operation = method.as_str().to_lowercase();
            let (status, problem, headers) = t.send_raw(method, uri, token, body, &[]).await;
            assert_eq!(status.as_u16(), expected, "{uri}: {problem}");
            assert_eq!(headers["content-type"], "application/problem+json", "{uri}");
            assert!(
                declared(&doc, &operation, path).contains(&expected.to_string()),
                "{operation} {path} declares {expected}"
            );
        }

        // The export's XLSX media type is declared as well as CSV.
        let (status, _, headers) = t
            .send(
                Method::GET,
                "/api/v1/catalog/export?format=xlsx",
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let content = &doc["paths"]["/api/v1/catalog/export"]["get"]["responses"]["200"]["content"];
        assert!(
            content[headers["content-type"].to_str().unwrap()].is_object(),
            "{content}"
        );

        // Every reference resolves (`SortOrder` and `FileFormat` did not), and every response
        // has the description OpenAPI requires.
        let text = doc.to_string();
        for reference in text.split("\"#/components/schemas/").skip(1) {
            let name = reference.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{name} resolves"
            );
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    assert!(
                        response["description"]
                            .as_str()
                            .is_some_and(|d| !d.is_empty()),
                        "{method} {path} {status} has a description"
                    );
                }
                let secured = operation.get("security").is_some();
                assert_eq!(
                    operation["responses"].get("401").is_some(),
                    secured || path == "/api/v1/auth/token",
                    "{method} {path}: 401 declared exactly where a token is needed"
                );
            }
        }
    }
);

both!(
    text_with_the_nul_character_is_refused_not_a_storage_error,
    |t: TestApp| async move {
        // PostgreSQL cannot store U+0000: a name, a search or a sign-in with one was a 503
        // with the database's message.
        let clerk = t.token("d01.clerk").await;
        let admin = t.token("admin").await;
        let mut nul_name = intake("XK00001000");
        nul_name["applicant"]["name"] = json!("王\u{0}建国");
        let mut nul_comment = intake("XK00001000");
        nul_comment["comment"] = json!("\u{0}");
        let requests = [
            (
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "ad\u{0}min", "password": "x"})),
            ),
            ("/api/v1/cases", Some(&clerk), Some(nul_name)),
            ("/api/v1/cases", Some(&clerk), Some(nul_comment)),
            ("/api/v1/items?q=%00", None, None),
            ("/api/v1/cases?q=a%00b", Some(&clerk), None),
            ("/api/v1/cases/by-number/%00", Some(&clerk), None),
        ];
        for (uri, token, body) in requests {
            let method = if body.is_some() {
                Method::POST
            } else {
                Method::GET
            };
            let (status, problem, _) = t.send(method, uri, token.map(String::as_str), body).await;
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
                "{uri}: {status} {problem}"
            );
            assert_ne!(problem["code"], "storage_unavailable", "{uri}");
        }
        let (_, problem) = t.get("/api/v1/items?q=%00", None).await;
        assert_eq!(problem["code"], "invalid_input");
        assert_eq!(
            problem["message_en"],
            "text must not contain the NUL character (U+0000)"
        );
        assert!(
            problem["message_zh"].as_str().unwrap().contains("空字符"),
            "{problem}"
        );

        // An escaped backslash before "u0000" is ordinary text.
        let mut backslash = intake("XK00001000");
        backslash["comment"] = json!("C:\\u0000");
        let (status, created) = t.post("/api/v1/cases", Some(&clerk), backslash).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");

        // A catalog file too.
        let csv = crate::support::CATALOG
            .replace("个体工商户名称变更登记", "个体工商户\u{0}名称变更登记");
        let (status, problem, _) = t
            .send_raw(
                Method::POST,
                "/api/v1/catalog/import?effective_from=2026-06-01",
                Some(&admin),
                Some(("text/csv", csv.into_bytes())),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "file");
    }
);

both!(
    problem_messages_are_one_language_each,
    |t: TestApp| async move {
        let has_chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        // A domain message inside an extractor's detail: "…: 中文 / English at line 1 column N".
        let clerk = t.token("d01.clerk").await;
        let mut bad_id = intake("XK00001000");
        bad_id["applicant"]["resident_id"] = json!("");
        let (status, problem) = t.post("/api/v1/cases", Some(&clerk), bad_id).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        let (zh, en) = (
            problem["message_zh"].as_str().unwrap(),
            problem["message_en"].as_str().unwrap(),
        );
        assert!(has_chinese(zh) && !zh.contains(" / "), "{zh}");
        assert!(!has_chinese(en) && en.contains("applicant"), "{en}");
        assert!(en.contains("line 1"), "{en}");

        // A bare label, "事项 service item", said in each language.
        let (status, problem) = t.get("/api/v1/items/XK99999999", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(problem["message_zh"], "未找到事项");
        assert_eq!(problem["message_en"], "service item not found");
    }
);

both!(
    a_storage_failure_is_a_503_that_does_not_show_the_database_error,
    |t: TestApp| async move {
        let token = t.token("admin").await;
        t.app.store.close().await;
        let (status, problem, headers) = t
            .send(Method::GET, "/api/v1/units", Some(&token), None)
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem["code"], "storage_unavailable");
        assert_eq!(problem["message_zh"], "服务暂时不可用，请稍后重试");
        assert_eq!(
            problem["message_en"],
            "the service is unavailable; try again later"
        );
    }
);

both!(
    dates_are_yyyy_mm_dd_within_the_calendar,
    |t: TestApp| async move {
        // chrono alone took `+10000-01-01` and gave back `+10013-12-27`, which no `date`
        // parser reads.
        for uri in [
            "/api/v1/calendar/add?from=%2B10000-01-01&days=1",
            "/api/v1/calendar/add?from=-0001-01-01&days=1",
            "/api/v1/calendar/add?from=2026-1-5&days=1",
            "/api/v1/calendar/add?from=%202026-01-05&days=1",
            "/api/v1/catalog/reform-report?from=2026-01-01&to=%2B10000-01-01",
            "/api/v1/catalog/reform-report?from=2026-02-30&to=2026-03-01",
        ] {
            let (status, problem) = t.get(uri, None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {problem}");
            assert!(
                problem["message_en"]
                    .as_str()
                    .unwrap()
                    .contains("a valid YYYY-MM-DD date"),
                "{problem}"
            );
        }
        for uri in [
            "/api/v1/calendar/add?from=9999-12-31&days=3650",
            "/api/v1/calendar/add?from=1900-12-31&days=1",
            "/api/v1/calendar/between?from=2026-01-01&to=2100-01-01",
        ] {
            let (status, problem) = t.get(uri, None).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {problem}");
            assert_eq!(
                problem["message_en"],
                "the date must be within the years 1901 to 2099"
            );
        }
        let (status, body) = t
            .get("/api/v1/calendar/add?from=2099-12-31&days=3650", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = t.token("admin").await;
        let (status, problem) = t
            .get("/api/v1/cases?received_from=2026-3-1", Some(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        let (status, list) = t
            .get(
                "/api/v1/cases?received_from=2026-03-01&received_to=2026-03-31",
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
    }
);
