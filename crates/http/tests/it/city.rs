//! The city link (市区两级对接) in-process: the district's outbox read into a signed batch,
//! taken by a city node once however often it comes, its totals equal to the district's;
//! and every kind of bad push refused with a bilingual problem, nothing applied.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use liandong_app::App;
use liandong_domain::city::{self, Batch, FORMAT, Record};
use liandong_store::{FindingFilter, Store};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::both;
use crate::support::{TestApp, fresh_database, start_time};

const DISTRICT: &str = "500112";
const SECRET: &str = "yubei-city-link-secret-0001";

/// A city node on a fresh database of the same kind, with the district registered.
async fn city_node(t: &TestApp) -> (App, Router) {
    // The city's clock is the district's: signatures are checked against it.
    let url = fresh_database(t.db).await.expect("database");
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let app = App::new(store, Arc::new(t.clock.clone()))
        .await
        .expect("app");
    app.register_city_district(DISTRICT, "渝北区", SECRET)
        .await
        .expect("register");
    let router = liandong_http::city_router(app.clone());
    (app, router)
}

/// Posts `body` to the city signed as `district` with `secret` at `timestamp`.
async fn push(
    router: &Router,
    district: &str,
    secret: &str,
    timestamp: i64,
    body: &[u8],
) -> (StatusCode, Value) {
    let signature = city::sign(secret.as_bytes(), timestamp, body).expect("sign");
    let request = Request::builder()
        .method("POST")
        .uri(city::BATCHES_PATH)
        .header("content-type", "application/json")
        .header(city::DISTRICT_HEADER, district)
        .header(city::TIMESTAMP_HEADER, timestamp.to_string())
        .header(city::SIGNATURE_HEADER, signature)
        .body(Body::from(body.to_vec()))
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn batch_of(records: Vec<Record>) -> Vec<u8> {
    serde_json::to_vec(&Batch {
        format: FORMAT.into(),
        district: DISTRICT.into(),
        sent_at: start_time(),
        records,
    })
    .expect("json")
}

/// Work at the district: a licence decided and concluded, and an intake refused on thin
/// grounds (a routine review and an irregularity).
async fn district_work(t: &TestApp) {
    let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
    t.decide_licence(&case).await;
    let (_, refused) = t.submit("d01.clerk", "XK00001000", None).await;
    let (status, _) = t
        .act(
            "d01.clerk",
            &refused,
            json!({"action": "refuse_intake", "reason": "不行", "legal_basis": "无"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// The district's own running totals: received, concluded, concluded on time.
async fn district_totals(t: &TestApp) -> (i64, i64, i64) {
    let mut sum = liandong_domain::case::tally::Tally::default();
    for (_, tally) in t.app.store.totals_rows().await.unwrap() {
        sum.add(&tally);
    }
    (sum.received, sum.concluded, sum.concluded_on_time)
}

/// A request to the city node with a bearer token.
async fn get(router: &Router, uri: &str, token: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

both!(
    a_districts_records_are_taken_once_and_total_as_at_the_district,
    |t: TestApp| async move {
        district_work(&t).await;
        let (city_app, router) = city_node(&t).await;
        let records = t.app.store.city_pending(500).await.unwrap();
        assert!(records.len() >= 8, "{records:?}");
        // Nothing personal leaves the district but masked names and IDs.
        let text = serde_json::to_string(&records).unwrap();
        assert!(!text.contains("13800138000"), "no phone: {text}");
        assert!(text.contains("**"), "masked: {text}");

        let body = batch_of(records.clone());
        let now = start_time().timestamp();
        let (status, answer) = push(&router, DISTRICT, SECRET, now, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["applied"], json!(records.len()));
        assert_eq!(answer["replayed"], json!(0));
        // The same batch again (its answer lost): held already, nothing counted twice.
        let (status, answer) = push(&router, DISTRICT, SECRET, now, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["applied"], json!(0));
        assert_eq!(answer["replayed"], json!(records.len()));

        let o = city_app.city_overview_unchecked(None, None).await.unwrap();
        let d = &o.districts[0];
        let (received, concluded, on_time) = district_totals(&t).await;
        assert_eq!(d.totals.received, received);
        assert_eq!(d.totals.concluded, concluded);
        assert_eq!(d.totals.on_time, on_time);
        assert_eq!(d.totals.intake_refused, 1);
        let (findings, _) = t
            .app
            .store
            .findings(&FindingFilter {
                limit: 100,
                routine: Some(false),
                ..FindingFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(d.totals.findings, i64::try_from(findings.len()).unwrap());
        assert_eq!(d.totals.routine_reviews, 1);
        assert_eq!(o.city.totals, d.totals);
        assert_eq!(d.last_record_id, records.last().map(Record::id));

        // A city supervisor reads the same through the API.
        city_app
            .create_city_account(
                "city.supervisor",
                "市监察员",
                "city-password-1",
                liandong_domain::organization::Role::Supervisor,
            )
            .await
            .unwrap();
        let request = Request::builder()
            .method("POST")
            .uri("/api/v1/auth/token")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"username": "city.supervisor", "password": "city-password-1"}).to_string(),
            ))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let token: Value = serde_json::from_slice(&bytes).unwrap();
        let token = token["token"].as_str().unwrap();
        let (status, totals) = get(&router, "/api/v1/city/totals", token).await;
        assert_eq!(status, StatusCode::OK, "{totals}");
        assert_eq!(totals["districts"][0]["code"], json!(DISTRICT));
        assert_eq!(totals["city"]["totals"]["received"], json!(received));

        // Acknowledged records leave the outbox.
        let ids: Vec<i64> = records.iter().map(Record::id).collect();
        t.app.store.city_acknowledged(&ids).await.unwrap();
        assert_eq!(t.app.store.city_pending_count().await.unwrap(), 0);
    }
);

both!(
    bad_pushes_are_refused_in_both_languages_and_change_nothing,
    |t: TestApp| async move {
        district_work(&t).await;
        let (city_app, router) = city_node(&t).await;
        let records = t.app.store.city_pending(500).await.unwrap();
        let body = batch_of(records.clone());
        let now = start_time().timestamp();
        let bilingual = |v: &Value, code: &str, zh: &str, en: &str| {
            assert_eq!(v["code"], json!(code), "{v}");
            let (m_zh, m_en) = (
                v["message_zh"].as_str().unwrap(),
                v["message_en"].as_str().unwrap(),
            );
            assert!(m_zh.contains(zh), "{v}");
            assert!(m_en.contains(en), "{v}");
        };

        let (status, v) = push(&router, DISTRICT, "another-secret-entirely", now, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        bilingual(
            &v,
            "city_unauthenticated",
            "签名不符",
            "signature does not match",
        );

        let (status, v) = push(&router, "500999", SECRET, now, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        bilingual(
            &v,
            "city_unauthenticated",
            "未登记的区县",
            "unknown district `500999`",
        );

        let (status, v) = push(&router, DISTRICT, SECRET, now - 3600, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "an old signature");
        bilingual(&v, "city_unauthenticated", "签名时间", "signing time");

        let request = Request::builder()
            .method("POST")
            .uri(city::BATCHES_PATH)
            .body(Body::from(body.clone()))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "unsigned");

        let (status, v) = push(&router, DISTRICT, SECRET, now, b"{\"format\": [").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        bilingual(&v, "malformed_request", "不是有效的JSON", "not valid JSON");

        let mut other = serde_json::from_slice::<Value>(&body).unwrap();
        other["format"] = json!("liandong-city-link/9");
        let (status, v) = push(&router, DISTRICT, SECRET, now, other.to_string().as_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        bilingual(&v, "invalid_batch", "不支持的格式", "unsupported format");

        let mut other = serde_json::from_slice::<Value>(&body).unwrap();
        other["district"] = json!("500113");
        let (status, v) = push(&router, DISTRICT, SECRET, now, other.to_string().as_bytes()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        bilingual(&v, "invalid_batch", "不符", "signed by `500112`");

        let mut reversed = records.clone();
        reversed.reverse();
        let (status, v) = push(&router, DISTRICT, SECRET, now, &batch_of(reversed)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        bilingual(&v, "invalid_batch", "递增", "must increase");

        // A case's first event, then a gap: the second batch is refused whole.
        let first_case = match &records[0] {
            Record::CaseEvent(r) => r.case_id,
            Record::Finding(_) | Record::CaseDeadline(_) => {
                unreachable!("the first record is the intake")
            }
        };
        let (status, _) = push(
            &router,
            DISTRICT,
            SECRET,
            now,
            &batch_of(vec![records[0].clone()]),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let gap: Vec<Record> = records
            .iter()
            .filter(|r| matches!(r, Record::CaseEvent(e) if e.case_id == first_case && e.seq >= 3))
            .cloned()
            .collect();
        assert!(!gap.is_empty());
        let (status, v) = push(&router, DISTRICT, SECRET, now, &batch_of(gap)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        bilingual(
            &v,
            "batch_out_of_order",
            "不连续",
            "out of order: expected #2",
        );

        // Only the one good record counted; then the whole history goes through in order.
        let o = city_app.city_overview_unchecked(None, None).await.unwrap();
        assert_eq!(o.districts[0].totals.received, 1);
        assert_eq!(o.districts[0].totals.accepted, 0);
        let (status, v) = push(&router, DISTRICT, SECRET, now, &body).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["replayed"], json!(1));

        // The totals need a city account.
        let (status, _) = {
            let request = Request::builder()
                .uri("/api/v1/city/totals")
                .body(Body::empty())
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            (response.status(), ())
        };
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A city node serves no district work.
        let request = Request::builder()
            .uri("/api/v1/cases")
            .body(Body::empty())
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
);

both!(
    a_deadline_recomputed_without_an_event_reaches_the_city,
    |t: TestApp| async move {
        // Accepted on 22 December 2026 with 8 working days: the due date lies in 2027, on the
        // law's holidays until next year's notice is loaded.
        t.clock.set(crate::support::china(2026, 12, 22, 10, 0));
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (status, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK, "{case}");
        let (city_app, router) = city_node(&t).await;
        let now = t.app.now().timestamp();
        let records = t.app.store.city_pending(500).await.unwrap();
        let (status, answer) =
            push(&router, DISTRICT, SECRET, now, &batch_of(records.clone())).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let ids: Vec<i64> = records.iter().map(Record::id).collect();
        t.app.store.city_acknowledged(&ids).await.unwrap();

        t.load_2027_notice().await;
        let records = t.app.store.city_pending(500).await.unwrap();
        let [Record::CaseDeadline(deadline)] = records.as_slice() else {
            panic!("one deadline record: {records:?}");
        };
        assert_eq!(deadline.seq, 2);
        let id = case["summary"]["id"].as_i64().unwrap();
        let due = t
            .app
            .store
            .case_summary(liandong_domain::organization::CaseId(id))
            .await
            .unwrap()
            .due_at;
        assert_eq!(deadline.due_at, due);
        let (status, answer) =
            push(&router, DISTRICT, SECRET, now, &batch_of(records.clone())).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["applied"], json!(1));
        let open = city_app.store.city_open_cases().await.unwrap();
        assert_eq!(
            open,
            [(DISTRICT.to_owned(), due)],
            "the city holds the new deadline"
        );
    }
);
