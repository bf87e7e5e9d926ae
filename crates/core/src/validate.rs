//! Turns a [`Draft`] into a [`Report`], or says everything that is wrong with it at once.

use std::fmt;

use crate::filename::{dedupe, safe_file_name};
use crate::report::{
    AttachmentMeta, Credit, Draft, Policy, Report, Reporter, Severity, TypeRef, SCHEMA,
};
use crate::severity::CvssError;
use crate::target::{check_target, TargetError};

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 100_000;
pub const MAX_SHORT: usize = 200;
pub const MAX_TYPE_ID: usize = 64;

/// Attachment limits; the vendor's config may change them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Limits {
    pub max_attachments: usize,
    pub max_attachment_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_attachments: 10,
            max_attachment_bytes: 25 * 1024 * 1024,
        }
    }
}

/// What is wrong with one field.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// A line break in a one-line field.
    MultiLine,
    /// An invisible control character or bidi override in a one-line field: it could rewrite
    /// a terminal or disguise text where the report is read.
    ControlCharacters,
    /// A type id with spaces or control characters.
    BadTypeId,
    Target(TargetError),
    Cvss(CvssError),
    EmailShape,
    CreditNeedsName,
    CreditNeedsHandle,
    TooManyFiles {
        max: usize,
    },
    TooLarge {
        max_bytes: u64,
    },
    PolicyNotAccepted,
    /// An attachment whose digest is not known yet: it is still being read.
    StillReading,
    /// A vendor's choice question answered with something that is not one of its choices.
    UnknownChoice,
    /// A vendor's URL question answered with something that is not an http(s) URL.
    NotAUrl,
}

impl Problem {
    /// The key of this problem's sentence in the form's catalogues (`www/i18n/*.json`): what
    /// happened and what to do, in the researcher's language.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "problem_required",
            Problem::TooLong { .. } => "problem_too_long",
            Problem::MultiLine => "problem_multi_line",
            Problem::ControlCharacters => "problem_control_characters",
            Problem::BadTypeId => "problem_bad_type_id",
            Problem::Target(TargetError::Empty) => "problem_target_empty",
            Problem::Target(TargetError::TooLong) => "problem_target_too_long",
            Problem::Target(TargetError::UnsupportedScheme) => "problem_target_scheme",
            Problem::Target(TargetError::Credentials) => "problem_target_credentials",
            Problem::Target(TargetError::MalformedUrl) => "problem_target_malformed",
            Problem::Target(TargetError::ControlCharacters) => "problem_target_control",
            Problem::Cvss(CvssError::UnsupportedVersion) => "problem_cvss_version",
            Problem::Cvss(CvssError::InvalidMetrics) => "problem_cvss_metrics",
            Problem::Cvss(CvssError::Unscored) => "problem_cvss_unscored",
            Problem::EmailShape => "problem_email_shape",
            Problem::CreditNeedsName => "problem_credit_name",
            Problem::CreditNeedsHandle => "problem_credit_handle",
            Problem::TooManyFiles { .. } => "problem_too_many_files",
            Problem::TooLarge { .. } => "problem_too_large",
            Problem::PolicyNotAccepted => "problem_policy",
            Problem::StillReading => "problem_still_reading",
            Problem::UnknownChoice => "problem_unknown_choice",
            Problem::NotAUrl => "problem_not_a_url",
        }
    }

    /// The values of the sentence's placeholders: `{max}` (characters or files), `{size}`.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Problem::TooLong { max } | Problem::TooManyFiles { max } => {
                vec![("max", max.to_string())]
            }
            Problem::TooLarge { max_bytes } => vec![("size", human_bytes(*max_bytes))],
            _ => Vec::new(),
        }
    }

    /// The sentence in English, from the English catalogue: for the command line and logs.
    /// The form says it in the researcher's language from its own catalogue.
    pub fn message(&self) -> String {
        crate::english::fill(self.code(), &self.params())
    }
}

/// Bytes for people: `25 MB`, `512 KB`, `10 bytes`.
pub fn human_bytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= MB && n.is_multiple_of(MB) {
        format!("{} MB", n / MB)
    } else if n >= MB {
        // Integer tenths: float formatting would add 14 KB to the widget.
        let t = (n * 10 + MB / 2) / MB;
        format!("{}.{} MB", t / 10, t % 10)
    } else if n >= 1024 {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// One field's problem. `field` is a stable path: `title`, `affected.0`, `reporter.email`,
/// `attachments.2`, …, which the widget uses to place the message and move focus.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldError {
    pub field: FieldId,
    pub problem: Problem,
}

/// A field of the report as the researcher fills it in: what a validation problem is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldId {
    Id,
    CreatedAt,
    Title,
    /// The kind of vulnerability (its id).
    Type,
    /// The kind's name (typed for "Other").
    TypeName,
    /// The list of affected URLs and assets as a whole.
    Affected,
    /// One entry of that list.
    Target(usize),
    Prerequisites,
    Steps,
    Impact,
    /// The organization's question at this index of its `questions`.
    Answer(usize),
    Cvss,
    ReporterName,
    ReporterHandle,
    ReporterEmail,
    Attachments,
    Policy,
}

