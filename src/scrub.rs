//! The metadata scrub (crates/scrub, img-parts): a wasm module of its own that the form imports
//! the first time a researcher attaches a JPEG, PNG or WebP image, so nobody else downloads it.
//! An image is read whole for it (up to 64 MiB; a larger one is sent as it is, and the list
//! says so), and the cleaned copy becomes the attachment; the original stays in the page so
//! the researcher may send it instead.

use wasm_bindgen::JsCast;

/// Whether a file is an image the scrub knows, by its declared type (the module itself goes
/// by the file's first bytes).
pub fn is_image(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png" | "image/webp")
}

/// The image without its metadata (`Ok(Some)`), nothing to remove (`Ok(None)`), or the scrub
/// could not run (`Err`: its module blocked or offline, the file unreadable or too large).
///
/// # Errors
/// When the image could not be checked; the form then says it is sent as it is.
pub async fn clean(file: &web_sys::File) -> Result<Option<web_sys::File>, ()> {
    let (js, wasm) = crate::dom::part_urls("scrub").ok_or(())?;
    let out = crate::lazy::clean(&js, &wasm, file).await.map_err(|e| {
        crate::console_error(&format!(
            "sealdrop: an image's metadata could not be removed: {}",
            js_sys::Error::from(e).message()
        ));
    })?;
    Ok(out.dyn_into::<web_sys::File>().ok())
}
