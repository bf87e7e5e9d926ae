//! The sealing worker: the code that runs in a dedicated Web Worker, so the page never freezes
//! while a report is sealed. It is linked into the form's own wasm module, which the worker
//! instantiates a second time from the browser's cache: a module of its own was measured at
//! 55 KB brotli, two thirds of it the Rust runtime both modules would carry (BENCHMARKS.md).
//! The protocol is in `docs/sealer.md`; in short, messages are plain objects with an `op` and
//! a `job` number:
//!
//! - `digest {file}` → `progress {done, total}`… then `digest {sha256}`: an attachment's SHA-256,
//!   read once when it is attached, in slices.
//! - `seal {recipients, json, markdown, mtime, attachments, files}` → `progress`… then
//!   `sealed {blob, sha256, size}`: the bundle's parts as the form made them
//!   ([`sealdrop_core::BundleParts`]) and the attachments' `File` objects, streamed slice by
//!   slice through [`sealdrop_core::Sealer`] into a `Blob` built from parts.
//! - any failure → `error {code}` with a code the form translates (see [`Failure`]).
//!
//! Cancelling is `Worker.terminate()` on the page's side: nothing here needs to cooperate.
//! Neither the plaintext nor the ciphertext is ever whole in this module's memory: a read
//! buffer of [`READ_CHUNK`] bytes, age's 64 KiB chunk and an output batch of [`OUT_BATCH`].

use std::io::{self, Write};

use sha2::Digest;

/// Bytes read from a `File` at a time.
pub const READ_CHUNK: usize = 2 << 20;
/// Ciphertext gathered before it is handed to JavaScript as one `Uint8Array` part.
pub const OUT_BATCH: usize = 1 << 20;
/// Parts gathered before they are folded into one `Blob`, so the worker's JavaScript heap never
/// holds more than this in `Uint8Array`s (the browser keeps blobs in its blob store, which
/// spills to disk).
pub const BLOB_BATCH: usize = 16 << 20;

/// What went wrong, as the code sent to the form, which says it in the researcher's language.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Failure {
    /// The browser could not read a file (moved, deleted, or permission withdrawn).
    Read,
    /// A file's bytes are not those attached (changed on disk since).
    Changed,
    /// The organization's recipients cannot be combined, or do not parse.
    Recipients,
    /// The report sent by the form is not a valid `report.json`.
    Report,
    /// Writing the output failed (the browser is out of memory).
    Write,
    /// A message the worker does not understand.
    Protocol,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::Read => "read",
            Failure::Changed => "changed",
            Failure::Recipients => "recipients",
            Failure::Report => "report",
            Failure::Write => "write",
            Failure::Protocol => "protocol",
        }
    }
}

impl From<sealdrop_core::SealError> for Failure {
    fn from(e: sealdrop_core::SealError) -> Self {
        match e {
            sealdrop_core::SealError::Recipients => Failure::Recipients,
            sealdrop_core::SealError::Changed => Failure::Changed,
            sealdrop_core::SealError::Write(_) => Failure::Write,
        }
    }
}

/// Where sealed bytes go: hashed and counted as they pass, gathered in batches of
/// [`OUT_BATCH`] and handed to `emit` (which on the web copies them into a `Uint8Array`).
pub struct BatchSink<F: FnMut(&[u8]) -> io::Result<()>> {
    pending: Vec<u8>,
    emit: F,
    hasher: sha2::Sha256,
    size: u64,
}

impl<F: FnMut(&[u8]) -> io::Result<()>> BatchSink<F> {
    pub fn new(emit: F) -> Self {
        BatchSink {
            pending: Vec::with_capacity(OUT_BATCH),
            emit,
            hasher: sha2::Sha256::new(),
            size: 0,
        }
    }

    /// Emits what is pending; returns the SHA-256 (hex) and the size of everything written.
    ///
    /// # Errors
    /// When `emit` fails.
    pub fn finish(mut self) -> io::Result<(String, u64)> {
        if !self.pending.is_empty() {
            (self.emit)(&self.pending)?;
        }
        Ok((sealdrop_core::hex(&self.hasher.finalize()), self.size))
    }
}

impl<F: FnMut(&[u8]) -> io::Result<()>> Write for BatchSink<F> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        self.size += buf.len() as u64;
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= OUT_BATCH {
            (self.emit)(&self.pending)?;
            self.pending.clear();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
mod worker;
#[cfg(target_arch = "wasm32")]
pub use worker::{digest_blob, seal_blobs, serve};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hash_and_count_everything() {
        let mut parts: Vec<usize> = Vec::new();
        let mut all = Vec::new();
        let mut sink = BatchSink::new(|b: &[u8]| {
            parts.push(b.len());
            Ok(())
        });
        for i in 0..5 {
            let chunk = vec![i as u8; 700_000];
            sink.write_all(&chunk).unwrap_or_else(|e| panic!("{e}"));
            all.extend_from_slice(&chunk);
        }
        let (sha, size) = sink.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(size, 3_500_000);
        assert_eq!(sha, sealdrop_core::sha256_hex(&all));
        assert_eq!(parts.iter().sum::<usize>(), 3_500_000);
        assert!(parts.iter().all(|&p| p <= OUT_BATCH + 700_000));
        assert!(parts.len() >= 3, "{parts:?}");
    }
}
