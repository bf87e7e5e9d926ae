//! Where the conversation view goes. It is a wasm module of its own (crates/thread), loaded
//! with a dynamic `import()` only when a researcher follows up, so the form everyone else
//! downloads does not carry it. The module mounts its own view into this component's element
//! and is destroyed, with the key and messages it holds, when the researcher goes back.

use std::cell::RefCell;
use std::rc::Rc;

use sealdrop_core::Config;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::i18n::Strings;

#[wasm_bindgen(
    inline_js = "export async function open_thread(js, wasm, el, config, key, sealer, close) {
  const m = await import(js);
  await m.default({ module_or_path: wasm });
  return m.mount_thread(el, config, key, sealer, close);
}
export function destroy(h) { h.destroy(); }"
)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn open_thread(
        js: &str,
        wasm: &str,
        el: &web_sys::Element,
        config: &str,
        key: &str,
        sealer: Vec<String>,
        close: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;
    fn destroy(handle: &JsValue);
}

/// The settings of the configuration the conversation view uses, as `sealdrop.json` writes
/// them (the module parses them again with the same code).
pub fn config_json(c: &Config) -> String {
    let mut o = serde_json::Map::new();
    o.insert("recipients".into(), c.recipients.clone().into());
    o.insert("endpoint".into(), c.endpoint.clone().into());
    if !c.org.is_empty() {
        o.insert("org".into(), c.org.clone().into());
    }
    if let Some(d) = c.response_days {
        o.insert("response_days".into(), d.into());
    }
    o.insert(
        "max_attachments".into(),
        (c.limits.max_attachments as u64).into(),
    );
    o.insert(
        "max_attachment_bytes".into(),
        c.limits.max_attachment_bytes.into(),
    );
    o.insert("lang".into(), c.lang.clone().into());
    serde_json::Value::Object(o).to_string()
}

#[derive(Properties, PartialEq)]
pub struct ThreadHostProps {
    pub config: Rc<Config>,
    pub t: &'static Strings,
    /// The key to open at once (from the receipt screen), or empty.
    pub initial: String,
    pub on_close: Callback<()>,
}

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Loading,
    Shown,
    Failed,
}

#[component]
pub fn ThreadHost(p: &ThreadHostProps) -> Html {
    let t = p.t;
    let host = use_node_ref();
    let load = use_state(|| Load::Loading);
    {
        let (host, load, config, key, on_close) = (
            host.clone(),
            load.clone(),
            p.config.clone(),
            p.initial.clone(),
            p.on_close.clone(),
        );
        use_effect_with((), move |()| {
            // The mounted view, and whether this component is gone (a slow load may finish
            // after the researcher left): then the view is destroyed as soon as it exists.
            let state: Rc<RefCell<(Option<JsValue>, bool)>> = Rc::default();
            let s = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let (Some(el), Some((js, wasm))) = (
                    host.cast::<web_sys::Element>(),
                    crate::dom::part_urls("thread"),
                ) else {
                    return load.set(Load::Failed);
                };
                let sealer = crate::dom::part_urls("sealer")
                    .map(|(a, b)| vec![a, b])
                    .unwrap_or_default();
                // Called from inside the view's own click handler: leave it first, then
                // unmount (which destroys the view).
                let close = Closure::<dyn Fn()>::new(move || {
                    let on_close = on_close.clone();
                    wasm_bindgen_futures::spawn_local(async move { on_close.emit(()) });
                });
                let result = open_thread(
                    &js,
                    &wasm,
                    &el,
                    &config_json(&config),
                    &key,
                    sealer,
                    close.as_ref().unchecked_ref(),
                )
                .await;
                close.forget();
                match result {
                    Ok(handle) if s.borrow().1 => destroy(&handle),
                    Ok(handle) => {
                        s.borrow_mut().0 = Some(handle);
                        load.set(Load::Shown);
                    }
                    Err(e) => {
                        crate::console_error(&format!(
                            "sealdrop: the conversation module could not load: {}",
                            e.as_string()
                                .or_else(|| js_sys::Error::from(e).message().as_string())
                                .unwrap_or_default()
                        ));
                        load.set(Load::Failed);
                    }
                }
            });
            move || {
                let mut s = state.borrow_mut();
                s.1 = true;
                if let Some(h) = s.0.take() {
                    destroy(&h);
                }
            }
        });
    }
    let close = {
        let cb = p.on_close.clone();
        move |_| cb.emit(())
    };
    html! {
        <>
            if *load == Load::Loading { <p role="status" id="sd-thread-loading">{ t.thread_loading }</p> }
            if *load == Load::Failed {
                <section class="sd-thread">
                    <p class="sd-error" role="alert" id="sd-thread-unavailable">{ t.thread_unavailable }</p>
                    <div class="sd-actions">
                        <button type="button" class="sd-secondary" id="sd-thread-close" onclick={close}>{ t.thread_close }</button>
                    </div>
                </section>
            }
            <div class="sd-thread-host" ref={host}></div>
        </>
    }
}
