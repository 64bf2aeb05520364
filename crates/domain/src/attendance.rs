//! Window duty and attendance (窗口出勤): a clerk signs on at a window and the window shows
//! as open, paused (with a reason) or away; late opening, unexplained absence, a window
//! closed during office hours, leaving early and over-long pauses are recorded; attendance
//! and window operation are summed up monthly, to be published beside the case figures
//! (the seed: 定期在网上公示办件、出勤、窗口运行情况).
//!
//! ```text
//!             sign_on               pause {reason}
//!   closed ─────────────► open ──────────────────────► paused
//!     ▲                   ▲  │ ◄──────── resume ─────────  │
//!     │            resume │  │ mark_away                   │ mark_away
//!     │                   │  ▼                             │
//!     │                   away ◄───────────────────────────┘
//!     └──── sign_off, from open, paused or away
//! ```
//!
//! * A clerk (窗口受理人员) signs on as themselves, at one window at a time. The clerk on
//!   duty pauses (with a reason from a fixed list, "other" with a note), resumes and signs
//!   off. The hall manager (the unit's administrator, [`Role::UnitAdmin`]) may pause or
//!   sign off a window, mark it away when an inspection (巡查) finds it unattended, and
//!   records approved leave (请假); only the clerk on duty resumes service.
//! * A duty lasts one China day: a window still signed on at midnight is closed from then.
//! * The day of one window is folded from its events into a [`DayRecord`]: minutes open,
//!   paused by reason, away and closed within the day's office hours (the lunch break is no
//!   office time), and the irregularities, judged against [`AttendanceRules`]. Times are
//!   taken to the whole minute, as a clock on the wall shows them. Rest days (weekends,
//!   holidays) have no office hours and no irregularities; an adjusted working weekend
//!   (调休上班) is a working day like any other.
//! * Approved leave excuses the window for the morning, the afternoon or the whole day.
//!
//! The rules and their defaults are explained in `docs/design/attendance.md`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{
    DayKind, OfficeHours, WorkingCalendar, china_date, china_datetime, china_offset,
};
use crate::evaluation::Month;
use crate::organization::{Actor, Role, StaffId, WindowId, string_enum};

/// What a window shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyState {
    /// A clerk is signed on and serving.
    Open,
    /// Signed on, service paused for a stated reason.
    Paused,
    /// Signed on, nobody at the window (离岗).
    Away,
    /// Nobody signed on.
    Closed,
}
string_enum!(DutyState {
    Open => "open",
    Paused => "paused",
    Away => "away",
    Closed => "closed",
});

impl DutyState {
    /// Every state, in the order the diagram reads.
    pub const ALL: [DutyState; 4] = [
        DutyState::Closed,
        DutyState::Open,
        DutyState::Paused,
        DutyState::Away,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Open => "服务中",
            Self::Paused => "暂停服务",
            Self::Away => "离岗",
            Self::Closed => "未开窗",
        }
    }

    /// Somebody is signed on.
    pub fn is_signed_on(self) -> bool {
        !matches!(self, Self::Closed)
    }
}

/// Why service is paused. Training and system failures are the hall's matter and are never
/// limited; the other reasons are the clerk's, and a pause for one of them longer than
/// [`AttendanceRules::max_pause_minutes`] is an irregularity.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DutyPauseReason))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// 业务咨询: answering or asking about a matter away from the counter.
    Consultation,
    /// 培训会议: a training or meeting the hall arranged.
    Training,
    /// 系统故障: the system or the equipment is down.
    SystemFailure,
    /// 临时外出: a short absence (water, toilet, a document fetched).
    ShortLeave,
    /// 其他: with a note.
    Other,
}
string_enum!(PauseReason {
    Consultation => "consultation",
    Training => "training",
    SystemFailure => "system_failure",
    ShortLeave => "short_leave",
    Other => "other",
});

impl PauseReason {
    pub const ALL: [PauseReason; 5] = [
        PauseReason::Consultation,
        PauseReason::Training,
        PauseReason::SystemFailure,
        PauseReason::ShortLeave,
        PauseReason::Other,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Consultation => "业务咨询",
            Self::Training => "培训会议",
            Self::SystemFailure => "系统故障",
            Self::ShortLeave => "临时外出",
            Self::Other => "其他",
        }
    }

    /// Whether a long pause for this reason is an irregularity: not for what the hall
    /// arranged (training) or what nobody at the window can help (a system failure).
    pub fn is_limited(self) -> bool {
        !matches!(self, Self::Training | Self::SystemFailure)
    }

    /// "Other" needs a note saying what.
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Other)
    }
}

/// Why the hall manager excuses a window: the categories of published hall attendance rules
/// (公假, 事假, 病假, 休假), the hall's own arrangement, or other (with a note).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// 公假: official business for the clerk's own department.
    OfficialBusiness,
    /// 事假: personal leave.
    Personal,
    /// 病假: sick leave.
    Sick,
    /// 休假: annual or other statutory leave.
    Annual,
    /// 大厅安排: the hall does not staff the window (a scheduled window's day off, the clerk
    /// lent to another post).
    HallArrangement,
    /// 其他: with a note.
    Other,
}
string_enum!(LeaveReason {
    OfficialBusiness => "official_business",
    Personal => "personal",
    Sick => "sick",
    Annual => "annual",
    HallArrangement => "hall_arrangement",
    Other => "other",
});

