//! Window duty and attendance (窗口出勤) through the API: a clerk's day at a township window
//! (late sign-on, a pause, an inspection finding the window away, an early sign-off), leave,
//! an absence, a stale version, other units' staff refused, the monthly report's figures
//! exactly, and the public disclosure showing the window's month.

use axum::http::StatusCode;
use liandong_domain::organization::{UnitId, WindowKind};
use liandong_store::NewWindow;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, china};

/// Two windows at township center 201 (周窗口 is its clerk, 吴管理 its administrator).
async fn township_windows(t: &TestApp) -> (i64, i64) {
    let mut tx = t.app.store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (number, name) in [("1", "综合受理窗口"), ("2", "社保窗口")] {
        ids.push(
            tx.insert_window(&NewWindow {
                unit_id: UnitId(t.township.0),
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
    (ids[0], ids[1])
}

impl TestApp {
    /// A duty action at `window` as `user`, naming `version`.
    async fn duty(
        &self,
        user: &str,
        window: i64,
        version: &Value,
        action: Value,
    ) -> (StatusCode, Value) {
        let token = self.token(user).await;
        let mut body = action;
        body["expected_version"] = version.clone();
        self.post(
            &format!("/api/v1/windows/{window}/duty/actions"),
            Some(&token),
            body,
        )
        .await
    }

    /// A duty action that must succeed; returns the duty after it.
    async fn duty_ok(&self, user: &str, window: i64, duty: &Value, action: Value) -> Value {
        let (status, after) = self.duty(user, window, &duty["version"], action).await;
        assert_eq!(status, StatusCode::OK, "{user}: {after}");
        after
    }

    async fn board(&self) -> Value {
        let (status, board) = self
            .get(&format!("/api/v1/units/{}/duty", self.township.0), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{board}");
        board
    }
}

both!(
    a_clerks_day_at_the_window_is_recorded_and_summed_up_for_the_month,
    |t: TestApp| async move {
        let (w1, w2) = township_windows(&t).await;
        let clerk = t.token("t201.clerk").await;

        // Monday 2 March, 10:00: nobody has signed on; the board shows both windows closed.
        let board = t.board().await;
        assert_eq!(board["windows"][0]["state"], "closed");
        assert_eq!(board["windows"][1]["window_number"], "2");
        let (status, duty) = t
            .get(&format!("/api/v1/windows/{w1}/duty"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::OK, "{duty}");
        assert_eq!(duty["version"], 0);
        assert_eq!(duty["allowed_actions"], json!(["sign_on"]));

        // The clerk signs on an hour late.
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_on"}))
            .await;
        assert_eq!(duty["state"], "open");
        assert_eq!(duty["version"], 1);
        assert_eq!(duty["clerk_name"], "周窗口");
        assert_eq!(
            duty["allowed_actions"],
            json!(["pause", "mark_away", "sign_off"])
        );
        // A second sign-on on the version read before: stale.
        let (status, problem) = t
            .duty("t201.clerk", w1, &json!(0), json!({"action": "sign_on"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "stale_version");
        // Signed on here, not at the other window too.
        let (status, problem) = t
            .duty("t201.clerk", w2, &json!(0), json!({"action": "sign_on"}))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{problem}");
        assert_eq!(problem["code"], "on_duty_elsewhere");
        // Other units' staff are refused: the hall's clerk, a village clerk; an officer of
        // the township is no window clerk; the township's administrator cannot sign on.
        for user in ["d01.clerk", "v20101.clerk"] {
            let (status, _) = t
                .duty(
                    user,
                    w1,
                    &json!(1),
                    json!({"action": "pause", "reason": "consultation"}),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
        }
        let (status, _) = t
            .duty("t201.officer", w1, &json!(1), json!({"action": "sign_off"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t
            .duty("t201.admin", w2, &json!(0), json!({"action": "sign_on"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let board = t.board().await;
        assert_eq!(board["windows"][0]["state"], "open");
        assert_eq!(board["windows"][0]["since"], "2026-03-02T02:00:00Z");
        assert!(
            board["windows"][0].get("clerk_name").is_none(),
            "no names in public"
        );

        // 10:30 a pause for a consultation, without a note (only "other" needs one).
        t.clock.set(china(2026, 3, 2, 10, 30));
        let (status, problem) = t
            .duty(
                "t201.clerk",
                w1,
                &duty["version"],
                json!({"action": "pause", "reason": "other"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let duty = t
            .duty_ok(
                "t201.clerk",
                w1,
                &duty,
                json!({"action": "pause", "reason": "consultation"}),
            )
            .await;
        let board = t.board().await;
        assert_eq!(board["windows"][0]["state"], "paused");
        assert_eq!(board["windows"][0]["pause_reason"], "consultation");
        // Only the clerk resumes; 40 minutes later.
        t.clock.set(china(2026, 3, 2, 11, 10));
        let (status, _) = t
            .duty(
                "t201.admin",
                w1,
                &duty["version"],
                json!({"action": "resume"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "resume"}))
            .await;
        // 11:20 the hall manager's round (巡查) finds the window empty.
        t.clock.set(china(2026, 3, 2, 11, 20));
        let duty = t
            .duty_ok("t201.admin", w1, &duty, json!({"action": "mark_away"}))
            .await;
        assert_eq!(t.board().await["windows"][0]["state"], "away");
        // Back after lunch, at 13:45; signed off at 17:00.
        t.clock.set(china(2026, 3, 2, 13, 45));
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "resume"}))
            .await;
        t.clock.set(china(2026, 3, 2, 17, 0));
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_off"}))
            .await;
        assert_eq!(duty["state"], "closed");
        assert_eq!(duty["version"], 6);

        // The day as the hall manager reads it.
        let admin = t.token("t201.admin").await;
        let (status, day) = t
            .get(
                &format!("/api/v1/windows/{w1}/attendance?date=2026-03-02"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{day}");
        let record = &day["record"];
        assert_eq!(day["complete"], false, "today is not over");
        assert_eq!(record["office_minutes"], 420);
        assert_eq!(record["open_minutes"], 235);
        assert_eq!(record["paused"]["consultation"], 40);
        assert_eq!(record["away_minutes"], 55);
        assert_eq!(record["closed_minutes"], 90);
        let kinds: Vec<&str> = record["irregularities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "late_opening",
                "long_pause",
                "closed_during_office_hours",
                "early_leave"
            ]
        );
        assert_eq!(record["irregularities"][0]["minutes"], 60);
        assert_eq!(record["irregularities"][1]["minutes"], 40);
        assert_eq!(record["irregularities"][2]["minutes"], 55);
        assert_eq!(record["irregularities"][2]["from"], "2026-03-02T03:20:00Z");
        assert_eq!(record["irregularities"][3]["minutes"], 30);
        // Clerks do not read the figures; another township's officers do not see the window.
        let (status, _) = t
            .get(&format!("/api/v1/windows/{w1}/attendance"), Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Tuesday: approved leave for the whole day, recorded in the morning by the manager;
        // not on a Saturday.
        t.clock.set(china(2026, 3, 3, 8, 30));
        let clerk_id = t
            .app
            .store
            .staff_by_username("t201.clerk")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        let leave = |date: &str| {
            json!({"action": "record_leave", "date": date, "part": "whole_day",
                "clerk": clerk_id, "reason": "personal"})
        };
        let (status, problem) = t
            .duty("t201.admin", w1, &duty["version"], leave("2026-03-07"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) = t
            .duty("t201.clerk", w1, &duty["version"], leave("2026-03-03"))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the manager records leave");
        let duty = t
            .duty_ok("t201.admin", w1, &duty, leave("2026-03-03"))
            .await;

        // Wednesday: nobody comes. Thursday: on time, a training hour, signed off at 17:28.
        t.clock.set(china(2026, 3, 5, 9, 3));
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_on"}))
            .await;
        t.clock.set(china(2026, 3, 5, 14, 0));
        let duty = t
            .duty_ok(
                "t201.clerk",
                w1,
                &duty,
                json!({"action": "pause", "reason": "training"}),
            )
            .await;
        t.clock.set(china(2026, 3, 5, 15, 0));
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "resume"}))
            .await;
        t.clock.set(china(2026, 3, 5, 17, 28));
        t.duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_off"}))
            .await;

        // Friday morning: the month so far (through Thursday).
        t.clock.set(china(2026, 3, 6, 10, 0));
        let supervisor = t.token("supervisor").await;
        let unit = t.township.0;
        let (status, report) = t
            .get(
                &format!("/api/v1/units/{unit}/attendance?month=2026-03"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["through"], "2026-03-05");
        assert_eq!(report["complete"], false);
        let window = &report["windows"][0];
        assert_eq!(window["kept_from"], "2026-03-02");
        let f = &window["figures"];
        let figures = |f: &Value| {
            [
                "working_days",
                "days_on_duty",
                "days_on_leave",
                "on_time_openings",
                "late_openings",
                "absences",
                "early_leaves",
                "closed_stretches",
                "long_pauses",
                "office_minutes",
                "open_minutes",
                "away_minutes",
                "closed_minutes",
                "open_rate_per_mille",
            ]
            .map(|k| f[k].as_u64().unwrap_or(u64::MAX))
        };
        assert_eq!(
            figures(f),
            [4, 2, 1, 1, 1, 1, 1, 1, 1, 1260, 590, 55, 515, 468]
        );
        assert_eq!(f["paused"]["consultation"], 40);
        assert_eq!(f["paused"]["training"], 60);
        // Window 2 was never signed on at: not kept, no figures.
        assert_eq!(report["windows"][1]["kept_from"], Value::Null);
        assert_eq!(report["windows"][1]["figures"], Value::Null);
        // The clerk: the absence is the window's (nobody is posted to it).
        assert_eq!(report["clerks"].as_array().unwrap().len(), 1);
        assert_eq!(report["clerks"][0]["name"], "周窗口");
        let f = &report["clerks"][0]["figures"];
        assert_eq!(
            figures(f),
            [4, 2, 1, 1, 1, 0, 1, 1, 1, 745, 590, 55, 0, 792]
        );
        let listed: Vec<(&str, &str)> = report["irregularities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["date"].as_str().unwrap(),
                    i["irregularity"]["type"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("2026-03-02", "late_opening"),
                ("2026-03-02", "long_pause"),
                ("2026-03-02", "closed_during_office_hours"),
                ("2026-03-02", "early_leave"),
                ("2026-03-04", "unexplained_absence"),
            ]
        );
        assert_eq!(report["irregularities"][0]["clerk_name"], "周窗口");
        // The township's administrator reads it; the hall's unit is not theirs; a clerk no.
        // (Monday's sign-ins have expired.)
        let (admin, clerk) = (t.token("t201.admin").await, t.token("t201.clerk").await);
        let (status, _) = t
            .get(
                &format!("/api/v1/units/{unit}/attendance?month=2026-03"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = t
            .get("/api/v1/units/1/attendance?month=2026-03", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = t
            .get(
                &format!("/api/v1/units/{unit}/attendance?month=2026-03"),
                Some(&clerk),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = t
            .get(
                &format!("/api/v1/units/{unit}/attendance?month=2026-04"),
                Some(&supervisor),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // April: March is published beside the case figures. After Thursday nobody signed
        // on again: 22 working days, 19 of them absent.
        t.clock.set(china(2026, 4, 2, 10, 0));
        let (status, disclosure) = t.get("/api/v1/disclosure?month=2026-03", None).await;
        assert_eq!(status, StatusCode::OK, "{disclosure}");
        assert_eq!(disclosure["windows_through"], "2026-03-31");
        assert_eq!(
            disclosure["windows"],
            json!([{
                "unit": "双龙湖街道便民服务中心",
                "window_number": "1",
                "window_name": "综合受理窗口",
                "working_days": 22,
                "days_on_duty": 2,
                "days_on_leave": 1,
                "late_openings": 1,
                "absences": 19,
                "early_leaves": 1,
                "closed_stretches": 1,
                "long_pauses": 1,
                // 590 open of 21 × 420 office minutes.
                "open_rate_per_mille": 67
            }])
        );
        // February had no duty: nothing to publish.
        let (_, february) = t.get("/api/v1/disclosure?month=2026-02", None).await;
        assert_eq!(february["windows"], json!([]));
    }
);

both!(
    a_duty_lapses_at_midnight_and_the_next_day_starts_closed,
    |t: TestApp| async move {
        let (w1, _) = township_windows(&t).await;
        let clerk = t.token("t201.clerk").await;
        let (_, duty) = t
            .get(&format!("/api/v1/windows/{w1}/duty"), Some(&clerk))
            .await;
        t.duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_on"}))
            .await;
        // Tuesday: the window left signed on shows closed, and the clerk signs on again.
        t.clock.set(china(2026, 3, 3, 9, 0));
        let clerk = t.token("t201.clerk").await;
        assert_eq!(t.board().await["windows"][0]["state"], "closed");
        assert_eq!(t.board().await["windows"][0]["since"], Value::Null);
        let (_, duty) = t
            .get(&format!("/api/v1/windows/{w1}/duty"), Some(&clerk))
            .await;
        assert_eq!(duty["state"], "closed");
        assert_eq!(duty["allowed_actions"], json!(["sign_on"]));
        let duty = t
            .duty_ok("t201.clerk", w1, &duty, json!({"action": "sign_on"}))
            .await;
        assert_eq!(duty["version"], 2);
        assert_eq!(duty["since"], "2026-03-03T01:00:00Z");
    }
);
