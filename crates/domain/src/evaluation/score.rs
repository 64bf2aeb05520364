//! The monthly score and its explanation, line by line.

use serde::{Deserialize, Serialize};

use super::facts::LEVELS;
use super::points::percent_floor;
use super::{
    EvaluationError, EvaluationRules, Month, MonthlyFacts, Period, Points, Standing, Subject,
};
use crate::organization::string_enum;

/// The nine weighted parts of the base 100.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Openness,
    ProcessConformity,
    LawfulTimeLimits,
    LawfulFees,
    Satisfaction,
    ServiceAttitude,
    SupervisionFindings,
    LegalResponsibility,
    Integrity,
}
string_enum!(Part {
    Openness => "openness",
    ProcessConformity => "process_conformity",
    LawfulTimeLimits => "lawful_time_limits",
    LawfulFees => "lawful_fees",
    Satisfaction => "satisfaction",
    ServiceAttitude => "service_attitude",
    SupervisionFindings => "supervision_findings",
    LegalResponsibility => "legal_responsibility",
    Integrity => "integrity",
});

impl Part {
    /// In the order a score lists them.
    pub const ALL: [Part; 9] = [
        Part::Openness,
        Part::ProcessConformity,
        Part::LawfulTimeLimits,
        Part::LawfulFees,
        Part::Satisfaction,
        Part::ServiceAttitude,
        Part::SupervisionFindings,
        Part::LegalResponsibility,
        Part::Integrity,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Openness => "政务公开",
            Self::ProcessConformity => "程序规范",
            Self::LawfulTimeLimits => "时限合法",
            Self::LawfulFees => "收费合法",
            Self::Satisfaction => "群众满意度",
            Self::ServiceAttitude => "服务态度",
            Self::SupervisionFindings => "电子监察",
            Self::LegalResponsibility => "法律责任",
            Self::Integrity => "廉洁自律",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Openness => "openness of government affairs",
            Self::ProcessConformity => "process conformity",
            Self::LawfulTimeLimits => "lawful time limits",
            Self::LawfulFees => "lawful fees",
            Self::Satisfaction => "satisfaction",
            Self::ServiceAttitude => "service attitude",
            Self::SupervisionFindings => "supervision findings",
            Self::LegalResponsibility => "legal responsibility",
            Self::Integrity => "integrity",
        }
    }
}

/// Points taken off the whole score, beyond the parts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deduction {
    ConsecutiveWarnings,
    YellowCards,
    RedCards,
    IncompleteData,
}
string_enum!(Deduction {
    ConsecutiveWarnings => "consecutive_warnings",
    YellowCards => "yellow_cards",
    RedCards => "red_cards",
    IncompleteData => "incomplete_data",
});

impl Deduction {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::ConsecutiveWarnings => "连续三次预警",
            Self::YellowCards => "黄牌警告",
            Self::RedCards => "红牌问责",
            Self::IncompleteData => "数据不完整",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::ConsecutiveWarnings => "three consecutive warnings",
            Self::YellowCards => "yellow cards",
            Self::RedCards => "red cards",
            Self::IncompleteData => "incomplete data",
        }
    }
}

/// Points added beyond the base.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bonus {
    EarlyConclusion,
    ShortenedCommitments,
}
string_enum!(Bonus {
    EarlyConclusion => "early_conclusion",
    ShortenedCommitments => "shortened_commitments",
});

impl Bonus {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::EarlyConclusion => "提前办结",
            Self::ShortenedCommitments => "承诺时限压缩",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::EarlyConclusion => "concluded early",
            Self::ShortenedCommitments => "commitments shortened",
        }
    }
}

/// What a line of a score is about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineItem {
    Part(Part),
    Deduction(Deduction),
    Bonus(Bonus),
    /// Deductions beyond the parts' points: the total is lifted back to 0.
    FloorAtZero,
}

impl LineItem {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Part(p) => p.name_zh(),
            Self::Deduction(d) => d.name_zh(),
            Self::Bonus(b) => b.name_zh(),
            Self::FloorAtZero => "最低计零分",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Part(p) => p.name_en(),
            Self::Deduction(d) => d.name_en(),
            Self::Bonus(b) => b.name_en(),
            Self::FloorAtZero => "never below zero",
        }
    }
}

