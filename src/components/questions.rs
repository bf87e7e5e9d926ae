//! The organization's own questions (its `questions` setting), asked in the step each names,
//! with the same label, hint, error and screen-reader wiring as the built-in fields. Labels
//! come in the researcher's language when the organization gave one, else the closest.

use sealdrop_core::{FieldId, Question, QuestionKind};
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::state::{Action, Step};

#[derive(Properties, PartialEq)]
pub struct QuestionsProps {
    pub step: StepProps,
    pub at: Step,
}

/// The text of an answer as the review shows it: a choice's label in the researcher's
/// language, or what was typed.
pub fn shown_answer(q: &Question, given: &str, lang: &str) -> String {
    match q.kind {
        QuestionKind::Choice => given
            .parse::<usize>()
            .ok()
            .and_then(|k| q.choices.get(k))
            .map(|c| c.get(lang).to_string())
            .unwrap_or_default(),
        _ => given.trim().to_string(),
    }
}

#[component]
pub fn Questions(p: &QuestionsProps) -> Html {
    let (s, t) = (&p.step.state, p.step.t);
    let lang = t.lang.code;
    let at = p.at.index();
    html! {
        { for s.questions.iter().enumerate().filter(|(_, q)| q.step == at).map(|(i, q)| {
            let id = format!("sd-answers-{i}");
            let label = q.label.get(lang).to_string();
            let hint = q.hint.as_ref().map(|h| AttrValue::from(h.get(lang).to_string()));
            let optional = (!q.required).then_some(AttrValue::Static(t.optional()));
            let error = s.error(FieldId::Answer(i), t);
            let value = s.form.answers.get(i).cloned().unwrap_or_default();
            let on_input = { let s = s.clone(); Callback::from(move |v: String| s.dispatch(Action::Answer(i, v))) };
            match q.kind {
                QuestionKind::Choice => {
                    let err_id = format!("{id}-error");
                    let hint_id = format!("{id}-hint");
                    let described = match (&hint, &error) {
                        (Some(_), Some(_)) => format!("{hint_id} {err_id}"),
                        (Some(_), None) => hint_id.clone(),
                        (None, Some(_)) => err_id.clone(),
                        (None, None) => String::new(),
                    };
                    html! {
                        <fieldset class={classes!("sd-field", "sd-question", error.as_ref().map(|_| "sd-invalid"))}
                            id={id.clone()} tabindex="-1" aria-invalid={error.as_ref().map(|_| "true")}
                            aria-describedby={(!described.is_empty()).then_some(described)}>
                            <legend>{ label }if let Some(o) = &optional { <span class="sd-optional">{ " " }{ o }</span> }</legend>
                            if let Some(h) = &hint { <p id={hint_id} class="sd-hint">{ h }</p> }
                            if let Some(e) = &error { <p id={err_id} class="sd-error">{ e }</p> }
                            <ul class="sd-choices">
                                { for q.choices.iter().enumerate().map(|(k, c)| {
                                    let cid = format!("{id}-{k}");
                                    let on_input = on_input.clone();
                                    html! {
                                        <li>
                                            <input type="radio" id={cid.clone()} name={id.clone()} value={k.to_string()}
                                                checked={value == k.to_string()}
                                                onchange={move |_| on_input.emit(k.to_string())} />
                                            <label for={cid}>{ c.get(lang).to_string() }</label>
                                        </li>
                                    }
                                }) }
                            </ul>
                        </fieldset>
                    }
                }
                kind => html! {
                    <TextField id={id} label={label} value={value} {hint} {error} {optional}
                        multiline={kind == QuestionKind::Textarea}
                        input_type={if kind == QuestionKind::Url { "url" } else { "text" }}
                        {on_input} />
                },
            }
        }) }
    }
}
