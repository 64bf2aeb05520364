-- The efficiency complaint center's decision on accepting a complaint about the service
-- (行政效能投诉中心受理, docs/appeals.md), and the hash chain of appeal events.
--
-- `acceptance_due_on`: the last day of the decision, for complaints about the service
-- registered from now on (those registered before are worked as they were); `acceptance`:
-- the decision once made (accepted, refused, forwarded).
ALTER TABLE appeals ADD COLUMN acceptance_due_on TEXT;
ALTER TABLE appeals ADD COLUMN acceptance TEXT;
CREATE INDEX appeals_pending_acceptance ON appeals(due_at) WHERE state = 'pending_acceptance';

-- Each event carries the hash of the one before and its own; the row keeps the last. The
-- events already stored are sealed, appeal by appeal in order, by the Rust step that runs
-- in this migration's transaction (store/src/migrate.rs): SQLite has no SHA-256 in SQL.
ALTER TABLE appeals ADD COLUMN head_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE appeal_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE appeal_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- A finding may be about an appeal: a decision on acceptance past its five working days
-- (`appeal_acceptance_overdue`), held against the center's unit (`unit_id`). A finding names
-- exactly one of a case, a camera, an appeal. SQLite cannot change a CHECK, so `findings` is
-- rebuilt as migration 21 did; notices and the city outbox point at findings: their
-- references are checked at commit (defer_foreign_keys), after every finding is back under
-- its id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE findings_kept AS SELECT * FROM findings;
DROP TABLE findings;
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    case_id INTEGER REFERENCES cases(id),
    kind TEXT NOT NULL,
    step TEXT,
    occurred_at INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    role TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    -- Refusals, denials, suspensions and terminations: reviewed as routine, not irregular.
    routine INTEGER NOT NULL DEFAULT 0,
    -- The finding as the rules made it (JSON), for opening its notice.
    data TEXT NOT NULL,
    camera_id INTEGER REFERENCES cameras(id),
    unit_id INTEGER REFERENCES units(id),
    appeal_id INTEGER REFERENCES appeals(id),
    CHECK ((case_id IS NOT NULL) + (camera_id IS NOT NULL) + (appeal_id IS NOT NULL) = 1)
);
INSERT INTO findings (id, dedup_key, case_id, kind, step, occurred_at, detected_at,
        department_id, role, description_zh, description_en, provisional, routine, data,
        camera_id, unit_id)
    SELECT id, dedup_key, case_id, kind, step, occurred_at, detected_at, department_id, role,
        description_zh, description_en, provisional, routine, data, camera_id, unit_id
    FROM findings_kept;
DROP TABLE findings_kept;
CREATE INDEX findings_department ON findings(department_id, detected_at);
CREATE INDEX findings_detected ON findings(detected_at);
CREATE INDEX findings_case ON findings(case_id);
CREATE INDEX findings_camera ON findings(camera_id);
CREATE INDEX findings_appeal ON findings(appeal_id) WHERE appeal_id IS NOT NULL;
