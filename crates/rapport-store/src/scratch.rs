//! Scratch PostgreSQL databases for tests and benchmarks: a uniquely named database is
//! created through an admin URL, and its URL returned.

use crate::error::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::sync::atomic::{AtomicBool, Ordering};

/// Scratch databases older than this are left-overs of earlier runs and are dropped.
const STALE_AFTER_MS: u128 = 6 * 60 * 60 * 1000;

static SWEPT: AtomicBool = AtomicBool::new(false);

/// When a scratch database was made: its name ends with a UUIDv7, whose first 48 bits are
/// the Unix time in milliseconds.
fn created_ms(name: &str, prefix: &str) -> Option<u128> {
    let id = name.strip_prefix(prefix)?.strip_prefix('_')?;
    let id = uuid::Uuid::try_parse(id).ok()?;
    (id.get_version_num() == 7).then(|| u128::from_be_bytes(*id.as_bytes()) >> 80)
}

/// Drops the scratch databases with this prefix that earlier runs left behind (older than
/// six hours; a database still in use is skipped).
async fn drop_stale(conn: &mut PgConnection, prefix: &str) -> StoreResult<()> {
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
        .bind(format!("{prefix}_"))
        .fetch_all(&mut *conn)
        .await?;
    for (name,) in names {
        if created_ms(&name, prefix).is_some_and(|t| now_ms.saturating_sub(t) > STALE_AFTER_MS) {
            let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\""))).execute(&mut *conn).await;
        }
    }
    Ok(())
}

/// Creates an empty database next to `admin_url` (which must name an existing database
/// and a role allowed to create databases) and returns its URL. The first call of a process
/// also drops the stale scratch databases of earlier runs.
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> StoreResult<String> {
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Config("database name prefix must be alphanumeric".into()));
    }
    let mut conn = PgConnection::connect(admin_url).await?;
    if !SWEPT.swap(true, Ordering::SeqCst) {
        drop_stale(&mut conn, prefix).await?;
    }
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut conn).await?;
    conn.close().await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(base);
    Ok(format!("{root}/{name}{query}"))
}

/// Drops a scratch database made by [`create_postgres_database`] (closing the connections
/// still open on it). Only names made there are accepted.
pub async fn drop_postgres_database(admin_url: &str, url: &str) -> StoreResult<()> {
    let path = url.split_once('?').map_or(url, |(b, _)| b);
    let name = path.rsplit_once('/').map_or("", |(_, n)| n);
    let scratch = name.rsplit_once('_').is_some_and(|(prefix, _)| created_ms(name, prefix).is_some());
    if !scratch || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Config(format!("{name:?} is not a scratch database")));
    }
    let mut conn = PgConnection::connect(admin_url).await?;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_database_name_tells_when_it_was_made() {
        let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        let name = format!("rapport_test_{}", uuid::Uuid::now_v7().simple());
        let made = created_ms(&name, "rapport_test").unwrap();
        assert!(made >= before - 1 && made <= before + 1000, "{made} vs {before}");
        assert_eq!(created_ms("rapport_test_notauuid", "rapport_test"), None);
        assert_eq!(created_ms(&name, "rapport_story"), None);
    }

    #[tokio::test]
    async fn only_a_scratch_database_can_be_dropped() {
        // Refused before any connection is made (the admin URL points nowhere).
        for url in
            ["postgres://u@127.0.0.1:1/postgres", "postgres://u@127.0.0.1:1/rapport_test_notauuid?sslmode=disable"]
        {
            let err = drop_postgres_database("postgres://u@127.0.0.1:1/postgres", url).await.unwrap_err();
            assert!(matches!(err, StoreError::Config(_)), "{url}: {err}");
        }
    }
}
