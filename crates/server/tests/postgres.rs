//! Several receivers on one PostgreSQL database, as real processes over real sockets: one
//! idempotency key makes one report whichever instance each attempt reaches, a conversation
//! started through one instance continues through another, and killing both during a burst
//! loses no report that was answered 201. The cluster comes from scripts/test.sh
//! (scripts/pg.sh); the receiver's own suites also run on it there.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use sealdrop_core::Derived;
use sealdrop_server::store::{Location, Mode, Store};

fn instance(dir: &std::path::Path, name: &str, r: &str, db: &str, extra: &[&str]) -> Server {
    // All the test's clients share one address: lift the per-address caps meant for the open internet.
    let mut args = vec![
        "--database",
        db,
        "--max-uploads-per-client",
        "500",
        "--max-connections-per-ip",
        "1000",
    ];
    args.extend_from_slice(extra);
    Server::start(&dir.join(name), r, &args)
}

fn read_store(dir: &std::path::Path, db: &str) -> Store {
    Store::at(
        &Location {
            data_dir: dir,
            database: Some(db),
        },
        Mode::Read,
        &[],
    )
    .unwrap()
}

#[test]
fn one_key_makes_one_report_whichever_instance_each_attempt_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let db = pg_database();
    let (_, r) = identity();
    let a = instance(dir.path(), "a", &r, &db, &[]);
    let b = instance(dir.path(), "b", &r, &db, &[]);
    let small = Arc::new(sealed(&r, "small"));
    let mut large = sealed(&r, "large");
    // Past 256 KiB: spooled, then streamed into the database in chunks.
    large.extend(std::iter::repeat_n(0x5a, 1_500_000));
    let large = Arc::new(large);
    let ports = [a.port, b.port];
    // Each key is sent to both instances at the same moment, three times over.
    let answers: Vec<(usize, u16, String)> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for k in 0..24usize {
            let start = Arc::new(std::sync::Barrier::new(6));
            for attempt in 0..6usize {
                let (start, body) = (
                    start.clone(),
                    if k.is_multiple_of(2) {
                        small.clone()
                    } else {
                        large.clone()
                    },
                );
                let port = ports[attempt % 2];
                handles.push(scope.spawn(move || {
                    start.wait();
                    let (status, text) =
                        post_report(LOCAL, port, &format!("shared-key-{k:04}-aaaa"), "", &body)
                            .unwrap();
                    (k, status, text)
                }));
            }
        }
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut receipts: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut created: HashMap<usize, usize> = HashMap::new();
    for (k, status, text) in &answers {
        // 409 is this instance's own attempt still in flight: the client retries it.
        assert!([200, 201, 409].contains(status), "key {k}: {status} {text}");
        if *status == 409 {
            continue;
        }
        if *status == 201 {
            *created.entry(*k).or_default() += 1;
        }
        receipts
            .entry(*k)
            .or_default()
            .insert(json_of(text)["receipt"].as_str().unwrap().to_string());
    }
    assert!(
        answers.iter().any(|(_, status, _)| *status == 200),
        "some attempts found their key taken by the other instance"
    );
    for k in 0..24 {
        assert_eq!(created.get(&k), Some(&1), "key {k}: one attempt creates it");
        assert_eq!(
            receipts[&k].len(),
            1,
            "key {k}: every answer names one receipt"
        );
    }
    // The same key with another body, through the other instance, is refused.
    let (status, text) = post_report(
        LOCAL,
        b.port,
        "shared-key-0000-aaaa",
        "",
        &sealed(&r, "something else"),
    )
    .unwrap();
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("idempotency_key_reused"), "{text}");
    a.stop();
    b.stop();
    let store = read_store(dir.path(), &db);
    let rows = store.list().unwrap();
    assert_eq!(rows.len(), 24, "one row per key");
    for row in rows {
        let k: usize = row.idempotency_key[11..15].parse().unwrap();
        let want = if k.is_multiple_of(2) { &small } else { &large };
        assert!(receipts[&k].contains(&row.receipt));
        assert_eq!(
            store.read_body(&row.receipt, u64::MAX).unwrap().unwrap(),
            **want
        );
    }
}

