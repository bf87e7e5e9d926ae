//! The form's state and its pure reducer: every change is an [`Action`], so the whole flow is
//! tested natively without a browser. Components only render state and dispatch actions.

use std::rc::Rc;

use sealdrop_core::{
    validate, Credit, CvssError, Draft, DraftAnswer, DraftAttachment, FieldError, FieldId, Limits,
    Question, QuestionKind, Report, Score,
};
use yew::Reducible;

use crate::sealer::Sealed;
use crate::submit::DeliveryError;

/// The steps, in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    Kind,
    Where,
    Reproduce,
    Impact,
    Evidence,
    About,
    Review,
}

pub const STEPS: [Step; 7] = [
    Step::Kind,
    Step::Where,
    Step::Reproduce,
    Step::Impact,
    Step::Evidence,
    Step::About,
    Step::Review,
];

impl Step {
    pub fn index(self) -> usize {
        STEPS.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step on which a field is edited; the organization's questions name theirs.
    pub fn of_field(field: FieldId, questions: &[Question]) -> Step {
        match field {
            FieldId::Answer(i) => questions
                .get(i)
                .and_then(|q| STEPS.get(q.step))
                .copied()
                .unwrap_or(Step::Review),
            FieldId::Type | FieldId::TypeName | FieldId::Title => Step::Kind,
            FieldId::Affected | FieldId::Target(_) => Step::Where,
            FieldId::Prerequisites | FieldId::Steps => Step::Reproduce,
            FieldId::Impact | FieldId::Cvss => Step::Impact,
            FieldId::Attachments => Step::Evidence,
            FieldId::ReporterName | FieldId::ReporterHandle | FieldId::ReporterEmail => Step::About,
            FieldId::Policy | FieldId::Id | FieldId::CreatedAt => Step::Review,
        }
    }
}

/// A text field of the form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    TypeQuery,
    OtherName,
    Title,
    Prerequisites,
    Steps,
    Impact,
    Cvss,
    Name,
    Handle,
    Email,
}

/// Where delivery stands: an explicit state machine, never a bare flag.
#[derive(Clone, PartialEq)]
pub enum Delivery {
    Editing,
    /// The worker is sealing: plaintext bytes read so far, of the total.
    Sealing {
        done: f64,
        total: f64,
    },
    Sending {
        attempt: u32,
        retry_in: Option<u32>,
        /// Bytes of this attempt sent so far, and the total.
        sent: f64,
        total: f64,
    },
    Delivered {
        receipt: String,
        sha256: String,
        sealed: Sealed,
        report: Rc<Report>,
    },
    Failed {
        reason: DeliveryError,
        sealed: Sealed,
        report: Rc<Report>,
    },
}

/// An attached file: its metadata (the digest arrives from the sealing worker once the file
/// has been read) and the browser's `File`, which the worker reads again when sealing. Its
/// bytes are never held by the form.
#[derive(Clone, PartialEq)]
pub struct Attached {
    /// Unique within the form's life, to match the worker's answers.
    pub id: u32,
    pub meta: DraftAttachment,
    /// Bytes read so far for the digest.
    pub read: f64,
    /// `None` in native tests.
    pub file: Option<web_sys::File>,
    /// Where removing an image's metadata stands (`crate::scrub`).
    pub scrub: Scrub,
}

/// An attachment's metadata scrub.
#[derive(Clone, PartialEq)]
pub enum Scrub {
    /// Not an image the scrub knows.
    NotImage,
    /// Being checked; its digest comes after.
    Pending,
    /// Checked: it holds no metadata.
    Clean,
    /// `file` is the cleaned copy; this is the original, which the researcher may send instead.
    Removed(web_sys::File),
    /// The researcher chose to send the original (`file`); this is the cleaned copy.
    Kept(web_sys::File),
    /// Could not be checked (the scrub did not load, or the image is over 64 MiB): sent as is.
    Unchecked,
}

/// Everything the researcher typed. No `Debug`: it is the plaintext report.
#[derive(Clone, PartialEq, Default)]
pub struct Form {
    pub type_id: String,
    pub type_name: String,
    pub type_query: String,
    pub other_name: String,
    pub title: String,
    pub affected: Vec<String>,
    pub prerequisites: String,
    pub steps: String,
    pub impact: String,
    pub cvss: String,
    pub name: String,
    pub handle: String,
    pub email: String,
    pub credit: Credit,
    pub files: Vec<Rc<Attached>>,
    pub policy_accepted_at: Option<String>,
    /// The researcher opted out of a conversation (no follow-up key) on the review step.
    pub no_thread: bool,
    /// The answers to the organization's questions, by index: the text typed, or for a
    /// choice question the chosen choice's index.
    pub answers: Vec<String>,
}

