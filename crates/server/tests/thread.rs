//! A report's conversation over a real socket (docs/conversation.md): authorization by the
//! follow-up token, indistinguishable refusals, the rate limit on guesses, the reporter's
//! messages with a report's limits and idempotency, and durability under SIGKILL.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use sealdrop_core::{BundleParts, Derived, Message, Sealer, Sender, MESSAGE_SCHEMA};

/// A reporter's message sealed to `recipients`.
fn sealed_message(recipients: &[String], text: &str, padding: usize) -> Vec<u8> {
    let file = vec![0x41u8; padding];
    let m = Message {
        schema: MESSAGE_SCHEMA.into(),
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-24T10:00:00Z".into(),
        from: Sender::Reporter,
        text: text.into(),
        status: None,
        expected: None,
        attachments: vec![sealdrop_core::AttachmentMeta {
            name: "pad.bin".into(),
            size: file.len() as u64,
            sha256: sealdrop_core::sha256_hex(&file),
            media_type: "application/octet-stream".into(),
            path: "attachments/pad.bin".into(),
        }],
    };
    let r = sealdrop_core::parse_recipients(recipients).unwrap();
    let mut s = Sealer::with_parts(&r, BundleParts::of_message(&m).unwrap(), Vec::new()).unwrap();
    s.write(&file).unwrap();
    s.finish().unwrap()
}

fn request(
    from: std::net::Ipv4Addr,
    port: u16,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> (u16, String) {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n",
        body.len()
    );
    exchange(from, port, &head, body).unwrap()
}

fn bearer(d: &Derived) -> String {
    format!("Authorization: Bearer {}\r\n", d.token())
}

fn post_message(port: u16, receipt: &str, d: &Derived, key: &str, body: &[u8]) -> (u16, String) {
    request(
        LOCAL,
        port,
        "POST",
        &format!("/v1/reports/{receipt}/messages"),
        &format!(
            "{}Content-Type: application/octet-stream\r\nIdempotency-Key: {key}\r\n",
            bearer(d)
        ),
        body,
    )
}

/// The body of an answer, without its headers.
fn body_of(text: &str) -> &str {
    text.split("\r\n\r\n").nth(1).unwrap_or("")
}

/// Posts a report with a conversation: its receipt.
fn report_with_thread(port: u16, r: &str, d: &Derived) -> String {
    let (status, text) = post_report(
        LOCAL,
        port,
        &sealdrop_core::new_uuid().unwrap(),
        &format!("Sealdrop-Thread: {}\r\n", d.token_hash()),
        &sealed(r, "with a thread"),
    )
    .unwrap();
    assert_eq!(status, 201, "{text}");
    json_of(&text)["receipt"].as_str().unwrap().to_string()
}

