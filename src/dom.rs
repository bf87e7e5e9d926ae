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

thread_local! {
    /// Inline mode: the URLs of the form's other modules, as the loader found them in the form
    /// page (`sealer`: the sealing worker's bootstrap and wasm; `thread`: the conversation
    /// module's glue and wasm).
    static PARTS: std::cell::RefCell<Vec<(&'static str, String, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Records where one of the form's other modules is (inline mode).
pub fn set_part_urls(name: &'static str, js: String, wasm: String) {
    PARTS.with(|p| {
        let mut p = p.borrow_mut();
        p.retain(|(n, _, _)| *n != name);
        p.push((name, js, wasm));
    });
}

/// The script and wasm URLs of the module `name`: given by the loader in inline mode, else
/// named by the form page's `<meta name="sealdrop-NAME" content="JS" data-wasm="WASM">`
/// (written by the build, scripts/postbuild.mjs), resolved against the page.
pub fn part_urls(name: &str) -> Option<(String, String)> {
    let given = PARTS.with(|p| {
        p.borrow()
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, js, wasm)| (js.clone(), wasm.clone()))
    });
    if given.is_some() {
        return given;
    }
    let doc = web_sys::window()?.document()?;
    let meta = doc
        .query_selector(&format!("meta[name=sealdrop-{name}]"))
        .ok()
        .flatten()?;
    let base = doc.base_uri().ok().flatten()?;
    let abs = |v: String| {
        web_sys::Url::new_with_base(&v, &base)
            .ok()
            .map(|u| u.href())
    };
    Some((
        abs(meta.get_attribute("content")?)?,
        abs(meta.get_attribute("data-wasm")?)?,
    ))
}

thread_local! {
    /// Inline mode: the form's own folder (the loader's URL), which relative asset names are
    /// resolved against instead of the host page's.
    static BASE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Inline mode: records the form's own folder.
pub fn set_base(base: String) {
    BASE.with(|b| *b.borrow_mut() = Some(base));
}

/// The URL of one of the form's files (`lang-de.json`): beside the form page, in inline mode
/// too.
pub fn asset_url(name: &str) -> String {
    let base = BASE
        .with(|b| b.borrow().clone())
        .or_else(|| web_sys::window()?.document()?.base_uri().ok().flatten());
    base.and_then(|b| web_sys::Url::new_with_base(name, &b).ok())
        .map_or_else(|| name.to_string(), |u| u.href())
}

/// Fetches a small text file of the form's (its configuration, a catalogue, the vendor's
/// questions). Refuses answers over 256 KB: what comes from the network is bounded.
///
/// # Errors
/// A short reason: unreachable, the HTTP status, too large, or unreadable.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    // The default credentials mode, as the page's <link rel="preload"> of sealdrop.json has
    // (so its response is used): no cookies to other origins, and the form's origin has none.
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or("unreachable")?;
    if !resp.ok() {
        return Err(format!("answered {}", resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(|_| "unreadable")?)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("unreadable")?;
    if text.len() > 256 * 1024 {
        return Err("larger than 256 KB".into());
    }
    Ok(text)
}
