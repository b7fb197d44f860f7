//! The sync write path: one writer thread with group commit.
//!
//! Every sync batch becomes a [`Job`] sent to a single writer thread, which owns the writes of
//! syncs on a SQLite connection of its own, called directly (rusqlite): through the async
//! driver each statement was a hand-off to its worker thread and every bound value a copy
//! (the same inserts made 10–40 % fewer records a second that way). The writer takes its turn with the write pool's transactions
//! (`Storage::write_tx`) in the order they asked, so neither waits on SQLite's busy polling.
//! It takes the jobs waiting in its channel together (up to [`GROUP_RECORDS`] records)
//! and applies them in ONE write transaction: one statement reads the counts, one reads every
//! record already held under the ids of the group (with its content hash), new records go in
//! with multi-row INSERTs, then the devices' last contact, the audit entries, and COMMIT. Only
//! after that commit is any of the requests answered, so every `stored` a phone sees is durable
//! (`synchronous=FULL`). Syncs that arrive while a commit runs wait for the next group: the more
//! phones sync at once, the more each transaction (and its fsync) carries.
//!
//! Each record is still judged on its own (`ethos_shared::sync::decide`, in the order the
//! requests came in, each seeing what the earlier ones stored), so a bad record is rejected
//! alone. When a group's transaction fails with anything but a storage condition (busy, full),
//! each job of it is tried again in a transaction of its own, so one request's failure does not
//! become another's. A job whose requester went away is still applied: its phone resends and
//! gets `unchanged`.

use super::direct::WriterConnection;
use super::sync_sql::{self, AuditRow, DeviceContact, Write, WriteKind};
use super::turn::{self, WriteTurn};
use super::{ts, Device, Storage, StoreError, StoreResult};
use crate::halves::map_halves;
use chrono::{DateTime, Utc};
use ethos_shared::api::{SyncResult, SyncStatus};
use ethos_shared::codes::AuditAction;
use ethos_shared::count::CountStatus;
use ethos_shared::record::{FieldError, Record};
use ethos_shared::sync::{content_hash, decide, ContentHash, CountState, Held, Outcome};
use rusqlite::TransactionBehavior;
use std::collections::HashMap;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// At most this many records in one group transaction (10 full batches).
const GROUP_RECORDS: usize = 5_000;
/// Jobs that may wait for the writer before senders wait for room.
const QUEUE: usize = 4_096;

/// One element of a sync body: a valid record, or the id (if readable) and field errors.
pub type SyncItem = ethos_shared::sync::Parsed;

/// A valid record with everything its row needs, prepared by the request (not the writer).
pub(super) struct Incoming {
    pub record: Record,
    pub hash: ContentHash,
    pub columns: sync_sql::Columns,
}

enum Item {
    Valid(Box<Incoming>),
    Invalid(Option<Uuid>, Vec<FieldError>),
}

type Answer = Result<Vec<SyncResult>, StoreError>;

struct Job {
    device: Uuid,
    count: Uuid,
    items: Vec<Item>,
    unsynced: Option<u32>,
    now: DateTime<Utc>,
    answer: oneshot::Sender<Answer>,
}

/// The handle of the writer thread; cloning it shares the one thread, which ends when the
/// last handle is dropped.
#[derive(Clone)]
pub(crate) struct SyncWriter {
    jobs: mpsc::Sender<Message>,
}

impl SyncWriter {
    /// Starts the writer thread on `conn`. It first fills in the content hash of rows stored
    /// before that column existed, then re-packs the report attributes of rows packed with an
    /// older version, a chunk at a time, always serving waiting syncs first.
    /// It waits for its write turn through a task on `runtime`.
    pub(crate) fn start(runtime: Handle, conn: WriterConnection, turn: WriteTurn) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let turn = Turn { runtime, turn };
        std::thread::Builder::new().name("sync-writer".into()).spawn(move || run(conn, turn, queue))?;
        Ok(SyncWriter { jobs })
    }

    /// Ends the writer thread once the jobs sent before are answered, and waits until its
    /// connection is closed. Syncs sent after that fail.
    pub(crate) async fn stop(&self) {
        let (done, stopped) = oneshot::channel();
        if self.jobs.send(Message::Stop(done)).await.is_ok() {
            let _ = stopped.await;
        }
    }
}

