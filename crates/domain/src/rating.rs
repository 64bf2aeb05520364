//! The national five-level satisfaction scale (政务服务"好差评", 国办发〔2019〕51号,
//! GB/T 39734-2020), shared by ratings of cases and of appeals, and the rules of rating a
//! visit or a case and of the rectification every poor rating opens.
//!
//! rules.md: one rating per visit at a site (一次一评: the window's rating pad rates the
//! queue ticket), one per matter online (一事一评: online or by SMS reply, once the case is
//! concluded). A poor rating needs a reason and opens a rectification (整改):
//!
//! ```text
//!                 return visit (回访)            rectify (整改到位) + reply
//!   awaiting_visit ──────────────────► visited ──────────────────────────► rectified
//!        │                                │  explain (解释说明) + reply
//!        │                                └──────────────────────────────► explained
//!        └── anonymous ratings only: rectify or explain without a visit
//! ```
//!
//! Real-name poor ratings get a return visit every time; a rating with nobody to call back
//! (a visit that took no case) may be rectified or explained directly. A rectification is
//! due a configurable number of working days after the rating (5 by default).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::case::CaseState;
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
    /// Every level, best first.
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::Acceptable,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];

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

/// Where a rating was given.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// The rating pad (评价器) at the window, for the visit of a queue ticket.
    Pad,
    /// Online, after a checked progress lookup.
    Online,
    /// A reply to the conclusion SMS.
    Sms,
}
string_enum!(RatingChannel { Pad => "pad", Online => "online", Sms => "sms" });

impl RatingChannel {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Pad => "窗口评价器",
            Self::Online => "网上评价",
            Self::Sms => "短信评价",
        }
    }

    /// Online and SMS ratings rate the matter (一事一评); the pad rates the visit.
    pub fn rates_the_matter(self) -> bool {
        !matches!(self, Self::Pad)
    }
}

/// The rules of rating; rules.md leaves the numbers to the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RatingRules {
    /// Working days after a poor rating by which it must be rectified or explained.
    pub rectify_days: u32,
    /// Minutes after a ticket is finished during which the window's pad may rate it.
    pub pad_minutes: u32,
    /// Days after the conclusion during which an SMS reply counts as the case's rating.
    pub sms_days: u32,
    /// The fewest meaningful characters a poor rating's reason, a return visit's notes,
    /// the measures or the reply may have.
    pub min_text_chars: u32,
}

impl Default for RatingRules {
    fn default() -> Self {
        RatingRules {
            rectify_days: 5,
            pad_minutes: 10,
            sms_days: 7,
            min_text_chars: 2,
        }
    }
}

/// The longest reason or reply kept (a rating is not a letter).
pub const MAX_TEXT_CHARS: usize = 500;

/// Why a rating or a step of its rectification is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("差评须说明理由 / a poor rating needs a reason")]
    ReasonRequired,
    #[error("“{field}”至少需要{min}个字 / `{field}` needs at least {min} characters")]
    TextTooShort { field: &'static str, min: u32 },
    #[error("“{field}”不能超过500字 / `{field}` is longer than 500 characters")]
    TextTooLong { field: &'static str },
    #[error("办件办结后方可评价 / a case can be rated once it is concluded")]
    NotConcluded,
    #[error("该办件已评价，一事一评 / this matter has been rated already (one rating per matter)")]
    MatterRated,
    #[error("本次服务已评价，一次一评 / this visit has been rated already (one rating per visit)")]
    VisitRated,
    #[error("评价时间已过 / the time to rate this has passed")]
    TooLate,
    #[error(
        "整改当前状态“{state}”不能进行此操作 / not allowed while the rectification is `{state}`"
    )]
    NotAllowedNow { state: &'static str },
    #[error("实名差评须先回访 / a real-name poor rating needs a return visit first")]
    VisitRequired,
    #[error(
        "回访未核实差评，应解释说明 / the return visit did not confirm the rating: explain instead"
    )]
    NotFounded,
}

/// Meaningful characters: what is left without blanks and punctuation.
fn meaningful_chars(text: &str) -> u32 {
    let n = text.chars().filter(|c| c.is_alphanumeric()).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Checks a free text field: trimmed, long enough, not too long.
pub fn checked_text(
    field: &'static str,
    text: &str,
    rules: &RatingRules,
) -> Result<String, RatingError> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(RatingError::TextTooLong { field });
    }
    if meaningful_chars(text) < rules.min_text_chars {
        return Err(RatingError::TextTooShort {
            field,
            min: rules.min_text_chars,
        });
    }
    Ok(text.to_owned())
}

