//! Reads the appeal and proxy pages need beyond the API's: the ledger line of a case (for the
//! "登记代办" button) and the staff of a unit (whom a hand-over names as the giver).

use liandong_domain::organization::{CaseId, StaffId, UnitId};

use crate::{App, Result, Session};

impl App {
    /// The proxy ledger line of a case the session may see, if the case has one.
    pub async fn proxy_of_case(&self, session: &Session, case: CaseId) -> Result<Option<i64>> {
        self.case_view(session, case).await?;
        Ok(self.store.proxy_record_of_case(case).await?)
    }

    /// The active staff of `unit` by id and display name, for a signed-in member of staff
    /// recording a hand-over from that unit.
    pub async fn unit_staff_names(
        &self,
        _session: &Session,
        unit: UnitId,
    ) -> Result<Vec<(StaffId, String)>> {
        Ok(self
            .store
            .staff(Some(unit))
            .await?
            .into_iter()
            .filter(|s| s.active)
            .map(|s| (s.id, s.display_name))
            .collect())
    }
}
