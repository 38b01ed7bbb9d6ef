//! Loading the generated creators into the two systems: a fresh Rapport database through the real store (the same
//! validation and store functions the app's create path uses, many creators per transaction), and a fresh
//! PostgreSQL database with a `tsvector` column, a GIN index and B-trees for the full-text reference.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use rapport_app::{App, AppConfig, DbConfig, IndexLocation, PasswordCost, SqliteReads};
use rapport_core::creators::{AccountInput, AudienceInput, CreatorInput, validate, validate_account};
use rapport_core::ids::{CreatorId, WorkspaceId};
use rapport_core::roles::Role;
use rapport_store::{accounts, creators};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::generate::Creator;

/// Creators per write transaction.
const BATCH: usize = 2_000;
/// Name of the PostgreSQL database of the reference (dropped and recreated by every fresh load).
pub const PG_DATABASE: &str = "rapport_bench_b1";
/// `created_by` of the loaded creators.
const CREATED_BY: &str = "import";

/// What a finished load left behind, recorded next to the data so `--reuse-data` can skip loading.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Marker {
    creators: usize,
    seed: u64,
    workspace: Uuid,
}

/// The Rapport side: the app over the loaded database, its workspace and a read API key.
pub struct Rapport {
    pub app: App,
    pub workspace: WorkspaceId,
    pub api_key: String,
    /// Time to insert the creators; `None` when the data of an earlier run was reused.
    pub load: Option<Duration>,
    pub index_dir: PathBuf,
}

