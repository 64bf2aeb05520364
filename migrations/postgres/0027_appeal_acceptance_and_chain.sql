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
-- exactly one of a case, a camera, an appeal.
ALTER TABLE findings ADD COLUMN appeal_id BIGINT REFERENCES appeals(id);
ALTER TABLE findings DROP CONSTRAINT findings_case_or_camera;
ALTER TABLE findings ADD CONSTRAINT findings_case_camera_or_appeal
    CHECK (num_nonnulls(case_id, camera_id, appeal_id) = 1);
CREATE INDEX findings_appeal ON findings(appeal_id) WHERE appeal_id IS NOT NULL;
