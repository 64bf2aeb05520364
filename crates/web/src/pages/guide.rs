//! The public service guide (办事指南): the list of items and one page per item.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use liandong_app::App;
use liandong_domain::catalog::{ItemLevel, ServiceItem};
use liandong_domain::organization::UnitKind;
use liandong_store::ItemRecord;

use super::workbench::search_items;
use crate::error::PageError;
use crate::form::Params;
use crate::session::Visitor;
use crate::view::{Ctx, Pager, page, query};

const PER_PAGE: usize = 30;

#[derive(Template)]
#[template(path = "guide_list.html")]
struct ListPage {
    c: Ctx,
    q: String,
    items: Vec<ItemRecord>,
    p: Pager,
}

pub async fn list(
    State(app): State<App>,
    visitor: Visitor,
    Params(q): Params,
) -> Result<Response, PageError> {
    let text = q.get("q").trim().to_owned();
    let found = search_items(&app, &text).await?;
    let page_no = q.page();
    let total = i64::try_from(found.len()).unwrap_or(i64::MAX);
    let skip = usize::try_from((page_no - 1) * PER_PAGE as i64).unwrap_or(0);
    let items = found.into_iter().skip(skip).take(PER_PAGE).collect();
    Ok(visitor.finish(page(&ListPage {
        c: visitor.ctx("/guide"),
        p: Pager::new(
            &query("/guide", &[("q", &text)]),
            page_no,
            PER_PAGE as i64,
            total,
        ),
        q: text,
        items,
    })))
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    c: Ctx,
    item: ServiceItem,
    version: u32,
    department: String,
    places: Vec<String>,
    staff: bool,
    /// Questions about the item answered and published (网上咨询).
    answers: Vec<liandong_domain::consultation::PublicConsultation>,
}

pub async fn show(
    State(app): State<App>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let record = published_item(&app, &code).await?;
    let department = app
        .departments()
        .await?
        .into_iter()
        .find(|d| d.id == record.department_id)
        .map(|d| d.name)
        .unwrap_or_default();
    let units = app.units().await?;
    let item = record.item;
    let l = visitor.lang;
    let mut places: Vec<String> = match item.level {
        ItemLevel::DistrictHall => units
            .iter()
            .filter(|u| u.kind == UnitKind::DistrictHall)
            .map(|u| place(&u.name, &u.address))
            .collect(),
        ItemLevel::BranchHall => units
            .iter()
            .filter(|u| item.branch_code.as_deref() == Some(u.code.as_str()))
            .map(|u| place(&u.name, &u.address))
            .collect(),
        ItemLevel::TownshipCenter => vec![l.t("level_kind.township_center").to_owned()],
    };
    if item.proxy_by_village {
        places.push(l.t("guide.proxy").to_owned());
    }
    let answers = app.public_consultations(&item.code).await?;
    Ok(visitor.finish(page(&GuidePage {
        answers,
        c: visitor.ctx("/guide"),
        version: record.current_version,
        department,
        places,
        staff: visitor.signed_in.is_some(),
        item,
    })))
}

/// An item of the catalog that is not cancelled, by its code as written in an address.
pub(crate) async fn published_item(
    app: &App,
    code: &str,
) -> Result<liandong_store::ItemRecord, PageError> {
    let code = liandong_domain::catalog::ItemCode::parse(code).map_err(|_| PageError::NotFound)?;
    let record = app.item_by_code(&code).await?;
    if record.cancelled {
        return Err(PageError::NotFound);
    }
    Ok(record)
}

fn place(name: &str, address: &str) -> String {
    if address.is_empty() {
        name.to_owned()
    } else {
        format!("{name}（{address}）")
    }
}
