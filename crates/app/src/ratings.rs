//! Ratings (好差评): at the window's rating pad for the visit just served, online after a
//! checked progress lookup, or by replying to the invitation SMS; and the rectification every
//! poor rating opens, ending in a reply to the applicant. The rules are
//! `liandong_domain::rating`'s; docs/ratings.md tells the story.

use chrono::{DateTime, Utc};
use liandong_domain::notify::{CaseFacts, rating_reply_message};
use liandong_domain::organization::{CaseId, DepartmentId, Role, UnitId, Visibility, WindowId};
use liandong_domain::queue::TicketState;
use liandong_domain::rating::{
    Rated, RatingChannel, RatingError, RectificationAction, RectificationState, Satisfaction,
    check_rating, parse_sms_reply, rectify, rectify_by,
};
use liandong_store::{
    AuditEntry, CaseSummary, NewRating, RatingFilter, RatingRecord, RectificationUpdate,
    StoreError, StoredCase, StoredTicket,
};
use serde::Serialize;

use crate::notify::enqueue_planned;
use crate::progress::CaseClaim;
use crate::{App, AppError, Result, Session};

/// What a window's rating pad shows: the window, and the visit waiting to be rated if any.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PadView {
    pub window_id: WindowId,
    pub window_number: String,
    pub window_name: String,
    pub unit_name: String,
    /// The ticket at the window now, while it is being served.
    pub serving: Option<String>,
    /// The visit just finished and not yet rated, while the pad may still rate it.
    pub to_rate: Option<PadVisit>,
}

/// A finished visit the pad offers for rating.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PadVisit {
    pub ticket_id: i64,
    pub ticket_number: String,
    /// The item applied for, when the visit took a case in.
    pub item_name: Option<String>,
    pub finished_at: DateTime<Utc>,
}

/// What the applicant is told after rating online: no staff notes, no phone.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PublicRating {
    pub satisfaction: Satisfaction,
    pub satisfaction_zh: &'static str,
    pub rated_at: DateTime<Utc>,
    /// For a poor rating: where its rectification stands and the reply once given.
    pub rectification: Option<RectificationState>,
    pub reply: String,
}

impl From<&RatingRecord> for PublicRating {
    fn from(r: &RatingRecord) -> Self {
        PublicRating {
            satisfaction: r.satisfaction,
            satisfaction_zh: r.satisfaction.name_zh(),
            rated_at: r.rated_at,
            rectification: r.rectification,
            reply: if r.concluded_at.is_some() {
                r.reply.clone()
            } else {
                String::new()
            },
        }
    }
}

/// A rating as staff see it, with whether the reader may act on its rectification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RatingView {
    #[serde(flatten)]
    pub rating: RatingRecord,
    /// Past its rectification date and still open.
    pub overdue: bool,
    pub may_act: bool,
}

impl From<RatingError> for AppError {
    fn from(e: RatingError) -> Self {
        match e {
            RatingError::ReasonRequired => {
                AppError::Invalid(vec![crate::FieldError::from_bilingual("reason", &e)])
            }
            RatingError::TextTooShort { field, .. } | RatingError::TextTooLong { field } => {
                AppError::Invalid(vec![crate::FieldError::from_bilingual(field, &e)])
            }
            RatingError::MatterRated
            | RatingError::VisitRated
            | RatingError::NotAllowedNow { .. }
            | RatingError::VisitRequired
            | RatingError::NotFounded
            | RatingError::NotConcluded
            | RatingError::TooLate => AppError::Rating(e),
        }
    }
}

/// Where a rating lands: the unit and department held to it, and whom to call back.
struct Served {
    case: Option<CaseId>,
    department: Option<DepartmentId>,
    unit: UnitId,
    phone: String,
}

fn served_by_case(s: &CaseSummary) -> Served {
    Served {
        case: Some(s.id),
        department: Some(s.department_id),
        unit: s.handling_unit_id,
        phone: s.phone.clone(),
    }
}

/// Whether `session` reads a rating: everything for supervisors, else its units' and its
/// departments'.
fn sees(session: &Session, r: &RatingRecord) -> bool {
    match &session.visibility {
        Visibility::All => true,
        Visibility::Limited { units, departments } => {
            units.contains(&r.unit_id) || r.department_id.is_some_and(|d| departments.contains(&d))
        }
    }
}

