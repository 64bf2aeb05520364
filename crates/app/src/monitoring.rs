//! Monitoring (实时监控) over the running totals, and the recount that checks them.

use std::collections::BTreeMap;

use liandong_domain::case::deadline::case_clock;
use liandong_domain::case::tally::{Tally, tally};
use liandong_domain::case::{Case, EventKind};
use liandong_domain::organization::CaseId;
use liandong_store::{StoreError, TotalsKey};

use crate::{App, AppError, Result};

impl App {
    /// The totals recounted from every case's events, event by event, with the same rule the
    /// writes use (`case::tally`): what the kept totals must equal.
    pub async fn recount_totals(&self) -> Result<BTreeMap<TotalsKey, Tally>> {
        let calendar = self.calendar();
        let mut totals: BTreeMap<TotalsKey, Tally> = BTreeMap::new();
        let mut after = CaseId(0);
        loop {
            let ids = self.store.case_ids_after(after, 500).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            for id in ids {
                let stored = self.store.case(id).await?;
                let item = self
                    .item_version(stored.summary.item_id, stored.summary.item_version)
                    .await?;
                let corrupt = |e: liandong_domain::case::HistoryError| {
                    AppError::Storage(StoreError::Corrupt(e.to_string()))
                };
                let (first, rest) = stored
                    .events
                    .split_first()
                    .ok_or(AppError::NotFound("办件 case"))?;
                let mut case = Case::replay(std::slice::from_ref(first)).map_err(corrupt)?;
                let mut days = tally(std::slice::from_ref(first), None);
                for event in rest {
                    case.apply(event).map_err(corrupt)?;
                    // The clock matters for a conclusion only; it is read as the action read it.
                    let clock = matches!(event.kind, EventKind::Concluded { .. })
                        .then(|| case_clock(&case, &item, &calendar, &self.warning_rules, event.at))
                        .flatten();
                    days.extend(tally(std::slice::from_ref(event), clock.as_ref()));
                }
                let s = &stored.summary;
                for (day, t) in days {
                    let key = TotalsKey {
                        day,
                        received_unit: s.received_unit_id,
                        handling_unit: s.handling_unit_id,
                        department: s.department_id,
                        item: s.item_id,
                    };
                    totals.entry(key).or_default().add(&t);
                }
            }
        }
        totals.retain(|_, t| !t.is_empty());
        Ok(totals)
    }

    /// Where the kept totals differ from a recount of the events: each line names the row and
    /// both values. Empty when they agree.
    pub async fn totals_differences(&self) -> Result<Vec<String>> {
        let recount = self.recount_totals().await?;
        let kept: BTreeMap<TotalsKey, Tally> =
            self.store.totals_rows().await?.into_iter().collect();
        let mut differences = Vec::new();
        for key in recount
            .keys()
            .chain(kept.keys().filter(|k| !recount.contains_key(k)))
        {
            let (counted, stored) = (recount.get(key).copied(), kept.get(key).copied());
            if counted.unwrap_or_default() != stored.unwrap_or_default() {
                differences.push(format!(
                    "{} unit {}/{} department {} item {}: kept {:?}, recounted {:?}",
                    key.day,
                    key.received_unit,
                    key.handling_unit,
                    key.department,
                    key.item,
                    stored.unwrap_or_default().values(),
                    counted.unwrap_or_default().values()
                ));
            }
        }
        Ok(differences)
    }

    /// Replaces the kept totals by a recount, in one transaction. Returns the rows written.
    pub async fn rebuild_totals(&self) -> Result<usize> {
        let totals = self.recount_totals().await?;
        let rows = totals.len();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.clear_totals().await?;
                    for (key, tally) in &totals {
                        tx.put_totals(key, tally).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(rows)
    }

    /// Builds the totals of a database that holds cases from before totals were kept.
    pub async fn rebuild_totals_if_missing(&self) -> Result<Option<usize>> {
        if self.store.totals_are_empty().await? && self.store.case_count().await? > 0 {
            return self.rebuild_totals().await.map(Some);
        }
        Ok(None)
    }
}
