//! Durable storage of ciphertext: one interface ([`Backend`]), two implementations.
//!
//! - [`sqlite`]: the embedded default, an SQLite file in the data directory (WAL,
//!   `synchronous=FULL`), with concurrent writes grouped into one transaction and one fsync.
//! - [`postgres`]: `--database postgres://…`, for several receivers sharing one truth.
//!
//! Both keep the same promises, checked by the same contract tests (tests/store_contract.rs):
//! a write returns only once it is durable; an idempotency key names at most one row, whichever
//! process stores it ([`Put::Existing`] answers the loser); a stored row's notification is
//! queued in the same transaction; a large ciphertext never passes through memory whole.
//! Schemas are versioned migrations in `crates/server/migrations/`, applied at start by
//! refinery.

use std::fs::File;
use std::path::{Path, PathBuf};

pub mod postgres;
pub mod sqlite;

pub use sqlite::{db_path, sync_dir, DB_FILE};

/// Where uploads are written while they arrive (in the data directory, for either store).
pub const SPOOL_DIR: &str = "spool";
/// Where the SQLite store keeps large reports' ciphertexts, one `<receipt>.age` each.
pub const REPORTS_DIR: &str = "reports";
/// Where the SQLite store keeps large conversation messages, one `<id>.age` each.
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

/// What a write stores: a report or a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Report(Row),
    Message(MessageRow),
}

impl Entry {
    pub fn idempotency_key(&self) -> &str {
        match self {
            Entry::Report(r) => &r.idempotency_key,
            Entry::Message(m) => &m.idempotency_key,
        }
    }

    /// The id the row is known by: a receipt or a message id.
    pub fn id(&self) -> &str {
        match self {
            Entry::Report(r) => &r.receipt,
            Entry::Message(m) => &m.id,
        }
    }

