#![cfg(not(target_arch = "wasm32"))]
//! The follow-up key, its derivation (pinned by vectors generated once and committed, and
//! checked against an independent HKDF in Python when they were made), and messages sealed to
//! the derived reply key.

#![allow(clippy::unwrap_used)]

use sealdrop_core::{
    parse_recipients, read_message, token_hash_of, AttachmentMeta, BundleParts, Derived,
    FollowUpKey, KeyError, Message, OpenError, Sealer, Sender, Status, MESSAGE_SCHEMA,
};

const RECEIPT: &str = "sd-00112233445566778899aabbccddeeff";
const SECRET: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const KEY: &str = "sdkey1qqgjyv6y24n80zye42aueh0wluqqzqsrqszsvpcgpy9qkrqdpc8sjmu6hr";
const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

#[test]
fn derivation_is_pinned() {
    let key = FollowUpKey::new(RECEIPT, SECRET).unwrap();
    assert_eq!(key.encode(), KEY);
    let d = key.derive();
    assert_eq!(
        d.token(),
        "f7bcb332016c7a3a838889d478b67a04f45245efb56e63285f75a164e54a268a"
    );
    assert_eq!(
        d.token_hash(),
        "bc9fdba426ce2c5b65f39b4b1e662846506e9a3f73f38ecf24f50ce9cf34649f"
    );
    assert_eq!(
        d.recipient(),
        "age1h5ey7c4xq4gd7y30zswun2pdl3apu6dn9dap2sjh29mztarfs4equy74n0"
    );
    assert_eq!(
        token_hash_of(&d.token()).as_deref(),
        Some(d.token_hash().as_str())
    );
    assert_eq!(token_hash_of("zz"), None);
    // Another secret gives another token and key.
    let other = Derived::from_secret(&[1; 16]);
    assert_ne!(other.token(), d.token());
    assert_ne!(other.recipient(), d.recipient());
}

#[test]
fn round_trip() {
    for i in 0..200u8 {
        let secret = sealdrop_core::new_secret().unwrap();
        let receipt = format!("sd-{}", sealdrop_core::hex(&[i; 16]));
        let key = FollowUpKey::new(&receipt, secret).unwrap();
        let s = key.encode();
        assert_eq!(s.len(), 64);
        let back = FollowUpKey::parse(&s).unwrap();
        assert!(back == key);
        assert_eq!(back.receipt(), receipt);
        // As pasted: upper case, wrapped, padded.
        let pasted = format!("  {}\n{}  ", &s[..30].to_uppercase(), &s[30..]);
        assert!(FollowUpKey::parse(&pasted).unwrap() == key);
    }
    assert!(FollowUpKey::new("sd-xyz", SECRET).is_none());
    assert!(FollowUpKey::new("SD-00112233445566778899AABBCCDDEEFF", SECRET).is_none());
}

#[test]
fn every_single_character_typo_is_caught() {
    let mut tried = 0;
    for (i, c) in KEY.char_indices() {
        // Every other character the key's alphabet has, and other keyboard characters.
        for other in CHARSET.chars().chain("bio1-_.".chars()) {
            if other == c {
                continue;
            }
            let mut typo = KEY.to_string();
            typo.replace_range(i..=i, &other.to_string());
            assert!(FollowUpKey::parse(&typo).is_err(), "{typo} was accepted");
            tried += 1;
        }
        // A character left out, or doubled.
        let mut missing = KEY.to_string();
        missing.remove(i);
        assert!(FollowUpKey::parse(&missing).is_err());
        let mut doubled = KEY.to_string();
        doubled.insert(i, c);
        assert!(FollowUpKey::parse(&doubled).is_err());
        // Two neighbours swapped.
        if i + 1 < KEY.len() && KEY.as_bytes()[i] != KEY.as_bytes()[i + 1] {
            let mut b = KEY.as_bytes().to_vec();
            b.swap(i, i + 1);
            let swapped = String::from_utf8(b).unwrap();
            assert!(
                FollowUpKey::parse(&swapped).is_err(),
                "{swapped} was accepted"
            );
        }
    }
    assert!(tried > 64 * 32);
    // Mistakes in the data part are typos; what is not a key at all is said to be so.
    let mut typo = KEY.to_string();
    typo.replace_range(20..21, "q");
    assert_eq!(FollowUpKey::parse(&typo).err(), Some(KeyError::Typo));
    assert_eq!(FollowUpKey::parse("").err(), Some(KeyError::Empty));
    assert_eq!(FollowUpKey::parse(" \n").err(), Some(KeyError::Empty));
    assert_eq!(FollowUpKey::parse(RECEIPT).err(), Some(KeyError::NotAKey));
    assert_eq!(
        FollowUpKey::parse("age1h5ey7c4xq4gd7y30zswun2pdl3apu6dn9dap2sjh29mztarfs4equy74n0").err(),
        Some(KeyError::NotAKey)
    );
    assert_eq!(FollowUpKey::parse(&KEY[..40]).err(), Some(KeyError::Typo));
}

