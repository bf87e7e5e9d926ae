//! `inbox open`'s extraction on any decrypted bundle: it never panics, never writes outside
//! its folder, and leaves either exactly what it reports or nothing at all.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealdrop_server::inbox::extract;

fn tree(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(tree(&p));
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    let base = tempfile::tempdir().expect("a temporary folder");
    let out = base.path().join("out");
    match extract(data, &out) {
        Ok(files) => {
            for f in &files {
                assert!(
                    f.starts_with(&out),
                    "{} outside {}",
                    f.display(),
                    out.display()
                );
                assert!(std::fs::symlink_metadata(f)
                    .map(|m| m.is_file())
                    .unwrap_or(false));
            }
            for p in tree(base.path()) {
                assert!(p.starts_with(&out), "{} written outside", p.display());
            }
        }
        Err(message) => {
            assert!(!message.is_empty());
            assert!(
                tree(base.path()).is_empty(),
                "a refused bundle left {:?}",
                tree(base.path())
            );
        }
    }
});
