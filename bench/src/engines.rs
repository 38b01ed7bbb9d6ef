//! The three engines that answer the same queries: Rapport through its HTTP API (the real server, several
//! concurrent clients), Rapport in process (the engine the product's planner picks, called directly: the search
//! index, or the store's list/count), and the PostgreSQL full-text reference. Each returns per-query samples.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rapport_app::creators::Plan;
use rapport_app::{App, Ctx};
use rapport_core::actor::Actor;
use rapport_core::ids::WorkspaceId;
use rapport_core::tier::TierThresholds;
use rapport_search::SearchIndex;
use rapport_store::creators as store;
use serde::Deserialize;
use sqlx::{AssertSqlSafe, PgConnection};
use tokio::task::JoinSet;

use crate::queries::{Class, Query};

/// What answered a query in Rapport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Index,
    Database,
}

/// One measured query: its latency and enough of its answer to check the engines agree.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub latency: Duration,
    /// The count (count classes), or the sum of the platform facet counts (Q4).
    pub count: Option<i64>,
    /// Creators returned (page classes).
    pub rows: usize,
}

/// The real Rapport server, in this process but on its own runtime (as `rapport serve` has: one worker per core),
/// so the benchmark's clients do not share the server's scheduler.
pub struct Server {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Server {
    /// Starts `rapport_web::serve` on 127.0.0.1 with a free port and waits until it answers `/readyz`.
    pub async fn start(app: App) -> Result<Server> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new().name("rapport-server".into()).spawn(move || -> Result<()> {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let shutdown = async move {
                    let _ = stopped.await;
                };
                rapport_web::serve(listener, app, rapport_web::WebConfig::default(), shutdown).await?;
                anyhow::Ok(())
            })
        })?;
        let server = Server { base, stop: Some(stop), thread: Some(thread) };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            match client.get(format!("{}/readyz", server.base)).send().await {
                Ok(r) if r.status().is_success() => return Ok(server),
                _ if started.elapsed() > Duration::from_secs(30) => bail!("the server did not become ready"),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server thread.
    pub fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => bail!("the server thread panicked"),
            None => Ok(()),
        }
    }
}

/// Rapport's JSON API, as a client sees it.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    url: String,
    key: String,
}

#[derive(Deserialize)]
struct Page {
    items: Vec<serde::de::IgnoredAny>,
    /// Present unless the query asked for none (`total=false`).
    total: Option<i64>,
    facets: Option<PageFacets>,
}

#[derive(Deserialize)]
struct PageFacets {
    platforms: Vec<FacetCount>,
}

#[derive(Deserialize)]
struct FacetCount {
    count: i64,
}

impl Api {
    pub fn new(base: &str, key: String) -> Result<Api> {
        let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
        Ok(Api { client, url: format!("{base}/api/v1/creators"), key })
    }

    /// Runs `queries` with `clients` concurrent clients, each sending its next query when its previous answer is
    /// in; the first `warmup` queries are sent (the same way) but not measured. Samples come back in query order.
    pub async fn run(&self, queries: &[Query], warmup: usize, clients: usize) -> Result<Vec<Sample>> {
        let warmup = warmup.min(queries.len());
        self.concurrent(&queries[..warmup], clients).await?;
        self.concurrent(&queries[warmup..], clients).await
    }

    async fn concurrent(&self, queries: &[Query], clients: usize) -> Result<Vec<Sample>> {
        let queries: Arc<[Query]> = queries.into();
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = JoinSet::new();
        for _ in 0..clients.max(1) {
            let (api, queries, next) = (self.clone(), queries.clone(), next.clone());
            tasks.spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(q) = queries.get(k) else { break };
                    mine.push((k, api.one(q).await?));
                }
                anyhow::Ok(mine)
            });
        }
        let mut all = Vec::with_capacity(queries.len());
        while let Some(done) = tasks.join_next().await {
            all.extend(done.context("an API client task failed")??);
        }
        all.sort_by_key(|(k, _)| *k);
        Ok(all.into_iter().map(|(_, s)| s).collect())
    }

    async fn one(&self, q: &Query) -> Result<Sample> {
        let request = self.client.get(&self.url).bearer_auth(&self.key).query(&q.creator_query()).build()?;
        let started = Instant::now();
        let response = self.client.execute(request).await?;
        let status = response.status();
        let body = response.bytes().await?;
        let latency = started.elapsed();
        if !status.is_success() {
            bail!("GET /api/v1/creators for {q:?} answered {status}: {}", String::from_utf8_lossy(&body));
        }
        let page: Page = serde_json::from_slice(&body).context("reading the creator page")?;
        let count = match q.class {
            Class::Q4 => page.facets.map(|f| f.platforms.iter().map(|c| c.count).sum()),
            c if c.is_count() => page.total,
            _ => None,
        };
        Ok(Sample { latency, count, rows: page.items.len() })
    }
}

