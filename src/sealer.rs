//! The page's side of the sealing worker (`crates/sealer`, protocol in `docs/sealer.md`).
//!
//! The worker is started when the form mounts and instantiates the form's own module (from the
//! browser's cache) while the researcher types. Requests made before the worker says `ready`
//! wait in a queue. Cancelling terminates the worker (which really stops it,
//! whatever it is doing) and starts a fresh one.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, MessageEvent, Worker};

/// A sealed report: the ciphertext as a `Blob` the browser keeps (in its blob store, not in
/// wasm memory), its SHA-256 and size.
#[derive(Clone, PartialEq)]
pub struct Sealed {
    pub blob: Blob,
    pub sha256: String,
    pub size: f64,
}

/// Why the worker could not do what was asked; the form says it from its catalogue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SealFailure {
    /// The worker did not start (blocked by a Content-Security-Policy, or its files missing).
    Unavailable,
    /// The browser could not read a file (moved, deleted, permission withdrawn).
    Read,
    /// A file changed on disk after it was attached.
    Changed,
    /// The organization's recipients cannot be used together.
    Recipients,
    /// Anything else: out of memory, or a bug.
    Internal,
}

impl SealFailure {
    fn from_code(code: &str) -> Self {
        match code {
            "read" => SealFailure::Read,
            "changed" => SealFailure::Changed,
            "recipients" => SealFailure::Recipients,
            _ => SealFailure::Internal,
        }
    }
}

/// What a request hears back.
pub enum Event {
    Progress { done: f64, total: f64 },
    Digest(String),
    Sealed(Sealed),
    Failed(SealFailure),
}

type Listener = Rc<dyn Fn(Event)>;

/// The worker's bootstrap module and the wasm it instantiates ([`crate::dom::part_urls`]).
fn urls() -> Option<(String, String)> {
    crate::dom::part_urls("sealer")
}

/// Inline mode: the loader found the sealer's files in the form page and passes their URLs.
pub fn set_urls(js: String, wasm: String) {
    crate::dom::set_part_urls("sealer", js, wasm);
}

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    broken: bool,
    queue: Vec<Object>,
    jobs: BTreeMap<u32, Listener>,
    next: u32,
    handlers: Vec<Closure<dyn Fn(MessageEvent)>>,
}

/// A handle on the sealing worker; cloning shares it.
#[derive(Clone)]
pub struct Sealer(Rc<RefCell<Inner>>);

