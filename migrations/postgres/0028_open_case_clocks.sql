-- The clocks of the open, accepted cases (`case::snapshot`): what the supervision sweep reads
-- instead of every case's history. A row from acceptance until the case closes, rewritten
-- with each of its events in the same transaction. `clock` is the store's one-line encoding
-- (store/src/clocks.rs), led by the case's routing ids; NULL until built from the events,
-- as every open case is left here: the next sweep builds them (docs/supervision.md).
-- `swept` is the fingerprint of what the sweep last recorded for the case, so that a sweep
-- writes only what is new.
CREATE TABLE open_case_clocks (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    clock TEXT,
    swept TEXT
);
CREATE INDEX open_case_clocks_unbuilt ON open_case_clocks(case_id) WHERE clock IS NULL;
INSERT INTO open_case_clocks (case_id)
    SELECT id FROM cases WHERE closed_at IS NULL AND accepted_at IS NOT NULL;
