//! Notifications without plaintext (`--notify-webhook`, `--notify-email`): each stored report
//! or reporter message queues `{kind, receipt, received_at, size, sha256, text}` in the store's
//! outbox, once per channel, in the same transaction as its row, so a notification is never
//! lost when the process dies. One task per channel delivers them, oldest first: the webhook
//! as a POST signed with HMAC-SHA256 of the body (`Sealdrop-Signature: sha256=<hex>`, the
//! secret from `--notify-secret`), email over SMTP (`--smtp-url`). Each is marked sent once
//! delivered (a 2xx, or the SMTP server's acceptance), and retried with backoff otherwise: 1 s
//! doubling to an hour. A notification is sent once under normal operation (a crash between
//! the delivery and its mark can repeat one; `Sealdrop-Delivery` names it, for receivers that
//! drop repeats). With several receivers on one database, a claimed notification is leased to
//! one of them.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use lettre::message::{header::ContentType, Mailbox};
use lettre::Transport;
use sha2::Sha256;

use super::AppState;
use crate::store::{Channel, Pending};

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

/// Where one channel's notifications go.
pub enum Sink {
    Webhook {
        agent: ureq::Agent,
        url: String,
        secret: String,
    },
    Email {
        transport: lettre::SmtpTransport,
        from: Mailbox,
        to: Vec<Mailbox>,
    },
}

impl Sink {
    /// The webhook sink: 10 s for each POST.
    pub fn webhook(url: String, secret: String) -> Sink {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .into();
        Sink::Webhook { agent, url, secret }
    }

    /// The email sink, from settings already checked by [`crate::settings`].
    ///
    /// # Errors
    /// When the SMTP URL or an address does not parse.
    pub fn email(smtp_url: &str, from: &str, to: &[String]) -> Result<Sink, String> {
        let transport = lettre::SmtpTransport::from_url(smtp_url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let mailbox = |a: &str| {
            a.parse::<Mailbox>()
                .map_err(|e| format!("{a:?} is not an email address ({e})"))
        };
        Ok(Sink::Email {
            transport,
            from: mailbox(from)?,
            to: to.iter().map(|a| mailbox(a)).collect::<Result<_, _>>()?,
        })
    }

    fn channel(&self) -> Channel {
        match self {
            Sink::Webhook { .. } => Channel::Webhook,
            Sink::Email { .. } => Channel::Email,
        }
    }

    /// Delivers one notification; `true` once the other side accepted it.
    fn deliver(&self, n: &Pending) -> bool {
        match self {
            Sink::Webhook { agent, url, secret } => agent
                .post(url)
                .header("Content-Type", "application/json")
                .header(
                    "Sealdrop-Signature",
                    &signature(secret, n.payload.as_bytes()),
                )
                .header("Sealdrop-Delivery", &n.id.to_string())
                .send(n.payload.as_bytes())
                .is_ok_and(|r| r.status().is_success()),
            Sink::Email {
                transport,
                from,
                to,
            } => {
                let Some((subject, body)) = email_text(&n.payload) else {
                    return false;
                };
                let mut m = lettre::Message::builder()
                    .from(from.clone())
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN);
                for t in to {
                    m = m.to(t.clone());
                }
                m.body(body).is_ok_and(|m| transport.send(&m).is_ok())
            }
        }
    }
}

/// An email's subject and body for a notification: the same fields as the webhook's, no more.
pub fn email_text(payload: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let field = |k: &str| v[k].as_str().map(str::to_string);
    let receipt = field("receipt")?;
    let subject = match v["kind"].as_str()? {
        "report" => format!("sealdrop: a new sealed report, {receipt}"),
        _ => format!("sealdrop: the reporter of {receipt} wrote"),
    };
    let body = format!(
        "{}\n\nreceipt: {receipt}\nreceived at: {}\nsize: {} bytes\nsha256: {}\n\nNothing of the report is in this email: it stays sealed until the security team opens it with the organization's identity.\n",
        field("text")?,
        field("received_at")?,
        v["size"].as_u64()?,
        field("sha256")?,
    );
    Some((subject, body))
}

/// Delivers one channel's outbox until the process ends; `wake` is signalled when a row is
/// queued.
pub fn spawn(state: Arc<AppState>, sink: Sink, wake: Arc<tokio::sync::Notify>) {
    let sink = Arc::new(sink);
    tokio::spawn(async move {
        loop {
            let (s, sink) = (state.clone(), sink.clone());
            let more = tokio::task::spawn_blocking(move || {
                let channel = sink.channel();
                let Ok(due) = s.store.claim_due(channel, now(), LEASE, 16) else {
                    return false;
                };
                let full = due.len() == 16;
                for n in due {
                    let marked = if sink.deliver(&n) {
                        let at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
                        s.store.sent(n.id, &at)
                    } else {
                        tracing::warn!(
                            channel = channel.as_str(),
                            delivery = n.id,
                            attempts = n.attempts + 1,
                            "notification not accepted; will retry"
                        );
                        s.store.retry_at(n.id, now() + backoff(n.attempts))
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
