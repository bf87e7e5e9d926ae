//! Step 5: attachments, read in the browser and sealed with the report. Files over the limit are
//! refused before they are read, so a huge file cannot exhaust the tab's memory.

use sealdrop_core::{human_bytes, DraftAttachment, Problem};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::StepProps;
use crate::i18n::fill;
use crate::state::Action;

async fn read(file: web_sys::File) -> Option<DraftAttachment> {
    let buf = JsFuture::from(file.array_buffer()).await.ok()?;
    Some(DraftAttachment {
        name: file.name(),
        media_type: file.type_(),
        bytes: js_sys::Uint8Array::new(&buf).to_vec(),
    })
}

#[component]
pub fn EvidenceStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let limits = s.limits;
    let reading = use_state(|| false);
    let refused = use_state(|| None::<String>);
    let onchange = {
        let (s, reading, refused) = (s.clone(), reading.clone(), refused.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(list) = input.files() else { return };
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|i| list.get(i)).collect();
            input.set_value("");
            let have: u64 = s.form.files.iter().map(|f| f.bytes.len() as u64).sum();
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
            reading.set(true);
            let (s, reading) = (s.clone(), reading.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut read_files = Vec::new();
                for f in files {
                    if let Some(a) = read(f).await {
                        read_files.push(a);
                    }
                }
                s.dispatch(Action::AddFiles(read_files));
                reading.set(false);
            });
        })
    };
    let error = (*refused).clone().or_else(|| s.error("attachments"));
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
            <input id="sd-files" type="file" multiple=true {onchange} aria-describedby={described}
                aria-invalid={error.as_ref().map(|_| "true")} />
            if let Some(e) = &error { <p id="sd-files-error" class="sd-error">{ e }</p> }
            if *reading { <p role="status">{ t.files_reading }</p> }
            if s.form.files.is_empty() {
                <p class="sd-hint">{ t.files_empty }</p>
            } else {
                <ul class="sd-files" aria-label={t.files_label}>
                    { for s.form.files.iter().enumerate().map(|(i, f)| {
                        let remove = { let s = s.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::RemoveFile(i))) };
                        html! {
                            <li>
                                <span class="sd-file-name">{ &f.name }</span>
                                <span class="sd-file-size">{ human_bytes(f.bytes.len() as u64) }</span>
                                <button type="button" class="sd-link" onclick={remove}
                                    aria-label={format!("{} {}", t.remove, f.name)}>{ t.remove }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}
