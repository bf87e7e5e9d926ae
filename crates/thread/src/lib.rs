//! The conversation view as a wasm module of its own (docs/conversation.md). The form loads
//! it with a dynamic `import()` when a researcher follows up on a report (the first step's
//! "Follow up" link or the receipt's "Open the conversation"), and mounts it in place of the
//! form with [`mount_thread`]. Everyone else never downloads it: it is 18 KB brotli that the
//! form no longer carries (BENCHMARKS.md section 1).

pub mod view;

use std::rc::Rc;

use sealdrop_core::Config;
use sealdrop_widget::{i18n, sealer};
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use view::ThreadView;

#[derive(Properties, PartialEq)]
struct RootProps {
    config: Rc<Config>,
    t: &'static i18n::Strings,
    initial: String,
    on_close: Callback<()>,
}

#[component]
fn Root(p: &RootProps) -> Html {
    // The worker is this view's own: its bootstrap instantiates the form's module, as the
    // form's worker does.
    let sealer = use_memo((), |()| sealer::Sealer::start());
    let t = p.t;
    html! {
        <ThreadView config={p.config.clone()} {t} sealer={(*sealer).clone()}
            initial={p.initial.clone()} on_close={p.on_close.clone()} />
    }
}

/// The mounted view; the form destroys it when the researcher goes back to the form.
#[wasm_bindgen]
pub struct Mounted(Option<yew::AppHandle<Root>>);

#[wasm_bindgen]
impl Mounted {
    /// Removes the view and everything it holds (the key, the opened messages) from memory.
    pub fn destroy(&mut self) {
        if let Some(h) = self.0.take() {
            h.destroy();
        }
    }
}

/// Mounts the conversation view into `el`. `config` is the form's configuration as JSON (the
/// settings of `sealdrop.json` this view uses, and `lang`: the language the form is in now),
/// `initial` the follow-up key to open at once (from the receipt screen) or empty, `sealer`
/// the sealing worker's script and wasm URLs, `base` the form's folder (where the language
/// catalogues are), `on_close` what "Back to the report form" calls.
///
/// # Errors
/// When the configuration does not parse (the form sends only one it has parsed itself).
#[wasm_bindgen]
pub async fn mount_thread(
    el: web_sys::Element,
    config: String,
    initial: String,
    sealer_urls: Vec<String>,
    base: String,
    on_close: js_sys::Function,
) -> Result<Mounted, JsValue> {
    sealdrop_widget::dom::set_base(base);
    let config = Config::from_json(&config).map_err(|e| {
        let lines: Vec<String> = e.iter().map(ToString::to_string).collect();
        JsValue::from_str(&lines.join("; "))
    })?;
    if let Ok([js, wasm]) = <[String; 2]>::try_from(sealer_urls) {
        sealer::set_urls(js, wasm);
    }
    let on_close = Callback::from(move |()| {
        let _ = on_close.call0(&JsValue::NULL);
    });
    // The form's language: its catalogue is in the browser's cache already.
    let t = i18n::load(i18n::best(&[config.lang.as_str()])).await;
    let props = RootProps {
        t,
        config: Rc::new(config),
        initial,
        on_close,
    };
    Ok(Mounted(Some(
        yew::Renderer::<Root>::with_root_and_props(el, props).render(),
    )))
}
