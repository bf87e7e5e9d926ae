//! `POST /v1/reports`: a sealed report, taken in as it arrives.
//!
//! Cheap refusals come first, and nothing costly is done for a body that will be refused: rate
//! and concurrency limits, headers, the storage quota, then the age header, collected up to its
//! cap (an incomplete or oversized header is refused there, without any scalar
//! multiplication). A report of up to 256 KiB stays in memory and is checked, hashed and stored
//! in its row by one blocking task. A larger one has its header checked on a blocking thread
//! first, then streams to a spool file written, hashed and fsynced by a blocking writer; it is
//! renamed into `reports/` and its row committed before the 201. Every chunk held in memory
//! counts against the upload memory budget; a body that makes no progress for the stall
//! timeout is dropped.

use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::BodyExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, OwnedSemaphorePermit};

use super::error::AppError;
use super::AppState;
use crate::agecheck::{self, Malformed};
use crate::store::{self, Entry, MessageRow, Put, Row, StoreError, SPOOL_DIR};

/// Idempotency keys whose upload is in progress.
#[derive(Default)]
pub struct InFlight(Mutex<HashSet<String>>);

struct KeyGuard<'a>(&'a InFlight, String);

impl Drop for KeyGuard<'_> {
    fn drop(&mut self) {
        self.0
             .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.1);
    }
}

impl InFlight {
    fn claim(&self, key: &str) -> Option<KeyGuard<'_>> {
        let mut set = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        set.insert(key.to_string())
            .then(|| KeyGuard(self, key.to_string()))
    }
}

fn valid_key(k: &str) -> bool {
    (8..=128).contains(&k.len())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A new random id: `prefix` and 32 hex digits.
fn new_id(prefix: &str) -> Result<String, AppError> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).map_err(|_| AppError::storage_unavailable())?;
    Ok(format!("{prefix}{}", sealdrop_core::hex(&b)))
}

fn receipt_json(status: StatusCode, r: &Row) -> Response {
    (
        status,
        Json(json!({"receipt": r.receipt, "sha256": r.sha256, "received_at": r.received_at})),
    )
        .into_response()
}

fn message_json(status: StatusCode, m: &MessageRow) -> Response {
    (
        status,
        Json(json!({"id": m.id, "receipt": m.receipt, "sha256": m.sha256, "received_at": m.received_at})),
    )
        .into_response()
}

/// Where an upload is stored once whole.
pub enum Dest {
    /// A new report, with the SHA-256 of its conversation's access token if it has one.
    Report { thread: Option<String> },
    /// The reporter's message in the conversation of `receipt` (already authorized).
    Message { receipt: String },
}

/// The `Sealdrop-Thread` header of a new report: 64 lower-case hex digits, or absent.
fn thread_header(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(v) = headers.get("sealdrop-thread") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(h) if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            Ok(Some(h.to_string()))
        }
        _ => Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_thread",
            "Sealdrop-Thread must be the SHA-256 of the conversation's access token, as 64 lower-case hex digits; leave it out for a report without a conversation.",
        )),
    }
}

fn unavailable(e: &StoreError) -> AppError {
    tracing::error!(error = %e, "storage failure");
    AppError::storage_unavailable()
}

/// What the writer thread is sent.
enum Piece {
    Data(Bytes, OwnedSemaphorePermit),
    End,
}

/// A spool file, written, hashed and fsynced on a blocking thread.
struct Spooled {
    path: PathBuf,
    sha256: String,
    size: u64,
}

