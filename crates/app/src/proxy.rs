//! Proxy service (全程代办) use cases: registering a proxied case in the station's ledger,
//! recording every hand-over up and down, handing the result to the applicant, the ledger
//! and its export, and each unit's daily list.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::calendar::{china_date, china_day_start, china_offset};
use liandong_domain::case::Channel;
use liandong_domain::notify::{CaseFacts, PlannedMessage, result_at_station_message};
use liandong_domain::organization::{CaseId, Role, UnitId, UnitKind, Visibility};
use liandong_domain::proxy::{
    LegLimits, ProxyAction, ProxyContext, ProxyEvent, ProxyRecord, ProxyState, decide, register,
};
use liandong_store::{
    NewProxyRecord, ProxyFilter, ProxyRow, ProxySummary, StoreError, StoredProxy,
};
use serde::Serialize;

use crate::{App, AppError, Result, Session};

/// A ledger line with its history, as its page and the receipt show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProxyView {
    pub summary: ProxySummary,
    pub record: ProxyRecord,
    pub events: Vec<ProxyEvent>,
    pub case_number: String,
    pub item_name: String,
    /// Names of the units of the route, station first.
    pub route_names: Vec<String>,
    /// Whether the current leg is past its limit.
    pub leg_overdue: bool,
}

fn row_of(record: &ProxyRecord, limits: LegLimits, app: &App) -> ProxyRow {
    ProxyRow {
        holder_unit_id: record.holder,
        next_unit_id: record.next_unit(),
        state: record.state,
        leg_due_at: record.leg_due(limits, &app.calendar()),
        delivered_at: record.delivered_at,
        late_legs: record.late_legs,
    }
}

fn not_found() -> AppError {
    AppError::NotFound("未找到该代办记录 / proxy record not found")
}

/// The units whose ledgers a session reads: its own units; supervisors all (`None`).
fn ledger_units(session: &Session) -> Option<Vec<UnitId>> {
    match &session.visibility {
        Visibility::All => None,
        Visibility::Limited { units, .. } => Some(units.clone()),
    }
}

fn sees(session: &Session, s: &ProxySummary, route: &[UnitId]) -> bool {
    match ledger_units(session) {
        None => true,
        Some(units) => {
            units.contains(&s.station_unit_id)
                || units.contains(&s.deciding_unit_id)
                || route.iter().any(|u| units.contains(u))
        }
    }
}

