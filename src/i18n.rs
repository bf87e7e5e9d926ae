//! Every sentence the form shows comes from a catalogue: one JSON file per language in
//! `www/i18n/` (`en.json`, `de.json`, …), flat keys with `{name}` placeholders, edited without
//! touching Rust (README, "Languages"). English is compiled in, so the form never waits for
//! it; any other language is fetched (`lang-CODE.json` beside the form page) only when chosen,
//! so adding a language adds nothing to what other researchers download. The core's
//! validation problems are codes ([`sealdrop_core::Problem::code`]) whose sentences live here
//! too.

use std::cell::RefCell;

use serde_json::{Map, Value};

/// A language the form speaks: its tag, its name in itself, and its direction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Lang {
    pub code: &'static str,
    pub name: &'static str,
    pub rtl: bool,
}

/// The languages with a catalogue in `www/i18n/`, English first.
pub const LANGS: &[Lang] = &[
    Lang {
        code: "en",
        name: "English",
        rtl: false,
    },
    Lang {
        code: "de",
        name: "Deutsch",
        rtl: false,
    },
    Lang {
        code: "fr",
        name: "Français",
        rtl: false,
    },
    Lang {
        code: "es",
        name: "Español",
        rtl: false,
    },
    Lang {
        code: "pt-BR",
        name: "Português (Brasil)",
        rtl: false,
    },
    Lang {
        code: "ja",
        name: "日本語",
        rtl: false,
    },
    Lang {
        code: "zh-CN",
        name: "简体中文",
        rtl: false,
    },
    Lang {
        code: "ar",
        name: "العربية",
        rtl: true,
    },
];

/// The best language for the tags wanted, in order of preference (the `lang` setting, then the
/// browser's `navigator.languages`): an exact match, else one of the same primary language
/// (`pt-PT` gets `pt-BR`, `de-AT` gets `de`), else English.
pub fn best(wanted: &[&str]) -> &'static Lang {
    let primary = |t: &str| {
        t.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    for w in wanted {
        let w = w.trim();
        if w.is_empty() {
            continue;
        }
        if let Some(l) = LANGS
            .iter()
            .find(|l| l.code.eq_ignore_ascii_case(&w.replace('_', "-")))
        {
            return l;
        }
        if let Some(l) = LANGS.iter().find(|l| primary(l.code) == primary(w)) {
            return l;
        }
    }
    &LANGS[0]
}

/// The language by its tag, if the form has it.
pub fn lang(code: &str) -> Option<&'static Lang> {
    LANGS.iter().find(|l| l.code == code)
}

macro_rules! catalogue {
    ($($field:ident),* $(,)?) => {
        /// The position of each sentence in a catalogue's list, in [`KEYS`] order.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        enum K { $($field),* }

        /// Every key a catalogue has (besides the lists `steps`, `statuses` and `kinds`).
        pub const KEYS: &[&str] = &[$(stringify!($field)),*];

        impl Strings {
            $(
                #[inline]
                pub fn $field(&self) -> &'static str {
                    self.all[K::$field as usize]
                }
            )*
        }
    };
}

/// The form's sentences in one language: one method per key of `www/i18n/en.json`.
pub struct Strings {
    pub lang: &'static Lang,
    pub steps: [&'static str; 7],
    pub statuses: [&'static str; 6],
    /// The names of the core's default kinds of vulnerability, in `DEFAULT_TYPES` order.
    pub kinds: [&'static str; 15],
    /// Every sentence, in [`KEYS`] order.
    all: [&'static str; KEYS.len()],
}

impl Strings {
    /// The sentence of a key named at run time (a problem's code, `report.md`'s labels).
    pub fn get(&self, key: &str) -> &'static str {
        KEYS.iter()
            .position(|k| *k == key)
            .and_then(|i| self.all.get(i).copied())
            .unwrap_or("")
    }

    /// A kind's name as this language says it: a default kind (CWE id and English name as the
    /// core has them) by the catalogue, a vendor's own kind as the vendor wrote it.
    pub fn kind_name<'a>(&self, id: &str, name: &'a str) -> &'a str {
        sealdrop_core::DEFAULT_TYPES
            .iter()
            .position(|d| *d == (id, name))
            .map_or(name, |i| self.kinds[i])
    }

    /// `report.md` in this language: the catalogue's headings and, for a default kind, its name
    /// here (`report.json` keeps the core's English name and the CWE id).
    pub fn markdown(&self, r: &sealdrop_core::Report) -> String {
        let kind = self.kind_name(&r.kind.id, &r.kind.name);
        sealdrop_core::render_markdown_in(r, kind, &|k| self.get(k).to_string())
    }

    fn from_map(lang: &'static Lang, m: &Map<String, Value>) -> Result<Strings, String> {
        // One loop over the keys: the form's module stays small however many sentences.
        let mut all: Vec<&'static str> = Vec::with_capacity(KEYS.len());
        for k in KEYS {
            all.push(text(m, k)?);
        }
        Ok(Strings {
            lang,
            steps: list(m, "steps")?,
            statuses: list(m, "statuses")?,
            kinds: list(m, "kinds")?,
            all: all.try_into().map_err(|_| String::from("is incomplete"))?,
        })
    }
}

// The keys, and English's sentences, from www/i18n/en.json (build.rs).
include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// A catalogue's strings live as long as the page: each language is parsed once (cached
/// below), so there are at most as many as [`LANGS`].
#[inline(never)]
fn text(m: &Map<String, Value>, key: &str) -> Result<&'static str, String> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(Box::leak(s.clone().into_boxed_str())),
        _ => Err(format!("missing the text of {key}")),
    }
}

