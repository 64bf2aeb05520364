-- Fees and payments (收费): one payment notice per case whose item has fees, issued with its
-- acceptance; the payment is the fold of its events (liandong_domain::payment). A provider's
-- transaction id is booked once across all payments.
CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id),
    code TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    received_fen BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE payment_events (
    payment_id BIGINT NOT NULL REFERENCES payments(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (payment_id, seq)
);

CREATE TABLE payment_code_sequences (
    prefix TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (prefix, day)
);

CREATE TABLE payment_transactions (
    provider_txn_id TEXT PRIMARY KEY,
    payment_id BIGINT NOT NULL REFERENCES payments(id)
);
