//! `sealdrop inbox reply` and `sealdrop inbox thread`: the security team's side of a report's
//! conversation (docs/conversation.md). A reply is a message bundle sealed to the reporter's
//! reply recipient (`reply_to`, read from the decrypted report) and to the organization's own
//! recipients, so every team member can read the whole thread; it is stored in the data
//! directory as the receiver stores the reporter's messages, and stock `age -d` opens it.

use std::path::{Path, PathBuf};

use age::Identity;
use sealdrop_core::{AttachmentMeta, BundleParts, Message, Sender, Status, MESSAGE_SCHEMA};

use crate::inbox::{decrypt, identities, prepare_out, store, StoreArgs};
use crate::store::{MessageRow, Mode, Store};
use crate::terminal::visible;

/// The largest message `inbox thread` decrypts, and the most a reply's files may hold: what a
/// receiver accepts at most.
const MAX_MESSAGE: u64 = sealdrop_core::MAX_ATTACHMENT_BYTES_CEILING + (1 << 20);
/// Replies up to this size are stored in their row, larger ones in a file (as the receiver
/// does).
const INLINE_MAX: usize = 256 * 1024;

pub struct ReplyArgs {
    pub receipt: String,
    pub identity: PathBuf,
    pub message: Option<String>,
    pub file: Option<PathBuf>,
    pub status: Option<String>,
    pub expected: Option<String>,
    pub attach: Vec<PathBuf>,
    pub recipients: Vec<String>,
    pub at: crate::inbox::StoreArgs,
}

fn no_report(receipt: &str, at: &StoreArgs) -> String {
    format!(
        "no report with receipt {} in {}: `sealdrop inbox list {}` shows the stored ones",
        visible(receipt, false),
        at.place(),
        at.flag()
    )
}

/// The report's `report.json`, decrypted with `ids`.
fn report_of(
    store: &Store,
    receipt: &str,
    ids: &[Box<dyn Identity>],
    at: &StoreArgs,
) -> Result<sealdrop_core::Report, String> {
    let body = store
        .read_body(receipt, u64::MAX)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| no_report(receipt, at))?;
    let plain = decrypt(&body, ids, "this report")?;
    let entries = sealdrop_core::read_tar(&plain)
        .ok_or("this report decrypts, but its bundle is damaged (not a tar archive)")?;
    let json = entries
        .iter()
        .find(|(p, _)| *p == sealdrop_core::BUNDLE_JSON)
        .ok_or("this report's bundle has no report.json")?;
    serde_json::from_slice(json.1)
        .map_err(|_| "this report's report.json is not a sealdrop report".to_string())
}

/// The x25519 recipients of the identities in `path` (the team member's own, so they can read
/// their reply later).
fn own_recipients(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse::<age::x25519::Identity>().ok())
        .map(|i| i.to_public().to_string())
        .collect()
}

/// The reply's text: `-m`, `--file`, or what the editor saved.
fn text_of(a: &ReplyArgs) -> Result<String, String> {
    let text = match (&a.message, &a.file) {
        (Some(m), _) => m.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| format!("cannot read the message file {}: {e}", f.display()))?,
        (None, None) => edit()?,
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err("the reply is empty, so nothing was sent: give it with -m TEXT, --file FILE, or write it in the editor".into());
    }
    Ok(text)
}

/// Opens `$VISUAL` or `$EDITOR` on a private temporary file; lines starting with `#` are left
/// out.
fn edit() -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .map_err(|_| "no reply text: give it with -m TEXT or --file FILE, or set $EDITOR to write it in an editor".to_string())?;
    let dir = tempdir()?;
    let path = dir.join("reply.txt");
    std::fs::write(
        &path,
        "\n# Write the reply above. Lines starting with # are left out; an empty reply sends nothing.\n",
    )
    .map_err(|e| e.to_string())?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| format!("cannot start the editor {editor}: {e}"))?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        return Err(format!(
            "the editor {editor} failed ({status}); nothing was sent"
        ));
    }
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn tempdir() -> Result<PathBuf, String> {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("sealdrop-reply-{}", sealdrop_core::hex(&b)));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

