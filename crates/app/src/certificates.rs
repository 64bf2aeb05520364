//! Electronic certificates (电子证照): issued when a licence is approved, kept as signed in
//! the register, downloaded by the officers of the case and by the applicant after the
//! lookup's check, revoked or reissued (换发), and verified by anyone (联网核查) from the QR
//! code's token or the identifier. Formats: `liandong-certificate`; docs/certificates.md.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDate, Utc};
use liandong_certificate::{
    Certificate, CertificateError, CertificateFont, HolderKind, LicenceIdentifier, SigningKey,
    mask_holder_name, parse_token, public_key_text, render_pdf, signing_key_from_seed,
    verify_token,
};
use liandong_domain::case::{Applicant, CaseState, EventKind, Outcome};
use liandong_domain::catalog::ItemKind;
use liandong_domain::certificate::{
    CertificateState, RENEWAL_NOTICE_DAYS, RenewalDates, RenewalStanding, Verification,
    last_day_in_force, licence_title, licence_type_of_item, renewal_standing,
    serial_of_case_number, standing,
};
use liandong_domain::notify;
use liandong_domain::organization::{CaseId, Role, StaffId};
use liandong_store::{
    AuditEntry, CertificateRecord, ExpiringCertificate, NewCertificate, StoreError, StoredCase,
};
use serde::Serialize;

use crate::progress::CaseClaim;
use crate::{App, AppError, Result, Session};

/// The district's signing key, the font certificates are printed in, and where the QR code
/// sends a reader.
pub struct CertificateIssuer {
    key: SigningKey,
    font: CertificateFont,
    verify_base: String,
}

impl CertificateIssuer {
    /// `seed`: the 32 bytes of the key file; `font`: a TrueType font or collection with
    /// Chinese (face 0); `verify_base`: the public address, e.g. `https://zwfw.example.gov.cn`.
    pub fn new(
        seed: &[u8; 32],
        font: &[u8],
        verify_base: &str,
    ) -> std::result::Result<CertificateIssuer, CertificateError> {
        Ok(CertificateIssuer {
            key: signing_key_from_seed(seed),
            font: CertificateFont::from_bytes(font, 0)?,
            verify_base: verify_base.trim_end_matches('/').to_owned(),
        })
    }

    /// The public key as published (64 hexadecimal digits), for offline checks.
    pub fn public_key(&self) -> String {
        public_key_text(&self.key.verifying_key())
    }
}

/// What the public verification answers: the standing and the certificate's public face,
/// the holder masked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct VerifyAnswer {
    pub status: Verification,
    pub status_zh: &'static str,
    pub identifier: Option<String>,
    pub title: Option<String>,
    /// `王*` for a person; an organisation's name in full.
    pub holder: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl VerifyAnswer {
    fn bare(status: Verification) -> VerifyAnswer {
        VerifyAnswer {
            status,
            status_zh: status.name_zh(),
            identifier: None,
            title: None,
            holder: None,
            issuer: None,
            issued_on: None,
            valid_until: None,
            revoked_at: None,
        }
    }
}

/// A certificate near its last day, on the renewals list (证照到期).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RenewalLine {
    pub certificate: CertificateRecord,
    /// The phone the holder gave at intake, to call when no SMS can reach them.
    pub phone: String,
    pub standing: RenewalStanding,
    pub standing_zh: &'static str,
    /// The last day to apply for renewal (行政许可法 Art 50: 30 days before expiry).
    pub apply_by: NaiveDate,
    /// The day the holder is (or was) reminded.
    pub remind_on: NaiveDate,
}

/// The most lines the renewals list shows, and the reminders one query reads.
const RENEWALS_LIMIT: u32 = 1000;

/// How long an expired certificate stays on the renewals list.
const EXPIRED_SHOWN_DAYS: u64 = 30;

fn not_issuing() -> AppError {
    AppError::Forbidden(
        "本系统未配置证照签发（签名密钥或字体） / certificates are not configured here (signing key or font)"
            .into(),
    )
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该证照 / certificate not found")
}

