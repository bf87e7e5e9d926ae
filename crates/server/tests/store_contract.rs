//! One behaviour, two stores: the same contract runs against SQLite (a temporary data
//! directory) and PostgreSQL (a fresh database on the cluster scripts/test.sh starts).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use sealdrop_server::store::{Body, Channel, Entry, Location, MessageRow, Mode, Put, Row, Store};

/// Opens a store of one kind at one place; called again, reopens the same one.
struct Kind {
    dir: tempfile::TempDir,
    database: Option<String>,
}

impl Kind {
    fn sqlite() -> Kind {
        Kind {
            dir: tempfile::tempdir().unwrap(),
            database: None,
        }
    }

    fn postgres() -> Kind {
        Kind {
            dir: tempfile::tempdir().unwrap(),
            database: Some(common::pg_database()),
        }
    }

    fn open(&self, mode: Mode, notify: bool) -> Store {
        let channels: &[Channel] = if notify {
            &[Channel::Webhook, Channel::Email]
        } else {
            &[]
        };
        Store::at(
            &Location {
                data_dir: self.dir.path(),
                database: self.database.as_deref(),
            },
            mode,
            channels,
        )
        .unwrap()
    }
}

fn report(n: usize, body: &[u8], thread: Option<&str>) -> Row {
    Row {
        receipt: format!("sd-{n:032x}"),
        idempotency_key: format!("key-{n}"),
        sha256: sealdrop_core::sha256_hex(body),
        size: body.len() as u64,
        received_at: format!("2026-11-24T10:00:{:02}.000Z", n % 60),
        thread: thread.map(str::to_string),
    }
}

fn message(n: usize, receipt: &str, body: &[u8]) -> MessageRow {
    MessageRow {
        id: format!("m-{n:032x}"),
        receipt: receipt.into(),
        sender: "reporter".into(),
        idempotency_key: format!("msg-key-{n}"),
        sha256: sealdrop_core::sha256_hex(body),
        size: body.len() as u64,
        received_at: format!("2026-11-24T11:00:{:02}.000Z", n % 60),
    }
}

/// Bytes that differ at every offset, so a misplaced chunk shows.
fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

fn spool_is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir.join("spool"))
        .map(|d| d.count() == 0)
        .unwrap_or(true)
}

