//! Findings: the irregularities of rules.md ("Warnings and corrections") that a case's
//! events, its clocks or its fees reveal.
//!
//! Two paths find them. The event path ([`findings_on_event`]) runs when an event is
//! appended; the sweep ([`sweep`]) runs over open cases every minute or so and finds what
//! time alone brings about. A time-based irregularity is usually seen by both (the sweep
//! sees a step run out; later the step's officer acts, and the event shows the step ended
//! late), so each finding carries a [`Finding::dedup_key`] built from the irregularity
//! itself, never from the path, the moment of detection or the numbers in its text. A store
//! opens a finding only for a key it has not seen.
//!
//! # Dedup keys
//!
//! `case:{case id}:{kind}` followed, where one case can have several of a kind, by what
//! tells them apart:
//!
//! | kind | key |
//! | --- | --- |
//! | `case_overdue`, `left_untouched`, `supplement_repeated`, `refusal_without_grounds`, `intake_refused`, `denied`, `terminated`, `fees_unreconciled` | `case:{id}:{kind}` (at most one per case) |
//! | `step_overdue` | `case:{id}:step_overdue:{step}:{ms}`, `ms` the epoch milliseconds the step was entered (a step entered again after a return is a new period) |
//! | `pause_too_long`, `suspended` | `case:{id}:{kind}:{ms}`, `ms` the epoch milliseconds the special procedure started |
//! | `returns_repeated` | `case:{id}:returns_repeated:{step}`, the step the returns were made from |
//! | `step_out_of_order` | `case:{id}:step_out_of_order:{seq}`, the event's sequence number |
//! | `fee_off_standard` | `case:{id}:fee_off_standard:{fee name}` (the name trimmed; it may contain `:`, it is the last part) |
//!
//! Instants in keys are those sealed in the events (milliseconds), so keys are the same
//! however often they are computed.
//!
//! A dead camera's finding (`camera_offline`) is about a camera, not a case: its key is
//! `camera:{camera id}:camera_offline:{ms}`, `ms` the outage's first failed probe
//! ([`crate::video::outage_finding`]). A complaint whose decision on acceptance is late
//! (`appeal_acceptance_overdue`) is about an appeal: `appeal:{appeal id}:appeal_acceptance_overdue`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::SupervisionRules;
use crate::calendar::WorkingCalendar;
use crate::case::deadline::{ClockReading, case_clock, read_clock, step_clock};
use crate::case::{
    Case, CaseEvent, CaseState, EventKind, HistoryError, PauseReason, Timing, WarningLevel,
    WarningRules,
};
use crate::catalog::{ItemCode, ServiceItem, StepKind};
use crate::organization::{CaseId, Role, string_enum};

