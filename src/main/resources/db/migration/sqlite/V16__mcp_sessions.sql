-- MCP sessions (protocol revisions up to 2025-11-25) that every gateway node sharing this store
-- accepts. A row is a live or idle session; ending one (DELETE /mcp) or sweeping it removes the row.
-- The id is the signed session id the gateway handed out; times are epoch milliseconds.
-- last_seen is written coarsely (at most a few times per idle timeout), never on every call.
CREATE TABLE mcp_sessions (
    id               TEXT    PRIMARY KEY,
    agent_id         TEXT    NOT NULL,
    protocol_version TEXT    NOT NULL,
    opened_at        BIGINT  NOT NULL,
    last_seen        BIGINT  NOT NULL
);

CREATE INDEX mcp_sessions_by_agent ON mcp_sessions (agent_id, last_seen);
CREATE INDEX mcp_sessions_by_last_seen ON mcp_sessions (last_seen);
