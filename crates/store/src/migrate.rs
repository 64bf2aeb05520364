//! Versioned migrations, embedded in the binary. A landed migration is never edited: its
//! checksum is recorded, and a changed file stops the start.

use sha2::{Digest, Sha256};
use sqlx::{Executor, Row};

use crate::{Backend, Result, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "audit_target_index",
        sqlite: include_str!("../../../migrations/sqlite/0002_audit_target_index.sql"),
        postgres: include_str!("../../../migrations/postgres/0002_audit_target_index.sql"),
    },
    Migration {
        version: 3,
        name: "outbox",
        sqlite: include_str!("../../../migrations/sqlite/0003_outbox.sql"),
        postgres: include_str!("../../../migrations/postgres/0003_outbox.sql"),
    },
    Migration {
        version: 4,
        name: "appeals",
        sqlite: include_str!("../../../migrations/sqlite/0004_appeals.sql"),
        postgres: include_str!("../../../migrations/postgres/0004_appeals.sql"),
    },
    Migration {
        version: 5,
        name: "proxy",
        sqlite: include_str!("../../../migrations/sqlite/0005_proxy.sql"),
        postgres: include_str!("../../../migrations/postgres/0005_proxy.sql"),
    },
    Migration {
        version: 6,
        name: "key_projects",
        sqlite: include_str!("../../../migrations/sqlite/0006_key_projects.sql"),
        postgres: include_str!("../../../migrations/postgres/0006_key_projects.sql"),
    },
    Migration {
        version: 7,
        name: "queue",
        sqlite: include_str!("../../../migrations/sqlite/0007_queue.sql"),
        postgres: include_str!("../../../migrations/postgres/0007_queue.sql"),
    },
    Migration {
        version: 8,
        name: "organization_edits",
        sqlite: include_str!("../../../migrations/sqlite/0008_organization_edits.sql"),
        postgres: include_str!("../../../migrations/postgres/0008_organization_edits.sql"),
    },
    Migration {
        version: 9,
        name: "case_totals",
        sqlite: include_str!("../../../migrations/sqlite/0009_case_totals.sql"),
        postgres: include_str!("../../../migrations/postgres/0009_case_totals.sql"),
    },
    Migration {
        version: 10,
        name: "open_case_indexes",
        sqlite: include_str!("../../../migrations/sqlite/0010_open_case_indexes.sql"),
        postgres: include_str!("../../../migrations/postgres/0010_open_case_indexes.sql"),
    },
    Migration {
        version: 11,
        name: "case_totals_monthly",
        sqlite: include_str!("../../../migrations/sqlite/0011_case_totals_monthly.sql"),
        postgres: include_str!("../../../migrations/postgres/0011_case_totals_monthly.sql"),
    },
    Migration {
        version: 12,
        name: "findings",
        sqlite: include_str!("../../../migrations/sqlite/0012_findings.sql"),
        postgres: include_str!("../../../migrations/postgres/0012_findings.sql"),
    },
    Migration {
        version: 13,
        name: "notices",
        sqlite: include_str!("../../../migrations/sqlite/0013_notices.sql"),
        postgres: include_str!("../../../migrations/postgres/0013_notices.sql"),
    },
    Migration {
        version: 14,
        name: "staff_phone",
        sqlite: include_str!("../../../migrations/sqlite/0014_staff_phone.sql"),
        postgres: include_str!("../../../migrations/postgres/0014_staff_phone.sql"),
    },
    Migration {
        version: 15,
        name: "ratings",
        sqlite: include_str!("../../../migrations/sqlite/0015_ratings.sql"),
        postgres: include_str!("../../../migrations/postgres/0015_ratings.sql"),
    },
    Migration {
        version: 16,
        name: "certificates",
        sqlite: include_str!("../../../migrations/sqlite/0016_certificates.sql"),
        postgres: include_str!("../../../migrations/postgres/0016_certificates.sql"),
    },
    Migration {
        version: 17,
        name: "payments",
        sqlite: include_str!("../../../migrations/sqlite/0017_payments.sql"),
        postgres: include_str!("../../../migrations/postgres/0017_payments.sql"),
    },
    Migration {
        version: 18,
        name: "online",
        sqlite: include_str!("../../../migrations/sqlite/0018_online.sql"),
        postgres: include_str!("../../../migrations/postgres/0018_online.sql"),
    },
    Migration {
        version: 19,
        name: "consultations",
        sqlite: include_str!("../../../migrations/sqlite/0019_consultations.sql"),
        postgres: include_str!("../../../migrations/postgres/0019_consultations.sql"),
    },
    Migration {
        version: 20,
        name: "attendance",
        sqlite: include_str!("../../../migrations/sqlite/0020_attendance.sql"),
        postgres: include_str!("../../../migrations/postgres/0020_attendance.sql"),
    },
    Migration {
        version: 21,
        name: "video",
        sqlite: include_str!("../../../migrations/sqlite/0021_video.sql"),
        postgres: include_str!("../../../migrations/postgres/0021_video.sql"),
    },
    Migration {
        version: 22,
        name: "payment_reconciliations",
        sqlite: include_str!("../../../migrations/sqlite/0022_payment_reconciliations.sql"),
        postgres: include_str!("../../../migrations/postgres/0022_payment_reconciliations.sql"),
    },
    Migration {
        version: 23,
        name: "renewals_and_online_keys",
        sqlite: include_str!("../../../migrations/sqlite/0023_renewals_and_online_keys.sql"),
        postgres: include_str!("../../../migrations/postgres/0023_renewals_and_online_keys.sql"),
    },
    Migration {
        version: 24,
        name: "city_link",
        sqlite: include_str!("../../../migrations/sqlite/0024_city_link.sql"),
        postgres: include_str!("../../../migrations/postgres/0024_city_link.sql"),
    },
    Migration {
        version: 25,
        name: "case_windows",
        sqlite: include_str!("../../../migrations/sqlite/0025_case_windows.sql"),
        postgres: include_str!("../../../migrations/postgres/0025_case_windows.sql"),
    },
    Migration {
        version: 26,
        name: "appointments",
        sqlite: include_str!("../../../migrations/sqlite/0026_appointments.sql"),
        postgres: include_str!("../../../migrations/postgres/0026_appointments.sql"),
    },
    Migration {
        version: 27,
        name: "appeal_acceptance_and_chain",
        sqlite: include_str!("../../../migrations/sqlite/0027_appeal_acceptance_and_chain.sql"),
        postgres: include_str!("../../../migrations/postgres/0027_appeal_acceptance_and_chain.sql"),
    },
    Migration {
        version: 28,
        name: "open_case_clocks",
        sqlite: include_str!("../../../migrations/sqlite/0028_open_case_clocks.sql"),
        postgres: include_str!("../../../migrations/postgres/0028_open_case_clocks.sql"),
    },
    Migration {
        version: 29,
        name: "clock_looks",
        sqlite: include_str!("../../../migrations/sqlite/0029_clock_looks.sql"),
        postgres: include_str!("../../../migrations/postgres/0029_clock_looks.sql"),
    },
    Migration {
        version: 30,
        name: "findings_awaiting_notice",
        sqlite: include_str!("../../../migrations/sqlite/0030_findings_awaiting_notice.sql"),
        postgres: include_str!("../../../migrations/postgres/0030_findings_awaiting_notice.sql"),
    },
];

