//! The creator portal's records: magic sign-in links (`magic_links`), portal sessions
//! (`portal_sessions`) — both keyed by a hash of their secret — and ratings of
//! collaborations (`collaboration_ratings`).

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MagicLinkRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub creator_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

pub async fn insert_link(c: &mut Conn<'_>, r: &MagicLinkRow, token_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO magic_links (id, workspace_id, creator_id, token_hash, expires_at, used_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![r.id, r.workspace_id, r.creator_id, token_hash, r.expires_at, r.used_at, r.created_by.clone(), r.created_at],
    )
    .await?;
    Ok(())
}

/// The link with this secret's hash, in whatever workspace (the secret is the credential).
pub async fn link_by_hash(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<MagicLinkRow>> {
    c.fetch_optional(
        "SELECT id, workspace_id, creator_id, expires_at, used_at, created_by, created_at FROM magic_links \
         WHERE token_hash = $1",
        args![token_hash],
    )
    .await
}

/// Marks a link used if it is still unused and unexpired; 0 when it was not.
pub async fn consume_link(c: &mut Conn<'_>, id: Uuid, at: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE magic_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
        args![id, at],
    )
    .await
}

/// How many links were made for a creator since `since` (to bound how many can be asked for).
pub async fn links_since(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator: Uuid,
    since: OffsetDateTime,
) -> StoreResult<i64> {
    c.scalar_i64(
        "SELECT COUNT(*) FROM magic_links WHERE workspace_id = $1 AND creator_id = $2 AND created_at > $3",
        args![workspace_id, creator, since],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalSessionRow {
    pub workspace_id: Uuid,
    pub creator_id: Uuid,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_session(c: &mut Conn<'_>, r: &PortalSessionRow, token_hash: Vec<u8>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO portal_sessions (token_hash, workspace_id, creator_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![token_hash, r.workspace_id, r.creator_id, r.csrf_token.clone(), r.created_at, r.expires_at],
    )
    .await?;
    Ok(())
}

pub async fn session_by_hash(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<PortalSessionRow>> {
    c.fetch_optional(
        "SELECT workspace_id, creator_id, csrf_token, created_at, expires_at FROM portal_sessions WHERE token_hash = $1",
        args![token_hash],
    )
    .await
}

pub async fn delete_session(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<u64> {
    c.execute("DELETE FROM portal_sessions WHERE token_hash = $1", args![token_hash]).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub id: Uuid,
    pub collaboration_id: Uuid,
    /// `creator` or `brand`.
    pub rated_by: String,
    pub score: i64,
    pub comment: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Saves a side's rating of a collaboration; rating again replaces it.
pub async fn upsert_rating(c: &mut Conn<'_>, workspace_id: Uuid, r: &RatingRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO collaboration_ratings (id, workspace_id, collaboration_id, rated_by, score, comment, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (collaboration_id, rated_by) DO UPDATE SET score = excluded.score, comment = excluded.comment, \
         updated_at = excluded.updated_at",
        args![
            r.id,
            workspace_id,
            r.collaboration_id,
            r.rated_by.clone(),
            r.score,
            r.comment.clone(),
            r.created_at,
            r.updated_at
        ],
    )
    .await?;
    Ok(())
}

/// The ratings of a collaboration (at most one per side).
pub async fn ratings_for(c: &mut Conn<'_>, workspace_id: Uuid, collaboration: Uuid) -> StoreResult<Vec<RatingRow>> {
    c.fetch_all(
        "SELECT id, collaboration_id, rated_by, score, comment, created_at, updated_at FROM collaboration_ratings \
         WHERE workspace_id = $1 AND collaboration_id = $2 ORDER BY rated_by",
        args![workspace_id, collaboration],
    )
    .await
}

/// The live creator of a workspace holding this normalised email address: (id, name, the
/// address as stored).
pub async fn creator_by_email(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    normalized: &str,
) -> StoreResult<Option<(Uuid, String, String)>> {
    c.fetch_optional(
        "SELECT c.id, c.display_name, p.value FROM contact_points p JOIN creators c ON c.id = p.creator_id \
         WHERE p.workspace_id = $1 AND p.kind = 'email' AND p.normalized = $2 AND c.deleted_at IS NULL",
        args![workspace_id, normalized.to_owned()],
    )
    .await
}

/// Whether a file (`fl_…` as stored in the JSON lists) is attached to one of a creator's
/// drafts or to the brief of a campaign they are on.
pub async fn file_visible_to_creator(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator: Uuid,
    file: &str,
) -> StoreResult<bool> {
    let needle = format!("%\"{file}\"%");
    let n = c
        .scalar_i64(
            "SELECT (SELECT COUNT(*) FROM submissions s JOIN deliverables d ON d.id = s.deliverable_id \
               JOIN collaborations l ON l.id = d.collaboration_id \
               WHERE s.workspace_id = $1 AND l.creator_id = $2 AND s.file_ids LIKE $3) \
             + (SELECT COUNT(*) FROM briefs b JOIN collaborations l ON l.campaign_id = b.campaign_id \
               WHERE b.workspace_id = $1 AND l.creator_id = $2 AND b.attachment_ids LIKE $3)",
            args![workspace_id, creator, needle],
        )
        .await?;
    Ok(n > 0)
}
