//! Social handles: normalised from "@Name", "name" or a profile URL to the bare,
//! lower-cased form that the uniqueness rule (workspace, platform, handle) compares.

use crate::platform::Platform;

/// A handle as typed for display and its normalised key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    /// The handle without `@`, original case kept for display.
    pub display: String,
    /// Lower-cased: the dedupe key.
    pub normalized: String,
    /// A profile URL, when the input was one.
    pub url: Option<String>,
}

/// Parses a handle or a profile URL for a platform.
pub fn parse(platform: Platform, input: &str) -> Result<Handle, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("is required".into());
    }
    let (raw, url) = if looks_like_url(input) {
        (handle_from_url(platform, input)?, Some(absolute(input)))
    } else {
        (input.to_owned(), None)
    };
    let display = raw.trim_start_matches('@').trim().to_owned();
    let max = if matches!(platform, Platform::Blog | Platform::Podcast | Platform::Newsletter) { 200 } else { 100 };
    if display.is_empty() {
        return Err("is empty after removing the @".into());
    }
    if display.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if display.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces".into());
    }
    Ok(Handle { normalized: display.to_lowercase(), display, url })
}

fn looks_like_url(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.") || {
        let host = l.split('/').next().unwrap_or("");
        host.contains('.') && l.contains('/')
    }
}

fn absolute(s: &str) -> String {
    let l = s.to_ascii_lowercase();
    if l.starts_with("http://") || l.starts_with("https://") { s.to_owned() } else { format!("https://{s}") }
}

fn handle_from_url(platform: Platform, input: &str) -> Result<String, String> {
    let parsed = url::Url::parse(&absolute(input)).map_err(|_| "is not a valid profile URL")?;
    let host = parsed.host_str().unwrap_or("").trim_start_matches("www.").trim_start_matches("m.").to_ascii_lowercase();
    let hosts = platform.hosts();
    if hosts.is_empty() {
        // Blogs, podcasts, newsletters: the site itself is the account.
        let path = parsed.path().trim_end_matches('/');
        return Ok(format!("{host}{path}"));
    }
    if !hosts.iter().any(|h| host == *h || host.ends_with(&format!(".{h}"))) {
        return Err(format!("is a URL on {host}, not a {} profile URL", platform.label()));
    }
    let segments: Vec<&str> = parsed.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let first = match (platform, segments.as_slice()) {
        // youtube.com/@name, youtube.com/c/name, youtube.com/channel/UC…, youtube.com/user/name
        (Platform::Youtube, [kind, name, ..]) if ["c", "channel", "user"].contains(kind) => Some(*name),
        (Platform::Linkedin, ["in", name, ..]) => Some(*name),
        (Platform::Snapchat, ["add", name, ..]) => Some(*name),
        (_, [name, ..]) => Some(*name),
        _ => None,
    };
    first.map(|s| s.to_owned()).ok_or_else(|| "is a URL without a profile name in it".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_sign_is_stripped_and_case_folded_for_the_key() {
        let h = parse(Platform::Instagram, " @Lena.Bakes ").unwrap();
        assert_eq!(h.display, "Lena.Bakes");
        assert_eq!(h.normalized, "lena.bakes");
    }

    #[test]
    fn profile_urls_yield_the_handle() {
        for (platform, url, want) in [
            (Platform::Instagram, "https://www.instagram.com/Lena.Bakes/", "lena.bakes"),
            (Platform::Tiktok, "https://www.tiktok.com/@lenabakes?lang=en", "lenabakes"),
            (Platform::Youtube, "youtube.com/@LenaBakes", "lenabakes"),
            (Platform::Youtube, "https://youtube.com/c/LenaBakes/videos", "lenabakes"),
            (Platform::X, "https://twitter.com/lena", "lena"),
            (Platform::Linkedin, "https://www.linkedin.com/in/lena-b/", "lena-b"),
        ] {
            let h = parse(platform, url).unwrap();
            assert_eq!(h.normalized, want, "{url}");
            assert!(h.url.is_some());
        }
    }

    #[test]
    fn a_url_on_another_platform_is_rejected() {
        let err = parse(Platform::Instagram, "https://tiktok.com/@lena").unwrap_err();
        assert!(err.contains("not a Instagram profile URL") || err.contains("not a"), "{err}");
    }

    #[test]
    fn spaces_inside_a_handle_are_rejected() {
        assert!(parse(Platform::Instagram, "lena bakes").is_err());
        assert!(parse(Platform::Instagram, "@").is_err());
    }
}
