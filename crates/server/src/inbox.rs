//! `sealdrop inbox list` and `sealdrop inbox open`: the security team's side. Decrypts locally
//! and extracts the bundle strictly: only `report.json`, `report.md` and
//! `attachments/<name>`, each created new, into a folder of its own that did not exist or was
//! empty. The database is opened read-only. Everything from a report reaches the terminal
//! through [`visible`], so it cannot carry control sequences.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::Identity;

use crate::store::{Location, Mode, Store};
use crate::terminal::visible;

/// Where the reports are: the receiver's data directory (SQLite), or its PostgreSQL database.
#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// The receiver's data directory (its SQLite store).
    #[arg(long, default_value = "sealdrop-data")]
    pub data_dir: PathBuf,
    /// The receiver's PostgreSQL database (postgres://…), instead of the data directory's
    /// SQLite store.
    #[arg(long, env = "SEALDROP_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
}

impl StoreArgs {
    pub fn open(&self, mode: Mode) -> Result<Store, String> {
        Store::at(
            &Location {
                data_dir: &self.data_dir,
                database: self.database.as_deref(),
            },
            mode,
            &[],
        )
        .map_err(|e| e.to_string())
    }

    /// Where the reports are, for messages (a database URL without its password).
    pub fn place(&self) -> String {
        match &self.database {
            Some(url) => crate::store::postgres::redact(url),
            None => self.data_dir.display().to_string(),
        }
    }

    /// The option that names this store again, for suggested commands.
    pub fn flag(&self) -> String {
        match &self.database {
            Some(_) => "--database $SEALDROP_DATABASE".to_string(),
            None => format!("--data-dir {}", self.data_dir.display()),
        }
    }
}

