//! Online consultation (网上咨询): applicants signed in with their phone ask about an item;
//! the item's department answers within its working days and publishes the answer when it
//! helps others; the asker is told by SMS (docs/consultations.md).

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::calendar::china_day_start;
use liandong_domain::case::WarningLevel;
use liandong_domain::catalog::ItemCode;
use liandong_domain::consultation::{
    self, Consultation, ConsultationAction, ConsultationActionName, ConsultationError,
    ConsultationEvent, ConsultationEventKind, ConsultationState, ConsultationStats,
    PublicConsultation, Question,
};
use liandong_domain::evaluation::Month;
use liandong_domain::notify;
use liandong_domain::organization::{DepartmentId, StaffId};
use liandong_store::{ConsultationFilter, ConsultationRow, StoreError, StoredConsultation};
use serde::{Deserialize, Serialize};

use crate::online::ApplicantSession;
use crate::{App, AppError, FieldError, Result, Session};

/// A question as the asker sends it; the phone is their signed-in number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct AskInput {
    pub item_code: ItemCode,
    pub name: String,
    pub title: String,
    pub text: String,
    /// Keep the name and phone off the published answer.
    #[serde(default)]
    pub anonymous: bool,
}

/// An action as an officer sends it. A forward names the item; the app finds its department.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ConsultationRequest {
    Answer { answer: String },
    AmendAnswer { answer: String, reason: String },
    Publish,
    Unpublish { reason: String },
    Forward { item_code: ItemCode, reason: String },
    Decline { reason: String },
}

/// A consultation as its asker sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct MyConsultation {
    pub id: i64,
    pub version: u32,
    pub item_code: String,
    pub item_name: String,
    pub title: String,
    pub question: String,
    pub state: ConsultationState,
    pub asked_at: DateTime<Utc>,
    /// The last working day for the answer.
    pub due_on: NaiveDate,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub public: bool,
    pub may_withdraw: bool,
}

/// A consultation in the department's list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationLine {
    pub row: ConsultationRow,
    pub item_name: String,
    pub due_on: NaiveDate,
    pub level: WarningLevel,
}

/// A consultation as the department and supervisors see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationView {
    pub row: ConsultationRow,
    pub item_name: String,
    pub consultation: Consultation,
    pub events: Vec<ConsultationEvent>,
    pub due_on: NaiveDate,
    pub due_provisional: bool,
    pub level: WarningLevel,
    /// What the signed-in member of staff may do now.
    pub actions: Vec<ConsultationActionName>,
    /// What the public page shows (or would show once published).
    pub publication: Option<PublicConsultation>,
}

/// A department's figures for a month.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentConsultations {
    pub department_id: DepartmentId,
    pub department_name: String,
    pub stats: ConsultationStats,
}

/// The most consultations a list shows.
const LIST_LIMIT: i64 = 200;

impl From<ConsultationError> for AppError {
    fn from(e: ConsultationError) -> Self {
        use ConsultationError as E;
        match e {
            E::Empty(field)
            | E::TooShort { field, .. }
            | E::TooLong { field, .. }
            | E::ControlCharacter(field) => {
                AppError::Invalid(vec![FieldError::from_bilingual(field.as_str(), &e)])
            }
            E::MobileNeeded | E::InvalidRules(_) => {
                AppError::Invalid(vec![FieldError::from_bilingual("phone", &e)])
            }
            E::NotTheDepartment | E::NotTheDepartmentOrSupervisor | E::AskerOnly => {
                AppError::Forbidden(e.to_string())
            }
            E::NotAllowedNow { .. }
            | E::AlreadyPublic
            | E::NotPublic
            | E::SameDestination
            | E::AnswerUnchanged => AppError::Consultation(e),
        }
    }
}

fn fold(events: &[ConsultationEvent]) -> Result<Consultation> {
    Consultation::replay(events).map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该咨询 / consultation not found")
}

