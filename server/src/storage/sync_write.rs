//! The sync write path: one writer thread with group commit.
//!
//! Every sync batch becomes a [`Job`] (`sync_job`) sent to a single writer thread, which owns the writes of
//! syncs on a SQLite connection of its own, called directly (rusqlite): through the async
//! driver each statement was a hand-off to its worker thread and every bound value a copy
//! (the same inserts made 10–40 % fewer records a second that way). The writer takes its turn with the write pool's transactions
//! (`Storage::write_tx`) in the order they asked, so neither waits on SQLite's busy polling.
//! It takes the jobs waiting in its channel together (up to [`GROUP_RECORDS`] records)
//! and applies them in ONE write transaction: one statement reads the counts; then, for each
//! piece of a job's records as the request hands it over, one statement reads every record
//! already held under its ids (with its content hash) and a multi-row INSERT stores the new
//! ones; then the devices' last contact, the audit entries, and COMMIT. Only
//! after that commit is any of the requests answered, so every `stored` a phone sees is durable
//! (`synchronous=FULL`). Syncs that arrive while a commit runs wait for the next group: the more
//! phones sync at once, the more each transaction (and its fsync) carries.
//!
//! Each record is still judged on its own (`ethos_shared::sync::decide`, in the order the
//! requests came in, each seeing what the earlier ones stored), so a bad record is rejected
//! alone. The writer waits for a job's pieces inside the transaction, holding the write turn
//! (the request only computes between them: milliseconds). Each job has a savepoint: a job
//! whose request stops before its end mark (a bug, or a body that does not decode to its end)
//! is rolled back to it alone, and the rest of the group goes on. When a group's transaction
//! fails with anything but a storage condition (busy, full), each job of it is tried again in
//! a transaction of its own, so one request's failure does not become another's. A job whose
//! requester went away is still applied: its phone resends and gets `unchanged`.

use super::direct::WriterConnection;
use super::sync_group::{Group, JobSync, Tally};
use super::sync_job::{Answer, Broken, Job};
use super::sync_sql::{self, AuditRow};
use super::turn::{self, WriteTurn};
use super::{ts, StoreError, StoreResult};
use chrono::DateTime;
use ethos_shared::codes::AuditAction;
use ethos_shared::count::CountStatus;
use ethos_shared::sync::CountState;
use rusqlite::TransactionBehavior;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

/// At most this many records in one group transaction (10 full batches).
const GROUP_RECORDS: usize = 5_000;
/// Jobs that may wait for the writer before senders wait for room.
const QUEUE: usize = 4_096;

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

    /// Queues a job; its answer comes through the job's own channel.
    pub(super) async fn send(&self, job: Job) -> StoreResult<()> {
        self.jobs
            .send(Message::Job(job))
            .await
            .map_err(|_| anyhow::anyhow!("the sync writer has stopped").into())
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
        let mut records = first.size;
        let mut jobs = vec![first];
        while records < GROUP_RECORDS {
            match queue.try_recv() {
                Ok(Message::Job(job)) => {
                    records += job.size;
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
            Some(_turn) => commit_group(&mut conn, &mut jobs),
            None => {
                for job in jobs {
                    let _ = job.answer.send(Err(StoreError::Busy));
                }
            }
        }
    }
}

/// Applies the jobs in one transaction and answers them; see the module text for failures.
fn commit_group(conn: &mut WriterConnection, jobs: &mut Vec<Job>) {
    match apply(conn, jobs) {
        Ok(answers) => {
            for (job, answer) in jobs.drain(..).zip(answers) {
                let _ = job.answer.send(answer);
            }
        }
        Err(e) => {
            if e.is_condition() || jobs.len() == 1 {
                for job in jobs.drain(..) {
                    let _ = job.answer.send(Err(e.again()));
                }
            } else {
                for mut job in jobs.drain(..) {
                    let answer = match apply(conn, std::slice::from_mut(&mut job)) {
                        Ok(mut answers) => answers.pop().unwrap_or(Err(StoreError::NotFound)),
                        Err(e) => Err(e),
                    };
                    let _ = job.answer.send(answer);
                }
            }
        }
    }
}

fn apply(conn: &mut WriterConnection, jobs: &mut [Job]) -> StoreResult<Vec<Answer>> {
    let mut tx = conn.get()?.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let counts = sync_sql::count_states(&tx, jobs.iter().map(|j| j.count))?;
    let mut group = Group::default();
    let mut answers = Vec::with_capacity(jobs.len());
    for job in jobs.iter_mut() {
        let Some(count) = counts.get(&job.count).copied() else {
            answers.push(Err(StoreError::NotFound));
            continue;
        };
        let mut sync = JobSync {
            device: job.device,
            count_id: job.count,
            count,
            now: job.now,
            received_at: ts(job.now),
            results: Vec::with_capacity(job.items.len()),
            tally: Tally::default(),
        };
        // A job whose request stops before its end mark is undone alone: the rest of the
        // group goes on.
        let savepoint = tx.savepoint()?;
        let mark = group.mark();
        // The pieces already received (all of them when the job is tried again on its own),
        // then each one as it comes.
        let mut done = 0;
        let whole = loop {
            if done == job.items.len() {
                match job.receive() {
                    Ok(true) => {}
                    Ok(false) => break true,
                    Err(Broken) => break false,
                }
            }
            group.piece(&savepoint, &mut sync, &job.items[done..])?;
            done = job.items.len();
        };
        if !whole {
            savepoint.finish()?; // rolled back
            group.undo(mark);
            answers.push(Err(StoreError::Other(anyhow::anyhow!(
                "the sync request stopped before all its records were ready"
            ))));
            continue;
        }
        savepoint.commit()?;
        let contact = group.contacts.entry(job.device).or_default();
        contact.last_seen_at = sync.received_at.clone().max(std::mem::take(&mut contact.last_seen_at));
        if job.unsynced.is_some() {
            contact.unsynced = job.unsynced;
        }
        let t = &sync.tally;
        group.audit.push(AuditRow::device(
            job.device,
            AuditAction::Sync,
            job.count,
            None,
            serde_json::json!({
                "stored": t.stored, "unchanged": t.unchanged, "updated": t.updated,
                "conflict": t.conflict, "rejected": t.rejected,
            }),
        ));
        answers.push(Ok(sync.results));
    }
    sync_sql::touch_devices(&tx, &group.contacts)?;
    sync_sql::insert_audit(&tx, &group.audit)?;
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
