-- Proxy service (全程代办): the station's ledger of proxied applications and every hand-over
-- of their papers up to the deciding unit and of the result back down.

CREATE TABLE proxy_records (
    id BIGSERIAL PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    station_unit_id BIGINT NOT NULL REFERENCES units(id),
    deciding_unit_id BIGINT NOT NULL REFERENCES units(id),
    holder_unit_id BIGINT NOT NULL REFERENCES units(id),
    next_unit_id BIGINT REFERENCES units(id),
    state TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    promised_on TEXT NOT NULL,
    leg_due_at BIGINT,
    delivered_at BIGINT,
    late_legs BIGINT NOT NULL,
    contact TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX proxy_records_station ON proxy_records(station_unit_id, registered_at);
CREATE INDEX proxy_records_holder ON proxy_records(holder_unit_id, state, leg_due_at);
CREATE INDEX proxy_records_next ON proxy_records(next_unit_id, state);

CREATE TABLE proxy_events (
    record_id BIGINT NOT NULL REFERENCES proxy_records(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES staff(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (record_id, seq)
);

CREATE TABLE proxy_number_sequences (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);