fn rows_and_bodies(kind: &Kind) {
    let s = kind.open(Mode::Serve, false);
    let small = bytes(1000, 1);
    // Past three chunk boundaries, and not a multiple of a chunk.
    let large = bytes(3 * 1024 * 1024 + 12345, 2);
    assert_eq!(
        s.insert(&report(1, &small, None), &small, false).unwrap(),
        Put::Stored
    );
    assert_eq!(
        s.insert(&report(2, &large, Some(&"a".repeat(64))), &large, true)
            .unwrap(),
        Put::Stored
    );
    assert!(
        spool_is_empty(kind.dir.path()),
        "a stored body's spool file is removed"
    );
    assert_eq!(
        s.read_body("sd-00000000000000000000000000000001", u64::MAX)
            .unwrap()
            .unwrap(),
        small
    );
    assert_eq!(
        s.read_body("sd-00000000000000000000000000000002", u64::MAX)
            .unwrap()
            .unwrap(),
        large
    );
    assert!(s
        .read_body("sd-ffffffffffffffffffffffffffffffff", u64::MAX)
        .unwrap()
        .is_none());
    let listed = s.list().unwrap();
    assert_eq!(
        listed,
        vec![
            report(1, &small, None),
            report(2, &large, Some(&"a".repeat(64)))
        ]
    );
    assert_eq!(s.by_key("key-2").unwrap(), Some(listed[1].clone()));
    assert_eq!(s.by_key("key-9").unwrap(), None);
    assert_eq!(s.total_size().unwrap(), (small.len() + large.len()) as u64);
    // Threads: unknown receipt, a report without one, a report with one.
    assert_eq!(
        s.thread_of("sd-ffffffffffffffffffffffffffffffff").unwrap(),
        None
    );
    assert_eq!(
        s.thread_of("sd-00000000000000000000000000000001").unwrap(),
        Some(None)
    );
    assert_eq!(
        s.thread_of("sd-00000000000000000000000000000002").unwrap(),
        Some(Some("a".repeat(64)))
    );
    // Messages, small and large, oldest first.
    let receipt = "sd-00000000000000000000000000000002";
    let m_large = bytes(1024 * 1024, 3);
    let m_small = bytes(10, 4);
    assert_eq!(
        s.insert_message(&message(2, receipt, &m_large), &m_large, true)
            .unwrap(),
        Put::Stored
    );
    assert_eq!(
        s.insert_message(&message(1, receipt, &m_small), &m_small, false)
            .unwrap(),
        Put::Stored
    );
    let ms = s.messages(receipt).unwrap();
    assert_eq!(
        ms,
        vec![message(1, receipt, &m_small), message(2, receipt, &m_large)]
    );
    assert_eq!(s.all_messages().unwrap(), ms);
    assert!(s
        .messages("sd-00000000000000000000000000000001")
        .unwrap()
        .is_empty());
    assert_eq!(
        s.read_message(receipt, &ms[1].id, u64::MAX)
            .unwrap()
            .unwrap(),
        m_large
    );
    assert_eq!(
        s.read_message(receipt, &ms[0].id, u64::MAX)
            .unwrap()
            .unwrap(),
        m_small
    );
    assert!(
        s.read_message("sd-00000000000000000000000000000001", &ms[0].id, u64::MAX)
            .unwrap()
            .is_none(),
        "a message is found only under its own report"
    );
    assert_eq!(s.message_by_key("msg-key-2").unwrap(), Some(ms[1].clone()));
    assert_eq!(
        s.total_size().unwrap(),
        (small.len() + large.len() + m_small.len() + m_large.len()) as u64
    );
    drop(s);
    // Reopened (migrations run again and change nothing), everything is there.
    let again = kind.open(Mode::Serve, false);
    assert_eq!(again.list().unwrap(), listed);
    assert_eq!(again.read_body(receipt, u64::MAX).unwrap().unwrap(), large);
    drop(again);
    let reader = kind.open(Mode::Read, false);
    assert_eq!(reader.list().unwrap(), listed);
    // A reader writes nothing, and leaves no spool file behind.
    assert!(reader
        .insert(&report(3, &small, None), &small, true)
        .is_err());
    assert!(spool_is_empty(kind.dir.path()));
    assert_eq!(reader.list().unwrap().len(), 2);
}

