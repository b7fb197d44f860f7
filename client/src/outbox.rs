//! The outbox: every record saved on this phone, with its delivery state, and the sync state
//! machine that moves records from the phone to the server. Plain Rust, no browser: the
//! browser module (`platform`) persists entries and performs the HTTP request; this module
//! decides what to send, what an answer means and when to try again.
//!
//! States of one record (what the counter sees):
//! - `Queued` — on this phone ("op deze telefoon"), not yet acknowledged;
//! - `Sent` — in a request whose answer has not arrived ("verzonden"). A `Sent` entry found
//!   after a reload (tab closed mid-sync) is simply sent again: the server answers
//!   `unchanged` for an exact resend, so nothing is stored twice;
//! - `Confirmed` — the server holds this revision ("bevestigd door server", with its time);
//! - `Attention` — rejected or in conflict ("aandacht nodig"), with the reasons; the counter
//!   corrects it, which bumps the revision and queues it again.

use chrono::{DateTime, Duration, Utc};
use ethos_shared::api::{QueueExport, SyncRequest, SyncResponse, SyncResult, SyncStatus, MAX_SYNC_RECORDS};
use ethos_shared::record::{DedupKey, FieldError, FieldErrorCode, Record};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Records per sync request: well under the server's limit of 500 and 1 MiB, small enough to
/// get through a poor connection, large enough to empty a day's outbox in a few requests.
pub const BATCH_SIZE: usize = 100;
/// Confirmed records stay visible on the phone this long, then they are removed (the counter
/// sees records only until the server has them, domain.md §7).
pub const CONFIRMED_RETENTION_HOURS: i64 = 12;
/// First retry delay after a failed request; doubles per failure up to `BACKOFF_MAX_SECS`.
pub const BACKOFF_BASE_SECS: i64 = 5;
pub const BACKOFF_MAX_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EntryState {
    Queued,
    Sent {
        at: DateTime<Utc>,
    },
    Confirmed {
        /// The server's clock when it answered.
        at: DateTime<Utc>,
        revision: u32,
    },
    Attention {
        status: SyncStatus,
        errors: Vec<FieldError>,
        /// The revision the server holds, if any (a conflict): a correction must go above it.
        #[serde(default)]
        server_revision: Option<u32>,
    },
}

/// One record in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub record: Record,
    pub state: EntryState,
    /// When the counter first saved it on this phone.
    pub saved_at: DateTime<Utc>,
    /// Requests with this entry that failed in transit (shown as a hint, no effect on retry).
    #[serde(default)]
    pub failed_attempts: u32,
}

impl Entry {
    pub fn is_confirmed(&self) -> bool {
        matches!(self.state, EntryState::Confirmed { .. })
    }

    /// Not yet held by the server: what the export and the "oldest unsynced" warning cover.
    pub fn is_unsynced(&self) -> bool {
        !self.is_confirmed()
    }

    /// The counter may correct a record that the server does not hold yet, or rejected.
    pub fn is_editable(&self) -> bool {
        !self.is_confirmed()
    }

    fn wants_sending(&self) -> bool {
        matches!(self.state, EntryState::Queued | EntryState::Sent { .. })
    }
}

/// Why a request did not give per-record answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer at all: offline, server down, connection cut, answer lost in transit.
    Network,
    /// 5xx, 429 or an answer that could not be read: try again later, not before the
    /// server's `retry_after_secs` (503 `storage_full` asks for 5 minutes).
    Server { status: u16, retry_after_secs: Option<u64> },
    /// 413: the batch was too large; send smaller batches.
    TooLarge,
    /// 401 `unauthorized` / `device_revoked`: this phone may no longer send. Stop until the
    /// counter enrols again (the outbox stays).
    Unauthorized { code: String },
}

/// What the sync loop should do after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// More records are waiting: send the next batch now.
    Continue,
    /// Nothing left to send.
    Done,
    /// Wait, then retry (backoff).
    RetryAt(DateTime<Utc>),
    /// The device token is no longer valid.
    Stop,
}

/// One request: the records and the revisions sent, to match the answers.
#[derive(Debug, Clone)]
pub struct Batch {
    pub sent: Vec<(Uuid, u32)>,
    pub body: SyncRequest,
    /// Records this phone holds unconfirmed besides the ones in this request: what is left
    /// on the phone once the request is stored. The coordinator sees it per device before
    /// locking the count.
    pub unsynced: usize,
}