#[test]
fn the_conversation_is_open_only_to_its_token_and_refusals_look_alike() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let server = Server::start(&data, &r, &["--max-body", "400000"]);
    let port = server.port;
    let d = Derived::from_secret(&[7; 16]);
    let receipt = report_with_thread(port, &r, &d);
    let (s, t) = post_report(LOCAL, port, "no-thread-0001", "", &sealed(&r, "no thread")).unwrap();
    assert_eq!(s, 201);
    let lone = json_of(&t)["receipt"].as_str().unwrap().to_string();

    let list = |receipt: &str, auth: &str| {
        request(
            LOCAL,
            port,
            "GET",
            &format!("/v1/reports/{receipt}/messages"),
            auth,
            b"",
        )
    };
    let (s, t) = list(&receipt, &bearer(&d));
    assert_eq!(s, 200, "{t}");
    assert!(t.to_ascii_lowercase().contains("cache-control: no-store"));
    assert_eq!(json_of(&t)["messages"], serde_json::json!([]));

    // No token: 401. Wrong token, unknown receipt, a report without a conversation, a receipt
    // that is not one: the same 404, word for word.
    let (s, t) = list(&receipt, "");
    assert_eq!(s, 401);
    assert_eq!(json_of(&t)["code"], "missing_token");
    let wrong = Derived::from_secret(&[8; 16]);
    let unknown = format!("sd-{}", "ab".repeat(16));
    let refusals = [
        list(&receipt, &bearer(&wrong)),
        list(&unknown, &bearer(&d)),
        list(&lone, &bearer(&d)),
        list("sd-..%2F..%2Fetc", &bearer(&d)),
    ];
    for (s, t) in &refusals {
        assert_eq!(*s, 404, "{t}");
        assert_eq!(body_of(t), body_of(&refusals[0].1));
    }
    assert_eq!(json_of(&refusals[0].1)["code"], "not_found");

    // The reporter's message: stored once per key, refused like a report when bad.
    let msg = sealed_message(&[r.clone(), d.recipient()], "Any news?", 10);
    let (s, t) = post_message(port, &receipt, &d, "msg-key-0001", &msg);
    assert_eq!(s, 201, "{t}");
    let id = json_of(&t)["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("m-"));
    let (s, t) = post_message(port, &receipt, &d, "msg-key-0001", &msg);
    assert_eq!((s, json_of(&t)["id"].as_str().unwrap()), (200, id.as_str()));
    let other = sealed_message(std::slice::from_ref(&r), "other", 10);
    let (s, t) = post_message(port, &receipt, &d, "msg-key-0001", &other);
    assert_eq!(
        (s, json_of(&t)["code"].as_str().unwrap()),
        (422, "idempotency_key_reused")
    );
    let (s, t) = post_message(
        port,
        &receipt,
        &d,
        "msg-key-0002",
        b"not an age file at all",
    );
    assert_eq!(s, 400, "{t}");
    let (s, t) = post_message(port, &receipt, &wrong, "msg-key-0003", &msg);
    assert_eq!(s, 404, "{t}");
    let huge = sealed_message(std::slice::from_ref(&r), "huge", 500_000);
    let (s, t) = post_message(port, &receipt, &d, "msg-key-0004", &huge);
    assert_eq!(
        (s, json_of(&t)["code"].as_str().unwrap()),
        (413, "body_too_large")
    );
    // A large one (over 256 KiB: a file of its own) comes back byte for byte.
    let large = sealed_message(std::slice::from_ref(&r), "large", 300_000);
    let (s, t) = post_message(port, &receipt, &d, "msg-key-0005", &large);
    assert_eq!(s, 201, "{t}");
    let large_id = json_of(&t)["id"].as_str().unwrap().to_string();

    let (s, t) = list(&receipt, &bearer(&d));
    assert_eq!(s, 200);
    let v = json_of(&t);
    let listed = v["messages"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["from"], "reporter");
    assert_eq!(listed[0]["size"], msg.len());
    assert_eq!(listed[0]["sha256"], sealdrop_core::sha256_hex(&msg));
    for (mid, bytes) in [(&id, &msg), (&large_id, &large)] {
        let head = format!(
            "GET /v1/reports/{receipt}/messages/{mid} HTTP/1.1\r\nHost: x\r\n{}Connection: close\r\n\r\n",
            bearer(&d)
        );
        let raw = exchange_bytes(port, &head);
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("content-type: application/octet-stream"));
        assert_eq!(&raw[split + 4..], bytes.as_slice());
    }
    let (s, _) = request(
        LOCAL,
        port,
        "GET",
        &format!("/v1/reports/{receipt}/messages/m-00"),
        &bearer(&d),
        b"",
    );
    assert_eq!(s, 404);
    let (s, _) = request(
        LOCAL,
        port,
        "GET",
        &format!("/v1/reports/{receipt}/messages/{id}"),
        &bearer(&wrong),
        b"",
    );
    assert_eq!(s, 404);

    // A malformed Sealdrop-Thread on a report is refused, not stored without its thread.
    let (s, t) = post_report(
        LOCAL,
        port,
        "bad-thread-001",
        "Sealdrop-Thread: nope\r\n",
        &sealed(&r, "x"),
    )
    .unwrap();
    assert_eq!(
        (s, json_of(&t)["code"].as_str().unwrap()),
        (400, "bad_thread")
    );
    server.stop();
}

