//! The conversation after a report (docs/conversation.md): the follow-up key, what is derived
//! from it, the messages of a thread, and opening a sealed message.
//!
//! The key is 128 random bits made in the researcher's browser, kept by the researcher as one
//! string together with the report's receipt: `sdkey1…`, bech32 with the receipt's 16 bytes and
//! the secret's 16 bytes as data, so its checksum catches every typo of up to four characters.
//! From the secret alone, HKDF-SHA256 derives an access token (whose SHA-256 the receiver
//! keeps, to authorize the thread) and an age X25519 identity (the researcher's reply key,
//! whose recipient travels only inside the report's ciphertext as `reply_to`).

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::bundle::{BundleKind, BundleParts, MESSAGE_JSON};
use crate::report::AttachmentMeta;
use crate::tar::rfc3339_to_unix;

/// The human-readable part of a follow-up key.
pub const KEY_PREFIX: &str = "sdkey";
/// HKDF's salt: names the scheme and its version.
const SALT: &[u8] = b"sealdrop follow-up v1";
const TOKEN_INFO: &[u8] = b"sealdrop access token";
const IDENTITY_INFO: &[u8] = b"sealdrop reply identity";

/// The value of `message.json`'s `schema` field.
pub const MESSAGE_SCHEMA: &str = "sealdrop.message.v1";

/// A follow-up key: the report's receipt and the researcher's secret. No `Debug`: it is the
/// only thing that opens the researcher's side of the conversation.
#[derive(Clone, PartialEq, Eq)]
pub struct FollowUpKey {
    receipt: [u8; 16],
    secret: [u8; 16],
}

/// Why a pasted key is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyError {
    /// Nothing was pasted.
    Empty,
    /// Not a follow-up key at all (a receipt, an age key, other text).
    NotAKey,
    /// It looks like a key, but its checksum does not match: a character was mistyped, left
    /// out or added.
    Typo,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyError::Empty => "no follow-up key given: paste the key you kept when you sent the report (it starts with sdkey1)",
            KeyError::NotAKey => "this is not a follow-up key: a follow-up key starts with sdkey1 and is 64 characters long",
            KeyError::Typo => "this follow-up key has a typo: a character differs from, or is missing from, the key you kept; paste it again from your saved copy",
        })
    }
}

impl std::error::Error for KeyError {}

/// A fresh 128-bit secret for a new report's key.
///
/// # Errors
/// Only when the platform has no randomness source.
pub fn new_secret() -> Result<[u8; 16], getrandom::Error> {
    let mut s = [0u8; 16];
    getrandom::getrandom(&mut s)?;
    Ok(s)
}

