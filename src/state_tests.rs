//! The reducer, natively: each step's validation, navigation, focus and delivery states.

use super::*;
use sealdrop_core::{FieldId, Problem};

fn state() -> State {
    State::new(
        "4d2c1f0e-1111-4a2b-8c3d-000000000001".into(),
        Limits::default(),
        String::new(),
    )
}

fn apply(s: State, actions: Vec<Action>) -> State {
    let mut rc = Rc::new(s);
    for a in actions {
        rc = rc.reduce(a);
    }
    (*rc).clone()
}

fn fields(s: &State) -> Vec<FieldId> {
    s.errors.iter().map(|e| e.field).collect()
}

fn filled() -> State {
    apply(
        state(),
        vec![
            Action::Set(Field::Title, "Stored XSS".into()),
            Action::ChooseType {
                id: "CWE-79".into(),
                name: "Cross-site scripting (XSS)".into(),
            },
            Action::SetTarget(0, "https://app.example.com/bio".into()),
            Action::Set(Field::Steps, "1. Save <script> in bio".into()),
            Action::Set(Field::Impact, "Account takeover".into()),
        ],
    )
}

#[test]
fn next_is_refused_with_the_steps_errors_and_focus_moves() {
    let s = apply(state(), vec![Action::Next]);
    assert_eq!(s.step, Step::Kind);
    assert_eq!(fields(&s), [FieldId::Title, FieldId::Type]);
    assert_eq!(s.focus, 1);
    // Errors of later steps are not shown yet.
    assert!(s.error(FieldId::Steps, crate::i18n::english()).is_none());
}

#[test]
fn each_step_validates_its_own_fields() {
    let s = apply(
        state(),
        vec![
            Action::Set(Field::Title, "t".into()),
            Action::ChooseType {
                id: "CWE-89".into(),
                name: "SQL injection".into(),
            },
            Action::Next,
        ],
    );
    assert_eq!(s.step, Step::Where);
    let s = apply(
        s,
        vec![Action::SetTarget(0, "ftp://x".into()), Action::Next],
    );
    assert_eq!(
        (s.step, fields(&s)),
        (Step::Where, vec![FieldId::Target(0)])
    );
    let s = apply(s, vec![Action::SetTarget(0, "https://x.example".into())]);
    assert!(s.errors.is_empty(), "a fixed error disappears while typing");
    let s = apply(s, vec![Action::Next, Action::Next]);
    assert_eq!(
        (s.step, fields(&s)),
        (Step::Reproduce, vec![FieldId::Steps])
    );
    let s = apply(
        s,
        vec![Action::Set(Field::Steps, "do it".into()), Action::Next],
    );
    let s = apply(
        s,
        vec![Action::Set(Field::Cvss, "CVSS:9".into()), Action::Next],
    );
    assert_eq!(
        (s.step, fields(&s)),
        (Step::Impact, vec![FieldId::Impact, FieldId::Cvss])
    );
    let s = apply(
        s,
        vec![
            Action::Set(Field::Impact, "bad".into()),
            Action::Set(Field::Cvss, String::new()),
            Action::Next,
        ],
    );
    assert_eq!(s.step, Step::Evidence);
    let s = apply(
        s,
        vec![
            Action::Next,
            Action::Set(Field::Email, "nope".into()),
            Action::Next,
        ],
    );
    assert_eq!(
        (s.step, fields(&s)),
        (Step::About, vec![FieldId::ReporterEmail])
    );
    let s = apply(
        s,
        vec![Action::Set(Field::Email, String::new()), Action::Next],
    );
    assert_eq!(s.step, Step::Review);
}

#[test]
fn other_kind_needs_a_name() {
    let s = apply(
        state(),
        vec![
            Action::Set(Field::Title, "t".into()),
            Action::ChooseType {
                id: OTHER.into(),
                name: String::new(),
            },
            Action::Next,
        ],
    );
    assert_eq!(fields(&s), [FieldId::TypeName]);
    let s = apply(
        s,
        vec![
            Action::Set(Field::OtherName, "Race condition".into()),
            Action::Next,
        ],
    );
    assert_eq!(s.step, Step::Where);
    let d = s.draft("2026-11-22T10:00:00Z");
    assert_eq!(
        (d.type_id.as_str(), d.type_name.as_str()),
        ("other", "Race condition")
    );
}

#[test]
fn attachment_limits_show_at_once() {
    let limits = Limits {
        max_attachments: 1,
        max_attachment_bytes: 10,
    };
    let s = State::new("id".into(), limits, String::new());
    let file = |n: &str, id| Attached {
        id,
        meta: DraftAttachment::of(n, "", &[0; 6]),
        read: 6.0,
        file: None,
        scrub: crate::state::Scrub::NotImage,
    };
    let s = apply(s, vec![Action::AddFiles(vec![file("a", 1), file("b", 2)])]);
    assert_eq!(
        s.errors
            .iter()
            .map(|e| e.problem.clone())
            .collect::<Vec<_>>(),
        [
            Problem::TooManyFiles { max: 1 },
            Problem::TooLarge { max_bytes: 10 }
        ]
    );
    let s = apply(s, vec![Action::RemoveFile(0)]);
    assert!(s.errors.is_empty());
    assert_eq!(s.form.files[0].meta.name, "b");
}

