-- Appeals (三项制度): citizens' opinions, suggestions and problems. Like cases, an appeal is
-- its history of events; the row holds what lists, filters and statistics read.

CREATE TABLE appeals (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    scope TEXT NOT NULL,
    level TEXT NOT NULL,
    category TEXT NOT NULL,
    raised_unit_id BIGINT NOT NULL REFERENCES units(id),
    responsible_unit_id BIGINT NOT NULL REFERENCES units(id),
    responsible_department_id BIGINT REFERENCES departments(id),
    person_name TEXT NOT NULL,
    person_phone TEXT NOT NULL,
    state TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_at BIGINT,
    satisfaction TEXT,
    escalations BIGINT NOT NULL,
    taken_over BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX appeals_responsible ON appeals(responsible_unit_id, registered_at);
CREATE INDEX appeals_raised ON appeals(raised_unit_id, registered_at);
CREATE INDEX appeals_state_due ON appeals(state, due_at);
CREATE INDEX appeals_registered_at ON appeals(registered_at);

CREATE TABLE appeal_events (
    appeal_id BIGINT NOT NULL REFERENCES appeals(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES staff(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (appeal_id, seq)
);

CREATE TABLE appeal_number_sequences (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);
