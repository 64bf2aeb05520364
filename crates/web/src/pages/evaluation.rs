//! The departments' monthly performance evaluation (绩效评估): ranking, every score explained
//! line by line, and the workbook.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::evaluation::{Placed, evaluation_xlsx};
use liandong_app::{App, AppError};

use crate::error::{PageError, message};
use crate::form::Params;
use crate::session::Signed;
use crate::view::{Ctx, page, render};

pub struct Line {
    pub label: String,
    pub points: String,
    pub max: String,
    pub detail: String,
}

pub struct Row {
    pub rank: u32,
    pub name: String,
    /// 先进分厅 this month.
    pub awarded: bool,
    pub total: String,
    pub volume: u64,
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    c: Ctx,
    month: String,
    complete: bool,
    /// (heading's key, rows, table id): departments, branch halls, township centers.
    sections: Vec<(&'static str, Vec<Row>, &'static str)>,
    problem: Option<String>,
}

fn rows(placed: &[Placed], zh: bool) -> Vec<Row> {
    placed
        .iter()
        .map(|d| Row {
            rank: d.rank,
            name: d.name.clone(),
            awarded: d.awarded,
            total: d.score.total.to_string(),
            volume: d.score.volume,
            lines: d
                .score
                .lines
                .iter()
                .map(|l| Line {
                    label: if zh {
                        l.label_zh.clone()
                    } else {
                        l.label_en.clone()
                    },
                    points: l.points.to_string(),
                    max: l.max.map(|m| m.to_string()).unwrap_or_default(),
                    detail: if zh {
                        l.detail_zh.clone()
                    } else {
                        l.detail_en.clone()
                    },
                })
                .collect(),
        })
        .collect()
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let asked = q.opt("month").map(str::to_owned);
    let mut data = EvaluationPage {
        c: signed.ctx("/evaluation"),
        month: asked.clone().unwrap_or_default(),
        complete: true,
        sections: Vec::new(),
        problem: None,
    };
    match app
        .monthly_evaluation(&signed.session, asked.as_deref())
        .await
    {
        Ok(e) => {
            data.month = e.month.to_string();
            data.complete = e.complete;
            let zh = signed.lang == crate::Lang::Zh;
            data.sections = vec![
                (
                    "evaluation.departments",
                    rows(&e.departments, zh),
                    "ranking",
                ),
                (
                    "evaluation.branch_halls",
                    rows(&e.branch_halls, zh),
                    "branch-halls",
                ),
                (
                    "evaluation.townships",
                    rows(&e.township_centers, zh),
                    "townships",
                ),
            ];
            Ok(page(&data))
        }
        Err(e @ AppError::Invalid(_)) => {
            data.problem = Some(message(&e, signed.lang));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data))
        }
        Err(e) => Err(e.into()),
    }
}

/// The same month as a workbook.
pub async fn workbook(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let e = app
        .monthly_evaluation(&signed.session, q.opt("month"))
        .await?;
    let bytes = evaluation_xlsx(&e)
        .map_err(|why| AppError::Storage(liandong_store::StoreError::Corrupt(why)))?;
    Ok(crate::download::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("evaluation-{}.xlsx", e.month),
    ))
}