fn list<const N: usize>(m: &Map<String, Value>, key: &str) -> Result<[&'static str; N], String> {
    let items = m
        .get(key)
        .and_then(Value::as_array)
        .filter(|a| a.len() == N);
    let bad = || format!("{key} must be a list of {N} texts");
    let items = items.ok_or_else(bad)?;
    let mut out = [""; N];
    for (o, v) in out.iter_mut().zip(items) {
        *o = Box::leak(v.as_str().ok_or_else(bad)?.to_string().into_boxed_str());
    }
    Ok(out)
}

/// Parses a catalogue.
///
/// # Errors
/// A message naming the first key missing or of the wrong shape.
pub fn parse(lang: &'static Lang, json: &str) -> Result<&'static Strings, String> {
    // Through `Value`, the instantiation the form already has (a `Map` of its own adds code).
    let v: Value = serde_json::from_str(json).map_err(|_| "is not JSON".to_string())?;
    let m = v.as_object().ok_or("is not a JSON object")?;
    Ok(Box::leak(Box::new(Strings::from_map(lang, m)?)))
}

thread_local! {
    static LOADED: RefCell<Vec<&'static Strings>> = const { RefCell::new(Vec::new()) };
    /// The language the form is in now (the switcher changes it).
    static CURRENT: std::cell::Cell<Option<&'static Strings>> = const { std::cell::Cell::new(None) };
}

/// The catalogue the form speaks now: what the switcher chose, else English.
pub fn current() -> &'static Strings {
    CURRENT.with(std::cell::Cell::get).unwrap_or_else(english)
}

/// Makes `s` the form's language.
pub fn set_current(s: &'static Strings) {
    CURRENT.with(|c| c.set(Some(s)));
}

/// The language to start in: the vendor's `lang` setting, else the best match of the browser's
/// `navigator.languages`, else English.
pub fn initial(setting: &str) -> &'static Lang {
    let mut wanted: Vec<String> = vec![setting.to_string()];
    if setting.is_empty() {
        if let Some(n) = web_sys::window().map(|w| w.navigator()) {
            wanted.extend(n.languages().iter().filter_map(|v| v.as_string()));
            wanted.extend(n.language());
        }
    }
    best(&wanted.iter().map(String::as_str).collect::<Vec<_>>())
}

fn cached(code: &str) -> Option<&'static Strings> {
    if code == "en" {
        return Some(english());
    }
    LOADED.with(|l| l.borrow().iter().copied().find(|s| s.lang.code == code))
}

/// English, compiled in.
static EN: Strings = Strings {
    lang: &LANGS[0],
    steps: EN_STEPS,
    statuses: EN_STATUSES,
    kinds: EN_KINDS,
    all: EN_ALL,
};

/// The English catalogue.
pub fn english() -> &'static Strings {
    &EN
}

fn remember(s: &'static Strings) {
    LOADED.with(|l| l.borrow_mut().push(s));
}

/// The catalogue of `code` if it is loaded, else English.
pub fn strings(code: &str) -> &'static Strings {
    cached(code).unwrap_or_else(english)
}

/// Where the catalogue of a language is: `lang-CODE.json` beside the form page (resolved
/// against the form's own URL, in inline mode too).
pub fn catalogue_url(l: &Lang) -> String {
    crate::dom::asset_url(&format!("lang-{}.json", l.code))
}

