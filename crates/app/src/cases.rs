//! Case use cases: intake, actions, reading and listing, all scoped to the session.

use chrono::{DateTime, Utc};
use liandong_domain::calendar::{WorkingCalendar, china_date};
use liandong_domain::case::deadline::{case_clock, step_clock};
use liandong_domain::case::tally::tally;
use liandong_domain::case::{
    Action, ActionName, Applicant, Case, CaseEvent, Channel, ClockReading, ClockSnapshot, Context,
    EventDraft, EventKind, WarningLevel, allowed_actions, decide,
};
use liandong_domain::catalog::{ItemCode, ItemLevel, ServiceItem};
use liandong_domain::ids::PhoneNumber;
use liandong_domain::notify;
use liandong_domain::organization::{CaseId, Role, StaffId, UnitId, UnitKind};
use liandong_store::{CaseFilter, CaseRecord, CaseSummary, KeyOwner, NewCase, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result, Session};

/// An application taken in at a window (or entered for an online or proxied one).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Intake {
    pub item_code: ItemCode,
    pub applicant: Applicant,
    pub phone: PhoneNumber,
    pub channel: Channel,
    /// Names of the materials handed in.
    pub materials: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

/// A case as its page shows it: the row, the folded case, the history, the clocks and what
/// may be done now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub item_name: String,
    pub case: Case,
    pub events: Vec<CaseEvent>,
    pub clock: Option<ClockReading>,
    pub step_clock: Option<ClockReading>,
    pub level: WarningLevel,
    pub allowed_actions: Vec<ActionName>,
}

/// The derived columns of a case row, from the folded case, its clock and its whole history
/// (the stored events and the new ones, in order).
pub fn case_record(
    case: &Case,
    clock: Option<&ClockReading>,
    history: &[&[CaseEvent]],
) -> CaseRecord {
    CaseRecord {
        state: case.state,
        outcome: case.outcome,
        accepted_at: case.accepted_at,
        due_at: clock.and_then(|c| c.due_at),
        due_provisional: clock.is_some_and(|c| c.provisional),
        decided_at: case.decided_at,
        closed_at: case.closed_at,
        clock: ClockSnapshot::of(case, history),
    }
}

/// Who recorded decided events, where, with what comment, and the files they brought.
pub(crate) struct Recorded<'a> {
    /// None: the applicant, online.
    pub actor: Option<StaffId>,
    pub unit: UnitId,
    pub comment: &'a str,
    pub files: Vec<liandong_store::NewCaseFile>,
    /// At acceptance: the officer's waivers and reductions of the item's fees.
    pub fees: &'a [liandong_domain::payment::FeeDecision],
}

/// An intake to write once: the case, the files that came with it (online), whose key it is
/// and the fingerprint of the request the key stands for.
pub(crate) struct IntakeWrite {
    pub new_case: NewCase,
    pub item_name: String,
    pub files: Vec<liandong_store::NewCaseFile>,
    pub owner: KeyOwner,
    pub key: Option<String>,
    pub fingerprint: String,
}

/// An idempotency key as sent: 1 to 200 characters, surrounding spaces ignored.
pub(crate) fn checked_key(key: Option<&str>) -> Result<Option<String>> {
    match key.map(str::trim) {
        Some(key) if key.is_empty() || key.len() > 200 => Err(AppError::invalid(
            "Idempotency-Key",
            "幂等键长度应为1至200个字符",
            "Idempotency-Key must be 1 to 200 characters",
        )),
        key => Ok(key.map(str::to_owned)),
    }
}

/// What an intake wrote: a new case, or found the case an earlier submit with the key made.
enum Intaken {
    New(CaseId),
    Earlier((CaseId, String)),
}

/// Seals `kinds` onto a history ending with `last`.
pub fn seal_events(
    number: &str,
    last: &CaseEvent,
    kinds: Vec<EventKind>,
    at: DateTime<Utc>,
    actor: Option<StaffId>,
    unit: UnitId,
    comment: &str,
) -> Vec<CaseEvent> {
    let mut prev = last.clone();
    let mut out = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let event = CaseEvent::seal(
            number,
            &prev.hash,
            prev.seq + 1,
            EventDraft {
                at,
                actor,
                unit,
                comment: comment.trim().to_owned(),
                kind,
            },
        );
        prev = event.clone();
        out.push(event);
    }
    out
}

