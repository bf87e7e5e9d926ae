//! "Follow up on a report": the researcher pastes the follow-up key, the page derives the
//! access token and the reply key from it, fetches the conversation's messages, opens them
//! here, shows where the report stands, and lets the researcher answer with text and files,
//! sealed by the same worker as a report (docs/conversation.md). The key lives in this
//! component's memory only; only the derived token leaves the page.

// The network half runs in browsers only; native builds (the reducer's tests) compile the rest.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::cell::RefCell;
use std::rc::Rc;

use sealdrop_core::{
    safe_file_name, AttachmentMeta, BundleParts, Config, Derived, FollowUpKey, KeyError, Message,
    Sender, Status, MESSAGE_SCHEMA,
};
use yew::prelude::*;

#[cfg(target_arch = "wasm32")]
use sealdrop_widget::components::delivery::failure_text;
use sealdrop_widget::dom::{download, focus_by_id, now_rfc3339};
use sealdrop_widget::i18n::{fill, Strings};
use sealdrop_widget::sealer::{Event as SealEvent, Sealer};
use sealdrop_widget::send::seal_failure_text;

#[derive(Properties, PartialEq)]
pub struct ThreadProps {
    pub config: Rc<Config>,
    pub t: &'static Strings,
    pub sealer: Sealer,
    /// The key to open at once (from the receipt screen), or empty.
    pub initial: String,
    pub on_close: Callback<()>,
}

/// A message as shown.
struct Shown {
    from_org: bool,
    at: String,
    /// `Err` when the message could not be opened with this key.
    body: Result<Message, String>,
    files: Vec<Rc<Vec<u8>>>,
}

/// An opened conversation.
struct Loaded {
    key: FollowUpKey,
    receipt: String,
    derived: Derived,
    messages: Vec<Shown>,
}

enum Phase {
    Idle,
    Loading,
    Failed(String),
    Open(Rc<Loaded>),
}

/// A file chosen for an answer; its digest comes from the worker.
struct ReplyFile {
    file: web_sys::File,
    meta: AttachmentMeta,
    ready: bool,
}

fn org_name(c: &Config, t: &Strings) -> String {
    if c.org.is_empty() {
        t.default_org().to_string()
    } else {
        c.org.clone()
    }
}

fn key_error(t: &Strings, e: KeyError) -> String {
    match e {
        KeyError::Empty => t.key_empty(),
        KeyError::NotAKey => t.key_not_a_key(),
        KeyError::Typo => t.key_typo(),
    }
    .to_string()
}

/// The conversation routes live under the endpoint: `<endpoint>/<receipt>/messages`.
fn messages_url(c: &Config, receipt: &str) -> String {
    format!("{}/{receipt}/messages", c.endpoint.trim_end_matches('/'))
}

/// Fetches and opens every message of the conversation of `key`.
#[cfg(target_arch = "wasm32")]
async fn load(c: &Config, t: &Strings, key: &FollowUpKey) -> Result<Loaded, String> {
    use sealdrop_widget::submit::get;
    let receipt = key.receipt();
    let derived = key.derive();
    let token = derived.token();
    let url = messages_url(c, &receipt);
    let answer = |r: Result<(u16, Option<String>, Vec<u8>), ()>| match r {
        Err(()) => Err(t.net_offline().to_string()),
        Ok((200, _, body)) => Ok(body),
        Ok((401 | 404, _, _)) => Err(t.thread_not_found().to_string()),
        Ok((429, wait, _)) => Err(fill(
            t.thread_wait(),
            &[("s", wait.as_deref().unwrap_or("60"))],
        )),
        Ok((status, _, _)) => Err(fill(t.net_status(), &[("status", &status.to_string())])),
    };
    let list = answer(get(&url, &token).await)?;
    // Through `from_str`, the instantiation the form already has (`from_slice` adds 6 KB).
    let list: serde_json::Value = std::str::from_utf8(&list)
        .ok()
        .and_then(|s| serde_json::from_str(s).ok())
        .ok_or_else(|| fill(t.net_status(), &[("status", "200")]))?;
    let max = c.limits.max_attachment_bytes.saturating_add(1 << 20);
    let mut messages = Vec::new();
    for m in list
        .get("messages")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        let field = |k: &str| m.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let bytes = answer(get(&format!("{url}/{}", field("id")), &token).await)?;
        let (body, files) = match derived.open_message(&bytes, max) {
            Ok(o) => (Ok(o.message), o.files.into_iter().map(Rc::new).collect()),
            Err(e) => (
                Err(fill(t.thread_unreadable(), &[("e", &e.to_string())])),
                Vec::new(),
            ),
        };
        messages.push(Shown {
            from_org: field("from") == Sender::Organization.as_str(),
            at: field("received_at"),
            body,
            files,
        });
    }
    Ok(Loaded {
        key: key.clone(),
        receipt,
        derived,
        messages,
    })
}

