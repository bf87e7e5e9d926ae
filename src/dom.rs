//! Small DOM helpers that work the same in the form page and inside a shadow root.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Focuses the element with `id` inside the app that contains `from`.
pub fn focus_by_id(from: &Element, id: &str) {
    if let Ok(Some(root)) = from.closest(".sd-app") {
        focus_selector(&root, &format!("#{id}"));
    }
}

/// Focuses the first element matching `selector` under `root`; true when one was found.
pub fn focus_selector(root: &Element, selector: &str) -> bool {
    match root.query_selector(selector) {
        Ok(Some(el)) => {
            if let Ok(h) = el.dyn_into::<HtmlElement>() {
                let _ = h.focus();
                return true;
            }
            false
        }
        _ => false,
    }
}

/// Offers `bytes` as a file download named `name`.
pub fn download(bytes: &[u8], name: &str, media_type: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(media_type);
    if let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) {
        download_blob(&blob, name);
    }
}

/// Offers a `Blob` as a file download named `name`, straight from the browser's blob store.
pub fn download_blob(blob: &web_sys::Blob, name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let doc = web_sys::window().and_then(|w| w.document());
    if let Some(a) = doc
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The current time as RFC 3339 (UTC, milliseconds).
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}