/// Opens (or, unless an earlier run's identical data may be reused, creates and fills) the Rapport database in
/// `dir`. The search index directory is always wiped: the caller rebuilds it and times that.
pub async fn rapport(dir: &Path, all: &[Creator], seed: u64, reuse: bool) -> Result<Rapport> {
    let marker_path = dir.join("loaded.json");
    let wanted = |ws| Marker { creators: all.len(), seed, workspace: ws };
    let reusable: Option<Marker> =
        if reuse { std::fs::read(&marker_path).ok().and_then(|b| serde_json::from_slice(&b).ok()) } else { None };
    let reusable = reusable.filter(|m| *m == wanted(m.workspace));
    if reusable.is_none() && dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let index_dir = dir.join("index");
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir).with_context(|| format!("removing {}", index_dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let config = AppConfig {
        index: IndexLocation::Dir(index_dir.clone()),
        password_cost: PasswordCost::Standard,
        // As `rapport serve` reads it.
        sqlite_reads: SqliteReads::Mapped,
        ..AppConfig::default()
    };
    let app = App::open(&DbConfig::SqliteFile(dir.join("rapport.db")), config).await?;
    let (workspace, load) = match reusable {
        Some(m) => {
            eprintln!("rapport: reusing the {} creators loaded by an earlier run", m.creators);
            (WorkspaceId(m.workspace), None)
        }
        None => {
            let (_, ws) = rapport_app::members::create_user(
                &app,
                "bench@example.com",
                "Bench Owner",
                "bench-password-not-secret",
                "Bench",
                Role::Owner,
            )
            .await?;
            let started = Instant::now();
            let now = rapport_core::actor::now();
            for (k, batch) in all.chunks(BATCH).enumerate() {
                insert_batch(&app, ws.0, batch, now).await?;
                let done = (k + 1) * BATCH;
                if done.is_multiple_of(100_000) {
                    eprintln!("rapport: {done} creators stored ({:.0} s)", started.elapsed().as_secs_f64());
                }
            }
            let took = started.elapsed();
            std::fs::write(&marker_path, serde_json::to_vec(&wanted(ws.0))?)
                .with_context(|| format!("writing {}", marker_path.display()))?;
            (ws, Some(took))
        }
    };
    let (_, api_key) =
        rapport_app::api_keys::create_unchecked(&app, workspace, "system", "bench", "read", None).await?;
    Ok(Rapport { app, workspace, api_key, load, index_dir })
}

/// Stores one batch of creators, each with its account, in one transaction.
async fn insert_batch(app: &App, ws: Uuid, batch: &[Creator], now: OffsetDateTime) -> Result<()> {
    let mut tx = app.db.begin().await?;
    {
        let mut c = tx.conn();
        for cr in batch {
            let draft = validate(&creator_input(cr)).map_err(|e| anyhow!("creator {}: {e}", cr.n))?;
            let account =
                validate_account(&account_input(cr, now), "", now).map_err(|e| anyhow!("account {}: {e}", cr.n))?;
            let id = CreatorId::new().0;
            creators::insert(&mut c, ws, id, &draft, CREATED_BY, now).await?;
            accounts::insert(&mut c, ws, id, Uuid::now_v7(), &account, now).await?;
            creators::refresh_derived(&mut c, ws, id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

fn creator_input(c: &Creator) -> CreatorInput {
    CreatorInput {
        display_name: Some(c.display_name.clone()),
        country: Some(c.country.to_owned()),
        languages: Some(vec![c.language.to_owned()]),
        bio: Some(c.bio.clone()),
        niches: Some(c.niches.iter().map(|n| (*n).to_owned()).collect()),
        source: Some("bench".to_owned()),
        ..CreatorInput::default()
    }
}

fn account_input(c: &Creator, now: OffsetDateTime) -> AccountInput {
    let shares = |v: &[(&str, f64)]| v.iter().map(|(k, s)| ((*k).to_owned(), *s)).collect::<BTreeMap<String, f64>>();
    AccountInput {
        platform: Some(c.platform.slug().to_owned()),
        handle: Some(c.handle.clone()),
        followers: Some(c.followers),
        average_views: Some(c.average_views),
        engagement_rate_pct: Some(c.engagement_pct),
        audience: Some(AudienceInput { genders: shares(&c.genders), age_bands: shares(&c.ages), ..Default::default() }),
        source: Some("bench".to_owned()),
        observed_at: Some(now),
        ..AccountInput::default()
    }
}

/// Time spent on each step of the PostgreSQL load.
#[derive(Clone, Copy, Debug)]
pub struct PgLoad {
    /// `COPY` of the rows (the `tsvector` is a stored generated column, computed here).
    pub copy: Duration,
    /// GIN and B-tree index builds.
    pub indexes: Duration,
    /// `VACUUM ANALYZE`.
    pub analyze: Duration,
}

/// The PostgreSQL reference: one connection (a single client, as in BENCHMARKS.md's reference table).
pub struct Postgres {
    pub conn: PgConnection,
    pub load: Option<PgLoad>,
    /// Table plus indexes, in bytes.
    pub bytes: i64,
}

/// Connection options for the bench database: JIT off and custom plans for every execution, so the reference
/// is at its best for short selective queries (a generic plan of a prepared statement ignores the values).
fn bench_options(admin_url: &str) -> Result<PgConnectOptions> {
    Ok(PgConnectOptions::from_str(admin_url)
        .context("BENCH_DATABASE_URL is not a PostgreSQL URL")?
        .database(PG_DATABASE)
        .options([("jit", "off"), ("plan_cache_mode", "force_custom_plan")]))
}

/// Creates and fills the reference database, or reuses an earlier run's identical one.
pub async fn postgres(admin_url: &str, all: &[Creator], seed: u64, reuse: bool) -> Result<Postgres> {
    let options = bench_options(admin_url)?;
    if reuse
        && let Ok(mut conn) = PgConnection::connect_with(&options).await
        && let Ok((n, s)) =
            sqlx::query_as::<_, (i64, i64)>("SELECT creators, seed FROM bench_meta").fetch_one(&mut conn).await
        && usize::try_from(n).ok() == Some(all.len())
        && s == seed as i64
    {
        eprintln!("postgres: reusing the {n} creators loaded by an earlier run");
        let bytes = table_bytes(&mut conn).await?;
        return Ok(Postgres { conn, load: None, bytes });
    }
    let admin_options = PgConnectOptions::from_str(admin_url).context("BENCH_DATABASE_URL is not a PostgreSQL URL")?;
    let mut admin = PgConnection::connect_with(&admin_options)
        .await
        .with_context(|| format!("connecting to PostgreSQL at {admin_url} (set BENCH_DATABASE_URL)"))?;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")))
        .execute(&mut admin)
        .await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {PG_DATABASE}"))).execute(&mut admin).await?;
    admin.close().await?;

    // One connection, so the session settings below (maintenance memory for the index builds) apply to all steps.
    let pool: PgPool = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    sqlx::query(
        "CREATE TABLE b1_creators (
            id BIGINT PRIMARY KEY,
            display_name TEXT NOT NULL,
            handle TEXT NOT NULL,
            platform TEXT NOT NULL,
            country TEXT NOT NULL,
            language TEXT NOT NULL,
            niches TEXT NOT NULL,
            followers BIGINT NOT NULL,
            average_views BIGINT NOT NULL,
            engagement DOUBLE PRECISION NOT NULL,
            bio TEXT NOT NULL,
            tsv TSVECTOR GENERATED ALWAYS AS
                (to_tsvector('simple', display_name || ' ' || handle || ' ' || niches || ' ' || bio)) STORED
        )",
    )
    .execute(&pool)
    .await?;

    let started = Instant::now();
    {
        let mut conn = pool.acquire().await?;
        let mut copy = conn
            .copy_in_raw(
                "COPY b1_creators (id, display_name, handle, platform, country, language, niches, followers, \
                 average_views, engagement, bio) FROM STDIN",
            )
            .await?;
        let mut buf = String::with_capacity(1 << 21);
        for c in all {
            copy_row(&mut buf, c);
            if buf.len() >= 1 << 20 {
                copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                buf.reserve(1 << 21);
            }
        }
        copy.send(buf.into_bytes()).await?;
        copy.finish().await?;
    }
    let copied = started.elapsed();
    eprintln!("postgres: {} rows copied in {:.1} s", all.len(), copied.as_secs_f64());

    let started = Instant::now();
    sqlx::query("SET maintenance_work_mem = '512MB'").execute(&pool).await?;
    for ddl in [
        "CREATE INDEX b1_creators_tsv ON b1_creators USING GIN (tsv)",
        "CREATE INDEX b1_creators_followers ON b1_creators (followers)",
        "CREATE INDEX b1_creators_platform_country_followers ON b1_creators (platform, country, followers)",
    ] {
        sqlx::query(ddl).execute(&pool).await?;
    }
    let indexes = started.elapsed();
    let started = Instant::now();
    sqlx::query("VACUUM ANALYZE b1_creators").execute(&pool).await?;
    let analyze = started.elapsed();
    sqlx::query("CREATE TABLE bench_meta (creators BIGINT NOT NULL, seed BIGINT NOT NULL)").execute(&pool).await?;
    sqlx::query("INSERT INTO bench_meta VALUES ($1, $2)")
        .bind(i64::try_from(all.len())?)
        .bind(seed as i64)
        .execute(&pool)
        .await?;
    pool.close().await;

    let mut conn = PgConnection::connect_with(&options).await?;
    let bytes = table_bytes(&mut conn).await?;
    Ok(Postgres { conn, load: Some(PgLoad { copy: copied, indexes, analyze }), bytes })
}

async fn table_bytes(conn: &mut PgConnection) -> Result<i64> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT pg_total_relation_size('b1_creators')").fetch_one(conn).await?.0)
}

/// One row in `COPY … FROM STDIN` text format.
fn copy_row(buf: &mut String, c: &Creator) {
    use std::fmt::Write;
    let niches = c.niches.join(" ");
    let fields: [&str; 7] = [&c.display_name, &c.handle, c.platform.slug(), c.country, c.language, &niches, &c.bio];
    let _ = write!(buf, "{}", c.n);
    for (k, f) in fields.iter().enumerate() {
        buf.push('\t');
        escape_into(buf, f);
        if k == 5 {
            // followers, average_views and engagement sit between niches and bio.
            let _ = write!(buf, "\t{}\t{}\t{}", c.followers, c.average_views, c.engagement_pct);
        }
    }
    buf.push('\n');
}

fn escape_into(buf: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            _ => buf.push(ch),
        }
    }
}