/// Opens the conversation of the pasted key, setting `phase` as it goes.
fn open(c: Rc<Config>, t: &'static Strings, text: &str, phase: UseStateHandle<Phase>) {
    let key = match FollowUpKey::parse(text) {
        Ok(k) => k,
        Err(e) => return phase.set(Phase::Failed(key_error(t, e))),
    };
    phase.set(Phase::Loading);
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        phase.set(match load(&c, t, &key).await {
            Ok(l) => Phase::Open(Rc::new(l)),
            Err(e) => Phase::Failed(e),
        });
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (c, key);
}

/// `2026-11-24T04:14:01.689Z` as `2026-11-24 04:14 UTC`.
fn when(at: &str) -> String {
    match at.get(..16) {
        Some(s) if at.ends_with('Z') => format!("{} UTC", s.replace('T', " ")),
        _ => at.to_string(),
    }
}

fn status_line(t: &Strings, m: &Message) -> Option<String> {
    let s = m.status?;
    let i = Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let mut line = fill(t.thread_status(), &[("status", t.statuses[i])]);
    if let Some(d) = &m.expected {
        line = format!("{line}, {}", fill(t.thread_expected(), &[("date", d)]));
    }
    Some(line)
}

#[component]
pub fn ThreadView(p: &ThreadProps) -> Html {
    let (t, c) = (p.t, p.config.clone());
    let key_text = use_state(|| p.initial.clone());
    let phase = use_state(|| Phase::Idle);
    let reply = use_state(String::new);
    let note = use_state(|| None::<(bool, String)>);
    let files = use_mut_ref(Vec::<ReplyFile>::new);
    let redraw = use_force_update();
    // Opened from the receipt screen: open at once. The heading takes focus either way.
    {
        let (c, phase, key) = (c.clone(), phase.clone(), p.initial.clone());
        use_effect_with((), move |()| {
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                if let Some(el) = d.document_element() {
                    focus_by_id(&el, "sd-thread-heading");
                }
            }
            if !key.is_empty() {
                open(c, t, &key, phase);
            }
        });
    }
    let on_open = {
        let (c, phase, key_text) = (c.clone(), phase.clone(), key_text.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            open(c.clone(), t, &key_text, phase.clone());
        })
    };
    let close = {
        let cb = p.on_close.clone();
        move |_| cb.emit(())
    };
    let org = org_name(&c, t);

    let content = match &*phase {
        Phase::Open(l) => {
            let latest = l
                .messages
                .iter()
                .rev()
                .filter(|m| m.from_org)
                .find_map(|m| m.body.as_ref().ok().and_then(|b| status_line(t, b)));
            let on_files = {
                let (files, sealer, redraw, note) = (
                    files.clone(),
                    p.sealer.clone(),
                    redraw.clone(),
                    note.clone(),
                );
                Callback::from(move |e: Event| {
                    let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
                    let Some(list) = input.files() else { return };
                    for i in 0..list.length() {
                        let Some(f) = list.get(i) else { continue };
                        let mut name = safe_file_name(&f.name());
                        if files.borrow().iter().any(|r| r.meta.name == name) {
                            name = format!("{}-{name}", files.borrow().len() + 1);
                        }
                        let meta = AttachmentMeta {
                            path: format!("attachments/{name}"),
                            name: name.clone(),
                            size: f.size() as u64,
                            sha256: String::new(),
                            media_type: f.type_(),
                        };
                        files.borrow_mut().push(ReplyFile {
                            file: f.clone(),
                            meta,
                            ready: false,
                        });
                        let (files, redraw, note) = (files.clone(), redraw.clone(), note.clone());
                        sealer.digest(&f, move |ev| {
                            let mut fs = files.borrow_mut();
                            match ev {
                                SealEvent::Digest(sha) => {
                                    if let Some(r) = fs.iter_mut().find(|r| r.meta.name == name) {
                                        r.meta.sha256 = sha;
                                        r.ready = true;
                                    }
                                }
                                SealEvent::Failed(f) => {
                                    fs.retain(|r| r.meta.name != name);
                                    note.set(Some((false, seal_failure_text(t, f))));
                                }
                                _ => return,
                            }
                            drop(fs);
                            redraw.force_update();
                        });
                    }
                    input.set_value("");
                    redraw.force_update();
                })
            };
            let on_send = {
                let (c, l, reply, note, files, sealer, phase) = (
                    c.clone(),
                    l.clone(),
                    reply.clone(),
                    note.clone(),
                    files.clone(),
                    p.sealer.clone(),
                    phase.clone(),
                );
                Callback::from(move |_: MouseEvent| {
                    send(&c, t, &l, &reply, &note, &files, &sealer, &phase)
                })
            };
            let ready = files.borrow().iter().all(|f| f.ready);
            html! {
                <>
                    <p class="sd-thread-of">{ fill(t.thread_of(), &[("receipt", &l.receipt)]) }</p>
                    if let Some(s) = latest { <p class="sd-status" id="sd-thread-status">{ s }</p> }
                    if l.messages.is_empty() {
                        <p id="sd-thread-empty">{ t.thread_empty() }{ " " }{
                            match c.response_days {
                                Some(d) => fill(t.answer_within(), &[("org", &org), ("days", &d.to_string())]),
                                None => fill(t.answer_unknown(), &[("org", &org)]),
                            }
                        }</p>
                    }
                    <ol class="sd-messages" id="sd-messages">
                        { for l.messages.iter().map(|m| html! {
                            <li class={classes!("sd-message", m.from_org.then_some("sd-from-org"))}>
                                <h3>{ if m.from_org { fill(t.from_org(), &[("org", &org)]) } else { t.from_you().to_string() } }
                                    { " " }<time class="sd-hint" datetime={m.at.clone()}>{ when(&m.at) }</time></h3>
                                { match &m.body {
                                    Err(e) => html! { <p class="sd-error">{ e }</p> },
                                    Ok(b) => html! {
                                        <>
                                            if let Some(s) = status_line(t, b) { <p class="sd-status">{ s }</p> }
                                            <p class="sd-pre" dir="auto">{ &b.text }</p>
                                            <ul class="sd-files">
                                                { for b.attachments.iter().zip(&m.files).map(|(a, bytes)| {
                                                    let (bytes, name, ty) = (bytes.clone(), a.name.clone(), a.media_type.clone());
                                                    html! { <li><button type="button" class="sd-link"
                                                        onclick={move |_| download(&bytes, &name, &ty)}>{ format!("{} ({})", a.name, sealdrop_core::human_bytes(a.size)) }</button></li> }
                                                }) }
                                            </ul>
                                        </>
                                    },
                                } }
                            </li>
                        }) }
                    </ol>
                    <div class="sd-field">
                        <label for="sd-reply-text">{ t.reply_label() }</label>
                        <textarea id="sd-reply-text" rows="5" value={(*reply).clone()}
                            oninput={{ let reply = reply.clone(); move |e: InputEvent| reply.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()) }} />
                    </div>
                    <div class="sd-field">
                        <label for="sd-reply-files">{ t.reply_files() }</label>
                        <input type="file" id="sd-reply-files" multiple=true onchange={on_files} />
                        <ul class="sd-files" id="sd-reply-file-list">
                            { for files.borrow().iter().map(|f| html! { <li>{ format!("{} ({})", f.meta.name, sealdrop_core::human_bytes(f.meta.size)) }</li> }) }
                        </ul>
                    </div>
                    if let Some((ok, n)) = &*note {
                        <p class={if *ok { "sd-hint" } else { "sd-error" }} role="status" id="sd-reply-note">{ n }</p>
                    }
                    <div class="sd-actions">
                        <button type="button" class="sd-primary" id="sd-reply-send" disabled={!ready} onclick={on_send}>{ t.reply_send() }</button>
                    </div>
                </>
            }
        }
        phase_now => {
            let error = match phase_now {
                Phase::Failed(e) => Some(e.clone()),
                _ => None,
            };
            html! {
                <form class="sd-form" novalidate=true onsubmit={on_open}>
                    <p>{ t.thread_intro() }</p>
                    <div class={classes!("sd-field", error.as_ref().map(|_| "sd-invalid"))}>
                        <label for="sd-thread-key">{ t.thread_key_label() }</label>
                        if let Some(e) = &error { <p class="sd-error" id="sd-thread-key-error" role="alert">{ e }</p> }
                        <input type="text" id="sd-thread-key" class="sd-mono" dir="ltr" autocomplete="off" spellcheck="false"
                            autocapitalize="off" value={(*key_text).clone()}
                            aria-invalid={error.as_ref().map(|_| "true")}
                            aria-describedby={error.as_ref().map(|_| "sd-thread-key-error")}
                            oninput={{ let k = key_text.clone(); move |e: InputEvent| k.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()) }} />
                    </div>
                    if matches!(phase_now, Phase::Loading) { <p role="status">{ t.thread_loading() }</p> }
                    <button type="submit" class="sd-primary" id="sd-thread-open"
                        disabled={matches!(phase_now, Phase::Loading)}>{ t.thread_open() }</button>
                </form>
            }
        }
    };
    html! {
        <section class="sd-thread" aria-labelledby="sd-thread-heading">
            <h2 id="sd-thread-heading" tabindex="-1">{ t.thread_heading() }</h2>
            { content }
            <div class="sd-actions">
                <button type="button" class="sd-secondary" id="sd-thread-close" onclick={close}>{ t.thread_close() }</button>
            </div>
        </section>
    }
}

