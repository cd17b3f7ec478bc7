-- The embedded vault: sealed versions of named secrets (ciphertext and wrapped data keys only).
CREATE TABLE vault_secrets (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    scopes      TEXT    NOT NULL,
    wrapped_key BLOB    NOT NULL,
    ciphertext  BLOB    NOT NULL,
    created_at  TEXT    NOT NULL,
    revoked_at  TEXT,
    PRIMARY KEY (name, version)
);
