//! Every number of the evaluation, configurable; the defaults are rules.md's where it gives
//! one and this module's documented choice where it does not.

use serde::{Deserialize, Serialize};

use super::{EvaluationError, Part, Points};
use crate::rating::Satisfaction;

/// The nine parts' weights; they add up to the base of 100.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartWeights {
    pub openness: Points,
    pub process_conformity: Points,
    pub lawful_time_limits: Points,
    pub lawful_fees: Points,
    pub satisfaction: Points,
    pub service_attitude: Points,
    pub supervision_findings: Points,
    pub legal_responsibility: Points,
    pub integrity: Points,
}

impl Default for PartWeights {
    fn default() -> Self {
        PartWeights {
            openness: Points::whole(10),
            process_conformity: Points::whole(14),
            lawful_time_limits: Points::whole(14),
            lawful_fees: Points::whole(8),
            satisfaction: Points::whole(10),
            service_attitude: Points::whole(10),
            supervision_findings: Points::whole(14),
            legal_responsibility: Points::whole(10),
            integrity: Points::whole(10),
        }
    }
}

impl PartWeights {
    pub fn of(&self, part: Part) -> Points {
        match part {
            Part::Openness => self.openness,
            Part::ProcessConformity => self.process_conformity,
            Part::LawfulTimeLimits => self.lawful_time_limits,
            Part::LawfulFees => self.lawful_fees,
            Part::Satisfaction => self.satisfaction,
            Part::ServiceAttitude => self.service_attitude,
            Part::SupervisionFindings => self.supervision_findings,
            Part::LegalResponsibility => self.legal_responsibility,
            Part::Integrity => self.integrity,
        }
    }

    pub fn total(&self) -> Points {
        Part::ALL.iter().map(|p| self.of(*p)).sum()
    }
}

/// What each rating level is worth in the satisfaction index, in percent.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatisfactionValues {
    pub very_satisfied: u32,
    pub satisfied: u32,
    pub acceptable: u32,
    pub dissatisfied: u32,
    pub very_dissatisfied: u32,
}

impl Default for SatisfactionValues {
    /// 100 / 90 / 70 / 30 / 0: a plain 满意 falls a little short of full marks, and the two
    /// poor levels stay apart.
    fn default() -> Self {
        SatisfactionValues {
            very_satisfied: 100,
            satisfied: 90,
            acceptable: 70,
            dissatisfied: 30,
            very_dissatisfied: 0,
        }
    }
}

impl SatisfactionValues {
    pub fn of(&self, level: Satisfaction) -> u32 {
        match level {
            Satisfaction::VerySatisfied => self.very_satisfied,
            Satisfaction::Satisfied => self.satisfied,
            Satisfaction::Acceptable => self.acceptable,
            Satisfaction::Dissatisfied => self.dissatisfied,
            Satisfaction::VeryDissatisfied => self.very_dissatisfied,
        }
    }
}

/// A bonus in steps: `first` once a share reaches `threshold_percent`, then `per_step` for
/// every further full `step_percent`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepBonus {
    pub threshold_percent: u32,
    pub first: Points,
    pub step_percent: u32,
    pub per_step: Points,
}

impl StepBonus {
    /// The bonus for a share of `part / whole`, exactly (no rounding of the share); none
    /// when `whole` is zero.
    pub fn points(&self, part: u64, whole: u64) -> Points {
        let part = u128::from(part) * 100;
        let whole = u128::from(whole);
        let threshold = u128::from(self.threshold_percent) * whole;
        let step = u128::from(self.step_percent) * whole;
        if whole == 0 || part < threshold || step == 0 {
            return Points::ZERO;
        }
        let steps = u64::try_from((part - threshold) / step).unwrap_or(u64::MAX);
        self.first + self.per_step.times(steps)
    }

    /// The bonus at a share of 100 %.
    pub fn max(&self) -> Points {
        self.points(1, 1)
    }

