//! What every page shares (language, header, navigation, CSRF token) and the small
//! formatting helpers templates call.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::calendar::china_datetime;
use liandong_domain::case::SpecialProcedure;
use liandong_domain::organization::Role;

use crate::i18n::Lang;
use crate::session::Signed;

/// A link of the main navigation.
pub struct Nav {
    pub href: &'static str,
    pub key: &'static str,
    pub active: bool,
}

/// The signed-in person in the header.
pub struct UserBar {
    pub name: String,
    pub unit: String,
}

/// The page context every template gets as `c`.
pub struct Ctx {
    pub l: Lang,
    pub csrf: String,
    pub user: Option<UserBar>,
    pub nav: Vec<Nav>,
    /// The current address with the other language chosen.
    pub lang_href: String,
}

fn lang_href(path: &str, lang: Lang) -> String {
    format!("{path}?lang={}", lang.other().code())
}

fn nav(links: &[(&'static str, &'static str)], path: &str) -> Vec<Nav> {
    links
        .iter()
        .map(|(href, key)| Nav {
            href,
            key,
            active: if *href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
        })
        .collect()
}

/// The menu of a city node (`serve --role city`): its dashboard, and sign-in for visitors.
pub fn city_nav(path: &str, signed_in: bool) -> Vec<Nav> {
    if signed_in {
        nav(&[("/city", "nav.city")], path)
    } else {
        nav(&[("/city", "nav.city"), ("/login", "nav.sign_in")], path)
    }
}

impl Ctx {
    /// Whether this is a city node's page (its menu is [`city_nav`]): no district links.
    pub fn is_city(&self) -> bool {
        self.nav.first().is_some_and(|n| n.href == "/city")
    }

    pub fn public(l: Lang, csrf: String, path: &str) -> Ctx {
        Ctx {
            l,
            csrf,
            user: None,
            nav: nav(
                &[
                    ("/", "nav.home"),
                    ("/guide", "nav.guide"),
                    ("/online", "nav.online"),
                    ("/progress", "nav.progress"),
                    ("/verify", "nav.verify"),
                    ("/appeal", "nav.appeal"),
                    ("/disclosure", "nav.disclosure"),
                    ("/login", "nav.sign_in"),
                ],
                path,
            ),
            lang_href: lang_href(path, l),
        }
    }

    pub fn signed(s: &Signed, path: &str) -> Ctx {
        let has = |roles: &[Role]| roles.iter().any(|r| s.session.staff.roles.contains(r));
        let mut links = vec![("/", "nav.home")];
        if has(&[Role::WindowClerk]) {
            links.push(("/workbench", "nav.workbench"));
        }
        if has(&[
            Role::WindowClerk,
            Role::HandlingOfficer,
            Role::Reviewer,
            Role::Approver,
        ]) {
            links.push(("/inbox", "nav.inbox"));
        }
        links.push(("/cases", "nav.cases"));
        if has(&[Role::WindowClerk]) {
            links.push(("/queue", "nav.queue"));
        }
        links.push(("/appeals", "nav.appeals"));
        if has(&[
            Role::WindowClerk,
            Role::HandlingOfficer,
            Role::Reviewer,
            Role::Approver,
            Role::UnitAdmin,
            Role::Supervisor,
        ]) {
            links.push(("/proxy", "nav.proxy"));
        }
        if has(&[Role::WindowClerk, Role::Approver, Role::Supervisor]) {
            links.push(("/projects", "nav.projects"));
        }
        if has(&[Role::Supervisor, Role::SystemAdmin, Role::UnitAdmin]) {
            links.push(("/monitor", "nav.monitor"));
        }
        if has(&[Role::Supervisor, Role::SystemAdmin, Role::UnitAdmin]) {
            links.push(("/attendance", "nav.attendance"));
            links.push(("/video", "nav.video"));
        }
        if has(&[Role::Supervisor, Role::SystemAdmin]) {
            links.push(("/findings", "nav.findings"));
            links.push(("/evaluation", "nav.evaluation"));
        }
        if has(&[Role::Supervisor, Role::SystemAdmin]) || s.session.staff.department_id.is_some() {
            links.push(("/notices", "nav.notices"));
            links.push(("/consultations", "nav.consultations"));
            links.push(("/certificates/renewals", "nav.renewals"));
        }
        if has(&[
            Role::Supervisor,
            Role::SystemAdmin,
            Role::UnitAdmin,
            Role::HandlingOfficer,
            Role::Approver,
        ]) {
            links.push(("/ratings", "nav.ratings"));
        }
        links.push(("/guide", "nav.guide"));
        if has(&[Role::SystemAdmin, Role::UnitAdmin, Role::Supervisor]) {
            links.push(("/admin/staff", "nav.staff"));
        }
        if has(&[Role::SystemAdmin, Role::UnitAdmin, Role::Supervisor]) {
            links.push(("/admin/organization", "nav.organization"));
        }
        if has(&[Role::SystemAdmin, Role::Supervisor]) {
            links.push(("/admin/reform-report", "nav.reform"));
            links.push(("/admin/calendar", "nav.calendar"));
        }
        Ctx {
            l: s.lang,
            csrf: s.csrf(),
            user: Some(UserBar {
                name: s.session.staff.display_name.clone(),
                unit: s.unit_name.clone(),
            }),
            nav: nav(&links, path),
            lang_href: lang_href(path, s.lang),
        }
    }
}

