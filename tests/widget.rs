//! The widget in headless Chromium, driven through DOM events like a keyboard user: each step's
//! validation messages and focus, a delivery whose body is ciphertext holding none of the typed
//! text, retries, the researcher keeping the sealed report when delivery fails, configuration
//! errors in place of the form, and both mount paths.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use gloo_timers::future::TimeoutFuture;
use sealdrop_core::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function install_fetch(statuses) {
  // Delivery goes by XMLHttpRequest (for upload progress): a stand-in that records each request
  // and answers with the next queued status (0: a network failure).
  window.__sd = { requests: [], queue: Array.from(statuses), progress: 0 };
  class FakeXHR extends EventTarget {
    constructor() { super(); this.upload = new EventTarget(); this.upload.onprogress = null; this.onprogress = null;
      this.status = 0; this.responseText = ""; this._headers = {}; this._resp = {}; }
    open(method, url) { this._method = method; this._url = new URL(url, location.href).href; }
    setRequestHeader(k, v) { this._headers[k.toLowerCase()] = v; }
    getResponseHeader(k) { return this._resp[k.toLowerCase()] ?? null; }
    abort() { this.dispatchEvent(new Event("abort")); this.dispatchEvent(new Event("loadend")); }
    async send(view) {
      // The sealed report arrives as a Blob, as the worker made it.
      const body = view instanceof Blob ? new Uint8Array(await view.arrayBuffer()) : new Uint8Array(view);
      window.__sd.requests.push({ url: this._url, method: this._method, key: this._headers["idempotency-key"],
        type: this._headers["content-type"], body });
      const status = window.__sd.queue.length ? window.__sd.queue.shift() : 201;
      setTimeout(async () => {
        if (this.upload.onprogress) {
          window.__sd.progress++;
          this.upload.onprogress(new ProgressEvent("progress", { lengthComputable: true, loaded: body.length, total: body.length }));
        }
        if (status === 0) { this.dispatchEvent(new Event("error")); this.dispatchEvent(new Event("loadend")); return; }
        this.status = status;
        if (status === 201) {
          const d = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
          const sha256 = Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
          this.responseText = JSON.stringify({ receipt: "rcpt-test-1", sha256, received_at: "now" });
        } else {
          if (status === 429) this._resp["retry-after"] = "1";
          this.responseText = JSON.stringify({ error: "refused " + status, code: "test" });
        }
        this.dispatchEvent(new Event("load"));
        this.dispatchEvent(new Event("loadend"));
      }, 0);
    }
  }
  window.XMLHttpRequest = FakeXHR;
}
export function install_worker() {
  // A stand-in for the sealing worker (crates/sealer, tested in its own browser tests and end
  // to end) that speaks its protocol: digests are real (SubtleCrypto); a seal answers with a
  // random stand-in that starts like an age file, and the request is kept for inspection.
  const hex = (d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
  window.__sw = { seals: [], inits: 0 };
  class FakeWorker {
    constructor(url) { this.url = url; this.onmessage = null; this.onerror = null; }
    reply(d) { setTimeout(() => this.onmessage && this.onmessage({ data: d }), 0); }
    postMessage(m) {
      if (m.op === "init") { window.__sw.inits++; this.reply({ op: "ready" }); return; }
      if (m.op === "digest") {
        m.file.arrayBuffer().then((b) => crypto.subtle.digest("SHA-256", b)).then((d) => {
          this.reply({ op: "progress", job: m.job, done: m.file.size, total: m.file.size });
          this.reply({ op: "digest", job: m.job, sha256: hex(d) });
        });
        return;
      }
      if (m.op === "seal") {
        window.__sw.seals.push(m);
        const body = new Uint8Array(4096);
        crypto.getRandomValues(body);
        body.set(new TextEncoder().encode("age-encryption.org/v1\n"));
        crypto.subtle.digest("SHA-256", body).then((d) => {
          this.reply({ op: "progress", job: m.job, done: 1, total: 1 });
          this.reply({ op: "sealed", job: m.job, blob: new Blob([body]), sha256: hex(d), size: body.length });
        });
      }
    }
    terminate() {}
  }
  window.Worker = FakeWorker;
}
export function seal_count() { return window.__sw.seals.length; }
export function last_seal_json() { const m = window.__sw.seals.at(-1); return m.json; }
export function last_seal_attachments() { return JSON.stringify(window.__sw.seals.at(-1).attachments); }
export function last_seal_file_names() { return window.__sw.seals.at(-1).files.map((f) => f.name).join(","); }
export function attach(input, name, text) { attach_as(input, name, text, "text/plain"); }
export function attach_as(input, name, text, type) {
  const dt = new DataTransfer();
  dt.items.add(new File([text], name, { type }));
  input.files = dt.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
}
// A drop or a paste onto `el`, carrying a file, or text only: whether the form took it (its
// default action prevented).
function transfer(name, text) {
  const dt = new DataTransfer();
  if (name) dt.items.add(new File([text], name, { type: name.endsWith(".png") ? "image/png" : "text/plain" }));
  else dt.setData("text/plain", text);
  return dt;
}
export function drag_over(el, name) {
  const e = new DragEvent("dragover", { dataTransfer: transfer(name, "x"), bubbles: true, cancelable: true });
  el.dispatchEvent(e);
  return e.defaultPrevented;
}
export function drop_on(el, name, text) {
  const e = new DragEvent("drop", { dataTransfer: transfer(name, text), bubbles: true, cancelable: true });
  el.dispatchEvent(e);
  return e.defaultPrevented;
}
export function paste_on(el, name, text) {
  const e = new ClipboardEvent("paste", { clipboardData: transfer(name, text), bubbles: true, cancelable: true });
  el.dispatchEvent(e);
  return e.defaultPrevented;
}
export function progress_events() { return window.__sd.progress; }
export function request_count() { return window.__sd.requests.length; }
export function request_body(i) { return window.__sd.requests[i].body; }
export function request_key(i) { return window.__sd.requests[i].key; }
export function request_type(i) { return window.__sd.requests[i].type; }
export function request_url(i) { return window.__sd.requests[i].url; }
"#)]
extern "C" {
    fn install_fetch(statuses: Vec<u32>);
    fn request_count() -> u32;
    fn request_body(i: u32) -> Vec<u8>;
    fn request_key(i: u32) -> String;
    fn request_type(i: u32) -> String;
    fn request_url(i: u32) -> String;
    fn progress_events() -> u32;
    fn install_worker();
    fn seal_count() -> u32;
    fn last_seal_json() -> String;
    fn last_seal_attachments() -> String;
    fn last_seal_file_names() -> String;
    fn attach(input: &Element, name: &str, text: &str);
    fn attach_as(input: &Element, name: &str, text: &str, media_type: &str);
    fn drag_over(el: &Element, name: &str) -> bool;
    fn drop_on(el: &Element, name: &str, text: &str) -> bool;
    fn paste_on(el: &Element, name: &str, text: &str) -> bool;
}

/// The attachment `fill_all` adds, and its SHA-256.
const FILE_TEXT: &str = "SENTINEL-FILE-5a5a proof of concept";
/// `printf %s "$FILE_TEXT" | sha256sum`
const FILE_SHA256: &str = "b58e965874ba953f736a97e846a34244788ef7421d4eb9273e41b1f34f1f7934";

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn new_root() -> Element {
    install_worker();
    sealdrop_widget::sealer::set_urls(
        "https://reports.example/sealdrop-sealer.js".into(),
        "https://reports.example/sealdrop-sealer_bg.wasm".into(),
    );
    let el = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&el).unwrap();
    el
}