/// Seals the answer (text and files) to the organization and to the researcher's own reply
/// key, posts it with the access token, and reopens the conversation.
#[allow(clippy::too_many_arguments)]
fn send(
    c: &Rc<Config>,
    t: &'static Strings,
    l: &Rc<Loaded>,
    reply: &UseStateHandle<String>,
    note: &UseStateHandle<Option<(bool, String)>>,
    files: &Rc<RefCell<Vec<ReplyFile>>>,
    sealer: &Sealer,
    phase: &UseStateHandle<Phase>,
) {
    if reply.trim().is_empty() {
        return note.set(Some((false, t.reply_empty().to_string())));
    }
    let message = Message {
        schema: MESSAGE_SCHEMA.into(),
        id: sealdrop_core::new_uuid().unwrap_or_default(),
        created_at: now_rfc3339(),
        from: Sender::Reporter,
        text: reply.trim().to_string(),
        status: None,
        expected: None,
        attachments: files.borrow().iter().map(|f| f.meta.clone()).collect(),
    };
    let Ok(parts) = BundleParts::of_message(&message) else {
        return;
    };
    let mut recipients = c.recipients.clone();
    recipients.push(l.derived.recipient());
    let blobs: Vec<web_sys::File> = files.borrow().iter().map(|f| f.file.clone()).collect();
    note.set(Some((true, t.reply_sending().to_string())));
    let (c, l, reply, note, files, phase) = (
        c.clone(),
        l.clone(),
        reply.clone(),
        note.clone(),
        files.clone(),
        phase.clone(),
    );
    sealer.seal(&recipients, &parts, &blobs, move |event| match event {
        SealEvent::Sealed(sealed) => {
            #[cfg(target_arch = "wasm32")]
            {
                let (c, l, reply, note, files, phase, id) = (
                    c.clone(),
                    l.clone(),
                    reply.clone(),
                    note.clone(),
                    files.clone(),
                    phase.clone(),
                    message.id.clone(),
                );
                wasm_bindgen_futures::spawn_local(async move {
                    let auth = [("Authorization", format!("Bearer {}", l.derived.token()))];
                    let sent = sealdrop_widget::submit::deliver(
                        &messages_url(&c, &l.receipt),
                        &id,
                        &auth,
                        &sealed.blob,
                        &sealed.sha256,
                        |_, _| {},
                        |_, _| {},
                    )
                    .await;
                    match sent {
                        Ok(_) => {
                            reply.set(String::new());
                            files.borrow_mut().clear();
                            note.set(Some((true, t.reply_sent().to_string())));
                            // Reopen, so the answer shows as the server stored it.
                            if let Ok(fresh) = load(&c, t, &l.key).await {
                                phase.set(Phase::Open(Rc::new(fresh)));
                            }
                        }
                        Err(e) => note.set(Some((false, failure_text(t, &e)))),
                    }
                });
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = (&c, &l, &reply, &files, &phase, sealed);
        }
        SealEvent::Failed(f) => note.set(Some((false, seal_failure_text(t, f)))),
        _ => {}
    });
}
