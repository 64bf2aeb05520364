-- Open cases are a few thousand among hundreds of thousands: counting a unit's open cases
-- (the dashboards, "open" and "overdue" lists) reads these small partial indexes.
CREATE INDEX cases_open_received ON cases(received_unit_id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_handling ON cases(handling_unit_id) WHERE closed_at IS NULL;
