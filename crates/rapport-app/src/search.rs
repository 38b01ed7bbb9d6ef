//! Keeping the search index in step with the database. The database is the source of
//! truth and the index is disposable: every creator write appends to the change log in
//! its transaction; each server process tails the log into its own index (within a
//! quarter second, and at once after its own writes), and rebuilds the index from the
//! database when it is missing, corrupt, of an older schema, or too far behind.

use crate::App;
use crate::context::Ctx;
use crate::creators::CreatorView;
use crate::creators::cache::CreatorCache;
use crate::error::{AppError, AppResult};
use crate::settings::WorkspaceSettings;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::WorkspaceId;
use rapport_core::platform::Platform;
use rapport_core::quality::{self, EngagementBand};
use rapport_search::{CreatorDoc, FollowerPage, LogPosition, SearchIndex, SearchQuery};
use rapport_store::{Conn, changes, creators as store, workspaces};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How often the change log is polled for other processes' writes.
pub const POLL_EVERY: Duration = Duration::from_millis(250);
/// Change-log rows older than this are pruned; an index further behind rebuilds.
pub const KEEP_CHANGES: time::Duration = time::Duration::days(7);
/// Workspace engagement medians are recomputed after this long.
const BANDS_TTL: Duration = Duration::from_secs(600);
const BATCH: i64 = 2000;

/// The index and its state, shared by the request handlers and the background task.
pub struct Search {
    /// Replaced by a fresh one when its directory disappears under the running server.
    index: std::sync::RwLock<SearchIndex>,
    ready: AtomicBool,
    sync: tokio::sync::Mutex<()>,
    bands: std::sync::Mutex<HashMap<Uuid, (Instant, Arc<Bands>)>>,
    /// Creators as last read, for the listings this index answers; a creator leaves it
    /// when the index applies a change of it.
    pub creators: CreatorCache,
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search").field("index", &self.index()).field("ready", &self.is_ready()).finish()
    }
}

/// Bands already computed, by platform and follower range.
type BandMemo = std::sync::Mutex<HashMap<(Platform, i64, Option<i64>), EngagementBand>>;

/// Engagement rates of a workspace's accounts by platform, for per-tier medians. Each
/// band is computed once per platform and follower range, not once per document.
pub struct Bands {
    samples: HashMap<String, Vec<(i64, f64)>>,
    computed: BandMemo,
}

impl Bands {
    /// The band of an account like this one, as the creator page computes it.
    pub fn band_for(
        &self,
        settings: &WorkspaceSettings,
        platform: &str,
        followers: Option<i64>,
    ) -> Option<EngagementBand> {
        let (Ok(p), Some(tier)) = (Platform::parse(platform), followers.and_then(|f| settings.tiers.tier_of(f))) else {
            return None;
        };
        let (lo, hi) = settings.tiers.range(tier);
        let key = (p, lo, hi);
        if let Some(b) = self.computed.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Some(b);
        }
        let rates: Vec<f64> = self
            .samples
            .get(p.slug())
            .map(|s| s.iter().filter(|(fo, _)| *fo >= lo && hi.is_none_or(|h| *fo < h)).map(|(_, r)| *r).collect())
            .unwrap_or_default();
        let band = quality::band(&rates, p, tier);
        if let Ok(mut m) = self.computed.lock() {
            m.insert(key, band.clone());
        }
        Some(band)
    }
}

impl Search {
    /// Opens (or creates) the index in `dir`, or in memory. Returns whether it must be
    /// rebuilt from the database before it can answer.
    pub fn open(dir: Option<&Path>) -> AppResult<(Arc<Search>, bool)> {
        let (index, rebuild) = match dir {
            Some(d) => {
                let opened = SearchIndex::open(d).map_err(internal)?;
                if let Some(reason) = &opened.reason {
                    tracing::info!(?reason, "the search index will be rebuilt");
                }
                (opened.index, opened.rebuild_needed)
            }
            None => (SearchIndex::in_memory().map_err(internal)?, true),
        };
        let s = Search {
            index: std::sync::RwLock::new(index),
            ready: AtomicBool::new(!rebuild),
            sync: tokio::sync::Mutex::new(()),
            bands: std::sync::Mutex::new(HashMap::new()),
            creators: CreatorCache::standard(),
        };
        Ok((Arc::new(s), rebuild))
    }

