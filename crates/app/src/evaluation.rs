//! Monthly performance evaluation (绩效评估) of the departments, from the running totals, the
//! findings and the cards of electronic supervision, with the formula of
//! `liandong_domain::evaluation`.

use std::collections::HashMap;

use liandong_domain::calendar::{china_date, china_day_start};
use liandong_domain::evaluation::{
    Month, MonthlyFacts, Period, PublishedLimits, Ranked, Score, Subject, SubjectKind, evaluate,
    rank,
};
use liandong_domain::organization::{DepartmentId, Role};
use liandong_domain::supervision::{CardLevel, FindingKind};
use liandong_store::TotalsFilter;
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// One department's month: its place, its name and its explained score.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentScore {
    pub rank: u32,
    pub department: String,
    pub score: Score,
}

/// The departments' ranking of a month.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-02"))]
    pub month: Month,
    /// False for the month in progress: its scores are to date.
    pub complete: bool,
    pub departments: Vec<DepartmentScore>,
}

/// How a finding counts in the formula: each in one part only. A case concluded late is
/// counted by the time-limit part, and routine reviews are no fault.
fn count_finding(facts: &mut MonthlyFacts, kind: FindingKind, n: u32) {
    match kind {
        FindingKind::StepOutOfOrder
        | FindingKind::SupplementRepeated
        | FindingKind::ReturnsRepeated
        | FindingKind::RefusalWithoutGrounds => facts.process_irregularities += n,
        FindingKind::FeeOffStandard | FindingKind::FeesUnreconciled => {
            facts.fee_irregularities += n
        }
        FindingKind::StepOverdue | FindingKind::LeftUntouched | FindingKind::PauseTooLong => {
            facts.supervision_findings += n
        }
        FindingKind::CaseOverdue
        | FindingKind::IntakeRefused
        | FindingKind::Denied
        | FindingKind::Suspended
        | FindingKind::Terminated => {}
    }
}

impl App {
    /// Scores and ranks every department for `month` (`YYYY-MM`; the last complete month
    /// by default). Supervisors and system administrators.
    pub async fn department_evaluation(
        &self,
        session: &Session,
        month: Option<&str>,
    ) -> Result<Evaluation> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        let current = Month::of(china_date(self.now()));
        let month = match month.map(str::trim).filter(|m| !m.is_empty()) {
            Some(text) => text.parse::<Month>().map_err(|_| {
                AppError::invalid("month", "月份格式应为YYYY-MM", "a month is written YYYY-MM")
            })?,
            None => current.previous().unwrap_or(current),
        };
        if month > current {
            return Err(AppError::invalid(
                "month",
                "尚未到来的月份不能评估",
                "a month not yet begun cannot be evaluated",
            ));
        }
        let (from, to) = (month.first_day(), month.last_day());
        let (start, end) = (
            china_day_start(from),
            china_day_start(to.succ_opt().unwrap_or(to)),
        );
        let departments = self.store.departments().await?;
        let mut findings: HashMap<DepartmentId, Vec<(FindingKind, i64)>> = HashMap::new();
        for (department, kind, n) in self.store.finding_counts(start, end).await? {
            findings.entry(department).or_default().push((kind, n));
        }
        let mut cards: HashMap<DepartmentId, (u32, u32)> = HashMap::new();
        for (department, card) in self.store.cards_issued(start, end).await? {
            let entry = cards.entry(department).or_default();
            match card {
                CardLevel::Yellow => entry.0 += 1,
                CardLevel::Red => entry.1 += 1,
                CardLevel::NoCard => {}
            }
        }
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let mut scores = Vec::new();
        for d in &departments {
            let totals = self
                .store
                .totals(&TotalsFilter {
                    from: Some(from),
                    to: Some(to),
                    department: Some(d.id),
                    ..TotalsFilter::default()
                })
                .await?;
            let items = self.store.items(Some(d.id), None).await?;
            let mut facts = MonthlyFacts::new(Subject::Department { id: d.id }, month);
            facts.received = count(totals.received);
            facts.concluded = count(totals.concluded);
            facts.concluded_on_time = count(totals.concluded_on_time);
            for (kind, n) in findings.get(&d.id).into_iter().flatten() {
                count_finding(&mut facts, *kind, count(*n));
            }
            let (yellow, red) = cards.get(&d.id).copied().unwrap_or_default();
            facts.yellow_cards = yellow;
            facts.red_cards = red;
            facts.published_limits =
                PublishedLimits::from_items(items.iter().filter(|i| !i.cancelled).map(|i| &i.item));
            scores.push(
                evaluate(&facts, &self.evaluation_rules)
                    .map_err(|e| AppError::invalid("month", e.to_string(), e.to_string()))?,
            );
        }
        let standings: Vec<_> = scores.iter().map(Score::standing).collect();
        let ranking = rank(SubjectKind::Department, Period::Month { month }, &standings)
            .map_err(|e| AppError::invalid("month", e.to_string(), e.to_string()))?;
        let mut out: Vec<DepartmentScore> = ranking
            .entries
            .iter()
            .filter_map(|Ranked { rank, subject, .. }| {
                let Subject::Department { id } = subject else {
                    return None;
                };
                let score = scores.iter().find(|s| s.subject == *subject)?.clone();
                let name = departments.iter().find(|d| d.id == *id)?.name.clone();
                Some(DepartmentScore {
                    rank: *rank,
                    department: name,
                    score,
                })
            })
            .collect();
        out.sort_by_key(|d| d.rank);
        Ok(Evaluation {
            month,
            complete: month < current,
            departments: out,
        })
    }
}

/// The ranking as a workbook: a row per department — rank, name, total, volume — then the
/// points of every line any department has (the nine parts, deductions, bonuses).
pub fn evaluation_xlsx(evaluation: &Evaluation) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut labels: Vec<String> = Vec::new();
    for d in &evaluation.departments {
        for line in &d.score.lines {
            if !labels.contains(&line.label_zh) {
                labels.push(line.label_zh.clone());
            }
        }
    }
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(evaluation.month.to_string())
        .map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    let header = ["排名", "部门", "总分", "收件量"]
        .into_iter()
        .map(str::to_owned)
        .chain(labels.iter().cloned());
    for (col, name) in (0u16..).zip(header) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(|e| e.to_string())?;
    }
    let hundredths = |p: liandong_domain::evaluation::Points| p.as_hundredths() as f64 / 100.0;
    for (row, d) in (1u32..).zip(&evaluation.departments) {
        sheet
            .write_number(row, 0, f64::from(d.rank))
            .and_then(|s| s.write_string(row, 1, &d.department))
            .and_then(|s| s.write_number(row, 2, hundredths(d.score.total)))
            .and_then(|s| s.write_number(row, 3, d.score.volume as f64))
            .map_err(|e| e.to_string())?;
        for (col, label) in (4u16..).zip(&labels) {
            if let Some(line) = d.score.lines.iter().find(|l| &l.label_zh == label) {
                sheet
                    .write_number(row, col, hundredths(line.points))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}
