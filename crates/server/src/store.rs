//! Durable storage of ciphertext in the data directory: an SQLite index (WAL,
//! `synchronous=FULL`) whose rows hold small reports' ciphertext (up to 256 KiB) in their `body`
//! column, and name a file of its own, `reports/<receipt>.age`, for larger ones. Such a file is
//! written through a spool file, fsynced, renamed and its directory fsynced before the row that
//! names it commits. So a row is never without its file, and a 201 is answered only after both
//! are on disk.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

pub const DB_FILE: &str = "sealdrop.sqlite3";
/// Where uploads are written while they arrive.
pub const SPOOL_DIR: &str = "spool";
/// Where stored reports' ciphertexts live, one `<receipt>.age` each.
pub const REPORTS_DIR: &str = "reports";
/// Where large conversation messages live, one `<id>.age` each.
pub const MESSAGES_DIR: &str = "messages";

/// A stored report, without its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub receipt: String,
    pub idempotency_key: String,
    pub sha256: String,
    pub size: u64,
    pub received_at: String,
    /// SHA-256 (hex) of the conversation's access token, when the reporter kept a follow-up
    /// key (docs/conversation.md).
    pub thread: Option<String>,
}

/// A message of a report's conversation, without its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    /// `m-<32 hex digits>`.
    pub id: String,
    pub receipt: String,
    /// `reporter` or `organization`.
    pub sender: String,
    pub idempotency_key: String,
    pub sha256: String,
    pub size: u64,
    pub received_at: String,
}

/// A stored ciphertext: in its row, or in a file of its own.
pub enum Stored {
    Inline(Vec<u8>),
    File(PathBuf),
}

/// Which table a ciphertext belongs to.
enum Entry<'a> {
    Report(&'a Row),
    Message(&'a MessageRow),
}

impl Entry<'_> {
    /// The notification of this entry: metadata only, never anything of the plaintext. `text`
    /// is for chat incoming webhooks (Slack, Mattermost, Rocket.Chat show it as the message).
    fn notification(&self) -> String {
        let (kind, receipt, size, sha256, at) = match self {
            Entry::Report(r) => ("report", &r.receipt, r.size, &r.sha256, &r.received_at),
            Entry::Message(m) => ("message", &m.receipt, m.size, &m.sha256, &m.received_at),
        };
        let text = match self {
            Entry::Report(_) => format!("sealdrop: a new sealed report, {receipt} ({size} bytes). Open it with: sealdrop inbox open {receipt}"),
            Entry::Message(_) => format!("sealdrop: the reporter of {receipt} wrote ({size} bytes). Read it with: sealdrop inbox thread {receipt}"),
        };
        serde_json::json!({
            "kind": kind, "receipt": receipt, "received_at": at, "size": size, "sha256": sha256,
            "text": text,
        })
        .to_string()
    }

    fn file_name(&self) -> String {
        match self {
            Entry::Report(r) => format!("{REPORTS_DIR}/{}.age", r.receipt),
            Entry::Message(m) => format!("{MESSAGES_DIR}/{}.age", m.id),
        }
    }

    fn insert(
        &self,
        conn: &Connection,
        body: &[u8],
        file: Option<&str>,
    ) -> rusqlite::Result<usize> {
        match self {
            Entry::Report(r) => conn.execute(
                "INSERT INTO reports (receipt, idempotency_key, sha256, size, received_at, body, file, thread) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![r.receipt, r.idempotency_key, r.sha256, r.size as i64, r.received_at, body, file, r.thread],
            ),
            Entry::Message(m) => conn.execute(
                "INSERT INTO messages (id, receipt, sender, idempotency_key, sha256, size, received_at, body, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![m.id, m.receipt, m.sender, m.idempotency_key, m.sha256, m.size as i64, m.received_at, body, file],
            ),
        }
    }
}

pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// Whether each stored report or message also queues a notification in the outbox, in the
    /// same transaction (`--notify-webhook`).
    notify: bool,
}

/// A notification waiting in the outbox.
pub struct Pending {
    pub id: i64,
    pub payload: String,
    pub attempts: u32,
}

