//! Online services (网上办事): an applicant signs in with a one-time SMS code, applies for an
//! item with its materials uploaded, answers a supplement notice or withdraws online, and
//! sees every case taken in under their phone number with its notices (docs/online.md).

use chrono::{DateTime, TimeDelta, Utc};
use liandong_domain::calendar::china_date;
use liandong_domain::case::{
    Action, ActionName, Applicant, Case, CaseEvent, Channel, EventKind, allowed_actions,
    decide_for_applicant,
};
use liandong_domain::catalog::{ItemCode, ItemLevel, Material};
use liandong_domain::ids::PhoneNumber;
use liandong_domain::notify;
use liandong_domain::online::{
    SignInError, UploadError, check_code, check_file, code_hash, code_text, materials_received,
    may_send_code,
};
use liandong_domain::organization::{CaseId, UnitId, UnitKind};
use liandong_store::{
    AuditEntry, CaseFile, CaseSummary, KeyOwner, NewCase, NewCaseFile, SmsFilter,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cases::{IntakeWrite, Recorded};
use crate::progress::{CaseClaim, PublicProgress};
use crate::{App, AppError, FieldError, Result};

/// An applicant signed in online: the phone number their code reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantSession {
    pub phone: PhoneNumber,
    pub expires_at: DateTime<Utc>,
}

/// A code on its way.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CodeSent {
    /// `138****8000`
    pub phone: String,
    pub valid_minutes: i64,
    /// When another code may be asked for.
    pub resend_after_seconds: i64,
}

/// A signed-in applicant's token: kept by the browser, never stored by us in clear.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A file sent with an application or a supplement, for one of the item's materials.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub material: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// An application made online.
#[derive(Debug, Clone)]
pub struct OnlineApplication {
    pub item_code: ItemCode,
    pub applicant: Applicant,
    /// For an item the township centers handle: the applicant's township.
    pub township: Option<UnitId>,
    pub files: Vec<UploadedFile>,
    /// The form's one-time key (or the API's `Idempotency-Key`): a second submit of the same
    /// application returns the case the first one made.
    pub submission_key: Option<String>,
}

impl OnlineApplication {
    /// What the key stands for: the item, the applicant, the township and every file's
    /// material, name and content.
    fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        let facts = serde_json::json!({
            "item": self.item_code,
            "applicant": self.applicant,
            "township": self.township.map(|u| u.0),
            "files": self.files.iter().map(|f| {
                (&f.material, &f.file_name, hex::encode(Sha256::digest(&f.bytes)))
            }).collect::<Vec<_>>(),
        });
        hash.update(facts.to_string().as_bytes());
        hex::encode(hash.finalize())
    }
}

/// One of the applicant's cases in their list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantCaseRow {
    pub summary: CaseSummary,
    pub item_name: String,
}

/// A message the applicant was sent about a case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMessage {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// One of the applicant's cases as they see it online.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantCaseView {
    pub id: CaseId,
    /// For the supplement and withdrawal: the version they were read at.
    pub version: u32,
    pub channel: Channel,
    pub progress: PublicProgress,
    pub files: Vec<CaseFile>,
    /// While a one-time supplement notice is open: what it asks for.
    pub missing: Vec<String>,
    /// The item's materials, to upload a supplement against.
    pub materials: Vec<Material>,
    /// What the applicant may do online now (supplement, withdraw).
    pub actions: Vec<ActionName>,
    /// The messages sent to the applicant about this case, newest first.
    pub messages: Vec<SentMessage>,
}

/// The most cases an applicant's list shows.
const MY_CASES: i64 = 200;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl From<SignInError> for AppError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::TooSoon { .. } | SignInError::TooMany => AppError::SignIn(e),
            SignInError::NotMobile => {
                AppError::Invalid(vec![FieldError::from_bilingual("phone", &e)])
            }
            SignInError::Malformed | SignInError::Wrong { .. } | SignInError::Expired => {
                AppError::Invalid(vec![FieldError::from_bilingual("code", &e)])
            }
        }
    }
}

impl From<UploadError> for AppError {
    fn from(e: UploadError) -> Self {
        AppError::Invalid(vec![FieldError::from_bilingual("files", &e)])
    }
}

pub(crate) fn parse_phone(text: &str) -> Result<PhoneNumber> {
    PhoneNumber::parse(text)
        .map_err(|e| AppError::Invalid(vec![FieldError::from_bilingual("phone", &e)]))
}

