//! Appeals (三项制度) use cases: registration at any level or online, work on them by the
//! responsible unit, oversight by the efficiency complaint center (supervisors), the person's
//! own lookup and rating, and statistics.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::appeal::{
    Appeal, AppealAction, AppealChannel, AppealContext, AppealEvent, AppealEventKind, AppealFacts,
    AppealLevel, AppealState, AppealStats, Registration, UnitRef, acceptance_overdue_finding,
    decide, register, statistics, warning_level,
};
use liandong_domain::calendar::{china_date, china_day_start};
use liandong_domain::case::WarningLevel;
use liandong_domain::case::disclosure::{check_code_matches, mask_person_name};
use liandong_domain::notify;
use liandong_domain::organization::{AppealId, Role, UnitId, UnitKind, Visibility};
use liandong_store::{
    AppealFilter, AppealRecord, AppealSummary, NewAppeal, StoreError, StoredAppeal,
};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// An appeal as its page shows it: the row, the folded appeal, the history and its level.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AppealView {
    pub summary: AppealSummary,
    pub appeal: Appeal,
    pub events: Vec<AppealEvent>,
    pub level: WarningLevel,
}

/// An appeal as the person who raised it sees it: no staff, no other person's data.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PublicAppeal {
    pub number: String,
    pub kind: String,
    pub category: String,
    pub person_name: String,
    pub state: AppealState,
    pub state_zh: &'static str,
    pub level: AppealLevel,
    pub responsible_unit: String,
    pub registered_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    /// The answer, once given.
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<liandong_domain::rating::Satisfaction>,
    /// What happened, by name and date only.
    pub timeline: Vec<PublicAppealEntry>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PublicAppealEntry {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub name_zh: &'static str,
}

/// Statistics of a period, overall and by level, kind and settling unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AppealStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: AppealStats,
    pub by_level: Vec<Grouped>,
    pub by_kind: Vec<Grouped>,
    pub by_unit: Vec<Grouped>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Grouped {
    pub key: String,
    pub name: String,
    pub stats: AppealStats,
}

const LOOKUP_FAILED: &str = "appeal_lookup_failed";

/// The row of an appeal, from the folded appeal.
pub fn appeal_record(
    appeal: &Appeal,
    calendar: &liandong_domain::calendar::WorkingCalendar,
) -> AppealRecord {
    AppealRecord {
        scope: appeal.scope,
        level: appeal.level(),
        responsible_unit_id: appeal.responsible.unit,
        responsible_department_id: appeal.responsible.department,
        state: appeal.state,
        due_on: appeal.due,
        due_at: calendar.close_of(appeal.due),
        answered_at: appeal.answered_at,
        closed_at: appeal.closed_at,
        satisfaction: appeal.satisfaction,
        escalations: appeal.escalations,
        taken_over: appeal.taken_over,
        acceptance_due_on: appeal.acceptance_due,
        acceptance: appeal.acceptance,
    }
}

/// A complaint awaiting the efficiency complaint center's decision on acceptance, as the
/// center's list shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PendingAcceptance {
    pub summary: AppealSummary,
    /// The last day of the decision (five working days after registration).
    pub due_on: NaiveDate,
    /// The decision is late: its last day has closed.
    pub overdue: bool,
}

fn replay(events: &[AppealEvent]) -> Result<Appeal> {
    Appeal::replay(events).map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该诉求 / appeal not found")
}

/// Whether the session may see an appeal: one raised at or settled by its units, or its
/// departments'.
fn sees(session: &Session, s: &AppealSummary) -> bool {
    match &session.visibility {
        Visibility::All => true,
        Visibility::Limited { units, departments } => {
            units.contains(&s.raised_unit_id)
                || units.contains(&s.responsible_unit_id)
                || s.responsible_department_id
                    .is_some_and(|d| departments.contains(&d))
        }
    }
}

