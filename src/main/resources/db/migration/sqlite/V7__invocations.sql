-- The durable state of every invocation (see InvocationStore). One row per call, updated at each
-- transition with a compare-and-set on its state; each transition also appends a history row.
CREATE TABLE invocations (
    invocation_id    TEXT    NOT NULL PRIMARY KEY,
    trace_id         TEXT    NOT NULL,
    request_id       TEXT,
    idempotency_key  TEXT,
    holds_key        INTEGER NOT NULL,
    tenant           TEXT    NOT NULL,
    agent_id         TEXT    NOT NULL,
    agent_bundle     TEXT,
    user_id          TEXT,
    user_detail      TEXT,
    session_id       TEXT,
    channel          TEXT    NOT NULL,
    tool_name        TEXT    NOT NULL,
    tool             TEXT,
    descriptor_hash  TEXT,
    arguments        TEXT    NOT NULL,
    arguments_digest TEXT    NOT NULL,
    context          TEXT    NOT NULL,
    received_at      TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    decision         TEXT,
    credential       TEXT,
    ending           TEXT,
    updated_at       TEXT    NOT NULL
);

-- An idempotency key names at most one invocation per tenant and agent.
CREATE UNIQUE INDEX invocations_idempotency_key ON invocations (tenant, agent_id, idempotency_key)
    WHERE holds_key = 1;

CREATE INDEX invocations_state ON invocations (state, received_at);

CREATE TABLE invocation_history (
    invocation_id TEXT    NOT NULL REFERENCES invocations (invocation_id),
    seq           INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    PRIMARY KEY (invocation_id, seq)
);
