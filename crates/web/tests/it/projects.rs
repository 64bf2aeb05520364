//! Key-project pages: the green-channel clerk registers a project with its plan, opens the
//! approvals that are ready, records a joint review; others see it as their scope allows.

use axum::http::StatusCode;

use crate::both;
use crate::support::*;

const CREDIT_CODE: &str = "91500112MA5U5YYP13";

both!(
    the_green_channel_registers_a_project_opens_it_and_records_a_joint_review,
    |t: TestApp| async move {
        let mut clerk = t.signed_in("d01.clerk").await;
        let list = clerk.get("/projects").await;
        assert!(list.body.contains("id=\"new-project\""), "{}", list.body);
        let form = clerk.get("/projects/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("name", "新建厂房项目"),
            ("code", ""),
            ("applicant_name", "重庆某某食品有限公司"),
            ("credit_code", "91500112MA5U5YYP1X"),
            ("phone", "023-67821234"),
            ("target_days", "40"),
            ("plan", "XK00001000 | 立项 |\nGG00002000 | 变更 | 3"),
        ];
        let bad = clerk.post("/projects/new", &fields).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("value=\"新建厂房项目\""),
            "typed input is kept"
        );
        assert!(bad.body.contains("统一社会信用代码"), "{}", bad.body);
        fields[4].1 = CREDIT_CODE;
        let bad = clerk.post("/projects/new", &fields).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("第2项依赖的第3项不存在"), "{}", bad.body);
        fields[7].1 = "XK00001000 | 立项 |\nGG00002000 | 变更 | 1";
        let made = clerk.post("/projects/new", &fields).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let path = made.location().to_owned();

        let project = clerk.get(&path).await;
        assert!(
            project
                .body
                .contains("data-status=\"project.status.ready\"")
        );
        assert!(
            project
                .body
                .contains("data-status=\"project.status.waiting\"")
        );
        assert!(
            project.body.contains("<svg"),
            "the Gantt chart is drawn on the server"
        );
        let opened = clerk
            .post(
                &format!("{path}/open"),
                &[
                    ("csrf", &csrf),
                    ("expected_version", &project.field("expected_version")),
                ],
            )
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let project = clerk.get(opened.location()).await;
        assert!(project.body.contains("已开启可办的审批"));
        assert!(
            project
                .body
                .contains("data-status=\"project.status.in_progress\"")
        );
        assert!(
            project.body.contains("href=\"/cases/"),
            "the approval links its case"
        );
        assert!(
            !project.body.contains("id=\"open-ready\""),
            "nothing else is ready"
        );
        // The same stale form again: refused, not opened twice.
        let stale = clerk
            .post(
                &format!("{path}/open"),
                &[("csrf", &csrf), ("expected_version", "1")],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

        let review = [
            ("csrf", csrf.as_str()),
            ("departments", "区市场监管局"),
            ("opinions", "区市场监管局：材料齐全"),
            ("decisions", "同意进入审批"),
        ];
        let refused = clerk.post(&format!("{path}/reviews"), &review).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("联审须有两个以上部门参加"));
        assert!(refused.body.contains("同意进入审批"), "typed input is kept");
        let mut review = review;
        review[1].1 = "区市场监管局\n区民政局";
        let recorded = clerk.post(&format!("{path}/reviews"), &review).await;
        assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
        let project = clerk.get(recorded.location()).await;
        assert!(project.body.contains("区市场监管局、区民政局"));
        assert!(project.body.contains("区市场监管局：材料齐全"));

        // A supervisor follows every key project; a village station sees none of the hall's.
        let mut supervisor = t.signed_in("supervisor").await;
        assert!(
            supervisor
                .get("/projects")
                .await
                .body
                .contains("新建厂房项目")
        );
        assert_eq!(supervisor.get(&path).await.status, StatusCode::OK);
        let mut village = t.signed_in("v20101.clerk").await;
        assert!(!village.get("/projects").await.body.contains("新建厂房项目"));
        assert_eq!(village.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            village.get("/projects/new").await.status,
            StatusCode::FORBIDDEN,
            "projects are registered at the hall's green channel"
        );
    }
);
