//! Appointments (预约取号): a hall's slots per business group, booking at the kiosk (with a
//! code sent to the phone) or online (signed in), the applicant's bookings and their
//! cancellation, the check-in at the kiosk, and the hall's list of the day.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveTime};
use liandong_app::App;
use liandong_app::appointments::{AppointmentView, Booker, SlotOffer};
use liandong_domain::appointment::Slot;
use liandong_domain::organization::UnitId;
use liandong_store::{StoredAppointment, StoredTicket};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Path, Query, SignedApplicant, Staff};
use crate::problem::{ApiError, Problem};

/// The slots of a hall's business group from now on, with the places left (public).
#[utoipa::path(get, path = "/api/v1/units/{id}/queue/groups/{group}/slots", tag = "queue",
    params(("id" = i64, Path, example = 1), ("group" = String, Path, example = "A")),
    responses((status = 200, body = Vec<SlotOffer>),
        (status = 404, description = "no such unit or group", body = Problem, content_type = "application/problem+json")))]
pub async fn slots(
    State(app): State<App>,
    Path((id, group)): Path<(i64, String)>,
) -> Result<axum::Json<Vec<SlotOffer>>, ApiError> {
    Ok(axum::Json(app.appointment_slots(UnitId(id), &group).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"group": "A", "day": "2026-05-06", "start": "09:30:00",
    "phone": "13800138000", "code": "123456"}))]
pub struct KioskBooking {
    pub group: String,
    pub day: NaiveDate,
    /// The slot's China start time, as the slots list gives it.
    #[schema(value_type = String, example = "09:30:00")]
    pub start: NaiveTime,
    /// The mobile number the code was sent to (`POST /api/v1/online/codes`).
    pub phone: String,
    pub code: String,
}

/// Books a slot at the kiosk (public): the phone's sign-in code is checked, and spent only
/// when the booking is made. The check-in code goes to the phone by SMS.
#[utoipa::path(post, path = "/api/v1/units/{id}/appointments", tag = "queue",
    params(("id" = i64, Path, example = 1)), request_body = KioskBooking,
    responses((status = 201, body = StoredAppointment),
        (status = 403, description = "booking suspended after repeated no-shows", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit or group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the slot is full, or the phone holds two bookings already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a wrong or expired code, a bad phone, a slot not offered", body = Problem, content_type = "application/problem+json")))]
pub async fn book_at_kiosk(
    State(app): State<App>,
    Path(id): Path<i64>,
    Json(req): Json<KioskBooking>,
) -> Result<(StatusCode, axum::Json<StoredAppointment>), ApiError> {
    let slot = Slot {
        day: req.day,
        start: req.start,
    };
    let booker = Booker::Kiosk {
        phone: &req.phone,
        code: &req.code,
    };
    let booked = app
        .book_appointment(UnitId(id), &req.group, slot, booker)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(booked)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"unit_id": 1, "group": "A", "day": "2026-05-06", "start": "09:30:00"}))]
pub struct OnlineBooking {
    pub unit_id: i64,
    pub group: String,
    pub day: NaiveDate,
    #[schema(value_type = String, example = "09:30:00")]
    pub start: NaiveTime,
}

/// Books a slot for the signed-in applicant's phone.
#[utoipa::path(post, path = "/api/v1/online/appointments", tag = "online", security(("bearer" = [])),
    request_body = OnlineBooking,
    responses((status = 201, body = StoredAppointment),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "booking suspended after repeated no-shows", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit or group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the slot is full, or the phone holds two bookings already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a slot not offered", body = Problem, content_type = "application/problem+json")))]
pub async fn book_online(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Json(req): Json<OnlineBooking>,
) -> Result<(StatusCode, axum::Json<StoredAppointment>), ApiError> {
    let slot = Slot {
        day: req.day,
        start: req.start,
    };
    let booked = app
        .book_appointment(
            UnitId(req.unit_id),
            &req.group,
            slot,
            Booker::Applicant(&who),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(booked)))
}

/// The signed-in applicant's bookings of the last ninety days and to come.
#[utoipa::path(get, path = "/api/v1/online/appointments", tag = "online", security(("bearer" = [])),
    responses((status = 200, body = Vec<AppointmentView>),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_appointments(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
) -> Result<axum::Json<Vec<AppointmentView>>, ApiError> {
    Ok(axum::Json(app.my_appointments(&who).await?))
}

/// Cancels one of the applicant's bookings before its slot begins; its place is free again.
#[utoipa::path(post, path = "/api/v1/online/appointments/{id}/cancel", tag = "online", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, body = AppointmentView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not a booking of this phone", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "checked in, cancelled already, or the slot has begun", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(app): State<App>,
    SignedApplicant(who): SignedApplicant,
    Path(id): Path<i64>,
) -> Result<axum::Json<AppointmentView>, ApiError> {
    Ok(axum::Json(app.cancel_appointment(&who, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "482913"}))]
pub struct CheckIn {
    /// The six-digit code of today's booking.
    pub code: String,
}

/// Checks in a booking of today at the hall's kiosk (public): from half an hour before the
/// slot to a quarter of an hour after it. Gives a ticket called before walk-in tickets.
#[utoipa::path(post, path = "/api/v1/units/{id}/appointments/check-in", tag = "queue",
    params(("id" = i64, Path, example = 1)), request_body = CheckIn,
    responses((status = 201, body = StoredTicket),
        (status = 404, description = "no booking of today with this code at this hall", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "too early, too late, checked in already or cancelled", body = Problem, content_type = "application/problem+json")))]
pub async fn check_in(
    State(app): State<App>,
    Path(id): Path<i64>,
    Json(req): Json<CheckIn>,
) -> Result<(StatusCode, axum::Json<StoredTicket>), ApiError> {
    let ticket = app.check_in_appointment(UnitId(id), &req.code).await?;
    Ok((StatusCode::CREATED, axum::Json(ticket)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    #[param(example = "2026-05-06")]
    #[serde(deserialize_with = "crate::extract::date::required")]
    pub date: NaiveDate,
}

/// A hall's bookings of a day, by slot (its staff, administrators, supervisors); phones
/// masked, codes withheld.
#[utoipa::path(get, path = "/api/v1/units/{id}/appointments", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, example = 1), DayQuery),
    responses((status = 200, body = Vec<AppointmentView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such unit the caller may see", body = Problem, content_type = "application/problem+json")))]
pub async fn of_day(
    State(app): State<App>,
    Staff(session): Staff,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<Vec<AppointmentView>>, ApiError> {
    Ok(axum::Json(
        app.appointments_of_day(&session, UnitId(id), q.date)
            .await?,
    ))
}
