-- The window that took a case in (收件窗口): set at intake from the window the clerk is
-- signed on at, or by the queue ticket finished with the case when intake did not know it;
-- none for online applications and for cases taken in before. The windows' monthly
-- evaluation counts by it (docs/supervision.md).
ALTER TABLE cases ADD COLUMN window_id BIGINT REFERENCES windows(id);
CREATE INDEX cases_window ON cases(window_id, received_at) WHERE window_id IS NOT NULL;