impl App {
    fn replay_proxy(&self, events: &[ProxyEvent]) -> Result<ProxyRecord> {
        ProxyRecord::replay(events, self.proxy_limits, &self.calendar())
            .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))
    }

    async fn proxy_view_of(&self, stored: StoredProxy) -> Result<ProxyView> {
        let record = self.replay_proxy(&stored.events)?;
        let case = self.store.case_summary(stored.summary.case_id).await?;
        let item = self.item_version(case.item_id, case.item_version).await?;
        let units = self.store.units().await?;
        let route_names = record
            .route
            .iter()
            .map(|id| {
                units
                    .iter()
                    .find(|u| u.id == *id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default()
            })
            .collect();
        Ok(ProxyView {
            leg_overdue: record.leg_overdue(self.proxy_limits, &self.calendar(), self.now()),
            summary: stored.summary,
            record,
            events: stored.events,
            case_number: case.number.as_str().to_owned(),
            item_name: item.name,
            route_names,
        })
    }

    async fn visible_proxy(&self, session: &Session, id: i64) -> Result<StoredProxy> {
        let stored = self.store.proxy_record(id).await.map_err(|e| match e {
            StoreError::NotFound(_) => not_found(),
            other => other.into(),
        })?;
        let route = match stored.events.first().map(|e| &e.kind) {
            Some(liandong_domain::proxy::ProxyEventKind::Registered { route, .. }) => route.clone(),
            _ => Vec::new(),
        };
        if sees(session, &stored.summary, &route) {
            Ok(stored)
        } else {
            Err(not_found())
        }
    }

    /// Enters a proxied case in the ledger of the station (or township center) that took it
    /// in, and makes the receipt: its route up to the deciding unit and the promised date.
    pub async fn register_proxy(
        &self,
        session: &Session,
        case_id: CaseId,
        contact: &str,
    ) -> Result<ProxyView> {
        session.require(Role::WindowClerk)?;
        let view = self.case_view(session, case_id).await?;
        let case = &view.summary;
        if case.received_unit_id != session.staff.unit_id || case.channel != Channel::Proxy {
            return Err(AppError::invalid(
                "case_id",
                "只能登记本站代办收件的办件",
                "only cases this unit took in by proxy are entered in its ledger",
            ));
        }
        let station = self.store.unit(case.received_unit_id).await?;
        let mut route = vec![station.id];
        if station.kind == UnitKind::VillageStation
            && let Some(township) = station.parent_id
            && township != case.handling_unit_id
        {
            route.push(township);
        }
        route.push(case.handling_unit_id);
        let item = self.item_version(case.item_id, case.item_version).await?;
        let calendar = self.calendar();
        let today = china_date(self.now());
        let legs = u32::try_from(route.len().saturating_sub(1)).unwrap_or(u32::MAX);
        // Before acceptance the case has no due date: its committed limit after the legs up.
        let limit = if item.committed_days > 0 {
            item.committed_days
        } else {
            item.statutory_days
        };
        let case_due = match case.due_at {
            Some(due) => china_date(due),
            None => {
                calendar
                    .add_working_days(
                        today,
                        self.proxy_limits.up_days.saturating_mul(legs) + limit,
                    )
                    .value
            }
        };
        let kind = register(
            case_id,
            route.clone(),
            &view.case.materials_received,
            case_due,
            contact,
            self.proxy_limits,
            &calendar,
        )?;
        let first = ProxyEvent {
            seq: 1,
            at: self.now(),
            actor: session.staff.id,
            unit: station.id,
            kind,
        };
        let record = self.replay_proxy(std::slice::from_ref(&first))?;
        let new = NewProxyRecord {
            station_unit_id: station.id,
            station_code: station.code.clone(),
            registered_on: today,
            deciding_unit_id: case.handling_unit_id,
            promised_on: record.promised,
            contact: contact.trim().to_owned(),
            row: row_of(&record, self.proxy_limits, self),
            first,
        };
        let (id, _) = self
            .store
            .write(move |tx| Box::pin(async move { tx.insert_proxy_record(&new).await }))
            .await?;
        self.proxy_view_of(self.store.proxy_record(id).await?).await
    }

    pub async fn proxy_view(&self, session: &Session, id: i64) -> Result<ProxyView> {
        let stored = self.visible_proxy(session, id).await?;
        self.proxy_view_of(stored).await
    }

    /// Records a hand-over received, a result ready or the delivery to the applicant.
    pub async fn act_on_proxy(
        &self,
        session: &Session,
        id: i64,
        expected_version: u32,
        action: &ProxyAction,
    ) -> Result<ProxyView> {
        session.require_any(&[
            Role::WindowClerk,
            Role::HandlingOfficer,
            Role::Reviewer,
            Role::Approver,
            Role::UnitAdmin,
        ])?;
        let stored = self.visible_proxy(session, id).await?;
        if stored.summary.version != expected_version {
            return Err(AppError::Conflict {
                stale: i64::from(expected_version),
            });
        }
        let mut record = self.replay_proxy(&stored.events)?;
        let case = self.store.case_summary(stored.summary.case_id).await?;
        let now = self.now();
        let kind = decide(
            &record,
            action,
            &ProxyContext {
                now,
                actor: session.staff.id,
                actor_unit: session.staff.unit_id,
                case_decided: case.decided_at.is_some() || case.state.is_closed(),
            },
        )?;
        let event = ProxyEvent {
            seq: record.version + 1,
            at: now,
            actor: session.staff.id,
            unit: session.staff.unit_id,
            kind,
        };
        let was_waiting = record.state == ProxyState::AwaitingPickup;
        record
            .apply(&event, self.proxy_limits, &self.calendar())
            .map_err(|e| AppError::Storage(StoreError::Corrupt(e.to_string())))?;
        // The result is back at the station: the applicant is told to come for it, in the
        // same transaction as the hand-over.
        let planned = if record.state == ProxyState::AwaitingPickup && !was_waiting {
            self.result_back_message(&case, &stored.summary, event.seq)
                .await?
        } else {
            None
        };
        let row = row_of(&record, self.proxy_limits, self);
        let case_id = case.id;
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.append_proxy_event(id, expected_version, &event, &row)
                        .await?;
                    crate::notify::enqueue_planned(tx, case_id, planned.as_slice(), now)
                        .await
                        .map(|_| ())
                })
            })
            .await?;
        self.proxy_view_of(self.store.proxy_record(id).await?).await
    }

    /// The SMS telling the applicant of `case` that the result is at the station.
    async fn result_back_message(
        &self,
        case: &liandong_store::CaseSummary,
        record: &ProxySummary,
        seq: u32,
    ) -> Result<Option<PlannedMessage>> {
        let item = self.item_version(case.item_id, case.item_version).await?;
        let station = self.store.unit(record.station_unit_id).await?;
        let facts = CaseFacts {
            case: case.id,
            number: case.number.as_str(),
            item_name: &item.name,
            applicant_name: &case.applicant_name,
            phone: &case.phone,
            due_at: case.due_at,
            outcome: case.outcome,
        };
        Ok(result_at_station_message(
            &facts,
            record.id,
            seq,
            &station.name,
        ))
    }

    /// A page of the ledger the session may read, by station, month and state.
    pub async fn proxy_ledger(
        &self,
        session: &Session,
        station: Option<UnitId>,
        month: Option<(i32, u32)>,
        state: Option<ProxyState>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ProxySummary>, i64)> {
        let (from, before) = match month {
            Some((year, month)) => {
                let first = NaiveDate::from_ymd_opt(year, month, 1)
                    .ok_or_else(|| AppError::invalid("month", "月份无效", "not a valid month"))?;
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(first);
                (Some(china_day_start(first)), Some(china_day_start(next)))
            }
            None => (None, None),
        };
        Ok(self
            .store
            .proxy_records(&ProxyFilter {
                station,
                state,
                registered_from: from,
                registered_before: before,
                visible_units: ledger_units(session),
                limit,
                offset,
                ..ProxyFilter::default()
            })
            .await?)
    }

    /// What the session's unit must do today: papers to carry on or take in, results to hand
    /// to applicants; most urgent first.
    pub async fn proxy_daily_list(&self, session: &Session) -> Result<Vec<ProxySummary>> {
        let unit = session.staff.unit_id;
        let (rows, _) = self
            .store
            .proxy_records(&ProxyFilter {
                at_unit: Some(unit),
                visible_units: ledger_units(session),
                limit: 1000,
                ..ProxyFilter::default()
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter(|r| match r.state {
                ProxyState::GoingUp | ProxyState::GoingDown => true,
                ProxyState::AwaitingPickup => r.holder_unit_id == unit,
                ProxyState::AtDecidingUnit | ProxyState::Delivered => false,
            })
            .collect())
    }

    /// The ledger as CSV (UTF-8 with a BOM), by station, month and state; at most 10,000
    /// lines. It holds no applicant's data: the case number leads to it for those who may.
    pub async fn export_proxy_ledger(
        &self,
        session: &Session,
        station: Option<UnitId>,
        month: Option<(i32, u32)>,
        state: Option<ProxyState>,
    ) -> Result<Vec<u8>> {
        let (rows, total) = self
            .proxy_ledger(session, station, month, state, 10_000, 0)
            .await?;
        if total > 10_000 {
            return Err(AppError::invalid(
                "month",
                "超过单次导出上限10000条，请按站点或月份导出",
                "more than 10,000 lines: export by station or month",
            ));
        }
        let units = self.store.units().await?;
        let name = |id: Option<UnitId>| {
            id.and_then(|id| units.iter().find(|u| u.id == id))
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let time = |at: Option<DateTime<Utc>>| {
            at.map(|t| {
                t.with_timezone(&china_offset())
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
        };
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let failed = |e: csv::Error| AppError::Storage(StoreError::Corrupt(e.to_string()));
        writer
            .write_record([
                "承办单编号 receipt_number",
                "办件编号 case_number",
                "代办站点 station",
                "审批单位 deciding_unit",
                "状态 state",
                "现在何处 holder",
                "登记时间 registered_at",
                "承诺日期 promised_on",
                "本段时限 leg_due_at",
                "送达时间 delivered_at",
                "超时段数 late_legs",
                "联系人 contact",
            ])
            .map_err(failed)?;
        for row in &rows {
            let case = self.store.case_summary(row.case_id).await?;
            writer
                .write_record([
                    row.receipt_number.clone(),
                    case.number.as_str().to_owned(),
                    name(Some(row.station_unit_id)),
                    name(Some(row.deciding_unit_id)),
                    row.state.name_zh().to_owned(),
                    name(Some(row.holder_unit_id)),
                    time(Some(row.registered_at)),
                    row.promised_on.to_string(),
                    time(row.leg_due_at),
                    time(row.delivered_at),
                    row.late_legs.to_string(),
                    row.contact.clone(),
                ])
                .map_err(failed)?;
        }
        writer
            .into_inner()
            .map_err(|e| failed(e.into_error().into()))
    }
}
