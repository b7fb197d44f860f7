-- Keys the server makes for itself at its first start (from the operating system's randomness,
-- not SQLite's). `login`: the key of the keyed hash under which failed logins are counted, so
-- that the typed username (of any length, or a password typed one field too early) is never
-- stored.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key  BLOB NOT NULL
);

-- Failures counted before this change hold the typed text; they only matter for the rate
-- limit's window (15 minutes), so they go.
DELETE FROM login_failures;
