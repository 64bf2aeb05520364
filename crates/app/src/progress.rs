//! Public progress lookup (办件查询): anyone holding a case number and the last six characters
//! of the applicant's ID number or phone sees where the case stands, with the applicant's
//! identity masked and nothing of the office's internal opinions.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::case::disclosure::{
    PublicEntry, check_code_matches, mask_person_name, public_timeline,
};
use liandong_domain::case::{Applicant, CaseNumber, CaseState, EventKind, Outcome};
use liandong_domain::certificate::{
    CertificateState, RenewalDates, RenewalStanding, renewal_standing,
};
use liandong_domain::ids::PhoneNumber;
use serde::Serialize;

use crate::{App, AppError, Result};

/// A case as the public sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PublicProgress {
    pub number: CaseNumber,
    pub item_code: String,
    pub item_name: String,
    /// Where the application was handed in.
    pub received_unit: String,
    /// Where it is decided.
    pub handling_unit: String,
    /// `王**` for a person; an organisation's registered name in full.
    pub applicant_name: String,
    /// `1101**********002X`.
    pub applicant_id_number: String,
    /// `138****8000`.
    pub phone: String,
    pub state: CaseState,
    pub state_zh: &'static str,
    pub outcome: Option<Outcome>,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// When the decision is due; provisional while next year's holidays are not yet published.
    pub due_at: Option<DateTime<Utc>>,
    pub due_provisional: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub timeline: Vec<PublicUnitEntry>,
    /// An electronic certificate in force, to download with the same check.
    pub certificate_in_force: bool,
    /// Its last day (`None`: no certificate, or one without expiry).
    pub certificate_valid_until: Option<NaiveDate>,
    /// Whether it is time to apply to renew it (行政许可法 Art 50).
    pub certificate_renewal: RenewalStanding,
    /// The last day to apply for renewal, once the reminder period has begun.
    pub renewal_apply_by: Option<NaiveDate>,
    /// Fees still to pay (fen), when the notice is not paid yet: pay online or at the window.
    pub fees_due_fen: Option<i64>,
}

/// A public timeline entry with its unit's name.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PublicUnitEntry {
    #[serde(flatten)]
    pub entry: PublicEntry,
    pub unit_name: String,
}

const LOOKUP_FAILED: &str = "progress_lookup_failed";

/// How someone outside the office shows that a case is theirs: its number with the check
/// code (the progress lookup), or signed in online with the case's phone number.
#[derive(Debug, Clone, Copy)]
pub enum CaseClaim<'a> {
    Lookup {
        number: &'a str,
        check: &'a str,
    },
    Online {
        applicant: &'a crate::online::ApplicantSession,
        case: liandong_domain::organization::CaseId,
    },
}

impl<'a> CaseClaim<'a> {
    pub fn lookup(number: &'a str, check: &'a str) -> Self {
        CaseClaim::Lookup { number, check }
    }
}

/// The same answer for a number that does not exist and for a wrong check code, so that a
/// lookup cannot tell which case numbers exist.
fn no_match() -> AppError {
    AppError::NotFound(
        "未找到与该办件编号和校验码相符的办件 / no case matches this case number and check code",
    )
}

