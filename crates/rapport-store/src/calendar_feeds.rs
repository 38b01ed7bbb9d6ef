//! Calendar feeds (`calendar_feeds`): iCalendar subscriptions of a workspace, one
//! campaign or one creator, keyed by a hash of the secret in their URL. Reads carry the
//! campaign's or creator's name.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarFeedRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// `workspace`, `campaign` or `creator`.
    pub scope: String,
    pub campaign_id: Option<Uuid>,
    pub campaign_name: Option<String>,
    pub creator_id: Option<Uuid>,
    pub creator_name: Option<String>,
    pub label: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT f.id, f.workspace_id, f.scope, f.campaign_id, p.name AS campaign_name, f.creator_id, \
                      c.display_name AS creator_name, f.label, f.created_by, f.created_at, f.revoked_at \
                      FROM calendar_feeds f \
                      LEFT JOIN campaigns p ON p.id = f.campaign_id AND p.workspace_id = f.workspace_id \
                      LEFT JOIN creators c ON c.id = f.creator_id AND c.workspace_id = f.workspace_id";

pub async fn insert(c: &mut Conn<'_>, r: &CalendarFeedRow, token_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO calendar_feeds (id, workspace_id, scope, campaign_id, creator_id, token_hash, label, created_by, \
         created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            r.id,
            r.workspace_id,
            r.scope.clone(),
            r.campaign_id,
            r.creator_id,
            token_hash,
            r.label.clone(),
            r.created_by.clone(),
            r.created_at,
            r.revoked_at
        ],
    )
    .await?;
    Ok(())
}

/// The feed with this secret's hash, in whatever workspace (the secret is the credential).
pub async fn by_hash(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<CalendarFeedRow>> {
    c.fetch_optional(format!("{SELECT} WHERE f.token_hash = $1"), args![token_hash]).await
}

/// A workspace's feeds, newest first (revoked ones included).
pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Vec<CalendarFeedRow>> {
    c.fetch_all(format!("{SELECT} WHERE f.workspace_id = $1 ORDER BY f.id DESC"), args![workspace_id]).await
}

/// Revokes a live feed of the workspace; 0 when there is no such live feed.
pub async fn revoke(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid, at: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE calendar_feeds SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
        args![workspace_id, id, at],
    )
    .await
}