/// Who rectifies: a supervisor (the efficiency office makes return visits too), the staff
/// of the department held to the rating, or the administrator of the unit that served.
fn may_act(session: &Session, r: &RatingRecord) -> bool {
    let staff = &session.staff;
    if staff.roles.contains(&Role::Supervisor) {
        return true;
    }
    let department_staff = [
        Role::HandlingOfficer,
        Role::Reviewer,
        Role::Approver,
        Role::UnitAdmin,
    ];
    let of_department = r.department_id.is_some()
        && staff.department_id == r.department_id
        && department_staff
            .iter()
            .any(|role| staff.roles.contains(role));
    let of_unit = staff.unit_id == r.unit_id && staff.roles.contains(&Role::UnitAdmin);
    of_department || of_unit
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该评价 / rating not found")
}

impl App {
    async fn window_record(&self, id: WindowId) -> Result<liandong_store::WindowRecord> {
        self.store
            .windows(None)
            .await?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or(AppError::NotFound("窗口 window"))
    }

    /// What the pad at `window` shows now.
    pub async fn pad(&self, window: WindowId) -> Result<PadView> {
        let record = self.window_record(window).await?;
        let unit = self.store.unit(record.unit_id).await?;
        let now = self.now();
        // The queue's day is the calendar date, as the tickets were taken (not the next
        // working day an after-hours instant counts towards).
        let day = liandong_domain::calendar::china_date(now);
        let tickets = self.store.tickets_of_day(record.unit_id, day).await?;
        let at_window = |t: &&StoredTicket| t.ticket.window == Some(window);
        let serving = tickets
            .iter()
            .filter(at_window)
            .find(|t| matches!(t.ticket.state, TicketState::Serving | TicketState::Called))
            .map(|t| t.ticket.number.clone());
        let window_minutes = chrono::Duration::minutes(self.rating_rules.pad_minutes.into());
        // Only the latest visit finished at the window is offered: once it is rated, an
        // older one is not offered again.
        let latest = tickets
            .iter()
            .filter(at_window)
            .filter(|t| t.ticket.state == TicketState::Done)
            .filter_map(|t| t.ticket.done_at.map(|at| (at, t)))
            .filter(|(at, _)| now <= *at + window_minutes)
            .max_by_key(|(at, _)| *at);
        let mut to_rate = None;
        if let Some((finished_at, t)) = latest
            && !self.store.visit_rated(t.id).await?
        {
            let item_name = match t.ticket.case {
                Some(case) => {
                    let s = self.store.case_summary(case).await?;
                    Some(self.item_version(s.item_id, s.item_version).await?.name)
                }
                None => None,
            };
            to_rate = Some(PadVisit {
                ticket_id: t.id,
                ticket_number: t.ticket.number.clone(),
                item_name,
                finished_at,
            });
        }
        Ok(PadView {
            window_id: window,
            window_number: record.number,
            window_name: record.name,
            unit_name: unit.name,
            serving,
            to_rate,
        })
    }

