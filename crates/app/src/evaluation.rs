//! Monthly performance evaluation (绩效评估) of the departments, branch halls and township
//! centers, from the running totals, the findings and the cards of electronic supervision,
//! with the formula of `liandong_domain::evaluation`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use liandong_domain::calendar::china_day_start;
use liandong_domain::evaluation::{
    Award, Month, MonthlyFacts, Period, PublishedLimits, Ranked, RatingCounts, Score, Subject,
    SubjectKind, award, evaluate, rank,
};
use liandong_domain::organization::{Role, UnitKind};
use liandong_domain::supervision::{CardLevel, FindingKind};
use liandong_store::{RatingsBy, TotalsBy, TotalsFilter};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// One subject's month: its place, its name and its explained score.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Placed {
    pub rank: u32,
    pub name: String,
    pub score: Score,
    /// 先进分厅 this month (branch halls only).
    pub awarded: bool,
}

/// A month's rankings: the departments, the branch halls, the township centers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-02"))]
    pub month: Month,
    /// False for the month in progress: its scores are to date.
    pub complete: bool,
    pub departments: Vec<Placed>,
    pub branch_halls: Vec<Placed>,
    pub township_centers: Vec<Placed>,
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

impl Charged {
    /// Adds the month's counts for `owner` to its facts.
    fn charge(&self, owner: i64, facts: &mut MonthlyFacts) {
        for (kind, n) in self.findings.get(&owner).into_iter().flatten() {
            count_finding(facts, *kind, count(*n));
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
        | FindingKind::Terminated
        // A dead camera is its unit's equipment, not a department's fault.
        | FindingKind::CameraOffline => {}
    }
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
        let mut ratings: HashMap<i64, (RatingCounts, u32)> = HashMap::new();
        for c in self.store.rating_counts(start, end, by).await? {
            let entry = ratings.entry(c.owner).or_default();
            entry.0.add_count(c.satisfaction, c.count);
            if c.satisfaction.is_poor() {
                entry.1 += c.rectified;
            }
        }
        Ok(Charged {
            findings,
            cards,
            ratings,
        })
    }

    /// Scores `subjects` (with their names and the totals filter of each) and ranks them.
    fn placed(
        &self,
        kind: SubjectKind,
        month: Month,
        scored: Vec<(String, Score)>,
    ) -> Result<Vec<Placed>> {
        let invalid = |e: liandong_domain::evaluation::EvaluationError| {
            AppError::invalid("month", e.to_string(), e.to_string())
        };
        let standings: Vec<_> = scored.iter().map(|(_, s)| s.standing()).collect();
        let ranking = rank(kind, Period::Month { month }, &standings).map_err(invalid)?;
        let awarded: Vec<Subject> = if kind == SubjectKind::BranchHall {
            award(Award::AdvancedBranchHall, &ranking, &self.evaluation_rules)
                .map_err(invalid)?
                .iter()
                .map(|r| r.subject)
                .collect()
        } else {
            Vec::new()
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
                })
            })
            .collect();
        out.sort_by_key(|p| p.rank);
        Ok(out)
    }

    /// Scores and ranks the departments, the branch halls and the township centers for
    /// `month` (`YYYY-MM`; the last complete month by default), and names the month's
    /// advanced branch hall. Supervisors and system administrators.
    pub async fn monthly_evaluation(
        &self,
        session: &Session,
        month: Option<&str>,
    ) -> Result<Evaluation> {
        session.require_any(&[Role::Supervisor, Role::SystemAdmin])?;
        let (month, current) = self.month_asked(month)?;
        let (from, to) = (month.first_day(), month.last_day());
        let (start, end) = (
            china_day_start(from),
            china_day_start(to.succ_opt().unwrap_or(to)),
        );
        let period = TotalsFilter {
            from: Some(from),
            to: Some(to),
            ..TotalsFilter::default()
        };
        let evaluate_with = |facts: &MonthlyFacts| {
            evaluate(facts, &self.evaluation_rules)
                .map_err(|e| AppError::invalid("month", e.to_string(), e.to_string()))
        };

        let charged = self.charged(start, end, false).await?;
        // Every department's month from one reading of the totals.
        let by_department: HashMap<String, liandong_domain::case::tally::Tally> = self
            .store
            .totals_by(TotalsBy::Department, &period)
            .await?
            .into_iter()
            .collect();
        let mut departments = Vec::new();
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
            departments.push((d.name.clone(), evaluate_with(&facts)?));
        }

        // A unit answers for the cases received or handled at it and its stations, for the
        // findings and cards on the cases it handles, and counts the proxied applications it
        // and its stations carried in its volume.
        let charged = self.charged(start, end, true).await?;
        let mut units: HashMap<UnitKind, Vec<(String, Score)>> = HashMap::new();
        for unit in self.store.units().await? {
            if !matches!(unit.kind, UnitKind::BranchHall | UnitKind::TownshipCenter) {
                continue;
            }
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
            units
                .entry(unit.kind)
                .or_default()
                .push((unit.name.clone(), evaluate_with(&facts)?));
        }
        Ok(Evaluation {
            month,
            complete: month < current,
            departments: self.placed(SubjectKind::Department, month, departments)?,
            branch_halls: self.placed(
                SubjectKind::BranchHall,
                month,
                units.remove(&UnitKind::BranchHall).unwrap_or_default(),
            )?,
            township_centers: self.placed(
                SubjectKind::TownshipCenter,
                month,
                units.remove(&UnitKind::TownshipCenter).unwrap_or_default(),
            )?,
        })
    }
}

fn fill_from_totals(facts: &mut MonthlyFacts, totals: &liandong_domain::case::tally::Tally) {
    facts.received = count(totals.received);
    facts.concluded = count(totals.concluded);
    facts.concluded_on_time = count(totals.concluded_on_time);
}

/// The rankings as a workbook, a sheet each (departments, branch halls, township centers): a
/// row per subject — rank, name, total, volume — then the points of every line any of them has.
pub fn evaluation_xlsx(evaluation: &Evaluation) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let hundredths = |p: liandong_domain::evaluation::Points| p.as_hundredths() as f64 / 100.0;
    for (title, placed) in [
        ("部门", &evaluation.departments),
        ("分厅", &evaluation.branch_halls),
        ("镇街便民服务中心", &evaluation.township_centers),
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
        let header = ["排名", "名称", "总分", "收件量"]
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
                .map_err(|e| e.to_string())?;
            for (col, label) in (4u16..).zip(&labels) {
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