/// The sync body on the wire: api.md's `{"records":[…]}` plus the top-level `unsynced`
/// (older servers ignore unknown fields). Kept here, not in `shared`: only the phone sends it.
#[derive(Serialize)]
struct SyncBody<'a> {
    records: &'a [Record],
    unsynced: usize,
}

impl Batch {
    /// The JSON body of the request.
    pub fn sync_body(&self) -> String {
        serde_json::to_string(&SyncBody { records: &self.body.records, unsynced: self.unsynced })
            .unwrap_or_default()
    }
}

/// Exponential backoff for failed requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    pub failures: u32,
    pub next_at: Option<DateTime<Utc>>,
}

impl Backoff {
    /// 5 s, 10 s, 20 s, … capped at 5 minutes.
    pub fn delay(failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(16);
        let secs = BACKOFF_BASE_SECS.saturating_mul(1i64 << exp);
        Duration::seconds(secs.min(BACKOFF_MAX_SECS))
    }

    /// Counts a failure; the next try waits the backoff delay or, if longer, what the server
    /// asked for (capped at `BACKOFF_MAX_SECS`: a phone about to go offline again should not
    /// sit on its records for long because of one answer).
    pub fn fail(&mut self, now: DateTime<Utc>, server_asks_secs: Option<u64>) -> DateTime<Utc> {
        self.failures = self.failures.saturating_add(1);
        let asked =
            server_asks_secs.map_or(0, |s| i64::try_from(s).unwrap_or(i64::MAX).min(BACKOFF_MAX_SECS));
        let at = now + Self::delay(self.failures).max(Duration::seconds(asked));
        self.next_at = Some(at);
        at
    }

    pub fn succeed(&mut self) {
        *self = Backoff::default();
    }

    /// Whether an automatic (timer) sync may run now.
    pub fn ready(&self, now: DateTime<Utc>) -> bool {
        self.next_at.is_none_or(|at| now >= at)
    }
}

/// What started a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Start,
    Online,
    Timer,
    Manual,
    Saved,
}

/// Why a correction is not possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    NotFound,
    AlreadyConfirmed,
}

/// The outbox and the sync state. Entries are ordered by id (UUID v7: by creation time).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    entries: BTreeMap<Uuid, Entry>,
    /// Entries in a request now (not persisted: after a reload nothing is in flight).
    in_flight: BTreeSet<Uuid>,
    pub backoff: Backoff,
    /// Records per request; halved after a 413.
    pub batch_size: usize,
    /// Set when the server refused the device token.
    pub blocked: Option<String>,
    /// The last time a request got an answer.
    pub last_success: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: usize,
    pub sent: usize,
    pub confirmed: usize,
    pub attention: usize,
}

impl Outbox {
    pub fn new() -> Self {
        Outbox { batch_size: BATCH_SIZE, ..Default::default() }
    }

