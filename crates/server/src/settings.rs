//! `sealdrop serve`'s settings: flags, then environment variables (`SEALDROP_*`), then a TOML
//! file (`--config`), then defaults. Only a recipient is required.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(clap::Args, Default)]
pub struct ServeArgs {
    /// An age recipient (age1…) reports are sealed to; repeat for several.
    #[arg(long = "recipient", env = "SEALDROP_RECIPIENTS", value_delimiter = ' ')]
    pub recipients: Vec<String>,
    /// Where reports are stored [default: ./sealdrop-data].
    #[arg(long, env = "SEALDROP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SEALDROP_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// An origin whose pages may embed the widget (https://vendor.example); repeat for several.
    #[arg(
        long = "allow-origin",
        env = "SEALDROP_ALLOW_ORIGINS",
        value_delimiter = ' '
    )]
    pub allow_origins: Vec<String>,
    /// Largest accepted report in bytes [default: 50000000].
    #[arg(long, env = "SEALDROP_MAX_BODY")]
    pub max_body: Option<u64>,
    /// Reports accepted per client address per minute; 0 for no limit [default: 30].
    #[arg(long, env = "SEALDROP_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// The built widget (Trunk's dist/) [default: ./dist].
    #[arg(long, env = "SEALDROP_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,
    /// The organization's name shown in the form.
    #[arg(long, env = "SEALDROP_ORG")]
    pub org: Option<String>,
    /// The disclosure policy's URL, which researchers confirm they read.
    #[arg(long, env = "SEALDROP_POLICY_URL")]
    pub policy_url: Option<String>,
    /// The fallback email address offered when delivery fails.
    #[arg(long, env = "SEALDROP_CONTACT_EMAIL")]
    pub contact_email: Option<String>,
    /// The subject tag of that email, e.g. "[SECURITY] Example".
    #[arg(long, env = "SEALDROP_SUBJECT_TAG")]
    pub subject_tag: Option<String>,
    /// A TOML file with any of these settings (snake_case keys).
    #[arg(long, env = "SEALDROP_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    #[serde(default)]
    recipients: Vec<String>,
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    #[serde(default)]
    allow_origins: Vec<String>,
    max_body: Option<u64>,
    rate_limit: Option<u32>,
    widget_dir: Option<PathBuf>,
    org: Option<String>,
    policy_url: Option<String>,
    contact_email: Option<String>,
    subject_tag: Option<String>,
}

/// Resolved settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub recipients: Vec<String>,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub allow_origins: Vec<String>,
    pub max_body: u64,
    pub rate_limit: u32,
    pub widget_dir: PathBuf,
    pub org: Option<String>,
    pub policy_url: Option<String>,
    pub contact_email: Option<String>,
    pub subject_tag: Option<String>,
}

pub const DEFAULT_MAX_BODY: u64 = 50_000_000;

impl ServeArgs {
    pub fn resolve(self) -> Result<Settings, String> {
        let file: FileSettings = match &self.config {
            None => FileSettings::default(),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| format!("{} is not valid: {}", p.display(), e.message()))?
            }
        };
        let pick = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
        let recipients = pick(self.recipients, file.recipients);
        if recipients.is_empty() {
            return Err("no recipient: pass --recipient age1… (from `sealdrop keygen -o key.txt`), or set SEALDROP_RECIPIENTS".into());
        }
        let allow_origins = pick(self.allow_origins, file.allow_origins);
        for o in &allow_origins {
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"));
            let ok = rest.is_some_and(|r| !r.is_empty() && !r.contains(['/', ' ', '@']));
            if !ok {
                return Err(format!("--allow-origin {o}: expected an origin like https://vendor.example (scheme and host, no path)"));
            }
        }
        Ok(Settings {
            recipients,
            data_dir: self
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("sealdrop-data")),
            listen: self
                .listen
                .or(file.listen)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            allow_origins,
            max_body: self.max_body.or(file.max_body).unwrap_or(DEFAULT_MAX_BODY),
            rate_limit: self.rate_limit.or(file.rate_limit).unwrap_or(30),
            widget_dir: self
                .widget_dir
                .or(file.widget_dir)
                .unwrap_or_else(|| PathBuf::from("dist")),
            org: self.org.or(file.org),
            policy_url: self.policy_url.or(file.policy_url),
            contact_email: self.contact_email.or(file.contact_email),
            subject_tag: self.subject_tag.or(file.subject_tag),
        })
    }
}

impl Settings {
    /// The widget's `sealdrop.json`, checked with the same rules as the widget.
    pub fn widget_config(&self) -> Result<String, String> {
        let mut v = serde_json::json!({"recipients": self.recipients, "endpoint": "/v1/reports"});
        for (k, val) in [
            ("org", &self.org),
            ("policy_url", &self.policy_url),
            ("contact_email", &self.contact_email),
            ("subject_tag", &self.subject_tag),
        ] {
            if let (Some(val), Some(o)) = (val, v.as_object_mut()) {
                o.insert(k.into(), val.clone().into());
            }
        }
        // The form refuses reports the receiver would refuse.
        let limit = self
            .max_body
            .saturating_sub(1_000_000)
            .clamp(1, sealdrop_core::MAX_ATTACHMENT_BYTES_CEILING);
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "max_attachment_bytes".into(),
                limit.min(25 * 1024 * 1024).into(),
            );
        }
        let config = sealdrop_core::Config::from_json(&v.to_string()).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(|e| format!("  {e}")).collect();
            format!(
                "the widget configuration would be broken:\n{}",
                lines.join("\n")
            )
        })?;
        Ok(config.to_json().to_string())
    }
}
