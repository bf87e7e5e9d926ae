//! The receiver's HTTP contract, through `oneshot` (no socket): every status of DESIGN.md's wire
//! protocol, the headers on every page, and the widget's files.
#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use sealdrop_server::serve::app;
use tower::ServiceExt;

fn post(body: Vec<u8>, key: &str) -> Request<Body> {
    Request::post("/v1/reports")
        .header("content-type", "application/octet-stream")
        .header("idempotency-key", key)
        .body(Body::from(body))
        .unwrap()
}

async fn send(
    router: axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    let r = router.oneshot(req).await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

const KEY: &str = "7d0b4c39-1f5e-4a43-9a1e-6b0d3c2f9e11";

#[tokio::test]
async fn stores_and_replays_by_idempotency_key() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    let body = sealed(&r, "first");
    let (status, _, v) = send(app(st.clone()), post(body.clone(), KEY)).await;
    assert_eq!(status, StatusCode::CREATED);
    let receipt = v["receipt"].as_str().unwrap().to_string();
    assert!(
        receipt.starts_with("sd-") && receipt.len() == 35,
        "128-bit receipt: {receipt}"
    );
    assert_eq!(v["sha256"], sealdrop_core::sha256_hex(&body));
    assert!(v["received_at"].as_str().unwrap().starts_with("20"));
    // Same key, same body: the same receipt, 200.
    let (status, _, again) = send(app(st.clone()), post(body.clone(), KEY)).await;
    assert_eq!(
        (status, again["receipt"].as_str()),
        (StatusCode::OK, Some(receipt.as_str()))
    );
    // Same key, another body: 422.
    let (status, _, e) = send(app(st.clone()), post(sealed(&r, "other"), KEY)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );
    assert_eq!(st.store.list().unwrap().len(), 1);
}

#[tokio::test]
async fn refusals_have_status_code_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    let good = sealed(&r, "x");
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (post(Vec::new(), KEY), StatusCode::BAD_REQUEST, "empty_body"),
        (
            post(b"hello world".to_vec(), KEY),
            StatusCode::BAD_REQUEST,
            "not_age",
        ),
        (
            post(sealdrop_core::armor(&good).into_bytes(), KEY),
            StatusCode::BAD_REQUEST,
            "armored_body",
        ),
        (
            post(good[..good.len().min(120)].to_vec(), KEY),
            StatusCode::BAD_REQUEST,
            "malformed_stanza",
        ),
        (
            post(good.clone(), "short"),
            StatusCode::BAD_REQUEST,
            "missing_idempotency_key",
        ),
        (
            Request::post("/v1/reports")
                .header("content-type", "text/plain")
                .header("idempotency-key", KEY)
                .body(Body::from(good.clone()))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Request::post("/v1/reports")
                .header("content-type", "application/octet-stream")
                .header("idempotency-key", KEY)
                .header("content-length", "999999999")
                .body(Body::from(good.clone()))
                .unwrap(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            post(vec![b'a'; 1_000_001], KEY),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (req, want, code) in cases {
        let (status, headers, v) = send(app(st.clone()), req).await;
        assert_eq!((status, v["code"].as_str()), (want, Some(code)), "{v}");
        assert!(v["error"].as_str().unwrap().len() > 20);
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self' https://vendor.example"));
    }
    assert!(
        st.store.list().unwrap().is_empty(),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn streamed_bodies_over_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    // No Content-Length: a stream of chunks, a valid age header first (so the header check
    // passes) and then more payload than the limit.
    let mut chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(sealed(&r, "big"))];
    chunks.extend((0..20).map(|_| Ok(vec![b'a'; 100_000])));
    let body = Body::from_stream(futures_stream(chunks));
    let req = Request::post("/v1/reports")
        .header("content-type", "application/octet-stream")
        .header("idempotency-key", KEY)
        .body(body)
        .unwrap();
    let (status, _, v) = send(app(st.clone()), req).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );
    assert!(st.store.list().unwrap().is_empty());
    let spool = std::fs::read_dir(dir.path().join("spool")).unwrap().count();
    assert_eq!(spool, 0, "the refused upload's spool file is removed");
}

fn futures_stream(
    items: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    tokio_stream::iter(items)
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let mut s = settings(dir.path(), &r);
    s.rate_limit = 2;
    let st = state(s);
    for i in 0..2 {
        let (status, _, _) =
            send(app(st.clone()), post(sealed(&r, "x"), &format!("{KEY}{i}"))).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, headers, v) =
        send(app(st.clone()), post(sealed(&r, "x"), &format!("{KEY}9"))).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}

#[tokio::test]
async fn storage_failure_is_503_never_2xx() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    // Make the database unwritable underneath the server.
    st.store.break_for_tests();
    let (status, _, v) = send(app(st), post(sealed(&r, "x"), KEY)).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("storage_unavailable"))
    );
}

