//! Checks that an upload is a well-formed binary age file, without any key: the header grammar,
//! canonical base64, the shapes of known stanzas, and a payload at least as long as its nonce.
//! A receiver that stores only what passes never holds a file no identity could open.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// Why a body is not an age file a sealdrop report could be; `code` is the API's stable slug.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Malformed {
    Empty,
    Armored,
    NotAge,
    UnsupportedVersion,
    BadStanza,
    BadBase64,
    BadX25519,
    Scrypt,
    NoRecipients,
    BadMac,
    ShortPayload,
    HeaderTooLarge,
}

/// The largest header accepted, in bytes. A report's header holds one stanza per recipient and
/// one grease stanza: about 200 bytes each for X25519, 1.5 KB for a post-quantum tag. 64 KiB is
/// dozens of times any real report's, and caps what a request can make the receiver parse.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most recipient stanzas accepted. Each X25519 stanza costs one scalar multiplication to
/// check (about 40 µs), so this caps a request's header check at a few milliseconds.
pub const MAX_STANZAS: usize = 64;

impl Malformed {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty_body",
            Self::Armored => "armored_body",
            Self::NotAge => "not_age",
            Self::UnsupportedVersion => "unsupported_age_version",
            Self::BadStanza => "malformed_stanza",
            Self::BadBase64 => "non_canonical_base64",
            Self::BadX25519 => "malformed_x25519_stanza",
            Self::Scrypt => "passphrase_encrypted",
            Self::NoRecipients => "no_recipients",
            Self::BadMac => "malformed_header_mac",
            Self::ShortPayload => "truncated_payload",
            Self::HeaderTooLarge => "header_too_large",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "The body is empty: send the sealed report as the binary age file.",
            Self::Armored => "The body is ASCII-armored: send the binary age file (without -----BEGIN AGE ENCRYPTED FILE-----).",
            Self::NotAge => "The body is not an age file: it must start with age-encryption.org/v1.",
            Self::UnsupportedVersion => "The body is an age file of a version this receiver does not accept (only v1).",
            Self::BadStanza => "The age header has a malformed recipient stanza.",
            Self::BadBase64 => "The age header holds base64 that is not canonical.",
            Self::BadX25519 => "An X25519 stanza of the age header is malformed (share or body length, or a low-order share).",
            Self::Scrypt => "The body is encrypted with a passphrase; reports must be sealed to the organization's recipients.",
            Self::NoRecipients => "The age header has no recipient stanza.",
            Self::BadMac => "The age header's MAC line is malformed.",
            Self::ShortPayload => "The age payload is shorter than its nonce: the file is truncated.",
            Self::HeaderTooLarge => "The age header is larger than any report's (over 64 KiB or 64 recipient stanzas): seal the report to the organization's recipients only.",
        }
    }
}

fn line<'a>(data: &'a [u8], pos: &mut usize) -> Result<&'a [u8], Malformed> {
    let rest = &data[*pos..];
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(Malformed::BadStanza)?;
    *pos += end + 1;
    Ok(&rest[..end])
}

fn b64(s: &[u8]) -> Result<Vec<u8>, Malformed> {
    let v = STANDARD_NO_PAD
        .decode(s)
        .map_err(|_| Malformed::BadBase64)?;
    // The decoder accepts non-zero trailing bits; canonical means re-encoding gives it back.
    if STANDARD_NO_PAD.encode(&v).as_bytes() != s {
        return Err(Malformed::BadBase64);
    }
    Ok(v)
}

fn arbitrary_string(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| (33..=126).contains(&b))
}

/// A low-order X25519 share gives an all-zero shared secret for every scalar.
fn low_order(share: &[u8; 32]) -> bool {
    let scalar = [0x42u8; 32];
    x25519_dalek::x25519(scalar, *share) == [0u8; 32]
}

