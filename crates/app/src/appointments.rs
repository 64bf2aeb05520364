//! Appointments (预约取号): the slots a hall offers for each business group, booking them
//! online (signed in) or at the kiosk (with a code sent to the phone), the confirmation by
//! SMS, cancellation, the check-in at the kiosk that takes a ticket called before walk-ins,
//! and the day's list for the hall (docs/queue.md).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use liandong_domain::appointment::{
    Appointment, AppointmentError, AppointmentStanding, AppointmentState, BookingChannel, Slot,
    booking_code, check_booking, check_cancel, check_in, slots,
};
use liandong_domain::calendar::china_date;
use liandong_domain::ids::PhoneNumber;
use liandong_domain::notify::appointment_booked_message;
use liandong_domain::online::SignInError;
use liandong_domain::organization::{Role, UnitId, Visibility};
use liandong_domain::queue::{BusinessGroup, QueueError, take};
use liandong_store::{StoreError, StoredAppointment, StoredTicket};
use rand::RngCore;
use serde::Serialize;

use crate::online::{ApplicantSession, checked_code, parse_phone};
use crate::{App, AppError, Result, Session};

/// A slot offered, with its places.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct SlotOffer {
    #[serde(flatten)]
    pub slot: Slot,
    pub starts_at: DateTime<Utc>,
    pub capacity: u32,
    pub left: u32,
}

/// A booking as its holder or the hall sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    pub id: i64,
    pub version: u32,
    pub unit_id: UnitId,
    pub hall: String,
    pub group: String,
    pub group_name: String,
    #[serde(flatten)]
    pub slot: Slot,
    pub starts_at: DateTime<Utc>,
    /// `138****0001`
    pub phone: String,
    /// The check-in code: shown to its holder only.
    pub code: Option<String>,
    pub channel: BookingChannel,
    pub standing: AppointmentStanding,
    pub standing_zh: &'static str,
    /// When check-in opens and closes.
    pub check_in_opens: DateTime<Utc>,
    pub check_in_closes: DateTime<Utc>,
    /// Its holder may still cancel it.
    pub cancellable: bool,
}

/// Who books: a signed-in applicant, or someone at the kiosk with the code just sent to the
/// phone they typed.
pub enum Booker<'a> {
    Applicant(&'a ApplicantSession),
    Kiosk { phone: &'a str, code: &'a str },
}

/// How many candidate codes a booking tries before giving up (the hall's day has 900,000).
const CODE_TRIES: usize = 8;

/// How far back a phone's bookings are read: the no-show rule's thirty days and a margin.
const HISTORY_DAYS: i64 = 40;

/// How far back an applicant's own list goes.
const MY_DAYS: i64 = 90;

impl App {
    async fn booking_group(&self, unit: UnitId, group: &str) -> Result<BusinessGroup> {
        self.queue_groups(unit)
            .await?
            .into_iter()
            .find(|g| g.code == group)
            .ok_or_else(|| QueueError::UnknownGroup(group.to_owned()).into())
    }

    /// The halls one can book at (those with business groups), by id and name.
    pub async fn booking_halls(&self) -> Result<Vec<(UnitId, String)>> {
        let mut halls = Vec::new();
        for unit in self.store.units_with_queue_groups().await? {
            halls.push((unit, self.store.unit(unit).await?.name));
        }
        Ok(halls)
    }

    /// The slots of a hall's group from now on, with the places left (public: the kiosk and
    /// the online service).
    pub async fn appointment_slots(&self, unit: UnitId, group: &str) -> Result<Vec<SlotOffer>> {
        let group = self.booking_group(unit, group).await?;
        let now = self.now();
        let rules = self.appointment_rules;
        let capacity = rules.capacity(group.windows.len());
        let booked = self
            .store
            .slot_bookings(unit, &group.code, china_date(now))
            .await?;
        Ok(slots(&rules, &self.calendar(), now)
            .into_iter()
            .map(|slot| {
                let taken = booked
                    .get(&(slot.day, slot.start_minute()))
                    .copied()
                    .unwrap_or(0);
                SlotOffer {
                    slot,
                    starts_at: slot.starts_at(),
                    capacity,
                    left: capacity.saturating_sub(taken),
                }
            })
            .collect())
    }

