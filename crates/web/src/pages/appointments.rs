//! Appointments (预约取号) on the pages: booking at the kiosk (group, slot, phone and the
//! code sent to it, all by touch), the check-in at the kiosk that prints a ticket, and the
//! applicant's bookings online (book, see, cancel).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use liandong_app::appointments::{AppointmentView, Booker, SlotOffer};
use liandong_app::{App, AppError};
use liandong_domain::appointment::Slot;
use liandong_domain::organization::UnitId;

use crate::error::{PageError, message, refused_status};
use crate::form::{Form, Params};
use crate::i18n::Lang;
use crate::pages::online::SignedApplicant;
use crate::session::{CheckedForm, Visitor};
use crate::view::{Ctx, page, render};

/// One day of slots: its value, its label, and each slot's start and places left.
pub struct SlotDay {
    pub day: String,
    pub label: String,
    pub slots: Vec<(String, u32)>,
}

/// The steps shared by the kiosk and the online page: a group, then a slot.
pub struct Picker {
    /// The page the links lead back to, with any parameters it keeps (`?unit=3`).
    base: String,
    pub groups: Vec<(String, String)>,
    /// The group chosen: code and name.
    pub group: Option<(String, String)>,
    pub days: Vec<SlotDay>,
    /// The slot chosen: day, start (`09:30`) and how it reads.
    pub slot: Option<(String, String, String)>,
}

impl Picker {
    fn sep(&self) -> char {
        if self.base.contains('?') { '&' } else { '?' }
    }

    pub fn group_link(&self, code: &str) -> String {
        format!("{}{}group={code}", self.base, self.sep())
    }

    pub fn slot_link(&self, day: &str, start: &str) -> String {
        let group = self.group.as_ref().map_or("", |(code, _)| code.as_str());
        format!(
            "{}{}group={group}&day={day}&start={start}",
            self.base,
            self.sep()
        )
    }

    pub fn back_link(&self) -> String {
        match &self.group {
            Some((code, _)) if self.slot.is_some() => self.group_link(code),
            _ => self.base.clone(),
        }
    }
}

fn weekday_zh(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

fn day_label(day: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}月{}日 {}", day.month(), day.day(), weekday_zh(day)),
        Lang::En => day.format("%a %-d %b").to_string(),
    }
}

fn slot_label(slot: &Slot, lang: Lang) -> String {
    format!("{} {}", day_label(slot.day, lang), slot.label())
}

fn slot_days(offers: &[SlotOffer], lang: Lang) -> Vec<SlotDay> {
    let mut days: Vec<SlotDay> = Vec::new();
    for offer in offers {
        let day = offer.slot.day.to_string();
        if days.last().is_none_or(|d| d.day != day) {
            days.push(SlotDay {
                day: day.clone(),
                label: day_label(offer.slot.day, lang),
                slots: Vec::new(),
            });
        }
        if let Some(last) = days.last_mut() {
            last.slots.push((offer.slot.label(), offer.left));
        }
    }
    days
}

/// The slot a form or the address names, if well formed.
fn slot_of(form: &Form) -> Option<Slot> {
    let day = form.get("day").parse::<NaiveDate>().ok()?;
    let start = NaiveTime::parse_from_str(form.get("start"), "%H:%M").ok()?;
    Some(Slot { day, start })
}

/// The picker at `unit` for what `form` chose so far.
async fn picker(
    app: &App,
    unit: UnitId,
    base: String,
    form: &Form,
    lang: Lang,
) -> Result<Picker, PageError> {
    let groups: Vec<(String, String)> = app
        .queue_groups(unit)
        .await?
        .into_iter()
        .map(|g| (g.code, g.name))
        .collect();
    let group = groups
        .iter()
        .find(|(code, _)| code == form.get("group"))
        .cloned();
    let slot = group.as_ref().and(slot_of(form));
    let days = match (&group, slot) {
        (Some((code, _)), None) => slot_days(&app.appointment_slots(unit, code).await?, lang),
        _ => Vec::new(),
    };
    Ok(Picker {
        base,
        groups,
        group,
        days,
        slot: slot.map(|s| (s.day.to_string(), s.label(), slot_label(&s, lang))),
    })
}

#[derive(Template)]
#[template(path = "kiosk_book.html")]
struct KioskBookPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    p: Picker,
    phone: String,
    /// The code went to this (masked) phone: the code step.
    sent: Option<String>,
    problem: Option<String>,
}

