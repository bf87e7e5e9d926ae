//! Step 2: one or more affected URLs or assets, checked as they are typed.

use sealdrop_core::FieldId;
use sealdrop_core::{check_target, Affected, Problem};
use yew::prelude::*;

use super::field::TextField;
use super::StepProps;
use crate::state::Action;

#[component]
pub fn TargetsStep(p: &StepProps) -> Html {
    let (s, t) = (&p.state, p.t);
    let list_id = (!p.config.assets.is_empty()).then_some(AttrValue::Static("sd-assets"));
    let many = s.form.affected.len() > 1;
    html! {
        <>
            if !p.config.assets.is_empty() {
                <datalist id="sd-assets">
                    { for p.config.assets.iter().map(|a| html! { <option value={a.clone()} /> }) }
                </datalist>
            }
            { for s.form.affected.iter().enumerate().map(|(i, v)| {
                let on_input = { let s = s.clone(); Callback::from(move |v| s.dispatch(Action::SetTarget(i, v))) };
                // Live feedback while typing; the blocking error comes with Next.
                let live = match (v.trim().is_empty(), check_target(v)) {
                    (true, _) => None,
                    (false, Ok(Affected::Url(_))) => Some(t.where_ok_url().to_string()),
                    (false, Ok(Affected::Asset(_))) => Some(t.where_ok_asset().to_string()),
                    (false, Err(e)) => Some(t.problem(&Problem::Target(e))),
                };
                let remove = { let s = s.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::RemoveTarget(i))) };
                let label = if many { format!("{} {}", t.where_label(), i + 1) } else { t.where_label().to_string() };
                html! {
                    <div class="sd-target">
                        <TextField id={format!("sd-affected-{i}")} {label} value={v.clone()}
                            hint={(i == 0).then_some(AttrValue::from(t.where_hint()))} input_type="text"
                            dir="auto" list={list_id.clone()}
                            error={s.error(FieldId::Target(i), t).or_else(|| if i == 0 { s.error(FieldId::Affected, t) } else { None })}
                            status={live} {on_input} />
                        if many {
                            <button type="button" class="sd-link" onclick={remove}
                                aria-label={format!("{} {} {}", t.remove(), t.where_label(), i + 1)}>{ t.remove() }</button>
                        }
                    </div>
                }
            }) }
            <button type="button" class="sd-secondary" onclick={{ let s = s.clone(); move |_| s.dispatch(Action::AddTarget) }}>
                { "+ " }{ t.where_add() }
            </button>
        </>
    }
}
