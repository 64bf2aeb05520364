//! Findings of electronic supervision: recorded with the events that reveal them, and by the
//! sweep for what time brings about, each irregularity once.

use axum::http::StatusCode;
use chrono::Duration;
use liandong_domain::supervision::FindingKind;
use liandong_store::FindingFilter;
use serde_json::json;

use crate::both;
use crate::support::TestApp;

fn all() -> FindingFilter {
    FindingFilter {
        limit: 100,
        ..FindingFilter::default()
    }
}

both!(
    irregularities_are_recorded_with_their_events_and_by_the_sweep_once_each,
    |t: TestApp| async move {
        // Two supplement notices after acceptance break the one-time rule.
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        let (_, case) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "request_supplement", "missing": ["健康证明"]}),
            )
            .await;
        let (_, case) = t
            .act(
                "d01.clerk",
                &case,
                json!({"action": "supplement", "received": ["健康证明"]}),
            )
            .await;
        let (status, case) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "request_supplement", "missing": ["营业执照"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        // A refusal at intake is always reviewed.
        let (_, refused) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, _) = t
            .act(
                "d01.clerk",
                &refused,
                json!({"action": "refuse_intake", "reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (found, _) = t.app.store.findings(&all()).await.unwrap();
        let kinds: Vec<(FindingKind, bool)> = found.iter().map(|f| (f.kind, f.routine)).collect();
        assert!(
            kinds.contains(&(FindingKind::SupplementRepeated, false)),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(FindingKind::IntakeRefused, true)),
            "{kinds:?}"
        );
        assert_eq!(found.len(), 2, "{kinds:?}");

        // A licence accepted and then left: after its eight working days the sweep finds it
        // overdue (and untouched, and its first step late), once however often it runs.
        let (_, slow) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, slow) = t.act("d01.clerk", &slow, json!({"action": "accept"})).await;
        assert_eq!(t.app.sweep_findings().await.unwrap().new_findings, 0);
        t.clock.advance(Duration::days(21));
        let first = t.app.sweep_findings().await.unwrap();
        assert!(first.cases >= 2 && first.new_findings >= 1, "{first:?}");
        assert_eq!(t.app.sweep_findings().await.unwrap().new_findings, 0);
        let slow_id =
            liandong_domain::organization::CaseId(slow["summary"]["id"].as_i64().unwrap());
        let swept: Vec<FindingKind> = t
            .app
            .store
            .case_findings(slow_id)
            .await
            .unwrap()
            .iter()
            .map(|f| f.kind)
            .collect();
        assert!(swept.contains(&FindingKind::CaseOverdue), "{swept:?}");
        assert!(swept.contains(&FindingKind::LeftUntouched), "{swept:?}");
        // The late handling reveals nothing the sweep had not already recorded for it.
        let before = t.app.store.case_findings(slow_id).await.unwrap().len();
        let (status, _) = t
            .act(
                "d01.officer",
                &slow,
                json!({"action": "handle", "opinion": "符合条件"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            t.app.store.case_findings(slow_id).await.unwrap().len(),
            before
        );
    }
);
