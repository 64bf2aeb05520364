//! The catalog: service guide, dated versions, reform report, import and export.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::support::{CATALOG, TestApp};

/// The test catalog with XK00001000 committed to 6 working days instead of 8.
fn shortened() -> String {
    CATALOG
        .replace(",20,8,false,false,", ",20,6,false,false,")
        .replace("handle|5|handling_officer", "handle|3|handling_officer")
}

/// Imports a catalog CSV as the administrator, in force from 1 June 2026.
async fn import_csv(t: &TestApp, csv: String) -> (StatusCode, serde_json::Value) {
    let admin = t.token("admin").await;
    let (status, answer, _) = t
        .send_raw(
            Method::POST,
            "/api/v1/catalog/import?format=csv&effective_from=2026-06-01",
            Some(&admin),
            Some(("text/csv", csv.into_bytes())),
            &[],
        )
        .await;
    (status, answer)
}

both!(
    the_service_guide_is_public_and_versions_are_kept,
    |t: TestApp| async move {
        let (status, items) = t.get("/api/v1/items?q=食品", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(items.as_array().unwrap().len(), 1);
        let (status, guide) = t.get("/api/v1/items/XK00001000", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(guide["record"]["item"]["committed_days"], 8);
        assert_eq!(guide["record"]["item"]["materials"][0]["name"], "申请书");
        assert_eq!(guide["versions"].as_array().unwrap().len(), 1);

        let admin = t.token("admin").await;
        let mut item = guide["record"]["item"].clone();
        item["committed_days"] = json!(5);
        item["steps"] = json!([
            {"kind": "handle", "share_days": 4, "role": "handling_officer"},
            {"kind": "approve", "share_days": 1, "role": "approver"}
        ]);
        let body = json!({"effective_from": "2026-04-01", "expected_version": 1, "item": item});
        let (status, saved) = t
            .post(
                "/api/v1/items/XK00001000/versions",
                Some(&admin),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        assert_eq!(saved["version"], 2);
        let (status, problem) = t
            .post("/api/v1/items/XK00001000/versions", Some(&admin), body)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale editor: {problem}");

        let mut broken = item.clone();
        broken["committed_days"] = json!(30);
        let (status, problem) = t
            .post(
                "/api/v1/items/XK00001000/versions",
                Some(&admin),
                json!({"effective_from": "2026-04-01", "expected_version": 2, "item": broken}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(problem.to_string().contains("超过法定时限"), "{problem}");

        let (status, _) = t
        .post("/api/v1/items/GG00002000/versions", Some(&admin), json!({"effective_from": "2026-05-01", "expected_version": 1, "cancel_reason": "并入其他事项"}))
        .await;
        assert_eq!(status, StatusCode::CREATED);

        let (_, report) = t
            .get(
                "/api/v1/catalog/reform-report?from=2026-01-01&to=2026-06-01",
                None,
            )
            .await;
        assert_eq!(report["items_before"], 3);
        assert_eq!(report["items_cancelled"], json!(["GG00002000"]));
        assert_eq!(report["items_with_fewer_steps"], 1);
        assert_eq!(report["working_days_saved"], 3);

        let clerk = t.token("d01.clerk").await;
        let (status, _) = t
            .post(
                "/api/v1/items/XK00001000/versions",
                Some(&clerk),
                json!({"effective_from": "2026-04-01", "expected_version": 2, "item": item}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let entries = t.app.store.audit_entries(20).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "catalog_item_cancelled" && e.target == "item:GG00002000")
        );
    }
);

both!(
    a_case_keeps_the_item_version_it_was_received_under,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let admin = t.token("admin").await;
        let (_, guide) = t.get("/api/v1/items/XK00001000", None).await;
        let mut item = guide["record"]["item"].clone();
        item["committed_days"] = json!(3);
        item["steps"] = json!([{"kind": "handle", "share_days": 2, "role": "handling_officer"}, {"kind": "approve", "share_days": 1, "role": "approver"}]);
        let (status, _) = t
            .post(
                "/api/v1/items/XK00001000/versions",
                Some(&admin),
                json!({"effective_from": "2026-01-01", "expected_version": 1, "item": item}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, accepted) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(
            accepted["clock"]["limit_days"], 8,
            "the old case keeps its 8 days"
        );
        let (_, handled) = t
            .act(
                "d01.officer",
                &accepted,
                json!({"action": "handle", "opinion": "同意"}),
            )
            .await;
        assert_eq!(
            handled["summary"]["state"], "reviewing",
            "and its review step"
        );
        let (_, newer) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, newer) = t
            .act("d01.clerk", &newer, json!({"action": "accept"}))
            .await;
        assert_eq!(newer["clock"]["limit_days"], 3);
    }
);

both!(
    the_catalog_exports_and_imports_as_csv_and_xlsx,
    |t: TestApp| async move {
        let (status, _, headers) = t
            .send(
                Method::GET,
                "/api/v1/catalog/export?format=xlsx",
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let (status, report) = import_csv(&t, shortened()).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report, json!({"created": 0, "changed": 1, "unchanged": 2}));
        let (status, problem) = import_csv(&t, CATALOG.replace("D02", "D99")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            problem["message_zh"].as_str().unwrap().contains("D99"),
            "{problem}"
        );
        let (_, guide) = t.get("/api/v1/items/GG00003000", None).await;
        assert_eq!(
            guide["versions"].as_array().unwrap().len(),
            1,
            "nothing of a refused file is written"
        );
    }
);

both!(
    a_file_without_the_extension_limit_keeps_the_items_own,
    |t: TestApp| async move {
        // Joint handling: an extension of up to 15 working days (Art 26).
        t.redefine_item("XK00001000", |item| {
            item["extension_limit_days"] = json!(15)
        })
        .await;
        let (status, report) = import_csv(&t, shortened()).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["changed"], 1, "{report}");
        let (_, guide) = t.get("/api/v1/items/XK00001000", None).await;
        let versions = guide["versions"].as_array().unwrap();
        let last = &versions[versions.len() - 1];
        assert_eq!(last["change"]["item"]["committed_days"], 6, "{last}");
        assert_eq!(last["change"]["item"]["extension_limit_days"], 15, "{last}");
    }
);
