//! The CLI end to end: a report stored by the receiver is listed and opened by `sealdrop inbox`
//! and by Go `age -d | tar -x`; every refusal has its own message; outputs are pinned by
//! snapshot files in tests/snapshots/ (regenerate with SNAPSHOTS=overwrite).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Compares with tests/snapshots/NAME, after replacing run-specific parts.
fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with SNAPSHOTS=overwrite",
            path.display()
        )
    });
    assert_eq!(actual, expected, "snapshot {name} differs");
}

/// The second report of a test is stored in a file, the others in their rows: both ways the
/// receiver stores one.
fn store(data: &Path, body: &[u8], receipt: &str, at: &str) {
    store_report(data, body, receipt, at, receipt.ends_with('2'));
}

#[test]
fn list_and_open_what_was_received() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    identity_file(dir.path(), &id);
    let data = dir.path().join("data");
    let first = sealed(&r, "First report");
    let second = sealed(&r, "Second report");
    store(
        &data,
        &first,
        "sd-00000000000000000000000000000001",
        "2026-11-22T10:00:00.000Z",
    );
    store(
        &data,
        &second,
        "sd-00000000000000000000000000000002",
        "2026-11-22T10:05:00.000Z",
    );

    let out = sealdrop(
        &["inbox", "list", "--data-dir", "data", "-i", "key.txt"],
        dir.path(),
    );
    assert!(out.status.success());
    let (stdout, _) = text(&out);
    // A table: a header row, newest first, the details decrypted with -i.
    snapshot("inbox-list.txt", &stdout);

    let out = sealdrop(
        &[
            "inbox",
            "open",
            "--latest",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
            "--out",
            "opened",
        ],
        dir.path(),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // The printout names the receipt, the identifier the researcher holds too.
    assert!(
        stdout.starts_with("Receipt: sd-00000000000000000000000000000002\n\n# Second report\n"),
        "{stdout}"
    );
    // It says where the plaintext went, and that it is plaintext; no checkout here, no warning.
    assert!(
        stderr.contains("Decrypted 3 files into opened: this is the report in plaintext"),
        "{stderr}"
    );
    assert!(!stderr.contains("git checkout"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("opened/attachments/passwd.txt")).unwrap(),
        b"root:x:0:0"
    );
    let json: sealdrop_core::Report =
        serde_json::from_slice(&std::fs::read(dir.path().join("opened/report.json")).unwrap())
            .unwrap();
    assert_eq!(json.title, "Second report");

    // By receipt, into the default ./reports/<receipt>.
    let out = sealdrop(
        &[
            "inbox",
            "open",
            "sd-00000000000000000000000000000001",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    assert!(dir
        .path()
        .join("reports/sd-00000000000000000000000000000001/report.md")
        .exists());

    // For scripts: JSON, with which reports were opened (into ./reports/<receipt>).
    let out = sealdrop(
        &[
            "inbox",
            "list",
            "--data-dir",
            "data",
            "-i",
            "key.txt",
            "--json",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["receipt"], "sd-00000000000000000000000000000002");
    assert_eq!(rows[0]["opened"], false);
    assert_eq!(rows[1]["opened"], true);
    assert_eq!(rows[1]["title"], "First report");
    assert_eq!(rows[1]["kind"], "CWE-22");
    assert_eq!(rows[1]["attachments"], 1);
    assert_eq!(rows[1]["reporter"], serde_json::Value::Null);
    assert_eq!(rows[1]["size"], first.len());

    // Inside a git checkout, opening warns that the plaintext could be committed.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = sealdrop(
        &[
            "inbox",
            "open",
            "sd-00000000000000000000000000000002",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        dir.path(),
    );
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("is inside the git checkout at")
            && stderr.contains("--out DIR outside the checkout"),
        "{stderr}"
    );
    std::fs::remove_dir(dir.path().join(".git")).unwrap();

    // A downloaded .age file (the researcher's fallback) opens the same way.
    std::fs::write(dir.path().join("mailed.age"), &first).unwrap();
    let out = sealdrop(
        &[
            "inbox",
            "open",
            "mailed.age",
            "-i",
            "key.txt",
            "--out",
            "mailed",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    assert!(text(&out).0.starts_with("# First report"));

    // And stock age + tar give the same bundle.
    let age = Command::new("age")
        .args(["-d", "-i", "key.txt", "mailed.age"])
        .current_dir(dir.path())
        .output()
        .expect("Go age: run ./scripts/test.sh");
    assert!(age.status.success());
    std::fs::create_dir(dir.path().join("stock")).unwrap();
    std::fs::write(dir.path().join("stock.tar"), &age.stdout).unwrap();
    assert!(Command::new("tar")
        .args(["-xf", "stock.tar", "-C", "stock"])
        .current_dir(dir.path())
        .status()
        .unwrap()
        .success());
    assert_eq!(
        std::fs::read(dir.path().join("stock/report.md")).unwrap(),
        std::fs::read(dir.path().join("mailed/report.md")).unwrap()
    );
}

#[test]
fn each_failure_has_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    let (id, r) = identity();
    identity_file(dir.path(), &id);
    let (_, other) = identity();
    let data = dir.path().join("data");
    store(
        &data,
        &sealed(&other, "for someone else"),
        "sd-0000000000000000000000000000000a",
        "2026-11-22T10:00:00.000Z",
    );
    let mut damaged = sealed(&r, "damaged");
    let n = damaged.len();
    damaged[n - 20] ^= 1;
    store(
        &data,
        &damaged,
        "sd-0000000000000000000000000000000b",
        "2026-11-22T10:01:00.000Z",
    );
    let mut bad_mac = sealed(&r, "bad mac");
    let mac_at = bad_mac.windows(4).position(|w| w == b"--- ").unwrap() + 6;
    bad_mac[mac_at] = if bad_mac[mac_at] == b'A' { b'B' } else { b'A' };
    store(
        &data,
        &bad_mac,
        "sd-0000000000000000000000000000000c",
        "2026-11-22T10:02:00.000Z",
    );

    let mut all = String::new();
    for args in [
        vec![
            "inbox",
            "open",
            "sd-0000000000000000000000000000000a",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        vec![
            "inbox",
            "open",
            "sd-0000000000000000000000000000000b",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        vec![
            "inbox",
            "open",
            "sd-0000000000000000000000000000000c",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        vec![
            "inbox",
            "open",
            "sd-ffffffffffffffffffffffffffffffff",
            "-i",
            "key.txt",
            "--data-dir",
            "data",
        ],
        vec!["inbox", "list", "--data-dir", "nowhere"],
        vec![
            "inbox",
            "open",
            "--latest",
            "-i",
            "missing.txt",
            "--data-dir",
            "data",
        ],
    ] {
        let out = sealdrop(&args, dir.path());
        assert!(!out.status.success(), "{args:?} should fail");
        all.push_str(&format!(
            "$ sealdrop {}\n{}\n",
            args.join(" "),
            text(&out).1
        ));
    }
    assert!(
        !dir.path()
            .join("reports/sd-0000000000000000000000000000000b/report.md")
            .exists(),
        "nothing from a damaged payload is extracted"
    );
    snapshot("inbox-errors.txt", &all);
}

#[test]
fn check_config_names_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"recipients": ["AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ"], "endpoint": "http://example.com/r", "colour": "red", "theme": "neon"}"#,
    )
    .unwrap();
    let out = sealdrop(&["check-config", "bad.json"], dir.path());
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    snapshot("check-config-bad.txt", &format!("{stdout}{stderr}"));
    let (_, r) = identity();
    std::fs::write(
        dir.path().join("good.json"),
        format!(r#"{{"recipients": ["{r}"], "endpoint": "https://example.com/v1/reports"}}"#),
    )
    .unwrap();
    let out = sealdrop(&["check-config", "good.json"], dir.path());
    assert!(out.status.success());
    assert_eq!(text(&out).0, "good.json is valid: 1 recipient(s), endpoint https://example.com/v1/reports, 15 kinds of vulnerability, 0 question(s).\n");

    // The organization's questions, inline in sealdrop.json or as a file of their own.
    let questions = r#"[{"id": "app_version", "label": {"en": "Which app version?", "ja": "アプリのバージョンは？"}, "kind": "text", "required": true, "step": "kind"},
        {"id": "unauth", "label": "Exploitable without authentication?", "kind": "choice", "choices": ["Yes", "No"]}]"#;
    std::fs::write(dir.path().join("questions.json"), questions).unwrap();
    let out = sealdrop(&["check-config", "questions.json"], dir.path());
    assert!(out.status.success());
    assert_eq!(text(&out).0, "questions.json is valid: 2 question(s).\n");
    std::fs::write(
        dir.path().join("with-questions.json"),
        format!(
            r#"{{"recipients": ["{r}"], "endpoint": "/v1/reports", "questions": {questions}}}"#
        ),
    )
    .unwrap();
    let out = sealdrop(&["check-config", "with-questions.json"], dir.path());
    assert!(text(&out)
        .0
        .ends_with("15 kinds of vulnerability, 2 question(s).\n"));
    let bad = r#"[{"id": "App Version", "label": "", "kind": "radio", "step": "review", "colour": 1},
        {"id": "x", "label": {"en": "Pick", "english": "Pick"}, "kind": "choice", "choices": ["Only one"]},
        {"id": "x", "label": "Again", "kind": "url", "choices": ["a", "b"], "required": "yes"}]"#;
    std::fs::write(dir.path().join("bad-questions.json"), bad).unwrap();
    let out = sealdrop(&["check-config", "bad-questions.json"], dir.path());
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    snapshot(
        "check-config-bad-questions.txt",
        &format!("{stdout}{stderr}"),
    );
}

#[test]
fn embed_prints_the_tag_with_the_loaders_integrity_and_the_config_serve_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let widget = widget_dir(dir.path());
    let w = widget.to_str().unwrap();
    let out = sealdrop(
        &[
            "embed",
            "--origin",
            "https://reports.example.com/",
            "--recipient",
            &r,
            "--widget-dir",
            w,
            "--allow-origin",
            "https://www.example.com",
            "--org",
            "Example Corp",
            "--response-days",
            "7",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let loader = std::fs::read(widget.join("sealdrop.js")).unwrap();
    let tag = format!(
        "<script src=\"https://reports.example.com/sealdrop.js\" integrity=\"{}\" crossorigin=\"anonymous\" async></script>",
        sealdrop_server::embed::sri(&loader)
    );
    assert_eq!(text.lines().next().unwrap(), tag);
    // The JSON is what serve publishes.
    let start = text.find('{').unwrap();
    let end = text.rfind('}').unwrap();
    let json: serde_json::Value = serde_json::from_str(&text[start..=end]).unwrap();
    assert_eq!(json["recipients"][0], r.as_str());
    assert_eq!(json["endpoint"], "/v1/reports");
    assert_eq!(json["response_days"], 7);
    assert!(text.contains("https://www.example.com"));
    // The SHA-384 of a known input, base64: what browsers compute for `integrity`.
    assert_eq!(
        sealdrop_server::embed::sri(b"abc"),
        "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
    );

    // What serve would refuse, embed refuses too, naming the problem.
    let refused = |origin: &str, widget: &str, extra: &[&str]| {
        let mut args = vec![
            "embed",
            "--origin",
            origin,
            "--recipient",
            &r,
            "--widget-dir",
            widget,
        ];
        args.extend_from_slice(extra);
        let out = sealdrop(&args, dir.path());
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let site = "https://reports.example.com";
    let err = refused(site, w, &["--contact-email", "a@b.example?cc=x"]);
    assert!(err.contains("contact_email"), "{err}");
    assert!(refused("http://reports.example.com/path", w, &[]).contains("--origin"));
    let nowhere = dir.path().join("nowhere");
    assert!(refused(site, nowhere.to_str().unwrap(), &[]).contains("build the widget"));
}
