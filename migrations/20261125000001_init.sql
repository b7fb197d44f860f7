-- The initial schema of the ETHOS count. Append-only: change the schema in a new migration.
-- Times are RFC 3339 text (UTC unless a column says otherwise); ids are UUID text.

-- Coordinator and analyst accounts. Field devices are not users (see `devices`).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,            -- Argon2id PHC string
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'analyst')),
    created_at    TEXT NOT NULL
);

-- Login sessions. Only the SHA-256 of a token is stored: a copy of the database opens nothing.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Failed logins, for the rate limit (5 per username or client address per 15 minutes).
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    username    TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);

CREATE TABLE counts (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    reference_date TEXT NOT NULL,          -- YYYY-MM-DD
    starts_at      TEXT NOT NULL,          -- with the offset the coordinator gave
    ends_at        TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('training', 'live', 'locked')),
    dedup_secret   TEXT NOT NULL,          -- HMAC key of the duplicate key; only enrolment hands it out
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL REFERENCES users (id)
);

-- Team codes ("invites"). A device enrolls with one and its records carry its organisation.
CREATE TABLE invites (
    id                TEXT PRIMARY KEY,
    count_id          TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    code              TEXT NOT NULL UNIQUE, -- normalised: upper case, no separator
    organisation      TEXT NOT NULL,
    organisation_type TEXT NOT NULL,
    expires_at        TEXT,
    revoked_at        TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX invites_count ON invites (count_id);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    invite_id    TEXT NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    count_id     TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT,
    enrolled_at  TEXT NOT NULL,
    last_seen_at TEXT
);
CREATE INDEX devices_count ON devices (count_id);

-- One row per record id: its latest revision, one column per field of the wire record, so the
-- report and the duplicate review read plain columns. The wire record is rebuilt from them
-- (and its canonical JSON compared to a resend's) by the storage layer.
CREATE TABLE records (
    id               TEXT NOT NULL UNIQUE,
    count_id         TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    device_id        TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    revision         INTEGER NOT NULL,
    observed_at      TEXT NOT NULL,         -- as sent, with the phone's offset
    municipality     TEXT NOT NULL,
    living_situation TEXT NOT NULL,
    dedup_key        TEXT,
    origin           TEXT NOT NULL,         -- a CBS code, 'abroad' or 'unknown'
    age_band         TEXT NOT NULL,
    gender           TEXT NOT NULL,
    household        TEXT NOT NULL,
    children         TEXT NOT NULL,         -- '0'..'20' or 'unknown'
    duration         TEXT NOT NULL,
    residence_status TEXT NOT NULL,
    income           TEXT NOT NULL,
    care_needs       TEXT NOT NULL,         -- codes joined by '|', e.g. 'addiction|psychiatric'
    previous_facility TEXT NOT NULL,
    housing_need     TEXT NOT NULL,
    -- What the report reads instead of the columns above (the text columns stay the record):
    observed_at_ns   INTEGER,               -- observed_at as nanoseconds since 1970 UTC, to order by without
                                            -- parsing; NULL where not exact (before 1677, after 2262, leap second)
    report_attributes INTEGER NOT NULL,     -- every attribute of the report tables in one integer
                                            -- (ethos_shared::report::Attributes::pack)
    sent_training    INTEGER NOT NULL,     -- the record's own "training" flag
    stored_in_training INTEGER NOT NULL,   -- 1 when the count was in training when first stored
    training         INTEGER NOT NULL,     -- stored_in_training, or the record says so
    received_at      TEXT NOT NULL,
    void_reason      TEXT,
    void_at          TEXT,
    void_by          TEXT,
    -- Clustered by count: the report and the record list read one count's rows in one range.
    PRIMARY KEY (count_id, id)
) WITHOUT ROWID;
CREATE INDEX records_count_key ON records (count_id, dedup_key) WHERE dedup_key IS NOT NULL;

-- The coordinator's decision per duplicate key.
CREATE TABLE duplicate_resolutions (
    count_id          TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    dedup_key         TEXT NOT NULL,
    decision          TEXT NOT NULL CHECK (decision IN ('same_person', 'different_people')),
    primary_record_id TEXT,
    decided_at        TEXT NOT NULL,
    decided_by        TEXT NOT NULL,
    PRIMARY KEY (count_id, dedup_key)
);

-- Who did what when. Written in the same transaction as the change it describes.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,               -- "user:<name>", "device:<id>", "cli"
    action    TEXT NOT NULL,               -- e.g. "count.create", "record.void", "sync"
    count_id  TEXT,
    entity_id TEXT,
    details   TEXT                         -- JSON, never personal data
);
CREATE INDEX audit_log_count ON audit_log (count_id, id);
