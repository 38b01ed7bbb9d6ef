//! API keys: only a hash of the secret is stored, with a visible prefix to recognise it.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

const COLUMNS: &str =
    "id, workspace_id, name, prefix, scope, created_by, created_at, expires_at, revoked_at, last_used_at";

pub async fn insert(c: &mut Conn<'_>, k: &ApiKeyRow, secret_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO api_keys (id, workspace_id, name, prefix, secret_hash, scope, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            k.id,
            k.workspace_id,
            k.name.clone(),
            k.prefix.clone(),
            secret_hash,
            k.scope.clone(),
            k.created_by.clone(),
            k.created_at,
            k.expires_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn find_by_hash(c: &mut Conn<'_>, secret_hash: Vec<u8>) -> StoreResult<Option<ApiKeyRow>> {
    c.fetch_optional(format!("SELECT {COLUMNS} FROM api_keys WHERE secret_hash = $1"), args![secret_hash]).await
}

/// A key with its workspace's settings and the change log's newest sequence number (as
/// [`crate::workspaces::settings_and_latest_change`] reads them).
#[derive(Debug, sqlx::FromRow)]
pub struct KeyWithSettings {
    #[sqlx(flatten)]
    pub key: ApiKeyRow,
    pub settings: String,
    pub latest_change: i64,
}

/// [`find_by_hash`] and its workspace's settings with the change log's position in one
/// statement: what a listing through the API reads before its query, in one round trip.
pub async fn find_by_hash_with_settings(
    c: &mut Conn<'_>,
    secret_hash: Vec<u8>,
) -> StoreResult<Option<KeyWithSettings>> {
    c.fetch_optional(
        format!(
            "SELECT k.*, w.settings, {} AS latest_change \
             FROM (SELECT {COLUMNS} FROM api_keys WHERE secret_hash = $1) k JOIN workspaces w ON w.id = k.workspace_id",
            crate::changes::LATEST
        ),
        args![secret_hash],
    )
    .await
}

pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<ApiKeyRow>> {
    c.fetch_all(
        format!("SELECT {COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"),
        args![workspace_id],
    )
    .await
}

pub async fn revoke(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE api_keys SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        args![workspace_id, id, now],
    )
    .await
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<ApiKeyRow> {
    c.fetch_one(format!("SELECT {COLUMNS} FROM api_keys WHERE workspace_id = $1 AND id = $2"), args![workspace_id, id])
        .await
}

/// Records use at most once a minute per key, to keep reads cheap.
pub async fn touch(c: &mut Conn<'_>, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        args![id, now, now - time::Duration::minutes(1)],
    )
    .await
}
