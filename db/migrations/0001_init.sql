-- 0001: accounts, classes, rosters, checkpoint results and the audit log.
-- Times are Unix seconds (UTC). Later migrations add the ledger and jobs.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('instructor', 'assistant')),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('instructor', 'assistant')),
    email      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE classes (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    owner_id     INTEGER NOT NULL REFERENCES users(id),
    regions      TEXT NOT NULL,
    isolation    TEXT NOT NULL CHECK (isolation IN ('shared-account', 'account-per-student')),
    labs         TEXT NOT NULL,
    next_student INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
);
CREATE INDEX classes_owner ON classes(owner_id);

CREATE TABLE class_assistants (
    class_id TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, user_id)
);
CREATE INDEX class_assistants_user ON class_assistants(user_id);

CREATE TABLE students (
    id             INTEGER PRIMARY KEY,
    class_id       TEXT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    slug           TEXT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL COLLATE NOCASE,
    account_id     TEXT NOT NULL DEFAULT '',
    link_hash      TEXT UNIQUE,
    link_issued_at INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (class_id, slug),
    UNIQUE (class_id, email)
);

CREATE TABLE checkpoint_results (
    student_id    INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    lab           TEXT NOT NULL,
    checkpoint    TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'pass', 'fail', 'error')),
    evidence      TEXT NOT NULL DEFAULT '',
    first_pass_at INTEGER,
    checked_at    INTEGER NOT NULL,
    PRIMARY KEY (student_id, lab, checkpoint)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    class_id TEXT,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_class ON audit_log(class_id, id);
