//! Storage: schema parity, tamper detection, backup and restore.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use liandong_store::Store;
use serde_json::json;
use sqlx::Row;

use crate::both;
use crate::support::{Db, TestApp, fresh_database};

async fn columns(store: &Store, db: Db) -> BTreeMap<String, Vec<String>> {
    let sql = match db {
        Db::Sqlite => "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
                       WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name",
        Db::Postgres => "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns
                         WHERE table_schema = 'public' ORDER BY table_name, column_name",
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
        out.entry(row.get::<String, _>("t"))
            .or_default()
            .push(row.get::<String, _>("c"));
    }
    out
}

#[tokio::test]
async fn both_databases_have_the_same_tables_and_columns() {
    let Some(pg_url) = fresh_database(Db::Postgres).await else {
        return;
    };
    let sqlite = Store::connect(&fresh_database(Db::Sqlite).await.unwrap())
        .await
        .unwrap();
    let postgres = Store::connect(&pg_url).await.unwrap();
    sqlite.migrate().await.unwrap();
    postgres.migrate().await.unwrap();
    let (a, b) = (
        columns(&sqlite, Db::Sqlite).await,
        columns(&postgres, Db::Postgres).await,
    );
    assert!(a.len() >= liandong_store::TABLES.len());
    assert_eq!(a, b);
}

both!(
    a_changed_or_deleted_event_is_caught_by_the_audit,
    |t: TestApp| async move {
        let (_, case) = t.submit("d01.clerk", "XK00001000", None).await;
        let (_, case) = t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        let (_, other) = t.submit("d01.clerk", "GG00002000", None).await;
        let (_, _) = t
            .act(
                "d01.clerk",
                &other,
                json!({"action": "conclude_on_the_spot", "delivery": "当场"}),
            )
            .await;
        let (checked, findings) = t.app.store.verify_all_cases(|_| {}).await.unwrap();
        assert_eq!((checked, findings.len()), (2, 0));

        let id = case["summary"]["id"].as_i64().unwrap();
        sqlx::query(
            "UPDATE case_events SET comment = 'changed later' WHERE case_id = $1 AND seq = 2",
        )
        .bind(id)
        .execute(t.app.store.pool())
        .await
        .unwrap();
        let other_id = other["summary"]["id"].as_i64().unwrap();
        sqlx::query("DELETE FROM case_events WHERE case_id = $1 AND seq = 4")
            .bind(other_id)
            .execute(t.app.store.pool())
            .await
            .unwrap();
        let (_, findings) = t.app.store.verify_all_cases(|_| {}).await.unwrap();
        let problems: Vec<String> = findings
            .iter()
            .map(|f| format!("{:?}", f.problem))
            .collect();
        assert_eq!(problems, ["Content { seq: 2 }", "Head"]);
    }
);

both!(
    a_backup_taken_while_serving_restores_every_case,
    |t: TestApp| async move {
        for _ in 0..3 {
            let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
            assert_eq!(status, StatusCode::CREATED);
            t.act("d01.clerk", &case, json!({"action": "accept"})).await;
        }
        let file =
            std::env::temp_dir().join(format!("liandong-backup-{:x}.db", rand::random::<u64>()));
        let rows = t.app.store.backup_to(&file).await.unwrap();
        assert!(rows > 20, "{rows}");
        assert!(
            t.app.store.backup_to(&file).await.is_err(),
            "never overwrites a backup"
        );

        let target_url = fresh_database(t.db).await.unwrap();
        let target = Store::connect(&target_url).await.unwrap();
        target.migrate().await.unwrap();
        assert_eq!(target.restore_from(&file).await.unwrap(), rows);
        assert_eq!(target.case_count().await.unwrap(), 3);
        let (checked, findings) = target.verify_all_cases(|_| {}).await.unwrap();
        assert_eq!((checked, findings.len()), (3, 0));
        assert!(
            target.restore_from(&file).await.is_err(),
            "restores only into an empty database"
        );

        // The restored district keeps working: new ids do not collide with restored ones.
        target.close().await;
        let restored = TestApp::attach(t.db, &target_url).await;
        let (status, case) = restored.submit("d01.clerk", "XK00001000", None).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        assert_eq!(
            case["summary"]["number"], "100-20260302-0004",
            "numbering continues"
        );
        let _ = std::fs::remove_file(&file);
    }
);

