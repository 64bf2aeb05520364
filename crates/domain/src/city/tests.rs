#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};

use super::*;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).unwrap()
}

fn event(id: i64, seq: u32, kind: &str) -> CaseEventRecord {
    CaseEventRecord {
        id,
        case_id: 7,
        case_number: "YB0120260302000001".into(),
        seq,
        event: kind.into(),
        at: at(2),
        unit: "01".into(),
        received_unit: "01".into(),
        handling_unit: "01".into(),
        department: "D22".into(),
        item: "XK001".into(),
        state: CaseState::Submitted,
        due_at: None,
        on_time: (kind == "concluded").then_some(true),
        on_the_spot: false,
        applicant_masked: None,
        applicant_id_masked: None,
    }
}

fn finding(id: i64, routine: bool) -> FindingRecord {
    FindingRecord {
        id,
        finding_id: 3,
        kind: if routine {
            FindingKind::IntakeRefused
        } else {
            FindingKind::CaseOverdue
        },
        case_id: 7,
        case_number: "YB0120260302000001".into(),
        department: "D22".into(),
        occurred_at: at(1),
        detected_at: at(17),
        routine,
        state: "recorded".into(),
    }
}

fn batch(records: Vec<Record>) -> Batch {
    Batch {
        format: FORMAT.into(),
        district: "500112".into(),
        sent_at: at(3),
        records,
    }
}

#[test]
fn given_a_well_formed_batch_when_validated_then_it_passes() {
    let b = batch(vec![
        Record::CaseEvent(event(1, 1, "received")),
        Record::CaseEvent(event(2, 2, "accepted")),
        Record::Finding(finding(5, false)),
    ]);
    assert_eq!(validate(&b, "500112"), Ok(()));
}

#[test]
fn given_another_format_or_district_when_validated_then_the_batch_is_refused() {
    let mut b = batch(vec![Record::CaseEvent(event(1, 1, "received"))]);
    b.format = "liandong-city-link/2".into();
    assert!(matches!(validate(&b, "500112"), Err(BatchError::Format(_))));
    let b = batch(vec![Record::CaseEvent(event(1, 1, "received"))]);
    assert_eq!(
        validate(&b, "500113"),
        Err(BatchError::WrongDistrict {
            claimed: "500112".into(),
            signed: "500113".into()
        })
    );
}

#[test]
fn given_no_records_or_too_many_when_validated_then_the_batch_is_refused() {
    assert_eq!(validate(&batch(vec![]), "500112"), Err(BatchError::Empty));
    let many = (1..=i64::try_from(MAX_RECORDS).unwrap() + 1)
        .map(|id| Record::Finding(finding(id, false)))
        .collect();
    assert_eq!(
        validate(&batch(many), "500112"),
        Err(BatchError::TooLarge(MAX_RECORDS + 1))
    );
}

#[test]
fn given_ids_not_increasing_when_validated_then_the_batch_is_refused() {
    let b = batch(vec![
        Record::CaseEvent(event(4, 1, "received")),
        Record::Finding(finding(4, false)),
    ]);
    assert_eq!(
        validate(&b, "500112"),
        Err(BatchError::NotIncreasing { after: 4, id: 4 })
    );
}

#[test]
fn given_a_bad_record_when_validated_then_it_is_named() {
    let bad = |r: CaseEventRecord| validate(&batch(vec![Record::CaseEvent(r)]), "500112");
    let invalid = |r| matches!(r, Err(BatchError::Invalid { id: 1, .. }));
    assert!(invalid(bad(event(1, 0, "received"))));
    assert!(invalid(bad(event(1, 2, "teleported"))));
    assert!(invalid(bad(event(1, 2, "received"))), "received is #1");
    assert!(invalid(bad(event(1, 1, "accepted"))), "#1 is received");
    let mut r = event(1, 3, "handled");
    r.department = " ".into();
    assert!(invalid(bad(r)));
    let mut r = event(1, 3, "handled");
    r.on_time = Some(true);
    assert!(invalid(bad(r)), "on time belongs to a conclusion");
    let mut r = event(1, 3, "concluded");
    r.on_time = None;
    assert!(invalid(bad(r)), "a conclusion says whether on time");
    let mut r = event(1, 3, "approved");
    r.on_the_spot = true;
    assert!(invalid(bad(r)));
    let mut r = event(1, 1, "received");
    r.applicant_id_masked = Some("500101199001011234".into());
    assert!(invalid(bad(r)), "a full ID number is refused");
    let mut r = event(1, 1, "received");
    r.applicant_id_masked = Some(mask_id("500101199001011234"));
    r.applicant_masked = Some("王**".into());
    assert_eq!(bad(r), Ok(()));
    let mut r = event(-1, 2, "accepted");
    r.id = -1;
    assert!(matches!(bad(r), Err(BatchError::Invalid { id: -1, .. })));

    let f = |r: FindingRecord| validate(&batch(vec![Record::Finding(r)]), "500112");
    let mut r = finding(1, false);
    r.state = "forgotten".into();
    assert!(invalid(f(r)));
    let mut r = finding(1, false);
    r.kind = FindingKind::CameraOffline;
    assert!(invalid(f(r)));
    let mut r = finding(1, false);
    r.case_number = String::new();
    assert!(invalid(f(r)));
    let mut r = finding(1, false);
    r.finding_id = 0;
    assert!(invalid(f(r)));
}

