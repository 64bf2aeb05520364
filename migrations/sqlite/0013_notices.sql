-- Supervision notices (督办单): one per finding, to the responsible department, with its
-- history of events (supervision::notice). The row holds what lists need; the events are
-- the record.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER NOT NULL UNIQUE REFERENCES findings(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    state TEXT NOT NULL,
    card TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    due TEXT NOT NULL,
    conclude_by TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX notices_department ON notices(department_id, state);
CREATE INDEX notices_state ON notices(state);

CREATE TABLE notice_events (
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    party TEXT NOT NULL,
    actor_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (notice_id, seq)
);
