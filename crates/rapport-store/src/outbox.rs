//! The email outbox: messages waiting, being sent, sent or given up on; the claim a worker
//! takes on a due message (a lease, so a crashed worker's message is taken again); the
//! per-sender counts the throttle reads; and the log of outreach-lock overrides.

use crate::args;
use crate::db::{Backend, Conn};
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub creator_id: Option<Uuid>,
    pub kind: String,
    pub from_name: String,
    pub from_email: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references_ids: Option<String>,
    pub unsubscribe_url: Option<String>,
    pub idempotency_key: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: OffsetDateTime,
    pub lease_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub sent_at: Option<OffsetDateTime>,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, workspace_id, creator_id, kind, from_name, from_email, to_email, subject, body, \
     message_id, in_reply_to, references_ids, unsubscribe_url, idempotency_key, status, attempts, \
     next_attempt_at, lease_until, last_error, sent_at, created_by, created_at";

pub async fn insert(c: &mut Conn<'_>, m: &OutboxRow) -> StoreResult<()> {
    c.execute(
        format!(
            "INSERT INTO outbox_messages ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
        ),
        args![
            m.id,
            m.workspace_id,
            m.creator_id,
            m.kind.clone(),
            m.from_name.clone(),
            m.from_email.clone(),
            m.to_email.clone(),
            m.subject.clone(),
            m.body.clone(),
            m.message_id.clone(),
            m.in_reply_to.clone(),
            m.references_ids.clone(),
            m.unsubscribe_url.clone(),
            m.idempotency_key.clone(),
            m.status.clone(),
            m.attempts,
            m.next_attempt_at,
            m.lease_until,
            m.last_error.clone(),
            m.sent_at,
            m.created_by.clone(),
            m.created_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<OutboxRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM outbox_messages WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

pub async fn find_by_idempotency_key(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    key: &str,
) -> StoreResult<Option<OutboxRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM outbox_messages WHERE workspace_id = $1 AND idempotency_key = $2"),
        args![workspace_id, key],
    )
    .await
}

/// A workspace's messages, newest first, optionally of one creator and one status; `before`
/// is the id of the last message of the previous page.
pub async fn list(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Option<Uuid>,
    status: Option<&str>,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<OutboxRow>> {
    c.fetch_all(
        format!(
            "SELECT {COLUMNS} FROM outbox_messages WHERE workspace_id = $1 \
             AND ($2 IS NULL OR creator_id = $2) AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR id < $4) \
             ORDER BY id DESC LIMIT $5"
        ),
        args![workspace_id, creator_id, status, before, limit],
    )
    .await
}

/// Takes the next due message for delivery: a queued message whose time has come, or one
/// whose previous worker's lease ran out. Counts the attempt. Safe with several workers:
/// SQLite runs it inside one `BEGIN IMMEDIATE` statement, PostgreSQL skips locked rows.
pub async fn claim(
    c: &mut Conn<'_>,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> StoreResult<Option<OutboxRow>> {
    let lock = match c.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    c.fetch_optional(
        format!(
            "UPDATE outbox_messages SET status = 'sending', lease_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox_messages \
                 WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1) \
                 ORDER BY next_attempt_at, id LIMIT 1{lock}) \
             RETURNING {COLUMNS}"
        ),
        args![now, lease_until],
    )
    .await
}

/// The earliest time a queued message becomes due, to sleep until it.
pub async fn next_due(c: &mut Conn<'_>) -> StoreResult<Option<OffsetDateTime>> {
    #[derive(sqlx::FromRow)]
    struct Due {
        at: Option<OffsetDateTime>,
    }
    let row: Due =
        c.fetch_one("SELECT MIN(next_attempt_at) AS at FROM outbox_messages WHERE status = 'queued'", vec![]).await?;
    Ok(row.at)
}

/// How a delivery attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent {
        at: OffsetDateTime,
    },
    /// Back to the queue until `at`; `count_attempt = false` when the attempt never reached
    /// the server (throttled).
    Retry {
        at: OffsetDateTime,
        error: String,
        count_attempt: bool,
    },
    Failed {
        error: String,
    },
}

