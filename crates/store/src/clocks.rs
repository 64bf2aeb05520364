//! The clocks of the open, accepted cases (`open_case_clocks`, migrations 28 and 29): a
//! case's [`ClockSnapshot`] with its routing ids, kept in the transaction of each of its
//! events, with the time the supervision sweep must next look at it (`look_at`, see
//! `supervision::schedule`). The sweep reads the clocks whose time has come a page at a time.
//!
//! A clock is one line of text, `case,department,handling unit,item,item version,` (written
//! by SQL from the case row) then the snapshot's fields, commas between. A page is read as
//! one aggregated string: through sqlx, each row costs about a microsecond before any
//! column is read, which alone is a second for a million open cases.

use chrono::{DateTime, Utc};
use liandong_domain::case::{CaseState, ClockSnapshot, Pause, PauseReason};
use liandong_domain::organization::{CaseId, DepartmentId, ItemId, UnitId};
use sqlx::Row;

use crate::{Result, Store, StoreError, WriteTx, instant, millis};

/// An open, accepted case's clock, as the sweep reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenClock {
    pub case_id: CaseId,
    pub department_id: DepartmentId,
    pub handling_unit_id: UnitId,
    pub item_id: ItemId,
    pub item_version: u32,
    pub snapshot: ClockSnapshot,
    /// The fingerprint of what the sweep last recorded for the case (`None`: nothing yet).
    pub swept: Option<String>,
    /// When the sweep must look at the clock again (Unix milliseconds; 0: at the next sweep).
    pub look_at: i64,
    /// How many times the clock was rewritten: a look is recorded only on the clock it read.
    pub revision: i64,
}

/// What a sweep recorded after looking at a clock, for [`WriteTx::record_looks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Look {
    pub case_id: CaseId,
    /// The revision of the clock looked at.
    pub revision: i64,
    /// The fingerprint of what the sweep has recorded for the case.
    pub swept: Option<String>,
    /// When to look again.
    pub next_look_at: DateTime<Utc>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("open case clock: {what}"))
}

fn push_ms(out: &mut String, at: Option<DateTime<Utc>>) {
    if let Some(at) = at {
        out.push_str(&millis(at).to_string());
    }
}

fn push_opt<T: std::fmt::Display>(out: &mut String, value: Option<T>) {
    if let Some(value) = value {
        out.push_str(&value.to_string());
    }
}

/// The snapshot's part of the line: state, resume state, accepted at, its event, step
/// started at, its event, decided at, closed at, extension days, extensions granted, pauses
/// (`reason/start/end`, spaces between; the reason `s` for a supplement, else
/// `procedure.stated days`). Absent values are empty.
pub(crate) fn encode(s: &ClockSnapshot) -> String {
    let mut out = String::with_capacity(96);
    out.push_str(s.state.as_str());
    out.push(',');
    push_opt(&mut out, s.resume_state.map(CaseState::as_str));
    out.push(',');
    push_ms(&mut out, s.accepted_at);
    out.push(',');
    push_opt(&mut out, s.accepted_seq);
    out.push(',');
    push_ms(&mut out, s.step_started_at);
    out.push(',');
    push_opt(&mut out, s.step_seq);
    out.push(',');
    push_ms(&mut out, s.decided_at);
    out.push(',');
    push_ms(&mut out, s.closed_at);
    out.push(',');
    out.push_str(&s.extension_days.to_string());
    out.push(',');
    out.push_str(&s.extensions_granted.to_string());
    out.push(',');
    for (i, pause) in s.pauses.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match pause.reason {
            PauseReason::Supplement => out.push('s'),
            PauseReason::SpecialProcedure {
                procedure,
                stated_days,
            } => {
                out.push_str(procedure.as_str());
                out.push('.');
                out.push_str(&stated_days.to_string());
            }
        }
        out.push('/');
        push_ms(&mut out, Some(pause.started_at));
        out.push('/');
        push_ms(&mut out, pause.ended_at);
    }
    out
}

impl OpenClock {
    /// The clock's whole line, as `keep_clock` leaves it: for loading many at once.
    pub fn line(&self) -> String {
        format!(
            "{},{},{},{},{},{}",
            self.case_id.0,
            self.department_id.0,
            self.handling_unit_id.0,
            self.item_id.0,
            self.item_version,
            encode(&self.snapshot)
        )
    }
}

