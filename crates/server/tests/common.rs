//! Helpers shared by the receiver's tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use age::secrecy::ExposeSecret;
use sealdrop_server::serve::AppState;
use sealdrop_server::settings::Settings;
use sealdrop_server::store::Store;

pub fn identity() -> (age::x25519::Identity, String) {
    let id = age::x25519::Identity::generate();
    let r = id.to_public().to_string();
    (id, r)
}

pub fn identity_file(dir: &Path, id: &age::x25519::Identity) -> PathBuf {
    let p = dir.join("key.txt");
    std::fs::write(
        &p,
        format!("# test key\n{}\n", id.to_string().expose_secret()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    p
}

/// A sealed report as the widget makes it.
pub fn sealed(recipient: &str, title: &str) -> Vec<u8> {
    let d = sealdrop_core::Draft {
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-22T10:00:00Z".into(),
        type_id: "CWE-22".into(),
        type_name: "Path traversal".into(),
        title: title.into(),
        affected: vec!["https://files.example.com/download".into()],
        steps: "GET /download?f=../../etc/passwd".into(),
        impact: "Reads any file.".into(),
        attachments: vec![sealdrop_core::DraftAttachment::of(
            "passwd.txt",
            "text/plain",
            b"root:x:0:0",
        )],
        ..Default::default()
    };
    let r = sealdrop_core::validate(&d, &sealdrop_core::Limits::default()).unwrap();
    let recipients = sealdrop_core::parse_recipients(&[recipient]).unwrap();
    sealdrop_core::seal(&recipients, &r, &[b"root:x:0:0".as_slice()], Vec::new()).unwrap()
}

pub fn settings(data_dir: &Path, recipient: &str) -> Settings {
    Settings {
        recipients: vec![recipient.to_string()],
        data_dir: data_dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        allow_origins: vec!["https://vendor.example".into()],
        max_body: 1_000_000,
        rate_limit: 1000,
        widget_dir: widget_dir(data_dir),
        org: Some("Example Corp".into()),
        ..Settings::default()
    }
}

/// A stand-in widget build: what `serve` needs to find (index.html and hashed assets).
pub fn widget_dir(base: &Path) -> PathBuf {
    let d = base.join("dist");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("index.html"), "<!doctype html><title>form</title>").unwrap();
    std::fs::write(
        d.join("sealdrop-widget-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(d.join("sealdrop.js"), "/* loader */").unwrap();
    d
}

/// The receiver's state on a new store: SQLite in the data directory, or with
/// `SEALDROP_TEST_STORE=postgres` a fresh PostgreSQL database (scripts/test.sh runs the
/// receiver's suites both ways).
pub fn state(s: Settings) -> Arc<AppState> {
    let store = if std::env::var("SEALDROP_TEST_STORE").as_deref() == Ok("postgres") {
        let dir = s.data_dir.clone();
        // The synchronous client runs its own runtime: keep it off the test's async worker.
        std::thread::spawn(move || {
            let url = pg_database();
            Store::at(
                &sealdrop_server::store::Location {
                    data_dir: &dir,
                    database: Some(&url),
                },
                sealdrop_server::store::Mode::Serve,
                &[],
            )
            .unwrap()
        })
        .join()
        .unwrap()
    } else {
        Store::open(&s.data_dir).unwrap()
    };
    let json = s.widget_config().unwrap();
    AppState::new(s, store, json).unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `sealdrop serve` process on a free port of 127.0.0.1, its log in `log`.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    /// Starts the real binary with `extra` flags (after the defaults, so they win) and waits
    /// until `/healthz` answers.
    pub fn start(data: &Path, recipient: &str, extra: &[&str]) -> Server {
        let widget = widget_dir(data.parent().unwrap());
        let port = free_port();
        let log = data.with_extension(format!("{port}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sealdrop"))
            .args(["serve", "--recipient", recipient])
            .args(if extra.contains(&"--rate-limit") {
                &[][..]
            } else {
                &["--rate-limit", "0"][..]
            })
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data)
            .arg("--widget-dir")
            .arg(widget)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(std::fs::File::create(log.with_extension("out")).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while get(port, "/healthz").is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server { child, port, log }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// What the server printed on its standard output (its start-up lines).
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.log.with_extension("out")).unwrap_or_default()
    }

    /// The server's peak resident memory so far, in KiB (VmHWM).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP connection to `port` on 127.0.0.1 from the loopback address `from` (127.0.0.0/8 is
/// all this machine's, so each test client can have an address of its own).
pub fn connect_from(from: std::net::Ipv4Addr, port: u16) -> std::io::Result<std::net::TcpStream> {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    s.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    s.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    Ok(s.into())
}

/// One HTTP/1.1 exchange from `from`: (status, headers and body as text), or None if the
/// connection failed before an answer.
pub fn exchange(
    from: std::net::Ipv4Addr,
    port: u16,
    head: &str,
    body: &[u8],
) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = connect_from(from, port).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    s.write_all(head.as_bytes()).ok()?;
    // The server may answer (and close) before the body is all sent: read what it said.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// POST /v1/reports with the idempotency key `key` and `extra` header lines.
pub fn post_report(
    from: std::net::Ipv4Addr,
    port: u16,
    key: &str,
    extra: &str,
    body: &[u8],
) -> Option<(u16, String)> {
    let head = format!(
        "POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    exchange(from, port, &head, body)
}

pub const LOCAL: std::net::Ipv4Addr = std::net::Ipv4Addr::LOCALHOST;

/// GET `path` from 127.0.0.1.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    exchange(
        LOCAL,
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        b"",
    )
}

/// The JSON body of an answer's text.
pub fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or("")).unwrap_or_default()
}

