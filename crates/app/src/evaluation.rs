//! Performance evaluation (绩效评估) of the windows, departments, branch halls and township
//! centers: each month from the running totals, the cases the windows took in, the findings
//! and the cards of electronic supervision, the ratings and the windows' attendance, with the
//! formula of `liandong_domain::evaluation`; each quarter the means of the months, graded.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use liandong_domain::calendar::{china_date, china_day_start};
use liandong_domain::case::deadline::case_clock;
use liandong_domain::case::tally::tally;
use liandong_domain::case::{Case, EventKind};
use liandong_domain::evaluation::{
    Award, EvaluationError, Grade, Month, MonthlyFacts, Period, PeriodScore, PublishedLimits,
    Ranked, RatingCounts, Score, Subject, SubjectKind, attendance_irregularities, award, evaluate,
    quarter_ranking, rank, window_answers_for, window_in_service, windows_to_summon,
};
use liandong_domain::organization::{Role, UnitKind, WindowId};
use liandong_domain::supervision::{CardLevel, FindingKind};
use liandong_store::{RatingsBy, StoreError, TotalsBy, TotalsFilter};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// One subject's month: its place, its name and its explained score.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Placed {
    pub rank: u32,
    pub name: String,
    pub score: Score,
    /// The month's award: 先进分厅 for a branch hall, 优秀窗口 for a window.
    pub awarded: bool,
    /// A window ranked last this month and the month before: summoned for a talk (约谈).
    pub summoned: bool,
}

/// A month's rankings: the windows, the departments, the branch halls, the township centers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-02"))]
    pub month: Month,
    /// False for the month in progress: its scores are to date.
    pub complete: bool,
    /// The windows in service in the month (that took an application in, were rated or
    /// kept their attendance).
    pub windows: Vec<Placed>,
    pub departments: Vec<Placed>,
    pub branch_halls: Vec<Placed>,
    pub township_centers: Vec<Placed>,
}

/// One subject's quarter: its place by the mean of its months, and its grade.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Graded {
    pub rank: u32,
    pub name: String,
    pub score: PeriodScore,
    pub grade: Grade,
    /// 不合格: a supervision proposal (监察建议) is due.
    pub supervision_proposal: bool,
    /// 优秀便民服务中心 this quarter (township centers only).
    pub awarded: bool,
}

/// A quarter's rankings by the means of the months scored so far.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct QuarterEvaluation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-Q1"))]
    pub quarter: String,
    /// The months counted: all three once the quarter is over, else those begun.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub months: Vec<Month>,
    /// False for the quarter in progress.
    pub complete: bool,
    pub windows: Vec<Graded>,
    pub departments: Vec<Graded>,
    pub branch_halls: Vec<Graded>,
    pub township_centers: Vec<Graded>,
}

/// Every kind's scores of one month, each with the subject's name.
#[derive(Default)]
struct MonthScores {
    windows: Vec<(String, Score)>,
    departments: Vec<(String, Score)>,
    branch_halls: Vec<(String, Score)>,
    township_centers: Vec<(String, Score)>,
}

/// What the month's findings and cards were, for one kind of owner (departments or units).
struct Charged {
    findings: HashMap<i64, Vec<(FindingKind, i64)>>,
    cards: HashMap<i64, (u32, u32)>,
    /// The month's ratings per owner, and how many poor ones were rectified or explained.
    ratings: HashMap<i64, (RatingCounts, u32)>,
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn invalid(e: EvaluationError) -> AppError {
    AppError::invalid("month", e.to_string(), e.to_string())
}

impl Charged {
    /// Adds the month's counts for `owner` to its facts.
    fn charge(&self, owner: i64, facts: &mut MonthlyFacts) {
        for (kind, n) in self.findings.get(&owner).into_iter().flatten() {
            facts.count_finding(*kind, count(*n));
        }
        let (yellow, red) = self.cards.get(&owner).copied().unwrap_or_default();
        facts.yellow_cards = yellow;
        facts.red_cards = red;
    }

