//! The performance evaluation (绩效评估): the month's rankings of windows, departments, branch
//! halls and township centers with every score explained line by line, 优秀窗口, 先进分厅 and
//! 约谈; the quarter's grades with 优秀便民服务中心; and both as workbooks.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use liandong_app::evaluation::{Graded, Placed, evaluation_xlsx, quarter_xlsx};
use liandong_app::{App, AppError};
use liandong_domain::evaluation::{Grade, Month, Period};

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
    /// The message keys of the badges beside the name: the award, 约谈.
    pub badges: Vec<(&'static str, &'static str)>,
    pub total: String,
    pub volume: u64,
    pub lines: Vec<Line>,
}

pub struct GradedRow {
    pub rank: u32,
    pub name: String,
    /// (badge class, message key).
    pub badges: Vec<(&'static str, &'static str)>,
    pub mean: String,
    pub months: u32,
    pub volume: u64,
    pub grade_key: &'static str,
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct EvaluationPage {
    c: Ctx,
    month: String,
    /// The quarter shown, or the quarter of the month shown (for the link to it).
    quarter: String,
    /// The quarterly view rather than the month's.
    quarterly: bool,
    complete: bool,
    /// (heading's key, rows, table id): windows, departments, branch halls, township centers.
    sections: Vec<(&'static str, Vec<Row>, &'static str)>,
    /// The same for the quarter.
    graded: Vec<(&'static str, Vec<GradedRow>, &'static str)>,
    problem: Option<String>,
}

impl EvaluationPage {
    /// The workbook of what is shown.
    fn xlsx_href(&self) -> String {
        if self.quarterly {
            format!("/evaluation.xlsx?quarter={}", self.quarter)
        } else {
            format!("/evaluation.xlsx?month={}", self.month)
        }
    }

    fn quarter_href(&self) -> String {
        format!("/evaluation?quarter={}", self.quarter)
    }
}

fn rows(placed: &[Placed], zh: bool, award_key: Option<&'static str>) -> Vec<Row> {
    placed
        .iter()
        .map(|d| {
            let mut badges = Vec::new();
            if let (true, Some(key)) = (d.awarded, award_key) {
                badges.push(("ok", key));
            }
            if d.summoned {
                badges.push(("danger", "evaluation.summoned"));
            }
            Row {
                rank: d.rank,
                name: d.name.clone(),
                badges,
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
            }
        })
        .collect()
}

fn grade_key(grade: Grade) -> &'static str {
    match grade {
        Grade::Excellent => "evaluation.grade.excellent",
        Grade::Good => "evaluation.grade.good",
        Grade::Pass => "evaluation.grade.pass",
        Grade::Fail => "evaluation.grade.fail",
    }
}

fn graded_rows(graded: &[Graded]) -> Vec<GradedRow> {
    graded
        .iter()
        .map(|g| {
            let mut badges = Vec::new();
            if g.awarded {
                badges.push(("ok", "evaluation.best_center"));
            }
            if g.supervision_proposal {
                badges.push(("danger", "evaluation.proposal"));
            }
            GradedRow {
                rank: g.rank,
                name: g.name.clone(),
                badges,
                mean: g.score.mean.to_string(),
                months: g.score.months,
                volume: g.score.volume,
                grade_key: grade_key(g.grade),
            }
        })
        .collect()
}

pub async fn show(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let asked = q.opt("month").map(str::to_owned);
    let quarter = q.opt("quarter").map(str::to_owned);
    let mut data = EvaluationPage {
        c: signed.ctx("/evaluation"),
        month: asked.clone().unwrap_or_default(),
        quarter: quarter.clone().unwrap_or_default(),
        quarterly: quarter.is_some(),
        complete: true,
        sections: Vec::new(),
        graded: Vec::new(),
        problem: None,
    };
    let shown = if let Some(quarter) = &quarter {
        app.quarterly_evaluation(&signed.session, Some(quarter))
            .await
            .map(|e| {
                data.quarter.clone_from(&e.quarter);
                data.month = e.months.last().map(Month::to_string).unwrap_or_default();
                data.complete = e.complete;
                data.graded = vec![
                    ("evaluation.windows", graded_rows(&e.windows), "q-windows"),
                    (
                        "evaluation.departments",
                        graded_rows(&e.departments),
                        "q-departments",
                    ),
                    (
                        "evaluation.branch_halls",
                        graded_rows(&e.branch_halls),
                        "q-branch-halls",
                    ),
                    (
                        "evaluation.townships",
                        graded_rows(&e.township_centers),
                        "q-townships",
                    ),
                ];
            })
    } else {
        app.monthly_evaluation(&signed.session, asked.as_deref())
            .await
            .map(|e| {
                data.month = e.month.to_string();
                data.quarter = Period::quarter_of(e.month).to_string();
                data.complete = e.complete;
                let zh = signed.lang == crate::Lang::Zh;
                data.sections = vec![
                    (
                        "evaluation.windows",
                        rows(&e.windows, zh, Some("evaluation.best_window")),
                        "windows",
                    ),
                    (
                        "evaluation.departments",
                        rows(&e.departments, zh, None),
                        "ranking",
                    ),
                    (
                        "evaluation.branch_halls",
                        rows(&e.branch_halls, zh, Some("evaluation.advanced_branch_hall")),
                        "branch-halls",
                    ),
                    (
                        "evaluation.townships",
                        rows(&e.township_centers, zh, None),
                        "townships",
                    ),
                ];
            })
    };
    match shown {
        Ok(()) => Ok(page(&data)),
        Err(e @ AppError::Invalid(_)) => {
            data.problem = Some(message(&e, signed.lang));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &data))
        }
        Err(e) => Err(e.into()),
    }
}

/// The same month, or quarter, as a workbook.
pub async fn workbook(
    State(app): State<App>,
    signed: Signed,
    Params(q): Params,
) -> Result<Response, PageError> {
    let corrupt = |why: String| AppError::Storage(liandong_store::StoreError::Corrupt(why));
    let (bytes, name) = if let Some(quarter) = q.opt("quarter") {
        let e = app
            .quarterly_evaluation(&signed.session, Some(quarter))
            .await?;
        (
            quarter_xlsx(&e).map_err(corrupt)?,
            format!("evaluation-{}.xlsx", e.quarter),
        )
    } else {
        let e = app
            .monthly_evaluation(&signed.session, q.opt("month"))
            .await?;
        (
            evaluation_xlsx(&e).map_err(corrupt)?,
            format!("evaluation-{}.xlsx", e.month),
        )
    };
    Ok(crate::download::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
    ))
}
