//! Counts of filter-only queries — platforms, countries, a follower range and an engagement range inside the
//! tenant scope, the counts a discovery page shows most — from a projection of each segment ordered by
//! followers.
//!
//! tantivy counts such a query by intersecting docsets document by document: several milliseconds for the
//! half of a million creators that a broad follower window holds. A projection keeps, for every document of a
//! segment in follower order, the few values these filters read, packed side by side; a count is then two
//! binary searches for the follower window and one pass over a contiguous slice. Segments never change, so a
//! projection is built once per segment, on the first count that needs it, and dropped with the segment;
//! deletions are read from the segment's alive set at count time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tantivy::columnar::Cardinality;
use tantivy::fastfield::AliveBitSet;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED, f64_to_u64};

use crate::model::SearchQuery;
use crate::query::{TextTerms, scope_keys};
use crate::schema::names;

/// A segment whose documents use more distinct platforms than this has no projection.
const PLATFORM_BITS: u32 = 31;
/// The bit in [`Projection::flags`] saying the document has an engagement rate.
const HAS_ENGAGEMENT: u32 = 1 << 31;

/// The conditions of a query a projection can count: everything but the scope is optional.
#[derive(Debug)]
pub(crate) struct CountFilter {
    scopes: Vec<[u8; 18]>,
    platforms: Vec<String>,
    countries: Vec<String>,
    min_followers: Option<i64>,
    max_followers: Option<i64>,
    /// Inclusive bounds in tantivy's order-preserving u64 mapping of f64, as its range query compares them.
    engagement: Option<(u64, u64)>,
}

impl CountFilter {
    /// The filter of `q` when `q` asks for a count only (no page, no facets) and has no condition beyond
    /// those a projection holds; `None` otherwise.
    pub fn of(q: &SearchQuery) -> Option<CountFilter> {
        let counts_only = q.limit == 0 && q.facets.is_empty();
        let other_conditions = !q.cities.is_empty()
            || !q.languages.is_empty()
            || !q.niches.is_empty()
            || !q.tags.is_empty()
            || !q.stages.is_empty()
            || q.min_average_views.is_some()
            || q.max_average_views.is_some()
            || q.audience_country.is_some()
            || q.audience_age.is_some()
            || q.audience_gender.is_some()
            || q.owner.is_some()
            || q.has_email.is_some()
            || q.observed_since.is_some()
            || q.text.as_deref().is_some_and(|t| !TextTerms::parse(t).words.is_empty());
        if !counts_only || other_conditions {
            return None;
        }
        let (min_e, max_e) =
            (q.min_engagement_pct.filter(|v| !v.is_nan()), q.max_engagement_pct.filter(|v| !v.is_nan()));
        let engagement = (min_e.is_some() || max_e.is_some())
            .then(|| (min_e.map_or(u64::MIN, f64_to_u64), max_e.map_or(u64::MAX, f64_to_u64)));
        Some(CountFilter {
            scopes: scope_keys(q),
            platforms: q.platforms.clone(),
            countries: q.countries.clone(),
            min_followers: q.min_followers,
            max_followers: q.max_followers,
            engagement,
        })
    }
}

/// The projections of the segments counted so far.
#[derive(Default)]
pub(crate) struct Projections {
    /// `None` in a cell: the segment cannot be projected (or reading it failed); counts there go to tantivy.
    by_segment: Mutex<HashMap<SegmentId, Arc<OnceLock<Option<Projection>>>>>,
}

impl Projections {
    /// Counts `filter` over the searcher's segments, building the projections it lacks; `None` when a segment
    /// has none, so the caller counts with tantivy instead.
    pub fn count(&self, searcher: &Searcher, scope: Field, filter: &CountFilter) -> Option<u64> {
        let segments = searcher.segment_readers();
        let cells: Vec<_> = {
            let mut by_segment = self.by_segment.lock().unwrap_or_else(PoisonError::into_inner);
            // Merged-away segments are forgotten (a search still holding one builds it again, briefly).
            by_segment.retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
            segments.iter().map(|s| by_segment.entry(s.segment_id()).or_default().clone()).collect()
        };
        let mut total = 0;
        for (segment, cell) in segments.iter().zip(cells) {
            // A failed read leaves the count to tantivy, which reports the error.
            let projection = cell.get_or_init(|| Projection::build(segment, scope).ok().flatten()).as_ref()?;
            total += projection.count(filter, segment.alive_bitset());
        }
        Some(total)
    }
}

/// One segment's documents in follower order (then document order), with the values the filters read.
struct Projection {
    docs: Vec<DocId>,
    followers: Vec<i64>,
    /// A bit per platform (by term ordinal in the segment's platform column), and [`HAS_ENGAGEMENT`].
    flags: Vec<u32>,
    /// The country's term ordinal + 1; 0 for none.
    country: Vec<u16>,
    /// The engagement rate in tantivy's u64 mapping (meaningful with [`HAS_ENGAGEMENT`]).
    engagement: Vec<u64>,
    /// Index into `scopes`.
    scope: Vec<u16>,
    scopes: Vec<Vec<u8>>,
    platforms: Vec<String>,
    countries: Vec<String>,
}