/// Checks every file and that they are the item's materials; the files ready to store and
/// the material names the case records received.
fn checked_files(
    item: &liandong_domain::catalog::ServiceItem,
    files: Vec<UploadedFile>,
) -> Result<(Vec<NewCaseFile>, Vec<String>)> {
    let names: Vec<&str> = files.iter().map(|f| f.material.as_str()).collect();
    let received = materials_received(item, &names)?;
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let checked = check_file(&file.file_name, &file.bytes)?;
        out.push(NewCaseFile {
            material: file.material,
            file_name: checked.file_name,
            sha256: checked.sha256,
            media_type: checked.media_type,
            content: file.bytes,
        });
    }
    Ok((out, received))
}

/// Checks `given` against the latest code sent to `number`, inside a write: the code's id
/// when it is right (the caller spends it with what it was given for), the refusal when not
/// (a wrong code counts against it).
pub(crate) async fn checked_code(
    tx: &mut liandong_store::WriteTx,
    rules: &liandong_domain::online::SignInRules,
    number: &str,
    given: &str,
    now: DateTime<Utc>,
) -> std::result::Result<std::result::Result<i64, SignInError>, liandong_store::StoreError> {
    let latest = tx.latest_sign_in_code(number).await?;
    let checked = check_code(rules, number, latest.as_ref().map(|(_, c)| c), given, now);
    Ok(match (checked, latest) {
        (Ok(()), Some((id, _))) => Ok(id),
        (Err(e @ SignInError::Wrong { .. }), Some((id, _))) => {
            tx.record_code_failure(id).await?;
            Err(e)
        }
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(SignInError::Expired),
    })
}

