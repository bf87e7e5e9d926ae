//! Sending a report: the submission state machine (Editing -> Sealing -> Sending{attempt} ->
//! Delivered | Failed). The report and its files go to the sealing worker; the sealed `Blob`
//! goes to the endpoint with the delivery policy of `crate::submit`. Every step is an action on
//! the form's reducer, and every failure is data that the UI says from its catalogue.

use std::rc::Rc;

use sealdrop_core::{Config, Report};
use yew::prelude::*;

use crate::i18n::{fill, Strings};
use crate::sealer::{Event, SealFailure, Sealed, Sealer};
use crate::state::{Action, Delivery, State};

/// What the researcher reads when the worker could not seal.
pub fn seal_failure_text(t: &Strings, f: SealFailure) -> String {
    let why = match f {
        SealFailure::Unavailable => t.seal_unavailable(),
        SealFailure::Read => t.seal_read(),
        SealFailure::Changed => t.seal_changed(),
        SealFailure::Recipients => t.seal_recipients(),
        SealFailure::Internal => t.seal_internal(),
    };
    fill(t.seal_failed(), &[("e", why)])
}

/// Posts the sealed report, reporting progress through the reducer. With the follow-up key's
/// `secret`, the post carries `Sealdrop-Thread`: the SHA-256 of the access token derived from
/// it (docs/conversation.md).
pub fn deliver(
    state: UseReducerHandle<State>,
    config: Rc<Config>,
    sealed: Sealed,
    report: Rc<Report>,
    secret: Option<[u8; 16]>,
) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(async move {
        let progress = {
            let state = state.clone();
            move |attempt, retry_in| {
                state.dispatch(Action::Delivery(Delivery::Sending {
                    attempt,
                    retry_in,
                    sent: 0.0,
                    total: 0.0,
                }))
            }
        };
        let uploaded = {
            let state = state.clone();
            move |sent, total| state.dispatch(Action::Uploaded { sent, total })
        };
        let headers: Vec<(&str, String)> = secret
            .map(|s| {
                (
                    "Sealdrop-Thread",
                    sealdrop_core::Derived::from_secret(&s).token_hash(),
                )
            })
            .into_iter()
            .collect();
        let outcome = crate::submit::deliver(
            &config.endpoint,
            &report.id,
            &headers,
            &sealed.blob,
            &sealed.sha256,
            progress,
            uploaded,
        )
        .await;
        state.dispatch(Action::Delivery(match outcome {
            Ok(r) => Delivery::Delivered {
                receipt: r.receipt,
                sha256: r.sha256,
                sealed,
                report,
            },
            Err(reason) => Delivery::Failed {
                reason,
                sealed,
                report,
            },
        }));
    });
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (state, config, sealed, report, secret);
}

/// Hands the report and its files to the worker; delivers what it seals.
pub fn seal_and_deliver(
    state: UseReducerHandle<State>,
    config: Rc<Config>,
    sealer: &Sealer,
    report: Rc<Report>,
    secret: Option<[u8; 16]>,
) {
    let t = crate::i18n::current();
    // `report.md` in the organization's language (`report_lang`), whatever the researcher's.
    let md_lang = crate::i18n::best(&[config.report_lang.as_str()]);
    let markdown = crate::i18n::strings(md_lang.code).markdown(&report);
    let Ok(parts) = sealdrop_core::BundleParts::of_in(&report, markdown) else {
        return state.dispatch(Action::Notice(Some(seal_failure_text(
            t,
            SealFailure::Internal,
        ))));
    };
    let files: Vec<web_sys::File> = state
        .form
        .files
        .iter()
        .filter_map(|f| f.file.clone())
        .collect();
    state.dispatch(Action::Delivery(Delivery::Sealing {
        done: 0.0,
        total: 0.0,
    }));
    let recipients = config.recipients.clone();
    sealer.seal(&recipients, &parts, &files, move |event| match event {
        Event::Progress { done, total } => state.dispatch(Action::SealProgress { done, total }),
        Event::Sealed(sealed) => {
            deliver(
                state.clone(),
                config.clone(),
                sealed,
                report.clone(),
                secret,
            );
        }
        Event::Failed(f) => {
            state.dispatch(Action::Delivery(Delivery::Editing));
            state.dispatch(Action::Notice(Some(seal_failure_text(t, f))));
        }
        Event::Digest(_) => {}
    });
}
