//! Recipient parsing: every way a pasted key goes wrong has its own error.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use sealdrop_core::{parse_recipients, RecipientProblem};

fn problems(list: &[&str]) -> Vec<(Option<usize>, RecipientProblem)> {
    match parse_recipients(list) {
        Ok(_) => Vec::new(),
        Err(e) => e.into_iter().map(|e| (e.index, e.problem)).collect(),
    }
}

#[test]
fn accepts_each_type_and_mixes() {
    let (_, x) = x25519();
    let (t, pq) = (tag_recipient(), tagpq_recipient());
    let r = parse_recipients(&[x.as_str(), t.as_str()]).unwrap();
    assert_eq!(r.as_strings(), [x.clone(), t]);
    assert!(parse_recipients(&[pq.as_str()]).is_ok());
    // Upper case is valid Bech32: it is normalised.
    let r = parse_recipients(&[x.to_uppercase()]).unwrap();
    assert_eq!(r.as_strings(), std::slice::from_ref(&x));
    assert!(r.fingerprints()[0].starts_with(&x[..12]) && r.fingerprints()[0].contains('…'));
}

#[test]
fn distinct_errors() {
    let (id, x) = x25519();
    let secret = identity_text(&id);
    assert_eq!(problems(&[]), [(None, RecipientProblem::Empty)]);
    assert_eq!(problems(&["", "  "]), [(None, RecipientProblem::Empty)]);
    assert_eq!(
        problems(&[secret.trim()]),
        [(Some(0), RecipientProblem::SecretKey)]
    );
    assert_eq!(
        problems(&["pgp:ABCDEF"]),
        [(Some(0), RecipientProblem::UnknownPrefix)]
    );
    assert_eq!(
        problems(&["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsK you@host"]),
        [(Some(0), RecipientProblem::Unsupported)]
    );
    assert_eq!(
        problems(&["age1pq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"]),
        [(Some(0), RecipientProblem::Unsupported)]
    );
    let mut mixed = x.clone();
    mixed.replace_range(10..11, &x[10..11].to_uppercase());
    if mixed != x {
        assert_eq!(
            problems(&[mixed.as_str()]),
            [(Some(0), RecipientProblem::MixedCase)]
        );
    }
    // One character changed: the checksum catches it.
    let mut typo = x.clone().into_bytes();
    typo[20] = if typo[20] == b'q' { b'p' } else { b'q' };
    let typo = String::from_utf8(typo).unwrap();
    assert_eq!(
        problems(&[typo.as_str()]),
        [(Some(0), RecipientProblem::BadChecksum)]
    );
    // A valid Bech32 string of the wrong length.
    let short = bech32("age", &[1u8; 16]);
    assert_eq!(
        problems(&[short.as_str()]),
        [(Some(0), RecipientProblem::Malformed)]
    );
    assert_eq!(
        problems(&[x.as_str(), x.as_str()]),
        [(Some(1), RecipientProblem::Duplicate)]
    );
    let pq = tagpq_recipient();
    assert_eq!(
        problems(&[x.as_str(), pq.as_str()]),
        [(None, RecipientProblem::MixedPostQuantum)]
    );
}

#[test]
fn a_secret_key_is_never_echoed() {
    let (id, _) = x25519();
    let secret = identity_text(&id);
    let errs = parse_recipients(&[secret.trim()]).err().unwrap();
    let shown = errs[0].to_string();
    assert!(!shown.contains(&secret.trim()[20..]), "{shown}");
    assert!(
        shown.contains("PRIVATE key") && shown.contains("never be shared"),
        "{shown}"
    );
}

#[test]
fn several_errors_reported_together() {
    let (_, x) = x25519();
    let p = problems(&[x.as_str(), "nope", "AGE-SECRET-KEY-1XYZ"]);
    assert_eq!(
        p,
        [
            (Some(1), RecipientProblem::UnknownPrefix),
            (Some(2), RecipientProblem::SecretKey)
        ]
    );
}
