//! The sealdrop widget: a Yew app compiled to WebAssembly that guides a researcher through a
//! vulnerability report, seals it in the browser with the organization's age recipients, and
//! posts only ciphertext. Built by Trunk from `index.html`; see the README to embed it.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The element the form page mounts into.
pub const ROOT_ID: &str = "sealdrop-root";

#[component]
pub fn App() -> Html {
    html! {
        <main class="sd-app">
            <h1>{ "Report a vulnerability" }</h1>
        </main>
    }
}

/// Runs when the module loads: mounts the app if the page has a root element. Test pages have
/// none, so tests mount what they need themselves.
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ROOT_ID));
    if let Some(root) = root {
        yew::Renderer::<App>::with_root(root).render();
    }
}