async fn tick() {
    TimeoutFuture::new(20).await;
}

fn q(root: &Element, sel: &str) -> Element {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("{sel} not found"))
}

fn has(root: &Element, sel: &str) -> bool {
    root.query_selector(sel).unwrap().is_some()
}

fn text(root: &Element) -> String {
    root.text_content().unwrap_or_default()
}

async fn type_into(root: &Element, sel: &str, value: &str) {
    let el = q(root, sel);
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        t.set_value(value);
    }
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
    tick().await;
}

async fn click(root: &Element, sel: &str) {
    q(root, sel).dyn_into::<HtmlElement>().unwrap().click();
    tick().await;
}

fn focused_id() -> String {
    doc().active_element().map(|e| e.id()).unwrap_or_default()
}

fn config(extra: serde_json::Value) -> Config {
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let mut v = serde_json::json!({"recipients": [recipient], "endpoint": "https://reports.example/v1/reports", "org": "Example Corp",
        "contact_email": "security@example.com", "subject_tag": "[SECURITY]"});
    if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    Config::from_json(&v.to_string()).unwrap()
}

const SECRETS: [&str; 4] = [
    "SENTINEL-TITLE-7f3a",
    "SENTINEL-URL-91bc",
    "SENTINEL-STEPS-22de",
    "SENTINEL-IMPACT-4410",
];