pub fn reply(a: ReplyArgs) -> Result<(), String> {
    let status = a
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                format!(
                    "--status {}: not a status; use one of {}",
                    visible(s, false),
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
        })
        .transpose()?;
    if let Some(d) = &a.expected {
        if !sealdrop_core::is_date(d) {
            return Err(format!(
                "--expected {}: not a date; write it as YYYY-MM-DD, like 2026-12-31",
                visible(d, false)
            ));
        }
    }
    let ids = identities(&a.identity)?;
    let read = store(&a.at)?;
    let report = report_of(&read, &a.receipt, &ids, &a.at)?;
    let has_thread = read
        .thread_of(&a.receipt)
        .map_err(|e| e.to_string())?
        .flatten()
        .is_some();
    let reply_to = match (report.reply_to, has_thread) {
        (Some(r), true) => r,
        _ => {
            return Err(format!(
                "report {} has no conversation: the reporter did not keep a follow-up key, so no reply can reach them here. Answer through the contact details in its report.md, if they left any",
                a.receipt
            ))
        }
    };
    let mut recipients = vec![reply_to];
    let org: Vec<String> = a
        .recipients
        .iter()
        .cloned()
        .chain(own_recipients(&a.identity))
        .collect();
    if org.is_empty() {
        return Err("give the organization's recipients with --recipient age1… (or SEALDROP_RECIPIENTS), so the team can read its own reply".into());
    }
    for r in org {
        if !recipients.contains(&r) {
            recipients.push(r);
        }
    }
    let parsed = sealdrop_core::parse_recipients(&recipients).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let text = text_of(&a)?;

    let mut files = Vec::new();
    let mut total = 0u64;
    for path in &a.attach {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the attachment {}: {e}", path.display()))?;
        total += bytes.len() as u64;
        if total > MAX_MESSAGE {
            return Err(format!(
                "the attachments hold more than {}: send large files another way",
                sealdrop_core::human_bytes(MAX_MESSAGE)
            ));
        }
        let raw = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut name = sealdrop_core::safe_file_name(&raw);
        let mut n = 2;
        while files
            .iter()
            .any(|(m, _): &(AttachmentMeta, Vec<u8>)| m.name == name)
        {
            name = format!("{n}-{}", sealdrop_core::safe_file_name(&raw));
            n += 1;
        }
        files.push((
            AttachmentMeta {
                path: format!("attachments/{name}"),
                name,
                size: bytes.len() as u64,
                sha256: sealdrop_core::sha256_hex(&bytes),
                media_type: "application/octet-stream".into(),
            },
            bytes,
        ));
    }
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let message = Message {
        schema: MESSAGE_SCHEMA.into(),
        id: sealdrop_core::new_uuid().map_err(|e| e.to_string())?,
        created_at: now,
        from: Sender::Organization,
        text,
        status,
        expected: a.expected.clone(),
        attachments: files.iter().map(|(m, _)| m.clone()).collect(),
    };
    let parts = BundleParts::of_message(&message).map_err(|e| e.to_string())?;
    let mut sealer =
        sealdrop_core::Sealer::with_parts(&parsed, parts, Vec::new()).map_err(|e| e.to_string())?;
    for (_, bytes) in &files {
        sealer.write(bytes).map_err(|e| e.to_string())?;
    }
    let sealed = sealer.finish().map_err(|e| e.to_string())?;

    let mut id = [0u8; 16];
    getrandom::getrandom(&mut id).map_err(|e| e.to_string())?;
    let row = MessageRow {
        id: format!("m-{}", sealdrop_core::hex(&id)),
        receipt: a.receipt.clone(),
        sender: Sender::Organization.as_str().into(),
        idempotency_key: format!("cli-{}", message.id),
        sha256: sealdrop_core::sha256_hex(&sealed),
        size: sealed.len() as u64,
        received_at: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
    };
    let write = a.at.open(Mode::Reply)?;
    write
        .insert_message(&row, &sealed, sealed.len() > INLINE_MAX)
        .map_err(|e| format!("the reply could not be stored, so it was not sent: {e}"))?;
    println!(
        "Replied to {}: message {} ({}), sealed to the reporter's reply key and {} organization recipient(s){}. The reporter reads it with their follow-up key.",
        a.receipt,
        row.id,
        sealdrop_core::human_bytes(row.size),
        recipients.len() - 1,
        status.map_or(String::new(), |s| format!(", status {}", s.as_str())),
    );
    Ok(())
}