/// What is known of the thing being rated when a rating comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rated {
    /// A visit: the queue ticket finished at `finished_at`, already rated or not.
    Visit {
        finished_at: DateTime<Utc>,
        rated: bool,
    },
    /// A case (online or SMS): its state, when it closed, and whether the matter was rated.
    Matter {
        state: CaseState,
        closed_at: Option<DateTime<Utc>>,
        rated: bool,
    },
}

/// Checks a new rating and returns its reason, trimmed (empty for a good rating without
/// one). The store's unique indexes keep the one-per rules under concurrent submits; this
/// gives the clear message.
pub fn check_rating(
    channel: RatingChannel,
    satisfaction: Satisfaction,
    reason: &str,
    rated: Rated,
    rules: &RatingRules,
    now: DateTime<Utc>,
) -> Result<String, RatingError> {
    match (channel, rated) {
        (RatingChannel::Pad, Rated::Visit { finished_at, rated }) => {
            if rated {
                return Err(RatingError::VisitRated);
            }
            if now > finished_at + chrono::Duration::minutes(rules.pad_minutes.into()) {
                return Err(RatingError::TooLate);
            }
        }
        (
            RatingChannel::Online | RatingChannel::Sms,
            Rated::Matter {
                state,
                closed_at,
                rated,
            },
        ) => {
            // A refusal of intake is a service too, and is rated like a conclusion.
            if !matches!(state, CaseState::Concluded | CaseState::Refused) {
                return Err(RatingError::NotConcluded);
            }
            if rated {
                return Err(RatingError::MatterRated);
            }
            if channel == RatingChannel::Sms
                && closed_at
                    .is_some_and(|at| now > at + chrono::Duration::days(rules.sms_days.into()))
            {
                return Err(RatingError::TooLate);
            }
        }
        // A pad rates a visit; online and SMS rate the concluded matter.
        (RatingChannel::Pad, Rated::Matter { .. })
        | (RatingChannel::Online | RatingChannel::Sms, Rated::Visit { .. }) => {
            return Err(RatingError::NotConcluded);
        }
    }
    let reason = reason.trim();
    if satisfaction.is_poor() {
        if reason.is_empty() {
            return Err(RatingError::ReasonRequired);
        }
        return checked_text("reason", reason, rules);
    }
    if reason.chars().count() > MAX_TEXT_CHARS {
        return Err(RatingError::TextTooLong { field: "reason" });
    }
    Ok(reason.to_owned())
}

/// Where the rectification of a poor rating stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RectificationState {
    AwaitingVisit,
    Visited,
    Rectified,
    Explained,
}
string_enum!(RectificationState {
    AwaitingVisit => "awaiting_visit",
    Visited => "visited",
    Rectified => "rectified",
    Explained => "explained",
});

impl RectificationState {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::AwaitingVisit => "待回访",
            Self::Visited => "已回访",
            Self::Rectified => "已整改",
            Self::Explained => "已解释说明",
        }
    }

    /// Rectified or explained: what the evaluation counts as handled.
    pub fn is_concluded(self) -> bool {
        matches!(self, Self::Rectified | Self::Explained)
    }
}

/// A step of a rectification, by the responsible department.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RectificationAction {
    /// The return visit (回访): what the applicant said, and whether it confirmed the rating.
    ReturnVisit { notes: String, founded: bool },
    /// Rectified (整改到位): the measures taken and the reply to the applicant.
    Rectify { measures: String, reply: String },
    /// Explained (解释说明): why there is nothing to rectify, and the reply.
    Explain { explanation: String, reply: String },
}

/// A rectification as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rectification {
    pub state: RectificationState,
    /// A real-name rating (someone to call back): the visit cannot be skipped.
    pub real_name: bool,
    /// What the return visit found, once made.
    pub founded: Option<bool>,
}

