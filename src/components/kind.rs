//! Step 1: a short title and the kind of vulnerability, from a filterable list with CWE ids.

use sealdrop_core::FieldId;
use sealdrop_core::VulnType;
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::state::{Action, Field, OTHER};

#[component]
pub fn KindStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let set = |f: Field| p.setter(f);
    // ASCII folding is enough for CWE names and ids, and keeps Unicode tables out of the wasm.
    // The filter finds a kind by its id, by its name in this language, or by its English name
    // (the name researchers often know it by).
    let q = s.form.type_query.trim().to_ascii_lowercase();
    let shown: Vec<(&VulnType, &str)> = p
        .config
        .types
        .iter()
        .map(|k| (k, t.kind_name(&k.id, &k.name)))
        .filter(|(k, shown)| {
            q.is_empty()
                || [shown, &k.name.as_str(), &k.id.as_str()]
                    .iter()
                    .any(|s| s.to_ascii_lowercase().contains(&q))
        })
        .collect();
    let radio = |id: String, name: String, label: Html| {
        let checked = s.form.type_id == id;
        let dom_id = format!("sd-kind-{}", id.to_ascii_lowercase());
        let onchange = {
            let (s, id, name) = (s.clone(), id.clone(), name.clone());
            Callback::from(move |_: Event| {
                s.dispatch(Action::ChooseType {
                    id: id.clone(),
                    name: name.clone(),
                })
            })
        };
        html! {
            <li>
                <input type="radio" name="sd-kind" id={dom_id.clone()} value={id} {checked} {onchange} />
                <label for={dom_id}>{ label }</label>
            </li>
        }
    };
    let type_error = s.error(FieldId::Type, t);
    html! {
        <>
            <TextField id="sd-title" label={t.title_label()} value={s.form.title.clone()}
                hint={Some(AttrValue::from(t.title_hint()))}
                error={s.error(FieldId::Title, t)} on_input={set(Field::Title)} />
            <fieldset class={classes!("sd-kinds", type_error.as_ref().map(|_| "sd-invalid"))}
                aria-describedby={type_error.as_ref().map(|_| "sd-kind-error")}>
                <legend>{ t.kind_legend() }</legend>
                if let Some(e) = &type_error { <p id="sd-kind-error" class="sd-error">{ e }</p> }
                <TextField id="sd-kind-search" label={t.kind_search()} value={s.form.type_query.clone()}
                    input_type="search" optional={Some(AttrValue::from(""))} on_input={set(Field::TypeQuery)} />
                <ul class="sd-kind-list">
                    { for shown.iter().map(|(k, name)| radio(k.id.clone(), k.name.clone(), html! {
                        <>{ *name }<span class="sd-cwe">{ &k.id }</span></>
                    })) }
                    { radio(OTHER.into(), String::new(), html! { t.kind_other() }) }
                </ul>
                if shown.is_empty() { <p class="sd-hint" role="status">{ t.kind_none_match() }</p> }
            </fieldset>
            if s.form.type_id == OTHER {
                <TextField id="sd-other-name" label={t.kind_other_name()} value={s.form.other_name.clone()}
                    error={s.error(FieldId::TypeName, t)} on_input={set(Field::OtherName)} />
            }
        </>
    }
}
