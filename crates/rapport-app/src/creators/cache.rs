//! Creators as last read from the database (each row with its contact points, tags and
//! accounts), kept in memory between requests for the listings the search index answers.
//! Building a page's twenty creators is most of a listing's work — the database writing
//! their JSON, the server parsing it — and a team's searches keep showing the same
//! creators; a creator found here costs a copy instead.
//!
//! The search index owns the cache and keeps it honest: a creator leaves it when the index
//! applies a change of that creator, before the index's checkpoint moves past the change
//! ([`crate::search`]). So a request that finds the index caught up with the change log as
//! it read it — the only requests that read through the cache — finds every creator here as
//! the database held it then or later, on every process of a deployment.
//!
//! A read races the changes it does not see: a request may read a creator just before a
//! change of it commits and store it just after the index has let the change go. Each
//! eviction therefore moves a generation on, and a read stores what it loaded only when no
//! eviction happened since it began. A creator keeps the view last shown of it with what
//! the view was built under — stage label, tier, owner's name, ages — and a listing builds
//! the view anew when any of that has changed ([`super::listed`]), so settings and the clock
//! never go stale here.

use rapport_store::creators::{CreatorRow, Relations};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use uuid::Uuid;

/// A creator row with its relations, as a listing loads it, and the view last shown of it
/// ([`super::listed`]).
pub struct Loaded {
    pub row: CreatorRow,
    pub relations: Relations,
    pub(super) shown: Mutex<Option<super::listed::Listed>>,
}

impl Loaded {
    pub fn new(row: CreatorRow, relations: Relations) -> Loaded {
        Loaded { row, relations, shown: Mutex::default() }
    }

    /// Rows with their relations as the database gives them, each ready to share.
    pub fn shared(loaded: Vec<(CreatorRow, Relations)>) -> Vec<Arc<Loaded>> {
        loaded.into_iter().map(|(row, relations)| Arc::new(Loaded::new(row, relations))).collect()
    }
}

/// How many creators each of the two generations of entries holds. A creator's row and
/// relations take under 2 KiB (the benchmark's creators, bench/RESULTS.md); the view last
/// shown of it as much again, and its JSON about 1.3 KiB — some 100 MiB for a full cache.
const GENERATION_SIZE: usize = 10_000;

/// The cache. Entries live in a young and an old map: a hit in the old map moves the entry
/// to the young one, and when the young one is full it becomes the old one (whose entries
/// not used since are dropped) — least-recently-used, roughly, at the cost of two lookups.
#[derive(Default)]
pub struct CreatorCache {
    inner: Mutex<Inner>,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    /// Moves on with every eviction (see the module's doc).
    generation: u64,
    young: HashMap<Uuid, Entry>,
    old: HashMap<Uuid, Entry>,
}

#[derive(Clone)]
struct Entry {
    workspace: Uuid,
    loaded: Arc<Loaded>,
}

/// What a read begins with: where the cache stood, to store what it loads only if no
/// eviction has happened since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadStart(u64);

impl std::fmt::Debug for CreatorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("CreatorCache").field("creators", &(inner.young.len() + inner.old.len())).finish()
    }
}

impl CreatorCache {
    /// A cache of about `2 × capacity` creators at most.
    pub fn with_capacity(capacity: usize) -> CreatorCache {
        CreatorCache { inner: Mutex::default(), capacity: capacity.max(1) }
    }

    /// The cache at its standard size.
    pub fn standard() -> CreatorCache {
        CreatorCache::with_capacity(GENERATION_SIZE)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Looks up `ids` of the workspace: the ones found, in the order of `ids`, each in
    /// its slot (`None` for one not held), and where the cache stood before the caller
    /// reads the rest.
    pub fn get(&self, workspace: Uuid, ids: &[Uuid]) -> (Vec<Option<Arc<Loaded>>>, ReadStart) {
        let mut inner = self.lock();
        let mut retired = Vec::new();
        let start = ReadStart(inner.generation);
        let found = ids
            .iter()
            .map(|id| {
                if let Some(e) = inner.young.get(id) {
                    return (e.workspace == workspace).then(|| e.loaded.clone());
                }
                let e = inner.old.remove(id)?;
                let hit = (e.workspace == workspace).then(|| e.loaded.clone());
                retired.extend(inner.promote(*id, e, self.capacity));
                hit
            })
            .collect();
        drop(inner);
        retire(retired);
        (found, start)
    }

    /// Keeps creators the caller loaded after `start` — unless a creator has been evicted
    /// since, which a change the load may have missed could have caused.
    pub fn put(&self, start: ReadStart, workspace: Uuid, loaded: &[Arc<Loaded>]) {
        let mut inner = self.lock();
        if inner.generation != start.0 {
            return;
        }
        let mut retired = Vec::new();
        for l in loaded {
            let entry = Entry { workspace, loaded: l.clone() };
            retired.extend(inner.promote(l.row.id, entry, self.capacity));
        }
        drop(inner);
        retire(retired);
    }

    /// Lets these creators go: they have changed.
    pub fn evict(&self, ids: impl IntoIterator<Item = Uuid>) {
        let mut ids = ids.into_iter().peekable();
        if ids.peek().is_none() {
            return;
        }
        let mut inner = self.lock();
        inner.generation += 1;
        for id in ids {
            inner.young.remove(&id);
            inner.old.remove(&id);
        }
    }

    /// Lets every creator go (the index is rebuilt from the database).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        let retired = vec![std::mem::take(&mut inner.young), std::mem::take(&mut inner.old)];
        drop(inner);
        retire(retired);
    }