    /// Adds the month's ratings of `owners` (a unit and its stations, or one department).
    fn rate(&self, owners: &[i64], facts: &mut MonthlyFacts) {
        for (counts, rectified) in owners.iter().filter_map(|o| self.ratings.get(o)) {
            facts.ratings.merge(counts);
            facts.poor_ratings_rectified += rectified;
        }
    }
}

async fn ratings_by(
    app: &App,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    by: RatingsBy,
) -> Result<HashMap<i64, (RatingCounts, u32)>> {
    let mut ratings: HashMap<i64, (RatingCounts, u32)> = HashMap::new();
    for c in app.store.rating_counts(start, end, by).await? {
        let entry = ratings.entry(c.owner).or_default();
        entry.0.add_count(c.satisfaction, c.count);
        if c.satisfaction.is_poor() {
            entry.1 += c.rectified;
        }
    }
    Ok(ratings)
}

/// The instants a month spans, China time.
fn span(month: Month) -> (DateTime<Utc>, DateTime<Utc>) {
    let (from, to) = (month.first_day(), month.last_day());
    (
        china_day_start(from),
        china_day_start(to.succ_opt().unwrap_or(to)),
    )
}

impl App {
    async fn charged(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        by_unit: bool,
    ) -> Result<Charged> {
        let mut findings: HashMap<i64, Vec<(FindingKind, i64)>> = HashMap::new();
        for (owner, kind, n) in self.store.finding_counts(start, end, by_unit).await? {
            findings.entry(owner).or_default().push((kind, n));
        }
        let mut cards: HashMap<i64, (u32, u32)> = HashMap::new();
        for (owner, card) in self.store.cards_issued(start, end, by_unit).await? {
            let entry = cards.entry(owner).or_default();
            match card {
                CardLevel::Yellow => entry.0 += 1,
                CardLevel::Red => entry.1 += 1,
                CardLevel::NoCard => {}
            }
        }
        let by = if by_unit {
            RatingsBy::Unit
        } else {
            RatingsBy::Department
        };
        Ok(Charged {
            findings,
            cards,
            ratings: ratings_by(self, start, end, by).await?,
        })
    }

    /// Ranks one kind's month, names the month's award (优秀窗口, 先进分厅) and marks the
    /// windows `summoned`.
    fn placed(
        &self,
        kind: SubjectKind,
        month: Month,
        scored: Vec<(String, Score)>,
        summoned: &[WindowId],
    ) -> Result<Vec<Placed>> {
        let standings: Vec<_> = scored.iter().map(|(_, s)| s.standing()).collect();
        let ranking = rank(kind, Period::Month { month }, &standings).map_err(invalid)?;
        let monthly_award = match kind {
            SubjectKind::BranchHall => Some(Award::AdvancedBranchHall),
            SubjectKind::Window => Some(Award::BestWindow),
            _ => None,
        };
        let awarded: Vec<Subject> = match monthly_award {
            Some(a) => award(a, &ranking, &self.evaluation_rules)
                .map_err(invalid)?
                .iter()
                .map(|r| r.subject)
                .collect(),
            None => Vec::new(),
        };
        let mut out: Vec<Placed> = ranking
            .entries
            .iter()
            .filter_map(|Ranked { rank, subject, .. }| {
                let (name, score) = scored.iter().find(|(_, s)| s.subject == *subject)?;
                Some(Placed {
                    rank: *rank,
                    name: name.clone(),
                    score: score.clone(),
                    awarded: awarded.contains(subject),
                    summoned: matches!(subject, Subject::Window { id } if summoned.contains(id)),
                })
            })
            .collect();
        out.sort_by_key(|p| p.rank);
        Ok(out)
    }

    fn evaluated(&self, facts: &MonthlyFacts) -> Result<Score> {
        evaluate(facts, &self.evaluation_rules).map_err(invalid)
    }

