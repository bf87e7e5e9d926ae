//! `sealdrop`: the organization's side of sealdrop.
//!
//! - `sealdrop keygen [-o FILE]`: an age identity (readable by Go age and rage); prints its
//!   recipient, the public key for the widget's configuration.
//! - `sealdrop serve --recipient age1…`: serves the widget and accepts sealed reports.
//! - `sealdrop inbox list|open`: lists, decrypts and extracts received reports.
//! - `sealdrop check-config sealdrop.json`: validates a widget configuration.
//! - `sealdrop embed --origin https://reports.example.com`: the script tag (with its integrity
//!   hash) and the `sealdrop.json` that `serve` publishes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use sealdrop_server::{embed, inbox, keygen, serve, settings, store};

#[derive(Parser)]
#[command(
    name = "sealdrop",
    version,
    about = "Receive and open sealed vulnerability reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an age identity for the security team and print its recipient (public key).
    Keygen(keygen::Args),
    /// Serve the widget and receive sealed reports at POST /v1/reports.
    Serve(Box<settings::ServeArgs>),
    /// List and open received reports.
    #[command(subcommand)]
    Inbox(Box<inbox::InboxCommand>),
    /// Print the script tag to embed the form (with the loader's integrity hash) and the
    /// sealdrop.json that `serve` publishes, for the same settings as `serve`.
    Embed(Box<embed::EmbedArgs>),
    /// Validate a widget configuration (sealdrop.json), or a file of the organization's
    /// questions (a JSON array, for `serve --questions` or a `questions` URL), and name each
    /// problem.
    CheckConfig {
        /// The sealdrop.json or questions file to check.
        file: std::path::PathBuf,
    },
}

fn check_config(file: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    // A file of questions on its own: a JSON array.
    if text.trim_start().starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", file.display()))?;
        return match sealdrop_core::parse_questions(&value) {
            Ok(q) => {
                println!("{} is valid: {} question(s).", file.display(), q.len());
                Ok(())
            }
            Err(errors) => refused(file, &errors),
        };
    }
    match sealdrop_core::Config::from_json(&text) {
        Ok(c) => {
            println!(
                "{} is valid: {} recipient(s), endpoint {}, {} kinds of vulnerability, {} question(s).",
                file.display(),
                c.recipients.len(),
                c.endpoint,
                c.types.len(),
                c.questions.len()
            );
            Ok(())
        }
        Err(errors) => refused(file, &errors),
    }
}

/// Prints each problem of a refused file, one a line, and says what refusing means.
fn refused(file: &std::path::Path, errors: &[impl std::fmt::Display]) -> Result<(), String> {
    for e in errors {
        println!("{e}");
    }
    Err(format!(
        "{} has {} problem(s); the widget would refuse to show the form",
        file.display(),
        errors.len()
    ))
}

fn serve(args: settings::ServeArgs) -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let settings = args.resolve()?;
    let config_json = settings.widget_config()?;
    if !settings.widget_dir.join("index.html").exists() {
        return Err(format!("{} holds no built widget (index.html): build it with scripts/build.sh, or pass --widget-dir", settings.widget_dir.display()));
    }
    let store = store::Store::at(
        &store::Location {
            data_dir: &settings.data_dir,
            database: settings.database.as_deref(),
        },
        store::Mode::Serve,
        &settings.notify_channels(),
    )
    .map_err(|e| format!("cannot open the report store: {e}"))?;
    let listen = settings.listen;
    let shutdown = settings.shutdown_timeout;
    let state = serve::AppState::new(settings, store, config_json)
        .map_err(|e| format!("cannot open the report store: {e}"))?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let result = rt.block_on(serve::run(state, listen));
    // Blocking work still running (a header check, a write) gets the same grace, no more.
    rt.shutdown_timeout(shutdown);
    result
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(&args),
        Command::Serve(args) => serve(*args),
        Command::Inbox(cmd) => inbox::run(*cmd),
        Command::CheckConfig { file } => check_config(&file),
        Command::Embed(args) => embed::run(*args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sealdrop: {message}");
            ExitCode::FAILURE
        }
    }
}
