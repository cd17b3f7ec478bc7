-- Which credential a call used upstream (reference and version, JSON), never its value, and
-- whether the connector masked an echo of it.
ALTER TABLE audit_log ADD COLUMN credential TEXT;
