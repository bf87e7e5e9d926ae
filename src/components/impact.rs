//! Step 4: the impact, and an optional CVSS vector scored live.

use sealdrop_core::FieldId;
use sealdrop_core::{score_vector, Problem};
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::i18n::fill;
use crate::state::Field;

#[component]
pub fn ImpactStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let set = |f: Field| p.setter(f);
    let v = s.form.cvss.trim();
    let live = (!v.is_empty()).then(|| match score_vector(v) {
        Ok(sc) => fill(
            t.cvss_score(),
            &[("score", &sc.display()), ("rating", t.rating(sc.rating))],
        ),
        Err(e) => t.problem(&Problem::Cvss(e)),
    });
    html! {
        <>
            <TextField id="sd-impact" label={t.impact_label()} value={s.form.impact.clone()} multiline=true
                hint={Some(AttrValue::from(t.impact_hint()))} error={s.error(FieldId::Impact, t)} on_input={set(Field::Impact)} />
            <TextField id="sd-cvss" label={t.cvss_label()} value={s.form.cvss.clone()}
                optional={Some(AttrValue::from(t.optional()))} hint={Some(AttrValue::from(t.cvss_hint()))}
                error={s.error(FieldId::Cvss, t)} status={live} on_input={set(Field::Cvss)} />
        </>
    }
}