#[test]
fn a_file_counts_once_its_digest_arrives() {
    let mut s = filled();
    s.step = Step::Evidence;
    let pending = Attached {
        id: 7,
        meta: DraftAttachment {
            name: "capture.pcap".into(),
            media_type: String::new(),
            size: 3 << 20,
            sha256: String::new(),
        },
        read: 0.0,
        file: None,
        scrub: crate::state::Scrub::NotImage,
    };
    let s = apply(
        s,
        vec![Action::AddFiles(vec![pending.clone()]), Action::Next],
    );
    assert_eq!(
        s.step,
        Step::Evidence,
        "a file still being read holds the step"
    );
    assert_eq!(s.errors[0].problem, Problem::StillReading);
    let s = apply(
        s,
        vec![Action::FileRead {
            id: 7,
            done: 1048576.0,
        }],
    );
    assert_eq!(s.form.files[0].read, 1048576.0);
    let digest = "ab".repeat(32);
    let s = apply(
        s,
        vec![Action::Digested {
            id: 7,
            sha256: Some(digest.clone()),
        }],
    );
    assert!(
        s.errors.is_empty(),
        "the error goes once the digest is known"
    );
    assert_eq!(s.form.files[0].meta.sha256, digest);
    let s = apply(s, vec![Action::Next]);
    assert_eq!(s.step, Step::About);
    let s = apply(
        apply(filled(), vec![Action::AddFiles(vec![pending])]),
        vec![Action::Digested {
            id: 7,
            sha256: None,
        }],
    );
    assert!(s.form.files.is_empty(), "an unreadable file is removed");
}

#[test]
fn submit_jumps_to_the_first_step_with_errors() {
    let mut s = filled();
    s.step = Step::Review;
    s.form.impact.clear();
    let s = apply(s, vec![Action::Submit]);
    assert_eq!((s.step, fields(&s)), (Step::Impact, vec![FieldId::Impact]));
}

#[test]
fn policy_consent_is_required_when_a_policy_is_shown() {
    let mut s = filled();
    s.policy_url = "https://example.com/security".into();
    s.step = Step::Review;
    let s = apply(s, vec![Action::Submit]);
    assert_eq!((s.step, fields(&s)), (Step::Review, vec![FieldId::Policy]));
    let s = apply(
        s,
        vec![Action::AcceptPolicy(Some("2026-11-22T10:00:00Z".into()))],
    );
    assert!(s.errors.is_empty());
    assert!(s.check("2026-11-22T10:00:01Z").is_ok());
}

#[test]
fn targets_add_and_remove_but_one_stays() {
    let s = apply(
        state(),
        vec![
            Action::AddTarget,
            Action::SetTarget(1, "b".into()),
            Action::RemoveTarget(0),
            Action::RemoveTarget(0),
        ],
    );
    assert_eq!(s.form.affected, ["b"]);
}

#[test]
fn back_and_goto_keep_what_was_typed() {
    let mut s = filled();
    s.step = Step::Review;
    let s = apply(s, vec![Action::Back, Action::GoTo(Step::Kind)]);
    assert_eq!(s.step, Step::Kind);
    assert_eq!(s.form.title, "Stored XSS");
    assert!(s.has_content());
    assert!(!state().has_content());
}

#[test]
fn delivery_state_and_reset() {
    let s = apply(
        filled(),
        vec![
            Action::Delivery(Delivery::Sending {
                attempt: 2,
                retry_in: Some(4),
                sent: 0.0,
                total: 0.0,
            }),
            Action::Uploaded {
                sent: 512.0,
                total: 2048.0,
            },
        ],
    );
    assert!(matches!(
        s.delivery,
        Delivery::Sending {
            attempt: 2,
            retry_in: Some(4),
            sent: 512.0,
            total: 2048.0,
        }
    ));
    // Upload progress outside an attempt changes nothing.
    let editing = apply(
        filled(),
        vec![Action::Uploaded {
            sent: 1.0,
            total: 2.0,
        }],
    );
    assert!(editing.delivery == Delivery::Editing);
    let s = apply(s, vec![Action::Reset { id: "new".into() }]);
    assert_eq!((s.id.as_str(), s.step), ("new", Step::Kind));
    assert!(!s.has_content() && s.delivery == Delivery::Editing);
}

#[test]
fn the_conversation_is_kept_unless_declined_and_its_secret_goes_with_reset() {
    let s = filled();
    assert!(!s.form.no_thread, "a conversation is kept by default");
    let s = apply(s, vec![Action::NoThread(true)]);
    assert!(s.form.no_thread);
    let s = apply(
        s,
        vec![Action::NoThread(false), Action::ThreadSecret(Some([7; 16]))],
    );
    assert!(!s.form.no_thread);
    assert_eq!(s.thread_secret, Some([7; 16]));
    // What was typed stays while the secret is set; a new report forgets the secret.
    assert_eq!(s.form.title, "Stored XSS");
    let s = apply(
        s,
        vec![Action::Reset {
            id: "4d2c1f0e-1111-4a2b-8c3d-000000000002".into(),
        }],
    );
    assert_eq!(s.thread_secret, None);
    assert!(!s.form.no_thread);
}
