//! The receiver attacked as the open internet would, over real sockets against the real binary:
//! stanza bombs while `/healthz` is measured, slowloris, stalled bodies, two dozen concurrent
//! 40 MB uploads with the server's peak RSS read from /proc, the storage quota, a trusted proxy
//! and clients spoofing its headers, a shutdown with idle connections.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use common::*;

/// A small sealed report's header followed by `payload` bytes: what the receiver checks
/// (it never decrypts) is the header and that a payload follows.
fn report_of_size(recipient: &str, payload: usize) -> Vec<u8> {
    let small = sealed(recipient, "sized");
    let mut from = 0;
    let header = sealdrop_server::agecheck::header_len(&small, &mut from).unwrap();
    let mut body = small[..header].to_vec();
    body.resize(header + payload, 0x5a);
    body
}

/// `n` copies of one X25519 stanza: each costs a scalar multiplication if checked.
fn stanza_bomb(recipient: &str, n: usize) -> Vec<u8> {
    let small = sealed(recipient, "bomb");
    let text = String::from_utf8_lossy(&small[..200]).into_owned();
    let stanza_start = text.find("-> X25519").unwrap();
    let stanza_len = text[stanza_start..].find("\n-> ").unwrap() + 1;
    let stanza = &small[stanza_start..stanza_start + stanza_len];
    let mut body = b"age-encryption.org/v1\n".to_vec();
    for _ in 0..n {
        body.extend_from_slice(stanza);
    }
    body
}

fn code(text: &str) -> String {
    json_of(text)["code"].as_str().unwrap_or("").to_string()
}

