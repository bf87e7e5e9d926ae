//! The report: what a researcher types (`Draft`) and what gets sealed (`Report`).
//!
//! `Report` is `report.json` of the bundle. Neither type derives `Debug`: they hold the
//! plaintext of an undisclosed vulnerability, and a stray `{:?}` must not be able to log it.

use serde::{Deserialize, Serialize};

/// The value of `report.json`'s `schema` field.
pub const SCHEMA: &str = "sealdrop.report.v1";

/// The kind of vulnerability: a CWE id like `CWE-79` or a vendor's own id, and its name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRef {
    pub id: String,
    pub name: String,
}

/// How the researcher wants to be credited.
#[derive(Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    Name,
    Handle,
    #[default]
    Anonymous,
}

/// An affected target: a URL (http or https, no credentials) or an asset name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Affected {
    Url(String),
    Asset(String),
}

impl Affected {
    pub fn as_str(&self) -> &str {
        match self {
            Affected::Url(s) | Affected::Asset(s) => s,
        }
    }
}

/// A scored CVSS vector.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub vector: String,
    pub score: f64,
    /// `none`, `low`, `medium`, `high` or `critical`.
    pub rating: String,
}

/// Who reported it; every part optional.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reporter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub credit: Credit,
}

/// An attachment as `report.json` lists it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// The safe file name (see [`crate::safe_file_name`]).
    pub name: String,
    pub size: u64,
    pub sha256: String,
    pub media_type: String,
    /// Path inside the bundle: `attachments/<name>`.
    pub path: String,
}

/// The disclosure policy the researcher accepted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub url: String,
    pub accepted_at: String,
}

/// The answer to one of the organization's own questions.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's `id`, as the organization configured it.
    pub id: String,
    /// The question's label in the organization's `report_lang`.
    pub question: String,
    /// What the researcher typed, or the chosen answer's label in `report_lang`.
    pub answer: String,
}

/// A validated report: the content of `report.json`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub id: String,
    pub created_at: String,
    #[serde(rename = "type")]
    pub kind: TypeRef,
    pub title: String,
    pub affected: Vec<Affected>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prerequisites: Option<String>,
    pub steps: String,
    pub impact: String,
    /// The answers to the organization's own questions (its `questions` setting), in its order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<Answer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<Reporter>,
    pub attachments: Vec<AttachmentMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The researcher's reply recipient (`age1…`, derived from their follow-up key), when they
    /// keep a conversation open: the organization seals its replies to it
    /// (docs/conversation.md). It travels only inside the ciphertext.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

/// A file the researcher attached: what is known about it, never its bytes. The bytes stay in
/// the browser's `File` (or on disk) and are streamed through the sealer when the report is sent,
/// which checks them against `size` and `sha256`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DraftAttachment {
    /// The name as the browser gave it; made safe during validation.
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// SHA-256 of the bytes as lower-case hex, computed once when the file was attached; empty
    /// while that is still under way.
    pub sha256: String,
}

impl DraftAttachment {
    /// The metadata of `bytes` (for native callers and tests, which have the bytes at hand).
    pub fn of(name: &str, media_type: &str, bytes: &[u8]) -> Self {
        DraftAttachment {
            name: name.to_string(),
            media_type: media_type.to_string(),
            size: bytes.len() as u64,
            sha256: crate::sha256_hex(bytes),
        }
    }
}

/// The report as typed: plain strings, checked by [`crate::validate`].
#[derive(Clone, PartialEq, Default)]
pub struct Draft {
    pub id: String,
    pub created_at: String,
    pub type_id: String,
    pub type_name: String,
    pub title: String,
    /// One entry per affected URL or asset; empty entries are ignored.
    pub affected: Vec<String>,
    pub prerequisites: String,
    pub steps: String,
    pub impact: String,
    /// A CVSS v3.1 or v4.0 vector, or empty.
    pub cvss: String,
    /// The score of `cvss` as a scorer outside the core computed it (the web form's scorer
    /// module): used when the core is built without its own (feature `cvss`), else ignored.
    pub cvss_score: Option<Result<crate::Score, crate::CvssError>>,
    pub reporter_name: String,
    pub reporter_handle: String,
    pub reporter_email: String,
    pub credit: Credit,
    pub attachments: Vec<DraftAttachment>,
    /// The policy URL shown, if the vendor configured one.
    pub policy_url: String,
    /// When the researcher ticked "I have read the policy" (RFC 3339), empty if not.
    pub policy_accepted_at: String,
    /// The organization's questions with what was typed or chosen, in the configured order.
    pub answers: Vec<DraftAnswer>,
}

/// One of the organization's questions as the form asks it: its rules and the value given.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DraftAnswer {
    pub id: String,
    /// The label in the organization's `report_lang`, for `report.json` and `report.md`.
    pub question: String,
    pub kind: crate::QuestionKind,
    pub required: bool,
    /// The choices' labels in `report_lang` (choice questions).
    pub choices: Vec<String>,
    /// What was typed, or the chosen label (in `report_lang`); empty if nothing.
    pub value: String,
}