/// Runs the `sealdrop` binary in `cwd`.
pub fn sealdrop(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sealdrop"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Stores `body` under `receipt` as the receiver would: in its row, or (`as_file`) in a file
/// the row names.
pub fn store_report(data: &Path, body: &[u8], receipt: &str, at: &str, as_file: bool) {
    let s = Store::open(data).unwrap();
    let row = sealdrop_server::store::Row {
        receipt: receipt.into(),
        idempotency_key: format!("key-{receipt}"),
        sha256: sealdrop_core::sha256_hex(body),
        size: body.len() as u64,
        received_at: at.into(),
        thread: None,
    };
    s.insert(&row, body, as_file).unwrap();
}

/// A new, empty database on the test's PostgreSQL cluster, as a URL. scripts/test.sh starts a
/// throwaway cluster (scripts/pg.sh) and names it in `SEALDROP_TEST_DATABASE`.
pub fn pg_database() -> String {
    let admin = std::env::var("SEALDROP_TEST_DATABASE").unwrap_or_else(|_| {
        panic!(
            "the PostgreSQL tests need a cluster: run scripts/test.sh, or export SEALDROP_TEST_DATABASE=$(scripts/pg.sh start /tmp/sealdrop-pg)"
        )
    });
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).unwrap();
    let name = format!("t_{}", sealdrop_core::hex(&b));
    let create = format!("CREATE DATABASE {name}");
    let url = admin.clone();
    // The synchronous client runs its own runtime: keep it off any test's async worker.
    std::thread::spawn(move || {
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap()
            .batch_execute(&create)
            .unwrap();
    })
    .join()
    .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A sealed report whose reporter kept the follow-up key behind `d`.
pub fn sealed_with_reply_to(recipient: &str, d: &sealdrop_core::Derived) -> Vec<u8> {
    let draft = sealdrop_core::Draft {
        id: sealdrop_core::new_uuid().unwrap(),
        created_at: "2026-11-24T09:00:00Z".into(),
        type_id: "CWE-79".into(),
        type_name: "Cross-site scripting".into(),
        title: "Stored XSS in comments".into(),
        affected: vec!["https://www.example.com/comments".into()],
        steps: "Post <script>alert(1)</script>".into(),
        impact: "Runs script in every reader's session.".into(),
        ..Default::default()
    };
    let mut report = sealdrop_core::validate(&draft, &sealdrop_core::Limits::default()).unwrap();
    report.reply_to = Some(d.recipient());
    let r = sealdrop_core::parse_recipients(&[recipient]).unwrap();
    sealdrop_core::seal(&r, &report, &[], Vec::new()).unwrap()
}
