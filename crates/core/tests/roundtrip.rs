//! Any valid report survives seal -> open -> untar unchanged, for every recipient type.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use sealdrop_core::{
    parse_recipients, render_markdown, seal, seal_to_vec, sealed_size_bound, validate,
    write_bundle, Credit, Draft, DraftAttachment, Limits, Report,
};

fn check_bundle(files: &std::collections::BTreeMap<String, Vec<u8>>, r: &Report, att: &[Vec<u8>]) {
    let json: Report = serde_json::from_slice(&files["report.json"]).unwrap();
    assert!(json == *r, "report.json differs from the sealed report");
    let value: serde_json::Value = serde_json::from_slice(&files["report.json"]).unwrap();
    assert_eq!(value["schema"], "sealdrop.report.v1");
    assert_eq!(files["report.md"], render_markdown(r).into_bytes());
    let md = String::from_utf8_lossy(&files["report.md"]);
    for a in &r.answers {
        assert!(
            md.contains(&format!("- {}: {}", a.question, a.answer)),
            "{md}"
        );
        assert_eq!(json.answers.iter().filter(|x| x.id == a.id).count(), 1);
    }
    for (meta, bytes) in r.attachments.iter().zip(att) {
        assert_eq!(&files[&meta.path], bytes, "{}", meta.path);
        assert_eq!(meta.sha256, sealdrop_core::sha256_hex(bytes));
    }
    assert_eq!(files.len(), 2 + r.attachments.len());
}

#[test]
fn sample_round_trips_to_several_recipients() {
    let (id1, r1) = x25519();
    let (id2, r2) = x25519();
    let recipients = parse_recipients(&[r1, tag_recipient(), r2]).unwrap();
    let (report, att) = sample();
    let ct = seal(&recipients, &report, &refs(&att), Vec::new()).unwrap();
    assert!(ct.starts_with(b"age-encryption.org/v1\n"));
    let header = String::from_utf8_lossy(&ct[..ct.windows(4).position(|w| w == b"\n---").unwrap()]);
    assert_eq!(header.matches("-> X25519 ").count(), 2);
    assert_eq!(header.matches("-> p256tag ").count(), 1);
    check_bundle(&open(&ct, &id1), &report, &att);
    check_bundle(&open(&ct, &id2), &report, &att);
}

#[test]
fn armored_copy_opens_with_age() {
    use std::io::Read;
    let (id, r) = x25519();
    let (report, att) = sample();
    let ct = seal(
        &parse_recipients(&[r]).unwrap(),
        &report,
        &refs(&att),
        Vec::new(),
    )
    .unwrap();
    let text = sealdrop_core::armor(&ct);
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
    assert!(text.ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
    assert!(text.lines().all(|l| l.len() <= 64));
    // age's strict armor reader gives back the binary file, which decrypts.
    let mut binary = Vec::new();
    age::armor::ArmoredReader::new(text.as_bytes())
        .read_to_end(&mut binary)
        .unwrap();
    assert_eq!(binary, ct);
    check_bundle(&open(&binary, &id), &report, &att);
    for n in 0..5 {
        let mut b = Vec::new();
        let bytes = vec![7u8; n];
        age::armor::ArmoredReader::new(sealdrop_core::armor(&bytes).as_bytes())
            .read_to_end(&mut b)
            .unwrap();
        assert_eq!(b, bytes, "{n} bytes");
    }
}

#[test]
fn tagpq_recipients_seal_a_well_formed_file() {
    let recipients = parse_recipients(&[tagpq_recipient(), tagpq_recipient()]).unwrap();
    let (report, att) = sample();
    let ct = seal(&recipients, &report, &refs(&att), Vec::new()).unwrap();
    let header = String::from_utf8_lossy(&ct[..ct.windows(4).position(|w| w == b"\n---").unwrap()]);
    assert_eq!(header.matches("-> mlkem768p256tag ").count(), 2);
    // The header parses, and a stranger's key is told it does not match.
    let (stranger, _) = x25519();
    assert!(matches!(
        age::decrypt(&stranger, &ct),
        Err(age::DecryptError::NoMatchingKeys)
    ));
}

#[test]
fn bundle_is_deterministic() {
    let (report, att) = sample();
    let a = write_bundle(&report, &refs(&att), Vec::new()).unwrap();
    let b = write_bundle(&report, &refs(&att), Vec::new()).unwrap();
    assert_eq!(a, b);
    // Fixed owner, mode and the report's time as mtime.
    let mut ar = tar::Archive::new(a.as_slice());
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
        assert_eq!(h.mtime().unwrap(), 1_795_341_600);
        assert!(matches!(h.mode().unwrap(), 0o644 | 0o755));
    }
}

#[test]
fn the_size_bound_holds_for_every_recipient_type_and_chunk_boundary() {
    let mut draft = sample_draft();
    for len in [
        0,
        1,
        65_536 - 3_000,
        65_536,
        65_537,
        3 * 65_536 + 5,
        1_000_000,
    ] {
        draft.attachments.truncate(1);
        let att = vec![vec![0x5a; len]];
        draft.attachments[0] = DraftAttachment::of("poc.html", "text/html", &att[0]);
        let report = validate(&draft, &Limits::default()).unwrap();
        for recipients in [
            vec![x25519().1],
            vec![x25519().1, x25519().1, tag_recipient()],
            vec![tagpq_recipient(), tagpq_recipient()],
        ] {
            let n = recipients.len();
            let recipients = parse_recipients(&recipients).unwrap();
            let ct = seal_to_vec(&recipients, &report, &refs(&att)).unwrap();
            let bound = sealed_size_bound(&recipients, &report, &refs(&att));
            // An upper bound, and a close one: the output is allocated once at this size and
            // never grows (a growing Vec would end with a larger capacity).
            assert!(ct.len() <= bound, "{len} bytes, {n} recipients");
            assert_eq!(ct.capacity(), bound, "{len} bytes, {n} recipients");
            assert!(
                bound - ct.len() <= 300 + 2048 * n,
                "{len} bytes, {n} recipients"
            );
        }
    }
}

