-- When the supervision sweep must look at each open case's clock again
-- (supervision::schedule): `look_at` is the first millisecond at which the case's findings or
-- warning level can change, 0 for "at the next sweep", which every event and every clock
-- built sets. The sweep reads only the clocks whose time has come, in (look_at, case_id)
-- order. `revision` counts the clock's rewrites, so that a sweep never records a look
-- computed from a clock that an event has replaced meanwhile.
ALTER TABLE open_case_clocks ADD COLUMN look_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE open_case_clocks ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX open_case_clocks_look ON open_case_clocks(look_at, case_id);
-- What the looks were computed under (a digest of the calendar and the rules): when it
-- differs from the running server's, every clock is looked at again.
CREATE TABLE sweep_basis (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    basis TEXT NOT NULL
);
