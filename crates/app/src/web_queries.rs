//! Reads the web pages need beyond the API's: the names of the staff in a case's history.

use std::collections::HashMap;

use liandong_domain::organization::StaffId;

use crate::{App, Result, Session};

impl App {
    /// The display names of `ids`, for a signed-in member of staff (a case's timeline names
    /// who acted; the public lookup never does). Unknown ids are left out.
    pub async fn staff_names(
        &self,
        _session: &Session,
        ids: &[StaffId],
    ) -> Result<HashMap<StaffId, String>> {
        let mut names = HashMap::new();
        for id in ids {
            if names.contains_key(id) {
                continue;
            }
            match self.store.staff_by_id(*id).await {
                Ok(staff) => {
                    names.insert(*id, staff.display_name);
                }
                Err(liandong_store::StoreError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(names)
    }
}
