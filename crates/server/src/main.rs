//! `sealdrop`: the organization's side of sealdrop.
//!
//! `sealdrop keygen [-o FILE]` makes an age identity (readable by Go age and rage) and prints
//! its recipient, the public key to put in the widget's configuration.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod keygen;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sealdrop: {message}");
            ExitCode::FAILURE
        }
    }
}
