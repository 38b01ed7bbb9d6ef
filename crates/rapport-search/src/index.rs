//! The index handle: opening (or wiping and recreating) the directory, the single long-lived writer behind a
//! mutex, commits that carry the checkpoint and reload the reader, and `search`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use std::collections::HashMap;
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{BooleanQuery, Query, TermSetQuery};
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError, Term};
use uuid::Uuid;

use crate::collector::{Order, PageCollector};
use crate::error::SearchError;
use crate::model::{CreatorDoc, FollowerPage, SearchQuery, SearchResult, SearchSort};
use crate::projection::{ProjectedQuery, Projections, Walk};
use crate::query;
use crate::schema::{Fields, SCHEMA_VERSION, TEXT_TOKENIZER, id_from_halves, names, scope_bytes, text_analyzer};

/// File in the index directory holding the [`SCHEMA_VERSION`] that wrote it.
const VERSION_FILE: &str = "rapport-search.version";
/// tantivy's index metadata file; its presence marks a directory as an index.
const META_FILE: &str = "meta.json";
/// The location an index in memory reports.
const IN_MEMORY: &str = "<memory>";
/// Commit payload prefix for the checkpoint.
const CHECKPOINT_PREFIX: &str = "checkpoint=";
/// Indexing memory per writer thread (tantivy's minimum is 15 MB).
const MEMORY_PER_THREAD: usize = 40_000_000;
/// At most this many threads search the segments of one query.
const MAX_SEARCH_THREADS: usize = 4;
/// `search` answers from the projections when the query's scope holds at least 1 / this of the index.
const PROJECTED_SCOPE_SHARE: u64 = 8;
/// At most this many indexing threads, so the budget stays under 100 MB on 2 cores and modest elsewhere.
const MAX_WRITER_THREADS: usize = 2;

/// The result of [`SearchIndex::open`].
#[derive(Debug)]
pub struct Opened {
    pub index: SearchIndex,
    /// The index is empty or was wiped: the caller must feed it every creator again.
    pub rebuild_needed: bool,
    /// Why a rebuild is needed, for the log.
    pub reason: Option<RebuildReason>,
}

/// Why [`SearchIndex::open`] asks for a rebuild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RebuildReason {
    /// There was no index in the directory.
    Created,
    /// The index could not be opened (corrupt or unreadable); it was wiped.
    Unreadable(String),
    /// The index was written with another schema version (`None`: no version file); it was wiped.
    SchemaVersion { found: Option<u32> },
}

/// A handle to the creator index; cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

/// Where an index stands in the change log it follows: every change up to `seq` is indexed
/// except those numbered in `gaps` (inclusive ranges) — numbers handed to transactions that had
/// not committed when the index passed them, or that rolled back — which the follower checks
/// again until they are indexed or known never to come.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogPosition {
    pub seq: i64,
    pub gaps: Vec<(i64, i64)>,
}

impl LogPosition {
    /// The commit payload: `checkpoint=123` or `checkpoint=123;gaps=100-104,110-110`.
    fn payload(&self) -> String {
        let mut out = format!("{CHECKPOINT_PREFIX}{}", self.seq);
        if !self.gaps.is_empty() {
            let gaps: Vec<String> = self.gaps.iter().map(|(lo, hi)| format!("{lo}-{hi}")).collect();
            out.push_str(&format!(";gaps={}", gaps.join(",")));
        }
        out
    }

