//! The hall's queue through the API: groups, tickets from the kiosk, windows calling them
//! first come first served, the board, the day's figures.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use liandong_domain::organization::{UnitId, WindowKind};
use liandong_store::NewWindow;
use serde_json::{Value, json};

use crate::both;
use crate::support::TestApp;

/// Two windows at the hall: 1 serves group A, 2 serves A and B. Returns their ids.
pub(crate) async fn windows(t: &TestApp) -> (i64, i64) {
    let hall = UnitId(1);
    let mut tx = t.app.store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (number, name) in [("1", "市场准入窗口"), ("2", "综合窗口")] {
        ids.push(
            tx.insert_window(&NewWindow {
                unit_id: hall,
                number: number.into(),
                name: name.into(),
                kind: WindowKind::Comprehensive,
                department_ids: vec![],
            })
            .await
            .unwrap()
            .0,
        );
    }
    tx.commit().await.unwrap();
    let admin = t.token("admin").await;
    let (status, groups, _) = t
        .send(
            Method::PUT,
            "/api/v1/units/1/queue/groups",
            Some(&admin),
            Some(json!([
                {"code": "A", "name": "市场准入", "windows": [ids[0], ids[1]]},
                {"code": "B", "name": "社会事务", "windows": [ids[1]]}
            ])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{groups}");
    (ids[0], ids[1])
}

impl TestApp {
    pub(crate) async fn ticket(&self, group: &str) -> Value {
        let (status, ticket) = self
            .post(
                "/api/v1/units/1/queue/tickets",
                None,
                json!({"group": group}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        self.clock.advance(Duration::minutes(1));
        ticket
    }

    pub(crate) async fn ticket_act(
        &self,
        ticket: &Value,
        window: i64,
        action: Value,
    ) -> (StatusCode, Value) {
        let token = self.token("d01.clerk").await;
        let mut body = action;
        body["expected_version"] = ticket["version"].clone();
        body["window_id"] = json!(window);
        self.post(
            &format!("/api/v1/queue/tickets/{}/actions", ticket["id"]),
            Some(&token),
            body,
        )
        .await
    }
}

both!(
    windows_call_tickets_first_come_first_served_and_the_board_shows_them,
    |t: TestApp| async move {
        let (w1, w2) = windows(&t).await;
        let (_, groups) = t.get("/api/v1/units/1/queue/groups", None).await;
        assert_eq!(groups[1]["code"], "B");

        let a1 = t.ticket("A").await;
        assert_eq!(a1["number"], "A001");
        assert_eq!(a1["state"], "waiting");
        let b1 = t.ticket("B").await;
        let a2 = t.ticket("A").await;
        assert_eq!(b1["number"], "B001");
        assert_eq!(a2["number"], "A002");
        let (status, _) = t
            .post("/api/v1/units/1/queue/tickets", None, json!({"group": "Z"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let clerk = t.token("d01.clerk").await;
        let (status, called) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{called}");
        assert_eq!(called["number"], "A001");
        assert_eq!(called["state"], "called");
        t.clock.advance(Duration::minutes(1));
        // Window 2 serves A and B: B001 was taken before A002.
        let (_, called2) = t
            .post(
                &format!("/api/v1/windows/{w2}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(called2["number"], "B001");

        let (_, board) = t.get("/api/v1/units/1/queue/board", None).await;
        let calling: Vec<(&str, &str)> = board["calling"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["number"].as_str().unwrap(),
                    c["window_number"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(calling, [("B001", "2"), ("A001", "1")]);
        assert_eq!(
            board["waiting"][0],
            json!({"group": "A", "name": "市场准入", "waiting": 1})
        );

        // Only the window it was called to acts on it; a stale version is a conflict.
        let (status, _) = t.ticket_act(&called, w2, json!({"action": "start"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, recalled) = t.ticket_act(&called, w1, json!({"action": "recall"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(recalled["calls"], 2);
        let (status, _) = t.ticket_act(&called, w1, json!({"action": "start"})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (_, serving) = t
            .ticket_act(&recalled, w1, json!({"action": "start"}))
            .await;
        assert_eq!(serving["state"], "serving");
        t.clock.advance(Duration::minutes(9));
        let (_, case) = t.submit("d01.clerk", "GG00002000", None).await;
        let (status, done) = t
            .ticket_act(
                &serving,
                w1,
                json!({"action": "finish", "case": case["summary"]["id"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["state"], "done");
        assert_eq!(done["case"], case["summary"]["id"]);
        // B001 did not come.
        let (_, skipped) = t.ticket_act(&called2, w2, json!({"action": "skip"})).await;
        assert_eq!(skipped["state"], "skipped");

        // Nobody else is waiting for window 1 after A002 is called and transferred to B.
        let (_, a2_called) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(a2_called["number"], "A002");
        let (_, moved) = t
            .ticket_act(&a2_called, w1, json!({"action": "transfer", "group": "B"}))
            .await;
        assert_eq!(moved["state"], "waiting");
        let (status, _) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "window 1 does not serve B");
        let (_, again) = t
            .post(
                &format!("/api/v1/windows/{w2}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(again["number"], "A002");

        // Another unit's clerk cannot use the hall's windows.
        let village = t.token("v20101.clerk").await;
        let (status, _) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&village),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The day's figures.
        let supervisor = t.token("supervisor").await;
        let (status, report) = t
            .get(
                "/api/v1/units/1/queue/report?date=2026-03-02",
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["overall"]["tickets"], 3);
        assert_eq!(report["overall"]["served"], 1);
        assert_eq!(report["overall"]["skipped"], 1);
        // A002, taken at 10:02, was first called at 10:13.
        assert_eq!(report["overall"]["longest_wait_minutes"], 11);
        assert_eq!(report["by_hour"][0][0], 10);
        assert_eq!(report["long_queues"], json!([]));
        let (status, _) = t
            .get(
                "/api/v1/units/1/queue/report?date=2026-03-02",
                Some(&village),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    groups_are_the_units_own_and_well_formed,
    |t: TestApp| async move {
        let (w1, _) = windows(&t).await;
        let admin = t.token("admin").await;
        for (groups, status) in [
            (
                json!([{"code": "a", "name": "x", "windows": [w1]}]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!([{"code": "A", "name": "x", "windows": []}]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!([{"code": "A", "name": "x", "windows": [w1]}, {"code": "A", "name": "y", "windows": [w1]}]),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!([{"code": "A", "name": "x", "windows": [w1]}]),
                StatusCode::OK,
            ),
        ] {
            let (got, body, _) = t
                .send(
                    Method::PUT,
                    "/api/v1/units/1/queue/groups",
                    Some(&admin),
                    Some(groups),
                )
                .await;
            assert_eq!(got, status, "{body}");
        }
        // The hall's window is not the township's.
        let (got, _, _) = t
            .send(
                Method::PUT,
                &format!("/api/v1/units/{}/queue/groups", t.township.0),
                Some(&admin),
                Some(json!([{"code": "A", "name": "x", "windows": [w1]}])),
            )
            .await;
        assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY);
        // A township's administrator sets their own unit's groups only.
        let township_admin = t.token("t201.admin").await;
        let (got, _, _) = t
            .send(
                Method::PUT,
                "/api/v1/units/1/queue/groups",
                Some(&township_admin),
                Some(json!([{"code": "A", "name": "x", "windows": [w1]}])),
            )
            .await;
        assert_eq!(got, StatusCode::FORBIDDEN);
    }
);
