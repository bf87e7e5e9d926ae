//! Sealing a report: the bundle is written straight into age's stream writer, so attachment
//! bytes are never copied into an intermediate plaintext buffer.

use std::fmt;
use std::io::Write;

use crate::bundle::write_bundle;
use crate::recipients::Recipients;
use crate::report::Report;

/// Why sealing failed. Deliberately coarse: formatting age's own errors would pull its
/// translation tables into the wasm (TOOLCHAIN.md measured 68 KB brotli).
#[derive(Debug)]
pub enum SealError {
    /// age refused the recipient set (e.g. incompatible recipient types).
    Recipients,
    /// Writing failed (out of memory, or the bytes did not match the report).
    Write(std::io::Error),
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::Recipients => f.write_str(
                "these recipients cannot be combined in one age file: use recipients of one kind",
            ),
            // The io::Error's own text is left out: its formatting tables cost the widget 1 KB,
            // and in a browser the only cause is running out of memory.
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
/// [`SealError`] when age refuses the recipients or writing fails.
pub fn seal<W: Write>(
    recipients: &Recipients,
    report: &Report,
    files: &[&[u8]],
    out: W,
) -> Result<W, SealError> {
    let enc =
        age::Encryptor::with_recipients(recipients.iter()).map_err(|_| SealError::Recipients)?;
    let stream = enc.wrap_output(out).map_err(SealError::Write)?;
    let stream = write_bundle(report, files, stream).map_err(SealError::Write)?;
    stream.finish().map_err(SealError::Write)
}
