#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::*;
use crate::calendar::{DayKind, china_offset};
use crate::organization::UnitId;
use crate::testing::{china, date};

// ---------------------------------------------------------------------------------------
// Fixtures

const DEPT: DepartmentId = DepartmentId(7);
const OTHER_DEPT: DepartmentId = DepartmentId(8);

fn calendar() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn rules() -> ConsultationRules {
    ConsultationRules::default()
}

fn item() -> ItemCode {
    ItemCode::parse("XK00001000").unwrap()
}

fn other_item() -> ItemCode {
    ItemCode::parse("XK00002000").unwrap()
}

/// A China wall-clock time, to the minute, as UTC.
fn china_hm(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn question() -> Question {
    Question {
        item: item(),
        name: " 王建国 ".into(),
        phone: PhoneNumber::parse("13800138000").unwrap(),
        anonymous: false,
        title: " 个体工商户登记需要哪些材料 ".into(),
        text: "我是王建国，电话13800138000。\r\n想在石船镇开一家小超市，请问办理个体工商户登记需要准备哪些材料？"
            .into(),
    }
}

fn staff(id: i64, department: Option<DepartmentId>, roles: &[Role]) -> Actor {
    Actor {
        staff_id: StaffId(id),
        unit_id: UnitId(1),
        department_id: department,
        roles: roles.to_vec(),
    }
}

fn officer() -> Actor {
    staff(30, Some(DEPT), &[Role::HandlingOfficer])
}
fn other_officer() -> Actor {
    staff(31, Some(OTHER_DEPT), &[Role::HandlingOfficer])
}
fn supervisor() -> Actor {
    staff(40, None, &[Role::Supervisor])
}

/// Every kind of actor, with whether it is the department's staff, a supervisor, the asker.
fn actors() -> Vec<(&'static str, Option<Actor>)> {
    vec![
        (
            "clerk of the department",
            Some(staff(21, Some(DEPT), &[Role::WindowClerk])),
        ),
        ("handling officer of the department", Some(officer())),
        (
            "reviewer of the department",
            Some(staff(22, Some(DEPT), &[Role::Reviewer])),
        ),
        (
            "approver of the department",
            Some(staff(23, Some(DEPT), &[Role::Approver])),
        ),
        (
            "unit admin with the department",
            Some(staff(24, Some(DEPT), &[Role::UnitAdmin])),
        ),
        ("officer of another department", Some(other_officer())),
        (
            "officer without a department",
            Some(staff(25, None, &[Role::HandlingOfficer])),
        ),
        ("supervisor", Some(supervisor())),
        (
            "system admin",
            Some(staff(26, Some(DEPT), &[Role::SystemAdmin])),
        ),
        ("the asker", None),
    ]
}

/// A history under test.
struct History {
    events: Vec<ConsultationEvent>,
}

impl History {
    fn ask_at(at: DateTime<Utc>) -> History {
        Self::ask_with(&question(), at, &rules())
    }

    fn ask_with(q: &Question, at: DateTime<Utc>, rules: &ConsultationRules) -> History {
        let kind = ask(q, DEPT, rules).unwrap();
        History {
            events: vec![ConsultationEvent {
                seq: 1,
                at,
                actor: None,
                kind,
            }],
        }
    }

    /// Asked Monday 9 March 2026, 10:00 China time (an ordinary week).
    fn asked() -> History {
        Self::ask_at(china(2026, 3, 9, 10))
    }

    fn consultation(&self) -> Consultation {
        Consultation::replay(&self.events).unwrap()
    }

    fn try_act(
        &mut self,
        action: &ConsultationAction,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Result<(), ConsultationError> {
        let current = self.consultation();
        for kind in decide(&current, action, actor, &rules())? {
            let seq = u32::try_from(self.events.len()).unwrap() + 1;
            self.events.push(ConsultationEvent {
                seq,
                at,
                actor: actor.map(|a| a.staff_id),
                kind,
            });
        }
        Ok(())
    }

    fn act(
        mut self,
        action: &ConsultationAction,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Self {
        self.try_act(action, actor, at).unwrap();
        self
    }

    fn answered(self, at: DateTime<Utc>) -> Self {
        self.act(&answer_action(), Some(&officer()), at)
    }
}

fn answer_action() -> ConsultationAction {
    ConsultationAction::Answer {
        answer: "  需提交经营者身份证明、经营场所使用证明和登记申请书。 ".into(),
    }
}

fn sample_action(name: ConsultationActionName) -> ConsultationAction {
    use ConsultationActionName as A;
    match name {
        A::Answer => answer_action(),
        A::AmendAnswer => ConsultationAction::AmendAnswer {
            answer: "需提交经营者身份证明、经营场所使用证明、登记申请书，可网上办理。".into(),
            reason: "补充网上办理方式".into(),
        },
        A::Publish => ConsultationAction::Publish,
        A::Unpublish => ConsultationAction::Unpublish {
            reason: "答复含个人信息".into(),
        },
        A::Forward => ConsultationAction::Forward {
            item: other_item(),
            department: OTHER_DEPT,
            reason: "属食品经营许可事项".into(),
        },
        A::Decline => ConsultationAction::Decline {
            reason: "重复咨询".into(),
        },
        A::Withdraw => ConsultationAction::Withdraw,
    }
}

/// An actor the rules let take `name`.
fn authorised(name: ConsultationActionName) -> Option<Actor> {
    match name {
        ConsultationActionName::Withdraw => None,
        _ => Some(officer()),
    }
}

/// The state variants of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Asked,
    AnsweredPrivate,
    AnsweredPublic,
    Withdrawn,
    Declined,
}

const VARIANTS: [Variant; 5] = [
    Variant::Asked,
    Variant::AnsweredPrivate,
    Variant::AnsweredPublic,
    Variant::Withdrawn,
    Variant::Declined,
];

fn history_in(variant: Variant) -> History {
    let h = History::asked();
    let at = china(2026, 3, 10, 10);
    match variant {
        Variant::Asked => h,
        Variant::AnsweredPrivate => h.answered(at),
        Variant::AnsweredPublic => {
            h.answered(at)
                .act(&ConsultationAction::Publish, Some(&officer()), at)
        }
        Variant::Withdrawn => h.act(&ConsultationAction::Withdraw, None, at),
        Variant::Declined => h.act(
            &sample_action(ConsultationActionName::Decline),
            Some(&officer()),
            at,
        ),
    }
}

// ---------------------------------------------------------------------------------------
// The question

#[test]
fn given_a_good_question_then_it_is_kept_trimmed_with_unix_line_ends() {
    let q = check_question(&question(), &rules()).unwrap();
    assert_eq!(q.name, "王建国");
    assert_eq!(q.title, "个体工商户登记需要哪些材料");
    assert!(q.text.starts_with("我是王建国"));
    assert!(!q.text.contains('\r'));
    assert!(q.text.contains("。\n想在"));
    assert_eq!(q.item, item());
    assert!(!q.anonymous);

    let kind = ask(&question(), DEPT, &rules()).unwrap();
    let ConsultationEventKind::Asked {
        question: kept,
        department,
        answer_days,
    } = kind
    else {
        unreachable!("not a question: {kind:?}");
    };
    assert_eq!(kept, q);
    assert_eq!(department, DEPT);
    assert_eq!(answer_days, 3);
}

#[test]
fn given_bad_names_then_the_question_is_refused() {
    let with_name = |name: &str| {
        let mut q = question();
        name.clone_into(&mut q.name);
        check_question(&q, &rules())
    };
    assert_eq!(
        with_name(""),
        Err(ConsultationError::Empty(TextField::Name))
    );
    assert_eq!(
        with_name(" \u{3000} "),
        Err(ConsultationError::Empty(TextField::Name))
    );
    assert_eq!(
        with_name("王\n建国"),
        Err(ConsultationError::ControlCharacter(TextField::Name))
    );
    assert_eq!(
        with_name("王\u{0}建国"),
        Err(ConsultationError::ControlCharacter(TextField::Name))
    );
    assert_eq!(
        with_name("··"),
        Err(ConsultationError::TooShort {
            field: TextField::Name,
            min: 1
        })
    );
    assert_eq!(
        with_name(&"王".repeat(31)),
        Err(ConsultationError::TooLong {
            field: TextField::Name,
            max: 30
        })
    );
    assert!(with_name(&"王".repeat(30)).is_ok());
    assert!(with_name("阿依古丽·买买提").is_ok());
}

#[test]
fn given_a_landline_then_a_mobile_is_asked_for() {
    let mut q = question();
    q.phone = PhoneNumber::parse("023-67821234").unwrap();
    assert_eq!(
        check_question(&q, &rules()),
        Err(ConsultationError::MobileNeeded)
    );
}

#[test]
fn given_bad_titles_then_the_question_is_refused() {
    let with_title = |title: &str| {
        let mut q = question();
        title.clone_into(&mut q.title);
        check_question(&q, &rules())
    };
    assert_eq!(
        with_title("   "),
        Err(ConsultationError::Empty(TextField::Title))
    );
    assert_eq!(
        with_title("？！"),
        Err(ConsultationError::TooShort {
            field: TextField::Title,
            min: 2
        })
    );
    // A title is one line.
    assert_eq!(
        with_title("登记\n材料"),
        Err(ConsultationError::ControlCharacter(TextField::Title))
    );
    assert_eq!(
        with_title("登记\t材料"),
        Err(ConsultationError::ControlCharacter(TextField::Title))
    );
    assert_eq!(
        with_title(&"问".repeat(51)),
        Err(ConsultationError::TooLong {
            field: TextField::Title,
            max: 50
        })
    );
    assert!(with_title(&"问".repeat(50)).is_ok());
    assert!(with_title("材料").is_ok());
}

#[test]
fn given_question_texts_then_the_limits_hold_at_their_bounds() {
    let with_text = |text: &str| {
        let mut q = question();
        text.clone_into(&mut q.text);
        check_question(&q, &rules())
    };
    assert_eq!(
        with_text(" \n\t "),
        Err(ConsultationError::Empty(TextField::Question))
    );
    assert_eq!(
        with_text("请问？"),
        Err(ConsultationError::TooShort {
            field: TextField::Question,
            min: 5
        })
    );
    // Punctuation does not count towards the minimum.
    assert_eq!(
        with_text("请问，如何？？？？"),
        Err(ConsultationError::TooShort {
            field: TextField::Question,
            min: 5
        })
    );
    assert!(with_text("请问怎么办").is_ok());
    assert!(with_text(&"问".repeat(1000)).is_ok());
    assert_eq!(
        with_text(&"问".repeat(1001)),
        Err(ConsultationError::TooLong {
            field: TextField::Question,
            max: 1000
        })
    );
    // Surrounding blanks do not count towards the maximum.
    assert!(with_text(&format!("  {}  \n", "问".repeat(1000))).is_ok());
    // Line breaks and tabs are fine in a question; other controls and bidi overrides not.
    assert_eq!(
        with_text("第一行\n\t第二行内容").unwrap().text,
        "第一行\n\t第二行内容"
    );
    assert_eq!(with_text("第一行\r第二行").unwrap().text, "第一行\n第二行");
    for bad in [
        "请问\u{7}怎么办理",
        "请问\u{1b}[31m怎么办理",
        "请问\u{85}怎么办理",
        "请问\u{202E}怎么办理",
        "请问\u{2066}怎么办理",
    ] {
        assert_eq!(
            with_text(bad),
            Err(ConsultationError::ControlCharacter(TextField::Question)),
            "{bad:?}"
        );
    }
}

#[test]
fn given_other_limits_in_the_rules_then_they_are_applied() {
    let strict = ConsultationRules {
        min_question_chars: 10,
        max_question_chars: 20,
        ..ConsultationRules::default()
    };
    let mut q = question();
    q.text = "请问怎么办".into();
    assert_eq!(
        check_question(&q, &strict),
        Err(ConsultationError::TooShort {
            field: TextField::Question,
            min: 10
        })
    );
    q.text = "问".repeat(21);
    assert_eq!(
        check_question(&q, &strict),
        Err(ConsultationError::TooLong {
            field: TextField::Question,
            max: 20
        })
    );
}

// ---------------------------------------------------------------------------------------
// State × action

#[test]
fn given_every_state_and_action_then_only_the_drawn_transitions_are_allowed() {
    use ConsultationActionName as A;
    for variant in VARIANTS {
        for name in ConsultationActionName::ALL {
            let h = history_in(variant);
            let current = h.consultation();
            let actor = authorised(name);
            let got = decide(&current, &sample_action(name), actor.as_ref(), &rules());
            let state = current.state.as_str();
            let not_now = Err(ConsultationError::NotAllowedNow { state });
            // Ok(the state and public flag after the event).
            let expected: Result<(ConsultationState, bool), ConsultationError> =
                match (variant, name) {
                    (Variant::Asked, A::Answer) => Ok((ConsultationState::Answered, false)),
                    (Variant::Asked, A::Forward) => Ok((ConsultationState::Asked, false)),
                    (Variant::Asked, A::Decline) => Ok((ConsultationState::Declined, false)),
                    (Variant::Asked, A::Withdraw) => Ok((ConsultationState::Withdrawn, false)),
                    (Variant::AnsweredPrivate, A::AmendAnswer) => {
                        Ok((ConsultationState::Answered, false))
                    }
                    (Variant::AnsweredPrivate, A::Publish) => {
                        Ok((ConsultationState::Answered, true))
                    }
                    (Variant::AnsweredPrivate, A::Unpublish) => Err(ConsultationError::NotPublic),
                    (Variant::AnsweredPublic, A::AmendAnswer) => {
                        Ok((ConsultationState::Answered, true))
                    }
                    (Variant::AnsweredPublic, A::Publish) => Err(ConsultationError::AlreadyPublic),
                    (Variant::AnsweredPublic, A::Unpublish) => {
                        Ok((ConsultationState::Answered, false))
                    }
                    _ => not_now,
                };
            match (got, expected) {
                (Ok(events), Ok((state, public))) => {
                    assert_eq!(events.len(), 1, "{variant:?} {name}");
                    assert_eq!(events[0].action(), Some(name), "{variant:?} {name}");
                    let mut after = current.clone();
                    after
                        .apply(&ConsultationEvent {
                            seq: current.version + 1,
                            at: china(2026, 3, 11, 10),
                            actor: actor.as_ref().map(|a| a.staff_id),
                            kind: events[0].clone(),
                        })
                        .unwrap();
                    assert_eq!(after.state, state, "{variant:?} {name}");
                    assert_eq!(after.public, public, "{variant:?} {name}");
                    assert_eq!(after.version, current.version + 1);
                }
                (got, expected) => {
                    assert_eq!(got.map(|_| ()), expected.map(|_| ()), "{variant:?} {name}");
                }
            }
        }
    }
}

#[test]
fn given_every_state_then_the_allowed_actions_are_those_decide_accepts() {
    for variant in VARIANTS {
        let current = history_in(variant).consultation();
        for (who, actor) in actors() {
            let allowed = allowed_actions(&current, actor.as_ref());
            for name in ConsultationActionName::ALL {
                let accepted =
                    decide(&current, &sample_action(name), actor.as_ref(), &rules()).is_ok();
                assert_eq!(
                    allowed.contains(&name),
                    accepted,
                    "{variant:?} {who} {name}"
                );
            }
        }
    }
    let asked = history_in(Variant::Asked).consultation();
    use ConsultationActionName as A;
    assert_eq!(
        allowed_actions(&asked, Some(&officer())),
        [A::Answer, A::Forward, A::Decline]
    );
    assert_eq!(allowed_actions(&asked, Some(&supervisor())), [A::Forward]);
    assert_eq!(allowed_actions(&asked, None), [A::Withdraw]);
    let public = history_in(Variant::AnsweredPublic).consultation();
    assert_eq!(
        allowed_actions(&public, Some(&officer())),
        [A::AmendAnswer, A::Unpublish]
    );
    assert_eq!(
        allowed_actions(&public, Some(&supervisor())),
        [A::Unpublish]
    );
    assert!(allowed_actions(&public, None).is_empty());
    let private = history_in(Variant::AnsweredPrivate).consultation();
    assert_eq!(
        allowed_actions(&private, Some(&officer())),
        [A::AmendAnswer, A::Publish]
    );
    for closed in [Variant::Withdrawn, Variant::Declined] {
        let c = history_in(closed).consultation();
        for (who, actor) in actors() {
            assert!(allowed_actions(&c, actor.as_ref()).is_empty(), "{who}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Roles

#[test]
fn given_every_actor_and_action_then_only_the_right_people_may_act() {
    use ConsultationActionName as A;
    for name in ConsultationActionName::ALL {
        // A state in which the action is allowed.
        let variant = match name {
            A::Answer | A::Forward | A::Decline | A::Withdraw => Variant::Asked,
            A::AmendAnswer | A::Publish => Variant::AnsweredPrivate,
            A::Unpublish => Variant::AnsweredPublic,
        };
        let current = history_in(variant).consultation();
        for (who, actor) in actors() {
            let staff = who.ends_with("of the department");
            let supervisor = who == "supervisor";
            let asker = actor.is_none();
            let expected = match name {
                A::Withdraw if asker => Ok(()),
                A::Withdraw => Err(ConsultationError::AskerOnly),
                A::Answer | A::AmendAnswer | A::Publish | A::Decline if staff => Ok(()),
                A::Answer | A::AmendAnswer | A::Publish | A::Decline => {
                    Err(ConsultationError::NotTheDepartment)
                }
                A::Forward | A::Unpublish if staff || supervisor => Ok(()),
                A::Forward | A::Unpublish => Err(ConsultationError::NotTheDepartmentOrSupervisor),
            };
            let got = decide(&current, &sample_action(name), actor.as_ref(), &rules()).map(|_| ());
            assert_eq!(got, expected, "{name} by {who}");
            assert_eq!(
                may_act(name, actor.as_ref(), DEPT),
                expected,
                "{name} by {who}"
            );
        }
    }
}

#[test]
fn given_several_roles_then_one_department_role_is_enough() {
    let both = staff(50, Some(DEPT), &[Role::UnitAdmin, Role::Reviewer]);
    assert!(is_department_staff(&both, DEPT));
    assert!(!is_department_staff(&both, OTHER_DEPT));
    let admin = staff(51, Some(DEPT), &[Role::UnitAdmin, Role::Supervisor]);
    assert!(!is_department_staff(&admin, DEPT));
    assert_eq!(
        may_act(ConsultationActionName::Answer, Some(&admin), DEPT),
        Err(ConsultationError::NotTheDepartment)
    );
    assert_eq!(
        may_act(ConsultationActionName::Unpublish, Some(&admin), DEPT),
        Ok(())
    );
}

#[test]
fn given_a_wrong_state_or_actor_then_the_state_is_reported_first_and_the_actor_before_the_text() {
    let withdrawn = history_in(Variant::Withdrawn).consultation();
    let empty = ConsultationAction::Answer { answer: " ".into() };
    assert_eq!(
        decide(&withdrawn, &empty, Some(&other_officer()), &rules()),
        Err(ConsultationError::NotAllowedNow { state: "withdrawn" })
    );
    let asked = history_in(Variant::Asked).consultation();
    assert_eq!(
        decide(&asked, &empty, Some(&other_officer()), &rules()),
        Err(ConsultationError::NotTheDepartment)
    );
    assert_eq!(
        decide(&asked, &empty, Some(&officer()), &rules()),
        Err(ConsultationError::Empty(TextField::Answer))
    );
}

// ---------------------------------------------------------------------------------------
// Texts of the actions

#[test]
fn given_answers_and_reasons_then_they_are_checked_and_trimmed() {
    let asked = history_in(Variant::Asked).consultation();
    let by = Some(officer());
    let decide_one = |c: &Consultation, a: ConsultationAction| {
        decide(c, &a, by.as_ref(), &rules()).map(|mut e| e.remove(0))
    };
    assert_eq!(
        decide_one(&asked, answer_action()),
        Ok(ConsultationEventKind::Answered {
            answer: "需提交经营者身份证明、经营场所使用证明和登记申请书。".into()
        })
    );
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Answer {
                answer: "好。".into()
            }
        ),
        Err(ConsultationError::TooShort {
            field: TextField::Answer,
            min: 2
        })
    );
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Answer {
                answer: "答".repeat(2001)
            }
        ),
        Err(ConsultationError::TooLong {
            field: TextField::Answer,
            max: 2000
        })
    );
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Answer {
                answer: "可以办理\u{0}".into()
            }
        ),
        Err(ConsultationError::ControlCharacter(TextField::Answer))
    );
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Answer {
                answer: "第一条：身份证明\r\n第二条：场所证明".into()
            }
        ),
        Ok(ConsultationEventKind::Answered {
            answer: "第一条：身份证明\n第二条：场所证明".into()
        })
    );
    for (action, field) in [
        (
            ConsultationAction::Decline {
                reason: "  ".into(),
            },
            TextField::Reason,
        ),
        (
            ConsultationAction::Forward {
                item: other_item(),
                department: OTHER_DEPT,
                reason: "\n".into(),
            },
            TextField::Reason,
        ),
    ] {
        assert_eq!(
            decide_one(&asked, action),
            Err(ConsultationError::Empty(field))
        );
    }
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Decline {
                reason: "。".into()
            }
        ),
        Err(ConsultationError::TooShort {
            field: TextField::Reason,
            min: 2
        })
    );
    assert_eq!(
        decide_one(
            &asked,
            ConsultationAction::Decline {
                reason: "重".repeat(501)
            }
        ),
        Err(ConsultationError::TooLong {
            field: TextField::Reason,
            max: 500
        })
    );
    let public = history_in(Variant::AnsweredPublic).consultation();
    assert_eq!(
        decide_one(&public, ConsultationAction::Unpublish { reason: "".into() }),
        Err(ConsultationError::Empty(TextField::Reason))
    );
}

