//! Every refusal of the receiver: a status, a stable `code` and a message for people. Internal
//! failures get a generic message; their detail goes to the log, never to a client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::agecheck::Malformed;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    pub fn not_found(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn malformed(m: Malformed) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m.code(), m.message())
    }

    pub fn storage_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "The receiver cannot store reports right now; your report is safe in your browser, try again later.",
        )
    }

    pub fn storage_full() -> Self {
        Self::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage_full",
            "The receiver's storage for reports is full; your report is safe in your browser. Try again later, or use the organization's email fallback.",
        )
    }

    pub fn too_large(max: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("The sealed report is larger than this receiver accepts ({max} bytes): remove large attachments."),
        )
    }

    pub fn incomplete() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "body_incomplete",
            "The upload was interrupted; send it again.",
        )
    }

    pub fn stalled(seconds: u64) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_stalled",
            format!("The upload made no progress for {seconds} s and was dropped; send it again."),
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({"error": self.message, "code": self.code})),
        )
            .into_response();
        r.extensions_mut()
            .insert(super::metrics::Refused(self.code));
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}
