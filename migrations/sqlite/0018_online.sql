-- Online services (网上办事): applicants sign in with a one-time SMS code, upload the
-- materials of an application or a supplement, and supplement or withdraw online
-- (docs/online.md).

-- What the applicant does online has no officer: case_events.actor_id becomes nullable.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt exactly as it was otherwise.
CREATE TABLE case_events_rebuilt (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    comment TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
INSERT INTO case_events_rebuilt (case_id, seq, at, actor_id, unit_id, kind, comment, data, prev_hash, hash)
    SELECT case_id, seq, at, actor_id, unit_id, kind, comment, data, prev_hash, hash FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_rebuilt RENAME TO case_events;

-- Codes sent; only a hash of each (with its phone) is kept.
CREATE TABLE sign_in_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    used_at INTEGER
);
CREATE INDEX sign_in_codes_phone ON sign_in_codes(phone, sent_at);

-- Signed-in applicants: the SHA-256 of the token in their cookie, never the token.
CREATE TABLE applicant_sessions (
    token_hash TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX applicant_sessions_phone ON applicant_sessions(phone);

-- Uploaded files by their content's SHA-256 (base64: every column of a backup is an
-- integer or text). The same scan sent twice is kept once.
CREATE TABLE stored_files (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content TEXT NOT NULL,
    stored_at INTEGER NOT NULL
);

-- Which file is which material of which case, and the event that brought it (1: the
-- application; a supplement's seq later).
CREATE TABLE case_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    seq INTEGER NOT NULL,
    material TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES stored_files(sha256),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX case_files_case ON case_files(case_id);
