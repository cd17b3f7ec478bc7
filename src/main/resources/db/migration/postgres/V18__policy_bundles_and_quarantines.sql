-- What one node changes reaches every node (issue 12).
--
-- policy_bundles: every policy set a node loaded from its files and put in force, in the order they
-- were published; every node follows the newest one (config/PolicySharing). A bundle holds the
-- files' names and contents, so a node compiles exactly what the publisher compiled, and the
-- version is their hash, which the follower checks. Append-only: the history of who put which
-- policy in force, and when, stays.
CREATE TABLE policy_bundles (
    seq          bigserial NOT NULL PRIMARY KEY,
    version      text      NOT NULL,
    files        text      NOT NULL,
    node         text,
    published_at text      NOT NULL
);

CREATE INDEX policy_bundles_by_version ON policy_bundles (version);

CREATE TRIGGER policy_bundles_append_only BEFORE UPDATE OR DELETE ON policy_bundles
    FOR EACH ROW EXECUTE FUNCTION portcullis_refuse_change();
CREATE TRIGGER policy_bundles_no_truncate BEFORE TRUNCATE ON policy_bundles
    FOR EACH STATEMENT EXECUTE FUNCTION portcullis_refuse_change();

-- tool_quarantines: an approved upstream tool that one node found changed (or gone) upstream is
-- held on every node while the approval it was found against (tool, pin_version) is the newest;
-- approving the tool again (a new pin version) lifts it. The first node to see it records it.
CREATE TABLE tool_quarantines (
    tool           text    NOT NULL,
    pin_version    integer NOT NULL,
    reason         text    NOT NULL,
    node           text,
    quarantined_at text    NOT NULL,
    PRIMARY KEY (tool, pin_version)
);

CREATE TRIGGER tool_quarantines_append_only BEFORE UPDATE OR DELETE ON tool_quarantines
    FOR EACH ROW EXECUTE FUNCTION portcullis_refuse_change();
CREATE TRIGGER tool_quarantines_no_truncate BEFORE TRUNCATE ON tool_quarantines
    FOR EACH STATEMENT EXECUTE FUNCTION portcullis_refuse_change();

-- Which policy version each node has in force, written at each lease renewal (every 3 s).
ALTER TABLE gateway_nodes ADD COLUMN policy_version text;
