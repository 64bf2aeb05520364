-- The hall's queue (排队叫号): business groups per unit and the day's tickets.

CREATE TABLE queue_groups (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    windows TEXT NOT NULL,
    PRIMARY KEY (unit_id, code)
);

CREATE TABLE queue_tickets (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    group_code TEXT NOT NULL,
    number TEXT NOT NULL,
    state TEXT NOT NULL,
    taken_at BIGINT NOT NULL,
    last_called_at BIGINT,
    data TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX queue_tickets_day ON queue_tickets(unit_id, day, state);

CREATE TABLE queue_sequences (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    group_code TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, group_code)
);
