//! B4 CSV import: the B1 generator's creators as a CSV file with ~5 % fuzzy duplicates, imported by the real
//! `rapport import creators` command (a release build of the main workspace) into fresh embedded databases,
//! against `sqlite3 .import --csv` of the same file into a bare table and the `csv` crate's parse-only speed,
//! measured in the same run. Peak memory is the importing process's high-water mark (`VmHWM`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::generate::{self, Creator};

/// The header of the generated file, as common creator-database exports name their columns.
const HEADER: [&str; 11] = [
    "Full name",
    "Username",
    "Platform",
    "Followers",
    "Engagement rate",
    "Average views",
    "Country",
    "Language",
    "Email",
    "Niches",
    "Bio",
];
const WORKSPACE: &str = "Bench";
const PASSWORD: &str = "bench-password-2026";

pub struct ImportArgs {
    pub creators: usize,
    pub duplicates_pct: f64,
    pub seed: u64,
    pub data_dir: PathBuf,
    pub rapport_bin: PathBuf,
}

/// One timed run of a command.
struct Timed {
    wall: Duration,
    peak_rss: Option<u64>,
    stdout: String,
}

/// The counts an import printed ("Imported f: 1 created, 2 updated, 3 unchanged, 4 failed").
#[derive(Default, Debug)]
struct Counts {
    created: u64,
    updated: u64,
    unchanged: u64,
    failed: u64,
}

impl Counts {
    fn parse(stdout: &str) -> Result<Counts> {
        let line = stdout.lines().find(|l| l.starts_with("Imported ")).context("the import printed no summary")?;
        let number = |word: &str| -> Result<u64> {
            let before = line.split(&format!(" {word}")).next().context("no count")?;
            let digits: String = before.chars().rev().take_while(char::is_ascii_digit).collect();
            digits.chars().rev().collect::<String>().parse().with_context(|| format!("no {word} count in {line}"))
        };
        Ok(Counts {
            created: number("created")?,
            updated: number("updated")?,
            unchanged: number("unchanged")?,
            failed: number("failed")?,
        })
    }
}

pub async fn run(args: ImportArgs) -> Result<()> {
    let wall = Instant::now();
    if !args.rapport_bin.exists() {
        bail!(
            "{} is missing: build it first with `cargo build --release -p rapport` (or pass --rapport-bin)",
            args.rapport_bin.display()
        );
    }
    let dir = args.data_dir.join(format!("b4-{}", args.creators));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;

    let vocabulary = generate::Vocabulary::new()?;
    let creators = generate::creators(args.creators, args.seed, &vocabulary);
    let file = dir.join("creators.csv");
    let rows = write_csv(&file, &creators, args.duplicates_pct, args.seed)?;
    drop(creators);
    let bytes = std::fs::metadata(&file)?.len();
    let dirty = dir.join("dirty.csv");
    let dirty_rows = write_dirty(&dirty)?;
    eprintln!("wrote {rows} rows ({:.0} MB) and a dirty file of {dirty_rows} rows", bytes as f64 / 1e6);

    // References, same file, same run.
    let parse = parse_only(&file)?;
    eprintln!("csv parse only: {:.2} s", parse.as_secs_f64());
    let reference = sqlite_import(&dir.join("reference.db"), &file)?;
    eprintln!("sqlite3 .import: {:.2} s", reference.as_secs_f64());

    // Database only: the CLI writes; no server, so no index.
    let db_only = dir.join("db-only");
    setup(&args.rapport_bin, &db_only)?;
    let first = import(&args.rapport_bin, &db_only, &file)?;
    let first_counts = Counts::parse(&first.stdout)?;
    eprintln!("first import: {:.1} s, {first_counts:?}", first.wall.as_secs_f64());
    let unique = sqlite_count(&db_only.join("rapport.db"), "SELECT COUNT(*) FROM creators WHERE deleted_at IS NULL")?;
    let again = import(&args.rapport_bin, &db_only, &file)?;
    let again_counts = Counts::parse(&again.stdout)?;
    eprintln!("re-import: {:.1} s, {again_counts:?}", again.wall.as_secs_f64());
    let unique_after = sqlite_count(&db_only.join("rapport.db"), "SELECT COUNT(*) FROM creators")?;

    // With the search index kept in step: a server runs on the data directory and tails the import's changes.
    let with_index = dir.join("with-index");
    setup(&args.rapport_bin, &with_index)?;
    let indexed = import_with_server(&args.rapport_bin, &with_index, &file, unique).await?;
    eprintln!("import with the index kept in step: {:.1} s", indexed.total.as_secs_f64());

    // The dirty file, into a fresh database.
    let dirty_dir = dir.join("dirty");
    setup(&args.rapport_bin, &dirty_dir)?;
    let dirty_run = import(&args.rapport_bin, &dirty_dir, &dirty)?;
    let dirty_counts = Counts::parse(&dirty_run.stdout)?;

    let report = Report {
        args: &args,
        rows,
        bytes,
        parse,
        reference,
        first,
        first_counts,
        unique,
        again,
        again_counts,
        unique_after,
        indexed,
        dirty_rows,
        dirty_counts,
        dirty_stdout: dirty_run.stdout,
        wall: wall.elapsed(),
    }
    .render();
    println!("{report}");
    std::fs::write(dir.join("results.md"), &report)?;
    eprintln!("report written to {}", dir.join("results.md").display());
    Ok(())
}

