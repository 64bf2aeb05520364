//! The register of electronic certificates (电子证照) and their files.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::certificate::CertificateState;
use liandong_domain::organization::{CaseId, DepartmentId, StaffId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{
    Result, Store, StoreError, WriteTx, instant, millis, opt_instant, parse_column, u32_column,
    updated_at_version,
};

/// A certificate as registered (the file is read on its own: it is the large part).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateRecord {
    pub id: i64,
    pub case_id: CaseId,
    pub case_number: String,
    /// 1 for the first issue; a reissue (换发) takes the next and revokes the one before.
    pub edition: u32,
    pub identifier: String,
    pub title: String,
    pub holder_name: String,
    pub holder_id_number: String,
    pub department_id: DepartmentId,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub state: CertificateState,
    /// What the QR code carries (the signed token).
    pub token: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Option<StaffId>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: String,
    /// When the holder was reminded by SMS to renew (once per certificate).
    pub renewal_reminded_at: Option<DateTime<Utc>>,
    pub version: u32,
}

/// A certificate in force near its last day, with the phone its holder gave at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCertificate {
    pub certificate: CertificateRecord,
    pub phone: String,
}

impl CertificateRecord {
    /// The name its file is downloaded under: `certificate-<case number>-<edition>.pdf`.
    pub fn file_name(&self) -> String {
        format!("certificate-{}-{}.pdf", self.case_number, self.edition)
    }
}

/// A certificate to register, with its file (base64 of the signed PDF).
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub case_id: CaseId,
    pub edition: u32,
    pub identifier: String,
    pub title: String,
    pub holder_name: String,
    pub holder_id_number: String,
    pub department_id: DepartmentId,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub token: String,
    pub pdf_base64: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Option<StaffId>,
    /// Carried over from the edition a reissue replaces: the holder was reminded already.
    pub renewal_reminded_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "SELECT ce.id, ce.case_id, c.number, ce.edition, ce.identifier, ce.title,
    ce.holder_name, ce.holder_id_number, ce.department_id, ce.issued_on, ce.valid_until,
    ce.state, ce.token, ce.issued_at, ce.issued_by, ce.revoked_at, ce.revoke_reason,
    ce.renewal_reminded_at, ce.version, c.phone
    FROM certificates ce JOIN cases c ON c.id = ce.case_id";

fn date(text: &str, column: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} {text}")))
}

fn certificate_row(row: &AnyRow) -> Result<CertificateRecord> {
    let issued_on: String = row.try_get("issued_on")?;
    let valid_until: Option<String> = row.try_get("valid_until")?;
    Ok(CertificateRecord {
        id: row.try_get("id")?,
        case_id: CaseId(row.try_get("case_id")?),
        case_number: row.try_get("number")?,
        edition: u32_column(row, "edition")?,
        identifier: row.try_get("identifier")?,
        title: row.try_get("title")?,
        holder_name: row.try_get("holder_name")?,
        holder_id_number: row.try_get("holder_id_number")?,
        department_id: DepartmentId(row.try_get("department_id")?),
        issued_on: date(&issued_on, "issued_on")?,
        valid_until: valid_until.map(|d| date(&d, "valid_until")).transpose()?,
        state: parse_column(row, "state")?,
        token: row.try_get("token")?,
        issued_at: instant(row.try_get("issued_at")?)?,
        issued_by: row.try_get::<Option<i64>, _>("issued_by")?.map(StaffId),
        revoked_at: opt_instant(row.try_get("revoked_at")?)?,
        revoke_reason: row.try_get("revoke_reason")?,
        renewal_reminded_at: opt_instant(row.try_get("renewal_reminded_at")?)?,
        version: u32_column(row, "version")?,
    })
}