impl LeaveReason {
    pub const ALL: [LeaveReason; 6] = [
        LeaveReason::OfficialBusiness,
        LeaveReason::Personal,
        LeaveReason::Sick,
        LeaveReason::Annual,
        LeaveReason::HallArrangement,
        LeaveReason::Other,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::OfficialBusiness => "公假",
            Self::Personal => "事假",
            Self::Sick => "病假",
            Self::Annual => "休假",
            Self::HallArrangement => "大厅安排",
            Self::Other => "其他",
        }
    }

    pub fn needs_note(self) -> bool {
        matches!(self, Self::Other)
    }
}

/// The part of a day a leave covers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    WholeDay,
    /// The morning session of the office hours.
    Morning,
    /// The afternoon session.
    Afternoon,
}
string_enum!(DayPart {
    WholeDay => "whole_day",
    Morning => "morning",
    Afternoon => "afternoon",
});

impl DayPart {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::WholeDay => "全天",
            Self::Morning => "上午",
            Self::Afternoon => "下午",
        }
    }

    fn covers_morning(self) -> bool {
        matches!(self, Self::WholeDay | Self::Morning)
    }

    fn covers_afternoon(self) -> bool {
        matches!(self, Self::WholeDay | Self::Afternoon)
    }
}

/// Approved leave (请假) recorded by the hall manager: the window is excused for that part
/// of the day. Recorded only when nobody stands in; a stand-in simply signs on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    /// The China date excused.
    pub date: NaiveDate,
    pub part: DayPart,
    /// The clerk on leave; none for the hall's arrangement of an unstaffed window.
    #[serde(default)]
    pub clerk: Option<StaffId>,
    pub reason: LeaveReason,
    #[serde(default)]
    pub note: String,
}

/// The rules of attendance. Every number is local practice: a configurable default.
///
/// Missing keys take their defaults; unknown keys are an error, like the rest of the
/// configuration.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttendanceRules {
    /// Minutes after the opening within which a first sign-on is on time. Default 5: the
    /// published rule "签到时间5分钟以后签到的视为迟到": 9:05 is on time, 9:06 late.
    pub late_grace_minutes: u32,
    /// Minutes before the close within which a final sign-off is not leaving early.
    /// Default 5: "提前5分钟签退离岗的视为早退": 17:25 is fine, 17:24 is early.
    pub early_grace_minutes: u32,
    /// Office minutes a window may stay unattended (away, or signed off and on again) in
    /// one stretch before it counts as closed during office hours. Default 15: a short
    /// step away is not worth a record; a quarter of an hour of an empty window is.
    pub closed_threshold_minutes: u32,
    /// Office minutes one pause for a limited reason ([`PauseReason::is_limited`]) may
    /// last. Default 30.
    pub max_pause_minutes: u32,
    /// Working days after the day excused within which a leave may still be recorded
    /// (补登). Default 3: enough for a sick note, too short to rewrite a month.
    pub leave_record_days: u32,
}

impl Default for AttendanceRules {
    fn default() -> Self {
        AttendanceRules {
            late_grace_minutes: 5,
            early_grace_minutes: 5,
            closed_threshold_minutes: 15,
            max_pause_minutes: 30,
            leave_record_days: 3,
        }
    }
}

/// The longest note kept with a pause or a leave.
pub const MAX_NOTE_CHARS: usize = 200;

/// Why a duty action is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error(
        "窗口{}时不能{} / cannot {action} while the window is {state}",
        .state.name_zh(),
        .action.name_zh()
    )]
    NotAllowedNow {
        state: DutyState,
        action: DutyActionKind,
    },
    #[error("只有窗口受理人员可以签到上岗 / only a window clerk may sign on")]
    NotAWindowClerk,
    #[error(
        "只有当班窗口人员或大厅管理员可以操作 / only the clerk on duty or the hall manager may do this"
    )]
    NotOnDuty,
    #[error("只有当班窗口人员本人可以恢复服务 / only the clerk on duty may resume service")]
    NotTheClerkOnDuty,
    #[error("只有大厅管理员可以登记请假 / only the hall manager may record leave")]
    ManagerOnly,
    #[error(
        "已在另一窗口（{window}）上岗，请先在该窗口签退 / already on duty at window {window}: sign off there first"
    )]
    OnDutyElsewhere { window: WindowId },
    #[error("选择“其他”须填写说明 / `other` needs a note")]
    NoteRequired,
    #[error("说明不能超过200字 / a note is longer than 200 characters")]
    NoteTooLong,
    #[error("时间早于窗口的上一条记录 / earlier than the window's last record")]
    OutOfOrder,
    #[error("{date}不是工作日，无须请假 / {date} is not a working day")]
    LeaveOnRestDay { date: NaiveDate },
    #[error("{date}的请假已过补登期限 / leave for {date} can no longer be recorded")]
    LeaveTooLate { date: NaiveDate },
}

/// What is done at a window.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DutyAction {
    /// The clerk signs on (签到上岗) as themselves.
    SignOn,
    /// Service paused, for a reason.
    Pause {
        reason: PauseReason,
        #[serde(default)]
        note: String,
    },
    /// Service resumed by the clerk on duty, after a pause or back from away.
    Resume,
    /// Nobody at the window: the clerk steps away without a reason, or an inspection finds
    /// the window unattended.
    MarkAway,
    /// The clerk signs off (签退); the window is closed.
    SignOff,
    /// Approved leave excuses the window (any state; the hall manager only).
    RecordLeave {
        date: NaiveDate,
        part: DayPart,
        #[serde(default)]
        clerk: Option<StaffId>,
        reason: LeaveReason,
        #[serde(default)]
        note: String,
    },
}

/// The name of a [`DutyAction`], without its data.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyActionKind {
    SignOn,
    Pause,
    Resume,
    MarkAway,
    SignOff,
    RecordLeave,
}
string_enum!(DutyActionKind {
    SignOn => "sign_on",
    Pause => "pause",
    Resume => "resume",
    MarkAway => "mark_away",
    SignOff => "sign_off",
    RecordLeave => "record_leave",
});

