//! Opening an age file with one X25519 identity, for the form: the researcher's reply key opens
//! the organization's replies in the browser.
//!
//! Written here rather than through `age::Decryptor` because that path links age's localized
//! error messages (Fluent and its catalogues): 86 KB brotli more for every researcher. This
//! follows the age v1 specification strictly (canonical base64, the stanza and MAC-line
//! grammar, the header MAC, the STREAM payload's final-chunk rules) and is tested against the
//! C2SP age test vectors. Stanzas of other types (other recipients, grease) are parsed and
//! skipped; a scrypt stanza, which must stand alone, fails the header.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

use crate::followup::OpenError;

const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let _ = Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, &mut out);
    out
}

/// Strict, unpadded, canonical standard base64.
fn b64(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = acc << 6 | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Non-canonical: leftover bits must be zero.
    (acc == 0).then_some(out)
}

struct Stanza<'a> {
    args: Vec<&'a [u8]>,
    body: Vec<u8>,
}

/// The header's stanzas, the length of what the MAC covers, its MAC, and where the payload
/// starts.
struct Header<'a> {
    stanzas: Vec<Stanza<'a>>,
    covered: usize,
    mac: Vec<u8>,
    payload: usize,
}

fn header(input: &[u8]) -> Result<Header<'_>, OpenError> {
    let bad = OpenError::Damaged;
    let mut pos = 0;
    let line = |pos: &mut usize| -> Result<(usize, &[u8]), OpenError> {
        let start = *pos;
        let len = input
            .get(start..)
            .and_then(|r| r.iter().take(64 * 1024).position(|&b| b == b'\n'))
            .ok_or(OpenError::Damaged)?;
        *pos = start + len + 1;
        Ok((start, &input[start..start + len]))
    };
    if line(&mut pos).map_err(|_| OpenError::NotAnAgeFile)?.1 != b"age-encryption.org/v1" {
        return Err(OpenError::NotAnAgeFile);
    }
    let mut stanzas = Vec::new();
    loop {
        let (start, l) = line(&mut pos)?;
        if let Some(rest) = l.strip_prefix(b"-> ") {
            let args: Vec<&[u8]> = rest.split(|&b| b == b' ').collect();
            if args
                .iter()
                .any(|a| a.is_empty() || !a.iter().all(|c| (0x21..=0x7e).contains(c)))
            {
                return Err(bad);
            }
            let mut text = Vec::new();
            loop {
                let (_, b) = line(&mut pos)?;
                if b.len() > 64 {
                    return Err(bad);
                }
                text.extend_from_slice(b);
                if b.len() < 64 {
                    break;
                }
            }
            let body = b64(&text).ok_or(bad)?;
            stanzas.push(Stanza { args, body });
        } else if let Some(mac) = l.strip_prefix(b"--- ") {
            let mac = b64(mac).filter(|m| m.len() == 32).ok_or(bad)?;
            return Ok(Header {
                stanzas,
                covered: start + 3,
                mac,
                payload: pos,
            });
        } else {
            return Err(bad);
        }
    }
}

/// The file key wrapped for `secret` in one of the X25519 stanzas, if any is.
fn unwrap(stanzas: &[Stanza<'_>], secret: &StaticSecret) -> Result<Vec<u8>, OpenError> {
    let ours = PublicKey::from(secret);
    let mut shares = Vec::new();
    for s in stanzas {
        match s.args[0] {
            b"scrypt" => return Err(OpenError::Damaged),
            b"X25519" => {
                let share = (s.args.len() == 2)
                    .then(|| b64(s.args[1]))
                    .flatten()
                    .and_then(|v| <[u8; 32]>::try_from(v).ok())
                    .filter(|_| s.body.len() == 32)
                    .ok_or(OpenError::Damaged)?;
                shares.push((share, &s.body));
            }
            _ => {}
        }
    }
    for (share, body) in shares {
        let shared = secret.diffie_hellman(&PublicKey::from(share));
        if shared.as_bytes().iter().all(|&b| b == 0) {
            return Err(OpenError::Damaged);
        }
        let mut salt = share.to_vec();
        salt.extend_from_slice(ours.as_bytes());
        let wrap = hkdf(&salt, shared.as_bytes(), b"age-encryption.org/v1/X25519");
        let aead = ChaCha20Poly1305::new((&wrap).into());
        if let Ok(key) = aead.decrypt((&[0u8; 12]).into(), body.as_slice()) {
            return if key.len() == 16 {
                Ok(key)
            } else {
                Err(OpenError::Damaged)
            };
        }
    }
    Err(OpenError::NotForThisKey)
}

/// Decrypts `input`, an age file, with the X25519 identity whose scalar is `scalar`, refusing
/// plaintext over `max` bytes.
///
/// # Errors
/// [`OpenError`] says which way it failed.
pub fn decrypt_x25519(scalar: &[u8; 32], input: &[u8], max: u64) -> Result<Vec<u8>, OpenError> {
    let h = header(input)?;
    let file_key = unwrap(&h.stanzas, &StaticSecret::from(*scalar))?;
    let mac_key = hkdf(&[], &file_key, b"header");
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&mac_key).map_err(|_| OpenError::Damaged)?;
    mac.update(&input[..h.covered]);
    mac.verify_slice(&h.mac).map_err(|_| OpenError::Damaged)?;

    let nonce = input
        .get(h.payload..h.payload + 16)
        .ok_or(OpenError::Damaged)?;
    let data = &input[h.payload + 16..];
    if data.is_empty() {
        return Err(OpenError::Damaged);
    }
    let plain_bound = data
        .len()
        .saturating_sub(data.len().div_ceil(CHUNK + TAG) * TAG);
    if plain_bound as u64 > max {
        return Err(OpenError::TooLarge);
    }
    let key = hkdf(nonce, &file_key, b"payload");
    let aead = ChaCha20Poly1305::new((&key).into());
    let mut out = Vec::with_capacity(plain_bound);
    for (i, chunk) in data.chunks(CHUNK + TAG).enumerate() {
        let last = (i + 1) * (CHUNK + TAG) >= data.len();
        if chunk.len() < TAG {
            return Err(OpenError::Damaged);
        }
        let mut n = [0u8; 12];
        n[3..11].copy_from_slice(&(i as u64).to_be_bytes());
        n[11] = u8::from(last);
        let p = aead
            .decrypt((&n).into(), chunk)
            .map_err(|_| OpenError::Damaged)?;
        if last && p.is_empty() && i > 0 {
            return Err(OpenError::Damaged);
        }
        out.extend_from_slice(&p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::b64;

    #[test]
    fn base64_is_strict() {
        assert_eq!(b64(b"aGVsbG8").unwrap(), b"hello");
        assert_eq!(b64(b"").unwrap(), b"");
        assert!(b64(b"aGVsbG8=").is_none(), "padding");
        assert!(b64(b"aGVsbG9").is_none(), "non-canonical trailing bits");
        assert!(b64(b"a").is_none());
        assert!(b64(b"aGVs bG8").is_none());
    }
}
