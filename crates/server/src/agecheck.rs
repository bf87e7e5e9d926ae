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
}

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

/// Checks `data`; `Ok` means a well-formed binary age v1 file sealed to recipients.
///
/// # Errors
/// The first problem found.
pub fn check(data: &[u8]) -> Result<(), Malformed> {
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
    let mut pos = 0;
    if line(data, &mut pos).map_err(|_| Malformed::NotAge)? != b"age-encryption.org/v1" {
        return Err(Malformed::UnsupportedVersion);
    }
    let mut stanzas = 0;
    loop {
        let l = line(data, &mut pos)?;
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
        let args: Vec<&[u8]> = rest.split(|&b| b == b' ').collect();
        if args.is_empty() || !args.iter().all(|a| arbitrary_string(a)) {
            return Err(Malformed::BadStanza);
        }
        // The body: full 64-character lines, ended by a shorter (possibly empty) one.
        let mut body = Vec::new();
        loop {
            let bl = line(data, &mut pos)?;
            if bl.len() > 64 {
                return Err(Malformed::BadStanza);
            }
            body.extend(b64(bl)?);
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
                if body.len() != 32 || low_order(&share) {
                    return Err(Malformed::BadX25519);
                }
            }
            b"scrypt" => return Err(Malformed::Scrypt),
            // Other stanza types (tags, plugins, grease) are opaque here.
            _ => {}
        }
        stanzas += 1;
    }
    if stanzas == 0 {
        return Err(Malformed::NoRecipients);
    }
    if data.len() - pos < 16 {
        return Err(Malformed::ShortPayload);
    }
    Ok(())
}
