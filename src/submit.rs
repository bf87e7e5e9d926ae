//! Delivery: POST the sealed report with its idempotency key, retrying network failures, 429
//! and 5xx with backoff (honouring `Retry-After`), and giving up with the ciphertext kept.
//! The policy is pure functions, tested natively; `deliver` is the browser part.

/// Attempts before giving up and offering the other ways out.
pub const MAX_ATTEMPTS: u32 = 5;
/// Longest wait between attempts, even if the server asks for more.
pub const MAX_DELAY_S: u32 = 60;
/// An attempt is abandoned when it makes no progress (no bytes sent, no answer) for this long;
/// there is no limit on its total duration, so a large report on a slow uplink arrives.
pub const STALL_TIMEOUT_MS: u32 = 30_000;

/// How to treat an attempt's outcome.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    Success,
    Retry,
    Fatal,
}

/// 200/201 succeed; 408, 425, 429 and 5xx are worth retrying; other answers will not change,
/// and neither will 507 (the receiver's storage is full) within the minutes of retrying.
pub fn classify(status: u16) -> Class {
    match status {
        200 | 201 => Class::Success,
        507 => Class::Fatal,
        // 409: the same report is still being stored by an earlier attempt; asking again
        // returns its receipt.
        408 | 409 | 425 | 429 | 500..=599 => Class::Retry,
        _ => Class::Fatal,
    }
}

/// Seconds to wait before attempt `next` (2, 3, …): the server's `Retry-After` (seconds) when
/// given, else 1, 2, 4, 8 s; capped. `None` when no attempt is left.
pub fn retry_delay(next: u32, retry_after: Option<&str>) -> Option<u32> {
    if !(2..=MAX_ATTEMPTS).contains(&next) {
        return None;
    }
    let backoff = 1u32 << (next - 2).min(5);
    let asked = retry_after.and_then(|v| v.trim().parse::<u32>().ok());
    Some(asked.unwrap_or(backoff).clamp(1, MAX_DELAY_S))
}

/// Why a delivery gave up. Data, not sentences: the form says each in the researcher's
/// language (`components::delivery`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DeliveryError {
    /// No answer: offline, blocked, reset, or no progress for [`STALL_TIMEOUT_MS`].
    Offline,
    /// The receiver refused with `status`; `message` is its own explanation (`error`), if any.
    Refused {
        status: u16,
        message: Option<String>,
    },
    /// A 2xx answer that is not a receipt.
    BadReceipt { status: u16 },
    /// The receiver's SHA-256 of what it stored differs from what was sent.
    DigestMismatch,
}

/// The receiver's answer to a successful POST.
#[derive(Clone, PartialEq, Debug)]
pub struct ReceiptBody {
    pub receipt: String,
    pub sha256: String,
}

/// A string member of a JSON object. Read through `Value` rather than typed deserialization,
/// whose error path formats floats (14 KB of wasm).
pub fn json_str(text: &str, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(v.get(key)?.as_str()?.to_string())
}

/// `{"receipt": …, "sha256": …}` from a 201/200 answer.
pub fn parse_receipt(text: &str) -> Option<ReceiptBody> {
    Some(ReceiptBody {
        receipt: json_str(text, "receipt")?,
        sha256: json_str(text, "sha256")?,
    })
}

