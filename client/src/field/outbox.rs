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

pub use super::backoff::Backoff;
use chrono::{DateTime, Duration, Utc};
use ethos_shared::api::{QueueExport, SyncRequest, SyncResponse, SyncResult, SyncStatus, MAX_SYNC_RECORDS};
use ethos_shared::record::{DedupKey, FieldError, Record};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Records per sync request: well under the server's limit of 500 and 1 MiB, small enough to
/// get through a poor connection, large enough to empty a day's outbox in a few requests.
pub const BATCH_SIZE: usize = 100;
/// Confirmed records stay on the phone this long after the server confirmed them, and can be
/// corrected meanwhile; then they are removed, or as soon as the count is locked (domain.md §7).
pub const CONFIRMED_RETENTION_HOURS: i64 = 24;

/// What kind of device holds the outbox; it decides how long confirmed records stay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceKind {
    /// A counter's phone: a confirmed record stays 24 h, or until the count is locked.
    #[default]
    Phone,
    /// An organisation's desk (a laptop entering the people it knows, over days): a confirmed
    /// record stays until the count is locked, so nobody is entered twice (domain.md §7).
    Desk,
}

/// What storing a record at a desk did (see [`Outbox::upsert`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Not held before: queued as revision 1.
    New,
    /// Held with other content: queued again as the next revision.
    Changed,
    /// Held with the same content: nothing changes.
    Unchanged,
}
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
    /// The enrolment (device) it was made under: it is sent only with that enrolment's token,
    /// so it counts for that organisation. `None` only for entries saved by an older version,
    /// until the app gives them the phone's enrolment of that time.
    #[serde(default)]
    pub device: Option<Uuid>,
}

impl Entry {
    pub fn is_confirmed(&self) -> bool {
        matches!(self.state, EntryState::Confirmed { .. })
    }

    /// Not yet held by the server: what the export and the "oldest unsynced" warning cover.
    pub fn is_unsynced(&self) -> bool {
        !self.is_confirmed()
    }

