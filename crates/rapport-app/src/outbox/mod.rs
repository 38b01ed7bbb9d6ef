//! Writing to creators by email. A message is never sent from a request: it is written to
//! the outbox in the same transaction as its timeline event, and the delivery worker
//! ([`deliver`]) sends it. Queuing refuses do-not-contact creators and suppressed
//! addresses, and asks for an explicit, logged override when the outreach lock applies
//! (another member owns the creator, or anyone contacted them within the lock window).

mod compose;
pub mod deliver;
pub mod transactional;

pub use compose::{MAX_BODY, MAX_SUBJECT};

use crate::App;
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::mail_settings::{parse_row, sender_for};
use crate::{timeline, tokens};
use rapport_core::Invalid;
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, OutboxId};
use rapport_core::outbox::{self as rules, LockReason};
use rapport_core::validation::optional_text;
use rapport_store::outbox::{self as store, OutboxRow, OverrideRow};
use rapport_store::{Conn, creators as creator_store, mail_settings, suppressions, users};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// An email as the API and the UI show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmailView {
    #[schema(value_type = String, example = "em_0193…")]
    pub id: OutboxId,
    #[schema(value_type = Option<String>, example = "cr_0193…")]
    pub creator_id: Option<CreatorId>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// `queued`, `sending`, `sent`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i64,
    /// Why the last attempt did not deliver (a server reply, or "throttled …").
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<OutboxRow> for EmailView {
    fn from(r: OutboxRow) -> Self {
        EmailView {
            id: OutboxId(r.id),
            creator_id: r.creator_id.map(CreatorId),
            from: format!("{} <{}>", r.from_name, r.from_email),
            to: r.to_email,
            subject: r.subject,
            body: r.body,
            message_id: r.message_id,
            in_reply_to: r.in_reply_to,
            status: r.status,
            attempts: r.attempts,
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at,
            sent_at: r.sent_at,
            created_at: r.created_at,
        }
    }
}

/// A message to a creator: a subject and body, or a playbook email template rendered for
/// them (with an optional piece of their content and campaign).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    /// Defaults to the creator's primary email address.
    pub to: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// A playbook email template, `tpl_…` (instead of `subject` and `body`).
    pub template_id: Option<String>,
    /// The piece of the creator's content the message refers to.
    pub content_title: Option<String>,
    pub content_url: Option<String>,
    pub campaign_name: Option<String>,
    /// Sends despite the personalisation warnings (the message never mentions the creator,
    /// or a merge field came out blank).
    #[serde(default)]
    pub ignore_warnings: bool,
    /// The Message-ID this answers, for threading.
    pub in_reply_to: Option<String>,
    /// A retry with the same key returns the first message instead of sending twice.
    pub idempotency_key: Option<String>,
    /// Confirms sending despite the outreach lock; the override is logged.
    #[serde(rename = "override", default)]
    pub override_lock: bool,
    /// Why the lock is overridden (kept in the override log).
    pub override_note: Option<String>,
}

/// Whether writing to a creator needs an override, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LockView {
    pub locked: bool,
    pub reasons: Vec<LockReason>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_contact: Option<OffsetDateTime>,
}

/// One logged override of the outreach lock.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OverrideView {
    #[schema(value_type = String, example = "cr_0193…")]
    pub creator_id: CreatorId,
    #[schema(value_type = Option<String>, example = "em_0193…")]
    pub email_id: Option<OutboxId>,
    pub reasons: Vec<LockReason>,
    pub note: Option<String>,
    pub actor: String,
    pub actor_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// The newest contact with a creator that the lock counts: any interaction (emails in and
/// out, logged DMs, calls, meetings) and outreach still on its way in the outbox.
pub(crate) async fn last_contact(c: &mut Conn<'_>, ctx: &Ctx, creator: Uuid) -> AppResult<Option<OffsetDateTime>> {
    let queued = store::last_outreach(c, ctx.ws(), creator).await?;
    let logged = rapport_store::interactions::last_contact(c, ctx.ws(), creator).await?;
    Ok(queued.max(logged))
}

pub(crate) async fn lock_for(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    owner: Option<Uuid>,
    creator: Uuid,
    lock_days: i64,
) -> AppResult<LockView> {
    let owner = match owner {
        Some(o) => Some((o, users::get(c, o).await.map(|u| u.name).unwrap_or_else(|_| "another member".into()))),
        None => None,
    };
    let last = last_contact(c, ctx, creator).await?;
    let sender = ctx.actor.user_id().map(|u| u.0);
    let reasons = rules::lock_reasons(sender, owner.as_ref().map(|(id, n)| (*id, n.as_str())), last, lock_days, now());
    Ok(LockView { locked: !reasons.is_empty(), reasons, last_contact: last })
}

/// Whether the caller would need an override to write to this creator now.
pub async fn lock(app: &App, ctx: &Ctx, creator: CreatorId) -> AppResult<LockView> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let row = require_creator(&mut c, ctx, creator, false).await?;
    let lock_days = mail_settings::get(&mut c, ctx.ws()).await?.map_or(rules::DEFAULT_LOCK_DAYS, |s| s.lock_days);
    lock_for(&mut c, ctx, row.owner_id, row.id, lock_days).await
}

