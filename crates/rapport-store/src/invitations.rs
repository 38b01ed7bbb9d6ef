//! Invitations to join a workspace: single-use, expiring, stored as a token hash.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, workspace_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at";

pub async fn insert(c: &mut Conn<'_>, i: &InvitationRow, token_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            i.id,
            i.workspace_id,
            i.email.clone(),
            i.role.clone(),
            token_hash,
            i.invited_by.clone(),
            i.created_at,
            i.expires_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn find_by_hash(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<InvitationRow>> {
    c.fetch_optional(format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1"), args![token_hash]).await
}

/// Pending (not accepted, not revoked) invitations, newest first.
pub async fn list_pending(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    now: OffsetDateTime,
) -> StoreResult<Vec<InvitationRow>> {
    c.fetch_all(
        format!(
            "SELECT {COLUMNS} FROM invitations WHERE workspace_id = $1 AND accepted_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC"
        ),
        args![workspace_id, now],
    )
    .await
}

/// Marks an invitation used; answers 0 when it was already used or revoked (single use
/// under concurrency).
pub async fn mark_accepted(c: &mut Conn<'_>, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE invitations SET accepted_at = $2 WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
        args![id, now],
    )
    .await
}

pub async fn revoke(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE invitations SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL",
        args![workspace_id, id, now],
    )
    .await
}
