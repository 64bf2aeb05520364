//! Online services: sign-in codes, applicants' sessions, and uploaded files stored by their
//! content's SHA-256.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use liandong_domain::online::{IssuedCode, MediaType};
use liandong_domain::organization::CaseId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, WriteTx, instant, millis, opt_instant, parse_column};

/// A file of a case as listed: which material, under what name, brought by which event.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFile {
    pub id: i64,
    pub case_id: CaseId,
    /// The event that brought it: 1 with the application, a supplement's number later.
    pub seq: u32,
    pub material: String,
    pub file_name: String,
    pub sha256: String,
    pub media_type: MediaType,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
}

/// A file to attach to a case, its content already checked.
#[derive(Debug, Clone)]
pub struct NewCaseFile {
    pub material: String,
    pub file_name: String,
    pub sha256: String,
    pub media_type: MediaType,
    pub content: Vec<u8>,
}

fn case_file_row(row: &AnyRow) -> Result<CaseFile> {
    Ok(CaseFile {
        id: row.try_get("id")?,
        case_id: CaseId(row.try_get("case_id")?),
        seq: crate::u32_column(row, "seq")?,
        material: row.try_get("material")?,
        file_name: row.try_get("file_name")?,
        sha256: row.try_get("sha256")?,
        media_type: parse_column(row, "media_type")?,
        size: row.try_get("size")?,
        uploaded_at: instant(row.try_get("uploaded_at")?)?,
    })
}

const CASE_FILE_COLUMNS: &str = "SELECT f.id, f.case_id, f.seq, f.material, f.file_name, f.sha256,
        s.media_type, s.size, f.uploaded_at
     FROM case_files f JOIN stored_files s ON s.sha256 = f.sha256";

impl WriteTx {
    /// When codes were sent to `phone` since `since`.
    pub async fn codes_sent_since(
        &mut self,
        phone: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let rows =
            sqlx::query("SELECT sent_at FROM sign_in_codes WHERE phone = $1 AND sent_at >= $2")
                .bind(phone)
                .bind(millis(since))
                .fetch_all(self.conn())
                .await?;
        rows.iter()
            .map(|r| instant(r.try_get("sent_at")?))
            .collect()
    }

    pub async fn insert_sign_in_code(
        &mut self,
        phone: &str,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sign_in_codes (phone, code_hash, sent_at, failures) VALUES ($1, $2, $3, 0)",
        )
        .bind(phone)
        .bind(code_hash)
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The latest code sent to `phone`, with its row id.
    pub async fn latest_sign_in_code(&mut self, phone: &str) -> Result<Option<(i64, IssuedCode)>> {
        let row = sqlx::query(
            "SELECT id, code_hash, sent_at, failures, used_at FROM sign_in_codes
             WHERE phone = $1 ORDER BY sent_at DESC, id DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let failures: i64 = row.try_get("failures")?;
        Ok(Some((
            row.try_get("id")?,
            IssuedCode {
                hash: row.try_get("code_hash")?,
                sent_at: instant(row.try_get("sent_at")?)?,
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                used: opt_instant(row.try_get("used_at")?)?.is_some(),
            },
        )))
    }

    pub async fn record_code_failure(&mut self, id: i64) -> Result<()> {
        sqlx::query("UPDATE sign_in_codes SET failures = failures + 1 WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Spends the code; false if another sign-in spent it first.
    pub async fn use_sign_in_code(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done =
            sqlx::query("UPDATE sign_in_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
                .bind(id)
                .bind(millis(at))
                .execute(self.conn())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_applicant_session(
        &mut self,
        token_hash: &str,
        phone: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO applicant_sessions (token_hash, phone, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(phone)
        .bind(millis(at))
        .bind(millis(expires_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Keeps a file by its content's hash (once, however often it is sent) and attaches it
    /// to the case as a material brought by event `seq`.
    pub async fn attach_case_file(
        &mut self,
        case: CaseId,
        seq: u32,
        file: &NewCaseFile,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO stored_files (sha256, media_type, size, content, stored_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&file.sha256)
        .bind(file.media_type.as_str())
        .bind(i64::try_from(file.content.len()).unwrap_or(i64::MAX))
        .bind(STANDARD.encode(&file.content))
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        sqlx::query(
            "INSERT INTO case_files (case_id, seq, material, file_name, sha256, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case.0)
        .bind(i64::from(seq))
        .bind(&file.material)
        .bind(&file.file_name)
        .bind(&file.sha256)
        .bind(millis(at))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The phone a signed-in applicant's token stands for, and when it expires.
    pub async fn applicant_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>> {
        let row =
            sqlx::query("SELECT phone, expires_at FROM applicant_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((r.try_get("phone")?, instant(r.try_get("expires_at")?)?)))
            .transpose()
    }

    /// Forgets what no longer matters: sessions past their expiry and codes sent before
    /// `codes_before` (older than any rate limit looks back). Returns how many rows went.
    pub async fn purge_sign_ins(
        &self,
        now: DateTime<Utc>,
        codes_before: DateTime<Utc>,
    ) -> Result<u64> {
        let sessions = sqlx::query("DELETE FROM applicant_sessions WHERE expires_at <= $1")
            .bind(millis(now))
            .execute(&self.pool)
            .await?;
        let codes = sqlx::query("DELETE FROM sign_in_codes WHERE sent_at < $1")
            .bind(millis(codes_before))
            .execute(&self.pool)
            .await?;
        Ok(sessions.rows_affected() + codes.rows_affected())
    }

    pub async fn delete_applicant_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM applicant_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The files of a case, in the order they came.
    pub async fn case_files(&self, case: CaseId) -> Result<Vec<CaseFile>> {
        let sql = format!("{CASE_FILE_COLUMNS} WHERE f.case_id = $1 ORDER BY f.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(case_file_row).collect()
    }

    /// One file of a case with its content.
    pub async fn case_file(&self, case: CaseId, id: i64) -> Result<(CaseFile, Vec<u8>)> {
        let sql = format!("{CASE_FILE_COLUMNS} WHERE f.case_id = $1 AND f.id = $2").replacen(
            "SELECT ",
            "SELECT s.content, ",
            1,
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("材料文件 file"))?;
        let content: String = row.try_get("content")?;
        let bytes = STANDARD
            .decode(content)
            .map_err(|e| StoreError::Corrupt(format!("stored file: {e}")))?;
        Ok((case_file_row(&row)?, bytes))
    }
}