#[test]
fn given_an_amendment_then_it_must_change_the_answer_and_give_a_reason() {
    let h = history_in(Variant::AnsweredPublic);
    let current = h.consultation();
    let same = ConsultationAction::AmendAnswer {
        answer: " 需提交经营者身份证明、经营场所使用证明和登记申请书。\n".into(),
        reason: "核对".into(),
    };
    assert_eq!(
        decide(&current, &same, Some(&officer()), &rules()),
        Err(ConsultationError::AnswerUnchanged)
    );
    let no_reason = ConsultationAction::AmendAnswer {
        answer: "新的答复内容".into(),
        reason: " ".into(),
    };
    assert_eq!(
        decide(&current, &no_reason, Some(&officer()), &rules()),
        Err(ConsultationError::Empty(TextField::Reason))
    );
    let amended_at = china(2026, 3, 20, 10);
    let c = h
        .act(
            &sample_action(ConsultationActionName::AmendAnswer),
            Some(&officer()),
            amended_at,
        )
        .consultation();
    assert_eq!(
        c.answer.as_deref(),
        Some("需提交经营者身份证明、经营场所使用证明、登记申请书，可网上办理。")
    );
    // The first answer stays what the limit is judged by; the answer stays public.
    assert_eq!(c.answered_at, Some(china(2026, 3, 10, 10)));
    assert_eq!(c.amended_at, Some(amended_at));
    assert!(c.public);
    assert_eq!(c.answered_late(&calendar()), Some(false));
}

