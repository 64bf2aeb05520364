-- Foundation schema: organization, catalog, cases and their events, sign-in, idempotency.
-- Instants are UTC epoch milliseconds; dates are 'YYYY-MM-DD'; money is integer fen;
-- flags are 0/1 integers (the same on both databases).

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES units(id),
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    unit_id INTEGER NOT NULL REFERENCES units(id)
);

CREATE TABLE windows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (unit_id, number)
);

CREATE TABLE window_departments (
    window_id INTEGER NOT NULL REFERENCES windows(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (window_id, department_id)
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    department_id INTEGER REFERENCES departments(id),
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id);

CREATE TABLE service_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    level TEXT NOT NULL,
    on_the_spot INTEGER NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    current_version INTEGER NOT NULL,
    definition TEXT NOT NULL
);
CREATE INDEX service_items_department ON service_items(department_id);

CREATE TABLE service_item_versions (
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    version INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    change TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES staff(id),
    PRIMARY KEY (item_id, version)
);

CREATE TABLE holiday_notices (
    year INTEGER PRIMARY KEY,
    notice TEXT NOT NULL,
    loaded_at INTEGER NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    item_version INTEGER NOT NULL,
    received_unit_id INTEGER NOT NULL REFERENCES units(id),
    handling_unit_id INTEGER NOT NULL REFERENCES units(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    received_at INTEGER NOT NULL,
    accepted_at INTEGER,
    due_at INTEGER,
    due_provisional INTEGER NOT NULL DEFAULT 0,
    decided_at INTEGER,
    closed_at INTEGER,
    version INTEGER NOT NULL,
    head_hash TEXT NOT NULL
);
CREATE INDEX cases_received_unit ON cases(received_unit_id, received_at);
CREATE INDEX cases_handling_unit ON cases(handling_unit_id, received_at);
CREATE INDEX cases_department ON cases(department_id, received_at);
CREATE INDEX cases_state_due ON cases(state, due_at);
CREATE INDEX cases_applicant ON cases(applicant_id_number);
CREATE INDEX cases_received_at ON cases(received_at);

CREATE TABLE case_events (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    comment TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_number_sequences (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day)
);

CREATE TABLE idempotency_keys (
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (staff_id, key)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES staff(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
