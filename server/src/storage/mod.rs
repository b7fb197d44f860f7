//! The storage layer: the only place with SQL. Rows become `shared` types here.
//!
//! SQLite allows one writer at a time. Writes go through a pool of exactly one connection, and
//! the syncs' writes through the sync writer's own connection (`sync_write`); both take the
//! write turn first (`turn`), so write transactions queue in the application, in the order
//! they asked, instead of failing with `SQLITE_BUSY` on a lock upgrade or polling for the
//! lock. Reads use a pool of their own (WAL lets them run beside the writer).

mod accounts;
mod audit;
mod counts;
mod dashboard;
mod direct;
#[cfg(test)]
mod error_tests;
#[cfg(test)]
mod migration_tests;
mod records;
mod report;
mod report_scan;
mod review;
mod sync_group;
mod sync_job;
#[cfg(test)]
mod sync_job_tests;
mod sync_sql;
mod sync_write;
mod turn;
#[cfg(test)]
mod write_turn_tests;

pub use accounts::*;
pub use audit::*;
pub use counts::*;
pub use dashboard::*;
pub use report::*;
pub use review::*;
pub use sync_job::SyncItem;

use chrono::{DateTime, SecondsFormat, Utc};
use ethos_shared::count::CountStatus;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use turn::{WriteConn, WriteTurn, WriteTx};

/// What a storage call can run into, the one error of this layer. Conditions of the database
/// (busy, full, read-only) are told apart from bugs here, from SQLite's result codes, so no
/// caller needs to know sqlx.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What the call names (a count, an invite, a device's count) does not exist.
    #[error("not found")]
    NotFound,
    /// Another process held the write lock longer than the busy timeout (`SQLITE_BUSY`,
    /// `SQLITE_LOCKED`), or the write turn did not come in time (`turn::TURN_WAIT`).
    #[error("the database is busy")]
    Busy,
    /// No room left: `SQLITE_FULL`, which SQLite also gives for a full disk.
    #[error("the database is full")]
    Full,
    /// The database cannot be written (`SQLITE_READONLY`): another owner, a read-only mount.
    #[error("the database cannot be written")]
    ReadOnly,
    /// The change clashes with what is stored.
    #[error("{0}")]
    Conflict(Conflict),
    /// Anything else: a bug or a damaged database, logged with its cause.
    #[error(transparent)]
    Other(anyhow::Error),
}

/// How a change clashes with what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A count status change the lifecycle does not allow.
    #[error("a count cannot go from {from} to {to}")]
    Transition { from: CountStatus, to: CountStatus },
    /// The count is locked and no longer allows this.
    #[error("the count is locked")]
    Locked,
    /// A unique value is taken (`SQLITE_CONSTRAINT_UNIQUE` or `_PRIMARYKEY`).
    #[error("it exists already")]
    Exists,
    /// Another constraint of the schema refused the change (`SQLITE_CONSTRAINT`).
    #[error("a constraint of the database refused the change")]
    Constraint,
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// The condition of a database error, from SQLite's (extended) result code.
    fn of_sqlx(e: &sqlx::Error) -> Option<StoreError> {
        match e {
            sqlx::Error::PoolTimedOut => return Some(StoreError::Busy),
            sqlx::Error::RowNotFound => return Some(StoreError::NotFound),
            _ => {}
        }
        let code: i32 = e.as_database_error()?.code()?.parse().ok()?;
        Self::of_result_code(code)
    }

    /// SQLite's extended result code; its low byte is the primary code.
    fn of_result_code(code: i32) -> Option<StoreError> {
        const CONSTRAINT_PRIMARYKEY: i32 = 1555;
        const CONSTRAINT_UNIQUE: i32 = 2067;
        match code & 0xff {
            5 | 6 => Some(StoreError::Busy),
            13 => Some(StoreError::Full),
            8 => Some(StoreError::ReadOnly),
            19 if matches!(code, CONSTRAINT_PRIMARYKEY | CONSTRAINT_UNIQUE) => {
                Some(StoreError::Conflict(Conflict::Exists))
            }
            19 => Some(StoreError::Conflict(Conflict::Constraint)),
            _ => None,
        }
    }

    /// Busy, full or read-only: nothing was stored and the same request may work later.
    pub fn is_condition(&self) -> bool {
        matches!(self, StoreError::Busy | StoreError::Full | StoreError::ReadOnly)
    }

    /// The same error again, for each of several waiting requests (the cause of `Other` as
    /// text).
    pub(crate) fn again(&self) -> StoreError {
        match self {
            StoreError::NotFound => StoreError::NotFound,
            StoreError::Busy => StoreError::Busy,
            StoreError::Full => StoreError::Full,
            StoreError::ReadOnly => StoreError::ReadOnly,
            StoreError::Conflict(c) => StoreError::Conflict(*c),
            StoreError::Other(e) => StoreError::Other(anyhow::anyhow!("{e:#}")),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::of_sqlx(&e).unwrap_or_else(|| StoreError::Other(e.into()))
    }
}