async fn kiosk_book_page(
    app: &App,
    visitor: &Visitor,
    unit: i64,
    form: &Form,
) -> Result<KioskBookPage, PageError> {
    let record = app.store.unit(UnitId(unit)).await.map_err(AppError::from)?;
    let base = format!("/kiosk/{unit}/book");
    Ok(KioskBookPage {
        c: visitor.ctx(&base),
        unit_id: unit,
        unit_name: record.name,
        p: picker(app, UnitId(unit), base, form, visitor.lang).await?,
        phone: form.get("phone").trim().to_owned(),
        sent: None,
        problem: None,
    })
}

/// The kiosk's booking: a group, a slot, then the phone and its code, by touch.
pub async fn kiosk_book(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
    Params(q): Params,
) -> Result<Response, PageError> {
    let data = kiosk_book_page(&app, &visitor, unit, &q).await?;
    Ok(visitor.finish(page(&data)))
}

/// Sends the sign-in code to the phone typed at the kiosk.
pub async fn kiosk_send_code(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let mut data = kiosk_book_page(&app, &visitor, unit, &form).await?;
    match app.send_sign_in_code(form.get("phone")).await {
        Ok(sent) => data.sent = Some(sent.phone),
        Err(e @ AppError::Storage(_)) => return Err(e.into()),
        Err(e) => {
            data.problem = Some(message(&e, visitor.lang));
            return Ok(visitor.finish(render(refused_status(&e), &data)));
        }
    }
    Ok(visitor.finish(page(&data)))
}

#[derive(Template)]
#[template(path = "kiosk_booked.html")]
struct KioskBookedPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    group_name: String,
    when: String,
    code: String,
    phone: String,
}

/// Books the slot with the code the phone received, and shows the check-in code.
pub async fn kiosk_book_post(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let slot = slot_of(&form).ok_or(PageError::BadForm)?;
    let booker = Booker::Kiosk {
        phone: form.get("phone"),
        code: form.get("code").trim(),
    };
    match app
        .book_appointment(UnitId(unit), form.get("group"), slot, booker)
        .await
    {
        Ok(booked) => {
            let mut data = kiosk_book_page(&app, &visitor, unit, &form).await?;
            let group_name = data
                .p
                .group
                .take()
                .map(|(_, name)| name)
                .unwrap_or_default();
            let phone = liandong_domain::ids::PhoneNumber::parse(&booked.appointment.phone)
                .map(|p| p.masked())
                .unwrap_or_default();
            Ok(visitor.finish(page(&KioskBookedPage {
                c: data.c,
                unit_id: unit,
                unit_name: data.unit_name,
                group_name,
                when: slot_label(&booked.appointment.slot, visitor.lang),
                code: booked.appointment.code,
                phone,
            })))
        }
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => {
            let mut data = kiosk_book_page(&app, &visitor, unit, &form).await?;
            // A wrong code keeps the code step; any other refusal starts the phone over.
            if matches!(&e, AppError::Invalid(fields) if fields.iter().any(|f| f.field == "code")) {
                data.sent = Some(String::new());
            }
            data.problem = Some(message(&e, visitor.lang));
            Ok(visitor.finish(render(refused_status(&e), &data)))
        }
    }
}

#[derive(Template)]
#[template(path = "kiosk_check_in.html")]
struct CheckInPage {
    c: Ctx,
    unit_id: i64,
    unit_name: String,
    problem: Option<String>,
}

async fn check_in_page(app: &App, visitor: &Visitor, unit: i64) -> Result<CheckInPage, PageError> {
    let record = app.store.unit(UnitId(unit)).await.map_err(AppError::from)?;
    Ok(CheckInPage {
        c: visitor.ctx(&format!("/kiosk/{unit}/check-in")),
        unit_id: unit,
        unit_name: record.name,
        problem: None,
    })
}

/// The kiosk's check-in: the booking code on a keypad.
pub async fn kiosk_check_in(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
) -> Result<Response, PageError> {
    let data = check_in_page(&app, &visitor, unit).await?;
    Ok(visitor.finish(page(&data)))
}

/// Checks in and shows the ticket.
pub async fn kiosk_check_in_post(
    State(app): State<App>,
    visitor: Visitor,
    Path(unit): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    match app
        .check_in_appointment(UnitId(unit), form.get("code"))
        .await
    {
        Ok(ticket) => crate::pages::queue::show_ticket(&app, &visitor, unit, &ticket).await,
        Err(e @ AppError::Storage(_)) => Err(e.into()),
        Err(e) => {
            let mut data = check_in_page(&app, &visitor, unit).await?;
            data.problem = Some(message(&e, visitor.lang));
            Ok(visitor.finish(render(refused_status(&e), &data)))
        }
    }
}

