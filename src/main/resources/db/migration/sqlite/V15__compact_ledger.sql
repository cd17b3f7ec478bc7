-- The ledger stored compactly (about a third of the bytes per call), with the same values: every
-- audit record reads back exactly as before, so every chain written before this still verifies.
--
--  * ledger_values: the strings that repeat from record to record (tenant, agent, channel, tool
--    name, reasons, configuration hash, policy version, descriptor hash, credential use, log-only
--    decisions, filter reports; the row's tool and decision), each stored once under a small
--    integer id. Append-only like the log: a record
--    hashes the value its id names, so an edited value breaks every record that uses it.
--    A column that refers to one holds the id (INTEGER) or, for a value too long to share, the
--    text itself; readers tell them apart by type.
--  * Hex (hashes, digests, trace and session ids): the bytes as a BLOB when the text is lower-case
--    hex of even length (how this gateway writes them), else the text as it was. A record's
--    invocation id likewise: its 16 bytes when it is a UUID in canonical (lower-case) form.
--  * Times as integers: recorded_at in milliseconds since the epoch (the precision the chain
--    hashes), received_at in nanoseconds (as the API shows it), updated_at in milliseconds.
--  * No prev_hash: it is the hash of the record before (the genesis for the first), which the
--    verifier has in hand, and each hash covers it.

CREATE TABLE ledger_values (
    id    INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);

CREATE TRIGGER ledger_values_no_update BEFORE UPDATE ON ledger_values
BEGIN
    SELECT RAISE(ABORT, 'ledger_values is append-only');
END;

CREATE TRIGGER ledger_values_no_delete BEFORE DELETE ON ledger_values
BEGIN
    SELECT RAISE(ABORT, 'ledger_values is append-only');
END;

INSERT OR IGNORE INTO ledger_values (value)
SELECT v FROM (
    SELECT config_hash AS v, seq AS s, 1 AS k FROM audit_log
    UNION ALL SELECT tenant, seq, 7 FROM audit_log WHERE length(tenant) <= 1024
    UNION ALL SELECT agent_id, seq, 8 FROM audit_log WHERE length(agent_id) <= 1024
    UNION ALL SELECT channel, seq, 9 FROM audit_log WHERE length(channel) <= 1024
    UNION ALL SELECT tool_name, seq, 10 FROM audit_log WHERE length(tool_name) <= 1024
    UNION ALL SELECT reasons, seq, 11 FROM audit_log WHERE length(reasons) <= 1024
    UNION ALL SELECT policy_version, seq, 2 FROM audit_log
    UNION ALL SELECT descriptor_hash, seq, 3 FROM audit_log
    UNION ALL SELECT credential, seq, 4 FROM audit_log
    UNION ALL SELECT shadows, seq, 5 FROM audit_log WHERE length(shadows) <= 1024
    UNION ALL SELECT filtered, seq, 6 FROM audit_log WHERE length(filtered) <= 1024
)
WHERE v IS NOT NULL ORDER BY s, k;

INSERT OR IGNORE INTO ledger_values (value)
SELECT v FROM (
    SELECT tool AS v, received_at AS s, 1 AS k FROM invocations
    UNION ALL SELECT decision, received_at, 2 FROM invocations WHERE length(decision) <= 1024
    UNION ALL SELECT credential, received_at, 3 FROM invocations
)
WHERE v IS NOT NULL ORDER BY s, k;

-- The audit log, copied into its compact form. The append-only triggers go with the old table and
-- are created again on the new one.
CREATE TABLE audit_log_compact (
    seq              INTEGER PRIMARY KEY,
    recorded_at      INTEGER NOT NULL,
    invocation_id    BLOB    NOT NULL,
    trace_id         BLOB    NOT NULL,
    request_id       TEXT,
    tenant           BLOB,
    agent_id         BLOB,
    user_id          TEXT,
    session_id       BLOB,
    channel          BLOB,
    tool_name        BLOB,
    tool_version     TEXT,
    descriptor_hash  BLOB,
    arguments        TEXT,
    arguments_digest BLOB,
    state            TEXT    NOT NULL,
    decision         TEXT,
    reasons          BLOB    NOT NULL,
    error_kind       TEXT,
    error_detail     TEXT,
    duration_ms      INTEGER,
    config_hash      BLOB    NOT NULL,
    policy_version   BLOB,
    shadows          BLOB,
    user_detail      TEXT,
    context          TEXT,
    filtered         BLOB,
    credential       BLOB,
    hash             BLOB    NOT NULL
);

INSERT INTO audit_log_compact
SELECT seq,
       unixepoch(recorded_at) * 1000
           + CASE WHEN instr(recorded_at, '.') > 0
                  THEN CAST(substr(substr(recorded_at, instr(recorded_at, '.') + 1) || '000', 1, 3) AS INTEGER)
                  ELSE 0 END,
       CASE WHEN length(invocation_id) = 36 AND substr(invocation_id, 9, 1) = '-'
                 AND substr(invocation_id, 14, 1) = '-' AND substr(invocation_id, 19, 1) = '-'
                 AND substr(invocation_id, 24, 1) = '-'
                 AND length(replace(invocation_id, '-', '')) = 32
                 AND replace(invocation_id, '-', '') NOT GLOB '*[^0-9a-f]*'
            THEN unhex(replace(invocation_id, '-', '')) ELSE invocation_id END,
       CASE WHEN trace_id GLOB '*[^0-9a-f]*' OR trace_id = '' OR length(trace_id) % 2 = 1
            THEN trace_id ELSE unhex(trace_id) END,
       request_id,
       COALESCE((SELECT id FROM ledger_values WHERE value = tenant), tenant),
       COALESCE((SELECT id FROM ledger_values WHERE value = agent_id), agent_id),
       user_id,
       CASE WHEN session_id GLOB '*[^0-9a-f]*' OR session_id = '' OR length(session_id) % 2 = 1
            THEN session_id ELSE unhex(session_id) END,
       COALESCE((SELECT id FROM ledger_values WHERE value = channel), channel),
       COALESCE((SELECT id FROM ledger_values WHERE value = tool_name), tool_name),
       tool_version,
       (SELECT id FROM ledger_values WHERE value = descriptor_hash),
       arguments,
       CASE WHEN arguments_digest GLOB '*[^0-9a-f]*' OR arguments_digest = '' OR length(arguments_digest) % 2 = 1
            THEN arguments_digest ELSE unhex(arguments_digest) END,
       state, decision,
       COALESCE((SELECT id FROM ledger_values WHERE value = reasons), reasons),
       error_kind, error_detail, duration_ms,
       (SELECT id FROM ledger_values WHERE value = config_hash),
       (SELECT id FROM ledger_values WHERE value = policy_version),
       COALESCE((SELECT id FROM ledger_values WHERE value = shadows), shadows),
       user_detail, context,
       COALESCE((SELECT id FROM ledger_values WHERE value = filtered), filtered),
       (SELECT id FROM ledger_values WHERE value = credential),
       CASE WHEN hash GLOB '*[^0-9a-f]*' OR hash = '' OR length(hash) % 2 = 1
            THEN hash ELSE unhex(hash) END
FROM audit_log ORDER BY seq;

DROP TABLE audit_log;
ALTER TABLE audit_log_compact RENAME TO audit_log;

CREATE INDEX audit_log_invocation ON audit_log (invocation_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The invocations, changed column by column in place (approvals and before-states refer to them, so
-- the table itself stays): each changed column is added in its new form, filled, and takes the old
-- one's name. descriptor_hash goes: the row's tool names it. arguments and arguments_digest may be
-- null: a call that did not park has them in the audit record its first transition wrote (see
-- JdbcLedger), and reads them there; likewise its trace, request and session ids when trace_id is
-- null. The index on states keeps only calls that have not ended (what
-- recovery and the sweepers look for): an ended call leaves it.
DROP INDEX invocations_state;

ALTER TABLE invocations ADD COLUMN trace_id_packed BLOB;
ALTER TABLE invocations ADD COLUMN session_id_packed BLOB;
ALTER TABLE invocations ADD COLUMN tool_ref BLOB;
ALTER TABLE invocations ADD COLUMN digest_packed BLOB;
ALTER TABLE invocations ADD COLUMN received_nanos INTEGER;
ALTER TABLE invocations ADD COLUMN decision_ref BLOB;
ALTER TABLE invocations ADD COLUMN credential_ref BLOB;
ALTER TABLE invocations ADD COLUMN updated_millis INTEGER;
ALTER TABLE invocations ADD COLUMN arguments_json TEXT;

UPDATE invocations SET
    trace_id_packed =
        CASE WHEN trace_id GLOB '*[^0-9a-f]*' OR trace_id = '' OR length(trace_id) % 2 = 1
             THEN trace_id ELSE unhex(trace_id) END,
    session_id_packed =
        CASE WHEN session_id GLOB '*[^0-9a-f]*' OR session_id = '' OR length(session_id) % 2 = 1
             THEN session_id ELSE unhex(session_id) END,
    tool_ref = (SELECT id FROM ledger_values WHERE value = tool),
    digest_packed =
        CASE WHEN arguments_digest GLOB '*[^0-9a-f]*' OR arguments_digest = '' OR length(arguments_digest) % 2 = 1
             THEN arguments_digest ELSE unhex(arguments_digest) END,
    received_nanos =
        unixepoch(received_at) * 1000000000
            + CASE WHEN instr(received_at, '.') > 0
                   THEN CAST(substr(substr(received_at, instr(received_at, '.') + 1) || '000000000', 1, 9) AS INTEGER)
                   ELSE 0 END,
    decision_ref = COALESCE((SELECT id FROM ledger_values WHERE value = decision), decision),
    credential_ref = (SELECT id FROM ledger_values WHERE value = credential),
    updated_millis =
        unixepoch(updated_at) * 1000
            + CASE WHEN instr(updated_at, '.') > 0
                   THEN CAST(substr(substr(updated_at, instr(updated_at, '.') + 1) || '000', 1, 3) AS INTEGER)
                   ELSE 0 END,
    arguments_json = arguments;

ALTER TABLE invocations DROP COLUMN trace_id;
ALTER TABLE invocations DROP COLUMN session_id;
ALTER TABLE invocations DROP COLUMN tool;
ALTER TABLE invocations DROP COLUMN descriptor_hash;
ALTER TABLE invocations DROP COLUMN arguments_digest;
ALTER TABLE invocations DROP COLUMN received_at;
ALTER TABLE invocations DROP COLUMN decision;
ALTER TABLE invocations DROP COLUMN credential;
ALTER TABLE invocations DROP COLUMN updated_at;
ALTER TABLE invocations DROP COLUMN arguments;

ALTER TABLE invocations RENAME COLUMN trace_id_packed TO trace_id;
ALTER TABLE invocations RENAME COLUMN session_id_packed TO session_id;
ALTER TABLE invocations RENAME COLUMN tool_ref TO tool;
ALTER TABLE invocations RENAME COLUMN digest_packed TO arguments_digest;
ALTER TABLE invocations RENAME COLUMN received_nanos TO received_at;
ALTER TABLE invocations RENAME COLUMN decision_ref TO decision;
ALTER TABLE invocations RENAME COLUMN credential_ref TO credential;
ALTER TABLE invocations RENAME COLUMN updated_millis TO updated_at;
ALTER TABLE invocations RENAME COLUMN arguments_json TO arguments;

CREATE INDEX invocations_open ON invocations (state, received_at)
    WHERE state IN ('RECEIVED', 'CHECKED', 'AWAITING_APPROVAL', 'EXECUTING', 'NEEDS_RECONCILIATION');