impl DutyActionKind {
    pub const ALL: [DutyActionKind; 6] = [
        DutyActionKind::SignOn,
        DutyActionKind::Pause,
        DutyActionKind::Resume,
        DutyActionKind::MarkAway,
        DutyActionKind::SignOff,
        DutyActionKind::RecordLeave,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::SignOn => "签到上岗",
            Self::Pause => "暂停服务",
            Self::Resume => "恢复服务",
            Self::MarkAway => "标记离岗",
            Self::SignOff => "签退",
            Self::RecordLeave => "登记请假",
        }
    }

    /// The states the action may be taken in.
    pub fn allowed_in(self, state: DutyState) -> bool {
        use DutyState as S;
        match self {
            Self::SignOn => state == S::Closed,
            Self::Pause => state == S::Open,
            Self::Resume => matches!(state, S::Paused | S::Away),
            Self::MarkAway => matches!(state, S::Open | S::Paused),
            Self::SignOff => state.is_signed_on(),
            Self::RecordLeave => true,
        }
    }

    /// Who may take the action: `Ok` or the refusal, given the window's clerk on duty.
    fn check_actor(self, on_duty: Option<StaffId>, actor: &Actor) -> Result<(), AttendanceError> {
        let is_clerk_on_duty = on_duty == Some(actor.staff_id);
        let is_manager = is_hall_manager(actor);
        match self {
            Self::SignOn if actor.has_role(Role::WindowClerk) => Ok(()),
            Self::SignOn => Err(AttendanceError::NotAWindowClerk),
            Self::Resume if is_clerk_on_duty => Ok(()),
            Self::Resume => Err(AttendanceError::NotTheClerkOnDuty),
            Self::Pause | Self::MarkAway | Self::SignOff if is_clerk_on_duty || is_manager => {
                Ok(())
            }
            Self::Pause | Self::MarkAway | Self::SignOff => Err(AttendanceError::NotOnDuty),
            Self::RecordLeave if is_manager => Ok(()),
            Self::RecordLeave => Err(AttendanceError::ManagerOnly),
        }
    }
}

impl DutyAction {
    pub fn kind(&self) -> DutyActionKind {
        match self {
            Self::SignOn => DutyActionKind::SignOn,
            Self::Pause { .. } => DutyActionKind::Pause,
            Self::Resume => DutyActionKind::Resume,
            Self::MarkAway => DutyActionKind::MarkAway,
            Self::SignOff => DutyActionKind::SignOff,
            Self::RecordLeave { .. } => DutyActionKind::RecordLeave,
        }
    }
}

/// The hall manager: the administrator of the window's unit (the app checks the unit).
pub fn is_hall_manager(actor: &Actor) -> bool {
    actor.has_role(Role::UnitAdmin)
}

/// What happened at a window.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DutyEventKind {
    SignedOn,
    Paused {
        reason: PauseReason,
        #[serde(default)]
        note: String,
    },
    Resumed,
    MarkedAway,
    SignedOff,
    LeaveRecorded {
        leave: Leave,
    },
}

impl DutyEventKind {
    /// The stable name used in storage.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SignedOn => "signed_on",
            Self::Paused { .. } => "paused",
            Self::Resumed => "resumed",
            Self::MarkedAway => "marked_away",
            Self::SignedOff => "signed_off",
            Self::LeaveRecorded { .. } => "leave_recorded",
        }
    }

    /// The state the window is in after the event; `None` for a leave, which changes no
    /// state.
    pub fn state_after(&self) -> Option<DutyState> {
        match self {
            Self::SignedOn | Self::Resumed => Some(DutyState::Open),
            Self::Paused { .. } => Some(DutyState::Paused),
            Self::MarkedAway => Some(DutyState::Away),
            Self::SignedOff => Some(DutyState::Closed),
            Self::LeaveRecorded { .. } => None,
        }
    }
}

/// One event of a window's duty.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyEvent {
    pub window: WindowId,
    pub at: DateTime<Utc>,
    /// Who acted: the clerk, or the hall manager.
    pub by: StaffId,
    /// The clerk on duty: the one signing on, pausing, marked away or signed off; none for
    /// a leave recorded while nobody is on duty.
    pub clerk: Option<StaffId>,
    pub kind: DutyEventKind,
}

/// Where a window's duty stands: what its display shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDuty {
    pub window: WindowId,
    pub state: DutyState,
    /// The clerk signed on, while somebody is.
    pub clerk: Option<StaffId>,
    /// The last change of state.
    pub since: Option<DateTime<Utc>>,
    /// While paused: why, and the note.
    pub pause: Option<PauseReason>,
    pub note: String,
}

impl WindowDuty {
    /// A window nobody has signed on at.
    pub fn closed(window: WindowId) -> WindowDuty {
        WindowDuty {
            window,
            state: DutyState::Closed,
            clerk: None,
            since: None,
            pause: None,
            note: String::new(),
        }
    }