#[test]
fn given_a_forward_then_the_new_department_answers_and_the_due_date_stays() {
    let cal = calendar();
    let h = History::asked();
    let before = h.consultation();
    let h = h.act(
        &sample_action(ConsultationActionName::Forward),
        Some(&officer()),
        china(2026, 3, 10, 9),
    );
    let c = h.consultation();
    assert_eq!(c.state, ConsultationState::Asked);
    assert_eq!(c.department, OTHER_DEPT);
    assert_eq!(c.question.item, other_item());
    assert_eq!(c.forwards, 1);
    assert_eq!(c.due(&cal), before.due(&cal));
    assert_eq!(
        decide(&c, &answer_action(), Some(&officer()), &rules()),
        Err(ConsultationError::NotTheDepartment)
    );
    assert!(decide(&c, &answer_action(), Some(&other_officer()), &rules()).is_ok());
    // Forwarding where it is already is refused; another item of the same department is not.
    let same = ConsultationAction::Forward {
        item: other_item(),
        department: OTHER_DEPT,
        reason: "再次转办".into(),
    };
    assert_eq!(
        decide(&c, &same, Some(&other_officer()), &rules()),
        Err(ConsultationError::SameDestination)
    );
    let same_department = ConsultationAction::Forward {
        item: item(),
        department: OTHER_DEPT,
        reason: "事项选错".into(),
    };
    let h = h.act(
        &same_department,
        Some(&supervisor()),
        china(2026, 3, 10, 11),
    );
    let c = h.consultation();
    assert_eq!(
        (c.question.item.clone(), c.department, c.forwards),
        (item(), OTHER_DEPT, 2)
    );
}

