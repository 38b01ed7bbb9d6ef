//! One pass over all matches that counts them, keeps the top `offset + limit` by (sort key, id) read from
//! fast fields, and counts facet values by term ordinal — never touching stored documents.

use std::collections::{BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::query::Weight;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, f64_to_u64, i64_to_u64, u64_to_f64};

use crate::model::{Facet, FacetSet, Facets, SearchSort, TIERS, UNKNOWN_TIER, tier_index};
use crate::schema::{id_from_halves, names};

/// What results are ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SortField {
    Score,
    Followers,
    Engagement,
    Fit,
    Updated,
    Name,
}

/// A sort field and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    pub field: SortField,
    pub desc: bool,
}

impl Order {
    /// The order for `sort`; relevance without search words falls back to most recently updated first.
    pub fn new(sort: SearchSort, has_text: bool) -> Order {
        let (field, desc) = match sort {
            SearchSort::Relevance if has_text => (SortField::Score, true),
            SearchSort::Relevance => (SortField::Updated, true),
            SearchSort::Followers { desc } => (SortField::Followers, desc),
            SearchSort::Engagement { desc } => (SortField::Engagement, desc),
            SearchSort::Fit { desc } => (SortField::Fit, desc),
            SearchSort::Updated { desc } => (SortField::Updated, desc),
            SearchSort::Name { desc } => (SortField::Name, desc),
        };
        Order { field, desc }
    }
}

/// The keyword facets, each with its column, in the order of [`Facets`]' maps.
const FACET_FIELDS: [(Facet, &str); 6] = [
    (Facet::Platform, names::PLATFORMS),
    (Facet::Country, names::COUNTRY),
    (Facet::Niche, names::NICHES),
    (Facet::Tag, names::TAGS),
    (Facet::Stage, names::STAGE),
    (Facet::Language, names::LANGUAGES),
];

/// Tier counters: one per tier of [`TIERS`], then one for creators without a known following.
const TIER_SLOTS: usize = TIERS.len() + 1;

fn tier_slot(followers: i64) -> usize {
    tier_index(followers).unwrap_or(TIERS.len())
}

/// Counts matches, keeps the best `keep` entries and counts the facets asked for.
pub(crate) struct PageCollector {
    pub order: Order,
    pub keep: usize,
    /// Only matches after this entry are kept (counts and facets take every match).
    pub after: Option<Entry>,
    pub facets: FacetSet,
    /// No count is wanted ([`crate::SearchQuery::uncounted`]).
    pub uncounted: bool,
}

impl PageCollector {
    /// Whether a segment may skip the matches that cannot reach the page: ordered by relevance, with neither
    /// the count nor facets wanted.
    fn prunes(&self) -> bool {
        self.uncounted && self.order == Order { field: SortField::Score, desc: true } && self.facets.is_empty()
    }
}

/// A sort key (missing values after all present ones, in both directions) and the id as tie-breaker.
pub(crate) type Entry = (u128, u128);

/// A follower count as a sort key: a creator without a known following (stored as 0) has none, so it comes
/// after every creator with one whichever the direction, as the database's listings order them.
#[inline]
pub(crate) fn follower_key(followers: i64) -> Option<u64> {
    (followers >= 1).then(|| i64_to_u64(followers))
}

/// The best `keep` entries offered after `after`, by (key, id).
pub(crate) struct Best {
    keep: usize,
    after: Option<Entry>,
    /// Max-heap: the worst kept entry on top.
    heap: BinaryHeap<Entry>,
}

impl Best {
    pub fn new(keep: usize, after: Option<Entry>) -> Best {
        Best { keep, after, heap: BinaryHeap::with_capacity(keep.min(4096)) }
    }