/// One line of the explanation: what it is, what it adds (negative for a deduction), and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub item: LineItem,
    pub points: Points,
    /// A part's weight; none for deductions and bonuses.
    pub max: Option<Points>,
    pub label_zh: String,
    pub label_en: String,
    /// The facts and the rule behind the points.
    pub detail_zh: String,
    pub detail_en: String,
}

/// A subject's month: the total and every line that makes it. The nine parts are always
/// listed; deductions and bonuses only when they apply. The lines add up to the total.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub subject: Subject,
    pub month: Month,
    /// Received plus proxied applications: what awards' minimum volumes look at.
    pub volume: u64,
    pub total: Points,
    pub lines: Vec<ScoreLine>,
}

impl Score {
    pub fn line(&self, item: LineItem) -> Option<&ScoreLine> {
        self.lines.iter().find(|l| l.item == item)
    }

    /// The points of `item`, zero when the score has no such line.
    pub fn points_of(&self, item: LineItem) -> Points {
        self.line(item).map_or(Points::ZERO, |l| l.points)
    }

    /// Where the month stands in a ranking.
    pub fn standing(&self) -> Standing {
        Standing {
            subject: self.subject,
            period: Period::Month { month: self.month },
            points: self.total,
            volume: self.volume,
        }
    }
}

fn line(item: LineItem, points: Points, max: Option<Points>, zh: String, en: String) -> ScoreLine {
    ScoreLine {
        item,
        points,
        max,
        label_zh: item.name_zh().to_owned(),
        label_en: item.name_en().to_owned(),
        detail_zh: zh,
        detail_en: en,
    }
}

/// A part earned by having no incidents: the weight less `each` per incident, down to 0.
fn part_by_incidents(
    part: Part,
    rules: &EvaluationRules,
    off: Points,
    zh: String,
    en: String,
) -> ScoreLine {
    let weight = rules.weights.of(part);
    let points = (weight - off).max(Points::ZERO).min(weight);
    line(LineItem::Part(part), points, Some(weight), zh, en)
}

fn count_part(
    part: Part,
    rules: &EvaluationRules,
    count: u32,
    each: Points,
    (what_zh, measure_zh): (&str, &str),
    what_en: &str,
) -> ScoreLine {
    part_by_incidents(
        part,
        rules,
        each.times(count.into()),
        format!("{what_zh} {count} {measure_zh}，每{measure_zh}扣 {each} 分"),
        format!("{count} {what_en}, {each} off each"),
    )
}

/// Disclosure lapses, and for a window the days it did not keep its published hours.
fn openness(facts: &MonthlyFacts, rules: &EvaluationRules) -> ScoreLine {
    let (lapses, each) = (facts.disclosure_lapses, rules.per_disclosure_lapse);
    let irregular = facts.attendance_irregularities;
    if irregular == 0 {
        return count_part(
            Part::Openness,
            rules,
            lapses,
            each,
            ("公开不到位", "处"),
            "disclosure lapses",
        );
    }
    let per_day = rules.per_attendance_irregularity;
    part_by_incidents(
        Part::Openness,
        rules,
        each.times(lapses.into()) + per_day.times(irregular.into()),
        format!(
            "公开不到位 {lapses} 处（每处扣 {each} 分），窗口出勤异常 {irregular} 次（每次扣 {per_day} 分）"
        ),
        format!(
            "{lapses} disclosure lapses ({each} off each), {irregular} attendance irregularities ({per_day} off each)"
        ),
    )
}