impl Projection {
    /// `None` when the segment holds what a projection cannot: documents without exactly one follower count,
    /// more than one country, or more platforms or scopes than it has room for.
    fn build(segment: &SegmentReader, scope_field: Field) -> tantivy::Result<Option<Projection>> {
        let max_doc = segment.max_doc();
        let n = max_doc as usize;
        let ff = segment.fast_fields();

        let followers_column = ff.i64(names::FOLLOWERS)?;
        if n > 0 && followers_column.get_cardinality() != Cardinality::Full {
            return Ok(None);
        }
        let mut followers = vec![0i64; n];
        if n > 0 {
            followers_column.values.get_range(0, &mut followers);
        }

        let mut flags = vec![0u32; n];
        let mut platforms = Vec::new();
        if let Some(column) = ff.str(names::PLATFORMS)? {
            if column.num_terms() > PLATFORM_BITS as usize {
                return Ok(None);
            }
            platforms = dictionary(&column)?;
            for (doc, f) in (0..max_doc).zip(&mut flags) {
                *f = column.ords().values_for_doc(doc).fold(0, |bits, ord| bits | 1 << ord);
            }
        }

        let mut country = vec![0u16; n];
        let mut countries = Vec::new();
        if let Some(column) = ff.str(names::COUNTRY)? {
            if column.ords().get_cardinality() == Cardinality::Multivalued
                || column.num_terms() >= usize::from(u16::MAX)
            {
                return Ok(None);
            }
            countries = dictionary(&column)?;
            for (doc, c) in (0..max_doc).zip(&mut country) {
                // Fits: fewer than u16::MAX terms.
                *c = column.ords().first(doc).map_or(0, |ord| ord as u16 + 1);
            }
        }

        let mut engagement = vec![0u64; n];
        let engagement_column = ff.f64(names::ENGAGEMENT)?;
        for ((doc, e), f) in (0..max_doc).zip(&mut engagement).zip(&mut flags) {
            if let Some(v) = engagement_column.first(doc) {
                *e = f64_to_u64(v);
                *f |= HAS_ENGAGEMENT;
            }
        }

        let mut scope = vec![u16::MAX; n];
        let mut scopes = Vec::new();
        let inverted = segment.inverted_index(scope_field)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let Ok(id) = u16::try_from(scopes.len()) else { return Ok(None) };
            if id == u16::MAX {
                return Ok(None);
            }
            scopes.push(terms.key().to_vec());
            let mut postings = inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if let Some(s) = scope.get_mut(doc as usize) {
                    *s = id;
                }
                doc = postings.advance();
            }
        }

        let mut order: Vec<DocId> = (0..max_doc).collect();
        order.sort_unstable_by_key(|&d| (followers[d as usize], d));
        Ok(Some(Projection {
            followers: permute(&order, &followers),
            flags: permute(&order, &flags),
            country: permute(&order, &country),
            engagement: permute(&order, &engagement),
            scope: permute(&order, &scope),
            docs: order,
            scopes,
            platforms,
            countries,
        }))
    }

    /// How many live documents of the segment pass `filter`.
    fn count(&self, filter: &CountFilter, alive: Option<&AliveBitSet>) -> u64 {
        let lo = filter.min_followers.map_or(0, |min| self.followers.partition_point(|&f| f < min));
        let hi = filter.max_followers.map_or(self.followers.len(), |max| self.followers.partition_point(|&f| f <= max));
        if lo >= hi {
            return 0;
        }
        let scope_ok: Vec<bool> = self.scopes.iter().map(|s| filter.scopes.iter().any(|w| w[..] == s[..])).collect();
        // Platforms: any of the wanted bits; no filter wants none.
        let mut platform_bits = 0u32;
        for (ord, name) in self.platforms.iter().enumerate() {
            if filter.platforms.contains(name) {
                platform_bits |= 1 << ord;
            }
        }
        if !filter.platforms.is_empty() && platform_bits == 0 {
            return 0;
        }
        let country_ok: Option<Vec<bool>> = (!filter.countries.is_empty()).then(|| {
            std::iter::once(false).chain(self.countries.iter().map(|c| filter.countries.contains(c))).collect()
        });
        let (e_min, e_max) = filter.engagement.unwrap_or((u64::MIN, u64::MAX));
        let engagement_bit = if filter.engagement.is_some() { HAS_ENGAGEMENT } else { 0 };

        let mut n = 0u64;
        for i in lo..hi {
            let flags = self.flags[i];
            let pass = scope_ok.get(usize::from(self.scope[i])).copied().unwrap_or(false)
                && (platform_bits == 0 || flags & platform_bits != 0)
                && flags & engagement_bit == engagement_bit
                && (engagement_bit == 0 || (e_min..=e_max).contains(&self.engagement[i]))
                && country_ok.as_ref().is_none_or(|ok| ok.get(usize::from(self.country[i])).copied().unwrap_or(false))
                && alive.is_none_or(|a| a.is_alive(self.docs[i]));
            n += u64::from(pass);
        }
        n
    }
}

/// `values` (one per document) in the order of `order`.
fn permute<T: Copy>(order: &[DocId], values: &[T]) -> Vec<T> {
    order.iter().map(|&d| values[d as usize]).collect()
}

/// The values of a keyword column by term ordinal.
fn dictionary(column: &tantivy::columnar::StrColumn) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.num_terms());
    for ord in 0..column.num_terms() as u64 {
        let mut value = String::new();
        column.ord_to_str(ord, &mut value)?;
        out.push(value);
    }
    Ok(out)
}
