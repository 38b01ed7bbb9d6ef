//! The B1 data generator: a seeded, deterministic population of creators with the shape BENCHMARKS.md asks for
//! (platform mix, Zipf countries, niches, a heavy-tailed follower curve, engagement, audience shares, and a bio
//! drawn from a Zipf(1.05) vocabulary with niche keywords mixed in).

use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use rapport_core::platform::Platform;

/// Platforms with their share of creators.
pub const PLATFORMS: [(Platform, f64); 5] = [
    (Platform::Instagram, 0.45),
    (Platform::Tiktok, 0.30),
    (Platform::Youtube, 0.15),
    (Platform::Twitch, 0.05),
    (Platform::X, 0.05),
];

/// Thirty countries (ISO 3166 alpha-2) with the language their creators get, most frequent first: the k-th is
/// drawn with weight 1/k.
pub const COUNTRIES: [(&str, &str); 30] = [
    ("US", "en"),
    ("BR", "pt"),
    ("IN", "hi"),
    ("ID", "id"),
    ("GB", "en"),
    ("MX", "es"),
    ("DE", "de"),
    ("FR", "fr"),
    ("JP", "ja"),
    ("TR", "tr"),
    ("ES", "es"),
    ("IT", "it"),
    ("PH", "en"),
    ("KR", "ko"),
    ("CA", "en"),
    ("AR", "es"),
    ("CO", "es"),
    ("TH", "th"),
    ("PL", "pl"),
    ("NG", "en"),
    ("AU", "en"),
    ("NL", "nl"),
    ("SA", "ar"),
    ("VN", "vi"),
    ("EG", "ar"),
    ("ZA", "en"),
    ("SE", "sv"),
    ("CL", "es"),
    ("PE", "es"),
    ("MY", "ms"),
];

/// The forty niches; each is also a bio keyword. None has the consonant–vowel shape of a vocabulary word, so a
/// niche query never matches a vocabulary word by accident (checked in [`Vocabulary::new`]).
pub const NICHES: [&str; 40] = [
    "fitness", "beauty", "travel", "gaming", "food", "fashion", "tech", "music", "comedy", "parenting", "pets",
    "finance", "education", "sports", "art", "diy", "gardening", "cooking", "photography", "books", "cars", "health",
    "wellness", "yoga", "dance", "makeup", "skincare", "lifestyle", "outdoors", "science", "history", "crypto",
    "anime", "film", "hiking", "coffee", "vegan", "design", "architecture", "interiors",
];

/// Audience age bands (as the product accepts them).
const AGE_BANDS: [&str; 7] = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"];

/// Words in the bio vocabulary.
pub const VOCABULARY_SIZE: usize = 30_000;
/// Exponent of the vocabulary's Zipf distribution.
const ZIPF_EXPONENT: f64 = 1.05;
/// Share of bio words that are niche keywords.
const NICHE_WORD_SHARE: f64 = 0.08;

