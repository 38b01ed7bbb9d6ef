//! Interactions with creators (emails, DMs, calls, meetings): insert, read, delete, a
//! creator's interactions in time order, the directions and times responsiveness is computed
//! from, and the creators whose next touch is overdue.

use crate::args;
use crate::db::{Arg, Backend, Conn};
use crate::error::StoreResult;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InteractionRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    /// `email`, `dm`, `call`, `meeting` or `other`.
    pub channel: String,
    /// `inbound` (from the creator) or `outbound` (from us).
    pub direction: String,
    /// For DMs: the platform slug (`instagram`, `tiktok`, …).
    pub platform: Option<String>,
    pub subject: Option<String>,
    pub body: String,
    pub occurred_at: OffsetDateTime,
    pub participants: Option<String>,
    pub thread_id: Option<String>,
    /// An email's `Message-ID`; unique within the workspace when present.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// An email's `References`, space-separated.
    pub references_ids: Option<String>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "i.id, i.creator_id, i.channel, i.direction, i.platform, i.subject, i.body, i.occurred_at, \
    i.participants, i.thread_id, i.message_id, i.in_reply_to, i.references_ids, i.created_by, i.created_at";

pub async fn insert(c: &mut Conn<'_>, workspace_id: Uuid, r: &InteractionRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO interactions (id, workspace_id, creator_id, channel, direction, platform, subject, body, \
         occurred_at, participants, thread_id, message_id, in_reply_to, references_ids, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        args![
            r.id,
            workspace_id,
            r.creator_id,
            r.channel.clone(),
            r.direction.clone(),
            r.platform.clone(),
            r.subject.clone(),
            r.body.clone(),
            r.occurred_at,
            r.participants.clone(),
            r.thread_id.clone(),
            r.message_id.clone(),
            r.in_reply_to.clone(),
            r.references_ids.clone(),
            r.created_by.clone(),
            r.created_at
        ],
    )
    .await?;
    Ok(())
}

/// An interaction of a live creator of the workspace.
pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<InteractionRow>> {
    c.fetch_optional(
        format!(
            "SELECT {COLUMNS} FROM interactions i JOIN creators c ON c.id = i.creator_id AND c.workspace_id = i.workspace_id \
             WHERE i.workspace_id = $1 AND i.id = $2 AND c.deleted_at IS NULL"
        ),
        args![workspace_id, id],
    )
    .await
}

/// The interaction with this email `Message-ID` in the workspace, if one was recorded.
pub async fn by_message_id(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    message_id: &str,
) -> StoreResult<Option<InteractionRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND i.message_id = $2"),
        args![workspace_id, message_id],
    )
    .await
}

pub async fn delete(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM interactions WHERE workspace_id = $1 AND id = $2", args![workspace_id, id]).await
}

/// An interaction of this creator (the cursor of a page).
pub async fn get_of(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<InteractionRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND i.creator_id = $2 AND i.id = $3"),
        args![workspace_id, creator_id, id],
    )
    .await
}

/// A creator's interactions, newest first by when they happened (at most `limit`), after the
/// `(occurred_at, id)` of the previous page's last one.
pub async fn page_for(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
    after: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> StoreResult<Vec<InteractionRow>> {
    let order = "ORDER BY i.occurred_at DESC, i.id DESC";
    match after {
        None => {
            c.fetch_all(
                format!(
                    "SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND i.creator_id = $2 {order} LIMIT $3"
                ),
                args![workspace_id, creator_id, limit],
            )
            .await
        }
        Some((at, id)) => {
            c.fetch_all(
                format!(
                    "SELECT {COLUMNS} FROM interactions i WHERE i.workspace_id = $1 AND i.creator_id = $2 \
                     AND (i.occurred_at < $3 OR (i.occurred_at = $3 AND i.id < $4)) {order} LIMIT $5"
                ),
                args![workspace_id, creator_id, at, id, limit],
            )
            .await
        }
    }
}

/// Every interaction's direction and time for a creator, oldest first (what responsiveness
/// is computed from; two short columns per row).
pub async fn touches(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
) -> StoreResult<Vec<(String, OffsetDateTime)>> {
    c.fetch_all(
        "SELECT direction, occurred_at FROM interactions WHERE workspace_id = $1 AND creator_id = $2 \
         ORDER BY occurred_at, id",
        args![workspace_id, creator_id],
    )
    .await
}

/// A creator whose next touch is overdue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueTouch {
    pub creator_id: Uuid,
    pub display_name: String,
    pub owner_id: Option<Uuid>,
    pub touch_every_days: i64,
    pub created_at: OffsetDateTime,
    pub last_contact_at: Option<OffsetDateTime>,
}

/// The day arithmetic of "the day of the last contact (or creation) + N days is before
/// `today`", per engine (days in UTC). `$1` is the workspace and `$2` today.
fn overdue_sql(backend: Backend, owner_filter: &str) -> String {
    let base = "COALESCE(MAX(i.occurred_at), c.created_at)";
    let due = match backend {
        // Whole days, in UTC, whatever the session's time zone.
        Backend::Postgres => {
            format!("(CAST(({base}) AT TIME ZONE 'UTC' AS DATE) + CAST(c.touch_every_days AS INTEGER))")
        }
        Backend::Sqlite => format!("date({base}, '+' || c.touch_every_days || ' days')"),
    };
    format!(
        "SELECT c.id AS creator_id, c.display_name, c.owner_id, c.touch_every_days, c.created_at, \
         MAX(i.occurred_at) AS last_contact_at \
         FROM creators c LEFT JOIN interactions i ON i.workspace_id = c.workspace_id AND i.creator_id = c.id \
         WHERE c.workspace_id = $1 AND c.deleted_at IS NULL AND NOT c.do_not_contact \
         AND c.touch_every_days IS NOT NULL{owner_filter} \
         GROUP BY c.id, c.display_name, c.owner_id, c.touch_every_days, c.created_at \
         HAVING {due} < $2 ORDER BY {due}, c.id"
    )
}

/// Live creators of `owner` whose next touch is overdue on `today`, most overdue first (at
/// most `limit`). Do-not-contact creators are never due.
pub async fn overdue_touches(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    owner: Uuid,
    today: Date,
    limit: i64,
) -> StoreResult<Vec<DueTouch>> {
    let sql = format!("{} LIMIT $4", overdue_sql(c.backend(), " AND c.owner_id = $3"));
    c.fetch_all(sql, args![workspace_id, today, owner, limit]).await
}

/// How many live creators of the workspace have an overdue next touch.
pub async fn count_overdue_touches(c: &mut Conn<'_>, workspace_id: Uuid, today: Date) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM ({}) due", overdue_sql(c.backend(), ""));
    let a: Vec<Arg> = args![workspace_id, today];
    c.scalar_i64(sql, a).await
}

/// When the creator and the workspace last had any contact (either direction).
pub async fn last_contact(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Uuid,
) -> StoreResult<Option<OffsetDateTime>> {
    #[derive(sqlx::FromRow)]
    struct Last {
        at: Option<OffsetDateTime>,
    }
    let row: Last = c
        .fetch_one(
            "SELECT MAX(occurred_at) AS at FROM interactions WHERE workspace_id = $1 AND creator_id = $2",
            args![workspace_id, creator_id],
        )
        .await?;
    Ok(row.at)
}