    /// A rating at the pad of `window` for the visit of `ticket`, finished there moments ago.
    pub async fn rate_at_pad(
        &self,
        window: WindowId,
        ticket: i64,
        satisfaction: Satisfaction,
        reason: &str,
    ) -> Result<RatingRecord> {
        let stored = self.store.ticket(ticket).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("排队号 ticket"),
            other => other.into(),
        })?;
        let t = &stored.ticket;
        let finished_at = match (t.window, t.state, t.done_at) {
            (Some(w), TicketState::Done, Some(at)) if w == window => at,
            _ => {
                return Err(AppError::Forbidden(
                    "该号不是本窗口刚办结的服务 / this ticket is not a visit just finished at this window"
                        .into(),
                ));
            }
        };
        let rated = Rated::Visit {
            finished_at,
            rated: self.store.visit_rated(ticket).await?,
        };
        let now = self.now();
        let reason = check_rating(
            RatingChannel::Pad,
            satisfaction,
            reason,
            rated,
            &self.rating_rules,
            now,
        )?;
        let served = match t.case {
            Some(case) => served_by_case(&self.store.case_summary(case).await?),
            None => {
                // A visit that took no case: the window's department if it serves one.
                let record = self.window_record(window).await?;
                Served {
                    case: None,
                    department: match record.department_ids.as_slice() {
                        [only] => Some(*only),
                        _ => None,
                    },
                    unit: stored.unit_id,
                    phone: String::new(),
                }
            }
        };
        self.store_rating(
            RatingChannel::Pad,
            Some(ticket),
            Some(window),
            satisfaction,
            reason,
            served,
            now,
        )
        .await
    }

    /// The applicant's own rating of a concluded case (一事一评), after the same check as the
    /// progress lookup.
    pub async fn rate_online(
        &self,
        claim: &CaseClaim<'_>,
        satisfaction: Satisfaction,
        reason: &str,
    ) -> Result<PublicRating> {
        let stored = self.claimed_case(claim).await?;
        let record = self
            .rate_matter(&stored, RatingChannel::Online, satisfaction, reason)
            .await?;
        Ok(PublicRating::from(&record))
    }

    /// The rating of the case a checked lookup names, if it has one.
    pub async fn public_rating(&self, claim: &CaseClaim<'_>) -> Result<Option<PublicRating>> {
        let stored = self.claimed_case(claim).await?;
        let (ratings, _) = self
            .store
            .ratings(&RatingFilter {
                case: Some(stored.summary.id),
                limit: 10,
                ..RatingFilter::default()
            })
            .await?;
        Ok(ratings
            .iter()
            .find(|r| r.channel.rates_the_matter())
            .map(PublicRating::from))
    }

    /// A reply to the invitation SMS from `phone`: rates the latest case concluded for that
    /// phone within the reply window and not yet rated. Returns the rating's id, or None when
    /// the text is no rating or there is no such case (the reply is then only logged).
    pub async fn rate_by_sms(&self, phone: &str, text: &str) -> Result<Option<i64>> {
        let Some((satisfaction, reason)) = parse_sms_reply(text) else {
            return Ok(None);
        };
        let now = self.now();
        let since = now - chrono::Duration::days(self.rating_rules.sms_days.into());
        for case in self.store.cases_closed_for_phone(phone, since).await? {
            if self.store.matter_rated(case).await? {
                continue;
            }
            let stored = self.store.case(case).await?;
            let record = self
                .rate_matter(&stored, RatingChannel::Sms, satisfaction, &reason)
                .await?;
            return Ok(Some(record.id));
        }
        Ok(None)
    }

    async fn rate_matter(
        &self,
        stored: &StoredCase,
        channel: RatingChannel,
        satisfaction: Satisfaction,
        reason: &str,
    ) -> Result<RatingRecord> {
        let s = &stored.summary;
        let rated = Rated::Matter {
            state: s.state,
            closed_at: s.closed_at,
            rated: self.store.matter_rated(s.id).await?,
        };
        let now = self.now();
        let reason = check_rating(
            channel,
            satisfaction,
            reason,
            rated,
            &self.rating_rules,
            now,
        )?;
        self.store_rating(
            channel,
            None,
            None,
            satisfaction,
            reason,
            served_by_case(&stored.summary),
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_rating(
        &self,
        channel: RatingChannel,
        ticket: Option<i64>,
        window: Option<WindowId>,
        satisfaction: Satisfaction,
        reason: String,
        served: Served,
        now: DateTime<Utc>,
    ) -> Result<RatingRecord> {
        let rating = NewRating {
            case_id: served.case,
            ticket_id: ticket,
            channel,
            satisfaction,
            reason,
            window_id: window,
            department_id: served.department,
            unit_id: served.unit,
            real_name: served.case.is_some(),
            phone: served.phone,
            rated_at: now,
            rectify_by: satisfaction
                .is_poor()
                .then(|| rectify_by(now, &self.rating_rules, &self.calendar())),
        };
        let id = self
            .store
            .write(move |tx| Box::pin(async move { tx.insert_rating(&rating).await }))
            .await
            .map_err(|e| match e {
                // The unique indexes: a concurrent submit of the same visit or matter.
                StoreError::Duplicate(_) => AppError::from(if channel.rates_the_matter() {
                    RatingError::MatterRated
                } else {
                    RatingError::VisitRated
                }),
                other => other.into(),
            })?;
        Ok(self.store.rating(id).await?)
    }

    /// Ratings the session may read, newest first: `poor` only the poor ones, `open` only
    /// those whose rectification runs.
    pub async fn list_ratings(
        &self,
        session: &Session,
        poor: bool,
        open: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<RatingView>, i64)> {
        let mut filter = RatingFilter {
            poor,
            open,
            limit,
            offset,
            ..RatingFilter::default()
        };
        if let Visibility::Limited { units, departments } = &session.visibility {
            // A department's own, or its units': one of the two lists per reader.
            match (session.staff.department_id, departments.is_empty()) {
                (Some(d), false) => filter.department = Some(d),
                _ => filter.units = Some(units.clone()),
            }
        }
        let (ratings, total) = self.store.ratings(&filter).await?;
        let now = self.now();
        let views = ratings
            .into_iter()
            .filter(|r| sees(session, r))
            .map(|r| self.rating_view_of(session, r, now))
            .collect();
        Ok((views, total))
    }

    fn rating_view_of(
        &self,
        session: &Session,
        rating: RatingRecord,
        now: DateTime<Utc>,
    ) -> RatingView {
        let open = rating.rectification.is_some_and(|s| !s.is_concluded());
        let overdue = open
            && rating
                .rectify_by
                .is_some_and(|by| now > self.calendar().close_of(by));
        RatingView {
            may_act: open && may_act(session, &rating),
            overdue,
            rating,
        }
    }

    pub async fn rating_view(&self, session: &Session, id: i64) -> Result<RatingView> {
        let rating = self.store.rating(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        if !sees(session, &rating) {
            return Err(not_found());
        }
        Ok(self.rating_view_of(session, rating, self.now()))
    }

    /// A step of a poor rating's rectification, on the rating read at `expected_version`.
    /// Rectified or explained, the reply goes to the applicant by SMS in the same write.
    pub async fn act_on_rating(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        action: &RectificationAction,
    ) -> Result<RatingView> {
        let view = self.rating_view(session, id).await?;
        let rating = view.rating;
        let Some(state) = rating.rectification else {
            return Err(AppError::Forbidden(
                "只有差评需要整改 / only a poor rating is rectified".into(),
            ));
        };
        if !may_act(session, &rating) {
            return Err(AppError::RoleRequired {
                role: Role::HandlingOfficer,
            });
        }
        if rating.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let current = liandong_domain::rating::Rectification {
            state,
            real_name: rating.real_name,
            founded: rating.founded,
        };
        let (next, checked) = rectify(current, action, &self.rating_rules)?;
        let now = self.now();
        let mut update = RectificationUpdate {
            state: next,
            founded: rating.founded,
            visit_notes: rating.visit_notes.clone(),
            measures: rating.measures.clone(),
            reply: rating.reply.clone(),
            concluded_at: None,
        };
        let reply = match &checked {
            RectificationAction::ReturnVisit { notes, founded } => {
                update.visit_notes.clone_from(notes);
                update.founded = Some(*founded);
                None
            }
            RectificationAction::Rectify { measures, reply }
            | RectificationAction::Explain {
                explanation: measures,
                reply,
            } => {
                update.measures.clone_from(measures);
                update.reply.clone_from(reply);
                update.concluded_at = Some(now);
                Some(reply.clone())
            }
        };
        let message = match (reply, rating.case_id) {
            (Some(reply), Some(case)) => {
                let summary = self.store.case_summary(case).await?;
                let item = self
                    .item_version(summary.item_id, summary.item_version)
                    .await?;
                let facts = CaseFacts {
                    case,
                    number: summary.number.as_str(),
                    item_name: &item.name,
                    applicant_name: &summary.applicant_name,
                    phone: &summary.phone,
                    due_at: summary.due_at,
                    outcome: summary.outcome,
                };
                rating_reply_message(&facts, id, &reply).map(|m| (case, m))
            }
            _ => None,
        };
        let audit = AuditEntry {
            at: now,
            actor_id: Some(session.staff.id),
            action: "rating_rectification".into(),
            target: format!("rating:{id}"),
            detail: format!("{} → {}", state.as_str(), next.as_str()),
        };
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.update_rectification(id, expected_version, &update)
                        .await?;
                    if let Some((case, message)) = &message {
                        enqueue_planned(tx, *case, std::slice::from_ref(message), now).await?;
                    }
                    tx.audit(&audit).await
                })
            })
            .await?;
        self.rating_view(session, id).await
    }
}