/// Writes what arrives on `rx` to a new spool file, hashing as it goes, and fsyncs it at `End`.
/// If the upload stops without `End`, or writing fails, the file is removed.
fn write_spool(dir: PathBuf, mut rx: mpsc::Receiver<Piece>) -> Result<Option<Spooled>, StoreError> {
    let mut name = [0u8; 16];
    getrandom::getrandom(&mut name).map_err(|e| StoreError::Io {
        path: dir.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let path = dir.join(format!("{}.part", sealdrop_core::hex(&name)));
    let mut file = File::create_new(&path).map_err(|source| StoreError::Io {
        path: path.clone(),
        source,
    })?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let outcome = loop {
        match rx.blocking_recv() {
            Some(Piece::Data(bytes, _permit)) => {
                if let Err(e) = file.write_all(&bytes) {
                    break Err(e);
                }
                hash.update(&bytes);
                size += bytes.len() as u64;
            }
            // Synced here, not under the store's lock where the row is committed.
            Some(Piece::End) => break file.sync_all().map(|()| true),
            None => break Ok(false),
        }
    };
    match outcome {
        Ok(true) => Ok(Some(Spooled {
            path,
            sha256: sealdrop_core::hex(&hash.finalize()),
            size,
        })),
        Ok(false) | Err(_) => {
            let _ = std::fs::remove_file(&path);
            outcome
                .map(|_| None)
                .map_err(|source| StoreError::Io { path, source })
        }
    }
}

/// The request's body, one chunk at a time, with the stall timeout and the size limit.
struct Upload {
    body: Body,
    received: u64,
    max: u64,
    stall: std::time::Duration,
}

impl Upload {
    async fn next(&mut self) -> Result<Option<Bytes>, AppError> {
        loop {
            let frame = match tokio::time::timeout(self.stall, self.body.frame()).await {
                Err(_) => return Err(AppError::stalled(self.stall.as_secs())),
                Ok(None) => return Ok(None),
                Ok(Some(Err(_))) => return Err(AppError::incomplete()),
                Ok(Some(Ok(f))) => f,
            };
            if let Ok(data) = frame.into_data() {
                self.received += data.len() as u64;
                if self.received > self.max {
                    return Err(AppError::too_large(self.max));
                }
                if !data.is_empty() {
                    return Ok(Some(data));
                }
            }
        }
    }
}

pub fn client_ip(s: &AppState, req: &Request) -> IpAddr {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    s.limits.client(peer, req.headers())
}

fn checked_headers(headers: &HeaderMap, max: u64) -> Result<(String, Option<u64>), AppError> {
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
        .unwrap_or("");
    if !valid_key(key) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "missing_idempotency_key",
            "Send an Idempotency-Key header (the report's UUID) so retries are stored once.",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(AppError::too_large(max));
    }
    Ok((key.to_string(), declared))
}

/// Room in the upload memory budget for `bytes`, waited for as long as the stall timeout: a
/// budget held by uploads that make no progress frees itself when they are dropped.
async fn memory(s: &AppState, bytes: usize) -> Result<OwnedSemaphorePermit, AppError> {
    match tokio::time::timeout(s.settings.body_stall_timeout, s.limits.memory(bytes)).await {
        Ok(Some(p)) => Ok(p),
        _ => Err(AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "The receiver is busy with other uploads; try again in a moment.",
        )
        .retry_after(5)),
    }
}

/// `POST /v1/reports`.
pub async fn submit(State(s): State<Arc<AppState>>, req: Request) -> Result<Response, AppError> {
    let thread = thread_header(req.headers())?;
    receive(s, req, Dest::Report { thread }).await
}

