//! The storage seam: one [`Db`] over SQLite or PostgreSQL, one [`Tx`], and one way to run a
//! statement with [`Arg`]s. SQL is written once with `$1`-style parameters, which both
//! engines accept (SQLite gets anonymous ones in a statement with very many, see
//! [`crate::sql::positional`]); per-backend arms exist only where the dialects differ.

use crate::error::{StoreError, StoreResult};
use crate::read_pool::{ReadConn, ReadPool};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{AssertSqlSafe, FromRow, PgConnection, PgPool, SqliteConnection, SqlitePool};
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to the one database Rapport stores everything in.
#[derive(Clone, Debug)]
pub enum Db {
    /// Writers (transactions) take sqlx's pool; reads outside a transaction take their own
    /// (see [`crate::read_pool`]).
    Sqlite(SqlitePool, Arc<ReadPool>),
    Postgres(PgPool),
}

/// A value bound to a statement parameter.
#[derive(Debug, Clone)]
pub enum Arg {
    Uuid(Uuid),
    OptUuid(Option<Uuid>),
    Text(String),
    OptText(Option<String>),
    I64(i64),
    OptI64(Option<i64>),
    OptF64(Option<f64>),
    Bool(bool),
    Time(OffsetDateTime),
    OptTime(Option<OffsetDateTime>),
    Date(time::Date),
    OptDate(Option<time::Date>),
    Bytes(Vec<u8>),
}

macro_rules! impl_from_arg {
    ($($t:ty => $v:ident),* $(,)?) => {
        $(impl From<$t> for Arg { fn from(v: $t) -> Self { Arg::$v(v) } })*
    };
}
impl_from_arg!(
    Uuid => Uuid, Option<Uuid> => OptUuid, String => Text, Option<String> => OptText,
    i64 => I64, Option<i64> => OptI64, Option<f64> => OptF64, bool => Bool,
    OffsetDateTime => Time, Option<OffsetDateTime> => OptTime, time::Date => Date,
    Option<time::Date> => OptDate, Vec<u8> => Bytes,
);
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::OptText(v.map(str::to_owned))
    }
}

/// Builds an argument list: `args![id, name, now]`.
#[macro_export]
macro_rules! args {
    ($($e:expr),* $(,)?) => { vec![$($crate::db::Arg::from($e)),*] };
}