/// The holder of a case: name, kind and identity number, from its intake.
fn holder(stored: &StoredCase) -> (String, HolderKind, String) {
    match stored.events.first().map(|e| &e.kind) {
        Some(EventKind::Received {
            applicant: Applicant::Person { name, resident_id },
            ..
        }) => (
            name.clone(),
            HolderKind::Person,
            resident_id.as_str().to_owned(),
        ),
        Some(EventKind::Received {
            applicant: Applicant::Organisation { name, credit_code },
            ..
        }) => (
            name.clone(),
            HolderKind::Organisation,
            credit_code.as_str().to_owned(),
        ),
        _ => (
            stored.summary.applicant_name.clone(),
            HolderKind::Person,
            stored.summary.applicant_id_number.clone(),
        ),
    }
}

impl App {
    fn issuer(&self) -> Result<&Arc<CertificateIssuer>> {
        self.certificates.as_ref().ok_or_else(not_issuing)
    }

    /// The published public key, when certificates are issued here.
    pub fn certificate_public_key(&self) -> Option<String> {
        self.certificates.as_ref().map(|c| c.public_key())
    }

    /// Issues the certificate of an approved licence: the first edition, or a new one that
    /// replaces (and revokes) the one in force. `by` is None when the approval itself issues it.
    async fn issue_for(
        &self,
        stored: &StoredCase,
        by: Option<StaffId>,
    ) -> Result<CertificateRecord> {
        let issuer = self.issuer()?.clone();
        let s = &stored.summary;
        let approved = s.outcome == Some(Outcome::Approved)
            && matches!(s.state, CaseState::Decided | CaseState::Concluded);
        let item = self.item_version(s.item_id, s.item_version).await?;
        if !approved || item.kind != ItemKind::Licence {
            return Err(AppError::Forbidden(
                "只有准予许可的行政许可办件签发证照 / only an approved licence gets a certificate"
                    .into(),
            ));
        }
        let department = self.department(s.department_id).await?;
        let existing = self.store.certificates_of_case(s.id).await?;
        let edition = existing.first().map_or(1, |c| c.edition + 1);
        let version = u16::try_from(edition).map_err(|_| {
            AppError::Forbidden("证照版本已达上限 / no more editions of this certificate".into())
        })?;
        let identifier = LicenceIdentifier::new(
            &licence_type_of_item(item.code.as_str()),
            &department.credit_code,
            &serial_of_case_number(s.number.as_str()),
            version,
        )
        .map_err(|e| {
            AppError::Forbidden(format!(
                "发证部门“{}”的统一社会信用代码未登记或有误，无法生成证照标识 / the issuing department's credit code is missing or wrong: {e}",
                department.name
            ))
        })?;
        let (holder_name, holder_kind, holder_id_number) = holder(stored);
        let now = self.now();
        let issued_on = self.calendar().effective_date(now);
        // A new edition (换发) replaces the paper, not the licence: it keeps the period of the
        // edition before it. The first edition runs the item's validity from its issue.
        let valid_until = match existing.first() {
            Some(previous) => previous.valid_until,
            None => item
                .certificate_valid_years
                .and_then(|years| last_day_in_force(issued_on, years)),
        };
        let certificate = Certificate {
            identifier: identifier.clone(),
            title: licence_title(&item.name),
            holder_name: holder_name.clone(),
            holder_kind,
            holder_id_number: holder_id_number.clone(),
            item_name: item.name.clone(),
            particulars: vec![
                ("事项编码".to_owned(), item.code.as_str().to_owned()),
                ("设定依据".to_owned(), item.legal_basis.clone()),
            ]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect(),
            issuer_name: department.name.clone(),
            issued_on,
            valid_until,
            case_number: s.number.as_str().to_owned(),
        };
        let pdf = render_pdf(&certificate, &issuer.font, &issuer.key, &issuer.verify_base)
            .map_err(|e| AppError::Forbidden(e.to_string()))?;
        let token = certificate
            .payload()
            .sign(&issuer.key)
            .map_err(|e| AppError::Forbidden(e.to_string()))?;
        let new = NewCertificate {
            case_id: s.id,
            edition,
            identifier: identifier.to_string(),
            title: certificate.title.clone(),
            holder_name,
            holder_id_number,
            department_id: department.id,
            issued_on,
            valid_until,
            token: token.as_str().to_owned(),
            pdf_base64: STANDARD.encode(&pdf),
            issued_at: now,
            issued_by: by,
            // One reminder per licence, not per edition.
            renewal_reminded_at: existing.first().and_then(|c| c.renewal_reminded_at),
        };
        let replaced: Option<(i64, u32)> = existing
            .iter()
            .find(|c| c.state == CertificateState::Valid)
            .map(|c| (c.id, c.version));
        let audit = AuditEntry {
            at: now,
            actor_id: by,
            action: "certificate_issued".into(),
            target: format!("case:{}", s.id.0),
            detail: identifier.to_string(),
        };
        let id = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    if let Some((old, version)) = replaced {
                        tx.revoke_certificate(old, version, now, "换发 / reissued")
                            .await?;
                    }
                    let id = tx.insert_certificate(&new).await?;
                    tx.audit(&audit).await?;
                    Ok(id)
                })
            })
            .await?;
        Ok(self.store.certificate(id).await?)
    }

    /// Called after an approval is written: issues the certificate if this is a licence and
    /// certificates are configured. A failure does not undo the approval; it is logged and the
    /// certificate can be issued from the case page.
    pub(crate) async fn issue_on_approval(&self, id: CaseId, item: ItemKind) {
        if self.certificates.is_none() || item != ItemKind::Licence {
            return;
        }
        let outcome = match self.store.case(id).await {
            Ok(stored) => self.issue_for(&stored, None).await.map(|_| ()),
            Err(e) => Err(e.into()),
        };
        if let Err(e) = outcome {
            tracing::warn!(case = id.0, error = %e, "certificate not issued on approval");
        }
    }

    /// Issues (or reissues) the certificate of a case the session sees: its department's
    /// approver or window clerk, or a supervisor.
    pub async fn issue_certificate(
        &self,
        session: &Session,
        id: CaseId,
    ) -> Result<CertificateRecord> {
        session.require_any(&[Role::Approver, Role::WindowClerk, Role::Supervisor])?;
        let stored = self.visible_case(session, id).await?;
        self.issue_for(&stored, Some(session.staff.id)).await
    }

    /// A case's certificates, the latest edition first.
    pub async fn case_certificates(
        &self,
        session: &Session,
        id: CaseId,
    ) -> Result<Vec<CertificateRecord>> {
        self.visible_case(session, id).await?;
        Ok(self.store.certificates_of_case(id).await?)
    }

    /// A certificate's signed file, for the staff who see its case. Audited: it carries the
    /// holder's identity in full.
    pub async fn certificate_file(
        &self,
        session: &Session,
        id: i64,
    ) -> Result<(CertificateRecord, Vec<u8>)> {
        let record = self.store.certificate(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        self.visible_case(session, record.case_id)
            .await
            .map_err(|_| not_found())?;
        self.store
            .audit(&AuditEntry {
                at: self.now(),
                actor_id: Some(session.staff.id),
                action: "certificate_downloaded".into(),
                target: format!("certificate:{id}"),
                detail: record.identifier.clone(),
            })
            .await?;
        self.file_of(record).await
    }

    async fn file_of(&self, record: CertificateRecord) -> Result<(CertificateRecord, Vec<u8>)> {
        let text = self.store.certificate_pdf(record.id).await?;
        let pdf = STANDARD
            .decode(text.as_bytes())
            .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        Ok((record, pdf))
    }

    /// The applicant's certificate in force, after the same check as the progress lookup.
    pub async fn applicant_certificate(
        &self,
        claim: &CaseClaim<'_>,
    ) -> Result<(CertificateRecord, Vec<u8>)> {
        let stored = self.claimed_case(claim).await?;
        let record = self
            .store
            .certificates_of_case(stored.summary.id)
            .await?
            .into_iter()
            .find(|c| c.state == CertificateState::Valid)
            .ok_or_else(not_found)?;
        self.file_of(record).await
    }

    /// Revokes a certificate in force (撤销/注销), with the reason: an approver of its
    /// department, or a supervisor.
    pub async fn revoke_certificate(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        reason: &str,
    ) -> Result<CertificateRecord> {
        let record = self.store.certificate(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        self.visible_case(session, record.case_id)
            .await
            .map_err(|_| not_found())?;
        let staff = &session.staff;
        let may = staff.roles.contains(&Role::Supervisor)
            || (staff.roles.contains(&Role::Approver)
                && staff.department_id == Some(record.department_id));
        if !may {
            return Err(AppError::RoleRequired {
                role: Role::Approver,
            });
        }
        let reason = reason.trim().to_owned();
        if reason.chars().filter(|c| c.is_alphanumeric()).count() < 4 {
            return Err(AppError::invalid(
                "reason",
                "请写明注销的理由和依据（至少4个字）",
                "give the reason and legal basis of the revocation (at least 4 characters)",
            ));
        }
        if record.state != CertificateState::Valid {
            return Err(AppError::Forbidden(
                "该证照已注销 / the certificate is revoked already".into(),
            ));
        }
        if record.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let now = self.now();
        let audit = AuditEntry {
            at: now,
            actor_id: Some(staff.id),
            action: "certificate_revoked".into(),
            target: format!("certificate:{id}"),
            detail: reason.clone(),
        };
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.revoke_certificate(id, expected_version, now, &reason)
                        .await?;
                    tx.audit(&audit).await
                })
            })
            .await?;
        Ok(self.store.certificate(id).await?)
    }

    /// The certificates of the session's department (every department's, for supervisors)
    /// that are due for renewal, late for it, or expired within the last 30 days, the soonest
    /// to expire first.
    pub async fn renewals_due(&self, session: &Session) -> Result<Vec<RenewalLine>> {
        let today = self.calendar().effective_date(self.now());
        let rules = self.renewal_rules;
        let departments: Option<Vec<_>> = if session.staff.roles.iter().any(|r| r.sees_everything())
        {
            None
        } else {
            Some(session.staff.department_id.into_iter().collect())
        };
        let from = today
            .checked_sub_days(chrono::Days::new(EXPIRED_SHOWN_DAYS))
            .unwrap_or(today);
        let rows = self
            .store
            .certificates_expiring(
                from,
                reminder_horizon(today, &rules),
                departments.as_deref(),
                false,
                RENEWALS_LIMIT,
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let valid_until = row.certificate.valid_until?;
                let standing =
                    renewal_standing(row.certificate.state, Some(valid_until), today, &rules);
                let dates = RenewalDates::of(valid_until, &rules);
                (standing != RenewalStanding::NotDue).then(|| RenewalLine {
                    standing,
                    standing_zh: standing.name_zh(),
                    apply_by: dates.apply_by,
                    remind_on: dates.remind_on,
                    phone: row.phone,
                    certificate: row.certificate,
                })
            })
            .collect())
    }

    /// Reminds by SMS every holder whose certificate's reminder day has come and whose Art 50
    /// date has not passed, once per certificate: the mark and the message are one write, and
    /// the message's id is the certificate's. A holder without a mobile number is marked too
    /// (the renewals list shows the number to call). Returns how many messages were queued.
    pub async fn remind_renewals(&self) -> Result<u32> {
        let now = self.now();
        let today = self.calendar().effective_date(now);
        let rules = self.renewal_rules;
        // Past the Art 50 date a reminder would name a day gone by: those are for the list.
        let from = today
            .checked_add_days(chrono::Days::new(u64::from(RENEWAL_NOTICE_DAYS)))
            .unwrap_or(today);
        let mut queued = 0;
        loop {
            let rows = self
                .store
                .certificates_expiring(
                    from,
                    reminder_horizon(today, &rules),
                    None,
                    true,
                    RENEWALS_LIMIT,
                )
                .await?;
            let read = rows.len();
            for ExpiringCertificate { certificate, phone } in rows {
                let Some(valid_until) = certificate.valid_until else {
                    continue;
                };
                let standing =
                    renewal_standing(certificate.state, Some(valid_until), today, &rules);
                let message = (standing == RenewalStanding::Due)
                    .then(|| {
                        notify::renewal_due_message(
                            certificate.id,
                            &phone,
                            &certificate.holder_name,
                            &certificate.title,
                            &certificate.case_number,
                            &RenewalDates::of(valid_until, &rules),
                        )
                    })
                    .flatten();
                let sent = message.is_some();
                let (id, case) = (certificate.id, certificate.case_id);
                let marked = self
                    .store
                    .write(move |tx| {
                        Box::pin(async move {
                            let marked = tx.mark_renewal_reminded(id, now).await?;
                            if marked {
                                crate::notify::enqueue(tx, Some(case), message.as_slice(), now)
                                    .await?;
                            }
                            Ok(marked)
                        })
                    })
                    .await?;
                if marked && sent {
                    queued += 1;
                }
            }
            if read < RENEWALS_LIMIT as usize {
                return Ok(queued);
            }
        }
    }

    /// The public verification (联网核查) from the QR code's token (or the address it holds)
    /// or from the identifier: valid, expired, revoked, unknown, or invalid when the token's
    /// signature does not hold. The holder is masked.
    pub async fn verify_certificate(&self, code: &str) -> Result<VerifyAnswer> {
        let code = code.trim();
        let today = self.calendar().effective_date(self.now());
        let identifier = if code.starts_with("LD") || code.contains("?c=") {
            let issuer = self.issuer()?;
            if parse_token(code).is_err() {
                return Err(AppError::invalid(
                    "code",
                    "不是证照二维码的内容或证照标识",
                    "neither a certificate's QR content nor its identifier",
                ));
            }
            match verify_token(code, &issuer.key.verifying_key()) {
                Ok(payload) => payload.identifier.to_string(),
                Err(_) => return Ok(VerifyAnswer::bare(Verification::Invalid)),
            }
        } else {
            LicenceIdentifier::parse(code)
                .map_err(|e| crate::FieldError::from_bilingual("code", &e))
                .map_err(|e| AppError::Invalid(vec![e]))?
                .to_string()
        };
        let Some(record) = self.store.certificate_by_identifier(&identifier).await? else {
            let mut answer = VerifyAnswer::bare(Verification::Unknown);
            answer.identifier = Some(identifier);
            return Ok(answer);
        };
        let status = standing(record.state, record.valid_until, today);
        let department = self.department(record.department_id).await?;
        let kind = if liandong_domain::ids::CreditCode::parse(&record.holder_id_number).is_ok() {
            HolderKind::Organisation
        } else {
            HolderKind::Person
        };
        Ok(VerifyAnswer {
            status,
            status_zh: status.name_zh(),
            identifier: Some(record.identifier),
            title: Some(record.title),
            holder: Some(mask_holder_name(&record.holder_name, kind)),
            issuer: Some(department.name),
            issued_on: Some(record.issued_on),
            valid_until: record.valid_until,
            revoked_at: record.revoked_at,
        })
    }
}

/// The last day in force the reminders look as far as: the reminder period, or the Art 50
/// period if that is longer.
fn reminder_horizon(
    today: NaiveDate,
    rules: &liandong_domain::certificate::RenewalRules,
) -> NaiveDate {
    let days = rules.remind_days_before_expiry.max(RENEWAL_NOTICE_DAYS);
    today
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(today)
}
