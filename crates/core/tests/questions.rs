#![cfg(not(target_arch = "wasm32"))]
//! The organization's own questions: parsed and checked from `questions`, asked by kind,
//! validated like built-in fields, answered in report.json and report.md.

mod common;

use common::sample_draft;
use sealdrop_core::{
    parse_questions, render_markdown_in, validate, BundleParts, Config, DraftAnswer, FieldId,
    Limits, Problem, QuestionKind,
};

fn questions() -> serde_json::Value {
    serde_json::json!([
        {"id": "app_version", "label": {"en": "Which app version?", "de": "Welche App-Version?", "pt-BR": "Qual versão do app?"},
         "hint": "Settings → About", "kind": "text", "required": true, "step": "kind"},
        {"id": "unauth", "label": "Exploitable without authentication?", "kind": "choice",
         "choices": [{"en": "Yes", "de": "Ja"}, {"en": "No", "de": "Nein"}], "required": true},
        {"id": "poc", "label": "Proof-of-concept URL", "kind": "url", "step": "evidence"},
        {"id": "notes", "label": "Anything else?", "kind": "textarea", "step": "about"}
    ])
}

#[test]
fn questions_parse_with_their_languages_kinds_and_steps() {
    let q = parse_questions(&questions()).unwrap();
    assert_eq!(q.len(), 4);
    assert_eq!(
        (q[0].kind, q[0].required, q[0].step),
        (QuestionKind::Text, true, 0)
    );
    // The impact step unless named.
    assert_eq!(
        (q[1].kind, q[1].step, q[1].choices.len()),
        (QuestionKind::Choice, 3, 2)
    );
    assert_eq!(
        (q[2].kind, q[2].required, q[2].step),
        (QuestionKind::Url, false, 4)
    );
    assert_eq!((q[3].kind, q[3].step), (QuestionKind::Textarea, 5));
    // The researcher's language, else the same language, else English, else the first.
    assert_eq!(q[0].label.get("de"), "Welche App-Version?");
    assert_eq!(q[0].label.get("de-AT"), "Welche App-Version?");
    assert_eq!(q[0].label.get("pt-BR"), "Qual versão do app?");
    assert_eq!(q[0].label.get("ja"), "Which app version?");
    assert_eq!(q[1].label.get("ar"), "Exploitable without authentication?");
    assert_eq!(q[1].choices[1].get("de"), "Nein");
    // In sealdrop.json, and republished as given.
    let c = Config::from_json(
        &serde_json::json!({"recipients": [common::x25519().1], "endpoint": "/v1/reports", "questions": questions(), "report_lang": "de"}).to_string(),
    )
    .unwrap();
    assert_eq!((c.questions.len(), c.report_lang.as_str()), (4, "de"));
    assert_eq!(c.to_json()["questions"], questions());
    assert_eq!(c.to_json()["report_lang"], "de");
}