#[test]
fn mismatched_files_are_refused() {
    let (report, att) = sample();
    assert!(write_bundle(&report, &refs(&att[..1]), Vec::new()).is_err());
    let wrong = [att[0].as_slice(), b"short".as_slice()];
    assert!(write_bundle(&report, &wrong, Vec::new()).is_err());
}

/// Draft derives no `Debug` (it holds plaintext); tests print what they generated this way.
struct Case(Draft, Vec<Vec<u8>>);

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.0;
        f.debug_struct("Draft")
            .field("title", &d.title)
            .field("affected", &d.affected)
            .field("steps", &d.steps)
            .field(
                "attachments",
                &d.attachments
                    .iter()
                    .map(|a| (&a.name, a.size))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn text(max: usize) -> impl Strategy<Value = String> {
    // Printable text including non-ASCII, markdown and tar-hostile characters.
    proptest::string::string_regex(&format!("[a-zA-Z0-9 éß漢字<>&#*_`/\\\\.-]{{1,{max}}}")).unwrap()
}

fn multiline() -> impl Strategy<Value = String> {
    // Starts with a letter so the trimmed text is never empty (required fields).
    prop::collection::vec(text(60), 1..5).prop_map(|l| format!("x{}", l.join("\n")))
}

prop_compose! {
    fn draft()(
        title in text(199), steps in multiline(), impact in multiline(),
        prereq in prop::option::of(multiline()),
        host in "[a-z]{1,12}", path in "[a-zA-Z0-9/_-]{0,30}",
        asset in prop::option::of(text(40)),
        name in prop::option::of(text(40)), handle in prop::option::of("[a-z0-9_]{1,20}"),
        email in prop::option::of("[a-z]{1,10}@[a-z]{1,10}\\.org"),
        files in prop::collection::vec(("[a-zA-Z0-9 ._\\-/\\\\\u{202e}]{0,40}", prop::collection::vec(any::<u8>(), 0..3000)), 0..4),
        cvss in prop::sample::select(vec!["", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"]),
        answer in prop::option::of("[a-zA-Z0-9 äöü日本]{0,30}\\.[0-9]"),
    ) -> Case {
        let credit = match (&name, &handle) { (Some(_), _) => Credit::Name, (None, Some(_)) => Credit::Handle, _ => Credit::Anonymous };
        let mut affected = vec![format!("https://{host}.example/{path}")];
        affected.extend(asset.map(|a| a.trim().to_string()).filter(|a| !a.is_empty() && !a.contains("://")));
        Case(Draft {
            id: "5f0c0d4e-6a3f-4d3a-8b8e-0d5c9e2a7b10".into(),
            created_at: "2026-01-02T03:04:05Z".into(),
            type_id: "CWE-89".into(), type_name: "SQL injection".into(),
            title: title.trim().to_string() + "t", affected, steps, impact,
            prerequisites: prereq.unwrap_or_default(),
            cvss: cvss.to_string(),
            reporter_name: name.map(|n| n.trim().to_string() + "n").unwrap_or_default(),
            reporter_handle: handle.unwrap_or_default(),
            reporter_email: email.unwrap_or_default(),
            credit,
            attachments: files.iter().map(|(n, b)| DraftAttachment::of(n, "application/octet-stream", b)).collect(),
            policy_url: String::new(), policy_accepted_at: String::new(),
            answers: answer.map(|a| vec![sealdrop_core::DraftAnswer {
                id: "app_version".into(), question: "Which app version?".into(),
                kind: sealdrop_core::QuestionKind::Text, required: true, choices: Vec::new(), value: a,
            }]).unwrap_or_default(),
            cvss_score: None,
        }, files.into_iter().map(|(_, b)| b).collect())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_valid_report_round_trips(case in draft()) {
        let (d, att) = (case.0, case.1);
        let (id, r) = x25519();
        let recipients = parse_recipients(&[r]).unwrap();
        let report = validate(&d, &Limits::default()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ct = seal(&recipients, &report, &refs(&att), Vec::new()).unwrap();
        prop_assert!(ct.len() <= sealed_size_bound(&recipients, &report, &refs(&att)));
        let files = open(&ct, &id);
        check_bundle(&files, &report, &att);
        // What was typed is what arrives (trimmed).
        prop_assert_eq!(&report.title, d.title.trim());
        prop_assert_eq!(&report.steps, d.steps.trim());
        // Attachment names are unique and safe.
        let mut names: Vec<&str> = report.attachments.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        prop_assert_eq!(names.len(), report.attachments.len());
        for n in names {
            let safe = !n.contains(['/', '\\', '\u{202e}']) && !n.starts_with('.') && !n.is_empty();
            prop_assert!(safe, "unsafe name {:?}", n);
        }
    }
}
