//! Parsing the organization's age recipients, with a distinct, actionable error for each way a
//! pasted key goes wrong.

use std::fmt;
use std::str::FromStr;

/// The recipients a report is sealed to.
pub struct Recipients {
    keys: Vec<Box<dyn age::Recipient + Send>>,
    strings: Vec<String>,
}

impl Recipients {
    /// The recipients in canonical (lower-case) form.
    pub fn as_strings(&self) -> &[String] {
        &self.strings
    }

    /// Short fingerprints to show in the form, e.g. `age1ql3z7h…ac8p`.
    pub fn fingerprints(&self) -> Vec<String> {
        self.strings.iter().map(|s| fingerprint(s)).collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &dyn age::Recipient> {
        self.keys.iter().map(|k| k.as_ref() as &dyn age::Recipient)
    }
}

/// The first 12 and last 6 characters of a recipient, enough to compare it by eye with the
/// output of `age-keygen -y` or `sealdrop keygen`.
pub fn fingerprint(recipient: &str) -> String {
    let n = recipient.chars().count();
    if n <= 20 {
        return recipient.to_string();
    }
    let head: String = recipient.chars().take(12).collect();
    let tail: String = recipient.chars().skip(n - 6).collect();
    format!("{head}…{tail}")
}

/// What is wrong with a recipient.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RecipientProblem {
    /// No recipient at all.
    Empty,
    /// `AGE-SECRET-KEY-1…`: a private key pasted where the public one belongs.
    SecretKey,
    /// Neither `age1…`, `age1tag1…` nor `age1tagpq1…`.
    UnknownPrefix,
    /// A recipient type that exists but that sealdrop cannot seal to (age1pq1, ssh, plugins).
    Unsupported,
    /// Upper and lower case mixed: a Bech32 string is all one case.
    MixedCase,
    /// The Bech32 checksum does not match: a character was mistyped or lost.
    BadChecksum,
    /// The right prefix and checksum, but not a valid key of that type.
    Malformed,
    /// The same recipient listed twice.
    Duplicate,
    /// `age1tag1…`/`age1tagpq1…` where the web form must seal: it leaves these out for size.
    NotInWebForm,
    /// Post-quantum (`age1tagpq1…`) and classic recipients in one list: age refuses to mix
    /// them, since the classic stanza would undo the post-quantum protection.
    MixedPostQuantum,
}

/// A recipient that could not be used, with its position in the list (0-based).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecipientError {
    pub index: Option<usize>,
    /// A short, safe preview of what was given; never a secret key.
    pub preview: String,
    pub problem: RecipientProblem,
}

impl RecipientProblem {
    /// What happened and what to do.
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "no age recipient is configured: add the organization's public key (age1…), e.g. from `sealdrop keygen`",
            Self::SecretKey => "this is an age PRIVATE key (AGE-SECRET-KEY-1…); it must never be shared or published. Remove it, generate a new identity since this one is exposed, and configure its public key (age1…) instead",
            Self::UnknownPrefix => "not an age recipient: expected a public key starting with age1, age1tag1 or age1tagpq1",
            Self::Unsupported => "this kind of recipient is not supported by sealdrop (age1pq1, ssh and plugin recipients are not): use an X25519 key (age1…) or a tag key (age1tag1…, age1tagpq1…)",
            Self::MixedCase => "mixes upper and lower case: copy the key exactly as generated (all lower case)",
            Self::BadChecksum => "the checksum does not match: a character was changed or lost while copying; copy the key again",
            Self::Malformed => "has the right prefix but is not a valid key of that type (wrong length?): copy the whole key again",
            Self::Duplicate => "is listed more than once: remove the duplicate",
            Self::NotInWebForm => "hardware-key recipients (age1tag1…, age1tagpq1…) are not supported by the web form, which leaves them out to stay small: configure an X25519 recipient (age1…) from `sealdrop keygen` or age-keygen",
            Self::MixedPostQuantum => "post-quantum recipients (age1tagpq1…) cannot be combined with classic ones (age1…, age1tag1…), which would undo their protection: list only one kind",
        }
    }
}

impl fmt::Display for RecipientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(
                f,
                "recipient {} ({}): {}",
                i + 1,
                self.preview,
                self.problem.message()
            ),
            None => f.write_str(self.problem.message()),
        }
    }
}

impl std::error::Error for RecipientError {}

