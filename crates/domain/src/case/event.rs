//! Case events and the hash chain that makes a changed or deleted history detectable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::action::SpecialProcedure;
use super::{Applicant, Channel};
use crate::catalog::{ItemCode, StepKind};
use crate::ids::PhoneNumber;
use crate::organization::{StaffId, UnitId};

/// What happened, in the past tense of the actions.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Received {
        applicant: Applicant,
        phone: PhoneNumber,
        item_code: ItemCode,
        item_version: u32,
        channel: Channel,
        materials: Vec<String>,
    },
    Accepted {
        first_step: StepKind,
    },
    IntakeRefused {
        reason: String,
        legal_basis: String,
    },
    SupplementRequested {
        missing: Vec<String>,
        stops_clock: bool,
    },
    Supplemented {
        received: Vec<String>,
    },
    Handled {
        opinion: String,
        next_step: StepKind,
    },
    Reviewed {
        opinion: String,
        next_step: StepKind,
    },
    Approved {
        opinion: String,
    },
    Denied {
        reason: String,
        legal_basis: String,
    },
    Concluded {
        delivery: String,
        /// Accepted, decided and concluded in one step at the window (即办). Left out of the
        /// stored form when false, so that histories from before it keep their hashes.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        on_the_spot: bool,
    },
    Returned {
        to: StepKind,
        reason: String,
    },
    SpecialProcedureStarted {
        procedure: SpecialProcedure,
        stated_days: u32,
        reason: String,
    },
    SpecialProcedureEnded {
        result: String,
    },
    ExtensionGranted {
        days: u32,
        reason: String,
    },
    Withdrawn {
        reason: String,
    },
}

impl EventKind {
    /// The snake_case type name, as stored.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Received { .. } => "received",
            EventKind::Accepted { .. } => "accepted",
            EventKind::IntakeRefused { .. } => "intake_refused",
            EventKind::SupplementRequested { .. } => "supplement_requested",
            EventKind::Supplemented { .. } => "supplemented",
            EventKind::Handled { .. } => "handled",
            EventKind::Reviewed { .. } => "reviewed",
            EventKind::Approved { .. } => "approved",
            EventKind::Denied { .. } => "denied",
            EventKind::Concluded { .. } => "concluded",
            EventKind::Returned { .. } => "returned",
            EventKind::SpecialProcedureStarted { .. } => "special_procedure_started",
            EventKind::SpecialProcedureEnded { .. } => "special_procedure_ended",
            EventKind::ExtensionGranted { .. } => "extension_granted",
            EventKind::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// One entry of a case's history: who did what, where, when, and the chain link.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// 1 for `Received`, then one more per event: the case's version after it.
    pub seq: u32,
    pub at: DateTime<Utc>,
    /// The officer who acted; `None` for the applicant acting online, signed in with the
    /// case's phone number. (An `Option` serialises as its value, so older hashes hold.)
    pub actor: Option<StaffId>,
    pub unit: UnitId,
    pub comment: String,
    pub kind: EventKind,
    /// The hash of the event before (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 over the case number, this event's content and `prev_hash`.
    pub hash: String,
}

/// The link before the first event of every case.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl CaseEvent {
    /// Seals a new event onto a chain whose last hash is `prev_hash`.
    pub fn seal(case_number: &str, prev_hash: &str, seq: u32, draft: EventDraft) -> CaseEvent {
        let mut event = CaseEvent {
            seq,
            at: truncate_to_millis(draft.at),
            actor: draft.actor,
            unit: draft.unit,
            comment: draft.comment,
            kind: draft.kind,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        event.hash = event.content_hash(case_number);
        event
    }

    /// SHA-256 over a canonical JSON of the case number, sequence, instant (epoch
    /// milliseconds), actor, unit, comment, kind and the previous hash.
    pub fn content_hash(&self, case_number: &str) -> String {
        // A tuple serialises positionally, and every type inside has a fixed field order.
        let canonical = serde_json::to_vec(&(
            case_number,
            self.seq,
            self.at.timestamp_millis(),
            self.actor,
            self.unit,
            &self.comment,
            &self.kind,
            &self.prev_hash,
        ))
        .unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }
}

/// An event before it is sealed: who did what, where and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub at: DateTime<Utc>,
    pub actor: Option<StaffId>,
    pub unit: UnitId,
    pub comment: String,
    pub kind: EventKind,
}

/// Instants are stored as epoch milliseconds; sealing at that precision keeps hashes stable.
pub fn truncate_to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// Where a history fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ChainBreak {
    #[error(
        "第{expected}条事件缺失或顺序错误（见到第{found}条） / event {expected} missing or out of order (found {found})"
    )]
    Sequence { expected: u32, found: u32 },
    #[error("第{seq}条事件的前序哈希与上一条不符 / event {seq} does not link to the one before")]
    Link { seq: u32 },
    #[error(
        "第{seq}条事件内容与其哈希不符，已被改动 / event {seq} does not match its hash: it was changed"
    )]
    Content { seq: u32 },
    #[error(
        "记录的末条哈希或版本与事件不符，事件被删除或追加 / the record's head hash or version does not match its events: events were deleted or added"
    )]
    Head,
}

/// An event on a hash chain (a case's, an appeal's): what [`verify_chain`] checks.
pub trait Chained {
    fn seq(&self) -> u32;
    fn prev_hash(&self) -> &str;
    fn hash(&self) -> &str;
    /// The hash the event's content and its link give, under the record's number.
    fn content_hash(&self, number: &str) -> String;
}

impl Chained for CaseEvent {
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
        CaseEvent::content_hash(self, number)
    }
}

/// Checks a whole history against the chain and the head its row records (the last hash and
/// the version, which counts the events).
pub fn verify_chain<E: Chained>(
    number: &str,
    events: &[E],
    head_hash: &str,
    version: u32,
) -> Result<(), ChainBreak> {
    let mut prev = GENESIS_HASH;
    for (expected, event) in (1u32..).zip(events) {
        if event.seq() != expected {
            return Err(ChainBreak::Sequence {
                expected,
                found: event.seq(),
            });
        }
        if event.prev_hash() != prev {
            return Err(ChainBreak::Link { seq: event.seq() });
        }
        if event.content_hash(number) != event.hash() {
            return Err(ChainBreak::Content { seq: event.seq() });
        }
        prev = event.hash();
    }
    let count = u32::try_from(events.len()).unwrap_or(u32::MAX);
    if prev != head_hash || count != version {
        return Err(ChainBreak::Head);
    }
    Ok(())
}