#[cfg(target_arch = "wasm32")]
pub use browser::{deliver, get};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::XmlHttpRequest;

    /// Delivers `body` (the sealed report's or message's `Blob`, with `headers` besides the
    /// idempotency key: a report's `Sealdrop-Thread`, a message's `Authorization`; sent from the browser's blob store, never
    /// copied into wasm memory); calls `progress(attempt, retry_in)` before each wait and
    /// attempt, and `uploaded(sent, total)` as the bytes of an attempt go out.
    pub async fn deliver(
        endpoint: &str,
        key: &str,
        headers: &[(&str, String)],
        body: &web_sys::Blob,
        sha256: &str,
        progress: impl Fn(u32, Option<u32>),
        uploaded: impl Fn(f64, f64) + 'static,
    ) -> Result<ReceiptBody, DeliveryError> {
        let uploaded: Rc<dyn Fn(f64, f64)> = Rc::new(uploaded);
        let mut attempt = 1;
        loop {
            progress(attempt, None);
            let (class, retry_after, reason) =
                match send_once(endpoint, key, headers, body, uploaded.clone()).await {
                    Ok((status, retry_after, text)) => match classify(status) {
                        Class::Success => {
                            let r =
                                parse_receipt(&text).ok_or(DeliveryError::BadReceipt { status })?;
                            if r.sha256 != sha256 {
                                return Err(DeliveryError::DigestMismatch);
                            }
                            return Ok(r);
                        }
                        class => (
                            class,
                            retry_after,
                            DeliveryError::Refused {
                                status,
                                message: json_str(&text, "error"),
                            },
                        ),
                    },
                    Err(()) => (Class::Retry, None, DeliveryError::Offline),
                };
            if class == Class::Fatal {
                return Err(reason);
            }
            attempt += 1;
            let Some(delay) = retry_delay(attempt, retry_after.as_deref()) else {
                return Err(reason);
            };
            progress(attempt, Some(delay));
            gloo_timers::future::TimeoutFuture::new(delay * 1000).await;
        }
    }

    /// One POST by XMLHttpRequest, whose upload progress `fetch` cannot report: `(status,
    /// Retry-After, body text)`, or `Err` when the request did not complete (offline, reset,
    /// blocked, or no progress for [`STALL_TIMEOUT_MS`]).
    async fn send_once(
        endpoint: &str,
        key: &str,
        headers: &[(&str, String)],
        body: &web_sys::Blob,
        uploaded: Rc<dyn Fn(f64, f64)>,
    ) -> Result<(u16, Option<String>, String), ()> {
        let xhr = XmlHttpRequest::new().map_err(|_| ())?;
        xhr.open("POST", endpoint).map_err(|_| ())?;
        xhr.set_request_header("Content-Type", "application/octet-stream")
            .map_err(|_| ())?;
        xhr.set_request_header("Idempotency-Key", key)
            .map_err(|_| ())?;
        for (name, value) in headers {
            xhr.set_request_header(name, value).map_err(|_| ())?;
        }
        let last = Rc::new(Cell::new(js_sys::Date::now()));
        let on_upload = {
            let last = last.clone();
            Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                last.set(js_sys::Date::now());
                uploaded(e.loaded(), e.total());
            })
        };
        let on_answer = {
            let last = last.clone();
            Closure::<dyn Fn()>::new(move || last.set(js_sys::Date::now()))
        };
        let upload = xhr.upload().map_err(|_| ())?;
        upload.set_onprogress(Some(on_upload.as_ref().unchecked_ref()));
        xhr.set_onprogress(Some(on_answer.as_ref().unchecked_ref()));
        let mut resolve_slot = None;
        let done = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        let resolve = resolve_slot.ok_or(())?;
        // `loadend` follows every outcome: load, error, abort, and timeout (which Chromium also
        // reports for a connection that timed out, with no `error`).
        let on_end = Closure::<dyn Fn()>::new(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        });
        xhr.add_event_listener_with_callback("loadend", on_end.as_ref().unchecked_ref())
            .map_err(|_| ())?;
        let watchdog = {
            let xhr = xhr.clone();
            gloo_timers::callback::Interval::new(1000, move || {
                if js_sys::Date::now() - last.get() > f64::from(STALL_TIMEOUT_MS) {
                    let _ = xhr.abort();
                }
            })
        };
        xhr.send_with_opt_blob(Some(body)).map_err(|_| ())?;
        let _ = wasm_bindgen_futures::JsFuture::from(done).await;
        drop(watchdog);
        upload.set_onprogress(None);
        xhr.set_onprogress(None);
        // 0: no answer (offline, reset, timed out, aborted for want of progress).
        let status = xhr.status().map_err(|_| ())?;
        if status == 0 {
            return Err(());
        }
        let retry_after = xhr.get_response_header("Retry-After").ok().flatten();
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        Ok((status, retry_after, text))
    }

    /// One GET of a conversation route with the access token: `(status, Retry-After, body)`,
    /// or `Err` when no answer came (offline, blocked).
    pub async fn get(url: &str, token: &str) -> Result<(u16, Option<String>, Vec<u8>), ()> {
        let xhr = XmlHttpRequest::new().map_err(|_| ())?;
        xhr.open("GET", url).map_err(|_| ())?;
        xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(|_| ())?;
        let mut resolve_slot = None;
        let done = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
        let resolve = resolve_slot.ok_or(())?;
        let on_end = Closure::<dyn Fn()>::new(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        });
        xhr.add_event_listener_with_callback("loadend", on_end.as_ref().unchecked_ref())
            .map_err(|_| ())?;
        xhr.send().map_err(|_| ())?;
        let _ = wasm_bindgen_futures::JsFuture::from(done).await;
        let status = xhr.status().map_err(|_| ())?;
        if status == 0 {
            return Err(());
        }
        let retry_after = xhr.get_response_header("Retry-After").ok().flatten();
        let body = xhr
            .response()
            .map(|b| js_sys::Uint8Array::new(&b).to_vec())
            .unwrap_or_default();
        Ok((status, retry_after, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_parse() {
        let r = parse_receipt(r#"{"receipt":"r1","sha256":"ab","received_at":"x"}"#).unwrap();
        assert_eq!((r.receipt.as_str(), r.sha256.as_str()), ("r1", "ab"));
        assert!(parse_receipt(r#"{"receipt":"r1"}"#).is_none());
        assert!(parse_receipt("<html>").is_none());
        assert_eq!(
            json_str(r#"{"error":"too big","code":"too_large"}"#, "error").as_deref(),
            Some("too big")
        );
    }

    #[test]
    fn classification() {
        assert_eq!(classify(201), Class::Success);
        assert_eq!(classify(200), Class::Success);
        for s in [409, 429, 500, 502, 503, 504, 408] {
            assert_eq!(classify(s), Class::Retry, "{s}");
        }
        for s in [400, 401, 403, 404, 413, 415, 422, 507] {
            assert_eq!(classify(s), Class::Fatal, "{s}");
        }
    }

    #[test]
    fn backoff_honours_retry_after_and_gives_up() {
        assert_eq!(retry_delay(2, None), Some(1));
        assert_eq!(retry_delay(3, None), Some(2));
        assert_eq!(retry_delay(5, None), Some(8));
        assert_eq!(retry_delay(6, None), None);
        assert_eq!(retry_delay(2, Some("7")), Some(7));
        assert_eq!(retry_delay(2, Some("3600")), Some(MAX_DELAY_S));
        assert_eq!(
            retry_delay(2, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(1)
        );
        assert_eq!(retry_delay(2, Some("0")), Some(1));
    }
}
