//! Window duty and attendance (窗口出勤): the clerk signs on at a window, pauses with a
//! reason, resumes and signs off; the hall manager (the unit's administrator) pauses, marks
//! a window away, signs it off and records leave. The windows' board shows each window
//! open, paused or away; the month's attendance and window operation are reported per
//! window and per clerk, and published beside the case figures (docs/attendance.md).
//!
//! Every decision is `attendance::decide`'s; this module loads the window's duty, checks
//! the unit, and appends the event under the duty's version.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::attendance::{
    AttendanceRules, AttendanceSubject, DayRecord, DutyAction, DutyActionKind, DutyContext,
    DutyEvent, DutyState, Irregularity, MonthlyAttendance, PauseReason, WindowDuty,
    allowed_actions, day_record, decide, month_records, monthly,
};
use liandong_domain::calendar::china_date;
use liandong_domain::evaluation::Month;
use liandong_domain::organization::{Role, StaffId, UnitId, Visibility, WindowId};
use liandong_store::{StaffRecord, StoredDuty, WindowRecord};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// One window on the public board: what its display shows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyLine {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub window_id: WindowId,
    pub window_number: String,
    pub window_name: String,
    pub state: DutyState,
    /// The last change of state today; none for a window not opened today.
    pub since: Option<DateTime<Utc>>,
    /// While paused: why.
    pub pause_reason: Option<PauseReason>,
}

/// The windows of a unit, as the hall's screen shows them (public: no names, no notes).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyBoard {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unit_id: UnitId,
    /// The unit's windows in use, by number.
    pub windows: Vec<DutyLine>,
}

/// A window's duty for the staff of its unit: who is on duty, the note of a pause, the
/// version to name when acting, and what the caller may do now.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowDutyView {
    #[serde(flatten)]
    pub line: DutyLine,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unit_id: UnitId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub clerk: Option<StaffId>,
    pub clerk_name: Option<String>,
    pub note: String,
    /// The number of the window's duty events: name it as `expected_version`.
    pub version: u32,
    /// The actions the caller may take now.
    pub allowed_actions: Vec<DutyActionKind>,
}

/// A window's day: what it showed, minute by minute, and the irregularities.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct WindowDay {
    pub window_number: String,
    pub window_name: String,
    /// False for today or a later day: the figures are to date, and a window not yet
    /// opened shows as absent.
    pub complete: bool,
    pub record: DayRecord,
}

/// A window's month in the report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct WindowAttendance {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub window_id: WindowId,
    pub window_number: String,
    pub window_name: String,
    /// False once the window is closed (停用).
    pub active: bool,
    /// The first day the window's attendance is kept (its first duty event); none for a
    /// window nobody has signed on at by the last day counted.
    pub kept_from: Option<NaiveDate>,
    /// The month's figures over the days kept (`working_days` counts those), or none.
    pub figures: Option<MonthlyAttendance>,
}

/// A clerk's month in the report: the windows they held, their irregularities and leave.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ClerkAttendance {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub staff_id: StaffId,
    pub name: String,
    pub figures: MonthlyAttendance,
}

/// One irregularity of one window's day.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DayIrregularity {
    pub date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub window_id: WindowId,
    pub window_number: String,
    /// The clerk it is counted against, when known.
    pub clerk_name: Option<String>,
    pub irregularity: Irregularity,
}

/// A unit's month of attendance and window operation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceReport {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub unit_id: UnitId,
    pub unit_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-03"))]
    pub month: Month,
    /// The last day counted: the month's last, or yesterday for the month in progress.
    pub through: NaiveDate,
    /// False for the month in progress.
    pub complete: bool,
    pub rules: AttendanceRules,
    pub windows: Vec<WindowAttendance>,
    /// The clerks who signed on or were on leave at the unit's windows, by name.
    pub clerks: Vec<ClerkAttendance>,
    /// Every irregularity of the days counted, by day and window.
    pub irregularities: Vec<DayIrregularity>,
}

