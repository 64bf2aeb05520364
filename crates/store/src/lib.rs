//! Storage for Liandong: one set of behaviours on SQLite (embedded, the default) and
//! PostgreSQL, through sqlx's `Any` driver with one SQL text per query.
//!
//! Conventions: instants are UTC epoch milliseconds, dates `YYYY-MM-DD`, money integer fen,
//! flags 0/1 integers. Rows that change carry a `version`; an update names the version it
//! read and a zero-row update is a conflict, never a lost update.

mod appeals;
mod appointments;
mod attendance;
mod audit;
mod backup;
mod calendar;
mod cases;
mod catalog;
mod certificates;
mod city;
mod clocks;
mod consultations;
mod filter;
mod findings;
mod migrate;
mod notices;
mod online;
mod organization;
mod outbox;
mod payments;
mod projects;
mod proxy;
mod queue;
mod ratings;
mod totals;
mod video;
mod window_month;
mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

pub use appeals::{AppealFilter, AppealRecord, AppealSummary, NewAppeal, StoredAppeal};
pub use appointments::StoredAppointment;
pub use attendance::StoredDuty;
pub use audit::{AppealAuditFinding, AuditEntry, AuditFinding};
pub use backup::TABLES;
pub use cases::{CaseFilter, CaseRecord, CaseSort, CaseSummary, KeyOwner, NewCase, StoredCase};
pub use catalog::{ItemRecord, NewItemVersion};
pub use certificates::{CertificateRecord, ExpiringCertificate, NewCertificate};
pub use city::{BatchReceipt, CityDistrict};
pub use clocks::{Look, OpenClock};
pub use consultations::{ConsultationFilter, ConsultationRow, StoredConsultation};
pub use findings::{FindingFilter, FindingRecord};
pub use notices::{NoticeFilter, NoticeRecord, StoredNotice};
pub use online::{CaseFile, NewCaseFile};
pub use organization::{
    DepartmentRecord, NewStaff, NewUnit, NewWindow, StaffRecord, UnitRecord, WindowRecord,
};
pub use outbox::{AttemptEnd, NewSms, SmsFilter, SmsRecord, SmsTemplateRow};
pub use payments::{PaymentRecord, ReconciliationRecord, StoredPayment};
pub use projects::{
    DepartmentOpinion, JointReview, NewProject, ProjectApproval, ProjectRecord, StoredProject,
};
pub use proxy::{NewProxyRecord, ProxyFilter, ProxyRow, ProxySummary, StoredProxy};
pub use queue::StoredTicket;
pub use ratings::{
    NewRating, RatingCount, RatingFilter, RatingRecord, RatingsBy, RectificationUpdate,
};
pub use totals::{OpenCaseDue, TotalsBy, TotalsFilter, TotalsKey};
pub use video::{
    CameraFields, CameraRecord, HealthChange, HealthRecord, ProbeRecord, SnapshotInfo,
    StoredSnapshot,
};
pub use window_month::WindowConclusion;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "记录已被他人修改（版本{expected}已过期） / the record was changed by someone else (version {expected} is stale)"
    )]
    Conflict { expected: i64 },
    #[error("未找到{0} / {0} not found")]
    NotFound(&'static str),
    #[error("{0}已存在 / {0} already exists")]
    Duplicate(String),
    #[error("数据库中的数据无法读取 / stored data cannot be read: {0}")]
    Corrupt(String),
    #[error("数据库迁移失败 / migration failed: {0}")]
    Migration(String),
    #[error("不支持的数据库地址 / unsupported database URL: {0}")]
    UnsupportedUrl(String),
    #[error("数据库错误 / database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("写入未能提交 / the write was not committed: {0}")]
    CommitFailed(String),
}

impl StoreError {
    /// Whether the write named a row that does not exist (a foreign-key violation).
    pub fn is_missing_reference(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation())
    }

    /// Maps a unique-constraint violation to `Duplicate(what)`, leaving other errors alone.
    pub(crate) fn unique(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let what = what.into();
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what),
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database: a pool and, on SQLite, a lock that lets one writer in at a time.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; queueing writers here avoids busy-retry storms.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// SQLite's group-commit writer (see `writer.rs`).
    writer: Option<writer::GroupWriter>,
    /// The last migration applied: the latest, unless the store was migrated part-way on
    /// purpose (tests of older schemas), where writes leave out what the schema lacks (the
    /// city link's outbox, the open cases' clocks, the flag of findings awaiting a notice).
    schema: Arc<std::sync::atomic::AtomicI64>,
}

/// A write transaction, holding the SQLite writer lock while it lives.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// See `Store::schema`.
    schema: i64,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

impl Store {
    /// Connects to `url`: `sqlite:PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains("mode=") {
                    url.to_owned()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL for readers beside the writer; FULL so that every
                            // acknowledged commit survives a power cut.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?
            }
        };
        let write_lock =
            (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let schema = Arc::new(std::sync::atomic::AtomicI64::new(i64::MAX));
        let writer = write_lock
            .as_ref()
            .map(|lock| writer::GroupWriter::start(pool.clone(), lock.clone(), schema.clone()));
        Ok(Store {
            pool,
            backend,
            write_lock,
            writer,
            schema,
        })
    }

    /// Whether the schema keeps the open cases' clocks (see `Store::schema`).
    pub fn keeps_clocks(&self) -> bool {
        self.schema.load(std::sync::atomic::Ordering::Relaxed) >= migrate::CASE_CLOCKS
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction (on SQLite `BEGIN IMMEDIATE`, behind the writer lock).
    pub async fn begin(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            _guard: guard,
            schema: self.schema.load(std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn parse_column<T: FromStr>(row: &AnyRow, column: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e: T::Err| StoreError::Corrupt(format!("{column}: {e}")))
}

/// A versioned update that changed no row: somebody else wrote first (or the row is gone).
pub(crate) fn updated_at_version(
    result: &sqlx::any::AnyQueryResult,
    expected: impl Into<i64>,
) -> Result<()> {
    if result.rows_affected() == 0 {
        Err(StoreError::Conflict {
            expected: expected.into(),
        })
    } else {
        Ok(())
    }
}

/// An unsigned count or sequence stored as an integer.
pub(crate) fn u32_column(row: &AnyRow, column: &str) -> Result<u32> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column}: {value}")))
}

pub(crate) fn json_column<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn millis(at: chrono::DateTime<chrono::Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn instant(ms: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("instant {ms}")))
}

pub(crate) fn opt_instant(ms: Option<i64>) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    ms.map(instant).transpose()
}