/// The irregularities the rules detect. Each one cites the line of rules.md ("Warnings and
/// corrections") it implements.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// "Exceeding the committed time": the case clock (committed limit plus extensions,
    /// pauses not counted) ran out, whether the case is still open (sweep) or was decided or
    /// withdrawn after its deadline (event). One finding per case.
    CaseOverdue,
    /// "Step deadlines matter on their own: a step overdue is an irregularity even when the
    /// case is still within its limit": the step ran past its share of the limit.
    StepOverdue,
    /// A step taken out of the item's order (the process conformity the evaluation weighs):
    /// an event that enters or acts on a step the item's steps do not lead to, a return to a
    /// step that is not earlier, a conclusion without a decision, a second acceptance.
    StepOutOfOrder,
    /// A special procedure (Art 45) that stopped the clock longer than the working days the
    /// applicant was told in writing: the stated days are what the law lets go uncounted.
    PauseTooLong,
    /// "A second supplement notice on the same case breaks the one-time rule" (Art 32: tell
    /// the applicant everything missing at once).
    SupplementRepeated,
    /// A case accepted and then left without any action for more than
    /// [`SupervisionRules::untouched_days`] working days.
    LeftUntouched,
    /// "Refusing without reasons or legal basis": an intake refusal or a denial whose
    /// reason or legal basis is blank or too short to be one.
    RefusalWithoutGrounds,
    /// "Every refusal of intake … (always reviewed)": routine review, not a fault by itself.
    IntakeRefused,
    /// "… and every denial (always reviewed)": routine review, not a fault by itself.
    Denied,
    /// "Returns (退回) repeated on the same step": the same step sent the case back
    /// [`SupervisionRules::repeated_returns`] times or more.
    ReturnsRepeated,
    /// "Suspensions …": every special procedure stops the clock and is reviewed; a
    /// suspension is how a deadline is dodged.
    Suspended,
    /// "… and terminations": every case withdrawn after acceptance is reviewed; a
    /// withdrawal is how an overdue case disappears.
    Terminated,
    /// "Fees charged without authority or off the item's standard": a fee the item does not
    /// list, or charged at another amount than its standard.
    FeeOffStandard,
    /// "Fees receivable ≠ fees received".
    FeesUnreconciled,
    /// A camera of the video monitoring (视频监控) dead: its snapshot failed
    /// [`crate::video::HealthRules::dead_after`] probes in a row. About a camera and its
    /// unit, not a case: one finding per outage ([`crate::video::outage_finding`]).
    CameraOffline,
    /// A complaint about the service left without the efficiency complaint center's decision
    /// on acceptance past its five working days (rules.md, "Appeals (三项制度)"). About an
    /// appeal and the center's unit, not a case: one per complaint
    /// ([`crate::appeal::acceptance_overdue_finding`]).
    AppealAcceptanceOverdue,
}
string_enum!(FindingKind {
    CaseOverdue => "case_overdue",
    StepOverdue => "step_overdue",
    StepOutOfOrder => "step_out_of_order",
    PauseTooLong => "pause_too_long",
    SupplementRepeated => "supplement_repeated",
    LeftUntouched => "left_untouched",
    RefusalWithoutGrounds => "refusal_without_grounds",
    IntakeRefused => "intake_refused",
    Denied => "denied",
    ReturnsRepeated => "returns_repeated",
    Suspended => "suspended",
    Terminated => "terminated",
    FeeOffStandard => "fee_off_standard",
    FeesUnreconciled => "fees_unreconciled",
    CameraOffline => "camera_offline",
    AppealAcceptanceOverdue => "appeal_acceptance_overdue",
});

impl FindingKind {
    /// Every kind, in declaration order.
    pub const ALL: [FindingKind; 16] = [
        FindingKind::CaseOverdue,
        FindingKind::StepOverdue,
        FindingKind::StepOutOfOrder,
        FindingKind::PauseTooLong,
        FindingKind::SupplementRepeated,
        FindingKind::LeftUntouched,
        FindingKind::RefusalWithoutGrounds,
        FindingKind::IntakeRefused,
        FindingKind::Denied,
        FindingKind::ReturnsRepeated,
        FindingKind::Suspended,
        FindingKind::Terminated,
        FindingKind::FeeOffStandard,
        FindingKind::FeesUnreconciled,
        FindingKind::CameraOffline,
        FindingKind::AppealAcceptanceOverdue,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::CaseOverdue => "办件超期",
            Self::StepOverdue => "环节超时",
            Self::StepOutOfOrder => "环节顺序异常",
            Self::PauseTooLong => "特别程序超时",
            Self::SupplementRepeated => "多次补正告知",
            Self::LeftUntouched => "受理后未办理",
            Self::RefusalWithoutGrounds => "拒绝理由或依据不全",
            Self::IntakeRefused => "不予受理审查",
            Self::Denied => "不予许可审查",
            Self::ReturnsRepeated => "同一环节多次退回",
            Self::Suspended => "暂停计时审查",
            Self::Terminated => "终止办理审查",
            Self::FeeOffStandard => "违规收费",
            Self::FeesUnreconciled => "应收实收不符",
            Self::CameraOffline => "摄像机离线",
            Self::AppealAcceptanceOverdue => "投诉受理决定超期",
        }
    }

    /// Routine reviews rules.md asks for every time (refusals, denials, suspensions,
    /// terminations): a finding to look at, not yet a fault. The others are faults.
    pub fn always_reviewed(self) -> bool {
        matches!(
            self,
            Self::IntakeRefused | Self::Denied | Self::Suspended | Self::Terminated
        )
    }

    /// Whether a finding of this kind is about a case (all but the camera's): only those
    /// have a department to answer, a supervision notice and a place in the evaluation.
    pub fn about_case(self) -> bool {
        !matches!(self, Self::CameraOffline | Self::AppealAcceptanceOverdue)
    }

    /// Whether the sweep finds this kind (time alone brings it about); the event path
    /// finds every kind but the fee kinds, which have their own checks.
    pub fn time_based(self) -> bool {
        matches!(
            self,
            Self::CaseOverdue | Self::StepOverdue | Self::LeftUntouched | Self::PauseTooLong
        )
    }
}

