//! Window duty and attendance (窗口出勤) for the hall manager and the supervisors: the month's
//! figures per window and per clerk, the irregularities by day, and the windows now — with
//! the hall manager's actions (pause, mark away, sign off) and the leave form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use liandong_app::attendance::{AttendanceReport, WindowDutyView};
use liandong_app::{App, AppError};
use liandong_domain::attendance::{
    DayPart, DutyAction, DutyActionKind, Irregularity, LeaveReason, MonthlyAttendance,
};
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{Role, StaffId, UnitId, Visibility, WindowId};

use crate::charts::percent;
use crate::error::{PageError, message, refused_status};
use crate::form::{Form, Params};
use crate::i18n::Lang;
use crate::pages::queue::{duty_action, pause_reasons};
use crate::session::{CheckedForm, Signed};
use crate::view::{Ctx, date, query, render, time};

/// One line of figures: a window or a clerk.
pub struct FigureRow {
    pub label: String,
    /// The figures, or none for a window whose attendance is not kept yet.
    pub figures: Option<Figures>,
}

pub struct Figures {
    pub working_days: u32,
    pub days_on_duty: u32,
    pub days_on_leave: u32,
    pub on_time: u32,
    pub late: u32,
    pub absences: u32,
    pub early: u32,
    pub closed: u32,
    pub long_pauses: u32,
    pub paused_minutes: u32,
    pub away_minutes: u32,
    pub open_rate: String,
}

fn figures(m: &MonthlyAttendance) -> Figures {
    Figures {
        working_days: m.working_days,
        days_on_duty: m.days_on_duty,
        days_on_leave: m.days_on_leave,
        on_time: m.on_time_openings,
        late: m.late_openings,
        absences: m.absences,
        early: m.early_leaves,
        closed: m.closed_stretches,
        long_pauses: m.long_pauses,
        paused_minutes: m.paused.total(),
        away_minutes: m.away_minutes,
        open_rate: percent(m.open_rate_per_mille.map(i64::from)),
    }
}

pub struct IrregularityRow {
    pub date: String,
    pub window: String,
    pub kind: String,
    pub detail: String,
    pub clerk: String,
}

/// What an irregularity says beyond its kind: minutes, from when, why.
fn detail(i: &Irregularity, l: Lang) -> String {
    let minutes = |m: &u32| l.tf("att.minutes", m);
    let from = |at| l.tf("att.from", crate::view::time(at));
    match i {
        Irregularity::LateOpening { minutes: m, .. }
        | Irregularity::EarlyLeave { minutes: m, .. } => minutes(m),
        Irregularity::UnexplainedAbsence { .. } => String::new(),
        Irregularity::ClosedDuringOfficeHours {
            from: at,
            minutes: m,
            ..
        } => format!("{} {}", from(at), minutes(m)),
        Irregularity::LongPause {
            from: at,
            reason,
            minutes: m,
            ..
        } => format!(
            "{} {} · {}",
            from(at),
            minutes(m),
            l.named("pause_reason", reason.as_str())
        ),
    }
}

pub struct ReportView {
    pub through: String,
    pub complete: bool,
    /// The figures by window and by clerk: heading key, table id, rows.
    pub tables: Vec<(&'static str, &'static str, Vec<FigureRow>)>,
    pub irregularities: Vec<IrregularityRow>,
}