both!(
    concurrent_writes_commit_together_and_a_failing_one_fails_alone,
    |t: TestApp| async move {
        let store = t.app.store.clone();
        let writes: Vec<_> = (0..64)
            .map(|i: i64| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .write(move |tx| {
                            Box::pin(async move {
                                tx.audit(&liandong_store::AuditEntry {
                                    at: chrono::Utc::now(),
                                    actor_id: None,
                                    action: "group_commit_test".into(),
                                    target: format!("write:{i}"),
                                    detail: String::new(),
                                })
                                .await?;
                                // Every fourth write fails after writing: its row must not survive.
                                if i % 4 == 0 {
                                    Err(liandong_store::StoreError::NotFound("test"))
                                } else {
                                    Ok(i)
                                }
                            })
                        })
                        .await
                })
            })
            .collect();
        let mut succeeded = 0;
        for w in writes {
            match w.await.unwrap() {
                Ok(i) => {
                    assert_ne!(i % 4, 0);
                    succeeded += 1;
                }
                Err(e) => assert!(
                    matches!(e, liandong_store::StoreError::NotFound("test")),
                    "{e}"
                ),
            }
        }
        assert_eq!(succeeded, 48);
        let rows = t.app.store.audit_entries(1000).await.unwrap();
        let written: Vec<_> = rows
            .iter()
            .filter(|e| e.action == "group_commit_test")
            .collect();
        assert_eq!(
            written.len(),
            48,
            "exactly the acknowledged writes are stored"
        );
        assert!(written.iter().all(|e| {
            e.target
                .trim_start_matches("write:")
                .parse::<i64>()
                .unwrap()
                % 4
                != 0
        }));
    }
);

both!(
    a_backup_taken_under_load_is_consistent,
    |t: TestApp| async move {
        let t = std::sync::Arc::new(t);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (t, stop) = (t.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut written = 0;
                    // Bounded: stops when told, or after 200 cases.
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) && written < 200 {
                        let (status, case) = t.submit("d01.clerk", "XK00001000", None).await;
                        assert_eq!(status, StatusCode::CREATED);
                        let (status, _) =
                            t.act("d01.clerk", &case, json!({"action": "accept"})).await;
                        assert_eq!(status, StatusCode::OK);
                        written += 1;
                    }
                    written
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let file =
            std::env::temp_dir().join(format!("liandong-backup-{:x}.db", rand::random::<u64>()));
        t.app.store.backup_to(&file).await.unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut written = 0;
        for w in writers {
            written += w.await.unwrap();
        }
        let target_url = fresh_database(t.db).await.unwrap();
        let target = Store::connect(&target_url).await.unwrap();
        target.migrate().await.unwrap();
        target.restore_from(&file).await.unwrap();
        let restored = target.case_count().await.unwrap();
        assert!(
            restored > 0 && restored <= written,
            "{restored} of {written}"
        );
        let (checked, findings) = target.verify_all_cases(|_| {}).await.unwrap();
        assert_eq!(checked, u64::try_from(restored).unwrap());
        assert!(
            findings.is_empty(),
            "every restored history is whole: {findings:?}"
        );
        eprintln!("backup under load: {restored} of {written} cases in the snapshot, all verified");
        let _ = std::fs::remove_file(&file);
    }
);

