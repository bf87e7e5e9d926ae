//! The form's CVSS scorer as a wasm module of its own (README, "Size"): `score` is all it
//! exports. The form (`src/scorer.rs`) imports it the first time a researcher types a vector.

use wasm_bindgen::prelude::*;

/// `[tenths, rating]` for a valid CVSS v3.1 or v4.0 vector (`[98, "critical"]`), or the reason
/// it is refused as a string (`version`, `metrics`). Tenths, so the form needs no float parsing.
#[wasm_bindgen]
pub fn score(vector: &str) -> JsValue {
    match sealdrop_core::score_vector(vector) {
        Ok(s) => {
            let a = js_sys::Array::new();
            a.push(&JsValue::from((s.score * 10.0).round()));
            a.push(&JsValue::from_str(s.rating));
            a.into()
        }
        Err(sealdrop_core::CvssError::UnsupportedVersion) => JsValue::from_str("version"),
        Err(_) => JsValue::from_str("metrics"),
    }
}