/// A window's month for the public disclosure: counts and rates only, no names.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowOperationLine {
    pub unit: String,
    pub window_number: String,
    pub window_name: String,
    /// Working days kept in the month, up to the last day counted.
    pub working_days: u32,
    pub days_on_duty: u32,
    pub days_on_leave: u32,
    pub late_openings: u32,
    pub absences: u32,
    pub early_leaves: u32,
    /// Stretches of the window unattended during office hours longer than the rules allow.
    pub closed_stretches: u32,
    pub long_pauses: u32,
    /// Open minutes per thousand office minutes.
    pub open_rate_per_mille: Option<u32>,
}

/// A window's kept month: its records and figures.
pub(crate) struct KeptMonth {
    pub(crate) window: WindowRecord,
    kept_from: Option<NaiveDate>,
    records: Vec<DayRecord>,
    pub(crate) figures: Option<MonthlyAttendance>,
}

impl DutyLine {
    fn of(window: &WindowRecord, stored: &WindowDuty, now: DateTime<Utc>) -> DutyLine {
        let duty = stored.as_of(now);
        // A duty of an earlier day has lapsed: its last change is not today's.
        let lapsed = duty.state != stored.state
            || duty.since.is_some_and(|s| china_date(s) != china_date(now));
        DutyLine {
            window_id: window.id,
            window_number: window.number.clone(),
            window_name: window.name.clone(),
            state: duty.state,
            since: if lapsed { None } else { duty.since },
            pause_reason: duty.pause,
        }
    }
}

fn not_your_window() -> AppError {
    AppError::NotFound("本单位窗口 window of your unit")
}

/// Whether `session` may read the attendance of `unit`: supervisors and system
/// administrators anywhere, unit administrators at the units they keep.
fn may_read(session: &Session, unit: UnitId) -> Result<()> {
    session.require_any(&[Role::UnitAdmin, Role::Supervisor, Role::SystemAdmin])?;
    match &session.visibility {
        Visibility::All => Ok(()),
        Visibility::Limited { units, .. } if units.contains(&unit) => Ok(()),
        Visibility::Limited { .. } => Err(AppError::NotFound("单位 unit")),
    }
}

/// The last day counted of `month` when today is `today`: yesterday for the month in
/// progress (a day not over would show as absent).
pub(crate) fn through(month: Month, today: NaiveDate) -> NaiveDate {
    month.last_day().min(today.pred_opt().unwrap_or(today))
}

impl App {
    /// The windows of `unit` as the hall's screen shows them (public).
    pub async fn duty_board(&self, unit: UnitId) -> Result<DutyBoard> {
        self.store.unit(unit).await?;
        let windows = self.store.windows(Some(unit)).await?;
        let duties = self.store.unit_duties(unit).await?;
        let now = self.now();
        let windows = windows
            .iter()
            .filter(|w| w.active)
            .map(|w| {
                let duty = duties
                    .iter()
                    .find(|d| d.duty.window == w.id)
                    .map_or_else(|| WindowDuty::closed(w.id), |d| d.duty.clone());
                DutyLine::of(w, &duty, now)
            })
            .collect();
        Ok(DutyBoard {
            unit_id: unit,
            windows,
        })
    }

    fn duty_view(
        &self,
        session: &Session,
        window: &WindowRecord,
        stored: &StoredDuty,
        clerk_name: Option<String>,
    ) -> WindowDutyView {
        let now = self.now();
        let duty = stored.duty.as_of(now);
        let acts_here = session.staff.unit_id == window.unit_id;
        let allowed = if acts_here {
            allowed_actions(&stored.duty, &session.staff.actor(), now)
                .into_iter()
                .filter(|a| window.active || *a != DutyActionKind::SignOn)
                .collect()
        } else {
            Vec::new()
        };
        WindowDutyView {
            line: DutyLine::of(window, &stored.duty, now),
            unit_id: window.unit_id,
            clerk: duty.clerk,
            clerk_name: duty.clerk.and(clerk_name),
            note: duty.note,
            version: stored.version,
            allowed_actions: allowed,
        }
    }

