//! Rapport's benchmarks (the shared BENCHMARKS.md), one subcommand each. `search` is B1, discovery search:
//! generated creators loaded into Rapport and into a PostgreSQL full-text reference, the same queries against
//! Rapport's HTTP API, Rapport in process and PostgreSQL, in interleaved rounds, and a report. `import` is B4,
//! CSV import: the same generator's creators as a CSV file through `rapport import creators`, against
//! `sqlite3 .import`.
#![forbid(unsafe_code)]

mod engines;
mod generate;
mod import;
mod load;
mod queries;
mod report;

/// The product's allocator (see the `rapport` binary): the search benchmark runs the server in
/// this process.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use rapport_search::SearchIndex;

use crate::engines::{Api, InProcess, Server};
use crate::queries::Class;
use crate::report::{Engine, Results, RunInfo, Setup};

const DEFAULT_DATABASE_URL: &str = "postgres://rapport_ci:rapport_ci@127.0.0.1:5432/postgres";
const DEFAULT_DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
const DEFAULT_RAPPORT_BIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/rapport");
/// Merges after a rebuild are waited for at most this long.
const MAX_SETTLE: Duration = Duration::from_secs(600);
/// The index directory counts as settled when its files have not changed for this long.
const SETTLED_AFTER: Duration = Duration::from_secs(5);

#[derive(Parser)]
#[command(name = "rapport-bench", about = "Rapport's benchmarks (BENCHMARKS.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// B1 discovery search: Rapport's API and engines against a PostgreSQL full-text reference.
    Search(SearchArgs),
    /// B4 CSV import: `rapport import creators` against `sqlite3 .import` of the same file.
    Import(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// Creators to generate (the file has about 5 % more rows: the fuzzy duplicates).
    #[arg(long, default_value_t = 1_000_000)]
    creators: usize,
    /// Share of rows that repeat an earlier creator, in percent.
    #[arg(long, default_value_t = 5.0)]
    duplicates_pct: f64,
    /// Seed of the data generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the files and databases are written (`b4-<creators>/` inside).
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// The `rapport` binary to measure (a release build).
    #[arg(long, default_value = DEFAULT_RAPPORT_BIN)]
    rapport_bin: PathBuf,
}

#[derive(Args)]
struct SearchArgs {
    /// Creators to generate (use 100000 for a quick run).
    #[arg(long, default_value_t = 1_000_000)]
    creators: usize,
    /// Interleaved rounds; the report gives the median of the rounds' p50 and p99.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Queries per class and engine in each round, warm-up included.
    #[arg(long, default_value_t = 400)]
    queries: usize,
    /// Unmeasured queries at the start of each class and engine.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// The API gets only the first N queries of each class (default: all), for sizes where its pages take seconds.
    #[arg(long)]
    api_queries: Option<usize>,
    /// Concurrent API clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Seed of the data and query generators.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A PostgreSQL role that may create databases; the reference lives in the database `rapport_bench_b1`.
    #[arg(long, env = "BENCH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    database_url: String,
    /// Where the Rapport database and index are written (`b1-<creators>/` inside).
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Keep the databases an earlier run loaded with the same size and seed instead of loading again (the index is
    /// always rebuilt).
    #[arg(long)]
    reuse_data: bool,
    /// Only these classes, e.g. `Q1,Q3` (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also print, each round, the N slowest measured API queries of each class (to tell a slow kind of query from
    /// the scheduling noise of a busy machine).
    #[arg(long, default_value_t = 0)]
    show_slowest: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Search(args) => search(args).await,
        Command::Import(a) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            import::run(import::ImportArgs {
                creators: a.creators,
                duplicates_pct: a.duplicates_pct,
                seed: a.seed,
                data_dir: a.data_dir,
                rapport_bin: a.rapport_bin,
            })
            .await
        }
    }
}