/// GET of a message's ciphertext, as bytes.
fn get_bytes(port: u16, path: &str, token: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

/// The message list of `receipt`'s conversation, through the receiver on `port`.
fn messages_of(port: u16, receipt: &str, d: &Derived) -> serde_json::Value {
    let (status, listed) = get_bytes(port, &format!("/v1/reports/{receipt}/messages"), &d.token());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&listed));
    serde_json::from_slice(&listed).unwrap()
}

#[test]
fn a_conversation_started_through_one_instance_goes_on_through_another() {
    let dir = tempfile::tempdir().unwrap();
    let db = pg_database();
    let (_, r) = identity();
    let a = instance(dir.path(), "a", &r, &db, &["--max-body", "2000000"]);
    let b = instance(dir.path(), "b", &r, &db, &["--max-body", "2000000"]);
    let d = Derived::from_secret(&[9; 16]);
    let (status, text) = post_report(
        LOCAL,
        a.port,
        "thread-report-0001",
        &format!("Sealdrop-Thread: {}\r\n", d.token_hash()),
        &sealed(&r, "with a thread"),
    )
    .unwrap();
    assert_eq!(status, 201, "{text}");
    let receipt = json_of(&text)["receipt"].as_str().unwrap().to_string();
    // A large message (stored in chunks) through B.
    let mut msg = sealed(&r, "a follow-up");
    msg.extend(std::iter::repeat_n(0x33, 1_200_000));
    let head = format!(
        "POST /v1/reports/{receipt}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: thread-message-0001\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        d.token(),
        msg.len()
    );
    let (status, text) = exchange(LOCAL, b.port, &head, &msg).unwrap();
    assert_eq!(status, 201, "{text}");
    let id = json_of(&text)["id"].as_str().unwrap().to_string();
    // The same message again, through A: the same id, not a second message.
    let (status, text) = exchange(LOCAL, a.port, &head, &msg).unwrap();
    assert_eq!(
        (status, json_of(&text)["id"].as_str()),
        (200, Some(id.as_str()))
    );
    // A lists it and serves it, byte for byte.
    let v = messages_of(a.port, &receipt, &d);
    let messages = v["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{v}");
    assert_eq!(messages[0]["id"], id.as_str());
    let (status, got) = get_bytes(
        a.port,
        &format!("/v1/reports/{receipt}/messages/{id}"),
        &d.token(),
    );
    assert_eq!(status, 200);
    assert_eq!(got, msg);
    // A wrong token gets B's 404 as it would get A's.
    let wrong = Derived::from_secret(&[1; 16]);
    let (sa, ta) = get_bytes(
        a.port,
        &format!("/v1/reports/{receipt}/messages"),
        &wrong.token(),
    );
    let (sb, tb) = get_bytes(
        b.port,
        &format!("/v1/reports/{receipt}/messages"),
        &wrong.token(),
    );
    assert_eq!((sa, sb), (404, 404));
    assert_eq!(ta, tb);
    a.stop();
    b.stop();
}

