//! Keeping the organization through the API: units, departments and windows are added and
//! changed by the administrators who keep them, with versions and an audit line each.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::TestApp;

impl TestApp {
    async fn patch(&self, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (status, body, _) = self.send(Method::PATCH, uri, Some(token), Some(body)).await;
        (status, body)
    }

    async fn audited(&self, action: &str) -> Vec<String> {
        self.app
            .store
            .audit_entries(500)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == action)
            .map(|e| format!("{} {}", e.target, e.detail))
            .collect()
    }
}

both!(
    units_are_added_under_the_right_parent_by_those_who_keep_it,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let township_admin = t.token("t201.admin").await;
        let station = json!({"code": "20103", "name": "石坪村便民服务站", "kind": "village_station",
            "parent_id": t.township.0, "address": "石坪村村委会", "phone": "023-67821234"});
        let (status, created) = t
            .post("/api/v1/units", Some(&township_admin), station.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["parent_id"], json!(t.township.0));
        assert_eq!(created["version"], 1);
        let (status, _) = t
            .post("/api/v1/units", Some(&township_admin), station.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a code is the unit's for life"
        );

        // The township's administrator adds stations under their own township only.
        let (_, units) = t.get("/api/v1/units", Some(&admin)).await;
        let other_township = units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "202")
            .unwrap()["id"]
            .clone();
        let mut elsewhere = station.clone();
        elsewhere["code"] = json!("20202");
        elsewhere["parent_id"] = other_township;
        let (status, _) = t
            .post("/api/v1/units", Some(&township_admin), elsewhere.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t.post("/api/v1/units", Some(&admin), elsewhere).await;
        assert_eq!(status, StatusCode::CREATED);
        let mut township = station.clone();
        township["code"] = json!("203");
        township["kind"] = json!("township_center");
        township["parent_id"] = json!(1);
        let (status, _) = t
            .post("/api/v1/units", Some(&township_admin), township.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "townships are the district's"
        );

        // The tree's shape is kept: no station under the hall, no second hall.
        let mut misplaced = station.clone();
        misplaced["code"] = json!("30001");
        misplaced["parent_id"] = json!(1);
        let (status, problem) = t.post("/api/v1/units", Some(&admin), misplaced).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "parent_id", "{problem}");
        let (status, problem) = t
            .post(
                "/api/v1/units",
                Some(&admin),
                json!({"code": "9", "name": "第二大厅", "kind": "district_hall", "parent_id": null}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "kind", "{problem}");
        let (status, problem) = t
            .post(
                "/api/v1/units",
                Some(&admin),
                json!({"code": "x y", "name": " ", "kind": "branch_hall", "parent_id": 1, "phone": "abc"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["code", "name", "phone"]);

        // A change needs the version read; a stale one is refused, not overwritten.
        let uri = format!("/api/v1/units/{}", created["id"]);
        let change = json!({"expected_version": 1, "name": "石坪村便民服务站", "address": "石坪村2组", "phone": ""});
        let (status, changed) = t.patch(&uri, &township_admin, change.clone()).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["address"], "石坪村2组");
        assert_eq!(changed["version"], 2);
        let (status, _) = t.patch(&uri, &admin, change).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            t.audited("unit_changed").await,
            ["unit:20103 address 石坪村村委会 -> 石坪村2组; phone 023-67821234 -> "]
        );
        assert_eq!(t.audited("unit_created").await.len(), 2);
    }
);