#[test]
fn errors_speak_chinese_and_english() {
    let e = BatchError::OutOfOrder {
        case_number: "N1".into(),
        expected: 3,
        seq: 5,
    }
    .to_string();
    assert!(e.contains("不连续") && e.contains("out of order"), "{e}");
    let e = SignatureError::Mismatch.to_string();
    assert!(e.contains("签名不符") && e.contains("does not match"));
}

#[test]
fn ids_are_masked_to_their_ends() {
    assert_eq!(mask_id("500101199001011234"), "5001**********1234");
    assert_eq!(mask_id("91500000MA5U000000"), "9150**********0000");
    assert_eq!(mask_id("abc"), "a*c");
    assert_eq!(mask_id("ab"), "**", "too short to show anything");
    assert!(is_masked(&mask_id("500101199001011234")));
    assert!(!is_masked("500101199001011234"));
    assert!(!is_masked("5001*1990010112345"), "too much shown");
}

#[test]
fn events_of_a_case_are_taken_in_order_and_replays_skipped() {
    assert_eq!(order(None, 1), Order::Next);
    assert_eq!(
        order(None, 4),
        Order::Next,
        "a case from before the link starts where it is"
    );
    assert_eq!(order(Some(3), 4), Order::Next);
    assert_eq!(order(Some(3), 3), Order::Replay);
    assert_eq!(order(Some(3), 1), Order::Replay);
    assert_eq!(order(Some(3), 5), Order::Gap { expected: 4 });
}

#[test]
fn each_event_counts_like_the_districts_running_totals() {
    let count = |kind: &str| event_counts(&event(1, 2, kind)).1;
    assert_eq!(count("received").received, 1);
    assert_eq!(count("accepted").accepted, 1);
    assert_eq!(count("intake_refused").intake_refused, 1);
    assert_eq!(count("withdrawn").withdrawn, 1);
    assert!(count("handled").is_empty());
    assert!(count("supplement_requested").is_empty());
    let c = count("concluded");
    assert_eq!((c.concluded, c.on_time, c.on_the_spot), (1, 1, 0));
    let mut late = event(1, 5, "concluded");
    late.on_time = Some(false);
    late.on_the_spot = true;
    let (key, c) = event_counts(&late);
    assert_eq!((c.concluded, c.on_time, c.on_the_spot), (1, 0, 1));
    assert_eq!(key.department, "D22");
    assert_eq!(key.item, "XK001");
}

#[test]
fn events_count_on_their_china_date() {
    let mut r = event(1, 1, "received");
    r.at = Utc.with_ymd_and_hms(2026, 3, 2, 17, 0, 0).unwrap(); // 01:00 on 3 March in China
    assert_eq!(
        event_counts(&r).0.day,
        NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
    );
}

