//! Appointments through the API: the slots a group offers, booking online and at the kiosk
//! (with the phone's code, spent only when the booking is made), the confirmation SMS, the
//! places of a slot never overbooked, the limit per phone, cancellation, the check-in that
//! gives a ticket called before the walk-ins, the hall's list, and the suspension after
//! repeated no-shows.

use axum::http::StatusCode;
use chrono::Duration;
use liandong_domain::notify::MessageKind;
use serde_json::{Value, json};

use crate::both;
use crate::online::{code_sent_to, sign_in};
use crate::queue::windows;
use crate::support::{TestApp, china};

const PHONE: &str = "13912345678";

impl TestApp {
    /// Books `day` `start` at the hall in `group` for a signed-in applicant.
    async fn book_online(
        &self,
        token: &str,
        group: &str,
        day: &str,
        start: &str,
    ) -> (StatusCode, Value) {
        self.post(
            "/api/v1/online/appointments",
            Some(token),
            json!({"unit_id": 1, "group": group, "day": day, "start": start}),
        )
        .await
    }

    /// The places left in the hall's `group` slot of `day` at `start`, as the slots list shows.
    async fn places_left(&self, group: &str, day: &str, start: &str) -> Value {
        let (_, slots) = self
            .get(&format!("/api/v1/units/1/queue/groups/{group}/slots"), None)
            .await;
        let slot = slots
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["day"] == day && s["start"] == start)
            .unwrap_or_else(|| panic!("no slot {day} {start} in {slots}"));
        slot["left"].clone()
    }

    /// Sends a code to `phone` as the kiosk does, and returns it.
    async fn kiosk_code(&self, phone: &str) -> String {
        let (status, sent) = self
            .post("/api/v1/online/codes", None, json!({"phone": phone}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        code_sent_to(self, phone).await
    }

    async fn book_at_kiosk(
        &self,
        phone: &str,
        code: &str,
        group: &str,
        start: &str,
    ) -> (StatusCode, Value) {
        self.post(
            "/api/v1/units/1/appointments",
            None,
            json!({"group": group, "day": "2026-03-03", "start": start, "phone": phone, "code": code}),
        )
        .await
    }
}

both!(
    a_booking_is_made_confirmed_checked_in_and_called_before_the_walk_ins,
    |t: TestApp| async move {
        let (w1, _) = windows(&t).await;
        // Monday 2 March, 10:00: the first slot today is 10:30 (half an hour's notice). Group
        // A has two windows, so four places a slot.
        let (status, slots) = t.get("/api/v1/units/1/queue/groups/A/slots", None).await;
        assert_eq!(status, StatusCode::OK, "{slots}");
        assert_eq!(
            slots[0],
            json!({"day": "2026-03-02", "start": "10:30:00",
                "starts_at": "2026-03-02T02:30:00Z", "capacity": 4, "left": 4})
        );
        let (status, _) = t.get("/api/v1/units/1/queue/groups/Z/slots", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let token = sign_in(&t, PHONE).await;
        let (status, booked) = t.book_online(&token, "A", "2026-03-03", "09:30:00").await;
        assert_eq!(status, StatusCode::CREATED, "{booked}");
        assert_eq!(booked["state"], "booked");
        assert_eq!(booked["channel"], "online");
        let code = booked["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 6);
        // The confirmation names the hall, the group, the slot and the code.
        let sms =
            liandong_testkit::outbox::messages(&t.app.store, MessageKind::AppointmentBooked).await;
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0].phone, PHONE);
        assert!(
            sms[0].text.contains("“市场准入”")
                && sms[0].text.contains("2026年3月3日 09:30")
                && sms[0].text.contains(&code),
            "{}",
            sms[0].text
        );
        assert!(!sms[0].masked_text.contains(&code));
        assert_eq!(t.places_left("A", "2026-03-03", "09:30:00").await, 3);

        // Off the grid, or a day that is not offered: refused.
        let (status, refused) = t.book_online(&token, "A", "2026-03-03", "09:10:00").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        let (status, _) = t.book_online(&token, "A", "2026-03-07", "09:30:00").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a Saturday");

        let (status, mine) = t.get("/api/v1/online/appointments", Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mine[0]["code"], code.as_str());
        assert_eq!(mine[0]["standing"], "booked");
        assert_eq!(mine[0]["group_name"], "市场准入");
        assert_eq!(mine[0]["cancellable"], true);

        // The hall's list of the day masks the phone and withholds the code.
        let clerk = t.token("d01.clerk").await;
        let (status, day) = t
            .get("/api/v1/units/1/appointments?date=2026-03-03", Some(&clerk))
            .await;
        assert_eq!(status, StatusCode::OK, "{day}");
        assert_eq!(day.as_array().unwrap().len(), 1);
        assert_eq!(day[0]["phone"], "139****5678");
        assert_eq!(day[0]["code"], Value::Null);
        let (status, _) = t
            .get("/api/v1/units/1/appointments?date=2026-03-03", None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Tuesday 08:55: too early to check in; a walk-in takes A001 at 09:05.
        t.clock.set(china(2026, 3, 3, 8, 55));
        let (status, early) = t
            .post(
                "/api/v1/units/1/appointments/check-in",
                None,
                json!({"code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{early}");
        assert!(
            early["message_zh"].as_str().unwrap().contains("09:00"),
            "{early}"
        );
        t.clock.set(china(2026, 3, 3, 9, 5));
        let walk_in = t.ticket("A").await;
        assert_eq!(walk_in["number"], "A001");
        let (status, wrong) = t
            .post(
                "/api/v1/units/1/appointments/check-in",
                None,
                json!({"code": "999999"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");
        let (status, ticket) = t
            .post(
                "/api/v1/units/1/appointments/check-in",
                None,
                json!({"code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        assert_eq!(ticket["number"], "A002");
        assert_eq!(ticket["booked"], true);
        let (status, _) = t
            .post(
                "/api/v1/units/1/appointments/check-in",
                None,
                json!({"code": code}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "checked in once");

        // The booked ticket is called first, though the walk-in came earlier.
        let clerk = t.token("d01.clerk").await;
        let (status, called) = t
            .post(
                &format!("/api/v1/windows/{w1}/call-next"),
                Some(&clerk),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{called}");
        assert_eq!(called["number"], "A002");

        let token = sign_in(&t, PHONE).await;
        let (_, mine) = t.get("/api/v1/online/appointments", Some(&token)).await;
        assert_eq!(mine[0]["standing"], "checked_in");
        assert_eq!(mine[0]["cancellable"], false);
    }
);

both!(
    a_slot_is_never_overbooked_and_a_refused_booking_keeps_the_kiosk_code,
    |t: TestApp| async move {
        windows(&t).await;
        // Group B has one window: two places a slot.
        let phones = [
            "13900000101",
            "13900000102",
            "13900000103",
            "13900000104",
            "13900000105",
        ];
        let mut tokens = Vec::new();
        for phone in phones {
            tokens.push(sign_in(&t, phone).await);
        }
        let book = |i: usize| t.book_online(&tokens[i], "B", "2026-03-03", "10:00:00");
        let (r0, r1, r2, r3, r4) = tokio::join!(book(0), book(1), book(2), book(3), book(4));
        let results = [r0, r1, r2, r3, r4];
        let created = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let full: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .map(|(_, body)| body)
            .collect();
        assert_eq!(created, 2, "{results:?}");
        assert_eq!(full.len(), 3, "{results:?}");
        assert!(full.iter().all(|b| b["code"] == "slot_full"), "{full:?}");
        assert_eq!(t.places_left("B", "2026-03-03", "10:00:00").await, 0);

        // At the kiosk: a wrong code is refused; the right one for a full slot is refused
        // and still good for another slot.
        t.clock.advance(Duration::minutes(2));
        let phone = "13900000106";
        let code = t.kiosk_code(phone).await;
        let (status, wrong) = t.book_at_kiosk(phone, "000000", "B", "10:30:00").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        let (status, full) = t.book_at_kiosk(phone, &code, "B", "10:00:00").await;
        assert_eq!(status, StatusCode::CONFLICT, "{full}");
        assert_eq!(full["code"], "slot_full");
        let (status, booked) = t.book_at_kiosk(phone, &code, "B", "10:30:00").await;
        assert_eq!(status, StatusCode::CREATED, "{booked}");
        assert_eq!(booked["channel"], "kiosk");
        let (status, spent) = t.book_at_kiosk(phone, &code, "B", "11:00:00").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the code is spent: {spent}"
        );

        // A cancellation gives the place back.
        let first = results
            .iter()
            .find(|(s, _)| *s == StatusCode::CREATED)
            .unwrap();
        let holder = tokens
            .iter()
            .zip(&results)
            .find(|(_, (s, _))| *s == StatusCode::CREATED)
            .map(|(token, _)| token)
            .unwrap();
        let (status, cancelled) = t
            .post(
                &format!("/api/v1/online/appointments/{}/cancel", first.1["id"]),
                Some(holder),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!(cancelled["standing"], "cancelled");
        let (status, _) = t
            .post(
                &format!("/api/v1/online/appointments/{}/cancel", first.1["id"]),
                Some(holder),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "cancelled once");
        // Nobody cancels another phone's booking.
        let (status, _) = t
            .post(
                &format!("/api/v1/online/appointments/{}/cancel", booked["id"]),
                Some(holder),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(t.places_left("B", "2026-03-03", "10:00:00").await, 1);
    }
);

both!(
    a_phone_holds_two_bookings_and_three_no_shows_suspend_it,
    |t: TestApp| async move {
        windows(&t).await;
        let token = sign_in(&t, PHONE).await;
        for start in ["09:00:00", "09:30:00"] {
            let (status, body) = t.book_online(&token, "A", "2026-03-03", start).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, third) = t.book_online(&token, "A", "2026-03-03", "10:00:00").await;
        assert_eq!(status, StatusCode::CONFLICT, "{third}");
        assert_eq!(third["code"], "too_many_bookings");

        // Neither is checked in: on Wednesday both are no-shows, and the phone may book again.
        t.clock.set(china(2026, 3, 4, 8, 0));
        let token = sign_in(&t, PHONE).await;
        let (_, mine) = t.get("/api/v1/online/appointments", Some(&token)).await;
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|a| a["standing"] == "missed"),
            "{mine}"
        );
        let (status, body) = t.book_online(&token, "A", "2026-03-04", "09:00:00").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The third no-show suspends booking for thirty days after it.
        t.clock.set(china(2026, 3, 4, 12, 0));
        let token = sign_in(&t, PHONE).await;
        let (status, refused) = t.book_online(&token, "A", "2026-03-05", "09:00:00").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert_eq!(refused["code"], "booking_suspended");
        assert!(
            refused["message_zh"]
                .as_str()
                .unwrap()
                .contains("2026-04-03"),
            "{refused}"
        );
        let clerk = t.token("d01.clerk").await;
        let (_, day) = t
            .get("/api/v1/units/1/appointments?date=2026-03-03", Some(&clerk))
            .await;
        assert_eq!(day[0]["standing"], "missed");
        assert_eq!(day[0]["standing_zh"], "爽约");
    }
);
