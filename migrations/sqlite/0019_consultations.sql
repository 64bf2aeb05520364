-- Online consultation (网上咨询): questions about a service item from applicants signed in
-- with their phone, answered by the item's department within its working days, published
-- when the officer marks them so (liandong_domain::consultation, docs/consultations.md).
-- The row holds what lists and counts need; the history folds into the rest.
CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The item and department now (a forward may change both).
    item_code TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    phone TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    public INTEGER NOT NULL,
    asked_at INTEGER NOT NULL,
    answer_days INTEGER NOT NULL,
    answered_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX consultations_department ON consultations(department_id, state, asked_at);
CREATE INDEX consultations_item_public ON consultations(item_code, public);
CREATE INDEX consultations_phone ON consultations(phone);
CREATE INDEX consultations_asked_at ON consultations(asked_at);

CREATE TABLE consultation_events (
    consultation_id INTEGER NOT NULL REFERENCES consultations(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    -- None: the asker.
    actor_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (consultation_id, seq)
);
