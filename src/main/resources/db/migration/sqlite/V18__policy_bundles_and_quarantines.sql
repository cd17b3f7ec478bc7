-- Shared policy bundles and tool quarantines (issue 12). On the embedded store one gateway owns the
-- data directory, reads its policy from its own files and keeps its quarantines in memory, so these
-- tables stay empty there; they exist so that both stores have the same tables and versions.
CREATE TABLE policy_bundles (
    seq          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    version      TEXT    NOT NULL,
    files        TEXT    NOT NULL,
    node         TEXT,
    published_at TEXT    NOT NULL
);

CREATE INDEX policy_bundles_by_version ON policy_bundles (version);

CREATE TRIGGER policy_bundles_no_update BEFORE UPDATE ON policy_bundles
BEGIN
    SELECT RAISE(ABORT, 'policy_bundles is append-only');
END;

CREATE TRIGGER policy_bundles_no_delete BEFORE DELETE ON policy_bundles
BEGIN
    SELECT RAISE(ABORT, 'policy_bundles is append-only');
END;

CREATE TABLE tool_quarantines (
    tool           TEXT    NOT NULL,
    pin_version    INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    node           TEXT,
    quarantined_at TEXT    NOT NULL,
    PRIMARY KEY (tool, pin_version)
);

CREATE TRIGGER tool_quarantines_no_update BEFORE UPDATE ON tool_quarantines
BEGIN
    SELECT RAISE(ABORT, 'tool_quarantines is append-only');
END;

CREATE TRIGGER tool_quarantines_no_delete BEFORE DELETE ON tool_quarantines
BEGIN
    SELECT RAISE(ABORT, 'tool_quarantines is append-only');
END;

-- Which policy version each node has in force, written at each lease renewal (every 3 s).
ALTER TABLE gateway_nodes ADD COLUMN policy_version TEXT;
