//! Who may open which page: every page against every kind of caller, as a table, like the
//! API's access table (crates/http/tests/it/access.rs).

use axum::http::StatusCode;

use crate::both;
use crate::support::*;

/// The callers of the table: nobody, then one account of each kind.
const CALLERS: [&str; 7] = [
    "anonymous",
    "v20101.clerk",
    "t201.admin",
    "d01.clerk",
    "d01.officer",
    "supervisor",
    "admin",
];

/// `P` open to all (200), `L` sent to sign in (303 to /login), `O` sent to the applicants'
/// sign-in (303 to /online), `K` shown (200), `F` the forbidden page (403), `N` the
/// not-found page (404).
fn matches(code: char, page: &Page) -> bool {
    match code {
        'L' => page.status == StatusCode::SEE_OTHER && page.location().starts_with("/login"),
        'O' => page.status == StatusCode::SEE_OTHER && page.location().starts_with("/online?"),
        'F' => page.status == StatusCode::FORBIDDEN,
        'N' => page.status == StatusCode::NOT_FOUND,
        _ => page.status == StatusCode::OK,
    }
}

both!(
    every_page_answers_each_caller_as_the_table_says,
    |t: TestApp| async move {
        // A case taken in at the hall by D01's clerk: case 1.
        let mut clerk = t.signed_in("d01.clerk").await;
        let (_, case) = clerk
            .intake("XK00001000", &["申请书", "营业执照"], "accept")
            .await;
        // A camera over the hall, registered by the system administrator (not probed yet).
        let camera = t
            .app
            .register_camera(
                &t.session("admin").await,
                &liandong_app::video::CameraInput {
                    unit_id: liandong_domain::organization::UnitId(1),
                    window_id: None,
                    name: "大厅全景".into(),
                    device_id: "50011201021316000001".into(),
                    stream_url: "rtsp://10.20.1.2/".into(),
                    snapshot_url: "http://127.0.0.1:9/snapshot".into(),
                },
            )
            .await
            .unwrap()
            .id
            .0;
        let rows: Vec<(String, &str)> = vec![
            //                                              anon v.clk t.adm d.clk d.off sup adm
            ("/".into(), "PKKKKKK"),
            ("/login".into(), "PPPPPPP"),
            ("/guide".into(), "PPPPPPP"),
            ("/guide/XK00001000".into(), "PPPPPPP"),
            ("/progress".into(), "PPPPPPP"),
            ("/appeal".into(), "PPPPPPP"),
            ("/appeal/lookup".into(), "PPPPPPP"),
            ("/inbox".into(), "LKKKKKK"),
            ("/cases".into(), "LKKKKKK"),
            (format!("/cases/{case}"), "LNNKKKK"),
            (format!("/cases/{case}/print/acceptance"), "LNNKKKK"),
            ("/workbench".into(), "LKFKFFF"),
            ("/workbench/XK00001000".into(), "LKFKFFF"),
            ("/appeals".into(), "LKKKKKK"),
            ("/appeals/at-risk".into(), "LFFFFKF"),
            ("/appeals/statistics".into(), "LKKKKKK"),
            ("/appeals/new".into(), "LKFKFKF"),
            ("/proxy".into(), "LKKKKKK"),
            ("/proxy/export.csv".into(), "LKKKKKK"),
            ("/findings".into(), "LFFFFKK"),
            ("/evaluation".into(), "LFFFFKK"),
            ("/evaluation.xlsx?month=2026-03".into(), "LFFFFKK"),
            ("/evaluation?quarter=2026-Q1".into(), "LFFFFKK"),
            ("/evaluation.xlsx?quarter=2026-Q1".into(), "LFFFFKK"),
            ("/notices".into(), "LFFKKKK"),
            ("/notices?closed=1".into(), "LFFKKKK"),
            ("/notices/999999".into(), "LNNNNNN"),
            ("/findings?routine=1&kind=intake_refused".into(), "LFFFFKK"),
            ("/disclosure".into(), "PPPPPPP"),
            ("/disclosure?month=2026-03".into(), "PPPPPPP"),
            ("/attendance".into(), "LFKFFKK"),
            ("/attendance?unit=1".into(), "LFNFFKK"),
            ("/monitor".into(), "LFKFFKK"),
            ("/monitor?unit=1".into(), "LFFFFKK"),
            ("/projects".into(), "LKKKKKK"),
            ("/projects/new".into(), "LFFKFFF"),
            ("/projects/999999".into(), "LNNNNNN"),
            ("/admin/staff".into(), "LFKFFKK"),
            ("/admin/staff/new".into(), "LFKFFFK"),
            ("/admin/items/XK00001000".into(), "LKKKKKK"),
            ("/admin/items/XK00001000/edit".into(), "LFFFFFK"),
            ("/admin/organization".into(), "LFKFFKK"),
            ("/admin/units/new".into(), "LFKFFFK"),
            ("/admin/units/1".into(), "LFKFFFK"),
            ("/admin/units/999999".into(), "LFNFFFN"),
            ("/admin/departments/new".into(), "LFFFFFK"),
            ("/admin/departments/1".into(), "LFFFFFK"),
            ("/admin/windows/new".into(), "LFKFFFK"),
            ("/admin/windows/999999".into(), "LFNFFFN"),
            ("/admin/catalog/import".into(), "LFFFFFK"),
            ("/admin/calendar".into(), "LKKKKKK"),
            ("/admin/reform-report".into(), "LKKKKKK"),
            // Online services: a staff sign-in is no applicant's.
            ("/online".into(), "PPPPPPP"),
            ("/online/cases".into(), "OOOOOOO"),
            ("/online/apply/XK00001000".into(), "OOOOOOO"),
            (format!("/online/cases/{case}"), "OOOOOOO"),
            (format!("/online/cases/{case}/files/1"), "OOOOOOO"),
            (format!("/cases/{case}/files/1"), "LNNNNNN"),
            ("/online/consult/XK00001000".into(), "OOOOOOO"),
            ("/online/consultations".into(), "OOOOOOO"),
            // Department staff and supervisors answer questions; a clerk without a
            // department sees an empty list.
            ("/consultations".into(), "LKKKKKK"),
            ("/consultations/999999".into(), "LNNNNNN"),
            // Video monitoring: supervisors and system administrators see every camera, a unit
            // administrator their units'; administrators keep them. No snapshot yet: 404.
            ("/video".into(), "LFKFFKK"),
            ("/video?retired=1".into(), "LFKFFKK"),
            ("/video/cameras/new".into(), "LFKFFFK"),
            (format!("/video/cameras/{camera}"), "LFNFFKK"),
            ("/video/cameras/999999".into(), "LFNFFNN"),
            (format!("/video/cameras/{camera}/snapshot"), "LFNFFNN"),
            (format!("/video/cases/{case}/events/1"), "LFNFFKK"),
        ];
        let mut clients = Vec::new();
        for caller in CALLERS {
            clients.push(if caller == "anonymous" {
                t.client()
            } else {
                t.signed_in(caller).await
            });
        }
        let mut checked = 0;
        let mut wrong = Vec::new();
        for (path, codes) in &rows {
            for ((caller, client), code) in
                CALLERS.iter().zip(clients.iter_mut()).zip(codes.chars())
            {
                let page = client.get(path).await;
                if !matches(code, &page) {
                    wrong.push(format!(
                        "{path} as {caller}: expected {code}, got {} {}",
                        page.status,
                        page.location()
                    ));
                }
                // Every page carries the security headers, whoever asks.
                assert_eq!(
                    page.headers["content-security-policy"],
                    "default-src 'self'; frame-ancestors 'none'",
                    "{path}"
                );
                assert_eq!(page.headers["x-frame-options"], "DENY", "{path}");
                checked += 1;
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        eprintln!("page access table: {checked} page × caller checks");
    }
);