    async fn clerk_name(&self, duty: &WindowDuty) -> Result<Option<String>> {
        match duty.as_of(self.now()).clerk {
            Some(id) => Ok(Some(self.store.staff_by_id(id).await?.display_name)),
            None => Ok(None),
        }
    }

    /// A window the session may read the duty of: staff whose scope holds its unit.
    async fn visible_window(&self, session: &Session, window: WindowId) -> Result<WindowRecord> {
        let record = self.window(window).await?;
        match &session.visibility {
            Visibility::All => Ok(record),
            Visibility::Limited { units, .. }
                if units.contains(&record.unit_id) || session.staff.unit_id == record.unit_id =>
            {
                Ok(record)
            }
            Visibility::Limited { .. } => Err(AppError::NotFound("窗口 window")),
        }
    }

    /// A window's duty for the staff who may see its unit, with the actions the caller may
    /// take now and the version to name.
    pub async fn window_duty(&self, session: &Session, window: WindowId) -> Result<WindowDutyView> {
        let record = self.visible_window(session, window).await?;
        let stored = self.store.window_duty(window).await?;
        let name = self.clerk_name(&stored.duty).await?;
        Ok(self.duty_view(session, &record, &stored, name))
    }

    /// The duty of every window in use of `unit`, as [`App::window_duty`] gives each: for the
    /// hall manager's page.
    pub async fn unit_duty_views(
        &self,
        session: &Session,
        unit: UnitId,
    ) -> Result<Vec<WindowDutyView>> {
        may_read(session, unit)?;
        let windows = self.store.windows(Some(unit)).await?;
        let duties = self.store.unit_duties(unit).await?;
        let staff = self.store.staff(Some(unit)).await?;
        let now = self.now();
        Ok(windows
            .iter()
            .filter(|w| w.active)
            .map(|w| {
                let stored = duties
                    .iter()
                    .find(|d| d.duty.window == w.id)
                    .cloned()
                    .unwrap_or_else(|| StoredDuty {
                        duty: WindowDuty::closed(w.id),
                        version: 0,
                    });
                let clerk = stored.duty.as_of(now).clerk;
                let name = staff
                    .iter()
                    .find(|s| Some(s.id) == clerk)
                    .map(|s| s.display_name.clone());
                self.duty_view(session, w, &stored, name)
            })
            .collect())
    }

    /// The window `session`'s clerk is signed on at today, if any.
    pub async fn own_duty_window(&self, session: &Session) -> Result<Option<WindowId>> {
        let now = self.now();
        Ok(self
            .store
            .duties_of_clerk(session.staff.id)
            .await?
            .into_iter()
            .map(|d| d.duty.as_of(now))
            .find(|d| d.state.is_signed_on() && d.clerk == Some(session.staff.id))
            .map(|d| d.window))
    }

