//! A labelled text input or textarea with its hint and error, wired for screen readers:
//! `aria-invalid`, and `aria-describedby` naming the hint and the error. Every field has
//! `spellcheck="false"` (browsers' enhanced spell-check sends text to a third party) and
//! `autocomplete="off"` (autofill would keep what was typed in browser storage).

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub optional: Option<AttrValue>,
    #[prop_or_default]
    pub multiline: bool,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// The text's direction where it is not the form's: `ltr` for what is always written
    /// left to right (a CVSS vector), `auto` where either may come (a URL or an asset's name).
    /// `url` and `email` inputs are `ltr` without it.
    #[prop_or_default]
    pub dir: Option<AttrValue>,
    pub on_input: Callback<String>,
    /// Extra, live feedback under the field (e.g. a CVSS score), announced politely.
    #[prop_or_default]
    pub status: Option<String>,
}

#[component]
pub fn TextField(p: &Props) -> Html {
    let hint_id = format!("{}-hint", p.id);
    let err_id = format!("{}-error", p.id);
    let status_id = format!("{}-status", p.id);
    let mut described = Vec::new();
    if p.hint.is_some() {
        described.push(hint_id.clone());
    }
    if p.status.is_some() {
        described.push(status_id.clone());
    }
    if p.error.is_some() {
        described.push(err_id.clone());
    }
    let described = (!described.is_empty()).then(|| described.join(" "));
    let invalid = p.error.as_ref().map(|_| "true");
    // In a right-to-left form, "https://a.example/x" typed into an rtl input shows as
    // "a.example/x//:https" until it is complete; these are always left to right.
    let dir = p.dir.clone().or_else(|| {
        matches!(p.input_type.as_str(), "url" | "email").then_some(AttrValue::Static("ltr"))
    });
    let on_input = p.on_input.clone();
    let control = if p.multiline {
        let oninput = Callback::from(move |e: InputEvent| {
            on_input.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        });
        html! {
            <textarea id={p.id.clone()} rows="6" value={p.value.clone()} {oninput}
                placeholder={p.placeholder.clone()} aria-invalid={invalid}
                aria-describedby={described} required={p.optional.is_none()}
                spellcheck="false" autocomplete="off" />
        }
    } else {
        let oninput = Callback::from(move |e: InputEvent| {
            on_input.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        html! {
            <input id={p.id.clone()} type={p.input_type.clone()} value={p.value.clone()} {oninput} {dir}
                placeholder={p.placeholder.clone()} aria-invalid={invalid} list={p.list.clone()}
                aria-describedby={described} autocomplete="off"
                required={p.optional.is_none()} spellcheck="false" />
        }
    };
    html! {
        <div class={classes!("sd-field", p.error.as_ref().map(|_| "sd-invalid"))}>
            <label for={p.id.clone()}>
                { &p.label }
                if let Some(o) = &p.optional { <span class="sd-optional">{ " " }{ o }</span> }
            </label>
            if let Some(h) = &p.hint { <p id={hint_id} class="sd-hint">{ h }</p> }
            // Every error in the same place: after the label and hint, above its control.
            if let Some(e) = &p.error { <p id={err_id} class="sd-error">{ e }</p> }
            { control }
            if let Some(s) = &p.status { <p id={status_id} class="sd-status" aria-live="polite">{ s }</p> }
        </div>
    }
}
