//! The home page: a dashboard for staff by role, a front door for the public.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::TimeZone;
use liandong_app::App;
use liandong_domain::calendar::{china_date, china_offset};
use liandong_domain::case::CaseState;
use liandong_domain::organization::Role;
use liandong_store::{CaseFilter, CaseSort};

use super::cases::{Row, count, inbox_states, rows, waiting};
use crate::error::PageError;
use crate::session::Visitor;
use crate::view::{Ctx, page};

#[derive(Template)]
#[template(path = "home_public.html")]
struct PublicHome {
    c: Ctx,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Dashboard {
    c: Ctx,
    name: String,
    roles: Vec<String>,
    clerk: bool,
    admin: bool,
    counts: Vec<(&'static str, i64, String)>,
    today: Vec<Row>,
    due_soon: Vec<Row>,
}

fn all_cases(limit: i64) -> CaseFilter {
    CaseFilter {
        state: None,
        open_only: false,
        unit: None,
        department: None,
        item: None,
        received_from: None,
        received_before: None,
        due_before: None,
        search: None,
        sort: CaseSort::ReceivedDesc,
        limit,
        offset: 0,
    }
}

pub async fn home(State(app): State<App>, visitor: Visitor) -> Result<Response, PageError> {
    let Some(signed) = &visitor.signed_in else {
        return Ok(visitor.finish(page(&PublicHome {
            c: visitor.ctx("/"),
        })));
    };
    let staff = &signed.session.staff;
    let has = |r: Role| staff.roles.contains(&r);
    let now = app.now();
    let midnight = china_date(now)
        .and_hms_opt(0, 0, 0)
        .and_then(|t| china_offset().from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&chrono::Utc));
    // The unit's counts of today: the unit's own cases for staff of a unit, all for district roles.
    let unit = (!staff.roles.iter().any(|r| r.sees_everything())).then_some(staff.unit_id);
    let scoped = |limit| CaseFilter {
        unit,
        ..all_cases(limit)
    };
    let received_today = count(
        &app,
        signed,
        CaseFilter {
            received_from: midnight,
            ..scoped(1)
        },
    )
    .await?;
    let open = count(
        &app,
        signed,
        CaseFilter {
            open_only: true,
            ..scoped(1)
        },
    )
    .await?;
    let overdue = count(
        &app,
        signed,
        CaseFilter {
            open_only: true,
            due_before: Some(now),
            ..scoped(1)
        },
    )
    .await?;
    let today = if has(Role::WindowClerk) {
        rows(
            &app,
            signed,
            &CaseFilter {
                received_from: midnight,
                unit: Some(staff.unit_id),
                ..all_cases(10)
            },
        )
        .await?
        .0
    } else {
        Vec::new()
    };
    let mut due_soon = Vec::new();
    for state in inbox_states(&staff.roles) {
        if matches!(state, CaseState::Submitted | CaseState::AwaitingSupplement) {
            continue;
        }
        due_soon.extend(rows(&app, signed, &waiting(state, 5, 0)).await?.0);
    }
    Ok(page(&Dashboard {
        c: signed.ctx("/"),
        name: staff.display_name.clone(),
        roles: staff.roles.iter().map(|r| format!("role.{r}")).collect(),
        clerk: has(Role::WindowClerk),
        admin: has(Role::SystemAdmin) || has(Role::UnitAdmin),
        counts: vec![
            ("home.today_received", received_today, "/cases".to_owned()),
            ("home.open", open, "/cases?open=1".to_owned()),
            ("home.overdue", overdue, "/cases?overdue=1".to_owned()),
        ],
        today,
        due_soon,
    }))
}
