//! The summary of a step's errors at its top: a live alert whose links jump to each field.

use sealdrop_core::{FieldError, FieldId};
use yew::prelude::*;

use crate::i18n::Strings;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub errors: Vec<FieldError>,
    pub t: &'static Strings,
}

/// The element id of the control that edits a field.
pub fn control_id(field: FieldId) -> String {
    match field {
        FieldId::Type => "sd-kind-search".into(),
        FieldId::TypeName => "sd-other-name".into(),
        FieldId::Attachments => "sd-files".into(),
        other => format!("sd-{}", other.path().replace('.', "-")),
    }
}

#[component]
pub fn ErrorSummary(p: &Props) -> Html {
    if p.errors.is_empty() {
        return html! { <div role="alert" class="sd-summary-empty"></div> };
    }
    html! {
        <div role="alert" class="sd-summary" tabindex="-1">
            <p class="sd-summary-title">{ p.t.errors_heading }</p>
            <ul>
                { for p.errors.iter().map(|e| {
                    let id = control_id(e.field);
                    // Fragment links would move the host page in inline mode: focus directly.
                    let onclick = {
                        let id = id.clone();
                        Callback::from(move |ev: MouseEvent| {
                            ev.prevent_default();
                            if let Some(t) = ev.target_dyn_into::<web_sys::Element>() {
                                crate::dom::focus_by_id(&t, &id);
                            }
                        })
                    };
                    html! { <li><a href={format!("#{id}")} {onclick}>{ e.problem.message() }</a></li> }
                }) }
            </ul>
        </div>
    }
}
