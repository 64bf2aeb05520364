-- Foundation schema: organization, catalog, cases and their events, sign-in, idempotency.
-- Instants are UTC epoch milliseconds; dates are 'YYYY-MM-DD'; money is integer fen;
-- flags are 0/1 integers (the same on both databases).

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES units(id),
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE departments (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    unit_id BIGINT NOT NULL REFERENCES units(id)
);

CREATE TABLE windows (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (unit_id, number)
);

CREATE TABLE window_departments (
    window_id BIGINT NOT NULL REFERENCES windows(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (window_id, department_id)
);

CREATE TABLE staff (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT REFERENCES departments(id),
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX staff_tokens_staff ON staff_tokens(staff_id);

CREATE TABLE service_items (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    level TEXT NOT NULL,
    on_the_spot BIGINT NOT NULL,
    cancelled BIGINT NOT NULL DEFAULT 0,
    current_version BIGINT NOT NULL,
    definition TEXT NOT NULL
);
CREATE INDEX service_items_department ON service_items(department_id);

CREATE TABLE service_item_versions (
    item_id BIGINT NOT NULL REFERENCES service_items(id),
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    change TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT REFERENCES staff(id),
    PRIMARY KEY (item_id, version)
);

CREATE TABLE holiday_notices (
    year BIGINT PRIMARY KEY,
    notice TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE cases (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    item_id BIGINT NOT NULL REFERENCES service_items(id),
    item_version BIGINT NOT NULL,
    received_unit_id BIGINT NOT NULL REFERENCES units(id),
    handling_unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    received_at BIGINT NOT NULL,
    accepted_at BIGINT,
    due_at BIGINT,
    due_provisional BIGINT NOT NULL DEFAULT 0,
    decided_at BIGINT,
    closed_at BIGINT,
    version BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);
CREATE INDEX cases_received_unit ON cases(received_unit_id, received_at);
CREATE INDEX cases_handling_unit ON cases(handling_unit_id, received_at);
CREATE INDEX cases_department ON cases(department_id, received_at);
CREATE INDEX cases_state_due ON cases(state, due_at);
CREATE INDEX cases_applicant ON cases(applicant_id_number);
CREATE INDEX cases_received_at ON cases(received_at);

CREATE TABLE case_events (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES staff(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    comment TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE case_number_sequences (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);

CREATE TABLE idempotency_keys (
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, key)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES staff(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