    /// The duty after `events` of the window, in the order given (others are skipped).
    pub fn replay<'a>(
        window: WindowId,
        events: impl IntoIterator<Item = &'a DutyEvent>,
    ) -> WindowDuty {
        let mut duty = WindowDuty::closed(window);
        for event in events {
            duty.apply(event);
        }
        duty
    }

    /// Folds one event in (an event of another window changes nothing).
    pub fn apply(&mut self, event: &DutyEvent) {
        if event.window != self.window {
            return;
        }
        let Some(state) = event.kind.state_after() else {
            return;
        };
        self.state = state;
        self.since = Some(event.at);
        match &event.kind {
            DutyEventKind::SignedOn => self.clerk = event.clerk,
            DutyEventKind::SignedOff => self.clerk = None,
            _ => {}
        }
        if let DutyEventKind::Paused { reason, note } = &event.kind {
            self.pause = Some(*reason);
            self.note.clone_from(note);
        } else {
            self.pause = None;
            self.note.clear();
        }
    }

    /// The duty as it stands at `at`: a duty begun on an earlier China day has lapsed at
    /// midnight, and the window is closed.
    pub fn as_of(&self, at: DateTime<Utc>) -> WindowDuty {
        let lapsed = self.state.is_signed_on()
            && self
                .since
                .is_some_and(|since| china_date(since) < china_date(at));
        if lapsed {
            WindowDuty {
                since: self.since,
                ..WindowDuty::closed(self.window)
            }
        } else {
            self.clone()
        }
    }
}

/// What a decision needs besides the duty and the action.
#[derive(Debug, Clone, Copy)]
pub struct DutyContext<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a Actor,
    /// Another window the actor is signed on at now, if any (the store knows).
    pub on_duty_elsewhere: Option<WindowId>,
    pub calendar: &'a WorkingCalendar,
    pub rules: &'a AttendanceRules,
}

/// A note trimmed and checked: required when `needed`, never longer than [`MAX_NOTE_CHARS`].
fn checked_note(note: &str, needed: bool) -> Result<String, AttendanceError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(AttendanceError::NoteTooLong);
    }
    if needed && !note.chars().any(char::is_alphanumeric) {
        return Err(AttendanceError::NoteRequired);
    }
    Ok(note.to_owned())
}

/// The actions `actor` may take at the window at `at` (what the clerk's desk offers).
pub fn allowed_actions(duty: &WindowDuty, actor: &Actor, at: DateTime<Utc>) -> Vec<DutyActionKind> {
    let duty = duty.as_of(at);
    DutyActionKind::ALL
        .into_iter()
        .filter(|kind| kind.allowed_in(duty.state) && kind.check_actor(duty.clerk, actor).is_ok())
        .collect()
}

/// Decides `action` at the window: the event to record, or why not.
///
/// Checked in order: the time (never before the window's last change), the state, who
/// acts, then the action's data.
pub fn decide(
    duty: &WindowDuty,
    action: &DutyAction,
    ctx: &DutyContext<'_>,
) -> Result<DutyEvent, AttendanceError> {
    let kind = action.kind();
    if kind != DutyActionKind::RecordLeave && duty.since.is_some_and(|since| ctx.at < since) {
        return Err(AttendanceError::OutOfOrder);
    }
    let duty = duty.as_of(ctx.at);
    if !kind.allowed_in(duty.state) {
        return Err(AttendanceError::NotAllowedNow {
            state: duty.state,
            action: kind,
        });
    }
    kind.check_actor(duty.clerk, ctx.actor)?;
    let event = |clerk: Option<StaffId>, kind: DutyEventKind| DutyEvent {
        window: duty.window,
        at: ctx.at,
        by: ctx.actor.staff_id,
        clerk,
        kind,
    };
    match action {
        DutyAction::SignOn => {
            if let Some(window) = ctx.on_duty_elsewhere.filter(|w| *w != duty.window) {
                return Err(AttendanceError::OnDutyElsewhere { window });
            }
            Ok(event(Some(ctx.actor.staff_id), DutyEventKind::SignedOn))
        }
        DutyAction::Pause { reason, note } => {
            let note = checked_note(note, reason.needs_note())?;
            Ok(event(
                duty.clerk,
                DutyEventKind::Paused {
                    reason: *reason,
                    note,
                },
            ))
        }
        DutyAction::Resume => Ok(event(duty.clerk, DutyEventKind::Resumed)),
        DutyAction::MarkAway => Ok(event(duty.clerk, DutyEventKind::MarkedAway)),
        DutyAction::SignOff => Ok(event(duty.clerk, DutyEventKind::SignedOff)),
        DutyAction::RecordLeave {
            date,
            part,
            clerk,
            reason,
            note,
        } => {
            if !ctx.calendar.is_working_day(*date) {
                return Err(AttendanceError::LeaveOnRestDay { date: *date });
            }
            let today = china_date(ctx.at);
            if *date < today {
                let after = ctx.calendar.working_days_between(*date, today).value;
                if after > ctx.rules.leave_record_days {
                    return Err(AttendanceError::LeaveTooLate { date: *date });
                }
            }
            let note = checked_note(note, reason.needs_note())?;
            Ok(event(
                duty.clerk,
                DutyEventKind::LeaveRecorded {
                    leave: Leave {
                        date: *date,
                        part: *part,
                        clerk: *clerk,
                        reason: *reason,
                        note,
                    },
                },
            ))
        }
    }
}

/// Office minutes paused, by reason.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseMinutes {
    pub consultation: u32,
    pub training: u32,
    pub system_failure: u32,
    pub short_leave: u32,
    pub other: u32,
}

impl PauseMinutes {
    pub fn get(&self, reason: PauseReason) -> u32 {
        match reason {
            PauseReason::Consultation => self.consultation,
            PauseReason::Training => self.training,
            PauseReason::SystemFailure => self.system_failure,
            PauseReason::ShortLeave => self.short_leave,
            PauseReason::Other => self.other,
        }
    }