both!(
    a_write_naming_a_missing_row_is_told_apart_from_an_outage,
    |t: TestApp| async move {
        let village = t.app.store.unit_by_code("20101").await.unwrap().unwrap();
        let mut tx = t.app.store.begin().await.unwrap();
        let err = tx
            .insert_staff(
                &liandong_store::NewStaff {
                    username: "nobody.clerk".into(),
                    display_name: "张三".into(),
                    unit_id: village.id,
                    department_id: Some(liandong_domain::organization::DepartmentId(i64::MAX - 1)),
                    roles: vec![liandong_domain::organization::Role::WindowClerk],
                    password_hash: "x".into(),
                    phone: String::new(),
                },
                0,
            )
            .await
            .unwrap_err();
        assert!(err.is_missing_reference(), "{err}");
        assert!(matches!(
            liandong_app::AppError::from(err),
            liandong_app::AppError::NotFound(_)
        ));
    }
);

/// Findings and their notices written before migration 21 (video), which rebuilds `findings`
/// on SQLite to let a finding name a camera instead of a case, come through it whole.
async fn findings_survive_the_video_migration(db: Db) {
    let Some(url) = fresh_database(db).await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    store.migrate_up_to(20).await.unwrap();
    let clock = liandong_app::FixedClock::new(crate::support::start_time());
    let app = liandong_app::App::new(store, std::sync::Arc::new(clock.clone()))
        .await
        .unwrap();
    crate::support::build_district(&app).await;
    let t = TestApp {
        db,
        router: liandong_http::router(app.clone()),
        app,
        clock,
        township: liandong_domain::organization::UnitId(2),
    };
    // A broken one-time notice (an irregularity, which gets a notice) and a refusal.
    t.second_supplement_notice().await;
    let (_, refused) = t.submit("d01.clerk", "XK00001000", None).await;
    t.act(
        "d01.clerk",
        &refused,
        json!({"action": "refuse_intake", "reason": "不属于本机关职权范围", "legal_basis": "《行政许可法》第三十二条"}),
    )
    .await;
    assert_eq!(t.app.sweep_findings().await.unwrap().notices_opened, 1);
    // Another broken one-time notice, still without its notice when the schema moves on.
    t.second_supplement_notice().await;
    let before: Vec<(i64, String)> =
        sqlx::query_as("SELECT f.id, f.dedup_key FROM findings f ORDER BY f.id")
            .fetch_all(t.app.store.pool())
            .await
            .unwrap();
    assert_eq!(before.len(), 3);

    let applied = t.app.store.migrate().await.unwrap();
    assert_eq!(
        applied.first(),
        Some(&21),
        "from the video migration on: {applied:?}"
    );
    assert!(applied.windows(2).all(|w| w[1] == w[0] + 1), "{applied:?}");
    let after: Vec<(i64, String)> =
        sqlx::query_as("SELECT f.id, f.dedup_key FROM findings f ORDER BY f.id")
            .fetch_all(t.app.store.pool())
            .await
            .unwrap();
    assert_eq!(after, before, "every finding under its id");
    let noticed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notices n JOIN findings f ON f.id = n.finding_id")
            .fetch_one(t.app.store.pool())
            .await
            .unwrap();
    assert_eq!(noticed, 1, "the notice still names its finding");
    // Migration 30 flags the irregularity without a notice, and only it, for the sweep.
    let last = before.last().unwrap().0;
    assert_eq!(t.app.store.findings_without_notice().await.unwrap(), [last]);
    assert_eq!(t.app.sweep_findings().await.unwrap().notices_opened, 1);
    assert!(
        t.app
            .store
            .findings_without_notice()
            .await
            .unwrap()
            .is_empty()
    );
    if db == Db::Sqlite {
        let broken: Vec<(String,)> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(t.app.store.pool())
                .await
                .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
    }
    // The list reads them as before, and a finding still names a case or a camera.
    let supervisor = t.token("supervisor").await;
    let (status, page) = t.get("/api/v1/findings", Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 3, "{page}");
    assert!(page["items"][0]["case_number"].is_string(), "{page}");
    let orphan = sqlx::query(
        "INSERT INTO findings (dedup_key, kind, occurred_at, detected_at, role, description_zh,
            description_en, data) VALUES ('x', 'case_overdue', 0, 0, 'approver', '', '', '{}')",
    )
    .execute(t.app.store.pool())
    .await;
    assert!(orphan.is_err(), "a finding names a case or a camera");
}

