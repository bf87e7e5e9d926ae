//! The `sealdrop` binary's parts, as a library so tests drive the router with `oneshot` and
//! the CLI pieces directly. See `main.rs` for the commands.

pub mod agecheck;
pub mod conversation;
pub mod embed;
pub mod inbox;
pub mod keygen;
pub mod serve;
pub mod settings;
pub mod store;
pub mod terminal;