const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_checksum_ok(s: &str) -> bool {
    let Some(sep) = s.rfind('1') else {
        return false;
    };
    let (hrp, data) = (&s[..sep], &s[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 {
        return false;
    }
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    for c in data.bytes() {
        match CHARSET.iter().position(|&x| x == c) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for v in values {
        let b = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (b >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk == 1
}

fn preview(s: &str) -> String {
    let p = fingerprint(s);
    p.chars().filter(|c| !c.is_control()).collect()
}

/// Checks one recipient: its normalized form and kind (0 X25519, 1 tag, 2 tagpq). The key
/// is decoded by age and dropped: only [`build`] makes the sealing object, so a caller that
/// only checks (the form) links none of the sealing code.
fn check_one(raw: &str) -> Result<(String, u8), RecipientProblem> {
    let s = raw.trim();
    if s.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") {
        return Err(RecipientProblem::SecretKey);
    }
    if s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-") {
        return Err(RecipientProblem::Unsupported);
    }
    let has_upper = s.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = s.chars().any(|c| c.is_ascii_lowercase());
    if !s.to_ascii_lowercase().starts_with("age1") {
        return Err(RecipientProblem::UnknownPrefix);
    }
    if has_upper && has_lower {
        return Err(RecipientProblem::MixedCase);
    }
    let s = s.to_ascii_lowercase();
    let hrp = &s[..s.rfind('1').unwrap_or(0)];
    let kind = match hrp {
        "age" => 0,
        "age1tag" => 1,
        "age1tagpq" => 2,
        h if h.starts_with("age1") => return Err(RecipientProblem::Unsupported),
        _ => return Err(RecipientProblem::UnknownPrefix),
    };
    if !bech32_checksum_ok(&s) {
        return Err(RecipientProblem::BadChecksum);
    }
    let decodes = match kind {
        0 => age::x25519::Recipient::from_str(&s).is_ok(),
        #[cfg(feature = "hardware-keys")]
        1 => age::tag::Recipient::from_str(&s).is_ok(),
        #[cfg(feature = "hardware-keys")]
        _ => age::tagpq::Recipient::from_str(&s).is_ok(),
        #[cfg(not(feature = "hardware-keys"))]
        _ => return Err(RecipientProblem::NotInWebForm),
    };
    if !decodes {
        return Err(RecipientProblem::Malformed);
    }
    Ok((s, kind))
}

/// The sealing object of a recipient already checked by [`check_one`].
fn build(s: &str, kind: u8) -> Result<Box<dyn age::Recipient + Send>, RecipientProblem> {
    Ok(match kind {
        0 => {
            Box::new(age::x25519::Recipient::from_str(s).map_err(|_| RecipientProblem::Malformed)?)
        }
        #[cfg(feature = "hardware-keys")]
        1 => Box::new(age::tag::Recipient::from_str(s).map_err(|_| RecipientProblem::Malformed)?),
        #[cfg(feature = "hardware-keys")]
        _ => Box::new(age::tagpq::Recipient::from_str(s).map_err(|_| RecipientProblem::Malformed)?),
        #[cfg(not(feature = "hardware-keys"))]
        _ => return Err(RecipientProblem::NotInWebForm),
    })
}

/// Parses recipients: any mix of X25519 (`age1…`), `age1tag1…` and `age1tagpq1…`, into the
/// set [`crate::seal`] seals to.
///
/// # Errors
/// As [`check_recipients`].
pub fn parse_recipients<S: AsRef<str>>(list: &[S]) -> Result<Recipients, Vec<RecipientError>> {
    let checked = check(list)?;
    let mut out = Recipients {
        keys: Vec::new(),
        strings: Vec::new(),
    };
    for (i, (s, kind)) in checked.into_iter().enumerate() {
        let key = build(&s, kind).map_err(|problem| {
            vec![RecipientError {
                index: Some(i),
                preview: preview(&s),
                problem,
            }]
        })?;
        out.strings.push(s);
        out.keys.push(key);
    }
    Ok(out)
}

/// Checks recipients exactly as [`parse_recipients`] does and returns their normalized
/// strings, without making anything that seals (the form checks; its worker seals).
///
/// # Errors
/// Every unusable entry, each with its position and what to do; [`RecipientProblem::Empty`]
/// when the list holds nothing.
pub fn check_recipients<S: AsRef<str>>(list: &[S]) -> Result<Vec<String>, Vec<RecipientError>> {
    Ok(check(list)?.into_iter().map(|(s, _)| s).collect())
}

fn check<S: AsRef<str>>(list: &[S]) -> Result<Vec<(String, u8)>, Vec<RecipientError>> {
    let mut errors = Vec::new();
    let mut out: Vec<(String, u8)> = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let raw = raw.as_ref();
        if raw.trim().is_empty() {
            continue;
        }
        match check_one(raw) {
            Ok((s, _)) if out.iter().any(|(o, _)| *o == s) => errors.push(RecipientError {
                index: Some(i),
                preview: preview(&s),
                problem: RecipientProblem::Duplicate,
            }),
            Ok(entry) => out.push(entry),
            Err(problem) => errors.push(RecipientError {
                index: Some(i),
                preview: if problem == RecipientProblem::SecretKey {
                    "AGE-SECRET-KEY-1…".to_string()
                } else {
                    preview(raw.trim())
                },
                problem,
            }),
        }
    }
    let pq = out
        .iter()
        .filter(|(s, _)| s.starts_with("age1tagpq1"))
        .count();
    if errors.is_empty() && pq > 0 && pq < out.len() {
        errors.push(RecipientError {
            index: None,
            preview: String::new(),
            problem: RecipientProblem::MixedPostQuantum,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(RecipientError {
            index: None,
            preview: String::new(),
            problem: RecipientProblem::Empty,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
