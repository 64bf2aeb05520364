-- Running totals of cases per day (China date), receiving unit, handling unit, department
-- and item, added to in the same transaction as each event (case::tally), so that monitoring
-- and evaluation read totals instead of scanning every case.
CREATE TABLE case_totals (
    day TEXT NOT NULL,
    received_unit_id INTEGER NOT NULL REFERENCES units(id),
    handling_unit_id INTEGER NOT NULL REFERENCES units(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    item_id INTEGER NOT NULL REFERENCES service_items(id),
    received INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    intake_refused INTEGER NOT NULL DEFAULT 0,
    supplement_notices INTEGER NOT NULL DEFAULT 0,
    approved INTEGER NOT NULL DEFAULT 0,
    denied INTEGER NOT NULL DEFAULT 0,
    concluded INTEGER NOT NULL DEFAULT 0,
    concluded_on_time INTEGER NOT NULL DEFAULT 0,
    on_the_spot INTEGER NOT NULL DEFAULT 0,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    extensions INTEGER NOT NULL DEFAULT 0,
    returns INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, received_unit_id, handling_unit_id, department_id, item_id)
);
CREATE INDEX case_totals_department_day ON case_totals(department_id, day);
-- Open cases by department and unit with their due times, for the monitoring's levels.
CREATE INDEX cases_open_due ON cases(department_id, handling_unit_id, due_at) WHERE closed_at IS NULL;
