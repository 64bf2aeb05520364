//! The video monitoring pages: the wall of snapshots, the camera forms, an outage among the
//! findings, and the "录像" link of a case's event.

use axum::http::StatusCode;
use chrono::Duration;
use liandong_testkit::cameras::{Behaviour, Cameras, SNAPSHOT_A};

use crate::both;
use crate::support::*;

const DEVICE: &str = "50011201021316000001";

both!(
    the_video_pages_show_snapshots_keep_cameras_and_link_case_events,
    |t: TestApp| async move {
        let cameras = Cameras::start().await;
        cameras.set("hall", Behaviour::Picture(&SNAPSHOT_A));
        let mut admin = t.signed_in("admin").await;
        let form = admin.get("/video/cameras/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        let snapshot_url = cameras.url("hall");
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("unit_id", "1"),
            ("window_id", ""),
            ("name", "大厅全景"),
            ("device_id", "50011201021186000001"),
            ("stream_url", "rtsp://10.20.1.2/"),
            ("snapshot_url", snapshot_url.as_str()),
        ];
        // A wrong device ID: the form again, the field's reason beside it, the rest kept.
        let refused = admin.post("/video/cameras/new", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("id=\"e-device_id\""),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("118（前端主设备）"));
        assert!(refused.body.contains("value=\"大厅全景\""));
        fields[4] = ("device_id", DEVICE);
        let saved = admin.post("/video/cameras/new", &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let camera_page = saved.location().split('?').next().unwrap().to_owned();
        let id: i64 = camera_page.rsplit('/').next().unwrap().parse().unwrap();
        let page = admin.get(saved.location()).await;
        assert!(page.body.contains("id=\"saved\""));
        assert!(
            page.body.contains("摄像机 · 500112 · 政务网"),
            "{}",
            page.body
        );

        // Probed: the wall shows the snapshot, served through the signed-in route.
        t.app.probe_cameras().await.unwrap();
        let mut supervisor = t.signed_in("supervisor").await;
        let wall = supervisor.get("/video").await;
        assert_eq!(wall.status, StatusCode::OK);
        assert!(
            wall.body
                .contains(&format!("src=\"/video/cameras/{id}/snapshot?v=")),
            "{}",
            wall.body
        );
        assert!(wall.body.contains(&format!("id=\"health-{id}\">正常<")));
        assert!(
            !wall.body.contains("id=\"new-camera\""),
            "supervisors watch"
        );
        assert!(wall.body.contains("href=\"/findings?kind=camera_offline\""));
        let image = supervisor
            .get(&format!("/video/cameras/{id}/snapshot"))
            .await;
        assert_eq!(image.status, StatusCode::OK);
        assert_eq!(image.headers["content-type"], "image/jpeg");
        assert_eq!(image.headers["cache-control"], "private, no-store");
        assert_eq!(
            supervisor.get("/video/cameras/new").await.status,
            StatusCode::FORBIDDEN
        );
        let page = supervisor.get(&camera_page).await;
        assert!(
            !page.body.contains("id=\"camera-form\""),
            "no form to watch"
        );
        let english = supervisor.get("/video?lang=en").await;
        assert!(english.body.contains("Video monitoring"));
        assert!(english.body.contains(">Healthy<"));

        // The camera stops answering: dead at the third failure, one outage among the findings.
        cameras.set("hall", Behaviour::Status(503));
        for _ in 0..3 {
            t.clock.advance(Duration::minutes(5));
            t.app.probe_cameras().await.unwrap();
        }
        let wall = supervisor.get("/video?lang=zh").await;
        assert!(wall.body.contains(&format!("id=\"health-{id}\">离线<")));
        assert!(wall.body.contains("HTTP 503"));
        let findings = supervisor.get("/findings?kind=camera_offline").await;
        assert!(
            findings
                .body
                .contains(&format!("href=\"/video/cameras/{id}\">摄像机 {id}<")),
            "{}",
            findings.body
        );
        assert!(findings.body.contains("渝北区行政审批服务大厅"));

        // The administrator renames it; a stale form is refused.
        let page = admin.get(&camera_page).await;
        let (csrf, version) = (page.csrf(), page.field("expected_version"));
        let mut change = fields.clone();
        change[0] = ("csrf", csrf.as_str());
        change[3] = ("name", "大厅全景（东）");
        change.push(("expected_version", version.as_str()));
        let saved = admin.post(&camera_page, &change).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let stale = admin.post(&camera_page, &change).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("id=\"form-problem\""));

        // A case taken in at the hall: its events link to the hall's camera, for the
        // supervisor, not for the clerk.
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, case) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let own = clerk.get(&format!("/cases/{case}")).await;
        assert!(!own.body.contains("class=\"footage\""));
        let watched = supervisor.get(&format!("/cases/{case}")).await;
        let link = format!("href=\"/video/cases/{case}/events/1\" class=\"footage\"");
        assert!(watched.body.contains(&link), "{}", watched.body);
        let footage = supervisor
            .get(&format!("/video/cases/{case}/events/1"))
            .await;
        assert_eq!(footage.status, StatusCode::OK, "{}", footage.body);
        assert!(footage.body.contains("大厅全景（东）"));
        assert!(footage.body.contains(DEVICE));
        assert!(footage.body.contains("id=\"footage-period\""));

        // Retired: off the wall, on the list of all.
        let page = admin.get(&camera_page).await;
        let (csrf, version) = (page.csrf(), page.field("expected_version"));
        let retired = admin
            .post(
                &format!("{camera_page}/retire"),
                &[("csrf", &csrf), ("expected_version", &version)],
            )
            .await;
        assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.body);
        let wall = supervisor.get("/video").await;
        assert!(!wall.body.contains(&format!("id=\"camera-{id}\"")));
        let all = supervisor.get("/video?retired=1").await;
        assert!(all.body.contains(&format!("id=\"camera-{id}\"")));
        assert!(all.body.contains("已停用"));
    }
);