    fn parse(payload: &str) -> Option<LogPosition> {
        let mut parts = payload.trim().split(';');
        let seq = parts.next()?.strip_prefix(CHECKPOINT_PREFIX)?.trim().parse().ok()?;
        let mut gaps = Vec::new();
        for part in parts {
            let list = part.strip_prefix("gaps=")?;
            for range in list.split(',').filter(|r| !r.is_empty()) {
                let (lo, hi) = range.rsplit_once('-').filter(|(lo, _)| !lo.is_empty())?;
                gaps.push((lo.parse().ok()?, hi.parse().ok()?));
            }
        }
        Some(LogPosition { seq, gaps })
    }
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The one writer; commits happen under this lock, so the checkpoint and reader reload are in step.
    writer: Mutex<IndexWriter>,
    checkpoint: RwLock<Option<LogPosition>>,
    /// Follower-ordered projections of the segments, for filter-only searches.
    projections: Projections,
    /// Where the index lives, for error messages.
    location: PathBuf,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("location", &self.inner.location).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates it. `rebuild_needed` is true when the directory held no index,
    /// when the index was unreadable or corrupt (it is then wiped and recreated), or when it was written by
    /// another [`SCHEMA_VERSION`]. A directory that is not an index is never wiped.
    pub fn open(dir: &Path) -> Result<Opened, SearchError> {
        fs::create_dir_all(dir).map_err(SearchError::io(dir))?;
        let (schema, fields) = Fields::build();
        let reason = if !dir.join(META_FILE).exists() {
            RebuildReason::Created
        } else {
            match read_version(dir) {
                Some(v) if v == SCHEMA_VERSION => match open_existing(dir, &schema, fields.clone()) {
                    Ok(index) => return Ok(Opened { index, rebuild_needed: false, reason: None }),
                    Err(e @ SearchError::Locked(_)) => return Err(e),
                    Err(e) => RebuildReason::Unreadable(e.to_string()),
                },
                found => RebuildReason::SchemaVersion { found },
            }
        };
        // Wipe only what is recognisably ours: a directory with an index or our version file in it.
        if reason != RebuildReason::Created || dir.join(VERSION_FILE).exists() {
            wipe(dir)?;
        }
        let index = Index::create_in_dir(dir, schema)?;
        fs::write(dir.join(VERSION_FILE), format!("{SCHEMA_VERSION}\n")).map_err(SearchError::io(dir))?;
        let index = SearchIndex::from_index(index, fields, None, dir.to_path_buf())?;
        Ok(Opened { index, rebuild_needed: true, reason: Some(reason) })
    }

