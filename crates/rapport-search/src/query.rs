//! Translation of a [`SearchQuery`] into a tantivy query built from terms, ranges and fast-column
//! predicates (never through the query parser, so no user text can make a query fail): the tenant scope,
//! keyword lists, numeric and audience ranges, and the free-text words with BM25 scoring.

use std::ops::Bound;

use tantivy::columnar::Column;
use tantivy::query::doc_predicate_query::{
    ConstOrVariableSegmentPredicate, DocPredicate, DocPredicateQuery, SegmentDocPredicate,
};
use tantivy::query::{
    AllScorer, BooleanQuery, BoostQuery, ConstScoreQuery, ConstScorer, EmptyQuery, EnableScoring, Explanation,
    InvertedIndexRangeQuery, Occur, Query, RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term};

use crate::model::{OwnerFilter, SearchQuery};
use crate::schema::{
    Fields, MAX_SHARE_BP, audience_code, micros, names, owner_bytes, scope_bytes, share_bp, text_analyzer, tokens_with,
};

/// Relevance multiplier for a word found in a name or handle.
const NAME_BOOST: f32 = 2.0;

/// The last word also matches the start of a name or handle word once it has this many characters.
pub(crate) const MIN_PREFIX_CHARS: usize = 3;

/// The words of a free-text query, deduplicated, and whether the last one also matches the start of a
/// name or handle word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextTerms {
    pub words: Vec<String>,
    pub last_is_prefix: bool,
}

impl TextTerms {
    /// Parses free text the way [`crate::SearchIndex::search`] does.
    pub fn parse(text: &str) -> TextTerms {
        let mut words = Vec::new();
        for w in tokens_with(&mut text_analyzer(), text) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
        let last_is_prefix =
            !text.ends_with(char::is_whitespace) && words.last().is_some_and(|w| w.chars().count() >= MIN_PREFIX_CHARS);
        TextTerms { words, last_is_prefix }
    }
}

/// A query ready to run.
pub(crate) struct Plan {
    pub query: Box<dyn Query>,
    /// There are search words, so relevance is meaningful.
    pub has_text: bool,
    /// Some clause checks documents one by one; tantivy's block-wise counting would evaluate it on every
    /// document of the segment, so counting must go through the candidates instead.
    pub has_predicates: bool,
}

/// The tantivy query for `q`.
///
/// Every clause is a conjunct. Cheap lazy docsets (postings, fast-field ranges) can drive the intersection;
/// keyword lists that match much of the index are checked per candidate on their fast columns instead of
/// unioning large posting lists.
pub(crate) fn build(f: &Fields, searcher: &Searcher, q: &SearchQuery) -> tantivy::Result<Plan> {
    let terms = q.text.as_deref().map(TextTerms::parse).unwrap_or_default();
    let has_text = !terms.words.is_empty();
    let mut scoring: Vec<Box<dyn Query>> = Vec::new();
    let mut optional: Vec<Box<dyn Query>> = Vec::new();
    let last = terms.words.len().saturating_sub(1);
    for (i, word) in terms.words.iter().enumerate() {
        let exact: Box<dyn Query> = Box::new(word_query(f.text, word));
        // The prefix reaches names and handles only: that is what people type partially, and a prefix of
        // a common bio word could match a large part of the index.
        let must = if i == last && terms.last_is_prefix && has_longer_terms(searcher, f.names, word)? {
            Box::new(BooleanQuery::new(vec![(Occur::Should, exact), (Occur::Should, prefix_query(f.names, word))]))
        } else {
            exact
        };
        scoring.push(must);
        optional.push(Box::new(BoostQuery::new(Box::new(word_query(f.names, word)), NAME_BOOST)));
    }

    let (filters, has_predicates) = filters(f, searcher, q)?;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(scoring.len() * 2 + filters.len());
    clauses.extend(scoring.into_iter().map(|c| (Occur::Must, c)));
    clauses.extend(optional.into_iter().map(|c| (Occur::Should, c)));
    for filter in filters {
        // Filters must not change relevance. The scope scores nothing by itself, and wrapping it would hide
        // from the boolean query that it matches a whole segment.
        let filter =
            if has_text && !filter.is::<ScopeQuery>() { Box::new(ConstScoreQuery::new(filter, 0.0)) } else { filter };
        clauses.push((Occur::Must, filter));
    }
    Ok(Plan { query: Box::new(BooleanQuery::new(clauses)), has_text, has_predicates })
}

fn word_query(field: Field, word: &str) -> TermQuery {
    TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs)
}