    /// Concluded and concluded on time in [start, end) of the cases taken in at each window:
    /// each case's clock read at its conclusion, the rule of the running totals.
    async fn window_conclusions(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<HashMap<WindowId, (u32, u32)>> {
        let calendar = self.calendar();
        let corrupt = |e: liandong_domain::case::HistoryError| {
            AppError::Storage(StoreError::Corrupt(e.to_string()))
        };
        let mut out: HashMap<WindowId, (u32, u32)> = HashMap::new();
        for conclusion in self.store.window_concluded_histories(start, end).await? {
            let item = self
                .item_version(conclusion.item, conclusion.item_version)
                .await?;
            let Some((first, rest)) = conclusion.events.split_first() else {
                continue;
            };
            let mut case = Case::replay(std::slice::from_ref(first)).map_err(corrupt)?;
            let entry = out.entry(conclusion.window).or_default();
            for event in rest {
                case.apply(event).map_err(corrupt)?;
                if !matches!(event.kind, EventKind::Concluded { .. })
                    || event.at < start
                    || event.at >= end
                {
                    continue;
                }
                let clock = case_clock(&case, &item, &calendar, &self.warning_rules, event.at);
                for (_, t) in tally(std::slice::from_ref(event), clock.as_ref()) {
                    entry.0 += count(t.concluded);
                    entry.1 += count(t.concluded_on_time);
                }
            }
        }
        Ok(out)
    }

    /// The month of every window in service (see `window_in_service`): the applications
    /// taken in at it, their conclusions, the ratings at its pad and of its cases, the
    /// findings at its clerks' steps of its cases, and its attendance irregularities.
    async fn window_scores(&self, month: Month) -> Result<Vec<(String, Score)>> {
        let (start, end) = span(month);
        let received: HashMap<WindowId, i64> = self
            .store
            .window_received(start, end)
            .await?
            .into_iter()
            .collect();
        let concluded = self.window_conclusions(start, end).await?;
        let ratings = ratings_by(self, start, end, RatingsBy::Window).await?;
        let mut findings: HashMap<WindowId, Vec<(FindingKind, i64)>> = HashMap::new();
        for role in Role::ALL.into_iter().filter(|r| window_answers_for(*r)) {
            for (window, kind, n) in self.store.window_finding_counts(start, end, role).await? {
                findings.entry(window).or_default().push((kind, n));
            }
        }
        let today = china_date(self.now());
        let kept = self
            .kept_months(None, month, crate::attendance::through(month, today))
            .await?;
        let units: HashMap<i64, String> = self
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.id.0, u.name))
            .collect();
        let mut scores = Vec::new();
        for window in self.store.windows(None).await? {
            let mut facts = MonthlyFacts::new(Subject::Window { id: window.id }, month);
            facts.received = count(received.get(&window.id).copied().unwrap_or_default());
            let (c, on_time) = concluded.get(&window.id).copied().unwrap_or_default();
            facts.concluded = c;
            facts.concluded_on_time = on_time;
            if let Some((counts, rectified)) = ratings.get(&window.id.0) {
                facts.ratings.merge(counts);
                facts.poor_ratings_rectified = *rectified;
            }
            for (kind, n) in findings.get(&window.id).into_iter().flatten() {
                facts.count_finding(*kind, count(*n));
            }
            let figures = kept
                .iter()
                .find(|k| k.window.id == window.id)
                .and_then(|k| k.figures.as_ref());
            if let Some(figures) = figures {
                facts.attendance_irregularities = attendance_irregularities(figures);
            }
            if !window_in_service(&facts, figures.is_some()) {
                continue;
            }
            let unit = units.get(&window.unit_id.0).cloned().unwrap_or_default();
            let name = format!("{unit} {}号窗口 {}", window.number, window.name);
            scores.push((name, self.evaluated(&facts)?));
        }
        Ok(scores)
    }

