//! Every invalid field is named, several at once, with a message that says what to do.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::sample_draft;
use sealdrop_core::{validate, Credit, DraftAttachment, FieldId, Limits, Problem, TargetError};

fn problems(d: &sealdrop_core::Draft) -> Vec<(String, Problem)> {
    match validate(d, &Limits::default()) {
        Ok(_) => Vec::new(),
        Err(e) => {
            e.0.into_iter()
                .map(|f| (f.field.path(), f.problem))
                .collect()
        }
    }
}

#[test]
fn sample_is_valid() {
    assert!(problems(&sample_draft()).is_empty());
}

#[test]
fn every_required_field_is_named_together() {
    let mut d = sample_draft();
    d.type_id = " ".into();
    d.type_name = String::new();
    d.title = "\n".into();
    d.affected = vec![String::new(), "  ".into()];
    d.steps = String::new();
    d.impact = "   ".into();
    let fields: Vec<String> = problems(&d).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["title", "type", "type_name", "affected", "steps", "impact"]
    );
    let errs = validate(&d, &Limits::default()).err().unwrap();
    assert_eq!(errs.get(FieldId::Steps), Some(&Problem::Required));
    assert!(errs.to_string().contains("title: This is required"));
}

#[test]
fn title_length_and_lines() {
    let mut d = sample_draft();
    d.title = "x".repeat(201);
    assert_eq!(
        problems(&d),
        [("title".to_string(), Problem::TooLong { max: 200 })]
    );
    d.title = "é".repeat(200);
    assert!(
        problems(&d).is_empty(),
        "200 characters, not bytes, are allowed"
    );
    d.title = "two\nlines".into();
    assert_eq!(problems(&d), [("title".to_string(), Problem::MultiLine)]);
}

#[test]
fn one_line_fields_refuse_control_characters_and_bidi_overrides() {
    let mut d = sample_draft();
    d.title = "erase\x1b[2K this".into();
    d.reporter_name = "Eve\u{202e}gpj.exe".into();
    d.reporter_handle = "tab\there".into();
    d.type_name = "bell\x07".into();
    assert_eq!(
        problems(&d),
        [
            ("title".to_string(), Problem::ControlCharacters),
            ("type_name".to_string(), Problem::ControlCharacters),
            ("reporter.name".to_string(), Problem::ControlCharacters),
            ("reporter.handle".to_string(), Problem::ControlCharacters),
        ]
    );
    assert!(Problem::ControlCharacters.message().contains("Remove"));
    // Multi-line fields keep their tabs and line breaks.
    let mut d = sample_draft();
    d.steps = "1.\tOpen\n2.\tClick".into();
    assert!(problems(&d).is_empty());
}

#[test]
fn type_ids() {
    let mut d = sample_draft();
    d.type_id = "ACME-BILLING-7".into();
    assert!(problems(&d).is_empty(), "vendor ids are allowed");
    d.type_id = "CWE 79".into();
    assert_eq!(problems(&d), [("type".to_string(), Problem::BadTypeId)]);
}

#[test]
fn each_bad_target_is_named_by_position() {
    let mut d = sample_draft();
    d.affected = vec![
        "https://ok.example".into(),
        "https://user:pw@example.com".into(),
        "ftp://example.com".into(),
        "https://bad host".into(),
    ];
    assert_eq!(
        problems(&d),
        [
            (
                "affected.1".to_string(),
                Problem::Target(TargetError::Credentials)
            ),
            (
                "affected.2".to_string(),
                Problem::Target(TargetError::UnsupportedScheme)
            ),
            (
                "affected.3".to_string(),
                Problem::Target(TargetError::MalformedUrl)
            ),
        ]
    );
}

#[test]
fn cvss_is_validated_and_scored() {
    let mut d = sample_draft();
    d.cvss = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into();
    let r = validate(&d, &Limits::default()).unwrap();
    let s = r.severity.unwrap();
    assert_eq!((s.score, s.rating.as_str()), (9.8, "critical"));
    d.cvss = "CVSS:3.1/AV:N/AC:Q".into();
    assert!(matches!(problems(&d)[..], [(ref f, Problem::Cvss(_))] if f == "cvss"));
    d.cvss = String::new();
    assert!(validate(&d, &Limits::default()).unwrap().severity.is_none());
}

#[test]
fn reporter_and_credit() {
    let mut d = sample_draft();
    d.reporter_email = "not an email".into();
    d.reporter_handle = String::new();
    d.credit = Credit::Handle;
    assert_eq!(
        problems(&d),
        [
            ("reporter.email".to_string(), Problem::EmailShape),
            ("reporter.handle".to_string(), Problem::CreditNeedsHandle)
        ]
    );
    let mut d = sample_draft();
    d.reporter_name = String::new();
    d.credit = Credit::Name;
    assert_eq!(
        problems(&d),
        [("reporter.name".to_string(), Problem::CreditNeedsName)]
    );
    let mut d = sample_draft();
    d.reporter_name = String::new();
    d.reporter_handle = String::new();
    d.reporter_email = String::new();
    d.credit = Credit::Anonymous;
    assert!(
        validate(&d, &Limits::default()).unwrap().reporter.is_none(),
        "a pseudonymous report carries no reporter"
    );
}

#[test]
fn attachment_limits() {
    let limits = Limits {
        max_attachments: 2,
        max_attachment_bytes: 100,
    };
    let file = |n: &str, len: usize| DraftAttachment::of(n, "", &vec![7; len]);
    let mut d = sample_draft();
    d.attachments = vec![file("a", 10), file("b", 10), file("c", 10)];
    assert_eq!(
        validate(&d, &limits)
            .err()
            .unwrap()
            .get(FieldId::Attachments),
        Some(&Problem::TooManyFiles { max: 2 })
    );
    d.attachments = vec![file("a", 60), file("b", 41)];
    let e = validate(&d, &limits).err().unwrap();
    assert_eq!(
        e.get(FieldId::Attachments),
        Some(&Problem::TooLarge { max_bytes: 100 })
    );
    assert!(e.to_string().contains("100 bytes"));
    d.attachments = vec![file("../x.txt", 50), file("x.txt", 50)];
    let r = validate(&d, &limits).unwrap();
    let names: Vec<_> = r.attachments.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(names, ["attachments/x.txt", "attachments/x (2).txt"]);
    assert_eq!(r.attachments[0].media_type, "application/octet-stream");
}

#[test]
fn policy_must_be_accepted_when_shown() {
    let mut d = sample_draft();
    d.policy_accepted_at = String::new();
    assert_eq!(
        problems(&d),
        [("policy".to_string(), Problem::PolicyNotAccepted)]
    );
    d.policy_url = String::new();
    assert!(problems(&d).is_empty());
}

#[test]
fn messages_say_what_to_do() {
    for p in [
        Problem::Required,
        Problem::EmailShape,
        Problem::Target(TargetError::Credentials),
        Problem::TooManyFiles { max: 10 },
        Problem::TooLarge {
            max_bytes: 25 * 1024 * 1024,
        },
    ] {
        let m = p.message();
        assert!(m.ends_with('.') && m.len() > 20, "{m}");
    }
    assert!(Problem::TooLarge {
        max_bytes: 25 * 1024 * 1024
    }
    .message()
    .contains("25 MB"));
}
