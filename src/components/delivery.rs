//! What the researcher sees once Send is pressed: progress, the receipt, or, when delivery gives
//! up, the sealed report with three ways out (download, armored copy, email).

use std::rc::Rc;

use sealdrop_core::{human_bytes, Report};
use yew::prelude::*;

use super::StepProps;
use crate::dom::{download, download_blob};
use crate::i18n::{fill, Strings};
use crate::sealer::Sealed;
use crate::state::{Action, Delivery};
use crate::submit::DeliveryError;

/// Sealed reports up to this size are also shown as armored text (to paste into an email);
/// larger ones are offered as a file only.
const ARMOR_MAX: f64 = 1024.0 * 1024.0;

#[derive(Properties, PartialEq)]
pub struct DeliveryProps {
    pub step: StepProps,
    pub on_retry: Callback<()>,
    pub on_new: Callback<()>,
    pub on_cancel: Callback<()>,
    /// Opens the conversation with the follow-up key.
    pub on_follow_up: Callback<String>,
}

/// A delivery failure, said in the researcher's language.
pub fn failure_text(t: &Strings, e: &DeliveryError) -> String {
    match e {
        DeliveryError::Offline => t.net_offline().to_string(),
        DeliveryError::Refused {
            message: Some(m), ..
        } => m.clone(),
        DeliveryError::Refused { status, .. } => {
            fill(t.net_status(), &[("status", &status.to_string())])
        }
        DeliveryError::BadReceipt { status } => {
            fill(t.bad_receipt(), &[("status", &status.to_string())])
        }
        DeliveryError::DigestMismatch => t.digest_mismatch().to_string(),
    }
}

/// The researcher's copies. Once delivered they carry the receipt, the one identifier the
/// organization knows the report by: `report-<receipt>.age`, and `report.md` opening with it.
fn downloads(
    t: &'static Strings,
    sealed: &Sealed,
    report: &Rc<Report>,
    receipt: Option<&str>,
) -> Html {
    let stem = format!("report-{}", receipt.unwrap_or(&report.id));
    let sealed = {
        let (blob, name) = (sealed.blob.clone(), format!("{stem}.age"));
        Callback::from(move |_: MouseEvent| download_blob(&blob, &name))
    };
    let plain = {
        let (report, name) = (report.clone(), format!("{stem}.md"));
        let receipt = receipt.map(str::to_string);
        Callback::from(move |_: MouseEvent| {
            // The researcher's own copy, in the language they used.
            let t = crate::i18n::current();
            let md = t.markdown(&report);
            let md = match &receipt {
                Some(r) => format!("{}: {r}\n\n{md}", t.receipt()),
                None => md,
            };
            download(md.as_bytes(), &name, "text/markdown")
        })
    };
    html! {
        <div class="sd-actions">
            <button type="button" class="sd-secondary" id="sd-download-sealed" onclick={sealed}>{ t.download_sealed() }</button>
            <button type="button" class="sd-secondary" id="sd-download-plain" onclick={plain}
                aria-describedby="sd-plain-note">{ t.download_plain() }</button>
            <p id="sd-plain-note" class="sd-hint">{ t.plain_note() }</p>
        </div>
    }
}

/// A progress bar with its figures: shown, and read by a screen reader on request (the bar's
/// value), while only the message beside it is announced.
fn bar(id: &str, label: &str, template: &str, done: f64, total: f64) -> Html {
    if total <= 0.0 {
        return html! { <progress></progress> };
    }
    let pct = (done / total * 100.0).clamp(0.0, 100.0) as u32;
    let figures = fill(
        template,
        &[
            ("pct", &pct.to_string()),
            ("sent", &human_bytes(done as u64)),
            ("done", &human_bytes(done as u64)),
            ("total", &human_bytes(total as u64)),
        ],
    );
    html! {
        <>
            <progress id={id.to_string()} max="100" value={pct.to_string()} aria-label={label.to_string()}
                aria-valuetext={figures.clone()}></progress>
            <p class="sd-upload-figures" aria-hidden="true">{ figures }</p>
        </>
    }
}

