//! Ratings (好差评) and the rectification of poor ones.

use chrono::{DateTime, NaiveDate, Utc};
use liandong_domain::organization::{CaseId, DepartmentId, UnitId, WindowId};
use liandong_domain::rating::{RatingChannel, RectificationState, Satisfaction};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::filter::Where;
use crate::{
    Result, Store, StoreError, WriteTx, instant, millis, opt_instant, parse_column, u32_column,
    updated_at_version,
};

/// A rating as stored, with its rectification when poor.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingRecord {
    pub id: i64,
    pub case_id: Option<CaseId>,
    pub case_number: Option<String>,
    pub ticket_id: Option<i64>,
    pub channel: RatingChannel,
    pub satisfaction: Satisfaction,
    pub reason: String,
    pub window_id: Option<WindowId>,
    pub department_id: Option<DepartmentId>,
    /// The unit that served: the case's handling unit, or the hall of the visit.
    pub unit_id: UnitId,
    /// Someone to call back: the rating came with a case whose applicant is known.
    pub real_name: bool,
    /// The applicant's phone, for the return visit and the reply; staff only.
    pub phone: String,
    pub rated_at: DateTime<Utc>,
    /// None for a rating that is not poor.
    pub rectification: Option<RectificationState>,
    pub rectify_by: Option<NaiveDate>,
    pub founded: Option<bool>,
    pub visit_notes: String,
    /// The measures taken, or the explanation.
    pub measures: String,
    /// The reply sent to the applicant.
    pub reply: String,
    pub concluded_at: Option<DateTime<Utc>>,
    pub version: u32,
}

/// A rating to store.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub case_id: Option<CaseId>,
    pub ticket_id: Option<i64>,
    pub channel: RatingChannel,
    pub satisfaction: Satisfaction,
    pub reason: String,
    pub window_id: Option<WindowId>,
    pub department_id: Option<DepartmentId>,
    pub unit_id: UnitId,
    pub real_name: bool,
    pub phone: String,
    pub rated_at: DateTime<Utc>,
    /// Set for a poor rating: the last day of its rectification.
    pub rectify_by: Option<NaiveDate>,
}

/// A step of a rectification to write.
#[derive(Debug, Clone)]
pub struct RectificationUpdate {
    pub state: RectificationState,
    pub founded: Option<bool>,
    pub visit_notes: String,
    pub measures: String,
    pub reply: String,
    pub concluded_at: Option<DateTime<Utc>>,
}

/// Which ratings to list.
#[derive(Debug, Clone, Default)]
pub struct RatingFilter {
    pub department: Option<DepartmentId>,
    /// Only those served at one of these units.
    pub units: Option<Vec<UnitId>>,
    pub case: Option<CaseId>,
    /// Poor ratings only.
    pub poor: bool,
    /// Poor ratings whose rectification is still running.
    pub open: bool,
    pub limit: i64,
    pub offset: i64,
}

/// How the month's ratings are grouped for the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingsBy {
    Department,
    Unit,
    Window,
}

/// One group's count of one level, and how many of its poor ratings were concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingCount {
    pub owner: i64,
    pub satisfaction: Satisfaction,
    pub count: u32,
    pub rectified: u32,
}

const COLUMNS: &str = "SELECT r.id, r.case_id, c.number, r.ticket_id, r.channel, r.satisfaction,
    r.reason, r.window_id, r.department_id, r.unit_id, r.real_name, r.phone, r.rated_at,
    r.rectification, r.rectify_by, r.founded, r.visit_notes, r.measures, r.reply,
    r.concluded_at, r.version FROM ratings r LEFT JOIN cases c ON c.id = r.case_id";

fn rating_row(row: &AnyRow) -> Result<RatingRecord> {
    let rectification: Option<String> = row.try_get("rectification")?;
    let rectify_by: Option<String> = row.try_get("rectify_by")?;
    let founded: Option<i64> = row.try_get("founded")?;
    let real_name: i64 = row.try_get("real_name")?;
    Ok(RatingRecord {
        id: row.try_get("id")?,
        case_id: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        case_number: row.try_get("number")?,
        ticket_id: row.try_get("ticket_id")?,
        channel: parse_column(row, "channel")?,
        satisfaction: parse_column(row, "satisfaction")?,
        reason: row.try_get("reason")?,
        window_id: row.try_get::<Option<i64>, _>("window_id")?.map(WindowId),
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        unit_id: UnitId(row.try_get("unit_id")?),
        real_name: real_name != 0,
        phone: row.try_get("phone")?,
        rated_at: instant(row.try_get("rated_at")?)?,
        rectification: rectification
            .map(|s| {
                s.parse()
                    .map_err(|_| StoreError::Corrupt(format!("rectification {s}")))
            })
            .transpose()?,
        rectify_by: rectify_by
            .map(|s| {
                s.parse()
                    .map_err(|_| StoreError::Corrupt(format!("rectify_by {s}")))
            })
            .transpose()?,
        founded: founded.map(|f| f != 0),
        visit_notes: row.try_get("visit_notes")?,
        measures: row.try_get("measures")?,
        reply: row.try_get("reply")?,
        concluded_at: opt_instant(row.try_get("concluded_at")?)?,
        version: u32_column(row, "version")?,
    })
}

