//! The brute-force reference: the search semantics written out over plain documents.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use rapport_search::{
    CreatorDoc, Facet, FacetSet, Facets, OwnerFilter, SearchQuery, SearchSort, TextTerms, UNKNOWN_TIER, text_tokens,
    tier_name,
};
use uuid::Uuid;

/// The words of a document's names and handles, as the index sees them.
fn name_words(d: &CreatorDoc) -> HashSet<String> {
    name_parts(d).iter().flat_map(|p| text_tokens(p)).collect()
}

fn name_parts(d: &CreatorDoc) -> Vec<String> {
    let mut parts: Vec<String> = vec![d.display_name.clone()];
    parts.extend(d.legal_name.clone());
    for h in &d.handles {
        parts.push(h.clone());
        let t = text_tokens(h);
        if t.len() > 1 {
            parts.push(t.concat());
        }
    }
    parts
}

/// All words a document's free text is made of, as the index sees them.
fn doc_words(d: &CreatorDoc) -> HashSet<String> {
    let mut parts = name_parts(d);
    parts.extend(d.emails.iter().cloned());
    parts.extend(d.bio.clone());
    parts.extend(d.tone_notes.clone());
    parts.extend(d.city.clone());
    parts.extend(d.niches.iter().cloned());
    parts.extend(d.tags.iter().cloned());
    parts.iter().flat_map(|p| text_tokens(p)).collect()
}

fn text_matches(d: &CreatorDoc, text: &str) -> bool {
    let terms = TextTerms::parse(text);
    let words = doc_words(d);
    let names = name_words(d);
    let last = terms.words.len().saturating_sub(1);
    terms.words.iter().enumerate().all(|(i, w)| {
        words.contains(w) || (i == last && terms.last_is_prefix && names.iter().any(|n| n.starts_with(w.as_str())))
    })
}

fn any_in(values: &[String], wanted: &[String]) -> bool {
    wanted.is_empty() || values.iter().any(|v| !v.is_empty() && wanted.contains(v))
}

fn opt_in(value: &Option<String>, wanted: &[String]) -> bool {
    wanted.is_empty() || value.as_ref().is_some_and(|v| !v.is_empty() && wanted.contains(v))
}

fn bp(pct: f64) -> i64 {
    (pct * 100.0).round().clamp(0.0, 10_000.0) as i64
}

fn audience_ok(shares: &[(String, f64)], filter: &Option<(String, f64)>) -> bool {
    let Some((key, pct)) = filter else { return true };
    if (pct * 100.0).round() > 10_000.0 {
        return false;
    }
    shares.iter().any(|(k, s)| k == key && bp(*s) >= bp(*pct))
}

pub fn matches(d: &CreatorDoc, q: &SearchQuery) -> bool {
    let range = |v: i64, min: Option<i64>, max: Option<i64>| min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m);
    d.workspace_id == q.workspace_id
        && d.deleted == q.deleted
        && (q.include_do_not_contact || q.only_do_not_contact || !d.do_not_contact)
        && (!q.only_do_not_contact || d.do_not_contact)
        && any_in(&d.platforms, &q.platforms)
        && opt_in(&d.country, &q.countries)
        && (q.cities.is_empty() || d.city.as_deref().is_some_and(|c| q.cities.iter().any(|w| same_city(w, c))))
        && any_in(&d.languages, &q.languages)
        && any_in(&d.niches, &q.niches)
        && q.tags.iter().all(|t| d.tags.contains(t))
        && (q.stages.is_empty() || q.stages.contains(&d.stage))
        && range(d.max_followers, q.min_followers, q.max_followers)
        && range(d.max_average_views, q.min_average_views, q.max_average_views)
        && ((q.min_engagement_pct.is_none() && q.max_engagement_pct.is_none())
            || d.engagement_rate_pct.is_some_and(|e| {
                q.min_engagement_pct.is_none_or(|m| e >= m) && q.max_engagement_pct.is_none_or(|m| e <= m)
            }))
        && audience_ok(&d.audience_countries, &q.audience_country)
        && audience_ok(&d.audience_ages, &q.audience_age)
        && audience_ok(&d.audience_genders, &q.audience_gender)
        && match q.owner {
            None => true,
            Some(OwnerFilter::Unowned) => d.owner_id.is_none(),
            Some(OwnerFilter::Owner(o)) => d.owner_id == Some(o),
        }
        && q.has_email.is_none_or(|h| d.has_email == h)
        && q.ids.as_ref().is_none_or(|ids| ids.contains(&d.id))
        && q.observed_since.is_none_or(|t| d.data_observed_at.is_some_and(|o| o >= t))
        && q.text.as_deref().is_none_or(|t| text_matches(d, t))
}

