-- Electronic certificates (电子证照) issued on approval, and the issuing department's unified
-- social credit code that their identifiers carry. The PDF is kept as issued (base64: every
-- column of the backup is an integer or text), since a re-render is not byte-identical and
-- the file's signature covers every byte.
ALTER TABLE departments ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    edition INTEGER NOT NULL,
    identifier TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_id_number TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    issued_on TEXT NOT NULL,
    valid_until TEXT,
    state TEXT NOT NULL,
    token TEXT NOT NULL,
    pdf TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    issued_by INTEGER REFERENCES staff(id),
    revoked_at INTEGER,
    revoke_reason TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (case_id, edition)
);
