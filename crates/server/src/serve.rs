//! `sealdrop serve`: serves the built widget and its `sealdrop.json`, and accepts sealed reports
//! at `POST /v1/reports`, storing them durably before answering 201.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, Limited};
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::agecheck;
use crate::settings::Settings;
use crate::store::{Row, Store};

pub struct AppState {
    pub store: Mutex<Store>,
    in_flight: Mutex<HashSet<String>>,
    limiter: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    pub settings: Settings,
    config_json: String,
    csp: HeaderValue,
}

impl AppState {
    pub fn new(settings: Settings, store: Store, config_json: String) -> Arc<AppState> {
        let ancestors = if settings.allow_origins.is_empty() {
            "'self'".to_string()
        } else {
            format!("'self' {}", settings.allow_origins.join(" "))
        };
        let csp = format!(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors {ancestors}"
        );
        Arc::new(AppState {
            store: Mutex::new(store),
            in_flight: Mutex::new(HashSet::new()),
            limiter: Mutex::new(HashMap::new()),
            csp: HeaderValue::from_str(&csp)
                .unwrap_or(HeaderValue::from_static("default-src 'none'")),
            settings,
            config_json,
        })
    }
}

/// Every refusal: its status, a stable code and a message for people. Internal failures get a
/// generic message; their detail goes to the log.
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({"error": self.message, "code": self.code})),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
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
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    let csp = state.csp.clone();
    Router::new()
        .route("/v1/reports", post(submit))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/sealdrop.json", get(config_json))
        .route(
            "/",
            get(|s: State<Arc<AppState>>, h: HeaderMap| async move {
                static_file(s, h, UrlPath("index.html".into())).await
            }),
        )
        .route("/{file}", get(static_file))
        .fallback(|| async {
            AppError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Nothing here. Reports go to POST /v1/reports.",
            )
        })
        .layer(cors)
        .layer(axum::middleware::map_response(move |mut r: Response| {
            let csp = csp.clone();
            async move {
                let h = r.headers_mut();
                h.insert(header::CONTENT_SECURITY_POLICY, csp);
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                h.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                r
            }
        }))
        .layer(TraceLayer::new_for_http())
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

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// Trunk's hashed names (`form-4b4f25b951dca6fc.css`) never change content: cache for a year.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit('-')
        .next()
        .is_some_and(|h| h.len() >= 12 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Whether the client's `Accept-Encoding` takes `coding` (present, and not with `q=0`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// The file `name` of the widget build, and the `Content-Encoding` it is stored in: the
/// brotli or gzip copy that `scripts/postbuild.mjs` writes next to it when the client takes
/// one (the wasm shrinks from about 550 KB to under 190 KB), else the file itself.
async fn read_widget_file(
    dir: &std::path::Path,
    name: &str,
    headers: &HeaderMap,
) -> Option<(Vec<u8>, Option<&'static str>)> {
    for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
        if accepts(headers, coding) {
            if let Ok(bytes) = tokio::fs::read(dir.join(format!("{name}.{ext}"))).await {
                return Some((bytes, Some(coding)));
            }
        }
    }
    tokio::fs::read(dir.join(name))
        .await
        .ok()
        .map(|b| (b, None))
}

async fn static_file(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
) -> Response {
    let safe = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let not_found =
        || AppError::new(StatusCode::NOT_FOUND, "not_found", "No such file.").into_response();
    if !safe {
        return not_found();
    }
    let Some((bytes, encoding)) = read_widget_file(&s.settings.widget_dir, &name, &headers).await
    else {
        return not_found();
    };
    let cache = if is_hashed(&name) {
        "public, max-age=31536000, immutable"
    } else if name == "index.html" {
        "no-store"
    } else {
        "no-cache"
    };
    let mut r = (
        [
            (header::CONTENT_TYPE, content_type(&name)),
            (header::CACHE_CONTROL, cache),
            (header::VARY, "Accept-Encoding"),
        ],
        bytes,
    )
        .into_response();
    if let Some(e) = encoding {
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    r
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

/// Fixed one-minute windows per client address.
fn rate_limited(s: &AppState, ip: IpAddr) -> Option<u64> {
    let limit = s.settings.rate_limit;
    if limit == 0 {
        return None;
    }
    let mut map = s
        .limiter
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = Instant::now();
    if map.len() > 100_000 {
        map.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
    }
    let entry = map.entry(ip).or_insert((now, 0));
    if now.duration_since(entry.0) >= Duration::from_secs(60) {
        *entry = (now, 0);
    }
    entry.1 += 1;
    (entry.1 > limit).then(|| 60 - now.duration_since(entry.0).as_secs().min(59))
}

fn valid_key(k: &str) -> bool {
    (8..=128).contains(&k.len())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn new_receipt() -> Result<String, AppError> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).map_err(|_| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "The receiver cannot store reports right now; try again later.",
        )
    })?;
    Ok(format!("sd-{}", sealdrop_core::hex(&b)))
}

