-- 0003: the AWS account a shared-account class runs in, so provisioning's
-- preflight can refuse credentials for another account.
ALTER TABLE classes ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