#[derive(clap::Subcommand)]
pub enum InboxCommand {
    /// List stored reports, newest first: receipt, time received, size, and whether it was
    /// opened (./reports/<receipt> exists); with -i also kind, severity, reporter, attachments
    /// and title.
    List {
        #[command(flatten)]
        at: StoreArgs,
        /// Identity file to decrypt the reports' details with (age-keygen format).
        #[arg(short, long)]
        identity: Option<PathBuf>,
        /// One JSON array for scripts instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Decrypt one report, extract its bundle and print report.md.
    Open {
        /// A receipt (sd-…) from `inbox list`, or a path to an .age file.
        #[arg(required_unless_present = "latest")]
        report: Option<String>,
        /// Open the most recent report.
        #[arg(long, conflicts_with = "report")]
        latest: bool,
        /// Identity file (age-keygen format).
        #[arg(short, long)]
        identity: PathBuf,
        #[command(flatten)]
        at: StoreArgs,
        /// Where to extract [default: ./reports/<receipt or file name>].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Answer a report's reporter in its conversation: the reply is sealed to their reply key
    /// and to the organization's recipients, and stored for them to fetch with their
    /// follow-up key.
    Reply {
        /// The receipt (sd-…).
        receipt: String,
        /// Identity file (age-keygen format) that opens the report.
        #[arg(short, long)]
        identity: PathBuf,
        /// The reply's text [default: write it in $EDITOR].
        #[arg(short, long, conflicts_with = "file")]
        message: Option<String>,
        /// Read the reply's text from this file.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Where the report stands: received, triaged, accepted, fixed, disclosed or declined.
        #[arg(long)]
        status: Option<String>,
        /// When you expect the next step (YYYY-MM-DD), shown with the status.
        #[arg(long)]
        expected: Option<String>,
        /// A file to send with the reply (repeat for several).
        #[arg(long = "attach")]
        attach: Vec<PathBuf>,
        /// The organization's recipients (age1…), so every team member can read the reply;
        /// the identity file's own recipients are always added.
        #[arg(long = "recipient", env = "SEALDROP_RECIPIENTS", value_delimiter = ' ')]
        recipients: Vec<String>,
        #[command(flatten)]
        at: StoreArgs,
    },
    /// Show a report's conversation, decrypted here, oldest message first.
    Thread {
        /// The receipt (sd-…).
        receipt: String,
        /// Identity file (age-keygen format).
        #[arg(short, long)]
        identity: PathBuf,
        #[command(flatten)]
        at: StoreArgs,
        /// Save the messages' attachments here, one folder per message (a new or empty
        /// folder; nothing is overwritten).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a stored report's ciphertext to an .age file, to open with stock `age` and `tar`.
    Export {
        /// The receipt (sd-…).
        receipt: String,
        #[command(flatten)]
        at: StoreArgs,
        /// The file to write (never overwritten).
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub fn run(cmd: InboxCommand) -> Result<(), String> {
    match cmd {
        InboxCommand::List { at, identity, json } => list(&at, identity.as_deref(), json),
        InboxCommand::Open {
            report,
            latest,
            identity,
            at,
            out,
        } => open(report, latest, &identity, &at, out),
        InboxCommand::Export {
            receipt,
            at,
            output,
        } => export(&receipt, &at, &output),
        InboxCommand::Reply {
            receipt,
            identity,
            message,
            file,
            status,
            expected,
            attach,
            recipients,
            at,
        } => crate::conversation::reply(crate::conversation::ReplyArgs {
            receipt,
            identity,
            message,
            file,
            status,
            expected,
            attach,
            recipients,
            at,
        }),
        InboxCommand::Thread {
            receipt,
            identity,
            at,
            out,
        } => crate::conversation::thread(&receipt, &identity, &at, out.as_deref()),
    }
}

pub(crate) fn store(at: &StoreArgs) -> Result<Store, String> {
    at.open(Mode::Read)
}

fn export(receipt: &str, at: &StoreArgs, output: &Path) -> Result<(), String> {
    let store = store(at)?;
    let body = store
        .read_body(receipt, u64::MAX)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "no report with receipt {} in {}: `sealdrop inbox list` shows the stored ones",
                visible(receipt, false),
                at.place()
            )
        })?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(output)
        .map_err(|e| {
            format!(
                "cannot create {} ({e}); an existing file is never overwritten",
                output.display()
            )
        })?;
    f.write_all(&body)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    eprintln!(
        "Wrote {} ({} bytes). Open it with: age -d -i KEY {} | tar -x",
        output.display(),
        body.len(),
        output.display()
    );
    Ok(())
}

/// Warns when the identity file can be read by others than its owner.
#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        let mode = m.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "sealdrop: warning: the identity file {} can be read by group or others (mode {mode:03o}); anyone who reads it can open every report. Run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &Path) {}

pub(crate) fn identities(path: &Path) -> Result<Vec<Box<dyn Identity>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the identity file {}: {e}", path.display()))?;
    warn_if_shared(path);
    let ids: Vec<Box<dyn Identity>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.parse::<age::x25519::Identity>()
                .map(|i| Box::new(i) as Box<dyn Identity>)
                .map_err(|_| format!("{} holds a line that is not an age identity (AGE-SECRET-KEY-1…): is it the right file?", path.display()))
        })
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(format!(
            "{} holds no identity (AGE-SECRET-KEY-1…)",
            path.display()
        ));
    }
    Ok(ids)
}

fn damaged_payload(what: &str) -> String {
    format!("{what} is damaged: its payload fails authentication (truncated or altered); what was decrypted is discarded")
}

/// A reader of the decrypted payload, mapping each age failure to its own message.
pub fn decryptor<'a>(
    ciphertext: &'a [u8],
    ids: &[Box<dyn Identity>],
    what: &str,
) -> Result<impl Read + 'a, String> {
    let dec = age::Decryptor::new(ciphertext).map_err(|e| match e {
        age::DecryptError::InvalidMac => format!("{what} is damaged: its header MAC does not verify, so it was altered or corrupted after sealing"),
        _ => format!("{what} is not a well-formed age file (malformed header): it cannot be opened"),
    })?;
    dec.decrypt(ids.iter().map(|i| i.as_ref() as &dyn Identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => format!("{what} was not sealed to this identity: none of its keys match. Use the identity whose recipient is in the widget's configuration"),
        age::DecryptError::InvalidMac => format!("{what} is damaged: its header MAC does not verify, so it was altered or corrupted after sealing"),
        _ => format!("{what} could not be decrypted: its header is damaged"),
    })
}

