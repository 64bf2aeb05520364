//! Electronic supervision (预警纠错): findings recorded as events arrive (with the events, in
//! the same transaction) and by the sweep of open cases for those that time brings about;
//! supervision notices (督办单) opened on them, answered, escalated and closed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use liandong_domain::calendar::WorkingCalendar;
use liandong_domain::case::snapshot::Warning;
use liandong_domain::case::{Case, CaseEvent, ClockSnapshot, WarningRules};
use liandong_domain::catalog::ServiceItem;
use liandong_domain::notify::{
    NoticeNews, PlannedMessage, StaffContact, WarnedCase, notice_messages, warning_messages,
};
use liandong_domain::organization::{CaseId, DepartmentId, ItemId, Role, StaffId, UnitId};
use liandong_domain::supervision::{
    Finding, FindingKind, NoticeAction, NoticeEvent, NoticeEventKind, NoticeParty,
    SupervisionNotice, SupervisionRules, SweepContext, Verdict, decide, due_escalation,
    findings_on_event, open, schedule,
};
use liandong_store::{
    FindingFilter, FindingRecord, Look, NoticeFilter, NoticeRecord, OpenClock, StoreError,
};

use crate::{App, AppError, Result, Session};

fn corrupt(e: impl std::fmt::Display) -> AppError {
    AppError::Storage(StoreError::Corrupt(e.to_string()))
}

/// The findings that `new` events reveal, each judged on the history up to it.
pub fn findings_of_events(
    case: CaseId,
    before: &[CaseEvent],
    new: &[CaseEvent],
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
) -> Result<Vec<Finding>> {
    let mut history = before.to_vec();
    let mut found = Vec::new();
    for event in new {
        history.push(event.clone());
        found.extend(findings_on_event(case, &history, item, calendar, rules).map_err(corrupt)?);
    }
    Ok(found)
}

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Open cases whose clocks were looked at (those whose next look had come).
    pub cases: usize,
    pub new_findings: u64,
    pub notices_opened: usize,
    pub notices_escalated: usize,
    /// Yellow and red warnings newly queued for officers and approvers.
    pub warnings_queued: usize,
    /// Clocks built from the events of cases open before they were kept (migration 28).
    pub clocks_built: usize,
}

fn contact_of(staff: liandong_store::StaffRecord) -> StaffContact {
    StaffContact {
        id: staff.id,
        name: staff.display_name,
        phone: staff.phone,
    }
}

/// Notices the sweep opens per transaction.
const NOTICE_BATCH: usize = 500;

/// A notice to open on a finding, read and decided, not yet written.
struct NoticePlan {
    finding_id: i64,
    case_id: CaseId,
    department: DepartmentId,
    number: String,
    kind: FindingKind,
    staff: Vec<StaffContact>,
    event: NoticeEvent,
    notice: SupervisionNotice,
}

/// Clocks read at a time: one aggregated row each (store/src/clocks.rs).
const CLOCK_PAGE: i64 = 16_384;

/// What the sweep reads clocks with, shared by the threads that read a page.
struct ClockReader {
    calendar: Arc<WorkingCalendar>,
    supervision: SupervisionRules,
    warnings: WarningRules,
}

/// A clock's verdict now, its next look and its item.
type Looked = (Verdict, DateTime<Utc>, Arc<ServiceItem>);

impl ClockReader {
    /// Each clock's verdict at `now` and its next look (`items[i]` is `page[i]`'s item): the
    /// part of a sweep that is arithmetic, spread over the machine's cores off the async
    /// threads (a first sweep's pages are tens of thousands of clocks, about a dozen verdicts
    /// each).
    async fn look_at(
        self: Arc<Self>,
        page: Vec<OpenClock>,
        items: Vec<Arc<ServiceItem>>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<OpenClock>, Vec<Looked>)> {
        tokio::task::spawn_blocking(move || {
            let threads = std::thread::available_parallelism().map_or(1, usize::from);
            let share = page.len().div_ceil(threads).max(1);
            let looked = std::thread::scope(|scope| {
                let parts: Vec<_> = page
                    .chunks(share)
                    .zip(items.chunks(share))
                    .map(|(clocks, items)| scope.spawn(|| self.look_at_part(clocks, items, now)))
                    .collect();
                parts
                    .into_iter()
                    .map(|part| part.join())
                    .collect::<std::result::Result<Vec<_>, _>>()
            });
            let looked = looked.map_err(|_| corrupt("a sweep thread failed"))?;
            Ok((page, looked.into_iter().flatten().collect()))
        })
        .await
        .map_err(corrupt)?
    }