    pub fn add(&mut self, reason: PauseReason, minutes: u32) {
        let slot = match reason {
            PauseReason::Consultation => &mut self.consultation,
            PauseReason::Training => &mut self.training,
            PauseReason::SystemFailure => &mut self.system_failure,
            PauseReason::ShortLeave => &mut self.short_leave,
            PauseReason::Other => &mut self.other,
        };
        *slot = slot.saturating_add(minutes);
    }

    pub fn merge(&mut self, other: &PauseMinutes) {
        for reason in PauseReason::ALL {
            self.add(reason, other.get(reason));
        }
    }

    pub fn total(&self) -> u32 {
        PauseReason::ALL
            .iter()
            .fold(0u32, |sum, r| sum.saturating_add(self.get(*r)))
    }
}

/// The kind of an [`Irregularity`], for storage and counts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IrregularityKind {
    LateOpening,
    UnexplainedAbsence,
    ClosedDuringOfficeHours,
    EarlyLeave,
    LongPause,
}
string_enum!(IrregularityKind {
    LateOpening => "late_opening",
    UnexplainedAbsence => "unexplained_absence",
    ClosedDuringOfficeHours => "closed_during_office_hours",
    EarlyLeave => "early_leave",
    LongPause => "long_pause",
});

impl IrregularityKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::LateOpening => "迟开窗",
            Self::UnexplainedAbsence => "无故缺勤",
            Self::ClosedDuringOfficeHours => "工作时间空岗",
            Self::EarlyLeave => "早退",
            Self::LongPause => "暂停超时",
        }
    }
}

/// An irregularity of a window's day. `clerk` is the clerk it is counted against, when
/// known. Minutes are office minutes: the lunch break never counts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Irregularity {
    /// The first sign-on came more than the grace after the opening; `minutes` from the
    /// opening. Counted against the clerk who signed on.
    LateOpening {
        minutes: u32,
        clerk: Option<StaffId>,
    },
    /// A working day without a sign-on before the close, and no leave: counted against the
    /// window's posted clerk, when the caller names one.
    UnexplainedAbsence { clerk: Option<StaffId> },
    /// Nobody at the window (away, or signed off and on again) for longer than the
    /// threshold, from `from`. Counted against the clerk on duty when it began.
    ClosedDuringOfficeHours {
        from: DateTime<Utc>,
        minutes: u32,
        clerk: Option<StaffId>,
    },
    /// The final sign-off came more than the grace before the close; `minutes` to the
    /// close. Counted against the clerk signed off.
    EarlyLeave {
        minutes: u32,
        clerk: Option<StaffId>,
    },
    /// One pause for a limited reason lasted longer than allowed.
    LongPause {
        from: DateTime<Utc>,
        reason: PauseReason,
        minutes: u32,
        clerk: Option<StaffId>,
    },
}

impl Irregularity {
    pub fn kind(&self) -> IrregularityKind {
        match self {
            Self::LateOpening { .. } => IrregularityKind::LateOpening,
            Self::UnexplainedAbsence { .. } => IrregularityKind::UnexplainedAbsence,
            Self::ClosedDuringOfficeHours { .. } => IrregularityKind::ClosedDuringOfficeHours,
            Self::EarlyLeave { .. } => IrregularityKind::EarlyLeave,
            Self::LongPause { .. } => IrregularityKind::LongPause,
        }
    }

    /// The clerk it is counted against, when known.
    pub fn clerk(&self) -> Option<StaffId> {
        match self {
            Self::LateOpening { clerk, .. }
            | Self::UnexplainedAbsence { clerk }
            | Self::ClosedDuringOfficeHours { clerk, .. }
            | Self::EarlyLeave { clerk, .. }
            | Self::LongPause { clerk, .. } => *clerk,
        }
    }
}

/// One clerk's share of a window's day.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClerkDuty {
    pub clerk: StaffId,
    pub first_sign_on: DateTime<Utc>,
    /// Signed on before the close of the day's office hours.
    pub on_duty: bool,
    /// Office minutes the window was open, paused (by reason) and away while the clerk
    /// held it.
    pub open_minutes: u32,
    pub paused: PauseMinutes,
    pub away_minutes: u32,
}

/// One window's day.
///
/// `open_minutes + paused.total() + away_minutes + closed_minutes == office_minutes`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRecord {
    pub window: WindowId,
    pub date: NaiveDate,
    pub day_kind: DayKind,
    /// The clerks who signed on, in order.
    pub duty: Vec<ClerkDuty>,
    pub first_sign_on: Option<DateTime<Utc>>,
    pub last_sign_off: Option<DateTime<Utc>>,
    /// Signed on before the close (of the hours not excused): the window was attended.
    pub on_duty: bool,
    /// On a working day with hours to keep: whether the first sign-on was on time; none on
    /// a rest day, a day excused, or a day of absence.
    pub opened_on_time: Option<bool>,
    /// The leaves recorded for the day.
    pub leaves: Vec<Leave>,
    /// The part of the day the leaves excuse.
    pub excused: Option<DayPart>,
    /// The office minutes to keep: the office hours less what is excused; 0 on a rest day.
    pub office_minutes: u32,
    pub open_minutes: u32,
    pub paused: PauseMinutes,
    pub away_minutes: u32,
    /// Office minutes nobody was signed on.
    pub closed_minutes: u32,
    pub irregularities: Vec<Irregularity>,
}

/// A China wall-clock time taken to the minute.
fn wall_minute(at: DateTime<Utc>) -> NaiveDateTime {
    let local = china_datetime(at);
    local
        .date()
        .and_hms_opt(local.hour(), local.minute(), 0)
        .unwrap_or(local)
}

/// A China wall-clock time as an instant.
fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    match china_offset().from_local_datetime(&local).single() {
        Some(at) => at.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&local),
    }
}