    /// An action on a window's duty: by a window clerk of the window's unit, or by its
    /// administrator (the hall manager), on the duty read at `expected_version`.
    pub async fn act_on_duty(
        &self,
        session: &Session,
        window: WindowId,
        expected_version: u32,
        action: &DutyAction,
    ) -> Result<WindowDutyView> {
        session.require_any(&[Role::WindowClerk, Role::UnitAdmin])?;
        let record = self.window(window).await?;
        if record.unit_id != session.staff.unit_id {
            return Err(not_your_window());
        }
        if !record.active && matches!(action, DutyAction::SignOn) {
            return Err(AppError::invalid(
                "window",
                "该窗口已停用",
                "this window is closed",
            ));
        }
        if let DutyAction::RecordLeave {
            clerk: Some(clerk), ..
        } = action
        {
            let staff = self.store.staff(Some(record.unit_id)).await?;
            if !staff.iter().any(|s| s.id == *clerk) {
                return Err(AppError::invalid(
                    "clerk",
                    "请假人员不是本单位的工作人员",
                    "the clerk on leave is not of this unit",
                ));
            }
        }
        let stored = self.store.window_duty(window).await?;
        if stored.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let now = self.now();
        let actor = session.staff.actor();
        let elsewhere = if matches!(action, DutyAction::SignOn) {
            self.own_duty_window(session)
                .await?
                .filter(|w| *w != window)
        } else {
            None
        };
        let calendar = self.calendar();
        let event: DutyEvent = decide(
            &stored.duty,
            action,
            &DutyContext {
                at: now,
                actor: &actor,
                on_duty_elsewhere: elsewhere,
                calendar: &calendar,
                rules: &self.attendance_rules,
            },
        )?;
        let mut after = stored.duty.clone();
        after.apply(&event);
        let (written, saved) = (event.clone(), after.clone());
        let version = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_duty_event(expected_version, &written, &saved)
                        .await
                })
            })
            .await?;
        let stored = StoredDuty {
            duty: after,
            version,
        };
        let name = self.clerk_name(&stored.duty).await?;
        Ok(self.duty_view(session, &record, &stored, name))
    }

    /// A window's day record (its unit's administrators, supervisors, system
    /// administrators).
    pub async fn window_day(
        &self,
        session: &Session,
        window: WindowId,
        date: NaiveDate,
    ) -> Result<WindowDay> {
        let record = self.window(window).await?;
        may_read(session, record.unit_id)?;
        let events = self
            .store
            .duty_events(Some(record.unit_id), date, date)
            .await?;
        let calendar = self.calendar();
        Ok(WindowDay {
            window_number: record.number,
            window_name: record.name,
            complete: date < china_date(self.now()),
            record: day_record(
                window,
                date,
                &events,
                None,
                &calendar,
                &self.attendance_rules,
            ),
        })
    }

    /// The kept months of the windows of `unit` (or of every unit): a window's attendance is
    /// kept from its first duty event on (a window not yet run through the system is not
    /// absent), and a closed window's until its last.
    pub(crate) async fn kept_months(
        &self,
        unit: Option<UnitId>,
        month: Month,
        through: NaiveDate,
    ) -> Result<Vec<KeptMonth>> {
        let windows = self.store.windows(unit).await?;
        let kept = self.store.duty_kept_days(unit).await?;
        let events = if through < month.first_day() {
            Vec::new()
        } else {
            self.store
                .duty_events(unit, month.first_day(), through)
                .await?
        };
        let calendar = self.calendar();
        let mut months = Vec::new();
        for window in windows {
            let span = kept
                .iter()
                .find(|(w, _, _)| *w == window.id)
                .map(|(_, first, last)| (*first, *last))
                .filter(|(first, _)| *first <= through);
            let Some((first, last)) = span else {
                if window.active {
                    months.push(KeptMonth {
                        window,
                        kept_from: None,
                        records: Vec::new(),
                        figures: None,
                    });
                }
                continue;
            };
            if !window.active && last < month.first_day() {
                continue;
            }
            let records: Vec<DayRecord> = month_records(
                window.id,
                month,
                through,
                &events,
                None,
                &calendar,
                &self.attendance_rules,
            )
            .into_iter()
            .filter(|r| r.date >= first && (window.active || r.date <= last))
            .collect();
            let mut figures = monthly(
                AttendanceSubject::Window { id: window.id },
                month,
                through,
                &records,
                &calendar,
            );
            figures.working_days =
                u32::try_from(records.iter().filter(|r| r.day_kind.is_working()).count())
                    .unwrap_or(u32::MAX);
            months.push(KeptMonth {
                window,
                kept_from: Some(first),
                records,
                figures: Some(figures),
            });
        }
        Ok(months)
    }

    /// A unit's month of attendance (`YYYY-MM`; the last complete month when none is
    /// given): per window, per clerk, and every irregularity by day. The unit's
    /// administrators, supervisors and system administrators.
    pub async fn attendance_report(
        &self,
        session: &Session,
        unit: UnitId,
        month: Option<&str>,
    ) -> Result<AttendanceReport> {
        may_read(session, unit)?;
        let unit_record = self.store.unit(unit).await?;
        let (month, current) = self.month_asked(month)?;
        let today = china_date(self.now());
        let through = through(month, today);
        let kept = self.kept_months(Some(unit), month, through).await?;
        let staff: Vec<StaffRecord> = self.store.staff(Some(unit)).await?;
        let name = |id: StaffId| {
            staff
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.display_name.clone())
        };
        let records: Vec<DayRecord> = kept.iter().flat_map(|k| k.records.clone()).collect();
        let mut clerk_ids: Vec<StaffId> = records
            .iter()
            .flat_map(|r| {
                r.duty
                    .iter()
                    .map(|d| d.clerk)
                    .chain(r.leaves.iter().filter_map(|l| l.clerk))
            })
            .collect();
        clerk_ids.sort_unstable_by_key(|c| c.0);
        clerk_ids.dedup();
        let calendar = self.calendar();
        let mut clerks: Vec<ClerkAttendance> = clerk_ids
            .into_iter()
            .map(|id| ClerkAttendance {
                staff_id: id,
                name: name(id).unwrap_or_else(|| id.0.to_string()),
                figures: monthly(
                    AttendanceSubject::Clerk { id },
                    month,
                    through,
                    &records,
                    &calendar,
                ),
            })
            .collect();
        clerks.sort_by(|a, b| a.name.cmp(&b.name));
        let mut irregularities: Vec<DayIrregularity> = kept
            .iter()
            .flat_map(|k| {
                k.records.iter().flat_map(|r| {
                    r.irregularities.iter().map(|i| DayIrregularity {
                        date: r.date,
                        window_id: k.window.id,
                        window_number: k.window.number.clone(),
                        clerk_name: i.clerk().and_then(&name),
                        irregularity: i.clone(),
                    })
                })
            })
            .collect();
        irregularities.sort_by(|a, b| (a.date, &a.window_number).cmp(&(b.date, &b.window_number)));
        Ok(AttendanceReport {
            unit_id: unit,
            unit_name: unit_record.name,
            month,
            through,
            complete: month < current,
            rules: self.attendance_rules,
            windows: kept
                .into_iter()
                .map(|k| WindowAttendance {
                    window_id: k.window.id,
                    window_number: k.window.number,
                    window_name: k.window.name,
                    active: k.window.active,
                    kept_from: k.kept_from,
                    figures: k.figures,
                })
                .collect(),
            clerks,
            irregularities,
        })
    }

    /// The month's window operation of every window whose attendance is kept, for the
    /// public disclosure, by unit code and window number; and the last day counted.
    pub(crate) async fn window_operation(
        &self,
        month: Month,
    ) -> Result<(NaiveDate, Vec<WindowOperationLine>)> {
        let through = through(month, china_date(self.now()));
        let units = self.store.units().await?;
        let mut lines: Vec<(String, WindowOperationLine)> = self
            .kept_months(None, month, through)
            .await?
            .into_iter()
            .filter_map(|k| {
                let f = k.figures?;
                let unit = units.iter().find(|u| u.id == k.window.unit_id)?;
                Some((
                    unit.code.clone(),
                    WindowOperationLine {
                        unit: unit.name.clone(),
                        window_number: k.window.number,
                        window_name: k.window.name,
                        working_days: f.working_days,
                        days_on_duty: f.days_on_duty,
                        days_on_leave: f.days_on_leave,
                        late_openings: f.late_openings,
                        absences: f.absences,
                        early_leaves: f.early_leaves,
                        closed_stretches: f.closed_stretches,
                        long_pauses: f.long_pauses,
                        open_rate_per_mille: f.open_rate_per_mille,
                    },
                ))
            })
            .collect();
        lines.sort_by(|a, b| (&a.0, &a.1.window_number).cmp(&(&b.0, &b.1.window_number)));
        Ok((through, lines.into_iter().map(|(_, l)| l).collect()))
    }
}