    fn look_at_part(
        &self,
        clocks: &[OpenClock],
        items: &[Arc<ServiceItem>],
        now: DateTime<Utc>,
    ) -> Vec<Looked> {
        clocks
            .iter()
            .zip(items)
            .map(|(clock, item)| {
                let ctx = SweepContext {
                    item,
                    calendar: &self.calendar,
                    supervision: &self.supervision,
                    warnings: &self.warnings,
                };
                (
                    ctx.verdict(clock.case_id, &clock.snapshot, now),
                    ctx.next_look(clock.case_id, &clock.snapshot, now),
                    item.clone(),
                )
            })
            .collect()
    }
}

/// What the sweep has to say about one case: its findings and its warning with whom it tells.
/// The fingerprint of the same says whether anything is new since the last sweep.
struct CaseNews {
    case: CaseId,
    department: DepartmentId,
    item: Arc<ServiceItem>,
    findings: Vec<Finding>,
    warning: Option<(Warning, Vec<StaffContact>)>,
}

impl CaseNews {
    /// FNV-1a over what the sweep writes for the case: the findings' dedup keys, the warning's
    /// period and level, and whom it tells (their ids and phones make the messages' ids).
    /// `None` when there is nothing.
    fn fingerprint(&self) -> Option<String> {
        if self.findings.is_empty() && self.warning.is_none() {
            return None;
        }
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash ^= 0xff;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        };
        for finding in &self.findings {
            eat(finding.dedup_key.as_bytes());
        }
        if let Some((warning, told)) = &self.warning {
            eat(&warning.period_seq.to_le_bytes());
            eat(warning.level.as_str().as_bytes());
            for staff in told {
                eat(&staff.id.0.to_le_bytes());
                eat(staff.phone.as_bytes());
            }
        }
        Some(format!("{hash:016x}"))
    }
}

impl App {
    /// Looks at every open, accepted case's clock whose time has come (kept with its row,
    /// `open_case_clocks`, with when to look at it next: `supervision::schedule`) and records
    /// what time has brought about (overdue cases and steps, cases left untouched, pauses too
    /// long) with the yellow and red warnings, writing only what changed since the last look
    /// (findings already recorded are not recorded again); then opens a notice for every
    /// irregularity without one and escalates the notices past their reply deadline.
    pub async fn sweep_findings(&self) -> Result<SweepReport> {
        let mut report = SweepReport {
            clocks_built: self.build_missing_clocks().await?,
            ..SweepReport::default()
        };
        // A store migrated part-way on purpose (tests of older schemas) keeps no clocks.
        if self.store.keeps_clocks() {
            self.sweep_clocks(&mut report).await?;
        }
        // Complaints about the service left without a decision on acceptance (appeals).
        report.new_findings += self.sweep_pending_acceptances().await?;
        (report.notices_opened, report.notices_escalated) = self.sweep_notices().await?;
        Ok(report)
    }

