//! The sealdrop widget: a Yew app compiled to WebAssembly that guides a researcher through a
//! vulnerability report, seals it in the browser with the organization's age recipients, and
//! posts only ciphertext. Built by Trunk from `index.html`; `www/sealdrop.js` embeds it.
//!
//! Two ways in: the form page (`index.html`, iframe mode) mounts into `#sealdrop-root` and is
//! configured by `sealdrop.json` on its own origin; inline mode calls [`mount_inline`] with the
//! script tag's `data-*` attributes.

pub mod components;
pub mod dom;
pub mod i18n;
pub mod sealer;
pub mod send;
pub mod state;
pub mod submit;

use std::rc::Rc;

use sealdrop_core::{Config, ConfigError};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use components::app::App;
use components::config_error::ConfigErrorView;

/// The element the form page mounts into.
pub const ROOT_ID: &str = "sealdrop-root";

#[derive(Properties, PartialEq)]
pub struct RootProps {
    pub config: Result<Rc<Config>, Vec<ConfigError>>,
}

/// The form, or the configuration's errors in its place: never a form that could send unsealed.
#[component]
pub fn Root(p: &RootProps) -> Html {
    match &p.config {
        Ok(c) => html! { <App config={c.clone()} /> },
        Err(errors) => {
            html! { <ConfigErrorView errors={errors.clone()} t={i18n::strings("en")} /> }
        }
    }
}

/// Logs to the console. Only configuration problems and sealdrop's own messages come here,
/// never anything the researcher typed.
pub fn console_error(message: &str) {
    web_sys::console::error_1(&JsValue::from_str(message));
}

/// Mounts the widget into `el` with an already-parsed configuration.
pub fn mount(el: web_sys::Element, config: Result<Config, Vec<ConfigError>>) {
    if let Err(errors) = &config {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        console_error(&format!(
            "sealdrop: the configuration is broken, so the form is disabled:\n{}",
            lines.join("\n")
        ));
    }
    if let Ok(c) = &config {
        let _ = el.set_attribute(
            "data-theme",
            match c.theme {
                sealdrop_core::Theme::Auto => "auto",
                sealdrop_core::Theme::Light => "light",
                sealdrop_core::Theme::Dark => "dark",
            },
        );
    }
    yew::Renderer::<Root>::with_root_and_props(
        el,
        RootProps {
            config: config.map(Rc::new),
        },
    )
    .render();
}

/// Inline mode: mounts into `el` (inside the loader's shadow root), configured by the script
/// tag's `data-*` attributes given as an object without the `data-` prefix. `base` is the
/// widget's own URL (the loader's folder): an endpoint given as a path (`/v1/reports`) is on
/// the widget's origin, as in iframe mode, not on the host page's.
/// `sealer` is the sealing worker's script and wasm URLs, as the loader found them in the form
/// page, and `thread` the conversation module's (loaded only when a researcher follows up).
#[cfg(feature = "app")]
#[wasm_bindgen]
pub fn mount_inline(
    el: web_sys::Element,
    attrs: js_sys::Object,
    base: Option<String>,
    sealer: Option<Vec<String>>,
    thread: Option<Vec<String>>,
) {
    for (name, urls) in [("sealer", sealer), ("thread", thread)] {
        if let Some([js, wasm]) = urls.and_then(|v| <[String; 2]>::try_from(v).ok()) {
            dom::set_part_urls(name, js, wasm);
        }
    }
    let mut map = std::collections::BTreeMap::new();
    for entry in js_sys::Object::entries(&attrs).iter() {
        let pair = js_sys::Array::from(&entry);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            map.insert(k, v);
        }
    }
    let config = Config::from_attributes(&map).map(|mut c| {
        if let Some(base) = base.filter(|_| c.endpoint.starts_with('/')) {
            if let Ok(url) = web_sys::Url::new_with_base(&c.endpoint, &base) {
                c.endpoint = url.href();
            }
        }
        c
    });
    mount(el, config);
}

/// Runs when the module loads: on the form page, loads `sealdrop.json` and mounts. Other pages
/// (inline hosts, test pages) have no root element and mount explicitly.
#[cfg(feature = "app")]
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ROOT_ID));
    if let Some(root) = root {
        wasm_bindgen_futures::spawn_local(page::boot(root));
    }
}

#[cfg(feature = "app")]
mod page;

/// The sealing worker's entry point: its bootstrap instantiates this same module (from the
/// browser's cache) inside the worker and calls this.
#[cfg(all(target_arch = "wasm32", feature = "app"))]
#[wasm_bindgen]
pub fn sealer_worker() {
    sealdrop_sealer::serve();
}
