//! The CVSS scorer: a wasm module of its own (crates/scorer, the RustSec cvss crate), imported
//! the first time a researcher types a vector, so the 14 KB brotli of scoring tables and code
//! stay out of everyone else's download. The form asks it for each vector typed and hands
//! validation the answer ([`sealdrop_core::Draft::cvss_score`]).

use sealdrop_core::{check_version, rating_of, CvssError, Score};

/// The score of `vector`, from the scorer module: the version is checked here first, so
/// nothing is loaded for a vector that cannot be one. `Unscored` when the module cannot be
/// had (blocked, or offline).
pub async fn score(vector: &str) -> Result<Score, CvssError> {
    check_version(vector)?;
    let Some((js, wasm)) = crate::dom::part_urls("scorer") else {
        return Err(CvssError::Unscored);
    };
    let answer = crate::lazy::score(&js, &wasm, vector.trim())
        .await
        .map_err(|_| CvssError::Unscored)?;
    // `[tenths, rating]`, or the reason as a string.
    if answer.as_string().is_some() {
        return Err(CvssError::InvalidMetrics);
    }
    let a = js_sys::Array::from(&answer);
    match (
        a.get(0).as_f64(),
        a.get(1).as_string().as_deref().and_then(rating_of),
    ) {
        (Some(tenths), Some(rating)) => Ok(Score {
            score: tenths / 10.0,
            rating,
        }),
        _ => Err(CvssError::Unscored),
    }
}
