//! Filter-only searches — platforms, countries, a follower range and an engagement range inside the tenant
//! scope, counted or paged by followers, engagement or last update: the lists and counts a discovery page shows
//! most — answered from a projection of each segment ordered by followers.
//!
//! tantivy answers such a query by intersecting docsets document by document: several milliseconds for the
//! half of a million creators that a broad follower window holds. A projection keeps, for every document of a
//! segment in follower order, the few values these filters and sorts read, packed side by side; a search is
//! then two binary searches for the follower window and one pass over a contiguous slice that counts matches
//! and keeps the best ones. Segments never change, so a projection is built once per segment, on the first
//! search that needs it, and forgotten by the first search over a newer generation of segments that no longer
//! has it; deletions are read from the segment's alive set.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::fastfield::AliveBitSet;
use tantivy::index::SegmentId;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED, f64_to_u64, i64_to_u64};
use uuid::Uuid;

use crate::collector::{Best, Entry, Order, SortField, follower_key};
use crate::model::{FollowerPage, SearchQuery};
use crate::query::{TextTerms, scope_keys};
use crate::schema::{id_from_halves, names};

/// A segment whose documents use more distinct platforms than this has no projection.
const PLATFORM_BITS: u32 = 31;
/// The bit in [`Projection::attrs`] saying the document has an engagement rate.
const HAS_ENGAGEMENT: u64 = 1 << 31;
/// Where the country and the scope sit in [`Projection::attrs`] (16 bits each).
const COUNTRY_SHIFT: u32 = 32;
const SCOPE_SHIFT: u32 = 48;

/// A query a projection can answer: its conditions (everything but the scope optional) and its page.
#[derive(Debug)]
pub(crate) struct ProjectedQuery {
    scopes: Vec<[u8; 18]>,
    platforms: Vec<String>,
    countries: Vec<String>,
    min_followers: Option<i64>,
    max_followers: Option<i64>,
    /// Inclusive bounds in tantivy's order-preserving u64 mapping of f64, as its range query compares them.
    engagement: Option<(u64, u64)>,
    order: Order,
    /// How many of the best matches to keep (offset + limit).
    keep: usize,
    /// Only matches after this one are kept.
    after: Option<Entry>,
}

impl ProjectedQuery {
    /// The projected form of `q` when it has no condition beyond those a projection holds, no facets, and
    /// either no page or a page in an order it holds (followers, engagement, last update); `None` otherwise.
    pub fn of(q: &SearchQuery) -> Option<ProjectedQuery> {
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
            || q.ids.is_some()
            || !q.facets.is_empty()
            || q.text.as_deref().is_some_and(|t| !TextTerms::parse(t).words.is_empty());
        let keep = q.offset.saturating_add(q.limit);
        // Without search words, relevance is last update.
        let order = Order::new(q.sort, false);
        let held = matches!(order.field, SortField::Followers | SortField::Engagement | SortField::Updated);
        if other_conditions || (q.limit > 0 && !held) {
            return None;
        }
        let (min_e, max_e) =
            (q.min_engagement_pct.filter(|v| !v.is_nan()), q.max_engagement_pct.filter(|v| !v.is_nan()));
        let engagement = (min_e.is_some() || max_e.is_some())
            .then(|| (min_e.map_or(u64::MIN, f64_to_u64), max_e.map_or(u64::MAX, f64_to_u64)));
        Some(ProjectedQuery {
            scopes: scope_keys(q),
            platforms: q.platforms.clone(),
            countries: q.countries.clone(),
            min_followers: q.min_followers,
            max_followers: q.max_followers,
            engagement,
            order,
            keep: if q.limit == 0 { 0 } else { keep },
            after: q.after,
        })
    }
}

/// What [`Projections::search`] found: every match counted, the best `keep` in order.
pub(crate) struct Found {
    pub total: u64,
    /// The best matches, in order.
    pub top: Vec<Entry>,
}

