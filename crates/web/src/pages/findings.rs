//! Findings of electronic supervision (预警纠错) for the efficiency office: the irregularities
//! and, apart, the routine reviews (refusals, denials, suspensions, terminations).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use liandong_app::App;
use liandong_domain::organization::DepartmentId;
use liandong_domain::supervision::FindingKind;
use liandong_store::FindingFilter;

use crate::error::PageError;
use crate::form::Params;
use crate::session::Signed;
use crate::view::{Ctx, Pager, page, query, time};

const PER_PAGE: i64 = 50;

pub struct Row {
    pub detected: String,
    /// Where the finding links: its case, or its camera for a dead camera.
    pub href: String,
    pub number: String,
    pub kind: String,
    /// The department that answers, or the camera's unit.
    pub department: String,
    pub description: String,
    pub provisional: bool,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    c: Ctx,
    rows: Vec<Row>,
    kinds: Vec<(String, String)>,
    departments: Vec<(i64, String)>,
    kind: String,
    department: i64,
    routine: bool,
    total: i64,
    p: Pager,
}

pub async fn list(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let kind = q.get("kind").parse::<FindingKind>().ok();
    let department = q.get("department").parse::<i64>().ok().filter(|d| *d > 0);
    let routine = q.get("routine") == "1";
    let page_no = q.page();
    let (found, total) = app
        .list_findings(
            &signed.session,
            &FindingFilter {
                kind,
                department: department.map(DepartmentId),
                routine: Some(routine),
                limit: PER_PAGE,
                offset: (page_no - 1) * PER_PAGE,
            },
        )
        .await?;
    let departments = app.departments().await?;
    let units = app.units().await?;
    let l = signed.lang;
    let rows = found
        .iter()
        .map(|f| Row {
            detected: time(&f.detected_at),
            href: match (f.case_id, f.camera_id, f.appeal_id) {
                (Some(case), _, _) => format!("/cases/{}", case.0),
                (None, Some(camera), _) => format!("/video/cameras/{}", camera.0),
                (None, None, Some(appeal)) => format!("/appeals/{}", appeal.0),
                (None, None, None) => String::new(),
            },
            number: match (&f.case_number, f.camera_id, &f.appeal_number) {
                (Some(number), _, _) => number.clone(),
                (None, Some(camera), _) => format!("{} {}", l.t("video.camera_no"), camera.0),
                (None, None, Some(number)) => number.clone(),
                (None, None, None) => String::new(),
            },
            kind: format!("finding.{}", f.kind),
            department: match (f.department_id, f.unit_id) {
                (Some(d), _) => departments
                    .iter()
                    .find(|x| x.id == d)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                (None, Some(u)) => units
                    .iter()
                    .find(|x| x.id == u)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                (None, None) => String::new(),
            },
            description: match l {
                crate::Lang::Zh => f.description_zh.clone(),
                crate::Lang::En => f.description_en.clone(),
            },
            provisional: f.provisional,
        })
        .collect();
    let kind_text = kind.map(|k| k.to_string()).unwrap_or_default();
    let department_text = department.map(|d| d.to_string()).unwrap_or_default();
    let routine_text = if routine { "1" } else { "" };
    Ok(page(&FindingsPage {
        c: signed.ctx("/findings"),
        rows,
        kinds: FindingKind::ALL
            .iter()
            .filter(|k| k.always_reviewed() == routine)
            .map(|k| (k.to_string(), format!("finding.{k}")))
            .collect(),
        departments: departments
            .iter()
            .map(|d| (d.id.0, d.name.clone()))
            .collect(),
        kind: kind_text.clone(),
        department: department.unwrap_or(0),
        routine,
        total,
        p: Pager::new(
            &query(
                "/findings",
                &[
                    ("kind", &kind_text),
                    ("department", &department_text),
                    ("routine", routine_text),
                ],
            ),
            page_no,
            PER_PAGE,
            total,
        ),
    }))
}