struct InFlight<'a>(&'a AppState, String);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.1);
    }
}

fn receipt_json(status: StatusCode, r: &Row) -> Response {
    (
        status,
        Json(json!({"receipt": r.receipt, "sha256": r.sha256, "received_at": r.received_at})),
    )
        .into_response()
}

async fn submit(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, AppError> {
    let ip = client_ip(&req);
    if let Some(wait) = rate_limited(&s, ip) {
        let mut e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many reports from this address; try again in {wait} s."),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ctype.split(';').next().map(str::trim) != Some("application/octet-stream") {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the sealed report as Content-Type: application/octet-stream.",
        ));
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !valid_key(&key) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "missing_idempotency_key",
            "Send an Idempotency-Key header (the report's UUID) so retries are stored once.",
        ));
    }
    let max = s.settings.max_body;
    let too_large = || {
        AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("The sealed report is larger than this receiver accepts ({max} bytes): remove large attachments."))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let body: Bytes = Limited::new(req.into_body(), usize::try_from(max).unwrap_or(usize::MAX))
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "body_incomplete",
                    "The upload was interrupted; send it again.",
                )
            }
        })?
        .to_bytes();
    agecheck::check(&body)
        .map_err(|m| AppError::new(StatusCode::BAD_REQUEST, m.code(), m.message()))?;
    let sha256 = sealdrop_core::sha256_hex(&body);

    {
        let mut flight = s
            .in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !flight.insert(key.clone()) {
            let mut e = AppError::new(
                StatusCode::CONFLICT,
                "in_flight",
                "This report is being stored by an earlier attempt; ask again in a moment.",
            );
            e.retry_after = Some(1);
            return Err(e);
        }
    }
    let guard = InFlight(&s, key.clone());
    let state = s.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<Response, AppError> {
        let store = state.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let unavailable = |e: crate::store::StoreError| {
            tracing::error!(error = %e, "storage failure");
            AppError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "The receiver cannot store reports right now; your report is safe in your browser, try again later.")
        };
        if let Some(existing) = store.by_key(&key).map_err(unavailable)? {
            if existing.sha256 == sha256 {
                return Ok(receipt_json(StatusCode::OK, &existing));
            }
            return Err(AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "This Idempotency-Key was already used for a different report; use a new key for a new report."));
        }
        let row = Row {
            receipt: new_receipt()?,
            idempotency_key: key,
            sha256,
            size: body.len() as u64,
            received_at: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        };
        store.insert(&row, &body).map_err(unavailable)?;
        tracing::info!(receipt = %row.receipt, size = row.size, "report stored");
        Ok(receipt_json(StatusCode::CREATED, &row))
    })
    .await
    .map_err(|_| AppError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "The receiver cannot store reports right now; try again later."))?;
    drop(guard);
    outcome
}

/// Binds, serves until Ctrl-C or SIGTERM, and finishes requests in progress.
pub async fn run(state: Arc<AppState>, listen: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}. Is another server running there? Choose another with --listen."))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "sealdrop: serving the widget and POST /v1/reports on http://{addr}/ (data in {})",
        state.settings.data_dir.display()
    );
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                tokio::select! {
                    _ = ctrl_c => {},
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {},
                }
            }
            #[cfg(not(unix))]
            let _ = ctrl_c.await;
        })
        .await
        .map_err(|e| e.to_string())
}