/// No token contains U+10FFFF in practice, so this bound is past every word starting with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Whether any segment has a word that starts with `word` and is longer; if not, the prefix clause would
/// only repeat the exact one.
fn has_longer_terms(searcher: &Searcher, field: Field, word: &str) -> tantivy::Result<bool> {
    let end = prefix_end(word);
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().range().gt(word.as_bytes()).lt(end.as_bytes()).into_stream()?;
        if stream.advance() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every word starting with `prefix`, at a constant score below any exact match.
fn prefix_query(field: Field, prefix: &str) -> Box<dyn Query> {
    let range = InvertedIndexRangeQuery::new(
        Bound::Included(Term::from_field_text(field, prefix)),
        Bound::Excluded(Term::from_field_text(field, &prefix_end(prefix))),
    );
    Box::new(ConstScoreQuery::new(Box::new(range), 0.0))
}

/// A keyword list whose postings hold fewer than this share of the index (1 / N) is walked through its
/// postings (it may then drive the intersection); a larger one is checked per candidate.
const SELECTIVE_FRACTION: u64 = 16;

/// All non-text conditions, each a conjunct, and whether any is a per-document predicate.
fn filters(f: &Fields, searcher: &Searcher, q: &SearchQuery) -> tantivy::Result<(Vec<Box<dyn Query>>, bool)> {
    let mut must: Vec<Box<dyn Query>> = Vec::new();
    let mut has_predicates = false;

    must.push(Box::new(ScopeQuery {
        terms: scope_keys(q).iter().map(|key| Term::from_field_bytes(f.scope, key)).collect(),
    }));

    let num_docs = searcher.num_docs().max(1);
    // Any of a list's values matches, except tags: a creator must carry all of them (one
    // condition per tag).
    let cities: Vec<String> = q.cities.iter().map(|c| crate::schema::city_key(c)).collect();
    let lists = [
        (f.platforms, names::PLATFORMS, q.platforms.iter().collect::<Vec<_>>()),
        (f.country, names::COUNTRY, q.countries.iter().collect()),
        (f.city, names::CITY, cities.iter().collect()),
        (f.languages, names::LANGUAGES, q.languages.iter().collect()),
        (f.niches, names::NICHES, q.niches.iter().collect()),
        (f.stage, names::STAGE, q.stages.iter().collect()),
    ];
    let tags = q.tags.iter().map(|t| (f.tags, names::TAGS, vec![t]));
    for (field, column, values) in lists.into_iter().chain(tags) {
        if values.is_empty() {
            continue;
        }
        let mut values: Vec<&str> = values.into_iter().map(String::as_str).collect();
        values.sort_unstable();
        values.dedup();
        let terms: Vec<Term> = values.iter().map(|v| Term::from_field_text(field, v)).collect();
        let mut postings = 0u64;
        for t in &terms {
            postings += searcher.doc_freq(t)?;
        }
        if postings.saturating_mul(SELECTIVE_FRACTION) < num_docs {
            must.push(any_term(terms));
        } else {
            let values = values.into_iter().map(str::to_string).collect();
            must.push(Box::new(DocPredicateQuery::from(KeywordPredicate { column, values })));
            has_predicates = true;
        }
    }

    let i64_range = |field, min: Option<i64>, max: Option<i64>| -> Option<Box<dyn Query>> {
        if min.is_none() && max.is_none() {
            return None;
        }
        let bound = |v: Option<i64>| v.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_i64(field, v)));
        Some(Box::new(RangeQuery::new(bound(min), bound(max))))
    };
    must.extend(i64_range(f.followers, q.min_followers, q.max_followers));
    must.extend(i64_range(f.avg_views, q.min_average_views, q.max_average_views));
    must.extend(i64_range(f.observed, q.observed_since.map(micros), None));

    let (min_e, max_e) = (q.min_engagement_pct.filter(|v| !v.is_nan()), q.max_engagement_pct.filter(|v| !v.is_nan()));
    if min_e.is_some() || max_e.is_some() {
        let bound =
            |v: Option<f64>| v.map_or(Bound::Unbounded, |v| Bound::Included(Term::from_field_f64(f.engagement, v)));
        must.push(Box::new(RangeQuery::new(bound(min_e), bound(max_e))));
    }

    for (field, filter) in
        [(f.aud_country, &q.audience_country), (f.aud_age, &q.audience_age), (f.aud_gender, &q.audience_gender)]
    {
        if let Some((key, pct)) = filter {
            must.push(audience_query(field, key, *pct));
        }
    }

    match q.owner {
        Some(OwnerFilter::Owner(id)) => must.push(bytes_term(f.owner, owner_bytes(Some(id)).as_bytes())),
        Some(OwnerFilter::Unowned) => must.push(bytes_term(f.owner, owner_bytes(None).as_bytes())),
        None => {}
    }
    if let Some(ids) = &q.ids {
        // No id is empty: an empty list matches no one.
        let terms: Vec<Term> = if ids.is_empty() {
            vec![Term::from_field_bytes(f.id, &[])]
        } else {
            ids.iter().map(|id| Term::from_field_bytes(f.id, id.as_bytes())).collect()
        };
        must.push(any_term(terms));
    }
    if let Some(has) = q.has_email {
        let t = || Bound::Included(Term::from_field_u64(f.has_email, u64::from(has)));
        must.push(Box::new(RangeQuery::new(t(), t())));
    }
    Ok((must, has_predicates))
}