impl Storage {
    /// Applies one sync batch of a device and answers one result per item, in order, once the
    /// transaction holding it has committed (see the module text). `unsynced` is what the phone
    /// reported still holding unconfirmed (kept with its last contact, for the lock warning).
    /// `NotFound` when the device's count is gone.
    pub async fn sync_batch(
        &self,
        device: &Device,
        items: Vec<SyncItem>,
        unsynced: Option<u32>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SyncResult>> {
        let items = map_halves(items, |item| match item {
            Ok(record) => {
                let columns = sync_sql::Columns::of(&record)?;
                let hash = content_hash(&record);
                Ok(Item::Valid(Box::new(Incoming { record, hash, columns })))
            }
            Err((id, errors)) => Ok(Item::Invalid(id, errors)),
        })
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
        let (answer, answered) = oneshot::channel();
        let job = Job { device: device.id, count: device.count_id, items, unsynced, now, answer };
        self.sync
            .jobs
            .send(Message::Job(job))
            .await
            .map_err(|_| anyhow::anyhow!("the sync writer has stopped"))?;
        answered.await.map_err(|_| anyhow::anyhow!("the sync writer stopped before answering"))?
    }
}

/// What the writer thread is sent.
enum Message {
    Job(Job),
    /// Close the connection and end, then say so (`Storage::close`).
    Stop(oneshot::Sender<()>),
}

/// The writer's work while no sync waits: content hashes of rows stored before that column
/// existed, then report attributes packed with an older version, a chunk at a time.
struct Upkeep {
    hashing: bool,
    repacking: Option<sync_sql::RepackCursor>,
}

impl Upkeep {
    fn done(&self) -> bool {
        !self.hashing && self.repacking.is_none()
    }

    /// One chunk; a chunk that fails ends that part (with a warning).
    fn step(&mut self, conn: &mut WriterConnection) {
        if self.hashing {
            self.hashing = match conn.get().map_err(anyhow::Error::from).and_then(sync_sql::backfill_hashes) {
                Ok(more) => more,
                Err(e) => {
                    tracing::warn!(error = %e, "filling in record content hashes stopped");
                    false
                }
            };
        } else if let Some(cursor) = self.repacking.as_mut() {
            let more =
                conn.get().map_err(anyhow::Error::from).and_then(|c| sync_sql::repack_attributes(c, cursor));
            if !more.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "re-packing report attributes stopped");
                false
            }) {
                self.repacking = None;
            }
        }
    }
}

/// The write turn as the writer thread takes it.
struct Turn {
    runtime: Handle,
    turn: WriteTurn,
}

impl Turn {
    fn take(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        turn::take_blocking(&self.runtime, &self.turn)
    }
}