impl FieldId {
    /// The field's path in the report (`reporter.email`, `affected.2`): for logs and the CLI.
    pub fn path(self) -> String {
        let s = match self {
            FieldId::Id => "id",
            FieldId::CreatedAt => "created_at",
            FieldId::Title => "title",
            FieldId::Type => "type",
            FieldId::TypeName => "type_name",
            FieldId::Affected => "affected",
            FieldId::Target(i) => return format!("affected.{i}"),
            FieldId::Prerequisites => "prerequisites",
            FieldId::Steps => "steps",
            FieldId::Impact => "impact",
            FieldId::Answer(i) => return format!("answers.{i}"),
            FieldId::Cvss => "cvss",
            FieldId::ReporterName => "reporter.name",
            FieldId::ReporterHandle => "reporter.handle",
            FieldId::ReporterEmail => "reporter.email",
            FieldId::Attachments => "attachments",
            FieldId::Policy => "policy",
        };
        s.to_string()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.path(), self.problem.message())
    }
}

/// Every problem found, in form order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// The problem of one field, if any.
    pub fn get(&self, field: FieldId) -> Option<&Problem> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.problem)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

struct Checker(Vec<FieldError>);

impl Checker {
    fn push(&mut self, field: FieldId, problem: Problem) {
        self.0.push(FieldError { field, problem });
    }

    /// Trims; checks presence, length and (for one-line fields) line breaks.
    fn text(
        &mut self,
        field: FieldId,
        v: &str,
        required: bool,
        max: usize,
        one_line: bool,
    ) -> String {
        let t = v.trim();
        if t.is_empty() && required {
            self.push(field, Problem::Required);
        } else if t.chars().count() > max {
            self.push(field, Problem::TooLong { max });
        } else if one_line && t.contains(['\n', '\r']) {
            self.push(field, Problem::MultiLine);
        } else if one_line && t.chars().any(is_invisible_control) {
            self.push(field, Problem::ControlCharacters);
        }
        t.to_string()
    }
}

/// C0 and C1 control characters (tab included) and the bidi embeddings, overrides and
/// isolates (U+202A-202E, U+2066-2069), none of which belongs in a one-line field.
pub fn is_invisible_control(c: char) -> bool {
    c.is_control() || is_bidi_override(c)
}

