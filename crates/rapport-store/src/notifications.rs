//! Notifications to team members (`notifications`): written once per person and event
//! (`source_key` is unique per person), listed unread first, marked read one by one or all
//! at once, and counted for the navigation badge. Every read is scoped to a workspace and a
//! person.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub source_key: String,
    /// `queued` or `skipped` (then `email_note` says why).
    pub email_status: String,
    pub email_note: Option<String>,
    pub email_outbox_id: Option<Uuid>,
    pub read_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, workspace_id, user_id, kind, subject, body, link, source_key, email_status, email_note, \
                       email_outbox_id, read_at, created_at";

/// Inserts a notification unless this person already has one with the same source key;
/// returns the rows written (0 for a repeat).
pub async fn insert(c: &mut Conn<'_>, r: &NotificationRow) -> StoreResult<u64> {
    c.execute(
        format!(
            "INSERT INTO notifications ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (user_id, source_key) DO NOTHING"
        ),
        args![
            r.id,
            r.workspace_id,
            r.user_id,
            r.kind.clone(),
            r.subject.clone(),
            r.body.clone(),
            r.link.clone(),
            r.source_key.clone(),
            r.email_status.clone(),
            r.email_note.clone(),
            r.email_outbox_id,
            r.read_at,
            r.created_at
        ],
    )
    .await
}

/// Links a notification to the email queued for it.
pub async fn set_email(c: &mut Conn<'_>, id: Uuid, outbox_id: Uuid) -> StoreResult<u64> {
    c.execute("UPDATE notifications SET email_outbox_id = $2 WHERE id = $1", args![id, outbox_id]).await
}

/// A person's notification in a workspace.
pub async fn get(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<NotificationRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM notifications WHERE workspace_id = $1 AND user_id = $2 AND id = $3"),
        args![workspace_id, user_id, id],
    )
    .await
}

/// A person's notifications in a workspace: unread first, newest first within each.
pub async fn list(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    unread_only: bool,
    limit: i64,
) -> StoreResult<Vec<NotificationRow>> {
    let unread = if unread_only { " AND read_at IS NULL" } else { "" };
    c.fetch_all(
        format!(
            "SELECT {COLUMNS} FROM notifications WHERE workspace_id = $1 AND user_id = $2{unread} \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $3"
        ),
        args![workspace_id, user_id, limit],
    )
    .await
}

/// Marks one notification read (kept as first read); returns the rows found.
pub async fn mark_read(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    at: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE notifications SET read_at = COALESCE(read_at, $4) WHERE workspace_id = $1 AND user_id = $2 AND id = $3",
        args![workspace_id, user_id, id, at],
    )
    .await
}

/// Marks all of a person's unread notifications in a workspace read; returns how many.
pub async fn mark_all_read(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    user_id: Uuid,
    at: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE notifications SET read_at = $3 WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL",
        args![workspace_id, user_id, at],
    )
    .await
}

/// How many unread notifications a person has in a workspace (the navigation badge).
pub async fn unread_count(c: &mut Conn<'_>, workspace_id: Uuid, user_id: Uuid) -> StoreResult<i64> {
    c.scalar_i64(
        "SELECT COUNT(*) FROM notifications WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL",
        args![workspace_id, user_id],
    )
    .await
}
