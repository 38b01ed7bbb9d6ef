//! Multi-row statements for bulk paths (the CSV import): one `INSERT … VALUES (…), (…)`
//! or one `… IN (…)` lookup per chunk of rows instead of one statement per row. Every
//! statement is a round trip to the database — on SQLite, to sqlx's worker thread — and a
//! row-at-a-time writer spends most of its time on those trips.

use crate::db::{Arg, Conn};
use crate::error::StoreResult;

/// Parameters bound to one statement: under SQLite's limit (32 766) and PostgreSQL's
/// (65 535), and small enough that preparing the statement stays cheap.
const MAX_PARAMS: usize = 8_000;

/// Values per `IN (…)` list of a lookup.
pub const LOOKUP_CHUNK: usize = 500;

/// Inserts `rows` (each `width` values, in the order of the columns named in `head`,
/// e.g. `"INSERT INTO t (a, b)"`) with as few statements as the parameter limit allows;
/// `tail` follows each statement (`""` or an `ON CONFLICT …` clause). Returns the number
/// of rows the engine reports inserted.
pub async fn insert(
    c: &mut Conn<'_>,
    head: &'static str,
    width: usize,
    tail: &'static str,
    rows: Vec<Vec<Arg>>,
) -> StoreResult<u64> {
    let per_statement = (MAX_PARAMS / width.max(1)).max(1);
    // SQLite resolves numbered parameters (`$7`) by name, comparing each with every name
    // before it — quadratic in a statement of thousands; plain `?` are numbered in order.
    let anonymous = matches!(c, Conn::Sqlite(_));
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = String::with_capacity(head.len() + tail.len() + per_statement * width * 6);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut args = Vec::with_capacity(per_statement * width);
        for (i, row) in rows.by_ref().take(per_statement).enumerate() {
            debug_assert_eq!(row.len(), width, "a row of {head} has the wrong number of values");
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(args.len() + j + 1).to_string());
                }
            }
            sql.push(')');
            args.extend(row);
        }
        sql.push(' ');
        sql.push_str(tail);
        inserted += c.execute(sql, args).await?;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use crate::db::{Db, DbConfig};

    #[tokio::test]
    async fn rows_beyond_one_statement_are_all_inserted() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&DbConfig::SqliteFile(dir.path().join("t.db"))).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let mut c = tx.conn();
        c.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL)", vec![]).await.unwrap();
        let rows: Vec<Vec<Arg>> = (0..9_001i64).map(|i| args![i, format!("row {i}")]).collect();
        let n = insert(&mut c, "INSERT INTO t (a, b)", 2, "", rows).await.unwrap();
        assert_eq!(n, 9_001);
        let again: Vec<Vec<Arg>> = (9_000..9_003i64).map(|i| args![i, "again"]).collect();
        let n = insert(&mut c, "INSERT INTO t (a, b)", 2, "ON CONFLICT (a) DO NOTHING", again).await.unwrap();
        assert_eq!(n, 2, "the conflicting row is skipped and not counted");
        let (count, last): (i64, String) =
            c.fetch_one("SELECT COUNT(*), MAX(b) FROM t WHERE a >= 9000", vec![]).await.unwrap();
        assert_eq!((count, last.as_str()), (3, "row 9000"));
    }
}
