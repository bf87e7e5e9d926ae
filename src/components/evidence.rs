//! Step 5: attachments. A chosen file is not read into the form: the sealing worker reads it
//! once, in slices, for its SHA-256 (listed here and on the review step), and again when the
//! report is sealed. Files over the limit are refused before anything is read.

use std::cell::Cell;

use sealdrop_core::FieldId;
use sealdrop_core::{human_bytes, DraftAttachment, Problem};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::StepProps;
use crate::i18n::fill;
use crate::sealer::{Event as SealEvent, SealFailure};
use crate::send::seal_failure_text;
use crate::state::{Action, Attached};

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
    let onchange = {
        let (s, refused, sealer) = (s.clone(), refused.clone(), p.sealer.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(list) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            input.set_value("");
            let have: u64 = s.form.files.iter().map(|f| f.meta.size).sum();
            let adding: u64 = files.iter().map(|f| f.size() as u64).sum();
            if have + adding > limits.max_attachment_bytes {
                refused.set(Some(
                    Problem::TooLarge {
                        max_bytes: limits.max_attachment_bytes,
                    }
                    .message(),
                ));
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
                    file: Some(file),
                })
                .collect();
            for a in &attached {
                let (s, id, name) = (s.clone(), a.id, a.meta.name.clone());
                if let Some(file) = &a.file {
                    sealer.digest(file, move |event| match event {
                        SealEvent::Progress { done, .. } => {
                            s.dispatch(Action::FileRead { id, done })
                        }
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
                                fill(t.file_unreadable, &[("name", &name)])
                            };
                            s.dispatch(Action::Notice(Some(why)));
                        }
                        SealEvent::Sealed(_) => {}
                    });
                }
            }
            s.dispatch(Action::AddFiles(attached));
        })
    };
    let error = (*refused).clone().or_else(|| s.error(FieldId::Attachments));
    let hint = fill(
        t.files_hint,
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
            <label for="sd-files">{ t.files_label }<span class="sd-optional">{ " " }{ t.optional }</span></label>
            <p id="sd-files-hint" class="sd-hint">{ hint }</p>
            if let Some(e) = &error { <p id="sd-files-error" class="sd-error">{ e }</p> }
            <input id="sd-files" type="file" multiple=true {onchange} aria-describedby={described}
                aria-invalid={error.as_ref().map(|_| "true")} />
            if s.form.files.is_empty() {
                <p class="sd-hint">{ t.files_empty }</p>
            } else {
                <ul class="sd-files" aria-label={t.files_label}>
                    { for s.form.files.iter().enumerate().map(|(i, f)| {
                        let remove = { let s = s.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::RemoveFile(i))) };
                        let reading = f.meta.sha256.is_empty();
                        let pct = if f.meta.size == 0 { 100 } else { (f.read / f.meta.size as f64 * 100.0).clamp(0.0, 100.0) as u32 };
                        html! {
                            <li>
                                <span class="sd-file-name">{ &f.meta.name }</span>
                                <span class="sd-file-size">{ human_bytes(f.meta.size) }</span>
                                if reading {
                                    <span class="sd-file-digest" role="status">{ fill(t.file_reading, &[("pct", &pct.to_string())]) }</span>
                                } else {
                                    <code class="sd-file-digest sd-wrap" title="SHA-256">{ f.meta.sha256.get(..16).unwrap_or_default() }{ "…" }</code>
                                }
                                <button type="button" class="sd-link" onclick={remove}
                                    aria-label={format!("{} {}", t.remove, f.meta.name)}>{ t.remove }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