    /// Offers a match with sort key `key`; its id's halves are read only when needed. Most matches lose on
    /// the key alone; only ties and winners need their id read, and a tie (frequent: equal relevance, equal
    /// follower counts) mostly loses on the id's high half.
    #[inline]
    pub fn offer(&mut self, key: u128, id_hi: impl FnOnce() -> u64, id_lo: impl FnOnce() -> u64) {
        if let Some((after_key, after_id)) = self.after {
            if key < after_key {
                return;
            }
            if key == after_key {
                // A tie with the mark: only ids after it, read now.
                let id = id_from_halves(id_hi(), id_lo()).as_u128();
                if id > after_id {
                    self.keep_best(key, || (id >> 64) as u64, || id as u64);
                }
                return;
            }
        }
        self.keep_best(key, id_hi, id_lo);
    }

    #[inline]
    fn keep_best(&mut self, key: u128, id_hi: impl FnOnce() -> u64, id_lo: impl FnOnce() -> u64) {
        if self.heap.len() < self.keep {
            self.heap.push((key, id_from_halves(id_hi(), id_lo()).as_u128()));
            return;
        }
        let Some(&(worst_key, worst_id)) = self.heap.peek() else { return };
        if key > worst_key {
            return;
        }
        let hi = id_hi();
        if key == worst_key && u128::from(hi) > worst_id >> 64 {
            return;
        }
        let entry = (key, id_from_halves(hi, id_lo()).as_u128());
        if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }

    /// For a page ordered by relevance (highest first): a score that a match must beat to be worth offering —
    /// just under the worst kept one once the page is full, so that a match tying with it, which its id may
    /// still let in, is offered too.
    #[inline]
    pub fn score_floor(&self) -> Score {
        match self.heap.peek() {
            // The key of a relevance-ordered entry is the bitwise complement of its score's order-preserving code.
            Some(&(worst, _)) if self.heap.len() >= self.keep && worst < 1 << 64 => {
                (u64_to_f64(!(worst as u64)) as Score).next_down()
            }
            _ => Score::MIN,
        }
    }

    /// The kept entries, best first.
    pub fn into_sorted_vec(self) -> Vec<Entry> {
        self.heap.into_sorted_vec()
    }
}

/// What one segment found.
pub(crate) struct SegmentFruit {
    count: u64,
    top: Vec<Entry>,
    facets: Option<SegmentFacets>,
}

/// The merged outcome.
pub(crate) struct PageFruit {
    pub total: usize,
    /// The best `keep` entries in order.
    pub top: Vec<Entry>,
    pub facets: Facets,
}

