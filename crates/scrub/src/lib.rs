//! Metadata scrub for evidence images (README, "Evidence"). A photo's EXIF carries its GPS
//! position, the camera's serial number and often the author's name; XMP and IPTC repeat them;
//! a comment may name the editor. Pseudonymous reporting, which disclosure policies allow, is
//! undone by any of them. This removes those parts of JPEG, PNG and WebP files with img-parts
//! and keeps every other byte, the compressed pixels included: nothing is re-encoded.
//!
//! The form imports this as a wasm module of its own when a researcher attaches an image, so
//! nobody else downloads it; `scrub` is all it exports.

use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};
use wasm_bindgen::prelude::*;

/// The image formats it knows, told by their first bytes (never by name or declared type).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
}

/// The format of `bytes`, if it is one of the three.
pub fn format_of(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else {
        None
    }
}

/// JPEG segments that carry metadata: APP1 (EXIF, XMP), APP3 to APP13 (IPTC and Photoshop's
/// resources in APP13, makers' notes), APP15, and comments. APP0 (JFIF), APP2 (the ICC colour
/// profile) and APP14 (Adobe's colour transform, needed to decode CMYK) stay.
fn jpeg_metadata(marker: u8) -> bool {
    matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE)
}

/// PNG chunks that carry metadata: EXIF, the three text chunks (author, XMP, comments) and
/// the modification time.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

/// `bytes` without their metadata; `None` when the format is not one of the three, the file
/// does not parse as one, or it holds no metadata (then it is sent as it is).
pub fn scrub_image(bytes: &[u8]) -> Option<Vec<u8>> {
    let b = Bytes::copy_from_slice(bytes);
    match format_of(bytes)? {
        Format::Jpeg => {
            let mut j = Jpeg::from_bytes(b).ok()?;
            if !j.segments().iter().any(|s| jpeg_metadata(s.marker())) {
                return None;
            }
            j.segments_mut().retain(|s| !jpeg_metadata(s.marker()));
            Some(j.encoder().bytes().to_vec())
        }
        Format::Png => {
            let mut p = Png::from_bytes(b).ok()?;
            if !p.chunks().iter().any(|c| PNG_METADATA.contains(&c.kind())) {
                return None;
            }
            p.chunks_mut().retain(|c| !PNG_METADATA.contains(&c.kind()));
            Some(p.encoder().bytes().to_vec())
        }
        Format::WebP => {
            let mut w = WebP::from_bytes(b).ok()?;
            let xmp = img_parts::webp::CHUNK_XMP;
            if !w.has_chunk(img_parts::webp::CHUNK_EXIF) && !w.has_chunk(xmp) {
                return None;
            }
            w.remove_chunks_by_id(xmp);
            // Also clears the EXIF and XMP flags of the VP8X header.
            w.set_exif(None);
            Some(w.encoder().bytes().to_vec())
        }
    }
}

/// For the form: the image without its metadata, or `undefined` when there is nothing to
/// remove or it is not an image this knows.
#[wasm_bindgen]
pub fn scrub(bytes: &[u8]) -> Option<Vec<u8>> {
    scrub_image(bytes)
}