/// A booking as a row of the applicant's list or the hall's.
pub struct BookingRow {
    pub id: i64,
    pub hall: String,
    pub group: String,
    pub when: String,
    pub phone: String,
    pub code: String,
    /// The message key of where it stands.
    pub standing: String,
    pub check_in: String,
    pub cancellable: bool,
}

pub fn booking_row(v: AppointmentView, lang: Lang) -> BookingRow {
    BookingRow {
        id: v.id,
        hall: v.hall,
        group: v.group_name,
        when: slot_label(&v.slot, lang),
        phone: v.phone,
        code: v.code.unwrap_or_default(),
        standing: format!("appointment.{}", v.standing.as_str()),
        check_in: format!(
            "{}–{}",
            hour_minute(&v.check_in_opens),
            hour_minute(&v.check_in_closes)
        ),
        cancellable: v.cancellable,
    }
}

fn hour_minute(at: &chrono::DateTime<chrono::Utc>) -> String {
    liandong_domain::calendar::china_datetime(*at)
        .format("%H:%M")
        .to_string()
}

#[derive(Template)]
#[template(path = "online_appointments.html")]
struct OnlinePage {
    c: Ctx,
    phone: String,
    mine: Vec<BookingRow>,
    halls: Vec<(i64, String)>,
    /// The hall chosen, and the steps within it.
    hall: Option<(i64, String)>,
    p: Option<Picker>,
    problem: Option<String>,
}

async fn online_page(
    app: &App,
    visitor: &Visitor,
    applicant: &SignedApplicant,
    q: &Form,
) -> Result<OnlinePage, PageError> {
    let halls: Vec<(i64, String)> = app
        .booking_halls()
        .await?
        .into_iter()
        .map(|(u, name)| (u.0, name))
        .collect();
    let hall = halls
        .iter()
        .find(|(id, _)| id.to_string() == q.get("unit"))
        .cloned();
    let p = match &hall {
        Some((id, _)) => Some(
            picker(
                app,
                UnitId(*id),
                format!("/online/appointments?unit={id}"),
                q,
                visitor.lang,
            )
            .await?,
        ),
        None => None,
    };
    Ok(OnlinePage {
        c: visitor.ctx("/online/appointments"),
        phone: applicant.who.phone.masked(),
        mine: app
            .my_appointments(&applicant.who)
            .await?
            .into_iter()
            .rev()
            .map(|v| booking_row(v, visitor.lang))
            .collect(),
        halls,
        hall,
        p,
        problem: None,
    })
}

/// The applicant's bookings, and booking a hall's slot.
pub async fn online_appointments(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Params(q): Params,
) -> Result<Response, PageError> {
    let data = online_page(&app, &visitor, &applicant, &q).await?;
    Ok(visitor.finish(page(&data)))
}

async fn online_refused(
    app: &App,
    visitor: &Visitor,
    applicant: &SignedApplicant,
    form: &Form,
    e: AppError,
) -> Result<Response, PageError> {
    if matches!(e, AppError::Storage(_)) {
        return Err(e.into());
    }
    let mut data = online_page(app, visitor, applicant, form).await?;
    data.problem = Some(message(&e, visitor.lang));
    Ok(visitor.finish(render(refused_status(&e), &data)))
}

/// Books the slot chosen for the applicant's phone.
pub async fn online_book(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    let unit = UnitId(form.get("unit").parse().map_err(|_| PageError::BadForm)?);
    let slot = slot_of(&form).ok_or(PageError::BadForm)?;
    match app
        .book_appointment(
            unit,
            form.get("group"),
            slot,
            Booker::Applicant(&applicant.who),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/online/appointments").into_response()),
        Err(e) => online_refused(&app, &visitor, &applicant, &form, e).await,
    }
}

/// Cancels one of the applicant's bookings.
pub async fn online_cancel(
    State(app): State<App>,
    visitor: Visitor,
    applicant: SignedApplicant,
    Path(id): Path<i64>,
    CheckedForm(form): CheckedForm,
) -> Result<Response, PageError> {
    match app.cancel_appointment(&applicant.who, id).await {
        Ok(_) => Ok(Redirect::to("/online/appointments").into_response()),
        Err(e) => online_refused(&app, &visitor, &applicant, &form, e).await,
    }
}

/// For the clerk's desk: the hall's bookings of a day, as rows.
pub fn day_rows(views: Vec<AppointmentView>, lang: Lang) -> Vec<BookingRow> {
    views.into_iter().map(|v| booking_row(v, lang)).collect()
}
