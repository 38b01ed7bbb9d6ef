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
        Db::Sqlite(p, _) => migrator(Backend::Sqlite).run(p).await?,
        Db::Postgres(p) => migrator(Backend::Postgres).run(p).await?,
    }
    Ok(())
}

/// Applies the migrations up to and including `version` only (to test what a later
/// migration does to existing data).
pub async fn run_to(db: &Db, version: i64) -> StoreResult<()> {
    match db {
        Db::Sqlite(p, _) => migrator(Backend::Sqlite).run_to(version, p).await?,
        Db::Postgres(p) => migrator(Backend::Postgres).run_to(version, p).await?,
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

    /// The engine-neutral shape of a migration: each table with its column names in order,
    /// and every other statement up to a `SELECT` (indexes, drops, the columns an `INSERT`
    /// fills), with comments and spacing removed. Types and generated values may differ.
    /// Trigger and function bodies are engine code (SQLite has no functions): a trigger is
    /// compared up to `FOR EACH ROW` (its name, events and table), a function not at all.
    fn shape(sql: &str) -> Vec<String> {
        let text: String = sql.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join(" ");
        without_trigger_bodies(&without_dollar_quoted(&text))
            .split(';')
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| {
                !s.is_empty() && !s.starts_with("CREATE FUNCTION ") && !s.starts_with("CREATE OR REPLACE FUNCTION ")
            })
            .map(|s| match s.split_once(" FOR EACH ROW") {
                Some((head, _)) if s.starts_with("CREATE TRIGGER ") => format!("{head} FOR EACH ROW"),
                _ => s,
            })
            .map(|s| match s.strip_prefix("CREATE TABLE ") {
                Some(rest) => {
                    let (name, body) = rest.split_once(" (").unwrap_or((rest, ""));
                    let mut depth = 0;
                    let mut items = vec![String::new()];
                    for c in body.chars() {
                        match c {
                            '(' => depth += 1,
                            ')' => depth -= 1,
                            ',' if depth == 0 => items.push(String::new()),
                            _ => {}
                        }
                        if let Some(last) = items.last_mut() {
                            last.push(c);
                        }
                    }
                    let columns: Vec<&str> =
                        items.iter().filter_map(|i| i.trim_start_matches(',').split_whitespace().next()).collect();
                    format!("table {name}: {}", columns.join(", "))
                }
                // An added column's type may differ too (SQLite keeps times as TEXT).
                None if s.starts_with("ALTER TABLE ") && s.contains(" ADD COLUMN ") => {
                    let (head, column) = s.split_once(" ADD COLUMN ").unwrap_or((&s, ""));
                    format!("{head} ADD COLUMN {}", column.split_whitespace().next().unwrap_or(""))
                }
                None => s.split(" SELECT ").next().unwrap_or("").to_string(),
            })
            .collect()
    }

    /// PostgreSQL function bodies (`$$ … $$`) removed.
    fn without_dollar_quoted(sql: &str) -> String {
        sql.split("$$").step_by(2).collect::<Vec<_>>().join(" ")
    }

    /// SQLite trigger bodies (`FOR EACH ROW BEGIN … END;`) cut down to `FOR EACH ROW;`.
    fn without_trigger_bodies(sql: &str) -> String {
        let mut out = String::new();
        let mut rest = sql;
        while let Some(at) = rest.find("FOR EACH ROW") {
            let (head, tail) = rest.split_at(at + "FOR EACH ROW".len());
            out.push_str(head);
            rest = tail;
            if rest.trim_start().starts_with("BEGIN")
                && let Some(end) = rest.find("END;")
            {
                out.push(';');
                rest = &rest[end + "END;".len()..];
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn trigger_and_function_bodies_are_left_out_of_the_shape() {
        let lite =
            "CREATE TRIGGER t AFTER DELETE ON a FOR EACH ROW BEGIN UPDATE b SET x = 1; END; CREATE INDEX i ON a (x);";
        let pg = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE b SET x = 1; END $$; \
                  CREATE TRIGGER t AFTER DELETE ON a FOR EACH ROW EXECUTE FUNCTION f(); CREATE INDEX i ON a (x);";
        let expected =
            vec!["CREATE TRIGGER t AFTER DELETE ON a FOR EACH ROW".to_string(), "CREATE INDEX i ON a (x)".into()];
        assert_eq!(shape(lite), expected);
        assert_eq!(shape(pg), expected);
        assert_ne!(shape(&lite.replace("DELETE", "INSERT")), expected);
    }

    #[test]
    fn both_engines_create_the_same_tables_columns_and_indexes() {
        for (lite, pg) in migrator(Backend::Sqlite).iter().zip(migrator(Backend::Postgres).iter()) {
            assert_eq!(shape(lite.sql.as_str()), shape(pg.sql.as_str()), "migration {}", lite.version);
        }
        let all: Vec<String> = migrator(Backend::Postgres).iter().flat_map(|m| shape(m.sql.as_str())).collect();
        let stage_changes = "table stage_changes: id, workspace_id, creator_id, from_stage, to_stage, actor, \
                             actor_label, reason, changed_at";
        assert!(all.iter().any(|s| s == stage_changes), "{all:?}");
    }
}
