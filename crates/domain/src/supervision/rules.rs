//! The thresholds of warnings and corrections (预警纠错).
//!
//! rules.md fixes two numbers: a supervision notice is opened within 5 working days of the
//! irregularity and concluded within 20. Everything else here is local practice with no
//! number in rules.md: a configurable default, and the configuration says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::notice::NoticeTerms;
use crate::catalog::ItemCode;

/// What counts as an irregularity, and the terms a supervision notice is opened under.
///
/// Missing keys take their defaults; unknown keys are an error, like the rest of the
/// configuration.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupervisionRules {
    /// A case accepted and then left without any action for more than this many working
    /// days is "left untouched". Local practice, default 3: short enough to catch a case
    /// forgotten at intake before its first step runs out.
    pub untouched_days: u32,
    /// Per-item values of `untouched_days`, for items whose first step is meant to wait
    /// (an inspection booked a week ahead) or must start at once.
    pub untouched_days_by_item: BTreeMap<ItemCode, u32>,
    /// Returns (退回) from one step at which they count as repeated. Default 2: "repeated"
    /// means more than once. 0 and 1 both flag every return.
    pub repeated_returns: u32,
    /// A refusal's or denial's reason shorter than this many characters (whitespace not
    /// counted) is as good as none (Art 32 and 38 require reasons). Local practice, default 4.
    pub min_reason_chars: u32,
    /// The same for the legal basis. Default 6: "相关规定" is no legal basis, "《行政许可法》第三十二条"
    /// is one.
    pub min_legal_basis_chars: u32,
    /// A notice is opened within this many working days of the irregularity (rules.md: 5).
    pub open_within_days: u32,
    /// A notice is concluded within this many working days of being opened (rules.md: 20).
    pub conclude_within_days: u32,
    /// Working days the department has to reply to a new notice (the SMS stage). Local
    /// practice, default 5.
    pub reply_days: u32,
    /// Working days a yellow card (警告, with its written notice) gives. Default 5.
    pub yellow_card_days: u32,
    /// Working days a red card (问责, with its rectification proposal) gives. Default 5.
    pub red_card_days: u32,
}

impl Default for SupervisionRules {
    fn default() -> Self {
        SupervisionRules {
            untouched_days: 3,
            untouched_days_by_item: BTreeMap::new(),
            repeated_returns: 2,
            min_reason_chars: 4,
            min_legal_basis_chars: 6,
            open_within_days: 5,
            conclude_within_days: 20,
            reply_days: 5,
            yellow_card_days: 5,
            red_card_days: 5,
        }
    }
}

impl SupervisionRules {
    /// The untouched threshold for cases of `item`: its override, or the default.
    pub fn untouched_days_for(&self, item: &ItemCode) -> u32 {
        self.untouched_days_by_item
            .get(item)
            .copied()
            .unwrap_or(self.untouched_days)
    }

    /// The returns from one step that count as repeated (at least 1).
    pub fn repeated_returns_threshold(&self) -> u32 {
        self.repeated_returns.max(1)
    }

    /// The terms a notice opened now is held to; they stay with the notice, so a later
    /// change of configuration does not move the deadlines of notices already open.
    pub fn notice_terms(&self) -> NoticeTerms {
        NoticeTerms {
            open_within_days: self.open_within_days,
            conclude_within_days: self.conclude_within_days,
            reply_days: self.reply_days,
            yellow_card_days: self.yellow_card_days,
            red_card_days: self.red_card_days,
        }
    }
}
