//! A WHERE clause built from optional filters, and the page of rows it selects with the
//! count of all that match: what every list of the store does.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::Result;

/// A value bound to a numbered placeholder, in the order the placeholders were made.
enum Param {
    Int(i64),
    Text(String),
}

#[derive(Default)]
pub(crate) struct Where {
    conditions: Vec<String>,
    params: Vec<Param>,
}

impl Where {
    /// A placeholder for an integer; use it in as many conditions as need it.
    pub(crate) fn int(&mut self, value: i64) -> String {
        self.params.push(Param::Int(value));
        format!("${}", self.params.len())
    }

    pub(crate) fn text(&mut self, value: impl Into<String>) -> String {
        self.params.push(Param::Text(value.into()));
        format!("${}", self.params.len())
    }

    /// One more condition that every row must meet.
    pub(crate) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// A condition met by any of `alternatives`; with none, nothing matches.
    pub(crate) fn any_of(&mut self, alternatives: &[String]) {
        if alternatives.is_empty() {
            self.conditions.push("1 = 0".into());
        } else {
            self.conditions
                .push(format!("({})", alternatives.join(" OR ")));
        }
    }

    fn clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn bind<'q>(
        &'q self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for param in &self.params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.as_str()),
            };
        }
        query
    }

    /// `select` (a `SELECT … FROM table`) of every matching row, then `rest` (GROUP BY,
    /// ORDER BY).
    pub(crate) async fn all(
        &self,
        pool: &AnyPool,
        select: &str,
        rest: &str,
    ) -> Result<Vec<AnyRow>> {
        let sql = format!("{select}{}{rest}", self.clause());
        Ok(self
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_all(pool)
            .await?)
    }

    /// `select` (a `SELECT … FROM table`) of the matching rows ordered by `order`, `limit`
    /// from `offset`, and how many rows of `table` match in all.
    pub(crate) async fn page(
        &self,
        pool: &AnyPool,
        select: &str,
        table: &str,
        order: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AnyRow>, i64)> {
        let clause = self.clause();
        let list_sql = format!(
            "{select}{clause} ORDER BY {order} LIMIT {limit} OFFSET {}",
            offset.max(0)
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM {table}{clause}");
        let rows = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(list_sql)))
            .fetch_all(pool)
            .await?;
        let total: i64 = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(count_sql)))
            .fetch_one(pool)
            .await?
            .try_get("n")?;
        Ok((rows, total))
    }
}
