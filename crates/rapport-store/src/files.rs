//! Uploaded files' records: name, sniffed type, size, SHA-256 and the key of the bytes in
//! the content-addressed file store. Deleting is soft; the bytes may be shared.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::Filter;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: Uuid,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_by: String,
    pub created_by_label: String,
    pub created_at: OffsetDateTime,
    pub deleted_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT id, original_name, content_type, size_bytes, sha256, storage_key, created_by, \
                      created_by_label, created_at, deleted_at FROM files";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, f: &FileRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO files (id, workspace_id, original_name, content_type, size_bytes, sha256, storage_key, \
         created_by, created_by_label, created_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            f.id,
            workspace_id,
            f.original_name.clone(),
            f.content_type.clone(),
            f.size_bytes,
            f.sha256.clone(),
            f.storage_key.clone(),
            f.created_by.clone(),
            f.created_by_label.clone(),
            f.created_at,
            f.deleted_at
        ],
    )
    .await?;
    Ok(())
}

/// A file of the workspace that is not deleted.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<FileRow>> {
    c.fetch_optional(
        format!("{SELECT} WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL"),
        args![workspace_id, id],
    )
    .await
}

/// The workspace's live files among `ids` (others are left out), oldest first.
pub async fn list_by_ids(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[Uuid]) -> StoreResult<Vec<FileRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut f = Filter::with_args(args![workspace_id]);
    let list = f.uuid_list(ids);
    let (sql, args) = f.finish(format!(
        "{SELECT} WHERE workspace_id = $1 AND deleted_at IS NULL AND id IN ({list}) ORDER BY created_at, id"
    ));
    c.fetch_all(sql, args).await
}

/// Marks a file deleted; returns how many rows changed (0 when missing or already deleted).
pub async fn soft_delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, at: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE files SET deleted_at = $3 WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL",
        args![workspace_id, id, at],
    )
    .await
}
