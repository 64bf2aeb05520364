//! Online backup and restore. A backup is a SQLite file with the SQLite schema, whichever
//! database it came from, so it also carries a district from one database to the other.

use sqlx::any::AnyRow;
use sqlx::{Column, Row};

use crate::{Backend, Result, Store, StoreError};

/// Every table, parents before children: the order rows are copied in.
pub const TABLES: [&str; 66] = [
    "units",
    "departments",
    "windows",
    "window_departments",
    "cameras",
    "camera_placements",
    "camera_health",
    "camera_health_changes",
    "camera_snapshots",
    "staff",
    "staff_tokens",
    "service_items",
    "service_item_versions",
    "holiday_notices",
    "cases",
    "case_events",
    "case_number_sequences",
    "case_totals",
    "case_totals_monthly",
    "case_totals_district_monthly",
    "open_case_clocks",
    "sweep_basis",
    // Before the findings, which may name an appeal.
    "appeals",
    "appeal_events",
    "appeal_number_sequences",
    "findings",
    "notices",
    "notice_events",
    "idempotency_keys",
    "audit_log",
    "sms_templates",
    "sms_outbox",
    "proxy_records",
    "proxy_events",
    "proxy_number_sequences",
    "key_projects",
    "project_approvals",
    "joint_reviews",
    "queue_groups",
    "queue_tickets",
    "queue_sequences",
    "appointments",
    "appointment_slots",
    "appointment_phones",
    "ratings",
    "certificates",
    "payments",
    "payment_events",
    "payment_code_sequences",
    "payment_transactions",
    "sign_in_codes",
    "applicant_sessions",
    "stored_files",
    "case_files",
    "consultations",
    "consultation_events",
    "payment_reconciliations",
    "window_duty",
    "window_duty_events",
    "applicant_idempotency_keys",
    "city_outbox",
    "city_districts",
    "city_records",
    "city_cases",
    "city_findings",
    "city_totals",
];

/// Tables whose `id` comes from a sequence on PostgreSQL.
const SERIAL_TABLES: [&str; 23] = [
    "units",
    "departments",
    "windows",
    "staff",
    "service_items",
    "cases",
    "audit_log",
    "appeals",
    "proxy_records",
    "key_projects",
    "joint_reviews",
    "queue_tickets",
    "appointments",
    "findings",
    "notices",
    "ratings",
    "certificates",
    "payments",
    "sign_in_codes",
    "case_files",
    "consultations",
    "cameras",
    "city_outbox",
];

enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

fn values(row: &AnyRow) -> Result<Vec<Value>> {
    (0..row.columns().len())
        .map(|i| {
            // A text column is bound as text even when NULL: PostgreSQL keeps the parameter
            // types of the first row it was prepared with, and a later row's text must fit.
            if row.column(i).type_info().kind() == sqlx::any::AnyTypeInfoKind::Text {
                return Ok(Value::Text(row.try_get::<Option<String>, _>(i)?));
            }
            match row.try_get::<Option<i64>, _>(i) {
                Ok(v) => Ok(Value::Int(v)),
                Err(_) => Ok(Value::Text(row.try_get::<Option<String>, _>(i)?)),
            }
        })
        .collect()
}

impl Store {
    /// Copies every row of every table from `self` into `target`, an empty migrated store,
    /// reading one consistent snapshot. Returns the rows copied.
    async fn copy_into(&self, target: &Store) -> Result<u64> {
        let mut source = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *source)
                .await?;
        }
        let mut tx = target.begin().await?;
        let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM units")
            .fetch_one(tx.conn())
            .await?
            .try_get("n")?;
        if existing > 0 {
            return Err(StoreError::Duplicate(
                "目标数据库中的数据 data in the target database".into(),
            ));
        }
        let mut copied = 0;
        for table in TABLES {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
                .fetch_all(&mut *source)
                .await?;
            let Some(first) = rows.first() else { continue };
            let columns: Vec<String> = first
                .columns()
                .iter()
                .map(|c| c.name().to_owned())
                .collect();
            let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let insert = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            );
            for row in &rows {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
                for value in values(row)? {
                    query = match value {
                        Value::Int(v) => query.bind(v),
                        Value::Text(v) => query.bind(v),
                    };
                }
                query.execute(tx.conn()).await?;
                copied += 1;
            }
        }
        if target.backend == Backend::Postgres {
            for table in SERIAL_TABLES {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )))
                .execute(tx.conn())
                .await?;
            }
        }
        tx.commit().await?;
        source.rollback().await?;
        Ok(copied)
    }

    /// Writes a consistent backup to `path` (a new SQLite file) while the server keeps
    /// serving. Returns the rows written.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<u64> {
        if path.exists() {
            return Err(StoreError::Duplicate(format!(
                "备份文件 backup file {}",
                path.display()
            )));
        }
        let target = Store::connect(&format!("sqlite:{}", path.display())).await?;
        target.migrate().await?;
        let copied = self.copy_into(&target).await;
        target.close().await;
        copied
    }

    /// Restores a backup file into this store, which must be migrated and empty.
    pub async fn restore_from(&self, path: &std::path::Path) -> Result<u64> {
        if !path.exists() {
            return Err(StoreError::NotFound("备份文件 backup file"));
        }
        let source = Store::connect(&format!("sqlite:{}", path.display())).await?;
        let copied = source.copy_into(self).await;
        source.close().await;
        copied
    }
}