/// Who answers for a finding: the item's department, and the role that acted or should
/// have (the step's role, the window clerk at intake and for fees).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsibleParty {
    /// The department's code, as the item names it.
    pub department_code: String,
    pub role: Role,
}

/// One irregularity found on one case.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub case_id: CaseId,
    pub item_code: ItemCode,
    /// The step concerned, if any.
    pub step: Option<StepKind>,
    /// When the irregularity happened: the event's instant, or, for a deadline, the close
    /// of the last working day allowed. The notice's 5 working days count from it.
    pub occurred_at: DateTime<Utc>,
    /// When a rule saw it: the event's instant, or the sweep's `now`.
    pub detected_at: DateTime<Utc>,
    pub responsible: ResponsibleParty,
    pub description_zh: String,
    pub description_en: String,
    /// The deadline it rests on counts days of a year with no holiday notice loaded; check
    /// again when the notice is loaded (rules.md: never present a provisional date as final).
    pub provisional: bool,
    /// The same irregularity always has the same key, whichever path finds it (see the
    /// module documentation for its shape).
    pub dedup_key: String,
}

/// A fee charged on a case, as the fee window records it (case events do not carry fees).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeCharge {
    /// The fee's name, as in the item's fee standards.
    pub fee_name: String,
    /// Negative for a refund.
    pub amount_fen: i64,
}

/// Why findings cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindingError {
    #[error("办件与所给事项不符 / the item given is not the case's item")]
    WrongItem,
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// The dedup key of a finding: `case:{id}:{kind}` and its distinguishing parts.
fn dedup_key(case_id: CaseId, kind: FindingKind, parts: &[&str]) -> String {
    let mut key = format!("case:{case_id}:{kind}");
    for part in parts {
        key.push(':');
        key.push_str(part);
    }
    key
}

fn step_zh(step: StepKind) -> &'static str {
    match step {
        StepKind::Handle => "承办",
        StepKind::Review => "审核",
        StepKind::Approve => "批准",
    }
}

/// The role that takes `step` on `item`; for a step the item lacks, the role the step
/// naturally belongs to.
fn step_role(item: &ServiceItem, step: StepKind) -> Role {
    item.step(step).map_or(
        match step {
            StepKind::Handle => Role::HandlingOfficer,
            StepKind::Review => Role::Reviewer,
            StepKind::Approve => Role::Approver,
        },
        |s| s.role,
    )
}

/// Non-whitespace characters: what a reason or a legal basis says.
pub(crate) fn meaningful_chars(text: &str) -> u32 {
    let count = text.chars().filter(|c| !c.is_whitespace()).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Fen as yuan with two decimals, e.g. `-12.05`.
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// What every finding of one case shares.
struct Ctx<'a> {
    case_id: CaseId,
    item: &'a ServiceItem,
    calendar: &'a WorkingCalendar,
    rules: &'a SupervisionRules,
}

/// A finding before the context fills in the rest.
struct Draft {
    kind: FindingKind,
    step: Option<StepKind>,
    role: Role,
    occurred_at: DateTime<Utc>,
    zh: String,
    en: String,
    provisional: bool,
    key_parts: Vec<String>,
}