fn num<T: std::str::FromStr>(field: &str) -> Result<T> {
    field.parse().map_err(|_| corrupt(field))
}

fn opt_num<T: std::str::FromStr>(field: &str) -> Result<Option<T>> {
    (!field.is_empty()).then(|| num(field)).transpose()
}

fn opt_ms(field: &str) -> Result<Option<DateTime<Utc>>> {
    opt_num::<i64>(field)?.map(instant).transpose()
}

fn state(field: &str) -> Result<CaseState> {
    field.parse().map_err(|_| corrupt(field))
}

fn pause(text: &str) -> Result<Pause> {
    let mut parts = text.split('/');
    let (Some(reason), Some(start), Some(end), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(corrupt(text));
    };
    let reason = match reason.split_once('.') {
        None if reason == "s" => PauseReason::Supplement,
        Some((procedure, days)) => PauseReason::SpecialProcedure {
            procedure: procedure.parse().map_err(|_| corrupt(text))?,
            stated_days: num(days)?,
        },
        None => return Err(corrupt(text)),
    };
    Ok(Pause {
        reason,
        started_at: instant(num(start)?)?,
        ended_at: opt_ms(end)?,
    })
}

/// Reads a whole line (routing ids and snapshot) and the sweep's fingerprint, look and
/// revision.
pub(crate) fn decode(
    line: &str,
    swept: Option<&str>,
    look_at: i64,
    revision: i64,
) -> Result<OpenClock> {
    let f: Vec<&str> = line.split(',').collect();
    let [
        case,
        department,
        unit,
        item,
        version,
        state_,
        resume,
        accepted,
        accepted_seq,
        step,
        step_seq,
        decided,
        closed,
        extension_days,
        extensions,
        pauses,
    ] = f.as_slice()
    else {
        return Err(corrupt(line));
    };
    Ok(OpenClock {
        case_id: CaseId(num(case)?),
        department_id: DepartmentId(num(department)?),
        handling_unit_id: UnitId(num(unit)?),
        item_id: ItemId(num(item)?),
        item_version: num(version)?,
        snapshot: ClockSnapshot {
            state: state(state_)?,
            resume_state: (!resume.is_empty()).then(|| state(resume)).transpose()?,
            accepted_at: opt_ms(accepted)?,
            accepted_seq: opt_num(accepted_seq)?,
            step_started_at: opt_ms(step)?,
            step_seq: opt_num(step_seq)?,
            decided_at: opt_ms(decided)?,
            closed_at: opt_ms(closed)?,
            extension_days: num(extension_days)?,
            extensions_granted: num(extensions)?,
            pauses: if pauses.is_empty() {
                Vec::new()
            } else {
                pauses.split(' ').map(pause).collect::<Result<_>>()?
            },
        },
        swept: swept.filter(|s| !s.is_empty()).map(str::to_owned),
        look_at,
        revision,
    })
}

