//! The PostgreSQL store (`--database postgres://…`): the store for more than one receiver.
//!
//! Every instance on one database shares reports, receipts, idempotency keys, conversations
//! and the notification outbox. An idempotency key is claimed by `INSERT … ON CONFLICT DO
//! NOTHING` on its unique index: a second attempt, through any instance, waits for the first
//! one's transaction and then answers what it stored, so one key never makes two rows. Every
//! session runs with `synchronous_commit = on`, so a 201 means committed in PostgreSQL.
//!
//! Ciphertexts up to 256 KiB sit in their row; larger ones, spooled to the instance's data
//! directory as they arrive, are streamed into `chunks` 1 MiB a row inside the row's
//! transaction, and read back the same way into an unlinked temporary file. The data directory
//! of an instance holds only those spool files.
//!
//! The synchronous client runs a small runtime of its own, which must not be entered from an
//! async worker: each of the store's connections lives on a thread of its own, and callers
//! (async or not) hand it work through a queue and wait for the answer. Writes have
//! connections of their own that commit in groups: a writer takes every write waiting when it
//! is free into one transaction (each in a savepoint, so one failing write leaves the others),
//! and every caller is answered after that commit.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use postgres::{Client, Config, NoTls};

use super::{
    io, Backend, Body, Channel, Entry, MessageRow, Mode, Pending, Put, Row, StoreError, Stored,
    SPOOL_DIR,
};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The size of one row of `chunks`.
pub const CHUNK: usize = 1024 * 1024;

/// Held while migrating, so that instances starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x5ea1_d809;

/// Connections each instance keeps for reads and the outbox.
const POOL_SIZE: usize = 4;

/// Connections each instance keeps for writes, each committing groups of them.
const WRITERS: usize = 4;

/// Most writes one transaction takes.
const GROUP_MAX: usize = 256;

/// A write waiting for a writer connection.
struct PendingWrite {
    entry: Entry,
    body: Body,
    done: mpsc::SyncSender<Result<Put, StoreError>>,
}

/// Work for a connection's thread: given the connection, or why there is none.
type Job = Box<dyn FnOnce(Result<&mut Client, StoreError>) + Send>;

pub struct PgStore {
    queue: Option<mpsc::Sender<Job>>,
    writes: Option<mpsc::Sender<PendingWrite>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    /// Where chunked ciphertexts are gathered to be read.
    scratch: PathBuf,
    broken: Arc<AtomicBool>,
}

/// Connects, or says why not.
fn reconnect(client: &mut Option<Client>, config: &Config) -> Result<(), StoreError> {
    if client.as_ref().is_none_or(Client::is_closed) {
        *client = None;
        *client =
            Some(config.connect(NoTls).map_err(|e| {
                StoreError::Unavailable(format!("cannot connect to PostgreSQL: {e}"))
            })?);
    }
    Ok(())
}

/// A writer connection's thread: takes every write waiting when it is free (up to
/// [`GROUP_MAX`]) and commits them together, so concurrent reports share one commit; each
/// caller is answered after that commit.
fn writer_thread(
    config: Config,
    writes: Arc<Mutex<mpsc::Receiver<PendingWrite>>>,
    notify: Vec<Channel>,
    broken: Arc<AtomicBool>,
) {
    let mut client: Option<Client> = None;
    loop {
        let group = {
            let rx = writes.lock().unwrap_or_else(PoisonError::into_inner);
            let Ok(first) = rx.recv() else { return };
            // A large body's chunks take long to write: grouped, it would hold up the small
            // reports waiting with it, so a group takes at most one.
            let mut large = matches!(first.body, Body::Spooled(_));
            let mut group = vec![first];
            while group.len() < GROUP_MAX && !large {
                match rx.try_recv() {
                    Ok(w) => {
                        large = matches!(w.body, Body::Spooled(_));
                        group.push(w);
                    }
                    Err(_) => break,
                }
            }
            group
        };
        let results = match (reconnect(&mut client, &config), client.as_mut()) {
            (Ok(()), Some(c)) => put_group(c, &group, &notify, broken.load(Ordering::SeqCst)),
            (Err(e), _) => {
                let why = e.to_string();
                group
                    .iter()
                    .map(|_| Err(StoreError::Unavailable(why.clone())))
                    .collect()
            }
            (Ok(()), None) => continue,
        };
        for (w, r) in group.into_iter().zip(results) {
            w.body.discard();
            let _ = w.done.send(r);
        }
    }
}

