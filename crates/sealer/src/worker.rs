//! The worker's side of the protocol (see the crate's documentation and `docs/sealer.md`).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use sha2::Digest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageEvent};

use super::{BatchSink, Failure, BLOB_BATCH, READ_CHUNK};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(fields: &[(&str, JsValue)]) {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    let _ = scope().post_message(&o);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// Installs the message handler and tells the page the sealer is ready. The worker's
/// bootstrap (written by `scripts/postbuild.mjs`) calls this through the form module's
/// `sealer_worker` export once the module is instantiated in the worker. Anywhere but in a
/// dedicated worker it does nothing.
pub fn serve() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let handler = Closure::<dyn Fn(MessageEvent)>::new(|e: MessageEvent| {
        wasm_bindgen_futures::spawn_local(handle(e.data()));
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&[("op", "ready".into())]);
}

async fn handle(msg: JsValue) {
    let job = get(&msg, "job");
    let op = get(&msg, "op").as_string().unwrap_or_default();
    let outcome = match op.as_str() {
        "digest" => digest(&job, get(&msg, "file")).await,
        "seal" => seal(&job, &msg).await,
        "memory" => {
            // For bench/: the size of this worker's wasm memory (it never shrinks, so this is
            // its peak). Says nothing about any report.
            let bytes = wasm_bindgen::memory()
                .unchecked_into::<js_sys::WebAssembly::Memory>()
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length();
            post(&[
                ("op", "memory".into()),
                ("job", job.clone()),
                ("bytes", f64::from(bytes).into()),
            ]);
            Ok(())
        }
        _ => Err(Failure::Protocol),
    };
    if let Err(f) = outcome {
        post(&[
            ("op", "error".into()),
            ("job", job),
            ("code", f.code().into()),
        ]);
    }
}

fn progress(job: &JsValue, done: f64, total: f64) {
    post(&[
        ("op", "progress".into()),
        ("job", job.clone()),
        ("done", done.into()),
        ("total", total.into()),
    ]);
}

/// Reads `blob[at..at+len]` into `buf` (resized to fit).
async fn read(blob: &Blob, at: f64, len: usize, buf: &mut Vec<u8>) -> Result<(), Failure> {
    let slice = blob
        .slice_with_f64_and_f64(at, at + len as f64)
        .map_err(|_| Failure::Read)?;
    let ab = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|_| Failure::Read)?;
    let arr = Uint8Array::new(&ab);
    if arr.length() as usize != len {
        // The file got shorter since it was attached.
        return Err(Failure::Changed);
    }
    buf.resize(len, 0);
    arr.copy_to(&mut buf[..]);
    Ok(())
}

async fn digest(job: &JsValue, file: JsValue) -> Result<(), Failure> {
    let file: Blob = file.dyn_into().map_err(|_| Failure::Protocol)?;
    let sha256 = digest_blob(&file, |done, total| progress(job, done, total)).await?;
    post(&[
        ("op", "digest".into()),
        ("job", job.clone()),
        ("sha256", sha256.into()),
    ]);
    Ok(())
}

/// SHA-256 (hex) of `file`, read in slices of [`READ_CHUNK`]; `progress(done, total)` after each.
///
/// # Errors
/// [`Failure::Read`] when the browser cannot read it, [`Failure::Changed`] when it shrank.
pub async fn digest_blob(file: &Blob, progress: impl Fn(f64, f64)) -> Result<String, Failure> {
    let total = file.size();
    let mut hasher = sha2::Sha256::new();
    let mut buf = Vec::with_capacity(READ_CHUNK);
    let mut at = 0.0;
    while at < total {
        let len = (total - at).min(READ_CHUNK as f64) as usize;
        read(file, at, len, &mut buf).await?;
        hasher.update(&buf);
        at += len as f64;
        progress(at, total);
    }
    Ok(sealdrop_core::hex(&hasher.finalize()))
}

/// Ciphertext parts waiting to become a `Blob`, and the blobs made so far.
#[derive(Default)]
struct Parts {
    parts: Array,
    bytes: usize,
    blobs: Array,
}

impl Parts {
    fn fold(&mut self) -> io::Result<()> {
        if self.parts.length() > 0 {
            let b = Blob::new_with_u8_array_sequence(&self.parts)
                .map_err(|_| io::Error::other("blob"))?;
            self.blobs.push(&b);
            self.parts = Array::new();
            self.bytes = 0;
        }
        Ok(())
    }
}

