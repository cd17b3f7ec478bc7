-- What a policy replay needs from each record: the policy version that decided, the log-only
-- rules' would-be decisions, the delegating user as proven, and the call's policy context (JSON).
ALTER TABLE audit_log ADD COLUMN policy_version TEXT;
ALTER TABLE audit_log ADD COLUMN shadows TEXT;
ALTER TABLE audit_log ADD COLUMN user_detail TEXT;
ALTER TABLE audit_log ADD COLUMN context TEXT;
