//! `/metrics`: Prometheus text, on a listen address of its own (`--metrics-listen`), never on
//! the public one. Counters are atomics bumped where things happen: a middleware on the public
//! router times every request and counts refusals by their `code` (which [`AppError`] leaves in
//! the response's extensions), and the intake counts what it stored.
//!
//! [`AppError`]: super::AppError

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// The refusal code of an error response, for the metrics.
#[derive(Clone, Copy)]
pub struct Refused(pub &'static str);

/// Upper bounds of the request duration histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
pub struct Metrics {
    reports: AtomicU64,
    messages: AtomicU64,
    bytes: AtomicU64,
    refused: Mutex<BTreeMap<&'static str, u64>>,
    /// Cumulative counts per bucket, then the +Inf count.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Sum of durations in microseconds.
    sum_us: AtomicU64,
}

impl Metrics {
    /// A report (`message` false) or a conversation message was stored: `bytes` of ciphertext.
    pub fn stored(&self, message: bool, bytes: u64) {
        let n = if message {
            &self.messages
        } else {
            &self.reports
        };
        n.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    fn refused(&self, code: &'static str) {
        *self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(code)
            .or_insert(0) += 1;
    }

    fn observe(&self, seconds: f64) {
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.buckets[BUCKETS.len()].fetch_add(1, Ordering::Relaxed);
        self.sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of everything, with `storage` bytes in use.
    pub fn render(&self, storage: u64, backlog: Option<u64>) -> String {
        let mut s = String::new();
        let counter = |s: &mut String, name: &str, help: &str, v: u64| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        };
        counter(
            &mut s,
            "sealdrop_reports_accepted_total",
            "Reports stored (201).",
            self.reports.load(Ordering::Relaxed),
        );
        counter(
            &mut s,
            "sealdrop_messages_accepted_total",
            "Conversation messages from reporters stored (201).",
            self.messages.load(Ordering::Relaxed),
        );
        counter(
            &mut s,
            "sealdrop_accepted_bytes_total",
            "Bytes of ciphertext stored by this process.",
            self.bytes.load(Ordering::Relaxed),
        );
        let _ = writeln!(
            s,
            "# HELP sealdrop_requests_refused_total Requests refused, by the code of their answer.\n# TYPE sealdrop_requests_refused_total counter"
        );
        for (code, n) in self
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(s, "sealdrop_requests_refused_total{{code=\"{code}\"}} {n}");
        }
        let _ = writeln!(
            s,
            "# HELP sealdrop_request_duration_seconds Time to answer a request.\n# TYPE sealdrop_request_duration_seconds histogram"
        );
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "sealdrop_request_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.buckets[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "sealdrop_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\nsealdrop_request_duration_seconds_sum {}\nsealdrop_request_duration_seconds_count {count}",
            self.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            s,
            "# HELP sealdrop_storage_bytes Bytes of stored reports and messages.\n# TYPE sealdrop_storage_bytes gauge\nsealdrop_storage_bytes {storage}"
        );
        if let Some(n) = backlog {
            let _ = writeln!(
                s,
                "# HELP sealdrop_notifications_pending Notifications queued and not yet accepted by the webhook.\n# TYPE sealdrop_notifications_pending gauge\nsealdrop_notifications_pending {n}"
            );
        }
        s
    }
}

/// Times every request of the public router and counts refusals by code.
pub async fn track(State(s): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    s.metrics.observe(start.elapsed().as_secs_f64());
    if let Some(Refused(code)) = resp.extensions().get::<Refused>() {
        s.metrics.refused(code);
    }
    resp
}

/// `GET /metrics` on the metrics listener; anything else there is 404.
pub async fn serve_metrics(State(s): State<Arc<AppState>>, req: Request) -> Response {
    if req.method() != Method::GET || req.uri().path() != "/metrics" {
        return (StatusCode::NOT_FOUND, "GET /metrics\n").into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(s.quota.used(), backlog(&s).await),
    )
        .into_response()
}

/// The outbox's backlog, when notifications are on.
async fn backlog(s: &Arc<AppState>) -> Option<u64> {
    s.settings.notify_webhook.as_ref()?;
    let state = s.clone();
    tokio::task::spawn_blocking(move || state.store.backlog().ok())
        .await
        .ok()
        .flatten()
}

/// Serves `/metrics` on `listen` until the process ends.
///
/// # Errors
/// When the address cannot be bound.
pub async fn run(state: Arc<AppState>, listen: std::net::SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen} for --metrics-listen: {e}"))?;
    println!("sealdrop: metrics on http://{listen}/metrics");
    let app = axum::Router::new()
        .fallback(serve_metrics)
        .with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(())
}