/// Writes the creators as CSV, each followed with `duplicates_pct` % probability by a fuzzy copy of an earlier
/// creator (email in other case, handle with `@` and capitals, followers as "12.5K", name spaced differently).
fn write_csv(path: &Path, all: &[Creator], duplicates_pct: f64, seed: u64) -> Result<usize> {
    let mut r = StdRng::seed_from_u64(seed ^ 0xB4);
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(path)?));
    w.write_record(HEADER)?;
    let mut rows = 0;
    for (i, c) in all.iter().enumerate() {
        w.write_record(record(c, false))?;
        rows += 1;
        if r.random_bool(duplicates_pct / 100.0) {
            let earlier = &all[r.random_range(0..=i)];
            w.write_record(record(earlier, true))?;
            rows += 1;
        }
    }
    w.flush()?;
    Ok(rows)
}

fn record(c: &Creator, fuzzy: bool) -> Vec<String> {
    let email = format!("creator{}@example.com", c.n);
    let (name, handle, email, followers) = if fuzzy {
        (format!(" {}  ", c.display_name.replace(' ', "  ")), format!("@{}", c.handle.to_uppercase()), email.to_uppercase(), human(c.followers))
    } else {
        (c.display_name.clone(), c.handle.clone(), email, c.followers.to_string())
    };
    vec![
        name,
        handle,
        c.platform.slug().to_string(),
        followers,
        format!("{:.2}%", c.engagement_pct),
        c.average_views.to_string(),
        c.country.to_string(),
        c.language.to_string(),
        email,
        c.niches.join(", "),
        c.bio.clone(),
    ]
}

