-- Fees and payments (收费): one payment notice per case whose item has fees, issued with its
-- acceptance; the payment is the fold of its events (liandong_domain::payment). A provider's
-- transaction id is booked once across all payments.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    code TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    received_fen INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE payment_events (
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (payment_id, seq)
);

CREATE TABLE payment_code_sequences (
    prefix TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, day)
);

CREATE TABLE payment_transactions (
    provider_txn_id TEXT PRIMARY KEY,
    payment_id INTEGER NOT NULL REFERENCES payments(id)
);
