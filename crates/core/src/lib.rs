//! sealdrop-core: the part of sealdrop that must be exactly right.
//!
//! The report model and its validation, the bundle format (an uncompressed, deterministic POSIX
//! tar of `report.json`, `report.md` and `attachments/…`), sealing that bundle with age, and the
//! widget's configuration schema. It has no web dependencies, so `cargo test -p sealdrop-core`
//! exercises all of it natively in milliseconds; the widget and the receiver build on it.

mod bundle;
mod config;
pub mod english;
mod filename;
mod followup;
mod open;
mod questions;
mod recipients;
mod report;
mod seal;
mod severity;
mod tar;
mod target;
mod validate;

pub use bundle::{
    render_markdown, render_markdown_in, write_bundle, BundleKind, BundleParts, BundleWriter,
    BUNDLE_JSON, BUNDLE_MD, MESSAGE_JSON, MESSAGE_MD,
};
pub use config::{
    Config, ConfigError, Theme, VulnType, DEFAULT_TYPES, MAX_ATTACHMENT_BYTES_CEILING,
};
pub use filename::safe_file_name;
pub use followup::{
    is_date, is_receipt, new_secret, read_message, read_tar, render_message, token_hash_of,
    Derived, FollowUpKey, KeyError, Message, OpenError, Opened, Sender, Status, KEY_PREFIX,
    MESSAGE_SCHEMA,
};
pub use open::decrypt_x25519;
pub use questions::{
    lang_tag_ok, parse_questions, Question, QuestionKind, Text, MAX_CHOICES, MAX_QUESTIONS,
    QUESTION_STEPS,
};
pub use recipients::{
    check_recipients, fingerprint, parse_recipients, RecipientError, RecipientProblem, Recipients,
};
pub use report::{
    Affected, Answer, AttachmentMeta, Credit, Draft, DraftAnswer, DraftAttachment, Policy, Report,
    Reporter, Severity, TypeRef, SCHEMA,
};
pub use seal::{seal, seal_to_vec, sealed_size_bound, SealError, Sealer};
#[cfg(feature = "cvss")]
pub use severity::score_vector;
pub use severity::{check_version, rating_of, tenths, CvssError, Score};
pub use target::{check_target, TargetError};
pub use validate::{validate, FieldError, FieldId, Limits, Problem, ValidationErrors};

/// A random version-4 UUID, as the report id and the delivery's `Idempotency-Key`.
///
/// # Errors
/// Fails only when the platform has no randomness source.
pub fn new_uuid() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Lower-case hex of bytes (digests, receipts).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of bytes as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}
pub use validate::{email_shape_ok, human_bytes, is_invisible_control};

/// The ASCII-armored form of a binary age file (age's strict PEM-like armor: 64-character
/// lines of padded base64 between BEGIN and END lines), for pasting into an email. Written here
/// rather than through age's `armor` feature, which costs the widget 3 KB more.
pub fn armor(binary: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = Vec::with_capacity(binary.len().div_ceil(3) * 4);
    for chunk in binary.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            b64.push(if i <= chunk.len() {
                B64[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            });
        }
    }
    let mut out = String::from("-----BEGIN AGE ENCRYPTED FILE-----\n");
    for line in b64.chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END AGE ENCRYPTED FILE-----\n");
    out
}
