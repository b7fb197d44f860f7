-- SHA-256 of the record's canonical JSON (ethos_shared::sync::content_hash), so that a sync can
-- tell an exact resend by one column instead of rebuilding the record from its columns. NULL
-- for rows stored before this column existed: the server fills those in at start, and a sync
-- that meets one before then compares the rebuilt record as it did before.
ALTER TABLE records ADD COLUMN content_hash BLOB;
