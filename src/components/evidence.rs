//! Step 5: attachments, from the file picker, dropped onto the step, or pasted (a screenshot
//! from the clipboard, Ctrl/Cmd+V while the step has focus). A file is not read into the form:
//! the sealing worker reads it once, in slices, for its SHA-256 (listed here and on the review
//! step), and again when the report is sealed. Files over the limit are refused before
//! anything is read.

use std::cell::Cell;

use sealdrop_core::FieldId;
use sealdrop_core::{human_bytes, DraftAttachment, Problem};
use wasm_bindgen::JsCast;
use web_sys::{FileList, HtmlInputElement};
use yew::prelude::*;

use super::StepProps;
use crate::i18n::fill;
use crate::i18n::Strings;
use crate::sealer::Sealer;
use crate::sealer::{Event as SealEvent, SealFailure};
use crate::send::seal_failure_text;
use crate::state::{Action, Attached, Scrub, State};

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

#[component]
pub fn EvidenceStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let limits = s.limits;
    let refused = use_state(|| None::<String>);
    let dragging = use_state(|| false);
    let add = {
        let (s, refused, sealer) = (s.clone(), refused.clone(), p.sealer.clone());
        Callback::from(move |files: Vec<web_sys::File>| {
            if files.is_empty() {
                return;
            }
            let have: u64 = s.form.files.iter().map(|f| f.meta.size).sum();
            let adding: u64 = files.iter().map(|f| f.size() as u64).sum();
            if have + adding > limits.max_attachment_bytes {
                refused.set(Some(t.problem(&Problem::TooLarge {
                    max_bytes: limits.max_attachment_bytes,
                })));
                return;
            }
            refused.set(None);
            let attached: Vec<Attached> = files
                .into_iter()
                .map(|file| Attached {
                    id: next_id(),
                    meta: DraftAttachment {
                        name: file.name(),
                        media_type: file.type_(),
                        size: file.size() as u64,
                        sha256: String::new(),
                    },
                    read: 0.0,
                    scrub: if crate::scrub::is_image(&file.type_()) {
                        Scrub::Pending
                    } else {
                        Scrub::NotImage
                    },
                    file: Some(file),
                })
                .collect();
            for a in &attached {
                let Some(file) = a.file.clone() else { continue };
                let (s, sealer, id, name) = (s.clone(), sealer.clone(), a.id, a.meta.name.clone());
                if a.scrub == Scrub::Pending {
                    // An image loses its metadata first; the cleaned copy is what is digested.
                    wasm_bindgen_futures::spawn_local(async move {
                        let cleaned = crate::scrub::clean(&file).await;
                        let file = match &cleaned {
                            Ok(Some(copy)) => copy.clone(),
                            _ => file,
                        };
                        s.dispatch(Action::Scrubbed { id, cleaned });
                        digest(&s, &sealer, t, id, &file, name);
                    });
                } else {
                    digest(&s, &sealer, t, id, &file, name);
                }
            }
            s.dispatch(Action::AddFiles(attached));
        })
    };
    let onchange = {
        let add = add.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = input.files().map(|l| files_of(&l)).unwrap_or_default();
            input.set_value("");
            add.emit(files);
        })
    };
    let drag = |over: bool| {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            // Only files are taken: text dragged from a field is left to the browser.
            if e.data_transfer()
                .is_some_and(|d| d.types().includes(&"Files".into(), 0))
            {
                e.prevent_default();
                dragging.set(over);
            }
        })
    };
    let ondrop = {
        let (add, dragging) = (add.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            let files = e
                .data_transfer()
                .and_then(|d| d.files())
                .map(|l| files_of(&l))
                .unwrap_or_default();
            if !files.is_empty() {
                e.prevent_default();
            }
            dragging.set(false);
            add.emit(files);
        })
    };
    let onpaste = Callback::from(move |e: Event| {
        let files = e
            .dyn_ref::<web_sys::ClipboardEvent>()
            .and_then(web_sys::ClipboardEvent::clipboard_data)
            .and_then(|d| d.files())
            .map(|l| files_of(&l))
            .unwrap_or_default();
        if !files.is_empty() {
            e.prevent_default();
            add.emit(files);
        }
    });
    let error = (*refused)
        .clone()
        .or_else(|| s.error(FieldId::Attachments, t));
    let hint = fill(
        t.files_hint(),
        &[
            ("files", &limits.max_attachments.to_string()),
            ("bytes", &human_bytes(limits.max_attachment_bytes)),
        ],
    );
    let described = if error.is_some() {
        "sd-files-hint sd-files-error"
    } else {
        "sd-files-hint"
    };
    html! {
        <div class={classes!("sd-field", error.as_ref().map(|_| "sd-invalid"))}>
            <label for="sd-files">{ t.files_label() }<span class="sd-optional">{ " " }{ t.optional() }</span></label>
            <p id="sd-files-hint" class="sd-hint">{ hint }</p>
            if let Some(e) = &error { <p id="sd-files-error" class="sd-error">{ e }</p> }
            <div id="sd-drop" class={classes!("sd-drop", (*dragging).then_some("sd-dragging"))} tabindex="0"
                role="group" aria-label={t.files_drop()} ondragenter={drag(true)} ondragover={drag(true)}
                ondragleave={drag(false)} {ondrop} {onpaste}>
                <input id="sd-files" type="file" multiple=true {onchange} aria-describedby={described}
                    aria-invalid={error.as_ref().map(|_| "true")} />
                <p class="sd-hint" aria-hidden="true">{ t.files_drop() }</p>
            </div>
            if s.form.files.is_empty() {
                <p class="sd-hint">{ t.files_empty() }</p>
            } else {
                <ul class="sd-files" aria-label={t.files_label()}>
                    { for s.form.files.iter().enumerate().map(|(i, f)| {
                        let remove = { let s = s.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::RemoveFile(i))) };
                        let reading = f.meta.sha256.is_empty();
                        let pct = if f.meta.size == 0 { 100 } else { (f.read / f.meta.size as f64 * 100.0).clamp(0.0, 100.0) as u32 };
                        html! {
                            <li>
                                <span class="sd-file-name">{ &f.meta.name }</span>
                                <span class="sd-file-size">{ human_bytes(f.meta.size) }</span>
                                if reading {
                                    <span class="sd-file-digest" role="status">{ fill(t.file_reading(), &[("pct", &pct.to_string())]) }</span>
                                } else {
                                    <code class="sd-file-digest sd-wrap" title="SHA-256">{ f.meta.sha256.get(..16).unwrap_or_default() }{ "…" }</code>
                                }
                                { scrub_note(s, &p.sealer, t, f) }
                                <button type="button" class="sd-link" onclick={remove}
                                    aria-label={format!("{} {}", t.remove(), f.meta.name)}>{ t.remove() }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// What the scrub did to an image, with the choice to send the other copy.
fn scrub_note(
    s: &UseReducerHandle<State>,
    sealer: &Sealer,
    t: &'static Strings,
    f: &Attached,
) -> Html {
    let (note, button) = match &f.scrub {
        Scrub::Pending => (t.files_cleaning(), None),
        Scrub::Removed(_) => (t.files_cleaned(), Some(t.files_keep_original())),
        Scrub::Kept(_) => (t.files_kept_original(), Some(t.files_clean())),
        Scrub::Unchecked => (t.files_kept_original(), None),
        Scrub::NotImage | Scrub::Clean => return html! {},
    };
    let swap = {
        let (s, sealer, id, name) = (s.clone(), sealer.clone(), f.id, f.meta.name.clone());
        let other = match &f.scrub {
            Scrub::Removed(x) | Scrub::Kept(x) => Some(x.clone()),
            _ => None,
        };
        Callback::from(move |_: MouseEvent| {
            if let Some(other) = &other {
                let new_id = next_id();
                s.dispatch(Action::SwapOriginal { id, new_id });
                digest(&s, &sealer, t, new_id, other, name.clone());
            }
        })
    };
    html! {
        <>
            <span class="sd-file-scrub">{ note }</span>
            if let Some(b) = button {
                <button type="button" class="sd-link sd-file-swap" onclick={swap}
                    aria-label={format!("{b}: {}", f.meta.name)}>{ b }</button>
            }
        </>
    }
}

/// Has the sealing worker read `file` (attachment `id`) for its SHA-256.
fn digest(
    s: &UseReducerHandle<State>,
    sealer: &Sealer,
    t: &'static Strings,
    id: u32,
    file: &web_sys::File,
    name: String,
) {
    let s = s.clone();
    sealer.digest(file, move |event| match event {
        SealEvent::Progress { done, .. } => s.dispatch(Action::FileRead { id, done }),
        SealEvent::Digest(h) => s.dispatch(Action::Digested {
            id,
            sha256: Some(h),
        }),
        SealEvent::Failed(f) => {
            s.dispatch(Action::Digested { id, sha256: None });
            // A file the browser could not read, or no sealer to read it.
            let why = if f == SealFailure::Unavailable {
                seal_failure_text(t, f)
            } else {
                fill(t.file_unreadable(), &[("name", &name)])
            };
            s.dispatch(Action::Notice(Some(why)));
        }
        SealEvent::Sealed(_) => {}
    });
}

fn files_of(list: &FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
