//! Shortlists: saved searches and hand-picked lists of creators, with their members.

use crate::args;
use crate::db::{Arg, Conn};
use crate::error::StoreResult;
use crate::sql::Filter;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShortlistRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub query: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Live members (static lists), do-not-contact ones included.
    pub members: i64,
    /// Of those, how many are marked do-not-contact (a listing hides them by default).
    pub do_not_contact: i64,
}

const SELECT: &str = "SELECT s.id, s.name, s.kind, s.query, s.created_by, s.created_at, s.updated_at, \
    (SELECT COUNT(*) FROM shortlist_members m JOIN creators c ON c.id = m.creator_id \
     WHERE m.shortlist_id = s.id AND c.deleted_at IS NULL) AS members, \
    (SELECT COUNT(*) FROM shortlist_members m JOIN creators c ON c.id = m.creator_id \
     WHERE m.shortlist_id = s.id AND c.deleted_at IS NULL AND c.do_not_contact = TRUE) AS do_not_contact \
    FROM shortlists s";

pub async fn insert(c: &mut Conn<'_>, ws: Uuid, row: &ShortlistRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO shortlists (id, workspace_id, name, kind, query, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        args![
            row.id,
            ws,
            row.name.clone(),
            row.kind.clone(),
            row.query.clone(),
            row.created_by.clone(),
            row.created_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn list(c: &mut Conn<'_>, ws: Uuid) -> StoreResult<Vec<ShortlistRow>> {
    c.fetch_all(format!("{SELECT} WHERE s.workspace_id = $1 ORDER BY s.name, s.id"), args![ws]).await
}

pub async fn get(c: &mut Conn<'_>, ws: Uuid, id: Uuid) -> StoreResult<Option<ShortlistRow>> {
    c.fetch_optional(format!("{SELECT} WHERE s.workspace_id = $1 AND s.id = $2"), args![ws, id]).await
}

pub async fn update(
    c: &mut Conn<'_>,
    ws: Uuid,
    id: Uuid,
    name: &str,
    query: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE shortlists SET name = $3, query = $4, updated_at = $5 WHERE workspace_id = $1 AND id = $2",
        args![ws, id, name, query, now],
    )
    .await
}

pub async fn delete(c: &mut Conn<'_>, ws: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM shortlists WHERE workspace_id = $1 AND id = $2", args![ws, id]).await
}

/// Adds creators (of the same workspace) to a list; those already on it are skipped.
/// Returns how many were added.
pub async fn add_members(
    c: &mut Conn<'_>,
    ws: Uuid,
    list: Uuid,
    creators: &[Uuid],
    by: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    let mut added = 0;
    for id in creators {
        added += c
            .execute(
                "INSERT INTO shortlist_members (shortlist_id, creator_id, workspace_id, added_by, added_at) \
                 SELECT $1, c.id, c.workspace_id, $4, $5 FROM creators c WHERE c.workspace_id = $2 AND c.id = $3 \
                 ON CONFLICT (shortlist_id, creator_id) DO NOTHING",
                args![list, ws, *id, by, now],
            )
            .await?;
    }
    Ok(added)
}

pub async fn remove_members(c: &mut Conn<'_>, ws: Uuid, list: Uuid, creators: &[Uuid]) -> StoreResult<u64> {
    if creators.is_empty() {
        return Ok(0);
    }
    let mut f = Filter::with_args(args![ws, list]);
    let ids: Vec<String> = creators.iter().map(|id| f.param(Arg::Uuid(*id))).collect();
    let (sql, a) = f.finish(format!(
        "DELETE FROM shortlist_members WHERE workspace_id = $1 AND shortlist_id = $2 AND creator_id IN ({})",
        ids.join(", ")
    ));
    c.execute(sql, a).await
}

/// The creators on a list of the workspace (none for another workspace's list).
pub async fn member_ids(c: &mut Conn<'_>, ws: Uuid, list: Uuid) -> StoreResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = c
        .fetch_all(
            "SELECT creator_id FROM shortlist_members WHERE workspace_id = $1 AND shortlist_id = $2",
            args![ws, list],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The lists a creator is on.
pub async fn of_creator(c: &mut Conn<'_>, ws: Uuid, creator: Uuid) -> StoreResult<Vec<(Uuid, String)>> {
    c.fetch_all(
        "SELECT s.id, s.name FROM shortlist_members m JOIN shortlists s ON s.id = m.shortlist_id \
         WHERE m.workspace_id = $1 AND m.creator_id = $2 ORDER BY s.name",
        args![ws, creator],
    )
    .await
}