/// Loads the catalogue of `l` (fetched once, then cached). On any failure the form stays in
/// English and says why in the console: a missing catalogue must not stop a report.
pub async fn load(l: &'static Lang) -> &'static Strings {
    if let Some(s) = cached(l.code) {
        return s;
    }
    if l.code == "en" {
        return english();
    }
    match crate::dom::fetch_text(&catalogue_url(l)).await {
        Ok(json) => match parse(l, &json) {
            Ok(s) => {
                remember(s);
                s
            }
            Err(e) => {
                crate::console_error(&format!(
                    "sealdrop: the {} catalogue {e}; showing English",
                    l.code
                ));
                english()
            }
        },
        Err(e) => {
            crate::console_error(&format!(
                "sealdrop: the {} catalogue could not be loaded ({e}); showing English",
                l.code
            ));
            english()
        }
    }
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let owned: Vec<(&str, String)> = vars.iter().map(|(k, v)| (*k, (*v).to_string())).collect();
    sealdrop_core::english::fill_in(template, &owned)
}

impl Strings {
    /// A CVSS rating (`High`, as the core names it) in this language.
    pub fn rating(&self, rating: &str) -> &'static str {
        match rating.to_ascii_lowercase().as_str() {
            "none" => self.rating_none(),
            "low" => self.rating_low(),
            "medium" => self.rating_medium(),
            "high" => self.rating_high(),
            _ => self.rating_critical(),
        }
    }

    /// A validation problem, said in this language.
    pub fn problem(&self, p: &sealdrop_core::Problem) -> String {
        sealdrop_core::english::fill_in(self.get(p.code()), &p.params())
    }
}

