//! A quarter of one kind of subject: the means of their months, grades, the ranking of the
//! means and, for the township centers, the quarter's 优秀便民服务中心.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Award, EvaluationError, EvaluationRules, Period, QuarterGrade, Ranking, Score, Subject,
    SubjectKind, award, quarter_grade, rank,
};

/// One kind's quarter.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterRanking {
    /// The quarter means, best first.
    pub ranking: Ranking,
    /// Each subject's grade, in the ranking's order.
    pub grades: Vec<QuarterGrade>,
    /// The quarter's award among them: 优秀便民服务中心 for township centers, none for the
    /// other kinds (their awards are monthly).
    pub awarded: Vec<Subject>,
}

impl QuarterRanking {
    pub fn grade_of(&self, subject: Subject) -> Option<&QuarterGrade> {
        self.grades.iter().find(|g| g.score.subject == subject)
    }

    /// The subjects graded 不合格: each calls for a supervision proposal.
    pub fn proposals(&self) -> Vec<Subject> {
        self.grades
            .iter()
            .filter(|g| g.supervision_proposal)
            .map(|g| g.score.subject)
            .collect()
    }
}

/// Grades and ranks the subjects of `kind` over `quarter` from their monthly `scores` (any
/// number per subject, one per month, within the quarter): each subject's mean is of the
/// months it has a score for, and its volume the months' volumes added up, which is what the
/// quarterly award's minimum looks at.
pub fn quarter_ranking(
    kind: SubjectKind,
    quarter: Period,
    scores: &[Score],
    rules: &EvaluationRules,
) -> Result<QuarterRanking, EvaluationError> {
    let mut by_subject: BTreeMap<i64, (Subject, Vec<Score>)> = BTreeMap::new();
    for score in scores {
        if score.subject.kind() != kind {
            return Err(EvaluationError::WrongKind {
                expected: kind,
                found: score.subject.kind(),
            });
        }
        by_subject
            .entry(score.subject.id_value())
            .or_insert_with(|| (score.subject, Vec::new()))
            .1
            .push(score.clone());
    }
    let mut grades = Vec::with_capacity(by_subject.len());
    for (subject, months) in by_subject.values() {
        grades.push(quarter_grade(*subject, quarter, months, rules)?);
    }
    let standings: Vec<_> = grades.iter().map(|g| g.score.standing()).collect();
    let ranking = rank(kind, quarter, &standings)?;
    let order = |s: Subject| ranking.entries.iter().position(|e| e.subject == s);
    grades.sort_by_key(|g| order(g.score.subject));
    let awarded = if kind == Award::BestConvenienceCenter.kind() {
        award(Award::BestConvenienceCenter, &ranking, rules)?
            .into_iter()
            .map(|r| r.subject)
            .collect()
    } else {
        Vec::new()
    };
    Ok(QuarterRanking {
        ranking,
        grades,
        awarded,
    })
}