fn idempotency(kind: &Kind) {
    let s = kind.open(Mode::Serve, false);
    let body = bytes(500, 5);
    let first = report(1, &body, None);
    assert_eq!(s.insert(&first, &body, false).unwrap(), Put::Stored);
    // The same key with a new receipt, inline or spooled: nothing written, the first answered.
    let mut retry = report(2, &body, None);
    retry.idempotency_key = first.idempotency_key.clone();
    for as_file in [false, true] {
        assert_eq!(
            s.insert(&retry, &body, as_file).unwrap(),
            Put::Existing(Entry::Report(first.clone()))
        );
    }
    assert!(spool_is_empty(kind.dir.path()));
    assert_eq!(s.list().unwrap(), vec![first.clone()]);
    // Many attempts at once with one key, from as many threads: one row.
    let s = Arc::new(s);
    let key_rows: Vec<Put> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let s = s.clone();
                let body = body.clone();
                scope.spawn(move || {
                    let mut r = report(100 + i, &body, None);
                    r.idempotency_key = "shared".into();
                    s.insert(&r, &body, i.is_multiple_of(2)).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(key_rows.iter().filter(|p| **p == Put::Stored).count(), 1);
    let stored = s.by_key("shared").unwrap().unwrap();
    for p in &key_rows {
        if let Put::Existing(Entry::Report(r)) = p {
            assert_eq!(r, &stored);
        }
    }
    assert_eq!(s.list().unwrap().len(), 2);
    // Many distinct writes at once all land (the SQLite writer groups them).
    std::thread::scope(|scope| {
        for i in 0..40 {
            let s = s.clone();
            let body = bytes(100 + i, 6);
            scope.spawn(move || {
                assert_eq!(
                    s.insert(&report(200 + i, &body, None), &body, i.is_multiple_of(5))
                        .unwrap(),
                    Put::Stored
                );
            });
        }
    });
    assert_eq!(s.list().unwrap().len(), 42);
    assert!(spool_is_empty(kind.dir.path()));
}

fn outbox(kind: &Kind) {
    let s = kind.open(Mode::Serve, true);
    let body = bytes(64, 7);
    let r = report(1, &body, Some(&"b".repeat(64)));
    s.insert(&r, &body, false).unwrap();
    s.insert_message(&message(1, &r.receipt, &body), &body, true)
        .unwrap();
    // A replay queues nothing.
    let mut replay = report(2, &body, None);
    replay.idempotency_key = r.idempotency_key.clone();
    s.insert(&replay, &body, false).unwrap();
    // One row per channel for each stored entry.
    assert_eq!(s.backlog().unwrap(), 4);
    let now = 1_800_000_000;
    let claimed = s.claim_due(Channel::Webhook, now, 60, 16).unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(claimed[0].id < claimed[1].id);
    let first: serde_json::Value = serde_json::from_str(&claimed[0].payload).unwrap();
    assert_eq!(first["kind"], "report");
    assert_eq!(first["receipt"], r.receipt.as_str());
    assert_eq!(first["sha256"], r.sha256.as_str());
    let second: serde_json::Value = serde_json::from_str(&claimed[1].payload).unwrap();
    assert_eq!(second["kind"], "message");
    // Claimed ones are not handed out again while the lease runs, and are after it ends; the
    // other channel's are its own.
    assert!(s
        .claim_due(Channel::Webhook, now + 59, 60, 16)
        .unwrap()
        .is_empty());
    let by_email = s.claim_due(Channel::Email, now + 59, 60, 16).unwrap();
    assert_eq!(by_email.len(), 2);
    assert_eq!(by_email[0].payload, claimed[0].payload);
    assert_eq!(
        s.claim_due(Channel::Webhook, now + 60, 60, 16)
            .unwrap()
            .len(),
        2
    );
    s.sent(claimed[0].id, "2026-11-24T10:00:00Z").unwrap();
    s.retry_at(claimed[1].id, now + 500).unwrap();
    assert_eq!(s.backlog().unwrap(), 3);
    assert!(s
        .claim_due(Channel::Webhook, now + 499, 60, 16)
        .unwrap()
        .is_empty());
    let again = s.claim_due(Channel::Webhook, now + 500, 60, 16).unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    // Without notifications on, nothing is queued.
    drop(s);
    let quiet = kind.open(Mode::Serve, false);
    quiet.insert(&report(3, &body, None), &body, false).unwrap();
    assert_eq!(quiet.backlog().unwrap(), 3);
}

fn failures(kind: &Kind) {
    let s = kind.open(Mode::Serve, false);
    let body = bytes(64, 8);
    s.break_for_tests();
    assert!(s.insert(&report(1, &body, None), &body, false).is_err());
    assert!(s.insert(&report(2, &body, None), &body, true).is_err());
    assert!(spool_is_empty(kind.dir.path()));
    assert!(s.list().unwrap().is_empty());
    // A message for a report that does not exist is refused.
    let healthy = kind.open(Mode::Serve, false);
    assert!(healthy
        .insert_message(
            &message(1, "sd-ffffffffffffffffffffffffffffffff", &body),
            &body,
            false
        )
        .is_err());
    // One bad write among many at once fails alone: the writes grouped with it are stored.
    let healthy = Arc::new(healthy);
    let outcomes: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..24)
            .map(|i| {
                let (s, body) = (healthy.clone(), body.clone());
                scope.spawn(move || {
                    if i == 12 {
                        let orphan = message(9, "sd-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", &body);
                        s.insert_message(&orphan, &body, false).is_ok()
                    } else {
                        s.insert(&report(300 + i, &body, None), &body, i.is_multiple_of(3))
                            .is_ok()
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        outcomes.iter().filter(|ok| !**ok).count(),
        1,
        "{outcomes:?}"
    );
    assert!(!outcomes[12]);
    assert_eq!(healthy.list().unwrap().len(), 23);
    assert!(spool_is_empty(kind.dir.path()));
    // A spooled body whose file vanished is an error, and nothing is stored.
    let gone = Body::Spooled(kind.dir.path().join("spool").join("missing.part"));
    assert!(healthy
        .put(Entry::Report(report(3, &body, None)), gone)
        .is_err());
    assert_eq!(healthy.list().unwrap().len(), 23);
}

macro_rules! contract {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::Kind::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(&super::Kind::postgres()); })*
        }
    };
}

contract!(rows_and_bodies, idempotency, outbox, failures);
