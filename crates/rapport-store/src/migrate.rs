//! Versioned schema migrations for both engines, embedded in the binary and applied at
//! start. A database whose schema is newer than this binary knows is refused.

use crate::db::{Backend, Db};
use crate::error::{StoreError, StoreResult};
use sqlx::migrate::Migrator;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The migration versions this binary carries for `backend`, ascending.
pub fn known_versions(backend: Backend) -> Vec<i64> {
    migrator(backend).iter().map(|m| m.version).collect()
}

/// The versions already applied to the database (empty for a new database).
pub async fn applied_versions(db: &Db) -> StoreResult<Vec<i64>> {
    let exists_sql = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()"
        }
    };
    if db.scalar_i64(exists_sql, vec![]).await? == 0 {
        return Ok(vec![]);
    }
    let rows: Vec<(i64,)> =
        db.fetch_all("SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version", vec![]).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Refuses a schema newer than this binary, then applies what is missing.
pub async fn run(db: &Db) -> StoreResult<()> {
    let known = known_versions(db.backend());
    let newest_known = known.last().copied().unwrap_or(0);
    if let Some(&found) = applied_versions(db).await?.iter().find(|v| !known.contains(v)) {
        return Err(StoreError::SchemaTooNew { found, known: newest_known });
    }
    match db {
        Db::Sqlite(p) => migrator(Backend::Sqlite).run(p).await?,
        Db::Postgres(p) => migrator(Backend::Postgres).run(p).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migration_versions_and_names() {
        let names = |b| migrator(b).iter().map(|m| (m.version, m.description.to_string())).collect::<Vec<_>>();
        assert_eq!(names(Backend::Sqlite), names(Backend::Postgres));
        assert!(!names(Backend::Sqlite).is_empty());
    }
}