fn time_limits(facts: &MonthlyFacts, rules: &EvaluationRules) -> ScoreLine {
    let part = Part::LawfulTimeLimits;
    let each = rules.per_percent_late;
    if facts.concluded == 0 {
        return part_by_incidents(
            part,
            rules,
            Points::ZERO,
            "本月无办结件，按满分计".to_owned(),
            "no case concluded this month: full points".to_owned(),
        );
    }
    let (on_time, concluded) = (facts.concluded_on_time, facts.concluded);
    let late = u64::from(concluded - on_time);
    let rate = percent_floor(on_time.into(), concluded.into());
    part_by_incidents(
        part,
        rules,
        each.ratio(100 * late, concluded.into()),
        format!("按时办结 {on_time}/{concluded} 件（{rate}），按时率每低 1 个百分点扣 {each} 分"),
        format!(
            "{on_time} of {concluded} concluded on time ({rate}); {each} off per percentage point below 100 %"
        ),
    )
}

fn satisfaction(facts: &MonthlyFacts, rules: &EvaluationRules) -> ScoreLine {
    let part = Part::Satisfaction;
    let weight = rules.weights.of(part);
    let ratings = facts.ratings;
    let total = ratings.total();
    if total == 0 {
        return line(
            LineItem::Part(part),
            weight,
            Some(weight),
            "本月无评价，按满分计".to_owned(),
            "no rating this month: full points".to_owned(),
        );
    }
    let value_sum: u64 = LEVELS
        .iter()
        .map(|l| u64::from(rules.satisfaction_values.of(*l)) * u64::from(ratings.count(*l)))
        .sum();
    let index = percent_floor(value_sum, 100 * total);
    let counts_zh: Vec<String> = LEVELS
        .iter()
        .map(|l| format!("{} {}", l.name_zh(), ratings.count(*l)))
        .collect();
    let counts_en: Vec<String> = LEVELS
        .iter()
        .map(|l| format!("{} {}", l.as_str().replace('_', " "), ratings.count(*l)))
        .collect();
    line(
        LineItem::Part(part),
        weight.ratio(value_sum, 100 * total).min(weight),
        Some(weight),
        format!(
            "评价 {total} 次（{}），满意度指数 {index}",
            counts_zh.join("、")
        ),
        format!(
            "{total} ratings ({}): satisfaction index {index}",
            counts_en.join(", ")
        ),
    )
}

fn service_attitude(facts: &MonthlyFacts, rules: &EvaluationRules) -> ScoreLine {
    let unrectified = facts
        .ratings
        .poor()
        .saturating_sub(facts.poor_ratings_rectified.into());
    let complaints = facts.service_complaints_upheld;
    let (per_poor, per_complaint) = (
        rules.per_unrectified_poor_rating,
        rules.per_upheld_complaint,
    );
    part_by_incidents(
        Part::ServiceAttitude,
        rules,
        per_poor.times(unrectified) + per_complaint.times(complaints.into()),
        format!(
            "差评未整改 {unrectified} 个（每个扣 {per_poor} 分），服务投诉查实 {complaints} 件（每件扣 {per_complaint} 分）"
        ),
        format!(
            "{unrectified} poor ratings not rectified ({per_poor} off each), {complaints} service complaints upheld ({per_complaint} off each)"
        ),
    )
}

fn deductions(facts: &MonthlyFacts, rules: &EvaluationRules) -> Vec<ScoreLine> {
    let mut lines = Vec::new();
    let mut per_count = |deduction, count: u32, each: Points, zh: &str, en: &str| {
        if count > 0 && each > Points::ZERO {
            lines.push(line(
                LineItem::Deduction(deduction),
                -each.times(count.into()),
                None,
                format!("{zh} {count} 次，每次扣 {each} 分"),
                format!("{count} {en}, {each} off each"),
            ));
        }
    };
    per_count(
        Deduction::ConsecutiveWarnings,
        facts.warning_runs,
        rules.per_warning_run,
        "连续三次预警",
        "runs of three consecutive warnings",
    );
    per_count(
        Deduction::YellowCards,
        facts.yellow_cards,
        rules.per_yellow_card,
        "黄牌警告",
        "yellow cards",
    );
    per_count(
        Deduction::RedCards,
        facts.red_cards,
        rules.per_red_card,
        "红牌问责",
        "red cards",
    );
    let (incomplete, checked) = (facts.records_incomplete, facts.records_checked);
    if checked > 0 {
        let whole_percents = u64::from(incomplete) * 100 / u64::from(checked);
        let (each, most) = (rules.per_percent_incomplete, rules.max_incomplete_deduction);
        let off = each.times(whole_percents).min(most);
        if off > Points::ZERO {
            let rate = percent_floor(incomplete.into(), checked.into());
            lines.push(line(
                LineItem::Deduction(Deduction::IncompleteData),
                -off,
                None,
                format!(
                    "数据缺失 {incomplete}/{checked} 条（{rate}），每满 1% 扣 {each} 分，最多扣 {most} 分"
                ),
                format!(
                    "{incomplete} of {checked} records incomplete ({rate}); {each} off per whole percent, at most {most}"
                ),
            ));
        }
    }
    lines
}

