//! The app: layout and hooks. One reducer, the step being shown, focus management, the leave
//! warning, and the buttons that drive the submission state machine (`crate::send`).

use std::rc::Rc;

use sealdrop_core::Config;
use yew::prelude::*;

use super::about::AboutStep;
use super::delivery::{reset_action, DeliveryView};
use super::error_summary::ErrorSummary;
use super::evidence::EvidenceStep;
use super::impact::ImpactStep;
use super::kind::KindStep;
use super::questions::Questions;
use super::reproduce::ReproduceStep;
use super::review::ReviewStep;
use super::stepper::Stepper;
use super::targets::TargetsStep;
use super::thread_host::ThreadHost;
use super::StepProps;
use crate::dom::{focus_selector, now_rfc3339};
use crate::i18n::{fill, Lang, Strings, LANGS};
use crate::sealer::Sealer;
use crate::send::{deliver, seal_and_deliver};
use crate::state::{Action, Delivery, State, Step, STEPS};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub config: Rc<Config>,
    /// The language the form is in.
    pub t: &'static Strings,
    /// The switcher chose another language.
    pub on_lang: Callback<&'static Lang>,
}

#[component]
pub fn App(p: &AppProps) -> Html {
    let config = p.config.clone();
    let t = p.t;
    let state = {
        let c = config.clone();
        use_reducer(move || {
            State::new(
                sealdrop_core::new_uuid().unwrap_or_default(),
                c.limits,
                c.policy_url.clone().unwrap_or_default(),
            )
            .with_questions(Rc::new(c.questions.clone()), &c.report_lang)
        })
    };
    let root = use_node_ref();
    // The conversation view, over the form (which keeps what was typed): the key to open, or
    // empty to ask for one.
    let thread = use_state(|| None::<String>);
    // Started once: the sealer's module loads while the researcher types.
    let sealer = use_memo((), |()| Sealer::start());

    // Focus: the first invalid field after a refused Next/Send, else the new step's heading.
    {
        let (root, errors) = (root.clone(), !state.errors.is_empty());
        use_effect_with(state.focus, move |focus| {
            if *focus > 0 {
                if let Some(el) = root.cast::<web_sys::Element>() {
                    let _ = (errors && focus_selector(&el, "[aria-invalid=true]"))
                        || focus_selector(&el, "#sd-step-heading");
                }
            }
        });
    }
    // Outcome screens take focus so screen readers announce them.
    {
        let root = root.clone();
        let outcome = matches!(
            state.delivery,
            Delivery::Delivered { .. } | Delivery::Failed { .. }
        );
        use_effect_with(outcome, move |o| {
            if let (true, Some(el)) = (*o, root.cast::<web_sys::Element>()) {
                focus_selector(&el, "#sd-outcome");
            }
        });
    }
    // Leaving with unsent content asks first.
    {
        let unsent = state.has_content() && !matches!(state.delivery, Delivery::Delivered { .. });
        use_effect_with(unsent, move |unsent| {
            let listener = (*unsent).then(|| {
                web_sys::window().map(|w| {
                    gloo_events::EventListener::new(&w, "beforeunload", move |e| {
                        e.prevent_default();
                        if let Some(e) =
                            wasm_bindgen::JsCast::dyn_ref::<web_sys::BeforeUnloadEvent>(e)
                        {
                            e.set_return_value(t.leave_warning());
                        }
                    })
                })
            });
            move || drop(listener)
        });
    }

    let on_send = {
        let (state, config, sealer) = (state.clone(), config.clone(), sealer.clone());
        Callback::from(move |()| match state.check(&now_rfc3339()) {
            Ok(mut r) => {
                state.dispatch(Action::Notice(None));
                // The follow-up key's secret: made now, in memory only; its reply recipient
                // travels inside the ciphertext.
                let secret = if state.form.no_thread {
                    None
                } else {
                    sealdrop_core::new_secret().ok()
                };
                if let Some(s) = &secret {
                    r.reply_to = Some(sealdrop_core::Derived::from_secret(s).recipient());
                }
                state.dispatch(Action::ThreadSecret(secret));
                seal_and_deliver(state.clone(), config.clone(), &sealer, Rc::new(r), secret);
            }
            Err(_) => state.dispatch(Action::Submit),
        })
    };
    let on_cancel = {
        let (state, sealer) = (state.clone(), sealer.clone());
        Callback::from(move |()| {
            sealer.cancel();
            state.dispatch(Action::Delivery(Delivery::Editing));
            state.dispatch(Action::Notice(Some(t.seal_cancelled().to_string())));
        })
    };
    let on_retry = {
        let (state, config) = (state.clone(), config.clone());
        Callback::from(move |()| {
            if let Delivery::Failed { sealed, report, .. } = &state.delivery {
                deliver(
                    state.clone(),
                    config.clone(),
                    sealed.clone(),
                    report.clone(),
                    state.thread_secret,
                );
            }
        })
    };
    let on_new = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(reset_action()))
    };

    let props = || StepProps {
        state: state.clone(),
        config: config.clone(),
        t,
        sealer: (*sealer).clone(),
    };
    let step = state.step;
    let on_follow_up = {
        let thread = thread.clone();
        Callback::from(move |key: String| thread.set(Some(key)))
    };
    let body = if let Some(key) = &*thread {
        let on_close = {
            let thread = thread.clone();
            Callback::from(move |()| thread.set(None))
        };
        html! { <ThreadHost config={config.clone()} {t} initial={key.clone()} {on_close} /> }
    } else if state.delivery != Delivery::Editing {
        html! { <DeliveryView step={props()} {on_retry} {on_new} {on_cancel} {on_follow_up} /> }
    } else {
        let content = match step {
            Step::Kind => html! { <KindStep ..props() /> },
            Step::Where => html! { <TargetsStep ..props() /> },
            Step::Reproduce => html! { <ReproduceStep ..props() /> },
            Step::Impact => html! { <ImpactStep ..props() /> },
            Step::Evidence => html! { <EvidenceStep ..props() /> },
            Step::About => html! { <AboutStep ..props() /> },
            Step::Review => html! { <ReviewStep step={props()} on_send={on_send} /> },
        };
        let back = {
            let s = state.clone();
            move |_| s.dispatch(Action::Back)
        };
        let onsubmit = {
            let s = state.clone();
            move |e: SubmitEvent| {
                e.prevent_default();
                let vector = s.form.cvss.trim().to_string();
                if step == Step::Impact && !vector.is_empty() && s.cvss_of(&vector).is_none() {
                    // Next pressed before the scorer answered for the vector just typed: wait
                    // for its answer, then go on (or show what is wrong with the vector).
                    let s = s.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        let r = crate::scorer::score(&vector).await;
                        s.dispatch(Action::CvssScored(vector, r));
                        s.dispatch(Action::Next);
                    });
                } else if step != Step::Review {
                    s.dispatch(Action::Next);
                }
            }
        };
        html! {
            <>
                <Stepper current={step.index()} {t} />
                <form class="sd-form" novalidate=true {onsubmit} aria-labelledby="sd-step-heading">
                    <h2 id="sd-step-heading" tabindex="-1">{ t.steps[step.index()] }</h2>
                    if let Some(n) = &state.notice { <p class="sd-error" role="alert">{ n }</p> }
                    <ErrorSummary errors={state.errors.clone()} {t} questions={state.questions.clone()} />
                    { content }
                    <Questions step={props()} at={step} />
                    <div class="sd-nav">
                        if step.index() > 0 { <button type="button" class="sd-secondary" id="sd-back" onclick={back}>{ t.back() }</button> }
                        if step.index() + 1 < STEPS.len() { <button type="submit" class="sd-primary" id="sd-next">{ t.next() }</button> }
                    </div>
                </form>
            </>
        }
    };
    let org = if config.org.is_empty() {
        t.default_org().to_string()
    } else {
        config.org.clone()
    };
    let on_lang = {
        let cb = p.on_lang.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some(l) = crate::i18n::lang(&v) {
                cb.emit(l);
            }
        })
    };
    html! {
        <div class="sd-app" ref={root} lang={t.lang.code} dir={if t.lang.rtl { "rtl" } else { "ltr" }}>
            <header>
                <div class="sd-lang">
                    <label for="sd-lang">{ t.lang_label() }</label>
                    <select id="sd-lang" onchange={on_lang}>
                        { for LANGS.iter().map(|l| html! {
                            <option value={l.code} lang={l.code} selected={l.code == t.lang.code}>{ l.name }</option>
                        }) }
                    </select>
                </div>
                <h1>{ t.title() }</h1>
                <p class="sd-intro">{ fill(t.intro_org(), &[("org", &org)]) }</p>
                // The policy from the first step, not discovered by a refused Send.
                if let (Some(url), Delivery::Editing) = (&config.policy_url, &state.delivery) {
                    <p class="sd-policy-first">
                        <a href={url.clone()} target="_blank" rel="noopener noreferrer" id="sd-policy-first">
                            { fill(t.policy_first(), &[("org", &org)]) }
                        </a>
                        { " " }{ t.policy_later() }
                    </p>
                }
                if thread.is_none() && state.delivery == Delivery::Editing && step == Step::Kind {
                    <p class="sd-follow-up">
                        <button type="button" class="sd-link" id="sd-follow-up"
                            onclick={{ let thread = thread.clone(); move |_| thread.set(Some(String::new())) }}>{ t.follow_up() }</button>
                    </p>
                }
            </header>
            { body }
        </div>
    }
}
