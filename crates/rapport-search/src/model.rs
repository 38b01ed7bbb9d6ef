//! The plain structs the search engine speaks: the creator document the caller denormalises, the query, the
//! result with its facet counts, and the follower tiers used for the tier facet.

use time::OffsetDateTime;
use uuid::Uuid;

/// One creator as the index sees it (all denormalised by the caller).
///
/// Keyword values (platforms, countries, cities, languages, niches, tags, stage, audience keys) are matched
/// exactly as given, so the caller passes canonical forms (platform slugs, ISO codes, stage names). Empty
/// strings and duplicates are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatorDoc {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub display_name: String,
    /// The name as listings sort it (lower-cased, accents folded: `rapport_core::creators::sort_name`).
    pub sort_name: String,
    pub legal_name: Option<String>,
    /// All account handles, with or without a leading `@`.
    pub handles: Vec<String>,
    /// Email addresses (searchable as text).
    pub emails: Vec<String>,
    pub bio: Option<String>,
    pub tone_notes: Option<String>,
    pub niches: Vec<String>,
    pub tags: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub languages: Vec<String>,
    /// Platform slugs of the creator's accounts.
    pub platforms: Vec<String>,
    pub stage: String,
    pub owner_id: Option<Uuid>,
    pub has_email: bool,
    pub do_not_contact: bool,
    pub deleted: bool,
    pub max_followers: i64,
    pub max_average_views: i64,
    /// Engagement rate of the largest account, in percent.
    pub engagement_rate_pct: Option<f64>,
    /// 0–100.
    pub fit_score: Option<u8>,
    /// Audience share per key in percent, from the largest account.
    pub audience_countries: Vec<(String, f64)>,
    pub audience_ages: Vec<(String, f64)>,
    pub audience_genders: Vec<(String, f64)>,
    /// Oldest metric observation (freshness).
    pub data_observed_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

/// Restricts results by owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnerFilter {
    /// Creators owned by this member.
    Owner(Uuid),
    /// Creators without an owner.
    Unowned,
}

/// Result order. Every order breaks ties by creator id ascending, so paging with `offset` is stable.
/// Creators without a value for the sort key (no engagement rate, no fit score) come last in both directions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// BM25 relevance of the free text, best first. Without search words it falls back to
    /// `Updated { desc: true }`.
    #[default]
    Relevance,
    Followers {
        desc: bool,
    },
    Engagement {
        desc: bool,
    },
    Fit {
        desc: bool,
    },
    Updated {
        desc: bool,
    },
    /// By [`CreatorDoc::sort_name`]'s first 16 bytes (names alike that far are in id order).
    Name {
        desc: bool,
    },
}

/// A search over one workspace. Lists are OR within one list and AND across lists; an empty list does
/// not filter. Numeric bounds are inclusive; a creator without the value (no engagement rate, no
/// observation date, no share for the audience key) never passes a bound on it.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    pub workspace_id: Uuid,
    /// Free text over names, handles, emails, bio, niches, tags, tone notes and city. Every word must match;
    /// the last word also matches the start of a word of a name or handle ("anna sch" finds Anna Schäfer) when
    /// it has 3+ characters and the text does not end in whitespace. Case and accents are ignored.
    pub text: Option<String>,
    pub platforms: Vec<String>,
    pub countries: Vec<String>,
    pub cities: Vec<String>,
    pub languages: Vec<String>,
    pub niches: Vec<String>,
    /// All of them (the other lists match any of their values).
    pub tags: Vec<String>,
    pub stages: Vec<String>,
    pub min_followers: Option<i64>,
    pub max_followers: Option<i64>,
    pub min_average_views: Option<i64>,
    pub max_average_views: Option<i64>,
    pub min_engagement_pct: Option<f64>,
    pub max_engagement_pct: Option<f64>,
    /// Share of the audience in this country at least this many percent (compared at 0.01 % precision).
    pub audience_country: Option<(String, f64)>,
    /// Share of the audience in this age bracket at least this many percent.
    pub audience_age: Option<(String, f64)>,
    /// Share of the audience of this gender at least this many percent.
    pub audience_gender: Option<(String, f64)>,
    pub owner: Option<OwnerFilter>,
    pub has_email: Option<bool>,
    /// Data freshness: oldest metric observed at or after this instant.
    pub observed_since: Option<OffsetDateTime>,
    /// When false (the default) creators marked do-not-contact are excluded.
    pub include_do_not_contact: bool,
    /// Only creators marked do-not-contact (wins over `include_do_not_contact`).
    pub only_do_not_contact: bool,
    /// False: live creators only; true: deleted creators only.
    pub deleted: bool,
    /// Only these creators (a hand-picked list's members); `None`: any.
    pub ids: Option<Vec<Uuid>>,
    pub sort: SearchSort,
    pub offset: usize,
    /// Continue after this match of an earlier page (its [`SearchResult::marks`] entry, under the same sort):
    /// a page that starts after a match, not at a position, neither skips nor repeats creators when others
    /// change in between.
    pub after: Option<Mark>,
    /// Relevance scored with these statistics where they cover the words (the first page's
    /// [`SearchResult::score_basis`]), so that a later page scores every creator as the first did.
    pub score_basis: Option<crate::ScoreBasis>,
    pub limit: usize,
    /// The facets to count over all matches (none by default).
    pub facets: FacetSet,
    /// The caller needs no [`SearchResult::total`]: a page sorted by relevance may then skip the matches that
    /// cannot reach it instead of scoring and counting every one, and `total` is at most the true count.
    pub uncounted: bool,
}

