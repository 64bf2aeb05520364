-- The hall's queue (排队叫号): business groups per unit and the day's tickets.

CREATE TABLE queue_groups (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    windows TEXT NOT NULL,
    PRIMARY KEY (unit_id, code)
);

CREATE TABLE queue_tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    group_code TEXT NOT NULL,
    number TEXT NOT NULL,
    state TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    last_called_at INTEGER,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX queue_tickets_day ON queue_tickets(unit_id, day, state);

CREATE TABLE queue_sequences (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    group_code TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day, group_code)
);
