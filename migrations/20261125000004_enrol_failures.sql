-- Wrong team codes per client address, so that guessing codes at POST /enroll is limited the
-- way guessing passwords at /login is.
CREATE TABLE enrol_failures (
    id          INTEGER PRIMARY KEY,
    client_addr TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX enrol_failures_addr ON enrol_failures (client_addr, at);
