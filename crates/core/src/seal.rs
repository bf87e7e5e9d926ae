//! Sealing a report: the bundle is written straight into age's stream writer, so attachment
//! bytes are never copied into an intermediate plaintext buffer.

use std::fmt;
use std::io::Write;

use crate::bundle::{write_bundle, BundleParts, BundleWriter};
use crate::recipients::Recipients;
use crate::report::Report;

/// Why sealing failed. Deliberately coarse: formatting age's own errors would pull its
/// translation tables into the wasm (TOOLCHAIN.md measured 68 KB brotli).
#[derive(Debug)]
pub enum SealError {
    /// age refused the recipient set (e.g. incompatible recipient types).
    Recipients,
    /// The attachments' bytes are not those the report describes: more or fewer bytes, or a
    /// digest that differs (the file changed after it was attached).
    Changed,
    /// Writing failed (out of memory, or the output refused the bytes).
    Write(std::io::Error),
}

impl From<std::io::Error> for SealError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => {
                SealError::Changed
            }
            _ => SealError::Write(e),
        }
    }
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::Recipients => f.write_str(
                "these recipients cannot be combined in one age file: use recipients of one kind",
            ),
            // The io::Error's own text is left out: its formatting tables cost the widget 1 KB,
            // and in a browser the only cause is running out of memory.
            SealError::Changed => f.write_str(
                "an attached file changed or could not be read completely since it was attached: remove it and attach it again",
            ),
            SealError::Write(_) => f.write_str(
                "could not write the sealed report: the browser may be out of memory; remove large attachments and try again",
            ),
        }
    }
}

impl std::error::Error for SealError {}

/// An upper bound of the sealed size of `report` for `recipients`, close enough to allocate
/// the output once ([`seal_to_vec`]).
///
/// The bundle's size is counted exactly (its writer run into a sink that only counts); the
/// age payload adds a 16-byte nonce and a 16-byte tag per 64 KiB chunk; each recipient's
/// stanza fits in 2 KiB (the largest, `age1tagpq1…`, is about 1.6 KiB).
pub fn sealed_size_bound(recipients: &Recipients, report: &Report, files: &[&[u8]]) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let plain = write_bundle(report, files, Count(0)).map_or(0, |c| c.0);
    let chunks = plain / 65536 + 1;
    256 + recipients.as_strings().len() * 2048 + 16 + chunks * 16 + plain
}

/// [`seal`] into memory, allocated once at [`sealed_size_bound`]: a `Vec` that grows copies
/// itself as it doubles and can end with twice the capacity it needs, which for a 256 MiB
/// attachment is 256 MiB of memory for nothing (measured in BENCHMARKS.md).
///
/// # Errors
/// As [`seal`].
pub fn seal_to_vec(
    recipients: &Recipients,
    report: &Report,
    files: &[&[u8]],
) -> Result<Vec<u8>, SealError> {
    let out = Vec::with_capacity(sealed_size_bound(recipients, report, files));
    seal(recipients, report, files, out)
}

/// Seals `report` (with `files[i]` the bytes of `report.attachments[i]`) to every recipient,
/// writing the binary age file to `out`, and returns `out`.
///
/// # Errors
/// [`SealError`] when age refuses the recipients, the bytes do not match the report, or
/// writing fails.
pub fn seal<W: Write>(
    recipients: &Recipients,
    report: &Report,
    files: &[&[u8]],
    out: W,
) -> Result<W, SealError> {
    if files.len() != report.attachments.len() {
        return Err(SealError::Changed);
    }
    let mut sealer = Sealer::new(recipients, report, out)?;
    for f in files {
        sealer.write(f)?;
    }
    sealer.finish()
}

/// Sealing as a stream, the one implementation behind [`seal`]: the bundle
/// ([`BundleWriter`]) written straight into age's STREAM writer, which encrypts each 64 KiB
/// chunk as it fills and writes it to `out`. The attachments' bytes are given in chunks of
/// any size with [`Sealer::write`], so a browser can read a `File` slice by slice and the
/// whole report is never in memory, neither as plaintext nor as ciphertext.
pub struct Sealer<W: Write> {
    bundle: BundleWriter<age::stream::StreamWriter<W>>,
}

impl<W: Write> Sealer<W> {
    /// Writes the age header for `recipients` and the bundle's first entries to `out`.
    ///
    /// # Errors
    /// [`SealError::Recipients`] when age refuses the set, else a write failure.
    pub fn new(recipients: &Recipients, report: &Report, out: W) -> Result<Self, SealError> {
        Self::with_parts(recipients, BundleParts::of(report)?, out)
    }

    /// As [`Sealer::new`], for the bundle made of `parts`.
    ///
    /// # Errors
    /// As [`Sealer::new`].
    pub fn with_parts(
        recipients: &Recipients,
        parts: BundleParts,
        out: W,
    ) -> Result<Self, SealError> {
        let enc = age::Encryptor::with_recipients(recipients.iter())
            .map_err(|_| SealError::Recipients)?;
        let stream = enc.wrap_output(out).map_err(SealError::Write)?;
        Ok(Sealer {
            bundle: BundleWriter::with_parts(parts, stream)?,
        })
    }

    /// The next bytes of the attachments, in the report's order.
    ///
    /// # Errors
    /// As [`BundleWriter::write`].
    pub fn write(&mut self, data: &[u8]) -> Result<(), SealError> {
        Ok(self.bundle.write(data)?)
    }

    /// The attachment the next byte belongs to, `None` when all are complete.
    pub fn current(&self) -> Option<usize> {
        self.bundle.current()
    }

    /// Ends the bundle and the age stream; returns `out`.
    ///
    /// # Errors
    /// Missing bytes, or a write failure.
    pub fn finish(self) -> Result<W, SealError> {
        let stream = self.bundle.finish()?;
        stream.finish().map_err(SealError::Write)
    }
}
