//! Deliverables — what a creator owes on a collaboration (a reel, three stories, a blog
//! post…): their formats, their requirements, and the status machine a deliverable moves
//! through from planned to verified.

use crate::Invalid;
use crate::platform::Platform;
use crate::validation::{optional_date, optional_text};
use serde::{Deserialize, Serialize};
use time::Date;

/// The longest link, code or requirement text, in characters.
pub const MAX_REQUIREMENT: usize = 500;
/// The most of one deliverable (30 stories is already a lot).
pub const MAX_QUANTITY: i64 = 100;

/// Where a deliverable stands. `Missed` and `Cancelled` end it early; `Verified` ends it well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Planned,
    DraftSubmitted,
    ChangesRequested,
    Approved,
    Published,
    Verified,
    Missed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Planned,
        Status::DraftSubmitted,
        Status::ChangesRequested,
        Status::Approved,
        Status::Published,
        Status::Verified,
        Status::Missed,
        Status::Cancelled,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::DraftSubmitted => "draft_submitted",
            Status::ChangesRequested => "changes_requested",
            Status::Approved => "approved",
            Status::Published => "published",
            Status::Verified => "verified",
            Status::Missed => "missed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Planned => "Planned",
            Status::DraftSubmitted => "Draft submitted",
            Status::ChangesRequested => "Changes requested",
            Status::Approved => "Approved",
            Status::Published => "Published",
            Status::Verified => "Verified",
            Status::Missed => "Missed",
            Status::Cancelled => "Cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Status::ALL.into_iter().find(|st| st.slug() == s)
    }

    /// Still expected: not verified, missed or cancelled.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Verified | Status::Missed | Status::Cancelled)
    }

    /// Waiting for a draft from the creator (so a past draft due date makes it overdue).
    pub fn awaits_draft(self) -> bool {
        matches!(self, Status::Planned | Status::ChangesRequested)
    }

    /// The statuses a deliverable in this one may move to.
    ///
    /// planned → draft submitted → (changes requested → draft submitted)* → approved →
    /// published → verified; missed from any status before publication; cancelled from any
    /// open status.
    pub fn allowed_next(self) -> Vec<Status> {
        let mut out = match self {
            Status::Planned => vec![Status::DraftSubmitted, Status::Missed],
            Status::DraftSubmitted => vec![Status::ChangesRequested, Status::Approved],
            Status::ChangesRequested => vec![Status::DraftSubmitted, Status::Missed],
            Status::Approved => vec![Status::Published, Status::Missed],
            Status::Published => vec![Status::Verified],
            Status::Verified | Status::Missed | Status::Cancelled => vec![],
        };
        if self.is_open() {
            out.push(Status::Cancelled);
        }
        out
    }

    /// Checks a move; the error names the statuses allowed from here.
    pub fn transition(self, to: Status) -> Result<(), String> {
        let allowed = self.allowed_next();
        if allowed.contains(&to) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|s| s.slug()).collect();
        Err(if names.is_empty() {
            format!("a deliverable that is {} cannot change status", self.slug())
        } else {
            format!("a deliverable cannot go from {} to {}; allowed: {}", self.slug(), to.slug(), names.join(", "))
        })
    }
}

/// The kind of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Post,
    Reel,
    Story,
    Short,
    Video,
    Live,
    Blog,
    Newsletter,
    UgcAsset,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::Post,
        Format::Reel,
        Format::Story,
        Format::Short,
        Format::Video,
        Format::Live,
        Format::Blog,
        Format::Newsletter,
        Format::UgcAsset,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Format::Post => "post",
            Format::Reel => "reel",
            Format::Story => "story",
            Format::Short => "short",
            Format::Video => "video",
            Format::Live => "live",
            Format::Blog => "blog",
            Format::Newsletter => "newsletter",
            Format::UgcAsset => "ugc_asset",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Post => "Post",
            Format::Reel => "Reel",
            Format::Story => "Story",
            Format::Short => "Short",
            Format::Video => "Video",
            Format::Live => "Live",
            Format::Blog => "Blog post",
            Format::Newsletter => "Newsletter",
            Format::UgcAsset => "UGC asset",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        let s = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Format::ALL.into_iter().find(|f| f.slug() == s)
    }
}

