//! `sealdrop keygen`: an identity file in age-keygen's format, so `age -d -i` and rage read it.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;

use age::secrecy::ExposeSecret;

#[derive(clap::Args)]
pub struct Args {
    /// Write the identity to FILE (created with mode 0600; an existing file is never
    /// overwritten). Without it the identity goes to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The identity file's text and its recipient.
pub fn generate() -> (String, String) {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    (text, recipient)
}

pub fn run(args: &Args) -> Result<(), String> {
    let (text, recipient) = generate();
    match &args.output {
        None => {
            std::io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| format!("could not write the identity: {e}"))?;
            eprintln!("Public key: {recipient}");
        }
        Some(path) => {
            let mut opts = OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(path).map_err(|e| match e.kind() {
                ErrorKind::AlreadyExists => format!(
                    "{} already exists; it may hold the key to reports you have received, so it is not overwritten. Choose another file name, or move it away first.",
                    path.display()
                ),
                _ => format!("could not create {}: {e}", path.display()),
            })?;
            f.write_all(text.as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| format!("could not write {}: {e}", path.display()))?;
            println!("{recipient}");
            eprintln!(
                "Wrote the identity to {}. Keep it secret and backed up: without it, reports sealed to {recipient} cannot be opened.",
                path.display()
            );
        }
    }
    Ok(())
}
