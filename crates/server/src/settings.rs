//! `sealdrop serve`'s settings: flags, then environment variables (`SEALDROP_*`), then a TOML
//! file (`--config`), then defaults. Only a recipient is required.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use serde::Deserialize;

#[derive(clap::Args, Default)]
pub struct ServeArgs {
    /// An age recipient (age1…) reports are sealed to; repeat for several.
    #[arg(long = "recipient", env = "SEALDROP_RECIPIENTS", value_delimiter = ' ')]
    pub recipients: Vec<String>,
    /// Where reports are stored [default: ./sealdrop-data].
    #[arg(long, env = "SEALDROP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL database (postgres://USER@HOST/DB) to store reports in, shared by every
    /// receiver given the same URL [default: SQLite in the data directory].
    #[arg(long, env = "SEALDROP_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SEALDROP_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Where to serve Prometheus metrics (GET /metrics), apart from the public address
    /// [default: none].
    #[arg(long, env = "SEALDROP_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// A URL to POST a signed notification to for each report and reporter message (no
    /// plaintext: receipt, time, size, digest) [default: none].
    #[arg(long, env = "SEALDROP_NOTIFY_WEBHOOK")]
    pub notify_webhook: Option<String>,
    /// The HMAC-SHA256 key of the notifications' Sealdrop-Signature (16 characters or more).
    #[arg(long, env = "SEALDROP_NOTIFY_SECRET", hide_env_values = true)]
    pub notify_secret: Option<String>,
    /// An address to email the same notification to; repeat for several.
    #[arg(
        long = "notify-email",
        env = "SEALDROP_NOTIFY_EMAIL",
        value_delimiter = ' '
    )]
    pub notify_email: Vec<String>,
    /// The SMTP server notifications are emailed through: smtps://USER:PASS@HOST,
    /// smtp://USER:PASS@HOST?tls=required, or smtp://localhost:25.
    #[arg(long, env = "SEALDROP_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From address of notification emails.
    #[arg(long, env = "SEALDROP_NOTIFY_FROM")]
    pub notify_from: Option<String>,
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
    /// Days within which the security team promises a first answer (e.g. 7), said on the
    /// receipt screen next to the follow-up key.
    #[arg(long, env = "SEALDROP_RESPONSE_DAYS")]
    pub response_days: Option<u32>,
    /// The language report.md is written in, whatever the researcher's (en, de, fr, es,
    /// pt-BR, ja, zh-CN, ar) [default: en].
    #[arg(long, env = "SEALDROP_REPORT_LANG")]
    pub report_lang: Option<String>,
    /// A JSON file of the organization's own questions, asked in the form (README,
    /// "The vendor's own questions").
    #[arg(long, env = "SEALDROP_QUESTIONS")]
    pub questions: Option<PathBuf>,
    /// A reverse proxy's address or network (10.0.0.5, 10.0.0.0/8, ::1) whose
    /// X-Forwarded-For/Forwarded headers name the client; repeat for several.
    #[arg(
        long = "trusted-proxy",
        env = "SEALDROP_TRUSTED_PROXIES",
        value_delimiter = ' '
    )]
    pub trusted_proxies: Vec<String>,
    /// Most bytes of reports stored in all; 0 for no cap [default: 10000000000].
    #[arg(long, env = "SEALDROP_MAX_STORAGE")]
    pub max_storage: Option<u64>,
    /// Free space kept on the data directory's disk, in bytes [default: 1000000000].
    #[arg(long, env = "SEALDROP_MIN_FREE_SPACE")]
    pub min_free_space: Option<u64>,
    /// Open connections at once [default: 1024].
    #[arg(long, env = "SEALDROP_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Open connections at once from one address (trusted proxies exempt) [default: 64].
    #[arg(long, env = "SEALDROP_MAX_CONNECTIONS_PER_IP")]
    pub max_connections_per_ip: Option<usize>,
    /// Uploads in progress at once from one client [default: 4].
    #[arg(long, env = "SEALDROP_MAX_UPLOADS_PER_CLIENT")]
    pub max_uploads_per_client: Option<usize>,
    /// Bytes of uploads held in memory at once, all clients together [default: 33554432].
    #[arg(long, env = "SEALDROP_UPLOAD_MEMORY")]
    pub upload_memory: Option<usize>,
    /// Time a client has to send a request's headers [default: 10s].
    #[arg(long, env = "SEALDROP_HEADER_TIMEOUT", value_parser = humantime::parse_duration)]
    pub header_timeout: Option<Duration>,
    /// Time an upload may make no progress before it is dropped [default: 30s].
    #[arg(long, env = "SEALDROP_BODY_STALL_TIMEOUT", value_parser = humantime::parse_duration)]
    pub body_stall_timeout: Option<Duration>,
    /// Time given to requests in progress at shutdown [default: 10s].
    #[arg(long, env = "SEALDROP_SHUTDOWN_TIMEOUT", value_parser = humantime::parse_duration)]
    pub shutdown_timeout: Option<Duration>,
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
    database: Option<String>,
    listen: Option<SocketAddr>,
    metrics_listen: Option<SocketAddr>,
    notify_webhook: Option<String>,
    notify_secret: Option<String>,
    #[serde(default)]
    notify_email: Vec<String>,
    smtp_url: Option<String>,
    notify_from: Option<String>,
    #[serde(default)]
    allow_origins: Vec<String>,
    max_body: Option<u64>,
    rate_limit: Option<u32>,
    widget_dir: Option<PathBuf>,
    org: Option<String>,
    policy_url: Option<String>,
    contact_email: Option<String>,
    subject_tag: Option<String>,
    response_days: Option<u32>,
    report_lang: Option<String>,
    questions: Option<PathBuf>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
    max_storage: Option<u64>,
    min_free_space: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_ip: Option<usize>,
    max_uploads_per_client: Option<usize>,
    upload_memory: Option<usize>,
    header_timeout: Option<String>,
    body_stall_timeout: Option<String>,
    shutdown_timeout: Option<String>,
}

