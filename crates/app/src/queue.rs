//! The hall's queue (排队叫号): business groups, tickets from the kiosk, calls from the
//! windows, the display board, and the day's statistics with long-queue warnings.

use chrono::NaiveDate;
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{Role, UnitId, Visibility, WindowId};
use liandong_domain::queue::{
    BusinessGroup, LongQueue, QueueError, QueueStats, TicketAction, TicketState, act, call,
    hour_taken, long_queues, next_for, statistics, take, validate_groups,
};
use liandong_store::{StoreError, StoredTicket, WindowRecord};
use serde::Serialize;

use crate::attendance::WindowDutyView;
use crate::{App, AppError, Result, Session};

/// More waiting than this in one group is a long queue.
const LONG_QUEUE_WAITING: usize = 20;
/// Anyone waiting longer than this (minutes) makes a long queue.
const LONG_QUEUE_MINUTES: i64 = 45;

/// What the hall's screen shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// The latest calls, newest first: ticket number and window.
    pub calling: Vec<BoardCall>,
    pub waiting: Vec<GroupWaiting>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct BoardCall {
    pub number: String,
    pub window_number: String,
    pub window_name: String,
    pub state: TicketState,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct GroupWaiting {
    pub group: String,
    pub name: String,
    pub waiting: usize,
}

/// A window clerk's queue desk (see [`App::window_desk`]).
#[derive(Debug, Clone)]
pub struct WindowDesk {
    /// The unit's windows in use.
    pub windows: Vec<WindowRecord>,
    pub window: Option<WindowId>,
    /// The chosen window serves a business group: it calls tickets.
    pub serves_queue: bool,
    pub current: Option<StoredTicket>,
    pub waiting: usize,
    /// The chosen window's duty (窗口出勤), with what the clerk may do now.
    pub duty: Option<WindowDutyView>,
    /// The hall's bookings of the day (预约), by slot.
    pub appointments: Vec<crate::appointments::AppointmentView>,
}

/// The day's queue figures: overall, by group, by window and by hour, and the long queues.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct QueueReport {
    pub day: NaiveDate,
    pub overall: QueueStats,
    pub by_group: Vec<(String, QueueStats)>,
    pub by_window: Vec<(String, QueueStats)>,
    pub by_hour: Vec<(u32, QueueStats)>,
    pub long_queues: Vec<LongQueue>,
}

impl App {
    pub async fn queue_groups(&self, unit: UnitId) -> Result<Vec<BusinessGroup>> {
        self.store.unit(unit).await?;
        Ok(self.store.queue_groups(unit).await?)
    }

    /// Sets a unit's business groups (the unit's administrator or a system administrator);
    /// every window named must be the unit's.
    pub async fn set_queue_groups(
        &self,
        session: &Session,
        unit: UnitId,
        groups: Vec<BusinessGroup>,
    ) -> Result<Vec<BusinessGroup>> {
        session.require_any(&[Role::UnitAdmin, Role::SystemAdmin])?;
        if let Visibility::Limited { units, .. } = &session.visibility
            && !session.staff.roles.contains(&Role::SystemAdmin)
            && !units.contains(&unit)
        {
            return Err(AppError::Forbidden(
                "只能设置本单位的业务分组 / only your own unit's groups".into(),
            ));
        }
        validate_groups(&groups)?;
        let windows = self.store.windows(Some(unit)).await?;
        for group in &groups {
            if let Some(stray) = group
                .windows
                .iter()
                .find(|w| !windows.iter().any(|own| own.id == **w))
            {
                return Err(AppError::invalid(
                    "windows",
                    format!("窗口{stray}不属于本单位"),
                    format!("window {stray} is not this unit's"),
                ));
            }
        }
        let saved = groups.clone();
        self.store
            .write(move |tx| Box::pin(async move { tx.set_queue_groups(unit, &saved).await }))
            .await?;
        Ok(groups)
    }