/// A connection's thread: connects when first needed, and again after the connection broke.
fn connection_thread(config: Config, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut client: Option<Client> = None;
    loop {
        let job = {
            let rx = jobs.lock().unwrap_or_else(PoisonError::into_inner);
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        if let Err(e) = reconnect(&mut client, &config) {
            job(Err(e));
            continue;
        }
        if let Some(c) = client.as_mut() {
            job(Ok(c));
        }
    }
}

/// The URL as a connection configuration, with what every session needs.
pub fn config(url: &str, mode: Mode) -> Result<Config, StoreError> {
    let mut config: Config = url.parse().map_err(|e| {
        StoreError::Unavailable(format!(
            "--database {:?} is not a PostgreSQL URL ({e}); write postgres://USER@HOST:PORT/DATABASE, with ?host=/run/postgresql for a Unix socket",
            redact(url)
        ))
    })?;
    if config.get_ssl_mode() == postgres::config::SslMode::Require {
        return Err(StoreError::Unavailable(format!(
            "--database {}: sslmode=require, but sealdrop speaks to PostgreSQL without TLS. Reach it over a Unix socket (?host=/run/postgresql), loopback or a private network, or through a local TLS tunnel, and leave sslmode out",
            redact(url)
        )));
    }
    let mut options = config.get_options().unwrap_or_default().to_string();
    options.push_str(" -c synchronous_commit=on");
    if mode == Mode::Read {
        options.push_str(" -c default_transaction_read_only=on");
    }
    config.options(options.trim());
    config.application_name("sealdrop");
    config.connect_timeout(std::time::Duration::from_secs(10));
    Ok(config)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user_pass = &url[s + 3..at];
            match user_pass.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = embedded::migrations::runner()
        .run(client)
        .map(|_| ())
        .map_err(|e| StoreError::Migration(e.to_string()));
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

impl PgStore {
    /// Connects to `url`, migrating the schema first unless `mode` only reads. `dir` is the
    /// instance's data directory (spool files); readers use the system's temporary directory.
    pub fn connect(
        url: &str,
        dir: &Path,
        mode: Mode,
        notify: &[Channel],
    ) -> Result<PgStore, StoreError> {
        let config = config(url, mode)?;
        let mut first = config.connect(NoTls).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: {e}",
                redact(url)
            ))
        })?;
        if mode == Mode::Read {
            let exists: bool = first
                .query_one("SELECT to_regclass('public.reports') IS NOT NULL", &[])?
                .get(0);
            if !exists {
                return Err(StoreError::Unavailable(format!(
                    "the database {} holds no sealdrop reports: start `sealdrop serve --database` on it first",
                    redact(url)
                )));
            }
        } else {
            migrate(&mut first)?;
        }
        drop(first);
        let scratch = if mode == Mode::Serve {
            let spool = dir.join(SPOOL_DIR);
            std::fs::create_dir_all(&spool).map_err(io(&spool))?;
            for e in std::fs::read_dir(&spool).map_err(io(&spool))?.flatten() {
                let _ = std::fs::remove_file(e.path());
            }
            spool
        } else {
            std::env::temp_dir()
        };
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        let threads = (0..POOL_SIZE)
            .map(|i| {
                let (config, jobs) = (config.clone(), jobs.clone());
                std::thread::Builder::new()
                    .name(format!("sealdrop-pg-{i}"))
                    .spawn(move || connection_thread(config, jobs))
                    .map_err(io(Path::new("a PostgreSQL connection thread")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (writes, waiting) = mpsc::channel::<PendingWrite>();
        let waiting = Arc::new(Mutex::new(waiting));
        let broken: Arc<AtomicBool> = Arc::default();
        let mut threads = threads;
        if mode != Mode::Read {
            for i in 0..WRITERS {
                let (config, waiting, notify, broken) = (
                    config.clone(),
                    waiting.clone(),
                    notify.to_vec(),
                    broken.clone(),
                );
                threads.push(
                    std::thread::Builder::new()
                        .name(format!("sealdrop-pg-writer-{i}"))
                        .spawn(move || writer_thread(config, waiting, notify, broken))
                        .map_err(io(Path::new("a PostgreSQL writer thread")))?,
                );
            }
        }
        Ok(PgStore {
            queue: Some(queue),
            writes: Some(writes),
            threads,
            scratch,
            broken,
        })
    }

    /// Runs `f` with a connection, on that connection's thread, and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let gone = || StoreError::Unavailable("the PostgreSQL connections stopped".into());
        let (done, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |client| {
            let _ = done.send(client.and_then(f));
        });
        self.queue
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        answer.recv().unwrap_or_else(|_| Err(gone()))
    }
}

/// A ciphertext in its row, or its chunks gathered into an unlinked file in `scratch`, one
/// chunk in memory at a time.
fn stored(
    client: &mut Client,
    scratch: &Path,
    owner: &str,
    body: Option<Vec<u8>>,
) -> Result<Stored, StoreError> {
    if let Some(b) = body {
        return Ok(Stored::Inline(b));
    }
    let mut name = [0u8; 16];
    getrandom::getrandom(&mut name)
        .map_err(|e| StoreError::Unavailable(format!("no randomness: {e}")))?;
    let path = scratch.join(format!("read-{}.part", sealdrop_core::hex(&name)));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io(&path))?;
    let _ = std::fs::remove_file(&path);
    let mut n: i32 = 0;
    while let Some(row) = client.query_opt(
        "SELECT data FROM chunks WHERE owner = $1 AND n = $2",
        &[&owner, &n],
    )? {
        let data: &[u8] = row.get(0);
        file.write_all(data).map_err(io(&path))?;
        n += 1;
    }
    file.rewind().map_err(io(&path))?;
    Ok(Stored::File(file))
}

