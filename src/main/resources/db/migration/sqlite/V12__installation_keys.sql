-- Keys this installation generates for itself once and keeps (e.g. the upstream idempotency key
-- derivation). Written once per name, never changed: a changed key would change every derived value.
CREATE TABLE installation_keys (
    name       TEXT PRIMARY KEY,
    key        BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TRIGGER installation_keys_no_update BEFORE UPDATE ON installation_keys
BEGIN
    SELECT RAISE(ABORT, 'installation_keys are written once');
END;