/// Compares by an optional key with missing values last, then by id.
fn by_key<T: PartialOrd>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if desc { o.reverse() } else { o }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// What a sort by name compares: the sort name's first 16 bytes.
fn name_prefix(d: &CreatorDoc) -> &[u8] {
    let b = d.sort_name.as_bytes();
    &b[..b.len().min(16)]
}

/// A follower count, when one is known.
pub fn known(followers: i64) -> Option<i64> {
    (followers >= 1).then_some(followers)
}

/// Whether the query's order is checked exactly (relevance scores are not modelled).
pub fn exact_order(q: &SearchQuery) -> bool {
    q.sort != SearchSort::Relevance || q.text.as_deref().is_none_or(|t| TextTerms::parse(t).words.is_empty())
}

/// Matching documents in result order (for relevance with words: by id, only the set counts).
pub fn sorted(docs: &[&CreatorDoc], q: &SearchQuery) -> Vec<Uuid> {
    let mut v: Vec<&CreatorDoc> = docs.to_vec();
    v.sort_by(|a, b| {
        let o = match q.sort {
            // No known following (0) is no value: after the others in both directions.
            SearchSort::Followers { desc } => by_key(known(a.max_followers), known(b.max_followers), desc),
            SearchSort::Engagement { desc } => by_key(a.engagement_rate_pct, b.engagement_rate_pct, desc),
            SearchSort::Fit { desc } => by_key(a.fit_score, b.fit_score, desc),
            SearchSort::Updated { desc } => by_key(Some(a.updated_at), Some(b.updated_at), desc),
            SearchSort::Name { desc } => by_key(Some(name_prefix(a)), Some(name_prefix(b)), desc),
            SearchSort::Relevance if exact_order(q) => by_key(Some(a.updated_at), Some(b.updated_at), true),
            SearchSort::Relevance => Ordering::Equal,
        };
        o.then(a.id.cmp(&b.id))
    });
    v.into_iter().map(|d| d.id).collect()
}

fn counts<'a>(values: impl Iterator<Item = Vec<&'a str>>) -> Vec<(String, u64)> {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for mut per_doc in values {
        per_doc.retain(|v| !v.is_empty());
        per_doc.sort_unstable();
        per_doc.dedup();
        for v in per_doc {
            *m.entry(v.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The counts of the facets in `asked` (the others empty).
pub fn facets(docs: &[&CreatorDoc], asked: FacetSet) -> Facets {
    let list = |facet: Facet, f: fn(&CreatorDoc) -> Vec<&str>| {
        if asked.has(facet) { counts(docs.iter().map(|d| f(d))) } else { Vec::new() }
    };
    Facets {
        platforms: list(Facet::Platform, |d| d.platforms.iter().map(String::as_str).collect()),
        countries: list(Facet::Country, |d| d.country.iter().map(String::as_str).collect()),
        niches: list(Facet::Niche, |d| d.niches.iter().map(String::as_str).collect()),
        tags: list(Facet::Tag, |d| d.tags.iter().map(String::as_str).collect()),
        stages: list(Facet::Stage, |d| vec![d.stage.as_str()]),
        tiers: list(Facet::Tier, |d| vec![tier_name(d.max_followers).unwrap_or(UNKNOWN_TIER)]),
        languages: list(Facet::Language, |d| d.languages.iter().map(String::as_str).collect()),
    }
}

/// Cities compare without case or accents: the brute force's own folding (decomposed, marks
/// dropped), not the index's.
fn same_city(a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let key = |s: &str| -> String {
        s.trim()
            .nfd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect()
    };
    key(a) == key(b)
}
