//! Text from a report reaches the analyst's terminal only through [`visible`]: C0 and C1 control
//! characters and bidi overrides are shown escaped (`\x1b`, `\u{202e}`), so a title cannot
//! erase lines, fake output, retitle the window or write the clipboard (OSC 52).

use std::fmt::Write;

/// `text` with every control character and bidi override escaped; with `multiline`, newlines
/// and tabs (of `report.md`) are kept as they are.
pub fn visible(text: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' if multiline => out.push(c),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if sealdrop_core::is_invisible_control(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn escapes_controls_and_bidi_and_keeps_text() {
        assert_eq!(visible("plain title é 日本", false), "plain title é 日本");
        assert_eq!(
            visible("a\x1b[2Kb\x07\u{9b}c", false),
            "a\\x1b[2Kb\\x07\\x9bc"
        );
        assert_eq!(
            visible("\x1b]52;c;ZXZpbA==\x07", false),
            "\\x1b]52;c;ZXZpbA==\\x07"
        );
        assert_eq!(visible("x\u{202e}gpj.exe", false), "x\\u{202e}gpj.exe");
        assert_eq!(visible("a\nb\tc\rd", false), "a\\x0ab\\x09c\\x0dd");
        assert_eq!(visible("a\nb\tc\rd", true), "a\nb\tc\\x0dd");
        // An escaped backslash keeps the rendering unambiguous.
        assert_eq!(visible("\\x1b", false), "\\\\x1b");
    }
}