/// Decrypts whole, mapping each age failure to its own message.
pub fn decrypt(
    ciphertext: &[u8],
    ids: &[Box<dyn Identity>],
    what: &str,
) -> Result<Vec<u8>, String> {
    let mut plain = Vec::new();
    decryptor(ciphertext, ids, what)?
        .read_to_end(&mut plain)
        .map_err(|_| damaged_payload(what))?;
    Ok(plain)
}

/// The largest `report.json` read for a listing.
const MAX_REPORT_JSON: u64 = 4 * 1024 * 1024;

/// What `inbox list -i` shows of a report, read from its `report.json`.
#[derive(serde::Serialize)]
struct Details {
    kind: String,
    /// `9.8 critical`, or none.
    severity: Option<String>,
    /// The handle, else the name; none when the researcher stayed anonymous.
    reporter: Option<String>,
    attachments: usize,
    title: String,
}

/// The details of a report, or what kept them from being read.
fn details(ciphertext: &[u8], ids: &[Box<dyn Identity>]) -> Result<Details, String> {
    let reader = match decryptor(ciphertext, ids, "this report") {
        Ok(r) => r,
        Err(e) if e.contains("not sealed to this identity") => {
            return Err("not sealed to this identity".into())
        }
        Err(_) => return Err("damaged: its header does not verify".into()),
    };
    let mut ar = tar::Archive::new(reader);
    let Ok(mut entries) = ar.entries() else {
        return Err("decrypted, but damaged: not a tar bundle".into());
    };
    let json = loop {
        match entries.next() {
            None => return Err("decrypted, but the bundle has no report.json".into()),
            Some(Err(_)) => {
                return Err("decrypted, but damaged: its payload or bundle is broken".into())
            }
            Some(Ok(e)) => {
                if e.path()
                    .is_ok_and(|p| p.as_os_str() == sealdrop_core::BUNDLE_JSON)
                {
                    let mut v = Vec::new();
                    if e.take(MAX_REPORT_JSON).read_to_end(&mut v).is_err() {
                        return Err(
                            "decrypted, but damaged: its payload fails authentication".into()
                        );
                    }
                    break v;
                }
            }
        }
    };
    let rep = serde_json::from_slice::<sealdrop_core::Report>(&json).map_err(|_| {
        "decrypted, but its report.json is not a sealdrop report: open it to look".to_string()
    })?;
    Ok(Details {
        kind: rep.kind.id,
        severity: rep
            .severity
            .map(|s| format!("{} {}", sealdrop_core::tenths(s.score), s.rating)),
        reporter: rep.reporter.and_then(|r| r.handle.or(r.name)),
        attachments: rep.attachments.len(),
        title: rep.title,
    })
}