/// A deliverable as submitted (create, or the full editable state when patching).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverableInput {
    /// `instagram`, `tiktok`, `youtube`, …
    pub platform: Option<String>,
    /// `post`, `reel`, `story`, `short`, `video`, `live`, `blog`, `newsletter` or `ugc_asset`.
    pub format: Option<String>,
    /// How many (default 1).
    pub quantity: Option<i64>,
    /// When the draft is due, `YYYY-MM-DD`.
    pub draft_due_on: Option<String>,
    /// The first day it may go live, `YYYY-MM-DD`.
    pub publish_from: Option<String>,
    /// The last day it may go live, `YYYY-MM-DD`.
    pub publish_until: Option<String>,
    /// The fee for this deliverable in minor units of the campaign's currency.
    pub fee_minor: Option<i64>,
    /// Hashtags the caption must carry, in addition to the campaign's (kept without `#`).
    pub hashtags: Option<Vec<String>>,
    /// Accounts the caption must mention, in addition to the campaign's (kept without `@`).
    pub mentions: Option<Vec<String>>,
    /// The link the content must carry.
    pub link: Option<String>,
    /// The promo code the content must carry.
    pub code: Option<String>,
    /// Whether an advertising disclosure is required (default true).
    pub disclosure_required: Option<bool>,
}

/// A valid deliverable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliverable {
    pub platform: Platform,
    pub format: Format,
    pub quantity: i64,
    pub draft_due_on: Option<Date>,
    pub publish_from: Option<Date>,
    pub publish_until: Option<Date>,
    pub fee_minor: Option<i64>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
    pub link: Option<String>,
    pub code: Option<String>,
    pub disclosure_required: bool,
}

/// Normalises a list with the campaign's rule for one item (a hashtag or a mention, kept
/// without its sigil, lower-cased); blanks and repeats are dropped.
pub fn tag_list(
    e: &mut Invalid,
    field: &str,
    values: Option<&[String]>,
    rule: fn(&str) -> Result<String, String>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values.unwrap_or_default().iter().filter(|v| !v.trim().is_empty()) {
        match rule(v) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(m) => e.add(field, m),
        }
    }
    out
}