impl Collector for PageCollector {
    type Fruit = PageFruit;
    type Child = PageSegmentCollector;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let ff = segment.fast_fields();
        let key = match self.order.field {
            SortField::Score => KeyColumn::Score,
            SortField::Followers => KeyColumn::Followers(FastColumn::new(ff.i64(names::FOLLOWERS)?)),
            SortField::Engagement => KeyColumn::F64(FastColumn::new(ff.f64(names::ENGAGEMENT)?)),
            SortField::Fit => KeyColumn::U64(FastColumn::new(ff.u64(names::FIT)?)),
            SortField::Updated => KeyColumn::I64(FastColumn::new(ff.i64(names::UPDATED)?)),
            SortField::Name => {
                KeyColumn::Name(FastColumn::new(ff.u64(names::NAME_HI)?), FastColumn::new(ff.u64(names::NAME_LO)?))
            }
        };
        let facets = if !self.facets.is_empty() {
            let mut columns = Vec::with_capacity(FACET_FIELDS.len());
            for (slot, (facet, name)) in FACET_FIELDS.iter().enumerate() {
                if !self.facets.has(*facet) {
                    continue;
                }
                if let Some(col) = ff.str(name)? {
                    let counts = vec![0u64; col.num_terms()];
                    columns.push((slot, col, counts));
                }
            }
            Some(FacetCounter {
                columns,
                followers: if self.facets.has(Facet::Tier) { Some(ff.i64(names::FOLLOWERS)?) } else { None },
                tiers: [0; TIER_SLOTS],
                pending: Vec::with_capacity(FACET_BATCH),
                rows: Vec::new(),
                row_docs: Vec::new(),
                ords: Vec::new(),
                followers_buf: Vec::new(),
            })
        } else {
            None
        };
        Ok(PageSegmentCollector {
            key,
            desc: self.order.desc,
            id_hi: FastColumn::new(ff.u64(names::ID_HI)?),
            id_lo: FastColumn::new(ff.u64(names::ID_LO)?),
            best: Best::new(self.keep, self.after),
            count: 0,
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.order.field == SortField::Score
    }

    /// tantivy's own loop over a segment's matches (alive ones only), or, for a page that [prunes], its pruning
    /// loop: a match scored no higher than the page's current worst is not offered, and a query tantivy can
    /// bound block by block (block-max WAND) skips whole blocks of them.
    ///
    /// [prunes]: PageCollector::prunes
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFruit> {
        let mut child = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
        if self.prunes() && child.best.keep > 0 {
            weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                if is_alive(doc) {
                    child.collect(doc, score);
                }
                child.best.score_floor()
            })?;
        } else if self.requires_scoring() {
            weight.for_each(reader, &mut |doc, score| {
                if is_alive(doc) {
                    child.collect(doc, score);
                }
            })?;
        } else {
            weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if is_alive(doc) {
                        child.collect(doc, 0.0);
                    }
                }
            })?;
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<PageFruit> {
        let mut total = 0u64;
        let mut top: Vec<Entry> = Vec::new();
        let mut facet_maps: Option<[HashMap<String, u64>; 6]> = None;
        let mut tiers = [0u64; TIER_SLOTS];
        for fruit in fruits {
            total += fruit.count;
            top.extend(fruit.top);
            if let Some(f) = fruit.facets {
                let maps = facet_maps.get_or_insert_with(Default::default);
                for (slot, values) in f.values {
                    for (value, n) in values {
                        *maps[slot].entry(value).or_default() += n;
                    }
                }
                for (t, n) in tiers.iter_mut().zip(f.tiers) {
                    *t += n;
                }
            }
        }
        top.sort_unstable();
        top.truncate(self.keep);
        let facets = match facet_maps {
            Some([platforms, countries, niches, tags, stages, languages]) => Facets {
                platforms: sorted_counts(platforms),
                countries: sorted_counts(countries),
                niches: sorted_counts(niches),
                tags: sorted_counts(tags),
                stages: sorted_counts(stages),
                languages: sorted_counts(languages),
                tiers: sorted_counts(
                    TIERS
                        .iter()
                        .map(|t| t.name)
                        .chain([UNKNOWN_TIER])
                        .zip(tiers)
                        .filter(|(_, n)| *n > 0)
                        .map(|(name, n)| (name.to_string(), n))
                        .collect(),
                ),
            },
            None => Facets::default(),
        };
        Ok(PageFruit { total: usize::try_from(total).unwrap_or(usize::MAX), top, facets })
    }
}