/// Whole minutes of the intervals `sessions` within `[from, to)`.
fn minutes_within(
    sessions: &[(NaiveDateTime, NaiveDateTime)],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> u32 {
    let total: i64 = sessions
        .iter()
        .map(|&(start, end)| {
            let (a, b) = (start.max(from), end.min(to));
            if a < b { (b - a).num_minutes() } else { 0 }
        })
        .sum();
    u32::try_from(total).unwrap_or(u32::MAX)
}

/// The office sessions of `date` not excused by `excused`: none on a rest day.
fn sessions_to_keep(
    date: NaiveDate,
    kind: DayKind,
    hours: OfficeHours,
    excused: Option<DayPart>,
) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    if !kind.is_working() {
        return Vec::new();
    }
    let at = |time: NaiveTime| date.and_time(time);
    let mut sessions = Vec::with_capacity(2);
    if !excused.is_some_and(DayPart::covers_morning) {
        sessions.push((at(hours.morning_open), at(hours.morning_close)));
    }
    if !excused.is_some_and(DayPart::covers_afternoon) {
        sessions.push((at(hours.afternoon_open), at(hours.afternoon_close)));
    }
    sessions.retain(|(start, end)| start < end);
    sessions
}

/// The part of the day a set of leaves excuses together.
fn excused_part<'a>(leaves: impl IntoIterator<Item = &'a Leave>) -> Option<DayPart> {
    let (mut morning, mut afternoon) = (false, false);
    for leave in leaves {
        morning |= leave.part.covers_morning();
        afternoon |= leave.part.covers_afternoon();
    }
    match (morning, afternoon) {
        (true, true) => Some(DayPart::WholeDay),
        (true, false) => Some(DayPart::Morning),
        (false, true) => Some(DayPart::Afternoon),
        (false, false) => None,
    }
}

/// A stretch of the day in one state.
#[derive(Debug, Clone, Copy)]
struct Segment {
    from: NaiveDateTime,
    to: NaiveDateTime,
    state: DutyState,
    clerk: Option<StaffId>,
    pause: Option<PauseReason>,
}

