//! Shared helpers for the core's integration tests: keys of every recipient type, a sample
//! report, and opening a sealed bundle with an independent tar reader (the `tar` crate).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use age::secrecy::ExposeSecret;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sealdrop_core::{Draft, DraftAttachment, Limits, Report};

pub fn x25519() -> (age::x25519::Identity, String) {
    let id = age::x25519::Identity::generate();
    let r = id.to_public().to_string();
    (id, r)
}

pub fn identity_text(id: &age::x25519::Identity) -> String {
    format!("{}\n", id.to_string().expose_secret())
}

fn p256_point(compressed: bool) -> Vec<u8> {
    let sk = p256::SecretKey::random(&mut rand_core::OsRng);
    sk.public_key()
        .to_encoded_point(compressed)
        .as_bytes()
        .to_vec()
}

/// A hardware-key style `age1tag1…` recipient (P-256), as `age-plugin-tag` would print.
pub fn tag_recipient() -> String {
    bech32("age1tag", &p256_point(true))
}

/// An `age1tagpq1…` recipient: ML-KEM-768 encapsulation key followed by a P-256 point.
pub fn tagpq_recipient() -> String {
    let mut bytes = vec![0u8; 1184];
    getrandom_fill(&mut bytes);
    bytes.extend(p256_point(false));
    bech32("age1tagpq", &bytes)
}

/// Bech32 (BIP 173) without its 90-character limit, as age uses it; the `bech32` crate
/// refuses strings as long as a post-quantum key.
pub fn bech32(hrp: &str, data: &[u8]) -> String {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut words = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in data {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            words.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        words.push(((acc << (5 - bits)) & 31) as u8);
    }
    let polymod = |values: &[u8]| {
        let mut chk: u32 = 1;
        for &v in values {
            let b = chk >> 25;
            chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
            for (i, g) in GEN.iter().enumerate() {
                if (b >> i) & 1 == 1 {
                    chk ^= g;
                }
            }
        }
        chk
    };
    let mut values: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|c| c & 31));
    values.extend(&words);
    values.extend([0u8; 6]);
    let m = polymod(&values) ^ 1;
    words.extend((0..6).map(|i| ((m >> (5 * (5 - i))) & 31) as u8));
    let body: String = words.iter().map(|&w| CHARSET[w as usize] as char).collect();
    format!("{hrp}1{body}")
}

fn getrandom_fill(b: &mut [u8]) {
    use rand_core::RngCore;
    rand_core::OsRng.fill_bytes(b);
}

pub fn sample_draft() -> Draft {
    Draft {
        id: "0b7c6a0e-4b7e-4d7c-9a51-2f4f0f8f1a11".into(),
        created_at: "2026-11-22T10:00:00Z".into(),
        type_id: "CWE-79".into(),
        type_name: "Cross-site scripting (XSS)".into(),
        title: "Stored XSS in profile bio".into(),
        affected: vec!["https://app.example.com/profile".into(), "iOS app".into()],
        prerequisites: "A free account.".into(),
        steps: "1. Log in\n2. Put <script>alert(1)</script> in the bio\n3. Open the profile".into(),
        impact: "Session theft of anyone viewing the profile.".into(),
        cvss: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N".into(),
        reporter_name: "Ada".into(),
        reporter_handle: "ada_sec".into(),
        reporter_email: "ada@example.org".into(),
        credit: sealdrop_core::Credit::Handle,
        attachments: vec![
            DraftAttachment::of("poc.html", "text/html", &sample_files()[0]),
            DraftAttachment::of("screen.png", "image/png", &sample_files()[1]),
        ],
        policy_url: "https://example.com/security".into(),
        policy_accepted_at: "2026-11-22T09:59:00Z".into(),
        answers: Vec::new(),
        cvss_score: None,
    }
}

/// The bytes of [`sample_draft`]'s attachments.
pub fn sample_files() -> Vec<Vec<u8>> {
    vec![
        b"<script>alert(document.domain)</script>".to_vec(),
        (0..=255u8).cycle().take(70_000).collect(),
    ]
}

pub fn sample() -> (Report, Vec<Vec<u8>>) {
    let d = sample_draft();
    let r = sealdrop_core::validate(&d, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    (r, sample_files())
}

pub fn refs(files: &[Vec<u8>]) -> Vec<&[u8]> {
    files.iter().map(Vec::as_slice).collect()
}

/// Decrypts with the age crate and lists the tar's entries (path -> bytes), also checking that
/// every entry is a regular file or directory with safe permissions.
pub fn open(ciphertext: &[u8], id: &age::x25519::Identity) -> BTreeMap<String, Vec<u8>> {
    let plain = age::decrypt(id, ciphertext).unwrap();
    untar(&plain)
}

pub fn untar(plain: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut ar = tar::Archive::new(plain);
    let mut out = BTreeMap::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let kind = e.header().entry_type();
        assert!(
            kind.is_file() || kind.is_dir(),
            "unexpected entry type {kind:?}"
        );
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if kind.is_file() {
            out.insert(path, data);
        }
    }
    out
}

/// A directory for one test's files.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}
