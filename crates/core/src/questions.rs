//! The organization's own questions (`questions` in `sealdrop.json`, `data-questions` inline):
//! asked in the step they name, validated like the built-in fields, answered in `report.json`
//! under `answers` and in `report.md`. Labels may be given in one or several languages.

use serde_json::Value;

/// Most questions an organization may add; each is another field for every researcher.
pub const MAX_QUESTIONS: usize = 20;
/// Most choices of one choice question.
pub const MAX_CHOICES: usize = 20;

/// How a question is answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum QuestionKind {
    /// One line of text.
    Text,
    /// Several lines.
    Textarea,
    /// One of the given choices (radio buttons).
    Choice,
    /// An http(s) URL.
    Url,
}

/// A text in one or several languages: `"Which version?"` or `{"en": "Which version?",
/// "de": "Welche Version?"}`. The form shows the researcher's language, else the closest one,
/// else English, else the first given.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Text(pub Vec<(String, String)>);

impl Text {
    /// The text for the language tag `lang`.
    pub fn get(&self, lang: &str) -> &str {
        let primary = |t: &str| t.split('-').next().unwrap_or("").to_ascii_lowercase();
        let by = |f: &dyn Fn(&str) -> bool| self.0.iter().find(|(l, _)| f(l)).map(|(_, v)| v);
        by(&|l| l.eq_ignore_ascii_case(lang))
            .or_else(|| by(&|l| primary(l) == primary(lang)))
            .or_else(|| by(&|l| l.is_empty() || primary(l) == "en"))
            .or_else(|| self.0.first().map(|(_, v)| v))
            .map_or("", String::as_str)
    }
}

/// The steps a question may be asked in (the review step shows answers, it asks nothing).
pub const QUESTION_STEPS: &[&str] = &["kind", "where", "reproduce", "impact", "evidence", "about"];

/// One of the organization's questions.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Question {
    /// Lower-case letters, digits, `_` and `-`, unique: the key of its answer in `report.json`.
    pub id: String,
    pub label: Text,
    pub hint: Option<Text>,
    pub kind: QuestionKind,
    /// The choices of a choice question, in order.
    pub choices: Vec<Text>,
    pub required: bool,
    /// The index in [`QUESTION_STEPS`] of the step that asks it.
    pub step: usize,
}

fn is_lang_tag(t: &str) -> bool {
    let mut parts = t.split('-');
    parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()))
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A language tag like `en` or `pt-BR`.
pub fn lang_tag_ok(t: &str) -> bool {
    is_lang_tag(t)
}

fn text(v: Option<&Value>, max: usize, what: &str) -> Result<Option<Text>, String> {
    // One line, without control characters or bidi overrides that could disguise the text.
    let ok = |s: &str| {
        !s.trim().is_empty()
            && s.chars().count() <= max
            && !s.chars().any(crate::validate::is_invisible_control)
    };
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ok(s) => Ok(Some(Text(vec![(String::new(), s.trim().into())]))),
        Some(Value::Object(m)) if !m.is_empty() => {
            let mut out = Vec::new();
            for (lang, s) in m {
                match s.as_str() {
                    Some(s) if is_lang_tag(lang) && ok(s) => out.push((lang.clone(), s.trim().into())),
                    _ => return Err(format!("{what}: each text must be one line of 1 to {max} characters, under a language tag like \"de\"")),
                }
            }
            Ok(Some(Text(out)))
        }
        Some(_) => Err(format!("{what}: expected one line of 1 to {max} characters, or such lines by language: {{\"en\": \"…\", \"de\": \"…\"}}")),
    }
}

/// Parses and checks the `questions` setting: a JSON array of
/// `{id, label, hint, kind, choices, required, step}`.
///
/// # Errors
/// Every problem found, each naming the question (`questions[2].kind: …`).
pub fn parse_questions(v: &Value) -> Result<Vec<Question>, Vec<String>> {
    let Some(items) = v.as_array() else {
        return Err(vec!["expected a JSON array of questions: [{\"id\": \"app_version\", \"label\": \"Which app version?\"}]".into()]);
    };
    let mut errors = Vec::new();
    if items.len() > MAX_QUESTIONS {
        errors.push(format!("at most {MAX_QUESTIONS} questions"));
    }
    let mut out: Vec<Question> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |k: &str| format!("questions[{i}].{k}");
        let Some(o) = item.as_object() else {
            errors.push(format!(
                "questions[{i}]: expected an object with id and label"
            ));
            continue;
        };
        for k in o.keys() {
            if !["id", "label", "hint", "kind", "choices", "required", "step"].contains(&k.as_str())
            {
                errors.push(format!(
                    "{}: unknown; a question has id, label, hint, kind, choices, required, step",
                    at(k)
                ));
            }
        }
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if id.is_empty()
            || id.len() > 40
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
        {
            errors.push(format!(
                "{}: expected 1 to 40 of a-z, 0-9, _ and -, like app_version",
                at("id")
            ));
        } else if ids.contains(&id) {
            errors.push(format!("{}: {id} is used twice", at("id")));
        }
        ids.push(id.clone());
        let label = match text(o.get("label"), 200, &at("label")) {
            Ok(Some(l)) => Some(l),
            Ok(None) => {
                errors.push(format!("{}: missing", at("label")));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let hint = text(o.get("hint"), 500, &at("hint")).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let kind = match o.get("kind").and_then(Value::as_str).unwrap_or("text") {
            "text" => QuestionKind::Text,
            "textarea" => QuestionKind::Textarea,
            "choice" => QuestionKind::Choice,
            "url" => QuestionKind::Url,
            _ => {
                errors.push(format!(
                    "{}: expected text, textarea, choice or url",
                    at("kind")
                ));
                QuestionKind::Text
            }
        };
        let mut choices = Vec::new();
        match (kind, o.get("choices")) {
            (QuestionKind::Choice, Some(Value::Array(cs)))
                if (2..=MAX_CHOICES).contains(&cs.len()) =>
            {
                for (j, c) in cs.iter().enumerate() {
                    match text(Some(c), 200, &format!("{}[{j}]", at("choices"))) {
                        Ok(Some(t)) => choices.push(t),
                        Ok(None) => errors.push(format!("{}[{j}]: empty", at("choices"))),
                        Err(e) => errors.push(e),
                    }
                }
            }
            (QuestionKind::Choice, _) => errors.push(format!(
                "{}: a choice question needs 2 to {MAX_CHOICES} choices, like [\"Yes\", \"No\"]",
                at("choices")
            )),
            (_, None | Some(Value::Null)) => {}
            (_, Some(_)) => errors.push(format!(
                "{}: only a choice question has choices",
                at("choices")
            )),
        }
        let required = match o.get("required") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.push(format!("{}: expected true or false", at("required")));
                false
            }
        };
        let step = match o.get("step").and_then(Value::as_str) {
            None => Some(3),
            Some(s) => QUESTION_STEPS.iter().position(|x| *x == s),
        };
        let Some(step) = step else {
            errors.push(format!(
                "{}: expected one of {}",
                at("step"),
                QUESTION_STEPS.join(", ")
            ));
            continue;
        };
        if let Some(label) = label {
            out.push(Question {
                id,
                label,
                hint,
                kind,
                choices,
                required,
                step,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
