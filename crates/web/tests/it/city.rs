//! The city node's dashboard (市级电子监察): a district's records received over the city
//! link, its totals on the page for the city's supervisor, Chinese first; nobody else in.

use std::sync::Arc;

use axum::http::StatusCode;
use liandong_app::{App, FixedClock};
use liandong_domain::city::{Batch, FORMAT};
use liandong_domain::organization::Role;
use liandong_store::Store;

use crate::both;
use crate::support::*;

/// A city node on a database of its own with two districts registered, the supervisor
/// `city.supervisor` (with `password`), and everything `district` wrote so far received.
pub async fn city_node(district: &TestApp, password: &str) -> TestApp {
    let db = if district.app.store.backend() == liandong_store::Backend::Sqlite {
        Db::Sqlite
    } else {
        Db::Postgres
    };
    let store = Store::connect(&fresh_database(db).await.unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let clock = FixedClock::new(start_time());
    let city = App::new(store, Arc::new(clock.clone())).await.unwrap();
    city.register_city_district("500112", "渝北区", "yubei-city-link-secret-0001")
        .await
        .unwrap();
    city.register_city_district("500113", "巴南区", "banan-city-link-secret-0002")
        .await
        .unwrap();
    city.create_city_account("city.supervisor", "市监察员", password, Role::Supervisor)
        .await
        .unwrap();
    let records = district.app.store.city_pending(500).await.unwrap();
    let batch = serde_json::to_vec(&Batch {
        format: FORMAT.into(),
        district: "500112".into(),
        sent_at: start_time(),
        records,
    })
    .unwrap();
    let ts = start_time().timestamp();
    let headers = liandong_app::city::PushHeaders {
        district: Some("500112".into()),
        timestamp: Some(ts.to_string()),
        signature: Some(
            liandong_domain::city::sign(b"yubei-city-link-secret-0001", ts, &batch).unwrap(),
        ),
    };
    city.receive_city_batch(&headers, &batch).await.unwrap();
    TestApp {
        router: liandong_http::city_router(city.clone()),
        app: city,
        clock,
    }
}

both!(
    the_city_supervisor_sees_each_districts_totals,
    |t: TestApp| async move {
        // Work at the district: one application accepted, one refused.
        let mut clerk = t.signed_in("d01.clerk").await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        clerk
            .intake("XK00001000", &["申请书", "营业执照"], "refuse")
            .await;

        let node = city_node(&t, PASSWORD).await;

        let mut visitor = node.client();
        let page = visitor.get("/city").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location().starts_with("/login"), "{}", page.location());
        assert_eq!(visitor.get("/").await.location(), "/city");
        let login = visitor.get("/login").await;
        assert!(login.body.contains("href=\"/city\""), "{}", login.body);
        assert!(
            !login.body.contains("href=\"/guide\""),
            "no district links on a city node"
        );

        let mut supervisor = node.client();
        let signed = supervisor.sign_in("city.supervisor", PASSWORD).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        let page = supervisor.get("/city").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("市级电子监察"), "{}", page.body);
        let row = page
            .body
            .split("data-district=\"500112\"")
            .nth(1)
            .unwrap_or_default();
        // 2 received, 1 accepted, 0 concluded.
        assert!(
            row.starts_with("><th scope=\"row\">渝北区 <small class=\"muted\">500112</small></th><td>2</td><td>1</td><td>0</td>"),
            "{row}"
        );
        assert!(
            page.body.contains("data-district=\"500113\""),
            "a district yet to push"
        );
        assert!(
            page.body
                .contains("id=\"city-now\" aria-labelledby=\"h-districts\" data-refresh=\"30\""),
            "the figures refresh themselves"
        );
        let english = supervisor.get("/city?lang=en").await;
        assert!(
            english.body.contains("City supervision"),
            "{}",
            english.body
        );
        // A period with nothing in it.
        let empty = supervisor.get("/city?from=2020-01-01&to=2020-01-31").await;
        assert!(
            empty.body.contains("data-district=\"500112\"><th scope=\"row\">渝北区 <small class=\"muted\">500112</small></th><td>0</td>"),
            "{}",
            empty.body
        );
        // An account of the city that is not a supervisor reads nothing, on the city's menu.
        node.app
            .create_city_account("city.clerk", "市窗口", PASSWORD, Role::WindowClerk)
            .await
            .unwrap();
        let mut clerk = node.client();
        clerk.sign_in("city.clerk", PASSWORD).await;
        let refused = clerk.get("/city").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(
            refused.body.contains("href=\"/city\"") && !refused.body.contains("href=\"/inbox\""),
            "{}",
            refused.body
        );
        // The district's pages are not on a city node.
        assert_eq!(
            supervisor.get("/monitor").await.status,
            StatusCode::NOT_FOUND
        );
    }
);