/// Inserts an entry's row, its chunks and its notification; `false` when its idempotency key
/// is taken (after waiting for the transaction that took it).
fn insert(
    tx: &mut postgres::Transaction<'_>,
    entry: &Entry,
    body: &Body,
    notify: &[Channel],
) -> Result<bool, StoreError> {
    let inline: Option<&[u8]> = match body {
        Body::Bytes(b) => Some(b),
        Body::Spooled(_) => None,
    };
    let inserted = match entry {
        Entry::Report(r) => tx.execute(
            "INSERT INTO reports (receipt, idempotency_key, sha256, size, received_at, body, thread) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING",
            &[&r.receipt, &r.idempotency_key, &r.sha256, &(r.size as i64), &r.received_at, &inline, &r.thread],
        )?,
        Entry::Message(m) => tx.execute(
            "INSERT INTO messages (id, receipt, sender, idempotency_key, sha256, size, received_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING",
            &[&m.id, &m.receipt, &m.sender, &m.idempotency_key, &m.sha256, &(m.size as i64), &m.received_at, &inline],
        )?,
    };
    if inserted == 0 {
        return Ok(false);
    }
    if let Body::Spooled(path) = body {
        let mut f = std::fs::File::open(path).map_err(io(path))?;
        let mut buf = vec![0u8; CHUNK];
        let mut n: i32 = 0;
        loop {
            let mut filled = 0;
            while filled < CHUNK {
                let got = f.read(&mut buf[filled..]).map_err(io(path))?;
                if got == 0 {
                    break;
                }
                filled += got;
            }
            if filled == 0 {
                break;
            }
            tx.execute(
                "INSERT INTO chunks (owner, n, data) VALUES ($1, $2, $3)",
                &[&entry.id(), &n, &&buf[..filled]],
            )?;
            n += 1;
            if filled < CHUNK {
                break;
            }
        }
    }
    for channel in notify {
        tx.execute(
            "INSERT INTO outbox (payload, channel) VALUES ($1, $2)",
            &[&entry.notification(), &channel.as_str()],
        )?;
    }
    Ok(true)
}

/// Stores one entry inside `tx` (a savepoint of its group's transaction), or finds what its
/// idempotency key already names.
fn put_in(
    tx: &mut postgres::Transaction<'_>,
    entry: &Entry,
    body: &Body,
    notify: &[Channel],
) -> Result<Put, StoreError> {
    if insert(tx, entry, body, notify)? {
        return Ok(Put::Stored);
    }
    let key = entry.idempotency_key();
    let existing = match entry {
        Entry::Report(_) => tx
            .query_opt(
                &format!("{REPORT_COLUMNS} WHERE idempotency_key = $1"),
                &[&key],
            )?
            .map(|r| Entry::Report(row(&r))),
        Entry::Message(_) => tx
            .query_opt(
                &format!("{MESSAGE_COLUMNS} WHERE idempotency_key = $1"),
                &[&key],
            )?
            .map(|r| Entry::Message(message_row(&r))),
    };
    existing.map(Put::Existing).ok_or_else(|| {
        StoreError::Unavailable("an idempotency key was taken and then released".into())
    })
}