    /// The outbox as loaded from storage.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Self {
        let mut outbox = Outbox::new();
        for e in entries {
            outbox.entries.insert(e.record.id, e);
        }
        outbox
    }

    pub fn get(&self, id: Uuid) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// Newest first, for the list on the phone.
    pub fn entries_newest_first(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values().rev()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for e in self.entries.values() {
            match e.state {
                EntryState::Queued => c.queued += 1,
                EntryState::Sent { .. } => c.sent += 1,
                EntryState::Confirmed { .. } => c.confirmed += 1,
                EntryState::Attention { .. } => c.attention += 1,
            }
        }
        c
    }

    /// Saves a new record (revision 1 expected) as queued.
    pub fn add(&mut self, record: Record, now: DateTime<Utc>) -> &Entry {
        let id = record.id;
        let entry = Entry { record, state: EntryState::Queued, saved_at: now, failed_attempts: 0 };
        self.entries.insert(id, entry);
        &self.entries[&id]
    }

    /// Replaces the content of an unconfirmed record with a correction. The revision goes up
    /// by one (above the server's, after a conflict), so the server replaces what it may hold
    /// instead of reporting `content_differs`; the record is queued again.
    pub fn correct(&mut self, mut record: Record) -> Result<&Entry, EditError> {
        let entry = self.entries.get_mut(&record.id).ok_or(EditError::NotFound)?;
        if entry.is_confirmed() {
            return Err(EditError::AlreadyConfirmed);
        }
        let server = match &entry.state {
            EntryState::Attention { server_revision, .. } => server_revision.unwrap_or(0),
            _ => 0,
        };
        record.revision = entry.record.revision.max(server) + 1;
        entry.record = record;
        entry.state = EntryState::Queued;
        entry.failed_attempts = 0;
        Ok(entry)
    }

    /// Whether another record on this phone has this duplicate key.
    pub fn has_key(&self, key: &DedupKey, except: Option<Uuid>) -> bool {
        self.entries.values().any(|e| Some(e.record.id) != except && e.record.dedup_key.as_ref() == Some(key))
    }

    /// When the oldest record that the server does not hold yet was saved.
    pub fn oldest_unsynced(&self) -> Option<DateTime<Utc>> {
        self.entries.values().filter(|e| e.is_unsynced()).map(|e| e.saved_at).min()
    }

    /// Whether there is anything to send.
    pub fn has_pending(&self) -> bool {
        self.entries.values().any(|e| e.wants_sending() && !self.in_flight.contains(&e.record.id))
    }

    /// Whether a sync should start for this trigger. The timer respects the backoff; the
    /// counter's button, the `online` event, a new record and the app's start do not (they
    /// are signs that the network may be back, and cheap to try).
    pub fn should_sync(&self, trigger: Trigger, now: DateTime<Utc>) -> bool {
        if self.blocked.is_some() || !self.has_pending() {
            return false;
        }
        match trigger {
            Trigger::Timer => self.backoff.ready(now),
            Trigger::Start | Trigger::Online | Trigger::Manual | Trigger::Saved => true,
        }
    }

    /// Takes the next batch: queued entries and entries sent earlier without an answer
    /// (resent as they are: an exact resend is harmless), oldest first. They become `Sent`.
    /// The driver persists the `Sent` states (`batch.sent`) before it sends.
    pub fn take_batch(&mut self, now: DateTime<Utc>) -> Option<Batch> {
        if self.blocked.is_some() {
            return None;
        }
        let limit = self.batch_size.clamp(1, MAX_SYNC_RECORDS);
        let ids: Vec<Uuid> = self
            .entries
            .values()
            .filter(|e| e.wants_sending() && !self.in_flight.contains(&e.record.id))
            .take(limit)
            .map(|e| e.record.id)
            .collect();
        if ids.is_empty() {
            return None;
        }
        let mut sent = Vec::with_capacity(ids.len());
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(e) = self.entries.get_mut(&id) {
                e.state = EntryState::Sent { at: now };
                sent.push((id, e.record.revision));
                records.push(e.record.clone());
                self.in_flight.insert(id);
            }
        }
        let unsynced = self
            .entries
            .values()
            .filter(|e| e.is_unsynced() && !self.in_flight.contains(&e.record.id))
            .count();
        Some(Batch { sent, body: SyncRequest { records }, unsynced })
    }

    /// Applies the server's answer to a batch. Returns what to do next. An answer for a
    /// revision that the counter has corrected meanwhile is ignored: the correction is
    /// queued and will be sent with its own revision.
    pub fn apply_response(&mut self, batch: &Batch, response: &SyncResponse, now: DateTime<Utc>) -> Next {
        self.release(batch);
        self.backoff.succeed();
        self.last_success = Some(now);
        for (index, (id, revision)) in batch.sent.iter().enumerate() {
            let result = response
                .results
                .iter()
                .find(|r| r.id == Some(*id))
                .or_else(|| response.results.get(index).filter(|r| r.id.is_none()));
            let Some(entry) = self.entries.get_mut(id) else { continue };
            if entry.record.revision != *revision {
                continue; // corrected while in flight: stays queued
            }
            entry.state = match result {
                Some(result) => state_for(result, *revision, response.server_time),
                // No answer for this record: send it again.
                None => EntryState::Queued,
            };
        }
        if self.has_pending() {
            Next::Continue
        } else {
            Next::Done
        }
    }

    /// A request failed without per-record answers. The records go back to the queue
    /// (whether the server stored them is unknown; the resend will tell).
    pub fn apply_failure(&mut self, batch: &Batch, failure: &Failure, now: DateTime<Utc>) -> Next {
        self.release(batch);
        for (id, revision) in &batch.sent {
            if let Some(e) = self.entries.get_mut(id) {
                if e.record.revision == *revision && matches!(e.state, EntryState::Sent { .. }) {
                    e.state = EntryState::Queued;
                    e.failed_attempts = e.failed_attempts.saturating_add(1);
                }
            }
        }
        match failure {
            Failure::Unauthorized { code } => {
                self.blocked = Some(code.clone());
                Next::Stop
            }
            Failure::TooLarge if self.batch_size > 1 => {
                self.batch_size = (self.batch_size / 2).max(1);
                Next::Continue
            }
            Failure::TooLarge | Failure::Network => Next::RetryAt(self.backoff.fail(now, None)),
            Failure::Server { retry_after_secs, .. } => {
                Next::RetryAt(self.backoff.fail(now, *retry_after_secs))
            }
        }
    }

    /// After a new enrolment the phone may send again.
    pub fn unblock(&mut self) {
        self.blocked = None;
        self.backoff.succeed();
    }

    /// Removes confirmed records older than the retention time; returns their ids.
    pub fn prune(&mut self, now: DateTime<Utc>) -> Vec<Uuid> {
        let limit = now - Duration::hours(CONFIRMED_RETENTION_HOURS);
        let old: Vec<Uuid> = self
            .entries
            .values()
            .filter(|e| matches!(e.state, EntryState::Confirmed { at, .. } if at < limit))
            .map(|e| e.record.id)
            .collect();
        for id in &old {
            self.entries.remove(id);
        }
        old
    }

    /// The records the server does not hold yet, as a sync body with the device's id
    /// (`{"device_id":…,"records":[…]}`), for "Exporteer wachtrij" and `ethos import`.
    pub fn export_unsynced(&self, device_id: Uuid) -> String {
        let records: Vec<Record> =
            self.entries.values().filter(|e| e.is_unsynced()).map(|e| e.record.clone()).collect();
        serde_json::to_string(&QueueExport { device_id, records }).unwrap_or_default()
    }

    fn release(&mut self, batch: &Batch) {
        for (id, _) in &batch.sent {
            self.in_flight.remove(id);
        }
    }
}