/// Why the store failed. The receiver logs it and answers 503 without detail; the CLI prints it.
#[derive(Debug)]
pub enum StoreError {
    /// The data directory holds no database.
    NoStore(PathBuf),
    /// A file or directory could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SQLite refused.
    Sql(rusqlite::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoStore(dir) => write!(
                f,
                "no reports stored in {}: it has no {DB_FILE}. Pass the data directory of `sealdrop serve` with --data-dir.",
                dir.display()
            ),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Sql(e) => write!(f, "the report database: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// Makes a rename or a new file in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS reports (
    receipt TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    receipt TEXT NOT NULL REFERENCES reports(receipt),
    sender TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    body BLOB NOT NULL,
    file TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_receipt ON messages (receipt, received_at);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT
);";

impl Store {
    /// Opens (creating if needed) the store in `dir` for the receiver. Removes what an
    /// interrupted run left: spool files, and report files no row names (never acknowledged).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        for d in [
            dir.to_path_buf(),
            dir.join(SPOOL_DIR),
            dir.join(REPORTS_DIR),
            dir.join(MESSAGES_DIR),
        ] {
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        let conn = Connection::open(db_path(dir))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        let has_file: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('reports') WHERE name = 'file'")?
            .exists([])?;
        if !has_file {
            conn.execute_batch("ALTER TABLE reports ADD COLUMN file TEXT;")?;
        }
        let has_thread: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('reports') WHERE name = 'thread'")?
            .exists([])?;
        if !has_thread {
            conn.execute_batch("ALTER TABLE reports ADD COLUMN thread TEXT;")?;
        }
        let store = Store {
            conn,
            dir: dir.to_path_buf(),
            notify: false,
        };
        store.remove_leftovers()?;
        Ok(store)
    }

    fn remove_leftovers(&self) -> Result<(), StoreError> {
        let spool = self.dir.join(SPOOL_DIR);
        for e in std::fs::read_dir(&spool).map_err(io(&spool))?.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
        for (sub, table) in [(REPORTS_DIR, "reports"), (MESSAGES_DIR, "messages")] {
            let d = self.dir.join(sub);
            let mut named = self
                .conn
                .prepare(&format!("SELECT 1 FROM {table} WHERE file = ?1"))?;
            for e in std::fs::read_dir(&d).map_err(io(&d))?.flatten() {
                let rel = format!("{sub}/{}", e.file_name().to_string_lossy());
                if !named.exists(params![rel])? {
                    tracing::warn!(file = %rel, "removing a file no row names (an upload interrupted before its 201)");
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }

    /// Opens an existing store read-only (for `inbox`): nothing is created or written, so the
    /// CLI run by another user leaves no `-wal`/`-shm` files the server could not use.
    pub fn open_existing(dir: &Path) -> Result<Store, StoreError> {
        let path = db_path(dir);
        if !path.exists() {
            return Err(StoreError::NoStore(dir.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let conn = if Path::new(&wal).exists() {
            // The server is running (or was killed): read through its write-ahead log, whose
            // files exist already.
            Connection::open_with_flags(&path, flags)?
        } else {
            // No server has the file open: read it as it is, creating no -wal or -shm file
            // (which, made by another user, would keep the server from opening its store).
            let uri: String = path
                .to_string_lossy()
                .chars()
                .map(|c| match c {
                    '%' | '?' | '#' => format!("%{:02X}", c as u32),
                    c => c.to_string(),
                })
                .collect();
            Connection::open_with_flags(
                format!("file:{uri}?immutable=1"),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )?
        };
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            notify: false,
        })
    }

    /// Opens an existing store to add the organization's replies (`inbox reply`): read and
    /// write, but nothing removed, since a receiver may be running on it. A store made before
    /// conversations existed is brought up to date as `serve` would.
    pub fn open_for_reply(dir: &Path) -> Result<Store, StoreError> {
        if !db_path(dir).exists() {
            return Err(StoreError::NoStore(dir.to_path_buf()));
        }
        let conn = Connection::open_with_flags(db_path(dir), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let has_messages: bool = conn
            .prepare("SELECT 1 FROM sqlite_master WHERE name = 'messages'")?
            .exists([])?;
        let has_thread: bool = conn
            .prepare("SELECT 1 FROM pragma_table_info('reports') WHERE name = 'thread'")?
            .exists([])?;
        if !has_messages || !has_thread {
            return Err(StoreError::Io {
                path: db_path(dir),
                source: std::io::Error::other(
                    "this store predates conversations; start `sealdrop serve` on it once to update it",
                ),
            });
        }
        for d in [dir.join(SPOOL_DIR), dir.join(MESSAGES_DIR)] {
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            notify: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT receipt, idempotency_key, sha256, size, received_at, thread FROM reports WHERE idempotency_key = ?1",
                params![key],
                row,
            )
            .optional()?)
    }

    /// Stores a small report with its ciphertext `body` in its row; returns once durable.
    pub fn insert(&self, r: &Row, body: &[u8]) -> Result<(), StoreError> {
        self.commit(&Entry::Report(r), body, None)
    }

    /// Inserts an entry's row and, when notifications are on, its notification, in one
    /// transaction: a stored report always has its notification queued, and never twice.
    fn commit(&self, entry: &Entry<'_>, body: &[u8], file: Option<&str>) -> Result<(), StoreError> {
        if !self.notify {
            entry.insert(&self.conn, body, file)?;
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        entry.insert(&tx, body, file)?;
        tx.execute(
            "INSERT INTO outbox (payload) VALUES (?1)",
            params![entry.notification()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Turns queuing notifications on (the receiver, with `--notify-webhook`).
    pub fn set_notify(&mut self, on: bool) {
        self.notify = on;
    }

    /// Notifications due at `now` (seconds since the epoch), oldest first, at most `limit`.
    pub fn due(&self, now: i64, limit: u32) -> Result<Vec<Pending>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT id, payload, attempts FROM outbox WHERE sent_at IS NULL AND next_at <= ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = st
            .query_map(params![now, limit], |r| {
                Ok(Pending {
                    id: r.get(0)?,
                    payload: r.get(1)?,
                    attempts: r.get::<_, i64>(2)? as u32,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Marks a notification delivered.
    pub fn sent(&self, id: i64, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET sent_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// Counts a failed attempt and sets when to try again.
    pub fn retry_at(&self, id: i64, next_at: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = ?1",
            params![id, next_at],
        )?;
        Ok(())
    }

    /// Notifications not yet delivered.
    pub fn backlog(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Stores a small message with its ciphertext `body` in its row; returns once durable.
    pub fn insert_message(&self, m: &MessageRow, body: &[u8]) -> Result<(), StoreError> {
        self.commit(&Entry::Message(m), body, None)
    }

    /// Stores a report through a spool file, as the receiver does for large ones.
    pub fn insert_as_file(&self, r: &Row, body: &[u8]) -> Result<(), StoreError> {
        let spool = self.spool_bytes(&r.receipt, body)?;
        self.insert_spooled(r, &spool)
    }

    /// Stores a message through a spool file, as the receiver does for large ones.
    pub fn insert_message_as_file(&self, m: &MessageRow, body: &[u8]) -> Result<(), StoreError> {
        let spool = self.spool_bytes(&m.id, body)?;
        self.insert_message_spooled(m, &spool)
    }

    fn spool_bytes(&self, name: &str, body: &[u8]) -> Result<PathBuf, StoreError> {
        let spool = self.dir.join(SPOOL_DIR).join(format!("{name}.part"));
        let mut f = File::create_new(&spool).map_err(io(&spool))?;
        f.write_all(body)
            .and_then(|()| f.sync_all())
            .map_err(io(&spool))?;
        Ok(spool)
    }

    /// Stores a report whose ciphertext was written to `spool` (a file in [`SPOOL_DIR`]) and
    /// fsynced by its writer (outside this store's lock): the file is renamed to
    /// `reports/<receipt>.age`, the directory fsynced, then the row committed. On failure the
    /// file is removed.
    pub fn insert_spooled(&self, r: &Row, spool: &Path) -> Result<(), StoreError> {
        self.commit_spooled(&Entry::Report(r), spool)
    }

    /// As [`Store::insert_spooled`], for a message: the file becomes `messages/<id>.age`.
    pub fn insert_message_spooled(&self, m: &MessageRow, spool: &Path) -> Result<(), StoreError> {
        self.commit_spooled(&Entry::Message(m), spool)
    }

    fn commit_spooled(&self, entry: &Entry<'_>, spool: &Path) -> Result<(), StoreError> {
        let rel = entry.file_name();
        let dest = self.dir.join(&rel);
        let result = (|| {
            std::fs::rename(spool, &dest).map_err(io(&dest))?;
            sync_dir(dest.parent().unwrap_or(&self.dir))?;
            self.commit(entry, &[], Some(&rel))?;
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(spool);
            let _ = std::fs::remove_file(&dest);
        }
        result
    }

    /// The stored SHA-256 of `receipt`'s access token: `None` for an unknown receipt,
    /// `Some(None)` for a report without a conversation.
    pub fn thread_of(&self, receipt: &str) -> Result<Option<Option<String>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT thread FROM reports WHERE receipt = ?1",
                params![receipt],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The message stored under an idempotency key.
    pub fn message_by_key(&self, key: &str) -> Result<Option<MessageRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{MESSAGE_COLUMNS} WHERE idempotency_key = ?1"),
                params![key],
                message_row,
            )
            .optional()?)
    }

    /// The messages of `receipt`'s conversation, oldest first.
    pub fn messages(&self, receipt: &str) -> Result<Vec<MessageRow>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "{MESSAGE_COLUMNS} WHERE receipt = ?1 ORDER BY received_at, rowid"
        ))?;
        let rows = st
            .query_map(params![receipt], message_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every message, oldest first (for `inbox list`).
    pub fn all_messages(&self) -> Result<Vec<MessageRow>, StoreError> {
        let mut st = self
            .conn
            .prepare(&format!("{MESSAGE_COLUMNS} ORDER BY received_at, rowid"))?;
        let rows = st
            .query_map([], message_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Where a message's ciphertext is, or `None` when `receipt` has no message `id`.
    pub fn message_body(&self, receipt: &str, id: &str) -> Result<Option<Stored>, StoreError> {
        let found: Option<(Vec<u8>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT body, file FROM messages WHERE receipt = ?1 AND id = ?2",
                params![receipt, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(found.map(|(body, file)| match file {
            Some(f) => Stored::File(self.dir.join(f)),
            None => Stored::Inline(body),
        }))
    }

    /// All reports, oldest first.
    pub fn list(&self) -> Result<Vec<Row>, StoreError> {
        let mut st = self.conn.prepare(
            "SELECT receipt, idempotency_key, sha256, size, received_at, thread FROM reports ORDER BY received_at, rowid",
        )?;
        let rows = st.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The bytes of every stored report, for the storage quota.
    pub fn total_size(&self) -> Result<u64, StoreError> {
        let n: i64 =
            self.conn
                .query_row("SELECT COALESCE(SUM(size), 0) FROM reports", [], |r| {
                    r.get(0)
                })?;
        let m: i64 =
            self.conn
                .query_row("SELECT COALESCE(SUM(size), 0) FROM messages", [], |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(n + m).unwrap_or(0))
    }

    /// Makes every later write fail, to test that a storage failure is never answered 2xx.
    #[doc(hidden)]
    pub fn break_for_tests(&self) {
        let _ = self.conn.execute_batch("PRAGMA query_only = ON;");
    }

    /// A report's ciphertext, or `None` for an unknown receipt.
    pub fn body(&self, receipt: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let found: Option<(Vec<u8>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT body, file FROM reports WHERE receipt = ?1",
                params![receipt],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None => Ok(None),
            Some((_, Some(file))) => {
                let path = self.dir.join(file);
                std::fs::read(&path).map(Some).map_err(io(&path))
            }
            Some((body, None)) => Ok(Some(body)),
        }
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        receipt: r.get(0)?,
        idempotency_key: r.get(1)?,
        sha256: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        received_at: r.get(4)?,
        thread: r.get(5)?,
    })
}

const MESSAGE_COLUMNS: &str =
    "SELECT id, receipt, sender, idempotency_key, sha256, size, received_at FROM messages";

fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        receipt: r.get(1)?,
        sender: r.get(2)?,
        idempotency_key: r.get(3)?,
        sha256: r.get(4)?,
        size: r.get::<_, i64>(5)? as u64,
        received_at: r.get(6)?,
    })
}
