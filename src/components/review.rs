//! Step 7: the whole report as it will be sealed, the policy consent, who it is sealed for
//! (organization and key fingerprints), and one button to encrypt and send.

use sealdrop_core::FieldId;
use sealdrop_core::{fingerprint, human_bytes, Credit};
use yew::prelude::*;

use super::StepProps;
use crate::dom::now_rfc3339;
use crate::state::{Action, Step, OTHER};

#[derive(Properties, PartialEq)]
pub struct ReviewProps {
    pub step: StepProps,
    pub on_send: Callback<()>,
}

fn text_or(v: &str, none: &'static str) -> Html {
    if v.trim().is_empty() {
        html! { <em>{ none }</em> }
    } else {
        // Each value in its own direction (`bdi`): a CVSS vector or an English title stays
        // left to right on an Arabic form, and wraps without its slashes changing sides.
        html! { <bdi class="sd-pre">{ v.trim().to_string() }</bdi> }
    }
}

#[component]
pub fn ReviewStep(p: &ReviewProps) -> Html {
    let (s, t, c) = (&p.step.state, p.step.t, &p.step.config);
    let f = &s.form;
    let edit = |step: Step, what: &str| {
        let s = s.clone();
        let label = format!("{} {}", t.edit(), what);
        html! {
            <button type="button" class="sd-link" aria-label={label} onclick={move |_| s.dispatch(Action::GoTo(step))}>{ t.edit() }</button>
        }
    };
    let kind = if f.type_id == OTHER {
        f.other_name.clone()
    } else {
        format!("{} ({})", t.kind_name(&f.type_id, &f.type_name), f.type_id)
    };
    let credit = match f.credit {
        Credit::Name => t.credit_name(),
        Credit::Handle => t.credit_handle(),
        Credit::Anonymous => t.credit_anonymous(),
    };
    let row = |label: &'static str, value: Html, step: Step| {
        html! {
            <div class="sd-review-row">
                <dt>{ label }{ " " }{ edit(step, label) }</dt>
                <dd>{ value }</dd>
            </div>
        }
    };
    let on_policy = {
        let s = s.clone();
        Callback::from(move |e: Event| {
            let checked = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .checked();
            s.dispatch(Action::AcceptPolicy(checked.then(now_rfc3339)));
        })
    };
    let policy_error = s.error(FieldId::Policy, t);
    let affected: Vec<&String> = f.affected.iter().filter(|a| !a.trim().is_empty()).collect();
    html! {
        <>
            <p>{ t.review_intro() }</p>
            <dl class="sd-review">
                { row(t.title_label(), text_or(&f.title, t.none_given()), Step::Kind) }
                { row(t.steps[0], text_or(&kind, t.none_given()), Step::Kind) }
                { row(t.steps[1], html! { <ul>{ for affected.iter().map(|a| html! { <li><bdi>{ a.trim() }</bdi></li> }) }</ul> }, Step::Where) }
                { row(t.steps_label(), text_or(&f.steps, t.none_given()), Step::Reproduce) }
                { row(t.prereq_label(), text_or(&f.prerequisites, t.none_given()), Step::Reproduce) }
                { row(t.impact_label(), text_or(&f.impact, t.none_given()), Step::Impact) }
                { row(t.cvss_label(), text_or(&f.cvss, t.none_given()), Step::Impact) }
                { for s.questions.iter().enumerate().map(|(i, q)| {
                    let label = q.label.get(t.lang.code).to_string();
                    let value = super::questions::shown_answer(q, f.answers.get(i).map_or("", String::as_str), t.lang.code);
                    let step = crate::state::STEPS.get(q.step).copied().unwrap_or(Step::Impact);
                    html! {
                        <div class="sd-review-row">
                            <dt>{ &label }{ " " }{ edit(step, &label) }</dt>
                            <dd>{ text_or(&value, t.none_given()) }</dd>
                        </div>
                    }
                }) }
                { row(t.steps[4], if f.files.is_empty() { html! { <em>{ t.files_empty() }</em> } } else { html! {
                    <ul>{ for f.files.iter().map(|a| html! { <li><bdi>{ &a.meta.name }</bdi>{ format!(" ({}), SHA-256 ", human_bytes(a.meta.size)) }<code class="sd-wrap">{ &a.meta.sha256 }</code></li> }) }</ul>
                } }, Step::Evidence) }
                { row(t.name_label(), text_or(&f.name, t.none_given()), Step::About) }
                { row(t.handle_label(), text_or(&f.handle, t.none_given()), Step::About) }
                { row(t.email_label(), text_or(&f.email, t.none_given()), Step::About) }
                { row(t.credit_legend(), html! { credit }, Step::About) }
            </dl>
            if let Some(url) = &c.policy_url {
                <div class={classes!("sd-field", "sd-policy", policy_error.as_ref().map(|_| "sd-invalid"))}>
                    <p><a href={url.clone()} target="_blank" rel="noopener noreferrer">{ t.policy_link() }</a></p>
                    if let Some(e) = &policy_error { <p id="sd-policy-error" class="sd-error">{ e }</p> }
                    <div class="sd-check">
                        <input type="checkbox" id="sd-policy" checked={f.policy_accepted_at.is_some()} onchange={on_policy}
                            aria-invalid={policy_error.as_ref().map(|_| "true")}
                            aria-describedby={policy_error.as_ref().map(|_| "sd-policy-error")} />
                        <label for="sd-policy">{ t.policy_read() }</label>
                    </div>
                </div>
            }
            <div class="sd-field">
                <div class="sd-check">
                    <input type="checkbox" id="sd-keep-thread" checked={!f.no_thread}
                        aria-describedby="sd-keep-thread-note"
                        onchange={{ let s = s.clone(); move |e: Event| s.dispatch(Action::NoThread(
                            !e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())) }} />
                    <label for="sd-keep-thread">{ t.keep_thread() }</label>
                </div>
                <p class="sd-hint" id="sd-keep-thread-note">{ t.keep_thread_note() }</p>
            </div>
            <div class="sd-sealed-for">
                <p>{ t.sealed_for() }{ ": " }<strong>{ if c.org.is_empty() { "—".to_string() } else { c.org.clone() } }</strong></p>
                <p>{ t.key_fingerprints() }{ ":" }</p>
                <ul class="sd-keys">
                    { for c.recipients.iter().map(|r| html! {
                        <li>
                            <code>{ fingerprint(r) }</code>
                            <details><summary>{ t.fingerprint_full() }</summary><code class="sd-wrap">{ r }</code></details>
                        </li>
                    }) }
                </ul>
                <p class="sd-hint" id="sd-fingerprint-note">{ t.fingerprint_note() }</p>
            </div>
            <button type="button" class="sd-primary" id="sd-send" onclick={{ let cb = p.on_send.clone(); move |_| cb.emit(()) }}>
                { t.send() }
            </button>
        </>
    }
}
