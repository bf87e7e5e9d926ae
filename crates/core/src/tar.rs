//! A minimal, deterministic POSIX ustar writer: regular files and directories only, fixed
//! owner, mode and mtime, so the same report always yields the same bytes. GNU tar and bsdtar
//! read it; nothing here can express a link or an absolute path.

use std::io::{self, Write};

const BLOCK: usize = 512;

pub(crate) struct TarWriter<W: Write> {
    out: W,
    mtime: u64,
}

fn octal(field: &mut [u8], value: u64) -> io::Result<()> {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    if s.len() > digits {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "value too large for tar header",
        ));
    }
    field[..digits].copy_from_slice(s.as_bytes());
    field[digits] = 0;
    Ok(())
}

impl<W: Write> TarWriter<W> {
    pub(crate) fn new(out: W, mtime: u64) -> Self {
        TarWriter { out, mtime }
    }

    pub(crate) fn header(&mut self, path: &str, size: u64, dir: bool) -> io::Result<()> {
        let name = path.as_bytes();
        let unsafe_part = path.split('/').any(|c| c == ".." || c == ".");
        if name.is_empty() || name.len() > 100 || path.starts_with('/') || unsafe_part {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "unsafe or long tar path",
            ));
        }
        let mut h = [0u8; BLOCK];
        h[..name.len()].copy_from_slice(name);
        octal(&mut h[100..108], if dir { 0o755 } else { 0o644 })?;
        octal(&mut h[108..116], 0)?;
        octal(&mut h[116..124], 0)?;
        octal(&mut h[124..136], size)?;
        octal(&mut h[136..148], self.mtime)?;
        h[156] = if dir { b'5' } else { b'0' };
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        let cks = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(cks.as_bytes());
        self.out.write_all(&h)
    }

    pub(crate) fn dir(&mut self, path: &str) -> io::Result<()> {
        self.header(path, 0, true)
    }

    pub(crate) fn file(&mut self, path: &str, data: &[u8]) -> io::Result<()> {
        self.header(path, data.len() as u64, false)?;
        self.out.write_all(data)?;
        self.pad(data.len() as u64)
    }

    /// Content of the entry whose header was written last (streamed in any number of calls).
    pub(crate) fn content(&mut self, data: &[u8]) -> io::Result<()> {
        self.out.write_all(data)
    }

    /// The zeros that end an entry of `size` bytes on a block boundary.
    pub(crate) fn pad(&mut self, size: u64) -> io::Result<()> {
        let pad = (BLOCK - (size % BLOCK as u64) as usize) % BLOCK;
        self.out.write_all(&[0u8; BLOCK][..pad])
    }

    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; BLOCK * 2])?;
        Ok(self.out)
    }
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-22T10:00:00.123Z`, `…+01:00`).
pub(crate) fn rfc3339_to_unix(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (num(s.len() - 5..s.len() - 3)? * 3600 + num(s.len() - 2..s.len())? * 60)
        }
        _ => return None,
    };
    // Days from civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + se - offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times() {
        assert_eq!(rfc3339_to_unix("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_to_unix("2026-11-22T10:51:42.123Z"),
            Some(1_795_344_702)
        );
        assert_eq!(
            rfc3339_to_unix("2026-11-22T11:51:42+01:00"),
            Some(1_795_344_702)
        );
        assert_eq!(rfc3339_to_unix("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(rfc3339_to_unix("yesterday"), None);
    }

    #[test]
    fn header_checksum_and_padding() {
        let mut t = TarWriter::new(Vec::new(), 0);
        t.file("a.txt", b"hello").unwrap();
        let out = t.finish().unwrap();
        assert_eq!(out.len(), 512 * 4);
        assert_eq!(&out[512..517], b"hello");
        let mut h = out[..512].to_vec();
        let stored = std::str::from_utf8(&h[148..154]).unwrap().to_string();
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        assert_eq!(u32::from_str_radix(&stored, 8).unwrap(), sum);
    }

    #[test]
    fn refuses_unsafe_paths() {
        let mut t = TarWriter::new(Vec::new(), 0);
        assert!(t.file("../x", b"").is_err());
        assert!(t.file("a/../x", b"").is_err());
        assert!(
            t.file("attachments/_..", b"").is_ok(),
            "dots inside a name are fine"
        );
        assert!(t.file("/etc/x", b"").is_err());
        assert!(t.file(&"a".repeat(101), b"").is_err());
    }
}
