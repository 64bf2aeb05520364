//! The national five-level satisfaction scale (政务服务"好差评", 国办发〔2019〕51号,
//! GB/T 39734-2020), shared by ratings of cases and of appeals.

use serde::{Deserialize, Serialize};

use crate::organization::string_enum;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VeryDissatisfied,
    Dissatisfied,
    Acceptable,
    Satisfied,
    VerySatisfied,
}
string_enum!(Satisfaction {
    VeryDissatisfied => "very_dissatisfied",
    Dissatisfied => "dissatisfied",
    Acceptable => "acceptable",
    Satisfied => "satisfied",
    VerySatisfied => "very_satisfied",
});

impl Satisfaction {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::Acceptable => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// The two lowest levels are poor ratings (差评): they need a reason and a return visit.
    pub fn is_poor(self) -> bool {
        self <= Self::Dissatisfied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_lowest_levels_are_poor() {
        let poor: Vec<_> = [
            Satisfaction::VerySatisfied,
            Satisfaction::Satisfied,
            Satisfaction::Acceptable,
            Satisfaction::Dissatisfied,
            Satisfaction::VeryDissatisfied,
        ]
        .into_iter()
        .filter(|s| s.is_poor())
        .map(Satisfaction::name_zh)
        .collect();
        assert_eq!(poor, ["不满意", "非常不满意"]);
        assert_eq!("acceptable".parse(), Ok(Satisfaction::Acceptable));
    }
}
