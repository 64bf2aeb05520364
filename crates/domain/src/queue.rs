//! The hall's queue (排队叫号): tickets taken for a business group at a kiosk, called to the
//! windows that serve the group, first come first served; recalled, skipped when the person
//! does not come, transferred to another group keeping their place, finished (and linked to
//! the case taken in). Waits and handling times come from the tickets' instants.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{china_date, china_datetime};
use crate::organization::{CaseId, StaffId, WindowId, string_enum};

/// A business group: its ticket letter(s), its name, and the windows that serve it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessGroup {
    /// One to three capital letters, printed before the ticket's number: `A`, `B`, `GC`.
    pub code: String,
    pub name: String,
    pub windows: Vec<WindowId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("业务分组代码应为1至3个大写字母 / a group code is 1 to 3 capital letters")]
    BadGroupCode,
    #[error("业务分组“{0}”重复 / the group `{0}` is there twice")]
    DuplicateGroup(String),
    #[error("业务分组须有名称和至少一个窗口 / a group needs a name and at least one window")]
    EmptyGroup,
    #[error("没有“{0}”业务分组 / there is no group `{0}`")]
    UnknownGroup(String),
    #[error("该窗口不办理此业务 / this window does not serve the group")]
    NotThisWindow,
    #[error("当前状态“{state}”不能进行此操作 / not allowed while the ticket is `{state}`")]
    NotAllowedNow { state: &'static str },
    #[error("今日取号已达上限 / no more tickets can be taken today")]
    Full,
}

/// Checks a unit's groups: codes well formed and distinct, each with a name and windows.
pub fn validate_groups(groups: &[BusinessGroup]) -> Result<(), QueueError> {
    for (i, group) in groups.iter().enumerate() {
        let code = group.code.as_str();
        if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(QueueError::BadGroupCode);
        }
        if group.name.trim().is_empty() || group.windows.is_empty() {
            return Err(QueueError::EmptyGroup);
        }
        if groups[..i].iter().any(|g| g.code == group.code) {
            return Err(QueueError::DuplicateGroup(group.code.clone()));
        }
    }
    Ok(())
}

/// Where a ticket stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    /// Called to a window; the person is on their way.
    Called,
    /// At the window.
    Serving,
    Done,
    /// Called and did not come.
    Skipped,
}
string_enum!(TicketState {
    Waiting => "waiting",
    Called => "called",
    Serving => "serving",
    Done => "done",
    Skipped => "skipped",
});

impl TicketState {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Waiting => "等候中",
            Self::Called => "已叫号",
            Self::Serving => "办理中",
            Self::Done => "已办结",
            Self::Skipped => "已过号",
        }
    }
}

/// A ticket.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// `A023`: the group's code and the day's sequence in the group.
    pub number: String,
    pub group: String,
    pub day: NaiveDate,
    pub taken_at: DateTime<Utc>,
    pub state: TicketState,
    pub window: Option<WindowId>,
    pub clerk: Option<StaffId>,
    /// The first call: the wait ends there.
    pub called_at: Option<DateTime<Utc>>,
    /// The latest call or recall: what the display board announces.
    pub last_called_at: Option<DateTime<Utc>>,
    /// Times called (a recall counts).
    pub calls: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub case: Option<CaseId>,
    /// Taken at the check-in of an appointment: called before walk-in tickets.
    #[serde(default)]
    pub booked: bool,
}

/// The most tickets one group gives out in a day.
pub const MAX_PER_DAY: u32 = 999;

/// A new ticket, the `sequence`th of its group today.
pub fn take(
    groups: &[BusinessGroup],
    group: &str,
    sequence: u32,
    now: DateTime<Utc>,
) -> Result<Ticket, QueueError> {
    let group = groups
        .iter()
        .find(|g| g.code == group)
        .ok_or_else(|| QueueError::UnknownGroup(group.to_owned()))?;
    if sequence == 0 || sequence > MAX_PER_DAY {
        return Err(QueueError::Full);
    }
    Ok(Ticket {
        number: format!("{}{sequence:03}", group.code),
        group: group.code.clone(),
        day: china_date(now),
        taken_at: now,
        state: TicketState::Waiting,
        window: None,
        clerk: None,
        called_at: None,
        last_called_at: None,
        calls: 0,
        started_at: None,
        done_at: None,
        case: None,
        booked: false,
    })
}

/// The groups a window serves.
pub fn groups_of(groups: &[BusinessGroup], window: WindowId) -> Vec<&str> {
    groups
        .iter()
        .filter(|g| g.windows.contains(&window))
        .map(|g| g.code.as_str())
        .collect()
}

