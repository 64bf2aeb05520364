-- SMS notifications: the durable outbox and the templates administrators edit.
-- A message is written in the same transaction as the case event that causes it; the
-- delivery worker moves it queued -> sending -> sent -> delivered (or failed).
-- See docs/design/notifications.md.

CREATE TABLE sms_outbox (
    -- Idempotent: derived from the case, the event, the kind and the recipient.
    id TEXT PRIMARY KEY,
    case_id BIGINT REFERENCES cases(id),
    kind TEXT NOT NULL,
    -- 'applicant' or 'staff:ID'.
    recipient TEXT NOT NULL,
    phone TEXT NOT NULL,
    text TEXT NOT NULL,
    -- The text with the applicant's name masked (王**), for administrators and supervisors,
    -- whose work does not need identities.
    masked_text TEXT NOT NULL,
    segments BIGINT NOT NULL,
    -- queued | sending | sent | delivered | failed
    state TEXT NOT NULL,
    -- Attempts started; the one in flight when state = 'sending'.
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- While sending: the instant after which, without an answer or a delivery report, the
    -- attempt is taken to have not reached the gateway.
    lease_until BIGINT,
    -- The gateway's last answer, or why the last attempt failed.
    gateway_answer TEXT NOT NULL DEFAULT '',
    -- The last delivery report (Kannel %d) and which attempt it was for.
    report_status BIGINT,
    report_attempt BIGINT,
    -- Delivery reports for an attempt other than the one recorded as sent: each one is a
    -- message the gateway got twice.
    extra_reports BIGINT NOT NULL DEFAULT 0,
    -- Order among the messages of one write (a conclusion before its rating invitation).
    ord BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    delivered_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sms_outbox_due ON sms_outbox(state, next_attempt_at);
CREATE INDEX sms_outbox_case ON sms_outbox(case_id);

-- Templates replaced by an administrator; a kind without a row uses the shipped default.
CREATE TABLE sms_templates (
    kind TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES staff(id)
);