/// Resolved settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub recipients: Vec<String>,
    pub data_dir: PathBuf,
    /// `postgres://…`, or `None` for SQLite in `data_dir`.
    pub database: Option<String>,
    pub listen: SocketAddr,
    /// The metrics listener, if any.
    pub metrics_listen: Option<SocketAddr>,
    /// Where notifications go, and their HMAC key (both or neither).
    pub notify_webhook: Option<String>,
    pub notify_secret: Option<String>,
    /// Addresses emailed each notification (`--notify-email`), through `smtp_url`.
    pub notify_email: Vec<String>,
    pub smtp_url: Option<String>,
    pub notify_from: Option<String>,
    pub allow_origins: Vec<String>,
    pub max_body: u64,
    pub rate_limit: u32,
    pub widget_dir: PathBuf,
    pub org: Option<String>,
    pub policy_url: Option<String>,
    pub contact_email: Option<String>,
    pub subject_tag: Option<String>,
    pub response_days: Option<u32>,
    /// The language of report.md (`--report-lang`).
    pub report_lang: Option<String>,
    /// The organization's questions file (`--questions`).
    pub questions: Option<PathBuf>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_storage: u64,
    pub min_free_space: u64,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub max_uploads_per_client: usize,
    pub upload_memory: usize,
    pub header_timeout: Duration,
    pub body_stall_timeout: Duration,
    pub shutdown_timeout: Duration,
}

pub const DEFAULT_MAX_BODY: u64 = 50_000_000;