    fn validate(&self, name: &'static str) -> Result<(), EvaluationError> {
        if self.threshold_percent == 0 || self.threshold_percent > 100 {
            return Err(invalid(
                name,
                "门槛须在 1% 至 100% 之间",
                "the threshold must be 1–100 %",
            ));
        }
        if self.step_percent == 0 {
            return Err(invalid(name, "步长须大于 0", "the step must be above 0 %"));
        }
        if self.first < Points::ZERO || self.per_step < Points::ZERO {
            return Err(invalid(name, "加分不能为负", "a bonus cannot be negative"));
        }
        Ok(())
    }
}

/// The lowest quarterly mean of each grade; below `pass` is 不合格.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeThresholds {
    pub excellent: Points,
    pub good: Points,
    pub pass: Points,
}

impl Default for GradeThresholds {
    /// 90 / 80 / 60, the usual bands of Chinese assessment practice.
    fn default() -> Self {
        GradeThresholds {
            excellent: Points::whole(90),
            good: Points::whole(80),
            pass: Points::whole(60),
        }
    }
}

/// Who may win an award: the best `winners` (a tie at the cut shares it) among subjects with
/// at least `min_volume` applications and `min_points`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardRules {
    pub winners: u32,
    /// Received plus proxied applications in the award's period: a window that took two
    /// cases and scored 100 has shown nothing yet.
    pub min_volume: u64,
    pub min_points: Points,
}

/// The whole configuration of the evaluation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationRules {
    pub weights: PartWeights,
    /// Openness: off per disclosure lapse.
    pub per_disclosure_lapse: Points,
    /// Openness: off per attendance irregularity of a window (its published hours not kept).
    #[serde(default = "default_per_attendance_irregularity")]
    pub per_attendance_irregularity: Points,
    /// Process conformity: off per process irregularity.
    pub per_process_irregularity: Points,
    /// Lawful time limits: off per percentage point of concluded cases not on time.
    pub per_percent_late: Points,
    /// Lawful fees: off per fee irregularity.
    pub per_fee_irregularity: Points,
    /// Satisfaction: the part times the mean value of the month's ratings.
    pub satisfaction_values: SatisfactionValues,
    /// Service attitude: off per poor rating not rectified.
    pub per_unrectified_poor_rating: Points,
    /// Service attitude: off per complaint about service upheld.
    pub per_upheld_complaint: Points,
    /// Supervision findings: off per finding.
    pub per_supervision_finding: Points,
    /// Legal responsibility: off per decision overturned.
    pub per_decision_overturned: Points,
    /// Integrity: off per violation (by default one costs the whole part).
    pub per_integrity_violation: Points,
    /// Deduction per run of three consecutive warnings.
    pub per_warning_run: Points,
    pub per_yellow_card: Points,
    pub per_red_card: Points,
    /// Deduction per whole percent of checked records incomplete…
    pub per_percent_incomplete: Points,
    /// …at most this much.
    pub max_incomplete_deduction: Points,
    /// Cases concluded early, as a share of cases concluded.
    pub early_bonus: StepBonus,
    /// Working days the published commitments save, as a share of the statutory limits.
    pub shortened_commitments_bonus: StepBonus,
    pub grades: GradeThresholds,
    /// 优秀窗口, monthly, among windows.
    pub best_window: AwardRules,
    /// 先进分厅, monthly, among branch halls (the seed: one each month).
    pub advanced_branch_hall: AwardRules,
    /// 优秀便民服务中心, quarterly, among township and street centers.
    pub best_convenience_center: AwardRules,
}