    /// The index (a cheap handle on it).
    pub fn index(&self) -> SearchIndex {
        self.index.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// When the index's directory has gone from under the running server (deleted by hand),
    /// opens a fresh one in its place, to be rebuilt from the database: the old one can no
    /// longer commit. Returns whether it did.
    pub fn replace_if_missing(&self) -> AppResult<bool> {
        let current = self.index();
        let Some(dir) = current.location().filter(|_| current.is_missing()) else { return Ok(false) };
        tracing::warn!("the search index directory has gone; rebuilding it");
        let opened = SearchIndex::open(dir).map_err(internal)?;
        self.ready.store(false, Ordering::Release);
        *self.index.write().unwrap_or_else(std::sync::PoisonError::into_inner) = opened.index;
        Ok(true)
    }

    /// Whether the index is complete enough to answer queries.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Waits up to `limit` for a rebuild to finish; false if it has not.
    pub async fn wait_ready(&self, limit: Duration) -> bool {
        let start = Instant::now();
        while !self.is_ready() {
            if start.elapsed() > limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("search index: {e}"))
}

fn system_ctx(ws: Uuid) -> Ctx {
    Ctx::system(WorkspaceId(ws), Actor::System, "search index")
}

async fn bands(search: &Search, c: &mut Conn<'_>, ws: Uuid) -> AppResult<Arc<Bands>> {
    if let Some((at, b)) = search.bands.lock().map_err(internal)?.get(&ws)
        && at.elapsed() < BANDS_TTL
    {
        return Ok(b.clone());
    }
    let mut samples: HashMap<String, Vec<(i64, f64)>> = HashMap::new();
    for (platform, followers, rate) in rapport_store::accounts::engagement_samples(c, ws).await? {
        samples.entry(platform).or_default().push((followers, rate));
    }
    let b = Arc::new(Bands { samples, computed: Default::default() });
    search.bands.lock().map_err(internal)?.insert(ws, (Instant::now(), b.clone()));
    Ok(b)
}

/// The index's fit scores of these creators of the caller's workspace — what a listing
/// sorted by fit orders them by — for a page that shows them beside the creators, once
/// the index has applied every change committed so far; `None` when this process keeps
/// no index or it is not ready.
pub async fn fit_scores(app: &App, ctx: &Ctx, ids: Vec<Uuid>) -> AppResult<Option<HashMap<Uuid, u8>>> {
    if !app.search.as_ref().is_some_and(|s| s.is_ready()) {
        return Ok(None);
    }
    let latest = changes::latest(&mut app.db.read().await?.conn()).await?;
    fit_scores_at(app, ctx, ids, latest).await
}

/// [`fit_scores`] once the index has applied every change up to `latest_change`; a
/// creator written since may be missing.
pub async fn fit_scores_at(
    app: &App,
    ctx: &Ctx,
    ids: Vec<Uuid>,
    latest_change: i64,
) -> AppResult<Option<HashMap<Uuid, u8>>> {
    if !app.search.as_ref().is_some_and(|s| s.is_ready()) {
        return Ok(None);
    }
    let search = catch_up(app, latest_change).await?;
    let ws = ctx.ws();
    let found = tokio::task::spawn_blocking(move || search.index().fit_scores(ws, &ids)).await.map_err(internal)?;
    found.map(Some).map_err(internal)
}

/// The index document of a creator.
pub fn doc_of(settings: &WorkspaceSettings, bands: &Bands, v: &CreatorView) -> CreatorDoc {
    let main = v.social_accounts.first();
    let audience = crate::accounts::audience_account(&v.social_accounts);
    let band = main.and_then(|a| bands.band_for(settings, &a.platform, a.followers));
    let fit = crate::insights::fit_for(settings, v, band.as_ref(), now());
    let pairs = |m: &std::collections::BTreeMap<String, f64>| m.iter().map(|(k, v)| (k.clone(), *v)).collect();
    CreatorDoc {
        id: v.id.0,
        workspace_id: Uuid::nil(),
        display_name: v.display_name.clone(),
        sort_name: rapport_core::creators::sort_name(&v.display_name),
        legal_name: v.legal_name.clone(),
        handles: v.social_accounts.iter().map(|a| a.handle.clone()).collect(),
        emails: v.contact_points.iter().filter(|c| c.kind == "email").map(|c| c.value.clone()).collect(),
        bio: v.bio.clone(),
        tone_notes: v.tone_notes.clone(),
        niches: v.niches.clone(),
        tags: v.tags.clone(),
        country: v.country.clone(),
        city: v.city.clone(),
        languages: v.languages.clone(),
        platforms: v.social_accounts.iter().map(|a| a.platform.clone()).collect(),
        stage: v.stage.clone(),
        owner_id: v.owner_id.map(|o| o.0),
        has_email: v.primary_email.is_some(),
        do_not_contact: v.do_not_contact,
        deleted: v.deleted_at.is_some(),
        max_followers: v.max_followers,
        max_average_views: v.social_accounts.iter().filter_map(|a| a.average_views).max().unwrap_or(0),
        engagement_rate_pct: main.and_then(|a| a.engagement_rate_pct),
        fit_score: Some(fit.score),
        audience_countries: audience.map(|a| pairs(&a.audience.countries)).unwrap_or_default(),
        audience_ages: audience.map(|a| pairs(&a.audience.age_bands)).unwrap_or_default(),
        audience_genders: audience.map(|a| pairs(&a.audience.genders)).unwrap_or_default(),
        data_observed_at: crate::accounts::data_observed_at(&v.social_accounts),
        updated_at: v.updated_at,
    }
}

/// Documents for creators of one workspace; ids that no longer exist come back in the
/// second list.
async fn docs_for(
    search: &Search,
    c: &mut Conn<'_>,
    ws: Uuid,
    ids: &[Uuid],
) -> AppResult<(Vec<CreatorDoc>, Vec<Uuid>)> {
    let ctx = system_ctx(ws);
    let loaded = store::get_many_with_relations(c, ws, ids).await?;
    let found: std::collections::HashSet<Uuid> = loaded.iter().map(|(r, _)| r.id).collect();
    let gone = ids.iter().copied().filter(|id| !found.contains(id)).collect();
    let settings = crate::settings::load(c, &ctx).await?;
    let views = crate::creators::views_of_loaded(c, &ctx, &settings, loaded).await?;
    let bands = bands(search, c, ws).await?;
    let docs = views
        .iter()
        .map(|v| {
            let mut d = doc_of(&settings, &bands, v);
            d.workspace_id = ws;
            d
        })
        .collect();
    Ok((docs, gone))
}

/// Rebuilds the whole index from the database, streaming documents into one commit.
pub async fn rebuild(app: &App) -> AppResult<usize> {
    let Some(search) = app.search.clone() else { return Ok(0) };
    let _guard = search.sync.lock().await;
    let started = Instant::now();
    // The changes the rebuild reads past are never applied one by one.
    search.creators.clear();
    let mut r = app.db.read().await?;
    let upto = changes::latest(&mut r.conn()).await?;
    let gaps = held_below(&mut r.conn(), upto).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<CreatorDoc>>(4);
    let index = search.index().clone();
    let writer =
        tokio::task::spawn_blocking(move || index.rebuild(std::iter::from_fn(move || rx.blocking_recv()).flatten()));
    for ws in workspaces::all_ids(&mut r.conn()).await? {
        search.bands.lock().map_err(internal)?.remove(&ws);
        let mut after = None;
        loop {
            let ids = store::ids_after(&mut r.conn(), ws, after, BATCH).await?;
            let Some(last) = ids.last().copied() else { break };
            let (docs, _) = docs_for(&search, &mut r.conn(), ws, &ids).await?;
            tx.send(docs).await.map_err(internal)?;
            after = Some(last);
        }
    }
    drop(tx);
    let n = writer.await.map_err(internal)?.map_err(internal)?;
    let position = LogPosition { seq: upto, gaps };
    search.index().apply_at(&[], &[], Some(position)).map_err(internal)?;
    search.ready.store(true, Ordering::Release);
    tracing::info!(creators = n, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
    Ok(n)
}

/// How far below the newest number a rebuild looks for numbers still held by open transactions.
const HELD_WINDOW: i64 = 5 * BATCH;

/// The numbers below `upto` that open transactions may still hold (PostgreSQL hands a number
/// out at the insert, not the commit): a rebuild that starts while one is open reads its
/// creator as it was, and its change, committed later below the rebuild's checkpoint, would
/// never be read. They become the rebuilt index's gaps, which every pass looks for again.
/// Checked after `upto` is read: a transaction that commits in between is read by the
/// rebuild itself.
async fn held_below(c: &mut Conn<'_>, upto: i64) -> AppResult<Vec<(i64, i64)>> {
    if upto == 0 || !changes::writers_in_flight(c).await? {
        return Ok(vec![]);
    }
    let oldest = changes::oldest(c).await?.unwrap_or(upto);
    let after = (upto - HELD_WINDOW).max(oldest - 1);
    let seqs: Vec<i64> = changes::since(c, after, HELD_WINDOW).await?.iter().map(|row| row.seq).collect();
    Ok(capped(missing(after, seqs.into_iter().take_while(|seq| *seq <= upto))))
}

/// Applies the change log to the index since its checkpoint. Returns how many creators
/// were re-indexed.
///
/// The checkpoint advances over every change read, whatever its number. A number missing
/// below it belongs to a transaction still open when its neighbours were read (PostgreSQL
/// hands numbers out at the insert, not the commit) or to one that rolled back (a number is
/// never given back); the index keeps such gaps with the checkpoint and looks for them again
/// on every pass, until their changes are indexed or no writer is left that could commit them.
pub async fn sync(app: &App) -> AppResult<usize> {
    sync_for(app, None).await
}

/// How long a write request spends indexing before it answers: a workspace-wide change (a
/// new brand profile re-scores every creator) is thousands of documents, which the
/// background task indexes instead of the request that made it. An ordinary write is one
/// batch, well within it.
const WRITE_SYNC_BUDGET: Duration = Duration::from_secs(1);

/// [`sync`], a batch at a time, each under the lock (so that others' passes interleave with a
/// long one); with a `budget`, it stops after the batch that exceeds it, leaving the rest to
/// the background task.
async fn sync_for(app: &App, budget: Option<Duration>) -> AppResult<usize> {
    let Some(search) = app.search.clone() else { return Ok(0) };
    let started = Instant::now();
    let mut done = 0;
    loop {
        if !search.is_ready() {
            return Ok(done);
        }
        let guard = search.sync.lock().await;
        let step = sync_batch(app, &search).await?;
        drop(guard);
        match step {
            Step::Indexed { documents, more } => {
                done += documents;
                if !more || budget.is_some_and(|b| started.elapsed() >= b) {
                    return Ok(done);
                }
            }
            Step::Rebuild => return rebuild(app).await,
        }
    }
}

/// What one pass over the change log did.
enum Step {
    Indexed {
        documents: usize,
        more: bool,
    },
    /// The index cannot follow the log from where it stands.
    Rebuild,
}

/// One batch of the change log (and the gaps kept so far) into the index.
async fn sync_batch(app: &App, search: &Search) -> AppResult<Step> {
    let mut r = app.db.read().await?;
    let mut done = settle_gaps(search, &mut r.conn()).await?;
    let checkpoint = search.index().checkpoint().unwrap_or(0);
    if let Some(oldest) = changes::oldest(&mut r.conn()).await?
        && checkpoint + 1 < oldest
        && checkpoint > 0
    {
        tracing::warn!(checkpoint, oldest, "the search index fell behind the change log; rebuilding");
        return Ok(Step::Rebuild);
    }
    let rows = changes::since(&mut r.conn(), checkpoint, BATCH).await?;
    let Some(upto) = rows.last().map(|row| row.seq) else {
        // Nothing new — or the database was restored from a backup older than the index,
        // whose new changes take numbers the index has passed: rebuild from it.
        if checkpoint > 0 && changes::high_water(&mut r.conn()).await? < checkpoint {
            tracing::warn!(
                checkpoint,
                "the search index is ahead of the database (restored from a backup?); rebuilding"
            );
            return Ok(Step::Rebuild);
        }
        return Ok(Step::Indexed { documents: done, more: false });
    };
    let mut gaps = search.index().gaps();
    gaps.extend(missing(checkpoint, rows.iter().map(|row| row.seq)));
    done += index_changes(search, &mut r.conn(), &rows, LogPosition { seq: upto, gaps: capped(gaps) }).await?;
    Ok(Step::Indexed { documents: done, more: rows.len() as i64 == BATCH })
}

/// The most gaps an index keeps (the oldest go first): rolled-back transactions on a database
/// that always has a writer open would otherwise pile up.
const MAX_GAPS: usize = 1000;

fn capped(mut gaps: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    if gaps.len() > MAX_GAPS {
        tracing::warn!(gaps = gaps.len(), "too many open gaps in the change log; forgetting the oldest");
        gaps.drain(..gaps.len() - MAX_GAPS);
    }
    gaps
}

/// The ranges of numbers after `checkpoint` that `seqs` (ascending) skips.
fn missing(checkpoint: i64, seqs: impl Iterator<Item = i64>) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut next = checkpoint + 1;
    for seq in seqs {
        if seq > next {
            out.push((next, seq - 1));
        }
        next = next.max(seq + 1);
    }
    out
}

/// Indexes the changes of the gaps the index keeps that have committed since, and forgets
/// the gaps no transaction can fill any more: the check for open writers comes first, so a
/// gap whose transaction was not open then has either committed — and is read just after —
/// or rolled back.
async fn settle_gaps(search: &Search, c: &mut Conn<'_>) -> AppResult<usize> {
    let gaps = search.index().gaps();
    if gaps.is_empty() {
        return Ok(0);
    }
    let open = changes::writers_in_flight(c).await?;
    let filled = changes::in_ranges(c, &gaps).await?;
    if filled.is_empty() && open {
        return Ok(0);
    }
    let remaining = if open {
        let mut left = Vec::new();
        for (lo, hi) in gaps {
            let inside: Vec<i64> = filled.iter().map(|row| row.seq).filter(|s| (lo..=hi).contains(s)).collect();
            left.extend(missing(lo - 1, inside.into_iter().chain([hi + 1])));
        }
        left
    } else {
        vec![]
    };
    let seq = search.index().checkpoint().unwrap_or(0);
    index_changes(search, c, &filled, LogPosition { seq, gaps: remaining }).await
}

/// Re-indexes the creators of `rows` (deleting the ones gone) and commits them with `position`.
async fn index_changes(
    search: &Search,
    c: &mut Conn<'_>,
    rows: &[changes::Change],
    position: LogPosition,
) -> AppResult<usize> {
    let mut by_ws: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in rows {
        let ids = by_ws.entry(row.workspace_id).or_default();
        if !ids.contains(&row.creator_id) {
            ids.push(row.creator_id);
        }
    }
    // Before the checkpoint moves past these changes: a request that finds the index caught
    // up must not find their creators as they were.
    search.creators.evict(by_ws.values().flatten().copied());
    let (mut upserts, mut deletes) = (Vec::new(), Vec::new());
    for (ws, ids) in by_ws {
        let (docs, gone) = docs_for(search, c, ws, &ids).await?;
        upserts.extend(docs);
        deletes.extend(gone);
    }
    let done = upserts.len();
    // The documents and the new position land in one commit.
    let index = search.index().clone();
    tokio::task::spawn_blocking(move || index.apply_at(&upserts, &deletes, Some(position)))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok(done)
}

/// Called after a write: this process's own changes are searchable when the response is
/// sent — unless a workspace-wide change has put more before them than a request's budget
/// indexes, which the background task then works through. A failure is logged; the
/// background task catches up.
pub async fn after_write(app: &App) {
    if let Err(e) = sync_for(app, Some(WRITE_SYNC_BUDGET)).await {
        tracing::error!(error = %e, "search index sync after a write failed");
    }
}

/// The background task: rebuilds when needed, then follows the change log and prunes it.
pub async fn run(app: App) {
    let mut last_prune = Instant::now() - Duration::from_secs(3600);
    loop {
        if let Some(search) = &app.search
            && let Err(e) = search.replace_if_missing()
        {
            tracing::error!(error = %e, "replacing the missing search index failed");
        }
        if app.search.as_ref().is_some_and(|s| !s.is_ready())
            && let Err(e) = rebuild(&app).await
        {
            tracing::error!(error = %e, "search index rebuild failed");
        }
        if let Err(e) = sync(&app).await {
            tracing::error!(error = %e, "search index sync failed");
        }
        if last_prune.elapsed() > Duration::from_secs(3600) {
            last_prune = Instant::now();
            if let Ok(mut c) = app.db.read().await
                && let Err(e) = changes::prune(&mut c.conn(), now() - KEEP_CHANGES).await
            {
                tracing::error!(error = %e, "pruning the change log failed");
            }
            if let Err(e) = refresh_fit_scores(&app, now()).await {
                tracing::error!(error = %e, "refreshing the fit scores failed");
            }
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// How old the index's fit scores of a workspace may grow before every creator's is
/// recomputed.
pub const FIT_REFRESH_EVERY: time::Duration = time::Duration::days(1);

/// Recomputes the index's fit scores (sort by fit) of every workspace whose last refresh is
/// [`FIT_REFRESH_EVERY`] old: a creator's document is rewritten when the creator changes
/// (or the brand profile or tiers do), but data freshness falls day by day and engagement
/// medians move with every account. Every creator of the workspace goes on the change log,
/// so every server's index follows; one server claims each refresh. Returns how many
/// workspaces were refreshed.
pub async fn refresh_fit_scores(app: &App, at: time::OffsetDateTime) -> AppResult<usize> {
    let ids = workspaces::all_ids(&mut app.db.read().await?.conn()).await?;
    let mut refreshed = 0;
    for ws in ids {
        let mut tx = app.db.begin().await?;
        if workspaces::claim_fit_refresh(&mut tx.conn(), ws, at, at - FIT_REFRESH_EVERY).await? {
            let creators = changes::record_workspace(&mut tx.conn(), ws).await?;
            tracing::info!(workspace = %ws, creators, "fit scores to refresh");
            refreshed += 1;
            if let Some(search) = &app.search {
                // The medians too are recomputed for the documents rewritten.
                search.bands.lock().map_err(internal)?.remove(&ws);
            }
        }
        tx.commit().await?;
    }
    Ok(refreshed)
}

/// Counts per workspace tier: the query once per tier with its follower range narrowed.
fn tier_counts(
    index: &SearchIndex,
    base: rapport_search::SearchQuery,
    tiers: &rapport_core::tier::TierThresholds,
) -> Result<Vec<(String, u64)>, rapport_search::SearchError> {
    let ranges = rapport_core::tier::Tier::ALL
        .iter()
        .map(|tier| (tier.slug(), tiers.range(*tier)))
        // Creators without a known following (stored as 0) are in no tier.
        .chain([(rapport_search::UNKNOWN_TIER, (0, Some(1)))]);
    let mut out = Vec::new();
    for (name, (lo, hi)) in ranges {
        let mut q = base.clone();
        q.facets = rapport_search::FacetSet::NONE;
        q.uncounted = false;
        q.limit = 0;
        q.offset = 0;
        q.min_followers = Some(q.min_followers.map_or(lo, |m| m.max(lo)));
        if let Some(hi) = hi {
            q.max_followers = Some(q.max_followers.map_or(hi - 1, |m| m.min(hi - 1)));
        }
        let n = index.search(&q)?.total as u64;
        if n > 0 {
            out.push((name.to_string(), n));
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// What a list request has read before it asks the index: the workspace settings and
/// the change log's newest sequence number.
#[derive(Clone, Copy)]
pub struct Listed<'a> {
    pub settings: &'a WorkspaceSettings,
    pub latest_change: i64,
}

/// The running index once it is ready and has applied every change up to `latest_change`
/// (written while it was being rebuilt, or by another process since its last poll): an
/// answer never misses a change committed before it was asked for.
async fn catch_up(app: &App, latest_change: i64) -> AppResult<Arc<Search>> {
    let search = app.search.clone().ok_or_else(|| internal("not running"))?;
    if !search.wait_ready(Duration::from_secs(10)).await {
        return Err(AppError::Unavailable("the search index is being rebuilt; try again in a minute".into()));
    }
    // Gaps may hold changes committed since the last pass.
    if search.index().checkpoint().unwrap_or(0) < latest_change || !search.index().gaps().is_empty() {
        sync(app).await?;
    }
    Ok(search)
}

/// The ids of every match of `q` in its order, whatever its page (for exports, which read
/// the creators in chunks by id rather than paging the search).
pub async fn all_ids(app: &App, latest_change: i64, q: rapport_search::SearchQuery) -> AppResult<Vec<Uuid>> {
    let search = catch_up(app, latest_change).await?;
    let q = SearchQuery { offset: 0, limit: usize::MAX, facets: rapport_search::FacetSet::NONE, ..q };
    let index = search.index().clone();
    let result = tokio::task::spawn_blocking(move || index.search(&q)).await.map_err(internal)?.map_err(internal)?;
    Ok(result.ids)
}

/// Answers a list query from the index: ids (and facets) from tantivy, the creators
/// themselves from the database, in the index's order.
pub async fn list(
    app: &App,
    ctx: &Ctx,
    listed: Listed<'_>,
    q: rapport_search::SearchQuery,
    sort: &str,
) -> AppResult<crate::creators::CreatorPage> {
    use crate::creators::{CreatorPage, FacetCount, FacetCounts};
    let search = catch_up(app, listed.latest_change).await?;
    let (limit, want_facets) = (q.limit, !q.facets.is_empty());
    let by_fit = matches!(q.sort, rapport_search::SearchSort::Fit { .. });
    // One match more than the page shows whether a next page exists.
    let q = SearchQuery { limit: if limit > 0 { limit + 1 } else { 0 }, ..q };
    let tiers = listed.settings.tiers;
    // The index buckets tiers at the default boundaries; a workspace with its own counts
    // each of its tiers instead.
    let tier_query = (q.facets.has(rapport_search::Facet::Tier)
        && tiers != rapport_core::tier::TierThresholds::default())
    .then(|| q.clone());
    let index = search.index().clone();
    let (mut result, tier_counts) = tokio::task::spawn_blocking(move || {
        let mut result = index.search(&q)?;
        any_of_facets(&index, &q, &mut result.facets)?;
        let tier_counts = match tier_query {
            Some(base) => Some(tier_counts(&index, base, &tiers)?),
            None => None,
        };
        Ok::<_, rapport_search::SearchError>((result, tier_counts))
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    if let Some(t) = tier_counts {
        result.facets.tiers = t;
    }
    let more = result.ids.len() > limit;
    result.ids.truncate(limit);
    let next_mark =
        if more { result.ids.len().checked_sub(1).and_then(|i| result.marks.get(i)).copied() } else { None };
    // Sorted by fit, each creator carries the score it is sorted by.
    let scores = if by_fit {
        fit_scores_at(app, ctx, result.ids.clone(), listed.latest_change).await?.unwrap_or_default()
    } else {
        HashMap::new()
    };
    let mut r = app.db.read().await?;
    let loaded = crate::creators::load_in_order_cached(app, &mut r.conn(), ctx, &result.ids).await?;
    let views = crate::creators::listed::of_loaded(&mut r.conn(), ctx, listed.settings, &loaded, &scores).await?;
    drop(r);
    let counts = |v: &[(String, u64)]| {
        v.iter().map(|(value, count)| FacetCount { value: value.clone(), count: *count }).collect()
    };
    let f = &result.facets;
    Ok(CreatorPage {
        items: views,
        next_cursor: next_mark.map(|mark| crate::creators::encode_mark(sort, mark, result.score_basis.as_ref())),
        total: Some(result.total as i64),
        facets: want_facets.then(|| FacetCounts {
            platforms: counts(&f.platforms),
            countries: counts(&f.countries),
            niches: counts(&f.niches),
            tags: counts(&f.tags),
            stages: counts(&f.stages),
            tiers: counts(&f.tiers),
            languages: counts(&f.languages),
        }),
    })
}

/// The facet counts of a list that matches any of its values (platforms, countries,
/// niches, stages, languages) are taken with that list's own filter left out: a value's
/// count is how many creators it brings — what a click on it, which adds it to the list,
/// finds — not how many of the current matches also have it. Tags (all of) and tiers
/// narrow the matches, so theirs are counted under every filter.
fn any_of_facets(
    index: &SearchIndex,
    q: &SearchQuery,
    facets: &mut rapport_search::Facets,
) -> Result<(), rapport_search::SearchError> {
    use rapport_search::{Facet, FacetSet, Facets};
    type Filter = fn(&mut SearchQuery) -> &mut Vec<String>;
    type Counts = fn(&mut Facets) -> &mut Vec<(String, u64)>;
    let groups: [(Facet, Filter, Counts); 5] = [
        (Facet::Platform, |q| &mut q.platforms, |f| &mut f.platforms),
        (Facet::Country, |q| &mut q.countries, |f| &mut f.countries),
        (Facet::Niche, |q| &mut q.niches, |f| &mut f.niches),
        (Facet::Stage, |q| &mut q.stages, |f| &mut f.stages),
        (Facet::Language, |q| &mut q.languages, |f| &mut f.languages),
    ];
    for (facet, filter, counts) in groups {
        let mut without = q.clone();
        if !q.facets.has(facet) || filter(&mut without).is_empty() {
            continue;
        }
        filter(&mut without).clear();
        let without = SearchQuery { facets: FacetSet::of(&[facet]), offset: 0, limit: 0, ..without };
        *counts(facets) = std::mem::take(counts(&mut index.search(&without)?.facets));
    }
    Ok(())
}

/// How many creators match a database listing's filters, counted by the index (caught up
/// to `latest_change`, the change log's newest sequence number as the caller read it): a count
/// over a million creators takes the database seconds and the index milliseconds. `None`
/// when the index cannot answer it exactly — not running, being rebuilt or behind the
/// change log, or a filter only the database holds (see [`index_query`]).
pub async fn count_listing(
    app: &App,
    latest_change: i64,
    ws: Uuid,
    q: &rapport_store::creators::ListQuery,
) -> AppResult<Option<i64>> {
    let Some((index, query)) = current_for(app, latest_change, ws, q) else { return Ok(None) };
    // A count only: no page to keep, so no sort key to read per match.
    let query = SearchQuery { limit: 0, ..query };
    let result =
        tokio::task::spawn_blocking(move || index.search(&query)).await.map_err(internal)?.map_err(internal)?;
    Ok(Some(result.total as i64))
}

/// The ids of a database listing's page sorted by followers — `q.limit + 1` of them at most,
/// after `q.after`, in the database's order — found by the index's follower-ordered
/// projections, which stop as soon as they have the page where the database's walk of its
/// followers index tests every creator on the way; `None` when the index cannot answer it
/// (see [`count_listing`]; and a filter the projections do not hold, or a workspace that is a
/// small part of a shared index).
pub async fn page_by_followers(
    app: &App,
    latest_change: i64,
    ws: Uuid,
    q: &rapport_store::creators::ListQuery,
) -> AppResult<Option<Vec<Uuid>>> {
    use rapport_store::creators::{CursorKey, SortKey};
    let Some((SortKey::Followers, desc)) = q.sort else { return Ok(None) };
    let after = match &q.after {
        None => None,
        Some((CursorKey::Int(followers), id)) => Some((*followers, *id)),
        Some(_) => return Ok(None),
    };
    let Some((index, query)) = current_for(app, latest_change, ws, q) else { return Ok(None) };
    let query = SearchQuery {
        sort: rapport_search::SearchSort::Followers { desc },
        limit: usize::try_from(q.limit.saturating_add(1)).unwrap_or(usize::MAX),
        ..query
    };
    // Once the projections are built a page takes microseconds, here; building one takes a
    // blocking thread.
    let paged = match index.page_by_followers(&query, after, false) {
        FollowerPage::NotBuilt => {
            tokio::task::spawn_blocking(move || index.page_by_followers(&query, after, true)).await.map_err(internal)?
        }
        paged => paged,
    };
    Ok(match paged {
        FollowerPage::Found(ids) => Some(ids),
        FollowerPage::NotBuilt | FollowerPage::Unanswerable => None,
    })
}

/// The index and the search form of a database listing's filters, when the index is
/// running, has applied every change up to `latest_change` and holds every filter of `q`.
fn current_for(
    app: &App,
    latest_change: i64,
    ws: Uuid,
    q: &rapport_store::creators::ListQuery,
) -> Option<(rapport_search::SearchIndex, SearchQuery)> {
    let search = app.search.as_ref()?;
    // Exact or not at all: a change the index has not applied yet (another process's
    // write, a transaction in flight) leaves the listing to the database.
    if !search.is_ready()
        || search.index().checkpoint().unwrap_or(0) < latest_change
        || !search.index().gaps().is_empty()
    {
        return None;
    }
    Some((search.index().clone(), index_query(ws, q)?))
}

/// A database listing's filters as a search: `None` when one is the database's alone —
/// substring text, shortlist membership, updated-since — or is a follower bound that 0 passes, which stays with the database as it always
/// has (both hold 0 for a creator without accounts).
fn index_query(ws: Uuid, q: &rapport_store::creators::ListQuery) -> Option<SearchQuery> {
    use rapport_search::OwnerFilter;
    let zero_bound = match (q.min_followers, q.max_followers) {
        (Some(min), _) => min <= 0,
        (None, max) => max.is_some(),
    };
    if q.q.is_some() || q.shortlist.is_some() || q.updated_since.is_some() || zero_bound {
        return None;
    }
    Some(SearchQuery {
        platforms: q.platforms.clone(),
        countries: q.countries.clone(),
        min_engagement_pct: q.min_engagement_pct,
        max_engagement_pct: q.max_engagement_pct,
        tags: q.tags.clone(),
        stages: q.stage.iter().cloned().collect(),
        min_followers: q.min_followers,
        max_followers: q.max_followers,
        owner: if q.unowned { Some(OwnerFilter::Unowned) } else { q.owner_id.map(OwnerFilter::Owner) },
        include_do_not_contact: q.include_do_not_contact,
        only_do_not_contact: q.only_do_not_contact,
        deleted: q.deleted,
        ..SearchQuery::for_workspace(ws)
    })
}