/// Item names by code for one list: a department's questions are mostly about a few items,
/// so each is read once, not once per row.
#[derive(Default)]
struct ItemNames(std::collections::HashMap<String, String>);

impl ItemNames {
    async fn of(&mut self, app: &App, code: &str) -> String {
        if let Some(name) = self.0.get(code) {
            return name.clone();
        }
        let name = app.item_name(code).await;
        self.0.insert(code.to_owned(), name.clone());
        name
    }
}

impl App {
    async fn item_name(&self, code: &str) -> String {
        match ItemCode::parse(code) {
            Ok(code) => self
                .store
                .item_by_code(&code)
                .await
                .map(|r| r.item.name)
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    fn my_view(
        &self,
        stored: &StoredConsultation,
        consultation: &Consultation,
        item_name: String,
    ) -> MyConsultation {
        let calendar = self.calendar();
        MyConsultation {
            id: stored.row.id,
            version: stored.row.version,
            item_code: stored.row.item_code.clone(),
            item_name,
            title: consultation.question.title.clone(),
            question: consultation.question.text.clone(),
            state: consultation.state,
            asked_at: consultation.asked_at,
            due_on: consultation.due(&calendar).value,
            answer: consultation.answer.clone(),
            answered_at: consultation.amended_at.or(consultation.answered_at),
            public: consultation.public,
            may_withdraw: consultation::allowed_actions(consultation, None)
                .contains(&ConsultationActionName::Withdraw),
        }
    }

    /// Takes a question from a signed-in applicant: their number is the one the answer is
    /// sent to. The item's department answers.
    pub async fn ask_question(
        &self,
        who: &ApplicantSession,
        input: &AskInput,
    ) -> Result<MyConsultation> {
        let record = self.store.item_by_code(&input.item_code).await?;
        if record.cancelled {
            return Err(AppError::invalid(
                "item_code",
                "该事项已取消",
                "the item is cancelled",
            ));
        }
        let question = Question {
            item: input.item_code.clone(),
            name: input.name.clone(),
            phone: who.phone.clone(),
            anonymous: input.anonymous,
            title: input.title.clone(),
            text: input.text.clone(),
        };
        let kind = consultation::ask(&question, record.department_id, &self.consultation_rules)?;
        let first = ConsultationEvent {
            seq: 1,
            at: self.now(),
            actor: None,
            kind,
        };
        let folded = fold(std::slice::from_ref(&first))?;
        let (written, job) = (folded.clone(), first.clone());
        let id = self
            .store
            .write(move |tx| Box::pin(async move { tx.insert_consultation(&job, &written).await }))
            .await?;
        let stored = self.store.consultation(id).await?;
        Ok(self.my_view(&stored, &folded, record.item.name))
    }

    /// The applicant's own questions, newest first.
    pub async fn my_consultations(&self, who: &ApplicantSession) -> Result<Vec<MyConsultation>> {
        let rows = self
            .store
            .consultations(&ConsultationFilter {
                phone: Some(who.phone.as_str().to_owned()),
                limit: LIST_LIMIT,
                ..ConsultationFilter::default()
            })
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut names = ItemNames::default();
        for stored in self.store.consultation_histories(rows).await? {
            let folded = fold(&stored.events)?;
            let name = names.of(self, &stored.row.item_code).await;
            out.push(self.my_view(&stored, &folded, name));
        }
        Ok(out)
    }

    /// The asker takes a question back before it is answered.
    pub async fn withdraw_question(
        &self,
        who: &ApplicantSession,
        id: i64,
        expected_version: u32,
    ) -> Result<MyConsultation> {
        let stored = self.store.consultation(id).await.map_err(|_| not_found())?;
        if stored.row.phone != who.phone.as_str() {
            return Err(not_found());
        }
        let (stored, folded) = self
            .record_consultation(
                stored,
                expected_version,
                &ConsultationAction::Withdraw,
                None,
            )
            .await?;
        let name = self.item_name(&stored.row.item_code).await;
        Ok(self.my_view(&stored, &folded, name))
    }

    /// Whose consultations the session sees: every department for supervisors and system
    /// administrators, the officer's own department otherwise, none without one.
    fn consultation_departments(session: &Session) -> Option<Vec<DepartmentId>> {
        if session.staff.roles.iter().any(|r| r.sees_everything()) {
            None
        } else {
            Some(session.staff.department_id.into_iter().collect())
        }
    }

    fn sees_consultation(session: &Session, row: &ConsultationRow) -> bool {
        Self::consultation_departments(session).is_none_or(|d| d.contains(&row.department_id))
    }

    /// The consultations the session sees, open ones (oldest first) or all (newest first).
    pub async fn list_consultations(
        &self,
        session: &Session,
        open_only: bool,
    ) -> Result<Vec<ConsultationLine>> {
        let rows = self
            .store
            .consultations(&ConsultationFilter {
                departments: Self::consultation_departments(session),
                state: open_only.then_some(ConsultationState::Asked),
                limit: LIST_LIMIT,
                ..ConsultationFilter::default()
            })
            .await?;
        let calendar = self.calendar();
        let now = self.now();
        let mut out = Vec::with_capacity(rows.len());
        let mut names = ItemNames::default();
        for row in rows {
            let due_on = consultation::answer_due(&calendar, row.asked_at, row.answer_days).value;
            let level = consultation::warning_level(
                row.state,
                row.asked_at,
                row.answer_days,
                &calendar,
                &self.warning_rules,
                now,
            );
            let item_name = names.of(self, &row.item_code).await;
            out.push(ConsultationLine {
                row,
                item_name,
                due_on,
                level,
            });
        }
        Ok(out)
    }

    async fn view_of_consultation(
        &self,
        session: &Session,
        stored: StoredConsultation,
        folded: Consultation,
    ) -> ConsultationView {
        let calendar = self.calendar();
        let due = folded.due(&calendar);
        let actor = session.staff.actor();
        ConsultationView {
            item_name: self.item_name(&stored.row.item_code).await,
            level: folded.warning_level(&calendar, &self.warning_rules, self.now()),
            actions: consultation::allowed_actions(&folded, Some(&actor)),
            publication: folded.publication(),
            due_on: due.value,
            due_provisional: due.provisional,
            row: stored.row,
            events: stored.events,
            consultation: folded,
        }
    }

    async fn visible_consultation(&self, session: &Session, id: i64) -> Result<StoredConsultation> {
        let stored = self.store.consultation(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        if Self::sees_consultation(session, &stored.row) {
            Ok(stored)
        } else {
            Err(not_found())
        }
    }

    pub async fn consultation_view(&self, session: &Session, id: i64) -> Result<ConsultationView> {
        let stored = self.visible_consultation(session, id).await?;
        let folded = fold(&stored.events)?;
        Ok(self.view_of_consultation(session, stored, folded).await)
    }

    /// An officer's action: answer (the asker is told by SMS in the same write), amend,
    /// publish or take down, forward to another item's department, decline.
    pub async fn act_on_consultation(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        request: &ConsultationRequest,
    ) -> Result<ConsultationView> {
        let stored = self.visible_consultation(session, id).await?;
        let action = match request {
            ConsultationRequest::Answer { answer } => ConsultationAction::Answer {
                answer: answer.clone(),
            },
            ConsultationRequest::AmendAnswer { answer, reason } => {
                ConsultationAction::AmendAnswer {
                    answer: answer.clone(),
                    reason: reason.clone(),
                }
            }
            ConsultationRequest::Publish => ConsultationAction::Publish,
            ConsultationRequest::Unpublish { reason } => ConsultationAction::Unpublish {
                reason: reason.clone(),
            },
            ConsultationRequest::Forward { item_code, reason } => {
                let record = self.store.item_by_code(item_code).await.map_err(|_| {
                    AppError::invalid("item_code", "没有该事项", "there is no such item")
                })?;
                ConsultationAction::Forward {
                    item: item_code.clone(),
                    department: record.department_id,
                    reason: reason.clone(),
                }
            }
            ConsultationRequest::Decline { reason } => ConsultationAction::Decline {
                reason: reason.clone(),
            },
        };
        let actor = session.staff.actor();
        let (stored, folded) = self
            .record_consultation(
                stored,
                expected_version,
                &action,
                Some((&actor, session.staff.id)),
            )
            .await?;
        Ok(self.view_of_consultation(session, stored, folded).await)
    }

    /// Decides `action` on `stored` read at `expected_version` and writes its events, with
    /// the SMS to the asker when it is the answer.
    async fn record_consultation(
        &self,
        stored: StoredConsultation,
        expected_version: u32,
        action: &ConsultationAction,
        by: Option<(&liandong_domain::organization::Actor, StaffId)>,
    ) -> Result<(StoredConsultation, Consultation)> {
        if stored.row.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let mut folded = fold(&stored.events)?;
        let kinds = consultation::decide(
            &folded,
            action,
            by.map(|(actor, _)| actor),
            &self.consultation_rules,
        )?;
        let now = self.now();
        let mut events = Vec::with_capacity(kinds.len());
        for (seq, kind) in (folded.version + 1..).zip(kinds) {
            let event = ConsultationEvent {
                seq,
                at: now,
                actor: by.map(|(_, id)| id),
                kind,
            };
            folded
                .apply(&event)
                .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
            events.push(event);
        }
        let id = stored.row.id;
        let messages: Vec<_> = match events.first() {
            Some(e) if matches!(e.kind, ConsultationEventKind::Answered { .. }) => {
                let item_name = self.item_name(folded.question.item.as_str()).await;
                vec![notify::consultation_answered_message(
                    id,
                    e.seq,
                    folded.question.phone.as_str(),
                    &item_name,
                )]
            }
            _ => Vec::new(),
        };
        let (appended, written) = (events.clone(), folded.clone());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_consultation_events(id, expected_version, &appended, &written)
                        .await?;
                    crate::notify::enqueue(tx, None, &messages, now).await?;
                    Ok(())
                })
            })
            .await?;
        let stored = self.store.consultation(id).await?;
        Ok((stored, folded))
    }

    /// The published answers about an item (public), newest first.
    pub async fn public_consultations(&self, item: &ItemCode) -> Result<Vec<PublicConsultation>> {
        let rows = self
            .store
            .consultations(&ConsultationFilter {
                item_code: Some(item.as_str().to_owned()),
                public_only: true,
                limit: 50,
                ..ConsultationFilter::default()
            })
            .await?;
        let mut out = Vec::new();
        for stored in self.store.consultation_histories(rows).await? {
            if let Some(public) = fold(&stored.events)?.public_view() {
                out.push(public);
            }
        }
        Ok(out)
    }

    /// Each department's figures for the questions asked in `month`: asked, answered on
    /// time and late, mean working days to answer, published, open and overdue.
    pub async fn consultation_statistics(
        &self,
        session: &Session,
        month: Month,
    ) -> Result<Vec<DepartmentConsultations>> {
        let from = china_day_start(month.first_day());
        let before = china_day_start(month.last_day()) + chrono::Duration::days(1);
        let rows = self
            .store
            .consultations(&ConsultationFilter {
                departments: Self::consultation_departments(session),
                asked_from: Some(from),
                asked_before: Some(before),
                limit: 1000,
                ..ConsultationFilter::default()
            })
            .await?;
        let calendar = self.calendar();
        let now = self.now();
        let mut facts = Vec::with_capacity(rows.len());
        for stored in self.store.consultation_histories(rows).await? {
            facts.push(fold(&stored.events)?.facts(&calendar, now));
        }
        let mut out = Vec::new();
        for department in self.departments().await? {
            let stats = consultation::statistics(&facts, Some(department.id), month);
            if stats.asked > 0 {
                out.push(DepartmentConsultations {
                    department_id: department.id,
                    department_name: department.name,
                    stats,
                });
            }
        }
        Ok(out)
    }
}
