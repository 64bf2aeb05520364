//! Who may do what: every endpoint against every kind of caller, as a table.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{CATALOG, TestApp, intake};

/// The callers of the table: nobody, then one account of each role.
const CALLERS: [&str; 10] = [
    "anonymous",
    "v20101.clerk",
    "t201.officer",
    "d01.clerk",
    "d01.officer",
    "d01.reviewer",
    "d01.approver",
    "t201.admin",
    "supervisor",
    "admin",
];

/// What a caller gets: a status class per caller, in `CALLERS` order.
/// `P` public 2xx, `A` 401, `F` 403, `N` 404, `K` 2xx, `V` 422 (allowed, then refused on content).
fn expected(code: char) -> fn(StatusCode) -> bool {
    match code {
        'A' => |s| s == StatusCode::UNAUTHORIZED,
        'F' => |s| s == StatusCode::FORBIDDEN,
        'N' => |s| s == StatusCode::NOT_FOUND,
        'V' => |s| s == StatusCode::UNPROCESSABLE_ENTITY,
        _ => |s| s.is_success(),
    }
}

both!(
    every_endpoint_answers_each_role_as_the_table_says,
    |t: TestApp| async move {
        // A case received at the hall for department D01, visible to D01's staff and supervisors.
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let id = case["summary"]["id"].as_i64().unwrap();
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        let staff_body = json!({"username": "new.person", "display_name": "新人", "unit_id": t.township.0,
        "roles": ["window_clerk"], "password": ""});
        let version_body = json!({"effective_from": "2026-06-01", "expected_version": 99, "cancel_reason": "测试"});
        let notice = json!({"toml": "year = 2027"});
        let officer = t
            .app
            .store
            .staff_by_username("t201.officer")
            .await
            .unwrap()
            .unwrap();
        let officer_department = t
            .app
            .store
            .staff_by_username("d01.officer")
            .await
            .unwrap()
            .unwrap()
            .department_id
            .unwrap()
            .0;
        let staff_change =
            json!({"expected_version": 99, "roles": ["handling_officer"], "active": true});
        // A withdraw with a stale version: permitted callers get 409, others 403/404 first.
        let act = json!({"expected_version": 99, "action": "withdraw", "reason": "测试"});
        // An appeal raised at village station 20101, and one submitted online.
        let appeal_body = json!({"kind": "problem", "channel": "station", "scope": "village",
            "person": {"name": "李秀英", "phone": "13900139000"}, "category": "道路交通",
            "content": "路灯损坏"});
        let clerk = t.token("v20101.clerk").await;
        let (_, appeal) = t
            .post("/api/v1/appeals", Some(&clerk), appeal_body.clone())
            .await;
        let appeal_id = appeal["summary"]["id"].as_i64().unwrap();
        let online_body = json!({"kind": "suggestion", "channel": "online", "scope": "city_department",
            "person": {"phone": "13800138000"}, "category": "交通出行", "content": "增设公交站台"});
        let (_, online) = t
            .post("/api/v1/appeals/online", None, online_body.clone())
            .await;
        let online_number = online["number"].as_str().unwrap().to_owned();
        let appeal_act = json!({"expected_version": 99, "action": "record_action", "note": "走访"});
        // A case proxied at village station 20101, in its ledger.
        let (_, proxied) = t.submit("v20101.clerk", "XK00001000", None).await;
        let proxied_case = proxied["summary"]["id"].as_i64().unwrap();
        let (_, ledger_line) = t
            .post(
                "/api/v1/proxy",
                Some(&clerk),
                json!({"case_id": proxied_case, "contact": "王芳"}),
            )
            .await;
        let proxy_id = ledger_line["summary"]["id"].as_i64().unwrap();
        let proxy_act = json!({"expected_version": 99, "action": "deliver", "signed_by": "王建国"});
        // A key project registered at the hall's green-channel window by d01.clerk.
        let project_body = json!({"name": "新建厂房项目", "applicant_name": "重庆某某食品有限公司",
            "credit_code": "91500112MA5U5YYP13", "phone": "023-67821234",
            "approvals": [{"item_code": "GG00002000"}]});
        let hall_clerk = t.token("d01.clerk").await;
        let (_, project) = t
            .post("/api/v1/projects", Some(&hall_clerk), project_body.clone())
            .await;
        let project_id = project["project"]["id"].as_i64().unwrap();
        let review = json!({"departments": ["区市场监管局", "区民政局"], "opinions": [], "decisions": "同意"});
        // A window at the hall serving queue group A, and a ticket taken for it.
        let window = {
            let mut tx = t.app.store.begin().await.unwrap();
            let id = tx
                .insert_window(&liandong_store::NewWindow {
                    unit_id: liandong_domain::organization::UnitId(1),
                    number: "1".into(),
                    name: "综合窗口".into(),
                    kind: liandong_domain::organization::WindowKind::Comprehensive,
                    department_ids: vec![],
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            id.0
        };
        let groups = json!([{"code": "A", "name": "市场准入", "windows": [window]}]);
        let admin = t.token("admin").await;
        t.send(
            Method::PUT,
            "/api/v1/units/1/queue/groups",
            Some(&admin),
            Some(groups.clone()),
        )
        .await;
        let (_, ticket) = t
            .post("/api/v1/units/1/queue/tickets", None, json!({"group": "A"}))
            .await;
        let ticket_act = json!({"expected_version": 99, "window_id": window, "action": "start"});
        // A poor rating of the D01 case, served at the hall.
        let rating = {
            let summary = &case["summary"];
            let rating = liandong_store::NewRating {
                case_id: Some(liandong_domain::organization::CaseId(id)),
                ticket_id: None,
                channel: liandong_domain::rating::RatingChannel::Online,
                satisfaction: liandong_domain::rating::Satisfaction::Dissatisfied,
                reason: "等候太久".into(),
                window_id: None,
                department_id: Some(liandong_domain::organization::DepartmentId(
                    summary["department_id"].as_i64().unwrap(),
                )),
                unit_id: liandong_domain::organization::UnitId(
                    summary["handling_unit_id"].as_i64().unwrap(),
                ),
                real_name: true,
                phone: "13800138000".into(),
                rated_at: t.app.now(),
                rectify_by: None,
            };
            let mut tx = t.app.store.begin().await.unwrap();
            let rid = tx.insert_rating(&rating).await.unwrap();
            tx.commit().await.unwrap();
            rid
        };
        let visit = json!({"expected_version": 99, "action": "return_visit", "notes": "电话回访", "founded": true});
        // A camera on the hall's window, probed once against the local simulator.
        let cameras = liandong_testkit::cameras::Cameras::start().await;
        cameras.set(
            "w1",
            liandong_testkit::cameras::Behaviour::Picture(&liandong_testkit::cameras::SNAPSHOT_A),
        );
        let camera_body = json!({"unit_id": 1, "window_id": window, "name": "1号窗口",
            "device_id": "50011201021326000001", "stream_url": "rtsp://10.20.1.15/",
            "snapshot_url": cameras.url("w1")});
        let (_, camera) = t
            .post("/api/v1/cameras", Some(&admin), camera_body.clone())
            .await;
        let camera = camera["id"].as_i64().unwrap();
        t.app.probe_cameras().await.unwrap();
        let mut stale_camera = camera_body;
        stale_camera["expected_version"] = json!(99);
        let rows: Vec<(Method, String, Option<Value>, &str)> = vec![
            //                                                            anon v.clk t.off d.clk d.off d.rev d.apr t.adm sup adm
            (Method::GET, "/api/v1/health".into(), None, "PPPPPPPPPP"),
            (Method::GET, "/api/openapi.json".into(), None, "PPPPPPPPPP"),
            (Method::GET, "/api/v1/items".into(), None, "PPPPPPPPPP"),
            (
                Method::GET,
                "/api/v1/items/XK00001000".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/catalog/reform-report?from=2025-01-01&to=2026-01-01".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/catalog/export".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/add?from=2026-01-05&days=3".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/between?from=2026-01-05&to=2026-02-05".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/calendar/years/2026".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/monitoring/overview?from=2026-03-01&to=2026-03-31".into(),
                None,
                "AFFFFFFKKK",
            ),
            (Method::GET, "/api/v1/findings".into(), None, "AFFFFFFFKK"),
            (Method::GET, "/api/v1/notices".into(), None, "AFFKKKKFKK"),
            (
                Method::GET,
                "/api/v1/notices/999999".into(),
                None,
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/notices/999999/actions".into(),
                Some(json!({"expected_version": 1, "action": "reply", "reply": "已整改"})),
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/findings/999999/notice".into(),
                None,
                "AFFFFFFFNF",
            ),
            (
                Method::GET,
                "/api/v1/disclosure?month=2026-03".into(),
                None,
                "PPPPPPPPPP",
            ),
            (Method::GET, "/api/v1/units".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                "/api/v1/departments".into(),
                None,
                "AKKKKKKKKK",
            ),
            (Method::GET, "/api/v1/windows".into(), None, "AKKKKKKKKK"),
            (Method::GET, "/api/v1/staff".into(), None, "AFFFFFFKKK"),
            (
                Method::POST,
                "/api/v1/units".into(),
                Some(
                    json!({"code": "", "name": "", "kind": "village_station", "parent_id": t.township.0}),
                ),
                "AFFFFFFVFV",
            ),
            (
                Method::PATCH,
                format!("/api/v1/units/{}", t.township.0),
                Some(json!({"expected_version": 99, "name": "龙溪街道便民服务中心"})),
                "AFFFFFF9F9",
            ),
            (
                Method::POST,
                "/api/v1/departments".into(),
                Some(json!({"code": "", "name": "", "unit_id": 1})),
                "AFFFFFFFFV",
            ),
            (
                Method::PATCH,
                format!("/api/v1/departments/{}", officer_department),
                Some(json!({"expected_version": 99, "name": "区民政局", "unit_id": 1})),
                "AFFFFFFFF9",
            ),
            (
                Method::POST,
                "/api/v1/windows".into(),
                Some(
                    json!({"unit_id": t.township.0, "number": "", "name": "", "kind": "scheduled"}),
                ),
                "AFFFFFFVFV",
            ),
            (
                Method::PATCH,
                format!("/api/v1/windows/{window}"),
                Some(
                    json!({"expected_version": 99, "number": "1", "name": "综合窗口",
                    "kind": "comprehensive", "department_ids": [officer_department], "active": true}),
                ),
                "AFFFFFFFF9",
            ),
            (
                Method::POST,
                "/api/v1/staff".into(),
                Some(staff_body),
                "AFFFFFFVFV",
            ),
            (Method::GET, "/api/v1/cases".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                "/api/v1/cases/export".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                "/api/v1/cases/export?personal_data=full".into(),
                None,
                "AKKKKKKFFF",
            ),
            (
                Method::POST,
                "/api/v1/progress".into(),
                Some(json!({"number": number, "check": "31002X"})),
                "PPPPPPPPPP",
            ),
            (
                Method::POST,
                "/api/v1/cases".into(),
                Some(intake("XK00001000")),
                "AKFKFFFFFF",
            ),
            (
                Method::PATCH,
                format!("/api/v1/staff/{}", officer.id),
                Some(staff_change),
                "AFFFFFF9F9",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/{id}"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/by-number/{number}"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::POST,
                format!("/api/v1/cases/{id}/actions"),
                Some(act),
                "ANN9999N99",
            ),
            (Method::GET, "/api/v1/appeals".into(), None, "AKKKKKKKKK"),
            (
                Method::POST,
                "/api/v1/appeals".into(),
                Some(appeal_body),
                "AKFVFFFFVF",
            ),
            (
                Method::GET,
                "/api/v1/appeals/at-risk".into(),
                None,
                "AFFFFFFFKF",
            ),
            (
                Method::GET,
                "/api/v1/appeals/statistics?from=2026-01-01&to=2026-12-31".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                format!("/api/v1/appeals/{appeal_id}"),
                None,
                "AKNNNNNKKK",
            ),
            (
                Method::POST,
                format!("/api/v1/appeals/{appeal_id}/actions"),
                Some(appeal_act),
                "A9NNNNN999",
            ),
            (
                Method::POST,
                "/api/v1/appeals/online".into(),
                Some(online_body),
                "PPPPPPPPPP",
            ),
            (
                Method::POST,
                "/api/v1/appeals/lookup".into(),
                Some(json!({"number": online_number, "check": "138000"})),
                "PPPPPPPPPP",
            ),
            (
                Method::POST,
                "/api/v1/appeals/rating".into(),
                Some(
                    json!({"number": online_number, "check": "138000", "satisfaction": "satisfied"}),
                ),
                "9999999999",
            ),
            (
                Method::GET,
                "/api/v1/units/1/queue/groups".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::PUT,
                "/api/v1/units/1/queue/groups".into(),
                Some(groups),
                "AFFFFFFFFK",
            ),
            (
                Method::POST,
                "/api/v1/units/1/queue/tickets".into(),
                Some(json!({"group": "A"})),
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                "/api/v1/units/1/queue/board".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::POST,
                format!("/api/v1/windows/{window}/call-next"),
                None,
                "ANFKFFFFFF",
            ),
            (
                Method::POST,
                format!("/api/v1/queue/tickets/{}/actions", ticket["id"]),
                Some(ticket_act),
                "ANF9FFFFFF",
            ),
            (
                Method::GET,
                "/api/v1/units/1/queue/report?date=2026-03-02".into(),
                None,
                "ANNKNNNNKK",
            ),
            (Method::GET, "/api/v1/projects".into(), None, "AKKKKKKKKK"),
            (
                Method::POST,
                "/api/v1/projects".into(),
                Some(project_body),
                "AVFKFFFFFF",
            ),
            (
                Method::GET,
                format!("/api/v1/projects/{project_id}"),
                None,
                "ANNKNNNNKK",
            ),
            (
                Method::GET,
                format!("/api/v1/projects/{project_id}/timeline.svg"),
                None,
                "ANNKNNNNKK",
            ),
            (
                Method::POST,
                format!("/api/v1/projects/{project_id}/open"),
                Some(json!({"expected_version": 99})),
                "ANN9NNNNFF",
            ),
            (
                Method::POST,
                format!("/api/v1/projects/{project_id}/joint-reviews"),
                Some(review),
                "ANNKNNNNKF",
            ),
            (Method::GET, "/api/v1/proxy".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                "/api/v1/proxy/daily".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                "/api/v1/proxy/export".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::POST,
                "/api/v1/proxy".into(),
                Some(json!({"case_id": proxied_case, "contact": "王芳"})),
                "A9FVFFFFFF",
            ),
            (
                Method::GET,
                format!("/api/v1/proxy/{proxy_id}"),
                None,
                "AKKKNNNKKK",
            ),
            (
                Method::POST,
                format!("/api/v1/proxy/{proxy_id}/actions"),
                Some(proxy_act),
                "A999NNN9FF",
            ),
            (
                Method::POST,
                "/api/v1/items/XK00001000/versions".into(),
                Some(version_body),
                "AFFFFFFFF9",
            ),
            (
                Method::POST,
                "/api/v1/calendar/notices".into(),
                Some(notice),
                "AFFFFFFFFV",
            ),
            (
                Method::GET,
                "/api/v1/sms/templates".into(),
                None,
                "AFFFFFFFFK",
            ),
            (
                Method::PUT,
                "/api/v1/sms/templates/accepted".into(),
                Some(json!({"expected_version": 99, "text": "{number}"})),
                "AFFFFFFFF9",
            ),
            (
                Method::GET,
                "/api/v1/sms/messages".into(),
                None,
                "AFFFFFFFKK",
            ),
            (
                Method::GET,
                "/internal/sms/delivery-report?token=guess&id=x&attempt=1&status=1".into(),
                None,
                "NNNNNNNNNN",
            ),
            (
                Method::GET,
                "/internal/sms/incoming?token=guess&from=13800138000&text=1".into(),
                None,
                "NNNNNNNNNN",
            ),
            (Method::GET, "/api/v1/ratings".into(), None, "AKKKKKKKKK"),
            (
                Method::GET,
                format!("/api/v1/ratings/{rating}"),
                None,
                "ANNKKKKNKK",
            ),
            // Department staff and supervisors rectify; a window clerk and the system
            // administrator read only.
            (
                Method::POST,
                format!("/api/v1/ratings/{rating}/actions"),
                Some(visit),
                "ANNF999N9F",
            ),
            (
                Method::GET,
                format!("/api/v1/windows/{window}/pad"),
                None,
                "PPPPPPPPPP",
            ),
            // The pad rates a visit finished at the window; a waiting ticket is none.
            (
                Method::POST,
                format!("/api/v1/windows/{window}/pad/ratings"),
                Some(json!({"ticket_id": ticket["id"], "satisfaction": "satisfied"})),
                "FFFFFFFFFF",
            ),
            (
                Method::GET,
                "/api/v1/certificates/verify?code=nonsense".into(),
                None,
                "VVVVVVVVVV",
            ),
            (
                Method::GET,
                "/api/v1/certificates/public-key".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/{id}/certificates"),
                None,
                "ANNKKKKNKK",
            ),
            // Approvers, window clerks and supervisors issue, and only for an approved
            // licence: this case is not decided yet.
            (
                Method::POST,
                format!("/api/v1/cases/{id}/certificates"),
                None,
                "ANFFFFFFFF",
            ),
            (
                Method::GET,
                "/api/v1/certificates/999999/file".into(),
                None,
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/certificates/999999/revoke".into(),
                Some(json!({"expected_version": 1, "reason": "依法撤销许可"})),
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/progress/certificate".into(),
                Some(json!({"number": number, "check": "138000"})),
                "NNNNNNNNNN",
            ),
            // Nothing to pay: the item has no fees and the case is not accepted.
            (
                Method::GET,
                format!("/api/v1/cases/{id}/payment"),
                None,
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/payments/999999/counter".into(),
                Some(json!({"expected_version": 1, "method": "cash", "amount_fen": 1000})),
                "ANFNFFFFFF",
            ),
            (
                Method::POST,
                "/api/v1/payments/999999/refund".into(),
                Some(json!({"expected_version": 1, "reason": "退还"})),
                "AFFFFFNFFF",
            ),
            (
                Method::GET,
                "/api/v1/payments/reconciliations".into(),
                None,
                "AFFFFFFFKK",
            ),
            (
                Method::POST,
                "/api/v1/payments/reconciliations".into(),
                Some(json!({"day": "2026-03-01"})),
                "AFFFFFFFKK",
            ),
            // Online payment is not configured in the test district.
            (
                Method::POST,
                "/api/v1/progress/payment".into(),
                Some(json!({"number": number, "check": "138000"})),
                "FFFFFFFFFF",
            ),
            // The provider's callback: unsigned, refused whoever sends it.
            (
                Method::POST,
                "/api/v1/payments/callback".into(),
                None,
                "FFFFFFFFFF",
            ),
            // Online services: staff tokens are no applicant's sign-in.
            (
                Method::POST,
                "/api/v1/online/codes".into(),
                Some(json!({"phone": "023-67890123"})),
                "VVVVVVVVVV",
            ),
            (
                Method::POST,
                "/api/v1/online/sessions".into(),
                Some(json!({"phone": "13800138000", "code": "000000"})),
                "VVVVVVVVVV",
            ),
            (
                Method::DELETE,
                "/api/v1/online/sessions".into(),
                None,
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                "/api/v1/online/cases".into(),
                None,
                "AAAAAAAAAA",
            ),
            (
                Method::POST,
                "/api/v1/online/cases".into(),
                Some(
                    json!({"item_code": "XK00001000", "applicant": {"type": "person", "name": "王建国", "resident_id": "11010519491231002X"}, "files": []}),
                ),
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                format!("/api/v1/online/cases/{id}"),
                None,
                "AAAAAAAAAA",
            ),
            (
                Method::POST,
                format!("/api/v1/online/cases/{id}/supplement"),
                Some(json!({"expected_version": 1, "files": []})),
                "AAAAAAAAAA",
            ),
            (
                Method::POST,
                format!("/api/v1/online/cases/{id}/withdraw"),
                Some(json!({"expected_version": 1, "reason": "测试"})),
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                format!("/api/v1/online/cases/{id}/files/1"),
                None,
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                format!("/api/v1/online/cases/{id}/certificate"),
                None,
                "AAAAAAAAAA",
            ),
            // Online consultation: asking needs an applicant's sign-in; the lists are staff's,
            // scoped to their department; the published answers are public.
            (
                Method::POST,
                "/api/v1/online/consultations".into(),
                Some(
                    json!({"item_code": "XK00001000", "name": "李秀英", "title": "问题", "text": "健康证明是否必须提交？"}),
                ),
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                "/api/v1/online/consultations".into(),
                None,
                "AAAAAAAAAA",
            ),
            (
                Method::POST,
                "/api/v1/online/consultations/999999/withdraw".into(),
                Some(json!({"expected_version": 1})),
                "AAAAAAAAAA",
            ),
            (
                Method::GET,
                "/api/v1/consultations".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                "/api/v1/consultations/statistics?month=2026-03".into(),
                None,
                "AKKKKKKKKK",
            ),
            (
                Method::GET,
                "/api/v1/consultations/999999".into(),
                None,
                "ANNNNNNNNN",
            ),
            (
                Method::POST,
                "/api/v1/consultations/999999/actions".into(),
                Some(json!({"expected_version": 1, "action": "publish"})),
                "ANNNNNNNNN",
            ),
            (
                Method::GET,
                "/api/v1/items/XK00001000/consultations".into(),
                None,
                "PPPPPPPPPP",
            ),
            // The officers who see the case see its files (a window case has none).
            (
                Method::GET,
                format!("/api/v1/cases/{id}/files"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/{id}/files/1"),
                None,
                "ANNNNNNNNN",
            ),
            // Window duty at the hall's window 1: the board is public; the duty is read by
            // the hall's staff and those who see every unit; acting on it is for a window
            // clerk (or the administrator) of the window's unit, here with a stale version.
            (
                Method::GET,
                "/api/v1/units/1/duty".into(),
                None,
                "PPPPPPPPPP",
            ),
            (
                Method::GET,
                format!("/api/v1/windows/{window}/duty"),
                None,
                "ANNKKKKNKK",
            ),
            (
                Method::POST,
                format!("/api/v1/windows/{window}/duty/actions"),
                Some(json!({"expected_version": 99, "action": "sign_on"})),
                "ANF9FFFNFF",
            ),
            (
                Method::GET,
                format!("/api/v1/windows/{window}/attendance?date=2026-03-02"),
                None,
                "AFFFFFFNKK",
            ),
            (
                Method::GET,
                "/api/v1/units/1/attendance?month=2026-03".into(),
                None,
                "AFFFFFFNKK",
            ),
            // Video monitoring: supervisors and system administrators see every camera, a
            // unit administrator their units'; administrators keep them; the camera of a
            // case's event needs the case and cameras both.
            (Method::GET, "/api/v1/cameras".into(), None, "AFFFFFFKKK"),
            (
                Method::POST,
                "/api/v1/cameras".into(),
                Some(
                    json!({"unit_id": 1, "name": "", "device_id": "", "stream_url": "", "snapshot_url": ""}),
                ),
                "AFFFFFFVFV",
            ),
            (
                Method::GET,
                format!("/api/v1/cameras/{camera}"),
                None,
                "AFFFFFFNKK",
            ),
            (
                Method::PATCH,
                format!("/api/v1/cameras/{camera}"),
                Some(stale_camera),
                "AFFFFFFNF9",
            ),
            (
                Method::POST,
                format!("/api/v1/cameras/{camera}/retire"),
                Some(json!({"expected_version": 99})),
                "AFFFFFFNF9",
            ),
            (
                Method::GET,
                format!("/api/v1/cameras/{camera}/snapshot"),
                None,
                "AFFFFFFNKK",
            ),
            (
                Method::GET,
                format!("/api/v1/cases/{id}/events/1/camera"),
                None,
                "AFFFFFFNKK",
            ),
            // The applicant's own rating: this case is not concluded yet.
            (
                Method::POST,
                "/api/v1/progress/rating".into(),
                Some(json!({"number": number, "check": "138000", "satisfaction": "satisfied"})),
                "9999999999",
            ),
        ];
        let mut tokens = Vec::new();
        for caller in CALLERS {
            tokens.push(if caller == "anonymous" {
                None
            } else {
                Some(t.token(caller).await)
            });
        }
        let mut checked = 0;
        for (method, path, body, codes) in &rows {
            for ((caller, token), code) in CALLERS.iter().zip(&tokens).zip(codes.chars()) {
                let (status, answer, _) = t
                    .send(method.clone(), path, token.as_deref(), body.clone())
                    .await;
                let ok = match code {
                    '9' => status == StatusCode::CONFLICT,
                    c => expected(c)(status),
                };
                assert!(
                    ok,
                    "{method} {path} as {caller}: expected {code}, got {status} {answer}"
                );
                checked += 1;
            }
        }
        // The import takes a file body; only the system administrator gets past the role check.
        for (caller, token) in CALLERS.iter().zip(&tokens) {
            let (status, _, _) = t
                .send_raw(
                    Method::POST,
                    "/api/v1/catalog/import?effective_from=2026-06-01",
                    token.as_deref(),
                    Some(("text/csv", CATALOG.as_bytes().to_vec())),
                    &[],
                )
                .await;
            let want = match *caller {
                "anonymous" => StatusCode::UNAUTHORIZED,
                "admin" => StatusCode::OK,
                _ => StatusCode::FORBIDDEN,
            };
            assert_eq!(status, want, "import as {caller}");
            checked += 1;
        }
        eprintln!("access table: {checked} endpoint × caller checks");
    }
);

both!(
    repeated_failed_sign_ins_lock_the_account_for_a_while,
    |t: TestApp| async move {
        let attempt = |password: &'static str| {
            let t = &t;
            async move {
                t.post(
                    "/api/v1/auth/token",
                    None,
                    json!({"username": "d01.clerk", "password": password}),
                )
                .await
            }
        };
        for _ in 0..5 {
            assert_eq!(attempt("guess").await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, problem) = attempt(crate::support::PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits: {problem}"
        );
        assert_eq!(problem["code"], "too_many_sign_in_attempts");
        assert!(problem["message_zh"].as_str().unwrap().contains("15分钟"));
        // Other accounts are not affected; the lock lifts when the window has passed.
        assert_eq!(t.token("d01.officer").await.len(), 64);
        t.clock.advance(chrono::Duration::minutes(16));
        let (status, _) = attempt(crate::support::PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
    }
);
