//! The form page (iframe mode): configuration from `sealdrop.json` on this origin, presentation
//! from the loader's query string, and the page's height sent to the host page.

use sealdrop_core::{check_recipients, Config, ConfigError, Theme};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

async fn load_config() -> Result<Config, Vec<ConfigError>> {
    let broken = |message: String| {
        vec![ConfigError {
            setting: "sealdrop.json".into(),
            message,
        }]
    };
    let text = crate::dom::fetch_text("sealdrop.json").await.map_err(|e| {
        broken(format!(
            "could not be loaded from this origin ({e}): serve it next to the form page"
        ))
    })?;
    let mut config = Config::from_json(&text)?;
    // Presentational settings from the host page's script tag.
    if let Some(theme) = param("theme") {
        config.theme = match theme.as_str() {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        };
    }
    if let Some(lang) = param("lang") {
        config.lang = lang;
    }
    // A host page may repeat the recipients (documentation, habit); if they differ from this
    // origin's, someone changed one of them: refuse rather than guess which is right.
    if let Some(host) = param("recipients") {
        let list: Vec<&str> = host.split_whitespace().collect();
        let same = check_recipients(&list).map(|r| {
            let mut a = r;
            let mut b = config.recipients.clone();
            a.sort();
            b.sort();
            a == b
        });
        if same != Ok(true) {
            return Err(vec![ConfigError {
                setting: "data-recipients".into(),
                message: "on the host page differ from the recipients in sealdrop.json on the widget's origin, which are the ones used: remove data-recipients from the script tag, or make them equal".into(),
            }]);
        }
    }
    Ok(config)
}

/// Sends the page's height to the host page whenever it changes.
fn report_height(root: &web_sys::Element, parent_origin: String) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let body = root.clone();
    let target = root.clone();
    let callback = Closure::<dyn Fn()>::new(move || {
        // The root's own height: the document's would never shrink below the iframe's.
        let height = f64::from(target.scroll_height() + 32);
        if let Ok(Some(parent)) = window.parent() {
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &"sealdrop:height".into());
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &height.into());
            let _ = parent.post_message(&msg, &parent_origin);
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    callback.forget();
}

fn style_param(root: &web_sys::Element, param_name: &str, var: &str) {
    // Only values that cannot break out of a declaration: colours, lengths, font names.
    if let Some(v) = param(param_name).filter(|v| {
        v.len() < 100
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || " #(),.%-'".contains(c))
    }) {
        if let Some(el) = root.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.style().set_property(var, &v);
        }
    }
}

pub async fn boot(root: web_sys::Element) {
    if let Some(origin) = param("parent") {
        report_height(&root, origin);
    }
    style_param(&root, "brand", "--sealdrop-brand");
    style_param(&root, "font", "--sealdrop-font");
    style_param(&root, "radius", "--sealdrop-radius");
    let config = load_config().await;
    crate::mount(root, config);
}