impl Ctx<'_> {
    fn finding(&self, draft: Draft, detected_at: DateTime<Utc>) -> Finding {
        let parts: Vec<&str> = draft.key_parts.iter().map(String::as_str).collect();
        Finding {
            kind: draft.kind,
            case_id: self.case_id,
            item_code: self.item.code.clone(),
            step: draft.step,
            occurred_at: draft.occurred_at,
            detected_at,
            responsible: ResponsibleParty {
                department_code: self.item.department_code.clone(),
                role: draft.role,
            },
            description_zh: format!("{}：{}", draft.kind.name_zh(), draft.zh),
            description_en: draft.en,
            provisional: draft.provisional,
            dedup_key: dedup_key(self.case_id, draft.kind, &parts),
        }
    }

    /// The red verdict of a clock, as a deadline finding's time and provisional flag.
    fn red(reading: &ClockReading, fallback: DateTime<Utc>) -> Option<(DateTime<Utc>, bool)> {
        (reading.level == WarningLevel::Red)
            .then(|| (reading.due_at.unwrap_or(fallback), reading.provisional))
    }

    // -------------------------------------------------------------------------------
    // The time-based rules, each reading `case` as it stands at `at`. The sweep reads the
    // open case at `now`; the event path reads the case as it was just before the event
    // that ends the period, at the event's instant. Same function, same key.

    /// Red only depends on the limit, never on the yellow thresholds: the defaults do.
    fn case_overdue(&self, case: Timing<'_>, at: DateTime<Utc>) -> Option<Draft> {
        let reading = case_clock(case, self.item, self.calendar, &WarningRules::default(), at)?;
        let (occurred_at, provisional) = Self::red(&reading, at)?;
        let step = case
            .state
            .step()
            .or(case.resume_state.and_then(CaseState::step));
        Some(Draft {
            kind: FindingKind::CaseOverdue,
            step,
            role: step.map_or(Role::Approver, |s| step_role(self.item, s)),
            occurred_at,
            zh: format!(
                "承诺时限{}个工作日（含延期{}个工作日），已用{}个工作日",
                reading.limit_days, case.extension_days, reading.used_days
            ),
            en: format!(
                "case past its committed limit: {} working days used of {} (extensions of {} included)",
                reading.used_days, reading.limit_days, case.extension_days
            ),
            provisional,
            key_parts: Vec::new(),
        })
    }

    fn step_overdue(&self, case: Timing<'_>, at: DateTime<Utc>) -> Option<Draft> {
        let reading = step_clock(case, self.item, self.calendar, &WarningRules::default(), at)?;
        let (occurred_at, provisional) = Self::red(&reading, at)?;
        let step = case.step_state()?.step()?;
        let started = case.step_started_at?;
        Some(Draft {
            kind: FindingKind::StepOverdue,
            step: Some(step),
            role: step_role(self.item, step),
            occurred_at,
            zh: format!(
                "{}环节时限{}个工作日，已用{}个工作日",
                step_zh(step),
                reading.limit_days,
                reading.used_days
            ),
            en: format!(
                "step `{step}` past its share of the limit: {} working days used of {}",
                reading.used_days, reading.limit_days
            ),
            provisional,
            key_parts: vec![step.to_string(), started.timestamp_millis().to_string()],
        })
    }

    fn pause_too_long(&self, case: Timing<'_>, at: DateTime<Utc>) -> Option<Draft> {
        let pause = case.open_pause()?;
        let PauseReason::SpecialProcedure {
            procedure,
            stated_days,
        } = pause.reason
        else {
            return None;
        };
        // The stated days count like any limit: from the day after the procedure started
        // (after hours, from the next working period), to the close of the last one.
        let reading = read_clock(
            self.calendar,
            &WarningRules::default(),
            pause.started_at,
            &[],
            None,
            stated_days,
            at,
        );
        let (occurred_at, provisional) = Self::red(&reading, at)?;
        let step = case.resume_state.and_then(CaseState::step);
        Some(Draft {
            kind: FindingKind::PauseTooLong,
            step,
            role: step.map_or(Role::Approver, |s| step_role(self.item, s)),
            occurred_at,
            zh: format!(
                "{}告知{}个工作日，已停止计时{}个工作日",
                procedure.name_zh(),
                stated_days,
                reading.used_days
            ),
            en: format!(
                "special procedure `{procedure}` stopped the clock for {} working days, {} stated",
                reading.used_days, stated_days
            ),
            provisional,
            key_parts: vec![pause.started_at.timestamp_millis().to_string()],
        })
    }

    fn left_untouched(&self, case: Timing<'_>, at: DateTime<Utc>) -> Option<Draft> {
        if !untouched_since_acceptance(case) {
            return None;
        }
        let accepted = case.accepted_at?;
        let days = self.rules.untouched_days_for(&self.item.code);
        let reading = read_clock(
            self.calendar,
            &WarningRules::default(),
            accepted,
            &[],
            None,
            days,
            at,
        );
        let (occurred_at, provisional) = Self::red(&reading, at)?;
        let step = case.state.step();
        Some(Draft {
            kind: FindingKind::LeftUntouched,
            step,
            role: step.map_or(Role::HandlingOfficer, |s| step_role(self.item, s)),
            occurred_at,
            zh: format!(
                "受理后{}个工作日无任何办理（限{}个工作日）",
                reading.used_days, days
            ),
            en: format!(
                "no action for {} working days since acceptance ({days} allowed)",
                reading.used_days
            ),
            provisional,
            key_parts: Vec::new(),
        })
    }
}