/// The armored text of a small sealed report, read from its `Blob` once.
#[hook]
fn use_armored(sealed: Option<Sealed>) -> Option<Rc<String>> {
    let armored = use_state(|| None::<Rc<String>>);
    {
        let armored = armored.clone();
        use_effect_with(sealed, move |sealed| {
            #[cfg(target_arch = "wasm32")]
            if let Some(s) = sealed.clone().filter(|s| s.size <= ARMOR_MAX) {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(buf) =
                        wasm_bindgen_futures::JsFuture::from(s.blob.array_buffer()).await
                    {
                        let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                        armored.set(Some(Rc::new(sealdrop_core::armor(&bytes))));
                    }
                });
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (sealed, armored);
        });
    }
    (*armored).clone()
}

#[component]
pub fn DeliveryView(p: &DeliveryProps) -> Html {
    let (s, t, c) = (&p.step.state, p.step.t, &p.step.config);
    let copied = use_state(|| false);
    let armored = use_armored(match &s.delivery {
        Delivery::Failed { sealed, .. } => Some(sealed.clone()),
        _ => None,
    });
    match &s.delivery {
        Delivery::Editing => html! {},
        Delivery::Sealing { done, total } => html! {
            <div class="sd-progress">
                { bar("sd-sealing", t.sealing_label(), t.sealing_progress(), *done, *total) }
                <p role="status">{ t.sealing() }</p>
                <button type="button" class="sd-secondary" id="sd-cancel"
                    onclick={{ let cb = p.on_cancel.clone(); move |_| cb.emit(()) }}>{ t.cancel() }</button>
            </div>
        },
        Delivery::Sending {
            attempt,
            retry_in,
            sent,
            total,
        } => {
            let msg = match retry_in {
                Some(secs) => fill(
                    t.retrying(),
                    &[("s", &secs.to_string()), ("n", &attempt.to_string())],
                ),
                None => t.sending().to_string(),
            };
            let bar = if retry_in.is_none() {
                bar(
                    "sd-upload",
                    t.upload_label(),
                    t.upload_progress(),
                    *sent,
                    *total,
                )
            } else {
                html! { <progress></progress> }
            };
            html! {
                <div class="sd-progress">
                    { bar }
                    <p role="status">{ msg }</p>
                </div>
            }
        }
        Delivery::Delivered {
            receipt,
            sha256,
            sealed,
            report,
        } => {
            let org = if c.org.is_empty() {
                t.default_org().to_string()
            } else {
                c.org.clone()
            };
            let copy = |what: &str, value: &str| {
                let value = value.to_string();
                let copied = copied.clone();
                let label = fill(t.copy_label(), &[("what", what)]);
                let onclick = Callback::from(move |_: MouseEvent| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&value);
                        copied.set(true);
                    }
                });
                html! { <button type="button" class="sd-secondary sd-copy" aria-label={label} {onclick}>{ t.copy() }</button> }
            };
            html! {
                <div class="sd-done">
                    <h2 tabindex="-1" id="sd-outcome">{ t.delivered() }</h2>
                    <h3>{ t.next_heading() }</h3>
                    <p id="sd-next-text">{ fill(t.next_text_org(), &[("org", &org)]) }</p>
                    <dl class="sd-ids">
                        <dt>{ t.receipt() }</dt>
                        <dd>
                            <div class="sd-id"><code id="sd-receipt">{ receipt }</code>{ copy(t.receipt(), receipt) }</div>
                            <p class="sd-hint">{ fill(t.receipt_note(), &[("org", &org)]) }</p>
                        </dd>
                        <dt>{ t.digest() }</dt>
                        <dd>
                            <div class="sd-id"><code id="sd-sha256" class="sd-wrap">{ sha256 }</code>{ copy(t.digest(), sha256) }</div>
                            <p class="sd-hint">{ t.digest_note() }</p>
                        </dd>
                    </dl>
                    { follow_up_key(t, &org, c.response_days, receipt, s.thread_secret, copy, &p.on_follow_up) }
                    if *copied { <p role="status" class="sd-hint">{ t.copied() }</p> }
                    { downloads(t, sealed, report, Some(receipt)) }
                    <div class="sd-actions">
                        <button type="button" class="sd-secondary" id="sd-new-report"
                            onclick={{ let cb = p.on_new.clone(); move |_| cb.emit(()) }}>{ t.new_report() }</button>
                    </div>
                </div>
            }
        }
        Delivery::Failed {
            reason,
            sealed,
            report,
        } => {
            let armored_text = armored.as_deref().cloned().unwrap_or_default();
            let fits = sealed.size <= ARMOR_MAX;
            let armored = armored_text;
            let copy = {
                let (armored, copied) = (armored.clone(), copied.clone());
                Callback::from(move |_: MouseEvent| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&armored);
                        copied.set(true);
                    }
                })
            };
            let mailto = c.contact_email.as_ref().map(|email| {
                let subject = format!(
                    "{} {}",
                    c.subject_tag.clone().unwrap_or_default(),
                    fill(t.mail_subject(), &[("id", &report.id)])
                );
                // Mail clients truncate long mailto: links; past that, the body asks for the file.
                let body = if armored.len() < 6000 {
                    armored.clone()
                } else {
                    fill(t.mail_attached(), &[("id", &report.id)])
                };
                let enc = |v: &str| String::from(js_sys::encode_uri_component(v));
                (
                    email.clone(),
                    format!(
                        "mailto:{}?subject={}&body={}",
                        email,
                        enc(subject.trim()),
                        enc(&body)
                    ),
                )
            });
            html! {
                <div class="sd-failed">
                    <h2 tabindex="-1" id="sd-outcome">{ t.failed() }</h2>
                    <p class="sd-error" id="sd-failure-reason">{ failure_text(t, reason) }</p>
                    <p>{ t.failed_keep() }</p>
                    { downloads(t, sealed, report, None) }
                    if fits {
                        <label for="sd-armored">{ t.armored_label() }</label>
                        <textarea id="sd-armored" readonly=true rows="6" value={armored} class="sd-armored" spellcheck="false" />
                    } else {
                        <p class="sd-hint" id="sd-armored-too-large">{ t.armored_too_large() }</p>
                    }
                    <div class="sd-actions">
                        if fits {
                            <button type="button" class="sd-secondary" onclick={copy}>{ t.copy_armored() }</button>
                        }
                        if *copied { <span role="status">{ t.copied() }</span> }
                        if let Some((email, href)) = mailto {
                            <a class="sd-button sd-secondary" {href}>{ fill(t.email_it(), &[("email", &email)]) }</a>
                        }
                        <button type="button" class="sd-primary" id="sd-retry" onclick={{ let cb = p.on_retry.clone(); move |_| cb.emit(()) }}>{ t.try_again() }</button>
                    </div>
                </div>
            }
        }
    }
}

