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
    // Zero-width spaces and direction marks come along when a handle is copied from an app;
    // they are invisible, so "lena" with one must be the same handle as "lena".
    let visible: String = input.chars().filter(|c| !is_invisible(*c)).collect();
    let input = visible.trim();
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

/// Format characters that render as nothing: zero-width spaces and joiners, direction
/// marks and embeddings, the word joiner and a stray byte-order mark.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// First path segments that are a platform's own pages (posts, videos, search…), never an
/// account's name.
fn reserved(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Instagram => &["p", "reel", "reels", "tv", "explore", "accounts", "direct", "about", "legal", "_n"],
        Platform::Tiktok => &["t", "tag", "music", "discover", "embed", "v", "search", "foryou", "live"],
        Platform::Youtube => &["watch", "shorts", "embed", "playlist", "results", "feed", "live", "hashtag", "v"],
        Platform::X => &["i", "intent", "search", "hashtag", "home", "share", "explore", "settings"],
        Platform::Facebook => &[
            "watch", "groups", "events", "photo", "photo.php", "photos", "story.php", "share", "sharer", "reel",
            "hashtag",
        ],
        Platform::Threads => &["t", "search"],
        Platform::Pinterest => &["pin", "search", "ideas"],
        Platform::Twitch => &["videos", "directory", "search"],
        Platform::Linkedin => &["posts", "feed", "pulse", "jobs", "search"],
        Platform::Snapchat => &["spotlight", "discover", "p"],
        Platform::Blog | Platform::Podcast | Platform::Newsletter => &[],
    }
}

/// Hosts whose links are shortened links to a post, never a profile.
const SHORT_LINK_HOSTS: &[&str] = &["youtu.be", "vm.tiktok.com", "vt.tiktok.com"];

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
    if SHORT_LINK_HOSTS.contains(&host.as_str()) {
        return Err(format!("is a short link to a post on {}, not a profile URL", platform.label()));
    }
    // A URL keeps a non-ASCII name percent-encoded (youtube.com/@M%C3%BCnchen); the handle is the name.
    let decoded: Vec<String> = parsed
        .path_segments()
        .map(|s| {
            s.filter(|p| !p.is_empty())
                .map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let name = match (platform, segments.as_slice()) {
        // youtube.com/@name, youtube.com/c/name, youtube.com/channel/UC…, youtube.com/user/name
        (Platform::Youtube, [kind, name, ..]) if ["c", "channel", "user"].contains(kind) => Some((*name).to_owned()),
        (Platform::Linkedin, ["in" | "company", name, ..]) => Some((*name).to_owned()),
        (Platform::Snapchat, ["add", name, ..]) => Some((*name).to_owned()),
        // instagram.com/stories/name/…, and the app's deep link instagram.com/_u/name
        (Platform::Instagram, ["stories" | "_u", name, ..]) => Some((*name).to_owned()),
        // facebook.com/profile.php?id=…: the number is the account.
        (Platform::Facebook, ["profile.php", ..]) => {
            parsed.query_pairs().find(|(k, _)| k == "id").map(|(_, v)| v.into_owned()).filter(|v| !v.is_empty())
        }
        (_, [first, ..]) if reserved(platform).contains(&first.to_ascii_lowercase().as_str()) => {
            return Err(format!("is a link to a post or page on {}, not to a profile", platform.label()));
        }
        (_, [name, ..]) => Some((*name).to_owned()),
        _ => None,
    };
    name.ok_or_else(|| "is a URL without a profile name in it".into())
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
            (Platform::Youtube, "https://www.youtube.com/@M%C3%BCnchen", "münchen"),
            (Platform::Youtube, "https://www.youtube.com/@München", "münchen"),
        ] {
            let h = parse(platform, url).unwrap();
            assert_eq!(h.normalized, want, "{url}");
            assert!(h.url.is_some());
        }
    }

    #[test]
    fn links_to_posts_and_platform_pages_are_not_profiles() {
        for (platform, url) in [
            (Platform::Instagram, "https://www.instagram.com/p/CxYz123/"),
            (Platform::Instagram, "instagram.com/reel/CxYz123"),
            (Platform::Youtube, "https://www.youtube.com/watch?v=abc"),
            (Platform::Youtube, "https://youtu.be/dQw4w9WgXcQ"),
            (Platform::Youtube, "https://youtube.com/shorts/abc"),
            (Platform::Tiktok, "https://vm.tiktok.com/ZMabcdef/"),
            (Platform::X, "https://x.com/i/status/123"),
            (Platform::Facebook, "https://facebook.com/watch?v=1"),
        ] {
            let err = parse(platform, url).unwrap_err();
            assert!(err.contains("not to a profile") || err.contains("not a profile URL"), "{url}: {err}");
        }
    }

    #[test]
    fn stories_deep_links_and_numbered_profiles_name_their_account() {
        for (platform, url, want) in [
            (Platform::Instagram, "https://www.instagram.com/stories/lena.bakes/3141/", "lena.bakes"),
            (Platform::Instagram, "instagram.com/_u/lena.bakes", "lena.bakes"),
            (Platform::Facebook, "https://www.facebook.com/profile.php?id=100012345", "100012345"),
            (Platform::X, "https://x.com/lena/status/123", "lena"),
            (Platform::Tiktok, "https://www.tiktok.com/@lena/video/123", "lena"),
        ] {
            assert_eq!(parse(platform, url).unwrap().normalized, want, "{url}");
        }
        assert!(parse(Platform::Facebook, "https://www.facebook.com/profile.php").is_err());
    }

    #[test]
    fn invisible_characters_copied_with_a_handle_are_dropped() {
        for input in ["\u{200B}lena.zw", "\u{200E}lena.zw", "lena.zw\u{FEFF}", "@\u{2066}lena.zw\u{2069}"] {
            assert_eq!(parse(Platform::Instagram, input).unwrap().normalized, "lena.zw", "{input:?}");
        }
        assert!(parse(Platform::Instagram, "\u{200B}").is_err(), "nothing visible is no handle");
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
