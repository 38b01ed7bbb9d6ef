//! The disclosure check of a caption: is the advertising disclosure a jurisdiction expects
//! present, is it where followers see it, are ambiguous tokens standing in for it, and are
//! the campaign's required hashtags and mentions there. Each finding names its rule, a
//! verdict (pass / fail / needs review) and the reason in plain words. It is advice, not
//! legal advice ([`ADVICE_NOTE`]).
//!
//! # Rules
//!
//! - `disclosure_present` (always reported): pass when a clear disclosure for the profile
//!   is found; needs review when only ambiguous tokens are; fail otherwise.
//! - `disclosure_visible` (reported when any disclosure token is found; judged on the clear
//!   ones when there are any): the token starts within the first
//!   [`Requirements::visible_chars`] characters (characters, not bytes) or on the first line
//!   with text, and is not in the trailing hashtag block — a run of at least three
//!   hashtags (emoji, dots and mentions between them allowed) that ends the caption —
//!   unless it is the very first thing in the caption.
//! - `ambiguous_token` (one per distinct token that is not a clear disclosure): needs
//!   review, or fail for tokens the regulator has said are not enough (UK) and for tokens
//!   that contradict the relationship ("not sponsored", "unbezahlte Werbung" on paid
//!   content). A token next to a clear, visible disclosure passes — unless it contradicts.
//! - `required_hashtag` / `required_mention` (one per requirement): the hashtag or mention
//!   occurs, compared case-insensitively, a leading `#`/`@` in the requirement ignored.
//!
//! `overall` is the worst verdict of all findings.
//!
//! # Profiles
//!
//! - `us` (FTC Endorsement Guides): #ad, #advert(isement), `Ad:`, #sponsored, "sponsored
//!   by", "Paid partnership (with)" are clear; #gifted / "gifted by" are clear for gifted
//!   content only. #sp, #spon, #collab, #partner, #ambassador and "thanks @brand" need
//!   review.
//! - `uk` (ASA/CAP Code, CMA): only an ad label is clear — #ad, #advert, `Ad`, `Advert`,
//!   `Advertisement`, `AD |`; for gifted content #gifted is clear too (gifted means an
//!   unconditional gift: when the brand had any control over the content it is an ad under
//!   the CAP Code — check it as paid). The ASA has said #sponsored, #spon, #sp, #collab,
//!   "in partnership with", "thanks to @brand" (and #gifted on paid content) are not enough,
//!   so they fail. "Paid partnership" wording needs review (the ASA wants "Ad" as well).
//! - `eu_de` (UWG §5a, MStV): Werbung, Anzeige, #werbung, #anzeige are clear; for gifted
//!   content "unbezahlte Werbung" / #unbezahltewerbung too (and it contradicts paid
//!   content). English #ad needs review (the audience may not understand it); #sponsored,
//!   gesponsert, #kooperation, #collab, "in Zusammenarbeit mit", "Bezahlte Partnerschaft",
//!   #gifted and "danke @brand" need review.
//!
//! German words in a `us`/`uk` caption need review (the audience's language is expected).
//!
//! # Matching
//!
//! Case-insensitive, on word boundaries of any script: #adventure and #advertisingagency
//! are not #ad, "Werbungskosten" and #werbungskosten are not Werbung (compounds do not
//! count), "ad-free" and "I saw an ad" are not an ad label (`Ad` counts up front on a line
//! or followed by `:`, `|`, `)`, `]` or a spaced dash), "e#mail" is no hashtag and
//! "me@example.com" no mention. An occurrence inside a longer term counts as the longer one
//! ("Werbung" in "unbezahlte Werbung", "sponsored" in "not sponsored").

mod scan;
mod terms;

use crate::campaigns::DisclosureProfile;
use scan::{Caption, Hit};
use serde::{Deserialize, Serialize};
use terms::Strength;

/// Shown with every check.
pub const ADVICE_NOTE: &str = "This disclosure check is advice, not legal advice: it looks for the labels the \
    advertising rules of the chosen jurisdiction expect, but it cannot see platform labels, images, video or the deal \
    behind a post. When in doubt, ask someone qualified.";

/// How many characters a platform shows before "more", by default.
pub const DEFAULT_VISIBLE_CHARS: usize = 125;
/// How many hashtags at the end of a caption make a block followers scroll past.
pub const TRAILING_BLOCK_MIN: usize = 3;