/// A value a query can count its matches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Platform,
    Country,
    Niche,
    Tag,
    Stage,
    Language,
    Tier,
}

impl Facet {
    pub const ALL: [Facet; 7] =
        [Facet::Platform, Facet::Country, Facet::Niche, Facet::Tag, Facet::Stage, Facet::Language, Facet::Tier];

    /// The facet's name in a `facets=` list.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Platform => "platform",
            Facet::Country => "country",
            Facet::Niche => "niche",
            Facet::Tag => "tag",
            Facet::Stage => "stage",
            Facet::Language => "language",
            Facet::Tier => "tier",
        }
    }

    pub fn parse(name: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// Which facets a query counts: each costs a read of its column for every match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FacetSet(u8);

impl FacetSet {
    pub const NONE: FacetSet = FacetSet(0);
    pub const ALL: FacetSet = FacetSet(0x7f);

    pub fn of(facets: &[Facet]) -> FacetSet {
        FacetSet(facets.iter().fold(0, |bits, f| bits | FacetSet::bit(*f)))
    }

    pub fn has(self, f: Facet) -> bool {
        self.0 & FacetSet::bit(f) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn bit(f: Facet) -> u8 {
        1 << (f as u8)
    }
}

impl SearchQuery {
    /// A query matching every live, contactable creator of the workspace, first page of 20.
    pub fn for_workspace(workspace_id: Uuid) -> SearchQuery {
        SearchQuery { workspace_id, ..SearchQuery::default() }
    }
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            workspace_id: Uuid::nil(),
            text: None,
            platforms: Vec::new(),
            countries: Vec::new(),
            cities: Vec::new(),
            languages: Vec::new(),
            niches: Vec::new(),
            tags: Vec::new(),
            stages: Vec::new(),
            min_followers: None,
            max_followers: None,
            min_average_views: None,
            max_average_views: None,
            min_engagement_pct: None,
            max_engagement_pct: None,
            audience_country: None,
            audience_age: None,
            audience_gender: None,
            owner: None,
            has_email: None,
            observed_since: None,
            include_do_not_contact: false,
            only_do_not_contact: false,
            deleted: false,
            ids: None,
            sort: SearchSort::Relevance,
            offset: 0,
            after: None,
            score_basis: None,
            limit: 20,
            facets: FacetSet::NONE,
            uncounted: false,
        }
    }
}

/// Counts per value over all matches (not just the page), sorted by count descending then value.
/// Values with no match are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub platforms: Vec<(String, u64)>,
    pub countries: Vec<(String, u64)>,
    pub niches: Vec<(String, u64)>,
    pub tags: Vec<(String, u64)>,
    pub stages: Vec<(String, u64)>,
    /// By `max_followers`, named as in [`TIERS`].
    pub tiers: Vec<(String, u64)>,
    pub languages: Vec<(String, u64)>,
}

/// A match's place in a sort: its sort key as the index encodes it and its id. Opaque outside the index.
pub type Mark = (u128, u128);

/// One page of matching creator ids, the total number of matches, and facet counts when asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResult {
    pub ids: Vec<Uuid>,
    /// Where each of `ids` stands in the sort, to continue after it ([`SearchQuery::after`]).
    pub marks: Vec<Mark>,
    pub total: usize,
    pub facets: Facets,
    /// What relevance was scored with, when it was: for the next page's [`SearchQuery::score_basis`].
    pub score_basis: Option<crate::ScoreBasis>,
}

/// What [`crate::SearchIndex::page_by_followers`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowerPage {
    /// The page's ids, in order.
    Found(Vec<Uuid>),
    /// A segment's projection is still to be built, which the caller did not allow.
    NotBuilt,
    /// The projections cannot answer the query; the database can.
    Unanswerable,
}

/// A follower tier: `min..max` followers (`max` exclusive, `None` unbounded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierRange {
    pub name: &'static str,
    pub min: i64,
    pub max: Option<i64>,
}

/// The tiers by largest following: nano < 10 k ≤ micro < 100 k ≤ mid < 500 k ≤ macro < 1 M ≤ mega.
/// A creator none of whose accounts reports a following has no tier.
pub const TIERS: [TierRange; 5] = [
    TierRange { name: "nano", min: 1, max: Some(10_000) },
    TierRange { name: "micro", min: 10_000, max: Some(100_000) },
    TierRange { name: "mid", min: 100_000, max: Some(500_000) },
    TierRange { name: "macro", min: 500_000, max: Some(1_000_000) },
    TierRange { name: "mega", min: 1_000_000, max: None },
];

/// The tier facet's name for creators without a known following, who are in no tier.
pub const UNKNOWN_TIER: &str = "unknown";

/// Index into [`TIERS`] of the tier of a creator whose largest account has `followers`;
/// `None` when no following is known (stored as 0).
pub fn tier_index(followers: i64) -> Option<usize> {
    match followers {
        f if f < 1 => None,
        f if f < 10_000 => Some(0),
        f if f < 100_000 => Some(1),
        f if f < 500_000 => Some(2),
        f if f < 1_000_000 => Some(3),
        _ => Some(4),
    }
}

/// Name of the tier of a creator whose largest account has `followers`, if it has one.
pub fn tier_name(followers: i64) -> Option<&'static str> {
    tier_index(followers).map(|i| TIERS[i].name)
}
