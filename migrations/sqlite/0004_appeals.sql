-- Appeals (三项制度): citizens' opinions, suggestions and problems. Like cases, an appeal is
-- its history of events; the row holds what lists, filters and statistics read.

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    scope TEXT NOT NULL,
    level TEXT NOT NULL,
    category TEXT NOT NULL,
    raised_unit_id INTEGER NOT NULL REFERENCES units(id),
    responsible_unit_id INTEGER NOT NULL REFERENCES units(id),
    responsible_department_id INTEGER REFERENCES departments(id),
    person_name TEXT NOT NULL,
    person_phone TEXT NOT NULL,
    state TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    answered_at INTEGER,
    closed_at INTEGER,
    satisfaction TEXT,
    escalations INTEGER NOT NULL,
    taken_over INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX appeals_responsible ON appeals(responsible_unit_id, registered_at);
CREATE INDEX appeals_raised ON appeals(raised_unit_id, registered_at);
CREATE INDEX appeals_state_due ON appeals(state, due_at);
CREATE INDEX appeals_registered_at ON appeals(registered_at);

CREATE TABLE appeal_events (
    appeal_id INTEGER NOT NULL REFERENCES appeals(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (appeal_id, seq)
);

CREATE TABLE appeal_number_sequences (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day)
);
