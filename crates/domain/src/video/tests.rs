#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;
use crate::queue::TicketState;
use crate::testing::{china, date};

const YUBEI: &str = "50011201021326000001";

fn id(text: &str) -> DeviceId {
    DeviceId::parse(text).unwrap()
}

fn at(h: u32) -> DateTime<Utc> {
    china(2026, 3, 2, h)
}

fn min(h: u32, m: i64) -> DateTime<Utc> {
    at(h) + Duration::minutes(m)
}

// ---------------------------------------------------------------------------------------
// Device IDs

#[test]
fn a_yubei_ip_camera_on_the_government_network_reads_part_by_part() {
    let d = id(YUBEI);
    assert_eq!(d.as_str(), YUBEI);
    assert_eq!(d.centre_code(), "50011201");
    assert_eq!(
        (d.province(), d.city(), d.district(), d.grassroots()),
        ("50", "01", "12", "01")
    );
    assert_eq!(d.division(), "500112");
    assert_eq!(d.industry(), 2);
    assert_eq!(industry_group(d.industry()).0, "政府机关");
    assert_eq!(d.type_code(), 132);
    assert_eq!(d.camera_type(), Some(CameraType::IpCamera));
    assert_eq!(d.network(), 6);
    assert_eq!(
        network_name(d.network()),
        ("政务网", "e-government network")
    );
    assert_eq!(d.serial(), "000001");
    assert_eq!(d.to_string(), YUBEI);
}

#[test]
fn the_usual_factory_default_id_and_a_plain_camera_parse_too() {
    let d = id(" 34020000001320000001 ");
    assert_eq!(d.as_str(), "34020000001320000001", "trimmed");
    assert_eq!(d.division(), "3402");
    assert_eq!(d.camera_type(), Some(CameraType::IpCamera));
    let d = id("50000000001310000042");
    assert_eq!(d.division(), "50");
    assert_eq!(d.camera_type(), Some(CameraType::Camera));
    assert_eq!(d.serial(), "000042");
}

#[test]
fn every_gb_t_2260_province_is_known_and_nothing_else() {
    for (code, _) in PROVINCES {
        assert!(
            DeviceId::parse(&format!("{code}000000001310000001")).is_ok(),
            "{code}"
        );
    }
    for code in [
        "00", "10", "16", "20", "39", "47", "55", "60", "66", "70", "80", "83", "99",
    ] {
        assert_eq!(
            DeviceId::parse(&format!("{code}000000001310000001")),
            Err(VideoError::UnknownProvince { code: code.into() }),
            "{code}"
        );
    }
}

#[test]
fn wrong_lengths_and_characters_are_named() {
    assert_eq!(
        DeviceId::parse("5001120102132600000"),
        Err(VideoError::DeviceIdLength { found: 19 })
    );
    assert_eq!(
        DeviceId::parse("500112010213260000011"),
        Err(VideoError::DeviceIdLength { found: 21 })
    );
    assert_eq!(
        DeviceId::parse(""),
        Err(VideoError::DeviceIdLength { found: 0 })
    );
    assert_eq!(
        DeviceId::parse("5001120102132600000A"),
        Err(VideoError::DeviceIdNotDigit {
            position: 20,
            character: 'A'
        })
    );
    // Full-width digits are twenty characters, and not ASCII digits.
    assert_eq!(
        DeviceId::parse("５0011201021326000001"),
        Err(VideoError::DeviceIdNotDigit {
            position: 1,
            character: '５'
        })
    );
    assert_eq!(
        DeviceId::parse("5001120102 326000001"),
        Err(VideoError::DeviceIdNotDigit {
            position: 11,
            character: ' '
        })
    );
}

