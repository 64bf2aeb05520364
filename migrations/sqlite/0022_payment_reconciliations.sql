-- The daily reconciliation of fees (对账): the notices issued on a day against what came in,
-- run once a day by the server (docs/payments.md). One row per day reconciled: the summary,
-- so a restart does not repeat it and the efficiency office can read the days back.
CREATE INDEX payments_created_at ON payments(created_at);

CREATE TABLE payment_reconciliations (
    day TEXT PRIMARY KEY,
    reconciled_at INTEGER NOT NULL,
    receivable_fen INTEGER NOT NULL,
    received_fen INTEGER NOT NULL,
    cases_matched INTEGER NOT NULL,
    cases_differing INTEGER NOT NULL,
    awaiting_payment INTEGER NOT NULL,
    new_findings INTEGER NOT NULL
);