fn report_view(r: &AttendanceReport, day: Option<NaiveDate>, l: Lang) -> ReportView {
    ReportView {
        through: date(&r.through),
        complete: r.complete,
        tables: vec![
            (
                "att.by_window",
                "att-windows",
                r.windows
                    .iter()
                    .map(|w| FigureRow {
                        label: format!("{} {}", w.window_number, w.window_name),
                        figures: w.figures.as_ref().map(figures),
                    })
                    .collect(),
            ),
            (
                "att.by_clerk",
                "att-clerks",
                r.clerks
                    .iter()
                    .map(|c| FigureRow {
                        label: c.name.clone(),
                        figures: Some(figures(&c.figures)),
                    })
                    .collect(),
            ),
        ],
        irregularities: r
            .irregularities
            .iter()
            .filter(|i| day.is_none_or(|d| i.date == d))
            .map(|i| IrregularityRow {
                date: date(&i.date),
                window: i.window_number.clone(),
                kind: format!("irregularity.{}", i.irregularity.kind()),
                detail: detail(&i.irregularity, l),
                clerk: i.clerk_name.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// A window now, with the hall manager's buttons.
pub struct NowRow {
    pub window_id: i64,
    pub label: String,
    pub state: &'static str,
    pub reason: Option<&'static str>,
    pub clerk: String,
    pub since: String,
    pub version: u32,
    pub actions: Vec<&'static str>,
}

fn now_row(v: WindowDutyView) -> NowRow {
    NowRow {
        window_id: v.line.window_id.0,
        label: format!("{} {}", v.line.window_number, v.line.window_name),
        state: v.line.state.as_str(),
        reason: v.line.pause_reason.map(|r| r.as_str()),
        clerk: v.clerk_name.unwrap_or_default(),
        since: v.line.since.as_ref().map(time).unwrap_or_default(),
        version: v.version,
        actions: v
            .allowed_actions
            .into_iter()
            .filter(|a| *a != DutyActionKind::RecordLeave)
            .map(DutyActionKind::as_str)
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "attendance.html")]
struct AttendancePage {
    c: Ctx,
    units: Vec<(i64, String)>,
    unit_id: i64,
    month: String,
    day: String,
    report: Option<ReportView>,
    now: Vec<NowRow>,
    /// The session is the hall manager of the unit: the actions and the leave form.
    manager: bool,
    today: String,
    clerks: Vec<(i64, String)>,
    pause_reasons: Vec<(&'static str, String)>,
    leave_reasons: Vec<(&'static str, String)>,
    day_parts: Vec<(&'static str, String)>,
    /// The leave form as typed, kept when refused.
    leave: Form,
    problem: Option<String>,
}

/// The unit a page asks for: `unit`, else the session's own.
fn asked_unit(signed: &Signed, form: &Form) -> UnitId {
    form.get("unit")
        .parse()
        .ok()
        .map_or(signed.session.staff.unit_id, UnitId)
}

async fn attendance_page(
    app: &App,
    signed: &Signed,
    q: &Form,
    leave: Form,
) -> Result<(AttendancePage, Option<AppError>), PageError> {
    let l = signed.lang;
    let session = &signed.session;
    let unit = asked_unit(signed, q);
    let month = q.opt("month").map(str::to_owned);
    let day = q.opt("day").and_then(|d| d.parse::<NaiveDate>().ok());
    let (report, refused) = match app.attendance_report(session, unit, month.as_deref()).await {
        Ok(r) => (Some(r), None),
        Err(e @ AppError::Invalid(_)) => (None, Some(e)),
        Err(e) => return Err(e.into()),
    };
    let units = app
        .units()
        .await?
        .into_iter()
        .filter(|u| match &session.visibility {
            Visibility::All => true,
            Visibility::Limited { units, .. } => units.contains(&u.id),
        })
        .map(|u| (u.id.0, u.name))
        .collect();
    let manager = session.staff.roles.contains(&Role::UnitAdmin) && session.staff.unit_id == unit;
    let now = app
        .unit_duty_views(session, unit)
        .await?
        .into_iter()
        .map(now_row)
        .collect();
    let clerks = if manager {
        app.store
            .staff(Some(unit))
            .await
            .map_err(AppError::from)?
            .into_iter()
            .filter(|s| s.active && s.roles.contains(&Role::WindowClerk))
            .map(|s| (s.id.0, s.display_name))
            .collect()
    } else {
        Vec::new()
    };
    let data = AttendancePage {
        c: signed.ctx("/attendance"),
        units,
        unit_id: unit.0,
        month: report
            .as_ref()
            .map(|r| r.month.to_string())
            .or(month)
            .unwrap_or_default(),
        day: day.as_ref().map(date).unwrap_or_default(),
        report: report.as_ref().map(|r| report_view(r, day, l)),
        now,
        manager,
        today: date(&china_date(app.now())),
        clerks,
        pause_reasons: pause_reasons(),
        leave_reasons: LeaveReason::ALL
            .iter()
            .map(|r| (r.as_str(), format!("leave_reason.{r}")))
            .collect(),
        day_parts: [DayPart::WholeDay, DayPart::Morning, DayPart::Afternoon]
            .iter()
            .map(|p| (p.as_str(), format!("day_part.{p}")))
            .collect(),
        leave,
        problem: None,
    };
    Ok((data, refused))
}

/// The month's attendance of a unit, its irregularities and its windows now.
pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let (mut data, refused) = attendance_page(&app, &signed, &q, Form::default()).await?;
    if let Some(e) = refused {
        data.problem = Some(message(&e, signed.lang));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data));
    }
    Ok(render(StatusCode::OK, &data))
}

/// The page again after `e` refused an action, with the message (and the leave as typed).
async fn refused(
    app: &App,
    signed: &Signed,
    unit: UnitId,
    leave: Form,
    e: AppError,
) -> Result<Response, PageError> {
    if matches!(e, AppError::Storage(_)) {
        return Err(e.into());
    }
    let q = Form::default().with("unit", &unit.0.to_string());
    let (mut data, _) = attendance_page(app, signed, &q, leave).await?;
    data.problem = Some(message(&e, signed.lang));
    Ok(render(refused_status(&e), &data))
}

fn back(unit: UnitId) -> Response {
    Redirect::to(&query("/attendance", &[("unit", &unit.0.to_string())])).into_response()
}

/// The hall manager's action on a window: pause, mark away, sign off.
pub async fn act(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let unit = signed.session.staff.unit_id;
    let version = form
        .get("expected_version")
        .parse()
        .map_err(|_| PageError::BadForm)?;
    let action = duty_action(&form)?;
    match app
        .act_on_duty(&signed.session, WindowId(id), version, &action)
        .await
    {
        Ok(_) => Ok(back(unit)),
        Err(e) => refused(&app, &signed, unit, Form::default(), e).await,
    }
}

/// The hall manager records approved leave for a window. A leave changes no window's state,
/// so it is recorded on the window's duty as it is now (no version from the form).
pub async fn leave(
    State(app): State<App>,
    signed: Signed,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let unit = signed.session.staff.unit_id;
    let window = WindowId(form.get("window").parse().map_err(|_| PageError::BadForm)?);
    let invalid = |field: &str, zh: &str, en: &str| AppError::invalid(field, zh, en);
    let action = match (
        form.get("date").parse::<NaiveDate>(),
        form.get("part").parse::<DayPart>(),
        form.get("reason").parse::<LeaveReason>(),
    ) {
        (Ok(date), Ok(part), Ok(reason)) => DutyAction::RecordLeave {
            date,
            part,
            clerk: form.get("clerk").parse().ok().map(StaffId),
            reason,
            note: form.get("note").to_owned(),
        },
        (Err(_), _, _) => {
            let e = invalid(
                "date",
                "请填写请假日期",
                "the date of the leave is required",
            );
            return refused(&app, &signed, unit, form, e).await;
        }
        _ => return Err(PageError::BadForm),
    };
    let result = match app.window_duty(&signed.session, window).await {
        Ok(view) => {
            app.act_on_duty(&signed.session, window, view.version, &action)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(back(unit)),
        Err(e) => refused(&app, &signed, unit, form, e).await,
    }
}