/// The address a message to this creator goes to when none is given: the primary email.
async fn default_recipient(c: &mut Conn<'_>, creator: Uuid) -> AppResult<Option<String>> {
    let contacts = creator_store::contact_points(c, &[creator]).await?;
    let mut emails: Vec<_> = contacts.into_iter().filter(|p| p.kind == "email").collect();
    emails.sort_by_key(|p| !p.is_primary);
    Ok(emails.into_iter().next().map(|p| p.value))
}

fn do_not_contact(name: &str) -> AppError {
    conflict(format!("{name} is marked do not contact; nothing was sent"), "creator")
}

fn conflict(message: String, field: &str) -> AppError {
    AppError::Conflict { message, field: Some(field.into()), existing: None }
}

/// Queues an email to a creator. `origin` is the public origin for the unsubscribe link.
pub async fn queue(app: &App, ctx: &Ctx, creator: CreatorId, input: EmailInput, origin: &str) -> AppResult<EmailView> {
    queue_checked(app, ctx, creator, input, origin, true).await
}

/// Queues an email; `check_lock = false` for the later steps of a sequence, whose lock was
/// checked when the creator was enrolled.
pub(crate) async fn queue_checked(
    app: &App,
    ctx: &Ctx,
    creator: CreatorId,
    input: EmailInput,
    origin: &str,
    check_lock: bool,
) -> AppResult<EmailView> {
    ctx.require_write()?;
    let view = crate::creators::get(app, ctx, creator).await?;
    if view.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let (settings, sender, to) = {
        let mut p = app.db.read().await?;
        let mut c = p.conn();
        if let Some(key) = input.idempotency_key.as_deref().filter(|k| !k.is_empty())
            && let Some(existing) = store::find_by_idempotency_key(&mut c, ctx.ws(), key).await?
        {
            return Ok(existing.into());
        }
        let Some(settings) = mail_settings::get(&mut c, ctx.ws()).await? else {
            return Err(conflict(
                "this workspace has no SMTP server yet: an owner or admin sets it up in Settings → Email".into(),
                "smtp",
            ));
        };
        let settings = parse_row(&settings)?;
        let sender = sender_for(&mut c, ctx, &settings).await?;
        let to = match input.to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(t.to_owned()),
            None => default_recipient(&mut c, view.id.0).await?,
        };
        (settings, sender, to)
    };
    // Checked before composing (a clear answer early) and again inside the transaction.
    if view.do_not_contact {
        return Err(do_not_contact(&view.display_name));
    }

    let mut e = Invalid::new();
    let to = match to.as_deref().map(rapport_core::email::parse) {
        None => {
            e.add("to", "is required: this creator has no email address");
            None
        }
        Some(Err(msg)) => {
            e.add("to", msg);
            None
        }
        Some(Ok(m)) => Some(m),
    };
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let unsubscribe_url = format!("{}/unsubscribe/{token}", origin.trim_end_matches('/'));
    let composed = compose::compose(app, ctx, &view, &input, &sender, &unsubscribe_url, &mut e).await?;
    let in_reply_to = optional_text(&mut e, "in_reply_to", input.in_reply_to.as_deref(), 998);
    let idempotency_key = optional_text(&mut e, "idempotency_key", input.idempotency_key.as_deref(), 200);
    let note = optional_text(&mut e, "override_note", input.override_note.as_deref(), 500);
    e.into_result(())?;
    let (Some(to), Some(composed)) = (to, composed) else {
        return Err(AppError::Internal("a checked message lost its parts".into()));
    };
    if !composed.warnings.is_empty() && !input.ignore_warnings {
        let why: Vec<_> = composed.warnings.iter().map(|w| w.message.as_str()).collect();
        return Err(conflict(
            format!("check the message first: {} Send again with ignore_warnings to go ahead", why.join(" ")),
            "ignore_warnings",
        ));
    }

    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = require_creator(&mut c, ctx, creator, false).await?;
    if row.do_not_contact {
        return Err(do_not_contact(&row.display_name));
    }
    if let Some(s) = suppressions::get(&mut c, ctx.ws(), &to.normalized).await? {
        return Err(conflict(
            format!("{} is on the suppression list ({}); nothing was sent", to.value, s.reason),
            "to",
        ));
    }
    let mut lock = lock_for(&mut c, ctx, row.owner_id, row.id, settings.lock_days).await?;
    if !check_lock {
        lock = LockView { locked: false, reasons: vec![], last_contact: lock.last_contact };
    }
    if lock.locked && !input.override_lock {
        let why: Vec<_> = lock.reasons.iter().map(|r| r.message.as_str()).collect();
        return Err(conflict(
            format!("outreach lock: {}. Send again with an override to go ahead", why.join("; ")),
            "override",
        ));
    }

    let at = now();
    let id = Uuid::now_v7();
    suppressions::insert_token(&mut c, tokens::hash(&token), ctx.ws(), &to.normalized, Some(row.id), at).await?;
    let msg = OutboxRow {
        id,
        workspace_id: ctx.ws(),
        creator_id: Some(row.id),
        kind: "outreach".into(),
        from_name: sender.from_name,
        from_email: sender.from_email.clone(),
        to_email: to.value,
        subject: composed.subject,
        body: composed.body,
        message_id: rules::message_id(id, &sender.from_email),
        references_ids: in_reply_to.clone(),
        in_reply_to,
        unsubscribe_url: Some(unsubscribe_url),
        idempotency_key,
        status: "queued".into(),
        attempts: 0,
        next_attempt_at: at,
        lease_until: None,
        last_error: None,
        sent_at: None,
        created_by: ctx.actor.to_string(),
        created_at: at,
    };
    store::insert(&mut c, &msg).await?;
    if lock.locked {
        let reasons = serde_json::to_string(&lock.reasons).map_err(|e| AppError::Internal(e.to_string()))?;
        let o = OverrideRow {
            id: Uuid::now_v7(),
            creator_id: row.id,
            outbox_id: Some(id),
            reasons,
            note,
            actor: ctx.actor.to_string(),
            actor_label: ctx.actor_label.clone(),
            created_at: at,
        };
        store::insert_override(&mut c, ctx.ws(), &o).await?;
        let codes: Vec<_> = lock.reasons.iter().map(|r| r.code.clone()).collect();
        timeline::record(&mut c, ctx, row.id, "outreach.override", vec![change("lock", codes.join(", "))]).await?;
    }
    timeline::record(&mut c, ctx, row.id, "email.queued", vec![change("subject", msg.subject.clone())]).await?;
    tx.commit().await?;
    app.outbox_wake.notify_one();
    Ok(msg.into())
}