/// The ticket a window calls next: of the waiting tickets of the groups it serves, a booked
/// one (checked in for an appointment) first, then the one taken first (a transferred ticket
/// keeps the time it was first taken).
pub fn next_for<'a>(
    groups: &[BusinessGroup],
    window: WindowId,
    waiting: &'a [Ticket],
) -> Option<&'a Ticket> {
    let served = groups_of(groups, window);
    waiting
        .iter()
        .filter(|t| t.state == TicketState::Waiting && served.contains(&t.group.as_str()))
        .min_by_key(|t| (!t.booked, t.taken_at, t.number.clone()))
}

/// What a window does with a ticket.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TicketAction {
    /// Call it again.
    Recall,
    /// The person is at the window.
    Start,
    /// Called and not come: passed over.
    Skip,
    /// To another group's queue, keeping its place.
    Transfer { group: String },
    /// Served; the case taken in, if one was.
    Finish {
        #[serde(default)]
        case: Option<CaseId>,
    },
}

/// Calls `ticket` to `window`.
pub fn call(
    groups: &[BusinessGroup],
    ticket: &Ticket,
    window: WindowId,
    clerk: StaffId,
    now: DateTime<Utc>,
) -> Result<Ticket, QueueError> {
    if ticket.state != TicketState::Waiting {
        return Err(QueueError::NotAllowedNow {
            state: ticket.state.name_zh(),
        });
    }
    if !groups_of(groups, window).contains(&ticket.group.as_str()) {
        return Err(QueueError::NotThisWindow);
    }
    Ok(Ticket {
        state: TicketState::Called,
        window: Some(window),
        clerk: Some(clerk),
        called_at: ticket.called_at.or(Some(now)),
        last_called_at: Some(now),
        calls: ticket.calls + 1,
        ..ticket.clone()
    })
}

/// Applies a window's action to a ticket called to it.
pub fn act(
    groups: &[BusinessGroup],
    ticket: &Ticket,
    window: WindowId,
    action: &TicketAction,
    now: DateTime<Utc>,
) -> Result<Ticket, QueueError> {
    let not_now = || QueueError::NotAllowedNow {
        state: ticket.state.name_zh(),
    };
    if ticket.window != Some(window) {
        return Err(QueueError::NotThisWindow);
    }
    let mut next = ticket.clone();
    match action {
        TicketAction::Recall => {
            if ticket.state != TicketState::Called {
                return Err(not_now());
            }
            next.calls += 1;
            next.last_called_at = Some(now);
        }
        TicketAction::Start => {
            if ticket.state != TicketState::Called {
                return Err(not_now());
            }
            next.state = TicketState::Serving;
            next.started_at = Some(now);
        }
        TicketAction::Skip => {
            if ticket.state != TicketState::Called {
                return Err(not_now());
            }
            next.state = TicketState::Skipped;
            next.done_at = Some(now);
        }
        TicketAction::Transfer { group } => {
            if !matches!(ticket.state, TicketState::Called | TicketState::Serving) {
                return Err(not_now());
            }
            if !groups.iter().any(|g| &g.code == group) {
                return Err(QueueError::UnknownGroup(group.clone()));
            }
            next.group.clone_from(group);
            next.state = TicketState::Waiting;
            next.window = None;
            next.clerk = None;
            next.started_at = None;
        }
        TicketAction::Finish { case } => {
            if ticket.state != TicketState::Serving {
                return Err(not_now());
            }
            next.state = TicketState::Done;
            next.done_at = Some(now);
            next.case = *case;
        }
    }
    Ok(next)
}

/// Waits and handling times of a set of tickets, in minutes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct QueueStats {
    pub tickets: u64,
    pub served: u64,
    pub skipped: u64,
    pub waiting_now: u64,
    /// Mean minutes from taking the ticket to its first call.
    pub mean_wait_minutes: f64,
    pub longest_wait_minutes: i64,
    /// Mean minutes from the start at the window to the finish.
    pub mean_handling_minutes: f64,
}

