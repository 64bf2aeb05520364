#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;
use crate::catalog::tests::licence;
use crate::organization::{DepartmentId, UnitId, UnitKind, WindowId};
use crate::rating::Satisfaction;

// ---------------------------------------------------------------------------------------
// Fixtures

fn month(year: i32, m: u32) -> Month {
    Month::new(year, m).unwrap()
}

fn march() -> Month {
    month(2026, 3)
}

fn window(id: i64) -> Subject {
    Subject::Window { id: WindowId(id) }
}

fn branch_hall(id: i64) -> Subject {
    Subject::Unit {
        id: UnitId(id),
        kind: UnitKind::BranchHall,
    }
}

fn center(id: i64) -> Subject {
    Subject::Unit {
        id: UnitId(id),
        kind: UnitKind::TownshipCenter,
    }
}

fn p(hundredths: i64) -> Points {
    Points::hundredths(hundredths)
}

fn rules() -> EvaluationRules {
    EvaluationRules::default()
}

/// A busy window with a clean month: 100 cases, all on time, none early, no ratings.
fn clean() -> MonthlyFacts {
    MonthlyFacts {
        received: 100,
        concluded: 100,
        concluded_on_time: 100,
        ..MonthlyFacts::new(window(1), march())
    }
}

fn score(facts: &MonthlyFacts) -> Score {
    evaluate(facts, &rules()).unwrap()
}

fn part(score: &Score, part: Part) -> Points {
    score.points_of(LineItem::Part(part))
}

fn deduction(score: &Score, deduction: Deduction) -> Points {
    score.points_of(LineItem::Deduction(deduction))
}

fn bonus(score: &Score, bonus: Bonus) -> Points {
    score.points_of(LineItem::Bonus(bonus))
}

fn with_ratings(levels: &[Satisfaction]) -> MonthlyFacts {
    let mut facts = clean();
    for level in levels {
        facts.ratings.add(*level);
    }
    facts
}

fn month_score(subject: Subject, m: Month, total: Points, volume: u64) -> Score {
    Score {
        subject,
        month: m,
        volume,
        total,
        lines: Vec::new(),
    }
}

fn standing(subject: Subject, points: Points, volume: u64) -> Standing {
    Standing {
        subject,
        period: Period::Month { month: march() },
        points,
        volume,
    }
}

fn window_ranking(m: Month, points: &[(i64, i64)]) -> Ranking {
    let standings: Vec<Standing> = points
        .iter()
        .map(|(id, pts)| Standing {
            period: Period::Month { month: m },
            ..standing(window(*id), p(*pts), 100)
        })
        .collect();
    rank(SubjectKind::Window, Period::Month { month: m }, &standings).unwrap()
}

// ---------------------------------------------------------------------------------------
// Points

#[test]
fn points_print_as_exact_hundredths() {
    assert_eq!(p(8925).to_string(), "89.25");
    assert_eq!(p(5).to_string(), "0.05");
    assert_eq!(p(0).to_string(), "0.00");
    assert_eq!(p(-300).to_string(), "-3.00");
    assert_eq!(p(-5).to_string(), "-0.05");
    assert_eq!(Points::whole(100).to_string(), "100.00");
    assert_eq!(serde_json::to_string(&p(8925)).unwrap(), "8925");
}

#[test]
fn a_ratio_rounds_half_up_to_a_hundredth() {
    let one = Points::whole(1);
    assert_eq!(one.ratio(1, 3), p(33));
    assert_eq!(one.ratio(2, 3), p(67));
    assert_eq!(one.ratio(1, 200), p(1), "0.005 rounds up");
    assert_eq!(one.ratio(1, 201), p(0));
    assert_eq!(one.ratio(5, 0), Points::ZERO, "no denominator, no points");
    assert_eq!((-one).ratio(1, 200), p(-1), "half away from zero");
}

#[test]
fn points_saturate_instead_of_overflowing() {
    let huge = Points::hundredths(i64::MAX);
    assert_eq!(huge + p(1), huge);
    assert_eq!(huge.times(3), huge);
    assert_eq!(-Points::hundredths(i64::MIN), huge);
    assert_eq!(Points::whole(i64::MAX), huge);
}

#[test]
fn a_mean_rounds_half_up_and_an_empty_one_is_none() {
    assert_eq!(Points::mean(&[p(9000), p(9000), p(9001)]), Some(p(9000)));
    assert_eq!(Points::mean(&[p(9001), p(9001), p(9000)]), Some(p(9001)));
    assert_eq!(Points::mean(&[p(1), p(0)]), Some(p(1)));
    assert_eq!(Points::mean(&[]), None);
}

// ---------------------------------------------------------------------------------------
// A clean month, and an empty one

#[test]
fn a_clean_month_scores_exactly_100_with_the_nine_parts_listed() {
    let s = score(&clean());
    assert_eq!(s.total, Points::whole(100));
    assert_eq!(s.total.to_string(), "100.00");
    assert_eq!(s.volume, 100);
    let items: Vec<LineItem> = s.lines.iter().map(|l| l.item).collect();
    let parts: Vec<LineItem> = Part::ALL.into_iter().map(LineItem::Part).collect();
    assert_eq!(items, parts, "no deduction or bonus line when none applies");
    for l in &s.lines {
        assert_eq!(Some(l.points), l.max, "{} is whole", l.label_en);
    }
}

#[test]
fn the_nine_weights_are_those_of_rules_md() {
    let w = PartWeights::default();
    let weights: Vec<i64> = Part::ALL
        .iter()
        .map(|p| w.of(*p).as_hundredths() / 100)
        .collect();
    assert_eq!(weights, [10, 14, 14, 8, 10, 10, 14, 10, 10]);
    assert_eq!(w.total(), Points::whole(100));
}

#[test]
fn a_window_without_cases_or_ratings_keeps_every_part_and_earns_no_bonus() {
    let s = score(&MonthlyFacts::new(window(9), march()));
    assert_eq!(s.total, Points::whole(100));
    assert_eq!(s.volume, 0);
    let time = s.line(LineItem::Part(Part::LawfulTimeLimits)).unwrap();
    assert_eq!(time.points, Points::whole(14));
    assert_eq!(time.detail_zh, "本月无办结件，按满分计");
    assert_eq!(time.detail_en, "no case concluded this month: full points");
    let sat = s.line(LineItem::Part(Part::Satisfaction)).unwrap();
    assert_eq!(sat.points, Points::whole(10));
    assert_eq!(sat.detail_en, "no rating this month: full points");
    assert!(s.line(LineItem::Bonus(Bonus::EarlyConclusion)).is_none());
}

#[test]
fn volume_counts_proxied_applications_carried() {
    let facts = MonthlyFacts {
        received: 20,
        proxy_cases_carried: 15,
        ..MonthlyFacts::new(center(4), march())
    };
    assert_eq!(facts.volume(), 35);
    assert_eq!(score(&facts).volume, 35);
}

// ---------------------------------------------------------------------------------------
// Parts earned by having no incidents

fn part_after(facts: MonthlyFacts, which: Part) -> Points {
    part(&score(&facts), which)
}

#[test]
fn openness_loses_2_per_disclosure_lapse_down_to_0() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                disclosure_lapses: n,
                ..clean()
            },
            Part::Openness,
        )
    };
    assert_eq!(at(0), Points::whole(10));
    assert_eq!(at(1), Points::whole(8));
    assert_eq!(at(4), Points::whole(2));
    assert_eq!(at(5), Points::ZERO);
    assert_eq!(at(6), Points::ZERO, "a part never goes below 0");
}

#[test]
fn process_conformity_loses_2_per_irregularity_down_to_0() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                process_irregularities: n,
                ..clean()
            },
            Part::ProcessConformity,
        )
    };
    assert_eq!(at(1), Points::whole(12));
    assert_eq!(at(6), Points::whole(2));
    assert_eq!(at(7), Points::ZERO);
    assert_eq!(at(100), Points::ZERO);
}

#[test]
fn lawful_fees_lose_4_per_irregularity_down_to_0() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                fee_irregularities: n,
                ..clean()
            },
            Part::LawfulFees,
        )
    };
    assert_eq!(at(0), Points::whole(8));
    assert_eq!(at(1), Points::whole(4));
    assert_eq!(at(2), Points::ZERO);
    assert_eq!(at(3), Points::ZERO);
}

#[test]
fn supervision_findings_lose_2_each_down_to_0() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                supervision_findings: n,
                ..clean()
            },
            Part::SupervisionFindings,
        )
    };
    assert_eq!(at(3), Points::whole(8));
    assert_eq!(at(7), Points::ZERO);
    assert_eq!(at(8), Points::ZERO);
}

#[test]
fn legal_responsibility_loses_5_per_decision_overturned() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                decisions_overturned: n,
                ..clean()
            },
            Part::LegalResponsibility,
        )
    };
    assert_eq!(at(1), Points::whole(5));
    assert_eq!(at(2), Points::ZERO);
    assert_eq!(at(3), Points::ZERO);
}

#[test]
fn one_integrity_violation_costs_the_whole_part() {
    let at = |n| {
        part_after(
            MonthlyFacts {
                integrity_violations: n,
                ..clean()
            },
            Part::Integrity,
        )
    };
    assert_eq!(at(0), Points::whole(10));
    assert_eq!(at(1), Points::ZERO);
    assert_eq!(at(2), Points::ZERO);
}

