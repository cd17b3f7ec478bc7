-- Operators' approvals of upstream MCP tool descriptors. Append-only: a re-approval adds a version.
CREATE TABLE tool_pins (
    tool        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL,
    descriptor  TEXT    NOT NULL,
    approved_by TEXT    NOT NULL,
    approved_at TEXT    NOT NULL,
    PRIMARY KEY (tool, version)
);

CREATE TRIGGER tool_pins_no_update BEFORE UPDATE ON tool_pins
BEGIN
    SELECT RAISE(ABORT, 'tool_pins is append-only');
END;

CREATE TRIGGER tool_pins_no_delete BEFORE DELETE ON tool_pins
BEGIN
    SELECT RAISE(ABORT, 'tool_pins is append-only');
END;