both!(
    departments_are_the_system_administrators_to_add_and_change,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let township_admin = t.token("t201.admin").await;
        let body = json!({"code": "D31", "name": "区退役军人事务局", "short_name": "退役军人局", "unit_id": 1});
        let (status, _) = t
            .post("/api/v1/departments", Some(&township_admin), body.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, created) = t
            .post("/api/v1/departments", Some(&admin), body.clone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (status, _) = t.post("/api/v1/departments", Some(&admin), body).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = t
            .post(
                "/api/v1/departments",
                Some(&admin),
                json!({"code": "D32", "name": "区某局", "unit_id": i64::MAX}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let uri = format!("/api/v1/departments/{}", created["id"]);
        let change = json!({"expected_version": 1, "name": "区退役军人事务局", "short_name": "退役局",
            "unit_id": t.township.0});
        let (status, changed) = t.patch(&uri, &admin, change.clone()).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["short_name"], "退役局");
        assert_eq!(changed["unit_id"], json!(t.township.0));
        let (status, _) = t.patch(&uri, &admin, change).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = t
            .patch(
                "/api/v1/departments/999999",
                &admin,
                json!({"expected_version": 1, "name": "某局", "unit_id": 1}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let audited = t.audited("department_changed").await;
        assert_eq!(audited.len(), 1);
        assert!(audited[0].starts_with("department:D31 short_name 退役军人局 -> 退役局; unit "));
    }
);

both!(
    a_closed_window_keeps_its_history_and_calls_no_tickets,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let township_admin = t.token("t201.admin").await;
        let (_, departments) = t.get("/api/v1/departments", Some(&admin)).await;
        let d1 = departments[0]["id"].as_i64().unwrap();
        let d2 = departments[1]["id"].as_i64().unwrap();
        let (status, problem) = t
            .post(
                "/api/v1/windows",
                Some(&admin),
                json!({"unit_id": 1, "number": "A1", "name": "市场准入窗口", "kind": "independent",
                    "department_ids": [d1, d2]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "department_ids");
        let (status, window) = t
            .post(
                "/api/v1/windows",
                Some(&admin),
                json!({"unit_id": 1, "number": "A1", "name": "综合窗口", "kind": "comprehensive",
                    "department_ids": [d2, d1, d1]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{window}");
        assert_eq!(window["department_ids"], json!([d1, d2]));
        assert_eq!(window["active"], true);
        let (status, _) = t
            .post(
                "/api/v1/windows",
                Some(&admin),
                json!({"unit_id": 1, "number": "A1", "name": "另一窗口", "kind": "fee"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "one number per unit");
        let (status, _) = t
            .post(
                "/api/v1/windows",
                Some(&township_admin),
                json!({"unit_id": 1, "number": "A2", "name": "收费窗口", "kind": "fee"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "the hall is not the township's"
        );
        let (status, own) = t
            .post(
                "/api/v1/windows",
                Some(&township_admin),
                json!({"unit_id": t.township.0, "number": "1", "name": "综合窗口", "kind": "scheduled"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{own}");

        let id = window["id"].as_i64().unwrap();
        let (status, _, _) = t
            .send(
                Method::PUT,
                "/api/v1/units/1/queue/groups",
                Some(&admin),
                Some(json!([{"code": "A", "name": "市场准入", "windows": [id]}])),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = t
            .post("/api/v1/units/1/queue/tickets", None, json!({"group": "A"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, closed) = t
            .patch(
                &format!("/api/v1/windows/{id}"),
                &admin,
                json!({"expected_version": 1, "number": "A1", "name": "综合窗口", "kind": "comprehensive",
                    "department_ids": [d1], "active": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["active"], false);
        assert_eq!(closed["department_ids"], json!([d1]));
        let clerk = t.token("d01.clerk").await;
        let (status, problem) = t
            .post(
                &format!("/api/v1/windows/{id}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (_, listed) = t.get("/api/v1/windows?unit_id=1", Some(&clerk)).await;
        assert_eq!(listed[0]["active"], false, "closed, not gone");
        assert_eq!(
            t.audited("window_changed").await,
            [format!(
                "window:100:A1 departments {d1},{d2} -> {d1}; closed"
            )]
        );
    }
);

both!(
    a_work_mobile_is_checked_and_kept_with_the_account,
    |t: TestApp| async move {
        let admin = t.token("admin").await;
        let body = json!({"username": "d02.officer2", "display_name": "冯承办", "unit_id": 1,
            "roles": ["handling_officer"], "password": "a-long-password", "phone": "023-6782"});
        let (status, problem) = t.post("/api/v1/staff", Some(&admin), body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "phone", "{problem}");
        let mut good = body;
        good["phone"] = json!("13900000009");
        let (status, created) = t.post("/api/v1/staff", Some(&admin), good).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["phone"], "13900000009");
        let (status, changed) = t
            .patch(
                &format!("/api/v1/staff/{}", created["id"]),
                &admin,
                json!({"expected_version": created["version"], "roles": ["handling_officer"],
                    "active": true, "phone": ""}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["phone"], "", "an empty phone clears it");
        let (_, unchanged) = t
            .patch(
                &format!("/api/v1/staff/{}", created["id"]),
                &admin,
                json!({"expected_version": changed["version"], "roles": ["handling_officer", "reviewer"],
                    "active": true}),
            )
            .await;
        assert_eq!(unchanged["phone"], "", "left out, it stays");
    }
);
