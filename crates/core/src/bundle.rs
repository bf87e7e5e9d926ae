//! The report bundle: `report.json`, `report.md` and `attachments/<name>` in a deterministic tar.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::report::{Affected, Credit, Report};
use crate::tar::{rfc3339_to_unix, TarWriter};

pub const BUNDLE_JSON: &str = "report.json";
pub const BUNDLE_MD: &str = "report.md";
/// A conversation message's bundle holds `message.json` and `message.md` instead.
pub const MESSAGE_JSON: &str = "message.json";
pub const MESSAGE_MD: &str = "message.md";

/// What a bundle carries: a report, or a message of a report's conversation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum BundleKind {
    #[default]
    Report,
    Message,
}

impl BundleKind {
    /// The names of the bundle's JSON and Markdown entries.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            BundleKind::Report => (BUNDLE_JSON, BUNDLE_MD),
            BundleKind::Message => (MESSAGE_JSON, MESSAGE_MD),
        }
    }
}

/// Writes the bundle of `report` to `out`; `files[i]` holds the bytes of `report.attachments[i]`.
///
/// The same report and files always produce the same bytes: entries in a fixed order, owner 0,
/// modes 0644/0755, and every mtime set to the report's `created_at`.
///
/// # Errors
/// Fails when `files` does not match the report's attachment list, or when `out` fails.
pub fn write_bundle<W: Write>(report: &Report, files: &[&[u8]], out: W) -> io::Result<W> {
    if files.len() != report.attachments.len() {
        return Err(mismatch());
    }
    let mut bundle = BundleWriter::new(report, out)?;
    for f in files {
        bundle.write(f)?;
    }
    bundle.finish()
}

fn mismatch() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "attachment bytes do not match the report's attachment list",
    )
}

/// The bundle written as a stream: [`BundleWriter::new`] writes `report.json`, `report.md` and
/// the `attachments/` folder, then [`BundleWriter::write`] takes the attachments' bytes, in the
/// report's order, in chunks of any size (a chunk may span the end of one file and the start
/// of the next), and [`BundleWriter::finish`] ends the archive. Nothing is buffered here, so
/// an attachment of any size passes through in constant memory.
///
/// Each attachment is checked as it passes: its byte count against its `size`, its SHA-256
/// against its `sha256` (the digest the researcher reviewed). A file changed on disk after it
/// was attached fails with [`io::ErrorKind::InvalidData`] rather than sealing other bytes than
/// the report describes; too many or too few bytes fail with [`io::ErrorKind::InvalidInput`].
/// What a bundle holds besides the attachments' bytes: made from a report by
/// [`BundleParts::of`]. The form makes it and hands it to its sealing worker, so the worker
/// needs neither JSON nor Markdown code.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BundleParts {
    /// A report's bundle or a message's (which names its entries `message.*`).
    pub kind: BundleKind,
    /// `report.json`, pretty-printed.
    pub json: Vec<u8>,
    /// `report.md`.
    pub markdown: String,
    /// Every entry's mtime: the report's `created_at`.
    pub mtime: u64,
    /// Each attachment's archive path, size and SHA-256 (hex).
    pub attachments: Vec<(String, u64, String)>,
}

impl BundleParts {
    /// The parts of `report`'s bundle.
    ///
    /// # Errors
    /// Only if the report cannot be serialized (it always can).
    pub fn of(report: &Report) -> io::Result<Self> {
        Self::of_in(report, render_markdown(report))
    }

    /// The parts of `report`'s bundle with `report.md` as given (written in the organization's
    /// language by [`render_markdown_in`]).
    ///
    /// # Errors
    /// Only if the report cannot be serialized (it always can).
    pub fn of_in(report: &Report, markdown: String) -> io::Result<Self> {
        Ok(BundleParts {
            kind: BundleKind::Report,
            json: serde_json::to_vec_pretty(report).map_err(io::Error::other)?,
            markdown,
            mtime: rfc3339_to_unix(&report.created_at).unwrap_or(0),
            attachments: report
                .attachments
                .iter()
                .map(|a| (a.path.clone(), a.size, a.sha256.clone()))
                .collect(),
        })
    }
}

pub struct BundleWriter<W: Write> {
    tar: TarWriter<W>,
    /// (path, size, sha256) of each attachment.
    files: Vec<(String, u64, String)>,
    /// The attachment being written, or `files.len()` when all are done.
    current: usize,
    left: u64,
    hasher: sha2::Sha256,
}

impl<W: Write> BundleWriter<W> {
    /// Starts the bundle of `report` on `out`.
    ///
    /// # Errors
    /// When `out` fails or a path cannot be expressed in the archive.
    pub fn new(report: &Report, out: W) -> io::Result<Self> {
        Self::with_parts(BundleParts::of(report)?, out)
    }

    /// Starts the bundle made of `parts` on `out`.
    ///
    /// # Errors
    /// When `out` fails or a path cannot be expressed in the archive.
    pub fn with_parts(parts: BundleParts, out: W) -> io::Result<Self> {
        let mut tar = TarWriter::new(out, parts.mtime);
        let (json, md) = parts.kind.names();
        tar.file(json, &parts.json)?;
        tar.file(md, parts.markdown.as_bytes())?;
        if !parts.attachments.is_empty() {
            tar.dir("attachments/")?;
        }
        let mut w = BundleWriter {
            tar,
            files: parts.attachments,
            current: 0,
            left: 0,
            hasher: sha2::Sha256::default(),
        };
        w.open_next(0)?;
        Ok(w)
    }