/// The projections of the segments searched so far.
#[derive(Default)]
pub(crate) struct Projections {
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// The newest searcher generation seen: only a search over it forgets the projections of other segments,
    /// so a late search over an older generation cannot evict what the current one uses.
    generation: u64,
    /// `None` in a cell: the segment cannot be projected (or reading it failed); searches there go to tantivy.
    by_segment: HashMap<SegmentId, Cell>,
}

impl Projections {
    /// Runs `q` over the searcher's segments, building the projections it lacks; `None` when a segment has
    /// none, so the caller searches with tantivy instead.
    pub fn search(&self, searcher: &Searcher, scope: Field, q: &ProjectedQuery) -> Option<Found> {
        let mut total = 0;
        let mut best: Vec<Entry> = Vec::new();
        for (segment, cell) in self.cells(searcher) {
            total += project(&cell, segment, scope)?.search(q, segment.alive_bitset(), &mut best);
        }
        best.sort_unstable();
        best.truncate(q.keep);
        Some(Found { total, top: best })
    }

    /// The first `walk.keep` matches of `q` in follower order — ties by id in the same direction, the order
    /// of the database's (workspace, followers, id) index — after `walk.after` (a follower count and an id,
    /// the last of the previous page). Each segment's walk starts at its window's far end and stops once it
    /// has `keep` matches and has passed the follower count of the last one, so a page costs about as many
    /// documents as it takes to find it, not the whole window. [`FollowerPage::Unanswerable`] when a segment
    /// cannot be projected; without `build`, [`FollowerPage::NotBuilt`] when one is still to be built.
    pub fn page_by_followers(
        &self,
        searcher: &Searcher,
        scope: Field,
        q: &ProjectedQuery,
        walk: &Walk,
        build: bool,
    ) -> FollowerPage {
        let mut found: Vec<(i64, u128)> = Vec::new();
        for (segment, cell) in self.cells(searcher) {
            let projection = match cell.get() {
                Some(built) => built.as_ref(),
                None if build => project(&cell, segment, scope),
                None => return FollowerPage::NotBuilt,
            };
            let Some(projection) = projection else { return FollowerPage::Unanswerable };
            projection.first_by_followers(q, walk, segment.alive_bitset(), &mut found);
        }
        if walk.desc {
            found.sort_unstable_by(|a, b| b.cmp(a));
        } else {
            // Creators without a known following last.
            found.sort_unstable_by_key(|&(followers, id)| (followers < 1, followers, id));
        }
        FollowerPage::Found(found.into_iter().take(walk.keep).map(|(_, id)| Uuid::from_u128(id)).collect())
    }

    /// The searcher's segments with their cells, forgetting merged-away segments when the searcher is of the
    /// newest generation seen.
    fn cells<'s>(&self, searcher: &'s Searcher) -> Vec<(&'s SegmentReader, Cell)> {
        let segments = searcher.segment_readers();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = searcher.generation().generation_id();
        if generation >= cache.generation {
            cache.generation = generation;
            cache.by_segment.retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
        }
        segments.iter().map(|s| (s, cache.by_segment.entry(s.segment_id()).or_default().clone())).collect()
    }
}

/// A segment's projection, built on first use; `None` when it cannot be (a failed read leaves the search to
/// tantivy, which reports the error).
type Cell = Arc<OnceLock<Option<Projection>>>;

fn project<'c>(cell: &'c Cell, segment: &SegmentReader, scope: Field) -> Option<&'c Projection> {
    cell.get_or_init(|| Projection::build(segment, scope).ok().flatten()).as_ref()
}

/// How [`Projection::first_by_followers`] walks: its direction, where it resumes (a follower count and an
/// id), how many matches it needs.
pub(crate) struct Walk {
    pub desc: bool,
    pub after: Option<(i64, u128)>,
    pub keep: usize,
}

/// A query's conditions prepared for one segment's term ordinals and scopes.
struct Matcher {
    scope_ok: Vec<bool>,
    every_scope: bool,
    platform_bits: u64,
    any_platform: bool,
    country_ok: Vec<bool>,
    any_country: bool,
    engagement_bit: u64,
    e_min: u64,
    e_max: u64,
}