    /// Every kind's scores of `month`.
    async fn month_scores(&self, month: Month) -> Result<MonthScores> {
        let (start, end) = span(month);
        let period = TotalsFilter {
            from: Some(month.first_day()),
            to: Some(month.last_day()),
            ..TotalsFilter::default()
        };
        let mut scores = MonthScores {
            windows: self.window_scores(month).await?,
            ..MonthScores::default()
        };

        let charged = self.charged(start, end, false).await?;
        // Every department's month from one reading of the totals.
        let by_department: HashMap<String, liandong_domain::case::tally::Tally> = self
            .store
            .totals_by(TotalsBy::Department, &period)
            .await?
            .into_iter()
            .collect();
        for d in self.store.departments().await? {
            let totals = by_department
                .get(&d.id.0.to_string())
                .copied()
                .unwrap_or_default();
            let items = self.store.items(Some(d.id), None).await?;
            let mut facts = MonthlyFacts::new(Subject::Department { id: d.id }, month);
            fill_from_totals(&mut facts, &totals);
            charged.charge(d.id.0, &mut facts);
            charged.rate(&[d.id.0], &mut facts);
            facts.published_limits =
                PublishedLimits::from_items(items.iter().filter(|i| !i.cancelled).map(|i| &i.item));
            scores
                .departments
                .push((d.name.clone(), self.evaluated(&facts)?));
        }

        // A unit answers for the cases received or handled at it and its stations, for the
        // findings and cards on the cases it handles, and counts the proxied applications it
        // and its stations carried in its volume.
        let charged = self.charged(start, end, true).await?;
        for unit in self.store.units().await? {
            let list = match unit.kind {
                UnitKind::BranchHall => &mut scores.branch_halls,
                UnitKind::TownshipCenter => &mut scores.township_centers,
                UnitKind::DistrictHall | UnitKind::VillageStation => continue,
            };
            let subtree = self.store.unit_subtree(unit.id).await?;
            let carried = self
                .store
                .proxy_records_carried(&subtree, start, end)
                .await?;
            let members: Vec<i64> = subtree.iter().map(|u| u.0).collect();
            let totals = self
                .store
                .totals(&TotalsFilter {
                    units: Some(subtree),
                    ..period.clone()
                })
                .await?;
            let mut facts = MonthlyFacts::new(
                Subject::Unit {
                    id: unit.id,
                    kind: unit.kind,
                },
                month,
            );
            fill_from_totals(&mut facts, &totals);
            facts.proxy_cases_carried = count(carried);
            charged.charge(unit.id.0, &mut facts);
            charged.rate(&members, &mut facts);
            list.push((unit.name.clone(), self.evaluated(&facts)?));
        }
        Ok(scores)
    }

