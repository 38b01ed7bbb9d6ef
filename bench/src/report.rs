//! Turning samples into the B1 report: p50/p99 per round, medians across rounds, the comparison table, the
//! targets with their verdicts, the engines' agreement on counts, and the machine the run was made on.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use crate::engines::{Route, Sample};
use crate::queries::Class;

/// The engines in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Engine {
    Api,
    InProcess,
    Postgres,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Api, Engine::InProcess, Engine::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Api => "Rapport API",
            Engine::InProcess => "Rapport in process",
            Engine::Postgres => "PostgreSQL FTS",
        }
    }
}

/// p50 and p99 of one run, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
}

/// Nearest-rank percentiles of a run's latencies.
pub fn percentiles(samples: &[Sample]) -> Percentiles {
    let mut ms: Vec<f64> = samples.iter().map(|s| s.latency.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if ms.is_empty() {
            return f64::NAN;
        }
        let rank = ((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len());
        ms[rank - 1]
    };
    Percentiles { p50: at(0.50), p99: at(0.99) }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Everything measured in one run.
#[derive(Default)]
pub struct Results {
    /// Per class and engine, one entry per round.
    pub rounds: BTreeMap<(usize, Engine), Vec<Percentiles>>,
    /// Per class: queries whose answers all engines agreed on (counts for count classes, page sizes otherwise),
    /// and how many were compared.
    pub agreement: BTreeMap<usize, (usize, usize)>,
    pub routes: BTreeMap<usize, Vec<Route>>,
}

fn class_key(c: Class) -> usize {
    Class::ALL.iter().position(|x| *x == c).unwrap_or(usize::MAX)
}

impl Results {
    pub fn add(&mut self, class: Class, engine: Engine, samples: &[Sample]) {
        self.rounds.entry((class_key(class), engine)).or_default().push(percentiles(samples));
    }

    /// Compares the answers of the three engines query by query.
    pub fn compare(&mut self, class: Class, api: &[Sample], local: &[Sample], pg: &[Sample]) {
        let mut same = 0;
        for ((a, b), c) in api.iter().zip(local).zip(pg) {
            let agree = if class.is_count() {
                a.count == b.count && b.count == c.count
            } else {
                a.rows == b.rows && b.rows == c.rows
            };
            if agree {
                same += 1;
            }
        }
        let n = api.len().min(local.len()).min(pg.len());
        self.agreement.insert(class_key(class), (same, n));
    }

    pub fn set_routes(&mut self, class: Class, routes: Vec<Route>) {
        self.routes.insert(class_key(class), routes);
    }

    /// Medians across rounds of p50 and p99.
    pub fn summary(&self, class: Class, engine: Engine) -> Option<Percentiles> {
        let runs = self.rounds.get(&(class_key(class), engine))?;
        Some(Percentiles {
            p50: median(runs.iter().map(|p| p.p50).collect()),
            p99: median(runs.iter().map(|p| p.p99).collect()),
        })
    }

    fn route_text(&self, class: Class) -> String {
        let routes = self.routes.get(&class_key(class)).map(Vec::as_slice).unwrap_or(&[]);
        let index = routes.iter().filter(|r| **r == Route::Index).count();
        match (index, routes.len() - index) {
            (0, 0) => "?".into(),
            (_, 0) => "index".into(),
            (0, _) => "database".into(),
            (i, d) => format!("index {i} / database {d}"),
        }
    }
}

/// Setup figures printed above the latency table.
pub struct Setup {
    pub creators: usize,
    pub generate: Duration,
    pub rapport_load: Option<Duration>,
    pub rebuild: Duration,
    pub rebuild_docs: usize,
    pub index_bytes: u64,
    pub segments_after_rebuild: usize,
    pub segments_settled: usize,
    pub settle: Duration,
    /// A filter-only count right after the merges settled (building the projections), and again.
    pub projection: (Duration, Duration),
    pub sqlite_bytes: u64,
    pub pg_load: Option<crate::load::PgLoad>,
    pub pg_bytes: i64,
}

/// What the run was: command, machine, parameters.
pub struct RunInfo {
    pub command: String,
    pub rounds: usize,
    pub queries: usize,
    /// Queries per class and round sent through the API (the first ones of each class's list).
    pub api_queries: usize,
    pub warmup: usize,
    pub clients: usize,
    pub seed: u64,
    pub wall: Duration,
    /// `git describe` of the product sources the binary was built from.
    pub revision: String,
    /// /proc/loadavg when the run started and when it ended (other work on the machine skews the figures).
    pub load_before: String,
    pub load_after: String,
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn ms(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x < 1.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn ratio(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x >= 10.0 {
        format!("{x:.0}×")
    } else if x >= 1.0 {
        format!("{x:.1}×")
    } else {
        format!("{x:.2}×")
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `git describe --always --dirty` of the repository the benchmark sits in.
pub fn revision() -> String {
    std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// The machine, as /proc describes it.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    format!("{cores} cores (nproc), {:.1} GiB memory, {model}", memory_kb as f64 / 1024.0 / 1024.0)
}

/// The full report in Markdown (it reads fine in a terminal too).
pub fn render(info: &RunInfo, setup: &Setup, results: &Results) -> String {
    let mut out = String::new();
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".into());
    let n = setup.creators.max(1) as f64;
    let _ = writeln!(out, "### B1 discovery search — {} creators\n", setup.creators);
    let _ = writeln!(out, "- command: `{}`", info.command);
    let _ = writeln!(out, "- machine: {}", machine());
    let _ = writeln!(out, "- date: {date}; whole run {}", secs(info.wall));
    let _ = writeln!(out, "- product sources: {}", info.revision);
    let _ = writeln!(out, "- load average at start: {}; at end: {}", info.load_before, info.load_after);
    let api = if info.api_queries < info.queries {
        format!(" (the API the first {} of them)", info.api_queries)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "- {} interleaved rounds; per class and engine {} queries a round{api}, the first {} unmeasured; API with {} \
         concurrent clients, in-process and PostgreSQL with one; seed {}",
        info.rounds, info.queries, info.warmup, info.clients, info.seed
    );
    let _ = writeln!(out, "- generate {} creators: {}", setup.creators, secs(setup.generate));
    match setup.rapport_load {
        Some(d) => {
            let _ = writeln!(
                out,
                "- Rapport load through the store (SQLite, batches of 2 000 per transaction): {} ({:.0} creators/s); \
                 database file {:.0} MB",
                secs(d),
                n / d.as_secs_f64(),
                setup.sqlite_bytes as f64 / 1e6
            );
        }
        None => {
            let _ = writeln!(out, "- Rapport load: reused from an earlier run (`--reuse-data`)");
        }
    }
    let _ = writeln!(
        out,
        "- **full index rebuild** (`rapport_app::search::rebuild`): {} for {} documents ({:.0} docs/s); \
         index {:.1} MB = **{:.0} bytes per creator**; {} segments after the rebuild, {} once merges settled ({}); \
         the first filter-only count then {} ms (it builds the follower-ordered projections), the next {} ms",
        secs(setup.rebuild),
        setup.rebuild_docs,
        setup.rebuild_docs as f64 / setup.rebuild.as_secs_f64().max(1e-9),
        setup.index_bytes as f64 / 1e6,
        setup.index_bytes as f64 / n,
        setup.segments_after_rebuild,
        setup.segments_settled,
        secs(setup.settle),
        ms(setup.projection.0.as_secs_f64() * 1e3),
        ms(setup.projection.1.as_secs_f64() * 1e3)
    );
    match setup.pg_load {
        Some(l) => {
            let _ = writeln!(
                out,
                "- PostgreSQL load: COPY (with the generated tsvector) {}, GIN + B-tree indexes {}, VACUUM ANALYZE \
                 {}; table + indexes {:.0} MB ({:.0} bytes per creator)",
                secs(l.copy),
                secs(l.indexes),
                secs(l.analyze),
                setup.pg_bytes as f64 / 1e6,
                setup.pg_bytes as f64 / n
            );
        }
        None => {
            let _ = writeln!(out, "- PostgreSQL load: reused from an earlier run (`--reuse-data`)");
        }
    }

    let _ = writeln!(out, "\nLatency in ms, median across rounds of each round's p50 / p99:\n");
    let _ = writeln!(
        out,
        "| class | what | Rapport route | API p50 | API p99 | in-process p50 | in-process p99 | PG FTS p50 | \
         PG FTS p99 | PG p99 / API p99 | answers agree |"
    );
    let _ = writeln!(out, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    for class in Class::ALL {
        let get = |e| results.summary(class, e).unwrap_or(Percentiles { p50: f64::NAN, p99: f64::NAN });
        let (api, local, pg) = (get(Engine::Api), get(Engine::InProcess), get(Engine::Postgres));
        let agree = results.agreement.get(&class_key(class)).map_or("–".into(), |(s, n)| format!("{s}/{n}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {agree} |",
            class.name(),
            class.description(),
            results.route_text(class),
            ms(api.p50),
            ms(api.p99),
            ms(local.p50),
            ms(local.p99),
            ms(pg.p50),
            ms(pg.p99),
            ratio(pg.p99 / api.p99)
        );
    }

    let _ = writeln!(out, "\nPer round (p50 / p99 ms), to show the spread:\n");
    let _ = writeln!(out, "| class | engine | rounds |");
    let _ = writeln!(out, "|---|---|---|");
    for class in Class::ALL {
        for engine in Engine::ALL {
            if let Some(runs) = results.rounds.get(&(class_key(class), engine)) {
                let text: Vec<String> = runs.iter().map(|p| format!("{} / {}", ms(p.p50), ms(p.p99))).collect();
                let _ = writeln!(out, "| {} | {} | {} |", class.name(), engine.name(), text.join(" · "));
            }
        }
    }

    let _ = writeln!(out, "\nTargets:\n");
    for line in verdicts(setup, results) {
        let _ = writeln!(out, "- {line}");
    }
    out
}

/// One line per target: met or missed, and by how much.
fn verdicts(setup: &Setup, results: &Results) -> Vec<String> {
    let p99 = |c, e| results.summary(c, e).map_or(f64::NAN, |p| p.p99);
    let mut lines = Vec::new();
    // Classes left out with `--only` have no verdict.
    let run = |c: &Class| results.summary(*c, Engine::Api).is_some();
    let all = [Class::Q1, Class::Q2, Class::Q2c, Class::Q3, Class::Q3c, Class::Q4];
    let b1: Vec<Class> = all.into_iter().filter(run).collect();
    let scope = if b1.len() == all.len() { "every class" } else { "every class run" };
    let worst = b1
        .iter()
        .map(|c| (*c, p99(*c, Engine::Api)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((Class::Q1, f64::NAN));
    let over: Vec<String> = b1
        .iter()
        .filter(|c| p99(**c, Engine::Api) > 20.0)
        .map(|c| format!("{} {} ms", c.name(), ms(p99(*c, Engine::Api))))
        .collect();
    lines.push(if over.is_empty() {
        format!("API p99 ≤ 20 ms for {scope}: **met** (worst {} at {} ms)", worst.0.name(), ms(worst.1))
    } else {
        format!("API p99 ≤ 20 ms for {scope}: **missed** ({})", over.join(", "))
    });
    for c in [Class::Q1, Class::Q4].into_iter().filter(run) {
        let r = p99(c, Engine::Postgres) / p99(c, Engine::Api);
        let verdict = if r >= 20.0 { "met" } else { "missed" };
        lines.push(format!(
            "{} ≥ 20× faster than PostgreSQL FTS at p99 (API): **{verdict}** ({}; in process {})",
            c.name(),
            ratio(r),
            ratio(p99(c, Engine::Postgres) / p99(c, Engine::InProcess))
        ));
    }
    for c in [Class::Q2, Class::Q2c].into_iter().filter(run) {
        let (api, pg) = (p99(c, Engine::Api), p99(c, Engine::Postgres));
        let verdict = if api <= pg { "met" } else { "missed" };
        lines.push(format!(
            "{} no slower than PostgreSQL FTS at p99: **{verdict}** (API {} ms, in process {} ms, PostgreSQL {} ms)",
            c.name(),
            ms(api),
            ms(p99(c, Engine::InProcess)),
            ms(pg)
        ));
    }
    let (api, local) = (p99(Class::Q3, Engine::Api), p99(Class::Q3, Engine::InProcess));
    if run(&Class::Q3) {
        lines.push(format!(
            "Q3 p99 ≤ 2 ms: API **{}** ({} ms), in process **{}** ({} ms)",
            if api <= 2.0 { "met" } else { "missed" },
            ms(api),
            if local <= 2.0 { "met" } else { "missed" },
            ms(local)
        ));
    }
    let rebuild = setup.rebuild.as_secs_f64();
    let scaled = rebuild * 1_000_000.0 / setup.creators.max(1) as f64;
    lines.push(format!(
        "full index rebuild ≤ 60 s (at 1 M): **{}** ({:.1} s for {} creators{})",
        if setup.creators >= 1_000_000 && rebuild <= 60.0 {
            "met"
        } else if setup.creators >= 1_000_000 {
            "missed"
        } else {
            "not measured at 1 M"
        },
        rebuild,
        setup.creators,
        if setup.creators < 1_000_000 {
            format!("; linear scaling would give {scaled:.0} s at 1 M")
        } else {
            String::new()
        }
    ));
    lines
}