    /// The counter may correct any record on the phone while the count runs (domain.md §7):
    /// a confirmed one goes to the server again with a higher revision (`updated`).
    pub fn is_editable(&self) -> bool {
        true
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

/// One request: the records and the revisions sent, to match the answers, and the body.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The enrolment whose token must carry this request: all its records are that device's.
    pub device: Uuid,
    pub sent: Vec<(Uuid, u32)>,
    pub body: SyncRequest,
}

impl Batch {
    /// The JSON body of the request: api.md's `{"records":[…],"unsynced":n}`, where
    /// `unsynced` counts this enrolment's records left unconfirmed on the phone once the
    /// request is stored (the coordinator sees it per device before locking the count).
    pub fn sync_body(&self) -> String {
        serde_json::to_string(&self.body).unwrap_or_default()
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
    /// Enrolments whose token the server refused, with its code (`device_revoked`,
    /// `unauthorized`): their records stay here and are not sent any more.
    pub blocked: BTreeMap<Uuid, String>,
    /// The last time a request got an answer.
    pub last_success: Option<DateTime<Utc>>,
    /// Phone or desk: how long confirmed records are kept.
    pub kind: DeviceKind,
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

    /// Saves a new record (revision 1 expected), made under the enrolment `device`, as queued.
    pub fn add(&mut self, record: Record, device: Uuid, now: DateTime<Utc>) -> &Entry {
        let id = record.id;
        let entry = Entry {
            record,
            state: EntryState::Queued,
            saved_at: now,
            failed_attempts: 0,
            device: Some(device),
        };
        self.entries.insert(id, entry);
        &self.entries[&id]
    }

    /// Replaces the content of a record with a correction, also of one the server confirmed,
    /// and also while a request with it is under way. The revision goes up by one (above the
    /// server's, after a conflict), so the server replaces what it holds (`updated`) instead of
    /// reporting `content_differs`; the record is queued again.
    pub fn correct(&mut self, mut record: Record) -> Result<&Entry, EditError> {
        let entry = self.entries.get_mut(&record.id).ok_or(EditError::NotFound)?;
        let server = match &entry.state {
            EntryState::Attention { server_revision, .. } => server_revision.unwrap_or(0),
            EntryState::Confirmed { revision, .. } => *revision,
            _ => 0,
        };
        record.revision = entry.record.revision.max(server) + 1;
        entry.record = record;
        entry.state = EntryState::Queued;
        entry.failed_attempts = 0;
        Ok(entry)
    }

    /// Stores a record made elsewhere than the guided flow (a desk form, a spreadsheet row):
    /// new → queued; held with the same content (whatever its revision) → unchanged; held
    /// with other content → a correction, queued as the next revision.
    pub fn upsert(&mut self, mut record: Record, device: Uuid, now: DateTime<Utc>) -> Upsert {
        match self.entries.get(&record.id) {
            None => {
                record.revision = 1;
                self.add(record, device, now);
                Upsert::New
            }
            Some(held) => {
                record.revision = held.record.revision;
                if held.record == record {
                    Upsert::Unchanged
                } else {
                    match self.correct(record) {
                        Ok(_) => Upsert::Changed,
                        Err(EditError::NotFound) => Upsert::Unchanged,
                    }
                }
            }
        }
    }

    /// Whether another record on this phone has this duplicate key.
    pub fn has_key(&self, key: &DedupKey, except: Option<Uuid>) -> bool {
        self.entries.values().any(|e| Some(e.record.id) != except && e.record.dedup_key.as_ref() == Some(key))
    }

    /// When the oldest record that the server does not hold yet was saved.
    pub fn oldest_unsynced(&self) -> Option<DateTime<Utc>> {
        self.entries.values().filter(|e| e.is_unsynced()).map(|e| e.saved_at).min()
    }

    /// Whether there is anything to send (under an enrolment that may still send).
    pub fn has_pending(&self) -> bool {
        self.entries.values().any(|e| self.sendable(e))
    }

    fn sendable(&self, e: &Entry) -> bool {
        e.wants_sending()
            && !self.in_flight.contains(&e.record.id)
            && e.device.is_some_and(|d| !self.blocked.contains_key(&d))
    }

    /// Gives entries saved before records kept their enrolment the enrolment of that time.
    /// Returns their ids (to be stored again).
    pub fn adopt(&mut self, device: Uuid) -> Vec<Uuid> {
        let mut ids = Vec::new();
        for e in self.entries.values_mut().filter(|e| e.device.is_none()) {
            e.device = Some(device);
            ids.push(e.record.id);
        }
        ids
    }

    /// The enrolments with records the server does not hold yet, oldest first.
    pub fn devices_with_unsynced(&self) -> Vec<Uuid> {
        let mut devices: Vec<Uuid> = Vec::new();
        for d in self.entries.values().filter(|e| e.is_unsynced()).filter_map(|e| e.device) {
            if !devices.contains(&d) {
                devices.push(d);
            }
        }
        devices
    }

    /// Records not held by the server under an enrolment that may no longer send, per device.
    pub fn stranded(&self) -> Vec<(Uuid, String, usize)> {
        self.blocked
            .iter()
            .map(|(d, code)| {
                let n = self.entries.values().filter(|e| e.device == Some(*d) && e.is_unsynced()).count();
                (*d, code.clone(), n)
            })
            .filter(|(_, _, n)| *n > 0)
            .collect()
    }

    /// Whether a sync should start for this trigger. The timer respects the backoff; the
    /// counter's button, the `online` event, a new record and the app's start do not (they
    /// are signs that the network may be back, and cheap to try).
    pub fn should_sync(&self, trigger: Trigger, now: DateTime<Utc>) -> bool {
        if !self.has_pending() {
            return false;
        }
        match trigger {
            Trigger::Timer => self.backoff.ready(now),
            Trigger::Start | Trigger::Online | Trigger::Manual | Trigger::Saved => true,
        }
    }

    /// Takes the next batch: queued entries and entries sent earlier without an answer
    /// (resent as they are: an exact resend is harmless), oldest first. They become `Sent`.
    /// The driver persists the `Sent` states (`batch.sent`) before it sends. A batch holds
    /// the records of one enrolment only: the one of the oldest record waiting.
    pub fn take_batch(&mut self, now: DateTime<Utc>) -> Option<Batch> {
        let limit = self.batch_size.clamp(1, MAX_SYNC_RECORDS);
        let device = self.entries.values().find(|e| self.sendable(e)).and_then(|e| e.device)?;
        let ids: Vec<Uuid> = self
            .entries
            .values()
            .filter(|e| e.device == Some(device) && self.sendable(e))
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
            .filter(|e| e.device == Some(device) && e.is_unsynced() && !self.in_flight.contains(&e.record.id))
            .count();
        let unsynced = Some(u32::try_from(unsynced).unwrap_or(u32::MAX));
        Some(Batch { device, sent, body: SyncRequest { records, unsynced } })
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
                self.blocked.insert(batch.device, code.clone());
                if self.has_pending() {
                    Next::Continue
                } else {
                    Next::Stop
                }
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

    /// After a new enrolment the phone tries again at once (the records of a refused
    /// enrolment stay refused: they belong to it).
    pub fn reset_backoff(&mut self) {
        self.backoff.succeed();
    }

    /// Removes confirmed records older than the retention time, or all confirmed ones once the
    /// count is locked; returns their ids. A desk keeps them all until the count is locked.
    pub fn prune(&mut self, now: DateTime<Utc>, locked: bool) -> Vec<Uuid> {
        let limit = now - Duration::hours(CONFIRMED_RETENTION_HOURS);
        let by_age = self.kind == DeviceKind::Phone;
        let old: Vec<Uuid> = self
            .entries
            .values()
            .filter(
                |e| matches!(e.state, EntryState::Confirmed { at, .. } if locked || (by_age && at < limit)),
            )
            .map(|e| e.record.id)
            .collect();
        for id in &old {
            self.entries.remove(id);
        }
        old
    }

    /// The records of one enrolment that the server does not hold yet, as a sync body with
    /// that device's id (`{"device_id":…,"records":[…]}`), for "Exporteer wachtrij" and
    /// `ethos import`, which stores them for that device (and so for its organisation).
    pub fn export_unsynced(&self, device_id: Uuid) -> String {
        let records: Vec<Record> = self
            .entries
            .values()
            .filter(|e| e.is_unsynced() && e.device == Some(device_id))
            .map(|e| e.record.clone())
            .collect();
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

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "outbox_desk_tests.rs"]
mod desk_tests;
