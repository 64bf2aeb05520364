//! The Open311 GeoReport v2 interface, driven with the spec's example requests (their
//! jurisdiction_id, api_key and foreign attributes included, which it ignores).

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::both;
use crate::support::TestApp;

/// Sends a request, form-encoded when it has a body; the status, content type and text.
async fn call(
    t: &TestApp,
    method: Method,
    uri: &str,
    form: Option<&str>,
) -> (StatusCode, String, String) {
    let body = form.map(|f| ("application/x-www-form-urlencoded", f.as_bytes().to_vec()));
    t.request_text(method, uri, None, body).await
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

both!(
    services_and_their_definitions_in_json_and_xml,
    |t: TestApp| async move {
        let (status, content_type, body) = call(
            &t,
            Method::GET,
            "/open311/v2/services.json?jurisdiction_id=city.gov",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("application/json"));
        let services = json(&body);
        let codes: Vec<&str> = services
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["service_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["opinion", "suggestion", "problem", "service_complaint"]
        );
        assert_eq!(services[2]["service_name"], "问题诉求");
        assert_eq!(services[2]["metadata"], true);
        assert_eq!(services[2]["type"], "realtime");

        let (status, content_type, xml) = call(
            &t,
            Method::GET,
            "/open311/v2/services.xml?jurisdiction_id=city.gov",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/xml"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>opinion</service_code>"), "{xml}");
        assert_eq!(xml.matches("<service>").count(), 4);

        let (status, _, body) = call(
            &t,
            Method::GET,
            "/open311/v2/services/problem.json?jurisdiction_id=city.gov",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let definition = json(&body);
        assert_eq!(definition["service_code"], "problem");
        assert_eq!(definition["attributes"][0]["code"], "scope");
        assert_eq!(definition["attributes"][0]["values"][0]["key"], "village");
        let (_, _, xml) = call(&t, Method::GET, "/open311/v2/services/problem.xml", None).await;
        assert!(xml.contains("<service_definition><service_code>problem</service_code><attributes><attribute><variable>true</variable><code>scope</code>"), "{xml}");

        let (status, _, body) = call(&t, Method::GET, "/open311/v2/services/033.json", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(json(&body)[0]["code"], 404);
        let (status, _, _) = call(&t, Method::GET, "/open311/v2/services.csv", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both!(
    a_request_is_posted_followed_and_listed_without_the_persons_data,
    |t: TestApp| async move {
        // The spec's example POST, with our service code, a village unit and a real phone.
        let form = "api_key=xyz&jurisdiction_id=city.gov&service_code=problem&lat=37.76524078&long=-122.4212043\
            &address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456\
            &first_name=%E5%BB%BA%E5%9B%BD&last_name=%E7%8E%8B&phone=13800138000\
            &description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fdomain.com%2Fimage.jpg\
            &attribute%5BWHISPAWN%5D=123456&attribute%5Bscope%5D=village&attribute%5Bunit_code%5D=20101";
        let (status, _, body) =
            call(&t, Method::POST, "/open311/v2/requests.json", Some(form)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let created = json(&body);
        let id = created[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("SX-100-"), "{id}");

        // Routed to the village named by its code: its clerk sees it.
        let token = t.token("v20101.clerk").await;
        let (_, list) = t.get("/api/v1/appeals", Some(&token)).await;
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["appeals"][0]["person_name"], "王建国");
        assert_eq!(list["appeals"][0]["channel"], "online");

        let (status, _, body) = call(
            &t,
            Method::GET,
            &format!("/open311/v2/requests/{id}.json?jurisdiction_id=city.gov"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let one = json(&body);
        assert_eq!(one[0]["service_request_id"], id.as_str());
        assert_eq!(one[0]["status"], "open");
        assert_eq!(one[0]["service_code"], "problem");
        assert_eq!(one[0]["agency_responsible"], "龙湖社区便民服务站");
        assert_eq!(one[0]["requested_datetime"], "2026-03-02T10:00:00+08:00");
        // Half a month, at the afternoon close.
        assert!(
            one[0]["expected_datetime"]
                .as_str()
                .unwrap()
                .starts_with("2026-03-17T"),
            "{one}"
        );
        for secret in ["王", "13800138000", "sinkhole", "5th street"] {
            assert!(
                !body.contains(secret),
                "{secret} in a public request: {body}"
            );
        }
        let (_, _, xml) = call(
            &t,
            Method::GET,
            &format!("/open311/v2/requests/{id}.xml"),
            None,
        )
        .await;
        assert!(xml.contains(&format!("<service_requests><request><service_request_id>{id}</service_request_id><status>open</status>")), "{xml}");

        // The spec's list query: open requests in a date range; closed ones in it: none.
        let (status, _, body) = call(&t, Method::GET,
            "/open311/v2/requests.json?jurisdiction_id=city.gov&start_date=2026-03-01T00:00:00Z&end_date=2026-03-03T00:00:00Z&status=open", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json(&body).as_array().unwrap().len(), 1);
        let (_, _, body) = call(&t, Method::GET,
            "/open311/v2/requests.json?start_date=2026-03-01T00:00:00Z&end_date=2026-03-03T00:00:00Z&status=closed", None).await;
        assert_eq!(json(&body), serde_json::json!([]));
        let (_, _, body) = call(&t, Method::GET,
            "/open311/v2/requests.json?start_date=2025-03-01T00:00:00Z&end_date=2025-03-03T00:00:00Z", None).await;
        assert_eq!(json(&body), serde_json::json!([]));
        let (_, _, body) = call(
            &t,
            Method::GET,
            &format!("/open311/v2/requests.json?service_request_id={id},SX-0-0-0"),
            None,
        )
        .await;
        assert_eq!(json(&body).as_array().unwrap().len(), 1);
        let (status, _, _) = call(
            &t,
            Method::GET,
            "/open311/v2/requests.json?status=pending",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _, _) = call(
            &t,
            Method::GET,
            "/open311/v2/requests.json?start_date=yesterday",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Tokens: a request has its id at once.
        let (status, _, body) = call(
            &t,
            Method::GET,
            &format!("/open311/v2/tokens/{id}.json"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json(&body)[0]["service_request_id"], id.as_str());

        // Answered, it is closed to Open311.
        let appeal_id = list["appeals"][0]["id"].as_i64().unwrap();
        let (_, appeal) = t
            .get(&format!("/api/v1/appeals/{appeal_id}"), Some(&token))
            .await;
        let (status, _) = t
            .post(
                &format!("/api/v1/appeals/{appeal_id}/actions"),
                Some(&token),
                serde_json::json!({"expected_version": appeal["summary"]["version"], "action": "answer", "answer": "已修复"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, _, body) = call(
            &t,
            Method::GET,
            &format!("/open311/v2/requests/{id}.json"),
            None,
        )
        .await;
        assert_eq!(json(&body)[0]["status"], "closed");
    }
);

both!(bad_posts_get_open311_errors, |t: TestApp| async move {
    for (form, wanted) in [
        (
            "service_code=001&description=x&phone=13800138000",
            "service_code",
        ),
        (
            "service_code=problem&description=x&phone=111111111",
            "phone",
        ),
        ("service_code=problem&description=x", "person.phone"),
        (
            "service_code=problem&description=&phone=13800138000",
            "内容不能为空",
        ),
        (
            "service_code=problem&description=x&phone=13800138000&attribute%5Bscope%5D=galaxy",
            "attribute[scope]",
        ),
        (
            "service_code=problem&description=x&phone=13800138000&attribute%5Bscope%5D=village",
            "village",
        ),
    ] {
        let (status, _, body) =
            call(&t, Method::POST, "/open311/v2/requests.json", Some(form)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form}: {body}");
        let errors = json(&body);
        assert_eq!(errors[0]["code"], 400);
        assert!(
            errors[0]["description"].as_str().unwrap().contains(wanted),
            "{form}: {body}"
        );
    }
    let (status, _, body) = call(&t, Method::POST, "/open311/v2/requests.xml",
            Some("service_code=problem&description=x&phone=13800138000&attribute%5Bunit_code%5D=99999&attribute%5Bscope%5D=village")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body.contains("<errors><error><code>404</code><description>"),
        "{body}"
    );
    let (status, _, _) = call(
        &t,
        Method::GET,
        "/open311/v2/requests/SX-100-20260302-0042.json",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});