/// Validates a deliverable.
pub fn validate(input: &DeliverableInput) -> Result<Deliverable, Invalid> {
    let mut e = Invalid::new();
    let platform = match input.platform.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("platform", "is required");
            None
        }
        Some(p) => Platform::parse(p).map_err(|m| e.add("platform", m)).ok(),
    };
    let format = match input.format.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("format", "is required");
            None
        }
        Some(f) => Format::parse(f).or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.slug()).collect();
            e.add("format", format!("must be one of {}", names.join(", ")));
            None
        }),
    };
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        e.add("quantity", format!("must be between 1 and {MAX_QUANTITY}"));
    }
    let draft_due_on = optional_date(&mut e, "draft_due_on", input.draft_due_on.as_deref());
    let publish_from = optional_date(&mut e, "publish_from", input.publish_from.as_deref());
    let publish_until = optional_date(&mut e, "publish_until", input.publish_until.as_deref());
    if let (Some(a), Some(b)) = (publish_from, publish_until)
        && b < a
    {
        e.add("publish_until", "must not be before publish_from");
    }
    if let (Some(d), Some(a)) = (draft_due_on, publish_from)
        && a < d
    {
        e.add("publish_from", "must not be before the draft is due");
    }
    if input.fee_minor.is_some_and(|f| f < 0) {
        e.add("fee_minor", "must be zero or more");
    }
    let hashtags = tag_list(&mut e, "hashtags", input.hashtags.as_deref(), crate::campaigns::hashtag);
    let mentions = tag_list(&mut e, "mentions", input.mentions.as_deref(), crate::campaigns::mention);
    let link = optional_text(&mut e, "link", input.link.as_deref(), MAX_REQUIREMENT);
    if let Some(l) = &link
        && url::Url::parse(l).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true)
    {
        e.add("link", "must be a web address starting with https:// or http://");
    }
    let code = optional_text(&mut e, "code", input.code.as_deref(), 100);
    match (platform, format) {
        (Some(platform), Some(format)) if e.is_empty() => Ok(Deliverable {
            platform,
            format,
            quantity,
            draft_due_on,
            publish_from,
            publish_until,
            fee_minor: input.fee_minor,
            hashtags,
            mentions,
            link,
            code,
            disclosure_required: input.disclosure_required.unwrap_or(true),
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DeliverableInput {
        DeliverableInput { platform: Some("instagram".into()), format: Some("reel".into()), ..Default::default() }
    }

    #[test]
    fn the_main_path_runs_from_planned_to_verified_with_review_rounds() {
        let path = [
            Status::Planned,
            Status::DraftSubmitted,
            Status::ChangesRequested,
            Status::DraftSubmitted,
            Status::Approved,
            Status::Published,
            Status::Verified,
        ];
        for w in path.windows(2) {
            assert_eq!(w[0].transition(w[1]), Ok(()), "{:?} → {:?}", w[0], w[1]);
        }
    }

    #[test]
    fn a_forbidden_move_names_the_allowed_ones() {
        let err = Status::Planned.transition(Status::Approved).unwrap_err();
        assert_eq!(
            err,
            "a deliverable cannot go from planned to approved; allowed: draft_submitted, missed, cancelled"
        );
        let err = Status::Verified.transition(Status::Cancelled).unwrap_err();
        assert_eq!(err, "a deliverable that is verified cannot change status");
    }

    #[test]
    fn every_open_status_can_be_cancelled_and_no_closed_one_can_move() {
        for s in Status::ALL {
            assert_eq!(s.allowed_next().contains(&Status::Cancelled), s.is_open(), "{s:?}");
            if !s.is_open() {
                assert!(s.allowed_next().is_empty());
            }
        }
    }

    #[test]
    fn a_published_deliverable_cannot_be_missed_or_unapproved() {
        assert!(Status::Published.transition(Status::Missed).is_err());
        assert!(Status::Published.transition(Status::ChangesRequested).is_err());
        assert!(Status::Approved.transition(Status::DraftSubmitted).is_err());
    }

    #[test]
    fn a_deliverable_needs_platform_and_format_and_names_each_bad_field() {
        let e = validate(&DeliverableInput {
            quantity: Some(0),
            publish_from: Some("2026-05-10".into()),
            publish_until: Some("2026-05-01".into()),
            link: Some("javascript:alert(1)".into()),
            fee_minor: Some(-1),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["platform", "format", "quantity", "publish_until", "fee_minor", "link"]);
    }

    #[test]
    fn hashtags_and_mentions_follow_the_campaign_rules_without_repeats() {
        let d = validate(&DeliverableInput {
            hashtags: Some(vec!["ad".into(), " #Spring ".into(), "#spring".into(), "".into()]),
            mentions: Some(vec!["@brand".into(), "brand".into()]),
            ..input()
        })
        .unwrap();
        assert_eq!(d.hashtags, ["ad", "spring"]);
        assert_eq!(d.mentions, ["brand"]);
        assert!(d.disclosure_required);
        assert_eq!(d.quantity, 1);
    }

    #[test]
    fn formats_parse_from_their_slugs_and_labels() {
        assert_eq!(Format::parse("UGC asset"), Some(Format::UgcAsset));
        assert_eq!(Format::parse("reel"), Some(Format::Reel));
        assert_eq!(Format::parse("tweet"), None);
    }
}
