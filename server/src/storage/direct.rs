//! SQLite called directly (rusqlite), for the two paths where the async driver's hand-offs and
//! copies cost more than SQLite itself: the sync writer (a thread and connection of its own)
//! and the report's scans (`report_scan`, with connections of their own). Here: the writer's
//! connection, rusqlite's errors as storage errors, and a record's columns read by name.

use super::{can_write, StoreError, MMAP_BYTES, WRITER_AUTOCHECKPOINT_PAGES, WRITER_CACHE_KIB};
use anyhow::bail;
use ethos_shared::record::fields::{Field, SqlType, SqlValue};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, DatabaseName, OpenFlags, Row};
use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

/// Prepared statements the writer keeps (rusqlite keeps 16 by default): the fixed ones and the
/// multi-row INSERTs of the sizes that occur (a batch of 500 takes one size; other batch sizes
/// and the audit entries add a few more each).
const STATEMENTS_KEPT: usize = 64;

/// How the writer's connection is opened: as the write pool's (see `Storage::open_tuned`).
pub(super) struct WriterSettings {
    pub path: PathBuf,
    pub busy_timeout: Duration,
    pub max_db_bytes: Option<u64>,
}

/// The sync writer's own connection, opened at first use. It is opened again where the write
/// pool's would be: when it was opened while the file could not be written (SQLite then keeps
/// it read-only) and the file can be written now, and when a failed statement left a
/// transaction open that a ROLLBACK cannot end (SQLite rolls back on its own after
/// `SQLITE_FULL` and some I/O errors).
pub(super) struct WriterConnection {
    settings: WriterSettings,
    conn: Option<Connection>,
    opened_read_only: bool,
}

impl WriterConnection {
    pub(super) fn new(settings: WriterSettings) -> Self {
        WriterConnection { settings, conn: None, opened_read_only: false }
    }

    /// The connection, outside any transaction.
    pub(super) fn get(&mut self) -> rusqlite::Result<&mut Connection> {
        if let Some(conn) = &self.conn {
            let stale = self.opened_read_only && can_write(&self.settings.path);
            if stale || (!conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err()) {
                self.conn = None;
            }
        }
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(self.conn.insert(conn))
    }

