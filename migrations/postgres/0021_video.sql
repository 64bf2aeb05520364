-- Video monitoring (视频监控): the cameras over the halls, windows and centers, where each
-- was when (a move or a retirement closes a placement), their health from the periodic
-- snapshot probe, and the latest snapshot (liandong_domain::video, docs/video.md). A dead
-- camera is a supervision finding: findings now name a case or a camera.

-- A camera: its record (edited under `version`) and where it is now.
CREATE TABLE cameras (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    -- The window it looks at now; NULL: the hall or center as a whole.
    window_id BIGINT REFERENCES windows(id),
    name TEXT NOT NULL,
    -- GB/T 28181 device ID (国标编码), 20 digits.
    device_id TEXT NOT NULL UNIQUE,
    stream_url TEXT NOT NULL,
    snapshot_url TEXT NOT NULL,
    -- 0 once retired (停用): kept for the history that names it.
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    version BIGINT NOT NULL
);
CREATE INDEX cameras_unit ON cameras(unit_id);

-- Where each camera was: [from_at, until_at), until_at NULL while it is there.
CREATE TABLE camera_placements (
    camera_id BIGINT NOT NULL REFERENCES cameras(id),
    seq BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    window_id BIGINT REFERENCES windows(id),
    from_at BIGINT NOT NULL,
    until_at BIGINT,
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
    camera_id BIGINT PRIMARY KEY REFERENCES cameras(id),
    health TEXT NOT NULL,
    failures BIGINT NOT NULL,
    successes BIGINT NOT NULL,
    failing_since BIGINT,
    probes BIGINT NOT NULL,
    last_probe_at BIGINT,
    last_ok_at BIGINT,
    last_error TEXT NOT NULL,
    last_millis BIGINT
);

-- Every change of health, numbered by the probe that made it: the cameras' availability.
CREATE TABLE camera_health_changes (
    camera_id BIGINT NOT NULL REFERENCES cameras(id),
    probe BIGINT NOT NULL,
    at BIGINT NOT NULL,
    from_health TEXT NOT NULL,
    to_health TEXT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (camera_id, probe)
);

-- The latest snapshot of each camera, base64 (every column of a backup is an integer or
-- text), replaced by each successful probe.
CREATE TABLE camera_snapshots (
    camera_id BIGINT PRIMARY KEY REFERENCES cameras(id),
    taken_at BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL
);

-- A finding names a case (with its department) or a camera (with its unit).
ALTER TABLE findings ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE findings ALTER COLUMN department_id DROP NOT NULL;
ALTER TABLE findings ADD COLUMN camera_id BIGINT REFERENCES cameras(id);
ALTER TABLE findings ADD COLUMN unit_id BIGINT REFERENCES units(id);
ALTER TABLE findings ADD CONSTRAINT findings_case_or_camera
    CHECK ((case_id IS NULL) <> (camera_id IS NULL));
CREATE INDEX findings_camera ON findings(camera_id);