impl WriteTx {
    /// Registers a certificate; the same case's edition twice is `Duplicate`.
    pub async fn insert_certificate(&mut self, c: &NewCertificate) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO certificates (case_id, edition, identifier, title, holder_name,
                holder_id_number, department_id, issued_on, valid_until, state, token, pdf,
                issued_at, issued_by, revoke_reason, version, renewal_reminded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', 1, $15)
             RETURNING id",
        )
        .bind(c.case_id.0)
        .bind(i64::from(c.edition))
        .bind(&c.identifier)
        .bind(&c.title)
        .bind(&c.holder_name)
        .bind(&c.holder_id_number)
        .bind(c.department_id.0)
        .bind(c.issued_on.to_string())
        .bind(c.valid_until.map(|d| d.to_string()))
        .bind(CertificateState::Valid.as_str())
        .bind(&c.token)
        .bind(&c.pdf_base64)
        .bind(millis(c.issued_at))
        .bind(c.issued_by.map(|s| s.0))
        .bind(c.renewal_reminded_at.map(millis))
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(
            "该版证照 this edition of the certificate",
        ))?;
        Ok(row.try_get("id")?)
    }

    /// Revokes a certificate read at `expected_version`.
    pub async fn revoke_certificate(
        &mut self,
        id: i64,
        expected_version: u32,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE certificates SET state = $1, revoked_at = $2, revoke_reason = $3,
                version = version + 1
             WHERE id = $4 AND version = $5 AND state = $6",
        )
        .bind(CertificateState::Revoked.as_str())
        .bind(millis(at))
        .bind(reason)
        .bind(id)
        .bind(i64::from(expected_version))
        .bind(CertificateState::Valid.as_str())
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)
    }

    /// Records that the holder of certificate `id` was reminded to renew; false if someone
    /// already had (a second sweep at the same time), so the reminder is queued once.
    pub async fn mark_renewal_reminded(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE certificates SET renewal_reminded_at = $1
             WHERE id = $2 AND renewal_reminded_at IS NULL",
        )
        .bind(millis(at))
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn certificate(&self, id: i64) -> Result<CertificateRecord> {
        let sql = format!("{COLUMNS} WHERE ce.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("证照 certificate"))?;
        certificate_row(&row)
    }

    /// The certificate with `identifier`, if registered.
    pub async fn certificate_by_identifier(
        &self,
        identifier: &str,
    ) -> Result<Option<CertificateRecord>> {
        let sql = format!("{COLUMNS} WHERE ce.identifier = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(identifier)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(certificate_row).transpose()
    }

    /// A case's certificates, the latest edition first.
    pub async fn certificates_of_case(&self, case: CaseId) -> Result<Vec<CertificateRecord>> {
        let sql = format!("{COLUMNS} WHERE ce.case_id = $1 ORDER BY ce.edition DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(certificate_row).collect()
    }

    /// Certificates in force whose last day falls from `from` through `until`, the soonest
    /// first; `departments` limits them to the issuing departments given, `unreminded` to
    /// those whose holder has not been reminded yet.
    pub async fn certificates_expiring(
        &self,
        from: NaiveDate,
        until: NaiveDate,
        departments: Option<&[DepartmentId]>,
        unreminded: bool,
        limit: u32,
    ) -> Result<Vec<ExpiringCertificate>> {
        let mut sql = format!(
            "{COLUMNS} WHERE ce.state = $1 AND ce.valid_until IS NOT NULL
                AND ce.valid_until >= $2 AND ce.valid_until <= $3"
        );
        if unreminded {
            sql.push_str(" AND ce.renewal_reminded_at IS NULL");
        }
        if let Some(departments) = departments {
            let ids: Vec<String> = departments.iter().map(|d| d.0.to_string()).collect();
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND ce.department_id IN ({})", ids.join(",")));
        }
        sql.push_str(" ORDER BY ce.valid_until, ce.id LIMIT $4");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(CertificateState::Valid.as_str())
            .bind(from.to_string())
            .bind(until.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ExpiringCertificate {
                    certificate: certificate_row(row)?,
                    phone: row.try_get("phone")?,
                })
            })
            .collect()
    }

    /// The signed file of certificate `id`, base64.
    pub async fn certificate_pdf(&self, id: i64) -> Result<String> {
        let row = sqlx::query("SELECT pdf FROM certificates WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("证照 certificate"))?;
        Ok(row.try_get("pdf")?)
    }
}
