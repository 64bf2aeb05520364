-- The city link (市区两级对接, docs/city-link.md).
--
-- District side: what is still to be sent up to the city, one row per case event and per
-- finding news, written in the same transaction as the event or the finding (so nothing is
-- written without its row, and nothing rolled back leaves one). Acknowledged rows are deleted.
CREATE TABLE city_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'case_event' or 'finding'
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    -- case_event: the event's place in the case's history
    seq INTEGER,
    finding_id INTEGER REFERENCES findings(id),
    -- case_event: the case's state after the action; finding: 'recorded' or the notice's state
    state TEXT NOT NULL,
    due_at INTEGER,
    -- concluded: 1 on time, 0 late
    on_time INTEGER,
    created_at INTEGER NOT NULL
);

-- City side: the districts allowed to push, with the secret their pushes are signed with.
CREATE TABLE city_districts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    -- when the last batch was taken, and its last record id
    last_batch_at INTEGER,
    last_record_id INTEGER
);

-- Every record received, once: (district, record id) makes a retried push change nothing.
CREATE TABLE city_records (
    district TEXT NOT NULL REFERENCES city_districts(code),
    record_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (district, record_id)
);

-- Each case as far as the city has heard: its last event and state, for open cases by level.
CREATE TABLE city_cases (
    district TEXT NOT NULL REFERENCES city_districts(code),
    case_id INTEGER NOT NULL,
    number TEXT NOT NULL,
    department TEXT NOT NULL,
    item TEXT NOT NULL,
    handling_unit TEXT NOT NULL,
    state TEXT NOT NULL,
    closed INTEGER NOT NULL,
    due_at INTEGER,
    last_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (district, case_id)
);
CREATE INDEX city_cases_open ON city_cases(closed, district);

-- Each finding as far as the city has heard: its latest state.
CREATE TABLE city_findings (
    district TEXT NOT NULL REFERENCES city_districts(code),
    finding_id INTEGER NOT NULL,
    case_id INTEGER NOT NULL,
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    department TEXT NOT NULL,
    detected_at INTEGER NOT NULL,
    routine INTEGER NOT NULL,
    state TEXT NOT NULL,
    last_record_id INTEGER NOT NULL,
    PRIMARY KEY (district, finding_id)
);

-- Running totals per district, China date, department and item, kept in the transaction
-- that takes each batch (liandong_domain::city::event_counts / finding_counts).
CREATE TABLE city_totals (
    district TEXT NOT NULL REFERENCES city_districts(code),
    day TEXT NOT NULL,
    department TEXT NOT NULL,
    item TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    intake_refused INTEGER NOT NULL DEFAULT 0,
    concluded INTEGER NOT NULL DEFAULT 0,
    on_time INTEGER NOT NULL DEFAULT 0,
    on_the_spot INTEGER NOT NULL DEFAULT 0,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    routine_reviews INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (district, day, department, item)
);
