-- Appointments (预约取号): a slot of a hall's business group booked online or at the kiosk,
-- checked in at the kiosk on the day. The booking's data is JSON beside the columns it is
-- looked up by; the code is unique within the hall's day (it is what the kiosk asks for).
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    group_code TEXT NOT NULL,
    day TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    phone TEXT NOT NULL,
    code TEXT NOT NULL,
    state TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX appointments_code ON appointments(unit_id, day, code);
CREATE INDEX appointments_phone ON appointments(phone, day);

-- Bookings per slot: the count is raised only while it is below the slot's capacity, in the
-- booking's transaction, so that two kiosks and the web never overbook the last place.
CREATE TABLE appointment_slots (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    group_code TEXT NOT NULL,
    day TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    booked INTEGER NOT NULL,
    PRIMARY KEY (unit_id, group_code, day, start_minute)
);

-- One row per phone that ever booked, locked by each booking of that phone so that two at
-- once cannot both pass the limit of bookings a phone may hold.
CREATE TABLE appointment_phones (
    phone TEXT PRIMARY KEY,
    last_booked_at INTEGER NOT NULL
);
