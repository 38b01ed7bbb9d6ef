//! Seeded generators of creator documents and queries, and a plain-document builder.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rapport_search::{CreatorDoc, Facet, FacetSet, OwnerFilter, SearchQuery, SearchSort};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

pub const PLATFORMS: &[&str] = &["instagram", "tiktok", "youtube", "twitch", "x"];
pub const COUNTRIES: &[&str] = &["US", "DE", "FR", "GB", "BR", "JP"];
pub const CITIES: &[&str] = &["Berlin", "München", "Paris", "New York", "São Paulo"];
pub const LANGUAGES: &[&str] = &["en", "de", "fr", "es", "pt"];
pub const NICHES: &[&str] = &["fitness", "cooking", "travel", "gaming", "beauty", "tech"];
pub const TAGS: &[&str] = &["vip", "vegan", "q3-launch", "ugc", "long-form", "agency"];
/// Tags few creators have, so tag filters also take the posting-list path.
pub const RARE_TAGS: &[&str] = &["rare-a", "rare-b", "rare-c", "rare-d", "rare-e", "rare-f", "rare-g", "rare-h"];
pub const STAGES: &[&str] = &["new", "contacted", "negotiating", "active"];
pub const AGES: &[&str] = &["13-17", "18-24", "25-34", "35-44", "45+"];
pub const GENDERS: &[&str] = &["female", "male", "other"];
pub const FIRST: &[&str] = &["Anna", "Zoë", "Jürgen", "Łukasz", "Chloé", "Sam", "Annabel", "José"];
pub const LAST: &[&str] = &["Schäfer", "Müller", "Fit", "Cook", "Nguyễn", "Smith", "Ørsted"];
pub const WORDS: &[&str] = &[
    "fitness", "fit", "fitnessjourney", "cooking", "cook", "travel", "traveler", "vegan", "gaming", "game", "daily",
    "vlog", "recipes", "mountain", "café", "cafe", "berlin", "tech", "review", "unboxing",
];
/// Words queries use: document words, prefixes of them, accents, handles, and words no document has.
pub const QUERY_WORDS: &[&str] = &[
    "fitness", "fit", "fitn", "fi", "cook", "cooking", "coo", "travel", "trav", "vegan", "schafer", "SCHÄFER",
    "muller", "zoe", "jurgen", "lukasz", "anna", "annab", "@anna_fit", "anna_fit", "annafit", "cafe", "café", "berlin",
    "munchen", "sao", "nguyen", "orsted", "zzzqx", "\"unbalanced", "AND", "OR", "title:(x", "*", "-", "vip", "q3",
    "launch", "mail.example", "anna.fit@mail", "schafer@mail.example",
];

pub fn base_time() -> OffsetDateTime {
    datetime!(2026-01-01 00:00 UTC)
}

/// A minimal live creator in `workspace_id`.
pub fn doc(workspace_id: Uuid, display_name: &str) -> CreatorDoc {
    CreatorDoc {
        id: Uuid::now_v7(),
        workspace_id,
        display_name: display_name.to_string(),
        sort_name: display_name.to_lowercase(),
        legal_name: None,
        handles: Vec::new(),
        emails: Vec::new(),
        bio: None,
        tone_notes: None,
        niches: Vec::new(),
        tags: Vec::new(),
        country: None,
        city: None,
        languages: Vec::new(),
        platforms: Vec::new(),
        stage: "new".to_string(),
        owner_id: None,
        has_email: false,
        do_not_contact: false,
        deleted: false,
        max_followers: 0,
        max_average_views: 0,
        engagement_rate_pct: None,
        fit_score: None,
        audience_countries: Vec::new(),
        audience_ages: Vec::new(),
        audience_genders: Vec::new(),
        data_observed_at: None,
        updated_at: base_time(),
    }
}

pub struct Gen {
    pub rng: StdRng,
    pub workspaces: Vec<Uuid>,
    pub owners: Vec<Uuid>,
    /// The chance that a document is do-not-contact, and that it is deleted.
    pub flag_chance: f64,
}

