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
        let (status, case) = t.second_supplement_notice().await;
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
        // The irregularity waits for its notice; the routine review never gets one.
        let waiting = t.app.store.findings_without_notice().await.unwrap();
        let irregularity = found.iter().find(|f| !f.routine).unwrap().id;
        assert_eq!(waiting, [irregularity]);

        // A licence accepted and then left: after its eight working days the sweep finds it
        // overdue (and untouched, and its first step late), once however often it runs.
        let (_, slow) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, slow) = t.act("d01.clerk", &slow, json!({"action": "accept"})).await;
        assert_eq!(t.app.sweep_findings().await.unwrap().new_findings, 0);
        t.clock.advance(Duration::days(21));
        let first = t.app.sweep_findings().await.unwrap();
        // Only the licence's clock is looked at: the case waiting for its supplement has a
        // stopped clock, which nothing can change before its next look, a month on.
        assert!(first.cases == 1 && first.new_findings >= 1, "{first:?}");
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

both!(
    every_irregularity_gets_a_notice_that_the_department_answers_or_that_escalates,
    |t: TestApp| async move {
        use liandong_domain::supervision::{CardLevel, NoticeAction, NoticeState, Resolution};
        // Two cases accepted and left past their limit.
        for _ in 0..2 {
            let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
            t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        }
        t.clock.advance(Duration::days(21));
        let report = t.app.sweep_findings().await.unwrap();
        assert!(report.notices_opened >= 2, "{report:?}");
        // Red: the officer and the approver of D01 at the hall (both have a work mobile) are
        // told once for each case.
        assert_eq!(report.warnings_queued, 4, "{report:?}");
        assert!(
            t.app
                .store
                .findings_without_notice()
                .await
                .unwrap()
                .is_empty()
        );
        let again = t.app.sweep_findings().await.unwrap();
        assert_eq!(again.notices_opened, 0, "one per finding");
        assert_eq!(again.warnings_queued, 0, "one warning per level and period");
        let warned: Vec<_> = t
            .app
            .store
            .sms_list(&liandong_store::SmsFilter {
                limit: 1_000,
                ..liandong_store::SmsFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind.as_str() == "red_warning")
            .collect();
        assert_eq!(warned.len(), 4);
        assert!(
            warned
                .iter()
                .all(|m| m.phone == "13900000001" || m.phone == "13900000002")
        );
        assert!(
            warned[0].text.starts_with("【电子监察】"),
            "{}",
            warned[0].text
        );
        // Each notice opened was told to the same two, once.
        let told = t
            .app
            .store
            .sms_list(&liandong_store::SmsFilter {
                limit: 1_000,
                ..liandong_store::SmsFilter::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind.as_str() == "notice_opened")
            .count();
        assert_eq!(told, report.notices_opened * 2);

        let session = |name: &'static str| {
            let app = t.app.clone();
            async move {
                let token = app
                    .sign_in(name, liandong_testkit::district::PASSWORD)
                    .await
                    .unwrap();
                app.authenticate(&token.token).await.unwrap()
            }
        };
        let supervisor = session("supervisor").await;
        let officer = session("d01.officer").await;
        let outsider = session("d01.clerk").await;
        let (running, total) = t
            .app
            .list_notices(&supervisor, Some(false), 100, 0)
            .await
            .unwrap();
        assert_eq!(total, i64::try_from(report.notices_opened).unwrap());
        let (own, _) = t
            .app
            .list_notices(&officer, Some(false), 100, 0)
            .await
            .unwrap();
        assert_eq!(own.len(), running.len(), "all are D01's");

        // The department replies; the supervisor returns the reply, then closes the notice.
        let id = running[0].id;
        let v = t.app.notice_view(&officer, id).await.unwrap();
        let reply = NoticeAction::Reply {
            reply: "已督促承办人当日办理，并约谈科室负责人".into(),
        };
        let v = t
            .app
            .act_on_notice(&officer, id, v.stored.record.version, &reply)
            .await
            .unwrap();
        assert_eq!(v.notice.state, NoticeState::Replied);
        let stale = t.app.act_on_notice(&officer, id, 1, &reply).await;
        assert!(
            matches!(stale, Err(liandong_app::AppError::Conflict { .. })),
            "{stale:?}"
        );
        let not_theirs = t
            .app
            .act_on_notice(
                &officer,
                id,
                v.stored.record.version,
                &NoticeAction::Close {
                    resolution: Resolution::Rectified,
                    note: String::new(),
                },
            )
            .await;
        assert!(not_theirs.is_err(), "closing is the supervisor's");
        let v = t
            .app
            .act_on_notice(
                &supervisor,
                id,
                v.stored.record.version,
                &NoticeAction::Close {
                    resolution: Resolution::Rectified,
                    note: "整改到位".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(v.notice.state, NoticeState::Closed);
        // A window clerk of the department may read and answer it too; staff elsewhere see
        // nothing of it.
        assert!(t.app.notice_view(&outsider, id).await.is_ok());
        let township = session("t201.officer").await;
        assert!(matches!(
            t.app.notice_view(&township, id).await,
            Err(liandong_app::AppError::NotFound(_))
        ));

        // Left without a reply: a yellow card after the reply deadline, then a red one.
        let other = running[1].id;
        t.clock.advance(Duration::days(8));
        t.app.sweep_findings().await.unwrap();
        let v = t.app.notice_view(&supervisor, other).await.unwrap();
        assert_eq!(v.notice.card, CardLevel::Yellow, "{:?}", v.stored.events);
        // Five working days from the yellow card, the Qingming holiday between.
        t.clock.advance(Duration::days(12));
        t.app.sweep_findings().await.unwrap();
        let v = t.app.notice_view(&supervisor, other).await.unwrap();
        assert_eq!(v.notice.card, CardLevel::Red);
        t.clock.advance(Duration::days(8));
        t.app.sweep_findings().await.unwrap();
        assert_eq!(
            t.app
                .notice_view(&supervisor, other)
                .await
                .unwrap()
                .notice
                .card,
            CardLevel::Red,
            "red is the end"
        );
        // Each card was told, once, to the officer and the approver of D01 and to the
        // supervisor.
        let of_other = format!("-notice-{other}-");
        let cards: Vec<_> = liandong_testkit::outbox::messages(
            &t.app.store,
            liandong_domain::notify::MessageKind::NoticeEscalated,
        )
        .await
        .into_iter()
        .filter(|m| m.id.contains(&of_other))
        .collect();
        assert_eq!(cards.len(), 6, "{cards:?}");
        for card in ["黄牌警告", "红牌问责"] {
            let mut phones: Vec<&str> = cards
                .iter()
                .filter(|m| m.text.contains(card))
                .map(|m| m.phone.as_str())
                .collect();
            phones.sort_unstable();
            assert_eq!(
                phones,
                ["13900000001", "13900000002", "13900000009"],
                "{card}"
            );
        }

        // Through the API: the department's list, a reply, and a second notice refused.
        let token = t.token("d01.officer").await;
        let (status, list) = t.get("/api/v1/notices?closed=false", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let first = &list["items"][0];
        let (status, answered) = t
            .post(
                &format!("/api/v1/notices/{}/actions", first["id"]),
                Some(&token),
                json!({"expected_version": first["version"], "action": "reply", "reply": "已整改"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answered}");
        assert_eq!(answered["notice"]["state"], "replied");
        let boss = t.token("supervisor").await;
        let (status, problem) = t
            .post(
                &format!(
                    "/api/v1/findings/{}/notice",
                    answered["record"]["finding_id"]
                ),
                Some(&boss),
                json!(null),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    }
);

both!(
    an_open_case_keeps_its_clock_with_every_event_and_drops_it_when_concluded,
    |t: TestApp| async move {
        use liandong_domain::case::{Case, ClockSnapshot};
        use liandong_domain::organization::CaseId;
        // The kept clock equals the one folded from the whole history, routing ids included.
        let check = |case: serde_json::Value| {
            let t = &t;
            async move {
                let id = CaseId(case["summary"]["id"].as_i64().unwrap());
                let stored = t.app.store.case(id).await.unwrap();
                let folded = Case::replay(&stored.events).unwrap();
                let kept = t.app.store.open_clock(id).await.unwrap();
                if folded.accepted_at.is_none() || folded.state.is_closed() {
                    assert_eq!(kept, None, "{:?}", folded.state);
                    return;
                }
                let kept = kept.expect("an open, accepted case has its clock");
                assert_eq!(kept.snapshot, ClockSnapshot::of(&folded, &[&stored.events]));
                assert_eq!(kept.department_id, stored.summary.department_id);
                assert_eq!(kept.handling_unit_id, stored.summary.handling_unit_id);
                assert_eq!(
                    (kept.item_id, kept.item_version),
                    (stored.summary.item_id, stored.summary.item_version)
                );
            }
        };
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        check(case.clone()).await;
        let steps = [
            ("d01.clerk", json!({"action": "accept"})),
            (
                "d01.officer",
                json!({"action": "request_supplement", "missing": ["健康证明"]}),
            ),
            (
                "d01.clerk",
                json!({"action": "supplement", "received": ["健康证明"]}),
            ),
            (
                "d01.officer",
                json!({"action": "start_special_procedure", "procedure": "inspection", "stated_days": 5, "reason": "现场检验"}),
            ),
            (
                "d01.officer",
                json!({"action": "end_special_procedure", "result": "检验合格"}),
            ),
            (
                "d01.approver",
                json!({"action": "grant_extension", "days": 3, "reason": "需现场核查"}),
            ),
            (
                "d01.officer",
                json!({"action": "handle", "opinion": "符合条件"}),
            ),
            (
                "d01.reviewer",
                json!({"action": "review", "opinion": "审核同意"}),
            ),
            (
                "d01.approver",
                json!({"action": "approve", "opinion": "同意"}),
            ),
            (
                "d01.clerk",
                json!({"action": "conclude", "delivery": "窗口领取"}),
            ),
        ];
        let mut case = case;
        for (who, action) in steps {
            t.clock.advance(Duration::hours(20));
            let (status, next) = t.act(who, &case, action.clone()).await;
            assert_eq!(status, StatusCode::OK, "{action}: {next}");
            case = next;
            check(case.clone()).await;
            // The sweep reads what was kept, and writes nothing twice.
            t.app.sweep_findings().await.unwrap();
            let again = t.app.sweep_findings().await.unwrap();
            assert_eq!((again.new_findings, again.warnings_queued), (0, 0));
        }
        assert_eq!(case["summary"]["state"], "concluded");
    }
);

both!(
    clocks_of_cases_open_before_they_were_kept_are_built_by_the_sweep,
    |t: TestApp| async move {
        use liandong_domain::organization::CaseId;
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        let id = CaseId(case["summary"]["id"].as_i64().unwrap());
        let kept = t.app.store.open_clock(id).await.unwrap().unwrap();
        // As migration 28 leaves an existing open case: listed, not built.
        sqlx::query("UPDATE open_case_clocks SET clock = NULL WHERE case_id = $1")
            .bind(id.0)
            .execute(t.app.store.pool())
            .await
            .unwrap();
        assert_eq!(t.app.store.open_clock(id).await.unwrap(), None);
        t.clock.advance(Duration::days(21));
        let report = t.app.sweep_findings().await.unwrap();
        assert_eq!((report.clocks_built, report.cases), (1, 1), "{report:?}");
        assert!(report.new_findings >= 1, "{report:?}");
        let built = t.app.store.open_clock(id).await.unwrap().unwrap();
        assert_eq!(built.snapshot, kept.snapshot);
        assert_eq!(t.app.sweep_findings().await.unwrap().clocks_built, 0);
    }
);

both!(
    the_sweep_looks_at_a_clock_when_its_time_comes_after_each_event_and_under_a_new_calendar,
    |t: TestApp| async move {
        use liandong_domain::organization::CaseId;
        use liandong_domain::supervision::SweepContext;
        // Tuesday 22 December 2026: the licence's 8 working days run into 2027, whose holidays
        // are not yet published.
        t.clock.set(crate::support::china(2026, 12, 22, 10, 0));
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        let id = CaseId(case["summary"]["id"].as_i64().unwrap());
        let clock = |t: &TestApp| {
            let store = t.app.store.clone();
            async move { store.open_clock(id).await.unwrap().unwrap() }
        };
        // Acceptance wrote the clock, to be looked at by the next sweep.
        let accepted = clock(&t).await;
        assert_eq!(accepted.look_at, 0);
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 1);

        // The sweep recorded when to look again: when the pure rules say the verdict changes.
        let looked = clock(&t).await;
        assert_eq!(looked.revision, accepted.revision);
        let item = t
            .app
            .item_version(looked.item_id, looked.item_version)
            .await
            .unwrap();
        let calendar = t.app.calendar();
        let ctx = SweepContext {
            item: &item,
            calendar: &calendar,
            supervision: &t.app.supervision_rules,
            warnings: &t.app.warning_rules,
        };
        let next = ctx.next_look(id, &looked.snapshot, t.app.now());
        assert_eq!(looked.look_at, next.timestamp_millis());
        // Left untouched once 23, 24 and 25 December are used: at the close of the 25th.
        assert_eq!(
            next,
            crate::support::china(2026, 12, 25, 17, 30) + Duration::milliseconds(1)
        );
        // Until then, no sweep looks at it; at that millisecond one does and finds it.
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 0);
        t.clock.set(next - Duration::milliseconds(1));
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 0);
        t.clock.set(next);
        let due = t.app.sweep_findings().await.unwrap();
        assert_eq!((due.cases, due.new_findings), (1, 1), "{due:?}");
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 0);

        // An event has the clock looked at by the next sweep.
        let (status, case) = t
            .act(
                "d01.officer",
                &case,
                json!({"action": "handle", "opinion": "符合条件"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{case}");
        let handled = clock(&t).await;
        assert_eq!(handled.look_at, 0);
        assert_eq!(handled.revision, looked.revision + 1);
        // A look computed from the clock before the event is not recorded over it.
        let stale = liandong_store::Look {
            case_id: id,
            revision: looked.revision,
            swept: None,
            next_look_at: next + Duration::days(30),
        };
        t.app
            .store
            .write(move |tx| Box::pin(async move { tx.record_looks(&[stale]).await }))
            .await
            .unwrap();
        assert_eq!(clock(&t).await.look_at, 0);
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 1);
        let reviewing = clock(&t).await;
        assert!(reviewing.look_at > t.app.now().timestamp_millis());
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 0);

        // Next year's notice changes the calendar: every clock is looked at again.
        t.load_2027_notice().await;
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 1);
        assert_eq!(t.app.sweep_findings().await.unwrap().cases, 0);
    }
);