impl Matcher {
    /// Whether a document with attributes `a` and engagement `e` passes. Every condition is evaluated (no
    /// short circuit): one hard-to-predict branch a document, not five.
    #[inline]
    fn passes(&self, a: u64, e: u64) -> bool {
        let table = |t: &[bool], i: u64| t.get((i & 0xffff) as usize).copied().unwrap_or(false);
        (self.every_scope | table(&self.scope_ok, a >> SCOPE_SHIFT))
            & (self.any_platform | (a & self.platform_bits != 0))
            & (a & self.engagement_bit == self.engagement_bit)
            & ((self.engagement_bit == 0) | (e >= self.e_min) & (e <= self.e_max))
            & (self.any_country | table(&self.country_ok, a >> COUNTRY_SHIFT))
    }
}

/// One segment's documents in follower order (then document order), with the values the filters and sorts
/// read.
struct Projection {
    docs: Vec<DocId>,
    followers: Vec<i64>,
    /// What the filters test, in one word: a bit per platform (by term ordinal in the segment's platform
    /// column, bits 0–30), [`HAS_ENGAGEMENT`], the country's term ordinal + 1 (0 for none) at
    /// [`COUNTRY_SHIFT`], and the scope (an index into `scopes`) at [`SCOPE_SHIFT`].
    attrs: Vec<u64>,
    /// The engagement rate in tantivy's u64 mapping (meaningful with [`HAS_ENGAGEMENT`]).
    engagement: Vec<u64>,
    updated: Vec<i64>,
    scopes: Vec<Vec<u8>>,
    platforms: Vec<String>,
    countries: Vec<String>,
    /// The id's high half, read for every document that ties with the worst one a page keeps: ties on the
    /// sort key are common (creators imported together share their update time).
    id_hi: Vec<u64>,
    /// The low half by document, read when the high halves tie too.
    id_lo: Column<u64>,
}

impl Projection {
    /// `None` when the segment holds what a projection cannot: documents without exactly one follower count,
    /// update time and id, more than one country, or more platforms or scopes than it has room for.
    fn build(segment: &SegmentReader, scope_field: Field) -> tantivy::Result<Option<Projection>> {
        let max_doc = segment.max_doc();
        let ff = segment.fast_fields();
        let (Some(followers), Some(updated)) =
            (full(segment, ff.i64(names::FOLLOWERS)?), full(segment, ff.i64(names::UPDATED)?))
        else {
            return Ok(None);
        };

        let mut flags = vec![0u64; max_doc as usize];
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

        let mut country = vec![0u16; max_doc as usize];
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

        let mut engagement = vec![0u64; max_doc as usize];
        let engagement_column = ff.f64(names::ENGAGEMENT)?;
        for ((doc, e), f) in (0..max_doc).zip(&mut engagement).zip(&mut flags) {
            if let Some(v) = engagement_column.first(doc) {
                *e = f64_to_u64(v);
                *f |= HAS_ENGAGEMENT;
            }
        }

        let Some(Scopes { by_doc: scope, values: scopes }) = scopes(segment, scope_field)? else { return Ok(None) };
        let attrs: Vec<u64> = (flags.iter().zip(&country).zip(&scope))
            .map(|((&f, &c), &s)| f | u64::from(c) << COUNTRY_SHIFT | u64::from(s) << SCOPE_SHIFT)
            .collect();

        let Some(id_hi) = full(segment, ff.u64(names::ID_HI)?) else { return Ok(None) };
        let mut order: Vec<DocId> = (0..max_doc).collect();
        order.sort_unstable_by_key(|&d| (followers[d as usize], d));
        Ok(Some(Projection {
            followers: permute(&order, &followers),
            attrs: permute(&order, &attrs),
            engagement: permute(&order, &engagement),
            updated: permute(&order, &updated),
            id_hi: permute(&order, &id_hi),
            docs: order,
            scopes,
            platforms,
            countries,
            id_lo: ff.u64(names::ID_LO)?,
        }))
    }