async fn search(args: SearchArgs) -> Result<()> {
    let wall = Instant::now();
    let load_before = report::load_average();
    let revision = report::revision();
    // reqwest is built without a default TLS provider and refuses to build a client without one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let classes: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| args.only.is_empty() || args.only.iter().any(|o| o.eq_ignore_ascii_case(c.name())))
        .collect();
    if classes.is_empty() {
        bail!("--only names no class; the classes are {:?}", Class::ALL.map(Class::name));
    }

    let vocabulary = generate::Vocabulary::new()?;
    let started = Instant::now();
    let creators = generate::creators(args.creators, args.seed, &vocabulary);
    let generate_time = started.elapsed();
    eprintln!("generated {} creators in {:.1} s", creators.len(), generate_time.as_secs_f64());

    let pg = load::postgres(&args.database_url, &creators, args.seed, args.reuse_data).await?;
    let dir = args.data_dir.join(format!("b1-{}", args.creators));
    let rapport = load::rapport(&dir, &creators, args.seed, args.reuse_data).await?;
    drop(creators);
    if let Some(d) = rapport.load {
        eprintln!("rapport: {} creators stored in {:.1} s", args.creators, d.as_secs_f64());
    }

    eprintln!("rebuilding the search index…");
    let started = Instant::now();
    let rebuild_docs = rapport_app::search::rebuild(&rapport.app).await?;
    let rebuild = started.elapsed();
    eprintln!("index rebuilt: {rebuild_docs} documents in {:.1} s", rebuild.as_secs_f64());
    let index = rapport.app.search.as_ref().map(|s| s.index()).context("the app has no search index")?;
    let segments_after_rebuild = segments(&index);
    let settle_started = Instant::now();
    settle(&rapport.index_dir).await?;
    let settle_time = settle_started.elapsed();
    // The index reader reloads only on a commit, so it still searches the segments of the rebuild; the first
    // write would make it pick up the merged ones. An empty commit stands in for that write.
    index.set_checkpoint_and_commit(index.checkpoint().unwrap_or(0))?;
    settle(&rapport.index_dir).await?;
    // The first filter-only search after the merges builds the segments' follower-ordered projections; the
    // next one reads them.
    let projection = {
        let q = rapport_search::SearchQuery {
            platforms: vec!["instagram".to_owned()],
            limit: 0,
            ..rapport_search::SearchQuery::for_workspace(rapport.workspace.0)
        };
        let started = Instant::now();
        index.search(&q)?;
        let first = started.elapsed();
        let started = Instant::now();
        index.search(&q)?;
        (first, started.elapsed())
    };
    let setup = Setup {
        creators: args.creators,
        generate: generate_time,
        rapport_load: rapport.load,
        rebuild,
        rebuild_docs,
        index_bytes: dir_bytes(&rapport.index_dir)?,
        segments_after_rebuild,
        segments_settled: segments(&index),
        settle: settle_time,
        projection,
        sqlite_bytes: ["rapport.db", "rapport.db-wal"].iter().map(|f| file_bytes(&dir.join(f))).sum(),
        pg_load: pg.load,
        pg_bytes: pg.bytes,
    };
    eprintln!(
        "index: {:.1} MB, {} segments after the rebuild, {} after merges settled ({:.0} s)",
        setup.index_bytes as f64 / 1e6,
        setup.segments_after_rebuild,
        setup.segments_settled,
        settle_time.as_secs_f64()
    );

    let server = Server::start(rapport.app.clone()).await?;
    let api = Api::new(&server.base, rapport.api_key.clone())?;
    let local = InProcess::new(rapport.app.clone(), rapport.workspace).await?;
    let mut reference = engines::Postgres::new(pg.conn);

    let mut results = Results::default();
    let mut workload = Vec::new();
    for class in classes {
        let queries = queries::generate(class, args.queries, args.seed, &vocabulary);
        let mut routes = Vec::with_capacity(queries.len());
        for q in queries.iter() {
            routes.push(local.route(q).await?);
        }
        results.set_routes(class, routes);
        workload.push((class, queries));
    }
    let warmup = args.warmup.min(args.queries.saturating_sub(1));
    let api_queries = args.api_queries.unwrap_or(args.queries).clamp(warmup + 1, args.queries.max(warmup + 1));
    for round in 0..args.rounds {
        for (k, (class, queries)) in workload.iter().enumerate() {
            // Rotate which engine goes first, so none always runs right after another's cache-warming.
            let mut order = Engine::ALL;
            order.rotate_left((round + k) % Engine::ALL.len());
            let (mut a, mut l, mut p) = (Vec::new(), Vec::new(), Vec::new());
            for engine in order {
                match engine {
                    Engine::Api => {
                        a = api.run(&queries[..api_queries.min(queries.len())], warmup, args.clients).await?
                    }
                    Engine::InProcess => l = local.run(queries, warmup).await?,
                    Engine::Postgres => p = reference.run(queries, warmup).await?,
                }
            }
            results.add(*class, Engine::Api, &a);
            results.add(*class, Engine::InProcess, &l);
            results.add(*class, Engine::Postgres, &p);
            if round == 0 {
                results.compare(*class, &a, &l, &p);
            }
            let show = |s: &[engines::Sample]| {
                let p = report::percentiles(s);
                format!("{:.2}/{:.2}", p.p50, p.p99)
            };
            eprintln!(
                "round {} {:4} p50/p99 ms: API {}  in-process {}  PostgreSQL {}",
                round + 1,
                class.name(),
                show(&a),
                show(&l),
                show(&p)
            );
            let measured = &queries[warmup.min(queries.len())..];
            let mut slowest: Vec<(&engines::Sample, &queries::Query)> = a.iter().zip(measured).collect();
            slowest.sort_by_key(|(sample, _)| std::cmp::Reverse(sample.latency));
            for (sample, q) in slowest.into_iter().take(args.show_slowest) {
                eprintln!("    {:7.2} ms  {q:?}", sample.latency.as_secs_f64() * 1000.0);
            }
        }
    }
    server.stop()?;

    let command = std::iter::once("cargo run --release --manifest-path bench/Cargo.toml --".to_owned())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let info = RunInfo {
        command,
        rounds: args.rounds,
        queries: args.queries,
        api_queries,
        warmup,
        clients: args.clients,
        seed: args.seed,
        wall: wall.elapsed(),
        revision,
        load_before,
        load_after: report::load_average(),
    };
    let text = report::render(&info, &setup, &results);
    println!("{text}");
    let path = dir.join("results.md");
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("report written to {}", path.display());
    Ok(())
}

/// Segments in the index's latest commit (merges included).
fn segments(index: &SearchIndex) -> usize {
    index.tantivy_index().searchable_segment_ids().map_or(0, |s| s.len())
}

/// Waits until the files of the index directory stop changing (background merges finished).
async fn settle(dir: &Path) -> Result<()> {
    let started = Instant::now();
    let mut last = listing(dir)?;
    let mut unchanged_since = Instant::now();
    while started.elapsed() < MAX_SETTLE {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = listing(dir)?;
        if now != last {
            last = now;
            unchanged_since = Instant::now();
        } else if unchanged_since.elapsed() >= SETTLED_AFTER {
            return Ok(());
        }
    }
    eprintln!("warning: the index was still changing after {} s", MAX_SETTLE.as_secs());
    Ok(())
}

fn listing(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        out.push((entry.file_name().to_string_lossy().into_owned(), entry.metadata()?.len()));
    }
    out.sort();
    Ok(out)
}

fn dir_bytes(dir: &Path) -> Result<u64> {
    Ok(listing(dir)?.iter().map(|(_, n)| n).sum())
}

fn file_bytes(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
