-- Irregularities on cases still waiting for their supervision notice, flagged, so that the
-- sweep finds them through a small partial index instead of reading every finding ever
-- recorded against the notices. Set when a case's irregularity (not a routine review) is
-- recorded, cleared in the transaction that opens its notice.
ALTER TABLE findings ADD COLUMN awaiting_notice BIGINT NOT NULL DEFAULT 0;
UPDATE findings SET awaiting_notice = 1
    WHERE routine = 0 AND case_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.finding_id = findings.id);
CREATE INDEX findings_awaiting_notice ON findings(id) WHERE awaiting_notice = 1;
