//! The app: one reducer, the step being shown, focus management, the leave warning, and the
//! submission state machine (Editing -> Sealing -> Sending{attempt} -> Delivered | Failed).

use std::rc::Rc;

use sealdrop_core::{parse_recipients, seal_to_vec, Config, Report};
use yew::prelude::*;

use super::about::AboutStep;
use super::delivery::{reset_action, DeliveryView};
use super::error_summary::ErrorSummary;
use super::evidence::EvidenceStep;
use super::impact::ImpactStep;
use super::kind::KindStep;
use super::reproduce::ReproduceStep;
use super::review::ReviewStep;
use super::stepper::Stepper;
use super::targets::TargetsStep;
use super::StepProps;
use crate::dom::{focus_selector, now_rfc3339};
use crate::i18n::{fill, strings};
use crate::state::{Action, Delivery, State, Step, STEPS};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub config: Rc<Config>,
}

/// Posts the sealed report, reporting progress through the reducer.
fn deliver(
    state: UseReducerHandle<State>,
    config: Rc<Config>,
    ct: Rc<Vec<u8>>,
    report: Rc<Report>,
) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        let t = strings(&config.lang);
        let digest = sealdrop_core::sha256_hex(&ct);
        let progress = {
            let state = state.clone();
            move |attempt, retry_in| {
                state.dispatch(Action::Delivery(Delivery::Sending {
                    attempt,
                    retry_in,
                    sent: 0.0,
                    total: 0.0,
                }))
            }
        };
        let uploaded = {
            let state = state.clone();
            move |sent, total| state.dispatch(Action::Uploaded { sent, total })
        };
        let outcome = crate::submit::deliver(
            &config.endpoint,
            &report.id,
            &ct,
            &digest,
            t,
            progress,
            uploaded,
        )
        .await;
        state.dispatch(Action::Delivery(match outcome {
            Ok(r) => Delivery::Delivered {
                receipt: r.receipt,
                sha256: r.sha256,
                ciphertext: ct,
                report,
            },
            Err(reason) => Delivery::Failed {
                reason,
                ciphertext: ct,
                report,
            },
        }));
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (state, config, ct, report);
}

#[component]
pub fn App(p: &AppProps) -> Html {
    let config = p.config.clone();
    let t = strings(&config.lang);
    let state = {
        let c = config.clone();
        use_reducer(move || {
            State::new(
                sealdrop_core::new_uuid().unwrap_or_default(),
                c.limits,
                c.policy_url.clone().unwrap_or_default(),
            )
        })
    };
    let root = use_node_ref();

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
                            e.set_return_value(t.leave_warning);
                        }
                    })
                })
            });
            move || drop(listener)
        });
    }

    let on_send = {
        let (state, config) = (state.clone(), config.clone());
        Callback::from(move |()| {
            let report = match state.check(&now_rfc3339()) {
                Ok(r) => Rc::new(r),
                Err(_) => return state.dispatch(Action::Submit),
            };
            state.dispatch(Action::Delivery(Delivery::Sealing));
            let (state, config) = (state.clone(), config.clone());
            let files: Vec<_> = state.form.files.clone();
            // Let the progress screen paint before the (synchronous) sealing.
            gloo_timers::callback::Timeout::new(30, move || {
                let refs: Vec<&[u8]> = files.iter().map(|f| f.bytes.as_slice()).collect();
                let sealed = parse_recipients(&config.recipients)
                    .map_err(|e| {
                        e.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .and_then(|r| seal_to_vec(&r, &report, &refs).map_err(|e| e.to_string()));
                match sealed {
                    Ok(ct) => deliver(state, config, Rc::new(ct), report),
                    Err(e) => {
                        state.dispatch(Action::Delivery(Delivery::Editing));
                        state.dispatch(Action::Notice(Some(fill(
                            strings(&config.lang).seal_failed,
                            &[("e", &e)],
                        ))));
                    }
                }
            })
            .forget();
        })
    };
    let on_retry = {
        let (state, config) = (state.clone(), config.clone());
        Callback::from(move |()| {
            if let Delivery::Failed {
                ciphertext, report, ..
            } = &state.delivery
            {
                deliver(
                    state.clone(),
                    config.clone(),
                    ciphertext.clone(),
                    report.clone(),
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
    };
    let step = state.step;
    let body = if state.delivery != Delivery::Editing {
        html! { <DeliveryView step={props()} {on_retry} {on_new} /> }
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
                if step != Step::Review {
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
                    <ErrorSummary errors={state.errors.clone()} {t} />
                    { content }
                    <div class="sd-nav">
                        if step.index() > 0 { <button type="button" class="sd-secondary" id="sd-back" onclick={back}>{ t.back }</button> }
                        if step.index() + 1 < STEPS.len() { <button type="submit" class="sd-primary" id="sd-next">{ t.next }</button> }
                    </div>
                </form>
            </>
        }
    };
    let org = if config.org.is_empty() {
        t.default_org.to_string()
    } else {
        config.org.clone()
    };
    html! {
        <div class="sd-app" ref={root}>
            <header>
                <h1>{ t.title }</h1>
                <p class="sd-intro">{ fill(t.intro_org, &[("org", &org)]) }</p>
            </header>
            { body }
        </div>
    }
}