fn exchange_bytes(port: u16, head: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = connect_from(LOCAL, port).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn guesses_are_limited_per_address_before_the_token_is_looked_at() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let server = Server::start(&data, &r, &[]);
    let port = server.port;
    let d = Derived::from_secret(&[3; 16]);
    let receipt = report_with_thread(port, &r, &d);
    let guesser = std::net::Ipv4Addr::new(127, 0, 0, 9);
    let path = format!("/v1/reports/{receipt}/messages");
    for i in 0..10u8 {
        let (s, _) = request(
            guesser,
            port,
            "GET",
            &path,
            &bearer(&Derived::from_secret(&[100 + i; 16])),
            b"",
        );
        assert_eq!(s, 404);
    }
    let (s, t) = request(
        guesser,
        port,
        "GET",
        &path,
        &bearer(&Derived::from_secret(&[99; 16])),
        b"",
    );
    assert_eq!(s, 429, "{t}");
    assert_eq!(json_of(&t)["code"], "too_many_guesses");
    assert!(t.to_ascii_lowercase().contains("retry-after:"));
    // Past the limit even the right token learns nothing from that address...
    let (s, _) = request(guesser, port, "GET", &path, &bearer(&d), b"");
    assert_eq!(s, 429);
    // ...while the reporter, elsewhere, is not locked out.
    let (s, _) = request(LOCAL, port, "GET", &path, &bearer(&d), b"");
    assert_eq!(s, 200);
    server.stop();
}

#[test]
fn sigkill_during_a_burst_of_messages_loses_no_acknowledged_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let mut server = Server::start(&data, &r, &["--max-uploads-per-client", "16"]);
    let port = server.port;
    let d = Arc::new(Derived::from_secret(&[5; 16]));
    let receipt = Arc::new(report_with_thread(port, &r, &d));
    let body = Arc::new(sealed_message(std::slice::from_ref(&r), "burst", 100));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let (d, receipt, body, acked) = (d.clone(), receipt.clone(), body.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("msg-{t}-{i:06}-aaaa");
                    let head = format!(
                        "POST /v1/reports/{receipt}/messages HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/octet-stream\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        bearer(&d),
                        body.len()
                    );
                    match exchange(LOCAL, port, &head, &body) {
                        Some((201, text)) => acked
                            .lock()
                            .unwrap()
                            .push(json_of(&text)["id"].as_str().unwrap().to_string()),
                        Some(_) => {}
                        None => break,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while acked.lock().unwrap().len() < 30 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 30, "only {} acknowledged", acked.len());
    Server::start(&data, &r, &[]).stop();
    let store = sealdrop_server::store::Store::open_existing(&data).unwrap();
    let stored: std::collections::HashSet<String> = store
        .messages(&receipt)
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} of {} lost", lost.len(), acked.len());
}