/// The state `action` leads to, with its texts checked and trimmed.
pub fn rectify(
    current: Rectification,
    action: &RectificationAction,
    rules: &RatingRules,
) -> Result<(RectificationState, RectificationAction), RatingError> {
    use RectificationState as S;
    let not_now = || RatingError::NotAllowedNow {
        state: current.state.as_str(),
    };
    match action {
        RectificationAction::ReturnVisit { notes, founded } => {
            if current.state != S::AwaitingVisit {
                return Err(not_now());
            }
            let notes = checked_text("notes", notes, rules)?;
            Ok((
                S::Visited,
                RectificationAction::ReturnVisit {
                    notes,
                    founded: *founded,
                },
            ))
        }
        RectificationAction::Rectify { measures, reply } => {
            match current.state {
                S::AwaitingVisit if current.real_name => return Err(RatingError::VisitRequired),
                S::AwaitingVisit => {}
                S::Visited if current.founded == Some(false) => {
                    return Err(RatingError::NotFounded);
                }
                S::Visited => {}
                S::Rectified | S::Explained => return Err(not_now()),
            }
            Ok((
                S::Rectified,
                RectificationAction::Rectify {
                    measures: checked_text("measures", measures, rules)?,
                    reply: checked_text("reply", reply, rules)?,
                },
            ))
        }
        RectificationAction::Explain { explanation, reply } => {
            match current.state {
                S::AwaitingVisit if current.real_name => return Err(RatingError::VisitRequired),
                S::AwaitingVisit | S::Visited => {}
                S::Rectified | S::Explained => return Err(not_now()),
            }
            Ok((
                S::Explained,
                RectificationAction::Explain {
                    explanation: checked_text("explanation", explanation, rules)?,
                    reply: checked_text("reply", reply, rules)?,
                },
            ))
        }
    }
}

/// The last day a poor rating given at `rated_at` may be rectified or explained.
pub fn rectify_by(
    rated_at: DateTime<Utc>,
    rules: &RatingRules,
    calendar: &WorkingCalendar,
) -> NaiveDate {
    calendar
        .add_working_days(calendar.effective_date(rated_at), rules.rectify_days)
        .value
}