/// Folds a stored history; one that does not fold is corrupt data, not the caller's fault.
fn replay(events: &[CaseEvent]) -> Result<Case> {
    Case::replay(events).map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))
}

fn request_hash(intake: &Intake) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(intake).unwrap_or_default(),
    ))
}

impl App {
    /// Where an item received at `unit` is decided (三级联动: a village station takes items by
    /// proxy for its township or the hall).
    pub(crate) async fn handling_unit(
        &self,
        item: &ServiceItem,
        received: &liandong_store::UnitRecord,
    ) -> Result<UnitId> {
        let unit = match item.level {
            ItemLevel::DistrictHall => self
                .store
                .first_unit_of_kind(UnitKind::DistrictHall)
                .await?
                .map(|u| u.id),
            ItemLevel::BranchHall => match &item.branch_code {
                Some(code) => self.store.unit_by_code(code).await?.map(|u| u.id),
                None => None,
            },
            ItemLevel::TownshipCenter => match received.kind {
                UnitKind::TownshipCenter => Some(received.id),
                UnitKind::VillageStation => received.parent_id,
                UnitKind::DistrictHall | UnitKind::BranchHall => {
                    return Err(AppError::invalid(
                        "item_code",
                        "该事项由镇街便民服务中心办理，请到申请人所在镇街申请",
                        "this item is handled by the township centers; apply at the applicant's township",
                    ));
                }
            },
        };
        unit.ok_or(AppError::NotFound("办理单位 handling unit"))
    }

    /// The item an application made at `now` is received under: its record, and the version
    /// in force that day (China date); a cancelled or not yet effective item is refused.
    pub(crate) async fn item_for_intake(
        &self,
        code: &ItemCode,
        now: DateTime<Utc>,
    ) -> Result<(liandong_store::ItemRecord, u32, ServiceItem)> {
        let record = self.store.item_by_code(code).await?;
        let (version, item) = self
            .store
            .item_in_force(record.id, china_date(now))
            .await?
            .ok_or(AppError::invalid(
                "item_code",
                "该事项已取消或尚未生效",
                "the item is cancelled or not yet in force",
            ))?;
        Ok((record, version, item))
    }

    /// Takes in an application. With an idempotency key, a retried submit returns the case
    /// the first one made instead of making another.
    pub async fn submit_case(
        &self,
        session: &Session,
        intake: &Intake,
        idempotency_key: Option<&str>,
    ) -> Result<CaseView> {
        session.require(Role::WindowClerk)?;
        let now = self.now();
        let received = self.store.unit(session.staff.unit_id).await?;
        let (record, version, item) = self.item_for_intake(&intake.item_code, now).await?;
        let proxied = matches!(received.kind, UnitKind::VillageStation)
            || (received.kind == UnitKind::TownshipCenter
                && item.level != ItemLevel::TownshipCenter);
        if matches!(received.kind, UnitKind::VillageStation) && !item.proxy_by_village {
            return Err(AppError::invalid(
                "item_code",
                "该事项不能由村居便民服务站代办",
                "village stations cannot take this item by proxy",
            ));
        }
        let channel = if proxied {
            Channel::Proxy
        } else {
            intake.channel
        };
        let handling = self.handling_unit(&item, &received).await?;
        let materials: Vec<String> = intake
            .materials
            .iter()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        if intake.applicant.name().trim().is_empty() {
            return Err(AppError::invalid(
                "applicant.name",
                "申请人姓名不能为空",
                "the applicant's name is required",
            ));
        }
        // The window that takes the case in is the one the clerk is signed on at (窗口出勤);
        // a clerk not signed on leaves it to the queue ticket finished with the case.
        let window_id = self.own_duty_window(session).await?;
        let new_case = NewCase {
            item_id: record.id,
            item_version: version,
            received_unit_id: received.id,
            received_unit_code: received.code.clone(),
            handling_unit_id: handling,
            department_id: record.department_id,
            received_at: now,
            received_date: china_date(now),
            actor: Some(session.staff.id),
            comment: intake.comment.trim().to_owned(),
            received: EventKind::Received {
                applicant: intake.applicant.clone(),
                phone: intake.phone.clone(),
                item_code: intake.item_code.clone(),
                item_version: version,
                channel,
                materials,
            },
            applicant_name: intake.applicant.name().trim().to_owned(),
            applicant_id_number: intake.applicant.id_number().to_owned(),
            phone: intake.phone.as_str().to_owned(),
            channel,
            window_id,
        };
        let id = self
            .take_in(IntakeWrite {
                new_case,
                item_name: item.name.clone(),
                files: Vec::new(),
                owner: KeyOwner::Staff(session.staff.id),
                key: checked_key(idempotency_key)?,
                fingerprint: request_hash(intake),
            })
            .await?;
        self.case_view(session, id).await
    }