    /// How many creators are held.
    pub fn len(&self) -> usize {
        let inner = self.lock();
        inner.young.len() + inner.old.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    /// Puts `entry` in the young map; when that is full, it becomes the old map, and the old
    /// map's entries are returned, to be dropped once the lock is released.
    #[must_use]
    fn promote(&mut self, id: Uuid, entry: Entry, capacity: usize) -> Option<HashMap<Uuid, Entry>> {
        let mut retired = None;
        if self.young.len() >= capacity && !self.young.contains_key(&id) {
            retired = Some(std::mem::replace(&mut self.old, std::mem::take(&mut self.young)));
            self.old.remove(&id);
        }
        self.young.insert(id, entry);
        retired
    }
}

/// Drops a generation of entries off the request's path: freeing thousands of creators takes
/// milliseconds, which a request (and, under the lock, every other) would otherwise wait for.
fn retire(retired: Vec<HashMap<Uuid, Entry>>) {
    if retired.iter().all(HashMap::is_empty) {
        return;
    }
    let dropping = std::thread::Builder::new().name("creator-cache-drop".into()).spawn(move || drop(retired));
    if let Err(e) = dropping {
        tracing::warn!(error = %e, "could not start a thread to free old cache entries");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn creator(id: Uuid, name: &str) -> Arc<Loaded> {
        let t = OffsetDateTime::UNIX_EPOCH;
        let row = CreatorRow {
            id,
            workspace_id: Uuid::nil(),
            display_name: name.into(),
            legal_name: None,
            pronouns: None,
            country: None,
            city: None,
            languages: "[]".into(),
            timezone: None,
            bio: None,
            niches: "[]".into(),
            tone_notes: None,
            owner_id: None,
            stage: "prospect".into(),
            do_not_contact: false,
            source: None,
            custom_fields: "{}".into(),
            touch_every_days: None,
            max_followers: 0,
            sort_name: name.to_lowercase(),
            created_by: "test".into(),
            created_at: t,
            updated_at: t,
            deleted_at: None,
            stage_entered_at: None,
        };
        Arc::new(Loaded::new(row, Relations::default()))
    }

    fn names(found: &[Option<Arc<Loaded>>]) -> Vec<Option<String>> {
        found.iter().map(|f| f.as_ref().map(|l| l.row.display_name.clone())).collect()
    }

    #[test]
    fn a_creator_put_after_a_read_is_found_by_the_next_read() {
        let cache = CreatorCache::with_capacity(10);
        let (ws, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (found, start) = cache.get(ws, &[a, b]);
        assert_eq!(names(&found), vec![None, None]);
        cache.put(start, ws, &[creator(a, "Ada")]);
        assert_eq!(names(&cache.get(ws, &[b, a]).0), vec![None, Some("Ada".into())]);
    }

    #[test]
    fn another_workspace_never_finds_a_creator() {
        let cache = CreatorCache::with_capacity(10);
        let (ws, other, a) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (_, start) = cache.get(ws, &[a]);
        cache.put(start, ws, &[creator(a, "Ada")]);
        assert_eq!(names(&cache.get(other, &[a]).0), vec![None]);
    }

    #[test]
    fn an_evicted_creator_is_read_again() {
        let cache = CreatorCache::with_capacity(10);
        let (ws, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (_, start) = cache.get(ws, &[a, b]);
        cache.put(start, ws, &[creator(a, "Ada"), creator(b, "Bo")]);
        cache.evict([a]);
        assert_eq!(names(&cache.get(ws, &[a, b]).0), vec![None, Some("Bo".into())]);
    }

    #[test]
    fn a_load_that_began_before_an_eviction_is_not_kept() {
        let cache = CreatorCache::with_capacity(10);
        let (ws, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (_, start) = cache.get(ws, &[a]);
        // A change of `a` commits and the index lets `a` go while the load is under way
        // (even an eviction of another creator stops it: the cache cannot tell which).
        cache.evict([b]);
        cache.put(start, ws, &[creator(a, "Ada before the change")]);
        assert!(cache.is_empty());
        cache.clear();
        let (_, start) = cache.get(ws, &[a]);
        cache.clear();
        cache.put(start, ws, &[creator(a, "Ada before the rebuild")]);
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_keeps_the_recently_used_within_two_generations() {
        let cache = CreatorCache::with_capacity(2);
        let ws = Uuid::now_v7();
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        for (i, id) in ids.iter().enumerate() {
            let (_, start) = cache.get(ws, &[*id]);
            cache.put(start, ws, &[creator(*id, &format!("c{i}"))]);
            // The first creator is used all along.
            assert!(cache.get(ws, &[ids[0]]).0[0].is_some(), "creator 0 after {i}");
        }
        assert!(cache.len() <= 4, "{} held", cache.len());
        assert!(cache.get(ws, &[ids[1]]).0[0].is_none(), "an unused old creator has gone");
    }
}
