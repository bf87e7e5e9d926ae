//! Shown in place of the form when the vendor's configuration is broken: nothing can be sent.

use sealdrop_core::ConfigError;
use yew::prelude::*;

use crate::i18n::Strings;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub errors: Vec<ConfigError>,
    pub t: &'static Strings,
}

#[component]
pub fn ConfigErrorView(p: &Props) -> Html {
    html! {
        <div class="sd-app sd-config-error" role="alert">
            <h2>{ p.t.config_broken() }</h2>
            <p>{ p.t.config_fix() }</p>
            <ul>
                { for p.errors.iter().map(|e| html! { <li><code>{ &e.setting }</code>{ ": " }{ &e.message }</li> }) }
            </ul>
        </div>
    }
}
