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
        attachments: vec![sealdrop_core::DraftAttachment {
            name: "passwd.txt".into(),
            media_type: "text/plain".into(),
            bytes: b"root:x:0:0".to_vec(),
        }],
        ..Default::default()
    };
    let r = sealdrop_core::validate(&d, &sealdrop_core::Limits::default()).unwrap();
    let recipients = sealdrop_core::parse_recipients(&[recipient]).unwrap();
    sealdrop_core::seal(
        &recipients,
        &r,
        &[d.attachments[0].bytes.as_slice()],
        Vec::new(),
    )
    .unwrap()
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

pub fn state(s: Settings) -> Arc<AppState> {
    let store = Store::open(&s.data_dir).unwrap();
    let json = s.widget_config().unwrap();
    AppState::new(s, store, json).unwrap()
}