/// Takes in a sealed upload for `dest`: limits, headers, quota, the age header, the body
/// (in memory or spooled), then the store.
pub async fn receive(s: Arc<AppState>, req: Request, dest: Dest) -> Result<Response, AppError> {
    let client = client_ip(&s, &req);
    if let Err(wait) = s.limits.check_rate(client) {
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Too many reports from this address; try again in {wait} s."),
        )
        .retry_after(wait));
    }
    let max = s.settings.max_body;
    let (key, declared) = checked_headers(req.headers(), max)?;
    let _slot = s.limits.upload(client).ok_or_else(|| {
        AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_uploads",
            format!(
                "This address already has {} uploads in progress; wait for them to finish.",
                s.settings.max_uploads_per_client
            ),
        )
        .retry_after(5)
    })?;
    let Some(_key) = s.in_flight.claim(&key) else {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "in_flight",
            "This report is being stored by an earlier attempt; ask again in a moment.",
        )
        .retry_after(1));
    };
    let _reservation = s.quota.reserve(declared.unwrap_or(max))?;

    let mut upload = Upload {
        body: req.into_body(),
        received: 0,
        max,
        stall: s.settings.body_stall_timeout,
    };
    // The age header: collected up to its cap, then checked off the async workers.
    let mut head = Vec::new();
    let mut head_permits: Option<OwnedSemaphorePermit> = None;
    let mut scanned = 0;
    let header_len = loop {
        if let Some(n) = agecheck::header_len(&head, &mut scanned) {
            break Some(n);
        }
        if head.len() > agecheck::MAX_HEADER_BYTES {
            break None;
        }
        let Some(chunk) = upload.next().await? else {
            break None;
        };
        let permit = memory(&s, chunk.len()).await?;
        match &mut head_permits {
            Some(p) => p.merge(permit),
            None => head_permits = Some(permit),
        }
        head.extend_from_slice(&chunk);
    };
    let Some(header_len) = header_len else {
        // The body ended, or passed the cap, before its header did: a grammar error or
        // `header_too_large`, found without any scalar multiplication (those need a whole
        // header), so cheap enough for this worker.
        let m = agecheck::check_header(&head)
            .err()
            .unwrap_or(Malformed::HeaderTooLarge);
        return Err(AppError::malformed(m));
    };

    // The rest: kept in memory while the report is small (then checked, hashed and stored in
    // one blocking task, in its row: one fsync), else, once its header is checked on a blocking
    // thread, streamed to a spool file by a blocking writer that also hashes.
    let mut sink = Sink::Memory(head, head_permits);
    let streamed = async {
        while let Some(chunk) = upload.next().await? {
            let permit = memory(&s, chunk.len()).await?;
            sink.push(&s, header_len, chunk, permit).await?;
        }
        Ok::<(), AppError>(())
    }
    .await;
    let body = sink.finish(streamed).await?;
    let state = s.clone();
    tokio::task::spawn_blocking(move || {
        if let Received::Inline(bytes) = &body {
            agecheck::check_header(&bytes[..header_len]).map_err(AppError::malformed)?;
        }
        if body.size() - (header_len as u64) < 16 {
            body.discard();
            return Err(AppError::malformed(Malformed::ShortPayload));
        }
        store(&state, key, body, dest)
    })
    .await
    .map_err(|_| AppError::storage_unavailable())?
}

/// Checks a complete header on a blocking thread: up to [`agecheck::MAX_STANZAS`] scalar
/// multiplications stay off the async workers.
async fn check_off_worker(header: Vec<u8>) -> Result<(), AppError> {
    tokio::task::spawn_blocking(move || agecheck::check_header(&header))
        .await
        .map_err(|_| AppError::storage_unavailable())?
        .map(|_| ())
        .map_err(AppError::malformed)
}

/// Reports up to this size are kept in memory and stored in their row; larger ones go to a
/// file of their own. Three fsyncs (file, folder, row) cost a small report a third of the
/// receiver's throughput; 256 KiB held per upload is bounded by the memory budget.
const INLINE_MAX: usize = 256 * 1024;

/// Where an upload's bytes go.
enum Sink {
    Memory(Vec<u8>, Option<OwnedSemaphorePermit>),
    Spool {
        tx: mpsc::Sender<Piece>,
        writer: tokio::task::JoinHandle<Result<Option<Spooled>, StoreError>>,
    },
}

/// A whole upload.
enum Received {
    Inline(Vec<u8>),
    Spooled(Spooled),
}

impl Received {
    fn size(&self) -> u64 {
        match self {
            Received::Inline(v) => v.len() as u64,
            Received::Spooled(f) => f.size,
        }
    }

    fn discard(&self) {
        if let Received::Spooled(f) = self {
            let _ = std::fs::remove_file(&f.path);
        }
    }
}

impl Sink {
    /// Adds a chunk. The first that does not fit in memory moves the upload to a spool file,
    /// once the header (its first `header_len` bytes) is checked: nothing that fails the check
    /// reaches the disk.
    async fn push(
        &mut self,
        s: &AppState,
        header_len: usize,
        chunk: Bytes,
        permit: OwnedSemaphorePermit,
    ) -> Result<(), AppError> {
        if let Sink::Memory(buf, held) = self {
            if buf.len() + chunk.len() <= INLINE_MAX {
                buf.extend_from_slice(&chunk);
                match held {
                    Some(p) => p.merge(permit),
                    None => *held = Some(permit),
                }
                return Ok(());
            }
            check_off_worker(buf[..header_len].to_vec()).await?;
            let (tx, rx) = mpsc::channel::<Piece>(4);
            let dir = s.settings.data_dir.join(SPOOL_DIR);
            let writer = tokio::task::spawn_blocking(move || write_spool(dir, rx));
            let first = Bytes::from(std::mem::take(buf));
            let held = held.take();
            *self = Sink::Spool { tx, writer };
            if let Some(p) = held {
                self.send(Piece::Data(first, p)).await?;
            }
        }
        self.send(Piece::Data(chunk, permit)).await
    }