/// Folds the events of `window` on `date` (China time) into its day record.
///
/// `events` may hold other windows' and other days' events; they are skipped. A leave
/// counts for the date it names, whenever it was recorded. `posted` is the clerk normally
/// posted to the window, against whom an absence is counted (none if unknown). The day
/// starts closed (a duty lapses at midnight); events are taken in time order.
pub fn day_record(
    window: WindowId,
    date: NaiveDate,
    events: &[DutyEvent],
    posted: Option<StaffId>,
    calendar: &WorkingCalendar,
    rules: &AttendanceRules,
) -> DayRecord {
    let day_kind = calendar.day_kind(date);
    let hours = calendar.office_hours();
    let leaves: Vec<Leave> = events
        .iter()
        .filter(|e| e.window == window)
        .filter_map(|e| match &e.kind {
            DutyEventKind::LeaveRecorded { leave } if leave.date == date => Some(leave.clone()),
            _ => None,
        })
        .collect();
    let excused = excused_part(&leaves);
    let keep = sessions_to_keep(date, day_kind, hours, excused);
    let day_start = date.and_time(NaiveTime::MIN);
    let day_end = day_start + TimeDelta::days(1);

    let mut changes: Vec<&DutyEvent> = events
        .iter()
        .filter(|e| {
            e.window == window && e.kind.state_after().is_some() && china_date(e.at) == date
        })
        .collect();
    changes.sort_by_key(|e| e.at);

    // The day as segments, each in one state.
    let mut segments = Vec::with_capacity(changes.len() + 1);
    let mut current = Segment {
        from: day_start,
        to: day_end,
        state: DutyState::Closed,
        clerk: None,
        pause: None,
    };
    let mut duty: Vec<ClerkDuty> = Vec::new();
    let (mut first_on, mut first_on_at, mut last_off_at) = (None, None, None);
    let mut final_off = None;
    let mut off_clerk = None;
    for event in changes {
        let Some(state) = event.kind.state_after() else {
            continue;
        };
        let at = wall_minute(event.at).clamp(current.from, day_end);
        segments.push(Segment { to: at, ..current });
        current.from = at;
        current.state = state;
        current.pause = match &event.kind {
            DutyEventKind::Paused { reason, .. } => Some(*reason),
            _ => None,
        };
        match event.kind {
            DutyEventKind::SignedOn => {
                current.clerk = event.clerk;
                first_on.get_or_insert(at);
                first_on_at.get_or_insert(event.at);
                final_off = None;
                if let Some(clerk) = event.clerk
                    && !duty.iter().any(|d| d.clerk == clerk)
                {
                    duty.push(ClerkDuty {
                        clerk,
                        first_sign_on: event.at,
                        on_duty: false,
                        open_minutes: 0,
                        paused: PauseMinutes::default(),
                        away_minutes: 0,
                    });
                }
            }
            DutyEventKind::SignedOff => {
                off_clerk = current.clerk.or(event.clerk);
                current.clerk = None;
                last_off_at = Some(event.at);
                if first_on.is_some() {
                    final_off = Some(at);
                }
            }
            _ => {
                if current.clerk.is_none() {
                    current.clerk = event.clerk;
                }
            }
        }
    }
    segments.push(current);

    // The close of what is kept: a sign-on after it is no attendance.
    let close = keep
        .last()
        .map_or(date.and_time(hours.afternoon_close), |s| s.1);
    let office_minutes = minutes_within(&keep, day_start, day_end);
    let mut record = DayRecord {
        window,
        date,
        day_kind,
        duty: Vec::new(),
        first_sign_on: first_on_at,
        last_sign_off: last_off_at,
        on_duty: first_on.is_some_and(|on| on < close),
        opened_on_time: None,
        leaves,
        excused,
        office_minutes,
        open_minutes: 0,
        paused: PauseMinutes::default(),
        away_minutes: 0,
        closed_minutes: 0,
        irregularities: Vec::new(),
    };

    // Minutes by state, and by clerk.
    for segment in &segments {
        let minutes = minutes_within(&keep, segment.from, segment.to);
        let share = segment
            .clerk
            .and_then(|c| duty.iter_mut().find(|d| d.clerk == c));
        match (segment.state, segment.pause) {
            (DutyState::Open, _) => {
                record.open_minutes += minutes;
                if let Some(d) = share {
                    d.open_minutes += minutes;
                }
            }
            (DutyState::Paused, reason) => {
                let reason = reason.unwrap_or(PauseReason::Other);
                record.paused.add(reason, minutes);
                if let Some(d) = share {
                    d.paused.add(reason, minutes);
                }
            }
            (DutyState::Away, _) => {
                record.away_minutes += minutes;
                if let Some(d) = share {
                    d.away_minutes += minutes;
                }
            }
            (DutyState::Closed, _) => {}
        }
    }
    record.closed_minutes = office_minutes
        .saturating_sub(record.open_minutes)
        .saturating_sub(record.paused.total())
        .saturating_sub(record.away_minutes);
    for d in &mut duty {
        d.on_duty = wall_minute(d.first_sign_on) < close;
    }
    record.duty = duty;

    if keep.is_empty() {
        // A rest day, or a day excused: nothing to keep, nothing irregular.
        return record;
    }
    let Some(first_on) = first_on.filter(|on| *on < close) else {
        record
            .irregularities
            .push(Irregularity::UnexplainedAbsence { clerk: posted });
        return record;
    };

    let late = minutes_within(&keep, day_start, first_on);
    let opener = record.duty.first().map(|d| d.clerk);
    record.opened_on_time = Some(late <= rules.late_grace_minutes);
    if late > rules.late_grace_minutes {
        record.irregularities.push(Irregularity::LateOpening {
            minutes: late,
            clerk: opener,
        });
    }

    // Between the first sign-on and the final sign-off: unattended stretches and pauses.
    let middle_end = final_off.unwrap_or(day_end);
    let mut stretch: Option<(NaiveDateTime, u32, Option<StaffId>)> = None;
    let mut last_clerk = opener;
    let flush = |stretch: &mut Option<(NaiveDateTime, u32, Option<StaffId>)>,
                 found: &mut Vec<Irregularity>| {
        if let Some((from, minutes, clerk)) = stretch.take()
            && minutes > rules.closed_threshold_minutes
        {
            found.push(Irregularity::ClosedDuringOfficeHours {
                from: instant(from),
                minutes,
                clerk,
            });
        }
    };
    for segment in segments
        .iter()
        .filter(|s| s.from >= first_on && s.to <= middle_end && s.from < s.to)
    {
        let minutes = minutes_within(&keep, segment.from, segment.to);
        match segment.state {
            DutyState::Away | DutyState::Closed => {
                let clerk = segment.clerk.or(last_clerk);
                let entry = stretch.get_or_insert((segment.from, 0, clerk));
                entry.1 += minutes;
            }
            DutyState::Open | DutyState::Paused => {
                flush(&mut stretch, &mut record.irregularities);
            }
        }
        if let (DutyState::Paused, Some(reason)) = (segment.state, segment.pause)
            && reason.is_limited()
            && minutes > rules.max_pause_minutes
        {
            record.irregularities.push(Irregularity::LongPause {
                from: instant(segment.from),
                reason,
                minutes,
                clerk: segment.clerk,
            });
        }
        if segment.clerk.is_some() {
            last_clerk = segment.clerk;
        }
    }
    flush(&mut stretch, &mut record.irregularities);

    if let Some(off) = final_off {
        let early = minutes_within(&keep, off, day_end);
        if early > rules.early_grace_minutes {
            record.irregularities.push(Irregularity::EarlyLeave {
                minutes: early,
                clerk: off_clerk,
            });
        }
    }
    record
}

/// The records of `window` for `month`, up to and including `through` (pass yesterday for
/// a month in progress: a day not over yet would show as absent): every working day, and
/// every rest day on which the window was signed on.
pub fn month_records(
    window: WindowId,
    month: Month,
    through: NaiveDate,
    events: &[DutyEvent],
    posted: Option<StaffId>,
    calendar: &WorkingCalendar,
    rules: &AttendanceRules,
) -> Vec<DayRecord> {
    let last = month.last_day().min(through);
    month
        .first_day()
        .iter_days()
        .take_while(|date| *date <= last)
        .filter_map(|date| {
            let record = day_record(window, date, events, posted, calendar, rules);
            (record.day_kind.is_working() || record.first_sign_on.is_some()).then_some(record)
        })
        .collect()
}

/// Whose attendance a summary is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AttendanceSubject {
    Window { id: WindowId },
    Clerk { id: StaffId },
}

