//! The monitoring page: figures from the running totals, open cases by level, charts, scope.

use axum::http::StatusCode;

use crate::both;
use crate::support::*;

both!(
    the_monitoring_page_counts_from_the_totals_and_keeps_to_the_viewers_units,
    |t: TestApp| async move {
        let mut supervisor = t.signed_in("supervisor").await;
        let before = supervisor.get("/monitor").await;
        assert_eq!(before.status, StatusCode::OK, "{}", before.body);
        assert!(
            before.body.contains("id=\"open-green\">0<"),
            "{}",
            before.body
        );

        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "refuse")
            .await;
        let after = supervisor.get("/monitor").await;
        assert!(
            after.body.contains("id=\"open-green\">1<"),
            "{}",
            after.body
        );
        let figures = after
            .body
            .split("id=\"period-figures\"")
            .nth(1)
            .unwrap_or_default();
        assert!(
            figures.contains("<span class=\"n\">2</span><span>收件</span>"),
            "{figures}"
        );
        assert!(figures.contains("<span class=\"n\">1</span><span>不予受理</span>"));
        assert!(after.body.contains("<svg") && after.body.contains("重庆市渝北区市场监督管理局"));
        assert!(
            after.body.contains("data-refresh=\"30\""),
            "the live part refreshes"
        );
        let by_unit = after
            .body
            .split("id=\"by-unit\"")
            .nth(1)
            .unwrap_or_default();
        assert!(
            by_unit.contains("渝北区行政审批服务大厅</td><td>2</td><td>0</td>"),
            "{by_unit}"
        );

        // A period that ends before it starts is refused with the form kept.
        let bad = supervisor
            .get("/monitor?from=2026-03-10&to=2026-03-01")
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("value=\"2026-03-10\""));

        // A township's administrator sees its own units only: the hall's case is not there.
        let mut township = t.signed_in("t201.admin").await;
        let own = township.get("/monitor").await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.body.contains("id=\"open-green\">0<"), "{}", own.body);
        assert_eq!(
            township.get("/monitor?unit=1").await.status,
            StatusCode::FORBIDDEN
        );
        let mut officer = t.signed_in("d01.officer").await;
        assert_eq!(officer.get("/monitor").await.status, StatusCode::FORBIDDEN);
    }
);

both!(
    the_public_sees_each_departments_month_and_nothing_about_a_person,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let mut public = t.client();
        // The last complete month by default: nothing happened in it.
        let last = public.get("/disclosure").await;
        assert_eq!(last.status, StatusCode::OK, "{}", last.body);
        assert!(last.body.contains("value=\"2026-02\""), "{}", last.body);
        let this = public.get("/disclosure?month=2026-03").await;
        assert!(this.body.contains("本月截至今日"));
        let line = this
            .body
            .split("重庆市渝北区市场监督管理局</td>")
            .nth(1)
            .unwrap_or_default();
        assert!(
            line.starts_with("<td>1</td><td>1</td><td>0</td>"),
            "{}",
            this.body
        );
        assert!(
            !this.body.contains("王建国"),
            "no applicant on a public page"
        );
        let future = public.get("/disclosure?month=2026-04").await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        let junk = public.get("/disclosure?month=March").await;
        assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(junk.body.contains("YYYY-MM"));
    }
);

both!(
    the_efficiency_office_lists_irregularities_and_routine_reviews_apart,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "refuse")
            .await;
        let mut supervisor = t.signed_in("supervisor").await;
        let irregular = supervisor.get("/findings").await;
        assert_eq!(irregular.status, StatusCode::OK, "{}", irregular.body);
        assert!(
            irregular.body.contains("共0条"),
            "a refusal is no irregularity"
        );
        let routine = supervisor.get("/findings?routine=1").await;
        assert!(routine.body.contains("共1条"), "{}", routine.body);
        assert!(routine.body.contains("不予受理审查"));
        let en = supervisor.get("/findings?routine=1&lang=en").await;
        assert!(en.body.contains("Intake refused (review)"));
        let mut officer = t.signed_in("d01.officer").await;
        assert_eq!(officer.get("/findings").await.status, StatusCode::FORBIDDEN);
    }
);