impl WriteTx {
    /// Keeps a case's clock in step with its events: written while the case is accepted and
    /// open, removed once it closes. Called with every append, in its transaction.
    pub async fn keep_clock(&mut self, case: CaseId, snapshot: &ClockSnapshot) -> Result<()> {
        if self.schema < crate::migrate::CASE_CLOCKS {
            return Ok(());
        }
        if !snapshot.swept() {
            sqlx::query("DELETE FROM open_case_clocks WHERE case_id = $1")
                .bind(case.0)
                .execute(self.conn())
                .await?;
            return Ok(());
        }
        // The routing ids come from the case row, so that every writer agrees on them.
        sqlx::query(
            "INSERT INTO open_case_clocks (case_id, clock)
             SELECT id, id || ',' || department_id || ',' || handling_unit_id || ',' || item_id
                    || ',' || item_version || ',' || $2
             FROM cases WHERE id = $1
             ON CONFLICT (case_id) DO UPDATE SET clock = excluded.clock, look_at = 0,
                 revision = open_case_clocks.revision + 1",
        )
        .bind(case.0)
        .bind(encode(snapshot))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Builds a clock left unbuilt by migration 28 from the case's replayed events; a clock
    /// an action wrote meanwhile is newer and stays.
    pub async fn build_clock(&mut self, case: CaseId, snapshot: &ClockSnapshot) -> Result<()> {
        if !snapshot.swept() {
            sqlx::query("DELETE FROM open_case_clocks WHERE case_id = $1 AND clock IS NULL")
                .bind(case.0)
                .execute(self.conn())
                .await?;
            return Ok(());
        }
        sqlx::query(
            "UPDATE open_case_clocks SET clock = (
                SELECT id || ',' || department_id || ',' || handling_unit_id || ',' || item_id
                       || ',' || item_version || ',' || $2
                FROM cases WHERE cases.id = open_case_clocks.case_id),
                look_at = 0, revision = revision + 1
             WHERE case_id = $1 AND clock IS NULL",
        )
        .bind(case.0)
        .bind(encode(snapshot))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Records what a sweep recorded for each clock it looked at and when to look again,
    /// unless an event rewrote the clock meanwhile (then the next sweep looks at it at once).
    /// A case closed meanwhile has no row: nothing to do.
    pub async fn record_looks(&mut self, looks: &[Look]) -> Result<()> {
        // A statement per thousand: one round trip each, not one per clock.
        for chunk in looks.chunks(1_000) {
            let mut sql = String::from(
                "UPDATE open_case_clocks SET look_at = v.column3, swept = v.column4 FROM (VALUES ",
            );
            for (i, look) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                // The values are the sweep's own (ids, counts, hex digests): nothing to escape.
                let swept = match &look.swept {
                    Some(fingerprint) if is_hex(fingerprint) => format!("'{fingerprint}'"),
                    Some(other) => return Err(corrupt(other)),
                    None => "NULL".to_owned(),
                };
                sql.push_str(&format!(
                    "({}, {}, {}, {swept})",
                    look.case_id.0,
                    look.revision,
                    millis(look.next_look_at)
                ));
            }
            sql.push_str(
                ") AS v WHERE open_case_clocks.case_id = v.column1
                 AND open_case_clocks.revision = v.column2",
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Records the basis the sweep's looks are computed under from now on, and has every
    /// clock looked at again at the next sweep.
    pub async fn rebase_looks(&mut self, basis: &str) -> Result<()> {
        sqlx::query("UPDATE open_case_clocks SET look_at = 0 WHERE look_at <> 0")
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO sweep_basis (id, basis) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET basis = excluded.basis",
        )
        .bind(basis)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// The clocks whose look is due at `now`, in (look, case) order after `after` (the last
    /// clock of the previous page, or `None`), at most `limit`; an empty page at the end.
    /// Clocks not built yet are left out ([`Store::unbuilt_clocks`]).
    pub async fn due_clocks(
        &self,
        now: DateTime<Utc>,
        after: Option<&OpenClock>,
        limit: i64,
    ) -> Result<Vec<OpenClock>> {
        let (look_at, case) = after.map_or((i64::MIN, 0), |c| (c.look_at, c.case_id.0));
        // One row per page (see the module's note); the subquery keeps to the look index.
        let page: Option<String> = sqlx::query(
            "SELECT string_agg(clock || '|' || COALESCE(swept, '') || '|' || look_at || '|'
                               || revision, ';') AS page FROM (
                SELECT clock, swept, look_at, revision FROM open_case_clocks
                WHERE look_at <= $1 AND (look_at, case_id) > ($2, $3) AND clock IS NOT NULL
                ORDER BY look_at, case_id LIMIT $4
             ) AS p",
        )
        .bind(millis(now))
        .bind(look_at)
        .bind(case)
        .bind(limit)
        .fetch_one(&self.pool)
        .await?
        .try_get("page")?;
        let Some(page) = page else {
            return Ok(Vec::new());
        };
        let mut clocks: Vec<OpenClock> = page
            .split(';')
            .map(|entry| {
                let mut parts = entry.split('|');
                let (Some(line), Some(swept), Some(look_at), Some(revision), None) = (
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                ) else {
                    return Err(corrupt(entry));
                };
                decode(line, Some(swept), num(look_at)?, num(revision)?)
            })
            .collect::<Result<_>>()?;
        // The aggregate's order is not promised; the caller pages on the last clock.
        clocks.sort_unstable_by_key(|c| (c.look_at, c.case_id.0));
        Ok(clocks)
    }

    /// The basis the sweep's looks were last computed under, if any (see
    /// `supervision::schedule::basis`).
    pub async fn sweep_basis(&self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT basis FROM sweep_basis WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(r.try_get("basis")?)).transpose()
    }

    /// Open, accepted cases whose clock is not built yet (a database from before migration
    /// 28): the sweep builds them from their events.
    pub async fn unbuilt_clocks(&self) -> Result<Vec<CaseId>> {
        let rows = sqlx::query(
            "SELECT case_id FROM open_case_clocks WHERE clock IS NULL ORDER BY case_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(CaseId(r.try_get("case_id")?)))
            .collect()
    }

    /// One case's clock, if it has one (built).
    pub async fn open_clock(&self, case: CaseId) -> Result<Option<OpenClock>> {
        let row = sqlx::query(
            "SELECT clock, swept, look_at, revision FROM open_case_clocks WHERE case_id = $1",
        )
        .bind(case.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let clock: Option<String> = row.try_get("clock")?;
        let swept: Option<String> = row.try_get("swept")?;
        let (look_at, revision) = (row.try_get("look_at")?, row.try_get("revision")?);
        clock
            .map(|line| decode(&line, swept.as_deref(), look_at, revision))
            .transpose()
    }

    /// The case numbers of `cases`, for the messages of the few a sweep warns about.
    pub async fn case_numbers(&self, cases: &[CaseId]) -> Result<Vec<(CaseId, String)>> {
        let mut out = Vec::with_capacity(cases.len());
        for chunk in cases.chunks(500) {
            let list: Vec<String> = chunk.iter().map(|c| c.0.to_string()).collect();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, number FROM cases WHERE id IN ({})",
                list.join(",")
            )))
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                out.push((CaseId(row.try_get("id")?), row.try_get("number")?));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;
    use liandong_domain::case::SpecialProcedure;

    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).unwrap()
    }