/// The 16 bytes of a receipt `sd-<32 hex digits>`.
fn receipt_bytes(receipt: &str) -> Option<[u8; 16]> {
    let hex = receipt.strip_prefix("sd-")?;
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Whether `s` is a receipt as the receiver issues them.
pub fn is_receipt(s: &str) -> bool {
    receipt_bytes(s).is_some() && !s.bytes().any(|b| b.is_ascii_uppercase())
}

impl FollowUpKey {
    /// The key of the report stored under `receipt`, made with `secret`; `None` if `receipt`
    /// is not one the receiver issues.
    pub fn new(receipt: &str, secret: [u8; 16]) -> Option<Self> {
        is_receipt(receipt).then_some(())?;
        Some(FollowUpKey {
            receipt: receipt_bytes(receipt)?,
            secret,
        })
    }

    /// The key as the researcher keeps it: `sdkey1` and 58 lower-case characters.
    pub fn encode(&self) -> String {
        let mut data = [0u8; 32];
        data[..16].copy_from_slice(&self.receipt);
        data[16..].copy_from_slice(&self.secret);
        let hrp = Hrp::parse_unchecked(KEY_PREFIX);
        bech32::encode::<Bech32>(hrp, &data).unwrap_or_default()
    }

    /// Reads a key as pasted: surrounding and inner white space (a key wrapped over lines) is
    /// ignored, and so is case.
    ///
    /// # Errors
    /// [`KeyError`] says what is wrong.
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.is_empty() {
            return Err(KeyError::Empty);
        }
        let Some(rest) = s.strip_prefix("sdkey1") else {
            return Err(KeyError::NotAKey);
        };
        if rest.len() < 50 || rest.len() > 66 {
            return Err(if rest.len() < 30 {
                KeyError::NotAKey
            } else {
                KeyError::Typo
            });
        }
        let checked = CheckedHrpstring::new::<Bech32>(&s).map_err(|_| KeyError::Typo)?;
        if checked.hrp().as_str() != KEY_PREFIX {
            return Err(KeyError::NotAKey);
        }
        let data: Vec<u8> = checked.byte_iter().collect();
        if data.len() != 32 {
            return Err(KeyError::Typo);
        }
        let mut key = FollowUpKey {
            receipt: [0; 16],
            secret: [0; 16],
        };
        key.receipt.copy_from_slice(&data[..16]);
        key.secret.copy_from_slice(&data[16..]);
        Ok(key)
    }

    /// The receipt of the report this key follows up.
    pub fn receipt(&self) -> String {
        format!("sd-{}", crate::hex(&self.receipt))
    }

    /// What the secret gives: the access token and the reply identity.
    pub fn derive(&self) -> Derived {
        Derived::from_secret(&self.secret)
    }
}

/// What a secret gives, by HKDF-SHA256 with distinct labels. No `Debug`.
pub struct Derived {
    token: [u8; 32],
    /// The reply identity's X25519 scalar.
    scalar: [u8; 32],
}

impl Derived {
    /// Derives the access token and the reply identity from `secret`.
    pub fn from_secret(secret: &[u8; 16]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(SALT), secret);
        let mut token = [0u8; 32];
        let mut scalar = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 8160: expand cannot fail.
        let _ = hk.expand(TOKEN_INFO, &mut token);
        let _ = hk.expand(IDENTITY_INFO, &mut scalar);
        Derived { token, scalar }
    }

    /// The access token as sent in `Authorization: Bearer …`: 64 hex digits.
    pub fn token(&self) -> String {
        crate::hex(&self.token)
    }

    /// What the receiver keeps and is sent with the report (`Sealdrop-Thread`): the SHA-256 of
    /// the token's 32 bytes, as 64 hex digits.
    pub fn token_hash(&self) -> String {
        crate::sha256_hex(&self.token)
    }

    /// The reply recipient, `age1…`: what `report.json`'s `reply_to` carries.
    pub fn recipient(&self) -> String {
        let public = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(self.scalar));
        bech32::encode::<Bech32>(Hrp::parse_unchecked("age"), public.as_bytes()).unwrap_or_default()
    }

    /// The reply identity as age's own type (`AGE-SECRET-KEY-1…`), for native callers; the
    /// form opens replies with [`Derived::open_message`], which needs none of age's decryptor.
    pub fn identity(&self) -> age::x25519::Identity {
        let hrp = Hrp::parse_unchecked("age-secret-key-");
        bech32::encode::<Bech32>(hrp, &self.scalar)
            .unwrap_or_default()
            .to_ascii_uppercase()
            .parse()
            .unwrap_or_else(|_| age::x25519::Identity::generate())
    }

    /// Decrypts a message sealed to the reply key and reads its bundle.
    ///
    /// # Errors
    /// [`OpenError`].
    pub fn open_message(&self, ciphertext: &[u8], max: u64) -> Result<Opened, OpenError> {
        read_message(&crate::open::decrypt_x25519(&self.scalar, ciphertext, max)?)
    }
}