#[test]
fn broken_questions_are_refused_each_with_its_problem() {
    for (bad, says) in [
        (serde_json::json!({"id": "x"}), "expected a JSON array"),
        (
            serde_json::json!([{"id": "x", "label": "L", "kind": "radio"}]),
            "questions[0].kind",
        ),
        (
            serde_json::json!([{"id": "x", "label": "L", "kind": "choice", "choices": ["one"]}]),
            "2 to 20 choices",
        ),
        (
            serde_json::json!([{"id": "x", "label": "a\u{202e}b"}]),
            "questions[0].label",
        ),
        (
            serde_json::json!([{"id": "x", "label": "L"}, {"id": "x", "label": "M"}]),
            "used twice",
        ),
        (
            serde_json::json!([{"id": "x", "label": {"english": "L"}}]),
            "language tag",
        ),
        (
            serde_json::json!([{"id": "x", "label": "L", "step": "review"}]),
            "questions[0].step",
        ),
    ] {
        let e = parse_questions(&bad).unwrap_err();
        assert!(e.iter().any(|m| m.contains(says)), "{bad}: {e:?}");
    }
    let many: Vec<_> = (0..21)
        .map(|i| serde_json::json!({"id": format!("q{i}"), "label": "L"}))
        .collect();
    assert!(parse_questions(&serde_json::Value::from(many)).is_err());
    // A data-questions attribute: JSON inline, or the URL of a file.
    let r = common::x25519().1;
    let attrs = |q: &str| {
        [
            ("recipients", r.as_str()),
            ("endpoint", "/v1/reports"),
            ("questions", q),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let c = Config::from_attributes(&attrs(r#"[{"id": "v", "label": "Version?"}]"#)).unwrap();
    assert_eq!(c.questions.len(), 1);
    let c = Config::from_attributes(&attrs("https://example.com/questions.json")).unwrap();
    assert_eq!(
        c.questions_url.as_deref(),
        Some("https://example.com/questions.json")
    );
    assert!(Config::from_attributes(&attrs("[{broken")).is_err());
    assert!(Config::from_attributes(&attrs("javascript:alert(1)")).is_err());
}

fn answer(id: &str, kind: QuestionKind, required: bool, value: &str) -> DraftAnswer {
    DraftAnswer {
        id: id.into(),
        question: format!("Question {id}?"),
        kind,
        required,
        choices: vec!["Yes".into(), "No".into()],
        value: value.into(),
    }
}

#[test]
fn answers_are_validated_by_kind_and_land_in_both_files() {
    let mut d = sample_draft();
    d.answers = vec![
        answer("a", QuestionKind::Text, true, ""),
        answer("b", QuestionKind::Choice, true, "Maybe"),
        answer("c", QuestionKind::Url, false, "ftp://x.example"),
        answer("d", QuestionKind::Text, false, "two\nlines"),
    ];
    let e = validate(&d, &Limits::default()).err().expect("refused");
    assert_eq!(e.get(FieldId::Answer(0)), Some(&Problem::Required));
    assert_eq!(e.get(FieldId::Answer(1)), Some(&Problem::UnknownChoice));
    assert_eq!(e.get(FieldId::Answer(2)), Some(&Problem::NotAUrl));
    assert_eq!(e.get(FieldId::Answer(3)), Some(&Problem::MultiLine));
    assert_eq!(FieldId::Answer(2).path(), "answers.2");
    d.answers = vec![
        answer("a", QuestionKind::Text, true, " 4.2.1 "),
        answer("b", QuestionKind::Choice, true, "No"),
        answer("c", QuestionKind::Url, false, ""),
        answer("d", QuestionKind::Textarea, false, "two\nlines"),
    ];
    let r = validate(&d, &Limits::default()).unwrap();
    // Unanswered optional questions are left out; the rest in order, trimmed.
    let got: Vec<(&str, &str)> = r
        .answers
        .iter()
        .map(|a| (a.id.as_str(), a.answer.as_str()))
        .collect();
    assert_eq!(got, [("a", "4.2.1"), ("b", "No"), ("d", "two\nlines")]);
    let parts = BundleParts::of(&r).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&parts.json).unwrap();
    assert_eq!(
        json["answers"][0],
        serde_json::json!({"id": "a", "question": "Question a?", "answer": "4.2.1"})
    );
    assert!(parts.markdown.contains("\n## Answers to your questions\n\n- Question a?: 4.2.1\n- Question b?: No\n- Question d?: two\n  lines\n"), "{}", parts.markdown);
    // report.md in another language: every label from its catalogue.
    let de: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../www/i18n/de.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let md = render_markdown_in(&r, &r.kind.name, &|k| {
        de[k].as_str().unwrap_or("").to_string()
    });
    assert!(
        md.contains("\n## Antworten auf Ihre Fragen\n\n- Question a?: 4.2.1\n"),
        "{md}"
    );
    assert!(md.contains("\n## Schritte zur Reproduktion\n\n"), "{md}");
    assert!(!md.contains("Steps to reproduce"), "{md}");
}