/// Records the end of an attempt on a message this worker holds (status `sending`).
pub async fn finish(c: &mut Conn<'_>, id: Uuid, outcome: &Outcome) -> StoreResult<u64> {
    match outcome {
        Outcome::Sent { at } => {
            c.execute(
                "UPDATE outbox_messages SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL \
                 WHERE id = $1 AND status = 'sending'",
                args![id, *at],
            )
            .await
        }
        Outcome::Retry { at, error, count_attempt } => {
            let undo = if *count_attempt { 0 } else { 1 };
            c.execute(
                "UPDATE outbox_messages SET status = 'queued', next_attempt_at = $2, last_error = $3, \
                 lease_until = NULL, attempts = attempts - $4 WHERE id = $1 AND status = 'sending'",
                args![id, *at, error.clone(), undo as i64],
            )
            .await
        }
        Outcome::Failed { error } => {
            c.execute(
                "UPDATE outbox_messages SET status = 'failed', last_error = $2, lease_until = NULL \
                 WHERE id = $1 AND status = 'sending'",
                args![id, error.clone()],
            )
            .await
        }
    }
}

/// Cancels a message that has not been taken for delivery.
pub async fn cancel(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<u64> {
    c.execute(
        "UPDATE outbox_messages SET status = 'cancelled' WHERE workspace_id = $1 AND id = $2 AND status = 'queued'",
        args![workspace_id, id],
    )
    .await
}

/// Messages a sender address of a workspace delivered since `since`, and the oldest of them.
pub async fn sent_since(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    from_email: &str,
    since: OffsetDateTime,
) -> StoreResult<(i64, Option<OffsetDateTime>)> {
    #[derive(sqlx::FromRow)]
    struct Window {
        n: i64,
        oldest: Option<OffsetDateTime>,
    }
    let w: Window = c
        .fetch_one(
            "SELECT COUNT(*) AS n, MIN(sent_at) AS oldest FROM outbox_messages \
             WHERE workspace_id = $1 AND from_email = $2 AND sent_at > $3",
            args![workspace_id, from_email, since],
        )
        .await?;
    Ok((w.n, w.oldest))
}

/// When this creator was last written to through the outbox (sent, or waiting to be).
pub async fn last_outreach(
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
            "SELECT MAX(created_at) AS at FROM outbox_messages \
             WHERE workspace_id = $1 AND creator_id = $2 AND status IN ('queued', 'sending', 'sent')",
            args![workspace_id, creator_id],
        )
        .await?;
    Ok(row.at)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OverrideRow {
    pub id: Uuid,
    pub creator_id: Uuid,
    pub outbox_id: Option<Uuid>,
    /// JSON array of the lock reasons that were overridden.
    pub reasons: String,
    pub note: Option<String>,
    pub actor: String,
    pub actor_label: String,
    pub created_at: OffsetDateTime,
}

pub async fn insert_override(c: &mut Conn<'_>, workspace_id: Uuid, o: &OverrideRow) -> StoreResult<()> {
    c.execute(
        "INSERT INTO outreach_overrides (id, workspace_id, creator_id, outbox_id, reasons, note, actor, actor_label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            o.id,
            workspace_id,
            o.creator_id,
            o.outbox_id,
            o.reasons.clone(),
            o.note.clone(),
            o.actor.clone(),
            o.actor_label.clone(),
            o.created_at
        ],
    )
    .await?;
    Ok(())
}

/// The override log of a workspace (or one creator), newest first.
pub async fn list_overrides(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    creator_id: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<OverrideRow>> {
    c.fetch_all(
        "SELECT id, creator_id, outbox_id, reasons, note, actor, actor_label, created_at FROM outreach_overrides \
         WHERE workspace_id = $1 AND ($2 IS NULL OR creator_id = $2) ORDER BY created_at DESC, id DESC LIMIT $3",
        args![workspace_id, creator_id, limit],
    )
    .await
}
