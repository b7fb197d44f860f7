//! The storage layer: the only place with SQL. Rows become `shared` types here.
//!
//! SQLite allows one writer at a time. All writes go through a pool of exactly one
//! connection, so write transactions queue in the application instead of failing with
//! `SQLITE_BUSY` on a lock upgrade; reads use a pool of their own (WAL lets them run beside
//! the writer).

mod accounts;
mod audit;
mod counts;
mod dashboard;
mod records;
mod report;
mod sync_sql;
mod sync_write;

pub use accounts::*;
pub use audit::*;
pub use counts::*;
pub use dashboard::*;
pub use report::*;
pub use sync_write::{SyncError, SyncItem};

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct Storage {
    write: SqlitePool,
    read: SqlitePool,
    /// The writer task of sync batches (group commit), on the write pool.
    sync: sync_write::SyncWriter,
}

impl Storage {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        Self::open_tuned(path, Duration::from_secs(10), None).await
    }

    /// As `open`: a write waits up to `busy_timeout` for another process's write lock before it
    /// fails with `SQLITE_BUSY`; with `max_db_bytes` the database cannot grow beyond it (a write
    /// that would fails with `SQLITE_FULL`, exactly as on a full disk).
    pub async fn open_tuned(
        path: &Path,
        busy_timeout: Duration,
        max_db_bytes: Option<u64>,
    ) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a record acknowledged to a phone survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(busy_timeout)
            // Reads through a memory map: the report scans every record of a count, and going
            // through read() calls costs more than the scan itself.
            .pragma("mmap_size", "1073741824");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // `max_page_count` holds per connection, so it is set on every new one (the pool
            // reopens its connection after some errors).
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if let Some(bytes) = max_db_bytes {
                        let page_size: i64 =
                            sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut *conn).await?;
                        let pages = (bytes / page_size.max(512) as u64).max(1);
                        sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            // On SQLITE_FULL (and some I/O errors) SQLite rolls the transaction back itself; the
            // ROLLBACK that sqlx then sends fails, sqlx still counts a transaction open, and every
            // later `BEGIN IMMEDIATE` on this connection would fail: the server would answer 500
            // to all writes until restarted, even after room was made. The ping runs after that
            // queued ROLLBACK, so the count is settled; such a connection is replaced.
            .test_before_acquire(false) // the hook below pings instead
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("../migrations").run(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        let sync = sync_write::SyncWriter::start(write.clone());
        Ok(Storage { write, read, sync })
    }

    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). A plain
    /// (deferred) transaction that reads first and then writes fails at once with
    /// `SQLITE_BUSY` when another process (`ethos backup`, `ethos import`, `ethos user add`)
    /// wrote in between; an immediate one waits for the lock (busy timeout) instead.
    pub(crate) async fn write_tx(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Times are stored as RFC 3339 UTC text with fixed precision, so text order is time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(s: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)?.with_timezone(&Utc))
}

impl Storage {
    /// Writes a consistent copy of the whole database to `target` while the server keeps
    /// serving (`VACUUM INTO` reads one snapshot; writers are not blocked under WAL).
    pub async fn backup_to(&self, target: &Path) -> anyhow::Result<()> {
        anyhow::ensure!(!target.exists(), "{} exists already: choose a new file", target.display());
        let path = target.to_str().ok_or_else(|| anyhow::anyhow!("the backup path is not UTF-8"))?;
        // The read pool is read-only, and VACUUM INTO only reads this database.
        sqlx::query("VACUUM INTO ?").bind(path).execute(&self.read).await?;
        Ok(())
    }
}
