//! Generates the form's English catalogue from `www/i18n/en.json`, the file translators work
//! from: the list of keys (one accessor each on `i18n::Strings`) and English's sentences as a
//! static, so English needs neither a download nor parsing, and the module carries each
//! sentence once, without the JSON around it.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=www/i18n/en.json");
    let text = std::fs::read_to_string("www/i18n/en.json").expect("www/i18n/en.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("en.json is JSON");
    let m = v.as_object().expect("en.json is an object");
    let (mut keys, mut values) = (String::new(), String::new());
    let list = |k: &str| -> String {
        let items: Vec<String> = m[k]
            .as_array()
            .unwrap_or_else(|| panic!("en.json: {k} is a list"))
            .iter()
            .map(|s| format!("{:?}", s.as_str().expect("texts")))
            .collect();
        items.join(", ")
    };
    for (k, val) in m {
        if let Some(s) = val.as_str() {
            let _ = write!(keys, "{k}, ");
            let _ = write!(values, "{s:?}, ");
        }
    }
    let out = format!(
        "catalogue!({keys});\n\
         /// English, compiled in: `www/i18n/en.json`'s sentences in [`KEYS`] order.\n\
         const EN_ALL: [&str; KEYS.len()] = [{values}];\n\
         const EN_STEPS: [&str; 7] = [{}];\n\
         const EN_STATUSES: [&str; 6] = [{}];\n\
         const EN_KINDS: [&str; 15] = [{}];\n",
        list("steps"),
        list("statuses"),
        list("kinds")
    );
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("catalogue.rs");
    std::fs::write(path, out).expect("write catalogue.rs");
}
