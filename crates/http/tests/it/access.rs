//! Who may do what: every endpoint against every kind of caller, as a table.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{CATALOG, TestApp, intake};

/// The callers of the table: nobody, then one account of each role.
const CALLERS: [&str; 10] = [
    "anonymous",
    "v20101.clerk",
    "t201.officer",
    "d01.clerk",
    "d01.officer",
    "d01.reviewer",
    "d01.approver",
    "t201.admin",
    "supervisor",
    "admin",
];

/// What a caller gets: a status class per caller, in `CALLERS` order.
/// `P` public 2xx, `A` 401, `F` 403, `N` 404, `K` 2xx, `V` 422 (allowed, then refused on content).
fn expected(code: char) -> fn(StatusCode) -> bool {
    match code {
        'A' => |s| s == StatusCode::UNAUTHORIZED,
        'F' => |s| s == StatusCode::FORBIDDEN,
        'N' => |s| s == StatusCode::NOT_FOUND,
        'V' => |s| s == StatusCode::UNPROCESSABLE_ENTITY,
        _ => |s| s.is_success(),
    }
}

both!(
    every_endpoint_answers_each_role_as_the_table_says,
    |t: TestApp| async move {
        // A case received at the hall for department D01, visible to D01's staff and supervisors.
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let id = case["summary"]["id"].as_i64().unwrap();
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        let staff_body = json!({"username": "new.person", "display_name": "新人", "unit_id": t.township.0,
        "roles": ["window_clerk"], "password": ""});
        let version_body = json!({"effective_from": "2026-06-01", "expected_version": 99, "cancel_reason": "测试"});
        let notice = json!({"toml": "year = 2027"});
        let officer = t
            .app
            .store
            .staff_by_username("t201.officer")
            .await
            .unwrap()
            .unwrap();
        let staff_change =
            json!({"expected_version": 99, "roles": ["handling_officer"], "active": true});
        // A withdraw with a stale version: permitted callers get 409, others 403/404 first.
        let act = json!({"expected_version": 99, "action": "withdraw", "reason": "测试"});
        let rows: Vec<(Method, String, Option<Value>, &str)> = vec![
            //                                                            anon v.clk t.off d.clk d.off d.rev d.apr t.adm sup adm
            (Method::GET, "/api/v1/health".into(), None, "PPPPPPPPPP"),
            (Method::GET, "/api/openapi.json".into(), None, "PPPPPPPPPP"),
            (Method::GET, "/api/v1/items".into(), None, "PPPPPPPPPP"),
            (
                Method::GET,
                "/api/v1/items/XK00001000".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/catalog/reform-report?from=2025-01-01&to=2026-01-01".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/catalog/export".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/add?from=2026-01-05&days=3".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/between?from=2026-01-05&to=2026-02-05".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/years/2026".into(),
                None,
                "PPPPPPPPPP",
            ),
            (Method::GET, "/api/v1/units".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                "/api/v1/departments".into(),
                None,
                "AKKKKKKKKK",
            ),
            (Method::GET, "/api/v1/windows".into(), None, "AKKKKKKKKK"),
            (Method::GET, "/api/v1/staff".into(), None, "AFFFFFFKKK"),
            (
                Method::POST,
                "/api/v1/staff".into(),
                Some(staff_body),
                "AFFFFFFVFV",
            ),
            (Method::GET, "/api/v1/cases".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                "/api/v1/cases/export".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                "/api/v1/cases/export?personal_data=full".into(),
                None,
                "AKKKKKKFFF",
            ),
            (
                Method::POST,
                "/api/v1/progress".into(),
                Some(json!({"number": number, "check": "31002X"})),
                "PPPPPPPPPP",
            ),
            (
                Method::POST,
                "/api/v1/cases".into(),
                Some(intake("XK00001000")),
                "AKFKFFFFFF",
            ),
            (
                Method::PATCH,
                format!("/api/v1/staff/{}", officer.id),
                Some(staff_change),
                "AFFFFFF9F9",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/{id}"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/by-number/{number}"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::POST,
                format!("/api/v1/cases/{id}/actions"),
                Some(act),
                "ANN9999N99",
            ),
            (
                Method::POST,
                "/api/v1/items/XK00001000/versions".into(),
                Some(version_body),
                "AFFFFFFFF9",
            ),
            (
                Method::POST,
                "/api/v1/calendar/notices".into(),
                Some(notice),
                "AFFFFFFFFV",
            ),
        ];
        let mut tokens = Vec::new();
        for caller in CALLERS {
            tokens.push(if caller == "anonymous" {
                None
            } else {
                Some(t.token(caller).await)
            });
        }
        let mut checked = 0;
        for (method, path, body, codes) in &rows {
            for ((caller, token), code) in CALLERS.iter().zip(&tokens).zip(codes.chars()) {
                let (status, answer, _) = t
                    .send(method.clone(), path, token.as_deref(), body.clone())
                    .await;
                let ok = match code {
                    '9' => status == StatusCode::CONFLICT,
                    c => expected(c)(status),
                };
                assert!(
                    ok,
                    "{method} {path} as {caller}: expected {code}, got {status} {answer}"
                );
                checked += 1;
            }
        }
        // The import takes a file body; only the system administrator gets past the role check.
        for (caller, token) in CALLERS.iter().zip(&tokens) {
            let (status, _, _) = t
                .send_raw(
                    Method::POST,
                    "/api/v1/catalog/import?effective_from=2026-06-01",
                    token.as_deref(),
                    Some(("text/csv", CATALOG.as_bytes().to_vec())),
                    &[],
                )
                .await;
            let want = match *caller {
                "anonymous" => StatusCode::UNAUTHORIZED,
                "admin" => StatusCode::OK,
                _ => StatusCode::FORBIDDEN,
            };
            assert_eq!(status, want, "import as {caller}");
            checked += 1;
        }
        eprintln!("access table: {checked} endpoint × caller checks");
    }
);

both!(
    repeated_failed_sign_ins_lock_the_account_for_a_while,
    |t: TestApp| async move {
        let attempt = |password: &'static str| {
            let t = &t;
            async move {
                t.post(
                    "/api/v1/auth/token",
                    None,
                    json!({"username": "d01.clerk", "password": password}),
                )
                .await
            }
        };
        for _ in 0..5 {
            assert_eq!(attempt("guess").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, problem) = attempt(crate::support::PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits: {problem}"
        );
        assert_eq!(problem["code"], "too_many_sign_in_attempts");
        assert!(problem["message_zh"].as_str().unwrap().contains("15分钟"));
        // Other accounts are not affected; the lock lifts when the window has passed.
        assert_eq!(t.token("d01.officer").await.len(), 64);
        t.clock.advance(chrono::Duration::minutes(16));
        let (status, _) = attempt(crate::support::PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
    }
);
