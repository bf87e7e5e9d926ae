//! Step 6: who you are, all optional, and how to be credited.

use sealdrop_core::Credit;
use sealdrop_core::FieldId;
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::state::{Action, Field};

#[component]
pub fn AboutStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let set = |f: Field| p.setter(f);
    let opt = Some(AttrValue::from(t.optional()));
    let credit = |c: Credit, id: &'static str, label: &'static str| {
        let onchange = {
            let s = s.clone();
            Callback::from(move |_: Event| s.dispatch(Action::SetCredit(c)))
        };
        html! {
            <li>
                <input type="radio" name="sd-credit" {id} checked={s.form.credit == c} {onchange} />
                <label for={id}>{ label }</label>
            </li>
        }
    };
    html! {
        <>
            <p class="sd-note">{ t.about_note() }</p>
            <TextField id="sd-reporter-name" label={t.name_label()} value={s.form.name.clone()} optional={opt.clone()} error={s.error(FieldId::ReporterName, t)} on_input={set(Field::Name)} />
            <TextField id="sd-reporter-handle" label={t.handle_label()} value={s.form.handle.clone()} optional={opt.clone()} error={s.error(FieldId::ReporterHandle, t)} on_input={set(Field::Handle)} />
            <TextField id="sd-reporter-email" label={t.email_label()} value={s.form.email.clone()} optional={opt}
                input_type="email" hint={Some(AttrValue::from(t.email_hint()))}
                error={s.error(FieldId::ReporterEmail, t)} on_input={set(Field::Email)} />
            <fieldset class="sd-credit">
                <legend>{ t.credit_legend() }</legend>
                <ul>
                    { credit(Credit::Name, "sd-credit-name", t.credit_name()) }
                    { credit(Credit::Handle, "sd-credit-handle", t.credit_handle()) }
                    { credit(Credit::Anonymous, "sd-credit-anonymous", t.credit_anonymous()) }
                </ul>
            </fieldset>
        </>
    }
}
