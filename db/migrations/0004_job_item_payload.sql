-- 0004: what a job item works on (a cleanup item's ARN, type, region, parent), so a
-- job resumes from the database alone.
ALTER TABLE job_items ADD COLUMN payload TEXT NOT NULL DEFAULT '';
