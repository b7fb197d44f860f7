-- Duplicate decisions made while a count is in training (the rehearsal of the review), kept
-- apart from the real ones and dropped when the count leaves training, so the live count
-- starts from zero.
CREATE TABLE training_duplicate_resolutions (
    count_id          TEXT NOT NULL REFERENCES counts (id) ON DELETE CASCADE,
    dedup_key         TEXT NOT NULL,
    decision          TEXT NOT NULL CHECK (decision IN ('same_person', 'different_people')),
    primary_record_id TEXT,
    decided_at        TEXT NOT NULL,
    decided_by        TEXT NOT NULL,
    PRIMARY KEY (count_id, dedup_key)
);

CREATE TRIGGER training_decisions_end_with_training AFTER UPDATE OF status ON counts
WHEN NEW.status <> 'training'
BEGIN
    DELETE FROM training_duplicate_resolutions WHERE count_id = NEW.id;
END;
