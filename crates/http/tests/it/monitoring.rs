//! Running totals: written with each event, equal to a recount of the events, rebuilt when
//! they are not.

use axum::http::StatusCode;
use chrono::Duration;
use liandong_store::TotalsFilter;
use serde_json::json;

use crate::both;
use crate::support::TestApp;

both!(
    the_running_totals_count_each_event_once_and_equal_a_recount,
    |t: TestApp| async move {
        // On time: decided and concluded the day it was taken in.
        let (_, quick) = t.submit("d01.clerk", "XK00001000", None).await;
        let quick = t.decide_licence(&quick).await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &quick,
                json!({"action": "conclude", "delivery": "窗口领取"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // On the spot.
        let (_, spot) = t.submit("d01.clerk", "GG00002000", None).await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &spot,
                json!({"action": "conclude_on_the_spot", "delivery": "当场"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Refused at intake.
        let (_, refused) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &refused,
                json!({"action": "refuse_intake", "reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Late: left for six weeks before the decision, past its eight working days (the limit
        // runs to the decision; delivery comes after it).
        let (_, slow) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, mut slow) = t.act("d01.clerk", &slow, json!({"action": "accept"})).await;
        t.clock.advance(Duration::days(42));
        for (user, action) in [
            (
                "d01.officer",
                json!({"action": "handle", "opinion": "符合条件"}),
            ),
            (
                "d01.reviewer",
                json!({"action": "review", "opinion": "同意"}),
            ),
            (
                "d01.approver",
                json!({"action": "approve", "opinion": "准予许可"}),
            ),
        ] {
            let (status, next) = t.act(user, &slow, action).await;
            assert_eq!(status, StatusCode::OK, "{next}");
            slow = next;
        }
        let (status, _) = t
            .act(
                "d01.clerk",
                &slow,
                json!({"action": "conclude", "delivery": "邮寄"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let all = t.app.store.totals(&TotalsFilter::default()).await.unwrap();
        assert_eq!(
            (
                all.received,
                all.accepted,
                all.intake_refused,
                all.approved,
                all.concluded,
                all.concluded_on_time,
                all.on_the_spot
            ),
            (4, 3, 1, 3, 3, 2, 1),
            "{all:?}"
        );
        assert_eq!(all.on_time_permille(), Some(667));
        let today = liandong_domain::calendar::china_date(t.app.now());
        let late_day = t
            .app
            .store
            .totals(&TotalsFilter {
                from: Some(today),
                to: Some(today),
                ..TotalsFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(
            (
                late_day.received,
                late_day.accepted,
                late_day.concluded,
                late_day.concluded_on_time
            ),
            (0, 0, 1, 0),
            "the late conclusion counts on its own day"
        );
        assert_eq!(
            t.app.totals_differences().await.unwrap(),
            Vec::<String>::new()
        );
        // Whole months come from the monthly rollup, the ends from the days: the same sums.
        let period = |from: (u32, u32), to: (u32, u32)| TotalsFilter {
            from: chrono::NaiveDate::from_ymd_opt(2026, from.0, from.1),
            to: chrono::NaiveDate::from_ymd_opt(2026, to.0, to.1),
            ..TotalsFilter::default()
        };
        let march = t.app.store.totals(&period((3, 1), (3, 31))).await.unwrap();
        assert_eq!((march.received, march.concluded), (4, 2));
        let spanning = t.app.store.totals(&period((2, 15), (4, 30))).await.unwrap();
        assert_eq!(spanning, all);
        let months = t
            .app
            .store
            .totals_by(liandong_store::TotalsBy::Month, &period((1, 1), (6, 30)))
            .await
            .unwrap();
        let keys: Vec<(&str, i64)> = months
            .iter()
            .map(|(k, v)| (k.as_str(), v.concluded))
            .collect();
        assert_eq!(keys, [("2026-03", 2), ("2026-04", 1)]);
        sqlx::query("UPDATE case_totals_monthly SET concluded = concluded + 1")
            .execute(t.app.store.pool())
            .await
            .unwrap();
        let found = t.app.totals_differences().await.unwrap();
        assert!(
            found.iter().any(|d| d.contains("monthly rollup")),
            "{found:?}"
        );
        t.app.rebuild_totals().await.unwrap();
        assert_eq!(
            t.app.totals_differences().await.unwrap(),
            Vec::<String>::new()
        );

        // A total changed behind the app's back is found, and a rebuild puts it right.
        sqlx::query("UPDATE case_totals SET received = received + 1")
            .execute(t.app.store.pool())
            .await
            .unwrap();
        assert!(!t.app.totals_differences().await.unwrap().is_empty());
        t.app.rebuild_totals().await.unwrap();
        assert_eq!(
            t.app.totals_differences().await.unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            t.app.store.totals(&TotalsFilter::default()).await.unwrap(),
            all
        );
    }
);

both!(
    the_monthly_disclosure_is_public_and_counts_per_department,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "GG00002000", None).await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "conclude_on_the_spot", "delivery": "当场"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, d) = t.get("/api/v1/disclosure?month=2026-03", None).await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["month"], "2026-03");
        assert_eq!(d["complete"], false);
        assert_eq!(d["departments"][0]["department_code"], "D01");
        assert_eq!(d["departments"][0]["received"], 1);
        assert_eq!(d["departments"][0]["on_the_spot_permille"], 1000);
        assert_eq!(d["district"]["concluded"], 1);
        let (_, last) = t.get("/api/v1/disclosure", None).await;
        assert_eq!(last["month"], "2026-02");
        assert_eq!(last["complete"], true);
        assert_eq!(last["departments"], json!([]));
        let (status, problem) = t.get("/api/v1/disclosure?month=2026-13", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
);