/// A clear disclosure for the profile is in the caption.
pub const RULE_PRESENT: &str = "disclosure_present";
/// The disclosure is where followers see it.
pub const RULE_VISIBLE: &str = "disclosure_visible";
/// A token that is not a clear disclosure.
pub const RULE_AMBIGUOUS: &str = "ambiguous_token";
/// A required hashtag is in the caption.
pub const RULE_HASHTAG: &str = "required_hashtag";
/// A required mention is in the caption.
pub const RULE_MENTION: &str = "required_mention";
/// Every rule, in report order.
pub const RULES: [&str; 5] = [RULE_PRESENT, RULE_VISIBLE, RULE_AMBIGUOUS, RULE_HASHTAG, RULE_MENTION];

/// What a caption must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    pub profile: DisclosureProfile,
    /// With or without `#`; any case.
    pub required_hashtags: Vec<String>,
    /// With or without `@`; any case.
    pub required_mentions: Vec<String>,
    /// The disclosure must start within this many characters (or on the first line).
    pub visible_chars: usize,
    /// Paid content; `false` means an unconditional gift, which still needs disclosing.
    pub paid: bool,
}

impl Requirements {
    /// Paid content under `profile`, no required hashtags or mentions, the default fold.
    pub fn new(profile: DisclosureProfile) -> Requirements {
        Requirements {
            profile,
            required_hashtags: Vec::new(),
            required_mentions: Vec::new(),
            visible_chars: DEFAULT_VISIBLE_CHARS,
            paid: true,
        }
    }
}

/// A finding's verdict; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    NeedsReview,
    Fail,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Pass, Verdict::NeedsReview, Verdict::Fail];

    pub fn slug(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::NeedsReview => "needs_review",
            Verdict::Fail => "fail",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "Pass",
            Verdict::NeedsReview => "Needs review",
            Verdict::Fail => "Fail",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.slug() == s.trim())
    }
}

/// One rule's verdict on a caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// `disclosure_present`, `disclosure_visible`, `ambiguous_token`, `required_hashtag` or
    /// `required_mention`.
    #[schema(value_type = String, example = "disclosure_visible")]
    pub rule: &'static str,
    pub verdict: Verdict,
    /// In plain words, naming the token, hashtag or mention.
    pub reason: String,
}

/// Every finding on a caption and the worst verdict among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub overall: Verdict,
}

impl Report {
    /// The worst verdict of a rule's findings; `None` when the rule reported nothing.
    pub fn verdict_of(&self, rule: &str) -> Option<Verdict> {
        self.findings.iter().filter(|f| f.rule == rule).map(|f| f.verdict).max()
    }
}

/// A disclosure token found in the caption, judged under the profile.
struct Token {
    hit: Hit,
    strength: Strength,
    why: &'static str,
}

/// Where a token stands: visible, or why not.
enum Placement {
    Visible(String),
    Hidden(String),
}

/// Checks a caption against the requirements.
pub fn check(caption: &str, req: &Requirements) -> Report {
    let c = Caption::new(caption);
    let tokens: Vec<Token> = c
        .hits()
        .into_iter()
        .map(|hit| {
            let (strength, why) = terms::judge(req.profile, req.paid, hit.term.class);
            Token { hit, strength, why }
        })
        .collect();
    let clear: Vec<&Token> = tokens.iter().filter(|t| t.strength == Strength::Clear).collect();
    let mut findings = vec![present(&tokens, &clear, req)];

    let candidates: Vec<&Token> = if clear.is_empty() {
        tokens.iter().filter(|t| t.strength != Strength::Contradicts).collect()
    } else {
        clear.clone()
    };
    let placements: Vec<Placement> = candidates.iter().map(|t| placement(&c, t, req.visible_chars)).collect();
    let visible_at = placements.iter().position(|p| matches!(p, Placement::Visible(_)));
    if let Some(p) = visible_at.map(|i| &placements[i]).or(placements.first()) {
        findings.push(match p {
            Placement::Visible(r) => Finding { rule: RULE_VISIBLE, verdict: Verdict::Pass, reason: r.clone() },
            Placement::Hidden(r) => Finding { rule: RULE_VISIBLE, verdict: Verdict::Fail, reason: r.clone() },
        });
    }

    let clear_visible: Option<&Token> = if clear.is_empty() { None } else { visible_at.map(|i| candidates[i]) };
    let mut seen: Vec<String> = Vec::new();
    for t in tokens.iter().filter(|t| t.strength != Strength::Clear) {
        let key = t.hit.text.to_lowercase();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        findings.push(ambiguous(t, clear_visible, req));
    }

    let tags: Vec<String> = c.hashtags().into_iter().map(|(_, t)| t).collect();
    for want in normalised(&req.required_hashtags, '#') {
        findings.push(required(RULE_HASHTAG, '#', &want, tags.contains(&want)));
    }
    let mentions = c.mentions();
    for want in normalised(&req.required_mentions, '@') {
        findings.push(required(RULE_MENTION, '@', &want, mentions.contains(&want)));
    }

    let overall = findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Pass);
    Report { findings, overall }
}