/// One generated creator: a single social account, as most creators in a discovery database have.
#[derive(Clone, Debug)]
pub struct Creator {
    /// Position in the generated population (0-based); the PostgreSQL reference uses it as the primary key.
    pub n: u32,
    pub display_name: String,
    pub handle: String,
    pub platform: Platform,
    pub country: &'static str,
    pub language: &'static str,
    /// 1–3 distinct niches.
    pub niches: Vec<&'static str>,
    pub followers: i64,
    pub average_views: i64,
    /// Percent, 0.1–15.
    pub engagement_pct: f64,
    /// Percent per gender (female, male, other); the shares add up to at most 100.
    pub genders: [(&'static str, f64); 3],
    /// Percent per age band; the shares add up to at most 100.
    pub ages: Vec<(&'static str, f64)>,
    pub bio: String,
}

/// A vocabulary of made-up words (consonant–vowel syllables: "ba", "kelo", "tumira") ranked by frequency, with
/// the cumulative Zipf weights to draw from it.
pub struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
const VOWELS: &[u8] = b"aeiou";

impl Vocabulary {
    /// The vocabulary of [`VOCABULARY_SIZE`] words. Fails if a word collides with a niche keyword.
    pub fn new() -> anyhow::Result<Vocabulary> {
        let words: Vec<String> = (0..VOCABULARY_SIZE).map(word).collect();
        if let Some(w) = words.iter().find(|w| NICHES.contains(&w.as_str())) {
            anyhow::bail!("vocabulary word {w} is also a niche keyword");
        }
        let mut total = 0.0;
        let cumulative = (0..VOCABULARY_SIZE)
            .map(|rank| {
                total += ((rank + 1) as f64).powf(-ZIPF_EXPONENT);
                total
            })
            .collect();
        Ok(Vocabulary { words, cumulative })
    }

    /// The word of frequency rank `rank` (0 is the most frequent).
    pub fn word(&self, rank: usize) -> &str {
        &self.words[rank.min(VOCABULARY_SIZE - 1)]
    }

    fn sample(&self, r: &mut StdRng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let u = r.random::<f64>() * total;
        let rank = self.cumulative.partition_point(|&c| c < u);
        self.word(rank)
    }
}

/// The word of rank `rank`: one syllable for the first 70 ranks, two for the next 4 900, then three. Every rank
/// gets a distinct word because the syllable count fixes the length and each syllable has two letters.
fn word(rank: usize) -> String {
    let syllables = CONSONANTS.len() * VOWELS.len();
    let (count, mut rest) = if rank < syllables {
        (1, rank)
    } else if rank < syllables + syllables * syllables {
        (2, rank - syllables)
    } else {
        (3, rank - syllables - syllables * syllables)
    };
    let mut out = String::with_capacity(count * 2);
    for _ in 0..count {
        let s = rest % syllables;
        rest /= syllables;
        out.push(char::from(CONSONANTS[s / VOWELS.len()]));
        out.push(char::from(VOWELS[s % VOWELS.len()]));
    }
    out
}

/// Draws from `weights` (which need not add up to 1).
fn weighted<T: Copy>(r: &mut StdRng, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut u = r.random::<f64>() * total;
    for (item, w) in items {
        if u < *w {
            return *item;
        }
        u -= w;
    }
    items[items.len() - 1].0
}

/// Rounds a share down to one decimal, so that rounded shares never add up to more than their sum.
fn tenth(x: f64) -> f64 {
    (x * 10.0).floor() / 10.0
}

/// `n` creators from `seed`: the same arguments always give the same creators.
pub fn creators(n: usize, seed: u64, vocabulary: &Vocabulary) -> Vec<Creator> {
    let mut r = StdRng::seed_from_u64(seed);
    let countries: Vec<((&str, &str), f64)> =
        COUNTRIES.iter().enumerate().map(|(k, c)| (*c, 1.0 / (k + 1) as f64)).collect();
    (0..n)
        .map(|i| {
            let n = u32::try_from(i).unwrap_or(u32::MAX);
            let platform = weighted(&mut r, &PLATFORMS);
            let (country, language) = weighted(&mut r, &countries);
            let niche_count = r.random_range(1..=3);
            let niches = index::sample(&mut r, NICHES.len(), niche_count).into_iter().map(|k| NICHES[k]).collect();
            let u: f64 = r.random();
            let followers = 10f64.powf(3.0 + 4.5 * u * u) as i64;
            let view_share = if platform.is_video() { r.random_range(0.05..0.6) } else { r.random_range(0.01..0.15) };
            let average_views = (followers as f64 * view_share) as i64;
            let engagement_pct = (r.random_range(0.1..15.0) * 100.0_f64).round() / 100.0;
            let female = tenth(r.random_range(5.0..95.0));
            let other = tenth(r.random_range(0.0..3.0));
            let genders = [("female", female), ("male", tenth(100.0 - female - other)), ("other", other)];
            let weights: Vec<f64> = AGE_BANDS.iter().map(|_| r.random::<f64>().powi(2)).collect();
            let sum: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
            let ages = AGE_BANDS.iter().zip(&weights).map(|(band, w)| (*band, tenth(100.0 * w / sum))).collect();
            let words = r.random_range(12..=30);
            let mut bio = String::with_capacity(words * 7);
            for k in 0..words {
                if k > 0 {
                    bio.push(' ');
                }
                if r.random_bool(NICHE_WORD_SHARE) {
                    bio.push_str(NICHES[r.random_range(0..NICHES.len())]);
                } else {
                    bio.push_str(vocabulary.sample(&mut r));
                }
            }
            Creator {
                n,
                display_name: format!("Creator {n}"),
                handle: format!("creator_{n}"),
                platform,
                country,
                language,
                niches,
                followers,
                average_views,
                engagement_pct,
                genders,
                ages,
                bio,
            }
        })
        .collect()
}
