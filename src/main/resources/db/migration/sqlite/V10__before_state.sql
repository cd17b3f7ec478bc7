-- The before-state of a write that declares one (see BeforeStateStore): what its declared read saw
-- just before the write ran, kept so that a compensation can use it. At most one per invocation;
-- rows never change. Independent of every other table but invocations.
CREATE TABLE invocation_before_state (
    invocation_id  TEXT NOT NULL PRIMARY KEY REFERENCES invocations (invocation_id),
    read_tool      TEXT NOT NULL,
    read_arguments TEXT NOT NULL,
    state          TEXT NOT NULL,
    digest         TEXT NOT NULL,
    captured_at    TEXT NOT NULL
);