impl App {
    /// Sends a sign-in code to a mobile number, within the rules on how often (a minute
    /// apart, five an hour, ten a day). The code goes through the SMS outbox like every
    /// message; only its hash is kept.
    pub async fn send_sign_in_code(&self, phone: &str) -> Result<CodeSent> {
        let phone = parse_phone(phone)?;
        if !phone.is_mobile() {
            return Err(SignInError::NotMobile.into());
        }
        let now = self.now();
        let rules = self.sign_in_rules;
        let code = code_text(rand::rng().next_u32());
        let hash = code_hash(phone.as_str(), &code);
        let message = notify::sign_in_code_message(
            phone.as_str(),
            &code,
            rules.code_valid.num_minutes(),
            now,
        );
        let number = phone.as_str().to_owned();
        let refused = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let sent = tx
                        .codes_sent_since(&number, now - TimeDelta::days(1))
                        .await?;
                    if let Err(e) = may_send_code(&rules, &sent, now) {
                        return Ok(Some(e));
                    }
                    tx.insert_sign_in_code(&number, &hash, now).await?;
                    crate::notify::enqueue(tx, None, &[message], now).await?;
                    Ok(None)
                })
            })
            .await?;
        if let Some(e) = refused {
            return Err(e.into());
        }
        Ok(CodeSent {
            phone: phone.masked(),
            valid_minutes: rules.code_valid.num_minutes(),
            resend_after_seconds: rules.resend_after.num_seconds(),
        })
    }

    /// Signs an applicant in with the code sent to their phone. A wrong code counts against
    /// it (five and it is spent); the right one is spent by this sign-in. Both are audited.
    pub async fn sign_in_applicant(&self, phone: &str, code: &str) -> Result<ApplicantToken> {
        let phone = parse_phone(phone)?;
        let now = self.now();
        let rules = self.sign_in_rules;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let expires_at = now + rules.session;
        let (number, given, hashed) = (
            phone.as_str().to_owned(),
            code.to_owned(),
            token_hash(&token),
        );
        let target = format!("phone:{}", phone.masked());
        let refused = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let outcome = match checked_code(tx, &rules, &number, &given, now).await? {
                        Ok(id) if tx.use_sign_in_code(id, now).await? => {
                            tx.insert_applicant_session(&hashed, &number, now, expires_at)
                                .await?;
                            None
                        }
                        Ok(_) => Some(SignInError::Expired),
                        Err(e) => Some(e),
                    };
                    tx.audit(&AuditEntry {
                        at: now,
                        actor_id: None,
                        action: if outcome.is_none() {
                            "applicant_sign_in".into()
                        } else {
                            "applicant_sign_in_failed".into()
                        },
                        target,
                        detail: String::new(),
                    })
                    .await?;
                    Ok(outcome)
                })
            })
            .await?;
        match refused {
            Some(e) => Err(e.into()),
            None => Ok(ApplicantToken { token, expires_at }),
        }
    }

    /// The applicant a token stands for, while it lasts.
    pub async fn applicant(&self, token: &str) -> Result<ApplicantSession> {
        let (phone, expires_at) = self
            .store
            .applicant_session(&token_hash(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if expires_at <= self.now() {
            return Err(AppError::Unauthenticated);
        }
        let phone = PhoneNumber::parse(&phone).map_err(|_| AppError::Unauthenticated)?;
        Ok(ApplicantSession { phone, expires_at })
    }

    /// Deletes expired sessions and codes older than a day (the longest any limit looks
    /// back): what the server does with each sweep.
    pub async fn purge_sign_ins(&self) -> Result<u64> {
        let now = self.now();
        Ok(self
            .store
            .purge_sign_ins(now, now - TimeDelta::days(1))
            .await?)
    }

    pub async fn sign_out_applicant(&self, token: &str) -> Result<()> {
        Ok(self
            .store
            .delete_applicant_session(&token_hash(token))
            .await?)
    }

    /// Every case taken in under the applicant's phone, at a window, by proxy or online,
    /// newest first.
    pub async fn applicant_cases(&self, who: &ApplicantSession) -> Result<Vec<ApplicantCaseRow>> {
        let cases = self
            .store
            .cases_of_phone(who.phone.as_str(), MY_CASES)
            .await?;
        let mut rows = Vec::with_capacity(cases.len());
        for summary in cases {
            let item = self
                .item_version(summary.item_id, summary.item_version)
                .await?;
            rows.push(ApplicantCaseRow {
                summary,
                item_name: item.name,
            });
        }
        Ok(rows)
    }

    /// One of the applicant's cases, with its files, the open supplement notice, what they
    /// may do and the messages they were sent.
    pub async fn applicant_case(
        &self,
        who: &ApplicantSession,
        id: CaseId,
    ) -> Result<ApplicantCaseView> {
        let claim = CaseClaim::Online {
            applicant: who,
            case: id,
        };
        let stored = self.claimed_case(&claim).await?;
        let item = self
            .item_version(stored.summary.item_id, stored.summary.item_version)
            .await?;
        let case = Case::replay(&stored.events)
            .map_err(|e| AppError::Storage(liandong_store::StoreError::Corrupt(e.to_string())))?;
        let actions = allowed_actions(&case, &item)
            .into_iter()
            .filter(|a| liandong_domain::case::APPLICANT_ACTIONS.contains(a))
            .collect();
        let missing = open_supplement_notice(&case, &stored.events);
        let messages = self
            .store
            .sms_list(&SmsFilter {
                case_id: Some(id),
                state: None,
                limit: 100,
            })
            .await?
            .into_iter()
            .filter(|m| m.recipient == notify::Recipient::Applicant.key())
            .map(|m| SentMessage {
                at: m.created_at,
                text: m.text,
            })
            .collect();
        let files = self.store.case_files(id).await?;
        let version = stored.summary.version;
        let channel = stored.summary.channel;
        let progress = self.progress_of(stored).await?;
        Ok(ApplicantCaseView {
            id,
            version,
            channel,
            progress,
            files,
            missing,
            materials: item.materials,
            actions,
            messages,
        })
    }

    /// Takes in an application made online: the item in force today, the unit that handles
    /// it (the applicant's township for a township item), the materials as uploaded. The case
    /// enters the same engine as one taken at a window, with channel "online", and waits for
    /// the window's pre-examination (accept, refuse, or the one-time supplement notice).
    pub async fn submit_online(
        &self,
        who: &ApplicantSession,
        application: OnlineApplication,
    ) -> Result<CaseId> {
        let now = self.now();
        let (record, version, item) = self.item_for_intake(&application.item_code, now).await?;
        if application.applicant.name().trim().is_empty() {
            return Err(AppError::invalid(
                "applicant.name",
                "申请人姓名不能为空",
                "the applicant's name is required",
            ));
        }
        let handling = match item.level {
            ItemLevel::TownshipCenter => {
                let township = application.township.ok_or(AppError::invalid(
                    "township",
                    "该事项由镇街便民服务中心办理，请选择所在镇街",
                    "the township centers handle this item: choose your township",
                ))?;
                let unit = self.store.unit(township).await?;
                if unit.kind != UnitKind::TownshipCenter {
                    return Err(AppError::invalid(
                        "township",
                        "请选择镇街便民服务中心",
                        "choose a township center",
                    ));
                }
                unit
            }
            _ => {
                let hall = self.hall().await?;
                let hall = self.store.unit(hall).await?;
                let id = self.handling_unit(&item, &hall).await?;
                self.store.unit(id).await?
            }
        };
        let fingerprint = application.fingerprint();
        let key = crate::cases::checked_key(application.submission_key.as_deref())?;
        let (files, materials) = checked_files(&item, application.files)?;
        let applicant = application.applicant;
        let new_case = NewCase {
            item_id: record.id,
            item_version: version,
            received_unit_id: handling.id,
            received_unit_code: handling.code.clone(),
            handling_unit_id: handling.id,
            department_id: record.department_id,
            received_at: now,
            received_date: china_date(now),
            actor: None,
            comment: "网上申请 / applied online".into(),
            received: EventKind::Received {
                applicant: applicant.clone(),
                phone: who.phone.clone(),
                item_code: application.item_code.clone(),
                item_version: version,
                channel: Channel::Online,
                materials,
            },
            applicant_name: applicant.name().trim().to_owned(),
            applicant_id_number: applicant.id_number().to_owned(),
            phone: who.phone.as_str().to_owned(),
            channel: Channel::Online,
            window_id: None,
        };
        self.take_in(IntakeWrite {
            new_case,
            item_name: item.name.clone(),
            files,
            owner: KeyOwner::Applicant(who.phone.as_str().to_owned()),
            key,
            fingerprint,
        })
        .await
    }

    /// The applicant answers the one-time supplement notice online with the files asked for.
    pub async fn supplement_online(
        &self,
        who: &ApplicantSession,
        id: CaseId,
        expected_version: u32,
        files: Vec<UploadedFile>,
    ) -> Result<ApplicantCaseView> {
        let (stored, item, case) = self.claimed_at(who, id, expected_version).await?;
        let (files, received) = checked_files(&item, files)?;
        let kinds = decide_for_applicant(&case, &Action::Supplement { received }, &item)?;
        let by = Recorded {
            actor: None,
            unit: stored.summary.handling_unit_id,
            comment: "申请人网上补正 / supplemented online",
            files,
            fees: &[],
        };
        self.record_decided(stored, item, case, kinds, by).await?;
        self.applicant_case(who, id).await
    }

    /// The applicant withdraws their application online, with the reason.
    pub async fn withdraw_online(
        &self,
        who: &ApplicantSession,
        id: CaseId,
        expected_version: u32,
        reason: &str,
    ) -> Result<ApplicantCaseView> {
        let (stored, item, case) = self.claimed_at(who, id, expected_version).await?;
        let kinds = decide_for_applicant(
            &case,
            &Action::Withdraw {
                reason: reason.to_owned(),
            },
            &item,
        )?;
        let by = Recorded {
            actor: None,
            unit: stored.summary.handling_unit_id,
            comment: "申请人网上撤回 / withdrawn online",
            files: Vec::new(),
            fees: &[],
        };
        self.record_decided(stored, item, case, kinds, by).await?;
        self.applicant_case(who, id).await
    }

    /// The applicant's case read at `expected_version`, its item and its fold.
    async fn claimed_at(
        &self,
        who: &ApplicantSession,
        id: CaseId,
        expected_version: u32,
    ) -> Result<(
        liandong_store::StoredCase,
        liandong_domain::catalog::ServiceItem,
        Case,
    )> {
        let claim = CaseClaim::Online {
            applicant: who,
            case: id,
        };
        let stored = self.claimed_case(&claim).await?;
        if stored.summary.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let item = self
            .item_version(stored.summary.item_id, stored.summary.item_version)
            .await?;
        let case = Case::replay(&stored.events)
            .map_err(|e| AppError::Storage(liandong_store::StoreError::Corrupt(e.to_string())))?;
        Ok((stored, item, case))
    }

    /// The files of a case the signed-in member of staff may see.
    pub async fn case_files(&self, session: &crate::Session, id: CaseId) -> Result<Vec<CaseFile>> {
        self.visible_case(session, id).await?;
        Ok(self.store.case_files(id).await?)
    }

    /// One file of a case with its content: for the officers who may see the case, or the
    /// applicant signed in with its phone; nobody else. Every download is audited.
    pub async fn case_file(
        &self,
        viewer: FileViewer<'_>,
        id: CaseId,
        file: i64,
    ) -> Result<(CaseFile, Vec<u8>)> {
        let actor = match viewer {
            FileViewer::Staff(session) => {
                self.visible_case(session, id).await?;
                Some(session.staff.id)
            }
            FileViewer::Applicant(who) => {
                self.claimed_case(&CaseClaim::Online {
                    applicant: who,
                    case: id,
                })
                .await?;
                None
            }
        };
        let found = self.store.case_file(id, file).await?;
        self.store
            .audit(&AuditEntry {
                at: self.now(),
                actor_id: actor,
                action: "case_file_downloaded".into(),
                target: format!("case:{}", id.0),
                detail: format!("file:{file}"),
            })
            .await?;
        Ok(found)
    }
}

/// Who asks for a case's file.
#[derive(Debug, Clone, Copy)]
pub enum FileViewer<'a> {
    Staff(&'a crate::Session),
    Applicant(&'a ApplicantSession),
}

/// What the last one-time notice asks for, while the case waits for it.
fn open_supplement_notice(case: &Case, events: &[CaseEvent]) -> Vec<String> {
    if case.state != liandong_domain::case::CaseState::AwaitingSupplement {
        return Vec::new();
    }
    events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::SupplementRequested { missing, .. } => Some(missing.clone()),
            _ => None,
        })
        .unwrap_or_default()
}
