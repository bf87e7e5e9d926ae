//! The embedded store: an SQLite index in the data directory (WAL, `synchronous=FULL`) whose
//! rows hold small ciphertexts (up to 256 KiB) in their `body` column and name a file of their
//! own, `reports/<receipt>.age` or `messages/<id>.age`, for larger ones. Such a file is
//! written through a spool file, fsynced, renamed and its directory fsynced before the row
//! that names it commits. So a row is never without its file.
//!
//! **Group commit**: one writer thread owns the write connection. Writes that arrive while it
//! commits wait in its queue and then share one transaction and one fsync; each caller gets
//! its answer only after that commit. If one write of a group fails, the group is rolled back
//! and its writes are committed one by one, so one bad write never fails another.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{
    io, Backend, Body, Channel, Entry, MessageRow, Mode, Pending, Put, Row, StoreError, Stored,
    MESSAGES_DIR, REPORTS_DIR, SPOOL_DIR,
};

pub const DB_FILE: &str = "sealdrop.sqlite3";

const WRITER_STOPPED: &str = "the SQLite writer thread stopped";

/// Most writes one transaction takes.
const GROUP_MAX: usize = 512;

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join(DB_FILE)
}

/// Makes a rename or a new file in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

/// One write waiting for the writer thread.
struct Job {
    entry: Entry,
    body: Body,
    done: mpsc::SyncSender<Result<Put, StoreError>>,
}

pub struct SqliteStore {
    /// Reads, and the outbox's small updates.
    conn: Mutex<Connection>,
    /// The writer thread's queue and handle (`None` when read-only).
    writer: Option<(mpsc::Sender<Job>, std::thread::JoinHandle<()>)>,
    broken: Arc<AtomicBool>,
    dir: PathBuf,
}

fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .exists(params![table, column])
}

/// Applies the versioned migrations. A store made before they were versioned is first given
/// the columns it lacks, so that V1 (all `IF NOT EXISTS`) adopts it as it is.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let has_reports: bool = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reports'")?
        .exists([])?;
    if has_reports {
        for column in ["file", "thread"] {
            if !has_column(conn, "reports", column)? {
                conn.execute_batch(&format!("ALTER TABLE reports ADD COLUMN {column} TEXT;"))?;
            }
        }
    }
    embedded::migrations::runner()
        .run(conn)
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(())
}

