//! What the researcher sees once Send is pressed: progress, the receipt, or, when delivery gives
//! up, the sealed report with three ways out (download, armored copy, email).

use std::rc::Rc;

use sealdrop_core::{human_bytes, render_markdown, Report};
use yew::prelude::*;

use super::StepProps;
use crate::dom::download;
use crate::i18n::fill;
use crate::state::{Action, Delivery};

#[derive(Properties, PartialEq)]
pub struct DeliveryProps {
    pub step: StepProps,
    pub on_retry: Callback<()>,
    pub on_new: Callback<()>,
}

fn downloads(t: &'static crate::i18n::Strings, ct: &Rc<Vec<u8>>, report: &Rc<Report>) -> Html {
    let sealed = {
        let (ct, id) = (ct.clone(), report.id.clone());
        Callback::from(move |_: MouseEvent| {
            download(&ct, &format!("report-{id}.age"), "application/octet-stream")
        })
    };
    let plain = {
        let report = report.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                render_markdown(&report).as_bytes(),
                "report.md",
                "text/markdown",
            )
        })
    };
    html! {
        <div class="sd-actions">
            <button type="button" class="sd-secondary" id="sd-download-sealed" onclick={sealed}>{ t.download_sealed }</button>
            <button type="button" class="sd-secondary" id="sd-download-plain" onclick={plain}
                aria-describedby="sd-plain-note">{ t.download_plain }</button>
            <p id="sd-plain-note" class="sd-hint">{ t.plain_note }</p>
        </div>
    }
}

#[component]
pub fn DeliveryView(p: &DeliveryProps) -> Html {
    let (s, t, c) = (&p.step.state, p.step.t, &p.step.config);
    let copied = use_state(|| false);
    match &s.delivery {
        Delivery::Editing => html! {},
        Delivery::Sealing => html! {
            <div class="sd-progress" role="status"><progress></progress><p>{ t.sealing }</p></div>
        },
        Delivery::Sending {
            attempt,
            retry_in,
            sent,
            total,
        } => {
            let msg = match retry_in {
                Some(secs) => fill(
                    t.retrying,
                    &[("s", &secs.to_string()), ("n", &attempt.to_string())],
                ),
                None => t.sending.to_string(),
            };
            // The bar and its figures change many times a second: shown, and read by a
            // screen reader on request (the bar's value), but only the message is announced.
            let bar = if *total > 0.0 && retry_in.is_none() {
                let pct = (sent / total * 100.0).clamp(0.0, 100.0) as u32;
                let figures = fill(
                    t.upload_progress,
                    &[
                        ("pct", &pct.to_string()),
                        ("sent", &human_bytes(*sent as u64)),
                        ("total", &human_bytes(*total as u64)),
                    ],
                );
                html! {
                    <>
                        <progress id="sd-upload" max="100" value={pct.to_string()} aria-label={t.upload_label}
                            aria-valuetext={figures.clone()}></progress>
                        <p class="sd-upload-figures" aria-hidden="true">{ figures }</p>
                    </>
                }
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
            ciphertext,
            report,
        } => html! {
            <div class="sd-done">
                <h2 tabindex="-1" id="sd-outcome">{ t.delivered }</h2>
                <dl>
                    <dt>{ t.receipt }</dt><dd><code id="sd-receipt">{ receipt }</code></dd>
                    <dt>{ t.digest }</dt><dd><code id="sd-sha256" class="sd-wrap">{ sha256 }</code></dd>
                </dl>
                { downloads(t, ciphertext, report) }
                <button type="button" class="sd-link" onclick={{ let cb = p.on_new.clone(); move |_| cb.emit(()) }}>{ t.new_report }</button>
            </div>
        },
        Delivery::Failed {
            reason,
            ciphertext,
            report,
        } => {
            let armored = sealdrop_core::armor(ciphertext);
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
                    fill(t.mail_subject, &[("id", &report.id)])
                );
                // Mail clients truncate long mailto: links; past that, the body asks for the file.
                let body = if armored.len() < 6000 {
                    armored.clone()
                } else {
                    fill(t.mail_attached, &[("id", &report.id)])
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
                    <h2 tabindex="-1" id="sd-outcome">{ t.failed }</h2>
                    <p class="sd-error" id="sd-failure-reason">{ reason }</p>
                    <p>{ t.failed_keep }</p>
                    { downloads(t, ciphertext, report) }
                    <label for="sd-armored">{ t.armored_label }</label>
                    <textarea id="sd-armored" readonly=true rows="6" value={armored} class="sd-armored" spellcheck="false" />
                    <div class="sd-actions">
                        <button type="button" class="sd-secondary" onclick={copy}>{ t.copy_armored }</button>
                        if *copied { <span role="status">{ t.copied }</span> }
                        if let Some((email, href)) = mailto {
                            <a class="sd-button sd-secondary" {href}>{ fill(t.email_it, &[("email", &email)]) }</a>
                        }
                        <button type="button" class="sd-primary" id="sd-retry" onclick={{ let cb = p.on_retry.clone(); move |_| cb.emit(()) }}>{ t.try_again }</button>
                    </div>
                </div>
            }
        }
    }
}

/// Keeps the reset action reachable from this module's users.
pub fn reset_action() -> Action {
    Action::Reset {
        id: sealdrop_core::new_uuid().unwrap_or_default(),
    }
}
