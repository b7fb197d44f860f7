-- What each phone said at its last sync about the records it still holds unconfirmed, so the
-- coordinator sees which devices to chase before locking the count.
ALTER TABLE devices ADD COLUMN unsynced_reported INTEGER;
