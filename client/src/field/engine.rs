//! The sync driver: the loop that takes batches from the outbox, stores their `Sent` state,
//! sends each with the token of the enrolment its records were made under, applies the answer
//! and stores the outcome. Plain Rust over four small traits, so the same code runs in the
//! browser (IndexedDB, `fetch`, a reactive signal) and in `cargo test` against a real server
//! (memory, `reqwest`, a cell).

use super::outbox::{Entry, Failure, Next, Outbox, Trigger};
use chrono::{DateTime, Utc};
use ethos_shared::api::{ErrorBody, SyncResponse};
use serde::de::DeserializeOwned;
use std::future::Future;
use uuid::Uuid;

/// Where the outbox lives while the app runs. `None` when it is gone (the page is closing).
pub trait OutboxCell {
    fn read<R>(&self, f: impl FnOnce(&Outbox) -> R) -> Option<R>;
    fn update<R>(&self, f: impl FnOnce(&mut Outbox) -> R) -> Option<R>;
}

/// Durable storage of outbox entries (IndexedDB on the phone). A write resolves once stored.
pub trait Storage {
    fn save(&self, entries: Vec<Entry>) -> impl Future<Output = Result<(), String>>;
    fn delete(&self, ids: Vec<Uuid>) -> impl Future<Output = Result<(), String>>;
}

/// `POST /api/v1/sync` with a device token and a body made by `Batch::sync_body`.
pub trait Transport {
    fn sync(&self, token: &str, body: String) -> impl Future<Output = Result<SyncResponse, Failure>>;
}

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The clock of the phone.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// An enrolment this phone holds: its device and the token that sends for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub device_id: Uuid,
    pub token: String,
}

/// What one run of the driver did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Requests made.
    pub requests: usize,
    /// Whether any request had an answer from the server.
    pub answered: bool,
    /// The failure of the last request, if it failed.
    pub error: Option<Failure>,
    /// When the next automatic try may run (after a failure).
    pub retry_at: Option<DateTime<Utc>>,
    /// The last storage failure, if any.
    pub storage_error: Option<String>,
}

/// The driver. Only one run at a time per outbox: the caller makes sure (the app's `running`).
pub struct Engine<O, S, T, C> {
    pub outbox: O,
    pub storage: S,
    pub transport: T,
    pub clock: C,
}

impl<O: OutboxCell, S: Storage, T: Transport, C: Clock> Engine<O, S, T, C> {
    /// Sends until the outbox is empty, a request fails (then `retry_at` says when to try
    /// again) or every enrolment with records was refused. Records of an enrolment that is not
    /// in `senders` (no token on this phone) are treated as refused: kept, never sent with
    /// another enrolment's token. Removes confirmed records past their time (`locked`: all).
    pub async fn sync(&self, trigger: Trigger, senders: &[Sender], locked: bool) -> Report {
        let mut report = Report::default();
        if self.outbox.read(|o| o.should_sync(trigger, self.clock.now())) == Some(true) {
            self.send_all(senders, &mut report).await;
        }
        let pruned = self.outbox.update(|o| o.prune(self.clock.now(), locked)).unwrap_or_default();
        if !pruned.is_empty() {
            if let Err(e) = self.storage.delete(pruned).await {
                report.storage_error = Some(e);
            }
        }
        report
    }

    async fn send_all(&self, senders: &[Sender], report: &mut Report) {
        while let Some(Some(batch)) = self.outbox.update(|o| o.take_batch(self.clock.now())) {
            let ids: Vec<Uuid> = batch.sent.iter().map(|(id, _)| *id).collect();
            self.persist(&ids, report).await;
            let result = match senders.iter().find(|s| s.device_id == batch.device) {
                Some(sender) => {
                    report.requests += 1;
                    self.transport.sync(&sender.token, batch.sync_body()).await
                }
                None => Err(Failure::Unauthorized { code: "unknown_device".into() }),
            };
            let now = self.clock.now();
            let next = match &result {
                Ok(response) => self.outbox.update(|o| o.apply_response(&batch, response, now)),
                Err(failure) => self.outbox.update(|o| o.apply_failure(&batch, failure, now)),
            };
            self.persist(&ids, report).await;
            report.answered |= result.is_ok();
            report.error = result.err();
            report.retry_at = match next {
                Some(Next::RetryAt(at)) => Some(at),
                _ => None,
            };
            if next != Some(Next::Continue) {
                break;
            }
        }
    }

    /// Stores the current state of the given entries.
    async fn persist(&self, ids: &[Uuid], report: &mut Report) {
        let entries: Vec<Entry> = self
            .outbox
            .read(|o| ids.iter().filter_map(|id| o.get(*id).cloned()).collect())
            .unwrap_or_default();
        if entries.is_empty() {
            return;
        }
        if let Err(e) = self.storage.save(entries).await {
            report.storage_error = Some(e);
        }
    }
}

/// Parses JSON through `serde_json::Value`, the same route as `shared`'s record validation:
/// every type then has one deserializer in the binary instead of two (smaller wasm).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    T::deserialize(&value).map_err(|e| e.to_string())
}

/// The stable code of an error answer (empty when the body is not one).
pub fn error_code(body: &str) -> String {
    from_json::<ErrorBody>(body).map(|e| e.code).unwrap_or_default()
}

/// What a non-200 answer means for the outbox.
pub fn failure_of(status: u16, body: &str) -> Failure {
    match status {
        401 | 403 => Failure::Unauthorized { code: error_code(body) },
        413 => Failure::TooLarge,
        status => Failure::Server {
            status,
            retry_after_secs: from_json::<ErrorBody>(body)
                .ok()
                .as_ref()
                .and_then(ErrorBody::retry_after_secs),
        },
    }
}

/// A 200 whose body could not be read: as a server error, with the usual backoff.
pub const UNREADABLE: Failure = Failure::Server { status: 200, retry_after_secs: None };

/// The meaning of an answer to `POST /sync`, by status and body: every transport reads it so.
pub fn sync_answer(status: u16, body: &str) -> Result<SyncResponse, Failure> {
    if status == 200 {
        from_json(body).map_err(|_| UNREADABLE)
    } else {
        Err(failure_of(status, body))
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