/// A month's attendance and window operation, for the public monthly disclosure (出勤、窗口
/// 运行情况) beside the case figures. Only working days count.
///
/// For a window, the minutes are its office minutes. For a clerk, the minutes are those of
/// the windows they held: `office_minutes` is what they held (open, paused and away), so
/// the rate reads "of the time on duty, how much was the window serving".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyAttendance {
    pub subject: AttendanceSubject,
    pub month: Month,
    /// The last day counted: the month's last day once it is over.
    pub through: NaiveDate,
    /// Working days of the month up to `through` (调休 weekends included, holidays not).
    pub working_days: u32,
    /// The working days counted are in a year without a State Council notice.
    pub provisional: bool,
    /// Working days signed on before the close.
    pub days_on_duty: u32,
    /// Working days excused entirely by leave.
    pub days_on_leave: u32,
    pub on_time_openings: u32,
    pub late_openings: u32,
    pub absences: u32,
    pub early_leaves: u32,
    /// Stretches of a window left unattended longer than the threshold.
    pub closed_stretches: u32,
    pub long_pauses: u32,
    pub office_minutes: u32,
    pub open_minutes: u32,
    pub paused: PauseMinutes,
    pub away_minutes: u32,
    pub closed_minutes: u32,
    /// Open minutes per thousand office minutes, rounded half up (985 reads 98.5 %); none
    /// without office minutes.
    pub open_rate_per_mille: Option<u32>,
}

impl MonthlyAttendance {
    /// The open-hours rate in percent, to one decimal.
    pub fn open_rate_percent(&self) -> Option<f64> {
        self.open_rate_per_mille.map(|r| f64::from(r) / 10.0)
    }
}

/// `part` per thousand of `whole`, rounded half up; none when `whole` is 0.
fn per_mille(part: u32, whole: u32) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u64::from(part), u64::from(whole));
    u32::try_from((part * 2000 + whole) / (whole * 2)).ok()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Sums up the month of `subject` from day records (of every window, for a clerk), up to
/// and including `through`. Records of rest days and of other months are skipped.
pub fn monthly(
    subject: AttendanceSubject,
    month: Month,
    through: NaiveDate,
    records: &[DayRecord],
    calendar: &WorkingCalendar,
) -> MonthlyAttendance {
    let first = month.first_day();
    let last = month.last_day().min(through);
    let working_days = if last < first {
        0
    } else {
        calendar
            .working_days_between(first.pred_opt().unwrap_or(first), last)
            .value
    };
    let days: Vec<&DayRecord> = records
        .iter()
        .filter(|r| r.date >= first && r.date <= last && r.day_kind.is_working())
        .collect();
    let mut summary = MonthlyAttendance {
        subject,
        month,
        through: last,
        working_days,
        provisional: calendar.is_provisional(first),
        days_on_duty: 0,
        days_on_leave: 0,
        on_time_openings: 0,
        late_openings: 0,
        absences: 0,
        early_leaves: 0,
        closed_stretches: 0,
        long_pauses: 0,
        office_minutes: 0,
        open_minutes: 0,
        paused: PauseMinutes::default(),
        away_minutes: 0,
        closed_minutes: 0,
        open_rate_per_mille: None,
    };
    let tally =
        |summary: &mut MonthlyAttendance, irregularity: &Irregularity| match irregularity.kind() {
            IrregularityKind::LateOpening => summary.late_openings += 1,
            IrregularityKind::UnexplainedAbsence => summary.absences += 1,
            IrregularityKind::ClosedDuringOfficeHours => summary.closed_stretches += 1,
            IrregularityKind::EarlyLeave => summary.early_leaves += 1,
            IrregularityKind::LongPause => summary.long_pauses += 1,
        };
    match subject {
        AttendanceSubject::Window { id } => {
            for day in days.iter().filter(|r| r.window == id) {
                summary.days_on_duty += u32::from(day.on_duty);
                summary.days_on_leave += u32::from(day.excused == Some(DayPart::WholeDay));
                summary.on_time_openings += u32::from(day.opened_on_time == Some(true));
                for irregularity in &day.irregularities {
                    tally(&mut summary, irregularity);
                }
                summary.office_minutes += day.office_minutes;
                summary.open_minutes += day.open_minutes;
                summary.paused.merge(&day.paused);
                summary.away_minutes += day.away_minutes;
                summary.closed_minutes += day.closed_minutes;
            }
        }
        AttendanceSubject::Clerk { id } => {
            let mut on_duty: Vec<NaiveDate> = Vec::new();
            let mut on_leave: Vec<NaiveDate> = Vec::new();
            for day in &days {
                if let Some(share) = day.duty.iter().find(|d| d.clerk == id) {
                    if share.on_duty {
                        on_duty.push(day.date);
                    }
                    summary.open_minutes += share.open_minutes;
                    summary.office_minutes +=
                        share.open_minutes + share.paused.total() + share.away_minutes;
                    summary.paused.merge(&share.paused);
                    summary.away_minutes += share.away_minutes;
                }
                let own = day.leaves.iter().filter(|l| l.clerk == Some(id));
                if excused_part(own) == Some(DayPart::WholeDay) {
                    on_leave.push(day.date);
                }
                let opened = day.duty.first().map(|d| d.clerk) == Some(id);
                summary.on_time_openings += u32::from(opened && day.opened_on_time == Some(true));
            }
            on_duty.sort_unstable();
            on_duty.dedup();
            on_leave.sort_unstable();
            on_leave.dedup();
            for day in &days {
                for irregularity in day.irregularities.iter().filter(|i| i.clerk() == Some(id)) {
                    // Absent from one window while on duty at another is no absence.
                    if irregularity.kind() == IrregularityKind::UnexplainedAbsence
                        && (on_duty.contains(&day.date) || on_leave.contains(&day.date))
                    {
                        continue;
                    }
                    tally(&mut summary, irregularity);
                }
            }
            summary.days_on_duty = count(on_duty.len());
            summary.days_on_leave = count(on_leave.len());
        }
    }
    summary.open_rate_per_mille = per_mille(summary.open_minutes, summary.office_minutes);
    summary
}

#[cfg(test)]
mod tests;
