//! One component per file; each step renders the state and dispatches actions.

use std::rc::Rc;

use sealdrop_core::Config;
use yew::prelude::*;

use crate::i18n::Strings;
use crate::state::{Action, Field, State};

pub mod about;
pub mod app;
pub mod config_error;
pub mod cvss_calc;
pub mod delivery;
pub mod error_summary;
pub mod evidence;
pub mod field;
pub mod impact;
pub mod kind;
pub mod questions;
pub mod reproduce;
pub mod review;
pub mod stepper;
pub mod targets;
pub mod thread_host;

/// What every step receives.
#[derive(Properties, PartialEq)]
pub struct StepProps {
    pub state: UseReducerHandle<State>,
    pub config: Rc<Config>,
    pub t: &'static Strings,
    /// The sealing worker: digests attachments as they are added, seals on Send.
    pub sealer: crate::sealer::Sealer,
}

impl StepProps {
    /// The `on_input` of a text field: dispatches its new value.
    pub fn setter(&self, field: Field) -> Callback<String> {
        let s = self.state.clone();
        Callback::from(move |v: String| s.dispatch(Action::Set(field, v)))
    }
}
