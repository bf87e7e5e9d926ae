//! The step indicator: an ordered list with the current step marked for assistive technology.

use yew::prelude::*;

use crate::i18n::{fill, Strings};
use crate::state::STEPS;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub current: usize,
    pub t: &'static Strings,
}

#[component]
pub fn Stepper(p: &Props) -> Html {
    let total = STEPS.len().to_string();
    let label = fill(
        p.t.step_of(),
        &[("n", &(p.current + 1).to_string()), ("total", &total)],
    );
    html! {
        <nav class="sd-stepper" aria-label={label.clone()}>
            <p class="sd-step-count">{ label }</p>
            <ol>
                { for p.t.steps.iter().enumerate().map(|(i, name)| {
                    let state = if i < p.current { "done" } else if i == p.current { "current" } else { "todo" };
                    html! {
                        <li class={classes!("sd-step", state)} aria-current={(i == p.current).then_some("step")}>
                            <span class="sd-step-dot" aria-hidden="true">{ i + 1 }</span>
                            <span class="sd-step-name">{ *name }</span>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