    /// The notification of this entry: metadata only, never anything of the plaintext. `text`
    /// is for chat incoming webhooks (Slack, Mattermost, Rocket.Chat show it as the message).
    pub fn notification(&self) -> String {
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
}

/// A ciphertext to store.
pub enum Body {
    /// Small: kept in memory, stored in the row.
    Bytes(Vec<u8>),
    /// Large: written to this file in [`SPOOL_DIR`] and fsynced by its writer. The store moves
    /// it (SQLite: renamed beside the database) or streams it (PostgreSQL: in 1 MiB chunks)
    /// and removes it, whatever the outcome.
    Spooled(PathBuf),
}

impl Body {
    /// Removes a spooled body that will not be stored.
    pub fn discard(&self) {
        if let Body::Spooled(p) = self {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// What a write did.
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    /// The entry is stored, durably.
    Stored,
    /// Its idempotency key was already taken (by an earlier attempt, perhaps through another
    /// receiver): this is what is stored under it, and nothing was written.
    Existing(Entry),
}

/// A stored ciphertext: in memory (small ones), or an open file to stream.
pub enum Stored {
    Inline(Vec<u8>),
    File(File),
}

/// A way notifications leave (`--notify-webhook`, `--notify-email`): each stored entry queues
/// one outbox row per channel, delivered and retried on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Webhook,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
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
    /// PostgreSQL refused, or could not be reached.
    Postgres(::postgres::Error),
    /// The schema could not be brought up to date.
    Migration(String),
    /// The store cannot take writes.
    Unavailable(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoStore(dir) => write!(
                f,
                "no reports stored in {}: it has no {DB_FILE}. Pass the data directory of `sealdrop serve` with --data-dir (or its --database).",
                dir.display()
            ),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Sql(e) => write!(f, "the report database: {e}"),
            Self::Postgres(e) => write!(f, "the PostgreSQL database: {e}"),
            Self::Migration(e) => write!(f, "the database schema could not be updated: {e}"),
            Self::Unavailable(why) => write!(f, "the report store: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The storage interface the receiver and the CLI use. Every method may be called from several
/// threads at once.
pub trait Backend: Send + Sync {
    /// Stores an entry, or answers what its idempotency key already names. Returns once the
    /// row (and its ciphertext, and its notification when notifications are on) is durable.
    fn put(&self, entry: Entry, body: Body) -> Result<Put, StoreError>;
    /// The report stored under an idempotency key.
    fn by_key(&self, key: &str) -> Result<Option<Row>, StoreError>;
    /// The message stored under an idempotency key.
    fn message_by_key(&self, key: &str) -> Result<Option<MessageRow>, StoreError>;
    /// The stored SHA-256 of `receipt`'s access token: `None` for an unknown receipt,
    /// `Some(None)` for a report without a conversation.
    fn thread_of(&self, receipt: &str) -> Result<Option<Option<String>>, StoreError>;
    /// The messages of `receipt`'s conversation, oldest first.
    fn messages(&self, receipt: &str) -> Result<Vec<MessageRow>, StoreError>;
    /// Every message, oldest first (for `inbox list`).
    fn all_messages(&self) -> Result<Vec<MessageRow>, StoreError>;
    /// A message's ciphertext, or `None` when `receipt` has no message `id`.
    fn message_body(&self, receipt: &str, id: &str) -> Result<Option<Stored>, StoreError>;
    /// All reports, oldest first.
    fn list(&self) -> Result<Vec<Row>, StoreError>;
    /// The bytes of every stored report and message, for the storage quota.
    fn total_size(&self) -> Result<u64, StoreError>;
    /// A report's ciphertext, or `None` for an unknown receipt.
    fn body(&self, receipt: &str) -> Result<Option<Stored>, StoreError>;
    /// Takes up to `limit` of `channel`'s notifications due at `now` (seconds since the epoch),
    /// oldest first, and holds them for `lease` seconds: another process does not take them
    /// meanwhile, and takes them again if this one dies before marking them.
    fn claim_due(
        &self,
        channel: Channel,
        now: i64,
        lease: i64,
        limit: u32,
    ) -> Result<Vec<Pending>, StoreError>;
    /// Marks a notification delivered.
    fn sent(&self, id: i64, at: &str) -> Result<(), StoreError>;
    /// Counts a failed attempt and sets when to try again.
    fn retry_at(&self, id: i64, next_at: i64) -> Result<(), StoreError>;
    /// Notifications not yet delivered.
    fn backlog(&self) -> Result<u64, StoreError>;
    /// Makes every later write fail, to test that a storage failure is never answered 2xx.
    #[doc(hidden)]
    fn break_for_tests(&self);
}

/// How a store is opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// The receiver: creates and migrates the schema, cleans up what an interrupted run left.
    Serve,
    /// `inbox` reading: nothing created or written.
    Read,
    /// `inbox reply`: adds rows, removes nothing (a receiver may be running).
    Reply,
}

/// Where the reports are: `database` (a `postgres://` URL) when given, else the SQLite file in
/// `data_dir`.
pub struct Location<'a> {
    pub data_dir: &'a Path,
    pub database: Option<&'a str>,
}

/// An open store of either kind. Derefs to [`Backend`].
pub struct Store {
    backend: Box<dyn Backend>,
    dir: PathBuf,
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;
    fn deref(&self) -> &Self::Target {
        &*self.backend
    }
}

impl Store {
    /// Opens the store at `at`. Each stored entry also queues its notification on every
    /// channel of `notify`.
    pub fn at(at: &Location<'_>, mode: Mode, notify: &[Channel]) -> Result<Store, StoreError> {
        let backend: Box<dyn Backend> = match at.database {
            Some(url) => Box::new(postgres::PgStore::connect(url, at.data_dir, mode, notify)?),
            None => Box::new(sqlite::SqliteStore::open(at.data_dir, mode, notify)?),
        };
        Ok(Store {
            backend,
            dir: at.data_dir.to_path_buf(),
        })
    }

    /// The receiver's SQLite store in `dir`, created if needed.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::sqlite(dir, Mode::Serve)
    }

    /// An existing SQLite store in `dir`, read-only.
    pub fn open_existing(dir: &Path) -> Result<Store, StoreError> {
        Self::sqlite(dir, Mode::Read)
    }

    fn sqlite(dir: &Path, mode: Mode) -> Result<Store, StoreError> {
        Self::at(
            &Location {
                data_dir: dir,
                database: None,
            },
            mode,
            &[],
        )
    }

    /// The data directory (spool files; the SQLite database and its files).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `body` to a new, fsynced spool file named after `name`.
    pub fn spool_bytes(&self, name: &str, body: &[u8]) -> Result<PathBuf, StoreError> {
        use std::io::Write;
        let d = self.dir.join(SPOOL_DIR);
        std::fs::create_dir_all(&d).map_err(io(&d))?;
        let spool = d.join(format!("{name}.part"));
        let mut f = File::create_new(&spool).map_err(io(&spool))?;
        f.write_all(body)
            .and_then(|()| f.sync_all())
            .map_err(io(&spool))?;
        Ok(spool)
    }

    /// Stores a report, in its row (`as_file` false) or as a large one is.
    pub fn insert(&self, r: &Row, body: &[u8], as_file: bool) -> Result<Put, StoreError> {
        self.insert_entry(Entry::Report(r.clone()), body, as_file)
    }

    /// Stores a message, in its row (`as_file` false) or as a large one is.
    pub fn insert_message(
        &self,
        m: &MessageRow,
        body: &[u8],
        as_file: bool,
    ) -> Result<Put, StoreError> {
        self.insert_entry(Entry::Message(m.clone()), body, as_file)
    }

    fn insert_entry(&self, entry: Entry, body: &[u8], as_file: bool) -> Result<Put, StoreError> {
        let body = if as_file {
            Body::Spooled(self.spool_bytes(entry.id(), body)?)
        } else {
            Body::Bytes(body.to_vec())
        };
        self.put(entry, body)
    }

    /// A report's whole ciphertext, read into memory, at most `max` bytes.
    pub fn read_body(&self, receipt: &str, max: u64) -> Result<Option<Vec<u8>>, StoreError> {
        read_stored(self.body(receipt)?, max, receipt)
    }

    /// A message's whole ciphertext, read into memory, at most `max` bytes.
    pub fn read_message(
        &self,
        receipt: &str,
        id: &str,
        max: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        read_stored(self.message_body(receipt, id)?, max, id)
    }
}

fn read_stored(s: Option<Stored>, max: u64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    use std::io::Read;
    match s {
        None => Ok(None),
        Some(Stored::Inline(b)) => Ok(Some(b)),
        Some(Stored::File(f)) => {
            let mut v = Vec::new();
            f.take(max)
                .read_to_end(&mut v)
                .map_err(io(Path::new(name)))?;
            Ok(Some(v))
        }
    }
}
