-- Findings of electronic supervision (预警纠错): irregularities found as case events arrive
-- and by the periodic sweep. One row per irregularity: the dedup key is the same whichever
-- path finds it (supervision::finding).
CREATE TABLE findings (
    id BIGSERIAL PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    step TEXT,
    occurred_at BIGINT NOT NULL,
    detected_at BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    role TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    provisional BIGINT NOT NULL DEFAULT 0,
    -- Refusals, denials, suspensions and terminations: reviewed as routine, not irregular.
    routine BIGINT NOT NULL DEFAULT 0,
    -- The finding as the rules made it (JSON), for opening its notice.
    data TEXT NOT NULL
);
CREATE INDEX findings_department ON findings(department_id, detected_at);
CREATE INDEX findings_detected ON findings(detected_at);
CREATE INDEX findings_case ON findings(case_id);