/// Whether nothing has happened to an accepted, open case since its acceptance, read from
/// its fold alone: still at the step it entered on acceptance, no step entered since, no
/// decision, no extension, no pause started since. (Every event after acceptance leaves
/// one of these traces; the tests check it against the histories.)
pub(super) fn untouched_since_acceptance<'a>(case: impl Into<Timing<'a>>) -> bool {
    let case = case.into();
    let Some(accepted) = case.accepted_at else {
        return false;
    };
    !case.state.is_closed()
        && case.state.step().is_some()
        && case.step_started_at == Some(accepted)
        && case.decided_at.is_none()
        && case.extensions_granted == 0
        && case.pauses.iter().all(|p| p.started_at < accepted)
}

/// The time-based findings of an open case at `now`: overdue case, overdue step, left
/// untouched since acceptance, special procedure past its stated days. A closed case has
/// none (the event that closed it reported what it revealed). Running it again finds the
/// same keys; running it later finds at least as many, until an event changes the case.
pub fn sweep(
    case_id: CaseId,
    case: &Case,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, FindingError> {
    if case.item_code != item.code {
        return Err(FindingError::WrongItem);
    }
    Ok(sweep_timing(
        case_id,
        case.into(),
        item,
        calendar,
        rules,
        now,
    ))
}

/// [`sweep`] from the case's time facts alone (a [`crate::case::ClockSnapshot`] kept with
/// the case row): the one implementation of the time-based rules. `item` must be the item
/// version the case was received under.
pub fn sweep_timing(
    case_id: CaseId,
    case: Timing<'_>,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    if case.state.is_closed() {
        return Vec::new();
    }
    let ctx = Ctx {
        case_id,
        item,
        calendar,
        rules,
    };
    let drafts = [
        ctx.case_overdue(case, now),
        ctx.step_overdue(case, now),
        ctx.left_untouched(case, now),
        ctx.pause_too_long(case, now),
    ];
    drafts
        .into_iter()
        .flatten()
        .map(|d| ctx.finding(d, now))
        .collect()
}

/// The findings the last event of `history` reveals. `history` is the case's whole
/// history, the new event last (earlier events are needed to count returns per step).
pub fn findings_on_event(
    case_id: CaseId,
    history: &[CaseEvent],
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
) -> Result<Vec<Finding>, FindingError> {
    let last = history.len().saturating_sub(1);
    scan(case_id, history, item, calendar, rules, last)
}

/// The findings every event of `history` revealed, in order: for checking cases handled
/// before these rules were switched on, or after they changed. The same as calling
/// [`findings_on_event`] on each prefix of the history.
pub fn findings_in_history(
    case_id: CaseId,
    history: &[CaseEvent],
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
) -> Result<Vec<Finding>, FindingError> {
    scan(case_id, history, item, calendar, rules, 0)
}

/// Folds `history`, collecting the findings of the events from index `from` on.
fn scan(
    case_id: CaseId,
    history: &[CaseEvent],
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    rules: &SupervisionRules,
    from: usize,
) -> Result<Vec<Finding>, FindingError> {
    let (first, rest) = history.split_first().ok_or(HistoryError {
        seq: 1,
        message: "empty history",
    })?;
    let mut case = Case::replay([first])?;
    if case.item_code != item.code {
        return Err(FindingError::WrongItem);
    }
    let ctx = Ctx {
        case_id,
        item,
        calendar,
        rules,
    };
    let mut returns_from: BTreeMap<StepKind, u32> = BTreeMap::new();
    let mut out = Vec::new();
    for (index, event) in (1usize..).zip(rest) {
        let before = case.clone();
        case.apply(event)?;
        if matches!(event.kind, EventKind::Returned { .. })
            && let Some(step) = before.state.step()
        {
            *returns_from.entry(step).or_default() += 1;
        }
        if index >= from {
            let drafts = event_drafts(&ctx, &before, event, &case, &returns_from);
            out.extend(drafts.into_iter().map(|d| ctx.finding(d, event.at)));
        }
    }
    Ok(out)
}

