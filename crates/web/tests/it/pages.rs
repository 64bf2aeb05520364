//! The pages in-process, through the whole server's router, on SQLite and PostgreSQL.

use axum::http::StatusCode;
use liandong_domain::case::CaseState;
use liandong_domain::organization::CaseId;

use crate::both;
use crate::support::*;

/// Pages only staff may see, with an address that exists.
const STAFF_PAGES: &[&str] = &[
    "/inbox",
    "/cases",
    "/cases/1",
    "/cases/1/print/acceptance",
    "/workbench",
    "/workbench/XK00001000",
    "/admin/staff",
    "/admin/staff/new",
    "/admin/staff/1",
    "/admin/items/XK00001000",
    "/admin/reform-report",
    "/admin/items/XK00001000/edit",
    "/admin/organization",
    "/admin/units/new",
    "/admin/units/1",
    "/admin/departments/new",
    "/admin/windows/new",
    "/admin/calendar",
    "/admin/catalog/import",
    "/queue",
    "/ratings",
];

both!(
    every_staff_page_sends_a_visitor_to_sign_in_and_public_pages_are_open,
    |t: TestApp| async move {
        let mut c = t.client();
        for path in STAFF_PAGES {
            let page = c.get(path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert!(
                page.location().starts_with("/login?next="),
                "{path}: {}",
                page.location()
            );
        }
        for path in [
            "/",
            "/login",
            "/guide",
            "/guide/XK00001000",
            "/progress",
            "/verify",
            "/kiosk/1",
            "/kiosk/1/book",
            "/kiosk/1/book?group=A",
            "/kiosk/1/check-in",
            "/board/1",
            "/static/style.css",
            "/static/app.js",
        ] {
            let page = c.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
        }
        // A POST without a session goes to sign-in (or is refused) before anything happens.
        for path in ["/cases/1/act", "/workbench/XK00001000", "/admin/staff/new"] {
            let page = c.post(path, &[]).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert!(page.location().starts_with("/login"), "{path}");
        }
        assert_eq!(c.post("/logout", &[]).await.status, StatusCode::FORBIDDEN);
    }
);

both!(
    signing_in_sets_a_strict_http_only_cookie_and_lands_on_the_dashboard,
    |t: TestApp| async move {
        let mut c = t.client();
        let page = c.sign_in("d01.clerk", PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let session = page
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("ld_session="))
            .expect("session cookie");
        assert!(
            session.contains("HttpOnly")
                && session.contains("SameSite=Strict")
                && session.contains("Path=/")
        );
        assert!(!session.contains("Secure"), "plain HTTP: no Secure flag");
        let home = c.get("/").await;
        assert!(home.body.contains("您好，李窗口"), "{}", home.body);
        assert!(home.body.contains("窗口工作台"));
        // Behind a TLS proxy the cookie is Secure.
        let mut tls = t.client();
        tls.headers
            .push(("x-forwarded-proto".into(), "https".into()));
        let page = tls.sign_in("d01.clerk", PASSWORD).await;
        assert!(
            page.set_cookies()
                .iter()
                .any(|c| c.starts_with("ld_session=") && c.contains("; Secure"))
        );
        // Signing out ends the token: the old cookie no longer opens pages.
        let token = c.cookies.get("ld_session").cloned().expect("token");
        let csrf = c.csrf().await;
        let out = c.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(out.location(), "/login?signed_out=1");
        let mut stale = t.client();
        stale.cookies.insert("ld_session".into(), token);
        assert_eq!(stale.get("/inbox").await.status, StatusCode::SEE_OTHER);
    }
);

both!(
    a_wrong_password_keeps_the_username_and_repeated_failures_lock_the_account,
    |t: TestApp| async move {
        let mut c = t.client();
        let page = c.sign_in("d01.clerk", "wrong").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("用户名或密码错误"));
        assert!(page.body.contains("value=\"d01.clerk\""));
        for _ in 0..5 {
            c.sign_in("d01.clerk", "wrong").await;
        }
        let locked = c.sign_in("d01.clerk", PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.body.contains("账号已暂时锁定"), "{}", locked.body);
        c.cookies.insert("ld_lang".into(), "en".into());
        let locked = c.sign_in("d01.clerk", PASSWORD).await;
        assert!(
            locked.body.contains("the account is locked"),
            "{}",
            locked.body
        );
    }
);

