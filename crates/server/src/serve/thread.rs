//! A report's conversation (docs/conversation.md): `GET /v1/reports/{receipt}/messages`,
//! `GET /v1/reports/{receipt}/messages/{id}` and `POST /v1/reports/{receipt}/messages`, each
//! authorized by the conversation's access token (`Authorization: Bearer <64 hex digits>`).
//!
//! The receiver keeps only the token's SHA-256, sent with the report. It compares in constant
//! time, against a stand-in when the receipt is unknown, and answers an unknown receipt, a
//! report without a conversation and a wrong token with the same 404. Wrong tokens are counted
//! per address and, past [`super::limits::MAX_GUESSES`] in a window, refused with 429 before any
//! token is looked at.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::error::AppError;
use super::intake::{self, Dest};
use super::AppState;
use crate::store::Stored;

/// The same answer for an unknown receipt, a report without a conversation and a wrong token.
fn no_thread() -> AppError {
    AppError::not_found(
        "No conversation for this receipt and key. Check that you pasted the whole follow-up key you kept; a report sent without a follow-up key has no conversation.",
    )
}

/// `a == b` in time that depends only on their lengths (here always 64).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The bearer token's SHA-256 (hex), or a 401 when there is none of the right shape.
fn token_hash(headers: &HeaderMap) -> Result<String, AppError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| sealdrop_core::token_hash_of(t.trim()))
        .ok_or_else(|| {
            AppError::new(
                StatusCode::UNAUTHORIZED,
                "missing_token",
                "Send the access token derived from the follow-up key as Authorization: Bearer <64 hex digits>.",
            )
        })
}

/// Checks that the request may read and write `receipt`'s conversation.
fn credentials(s: &AppState, req: &Request) -> (std::net::IpAddr, Result<String, AppError>) {
    (intake::client_ip(s, req), token_hash(req.headers()))
}

async fn authorize(
    s: &Arc<AppState>,
    client: std::net::IpAddr,
    given: Result<String, AppError>,
    receipt: &str,
) -> Result<(), AppError> {
    if let Err(wait) = s.limits.check_guesses(client) {
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_guesses",
            format!("Too many wrong follow-up keys from this address; try again in {wait} s."),
        )
        .retry_after(wait));
    }
    let given = given?;
    let state = s.clone();
    let receipt = receipt.to_string();
    let stored = tokio::task::spawn_blocking(move || {
        let store = &state.store;
        if sealdrop_core::is_receipt(&receipt) {
            store.thread_of(&receipt)
        } else {
            Ok(None)
        }
    })
    .await
    .map_err(|_| AppError::storage_unavailable())?
    .map_err(|e| {
        tracing::error!(error = %e, "storage failure");
        AppError::storage_unavailable()
    })?;
    // A stand-in no token hashes to keeps the comparison the same for every refusal.
    let expected = stored.flatten().unwrap_or_else(|| "-".repeat(64));
    if same(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        s.limits.wrong_guess(client);
        Err(no_thread())
    }
}

/// `GET /v1/reports/{receipt}/messages`: the conversation's messages, oldest first.
pub async fn list(
    State(s): State<Arc<AppState>>,
    Path(receipt): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let (client, given) = credentials(&s, &req);
    authorize(&s, client, given, &receipt).await?;
    let state = s.clone();
    let r = receipt.clone();
    let rows = tokio::task::spawn_blocking(move || state.store.messages(&r))
        .await
        .map_err(|_| AppError::storage_unavailable())?
        .map_err(|_| AppError::storage_unavailable())?;
    let messages: Vec<_> = rows
        .iter()
        .map(|m| json!({"id": m.id, "from": m.sender, "received_at": m.received_at, "size": m.size, "sha256": m.sha256}))
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"receipt": receipt, "messages": messages})),
    )
        .into_response())
}

/// `GET /v1/reports/{receipt}/messages/{id}`: one message's ciphertext, streamed.
pub async fn one(
    State(s): State<Arc<AppState>>,
    Path((receipt, id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, AppError> {
    let (client, given) = credentials(&s, &req);
    authorize(&s, client, given, &receipt).await?;
    let state = s.clone();
    let found = tokio::task::spawn_blocking(move || state.store.message_body(&receipt, &id))
        .await
        .map_err(|_| AppError::storage_unavailable())?
        .map_err(|_| AppError::storage_unavailable())?
        .ok_or_else(|| AppError::not_found("This conversation has no message with that id."))?;
    let (len, body) = match found {
        Stored::Inline(bytes) => (bytes.len() as u64, Body::from(bytes)),
        Stored::File(f) => {
            let f = tokio::fs::File::from_std(f);
            let len = f.metadata().await.map(|m| m.len()).map_err(|e| {
                tracing::error!(error = %e, "a stored message cannot be read");
                AppError::storage_unavailable()
            })?;
            (len, Body::from_stream(tokio_util::io::ReaderStream::new(f)))
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}

/// `POST /v1/reports/{receipt}/messages`: the reporter's message, taken in as a report is.
pub async fn post(
    State(s): State<Arc<AppState>>,
    Path(receipt): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    let (client, given) = credentials(&s, &req);
    authorize(&s, client, given, &receipt).await?;
    intake::receive(s, req, Dest::Message { receipt }).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_compares_whole_strings() {
        assert!(super::same(b"abc", b"abc"));
        assert!(!super::same(b"abc", b"abd"));
        assert!(!super::same(b"abc", b"ab"));
    }
}
