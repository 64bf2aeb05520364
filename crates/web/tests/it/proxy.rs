//! The proxy ledger pages (全程代办) on both databases: "登记代办" on a proxied case, the
//! receipt, the ledger and its export, a hand-over, conflicts and another station's 404.

use axum::http::StatusCode;

use crate::both;
use crate::support::*;

/// The first option's value of the select `id`.
fn first_option(body: &str, id: &str) -> String {
    let start = body.find(&format!("id=\"{id}\"")).expect(id);
    let rest = &body[start..];
    let at = rest.find("<option value=\"").expect("option") + "<option value=\"".len();
    rest[at..at + rest[at..].find('"').expect("quote")].to_owned()
}

/// Posts a form of the ledger line's page: `action` with `fields`, at the page's version.
async fn line_act(c: &mut Client, id: i64, action: &str, fields: &[(&str, &str)]) -> Page {
    let line = c.get(&format!("/proxy/{id}")).await;
    assert!(
        line.body.contains(&format!("id=\"form-{action}\"")),
        "{action}: {}",
        line.body
    );
    let (csrf, version) = (line.csrf(), line.field("expected_version"));
    let mut owned: Vec<(String, String)> = vec![
        ("csrf".into(), csrf),
        ("action".into(), action.into()),
        ("expected_version".into(), version),
    ];
    if action == "receive" {
        owned.push(("from".into(), line.field("from")));
        owned.push(("giver".into(), first_option(&line.body, "giver")));
    }
    for (k, v) in fields {
        owned.push(((*k).into(), (*v).into()));
    }
    let pairs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let page = c.post(&format!("/proxy/{id}/act"), &pairs).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{action}: {}",
        page.body
    );
    page
}

both!(
    a_station_enters_a_proxied_case_prints_the_receipt_and_the_township_receives_it,
    |t: TestApp| async move {
        let mut station = t.signed_in("v20101.clerk").await;
        let (_, case) = station
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        assert!(case > 0, "a case");
        let page = station.get(&format!("/cases/{case}")).await;
        assert!(page.body.contains("id=\"proxy-register\""), "{}", page.body);
        let csrf = page.csrf();
        let contact = [
            ("case_id", case.to_string()),
            ("contact", "郑代办 13800000001".to_owned()),
        ];
        let refused = station
            .post(
                "/proxy",
                &[("case_id", contact[0].1.as_str()), ("contact", "x")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let made = station
            .post(
                "/proxy",
                &[
                    ("csrf", &csrf),
                    ("case_id", &contact[0].1),
                    ("contact", &contact[1].1),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
        let receipt = station.get(made.location()).await;
        assert_eq!(receipt.status, StatusCode::OK);
        assert!(receipt.body.contains("代办事项承办单") && receipt.body.contains("DB-20101-"));
        assert!(receipt.body.contains("申请书") && receipt.body.contains("郑代办 13800000001"));
        assert!(receipt.body.contains("双龙湖街道便民服务中心"), "route");
        let id: i64 = made
            .location()
            .trim_start_matches("/proxy/")
            .trim_end_matches("/receipt")
            .parse()
            .expect("id");
        let page = station.get(&format!("/cases/{case}")).await;
        assert!(!page.body.contains("id=\"proxy-register\""));
        assert!(page.body.contains(&format!("href=\"/proxy/{id}\"")));

        // The ledger and its export, through the page session.
        let ledger = station.get("/proxy?month=2026-03&state=going_up").await;
        assert_eq!(ledger.status, StatusCode::OK);
        assert!(ledger.body.contains(&format!("href=\"/proxy/{id}\"")));
        let csv = station.get("/proxy/export.csv?month=2026-03").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(csv.body.contains("DB-20101-"));

        // Another station: the 404 page.
        let mut other = t.signed_in("v20201.clerk").await;
        assert_eq!(
            other.get(&format!("/proxy/{id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // The township receives it from the station; a stale form is the conflict message.
        let mut township = t.signed_in("t201.clerk").await;
        let daily = township.get("/proxy").await;
        assert!(daily.body.contains(&format!("href=\"/proxy/{id}\"")));
        let line = township.get(&format!("/proxy/{id}")).await;
        assert!(line.body.contains("id=\"form-receive\""), "{}", line.body);
        let giver = first_option(&line.body, "giver");
        let fields = [
            ("csrf", line.csrf()),
            ("action", "receive".to_owned()),
            ("expected_version", line.field("expected_version")),
            ("from", line.field("from")),
            ("giver", giver),
            ("materials", "申请书\n营业执照".to_owned()),
        ];
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let received = township.post(&format!("/proxy/{id}/act"), &pairs).await;
        assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.body);
        let stale = township.post(&format!("/proxy/{id}/act"), &pairs).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert!(stale.body.contains("此办件已被他人修改"));
        let now = township.get(received.location()).await;
        assert!(now.body.contains("交接") && now.body.contains("郑代办"));

        // Up to the hall, decided, the result back down, delivered at the station.
        let mut hall = t.signed_in("d01.clerk").await;
        line_act(&mut hall, id, "receive", &[("materials", "申请书")]).await;
        for (user, action) in [
            ("d01.officer", "handle"),
            ("d01.reviewer", "review"),
            ("d01.approver", "approve"),
        ] {
            let mut officer = t.signed_in(user).await;
            let done = officer.act(case, action, &[("opinion", "同意")]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{user}: {}", done.body);
        }
        line_act(&mut hall, id, "result_ready", &[("result", "准予许可")]).await;
        line_act(&mut township, id, "receive", &[("materials", "许可证")]).await;
        line_act(&mut station, id, "receive", &[("materials", "许可证")]).await;
        let delivered = line_act(&mut station, id, "deliver", &[("signed_by", "王建国")]).await;
        let page = station.get(delivered.location()).await;
        assert!(
            page.body.contains("已送达") && page.body.contains("王建国"),
            "{}",
            page.body
        );
    }
);