/// Rapport without HTTP: the product's planner decides, then the index or the store answers directly (no
/// authentication, no loading of the creators of the page, no JSON).
pub struct InProcess {
    app: App,
    ctx: Ctx,
    tiers: TierThresholds,
    index: SearchIndex,
}

impl InProcess {
    pub async fn new(app: App, workspace: WorkspaceId) -> Result<InProcess> {
        let ctx = Ctx::system(workspace, Actor::System, "bench");
        let tiers = rapport_app::settings::get(&app, &ctx).await?.tiers;
        let index = app.search.as_ref().map(|s| s.index()).ok_or_else(|| anyhow!("the app has no index"))?;
        Ok(InProcess { app, ctx, tiers, index })
    }

    /// Where the planner sends `q` (the API sends it to the same place).
    /// Counts of database listings are answered by the index (`rapport_app::search::count_listing`, which
    /// declines only text, shortlists and updated-since — none of them in these queries), and so are their
    /// pages sorted by followers when the index's projections hold their filters
    /// (`rapport_app::search::page_by_followers`).
    pub async fn route(&self, q: &Query) -> Result<Route> {
        Ok(match self.plan(q)? {
            Plan::Index(_) => Route::Index,
            Plan::Store(_) if q.class.is_count() => Route::Index,
            Plan::Store(lq) => match self.page_from_index(&lq).await? {
                Some(_) => Route::Index,
                None => Route::Database,
            },
        })
    }

    /// A database listing's page from the index's projections, as the API takes it.
    async fn page_from_index(&self, lq: &store::ListQuery) -> Result<Option<Vec<uuid::Uuid>>> {
        // The change log's position, which the API reads with the workspace settings.
        let latest = rapport_store::changes::latest(&mut self.app.db.read().await?.conn()).await?;
        Ok(rapport_app::search::page_by_followers(&self.app, latest, self.ctx.ws(), lq).await?)
    }

    fn plan(&self, q: &Query) -> Result<Plan> {
        q.creator_query().plan(self.ctx.ws(), &self.tiers, true).map_err(|e| anyhow!("planning {q:?}: {e}"))
    }

    /// Runs `queries` one at a time; the first `warmup` are not measured.
    pub async fn run(&self, queries: &[Query], warmup: usize) -> Result<Vec<Sample>> {
        let mut out = Vec::with_capacity(queries.len().saturating_sub(warmup));
        for (k, q) in queries.iter().enumerate() {
            let s = self.one(q).await?;
            if k >= warmup {
                out.push(s);
            }
        }
        Ok(out)
    }

    async fn one(&self, q: &Query) -> Result<Sample> {
        let count_only = q.class.is_count();
        match self.plan(q)? {
            Plan::Index(mut sq) => {
                if count_only {
                    sq.limit = 0;
                }
                let started = Instant::now();
                let r = self.index.search(&sq)?;
                let latency = started.elapsed();
                let count = match q.class {
                    Class::Q4 => Some(r.facets.platforms.iter().map(|(_, n)| *n as i64).sum()),
                    _ if count_only => Some(r.total as i64),
                    _ => None,
                };
                Ok(Sample { latency, count, rows: r.ids.len() })
            }
            Plan::Store(lq) => {
                let started = Instant::now();
                let mut pooled = self.app.db.read().await?;
                let mut c = pooled.conn();
                let (count, rows) = if count_only {
                    // The change log's position, which the API reads with the workspace settings.
                    let latest = rapport_store::changes::latest(&mut c).await?;
                    let n = match rapport_app::search::count_listing(&self.app, latest, self.ctx.ws(), &lq).await? {
                        Some(n) => n,
                        None => store::count(&mut c, self.ctx.ws(), &lq).await?,
                    };
                    (Some(n), 0)
                } else {
                    // Both return one row more than the page, to tell whether another page follows.
                    let rows = match self.page_from_index(&lq).await? {
                        Some(ids) => store::get_many(&mut c, self.ctx.ws(), &ids).await?.len(),
                        None => store::list(&mut c, self.ctx.ws(), &lq).await?.len(),
                    };
                    (None, rows.min(lq.limit as usize))
                };
                Ok(Sample { latency: started.elapsed(), count, rows })
            }
        }
    }
}

/// The PostgreSQL full-text reference, one client.
pub struct Postgres {
    conn: PgConnection,
}

/// Adds a parameter and returns its placeholder.
fn placeholder(params: &mut Vec<Param>, p: Param) -> String {
    params.push(p);
    format!("${}", params.len())
}

