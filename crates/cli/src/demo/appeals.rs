//! The demo's appeals (三项制度): a year of opinions, suggestions and problems raised at the
//! village stations, in the seed's proportions: about 95,000 a year for 554,912 cases, nine in
//! ten settled in the village, 97.7 % concluded; a few escalated to the township or the
//! district, and the last weeks' still open.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use liandong_app::App;
use liandong_app::appeals::appeal_record;
use liandong_domain::appeal::{
    Appeal, AppealAction, AppealChannel, AppealContext, AppealEvent, AppealKind, AppealScope,
    Person, Registration, UnitRef, decide, needs_acceptance, register,
};
use liandong_domain::calendar::china_date;
use liandong_domain::organization::{Actor, Role, UnitKind};
use liandong_domain::rating::Satisfaction;
use liandong_store::NewAppeal;
use rand::Rng;
use rand::rngs::StdRng;

use super::{Org, random_person, random_phone};

/// Appeals per case in the seed's year.
const PER_CASE: f64 = 95_000.0 / 554_912.0;

const MATTERS: [(&str, &str); 8] = [
    ("道路交通", "村道路灯损坏，夜间出行不便"),
    ("环境卫生", "垃圾收运不及时，集中点气味大"),
    ("农村建设", "农房建设审批材料不清楚，希望上门指导"),
    ("社会保障", "低保年审需要哪些材料，能否代办"),
    ("水电气", "自来水压力不足，高层住户用水困难"),
    ("邻里纠纷", "相邻宅基地界线有争议，请求调解"),
    ("政策咨询", "建议在便民服务站公布惠农补贴政策"),
    ("服务态度", "窗口工作人员解释不耐心"),
];

fn unit_ref(org: &Org, id: liandong_domain::organization::UnitId) -> Option<UnitRef> {
    org.units
        .iter()
        .find(|(u, ..)| *u == id)
        .map(|(id, _, kind, parent)| UnitRef {
            id: *id,
            kind: *kind,
            parent: *parent,
        })
}

/// Someone who may act for the unit that settles an appeal now.
fn responsible_actor(org: &Org, appeal: &Appeal) -> Option<Actor> {
    let unit = appeal.responsible.unit;
    match appeal.responsible.department {
        Some(d) => org.actor(unit, Some(d), Role::HandlingOfficer),
        None if unit == org.hall => org.actor(unit, None, Role::Supervisor),
        None => org
            .actor(unit, None, Role::HandlingOfficer)
            .or_else(|| org.actor(unit, None, Role::WindowClerk)),
    }
}