/// The scope terms' values a query accepts (a document has exactly one): its workspace with the deleted flag
/// it asks for, and the do-not-contact flags it allows.
pub(crate) fn scope_keys(q: &SearchQuery) -> Vec<[u8; 18]> {
    let key = |dnc| scope_bytes(q.workspace_id, q.deleted, dnc);
    if q.only_do_not_contact {
        vec![key(true)]
    } else if q.include_do_not_contact {
        vec![key(false), key(true)]
    } else {
        vec![key(false)]
    }
}

/// The tenant scope of a query: documents with any of its terms (each the workspace with the deleted and
/// do-not-contact flags; a document has exactly one). In a segment where every document has one of them
/// — every segment, when the index holds one workspace and the query its usual scope — it matches the whole
/// segment, and says so with an [`AllScorer`]: tantivy's boolean query then leaves it out of the
/// intersection instead of walking a posting list as long as the segment beside every match. It never adds
/// to relevance.
#[derive(Clone, Debug)]
struct ScopeQuery {
    terms: Vec<Term>,
}

impl Query for ScopeQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let postings = any_term(self.terms.clone()).weight(EnableScoring::disabled_from_schema(scoring.schema()))?;
        Ok(Box::new(ScopeWeight { terms: self.terms.clone(), postings }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in &self.terms {
            visitor(t, false);
        }
    }
}

struct ScopeWeight {
    terms: Vec<Term>,
    /// The union of the terms' posting lists, for segments they do not cover.
    postings: Box<dyn Weight>,
}

impl Weight for ScopeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut listed = 0u64;
        for t in &self.terms {
            listed += u64::from(reader.inverted_index(t.field())?.doc_freq(t)?);
        }
        // Posting lists count deleted documents too, and no document has two scopes: as many entries as
        // documents means every document.
        if listed >= u64::from(reader.max_doc()) {
            return Ok(Box::new(AllScorer::new(reader.max_doc())));
        }
        Ok(Box::new(ConstScorer::new(self.postings.scorer(reader, boost)?, 0.0)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("in the query's scope", 0.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} is outside the query's scope")))
        }
    }
}

/// Documents with any of `terms`, as a lazy union of posting lists.
fn any_term(mut terms: Vec<Term>) -> Box<dyn Query> {
    if terms.len() == 1
        && let Some(t) = terms.pop()
    {
        return Box::new(TermQuery::new(t, IndexRecordOption::Basic));
    }
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|t| (Occur::Should, Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>))
            .collect(),
    ))
}

fn bytes_term(field: Field, bytes: &[u8]) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_bytes(field, bytes), IndexRecordOption::Basic))
}

/// Creators whose share for `key` is at least `pct` percent (both rounded to 0.01 %).
fn audience_query(field: Field, key: &str, pct: f64) -> Box<dyn Query> {
    if pct.is_nan() || (pct * 100.0).round() > MAX_SHARE_BP as f64 {
        return Box::new(EmptyQuery);
    }
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_u64(field, audience_code(key, share_bp(pct)))),
        Bound::Included(Term::from_field_u64(field, audience_code(key, MAX_SHARE_BP))),
    ))
}

/// "Has any of these values" checked on a keyword fast column, document by document, for candidates that
/// other clauses produce.
#[derive(Debug)]
struct KeywordPredicate {
    column: &'static str,
    values: Vec<String>,
}

impl DocPredicate for KeywordPredicate {
    type SegmentDocPredicate = SegmentKeywordPredicate;

    fn doc_predicate(
        &self,
        segment: &SegmentReader,
    ) -> tantivy::Result<ConstOrVariableSegmentPredicate<SegmentKeywordPredicate>> {
        let Some(column) = segment.fast_fields().str(self.column)? else {
            return Ok(ConstOrVariableSegmentPredicate::Const(false));
        };
        let mut allowed = vec![0u64; column.num_terms().div_ceil(64)];
        let mut any = false;
        for v in &self.values {
            if let Some(ord) = column.dictionary().term_ord(v.as_bytes())?
                && let Some(word) = allowed.get_mut((ord / 64) as usize)
            {
                *word |= 1 << (ord % 64);
                any = true;
            }
        }
        if !any {
            return Ok(ConstOrVariableSegmentPredicate::Const(false));
        }
        let (_, ords) = column.into_parts();
        Ok(ConstOrVariableSegmentPredicate::Variable {
            predicate: SegmentKeywordPredicate { ords, allowed },
            necessary_condition: Box::new(AllScorer::new(segment.max_doc())),
        })
    }
}

struct SegmentKeywordPredicate {
    ords: Column<u64>,
    /// Bit set over this segment's term ordinals: the wanted values.
    allowed: Vec<u64>,
}

impl SegmentDocPredicate for SegmentKeywordPredicate {
    fn eval(&mut self, doc: DocId) -> bool {
        self.ords
            .values_for_doc(doc)
            .any(|o| self.allowed.get((o / 64) as usize).is_some_and(|w| w & (1 << (o % 64)) != 0))
    }

    fn cost(&self) -> u64 {
        // Never the driver: scanning every document is what the predicate exists to avoid.
        2
    }
}
