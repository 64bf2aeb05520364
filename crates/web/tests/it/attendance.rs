//! Window duty and attendance (窗口出勤) on the pages: the clerk signs on and pauses at the
//! desk, the display board shows the window, the hall manager records leave and reads the
//! month, the public disclosure lists the window.

use axum::http::StatusCode;
use chrono::TimeZone;
use liandong_domain::calendar::china_offset;
use liandong_domain::organization::WindowKind;

use crate::both;
use crate::support::*;

fn china(d: u32, h: u32, m: u32) -> chrono::DateTime<chrono::Utc> {
    china_offset()
        .with_ymd_and_hms(2026, 3, d, h, m, 0)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// A form's pairs, owned (the values outlive the closures that build them).
fn owned(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

fn pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    owned.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both!(
    the_clerk_signs_on_at_the_desk_and_the_hall_manager_reads_the_month,
    |t: TestApp| async move {
        let township = t
            .app
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.code == "201")
            .unwrap()
            .id;
        let window = {
            let mut tx = t.app.store.begin().await.unwrap();
            let id = tx
                .insert_window(&liandong_store::NewWindow {
                    unit_id: township,
                    number: "1".into(),
                    name: "综合受理窗口".into(),
                    kind: WindowKind::Comprehensive,
                    department_ids: vec![],
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id.0.to_string()
        };

        // Monday 10:00 at the desk: the window serves no queue group, but the clerk signs on.
        let mut clerk = t.signed_in("t201.clerk").await;
        let desk = clerk.get("/queue").await;
        assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
        assert!(desk.body.contains("id=\"duty-sign_on\""), "{}", desk.body);
        assert!(desk.body.contains("id=\"desk-no-queue\""));
        let csrf = desk.csrf();
        let sign_on = [
            ("csrf", csrf.as_str()),
            ("window", window.as_str()),
            ("expected_version", "0"),
            ("action", "sign_on"),
        ];
        let done = clerk.post("/queue/duty", &sign_on).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location(), format!("/queue?window={window}"));
        // The same form again: somebody acted first.
        let stale = clerk.post("/queue/duty", &sign_on).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("已被他人修改"), "{}", stale.body);
        // Without the CSRF token: refused.
        let forged = clerk
            .post(
                "/queue/duty",
                &[
                    ("window", &window),
                    ("expected_version", "1"),
                    ("action", "sign_off"),
                ],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        // Open; a pause for "other" needs a note, one for a consultation does not.
        let desk = clerk.get("/queue").await;
        assert!(
            desk.body
                .contains("id=\"duty-state\" class=\"duty-open\">服务中")
        );
        assert!(desk.body.contains("周窗口"));
        let version = desk.field("expected_version");
        let pause = |reason: &str| {
            owned(&[
                ("csrf", &csrf),
                ("window", &window),
                ("expected_version", &version),
                ("action", "pause"),
                ("reason", reason),
                ("note", ""),
            ])
        };
        let refused = clerk.post("/queue/duty", &pairs(&pause("other"))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("须填写说明"), "{}", refused.body);
        let done = clerk
            .post("/queue/duty", &pairs(&pause("consultation")))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

        // The hall's screen: the window paused, and why.
        let board = t.client().get(&format!("/board/{}", township.0)).await;
        assert_eq!(board.status, StatusCode::OK);
        let line = &board.body[board
            .body
            .find(&format!("id=\"duty-window-{window}\""))
            .unwrap()..];
        let line = &line[..line.find("</li>").unwrap()];
        assert!(
            line.contains("暂停服务") && line.contains("业务咨询"),
            "{line}"
        );

        // Another unit's clerk cannot act at the window.
        let mut village = t.signed_in("v20101.clerk").await;
        let csrf = village.csrf().await;
        let page = village
            .post(
                "/queue/duty",
                &[
                    ("csrf", &csrf),
                    ("window", &window),
                    ("expected_version", "2"),
                    ("action", "sign_off"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);

        // Tuesday: the hall manager records leave for today (not for Saturday), and reads March.
        t.clock.set(china(3, 9, 30));
        let mut manager = t.signed_in("t201.admin").await;
        let page = manager.get("/attendance").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("id=\"leave-form\""));
        let csrf = page.csrf();
        let leave = |date: &str| {
            owned(&[
                ("csrf", &csrf),
                ("window", &window),
                ("date", date),
                ("part", "whole_day"),
                ("clerk", ""),
                ("reason", "sick"),
                ("note", "医院证明"),
            ])
        };
        let refused = manager
            .post("/attendance/leave", &pairs(&leave("2026-03-07")))
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("不是工作日"), "{}", refused.body);
        assert!(
            refused.body.contains("value=\"医院证明\""),
            "the note is kept"
        );
        let done = manager
            .post("/attendance/leave", &pairs(&leave("2026-03-03")))
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

        let month = manager.get("/attendance?month=2026-03").await;
        assert_eq!(month.status, StatusCode::OK);
        // Through Monday: one day, opened an hour late, paused since 10:00 for the rest of it.
        assert!(month.body.contains("id=\"att-windows\""));
        assert!(
            month.body.contains("（统计至2026-03-02）"),
            "{}",
            month.body
        );
        let irregular = &month.body[month.body.find("id=\"att-irregularities\"").unwrap()..];
        assert!(
            irregular.contains("迟开窗") && irregular.contains("60分钟"),
            "{irregular}"
        );
        assert!(irregular.contains("暂停超时") && irregular.contains("周窗口"));
        let bad = manager.get("/attendance?month=March").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            manager.get("/attendance?unit=1").await.status,
            StatusCode::NOT_FOUND
        );

        // The public disclosure lists the window beside the case figures.
        let public = t.client().get("/disclosure?month=2026-03").await;
        assert_eq!(public.status, StatusCode::OK);
        let table = &public.body[public.body.find("id=\"disclosure-windows\"").unwrap()..];
        assert!(
            table.contains("双龙湖街道便民服务中心") && table.contains("综合受理窗口"),
            "{table}"
        );
        assert!(!table.contains("周窗口"), "no names in public");
    }
);