    fn open(&mut self) -> rusqlite::Result<Connection> {
        let s = &self.settings;
        let conn = Connection::open_with_flags(
            &s.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        // SQLite opens a file it cannot write read-only, without an error.
        self.opened_read_only = conn.is_readonly(DatabaseName::Main)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        conn.busy_timeout(s.busy_timeout)?;
        // FULL: a record acknowledged to a phone survives a power cut, not only a crash. The
        // journal mode (WAL) is the database's own, set by the write pool.
        for statement in [
            "PRAGMA synchronous = FULL".to_string(),
            "PRAGMA foreign_keys = ON".into(),
            format!("PRAGMA cache_size = -{WRITER_CACHE_KIB}"),
            format!("PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES}"),
            format!("PRAGMA mmap_size = {MMAP_BYTES}"),
        ] {
            pragma(&conn, &statement)?;
        }
        if let Some(bytes) = s.max_db_bytes {
            let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = (bytes / page_size.max(512) as u64).max(1);
            pragma(&conn, &format!("PRAGMA max_page_count = {pages}"))?;
        }
        Ok(conn)
    }
}

/// Runs a PRAGMA, whether or not it answers a row.
pub(super) fn pragma(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query([])?;
    rows.next()?;
    Ok(())
}

impl StoreError {
    /// The condition of a rusqlite error, from SQLite's extended result code.
    pub(super) fn of_rusqlite(e: &rusqlite::Error) -> Option<StoreError> {
        StoreError::of_result_code(e.sqlite_error()?.extended_code)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::of_rusqlite(&e).unwrap_or_else(|| StoreError::Other(e.into()))
    }
}

/// The names of a statement's columns, for [`column`].
pub(super) fn column_names(statement: &rusqlite::Statement<'_>) -> Vec<String> {
    statement.column_names().into_iter().map(str::to_string).collect()
}

/// The value of a field's column, found by its name (see `records::record_from_columns`).
pub(super) fn column<'r>(row: &'r Row<'_>, names: &[String], field: &Field) -> anyhow::Result<SqlValue<'r>> {
    let Some(index) = names.iter().position(|n| n == field.sql) else {
        bail!("no column {}", field.sql);
    };
    let value = row.get_ref(index)?;
    Ok(match (field.sql_type, value) {
        (SqlType::OptionalText, ValueRef::Null) => SqlValue::Null,
        (SqlType::Text | SqlType::OptionalText, value) => SqlValue::Text(Cow::Borrowed(value.as_str()?)),
        (SqlType::Int, value) => SqlValue::Int(value.as_i64()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_writer_connection_is_durable_and_keeps_the_size_limit() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("w.db");
        super::super::Storage::open(&path).await.expect("a database").close().await;
        let mut writer = WriterConnection::new(WriterSettings {
            path,
            busy_timeout: Duration::from_millis(1234),
            max_db_bytes: Some(4096 * 1000),
        });
        let conn = writer.get().expect("opened");
        let pragma = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| format!("{v:?}"))
                .expect(name)
        };
        // A record answered "stored" must survive a power cut: WAL with a full sync.
        assert_eq!(pragma("journal_mode"), r#"Text("wal")"#);
        assert_eq!(pragma("synchronous"), "Integer(2)", "FULL");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_eq!(pragma("busy_timeout"), "Integer(1234)");
        assert_eq!(pragma("cache_size"), format!("Integer(-{WRITER_CACHE_KIB})"));
        assert_eq!(pragma("wal_autocheckpoint"), format!("Integer({WRITER_AUTOCHECKPOINT_PAGES})"));
        assert_eq!(pragma("max_page_count"), "Integer(1000)", "the database's size limit");
        assert_eq!(pragma("mmap_size"), format!("Integer({MMAP_BYTES})"));

        // A transaction left open (as SQLite leaves one after some errors) is ended before the
        // connection is handed out again.
        conn.execute_batch("BEGIN IMMEDIATE").expect("begun");
        assert!(writer.get().expect("again").is_autocommit());
    }

    #[tokio::test]
    async fn sqlites_answers_through_rusqlite_are_storage_conditions_also_inside_an_anyhow_chain() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("e.db");
        super::super::Storage::open(&path).await.expect("a database").close().await;
        let mut writer = WriterConnection::new(WriterSettings {
            path: path.clone(),
            busy_timeout: Duration::from_millis(100),
            max_db_bytes: Some(4096 * 300),
        });

        // Another connection holds the write lock past the busy timeout.
        let other = Connection::open(&path).expect("another connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("the lock");
        let conn = writer.get().expect("opened");
        let busy = conn.execute_batch("BEGIN IMMEDIATE").expect_err("busy");
        assert!(matches!(StoreError::from(busy), StoreError::Busy));
        let busy = conn.execute_batch("BEGIN IMMEDIATE").expect_err("busy");
        let wrapped = anyhow::Error::from(busy).context("a sync group");
        assert!(matches!(StoreError::from(wrapped), StoreError::Busy));
        other.execute_batch("ROLLBACK").expect("released");

        // The database at its size limit.
        let conn = writer.get().expect("opened");
        let full = (0..400)
            .find_map(|i| {
                conn.execute(
                    "INSERT INTO server_keys (name, key) VALUES (?, zeroblob(8000))",
                    [format!("k{i}")],
                )
                .err()
            })
            .expect("full before 400 rows of 8 kB");
        assert!(matches!(StoreError::from(full), StoreError::Full));

        // A constraint, and a statement that is a bug.
        let exists = conn
            .execute("INSERT INTO server_keys (name, key) VALUES ('k0', x'00')", [])
            .expect_err("the name is taken");
        assert!(matches!(StoreError::from(exists), StoreError::Conflict(super::super::Conflict::Exists)));
        let bug = conn.execute("INSERT INTO no_such_table VALUES (1)", []).expect_err("no table");
        assert!(matches!(StoreError::from(bug), StoreError::Other(_)));
    }
}