impl From<anyhow::Error> for StoreError {
    /// A storage error carried in an `anyhow` chain keeps its condition.
    fn from(e: anyhow::Error) -> Self {
        let e = match e.downcast::<StoreError>() {
            Ok(store) => return store,
            Err(e) => e,
        };
        let condition = e.chain().find_map(|cause| {
            cause
                .downcast_ref()
                .and_then(StoreError::of_sqlx)
                .or_else(|| cause.downcast_ref().and_then(StoreError::of_rusqlite))
        });
        condition.unwrap_or(StoreError::Other(e))
    }
}

impl From<Conflict> for StoreError {
    fn from(c: Conflict) -> Self {
        StoreError::Conflict(c)
    }
}

macro_rules! other_from {
    ($($t:ty),+) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Other(e.into())
            }
        }
    )+};
}

other_from!(uuid::Error, chrono::ParseError, serde_json::Error, sqlx::migrate::MigrateError);

#[derive(Clone)]
pub struct Storage {
    write: SqlitePool,
    read: SqlitePool,
    /// The key of `username_key` (the database's own, made at its first start).
    login_key: Arc<[u8; 32]>,
    /// The database file, for `writable`.
    path: Arc<PathBuf>,
    /// Password checks in progress (the login rate limit).
    login_checks: Arc<accounts::ChecksInProgress>,
    /// The writer thread of sync batches (group commit), on a connection of its own.
    sync: sync_write::SyncWriter,
    /// Whose turn it is to write: a transaction of the write pool or a group of the sync writer.
    turn: WriteTurn,
    /// The report's scans of a count's records, on connections of their own.
    scans: Arc<report_scan::ScanConnections>,
}

/// Report scans at once: two reports, each on two cores.
const SCAN_CONNECTIONS: usize = 4;

/// The mode of the database, its `-wal` and `-shm` and of backups: they hold password hashes
/// and each count's duplicate-key secret, so only the server's own user may read them.
const PRIVATE_MODE: u32 = 0o600;

/// Creates the database file with mode 0600 before SQLite opens it (SQLite would create it
/// 0644 less the umask, and gives its `-wal` and `-shm` the database's mode), and narrows the
/// mode of an existing database and its `-wal`/`-shm`. A file that cannot be changed (another
/// owner, a read-only file system) is left as it is, with a warning.
fn make_private(path: &Path) {
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(PRIVATE_MODE).open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not create the database file"),
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        let Ok(meta) = std::fs::metadata(&file) else { continue };
        if meta.permissions().mode() & 0o777 != PRIVATE_MODE {
            if let Err(e) = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(PRIVATE_MODE)) {
                tracing::warn!(path = %file.display(), error = %e, "could not make the file private (mode 0600)");
            }
        }
    }
}

/// Whether the file can be opened for writing, as SQLite opens it (nothing is written). False
/// for a file of another owner or on a file system mounted read-only: SQLite then opens the
/// database read-only and every write fails.
fn can_write(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}

/// How much of the database every connection reads through a memory map (`mmap_size`): the
/// report scans every record of a count, and going through read() calls costs more than the
/// scan itself.
pub(crate) const MMAP_BYTES: u64 = 1 << 30;

/// The page cache of the write connections, in KiB (SQLite's default is 2 MiB). A batch
/// inserts its records at random places of the id indexes; with the default cache most of those
/// pages are read again for every batch, and dirty pages spill to the WAL before the commit.
pub const WRITER_CACHE_KIB: u32 = 65_536;

/// WAL pages after which a commit copies the WAL back into the database (SQLite's default is
/// 1,000, about one batch of 500 records: a checkpoint after nearly every batch). Between two
/// checkpoints, a page written by several batches is copied once.
pub const WRITER_AUTOCHECKPOINT_PAGES: u32 = 2_000;

