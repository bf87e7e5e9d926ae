//! The sealer's streaming path in headless Chromium: a multi-slice `Blob` digested and sealed
//! slice by slice gives exactly the bytes and bundle of the buffered path, and files that
//! changed since they were attached are refused.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;

use sealdrop_core::{
    parse_recipients, seal, validate, BundleParts, Draft, DraftAttachment, Limits,
};
use sealdrop_sealer::{digest_blob, seal_blobs, Failure, READ_CHUNK};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_browser);

fn blob(bytes: &[u8]) -> Blob {
    Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&js_sys::Uint8Array::from(bytes))).unwrap()
}

async fn bytes_of(b: &Blob) -> Vec<u8> {
    js_sys::Uint8Array::new(&JsFuture::from(b.array_buffer()).await.unwrap()).to_vec()
}

/// A minimal valid draft without attachments.
fn draft(title: &str) -> Draft {
    Draft {
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-23T10:00:00Z".into(),
        type_id: "CWE-79".into(),
        type_name: "XSS".into(),
        title: title.into(),
        affected: vec!["https://example.com".into()],
        steps: "s".into(),
        impact: "i".into(),
        ..Draft::default()
    }
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

#[wasm_bindgen_test]
async fn a_multi_slice_blob_seals_as_the_buffered_path_does() {
    // Two slices and a bit for the first file, an empty one, a small one.
    let files = [
        pattern(READ_CHUNK * 2 + 12_345, 1),
        Vec::new(),
        pattern(700, 2),
    ];
    let mut draft = draft("streamed");
    let blobs: Vec<Blob> = files.iter().map(|f| blob(f)).collect();
    for (i, (f, b)) in files.iter().zip(&blobs).enumerate() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let sha = digest_blob(b, move |_, _| c.set(c.get() + 1))
            .await
            .unwrap();
        assert_eq!(sha, sealdrop_core::sha256_hex(f));
        assert_eq!(
            calls.get(),
            f.len().div_ceil(READ_CHUNK),
            "one progress call per slice"
        );
        draft.attachments.push(DraftAttachment {
            name: format!("f{i}.bin"),
            media_type: String::new(),
            size: f.len() as u64,
            sha256: sha,
        });
    }
    let limits = Limits {
        max_attachments: 5,
        max_attachment_bytes: u64::MAX,
    };
    let report = validate(&draft, &limits).unwrap();
    let identity = age::x25519::Identity::generate();
    let recipients = vec![identity.to_public().to_string()];
    let last = Rc::new(Cell::new((0.0, 0.0)));
    let l = last.clone();
    let (sealed, sha, size) = seal_blobs(
        &recipients,
        BundleParts::of(&report).unwrap(),
        &blobs,
        move |d, t| l.set((d, t)),
    )
    .await
    .unwrap();
    let total = files.iter().map(Vec::len).sum::<usize>() as f64;
    assert_eq!(last.get(), (total, total), "progress ends at 100%");
    let ct = bytes_of(&sealed).await;
    assert_eq!(ct.len() as u64, size);
    assert_eq!(sha, sealdrop_core::sha256_hex(&ct));
    assert!(ct.starts_with(b"age-encryption.org/v1\n"));
    // The same plaintext as the buffered sealer's.
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let buffered = seal(
        &parse_recipients(&recipients).unwrap(),
        &report,
        &refs,
        Vec::new(),
    )
    .unwrap();
    let a = age::decrypt(&identity, &ct).unwrap();
    let b = age::decrypt(&identity, &buffered).unwrap();
    assert!(a == b, "streamed and buffered bundles differ");
}

#[wasm_bindgen_test]
async fn a_file_that_changed_after_it_was_attached_is_refused() {
    let original = pattern(5000, 9);
    let mut draft = draft("changed");
    draft
        .attachments
        .push(DraftAttachment::of("a.bin", "", &original));
    let report = validate(&draft, &Limits::default()).unwrap();
    let recipients = vec![age::x25519::Identity::generate().to_public().to_string()];
    let mut edited = original.clone();
    edited[10] ^= 1;
    let outcome = seal_blobs(
        &recipients,
        BundleParts::of(&report).unwrap(),
        &[blob(&edited)],
        |_, _| {},
    )
    .await;
    assert_eq!(outcome.err(), Some(Failure::Changed));
    let shorter = seal_blobs(
        &recipients,
        BundleParts::of(&report).unwrap(),
        &[blob(&original[..4000])],
        |_, _| {},
    )
    .await;
    assert_eq!(shorter.err(), Some(Failure::Changed));
}
