//! Service emails — a creator's portal sign-in link, a notification to a team member —
//! queued in the caller's transaction through the same outbox and worker as outreach, from
//! the workspace's address. They are not outreach: no unsubscribe link, no outreach lock;
//! without SMTP settings nothing is queued and the caller is told so.

use crate::error::{AppError, AppResult};
use rapport_core::actor::{Actor, now};
use rapport_core::outbox as rules;
use rapport_store::outbox::{self as store, OutboxRow};
use rapport_store::{Conn, mail_settings};
use uuid::Uuid;

/// A service email to one address.
#[derive(Debug, Clone)]
pub struct ServiceEmail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub body: String,
    /// The creator it concerns, if any (it then shows among their emails).
    pub creator_id: Option<Uuid>,
}

/// Queues a service email inside the caller's transaction; `Ok(None)` when the workspace
/// has no SMTP server (nothing can be sent).
pub async fn queue_in(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    actor: &Actor,
    mail: ServiceEmail<'_>,
) -> AppResult<Option<Uuid>> {
    let Some(settings) = mail_settings::get(c, workspace_id).await? else { return Ok(None) };
    let to = rapport_core::email::parse(mail.to).map_err(|m| AppError::Internal(format!("service email: {m}")))?;
    let at = now();
    let id = Uuid::now_v7();
    store::insert(
        c,
        &OutboxRow {
            id,
            workspace_id,
            creator_id: mail.creator_id,
            kind: "transactional".into(),
            from_name: settings.from_name,
            message_id: rules::message_id(id, &settings.from_email),
            from_email: settings.from_email,
            to_email: to.value,
            subject: mail.subject,
            body: mail.body,
            references_ids: None,
            in_reply_to: None,
            unsubscribe_url: None,
            idempotency_key: None,
            status: "queued".into(),
            attempts: 0,
            next_attempt_at: at,
            lease_until: None,
            last_error: None,
            sent_at: None,
            created_by: actor.to_string(),
            created_at: at,
        },
    )
    .await?;
    Ok(Some(id))
}