#[test]
fn service_attitude_counts_unrectified_poor_ratings_and_upheld_complaints() {
    use Satisfaction::*;
    let mut facts = with_ratings(&[Dissatisfied, VeryDissatisfied, VerySatisfied]);
    assert_eq!(part_after(facts, Part::ServiceAttitude), Points::whole(8));
    facts.poor_ratings_rectified = 1;
    assert_eq!(part_after(facts, Part::ServiceAttitude), Points::whole(9));
    facts.poor_ratings_rectified = 2;
    assert_eq!(part_after(facts, Part::ServiceAttitude), Points::whole(10));
    facts.service_complaints_upheld = 1;
    let s = score(&facts);
    let line = s.line(LineItem::Part(Part::ServiceAttitude)).unwrap();
    assert_eq!(line.points, Points::whole(8));
    assert_eq!(
        line.detail_zh,
        "差评未整改 0 个（每个扣 1.00 分），服务投诉查实 1 件（每件扣 2.00 分）"
    );
    facts.service_complaints_upheld = 5;
    assert_eq!(part_after(facts, Part::ServiceAttitude), Points::ZERO);
    facts.service_complaints_upheld = 6;
    assert_eq!(part_after(facts, Part::ServiceAttitude), Points::ZERO);
}

#[test]
fn an_incident_line_says_how_many_and_how_much_each() {
    let s = score(&MonthlyFacts {
        disclosure_lapses: 2,
        ..clean()
    });
    let line = s.line(LineItem::Part(Part::Openness)).unwrap();
    assert_eq!(line.label_zh, "政务公开");
    assert_eq!(line.label_en, "openness of government affairs");
    assert_eq!(line.detail_zh, "公开不到位 2 处，每处扣 2.00 分");
    assert_eq!(line.detail_en, "2 disclosure lapses, 2.00 off each");
    assert_eq!(line.max, Some(Points::whole(10)));
}

// ---------------------------------------------------------------------------------------
// Lawful time limits

fn time_part(on_time: u32, concluded: u32) -> Points {
    part_after(
        MonthlyFacts {
            concluded,
            concluded_on_time: on_time,
            ..clean()
        },
        Part::LawfulTimeLimits,
    )
}

#[test]
fn time_limits_lose_1_per_percentage_point_not_on_time() {
    assert_eq!(time_part(100, 100), Points::whole(14));
    assert_eq!(time_part(99, 100), Points::whole(13));
    assert_eq!(time_part(90, 100), Points::whole(4));
    assert_eq!(time_part(87, 100), Points::whole(1));
    assert_eq!(time_part(86, 100), Points::ZERO);
    assert_eq!(time_part(85, 100), Points::ZERO, "never below 0");
    assert_eq!(time_part(0, 100), Points::ZERO);
}

#[test]
fn time_limits_are_exact_to_a_hundredth_with_any_denominator() {
    assert_eq!(time_part(299, 300), p(1367), "0.333… off rounds to 0.33");
    assert_eq!(time_part(599, 600), p(1383), "0.1666… off rounds to 0.17");
    assert_eq!(
        time_part(799, 800),
        p(1387),
        "0.125 off rounds half up to 0.13"
    );
    assert_eq!(time_part(7, 8), p(150), "12.5 off");
    assert_eq!(time_part(2, 3), Points::ZERO);
}

#[test]
fn time_limits_without_concluded_cases_are_whole_even_with_received_ones() {
    let facts = MonthlyFacts {
        received: 40,
        concluded: 0,
        concluded_on_time: 0,
        ..clean()
    };
    assert_eq!(part_after(facts, Part::LawfulTimeLimits), Points::whole(14));
}

#[test]
fn the_time_limit_line_shows_the_rate() {
    let s = score(&MonthlyFacts {
        concluded: 50,
        concluded_on_time: 47,
        ..clean()
    });
    let line = s.line(LineItem::Part(Part::LawfulTimeLimits)).unwrap();
    assert_eq!(line.points, Points::whole(8));
    assert_eq!(
        line.detail_zh,
        "按时办结 47/50 件（94.00%），按时率每低 1 个百分点扣 1.00 分"
    );
    assert_eq!(
        line.detail_en,
        "47 of 50 concluded on time (94.00%); 1.00 off per percentage point below 100 %"
    );
}

#[test]
fn the_time_limit_rate_is_configurable() {
    let half = EvaluationRules {
        per_percent_late: p(50),
        ..rules()
    };
    let facts = MonthlyFacts {
        concluded_on_time: 99,
        ..clean()
    };
    let s = evaluate(&facts, &half).unwrap();
    assert_eq!(part(&s, Part::LawfulTimeLimits), p(1350));
}

// ---------------------------------------------------------------------------------------
// Satisfaction

fn satisfaction_of(levels: &[Satisfaction]) -> Points {
    part_after(with_ratings(levels), Part::Satisfaction)
}

#[test]
fn satisfaction_is_the_part_times_the_mean_value_of_the_ratings() {
    use Satisfaction::*;
    assert_eq!(satisfaction_of(&[VerySatisfied; 4]), Points::whole(10));
    assert_eq!(satisfaction_of(&[Satisfied; 4]), Points::whole(9));
    assert_eq!(satisfaction_of(&[Acceptable]), Points::whole(7));
    assert_eq!(satisfaction_of(&[Dissatisfied]), Points::whole(3));
    assert_eq!(satisfaction_of(&[VeryDissatisfied]), Points::ZERO);
    assert_eq!(
        satisfaction_of(&[
            VerySatisfied,
            Satisfied,
            Acceptable,
            Dissatisfied,
            VeryDissatisfied
        ]),
        p(580)
    );
    assert_eq!(satisfaction_of(&[VerySatisfied, Acceptable]), p(850));
    assert_eq!(
        satisfaction_of(&[VerySatisfied, Satisfied, Satisfied]),
        p(933),
        "93.33…% of 10"
    );
}

#[test]
fn satisfaction_rounds_half_up_and_its_values_are_configurable() {
    let custom = EvaluationRules {
        satisfaction_values: SatisfactionValues {
            satisfied: 91,
            ..SatisfactionValues::default()
        },
        ..rules()
    };
    let mut levels = vec![Satisfaction::Satisfied];
    levels.extend([Satisfaction::VeryDissatisfied; 19]);
    let s = evaluate(&with_ratings(&levels), &custom).unwrap();
    assert_eq!(part(&s, Part::Satisfaction), p(46), "0.455 rounds to 0.46");
}

#[test]
fn the_satisfaction_line_lists_the_levels() {
    use Satisfaction::*;
    let s = score(&with_ratings(&[VerySatisfied, VerySatisfied, Satisfied]));
    let line = s.line(LineItem::Part(Part::Satisfaction)).unwrap();
    assert_eq!(
        line.detail_zh,
        "评价 3 次（非常满意 2、满意 1、基本满意 0、不满意 0、非常不满意 0），满意度指数 96.66%"
    );
    assert_eq!(
        line.detail_en,
        "3 ratings (very satisfied 2, satisfied 1, acceptable 0, dissatisfied 0, very dissatisfied 0): satisfaction index 96.66%"
    );
    assert_eq!(line.points, p(967));
}

#[test]
fn rating_counts_add_up_and_know_the_poor_ones() {
    let mut counts = RatingCounts::default();
    for level in [
        Satisfaction::VerySatisfied,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
        Satisfaction::VeryDissatisfied,
    ] {
        counts.add(level);
    }
    assert_eq!(counts.total(), 4);
    assert_eq!(counts.poor(), 3);
    assert_eq!(counts.count(Satisfaction::VeryDissatisfied), 2);
    assert_eq!(counts.count(Satisfaction::Acceptable), 0);
}

// ---------------------------------------------------------------------------------------
// Deductions

#[test]
fn warning_runs_and_cards_take_points_off_each_time() {
    let s = score(&MonthlyFacts {
        warning_runs: 2,
        yellow_cards: 1,
        red_cards: 1,
        ..clean()
    });
    assert_eq!(
        deduction(&s, Deduction::ConsecutiveWarnings),
        Points::whole(-6)
    );
    assert_eq!(deduction(&s, Deduction::YellowCards), Points::whole(-5));
    assert_eq!(deduction(&s, Deduction::RedCards), Points::whole(-10));
    assert_eq!(s.total, Points::whole(79));
    let line = s.line(LineItem::Deduction(Deduction::YellowCards)).unwrap();
    assert_eq!(line.label_zh, "黄牌警告");
    assert_eq!(line.detail_zh, "黄牌警告 1 次，每次扣 5.00 分");
    assert_eq!(line.max, None);
}

#[test]
fn one_run_of_three_warnings_costs_3_and_two_yellow_cards_10() {
    let one = score(&MonthlyFacts {
        warning_runs: 1,
        ..clean()
    });
    assert_eq!(one.total, Points::whole(97));
    let two = score(&MonthlyFacts {
        yellow_cards: 2,
        ..clean()
    });
    assert_eq!(two.total, Points::whole(90));
}

fn incomplete(missing: u32, checked: u32) -> Points {
    let s = score(&MonthlyFacts {
        records_checked: checked,
        records_incomplete: missing,
        ..clean()
    });
    deduction(&s, Deduction::IncompleteData)
}

#[test]
fn incomplete_data_costs_1_per_whole_percent_at_most_5() {
    assert_eq!(incomplete(0, 1000), Points::ZERO);
    assert_eq!(
        incomplete(9, 1000),
        Points::ZERO,
        "0.9 % is not a whole percent"
    );
    assert_eq!(incomplete(10, 1000), Points::whole(-1));
    assert_eq!(incomplete(19, 1000), Points::whole(-1));
    assert_eq!(incomplete(20, 1000), Points::whole(-2));
    assert_eq!(incomplete(49, 1000), Points::whole(-4));
    assert_eq!(incomplete(50, 1000), Points::whole(-5));
    assert_eq!(incomplete(60, 1000), Points::whole(-5), "capped");
    assert_eq!(incomplete(1000, 1000), Points::whole(-5));
    assert_eq!(incomplete(1, 101), Points::ZERO, "0.99 %");
    assert_eq!(incomplete(1, 100), Points::whole(-1));
    assert_eq!(incomplete(0, 0), Points::ZERO, "nothing checked");
}