pub(crate) fn change(field: &str, after: String) -> Change {
    Change { field: field.into(), before: Value::Null, after: Value::String(after) }
}

/// One email of the workspace.
pub async fn get(app: &App, ctx: &Ctx, id: OutboxId) -> AppResult<EmailView> {
    let mut p = app.db.read().await?;
    store::get(&mut p.conn(), ctx.ws(), id.0).await?.map(Into::into).ok_or(AppError::NotFound)
}

/// Which emails a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct EmailQuery {
    /// `queued`, `sending`, `sent`, `failed` or `cancelled`.
    pub status: Option<String>,
    /// Only emails to this creator, `cr_…`.
    pub creator_id: Option<String>,
    /// The id of the last email of the previous page.
    pub before: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// The workspace's emails (or one creator's), newest first.
pub async fn list(app: &App, ctx: &Ctx, q: &EmailQuery) -> AppResult<Vec<EmailView>> {
    let mut e = Invalid::new();
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    if let Some(s) = status
        && !["queued", "sending", "sent", "failed", "cancelled"].contains(&s)
    {
        e.add("status", "must be one of queued, sending, sent, failed, cancelled");
    }
    let creator = parse_opt::<CreatorId>(&mut e, "creator_id", q.creator_id.as_deref());
    let before = parse_opt::<OutboxId>(&mut e, "before", q.before.as_deref());
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        e.add("limit", "must be between 1 and 200");
    }
    e.into_result(())?;
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    if let Some(cr) = creator {
        require_creator(&mut c, ctx, cr, true).await?;
    }
    let rows = store::list(&mut c, ctx.ws(), creator.map(|c| c.0), status, before.map(|b| b.0), limit).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

fn parse_opt<T: std::str::FromStr>(e: &mut Invalid, field: &str, v: Option<&str>) -> Option<T>
where
    T::Err: std::fmt::Display,
{
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    v.parse().map_err(|err: T::Err| e.add(field, err.to_string())).ok()
}

/// Cancels an email that has not gone out yet.
pub async fn cancel(app: &App, ctx: &Ctx, id: OutboxId) -> AppResult<EmailView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    if store::cancel(&mut c, ctx.ws(), id.0).await? == 0 {
        return Err(conflict(format!("this email is {} and can no longer be cancelled", row.status), "status"));
    }
    if let Some(creator) = row.creator_id {
        timeline::record(&mut c, ctx, creator, "email.cancelled", vec![change("subject", row.subject.clone())]).await?;
    }
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row.into())
}

/// The override log, newest first (optionally of one creator).
pub async fn overrides(app: &App, ctx: &Ctx, creator: Option<CreatorId>) -> AppResult<Vec<OverrideView>> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    if let Some(cr) = creator {
        require_creator(&mut c, ctx, cr, true).await?;
    }
    let rows = store::list_overrides(&mut c, ctx.ws(), creator.map(|c| c.0), 200).await?;
    Ok(rows
        .into_iter()
        .map(|o| OverrideView {
            creator_id: CreatorId(o.creator_id),
            email_id: o.outbox_id.map(OutboxId),
            reasons: serde_json::from_str(&o.reasons).unwrap_or_default(),
            note: o.note,
            actor: o.actor,
            actor_label: o.actor_label,
            created_at: o.created_at,
        })
        .collect())
}