/// What one event reveals, given the case just before and just after it.
fn event_drafts(
    ctx: &Ctx<'_>,
    before: &Case,
    event: &CaseEvent,
    after: &Case,
    returns_from: &BTreeMap<StepKind, u32>,
) -> Vec<Draft> {
    let at = event.at;
    let item = ctx.item;
    let mut out = Vec::new();
    let routine =
        |kind: FindingKind, step: Option<StepKind>, role: Role, zh: String, en: String| Draft {
            kind,
            step,
            role,
            occurred_at: at,
            zh,
            en,
            provisional: false,
            key_parts: Vec::new(),
        };

    if let Some(draft) = out_of_order(item, before, event) {
        out.push(draft);
    }

    match &event.kind {
        EventKind::IntakeRefused {
            reason,
            legal_basis,
        } => {
            out.push(routine(
                FindingKind::IntakeRefused,
                None,
                Role::WindowClerk,
                format!("理由：{reason}；依据：{legal_basis}"),
                "intake refused: every refusal is reviewed".into(),
            ));
            out.extend(grounds(
                ctx,
                None,
                Role::WindowClerk,
                reason,
                legal_basis,
                at,
            ));
        }
        EventKind::Denied {
            reason,
            legal_basis,
        } => {
            let role = step_role(item, StepKind::Approve);
            out.push(routine(
                FindingKind::Denied,
                Some(StepKind::Approve),
                role,
                format!("理由：{reason}；依据：{legal_basis}"),
                "application denied: every denial is reviewed".into(),
            ));
            out.extend(grounds(
                ctx,
                Some(StepKind::Approve),
                role,
                reason,
                legal_basis,
                at,
            ));
        }
        EventKind::SupplementRequested { missing, .. } if after.supplement_notices > 1 => {
            // Before acceptance the window tells what is missing; after, the step at work.
            let step = before.accepted_at.and(before.state.step());
            out.push(routine(
                FindingKind::SupplementRepeated,
                step,
                step.map_or(Role::WindowClerk, |s| step_role(item, s)),
                format!(
                    "第{}次补正告知（{}），一次性告知制度要求一次告知全部",
                    after.supplement_notices,
                    missing.join("、")
                ),
                format!(
                    "supplement notice number {} on one case: everything missing is to be told at once",
                    after.supplement_notices
                ),
            ));
        }
        EventKind::Returned { to, .. } => {
            if let Some(from) = before.state.step() {
                let count = returns_from.get(&from).copied().unwrap_or(0);
                if count >= ctx.rules.repeated_returns_threshold() {
                    let mut draft = routine(
                        FindingKind::ReturnsRepeated,
                        Some(from),
                        step_role(item, from),
                        format!(
                            "{}环节第{}次退回（本次退回至{}）",
                            step_zh(from),
                            count,
                            step_zh(*to)
                        ),
                        format!(
                            "step `{from}` returned the case for the {count}th time (to `{to}`)"
                        ),
                    );
                    draft.key_parts = vec![from.to_string()];
                    out.push(draft);
                }
            }
        }
        EventKind::SpecialProcedureStarted {
            procedure,
            stated_days,
            reason,
        } => {
            let step = before.state.step();
            let mut draft = routine(
                FindingKind::Suspended,
                step,
                step.map_or(Role::Approver, |s| step_role(item, s)),
                format!(
                    "{}，告知{}个工作日，事由：{}",
                    procedure.name_zh(),
                    stated_days,
                    reason
                ),
                format!(
                    "clock stopped for `{procedure}`, {stated_days} working days stated: every suspension is reviewed"
                ),
            );
            draft.key_parts = vec![at.timestamp_millis().to_string()];
            out.push(draft);
        }
        EventKind::Withdrawn { reason } if before.accepted_at.is_some() => {
            let step = before
                .state
                .step()
                .or(before.resume_state.and_then(CaseState::step));
            out.push(routine(
                FindingKind::Terminated,
                step,
                step.map_or(Role::WindowClerk, |s| step_role(item, s)),
                format!("受理后撤回，理由：{reason}"),
                "case withdrawn after acceptance: every termination is reviewed".into(),
            ));
        }
        _ => {}
    }

    // The periods this event ends, read as they stood at its instant.
    if before.open_pause().is_some() && after.open_pause().is_none() {
        out.extend(ctx.pause_too_long(before.into(), at));
    }
    let leaves_step = matches!(
        event.kind,
        EventKind::Handled { .. }
            | EventKind::Reviewed { .. }
            | EventKind::Approved { .. }
            | EventKind::Denied { .. }
            | EventKind::Returned { .. }
            | EventKind::Withdrawn { .. }
    );
    if leaves_step {
        out.extend(ctx.step_overdue(before.into(), at));
    }
    let stops_case_clock = matches!(
        event.kind,
        EventKind::Approved { .. } | EventKind::Denied { .. } | EventKind::Withdrawn { .. }
    );
    if stops_case_clock && before.decided_at.is_none() {
        out.extend(ctx.case_overdue(before.into(), at));
    }
    out.extend(ctx.left_untouched(before.into(), at));
    out
}