#[test]
fn the_incomplete_data_line_explains_the_cap() {
    let s = score(&MonthlyFacts {
        records_checked: 200,
        records_incomplete: 15,
        ..clean()
    });
    let line = s
        .line(LineItem::Deduction(Deduction::IncompleteData))
        .unwrap();
    assert_eq!(line.points, Points::whole(-5));
    assert_eq!(
        line.detail_zh,
        "数据缺失 15/200 条（7.50%），每满 1% 扣 1.00 分，最多扣 5.00 分"
    );
}

#[test]
fn deductions_beyond_the_points_floor_the_total_at_zero_and_say_so() {
    let s = score(&MonthlyFacts {
        red_cards: 11,
        ..clean()
    });
    assert_eq!(deduction(&s, Deduction::RedCards), Points::whole(-110));
    let floor = s.line(LineItem::FloorAtZero).unwrap();
    assert_eq!(floor.points, Points::whole(10));
    assert_eq!(
        floor.detail_en,
        "deductions exceed the points by 10.00: the total is 0"
    );
    assert_eq!(s.total, Points::ZERO);
    let sum: Points = s.lines.iter().map(|l| l.points).sum();
    assert_eq!(sum, s.total);
}

#[test]
fn a_total_of_exactly_zero_needs_no_floor() {
    let s = score(&MonthlyFacts {
        red_cards: 10,
        ..clean()
    });
    assert_eq!(s.total, Points::ZERO);
    assert!(s.line(LineItem::FloorAtZero).is_none());
}

// ---------------------------------------------------------------------------------------
// Bonuses

fn early(early: u32, concluded: u32) -> Points {
    let s = score(&MonthlyFacts {
        concluded,
        concluded_on_time: concluded,
        concluded_early: early,
        ..clean()
    });
    bonus(&s, Bonus::EarlyConclusion)
}

#[test]
fn concluding_early_earns_1_at_10_percent_and_1_per_further_10() {
    assert_eq!(early(99, 1000), Points::ZERO, "9.9 %");
    assert_eq!(early(100, 1000), Points::whole(1));
    assert_eq!(early(199, 1000), Points::whole(1));
    assert_eq!(early(200, 1000), Points::whole(2));
    assert_eq!(early(299, 1000), Points::whole(2));
    assert_eq!(early(300, 1000), Points::whole(3));
    assert_eq!(early(999, 1000), Points::whole(9));
    assert_eq!(early(1000, 1000), Points::whole(10));
    assert_eq!(early(1, 3), Points::whole(3), "33.3 %");
    assert_eq!(early(1, 10), Points::whole(1), "exactly 10 %");
    assert_eq!(early(0, 0), Points::ZERO);
}

fn shortened(statutory: u64, committed: u64) -> Points {
    let s = score(&MonthlyFacts {
        published_limits: PublishedLimits {
            statutory_days: statutory,
            committed_days: committed,
        },
        ..clean()
    });
    bonus(&s, Bonus::ShortenedCommitments)
}

#[test]
fn shortened_commitments_earn_3_at_30_percent_and_1_per_further_10() {
    assert_eq!(shortened(100, 71), Points::ZERO, "29 %");
    assert_eq!(shortened(1000, 701), Points::ZERO, "29.9 %");
    assert_eq!(shortened(100, 70), Points::whole(3));
    assert_eq!(shortened(100, 61), Points::whole(3));
    assert_eq!(shortened(100, 60), Points::whole(4));
    assert_eq!(shortened(100, 50), Points::whole(5));
    assert_eq!(shortened(100, 1), Points::whole(9));
    assert_eq!(
        shortened(100, 0),
        Points::whole(10),
        "everything on the spot"
    );
}

#[test]
fn shortening_by_a_third_earns_3() {
    assert_eq!(shortened(3, 2), Points::whole(3));
    assert_eq!(shortened(30, 20), Points::whole(3));
}

#[test]
fn without_published_limits_there_is_no_shortening_bonus() {
    assert_eq!(shortened(0, 0), Points::ZERO);
}

#[test]
fn published_limits_add_up_over_the_catalog_items() {
    let items = [licence("XK00001000"), licence("XK00002000")];
    let limits = PublishedLimits::from_items(&items);
    assert_eq!(limits.statutory_days, 40);
    assert_eq!(limits.committed_days, 16);
    assert_eq!(limits.shortened_days(), 24);
    assert_eq!(shortened(40, 16), Points::whole(6), "60 % shorter");
}

#[test]
fn bonus_lines_show_the_shares() {
    let s = score(&MonthlyFacts {
        concluded_early: 25,
        published_limits: PublishedLimits {
            statutory_days: 200,
            committed_days: 130,
        },
        ..clean()
    });
    let early = s.line(LineItem::Bonus(Bonus::EarlyConclusion)).unwrap();
    assert_eq!(early.detail_zh, "提前办结 25/100 件（25.00%）");
    assert_eq!(early.points, Points::whole(2));
    let short = s
        .line(LineItem::Bonus(Bonus::ShortenedCommitments))
        .unwrap();
    assert_eq!(
        short.detail_zh,
        "承诺时限合计 130 个工作日，法定时限 200 个工作日，压缩 35.00%"
    );
    assert_eq!(short.points, Points::whole(3));
    assert_eq!(s.total, Points::whole(105), "bonuses go above 100");
}

#[test]
fn the_most_bonus_by_default_is_20() {
    assert_eq!(rules().max_bonus(), Points::whole(20));
    let best = score(&MonthlyFacts {
        concluded_early: 100,
        published_limits: PublishedLimits {
            statutory_days: 50,
            committed_days: 0,
        },
        ..clean()
    });
    assert_eq!(best.total, Points::whole(120));
}

// ---------------------------------------------------------------------------------------
// A whole month, exactly

#[test]
fn a_mixed_month_adds_up_exactly() {
    use Satisfaction::*;
    let mut facts = MonthlyFacts {
        received: 640,
        concluded: 600,
        concluded_on_time: 599,
        concluded_early: 120,
        disclosure_lapses: 1,
        yellow_cards: 1,
        published_limits: PublishedLimits {
            statutory_days: 100,
            committed_days: 60,
        },
        ..MonthlyFacts::new(window(3), march())
    };
    for level in [VerySatisfied, Satisfied, Satisfied] {
        facts.ratings.add(level);
    }
    let s = score(&facts);
    // 100 − 0.17 (time) − 0.67 (satisfaction) − 2 (openness) − 5 (yellow) + 2 (early) + 4
    assert_eq!(s.total, p(9816));
    assert_eq!(s.total.to_string(), "98.16");
    let sum: Points = s.lines.iter().map(|l| l.points).sum();
    assert_eq!(sum, s.total);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["total"], 9816);
    assert_eq!(
        json["subject"],
        serde_json::json!({"type": "window", "id": 3})
    );
    assert_eq!(json["month"], "2026-03");
    assert_eq!(
        json["lines"][0]["item"],
        serde_json::json!({"part": "openness"})
    );
    let back: Score = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn every_line_has_both_labels() {
    let s = score(&MonthlyFacts {
        warning_runs: 1,
        yellow_cards: 1,
        red_cards: 20,
        records_checked: 10,
        records_incomplete: 1,
        concluded_early: 50,
        published_limits: PublishedLimits {
            statutory_days: 10,
            committed_days: 1,
        },
        ..clean()
    });
    assert_eq!(s.lines.len(), 9 + 4 + 2 + 1);
    for l in &s.lines {
        assert_eq!(l.label_zh, l.item.name_zh());
        assert_eq!(l.label_en, l.item.name_en());
        assert!(!l.detail_zh.is_empty() && !l.detail_en.is_empty());
    }
    let zh: Vec<&str> = Part::ALL.iter().map(|p| p.name_zh()).collect();
    assert_eq!(
        zh,
        [
            "政务公开",
            "程序规范",
            "时限合法",
            "收费合法",
            "群众满意度",
            "服务态度",
            "电子监察",
            "法律责任",
            "廉洁自律"
        ]
    );
    for part in Part::ALL {
        assert_eq!(part.as_str().parse::<Part>(), Ok(part));
    }
}

// ---------------------------------------------------------------------------------------
// Facts and rules that contradict themselves

#[test]
fn contradictory_facts_are_refused() {
    let err = |facts: MonthlyFacts| evaluate(&facts, &rules()).unwrap_err();
    assert_eq!(
        err(MonthlyFacts {
            concluded_on_time: 101,
            ..clean()
        }),
        EvaluationError::OnTimeExceedsConcluded {
            on_time: 101,
            concluded: 100
        }
    );
    assert_eq!(
        err(MonthlyFacts {
            concluded_on_time: 50,
            concluded_early: 51,
            ..clean()
        }),
        EvaluationError::EarlyExceedsOnTime {
            early: 51,
            on_time: 50
        }
    );
    let mut rectified = with_ratings(&[Satisfaction::Dissatisfied, Satisfaction::Acceptable]);
    rectified.poor_ratings_rectified = 2;
    assert_eq!(
        err(rectified),
        EvaluationError::RectifiedExceedsPoor {
            rectified: 2,
            poor: 1
        }
    );
    assert_eq!(
        err(MonthlyFacts {
            records_checked: 5,
            records_incomplete: 6,
            ..clean()
        }),
        EvaluationError::IncompleteExceedsChecked {
            incomplete: 6,
            checked: 5
        }
    );
    let longer = err(MonthlyFacts {
        published_limits: PublishedLimits {
            statutory_days: 20,
            committed_days: 21,
        },
        ..clean()
    });
    assert_eq!(
        longer.to_string(),
        "承诺时限 21 个工作日长于法定时限 20 个工作日 / committed limits of 21 working days exceed the statutory 20"
    );
}