/// Builds `cases` × the seed's ratio of appeals, registered over the last year up to `now`.
pub(super) async fn seed_appeals(
    app: &App,
    org: &Org,
    cases: u64,
    now: DateTime<Utc>,
    rng: &mut StdRng,
) -> Result<u64> {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let count = (cases as f64 * PER_CASE).round() as u64;
    let villages: Vec<_> = org
        .units
        .iter()
        .filter(|(_, _, kind, _)| *kind == UnitKind::VillageStation)
        .collect();
    if villages.is_empty() || count == 0 {
        return Ok(0);
    }
    let departments: Vec<_> = org.departments.values().copied().collect();
    let calendar = app.calendar();
    let mut made = 0;
    let mut tx = app.store.begin().await?;
    for n in 0..count {
        let (village, code, _, _) = villages[rng.random_range(0..villages.len())];
        let Some(clerk) = org.actor(*village, None, Role::WindowClerk) else {
            bail!("no clerk at station {code}")
        };
        let at = now - Duration::minutes(rng.random_range(60..365 * 24 * 60));
        let roll: f64 = rng.random();
        let (scope, department) = if roll < 0.94 {
            (AppealScope::Village, None)
        } else if roll < 0.975 {
            (AppealScope::Township, None)
        } else if roll < 0.995 {
            (
                AppealScope::DistrictDepartment,
                Some(departments[rng.random_range(0..departments.len())]),
            )
        } else {
            (AppealScope::DistrictDepartments, None)
        };
        let (category, content) = MATTERS[rng.random_range(0..MATTERS.len())];
        let kind = match category {
            "服务态度" => AppealKind::ServiceComplaint,
            "政策咨询" => AppealKind::Suggestion,
            _ if rng.random_bool(0.2) => AppealKind::Opinion,
            _ => AppealKind::Problem,
        };
        let input = Registration {
            kind,
            channel: AppealChannel::Station,
            scope,
            person: Person {
                name: random_person(rng)?.name().to_owned(),
                phone: Some(random_phone(rng)?),
            },
            category: category.to_owned(),
            content: content.to_owned(),
            address: String::new(),
            unit: None,
            department,
        };
        let raised = unit_ref(org, *village).context("station")?;
        let registered = register(&input, raised, None, org.hall, &calendar, at)?;
        let first = AppealEvent {
            seq: 1,
            at,
            actor: Some(clerk.staff_id),
            unit: *village,
            kind: registered.clone(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let mut appeal = Appeal::replay(std::slice::from_ref(&first))?;
        let mut events: Vec<AppealEvent> = Vec::new();
        // What happened since, as far as `now`: a visit, sometimes an escalation, the answer
        // within the deadline (a few late, the youngest still open), the person's rating.
        let mut t = at + Duration::hours(rng.random_range(2..48));
        let mut steps = vec![AppealAction::RecordAction {
            note: "已走访了解情况".into(),
        }];
        // A complaint about the service is first accepted by the efficiency complaint center.
        if needs_acceptance(kind) {
            steps.insert(
                0,
                AppealAction::Accept {
                    note: "属于效能投诉受理范围".into(),
                },
            );
        }
        if scope == AppealScope::Village && rng.random_bool(0.03) {
            steps.push(AppealAction::Escalate {
                scope: AppealScope::Township,
                unit: None,
                department: None,
                reason: "需镇街相关部门协调解决".into(),
            });
        }
        if rng.random_bool(0.977) {
            steps.push(AppealAction::Answer {
                answer: "已处理，并向反映人当面答复".into(),
            });
            if rng.random_bool(0.85) {
                let satisfaction = if rng.random_bool(0.97) {
                    Satisfaction::Satisfied
                } else {
                    Satisfaction::Dissatisfied
                };
                steps.push(AppealAction::Rate {
                    satisfaction,
                    comment: if satisfaction.is_poor() {
                        "问题仍未彻底解决".into()
                    } else {
                        String::new()
                    },
                });
            }
        }
        for action in steps {
            let due_at = calendar.close_of(appeal.due);
            let span = (due_at - t).num_minutes().max(60);
            // Most are settled early in their period; one in fifty runs late.
            let late = rng.random_bool(0.02);
            t += Duration::minutes(if late {
                span + rng.random_range(60..5_000)
            } else {
                rng.random_range(30..span / 2 + 60)
            });
            if t >= now {
                break;
            }
            let rating = matches!(action, AppealAction::Rate { .. });
            let actor = if rating {
                None
            } else if matches!(action, AppealAction::Accept { .. }) {
                org.actor(org.hall, None, Role::Supervisor)
            } else {
                responsible_actor(org, &appeal)
            };
            if !rating && actor.is_none() {
                break;
            }
            let responsible_unit = unit_ref(org, appeal.responsible.unit).context("unit")?;
            let kinds = decide(
                &appeal,
                &action,
                &AppealContext {
                    now: t,
                    actor: actor.as_ref(),
                    calendar: &calendar,
                    responsible_unit,
                    chosen_unit: None,
                    hall: org.hall,
                },
            )?;
            for kind in kinds {
                let event = AppealEvent {
                    seq: appeal.version + 1,
                    at: t,
                    actor: actor.as_ref().map(|a| a.staff_id),
                    unit: actor
                        .as_ref()
                        .map_or(appeal.responsible.unit, |a| a.unit_id),
                    kind,
                    prev_hash: String::new(),
                    hash: String::new(),
                };
                appeal.apply(&event)?;
                events.push(event);
            }
        }
        let (id, _) = tx
            .insert_appeal(&NewAppeal {
                raised_unit_id: *village,
                raised_unit_code: code.clone(),
                raised_on: china_date(at),
                at,
                actor: Some(clerk.staff_id),
                registered,
                record: appeal_record(&Appeal::replay(std::slice::from_ref(&first))?, &calendar),
            })
            .await?;
        tx.append_appeal_events(id, 1, &events, &appeal_record(&appeal, &calendar))
            .await?;
        made += 1;
        if n % 2_000 == 1_999 {
            tx.commit().await?;
            tx = app.store.begin().await?;
        }
    }
    tx.commit().await?;
    Ok(made)
}
