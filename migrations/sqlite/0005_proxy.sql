-- Proxy service (全程代办): the station's ledger of proxied applications and every hand-over
-- of their papers up to the deciding unit and of the result back down.

CREATE TABLE proxy_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_number TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    station_unit_id INTEGER NOT NULL REFERENCES units(id),
    deciding_unit_id INTEGER NOT NULL REFERENCES units(id),
    holder_unit_id INTEGER NOT NULL REFERENCES units(id),
    next_unit_id INTEGER REFERENCES units(id),
    state TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    promised_on TEXT NOT NULL,
    leg_due_at INTEGER,
    delivered_at INTEGER,
    late_legs INTEGER NOT NULL,
    contact TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX proxy_records_station ON proxy_records(station_unit_id, registered_at);
CREATE INDEX proxy_records_holder ON proxy_records(holder_unit_id, state, leg_due_at);
CREATE INDEX proxy_records_next ON proxy_records(next_unit_id, state);

CREATE TABLE proxy_events (
    record_id INTEGER NOT NULL REFERENCES proxy_records(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (record_id, seq)
);

CREATE TABLE proxy_number_sequences (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day)
);
