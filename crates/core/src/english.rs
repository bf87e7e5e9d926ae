//! The English catalogue (`www/i18n/en.json`, the one the form compiles in) for what the core
//! says outside the form: validation problems on the command line and `report.md` when no other
//! language is asked for. The form says the same sentences from its own catalogues.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The catalogue's text; its keys and placeholders are checked against every other
/// language's by the widget's catalogue test.
pub const EN_JSON: &str = include_str!("../../../www/i18n/en.json");

fn catalogue() -> &'static Map<String, Value> {
    static EN: OnceLock<Map<String, Value>> = OnceLock::new();
    EN.get_or_init(|| serde_json::from_str(EN_JSON).unwrap_or_default())
}

/// The English sentence of `key`; empty if it has none (a bug the catalogue test catches).
pub fn get(key: &str) -> &'static str {
    catalogue().get(key).and_then(Value::as_str).unwrap_or("")
}

/// The English sentence of `key` with its `{name}` placeholders filled.
pub fn fill(key: &str, params: &[(&str, String)]) -> String {
    let text = get(key);
    let text = if text.is_empty() { key } else { text };
    fill_in(text, params)
}

/// Replaces each `{name}` of `template` with its value; one pass, so a value that contains
/// braces is never expanded again.
pub fn fill_in(template: &str, params: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) => match params.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
