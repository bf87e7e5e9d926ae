//! The widget's configuration: `sealdrop.json` on the widget's origin (iframe mode) or the
//! script tag's `data-*` attributes (inline mode). Both go through the same checks, and every
//! broken value gets an error naming the setting as the vendor wrote it and the expected form.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::recipients::{check_recipients, RecipientProblem};
use crate::report::Affected;
use crate::target::check_target;
use crate::validate::{email_shape_ok, Limits};

/// A kind of vulnerability offered in the form.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct VulnType {
    pub id: String,
    pub name: String,
}

/// The classes offered when the vendor configures none: (CWE id, name).
pub const DEFAULT_TYPES: &[(&str, &str)] = &[
    ("CWE-79", "Cross-site scripting (XSS)"),
    ("CWE-89", "SQL injection"),
    ("CWE-78", "OS command injection"),
    ("CWE-94", "Code injection"),
    ("CWE-918", "Server-side request forgery (SSRF)"),
    ("CWE-22", "Path traversal"),
    ("CWE-639", "Insecure direct object reference (IDOR)"),
    ("CWE-862", "Missing authorization"),
    ("CWE-287", "Authentication bypass"),
    ("CWE-352", "Cross-site request forgery (CSRF)"),
    ("CWE-601", "Open redirect"),
    ("CWE-200", "Information exposure"),
    ("CWE-611", "XML external entities (XXE)"),
    ("CWE-502", "Unsafe deserialization"),
    ("CWE-434", "Unrestricted file upload"),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

/// A checked configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Config {
    /// Canonical recipient strings (already parsed once; parse again to seal).
    pub recipients: Vec<String>,
    pub endpoint: String,
    pub org: String,
    pub policy_url: Option<String>,
    pub contact_email: Option<String>,
    pub subject_tag: Option<String>,
    /// Days within which the organization promises an answer, said on the receipt screen.
    pub response_days: Option<u32>,
    /// The kinds offered: the vendor's `types`, else the defaults, plus `extra_types`.
    pub types: Vec<VulnType>,
    pub assets: Vec<String>,
    pub limits: Limits,
    /// The form's language as the vendor set it (`lang`), or empty: then the browser's
    /// preferred languages choose, else English.
    pub lang: String,
    /// The language `report.md` is written in, whatever language the researcher used
    /// (`report_lang`, default `en`), so the security team reads one language.
    pub report_lang: String,
    /// The organization's own questions (`questions`).
    pub questions: Vec<crate::Question>,
    /// `questions` given as a URL of a JSON file: the form fetches it and checks it with
    /// [`crate::parse_questions`] before it shows itself.
    pub questions_url: Option<String>,
    /// `questions` as given, for [`Config::to_json`].
    #[cfg(not(target_arch = "wasm32"))]
    questions_source: Option<Value>,
    pub theme: Theme,
}

/// One broken setting: its name as the vendor wrote it (`policy_url` or `data-policy-url`) and
/// what is expected.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.message)
    }
}

const KEYS: &[&str] = &[
    "recipients",
    "endpoint",
    "org",
    "policy_url",
    "contact_email",
    "subject_tag",
    "types",
    "extra_types",
    "assets",
    "max_attachments",
    "max_attachment_bytes",
    "response_days",
    "lang",
    "report_lang",
    "questions",
    "theme",
];
/// Attributes the loader reads itself; allowed on the script tag, not in `sealdrop.json`.
const LOADER_ATTRS: &[&str] = &["mode", "target"];
pub const MAX_ATTACHMENT_BYTES_CEILING: u64 = 512 * 1024 * 1024;

#[derive(Clone, Copy)]
enum Source {
    Json,
    Attr,
}

impl Source {
    fn name(self, key: &str) -> String {
        match self {
            Source::Json => key.to_string(),
            Source::Attr => format!("data-{}", key.replace('_', "-")),
        }
    }
}

struct Errs(Vec<ConfigError>, Source);

impl Errs {
    fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(ConfigError {
            setting: self.1.name(key),
            message: message.into(),
        });
    }
}

