//! `sealdrop serve`: serves the built widget and its `sealdrop.json`, and accepts sealed reports
//! at `POST /v1/reports`, storing them durably before answering 201.
//!
//! - [`intake`]: the report route (streamed to disk, header checked off the async workers);
//! - [`limits`]: client identity behind trusted proxies, rate and concurrency limits, the upload
//!   memory budget;
//! - [`quota`]: the storage quota;
//! - [`metrics`]: Prometheus text on `--metrics-listen`;
//! - [`notify`]: webhook notifications from the store's outbox;
//! - [`thread`]: a report's conversation (its messages, authorized by the follow-up token);
//! - [`assets`]: the widget's files;
//! - [`error`]: every refusal's status, code and message;
//! - [`run`]: the connection loop (header-read timeout, connection caps, bounded shutdown).

pub mod assets;
pub mod error;
pub mod intake;
pub mod limits;
pub mod metrics;
pub mod notify;
pub mod quota;
pub mod thread;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;

use crate::settings::Settings;
use crate::store::{Store, StoreError};

pub struct AppState {
    pub store: Store,
    pub settings: Settings,
    in_flight: intake::InFlight,
    limits: limits::Limits,
    quota: quota::Quota,
    pub metrics: metrics::Metrics,
    /// Signalled when a notification is queued (`--notify-webhook`).
    pub notify_wake: Arc<tokio::sync::Notify>,
    assets: ServeDir,
    config_json: String,
    csp: HeaderValue,
}

impl AppState {
    /// # Errors
    /// When the store cannot tell how much it holds (for the quota).
    pub fn new(
        settings: Settings,
        store: Store,
        config_json: String,
    ) -> Result<Arc<AppState>, StoreError> {
        let ancestors = if settings.allow_origins.is_empty() {
            "'self'".to_string()
        } else {
            format!("'self' {}", settings.allow_origins.join(" "))
        };
        let csp = format!(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; worker-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors {ancestors}"
        );
        let quota = quota::Quota::new(
            settings.max_storage,
            settings.min_free_space,
            settings.data_dir.clone(),
            store.total_size()?,
        );
        Ok(Arc::new(AppState {
            store,
            in_flight: intake::InFlight::default(),
            limits: limits::Limits::new(&settings),
            quota,
            metrics: metrics::Metrics::default(),
            notify_wake: Arc::default(),
            assets: assets::serve_dir(&settings.widget_dir),
            csp: HeaderValue::from_str(&csp)
                .unwrap_or(HeaderValue::from_static("default-src 'none'")),
            settings,
            config_json,
        }))
    }

    /// Counts a stored upload (quota, metrics) and wakes the notifier.
    fn stored(&self, message: bool, size: u64) {
        self.quota.stored(size);
        self.metrics.stored(message, size);
        // Every channel's task that waits (a busy one looks again within a second).
        self.notify_wake.notify_waiters();
    }
}

/// The router, apart from any socket so tests call it with `oneshot`.
pub fn app(state: Arc<AppState>) -> Router {
    let origins: Vec<HeaderValue> = state
        .settings
        .allow_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("sealdrop-thread"),
            header::AUTHORIZATION,
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    Router::new()
        .route("/v1/reports", post(intake::submit))
        .route(
            "/v1/reports/{receipt}/messages",
            get(thread::list).post(thread::post),
        )
        .route("/v1/reports/{receipt}/messages/{id}", get(thread::one))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/sealdrop.json", get(config_json))
        .route("/", get(assets::static_file))
        .route("/{file}", get(assets::static_file))
        .fallback(|| async { AppError::not_found("Nothing here. Reports go to POST /v1/reports.") })
        .layer(cors)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            state.csp.clone(),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

async fn config_json(State(s): State<Arc<AppState>>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        s.config_json.clone(),
    )
        .into_response()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = ctrl_c => {},
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// What the start-up line says about who may embed the form: without `--allow-origin` the
/// browser refuses to show the form's frame on any other site, which a web developer would
/// otherwise learn only from a grey frame and the console.
pub fn embed_notice(allowed: &[String]) -> String {
    if allowed.is_empty() {
        "sealdrop: no --allow-origin given, so no other site can embed the form (browsers refuse the frame). To embed it on https://www.example.com, start with --allow-origin https://www.example.com (repeat for each site).".to_string()
    } else {
        format!(
            "sealdrop: sites allowed to embed the form: {}",
            allowed.join(", ")
        )
    }
}

/// Binds and serves until Ctrl-C or SIGTERM. Each connection has the header-read timeout;
/// connections are capped in all and per address (past the per-address cap a connection is
/// closed at once; past the total, new ones wait in the listen backlog). At shutdown, idle
/// connections are closed, requests in progress get the shutdown timeout, and then the
/// server stops whatever remains.
pub async fn run(state: Arc<AppState>, listen: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}. Is another server running there? Choose another with --listen."))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "sealdrop: serving the widget and POST /v1/reports on http://{addr}/ (reports in {})",
        match &state.settings.database {
            Some(url) => format!("PostgreSQL at {}", crate::store::postgres::redact(url)),
            None => state.settings.data_dir.display().to_string(),
        }
    );
    println!("{}", embed_notice(&state.settings.allow_origins));
    if let Some(m) = state.settings.metrics_listen {
        metrics::run(state.clone(), m).await?;
    }
    if let (Some(url), Some(secret)) = (
        &state.settings.notify_webhook,
        &state.settings.notify_secret,
    ) {
        println!("sealdrop: notifying {url} of each report and reporter message");
        notify::spawn(
            state.clone(),
            notify::Sink::webhook(url.clone(), secret.clone()),
            state.notify_wake.clone(),
        );
    }
    if let (false, Some(smtp), Some(from)) = (
        state.settings.notify_email.is_empty(),
        &state.settings.smtp_url,
        &state.settings.notify_from,
    ) {
        let sink = notify::Sink::email(smtp, from, &state.settings.notify_email)?;
        println!(
            "sealdrop: emailing {} of each report and reporter message",
            state.settings.notify_email.join(", ")
        );
        notify::spawn(state.clone(), sink, state.notify_wake.clone());
    }
    let router = app(state.clone());
    let settings = &state.settings;
    let connections = Arc::new(Semaphore::new(settings.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .max_buf_size(256 * 1024);
    let forget = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                state.limits.forget_idle();
            }
        })
    };
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => p.map_err(|e| e.to_string())?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(per_ip) = state.limits.connection(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: too many from this address");
            continue;
        };
        let svc = router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop((permit, per_ip));
        });
    }
    drop(listener);
    forget.abort();
    tracing::info!("shutting down: finishing requests in progress");
    if tokio::time::timeout(settings.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "shutdown: requests still in progress after {:?} were dropped",
            settings.shutdown_timeout
        );
    }
    Ok(())
}
