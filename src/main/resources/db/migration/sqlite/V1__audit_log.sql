-- The append-only, hash-chained audit log. Each row is one transition of one invocation.
CREATE TABLE audit_log (
    seq              INTEGER PRIMARY KEY,
    recorded_at      TEXT    NOT NULL,
    invocation_id    TEXT    NOT NULL,
    trace_id         TEXT    NOT NULL,
    request_id       TEXT,
    tenant           TEXT,
    agent_id         TEXT,
    user_id          TEXT,
    session_id       TEXT,
    channel          TEXT,
    tool_name        TEXT,
    tool_version     TEXT,
    descriptor_hash  TEXT,
    arguments        TEXT,
    arguments_digest TEXT,
    state            TEXT    NOT NULL,
    decision         TEXT,
    reasons          TEXT    NOT NULL,
    error_kind       TEXT,
    error_detail     TEXT,
    duration_ms      INTEGER,
    config_hash      TEXT    NOT NULL,
    prev_hash        TEXT    NOT NULL,
    hash             TEXT    NOT NULL
);

CREATE INDEX audit_log_invocation ON audit_log (invocation_id);

-- The last record the log vouches for, updated in the same transaction as each append, so a
-- record removed from the end of the chain is detected too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);

-- Append-only in the database itself: updates and deletes are refused. Someone with the file can
-- still drop these triggers; the hash chain is what catches that.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
