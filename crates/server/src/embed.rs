//! `sealdrop embed --origin https://reports.example.com`: what a vendor's web developer pastes.
//! It prints the script tag, with a Subresource Integrity hash of this build's loader, and the
//! `sealdrop.json` that `serve` publishes with the same settings. Both come from the settings
//! `serve` reads (flags, environment, `--config`), checked as `serve` checks them, so a tag is
//! printed only for a configuration `serve` would start with.

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::settings::{check_origin, ServeArgs};

#[derive(clap::Args)]
pub struct EmbedArgs {
    /// The origin where browsers reach `sealdrop serve`, like https://reports.example.com
    /// (behind your TLS proxy).
    #[arg(long)]
    pub origin: String,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The `integrity` value of `bytes`: SHA-384, base64.
pub fn sri(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

pub fn run(a: EmbedArgs) -> Result<(), String> {
    let origin = a.origin.trim_end_matches('/').to_string();
    check_origin(&origin).map_err(|e| e.replace("--allow-origin", "--origin"))?;
    let settings = a.serve.resolve()?;
    let config = settings.widget_config()?;
    let loader = settings.widget_dir.join("sealdrop.js");
    let bytes = std::fs::read(&loader).map_err(|e| {
        format!(
            "cannot read the loader {} ({e}): build the widget with scripts/build.sh, or pass --widget-dir",
            loader.display()
        )
    })?;
    let json: serde_json::Value = serde_json::from_str(&config).map_err(|e| e.to_string())?;
    println!(
        "<script src=\"{origin}/sealdrop.js\" integrity=\"{}\" crossorigin=\"anonymous\" async></script>",
        sri(&bytes)
    );
    println!(
        "\nPaste the line above where the form should appear. The form's settings, as {origin}/sealdrop.json serves them:\n{}",
        serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
    );
    println!();
    if settings.allow_origins.is_empty() {
        println!("No --allow-origin is set, so browsers will refuse the form on any other site: start serve (and run this again) with --allow-origin https://www.example.com, the origin of the page you paste it into.");
    } else {
        println!(
            "Pages of these origins may embed it: {}.",
            settings.allow_origins.join(", ")
        );
    }
    println!("The integrity hash pins this build of sealdrop.js: after upgrading sealdrop, print the tag again.");
    Ok(())
}