#[test]
fn a_centre_code_never_fills_a_level_below_an_empty_one() {
    for bad in ["50001200", "50000012", "50010012", "50000100"] {
        assert_eq!(
            DeviceId::parse(&format!("{bad}001310000001")),
            Err(VideoError::CentreCodeGap { code: bad.into() }),
            "{bad}"
        );
    }
    for good in ["50000000", "50010000", "50011200", "50011201"] {
        assert!(
            DeviceId::parse(&format!("{good}001310000001")).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn only_cameras_and_ip_cameras_are_registered_as_cameras() {
    for (code, group) in [
        (111, "前端主设备"),
        (118, "前端主设备"),
        (130, "前端主设备"),
        (133, "前端外围设备"),
        (199, "前端外围设备"),
        (200, "平台设备"),
        (216, "平台设备"),
        (300, "中心用户"),
        (400, "终端用户"),
        (500, "扩展类型"),
        (999, "扩展类型"),
        (0, "未定义"),
        (110, "未定义"),
    ] {
        let text = format!("5001120102{code:03}6000001");
        match DeviceId::parse(&text) {
            Err(VideoError::NotACamera {
                code: c, group_zh, ..
            }) => {
                assert_eq!((c, group_zh), (code, group), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let e = DeviceId::parse("50011201021186000001").unwrap_err();
    assert!(e.to_string().contains("118（前端主设备）"), "{e}");
    assert!(
        e.to_string().contains("118 (a front-end main device)"),
        "{e}"
    );
}

#[test]
fn network_flags_zero_to_eight_are_networks_and_nine_is_reserved() {
    for flag in 0..=8u8 {
        let d = id(&format!("5001120102131{flag}000001"));
        assert_eq!(d.network(), flag);
    }
    assert_eq!(network_name(0).0, "监控报警专网");
    assert_eq!(network_name(4).0, "监控报警专网");
    assert_eq!(network_name(5).0, "公安信息网");
    assert_eq!(network_name(7).1, "Internet");
    assert_eq!(network_name(8).0, "社会资源接入网");
    assert_eq!(
        DeviceId::parse("50011201021319000001"),
        Err(VideoError::ReservedNetwork)
    );
}

#[test]
fn industry_codes_fall_into_their_groups() {
    assert_eq!(industry_group(0).1, "government organs");
    assert_eq!(industry_group(39).1, "government organs");
    assert_eq!(industry_group(40).1, "enterprises and institutions");
    assert_eq!(industry_group(79).1, "enterprises and institutions");
    assert_eq!(industry_group(80).1, "built by residents");
    assert_eq!(industry_group(89).1, "built by residents");
    assert_eq!(industry_group(90).1, "others");
    assert_eq!(industry_group(99).1, "others");
}

#[test]
fn a_device_id_crosses_json_as_its_text_and_a_bad_one_does_not_cross() {
    let d = id(YUBEI);
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(json, format!("\"{YUBEI}\""));
    assert_eq!(serde_json::from_str::<DeviceId>(&json).unwrap(), d);
    assert!(serde_json::from_str::<DeviceId>("\"50011201021186000001\"").is_err());
    assert_eq!(YUBEI.parse::<DeviceId>().unwrap(), d);
}

#[test]
fn device_id_errors_are_bilingual_and_belong_to_the_device_id_field() {
    for text in [
        "1",
        "5001120102132600000A",
        "99011201021326000001",
        "50001201021326000001",
        "50011201021186000001",
        "50011201021329000001",
    ] {
        let e = DeviceId::parse(text).unwrap_err();
        assert_eq!(e.field(), "device_id");
        assert!(e.to_string().contains(" / "), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_never_panics_and_what_parses_is_twenty_digits(text in "\\PC{0,30}") {
        if let Ok(d) = DeviceId::parse(&text) {
            prop_assert_eq!(d.as_str().len(), 20);
            prop_assert!(d.camera_type().is_some());
        }
    }

    #[test]
    fn any_camera_id_of_a_known_province_parses(
        province in 0usize..34,
        industry in 0u8..100,
        camera in prop::bool::ANY,
        network in 0u8..9,
        serial in 0u32..1_000_000,
    ) {
        let text = format!(
            "{}011201{industry:02}{}{network}{serial:06}",
            PROVINCES[province].0,
            if camera { 131 } else { 132 }
        );
        let d = DeviceId::parse(&text).unwrap();
        prop_assert_eq!(d.industry(), industry);
        prop_assert_eq!(d.network(), network);
        prop_assert_eq!(d.serial(), format!("{serial:06}"));
    }
}

// ---------------------------------------------------------------------------------------
// Addresses

const STREAM: &[Scheme] = &[Scheme::Rtsp, Scheme::Http, Scheme::Https];
const SNAPSHOT: &[Scheme] = &[Scheme::Http, Scheme::Https];

#[test]
fn addresses_get_their_scheme_host_port_and_target() {
    let u = MediaUrl::parse("rtsp://10.20.1.15/Streaming/Channels/101", STREAM).unwrap();
    assert_eq!(u.scheme, Scheme::Rtsp);
    assert_eq!((u.host.as_str(), u.port), ("10.20.1.15", 554));
    assert_eq!(u.target, "/Streaming/Channels/101");
    assert_eq!(u.authority(), "10.20.1.15:554");
    assert_eq!(u.to_string(), "rtsp://10.20.1.15/Streaming/Channels/101");

    let u = MediaUrl::parse("HTTP://Cam-3.Hall.local:8080/snap.jpg?ch=1", SNAPSHOT).unwrap();
    assert_eq!(u.scheme, Scheme::Http);
    assert_eq!((u.host.as_str(), u.port), ("cam-3.hall.local", 8080));
    assert_eq!(u.target, "/snap.jpg?ch=1");
    assert_eq!(u.to_string(), "http://cam-3.hall.local:8080/snap.jpg?ch=1");

    let u = MediaUrl::parse("https://[fd00::10]/cgi-bin/snapshot.cgi", SNAPSHOT).unwrap();
    assert_eq!((u.host.as_str(), u.port), ("[fd00::10]", 443));
    let u = MediaUrl::parse("http://[::1]:9000", SNAPSHOT).unwrap();
    assert_eq!(
        (u.authority().as_str(), u.target.as_str()),
        ("[::1]:9000", "/")
    );
    let u = MediaUrl::parse("http://127.0.0.1:80?x=1", SNAPSHOT).unwrap();
    assert_eq!(u.target, "/?x=1");
    assert_eq!(u.to_string(), "http://127.0.0.1/?x=1");
}

#[test]
fn addresses_with_other_schemes_credentials_or_junk_are_refused_with_reasons() {
    let refused = |text: &str, allowed: &[Scheme]| -> String {
        let (zh, en) = MediaUrl::parse(text, allowed).unwrap_err();
        format!("{zh} / {en}")
    };
    assert!(refused("rtsp://10.0.0.1/", SNAPSHOT).contains("http://、https://"));
    assert!(refused("ftp://10.0.0.1/", STREAM).contains("rtsp:// or http:// or https://"));
    assert!(refused("10.0.0.1/snap.jpg", SNAPSHOT).contains("开头"));
    assert!(refused("", SNAPSHOT).contains("required"));
    assert!(refused("   ", SNAPSHOT).contains("required"));
    assert!(refused("rtsp://admin:12345@10.0.0.1/", STREAM).contains("password"));
    assert!(refused("http://user@10.0.0.1/", SNAPSHOT).contains("password"));
    assert!(refused("http://10.0.0.1/a b.jpg", SNAPSHOT).contains("spaces"));
    assert!(refused("http://10.0.0.1/a\tb", SNAPSHOT).contains("spaces"));
    assert!(refused("http://10.0.0.1/#top", SNAPSHOT).contains("fragment"));
    for port in ["0", "65536", "80a", "", "-1"] {
        assert!(
            refused(&format!("http://10.0.0.1:{port}/"), SNAPSHOT).contains("port"),
            "{port}"
        );
    }
    for host in [
        "",
        "-cam",
        "cam-",
        "a..b",
        "cam_1",
        "[]",
        "[fd00::zz]",
        "[::1]x",
    ] {
        assert!(
            refused(&format!("http://{host}/snap.jpg"), SNAPSHOT).contains("host"),
            "{host}"
        );
    }
    let long = format!("http://10.0.0.1/{}", "a".repeat(500));
    assert!(refused(&long, SNAPSHOT).contains("500"));
}

// ---------------------------------------------------------------------------------------
// The record

fn draft<'a>(window: Option<(WindowId, UnitId)>) -> CameraDraft<'a> {
    CameraDraft {
        name: "  1号窗口上方  ",
        device_id: YUBEI,
        stream_url: "rtsp://10.20.1.15/Streaming/Channels/101",
        snapshot_url: "http://10.20.1.15/ISAPI/Streaming/channels/101/picture",
        unit: UnitId(1),
        window,
    }
}

#[test]
fn a_good_record_is_trimmed_and_parsed() {
    let c = check_camera(&draft(Some((WindowId(7), UnitId(1))))).unwrap();
    assert_eq!(c.name, "1号窗口上方");
    assert_eq!(c.device_id, id(YUBEI));
    assert_eq!(c.stream_url.scheme, Scheme::Rtsp);
    assert_eq!(c.snapshot_url.port, 80);
    assert_eq!((c.unit, c.window), (UnitId(1), Some(WindowId(7))));
    let hall = check_camera(&draft(None)).unwrap();
    assert_eq!(hall.window, None);
}

#[test]
fn every_problem_of_a_record_is_named_at_once_with_its_field() {
    let bad = CameraDraft {
        name: " ",
        device_id: "123",
        stream_url: "ftp://x/",
        snapshot_url: "rtsp://10.0.0.1/",
        unit: UnitId(1),
        window: Some((WindowId(7), UnitId(2))),
    };
    let fields: Vec<&str> = check_camera(&bad)
        .unwrap_err()
        .iter()
        .map(VideoError::field)
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "device_id",
            "stream_url",
            "snapshot_url",
            "window_id"
        ]
    );
    let mut long = draft(None);
    let name = "窗".repeat(61);
    long.name = &name;
    assert_eq!(check_camera(&long).unwrap_err(), [VideoError::Name]);
    let sixty = "窗".repeat(60);
    long.name = &sixty;
    assert!(check_camera(&long).is_ok());
}

// ---------------------------------------------------------------------------------------
// Placements

fn placed(
    camera: i64,
    unit: i64,
    window: Option<i64>,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) -> Placement {
    Placement {
        camera: CameraId(camera),
        unit: UnitId(unit),
        window: window.map(WindowId),
        from,
        until,
    }
}

#[test]
fn a_first_placement_opens_and_a_move_closes_the_current_one_at_the_same_instant() {
    let (closed, first) =
        place(&[], None, CameraId(1), UnitId(1), Some(WindowId(7)), at(9)).unwrap();
    assert_eq!(closed, None);
    assert_eq!(first, placed(1, 1, Some(7), at(9), None));
    let all = vec![first.clone()];
    let (closed, second) = place(
        &all,
        Some(&first),
        CameraId(1),
        UnitId(1),
        Some(WindowId(8)),
        at(11),
    )
    .unwrap();
    assert_eq!(closed, Some(placed(1, 1, Some(7), at(9), Some(at(11)))));
    assert_eq!(second, placed(1, 1, Some(8), at(11), None));
    // Back onto its own window again later: its own placement is no obstacle.
    let (_, third) = place(
        &all,
        Some(&first),
        CameraId(1),
        UnitId(1),
        Some(WindowId(7)),
        at(12),
    )
    .unwrap();
    assert_eq!(third.window, Some(WindowId(7)));
}

#[test]
fn a_window_has_one_camera_at_a_time() {
    let all = vec![
        placed(1, 1, Some(7), at(9), None),
        placed(2, 1, Some(8), at(9), Some(at(10))),
        placed(3, 1, None, at(9), None),
    ];
    assert_eq!(
        place(
            &all,
            None,
            CameraId(4),
            UnitId(1),
            Some(WindowId(7)),
            at(11)
        ),
        Err(VideoError::WindowTaken {
            camera: CameraId(1)
        })
    );
    // Window 8's camera left at 10: the window is free from then on.
    assert!(
        place(
            &all,
            None,
            CameraId(4),
            UnitId(1),
            Some(WindowId(8)),
            at(10)
        )
        .is_ok()
    );
    assert!(
        place(
            &all,
            None,
            CameraId(4),
            UnitId(1),
            Some(WindowId(8)),
            min(9, 30)
        )
        .is_err()
    );
    // Any number of cameras watch the hall as a whole.
    assert!(place(&all, None, CameraId(4), UnitId(1), None, at(11)).is_ok());
    assert_eq!(
        VideoError::WindowTaken {
            camera: CameraId(1)
        }
        .field(),
        "window_id"
    );
}

#[test]
fn a_retired_camera_is_not_placed_and_a_move_goes_forward_in_time() {
    let retired = placed(1, 1, Some(7), at(9), Some(at(10)));
    assert_eq!(
        place(&[], Some(&retired), CameraId(1), UnitId(1), None, at(11)),
        Err(VideoError::Retired)
    );
    let current = placed(1, 1, Some(7), at(9), None);
    assert_eq!(
        place(&[], Some(&current), CameraId(1), UnitId(1), None, at(9)),
        Err(VideoError::PlacementNotAfter)
    );
    assert_eq!(
        place(&[], Some(&current), CameraId(1), UnitId(1), None, at(8)),
        Err(VideoError::PlacementNotAfter)
    );
}

#[test]
fn the_camera_that_covered_a_window_is_found_at_the_instant_half_open() {
    let all = vec![
        // Camera 1 on window 7 from 9 to 11, then on window 8.
        placed(1, 1, Some(7), at(9), Some(at(11))),
        placed(1, 1, Some(8), at(11), None),
        // Camera 2 takes window 7 from 11.
        placed(2, 1, Some(7), at(11), None),
        // Two over the hall, and one at another unit.
        placed(4, 1, None, at(8), None),
        placed(3, 1, None, at(9), Some(at(10))),
        placed(5, 2, None, at(8), None),
    ];
    let cover = |window: Option<i64>, t| covering(&all, UnitId(1), window.map(WindowId), t);
    assert_eq!(cover(Some(7), min(8, 59)).window, None, "before any camera");
    assert_eq!(
        cover(Some(7), at(9)).window.unwrap().camera,
        CameraId(1),
        "from is in"
    );
    assert_eq!(
        cover(Some(7), min(10, 59)).window.unwrap().camera,
        CameraId(1)
    );
    assert_eq!(
        cover(Some(7), at(11)).window.unwrap().camera,
        CameraId(2),
        "until is out"
    );
    assert_eq!(cover(Some(8), at(12)).window.unwrap().camera, CameraId(1));
    assert_eq!(cover(Some(8), at(10)).window, None);
    let hall: Vec<CameraId> = cover(Some(7), min(9, 30))
        .unit
        .iter()
        .map(|p| p.camera)
        .collect();
    assert_eq!(hall, [CameraId(3), CameraId(4)], "by camera");
    let hall: Vec<CameraId> = cover(None, at(10)).unit.iter().map(|p| p.camera).collect();
    assert_eq!(hall, [CameraId(4)]);
    assert!(cover(None, at(10)).window.is_none());
    assert!(covering(&all, UnitId(3), None, at(10)).is_empty());
    assert!(!cover(None, at(10)).is_empty());
}

// ---------------------------------------------------------------------------------------
// The window of an event

fn ticket(
    number: &str,
    window: Option<i64>,
    clerk: Option<i64>,
    case: Option<i64>,
    called: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
) -> Ticket {
    Ticket {
        number: number.into(),
        group: "A".into(),
        day: date(2026, 3, 2),
        taken_at: called - Duration::minutes(10),
        state: if done.is_some() {
            TicketState::Done
        } else {
            TicketState::Serving
        },
        window: window.map(WindowId),
        clerk: clerk.map(StaffId),
        called_at: Some(called),
        last_called_at: Some(called),
        calls: 1,
        started_at: Some(called + Duration::minutes(1)),
        done_at: done,
        case: case.map(CaseId),
        booked: false,
    }
}

#[test]
fn the_case_ticket_tells_the_window_and_the_visit() {
    let tickets = vec![
        ticket(
            "A001",
            Some(7),
            Some(3),
            Some(42),
            min(9, 0),
            Some(min(9, 20)),
        ),
        ticket("A002", Some(8), Some(4), None, min(9, 5), Some(min(9, 15))),
    ];
    let w = window_at(&tickets, CaseId(42), Some(StaffId(4)), min(9, 10)).unwrap();
    assert_eq!(
        w.window,
        WindowId(7),
        "the case's ticket wins over the actor's"
    );
    assert_eq!(w.basis, WindowBasis::CaseTicket);
    assert_eq!(w.visit, Some((min(9, 0), Some(min(9, 20)))));
    // Later the same day (the acceptance after the visit): still that ticket's window.
    let later = window_at(&tickets, CaseId(42), None, at(15)).unwrap();
    assert_eq!(later.window, WindowId(7));
}

#[test]
fn of_two_visits_for_one_case_the_one_holding_the_instant_or_the_nearest_counts() {
    let tickets = vec![
        ticket("A001", Some(7), None, Some(42), min(9, 0), Some(min(9, 20))),
        ticket(
            "A009",
            Some(8),
            None,
            Some(42),
            min(14, 0),
            Some(min(14, 10)),
        ),
        // A ticket finished with the case but never at a window does not count.
        ticket("A010", None, None, Some(42), min(10, 0), Some(min(10, 5))),
    ];
    let w = |t| window_at(&tickets, CaseId(42), None, t).unwrap().window;
    assert_eq!(w(min(9, 10)), WindowId(7));
    assert_eq!(w(min(14, 5)), WindowId(8));
    assert_eq!(w(min(10, 0)), WindowId(7), "nearer the morning visit");
    assert_eq!(w(min(13, 0)), WindowId(8), "nearer the afternoon visit");
}

#[test]
fn without_its_own_ticket_the_clerks_window_counts() {
    let tickets = vec![
        ticket("A001", Some(7), Some(3), None, min(9, 0), Some(min(9, 20))),
        ticket(
            "A002",
            Some(8),
            Some(3),
            None,
            min(10, 0),
            Some(min(10, 15)),
        ),
        ticket("A003", Some(9), Some(5), None, min(9, 0), None),
    ];
    let w = |actor: Option<i64>, t| window_at(&tickets, CaseId(42), actor.map(StaffId), t);
    let serving = w(Some(3), min(9, 10)).unwrap();
    assert_eq!(
        (serving.window, serving.basis, serving.visit),
        (WindowId(7), WindowBasis::ClerkTicket, None)
    );
    assert_eq!(w(Some(3), min(10, 5)).unwrap().window, WindowId(8));
    assert_eq!(
        w(Some(3), min(11, 0)).unwrap().window,
        WindowId(8),
        "between tickets: the last window the clerk called to"
    );
    assert_eq!(
        w(Some(5), at(16)).unwrap().window,
        WindowId(9),
        "still serving"
    );
    assert_eq!(
        w(Some(3), min(8, 30)),
        None,
        "before the clerk's first call"
    );
    assert_eq!(w(Some(6), at(10)), None, "a clerk without tickets");
    assert_eq!(w(None, at(10)), None, "the applicant online");
    assert_eq!(window_at(&[], CaseId(42), Some(StaffId(3)), at(10)), None);
}

#[test]
fn footage_runs_a_margin_either_side_and_covers_the_whole_visit() {
    let five = Duration::minutes(5);
    assert_eq!(footage_period(at(10), five, None), (min(9, 55), min(10, 5)));
    assert_eq!(
        footage_period(min(10, 2), five, Some((min(9, 40), Some(min(10, 20))))),
        (min(9, 40), min(10, 20))
    );
    assert_eq!(
        footage_period(at(10), five, Some((min(9, 58), None))),
        (min(9, 55), min(10, 5))
    );
}

// ---------------------------------------------------------------------------------------
// Health

fn run(outcomes: &str, rules: &HealthRules) -> (Vec<Observed>, HealthState) {
    let mut state = HealthState::default();
    let mut seen = Vec::new();
    for (i, c) in outcomes.chars().enumerate() {
        let o = observe(
            &state,
            c == '+',
            at(8) + Duration::minutes(5 * i as i64),
            rules,
        );
        state = o.state.clone();
        seen.push(o);
    }
    (seen, state)
}

fn healths(outcomes: &str, rules: &HealthRules) -> String {
    run(outcomes, rules)
        .0
        .iter()
        .map(|o| match o.state.health {
            Health::Unknown => 'U',
            Health::Healthy => 'H',
            Health::Failing => 'F',
            Health::Dead => 'D',
            Health::Recovering => 'R',
        })
        .collect()
}

#[test]
fn the_default_rules_fail_at_once_die_at_three_and_recover_at_two() {
    let d = HealthRules::default();
    assert_eq!(
        (d.failing_after, d.dead_after, d.recovered_after),
        (1, 3, 2)
    );
    assert_eq!(healths("+", &d), "H");
    assert_eq!(healths("-", &d), "F", "a camera never seen working");
    assert_eq!(healths("+-+", &d), "HFH", "a blip");
    assert_eq!(healths("+--+", &d), "HFFH");
    assert_eq!(healths("+---", &d), "HFFD");
    assert_eq!(healths("---", &d), "FFD");
    assert_eq!(healths("+-----", &d), "HFFDDD");
    assert_eq!(healths("+---+", &d), "HFFDR");
    assert_eq!(healths("+---++", &d), "HFFDRH");
    assert_eq!(healths("+---+-", &d), "HFFDRD");
    assert_eq!(healths("+---+-++", &d), "HFFDRDRH");
}

#[test]
fn every_state_answers_each_outcome_as_the_table_says() {
    let d = HealthRules::default();
    let from = |health: Health, failures: u32, successes: u32| HealthState {
        health,
        failures,
        successes,
        failing_since: matches!(health, Health::Failing | Health::Dead | Health::Recovering)
            .then(|| at(7)),
        probes: 10,
        last_probe_at: Some(at(7)),
        last_ok_at: None,
    };
    for (state, ok, expected) in [
        (from(Health::Unknown, 0, 0), true, Health::Healthy),
        (from(Health::Unknown, 0, 0), false, Health::Failing),
        (from(Health::Healthy, 0, 3), true, Health::Healthy),
        (from(Health::Healthy, 0, 3), false, Health::Failing),
        (from(Health::Failing, 1, 0), true, Health::Healthy),
        (from(Health::Failing, 1, 0), false, Health::Failing),
        (from(Health::Failing, 2, 0), false, Health::Dead),
        (from(Health::Dead, 5, 0), true, Health::Recovering),
        (from(Health::Dead, 5, 0), false, Health::Dead),
        (from(Health::Recovering, 0, 1), true, Health::Healthy),
        (from(Health::Recovering, 0, 1), false, Health::Dead),
    ] {
        let o = observe(&state, ok, at(8), &d);
        assert_eq!(o.state.health, expected, "{:?} {ok}", state.health);
        assert_eq!(o.state.probes, 11);
        assert_eq!(o.state.last_probe_at, Some(at(8)));
        assert_eq!(
            o.changed_from,
            (expected != state.health).then_some(state.health)
        );
        assert_eq!(o.state.last_ok_at, ok.then(|| at(8)));
        if ok {
            assert_eq!(
                (o.state.failures, o.state.successes),
                (0, state.successes + 1)
            );
        } else {
            assert_eq!(
                (o.state.failures, o.state.successes),
                (state.failures + 1, 0)
            );
        }
    }
}

#[test]
fn an_outage_opens_once_at_its_first_failure_and_closes_when_healthy() {
    let d = HealthRules::default();
    let (seen, end) = run("+---+-+-++", &d);
    let opened: Vec<(usize, DateTime<Utc>)> = seen
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.outage_opened.map(|t| (i, t)))
        .collect();
    let first_failure = at(8) + Duration::minutes(5);
    assert_eq!(
        opened,
        [(3, first_failure)],
        "once, however many probes see it dead"
    );
    let closed: Vec<(usize, DateTime<Utc>)> = seen
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.outage_closed.map(|t| (i, t)))
        .collect();
    assert_eq!(closed, [(9, first_failure)]);
    assert_eq!(
        seen[8].state.failing_since,
        Some(first_failure),
        "kept while recovering"
    );
    assert_eq!(end.health, Health::Healthy);
    assert_eq!(end.failing_since, None);
    assert_eq!(end.probes, 10);
    // A later outage is another one, with another first failure.
    let (seen, _) = run("+---++---", &d);
    let opened: Vec<DateTime<Utc>> = seen.iter().filter_map(|o| o.outage_opened).collect();
    assert_eq!(
        opened,
        [at(8) + Duration::minutes(5), at(8) + Duration::minutes(30)]
    );
}

#[test]
fn the_thresholds_can_be_changed_and_are_kept_sensible() {
    let patient = HealthRules {
        failing_after: 2,
        dead_after: 4,
        recovered_after: 1,
    };
    assert_eq!(
        healths("+-+", &patient),
        "HHH",
        "one lost answer is tolerated"
    );
    assert_eq!(healths("+--", &patient), "HHF");
    assert_eq!(
        healths("+----+", &patient),
        "HHFFDH",
        "back at the first success"
    );
    let (seen, _) = run("+----+", &patient);
    assert!(seen[5].outage_closed.is_some());
    let strict = HealthRules {
        failing_after: 1,
        dead_after: 1,
        recovered_after: 3,
    };
    assert_eq!(healths("+-+++", &strict), "HDRRH");
    // Zeros mean one; failing never comes after dead.
    let zeros = HealthRules {
        failing_after: 0,
        dead_after: 0,
        recovered_after: 0,
    };
    assert_eq!(healths("+-+", &zeros), "HDH");
    let odd = HealthRules {
        failing_after: 9,
        dead_after: 2,
        recovered_after: 1,
    };
    assert_eq!(
        healths("+--", &odd),
        "HHD",
        "failing_after is at most dead_after"
    );
    let parsed: HealthRules = toml::from_str("dead_after = 5").unwrap();
    assert_eq!(parsed.dead_after, 5);
    assert_eq!(parsed.recovered_after, 2);
    assert!(toml::from_str::<HealthRules>("dead = 5").is_err());
}

#[test]
fn health_names_are_stable_and_chinese_distinct() {
    let mut zh = std::collections::BTreeSet::new();
    for h in Health::ALL {
        assert_eq!(h.as_str().parse::<Health>(), Ok(h));
        assert_eq!(serde_json::to_value(h).unwrap(), h.as_str());
        assert!(zh.insert(h.name_zh()));
    }
    assert_eq!(CameraType::IpCamera.as_str(), "ip_camera");
    assert_eq!(CameraType::Camera.name_zh(), "摄像机");
    assert_eq!(WindowBasis::CaseTicket.to_string(), "case_ticket");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn outages_open_and_close_in_turn_and_the_health_says_whether_one_is_open(
        outcomes in prop::collection::vec(prop::bool::ANY, 0..60),
        failing_after in 0u32..4,
        dead_after in 0u32..6,
        recovered_after in 0u32..4,
    ) {
        let rules = HealthRules { failing_after, dead_after, recovered_after };
        let mut state = HealthState::default();
        let mut open: Option<DateTime<Utc>> = None;
        for (i, ok) in outcomes.iter().enumerate() {
            let t = at(8) + Duration::minutes(i as i64);
            let o = observe(&state, *ok, t, &rules);
            if let Some(since) = o.outage_opened {
                prop_assert!(open.is_none(), "one outage at a time");
                prop_assert!(!ok);
                open = Some(since);
            }
            if let Some(since) = o.outage_closed {
                prop_assert_eq!(Some(since), open);
                prop_assert!(*ok);
                open = None;
            }
            prop_assert_eq!(
                open.is_some(),
                matches!(o.state.health, Health::Dead | Health::Recovering)
            );
            if o.state.failures > 0 || open.is_some() {
                prop_assert!(o.state.failing_since.is_some());
            }
            // A healthy camera keeps the start of a run of failures it still tolerates.
            if o.state.health == Health::Healthy && o.state.failures == 0 {
                prop_assert_eq!(o.state.failing_since, None);
            }
            prop_assert_eq!(o.state.probes, i as u64 + 1);
            state = o.state;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The outage's finding

#[test]
fn an_outage_finding_names_the_camera_the_start_and_the_last_error_in_both_languages() {
    let camera = CameraRef {
        id: CameraId(5),
        unit: UnitId(1),
        name: "1号窗口".into(),
        device_id: YUBEI.into(),
    };
    let f = outage_finding(
        &camera,
        min(9, 5),
        min(9, 15),
        3,
        "连接超时 / connecting timed out",
    );
    assert_eq!(f.kind, FindingKind::CameraOffline);
    assert_eq!((f.camera, f.unit), (CameraId(5), UnitId(1)));
    assert_eq!((f.occurred_at, f.detected_at), (min(9, 5), min(9, 15)));
    assert_eq!(
        f.dedup_key,
        format!("camera:5:camera_offline:{}", min(9, 5).timestamp_millis())
    );
    assert_eq!(
        f.description_zh,
        format!("摄像机“1号窗口”（{YUBEI}）自2026-03-02 09:05起连续3次取图失败：连接超时")
    );
    assert!(
        f.description_en
            .ends_with("since 2026-03-02 09:05: connecting timed out")
    );
    let plain = outage_finding(&camera, min(9, 5), min(9, 15), 3, "HTTP 404");
    assert!(plain.description_en.ends_with(": HTTP 404"));
    assert_eq!(
        plain.dedup_key, f.dedup_key,
        "the key names the outage, not the probe"
    );
    assert!(!FindingKind::CameraOffline.about_case());
    assert!(!FindingKind::CameraOffline.always_reviewed());
    assert!(!FindingKind::CameraOffline.time_based());
    assert!(FindingKind::CaseOverdue.about_case());
}