/// One row of `inbox list`.
#[derive(serde::Serialize)]
struct Listed {
    receipt: String,
    received_at: String,
    size: u64,
    /// `./reports/<receipt>` exists: `inbox open` put it there.
    opened: bool,
    /// The conversation, when the reporter kept a follow-up key.
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<ThreadState>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// A conversation at a glance.
#[derive(serde::Serialize)]
struct ThreadState {
    messages: usize,
    /// Reporter messages after the organization's last reply.
    unanswered: usize,
}

impl ThreadState {
    fn cell(t: Option<&ThreadState>) -> String {
        match t {
            None => "-".into(),
            Some(t) if t.unanswered > 0 => format!("unanswered: {}", t.unanswered),
            Some(t) if t.messages == 0 => "no reply yet".into(),
            Some(_) => "answered".into(),
        }
    }
}

fn list(at: &StoreArgs, identity: Option<&Path>, json: bool) -> Result<(), String> {
    let store = store(at)?;
    let mut threads: std::collections::HashMap<String, ThreadState> = Default::default();
    for m in store.all_messages().map_err(|e| e.to_string())? {
        let t = threads.entry(m.receipt).or_insert(ThreadState {
            messages: 0,
            unanswered: 0,
        });
        t.messages += 1;
        if m.sender == sealdrop_core::Sender::Reporter.as_str() {
            t.unanswered += 1;
        } else {
            t.unanswered = 0;
        }
    }
    let mut rows = store.list().map_err(|e| e.to_string())?;
    rows.reverse();
    let ids = identity.map(identities).transpose()?;
    let listed: Vec<Listed> = rows
        .into_iter()
        .map(|r| {
            let (details, error) = match &ids {
                None => (None, None),
                Some(ids) => match store.read_body(&r.receipt, u64::MAX) {
                    Ok(Some(body)) => match details(&body, ids) {
                        Ok(d) => (Some(d), None),
                        Err(e) => (None, Some(e)),
                    },
                    Ok(None) => (None, Some("its ciphertext is missing".into())),
                    Err(e) => (None, Some(format!("its ciphertext cannot be read: {e}"))),
                },
            };
            Listed {
                opened: Path::new("reports").join(&r.receipt).is_dir(),
                thread: r.thread.as_ref().map(|_| {
                    threads.remove(&r.receipt).unwrap_or(ThreadState {
                        messages: 0,
                        unanswered: 0,
                    })
                }),
                receipt: r.receipt,
                received_at: r.received_at,
                size: r.size,
                details,
                error,
            }
        })
        .collect();
    if json {
        // serde_json escapes control characters, so this is safe on a terminal too.
        println!(
            "{}",
            serde_json::to_string_pretty(&listed).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    if listed.is_empty() {
        println!("No reports in {} yet.", at.place());
        return Ok(());
    }
    let decrypted = ids.is_some();
    let mut table: Vec<Vec<String>> = vec![if decrypted {
        [
            "RECEIPT", "RECEIVED", "SIZE", "OPENED", "THREAD", "KIND", "SEVERITY", "REPORTER",
            "FILES", "TITLE",
        ]
        .map(String::from)
        .to_vec()
    } else {
        ["RECEIPT", "RECEIVED", "SIZE", "OPENED", "THREAD"]
            .map(String::from)
            .to_vec()
    }];
    for l in &listed {
        let mut row = vec![
            visible(&l.receipt, false),
            visible(&l.received_at, false),
            sealdrop_core::human_bytes(l.size),
            if l.opened { "yes" } else { "no" }.to_string(),
            ThreadState::cell(l.thread.as_ref()),
        ];
        if decrypted {
            match (&l.details, &l.error) {
                (Some(d), _) => row.extend([
                    visible(&d.kind, false),
                    d.severity.clone().unwrap_or_else(|| "-".into()),
                    d.reporter
                        .as_deref()
                        .map_or_else(|| "anonymous".into(), |r| visible(r, false)),
                    d.attachments.to_string(),
                    visible(&d.title, false),
                ]),
                (None, e) => row.extend([
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    format!("({})", visible(e.as_deref().unwrap_or(""), false)),
                ]),
            }
        }
        table.push(row);
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &table {
        let last = row.len() - 1;
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| {
                if c == last {
                    v.clone()
                } else {
                    format!("{v:<w$}", w = widths[c])
                }
            })
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    Ok(())
}

/// Where a bundle entry may go: `report.json`, `report.md`, the `attachments/` folder, and
/// `attachments/<name>` with one plain name (no dot first, no separator, no control character).
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Dir,
    File(PathBuf),
}

fn allowed(path: &str) -> Option<Entry> {
    match path {
        "report.json" | "report.md" => return Some(Entry::File(PathBuf::from(path))),
        "attachments" | "attachments/" => return Some(Entry::Dir),
        _ => {}
    }
    let name = path.strip_prefix("attachments/")?;
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 255
        && !name.contains(['/', '\\'])
        && !name.chars().any(sealdrop_core::is_invisible_control);
    plain.then(|| Entry::File(Path::new("attachments").join(name)))
}

/// Tracks what an extraction created, and removes it unless it completes.
struct Extraction {
    out: PathBuf,
    created_out: bool,
    written: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    done: bool,
}

impl Drop for Extraction {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for f in &self.written {
            let _ = std::fs::remove_file(f);
        }
        for d in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        if self.created_out {
            let _ = std::fs::remove_dir(&self.out);
        }
    }
}

/// Prepares `out`: created new, or an existing empty folder; anything else is refused.
pub(crate) fn prepare_out(out: &Path) -> Result<bool, String> {
    match std::fs::symlink_metadata(out) {
        Err(_) => {
            std::fs::create_dir_all(out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
            Ok(true)
        }
        Ok(m) if m.is_dir() => {
            let empty = std::fs::read_dir(out)
                .map_err(|e| format!("cannot read {}: {e}", out.display()))?
                .next()
                .is_none();
            if empty {
                Ok(false)
            } else {
                Err(format!(
                    "{} already exists and is not empty; nothing in it is overwritten. Choose another folder with --out, or move that one away",
                    out.display()
                ))
            }
        }
        Ok(_) => Err(format!(
            "{} exists and is not a folder; choose another with --out",
            out.display()
        )),
    }
}

/// Extracts the bundle read from `plain` into `out` (new, or empty): only `report.json`,
/// `report.md` and `attachments/<name>`, each created new. Anything else (links, devices,
/// other names, `..`, absolute paths, a name twice) is refused, and on any failure what was
/// written is removed. `plain` is read to its end, so a payload that fails authentication
/// anywhere fails the extraction.
pub fn extract(plain: impl Read, out: &Path) -> Result<Vec<PathBuf>, String> {
    extract_as(plain, out, "the report")
}

fn extract_as(plain: impl Read, out: &Path, what: &str) -> Result<Vec<PathBuf>, String> {
    let created_out = prepare_out(out)?;
    let mut x = Extraction {
        out: out.to_path_buf(),
        created_out,
        written: Vec::new(),
        dirs: Vec::new(),
        done: false,
    };
    // Whether a read failure came from decryption (authentication) or from the tar format.
    let failed = std::cell::Cell::new(false);
    let reader = Tracked {
        inner: plain,
        failed: &failed,
    };
    let damaged = |failed: &std::cell::Cell<bool>| {
        if failed.get() {
            damaged_payload(what)
        } else {
            format!("{what} decrypted, but its bundle is a damaged tar archive; nothing was kept")
        }
    };
    let mut ar = tar::Archive::new(reader);
    for entry in ar.entries().map_err(|_| damaged(&failed))? {
        let mut e = entry.map_err(|_| damaged(&failed))?;
        let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let kind = e.header().entry_type();
        let target = allowed(&raw).filter(|t| match t {
            Entry::Dir => kind.is_dir(),
            Entry::File(_) => kind.is_file(),
        });
        match target {
            Some(Entry::Dir) => {
                let d = out.join("attachments");
                if !d.is_dir() {
                    std::fs::create_dir(&d)
                        .map_err(|err| format!("cannot create {}: {err}", d.display()))?;
                    x.dirs.push(d);
                }
            }
            Some(Entry::File(rel)) => {
                let dest = out.join(&rel);
                if let Some(parent) = dest.parent() {
                    if !parent.is_dir() {
                        std::fs::create_dir(parent)
                            .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
                        x.dirs.push(parent.to_path_buf());
                    }
                }
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&dest)
                    .map_err(|err| {
                        format!(
                            "cannot create {} ({err}): the bundle names it twice, or it exists; nothing was kept",
                            visible(&dest.display().to_string(), false)
                        )
                    })?;
                x.written.push(dest.clone());
                std::io::copy(&mut e, &mut f).map_err(|_| damaged(&failed))?;
            }
            None => {
                return Err(format!(
                    "the bundle holds {} ({}), which a sealdrop report never has; nothing was kept. Open it by hand with age -d and tar -t to inspect it",
                    visible(&raw, false),
                    if kind.is_file() { "a file" } else if kind.is_dir() { "a folder" } else { "a link or special file" }
                ))
            }
        }
    }
    // Read to the end, so that every chunk of the payload is authenticated.
    let mut rest = ar.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|_| damaged(&failed))?;
    x.done = true;
    Ok(std::mem::take(&mut x.written))
}

struct Tracked<'a, R> {
    inner: R,
    failed: &'a std::cell::Cell<bool>,
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|_| self.failed.set(true))
    }
}