    /// Scores and ranks the windows, the departments, the branch halls and the township
    /// centers for `month` (`YYYY-MM`; the last complete month by default), names the month's
    /// 优秀窗口 and 先进分厅, and the windows to summon (约谈): last this month and the month
    /// before. Supervisors and system administrators.
    pub async fn monthly_evaluation(
        &self,
        session: &Session,
        month: Option<&str>,
    ) -> Result<Evaluation> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        let (month, current) = self.month_asked(month)?;
        let scores = self.month_scores(month).await?;
        let summoned = match month.previous() {
            Some(previous) => {
                let before: Vec<_> = self
                    .window_scores(previous)
                    .await?
                    .iter()
                    .map(|(_, s)| s.standing())
                    .collect();
                let now: Vec<_> = scores.windows.iter().map(|(_, s)| s.standing()).collect();
                let before = rank(
                    SubjectKind::Window,
                    Period::Month { month: previous },
                    &before,
                )
                .map_err(invalid)?;
                let now =
                    rank(SubjectKind::Window, Period::Month { month }, &now).map_err(invalid)?;
                windows_to_summon(&before, &now).map_err(invalid)?
            }
            None => Vec::new(),
        };
        Ok(Evaluation {
            month,
            complete: month < current,
            windows: self.placed(SubjectKind::Window, month, scores.windows, &summoned)?,
            departments: self.placed(SubjectKind::Department, month, scores.departments, &[])?,
            branch_halls: self.placed(SubjectKind::BranchHall, month, scores.branch_halls, &[])?,
            township_centers: self.placed(
                SubjectKind::TownshipCenter,
                month,
                scores.township_centers,
                &[],
            )?,
        })
    }

    /// Grades every subject's quarter (`2026-Q1`; the quarter of the last complete month by
    /// default) by the mean of its months scored so far, ranks each kind by it, flags the
    /// 不合格 for a supervision proposal and names the quarter's 优秀便民服务中心.
    /// Supervisors and system administrators.
    pub async fn quarterly_evaluation(
        &self,
        session: &Session,
        quarter: Option<&str>,
    ) -> Result<QuarterEvaluation> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        let current = Month::of(china_date(self.now()));
        let quarter = match quarter.map(str::trim).filter(|q| !q.is_empty()) {
            Some(text) => Period::parse_quarter(text)
                .map_err(|e| AppError::invalid("quarter", e.to_string(), e.to_string()))?,
            None => Period::quarter_of(current.previous().unwrap_or(current)),
        };
        let months: Vec<Month> = quarter
            .months()
            .into_iter()
            .filter(|m| *m <= current)
            .collect();
        if months.is_empty() {
            return Err(AppError::invalid(
                "quarter",
                "尚未到来的季度无可报告",
                "a quarter not yet begun has nothing to report",
            ));
        }
        let complete = quarter.months().iter().all(|m| *m < current);
        let mut all = MonthScores::default();
        for month in &months {
            let scores = self.month_scores(*month).await?;
            all.windows.extend(scores.windows);
            all.departments.extend(scores.departments);
            all.branch_halls.extend(scores.branch_halls);
            all.township_centers.extend(scores.township_centers);
        }
        let graded = |kind, scored: Vec<(String, Score)>| -> Result<Vec<Graded>> {
            let scores: Vec<Score> = scored.iter().map(|(_, s)| s.clone()).collect();
            let q = quarter_ranking(kind, quarter, &scores, &self.evaluation_rules)
                .map_err(|e| AppError::invalid("quarter", e.to_string(), e.to_string()))?;
            Ok(q.ranking
                .entries
                .iter()
                .filter_map(|entry| {
                    let g = q.grade_of(entry.subject)?;
                    // The latest month's name: a renamed unit reads as it is called now.
                    let name = scored
                        .iter()
                        .rev()
                        .find(|(_, s)| s.subject == entry.subject)
                        .map(|(n, _)| n.clone())?;
                    Some(Graded {
                        rank: entry.rank,
                        name,
                        score: g.score,
                        grade: g.grade,
                        supervision_proposal: g.supervision_proposal,
                        awarded: q.awarded.contains(&entry.subject),
                    })
                })
                .collect())
        };
        Ok(QuarterEvaluation {
            quarter: quarter.to_string(),
            months,
            complete,
            windows: graded(SubjectKind::Window, all.windows)?,
            departments: graded(SubjectKind::Department, all.departments)?,
            branch_halls: graded(SubjectKind::BranchHall, all.branch_halls)?,
            township_centers: graded(SubjectKind::TownshipCenter, all.township_centers)?,
        })
    }
}

fn fill_from_totals(facts: &mut MonthlyFacts, totals: &liandong_domain::case::tally::Tally) {
    facts.received = count(totals.received);
    facts.concluded = count(totals.concluded);
    facts.concluded_on_time = count(totals.concluded_on_time);
}