/// The SHA-256 (hex) of an access token given as 64 hex digits, as the receiver computes it to
/// compare with what it keeps; `None` if `token` is not 64 hex digits.
pub fn token_hash_of(token: &str) -> Option<String> {
    if token.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(token.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(crate::sha256_hex(&bytes))
}

/// Who wrote a message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    Reporter,
    Organization,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Reporter => "reporter",
            Sender::Organization => "organization",
        }
    }
}

/// Where the organization says the report stands; inside the ciphertext only.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    Triaged,
    Accepted,
    Fixed,
    Disclosed,
    Declined,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Received,
        Status::Triaged,
        Status::Accepted,
        Status::Fixed,
        Status::Disclosed,
        Status::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Triaged => "triaged",
            Status::Accepted => "accepted",
            Status::Fixed => "fixed",
            Status::Disclosed => "disclosed",
            Status::Declined => "declined",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// `message.json`: one message of a conversation. No `Debug` (plaintext).
#[derive(Clone, PartialEq, Serialize)]
pub struct Message {
    pub schema: String,
    pub id: String,
    pub created_at: String,
    pub from: Sender,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// When the organization expects the next step (a date, `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentMeta>,
}

impl Message {
    /// Reads `message.json`. Through `serde_json::Value` rather than a derived `Deserialize`,
    /// whose error messages would link float formatting into the form (11 KB).
    pub fn from_json(bytes: &[u8]) -> Option<Message> {
        // `from_str`: the instantiation the form already links for its configuration.
        let v: serde_json::Value = serde_json::from_str(std::str::from_utf8(bytes).ok()?).ok()?;
        let text = |k: &str| v.get(k)?.as_str().map(str::to_string);
        let opt = |k: &str| match v.get(k) {
            None | Some(serde_json::Value::Null) => Some(None),
            Some(x) => x.as_str().map(|s| Some(s.to_string())),
        };
        let from = match v.get("from")?.as_str()? {
            "reporter" => Sender::Reporter,
            "organization" => Sender::Organization,
            _ => return None,
        };
        let status = match opt("status")? {
            None => None,
            Some(s) => Some(Status::parse(&s)?),
        };
        let attachments = match v.get("attachments") {
            None => Vec::new(),
            Some(a) => a
                .as_array()?
                .iter()
                .map(|a| {
                    let t = |k: &str| a.get(k)?.as_str().map(str::to_string);
                    Some(AttachmentMeta {
                        name: t("name")?,
                        size: a.get("size")?.as_u64()?,
                        sha256: t("sha256")?,
                        media_type: t("media_type")?,
                        path: t("path")?,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(Message {
            schema: text("schema")?,
            id: text("id")?,
            created_at: text("created_at")?,
            from,
            text: text("text")?,
            status,
            expected: opt("expected")?,
            attachments,
        })
    }
}

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    s.len() == 10 && rfc3339_to_unix(&format!("{s}T00:00:00Z")).is_some()
}

/// `message.md`.
pub fn render_message(m: &Message) -> String {
    use std::fmt::Write as _;
    let who = match m.from {
        Sender::Reporter => "The reporter",
        Sender::Organization => "The security team",
    };
    let mut s = format!(
        "# {who} wrote\n\n- Message id: {}\n- Created: {}\n",
        m.id, m.created_at
    );
    if let Some(st) = m.status {
        let _ = writeln!(s, "- Status: {}", st.as_str());
    }
    if let Some(d) = &m.expected {
        let _ = writeln!(s, "- Expected: {d}");
    }
    let _ = writeln!(s, "\n{}", m.text);
    if !m.attachments.is_empty() {
        s.push_str("\n## Attachments\n\n");
        for a in &m.attachments {
            let _ = writeln!(
                s,
                "- `{}` ({} bytes, {}), sha256 {}",
                a.path, a.size, a.media_type, a.sha256
            );
        }
    }
    s
}

impl BundleParts {
    /// The parts of a message's bundle.
    ///
    /// # Errors
    /// Only if the message cannot be serialized (it always can).
    pub fn of_message(m: &Message) -> std::io::Result<Self> {
        Ok(BundleParts {
            kind: BundleKind::Message,
            json: serde_json::to_vec_pretty(m).map_err(std::io::Error::other)?,
            markdown: render_message(m),
            mtime: rfc3339_to_unix(&m.created_at).unwrap_or(0),
            attachments: m
                .attachments
                .iter()
                .map(|a| (a.path.clone(), a.size, a.sha256.clone()))
                .collect(),
        })
    }
}

/// Why a sealed message could not be opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OpenError {
    /// Not an age file at all.
    NotAnAgeFile,
    /// Not sealed to this identity.
    NotForThisKey,
    /// The ciphertext was cut short or altered.
    Damaged,
    /// Bigger than the caller allows.
    TooLarge,
    /// Decrypted, but not a message bundle.
    NotAMessage,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OpenError::NotAnAgeFile => "it is not an age file",
            OpenError::NotForThisKey => "it is not sealed to this key",
            OpenError::Damaged => "it is damaged (cut short or altered)",
            OpenError::TooLarge => "it is larger than allowed",
            OpenError::NotAMessage => "it is not a sealdrop message",
        })
    }
}

