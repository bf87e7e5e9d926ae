//! `sealdrop inbox` attacked through what it reads: crafted `.age` file names, crafted bundles
//! (paths out of the folder, links, names a report never has, a name twice), escape sequences
//! in titles and `report.md`, and a data directory it must only read. Real binary, real files.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Output;

use common::*;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One ustar header block and its data, with any name, type and link (no checks, unlike the
/// tar crate's builder).
fn tar_entry(out: &mut Vec<u8>, name: &str, kind: u8, link: &str, data: &[u8]) {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn seal_bytes(recipient: &str, plain: &[u8]) -> Vec<u8> {
    let r: age::x25519::Recipient = recipient.parse().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    out
}

/// A bundle holding a valid report followed by `extra` entries.
fn bundle_with(extra: &[(&str, u8, &str, &[u8])]) -> Vec<u8> {
    let mut t = Vec::new();
    tar_entry(&mut t, "report.json", b'0', "", b"{}");
    tar_entry(&mut t, "report.md", b'0', "", b"# A report\n");
    for (name, kind, link, data) in extra {
        tar_entry(&mut t, name, *kind, link, data);
    }
    t.extend_from_slice(&[0u8; 1024]);
    t
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walk(dir) {
        out.push(e.strip_prefix(dir).unwrap().display().to_string());
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        v.push(p.clone());
        if e.file_type().unwrap().is_dir() {
            v.extend(walk(&p));
        }
    }
    v
}

#[test]
fn crafted_file_names_never_extract_outside_a_new_folder_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    identity_file(dir.path(), &id);
    let body = sealed(&r, "named oddly");
    // An earlier report's folder, which nothing may touch.
    std::fs::create_dir_all(dir.path().join("reports/sd-earlier")).unwrap();
    std::fs::write(dir.path().join("reports/sd-earlier/report.md"), "earlier").unwrap();
    for name in ["..age", "...age", ".age", ".hidden.age", "a\x1b[2Kb.age"] {
        std::fs::write(dir.path().join(name), &body).unwrap();
    }
    let out = sealdrop(&["inbox", "open", "...age", "-i", "key.txt"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("reports/report/report.md").exists());
    assert!(
        !dir.path().join("report.md").exists() && !dir.path().join("reports/report.md").exists()
    );
    // Same folder again: refused with what to do, nothing overwritten.
    let before = std::fs::read(dir.path().join("reports/report/report.md")).unwrap();
    let out = sealdrop(&["inbox", "open", "..age", "-i", "key.txt"], dir.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already exists and is not empty") && stderr(&out).contains("--out"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("reports/report/report.md")).unwrap(),
        before
    );
    // Hidden stems lose their dot; escape sequences in a name become plain characters.
    assert!(sealdrop(
        &["inbox", "open", ".hidden.age", "-i", "key.txt"],
        dir.path()
    )
    .status
    .success());
    assert!(dir.path().join("reports/hidden/report.md").exists());
    let out = sealdrop(
        &["inbox", "open", "a\x1b[2Kb.age", "-i", "key.txt"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("reports/a__2Kb/report.md").exists());
    assert!(!out.stderr.contains(&0x1b) && !out.stdout.contains(&0x1b));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("reports/sd-earlier/report.md")).unwrap(),
        "earlier"
    );
}

#[test]
fn crafted_bundles_are_refused_whole_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    identity_file(dir.path(), &id);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("parent", bundle_with(&[("../evil.txt", b'0', "", b"x")])),
        (
            "nested-parent",
            bundle_with(&[("attachments/../../evil.txt", b'0', "", b"x")]),
        ),
        (
            "absolute",
            bundle_with(&[("/tmp/sealdrop-evil.txt", b'0', "", b"x")]),
        ),
        (
            "symlink",
            bundle_with(&[("attachments/passwd", b'2', "/etc/passwd", b"")]),
        ),
        (
            "hardlink",
            bundle_with(&[("attachments/md", b'1', "report.md", b"")]),
        ),
        ("fifo", bundle_with(&[("attachments/pipe", b'6', "", b"")])),
        (
            "hidden",
            bundle_with(&[("attachments/.bashrc", b'0', "", b"x")]),
        ),
        ("other-name", bundle_with(&[("notes.txt", b'0', "", b"x")])),
        (
            "deeper",
            bundle_with(&[("attachments/a/b.txt", b'0', "", b"x")]),
        ),
        (
            "twice",
            bundle_with(&[("report.md", b'0', "", b"# replaced\n")]),
        ),
        (
            "escape",
            bundle_with(&[("attachments/\x1b]52;c;ZXZpbA==\x07", b'0', "", b"x")]),
        ),
    ];
    for (name, plain) in cases {
        let file = format!("{name}.age");
        std::fs::write(dir.path().join(&file), seal_bytes(&r, &plain)).unwrap();
        let before = files_under(dir.path());
        let out = sealdrop(&["inbox", "open", &file, "-i", "key.txt"], dir.path());
        let err = stderr(&out);
        assert!(!out.status.success(), "{name} must be refused");
        assert!(err.contains("nothing was kept"), "{name}: {err}");
        assert!(
            !err.contains('\x1b') && !out.stdout.contains(&0x1b),
            "{name}: {err}"
        );
        let mut after = files_under(dir.path());
        after.retain(|p| p != "reports");
        let mut before = before;
        before.retain(|p| p != "reports");
        assert_eq!(after, before, "{name} left files behind");
        assert!(!Path::new("/tmp/sealdrop-evil.txt").exists());
    }
}

