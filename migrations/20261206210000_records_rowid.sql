-- `records` as a rowid table. Clustered on (count_id, id) WITHOUT ROWID, every stored record
-- went to a random place of the table (ids are random), and its wide rows (over 1/20 of a page)
-- split pages all the time: a batch of 500 records dirtied close to 500 table pages, each
-- written to the WAL at its commit. Now rows are appended in the order they are stored (`seq`),
-- and only the index on the id is in random order.
--
-- Every index of a random key costs a batch about one dirty page per record, so there are two:
-- - `id` UNIQUE: a record by its id (sync, void, record page, the record list's keyset paging
--   in id order); ids are unique over all counts.
-- - `records_count` (count_id), in `seq` order within a count (a rowid table's index holds the
--   rowid): one count's rows in the order they were stored, lying next to each other in the
--   table, and new rows are appended at its end. A read of a whole count (the report) pages on
--   `seq`: `WHERE count_id = ? AND seq > ? ORDER BY seq`.
-- The old (count_id, dedup_key) index goes: the duplicate review and the dashboard read a
-- count's rows through `records_count` and group them by key.
CREATE TABLE records_by_seq (
    seq              INTEGER PRIMARY KEY,   -- the order rows were stored in
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
    observed_at_ns   INTEGER,               -- see the first migration
    report_attributes INTEGER NOT NULL,
    sent_training    INTEGER NOT NULL,
    stored_in_training INTEGER NOT NULL,
    training         INTEGER NOT NULL,
    received_at      TEXT NOT NULL,
    void_reason      TEXT,
    void_at          TEXT,
    void_by          TEXT,
    content_hash     BLOB,                  -- see 20261206000001_record_content_hash.sql
    entry            TEXT NOT NULL DEFAULT 'field',
    report_attributes_version INTEGER NOT NULL DEFAULT 1
);

-- Every row kept, one count after the other in id order (as the old table held them).
INSERT INTO records_by_seq (id, count_id, device_id, revision, observed_at, municipality,
    living_situation, dedup_key, origin, age_band, gender, household, children, duration,
    residence_status, income, care_needs, previous_facility, housing_need, observed_at_ns,
    report_attributes, sent_training, stored_in_training, training, received_at, void_reason,
    void_at, void_by, content_hash, entry, report_attributes_version)
SELECT id, count_id, device_id, revision, observed_at, municipality,
    living_situation, dedup_key, origin, age_band, gender, household, children, duration,
    residence_status, income, care_needs, previous_facility, housing_need, observed_at_ns,
    report_attributes, sent_training, stored_in_training, training, received_at, void_reason,
    void_at, void_by, content_hash, entry, report_attributes_version
FROM records ORDER BY count_id, id;

-- No trigger, view or foreign key refers to `records`; its indexes go with it.
DROP TABLE records;
ALTER TABLE records_by_seq RENAME TO records;
CREATE INDEX records_count ON records (count_id);
