//! Notifications without plaintext (`--notify-webhook`): each stored report or reporter
//! message queues `{kind, receipt, received_at, size, sha256, text}` in the store's outbox, in
//! the same transaction as its row, so a notification is never lost when the process dies.
//! This task posts them, oldest first, signed with HMAC-SHA256 of the body
//! (`Sealdrop-Signature: sha256=<hex>`, the secret from `--notify-secret`), marks each sent
//! after a 2xx, and retries others with backoff: 1 s doubling to an hour. A notification is
//! sent once under normal operation (a crash between the 2xx and its mark can repeat one;
//! `Sealdrop-Delivery` names it, for receivers that drop repeats).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::AppState;
use crate::store::Pending;

/// The `Sealdrop-Signature` value of `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length: this never fails.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    format!(
        "sha256={}",
        sealdrop_core::hex(&mac.finalize().into_bytes())
    )
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Seconds a claimed notification is held by this process: longer than a post may take (10 s).
/// If the process dies holding it, another (or this one, restarted) takes it when this ends.
const LEASE: i64 = 60;

/// Seconds before the next attempt after `attempts` failures: 1, 2, 4, … up to an hour.
pub fn backoff(attempts: u32) -> i64 {
    (1i64 << attempts.min(12)).min(3600)
}

/// Posts one notification; `true` on a 2xx.
fn post(agent: &ureq::Agent, url: &str, secret: &str, n: &Pending) -> bool {
    agent
        .post(url)
        .header("Content-Type", "application/json")
        .header(
            "Sealdrop-Signature",
            &signature(secret, n.payload.as_bytes()),
        )
        .header("Sealdrop-Delivery", &n.id.to_string())
        .send(n.payload.as_bytes())
        .is_ok_and(|r| r.status().is_success())
}

/// Delivers the outbox until the process ends; `wake` is signalled when a row is queued.
pub fn spawn(state: Arc<AppState>, url: String, secret: String, wake: Arc<tokio::sync::Notify>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    tokio::spawn(async move {
        loop {
            let (s, agent, url, secret) =
                (state.clone(), agent.clone(), url.clone(), secret.clone());
            let more = tokio::task::spawn_blocking(move || {
                let due = s.store.claim_due(now(), LEASE, 16);
                let Ok(due) = due else { return false };
                let full = due.len() == 16;
                for n in due {
                    let ok = post(&agent, &url, &secret, &n);
                    let store = &s.store;
                    let marked = if ok {
                        let at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
                        store.sent(n.id, &at)
                    } else {
                        tracing::warn!(
                            delivery = n.id,
                            attempts = n.attempts + 1,
                            "notification not accepted; will retry"
                        );
                        store.retry_at(n.id, now() + backoff(n.attempts))
                    };
                    if let Err(e) = marked {
                        tracing::error!(error = %e, "cannot update the notification outbox");
                    }
                }
                full
            })
            .await
            .unwrap_or(false);
            if !more {
                // Woken by a new notification, or after a second to retry what is due.
                let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_a_cap() {
        assert_eq!(super::backoff(0), 1);
        assert_eq!(super::backoff(3), 8);
        assert_eq!(super::backoff(11), 2048);
        assert_eq!(super::backoff(40), 3600);
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