fn run(args: &[&str], cwd: &std::path::Path) -> (bool, String, String) {
    let out = sealdrop(args, cwd);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn inbox_reply_reaches_the_reporter_and_inbox_thread_shows_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (org, r) = identity();
    let key = identity_file(dir.path(), &org);
    let server = Server::start(&data, &r, &[]);
    let port = server.port;
    let d = Derived::from_secret(&[11; 16]);
    let (s, t) = post_report(
        LOCAL,
        port,
        "report-with-thread-1",
        &format!("Sealdrop-Thread: {}\r\n", d.token_hash()),
        &sealed_with_reply_to(&r, &d),
    )
    .unwrap();
    assert_eq!(s, 201, "{t}");
    let receipt = json_of(&t)["receipt"].as_str().unwrap().to_string();
    let data_s = data.to_str().unwrap();
    let key_s = key.to_str().unwrap();
    std::fs::write(dir.path().join("patch.diff"), b"--- a\n+++ b\n").unwrap();

    // Wrong status or date: refused before anything is sealed.
    let (ok, _, err) = run(
        &[
            "inbox",
            "reply",
            &receipt,
            "-i",
            key_s,
            "-m",
            "x",
            "--status",
            "done",
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(!ok && err.contains("use one of received, triaged"), "{err}");
    let (ok, _, err) = run(
        &[
            "inbox",
            "reply",
            &receipt,
            "-i",
            key_s,
            "-m",
            "x",
            "--expected",
            "soon",
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(!ok && err.contains("YYYY-MM-DD"), "{err}");
    let (ok, _, err) = run(
        &[
            "inbox",
            "reply",
            &receipt,
            "-i",
            key_s,
            "-m",
            "  ",
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(!ok && err.contains("empty"), "{err}");

    // The reply, while the receiver runs on the same store.
    let (ok, out, err) = run(
        &[
            "inbox",
            "reply",
            &receipt,
            "-i",
            key_s,
            "-m",
            "We reproduced it; a fix is planned.",
            "--status",
            "triaged",
            "--expected",
            "2026-12-01",
            "--attach",
            "patch.diff",
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("Replied to {receipt}")) && out.contains("status triaged"),
        "{out}"
    );

    // The reporter fetches it with the token and opens it with the derived key.
    let (s, t) = request(
        LOCAL,
        port,
        "GET",
        &format!("/v1/reports/{receipt}/messages"),
        &bearer(&d),
        b"",
    );
    assert_eq!(s, 200);
    let listed = json_of(&t)["messages"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["from"], "organization");
    let mid = listed[0]["id"].as_str().unwrap();
    let raw = exchange_bytes(
        port,
        &format!("GET /v1/reports/{receipt}/messages/{mid} HTTP/1.1\r\nHost: x\r\n{}Connection: close\r\n\r\n", bearer(&d)),
    );
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let reply_bytes = &raw[split + 4..];
    let opened = d.open_message(reply_bytes, 1 << 20).unwrap();
    assert_eq!(opened.message.text, "We reproduced it; a fix is planned.");
    assert_eq!(opened.message.status, Some(sealdrop_core::Status::Triaged));
    assert_eq!(opened.message.expected.as_deref(), Some("2026-12-01"));
    assert_eq!(opened.files, vec![b"--- a\n+++ b\n".to_vec()]);
    // Stock age opens it with the organization's identity: a plain age file.
    let reply = dir.path().join("reply.age");
    std::fs::write(&reply, reply_bytes).unwrap();
    let age = std::process::Command::new("age")
        .args(["-d", "-i", key_s, reply.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        age.status.success(),
        "{}",
        String::from_utf8_lossy(&age.stderr)
    );
    assert!(sealdrop_core::read_message(&age.stdout).is_ok());
    if std::env::var_os("SEALDROP_WRITE_FIXTURE").is_some() {
        std::fs::write(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/reply-from-inbox.age"),
            reply_bytes,
        )
        .unwrap();
    }

    // The reporter answers, with a control sequence in the text; `inbox list` shows it waits.
    let answer = sealed_message(
        &[r.clone(), d.recipient()],
        "Thanks!\x1b[2J Credit me as @ana.",
        5,
    );
    let (s, _) = post_message(port, &receipt, &d, "answer-key-0001", &answer);
    assert_eq!(s, 201);
    let (ok, out, err) = run(&["inbox", "list", "--data-dir", data_s], dir.path());
    assert!(ok, "{err}");
    assert!(out.lines().next().unwrap().contains("THREAD"), "{out}");
    assert!(out.contains("unanswered: 1"), "{out}");
    let (ok, out, err) = run(
        &[
            "inbox",
            "thread",
            &receipt,
            "-i",
            key_s,
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(ok, "{err}");
    assert!(out.contains("Stored XSS in comments"), "{out}");
    assert!(
        out.contains("from the security team")
            && out.contains("Status: triaged, expected 2026-12-01"),
        "{out}"
    );
    assert!(out.contains("We reproduced it; a fix is planned."));
    assert!(out.contains("attachment patch.diff"));
    assert!(
        out.contains("from the reporter") && out.contains("Thanks!\\x1b[2J Credit me as @ana."),
        "{out}"
    );
    assert!(!out.contains('\x1b'));
    // --out saves each message's files in a folder of its own, and never into a used folder.
    let saved = dir.path().join("saved");
    let (ok, out, err) = run(
        &[
            "inbox",
            "thread",
            &receipt,
            "-i",
            key_s,
            "--data-dir",
            data_s,
            "--out",
            saved.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(ok, "{err}");
    assert!(out.contains("saved "), "{out}");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&saved)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let by_name = |n: &str| std::fs::read(files.iter().find(|p| p.ends_with(n)).unwrap()).unwrap();
    assert_eq!(by_name("patch.diff"), b"--- a\n+++ b\n");
    assert_eq!(by_name("pad.bin"), b"AAAAA");
    let (ok, _, err) = run(
        &[
            "inbox",
            "thread",
            &receipt,
            "-i",
            key_s,
            "--data-dir",
            data_s,
            "--out",
            saved.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(!ok && err.contains("not empty"), "{err}");

    // A report without a conversation cannot be answered here, and says why.
    let (s, t) = post_report(LOCAL, port, "report-no-thread-1", "", &sealed(&r, "lone")).unwrap();
    assert_eq!(s, 201);
    let lone = json_of(&t)["receipt"].as_str().unwrap().to_string();
    let (ok, _, err) = run(
        &[
            "inbox",
            "reply",
            &lone,
            "-i",
            key_s,
            "-m",
            "hi",
            "--data-dir",
            data_s,
        ],
        dir.path(),
    );
    assert!(!ok && err.contains("has no conversation"), "{err}");
    server.stop();
}