/// Every text field on screen keeps its text away from spell-check services and autofill.
fn assert_fields_private(root: &Element) {
    let fields = root
        .query_selector_all(
            "textarea, input:not([type=radio]):not([type=checkbox]):not([type=file])",
        )
        .unwrap();
    assert!(fields.length() > 0);
    for i in 0..fields.length() {
        let f = fields.item(i).unwrap().dyn_into::<Element>().unwrap();
        assert_eq!(
            f.get_attribute("spellcheck").as_deref(),
            Some("false"),
            "{}",
            f.id()
        );
        if f.id() != "sd-armored" {
            assert_eq!(
                f.get_attribute("autocomplete").as_deref(),
                Some("off"),
                "{}",
                f.id()
            );
        }
    }
}

/// Fills every step correctly and arrives at the review, checking each step's fields are
/// private.
async fn fill_all(root: &Element) {
    to_evidence(root).await;
    attach(&q(root, "#sd-files"), "poc.txt", FILE_TEXT);
    wait_for(root, "code.sd-file-digest", 5_000).await;
    click(root, "#sd-next").await;
    assert_fields_private(root);
    click(root, "#sd-next").await;
    assert!(has(root, "#sd-send"), "review not reached: {}", text(root));
}

/// Fills the steps before the evidence step correctly and arrives at it.
async fn to_evidence(root: &Element) {
    assert_fields_private(root);
    type_into(root, "#sd-title", SECRETS[0]).await;
    click(root, "#sd-kind-cwe-79").await;
    click(root, "#sd-next").await;
    assert!(
        has(root, "#sd-affected-0"),
        "Where step not shown: {}",
        text(root)
    );
    type_into(
        root,
        "#sd-affected-0",
        &format!("https://app.example.com/{}", SECRETS[1]),
    )
    .await;
    click(root, "#sd-next").await;
    assert_fields_private(root);
    type_into(root, "#sd-steps", SECRETS[2]).await;
    click(root, "#sd-next").await;
    assert_fields_private(root);
    type_into(root, "#sd-impact", SECRETS[3]).await;
    type_into(
        root,
        "#sd-cvss",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    )
    .await;
    // The test page has no scorer module to import (the e2e tests score for real): the form
    // says so where the score would be, and these tests' core scores the vector itself.
    wait_for(root, "#sd-cvss-status", 2_000).await;
    assert!(
        text(&q(root, "#sd-cvss-status")).contains("could not be computed in this browser"),
        "{}",
        text(root)
    );
    click(root, "#sd-next").await;
    assert!(
        has(root, "#sd-files"),
        "evidence step not shown: {}",
        text(root)
    );
}

