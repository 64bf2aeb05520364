-- Video monitoring (视频监控): the cameras over the halls, windows and centers, where each
-- was when (a move or a retirement closes a placement), their health from the periodic
-- snapshot probe, and the latest snapshot (liandong_domain::video, docs/video.md). A dead
-- camera is a supervision finding: findings now name a case or a camera.

-- A camera: its record (edited under `version`) and where it is now.
CREATE TABLE cameras (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    -- The window it looks at now; NULL: the hall or center as a whole.
    window_id INTEGER REFERENCES windows(id),
    name TEXT NOT NULL,
    -- GB/T 28181 device ID (国标编码), 20 digits.
    device_id TEXT NOT NULL UNIQUE,
    stream_url TEXT NOT NULL,
    snapshot_url TEXT NOT NULL,
    -- 0 once retired (停用): kept for the history that names it.
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    version INTEGER NOT NULL
);
CREATE INDEX cameras_unit ON cameras(unit_id);

-- Where each camera was: [from_at, until_at), until_at NULL while it is there.
CREATE TABLE camera_placements (
    camera_id INTEGER NOT NULL REFERENCES cameras(id),
    seq INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    window_id INTEGER REFERENCES windows(id),
    from_at INTEGER NOT NULL,
    until_at INTEGER,
    PRIMARY KEY (camera_id, seq)
);
CREATE INDEX camera_placements_unit ON camera_placements(unit_id, from_at);
CREATE INDEX camera_placements_window ON camera_placements(window_id, from_at);
-- A window has one camera at a time.
CREATE UNIQUE INDEX camera_placements_open_window ON camera_placements(window_id)
    WHERE until_at IS NULL AND window_id IS NOT NULL;

-- Each camera's health after its probes so far; `probes` guards concurrent probes (the
-- server's and `liandong video probe`).
CREATE TABLE camera_health (
    camera_id INTEGER PRIMARY KEY REFERENCES cameras(id),
    health TEXT NOT NULL,
    failures INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    failing_since INTEGER,
    probes INTEGER NOT NULL,
    last_probe_at INTEGER,
    last_ok_at INTEGER,
    last_error TEXT NOT NULL,
    last_millis INTEGER
);

-- Every change of health, numbered by the probe that made it: the cameras' availability.
CREATE TABLE camera_health_changes (
    camera_id INTEGER NOT NULL REFERENCES cameras(id),
    probe INTEGER NOT NULL,
    at INTEGER NOT NULL,
    from_health TEXT NOT NULL,
    to_health TEXT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (camera_id, probe)
);

-- The latest snapshot of each camera, base64 (every column of a backup is an integer or
-- text), replaced by each successful probe.
CREATE TABLE camera_snapshots (
    camera_id INTEGER PRIMARY KEY REFERENCES cameras(id),
    taken_at INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL
);

-- A finding names a case (with its department) or a camera (with its unit). SQLite cannot
-- drop a NOT NULL, so `findings` is rebuilt. Notices point at findings: their references
-- are checked at commit (defer_foreign_keys), after every finding is back under its id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE findings_kept AS SELECT * FROM findings;
DROP TABLE findings;
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key TEXT NOT NULL UNIQUE,
    case_id INTEGER REFERENCES cases(id),
    kind TEXT NOT NULL,
    step TEXT,
    occurred_at INTEGER NOT NULL,
    detected_at INTEGER NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    role TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    -- Refusals, denials, suspensions and terminations: reviewed as routine, not irregular.
    routine INTEGER NOT NULL DEFAULT 0,
    -- The finding as the rules made it (JSON), for opening its notice.
    data TEXT NOT NULL,
    camera_id INTEGER REFERENCES cameras(id),
    unit_id INTEGER REFERENCES units(id),
    CHECK ((case_id IS NULL) <> (camera_id IS NULL))
);
INSERT INTO findings (id, dedup_key, case_id, kind, step, occurred_at, detected_at,
        department_id, role, description_zh, description_en, provisional, routine, data)
    SELECT id, dedup_key, case_id, kind, step, occurred_at, detected_at, department_id, role,
        description_zh, description_en, provisional, routine, data FROM findings_kept;
DROP TABLE findings_kept;
CREATE INDEX findings_department ON findings(department_id, detected_at);
CREATE INDEX findings_detected ON findings(detected_at);
CREATE INDEX findings_case ON findings(case_id);
CREATE INDEX findings_camera ON findings(camera_id);
