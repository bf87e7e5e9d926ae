//! The core's round trip in headless Chromium: proves the wasm32 build, getrandom's `js`
//! backend and age's sealing all work where researchers run them.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use age::secrecy::ExposeSecret;
use sealdrop_core::{parse_recipients, seal, validate, Draft, DraftAttachment, Limits, Report};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn draft() -> Draft {
    Draft {
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-22T10:00:00Z".into(),
        type_id: "CWE-918".into(),
        type_name: "Server-side request forgery (SSRF)".into(),
        title: "SSRF in the PDF renderer".into(),
        affected: vec!["https://app.example.com/render".into()],
        steps: "POST a URL pointing at 169.254.169.254".into(),
        impact: "Cloud credentials can be read.".into(),
        attachments: vec![DraftAttachment::of(
            "request.txt",
            "text/plain",
            &[42; 100_000],
        )],
        ..Draft::default()
    }
}

/// The contents of the tar entry at `path` (ustar: 512-byte headers, size in octal).
fn tar_entry(tar: &[u8], path: &str) -> Option<Vec<u8>> {
    let mut off = 0;
    while off + 512 <= tar.len() && tar[off] != 0 {
        let h = &tar[off..off + 512];
        let name_end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = std::str::from_utf8(&h[..name_end]).ok()?;
        let size_txt = std::str::from_utf8(&h[124..135]).ok()?;
        let size = usize::from_str_radix(size_txt.trim_matches(char::from(0)), 8).ok()?;
        if name == path {
            return Some(tar[off + 512..off + 512 + size].to_vec());
        }
        off += 512 + size.div_ceil(512) * 512;
    }
    None
}

#[wasm_bindgen_test]
fn seals_and_opens_in_the_browser() {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    assert!(identity
        .to_string()
        .expose_secret()
        .starts_with("AGE-SECRET-KEY-1"));
    let recipients = parse_recipients(&[recipient]).unwrap();
    let d = draft();
    let report = validate(&d, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    let bytes = [42u8; 100_000];
    let files: Vec<&[u8]> = vec![&bytes];
    let ct = seal(&recipients, &report, &files, Vec::new()).unwrap();
    assert!(ct.starts_with(b"age-encryption.org/v1\n"));
    assert!(
        !ct.windows(8).any(|w| w == b"PDF rend"),
        "plaintext leaked into the ciphertext"
    );

    let plain = age::decrypt(&identity, &ct).unwrap();
    let json: Report = serde_json::from_slice(&tar_entry(&plain, "report.json").unwrap()).unwrap();
    assert!(json == report);
    assert_eq!(
        tar_entry(&plain, "attachments/request.txt").unwrap(),
        bytes.to_vec()
    );
    assert!(String::from_utf8(tar_entry(&plain, "report.md").unwrap())
        .unwrap()
        .starts_with("# SSRF in the PDF renderer"));
}

#[wasm_bindgen_test]
fn ids_are_random_uuids() {
    let a = sealdrop_core::new_uuid().unwrap();
    let b = sealdrop_core::new_uuid().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(&a[14..15], "4");
}

/// Interop: a reply sealed by `sealdrop inbox reply` (tests/fixtures/reply-from-inbox.age,
/// written by the receiver's thread test with SEALDROP_WRITE_FIXTURE=1, sealed to the reply
/// key of secret [11; 16]) opens in wasm with the derived key, without age's decryptor.
#[wasm_bindgen_test]
fn a_reply_from_inbox_reply_opens_with_the_derived_key() {
    let sealed = include_bytes!("fixtures/reply-from-inbox.age");
    let d = sealdrop_core::Derived::from_secret(&[11; 16]);
    let opened = d.open_message(sealed, 1 << 20).unwrap();
    assert_eq!(opened.message.text, "We reproduced it; a fix is planned.");
    assert_eq!(opened.message.status, Some(sealdrop_core::Status::Triaged));
    assert_eq!(opened.message.from, sealdrop_core::Sender::Organization);
    assert_eq!(opened.files, vec![b"--- a\n+++ b\n".to_vec()]);
    let other = sealdrop_core::Derived::from_secret(&[12; 16]);
    assert_eq!(
        other.open_message(sealed, 1 << 20).err(),
        Some(sealdrop_core::OpenError::NotForThisKey)
    );
}
