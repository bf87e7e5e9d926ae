//! The widget's files, from the build directory: tower-http's `ServeDir` with the build's
//! brotli and gzip copies (`scripts/postbuild.mjs` writes `NAME.br` and `NAME.gz`), chosen by
//! the client's `Accept-Encoding`. Only plain names of the top level are served, and the cache
//! policy follows the name: hashed assets for a year, the form page never.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::error::AppError;
use super::AppState;

pub fn serve_dir(dir: &Path) -> ServeDir {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
}

/// Trunk's hashed names (`form-4b4f25b951dca6fc.css`) never change content: cache for a year.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit('-')
        .next()
        .is_some_and(|h| h.len() >= 12 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A file name this route serves: letters, digits, `-`, `_` and `.`, not starting with a dot.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

pub async fn static_file(State(s): State<Arc<AppState>>, req: Request) -> Response {
    let name = match req.uri().path().trim_start_matches('/') {
        "" => "index.html".to_string(),
        n => n.to_string(),
    };
    let not_found = || AppError::not_found("No such file.").into_response();
    if !plain_name(&name) {
        return not_found();
    }
    let Ok(mut r) = s.assets.clone().oneshot(req).await;
    if r.status() == StatusCode::NOT_FOUND {
        return not_found();
    }
    let cache = if is_hashed(&name) {
        "public, max-age=31536000, immutable"
    } else if name == "index.html" {
        "no-store"
    } else {
        "no-cache"
    };
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if name.ends_with(".html") {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    r.map(axum::body::Body::new)
}