#[tokio::test]
async fn findings_survive_the_video_migration_on_sqlite() {
    findings_survive_the_video_migration(Db::Sqlite).await;
}

#[tokio::test]
async fn findings_survive_the_video_migration_on_postgres() {
    findings_survive_the_video_migration(Db::Postgres).await;
}

both!(
    a_changed_appeal_event_is_caught_by_the_audit_by_its_number,
    |t: TestApp| async move {
        let token = t.token("v20101.clerk").await;
        let (status, appeal) = t
            .post(
                "/api/v1/appeals",
                Some(&token),
                json!({"kind": "problem", "channel": "station", "scope": "village",
                       "person": {"name": "李秀英", "phone": "13900139000"},
                       "category": "道路交通", "content": "社区路灯损坏"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{appeal}");
        let id = appeal["summary"]["id"].as_i64().unwrap();
        let (status, appeal) = t
            .post(
                &format!("/api/v1/appeals/{id}/actions"),
                Some(&token),
                json!({"expected_version": 1, "action": "record_action", "note": "已到现场查看"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{appeal}");
        // Each event links to the one before; the row keeps the last hash.
        let events = appeal["events"].as_array().unwrap();
        assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
        assert_eq!(appeal["summary"]["head_hash"], events[1]["hash"]);
        let (checked, broken) = t.app.store.verify_all_appeals(|_| {}).await.unwrap();
        assert_eq!((checked, broken.len()), (1, 0));

        sqlx::query(
            "UPDATE appeal_events SET data = '{\"type\":\"action_recorded\",\"note\":\"从未到现场\"}'
             WHERE appeal_id = $1 AND seq = 2",
        )
        .bind(id)
        .execute(t.app.store.pool())
        .await
        .unwrap();
        let (_, broken) = t.app.store.verify_all_appeals(|_| {}).await.unwrap();
        assert_eq!(broken.len(), 1);
        assert_eq!(
            broken[0].number,
            appeal["summary"]["number"].as_str().unwrap()
        );
        assert_eq!(format!("{:?}", broken[0].problem), "Content { seq: 2 }");
    }
);

/// Appeal events written before migration 27 gave them a hash chain are sealed by it, in
/// order, and verify afterwards; new events continue the chain.
async fn appeal_events_are_sealed_by_the_chain_migration(db: Db) {
    let Some(url) = fresh_database(db).await else {
        return;
    };
    let store = Store::connect(&url).await.unwrap();
    store.migrate_up_to(26).await.unwrap();
    let clock = liandong_app::FixedClock::new(crate::support::start_time());
    let app = liandong_app::App::new(store, std::sync::Arc::new(clock.clone()))
        .await
        .unwrap();
    crate::support::build_district(&app).await;
    let village = app.store.unit_by_code("20101").await.unwrap().unwrap().id;
    // An appeal and its history as the code before migration 27 wrote them.
    let at = crate::support::start_time().timestamp_millis();
    sqlx::query(
        "INSERT INTO appeals (id, number, kind, channel, scope, level, category, raised_unit_id,
            responsible_unit_id, person_name, person_phone, state, registered_at, due_on, due_at,
            escalations, taken_over, version)
         VALUES (1, 'SX-20101-20260302-0001', 'service_complaint', 'station', 'village',
            'village', '服务态度', $1, $1, '李秀英', '13900139000', 'in_progress', $2,
            '2026-03-17', $3, 0, 0, 2)",
    )
    .bind(village.0)
    .bind(at)
    .bind(at + 15 * 86_400_000)
    .execute(app.store.pool())
    .await
    .unwrap();
    let registered = json!({"type": "registered", "kind": "service_complaint",
        "channel": "station", "scope": "village", "person": {"name": "李秀英", "phone": "13900139000"},
        "category": "服务态度", "content": "窗口工作人员解释不耐心", "address": "",
        "responsible": {"unit": village.0, "department": null}, "due": "2026-03-17"});
    for (seq, data) in [
        (1i64, registered),
        (2, json!({"type": "action_recorded", "note": "已走访"})),
    ] {
        sqlx::query(
            "INSERT INTO appeal_events (appeal_id, seq, at, actor_id, unit_id, kind, data)
             VALUES (1, $1, $2, NULL, $3, $4, $5)",
        )
        .bind(seq)
        .bind(at + seq)
        .bind(village.0)
        .bind(data["type"].as_str().unwrap())
        .bind(data.to_string())
        .execute(app.store.pool())
        .await
        .unwrap();
    }

    let applied = app.store.migrate().await.unwrap();
    assert_eq!(applied.first(), Some(&27), "{applied:?}");
    assert!(applied.windows(2).all(|w| w[1] == w[0] + 1), "{applied:?}");
    let (checked, broken) = app.store.verify_all_appeals(|_| {}).await.unwrap();
    assert_eq!((checked, broken.len()), (1, 0), "{broken:?}");
    // A complaint registered before the acceptance rule is worked as it was.
    let stored = app
        .store
        .appeal(liandong_domain::organization::AppealId(1))
        .await
        .unwrap();
    assert_eq!(stored.summary.acceptance_due_on, None);
    let appeal = liandong_domain::appeal::Appeal::replay(&stored.events).unwrap();
    assert_eq!(appeal.state.as_str(), "in_progress");
    assert_eq!(stored.summary.head_hash, stored.events[1].hash);
    assert_eq!(
        stored.events[0].prev_hash,
        liandong_domain::case::event::GENESIS_HASH
    );
    // Running the step again changes nothing: the migration is recorded once.
    assert!(app.store.migrate().await.unwrap().is_empty());
}

#[tokio::test]
async fn appeal_events_are_sealed_by_the_chain_migration_on_sqlite() {
    appeal_events_are_sealed_by_the_chain_migration(Db::Sqlite).await;
}

#[tokio::test]
async fn appeal_events_are_sealed_by_the_chain_migration_on_postgres() {
    appeal_events_are_sealed_by_the_chain_migration(Db::Postgres).await;
}

both!(
    a_backup_restores_appeals_whose_text_columns_start_empty,
    |t: TestApp| async move {
        // The first appeal has no acceptance columns, the second has: PostgreSQL prepares the
        // restore's insert on the first row, so an empty text column must still be text.
        let token = t.token("v20101.clerk").await;
        let (status, _) = t
            .post(
                "/api/v1/appeals",
                Some(&token),
                json!({"kind": "problem", "channel": "station", "scope": "village",
                       "person": {"name": "李秀英", "phone": "13900139000"},
                       "category": "道路交通", "content": "社区路灯损坏"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = t
            .post(
                "/api/v1/appeals/online",
                None,
                json!({"kind": "service_complaint", "channel": "online", "scope": "district_department",
                       "department": 1, "person": {"name": "张伟", "phone": "13800138000"},
                       "category": "服务态度", "content": "窗口工作人员态度生硬"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let file =
            std::env::temp_dir().join(format!("liandong-backup-{:x}.db", rand::random::<u64>()));
        let rows = t.app.store.backup_to(&file).await.unwrap();
        let target_url = fresh_database(t.db).await.unwrap();
        let target = Store::connect(&target_url).await.unwrap();
        target.migrate().await.unwrap();
        assert_eq!(target.restore_from(&file).await.unwrap(), rows);
        let (checked, broken) = target.verify_all_appeals(|_| {}).await.unwrap();
        assert_eq!((checked, broken.len()), (2, 0));
        target.close().await;
        let _ = std::fs::remove_file(&file);
    }
);