fn message(text: &str, files: &[&[u8]]) -> Message {
    Message {
        schema: MESSAGE_SCHEMA.into(),
        id: "m-1".into(),
        created_at: "2026-11-24T10:00:00Z".into(),
        from: Sender::Organization,
        text: text.into(),
        status: Some(Status::Triaged),
        expected: Some("2026-12-01".into()),
        attachments: files
            .iter()
            .enumerate()
            .map(|(i, f)| AttachmentMeta {
                name: format!("f{i}.txt"),
                size: f.len() as u64,
                sha256: sealdrop_core::sha256_hex(f),
                media_type: "text/plain".into(),
                path: format!("attachments/f{i}.txt"),
            })
            .collect(),
    }
}

fn seal(recipients: &[String], m: &Message, files: &[&[u8]]) -> Vec<u8> {
    let r = parse_recipients(recipients).unwrap();
    let mut s = Sealer::with_parts(&r, BundleParts::of_message(m).unwrap(), Vec::new()).unwrap();
    for f in files {
        s.write(f).unwrap();
    }
    s.finish().unwrap()
}

#[test]
fn a_message_sealed_to_the_reply_key_opens_with_it_and_with_the_organization() {
    let d = FollowUpKey::parse(KEY).unwrap().derive();
    let org = age::x25519::Identity::generate();
    let files: [&[u8]; 2] = [b"proof", &[0u8; 70_000]];
    let m = message("Thanks, we reproduced it.", &files);
    let sealed = seal(&[d.recipient(), org.to_public().to_string()], &m, &files);
    // The form opens it with the derived key (without age's decryptor); age opens it with the
    // same key as an age identity, and with the organization's.
    let mine = d.open_message(&sealed, 1 << 20).unwrap();
    assert!(mine.message == m);
    for id in [&d.identity() as &dyn age::Identity, &org] {
        let dec = age::Decryptor::new(&sealed[..]).unwrap();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut dec.decrypt(std::iter::once(id)).unwrap(), &mut plain)
            .unwrap();
        let opened = read_message(&plain).unwrap();
        assert!(opened.message == m);
        assert_eq!(opened.message.status, Some(Status::Triaged));
        assert_eq!(opened.files.len(), 2);
        assert_eq!(opened.files[1].len(), 70_000);
    }
    // Someone else's key, a damaged file, a bound too small: each refused by name.
    let stranger = Derived::from_secret(&[9; 16]);
    assert_eq!(
        stranger.open_message(&sealed, 1 << 20).err(),
        Some(OpenError::NotForThisKey)
    );
    let mut cut = sealed.clone();
    cut.truncate(sealed.len() - 10);
    assert_eq!(
        d.open_message(&cut, 1 << 20).err(),
        Some(OpenError::Damaged)
    );
    assert_eq!(
        d.open_message(&sealed, 1000).err(),
        Some(OpenError::TooLarge)
    );
    // A report's bundle (report.json) is not a message.
    let mut parts = BundleParts::of_message(&m).unwrap();
    parts.kind = sealdrop_core::BundleKind::Report;
    let r = parse_recipients(&[d.recipient()]).unwrap();
    let mut s = Sealer::with_parts(&r, parts, Vec::new()).unwrap();
    for f in files {
        s.write(f).unwrap();
    }
    let report_bundle = s.finish().unwrap();
    assert_eq!(
        d.open_message(&report_bundle, 1 << 20).err(),
        Some(OpenError::NotAMessage)
    );
}

#[test]
fn message_markdown_says_who_and_where_it_stands() {
    let md = sealdrop_core::render_message(&message("Fixed in 2.1.", &[]));
    assert!(md.starts_with("# The security team wrote"));
    assert!(md.contains("- Status: triaged\n"));
    assert!(md.contains("- Expected: 2026-12-01\n"));
    assert!(md.contains("Fixed in 2.1."));
    assert!(sealdrop_core::is_date("2026-02-28"));
    assert!(!sealdrop_core::is_date("2026-13-01"));
    assert!(!sealdrop_core::is_date("tomorrow"));
}

/// The form's own decryptor against every C2SP age test vector with an X25519 identity: each
/// success opens to the expected plaintext, and each failure of any kind is refused.
#[test]
fn x25519_decryptor_passes_the_age_testkit() {
    use sha2::Digest;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/testkit");
    let mut checked = (0, 0);
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let Some(split) = bytes.windows(2).position(|w| w == b"\n\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..split]).to_string();
        let mut body = bytes[split + 2..].to_vec();
        let field = |k: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(str::to_string)
        };
        let (Some(identity), None) = (field("identity"), field("armored")) else {
            continue;
        };
        if field("compressed").as_deref() == Some("zlib") {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&body[..]), &mut plain)
                .unwrap();
            body = plain;
        }
        let checked_hrp =
            bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(&identity).unwrap();
        let scalar: [u8; 32] = checked_hrp
            .byte_iter()
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let got = sealdrop_core::decrypt_x25519(&scalar, &body, 1 << 30);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if field("expect").as_deref() == Some("success") {
            let plain = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                sealdrop_core::hex(&sha2::Sha256::digest(&plain)),
                field("payload").unwrap(),
                "{name}"
            );
            checked.0 += 1;
        } else {
            assert!(got.is_err(), "{name} ({:?}) was opened", field("expect"));
            checked.1 += 1;
        }
    }
    assert!(checked.0 >= 10 && checked.1 >= 40, "{checked:?}");
}