#[test]
fn a_finding_counts_once_when_first_heard_of() {
    let (key, c) = finding_counts(&finding(1, false), true, "XK001");
    assert_eq!(c.findings, 1);
    assert_eq!(c.routine_reviews, 0);
    assert_eq!(key.day, NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    assert_eq!(key.item, "XK001");
    assert!(
        finding_counts(&finding(2, false), false, "XK001")
            .1
            .is_empty()
    );
    let (_, c) = finding_counts(&finding(1, true), true, "");
    assert_eq!((c.findings, c.routine_reviews), (0, 1));
    assert!(finding_record_is_newer(4, 9));
    assert!(!finding_record_is_newer(9, 4));
    assert!(!finding_record_is_newer(9, 9));
}

#[test]
fn counts_add_and_rate() {
    let mut a = CityCounts {
        concluded: 3,
        on_time: 2,
        ..Default::default()
    };
    a.add(&CityCounts {
        concluded: 1,
        on_time: 1,
        received: 4,
        ..Default::default()
    });
    assert_eq!((a.received, a.concluded, a.on_time), (4, 4, 3));
    assert_eq!(a.on_time_permille(), Some(750));
    assert_eq!(CityCounts::default().on_time_permille(), None);
    assert_eq!(CityCounts::from_values(a.values()), a);
}

#[test]
fn a_signature_verifies_only_with_the_secret_body_and_time_it_was_made_with() {
    let secret = b"district-500112-secret";
    let body = br#"{"format":"liandong-city-link/1"}"#;
    let now = at(3);
    let ts = now.timestamp();
    let sig = sign(secret, ts, body).unwrap();
    assert_eq!(sig.len(), 64);
    assert_eq!(verify(secret, ts, body, &sig, now), Ok(()));
    assert_eq!(
        verify(b"another-district-secret", ts, body, &sig, now),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(secret, ts, b"{}", &sig, now),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(secret, ts + 1, body, &sig, now),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(secret, ts, body, "not hex", now),
        Err(SignatureError::Mismatch)
    );
    let later = now + chrono::Duration::seconds(SIGNATURE_WINDOW_SECONDS + 1);
    assert_eq!(
        verify(secret, ts, body, &sig, later),
        Err(SignatureError::Stale)
    );
    assert_eq!(sign(b"short", ts, body), Err(SignatureError::WeakSecret));
}

#[test]
fn the_signature_is_hmac_sha256_over_time_newline_body() {
    // python3 -c 'import hmac,hashlib; print(hmac.new(b"0123456789abcdef", b"1700000000\n{}", hashlib.sha256).hexdigest())'
    assert_eq!(
        sign(b"0123456789abcdef", 1_700_000_000, b"{}").unwrap(),
        "8d015fcb5eb228178c6422260460659e4f281162099384c4ff65109462cceee6"
    );
}

#[test]
fn retries_back_off_doubling_to_a_cap() {
    let d: Vec<u64> = (0..8).map(|n| retry_delay_seconds(n, 2, 60)).collect();
    assert_eq!(d, [0, 2, 4, 8, 16, 32, 60, 60]);
    assert_eq!(retry_delay_seconds(u32::MAX, 2, 60), 60);
    assert_eq!(retry_delay_seconds(1, 0, 0), 1);
}

#[test]
fn a_batch_reads_back_from_its_json() {
    let b = batch(vec![
        Record::CaseEvent(event(1, 1, "received")),
        Record::Finding(finding(2, true)),
    ]);
    let text = serde_json::to_string(&b).unwrap();
    assert!(text.contains(r#""type":"case_event""#), "{text}");
    assert!(text.contains(r#""type":"finding""#), "{text}");
    assert!(text.contains(r#""kind":"intake_refused""#), "{text}");
    let back: Batch = serde_json::from_str(&text).unwrap();
    assert_eq!(back, b);
    assert!(serde_json::from_str::<Batch>(r#"{"format":"x"}"#).is_err());
    assert!(
        serde_json::from_str::<Batch>(
            r#"{"format":"liandong-city-link/1","district":"1","sent_at":"2026-03-02T00:00:00Z","records":[{"type":"parcel","id":1}]}"#
        )
        .is_err()
    );
}

#[test]
fn a_recomputed_deadline_applies_only_where_the_city_stands() {
    assert_eq!(deadline_order(Some(4), 4), Order::Next);
    assert_eq!(
        deadline_order(Some(5), 4),
        Order::Replay,
        "a later event has its own"
    );
    assert_eq!(
        deadline_order(None, 4),
        Order::Replay,
        "a case the city never heard of"
    );
    assert_eq!(deadline_order(Some(3), 4), Order::Gap { expected: 4 });
    let r = CaseDeadlineRecord {
        id: 9,
        case_id: 7,
        case_number: "N".into(),
        seq: 0,
        due_at: None,
        at: at(1),
    };
    assert!(matches!(
        validate(&batch(vec![Record::CaseDeadline(r.clone())]), "500112"),
        Err(BatchError::Invalid { id: 9, .. })
    ));
    let ok = CaseDeadlineRecord {
        seq: 4,
        due_at: Some(at(9)),
        ..r
    };
    let b = batch(vec![Record::CaseDeadline(ok)]);
    assert_eq!(validate(&b, "500112"), Ok(()));
    let text = serde_json::to_string(&b).unwrap();
    assert!(text.contains(r#""type":"case_deadline""#), "{text}");
    assert_eq!(serde_json::from_str::<Batch>(&text).unwrap(), b);
}