/// "12.5K", "1.2M" — how exports round large numbers.
fn human(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{:.1}K", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// A small file as spreadsheets really produce them: BOM, `;`, quoted newlines, numbers with decimal commas and
/// words, mixed-case headers, blank cells and emoji. Every 10th row has a follower count that cannot be read.
fn write_dirty(path: &Path) -> Result<usize> {
    let mut out = String::from("\u{feff}FULL NAME;username;PLATFORM;Followers;engagement Rate;E-mail;Bio\r\n");
    let rows = 1_000;
    for i in 0..rows {
        let followers = match i % 10 {
            0 => "n/a".to_string(),
            1 => format!("{},{}M", 1 + i % 9, i % 10),
            2 => format!("{} {}00", 10 + i % 90, i % 10),
            _ => (1_000 + i * 37).to_string(),
        };
        let name = if i % 7 == 0 { format!("Łucja 🌿 {i}") } else { format!("李华 {i}") };
        let bio = if i % 3 == 0 { "\"Line one;\r\nline two\"".to_string() } else { String::new() };
        let _ = write!(out, "{name};dirty_{i};instagram;{followers};\"3,4 %\";Dirty{i}@Example.com;{bio}\r\n");
    }
    std::fs::write(path, out)?;
    Ok(rows)
}

fn parse_only(file: &Path) -> Result<Duration> {
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new().from_path(file)?;
    let mut record = csv::ByteRecord::new();
    let mut fields = 0usize;
    while reader.read_byte_record(&mut record)? {
        fields += record.len();
    }
    std::hint::black_box(fields);
    Ok(started.elapsed())
}

fn sqlite_import(db: &Path, file: &Path) -> Result<Duration> {
    let _ = std::fs::remove_file(db);
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .arg(format!(".import --csv {} creators", file.display()))
        .status()
        .context("running sqlite3 (install the `sqlite3` package)")?;
    let wall = started.elapsed();
    if !status.success() {
        bail!("sqlite3 .import failed");
    }
    Ok(wall)
}

fn sqlite_count(db: &Path, sql: &str) -> Result<u64> {
    let out = Command::new("sqlite3").arg(db).arg(sql).output()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().with_context(|| format!("counting with {sql}"))
}

fn rapport(bin: &Path, data_dir: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env("RAPPORT_DATA_DIR", data_dir).env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    c
}

/// A fresh data directory with the schema and a workspace.
fn setup(bin: &Path, data_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let ok = rapport(bin, data_dir).arg("migrate").status()?.success()
        && rapport(bin, data_dir)
            .args(["admin", "create-user", "--email", "bench@example.com", "--name", "Bench"])
            .args(["--workspace", WORKSPACE])
            .env("RAPPORT_PASSWORD", PASSWORD)
            .stdout(Stdio::null())
            .status()?
            .success();
    if !ok {
        bail!("could not prepare {}", data_dir.display());
    }
    Ok(())
}

fn import_command(bin: &Path, data_dir: &Path, file: &Path) -> Command {
    let mut c = rapport(bin, data_dir);
    c.args(["import", "creators"]).arg(file).args(["--workspace", "bench", "--mode", "upsert", "--match", "email"]);
    c.args(["--platform", "instagram"]);
    c
}

/// Runs the CLI import to the end, sampling its memory high-water mark.
fn import(bin: &Path, data_dir: &Path, file: &Path) -> Result<Timed> {
    let started = Instant::now();
    let mut child = import_command(bin, data_dir, file).stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    let status = loop {
        if let Some(hwm) = high_water_mark(&status_path) {
            peak = Some(hwm);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = started.elapsed();
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        std::io::Read::read_to_string(&mut out, &mut stdout)?;
    }
    if !status.success() {
        bail!("the import failed: {stdout}");
    }
    Ok(Timed { wall, peak_rss: peak, stdout })
}

/// `VmHWM` of a live process, in bytes.
fn high_water_mark(status_path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(status_path).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

struct Indexed {
    /// From the start of the import until every creator is found through the server's search index.
    total: Duration,
    /// The import command alone.
    import: Timed,
}

/// The import while `rapport serve` runs on the same data directory: the server tails the change log into its
/// index. Timed until a text search through the API finds every creator.
async fn import_with_server(bin: &Path, data_dir: &Path, file: &Path, expected: u64) -> Result<Indexed> {
    let key = {
        let out = rapport(bin, data_dir)
            .args(["admin", "create-api-key", "--workspace", "bench", "--name", "bench"])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines().find(|l| l.starts_with("rap_")).context("no API key printed")?.to_string()
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = rapport(bin, data_dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let result = async {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let ready = Instant::now();
        while !client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            if ready.elapsed() > Duration::from_secs(60) {
                bail!("the server did not start");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let started = Instant::now();
        let import = tokio::task::block_in_place(|| import(bin, data_dir, file))?;
        loop {
            let found: serde_json::Value = client
                .get(format!("{base}/api/v1/creators"))
                .query(&[("q", "creator"), ("limit", "1")])
                .bearer_auth(&key)
                .send()
                .await?
                .json()
                .await?;
            if found["total"].as_u64() == Some(expected) {
                break;
            }
            if started.elapsed() > Duration::from_secs(3600) {
                bail!("the index did not catch up: {found}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Indexed { total: started.elapsed(), import })
    }
    .await;
    let _ = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status();
    let _ = server.wait();
    result
}

struct Report<'a> {
    args: &'a ImportArgs,
    rows: usize,
    bytes: u64,
    parse: Duration,
    reference: Duration,
    first: Timed,
    first_counts: Counts,
    unique: u64,
    again: Timed,
    again_counts: Counts,
    unique_after: u64,
    indexed: Indexed,
    dirty_rows: usize,
    dirty_counts: Counts,
    dirty_stdout: String,
    wall: Duration,
}

impl Report<'_> {
    fn render(&self) -> String {
        let s = |d: Duration| format!("{:.1} s", d.as_secs_f64());
        let mb = |b: Option<u64>| b.map_or("–".to_string(), |b| format!("{:.0} MiB", b as f64 / (1024.0 * 1024.0)));
        let ratio = |d: Duration| d.as_secs_f64() / self.reference.as_secs_f64().max(1e-9);
        let verdict = |ok: bool| if ok { "**met**" } else { "**missed**" };
        let mut o = String::new();
        let _ = writeln!(o, "### B4 CSV import — {} creators", self.args.creators);
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "- command: `cargo build --release -p rapport && cargo run --release --manifest-path bench/Cargo.toml -- import --creators {}`",
            self.args.creators
        );
        let _ = writeln!(o, "- machine: {}", crate::report::machine());
        let _ = writeln!(o, "- revision: {}; whole run {}", crate::report::revision(), s(self.wall));
        let _ = writeln!(
            o,
            "- file: {} rows ({} creators + {:.1} % fuzzy duplicates), {:.0} MB; `--mode upsert --match email`",
            self.rows,
            self.args.creators,
            self.args.duplicates_pct,
            self.bytes as f64 / 1e6
        );
        let _ = writeln!(o);
        let _ = writeln!(o, "| run | wall | × sqlite3 .import | peak RSS | created | updated | unchanged | failed |");
        let _ = writeln!(o, "|---|--:|--:|--:|--:|--:|--:|--:|");
        let _ = writeln!(
            o,
            "| reference: `csv` crate, parse only | {} | {:.2}× | – | | | | |",
            s(self.parse),
            ratio(self.parse)
        );
        let _ = writeln!(o, "| reference: `sqlite3 .import --csv`, bare table | {} | 1.00× | – | | | | |", s(self.reference));
        let row = |o: &mut String, what: &str, wall: Duration, t: &Timed, c: &Counts| {
            let _ = writeln!(
                o,
                "| {what} | {} | {:.1}× | {} | {} | {} | {} | {} |",
                s(wall),
                ratio(wall),
                mb(t.peak_rss),
                c.created,
                c.updated,
                c.unchanged,
                c.failed
            );
        };
        row(&mut o, "Rapport first import, database only", self.first.wall, &self.first, &self.first_counts);
        row(&mut o, "Rapport re-import of the same file", self.again.wall, &self.again, &self.again_counts);
        let indexed_counts = Counts::parse(&self.indexed.import.stdout).unwrap_or_default();
        row(
            &mut o,
            "Rapport first import, search index kept in step (until searchable)",
            self.indexed.total,
            &self.indexed.import,
            &indexed_counts,
        );
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Unique creators after the first import: {} (expected {}); after the re-import: {}. The import command \
             alone took {} while the server indexed.",
            self.unique,
            self.args.creators,
            self.unique_after,
            s(self.indexed.import.wall)
        );
        let _ = writeln!(
            o,
            "Dirty file ({} rows: BOM, `;`, quoted newlines, \"1,2M\", \"3,4 %\", \"n/a\", emoji): {} created, {} failed.",
            self.dirty_rows, self.dirty_counts.created, self.dirty_counts.failed
        );
        if let Some(example) = self.dirty_stdout.lines().find(|l| l.trim_start().starts_with("row ")) {
            let _ = writeln!(o, "First error row: `{}`", example.trim());
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "Targets:");
        let _ = writeln!(o);
        let first = ratio(self.first.wall);
        let _ = writeln!(o, "- first import, database only ≤ 2× sqlite3 .import: {} ({first:.1}×)", verdict(first <= 2.0));
        let indexed = ratio(self.indexed.total);
        let _ = writeln!(o, "- with the search index kept in step ≤ 4×: {} ({indexed:.1}×)", verdict(indexed <= 4.0));
        let _ = writeln!(
            o,
            "- re-import ≤ first import: {} ({} vs {})",
            verdict(self.again.wall <= self.first.wall),
            s(self.again.wall),
            s(self.first.wall)
        );
        let peak = [self.first.peak_rss, self.again.peak_rss, self.indexed.import.peak_rss].into_iter().flatten().max();
        let _ = writeln!(
            o,
            "- peak RSS ≤ 1 GiB: {} ({})",
            verdict(peak.is_some_and(|p| p <= 1 << 30)),
            mb(peak)
        );
        let _ = writeln!(
            o,
            "- every creator once: {}",
            verdict(self.unique == self.args.creators as u64 && self.unique_after == self.unique)
        );
        let _ = std::io::stdout().flush();
        o
    }
}