    async fn send(&self, piece: Piece) -> Result<(), AppError> {
        match self {
            Sink::Spool { tx, .. } => tx
                .send(piece)
                .await
                .map_err(|_| AppError::storage_unavailable()),
            Sink::Memory(..) => Ok(()),
        }
    }

    /// The upload, once `streamed` says it arrived whole; a writer's failure comes first.
    async fn finish(self, streamed: Result<(), AppError>) -> Result<Received, AppError> {
        match self {
            Sink::Memory(buf, _) => streamed.map(|()| Received::Inline(buf)),
            Sink::Spool { tx, writer } => {
                if streamed.is_ok() {
                    let _ = tx.send(Piece::End).await;
                }
                drop(tx);
                let spooled = writer
                    .await
                    .map_err(|_| AppError::storage_unavailable())?
                    .map_err(|e| unavailable(&e))?;
                streamed?;
                spooled
                    .map(Received::Spooled)
                    .ok_or_else(AppError::storage_unavailable)
            }
        }
    }
}

/// Commits an upload: a replay of a stored key answers its receipt (or message id), a reused
/// key with another body (or for another conversation) is refused, anything else becomes a new
/// row. The store settles which attempt owns a key, in one transaction, even when attempts
/// arrive at several receivers at once: one key never makes two rows.
fn store(s: &AppState, key: String, body: Received, dest: Dest) -> Result<Response, AppError> {
    let sha256 = match &body {
        Received::Inline(bytes) => sealdrop_core::sha256_hex(bytes),
        Received::Spooled(f) => f.sha256.clone(),
    };
    let received_at = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
    let size = body.size();
    let is_message = matches!(dest, Dest::Message { .. });
    let id = new_id(if is_message { "m-" } else { "sd-" }).inspect_err(|_| body.discard())?;
    let entry = match dest {
        Dest::Report { thread } => Entry::Report(Row {
            receipt: id,
            idempotency_key: key,
            sha256,
            size,
            received_at,
            thread,
        }),
        Dest::Message { receipt } => Entry::Message(MessageRow {
            id,
            receipt,
            sender: sealdrop_core::Sender::Reporter.as_str().to_string(),
            idempotency_key: key,
            sha256,
            size,
            received_at,
        }),
    };
    let body = match body {
        Received::Inline(bytes) => store::Body::Bytes(bytes),
        Received::Spooled(f) => store::Body::Spooled(f.path),
    };
    let put = s
        .store
        .put(entry.clone(), body)
        .map_err(|e| unavailable(&e))?;
    let reused = || {
        AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "This Idempotency-Key was already used for a different upload; use a new key for a new report or message.")
    };
    match (entry, put) {
        (Entry::Report(row), Put::Stored) => {
            tracing::info!(receipt = %row.receipt, size, "report stored");
            s.stored(is_message, size);
            Ok(receipt_json(StatusCode::CREATED, &row))
        }
        (Entry::Message(row), Put::Stored) => {
            tracing::info!(receipt = %row.receipt, message = %row.id, size, "message stored");
            s.stored(is_message, size);
            Ok(message_json(StatusCode::CREATED, &row))
        }
        (Entry::Report(new), Put::Existing(Entry::Report(old))) if old.sha256 == new.sha256 => {
            Ok(receipt_json(StatusCode::OK, &old))
        }
        (Entry::Message(new), Put::Existing(Entry::Message(old)))
            if old.sha256 == new.sha256 && old.receipt == new.receipt =>
        {
            Ok(message_json(StatusCode::OK, &old))
        }
        _ => Err(reused()),
    }
}