impl WriteTx {
    /// Stores a rating; a second rating of the same visit or matter is `Duplicate`.
    pub async fn insert_rating(&mut self, rating: &NewRating) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO ratings (case_id, ticket_id, channel, satisfaction, poor, reason,
                window_id, department_id, unit_id, real_name, phone, rated_at, rectification,
                rectify_by, visit_notes, measures, reply, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', '', '', 1)
             RETURNING id",
        )
        .bind(rating.case_id.map(|c| c.0))
        .bind(rating.ticket_id)
        .bind(rating.channel.as_str())
        .bind(rating.satisfaction.as_str())
        .bind(i64::from(rating.satisfaction.is_poor()))
        .bind(&rating.reason)
        .bind(rating.window_id.map(|w| w.0))
        .bind(rating.department_id.map(|d| d.0))
        .bind(rating.unit_id.0)
        .bind(i64::from(rating.real_name))
        .bind(&rating.phone)
        .bind(millis(rating.rated_at))
        .bind(
            rating
                .satisfaction
                .is_poor()
                .then_some(RectificationState::AwaitingVisit.as_str()),
        )
        .bind(rating.rectify_by.map(|d| d.to_string()))
        .fetch_one(self.conn())
        .await
        .map_err(StoreError::unique(
            "该次服务的评价 a rating of this visit or matter",
        ))?;
        Ok(row.try_get("id")?)
    }

    /// Writes a step of a rectification read at `expected_version`.
    pub async fn update_rectification(
        &mut self,
        id: i64,
        expected_version: u32,
        update: &RectificationUpdate,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE ratings SET rectification = $1, founded = $2, visit_notes = $3,
                measures = $4, reply = $5, concluded_at = $6, version = version + 1
             WHERE id = $7 AND version = $8",
        )
        .bind(update.state.as_str())
        .bind(update.founded.map(i64::from))
        .bind(&update.visit_notes)
        .bind(&update.measures)
        .bind(&update.reply)
        .bind(update.concluded_at.map(millis))
        .bind(id)
        .bind(i64::from(expected_version))
        .execute(self.conn())
        .await?;
        updated_at_version(&done, expected_version)
    }
}

impl Store {
    pub async fn rating(&self, id: i64) -> Result<RatingRecord> {
        let sql = format!("{COLUMNS} WHERE r.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("评价 rating"))?;
        rating_row(&row)
    }

    /// Whether the matter (case) has its one online or SMS rating.
    pub async fn matter_rated(&self, case: CaseId) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM ratings WHERE case_id = $1 AND channel <> 'pad'",
        )
        .bind(case.0)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Whether the visit (ticket) has its one rating.
    pub async fn visit_rated(&self, ticket: i64) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM ratings WHERE ticket_id = $1")
            .bind(ticket)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Cases for `phone` closed since `since`, the latest first: where an SMS reply to the
    /// rating invitation belongs.
    pub async fn cases_closed_for_phone(
        &self,
        phone: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<CaseId>> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE phone = $1 AND closed_at >= $2
             ORDER BY closed_at DESC, id DESC LIMIT 20",
        )
        .bind(phone)
        .bind(millis(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get("id")?))).collect()
    }

    /// A page of ratings, newest first, and how many match in all.
    pub async fn ratings(&self, filter: &RatingFilter) -> Result<(Vec<RatingRecord>, i64)> {
        let mut w = Where::default();
        if let Some(d) = filter.department {
            let p = w.int(d.0);
            w.and(format!("r.department_id = {p}"));
        }
        if let Some(units) = &filter.units {
            let alternatives: Vec<String> = units
                .iter()
                .map(|u| format!("r.unit_id = {}", w.int(u.0)))
                .collect();
            w.any_of(&alternatives);
        }
        if let Some(c) = filter.case {
            let p = w.int(c.0);
            w.and(format!("r.case_id = {p}"));
        }
        if filter.poor {
            w.and("r.poor = 1".into());
        }
        if filter.open {
            let visit = w.text(RectificationState::AwaitingVisit.as_str());
            let visited = w.text(RectificationState::Visited.as_str());
            w.and(format!("r.rectification IN ({visit}, {visited})"));
        }
        let (rows, total) = w
            .page(
                &self.pool,
                COLUMNS,
                "ratings r",
                "r.rated_at DESC, r.id DESC",
                filter.limit,
                filter.offset,
            )
            .await?;
        let ratings = rows.iter().map(rating_row).collect::<Result<_>>()?;
        Ok((ratings, total))
    }

    /// The ratings given in [start, end) per owner and level, with the poor ones concluded
    /// (rectified or explained) by now.
    pub async fn rating_counts(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        by: RatingsBy,
    ) -> Result<Vec<RatingCount>> {
        // A window answers for the visits rated at its pad and for the cases it took in,
        // however they were rated (online, by SMS).
        let owner = match by {
            RatingsBy::Department => "r.department_id",
            RatingsBy::Unit => "r.unit_id",
            RatingsBy::Window => "COALESCE(r.window_id, c.window_id)",
        };
        let sql = format!(
            "SELECT {owner} AS owner, r.satisfaction, COUNT(*) AS n,
                SUM(CASE WHEN r.rectification IN ('rectified', 'explained') THEN 1 ELSE 0 END) AS rectified
             FROM ratings r LEFT JOIN cases c ON c.id = r.case_id
             WHERE r.rated_at >= $1 AND r.rated_at < $2 AND {owner} IS NOT NULL
             GROUP BY {owner}, r.satisfaction"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(millis(start))
            .bind(millis(end))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(RatingCount {
                    owner: row.try_get("owner")?,
                    satisfaction: parse_column(row, "satisfaction")?,
                    count: u32_column(row, "n")?,
                    rectified: u32_column(row, "rectified")?,
                })
            })
            .collect()
    }
}