// ---------------------------------------------------------------------------------------
// Replay

#[test]
fn given_broken_histories_then_they_do_not_fold() {
    assert!(Consultation::replay(&[]).is_err());
    let h = history_in(Variant::AnsweredPrivate);
    // The first event must be the question.
    assert!(Consultation::replay(&h.events[1..]).is_err());
    // Sequence numbers follow each other.
    let mut gap = h.events.clone();
    gap[1].seq = 3;
    assert!(Consultation::replay(&gap).is_err());
    // A second question, a second answer, publishing before the answer.
    let event = |seq: u32, kind: ConsultationEventKind| ConsultationEvent {
        seq,
        at: china(2026, 3, 11, 10),
        actor: None,
        kind,
    };
    let mut twice = h.events.clone();
    twice.push(event(3, h.events[0].kind.clone()));
    assert!(Consultation::replay(&twice).is_err());
    let mut answered_twice = h.events.clone();
    answered_twice.push(event(3, h.events[1].kind.clone()));
    assert!(Consultation::replay(&answered_twice).is_err());
    let mut early = History::asked().events;
    early.push(event(2, ConsultationEventKind::Published));
    let err = Consultation::replay(&early).unwrap_err();
    assert!(
        err.to_string().contains("`published` while `asked`"),
        "{err}"
    );
    let mut unpublish_private = h.events.clone();
    unpublish_private.push(event(
        3,
        ConsultationEventKind::Unpublished {
            reason: "撤下".into(),
        },
    ));
    assert!(Consultation::replay(&unpublish_private).is_err());
}

