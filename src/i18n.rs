//! Every string the widget shows, in one catalogue per language. Add a language by adding a
//! `Strings` value and a match arm in [`strings`]. Validation messages come from the core's
//! `Problem::message`, the catalogue of what a person did wrong and what to do next.

/// The widget's user-facing text.
pub struct Strings {
    pub title: &'static str,
    pub intro_org: &'static str,
    pub default_org: &'static str,
    pub steps: [&'static str; 7],
    pub step_of: &'static str,
    pub back: &'static str,
    pub next: &'static str,
    pub optional: &'static str,
    pub errors_heading: &'static str,
    // Kind
    pub title_label: &'static str,
    pub title_hint: &'static str,
    pub kind_legend: &'static str,
    pub kind_search: &'static str,
    pub kind_none_match: &'static str,
    pub kind_other: &'static str,
    pub kind_other_name: &'static str,
    // Where
    pub where_label: &'static str,
    pub where_hint: &'static str,
    pub where_add: &'static str,
    pub remove: &'static str,
    pub where_ok_url: &'static str,
    pub where_ok_asset: &'static str,
    // Reproduce
    pub steps_label: &'static str,
    pub steps_placeholder: &'static str,
    pub prereq_label: &'static str,
    pub prereq_hint: &'static str,
    // Impact
    pub impact_label: &'static str,
    pub impact_hint: &'static str,
    pub cvss_label: &'static str,
    pub cvss_hint: &'static str,
    pub cvss_score: &'static str,
    // Evidence
    pub files_label: &'static str,
    pub files_hint: &'static str,
    pub files_empty: &'static str,
    pub files_reading: &'static str,
    // About
    pub about_note: &'static str,
    pub name_label: &'static str,
    pub handle_label: &'static str,
    pub email_label: &'static str,
    pub email_hint: &'static str,
    pub credit_legend: &'static str,
    pub credit_name: &'static str,
    pub credit_handle: &'static str,
    pub credit_anonymous: &'static str,
    // Review
    pub review_intro: &'static str,
    pub policy_read: &'static str,
    pub policy_link: &'static str,
    pub sealed_for: &'static str,
    pub key_fingerprints: &'static str,
    pub send: &'static str,
    pub edit: &'static str,
    pub none_given: &'static str,
    // Delivery
    pub sealing: &'static str,
    pub sending: &'static str,
    /// The upload bar's accessible name.
    pub upload_label: &'static str,
    /// `{pct}`, `{sent}` and `{total}` of the upload in progress.
    pub upload_progress: &'static str,
    pub retrying: &'static str,
    pub delivered: &'static str,
    pub receipt: &'static str,
    pub digest: &'static str,
    pub download_sealed: &'static str,
    pub download_plain: &'static str,
    pub plain_note: &'static str,
    pub failed: &'static str,
    pub failed_keep: &'static str,
    pub copy_armored: &'static str,
    pub copied: &'static str,
    pub email_it: &'static str,
    pub try_again: &'static str,
    pub new_report: &'static str,
    pub armored_label: &'static str,
    // Errors outside fields
    pub config_broken: &'static str,
    pub config_fix: &'static str,
    pub net_offline: &'static str,
    pub digest_mismatch: &'static str,
    pub mail_attached: &'static str,
    pub mail_subject: &'static str,
    pub net_status: &'static str,
    pub seal_failed: &'static str,
    pub leave_warning: &'static str,
}

pub static EN: Strings = Strings {
    title: "Report a vulnerability",
    intro_org: "Your report is encrypted in this browser for {org} before it is sent. Nobody else, not even the servers in between, can read it.",
    default_org: "the security team",
    steps: ["Kind", "Where", "How to reproduce", "Impact", "Evidence", "About you", "Review"],
    step_of: "Step {n} of {total}",
    back: "Back",
    next: "Next",
    optional: "(optional)",
    errors_heading: "Please fix these before going on:",
    title_label: "Title",
    title_hint: "One line that sums it up, e.g. \"Stored XSS in profile bio\".",
    kind_legend: "What kind of vulnerability is it?",
    kind_search: "Filter the list",
    kind_none_match: "Nothing matches; choose Other and name it.",
    kind_other: "Other",
    kind_other_name: "Name the kind of vulnerability",
    where_label: "Affected URL or asset",
    where_hint: "A URL (https://…) or the name of an app, host or service. Never include credentials.",
    where_add: "Add another",
    remove: "Remove",
    where_ok_url: "URL looks good.",
    where_ok_asset: "Will be sent as an asset name.",
    steps_label: "Steps to reproduce",
    steps_placeholder: "1. Go to …\n2. Enter …\n3. Observe that …",
    prereq_label: "Prerequisites",
    prereq_hint: "Accounts, roles or configuration needed first.",
    impact_label: "Impact",
    impact_hint: "What could an attacker do, and how would they find it?",
    cvss_label: "CVSS vector",
    cvss_hint: "A CVSS v3.1 or v4.0 vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    cvss_score: "Score {score} ({rating})",
    files_label: "Attach screenshots, logs or proof-of-concept files",
    files_hint: "Encrypted with the report. Up to {files} files, {bytes} in all.",
    files_empty: "No files attached.",
    files_reading: "Reading files…",
    about_note: "Everything on this step is optional: you may report anonymously.",
    name_label: "Name",
    handle_label: "Handle",
    email_label: "Email",
    email_hint: "Only if you want the team to be able to reply.",
    credit_legend: "How would you like to be credited?",
    credit_name: "By name",
    credit_handle: "By handle",
    credit_anonymous: "Anonymously",
    review_intro: "This is the report exactly as it will be encrypted.",
    policy_read: "I have read the disclosure policy",
    policy_link: "Disclosure policy (opens in a new tab)",
    sealed_for: "Encrypted for",
    key_fingerprints: "Key fingerprints",
    send: "Encrypt and send",
    edit: "Edit",
    none_given: "None given",
    sealing: "Encrypting your report…",
    sending: "Sending the encrypted report…",
    upload_label: "Upload of the encrypted report",
    upload_progress: "{pct}% sent ({sent} of {total})",
    retrying: "The server did not answer; trying again in {s} s (attempt {n})…",
    delivered: "Report delivered. Thank you!",
    receipt: "Receipt",
    digest: "SHA-256 of the encrypted report",
    download_sealed: "Download the encrypted report (.age)",
    download_plain: "Save my own copy (report.md)",
    plain_note: "Your copy is saved on this device only; it is not sent anywhere.",
    failed: "The report could not be delivered.",
    failed_keep: "Your report is encrypted and safe here. Send it another way:",
    copy_armored: "Copy the encrypted report as text",
    copied: "Copied.",
    email_it: "Email it to {email}",
    try_again: "Try sending again",
    new_report: "Start a new report",
    armored_label: "Encrypted report (armored text)",
    config_broken: "This report form is misconfigured and cannot send reports safely.",
    config_fix: "Site owner: fix these settings.",
    net_offline: "Could not reach the server (offline or blocked).",
    digest_mismatch: "The server's SHA-256 of the report does not match what was sent; the copy it stored may be damaged. Send it another way below.",
    mail_attached: "The encrypted report is attached as report-{id}.age.",
    mail_subject: "Vulnerability report {id}",
    net_status: "The server answered {status}.",
    seal_failed: "Encrypting failed: {e}",
    leave_warning: "Your report has not been sent yet. Leave anyway?",
};

/// The catalogue for a language tag; English for languages not yet translated.
pub fn strings(_lang: &str) -> &'static Strings {
    &EN
}

/// Replaces `{name}` placeholders.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Catalogues are statics: two are equal when they are the same one.
impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}