#[test]
fn stanza_bombs_are_refused_by_their_size_and_healthz_stays_quick() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let server = Server::start(&dir.path().join("data"), &r, &[]);
    let port = server.port;
    // 500,000 stanzas (about 48 MB) was 20 s of one core each before the cap.
    let bomb = std::sync::Arc::new(stanza_bomb(&r, 500_000));
    assert!(bomb.len() > 40_000_000);
    let started = Instant::now();
    let flood: Vec<_> = (0..6)
        .map(|i| {
            let bomb = bomb.clone();
            std::thread::spawn(move || {
                let from = Ipv4Addr::new(127, 0, 2, i + 1);
                post_report(from, port, &format!("bomb-{i}-aaaaaaaa"), "", &bomb)
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    while !flood.iter().all(|t| t.is_finished()) {
        let t = Instant::now();
        let (status, _) = get(port, "/healthz").unwrap();
        assert_eq!(status, 200);
        let (status, _) = get(port, "/sealdrop.js").unwrap();
        assert_eq!(status, 200);
        slowest = slowest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    for t in flood {
        let (status, text) = t
            .join()
            .unwrap()
            .expect("an answer, not a dropped connection");
        assert_eq!(
            (status, code(&text).as_str()),
            (400, "header_too_large"),
            "{text}"
        );
    }
    // Generous bounds: before the cap, /healthz waited for the bombs' 20 s of scalar
    // multiplications, and each bomb took that long to be refused.
    assert!(
        slowest < Duration::from_secs(2),
        "healthz took {slowest:?} during the flood"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the bombs took {:?}",
        started.elapsed()
    );

    // The largest header under the cap, 64 valid stanzas, is checked and accepted.
    let mut ok = stanza_bomb(&r, 64);
    let small = sealed(&r, "x");
    let mut from = 0;
    let header = sealdrop_server::agecheck::header_len(&small, &mut from).unwrap();
    let mac_line_start = small[..header - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    ok.extend_from_slice(&small[mac_line_start..]);
    let (status, text) = post_report(LOCAL, port, "sixty-four-stanzas", "", &ok).unwrap();
    assert_eq!(status, 201, "{text}");
    server.stop();
}

/// Whether the server closed `s` (EOF or reset), as opposed to keeping it open (a read times out).
fn is_closed(mut s: &std::net::TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    match s.read(&mut [0u8; 256]) {
        // Closed without a word (EOF).
        Ok(n) => n == 0,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn slowloris_connections_are_capped_per_address_and_timed_out() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let server = Server::start(
        &dir.path().join("data"),
        &r,
        &["--header-timeout", "2s", "--max-connections-per-ip", "16"],
    );
    let port = server.port;
    let attacker = Ipv4Addr::new(127, 0, 3, 1);
    // 200 connections from one address that never finish their headers.
    let mut held = Vec::new();
    for _ in 0..200 {
        let mut s = connect_from(attacker, port).unwrap();
        let _ = s.write_all(b"POST /v1/reports HTTP/1.1\r\nHost: x\r\n");
        held.push(s);
    }
    // Past the per-address cap, connections are closed at once.
    std::thread::sleep(Duration::from_millis(300));
    let closed = held.iter().filter(|s| is_closed(s)).count();
    assert!(
        closed >= 180,
        "only {closed} of 200 connections past the cap of 16 were closed"
    );
    // Everyone else is served meanwhile.
    let t = Instant::now();
    assert_eq!(get(port, "/healthz").unwrap().0, 200);
    let (status, text) =
        post_report(LOCAL, port, "during-slowloris", "", &sealed(&r, "x")).unwrap();
    assert_eq!(status, 201, "{text}");
    assert!(t.elapsed() < Duration::from_secs(2));
    // The held ones are dropped at the header timeout (2 s), with no 2xx.
    let t = Instant::now();
    for s in &mut held {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut resp = Vec::new();
        let _ = s.read_to_end(&mut resp);
        assert!(!String::from_utf8_lossy(&resp).starts_with("HTTP/1.1 2"));
    }
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "held connections stayed {:?}",
        t.elapsed()
    );
    server.stop();
}

#[test]
fn a_stalled_body_is_dropped_and_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let data = dir.path().join("data");
    let server = Server::start(&data, &r, &["--body-stall-timeout", "1s"]);
    let body = sealed(&r, "stalled");
    let mut s = connect_from(LOCAL, server.port).unwrap();
    write!(
        s,
        "POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: stalled-aaaaaaaa\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(&body[..10]).unwrap();
    let t = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "held for {:?}",
        t.elapsed()
    );
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(code(&text), "body_stalled");
    // The same with a valid header and a payload that stops.
    let mut s = connect_from(LOCAL, server.port).unwrap();
    write!(
        s,
        "POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: stalled-bbbbbbbb\r\nContent-Length: {}\r\n\r\n",
        body.len() + 1000
    )
    .unwrap();
    s.write_all(&body).unwrap();
    let mut resp = Vec::new();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.read_to_end(&mut resp);
    assert!(String::from_utf8_lossy(&resp).starts_with("HTTP/1.1 408"));
    server.stop();
    let store = sealdrop_server::store::Store::open_existing(&data).unwrap();
    assert!(store.list().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(data.join("spool")).unwrap().count(), 0);
}

#[test]
fn two_dozen_concurrent_40_mb_uploads_stay_well_under_256_mib() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let data = dir.path().join("data");
    let server = Server::start(&data, &r, &[]);
    let port = server.port;
    let body = std::sync::Arc::new(report_of_size(&r, 40_000_000));
    let digest = sealdrop_core::sha256_hex(&body);
    let uploads: Vec<_> = (0..24u8)
        .map(|i| {
            let body = body.clone();
            std::thread::spawn(move || {
                post_report(
                    Ipv4Addr::new(127, 0, 4, i + 1),
                    port,
                    &format!("big-{i:02}-aaaaaaaa"),
                    "",
                    &body,
                )
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for u in uploads {
        let (status, text) = u.join().unwrap().unwrap();
        assert_eq!(status, 201, "{text}");
        let v = json_of(&text);
        assert_eq!(v["sha256"], digest.as_str());
        receipts.push(v["receipt"].as_str().unwrap().to_string());
    }
    let peak = server.peak_rss_kib();
    server.stop();
    assert!(
        peak < 160 * 1024,
        "peak RSS {} MiB during 24 concurrent 40 MB uploads",
        peak / 1024
    );
    // Each is stored whole, as a file of its own.
    let store = sealdrop_server::store::Store::open_existing(&data).unwrap();
    for receipt in &receipts {
        let stored = store.read_body(receipt, u64::MAX).unwrap().unwrap();
        assert_eq!(stored.len(), body.len());
        assert_eq!(sealdrop_core::sha256_hex(&stored), digest);
    }
    println!("peak RSS {} MiB", peak / 1024);
}

#[test]
fn the_storage_quota_refuses_with_507_and_logs_once() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let body = report_of_size(&r, 100_000);
    let quota = (body.len() * 3 + 10).to_string();
    let server = Server::start(&dir.path().join("data"), &r, &["--max-storage", &quota]);
    let mut statuses = Vec::new();
    for i in 0..6 {
        let (status, text) = post_report(
            LOCAL,
            server.port,
            &format!("quota-{i}-aaaaaaaa"),
            "",
            &body,
        )
        .unwrap();
        statuses.push(status);
        if status != 201 {
            assert_eq!(code(&text), "storage_full", "{text}");
            assert!(json_of(&text)["error"]
                .as_str()
                .unwrap()
                .contains("safe in your browser"));
        }
    }
    assert_eq!(statuses, [201, 201, 201, 507, 507, 507]);
    let log = server.log();
    server.stop();
    assert_eq!(log.matches("storage quota reached").count(), 1, "{log}");

    // Free-space headroom: a disk that cannot keep the headroom takes nothing.
    let server = Server::start(
        &dir.path().join("data2"),
        &r,
        &["--min-free-space", "18000000000000000000"],
    );
    let (status, text) = post_report(LOCAL, server.port, "headroom-aaaaaaaa", "", &body).unwrap();
    assert_eq!(
        (status, code(&text).as_str()),
        (507, "storage_full"),
        "{text}"
    );
    server.stop();
}

#[test]
fn rate_limits_follow_the_client_behind_a_trusted_proxy_and_ignore_spoofed_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let server = Server::start(
        &dir.path().join("data"),
        &r,
        &["--rate-limit", "2", "--trusted-proxy", "127.0.0.1"],
    );
    let port = server.port;
    let body = sealed(&r, "x");
    let mut n = 0;
    let mut send = |from: Ipv4Addr, extra: &str| {
        n += 1;
        post_report(from, port, &format!("proxy-{n:03}-aaaaaaaa"), extra, &body)
            .unwrap()
            .0
    };
    // Through the proxy, each client has its own bucket.
    let a = "X-Forwarded-For: 203.0.113.5\r\n";
    let b = "X-Forwarded-For: 198.51.100.7, 203.0.113.9\r\n";
    assert_eq!(
        [send(LOCAL, a), send(LOCAL, a), send(LOCAL, a)],
        [201, 201, 429]
    );
    assert_eq!([send(LOCAL, b), send(LOCAL, b)], [201, 201]);
    // RFC 7239 Forwarded, IPv6 keyed by /64: two addresses of one /64 share a bucket.
    let v6 = |ip: &str| format!("Forwarded: for=\"[{ip}]:4711\";proto=https\r\n");
    assert_eq!(
        [
            send(LOCAL, &v6("2001:db8::1")),
            send(LOCAL, &v6("2001:db8::2")),
            send(LOCAL, &v6("2001:db8::3"))
        ],
        [201, 201, 429]
    );
    assert_eq!(send(LOCAL, &v6("2001:db8:0:1::1")), 201);
    // A client that is not the proxy cannot pick its bucket by sending the headers itself.
    let spoofer = Ipv4Addr::new(127, 0, 5, 1);
    let statuses: Vec<u16> = (0..4)
        .map(|i| {
            send(
                spoofer,
                &format!("X-Forwarded-For: 192.0.2.{i}\r\nForwarded: for=192.0.2.{i}\r\n"),
            )
        })
        .collect();
    assert_eq!(statuses, [201, 201, 429, 429]);
    server.stop();
}

#[test]
fn shutdown_does_not_wait_for_idle_or_stuck_connections() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let mut server = Server::start(
        &dir.path().join("data"),
        &r,
        &[
            "--shutdown-timeout",
            "2s",
            "--header-timeout",
            "60s",
            "--body-stall-timeout",
            "60s",
        ],
    );
    // An idle keep-alive connection, one stuck in its headers, one stuck in its body.
    let mut idle = connect_from(LOCAL, server.port).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 512];
    assert!(idle.read(&mut buf).unwrap() > 0);
    let mut head = connect_from(LOCAL, server.port).unwrap();
    head.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    let mut upload = connect_from(LOCAL, server.port).unwrap();
    upload
        .write_all(b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: stuck-aaaaaaaa\r\nContent-Length: 100000\r\n\r\nage-enc")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{}", server.log());
    assert!(
        t.elapsed() < Duration::from_secs(6),
        "shutdown took {:?}",
        t.elapsed()
    );
}