/// Where the header of `prefix` ends (the offset just past its MAC line), once the prefix
/// holds the whole header; `None` while more bytes are needed. Stanza bodies are base64 and
/// never contain `-`, so the first line starting with `---` ends the header. `from` is where
/// the search resumes: the start of the first line not yet complete, so feeding a growing
/// prefix costs linear time however small its pieces.
pub fn header_len(prefix: &[u8], from: &mut usize) -> Option<usize> {
    while let Some(nl) = prefix[*from..].iter().position(|&b| b == b'\n') {
        if prefix[*from..].starts_with(b"---") {
            return Some(*from + nl + 1);
        }
        *from += nl + 1;
    }
    None
}

/// Checks `data`; `Ok` means a well-formed binary age v1 file sealed to recipients.
///
/// # Errors
/// The first problem found.
pub fn check(data: &[u8]) -> Result<(), Malformed> {
    let header = check_header(data)?;
    if data.len() - header < 16 {
        return Err(Malformed::ShortPayload);
    }
    Ok(())
}

/// Checks the header at the start of `data` (which may hold more than the header) and returns
/// its length. The cost is bounded whatever `data` is: the grammar, sizes and stanza count are
/// checked first, in one pass, and the scalar multiplications only after, at most
/// [`MAX_STANZAS`] of them.
///
/// # Errors
/// The first problem found; [`Malformed::HeaderTooLarge`] past the caps.
pub fn check_header(data: &[u8]) -> Result<usize, Malformed> {
    if data.is_empty() {
        return Err(Malformed::Empty);
    }
    if data.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
        || data.trim_ascii_start().starts_with(b"-----BEGIN")
    {
        return Err(Malformed::Armored);
    }
    if !data.starts_with(b"age-encryption.org/") {
        return Err(Malformed::NotAge);
    }
    let data = &data[..data.len().min(MAX_HEADER_BYTES + 1)];
    let too_large = |e: Malformed| {
        if data.len() > MAX_HEADER_BYTES {
            Malformed::HeaderTooLarge
        } else {
            e
        }
    };
    let mut pos = 0;
    if line(data, &mut pos).map_err(|_| too_large(Malformed::NotAge))? != b"age-encryption.org/v1" {
        return Err(Malformed::UnsupportedVersion);
    }
    let mut shares: Vec<[u8; 32]> = Vec::new();
    let mut stanzas = 0;
    loop {
        let l = line(data, &mut pos).map_err(too_large)?;
        if let Some(mac) = l.strip_prefix(b"--- ") {
            if b64(mac).map_err(|_| Malformed::BadMac)?.len() != 32 {
                return Err(Malformed::BadMac);
            }
            break;
        }
        if l.starts_with(b"---") {
            return Err(Malformed::BadMac);
        }
        let Some(rest) = l.strip_prefix(b"-> ") else {
            return Err(Malformed::BadStanza);
        };
        stanzas += 1;
        if stanzas > MAX_STANZAS {
            return Err(Malformed::HeaderTooLarge);
        }
        let args: Vec<&[u8]> = rest.split(|&b| b == b' ').collect();
        if args.is_empty() || !args.iter().all(|a| arbitrary_string(a)) {
            return Err(Malformed::BadStanza);
        }
        // The body: full 64-character lines, ended by a shorter (possibly empty) one.
        let mut body_len = 0;
        loop {
            let bl = line(data, &mut pos).map_err(too_large)?;
            if bl.len() > 64 {
                return Err(Malformed::BadStanza);
            }
            body_len += b64(bl)?.len();
            if bl.len() < 64 {
                break;
            }
        }
        match args[0] {
            b"X25519" => {
                let share = (args.len() == 2).then(|| b64(args[1])).transpose()?;
                let share: [u8; 32] = share
                    .and_then(|s| s.try_into().ok())
                    .ok_or(Malformed::BadX25519)?;
                if body_len != 32 {
                    return Err(Malformed::BadX25519);
                }
                shares.push(share);
            }
            b"scrypt" => return Err(Malformed::Scrypt),
            // Other stanza types (tags, plugins, grease) are opaque here.
            _ => {}
        }
    }
    if stanzas == 0 {
        return Err(Malformed::NoRecipients);
    }
    // The expensive part, bounded by MAX_STANZAS.
    if shares.iter().any(low_order) {
        return Err(Malformed::BadX25519);
    }
    Ok(pos)
}
