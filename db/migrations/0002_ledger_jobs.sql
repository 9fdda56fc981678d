-- 0002: the ledger of everything a class owns in AWS, and resumable jobs.

CREATE TABLE ledger (
    id         INTEGER PRIMARY KEY,
    class_id   TEXT NOT NULL,
    student    TEXT NOT NULL DEFAULT '',   -- slug; '' for class-wide resources
    arn        TEXT NOT NULL,
    type       TEXT NOT NULL,              -- "AWS::IAM::Role", "AWS::CloudFormation::Stack", …
    region     TEXT NOT NULL DEFAULT '',   -- '' for global resources
    account    TEXT NOT NULL,
    parent     TEXT NOT NULL DEFAULT '',   -- ARN of the resource this one belongs to
    found_by   TEXT NOT NULL,              -- "provisioned", "tag", "prefix", "parent"
    detail     TEXT NOT NULL DEFAULT '',   -- e.g. stack outputs as JSON
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    UNIQUE (class_id, arn)
);
CREATE INDEX ledger_class ON ledger(class_id, student);

CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    class_id   TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,              -- "provision", "cleanup"
    state      TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    error      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_class ON jobs(class_id, id);

CREATE TABLE job_items (
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,              -- the student slug (or another unit of work)
    state      TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    step       TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, key)
);