#[test]
fn rules_that_do_not_add_up_are_refused() {
    let check = |r: EvaluationRules| r.validate().unwrap_err();
    let what = |e: EvaluationError| match e {
        EvaluationError::InvalidRules { what, .. } => what.to_owned(),
        other => other.to_string(),
    };
    assert_eq!(rules().validate(), Ok(()));
    let mut r = rules();
    r.weights.openness = Points::whole(9);
    assert_eq!(what(check(r)), "weights");
    let mut r = rules();
    r.weights.openness = Points::whole(-10);
    r.weights.integrity = Points::whole(30);
    assert_eq!(what(check(r)), "weights");
    let mut r = rules();
    r.per_red_card = Points::whole(-10);
    assert_eq!(what(check(r)), "deductions");
    let mut r = rules();
    r.satisfaction_values.satisfied = 101;
    assert_eq!(what(check(r)), "satisfaction_values");
    let mut r = rules();
    r.early_bonus.threshold_percent = 0;
    assert_eq!(what(check(r)), "early_bonus");
    let mut r = rules();
    r.early_bonus.threshold_percent = 101;
    assert_eq!(what(check(r)), "early_bonus");
    let mut r = rules();
    r.shortened_commitments_bonus.step_percent = 0;
    assert_eq!(what(check(r)), "shortened_commitments_bonus");
    let mut r = rules();
    r.shortened_commitments_bonus.per_step = Points::whole(-1);
    assert_eq!(what(check(r)), "shortened_commitments_bonus");
    let mut r = rules();
    r.grades.good = Points::whole(95);
    assert_eq!(what(check(r)), "grades");
    assert!(
        check(r)
            .to_string()
            .starts_with("评估规则 grades 无效：等次分数线须为 优秀 ≥ 良好 ≥ 合格 ≥ 0 /")
    );
    assert!(evaluate(&clean(), &r).is_err(), "evaluate checks its rules");
}

#[test]
fn other_weights_and_amounts_can_be_configured() {
    let r = EvaluationRules {
        weights: PartWeights {
            openness: Points::whole(5),
            integrity: Points::whole(15),
            ..PartWeights::default()
        },
        per_integrity_violation: Points::whole(5),
        ..rules()
    };
    let s = evaluate(
        &MonthlyFacts {
            integrity_violations: 1,
            ..clean()
        },
        &r,
    )
    .unwrap();
    assert_eq!(part(&s, Part::Openness), Points::whole(5));
    assert_eq!(part(&s, Part::Integrity), Points::whole(10));
    assert_eq!(s.total, Points::whole(95));
}

#[test]
fn rules_round_trip_through_json() {
    let json = serde_json::to_string(&rules()).unwrap();
    let back: EvaluationRules = serde_json::from_str(&json).unwrap();
    assert_eq!(back, rules());
}

// ---------------------------------------------------------------------------------------
// Months and periods

#[test]
fn months_are_written_year_dash_month() {
    assert_eq!("2026-03".parse::<Month>(), Ok(march()));
    assert_eq!(march().to_string(), "2026-03");
    for bad in [
        "2026-3",
        "2026-13",
        "2026-00",
        "26-03",
        "2026/03",
        "",
        "２０２６-03",
    ] {
        assert_eq!(
            bad.parse::<Month>(),
            Err(EvaluationError::BadMonth(bad.to_owned())),
            "{bad}"
        );
    }
    assert_eq!(serde_json::to_string(&march()).unwrap(), "\"2026-03\"");
    assert_eq!(
        serde_json::from_str::<Month>("\"2026-03\"").unwrap(),
        march()
    );
    assert!(serde_json::from_str::<Month>("\"2026-00\"").is_err());
    assert_eq!(Month::new(2026, 13), None);
}

#[test]
fn months_know_their_quarter_half_and_successor() {
    let quarters: Vec<u8> = (1..=12).map(|m| month(2026, m).quarter()).collect();
    assert_eq!(quarters, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    assert_eq!(month(2026, 6).half(), 1);
    assert_eq!(month(2026, 7).half(), 2);
    assert_eq!(month(2026, 12).next(), Some(month(2027, 1)));
    assert_eq!(march().next(), Some(month(2026, 4)));
}

#[test]
fn periods_contain_their_months() {
    let q1 = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    assert!(q1.contains(march()));
    assert!(!q1.contains(month(2026, 4)));
    assert!(!q1.contains(month(2025, 3)));
    let h2 = Period::HalfYear {
        year: 2026,
        half: 2,
    };
    assert!(h2.contains(month(2026, 7)) && h2.contains(month(2026, 12)));
    assert!(!h2.contains(month(2026, 6)));
    assert!(Period::Year { year: 2026 }.contains(month(2026, 12)));
    assert!(Period::Month { month: march() }.contains(march()));
    assert!(!Period::Month { month: march() }.contains(month(2026, 4)));
    assert_eq!(q1.to_string(), "2026-Q1");
    assert_eq!(h2.to_string(), "2026-H2");
    assert_eq!(Period::Year { year: 2026 }.to_string(), "2026");
    assert!(
        !Period::Quarter {
            year: 2026,
            quarter: 5
        }
        .is_valid()
    );
    assert!(
        !Period::HalfYear {
            year: 2026,
            half: 0
        }
        .is_valid()
    );
    assert_eq!(
        serde_json::to_value(q1).unwrap(),
        serde_json::json!({"type": "quarter", "year": 2026, "quarter": 1})
    );
}

fn monthly(subject: Subject, totals: &[(u32, i64)]) -> Vec<Score> {
    totals
        .iter()
        .map(|(m, t)| month_score(subject, month(2026, *m), p(*t), 40))
        .collect()
}

#[test]
fn a_half_year_is_the_mean_of_its_months() {
    let scores = monthly(
        window(1),
        &[
            (1, 9000),
            (2, 9100),
            (3, 9200),
            (4, 9300),
            (5, 9400),
            (6, 9500),
        ],
    );
    let half = Period::HalfYear {
        year: 2026,
        half: 1,
    };
    let s = period_score(window(1), half, &scores).unwrap();
    assert_eq!(s.mean, p(9250));
    assert_eq!(s.months, 6);
    assert_eq!(s.volume, 240);
    assert_eq!(s.period, half);
}

#[test]
fn a_year_is_the_mean_of_its_months_rounded_half_up() {
    let mut totals: Vec<(u32, i64)> = (1..=11).map(|m| (m, 9000)).collect();
    totals.push((12, 9001));
    let year = Period::Year { year: 2026 };
    let s = period_score(window(1), year, &monthly(window(1), &totals)).unwrap();
    assert_eq!(s.mean, p(9000), "90.0008… rounds down");
    totals.truncate(1);
    totals.push((12, 9001));
    let s = period_score(window(1), year, &monthly(window(1), &totals)).unwrap();
    assert_eq!(s.mean, p(9001), "90.005 rounds up");
}

#[test]
fn only_the_months_scored_count_in_a_mean() {
    // A window opened in March: its first half is the mean of four months, not six.
    let scores = monthly(window(1), &[(3, 8000), (4, 9000), (5, 9000), (6, 10000)]);
    let half = Period::HalfYear {
        year: 2026,
        half: 1,
    };
    let s = period_score(window(1), half, &scores).unwrap();
    assert_eq!(s.mean, p(9000));
    assert_eq!(s.months, 4);
}

#[test]
fn a_period_mean_refuses_foreign_duplicate_and_missing_scores() {
    let q1 = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    let mut scores = monthly(window(1), &[(1, 9000), (2, 9000)]);
    scores.push(month_score(window(2), march(), p(9000), 1));
    assert_eq!(
        period_score(window(1), q1, &scores),
        Err(EvaluationError::OtherSubject {
            expected: window(1),
            found: window(2)
        })
    );
    let april = monthly(window(1), &[(1, 9000), (4, 9000)]);
    assert_eq!(
        period_score(window(1), q1, &april),
        Err(EvaluationError::OutsidePeriod {
            month: month(2026, 4),
            period: q1
        })
    );
    let twice = monthly(window(1), &[(1, 9000), (1, 8000)]);
    assert_eq!(
        period_score(window(1), q1, &twice),
        Err(EvaluationError::DuplicateMonth(month(2026, 1)))
    );
    assert_eq!(
        period_score(window(1), q1, &[]),
        Err(EvaluationError::NoScores(q1))
    );
    let bad = Period::Quarter {
        year: 2026,
        quarter: 0,
    };
    assert_eq!(
        period_score(window(1), bad, &[]),
        Err(EvaluationError::InvalidPeriod("2026-Q0".to_owned()))
    );
}

// ---------------------------------------------------------------------------------------
// Grades

#[test]
fn grades_change_exactly_at_their_thresholds() {
    let t = GradeThresholds::default();
    assert_eq!(grade(Points::whole(120), &t), Grade::Excellent);
    assert_eq!(grade(p(9000), &t), Grade::Excellent);
    assert_eq!(grade(p(8999), &t), Grade::Good);
    assert_eq!(grade(p(8000), &t), Grade::Good);
    assert_eq!(grade(p(7999), &t), Grade::Pass);
    assert_eq!(grade(p(6000), &t), Grade::Pass);
    assert_eq!(grade(p(5999), &t), Grade::Fail);
    assert_eq!(grade(Points::ZERO, &t), Grade::Fail);
    let names: Vec<&str> = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail]
        .into_iter()
        .map(Grade::name_zh)
        .collect();
    assert_eq!(names, ["优秀", "良好", "合格", "不合格"]);
}

#[test]
fn only_a_failing_quarter_calls_for_a_supervision_proposal() {
    assert!(Grade::Fail.needs_supervision_proposal());
    for g in [Grade::Pass, Grade::Good, Grade::Excellent] {
        assert!(!g.needs_supervision_proposal());
    }
    let q1 = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    // 60 + 60 + 59.99 = 179.99 / 3 = 59.996… → 60.00: a pass.
    let passing = monthly(window(1), &[(1, 6000), (2, 6000), (3, 5999)]);
    let g = quarter_grade(window(1), q1, &passing, &rules()).unwrap();
    assert_eq!((g.grade, g.supervision_proposal), (Grade::Pass, false));
    assert_eq!(g.score.mean, p(6000));
    let failing = monthly(window(1), &[(1, 6000), (2, 5999), (3, 5999)]);
    let g = quarter_grade(window(1), q1, &failing, &rules()).unwrap();
    assert_eq!(g.score.mean, p(5999));
    assert_eq!((g.grade, g.supervision_proposal), (Grade::Fail, true));
}