/// Statistics of `tickets`.
pub fn statistics<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> QueueStats {
    let mut stats = QueueStats::default();
    let (mut waits, mut wait_total, mut handled, mut handling_total) = (0u64, 0i64, 0u64, 0i64);
    for t in tickets {
        stats.tickets += 1;
        match t.state {
            TicketState::Done => stats.served += 1,
            TicketState::Skipped => stats.skipped += 1,
            TicketState::Waiting => stats.waiting_now += 1,
            TicketState::Called | TicketState::Serving => {}
        }
        if let Some(called) = t.called_at {
            let wait = (called - t.taken_at).num_minutes();
            waits += 1;
            wait_total += wait;
            stats.longest_wait_minutes = stats.longest_wait_minutes.max(wait);
        }
        if let (Some(start), Some(done), TicketState::Done) = (t.started_at, t.done_at, t.state) {
            handled += 1;
            handling_total += (done - start).num_minutes();
        }
    }
    #[allow(clippy::cast_precision_loss)]
    {
        if waits > 0 {
            stats.mean_wait_minutes = wait_total as f64 / waits as f64;
        }
        if handled > 0 {
            stats.mean_handling_minutes = handling_total as f64 / handled as f64;
        }
    }
    stats
}

/// The China hour (0–23) a ticket was taken in, for statistics by hour.
pub fn hour_taken(ticket: &Ticket) -> u32 {
    china_datetime(ticket.taken_at).hour()
}

/// A group whose queue is too long: more than `max_waiting` people waiting, or someone
/// waiting longer than `max_wait_minutes`. Raised to the hall manager.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LongQueue {
    pub group: String,
    pub waiting: usize,
    pub longest_wait_minutes: i64,
}