    /// Books `slot` of `group` at `unit`, and sends the code to the phone in the same
    /// write. At the kiosk the phone's sign-in code is checked first and spent only when the
    /// booking is made (a full slot leaves it for another try).
    pub async fn book_appointment(
        &self,
        unit: UnitId,
        group: &str,
        slot: Slot,
        booker: Booker<'_>,
    ) -> Result<StoredAppointment> {
        let hall = self.store.unit(unit).await?.name;
        let group = self.booking_group(unit, group).await?;
        let (phone, channel, code) = match booker {
            Booker::Applicant(who) => (who.phone.clone(), BookingChannel::Online, None),
            Booker::Kiosk { phone, code } => {
                let phone = parse_phone(phone)?;
                if !phone.is_mobile() {
                    return Err(SignInError::NotMobile.into());
                }
                (phone, BookingChannel::Kiosk, Some(code.to_owned()))
            }
        };
        let now = self.now();
        let rules = self.appointment_rules;
        let calendar = self.calendar();
        let sign_in = self.sign_in_rules;
        let capacity = rules.capacity(group.windows.len());
        let candidates: Vec<String> = (0..CODE_TRIES)
            .map(|_| booking_code(rand::rng().next_u32()))
            .collect();
        let number = phone.as_str().to_owned();
        let since = china_date(now) - Duration::days(HISTORY_DAYS);
        let outcome = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let code_id = match &code {
                        Some(given) => match checked_code(tx, &sign_in, &number, given, now).await?
                        {
                            Ok(id) => Some(id),
                            Err(e) => return Ok(Err(AppError::from(e))),
                        },
                        None => None,
                    };
                    tx.lock_appointment_phone(&number, now).await?;
                    let history: Vec<Appointment> = tx
                        .appointments_of_phone_since(&number, since)
                        .await?
                        .into_iter()
                        .map(|a| a.appointment)
                        .collect();
                    if let Err(e) = check_booking(&rules, &calendar, slot, &history, now) {
                        return Ok(Err(e.into()));
                    }
                    let mut free = None;
                    for candidate in &candidates {
                        if !tx.appointment_code_taken(unit, slot.day, candidate).await? {
                            free = Some(candidate.clone());
                            break;
                        }
                    }
                    let Some(free) = free else {
                        return Ok(Err(AppError::Conflict { stale: 0 }));
                    };
                    if !tx
                        .take_appointment_place(unit, &group.code, slot, capacity)
                        .await?
                    {
                        return Ok(Err(AppointmentError::SlotFull.into()));
                    }
                    if let Some(id) = code_id
                        && !tx.use_sign_in_code(id, now).await?
                    {
                        // Spent by a sign-in a moment ago: nothing of the booking is kept.
                        return Err(StoreError::Conflict { expected: 0 });
                    }
                    let appointment = Appointment {
                        group: group.code.clone(),
                        slot,
                        phone: number.clone(),
                        code: free.clone(),
                        channel,
                        booked_at: now,
                        state: AppointmentState::Booked,
                        checked_in_at: None,
                        cancelled_at: None,
                        ticket: None,
                    };
                    let id = tx.insert_appointment(unit, &appointment).await?;
                    let message =
                        appointment_booked_message(id, &number, &hall, &group.name, &slot, &free);
                    crate::notify::enqueue(tx, None, &[message], now).await?;
                    Ok(Ok(id))
                })
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => AppError::from(SignInError::Expired),
                other => other.into(),
            })??;
        Ok(self.store.appointment(outcome).await?)
    }

    async fn appointment_views(
        &self,
        stored: Vec<StoredAppointment>,
        show_code: bool,
    ) -> Result<Vec<AppointmentView>> {
        let now = self.now();
        let rules = self.appointment_rules;
        let mut halls: Vec<(UnitId, String, Vec<BusinessGroup>)> = Vec::new();
        let mut out = Vec::with_capacity(stored.len());
        for s in stored {
            if !halls.iter().any(|(u, _, _)| *u == s.unit_id) {
                let name = self.store.unit(s.unit_id).await?.name;
                let groups = self.store.queue_groups(s.unit_id).await?;
                halls.push((s.unit_id, name, groups));
            }
            let Some((_, hall, groups)) = halls.iter().find(|(u, _, _)| *u == s.unit_id) else {
                continue;
            };
            let a = &s.appointment;
            let standing = a.standing(&rules, now);
            out.push(AppointmentView {
                id: s.id,
                version: s.version,
                unit_id: s.unit_id,
                hall: hall.clone(),
                group: a.group.clone(),
                group_name: groups
                    .iter()
                    .find(|g| g.code == a.group)
                    .map_or_else(|| a.group.clone(), |g| g.name.clone()),
                slot: a.slot,
                starts_at: a.slot.starts_at(),
                phone: PhoneNumber::parse(&a.phone).map_or_else(|_| "***".into(), |p| p.masked()),
                code: show_code.then(|| a.code.clone()),
                channel: a.channel,
                standing,
                standing_zh: standing.name_zh(),
                check_in_opens: a.check_in_opens(&rules),
                check_in_closes: a.check_in_closes(&rules),
                cancellable: check_cancel(a, now).is_ok(),
            });
        }
        Ok(out)
    }

    /// The applicant's bookings of the last ninety days and to come, in slot order.
    pub async fn my_appointments(&self, who: &ApplicantSession) -> Result<Vec<AppointmentView>> {
        let since = china_date(self.now()) - Duration::days(MY_DAYS);
        let stored = self
            .store
            .appointments_of_phone(who.phone.as_str(), since)
            .await?;
        self.appointment_views(stored, true).await
    }

    /// Cancels one of the applicant's bookings before its slot begins, giving its place back.
    pub async fn cancel_appointment(
        &self,
        who: &ApplicantSession,
        id: i64,
    ) -> Result<AppointmentView> {
        let stored = self.store.appointment(id).await?;
        if stored.appointment.phone != who.phone.as_str() {
            return Err(AppError::NotFound("预约 appointment"));
        }
        let now = self.now();
        check_cancel(&stored.appointment, now)?;
        let next = Appointment {
            state: AppointmentState::Cancelled,
            cancelled_at: Some(now),
            ..stored.appointment.clone()
        };
        let (unit, version) = (stored.unit_id, stored.version);
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.update_appointment(id, version, &next).await?;
                    tx.release_appointment_place(unit, &next.group, next.slot)
                        .await
                })
            })
            .await?;
        let view = self
            .appointment_views(vec![self.store.appointment(id).await?], true)
            .await?;
        view.into_iter()
            .next()
            .ok_or(AppError::NotFound("预约 appointment"))
    }

    /// Checks in with today's code at the hall's kiosk: takes a ticket of the booked group,
    /// called before walk-in tickets, in the same write as the booking's check-in.
    pub async fn check_in_appointment(&self, unit: UnitId, code: &str) -> Result<StoredTicket> {
        let now = self.now();
        let day = china_date(now);
        let code = code.trim();
        let stored = self
            .store
            .appointment_by_code(unit, day, code)
            .await?
            .ok_or(AppointmentError::UnknownCode)?;
        check_in(&self.appointment_rules, &stored.appointment, now)?;
        let groups = self.queue_groups(unit).await?;
        // The group may have been removed since the booking: no ticket can be taken then.
        take(&groups, &stored.appointment.group, 1, now)?;
        let (id, version, booked) = (stored.id, stored.version, stored.appointment);
        let ticket = self
            .store
            .write(move |tx| {
                Box::pin(async move {
                    let sequence = tx.next_ticket_sequence(unit, day, &booked.group).await?;
                    let Ok(mut ticket) = take(&groups, &booked.group, sequence, now) else {
                        return Ok(None);
                    };
                    ticket.booked = true;
                    let ticket_id = tx.insert_ticket(unit, &ticket).await?;
                    let checked_in = Appointment {
                        state: AppointmentState::CheckedIn,
                        checked_in_at: Some(now),
                        ticket: Some(ticket_id),
                        ..booked
                    };
                    tx.update_appointment(id, version, &checked_in).await?;
                    Ok(Some(ticket_id))
                })
            })
            .await?
            .ok_or(AppError::Queue(QueueError::Full))?;
        Ok(self.store.ticket(ticket).await?)
    }

    /// A hall's bookings of `day` (its staff, its administrators, supervisors), phones
    /// masked and codes withheld.
    pub async fn appointments_of_day(
        &self,
        session: &Session,
        unit: UnitId,
        day: NaiveDate,
    ) -> Result<Vec<AppointmentView>> {
        if let Visibility::Limited { units, .. } = &session.visibility
            && !units.contains(&unit)
            && !session.staff.roles.contains(&Role::Supervisor)
        {
            return Err(AppError::NotFound("单位 unit"));
        }
        self.store.unit(unit).await?;
        let stored = self.store.appointments_of_day(unit, day).await?;
        self.appointment_views(stored, false).await
    }
}