/// The options of the write pool's connection: those of every connection, its larger page
/// cache and rarer checkpoints, as the sync writer's (`direct::WriterConnection`; `ethos-bench`'s
/// raw SQLite baseline sets the same).
fn writer_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
        .pragma("wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES.to_string())
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
        make_private(path);
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a record acknowledged to a phone survives a power cut, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(busy_timeout)
            .pragma("mmap_size", MMAP_BYTES.to_string());
        let opened_read_only = Arc::new(AtomicBool::new(false));
        let (reopen_check, file) = (opened_read_only.clone(), Arc::new(path.to_path_buf()));
        let reopen_file = file.clone();
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // `max_page_count` holds per connection, so it is set on every new one (the pool
            // reopens its connection after some errors).
            .after_connect(move |conn, _| {
                let (opened_read_only, file) = (opened_read_only.clone(), file.clone());
                Box::pin(async move {
                    opened_read_only.store(!can_write(&file), Ordering::SeqCst);
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
            .before_acquire(move |conn, _| {
                let (opened_read_only, file) = (reopen_check.clone(), reopen_file.clone());
                Box::pin(async move {
                    // Opened while the file could not be written (SQLite then opens it read-only
                    // for good) and writable now: a new connection, so that writes work again
                    // without a restart once the operator has fixed the owner or the mount.
                    if opened_read_only.load(Ordering::SeqCst) && can_write(&file) {
                        return Ok(false);
                    }
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(writer_options(options.clone()))
            .await?;
        sqlx::migrate!("../migrations").run(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        let login_key = Arc::new(login_key(&write).await?);
        if !can_write(path) {
            tracing::warn!(path = %path.display(), "the database is read-only: writes get 503 storage_read_only");
        }
        let turn = WriteTurn::default();
        let sync = sync_write::SyncWriter::start(
            tokio::runtime::Handle::current(),
            direct::WriterConnection::new(direct::WriterSettings {
                path: path.to_path_buf(),
                busy_timeout,
                max_db_bytes,
            }),
            turn.clone(),
        )?;
        Ok(Storage {
            write,
            sync,
            turn,
            read,
            login_key,
            path: Arc::new(path.to_path_buf()),
            login_checks: Arc::default(),
            scans: Arc::new(report_scan::ScanConnections::new(SCAN_CONNECTIONS, path, busy_timeout)),
        })
    }

    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). A plain
    /// (deferred) transaction that reads first and then writes fails at once with
    /// `SQLITE_BUSY` when another process (`ethos backup`, `ethos import`, `ethos user add`)
    /// wrote in between; an immediate one waits for the lock (busy timeout) instead.
    /// It waits for the write turn first (`turn`).
    pub(crate) async fn write_tx(&self) -> sqlx::Result<WriteTx> {
        WriteTx::begin(&self.turn, &self.write).await
    }

    /// The write pool's connection, in its turn, for a write outside a transaction.
    pub(crate) async fn write_conn(&self) -> sqlx::Result<WriteConn> {
        WriteConn::acquire(&self.turn, &self.write).await
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.read).await.is_ok()
    }

    /// Whether the database and its `-wal` can be written (for `/healthz`): false when the file
    /// belongs to another user (a restore as root) or its file system was remounted read-only.
    pub fn writable(&self) -> bool {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        can_write(&self.path) && (!wal.exists() || can_write(&wal))
    }

    pub async fn close(&self) {
        self.sync.stop().await;
        self.scans.close();
        self.read.close().await;
        self.write.close().await;
    }
}

/// The database's key for `username_key`: made from the operating system's randomness at the
/// first start and kept in the database (a backup carries it along). A read-only database
/// without one gets a key for this run only.
async fn login_key(write: &SqlitePool) -> anyhow::Result<[u8; 32]> {
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let stored =
        sqlx::query("INSERT INTO server_keys (name, key) VALUES ('login', ?) ON CONFLICT (name) DO NOTHING")
            .bind(&fresh[..])
            .execute(write)
            .await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "could not store the login key (read-only database?)");
    }
    let key: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT key FROM server_keys WHERE name = 'login'").fetch_optional(write).await?;
    Ok(key.and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok()).unwrap_or(fresh))
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
        let path = target.to_str().ok_or_else(|| anyhow::anyhow!("the backup path is not UTF-8"))?;
        // The copy is created empty with mode 0600 first (SQLite would make it 0644 less the
        // umask; VACUUM INTO fills an empty file), and never over an existing file.
        std::fs::OpenOptions::new().write(true).create_new(true).mode(PRIVATE_MODE).open(target).map_err(
            |e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    anyhow::anyhow!("{} exists already: choose a new file", target.display())
                }
                _ => anyhow::anyhow!("creating {}: {e}", target.display()),
            },
        )?;
        // The read pool is read-only, and VACUUM INTO only reads this database.
        if let Err(e) = sqlx::query("VACUUM INTO ?").bind(path).execute(&self.read).await {
            let _ = std::fs::remove_file(target);
            return Err(e.into());
        }
        std::fs::set_permissions(target, std::fs::Permissions::from_mode(PRIVATE_MODE))?;
        Ok(())
    }
}
