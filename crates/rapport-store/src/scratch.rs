//! Scratch PostgreSQL databases for tests and benchmarks: a uniquely named database is
//! created through an admin URL, and its URL returned.

use crate::error::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Creates an empty database next to `admin_url` (which must name an existing database
/// and a role allowed to create databases) and returns its URL.
pub async fn create_postgres_database(admin_url: &str, prefix: &str) -> StoreResult<String> {
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Config("database name prefix must be alphanumeric".into()));
    }
    let mut conn = PgConnection::connect(admin_url).await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut conn).await?;
    conn.close().await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(base);
    Ok(format!("{root}/{name}{query}"))
}