/// The month's rankings as a workbook, a sheet each (windows, departments, branch halls,
/// township centers): a row per subject — rank, name, total, volume, the award, 约谈 — then
/// the points of every line any of them has.
pub fn evaluation_xlsx(evaluation: &Evaluation) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let hundredths = |p: liandong_domain::evaluation::Points| p.as_hundredths() as f64 / 100.0;
    for (title, placed, award_name) in [
        ("窗口", &evaluation.windows, Award::BestWindow.name_zh()),
        ("部门", &evaluation.departments, ""),
        (
            "分厅",
            &evaluation.branch_halls,
            Award::AdvancedBranchHall.name_zh(),
        ),
        ("镇街便民服务中心", &evaluation.township_centers, ""),
    ] {
        let mut labels: Vec<String> = Vec::new();
        for p in placed {
            for line in &p.score.lines {
                if !labels.contains(&line.label_zh) {
                    labels.push(line.label_zh.clone());
                }
            }
        }
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(format!("{title} {}", evaluation.month))
            .map_err(|e| e.to_string())?;
        let header = ["排名", "名称", "总分", "收件量", "奖项", "约谈"]
            .into_iter()
            .map(str::to_owned)
            .chain(labels.iter().cloned());
        for (col, name) in (0u16..).zip(header) {
            sheet
                .write_string_with_format(0, col, name, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (row, p) in (1u32..).zip(placed) {
            sheet
                .write_number(row, 0, f64::from(p.rank))
                .and_then(|s| s.write_string(row, 1, &p.name))
                .and_then(|s| s.write_number(row, 2, hundredths(p.score.total)))
                .and_then(|s| s.write_number(row, 3, p.score.volume as f64))
                .and_then(|s| s.write_string(row, 4, if p.awarded { award_name } else { "" }))
                .and_then(|s| s.write_string(row, 5, if p.summoned { "约谈" } else { "" }))
                .map_err(|e| e.to_string())?;
            for (col, label) in (6u16..).zip(&labels) {
                if let Some(line) = p.score.lines.iter().find(|l| &l.label_zh == label) {
                    sheet
                        .write_number(row, col, hundredths(line.points))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

/// The quarter's grades as a workbook, a sheet per kind: rank, name, the quarter's score (the
/// mean of its months), months scored, volume, grade, whether a supervision proposal is due,
/// and 优秀便民服务中心.
pub fn quarter_xlsx(quarter: &QuarterEvaluation) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (title, graded) in [
        ("窗口", &quarter.windows),
        ("部门", &quarter.departments),
        ("分厅", &quarter.branch_halls),
        ("镇街便民服务中心", &quarter.township_centers),
    ] {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(format!("{title} {}", quarter.quarter))
            .map_err(|e| e.to_string())?;
        let header = [
            "排名",
            "名称",
            "季度得分",
            "计分月数",
            "收件量",
            "等次",
            "监察建议",
            "奖项",
        ];
        for (col, name) in (0u16..).zip(header) {
            sheet
                .write_string_with_format(0, col, name, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (row, g) in (1u32..).zip(graded) {
            sheet
                .write_number(row, 0, f64::from(g.rank))
                .and_then(|s| s.write_string(row, 1, &g.name))
                .and_then(|s| s.write_number(row, 2, g.score.mean.as_hundredths() as f64 / 100.0))
                .and_then(|s| s.write_number(row, 3, f64::from(g.score.months)))
                .and_then(|s| s.write_number(row, 4, g.score.volume as f64))
                .and_then(|s| s.write_string(row, 5, g.grade.name_zh()))
                .and_then(|s| {
                    s.write_string(
                        row,
                        6,
                        if g.supervision_proposal {
                            "需提出"
                        } else {
                            ""
                        },
                    )
                })
                .and_then(|s| {
                    s.write_string(
                        row,
                        7,
                        if g.awarded {
                            Award::BestConvenienceCenter.name_zh()
                        } else {
                            ""
                        },
                    )
                })
                .map_err(|e| e.to_string())?;
        }
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}