pub const OTHER: &str = "other";

#[derive(Clone, PartialEq)]
pub struct State {
    pub id: String,
    pub step: Step,
    pub form: Form,
    /// Errors of the last Next/Send, shown until fixed.
    pub errors: Vec<FieldError>,
    /// Bumped whenever focus must move to the first error (or the new step's heading).
    pub focus: u32,
    pub delivery: Delivery,
    pub limits: Limits,
    pub policy_url: String,
    /// A problem outside any field (sealing failed), shown above the step.
    pub notice: Option<String>,
    /// The follow-up key's secret of the report being sent (docs/conversation.md): made at
    /// Send, kept in memory only, shown with the receipt.
    pub thread_secret: Option<[u8; 16]>,
    /// The organization's own questions (its `questions` setting).
    pub questions: Rc<Vec<Question>>,
    /// The language the answers' labels go into `report.json` and `report.md` in.
    pub report_lang: String,
    /// The scorer module's answer for a CVSS vector (`crate::scorer`); validation uses it
    /// while the field still holds that vector.
    pub cvss_score: Option<(String, Result<Score, CvssError>)>,
}

pub enum Action {
    Set(Field, String),
    ChooseType {
        id: String,
        name: String,
    },
    SetTarget(usize, String),
    /// The answer to the organization's question at this index.
    Answer(usize, String),
    /// The scorer's answer for a CVSS vector.
    CvssScored(String, Result<Score, CvssError>),
    AddTarget,
    RemoveTarget(usize),
    SetCredit(Credit),
    AddFiles(Vec<Attached>),
    /// The worker has read `done` bytes of attachment `id`.
    FileRead {
        id: u32,
        done: f64,
    },
    /// The digest of attachment `id`, or `None` when it could not be read (it is removed).
    Digested {
        id: u32,
        sha256: Option<String>,
    },
    RemoveFile(usize),
    /// The scrub's answer for attachment `id`: the cleaned copy, nothing to remove, or `Err`
    /// when it could not run.
    Scrubbed {
        id: u32,
        cleaned: Result<Option<web_sys::File>, ()>,
    },
    /// Send the original of attachment `id` instead of its cleaned copy, or back; it becomes
    /// attachment `new_id` (so a digest of the other copy still under way is ignored).
    SwapOriginal {
        id: u32,
        new_id: u32,
    },
    AcceptPolicy(Option<String>),
    /// Opt out of (true) or back into the conversation.
    NoThread(bool),
    /// The secret made for the report about to be sealed.
    ThreadSecret(Option<[u8; 16]>),
    Next,
    Back,
    GoTo(Step),
    /// Send pressed: validate everything; on success the app seals.
    Submit,
    Delivery(Delivery),
    /// Plaintext bytes sealed so far, of the total.
    SealProgress {
        done: f64,
        total: f64,
    },
    /// Bytes of the attempt in progress sent so far, of the total.
    Uploaded {
        sent: f64,
        total: f64,
    },
    Notice(Option<String>),
    Reset {
        id: String,
    },
}

impl State {
    pub fn new(id: String, limits: Limits, policy_url: String) -> Self {
        State {
            id,
            step: Step::Kind,
            form: Form {
                affected: vec![String::new()],
                ..Form::default()
            },
            errors: Vec::new(),
            focus: 0,
            delivery: Delivery::Editing,
            limits,
            policy_url,
            notice: None,
            thread_secret: None,
            questions: Rc::new(Vec::new()),
            report_lang: "en".into(),
            cvss_score: None,
        }
    }

    /// The organization's questions, asked in the steps they name; their labels go into the
    /// report in `report_lang`.
    pub fn with_questions(mut self, questions: Rc<Vec<Question>>, report_lang: &str) -> Self {
        self.form.answers = vec![String::new(); questions.len()];
        self.questions = questions;
        self.report_lang = report_lang.to_string();
        self
    }

