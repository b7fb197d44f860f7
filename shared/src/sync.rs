//! What the server does with one record that a device sends (api.md "Sync", the status table).
//! Pure: the storage layer looks up what it holds and applies the outcome in its transaction.

use crate::api::{SyncRequest, SyncStatus};
use crate::count::{timing_problem, CountStatus, TimingProblem};
use crate::record::{parse_record, record_id, FieldError, FieldErrorCode, Record};
use chrono::{DateTime, FixedOffset, Utc};
use uuid::Uuid;

#[cfg(feature = "sync-text")]
mod body;
#[cfg(feature = "sync-text")]
pub use body::{decodes_as_text, read_sync_body, split_sync_body, BodyError, SyncBody};

/// One element of a sync body after parsing: a valid record, or its id (if readable) and
/// what is wrong with it.
pub type Parsed = Result<Record, (Option<Uuid>, Vec<FieldError>)>;

/// Parses every record of a sync body on its own: one bad record never blocks the others.
pub fn parse_batch(records: &[serde_json::Value]) -> Vec<Parsed> {
    records.iter().map(parse_one).collect()
}

/// One element of a sync body, parsed.
pub fn parse_one(value: &serde_json::Value) -> Parsed {
    parse_record(value).map_err(|errors| (record_id(value), errors))
}

/// Reads a sync body as the server does: `records` must be a list (each element is parsed later
/// on its own, by [`parse_batch`]); a missing `records` is `missing`, any other shape
/// `invalid_value`. `unsynced` is read leniently (see [`SyncRequest::unsynced`]).
pub fn sync_request(body: serde_json::Value) -> Result<SyncRequest<serde_json::Value>, FieldError> {
    match body.get("records") {
        None => return Err(FieldError::new("records", FieldErrorCode::Missing)),
        Some(records) if !records.is_array() => {
            return Err(FieldError::new("records", FieldErrorCode::InvalidValue))
        }
        Some(_) => {}
    }
    serde_json::from_value(body).map_err(|_| FieldError::new("records", FieldErrorCode::InvalidValue))
}

/// SHA-256 of a record's canonical JSON: equal for an exact resend, whatever key order or
/// spacing the phone used, and different as soon as any field (or the revision) differs.
pub type ContentHash = [u8; 32];

/// The [`ContentHash`] of a record: the canonical JSON is hashed as it is written, never held
/// as a string.
pub fn content_hash(record: &Record) -> ContentHash {
    use sha2::{Digest, Sha256};
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(Sha256::new());
    match serde_json::to_writer(&mut hashing, record) {
        Ok(()) => hashing.0.finalize().into(),
        // As `canonical_json`, which is empty when a record cannot be written (it always can).
        Err(_) => Sha256::digest(b"").into(),
    }
}

/// What the server holds for a record id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub device_id: Uuid,
    pub revision: u32,
    /// [`content_hash`] of the held revision.
    pub content: ContentHash,
    pub stored_in_training: bool,
}

/// The count as the sync sees it.
#[derive(Debug, Clone, Copy)]
pub struct CountState {
    pub status: CountStatus,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

/// What to do with the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Insert it (`stored`) with the effective training flag.
    Store { training: bool, stored_in_training: bool },
    /// Replace the held revision (`updated`).
    Replace { training: bool },
    /// Nothing changes; answer with this status, the held revision and errors.
    Keep { status: SyncStatus, errors: Vec<FieldError> },
    /// Nothing stored; answer `rejected` without a revision.
    Reject { errors: Vec<FieldError> },
}

impl Outcome {
    pub fn status(&self) -> SyncStatus {
        match self {
            Outcome::Store { .. } => SyncStatus::Stored,
            Outcome::Replace { .. } => SyncStatus::Updated,
            Outcome::Keep { status, .. } => *status,
            Outcome::Reject { .. } => SyncStatus::Rejected,
        }
    }
}

fn one(field: &str, code: FieldErrorCode) -> Vec<FieldError> {
    vec![FieldError::new(field, code)]
}

