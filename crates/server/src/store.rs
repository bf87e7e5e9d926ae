//! Durable storage of ciphertext: one SQLite file in the data directory, WAL with
//! `synchronous=FULL`, so a row is on disk before the receiver answers 201.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

pub const DB_FILE: &str = "sealdrop.sqlite3";

/// A stored report, without its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub receipt: String,
    pub idempotency_key: String,
    pub sha256: String,
    pub size: u64,
    pub received_at: String,
}

pub struct Store {
    conn: Connection,
}

/// Why the store failed; the detail goes to the log, never to a client.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError(e.to_string())
    }
}

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        let conn = Connection::open(db_path(dir))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS reports (
                receipt TEXT PRIMARY KEY,
                idempotency_key TEXT NOT NULL UNIQUE,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                received_at TEXT NOT NULL,
                body BLOB NOT NULL
            );",
        )?;
        Ok(Store { conn })
    }

    /// Opens an existing store read-only (for `inbox`), with a clear error if there is none.
    pub fn open_existing(dir: &Path) -> Result<Store, StoreError> {
        let path = db_path(dir);
        if !path.exists() {
            return Err(StoreError(format!(
                "no reports stored in {}: it has no {DB_FILE}. Pass the data directory of `sealdrop serve` with --data-dir.",
                dir.display()
            )));
        }
        Self::open(dir)
    }

    pub fn by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT receipt, idempotency_key, sha256, size, received_at FROM reports WHERE idempotency_key = ?1",
                params![key],
                row,
            )
            .optional()?)
    }

    /// Inserts a report; returns once it is durable.
    pub fn insert(&self, r: &Row, body: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO reports (receipt, idempotency_key, sha256, size, received_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.receipt, r.idempotency_key, r.sha256, r.size as i64, r.received_at, body],
        )?;
        Ok(())
    }

    /// All reports, oldest first.
    pub fn list(&self) -> Result<Vec<Row>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT receipt, idempotency_key, sha256, size, received_at FROM reports ORDER BY received_at, rowid",
        )?;
        let rows = st.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Makes every later write fail, to test that a storage failure is never answered 2xx.
    #[doc(hidden)]
    pub fn break_for_tests(&self) {
        let _ = self.conn.execute_batch("PRAGMA query_only = ON;");
    }

    pub fn body(&self, receipt: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM reports WHERE receipt = ?1",
                params![receipt],
                |r| r.get(0),
            )
            .optional()?)
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        receipt: r.get(0)?,
        idempotency_key: r.get(1)?,
        sha256: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        received_at: r.get(4)?,
    })
}
