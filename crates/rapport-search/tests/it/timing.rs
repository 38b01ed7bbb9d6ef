//! Rough timings on B1-like synthetic data (ignored; run with
//! `cargo test -p rapport-search --release -- --ignored --nocapture`). Size via `RAPPORT_SEARCH_DOCS`.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rapport_search::{CreatorDoc, SearchIndex, SearchQuery, SearchSort};
use uuid::Uuid;

use crate::fixtures::{base_time, doc};

const PLATFORMS: [(&str, f64); 5] =
    [("instagram", 0.45), ("tiktok", 0.30), ("youtube", 0.15), ("twitch", 0.05), ("x", 0.05)];

fn zipf(r: &mut StdRng, n: usize) -> usize {
    // Rank ~ n^u is a cheap stand-in for a Zipf(≈1) draw.
    ((n as f64).powf(r.random::<f64>()) as usize).saturating_sub(1).min(n - 1)
}

fn platform(r: &mut StdRng) -> &'static str {
    let mut u: f64 = r.random();
    for (p, w) in PLATFORMS {
        if u < w {
            return p;
        }
        u -= w;
    }
    "x"
}

fn b1_doc(r: &mut StdRng, ws: Uuid, n: usize) -> CreatorDoc {
    let mut d = doc(ws, &format!("Creator {n} w{}", zipf(r, 30_000)));
    d.id = Uuid::from_u128(r.random());
    d.handles = vec![format!("@creator_{n}")];
    let niches: Vec<String> = (0..r.random_range(1..=3)).map(|_| format!("niche{}", r.random_range(0..40))).collect();
    let words = r.random_range(12..=30);
    let bio: Vec<String> = (0..words)
        .map(|_| {
            if r.random_bool(0.08) {
                format!("niche{}", r.random_range(0..40))
            } else {
                format!("w{}", zipf(r, 30_000))
            }
        })
        .collect();
    d.bio = Some(bio.join(" "));
    d.niches = niches;
    d.platforms = vec![platform(r).to_string()];
    d.country = Some(format!("C{}", zipf(r, 30)));
    d.languages = vec!["en".into()];
    d.max_followers = 10f64.powf(3.0 + 4.5 * r.random::<f64>().powi(2)) as i64;
    d.max_average_views = d.max_followers / 10;
    d.engagement_rate_pct = Some(r.random_range(0.1..15.0));
    d.audience_genders = vec![("female".into(), r.random_range(0.0..100.0)), ("male".into(), 50.0)];
    d.audience_ages = vec![("18-24".into(), r.random_range(0.0..100.0))];
    d.updated_at = base_time();
    d
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 99 / 100).min(v.len() - 1)]))
}

/// Environment knob for the timing run.
fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

type Make = fn(&mut StdRng, Uuid) -> SearchQuery;

fn text(r: &mut StdRng) -> String {
    if r.random_bool(0.5) { format!("niche{}", r.random_range(0..40)) } else { format!("w{}", r.random_range(20..400)) }
}

/// B1's filters: 3 platforms, 8 countries, a follower window.
fn filtered(r: &mut StdRng, mut q: SearchQuery) -> SearchQuery {
    let windows = [(1_000, 10_000), (10_000, 100_000), (100_000, 10_000_000)];
    q.platforms = (0..3).map(|_| platform(r).to_string()).collect();
    q.countries = (0..8).map(|i| format!("C{i}")).collect();
    let (lo, hi) = windows[r.random_range(0..windows.len())];
    q.min_followers = Some(lo);
    q.max_followers = Some(hi);
    q
}

