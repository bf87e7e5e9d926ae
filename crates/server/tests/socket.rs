//! The receiver over a real socket: a report posted over TCP is stored, and a SIGKILL during a
//! burst of concurrent submissions loses no report that was answered 201.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, recipient: &str, port: u16) -> Child {
    let widget = widget_dir(data.parent().unwrap());
    let child = Command::new(env!("CARGO_BIN_EXE_sealdrop"))
        .args([
            "serve",
            "--recipient",
            recipient,
            "--rate-limit",
            "0",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("--widget-dir")
        .arg(widget)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while request(port, "GET", "/healthz", "", &[]).is_none() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// A minimal HTTP/1.1 exchange: (status, body), or None if the connection failed.
fn request(port: u16, method: &str, path: &str, key: &str, body: &[u8]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).ok()?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Some((status, body))
}

#[test]
fn a_report_over_tcp_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let data = dir.path().join("data");
    let port = free_port();
    let mut server = start(&data, &r, port);
    let (status, body) = request(
        port,
        "POST",
        "/v1/reports",
        "0f4b1f2e-0000-4000-8000-000000000001",
        &sealed(&r, "over tcp"),
    )
    .unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
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
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let data = dir.path().join("data");
    let port = free_port();
    let mut server = start(&data, &r, port);
    let body = Arc::new(sealed(&r, "burst"));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (body, acked) = (body.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let key = format!("burst-{t}-{i:06}-aaaaaaaa");
                    match request(port, "POST", "/v1/reports", &key, &body) {
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
    server.kill().unwrap();
    server.wait().unwrap();
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
    let mut again = start(&data, &r, port);
    again.kill().unwrap();
    again.wait().unwrap();
    let stored: std::collections::HashSet<String> =
        sealdrop_server::store::Store::open_existing(&data)
            .unwrap()
            .list()
            .unwrap()
            .into_iter()
            .map(|r| r.receipt)
            .collect();
    let lost: Vec<&String> = acked.iter().filter(|r| !stored.contains(*r)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged reports lost: {lost:?}",
        lost.len(),
        acked.len()
    );
}