impl Config {
    /// Parses `sealdrop.json`.
    ///
    /// # Errors
    /// Every broken setting, or one error when the text is not a JSON object.
    pub fn from_json(text: &str) -> Result<Config, Vec<ConfigError>> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            vec![ConfigError {
                setting: "sealdrop.json".into(),
                message: format!(
                    "is not valid JSON (line {}, column {}): fix the syntax",
                    e.line(),
                    e.column()
                ),
            }]
        })?;
        let Value::Object(map) = value else {
            return Err(vec![ConfigError {
                setting: "sealdrop.json".into(),
                message: "must be a JSON object like {\"recipients\": [\"age1…\"], \"endpoint\": \"https://…\"}".into(),
            }]);
        };
        Self::from_map(map, Source::Json)
    }

    /// Parses the script tag's `data-*` attributes, given without the `data-` prefix
    /// (`recipients`, `policy-url`, …). `recipients` is space-separated; `types` and
    /// `extra-types` are `;`-separated `ID: Name` pairs; `assets` is `;`-separated.
    ///
    /// # Errors
    /// Every broken setting, named as the attribute.
    pub fn from_attributes(attrs: &BTreeMap<String, String>) -> Result<Config, Vec<ConfigError>> {
        let mut errs = Errs(Vec::new(), Source::Attr);
        let mut map = Map::new();
        for (k, v) in attrs {
            let key = k.replace('-', "_");
            if LOADER_ATTRS.contains(&key.as_str()) {
                continue;
            }
            let value = match key.as_str() {
                "recipients" => Value::from(v.split_whitespace().collect::<Vec<_>>()),
                "assets" => Value::from(split_list(v)),
                "types" | "extra_types" => match parse_type_pairs(v) {
                    Ok(t) => serde_json::to_value(t).unwrap_or(Value::Null),
                    Err(()) => {
                        errs.push(&key, "expected `;`-separated `ID: Name` pairs, like \"CWE-79: Cross-site scripting; ACME-1: Billing\"");
                        continue;
                    }
                },
                // A JSON array inline, or the URL of a JSON file.
                "questions" if v.trim_start().starts_with('[') => {
                    match serde_json::from_str::<Value>(v) {
                        Ok(q) => q,
                        Err(_) => {
                            errs.push(&key, "expected a JSON array of questions or the URL of a JSON file of them; this array does not parse as JSON");
                            continue;
                        }
                    }
                }
                "max_attachments" | "max_attachment_bytes" | "response_days" => {
                    match v.trim().parse::<u64>() {
                        Ok(n) => Value::from(n),
                        Err(_) => {
                            errs.push(&key, "expected a whole number");
                            continue;
                        }
                    }
                }
                _ => Value::from(v.as_str()),
            };
            map.insert(key, value);
        }
        match Self::from_map(map, Source::Attr) {
            Ok(c) if errs.0.is_empty() => Ok(c),
            Ok(_) => Err(errs.0),
            Err(mut more) => {
                errs.0.append(&mut more);
                Err(errs.0)
            }
        }
    }

    /// The settings as `sealdrop.json` (what `sealdrop serve` publishes).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("recipients".into(), Value::from(self.recipients.clone()));
        m.insert("endpoint".into(), Value::from(self.endpoint.clone()));
        if !self.org.is_empty() {
            m.insert("org".into(), Value::from(self.org.clone()));
        }
        for (k, v) in [
            ("policy_url", &self.policy_url),
            ("contact_email", &self.contact_email),
            ("subject_tag", &self.subject_tag),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::from(v.clone()));
            }
        }
        if !is_default_types(&self.types) {
            m.insert(
                "types".into(),
                serde_json::to_value(&self.types).unwrap_or(Value::Null),
            );
        }
        if !self.assets.is_empty() {
            m.insert("assets".into(), Value::from(self.assets.clone()));
        }
        m.insert(
            "max_attachments".into(),
            Value::from(self.limits.max_attachments as u64),
        );
        m.insert(
            "max_attachment_bytes".into(),
            Value::from(self.limits.max_attachment_bytes),
        );
        if let Some(d) = self.response_days {
            m.insert("response_days".into(), Value::from(d));
        }
        if self.report_lang != "en" {
            m.insert("report_lang".into(), Value::from(self.report_lang.clone()));
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(q) = &self.questions_source {
            m.insert("questions".into(), q.clone());
        }
        Value::Object(m)
    }

    fn from_map(map: Map<String, Value>, src: Source) -> Result<Config, Vec<ConfigError>> {
        let mut e = Errs(Vec::new(), src);
        for k in map.keys() {
            if !KEYS.contains(&k.as_str()) {
                let known: Vec<String> = KEYS.iter().map(|k| src.name(k)).collect();
                e.0.push(ConfigError {
                    setting: src.name(k),
                    message: format!("unknown setting; the known ones are: {}", known.join(", ")),
                });
            }
        }
        let s = |e: &mut Errs, key: &str| -> Option<String> {
            match map.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(v)) => Some(v.trim().to_string()),
                Some(_) => {
                    e.push(key, "expected a string");
                    None
                }
            }
        };

        let recipients = match map.get("recipients") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(v)) => v.split_whitespace().map(str::to_string).collect(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                e.push(
                    "recipients",
                    "expected a list of age recipients, like [\"age1…\"]",
                );
                Vec::new()
            }
        };
        let recipients = match check_recipients(&recipients) {
            // The form is built without hardware-key support; refuse what it could not seal
            // to here too, so `sealdrop check-config` and the form agree.
            Ok(r) if r.iter().any(|s| s.starts_with("age1tag")) => {
                e.push("recipients", RecipientProblem::NotInWebForm.message());
                Vec::new()
            }
            Ok(r) => r,
            Err(errors) => {
                for r in errors {
                    e.push("recipients", r.to_string());
                }
                Vec::new()
            }
        };

        let endpoint = s(&mut e, "endpoint").unwrap_or_default();
        if endpoint.is_empty() {
            e.push("endpoint", "missing: set the URL that receives sealed reports, like https://example.com/v1/reports");
        } else if !endpoint_ok(&endpoint) {
            e.push("endpoint", "must be an https:// URL (http:// only for localhost) or a path on the widget's origin like /v1/reports; reports never travel over plain http");
        }

        let org = s(&mut e, "org").unwrap_or_default();
        if org.chars().count() > 100 {
            e.push(
                "org",
                "too long: keep the organization's name under 100 characters",
            );
        }
        let policy_url = s(&mut e, "policy_url").filter(|v| !v.is_empty());
        if let Some(p) = &policy_url {
            if !matches!(check_target(p), Ok(Affected::Url(_))) {
                e.push(
                    "policy_url",
                    "expected the https:// URL of the disclosure policy",
                );
            }
        }
        let contact_email = s(&mut e, "contact_email").filter(|v| !v.is_empty());
        if let Some(c) = &contact_email {
            if !email_shape_ok(c) {
                e.push(
                    "contact_email",
                    "expected an email address like security@example.com",
                );
            } else if c.contains(['?', '&', '%']) {
                // In the fallback's mailto: link they would add headers or recipients.
                e.push(
                    "contact_email",
                    "must not contain ?, & or %: give the plain address, like security@example.com (the subject comes from subject_tag)",
                );
            }
        }
        let subject_tag = s(&mut e, "subject_tag").filter(|v| !v.is_empty());
        if subject_tag
            .as_ref()
            .is_some_and(|t| t.chars().count() > 100 || t.contains(['\n', '\r']))
        {
            e.push(
                "subject_tag",
                "expected one line of at most 100 characters, like [SECURITY] Example",
            );
        }

        let mut types = match types_of(&mut e, &map, "types") {
            Some(t) if t.is_empty() => {
                e.push(
                    "types",
                    "is empty: list at least one kind, or remove it to use the defaults",
                );
                default_types()
            }
            Some(t) => t,
            None => default_types(),
        };
        for t in types_of(&mut e, &map, "extra_types").unwrap_or_default() {
            if types.iter().any(|x| x.id == t.id) {
                e.push("extra_types", format!("{} is already in the list", t.id));
            } else {
                types.push(t);
            }
        }

        let assets = match map.get("assets") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items))
                if items
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) =>
            {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                    .collect()
            }
            Some(_) => {
                e.push("assets", "expected a list of non-empty asset names or URLs");
                Vec::new()
            }
        };

        let defaults = Limits::default();
        let max_attachments =
            num(&mut e, &map, "max_attachments", 0, 100).unwrap_or(defaults.max_attachments as u64);
        let max_attachment_bytes = num(
            &mut e,
            &map,
            "max_attachment_bytes",
            1,
            MAX_ATTACHMENT_BYTES_CEILING,
        )
        .unwrap_or(defaults.max_attachment_bytes);

        // When the organization promises a first answer (days), as disclosure policies do.
        let response_days = num(&mut e, &map, "response_days", 1, 365).map(|n| n as u32);

        let lang = s(&mut e, "lang").unwrap_or_default();
        if !lang.is_empty() && !crate::questions::lang_tag_ok(&lang) {
            e.push("lang", "expected a language tag like en or pt-BR");
        }
        let report_lang = s(&mut e, "report_lang").unwrap_or_else(|| "en".into());
        if !crate::questions::lang_tag_ok(&report_lang) {
            e.push("report_lang", "expected a language tag like en or pt-BR");
        }
        let given = map.get("questions").filter(|v| !v.is_null());
        let (questions, questions_url) = match given {
            None => (Vec::new(), None),
            Some(Value::String(url)) => {
                let url = url.trim().to_string();
                if !(url.starts_with('/') && !url.starts_with("//")
                    || matches!(check_target(&url), Ok(Affected::Url(_))))
                {
                    e.push("questions", "expected a JSON array of questions, or the https:// URL (or /path on the widget's origin) of a JSON file of them");
                }
                (Vec::new(), Some(url))
            }
            Some(v) => match crate::parse_questions(v) {
                Ok(q) => (q, None),
                Err(errors) => {
                    for m in errors {
                        e.push("questions", m);
                    }
                    (Vec::new(), None)
                }
            },
        };
        let theme = match s(&mut e, "theme").as_deref() {
            None | Some("auto") => Theme::Auto,
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some(_) => {
                e.push("theme", "expected auto, light or dark");
                Theme::Auto
            }
        };

        if !e.0.is_empty() {
            return Err(e.0);
        }
        Ok(Config {
            response_days,
            recipients,
            endpoint,
            org,
            policy_url,
            contact_email,
            subject_tag,
            types,
            assets,
            limits: Limits {
                max_attachments: max_attachments as usize,
                max_attachment_bytes,
            },
            lang,
            report_lang,
            // Kept for `to_json` (the receiver's sealdrop.json); the form never needs it back.
            #[cfg(not(target_arch = "wasm32"))]
            questions_source: given.cloned(),
            questions,
            questions_url,
            theme,
        })
    }
}

