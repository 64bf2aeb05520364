-- Renewal reminders (证照到期提醒, 行政许可法 Art 50): when the holder of a certificate in
-- force was reminded, so that each certificate is reminded once however often the sweep runs
-- (a holder without a mobile number is marked too: the renewals list shows whom to call);
-- and the index the sweep and the renewals list read by.
ALTER TABLE certificates ADD COLUMN renewal_reminded_at INTEGER;

CREATE INDEX certificates_expiry ON certificates(state, valid_until);

-- Idempotency keys of online applications, per signed-in phone: a double click on
-- "submit" makes one case (the window's keys, per member of staff, are idempotency_keys).
CREATE TABLE applicant_idempotency_keys (
    phone TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (phone, key)
);
