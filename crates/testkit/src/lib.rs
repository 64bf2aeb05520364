//! Test support shared by the crates' integration tests: a fresh database per test, on SQLite
//! or on the PostgreSQL server that `scripts/test.sh` starts.
#![allow(clippy::panic, clippy::expect_used)]

pub mod cameras;
pub mod district;
pub mod exchange;
pub mod outbox;
pub mod payment_provider;

use liandong_store::Store;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The URL of a fresh, empty database, or None for PostgreSQL when the run explicitly skips it
/// (`LIANDONG_TEST_SKIP_POSTGRES`). Without a server and without the skip, the test fails:
/// a PostgreSQL test never passes silently.
pub async fn fresh_database(db: Db) -> Option<String> {
    let name = format!("liandong_test_{:016x}", rand::random::<u64>());
    match db {
        Db::Sqlite => Some(format!(
            "sqlite:{}",
            std::env::temp_dir().join(format!("{name}.db")).display()
        )),
        Db::Postgres => {
            let Ok(server) = std::env::var("LIANDONG_TEST_POSTGRES_URL") else {
                if std::env::var("LIANDONG_TEST_SKIP_POSTGRES").is_ok() {
                    eprintln!("PostgreSQL test skipped: LIANDONG_TEST_SKIP_POSTGRES is set");
                    return None;
                }
                panic!(
                    "set LIANDONG_TEST_POSTGRES_URL (scripts/test.sh starts a server and sets it), \
                     or LIANDONG_TEST_SKIP_POSTGRES=1 to skip PostgreSQL explicitly"
                );
            };
            let store = Store::connect(&server)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(store.pool())
                .await
                .expect("create a test database");
            store.close().await;
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            Some(format!("{base}/{name}"))
        }
    }
}

/// Runs a test body on SQLite and on PostgreSQL: `both_databases!(World, name, |w| async
/// move { ... })`, where `World` has `new(Db)` and `try_new(Db) -> Option<World>` (None when
/// PostgreSQL is skipped explicitly). Each test crate wraps it as its `both!`.
#[macro_export]
macro_rules! both_databases {
    ($world:ty, $name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = <$world>::new($crate::Db::Sqlite).await;
                ($body)(t).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = <$world>::try_new($crate::Db::Postgres).await else {
                    return;
                };
                ($body)(t).await;
            }
        }
    };
}

/// Where Debian's `fonts-wqy-microhei` puts the CJK font certificates are printed in
/// (`scripts/test.sh` installs it).
pub const CERTIFICATE_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// The fixed seed of the test district's certificate key.
pub const CERTIFICATE_SEED: [u8; 32] = [7; 32];

/// The test district's certificate issuer (the font parsed once per process), or None when
/// the font is not installed: tests of certificates then fail with that reason.
pub fn certificate_issuer() -> Option<std::sync::Arc<liandong_app::certificates::CertificateIssuer>>
{
    use std::sync::{Arc, OnceLock};
    static ISSUER: OnceLock<Option<Arc<liandong_app::certificates::CertificateIssuer>>> =
        OnceLock::new();
    ISSUER
        .get_or_init(|| {
            let font = std::fs::read(CERTIFICATE_FONT).ok()?;
            liandong_app::certificates::CertificateIssuer::new(
                &CERTIFICATE_SEED,
                &font,
                "http://127.0.0.1:8080",
            )
            .ok()
            .map(Arc::new)
        })
        .clone()
}