#[test]
fn escape_sequences_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    identity_file(dir.path(), &id);
    // A report made by something other than the form (whose validation refuses these).
    let d = sealdrop_core::Draft {
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-22T10:00:00Z".into(),
        type_id: "CWE-79".into(),
        type_name: "XSS".into(),
        title: "clean".into(),
        affected: vec!["https://a.example".into()],
        steps: "steps".into(),
        impact: "impact".into(),
        ..Default::default()
    };
    let mut report = sealdrop_core::validate(&d, &sealdrop_core::Limits::default()).unwrap();
    report.title = "\x1b[2K\x1b[1Ainnocent\x1b]52;c;ZXZpbA==\x07 \u{202e}gpj.exe".into();
    report.kind.id = "CWE-79\x1b[8m".into();
    report.steps = "line one\n\x1b]0;owned\x07line two\tend".into();
    let recipients = sealdrop_core::parse_recipients(&[r.as_str()]).unwrap();
    let body = sealdrop_core::seal(&recipients, &report, &[], Vec::new()).unwrap();
    let data = dir.path().join("data");
    store_report(
        &data,
        &body,
        "sd-000000000000000000000000000000e5",
        "2026-11-22T10:00:00.000Z",
        false,
    );
    let list = sealdrop(
        &["inbox", "list", "--data-dir", "data", "-i", "key.txt"],
        dir.path(),
    );
    assert!(list.status.success());
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(
        !text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(
        text.contains("\\x1b]52;c;ZXZpbA==\\x07") && text.contains("\\u{202e}gpj.exe"),
        "{text}"
    );
    let open = sealdrop(
        &[
            "inbox",
            "open",
            "sd-000000000000000000000000000000e5",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        dir.path(),
    );
    assert!(open.status.success(), "{}", stderr(&open));
    let md = String::from_utf8(open.stdout).unwrap();
    assert!(!md.contains('\x1b') && !md.contains('\x07'), "{md:?}");
    assert!(
        md.contains("line one\n\\x1b]0;owned\\x07line two\tend"),
        "{md}"
    );
    // The file on disk is the report as sealed: escaping is for the terminal only.
    let on_disk = std::fs::read_to_string(
        dir.path()
            .join("reports/sd-000000000000000000000000000000e5/report.md"),
    )
    .unwrap();
    assert!(on_disk.contains("\x1b]0;owned"));
}

#[test]
fn inbox_reads_without_writing_and_says_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    let key = identity_file(dir.path(), &id);
    let data = dir.path().join("data");
    let garbage_json = seal_bytes(&r, &{
        let mut t = Vec::new();
        tar_entry(&mut t, "report.json", b'0', "", b"{\"not\": \"a report\"}");
        t.extend_from_slice(&[0u8; 1024]);
        t
    });
    for (receipt, body) in [
        ("sd-00000000000000000000000000000001", sealed(&r, "fine")),
        ("sd-00000000000000000000000000000002", garbage_json),
        (
            "sd-00000000000000000000000000000003",
            sealed(&identity().1, "elsewhere"),
        ),
    ] {
        store_report(
            &data,
            &body,
            receipt,
            "2026-11-22T10:00:00.000Z",
            receipt.ends_with('2'),
        );
    }
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = names(&data);
    let db_mtime = std::fs::metadata(data.join("sealdrop.sqlite3"))
        .unwrap()
        .modified()
        .unwrap();
    let out = sealdrop(
        &["inbox", "list", "--data-dir", "data", "-i", "key.txt"],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.lines()
            .any(|l| l.starts_with("sd-00000000000000000000000000000001")
                && l.contains("CWE-22")
                && l.ends_with("fine")),
        "{text}"
    );
    assert!(
        text.contains("(decrypted, but its report.json is not a sealdrop report"),
        "{text}"
    );
    assert!(text.contains("(not sealed to this identity)"), "{text}");
    assert_eq!(
        names(&data),
        before,
        "inbox list created files in the data directory"
    );
    assert_eq!(
        std::fs::metadata(data.join("sealdrop.sqlite3"))
            .unwrap()
            .modified()
            .unwrap(),
        db_mtime
    );
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // An identity file others can read gets a warning that says what to do.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = sealdrop(
            &["inbox", "list", "--data-dir", "data", "-i", "key.txt"],
            dir.path(),
        );
        assert!(out.status.success());
        assert!(
            stderr(&out).contains("can be read by group or others (mode 644)")
                && stderr(&out).contains("chmod 600 key.txt"),
            "{}",
            stderr(&out)
        );
    }
}