fn quoted(t: &Token) -> String {
    format!("“{}”", t.hit.text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn present(tokens: &[Token], clear: &[&Token], req: &Requirements) -> Finding {
    let (verdict, reason) = if let Some(t) = clear.first() {
        (Verdict::Pass, format!("{} {}.", quoted(t), t.why))
    } else if let Some(t) = tokens.iter().find(|t| t.strength == Strength::Ambiguous) {
        let hint = terms::suggestion(req.profile, req.paid);
        (Verdict::NeedsReview, format!("Only an unclear disclosure: {} {}; {hint}.", quoted(t), t.why))
    } else {
        let tried = tokens.first().map(|t| format!(" {} {};", quoted(t), t.why)).unwrap_or_default();
        (Verdict::Fail, format!("No clear disclosure:{tried} {}.", terms::suggestion(req.profile, req.paid)))
    };
    Finding { rule: RULE_PRESENT, verdict, reason }
}

/// Where a token is, with the position (1-based, in characters) in the reason.
fn placement(c: &Caption, t: &Token, visible_chars: usize) -> Placement {
    let at = t.hit.start;
    let name = quoted(t);
    if let Some((block, count)) = c.trailing_block(TRAILING_BLOCK_MIN)
        && at >= block
        && at != c.first_text()
    {
        return Placement::Hidden(format!(
            "{name} is at character {}, inside the block of {count} hashtags the caption ends with \
             (from character {}), where followers scroll past it: put it at the start.",
            at + 1,
            block + 1
        ));
    }
    if at < visible_chars {
        Placement::Visible(format!("{name} is at character {}, within the first {visible_chars} characters.", at + 1))
    } else if at < c.first_line_end() {
        Placement::Visible(format!("{name} is at character {}, on the first line.", at + 1))
    } else {
        Placement::Hidden(format!(
            "{name} is at character {}, after the first {visible_chars} characters and not on the first line, \
             so it is hidden behind “more”: put it at the start.",
            at + 1
        ))
    }
}

fn ambiguous(t: &Token, clear_visible: Option<&Token>, req: &Requirements) -> Finding {
    let name = quoted(t);
    let advice = format!("{name} {}; {}.", t.why, terms::suggestion(req.profile, req.paid));
    let (verdict, reason) = match (t.strength, clear_visible) {
        (Strength::Contradicts, Some(_)) => (Verdict::Fail, format!("{name} {}: remove it.", t.why)),
        (Strength::Contradicts, None) => (Verdict::Fail, advice),
        (_, Some(c)) => {
            (Verdict::Pass, format!("{name} {}, but the clear disclosure {} is there as well.", t.why, quoted(c)))
        }
        (Strength::Insufficient, None) => (Verdict::Fail, advice),
        _ => (Verdict::NeedsReview, advice),
    };
    Finding { rule: RULE_AMBIGUOUS, verdict, reason }
}

/// Requirements trimmed, without a leading `#`/`@`, lower-cased, blanks and repeats dropped.
fn normalised(values: &[String], sigil: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim().trim_start_matches(sigil).trim().to_lowercase();
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn required(rule: &'static str, sigil: char, want: &str, found: bool) -> Finding {
    let (verdict, reason) = if found {
        (Verdict::Pass, format!("{sigil}{want} is in the caption."))
    } else {
        (Verdict::Fail, format!("{sigil}{want} is required but missing."))
    };
    Finding { rule, verdict, reason }
}

#[cfg(test)]
mod tests;
