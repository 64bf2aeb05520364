-- The running totals rolled up by month, without the item: what monitoring reads for whole
-- months, so that an overview over years reads thousands of rows, not millions. Two rollups:
-- by units and department (for a unit's view: received or handled there), and by department
-- and handling unit alone (the district's view, a few hundred rows a month). Both kept in the
-- same transaction as case_totals; filled here from the daily rows already kept.
CREATE TABLE case_totals_monthly (
    month TEXT NOT NULL,
    received_unit_id BIGINT NOT NULL REFERENCES units(id),
    handling_unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
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
    PRIMARY KEY (month, received_unit_id, handling_unit_id, department_id)
);
CREATE INDEX case_totals_monthly_received ON case_totals_monthly(received_unit_id, month);
CREATE INDEX case_totals_monthly_handling ON case_totals_monthly(handling_unit_id, month);
INSERT INTO case_totals_monthly (month, received_unit_id, handling_unit_id, department_id, received, accepted, intake_refused, supplement_notices, approved, denied, concluded, concluded_on_time, on_the_spot, withdrawn, extensions, returns)
SELECT SUBSTR(day, 1, 7), received_unit_id, handling_unit_id, department_id, SUM(received), SUM(accepted), SUM(intake_refused), SUM(supplement_notices), SUM(approved), SUM(denied), SUM(concluded), SUM(concluded_on_time), SUM(on_the_spot), SUM(withdrawn), SUM(extensions), SUM(returns)
FROM case_totals GROUP BY SUBSTR(day, 1, 7), received_unit_id, handling_unit_id, department_id;

CREATE TABLE case_totals_district_monthly (
    month TEXT NOT NULL,
    handling_unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
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
    PRIMARY KEY (month, handling_unit_id, department_id)
);
INSERT INTO case_totals_district_monthly (month, handling_unit_id, department_id, received, accepted, intake_refused, supplement_notices, approved, denied, concluded, concluded_on_time, on_the_spot, withdrawn, extensions, returns)
SELECT SUBSTR(day, 1, 7), handling_unit_id, department_id, SUM(received), SUM(accepted), SUM(intake_refused), SUM(supplement_notices), SUM(approved), SUM(denied), SUM(concluded), SUM(concluded_on_time), SUM(on_the_spot), SUM(withdrawn), SUM(extensions), SUM(returns)
FROM case_totals GROUP BY SUBSTR(day, 1, 7), handling_unit_id, department_id;
