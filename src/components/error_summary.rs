//! The summary of a step's errors at its top: a live alert whose links jump to each field.

use sealdrop_core::{FieldError, FieldId, Problem, Question};
use yew::prelude::*;

use crate::i18n::Strings;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub errors: Vec<FieldError>,
    pub t: &'static Strings,
    /// The organization's questions, whose labels name their errors.
    pub questions: std::rc::Rc<Vec<Question>>,
}

/// The element id of the control that edits a field.
pub fn control_id(field: FieldId) -> String {
    match field {
        FieldId::Type => "sd-kind-search".into(),
        FieldId::TypeName => "sd-other-name".into(),
        FieldId::Attachments => "sd-files".into(),
        FieldId::Affected => "sd-affected-0".into(),
        other => format!("sd-{}", other.path().replace('.', "-")),
    }
}

/// A summary entry: what to do about which field ("Enter a title"), where the message beside
/// the field can say only what is wrong with it.
pub fn summary_text(t: &Strings, questions: &[Question], e: &FieldError) -> String {
    let label = match e.field {
        FieldId::Title => t.title_label().to_string(),
        FieldId::Type => t.steps[0].to_string(),
        FieldId::TypeName => t.kind_other_name().to_string(),
        FieldId::Affected => t.where_label().to_string(),
        FieldId::Target(i) => format!("{} {}", t.where_label(), i + 1),
        FieldId::Prerequisites => t.prereq_label().to_string(),
        FieldId::Steps => t.steps_label().to_string(),
        FieldId::Impact => t.impact_label().to_string(),
        FieldId::Cvss => t.cvss_label().to_string(),
        FieldId::ReporterName => t.name_label().to_string(),
        FieldId::ReporterHandle => t.handle_label().to_string(),
        FieldId::ReporterEmail => t.email_label().to_string(),
        FieldId::Attachments => t.steps[4].to_string(),
        FieldId::Policy => t.policy_link_short().to_string(),
        FieldId::Answer(i) => questions
            .get(i)
            .map(|q| q.label.get(t.lang.code).to_string())
            .unwrap_or_default(),
        FieldId::Id | FieldId::CreatedAt => String::new(),
    };
    let what = match (e.field, &e.problem) {
        (FieldId::Title, Problem::Required) => Some(t.do_title()),
        (FieldId::Type, Problem::Required) => Some(t.do_type()),
        (FieldId::TypeName, Problem::Required) => Some(t.do_type_name()),
        (FieldId::Affected, Problem::Required) => Some(t.do_affected()),
        (FieldId::Steps, Problem::Required) => Some(t.do_steps()),
        (FieldId::Impact, Problem::Required) => Some(t.do_impact()),
        (FieldId::Policy, _) => Some(t.do_policy()),
        _ => None,
    };
    match what {
        Some(w) => w.to_string(),
        None if label.is_empty() => t.problem(&e.problem),
        None => format!("{label}: {}", t.problem(&e.problem)),
    }
}

#[component]
pub fn ErrorSummary(p: &Props) -> Html {
    if p.errors.is_empty() {
        return html! { <div role="alert" class="sd-summary-empty"></div> };
    }
    html! {
        <div role="alert" class="sd-summary" tabindex="-1">
            <p class="sd-summary-title">{ p.t.errors_heading() }</p>
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
                    html! { <li><a href={format!("#{id}")} {onclick}>{ summary_text(p.t, &p.questions, e) }</a></li> }
                }) }
            </ul>
        </div>
    }
}
