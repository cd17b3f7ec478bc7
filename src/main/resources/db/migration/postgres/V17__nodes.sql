-- Which gateway node runs a call, and the leases of live nodes: each node renews its lease every
-- few seconds (lease_until in milliseconds since the epoch); a call left EXECUTING by a node whose
-- lease has ended is settled by another node as a restart would settle it, never run again.
ALTER TABLE invocations ADD COLUMN node text;

CREATE TABLE gateway_nodes (
    node        text   NOT NULL PRIMARY KEY,
    started_at  bigint NOT NULL,
    lease_until bigint NOT NULL
);