impl App {
    /// The case named by its number and the last six characters of the applicant's ID number
    /// or phone: what the applicant may see and rate themselves. Wrong check codes are audited
    /// and, like failed sign-ins, lock the case number's lookups for a while, so that nobody
    /// can try their way through.
    pub(crate) async fn case_by_lookup(
        &self,
        number: &str,
        check: &str,
    ) -> Result<liandong_store::StoredCase> {
        let number = CaseNumber::parse(number.trim()).ok_or_else(|| {
            AppError::invalid(
                "number",
                "办件编号格式应为“单位代码-日期-序号”，如100-20261130-0001",
                "a case number is unit code, date and sequence, e.g. 100-20261130-0001",
            )
        })?;
        if check.trim().chars().count() != 6 {
            return Err(AppError::invalid(
                "check",
                "校验码为申请人身份证件号码或手机号码的后六位",
                "the check code is the last six characters of the applicant's ID number or phone",
            ));
        }
        let target = format!("case:{}", number.as_str());
        self.guard_lookup(LOOKUP_FAILED, &target).await?;
        let found = match self.store.case_id_by_number(&number).await {
            Ok(id) => Some(self.store.case(id).await?),
            Err(liandong_store::StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let Some(stored) = found.filter(|c| {
            check_code_matches(check, &c.summary.applicant_id_number, &c.summary.phone)
        }) else {
            return Err(self
                .refuse_lookup(LOOKUP_FAILED, target, no_match())
                .await?);
        };
        Ok(stored)
    }

    /// The case a claim names, if the claim holds: a checked lookup, or a signed-in
    /// applicant whose phone is the case's. Any other case is "not found".
    pub(crate) async fn claimed_case(
        &self,
        claim: &CaseClaim<'_>,
    ) -> Result<liandong_store::StoredCase> {
        match claim {
            CaseClaim::Lookup { number, check } => self.case_by_lookup(number, check).await,
            CaseClaim::Online { applicant, case } => {
                let not_theirs = || AppError::NotFound("未找到该办件 / case not found");
                let stored = self.store.case(*case).await.map_err(|e| match e {
                    liandong_store::StoreError::NotFound(_) => not_theirs(),
                    other => other.into(),
                })?;
                if stored.summary.phone == applicant.phone.as_str() {
                    Ok(stored)
                } else {
                    Err(not_theirs())
                }
            }
        }
    }

    /// Where a case stands, for whoever shows it is theirs (see `claimed_case`).
    pub async fn lookup_progress(&self, claim: &CaseClaim<'_>) -> Result<PublicProgress> {
        let stored = self.claimed_case(claim).await?;
        self.progress_of(stored).await
    }

    /// A case as its applicant and the public see it.
    pub(crate) async fn progress_of(
        &self,
        stored: liandong_store::StoredCase,
    ) -> Result<PublicProgress> {
        let item = self
            .item_version(stored.summary.item_id, stored.summary.item_version)
            .await?;
        let units = self.store.units().await?;
        let unit_name = |id| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let summary = &stored.summary;
        let (applicant_name, applicant_id_number) = match stored.events.first().map(|e| &e.kind) {
            Some(EventKind::Received {
                applicant: Applicant::Person { name, resident_id },
                ..
            }) => (mask_person_name(name), resident_id.masked()),
            Some(EventKind::Received {
                applicant: Applicant::Organisation { name, credit_code },
                ..
            }) => (name.clone(), credit_code.masked()),
            _ => (mask_person_name(&summary.applicant_name), String::new()),
        };
        let phone = PhoneNumber::parse(&summary.phone)
            .map(|p| p.masked())
            .unwrap_or_default();
        let in_force = self
            .store
            .certificates_of_case(summary.id)
            .await?
            .into_iter()
            .find(|c| c.state == CertificateState::Valid);
        let certificate_in_force = in_force.is_some();
        let certificate_valid_until = in_force.and_then(|c| c.valid_until);
        let today = self.calendar().effective_date(self.now());
        let certificate_renewal = renewal_standing(
            CertificateState::Valid,
            certificate_valid_until,
            today,
            &self.renewal_rules,
        );
        let renewal_apply_by = certificate_valid_until
            .filter(|_| certificate_renewal != RenewalStanding::NotDue)
            .map(|last| RenewalDates::of(last, &self.renewal_rules).apply_by);
        let fees_due_fen = self
            .store
            .payment_of_case(summary.id)
            .await?
            .filter(|p| {
                matches!(
                    p.record.state,
                    liandong_domain::payment::PaymentState::Created
                        | liandong_domain::payment::PaymentState::Failed
                )
            })
            .map(|p| p.record.amount_fen);
        Ok(PublicProgress {
            fees_due_fen,
            certificate_in_force,
            certificate_valid_until,
            certificate_renewal,
            renewal_apply_by,
            number: summary.number.clone(),
            item_code: item.code.as_str().to_owned(),
            item_name: item.name,
            received_unit: unit_name(summary.received_unit_id),
            handling_unit: unit_name(summary.handling_unit_id),
            applicant_name,
            applicant_id_number,
            phone,
            state: summary.state,
            state_zh: summary.state.name_zh(),
            outcome: summary.outcome,
            received_at: summary.received_at,
            accepted_at: summary.accepted_at,
            due_at: summary.due_at,
            due_provisional: summary.due_provisional,
            closed_at: summary.closed_at,
            timeline: public_timeline(&stored.events)
                .into_iter()
                .map(|entry| PublicUnitEntry {
                    unit_name: unit_name(entry.unit),
                    entry,
                })
                .collect(),
        })
    }
}
