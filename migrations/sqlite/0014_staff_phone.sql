-- A member of staff's work mobile, for the supervision's SMS (yellow and red warnings);
-- empty when they have none.
ALTER TABLE staff ADD COLUMN phone TEXT NOT NULL DEFAULT '';
