//! What the core seals opens with implementations nobody here wrote: Go `age` (Debian's `age`
//! package) and typage (npm `age-encryption`, in node), and the tar extracts with GNU tar to
//! the same files. The README's test command installs all three; run it rather than skipping.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use sealdrop_core::{parse_recipients, seal};

fn need(cmd: &str) {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{cmd}` is not installed: run ./scripts/test.sh, which installs it"
    );
}

/// Extracts a tar with GNU tar and checks every file against the report's.
fn gnu_tar_matches(
    plain: &[u8],
    dir: &Path,
    expected: &std::collections::BTreeMap<String, Vec<u8>>,
) {
    need("tar");
    let tarball = dir.join("bundle.tar");
    std::fs::write(&tarball, plain).unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let st = Command::new("tar")
        .arg("-xf")
        .arg(&tarball)
        .arg("-C")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success(), "GNU tar refused the bundle");
    for (path, bytes) in expected {
        let got = std::fs::read(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(&got, bytes, "{path} differs after GNU tar");
    }
    let listing = Command::new("tar")
        .arg("-tvf")
        .arg(&tarball)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert_eq!(
        listing.lines().filter(|l| l.starts_with('-')).count(),
        expected.len(),
        "{listing}"
    );
}

/// Writes `file` and the identity into `dir`, then runs Go `age -d -i key.txt FILE`.
fn go_age_decrypt(
    dir: &Path,
    name: &str,
    file: &[u8],
    id: &age::x25519::Identity,
) -> std::process::Output {
    need("age");
    std::fs::write(dir.join(name), file).unwrap();
    std::fs::write(dir.join("key.txt"), identity_text(id)).unwrap();
    Command::new("age")
        .args(["-d", "-i"])
        .arg(dir.join("key.txt"))
        .arg(dir.join(name))
        .output()
        .unwrap()
}

#[test]
fn go_age_decrypts_and_gnu_tar_extracts() {
    need("age");
    let dir = tempdir();
    let (id1, r1) = x25519();
    let (_, r2) = x25519();
    let (report, att) = sample();
    // A mix: two X25519 recipients and a hardware-key style tag recipient.
    let recipients = parse_recipients(&[r2, tag_recipient(), r1]).unwrap();
    let ct = seal(&recipients, &report, &refs(&att), Vec::new()).unwrap();
    let expected = open(&ct, &id1);
    let out = go_age_decrypt(dir.path(), "report.age", &ct, &id1);
    assert!(
        out.status.success(),
        "Go age failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    gnu_tar_matches(&out.stdout, dir.path(), &expected);
}

#[test]
fn go_age_decrypts_the_armored_copy() {
    need("age");
    let dir = tempdir();
    let (id, r) = x25519();
    let (report, att) = sample();
    let ct = seal(
        &parse_recipients(&[r]).unwrap(),
        &report,
        &refs(&att),
        Vec::new(),
    )
    .unwrap();
    let out = go_age_decrypt(
        dir.path(),
        "report.txt",
        sealdrop_core::armor(&ct).as_bytes(),
        &id,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(untar(&out.stdout), open(&ct, &id));
}

#[test]
fn go_age_reads_a_post_quantum_header() {
    need("age");
    // Go age 1.1.1 cannot decrypt tagpq stanzas, but it must parse the header and say no
    // identity matched (not "malformed"), proving the file is well-formed age.
    let dir = tempdir();
    let (stranger, _) = x25519();
    let (report, att) = sample();
    let ct = seal(
        &parse_recipients(&[tagpq_recipient()]).unwrap(),
        &report,
        &refs(&att),
        Vec::new(),
    )
    .unwrap();
    let out = go_age_decrypt(dir.path(), "report.age", &ct, &stranger);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("no identity matched"),
        "{err}"
    );
}

#[test]
fn typage_decrypts_and_gnu_tar_extracts() {
    need("node");
    let script = repo_root().join("crates/core/tests/interop/typage-decrypt.mjs");
    assert!(
        repo_root().join("node_modules/age-encryption").exists(),
        "npm's age-encryption is not installed: run ./scripts/test.sh"
    );
    let dir = tempdir();
    let (id, r) = x25519();
    let (_, other) = x25519();
    let (report, att) = sample();
    let ct = seal(
        &parse_recipients(&[other, r]).unwrap(),
        &report,
        &refs(&att),
        Vec::new(),
    )
    .unwrap();
    let expected = open(&ct, &id);
    std::fs::write(dir.path().join("report.age"), &ct).unwrap();
    std::fs::write(dir.path().join("key.txt"), identity_text(&id)).unwrap();
    let out = Command::new("node")
        .arg(&script)
        .arg(dir.path().join("key.txt"))
        .arg(dir.path().join("report.age"))
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "typage failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    gnu_tar_matches(&out.stdout, dir.path(), &expected);
}