async fn wait_for(root: &Element, sel: &str, max_ms: u32) {
    let mut waited = 0;
    while !has(root, sel) && waited < max_ms {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    assert!(
        has(root, sel),
        "{sel} did not appear within {max_ms} ms: {}",
        text(root)
    );
}

#[wasm_bindgen_test]
async fn next_shows_errors_announced_and_focused() {
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    click(&root, "#sd-next").await;
    let summary = q(&root, ".sd-summary");
    assert_eq!(summary.get_attribute("role").as_deref(), Some("alert"));
    // Each summary entry says what to do about which field and links to it; the message
    // beside the field says what is wrong, above the field.
    let entries: Vec<(String, String)> = {
        let links = summary.query_selector_all("a").unwrap();
        (0..links.length())
            .map(|i| {
                let a = links.item(i).unwrap().dyn_into::<Element>().unwrap();
                (text(&a), a.get_attribute("href").unwrap())
            })
            .collect()
    };
    assert_eq!(
        entries,
        [
            ("Enter a title".to_string(), "#sd-title".to_string()),
            (
                "Choose the kind of vulnerability".to_string(),
                "#sd-kind-search".to_string()
            )
        ]
    );
    let title_error = q(&root, "#sd-title-error");
    assert!(text(&title_error).contains("This is required"));
    assert_eq!(
        title_error
            .next_element_sibling()
            .map(|e| e.id())
            .as_deref(),
        Some("sd-title"),
        "the error stands right above its field"
    );
    let kind_error = q(&root, "#sd-kind-error");
    assert_eq!(
        kind_error
            .previous_element_sibling()
            .map(|e| e.tag_name().to_lowercase())
            .as_deref(),
        Some("legend"),
        "the kind's error is under its question, not under the filter box"
    );
    assert_eq!(
        q(&root, "#sd-title")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(q(&root, "#sd-title")
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("sd-title-error"));
    // Focus moved to the first invalid field.
    assert_eq!(focused_id(), "sd-title");
    // Fixing the fields clears the errors; the step advances.
    type_into(&root, "#sd-title", "A title").await;
    click(&root, "#sd-kind-cwe-89").await;
    click(&root, "#sd-next").await;
    assert!(has(&root, "#sd-affected-0"));
    // A URL with credentials is refused with its own message.
    type_into(&root, "#sd-affected-0", "https://admin:pw@example.com/").await;
    assert!(
        text(&root).contains("Remove the user name and password"),
        "live check missing"
    );
    click(&root, "#sd-next").await;
    assert_eq!(focused_id(), "sd-affected-0");
    // Back keeps what was typed.
    click(&root, "#sd-back").await;
    assert_eq!(
        q(&root, "#sd-title")
            .dyn_into::<HtmlInputElement>()
            .unwrap()
            .value(),
        "A title"
    );
}

#[wasm_bindgen_test]
async fn filters_kinds_and_requires_a_name_for_other() {
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    type_into(&root, "#sd-kind-search", "inject").await;
    assert!(has(&root, "#sd-kind-cwe-89") && !has(&root, "#sd-kind-cwe-79"));
    type_into(&root, "#sd-title", "t").await;
    click(&root, "#sd-kind-other").await;
    click(&root, "#sd-next").await;
    assert_eq!(focused_id(), "sd-other-name");
}

#[wasm_bindgen_test]
async fn delivers_only_ciphertext_with_the_idempotency_key() {
    install_fetch(vec![503, 429, 201]);
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    fill_all(&root).await;
    let review = text(&root);
    assert!(
        review.contains(SECRETS[0]) && review.contains("Example Corp") && review.contains("age1")
    );
    assert!(
        review.contains(FILE_SHA256),
        "the review lists the attachment's digest"
    );
    // The fingerprint explains itself, and the whole key is there on request.
    assert!(text(&q(&root, "#sd-fingerprint-note")).contains("security.txt"));
    let whole = text(&q(&root, ".sd-keys details code"));
    assert!(whole.starts_with("age1") && whole.len() == 62, "{whole}");
    click(&root, "#sd-send").await;
    wait_for(&root, "#sd-receipt", 10_000).await;
    assert_eq!(text(&q(&root, "#sd-receipt")), "rcpt-test-1");
    // The worker got the File itself and the bundle's parts: the report as JSON, the
    // attachment's path, size and the digest computed when it was attached.
    assert_eq!(seal_count(), 1, "sealed once, whatever the retries");
    assert_eq!(last_seal_file_names(), "poc.txt");
    assert_eq!(
        last_seal_attachments(),
        format!(
            r#"[["attachments/poc.txt",{},"{FILE_SHA256}"]]"#,
            FILE_TEXT.len()
        )
    );
    assert!(last_seal_json().contains(SECRETS[0]) && last_seal_json().contains(FILE_SHA256));
    assert_eq!(request_count(), 3, "503 and 429 are retried");
    assert_eq!(
        progress_events(),
        3,
        "each attempt's upload progress is followed"
    );
    let key = request_key(0);
    assert_eq!(key.len(), 36);
    for i in 0..3 {
        let body = request_body(i);
        assert!(body.starts_with(b"age-encryption.org/v1\n"));
        assert_eq!(request_key(i), key, "same key on every attempt");
        assert_eq!(request_type(i), "application/octet-stream");
        let as_text = String::from_utf8_lossy(&body);
        for s in SECRETS {
            assert!(!as_text.contains(s), "{s} left the browser");
        }
    }
    assert_eq!(
        request_body(0),
        request_body(2),
        "a retry sends the same ciphertext"
    );
    assert!(has(&root, "#sd-download-sealed") && has(&root, "#sd-download-plain"));
    assert_eq!(focused_id(), "sd-outcome");
}

#[wasm_bindgen_test]
async fn files_dropped_or_pasted_are_attached_as_chosen_ones_are() {
    install_fetch(vec![201]);
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    to_evidence(&root).await;
    let zone = q(&root, "#sd-drop");
    assert_eq!(
        zone.get_attribute("tabindex").as_deref(),
        Some("0"),
        "focusable, to paste into"
    );
    assert!(
        drag_over(&zone, "dropped.txt"),
        "files dragged over are accepted"
    );
    tick().await;
    assert!(
        has(&root, ".sd-drop.sd-dragging"),
        "the zone shows it takes the drop"
    );
    assert!(!drag_over(&zone, ""), "dragged text is left to the browser");
    assert!(
        drop_on(&zone, "dropped.txt", FILE_TEXT),
        "a drop of files is taken"
    );
    assert!(
        !paste_on(&zone, "", "some text"),
        "pasted text is left to the browser"
    );
    assert!(
        paste_on(&zone, "image.png", "PNG-STAND-IN"),
        "a pasted screenshot is taken"
    );
    tick().await;
    assert!(!has(&root, ".sd-dragging"));
    let mut waited = 0;
    while root
        .query_selector_all("code.sd-file-digest")
        .unwrap()
        .length()
        < 2
        && waited < 5_000
    {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    let listed = text(&q(&root, ".sd-files"));
    assert!(
        listed.contains("dropped.txt") && listed.contains("image.png"),
        "{listed}"
    );
    assert!(
        listed.contains(&FILE_SHA256[..16]),
        "the dropped file's digest is listed: {listed}"
    );
    click(&root, "#sd-next").await;
    click(&root, "#sd-next").await;
    click(&root, "#sd-send").await;
    wait_for(&root, "#sd-receipt", 10_000).await;
    assert_eq!(last_seal_file_names(), "dropped.txt,image.png");
}

#[wasm_bindgen_test]
async fn a_refusing_endpoint_leaves_the_sealed_report_in_hand() {
    install_fetch(vec![400]);
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    fill_all(&root).await;
    click(&root, "#sd-send").await;
    wait_for(&root, "#sd-failure-reason", 5_000).await;
    assert!(text(&q(&root, "#sd-failure-reason")).contains("refused 400"));
    // The armored text is read from the sealed Blob.
    let armored_text = || {
        q(&root, "#sd-armored")
            .dyn_into::<HtmlTextAreaElement>()
            .unwrap()
            .value()
    };
    for _ in 0..50 {
        if !armored_text().is_empty() {
            break;
        }
        tick().await;
    }
    let armored = armored_text();
    assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    let mail = q(&root, "a[href^='mailto:']")
        .get_attribute("href")
        .unwrap();
    assert!(mail.starts_with("mailto:security@example.com?subject=%5BSECURITY%5D"));
    assert!(has(&root, "#sd-download-sealed"));
    // Trying again reuses the same sealed report and key.
    install_fetch(vec![201]);
    click(&root, "#sd-retry").await;
    wait_for(&root, "#sd-receipt", 5_000).await;
}

#[wasm_bindgen_test]
async fn broken_config_shows_its_error_and_no_form() {
    let root = new_root();
    let bad = Config::from_json(
        r#"{"recipients": ["AGE-SECRET-KEY-1QQQ"], "endpoint": "http://example.com/r"}"#,
    );
    sealdrop_widget::mount(root.clone(), bad);
    tick().await;
    let t = text(&root);
    assert!(
        t.contains("misconfigured") && t.contains("PRIVATE key") && t.contains("endpoint"),
        "{t}"
    );
    assert!(!has(&root, "form") && !has(&root, "#sd-send"));
}

#[wasm_bindgen_test]
async fn inline_mount_reads_attributes() {
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let attrs = js_sys::Object::new();
    let map: BTreeMap<&str, &str> = [
        ("recipients", recipient.as_str()),
        ("endpoint", "/v1/reports"),
        ("org", "Inline Org"),
        ("mode", "inline"),
    ]
    .into();
    for (k, v) in map {
        js_sys::Reflect::set(&attrs, &k.into(), &v.into()).unwrap();
    }
    let root = new_root();
    sealdrop_widget::mount_inline(
        root.clone(),
        attrs,
        Some("https://reports.example/sealdrop/".into()),
        None,
        None,
        None,
        None,
    );
    tick().await;
    assert!(text(&root).contains("Inline Org") && has(&root, "#sd-title"));
    // The endpoint path is on the widget's origin, not on the host page's.
    install_fetch(vec![201]);
    fill_all(&root).await;
    click(&root, "#sd-send").await;
    wait_for(&root, "#sd-receipt", 10_000).await;
    assert_eq!(request_url(0), "https://reports.example/v1/reports");

    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"recipients".into(), &"".into()).unwrap();
    js_sys::Reflect::set(&bad, &"endpoint".into(), &"/r".into()).unwrap();
    let root = new_root();
    sealdrop_widget::mount_inline(root.clone(), bad, None, None, None, None, None);
    tick().await;
    assert!(text(&root).contains("data-recipients"), "{}", text(&root));
}

/// The organization's questions are asked in the step they name, refused like built-in fields
/// when required and empty, shown on the review, and sealed in report.json under `answers`.
#[wasm_bindgen_test]
async fn the_vendors_questions_are_asked_checked_and_sealed() {
    install_fetch(vec![201]);
    let root = new_root();
    let questions = serde_json::json!([
        {"id": "app_version", "label": "Which app version?", "kind": "text", "required": true, "step": "kind"},
        {"id": "unauth", "label": "Exploitable without authentication?", "kind": "choice",
         "choices": ["Yes", "No"], "required": true, "step": "impact"}
    ]);
    sealdrop_widget::mount(
        root.clone(),
        Ok(config(serde_json::json!({ "questions": questions }))),
    );
    tick().await;
    assert!(text(&q(&root, "label[for=sd-answers-0]")).starts_with("Which app version?"));
    assert!(!has(&root, "#sd-answers-1"), "asked in its own step only");
    type_into(&root, "#sd-title", SECRETS[0]).await;
    click(&root, "#sd-kind-cwe-79").await;
    click(&root, "#sd-next").await;
    // Refused in place, like a built-in field, and named in the summary.
    assert_eq!(
        text(&q(&root, "#sd-answers-0-error")),
        "This is required. Please fill it in."
    );
    assert_eq!(
        q(&root, "#sd-answers-0")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(text(&q(&root, ".sd-summary")).contains("Which app version?: "));
    assert_eq!(focused_id(), "sd-answers-0");
    type_into(&root, "#sd-answers-0", "4.2.1").await;
    click(&root, "#sd-next").await;
    type_into(&root, "#sd-affected-0", "https://app.example.com/x").await;
    click(&root, "#sd-next").await;
    type_into(&root, "#sd-steps", SECRETS[2]).await;
    click(&root, "#sd-next").await;
    type_into(&root, "#sd-impact", SECRETS[3]).await;
    assert_eq!(
        q(&root, "#sd-answers-1").tag_name().to_lowercase(),
        "fieldset"
    );
    click(&root, "#sd-next").await;
    assert!(
        has(&root, "#sd-answers-1-error"),
        "a required choice is refused"
    );
    click(&root, "#sd-answers-1-1").await;
    click(&root, "#sd-next").await;
    click(&root, "#sd-next").await;
    click(&root, "#sd-next").await;
    let review = text(&q(&root, ".sd-review"));
    assert!(
        review.contains("Which app version?") && review.contains("4.2.1") && review.contains("No")
    );
    click(&root, "#sd-send").await;
    wait_for(&root, "#sd-receipt", 10_000).await;
    let sealed: serde_json::Value = serde_json::from_str(&last_seal_json()).unwrap();
    assert_eq!(
        sealed["answers"],
        serde_json::json!([
            {"id": "app_version", "question": "Which app version?", "answer": "4.2.1"},
            {"id": "unauth", "question": "Exploitable without authentication?", "answer": "No"}
        ])
    );
}

/// A catalogue that cannot be had leaves the form in English with everything typed kept: a
/// missing language never stops a report.
#[wasm_bindgen_test]
async fn the_language_menu_offers_eight_and_a_missing_catalogue_keeps_english_and_the_text() {
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    let options = root.query_selector_all("#sd-lang option").unwrap();
    assert_eq!(options.length(), 8);
    assert_eq!(
        q(&root, ".sd-app").get_attribute("lang").as_deref(),
        Some("en")
    );
    type_into(&root, "#sd-title", SECRETS[0]).await;
    let select = q(&root, "#sd-lang")
        .dyn_into::<web_sys::HtmlSelectElement>()
        .unwrap();
    select.set_value("ja");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    // The test server has no lang-ja.json: the form says so on the console and stays English.
    TimeoutFuture::new(300).await;
    assert_eq!(text(&q(&root, "h1")), "Report a vulnerability");
    assert_eq!(
        q(&root, "#sd-title")
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap()
            .value(),
        SECRETS[0]
    );
}

/// The CVSS calculator builds the vector in the field as metrics are picked, and a typed
/// vector sets its pickers; switching the version keeps the picks the other version has.
#[wasm_bindgen_test]
async fn the_cvss_calculator_builds_the_vector_and_follows_a_typed_one() {
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    type_into(&root, "#sd-title", SECRETS[0]).await;
    click(&root, "#sd-kind-cwe-79").await;
    click(&root, "#sd-next").await;
    type_into(&root, "#sd-affected-0", "https://app.example.com/x").await;
    click(&root, "#sd-next").await;
    type_into(&root, "#sd-steps", SECRETS[2]).await;
    click(&root, "#sd-next").await;
    let field = || {
        q(&root, "#sd-cvss")
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap()
            .value()
    };
    let checked = |id: &str| {
        q(&root, id)
            .dyn_into::<web_sys::HtmlInputElement>()
            .unwrap()
            .checked()
    };
    assert!(has(&root, "details#sd-cvss-calc summary"));
    for id in [
        "#sd-cvss-av-n",
        "#sd-cvss-ac-l",
        "#sd-cvss-pr-n",
        "#sd-cvss-ui-n",
    ] {
        click(&root, id).await;
    }
    assert_eq!(field(), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N");
    assert!(text(&q(&root, "#sd-cvss-left")).contains("4 metrics left"));
    for id in [
        "#sd-cvss-a-h",
        "#sd-cvss-s-u",
        "#sd-cvss-c-h",
        "#sd-cvss-i-h",
    ] {
        click(&root, id).await;
    }
    assert_eq!(field(), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert!(!has(&root, "#sd-cvss-left"));
    // A pasted vector sets the pickers, its version included.
    type_into(
        &root,
        "#sd-cvss",
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:N/VI:L/VA:H/SC:N/SI:N/SA:L",
    )
    .await;
    assert!(checked("#sd-cvss-v40") && checked("#sd-cvss-av-l") && checked("#sd-cvss-ui-a"));
    assert!(checked("#sd-cvss-sa-l") && !checked("#sd-cvss-sa-n"));
    // Back to 3.1: AV, AC and PR exist there with these values; the rest are to be picked.
    click(&root, "#sd-cvss-v31").await;
    assert_eq!(field(), "CVSS:3.1/AV:L/AC:H/PR:H");
}

/// An image whose metadata cannot be checked (here: no scrub module to import) is still
/// attached and digested, and the list says it goes as it is.
#[wasm_bindgen_test]
async fn an_image_the_scrub_cannot_check_is_sent_as_is_and_says_so() {
    let root = new_root();
    sealdrop_widget::mount(root.clone(), Ok(config(serde_json::json!({}))));
    tick().await;
    to_evidence(&root).await;
    attach_as(&q(&root, "#sd-files"), "photo.jpg", FILE_TEXT, "image/jpeg");
    wait_for(&root, "code.sd-file-digest", 5_000).await;
    assert_eq!(
        text(&q(&root, ".sd-file-scrub")),
        "sent as is, with its metadata"
    );
    assert!(!has(&root, ".sd-file-swap"), "nothing to swap to");
}
