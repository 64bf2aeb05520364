-- Ratings (好差评) of visits and cases, and the rectification of each poor one
-- (liandong_domain::rating). One per visit (the queue ticket) and one per matter online or by
-- SMS, kept by unique indexes so that concurrent submits cannot double a rating.
CREATE TABLE ratings (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT REFERENCES cases(id),
    ticket_id BIGINT REFERENCES queue_tickets(id),
    channel TEXT NOT NULL,
    satisfaction TEXT NOT NULL,
    poor BIGINT NOT NULL,
    reason TEXT NOT NULL,
    window_id BIGINT REFERENCES windows(id),
    department_id BIGINT REFERENCES departments(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    real_name BIGINT NOT NULL,
    phone TEXT NOT NULL,
    rated_at BIGINT NOT NULL,
    rectification TEXT,
    rectify_by TEXT,
    founded BIGINT,
    visit_notes TEXT NOT NULL,
    measures TEXT NOT NULL,
    reply TEXT NOT NULL,
    concluded_at BIGINT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ratings_one_per_visit ON ratings(ticket_id) WHERE ticket_id IS NOT NULL;
CREATE UNIQUE INDEX ratings_one_per_matter ON ratings(case_id) WHERE channel <> 'pad';
CREATE INDEX ratings_rated_at ON ratings(rated_at);
CREATE INDEX ratings_case ON ratings(case_id);
CREATE INDEX ratings_open ON ratings(department_id, rectification) WHERE rectification IS NOT NULL;
-- Where an SMS reply to the rating invitation belongs: the phone's recently closed cases.
CREATE INDEX cases_phone_closed ON cases(phone, closed_at);
