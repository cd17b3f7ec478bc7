-- Approval requests: one per invocation parked AWAITING_APPROVAL (see ApprovalStore). A decision
-- is a compare-and-set from 'pending'; decided rows never change again.
CREATE TABLE approvals (
    approval_id   TEXT NOT NULL PRIMARY KEY,
    invocation_id TEXT NOT NULL UNIQUE REFERENCES invocations (invocation_id),
    created_at    TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    status        TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    reason        TEXT
);

CREATE INDEX approvals_status ON approvals (status, created_at);