/// The bidi embeddings, overrides and isolates, which reorder the text around them.
pub(crate) fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn some(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// A plausible email address: one `@`, something before it, a dotted domain after, no spaces.
pub fn email_shape_ok(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
}

/// The answers to the organization's questions, each checked by its kind; unanswered optional
/// questions are left out.
fn answers(c: &mut Checker, given: &[crate::DraftAnswer]) -> Vec<crate::Answer> {
    use crate::QuestionKind;
    let mut out = Vec::new();
    for (i, a) in given.iter().enumerate() {
        let field = FieldId::Answer(i);
        let value = match a.kind {
            QuestionKind::Text => c.text(field, &a.value, a.required, MAX_SHORT * 5, true),
            QuestionKind::Textarea => c.text(field, &a.value, a.required, MAX_TEXT, false),
            QuestionKind::Url => {
                let v = c.text(field, &a.value, a.required, MAX_SHORT * 10, true);
                if !v.is_empty() && !matches!(check_target(&v), Ok(crate::Affected::Url(_))) {
                    c.push(field, Problem::NotAUrl);
                }
                v
            }
            QuestionKind::Choice => {
                let v = a.value.trim().to_string();
                if v.is_empty() && a.required {
                    c.push(field, Problem::Required);
                } else if !v.is_empty() && !a.choices.contains(&v) {
                    c.push(field, Problem::UnknownChoice);
                }
                v
            }
        };
        if !value.is_empty() {
            out.push(crate::Answer {
                id: a.id.clone(),
                question: a.question.clone(),
                answer: value,
            });
        }
    }
    out
}

/// Validates a draft. On success the report is ready to seal; on failure every problem is listed.
///
/// # Errors
/// [`ValidationErrors`] naming each field that is wrong and what to do.
pub fn validate(d: &Draft, limits: &Limits) -> Result<Report, ValidationErrors> {
    let mut c = Checker(Vec::new());
    let id = c.text(FieldId::Id, &d.id, true, MAX_SHORT, true);
    let created_at = c.text(FieldId::CreatedAt, &d.created_at, true, MAX_SHORT, true);

    // Form order: the title comes first on the form's first step.
    let title = c.text(FieldId::Title, &d.title, true, MAX_TITLE, true);
    let type_id = c.text(FieldId::Type, &d.type_id, true, MAX_TYPE_ID, true);
    if !type_id.is_empty()
        && type_id
            .chars()
            .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        c.push(FieldId::Type, Problem::BadTypeId);
    }
    let type_name = c.text(FieldId::TypeName, &d.type_name, true, MAX_SHORT, true);

    let mut affected = Vec::new();
    for (i, t) in d.affected.iter().enumerate() {
        if t.trim().is_empty() {
            continue;
        }
        match check_target(t) {
            Ok(a) => affected.push(a),
            Err(e) => c.push(FieldId::Target(i), Problem::Target(e)),
        }
    }
    if affected.is_empty() && !c.0.iter().any(|e| matches!(e.field, FieldId::Target(_))) {
        c.push(FieldId::Affected, Problem::Required);
    }

    let prerequisites = c.text(
        FieldId::Prerequisites,
        &d.prerequisites,
        false,
        MAX_TEXT,
        false,
    );
    let steps = c.text(FieldId::Steps, &d.steps, true, MAX_TEXT, false);
    let impact = c.text(FieldId::Impact, &d.impact, true, MAX_TEXT, false);
    let answers = answers(&mut c, &d.answers);

    let vector = d.cvss.trim();
    let severity = if vector.is_empty() {
        None
    } else {
        // With a scorer here, the score is computed; without one (the web form), it is the
        // one the caller got for this very vector from its scorer module.
        #[cfg(feature = "cvss")]
        let scored = crate::severity::score_vector(vector);
        #[cfg(not(feature = "cvss"))]
        let scored = crate::severity::check_version(vector)
            .and_then(|()| d.cvss_score.unwrap_or(Err(CvssError::Unscored)));
        match scored {
            Ok(s) => Some(Severity {
                vector: vector.to_string(),
                score: s.score,
                rating: s.rating.to_string(),
            }),
            Err(e) => {
                c.push(FieldId::Cvss, Problem::Cvss(e));
                None
            }
        }
    };

    let name = c.text(
        FieldId::ReporterName,
        &d.reporter_name,
        false,
        MAX_SHORT,
        true,
    );
    let handle = c.text(
        FieldId::ReporterHandle,
        &d.reporter_handle,
        false,
        MAX_SHORT,
        true,
    );
    let email = c.text(
        FieldId::ReporterEmail,
        &d.reporter_email,
        false,
        MAX_SHORT,
        true,
    );
    if !email.is_empty() && !email_shape_ok(&email) {
        c.push(FieldId::ReporterEmail, Problem::EmailShape);
    }
    match d.credit {
        Credit::Name if name.is_empty() => c.push(FieldId::ReporterName, Problem::CreditNeedsName),
        Credit::Handle if handle.is_empty() => {
            c.push(FieldId::ReporterHandle, Problem::CreditNeedsHandle)
        }
        _ => {}
    }
    let reporter = if name.is_empty() && handle.is_empty() && email.is_empty() {
        (d.credit != Credit::Anonymous).then(|| Reporter {
            credit: d.credit,
            ..Reporter::default()
        })
    } else {
        Some(Reporter {
            name: some(name),
            handle: some(handle),
            email: some(email),
            credit: d.credit,
        })
    };

    let mut attachments = Vec::new();
    if d.attachments.len() > limits.max_attachments {
        c.push(
            FieldId::Attachments,
            Problem::TooManyFiles {
                max: limits.max_attachments,
            },
        );
    }
    let total: u64 = d.attachments.iter().map(|a| a.size).sum();
    if total > limits.max_attachment_bytes {
        c.push(
            FieldId::Attachments,
            Problem::TooLarge {
                max_bytes: limits.max_attachment_bytes,
            },
        );
    }
    let digest_ok =
        |h: &str| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if d.attachments.iter().any(|a| !digest_ok(&a.sha256)) {
        c.push(FieldId::Attachments, Problem::StillReading);
    }
    let mut names: Vec<String> = Vec::new();
    for a in &d.attachments {
        let name = dedupe(safe_file_name(&a.name), &names);
        names.push(name.clone());
        let media_type = if a.media_type.trim().is_empty() || a.media_type.len() > 255 {
            "application/octet-stream".to_string()
        } else {
            a.media_type.trim().to_string()
        };
        attachments.push(AttachmentMeta {
            path: format!("attachments/{name}"),
            name,
            size: a.size,
            sha256: a.sha256.clone(),
            media_type,
        });
    }

    let policy_url = d.policy_url.trim();
    let accepted = d.policy_accepted_at.trim();
    let policy = if policy_url.is_empty() {
        None
    } else if accepted.is_empty() {
        c.push(FieldId::Policy, Problem::PolicyNotAccepted);
        None
    } else {
        Some(Policy {
            url: policy_url.to_string(),
            accepted_at: accepted.to_string(),
        })
    };

    if !c.0.is_empty() {
        return Err(ValidationErrors(c.0));
    }
    Ok(Report {
        schema: SCHEMA.to_string(),
        id,
        created_at,
        kind: TypeRef {
            id: type_id,
            name: type_name,
        },
        title,
        affected,
        prerequisites: some(prerequisites),
        steps,
        impact,
        answers,
        severity,
        reporter,
        attachments,
        policy,
        reply_to: None,
    })
}
