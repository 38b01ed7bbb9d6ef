//! Email addresses: a pragmatic syntax check and the normalised form used for dedupe.

/// A syntactically plausible email address, trimmed; `normalized` is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub value: String,
    pub normalized: String,
}

/// Parses an address as typed or pasted: invisible characters copied along and a
/// `mailto:` link's scheme and query are dropped.
pub fn parse(input: &str) -> Result<Email, String> {
    let visible: String = input.chars().filter(|c| !crate::handle::is_invisible(*c)).collect();
    let mut v = visible.trim();
    if let Some(link) = v.get(..7).filter(|p| p.eq_ignore_ascii_case("mailto:")).and(v.get(7..)) {
        v = link.split('?').next().unwrap_or("").trim();
    }
    let bad = || "must be a valid email address such as name@example.com".to_string();
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.contains('@')
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(Email { value: v.to_owned(), normalized: v.to_lowercase() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_normalised_lower_case() {
        let e = parse("  Lena@Example.COM ").unwrap();
        assert_eq!(e.value, "Lena@Example.COM");
        assert_eq!(e.normalized, "lena@example.com");
    }

    #[test]
    fn a_mailto_link_and_invisible_characters_are_dropped() {
        for pasted in ["mailto:m1@example.com", "MAILTO:m1@example.com?subject=Hi", "\u{200B}m1@example.com\u{200E}"] {
            let e = parse(pasted).unwrap();
            assert_eq!((e.value.as_str(), e.normalized.as_str()), ("m1@example.com", "m1@example.com"), "{pasted:?}");
        }
        assert!(parse("mailto:").is_err());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in ["lena", "lena@", "@x.com", "a b@x.com", "a@x", "a@.com", "a@x..com"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
