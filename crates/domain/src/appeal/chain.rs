//! The hash chain of an appeal's events, as cases have ([`crate::case::event`]): each event
//! carries the hash of the one before and its own SHA-256 over a canonical encoding, and the
//! appeal's row keeps the last hash, so that a changed, deleted or added event is detectable.

use sha2::{Digest, Sha256};

use super::AppealEvent;
use crate::case::event::{ChainBreak, Chained, truncate_to_millis};

impl AppealEvent {
    /// SHA-256 over a canonical JSON of the appeal number, sequence, instant (epoch
    /// milliseconds), actor, unit, kind and the previous hash.
    pub fn content_hash(&self, number: &str) -> String {
        // A tuple serialises positionally, and every type inside has a fixed field order.
        let canonical = serde_json::to_vec(&(
            number,
            self.seq,
            self.at.timestamp_millis(),
            self.actor,
            self.unit,
            &self.kind,
            &self.prev_hash,
        ))
        .unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }

    /// The event sealed onto a chain whose last hash is `prev_hash` (at millisecond
    /// precision, as stored, so that the hash survives the round trip).
    pub fn seal(mut self, number: &str, prev_hash: &str) -> AppealEvent {
        self.at = truncate_to_millis(self.at);
        prev_hash.clone_into(&mut self.prev_hash);
        self.hash = self.content_hash(number);
        self
    }
}

/// Seals `events`, in order, after the head `prev_hash` (the genesis hash for a new
/// appeal); returns the new head.
pub fn seal_all(number: &str, prev_hash: &str, events: &mut [AppealEvent]) -> String {
    let mut head = prev_hash.to_owned();
    for event in events.iter_mut() {
        *event = event.clone().seal(number, &head);
        head.clone_from(&event.hash);
    }
    head
}

/// Checks a whole history against the chain and the head hash and version its row records.
pub fn verify_appeal_chain(
    number: &str,
    events: &[AppealEvent],
    head_hash: &str,
    version: u32,
) -> Result<(), ChainBreak> {
    crate::case::event::verify_chain(number, events, head_hash, version)
}

impl Chained for AppealEvent {
    fn seq(&self) -> u32 {
        self.seq
    }
    fn prev_hash(&self) -> &str {
        &self.prev_hash
    }
    fn hash(&self) -> &str {
        &self.hash
    }
    fn content_hash(&self, number: &str) -> String {
        AppealEvent::content_hash(self, number)
    }
}