impl Default for Settings {
    /// The defaults of `sealdrop serve`, with no recipient.
    fn default() -> Self {
        Settings {
            recipients: Vec::new(),
            data_dir: PathBuf::from("sealdrop-data"),
            database: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_listen: None,
            notify_webhook: None,
            notify_secret: None,
            notify_email: Vec::new(),
            smtp_url: None,
            notify_from: None,
            allow_origins: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
            rate_limit: 30,
            widget_dir: PathBuf::from("dist"),
            org: None,
            policy_url: None,
            contact_email: None,
            subject_tag: None,
            response_days: None,
            report_lang: None,
            questions: None,
            trusted_proxies: Vec::new(),
            max_storage: 10_000_000_000,
            min_free_space: 1_000_000_000,
            max_connections: 1024,
            max_connections_per_ip: 64,
            max_uploads_per_client: 4,
            upload_memory: 32 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_stall_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Checks an `--allow-origin` value: exactly `https://host[:port]`, or `http://` for this
/// machine (localhost, 127.0.0.1, [::1]); lowercase, as browsers send the `Origin` header.
pub fn check_origin(o: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "--allow-origin {o}: {why}; expected an exact origin like https://vendor.example or https://vendor.example:8443"
        ))
    };
    let (https, rest) = match (o.strip_prefix("https://"), o.strip_prefix("http://")) {
        (Some(r), _) => (true, r),
        (None, Some(r)) => (false, r),
        _ => return bad("it must start with https://"),
    };
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, p)) => (format!("[{h}]"), p),
            None => return bad("an IPv6 address needs its closing ]"),
        },
        None => match rest.split_once(':') {
            Some((h, _)) => (h.to_string(), &rest[h.len()..]),
            None => (rest.to_string(), ""),
        },
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or("x");
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_digit())
            || digits.parse::<u16>().map_or(true, |p| p == 0)
        {
            return bad("only a port number may follow the host, with no path, query or ';'");
        }
    }
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    };
    if !host_ok {
        return bad(
            "the host must be a lowercase name or address, with no wildcard, path, user or ';'",
        );
    }
    if !https && !matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
        return bad("http:// is only for localhost; use https://");
    }
    Ok(())
}

/// Checks `--notify-webhook`: https, or http to this machine.
fn check_webhook(url: Option<String>) -> Result<Option<String>, String> {
    let Some(u) = url else { return Ok(None) };
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|p| {
            u.strip_prefix(p)
                .is_some_and(|r| r.is_empty() || r.starts_with([':', '/']))
        });
    let ok = (u.starts_with("https://") && u.len() > 8 || local)
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(Some(u))
    } else {
        Err(format!("--notify-webhook {u}: expected an https:// URL (http:// only to this machine), like https://hooks.example.com/sealdrop"))
    }
}

/// `--notify-email` needs an SMTP server that is reached over TLS (or on this machine) and a
/// From address; every address must parse.
fn check_email(s: &Settings) -> Result<(), String> {
    if s.notify_email.is_empty() {
        return Ok(());
    }
    let Some(url) = &s.smtp_url else {
        return Err("--notify-email needs --smtp-url (or SEALDROP_SMTP_URL), the server to send through: smtps://USER:PASS@smtp.example.com, or smtp://localhost:25 for a relay on this machine".into());
    };
    let Some(from) = &s.notify_from else {
        return Err("--notify-email needs --notify-from, the address the notifications come from, like sealdrop@example.com".into());
    };
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.rsplit_once('@').map_or(rest, |(_, h)| h))
        .unwrap_or("");
    let local = ["localhost", "127.0.0.1", "[::1]"].iter().any(|l| {
        host.strip_prefix(l)
            .is_some_and(|r| r.is_empty() || r.starts_with([':', '/', '?']))
    });
    let tls =
        url.starts_with("smtps://") || (url.starts_with("smtp://") && url.contains("tls=required"));
    if !(tls || (url.starts_with("smtp://") && local)) {
        return Err("--smtp-url: expected smtps://USER:PASS@HOST, smtp://USER:PASS@HOST?tls=required, or smtp:// only to this machine (localhost), so notifications and the password travel over TLS".into());
    }
    crate::serve::notify::Sink::email(url, from, &s.notify_email).map(|_| ())
}

/// A trusted proxy: an address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`, `fd00::/8`).
pub fn parse_proxy(p: &str) -> Result<IpNet, String> {
    p.parse::<IpNet>()
        .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!("--trusted-proxy {p}: expected an address like 10.0.0.5 or a network like 10.0.0.0/8")
        })
}