    /// The positions of the documents whose follower count `q`'s window holds.
    fn window(&self, q: &ProjectedQuery) -> (usize, usize) {
        let lo = q.min_followers.map_or(0, |min| self.followers.partition_point(|&f| f < min));
        let hi = q.max_followers.map_or(self.followers.len(), |max| self.followers.partition_point(|&f| f <= max));
        (lo, hi)
    }

    /// `q`'s conditions for this segment; `None` when no document of it can pass.
    fn matcher(&self, q: &ProjectedQuery) -> Option<Matcher> {
        let scope_ok: Vec<bool> = self.scopes.iter().map(|s| q.scopes.iter().any(|w| w[..] == s[..])).collect();
        // Platforms: any of the wanted bits; no filter wants none.
        let mut platform_bits = 0u64;
        for (ord, name) in self.platforms.iter().enumerate() {
            if q.platforms.contains(name) {
                platform_bits |= 1 << ord;
            }
        }
        if !q.platforms.is_empty() && platform_bits == 0 {
            return None;
        }
        let (e_min, e_max) = q.engagement.unwrap_or((u64::MIN, u64::MAX));
        Some(Matcher {
            every_scope: scope_ok.iter().all(|&ok| ok),
            scope_ok,
            platform_bits,
            any_platform: q.platforms.is_empty(),
            country_ok: std::iter::once(false).chain(self.countries.iter().map(|c| q.countries.contains(c))).collect(),
            any_country: q.countries.is_empty(),
            engagement_bit: if q.engagement.is_some() { HAS_ENGAGEMENT } else { 0 },
            e_min,
            e_max,
        })
    }

    /// Counts the live documents of the segment that pass `q` and adds its best `q.keep` to `best`
    /// (unordered); returns the count.
    fn search(&self, q: &ProjectedQuery, alive: Option<&AliveBitSet>, best: &mut Vec<Entry>) -> u64 {
        let (lo, hi) = self.window(q);
        let Some(m) = self.matcher(q).filter(|_| lo < hi) else { return 0 };
        let (attrs, engagement, docs) = (&self.attrs[lo..hi], &self.engagement[lo..hi], &self.docs[lo..hi]);
        if q.keep == 0 && alive.is_none() {
            return attrs.iter().zip(engagement).map(|(&a, &e)| u64::from(m.passes(a, e))).sum();
        }

        let mut n = 0u64;
        let mut kept = Best::new(q.keep, q.after);
        for (i, ((&a, &e), &doc)) in attrs.iter().zip(engagement).zip(docs).enumerate() {
            if !m.passes(a, e) || alive.is_some_and(|alive| !alive.is_alive(doc)) {
                continue;
            }
            n += 1;
            if q.keep > 0 {
                let (id_hi, id_lo) = (self.id_hi[lo + i], &self.id_lo);
                let key = self.key(q.order, lo + i);
                kept.offer(key, || id_hi, || id_lo.first(doc).unwrap_or(0));
            }
        }
        best.extend(kept.into_sorted_vec());
        n
    }