/// `RefusalWithoutGrounds` when the reason or the legal basis is too short to be one.
fn grounds(
    ctx: &Ctx<'_>,
    step: Option<StepKind>,
    role: Role,
    reason: &str,
    legal_basis: &str,
    at: DateTime<Utc>,
) -> Option<Draft> {
    let reason_short = meaningful_chars(reason) < ctx.rules.min_reason_chars;
    let basis_short = meaningful_chars(legal_basis) < ctx.rules.min_legal_basis_chars;
    let (zh, en) = match (reason_short, basis_short) {
        (false, false) => return None,
        (true, false) => ("未说明理由", "no reason given"),
        (false, true) => ("未写明法律依据", "no legal basis given"),
        (true, true) => (
            "未说明理由和法律依据",
            "neither reason nor legal basis given",
        ),
    };
    Some(Draft {
        kind: FindingKind::RefusalWithoutGrounds,
        step,
        role,
        occurred_at: at,
        zh: format!(
            "{zh}（理由“{}”，依据“{}”）",
            reason.trim(),
            legal_basis.trim()
        ),
        en: format!("refused with {en}"),
        provisional: false,
        key_parts: Vec::new(),
    })
}

/// Whether `event` takes a step the item's steps do not lead to from where `before` stood.
fn out_of_order(item: &ServiceItem, before: &Case, event: &CaseEvent) -> Option<Draft> {
    let next_of = |kind: StepKind| item.step_after(kind).map_or(StepKind::Approve, |s| s.kind);
    let state = before.state;
    let (step, zh, en): (Option<StepKind>, String, String) = match &event.kind {
        EventKind::Accepted { first_step } => {
            let first = item.first_step().map_or(StepKind::Approve, |s| s.kind);
            if before.accepted_at.is_some() {
                (
                    Some(*first_step),
                    "办件被再次受理".into(),
                    "the case was accepted a second time".into(),
                )
            } else if *first_step != first {
                (
                    Some(*first_step),
                    format!(
                        "受理后进入{}环节，事项首个环节为{}",
                        step_zh(*first_step),
                        step_zh(first)
                    ),
                    format!(
                        "acceptance entered step `{first_step}`; the item starts with `{first}`"
                    ),
                )
            } else {
                return None;
            }
        }
        EventKind::Handled { next_step, .. } => at_step(
            item,
            state,
            StepKind::Handle,
            Some((*next_step, next_of(StepKind::Handle))),
        )?,
        EventKind::Reviewed { next_step, .. } => at_step(
            item,
            state,
            StepKind::Review,
            Some((*next_step, next_of(StepKind::Review))),
        )?,
        EventKind::Approved { .. } | EventKind::Denied { .. } => {
            at_step(item, state, StepKind::Approve, None)?
        }
        EventKind::Returned { to, .. } => match state.step() {
            Some(current) if *to < current && item.step(*to).is_some() => return None,
            current => (
                current,
                format!(
                    "在“{}”状态退回至{}环节，不是事项中此前的环节",
                    state.name_zh(),
                    step_zh(*to)
                ),
                format!("returned to `{to}` while {state}: not an earlier step of the item"),
            ),
        },
        EventKind::Concluded { .. } if state != CaseState::Decided => (
            None,
            format!("在“{}”状态办结，尚未作出决定", state.name_zh()),
            format!("concluded while {state}, before any decision"),
        ),
        _ => return None,
    };
    Some(Draft {
        kind: FindingKind::StepOutOfOrder,
        step,
        role: step.map_or(Role::WindowClerk, |s| step_role(item, s)),
        occurred_at: event.at,
        zh,
        en,
        provisional: false,
        key_parts: vec![event.seq.to_string()],
    })
}

