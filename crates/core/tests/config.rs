//! The config schema: from JSON and from attributes, with a clear error for every broken value.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use sealdrop_core::{Config, Theme};

fn errs_json(v: serde_json::Value) -> Vec<(String, String)> {
    match Config::from_json(&v.to_string()) {
        Ok(_) => Vec::new(),
        Err(e) => e.into_iter().map(|e| (e.setting, e.message)).collect(),
    }
}

fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn minimal_and_full_json() {
    let (_, x) = x25519();
    let c = Config::from_json(
        &serde_json::json!({"recipients": [x], "endpoint": "/v1/reports"}).to_string(),
    )
    .unwrap();
    assert_eq!(c.recipients, std::slice::from_ref(&x));
    assert_eq!(c.types.len(), 15);
    assert_eq!(c.types[0].id, "CWE-79");
    assert_eq!(
        (c.limits.max_attachments, c.limits.max_attachment_bytes),
        (10, 25 * 1024 * 1024)
    );
    // No `lang`: the researcher's browser chooses; report.md is in English.
    assert_eq!(
        (c.lang.as_str(), c.report_lang.as_str(), c.theme),
        ("", "en", Theme::Auto)
    );
    assert!(c.questions.is_empty() && c.questions_url.is_none());

    let full = serde_json::json!({
        "recipients": [x],
        "endpoint": "https://example.com/v1/reports",
        "org": "Example Corp",
        "policy_url": "https://example.com/security",
        "contact_email": "security@example.com",
        "subject_tag": "[SECURITY] Example",
        "types": [{"id": "ACME-1", "name": "Billing"}],
        "extra_types": [{"id": "CWE-79", "name": "XSS"}],
        "assets": ["api.example.com", "iOS app"],
        "max_attachments": 3,
        "max_attachment_bytes": 1000,
        "lang": "en-GB",
        "theme": "dark"
    });
    let c = Config::from_json(&full.to_string()).unwrap();
    assert_eq!(
        c.types.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["ACME-1", "CWE-79"]
    );
    assert_eq!(c.assets.len(), 2);
    assert_eq!(c.limits.max_attachments, 3);
    assert_eq!(c.theme, Theme::Dark);
    // What serve publishes parses back to the same settings.
    let again = Config::from_json(&c.to_json().to_string()).unwrap();
    assert_eq!(again.recipients, c.recipients);
    assert_eq!(again.types, c.types);
}

#[test]
fn every_broken_value_is_named() {
    let (id, x) = x25519();
    let secret = identity_text(&id);
    let cases: Vec<(serde_json::Value, &str, &str)> = vec![
        (
            serde_json::json!({"endpoint": "/r"}),
            "recipients",
            "no age recipient",
        ),
        (
            serde_json::json!({"recipients": ["age1nope"], "endpoint": "/r"}),
            "recipients",
            "checksum",
        ),
        (
            serde_json::json!({"recipients": [secret.trim()], "endpoint": "/r"}),
            "recipients",
            "PRIVATE key",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "http://example.com/r"}),
            "endpoint",
            "https://",
        ),
        (
            serde_json::json!({"recipients": [x]}),
            "endpoint",
            "missing",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "colour": "red"}),
            "colour",
            "unknown setting",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "policy_url": "javascript:alert(1)"}),
            "policy_url",
            "https://",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "contact_email": "security"}),
            "contact_email",
            "email address",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "contact_email": "security@example.com?body=forged&bcc"}),
            "contact_email",
            "must not contain ?, & or %",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "contact_email": "security%40example.com@example.com"}),
            "contact_email",
            "must not contain ?, & or %",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "max_attachments": -1}),
            "max_attachments",
            "whole number",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "max_attachment_bytes": 0}),
            "max_attachment_bytes",
            "whole number",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "theme": "neon"}),
            "theme",
            "auto, light or dark",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "lang": "english!"}),
            "lang",
            "language tag",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "types": []}),
            "types",
            "at least one",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "types": [{"id": "A B", "name": "x"}]}),
            "types",
            "without spaces",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "types": "xss"}),
            "types",
            "list of",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "org": 5}),
            "org",
            "string",
        ),
        (
            serde_json::json!({"recipients": [x], "endpoint": "/r", "subject_tag": "a\nb"}),
            "subject_tag",
            "one line",
        ),
        (
            serde_json::json!({"recipients": [x, tag_recipient()], "endpoint": "/r"}),
            "recipients",
            "not supported by the web form",
        ),
    ];
    for (json, setting, needle) in cases {
        let errs = errs_json(json.clone());
        assert!(
            errs.iter().any(|(s, m)| s == setting && m.contains(needle)),
            "{json}: expected {setting} mentioning {needle:?}, got {errs:?}"
        );
        assert!(
            !errs.iter().any(|(_, m)| m.contains(&secret.trim()[15..])),
            "secret echoed"
        );
    }
    let e = Config::from_json("{\"recipients\": [").err().unwrap();
    assert!(e[0].message.contains("not valid JSON"));
    let e = Config::from_json("[]").err().unwrap();
    assert!(e[0].message.contains("JSON object"));
}

#[test]
fn localhost_http_and_same_origin_paths_are_allowed() {
    let (_, x) = x25519();
    for ep in [
        "http://localhost:8080/v1/reports",
        "http://127.0.0.1/r",
        "http://[::1]:9/r",
        "/v1/reports",
    ] {
        assert!(
            errs_json(serde_json::json!({"recipients": [x], "endpoint": ep})).is_empty(),
            "{ep}"
        );
    }
    for ep in [
        "//evil.example/r",
        "/\\evil.example/r",
        "/v1\\reports",
        "http://localhost.evil.example/r",
        "ftp://example.com",
    ] {
        assert!(
            !errs_json(serde_json::json!({"recipients": [x], "endpoint": ep})).is_empty(),
            "{ep}"
        );
    }
}

#[test]
fn attributes() {
    let (_, x) = x25519();
    let (_, x2) = x25519();
    let rs = format!("{x}  {x2}");
    let c = Config::from_attributes(&attrs(&[
        ("recipients", &rs),
        ("endpoint", "https://example.com/v1/reports"),
        ("org", "Example Corp"),
        ("policy-url", "https://example.com/security"),
        ("types", "CWE-79: Cross-site scripting; ACME-1: Billing"),
        ("assets", "api.example.com; iOS app"),
        ("max-attachments", "4"),
        ("mode", "inline"),
        ("target", "#report"),
    ]))
    .unwrap();
    assert_eq!(c.recipients, [x.clone(), x2]);
    assert_eq!(
        c.policy_url.as_deref(),
        Some("https://example.com/security")
    );
    assert_eq!(c.types[1].id, "ACME-1");
    assert_eq!(c.assets, ["api.example.com", "iOS app"]);
    assert_eq!(c.limits.max_attachments, 4);

    let e = Config::from_attributes(&attrs(&[
        ("recipients", &x),
        ("endpoint", "http://example.com"),
        ("policy-url", "nope"),
        ("max-attachments", "many"),
        ("types", "no colon here"),
        ("colour", "red"),
    ]))
    .err()
    .unwrap();
    let settings: Vec<&str> = e.iter().map(|e| e.setting.as_str()).collect();
    for want in [
        "data-endpoint",
        "data-policy-url",
        "data-max-attachments",
        "data-types",
        "data-colour",
    ] {
        assert!(settings.contains(&want), "{want} missing from {settings:?}");
    }
}
