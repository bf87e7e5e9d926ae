//! The form's on-demand modules (README, "Size"): the conversation view (crates/thread), the
//! CVSS scorer (crates/scorer) and the image metadata scrub (crates/scrub). Each is imported
//! with `import()` the first time it is needed, from the URLs [`crate::dom::part_urls`] finds,
//! and kept; a failed import is forgotten, so the next use tries again. One snippet holds the
//! loader and what each module is asked, because `import()` has no Rust form and a promise
//! chain costs the form's module less than a Rust future.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "const mods = new Map();
function load(js, wasm) {
  let m = mods.get(js);
  if (!m) {
    m = import(js).then((x) => x.default({ module_or_path: wasm }).then(() => x));
    mods.set(js, m);
    m.catch(() => mods.delete(js));
  }
  return m;
}
export function open_thread(js, wasm, el, config, key, sealer, base, close, done) {
  let handle = null, gone = false;
  load(js, wasm).then((m) => m.mount_thread(el, config, key, sealer, base, close))
    .then((h) => { if (gone) h.destroy(); else { handle = h; done(true); } }, (e) => {
      console.error('sealdrop: the conversation module could not load: ' + ((e && e.message) || e));
      if (!gone) done(false);
    });
  return () => { gone = true; if (handle) { handle.destroy(); handle = null; } };
}
export function score(js, wasm, v) { return load(js, wasm).then((m) => m.score(v)); }
export function clean(js, wasm, file) {
  if (file.size > 64 * 1024 * 1024) return Promise.reject(new Error('larger than 64 MiB'));
  return load(js, wasm).then((m) => file.arrayBuffer().then((b) => {
    const out = m.scrub(new Uint8Array(b));
    return out ? new File([out], file.name, { type: file.type, lastModified: file.lastModified }) : null;
  }));
}")]
extern "C" {
    /// Mounts the conversation view into `el`; says through `done` whether it is shown, and
    /// returns the function that removes it (also when it arrives after the researcher left).
    #[allow(clippy::too_many_arguments)]
    pub fn open_thread(
        js: &str,
        wasm: &str,
        el: &web_sys::Element,
        config: &str,
        key: &str,
        sealer: Vec<String>,
        base: &str,
        close: &js_sys::Function,
        done: &js_sys::Function,
    ) -> js_sys::Function;

    /// The scorer's answer for a vector: `[tenths, rating]`, or the reason as a string.
    #[wasm_bindgen(catch)]
    pub async fn score(js: &str, wasm: &str, vector: &str) -> Result<JsValue, JsValue>;

    /// The image without its metadata as a new `File`, or `null` when there is none to remove.
    #[wasm_bindgen(catch)]
    pub async fn clean(js: &str, wasm: &str, file: &web_sys::File) -> Result<JsValue, JsValue>;
}