/// Decides the fate of a valid record sent by `device` given what is held under its id.
/// The order matters: a record of another device is never touched; an exact resend is always
/// `unchanged` (also when locked, so phones can finish their queue); only then do the lock,
/// the revision and the time rules apply.
pub fn decide(
    record: &Record,
    device: Uuid,
    held: Option<&Held>,
    count: CountState,
    now: DateTime<Utc>,
) -> Outcome {
    let locked = count.status == CountStatus::Locked;
    if let Some(held) = held {
        if held.device_id != device {
            return Outcome::Keep {
                status: SyncStatus::Conflict,
                errors: one("id", FieldErrorCode::OtherDevice),
            };
        }
        if record.revision == held.revision && content_hash(record) == held.content {
            return Outcome::Keep { status: SyncStatus::Unchanged, errors: Vec::new() };
        }
        if record.revision < held.revision {
            return Outcome::Keep {
                status: SyncStatus::Conflict,
                errors: one("revision", FieldErrorCode::StaleRevision),
            };
        }
        if record.revision == held.revision {
            return Outcome::Keep {
                status: SyncStatus::Conflict,
                errors: one("revision", FieldErrorCode::ContentDiffers),
            };
        }
    }
    if locked {
        return Outcome::Reject { errors: one("count", FieldErrorCode::CountLocked) };
    }
    let stored_in_training = match held {
        Some(h) => h.stored_in_training,
        None => count.status == CountStatus::Training,
    };
    let training = stored_in_training || record.training;
    if let Some(problem) = timing_problem(record.observed_at, training, count.starts_at, count.ends_at, now) {
        let code = match problem {
            TimingProblem::OutsideWindow => FieldErrorCode::OutsideWindow,
            TimingProblem::InFuture => FieldErrorCode::InFuture,
        };
        return Outcome::Reject { errors: one("observed_at", code) };
    }
    match held {
        Some(_) => Outcome::Replace { training },
        None => Outcome::Store { training, stored_in_training },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use sha2::Digest;

    fn record(revision: u32, situation: &str, observed_at: &str) -> Record {
        parse_record(&json!({"id":"0192f0c4-1111-7000-8000-000000000001","revision":revision,
            "observed_at":observed_at,"municipality":"GM0935","living_situation":situation,
            "origin":{"kind":"unknown"},"dedup_key":null,
            "profile":{"age_band":"unknown","gender":"unknown","household":"unknown","children":"unknown",
                "duration":"unknown","residence_status":"unknown","income":"unknown",
                "care_needs":["unknown"],"previous_facility":"unknown","housing_need":"unknown"}}))
        .unwrap()
    }

    fn count(status: CountStatus) -> CountState {
        CountState {
            status,
            starts_at: DateTime::parse_from_rfc3339("2026-10-15T20:00:00+02:00").unwrap(),
            ends_at: DateTime::parse_from_rfc3339("2026-10-16T20:00:00+02:00").unwrap(),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-10-16T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    const IN_WINDOW: &str = "2026-10-15T22:40:00+02:00";

    fn held(r: &Record, device: Uuid) -> Held {
        Held { device_id: device, revision: r.revision, content: content_hash(r), stored_in_training: false }
    }

    #[test]
    fn a_new_valid_record_is_stored_and_training_follows_the_count() {
        let r = record(1, "1.1", IN_WINDOW);
        let d = Uuid::nil();
        assert_eq!(
            decide(&r, d, None, count(CountStatus::Live), now()),
            Outcome::Store { training: false, stored_in_training: false }
        );
        assert_eq!(
            decide(&r, d, None, count(CountStatus::Training), now()),
            Outcome::Store { training: true, stored_in_training: true }
        );
    }

    #[test]
    fn an_exact_resend_is_unchanged_even_when_the_count_is_locked() {
        let r = record(1, "1.1", IN_WINDOW);
        let d = Uuid::nil();
        for status in [CountStatus::Live, CountStatus::Locked] {
            assert_eq!(
                decide(&r, d, Some(&held(&r, d)), count(status), now()).status(),
                SyncStatus::Unchanged
            );
        }
    }

    #[test]
    fn a_higher_revision_replaces_unless_locked() {
        let old = record(1, "1.1", IN_WINDOW);
        let new = record(2, "2.1", IN_WINDOW);
        let d = Uuid::nil();
        assert_eq!(
            decide(&new, d, Some(&held(&old, d)), count(CountStatus::Live), now()),
            Outcome::Replace { training: false }
        );
        assert_eq!(
            decide(&new, d, Some(&held(&old, d)), count(CountStatus::Locked), now()),
            Outcome::Reject { errors: one("count", FieldErrorCode::CountLocked) }
        );
    }

    #[test]
    fn a_revision_of_a_record_first_stored_in_training_stays_training() {
        let old = record(1, "1.1", IN_WINDOW);
        let new = record(2, "2.1", IN_WINDOW);
        let d = Uuid::nil();
        let mut h = held(&old, d);
        h.stored_in_training = true;
        assert_eq!(
            decide(&new, d, Some(&h), count(CountStatus::Live), now()),
            Outcome::Replace { training: true }
        );
    }

    #[test]
    fn conflicts_say_why_and_change_nothing() {
        let d = Uuid::nil();
        let other = Uuid::from_u128(7);
        let r1 = record(1, "1.1", IN_WINDOW);
        let r1b = record(1, "2.1", IN_WINDOW);
        let r2 = record(2, "1.1", IN_WINDOW);
        let errs = |o: Outcome| match o {
            Outcome::Keep { status: SyncStatus::Conflict, errors } => errors[0].code,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            errs(decide(&r1b, d, Some(&held(&r1, d)), count(CountStatus::Live), now())),
            FieldErrorCode::ContentDiffers
        );
        assert_eq!(
            errs(decide(&r1, d, Some(&held(&r2, d)), count(CountStatus::Live), now())),
            FieldErrorCode::StaleRevision
        );
        assert_eq!(
            errs(decide(&r1, d, Some(&held(&r1, other)), count(CountStatus::Live), now())),
            FieldErrorCode::OtherDevice
        );
    }

    #[test]
    fn new_records_are_rejected_when_locked_outside_the_window_or_in_the_future() {
        let d = Uuid::nil();
        let code = |o: Outcome| match o {
            Outcome::Reject { errors } => errors[0].code,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            code(decide(&record(1, "1.1", IN_WINDOW), d, None, count(CountStatus::Locked), now())),
            FieldErrorCode::CountLocked
        );
        assert_eq!(
            code(decide(
                &record(1, "1.1", "2026-10-14T12:00:00+02:00"),
                d,
                None,
                count(CountStatus::Live),
                now()
            )),
            FieldErrorCode::OutsideWindow
        );
        let early = DateTime::parse_from_rfc3339("2026-10-15T18:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(
            code(decide(
                &record(1, "1.1", "2026-10-16T19:00:00+02:00"),
                d,
                None,
                count(CountStatus::Live),
                early
            )),
            FieldErrorCode::InFuture
        );
    }

    #[test]
    fn the_content_hash_tells_an_exact_resend_from_any_change() {
        let r = record(1, "1.1", IN_WINDOW);
        let same: Record = serde_json::from_str(&r.canonical_json()).unwrap();
        assert_eq!(content_hash(&r), content_hash(&same));
        // Stored hashes were made from the canonical JSON's text: the same bytes.
        let text: ContentHash = sha2::Sha256::digest(r.canonical_json().as_bytes()).into();
        assert_eq!(content_hash(&r), text);
        let mut other = r.clone();
        other.training = true;
        assert_ne!(content_hash(&r), content_hash(&other));
        assert_ne!(content_hash(&r), content_hash(&record(2, "1.1", IN_WINDOW)));
        assert_ne!(content_hash(&r), content_hash(&record(1, "2.1", IN_WINDOW)));
    }

    #[test]
    fn a_sync_body_is_read_as_the_server_always_read_it() {
        let body = sync_request(json!({"records": [1, {"id": "x"}], "unsynced": 4})).unwrap();
        assert_eq!(body.records, vec![json!(1), json!({"id": "x"})]);
        assert_eq!(body.unsynced, Some(4));
        for (unsynced, want) in [
            (json!(null), None),
            (json!(-1), None),
            (json!("3"), None),
            (json!(2.5), None),
            (json!(u64::MAX), Some(u32::MAX)),
        ] {
            assert_eq!(sync_request(json!({"records": [], "unsynced": unsynced})).unwrap().unsynced, want);
        }
        assert_eq!(sync_request(json!({"records": []})).unwrap().unsynced, None);
        let code = |body: serde_json::Value| sync_request(body).unwrap_err().code;
        assert_eq!(code(json!({})), FieldErrorCode::Missing);
        assert_eq!(code(json!([])), FieldErrorCode::Missing);
        assert_eq!(code(json!({"records": {}})), FieldErrorCode::InvalidValue);
        assert_eq!(code(json!({"records": null})), FieldErrorCode::InvalidValue);
        // What the phone sends reads back the same.
        let sent = SyncRequest { records: vec![record(1, "1.1", IN_WINDOW)], unsynced: Some(2) };
        let read = sync_request(serde_json::to_value(&sent).unwrap()).unwrap();
        assert_eq!(parse_batch(&read.records), vec![Ok(sent.records[0].clone())]);
        assert_eq!(read.unsynced, Some(2));
    }

    #[test]
    fn a_training_record_may_lie_before_the_window_of_a_live_count() {
        let mut r = record(1, "1.1", "2026-10-01T12:00:00+02:00");
        r.training = true;
        assert_eq!(
            decide(&r, Uuid::nil(), None, count(CountStatus::Live), now()),
            Outcome::Store { training: true, stored_in_training: false }
        );
    }
}