/// An act of `step`: the item must have the step, the case must be at it, and the case must
/// go on to the item's next step (`next`: taken, expected).
fn at_step(
    item: &ServiceItem,
    state: CaseState,
    step: StepKind,
    next: Option<(StepKind, StepKind)>,
) -> Option<(Option<StepKind>, String, String)> {
    let name = step_zh(step);
    if item.step(step).is_none() {
        return Some((
            Some(step),
            format!("事项没有{name}环节，却办理了{name}"),
            format!("step `{step}` taken, but the item has no such step"),
        ));
    }
    if state != CaseState::at_step(step) {
        return Some((
            Some(step),
            format!("在“{}”状态办理了{name}", state.name_zh()),
            format!("step `{step}` taken while the case was {state}"),
        ));
    }
    match next {
        Some((taken, expected)) if taken != expected => Some((
            Some(step),
            format!(
                "{name}后转入{}环节，事项下一环节为{}",
                step_zh(taken),
                step_zh(expected)
            ),
            format!(
                "after `{step}` the case went to `{taken}`; the item's next step is `{expected}`"
            ),
        )),
        _ => None,
    }
}

/// Fees charged off the item's standard: for each fee name charged (trimmed, amounts of one
/// name added up, refunds negative), a `FeeOffStandard` finding when the item lists no such
/// fee and money was taken, or when the total is not the standard amount. A standard fee
/// that does not appear in `charges` was not charged: no finding (waivers are not judged
/// here; receivable against received is [`check_receipts`]).
pub fn check_charges(
    case_id: CaseId,
    item: &ServiceItem,
    charges: &[FeeCharge],
    at: DateTime<Utc>,
) -> Vec<Finding> {
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for charge in charges {
        let total = totals.entry(charge.fee_name.trim()).or_default();
        *total = total.saturating_add(charge.amount_fen);
    }
    totals
        .into_iter()
        .filter_map(|(name, total)| {
            let standard = item.fees.iter().find(|f| f.name.trim() == name);
            let (zh, en) = match standard {
                None if total == 0 => return None,
                None => (
                    format!("收取事项未列明的费用“{name}”{}元", yuan(total)),
                    format!(
                        "fee `{name}` of {} yuan charged: the item lists no such fee",
                        yuan(total)
                    ),
                ),
                Some(fee) if fee.amount_fen == total => return None,
                Some(fee) => (
                    format!(
                        "“{name}”收取{}元，收费标准为{}元",
                        yuan(total),
                        yuan(fee.amount_fen)
                    ),
                    format!(
                        "fee `{name}` charged at {} yuan; the standard is {} yuan",
                        yuan(total),
                        yuan(fee.amount_fen)
                    ),
                ),
            };
            Some(Finding {
                kind: FindingKind::FeeOffStandard,
                case_id,
                item_code: item.code.clone(),
                step: None,
                occurred_at: at,
                detected_at: at,
                responsible: ResponsibleParty {
                    department_code: item.department_code.clone(),
                    role: Role::WindowClerk,
                },
                description_zh: format!("{}：{zh}", FindingKind::FeeOffStandard.name_zh()),
                description_en: en,
                provisional: false,
                dedup_key: dedup_key(case_id, FindingKind::FeeOffStandard, &[name]),
            })
        })
        .collect()
}

/// Fees receivable against fees received on a case (the fee window's bill against what the
/// treasury account shows): a `FeesUnreconciled` finding when they differ.
pub fn check_receipts(
    case_id: CaseId,
    item: &ServiceItem,
    receivable_fen: i64,
    received_fen: i64,
    at: DateTime<Utc>,
) -> Option<Finding> {
    if receivable_fen == received_fen {
        return None;
    }
    let kind = FindingKind::FeesUnreconciled;
    Some(Finding {
        kind,
        case_id,
        item_code: item.code.clone(),
        step: None,
        occurred_at: at,
        detected_at: at,
        responsible: ResponsibleParty {
            department_code: item.department_code.clone(),
            role: Role::WindowClerk,
        },
        description_zh: format!(
            "{}：应收{}元，实收{}元",
            kind.name_zh(),
            yuan(receivable_fen),
            yuan(received_fen)
        ),
        description_en: format!(
            "fees receivable {} yuan, received {} yuan",
            yuan(receivable_fen),
            yuan(received_fen)
        ),
        provisional: false,
        dedup_key: dedup_key(case_id, kind, &[]),
    })
}
