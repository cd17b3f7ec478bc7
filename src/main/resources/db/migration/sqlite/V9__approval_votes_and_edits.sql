-- Quorum: how many distinct approvers a request needs, fixed when the call is parked (requests
-- parked before this migration needed one).
ALTER TABLE approvals ADD COLUMN required INTEGER NOT NULL DEFAULT 1;

-- Each approver's vote, for the digest of the arguments it approved: after an edit, votes for the
-- earlier arguments stay on record but no longer count.
CREATE TABLE approval_votes (
    approval_id      TEXT NOT NULL REFERENCES approvals (approval_id),
    approver         TEXT NOT NULL,
    arguments_digest TEXT NOT NULL,
    voted_at         TEXT NOT NULL,
    reason           TEXT,
    seq              INTEGER NOT NULL,
    PRIMARY KEY (approval_id, approver, arguments_digest)
);

CREATE INDEX approval_votes_order ON approval_votes (approval_id, seq);

-- An approver's edit of a parked call's arguments: arguments and arguments_digest stay the
-- agent's; these hold the edited ones, which are what runs, and who edited them when.
ALTER TABLE invocations ADD COLUMN edited_arguments TEXT;
ALTER TABLE invocations ADD COLUMN edited_digest TEXT;
ALTER TABLE invocations ADD COLUMN edited_by TEXT;
ALTER TABLE invocations ADD COLUMN edited_at TEXT;
