//! The workspace suppression list (addresses no message may be sent to) and the one-click
//! unsubscribe tokens behind `List-Unsubscribe` links, stored hashed.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuppressionRow {
    /// Lower-cased address.
    pub email: String,
    /// `unsubscribed`, `bounced` or `manual`.
    pub reason: String,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

/// Adds an address; `false` when it was already suppressed (the first reason stays).
pub async fn add(c: &mut Conn<'_>, workspace_id: Uuid, s: &SuppressionRow) -> StoreResult<bool> {
    let n = c
        .execute(
            "INSERT INTO suppressions (workspace_id, email, reason, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id, email) DO NOTHING",
            args![workspace_id, s.email.clone(), s.reason.clone(), s.note.clone(), s.created_by.clone(), s.created_at],
        )
        .await?;
    Ok(n == 1)
}

pub async fn remove(c: &mut Conn<'_>, workspace_id: Uuid, email: &str) -> StoreResult<u64> {
    c.execute("DELETE FROM suppressions WHERE workspace_id = $1 AND email = $2", args![workspace_id, email]).await
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, email: &str) -> StoreResult<Option<SuppressionRow>> {
    c.fetch_optional(
        "SELECT email, reason, note, created_by, created_at FROM suppressions WHERE workspace_id = $1 AND email = $2",
        args![workspace_id, email],
    )
    .await
}

/// The list, newest first.
pub async fn list(c: &mut Conn<'_>, workspace_id: Uuid, limit: i64) -> StoreResult<Vec<SuppressionRow>> {
    c.fetch_all(
        "SELECT email, reason, note, created_by, created_at FROM suppressions WHERE workspace_id = $1 \
         ORDER BY created_at DESC, email LIMIT $2",
        args![workspace_id, limit],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub workspace_id: Uuid,
    pub email: String,
    pub creator_id: Option<Uuid>,
    pub used_at: Option<OffsetDateTime>,
}

pub async fn insert_token(
    c: &mut Conn<'_>,
    token_hash: Vec<u8>,
    workspace_id: Uuid,
    email: &str,
    creator_id: Option<Uuid>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    c.execute(
        "INSERT INTO unsubscribe_tokens (token_hash, workspace_id, email, creator_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![token_hash, workspace_id, email, creator_id, now],
    )
    .await?;
    Ok(())
}

pub async fn find_token(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<TokenRow>> {
    c.fetch_optional(
        "SELECT workspace_id, email, creator_id, used_at FROM unsubscribe_tokens WHERE token_hash = $1",
        args![token_hash],
    )
    .await
}

pub async fn mark_token_used(c: &mut Conn<'_>, token_hash: Vec<u8>, now: OffsetDateTime) -> StoreResult<u64> {
    c.execute(
        "UPDATE unsubscribe_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
        args![token_hash, now],
    )
    .await
}

/// Marks a creator's email contact point as opted out (the address they unsubscribed).
pub async fn opt_out_contact(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    email: &str,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE contact_points SET opted_out_at = $3 \
         WHERE workspace_id = $1 AND kind = 'email' AND normalized = $2 AND opted_out_at IS NULL",
        args![workspace_id, email, now],
    )
    .await
}
