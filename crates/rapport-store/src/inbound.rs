//! Received email: the workspace's IMAP mailbox (settings, the last UID read, a polling
//! lease) and the messages received, matched to a creator or waiting for review; plus the
//! lookups that match a message — earlier messages of its thread, and the sender's address.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailboxRow {
    pub workspace_id: Uuid,
    pub host: String,
    pub port: i64,
    pub security: String,
    pub username: String,
    pub password: String,
    pub folder: String,
    pub poll_seconds: i64,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub last_polled_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub updated_at: OffsetDateTime,
}

const MAILBOX: &str = "SELECT workspace_id, host, port, security, username, password, folder, poll_seconds, \
     uid_validity, last_uid, last_polled_at, last_error, updated_at FROM mailboxes";

pub async fn mailbox(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<Option<MailboxRow>> {
    c.fetch_optional(format!("{MAILBOX} WHERE workspace_id = $1"), args![workspace_id]).await
}

/// Saves the mailbox settings; a changed server or folder starts reading from scratch.
pub async fn put_mailbox(c: &mut Conn<'_>, m: &MailboxRow, updated_by: &str) -> StoreResult<()> {
    c.execute(
        "INSERT INTO mailboxes (workspace_id, host, port, security, username, password, folder, poll_seconds, \
         last_uid, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10) \
         ON CONFLICT (workspace_id) DO UPDATE SET \
         last_uid = CASE WHEN mailboxes.host = excluded.host AND mailboxes.username = excluded.username \
             AND mailboxes.folder = excluded.folder THEN mailboxes.last_uid ELSE 0 END, \
         uid_validity = CASE WHEN mailboxes.host = excluded.host AND mailboxes.username = excluded.username \
             AND mailboxes.folder = excluded.folder THEN mailboxes.uid_validity ELSE NULL END, \
         host = excluded.host, port = excluded.port, security = excluded.security, username = excluded.username, \
         password = excluded.password, folder = excluded.folder, poll_seconds = excluded.poll_seconds, \
         last_error = NULL, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        args![
            m.workspace_id,
            m.host.clone(),
            m.port,
            m.security.clone(),
            m.username.clone(),
            m.password.clone(),
            m.folder.clone(),
            m.poll_seconds,
            updated_by,
            m.updated_at
        ],
    )
    .await?;
    Ok(())
}

pub async fn delete_mailbox(c: &mut Conn<'_>, workspace_id: Uuid) -> StoreResult<u64> {
    c.execute("DELETE FROM mailboxes WHERE workspace_id = $1", args![workspace_id]).await
}

/// Takes the next mailbox due for polling (its interval passed and no other process holds
/// it) and holds it until `lease_until`.
pub async fn claim_mailbox(
    c: &mut Conn<'_>,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> StoreResult<Option<MailboxRow>> {
    let due: Vec<MailboxRow> = c
        .fetch_all(
            format!("{MAILBOX} WHERE (lease_until IS NULL OR lease_until < $1) ORDER BY last_polled_at IS NOT NULL, last_polled_at"),
            args![now],
        )
        .await?;
    for m in due {
        let due_at = m.last_polled_at.map_or(now, |t| t + time::Duration::seconds(m.poll_seconds));
        if due_at > now {
            continue;
        }
        let taken = c
            .execute(
                "UPDATE mailboxes SET lease_until = $2 WHERE workspace_id = $1 \
                 AND (lease_until IS NULL OR lease_until < $3)",
                args![m.workspace_id, lease_until, now],
            )
            .await?;
        if taken == 1 {
            return Ok(Some(m));
        }
    }
    Ok(None)
}

/// Records a finished poll: the UID read up to, the folder's UIDVALIDITY, any error.
pub async fn finish_poll(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    last_uid: i64,
    uid_validity: Option<i64>,
    error: Option<String>,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE mailboxes SET last_uid = $2, uid_validity = $3, last_error = $4, last_polled_at = $5, \
         lease_until = NULL WHERE workspace_id = $1",
        args![workspace_id, last_uid, uid_validity, error, now],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboundRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub source: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references_ids: Option<String>,
    pub from_email: Option<String>,
    pub from_name: Option<String>,
    pub to_emails: String,
    pub subject: String,
    pub body: String,
    pub full_text: String,
    /// JSON array of `{name, content_type, size}`.
    pub attachments: String,
    pub received_at: OffsetDateTime,
    pub creator_id: Option<Uuid>,
    pub status: String,
    pub matched_by: Option<String>,
    pub created_at: OffsetDateTime,
}

const COLUMNS: &str = "id, workspace_id, source, message_id, in_reply_to, references_ids, from_email, from_name, \
     to_emails, subject, body, full_text, attachments, received_at, creator_id, status, matched_by, created_at";

