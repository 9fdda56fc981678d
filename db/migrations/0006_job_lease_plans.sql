-- 0006: a lease on each running job (which process runs it, and when it last said
-- so), so a job whose process died is resumed and no job is run by two processes;
-- the plan a cleanup job was confirmed against and how its verification ended;
-- and the cleanup plans shown to scripts, so that a confirmation can name what
-- changed since.
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN heartbeat_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN plan_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN outcome TEXT NOT NULL DEFAULT '';

CREATE TABLE cleanup_plans (
    class_id   TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    scope      TEXT NOT NULL DEFAULT '',   -- '' for the whole class, or a student's slug
    arns       TEXT NOT NULL,              -- the plan's resources, one ARN per line
    created_at INTEGER NOT NULL,
    PRIMARY KEY (class_id, hash)
);
