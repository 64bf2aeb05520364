//! The security audit log, and verification of every case's and every appeal's event chain.

use liandong_domain::appeal::chain::verify_appeal_chain;
use liandong_domain::case::event::{ChainBreak, verify_chain};
use liandong_domain::organization::{AppealId, CaseId, StaffId};
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, WriteTx, instant};

/// One security-relevant act: sign-in, failed sign-in, catalog change, role change…
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<StaffId>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// A case whose history fails verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub case_id: CaseId,
    pub number: String,
    pub problem: ChainBreak,
}

/// An appeal whose history fails verification, by its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealAuditFinding {
    pub appeal_id: AppealId,
    pub number: String,
    pub problem: ChainBreak,
}

impl WriteTx {
    pub async fn audit(&mut self, entry: &AuditEntry) -> Result<()> {
        sqlx::query("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(entry.at.timestamp_millis())
            .bind(entry.actor_id.map(|s| s.0))
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.detail)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// Writes one audit entry in its own transaction.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(entry).await?;
        tx.commit().await
    }

    /// How many entries of `action` on `target` were written at or after `since`.
    pub async fn count_audit_since(
        &self,
        action: &str,
        target: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE target = $1 AND action = $2 AND at >= $3",
        )
        .bind(target)
        .bind(action)
        .bind(since.timestamp_millis())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// The newest audit entries.
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT at, actor_id, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: instant(r.try_get("at")?)?,
                    actor_id: r.try_get::<Option<i64>, _>("actor_id")?.map(StaffId),
                    action: r.try_get("action")?,
                    target: r.try_get("target")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    /// Verifies the hash chain of every case; `progress` is told how many were checked.
    pub async fn verify_all_cases(
        &self,
        mut progress: impl FnMut(u64),
    ) -> Result<(u64, Vec<AuditFinding>)> {
        let mut findings = Vec::new();
        let mut checked = 0u64;
        let mut after = CaseId(0);
        loop {
            let ids = self.case_ids_after(after, 1000).await?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                let summary = self.case_summary(id).await?;
                let events = self.case_events(id).await?;
                if let Err(problem) = verify_chain(
                    summary.number.as_str(),
                    &events,
                    &summary.head_hash,
                    summary.version,
                ) {
                    findings.push(AuditFinding {
                        case_id: id,
                        number: summary.number.to_string(),
                        problem,
                    });
                }
                checked += 1;
            }
            progress(checked);
            after = last;
        }
        Ok((checked, findings))
    }

    /// Verifies the hash chain of every appeal; `progress` is told how many were checked.
    pub async fn verify_all_appeals(
        &self,
        mut progress: impl FnMut(u64),
    ) -> Result<(u64, Vec<AppealAuditFinding>)> {
        let mut findings = Vec::new();
        let mut checked = 0u64;
        let mut after = 0i64;
        loop {
            let ids: Vec<i64> =
                sqlx::query("SELECT id FROM appeals WHERE id > $1 ORDER BY id LIMIT 1000")
                    .bind(after)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<std::result::Result<_, _>>()?;
            let Some(last) = ids.last().copied() else {
                break;
            };
            for id in ids {
                let stored = self.appeal(AppealId(id)).await?;
                let s = &stored.summary;
                if let Err(problem) =
                    verify_appeal_chain(&s.number, &stored.events, &s.head_hash, s.version)
                {
                    findings.push(AppealAuditFinding {
                        appeal_id: s.id,
                        number: s.number.clone(),
                        problem,
                    });
                }
                checked += 1;
            }
            progress(checked);
            after = last;
        }
        Ok((checked, findings))
    }
}
