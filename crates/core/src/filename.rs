//! Attachment names made safe to extract anywhere: no path separators, no `..`, no control
//! characters or bidi overrides (which disguise `exe.txt` as `txt.exe`), bounded length so that
//! `attachments/<name>` fits a plain ustar name field.

/// Longest safe name in bytes; `attachments/` plus this fits ustar's 100-byte name field.
pub const MAX_NAME_BYTES: usize = 80;

/// The bidi overrides, and the direction marks too (a name has no use for them).
fn is_bidi_control(c: char) -> bool {
    crate::validate::is_bidi_override(c) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Returns a name safe to use as one path component on any system.
pub fn safe_file_name(name: &str) -> String {
    // Browsers give a bare name, but a drag from some systems carries a path: keep its last part.
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut out: String = base
        .chars()
        .filter(|c| !is_bidi_control(*c) && *c != '\u{FEFF}')
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    out = out.trim().trim_start_matches('.').to_string();
    if out.is_empty() {
        out = "attachment".to_string();
    }
    if out.len() > MAX_NAME_BYTES {
        out = shorten(&out);
    }
    out
}

/// Cuts a long name on a char boundary, keeping a short extension.
fn shorten(name: &str) -> String {
    let ext = match name.rfind('.') {
        Some(i) if name.len() - i <= 16 => &name[i..],
        _ => "",
    };
    let mut stem_end = MAX_NAME_BYTES - ext.len();
    while !name.is_char_boundary(stem_end) {
        stem_end -= 1;
    }
    format!("{}{}", &name[..stem_end], ext)
}

/// Makes `name` distinct from `taken` by adding ` (2)`, ` (3)`, … before the extension.
pub(crate) fn dedupe(name: String, taken: &[String]) -> String {
    if !taken.contains(&name) {
        return name;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name.as_str(), ""),
    };
    (2..)
        .map(|n| {
            let suffix = format!(" ({n}){ext}");
            let mut end = stem.len().min(MAX_NAME_BYTES - suffix.len());
            while !stem.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}{}", &stem[..end], suffix)
        })
        .find(|c| !taken.contains(c))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_paths_dots_controls_and_bidi() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\me\\poc.html"), "poc.html");
        assert_eq!(safe_file_name(".."), "attachment");
        assert_eq!(safe_file_name("_.."), "_..");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\nb\u{0}c.txt"), "a_b_c.txt");
        assert_eq!(safe_file_name("invoice\u{202E}txt.exe"), "invoicetxt.exe");
        assert_eq!(safe_file_name("what?.png"), "what_.png");
    }

    #[test]
    fn long_names_keep_extension_and_fit() {
        let n = safe_file_name(&format!("{}.png", "é".repeat(100)));
        assert!(n.len() <= MAX_NAME_BYTES && n.ends_with(".png"), "{n}");
    }

    #[test]
    fn dedupes() {
        let taken = vec!["a.txt".to_string(), "a (2).txt".to_string()];
        assert_eq!(dedupe("a.txt".into(), &taken), "a (3).txt");
        assert_eq!(dedupe("b".into(), &taken), "b");
    }
}