fn pick<'a>(rng: &mut StdRng, from: &'a [&'a str]) -> &'a str {
    from.choose(rng).copied().unwrap_or_default()
}

fn some_of(rng: &mut StdRng, from: &[&str], max: usize) -> Vec<String> {
    let n = rng.random_range(0..=max);
    (0..n).map(|_| pick(rng, from).to_string()).collect()
}

fn shares(rng: &mut StdRng, keys: &[&str]) -> Vec<(String, f64)> {
    let n = rng.random_range(0..=keys.len().min(3));
    let mut out = Vec::new();
    for _ in 0..n {
        let k = pick(rng, keys);
        if out.iter().any(|(o, _): &(String, f64)| o == k) {
            continue;
        }
        out.push((k.to_string(), share(rng)));
    }
    out
}

/// Shares and thresholds often hit the same few values, so bounds are tested at equality.
const ROUND_SHARES: &[f64] = &[0.0, 12.5, 25.0, 33.33, 50.0, 66.67, 100.0];

fn share(rng: &mut StdRng) -> f64 {
    if rng.random_bool(0.6) {
        *ROUND_SHARES.choose(rng).unwrap_or(&0.0)
    } else {
        // Whole hundredths of a percent, as the shares the app stores.
        f64::from(rng.random_range(0..=10_000u32)) / 100.0
    }
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        let mut rng = StdRng::seed_from_u64(seed);
        let workspaces = (0..3).map(|_| Uuid::from_u128(rng.random())).collect();
        let owners = (0..3).map(|_| Uuid::from_u128(rng.random())).collect();
        Gen { rng, workspaces, owners, flag_chance: 0.1 }
    }

    /// Documents of one workspace, none deleted or do-not-contact (until `flag_chance` is raised): every
    /// document in the scope of the usual query, as in a single-brand deployment.
    pub fn one_workspace(seed: u64) -> Gen {
        let mut g = Gen::new(seed);
        g.workspaces.truncate(1);
        g.flag_chance = 0.0;
        g
    }

    pub fn doc(&mut self) -> CreatorDoc {
        let r = &mut self.rng;
        let first = pick(r, FIRST);
        let last = pick(r, LAST);
        let handles = (0..r.random_range(0..=2))
            .map(|i| match i {
                0 => format!("@{}_{}", first.to_lowercase(), last.to_lowercase()),
                _ => format!("{}{}", pick(r, WORDS), r.random_range(1..99)),
            })
            .collect();
        let bio_words = r.random_range(0..12);
        let bio = (bio_words > 0).then(|| (0..bio_words).map(|_| pick(r, WORDS)).collect::<Vec<_>>().join(" "));
        // Few distinct values, so sorts have many ties to break by id.
        let followers = *[0i64, 900, 9_999, 10_000, 42_000, 99_999, 100_000, 499_999, 750_000, 1_000_000, 3_000_000]
            .choose(r)
            .unwrap_or(&0);
        let t = |r: &mut StdRng| base_time() + time::Duration::days(r.random_range(0..8));
        CreatorDoc {
            id: Uuid::from_u128(r.random()),
            workspace_id: *self.workspaces.choose(r).unwrap_or(&Uuid::nil()),
            display_name: format!("{first} {last}"),
            sort_name: format!("{first} {last}").to_lowercase(),
            legal_name: r.random_bool(0.3).then(|| format!("{} {}", pick(r, FIRST), pick(r, LAST))),
            handles,
            emails: if r.random_bool(0.4) {
                vec![format!("{}.{}@mail.example", first.to_lowercase(), last.to_lowercase())]
            } else {
                Vec::new()
            },
            bio,
            tone_notes: r.random_bool(0.2).then(|| format!("{} and {}", pick(r, WORDS), pick(r, WORDS))),
            niches: some_of(r, NICHES, 3),
            tags: {
                let mut tags = some_of(r, TAGS, 3);
                if r.random_bool(0.1) {
                    tags.push(pick(r, RARE_TAGS).to_string());
                }
                tags
            },
            country: r.random_bool(0.8).then(|| pick(r, COUNTRIES).to_string()),
            city: r.random_bool(0.6).then(|| pick(r, CITIES).to_string()),
            languages: some_of(r, LANGUAGES, 2),
            platforms: some_of(r, PLATFORMS, 3),
            stage: pick(r, STAGES).to_string(),
            owner_id: if r.random_bool(0.6) { self.owners.choose(r).copied() } else { None },
            has_email: r.random_bool(0.5),
            do_not_contact: r.random_bool(self.flag_chance),
            deleted: r.random_bool(self.flag_chance),
            max_followers: followers,
            max_average_views: followers / r.random_range(1..20),
            engagement_rate_pct: r.random_bool(0.85).then(|| f64::from(r.random_range(0..60u32)) / 4.0),
            fit_score: r.random_bool(0.7).then(|| r.random_range(0..=10u8) * 10),
            audience_countries: shares(r, COUNTRIES),
            audience_ages: shares(r, AGES),
            audience_genders: shares(r, GENDERS),
            data_observed_at: r.random_bool(0.8).then(|| t(r)),
            updated_at: t(r),
        }
    }

    /// A search of filters only (platforms, countries, followers, engagement, scope flags), sometimes naming
    /// values no document has: a count, or a page by followers, engagement or last update.
    pub fn filters_query(&mut self) -> SearchQuery {
        let workspace_id = *self.workspaces.choose(&mut self.rng).unwrap_or(&Uuid::nil());
        let r = &mut self.rng;
        let list = |r: &mut StdRng, from: &[&str], unknown: &str| {
            if r.random_bool(0.5) {
                (0..r.random_range(1..=3))
                    .map(|_| if r.random_bool(0.1) { unknown } else { pick(r, from) }.to_string())
                    .collect()
            } else {
                vec![]
            }
        };
        let followers = |r: &mut StdRng| {
            r.random_bool(0.5)
                .then(|| *[0i64, 900, 10_000, 99_999, 100_000, 750_000, 5_000_000].choose(r).unwrap_or(&0))
        };
        let engagement = |r: &mut StdRng, p: f64| r.random_bool(p).then(|| f64::from(r.random_range(0..60u32)) / 4.0);
        SearchQuery {
            platforms: list(r, PLATFORMS, "vimeo"),
            countries: list(r, COUNTRIES, "ZZ"),
            min_followers: followers(r),
            max_followers: followers(r),
            min_engagement_pct: engagement(r, 0.4),
            max_engagement_pct: engagement(r, 0.2),
            include_do_not_contact: r.random_bool(0.3),
            only_do_not_contact: r.random_bool(0.1),
            deleted: r.random_bool(0.1),
            // Whitespace is no search words.
            text: r.random_bool(0.1).then(|| " ".to_string()),
            sort: match r.random_range(0..4) {
                0 => SearchSort::Followers { desc: r.random_bool(0.5) },
                1 => SearchSort::Engagement { desc: r.random_bool(0.5) },
                2 => SearchSort::Updated { desc: r.random_bool(0.5) },
                _ => SearchSort::Relevance,
            },
            offset: if r.random_bool(0.3) { r.random_range(0..40) } else { 0 },
            after: None,
            limit: [0usize, 0, 1, 5, 20, 1000][r.random_range(0..6)],
            ..SearchQuery::for_workspace(workspace_id)
        }
    }

    pub fn query(&mut self) -> SearchQuery {
        let workspace_id = *self.workspaces.choose(&mut self.rng).unwrap_or(&Uuid::nil());
        let r = &mut self.rng;
        let list = |r: &mut StdRng, from: &[&str], p: f64| {
            if r.random_bool(p) {
                (0..r.random_range(1..=2)).map(|_| pick(r, from).to_string()).collect()
            } else {
                vec![]
            }
        };
        let text = r.random_bool(0.45).then(|| {
            let n = r.random_range(1..=2);
            let mut s = (0..n).map(|_| pick(r, QUERY_WORDS)).collect::<Vec<_>>().join(" ");
            if r.random_bool(0.2) {
                s.push(' ');
            }
            s
        });
        let maybe = |r: &mut StdRng, p: f64, v: i64| r.random_bool(p).then_some(v);
        let follower_steps = [0i64, 10_000, 99_999, 100_000, 500_000, 1_000_000];
        let aud = |r: &mut StdRng, keys: &[&str]| {
            r.random_bool(0.15).then(|| {
                let pct = match r.random_range(0..10) {
                    0 => 100.01,
                    1 => 33.334,
                    2 => 12.499,
                    _ => share(r),
                };
                (pick(r, keys).to_string(), pct)
            })
        };
        let sort = match r.random_range(0..10) {
            0 | 1 => SearchSort::Relevance,
            8 => SearchSort::Name { desc: r.random_bool(0.5) },
            2 => SearchSort::Followers { desc: true },
            3 => SearchSort::Followers { desc: false },
            4 => SearchSort::Engagement { desc: r.random_bool(0.5) },
            5 => SearchSort::Fit { desc: r.random_bool(0.5) },
            6 => SearchSort::Updated { desc: r.random_bool(0.5) },
            7 => SearchSort::Fit { desc: true },
            _ => SearchSort::Engagement { desc: false },
        };
        let min_f = *follower_steps.choose(r).unwrap_or(&0);
        let max_f = *follower_steps.choose(r).unwrap_or(&0);
        SearchQuery {
            workspace_id,
            text,
            platforms: list(r, PLATFORMS, 0.25),
            countries: list(r, COUNTRIES, 0.2),
            // Cities as people type them: any case, with or without their accents.
            cities: list(r, CITIES, 0.1)
                .into_iter()
                .map(|c| {
                    let c = if r.random_bool(0.5) { c.replace('ü', "u").replace('ã', "a") } else { c };
                    if r.random_bool(0.5) { c.to_uppercase() } else { c.to_lowercase() }
                })
                .collect(),
            languages: list(r, LANGUAGES, 0.15),
            niches: list(r, NICHES, 0.2),
            tags: match r.random_range(0..10) {
                0 => list(r, RARE_TAGS, 1.0),
                1 => vec![pick(r, RARE_TAGS).to_string(), pick(r, TAGS).to_string()],
                _ => list(r, TAGS, 0.1),
            },
            stages: list(r, STAGES, 0.15),
            min_followers: maybe(r, 0.2, min_f),
            max_followers: maybe(r, 0.15, max_f),
            min_average_views: maybe(r, 0.1, 5_000),
            max_average_views: maybe(r, 0.1, 200_000),
            min_engagement_pct: r.random_bool(0.15).then(|| f64::from(r.random_range(0..60u32)) / 4.0),
            max_engagement_pct: r.random_bool(0.1).then(|| f64::from(r.random_range(0..60u32)) / 4.0),
            audience_country: aud(r, COUNTRIES),
            audience_age: aud(r, AGES),
            audience_gender: aud(r, GENDERS),
            owner: match r.random_range(0..10) {
                0 => Some(OwnerFilter::Unowned),
                1 => self.owners.choose(r).copied().map(OwnerFilter::Owner),
                _ => None,
            },
            has_email: r.random_bool(0.2).then(|| r.random_bool(0.5)),
            observed_since: r.random_bool(0.15).then(|| base_time() + time::Duration::days(r.random_range(0..9))),
            include_do_not_contact: r.random_bool(0.3),
            only_do_not_contact: r.random_bool(0.1),
            deleted: r.random_bool(0.1),
            ids: None,
            sort,
            offset: if r.random_bool(0.3) { r.random_range(0..40) } else { 0 },
            after: None,
            score_basis: None,
            limit: [0usize, 1, 5, 20, 1000][r.random_range(0..5)],
            // None, all, or a few.
            facets: match r.random_range(0..3) {
                0 => FacetSet::NONE,
                1 => FacetSet::ALL,
                _ => FacetSet::of(&Facet::ALL.into_iter().filter(|_| r.random_bool(0.4)).collect::<Vec<_>>()),
            },
            // The checks read the count; a search without one is compared with its counted twin.
            uncounted: false,
        }
    }
}
