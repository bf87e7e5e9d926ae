//! The report bundle: `report.json`, `report.md` and `attachments/<name>` in a deterministic tar.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::report::{Affected, Credit, Report};
use crate::tar::{rfc3339_to_unix, TarWriter};

pub const BUNDLE_JSON: &str = "report.json";
pub const BUNDLE_MD: &str = "report.md";

/// Writes the bundle of `report` to `out`; `files[i]` holds the bytes of `report.attachments[i]`.
///
/// The same report and files always produce the same bytes: entries in a fixed order, owner 0,
/// modes 0644/0755, and every mtime set to the report's `created_at`.
///
/// # Errors
/// Fails when `files` does not match the report's attachment list, or when `out` fails.
pub fn write_bundle<W: Write>(report: &Report, files: &[&[u8]], out: W) -> io::Result<W> {
    if files.len() != report.attachments.len()
        || files
            .iter()
            .zip(&report.attachments)
            .any(|(f, m)| f.len() as u64 != m.size)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "attachment bytes do not match the report's attachment list",
        ));
    }
    let json = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
    let mtime = rfc3339_to_unix(&report.created_at).unwrap_or(0);
    let mut tar = TarWriter::new(out, mtime);
    tar.file(BUNDLE_JSON, &json)?;
    tar.file(BUNDLE_MD, render_markdown(report).as_bytes())?;
    if !report.attachments.is_empty() {
        tar.dir("attachments/")?;
    }
    for (meta, bytes) in report.attachments.iter().zip(files) {
        tar.file(&meta.path, bytes)?;
    }
    tar.finish()
}

/// `report.md`: the report for people to read.
pub fn render_markdown(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", r.title);
    let _ = writeln!(s, "- Report id: {}", r.id);
    let _ = writeln!(s, "- Created: {}", r.created_at);
    let _ = writeln!(s, "- Type: {} ({})", r.kind.name, r.kind.id);
    if let Some(sev) = &r.severity {
        let _ = writeln!(
            s,
            "- Severity: {} {} (`{}`)",
            sev.score, sev.rating, sev.vector
        );
    }
    s.push_str("\n## Affected\n\n");
    for a in &r.affected {
        match a {
            Affected::Url(u) => {
                let _ = writeln!(s, "- <{u}>");
            }
            Affected::Asset(n) => {
                let _ = writeln!(s, "- {n}");
            }
        }
    }
    if let Some(p) = &r.prerequisites {
        let _ = writeln!(s, "\n## Prerequisites\n\n{p}");
    }
    let _ = writeln!(s, "\n## Steps to reproduce\n\n{}", r.steps);
    let _ = writeln!(s, "\n## Impact\n\n{}", r.impact);
    if !r.attachments.is_empty() {
        s.push_str("\n## Attachments\n\n");
        for a in &r.attachments {
            let _ = writeln!(
                s,
                "- `{}` ({} bytes, {}), sha256 {}",
                a.path, a.size, a.media_type, a.sha256
            );
        }
    }
    s.push_str("\n## Reporter\n\n");
    match &r.reporter {
        None => s.push_str("- Anonymous; no contact details given.\n"),
        Some(rep) => {
            if let Some(n) = &rep.name {
                let _ = writeln!(s, "- Name: {n}");
            }
            if let Some(h) = &rep.handle {
                let _ = writeln!(s, "- Handle: {h}");
            }
            if let Some(e) = &rep.email {
                let _ = writeln!(s, "- Email: {e}");
            }
            let credit = match rep.credit {
                Credit::Name => "by name",
                Credit::Handle => "by handle",
                Credit::Anonymous => "anonymous",
            };
            let _ = writeln!(s, "- Credit: {credit}");
        }
    }
    if let Some(p) = &r.policy {
        let _ = writeln!(s, "\n## Policy\n\nAccepted {} at {}", p.url, p.accepted_at);
    }
    s
}
