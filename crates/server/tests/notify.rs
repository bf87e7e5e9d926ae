//! Notifications against a local webhook receiver that checks every signature and a local SMTP
//! server: exactly once per channel for each
//! report and reporter message under normal operation, retried after refusals, and delivered
//! after a restart from the durable outbox.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

const SECRET: &str = "0123456789abcdef-test-secret";

/// A webhook receiver: answers 500 to the first `fail` requests, then 200; keeps every body
/// whose signature verifies, and counts those that do not.
struct Hook {
    port: u16,
    got: Arc<Mutex<Vec<serde_json::Value>>>,
    bad: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl Hook {
    fn start(fail: usize) -> Hook {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let bad = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (g, b, r) = (got.clone(), bad.clone(), refused.clone());
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(conn) = conn else { continue };
                let (g, b, r) = (g.clone(), b.clone(), r.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut conn = conn;
                    loop {
                        let mut headers = Vec::new();
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                            headers.push(line.trim_end().to_ascii_lowercase());
                        }
                        let value = |k: &str| {
                            headers
                                .iter()
                                .find_map(|h| h.strip_prefix(&format!("{k}: ")).map(str::to_string))
                        };
                        let len: usize = value("content-length")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        let mut body = vec![0u8; len];
                        reader.read_exact(&mut body).unwrap();
                        let status = if r.fetch_add(1, Ordering::SeqCst) < fail {
                            "500 Internal Server Error"
                        } else {
                            let expected = sealdrop_server::serve::notify::signature(SECRET, &body);
                            if value("sealdrop-signature").as_deref() == Some(expected.as_str()) {
                                g.lock()
                                    .unwrap()
                                    .push(serde_json::from_slice(&body).unwrap());
                            } else {
                                b.fetch_add(1, Ordering::SeqCst);
                            }
                            "200 OK"
                        };
                        let _ = conn.write_all(
                            format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes(),
                        );
                    }
                });
            }
        });
        Hook {
            port,
            got,
            bad,
            refused,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.got.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.got.lock().unwrap().clone()
    }
}

fn notified(data: &std::path::Path, r: &str, url: &str) -> Server {
    Server::start(
        data,
        r,
        &["--notify-webhook", url, "--notify-secret", SECRET],
    )
}

#[test]
fn each_report_is_notified_once_signed_and_without_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let hook = Hook::start(0);
    let server = notified(&data, &r, &hook.url());
    let mut receipts = Vec::new();
    for i in 0..3 {
        let body = sealed(&r, &format!("secret title {i}"));
        let (s, t) =
            post_report(LOCAL, server.port, &format!("notify-key-000{i}"), "", &body).unwrap();
        assert_eq!(s, 201);
        receipts.push((json_of(&t)["receipt"].as_str().unwrap().to_string(), body));
    }
    let got = hook.wait_for(3);
    // A moment more: nothing is sent twice.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(hook.got.lock().unwrap().len(), 3, "{got:?}");
    assert_eq!(
        hook.bad.load(Ordering::SeqCst),
        0,
        "every signature verifies"
    );
    for (receipt, body) in &receipts {
        let n = got
            .iter()
            .find(|n| n["receipt"] == receipt.as_str())
            .unwrap();
        assert_eq!(n["kind"], "report");
        assert_eq!(n["size"], body.len());
        assert_eq!(n["sha256"], sealdrop_core::sha256_hex(body));
        assert!(n["received_at"].as_str().unwrap().starts_with("20"));
        assert!(n["text"].as_str().unwrap().contains(receipt.as_str()));
        assert!(!n.to_string().contains("secret title"));
    }
    server.stop();
}

#[test]
fn refused_notifications_are_retried_and_a_restart_delivers_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    // Nobody listens at first: the notification waits in the outbox.
    let nobody = format!("http://127.0.0.1:{}/hook", free_port());
    let server = notified(&data, &r, &nobody);
    let (s, t) = post_report(LOCAL, server.port, "outbox-key-0001", "", &sealed(&r, "x")).unwrap();
    assert_eq!(s, 201);
    let receipt = json_of(&t)["receipt"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(500));
    server.stop();

    // After a restart, to a receiver that refuses twice before accepting.
    let hook = Hook::start(2);
    let server = notified(&data, &r, &hook.url());
    let got = hook.wait_for(1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["receipt"], receipt.as_str());
    assert!(
        hook.refused.load(Ordering::SeqCst) >= 3,
        "refused twice, then accepted"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(hook.got.lock().unwrap().len(), 1, "sent once");
    server.stop();
}