    /// The sweep's part on case clocks: a page of due clocks at a time, each page written in
    /// one transaction with the clocks' next looks.
    async fn sweep_clocks(&self, report: &mut SweepReport) -> Result<()> {
        let calendar = self.calendar();
        let now = self.now();
        let reader = Arc::new(ClockReader {
            calendar: calendar.clone(),
            supervision: self.supervision_rules.clone(),
            warnings: self.warning_rules,
        });
        // Looks computed under another calendar or other rules are not trusted.
        let basis = schedule::basis(&calendar, &reader.supervision, &reader.warnings);
        if self.store.sweep_basis().await?.as_deref() != Some(basis.as_str()) {
            self.store
                .write(move |tx| Box::pin(async move { tx.rebase_looks(&basis).await }))
                .await?;
        }
        // A key project's approvals warn its green-channel agent too, who chases them.
        let agents = self.store.project_agents_of_open_cases().await?;
        let mut agent_contacts: HashMap<StaffId, Option<StaffContact>> = HashMap::new();
        // Many open cases share an item, a department and a unit: each is read once.
        let mut items: HashMap<(ItemId, u32), Arc<ServiceItem>> = HashMap::new();
        let mut officers: HashMap<(DepartmentId, UnitId), Vec<StaffContact>> = HashMap::new();
        let mut after: Option<OpenClock> = None;
        loop {
            let page = self
                .store
                .due_clocks(now, after.as_ref(), CLOCK_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some(last.clone());
            let mut page_items = Vec::with_capacity(page.len());
            for clock in &page {
                let key = (clock.item_id, clock.item_version);
                if let Entry::Vacant(slot) = items.entry(key) {
                    slot.insert(Arc::new(self.item_version(key.0, key.1).await?));
                }
                page_items.push(items[&key].clone());
            }
            let (page, looked) = reader.clone().look_at(page, page_items, now).await?;
            let mut news: Vec<CaseNews> = Vec::new();
            let mut looks = Vec::with_capacity(page.len());
            for (clock, (verdict, next_look_at, item)) in page.into_iter().zip(looked) {
                report.cases += 1;
                let warning = match verdict.warning {
                    None => None,
                    Some(warning) => {
                        let key = (clock.department_id, clock.handling_unit_id);
                        if let Entry::Vacant(slot) = officers.entry(key) {
                            slot.insert(self.officers_to_tell(key.0, key.1).await?);
                        }
                        let mut told = officers[&key].clone();
                        if let Some(agent) = agents.get(&clock.case_id) {
                            if let Entry::Vacant(slot) = agent_contacts.entry(*agent) {
                                slot.insert(self.staff_contact(*agent).await?);
                            }
                            if let Some(contact) = &agent_contacts[agent]
                                && !told.iter().any(|s| s.id == contact.id)
                            {
                                told.push(contact.clone());
                            }
                        }
                        Some((warning, told))
                    }
                };
                let case_news = CaseNews {
                    case: clock.case_id,
                    department: clock.department_id,
                    item,
                    findings: verdict.findings,
                    warning,
                };
                let swept = case_news.fingerprint();
                looks.push(Look {
                    case_id: clock.case_id,
                    revision: clock.revision,
                    swept: swept.clone(),
                    next_look_at,
                });
                if swept != clock.swept {
                    news.push(case_news);
                }
            }
            let (new_findings, warnings_queued) = self.record_news(news, looks, now).await?;
            report.new_findings += new_findings;
            report.warnings_queued += warnings_queued;
        }
        Ok(())
    }

    /// Writes a page's news (findings and warnings, with their messages) and its looks in
    /// one transaction. Returns (new findings, warnings queued).
    async fn record_news(
        &self,
        news: Vec<CaseNews>,
        looks: Vec<Look>,
        now: DateTime<Utc>,
    ) -> Result<(u64, usize)> {
        let warned: Vec<CaseId> = news
            .iter()
            .filter(|n| n.warning.is_some())
            .map(|n| n.case)
            .collect();
        let numbers: HashMap<CaseId, String> = self
            .store
            .case_numbers(&warned)
            .await?
            .into_iter()
            .collect();
        let mut writes = Vec::with_capacity(news.len());
        for case_news in news {
            let planned = match &case_news.warning {
                Some((warning, told)) => {
                    let number = numbers
                        .get(&case_news.case)
                        .ok_or(AppError::NotFound("办件 case"))?;
                    let warned = WarnedCase {
                        case: case_news.case,
                        step_seq: warning.period_seq,
                        level: warning.level,
                        number,
                        item_name: &case_news.item.name,
                        due_at: warning.due_at,
                        working_days: warning.working_days,
                    };
                    warning_messages(&warned, told)
                }
                None => Vec::new(),
            };
            writes.push((
                case_news.case,
                case_news.department,
                case_news.findings,
                planned,
            ));
        }
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let mut new = 0;
                    for (_, department, findings, _) in &writes {
                        if !findings.is_empty() {
                            new += tx.record_findings(*department, findings).await?;
                        }
                    }
                    // Each warning has its id (case, period, level, recipient): one already
                    // queued is not queued again.
                    let messages: Vec<(Option<CaseId>, &[PlannedMessage])> = writes
                        .iter()
                        .filter(|(_, _, _, planned)| !planned.is_empty())
                        .map(|(case, _, _, planned)| (Some(*case), planned.as_slice()))
                        .collect();
                    let queued = crate::notify::enqueue_many(tx, &messages, now).await?;
                    tx.record_looks(&looks).await?;
                    Ok((new, queued))
                })
            })
            .await
            .map_err(Into::into)
    }

    /// Builds the clocks an older database left unbuilt (migration 28) from each case's
    /// events, a few hundred per transaction; once built, actions keep them. Returns how many.
    async fn build_missing_clocks(&self) -> Result<usize> {
        if !self.store.keeps_clocks() {
            return Ok(0);
        }
        let ids = self.store.unbuilt_clocks().await?;
        for chunk in ids.chunks(500) {
            let mut built = Vec::with_capacity(chunk.len());
            for id in chunk {
                let stored = self.store.case(*id).await?;
                let case = Case::replay(&stored.events).map_err(corrupt)?;
                built.push((*id, ClockSnapshot::of(&case, &[&stored.events])));
            }
            self.store
                .write(move |tx| {
                    Box::pin(async move {
                        for (id, snapshot) in &built {
                            tx.build_clock(*id, snapshot).await?;
                        }
                        Ok(())
                    })
                })
                .await?;
        }
        Ok(ids.len())
    }

    /// Whom supervision tells about a case of `department` handled at `unit`: its active
    /// handling officers and approvers there (those without a mobile get no SMS).
    async fn officers_to_tell(
        &self,
        department: DepartmentId,
        unit: UnitId,
    ) -> Result<Vec<StaffContact>> {
        Ok(self
            .store
            .staff_of(department, unit, &[Role::HandlingOfficer, Role::Approver])
            .await?
            .into_iter()
            .map(contact_of)
            .collect())
    }

    /// The efficiency office's supervisors still active: told of every card.
    async fn supervisors_to_tell(&self) -> Result<Vec<StaffContact>> {
        Ok(self
            .store
            .staff(None)
            .await?
            .into_iter()
            .filter(|s| s.active && s.roles.contains(&Role::Supervisor))
            .map(contact_of)
            .collect())
    }

    /// An active member of staff as a message's recipient; `None` once deactivated.
    async fn staff_contact(&self, id: StaffId) -> Result<Option<StaffContact>> {
        let staff = self.store.staff_by_id(id).await?;
        Ok(staff.active.then(|| contact_of(staff)))
    }

    /// Findings for the efficiency office: supervisors and system administrators.
    pub async fn list_findings(
        &self,
        session: &Session,
        filter: &FindingFilter,
    ) -> Result<(Vec<FindingRecord>, i64)> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        Ok(self.store.findings(filter).await?)
    }

    /// Kinds of finding by name, for filters.
    pub fn finding_kinds(&self) -> &'static [FindingKind] {
        &FindingKind::ALL
    }
}

