//! Electronic certificates through the API: issued on approving a licence, verified by the
//! QR token and by the identifier, downloaded by the officers and the applicant, checked
//! offline against the published key, reissued and revoked; a forged or altered one fails
//! online and offline.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::TestApp;

async fn verify(t: &TestApp, code: &str) -> (StatusCode, Value) {
    let mut uri = url_encoded("/api/v1/certificates/verify?code=", code);
    uri.shrink_to_fit();
    t.get(&uri, None).await
}

/// Issues the next edition (换发) of case `id`'s certificate.
async fn reissue(t: &TestApp, id: i64, token: &str) -> Value {
    let (status, issued) = t
        .post(
            &format!("/api/v1/cases/{id}/certificates"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    issued
}

fn url_encoded(prefix: &str, value: &str) -> String {
    let mut out = prefix.to_owned();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

both!(
    an_approved_licence_gets_a_certificate_anyone_can_verify,
    |t: TestApp| async move {
        assert!(
            t.app.certificates.is_some(),
            "certificates need the CJK font {} (scripts/test.sh installs fonts-wqy-microhei)",
            liandong_testkit::CERTIFICATE_FONT
        );
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let id = case["summary"]["id"].as_i64().unwrap();
        let approver = t.token("d01.approver").await;
        let (_, none) = t
            .get(&format!("/api/v1/cases/{id}/certificates"), Some(&approver))
            .await;
        assert_eq!(none, json!([]), "nothing before the approval");
        let case = t.decide_licence(&case).await;
        assert_eq!(case["summary"]["outcome"], "approved");

        let (status, list) = t
            .get(&format!("/api/v1/cases/{id}/certificates"), Some(&approver))
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let first = list[0].clone();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(first["edition"], 1);
        assert_eq!(first["state"], "valid");
        assert_eq!(first["title"], "食品经营许可证");
        assert_eq!(first["holder_name"], "王建国");
        let identifier = first["identifier"].as_str().unwrap().to_owned();
        assert!(
            identifier.starts_with("1.2.156.3005.2.00001000."),
            "{identifier}"
        );
        assert!(identifier.contains(&liandong_testkit::district::government_credit_code(1)));

        // Verified from the QR code's token, its whole address, or the identifier; masked.
        let token = first["token"].as_str().unwrap().to_owned();
        for code in [
            token.clone(),
            format!("http://127.0.0.1:8080/verify?c={token}"),
            identifier.clone(),
        ] {
            let (status, answer) = verify(&t, &code).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            assert_eq!(answer["status"], "valid", "{code}: {answer}");
            assert_eq!(answer["holder"], "王**");
            assert_eq!(answer["issuer"], "重庆市渝北区市场监督管理局");
        }
        // A forged token (one character of its payload changed) is invalid; a well-formed
        // identifier nobody issued is unknown; anything else is refused.
        let mut forged: Vec<char> = token.chars().collect();
        let at = 10;
        forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        let (_, answer) = verify(&t, &forged).await;
        assert_eq!(answer["status"], "invalid", "{answer}");
        assert_eq!(answer["holder"], Value::Null);
        let other = liandong_certificate::LicenceIdentifier::new(
            "00001000",
            &liandong_testkit::district::government_credit_code(1),
            "999",
            1,
        )
        .unwrap()
        .to_string();
        let (_, answer) = verify(&t, &other).await;
        assert_eq!(answer["status"], "unknown");
        let (status, _) = verify(&t, "not a certificate").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // The file: the officers' and the applicant's copy are the same signed bytes, and
        // they check offline against the published key; one changed byte does not.
        let officer = t.token("d01.officer").await;
        let (status, content_type, pdf) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/certificates/{}/file", first["id"]),
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let (status, _, mine) = t
            .request_bytes(
                Method::POST,
                "/api/v1/progress/certificate",
                None,
                Some(json!({"number": case["summary"]["number"], "check": "138000"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mine, pdf);
        let (_, key) = t.get("/api/v1/certificates/public-key", None).await;
        let key =
            liandong_certificate::parse_public_key(key["public_key"].as_str().unwrap()).unwrap();
        let verified = liandong_certificate::verify_pdf(&pdf, &key).unwrap();
        assert_eq!(verified.payload.identifier.to_string(), identifier);
        let mut altered = pdf.clone();
        let middle = altered.len() / 2;
        altered[middle] ^= 0x01;
        assert_eq!(
            liandong_certificate::verify_pdf(&altered, &key).unwrap_err(),
            liandong_certificate::CertificateError::Altered
        );
        let village = t.token("v20101.clerk").await;
        let (status, _, _) = t
            .request_bytes(
                Method::GET,
                &format!("/api/v1/certificates/{}/file", first["id"]),
                Some(&village),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A reissue (换发) revokes the first edition; revoking the second needs a reason.
        let second = reissue(&t, id, &approver).await;
        assert_eq!(second["edition"], 2);
        let (_, answer) = verify(&t, &token).await;
        assert_eq!(answer["status"], "revoked");
        let revoke = |id: &Value, version: &Value, reason: &str, who: &str| {
            let t = &t;
            let uri = format!("/api/v1/certificates/{id}/revoke");
            let body = json!({"expected_version": version, "reason": reason});
            let who = who.to_owned();
            async move {
                let token = t.token(&who).await;
                t.post(&uri, Some(&token), body).await
            }
        };
        let (status, _) = revoke(
            &second["id"],
            &second["version"],
            "依法撤销许可",
            "d01.clerk",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a clerk does not revoke");
        let (status, _) = revoke(&second["id"], &second["version"], "撤", "d01.approver").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = revoke(&second["id"], &json!(99), "依法撤销许可", "d01.approver").await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, revoked) = revoke(
            &second["id"],
            &second["version"],
            "以欺骗手段取得，依法撤销许可",
            "d01.approver",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{revoked}");
        assert_eq!(revoked["state"], "revoked");
        let (_, answer) = verify(&t, second["identifier"].as_str().unwrap()).await;
        assert_eq!(answer["status"], "revoked");
        assert!(answer["revoked_at"].is_string());
        // Nothing in force for the applicant any more.
        let (status, _, _) = t
            .request_bytes(
                Method::POST,
                "/api/v1/progress/certificate",
                None,
                Some(json!({"number": case["summary"]["number"], "check": "138000"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    only_an_approved_licence_gets_a_certificate,
    |t: TestApp| async move {
        let (_, spot) = t.submit("d01.clerk", "GG00002000", None).await;
        let (_, spot) = t
            .act(
                "d01.clerk",
                &spot,
                json!({"action": "conclude_on_the_spot", "delivery": "当场领取"}),
            )
            .await;
        let id = spot["summary"]["id"].as_i64().unwrap();
        let approver = t.token("d01.approver").await;
        let (_, list) = t
            .get(&format!("/api/v1/cases/{id}/certificates"), Some(&approver))
            .await;
        assert_eq!(list, json!([]));
        let (status, _) = t
            .post(
                &format!("/api/v1/cases/{id}/certificates"),
                Some(&approver),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A licence not yet decided neither.
        let (_, open) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, _) = t
            .post(
                &format!("/api/v1/cases/{}/certificates", open["summary"]["id"]),
                Some(&approver),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

both!(
    a_certificate_runs_its_items_validity_and_the_holder_is_reminded_once_to_renew,
    |t: TestApp| async move {
        use chrono::Duration;
        use liandong_domain::notify::MessageKind;

        use crate::support::china;

        // The licence's certificates now run one year (the catalog's new column).
        t.redefine_item("XK00001000", |item| {
            item["certificate_valid_years"] = json!(1)
        })
        .await;
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let id = case["summary"]["id"].as_i64().unwrap();
        let number = case["summary"]["number"].as_str().unwrap().to_owned();
        t.decide_licence(&case).await;
        let approver = t.token("d01.approver").await;
        let (_, list) = t
            .get(&format!("/api/v1/cases/{id}/certificates"), Some(&approver))
            .await;
        let issued_on = list[0]["issued_on"].as_str().unwrap().to_owned();
        assert_eq!(issued_on, "2026-03-02");
        assert_eq!(list[0]["valid_until"], "2027-03-01", "one whole year");
        let identifier = list[0]["identifier"].as_str().unwrap().to_owned();
        let (_, answer) = verify(&t, &identifier).await;
        assert_eq!(answer["valid_until"], "2027-03-01");

        let renewals = |who: &'static str| {
            let t = &t;
            async move {
                let token = t.token(who).await;
                let (status, lines) = t.get("/api/v1/certificates/renewals", Some(&token)).await;
                assert_eq!(status, StatusCode::OK, "{lines}");
                lines
            }
        };
        let reminders =
            || liandong_testkit::outbox::messages(&t.app.store, MessageKind::RenewalDue);
        let progress = || async {
            let (status, found) = t
                .post(
                    "/api/v1/progress",
                    None,
                    json!({"number": number, "check": "138000"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{found}");
            found
        };

        // Months before: nothing due, nobody reminded.
        assert_eq!(renewals("d01.approver").await, json!([]));
        assert_eq!(t.app.remind_renewals().await.unwrap(), 0);
        let found = progress().await;
        assert_eq!(found["certificate_valid_until"], "2027-03-01");
        assert_eq!(found["certificate_renewal"], "not_due");
        assert_eq!(found["renewal_apply_by"], Value::Null);

        // 90 days before the last day the reminder is due; the Art 50 date is 30 days before.
        t.clock.set(china(2026, 11, 30, 9, 0));
        assert_eq!(t.app.remind_renewals().await.unwrap(), 0, "the day before");
        t.clock.set(china(2026, 12, 1, 9, 0));
        let lines = renewals("d01.approver").await;
        assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
        assert_eq!(lines[0]["standing"], "due");
        assert_eq!(lines[0]["apply_by"], "2027-01-30");
        assert_eq!(lines[0]["certificate"]["renewal_reminded_at"], Value::Null);
        assert_eq!(lines[0]["phone"], "13800138000");
        assert_eq!(t.app.remind_renewals().await.unwrap(), 1);
        assert_eq!(
            t.app.remind_renewals().await.unwrap(),
            0,
            "once per certificate"
        );
        t.clock.advance(Duration::days(3));
        assert_eq!(t.app.remind_renewals().await.unwrap(), 0, "not again later");
        let sent = reminders().await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].phone, "13800138000");
        assert_eq!(sent[0].case_id.map(|c| c.0), Some(id));
        assert!(
            sent[0].text.contains("食品经营许可证")
                && sent[0].text.contains("有效期至2027年3月1日")
                && sent[0].text.contains("请于2027年1月30日前提出延续申请"),
            "{}",
            sent[0].text
        );
        let lines = renewals("d01.approver").await;
        assert!(lines[0]["certificate"]["renewal_reminded_at"].is_string());
        let found = progress().await;
        assert_eq!(found["certificate_renewal"], "due");
        assert_eq!(found["renewal_apply_by"], "2027-01-30");
        // Supervisors see every department's; another department's officer none of these.
        assert_eq!(renewals("supervisor").await.as_array().unwrap().len(), 1);
        assert_eq!(renewals("d02.officer").await, json!([]));

        // A new edition (换发) keeps the licence's period.
        let approver = t.token("d01.approver").await;
        let second = reissue(&t, id, &approver).await;
        assert_eq!(second["edition"], 2);
        assert_eq!(second["valid_until"], "2027-03-01");
        assert_eq!(
            t.app.remind_renewals().await.unwrap(),
            0,
            "one reminder per licence, not per edition"
        );

        // Past the Art 50 date: late, no SMS naming a day gone by; past the last day: expired.
        t.clock.set(china(2027, 2, 10, 9, 0));
        let lines = renewals("d01.approver").await;
        assert_eq!(lines[0]["standing"], "late");
        t.clock.set(china(2027, 3, 2, 9, 0));
        let lines = renewals("d01.approver").await;
        assert_eq!(lines[0]["standing"], "expired");
        assert_eq!(lines[0]["standing_zh"], "已过期");
        let (_, answer) = verify(&t, second["identifier"].as_str().unwrap()).await;
        assert_eq!(answer["status"], "expired");
        assert_eq!(reminders().await.len(), 1);
    }
);
