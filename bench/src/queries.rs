//! The B1 query mix: per class a seeded list of queries, half on a niche keyword and half on a mid-frequency
//! vocabulary word, with filters over 3 platforms × 8 countries and follower windows from 1 k–10 k to
//! 100 k–10 M. A query is engine-neutral; each engine translates it (the API and the in-process engine through the
//! product's own [`CreatorQuery`], PostgreSQL into SQL).

use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rapport_app::creators::CreatorQuery;
use rapport_core::platform::Platform;

use crate::generate::{COUNTRIES, NICHES, PLATFORMS, Vocabulary};

/// A query class of BENCHMARKS.md B1, plus two single-valued variants of Q3 (Q3s, Q3sc) that the product's
/// planner answers from the database instead of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Text, top 20 by relevance.
    Q1,
    /// Text + platforms + countries + follower range, top 20 by followers.
    Q2,
    /// Count of Q2.
    Q2c,
    /// Filters only (platforms, countries, follower range, sometimes an engagement floor), top 20 by followers.
    Q3,
    /// Count of Q3.
    Q3c,
    /// Text + facet counts by platform.
    Q4,
    /// Q3 with one platform, one country and no engagement floor: the shape the planner sends to the database.
    Q3s,
    /// Count of Q3s.
    Q3sc,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 8] =
        [Class::Q1, Class::Q2, Class::Q2c, Class::Q3, Class::Q3c, Class::Q4, Class::Q3s, Class::Q3sc];

    pub fn name(self) -> &'static str {
        match self {
            Class::Q1 => "Q1",
            Class::Q2 => "Q2",
            Class::Q2c => "Q2c",
            Class::Q3 => "Q3",
            Class::Q3c => "Q3c",
            Class::Q4 => "Q4",
            Class::Q3s => "Q3s",
            Class::Q3sc => "Q3sc",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Class::Q1 => "text, top 20 by relevance",
            Class::Q2 => "text + 3 platforms + 8 countries + followers, top 20 by followers",
            Class::Q2c => "count of Q2",
            Class::Q3 => "3 platforms + 8 countries + followers (+ engagement), top 20 by followers",
            Class::Q3c => "count of Q3",
            Class::Q4 => "text + facet counts by platform",
            Class::Q3s => "1 platform + 1 country + followers, top 20 by followers (extra)",
            Class::Q3sc => "count of Q3s (extra)",
        }
    }

    /// The answer is a number (or facet counts), not a page of creators.
    pub fn is_count(self) -> bool {
        matches!(self, Class::Q2c | Class::Q3c | Class::Q4 | Class::Q3sc)
    }

    fn has_text(self) -> bool {
        matches!(self, Class::Q1 | Class::Q2 | Class::Q2c | Class::Q4)
    }

    fn sorted_by_followers(self) -> bool {
        matches!(self, Class::Q2 | Class::Q3 | Class::Q3s)
    }

    fn single_valued(self) -> bool {
        matches!(self, Class::Q3s | Class::Q3sc)
    }

    fn filtered(self) -> bool {
        !matches!(self, Class::Q1 | Class::Q4)
    }
}

/// One query, independent of the engine that answers it.
#[derive(Clone, Debug)]
pub struct Query {
    pub class: Class,
    /// One search word.
    pub text: Option<String>,
    pub platforms: Vec<Platform>,
    pub countries: Vec<&'static str>,
    /// Inclusive follower window.
    pub followers: Option<(i64, i64)>,
    /// Engagement floor in percent.
    pub min_engagement: Option<f64>,
}

/// Follower windows, from nano to the top of the range.
const WINDOWS: [(i64, i64); 4] = [(1_000, 10_000), (10_000, 100_000), (100_000, 1_000_000), (100_000, 10_000_000)];
/// Engagement floors (percent) used by half of the Q3 queries.
const ENGAGEMENT_FLOORS: [f64; 3] = [2.0, 5.0, 10.0];
/// Mid-frequency words are drawn from these vocabulary ranks: each is in roughly 0.5–6 % of the bios.
const MID_RANKS: std::ops::Range<usize> = 30..300;

impl Query {
    /// The query as the product's list query model (the URL parameters of `GET /api/v1/creators`). Counts ask
    /// for the count alone (`limit=0`) and read `total` (Q4 reads `facets`); the page classes ask for their top
    /// 20 without the count of every match (`total=false`); Q4 asks for the one facet it is defined by
    /// (`facets=platform`).
    pub fn creator_query(&self) -> CreatorQuery {
        let join = |v: Vec<&str>| (!v.is_empty()).then(|| v.join(","));
        CreatorQuery {
            q: self.text.clone(),
            platform: join(self.platforms.iter().map(|p| p.slug()).collect()),
            country: join(self.countries.clone()),
            min_followers: self.followers.map(|(lo, _)| lo.to_string()),
            max_followers: self.followers.map(|(_, hi)| hi.to_string()),
            min_engagement: self.min_engagement.map(|e| e.to_string()),
            sort: self.class.sorted_by_followers().then(|| "-followers".to_owned()),
            facets: (self.class == Class::Q4).then(|| "platform".to_owned()),
            limit: Some(if self.class.is_count() { "0" } else { "20" }.to_owned()),
            // A page class asks for its top 20 only; a count class for the count.
            total: (!self.class.is_count()).then(|| "false".to_owned()),
            ..CreatorQuery::default()
        }
    }
}

/// `per_class` queries of `class`, the same for the same seed.
pub fn generate(class: Class, per_class: usize, seed: u64, vocabulary: &Vocabulary) -> Vec<Query> {
    // Each class has its own stream, so adding a class never changes another's queries.
    let mut r = StdRng::seed_from_u64(seed ^ (0x5eed_0000 + class as u64));
    (0..per_class)
        .map(|i| {
            let text = class.has_text().then(|| {
                if i % 2 == 0 {
                    NICHES[r.random_range(0..NICHES.len())].to_owned()
                } else {
                    vocabulary.word(r.random_range(MID_RANKS)).to_owned()
                }
            });
            let (platforms, countries, followers) = if !class.filtered() {
                (Vec::new(), Vec::new(), None)
            } else if class.single_valued() {
                let p = PLATFORMS[r.random_range(0..PLATFORMS.len())].0;
                let c = COUNTRIES[r.random_range(0..8)].0;
                (vec![p], vec![c], Some(WINDOWS[r.random_range(0..WINDOWS.len())]))
            } else {
                let platforms = index::sample(&mut r, PLATFORMS.len(), 3).into_iter().map(|k| PLATFORMS[k].0).collect();
                let countries = index::sample(&mut r, COUNTRIES.len(), 8).into_iter().map(|k| COUNTRIES[k].0).collect();
                (platforms, countries, Some(WINDOWS[r.random_range(0..WINDOWS.len())]))
            };
            let min_engagement = (matches!(class, Class::Q3 | Class::Q3c) && r.random_bool(0.5))
                .then(|| ENGAGEMENT_FLOORS[r.random_range(0..ENGAGEMENT_FLOORS.len())]);
            Query { class, text, platforms, countries, followers, min_engagement }
        })
        .collect()
}