#[test]
fn killing_both_instances_during_a_burst_loses_no_acknowledged_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = pg_database();
    let (_, r) = identity();
    let mut a = instance(dir.path(), "a", &r, &db, &[]);
    let mut b = instance(dir.path(), "b", &r, &db, &[]);
    let small = sealed(&r, "burst");
    let mut large = sealed(&r, "large burst");
    large.extend(std::iter::repeat_n(0x5a, 300_000));
    let bodies = Arc::new([small, large]);
    let acked = Arc::new(Mutex::new(Vec::<(String, usize)>::new()));
    let ports = [a.port, b.port];
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (bodies, acked) = (bodies.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let which = (t + i) % 2;
                    let key = format!("burst-{t}-{i:06}-aaaaaaaa");
                    match post_report(LOCAL, ports[t % 2], &key, "", &bodies[which]) {
                        Some((201, text)) => acked.lock().unwrap().push((
                            json_of(&text)["receipt"].as_str().unwrap().to_string(),
                            which,
                        )),
                        Some(_) => {}
                        None => break,
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < 60 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    a.child.kill().unwrap();
    b.child.kill().unwrap();
    a.child.wait().unwrap();
    b.child.wait().unwrap();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 60,
        "only {} acknowledged before the kill",
        acked.len()
    );
    let store = read_store(dir.path(), &db);
    let stored: HashSet<String> = store
        .list()
        .unwrap()
        .into_iter()
        .map(|r| r.receipt)
        .collect();
    let lost: Vec<_> = acked.iter().filter(|(r, _)| !stored.contains(r)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged lost: {lost:?}",
        lost.len(),
        acked.len()
    );
    for (receipt, which) in &acked {
        assert_eq!(
            store.read_body(receipt, u64::MAX).unwrap().unwrap(),
            bodies[*which],
            "{receipt}"
        );
    }
}

#[test]
fn inbox_reads_and_replies_through_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = pg_database();
    let (id, r) = identity();
    let key = identity_file(dir.path(), &id);
    let a = instance(dir.path(), "a", &r, &db, &[]);
    let d = Derived::from_secret(&[5; 16]);
    let (status, text) = post_report(
        LOCAL,
        a.port,
        "inbox-report-0001",
        &format!("Sealdrop-Thread: {}\r\n", d.token_hash()),
        &sealed_with_reply_to(&r, &d),
    )
    .unwrap();
    assert_eq!(status, 201, "{text}");
    let receipt = json_of(&text)["receipt"].as_str().unwrap().to_string();
    let key = key.to_str().unwrap();
    let out = sealdrop(&["inbox", "list", "--database", &db, "-i", key], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        listed.contains(&receipt) && listed.contains("Stored XSS in comments"),
        "{listed}"
    );
    // A reply written by the team through the database reaches the reporter through A.
    let out = sealdrop(
        &[
            "inbox",
            "reply",
            &receipt,
            "-i",
            key,
            "--database",
            &db,
            "-m",
            "Thanks, confirmed.",
            "--status",
            "triaged",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = messages_of(a.port, &receipt, &d);
    assert_eq!(v["messages"][0]["from"], "organization", "{v}");
    let out = sealdrop(
        &["inbox", "thread", &receipt, "-i", key, "--database", &db],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("Thanks, confirmed.") && text.contains("triaged"),
        "{text}"
    );
    // A database that is not there gets a message that says so and what to pass.
    let out = sealdrop(
        &[
            "inbox",
            "list",
            "--database",
            "postgres://sealdrop:secret@127.0.0.1:1/none",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        err.contains("cannot connect to PostgreSQL") && !err.contains("secret"),
        "{err}"
    );
    let out = sealdrop(
        &[
            "inbox",
            "open",
            "--latest",
            "-i",
            key,
            "--database",
            "mysql://x",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("is not a PostgreSQL URL"), "{err}");
    a.stop();
}

#[test]
fn serve_refuses_a_database_setting_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    widget_dir(dir.path());
    let refused = |db: &str| {
        let out = sealdrop(&["serve", "--recipient", &r, "--database", db], dir.path());
        assert!(!out.status.success(), "{db} was accepted");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(refused("mysql://db.example/reports").contains("is not a PostgreSQL URL"));
    let tls = refused("postgres://sealdrop:hunter2-secret@db.example/reports?sslmode=require");
    assert!(
        tls.contains("sslmode=require") && tls.contains("without TLS"),
        "{tls}"
    );
    assert!(
        !tls.contains("hunter2"),
        "the password is not printed: {tls}"
    );
    // A database that does not answer stops the start, with where it looked.
    let down = refused("postgres://sealdrop@127.0.0.1:1/reports");
    assert!(
        down.contains("cannot connect to PostgreSQL at postgres://sealdrop@127.0.0.1:1/reports"),
        "{down}"
    );
}