    /// The draft as the core validates it; `created_at` is the time of sending.
    pub fn draft(&self, created_at: &str) -> Draft {
        let f = &self.form;
        let type_name = if f.type_id == OTHER {
            f.other_name.clone()
        } else {
            f.type_name.clone()
        };
        let type_id = f.type_id.clone();
        Draft {
            id: self.id.clone(),
            created_at: created_at.to_string(),
            type_id,
            type_name,
            title: f.title.clone(),
            affected: f.affected.clone(),
            prerequisites: f.prerequisites.clone(),
            steps: f.steps.clone(),
            impact: f.impact.clone(),
            cvss: f.cvss.clone(),
            cvss_score: self.cvss_of(&f.cvss),
            reporter_name: f.name.clone(),
            reporter_handle: f.handle.clone(),
            reporter_email: f.email.clone(),
            credit: f.credit,
            attachments: f.files.iter().map(|a| a.meta.clone()).collect(),
            policy_url: self.policy_url.clone(),
            policy_accepted_at: f.policy_accepted_at.clone().unwrap_or_default(),
            answers: self
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    let lang = &self.report_lang;
                    let choices: Vec<String> =
                        q.choices.iter().map(|c| c.get(lang).to_string()).collect();
                    let given = f.answers.get(i).cloned().unwrap_or_default();
                    let value = match q.kind {
                        QuestionKind::Choice => given
                            .parse::<usize>()
                            .ok()
                            .and_then(|k| choices.get(k).cloned())
                            .unwrap_or_default(),
                        _ => given,
                    };
                    DraftAnswer {
                        id: q.id.clone(),
                        question: q.label.get(lang).to_string(),
                        kind: q.kind,
                        required: q.required,
                        choices,
                        value,
                    }
                })
                .collect(),
        }
    }

    /// Validates everything; the result of a successful check is the report to seal.
    pub fn check(&self, created_at: &str) -> Result<Report, Vec<FieldError>> {
        validate(&self.draft(created_at), &self.limits).map_err(|e| {
            // A kind from the list brings its name; only "Other" has a name field to blame.
            let other = self.form.type_id == OTHER;
            e.0.into_iter()
                .filter(|e| other || e.field != FieldId::TypeName)
                .collect()
        })
    }

    /// The scorer's answer for `vector`, if it has answered for this one.
    pub fn cvss_of(&self, vector: &str) -> Option<Result<Score, CvssError>> {
        self.cvss_score
            .as_ref()
            .filter(|(v, _)| v.trim() == vector.trim())
            .map(|(_, r)| *r)
    }

    /// The errors that belong to `step`.
    pub fn errors_of(&self, step: Step) -> Vec<FieldError> {
        match self.check("1970-01-01T00:00:00Z") {
            Ok(_) => Vec::new(),
            Err(e) => e
                .into_iter()
                .filter(|e| Step::of_field(e.field, &self.questions) == step)
                .collect(),
        }
    }

    /// Has the researcher typed anything worth warning about before leaving?
    pub fn has_content(&self) -> bool {
        let f = &self.form;
        !(f.title.trim().is_empty()
            && f.steps.trim().is_empty()
            && f.impact.trim().is_empty()
            && f.affected.iter().all(|a| a.trim().is_empty())
            && f.files.is_empty())
    }

    /// The problem of a field on screen, said in the language of `t`.
    pub fn error(&self, field: FieldId, t: &crate::i18n::Strings) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| t.problem(&e.problem))
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        let refresh = |s: &mut State| {
            // Errors on screen disappear as they are fixed, never appear while typing.
            if !s.errors.is_empty() {
                let now = s.errors_of(s.step);
                s.errors.retain(|e| now.iter().any(|n| n.field == e.field));
            }
        };
        match action {
            Action::Set(field, v) => {
                let f = &mut s.form;
                *match field {
                    Field::TypeQuery => &mut f.type_query,
                    Field::OtherName => &mut f.other_name,
                    Field::Title => &mut f.title,
                    Field::Prerequisites => &mut f.prerequisites,
                    Field::Steps => &mut f.steps,
                    Field::Impact => &mut f.impact,
                    Field::Cvss => &mut f.cvss,
                    Field::Name => &mut f.name,
                    Field::Handle => &mut f.handle,
                    Field::Email => &mut f.email,
                } = v;
                refresh(&mut s);
            }
            Action::ChooseType { id, name } => {
                s.form.type_id = id;
                s.form.type_name = name;
                refresh(&mut s);
            }
            Action::CvssScored(v, r) => {
                s.cvss_score = Some((v, r));
                refresh(&mut s);
            }
            Action::Answer(i, v) => {
                if let Some(a) = s.form.answers.get_mut(i) {
                    *a = v;
                }
                refresh(&mut s);
            }
            Action::SetTarget(i, v) => {
                if let Some(t) = s.form.affected.get_mut(i) {
                    *t = v;
                }
                refresh(&mut s);
            }
            Action::AddTarget => s.form.affected.push(String::new()),
            Action::RemoveTarget(i) => {
                if s.form.affected.len() > 1 && i < s.form.affected.len() {
                    s.form.affected.remove(i);
                }
                s.errors.clear();
            }
            Action::SetCredit(c) => {
                s.form.credit = c;
                refresh(&mut s);
            }
            Action::AddFiles(files) => {
                s.form.files.extend(files.into_iter().map(Rc::new));
                s.errors = s.errors_of(Step::Evidence);
            }
            Action::FileRead { id, done } => {
                if let Some(f) = s.form.files.iter_mut().find(|f| f.id == id) {
                    Rc::make_mut(f).read = done;
                }
            }
            Action::Digested { id, sha256 } => {
                match sha256 {
                    Some(h) => {
                        if let Some(f) = s.form.files.iter_mut().find(|f| f.id == id) {
                            let f = Rc::make_mut(f);
                            f.meta.sha256 = h;
                            f.read = f.meta.size as f64;
                        }
                    }
                    None => s.form.files.retain(|f| f.id != id),
                }
                if !s.errors.is_empty() {
                    s.errors = s.errors_of(s.step);
                }
            }
            Action::Scrubbed { id, cleaned } => {
                if let Some(f) = s.form.files.iter_mut().find(|f| f.id == id) {
                    let f = Rc::make_mut(f);
                    f.scrub = match cleaned {
                        Ok(Some(copy)) => {
                            f.meta.size = copy.size() as u64;
                            match f.file.replace(copy) {
                                Some(original) => Scrub::Removed(original),
                                None => Scrub::Clean,
                            }
                        }
                        Ok(None) => Scrub::Clean,
                        Err(()) => Scrub::Unchecked,
                    };
                }
            }
            Action::SwapOriginal { id, new_id } => {
                if let Some(f) = s.form.files.iter_mut().find(|f| f.id == id) {
                    let f = Rc::make_mut(f);
                    let (other, to_kept) = match &f.scrub {
                        Scrub::Removed(original) => (original.clone(), true),
                        Scrub::Kept(copy) => (copy.clone(), false),
                        _ => return Rc::new(s),
                    };
                    f.meta.size = other.size() as u64;
                    if let Some(current) = f.file.replace(other) {
                        f.scrub = if to_kept {
                            Scrub::Kept(current)
                        } else {
                            Scrub::Removed(current)
                        };
                    }
                    f.id = new_id;
                    f.meta.sha256.clear();
                    f.read = 0.0;
                }
            }
            Action::RemoveFile(i) => {
                if i < s.form.files.len() {
                    s.form.files.remove(i);
                }
                s.errors = s.errors_of(Step::Evidence);
            }
            Action::AcceptPolicy(at) => {
                s.form.policy_accepted_at = at;
                refresh(&mut s);
            }
            Action::NoThread(no) => s.form.no_thread = no,
            Action::ThreadSecret(secret) => s.thread_secret = secret,
            Action::Next => {
                s.errors = s.errors_of(s.step);
                if s.errors.is_empty() {
                    s.step = STEPS[(s.step.index() + 1).min(STEPS.len() - 1)];
                }
                s.focus += 1;
            }
            Action::Back => {
                s.errors.clear();
                s.step = STEPS[s.step.index().saturating_sub(1)];
                s.focus += 1;
            }
            Action::GoTo(step) => {
                s.errors.clear();
                s.step = step;
                s.focus += 1;
            }
            Action::Submit => {
                if let Err(errors) = s.check("1970-01-01T00:00:00Z") {
                    s.step = errors
                        .first()
                        .map_or(Step::Review, |e| Step::of_field(e.field, &s.questions));
                    s.errors = errors
                        .into_iter()
                        .filter(|e| Step::of_field(e.field, &s.questions) == s.step)
                        .collect();
                }
                s.focus += 1;
            }
            Action::Delivery(d) => s.delivery = d,
            Action::SealProgress { done, total } => {
                if let Delivery::Sealing {
                    done: at,
                    total: of,
                } = &mut s.delivery
                {
                    (*at, *of) = (done, total);
                }
            }
            Action::Uploaded { sent, total } => {
                if let Delivery::Sending {
                    sent: at,
                    total: of,
                    ..
                } = &mut s.delivery
                {
                    (*at, *of) = (sent, total);
                }
            }
            Action::Notice(n) => s.notice = n,
            Action::Reset { id } => {
                s = State::new(id, s.limits, s.policy_url.clone())
                    .with_questions(s.questions.clone(), &s.report_lang);
                s.focus = self.focus + 1;
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