/// Catalogues live as long as the page: two are equal when they are the same one.
impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn file(code: &str) -> String {
        let path = format!("{}/www/i18n/{code}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn report_md_names_a_default_kind_in_its_language_report_json_in_english() {
        let de = LANGS.iter().find(|l| l.code == "de").expect("de");
        let de = parse(de, &file("de")).expect("de.json");
        let report = |(id, name): (&str, &str)| {
            let d = sealdrop_core::Draft {
                id: "4d2c1f0e-1111-4a2b-8c3d-000000000001".into(),
                created_at: "2026-12-03T10:00:00Z".into(),
                type_id: id.into(),
                type_name: name.into(),
                title: "Stored XSS".into(),
                affected: vec!["https://app.example.com/bio".into()],
                steps: "1. Save <script> in bio".into(),
                impact: "Account takeover".into(),
                ..Default::default()
            };
            sealdrop_core::validate(&d, &sealdrop_core::Limits::default()).expect("valid")
        };
        let xss = report(sealdrop_core::DEFAULT_TYPES[0]);
        let md = de.markdown(&xss);
        assert_ne!(de.kinds[0], "Cross-site scripting (XSS)");
        assert!(
            md.contains(&format!(": {} (CWE-79)\n", de.kinds[0])),
            "{md}"
        );
        assert!(
            md.contains(&format!("\n## {}\n", de.get("md_steps"))),
            "{md}"
        );
        // The report itself keeps the core's English name, and is not changed by rendering.
        assert_eq!(xss.kind.name, "Cross-site scripting (XSS)");
        // A vendor's own kind, or a default id under another name, stays as it was given.
        for kind in [
            ("CWE-1321", "Prototype pollution"),
            ("CWE-79", "Stored XSS in bios"),
        ] {
            assert!(de
                .markdown(&report(kind))
                .contains(&format!(": {} ({})\n", kind.1, kind.0)));
        }
        // English is the core's own report.md.
        assert_eq!(
            english().markdown(&xss),
            sealdrop_core::render_markdown(&xss)
        );
    }

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(i) = rest.find('{') {
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j)
                    if after[..j]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_') =>
                {
                    out.insert(after[..j].to_string());
                    rest = &after[j + 1..];
                }
                _ => rest = after,
            }
        }
        out
    }

    /// Every catalogue has exactly English's keys, the same list lengths, and each sentence
    /// the same placeholders: a translator can neither drop a key, add one the form never
    /// shows, nor rename `{org}`.
    #[test]
    fn catalogues_match_english_key_for_key_and_placeholder_for_placeholder() {
        let en: Map<String, Value> = serde_json::from_str(&file("en")).expect("en.json");
        for l in LANGS {
            let m: Map<String, Value> = serde_json::from_str(&file(l.code))
                .unwrap_or_else(|e| panic!("{}.json does not parse: {e}", l.code));
            let (ek, mk): (BTreeSet<_>, BTreeSet<_>) = (en.keys().collect(), m.keys().collect());
            let missing: Vec<_> = ek.difference(&mk).collect();
            let extra: Vec<_> = mk.difference(&ek).collect();
            assert!(missing.is_empty(), "{}.json misses {missing:?}", l.code);
            assert!(
                extra.is_empty(),
                "{}.json has keys English lacks: {extra:?}",
                l.code
            );
            for (k, v) in &en {
                let other = &m[k];
                let (a, b): (Vec<&str>, Vec<&str>) = match (v, other) {
                    (Value::String(a), Value::String(b)) => (vec![a], vec![b]),
                    (Value::Array(a), Value::Array(b)) => {
                        assert_eq!(a.len(), b.len(), "{}.json: {k} has another length", l.code);
                        (
                            a.iter().filter_map(Value::as_str).collect(),
                            b.iter().filter_map(Value::as_str).collect(),
                        )
                    }
                    _ => panic!("{}.json: {k} is not of English's shape", l.code),
                };
                assert_eq!(
                    a.len(),
                    b.len(),
                    "{}.json: {k} holds something else than text",
                    l.code
                );
                for (a, b) in a.iter().zip(&b) {
                    assert!(!b.trim().is_empty(), "{}.json: {k} is empty", l.code);
                    assert_eq!(
                        placeholders(a),
                        placeholders(b),
                        "{}.json: {k} changes a placeholder: {b:?}",
                        l.code
                    );
                }
            }
            let s = parse(l, &file(l.code)).unwrap_or_else(|e| panic!("{}: {e}", l.code));
            assert_eq!(s.lang.code, l.code);
        }
        // English, compiled in, is the file, as the core's (for the command line) is.
        let en_file = parse(&LANGS[0], &file("en")).expect("en.json");
        assert_eq!(en_file.all, english().all);
        assert_eq!(
            (en_file.steps, en_file.statuses, en_file.kinds),
            (english().steps, english().statuses, english().kinds)
        );
        // The kinds' English names are the core's, which report.json carries.
        let core: Vec<&str> = sealdrop_core::DEFAULT_TYPES.iter().map(|d| d.1).collect();
        assert_eq!(english().kinds.to_vec(), core);
        assert_eq!(sealdrop_core::english::EN_JSON, file("en"));
        // No catalogue file without a language in LANGS, and the rtl flag where it belongs.
        let dir = format!("{}/www/i18n", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(dir).expect("www/i18n") {
            let name = e.expect("entry").file_name().into_string().expect("utf-8");
            let code = name.strip_suffix(".json").expect("only .json files");
            assert!(lang(code).is_some(), "{name} is not in LANGS");
        }
        assert_eq!(
            LANGS
                .iter()
                .filter(|l| l.rtl)
                .map(|l| l.code)
                .collect::<Vec<_>>(),
            ["ar"]
        );
    }

    /// Every problem the core can report has its sentence.
    #[test]
    fn every_problem_code_has_a_sentence() {
        use sealdrop_core::{CvssError, Problem, TargetError};
        let en = english();
        let mut all = vec![
            Problem::Required,
            Problem::TooLong { max: 3 },
            Problem::MultiLine,
            Problem::ControlCharacters,
            Problem::BadTypeId,
            Problem::Cvss(CvssError::UnsupportedVersion),
            Problem::Cvss(CvssError::InvalidMetrics),
            Problem::EmailShape,
            Problem::CreditNeedsName,
            Problem::CreditNeedsHandle,
            Problem::TooManyFiles { max: 2 },
            Problem::TooLarge { max_bytes: 1 << 20 },
            Problem::PolicyNotAccepted,
            Problem::StillReading,
            Problem::UnknownChoice,
            Problem::NotAUrl,
        ];
        for e in [
            TargetError::Empty,
            TargetError::TooLong,
            TargetError::UnsupportedScheme,
            TargetError::Credentials,
            TargetError::MalformedUrl,
            TargetError::ControlCharacters,
        ] {
            all.push(Problem::Target(e));
        }
        for p in &all {
            let text = en.problem(p);
            assert!(
                text.len() > 10 && !text.contains('{'),
                "{}: {text:?}",
                p.code()
            );
        }
        assert_eq!(
            en.problem(&Problem::TooLong { max: 3 }),
            "This is too long: keep it to 3 characters."
        );
        assert!(en
            .problem(&Problem::TooLarge { max_bytes: 1 << 20 })
            .contains("1 MB"));
    }

    #[test]
    fn the_best_language_is_an_exact_match_then_the_same_language_then_english() {
        assert_eq!(best(&["pt-BR"]).code, "pt-BR");
        assert_eq!(best(&["pt-PT", "en"]).code, "pt-BR");
        assert_eq!(best(&["de-AT"]).code, "de");
        assert_eq!(best(&["zh-cn"]).code, "zh-CN");
        assert_eq!(best(&["", "ar-EG"]).code, "ar");
        assert_eq!(best(&["nl", "fr-CA", "de"]).code, "fr");
        assert_eq!(best(&["nl", "sv"]).code, "en");
        assert_eq!(best(&[]).code, "en");
    }
}