/// Reads a rating from an SMS reply: a digit 1–5 in the order the shipped invitation
/// (`MessageKind::RatingInvitation`) lists them, 1 非常满意 to 5 非常不满意, or the level's
/// Chinese name; either may be followed by a reason.
pub fn parse_sms_reply(text: &str) -> Option<(Satisfaction, String)> {
    let text = text.trim();
    let levels = [
        ("非常不满意", Satisfaction::VeryDissatisfied),
        ("非常满意", Satisfaction::VerySatisfied),
        ("基本满意", Satisfaction::Acceptable),
        ("不满意", Satisfaction::Dissatisfied),
        ("满意", Satisfaction::Satisfied),
    ];
    let (level, rest) =
        if let Some((name, level)) = levels.iter().find(|(name, _)| text.starts_with(name)) {
            (*level, &text[name.len()..])
        } else {
            let mut chars = text.chars();
            let level = match chars.next()? {
                '1' | '１' => Satisfaction::VerySatisfied,
                '2' | '２' => Satisfaction::Satisfied,
                '3' | '３' => Satisfaction::Acceptable,
                '4' | '４' => Satisfaction::Dissatisfied,
                '5' | '５' => Satisfaction::VeryDissatisfied,
                _ => return None,
            };
            let rest = chars.as_str();
            // "12" or "5000" is not a rating.
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            (level, rest)
        };
    let reason = rest
        .trim_start_matches(|c: char| c.is_whitespace() || "，,。.：:;；、-".contains(c))
        .trim();
    Some((level, reason.to_owned()))
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap()
    }

    fn visit(rated: bool) -> Rated {
        Rated::Visit {
            finished_at: at(2, 0),
            rated,
        }
    }

    fn matter(state: CaseState, rated: bool) -> Rated {
        Rated::Matter {
            state,
            closed_at: Some(at(2, 0)),
            rated,
        }
    }

    const RULES: RatingRules = RatingRules {
        rectify_days: 5,
        pad_minutes: 10,
        sms_days: 7,
        min_text_chars: 2,
    };

    #[test]
    fn given_a_visit_just_finished_when_rated_at_the_pad_then_it_is_taken_once() {
        let ok = check_rating(
            RatingChannel::Pad,
            Satisfaction::VerySatisfied,
            "  ",
            visit(false),
            &RULES,
            at(2, 10),
        );
        assert_eq!(ok, Ok(String::new()));
        let again = check_rating(
            RatingChannel::Pad,
            Satisfaction::Satisfied,
            "",
            visit(true),
            &RULES,
            at(2, 1),
        );
        assert_eq!(again, Err(RatingError::VisitRated));
        let late = check_rating(
            RatingChannel::Pad,
            Satisfaction::Satisfied,
            "",
            visit(false),
            &RULES,
            at(2, 11),
        );
        assert_eq!(late, Err(RatingError::TooLate));
    }

    #[test]
    fn given_a_poor_rating_then_it_needs_a_real_reason() {
        for reason in ["", "   ", "。", "!"] {
            let r = check_rating(
                RatingChannel::Online,
                Satisfaction::Dissatisfied,
                reason,
                matter(CaseState::Concluded, false),
                &RULES,
                at(3, 0),
            );
            assert!(
                matches!(
                    r,
                    Err(RatingError::ReasonRequired | RatingError::TextTooShort { .. })
                ),
                "{reason:?}: {r:?}"
            );
        }
        let r = check_rating(
            RatingChannel::Online,
            Satisfaction::VeryDissatisfied,
            "  等候太久 ",
            matter(CaseState::Concluded, false),
            &RULES,
            at(3, 0),
        );
        assert_eq!(r, Ok("等候太久".to_owned()));
        let long = "慢".repeat(MAX_TEXT_CHARS + 1);
        for level in [Satisfaction::Dissatisfied, Satisfaction::Satisfied] {
            let r = check_rating(
                RatingChannel::Online,
                level,
                &long,
                matter(CaseState::Concluded, false),
                &RULES,
                at(3, 0),
            );
            assert_eq!(r, Err(RatingError::TextTooLong { field: "reason" }));
        }
    }

    #[test]
    fn given_a_matter_then_it_is_rated_once_after_its_conclusion() {
        use CaseState as S;
        for state in [
            S::Submitted,
            S::AwaitingSupplement,
            S::Handling,
            S::Reviewing,
            S::Deciding,
            S::SpecialProcedure,
            S::Decided,
            S::Withdrawn,
        ] {
            for channel in [RatingChannel::Online, RatingChannel::Sms] {
                let r = check_rating(
                    channel,
                    Satisfaction::Satisfied,
                    "",
                    matter(state, false),
                    &RULES,
                    at(3, 0),
                );
                assert_eq!(r, Err(RatingError::NotConcluded), "{state:?} {channel:?}");
            }
        }
        for state in [S::Concluded, S::Refused] {
            let r = check_rating(
                RatingChannel::Sms,
                Satisfaction::Satisfied,
                "",
                matter(state, false),
                &RULES,
                at(3, 0),
            );
            assert_eq!(r, Ok(String::new()));
            let r = check_rating(
                RatingChannel::Online,
                Satisfaction::Satisfied,
                "",
                matter(state, true),
                &RULES,
                at(3, 0),
            );
            assert_eq!(r, Err(RatingError::MatterRated));
        }
        // The pad rates visits only.
        let r = check_rating(
            RatingChannel::Pad,
            Satisfaction::Satisfied,
            "",
            matter(S::Concluded, false),
            &RULES,
            at(3, 0),
        );
        assert_eq!(r, Err(RatingError::NotConcluded));
    }

    #[test]
    fn given_an_sms_reply_after_the_window_then_it_is_too_late() {
        let closed = at(2, 0);
        let in_time = closed + chrono::Duration::days(7);
        let late = in_time + chrono::Duration::seconds(1);
        let rate = |now| {
            check_rating(
                RatingChannel::Sms,
                Satisfaction::Satisfied,
                "",
                matter(CaseState::Concluded, false),
                &RULES,
                now,
            )
        };
        assert_eq!(rate(in_time), Ok(String::new()));
        assert_eq!(rate(late), Err(RatingError::TooLate));
        // Online has no such window: the matter is open to rating until rated.
        let online = check_rating(
            RatingChannel::Online,
            Satisfaction::Satisfied,
            "",
            matter(CaseState::Concluded, false),
            &RULES,
            late,
        );
        assert_eq!(online, Ok(String::new()));
    }

    fn rect(state: RectificationState, real_name: bool, founded: Option<bool>) -> Rectification {
        Rectification {
            state,
            real_name,
            founded,
        }
    }

    fn visit_action(founded: bool) -> RectificationAction {
        RectificationAction::ReturnVisit {
            notes: " 电话回访，申请人反映等候时间长 ".into(),
            founded,
        }
    }

    fn rectify_action() -> RectificationAction {
        RectificationAction::Rectify {
            measures: "增开窗口".into(),
            reply: "已增开窗口，感谢监督".into(),
        }
    }

    fn explain_action() -> RectificationAction {
        RectificationAction::Explain {
            explanation: "材料不全依法不予受理".into(),
            reply: "已向您说明原因".into(),
        }
    }

    #[test]
    fn given_every_state_and_action_then_only_the_drawn_paths_are_allowed() {
        use RectificationState as S;
        let states = [S::AwaitingVisit, S::Visited, S::Rectified, S::Explained];
        for state in states {
            for real_name in [true, false] {
                for founded in [None, Some(true), Some(false)] {
                    let current = rect(state, real_name, founded);
                    for action in [
                        visit_action(true),
                        visit_action(false),
                        rectify_action(),
                        explain_action(),
                    ] {
                        let got = rectify(current, &action, &RULES).map(|(s, _)| s);
                        let expected = match (&action, state) {
                            (RectificationAction::ReturnVisit { .. }, S::AwaitingVisit) => {
                                Ok(S::Visited)
                            }
                            (RectificationAction::Rectify { .. }, S::AwaitingVisit)
                            | (RectificationAction::Explain { .. }, S::AwaitingVisit)
                                if real_name =>
                            {
                                Err(RatingError::VisitRequired)
                            }
                            (RectificationAction::Rectify { .. }, S::AwaitingVisit) => {
                                Ok(S::Rectified)
                            }
                            (RectificationAction::Rectify { .. }, S::Visited)
                                if founded == Some(false) =>
                            {
                                Err(RatingError::NotFounded)
                            }
                            (RectificationAction::Rectify { .. }, S::Visited) => Ok(S::Rectified),
                            (
                                RectificationAction::Explain { .. },
                                S::AwaitingVisit | S::Visited,
                            ) => Ok(S::Explained),
                            _ => Err(RatingError::NotAllowedNow {
                                state: state.as_str(),
                            }),
                        };
                        assert_eq!(
                            got, expected,
                            "{state:?} {real_name} {founded:?} {action:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn given_texts_then_they_are_trimmed_and_checked() {
        let (_, done) = rectify(
            rect(RectificationState::AwaitingVisit, true, None),
            &visit_action(true),
            &RULES,
        )
        .unwrap();
        assert_eq!(
            done,
            RectificationAction::ReturnVisit {
                notes: "电话回访，申请人反映等候时间长".into(),
                founded: true
            }
        );
        let empty_reply = RectificationAction::Rectify {
            measures: "增开窗口".into(),
            reply: " 。".into(),
        };
        assert_eq!(
            rectify(
                rect(RectificationState::Visited, true, Some(true)),
                &empty_reply,
                &RULES
            ),
            Err(RatingError::TextTooShort {
                field: "reply",
                min: 2
            })
        );
    }

    #[test]
    fn given_a_poor_rating_then_it_is_due_after_the_working_days() {
        let calendar = WorkingCalendar::shipped();
        // Friday 2026-09-25, before the National Day holiday (Oct 1–8 2026 per the notice):
        // 28, 29, 30 Sep, then 9 Oct (a working day) and 10 Oct.
        let rated = Utc.with_ymd_and_hms(2026, 9, 25, 2, 0, 0).unwrap();
        let due = rectify_by(rated, &RULES, &calendar);
        let mut expected = calendar.effective_date(rated);
        for _ in 0..5 {
            expected = calendar.next_working_day(expected);
        }
        assert_eq!(due, expected);
        assert!(due > NaiveDate::from_ymd_opt(2026, 10, 8).unwrap(), "{due}");
    }

    #[test]
    fn given_sms_replies_then_digits_and_names_are_read() {
        let read = |t: &str| parse_sms_reply(t);
        assert_eq!(
            read("1"),
            Some((Satisfaction::VerySatisfied, String::new()))
        );
        assert_eq!(read(" ２ "), Some((Satisfaction::Satisfied, String::new())));
        assert_eq!(read("3"), Some((Satisfaction::Acceptable, String::new())));
        assert_eq!(
            read("5，排队太久"),
            Some((Satisfaction::VeryDissatisfied, "排队太久".into()))
        );
        assert_eq!(
            read("4 态度差"),
            Some((Satisfaction::Dissatisfied, "态度差".into()))
        );
        // The invitation's own words, so that a change to one is seen in the other.
        let invitation = crate::notify::MessageKind::RatingInvitation.default_template();
        for (digit, level) in ["1非常满意", "2满意", "3基本满意", "4不满意", "5非常不满意"]
            .iter()
            .zip(["非常满意", "满意", "基本满意", "不满意", "非常不满意"])
        {
            assert!(invitation.contains(digit), "{digit}");
            let (parsed, _) = read(&digit[..1]).unwrap();
            assert_eq!(parsed.name_zh(), level);
        }
        assert_eq!(
            read("非常满意"),
            Some((Satisfaction::VerySatisfied, String::new()))
        );
        assert_eq!(
            read("不满意：材料反复要"),
            Some((Satisfaction::Dissatisfied, "材料反复要".into()))
        );
        assert_eq!(
            read("基本满意"),
            Some((Satisfaction::Acceptable, String::new()))
        );
        assert_eq!(read("满意"), Some((Satisfaction::Satisfied, String::new())));
        for not_a_rating in ["", "12", "5000", "6", "0", "好", "TD"] {
            assert_eq!(read(not_a_rating), None, "{not_a_rating:?}");
        }
    }

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