both!(
    a_department_answers_its_notice_and_the_supervisor_concludes_it_on_the_pages,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        t.clock.advance(chrono::Duration::days(21));
        t.app.sweep_findings().await.unwrap();
        let mut officer = t.signed_in("d01.officer").await;
        let list = officer.get("/notices").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let href = list
            .body
            .split("<a href=\"/notices/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned();
        let path = format!("/notices/{href}");
        let notice = officer.get(&path).await;
        assert!(notice.body.contains("id=\"reply-form\""), "{}", notice.body);
        assert!(
            !notice.body.contains("id=\"close-form\""),
            "closing is the supervisor's"
        );
        let empty = officer
            .post(
                &format!("{path}/act"),
                &[
                    ("csrf", &notice.csrf()),
                    ("expected_version", &notice.field("expected_version")),
                    ("action", "reply"),
                    ("text", " "),
                ],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("答复内容不能为空"), "{}", empty.body);
        let replied = officer
            .post(
                &format!("{path}/act"),
                &[
                    ("csrf", &notice.csrf()),
                    ("expected_version", &notice.field("expected_version")),
                    ("action", "reply"),
                    ("text", "已督促承办人当日办理"),
                ],
            )
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
        let mut supervisor = t.signed_in("supervisor").await;
        let page = supervisor.get(&path).await;
        assert!(page.body.contains("已督促承办人当日办理") && page.body.contains("已答复待审核"));
        let closed = supervisor
            .post(
                &format!("{path}/act"),
                &[
                    ("csrf", &page.csrf()),
                    ("expected_version", &page.field("expected_version")),
                    ("action", "close"),
                    ("resolution", "rectified"),
                    ("text", "整改到位"),
                ],
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let done = supervisor.get(closed.location()).await;
        assert!(
            done.body.contains("id=\"notice-state\">已办结"),
            "{}",
            done.body
        );
        let mut elsewhere = t.signed_in("v20101.clerk").await;
        assert_eq!(elsewhere.get(&path).await.status, StatusCode::NOT_FOUND);
    }
);

both!(
    departments_are_scored_and_ranked_each_month_with_every_point_explained,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        // A station of township 201 takes an application in by proxy: the township's volume.
        let mut station = t.signed_in("v20101.clerk").await;
        let (_, proxied) = station
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let token = station.csrf().await;
        let registered = station
            .post(
                "/proxy",
                &[
                    ("csrf", &token),
                    ("case_id", &proxied.to_string()),
                    ("contact", "郑代办 13800000001"),
                ],
            )
            .await;
        assert_eq!(
            registered.status,
            StatusCode::SEE_OTHER,
            "{}",
            registered.body
        );
        // Both left past their first step and untouched: findings against D01.
        t.clock.advance(chrono::Duration::days(21));
        t.app.sweep_findings().await.unwrap();
        let mut supervisor = t.signed_in("supervisor").await;
        let page = supervisor.get("/evaluation?month=2026-03").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let ranking = page.body.split("id=\"ranking\"").nth(1).unwrap_or_default();
        let first = ranking.find("重庆市渝北区民政局").unwrap_or(usize::MAX);
        let second = ranking
            .find("重庆市渝北区市场监督管理局")
            .unwrap_or(usize::MAX);
        assert!(
            first < second,
            "the department without findings ranks first: {ranking}"
        );
        // Both earn the bonus for commitments shortened against statutory limits; D01 loses
        // two points for each of its four findings (two cases, each untouched and late at its
        // first step).
        assert!(
            ranking.contains("<td>1</td><td>重庆市渝北区民政局</td><td><strong>106.00</strong>"),
            "{ranking}"
        );
        assert!(
            ranking.contains(
                "<td>2</td><td>重庆市渝北区市场监督管理局</td><td><strong>98.00</strong>"
            )
        );
        assert!(
            ranking.contains("电子监察发现问题 4 个"),
            "the lines say why"
        );
        let book = supervisor.get("/evaluation.xlsx?month=2026-03").await;
        assert_eq!(book.status, StatusCode::OK);
        assert_eq!(
            book.headers["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(book.body.starts_with("PK"), "a zip container");
        let future = supervisor.get("/evaluation?month=2026-05").await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(
    a_window_is_ranked_from_its_intake_and_attendance_and_the_quarter_graded,
    |t: TestApp| async move {
        let window = {
            let mut tx = t.app.store.begin().await.unwrap();
            let id = tx
                .insert_window(&liandong_store::NewWindow {
                    unit_id: liandong_domain::organization::UnitId(1),
                    number: "3".into(),
                    name: "综合受理窗口".into(),
                    kind: liandong_domain::organization::WindowKind::Comprehensive,
                    department_ids: vec![],
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id.0.to_string()
        };
        // Monday 2 March, 10:00: the clerk signs on at the desk (an hour late) and takes two
        // applications in at the workbench; the window is never opened again that month.
        let mut clerk = t.signed_in("d01.clerk").await;
        let desk = clerk.get("/queue").await;
        let csrf = desk.csrf();
        let signed_on = clerk
            .post(
                "/queue/duty",
                &[
                    ("csrf", csrf.as_str()),
                    ("window", window.as_str()),
                    ("expected_version", "0"),
                    ("action", "sign_on"),
                ],
            )
            .await;
        assert_eq!(
            signed_on.status,
            StatusCode::SEE_OTHER,
            "{}",
            signed_on.body
        );
        for _ in 0..2 {
            let (page, _) = clerk
                .intake("XK00001000", &["申请书", "营业执照"], "accept")
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        }
        t.clock.set(
            chrono::DateTime::parse_from_rfc3339("2026-05-06T10:00:00+08:00")
                .unwrap()
                .with_timezone(&chrono::Utc),
        );

        let mut supervisor = t.signed_in("supervisor").await;
        let page = supervisor.get("/evaluation?month=2026-03").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let windows = page.body.split("id=\"windows\"").nth(1).unwrap_or_default();
        let windows = windows.split("</table>").next().unwrap_or_default();
        // The late opening and 21 absences (3–31 March) take the openness part's 10 points;
        // two applications are too few for 优秀窗口, and one window alone is never last.
        assert!(
            windows.contains(
                "<td>1</td><td>渝北区行政审批服务大厅 3号窗口 综合受理窗口</td><td><strong>90.00</strong></td><td>2</td>"
            ),
            "{windows}"
        );
        assert!(windows.contains("窗口出勤异常 22 次"), "{windows}");
        assert!(!windows.contains("优秀窗口") && !windows.contains("约谈"));
        assert!(
            page.body
                .contains("id=\"quarter-link\" href=\"/evaluation?quarter=2026-Q1\""),
            "{}",
            page.body
        );

        let quarter = supervisor.get("/evaluation?quarter=2026-Q1").await;
        assert_eq!(quarter.status, StatusCode::OK, "{}", quarter.body);
        assert!(
            quarter.body.contains("id=\"period\">2026-Q1<"),
            "{}",
            quarter.body
        );
        let graded = quarter
            .body
            .split("id=\"q-windows\"")
            .nth(1)
            .unwrap_or_default()
            .split("</table>")
            .next()
            .unwrap_or_default();
        assert!(
            graded.contains(
                "<td>1</td><td>渝北区行政审批服务大厅 3号窗口 综合受理窗口</td><td><strong>90.00</strong></td><td>优秀</td><td>1</td><td>2</td>"
            ),
            "{graded}"
        );
        // The township centers are graded for the quarter; none took 90 applications in.
        let townships = quarter
            .body
            .split("id=\"q-townships\"")
            .nth(1)
            .unwrap_or_default();
        assert!(townships.contains("双龙湖街道便民服务中心"), "{townships}");
        assert!(!quarter.body.contains("badge ok\">优秀便民服务中心"));
        assert!(
            quarter
                .body
                .contains("id=\"export-xlsx\" href=\"/evaluation.xlsx?quarter=2026-Q1\"")
        );
        let book = supervisor.get("/evaluation.xlsx?quarter=2026-Q1").await;
        assert_eq!(book.status, StatusCode::OK);
        assert!(book.body.starts_with("PK"), "a zip container");
        assert!(
            book.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("evaluation-2026-Q1.xlsx")
        );
        let english = supervisor.get("/evaluation?quarter=2026-Q1&lang=en").await;
        assert!(english.body.contains("Excellent"), "{}", english.body);

        for bad in ["2026-Q3", "2026-Q9"] {
            let refused = supervisor.get(&format!("/evaluation?quarter={bad}")).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(refused.body.contains("id=\"form-problem\""));
        }
    }
);