#[tokio::test]
async fn serves_widget_config_and_health_with_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    let get = |p: &str| {
        Request::get(p)
            .header("origin", "https://vendor.example")
            .body(Body::empty())
            .unwrap()
    };
    let res = app(st.clone())
        .oneshot(get("/sealdrop.json"))
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://vendor.example"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(v["recipients"][0], r);
    assert_eq!(v["endpoint"], "/v1/reports");
    assert!(sealdrop_core::Config::from_json(&v.to_string()).is_ok());

    let res = app(st.clone()).oneshot(get("/")).await.unwrap();
    assert_eq!(
        (
            res.status(),
            res.headers()["cache-control"].to_str().unwrap()
        ),
        (StatusCode::OK, "no-store")
    );
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"));
    let res = app(st.clone())
        .oneshot(get("/sealdrop-widget-0123456789abcdef_bg.wasm"))
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert!(res.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    for bad in ["/..%2Fsealdrop.sqlite3", "/.env", "/nope.js"] {
        assert_eq!(
            app(st.clone()).oneshot(get(bad)).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
    let (status, _, v) = send(app(st.clone()), get("/healthz")).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    // CORS preflight from an allowed origin, and none for others.
    let pre = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/v1/reports")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key",
            )
            .body(Body::empty())
            .unwrap()
    };
    let res = app(st.clone())
        .oneshot(pre("https://vendor.example"))
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://vendor.example"
    );
    let res = app(st).oneshot(pre("https://evil.example")).await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn a_duplicate_in_flight_gets_409() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let st = state(settings(dir.path(), &r));
    let body = sealed(&r, "x");
    // The first attempt's body arrives in two parts; until the second, it is in flight.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    let (head, tail) = body.split_at(body.len() / 2);
    tx.send(Ok(head.to_vec())).await.unwrap();
    let slow = Request::post("/v1/reports")
        .header("content-type", "application/octet-stream")
        .header("idempotency-key", KEY)
        .body(Body::from_stream(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        ))
        .unwrap();
    let first = tokio::spawn(app(st.clone()).oneshot(slow));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, headers, v) = send(app(st.clone()), post(body.clone(), KEY)).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("in_flight"))
    );
    assert!(headers.contains_key("retry-after"));
    tx.send(Ok(tail.to_vec())).await.unwrap();
    drop(tx);
    assert_eq!(first.await.unwrap().unwrap().status(), StatusCode::CREATED);
    assert_eq!(st.store.list().unwrap().len(), 1);
}

#[tokio::test]
async fn serves_the_precompressed_copy_the_client_accepts() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = identity();
    let s = settings(dir.path(), &r);
    let name = "sealdrop-widget-0123456789abcdef_bg.wasm";
    let plain = std::fs::read(s.widget_dir.join(name)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&plain).unwrap();
    std::fs::write(
        s.widget_dir.join(format!("{name}.gz")),
        gz.finish().unwrap(),
    )
    .unwrap();
    // The server passes the stored copy through as it is, so any bytes identify it.
    std::fs::write(s.widget_dir.join(format!("{name}.br")), b"brotli copy").unwrap();
    let st = state(s);
    let fetch = |path: &str, accept: Option<&str>| {
        let mut req = Request::get(path);
        if let Some(a) = accept {
            req = req.header("accept-encoding", a);
        }
        let router = app(st.clone());
        let req = req.body(Body::empty()).unwrap();
        async move {
            let res = router.oneshot(req).await.unwrap();
            let h = res.headers().clone();
            assert_eq!(h["vary"], "Accept-Encoding");
            assert_eq!(h["content-type"], "application/wasm");
            let enc = h
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
            (enc, body)
        }
    };
    let path = format!("/{name}");
    let (enc, body) = fetch(&path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(
        (enc.as_deref(), body.as_slice()),
        (Some("br"), &b"brotli copy"[..])
    );
    for accept in ["gzip, deflate", "br;q=0, gzip;q=0.8"] {
        let (enc, body) = fetch(&path, Some(accept)).await;
        assert_eq!(enc.as_deref(), Some("gzip"), "{accept}");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain, "{accept}");
    }
    for accept in [None, Some("identity"), Some("br;q=0, gzip;q=0")] {
        let (enc, body) = fetch(&path, accept).await;
        assert_eq!((enc, body), (None, plain.clone()), "{accept:?}");
    }
    // A file without compressed copies is sent as it is, whatever the client takes.
    let res = app(st.clone())
        .oneshot(
            Request::get("/sealdrop.js")
                .header("accept-encoding", "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(
        res.into_body().collect().await.unwrap().to_bytes().as_ref(),
        b"/* loader */"
    );
}
