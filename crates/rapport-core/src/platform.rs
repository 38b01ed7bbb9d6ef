//! The fixed list of platforms a social account can live on.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! platforms {
    ($($variant:ident => $slug:literal, $label:literal, $video:literal, [$($host:literal),*];)*) => {
        /// A social platform (DESIGN.md §3 `social_account.platform`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Platform { $($variant),* }

        impl Platform {
            /// Every platform, in display order.
            pub const ALL: &'static [Platform] = &[$(Platform::$variant),*];

            /// The stable lower-case name used in the API and the database.
            pub fn slug(self) -> &'static str {
                match self { $(Platform::$variant => $slug),* }
            }

            /// The name people know it by.
            pub fn label(self) -> &'static str {
                match self { $(Platform::$variant => $label),* }
            }

            /// Whether engagement is measured against views (video) rather than followers.
            pub fn is_video(self) -> bool {
                match self { $(Platform::$variant => $video),* }
            }

            /// Web hosts whose profile URLs name an account on this platform.
            pub fn hosts(self) -> &'static [&'static str] {
                match self { $(Platform::$variant => &[$($host),*]),* }
            }
        }
    };
}

platforms! {
    Instagram => "instagram", "Instagram", false, ["instagram.com"];
    Tiktok => "tiktok", "TikTok", true, ["tiktok.com"];
    Youtube => "youtube", "YouTube", true, ["youtube.com", "youtu.be"];
    Twitch => "twitch", "Twitch", true, ["twitch.tv"];
    X => "x", "X", false, ["x.com", "twitter.com"];
    Facebook => "facebook", "Facebook", false, ["facebook.com", "fb.com"];
    Threads => "threads", "Threads", false, ["threads.net", "threads.com"];
    Pinterest => "pinterest", "Pinterest", false, ["pinterest.com"];
    Snapchat => "snapchat", "Snapchat", true, ["snapchat.com"];
    Linkedin => "linkedin", "LinkedIn", false, ["linkedin.com"];
    Blog => "blog", "Blog", false, [];
    Podcast => "podcast", "Podcast", false, [];
    Newsletter => "newsletter", "Newsletter", false, [];
}

/// The accepted platform names, comma-separated, for error messages.
pub fn accepted_list() -> String {
    Platform::ALL.iter().map(|p| p.slug()).collect::<Vec<_>>().join(", ")
}

impl Platform {
    /// Parses a platform name as people write it, ignoring case, spaces and punctuation
    /// ("Instagram", "Tik Tok", "X (Twitter)", "Twitter/X", "FB", "YouTube Shorts").
    pub fn parse(s: &str) -> Result<Platform, String> {
        let s: String = s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
        let alias = match s.as_str() {
            "twitter" | "xtwitter" | "twitterx" | "xformerlytwitter" | "xcom" | "twittercom" => "x",
            "ig" | "insta" | "instagramreels" | "igreels" => "instagram",
            "yt" | "youtubeshorts" | "ytshorts" => "youtube",
            "tt" => "tiktok",
            "fb" => "facebook",
            other => other,
        };
        Platform::ALL
            .iter()
            .copied()
            .find(|p| p.slug() == alias)
            .ok_or_else(|| format!("is not a known platform; accepted: {}", accepted_list()))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_parse_case_insensitively_with_aliases() {
        assert_eq!(Platform::parse("Instagram"), Ok(Platform::Instagram));
        assert_eq!(Platform::parse("twitter"), Ok(Platform::X));
        for (written, p) in [
            ("Insta", Platform::Instagram),
            ("Tik Tok", Platform::Tiktok),
            ("TT", Platform::Tiktok),
            ("You Tube", Platform::Youtube),
            ("YouTube Shorts", Platform::Youtube),
            ("X (Twitter)", Platform::X),
            ("Twitter/X", Platform::X),
            ("FB", Platform::Facebook),
            ("Linked In", Platform::Linkedin),
        ] {
            assert_eq!(Platform::parse(written), Ok(p), "{written}");
        }
        assert!(Platform::parse("").is_err());
    }

    #[test]
    fn an_unknown_platform_lists_the_accepted_ones() {
        let err = Platform::parse("myspace").unwrap_err();
        assert!(err.contains("instagram, tiktok, youtube"), "{err}");
    }
}
