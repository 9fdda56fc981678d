-- 0008: the ledger looked up by ARN alone, so Record can check in one indexed read
-- that no other class holds an ARN live before it records it (a resource has one
-- owner; a class must never silently take over another's row).
CREATE INDEX ledger_arn ON ledger(arn);