const CLASSES: [(&str, Make); 8] = [
    ("Q1 text top 20", |r, ws| SearchQuery { text: Some(text(r)), ..SearchQuery::for_workspace(ws) }),
    ("Q1 without prefix", |r, ws| SearchQuery { text: Some(text(r) + " "), ..SearchQuery::for_workspace(ws) }),
    ("Q1 count only", |r, ws| SearchQuery { text: Some(text(r)), limit: 0, ..SearchQuery::for_workspace(ws) }),
    ("Q2 text+filters by followers", |r, ws| {
        let q = SearchQuery {
            text: Some(text(r)),
            sort: SearchSort::Followers { desc: true },
            ..SearchQuery::for_workspace(ws)
        };
        filtered(r, q)
    }),
    ("Q2c count of Q2", |r, ws| {
        let q = SearchQuery { text: Some(text(r)), limit: 0, ..SearchQuery::for_workspace(ws) };
        filtered(r, q)
    }),
    ("Q3 filters by followers", |r, ws| {
        let mut q =
            filtered(r, SearchQuery { sort: SearchSort::Followers { desc: true }, ..SearchQuery::for_workspace(ws) });
        if r.random_bool(0.5) {
            q.min_engagement_pct = Some(3.0);
        }
        q
    }),
    ("Q3c count of Q3", |r, ws| filtered(r, SearchQuery { limit: 0, ..SearchQuery::for_workspace(ws) })),
    ("Q4 text + facets", |r, ws| SearchQuery { text: Some(text(r)), facets: true, ..SearchQuery::for_workspace(ws) }),
];

/// Knobs: `RAPPORT_SEARCH_DOCS` (default 100 000), `RAPPORT_SEARCH_DIR` (keep the index between runs; it is
/// rebuilt when its size differs), `RAPPORT_SEARCH_SETTLE` (seconds to let merges finish),
/// `RAPPORT_SEARCH_ONLY` (class name prefix), `RAPPORT_SEARCH_ROUNDS` (queries per class, 20 of them warm-up).
#[test]
#[ignore = "timing; run in release"]
fn timing_b1_like() {
    let n: usize = env("RAPPORT_SEARCH_DOCS").unwrap_or(100_000);
    let mut r = StdRng::seed_from_u64(1);
    let ws = Uuid::from_u128(r.random());
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("RAPPORT_SEARCH_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    let opened = SearchIndex::open(&dir).unwrap();
    let index = opened.index;
    if index.doc_count() != n as u64 {
        let docs: Vec<CreatorDoc> = (0..n).map(|i| b1_doc(&mut r, ws, i)).collect();
        let t = Instant::now();
        index.rebuild(docs.into_iter()).unwrap();
        let build = t.elapsed();
        let bytes: u64 =
            std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum();
        println!(
            "rebuild of {n}: {:.2} s ({:.0} docs/s), {:.1} MB on disk ({} bytes/creator)",
            build.as_secs_f64(),
            n as f64 / build.as_secs_f64(),
            bytes as f64 / 1e6,
            bytes / n as u64
        );
    }
    if let Some(secs) = env("RAPPORT_SEARCH_SETTLE") {
        std::thread::sleep(Duration::from_secs(secs));
    }
    let segments = index.tantivy_index().searchable_segment_ids().map(|s| s.len()).unwrap_or(0);
    println!("{} docs in {segments} segments", index.doc_count());

    let only: String = env("RAPPORT_SEARCH_ONLY").unwrap_or_default();
    let rounds: usize = env("RAPPORT_SEARCH_ROUNDS").unwrap_or(220).max(21);
    for (name, make) in CLASSES.into_iter().filter(|(name, _)| name.starts_with(only.as_str())) {
        let mut times = Vec::new();
        let mut slowest: Vec<(Duration, usize)> = Vec::new();
        let mut hits = 0usize;
        for i in 0..rounds {
            let q = make(&mut r, ws);
            let t = Instant::now();
            let res = index.search(&q).unwrap();
            if i >= 20 {
                times.push(t.elapsed());
                slowest.push((t.elapsed(), res.total));
                hits += res.total;
            }
        }
        let (p50, p99) = percentiles(times);
        slowest.sort_by(|a, b| b.cmp(a));
        if std::env::var_os("RAPPORT_SEARCH_SLOWEST").is_some() {
            println!("  slowest (ms, matches): {:?}", &slowest[..3.min(slowest.len())]);
        }
        println!("{name:30} p50 {p50:7.2} ms  p99 {p99:7.2} ms  (mean matches {})", hits / (rounds - 20));
    }
}