/// Commits a group of writes in one transaction, each in a savepoint of its own so that one
/// failing write (a message for an unknown report, say) leaves the others; each write's
/// outcome, in the group's order, all failed if the commit does. The writes take their
/// idempotency keys in one order (reports then messages, by key) in every receiver's groups,
/// so two groups waiting for each other's keys cannot deadlock; a write PostgreSQL still
/// aborts as a deadlock or a serialization failure is retried alone after the group.
fn put_group(
    client: &mut Client,
    group: &[PendingWrite],
    notify: &[Channel],
    broken: bool,
) -> Vec<Result<Put, StoreError>> {
    let all_failed = |e: &dyn std::fmt::Display| {
        group
            .iter()
            .map(|_| Err(StoreError::Unavailable(format!("PostgreSQL: {e}"))))
            .collect()
    };
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| {
        let e = &group[i].entry;
        (matches!(e, Entry::Message(_)), e.idempotency_key())
    });
    let mut results: Vec<Option<Result<Put, StoreError>>> = group.iter().map(|_| None).collect();
    let mut again = Vec::new();
    {
        let mut tx = match client.transaction() {
            Ok(tx) => tx,
            Err(e) => return all_failed(&e),
        };
        if broken {
            if let Err(e) = tx.batch_execute("SET TRANSACTION READ ONLY") {
                return all_failed(&e);
            }
        }
        for &i in &order {
            let w = &group[i];
            let result = tx
                .savepoint("write")
                .map_err(StoreError::from)
                .and_then(|mut sp| {
                    let put = put_in(&mut sp, &w.entry, &w.body, notify)?;
                    sp.commit()?;
                    Ok(put)
                });
            if result.as_ref().is_err_and(retryable) {
                again.push(i);
            } else {
                results[i] = Some(result);
            }
        }
        if let Err(e) = tx.commit() {
            return all_failed(&e);
        }
    }
    for i in again {
        let mut result = Err(StoreError::Unavailable(
            "PostgreSQL kept aborting this write".into(),
        ));
        for _ in 0..3 {
            result = (|| {
                let mut tx = client.transaction()?;
                let put = put_in(&mut tx, &group[i].entry, &group[i].body, notify)?;
                tx.commit()?;
                Ok(put)
            })();
            if !result.as_ref().is_err_and(retryable) {
                break;
            }
        }
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::Unavailable("a write was lost".into()))))
        .collect()
}

/// Whether PostgreSQL aborted a write only because of another transaction (a deadlock or a
/// serialization failure), so that it succeeds when tried again.
fn retryable(e: &StoreError) -> bool {
    use postgres::error::SqlState;
    matches!(e, StoreError::Postgres(p) if p.code().is_some_and(|c| *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE))
}

const REPORT_COLUMNS: &str =
    "SELECT receipt, idempotency_key, sha256, size, received_at, thread FROM reports";
const MESSAGE_COLUMNS: &str =
    "SELECT id, receipt, sender, idempotency_key, sha256, size, received_at FROM messages";

fn row(r: &postgres::Row) -> Row {
    Row {
        receipt: r.get(0),
        idempotency_key: r.get(1),
        sha256: r.get(2),
        size: r.get::<_, i64>(3) as u64,
        received_at: r.get(4),
        thread: r.get(5),
    }
}

fn message_row(r: &postgres::Row) -> MessageRow {
    MessageRow {
        id: r.get(0),
        receipt: r.get(1),
        sender: r.get(2),
        idempotency_key: r.get(3),
        sha256: r.get(4),
        size: r.get::<_, i64>(5) as u64,
        received_at: r.get(6),
    }
}