/// A notice as its page shows it: the stored row and history, folded.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub stored: liandong_store::StoredNotice,
    pub notice: SupervisionNotice,
    /// The session's part on it (a supervisor, the department), if any.
    pub party: Option<NoticeParty>,
}

impl App {
    /// The session's part on a notice held against `department`; none is not found.
    fn notice_party(&self, session: &Session, department: DepartmentId) -> Option<NoticeParty> {
        if session.staff.roles.contains(&Role::SystemAdmin) {
            // Reads like a supervisor; acting is the supervisor's and the department's.
            return Some(NoticeParty::System);
        }
        NoticeParty::of(&session.staff.actor(), department)
    }

    pub async fn notice_view(&self, session: &Session, id: i64) -> Result<NoticeView> {
        let stored = self.store.notice(id).await?;
        let party = self
            .notice_party(session, stored.record.department_id)
            .ok_or(AppError::NotFound("督办单 notice"))?;
        let notice = SupervisionNotice::replay(&stored.events).map_err(corrupt)?;
        Ok(NoticeView {
            stored,
            notice,
            party: (party != NoticeParty::System).then_some(party),
        })
    }

    /// Notices: every one for supervisors and system administrators, a department's own for
    /// its staff.
    pub async fn list_notices(
        &self,
        session: &Session,
        closed: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<NoticeRecord>, i64)> {
        let department = if session.staff.roles.iter().any(|r| r.sees_everything()) {
            None
        } else {
            Some(session.staff.department_id.ok_or(AppError::RoleRequired {
                role: Role::Supervisor,
            })?)
        };
        Ok(self
            .store
            .notices(&NoticeFilter {
                department,
                closed,
                limit,
                offset,
            })
            .await?)
    }

