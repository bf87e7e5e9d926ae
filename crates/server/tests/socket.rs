//! The receiver over a real socket: a report posted over TCP is stored, and a SIGKILL during a
//! burst of concurrent submissions loses no report that was answered 201.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

fn start(data: &std::path::Path, recipient: &str) -> Server {
    Server::start(data, recipient, &[])
}

fn request(port: u16, key: &str, body: &[u8]) -> Option<(u16, String)> {
    post_report(LOCAL, port, key, "", body)
        .map(|(s, text)| (s, text.split("\r\n\r\n").nth(1).unwrap_or("").to_string()))
}

#[test]
fn a_report_over_tcp_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let data = dir.path().join("data");
    let server = start(&data, &r);
    let (status, body) = request(
        server.port,
        "0f4b1f2e-0000-4000-8000-000000000001",
        &sealed(&r, "over tcp"),
    )
    .unwrap();
    server.stop();
    assert_eq!(status, 201, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rows = sealdrop_server::store::Store::open_existing(&data)
        .unwrap()
        .list()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].receipt, v["receipt"].as_str().unwrap());
}

#[test]
fn sigkill_during_a_burst_loses_no_acknowledged_report() {
    let (_, r) = identity();
    // Small reports live in their row; large ones (over 256 KiB) in a file the row names.
    burst_then_sigkill(&r, sealed(&r, "burst"));
    let mut large = sealed(&r, "large");
    large.extend(std::iter::repeat_n(0x5a, 300_000));
    burst_then_sigkill(&r, large);
}

fn burst_then_sigkill(r: &str, body: Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = Server::start(&data, r, &["--max-uploads-per-client", "16"]);
    let port = server.port;
    let body = Arc::new(body);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (body, acked) = (body.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("burst-{t}-{i:06}-aaaaaaaa");
                    match request(port, &key, &body) {
                        Some((201, b)) => {
                            let v: serde_json::Value = serde_json::from_str(&b).unwrap();
                            acked
                                .lock()
                                .unwrap()
                                .push(v["receipt"].as_str().unwrap().to_string());
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Let the burst run, then kill the server without warning.
    let deadline = Instant::now() + Duration::from_secs(10);
    while acked.lock().unwrap().len() < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for t in threads {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "only {} reports acknowledged before the kill",
        acked.len()
    );

    // Restart on the same data: every acknowledged receipt is there.
    start(&data, r).stop();
    let store = sealdrop_server::store::Store::open_existing(&data).unwrap();
    let stored: std::collections::HashSet<String> = store
        .list()
        .unwrap()
        .into_iter()
        .map(|r| r.receipt)
        .collect();
    for receipt in &acked {
        assert_eq!(
            store.read_body(receipt, u64::MAX).unwrap().as_deref(),
            Some(body.as_slice())
        );
    }
    let lost: Vec<&String> = acked.iter().filter(|r| !stored.contains(*r)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged reports lost: {lost:?}",
        lost.len(),
        acked.len()
    );
}

#[test]
fn start_up_says_who_may_embed_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let (_, r) = identity();
    let alone = Server::start(&data, &r, &[]);
    let out = alone.output();
    alone.stop();
    assert!(
        out.contains("no --allow-origin given, so no other site can embed the form")
            && out.contains("--allow-origin https://www.example.com"),
        "{out}"
    );
    let allowed = Server::start(
        &data,
        &r,
        &[
            "--allow-origin",
            "https://vendor.example",
            "--allow-origin",
            "https://shop.example",
        ],
    );
    let out = allowed.output();
    allowed.stop();
    assert!(
        out.contains(
            "sites allowed to embed the form: https://vendor.example, https://shop.example"
        ),
        "{out}"
    );
}