impl Drop for PgStore {
    /// Closes the connections on their own threads.
    fn drop(&mut self) {
        drop(self.queue.take());
        drop(self.writes.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Backend for PgStore {
    fn put(&self, entry: Entry, body: Body) -> Result<Put, StoreError> {
        let gone = || StoreError::Unavailable("the store was opened read-only".into());
        let (done, answer) = mpsc::sync_channel(1);
        let Some(writes) = self.writes.as_ref() else {
            body.discard();
            return Err(gone());
        };
        if let Err(mpsc::SendError(w)) = writes.send(PendingWrite { entry, body, done }) {
            w.body.discard();
            return Err(gone());
        }
        answer.recv().unwrap_or_else(|_| Err(gone()))
    }

    fn by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        let key = key.to_string();
        self.run(move |c| {
            Ok(c.query_opt(
                &format!("{REPORT_COLUMNS} WHERE idempotency_key = $1"),
                &[&key],
            )?
            .map(|r| row(&r)))
        })
    }

    fn message_by_key(&self, key: &str) -> Result<Option<MessageRow>, StoreError> {
        let key = key.to_string();
        self.run(move |c| {
            Ok(c.query_opt(
                &format!("{MESSAGE_COLUMNS} WHERE idempotency_key = $1"),
                &[&key],
            )?
            .map(|r| message_row(&r)))
        })
    }

    fn thread_of(&self, receipt: &str) -> Result<Option<Option<String>>, StoreError> {
        let receipt = receipt.to_string();
        self.run(move |c| {
            Ok(
                c.query_opt("SELECT thread FROM reports WHERE receipt = $1", &[&receipt])?
                    .map(|r| r.get(0)),
            )
        })
    }

    fn messages(&self, receipt: &str) -> Result<Vec<MessageRow>, StoreError> {
        let receipt = receipt.to_string();
        self.run(move |c| {
            Ok(c.query(
                &format!("{MESSAGE_COLUMNS} WHERE receipt = $1 ORDER BY received_at, seq"),
                &[&receipt],
            )?
            .iter()
            .map(message_row)
            .collect())
        })
    }

    fn all_messages(&self) -> Result<Vec<MessageRow>, StoreError> {
        self.run(|c| {
            Ok(
                c.query(&format!("{MESSAGE_COLUMNS} ORDER BY received_at, seq"), &[])?
                    .iter()
                    .map(message_row)
                    .collect(),
            )
        })
    }

    fn message_body(&self, receipt: &str, id: &str) -> Result<Option<Stored>, StoreError> {
        let (receipt, id, scratch) = (receipt.to_string(), id.to_string(), self.scratch.clone());
        self.run(move |c| {
            let found = c.query_opt(
                "SELECT body FROM messages WHERE receipt = $1 AND id = $2",
                &[&receipt, &id],
            )?;
            found
                .map(|r| stored(c, &scratch, &id, r.get(0)))
                .transpose()
        })
    }

    fn list(&self) -> Result<Vec<Row>, StoreError> {
        self.run(|c| {
            Ok(
                c.query(&format!("{REPORT_COLUMNS} ORDER BY received_at, seq"), &[])?
                    .iter()
                    .map(row)
                    .collect(),
            )
        })
    }

    fn total_size(&self) -> Result<u64, StoreError> {
        self.run(|c| {
            let n: i64 = c
                .query_one(
                    "SELECT ((SELECT COALESCE(SUM(size), 0) FROM reports) + (SELECT COALESCE(SUM(size), 0) FROM messages))::BIGINT",
                    &[],
                )?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn body(&self, receipt: &str) -> Result<Option<Stored>, StoreError> {
        let (receipt, scratch) = (receipt.to_string(), self.scratch.clone());
        self.run(move |c| {
            let found = c.query_opt("SELECT body FROM reports WHERE receipt = $1", &[&receipt])?;
            found
                .map(|r| stored(c, &scratch, &receipt, r.get(0)))
                .transpose()
        })
    }

    fn claim_due(
        &self,
        channel: Channel,
        now: i64,
        lease: i64,
        limit: u32,
    ) -> Result<Vec<Pending>, StoreError> {
        self.run(move |c| {
            let mut rows: Vec<Pending> = c
                .query(
                    "UPDATE outbox SET next_at = $1 + $2 WHERE id IN (SELECT id FROM outbox WHERE channel = $4 AND sent_at IS NULL AND next_at <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, payload, attempts",
                    &[&now, &lease, &i64::from(limit), &channel.as_str()],
                )?
                .iter()
                .map(|r| Pending {
                    id: r.get(0),
                    payload: r.get(1),
                    attempts: u32::try_from(r.get::<_, i32>(2)).unwrap_or(0),
                })
                .collect();
            rows.sort_by_key(|p| p.id);
            Ok(rows)
        })
    }

    fn sent(&self, id: i64, at: &str) -> Result<(), StoreError> {
        let at = at.to_string();
        self.run(move |c| {
            c.execute("UPDATE outbox SET sent_at = $2 WHERE id = $1", &[&id, &at])?;
            Ok(())
        })
    }

    fn retry_at(&self, id: i64, next_at: i64) -> Result<(), StoreError> {
        self.run(move |c| {
            c.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_at = $2 WHERE id = $1",
                &[&id, &next_at],
            )?;
            Ok(())
        })
    }

    fn backlog(&self) -> Result<u64, StoreError> {
        self.run(|c| {
            let n: i64 = c
                .query_one("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL", &[])?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn break_for_tests(&self) {
        self.broken.store(true, Ordering::SeqCst);
    }
}
