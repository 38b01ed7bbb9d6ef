//! Notes on creators.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    pub body: String,
    pub created_by: String,
    pub author_label: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "id, creator_id, body, created_by, author_label, created_at, updated_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, n: &NoteRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO notes (id, workspace_id, creator_id, body, created_by, author_label, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        args![
            n.id,
            workspace_id,
            n.creator_id,
            n.body.clone(),
            n.created_by.clone(),
            n.author_label.clone(),
            n.created_at
        ],
    )
    .await?;
    Ok(())
}

/// A creator's live notes, newest first.
pub async fn list_for(c: &mut Conn<'_>, workspace_id: Uuid, creator_id: Uuid) -> StoreResult<Vec<NoteRow>> {
    c.fetch_all(
        format!(
            "SELECT {COLUMNS} FROM notes WHERE workspace_id = $1 AND creator_id = $2 AND deleted_at IS NULL \
             ORDER BY created_at DESC, id DESC"
        ),
        args![workspace_id, creator_id],
    )
    .await
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<NoteRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM notes WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"),
        args![workspace_id, id],
    )
    .await
}

pub async fn soft_delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE notes SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id, now],
    )
    .await
}