#[test]
fn grade_thresholds_are_configurable_and_a_grade_needs_a_quarter() {
    let strict = EvaluationRules {
        grades: GradeThresholds {
            excellent: Points::whole(95),
            good: Points::whole(85),
            pass: Points::whole(70),
        },
        ..rules()
    };
    let q2 = Period::Quarter {
        year: 2026,
        quarter: 2,
    };
    let scores = monthly(window(1), &[(4, 9400), (5, 9400), (6, 9400)]);
    let g = quarter_grade(window(1), q2, &scores, &strict).unwrap();
    assert_eq!(g.grade, Grade::Good);
    assert!(matches!(
        quarter_grade(
            window(1),
            Period::HalfYear {
                year: 2026,
                half: 1
            },
            &scores,
            &strict
        ),
        Err(EvaluationError::WrongPeriod { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Rankings

#[test]
fn equal_points_share_a_rank_and_the_next_rank_skips() {
    let r = window_ranking(march(), &[(4, 9000), (2, 9500), (1, 10000), (3, 9500)]);
    let places: Vec<(u32, i64)> = r
        .entries
        .iter()
        .map(|e| (e.rank, e.subject.id_value()))
        .collect();
    assert_eq!(places, [(1, 1), (2, 2), (2, 3), (4, 4)]);
    assert_eq!(r.entry(window(3)).unwrap().rank, 2);
    assert_eq!(r.last(), [window(4)]);
}

#[test]
fn a_ranking_does_not_depend_on_the_input_order() {
    let forward = window_ranking(march(), &[(1, 9000), (2, 9000), (3, 8000), (4, 9000)]);
    let backward = window_ranking(march(), &[(4, 9000), (3, 8000), (2, 9000), (1, 9000)]);
    assert_eq!(forward, backward);
    let ids: Vec<i64> = forward
        .entries
        .iter()
        .map(|e| e.subject.id_value())
        .collect();
    assert_eq!(ids, [1, 2, 4, 3], "ties listed by id");
}

#[test]
fn nobody_is_last_when_everyone_ties_or_stands_alone() {
    assert!(
        window_ranking(march(), &[(1, 9000), (2, 9000)])
            .last()
            .is_empty()
    );
    assert!(window_ranking(march(), &[(1, 5000)]).last().is_empty());
    assert!(window_ranking(march(), &[]).last().is_empty());
    let tied_last = window_ranking(march(), &[(1, 9000), (2, 8000), (3, 8000)]);
    assert_eq!(tied_last.last(), [window(2), window(3)]);
}

#[test]
fn a_ranking_takes_one_kind_one_period_and_each_subject_once() {
    let m = Period::Month { month: march() };
    assert_eq!(
        rank(
            SubjectKind::Window,
            m,
            &[
                standing(window(1), p(9000), 1),
                standing(branch_hall(2), p(9000), 1)
            ]
        ),
        Err(EvaluationError::WrongKind {
            expected: SubjectKind::Window,
            found: SubjectKind::BranchHall
        })
    );
    let april = Standing {
        period: Period::Month {
            month: month(2026, 4),
        },
        ..standing(window(2), p(9000), 1)
    };
    assert!(matches!(
        rank(
            SubjectKind::Window,
            m,
            &[standing(window(1), p(9000), 1), april]
        ),
        Err(EvaluationError::OtherPeriod { .. })
    ));
    assert_eq!(
        rank(
            SubjectKind::Window,
            m,
            &[
                standing(window(1), p(9000), 1),
                standing(window(1), p(8000), 1)
            ]
        ),
        Err(EvaluationError::DuplicateSubject(window(1)))
    );
    let dept = Subject::Department {
        id: DepartmentId(7),
    };
    let r = rank(SubjectKind::Department, m, &[standing(dept, p(9000), 1)]).unwrap();
    assert_eq!(r.entries[0].rank, 1);
    assert!(
        rank(
            SubjectKind::Window,
            Period::HalfYear {
                year: 2026,
                half: 3
            },
            &[]
        )
        .is_err()
    );
}

#[test]
fn subjects_name_their_kind() {
    assert_eq!(window(3).kind(), SubjectKind::Window);
    assert_eq!(branch_hall(3).kind(), SubjectKind::BranchHall);
    assert_eq!(center(3).kind(), SubjectKind::TownshipCenter);
    assert_eq!(window(3).to_string(), "window 3");
    assert_eq!(center(3).to_string(), "township_center 3");
    assert_eq!(SubjectKind::TownshipCenter.name_zh(), "镇街便民服务中心");
    assert_eq!(
        serde_json::to_value(center(3)).unwrap(),
        serde_json::json!({"type": "unit", "id": 3, "kind": "township_center"})
    );
}

// ---------------------------------------------------------------------------------------
// Awards

fn windows_of(month: Month, entries: &[(i64, i64, u64)]) -> Ranking {
    let period = Period::Month { month };
    let standings: Vec<Standing> = entries
        .iter()
        .map(|(id, pts, volume)| Standing {
            subject: window(*id),
            period,
            points: p(*pts),
            volume: *volume,
        })
        .collect();
    rank(SubjectKind::Window, period, &standings).unwrap()
}

fn winners(award_: Award, ranking: &Ranking, rules: &EvaluationRules) -> Vec<i64> {
    award(award_, ranking, rules)
        .unwrap()
        .iter()
        .map(|r| r.subject.id_value())
        .collect()
}

#[test]
fn a_window_with_two_cases_does_not_win_best_window() {
    let r = windows_of(
        march(),
        &[
            (1, 10000, 2),
            (2, 9700, 50),
            (3, 9500, 40),
            (4, 9500, 35),
            (5, 9300, 100),
            (6, 8900, 200),
        ],
    );
    assert_eq!(winners(Award::BestWindow, &r, &rules()), [2, 3, 4]);
}

#[test]
fn best_window_needs_the_minimum_volume_and_points_at_their_thresholds() {
    let r = windows_of(march(), &[(1, 9000, 30), (2, 9500, 29), (3, 8999, 300)]);
    assert_eq!(winners(Award::BestWindow, &r, &rules()), [1]);
    let nobody = windows_of(march(), &[(1, 8999, 30), (2, 10000, 29)]);
    assert!(winners(Award::BestWindow, &nobody, &rules()).is_empty());
    let open = EvaluationRules {
        best_window: AwardRules {
            winners: 3,
            min_volume: 0,
            min_points: Points::ZERO,
        },
        ..rules()
    };
    assert_eq!(winners(Award::BestWindow, &nobody, &open), [2, 1]);
}

#[test]
fn a_tie_at_the_cut_shares_the_award() {
    let r = windows_of(
        march(),
        &[
            (1, 9900, 50),
            (2, 9800, 50),
            (3, 9600, 50),
            (4, 9600, 50),
            (5, 9500, 50),
        ],
    );
    assert_eq!(winners(Award::BestWindow, &r, &rules()), [1, 2, 3, 4]);
    let one = EvaluationRules {
        best_window: AwardRules {
            winners: 1,
            ..rules().best_window
        },
        ..rules()
    };
    let tied_first = windows_of(march(), &[(7, 9900, 50), (2, 9900, 50), (3, 9000, 50)]);
    assert_eq!(winners(Award::BestWindow, &tied_first, &one), [2, 7]);
    let none = EvaluationRules {
        best_window: AwardRules {
            winners: 0,
            ..rules().best_window
        },
        ..rules()
    };
    assert!(winners(Award::BestWindow, &tied_first, &none).is_empty());
}

#[test]
fn the_advanced_branch_hall_is_one_a_month() {
    let period = Period::Month { month: march() };
    let standings = [
        Standing {
            period,
            ..standing(branch_hall(11), p(9600), 400)
        },
        Standing {
            period,
            ..standing(branch_hall(12), p(9800), 300)
        },
        Standing {
            period,
            ..standing(branch_hall(13), p(9900), 10)
        },
    ];
    let r = rank(SubjectKind::BranchHall, period, &standings).unwrap();
    assert_eq!(winners(Award::AdvancedBranchHall, &r, &rules()), [12]);
    assert_eq!(Award::AdvancedBranchHall.name_zh(), "先进分厅");
}

#[test]
fn the_best_convenience_center_is_chosen_each_quarter_from_quarterly_means() {
    let q1 = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    let quarter_of = |subject: Subject, totals: [i64; 3], volume: u64| {
        let scores: Vec<Score> = (1..=3)
            .zip(totals)
            .map(|(m, t)| month_score(subject, month(2026, m), p(t), volume))
            .collect();
        period_score(subject, q1, &scores).unwrap().standing()
    };
    let standings = [
        quarter_of(center(21), [9600, 9700, 9800], 30),
        quarter_of(center(22), [10000, 10000, 10000], 29),
        quarter_of(center(23), [9500, 9500, 9500], 200),
    ];
    assert_eq!(standings[0].volume, 90);
    let r = rank(SubjectKind::TownshipCenter, q1, &standings).unwrap();
    assert_eq!(r.entries[0].subject, center(22));
    assert_eq!(
        winners(Award::BestConvenienceCenter, &r, &rules()),
        [21],
        "22 took 87 applications in the quarter, below 90"
    );
}

#[test]
fn proxied_applications_make_up_a_centers_volume() {
    let facts = MonthlyFacts {
        received: 10,
        proxy_cases_carried: 20,
        ..MonthlyFacts::new(center(21), march())
    };
    let s = score(&facts);
    let q1 = Period::Quarter {
        year: 2026,
        quarter: 1,
    };
    let scores: Vec<Score> = (1..=3)
        .map(|m| Score {
            month: month(2026, m),
            ..s.clone()
        })
        .collect();
    let standing = period_score(center(21), q1, &scores).unwrap().standing();
    let r = rank(SubjectKind::TownshipCenter, q1, &[standing]).unwrap();
    assert_eq!(winners(Award::BestConvenienceCenter, &r, &rules()), [21]);
}

#[test]
fn an_award_refuses_the_wrong_ranking() {
    let monthly_windows = windows_of(march(), &[(1, 9900, 50)]);
    assert_eq!(
        award(Award::AdvancedBranchHall, &monthly_windows, &rules()),
        Err(EvaluationError::WrongKind {
            expected: SubjectKind::BranchHall,
            found: SubjectKind::Window
        })
    );
    let monthly_centers = rank(
        SubjectKind::TownshipCenter,
        Period::Month { month: march() },
        &[],
    )
    .unwrap();
    let err = award(Award::BestConvenienceCenter, &monthly_centers, &rules()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "评估期间应为季度，实为 2026-03 / the period must be a quarter, not 2026-03"
    );
    let quarterly_windows = rank(
        SubjectKind::Window,
        Period::Quarter {
            year: 2026,
            quarter: 1,
        },
        &[],
    )
    .unwrap();
    assert!(matches!(
        award(Award::BestWindow, &quarterly_windows, &rules()),
        Err(EvaluationError::WrongPeriod { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// The talk (约谈)

#[test]
fn a_window_last_two_months_running_is_summoned() {
    let feb = window_ranking(month(2026, 2), &[(1, 9500), (2, 9000), (3, 8000)]);
    let mar = window_ranking(march(), &[(1, 9600), (2, 9100), (3, 8500)]);
    assert_eq!(windows_to_summon(&feb, &mar), Ok(vec![WindowId(3)]));
}

#[test]
fn last_in_one_month_only_is_not_summoned() {
    let feb = window_ranking(month(2026, 2), &[(1, 9500), (2, 9000), (3, 8000)]);
    let mar = window_ranking(march(), &[(1, 9600), (2, 8000), (3, 8500)]);
    assert_eq!(windows_to_summon(&feb, &mar), Ok(vec![]));
}

#[test]
fn windows_tied_for_last_both_months_are_all_summoned() {
    let feb = window_ranking(month(2026, 2), &[(1, 9500), (5, 8000), (3, 8000)]);
    let mar = window_ranking(march(), &[(1, 9600), (3, 8500), (5, 8500)]);
    assert_eq!(
        windows_to_summon(&feb, &mar),
        Ok(vec![WindowId(3), WindowId(5)])
    );
}

#[test]
fn nobody_is_summoned_when_everyone_ties() {
    let feb = window_ranking(month(2026, 2), &[(1, 10000), (2, 10000)]);
    let mar = window_ranking(march(), &[(1, 10000), (2, 10000)]);
    assert_eq!(windows_to_summon(&feb, &mar), Ok(vec![]));
    let alone_feb = window_ranking(month(2026, 2), &[(1, 5000)]);
    let alone_mar = window_ranking(march(), &[(1, 5000)]);
    assert_eq!(windows_to_summon(&alone_feb, &alone_mar), Ok(vec![]));
}

#[test]
fn a_window_absent_from_a_month_is_not_summoned() {
    let feb = window_ranking(month(2026, 2), &[(1, 9500), (3, 8000)]);
    let mar = window_ranking(march(), &[(1, 9600), (2, 8500)]);
    assert_eq!(windows_to_summon(&feb, &mar), Ok(vec![]));
}

#[test]
fn december_and_january_are_consecutive() {
    let dec = window_ranking(month(2025, 12), &[(1, 9500), (2, 8000)]);
    let jan = window_ranking(month(2026, 1), &[(1, 9500), (2, 8000)]);
    assert_eq!(windows_to_summon(&dec, &jan), Ok(vec![WindowId(2)]));
}

#[test]
fn the_talk_rule_needs_two_consecutive_window_rankings() {
    let jan = window_ranking(month(2026, 1), &[(1, 9500), (2, 8000)]);
    let mar = window_ranking(march(), &[(1, 9500), (2, 8000)]);
    assert_eq!(
        windows_to_summon(&jan, &mar),
        Err(EvaluationError::NotConsecutive {
            previous: Period::Month {
                month: month(2026, 1)
            },
            current: Period::Month { month: march() },
        })
    );
    assert!(windows_to_summon(&mar, &jan).is_err(), "in order");
    let halls = rank(
        SubjectKind::BranchHall,
        Period::Month {
            month: month(2026, 2),
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        windows_to_summon(&halls, &mar),
        Err(EvaluationError::WrongKind {
            expected: SubjectKind::Window,
            found: SubjectKind::BranchHall
        })
    );
}

// ---------------------------------------------------------------------------------------
// Properties

prop_compose! {
    fn arb_facts()(
        received in 0u32..3000,
        concluded in 0u32..3000,
        on_time_seed in any::<u32>(),
        early_seed in any::<u32>(),
        ratings in prop::array::uniform5(0u32..300),
        rectified_seed in any::<u32>(),
        incidents in prop::array::uniform10(0u32..12),
        proxy in 0u32..500,
        checked in 0u32..2000,
        incomplete_seed in any::<u32>(),
        statutory in 0u64..600,
        committed_seed in any::<u64>(),
    ) -> MonthlyFacts {
        let on_time = on_time_seed % (concluded + 1);
        let ratings = RatingCounts {
            very_satisfied: ratings[0],
            satisfied: ratings[1],
            acceptable: ratings[2],
            dissatisfied: ratings[3],
            very_dissatisfied: ratings[4],
        };
        let poor = ratings.dissatisfied + ratings.very_dissatisfied;
        MonthlyFacts {
            received,
            concluded,
            concluded_on_time: on_time,
            concluded_early: early_seed % (on_time + 1),
            ratings,
            poor_ratings_rectified: rectified_seed % (poor + 1),
            disclosure_lapses: incidents[0],
            process_irregularities: incidents[1],
            fee_irregularities: incidents[2],
            supervision_findings: incidents[3],
            service_complaints_upheld: incidents[4],
            decisions_overturned: incidents[5],
            integrity_violations: incidents[6],
            warning_runs: incidents[7] % 3,
            yellow_cards: incidents[8] % 4,
            red_cards: incidents[9] % 3,
            proxy_cases_carried: proxy,
            records_checked: checked,
            records_incomplete: incomplete_seed % (checked + 1),
            published_limits: PublishedLimits {
                statutory_days: statutory,
                committed_days: committed_seed % (statutory + 1),
            },
            ..MonthlyFacts::new(window(1), march())
        }
    }
}

/// Adds one incident of the kind `which` picks.
fn one_more_incident(facts: &mut MonthlyFacts, which: usize) {
    let slot = match which % 10 {
        0 => &mut facts.disclosure_lapses,
        1 => &mut facts.process_irregularities,
        2 => &mut facts.fee_irregularities,
        3 => &mut facts.supervision_findings,
        4 => &mut facts.service_complaints_upheld,
        5 => &mut facts.decisions_overturned,
        6 => &mut facts.integrity_violations,
        7 => &mut facts.warning_runs,
        8 => &mut facts.yellow_cards,
        _ => &mut facts.red_cards,
    };
    *slot += 1;
}

proptest! {
    #[test]
    fn a_score_stays_between_0_and_100_plus_the_most_bonus(facts in arb_facts()) {
        let r = rules();
        let s = evaluate(&facts, &r).unwrap();
        prop_assert!(s.total >= Points::ZERO);
        prop_assert!(s.total <= Points::whole(100) + r.max_bonus());
        let sum: Points = s.lines.iter().map(|l| l.points).sum();
        prop_assert_eq!(sum, s.total);
        for part in Part::ALL {
            let points = s.points_of(LineItem::Part(part));
            prop_assert!(points >= Points::ZERO && points <= r.weights.of(part));
        }
        for l in &s.lines {
            match l.item {
                LineItem::Deduction(_) => prop_assert!(l.points < Points::ZERO),
                LineItem::Bonus(_) | LineItem::FloorAtZero => prop_assert!(l.points > Points::ZERO),
                LineItem::Part(_) => {}
            }
        }
    }

    #[test]
    fn a_late_case_concluded_on_time_instead_never_lowers_the_score(facts in arb_facts()) {
        prop_assume!(facts.concluded_on_time < facts.concluded);
        let better = MonthlyFacts { concluded_on_time: facts.concluded_on_time + 1, ..facts };
        prop_assert!(score(&better).total >= score(&facts).total);
    }

    #[test]
    fn a_case_concluded_early_instead_of_just_on_time_never_lowers_the_score(facts in arb_facts()) {
        prop_assume!(facts.concluded_early < facts.concluded_on_time);
        let better = MonthlyFacts { concluded_early: facts.concluded_early + 1, ..facts };
        prop_assert!(score(&better).total >= score(&facts).total);
    }

    #[test]
    fn one_more_incident_never_raises_the_score(facts in arb_facts(), which in 0usize..10) {
        let mut worse = facts;
        one_more_incident(&mut worse, which);
        prop_assert!(score(&worse).total <= score(&facts).total);
    }

    #[test]
    fn a_better_rating_never_lowers_the_score(facts in arb_facts(), level in 0usize..4) {
        // Turn one rating into the next better level (keeping poor ratings rectified valid).
        let mut better = facts;
        let r = &mut better.ratings;
        let moved = match level {
            0 if r.very_dissatisfied > 0 => { r.very_dissatisfied -= 1; r.dissatisfied += 1; true }
            1 if r.dissatisfied > 0 && u64::from(facts.poor_ratings_rectified) < facts.ratings.poor() => {
                r.dissatisfied -= 1; r.acceptable += 1; true
            }
            2 if r.acceptable > 0 => { r.acceptable -= 1; r.satisfied += 1; true }
            3 if r.satisfied > 0 => { r.satisfied -= 1; r.very_satisfied += 1; true }
            _ => false,
        };
        prop_assume!(moved);
        prop_assert!(score(&better).total >= score(&facts).total);
    }

    #[test]
    fn a_ranking_gives_1_plus_the_number_with_more_points(
        points in prop::collection::vec(0i64..20, 0..30),
    ) {
        let standings: Vec<Standing> = points
            .iter()
            .enumerate()
            .map(|(i, pts)| standing(window(i64::try_from(i).unwrap()), Points::whole(*pts), 1))
            .collect();
        let period = Period::Month { month: march() };
        let r = rank(SubjectKind::Window, period, &standings).unwrap();
        prop_assert_eq!(r.entries.len(), points.len());
        for e in &r.entries {
            let better = points.iter().filter(|p| Points::whole(**p) > e.points).count();
            prop_assert_eq!(e.rank as usize, better + 1);
        }
        let mut reversed = standings.clone();
        reversed.reverse();
        prop_assert_eq!(rank(SubjectKind::Window, period, &reversed).unwrap(), r);
    }

    #[test]
    fn a_mean_lies_between_the_lowest_and_highest_month(
        totals in prop::collection::vec(0i64..12_000, 1..=12),
    ) {
        let points: Vec<Points> = totals.iter().map(|t| p(*t)).collect();
        let mean = Points::mean(&points).unwrap();
        prop_assert!(mean >= *points.iter().min().unwrap());
        prop_assert!(mean <= *points.iter().max().unwrap());
    }
}

#[test]
fn a_month_knows_its_first_and_last_day_and_its_neighbours() {
    let feb: Month = "2028-02".parse().unwrap();
    assert_eq!(
        feb.first_day(),
        chrono::NaiveDate::from_ymd_opt(2028, 2, 1).unwrap()
    );
    assert_eq!(
        feb.last_day(),
        chrono::NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
        "a leap year"
    );
    assert_eq!(feb.previous().unwrap().to_string(), "2028-01");
    assert_eq!(
        Month::of(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).to_string(),
        "2026-12"
    );
    assert_eq!(
        "2026-12".parse::<Month>().unwrap().last_day().to_string(),
        "2026-12-31"
    );
}

// ---------------------------------------------------------------------------------------
// Windows as subjects

fn attendance(
    late: u32,
    absent: u32,
    closed: u32,
    early: u32,
    long: u32,
) -> crate::attendance::MonthlyAttendance {
    crate::attendance::MonthlyAttendance {
        subject: crate::attendance::AttendanceSubject::Window { id: WindowId(1) },
        month: march(),
        through: march().last_day(),
        working_days: 22,
        provisional: false,
        days_on_duty: 20,
        days_on_leave: 1,
        on_time_openings: 19,
        late_openings: late,
        absences: absent,
        early_leaves: early,
        closed_stretches: closed,
        long_pauses: long,
        office_minutes: 9_000,
        open_minutes: 8_000,
        paused: crate::attendance::PauseMinutes::default(),
        away_minutes: 0,
        closed_minutes: 0,
        open_rate_per_mille: Some(889),
    }
}

#[test]
fn every_attendance_irregularity_counts_once_and_leave_does_not() {
    assert_eq!(attendance_irregularities(&attendance(0, 0, 0, 0, 0)), 0);
    assert_eq!(attendance_irregularities(&attendance(1, 0, 0, 0, 0)), 1);
    assert_eq!(attendance_irregularities(&attendance(0, 1, 0, 0, 0)), 1);
    assert_eq!(attendance_irregularities(&attendance(0, 0, 1, 0, 0)), 1);
    assert_eq!(attendance_irregularities(&attendance(0, 0, 0, 1, 0)), 1);
    assert_eq!(attendance_irregularities(&attendance(0, 0, 0, 0, 1)), 1);
    assert_eq!(attendance_irregularities(&attendance(2, 1, 3, 1, 4)), 11);
    assert_eq!(
        attendance_irregularities(&attendance(u32::MAX, 1, 0, 0, 0)),
        u32::MAX,
        "saturates"
    );
}

#[test]
fn attendance_irregularities_cost_the_openness_part_1_each_down_to_0() {
    let openness = |irregular: u32, lapses: u32| {
        let facts = MonthlyFacts {
            attendance_irregularities: irregular,
            disclosure_lapses: lapses,
            ..clean()
        };
        part(&score(&facts), Part::Openness)
    };
    assert_eq!(openness(0, 0), Points::whole(10));
    assert_eq!(openness(1, 0), Points::whole(9));
    assert_eq!(openness(3, 1), Points::whole(5), "3 × 1 + 1 × 2");
    assert_eq!(openness(10, 0), Points::ZERO);
    assert_eq!(openness(40, 3), Points::ZERO, "never below 0");
    let s = score(&MonthlyFacts {
        attendance_irregularities: 2,
        ..clean()
    });
    assert_eq!(s.total, Points::whole(98));
    let line = s.line(LineItem::Part(Part::Openness)).unwrap();
    assert!(
        line.detail_zh.contains("窗口出勤异常 2 次"),
        "{}",
        line.detail_zh
    );
    assert!(line.detail_en.contains("2 attendance irregularities"));
    // Without irregularities the line reads as before.
    let plain = score(&clean());
    let line = plain.line(LineItem::Part(Part::Openness)).unwrap();
    assert!(!line.detail_zh.contains("出勤"), "{}", line.detail_zh);
}

#[test]
fn the_attendance_deduction_is_configurable_and_never_negative() {
    let half = EvaluationRules {
        per_attendance_irregularity: p(50),
        ..rules()
    };
    let facts = MonthlyFacts {
        attendance_irregularities: 3,
        ..clean()
    };
    let s = evaluate(&facts, &half).unwrap();
    assert_eq!(part(&s, Part::Openness), p(850));
    let negative = EvaluationRules {
        per_attendance_irregularity: p(-1),
        ..rules()
    };
    assert!(matches!(
        negative.validate(),
        Err(EvaluationError::InvalidRules { .. })
    ));
}

#[test]
fn rules_and_facts_without_the_attendance_fields_still_read() {
    let mut json: serde_json::Value = serde_json::to_value(rules()).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("per_attendance_irregularity");
    let back: EvaluationRules = serde_json::from_value(json).unwrap();
    assert_eq!(back, rules(), "the default of one point");
    let mut facts: serde_json::Value = serde_json::to_value(clean()).unwrap();
    facts
        .as_object_mut()
        .unwrap()
        .remove("attendance_irregularities");
    let back: MonthlyFacts = serde_json::from_value(facts).unwrap();
    assert_eq!(back, clean());
}

#[test]
fn findings_count_in_one_part_each() {
    use crate::supervision::FindingKind as K;
    let counted = |kind: K| {
        let mut facts = MonthlyFacts::new(window(1), march());
        facts.count_finding(kind, 2);
        (
            facts.process_irregularities,
            facts.fee_irregularities,
            facts.supervision_findings,
        )
    };
    for kind in [
        K::StepOutOfOrder,
        K::SupplementRepeated,
        K::ReturnsRepeated,
        K::RefusalWithoutGrounds,
    ] {
        assert_eq!(counted(kind), (2, 0, 0), "{kind:?}");
    }
    for kind in [K::FeeOffStandard, K::FeesUnreconciled] {
        assert_eq!(counted(kind), (0, 2, 0), "{kind:?}");
    }
    for kind in [K::StepOverdue, K::LeftUntouched, K::PauseTooLong] {
        assert_eq!(counted(kind), (0, 0, 2), "{kind:?}");
    }
    for kind in [
        K::CaseOverdue,
        K::IntakeRefused,
        K::Denied,
        K::Suspended,
        K::Terminated,
        K::CameraOffline,
    ] {
        assert_eq!(counted(kind), (0, 0, 0), "{kind:?} is no fault of its own");
    }
    let mut facts = MonthlyFacts::new(window(1), march());
    facts.count_finding(K::SupplementRepeated, u32::MAX);
    facts.count_finding(K::StepOutOfOrder, 1);
    assert_eq!(facts.process_irregularities, u32::MAX, "saturates");
}

#[test]
fn a_window_answers_for_its_clerks_steps_only() {
    use crate::organization::Role;
    for role in Role::ALL {
        assert_eq!(
            window_answers_for(role),
            role == Role::WindowClerk,
            "{role:?}"
        );
    }
}

#[test]
fn a_window_is_ranked_when_it_was_in_service() {
    let idle = MonthlyFacts::new(window(1), march());
    assert!(!window_in_service(&idle, false), "nothing at all");
    assert!(window_in_service(&idle, true), "its attendance was kept");
    let took = MonthlyFacts {
        received: 1,
        ..idle
    };
    assert!(window_in_service(&took, false));
    let mut rated = idle;
    rated.ratings.add(Satisfaction::Satisfied);
    assert!(window_in_service(&rated, false));
    let concluded_only = MonthlyFacts {
        concluded: 2,
        concluded_on_time: 2,
        ..idle
    };
    assert!(
        !window_in_service(&concluded_only, false),
        "conclusions of earlier intake alone do not put an idle window in the ranking"
    );
}

#[test]
fn the_best_three_busy_windows_with_90_points_are_best_windows_and_ties_share() {
    let m = march();
    let standings = |entries: &[(i64, i64, u64)]| -> Ranking {
        let s: Vec<Standing> = entries
            .iter()
            .map(|(id, pts, volume)| Standing {
                period: Period::Month { month: m },
                ..standing(window(*id), p(*pts), *volume)
            })
            .collect();
        rank(SubjectKind::Window, Period::Month { month: m }, &s).unwrap()
    };
    let ids = |won: Vec<Ranked>| won.iter().map(|r| r.subject.id_value()).collect::<Vec<_>>();
    // Window 1 is best but too quiet; 5 is busy but under 90.
    let r = standings(&[
        (1, 10_000, 29),
        (2, 9_900, 30),
        (3, 9_800, 120),
        (4, 9_700, 45),
        (5, 8_999, 300),
        (6, 9_600, 60),
    ]);
    assert_eq!(
        ids(award(Award::BestWindow, &r, &rules()).unwrap()),
        [2, 3, 4]
    );
    // A tie at the third place shares it.
    let r = standings(&[
        (1, 9_900, 30),
        (2, 9_800, 30),
        (3, 9_500, 30),
        (4, 9_500, 30),
    ]);
    assert_eq!(
        ids(award(Award::BestWindow, &r, &rules()).unwrap()),
        [1, 2, 3, 4]
    );
    // Exactly at the thresholds qualifies.
    let r = standings(&[(7, 9_000, 30)]);
    assert_eq!(ids(award(Award::BestWindow, &r, &rules()).unwrap()), [7]);
    let r = standings(&[(7, 8_999, 30), (8, 9_000, 29)]);
    assert!(award(Award::BestWindow, &r, &rules()).unwrap().is_empty());
}

#[test]
fn a_window_last_two_months_running_is_summoned_but_not_after_a_better_month() {
    let (feb, mar, apr) = (month(2026, 2), month(2026, 3), month(2026, 4));
    let february = window_ranking(feb, &[(1, 9_500), (2, 8_000), (3, 8_000)]);
    let march = window_ranking(mar, &[(1, 9_000), (2, 7_000), (3, 9_900)]);
    assert_eq!(windows_to_summon(&february, &march).unwrap(), [WindowId(2)]);
    let april = window_ranking(apr, &[(1, 6_000), (2, 9_000), (3, 9_900)]);
    assert!(
        windows_to_summon(&march, &april).unwrap().is_empty(),
        "window 1 was last only once"
    );
    // A window absent from the earlier month (not in service) cannot have been last in it.
    let new_in_march = window_ranking(mar, &[(1, 9_000), (4, 5_000)]);
    let february = window_ranking(feb, &[(1, 9_000), (2, 5_000)]);
    assert!(
        windows_to_summon(&february, &new_in_march)
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------
// Quarters

#[test]
fn quarters_are_written_year_dash_q() {
    let q3 = Period::Quarter {
        year: 2026,
        quarter: 3,
    };
    assert_eq!(Period::parse_quarter("2026-Q3"), Ok(q3));
    assert_eq!(Period::parse_quarter(" 2026-q3 "), Ok(q3));
    assert_eq!(q3.to_string(), "2026-Q3");
    for bad in [
        "2026-Q0", "2026-Q5", "2026-3", "2026Q3", "26-Q3", "2026-Q", "2026-Q33", "", "Q3-2026",
    ] {
        assert!(
            matches!(
                Period::parse_quarter(bad),
                Err(EvaluationError::BadQuarter(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(Period::quarter_of(month(2026, 9)), q3);
    assert_eq!(
        Period::quarter_of(month(2026, 10)),
        Period::Quarter {
            year: 2026,
            quarter: 4
        }
    );
}

#[test]
fn a_period_lists_its_months() {
    let q = Period::Quarter {
        year: 2026,
        quarter: 2,
    };
    assert_eq!(q.months(), [month(2026, 4), month(2026, 5), month(2026, 6)]);
    assert_eq!(
        Period::HalfYear {
            year: 2026,
            half: 2
        }
        .months()
        .len(),
        6
    );
    assert_eq!(
        Period::HalfYear {
            year: 2026,
            half: 2
        }
        .months()[0],
        month(2026, 7)
    );
    assert_eq!(Period::Year { year: 2026 }.months().len(), 12);
    assert_eq!(Period::Month { month: march() }.months(), [march()]);
    assert!(
        Period::Quarter {
            year: 2026,
            quarter: 0
        }
        .months()
        .is_empty()
    );
    for m in q.months() {
        assert!(q.contains(m));
    }
}

fn q1() -> Period {
    Period::Quarter {
        year: 2026,
        quarter: 1,
    }
}

#[test]
fn a_quarter_ranks_the_means_grades_each_and_flags_the_failures() {
    let (jan, feb, mar) = (month(2026, 1), month(2026, 2), month(2026, 3));
    let scores = vec![
        month_score(window(1), jan, p(9_500), 40),
        month_score(window(1), feb, p(9_000), 40),
        month_score(window(1), mar, p(8_500), 40),
        month_score(window(2), jan, p(5_000), 10),
        month_score(window(2), feb, p(6_999), 10),
        // Window 3 opened in March: its one month is its quarter.
        month_score(window(3), mar, p(8_000), 5),
    ];
    let q = quarter_ranking(SubjectKind::Window, q1(), &scores, &rules()).unwrap();
    let order: Vec<i64> = q
        .ranking
        .entries
        .iter()
        .map(|e| e.subject.id_value())
        .collect();
    assert_eq!(order, [1, 3, 2]);
    let g1 = q.grade_of(window(1)).unwrap();
    assert_eq!(g1.score.mean, p(9_000));
    assert_eq!(g1.score.months, 3);
    assert_eq!(g1.score.volume, 120);
    assert_eq!(g1.grade, Grade::Excellent, "exactly 90 is 优秀");
    let g3 = q.grade_of(window(3)).unwrap();
    assert_eq!((g3.grade, g3.score.months), (Grade::Good, 1));
    let g2 = q.grade_of(window(2)).unwrap();
    assert_eq!(g2.score.mean, p(6_000), "59.995 rounds half up to 60.00");
    assert_eq!(g2.grade, Grade::Pass);
    assert!(q.proposals().is_empty());
    assert!(q.awarded.is_empty(), "windows have no quarterly award");
    let graded: Vec<i64> = q
        .grades
        .iter()
        .map(|g| g.score.subject.id_value())
        .collect();
    assert_eq!(graded, order, "the grades follow the ranking");

    let failing = vec![month_score(window(4), jan, p(5_999), 50)];
    let q = quarter_ranking(SubjectKind::Window, q1(), &failing, &rules()).unwrap();
    assert_eq!(q.grades[0].grade, Grade::Fail);
    assert!(q.grades[0].supervision_proposal);
    assert_eq!(q.proposals(), [window(4)]);
}

#[test]
fn the_best_convenience_center_is_the_quarters_best_busy_center() {
    let (jan, feb, mar) = (month(2026, 1), month(2026, 2), month(2026, 3));
    let scores = vec![
        // Center 1: best mean, but 89 applications in the quarter.
        month_score(center(1), jan, p(10_000), 30),
        month_score(center(1), feb, p(10_000), 30),
        month_score(center(1), mar, p(10_000), 29),
        // Center 2: 90 applications, mean 95.
        month_score(center(2), jan, p(9_500), 30),
        month_score(center(2), feb, p(9_500), 30),
        month_score(center(2), mar, p(9_500), 30),
        // Center 3: busy, mean 89.99.
        month_score(center(3), jan, p(8_999), 300),
    ];
    let q = quarter_ranking(SubjectKind::TownshipCenter, q1(), &scores, &rules()).unwrap();
    assert_eq!(q.awarded, [center(2)]);
    // A tie at the top shares the award.
    let tied = vec![
        month_score(center(5), jan, p(9_600), 100),
        month_score(center(6), jan, p(9_600), 100),
    ];
    let q = quarter_ranking(SubjectKind::TownshipCenter, q1(), &tied, &rules()).unwrap();
    assert_eq!(q.awarded, [center(5), center(6)]);
    // Nobody qualifies: nobody wins.
    let quiet = vec![month_score(center(7), jan, p(10_000), 10)];
    let q = quarter_ranking(SubjectKind::TownshipCenter, q1(), &quiet, &rules()).unwrap();
    assert!(q.awarded.is_empty());
    // Branch halls have their award monthly, not here.
    let halls = vec![month_score(branch_hall(8), jan, p(10_000), 1_000)];
    let q = quarter_ranking(SubjectKind::BranchHall, q1(), &halls, &rules()).unwrap();
    assert!(q.awarded.is_empty());
}

#[test]
fn a_quarter_refuses_mixed_kinds_other_periods_and_doubled_months() {
    let jan = month(2026, 1);
    let mixed = vec![
        month_score(window(1), jan, p(9_000), 1),
        month_score(center(1), jan, p(9_000), 1),
    ];
    assert!(matches!(
        quarter_ranking(SubjectKind::Window, q1(), &mixed, &rules()),
        Err(EvaluationError::WrongKind { .. })
    ));
    let outside = vec![month_score(window(1), month(2026, 4), p(9_000), 1)];
    assert!(matches!(
        quarter_ranking(SubjectKind::Window, q1(), &outside, &rules()),
        Err(EvaluationError::OutsidePeriod { .. })
    ));
    let twice = vec![
        month_score(window(1), jan, p(9_000), 1),
        month_score(window(1), jan, p(8_000), 1),
    ];
    assert!(matches!(
        quarter_ranking(SubjectKind::Window, q1(), &twice, &rules()),
        Err(EvaluationError::DuplicateMonth(_))
    ));
    let year = Period::Year { year: 2026 };
    let one = vec![month_score(window(1), jan, p(9_000), 1)];
    assert!(matches!(
        quarter_ranking(SubjectKind::Window, year, &one, &rules()),
        Err(EvaluationError::WrongPeriod { .. })
    ));
    // Nobody scored: an empty quarter, not an error.
    let empty = quarter_ranking(SubjectKind::Window, q1(), &[], &rules()).unwrap();
    assert!(empty.ranking.entries.is_empty() && empty.grades.is_empty());
}
