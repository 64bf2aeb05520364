-- Window duty and attendance (窗口出勤): what each window showed, as events, and where its
-- duty stands now (liandong_domain::attendance; docs/attendance.md). Version 19 is left to
-- another change.

-- A window's duty now: the fold of its events, kept beside them so that the display board
-- reads one row per window and a write names the version it read (zero rows: somebody
-- acted first). `version` counts the window's events; no row is version 0, closed.
CREATE TABLE window_duty (
    window_id INTEGER PRIMARY KEY REFERENCES windows(id),
    state TEXT NOT NULL,
    clerk_id INTEGER REFERENCES staff(id),
    since INTEGER,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX window_duty_clerk ON window_duty(clerk_id) WHERE clerk_id IS NOT NULL;

-- Every event of a window's duty, numbered per window (`seq` is the duty's version after
-- it). `day` is the China date it concerns: the day it happened, or the day a leave
-- excuses (recorded ahead or afterwards), so that a month's events are one range.
CREATE TABLE window_duty_events (
    window_id INTEGER NOT NULL REFERENCES windows(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    day TEXT NOT NULL,
    by_staff_id INTEGER NOT NULL REFERENCES staff(id),
    clerk_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (window_id, seq)
);
CREATE INDEX window_duty_events_day ON window_duty_events(day, window_id);