/// Count descending, then value ascending.
fn sorted_counts(map: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map.into_iter().collect();
    v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// A fast column with a shortcut for columns every document has.
struct FastColumn<T> {
    column: Column<T>,
    full: bool,
}

impl<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static> FastColumn<T> {
    fn new(column: Column<T>) -> Self {
        let full = column.get_cardinality() == Cardinality::Full;
        FastColumn { column, full }
    }

    #[inline]
    fn first(&self, doc: DocId) -> Option<T> {
        if self.full { Some(self.column.values.get_val(doc)) } else { self.column.first(doc) }
    }
}

enum KeyColumn {
    Score,
    Followers(FastColumn<i64>),
    I64(FastColumn<i64>),
    F64(FastColumn<f64>),
    U64(FastColumn<u64>),
    /// A name key's halves: a 128-bit key every document has.
    Name(FastColumn<u64>, FastColumn<u64>),
}

/// Documents are counted in batches: reading a column for many documents at once is several times faster
/// than one document at a time.
const FACET_BATCH: usize = 2048;

struct FacetCounter {
    /// Facet slot, its column, and a count per term ordinal.
    columns: Vec<(usize, StrColumn, Vec<u64>)>,
    /// Read when tiers are counted.
    followers: Option<Column<i64>>,
    tiers: [u64; TIER_SLOTS],
    /// Matches not counted yet.
    pending: Vec<DocId>,
    // Scratch buffers.
    rows: Vec<u32>,
    row_docs: Vec<DocId>,
    ords: Vec<u64>,
    followers_buf: Vec<i64>,
}

impl FacetCounter {
    #[inline]
    fn push(&mut self, doc: DocId) {
        self.pending.push(doc);
        if self.pending.len() == FACET_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let docs = &self.pending;
        if docs.is_empty() {
            return;
        }
        for (_, col, counts) in &mut self.columns {
            let ords = col.ords();
            let rows: &[u32] = if ords.get_cardinality() == Cardinality::Full {
                docs
            } else {
                // The column appends to these.
                self.row_docs.clear();
                self.rows.clear();
                ords.row_ids_for_docs(docs, &mut self.row_docs, &mut self.rows);
                &self.rows
            };
            self.ords.resize(rows.len(), 0);
            ords.values.get_vals(rows, &mut self.ords);
            for &o in &self.ords {
                if let Some(c) = counts.get_mut(o as usize) {
                    *c += 1;
                }
            }
        }
        if let Some(followers) = &self.followers {
            if followers.get_cardinality() == Cardinality::Full {
                self.followers_buf.resize(docs.len(), 0);
                followers.values.get_vals(docs, &mut self.followers_buf);
                for &f in &self.followers_buf {
                    self.tiers[tier_slot(f)] += 1;
                }
            } else {
                for &d in docs {
                    self.tiers[tier_slot(followers.first(d).unwrap_or(0))] += 1;
                }
            }
        }
        self.pending.clear();
    }
}

struct SegmentFacets {
    values: Vec<(usize, Vec<(String, u64)>)>,
    tiers: [u64; TIER_SLOTS],
}

pub(crate) struct PageSegmentCollector {
    key: KeyColumn,
    desc: bool,
    id_hi: FastColumn<u64>,
    id_lo: FastColumn<u64>,
    best: Best,
    count: u64,
    facets: Option<FacetCounter>,
}

impl PageSegmentCollector {
    #[inline]
    fn key(&self, doc: DocId, score: Score) -> u128 {
        if let KeyColumn::Name(hi, lo) = &self.key {
            let key = u128::from(hi.first(doc).unwrap_or(0)) << 64 | u128::from(lo.first(doc).unwrap_or(0));
            return if self.desc { !key } else { key };
        }
        let raw = match &self.key {
            KeyColumn::Score => Some(f64_to_u64(f64::from(score))),
            KeyColumn::Followers(c) => c.first(doc).and_then(follower_key),
            KeyColumn::I64(c) => c.first(doc).map(i64_to_u64),
            KeyColumn::F64(c) => c.first(doc).map(f64_to_u64),
            KeyColumn::U64(c) => c.first(doc),
            KeyColumn::Name(..) => None,
        };
        match raw {
            Some(v) => u128::from(if self.desc { !v } else { v }),
            None => 1 << 64,
        }
    }
}

impl SegmentCollector for PageSegmentCollector {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        if let Some(f) = &mut self.facets {
            f.push(doc);
        }
        if self.best.keep == 0 {
            return;
        }
        let key = self.key(doc, score);
        let (hi, lo) = (&self.id_hi, &self.id_lo);
        self.best.offer(key, || hi.first(doc).unwrap_or(0), || lo.first(doc).unwrap_or(0));
    }

    fn harvest(self) -> SegmentFruit {
        let facets = self.facets.map(|mut f| {
            f.flush();
            let values = f
                .columns
                .into_iter()
                .map(|(slot, col, counts)| {
                    let mut out = Vec::new();
                    let mut buf = String::new();
                    for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                        buf.clear();
                        if col.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                            out.push((buf.clone(), n));
                        }
                    }
                    (slot, out)
                })
                .collect();
            SegmentFacets { values, tiers: f.tiers }
        });
        let top = self.best.into_sorted_vec();
        SegmentFruit { count: self.count, top, facets }
    }
}