pub fn long_queues(
    groups: &[BusinessGroup],
    tickets: &[Ticket],
    now: DateTime<Utc>,
    max_waiting: usize,
    max_wait_minutes: i64,
) -> Vec<LongQueue> {
    groups
        .iter()
        .filter_map(|g| {
            let waiting: Vec<&Ticket> = tickets
                .iter()
                .filter(|t| t.group == g.code && t.state == TicketState::Waiting)
                .collect();
            let longest = waiting
                .iter()
                .map(|t| (now - t.taken_at).num_minutes())
                .max()
                .unwrap_or(0);
            (waiting.len() > max_waiting || longest > max_wait_minutes).then(|| LongQueue {
                group: g.code.clone(),
                waiting: waiting.len(),
                longest_wait_minutes: longest,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::testing::china;

    fn groups() -> Vec<BusinessGroup> {
        vec![
            BusinessGroup {
                code: "A".into(),
                name: "市场准入".into(),
                windows: vec![WindowId(1), WindowId(2)],
            },
            BusinessGroup {
                code: "B".into(),
                name: "社会事务".into(),
                windows: vec![WindowId(2), WindowId(3)],
            },
        ]
    }

    #[test]
    fn groups_are_checked() {
        assert!(validate_groups(&groups()).is_ok());
        let mut bad = groups();
        bad[1].code = "a".into();
        assert_eq!(validate_groups(&bad), Err(QueueError::BadGroupCode));
        bad[1].code = "ABCD".into();
        assert_eq!(validate_groups(&bad), Err(QueueError::BadGroupCode));
        bad[1].code = "A".into();
        assert_eq!(
            validate_groups(&bad),
            Err(QueueError::DuplicateGroup("A".into()))
        );
        bad[1].code = "C".into();
        bad[1].windows.clear();
        assert_eq!(validate_groups(&bad), Err(QueueError::EmptyGroup));
    }

    #[test]
    fn tickets_are_numbered_per_group_and_called_first_come_first_served() {
        let g = groups();
        let a1 = take(&g, "A", 1, china(2026, 3, 2, 9)).unwrap();
        assert_eq!(a1.number, "A001");
        assert_eq!(a1.day, crate::testing::date(2026, 3, 2));
        let b1 = take(&g, "B", 1, china(2026, 3, 2, 10)).unwrap();
        let a2 = take(&g, "A", 2, china(2026, 3, 2, 11)).unwrap();
        assert_eq!(a2.number, "A002");
        assert_eq!(
            take(&g, "Z", 1, china(2026, 3, 2, 9)),
            Err(QueueError::UnknownGroup("Z".into()))
        );
        assert_eq!(
            take(&g, "A", 1000, china(2026, 3, 2, 9)),
            Err(QueueError::Full)
        );

        let waiting = vec![a2.clone(), b1.clone(), a1.clone()];
        // Window 1 serves A only; window 3 B only; window 2 both, oldest first.
        assert_eq!(next_for(&g, WindowId(1), &waiting).unwrap().number, "A001");
        assert_eq!(next_for(&g, WindowId(3), &waiting).unwrap().number, "B001");
        assert_eq!(next_for(&g, WindowId(2), &waiting).unwrap().number, "A001");
        assert_eq!(next_for(&g, WindowId(9), &waiting), None);
        // A ticket checked in for an appointment goes before the walk-ins.
        let mut a3 = take(&g, "A", 3, china(2026, 3, 2, 12)).unwrap();
        a3.booked = true;
        let waiting = vec![a2.clone(), b1.clone(), a1.clone(), a3];
        assert_eq!(next_for(&g, WindowId(2), &waiting).unwrap().number, "A003");
        assert_eq!(next_for(&g, WindowId(3), &waiting).unwrap().number, "B001");
        assert_eq!(
            call(&g, &b1, WindowId(1), StaffId(5), china(2026, 3, 2, 10)),
            Err(QueueError::NotThisWindow)
        );
    }

    #[test]
    fn a_ticket_is_called_served_and_finished_or_skipped_or_transferred() {
        let g = groups();
        let t0 = china(2026, 3, 2, 9);
        let ticket = take(&g, "A", 1, t0).unwrap();
        let called = call(
            &g,
            &ticket,
            WindowId(1),
            StaffId(5),
            t0 + chrono::Duration::minutes(12),
        )
        .unwrap();
        assert_eq!(called.state, TicketState::Called);
        assert_eq!(called.calls, 1);
        assert!(call(&g, &called, WindowId(1), StaffId(5), t0).is_err());
        // Only the window it was called to acts on it.
        assert_eq!(
            act(&g, &called, WindowId(2), &TicketAction::Start, t0),
            Err(QueueError::NotThisWindow)
        );
        let recalled = act(
            &g,
            &called,
            WindowId(1),
            &TicketAction::Recall,
            t0 + chrono::Duration::minutes(14),
        )
        .unwrap();
        assert_eq!(recalled.calls, 2);
        let skipped = act(&g, &recalled, WindowId(1), &TicketAction::Skip, t0).unwrap();
        assert_eq!(skipped.state, TicketState::Skipped);
        assert!(act(&g, &skipped, WindowId(1), &TicketAction::Start, t0).is_err());

        let serving = act(
            &g,
            &called,
            WindowId(1),
            &TicketAction::Start,
            t0 + chrono::Duration::minutes(13),
        )
        .unwrap();
        assert!(matches!(
            act(
                &g,
                &serving,
                WindowId(1),
                &TicketAction::Transfer { group: "Z".into() },
                t0
            ),
            Err(QueueError::UnknownGroup(_))
        ));
        let moved = act(
            &g,
            &serving,
            WindowId(1),
            &TicketAction::Transfer { group: "B".into() },
            t0,
        )
        .unwrap();
        assert_eq!(moved.state, TicketState::Waiting);
        assert_eq!(moved.group, "B");
        assert_eq!(moved.number, "A001", "it keeps its number");
        assert_eq!(moved.taken_at, t0, "and its place");
        let done = act(
            &g,
            &serving,
            WindowId(1),
            &TicketAction::Finish {
                case: Some(CaseId(7)),
            },
            t0 + chrono::Duration::minutes(25),
        )
        .unwrap();
        assert_eq!(done.state, TicketState::Done);
        assert_eq!(done.case, Some(CaseId(7)));
        assert!(
            act(
                &g,
                &called,
                WindowId(1),
                &TicketAction::Finish { case: None },
                t0
            )
            .is_err()
        );

        let stats = statistics([&done, &skipped, &moved]);
        assert_eq!(stats.tickets, 3);
        assert_eq!(stats.served, 1);
        assert_eq!(stats.skipped, 1);
        assert_eq!(stats.waiting_now, 1);
        // The wait ends at the first call, not the recall.
        assert_eq!(stats.longest_wait_minutes, 12);
        assert_eq!(
            recalled.last_called_at,
            Some(t0 + chrono::Duration::minutes(14))
        );
        assert!((stats.mean_handling_minutes - 12.0).abs() < 1e-9);
        assert_eq!(hour_taken(&done), 9);
    }

    #[test]
    fn a_long_queue_is_raised() {
        let g = groups();
        let t0 = china(2026, 3, 2, 9);
        let tickets: Vec<Ticket> = (1..=6)
            .map(|n| take(&g, "A", n, t0 + chrono::Duration::minutes(i64::from(n))).unwrap())
            .collect();
        let now = t0 + chrono::Duration::minutes(40);
        assert_eq!(
            long_queues(&g, &tickets, now, 5, 60),
            vec![LongQueue {
                group: "A".into(),
                waiting: 6,
                longest_wait_minutes: 39
            }]
        );
        assert!(long_queues(&g, &tickets, now, 10, 60).is_empty());
        assert_eq!(long_queues(&g, &tickets, now, 10, 30).len(), 1);
    }
}