/// Stores a received message; `false` when the workspace already has its Message-ID.
pub async fn insert(c: &mut Conn<'_>, m: &InboundRow) -> StoreResult<bool> {
    let n = c
        .execute(
            format!(
                "INSERT INTO inbound_messages ({COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                 ON CONFLICT (workspace_id, message_id) DO NOTHING"
            ),
            args![
                m.id,
                m.workspace_id,
                m.source.clone(),
                m.message_id.clone(),
                m.in_reply_to.clone(),
                m.references_ids.clone(),
                m.from_email.clone(),
                m.from_name.clone(),
                m.to_emails.clone(),
                m.subject.clone(),
                m.body.clone(),
                m.full_text.clone(),
                m.attachments.clone(),
                m.received_at,
                m.creator_id,
                m.status.clone(),
                m.matched_by.clone(),
                m.created_at
            ],
        )
        .await?;
    Ok(n == 1)
}

pub async fn get(c: &mut Conn<'_>, workspace_id: Uuid, id: Uuid) -> StoreResult<Option<InboundRow>> {
    c.fetch_optional(
        format!("SELECT {COLUMNS} FROM inbound_messages WHERE workspace_id = $1 AND id = $2"),
        args![workspace_id, id],
    )
    .await
}

/// Messages in one status (or of one creator), newest first.
pub async fn list(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    status: Option<&str>,
    creator_id: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<InboundRow>> {
    c.fetch_all(
        format!(
            "SELECT {COLUMNS} FROM inbound_messages WHERE workspace_id = $1 AND ($2 IS NULL OR status = $2) \
             AND ($3 IS NULL OR creator_id = $3) ORDER BY received_at DESC, id DESC LIMIT $4"
        ),
        args![workspace_id, status, creator_id, limit],
    )
    .await
}

/// Files a message under a creator (or dismisses it) from the review inbox.
pub async fn set_match(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    id: Uuid,
    creator_id: Option<Uuid>,
    status: &str,
    matched_by: Option<&str>,
) -> StoreResult<u64> {
    c.execute(
        "UPDATE inbound_messages SET creator_id = $3, status = $4, matched_by = $5 \
         WHERE workspace_id = $1 AND id = $2 AND status = 'review'",
        args![workspace_id, id, creator_id, status, matched_by],
    )
    .await
}

/// The live creator an earlier message of the thread belongs to: one we sent (outbox,
/// ids stored with angle brackets) or one received and matched (ids stored bare).
pub async fn creator_of_thread(c: &mut Conn<'_>, workspace_id: Uuid, ids: &[String]) -> StoreResult<Option<Uuid>> {
    #[derive(sqlx::FromRow)]
    struct Hit {
        creator_id: Uuid,
    }
    for id in ids {
        let hit: Option<Hit> = c
            .fetch_optional(
                "SELECT o.creator_id FROM outbox_messages o JOIN creators c ON c.id = o.creator_id \
                 WHERE o.workspace_id = $1 AND o.message_id = $2 AND c.deleted_at IS NULL \
                 UNION ALL SELECT i.creator_id FROM inbound_messages i JOIN creators c ON c.id = i.creator_id \
                 WHERE i.workspace_id = $1 AND i.message_id = $3 AND c.deleted_at IS NULL LIMIT 1",
                args![workspace_id, format!("<{id}>"), id.clone()],
            )
            .await?;
        if let Some(h) = hit {
            return Ok(Some(h.creator_id));
        }
    }
    Ok(None)
}

/// The live creators whose email contact is this (lower-cased) address.
pub async fn creators_with_address(c: &mut Conn<'_>, workspace_id: Uuid, email: &str) -> StoreResult<Vec<Uuid>> {
    #[derive(sqlx::FromRow)]
    struct Hit {
        creator_id: Uuid,
    }
    let hits: Vec<Hit> = c
        .fetch_all(
            "SELECT p.creator_id FROM contact_points p JOIN creators c ON c.id = p.creator_id \
             WHERE p.workspace_id = $1 AND p.kind = 'email' AND p.normalized = $2 AND c.deleted_at IS NULL",
            args![workspace_id, email],
        )
        .await?;
    Ok(hits.into_iter().map(|h| h.creator_id).collect())
}

/// Live creators whose display name is this (ignoring case), at most `limit`.
pub async fn creators_named(c: &mut Conn<'_>, workspace_id: Uuid, name: &str, limit: i64) -> StoreResult<Vec<Uuid>> {
    #[derive(sqlx::FromRow)]
    struct Hit {
        id: Uuid,
    }
    let hits: Vec<Hit> = c
        .fetch_all(
            "SELECT id FROM creators WHERE workspace_id = $1 AND lower(display_name) = lower($2) \
             AND deleted_at IS NULL ORDER BY id LIMIT $3",
            args![workspace_id, name, limit],
        )
        .await?;
    Ok(hits.into_iter().map(|h| h.id).collect())
}