fn run(mut conn: WriterConnection, turn: Turn, mut queue: mpsc::Receiver<Message>) {
    let mut upkeep = Upkeep { hashing: true, repacking: Some(sync_sql::RepackCursor::default()) };
    // A message taken from the queue while a group was gathered, for the next round.
    let mut waiting = None;
    loop {
        let message = match waiting.take() {
            Some(message) => message,
            None if upkeep.done() => match queue.blocking_recv() {
                Some(message) => message,
                None => return,
            },
            None => match queue.try_recv() {
                Ok(message) => message,
                Err(mpsc::error::TryRecvError::Empty) => {
                    // Without the turn in time, the chunk waits for the next round.
                    if let Some(_turn) = turn.take() {
                        upkeep.step(&mut conn);
                    }
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            },
        };
        let first = match message {
            Message::Job(job) => job,
            Message::Stop(done) => {
                drop(conn);
                let _ = done.send(());
                return;
            }
        };
        let mut records = first.items.len();
        let mut jobs = vec![first];
        while records < GROUP_RECORDS {
            match queue.try_recv() {
                Ok(Message::Job(job)) => {
                    records += job.items.len();
                    jobs.push(job);
                }
                Ok(stop) => {
                    waiting = Some(stop);
                    break;
                }
                Err(_) => break,
            }
        }
        match turn.take() {
            Some(_turn) => commit_group(&mut conn, jobs),
            None => {
                for job in jobs {
                    let _ = job.answer.send(Err(StoreError::Busy));
                }
            }
        }
    }
}

/// Applies the jobs in one transaction and answers them; see the module text for failures.
fn commit_group(conn: &mut WriterConnection, jobs: Vec<Job>) {
    match apply(conn, &jobs) {
        Ok(answers) => {
            for (job, answer) in jobs.into_iter().zip(answers) {
                let _ = job.answer.send(answer);
            }
        }
        Err(e) => {
            if e.is_condition() || jobs.len() == 1 {
                for job in jobs {
                    let _ = job.answer.send(Err(e.again()));
                }
            } else {
                for job in jobs {
                    let answer = match apply(conn, std::slice::from_ref(&job)) {
                        Ok(mut answers) => answers.pop().unwrap_or(Err(StoreError::NotFound)),
                        Err(e) => Err(e),
                    };
                    let _ = job.answer.send(answer);
                }
            }
        }
    }
}

/// Counts of the statuses of one job, for its `sync` audit entry.
#[derive(Default)]
struct Tally {
    stored: usize,
    unchanged: usize,
    updated: usize,
    conflict: usize,
    rejected: usize,
}

impl Tally {
    fn add(&mut self, status: SyncStatus) {
        match status {
            SyncStatus::Stored => self.stored += 1,
            SyncStatus::Unchanged => self.unchanged += 1,
            SyncStatus::Updated => self.updated += 1,
            SyncStatus::Conflict => self.conflict += 1,
            SyncStatus::Rejected => self.rejected += 1,
        }
    }
}

fn apply(conn: &mut WriterConnection, jobs: &[Job]) -> StoreResult<Vec<Answer>> {
    let tx = conn.get()?.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let counts = sync_sql::count_states(&tx, jobs.iter().map(|j| j.count))?;
    let ids =
        jobs.iter().filter(|j| counts.contains_key(&j.count)).flat_map(|j| &j.items).filter_map(
            |i| match i {
                Item::Valid(incoming) => Some(incoming.record.id),
                Item::Invalid(..) => None,
            },
        );
    let mut held = sync_sql::held(&tx, ids)?;

    let mut answers = Vec::with_capacity(jobs.len());
    let mut writes: Vec<Write> = Vec::new();
    let mut pending: HashMap<Uuid, usize> = HashMap::new();
    let mut audit: Vec<AuditRow> = Vec::new();
    let mut contacts: HashMap<Uuid, DeviceContact> = HashMap::new();
    for job in jobs {
        let Some(count) = counts.get(&job.count).copied() else {
            answers.push(Err(StoreError::NotFound));
            continue;
        };
        let received_at = ts(job.now);
        let mut results = Vec::with_capacity(job.items.len());
        let mut tally = Tally::default();
        for item in &job.items {
            let incoming = match item {
                Item::Valid(incoming) => incoming,
                Item::Invalid(id, errors) => {
                    tally.add(SyncStatus::Rejected);
                    results.push(SyncResult {
                        id: *id,
                        status: SyncStatus::Rejected,
                        revision: None,
                        errors: Some(errors.clone()),
                    });
                    continue;
                }
            };
            let record = &incoming.record;
            let before = held.get(&record.id).cloned();
            let outcome = decide(record, job.device, before.as_ref(), count, job.now);
            let status = outcome.status();
            tally.add(status);
            match &outcome {
                Outcome::Store { training, stored_in_training } => {
                    pending.insert(record.id, writes.len());
                    writes.push(Write {
                        kind: WriteKind::Insert { count: job.count, device: job.device },
                        incoming,
                        training: *training,
                        stored_in_training: *stored_in_training,
                        received_at: received_at.clone(),
                    });
                    held.insert(
                        record.id,
                        Held {
                            device_id: job.device,
                            revision: record.revision,
                            content: incoming.hash,
                            stored_in_training: *stored_in_training,
                        },
                    );
                }
                Outcome::Replace { training } => {
                    let stored_in_training = before.as_ref().is_some_and(|h| h.stored_in_training);
                    // A record written earlier in this group is written once, as it ends up.
                    match pending.get(&record.id).and_then(|&i| writes.get_mut(i)) {
                        Some(write) => {
                            write.incoming = incoming;
                            write.training = *training;
                            write.received_at = received_at.clone();
                        }
                        None => {
                            pending.insert(record.id, writes.len());
                            writes.push(Write {
                                kind: WriteKind::Update,
                                incoming,
                                training: *training,
                                stored_in_training,
                                received_at: received_at.clone(),
                            });
                        }
                    }
                    audit.push(AuditRow::device(
                        job.device,
                        AuditAction::RecordUpdate,
                        job.count,
                        Some(record.id.to_string()),
                        serde_json::json!({
                            "from_revision": before.as_ref().map(|h| h.revision),
                            "to_revision": record.revision,
                        }),
                    ));
                    held.insert(
                        record.id,
                        Held {
                            device_id: job.device,
                            revision: record.revision,
                            content: incoming.hash,
                            stored_in_training,
                        },
                    );
                }
                Outcome::Keep { .. } | Outcome::Reject { .. } => {}
            }
            results.push(match outcome {
                Outcome::Store { .. } | Outcome::Replace { .. } => {
                    SyncResult { id: Some(record.id), status, revision: Some(record.revision), errors: None }
                }
                // A conflict, an unchanged resend or a rejected revision of a held record
                // tells which revision is held.
                Outcome::Keep { errors, .. } | Outcome::Reject { errors } => SyncResult {
                    id: Some(record.id),
                    status,
                    revision: before.map(|h| h.revision),
                    errors: (!errors.is_empty()).then_some(errors),
                },
            });
        }
        let contact = contacts.entry(job.device).or_default();
        contact.last_seen_at = received_at.max(std::mem::take(&mut contact.last_seen_at));
        if job.unsynced.is_some() {
            contact.unsynced = job.unsynced;
        }
        audit.push(AuditRow::device(
            job.device,
            AuditAction::Sync,
            job.count,
            None,
            serde_json::json!({
                "stored": tally.stored, "unchanged": tally.unchanged, "updated": tally.updated,
                "conflict": tally.conflict, "rejected": tally.rejected,
            }),
        ));
        answers.push(Ok(results));
    }
    sync_sql::write_records(&tx, &writes)?;
    sync_sql::touch_devices(&tx, &contacts)?;
    sync_sql::insert_audit(&tx, &audit)?;
    tx.commit()?;
    Ok(answers)
}

/// What a sync needs to know of a count, from its row.
pub(super) fn count_state(status: &str, starts_at: &str, ends_at: &str) -> anyhow::Result<CountState> {
    Ok(CountState {
        status: CountStatus::from_code(status).ok_or_else(|| anyhow::anyhow!("bad status {status}"))?,
        starts_at: DateTime::parse_from_rfc3339(starts_at)?,
        ends_at: DateTime::parse_from_rfc3339(ends_at)?,
    })
}