impl PartialEq for Sealer {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn message(fields: &[(&str, &JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

impl Sealer {
    /// Starts the worker now.
    pub fn start() -> Self {
        let s = Sealer(Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            broken: false,
            queue: Vec::new(),
            jobs: BTreeMap::new(),
            next: 0,
            handlers: Vec::new(),
        })));
        s.spawn();
        s
    }

    /// A module worker for the sealer's bootstrap: directly when it is on this page's origin
    /// (the form page), else (inline mode) through a one-line `blob:` module that imports it,
    /// since a page may only start workers from its own origin.
    fn create(js: &str) -> Option<Worker> {
        let here = web_sys::window()?.location().origin().ok()?;
        let same = web_sys::Url::new(js)
            .ok()
            .is_some_and(|u| u.origin() == here);
        let opts = web_sys::WorkerOptions::new();
        opts.set_type(web_sys::WorkerType::Module);
        if same {
            return Worker::new_with_options(js, &opts).ok();
        }
        let quoted = js_sys::JSON::stringify(&JsValue::from_str(js)).ok()?;
        let code = format!("import {};", String::from(quoted));
        let kind = web_sys::BlobPropertyBag::new();
        kind.set_type("text/javascript");
        let blob =
            Blob::new_with_str_sequence_and_options(&Array::of1(&code.into()), &kind).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let worker = Worker::new_with_options(&url, &opts).ok();
        let _ = web_sys::Url::revoke_object_url(&url);
        worker
    }

    fn spawn(&self) {
        let created = urls().and_then(|(js, wasm)| Some((Self::create(&js)?, wasm)));
        let Some((worker, wasm)) = created else {
            crate::console_error(
                "sealdrop: the sealing worker could not start. In inline mode the page's Content-Security-Policy must allow worker-src blob: and the form's origin in script-src.",
            );
            self.fail_all();
            return;
        };
        let on_message = {
            let weak = Rc::downgrade(&self.0);
            Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    Sealer(inner).receive(&e.data());
                }
            })
        };
        let on_error = {
            let weak = Rc::downgrade(&self.0);
            Closure::<dyn Fn(MessageEvent)>::new(move |_| {
                if let Some(inner) = weak.upgrade() {
                    crate::console_error(
                        "sealdrop: the sealing worker failed to load its module; check that the form's files are all served (and allowed by the Content-Security-Policy).",
                    );
                    Sealer(inner).fail_all();
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let _ = worker.post_message(&message(&[("op", &"init".into()), ("wasm", &wasm.into())]));
        let mut inner = self.0.borrow_mut();
        inner.worker = Some(worker);
        inner.ready = false;
        inner.handlers = vec![on_message, on_error];
    }

    /// Every waiting request fails as `Unavailable`, and so will later ones.
    fn fail_all(&self) {
        let jobs = {
            let mut inner = self.0.borrow_mut();
            inner.broken = true;
            inner.queue.clear();
            std::mem::take(&mut inner.jobs)
        };
        for listener in jobs.into_values() {
            listener(Event::Failed(SealFailure::Unavailable));
        }
    }

    fn receive(&self, data: &JsValue) {
        let op = get(data, "op").as_string().unwrap_or_default();
        if op == "ready" {
            let (worker, queue) = {
                let mut inner = self.0.borrow_mut();
                inner.ready = true;
                (inner.worker.clone(), std::mem::take(&mut inner.queue))
            };
            if let Some(w) = worker {
                for m in queue {
                    let _ = w.post_message(&m);
                }
            }
            return;
        }
        if op == "failed" {
            return self.fail_all();
        }
        let job = get(data, "job").as_f64().unwrap_or(-1.0) as u32;
        let event = match op.as_str() {
            "progress" => Event::Progress {
                done: get(data, "done").as_f64().unwrap_or(0.0),
                total: get(data, "total").as_f64().unwrap_or(0.0),
            },
            "digest" => Event::Digest(get(data, "sha256").as_string().unwrap_or_default()),
            "sealed" => match get(data, "blob").dyn_into::<Blob>() {
                Ok(blob) => Event::Sealed(Sealed {
                    blob,
                    sha256: get(data, "sha256").as_string().unwrap_or_default(),
                    size: get(data, "size").as_f64().unwrap_or(0.0),
                }),
                Err(_) => Event::Failed(SealFailure::Internal),
            },
            "error" => Event::Failed(SealFailure::from_code(
                &get(data, "code").as_string().unwrap_or_default(),
            )),
            _ => return,
        };
        let last = !matches!(event, Event::Progress { .. });
        let listener = {
            let mut inner = self.0.borrow_mut();
            if last {
                inner.jobs.remove(&job)
            } else {
                inner.jobs.get(&job).cloned()
            }
        };
        if let Some(l) = listener {
            l(event);
        }
    }

    fn request(&self, op: &str, fields: &[(&str, &JsValue)], on: impl Fn(Event) + 'static) -> u32 {
        let (job, post_now, broken) = {
            let mut inner = self.0.borrow_mut();
            inner.next += 1;
            let job = inner.next;
            (
                job,
                inner.ready.then(|| inner.worker.clone()).flatten(),
                inner.broken,
            )
        };
        if broken {
            on(Event::Failed(SealFailure::Unavailable));
            return job;
        }
        let mut all = vec![("op", JsValue::from_str(op)), ("job", JsValue::from(job))];
        all.extend(fields.iter().map(|(k, v)| (*k, (*v).clone())));
        let refs: Vec<(&str, &JsValue)> = all.iter().map(|(k, v)| (*k, v)).collect();
        let msg = message(&refs);
        let mut inner = self.0.borrow_mut();
        inner.jobs.insert(job, Rc::new(on));
        match post_now {
            Some(w) => {
                drop(inner);
                let _ = w.post_message(&msg);
            }
            None => inner.queue.push(msg),
        }
        job
    }

    /// SHA-256 of an attached file, read in slices by the worker.
    pub fn digest(&self, file: &File, on: impl Fn(Event) + 'static) -> u32 {
        self.request("digest", &[("file", file.as_ref())], on)
    }

    /// Seals the bundle made of `parts` with `files` as its attachments' bytes.
    pub fn seal(
        &self,
        recipients: &[String],
        parts: &sealdrop_core::BundleParts,
        files: &[File],
        on: impl Fn(Event) + 'static,
    ) -> u32 {
        let r: Array = recipients.iter().map(|s| JsValue::from_str(s)).collect();
        let f: Array = files.iter().collect();
        let a: Array = parts
            .attachments
            .iter()
            .map(|(path, size, sha)| Array::of3(&path.into(), &(*size as f64).into(), &sha.into()))
            .collect();
        let json = String::from_utf8_lossy(&parts.json).into_owned();
        self.request(
            "seal",
            &[
                ("recipients", r.as_ref()),
                (
                    "kind",
                    &match parts.kind {
                        sealdrop_core::BundleKind::Message => "message",
                        sealdrop_core::BundleKind::Report => "report",
                    }
                    .into(),
                ),
                ("json", &json.into()),
                ("markdown", &parts.markdown.as_str().into()),
                ("mtime", &(parts.mtime as f64).into()),
                ("attachments", a.as_ref()),
                ("files", f.as_ref()),
            ],
            on,
        )
    }

    /// Stops whatever the worker is doing and starts a fresh one. Pending requests are dropped
    /// without an answer: their caller cancelled them.
    pub fn cancel(&self) {
        let old = {
            let mut inner = self.0.borrow_mut();
            inner.jobs.clear();
            inner.queue.clear();
            inner.ready = false;
            inner.worker.take()
        };
        if let Some(w) = old {
            w.terminate();
        }
        self.spawn();
    }
}
