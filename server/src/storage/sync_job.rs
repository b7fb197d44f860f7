//! A sync batch on its way to the writer (`sync_write`), in pieces.
//!
//! The request prepares its records (each parsed, hashed and turned into its row) a piece of
//! [`PIECE`] records at a time and hands each piece to the writer as soon as it is ready. The
//! writer stores a piece while the request prepares the next one, so a phone's batch keeps both
//! cores busy: preparing 500 records and writing them had been one after the other (a third of
//! a batch's time was the preparation). The writer still applies the whole batch in one
//! transaction and answers only after its commit; a request that cannot prepare a piece
//! (a bug) ends its stream without its end mark, and the writer then stores none of it.

use super::sync_sql;
use super::turn::TURN_WAIT;
use super::{Device, Storage, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use ethos_shared::api::SyncResult;
use ethos_shared::record::{FieldError, Record};
use ethos_shared::sync::{content_hash, ContentHash};
use std::sync::mpsc as pieces;
use tokio::sync::oneshot;
use uuid::Uuid;

/// Records per piece: the rows of one multi-row INSERT.
pub(super) const PIECE: usize = sync_sql::INSERT_ROWS;

/// One element of a sync body: a valid record, or the id (if readable) and field errors.
pub type SyncItem = ethos_shared::sync::Parsed;

/// A valid record with everything its row needs, prepared by the request (not the writer).
pub(super) struct Incoming {
    pub record: Record,
    pub hash: ContentHash,
    pub columns: sync_sql::Columns,
}

pub(super) enum Item {
    Valid(Box<Incoming>),
    Invalid(Option<Uuid>, Vec<FieldError>),
}

impl Item {
    fn of(item: SyncItem) -> anyhow::Result<Item> {
        Ok(match item {
            Ok(record) => {
                let columns = sync_sql::Columns::of(&record)?;
                let hash = content_hash(&record);
                Item::Valid(Box::new(Incoming { record, hash, columns }))
            }
            Err((id, errors)) => Item::Invalid(id, errors),
        })
    }
}

/// What the request sends after its first piece.
enum Piece {
    Items(Vec<Item>),
    /// Every item has been sent.
    End,
}

pub(super) type Answer = Result<Vec<SyncResult>, StoreError>;

/// One sync batch for the writer.
pub(super) struct Job {
    pub device: Uuid,
    pub count: Uuid,
    /// The items of the first piece and as many more as the request's iterator promised at
    /// least (exact for a sync body): how much the job adds to a group.
    pub size: usize,
    /// The items received so far, in order (kept for a retry of the job on its own).
    pub items: Vec<Item>,
    /// The rest of the items, while they are still coming.
    rest: Option<pieces::Receiver<Piece>>,
    /// The request could not prepare every item: the job must store nothing.
    broken: bool,
    pub unsynced: Option<u32>,
    pub now: DateTime<Utc>,
    pub answer: oneshot::Sender<Answer>,
}

/// The request stopped before its end mark: it failed, or found the body not sound.
#[derive(Debug)]
pub(super) struct Broken;

impl Job {
    /// Waits for the next piece and adds it to [`Job::items`]: `false` once every item is
    /// there; [`Broken`] when the request stopped before its end mark, or sent nothing for
    /// [`TURN_WAIT`] (the writer holds the write turn meanwhile; a request only prepares
    /// records between its pieces, which takes milliseconds).
    pub fn receive(&mut self) -> Result<bool, Broken> {
        if self.broken {
            return Err(Broken);
        }
        let Some(rest) = &self.rest else { return Ok(false) };
        match rest.recv_timeout(TURN_WAIT) {
            Ok(Piece::Items(items)) => {
                self.items.extend(items);
                Ok(true)
            }
            Ok(Piece::End) => {
                self.rest = None;
                Ok(false)
            }
            Err(_) => {
                self.broken = true;
                Err(Broken)
            }
        }
    }
}

impl Storage {
    /// Applies one sync batch of a device and answers one result per item, in order, once the
    /// transaction holding it has committed (see `sync_write`). `items` are parsed as they are
    /// taken, a piece at a time (see the module text). `unsynced` is what the phone reported
    /// still holding unconfirmed (kept with its last contact, for the lock warning).
    /// `NotFound` when the device's count is gone.
    pub async fn sync_batch<I>(
        &self,
        device: &Device,
        items: I,
        unsynced: Option<u32>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SyncResult>>
    where
        I: IntoIterator<Item = SyncItem>,
        I::IntoIter: Send,
    {
        let stored = self.sync_batch_if(device, items, || true, unsynced, now).await?;
        stored.ok_or_else(|| anyhow::anyhow!("a batch without a condition was not stored").into())
    }

    /// [`Storage::sync_batch`] on a condition that `sound` tells once every item has been
    /// handed over, while the writer stores the last pieces: where it says no, nothing of the
    /// batch is stored and the answer is `None`.
    ///
    /// The writer waits for the pieces in its transaction, holding the write turn: `items`
    /// and `sound` must only compute (parse records, check the body), never wait for anything.
    /// Nothing here awaits between handing over the job and its end mark, so a request that
    /// goes away cannot leave the writer waiting.
    pub async fn sync_batch_if<I>(
        &self,
        device: &Device,
        items: I,
        sound: impl FnOnce() -> bool + Send,
        unsynced: Option<u32>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Vec<SyncResult>>>
    where
        I: IntoIterator<Item = SyncItem>,
        I::IntoIter: Send,
    {
        let mut items = items.into_iter();
        let first = prepare(&mut items)?;
        let size = first.len() + items.size_hint().0;
        let (more, rest) = pieces::channel();
        let (answer, answered) = oneshot::channel();
        let job = Job {
            device: device.id,
            count: device.count_id,
            size,
            items: first,
            rest: Some(rest),
            broken: false,
            unsynced,
            now,
            answer,
        };
        self.sync.send(job).await?;
        loop {
            let piece = prepare(&mut items)?;
            // The writer has answered this job already (the database was busy or full, or the
            // count is gone): its answer says so.
            if piece.is_empty() || more.send(Piece::Items(piece)).is_err() {
                break;
            }
        }
        if !sound() {
            // Without its end mark the writer stores none of the job.
            return Ok(None);
        }
        let _ = more.send(Piece::End);
        let results =
            answered.await.map_err(|_| anyhow::anyhow!("the sync writer stopped before answering"))?;
        results.map(Some)
    }
}

/// The next piece: up to [`PIECE`] items, each prepared for its row.
fn prepare(items: &mut impl Iterator<Item = SyncItem>) -> anyhow::Result<Vec<Item>> {
    items.take(PIECE).map(Item::of).collect()
}