/// A folder name for a report opened from a file: the file's stem with anything but letters,
/// digits, `-`, `_` and `.` replaced, no leading dot, never empty, `.` or `..`.
pub fn folder_name(stem: &str) -> String {
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let cleaned: String = cleaned.chars().take(80).collect();
    if cleaned.is_empty() {
        "report".into()
    } else {
        cleaned
    }
}

/// A receipt as the receiver makes it: `sd-` and 32 lowercase hex digits.
fn is_receipt(s: &str) -> bool {
    s.strip_prefix("sd-").is_some_and(|h| {
        h.len() == 32
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn open(
    report: Option<String>,
    latest: bool,
    identity: &Path,
    at: &StoreArgs,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let ids = identities(identity)?;
    // The receipt, when the report comes from the store: the one identifier the researcher
    // holds too, so the printout names it.
    let mut receipt_of = None;
    let (name, ciphertext) = match report {
        Some(r) if r.ends_with(".age") || Path::new(&r).is_file() => {
            let bytes = std::fs::read(&r)
                .map_err(|e| format!("cannot read {}: {e}", visible(&r, false)))?;
            let stem = Path::new(&r)
                .file_stem()
                .map_or(String::new(), |s| s.to_string_lossy().into_owned());
            (folder_name(&stem), bytes)
        }
        other => {
            let store = store(at)?;
            let receipt = match other {
                Some(r) => r,
                None if latest => store
                    .list()
                    .map_err(|e| e.to_string())?
                    .pop()
                    .map(|r| r.receipt)
                    .ok_or_else(|| format!("no reports in {} yet", at.place()))?,
                None => return Err("name a receipt, an .age file, or --latest".into()),
            };
            let unknown = || {
                format!(
                    "no report with receipt {} in {}: `sealdrop inbox list {}` shows the stored ones",
                    visible(&receipt, false),
                    at.place(),
                    at.flag()
                )
            };
            if !is_receipt(&receipt) {
                return Err(unknown());
            }
            let body = store
                .read_body(&receipt, u64::MAX)
                .map_err(|e| e.to_string())?
                .ok_or_else(unknown)?;
            receipt_of = Some(receipt.clone());
            (receipt.clone(), body)
        }
    };
    let what = format!("report {name}");
    let reader = decryptor(&ciphertext, &ids, &what)?;
    let out = out.unwrap_or_else(|| PathBuf::from("reports").join(&name));
    let files = extract_as(reader, &out, &what)?;
    let md = std::fs::read_to_string(out.join(sealdrop_core::BUNDLE_MD)).map_err(|_| {
        format!(
            "{what} decrypted, but its bundle has no report.md; what it held is in {}",
            out.display()
        )
    })?;
    if let Some(r) = &receipt_of {
        println!("Receipt: {}\n", visible(r, false));
    }
    println!("{}", visible(&md, true));
    eprintln!(
        "Decrypted {} files into {}: this is the report in plaintext. Keep it on this machine and delete the folder when you are done.",
        files.len(),
        visible(&out.display().to_string(), false)
    );
    if let Some(root) = git_checkout_of(&out) {
        eprintln!(
            "warning: {} is inside the git checkout at {}: the plaintext could be committed. Add it to .gitignore, or open reports with --out DIR outside the checkout.",
            visible(&out.display().to_string(), false),
            visible(&root.display().to_string(), false)
        );
    }
    Ok(())
}

/// The git checkout (a folder holding `.git`) that contains `dir`, if any.
pub fn git_checkout_of(dir: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}
