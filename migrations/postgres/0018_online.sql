-- Online services (网上办事): applicants sign in with a one-time SMS code, upload the
-- materials of an application or a supplement, and supplement or withdraw online
-- (docs/online.md).

-- What the applicant does online has no officer.
ALTER TABLE case_events ALTER COLUMN actor_id DROP NOT NULL;

-- Codes sent; only a hash of each (with its phone) is kept.
CREATE TABLE sign_in_codes (
    id BIGSERIAL PRIMARY KEY,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    failures BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX sign_in_codes_phone ON sign_in_codes(phone, sent_at);

-- Signed-in applicants: the SHA-256 of the token in their cookie, never the token.
CREATE TABLE applicant_sessions (
    token_hash TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX applicant_sessions_phone ON applicant_sessions(phone);

-- Uploaded files by their content's SHA-256 (base64: every column of a backup is an
-- integer or text). The same scan sent twice is kept once.
CREATE TABLE stored_files (
    sha256 TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content TEXT NOT NULL,
    stored_at BIGINT NOT NULL
);

-- Which file is which material of which case, and the event that brought it (1: the
-- application; a supplement's seq later).
CREATE TABLE case_files (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    material TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES stored_files(sha256),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX case_files_case ON case_files(case_id);
