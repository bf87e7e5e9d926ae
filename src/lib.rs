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
pub mod lazy;
pub mod scorer;
pub mod scrub;
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
/// It holds the language: switching it renders the same form, which keeps what was typed.
#[component]
pub fn Root(p: &RootProps) -> Html {
    let t = use_state(i18n::current);
    let on_lang = {
        let t = t.clone();
        Callback::from(move |l: &'static i18n::Lang| {
            let t = t.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let s = i18n::load(l).await;
                i18n::set_current(s);
                page_lang(s.lang);
                t.set(s);
            });
        })
    };
    match &p.config {
        Ok(c) => html! { <App config={c.clone()} t={*t} {on_lang} /> },
        Err(errors) => html! { <ConfigErrorView errors={errors.clone()} t={*t} /> },
    }
}

/// On the form page (iframe mode), the page's own `lang` and `dir` follow the form's, for
/// screen readers and the browser's layout; in inline mode the form's element carries them.
fn page_lang(l: &i18n::Lang) {
    let doc = web_sys::window().and_then(|w| w.document());
    if let Some(doc) = doc.filter(|d| d.get_element_by_id(ROOT_ID).is_some()) {
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", l.code);
            let _ = html.set_attribute("dir", if l.rtl { "rtl" } else { "ltr" });
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
    // The language first (its catalogue fetched if it is not English), then the vendor's
    // questions if they are a URL: the form shows itself complete, in one language.
    wasm_bindgen_futures::spawn_local(async move {
        let lang = i18n::initial(config.as_ref().map_or("", |c| c.lang.as_str()));
        let t = i18n::load(lang).await;
        i18n::set_current(t);
        page_lang(t.lang);
        let config = match config {
            Ok(c) => questions_from_url(c).await,
            Err(e) => Err(e),
        };
        if let Err(errors) = &config {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            console_error(&format!(
                "sealdrop: the configuration is broken, so the form is disabled:\n{}",
                lines.join("\n")
            ));
        }
        let report_lang = config
            .as_ref()
            .ok()
            .map(|c| i18n::best(&[c.report_lang.as_str()]));
        yew::Renderer::<Root>::with_root_and_props(
            el,
            RootProps {
                config: config.map(Rc::new),
            },
        )
        .render();
        // The organization's language for `report.md`, while the researcher types.
        if let Some(l) = report_lang {
            i18n::load(l).await;
        }
    });
}

/// `questions` given as the URL of a JSON file: fetched (without cookies, at most 256 KB) and
/// checked like questions given inline. A file that cannot be had or is wrong disables the
/// form with a message for the site owner, as any broken setting does.
async fn questions_from_url(mut c: Config) -> Result<Config, Vec<ConfigError>> {
    let Some(url) = c.questions_url.clone() else {
        return Ok(c);
    };
    let broken = |message: String| {
        vec![ConfigError {
            setting: "questions".into(),
            message,
        }]
    };
    let text = dom::fetch_text(&dom::asset_url(&url))
        .await
        .map_err(|e| broken(format!("{url} could not be loaded ({e})")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| broken(format!("{url} is not JSON: expected an array of questions")))?;
    c.questions = sealdrop_core::parse_questions(&value).map_err(|errors| {
        errors
            .into_iter()
            .map(|m| ConfigError {
                setting: format!("questions ({url})"),
                message: m,
            })
            .collect::<Vec<_>>()
    })?;
    Ok(c)
}

/// Inline mode: mounts into `el` (inside the loader's shadow root), configured by the script
/// tag's `data-*` attributes given as an object without the `data-` prefix. `base` is the
/// widget's own URL (the loader's folder): an endpoint given as a path (`/v1/reports`) is on
/// the widget's origin, as in iframe mode, not on the host page's.
/// `sealer` is the sealing worker's script and wasm URLs, as the loader found them in the form
/// page, `thread` the conversation module's (loaded only when a researcher follows up) and
/// `scorer` the CVSS scorer's (loaded when a vector is typed) and `scrub` the image metadata
/// scrub's (loaded when an image is attached).
#[cfg(feature = "app")]
#[wasm_bindgen]
pub fn mount_inline(
    el: web_sys::Element,
    attrs: js_sys::Object,
    base: Option<String>,
    sealer: Option<Vec<String>>,
    thread: Option<Vec<String>>,
    scorer: Option<Vec<String>>,
    scrub: Option<Vec<String>>,
) {
    let parts = [
        ("sealer", sealer),
        ("thread", thread),
        ("scorer", scorer),
        ("scrub", scrub),
    ];
    for (name, urls) in parts {
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
    if let Some(b) = &base {
        dom::set_base(b.clone());
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
