//! `/metrics` on its own listener, parsed and checked after a known sequence of requests.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use common::*;

/// The samples of a Prometheus text exposition: `name{labels}` → value.
fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse::<f64>().unwrap())
        })
        .collect()
}

#[test]
fn metrics_count_what_happened_and_stay_off_the_public_address() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let mport = free_port();
    let server = Server::start(
        &data,
        &r,
        &["--metrics-listen", &format!("127.0.0.1:{mport}")],
    );
    let port = server.port;
    let report = sealed(&r, "counted");
    // A known sequence: one report stored, its replay, two refusals of different codes.
    let (s, _) = post_report(LOCAL, port, "metrics-key-0001", "", &report).unwrap();
    assert_eq!(s, 201);
    let (s, _) = post_report(LOCAL, port, "metrics-key-0001", "", &report).unwrap();
    assert_eq!(s, 200);
    let (s, _) = post_report(LOCAL, port, "metrics-key-0002", "", b"not age at all").unwrap();
    assert_eq!(s, 400);
    let head = format!(
        "POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nIdempotency-Key: metrics-key-0003\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        report.len()
    );
    assert_eq!(exchange(LOCAL, port, &head, &report).unwrap().0, 415);
    let (s, _) = get(port, "/healthz").unwrap();
    assert_eq!(s, 200);

    // Not on the public address.
    let (s, _) = get(port, "/metrics").unwrap();
    assert_eq!(s, 404);

    let (s, text) = get(mport, "/metrics").unwrap();
    assert_eq!(s, 200);
    assert!(text
        .to_ascii_lowercase()
        .contains("content-type: text/plain; version=0.0.4"));
    let m = parse(text.split("\r\n\r\n").nth(1).unwrap());
    assert_eq!(m["sealdrop_reports_accepted_total"], 1.0);
    assert_eq!(m["sealdrop_messages_accepted_total"], 0.0);
    assert_eq!(m["sealdrop_accepted_bytes_total"], report.len() as f64);
    assert_eq!(m["sealdrop_storage_bytes"], report.len() as f64);
    assert_eq!(m["sealdrop_requests_refused_total{code=\"not_age\"}"], 1.0);
    assert_eq!(
        m["sealdrop_requests_refused_total{code=\"unsupported_media_type\"}"],
        1.0
    );
    // Five requests timed (the server's own start-up /healthz polls count too: at least five).
    let count = m["sealdrop_request_duration_seconds_count"];
    assert!(count >= 5.0, "{count}");
    assert_eq!(
        m["sealdrop_request_duration_seconds_bucket{le=\"+Inf\"}"],
        count
    );
    // Buckets are cumulative.
    let mut last = 0.0;
    for b in ["0.001", "0.01", "0.1", "1", "10"] {
        let v = m[&format!("sealdrop_request_duration_seconds_bucket{{le=\"{b}\"}}")];
        assert!(v >= last, "bucket {b}");
        last = v;
    }
    assert!(m["sealdrop_request_duration_seconds_sum"] > 0.0);
    let (s, _) = get(mport, "/other").unwrap();
    assert_eq!(s, 404);
    server.stop();
}