impl std::error::Error for OpenError {}

/// A message opened: its `message.json` and its attachments' bytes, in its order.
pub struct Opened {
    pub message: Message,
    pub files: Vec<Vec<u8>>,
}

/// Reads a decrypted message bundle: its `message.json` and its attachments.
///
/// # Errors
/// [`OpenError::NotAMessage`] when it is not a message bundle.
pub fn read_message(plain: &[u8]) -> Result<Opened, OpenError> {
    let entries = read_tar(plain).ok_or(OpenError::NotAMessage)?;
    let json = entries
        .iter()
        .find(|(p, _)| *p == MESSAGE_JSON)
        .ok_or(OpenError::NotAMessage)?;
    let message = Message::from_json(json.1).ok_or(OpenError::NotAMessage)?;
    let files = message
        .attachments
        .iter()
        .map(|a| {
            entries
                .iter()
                .find(|(p, _)| *p == a.path)
                .filter(|(_, b)| b.len() as u64 == a.size)
                .map(|(_, b)| b.to_vec())
                .ok_or(OpenError::NotAMessage)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Opened { message, files })
}

/// The regular files of a ustar archive as (path, bytes); `None` if it is not one. Reads only
/// what sealdrop writes (no long names, no links) and never trusts a size beyond the input.
pub fn read_tar(b: &[u8]) -> Option<Vec<(&str, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    loop {
        let h = b.get(at..at + 512)?;
        if h.iter().all(|&x| x == 0) {
            return Some(out);
        }
        let name_end = h[..100].iter().position(|&x| x == 0).unwrap_or(100);
        let name = std::str::from_utf8(&h[..name_end]).ok()?;
        let size_field = std::str::from_utf8(&h[124..136]).ok()?;
        let size = u64::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
            .ok()?;
        let size = usize::try_from(size).ok()?;
        let start = at + 512;
        let data = b.get(start..start.checked_add(size)?)?;
        if matches!(h[156], b'0' | 0) {
            out.push((name, data));
        }
        at = start + size.div_ceil(512) * 512;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_writer_wrote() {
        let mut t = crate::tar::TarWriter::new(Vec::new(), 0);
        t.file("message.json", b"{}").unwrap();
        t.dir("attachments/").unwrap();
        t.file("attachments/a", &[7u8; 700]).unwrap();
        let out = t.finish().unwrap();
        let entries = read_tar(&out).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0], ("message.json", &b"{}"[..]));
        assert_eq!(entries[1].1, &[7u8; 700][..]);
        // Cut short: refused, never read past the end.
        assert!(read_tar(&out[..600]).is_none());
        assert!(read_tar(&out[..1100]).is_none());
    }
}