fn duration(key: &str, v: Option<String>) -> Result<Option<Duration>, String> {
    v.map(|t| {
        humantime::parse_duration(&t)
            .map_err(|e| format!("{key} = {t:?}: {e}; expected a duration like \"10s\" or \"2m\""))
    })
    .transpose()
}

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
            check_origin(o)?;
        }
        let trusted_proxies = pick(self.trusted_proxies, file.trusted_proxies)
            .iter()
            .map(|p| parse_proxy(p))
            .collect::<Result<Vec<_>, _>>()?;
        let d = Settings::default();
        let s = Settings {
            recipients,
            data_dir: self.data_dir.or(file.data_dir).unwrap_or(d.data_dir),
            database: self.database.or(file.database),
            listen: self.listen.or(file.listen).unwrap_or(d.listen),
            metrics_listen: self.metrics_listen.or(file.metrics_listen),
            notify_webhook: check_webhook(self.notify_webhook.or(file.notify_webhook))?,
            notify_secret: self.notify_secret.or(file.notify_secret),
            notify_email: if self.notify_email.is_empty() {
                file.notify_email
            } else {
                self.notify_email
            },
            smtp_url: self.smtp_url.or(file.smtp_url),
            notify_from: self.notify_from.or(file.notify_from),
            allow_origins,
            max_body: self.max_body.or(file.max_body).unwrap_or(d.max_body),
            rate_limit: self.rate_limit.or(file.rate_limit).unwrap_or(d.rate_limit),
            widget_dir: self.widget_dir.or(file.widget_dir).unwrap_or(d.widget_dir),
            org: self.org.or(file.org),
            policy_url: self.policy_url.or(file.policy_url),
            contact_email: self.contact_email.or(file.contact_email),
            subject_tag: self.subject_tag.or(file.subject_tag),
            response_days: self.response_days.or(file.response_days),
            report_lang: self.report_lang.or(file.report_lang),
            questions: self.questions.or(file.questions),
            trusted_proxies,
            max_storage: self
                .max_storage
                .or(file.max_storage)
                .unwrap_or(d.max_storage),
            min_free_space: self
                .min_free_space
                .or(file.min_free_space)
                .unwrap_or(d.min_free_space),
            max_connections: self
                .max_connections
                .or(file.max_connections)
                .unwrap_or(d.max_connections),
            max_connections_per_ip: self
                .max_connections_per_ip
                .or(file.max_connections_per_ip)
                .unwrap_or(d.max_connections_per_ip),
            max_uploads_per_client: self
                .max_uploads_per_client
                .or(file.max_uploads_per_client)
                .unwrap_or(d.max_uploads_per_client),
            upload_memory: self
                .upload_memory
                .or(file.upload_memory)
                .unwrap_or(d.upload_memory),
            header_timeout: self
                .header_timeout
                .or(duration("header_timeout", file.header_timeout)?)
                .unwrap_or(d.header_timeout),
            body_stall_timeout: self
                .body_stall_timeout
                .or(duration("body_stall_timeout", file.body_stall_timeout)?)
                .unwrap_or(d.body_stall_timeout),
            shutdown_timeout: self
                .shutdown_timeout
                .or(duration("shutdown_timeout", file.shutdown_timeout)?)
                .unwrap_or(d.shutdown_timeout),
        };
        for (name, v) in [
            ("--max-connections", s.max_connections),
            ("--max-connections-per-ip", s.max_connections_per_ip),
            ("--max-uploads-per-client", s.max_uploads_per_client),
        ] {
            if v == 0 {
                return Err(format!(
                    "{name} 0 would refuse every connection: give at least 1"
                ));
            }
        }
        if s.upload_memory < 1024 * 1024 {
            return Err("--upload-memory must be at least 1048576 bytes (1 MiB)".into());
        }
        check_email(&s)?;
        if let Some(url) = &s.database {
            crate::store::postgres::config(url, crate::store::Mode::Serve)
                .map_err(|e| e.to_string())?;
        }
        match (&s.notify_webhook, &s.notify_secret) {
            (Some(_), None) => return Err("--notify-webhook needs --notify-secret (or SEALDROP_NOTIFY_SECRET), the key its receivers check each notification's signature with: 16 characters or more, like the output of `openssl rand -hex 32`".into()),
            (_, Some(k)) if k.len() < 16 => return Err("--notify-secret must be 16 characters or more; make one with `openssl rand -hex 32`".into()),
            _ => {}
        }
        Ok(s)
    }
}