/// The bundle's parts as the form sends them: `kind` ("message" for a conversation's message,
/// else a report), `json` and `markdown` as text, `mtime` in
/// seconds, `attachments` as `[path, size, sha256]` triples.
fn bundle_parts(msg: &JsValue) -> Option<sealdrop_core::BundleParts> {
    let attachments = Array::from(&get(msg, "attachments"))
        .iter()
        .map(|a| {
            let a = Array::from(&a);
            Some((
                a.get(0).as_string()?,
                a.get(1).as_f64().filter(|n| *n >= 0.0)? as u64,
                a.get(2).as_string()?,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(sealdrop_core::BundleParts {
        kind: if get(msg, "kind").as_string().as_deref() == Some("message") {
            sealdrop_core::BundleKind::Message
        } else {
            sealdrop_core::BundleKind::Report
        },
        json: get(msg, "json").as_string()?.into_bytes(),
        markdown: get(msg, "markdown").as_string()?,
        mtime: get(msg, "mtime").as_f64().filter(|n| *n >= 0.0)? as u64,
        attachments,
    })
}

async fn seal(job: &JsValue, msg: &JsValue) -> Result<(), Failure> {
    let recipients: Vec<String> = Array::from(&get(msg, "recipients"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    let parts = bundle_parts(msg).ok_or(Failure::Report)?;
    let files: Vec<Blob> = Array::from(&get(msg, "files"))
        .iter()
        .map(|f| f.dyn_into::<Blob>())
        .collect::<Result<_, _>>()
        .map_err(|_| Failure::Protocol)?;
    let (blob, sha256, size) = seal_blobs(&recipients, parts, &files, |done, total| {
        progress(job, done, total)
    })
    .await?;
    post(&[
        ("op", "sealed".into()),
        ("job", job.clone()),
        ("blob", blob.into()),
        ("sha256", sha256.into()),
        ("size", (size as f64).into()),
    ]);
    Ok(())
}

/// Seals the bundle of `parts` with `files` (the attachments, in order) read slice by slice:
/// the sealed `Blob`, its SHA-256 (hex) and size. `progress(done, total)` counts plaintext
/// bytes of the attachments read.
///
/// # Errors
/// A [`Failure`] for the recipients, a file that cannot be read or changed, or the output.
pub async fn seal_blobs(
    recipients: &[String],
    parts: sealdrop_core::BundleParts,
    files: &[Blob],
    progress: impl Fn(f64, f64),
) -> Result<(Blob, String, u64), Failure> {
    let recipients =
        sealdrop_core::parse_recipients(recipients).map_err(|_| Failure::Recipients)?;
    if files.len() != parts.attachments.len() {
        return Err(Failure::Protocol);
    }
    let sizes: Vec<u64> = parts.attachments.iter().map(|a| a.1).collect();
    let total: f64 = files.iter().map(Blob::size).sum();

    let out = Rc::new(RefCell::new(Parts::default()));
    let sink = {
        let out = out.clone();
        BatchSink::new(move |bytes: &[u8]| {
            let a = Uint8Array::new_with_length(bytes.len() as u32);
            a.copy_from(bytes);
            let mut p = out.borrow_mut();
            p.parts.push(&a);
            p.bytes += bytes.len();
            if p.bytes >= BLOB_BATCH {
                p.fold()?;
            }
            Ok(())
        })
    };
    let mut sealer = sealdrop_core::Sealer::with_parts(&recipients, parts, sink)?;
    let mut buf = Vec::with_capacity(READ_CHUNK);
    let mut done = 0.0;
    progress(0.0, total);
    for (file, &size) in files.iter().zip(&sizes) {
        if file.size() != size as f64 {
            return Err(Failure::Changed);
        }
        let mut at = 0.0;
        while at < file.size() {
            let len = (file.size() - at).min(READ_CHUNK as f64) as usize;
            read(file, at, len, &mut buf).await?;
            sealer.write(&buf)?;
            at += len as f64;
            done += len as f64;
            progress(done, total);
        }
    }
    drop(buf);
    let (sha256, size) = sealer.finish()?.finish().map_err(|_| Failure::Write)?;
    let mut p = out.borrow_mut();
    p.fold().map_err(|_| Failure::Write)?;
    let opts = BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let blob =
        Blob::new_with_blob_sequence_and_options(&p.blobs, &opts).map_err(|_| Failure::Write)?;
    Ok((blob, sha256, size))
}