/// A bound parameter of a reference query.
enum Param {
    Text(String),
    Texts(Vec<String>),
    Int(i64),
    Float(f64),
}

impl Postgres {
    pub fn new(conn: PgConnection) -> Postgres {
        Postgres { conn }
    }

    /// Runs `queries` one at a time; the first `warmup` are not measured.
    pub async fn run(&mut self, queries: &[Query], warmup: usize) -> Result<Vec<Sample>> {
        let mut out = Vec::with_capacity(queries.len().saturating_sub(warmup));
        for (k, q) in queries.iter().enumerate() {
            let s = self.one(q).await?;
            if k >= warmup {
                out.push(s);
            }
        }
        Ok(out)
    }

    async fn one(&mut self, q: &Query) -> Result<Sample> {
        let (sql, params) = sql(q);
        let started = Instant::now();
        let sample = match q.class {
            Class::Q4 => {
                let rows: Vec<(String, i64)> = bind(sqlx::query_as(AssertSqlSafe(sql)), params)
                    .fetch_all(&mut self.conn)
                    .await
                    .context("Q4 on PostgreSQL")?;
                Sample { latency: started.elapsed(), count: Some(rows.iter().map(|r| r.1).sum()), rows: 0 }
            }
            c if c.is_count() => {
                let (n,): (i64,) = bind(sqlx::query_as(AssertSqlSafe(sql)), params)
                    .fetch_one(&mut self.conn)
                    .await
                    .context("count on PostgreSQL")?;
                Sample { latency: started.elapsed(), count: Some(n), rows: 0 }
            }
            _ => {
                let rows: Vec<(i64,)> = bind(sqlx::query_as(AssertSqlSafe(sql)), params)
                    .fetch_all(&mut self.conn)
                    .await
                    .context("page on PostgreSQL")?;
                Sample { latency: started.elapsed(), count: None, rows: rows.len() }
            }
        };
        Ok(sample)
    }
}

type PgQueryAs<'q, T> = sqlx::query::QueryAs<'q, sqlx::Postgres, T, sqlx::postgres::PgArguments>;

fn bind<T>(mut query: PgQueryAs<'_, T>, params: Vec<Param>) -> PgQueryAs<'_, T> {
    for p in params {
        query = match p {
            Param::Text(v) => query.bind(v),
            Param::Texts(v) => query.bind(v),
            Param::Int(v) => query.bind(v),
            Param::Float(v) => query.bind(v),
        };
    }
    query
}

/// The reference SQL for `q`: `plainto_tsquery('simple', …)` against the GIN-indexed `tsvector`, `ts_rank` for
/// relevance, `= ANY` for lists (plain `=` for one value, so the composite B-tree can order the rows).
fn sql(q: &Query) -> (String, Vec<Param>) {
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    if let Some(text) = &q.text {
        let ph = placeholder(&mut params, Param::Text(text.clone()));
        conditions.push(format!("tsv @@ plainto_tsquery('simple', {ph})"));
    }
    for (column, values) in [
        ("platform", q.platforms.iter().map(|p| p.slug().to_owned()).collect::<Vec<_>>()),
        ("country", q.countries.iter().map(|c| (*c).to_owned()).collect()),
    ] {
        match values.len() {
            0 => {}
            1 => {
                let ph = placeholder(&mut params, Param::Text(values[0].clone()));
                conditions.push(format!("{column} = {ph}"));
            }
            _ => {
                let ph = placeholder(&mut params, Param::Texts(values));
                conditions.push(format!("{column} = ANY({ph})"));
            }
        }
    }
    if let Some((lo, hi)) = q.followers {
        let lo = placeholder(&mut params, Param::Int(lo));
        let hi = placeholder(&mut params, Param::Int(hi));
        conditions.push(format!("followers BETWEEN {lo} AND {hi}"));
    }
    if let Some(e) = q.min_engagement {
        let ph = placeholder(&mut params, Param::Float(e));
        conditions.push(format!("engagement >= {ph}"));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let sql = match q.class {
        Class::Q1 => format!(
            "SELECT id FROM b1_creators{filter} ORDER BY ts_rank(tsv, plainto_tsquery('simple', $1)) DESC, id LIMIT 20"
        ),
        Class::Q2 | Class::Q3 | Class::Q3s => {
            format!("SELECT id FROM b1_creators{filter} ORDER BY followers DESC LIMIT 20")
        }
        Class::Q4 => format!("SELECT platform, COUNT(*) FROM b1_creators{filter} GROUP BY platform"),
        Class::Q2c | Class::Q3c | Class::Q3sc => format!("SELECT COUNT(*) FROM b1_creators{filter}"),
    };
    (sql, params)
}