fn bonuses(facts: &MonthlyFacts, rules: &EvaluationRules) -> Vec<ScoreLine> {
    let mut lines = Vec::new();
    let (early, concluded) = (facts.concluded_early, facts.concluded);
    let points = rules.early_bonus.points(early.into(), concluded.into());
    if points > Points::ZERO {
        let rate = percent_floor(early.into(), concluded.into());
        lines.push(line(
            LineItem::Bonus(Bonus::EarlyConclusion),
            points,
            None,
            format!("提前办结 {early}/{concluded} 件（{rate}）"),
            format!("{early} of {concluded} concluded early ({rate})"),
        ));
    }
    let limits = facts.published_limits;
    let saved = limits.shortened_days();
    let points = rules
        .shortened_commitments_bonus
        .points(saved, limits.statutory_days);
    if points > Points::ZERO {
        let (statutory, committed) = (limits.statutory_days, limits.committed_days);
        let rate = percent_floor(saved, statutory);
        lines.push(line(
            LineItem::Bonus(Bonus::ShortenedCommitments),
            points,
            None,
            format!("承诺时限合计 {committed} 个工作日，法定时限 {statutory} 个工作日，压缩 {rate}"),
            format!(
                "commitments total {committed} working days against {statutory} statutory: {rate} shorter"
            ),
        ));
    }
    lines
}

/// The month's score of `facts` under `rules`. See the module documentation for the formula.
pub fn evaluate(facts: &MonthlyFacts, rules: &EvaluationRules) -> Result<Score, EvaluationError> {
    rules.validate()?;
    facts.validate()?;
    let mut lines = vec![
        openness(facts, rules),
        count_part(
            Part::ProcessConformity,
            rules,
            facts.process_irregularities,
            rules.per_process_irregularity,
            ("程序违规", "起"),
            "process irregularities",
        ),
        time_limits(facts, rules),
        count_part(
            Part::LawfulFees,
            rules,
            facts.fee_irregularities,
            rules.per_fee_irregularity,
            ("收费违规", "起"),
            "fee irregularities",
        ),
        satisfaction(facts, rules),
        service_attitude(facts, rules),
        count_part(
            Part::SupervisionFindings,
            rules,
            facts.supervision_findings,
            rules.per_supervision_finding,
            ("电子监察发现问题", "个"),
            "supervision findings",
        ),
        count_part(
            Part::LegalResponsibility,
            rules,
            facts.decisions_overturned,
            rules.per_decision_overturned,
            ("决定被复议或诉讼撤销、变更", "件"),
            "decisions overturned on reconsideration or in court",
        ),
        count_part(
            Part::Integrity,
            rules,
            facts.integrity_violations,
            rules.per_integrity_violation,
            ("违反廉洁纪律", "起"),
            "integrity violations",
        ),
    ];
    lines.extend(deductions(facts, rules));
    lines.extend(bonuses(facts, rules));
    let sum: Points = lines.iter().map(|l| l.points).sum();
    if sum < Points::ZERO {
        lines.push(line(
            LineItem::FloorAtZero,
            -sum,
            None,
            format!("扣分合计超过得分 {}，总分计为 0", -sum),
            format!("deductions exceed the points by {}: the total is 0", -sum),
        ));
    }
    Ok(Score {
        subject: facts.subject,
        month: facts.month,
        volume: facts.volume(),
        total: sum.max(Points::ZERO),
        lines,
    })
}
