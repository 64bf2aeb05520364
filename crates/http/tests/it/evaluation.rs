//! Windows and quarters in the performance evaluation (绩效评估): applications taken in at
//! four windows of the hall — through the clerk's duty at one, through queue tickets at the
//! others — over March and April 2026, and what the months and the quarters make of them:
//! the windows ranking, 优秀窗口 by the rules' thresholds, 约谈 after two months last, the
//! quarter grades with a 不合格 flagged, and the quarter's 优秀便民服务中心.

use axum::http::{Method, StatusCode};
use liandong_app::evaluation::{Evaluation, Placed, QuarterEvaluation};
use liandong_domain::evaluation::{Grade, GradeThresholds, Points};
use liandong_domain::organization::{UnitId, WindowKind};
use liandong_store::NewWindow;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china, intake};

/// Four windows of the hall; queue groups A → window 1, B → window 2, C → window 4 (window 3
/// takes its applications in with the clerk signed on there, without a queue).
async fn hall_windows(t: &TestApp) -> [i64; 4] {
    let mut tx = t.app.store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (number, name) in [
        ("1", "市场准入窗口"),
        ("2", "社会事务窗口"),
        ("3", "综合受理窗口"),
        ("4", "咨询窗口"),
    ] {
        ids.push(
            tx.insert_window(&NewWindow {
                unit_id: UnitId(1),
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
                {"code": "A", "name": "市场准入", "windows": [ids[0]]},
                {"code": "B", "name": "社会事务", "windows": [ids[1]]},
                {"code": "C", "name": "咨询", "windows": [ids[3]]}
            ])),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{groups}");
    [ids[0], ids[1], ids[2], ids[3]]
}

/// Takes in `item` as the clerk of `token`; an on-the-spot item is concluded at once.
async fn take_in(t: &TestApp, token: &str, item: &str) -> Value {
    let (status, case) = t.post("/api/v1/cases", Some(token), intake(item)).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    if item != "GG00002000" {
        return case;
    }
    let id = &case["summary"]["id"];
    let (status, done) = t
        .post(
            &format!("/api/v1/cases/{id}/actions"),
            Some(token),
            json!({"action": "conclude_on_the_spot", "delivery": "当场领取",
                   "expected_version": case["summary"]["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

/// Refuses `case` at intake with grounds too short to be any: a process irregularity at the
/// window clerk's step.
async fn refuse_without_grounds(t: &TestApp, token: &str, case: &Value) {
    let id = &case["summary"]["id"];
    let (status, refused) = t
        .post(
            &format!("/api/v1/cases/{id}/actions"),
            Some(token),
            json!({"action": "refuse_intake", "reason": "不符", "legal_basis": "无",
                   "expected_version": case["summary"]["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refused}");
}

/// A visit: a ticket of `group` called to `window`, served, finished with an on-the-spot case
/// taken in meanwhile; returns the finished ticket.
async fn visit(t: &TestApp, token: &str, group: &str, window: i64) -> Value {
    let (status, _) = t
        .post(
            "/api/v1/units/1/queue/tickets",
            None,
            json!({"group": group}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, called) = t
        .post(
            &format!("/api/v1/windows/{window}/call-next"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{called}");
    let act = |ticket: Value, body: Value| async move {
        let mut body = body;
        body["expected_version"] = ticket["version"].clone();
        body["window_id"] = json!(window);
        let (status, next) = t
            .post(
                &format!("/api/v1/queue/tickets/{}/actions", ticket["id"]),
                Some(token),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{next}");
        next
    };
    let serving = act(called, json!({"action": "start"})).await;
    let case = take_in(t, token, "GG00002000").await;
    act(
        serving,
        json!({"action": "finish", "case": case["summary"]["id"]}),
    )
    .await
}

/// Rates the visit of `ticket` at the pad of `window`.
async fn rate(t: &TestApp, window: i64, ticket: &Value, satisfaction: &str) {
    let (status, rated) = t
        .post(
            &format!("/api/v1/windows/{window}/pad/ratings"),
            None,
            json!({"ticket_id": ticket["id"], "satisfaction": satisfaction, "reason": "等候时间太长"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rated}");
}

async fn duty(t: &TestApp, token: &str, window: i64, action: &str) {
    let (status, now) = t
        .get(&format!("/api/v1/windows/{window}/duty"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    let (status, after) = t
        .post(
            &format!("/api/v1/windows/{window}/duty/actions"),
            Some(token),
            json!({"action": action, "expected_version": now["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
}

async fn month(t: &TestApp, month: &str) -> Evaluation {
    let token = t.token("supervisor").await;
    let session = t.app.authenticate(&token).await.unwrap();
    t.app
        .monthly_evaluation(&session, Some(month))
        .await
        .unwrap()
}

async fn quarter(t: &TestApp, app: &liandong_app::App, quarter: &str) -> QuarterEvaluation {
    let token = t.token("supervisor").await;
    let session = app.authenticate(&token).await.unwrap();
    app.quarterly_evaluation(&session, Some(quarter))
        .await
        .unwrap()
}

fn window<'a>(ranking: &'a [Placed], number: &str) -> &'a Placed {
    ranking
        .iter()
        .find(|p| p.name.contains(&format!(" {number}号窗口 ")))
        .unwrap_or_else(|| panic!("window {number} in {ranking:#?}"))
}

fn places(ranking: &[Placed]) -> Vec<(u32, String, i64, bool, bool)> {
    ranking
        .iter()
        .map(|p| {
            (
                p.rank,
                p.name.clone(),
                p.score.total.as_hundredths(),
                p.awarded,
                p.summoned,
            )
        })
        .collect()
}

const W1: &str = "渝北区行政审批服务大厅 1号窗口 市场准入窗口";
const W2: &str = "渝北区行政审批服务大厅 2号窗口 社会事务窗口";
const W3: &str = "渝北区行政审批服务大厅 3号窗口 综合受理窗口";
const W4: &str = "渝北区行政审批服务大厅 4号窗口 咨询窗口";

both!(
    windows_are_ranked_awarded_and_summoned_and_quarters_graded,
    |t: TestApp| async move {
        let [w1, w2, w3, w4] = hall_windows(&t).await;

        // Tuesday 3 March: the clerk signs on at window 3 on time, takes in 30 applications
        // concluded on the spot and refuses two without grounds, and signs off at the close;
        // the window is never opened again (every later working day an absence).
        t.clock.set(china(2026, 3, 3, 9, 0));
        let clerk = t.token("d01.clerk").await;
        duty(&t, &clerk, w3, "sign_on").await;
        for _ in 0..30 {
            let case = take_in(&t, &clerk, "GG00002000").await;
            assert_eq!(
                t.app
                    .store
                    .case_window(liandong_domain::organization::CaseId(
                        case["summary"]["id"].as_i64().unwrap()
                    ))
                    .await
                    .unwrap()
                    .map(|w| w.0),
                Some(w3),
                "intake records the window the clerk is signed on at"
            );
        }
        for _ in 0..2 {
            let case = take_in(&t, &clerk, "XK00001000").await;
            refuse_without_grounds(&t, &clerk, &case).await;
        }
        t.clock.set(china(2026, 3, 3, 17, 30));
        duty(&t, &clerk, w3, "sign_off").await;

        // Wednesday 4 March, the clerk serving the queue without signing on: the tickets
        // finished with the cases say where they were taken in. Window 1: 31 visits and a
        // 非常满意; window 2: 30 visits and a 不满意 not rectified; window 4: 5 visits.
        t.clock.set(china(2026, 3, 4, 9, 0));
        let clerk = t.token("d01.clerk").await;
        let mut last = Value::Null;
        for _ in 0..31 {
            last = visit(&t, &clerk, "A", w1).await;
        }
        rate(&t, w1, &last, "very_satisfied").await;
        for _ in 0..30 {
            last = visit(&t, &clerk, "B", w2).await;
        }
        rate(&t, w2, &last, "dissatisfied").await;
        for _ in 0..5 {
            visit(&t, &clerk, "C", w4).await;
        }
        // The township centers: 201 takes in 90 applications, 202 three by proxy.
        let township = t.token("t201.clerk").await;
        for _ in 0..90 {
            take_in(&t, &township, "GG00003000").await;
        }
        let station = t.token("v20201.clerk").await;
        for _ in 0..3 {
            take_in(&t, &station, "GG00003000").await;
        }

        // April: window 1 takes in three more; window 3 stays away.
        t.clock.set(china(2026, 4, 8, 10, 0));
        let clerk = t.token("d01.clerk").await;
        for _ in 0..3 {
            visit(&t, &clerk, "A", w1).await;
        }
        t.clock.set(china(2026, 5, 6, 10, 0));

        let march = month(&t, "2026-03").await;
        assert!(march.complete);
        // Window 1: 100. Window 4: 100 too, but 5 applications are too few for 优秀窗口.
        // Window 2: satisfaction 3 of 10 (one 不满意 at 30 %), one poor rating unrectified −1:
        // 92. Window 3: 20 absences (4–31 March) take the openness part's 10, two refusals
        // without grounds −4: 86, last.
        assert_eq!(
            places(&march.windows),
            [
                (1, W1.to_owned(), 10_000, true, false),
                (1, W4.to_owned(), 10_000, false, false),
                (3, W2.to_owned(), 9_200, true, false),
                (4, W3.to_owned(), 8_600, false, false),
            ],
            "nobody is summoned after a February without a ranking"
        );
        let w3_march = window(&march.windows, "3");
        assert_eq!(w3_march.score.volume, 32, "the refused count as received");
        let openness = w3_march
            .score
            .lines
            .iter()
            .find(|l| l.label_zh == "政务公开")
            .unwrap();
        assert!(
            openness.detail_zh.contains("窗口出勤异常 20 次"),
            "{}",
            openness.detail_zh
        );
        assert_eq!(openness.points, Points::ZERO);
        let process = w3_march
            .score
            .lines
            .iter()
            .find(|l| l.label_zh == "程序规范")
            .unwrap();
        assert_eq!(process.points, Points::whole(10), "{}", process.detail_zh);
        let w2_march = window(&march.windows, "2");
        assert_eq!(w2_march.score.volume, 30);
        // The windows' cases still count for the department and the hall as before.
        assert!(!march.departments.is_empty());

        let april = month(&t, "2026-04").await;
        // Window 3 is still kept (its attendance runs) and absent every working day of April:
        // last again, and summoned. Windows 2 and 4 did nothing in April: not ranked.
        assert_eq!(
            places(&april.windows),
            [
                (1, W1.to_owned(), 10_000, false, false),
                (2, W3.to_owned(), 9_000, false, true),
            ]
        );

        // The first quarter: the windows have March only; the township center with 90
        // applications at 100 points is 优秀便民服务中心, the other too quiet.
        let q1 = quarter(&t, &t.app, "2026-Q1").await;
        assert!(q1.complete);
        assert_eq!(q1.quarter, "2026-Q1");
        assert_eq!(q1.months.len(), 3);
        let graded: Vec<(u32, &str, i64, Grade, bool)> = q1
            .windows
            .iter()
            .map(|g| {
                (
                    g.rank,
                    g.name.as_str(),
                    g.score.mean.as_hundredths(),
                    g.grade,
                    g.supervision_proposal,
                )
            })
            .collect();
        assert_eq!(
            graded,
            [
                (1, W1, 10_000, Grade::Excellent, false),
                (1, W4, 10_000, Grade::Excellent, false),
                (3, W2, 9_200, Grade::Excellent, false),
                (4, W3, 8_600, Grade::Good, false),
            ]
        );
        assert!(q1.windows.iter().all(|g| g.score.months == 1));
        let centers: Vec<(&str, u64, bool)> = q1
            .township_centers
            .iter()
            .map(|g| (g.name.as_str(), g.score.volume, g.awarded))
            .collect();
        assert_eq!(
            centers,
            [
                ("双龙湖街道便民服务中心", 90, true),
                ("回兴街道便民服务中心", 3, false),
            ]
        );
        assert!(q1.township_centers.iter().all(|g| g.score.months == 3));
        assert!(q1.departments.iter().all(|g| g.score.months == 3));

        // Stricter grades (a pass from 90): window 3's 86 fails and calls for a proposal.
        let mut strict = t.app.clone();
        strict.evaluation_rules.grades = GradeThresholds {
            excellent: Points::whole(98),
            good: Points::whole(95),
            pass: Points::whole(90),
        };
        let q1 = quarter(&t, &strict, "2026-Q1").await;
        let w3_q1 = q1.windows.iter().find(|g| g.name == W3).unwrap();
        assert_eq!(w3_q1.grade, Grade::Fail);
        assert!(w3_q1.supervision_proposal);
        assert!(
            q1.windows
                .iter()
                .filter(|g| g.name != W3)
                .all(|g| !g.supervision_proposal)
        );

        // The second quarter, in progress: April and May so far; window 3's May through
        // yesterday (the Labour Day holiday) has no working day to miss.
        let q2 = quarter(&t, &t.app, "2026-Q2").await;
        assert!(!q2.complete);
        assert_eq!(q2.months.len(), 2);
        let w3_q2 = q2.windows.iter().find(|g| g.name == W3).unwrap();
        assert_eq!(w3_q2.score.months, 2);
        assert_eq!(w3_q2.score.mean.as_hundredths(), 9_500, "(90 + 100) / 2");
        assert!(
            q2.township_centers.iter().all(|g| !g.awarded),
            "no center had 90 applications in the quarter"
        );

        // A quarter not begun, and one written wrongly, are refused.
        let token = t.token("supervisor").await;
        let session = t.app.authenticate(&token).await.unwrap();
        for bad in ["2026-Q3", "2026-Q5", "2026-07"] {
            assert!(
                t.app
                    .quarterly_evaluation(&session, Some(bad))
                    .await
                    .is_err(),
                "{bad}"
            );
        }
        // Only supervisors and system administrators read it.
        let clerk = t
            .app
            .authenticate(&t.token("d01.clerk").await)
            .await
            .unwrap();
        assert!(t.app.quarterly_evaluation(&clerk, None).await.is_err());
    }
);