/// Renders a template as an HTML page with `status`.
pub fn render(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Renders a template as a 200 page.
pub fn page(template: &impl Template) -> Response {
    render(StatusCode::OK, template)
}

/// `2026-03-02 10:00`, China time.
pub fn time(at: &DateTime<Utc>) -> String {
    china_datetime(*at).format("%Y-%m-%d %H:%M").to_string()
}

/// `2026-03-02 10:00` or "—".
pub fn opt_time(at: &Option<DateTime<Utc>>) -> String {
    at.as_ref().map_or_else(|| "—".to_owned(), time)
}

/// `2026-03-02`.
pub fn date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Fen as yuan: `12.50`.
pub fn yuan(fen: &i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// Yuan as typed (`12`, `12.5`, `12.50`) in fen; None for anything else (negative, more
/// than two decimals, not a number).
pub fn parse_yuan(text: &str) -> Option<i64> {
    let (whole, part) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || part.len() > 2 || (!part.is_empty() && !digits(part)) {
        return None;
    }
    let fen: i64 = format!("{part:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(fen)
}

/// The procedures a special procedure may be, in the order of the law.
pub const PROCEDURES: [SpecialProcedure; 8] = [
    SpecialProcedure::Hearing,
    SpecialProcedure::Tender,
    SpecialProcedure::Auction,
    SpecialProcedure::Inspection,
    SpecialProcedure::Testing,
    SpecialProcedure::Quarantine,
    SpecialProcedure::Appraisal,
    SpecialProcedure::ExpertReview,
];

/// Links to the previous and next pages of a list.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's address with its filters, without `page`.
    pub fn new(base: &str, page: i64, per_page: i64, total: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let sep = if base.contains('?') { '&' } else { '?' };
        let link = |p: i64| format!("{base}{sep}page={p}");
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// A query string from pairs, leaving out empty values.
pub fn query(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .copied()
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_is_read_to_the_fen_and_anything_else_refused() {
        assert_eq!(parse_yuan("12"), Some(1200));
        assert_eq!(parse_yuan(" 12.5 "), Some(1250));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan("0"), Some(0));
        for bad in ["", "-1", "1.234", "1,5", "一", ".5", "1e3"] {
            assert_eq!(parse_yuan(bad), None, "{bad:?}");
        }
        assert_eq!(yuan(&1250), "12.50");
    }
}