    /// Writes the headers of the attachments from `from` on until one that has bytes to come.
    fn open_next(&mut self, from: usize) -> io::Result<()> {
        use sha2::Digest;
        self.current = from;
        while let Some((path, size, _)) = self.files.get(self.current) {
            let (path, size) = (path.clone(), *size);
            self.tar.header(&path, size, false)?;
            self.left = size;
            self.hasher = sha2::Sha256::new();
            if size > 0 {
                return Ok(());
            }
            self.close_current()?;
            self.current += 1;
        }
        Ok(())
    }

    /// Pads the attachment just completed and checks its digest.
    fn close_current(&mut self) -> io::Result<()> {
        use sha2::Digest;
        let (_, size, sha256) = &self.files[self.current];
        let size = *size;
        let digest = crate::hex(&std::mem::take(&mut self.hasher).finalize());
        if &digest != sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "an attachment's bytes do not match its digest: the file changed after it was attached",
            ));
        }
        self.tar.pad(size)
    }

    /// The attachment that the next byte belongs to (`None` once all are complete).
    pub fn current(&self) -> Option<usize> {
        (self.current < self.files.len()).then_some(self.current)
    }

    /// Writes the next `data` bytes of the attachments.
    ///
    /// # Errors
    /// More bytes than the attachments hold, a digest that does not match, or `out` failing.
    pub fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        use sha2::Digest;
        while !data.is_empty() {
            if self.current >= self.files.len() {
                return Err(mismatch());
            }
            let n = usize::try_from(self.left).map_or(data.len(), |l| l.min(data.len()));
            let (now, rest) = data.split_at(n);
            self.hasher.update(now);
            self.tar.content(now)?;
            self.left -= n as u64;
            data = rest;
            if self.left == 0 {
                self.close_current()?;
                self.open_next(self.current + 1)?;
            }
        }
        Ok(())
    }

    /// Ends the archive and returns `out`.
    ///
    /// # Errors
    /// Fewer bytes than the attachments hold, or `out` failing.
    pub fn finish(self) -> io::Result<W> {
        if self.current < self.files.len() {
            return Err(mismatch());
        }
        self.tar.finish()
    }
}

/// `report.md`: the report for people to read, in English.
pub fn render_markdown(r: &Report) -> String {
    render_markdown_in(r, &r.kind.name, &|k| crate::english::get(k).to_string())
}

/// `report.md` in the language of `t`, which gives a catalogue's sentence for a key
/// (`md_steps`, …; see `www/i18n/en.json`), with `kind` as the name of the report's kind in
/// that language (`report.json` keeps the given one): the form writes it in the
/// organization's `report_lang`, whatever language the researcher used.
pub fn render_markdown_in(r: &Report, kind: &str, t: &dyn Fn(&str) -> String) -> String {
    use crate::english::fill_in;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", r.title);
    let _ = writeln!(s, "- {}: {}", t("md_report_id"), r.id);
    let _ = writeln!(s, "- {}: {}", t("md_created"), r.created_at);
    let _ = writeln!(s, "- {}: {} ({})", t("md_type"), kind, r.kind.id);
    if let Some(sev) = &r.severity {
        let _ = writeln!(
            s,
            "- {}: {} {} (`{}`)",
            t("md_severity"),
            crate::severity::tenths(sev.score),
            sev.rating,
            sev.vector
        );
    }
    let _ = writeln!(s, "\n## {}\n", t("md_affected"));
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
        let _ = writeln!(s, "\n## {}\n\n{p}", t("md_prerequisites"));
    }
    let _ = writeln!(s, "\n## {}\n\n{}", t("md_steps"), r.steps);
    let _ = writeln!(s, "\n## {}\n\n{}", t("md_impact"), r.impact);
    if !r.answers.is_empty() {
        let _ = writeln!(s, "\n## {}\n", t("md_answers"));
        for a in &r.answers {
            let _ = writeln!(s, "- {}: {}", a.question, a.answer.replace('\n', "\n  "));
        }
    }
    if !r.attachments.is_empty() {
        let _ = writeln!(s, "\n## {}\n", t("md_attachments"));
        for a in &r.attachments {
            let line = fill_in(
                &t("md_attachment"),
                &[
                    ("path", a.path.clone()),
                    ("size", a.size.to_string()),
                    ("type", a.media_type.clone()),
                    ("sha256", a.sha256.clone()),
                ],
            );
            let _ = writeln!(s, "- {line}");
        }
    }
    let _ = writeln!(s, "\n## {}\n", t("md_reporter"));
    match &r.reporter {
        None => {
            let _ = writeln!(s, "- {}", t("md_anonymous"));
        }
        Some(rep) => {
            for (key, v) in [
                ("md_name", &rep.name),
                ("md_handle", &rep.handle),
                ("md_email", &rep.email),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(s, "- {}: {v}", t(key));
                }
            }
            let credit = match rep.credit {
                Credit::Name => "md_credit_name",
                Credit::Handle => "md_credit_handle",
                Credit::Anonymous => "md_credit_anonymous",
            };
            let _ = writeln!(s, "- {}: {}", t("md_credit"), t(credit));
        }
    }
    if let Some(p) = &r.policy {
        let accepted = fill_in(
            &t("md_policy_accepted"),
            &[("url", p.url.clone()), ("at", p.accepted_at.clone())],
        );
        let _ = writeln!(s, "\n## {}\n\n{accepted}", t("md_policy"));
    }
    if r.reply_to.is_some() {
        let _ = writeln!(
            s,
            "\n## {}\n\n{}",
            t("md_conversation"),
            t("md_conversation_note")
        );
    }
    s
}
