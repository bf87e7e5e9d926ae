//! Step 3: how to reproduce, and optional prerequisites.

use sealdrop_core::FieldId;
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::state::Field;

#[component]
pub fn ReproduceStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let set = |f: Field| p.setter(f);
    html! {
        <>
            <TextField id="sd-steps" label={t.steps_label()} value={s.form.steps.clone()} multiline=true
                placeholder={Some(AttrValue::from(t.steps_placeholder()))} error={s.error(FieldId::Steps, t)}
                on_input={set(Field::Steps)} />
            <TextField id="sd-prerequisites" label={t.prereq_label()} value={s.form.prerequisites.clone()}
                multiline=true optional={Some(AttrValue::from(t.optional()))} hint={Some(AttrValue::from(t.prereq_hint()))}
                error={s.error(FieldId::Prerequisites, t)} on_input={set(Field::Prerequisites)} />
        </>
    }
}