fn default_types() -> Vec<VulnType> {
    DEFAULT_TYPES
        .iter()
        .map(|(id, name)| VulnType {
            id: (*id).into(),
            name: (*name).into(),
        })
        .collect()
}

fn is_default_types(t: &[VulnType]) -> bool {
    t.len() == DEFAULT_TYPES.len()
        && t.iter()
            .zip(DEFAULT_TYPES)
            .all(|(a, (id, name))| a.id == *id && a.name == *name)
}

fn split_list(v: &str) -> Vec<String> {
    v.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_type_pairs(v: &str) -> Result<Vec<VulnType>, ()> {
    split_list(v)
        .into_iter()
        .map(|pair| {
            let (id, name) = pair.split_once(':').ok_or(())?;
            Ok(VulnType {
                id: id.trim().into(),
                name: name.trim().into(),
            })
        })
        .collect()
}

fn types_of(e: &mut Errs, map: &Map<String, Value>, key: &str) -> Option<Vec<VulnType>> {
    let v = map.get(key)?;
    if v.is_null() {
        return None;
    }
    // Read by hand rather than with `from_value`: serde's typed-error path formats floats,
    // which costs the widget 14 KB.
    let parsed: Option<Vec<VulnType>> = v.as_array().and_then(|items| {
        items
            .iter()
            .map(|t| {
                let o = t.as_object().filter(|o| o.len() == 2)?;
                Some(VulnType {
                    id: o.get("id")?.as_str()?.to_string(),
                    name: o.get("name")?.as_str()?.to_string(),
                })
            })
            .collect()
    });
    let Some(list) = parsed else {
        e.push(
            key,
            "expected a list of {\"id\": \"CWE-79\", \"name\": \"Cross-site scripting\"} objects",
        );
        return None;
    };
    let mut seen: Vec<&str> = Vec::new();
    for t in &list {
        if t.id.trim().is_empty()
            || t.id.chars().any(|c| c.is_whitespace() || c.is_control())
            || t.id.len() > 64
        {
            e.push(
                key,
                format!(
                    "\"{}\" is not a usable id: use an id without spaces, like CWE-79",
                    t.id.trim()
                ),
            );
        } else if t.name.trim().is_empty() {
            e.push(key, format!("{} has no name", t.id));
        } else if seen.contains(&t.id.as_str()) {
            e.push(key, format!("{} is listed twice", t.id));
        }
        seen.push(&t.id);
    }
    Some(list)
}

fn num(e: &mut Errs, map: &Map<String, Value>, key: &str, min: u64, max: u64) -> Option<u64> {
    let v = map.get(key)?;
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            e.push(key, format!("expected a whole number from {min} to {max}"));
            None
        }
    }
}

/// https anywhere; http only to this machine; or a same-origin absolute path.
pub fn endpoint_ok(endpoint: &str) -> bool {
    if endpoint.starts_with('/') && !endpoint.starts_with("//") {
        // A backslash counts as a slash in browsers' URL parsing: "/\\evil.example" is
        // another host.
        return !endpoint
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
    }
    match check_target(endpoint) {
        Ok(Affected::Url(u)) => {
            let lower = u.to_ascii_lowercase();
            if lower.starts_with("https://") {
                return true;
            }
            let rest = &lower["http://".len()..];
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..host_end];
            let host = if authority.starts_with('[') {
                authority
                    .split(']')
                    .next()
                    .map(|h| format!("{h}]"))
                    .unwrap_or_default()
            } else {
                authority.split(':').next().unwrap_or("").to_string()
            };
            matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
        }
        _ => false,
    }
}