impl App {
    async fn unit_ref(&self, id: UnitId) -> Result<UnitRef> {
        let unit = self.store.unit(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("单位 unit"),
            other => other.into(),
        })?;
        Ok(UnitRef {
            id: unit.id,
            kind: unit.kind,
            parent: unit.parent_id,
        })
    }

    pub(crate) async fn hall(&self) -> Result<UnitId> {
        Ok(self
            .store
            .first_unit_of_kind(UnitKind::DistrictHall)
            .await?
            .ok_or(AppError::NotFound("区行政服务大厅 district hall"))?
            .id)
    }

    /// Registers an appeal raised at the signed-in clerk's unit (a station, a center, the
    /// hall's window or the hotline desk).
    pub async fn register_appeal(
        &self,
        session: &Session,
        input: &Registration,
    ) -> Result<AppealView> {
        session.require_any(&[Role::WindowClerk, Role::Supervisor])?;
        if input.channel == AppealChannel::Online {
            return Err(AppError::invalid(
                "channel",
                "网上提交的诉求由申请人自行提交",
                "online appeals are submitted by the person themselves",
            ));
        }
        let id = self
            .create_appeal(input, session.staff.unit_id, Some(session))
            .await?;
        self.appeal_view(session, id).await
    }

    /// An appeal the person submits online; it is raised at the hall and routed from there.
    /// Returns its number for the person's own lookups.
    pub async fn submit_online_appeal(&self, input: &Registration) -> Result<PublicAppeal> {
        let input = Registration {
            channel: AppealChannel::Online,
            ..input.clone()
        };
        if input.person.phone.is_none() {
            return Err(AppError::invalid(
                "person.phone",
                "网上提交须留手机号码，以便告知办理结果",
                "an online appeal needs a phone number to be told of the answer",
            ));
        }
        let hall = self.hall().await?;
        let id = self.create_appeal(&input, hall, None).await?;
        let stored = self.store.appeal(id).await?;
        self.public_appeal(stored).await
    }

    async fn create_appeal(
        &self,
        input: &Registration,
        raised_at: UnitId,
        session: Option<&Session>,
    ) -> Result<AppealId> {
        let now = self.now();
        self.known_department(input.department).await?;
        let raised = self.store.unit(raised_at).await?;
        let chosen = match input.unit {
            Some(unit) => Some(self.unit_ref(unit).await?),
            None => None,
        };
        let calendar = self.calendar();
        let kind = register(
            input,
            UnitRef {
                id: raised.id,
                kind: raised.kind,
                parent: raised.parent_id,
            },
            chosen,
            self.hall().await?,
            &calendar,
            now,
        )?;
        let first = AppealEvent {
            seq: 1,
            at: now,
            actor: session.map(|s| s.staff.id),
            unit: raised.id,
            kind: kind.clone(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let appeal = replay(std::slice::from_ref(&first))?;
        let new_appeal = NewAppeal {
            raised_unit_id: raised.id,
            raised_unit_code: raised.code.clone(),
            raised_on: china_date(now),
            at: now,
            actor: first.actor,
            registered: kind,
            record: appeal_record(&appeal, &calendar),
        };
        let person = input.person.clone();
        let (id, _) = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let (id, number) = tx.insert_appeal(&new_appeal).await?;
                    // The person is told the number and the due date in the same write.
                    let messages = notify::appeal_messages(
                        id.0,
                        &number,
                        &person,
                        &[(1, &new_appeal.registered)],
                    );
                    crate::notify::enqueue(tx, None, &messages, new_appeal.at).await?;
                    Ok((id, number))
                })
            })
            .await?;
        Ok(id)
    }

    async fn visible_appeal(&self, session: &Session, id: AppealId) -> Result<StoredAppeal> {
        let stored = self.store.appeal(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        if sees(session, &stored.summary) {
            Ok(stored)
        } else {
            Err(not_found())
        }
    }

    fn appeal_view_of(&self, stored: StoredAppeal) -> Result<AppealView> {
        let appeal = replay(&stored.events)?;
        let level = appeal.warning_level(&self.calendar(), self.now());
        Ok(AppealView {
            summary: stored.summary,
            appeal,
            events: stored.events,
            level,
        })
    }

    pub async fn appeal_view(&self, session: &Session, id: AppealId) -> Result<AppealView> {
        let stored = self.visible_appeal(session, id).await?;
        self.appeal_view_of(stored)
    }

    /// Acts on an appeal read at `expected_version`; `session` is `None` for the person
    /// themselves (rating after a checked lookup).
    async fn act_on_stored_appeal(
        &self,
        session: Option<&Session>,
        stored: StoredAppeal,
        expected_version: u32,
        action: &AppealAction,
    ) -> Result<StoredAppeal> {
        if stored.summary.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let mut appeal = replay(&stored.events)?;
        let now = self.now();
        let calendar = self.calendar();
        let chosen = match action {
            AppealAction::Refer {
                unit, department, ..
            } => {
                self.known_department(*department).await?;
                Some(self.unit_ref(*unit).await?)
            }
            AppealAction::Escalate {
                unit, department, ..
            } => {
                self.known_department(*department).await?;
                match unit {
                    Some(u) => Some(self.unit_ref(*u).await?),
                    None => None,
                }
            }
            _ => None,
        };
        let actor = session.map(|s| s.staff.actor());
        let kinds = decide(
            &appeal,
            action,
            &AppealContext {
                now,
                actor: actor.as_ref(),
                calendar: &calendar,
                responsible_unit: self.unit_ref(appeal.responsible.unit).await?,
                chosen_unit: chosen,
                hall: self.hall().await?,
            },
        )?;
        let mut events = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let event = AppealEvent {
                seq: appeal.version + 1,
                at: now,
                actor: session.map(|s| s.staff.id),
                unit: session.map_or(appeal.responsible.unit, |s| s.staff.unit_id),
                kind,
                prev_hash: String::new(),
                hash: String::new(),
            };
            appeal
                .apply(&event)
                .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
            events.push(event);
        }
        let record = appeal_record(&appeal, &calendar);
        let id = stored.summary.id;
        let messages = match stored.events.first().map(|e| &e.kind) {
            Some(AppealEventKind::Registered { person, .. }) => notify::appeal_messages(
                id.0,
                &stored.summary.number,
                person,
                &events.iter().map(|e| (e.seq, &e.kind)).collect::<Vec<_>>(),
            ),
            _ => Vec::new(),
        };
        // A decision on acceptance made after its five working days is a finding, recorded
        // with the decision (the sweep would otherwise see it only while still pending).
        let late = match (
            stored.summary.acceptance_due_on,
            events.first().map(|e| &e.kind),
        ) {
            (
                Some(_),
                Some(
                    AppealEventKind::Accepted { .. }
                    | AppealEventKind::AcceptanceRefused { .. }
                    | AppealEventKind::Forwarded { .. },
                ),
            ) => acceptance_overdue_finding(
                id,
                &stored.summary.number,
                self.hall().await?,
                appeal.registered_at,
                &calendar,
                Some(now),
                now,
            ),
            _ => None,
        };
        let (appended, written) = (events.clone(), record.clone());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_appeal_events(id, expected_version, &appended, &written)
                        .await?;
                    if let Some(finding) = &late {
                        tx.record_acceptance_finding(finding).await?;
                    }
                    crate::notify::enqueue(tx, None, &messages, now).await?;
                    Ok(())
                })
            })
            .await?;
        Ok(self.store.appeal(id).await?)
    }

    pub async fn act_on_appeal(
        &self,
        session: &Session,
        id: AppealId,
        expected_version: u32,
        action: &AppealAction,
    ) -> Result<AppealView> {
        let stored = self.visible_appeal(session, id).await?;
        let stored = self
            .act_on_stored_appeal(Some(session), stored, expected_version, action)
            .await?;
        self.appeal_view_of(stored)
    }

    pub async fn list_appeals(
        &self,
        session: &Session,
        filter: &AppealFilter,
    ) -> Result<(Vec<AppealSummary>, i64)> {
        Ok(self.store.appeals(&session.visibility, filter).await?)
    }

    /// Complaints awaiting the center's decision on acceptance, soonest due first, the late
    /// ones marked: the efficiency complaint center's (supervisors') list.
    pub async fn appeals_pending_acceptance(
        &self,
        session: &Session,
    ) -> Result<Vec<PendingAcceptance>> {
        session.require(Role::Supervisor)?;
        let (rows, _) = self
            .store
            .appeals(
                &session.visibility,
                &AppealFilter {
                    pending_acceptance: true,
                    limit: 500,
                    ..AppealFilter::default()
                },
            )
            .await?;
        let now = self.now();
        Ok(rows
            .into_iter()
            .map(|summary| PendingAcceptance {
                due_on: summary.acceptance_due_on.unwrap_or(summary.due_on),
                // While pending, the row's due time is the decision's close.
                overdue: now > summary.due_at,
                summary,
            })
            .collect())
    }

    /// Records a finding for every complaint whose decision on acceptance is past its five
    /// working days and still not made (once each: the finding's key is the complaint's).
    /// Part of the supervision sweep, kept apart from the sweep of cases.
    pub async fn sweep_pending_acceptances(&self) -> Result<u64> {
        let now = self.now();
        let calendar = self.calendar();
        let hall = self.hall().await?;
        let findings: Vec<_> = self
            .store
            .appeals_pending_acceptance_past(now)
            .await?
            .iter()
            .filter_map(|(id, number, registered_at)| {
                acceptance_overdue_finding(*id, number, hall, *registered_at, &calendar, None, now)
            })
            .collect();
        if findings.is_empty() {
            return Ok(0);
        }
        Ok(self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut new = 0;
                    for finding in &findings {
                        new += u64::from(tx.record_acceptance_finding(finding).await?);
                    }
                    Ok(new)
                })
            })
            .await?)
    }

    /// Open appeals red now or within the window: the efficiency complaint center's list.
    pub async fn appeals_at_risk(&self, session: &Session) -> Result<Vec<AppealView>> {
        session.require(Role::Supervisor)?;
        let calendar = self.calendar();
        let now = self.now();
        // Red starts two working days before the deadline: look a little further ahead.
        let horizon = calendar.close_of(
            calendar
                .add_working_days(
                    china_date(now),
                    liandong_domain::appeal::RED_WORKING_DAYS_LEFT + 1,
                )
                .value,
        );
        let (rows, _) = self
            .store
            .appeals(
                &session.visibility,
                &AppealFilter {
                    due_before: Some(horizon),
                    limit: 500,
                    ..AppealFilter::default()
                },
            )
            .await?;
        // The level follows from the row; only the red ones are read whole.
        let mut views = Vec::new();
        for row in rows {
            let level = warning_level(row.state, row.registered_at, row.due_on, &calendar, now);
            if level == WarningLevel::Red {
                views.push(self.appeal_view_of(self.store.appeal(row.id).await?)?);
            }
        }
        Ok(views)
    }

    /// Finds the person's own appeal by its number and the last six digits of the phone
    /// they left; wrong codes are audited and lock the number's lookups like sign-ins.
    async fn checked_appeal(&self, number: &str, check: &str) -> Result<StoredAppeal> {
        let number = number.trim();
        let target = format!("appeal:{number}");
        self.guard_lookup(LOOKUP_FAILED, &target).await?;
        let found = match self.store.appeal_id_by_number(number).await {
            Ok(id) => Some(self.store.appeal(id).await?),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        match found.filter(|a| check_code_matches(check, "", &a.summary.person_phone)) {
            Some(stored) => Ok(stored),
            None => Err(self
                .refuse_lookup(
                    LOOKUP_FAILED,
                    target,
                    AppError::NotFound(
                        "未找到与该编号和手机号后六位相符的诉求 / no appeal matches this number and the last six digits of the phone",
                    ),
                )
                .await?),
        }
    }

    async fn public_appeal(&self, stored: StoredAppeal) -> Result<PublicAppeal> {
        let appeal = replay(&stored.events)?;
        let unit = self.store.unit(appeal.responsible.unit).await?;
        let answer = stored.events.iter().rev().find_map(|e| match &e.kind {
            liandong_domain::appeal::AppealEventKind::Answered { answer } => Some(answer.clone()),
            _ => None,
        });
        let s = stored.summary;
        Ok(PublicAppeal {
            number: s.number,
            kind: s.kind.name_zh().to_owned(),
            category: s.category,
            person_name: mask_person_name(&s.person_name),
            state: appeal.state,
            // A complaint refused or forwarded is closed here; the person reads why.
            state_zh: match appeal.acceptance {
                Some(
                    o @ (liandong_domain::appeal::AcceptanceOutcome::Refused
                    | liandong_domain::appeal::AcceptanceOutcome::Forwarded),
                ) => o.name_zh(),
                _ => appeal.state.name_zh(),
            },
            level: appeal.level(),
            responsible_unit: unit.name,
            registered_at: appeal.registered_at,
            due_on: appeal.due,
            answer: answer.filter(|_| appeal.answered_at.is_some()),
            answered_at: appeal.answered_at,
            satisfaction: appeal.satisfaction,
            timeline: stored
                .events
                .iter()
                .map(|e| PublicAppealEntry {
                    at: e.at,
                    kind: e.kind.type_name(),
                    name_zh: e.kind.name_zh(),
                })
                .collect(),
        })
    }

    /// Rows of appeals for public lists (Open311). Callers show none of the person's data
    /// nor the content: a public list is for following the office's work, not the people.
    pub async fn public_appeal_rows(&self, filter: &AppealFilter) -> Result<Vec<AppealSummary>> {
        Ok(self.store.appeals(&Visibility::All, filter).await?.0)
    }

    pub async fn public_appeal_row(&self, number: &str) -> Result<AppealSummary> {
        let id = self
            .store
            .appeal_id_by_number(number.trim())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => not_found(),
                other => other.into(),
            })?;
        Ok(self.store.appeal(id).await?.summary)
    }

    /// The unit with a given code (for forms that name units by code).
    pub async fn unit_id_by_code(&self, code: &str) -> Result<UnitId> {
        Ok(self
            .store
            .unit_by_code(code.trim())
            .await?
            .ok_or(AppError::NotFound("单位 unit"))?
            .id)
    }

    /// The person's view of their appeal.
    pub async fn lookup_appeal(&self, number: &str, check: &str) -> Result<PublicAppeal> {
        let stored = self.checked_appeal(number, check).await?;
        self.public_appeal(stored).await
    }

    /// The person rates the answer to their appeal.
    pub async fn rate_appeal(
        &self,
        number: &str,
        check: &str,
        satisfaction: liandong_domain::rating::Satisfaction,
        comment: &str,
    ) -> Result<PublicAppeal> {
        let stored = self.checked_appeal(number, check).await?;
        let version = stored.summary.version;
        let stored = self
            .act_on_stored_appeal(
                None,
                stored,
                version,
                &AppealAction::Rate {
                    satisfaction,
                    comment: comment.to_owned(),
                },
            )
            .await?;
        self.public_appeal(stored).await
    }

    /// Statistics of the appeals registered from `from` to `to` (China dates, inclusive) the
    /// session may see: completion, on-time answers, the share settled in the village, time to
    /// answer; overall and by level, kind and settling unit.
    pub async fn appeal_statistics(
        &self,
        session: &Session,
        from: NaiveDate,
        to: NaiveDate,
        unit: Option<UnitId>,
    ) -> Result<AppealStatistics> {
        if to < from || (to - from).num_days() > 366 * 3 {
            return Err(AppError::invalid(
                "to",
                "统计区间应为开始日期之后三年以内",
                "the period must end after it starts and span at most three years",
            ));
        }
        let before = china_day_start(to.succ_opt().unwrap_or(to));
        let rows = self
            .store
            .appeal_rows_between(china_day_start(from), before, unit)
            .await?;
        let rows: Vec<AppealSummary> = rows.into_iter().filter(|s| sees(session, s)).collect();
        let calendar = self.calendar();
        let now = self.now();
        let facts: Vec<(AppealFacts, &AppealSummary)> = rows
            .iter()
            .map(|s| {
                let facts = AppealFacts {
                    level: s.level,
                    kind: s.kind,
                    state: s.state,
                    registered_on: china_date(s.registered_at),
                    answered_on: s.answered_at.map(china_date),
                    on_time: s.answered_at.map(|at| at <= calendar.close_of(s.due_on)),
                    escalations: s.escalations,
                    overdue: s.state.awaits_answer() && s.due_at <= now,
                };
                (facts, s)
            })
            .collect();
        let group = |key_of: &dyn Fn(&AppealSummary) -> (String, String)| {
            let mut keys: Vec<(String, String)> = facts.iter().map(|(_, s)| key_of(s)).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .map(|(key, name)| Grouped {
                    stats: statistics(
                        facts
                            .iter()
                            .filter(|(_, s)| key_of(s).0 == key)
                            .map(|(f, _)| f),
                    ),
                    key,
                    name,
                })
                .collect::<Vec<_>>()
        };
        let units = self.store.units().await?;
        let unit_name = |id: UnitId| {
            units
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        Ok(AppealStatistics {
            from,
            to,
            overall: statistics(facts.iter().map(|(f, _)| f)),
            by_level: group(&|s| {
                let zh = match s.level {
                    AppealLevel::Village => "村（居）",
                    AppealLevel::Township => "镇（街）",
                    AppealLevel::District => "区级",
                };
                (s.level.as_str().to_owned(), zh.to_owned())
            }),
            by_kind: group(&|s| (s.kind.as_str().to_owned(), s.kind.name_zh().to_owned())),
            by_unit: group(&|s| {
                (
                    format!("{:08}", s.responsible_unit_id.0),
                    unit_name(s.responsible_unit_id),
                )
            }),
        })
    }
}