    #[test]
    fn a_clock_reads_back_as_written() {
        let mut snapshot = ClockSnapshot {
            state: CaseState::SpecialProcedure,
            resume_state: Some(CaseState::Reviewing),
            accepted_at: Some(at(1_764_000_000_123)),
            step_started_at: Some(at(1_764_100_000_000)),
            decided_at: None,
            closed_at: None,
            pauses: vec![
                Pause {
                    reason: PauseReason::Supplement,
                    started_at: at(1_764_050_000_000),
                    ended_at: Some(at(1_764_060_000_000)),
                },
                Pause {
                    reason: PauseReason::SpecialProcedure {
                        procedure: SpecialProcedure::ExpertReview,
                        stated_days: 12,
                    },
                    started_at: at(1_764_200_000_000),
                    ended_at: None,
                },
            ],
            extension_days: 5,
            extensions_granted: 1,
            accepted_seq: Some(2),
            step_seq: Some(7),
        };
        let line = format!("42,3,4,5,6,{}", encode(&snapshot));
        let clock = decode(&line, Some("ab12"), 1_764_000_000_000, 3).unwrap();
        assert_eq!(clock.line(), line);
        assert_eq!(clock.case_id, CaseId(42));
        assert_eq!(clock.department_id, DepartmentId(3));
        assert_eq!(clock.handling_unit_id, UnitId(4));
        assert_eq!((clock.item_id, clock.item_version), (ItemId(5), 6));
        assert_eq!(clock.snapshot, snapshot);
        assert_eq!(clock.swept.as_deref(), Some("ab12"));
        assert_eq!((clock.look_at, clock.revision), (1_764_000_000_000, 3));

        snapshot.state = CaseState::Decided;
        snapshot.resume_state = None;
        snapshot.pauses.clear();
        snapshot.decided_at = Some(at(1_764_300_000_000));
        snapshot.step_seq = None;
        let line = format!("1,1,1,1,1,{}", encode(&snapshot));
        let clock = decode(&line, Some(""), 0, 0).unwrap();
        assert_eq!(clock.snapshot, snapshot);
        assert_eq!(clock.swept, None);
        assert!(decode("1,2,3", None, 0, 0).is_err());
    }
}
