//! Browser sessions (hashed tokens) and failed-login records for rate limiting.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub workspace_id: Uuid,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

pub async fn insert(c: &mut Conn<'_>, token_hash: Vec<u8>, s: &SessionRow, now: OffsetDateTime) -> StoreResult<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, workspace_id, csrf_token, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5)",
        args![token_hash, s.user_id, s.workspace_id, s.csrf_token.clone(), now, s.expires_at],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<Option<SessionRow>> {
    c.fetch_optional(
        "SELECT user_id, workspace_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE token_hash = $1",
        args![token_hash],
    )
    .await
}

/// Slides the expiry forward.
pub async fn touch(
    c: &mut Conn<'_>,
    token_hash: Vec<u8>,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
        args![token_hash, now, expires_at],
    )
    .await
}

pub async fn switch_workspace(c: &mut Conn<'_>, token_hash: Vec<u8>, workspace_id: Uuid) -> StoreResult<u64> {
    c.execute("UPDATE sessions SET workspace_id = $2 WHERE token_hash = $1", args![token_hash, workspace_id]).await
}

pub async fn delete(c: &mut Conn<'_>, token_hash: Vec<u8>) -> StoreResult<u64> {
    c.execute("DELETE FROM sessions WHERE token_hash = $1", args![token_hash]).await
}

/// Ends every session of a user (password reset, removal from the last workspace).
pub async fn delete_for_user(c: &mut Conn<'_>, user_id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id]).await
}

/// Ends a user's sessions that point at one workspace (after removal from it).
pub async fn delete_for_member(c: &mut Conn<'_>, workspace_id: Uuid, user_id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2", args![workspace_id, user_id]).await
}

pub async fn record_login_failure(c: &mut Conn<'_>, subject_hash: Vec<u8>, now: OffsetDateTime) -> StoreResult<()> {
    c.execute(
        "INSERT INTO login_failures (id, subject_hash, at) VALUES ($1, $2, $3)",
        args![Uuid::now_v7(), subject_hash, now],
    )
    .await?;
    Ok(())
}

pub async fn login_failures_since(c: &mut Conn<'_>, subject_hash: Vec<u8>, since: OffsetDateTime) -> StoreResult<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM login_failures WHERE subject_hash = $1 AND at >= $2", args![subject_hash, since])
        .await
}

pub async fn clear_login_failures(c: &mut Conn<'_>, subject_hash: Vec<u8>) -> StoreResult<u64> {
    c.execute("DELETE FROM login_failures WHERE subject_hash = $1", args![subject_hash]).await
}

/// Housekeeping: drops expired sessions and old failure records.
pub async fn purge_expired(c: &mut Conn<'_>, now: OffsetDateTime, failures_before: OffsetDateTime) -> StoreResult<u64> {
    let a = c.execute("DELETE FROM sessions WHERE expires_at < $1", args![now]).await?;
    let b = c.execute("DELETE FROM login_failures WHERE at < $1", args![failures_before]).await?;
    Ok(a + b)
}
