//! Video monitoring through the API: cameras registered at a unit's windows, probed against
//! the local camera simulator (healthy, failing, dead — one finding per outage — and back),
//! the snapshot served, and the camera that watched a case's event at the time.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use liandong_testkit::cameras::{Behaviour, Cameras, SNAPSHOT_A, SNAPSHOT_B};
use serde_json::{Value, json};

use crate::both;
use crate::support::TestApp;

const DEVICE_1: &str = "50011201021326000001";
const DEVICE_2: &str = "50011201021326000002";
const DEVICE_3: &str = "50011201021316000003";

impl TestApp {
    /// Registers a camera at the hall as the system administrator; returns it.
    async fn camera(&self, window: Option<i64>, name: &str, device: &str, snapshot: &str) -> Value {
        let admin = self.token("admin").await;
        let (status, camera) = self
            .post(
                "/api/v1/cameras",
                Some(&admin),
                json!({"unit_id": 1, "window_id": window, "name": name, "device_id": device,
                    "stream_url": "rtsp://10.20.1.15/Streaming/Channels/101", "snapshot_url": snapshot}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{camera}");
        camera
    }

    /// One probe of every camera, five minutes after the last.
    async fn probe(&self) -> liandong_app::video::ProbeReport {
        self.clock.advance(Duration::minutes(5));
        self.app.probe_cameras().await.unwrap()
    }

    async fn health(&self, camera: &Value) -> Value {
        let supervisor = self.token("supervisor").await;
        let (status, detail) = self
            .get(
                &format!("/api/v1/cameras/{}", camera["id"]),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        detail
    }

    async fn camera_findings(&self) -> Vec<Value> {
        let supervisor = self.token("supervisor").await;
        let (status, page) = self
            .get("/api/v1/findings?kind=camera_offline", Some(&supervisor))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["items"].as_array().unwrap().clone()
    }
}

both!(
    a_camera_is_probed_healthy_dies_once_per_outage_and_recovers,
    |t: TestApp| async move {
        let cameras = Cameras::start().await;
        cameras.set("w1", Behaviour::Picture(&SNAPSHOT_A));
        let (w1, _) = crate::queue::windows(&t).await;
        let camera = t
            .camera(Some(w1), "1号窗口", DEVICE_1, &cameras.url("w1"))
            .await;
        assert_eq!(camera["health"]["health"], "unknown");
        assert_eq!(camera["window_id"], w1);
        assert_eq!(camera["snapshot"], Value::Null);

        // Never probed: no snapshot yet.
        let supervisor = t.token("supervisor").await;
        let snapshot_url = format!("/api/v1/cameras/{}/snapshot", camera["id"]);
        let (status, _, _) = t
            .request_bytes(Method::GET, &snapshot_url, Some(&supervisor), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let report = t.probe().await;
        assert_eq!((report.probed, report.healthy), (1, 1), "{report:?}");
        assert_eq!(cameras.hits("w1"), 1);
        let (status, content_type, bytes) = t
            .request_bytes(Method::GET, &snapshot_url, Some(&supervisor), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "image/jpeg");
        assert_eq!(bytes, SNAPSHOT_A);
        let detail = t.health(&camera).await;
        assert_eq!(detail["health"]["health"], "healthy");
        assert_eq!(detail["snapshot"]["size"], SNAPSHOT_A.len());

        // The camera breaks: failing twice, dead at the third failure: one finding.
        cameras.set("w1", Behaviour::Status(500));
        assert_eq!(t.probe().await.failing, 1);
        assert_eq!(t.probe().await.failing, 1);
        let report = t.probe().await;
        assert_eq!((report.dead, report.new_findings), (1, 1), "{report:?}");
        for _ in 0..3 {
            assert_eq!(t.probe().await.new_findings, 0, "not again while dead");
        }
        let detail = t.health(&camera).await;
        assert_eq!(detail["health"]["health"], "dead");
        assert!(
            detail["health"]["last_error"]
                .as_str()
                .unwrap()
                .contains("HTTP 500"),
            "{detail}"
        );
        let findings = t.camera_findings().await;
        assert_eq!(findings.len(), 1, "{findings:?}");
        let finding = &findings[0];
        assert_eq!(finding["camera_id"], camera["id"]);
        assert_eq!(finding["unit_id"], 1);
        assert_eq!(finding["case_id"], Value::Null);
        assert_eq!(finding["department_id"], Value::Null);
        assert_eq!(finding["routine"], false);
        assert!(
            finding["description_zh"]
                .as_str()
                .unwrap()
                .contains("连续3次取图失败"),
            "{finding}"
        );
        // The last good snapshot is kept through the outage.
        let (status, _, bytes) = t
            .request_bytes(Method::GET, &snapshot_url, Some(&supervisor), None)
            .await;
        assert_eq!(
            (status, bytes.as_slice()),
            (StatusCode::OK, &SNAPSHOT_A[..])
        );

        // A camera has no notice: the sweep opens none, and a supervisor cannot either.
        let sweep = t.app.sweep_findings().await.unwrap();
        assert_eq!(sweep.notices_opened, 0);
        let (status, _) = t
            .post(
                &format!("/api/v1/findings/{}/notice", finding["id"]),
                Some(&supervisor),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Back: recovering at the first answer, healthy at the second; the new picture is kept.
        cameras.set("w1", Behaviour::Picture(&SNAPSHOT_B));
        assert_eq!(t.probe().await.recovering, 1);
        assert_eq!(t.probe().await.healthy, 1);
        let (_, _, bytes) = t
            .request_bytes(Method::GET, &snapshot_url, Some(&supervisor), None)
            .await;
        assert_eq!(bytes, SNAPSHOT_B);
        let detail = t.health(&camera).await;
        let changes: Vec<(&str, &str)> = detail["health_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
            .collect();
        assert_eq!(
            changes,
            [
                ("recovering", "healthy"),
                ("dead", "recovering"),
                ("failing", "dead"),
                ("healthy", "failing"),
                ("unknown", "healthy"),
            ]
        );

        // A page that is not a picture is a failure too; a later outage is another finding.
        cameras.set("w1", Behaviour::NotAnImage);
        t.probe().await;
        let detail = t.health(&camera).await;
        assert_eq!(detail["health"]["health"], "failing");
        assert!(
            detail["health"]["last_error"]
                .as_str()
                .unwrap()
                .contains("JPEG")
        );
        t.probe().await;
        assert_eq!(t.probe().await.new_findings, 1);
        assert_eq!(t.camera_findings().await.len(), 2);

        // A camera that never answers runs out the probe's timeout.
        let mut quick = t.app.clone();
        quick.video.timeout = std::time::Duration::from_millis(300);
        cameras.set("w1", Behaviour::Hang);
        t.clock.advance(Duration::minutes(5));
        quick.probe_cameras().await.unwrap();
        let detail = t.health(&camera).await;
        assert!(
            detail["health"]["last_error"]
                .as_str()
                .unwrap()
                .contains("in time"),
            "{detail}"
        );

        // A backup carries the cameras, their health, placements, snapshots and outages.
        let file =
            std::env::temp_dir().join(format!("liandong-video-{:x}.db", rand::random::<u64>()));
        t.app.store.backup_to(&file).await.unwrap();
        let target_url = liandong_testkit::fresh_database(t.db).await.unwrap();
        let target = liandong_store::Store::connect(&target_url).await.unwrap();
        target.migrate().await.unwrap();
        target.restore_from(&file).await.unwrap();
        let _ = std::fs::remove_file(&file);
        let id = liandong_domain::video::CameraId(camera["id"].as_i64().unwrap());
        let restored = target.camera(id).await.unwrap();
        assert_eq!(restored, t.app.store.camera(id).await.unwrap());
        assert_eq!(
            target.camera_snapshot(id).await.unwrap().unwrap().content,
            SNAPSHOT_B
        );
        assert_eq!(target.camera_placements(id).await.unwrap().len(), 1);
        target.close().await;

        // A retired camera is no longer probed.
        let admin = t.token("admin").await;
        let (status, retired) = t
            .post(
                &format!("/api/v1/cameras/{}/retire", camera["id"]),
                Some(&admin),
                json!({"expected_version": detail["version"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{retired}");
        assert_eq!(retired["active"], false);
        let hits = cameras.hits("w1");
        assert_eq!(t.probe().await.probed, 0);
        assert_eq!(cameras.hits("w1"), hits);
        let (_, listed) = t.get("/api/v1/cameras", Some(&supervisor)).await;
        assert_eq!(listed.as_array().unwrap().len(), 0);
        let (_, listed) = t
            .get("/api/v1/cameras?retired=true", Some(&supervisor))
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
    }
);

both!(
    a_camera_record_is_checked_and_kept_by_the_units_administrators,
    |t: TestApp| async move {
        let cameras = Cameras::start().await;
        let (w1, w2) = crate::queue::windows(&t).await;
        let admin = t.token("admin").await;
        let body = |window: i64, device: &str, snapshot: &str| {
            json!({"unit_id": 1, "window_id": window, "name": "窗口", "device_id": device,
                "stream_url": "rtsp://10.20.1.15/", "snapshot_url": snapshot})
        };
        // Every field's problem at once, in both languages.
        let (status, problem) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                json!({"unit_id": 1, "name": "", "device_id": "50011201021186000001",
                    "stream_url": "rtsp://admin:12345@10.0.0.1/", "snapshot_url": "ftp://x/"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "device_id", "stream_url", "snapshot_url"]);
        assert!(
            problem["errors"][1]["message_zh"]
                .as_str()
                .unwrap()
                .contains("118（前端主设备）")
        );
        // The probe reads plain HTTP only.
        let (status, problem) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                body(w1, DEVICE_1, "https://10.20.1.15/snap.jpg"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "snapshot_url");
        // A window of another unit.
        let (status, problem) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                json!({"unit_id": t.township.0, "window_id": w1, "name": "窗口", "device_id": DEVICE_1,
                    "stream_url": "rtsp://10.20.1.15/", "snapshot_url": cameras.url("a")}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "window_id");

        let first = t
            .camera(Some(w1), "1号窗口", DEVICE_1, &cameras.url("a"))
            .await;
        // The same device twice; a second camera on the window.
        let (status, _) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                body(w2, DEVICE_1, &cameras.url("b")),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, problem) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                body(w1, DEVICE_2, &cameras.url("b")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "window_id");

        // Moved to window 2 later; the earlier placement is kept and window 1 is free again.
        t.clock.advance(Duration::hours(1));
        let url = format!("/api/v1/cameras/{}", first["id"]);
        let change = json!({"expected_version": first["version"], "unit_id": 1, "window_id": w2,
            "name": "2号窗口", "device_id": DEVICE_1, "stream_url": "rtsp://10.20.1.15/",
            "snapshot_url": cameras.url("a")});
        let (status, moved, _) = t
            .send(Method::PATCH, &url, Some(&admin), Some(change.clone()))
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(
            (moved["window_id"].as_i64(), &moved["name"]),
            (Some(w2), &json!("2号窗口"))
        );
        let (status, _, _) = t
            .send(Method::PATCH, &url, Some(&admin), Some(change))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale version");
        let detail = t.health(&first).await;
        let placements = detail["placements"].as_array().unwrap();
        assert_eq!(placements.len(), 2);
        assert_eq!(placements[0]["window"], w1);
        assert_eq!(placements[0]["until"], placements[1]["from"]);
        assert_eq!(placements[1]["until"], Value::Null);
        t.camera(Some(w1), "新1号窗口", DEVICE_2, &cameras.url("b"))
            .await;

        // The township's administrator keeps the township's cameras, not the hall's.
        let t201 = t.token("t201.admin").await;
        let township = json!({"unit_id": t.township.0, "name": "大厅全景", "device_id": DEVICE_3,
            "stream_url": "rtsp://10.30.1.2/", "snapshot_url": cameras.url("c")});
        let (status, problem) = t
            .post(
                "/api/v1/cameras",
                Some(&t201),
                body(w2, DEVICE_3, &cameras.url("c")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let (status, own) = t.post("/api/v1/cameras", Some(&t201), township).await;
        assert_eq!(status, StatusCode::CREATED, "{own}");
        let (_, listed) = t.get("/api/v1/cameras", Some(&t201)).await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "their own only");
        let (status, _) = t.get(&url, Some(&t201)).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "the hall's camera is not theirs"
        );
        let supervisor = t.token("supervisor").await;
        let (_, listed) = t.get("/api/v1/cameras", Some(&supervisor)).await;
        assert_eq!(listed.as_array().unwrap().len(), 3);
        let (_, listed) = t
            .get(
                &format!("/api/v1/cameras?unit_id={}", t.township.0),
                Some(&supervisor),
            )
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // Every change is in the audit trail.
        let rows: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('camera_registered', 'camera_changed')",
        )
        .fetch_one(t.app.store.pool())
        .await
        .unwrap();
        assert_eq!(rows, 4);
    }
);

both!(
    a_case_event_links_to_the_camera_that_watched_its_window_then,
    |t: TestApp| async move {
        let cameras = Cameras::start().await;
        let (w1, w2) = crate::queue::windows(&t).await;
        let window_camera = t
            .camera(Some(w1), "1号窗口", DEVICE_1, &cameras.url("a"))
            .await;
        let hall_camera = t
            .camera(None, "大厅全景", DEVICE_3, &cameras.url("c"))
            .await;
        t.clock.advance(Duration::minutes(10));

        // The applicant takes a ticket, is called to window 1, and the case is taken in there.
        let ticket = t.ticket("A").await;
        let clerk = t.token("d01.clerk").await;
        let (status, called) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{called}");
        assert_eq!(called["id"], ticket["id"]);
        let (_, started) = t.ticket_act(&called, w1, json!({"action": "start"})).await;
        t.clock.advance(Duration::minutes(10));
        let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
        assert_eq!(status, StatusCode::CREATED);
        let id = case["summary"]["id"].as_i64().unwrap();
        t.clock.advance(Duration::minutes(10));
        let (status, finished) = t
            .ticket_act(&started, w1, json!({"action": "finish", "case": id}))
            .await;
        assert_eq!(status, StatusCode::OK, "{finished}");

        // Later the window's camera is moved away and another takes its place.
        t.clock.advance(Duration::hours(1));
        let admin = t.token("admin").await;
        let (status, _, _) = t
            .send(
                Method::PATCH,
                &format!("/api/v1/cameras/{}", window_camera["id"]),
                Some(&admin),
                Some(
                    json!({"expected_version": window_camera["version"], "unit_id": 1,
                    "window_id": w2, "name": "2号窗口", "device_id": DEVICE_1,
                    "stream_url": "rtsp://10.20.1.15/", "snapshot_url": cameras.url("a")}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let replacement = t
            .camera(Some(w1), "1号窗口（新）", DEVICE_2, &cameras.url("b"))
            .await;
        t.clock.advance(Duration::minutes(5));
        let (_, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(case["summary"]["version"], 2);

        let supervisor = t.token("supervisor").await;
        let (status, received) = t
            .get(
                &format!("/api/v1/cases/{id}/events/1/camera"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{received}");
        assert_eq!(received["window_id"], w1);
        assert_eq!(received["window_basis"], "case_ticket");
        assert_eq!(
            received["camera"]["camera_id"], window_camera["id"],
            "the camera that was on window 1 then, since moved: {received}"
        );
        assert_eq!(received["camera"]["device_id"], DEVICE_1);
        assert!(
            received["camera"]["placed_until"].is_string(),
            "moved since"
        );
        let hall: Vec<&Value> = received["unit_cameras"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["camera_id"])
            .collect();
        assert_eq!(hall, [&hall_camera["id"]]);
        // The footage runs over the whole visit, from the call to the finish.
        assert_eq!(received["footage_from"], called["called_at"]);
        assert_eq!(received["footage_until"], finished["done_at"]);

        let (status, accepted) = t
            .get(
                &format!("/api/v1/cases/{id}/events/2/camera"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            accepted["camera"]["camera_id"], replacement["id"],
            "window 1's camera at the acceptance: {accepted}"
        );

        // Who may look: the case and cameras both.
        let (status, _) = t
            .get(
                &format!("/api/v1/cases/{id}/events/9/camera"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = t
            .get(&format!("/api/v1/cases/{id}/events/1/camera"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let t201 = t.token("t201.admin").await;
        let (status, _) = t
            .get(&format!("/api/v1/cases/{id}/events/1/camera"), Some(&t201))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let looks: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'camera_looked_up'")
                .fetch_one(t.app.store.pool())
                .await
                .unwrap();
        assert_eq!(looks, 2, "every look at footage is audited");

        // Another case taken in by the same clerk without a ticket of its own: the window the
        // clerk last called to.
        let (_, other) = t.submit("d01.clerk", "GG00002000", None).await;
        let other = other["summary"]["id"].as_i64().unwrap();
        let (_, found) = t
            .get(
                &format!("/api/v1/cases/{other}/events/1/camera"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(found["window_id"], w1);
        assert_eq!(found["window_basis"], "clerk_ticket");
        assert_eq!(found["camera"]["camera_id"], replacement["id"]);

        // At a village station without a queue: its own camera over the room only.
        let station = t
            .app
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.code == "20101")
            .unwrap()
            .id
            .0;
        let (status, _) = t
            .post(
                "/api/v1/cameras",
                Some(&admin),
                json!({"unit_id": station, "name": "服务站全景", "device_id": "50011201021316000009",
                    "stream_url": "rtsp://10.40.1.2/", "snapshot_url": cameras.url("v")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        t.clock.advance(Duration::minutes(1));
        let (_, proxied) = t.submit("v20101.clerk", "XK00001000", None).await;
        let proxied = proxied["summary"]["id"].as_i64().unwrap();
        let (_, found) = t
            .get(
                &format!("/api/v1/cases/{proxied}/events/1/camera"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(found["unit_id"], station);
        assert_eq!(found["window_id"], Value::Null);
        assert_eq!(found["camera"], Value::Null);
        assert_eq!(
            found["unit_cameras"].as_array().unwrap().len(),
            1,
            "{found}"
        );
    }
);
