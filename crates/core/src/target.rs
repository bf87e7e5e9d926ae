//! Affected targets: an http(s) URL without credentials, or an asset name.

use crate::report::Affected;

/// Longest URL or asset name accepted.
pub const MAX_TARGET_LEN: usize = 2048;

/// Why an affected target was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TargetError {
    Empty,
    TooLong,
    /// A URL with a scheme other than http or https.
    UnsupportedScheme,
    /// `user:password@host`: credentials must never travel in a report field.
    Credentials,
    /// The URL does not parse: no host, a bad port, spaces or control characters.
    MalformedUrl,
    /// Control characters in an asset name.
    ControlCharacters,
}

/// Classifies and checks one affected target, as typed.
///
/// # Errors
/// A [`TargetError`] naming what is wrong.
pub fn check_target(input: &str) -> Result<Affected, TargetError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TargetError::Empty);
    }
    if s.len() > MAX_TARGET_LEN {
        return Err(TargetError::TooLong);
    }
    if let Some((scheme, rest)) = s.split_once("://") {
        let scheme_ok = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if scheme_ok {
            let lower = scheme.to_ascii_lowercase();
            if lower != "http" && lower != "https" {
                return Err(TargetError::UnsupportedScheme);
            }
            return check_url_rest(rest).map(|()| Affected::Url(s.to_string()));
        }
    }
    if s.chars().any(char::is_control) {
        return Err(TargetError::ControlCharacters);
    }
    Ok(Affected::Asset(s.to_string()))
}

fn check_url_rest(rest: &str) -> Result<(), TargetError> {
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(TargetError::MalformedUrl);
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains('@') {
        return Err(TargetError::Credentials);
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6.find(']').ok_or(TargetError::MalformedUrl)?;
        let addr = &v6[..close];
        if addr.is_empty()
            || !addr
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(TargetError::MalformedUrl);
        }
        let after = &v6[close + 1..];
        match after.strip_prefix(':') {
            Some(p) => (addr, Some(p)),
            None if after.is_empty() => (addr, None),
            None => return Err(TargetError::MalformedUrl),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && !host.starts_with('.')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.' || c == '_' || c == ':');
    if !host_ok {
        return Err(TargetError::MalformedUrl);
    }
    if let Some(p) = port {
        if !p.is_empty() && p.parse::<u16>().is_err() {
            return Err(TargetError::MalformedUrl);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_assets() {
        assert!(matches!(
            check_target(" https://example.com/a?b#c "),
            Ok(Affected::Url(u)) if u == "https://example.com/a?b#c"
        ));
        assert!(matches!(
            check_target("http://[::1]:8080/x"),
            Ok(Affected::Url(_))
        ));
        assert!(matches!(
            check_target("http://bücher.example"),
            Ok(Affected::Url(_))
        ));
        assert!(matches!(
            check_target("iOS app 4.2"),
            Ok(Affected::Asset(_))
        ));
        assert!(matches!(
            check_target("api.example.com"),
            Ok(Affected::Asset(_))
        ));
    }

    #[test]
    fn refusals() {
        assert_eq!(check_target("  ").err(), Some(TargetError::Empty));
        assert_eq!(
            check_target("ftp://example.com/").err(),
            Some(TargetError::UnsupportedScheme)
        );
        assert_eq!(
            check_target("javascript://%0aalert(1)").err(),
            Some(TargetError::UnsupportedScheme)
        );
        assert_eq!(
            check_target("https://admin:hunter2@example.com/").err(),
            Some(TargetError::Credentials)
        );
        for bad in [
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com:99999/",
            "https://[zz]/",
            "https://a..b/",
        ] {
            assert_eq!(
                check_target(bad).err(),
                Some(TargetError::MalformedUrl),
                "{bad}"
            );
        }
        assert_eq!(
            check_target("a\u{7}b").err(),
            Some(TargetError::ControlCharacters)
        );
        assert_eq!(
            check_target(&"a".repeat(3000)).err(),
            Some(TargetError::TooLong)
        );
    }
}