/// The follow-up key on the receipt screen: the one string to keep, copy and save buttons,
/// when to expect an answer, and the way into the conversation. Without a key (the researcher
/// opted out), what that means.
fn follow_up_key(
    t: &'static Strings,
    org: &str,
    days: Option<u32>,
    receipt: &str,
    secret: Option<[u8; 16]>,
    copy: impl Fn(&str, &str) -> Html,
    on_follow_up: &Callback<String>,
) -> Html {
    let Some(key) = secret.and_then(|s| sealdrop_core::FollowUpKey::new(receipt, s)) else {
        return html! { <p id="sd-no-thread">{ fill(t.no_thread_kept(), &[("org", org)]) }</p> };
    };
    let key = key.encode();
    let save = {
        let text = fill(
            t.key_file(),
            &[("receipt", receipt), ("key", &key), ("org", org)],
        );
        let name = format!("sealdrop-followup-{receipt}.txt");
        Callback::from(move |_: MouseEvent| download(text.as_bytes(), &name, "text/plain"))
    };
    let open = {
        let (key, cb) = (key.clone(), on_follow_up.clone());
        Callback::from(move |_: MouseEvent| cb.emit(key.clone()))
    };
    html! {
        <section class="sd-followup" aria-labelledby="sd-key-heading">
            <h3 id="sd-key-heading">{ t.key_heading() }</h3>
            <div class="sd-id"><code id="sd-followup-key" class="sd-wrap">{ &key }</code>{ copy(t.key_label(), &key) }</div>
            <p class="sd-hint" id="sd-key-note">{ fill(t.key_note(), &[("org", org)]) }</p>
            <p id="sd-answer-within">{ match days {
                Some(d) => fill(t.answer_within(), &[("org", org), ("days", &d.to_string())]),
                None => fill(t.answer_unknown(), &[("org", org)]),
            } }</p>
            <div class="sd-actions">
                <button type="button" class="sd-secondary" id="sd-key-download" onclick={save}>{ t.key_download() }</button>
                <button type="button" class="sd-secondary" id="sd-open-thread" onclick={open}>{ t.follow_up_this() }</button>
            </div>
        </section>
    }
}

/// Keeps the reset action reachable from this module's users.
pub fn reset_action() -> Action {
    Action::Reset {
        id: sealdrop_core::new_uuid().unwrap_or_default(),
    }
}
