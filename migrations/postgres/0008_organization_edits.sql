-- Units, departments and windows become editable: a version detects concurrent edits, and a
-- window can be closed (停用) without losing the history that names it.
ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE departments ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE windows ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE windows ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
