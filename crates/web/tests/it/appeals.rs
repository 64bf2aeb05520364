//! The appeals (三项制度) pages on both databases: staff list, appeal page and its actions,
//! registration at a window.

use axum::http::StatusCode;

use crate::both;
use crate::support::*;

/// Registers a village appeal through the form; returns its id from the redirect.
async fn register(c: &mut Client) -> i64 {
    let form = c.get("/appeals/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    let page = c
        .post(
            "/appeals/new",
            &[
                ("csrf", &csrf),
                ("kind", "problem"),
                ("channel", "station"),
                ("scope", "village"),
                ("name", "李秀英"),
                ("phone", "13900139000"),
                ("category", "道路交通"),
                ("content", "村道路灯损坏，夜间出行不便"),
                ("address", "龙湖社区三组"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location()
        .strip_prefix("/appeals/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .expect("appeal id")
}

/// Acts on an appeal through its page's form, at the version the page shows.
async fn act(c: &mut Client, id: i64, fields: &[(&str, &str)]) -> Page {
    let page = c.get(&format!("/appeals/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (csrf, version) = (page.csrf(), page.field("expected_version"));
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", &csrf), ("expected_version", &version)];
    pairs.extend_from_slice(fields);
    c.post(&format!("/appeals/{id}/act"), &pairs).await
}

both!(appeal_pages_need_sign_in, |t: TestApp| async move {
    let mut c = t.client();
    for path in ["/appeals", "/appeals/new", "/appeals/1", "/appeals/at-risk"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/login?next="), "{path}");
    }
    for path in ["/appeals/1/act", "/appeals/new"] {
        let page = c.post(path, &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
    }
});

both!(
    a_village_clerk_registers_and_answers_an_appeal_and_others_see_404,
    |t: TestApp| async move {
        let mut c = t.signed_in("v20101.clerk").await;
        let home = c.get("/").await;
        assert!(home.body.contains("href=\"/appeals\""), "nav entry");
        // Empty content: the error beside the field, the typed words kept.
        let form = c.get("/appeals/new").await;
        let csrf = form.csrf();
        let bad = c
            .post(
                "/appeals/new",
                &[
                    ("csrf", &csrf),
                    ("kind", "problem"),
                    ("channel", "station"),
                    ("scope", "village"),
                    ("name", "李秀英"),
                    ("phone", "13900139000"),
                    ("category", "道路交通"),
                    ("content", "  "),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("id=\"content-error\""), "{}", bad.body);
        assert!(bad.body.contains("value=\"李秀英\"") && bad.body.contains("道路交通"));

        let id = register(&mut c).await;
        let page = c.get(&format!("/appeals/{id}?done=registered")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("李秀英") && page.body.contains("村道路灯损坏"));
        assert!(page.body.contains("已登记") && page.body.contains("龙湖社区便民服务站"));
        assert!(page.body.contains("id=\"act-answer\""));
        assert!(
            !page.body.contains("id=\"act-take_over\""),
            "supervisor only"
        );
        let list = c.get("/appeals").await;
        assert!(
            list.body.contains(&format!("href=\"/appeals/{id}\"")),
            "{}",
            list.body
        );
        let all = c.get("/appeals?show=all&level=village&lang=en").await;
        assert!(all.body.contains(&format!("href=\"/appeals/{id}\"")));
        assert!(all.body.contains("Village"));
        c.get("/?lang=zh").await;

        // Another village's clerk: the 404 page, as for a missing appeal.
        let mut other = t.signed_in("v20201.clerk").await;
        let theirs = other.get(&format!("/appeals/{id}")).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let missing = other.get("/appeals/99999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let act_theirs = act_as_foreign(&mut other, &mut c, id).await;
        assert_eq!(act_theirs, StatusCode::NOT_FOUND);

        // Without the CSRF token: refused, nothing happens.
        let page = c.get(&format!("/appeals/{id}")).await;
        let version = page.field("expected_version");
        let no_csrf = c
            .post(
                &format!("/appeals/{id}/act"),
                &[
                    ("action", "answer"),
                    ("expected_version", &version),
                    ("answer", "已修复"),
                ],
            )
            .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

        // A visit, then the answer.
        let visit = act(
            &mut c,
            id,
            &[("action", "record_action"), ("note", "现场查看")],
        )
        .await;
        assert_eq!(visit.status, StatusCode::SEE_OTHER, "{}", visit.body);
        let stale = c
            .post(
                &format!("/appeals/{id}/act"),
                &[
                    ("csrf", &page.csrf()),
                    ("action", "answer"),
                    ("expected_version", &version),
                    ("answer", "已修复"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(stale.body.contains("此办件已被他人修改"), "{}", stale.body);
        // An empty answer: refused with the message beside the form.
        let empty = act(&mut c, id, &[("action", "answer"), ("answer", "")]).await;
        assert_eq!(
            empty.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            empty.body
        );
        assert!(empty.body.contains("id=\"answer-error\""));
        let answered = act(
            &mut c,
            id,
            &[("action", "answer"), ("answer", "路灯已于今日修复")],
        )
        .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
        let page = c.get(answered.location()).await;
        assert!(page.body.contains("已答复") && page.body.contains("路灯已于今日修复"));
        assert!(page.body.contains("现场查看"), "history");
        // The clerk records the person's rating given by phone: a poor one needs a reason.
        assert!(page.body.contains("id=\"act-rate\""));
        let poor = act(
            &mut c,
            id,
            &[("action", "rate"), ("satisfaction", "dissatisfied")],
        )
        .await;
        assert_eq!(
            poor.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            poor.body
        );
        assert!(poor.body.contains("id=\"rate-error\""));
        let rated = act(
            &mut c,
            id,
            &[
                ("action", "rate"),
                ("satisfaction", "dissatisfied"),
                ("comment", "路灯仍时亮时不亮"),
            ],
        )
        .await;
        assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
        let page = c.get(&format!("/appeals/{id}")).await;
        assert!(
            page.body.contains("不满意") && page.body.contains("已答复"),
            "left for the center"
        );
        assert!(!page.body.contains("id=\"act-rate\""));
    }
);

/// Another unit's clerk posts to the appeal with their own valid token: 404.
async fn act_as_foreign(other: &mut Client, owner: &mut Client, id: i64) -> StatusCode {
    let version = owner
        .get(&format!("/appeals/{id}"))
        .await
        .field("expected_version");
    let csrf = other.csrf().await;
    other
        .post(
            &format!("/appeals/{id}/act"),
            &[
                ("csrf", &csrf),
                ("action", "record_action"),
                ("expected_version", &version),
                ("note", "x"),
            ],
        )
        .await
        .status
}

both!(
    supervisors_see_every_appeal_and_the_warning_list,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("v20101.clerk").await;
        let id = register(&mut clerk).await;
        assert_eq!(
            clerk.get("/appeals/at-risk").await.status,
            StatusCode::FORBIDDEN
        );
        let mut s = t.signed_in("supervisor").await;
        let risk = s.get("/appeals/at-risk").await;
        assert_eq!(risk.status, StatusCode::OK, "{}", risk.body);
        assert!(risk.body.contains("预警"));
        let page = s.get(&format!("/appeals/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("id=\"act-take_over\"") && page.body.contains("id=\"act-extend\"")
        );
        let taken = act(
            &mut s,
            id,
            &[("action", "take_over"), ("reason", "群众多次反映")],
        )
        .await;
        assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
        let page = s.get(&format!("/appeals/{id}")).await;
        assert!(page.body.contains("效能中心接管") && page.body.contains("渝北区行政审批服务大厅"));
        // A bad date stays in its form; then extended, answered, redone, answered, closed.
        let bad = act(
            &mut s,
            id,
            &[("action", "extend"), ("due", "4月"), ("reason", "需协调")],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"extend-error\"") && bad.body.contains("需协调"));
        let extended = act(
            &mut s,
            id,
            &[
                ("action", "extend"),
                ("due", "2026-04-30"),
                ("reason", "需协调多个部门"),
            ],
        )
        .await;
        assert_eq!(extended.status, StatusCode::SEE_OTHER, "{}", extended.body);
        let page = s.get(&format!("/appeals/{id}")).await;
        assert!(page.body.contains("2026-04-30"));
        for (action, field, text) in [
            ("answer", "answer", "已协调处理"),
            ("order_redo", "reason", "答复不完整"),
            ("answer", "answer", "已补充答复"),
            ("close", "note", "回访满意"),
        ] {
            let done = act(&mut s, id, &[("action", action), (field, text)]).await;
            assert_eq!(
                done.status,
                StatusCode::SEE_OTHER,
                "{action}: {}",
                done.body
            );
        }
        let page = s.get(&format!("/appeals/{id}")).await;
        assert!(page.body.contains("已办结") && page.body.contains("责令重办"));
        assert!(!page.body.contains("id=\"act-"), "nothing left to do");
    }
);

both!(
    the_public_raise_an_appeal_look_it_up_masked_and_rate_it,
    |t: TestApp| async move {
        let mut p = t.client();
        let home = p.get("/").await;
        assert!(
            home.body.contains("href=\"/appeal\"") && home.body.contains("href=\"/appeal/lookup\"")
        );
        let form = p.get("/appeal").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        // Online needs a phone; what was typed stays.
        let no_phone = p
            .post(
                "/appeal",
                &[
                    ("csrf", &csrf),
                    ("kind", "suggestion"),
                    ("scope", "district_department"),
                    ("department", "1"),
                    ("name", "王芳"),
                    ("category", "营商环境"),
                    ("content", "建议延长午间办理时间"),
                ],
            )
            .await;
        assert_eq!(
            no_phone.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            no_phone.body
        );
        assert!(
            no_phone.body.contains("id=\"phone-error\"")
                && no_phone.body.contains("建议延长午间办理时间")
        );
        let done = p
            .post(
                "/appeal",
                &[
                    ("csrf", &csrf),
                    ("kind", "suggestion"),
                    ("scope", "district_department"),
                    ("department", "1"),
                    ("name", "王芳"),
                    ("phone", "13700137000"),
                    ("category", "营商环境"),
                    ("content", "建议延长午间办理时间"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(
            done.body.contains("id=\"appeal-number\">SX-100-"),
            "{}",
            done.body
        );

        // A clerk's appeal, answered, looked up by the person: masked, rated.
        let mut clerk = t.signed_in("v20101.clerk").await;
        let id = register(&mut clerk).await;
        let number = {
            let page = clerk.get(&format!("/appeals/{id}")).await;
            let start = page.body.find("SX-").expect("number");
            page.body[start..start + 22].to_owned()
        };
        let lookup = p.get("/appeal/lookup").await;
        let csrf = lookup.csrf();
        let wrong = p
            .post(
                "/appeal/lookup",
                &[("csrf", &csrf), ("number", &number), ("check", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        let open = p
            .post(
                "/appeal/lookup",
                &[("csrf", &csrf), ("number", &number), ("check", "139000")],
            )
            .await;
        assert_eq!(open.status, StatusCode::OK, "{}", open.body);
        assert!(
            open.body.contains("李*英") || open.body.contains("李*"),
            "{}",
            open.body
        );
        assert!(!open.body.contains("李秀英") && !open.body.contains("13900139000"));
        assert!(!open.body.contains("id=\"rate-form\""), "not answered yet");
        let answered = act(
            &mut clerk,
            id,
            &[("action", "answer"), ("answer", "路灯已修复")],
        )
        .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER);
        let shown = p
            .post(
                "/appeal/lookup",
                &[("csrf", &csrf), ("number", &number), ("check", "139000")],
            )
            .await;
        assert!(shown.body.contains("路灯已修复") && shown.body.contains("id=\"rate-form\""));
        let poor = p
            .post(
                "/appeal/lookup",
                &[
                    ("csrf", &csrf),
                    ("number", &number),
                    ("check", "139000"),
                    ("satisfaction", "dissatisfied"),
                    ("comment", ""),
                ],
            )
            .await;
        assert_eq!(
            poor.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            poor.body
        );
        assert!(poor.body.contains("id=\"comment-error\""));
        let rated = p
            .post(
                "/appeal/lookup",
                &[
                    ("csrf", &csrf),
                    ("number", &number),
                    ("check", "139000"),
                    ("satisfaction", "very_satisfied"),
                ],
            )
            .await;
        assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
        assert!(rated.body.contains("id=\"rated\"") && rated.body.contains("非常满意"));
        assert!(!rated.body.contains("id=\"rate-form\""));
        // Without the token: refused.
        let no_csrf = p
            .post(
                "/appeal/lookup",
                &[("number", &number), ("check", "139000")],
            )
            .await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    }
);

both!(
    the_statistics_page_counts_what_the_user_sees_for_the_period,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("v20101.clerk").await;
        register(&mut clerk).await;
        let mut supervisor = t.signed_in("supervisor").await;
        let page = supervisor.get("/appeals/statistics").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let overall = page.body.split("id=\"stats-overall\"").nth(1).unwrap();
        let overall = overall.split("</tr>").next().unwrap();
        assert!(
            overall.contains("<td>1</td><td>0</td><td>0.0%</td>"),
            "{overall}"
        );
        assert!(page.body.contains("村（居）"), "{}", page.body);
        assert!(
            page.body.contains("2026-03-01 — 2026-03-02"),
            "the month so far"
        );
        // Another village's clerk counts nothing of it.
        let mut other = t.signed_in("v20201.clerk").await;
        let theirs = other.get("/appeals/statistics").await;
        let overall = theirs.body.split("id=\"stats-overall\"").nth(1).unwrap();
        assert!(
            overall.starts_with("><th scope=\"row\">合计</th><td>0</td>"),
            "{overall}"
        );
        // A period before it: nothing; a bad date or a period backwards: a clear message.
        let before = supervisor
            .get("/appeals/statistics?from=2026-02-01&to=2026-02-28")
            .await;
        assert!(
            before.body.contains("合计</th><td>0</td>"),
            "{}",
            before.body
        );
        let bad = supervisor.get("/appeals/statistics?from=2026-13-01").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("日期格式应为YYYY-MM-DD"));
        let backwards = supervisor
            .get("/appeals/statistics?from=2026-03-02&to=2026-03-01")
            .await;
        assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(backwards.body.contains("统计区间应为开始日期之后三年以内"));
    }
);

both!(
    the_center_decides_on_a_complaint_from_its_page_and_sees_the_late_ones_marked,
    |t: TestApp| async move {
        use liandong_domain::appeal::{
            AppealChannel, AppealKind, AppealScope, Person, Registration,
        };
        let complaint = Registration {
            kind: AppealKind::ServiceComplaint,
            channel: AppealChannel::Online,
            scope: AppealScope::DistrictDepartment,
            person: Person {
                name: "张伟".into(),
                phone: Some(liandong_domain::ids::PhoneNumber::parse("13800138000").unwrap()),
            },
            category: "服务态度".into(),
            content: "窗口工作人员态度生硬".into(),
            address: String::new(),
            unit: None,
            department: Some(liandong_domain::organization::DepartmentId(1)),
        };
        // Registered on Monday 2 March 2026: the decision is due Monday 9 March.
        let mine = t.app.submit_online_appeal(&complaint).await.unwrap();
        let id = t
            .app
            .store
            .appeal_id_by_number(&mine.number)
            .await
            .unwrap()
            .0;
        let mut boss = t.signed_in("supervisor").await;
        let list = boss.get("/appeals/acceptance").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.body.contains(&mine.number), "{}", list.body);
        assert!(list.body.contains("2026-03-09"));
        assert!(!list.body.contains("受理决定已逾期"));
        // The department's officer sees the complaint but no decision to make.
        let mut officer = t.signed_in("d01.officer").await;
        let page = officer.get(&format!("/appeals/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("待受理") && !page.body.contains("act-accept"));

        // Past the fifth working day the complaint stands out on the center's list.
        t.clock
            .set(start_time() + chrono::Duration::days(8) - chrono::Duration::hours(1));
        let mut boss = t.signed_in("supervisor").await;
        let list = boss.get("/appeals/acceptance").await;
        assert!(list.body.contains("受理决定已逾期"), "{}", list.body);
        assert!(list.body.contains("level-red"));
        let page = boss.get(&format!("/appeals/{id}")).await;
        for form in ["act-accept", "act-refuse_acceptance", "act-forward"] {
            assert!(page.body.contains(form), "{form}");
        }
        assert!(page.body.contains("受理决定期限") && page.body.contains("2026-03-09"));
        // A refusal on "other" needs its reason, shown beside the form.
        let refused = act(
            &mut boss,
            id,
            &[("action", "refuse_acceptance"), ("ground", "other")],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("须写明具体理由"), "{}", refused.body);
        let accepted = act(
            &mut boss,
            id,
            &[("action", "accept"), ("note", "属于效能投诉受理范围")],
        )
        .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
        let page = boss.get(&format!("/appeals/{id}")).await;
        assert!(page.body.contains("已受理"), "{}", page.body);
        // One month from acceptance on 10 March.
        assert!(page.body.contains("2026-04-10"), "{}", page.body);

        // The late decision is a finding about the complaint, linked from the findings page.
        let findings = boss.get("/findings").await;
        assert!(
            findings.body.contains(&format!("/appeals/{id}")),
            "{}",
            findings.body
        );
        assert!(findings.body.contains("投诉受理决定超期"));
    }
);