/// The migration that makes the city link's outbox.
pub(crate) const CITY_OUTBOX: i64 = 24;

/// The migration that gives appeal events their hash chain: the events stored before it are
/// sealed in its transaction, by Rust (SQL has no SHA-256 on SQLite).
const APPEAL_CHAIN: i64 = 27;

/// The migration that completes the open cases' clocks as writes keep them and the sweep
/// reads them: kept since 28, with the time of their next look since 29.
pub(crate) const CASE_CLOCKS: i64 = 29;

/// The migration that flags the findings awaiting a notice.
pub(crate) const AWAITING_NOTICE: i64 = 30;

impl Store {
    /// Applies every migration not yet applied, each in its own transaction.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        self.migrate_up_to(i64::MAX).await
    }

    /// Applies the migrations not yet applied up to version `last`: for tests that put data
    /// under an older schema and then migrate it.
    pub async fn migrate_up_to(&self, last: i64) -> Result<Vec<i64>> {
        let mut tx = self.begin().await?;
        tx.conn()
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL,
                    checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await?;
        tx.commit().await?;
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
            let mut tx = self.begin().await?;
            let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(tx.conn())
                .await?;
            if let Some(row) = existing {
                let recorded: String = row.try_get("checksum")?;
                if recorded != checksum {
                    return Err(StoreError::Migration(format!(
                        "migration {} ({}) changed after it was applied",
                        m.version, m.name
                    )));
                }
                continue;
            }
            tx.conn()
                .execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
                .await?;
            if m.version == APPEAL_CHAIN {
                tx.seal_unsealed_appeals().await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(checksum)
            .bind(chrono::Utc::now().timestamp_millis())
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            applied.push(m.version);
        }
        self.schema
            .store(last, std::sync::atomic::Ordering::Relaxed);
        Ok(applied)
    }
}