    /// An empty index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::build();
        SearchIndex::from_index(Index::create_in_ram(schema), fields, None, PathBuf::from(IN_MEMORY))
    }

    fn from_index(
        mut index: Index,
        fields: Fields,
        checkpoint: Option<LogPosition>,
        location: PathBuf,
    ) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        if cores > 1 {
            // Segments are searched in parallel: a large query's latency drops with the cores it gets.
            index.set_multithread_executor(cores.min(MAX_SEARCH_THREADS))?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let threads = cores.clamp(1, MAX_WRITER_THREADS);
        let writer = match index.writer_with_num_threads(threads, threads * MEMORY_PER_THREAD) {
            Ok(w) => w,
            Err(TantivyError::LockFailure(..)) => return Err(SearchError::Locked(location)),
            Err(e) => return Err(e.into()),
        };
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                writer: Mutex::new(writer),
                checkpoint: RwLock::new(checkpoint),
                projections: Projections::default(),
                location,
            }),
        })
    }

    /// Adds or replaces documents (by id) and commits; they are searchable when this returns. Within one
    /// call a later document with the same id wins.
    pub fn upsert(&self, docs: &[CreatorDoc]) -> Result<(), SearchError> {
        self.apply(docs, &[], None)
    }

    /// Removes documents by id (unknown ids are ignored) and commits.
    pub fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError> {
        self.apply(&[], ids, None)
    }

    /// Applies one batch of changes in a single commit: `upserts` (as [`SearchIndex::upsert`]), then
    /// `deletes`, then the new checkpoint if given, so the content and the checkpoint never disagree.
    /// Does nothing when there is nothing to do.
    pub fn apply(&self, upserts: &[CreatorDoc], deletes: &[Uuid], checkpoint: Option<i64>) -> Result<(), SearchError> {
        let position = checkpoint.map(|seq| LogPosition { seq, gaps: self.gaps() });
        self.apply_at(upserts, deletes, position)
    }

    /// [`SearchIndex::apply`] with the whole new position in the change log, gaps included.
    pub fn apply_at(
        &self,
        upserts: &[CreatorDoc],
        deletes: &[Uuid],
        checkpoint: Option<LogPosition>,
    ) -> Result<(), SearchError> {
        if upserts.is_empty() && deletes.is_empty() && checkpoint.is_none() {
            return Ok(());
        }
        let fields = &self.inner.fields;
        let mut analyzer = text_analyzer();
        // Documents are built before taking the writer lock.
        let prepared: Vec<_> = upserts.iter().map(|d| (d.id, fields.document(d, &mut analyzer))).collect();
        self.write(checkpoint, |w| {
            for (id, doc) in prepared {
                w.delete_term(self.id_term(id));
                w.add_document(doc)?;
            }
            for id in deletes {
                w.delete_term(self.id_term(*id));
            }
            Ok(())
        })
    }

    /// Replaces the whole content with `docs` and commits once: searches see the old content until the
    /// new one is complete. The checkpoint is kept. Returns the number of documents indexed.
    pub fn rebuild(&self, docs: impl Iterator<Item = CreatorDoc>) -> Result<usize, SearchError> {
        let fields = &self.inner.fields;
        let mut analyzer = text_analyzer();
        let mut n = 0usize;
        self.write(None, |w| {
            w.delete_all_documents()?;
            for d in docs {
                w.add_document(fields.document(&d, &mut analyzer))?;
                n += 1;
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// The directory the index lives in (`None` in memory).
    pub fn location(&self) -> Option<&Path> {
        let dir = self.inner.location.as_path();
        (dir != Path::new(IN_MEMORY)).then_some(dir)
    }

    /// Whether the index's directory has lost its index (deleted while the index was open).
    pub fn is_missing(&self) -> bool {
        self.location().is_some_and(|dir| !dir.join(META_FILE).exists())
    }

    /// The stored checkpoint (e.g. the last change-log sequence indexed), if one was ever set.
    pub fn checkpoint(&self) -> Option<i64> {
        self.inner.checkpoint.read().unwrap_or_else(PoisonError::into_inner).as_ref().map(|p| p.seq)
    }

    /// The gaps below the checkpoint (see [`LogPosition`]).
    pub fn gaps(&self) -> Vec<(i64, i64)> {
        self.inner
            .checkpoint
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|p| p.gaps.clone())
            .unwrap_or_default()
    }

    /// Stores `seq` as the checkpoint, with no gaps (everything before it indexed), in a commit.
    pub fn set_checkpoint_and_commit(&self, seq: i64) -> Result<(), SearchError> {
        self.apply_at(&[], &[], Some(LogPosition { seq, gaps: vec![] }))
    }

    /// Number of documents in the index, all workspaces, live and deleted.
    pub fn doc_count(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// The fit scores the index holds for these creators of `workspace_id` (the ones `sort=fit`
    /// orders by), for a page that shows them beside its creators; an id the index has no
    /// score for, or of another workspace, is left out.
    pub fn fit_scores(&self, workspace_id: Uuid, ids: &[Uuid]) -> Result<HashMap<Uuid, u8>, SearchError> {
        let searcher = self.inner.reader.searcher();
        let fields = &self.inner.fields;
        let terms = ids.iter().map(|id| Term::from_field_bytes(fields.id, id.as_bytes()));
        // The workspace's documents, deleted or not, do-not-contact or not.
        let scopes = [(false, false), (false, true), (true, false), (true, true)]
            .map(|(deleted, dnc)| Term::from_field_bytes(fields.scope, &scope_bytes(workspace_id, deleted, dnc)));
        let query = BooleanQuery::intersection(vec![
            Box::new(TermSetQuery::new(terms)) as Box<dyn Query>,
            Box::new(TermSetQuery::new(scopes)),
        ]);
        let found = searcher.search(&query, &DocSetCollector)?;
        let mut out = HashMap::with_capacity(found.len());
        for (segment_ord, docs) in found.into_iter().fold(HashMap::<u32, Vec<u32>>::new(), |mut m, d| {
            m.entry(d.segment_ord).or_default().push(d.doc_id);
            m
        }) {
            let ff = searcher.segment_reader(segment_ord).fast_fields();
            let (hi, lo, fit) = (ff.u64(names::ID_HI)?, ff.u64(names::ID_LO)?, ff.u64(names::FIT)?);
            for doc in docs {
                if let (Some(hi), Some(lo), Some(fit)) = (hi.first(doc), lo.first(doc), fit.first(doc)) {
                    out.insert(id_from_halves(hi, lo), u8::try_from(fit).unwrap_or(u8::MAX));
                }
            }
        }
        Ok(out)
    }

    /// Runs `q` against the latest commit.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResult, SearchError> {
        let searcher = self.inner.reader.searcher();
        if let Some(projected) = ProjectedQuery::of(q)
            && self.scope_is_large(&searcher, q)
            && let Some(result) = self.projected(&searcher, q, &projected)
        {
            return Ok(result);
        }
        let plan = query::build(&self.inner.fields, &searcher, q)?;
        if q.limit == 0 && q.facets.is_empty() && !plan.has_predicates {
            let total = searcher.search(plan.query.as_ref(), &Count)?;
            return Ok(SearchResult { total, ..SearchResult::default() });
        }
        let keep = q.offset.saturating_add(q.limit);
        let collector = PageCollector {
            order: Order::new(q.sort, plan.has_text),
            keep,
            after: q.after,
            facets: q.facets,
            uncounted: q.uncounted,
        };
        let (fruit, score_basis) = if tantivy::collector::Collector::requires_scoring(&collector) {
            let scoring = crate::basis::Scoring::new(&searcher, q.score_basis.as_ref());
            let fruit = searcher.search_with_statistics_provider(plan.query.as_ref(), &collector, &scoring)?;
            (fruit, Some(scoring.used()))
        } else {
            (searcher.search(plan.query.as_ref(), &collector)?, None)
        };
        let (ids, marks) = page_of(fruit.top, q);
        Ok(SearchResult { ids, marks, total: fruit.total, facets: fruit.facets, score_basis })
    }

    /// The page of `q` — a search of filters only, sorted by followers — after `after` (the follower count and
    /// id of the previous page's last creator), from the follower-ordered projections: `q.offset + q.limit`
    /// ids from there, then `q.offset` skipped. Ties on the follower count are ordered by id in the sort's
    /// direction, as the database's (workspace, followers, id) index orders them, so pages from here and
    /// from there continue each other. Nothing is counted: each segment's walk stops as soon as it has the
    /// page. Microseconds once the projections are built; building one reads a whole segment's columns
    /// (about 100 ms for a million creators), which happens only with `build` — without it, the answer is
    /// [`FollowerPage::NotBuilt`], for a caller that must not block to ask again where it may.
    /// [`FollowerPage::Unanswerable`] when the projections cannot answer it (another filter or sort, a
    /// segment that cannot be projected) or the query's scope is a small part of the index.
    pub fn page_by_followers(&self, q: &SearchQuery, after: Option<(i64, Uuid)>, build: bool) -> FollowerPage {
        let searcher = self.inner.reader.searcher();
        if !self.scope_is_large(&searcher, q) {
            return FollowerPage::Unanswerable;
        }
        self.paged_by_followers(&searcher, q, after, build)
    }

    /// [`SearchIndex::page_by_followers`] whatever the size of the query's scope, building what it needs;
    /// `None` when the projections cannot answer it. For tests.
    #[doc(hidden)]
    pub fn page_by_followers_projected(&self, q: &SearchQuery, after: Option<(i64, Uuid)>) -> Option<Vec<Uuid>> {
        match self.paged_by_followers(&self.inner.reader.searcher(), q, after, true) {
            FollowerPage::Found(ids) => Some(ids),
            FollowerPage::NotBuilt | FollowerPage::Unanswerable => None,
        }
    }

    fn paged_by_followers(
        &self,
        searcher: &tantivy::Searcher,
        q: &SearchQuery,
        after: Option<(i64, Uuid)>,
        build: bool,
    ) -> FollowerPage {
        let SearchSort::Followers { desc } = q.sort else { return FollowerPage::Unanswerable };
        let Some(projected) = ProjectedQuery::of(q) else { return FollowerPage::Unanswerable };
        let walk = Walk {
            desc,
            after: after.map(|(followers, id)| (followers, id.as_u128())),
            keep: q.offset.saturating_add(q.limit),
        };
        match self.inner.projections.page_by_followers(searcher, self.inner.fields.scope, &projected, &walk, build) {
            FollowerPage::Found(ids) => FollowerPage::Found(ids.into_iter().skip(q.offset).collect()),
            other => other,
        }
    }

    /// `q` answered from the follower-ordered projections when it is a search of filters they hold (platforms,
    /// countries, followers, engagement; counted, or paged by followers, engagement or last update; see
    /// `projection`), whatever the size of its scope; `None` for any other query. `search` takes this path by
    /// itself when the scope is a large part of the index. For tests, which check both paths.
    #[doc(hidden)]
    pub fn search_projected(&self, q: &SearchQuery) -> Option<SearchResult> {
        self.projected(&self.inner.reader.searcher(), q, &ProjectedQuery::of(q)?)
    }

    /// Whether `q`'s scope holds at least 1 / [`PROJECTED_SCOPE_SHARE`] of the index. A projection's pass reads
    /// every document in the follower window, whatever its workspace; tantivy starts from the scope's own
    /// posting list, which is the shorter road for a small workspace in a shared index.
    fn scope_is_large(&self, searcher: &tantivy::Searcher, q: &SearchQuery) -> bool {
        let field = self.inner.fields.scope;
        let in_scope: u64 = query::scope_keys(q)
            .iter()
            .map(|key| searcher.doc_freq(&Term::from_field_bytes(field, key)).unwrap_or(0))
            .sum();
        in_scope.saturating_mul(PROJECTED_SCOPE_SHARE) >= searcher.num_docs()
    }

    fn projected(&self, searcher: &tantivy::Searcher, q: &SearchQuery, p: &ProjectedQuery) -> Option<SearchResult> {
        let found = self.inner.projections.search(searcher, self.inner.fields.scope, p)?;
        let (ids, marks) = page_of(found.top, q);
        Some(SearchResult {
            ids,
            marks,
            total: usize::try_from(found.total).unwrap_or(usize::MAX),
            ..SearchResult::default()
        })
    }

    fn id_term(&self, id: Uuid) -> Term {
        Term::from_field_bytes(self.inner.fields.id, id.as_bytes())
    }

    fn lock_writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A panic while holding the lock leaves at worst uncommitted operations, which the failed call's
        // rollback (or the next commit) settles; the writer itself stays usable.
        self.inner.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `ops` on the writer and commits with `checkpoint` (or the current one), or rolls back everything
    /// uncommitted if either fails, so a failed call leaves nothing behind for the next commit.
    fn write(
        &self,
        checkpoint: Option<LogPosition>,
        ops: impl FnOnce(&mut IndexWriter) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        // A writer whose directory has gone fails its commit, and then its rollback, which
        // leaves it unusable: nothing is tried until the index is replaced.
        if let Some(dir) = self.location().filter(|_| self.is_missing()) {
            return Err(SearchError::Missing(dir.to_path_buf()));
        }
        let mut w = self.lock_writer();
        let current = || self.inner.checkpoint.read().unwrap_or_else(PoisonError::into_inner).clone();
        let result = ops(&mut w).and_then(|()| self.commit(&mut w, checkpoint.or_else(current)));
        if result.is_err() {
            // The original error matters more than a failed rollback.
            let _ = w.rollback();
        }
        result
    }

    /// Commits with `checkpoint` in the payload (every commit rewrites it) and reloads the reader.
    fn commit(&self, w: &mut IndexWriter, checkpoint: Option<LogPosition>) -> Result<(), SearchError> {
        let mut prepared = w.prepare_commit()?;
        if let Some(position) = &checkpoint {
            prepared.set_payload(&position.payload());
        }
        prepared.commit()?;
        *self.inner.checkpoint.write().unwrap_or_else(PoisonError::into_inner) = checkpoint;
        self.inner.reader.reload()?;
        Ok(())
    }

    /// The underlying tantivy index (space usage, diagnostics).
    pub fn tantivy_index(&self) -> &Index {
        &self.inner.index
    }
}

/// Opens an index directory written with the current schema version, checking it thoroughly enough that
/// a damaged one is caught here rather than at the first search.
fn open_existing(dir: &Path, schema: &Schema, fields: Fields) -> Result<SearchIndex, SearchError> {
    let index = Index::open_in_dir(dir)?;
    if index.schema() != *schema {
        return Err(TantivyError::SchemaError("index schema differs from this version's".into()).into());
    }
    let damaged = index.validate_checksum()?;
    if !damaged.is_empty() {
        return Err(TantivyError::InternalError(format!("damaged index files: {damaged:?}")).into());
    }
    let checkpoint = index.load_metas()?.payload.as_deref().and_then(LogPosition::parse);
    SearchIndex::from_index(index, fields, checkpoint, dir.to_path_buf())
}

fn read_version(dir: &Path) -> Option<u32> {
    fs::read_to_string(dir.join(VERSION_FILE)).ok()?.trim().parse().ok()
}

/// Removes everything inside an index directory (the directory itself may be a mount point).
fn wipe(dir: &Path) -> Result<(), SearchError> {
    for entry in fs::read_dir(dir).map_err(SearchError::io(dir))? {
        let path = entry.map_err(SearchError::io(dir))?.path();
        let removed = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        removed.map_err(SearchError::io(&path))?;
    }
    Ok(())
}

/// The page `q` asks for out of the best matches in order: its ids and their marks.
fn page_of(top: Vec<(u128, u128)>, q: &SearchQuery) -> (Vec<Uuid>, Vec<crate::Mark>) {
    top.into_iter().skip(q.offset).take(q.limit).map(|entry| (Uuid::from_u128(entry.1), entry)).unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_shared_between_threads() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<SearchIndex>();
    }

    #[test]
    fn checkpoint_payload_round_trips() {
        let seq = |p: &str| LogPosition::parse(p).map(|p| p.seq);
        assert_eq!(seq(&format!("{CHECKPOINT_PREFIX}-5")), Some(-5));
        assert_eq!(seq("something else"), None);
        for p in [
            LogPosition { seq: 123, gaps: vec![] },
            LogPosition { seq: 9000, gaps: vec![(100, 104), (110, 110), (8001, 8999)] },
        ] {
            assert_eq!(LogPosition::parse(&p.payload()), Some(p));
        }
        assert_eq!(LogPosition::parse("checkpoint=5;gaps=x-1"), None);
    }
}
