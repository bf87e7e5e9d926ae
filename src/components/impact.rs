//! Step 4: the impact, and an optional CVSS vector scored live by the scorer module
//! (`crate::scorer`), loaded when the first vector is typed.

use sealdrop_core::{FieldId, Problem};
use yew::prelude::*;

use super::cvss_calc::CvssCalculator;
use super::field::TextField;
use super::StepProps;
use crate::i18n::fill;
use crate::state::{Action, Field};

#[component]
pub fn ImpactStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let set = |f: Field| p.setter(f);
    let v = s.form.cvss.trim().to_string();
    // Each vector typed is scored once; an answer for an older vector is kept but not shown.
    {
        let state = s.clone();
        use_effect_with(v.clone(), move |v| {
            if !v.is_empty() && state.cvss_of(v).is_none() {
                let v = v.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let r = crate::scorer::score(&v).await;
                    state.dispatch(Action::CvssScored(v, r));
                });
            }
        });
    }
    let live = s.cvss_of(&v).filter(|_| !v.is_empty()).map(|r| match r {
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
            <TextField id="sd-cvss" label={t.cvss_label()} value={s.form.cvss.clone()} dir="ltr"
                optional={Some(AttrValue::from(t.optional()))} hint={Some(AttrValue::from(t.cvss_hint()))}
                error={s.error(FieldId::Cvss, t)} status={live} on_input={set(Field::Cvss)} />
            <CvssCalculator {t} vector={s.form.cvss.clone()} on_vector={set(Field::Cvss)} />
        </>
    }
}