#[test]
fn given_a_whole_history_then_it_round_trips_through_json_and_folds_the_same() {
    let h = History::asked()
        .act(
            &sample_action(ConsultationActionName::Forward),
            Some(&officer()),
            china(2026, 3, 9, 15),
        )
        .act(
            &answer_action(),
            Some(&other_officer()),
            china(2026, 3, 10, 10),
        )
        .act(
            &ConsultationAction::Publish,
            Some(&other_officer()),
            china(2026, 3, 10, 11),
        )
        .act(
            &sample_action(ConsultationActionName::Unpublish),
            Some(&supervisor()),
            china(2026, 3, 10, 14),
        );
    let json = serde_json::to_string(&h.events).unwrap();
    assert!(json.contains(r#""type":"forwarded""#), "{json}");
    assert!(json.contains(r#""type":"published""#), "{json}");
    let back: Vec<ConsultationEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, h.events);
    let c = Consultation::replay(&back).unwrap();
    assert_eq!(c, h.consultation());
    assert_eq!(c.version, 5);
    assert_eq!(c.state, ConsultationState::Answered);
    assert!(!c.public);
    assert_eq!(c.published_at, None);
    assert_eq!(c.department, OTHER_DEPT);
    assert_eq!(h.events[4].actor, Some(StaffId(40)));
    assert_eq!(h.events[0].actor, None);
}

// ---------------------------------------------------------------------------------------
// Due dates

#[test]
fn the_shipped_calendar_has_the_2026_days_these_tests_rely_on() {
    let cal = calendar();
    assert_eq!(cal.day_kind(date(2026, 9, 20)), DayKind::AdjustedWorkingDay);
    assert_eq!(
        cal.day_kind(date(2026, 10, 10)),
        DayKind::AdjustedWorkingDay
    );
    assert_eq!(cal.day_kind(date(2026, 9, 25)), DayKind::Holiday);
    for day in 1..=7 {
        assert_eq!(cal.day_kind(date(2026, 10, day)), DayKind::Holiday, "{day}");
    }
    assert!(cal.is_working_day(date(2026, 10, 8)));
    assert_eq!(cal.day_kind(date(2026, 10, 11)), DayKind::Weekend);
    assert!(!cal.has_notice(2027));
}

fn due(at: DateTime<Utc>) -> Reckoned<NaiveDate> {
    answer_due(&calendar(), at, ConsultationRules::default().answer_days)
}

#[test]
fn given_an_ordinary_week_then_the_answer_is_due_three_working_days_after_the_question() {
    // Monday 9 March 2026: the day itself does not count.
    let monday = due(china(2026, 3, 9, 10));
    assert_eq!(monday.value, date(2026, 3, 12));
    assert!(!monday.provisional);
    // Before opening and just before the afternoon close: still Monday.
    assert_eq!(due(china(2026, 3, 9, 7)).value, date(2026, 3, 12));
    assert_eq!(due(china_hm(2026, 3, 9, 17, 29)).value, date(2026, 3, 12));
    // At or after the close: counts from Tuesday.
    assert_eq!(due(china_hm(2026, 3, 9, 17, 30)).value, date(2026, 3, 13));
    assert_eq!(due(china(2026, 3, 9, 22)).value, date(2026, 3, 13));
    // Friday evening and the weekend count from Monday.
    assert_eq!(due(china(2026, 3, 6, 19)).value, date(2026, 3, 12));
    assert_eq!(due(china(2026, 3, 7, 10)).value, date(2026, 3, 12));
    assert_eq!(due(china(2026, 3, 8, 23)).value, date(2026, 3, 12));
    // 1:00 on Monday in China is still Sunday in UTC: China dates count.
    let early_monday = china(2026, 3, 9, 1);
    assert_eq!(early_monday.date_naive(), date(2026, 3, 8));
    assert_eq!(due(early_monday).value, date(2026, 3, 12));
    // The rules' limit is used, and kept with the question.
    let five = ConsultationRules {
        answer_days: 5,
        ..ConsultationRules::default()
    };
    let h = History::ask_with(&question(), china(2026, 3, 9, 10), &five);
    assert_eq!(h.consultation().answer_days, 5);
    assert_eq!(h.consultation().due(&calendar()).value, date(2026, 3, 16));
}

#[test]
fn given_the_national_day_holiday_then_its_days_do_not_count() {
    // Mid-Autumn (25–27 Sep) is skipped: 28, 29, 30 Sep.
    assert_eq!(due(china(2026, 9, 24, 10)).value, date(2026, 9, 30));
    // 30 Sep, then 1–7 Oct off: 8, 9 Oct.
    assert_eq!(due(china(2026, 9, 29, 10)).value, date(2026, 10, 9));
    // Asked on the eve after hours, or during the holiday: counts from 8 Oct, and Saturday
    // 10 Oct is an adjusted working day: 9, 10, 12 Oct.
    assert_eq!(due(china(2026, 9, 30, 18)).value, date(2026, 10, 12));
    assert_eq!(due(china(2026, 10, 3, 10)).value, date(2026, 10, 12));
    assert_eq!(due(china(2026, 10, 8, 10)).value, date(2026, 10, 12));
}

#[test]
fn given_an_adjusted_working_sunday_then_a_question_that_day_counts_from_it() {
    // Sunday 20 Sep 2026 is a working day (调休上班): a question then counts from it.
    assert_eq!(due(china(2026, 9, 20, 10)).value, date(2026, 9, 23));
    // So does one on the Saturday before (the next working day is that Sunday).
    assert_eq!(due(china(2026, 9, 19, 10)).value, date(2026, 9, 23));
    // After its close, from Monday.
    assert_eq!(due(china(2026, 9, 20, 18)).value, date(2026, 9, 24));
}

#[test]
fn given_a_question_running_into_a_year_without_notice_then_the_due_date_is_provisional() {
    // 31 Dec, then 1 Jan 2027 (statutory) and the weekend: 4, 5 Jan.
    let d = due(china(2026, 12, 30, 10));
    assert_eq!(d.value, date(2027, 1, 5));
    assert!(d.provisional);
    let d = due(china(2026, 12, 24, 10));
    assert_eq!(d.value, date(2026, 12, 29));
    assert!(!d.provisional);
}

// ---------------------------------------------------------------------------------------
// Warning levels and lateness

#[test]
fn given_an_open_question_then_it_turns_yellow_with_one_day_left_and_red_past_the_close() {
    let cal = calendar();
    let w = WarningRules::default();
    let c = History::asked().consultation();
    let level = |at| c.warning_level(&cal, &w, at);
    assert_eq!(level(china(2026, 3, 9, 15)), WarningLevel::Green);
    assert_eq!(level(china(2026, 3, 10, 16)), WarningLevel::Green);
    assert_eq!(level(china(2026, 3, 11, 9)), WarningLevel::Yellow);
    assert_eq!(level(china_hm(2026, 3, 12, 17, 29)), WarningLevel::Yellow);
    assert_eq!(level(china_hm(2026, 3, 12, 17, 31)), WarningLevel::Red);
    assert_eq!(level(china(2026, 3, 16, 10)), WarningLevel::Red);
    // The row's three facts give the same levels.
    for at in [
        china(2026, 3, 10, 16),
        china(2026, 3, 11, 9),
        china(2026, 3, 13, 9),
    ] {
        assert_eq!(
            warning_level(c.state, c.asked_at, c.answer_days, &cal, &w, at),
            level(at)
        );
    }
    assert!(!c.overdue(&cal, china_hm(2026, 3, 12, 17, 29)));
    assert!(c.overdue(&cal, china_hm(2026, 3, 12, 17, 30)));
    let clock = c.clock(&cal, &w, china(2026, 3, 11, 9));
    assert!(clock.running);
    assert_eq!(clock.due_date, Some(date(2026, 3, 12)));
    assert_eq!((clock.used_days, clock.remaining_days), (2, 1));
}

#[test]
fn given_a_holiday_then_the_level_does_not_move_during_it() {
    let cal = calendar();
    let w = WarningRules::default();
    let c = History::ask_at(china(2026, 9, 29, 10)).consultation();
    for day in 1..=7 {
        assert_eq!(
            c.warning_level(&cal, &w, china(2026, 10, day, 10)),
            WarningLevel::Green,
            "{day} Oct"
        );
    }
    assert_eq!(
        c.warning_level(&cal, &w, china(2026, 10, 8, 10)),
        WarningLevel::Yellow
    );
    assert_eq!(
        c.warning_level(&cal, &w, china(2026, 10, 9, 18)),
        WarningLevel::Red
    );
}

#[test]
fn given_a_question_no_longer_awaiting_then_it_is_green() {
    let cal = calendar();
    let w = WarningRules::default();
    let late = china(2026, 3, 20, 10);
    for variant in [
        Variant::AnsweredPrivate,
        Variant::AnsweredPublic,
        Variant::Withdrawn,
        Variant::Declined,
    ] {
        let c = history_in(variant).consultation();
        assert_eq!(
            c.warning_level(&cal, &w, late),
            WarningLevel::Green,
            "{variant:?}"
        );
        assert!(!c.overdue(&cal, late), "{variant:?}");
        assert!(!c.clock(&cal, &w, late).running, "{variant:?}");
    }
    let answered_late = History::asked()
        .answered(china(2026, 3, 13, 10))
        .consultation();
    assert_eq!(
        answered_late.warning_level(&cal, &w, late),
        WarningLevel::Green
    );
    // The clock stopped at the answer still tells that it ran out.
    assert_eq!(answered_late.clock(&cal, &w, late).level, WarningLevel::Red);
}

#[test]
fn given_answers_at_several_moments_then_lateness_is_judged_at_the_close_of_the_due_date() {
    let cal = calendar();
    let answered = |at| History::asked().answered(at).consultation();
    let cases = [
        (china(2026, 3, 9, 15), Some(0), false),
        (china(2026, 3, 9, 18), Some(1), false),
        (china(2026, 3, 11, 10), Some(2), false),
        (china_hm(2026, 3, 12, 17, 29), Some(3), false),
        // At the close it is after hours: the answer counts on Friday.
        (china_hm(2026, 3, 12, 17, 30), Some(4), true),
        (china_hm(2026, 3, 12, 17, 31), Some(4), true),
        // Saturday: counts on Monday.
        (china(2026, 3, 14, 10), Some(5), true),
        (china(2026, 3, 16, 10), Some(5), true),
        (china(2026, 3, 17, 10), Some(6), true),
    ];
    for (at, days, late) in cases {
        let c = answered(at);
        assert_eq!(c.working_days_to_answer(&cal), days, "{at}");
        assert_eq!(c.answered_late(&cal), Some(late), "{at}");
        // Late exactly when the working days exceed the limit.
        assert_eq!(late, days.unwrap() > c.answer_days, "{at}");
    }
    let open = History::asked().consultation();
    assert_eq!(open.answered_late(&cal), None);
    assert_eq!(open.working_days_to_answer(&cal), None);
    let withdrawn = history_in(Variant::Withdrawn).consultation();
    assert_eq!(withdrawn.answered_late(&cal), None);
    // Over the holiday: asked 29 Sep, due 9 Oct.
    let c = History::ask_at(china(2026, 9, 29, 10))
        .answered(china(2026, 10, 9, 17))
        .consultation();
    assert_eq!(c.answered_late(&cal), Some(false));
    assert_eq!(c.working_days_to_answer(&cal), Some(3));
}

// ---------------------------------------------------------------------------------------
// Public display

#[test]
fn given_an_answer_then_it_is_shown_only_while_public_and_masked() {
    let h = History::asked();
    assert_eq!(h.consultation().publication(), None);
    let h = h.answered(china(2026, 3, 10, 10));
    let private = h.consultation();
    let preview = private.publication().unwrap();
    assert_eq!(private.public_view(), None);
    assert_eq!(preview.asker.as_deref(), Some("王**"));
    assert_eq!(preview.phone.as_deref(), Some("138****8000"));
    assert_eq!(preview.title, "个体工商户登记需要哪些材料");
    assert!(
        preview
            .question
            .starts_with("我是王**，电话138****8000。\n想在石船镇"),
        "{}",
        preview.question
    );
    assert!(!preview.question.contains("王建国"));
    assert!(!preview.question.contains("13800138000"));
    assert_eq!(
        preview.answer,
        "需提交经营者身份证明、经营场所使用证明和登记申请书。"
    );
    assert_eq!(preview.asked_on, date(2026, 3, 9));
    assert_eq!(preview.answered_on, date(2026, 3, 10));
    assert_eq!((preview.item.clone(), preview.department), (item(), DEPT));
    assert!(!preview.amended);

    let h = h.act(
        &ConsultationAction::Publish,
        Some(&officer()),
        china(2026, 3, 10, 11),
    );
    assert_eq!(h.consultation().public_view(), Some(preview));
    assert_eq!(h.consultation().published_at, Some(china(2026, 3, 10, 11)));

    let h = h.act(
        &sample_action(ConsultationActionName::AmendAnswer),
        Some(&officer()),
        china(2026, 3, 12, 10),
    );
    let shown = h.consultation().public_view().unwrap();
    assert!(shown.amended);
    assert_eq!(shown.answered_on, date(2026, 3, 12));
    assert!(shown.answer.contains("可网上办理"));

    let h = h.act(
        &sample_action(ConsultationActionName::Unpublish),
        Some(&supervisor()),
        china(2026, 3, 12, 11),
    );
    assert_eq!(h.consultation().public_view(), None);
    assert!(h.consultation().publication().is_some());
}

#[test]
fn given_an_anonymous_asker_then_nothing_of_them_is_shown() {
    let mut q = question();
    q.anonymous = true;
    q.title = "王建国想问登记材料".into();
    let c = History::ask_with(&q, china(2026, 3, 9, 10), &rules())
        .answered(china(2026, 3, 10, 10))
        .act(
            &ConsultationAction::Publish,
            Some(&officer()),
            china(2026, 3, 10, 11),
        )
        .consultation();
    let shown = c.public_view().unwrap();
    assert_eq!(shown.asker, None);
    assert_eq!(shown.phone, None);
    assert_eq!(shown.title, "***想问登记材料");
    assert!(
        shown.question.starts_with("我是***，电话138****8000。"),
        "{}",
        shown.question
    );
}

#[test]
fn given_withdrawn_or_declined_questions_then_there_is_nothing_to_publish() {
    for variant in [Variant::Withdrawn, Variant::Declined] {
        let c = history_in(variant).consultation();
        assert_eq!(c.publication(), None, "{variant:?}");
        assert_eq!(c.public_view(), None, "{variant:?}");
    }
}

#[test]
fn given_texts_with_numbers_then_personal_ones_are_masked_and_others_kept() {
    let cases = [
        ("电话13800138000", "电话138****8000"),
        ("电话 138 0013 8000 谢谢", "电话 138 **** 8000 谢谢"),
        ("138-0013-8000", "138-****-8000"),
        ("身份证50011219900101123X。", "身份证500***********123X。"),
        ("身份证50011219900101123x", "身份证500***********123x"),
        ("座机023-67821234", "座机023-****1234"),
        ("座机67821234", "座机****1234"),
        ("手机１３８００１３８０００", "手机１３８****８０００"),
        ("卡号6222021234567890123", "卡号622************0123"),
        // Dates, short numbers, amounts under a million and codes are left alone.
        ("2026-10-08前办结", "2026-10-08前办结"),
        ("2026年10月8日", "2026年10月8日"),
        ("20个工作日，收费50元", "20个工作日，收费50元"),
        ("123456", "123456"),
        // A number glued to letters is a code (an item code), not a person's number.
        ("事项XK00001000", "事项XK00001000"),
        ("", ""),
        ("无数字", "无数字"),
        // A separator not between digits ends the group.
        ("138 - 0013", "138 - 0013"),
        ("1 ", "1 "),
    ];
    for (text, expected) in cases {
        assert_eq!(redact_numbers(text), expected, "{text:?}");
    }
}

#[test]
fn given_names_in_a_text_then_the_askers_name_is_masked_everywhere() {
    assert_eq!(
        redact("王建国说：王建国要办证", "王建国", false),
        "王**说：王**要办证"
    );
    assert_eq!(redact("王建国要办证", " 王建国 ", true), "***要办证");
    // A one-character name is not hunted for: it would hide every use of the character.
    assert_eq!(redact("王府井王某", "王", false), "王府井王某");
    assert_eq!(redact("没有名字", "", false), "没有名字");
}

// ---------------------------------------------------------------------------------------
// Statistics

fn fact(
    department: DepartmentId,
    asked_on: NaiveDate,
    state: ConsultationState,
    days: Option<u32>,
    public: bool,
) -> ConsultationFacts {
    ConsultationFacts {
        department,
        asked_on,
        state,
        working_days_to_answer: days,
        answered_late: days.map(|d| d > 3),
        public,
        forwards: 0,
        overdue: false,
    }
}

#[test]
fn given_a_month_of_questions_then_the_department_statistics_count_them() {
    use ConsultationState as S;
    let march = Month::new(2026, 3).unwrap();
    let mut facts = vec![
        fact(DEPT, date(2026, 3, 2), S::Answered, Some(3), true),
        fact(DEPT, date(2026, 3, 3), S::Answered, Some(6), false),
        fact(DEPT, date(2026, 3, 4), S::Answered, Some(0), true),
        ConsultationFacts {
            overdue: true,
            ..fact(DEPT, date(2026, 3, 5), S::Asked, None, false)
        },
        ConsultationFacts {
            forwards: 1,
            ..fact(DEPT, date(2026, 3, 31), S::Asked, None, false)
        },
        fact(DEPT, date(2026, 3, 6), S::Withdrawn, None, false),
        fact(DEPT, date(2026, 3, 7), S::Declined, None, false),
        // Another department, and another month.
        fact(OTHER_DEPT, date(2026, 3, 9), S::Answered, Some(2), true),
        fact(DEPT, date(2026, 2, 28), S::Answered, Some(1), true),
        fact(DEPT, date(2026, 4, 1), S::Asked, None, false),
    ];
    let stats = statistics(&facts, Some(DEPT), march);
    assert_eq!(
        stats,
        ConsultationStats {
            asked: 7,
            answered: 3,
            answered_on_time: 2,
            answered_late: 1,
            on_time_rate: 2.0 / 3.0,
            mean_working_days_to_answer: 3.0,
            published: 2,
            open: 2,
            overdue_open: 1,
            withdrawn: 1,
            declined: 1,
            forwarded: 1,
        }
    );
    let all = statistics(&facts, None, march);
    assert_eq!((all.asked, all.answered, all.published), (8, 4, 3));
    assert!((all.mean_working_days_to_answer - 11.0 / 4.0).abs() < 1e-12);
    assert_eq!(
        statistics(&facts, Some(OTHER_DEPT), Month::new(2026, 4).unwrap()),
        ConsultationStats::default()
    );
    facts.clear();
    assert_eq!(
        statistics(&facts, None, march),
        ConsultationStats::default()
    );
}

#[test]
fn given_real_histories_then_their_facts_feed_the_statistics() {
    let cal = calendar();
    let now = china(2026, 4, 15, 10);
    // Asked at 23:30 on 31 March China time (15:30 UTC): a March question.
    let late_night = china_hm(2026, 3, 31, 23, 30);
    let histories = [
        History::asked().answered(china(2026, 3, 11, 10)),
        History::asked().answered(china(2026, 3, 17, 10)).act(
            &ConsultationAction::Publish,
            Some(&officer()),
            china(2026, 3, 17, 11),
        ),
        History::ask_at(late_night),
        // 00:30 on 1 April China time is still 31 March in UTC: an April question.
        History::ask_at(china_hm(2026, 4, 1, 0, 30)),
    ];
    let facts: Vec<_> = histories
        .iter()
        .map(|h| h.consultation().facts(&cal, now))
        .collect();
    assert_eq!(facts[0].answered_late, Some(false));
    assert_eq!(facts[1].answered_late, Some(true));
    assert_eq!(facts[1].working_days_to_answer, Some(6));
    assert!(facts[2].overdue);
    assert_eq!(facts[2].asked_on, date(2026, 3, 31));
    assert_eq!(facts[3].asked_on, date(2026, 4, 1));
    let march = statistics(&facts, Some(DEPT), Month::new(2026, 3).unwrap());
    assert_eq!(
        (
            march.asked,
            march.answered,
            march.answered_on_time,
            march.published
        ),
        (3, 2, 1, 1)
    );
    assert_eq!((march.open, march.overdue_open), (1, 1));
    assert!((march.mean_working_days_to_answer - 4.0).abs() < 1e-12);
    let april = statistics(&facts, Some(DEPT), Month::new(2026, 4).unwrap());
    assert_eq!((april.asked, april.open), (1, 1));
}

// ---------------------------------------------------------------------------------------
// Names, serde, settings, messages

#[test]
fn names_round_trip_and_have_chinese_names() {
    for state in ConsultationState::ALL {
        assert_eq!(state.as_str().parse(), Ok(state));
        assert!(!state.name_zh().is_empty());
        assert_eq!(
            serde_json::to_string(&state).unwrap(),
            format!("\"{}\"", state.as_str())
        );
    }
    for name in ConsultationActionName::ALL {
        assert_eq!(name.as_str().parse(), Ok(name));
        assert_eq!(sample_action(name).name(), name);
        assert!(!name.name_zh().is_empty());
        let json = serde_json::to_value(sample_action(name)).unwrap();
        assert_eq!(json["action"], name.as_str());
    }
    assert!("closed".parse::<ConsultationState>().is_err());
    assert_eq!(
        ConsultationEventKind::Withdrawn.type_name(),
        ConsultationState::Withdrawn.as_str()
    );
}

#[test]
fn given_json_actions_then_they_parse() {
    let answer: ConsultationAction =
        serde_json::from_str(r#"{"action":"answer","answer":"可以办理"}"#).unwrap();
    assert_eq!(
        answer,
        ConsultationAction::Answer {
            answer: "可以办理".into()
        }
    );
    let publish: ConsultationAction = serde_json::from_str(r#"{"action":"publish"}"#).unwrap();
    assert_eq!(publish, ConsultationAction::Publish);
    let forward: ConsultationAction = serde_json::from_str(
        r#"{"action":"forward","item":"xk00002000","department":8,"reason":"事项选错"}"#,
    )
    .unwrap();
    assert_eq!(
        forward,
        ConsultationAction::Forward {
            item: other_item(),
            department: OTHER_DEPT,
            reason: "事项选错".into(),
        }
    );
    assert!(
        serde_json::from_str::<ConsultationAction>(
            r#"{"action":"forward","item":"bad","department":8,"reason":"x"}"#
        )
        .is_err()
    );
    // A question without `anonymous` is not anonymous.
    let q: Question = serde_json::from_str(
        r#"{"item":"XK00001000","name":"李明","phone":"+86 139 0013 9000","title":"标题","text":"请问怎么办理"}"#,
    )
    .unwrap();
    assert!(!q.anonymous);
    assert_eq!(q.phone.as_str(), "13900139000");
}

#[test]
fn given_settings_then_defaults_fill_the_gaps_and_bad_ones_are_refused() {
    let empty: ConsultationRules = toml::from_str("").unwrap();
    assert_eq!(empty, ConsultationRules::default());
    assert_eq!(empty.validate(), Ok(()));
    let five: ConsultationRules = toml::from_str("answer_days = 5").unwrap();
    assert_eq!(five.answer_days, 5);
    assert_eq!(five.max_question_chars, 1000);
    assert!(toml::from_str::<ConsultationRules>("answer_dayz = 5").is_err());
    let bad = |r: ConsultationRules| {
        assert!(
            matches!(r.validate(), Err(ConsultationError::InvalidRules(_))),
            "{r:?}"
        );
    };
    let d = ConsultationRules::default();
    bad(ConsultationRules {
        answer_days: 0,
        ..d
    });
    bad(ConsultationRules {
        answer_days: MAX_ANSWER_DAYS + 1,
        ..d
    });
    bad(ConsultationRules {
        min_question_chars: 0,
        ..d
    });
    bad(ConsultationRules {
        min_question_chars: 2000,
        ..d
    });
    bad(ConsultationRules {
        min_text_chars: 0,
        ..d
    });
    bad(ConsultationRules {
        min_text_chars: 60,
        ..d
    });
    bad(ConsultationRules {
        max_name_chars: 0,
        ..d
    });
    assert_eq!(
        ConsultationRules {
            answer_days: MAX_ANSWER_DAYS,
            ..d
        }
        .validate(),
        Ok(())
    );
}

#[test]
fn messages_are_chinese_then_english() {
    let cases = [
        (
            ConsultationError::TooShort {
                field: TextField::Title,
                min: 2,
            },
            "“标题”至少需要2个字 / `title` needs at least 2 characters",
        ),
        (
            ConsultationError::Empty(TextField::Answer),
            "“答复内容”不能为空 / `answer` must not be empty",
        ),
        (
            ConsultationError::NotAllowedNow { state: "withdrawn" },
            "当前状态“withdrawn”不能进行此操作 / not allowed while the consultation is `withdrawn`",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
    for error in [
        ConsultationError::MobileNeeded,
        ConsultationError::AlreadyPublic,
        ConsultationError::NotPublic,
        ConsultationError::NotTheDepartment,
        ConsultationError::NotTheDepartmentOrSupervisor,
        ConsultationError::AskerOnly,
        ConsultationError::SameDestination,
        ConsultationError::AnswerUnchanged,
        ConsultationError::ControlCharacter(TextField::Name),
        ConsultationError::TooLong {
            field: TextField::Question,
            max: 1000,
        },
    ] {
        let text = error.to_string();
        let (zh, en) = text.split_once(" / ").unwrap();
        assert!(!zh.is_ascii(), "{text}");
        assert!(!en.is_empty(), "{text}");
    }
}

// ---------------------------------------------------------------------------------------
// Random histories

/// (action, actor) pairs to draw from: every action by each kind of actor.
fn moves() -> Vec<(ConsultationAction, Option<Actor>)> {
    let mut out = Vec::new();
    for name in ConsultationActionName::ALL {
        for (_, actor) in actors() {
            out.push((sample_action(name), actor));
        }
    }
    out.push((
        ConsultationAction::Forward {
            item: item(),
            department: DEPT,
            reason: "转回原部门".into(),
        },
        Some(other_officer()),
    ));
    out.push((
        ConsultationAction::Answer {
            answer: "另一个部门的答复".into(),
        },
        Some(other_officer()),
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn given_random_actions_by_random_people_then_every_decided_event_folds(
        start in 0i64..(365 * 24 * 60),
        picks in prop::collection::vec((0usize..1000, 1i64..(3 * 24 * 60)), 0..=30),
    ) {
        let cal = calendar();
        let w = WarningRules::default();
        let moves = moves();
        let mut at = china(2026, 1, 1, 0) + chrono::Duration::minutes(start);
        let mut h = History::ask_at(at);
        let mut folded = h.consultation();
        for (pick, minutes) in picks {
            at += chrono::Duration::minutes(minutes);
            let (action, actor) = &moves[pick % moves.len()];
            let before = folded.clone();
            let allowed = allowed_actions(&before, actor.as_ref()).contains(&action.name());
            match h.try_act(action, actor.as_ref(), at) {
                Ok(()) => {
                    prop_assert!(allowed);
                    let event = h.events.last().unwrap();
                    folded.apply(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                Err(ConsultationError::SameDestination | ConsultationError::AnswerUnchanged) => {}
                Err(_) => prop_assert!(!allowed),
            }
            prop_assert_eq!(&folded, &h.consultation());
            // Invariants of the fold.
            prop_assert_eq!(folded.answer.is_some(), folded.answered_at.is_some());
            prop_assert_eq!(folded.answer.is_some(), folded.state == ConsultationState::Answered);
            prop_assert!(!folded.public || folded.state == ConsultationState::Answered);
            prop_assert_eq!(folded.public, folded.published_at.is_some());
            prop_assert_eq!(folded.public, folded.public_view().is_some());
            prop_assert_eq!(
                folded.closed_at.is_some(),
                matches!(folded.state, ConsultationState::Withdrawn | ConsultationState::Declined)
            );
            prop_assert_eq!(folded.due(&cal), before.due(&cal));
            if !folded.state.awaits_answer() {
                prop_assert_eq!(folded.warning_level(&cal, &w, at), WarningLevel::Green);
            }
            if let (Some(days), Some(late)) =
                (folded.working_days_to_answer(&cal), folded.answered_late(&cal))
            {
                prop_assert_eq!(late, days > folded.answer_days);
            }
        }
    }
}
