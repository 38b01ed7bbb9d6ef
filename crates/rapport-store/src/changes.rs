//! The creator change log that search indexes follow (one row per write, appended in the
//! writer's transaction), read in sequence order from a checkpoint.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

/// Records that a creator changed.
pub async fn record(c: &mut Conn<'_>, workspace_id: Uuid, creator_id: Uuid) -> StoreResult<()> {
    c.execute(
        "INSERT INTO creator_changes (workspace_id, creator_id, changed_at) VALUES ($1, $2, $3)",
        args![workspace_id, creator_id, rapport_core::actor::now()],
    )
    .await?;
    Ok(())
}

/// Records many changes at once; each row is `(workspace_id, creator_id, changed_at)`.
pub async fn record_many(c: &mut Conn<'_>, rows: Vec<Vec<crate::db::Arg>>) -> StoreResult<()> {
    crate::bulk::insert(c, "INSERT INTO creator_changes (workspace_id, creator_id, changed_at)", 3, "", rows).await?;
    Ok(())
}

/// Records that every creator of a workspace changed (a setting the index derives from).
pub async fn record_workspace(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<u64> {
    c.execute(
        "INSERT INTO creator_changes (workspace_id, creator_id, changed_at) \
         SELECT workspace_id, id, $2 FROM creators WHERE workspace_id = $1",
        args![workspace_id, rapport_core::actor::now()],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub seq: i64,
    pub workspace_id: Uuid,
    pub creator_id: Uuid,
    pub changed_at: OffsetDateTime,
}

/// Changes after `after`, oldest first.
pub async fn since(c: &mut Conn<'_>, after: i64, limit: i64) -> StoreResult<Vec<Change>> {
    c.fetch_all(
        format!(
            "SELECT seq, workspace_id, creator_id, changed_at FROM creator_changes WHERE seq > $1 ORDER BY seq {}",
            crate::sql::limit(limit)
        ),
        args![after],
    )
    .await
}

/// The changes whose sequence numbers fall in these inclusive ranges, oldest first.
pub async fn in_ranges(c: &mut Conn<'_>, ranges: &[(i64, i64)]) -> StoreResult<Vec<Change>> {
    if ranges.is_empty() {
        return Ok(vec![]);
    }
    let mut args = Vec::with_capacity(ranges.len() * 2);
    let mut conditions = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        conditions.push(format!("seq BETWEEN ${} AND ${}", args.len() + 1, args.len() + 2));
        args.extend([crate::db::Arg::I64(*lo), crate::db::Arg::I64(*hi)]);
    }
    c.fetch_all(
        format!(
            "SELECT seq, workspace_id, creator_id, changed_at FROM creator_changes WHERE {} ORDER BY seq",
            conditions.join(" OR ")
        ),
        args,
    )
    .await
}

/// The newest sequence number (0 when the log is empty), as an expression other statements
/// read beside their own columns.
pub(crate) const LATEST: &str = "(SELECT COALESCE(MAX(seq), 0) FROM creator_changes)";

/// The newest sequence number (0 when the log is empty).
pub async fn latest(c: &mut Conn<'_>) -> StoreResult<i64> {
    c.scalar_i64(format!("SELECT {LATEST}"), args![]).await
}

/// The highest sequence number the database has ever handed out, pruned rows included (its
/// sequence, which a backup restores with the data): an index whose checkpoint is past it was
/// built from a newer state of the database than this one.
pub async fn high_water(c: &mut Conn<'_>) -> StoreResult<i64> {
    let sql = match c.backend() {
        crate::Backend::Sqlite => {
            "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'creator_changes'), 0)"
        }
        crate::Backend::Postgres => {
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM creator_changes_seq_seq"
        }
    };
    c.scalar_i64(sql, args![]).await
}

/// The oldest sequence number still kept (None when the log is empty).
pub async fn oldest(c: &mut Conn<'_>) -> StoreResult<Option<i64>> {
    let row: (Option<i64>,) = c.fetch_one("SELECT MIN(seq) FROM creator_changes", args![]).await?;
    Ok(row.0)
}

/// Drops log rows older than `before` (indexes further behind than that rebuild).
pub async fn prune(c: &mut Conn<'_>, before: OffsetDateTime) -> StoreResult<u64> {
    c.execute("DELETE FROM creator_changes WHERE changed_at < $1", args![before]).await
}

/// Whether another transaction that has written anything is still open on this database.
/// A gap in the sequence numbers belongs to such a transaction (its changes are not
/// visible yet) or to one that rolled back (PostgreSQL never gives a sequence number
/// back); with no writer open, every gap is final. SQLite writes one transaction at a
/// time and a rolled-back insert leaves no gap, so there is never one open to wait for.
pub async fn writers_in_flight(c: &mut Conn<'_>) -> StoreResult<bool> {
    if c.backend() == crate::Backend::Sqlite {
        return Ok(false);
    }
    let n = c
        .scalar_i64(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            args![],
        )
        .await?;
    Ok(n > 0)
}
