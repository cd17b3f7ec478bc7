-- One ledger: a call's history is read from its audit records (each transition writes its row
-- and its record in one transaction), so the second copy of it is no longer kept.
DROP TABLE invocation_history;
