-- What the filter stage took out of a completed call's result (JSON): dropped pointers and
-- redacted paths with their kinds, never the values.
ALTER TABLE audit_log ADD COLUMN filtered TEXT;