    /// Adds to `out` the live matches of `q` in this segment, as (followers, id), that may be among the first
    /// `walk.keep` after `walk.after` in follower order: walking from the window's far end in `walk`'s
    /// direction, every match until `keep` are found, then the rest of the last one's follower count (its ties,
    /// which the caller orders by id). Creators without a known following (0) come last in both directions:
    /// an ascending walk takes them after the largest following.
    fn first_by_followers(
        &self,
        q: &ProjectedQuery,
        walk: &Walk,
        alive: Option<&AliveBitSet>,
        out: &mut Vec<(i64, u128)>,
    ) {
        let (lo, hi) = self.window(q);
        let Some(m) = self.matcher(q).filter(|_| lo < hi && walk.keep > 0) else { return };
        // Positions from `known` on have a known following.
        let known = self.followers.partition_point(|&f| f < 1).clamp(lo, hi);
        // A page resumes at the previous one's last follower count; its ties pass on the id. Ascending, the
        // known followings come first, then the unknown ones.
        let after_followers = walk.after.map(|(f, _)| f);
        let ranges = match (walk.desc, after_followers) {
            (true, None) => [lo..hi, 0..0],
            (true, Some(f)) => [lo..hi.min(self.followers.partition_point(|&x| x <= f)), 0..0],
            (false, Some(f)) if f < 1 => [0..0, lo..known],
            (false, f) => [f.map_or(known, |f| known.max(self.followers.partition_point(|&x| x < f)))..hi, lo..known],
        };
        let mut found = 0;
        let mut last: Option<i64> = None;
        let mut visit = |i: usize| {
            let followers = self.followers[i];
            if last.is_some_and(|l| l != followers) {
                return false;
            }
            let doc = self.docs[i];
            if !m.passes(self.attrs[i], self.engagement[i]) || alive.is_some_and(|alive| !alive.is_alive(doc)) {
                return true;
            }
            let id = id_from_halves(self.id_hi[i], self.id_lo.first(doc).unwrap_or(0)).as_u128();
            // Ties with the previous page's last come after it by id, in the walk's direction.
            let seen = walk
                .after
                .is_some_and(|(f, after)| f == followers && if walk.desc { id >= after } else { id <= after });
            if seen {
                return true;
            }
            out.push((followers, id));
            found += 1;
            if found == walk.keep {
                last = Some(followers);
            }
            true
        };
        let [first, then] = ranges;
        if walk.desc {
            for i in first.rev() {
                if !visit(i) {
                    return;
                }
            }
        } else {
            for i in first.chain(then) {
                if !visit(i) {
                    return;
                }
            }
        }
    }

    /// The sort key of position `i`, encoded as the collector encodes it.
    fn key(&self, order: Order, i: usize) -> u128 {
        let raw = match order.field {
            SortField::Followers => follower_key(self.followers[i]),
            SortField::Updated => Some(i64_to_u64(self.updated[i])),
            SortField::Engagement => (self.attrs[i] & HAS_ENGAGEMENT != 0).then(|| self.engagement[i]),
            SortField::Score | SortField::Fit | SortField::Name => None,
        };
        match raw {
            Some(v) => u128::from(if order.desc { !v } else { v }),
            None => 1 << 64,
        }
    }
}

/// Every value of a column every document has; `None` when some document lacks one or has several.
fn full<T: PartialOrd + Copy + Default + std::fmt::Debug + Send + Sync + 'static>(
    segment: &SegmentReader,
    column: Column<T>,
) -> Option<Vec<T>> {
    let n = segment.max_doc() as usize;
    if n == 0 {
        return Some(Vec::new());
    }
    if column.get_cardinality() != Cardinality::Full {
        return None;
    }
    let mut values = vec![T::default(); n];
    column.values.get_range(0, &mut values);
    Some(values)
}

/// Each document's scope, as an index into the segment's scope values.
struct Scopes {
    by_doc: Vec<u16>,
    values: Vec<Vec<u8>>,
}

/// The scopes of a segment's documents; `None` when it has too many to number.
fn scopes(segment: &SegmentReader, field: Field) -> tantivy::Result<Option<Scopes>> {
    let mut scope = vec![u16::MAX; segment.max_doc() as usize];
    let mut values = Vec::new();
    let inverted = segment.inverted_index(field)?;
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let Some(id) = u16::try_from(values.len()).ok().filter(|&id| id < u16::MAX) else { return Ok(None) };
        values.push(terms.key().to_vec());
        let mut postings = inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if let Some(s) = scope.get_mut(doc as usize) {
                *s = id;
            }
            doc = postings.advance();
        }
    }
    Ok(Some(Scopes { by_doc: scope, values }))
}

/// `values` (one per document) in the order of `order`.
fn permute<T: Copy>(order: &[DocId], values: &[T]) -> Vec<T> {
    order.iter().map(|&d| values[d as usize]).collect()
}

/// The values of a keyword column by term ordinal.
fn dictionary(column: &StrColumn) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.num_terms());
    for ord in 0..column.num_terms() as u64 {
        let mut value = String::new();
        column.ord_to_str(ord, &mut value)?;
        out.push(value);
    }
    Ok(out)
}
