-- Running totals of cases per day (China date), receiving unit, handling unit, department
-- and item, added to in the same transaction as each event (case::tally), so that monitoring
-- and evaluation read totals instead of scanning every case.
CREATE TABLE case_totals (
    day TEXT NOT NULL,
    received_unit_id BIGINT NOT NULL REFERENCES units(id),
    handling_unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    item_id BIGINT NOT NULL REFERENCES service_items(id),
    received BIGINT NOT NULL DEFAULT 0,
    accepted BIGINT NOT NULL DEFAULT 0,
    intake_refused BIGINT NOT NULL DEFAULT 0,
    supplement_notices BIGINT NOT NULL DEFAULT 0,
    approved BIGINT NOT NULL DEFAULT 0,
    denied BIGINT NOT NULL DEFAULT 0,
    concluded BIGINT NOT NULL DEFAULT 0,
    concluded_on_time BIGINT NOT NULL DEFAULT 0,
    on_the_spot BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    extensions BIGINT NOT NULL DEFAULT 0,
    returns BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, received_unit_id, handling_unit_id, department_id, item_id)
);
CREATE INDEX case_totals_department_day ON case_totals(department_id, day);
-- Open cases by department and unit with their due times, for the monitoring's levels.
CREATE INDEX cases_open_due ON cases(department_id, handling_unit_id, due_at) WHERE closed_at IS NULL;