    /// Opens a supervision notice on a finding (a supervisor's act; the sweep opens the rest).
    pub async fn open_notice(&self, session: &Session, finding_id: i64) -> Result<i64> {
        session.require(Role::Supervisor)?;
        self.open_notice_as(finding_id, NoticeParty::Supervisor, Some(session.staff.id))
            .await
    }

    async fn open_notice_as(
        &self,
        finding_id: i64,
        party: NoticeParty,
        actor: Option<StaffId>,
    ) -> Result<i64> {
        let plan = self
            .plan_supervision_notice(finding_id, party, actor, &mut HashMap::new())
            .await?;
        let ids = self.open_notices(vec![plan]).await?;
        ids.first()
            .copied()
            .ok_or(AppError::NotFound("督办单 notice"))
    }

    /// Everything to open a notice on a finding but the write: the notice's first event and
    /// whom it tells (the department's officers and approvers at the handling unit, read
    /// once per sweep through `officers`).
    async fn plan_supervision_notice(
        &self,
        finding_id: i64,
        party: NoticeParty,
        actor: Option<StaffId>,
        officers: &mut HashMap<(DepartmentId, UnitId), Vec<StaffContact>>,
    ) -> Result<NoticePlan> {
        let (finding, department) = self.store.finding(finding_id).await?;
        let now = self.now();
        let kind = open(
            &finding,
            party,
            &self.supervision_rules,
            &self.calendar(),
            now,
        )?;
        let event = NoticeEvent {
            seq: 1,
            at: now,
            party,
            actor,
            kind,
        };
        let notice = SupervisionNotice::replay(std::slice::from_ref(&event)).map_err(corrupt)?;
        let case = self.store.case_summary(finding.case_id).await?;
        let key = (department, case.handling_unit_id);
        if let Entry::Vacant(slot) = officers.entry(key) {
            slot.insert(self.officers_to_tell(key.0, key.1).await?);
        }
        Ok(NoticePlan {
            finding_id,
            case_id: case.id,
            department,
            number: case.number.to_string(),
            kind: finding.kind,
            staff: officers[&key].clone(),
            event,
            notice,
        })
    }

