//! `sealdrop inbox list` and `sealdrop inbox open`: the security team's side. Decrypts locally,
//! extracts the bundle safely (regular files and directories only, nothing outside the output
//! directory) and prints `report.md`.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use age::Identity;

use crate::store::Store;

#[derive(clap::Subcommand)]
pub enum InboxCommand {
    /// List stored reports: receipt, time received, size; with -i also kind and title.
    List {
        #[arg(long, default_value = "sealdrop-data")]
        data_dir: PathBuf,
        /// Identity file to decrypt titles with (age-keygen format).
        #[arg(short, long)]
        identity: Option<PathBuf>,
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
        #[arg(long, default_value = "sealdrop-data")]
        data_dir: PathBuf,
        /// Where to extract [default: ./reports/<receipt or file name>].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a stored report's ciphertext to an .age file, to open with stock `age` and `tar`.
    Export {
        /// The receipt (sd-…).
        receipt: String,
        #[arg(long, default_value = "sealdrop-data")]
        data_dir: PathBuf,
        /// The file to write (never overwritten).
        #[arg(short, long)]
        output: PathBuf,
    },
}

pub fn run(cmd: InboxCommand) -> Result<(), String> {
    match cmd {
        InboxCommand::List { data_dir, identity } => list(&data_dir, identity.as_deref()),
        InboxCommand::Open {
            report,
            latest,
            identity,
            data_dir,
            out,
        } => open(report, latest, &identity, &data_dir, out),
        InboxCommand::Export {
            receipt,
            data_dir,
            output,
        } => export(&receipt, &data_dir, &output),
    }
}

fn export(receipt: &str, data_dir: &Path, output: &Path) -> Result<(), String> {
    let store = Store::open_existing(data_dir).map_err(|e| e.0)?;
    let body = store.body(receipt).map_err(|e| e.0)?.ok_or_else(|| {
        format!(
            "no report with receipt {receipt} in {}: `sealdrop inbox list` shows the stored ones",
            data_dir.display()
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
    std::io::Write::write_all(&mut f, &body)
        .map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    eprintln!(
        "Wrote {} ({} bytes). Open it with: age -d -i KEY {} | tar -x",
        output.display(),
        body.len(),
        output.display()
    );
    Ok(())
}

fn identities(path: &Path) -> Result<Vec<Box<dyn Identity>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the identity file {}: {e}", path.display()))?;
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

/// Decrypts, mapping each age failure to its own message.
pub fn decrypt(
    ciphertext: &[u8],
    ids: &[Box<dyn Identity>],
    what: &str,
) -> Result<Vec<u8>, String> {
    let dec = age::Decryptor::new(ciphertext).map_err(|e| match e {
        age::DecryptError::InvalidMac => format!("{what} is damaged: its header MAC does not verify, so it was altered or corrupted after sealing"),
        _ => format!("{what} is not a well-formed age file (malformed header): it cannot be opened"),
    })?;
    let mut reader = dec.decrypt(ids.iter().map(|i| i.as_ref() as &dyn Identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => format!("{what} was not sealed to this identity: none of its keys match. Use the identity whose recipient is in the widget's configuration"),
        age::DecryptError::InvalidMac => format!("{what} is damaged: its header MAC does not verify, so it was altered or corrupted after sealing"),
        _ => format!("{what} could not be decrypted: its header is damaged"),
    })?;
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).map_err(|_| format!("{what} is damaged: its payload fails authentication (truncated or altered); what was decrypted is discarded"))?;
    Ok(plain)
}

fn list(data_dir: &Path, identity: Option<&Path>) -> Result<(), String> {
    let store = Store::open_existing(data_dir).map_err(|e| e.0)?;
    let rows = store.list().map_err(|e| e.0)?;
    if rows.is_empty() {
        println!("No reports in {} yet.", data_dir.display());
        return Ok(());
    }
    let ids = identity.map(identities).transpose()?;
    for r in rows {
        let mut line = format!("{}  {}  {:>10} bytes", r.receipt, r.received_at, r.size);
        if let Some(ids) = &ids {
            let body = store.body(&r.receipt).map_err(|e| e.0)?.unwrap_or_default();
            let summary = decrypt(&body, ids, "this report")
                .ok()
                .and_then(|plain| bundle_file(&plain, "report.json"))
                .and_then(|json| serde_json::from_slice::<sealdrop_core::Report>(&json).ok())
                .map_or_else(
                    || "(cannot be opened with this identity)".to_string(),
                    |rep| format!("{}  {}", rep.kind.id, rep.title),
                );
            line.push_str("  ");
            line.push_str(&summary);
        }
        println!("{line}");
    }
    Ok(())
}

fn bundle_file(plain: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut ar = tar::Archive::new(plain);
    for e in ar.entries().ok()? {
        let mut e = e.ok()?;
        if e.path().ok()?.as_os_str() == name {
            let mut v = Vec::new();
            e.read_to_end(&mut v).ok()?;
            return Some(v);
        }
    }
    None
}

/// Extracts regular files and directories of `plain` under `out`; anything else (links,
/// devices, absolute or `..` paths) is refused and nothing is written outside `out`.
pub fn extract(plain: &[u8], out: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut written = Vec::new();
    let mut ar = tar::Archive::new(plain);
    for entry in ar
        .entries()
        .map_err(|_| "the bundle is not a tar archive".to_string())?
    {
        let mut e = entry.map_err(|_| "the bundle is a damaged tar archive".to_string())?;
        let path = e
            .path()
            .map_err(|_| "the bundle holds an unreadable path".to_string())?
            .into_owned();
        let safe = path.components().all(|c| matches!(c, Component::Normal(_)))
            && path.components().count() > 0;
        if !safe {
            return Err(format!(
                "the bundle holds an unsafe path ({}); nothing outside {} was written",
                path.display(),
                out.display()
            ));
        }
        let kind = e.header().entry_type();
        let dest = out.join(&path);
        if kind.is_dir() {
            std::fs::create_dir_all(&dest)
                .map_err(|err| format!("cannot create {}: {err}", dest.display()))?;
        } else if kind.is_file() {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
            }
            let mut data = Vec::new();
            e.read_to_end(&mut data)
                .map_err(|_| "the bundle is a damaged tar archive".to_string())?;
            std::fs::write(&dest, data)
                .map_err(|err| format!("cannot write {}: {err}", dest.display()))?;
            written.push(dest);
        } else {
            return Err(format!("the bundle holds {} which is not a regular file (a link or device); it was not extracted", path.display()));
        }
    }
    Ok(written)
}

fn open(
    report: Option<String>,
    latest: bool,
    identity: &Path,
    data_dir: &Path,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let ids = identities(identity)?;
    let (name, ciphertext) = match report {
        Some(r) if r.ends_with(".age") || Path::new(&r).is_file() => {
            let bytes = std::fs::read(&r).map_err(|e| format!("cannot read {r}: {e}"))?;
            let stem = Path::new(&r)
                .file_stem()
                .map_or("report".into(), |s| s.to_string_lossy().into_owned());
            (stem, bytes)
        }
        other => {
            let store = Store::open_existing(data_dir).map_err(|e| e.0)?;
            let receipt = match other {
                Some(r) => r,
                None if latest => store
                    .list()
                    .map_err(|e| e.0)?
                    .pop()
                    .map(|r| r.receipt)
                    .ok_or_else(|| format!("no reports in {} yet", data_dir.display()))?,
                None => return Err("name a receipt, an .age file, or --latest".into()),
            };
            let body = store.body(&receipt).map_err(|e| e.0)?.ok_or_else(|| {
                format!("no report with receipt {receipt} in {}: `sealdrop inbox list --data-dir {}` shows the stored ones", data_dir.display(), data_dir.display())
            })?;
            (receipt, body)
        }
    };
    let plain = decrypt(&ciphertext, &ids, &format!("report {name}"))?;
    let out = out.unwrap_or_else(|| PathBuf::from("reports").join(&name));
    let files = extract(&plain, &out)?;
    let md = std::fs::read_to_string(out.join(sealdrop_core::BUNDLE_MD))
        .map_err(|_| "the bundle has no report.md".to_string())?;
    println!("{md}");
    eprintln!("Extracted {} files to {}", files.len(), out.display());
    Ok(())
}