/// Writes one message's attachments into `dir/<message id>/`, each file created new under its
/// safe name: a reporter's file names cannot reach outside the folder.
fn save(dir: &Path, id: &str, o: &sealdrop_core::Opened) -> Result<Vec<PathBuf>, String> {
    let folder = dir.join(sealdrop_core::safe_file_name(id));
    let mut written = Vec::new();
    for (a, bytes) in o.message.attachments.iter().zip(&o.files) {
        let name = sealdrop_core::safe_file_name(&a.name);
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
            continue;
        }
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let path = folder.join(name);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
            .map_err(|e| {
                format!(
                    "cannot write {} ({e}); nothing is overwritten",
                    path.display()
                )
            })?;
        written.push(path);
    }
    Ok(written)
}

/// `inbox thread`: the report's title and every message, decrypted here, oldest first; with
/// `out`, the messages' attachments saved there.
pub fn thread(
    receipt: &str,
    identity: &Path,
    at: &StoreArgs,
    out: Option<&Path>,
) -> Result<(), String> {
    if let Some(o) = out {
        prepare_out(o)?;
    }
    let ids = identities(identity)?;
    let store = store(at)?;
    let report = report_of(&store, receipt, &ids, at)?;
    let rows = store.messages(receipt).map_err(|e| e.to_string())?;
    let has_thread = store
        .thread_of(receipt)
        .map_err(|e| e.to_string())?
        .flatten()
        .is_some();
    println!("Report {receipt}: {}", visible(&report.title, false));
    if !has_thread {
        println!("No conversation: the reporter did not keep a follow-up key.");
        return Ok(());
    }
    if rows.is_empty() {
        println!(
            "No messages yet. Answer with: sealdrop inbox reply {receipt} -i KEY -m TEXT {}",
            at.flag()
        );
        return Ok(());
    }
    for m in rows {
        let who = if m.sender == Sender::Organization.as_str() {
            "security team"
        } else {
            "reporter"
        };
        println!(
            "\n--- {}  from the {who}  ({}, {})",
            visible(&m.received_at, false),
            m.id,
            sealdrop_core::human_bytes(m.size)
        );
        let Some(body) = store
            .read_message(receipt, &m.id, MAX_MESSAGE + 1024)
            .map_err(|e| e.to_string())?
        else {
            continue;
        };
        let id = m.id.clone();
        let opened = decrypt(&body, &ids, "this message")
            .and_then(|p| sealdrop_core::read_message(&p).map_err(|e| format!("this message {e}")));
        match opened {
            Err(e) => println!("({})", visible(&e, false)),
            Ok(o) => {
                let m = &o.message;
                let mut state = Vec::new();
                if let Some(s) = m.status {
                    state.push(format!("Status: {}", s.as_str()));
                }
                if let Some(d) = &m.expected {
                    state.push(format!("expected {}", visible(d, false)));
                }
                if !state.is_empty() {
                    println!("{}", state.join(", "));
                }
                println!("{}", visible(&m.text, true));
                for a in &m.attachments {
                    println!(
                        "  attachment {} ({}), sha256 {}",
                        visible(&a.name, false),
                        sealdrop_core::human_bytes(a.size),
                        visible(&a.sha256, false)
                    );
                }
                if let Some(dir) = out {
                    for p in save(dir, &id, &o)? {
                        println!("  saved {}", visible(&p.display().to_string(), false));
                    }
                }
            }
        }
    }
    Ok(())
}