#[test]
fn a_webhook_without_a_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    widget_dir(dir.path());
    let out = sealdrop(
        &[
            "serve",
            "--recipient",
            &r,
            "--notify-webhook",
            "https://hooks.example.com/x",
            "--data-dir",
            "d",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--notify-secret"));
    let out = sealdrop(
        &[
            "serve",
            "--recipient",
            &r,
            "--notify-webhook",
            "http://hooks.example.com/x",
            "--notify-secret",
            SECRET,
        ],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://"));
}

/// An SMTP server that speaks just enough (no TLS, no auth) and keeps each message's data.
struct Smtp {
    port: u16,
    mails: Arc<Mutex<Vec<String>>>,
}

impl Smtp {
    fn start() -> Smtp {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut conn) = conn else { continue };
                let m = m.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let _ = conn.write_all(b"220 test ESMTP\r\n");
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 {
                        let cmd = line.trim_end().to_ascii_uppercase();
                        let answer: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                            b"250-test\r\n250 8BITMIME\r\n"
                        } else if cmd.starts_with("DATA") {
                            let _ = conn.write_all(b"354 go on\r\n");
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            m.lock().unwrap().push(data);
                            b"250 queued\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = conn.write_all(b"221 bye\r\n");
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = conn.write_all(answer);
                        line.clear();
                    }
                });
            }
        });
        Smtp { port, mails }
    }

    fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.mails.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        self.mails.lock().unwrap().clone()
    }
}

#[test]
fn email_and_webhook_each_get_every_notification_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_, r) = identity();
    let hook = Hook::start(0);
    let smtp = Smtp::start();
    let smtp_url = format!("smtp://localhost:{}", smtp.port);
    let server = Server::start(
        &data,
        &r,
        &[
            "--notify-webhook",
            &hook.url(),
            "--notify-secret",
            SECRET,
            "--notify-email",
            "security@vendor.example",
            "--notify-email",
            "oncall@vendor.example",
            "--smtp-url",
            &smtp_url,
            "--notify-from",
            "sealdrop@vendor.example",
        ],
    );
    let body = sealed(&r, "secret title by mail");
    let (s, t) = post_report(LOCAL, server.port, "mail-key-0001", "", &body).unwrap();
    assert_eq!(s, 201, "{t}");
    let receipt = json_of(&t)["receipt"].as_str().unwrap().to_string();
    let mails = smtp.wait_for(1);
    hook.wait_for(1);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        smtp.mails.lock().unwrap().len(),
        1,
        "one email, to both addresses"
    );
    assert_eq!(hook.got.lock().unwrap().len(), 1, "one webhook call");
    let mail = &mails[0];
    assert!(
        mail.contains(&format!(
            "Subject: sealdrop: a new sealed report, {receipt}"
        )),
        "{mail}"
    );
    assert!(
        mail.contains("To: security@vendor.example, oncall@vendor.example"),
        "{mail}"
    );
    assert!(mail.contains(&sealdrop_core::sha256_hex(&body)), "{mail}");
    assert!(
        mail.contains(&format!("size: {} bytes", body.len())),
        "{mail}"
    );
    assert!(!mail.contains("secret title"), "no plaintext: {mail}");
    server.stop();
    // Settings that cannot work are refused at start, with what to do.
    widget_dir(dir.path());
    let refused = |extra: &[&str]| {
        let mut args = vec![
            "serve",
            "--recipient",
            &r,
            "--notify-email",
            "security@vendor.example",
        ];
        args.extend_from_slice(extra);
        let out = sealdrop(&args, dir.path());
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(refused(&[]).contains("--smtp-url"));
    assert!(refused(&["--smtp-url", "smtps://u:p@smtp.vendor.example"]).contains("--notify-from"));
    let plain = refused(&[
        "--smtp-url",
        "smtp://u:p@smtp.vendor.example",
        "--notify-from",
        "s@vendor.example",
    ]);
    assert!(plain.contains("over TLS"), "{plain}");
    let bad = refused(&[
        "--smtp-url",
        "smtps://smtp.vendor.example",
        "--notify-from",
        "not an address",
    ]);
    assert!(bad.contains("is not an email address"), "{bad}");
}
