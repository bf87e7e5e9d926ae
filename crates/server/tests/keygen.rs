//! `sealdrop keygen` writes an identity that Go age reads, prints its recipient, and never
//! overwrites an existing file.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn sealdrop() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sealdrop"))
}

#[test]
fn identity_opens_with_go_age() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.txt");
    let out = sealdrop()
        .args(["keygen", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        recipient.starts_with("age1") && recipient.len() == 62,
        "{recipient}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // age-keygen -y derives the same recipient; age round-trips a file with it.
    let y = Command::new("age-keygen")
        .arg("-y")
        .arg(&key)
        .output()
        .expect("age-keygen: run ./scripts/test.sh");
    assert_eq!(String::from_utf8(y.stdout).unwrap().trim(), recipient);
    let plain = dir.path().join("plain");
    std::fs::write(&plain, b"hello").unwrap();
    let ct = dir.path().join("ct.age");
    assert!(Command::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(&ct)
        .arg(&plain)
        .status()
        .unwrap()
        .success());
    let d = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(&ct)
        .output()
        .unwrap();
    assert_eq!(d.stdout, b"hello");
}

#[test]
fn refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.txt");
    std::fs::write(&key, "precious").unwrap();
    let out = sealdrop()
        .args(["keygen", "-o"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), "precious");
}

#[test]
fn stdout_identity_when_no_file() {
    let out = sealdrop().arg("keygen").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Public key: age1"));
}