/// SQL text: a static string, or one assembled only from static fragments and numbered
/// parameters (see [`crate::sql::Filter`]) — never from user input.
pub type SqlText = Cow<'static, str>;

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Uuid(v) => q.bind(v),
                Arg::OptUuid(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::I64(v) => q.bind(v),
                Arg::OptI64(v) => q.bind(v),
                Arg::OptF64(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Time(v) => q.bind(v),
                Arg::OptTime(v) => q.bind(v),
                Arg::Date(v) => q.bind(v),
                Arg::OptDate(v) => q.bind(v),
                Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

/// A row type readable from both engines.
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A borrowed connection of either engine; every statement runs through it.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    pub async fn execute(&mut self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<u64> {
        let sql = AssertSqlSafe(sql.into());
        Ok(match self {
            Conn::Sqlite(c) => {
                let (sql, args) = crate::sql::positional(sql.0, args);
                bind_all!(sqlx::query(AssertSqlSafe(sql)), args).execute(&mut **c).await?.rows_affected()
            }
            Conn::Postgres(c) => bind_all!(sqlx::query(sql), args).execute(&mut **c).await?.rows_affected(),
        })
    }

    pub async fn fetch_all<T: Row>(&mut self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<Vec<T>> {
        let sql = AssertSqlSafe(sql.into());
        Ok(match self {
            Conn::Sqlite(c) => {
                let (sql, args) = crate::sql::positional(sql.0, args);
                bind_all!(sqlx::query_as(AssertSqlSafe(sql)), args).fetch_all(&mut **c).await?
            }
            Conn::Postgres(c) => bind_all!(sqlx::query_as(sql), args).fetch_all(&mut **c).await?,
        })
    }

    pub async fn fetch_optional<T: Row>(&mut self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<Option<T>> {
        let sql = AssertSqlSafe(sql.into());
        Ok(match self {
            Conn::Sqlite(c) => {
                let (sql, args) = crate::sql::positional(sql.0, args);
                bind_all!(sqlx::query_as(AssertSqlSafe(sql)), args).fetch_optional(&mut **c).await?
            }
            Conn::Postgres(c) => bind_all!(sqlx::query_as(sql), args).fetch_optional(&mut **c).await?,
        })
    }

    pub async fn fetch_one<T: Row>(&mut self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<T> {
        self.fetch_optional(sql, args).await?.ok_or(StoreError::NotFound)
    }

    /// A single `i64` (`SELECT COUNT(*) …`).
    pub async fn scalar_i64(&mut self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<i64> {
        let row: (i64,) = self.fetch_one(sql, args).await?;
        Ok(row.0)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A transaction; dropped without [`Tx::commit`], it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(&mut *t),
            Tx::Postgres(t) => Conn::Postgres(&mut *t),
        }
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// A connection checked out of the pool, for reads outside a transaction.
pub enum Pooled {
    Sqlite(ReadConn),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Pooled {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c.connection()),
            Pooled::Postgres(c) => Conn::Postgres(&mut *c),
        }
    }
}

/// How to open the database.
#[derive(Clone, Debug)]
pub enum DbConfig {
    /// An SQLite file, created when missing.
    SqliteFile(std::path::PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl DbConfig {
    /// `DATABASE_URL` wins when it is a PostgreSQL URL; otherwise the SQLite file in
    /// `data_dir`.
    pub fn choose(database_url: Option<&str>, data_dir: &Path) -> StoreResult<DbConfig> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(DbConfig::Postgres(u.to_owned()))
            }
            Some(u) if u.starts_with("sqlite:") => {
                let path = u.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                Ok(DbConfig::SqliteFile(path.into()))
            }
            Some(_) => Err(StoreError::Config("DATABASE_URL must start with postgres:// or sqlite:".into())),
            None => Ok(DbConfig::SqliteFile(data_dir.join("rapport.db"))),
        }
    }
}

/// How SQLite reads pages of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteReads {
    /// Into each connection's page cache, with a system call and a copy per page.
    #[default]
    Cached,
    /// Through a memory mapping of the file shared by every connection: a page already in the
    /// operating system's cache costs neither. A server reading pages all over a large
    /// database (a search result's creators) spends a third less on them. The mapped pages
    /// count as the process's resident memory, so a one-shot command (an import, whose peak
    /// memory is measured) reads cached.
    Mapped,
}

/// SQLite connections for reads at most (each is a thread; WAL lets them all read while one
/// writes).
const SQLITE_READERS: usize = 8;

/// The most of the file mapped: SQLite's own ceiling on 64-bit Linux (2 GiB less 64 KiB);
/// pages past it are read as with [`SqliteReads::Cached`].
const MMAP_BYTES: u64 = 0x7fff_0000;

impl Db {
    /// Opens the pool. SQLite runs in WAL mode with `synchronous = FULL` (a commit is on
    /// disk before it is acknowledged, even across power loss), foreign keys on, a 5 s
    /// busy timeout and a 32 MiB page cache per connection.
    pub async fn connect(config: &DbConfig) -> StoreResult<Db> {
        Db::connect_with(config, SqliteReads::Cached).await
    }

    /// [`Db::connect`], choosing how SQLite reads its file (PostgreSQL ignores it).
    pub async fn connect_with(config: &DbConfig, reads: SqliteReads) -> StoreResult<Db> {
        match config {
            DbConfig::SqliteFile(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!("cannot create data directory {}: {e}", dir.display()))
                    })?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // 32 MiB of page cache per connection (SQLite's default is 2 MiB): bulk
                    // writes and large reads touch many index pages.
                    .pragma("cache_size", "-32768")
                    // Rows stream from SQLite's worker thread through a channel; a longer
                    // one lets it run ahead of the reader instead of waking it per row.
                    .row_buffer_size(1024);
                let opts = match reads {
                    SqliteReads::Cached => opts,
                    SqliteReads::Mapped => opts.pragma("mmap_size", MMAP_BYTES.to_string()),
                };
                // A pooled SQLite connection is a file handle in this process: pinging it before
                // each use (sqlx's default) only adds a round trip to its worker thread.
                let reads = ReadPool::new(opts.clone(), SQLITE_READERS);
                let pool =
                    SqlitePoolOptions::new().max_connections(8).test_before_acquire(false).connect_with(opts).await?;
                Ok(Db::Sqlite(pool, reads))
            }
            DbConfig::Postgres(url) => {
                let opts = PgConnectOptions::from_str(url)?;
                // One connection first: the pool would retry a refused or rejected connection
                // until its timeout and then report only that it timed out.
                let target = format!("{}:{}/{}", opts.get_host(), opts.get_port(), opts.get_database().unwrap_or(""));
                match tokio::time::timeout(
                    Duration::from_secs(10),
                    <sqlx::PgConnection as sqlx::Connection>::connect_with(&opts),
                )
                .await
                {
                    Ok(Ok(c)) => sqlx::Connection::close(c).await?,
                    Ok(Err(e)) => {
                        return Err(StoreError::Config(format!("cannot connect to PostgreSQL at {target}: {e}")));
                    }
                    Err(_) => {
                        return Err(StoreError::Config(format!(
                            "cannot connect to PostgreSQL at {target}: no answer in 10 s"
                        )));
                    }
                }
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so that concurrent writers wait instead of failing.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A pooled connection for reads (each statement is its own transaction).
    pub async fn read(&self) -> StoreResult<Pooled> {
        Ok(match self {
            Db::Sqlite(_, reads) => Pooled::Sqlite(reads.acquire().await?),
            Db::Postgres(p) => Pooled::Postgres(p.acquire().await?),
        })
    }

    /// Runs one statement on a pooled connection outside any explicit transaction.
    pub async fn execute(&self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<u64> {
        self.read().await?.conn().execute(sql, args).await
    }

    pub async fn fetch_all<T: Row>(&self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<Vec<T>> {
        self.read().await?.conn().fetch_all(sql, args).await
    }

    pub async fn fetch_optional<T: Row>(&self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<Option<T>> {
        self.read().await?.conn().fetch_optional(sql, args).await
    }

    pub async fn fetch_one<T: Row>(&self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<T> {
        self.fetch_optional(sql, args).await?.ok_or(StoreError::NotFound)
    }

    pub async fn scalar_i64(&self, sql: impl Into<SqlText>, args: Vec<Arg>) -> StoreResult<i64> {
        let row: (i64,) = self.fetch_one(sql, args).await?;
        Ok(row.0)
    }

    /// Cheap liveness probe for `/readyz`.
    pub async fn ping(&self) -> StoreResult<()> {
        self.scalar_i64("SELECT CAST(1 AS BIGINT)", vec![]).await.map(|_| ())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, reads) => {
                reads.close().await;
                p.close().await
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn mmap_size(reads: SqliteReads) -> i64 {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect_with(&DbConfig::SqliteFile(dir.path().join("t.db")), reads).await.unwrap();
        db.scalar_i64("PRAGMA mmap_size", vec![]).await.unwrap()
    }

    #[tokio::test]
    async fn a_mapped_database_maps_its_file_and_a_cached_one_does_not() {
        assert_eq!(mmap_size(SqliteReads::Mapped).await, MMAP_BYTES as i64);
        assert_eq!(mmap_size(SqliteReads::Cached).await, 0);
    }
}