both!(
    a_form_posted_without_its_csrf_token_is_refused,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, id) = clerk.intake("XK00001000", &["申请书"], "supplement").await;
        assert!(id > 0);
        let case = clerk.get(&format!("/cases/{id}")).await;
        let version = case.field("expected_version");
        let uri = format!("/cases/{id}/act");
        let without = clerk
            .post(
                &uri,
                &[
                    ("action", "withdraw"),
                    ("expected_version", &version),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(without.status, StatusCode::FORBIDDEN);
        assert!(without.body.contains("表单已失效"), "{}", without.body);
        // Another session's token does not do either.
        let other = t.signed_in("d01.officer").await;
        let mut other = other;
        let foreign = other.csrf().await;
        let with_foreign = clerk
            .post(
                &uri,
                &[
                    ("csrf", &foreign),
                    ("action", "withdraw"),
                    ("expected_version", &version),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(with_foreign.status, StatusCode::FORBIDDEN);
        // The sign-in form is protected too.
        let mut anonymous = t.client();
        let login = anonymous
            .post(
                "/login",
                &[("username", "d01.clerk"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(login.status, StatusCode::FORBIDDEN);
        // Nothing happened to the case.
        let view = t
            .app
            .case_view(
                &t.app
                    .authenticate(clerk.cookies.get("ld_session").expect("s"))
                    .await
                    .expect("session"),
                CaseId(id),
            )
            .await
            .expect("view");
        assert_eq!(view.case.state, CaseState::AwaitingSupplement);
    }
);

both!(
    a_clerk_opening_another_units_case_gets_the_not_found_page,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("t201.clerk").await;
        let (page, id) = clerk
            .intake("GG00003000", &["申请书", "户口簿"], "accept")
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let mut other = t.signed_in("v20201.clerk").await;
        let theirs = other.get(&format!("/cases/{id}")).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        assert!(theirs.body.contains("id=\"error-page\"") && theirs.body.contains("404"));
        assert!(
            theirs.body.contains("id=\"sign-out\""),
            "the error page keeps the signed-in header"
        );
        let missing = other.get("/cases/999999").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        // The two pages say the same: a case of another unit cannot be told from none.
        let main = |body: &str| body[body.find("<main").expect("main")..].to_owned();
        assert_eq!(main(&theirs.body), main(&missing.body));
        assert_eq!(
            other
                .get(&format!("/cases/{id}/print/acceptance"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let csrf = other.csrf().await;
        let act = other
            .post(
                &format!("/cases/{id}/act"),
                &[
                    ("csrf", &csrf),
                    ("action", "withdraw"),
                    ("expected_version", "2"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(act.status, StatusCode::NOT_FOUND);
        // The township's own village station sees it (it is in the township's tree only for admins).
        assert_eq!(
            clerk.get(&format!("/cases/{id}")).await.status,
            StatusCode::OK
        );
    }
);

both!(
    an_application_goes_from_the_window_through_every_step_to_its_conclusion,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let (page, id) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        assert_eq!(page.location(), format!("/cases/{id}?done=accept"));
        let shown = clerk.get(page.location()).await;
        assert!(
            shown.body.contains("已办理：受理") && shown.body.contains("承办中"),
            "{}",
            shown.body
        );
        assert!(shown.body.contains("print/acceptance"));
        let notice = clerk.get(&format!("/cases/{id}/print/acceptance")).await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(notice.body.contains("受理通知书") && notice.body.contains("王建国"));
        for (user, action, state) in [
            ("d01.officer", "handle", "审核中"),
            ("d01.reviewer", "review", "待批准"),
            ("d01.approver", "approve", "已决定待送达"),
        ] {
            let mut officer = t.signed_in(user).await;
            let inbox = officer.get("/inbox").await;
            assert!(
                inbox.body.contains(&format!("href=\"/cases/{id}\"")),
                "{user}: {}",
                inbox.body
            );
            let done = officer.act(id, action, &[("opinion", "符合条件")]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{user}: {}", done.body);
            assert!(
                officer
                    .get(&format!("/cases/{id}"))
                    .await
                    .body
                    .contains(state),
                "{user}"
            );
        }
        let done = clerk.act(id, "conclude", &[("delivery", "窗口领取")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let case = clerk.get(&format!("/cases/{id}")).await;
        assert!(case.body.contains("已办结") && case.body.contains("此办件已结束"));
        // The timeline names who acted.
        for name in ["李窗口", "张承办", "赵审核", "刘批准"] {
            assert!(
                case.body
                    .contains(&format!("<span class=\"actor\">{name}</span>")),
                "{name}"
            );
        }
        let notice = clerk.get(&format!("/cases/{id}/print/conclusion")).await;
        assert!(notice.body.contains("办结通知书") && notice.body.contains("准予许可"));
    }
);

both!(
    an_action_on_a_version_someone_else_changed_says_so_and_keeps_the_words,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, id) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let mut one = t.signed_in("d01.officer").await;
        let stale = one.get(&format!("/cases/{id}")).await;
        let (csrf, version) = (stale.csrf(), stale.field("expected_version"));
        let mut two = t.signed_in("d01.officer").await;
        assert_eq!(
            two.act(id, "handle", &[("opinion", "先办")]).await.status,
            StatusCode::SEE_OTHER
        );
        let late = one
            .post(
                &format!("/cases/{id}/act"),
                &[
                    ("csrf", &csrf),
                    ("action", "handle"),
                    ("expected_version", &version),
                    ("opinion", "后办"),
                ],
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.body.contains("此办件已被他人修改"), "{}", late.body);
        assert!(
            late.body.contains("审核中"),
            "the page shows the case as it is now"
        );
        // A missing opinion is shown beside its field, with the other words kept.
        let empty = two
            .act(
                id,
                "return",
                &[("to", "handle"), ("reason", ""), ("comment", "请补充意见")],
            )
            .await;
        assert_eq!(
            empty.status,
            StatusCode::FORBIDDEN,
            "only the reviewer returns at review: {}",
            empty.body
        );
        let mut reviewer = t.signed_in("d01.reviewer").await;
        let empty = reviewer
            .act(id, "review", &[("opinion", " "), ("comment", "保留的备注")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            empty.body.contains("field-error") && empty.body.contains("意见不能为空"),
            "{}",
            empty.body
        );
        assert!(empty.body.contains("value=\"保留的备注\""));
    }
);

both!(
    the_workbench_keeps_what_was_typed_and_marks_a_wrong_id_in_the_chosen_language,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let form = clerk.get("/workbench/XK00001000").await;
        let (csrf, key) = (form.csrf(), form.field("key"));
        let pairs = [
            ("csrf", csrf.as_str()),
            ("key", key.as_str()),
            ("applicant_type", "person"),
            ("name", "王建国"),
            ("id_number", "110105194912310021"),
            ("phone", "13800138000"),
            ("materials", "申请书"),
            ("decision", "accept"),
        ];
        let page = clerk.post("/workbench/XK00001000", &pairs).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("id=\"id-error\""), "{}", page.body);
        assert!(
            page.body.contains("value=\"王建国\"")
                && page.body.contains("value=\"110105194912310021\"")
        );
        assert!(page.body.contains("value=\"申请书\" checked"));
        clerk.cookies.insert("ld_lang".into(), "en".into());
        let page = clerk.post("/workbench/XK00001000", &pairs).await;
        assert!(
            page.body.contains("Please correct the fields marked"),
            "{}",
            page.body
        );
        // No case was made.
        assert_eq!(
            clerk
                .get("/cases")
                .await
                .body
                .matches("class=\"case-link\"")
                .count(),
            0
        );
    }
);

both!(
    the_workbench_finds_items_by_pinyin_initials_and_concludes_on_the_spot,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let found = clerk.get("/workbench?q=gtgsh").await;
        assert!(
            found.body.contains("id=\"pick-GG00002000\"")
                && !found.body.contains("id=\"pick-XK00001000\""),
            "{}",
            found.body
        );
        assert!(
            clerk
                .get("/workbench?q=XK0000")
                .await
                .body
                .contains("id=\"pick-XK00001000\"")
        );
        let (page, id) = clerk
            .intake("GG00002000", &["变更申请书"], "on_the_spot")
            .await;
        assert_eq!(
            page.location(),
            format!("/cases/{id}?done=conclude_on_the_spot")
        );
        let case = clerk.get(&format!("/cases/{id}")).await;
        assert!(case.body.contains("已办结"));
        let notice = clerk.get(&format!("/cases/{id}/print/conclusion")).await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(notice.body.contains("窗口领取"));
    }
);

both!(
    a_supplement_notice_lists_the_missing_material_and_the_supplement_resumes_the_case,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let (page, id) = clerk.intake("XK00001000", &["申请书"], "supplement").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let notice = clerk.get(&format!("/cases/{id}/print/supplement")).await;
        assert!(
            notice.body.contains("一次性告知书") && notice.body.contains("<li>营业执照</li>"),
            "{}",
            notice.body
        );
        let done = clerk
            .act(id, "supplement", &[("received", "营业执照")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let done = clerk.act(id, "accept", &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(
            clerk
                .get(&format!("/cases/{id}"))
                .await
                .body
                .contains("承办中")
        );
        // Refusal at the window, with its notice.
        let (_, refused) = clerk.intake("XK00001000", &["申请书"], "refuse").await;
        let notice = clerk.get(&format!("/cases/{refused}/print/refusal")).await;
        assert!(notice.body.contains("不予受理通知书") && notice.body.contains("第三十二条"));
    }
);

both!(
    the_public_finds_their_case_masked_and_the_guide_lists_items,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, id) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let case = clerk.get(&format!("/cases/{id}")).await;
        let start = case.body.find("办件 ").expect("title") + "办件 ".len();
        let number: String = case.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let mut public = t.client();
        let form = public.get("/progress").await;
        let csrf = form.csrf();
        let page = public
            .post(
                "/progress",
                &[("csrf", &csrf), ("number", &number), ("check", "31002X")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{number}: {}", page.body);
        assert!(page.body.contains("王**") && !page.body.contains("王建国"));
        assert!(!page.body.contains(RESIDENT_ID));
        let wrong = public
            .post(
                "/progress",
                &[("csrf", &csrf), ("number", &number), ("check", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("未找到与该办件编号和校验码相符的办件"));
        let guide = public.get("/guide?q=spjy").await;
        assert!(guide.body.contains("食品经营许可"), "{}", guide.body);
        let item = public.get("/guide/XK00001000").await;
        assert!(item.body.contains("营业执照") && item.body.contains("第三十五条"));
        assert!(item.body.contains("可在村居便民服务站申请代办"));
        assert_eq!(
            public.get("/guide/XK99999999").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both!(
    pages_carry_the_security_headers_and_switch_language_with_a_cookie,
    |t: TestApp| async move {
        let mut c = t.client();
        let page = c.get("/?lang=en").await;
        for (name, value) in [
            (
                "content-security-policy",
                "default-src 'self'; frame-ancestors 'none'",
            ),
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
        ] {
            assert_eq!(
                page.headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name}"
            );
        }
        assert!(page.body.contains("<html lang=\"en\">") && page.body.contains("Service guide"));
        assert!(
            !page.body.contains("style=") && !page.body.contains("<script>"),
            "no inline code"
        );
        let again = c.get("/guide").await;
        assert!(
            again.body.contains("Service guide"),
            "the cookie keeps the choice"
        );
        let zh = c.get("/guide?lang=zh").await;
        assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("办事指南"));
    }
);

both!(
    an_administrator_creates_disables_and_resets_an_account,
    |t: TestApp| async move {
        let mut admin = t.signed_in("admin").await;
        let form = admin.get("/admin/staff/new").await;
        let csrf = form.csrf();
        let bad = admin
            .post(
                "/admin/staff/new",
                &[
                    ("csrf", &csrf),
                    ("username", "x"),
                    ("display_name", "新人"),
                    ("unit_id", "1"),
                    ("department_id", "0"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("用户名应为3至64位")
                && bad.body.contains("密码至少8位")
                && bad.body.contains("至少选择一个角色")
        );
        assert!(bad.body.contains("value=\"新人\""));
        let ok = admin
            .post(
                "/admin/staff/new",
                &[
                    ("csrf", &csrf),
                    ("username", "new.clerk"),
                    ("display_name", "新人"),
                    ("unit_id", "1"),
                    ("department_id", "0"),
                    ("roles", "window_clerk"),
                    ("password", "a-long-password"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let edit = admin.get(ok.location()).await;
        assert!(edit.body.contains("账号已创建"));
        let mut newcomer = t.client();
        assert_eq!(
            newcomer
                .sign_in("new.clerk", "a-long-password")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let version = edit.field("expected_version");
        let path = ok
            .location()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let saved = admin
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("expected_version", &version),
                    ("roles", "window_clerk"),
                    ("new_password", "another-password"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        // Disabled (no `active`), and its session ended.
        assert_eq!(newcomer.get("/inbox").await.status, StatusCode::SEE_OTHER);
        assert_eq!(
            newcomer
                .sign_in("new.clerk", "another-password")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let list = admin.get("/admin/staff?q=new").await;
        assert!(list.body.contains("已停用"));
        // A clerk may not open the administration.
        let mut clerk = t.signed_in("d01.clerk").await;
        assert_eq!(
            clerk.get("/admin/staff").await.status,
            StatusCode::FORBIDDEN
        );
        let report = admin
            .get("/admin/reform-report?from=2025-01-01&to=2026-03-01")
            .await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("事项总数"));
        let history = admin.get("/admin/items/XK00001000").await;
        assert!(history.body.contains("2025-01-01"));
        assert_eq!(
            admin.get("/admin/reform-report?from=bad").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
);

both!(
    an_administrator_edits_an_item_as_a_new_dated_version_and_reads_the_setup,
    |t: TestApp| async move {
        // Joint handling allows a 15-day extension; the form has no field for it.
        let code = liandong_domain::catalog::ItemCode::parse("XK00001000").unwrap();
        let record = t.app.item_by_code(&code).await.unwrap();
        let joint = liandong_domain::catalog::ServiceItem {
            extension_limit_days: 15,
            ..record.item.clone()
        };
        t.app
            .record_item_version(
                None,
                liandong_domain::catalog::ItemChange::Defined {
                    item: Box::new(joint),
                },
                &code,
                chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                Some(record.current_version),
            )
            .await
            .unwrap();
        let mut admin = t.signed_in("admin").await;
        let form = admin.get("/admin/items/XK00001000/edit").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let csrf = form.csrf();
        let version = form.field("expected_version");
        let cells = [
            ("name", "食品经营许可（新办）"),
            ("department_code", "D01"),
            ("level", "district_hall"),
            ("branch_code", ""),
            ("proxy_by_village", "true"),
            ("kind", "licence"),
            ("legal_basis", "《中华人民共和国食品安全法》第三十五条"),
            ("statutory_days", "20"),
            ("committed_days", "5"),
            ("on_the_spot", "false"),
            ("window_authorised", "false"),
            (
                "materials",
                "申请书|original|1|required;营业执照|copy|1|required",
            ),
            ("fees", ""),
            ("prerequisites", ""),
            (
                "steps",
                "handle|3|handling_officer;review|1|reviewer;approve|1|approver",
            ),
        ];
        let mut pairs = vec![
            ("csrf", csrf.as_str()),
            ("expected_version", version.as_str()),
            ("effective_from", "2026-03-03"),
        ];
        pairs.extend_from_slice(&cells);
        let mut bad = pairs.clone();
        bad.retain(|(k, _)| *k != "committed_days");
        bad.push(("committed_days", "many"));
        let refused = admin.post("/admin/items/XK00001000/edit", &bad).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"many\"") && refused.body.contains("field-error"),
            "{}",
            refused.body
        );
        let saved = admin.post("/admin/items/XK00001000/edit", &pairs).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let edited = t.app.item_by_code(&code).await.unwrap().item;
        assert_eq!(edited.committed_days, 5);
        assert_eq!(edited.extension_limit_days, 15, "kept");
        let history = admin.get(saved.location()).await;
        assert!(
            history.body.contains("新版本已保存") && history.body.contains("2026-03-03"),
            "{}",
            history.body
        );
        // The version the form was read at is stale now.
        let stale = admin.post("/admin/items/XK00001000/edit", &pairs).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        // Only a system administrator edits the catalog.
        let mut clerk = t.signed_in("d01.clerk").await;
        assert_eq!(
            clerk.get("/admin/items/XK00001000/edit").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            clerk.get("/admin/organization").await.status,
            StatusCode::FORBIDDEN
        );

        let org = admin.get("/admin/organization").await;
        assert!(
            org.body.contains("双龙湖街道便民服务中心")
                && org.body.contains("宝桐社区便民服务站")
                && org.body.contains("重庆市渝北区市场监督管理局"),
            "{}",
            org.body
        );
        // Catalog rows pasted as CSV: a wrong row writes nothing, a right one a version.
        let import = admin.get("/admin/catalog/import").await;
        let csrf = import.csrf();
        let header = CATALOG.lines().next().expect("header");
        let row = "GG00009000,新事项,D01,district_hall,,false,public_service,依据,5,3,false,false,申请书|original|1|required,,,approve|3|approver";
        let wrong = format!("{header}\n{}", row.replace("D01", "D99"));
        let refused = admin
            .post_files(
                "/admin/catalog/import",
                &[
                    ("csrf", &csrf),
                    ("effective_from", "2026-03-03"),
                    ("csv", &wrong),
                ],
                &[],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(refused.body.contains("D99"));
        let right = format!("{header}\n{row}");
        let done = admin
            .post_files(
                "/admin/catalog/import",
                &[
                    ("csrf", &csrf),
                    ("effective_from", "2026-03-03"),
                    ("csv", &right),
                ],
                &[],
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("导入完成：新增1项"), "{}", done.body);
        // The same catalog as a workbook file, one item renamed: one change, the rest as they were.
        let mut items = liandong_app::catalog_file::read_csv(CATALOG.as_bytes()).unwrap();
        items[0].name = format!("{}（新）", items[0].name);
        let workbook = liandong_app::catalog_file::write_xlsx(&items).unwrap();
        let uploaded = admin
            .post_files(
                "/admin/catalog/import",
                &[
                    ("csrf", &csrf),
                    ("effective_from", "2026-03-04"),
                    ("csv", ""),
                ],
                &[("file", "目录.xlsx", &workbook)],
            )
            .await;
        assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
        assert!(
            uploaded
                .body
                .contains("目录.xlsx：导入完成：新增0项 · 变更 1 · 未变 2"),
            "{}",
            uploaded.body
        );
        // A file that is neither is refused with its name, writing nothing.
        let junk = admin
            .post_files(
                "/admin/catalog/import",
                &[("csrf", &csrf), ("effective_from", "2026-03-04")],
                &[("file", "照片.xlsx", b"PK\x03\x04 not a workbook")],
            )
            .await;
        assert_eq!(
            junk.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            junk.body
        );
        assert!(junk.body.contains("照片.xlsx"));
        // An upload without the form's token is refused like any form.
        let forged = admin
            .post_files(
                "/admin/catalog/import",
                &[("effective_from", "2026-03-04")],
                &[("file", "目录.xlsx", &workbook)],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // Over the server's body limit: 413 and the page says so.
        let huge = vec![b'a'; liandong_http::MAX_BODY_BYTES + 1];
        let too_large = admin
            .post_files(
                "/admin/catalog/import",
                &[("csrf", &csrf), ("effective_from", "2026-03-04")],
                &[("file", "目录.csv", &huge)],
            )
            .await;
        assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(too_large.body.contains("文件过大"), "{}", too_large.body);

        let calendar = admin.get("/admin/calendar?year=2026").await;
        assert_eq!(calendar.status, StatusCode::OK);
        assert!(
            calendar.body.contains("2026-10-01") && calendar.body.contains("调休上班"),
            "{}",
            calendar.body
        );
        let csrf = calendar.csrf();
        let bad = admin
            .post(
                "/admin/calendar",
                &[("csrf", &csrf), ("year", "2027"), ("notice", "not toml")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("not toml"));
    }
);

both!(
    administrators_keep_units_departments_and_windows_from_the_organization_page,
    |t: TestApp| async move {
        let mut admin = t.signed_in("admin").await;
        let org = admin.get("/admin/organization").await;
        assert!(org.body.contains("id=\"new-unit\"") && org.body.contains("id=\"new-department\""));
        let form = admin.get("/admin/units/new").await;
        let csrf = form.csrf();
        let township = t.app.store.unit_by_code("201").await.unwrap().unwrap();
        let township_id = township.id.0.to_string();
        // A station under the hall is refused next to the field, keeping what was typed.
        let bad = admin
            .post(
                "/admin/units/new",
                &[
                    ("csrf", &csrf),
                    ("code", "20103"),
                    ("kind", "village_station"),
                    ("parent_id", "1"),
                    ("name", "石坪村便民服务站"),
                    ("address", ""),
                    ("phone", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"e-parent_id\""), "{}", bad.body);
        assert!(bad.body.contains("value=\"石坪村便民服务站\""));
        let ok = admin
            .post(
                "/admin/units/new",
                &[
                    ("csrf", &csrf),
                    ("code", "20103"),
                    ("kind", "village_station"),
                    ("parent_id", &township_id),
                    ("name", "石坪村便民服务站"),
                    ("address", "石坪村村委会"),
                    ("phone", ""),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let edit = admin.get(ok.location()).await;
        assert!(edit.body.contains("已保存") && edit.body.contains("村居便民服务站"));
        let version = edit.field("expected_version");
        let path = ok.location().split('?').next().unwrap().to_owned();
        let change = [
            ("csrf", csrf.as_str()),
            ("expected_version", version.as_str()),
            ("name", "石坪村便民服务站"),
            ("address", "石坪村2组"),
            ("phone", "023-67821234"),
        ];
        assert_eq!(
            admin.post(&path, &change).await.status,
            StatusCode::SEE_OTHER
        );
        let stale = admin.post(&path, &change).await;
        assert_eq!(
            stale.status,
            StatusCode::CONFLICT,
            "a stale form never overwrites"
        );
        assert!(stale.body.contains("id=\"form-problem\""));
        let stored = t.app.store.unit_by_code("20103").await.unwrap().unwrap();
        assert_eq!((stored.address.as_str(), stored.version), ("石坪村2组", 2));

        // A window for the township, then closed.
        let departments = t.app.departments().await.unwrap();
        let d1 = departments[0].id.0.to_string();
        let created = admin
            .post(
                "/admin/windows/new",
                &[
                    ("csrf", &csrf),
                    ("unit_id", &township_id),
                    ("number", "3"),
                    ("name", "社保窗口"),
                    ("kind", "independent"),
                    ("department_ids", &d1),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let edit = admin.get(created.location()).await;
        assert!(
            edit.body.contains("checked"),
            "the served department is ticked"
        );
        let path = created.location().split('?').next().unwrap().to_owned();
        let closed = admin
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("expected_version", &edit.field("expected_version")),
                    ("number", "3"),
                    ("name", "社保窗口"),
                    ("kind", "independent"),
                    ("department_ids", &d1),
                ],
            )
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let windows = t.app.windows(Some(township.id)).await.unwrap();
        assert!(!windows[0].active);
        let org = admin.get("/admin/organization").await;
        assert!(
            org.body
                .contains("社保窗口 <span class=\"badge\">已停用</span>")
        );

        // A township's administrator may not add departments.
        let mut township_admin = t.signed_in("t201.admin").await;
        let token = township_admin.csrf().await;
        let refused = township_admin
            .post(
                "/admin/departments/new",
                &[
                    ("csrf", &token),
                    ("code", "D31"),
                    ("name", "某局"),
                    ("unit_id", "1"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
);

both!(
    the_fee_window_takes_a_payment_on_the_case_page,
    |t: TestApp| async move {
        // XK00001000 charges a 10-yuan fee from today.
        let code = liandong_domain::catalog::ItemCode::parse("XK00001000").unwrap();
        let mut item = t.app.item_by_code(&code).await.unwrap().item;
        item.fees = vec![liandong_domain::catalog::Fee {
            name: "工本费".into(),
            amount_fen: 1000,
            basis: "渝价〔2026〕1号".into(),
        }];
        let today = liandong_domain::calendar::china_date(t.app.now());
        t.app
            .record_item_version(
                None,
                liandong_domain::catalog::ItemChange::Defined {
                    item: Box::new(item),
                },
                &code,
                today,
                Some(1),
            )
            .await
            .unwrap();
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, id) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        let page = clerk.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains("id=\"payment-code\""), "{}", page.body);
        assert!(page.body.contains("待缴费"));
        let form_version = page
            .body
            .split("id=\"counter-form\"")
            .nth(1)
            .and_then(|rest| rest.split("name=\"expected_version\" value=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        // Before it is paid, the applicant sees the fees due under the lookup; online payment
        // is not configured here, and the page says so.
        let start = page.body.find("办件 ").expect("title") + "办件 ".len();
        let number: String = page.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        let mut public = t.client();
        let csrf = public.get("/progress").await.csrf();
        let lookup = public
            .post(
                "/progress",
                &[("csrf", &csrf), ("number", &number), ("check", "31002X")],
            )
            .await;
        assert!(
            lookup.body.contains("id=\"fees-due\">10.00"),
            "{}",
            lookup.body
        );
        let refused = public
            .post(
                "/progress/pay",
                &[("csrf", &csrf), ("number", &number), ("check", "31002X")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("收费窗口缴费"), "{}", refused.body);
        let payment = t
            .app
            .store
            .payment_of_case(liandong_domain::organization::CaseId(id))
            .await
            .unwrap()
            .unwrap();
        let csrf = page.csrf();
        let done = clerk
            .post(
                &format!("/payments/{}/counter", payment.record.id),
                &[
                    ("csrf", &csrf),
                    ("expected_version", &form_version),
                    ("amount_fen", "1000"),
                    ("method", "cash"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let page = clerk.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains("已缴费"), "{}", page.body);
        assert!(!page.body.contains("id=\"counter-form\""));
        assert!(
            !page.body.contains("id=\"refund-form\""),
            "a clerk does not refund"
        );

        // The approver gives it back with the reason.
        let mut approver = t.signed_in("d01.approver").await;
        let page = approver.get(&format!("/cases/{id}")).await;
        assert!(page.body.contains("id=\"refund-form\""), "{}", page.body);
        let version = page
            .body
            .split("id=\"refund-form\"")
            .nth(1)
            .and_then(|rest| rest.split("name=\"expected_version\" value=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let done = approver
            .post(
                &format!("/payments/{}/refund", payment.record.id),
                &[
                    ("csrf", &page.csrf()),
                    ("expected_version", &version),
                    ("reason", "申请人撤回申请，依规退还"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(
            approver
                .get(&format!("/cases/{id}"))
                .await
                .body
                .contains("已退费")
        );

        // A second case: the licence copy supplied later, then accepted on its page with the
        // fee reduced by half.
        let (_, second) = clerk.intake("XK00001000", &["申请书"], "supplement").await;
        let supplied = clerk
            .act(second, "supplement", &[("received", "营业执照")])
            .await;
        assert_eq!(supplied.status, StatusCode::SEE_OTHER, "{}", supplied.body);
        let page = clerk.get(&format!("/cases/{second}")).await;
        assert!(page.body.contains("id=\"accept-fees\""), "{}", page.body);
        let refused = clerk
            .act(
                second,
                "accept",
                &[
                    ("fee_name_0", "工本费"),
                    ("fee_kind_0", "reduced"),
                    ("fee_yuan_0", "5"),
                    ("fee_reason_0", ""),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains("value=\"5\""),
            "what was typed is kept"
        );
        let done = clerk
            .act(
                second,
                "accept",
                &[
                    ("fee_name_0", "工本费"),
                    ("fee_kind_0", "reduced"),
                    ("fee_yuan_0", "5"),
                    ("fee_reason_0", "《行政事业性收费管理办法》第十条减半收取"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let reduced = t
            .app
            .store
            .payment_of_case(liandong_domain::organization::CaseId(second))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reduced.record.amount_fen, 500);
    }
);

both!(
    an_online_application_form_sent_twice_makes_one_case,
    |t: TestApp| async move {
        const PHONE: &str = "13912345678";
        const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";
        let mut me = t.client();
        let csrf = me.get("/online").await.csrf();
        let sent = me
            .post("/online/code", &[("csrf", &csrf), ("phone", PHONE)])
            .await;
        assert!(
            sent.status.is_success() || sent.status.is_redirection(),
            "{}",
            sent.body
        );
        let code = code_sent_to(&t, PHONE).await;
        let signed = me
            .post(
                "/online/login",
                &[("csrf", &csrf), ("phone", PHONE), ("code", &code)],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);

        let form = me.get("/online/apply/XK00001000").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let key = form.field("key");
        assert_eq!(key.len(), 48, "{key}");
        let again = me.get("/online/apply/XK00001000").await;
        assert_ne!(again.field("key"), key, "every form shown has its own key");
        let fields = [
            ("csrf", form.csrf()),
            ("key", key.clone()),
            ("applicant_type", "person".to_owned()),
            ("name", "李秀英".to_owned()),
            ("id_number", RESIDENT_ID.to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let first = me
            .post_files(
                "/online/apply/XK00001000",
                &fields,
                &[("m0", "申请书.pdf", PDF)],
            )
            .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        assert!(first.location().starts_with("/online/cases/"));
        // The second click of a double click: the same case.
        let second = me
            .post_files(
                "/online/apply/XK00001000",
                &fields,
                &[("m0", "申请书.pdf", PDF)],
            )
            .await;
        assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
        assert_eq!(second.location(), first.location());
        let mine = me.get("/online/cases").await;
        assert_eq!(
            mine.body.matches("href=\"/online/cases/").count(),
            1,
            "{}",
            mine.body
        );
    }
);
