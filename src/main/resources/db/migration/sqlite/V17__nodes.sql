-- Which gateway node runs a call, and the leases of live nodes (issue 12). On the embedded store
-- one gateway owns the data directory, so the node is never written there (NULL) and the lease
-- table stays empty; the columns exist so that both stores have the same tables.
ALTER TABLE invocations ADD COLUMN node TEXT;

CREATE TABLE gateway_nodes (
    node        TEXT    NOT NULL PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
);