    /// Opens planned notices in one transaction, each with its SMS to the department.
    /// Returns their ids; none is opened if one of the findings got a notice meanwhile
    /// ([`AppError::Duplicate`]).
    async fn open_notices(&self, plans: Vec<NoticePlan>) -> Result<Vec<i64>> {
        let now = self.now();
        Ok(self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let mut ids = Vec::with_capacity(plans.len());
                    let mut messages = Vec::with_capacity(plans.len());
                    for plan in &plans {
                        let id = tx
                            .insert_notice(
                                plan.finding_id,
                                plan.case_id,
                                plan.department,
                                &plan.event,
                                &plan.notice,
                            )
                            .await?;
                        let news = NoticeNews::Opened {
                            finding: plan.kind.name_zh(),
                        };
                        messages.push(notice_messages(
                            plan.case_id,
                            id,
                            &plan.number,
                            news,
                            plan.notice.due,
                            &plan.staff,
                        ));
                        ids.push(id);
                    }
                    let writes: Vec<(Option<CaseId>, &[PlannedMessage])> = plans
                        .iter()
                        .zip(&messages)
                        .map(|(plan, planned)| (Some(plan.case_id), planned.as_slice()))
                        .collect();
                    crate::notify::enqueue_many(tx, &writes, now).await?;
                    Ok(ids)
                })
            })
            .await?)
    }

    /// Acts on a notice read at `expected_version`: the department replies; the supervisor
    /// returns a reply, escalates or closes.
    pub async fn act_on_notice(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        action: &NoticeAction,
    ) -> Result<NoticeView> {
        let view = self.notice_view(session, id).await?;
        let party = view.party.ok_or(AppError::RoleRequired {
            role: Role::Supervisor,
        })?;
        self.apply_notice_action(
            view,
            expected_version,
            action,
            party,
            Some(session.staff.id),
        )
        .await?;
        self.notice_view(session, id).await
    }

    async fn apply_notice_action(
        &self,
        view: NoticeView,
        expected_version: u32,
        action: &NoticeAction,
        party: NoticeParty,
        actor: Option<StaffId>,
    ) -> Result<()> {
        if view.stored.record.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let now = self.now();
        let kinds = decide(&view.notice, action, party, now, &self.calendar())?;
        let mut notice = view.notice;
        let mut events = Vec::new();
        for kind in kinds {
            let event = NoticeEvent {
                seq: notice.version + 1,
                at: now,
                party,
                actor,
                kind,
            };
            notice.apply(&event).map_err(corrupt)?;
            events.push(event);
        }
        let id = view.stored.record.id;
        let record = &view.stored.record;
        let (case_id, number) = (record.case_id, record.case_number.clone());
        // A card (escalation) is told to the department's officers and approvers and to the
        // supervisors, in the same transaction.
        let mut planned = Vec::new();
        for event in &events {
            if let NoticeEventKind::Escalated { to, due, .. } = &event.kind {
                let handling = self.store.case_summary(case_id).await?.handling_unit_id;
                let mut told = self
                    .officers_to_tell(record.department_id, handling)
                    .await?;
                for supervisor in self.supervisors_to_tell().await? {
                    if !told.iter().any(|s| s.id == supervisor.id) {
                        told.push(supervisor);
                    }
                }
                let news = NoticeNews::Escalated {
                    seq: event.seq,
                    card: to.name_zh(),
                };
                planned.extend(notice_messages(case_id, id, &number, news, *due, &told));
            }
        }
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_notice_events(id, expected_version, &events, &notice)
                        .await?;
                    crate::notify::enqueue_planned(tx, case_id, &planned, now).await?;
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }

    /// The sweep's part on notices: opens one for every irregularity that has none, and
    /// escalates those whose reply deadline passed. Returns (opened, escalated).
    pub async fn sweep_notices(&self) -> Result<(usize, usize)> {
        let mut opened = 0;
        let mut officers = HashMap::new();
        let findings = self.store.findings_without_notice().await?;
        // A transaction per batch: one commit each, not one per notice.
        for batch in findings.chunks(NOTICE_BATCH) {
            let mut plans = Vec::with_capacity(batch.len());
            for finding in batch {
                plans.push(
                    self.plan_supervision_notice(
                        *finding,
                        NoticeParty::System,
                        None,
                        &mut officers,
                    )
                    .await?,
                );
            }
            match self.open_notices(plans).await {
                Ok(ids) => opened += ids.len(),
                // A supervisor opened one of them meanwhile: one by one, skipping it.
                Err(AppError::Duplicate(_)) => {
                    for finding in batch {
                        match self
                            .open_notice_as(*finding, NoticeParty::System, None)
                            .await
                        {
                            Ok(_) => opened += 1,
                            Err(AppError::Duplicate(_)) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let mut escalated = 0;
        let calendar = self.calendar();
        let today = liandong_domain::calendar::china_date(self.now());
        for id in self.store.notices_past_due(today).await? {
            let stored = self.store.notice(id).await?;
            let notice = SupervisionNotice::replay(&stored.events).map_err(corrupt)?;
            if let Some(action) = due_escalation(&notice, &calendar, self.now()) {
                let version = stored.record.version;
                let view = NoticeView {
                    stored,
                    notice,
                    party: Some(NoticeParty::System),
                };
                match self
                    .apply_notice_action(view, version, &action, NoticeParty::System, None)
                    .await
                {
                    Ok(()) => escalated += 1,
                    // Someone acted meanwhile: the next sweep looks again.
                    Err(AppError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok((opened, escalated))
    }
}
