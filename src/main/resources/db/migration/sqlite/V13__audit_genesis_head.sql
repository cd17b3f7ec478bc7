-- A new, empty log vouches for nothing yet: its head is the genesis (seq 0, the all-zero hash).
-- With a head from the start, a log whose head row is gone (emptied, records and head together)
-- is told apart from a new one, and `audit verify` reports it as broken instead of intact.
-- A log that already has records and no head is left alone: verify reports that too.
INSERT INTO audit_head (id, seq, hash)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000'
WHERE NOT EXISTS (SELECT 1 FROM audit_head) AND NOT EXISTS (SELECT 1 FROM audit_log);