impl Default for EvaluationRules {
    fn default() -> Self {
        EvaluationRules {
            weights: PartWeights::default(),
            per_disclosure_lapse: Points::whole(2),
            per_attendance_irregularity: default_per_attendance_irregularity(),
            per_process_irregularity: Points::whole(2),
            per_percent_late: Points::whole(1),
            per_fee_irregularity: Points::whole(4),
            satisfaction_values: SatisfactionValues::default(),
            per_unrectified_poor_rating: Points::whole(1),
            per_upheld_complaint: Points::whole(2),
            per_supervision_finding: Points::whole(2),
            per_decision_overturned: Points::whole(5),
            per_integrity_violation: Points::whole(10),
            per_warning_run: Points::whole(3),
            per_yellow_card: Points::whole(5),
            per_red_card: Points::whole(10),
            per_percent_incomplete: Points::whole(1),
            max_incomplete_deduction: Points::whole(5),
            early_bonus: StepBonus {
                threshold_percent: 10,
                first: Points::whole(1),
                step_percent: 10,
                per_step: Points::whole(1),
            },
            shortened_commitments_bonus: StepBonus {
                threshold_percent: 30,
                first: Points::whole(3),
                step_percent: 10,
                per_step: Points::whole(1),
            },
            grades: GradeThresholds::default(),
            best_window: AwardRules {
                winners: 3,
                min_volume: 30,
                min_points: Points::whole(90),
            },
            advanced_branch_hall: AwardRules {
                winners: 1,
                min_volume: 30,
                min_points: Points::whole(90),
            },
            best_convenience_center: AwardRules {
                winners: 1,
                min_volume: 90,
                min_points: Points::whole(90),
            },
        }
    }
}

/// One point per late opening, absence, empty stretch, early leave or long pause: half a
/// disclosure lapse, since a lapse stands all month and an irregularity is one day's.
fn default_per_attendance_irregularity() -> Points {
    Points::whole(1)
}

fn invalid(what: &'static str, zh: &'static str, en: &'static str) -> EvaluationError {
    EvaluationError::InvalidRules { what, zh, en }
}

impl EvaluationRules {
    /// The most bonus points a month can earn (both shares at 100 %).
    pub fn max_bonus(&self) -> Points {
        self.early_bonus.max() + self.shortened_commitments_bonus.max()
    }

    /// Checks that the rules make sense together.
    pub fn validate(&self) -> Result<(), EvaluationError> {
        if self.weights.total() != Points::whole(100) {
            return Err(invalid(
                "weights",
                "九项权重之和须为 100",
                "the nine weights must add up to 100",
            ));
        }
        if Part::ALL.iter().any(|p| self.weights.of(*p) < Points::ZERO) {
            return Err(invalid(
                "weights",
                "权重不能为负",
                "a weight cannot be negative",
            ));
        }
        let per_item = [
            self.per_disclosure_lapse,
            self.per_attendance_irregularity,
            self.per_process_irregularity,
            self.per_percent_late,
            self.per_fee_irregularity,
            self.per_unrectified_poor_rating,
            self.per_upheld_complaint,
            self.per_supervision_finding,
            self.per_decision_overturned,
            self.per_integrity_violation,
            self.per_warning_run,
            self.per_yellow_card,
            self.per_red_card,
            self.per_percent_incomplete,
            self.max_incomplete_deduction,
        ];
        if per_item.iter().any(|p| *p < Points::ZERO) {
            return Err(invalid(
                "deductions",
                "扣分不能为负",
                "a deduction cannot be negative",
            ));
        }
        let values = self.satisfaction_values;
        if super::facts::LEVELS.iter().any(|l| values.of(*l) > 100) {
            return Err(invalid(
                "satisfaction_values",
                "评价分值须在 0 至 100 之间",
                "a rating's value must be 0–100 %",
            ));
        }
        self.early_bonus.validate("early_bonus")?;
        self.shortened_commitments_bonus
            .validate("shortened_commitments_bonus")?;
        let g = self.grades;
        if !(g.excellent >= g.good && g.good >= g.pass && g.pass >= Points::ZERO) {
            return Err(invalid(
                "grades",
                "等次分数线须为 优秀 ≥ 良好 ≥ 合格 ≥ 0",
                "grade thresholds must be excellent ≥ good ≥ pass ≥ 0",
            ));
        }
        Ok(())
    }
}