fn open_rw(dir: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(db_path(dir))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// Opens an existing store read-only: nothing is created or written, so the CLI run by
/// another user leaves no `-wal`/`-shm` files the server could not use.
fn open_read_only(dir: &Path) -> Result<Connection, StoreError> {
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
    Ok(conn)
}

impl SqliteStore {
    /// Opens the store in `dir`. [`Mode::Serve`] creates it if needed and removes what an
    /// interrupted run left: spool files, and ciphertext files no row names (never
    /// acknowledged).
    pub fn open(dir: &Path, mode: Mode, notify: &[Channel]) -> Result<SqliteStore, StoreError> {
        if mode == Mode::Read {
            return Ok(SqliteStore {
                conn: Mutex::new(open_read_only(dir)?),
                writer: None,
                broken: Arc::default(),
                dir: dir.to_path_buf(),
            });
        }
        if mode == Mode::Reply && !db_path(dir).exists() {
            return Err(StoreError::NoStore(dir.to_path_buf()));
        }
        let mut dirs = vec![dir.join(SPOOL_DIR), dir.join(MESSAGES_DIR)];
        if mode == Mode::Serve {
            dirs.extend([dir.to_path_buf(), dir.join(REPORTS_DIR)]);
        }
        for d in dirs {
            std::fs::create_dir_all(&d).map_err(io(&d))?;
        }
        let mut conn = open_rw(dir)?;
        migrate(&mut conn)?;
        if mode == Mode::Serve {
            remove_leftovers(&conn, dir)?;
        }
        let broken: Arc<AtomicBool> = Arc::default();
        let writer = spawn_writer(
            open_rw(dir)?,
            dir.to_path_buf(),
            notify.to_vec(),
            broken.clone(),
        )?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            writer: Some(writer),
            broken,
            dir: dir.to_path_buf(),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn remove_leftovers(conn: &Connection, dir: &Path) -> Result<(), StoreError> {
    let spool = dir.join(SPOOL_DIR);
    for e in std::fs::read_dir(&spool).map_err(io(&spool))?.flatten() {
        let _ = std::fs::remove_file(e.path());
    }
    for (sub, table) in [(REPORTS_DIR, "reports"), (MESSAGES_DIR, "messages")] {
        let d = dir.join(sub);
        let mut named = conn.prepare(&format!("SELECT 1 FROM {table} WHERE file = ?1"))?;
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

fn spawn_writer(
    mut conn: Connection,
    dir: PathBuf,
    notify: Vec<Channel>,
    broken: Arc<AtomicBool>,
) -> Result<(mpsc::Sender<Job>, std::thread::JoinHandle<()>), StoreError> {
    let (tx, rx) = mpsc::channel::<Job>();
    let handle = std::thread::Builder::new()
        .name("sealdrop-sqlite-writer".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut group = vec![first];
                while group.len() < GROUP_MAX {
                    match rx.try_recv() {
                        Ok(j) => group.push(j),
                        Err(_) => break,
                    }
                }
                if broken.load(Ordering::SeqCst) {
                    let _ = conn.execute_batch("PRAGMA query_only = ON;");
                }
                commit_group(&mut conn, &dir, &notify, group);
            }
        })
        .map_err(io(Path::new("the SQLite writer thread")))?;
    Ok((tx, handle))
}

/// A write whose ciphertext file (if any) is in place and durable.
struct Placed {
    job: Job,
    /// `reports/<receipt>.age` or `messages/<id>.age`, relative to the data directory.
    file: Option<String>,
}

impl Placed {
    fn remove_file(&self, dir: &Path) {
        if let Some(f) = &self.file {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
}

fn commit_group(conn: &mut Connection, dir: &Path, notify: &[Channel], group: Vec<Job>) {
    // Files first: renamed into place, then each directory fsynced once for the whole group.
    let mut placed = Vec::with_capacity(group.len());
    let mut dirs: Vec<&str> = Vec::new();
    for job in group {
        let Body::Spooled(spool) = &job.body else {
            placed.push(Placed { job, file: None });
            continue;
        };
        let sub = match job.entry {
            Entry::Report(_) => REPORTS_DIR,
            Entry::Message(_) => MESSAGES_DIR,
        };
        let rel = format!("{sub}/{}.age", job.entry.id());
        let dest = dir.join(&rel);
        match std::fs::rename(spool, &dest) {
            Ok(()) => {
                if !dirs.contains(&sub) {
                    dirs.push(sub);
                }
                placed.push(Placed {
                    job,
                    file: Some(rel),
                });
            }
            Err(e) => {
                job.body.discard();
                let _ = job.done.send(Err(io(&dest)(e)));
            }
        }
    }
    for sub in dirs {
        if let Err(e) = sync_dir(&dir.join(sub)) {
            for p in placed.drain(..) {
                p.remove_file(dir);
                let _ = p.job.done.send(Err(StoreError::Io {
                    path: dir.join(sub),
                    source: std::io::Error::other(e.to_string()),
                }));
            }
            return;
        }
    }
    match transaction(conn, notify, &placed) {
        Ok(results) => answer(dir, placed, results),
        Err(_) if placed.len() > 1 => {
            // One write failed the group: commit each alone, so only that one fails.
            for p in placed {
                let result = transaction(conn, notify, std::slice::from_ref(&p));
                answer(dir, vec![p], result.unwrap_or_else(|e| vec![Err(e)]));
            }
        }
        Err(e) => answer(dir, placed, vec![Err(e)]),
    }
}

fn answer(dir: &Path, placed: Vec<Placed>, results: Vec<Result<Put, StoreError>>) {
    for (p, r) in placed.into_iter().zip(results) {
        if !matches!(r, Ok(Put::Stored)) {
            p.remove_file(dir);
        }
        let _ = p.job.done.send(r);
    }
}

/// Inserts a group in one transaction; each write's outcome, or the error that failed them all.
fn transaction(
    conn: &mut Connection,
    notify: &[Channel],
    placed: &[Placed],
) -> Result<Vec<Result<Put, StoreError>>, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(placed.len());
    for p in placed {
        let body: &[u8] = match &p.job.body {
            Body::Bytes(b) => b,
            Body::Spooled(_) => &[],
        };
        let inserted = match &p.job.entry {
            Entry::Report(r) => tx.execute(
                "INSERT INTO reports (receipt, idempotency_key, sha256, size, received_at, body, file, thread) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (idempotency_key) DO NOTHING",
                params![r.receipt, r.idempotency_key, r.sha256, r.size as i64, r.received_at, body, p.file, r.thread],
            )?,
            Entry::Message(m) => tx.execute(
                "INSERT INTO messages (id, receipt, sender, idempotency_key, sha256, size, received_at, body, file) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (idempotency_key) DO NOTHING",
                params![m.id, m.receipt, m.sender, m.idempotency_key, m.sha256, m.size as i64, m.received_at, body, p.file],
            )?,
        };
        if inserted == 0 {
            let key = p.job.entry.idempotency_key();
            let existing = match &p.job.entry {
                Entry::Report(_) => report_by_key(&tx, key)?.map(Entry::Report),
                Entry::Message(_) => message_by_key(&tx, key)?.map(Entry::Message),
            };
            results.push(
                existing
                    .map(Put::Existing)
                    .ok_or_else(|| StoreError::Sql(rusqlite::Error::QueryReturnedNoRows)),
            );
            continue;
        }
        for channel in notify {
            tx.execute(
                "INSERT INTO outbox (payload, channel) VALUES (?1, ?2)",
                params![p.job.entry.notification(), channel.as_str()],
            )?;
        }
        results.push(Ok(Put::Stored));
    }
    tx.commit()?;
    Ok(results)
}

fn report_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<Row>> {
    conn.query_row(
        &format!("{REPORT_COLUMNS} WHERE idempotency_key = ?1"),
        params![key],
        row,
    )
    .optional()
}

fn message_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<MessageRow>> {
    conn.query_row(
        &format!("{MESSAGE_COLUMNS} WHERE idempotency_key = ?1"),
        params![key],
        message_row,
    )
    .optional()
}

impl Backend for SqliteStore {
    fn put(&self, entry: Entry, body: Body) -> Result<Put, StoreError> {
        let Some((writer, _)) = &self.writer else {
            body.discard();
            return Err(StoreError::Unavailable(
                "the store was opened read-only".into(),
            ));
        };
        let (done, answer) = mpsc::sync_channel(1);
        let job = Job { entry, body, done };
        if let Err(mpsc::SendError(job)) = writer.send(job) {
            job.body.discard();
            return Err(StoreError::Unavailable(WRITER_STOPPED.into()));
        }
        answer
            .recv()
            .unwrap_or(Err(StoreError::Unavailable(WRITER_STOPPED.into())))
    }

    fn by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        Ok(report_by_key(&self.conn(), key)?)
    }

    fn message_by_key(&self, key: &str) -> Result<Option<MessageRow>, StoreError> {
        Ok(message_by_key(&self.conn(), key)?)
    }

    fn thread_of(&self, receipt: &str) -> Result<Option<Option<String>>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT thread FROM reports WHERE receipt = ?1",
                params![receipt],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn messages(&self, receipt: &str) -> Result<Vec<MessageRow>, StoreError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "{MESSAGE_COLUMNS} WHERE receipt = ?1 ORDER BY received_at, rowid"
        ))?;
        let rows = st
            .query_map(params![receipt], message_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn all_messages(&self) -> Result<Vec<MessageRow>, StoreError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("{MESSAGE_COLUMNS} ORDER BY received_at, rowid"))?;
        let rows = st
            .query_map([], message_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn message_body(&self, receipt: &str, id: &str) -> Result<Option<Stored>, StoreError> {
        self.stored(
            "SELECT body, file FROM messages WHERE receipt = ?1 AND id = ?2",
            params![receipt, id],
        )
    }

    fn list(&self) -> Result<Vec<Row>, StoreError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("{REPORT_COLUMNS} ORDER BY received_at, rowid"))?;
        let rows = st.query_map([], row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn total_size(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT (SELECT COALESCE(SUM(size), 0) FROM reports) + (SELECT COALESCE(SUM(size), 0) FROM messages)",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn body(&self, receipt: &str) -> Result<Option<Stored>, StoreError> {
        self.stored(
            "SELECT body, file FROM reports WHERE receipt = ?1",
            params![receipt],
        )
    }

    fn claim_due(
        &self,
        channel: Channel,
        now: i64,
        lease: i64,
        limit: u32,
    ) -> Result<Vec<Pending>, StoreError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "UPDATE outbox SET next_at = ?1 + ?2 WHERE id IN (SELECT id FROM outbox WHERE channel = ?4 AND sent_at IS NULL AND next_at <= ?1 ORDER BY id LIMIT ?3) RETURNING id, payload, attempts",
        )?;
        let mut rows = st
            .query_map(params![now, lease, limit, channel.as_str()], |r| {
                Ok(Pending {
                    id: r.get(0)?,
                    payload: r.get(1)?,
                    attempts: r.get::<_, i64>(2)? as u32,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.sort_by_key(|p| p.id);
        Ok(rows)
    }

    fn sent(&self, id: i64, at: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET sent_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    fn retry_at(&self, id: i64, next_at: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = ?1",
            params![id, next_at],
        )?;
        Ok(())
    }

    fn backlog(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn break_for_tests(&self) {
        self.broken.store(true, Ordering::SeqCst);
        let _ = self.conn().execute_batch("PRAGMA query_only = ON;");
    }
}

impl Drop for SqliteStore {
    /// Stops the writer once its queue is done, so its connection is closed before this one:
    /// the last connection to close checkpoints the write-ahead log and removes its files.
    fn drop(&mut self) {
        if let Some((queue, writer)) = self.writer.take() {
            drop(queue);
            let _ = writer.join();
        }
    }
}

impl SqliteStore {
    /// A ciphertext in its row, or the file its row names, opened.
    fn stored(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<Stored>, StoreError> {
        let found: Option<(Vec<u8>, Option<String>)> = self
            .conn()
            .query_row(sql, params, |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((body, file)) = found else {
            return Ok(None);
        };
        let Some(file) = file else {
            return Ok(Some(Stored::Inline(body)));
        };
        let path = self.dir.join(file);
        std::fs::File::open(&path)
            .map(|f| Some(Stored::File(f)))
            .map_err(io(&path))
    }
}

const REPORT_COLUMNS: &str =
    "SELECT receipt, idempotency_key, sha256, size, received_at, thread FROM reports";

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