    /// Writes an intake once: the case, its files and the messages it causes, in one
    /// transaction. With a key, a retried submit (a double click, a lost answer) returns the
    /// case the first one made; the same key with a different request is refused.
    pub(crate) async fn take_in(&self, intake: IntakeWrite) -> Result<CaseId> {
        let IntakeWrite {
            new_case,
            item_name,
            files,
            owner,
            key,
            fingerprint,
        } = intake;
        let (job_owner, job_key, job_fingerprint) =
            (owner.clone(), key.clone(), fingerprint.clone());
        let written = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    if let Some(key) = &job_key
                        && let Some(earlier) = tx.idempotent_case(&job_owner, key).await?
                    {
                        return Ok(Intaken::Earlier(earlier));
                    }
                    let at = new_case.received_at;
                    let (id, number, first) = tx.insert_case(&new_case).await?;
                    for file in &files {
                        tx.attach_case_file(id, first.seq, file, at).await?;
                    }
                    // The messages the intake causes go into the outbox in this transaction.
                    let facts = notify::CaseFacts {
                        case: id,
                        number: number.as_str(),
                        item_name: &item_name,
                        applicant_name: &new_case.applicant_name,
                        phone: &new_case.phone,
                        due_at: None,
                        outcome: None,
                    };
                    let planned = notify::applicant_messages(&facts, &[(first.seq, &first.kind)]);
                    crate::notify::enqueue_planned(tx, id, &planned, at).await?;
                    if let Some(key) = &job_key {
                        tx.remember_idempotency_key(
                            &job_owner,
                            key,
                            &job_fingerprint,
                            id,
                            at.timestamp_millis(),
                        )
                        .await?;
                    }
                    Ok(Intaken::New(id))
                })
            })
            .await;
        let earlier = match (written, &key) {
            (Ok(Intaken::New(id)), _) => return Ok(id),
            (Ok(Intaken::Earlier(earlier)), _) => Some(earlier),
            // Two submits with one key raced on separate connections: the winner's case stands.
            (Err(StoreError::Duplicate(_)), Some(key)) => {
                self.store.idempotent_case(&owner, key).await?
            }
            (Err(e), _) => return Err(e.into()),
        };
        match earlier {
            Some((id, hash)) if hash == fingerprint => Ok(id),
            Some(_) => Err(AppError::IdempotencyMismatch),
            // The key's row was there when the write failed; its absence now is not the caller's doing.
            None => Err(AppError::Storage(StoreError::Corrupt(
                "idempotency key vanished".into(),
            ))),
        }
    }

    /// Reads a case the session may see; any other is "not found", never "forbidden", so that
    /// numbers of other units' cases cannot be probed.
    pub(crate) async fn visible_case(
        &self,
        session: &Session,
        id: CaseId,
    ) -> Result<liandong_store::StoredCase> {
        let stored = self.store.case(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("未找到该办件 / case not found"),
            other => other.into(),
        })?;
        let s = &stored.summary;
        if !session
            .visibility
            .allows(s.received_unit_id, s.handling_unit_id, s.department_id)
        {
            return Err(AppError::NotFound("未找到该办件 / case not found"));
        }
        Ok(stored)
    }

    pub async fn case_view(&self, session: &Session, id: CaseId) -> Result<CaseView> {
        let stored = self.visible_case(session, id).await?;
        let item = self
            .item_version(stored.summary.item_id, stored.summary.item_version)
            .await?;
        self.view_of(stored, item)
    }

    fn view_of(&self, stored: liandong_store::StoredCase, item: ServiceItem) -> Result<CaseView> {
        let case = replay(&stored.events)?;
        let calendar = self.calendar();
        let now = self.now();
        let clock = case_clock(&case, &item, &calendar, &self.warning_rules, now);
        Ok(self.assemble_view(stored, item, case, clock, &calendar, now))
    }

    /// The view of a case already folded, with its case clock already read.
    fn assemble_view(
        &self,
        stored: liandong_store::StoredCase,
        item: ServiceItem,
        case: Case,
        clock: Option<ClockReading>,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> CaseView {
        let step = step_clock(&case, &item, calendar, &self.warning_rules, now);
        let level = clock
            .map_or(WarningLevel::Green, |c| c.level)
            .max(step.map_or(WarningLevel::Green, |c| c.level));
        CaseView {
            allowed_actions: allowed_actions(&case, &item),
            item_name: item.name,
            summary: stored.summary,
            case,
            events: stored.events,
            clock,
            step_clock: step,
            level,
        }
    }

    /// Takes an action on a case read at `expected_version`.
    pub async fn act(
        &self,
        session: &Session,
        id: CaseId,
        expected_version: u32,
        action: &Action,
        comment: &str,
    ) -> Result<CaseView> {
        self.act_with_fees(session, id, expected_version, action, comment, &[])
            .await
    }

    /// As `act`; an acceptance may waive or reduce the item's fees, each with its legal
    /// reason (recorded on the payment notice, or on the audit trail when nothing is left to
    /// pay). Fee decisions with any other action are refused.
    pub async fn act_with_fees(
        &self,
        session: &Session,
        id: CaseId,
        expected_version: u32,
        action: &Action,
        comment: &str,
        fees: &[liandong_domain::payment::FeeDecision],
    ) -> Result<CaseView> {
        if !fees.is_empty() && !matches!(action, Action::Accept) {
            return Err(AppError::invalid(
                "fees",
                "只有受理时可以减免收费",
                "fees are waived or reduced only at acceptance",
            ));
        }
        let stored = self.visible_case(session, id).await?;
        if stored.summary.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let item = self
            .item_version(stored.summary.item_id, stored.summary.item_version)
            .await?;
        let case = replay(&stored.events)?;
        let actor = session.staff.actor();
        let kinds = decide(
            &case,
            action,
            &Context {
                now: self.now(),
                actor: &actor,
                item: &item,
            },
        )?;
        let by = Recorded {
            actor: Some(session.staff.id),
            unit: session.staff.unit_id,
            comment,
            files: Vec::new(),
            fees,
        };
        self.record_decided(stored, item, case, kinds, by).await
    }

    /// Seals decided events onto the case and writes them with everything they cause in one
    /// transaction: the row's derived columns, the running totals, the findings, the messages,
    /// a payment notice on acceptance and the files a supplement brought; then issues the
    /// certificate of an approved licence.
    pub(crate) async fn record_decided(
        &self,
        stored: liandong_store::StoredCase,
        item: ServiceItem,
        mut case: Case,
        kinds: Vec<EventKind>,
        by: Recorded<'_>,
    ) -> Result<CaseView> {
        let id = stored.summary.id;
        let expected_version = stored.summary.version;
        let now = self.now();
        let last = stored
            .events
            .last()
            .ok_or(AppError::NotFound("办件 case"))?;
        let events = seal_events(
            stored.summary.number.as_str(),
            last,
            kinds,
            now,
            by.actor,
            by.unit,
            by.comment,
        );
        for event in &events {
            case.apply(event)
                .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        }
        let calendar = self.calendar();
        let clock = case_clock(&case, &item, &calendar, &self.warning_rules, now);
        let record = case_record(&case, clock.as_ref(), &[&stored.events, &events]);
        let facts = notify::CaseFacts {
            case: id,
            number: stored.summary.number.as_str(),
            item_name: &item.name,
            applicant_name: &stored.summary.applicant_name,
            phone: &stored.summary.phone,
            due_at: record.due_at,
            outcome: case.outcome,
        };
        let caused: Vec<(u32, &EventKind)> = events.iter().map(|e| (e.seq, &e.kind)).collect();
        let planned = notify::applicant_messages(&facts, &caused);
        let days = tally(&events, clock.as_ref());
        let findings = crate::supervision::findings_of_events(
            id,
            &stored.events,
            &events,
            &item,
            &calendar,
            &self.supervision_rules,
        )?;
        let department = stored.summary.department_id;
        // Accepting a case whose item has fees issues its payment notice in the same write.
        let accepted_by = by.actor.filter(|_| {
            events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Accepted { .. }))
        });
        let notice = match accepted_by {
            Some(staff) => {
                self.plan_notice(&stored, &item, by.fees, staff, now)
                    .await?
            }
            None => None,
        };
        let files = by.files;
        let files_seq = events.first().map_or(expected_version + 1, |e| e.seq);
        let (appended, written) = (events.clone(), record.clone());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_events(id, expected_version, &appended, &written, &days)
                        .await?;
                    if let Some(notice) = &notice {
                        notice.write(tx, id).await?;
                    }
                    for file in &files {
                        tx.attach_case_file(id, files_seq, file, now).await?;
                    }
                    // Irregularities the events reveal are recorded with them.
                    tx.record_findings(department, &findings).await?;
                    // In the same transaction: the messages exist exactly when the events do.
                    crate::notify::enqueue_planned(tx, id, &planned, now)
                        .await
                        .map(|_| ())
                })
            })
            .await?;
        if events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Approved { .. }))
        {
            self.issue_on_approval(id, item.kind).await;
        }
        // The view follows from what was read and written; no second read is needed.
        let mut stored = stored;
        if let Some(last) = events.last() {
            stored.summary.after_append(&record, last);
        }
        stored.events.extend(events);
        Ok(self.assemble_view(stored, item, case, clock, &calendar, now))
    }

    /// A page of the cases the session may see.
    pub async fn list_cases(
        &self,
        session: &Session,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseSummary>, i64)> {
        Ok(self.store.cases(&session.visibility, filter).await?)
    }

    /// Case ids for a case number, scoped.
    pub async fn case_by_number(&self, session: &Session, number: &str) -> Result<CaseView> {
        let number = liandong_domain::case::CaseNumber::parse(number).ok_or(AppError::invalid(
            "number",
            "办件编号格式错误",
            "malformed case number",
        ))?;
        let id = self
            .store
            .case_id_by_number(&number)
            .await
            .map_err(|_| AppError::NotFound("未找到该办件 / case not found"))?;
        self.case_view(session, id).await
    }

    /// Recomputes the due time of every case computed on a provisional calendar (after a
    /// holiday notice is loaded). Returns how many changed.
    pub async fn recompute_provisional_deadlines(&self) -> Result<usize> {
        let calendar = self.calendar();
        let now = self.now();
        let mut changed = 0;
        for id in self.store.provisional_case_ids().await? {
            let stored = self.store.case(id).await?;
            let item = self
                .store
                .item_version(stored.summary.item_id, stored.summary.item_version)
                .await?;
            let case = replay(&stored.events)?;
            let clock = case_clock(&case, &item, &calendar, &self.warning_rules, now);
            let record = case_record(&case, clock.as_ref(), &[&stored.events]);
            if record.due_at != stored.summary.due_at || !record.due_provisional {
                let mut tx = self.store.begin().await?;
                tx.update_case_record(id, stored.summary.version, &record)
                    .await?;
                // The city levels open cases by their deadline too (docs/city-link.md).
                tx.queue_city_deadline(id, stored.summary.version, record.due_at, now)
                    .await?;
                tx.commit().await?;
                changed += 1;
            }
        }
        Ok(changed)
    }
}