    /// Takes a ticket for `group` at `unit` (the kiosk; public).
    pub async fn take_ticket(&self, unit: UnitId, group: &str) -> Result<StoredTicket> {
        let groups = self.queue_groups(unit).await?;
        let now = self.now();
        let day = china_date(now);
        // Checked before a number is spent on it.
        take(&groups, group, 1, now)?;
        let group = group.to_owned();
        let id = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let sequence = tx.next_ticket_sequence(unit, day, &group).await?;
                    match take(&groups, &group, sequence, now) {
                        Ok(ticket) => tx.insert_ticket(unit, &ticket).await.map(Some),
                        Err(_) => Ok(None),
                    }
                })
            })
            .await?
            .ok_or(AppError::Queue(QueueError::Full))?;
        Ok(self.store.ticket(id).await?)
    }

    async fn own_window(&self, session: &Session, window: WindowId) -> Result<WindowRecord> {
        session.require(Role::WindowClerk)?;
        let windows = self.store.windows(Some(session.staff.unit_id)).await?;
        let window = windows
            .into_iter()
            .find(|w| w.id == window)
            .ok_or(AppError::NotFound("本单位窗口 window of your unit"))?;
        if !window.active {
            return Err(AppError::invalid(
                "window",
                "该窗口已停用",
                "this window is closed",
            ));
        }
        Ok(window)
    }

    /// Calls the next ticket to the clerk's window: the one taken first among the groups the
    /// window serves. Two windows calling at once never get the same ticket.
    pub async fn call_next(&self, session: &Session, window: WindowId) -> Result<StoredTicket> {
        let window = self.own_window(session, window).await?;
        let groups = self.store.queue_groups(window.unit_id).await?;
        let now = self.now();
        for _ in 0..5 {
            let day = self
                .store
                .tickets_of_day(window.unit_id, china_date(now))
                .await?;
            let tickets: Vec<_> = day.iter().map(|t| t.ticket.clone()).collect();
            let Some(next) = next_for(&groups, window.id, &tickets) else {
                return Err(AppError::NotFound("等候中的号票 waiting ticket"));
            };
            let stored = day
                .iter()
                .find(|t| t.ticket.number == next.number && t.ticket.taken_at == next.taken_at)
                .ok_or(AppError::NotFound("号票 ticket"))?;
            let called = call(&groups, &stored.ticket, window.id, session.staff.id, now)?;
            let (id, version) = (stored.id, stored.version);
            let written = self
                .store
                .write(move |tx| {
                    Box::pin(async move { tx.update_ticket(id, version, &called).await })
                })
                .await;
            match written {
                Ok(()) => return Ok(self.store.ticket(id).await?),
                // Another window called it first: take the next one.
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict { stale: 0 })
    }

    /// A window's action on the ticket called to it.
    pub async fn act_on_ticket(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        window: WindowId,
        action: &TicketAction,
    ) -> Result<StoredTicket> {
        let window = self.own_window(session, window).await?;
        let stored = self.store.ticket(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => AppError::NotFound("号票 ticket"),
            other => other.into(),
        })?;
        if stored.unit_id != window.unit_id {
            return Err(AppError::NotFound("号票 ticket"));
        }
        if stored.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        if let TicketAction::Finish { case: Some(case) } = action {
            // The case taken in must be one the clerk may see.
            self.case_view(session, *case).await?;
        }
        let groups = self.store.queue_groups(window.unit_id).await?;
        let next = act(&groups, &stored.ticket, window.id, action, self.now())?;
        // The visit finished with a case says at which window it was taken in, when intake
        // did not know (the clerk was not signed on there).
        let taken_in = match action {
            TicketAction::Finish { case: Some(case) } => Some((*case, window.id)),
            _ => None,
        };
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.update_ticket(id, expected_version, &next).await?;
                    if let Some((case, window)) = taken_in {
                        tx.set_case_window(case, window).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(self.store.ticket(id).await?)
    }

    /// A window clerk's desk: the windows of their unit in use; the one chosen (else the one
    /// the clerk is signed on at, else the first serving a business group, else the first);
    /// its duty; the ticket called to it or served at it, and how many wait for the groups
    /// it serves.
    pub async fn window_desk(
        &self,
        session: &Session,
        window: Option<WindowId>,
    ) -> Result<WindowDesk> {
        session.require(Role::WindowClerk)?;
        let unit = session.staff.unit_id;
        let groups = self.store.queue_groups(unit).await?;
        let windows: Vec<WindowRecord> = self
            .store
            .windows(Some(unit))
            .await?
            .into_iter()
            .filter(|w| w.active)
            .collect();
        let serves = |w: WindowId| groups.iter().any(|g| g.windows.contains(&w));
        let on_duty = self.own_duty_window(session).await?;
        let listed = |w: &WindowId| windows.iter().any(|x| x.id == *w);
        let chosen = window
            .filter(listed)
            .or(on_duty.filter(listed))
            .or_else(|| windows.iter().find(|w| serves(w.id)).map(|w| w.id))
            .or_else(|| windows.first().map(|w| w.id));
        let duty = match chosen {
            Some(w) => Some(self.window_duty(session, w).await?),
            None => None,
        };
        let day = self
            .store
            .tickets_of_day(unit, china_date(self.now()))
            .await?;
        let current = chosen.and_then(|w| {
            day.iter()
                .filter(|t| t.ticket.window == Some(w))
                .filter(|t| matches!(t.ticket.state, TicketState::Called | TicketState::Serving))
                .max_by_key(|t| t.ticket.last_called_at)
                .cloned()
        });
        let waiting = chosen.map_or(0, |w| {
            let served: Vec<&str> = groups
                .iter()
                .filter(|g| g.windows.contains(&w))
                .map(|g| g.code.as_str())
                .collect();
            day.iter()
                .filter(|t| t.ticket.state == TicketState::Waiting)
                .filter(|t| served.contains(&t.ticket.group.as_str()))
                .count()
        });
        let appointments = self
            .appointments_of_day(session, unit, china_date(self.now()))
            .await?;
        Ok(WindowDesk {
            windows,
            window: chosen,
            serves_queue: chosen.is_some_and(serves),
            current,
            waiting,
            duty,
            appointments,
        })
    }

    /// What the hall's screen shows now (public).
    pub async fn queue_board(&self, unit: UnitId) -> Result<Board> {
        let groups = self.queue_groups(unit).await?;
        let windows = self.store.windows(Some(unit)).await?;
        let mut day = self
            .store
            .tickets_of_day(unit, china_date(self.now()))
            .await?;
        let waiting = groups
            .iter()
            .map(|g| GroupWaiting {
                group: g.code.clone(),
                name: g.name.clone(),
                waiting: day
                    .iter()
                    .filter(|t| t.ticket.group == g.code && t.ticket.state == TicketState::Waiting)
                    .count(),
            })
            .collect();
        day.retain(|t| matches!(t.ticket.state, TicketState::Called | TicketState::Serving));
        day.sort_by_key(|t| std::cmp::Reverse(t.ticket.last_called_at));
        let calling = day
            .iter()
            .take(10)
            .filter_map(|t| {
                let window = windows.iter().find(|w| Some(w.id) == t.ticket.window)?;
                Some(BoardCall {
                    number: t.ticket.number.clone(),
                    window_number: window.number.clone(),
                    window_name: window.name.clone(),
                    state: t.ticket.state,
                })
            })
            .collect();
        Ok(Board { calling, waiting })
    }

    /// The queue figures of a unit's day: its staff, its administrators and supervisors.
    pub async fn queue_report(
        &self,
        session: &Session,
        unit: UnitId,
        day: NaiveDate,
    ) -> Result<QueueReport> {
        if let Visibility::Limited { units, .. } = &session.visibility
            && !units.contains(&unit)
        {
            return Err(AppError::NotFound("单位 unit"));
        }
        let groups = self.queue_groups(unit).await?;
        let windows = self.store.windows(Some(unit)).await?;
        let tickets: Vec<_> = self
            .store
            .tickets_of_day(unit, day)
            .await?
            .into_iter()
            .map(|t| t.ticket)
            .collect();
        let mut hours: Vec<u32> = tickets.iter().map(hour_taken).collect();
        hours.sort_unstable();
        hours.dedup();
        Ok(QueueReport {
            day,
            overall: statistics(&tickets),
            by_group: groups
                .iter()
                .map(|g| {
                    (
                        g.code.clone(),
                        statistics(tickets.iter().filter(|t| t.group == g.code)),
                    )
                })
                .collect(),
            by_window: windows
                .iter()
                .filter(|w| tickets.iter().any(|t| t.window == Some(w.id)))
                .map(|w| {
                    (
                        w.number.clone(),
                        statistics(tickets.iter().filter(|t| t.window == Some(w.id))),
                    )
                })
                .collect(),
            by_hour: hours
                .into_iter()
                .map(|h| (h, statistics(tickets.iter().filter(|t| hour_taken(t) == h))))
                .collect(),
            long_queues: long_queues(
                &groups,
                &tickets,
                self.now(),
                LONG_QUEUE_WAITING,
                LONG_QUEUE_MINUTES,
            ),
        })
    }
}