fn state_for(result: &SyncResult, sent_revision: u32, server_time: DateTime<Utc>) -> EntryState {
    match result.status {
        SyncStatus::Stored | SyncStatus::Unchanged | SyncStatus::Updated => {
            EntryState::Confirmed { at: server_time, revision: result.revision.unwrap_or(sent_revision) }
        }
        SyncStatus::Conflict | SyncStatus::Rejected => EntryState::Attention {
            status: result.status,
            errors: result.errors.clone().unwrap_or_default(),
            server_revision: result.revision,
        },
    }
}

/// The reasons of an entry that needs attention, in the counter's language.
pub fn attention_reasons(errors: &[FieldError], lang: ethos_shared::Lang) -> Vec<String> {
    if errors.is_empty() {
        return vec![match lang {
            ethos_shared::Lang::Nl => "de server heeft dit record niet aangenomen".into(),
            ethos_shared::Lang::En => "the server did not accept this record".into(),
        }];
    }
    errors
        .iter()
        .map(|e| {
            let what = crate::i18n::field_label(&e.field, lang);
            match e.code {
                FieldErrorCode::CountLocked
                | FieldErrorCode::ContentDiffers
                | FieldErrorCode::StaleRevision
                | FieldErrorCode::OtherDevice => e.code.message(lang).to_string(),
                _ => format!("{what}: {}", e.code.message(lang)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ethos_shared::record::parse_record;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn record(n: u128) -> Record {
        let id = Uuid::from_u128(0x0192_f0c4_1111_7000_8000_0000_0000_0000 + n);
        parse_record(&json!({"id": id, "revision": 1,
            "observed_at": "2026-10-15T22:40:00+02:00", "municipality": "GM0935",
            "living_situation": "1.1", "origin": {"kind": "unknown"}, "dedup_key": null,
            "profile": {"age_band": "unknown", "gender": "unknown", "household": "unknown",
                "children": "unknown", "duration": "unknown", "residence_status": "unknown",
                "income": "unknown", "care_needs": ["unknown"], "previous_facility": "unknown",
                "housing_need": "unknown"}, "training": false}))
        .unwrap()
    }

    fn answer(batch: &Batch, status: SyncStatus, at: &str) -> SyncResponse {
        SyncResponse {
            results: batch
                .sent
                .iter()
                .map(|(id, rev)| SyncResult { id: Some(*id), status, revision: Some(*rev), errors: None })
                .collect(),
            server_time: t(at),
        }
    }

    fn outbox_with(n: u128) -> Outbox {
        let mut o = Outbox::new();
        for i in 0..n {
            o.add(record(i), t("2026-10-15T20:40:00Z"));
        }
        o
    }

    #[test]
    fn the_sync_body_tells_how_many_records_stay_unconfirmed_on_the_phone() {
        let mut o = outbox_with(5);
        o.batch_size = 2;
        let now = t("2026-10-15T20:41:00Z");
        let first = o.take_batch(now).unwrap();
        assert_eq!(first.unsynced, 3, "five unconfirmed, two of them in this request");
        let body: serde_json::Value = serde_json::from_str(&first.sync_body()).unwrap();
        assert_eq!(body["unsynced"], 3);
        assert_eq!(body["records"].as_array().unwrap().len(), 2);
        assert_eq!(body["records"][0], serde_json::to_value(&first.body.records[0]).unwrap());
        o.apply_response(&first, &answer(&first, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now);
        let second = o.take_batch(now).unwrap();
        assert_eq!(second.unsynced, 1);
        o.apply_response(&second, &answer(&second, SyncStatus::Rejected, "2026-10-15T20:41:02Z"), now);
        let last = o.take_batch(now).unwrap();
        assert_eq!(last.unsynced, 2, "the two rejected records are still on the phone, unconfirmed");
    }

    #[test]
    fn a_saved_record_is_queued_and_wants_a_sync() {
        let o = outbox_with(1);
        assert_eq!(o.counts(), Counts { queued: 1, ..Default::default() });
        assert!(o.should_sync(Trigger::Saved, t("2026-10-15T20:41:00Z")));
    }

    #[test]
    fn a_batch_marks_records_sent_and_a_stored_answer_confirms_them_with_the_server_time() {
        let mut o = outbox_with(3);
        let now = t("2026-10-15T20:41:00Z");
        let batch = o.take_batch(now).unwrap();
        assert_eq!(batch.body.records.len(), 3);
        assert_eq!(o.counts().sent, 3);
        assert!(o.take_batch(now).is_none(), "records in flight are not sent twice at once");

        let next = o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:02Z"), now);

        assert_eq!(next, Next::Done);
        assert_eq!(o.counts().confirmed, 3);
        let e = o.get(batch.sent[0].0).unwrap();
        assert_eq!(e.state, EntryState::Confirmed { at: t("2026-10-15T20:41:02Z"), revision: 1 });
        assert!(o.oldest_unsynced().is_none());
    }

    #[test]
    fn unchanged_and_updated_answers_also_confirm() {
        for status in [SyncStatus::Unchanged, SyncStatus::Updated] {
            let mut o = outbox_with(1);
            let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
            o.apply_response(
                &batch,
                &answer(&batch, status, "2026-10-15T20:41:01Z"),
                t("2026-10-15T20:41:01Z"),
            );
            assert_eq!(o.counts().confirmed, 1, "{status:?}");
        }
    }

    #[test]
    fn a_rejected_record_needs_attention_with_its_reasons_and_is_not_sent_again() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        let response = SyncResponse {
            results: vec![SyncResult {
                id: Some(batch.sent[0].0),
                status: SyncStatus::Rejected,
                revision: None,
                errors: Some(vec![FieldError::new("observed_at", FieldErrorCode::OutsideWindow)]),
            }],
            server_time: t("2026-10-15T20:41:01Z"),
        };

        let next = o.apply_response(&batch, &response, t("2026-10-15T20:41:01Z"));

        assert_eq!(next, Next::Done);
        assert_eq!(o.counts().attention, 1);
        assert!(!o.has_pending());
        let reasons = attention_reasons(
            match &o.get(batch.sent[0].0).unwrap().state {
                EntryState::Attention { errors, .. } => errors,
                other => panic!("{other:?}"),
            },
            ethos_shared::Lang::Nl,
        );
        assert_eq!(reasons, vec!["tijdstip: tijdstip valt buiten de teltijd".to_string()]);
    }

    #[test]
    fn correcting_a_rejected_record_bumps_the_revision_and_queues_it_again() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        o.apply_response(
            &batch,
            &answer(&batch, SyncStatus::Rejected, "2026-10-15T20:41:01Z"),
            t("2026-10-15T20:41:01Z"),
        );
        let mut fixed = o.get(batch.sent[0].0).unwrap().record.clone();
        fixed.living_situation = ethos_shared::ethos::LivingSituation::NightShelter;

        let entry = o.correct(fixed).unwrap();

        assert_eq!(entry.record.revision, 2);
        assert_eq!(entry.state, EntryState::Queued);
        let again = o.take_batch(t("2026-10-15T20:42:00Z")).unwrap();
        assert_eq!(again.sent, vec![(batch.sent[0].0, 2)]);
    }

    #[test]
    fn a_correction_after_a_conflict_goes_above_the_servers_revision() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        let response = SyncResponse {
            results: vec![SyncResult {
                id: Some(batch.sent[0].0),
                status: SyncStatus::Conflict,
                revision: Some(4),
                errors: Some(vec![FieldError::new("revision", FieldErrorCode::StaleRevision)]),
            }],
            server_time: t("2026-10-15T20:41:01Z"),
        };
        o.apply_response(&batch, &response, t("2026-10-15T20:41:01Z"));
        let rec = o.get(batch.sent[0].0).unwrap().record.clone();
        assert_eq!(o.correct(rec).unwrap().record.revision, 5);
    }

    #[test]
    fn confirmed_records_cannot_be_corrected() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        o.apply_response(
            &batch,
            &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"),
            t("2026-10-15T20:41:01Z"),
        );
        let rec = o.get(batch.sent[0].0).unwrap().record.clone();
        assert_eq!(o.correct(rec), Err(EditError::AlreadyConfirmed));
        assert_eq!(o.correct(record(99)), Err(EditError::NotFound));
    }

    #[test]
    fn a_correction_made_while_its_batch_is_in_flight_is_not_confirmed_by_the_old_answer() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        let rec = o.get(batch.sent[0].0).unwrap().record.clone();
        o.correct(rec).unwrap();

        o.apply_response(
            &batch,
            &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"),
            t("2026-10-15T20:41:01Z"),
        );

        let e = o.get(batch.sent[0].0).unwrap();
        assert_eq!((e.record.revision, &e.state), (2, &EntryState::Queued));
        assert!(o.has_pending());
    }

    #[test]
    fn a_network_failure_requeues_the_batch_and_backs_off_exponentially() {
        let mut o = outbox_with(2);
        let now = t("2026-10-15T20:41:00Z");
        let mut delays = Vec::new();
        for _ in 0..8 {
            let batch = o.take_batch(now).unwrap();
            match o.apply_failure(&batch, &Failure::Network, now) {
                Next::RetryAt(at) => delays.push((at - now).num_seconds()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, vec![5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(o.counts().queued, 2);
        assert_eq!(o.get(o.entries_newest_first().next().unwrap().record.id).unwrap().failed_attempts, 8);
        assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(299)));
        assert!(o.should_sync(Trigger::Timer, now + Duration::seconds(300)));
        assert!(o.should_sync(Trigger::Manual, now), "the counter's button ignores the backoff");
        assert!(o.should_sync(Trigger::Online, now));
    }

    #[test]
    fn a_success_resets_the_backoff() {
        let mut o = outbox_with(1);
        let now = t("2026-10-15T20:41:00Z");
        let batch = o.take_batch(now).unwrap();
        o.apply_failure(&batch, &Failure::Server { status: 503, retry_after_secs: Some(5) }, now);
        assert_eq!(o.backoff.failures, 1);
        let batch = o.take_batch(now).unwrap();
        o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:03Z"), now);
        assert_eq!(o.backoff, Backoff::default());
        assert_eq!(o.last_success, Some(now));
    }

    #[test]
    fn records_the_server_could_not_store_stay_queued_and_are_resent_after_the_backoff() {
        // 503 `storage_full` or `storage_busy`: the server stored nothing of the batch.
        let mut o = outbox_with(2);
        let now = t("2026-10-15T20:41:00Z");
        let first = o.take_batch(now).unwrap();

        let busy = Failure::Server { status: 503, retry_after_secs: Some(5) };
        let next = o.apply_failure(&first, &busy, now);

        assert_eq!(next, Next::RetryAt(now + Duration::seconds(5)));
        assert_eq!(o.counts(), Counts { queued: 2, ..Default::default() });
        assert!(o.oldest_unsynced().is_some(), "the phone still reports them as unsynced");
        assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(4)));
        let resend = o.take_batch(now + Duration::seconds(5)).unwrap();
        assert_eq!(resend.body.records, first.body.records);
        o.apply_response(&resend, &answer(&resend, SyncStatus::Stored, "2026-10-15T20:41:06Z"), now);
        assert_eq!(o.counts(), Counts { confirmed: 2, ..Default::default() });
    }

    #[test]
    fn the_phone_waits_as_long_as_the_server_asks_when_that_is_longer_than_the_backoff() {
        // 503 `storage_full` asks for 300 s; `storage_busy` for 5 s, shorter than a later backoff.
        let mut o = outbox_with(1);
        let now = t("2026-10-15T20:41:00Z");
        let full = Failure::Server { status: 503, retry_after_secs: Some(300) };
        let batch = o.take_batch(now).unwrap();
        assert_eq!(o.apply_failure(&batch, &full, now), Next::RetryAt(now + Duration::seconds(300)));
        assert!(!o.should_sync(Trigger::Timer, now + Duration::seconds(299)));

        let mut o = outbox_with(1);
        let busy = Failure::Server { status: 503, retry_after_secs: Some(5) };
        let mut delays = Vec::new();
        for _ in 0..4 {
            let batch = o.take_batch(now).unwrap();
            match o.apply_failure(&batch, &busy, now) {
                Next::RetryAt(at) => delays.push((at - now).num_seconds()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, vec![5, 10, 20, 40], "the backoff still grows");

        let mut o = outbox_with(1);
        let batch = o.take_batch(now).unwrap();
        let absurd = Failure::Server { status: 429, retry_after_secs: Some(u64::MAX) };
        assert_eq!(o.apply_failure(&batch, &absurd, now), Next::RetryAt(now + Duration::seconds(300)));
    }

    #[test]
    fn a_lost_answer_is_resent_unchanged_and_confirmed_once() {
        // The server stored the records but its answer never arrived.
        let mut o = outbox_with(2);
        let now = t("2026-10-15T20:41:00Z");
        let first = o.take_batch(now).unwrap();
        o.apply_failure(&first, &Failure::Network, now);

        let resend = o.take_batch(now + Duration::seconds(5)).unwrap();

        assert_eq!(resend.body.records, first.body.records, "the resend is byte for byte the same records");
        o.apply_response(&resend, &answer(&resend, SyncStatus::Unchanged, "2026-10-15T20:41:06Z"), now);
        assert_eq!(o.counts().confirmed, 2);
    }

    #[test]
    fn records_left_sent_by_a_closed_tab_are_resent_after_a_reload() {
        let mut o = outbox_with(1);
        o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        let stored: Vec<Entry> = o.entries_newest_first().cloned().collect();

        let mut reloaded = Outbox::from_entries(stored);

        assert_eq!(reloaded.counts().sent, 1);
        assert!(reloaded.should_sync(Trigger::Start, t("2026-10-15T20:42:00Z")));
        assert_eq!(reloaded.take_batch(t("2026-10-15T20:42:00Z")).unwrap().sent.len(), 1);
    }

    #[test]
    fn batches_are_limited_and_the_loop_continues_until_the_outbox_is_empty() {
        let mut o = outbox_with(BATCH_SIZE as u128 + 5);
        let now = t("2026-10-15T20:41:00Z");
        let first = o.take_batch(now).unwrap();
        assert_eq!(first.sent.len(), BATCH_SIZE);
        assert_eq!(
            o.apply_response(&first, &answer(&first, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now),
            Next::Continue
        );
        let second = o.take_batch(now).unwrap();
        assert_eq!(second.sent.len(), 5);
        assert!(first.sent[0].0 < second.sent[0].0, "oldest first");
        assert_eq!(
            o.apply_response(&second, &answer(&second, SyncStatus::Stored, "2026-10-15T20:41:02Z"), now),
            Next::Done
        );
    }

    #[test]
    fn a_too_large_answer_halves_the_batch_size() {
        let mut o = outbox_with(10);
        let now = t("2026-10-15T20:41:00Z");
        let batch = o.take_batch(now).unwrap();
        assert_eq!(o.apply_failure(&batch, &Failure::TooLarge, now), Next::Continue);
        assert_eq!(o.batch_size, BATCH_SIZE / 2);
    }

    #[test]
    fn a_revoked_device_stops_syncing_but_keeps_its_records() {
        let mut o = outbox_with(2);
        let now = t("2026-10-15T20:41:00Z");
        let batch = o.take_batch(now).unwrap();
        let next = o.apply_failure(&batch, &Failure::Unauthorized { code: "device_revoked".into() }, now);
        assert_eq!(next, Next::Stop);
        assert_eq!(o.counts().queued, 2);
        assert!(!o.should_sync(Trigger::Manual, now));
        assert!(o.take_batch(now).is_none());
        o.unblock();
        assert!(o.should_sync(Trigger::Manual, now));
    }

    #[test]
    fn a_record_without_an_answer_is_queued_again() {
        let mut o = outbox_with(2);
        let now = t("2026-10-15T20:41:00Z");
        let batch = o.take_batch(now).unwrap();
        let mut response = answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z");
        response.results.truncate(1);
        assert_eq!(o.apply_response(&batch, &response, now), Next::Continue);
        assert_eq!(o.counts(), Counts { queued: 1, confirmed: 1, ..Default::default() });
    }

    #[test]
    fn the_export_holds_every_unsynced_record_as_a_sync_body() {
        let mut o = outbox_with(3);
        let now = t("2026-10-15T20:41:00Z");
        o.batch_size = 1;
        let batch = o.take_batch(now).unwrap();
        o.apply_response(&batch, &answer(&batch, SyncStatus::Stored, "2026-10-15T20:41:01Z"), now);

        let device = Uuid::from_u128(9);
        let body: serde_json::Value = serde_json::from_str(&o.export_unsynced(device)).unwrap();

        assert_eq!(body["device_id"], device.to_string());
        let records = body["records"].as_array().unwrap();
        assert_eq!(records.len(), 2);
        assert!(records.iter().all(|r| parse_record(r).is_ok()));
    }

    #[test]
    fn the_duplicate_key_check_sees_other_records_on_this_phone_only() {
        let key = DedupKey::try_from("ab".repeat(32)).unwrap();
        let mut o = Outbox::new();
        let mut r = record(1);
        r.dedup_key = Some(key.clone());
        o.add(r.clone(), t("2026-10-15T20:40:00Z"));
        assert!(o.has_key(&key, None));
        assert!(!o.has_key(&key, Some(r.id)), "a record is no duplicate of itself");
    }

    #[test]
    fn the_oldest_unsynced_record_is_reported_and_old_confirmed_ones_are_pruned() {
        let mut o = Outbox::new();
        o.add(record(1), t("2026-10-15T20:00:00Z"));
        o.add(record(2), t("2026-10-15T21:00:00Z"));
        assert_eq!(o.oldest_unsynced(), Some(t("2026-10-15T20:00:00Z")));
        o.batch_size = 1;
        let batch = o.take_batch(t("2026-10-15T21:00:00Z")).unwrap();
        o.apply_response(
            &batch,
            &answer(&batch, SyncStatus::Stored, "2026-10-15T21:00:01Z"),
            t("2026-10-15T21:00:01Z"),
        );
        assert_eq!(o.oldest_unsynced(), Some(t("2026-10-15T21:00:00Z")));

        assert!(o.prune(t("2026-10-16T08:00:00Z")).is_empty());
        assert_eq!(o.prune(t("2026-10-16T10:00:00Z")), vec![batch.sent[0].0]);
        assert_eq!(o.len(), 1);
    }

    #[test]
    fn entries_survive_a_round_trip_through_storage_json() {
        let mut o = outbox_with(1);
        let batch = o.take_batch(t("2026-10-15T20:41:00Z")).unwrap();
        o.apply_response(
            &batch,
            &answer(&batch, SyncStatus::Rejected, "2026-10-15T20:41:01Z"),
            t("2026-10-15T20:41:01Z"),
        );
        let e = o.get(batch.sent[0].0).unwrap();
        let text = serde_json::to_string(e).unwrap();
        assert_eq!(&serde_json::from_str::<Entry>(&text).unwrap(), e);
    }
}
