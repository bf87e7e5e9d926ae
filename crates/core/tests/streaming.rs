//! The streaming sealer (`Sealer`), which the browser's worker feeds slice by slice: any split
//! of the attachments' bytes gives the same bundle as the buffered path, and bytes that are
//! not the ones the report describes are refused.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use sealdrop_core::{
    parse_recipients, validate, write_bundle, BundleWriter, DraftAttachment, Limits, SealError,
    Sealer,
};

/// Feeds the concatenated attachments to a `Sealer` in chunks of the given sizes (cycled).
fn seal_in_chunks(files: &[Vec<u8>], chunks: &[usize]) -> (Vec<u8>, age::x25519::Identity) {
    let (id, r) = x25519();
    let recipients = parse_recipients(&[r]).unwrap();
    let mut d = sample_draft();
    d.attachments = files
        .iter()
        .enumerate()
        .map(|(i, b)| DraftAttachment::of(&format!("f{i}.bin"), "", b))
        .collect();
    let report = validate(
        &d,
        &Limits {
            max_attachments: 10,
            max_attachment_bytes: u64::MAX,
        },
    )
    .unwrap();
    let all: Vec<u8> = files.concat();
    let mut sealer = Sealer::new(&recipients, &report, Vec::new()).unwrap();
    let mut at = 0;
    for &n in chunks.iter().cycle() {
        if at >= all.len() {
            break;
        }
        let end = (at + n.max(1)).min(all.len());
        sealer.write(&all[at..end]).unwrap();
        at = end;
    }
    assert_eq!(sealer.current(), None, "every attachment is complete");
    let ct = sealer.finish().unwrap();
    let plain = age::decrypt(&id, &ct).unwrap();
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let expected = write_bundle(&report, &refs, Vec::new()).unwrap();
    assert!(
        plain == expected,
        "the streamed bundle differs from the buffered one"
    );
    (ct, id)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn any_split_gives_the_buffered_bundle(
        sizes in prop::collection::vec(0usize..200_000, 0..4),
        chunks in prop::collection::vec(1usize..150_000, 1..5),
    ) {
        let files: Vec<Vec<u8>> = sizes.iter().enumerate()
            .map(|(i, &n)| (0..n).map(|j| (j * 7 + i) as u8).collect())
            .collect();
        seal_in_chunks(&files, &chunks);
    }
}

#[test]
fn empty_files_between_others_and_chunks_across_files() {
    let files = vec![vec![1u8; 1000], Vec::new(), vec![2u8; 70_000], Vec::new()];
    seal_in_chunks(&files, &[333, 65_536, 1]);
}

#[test]
fn a_changed_file_is_refused() {
    let (_, r) = x25519();
    let recipients = parse_recipients(&[r]).unwrap();
    let (report, mut att) = sample();
    att[1][500] ^= 1;
    let mut sealer = Sealer::new(&recipients, &report, Vec::new()).unwrap();
    sealer.write(&att[0]).unwrap();
    assert!(matches!(sealer.write(&att[1]), Err(SealError::Changed)));
}

#[test]
fn missing_or_extra_bytes_are_refused() {
    let (report, att) = sample();
    let mut short = BundleWriter::new(&report, Vec::new()).unwrap();
    short.write(&att[0]).unwrap();
    short.write(&att[1][..att[1].len() - 1]).unwrap();
    assert_eq!(short.current(), Some(1));
    assert_eq!(
        short.finish().err().unwrap().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let mut long = BundleWriter::new(&report, Vec::new()).unwrap();
    long.write(&att[0]).unwrap();
    long.write(&att[1]).unwrap();
    assert_eq!(
        long.write(b"x").err().unwrap().kind(),
        std::io::ErrorKind::InvalidInput
    );
}
