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