impl Settings {
    /// The channels each stored report and message is queued on.
    pub fn notify_channels(&self) -> Vec<crate::store::Channel> {
        let mut c = Vec::new();
        if self.notify_webhook.is_some() {
            c.push(crate::store::Channel::Webhook);
        }
        if !self.notify_email.is_empty() {
            c.push(crate::store::Channel::Email);
        }
        c
    }

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
        // The form takes attachments up to what the receiver accepts (less 1 MB for the report
        // and age's overhead): it streams them from disk, so their size no longer costs the
        // researcher's memory, and the operator's --max-body is the one limit.
        let limit = self
            .max_body
            .saturating_sub(1_000_000)
            .clamp(1, sealdrop_core::MAX_ATTACHMENT_BYTES_CEILING);
        if let Some(o) = v.as_object_mut() {
            o.insert("max_attachment_bytes".into(), limit.into());
            if let Some(d) = self.response_days {
                o.insert("response_days".into(), d.into());
            }
            if let Some(l) = &self.report_lang {
                o.insert("report_lang".into(), l.clone().into());
            }
            if let Some(path) = &self.questions {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read the questions file {}: {e}", path.display())
                })?;
                let q: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    format!("the questions file {} is not JSON: {e}", path.display())
                })?;
                o.insert("questions".into(), q);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        for ok in [
            "https://vendor.example",
            "https://vendor.example:8443",
            "https://a-b.c.example",
            "http://localhost:8081",
            "http://127.0.0.1",
            "http://[::1]:9",
            "https://[2001:db8::1]",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("https://*.vendor.example", "wildcard"),
            ("https://vendor.example/", "path"),
            ("https://vendor.example/form", "path"),
            ("https://vendor.example;", "';'"),
            ("https://vendor.example:443;x", "port number"),
            ("https://vendor.example:", "port number"),
            ("https://vendor.example:0", "port number"),
            ("https://user@vendor.example", "user"),
            ("https://Vendor.Example", "lowercase"),
            ("https://vendor.example?x", "wildcard, path"),
            ("http://vendor.example", "only for localhost"),
            ("vendor.example", "https://"),
            ("https://", "lowercase name"),
            ("https://[::1", "closing ]"),
        ] {
            let e = check_origin(bad).expect_err(bad);
            assert!(
                e.contains(why) && e.contains("https://vendor.example"),
                "{bad}: {e}"
            );
        }
    }

    fn from_toml(text: &str) -> Result<Settings, String> {
        let dir = std::env::temp_dir().join(format!("sealdrop-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{}.toml", text.len()));
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        let args = ServeArgs {
            config: Some(path.clone()),
            ..ServeArgs::default()
        };
        let r = args.resolve();
        let _ = std::fs::remove_file(path);
        r
    }

    #[test]
    fn the_hardening_settings_come_from_the_file_too() {
        let s = from_toml(
            r#"recipients = ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"]
trusted_proxies = ["10.0.0.0/8", "::1"]
max_storage = 5000
min_free_space = 7
max_connections = 10
max_connections_per_ip = 2
max_uploads_per_client = 1
upload_memory = 2097152
header_timeout = "3s"
body_stall_timeout = "1m"
shutdown_timeout = "500ms"
"#,
        )
        .unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert_eq!((s.max_storage, s.min_free_space), (5000, 7));
        assert_eq!(
            (
                s.max_connections,
                s.max_connections_per_ip,
                s.max_uploads_per_client
            ),
            (10, 2, 1)
        );
        assert_eq!(s.upload_memory, 2_097_152);
        assert_eq!(s.header_timeout, Duration::from_secs(3));
        assert_eq!(s.body_stall_timeout, Duration::from_secs(60));
        assert_eq!(s.shutdown_timeout, Duration::from_millis(500));
        let r =
            r#"recipients = ["age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq"]"#;
        let e = from_toml(&format!("{r}\nheader_timeout = \"soon\"")).unwrap_err();
        assert!(e.contains("header_timeout") && e.contains("10s"), "{e}");
        let e = from_toml(&format!("{r}\nmax_uploads_per_client = 0")).unwrap_err();
        assert!(e.contains("at least 1"), "{e}");
        let e =
            from_toml(&format!("{r}\nallow_origins = [\"https://*.example.com\"]")).unwrap_err();
        assert!(e.contains("wildcard"), "{e}");
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        assert_eq!(parse_proxy("10.0.0.5").unwrap().to_string(), "10.0.0.5/32");
        assert_eq!(parse_proxy("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_proxy("::1").unwrap().to_string(), "::1/128");
        for bad in ["10.0.0", "10.0.0.0/33", "proxy.example", ""] {
            assert!(
                parse_proxy(bad).unwrap_err().contains("--trusted-proxy"),
                "{bad}"
            );
        }
    }
}
