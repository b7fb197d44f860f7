//! The one writer's turn. SQLite lets one connection write at a time; the write pool and the
//! sync writer thread each have a connection, and take this turn before they write, so their
//! transactions queue here in the order they asked (a tokio mutex is fair) instead of polling
//! for SQLite's lock. A wait for the turn ends after [`TURN_WAIT`] as `Busy`, as a wait for the
//! pool's connection did (a pool write may then wait as long again for the connection itself).

use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The turn, shared by the write pool and the sync writer.
pub(crate) type WriteTurn = Arc<Mutex<()>>;

/// How long a write waits for its turn before it fails with `Busy` (sqlx's default wait for a
/// pool connection, which the turn stands before).
pub(crate) const TURN_WAIT: Duration = Duration::from_secs(30);

/// The turn of the write pool, until its connection is settled. Dropped without
/// [`PoolTurn::release`] (a transaction ended by an error or dropped unfinished), the
/// turn is kept until the pool hands out its connection again: sqlx only queues the ROLLBACK
/// of a dropped transaction (and a cancelled statement runs on), and the sync writer, on a
/// connection of its own, would meet SQLite's lock instead of an ended transaction. (Outside
/// a runtime it is released at once; sqlx needs one to drop a connection anyway.)
struct PoolTurn {
    guard: Option<OwnedMutexGuard<()>>,
    pool: SqlitePool,
}

impl PoolTurn {
    async fn take(turn: &WriteTurn, pool: &SqlitePool) -> sqlx::Result<PoolTurn> {
        let guard = tokio::time::timeout(TURN_WAIT, turn.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        Ok(PoolTurn { guard: Some(guard), pool: pool.clone() })
    }

    fn release(mut self) {
        self.guard = None;
    }
}

impl Drop for PoolTurn {
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else { return };
        if let Ok(runtime) = Handle::try_current() {
            let pool = self.pool.clone();
            runtime.spawn(async move {
                // The pool checks a returned connection (after its queued statements) before
                // it hands it out; a connection left in a transaction is closed instead.
                let _ = pool.acquire().await;
                drop(guard);
            });
        }
    }
}

/// A write transaction of the write pool, in its turn (see `Storage::write_tx`).
pub(crate) struct WriteTx {
    // Dropped in this order: the transaction (queueing its ROLLBACK), then the turn.
    tx: Transaction<'static, Sqlite>,
    turn: PoolTurn,
}

impl WriteTx {
    pub(super) async fn begin(turn: &WriteTurn, pool: &SqlitePool) -> sqlx::Result<WriteTx> {
        let turn = PoolTurn::take(turn, pool).await?;
        Ok(WriteTx { tx: pool.begin_with("BEGIN IMMEDIATE").await?, turn })
    }

    pub(crate) async fn commit(self) -> sqlx::Result<()> {
        let WriteTx { tx, turn } = self;
        tx.commit().await?;
        turn.release();
        Ok(())
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The write pool's connection in its turn, for a write outside a transaction; dropped without
/// [`WriteConn::done`], the turn is kept until the connection is settled (see [`PoolTurn`]).
pub(crate) struct WriteConn {
    conn: sqlx::pool::PoolConnection<Sqlite>,
    turn: PoolTurn,
}

impl WriteConn {
    pub(super) async fn acquire(turn: &WriteTurn, pool: &SqlitePool) -> sqlx::Result<WriteConn> {
        let turn = PoolTurn::take(turn, pool).await?;
        Ok(WriteConn { conn: pool.acquire().await?, turn })
    }

    /// Gives the turn back at once, after a statement that ended (no transaction is left open).
    pub(crate) fn done(self) {
        let WriteConn { conn, turn } = self;
        drop(conn);
        turn.release();
    }
}

impl std::ops::Deref for WriteConn {
    type Target = SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

/// The turn for a thread outside the runtime (the sync writer), waited for at most
/// [`TURN_WAIT`]; `None` when it did not come in time. Free, it is taken at once (a released
/// tokio mutex goes straight to a waiter, so this never jumps the queue); otherwise the wait
/// runs as a task on `runtime`, so the writer queues with everyone else, and a turn that comes
/// after the writer gave up is given back at once. Once that runtime has stopped (nothing else
/// can hold the turn then but a thread like this one), it waits here without a limit.
pub(crate) fn take_blocking(runtime: &Handle, turn: &WriteTurn) -> Option<OwnedMutexGuard<()>> {
    if let Ok(guard) = turn.clone().try_lock_owned() {
        return Some(guard);
    }
    let (give, taken) = std::sync::mpsc::sync_channel(1);
    let waiting = turn.clone();
    runtime.spawn(async move {
        let _ = give.send(waiting.lock_owned().await);
    });
    match taken.recv_timeout(TURN_WAIT) {
        Ok(guard) => Some(guard),
        Err(RecvTimeoutError::Timeout) => None,
        // The task was dropped unrun: the runtime has stopped.
        Err(RecvTimeoutError::Disconnected) => Some(turn.clone().blocking_lock_owned()),
    }
}
