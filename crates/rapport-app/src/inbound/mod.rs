//! Received email, however it arrives — polled from the workspace's IMAP mailbox
//! ([`imap`]) or imported from `.eml` / mbox files. Each message is stored once per
//! Message-ID and matched to a creator: first by its thread (In-Reply-To / References
//! naming a message we sent or already filed), then by the sender's address. A match is
//! recorded on the creator's timeline; anything else waits in the review inbox, where a
//! member files it under a creator or dismisses it.

pub mod imap;
mod mailbox;

pub use mailbox::{MailboxInput, MailboxView, delete_mailbox, get_mailbox, put_mailbox, validate as validate_mailbox};

use crate::App;
use crate::context::Ctx;
use crate::creators::require_creator;
use crate::error::{AppError, AppResult};
use crate::interactions::NewInteraction;
use crate::outbox::change;
use crate::timeline;
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::{CreatorId, InboundId, WorkspaceId};
use rapport_core::inbound::{self as parse, ParsedEmail};
use rapport_core::interactions::{Channel, Direction};
use rapport_store::Conn;
use rapport_store::inbound::{self as store, InboundRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// Where a received message was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Under this creator, by `thread` or `address`.
    Creator(Uuid, &'static str),
    /// In the review inbox: no thread or address matched.
    Review,
    /// Already received (same Message-ID): nothing changed.
    Duplicate,
    /// Not an email message.
    Unreadable,
}

/// A received message as the API and the review inbox show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboundView {
    #[schema(value_type = String, example = "in_0193…")]
    pub id: InboundId,
    /// `imap` or `import`.
    pub source: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub from_email: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    /// The reply without the quoted history.
    pub body: String,
    #[schema(value_type = Vec<Object>)]
    pub attachments: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    #[schema(value_type = Option<String>, example = "cr_0193…")]
    pub creator_id: Option<CreatorId>,
    /// `matched`, `review` or `dismissed`.
    pub status: String,
    /// `thread`, `address` or `manual`.
    pub matched_by: Option<String>,
}

impl From<InboundRow> for InboundView {
    fn from(r: InboundRow) -> Self {
        InboundView {
            id: InboundId(r.id),
            source: r.source,
            message_id: r.message_id,
            in_reply_to: r.in_reply_to,
            from_email: r.from_email,
            from_name: r.from_name,
            subject: r.subject,
            body: r.body,
            attachments: serde_json::from_str(&r.attachments).unwrap_or_default(),
            received_at: r.received_at,
            creator_id: r.creator_id.map(CreatorId),
            status: r.status,
            matched_by: r.matched_by,
        }
    }
}

/// The longest body kept, in characters (the rest of a long thread is history).
const MAX_TEXT: usize = 100_000;

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

/// The thread's earlier messages, most recent first.
fn thread_ids(p: &ParsedEmail) -> Vec<String> {
    let mut ids = p.in_reply_to.clone();
    ids.extend(p.references.iter().rev().cloned());
    ids.dedup();
    ids
}

/// Which live creator a message belongs to, and how that was decided.
async fn matching_creator(c: &mut Conn<'_>, ws: Uuid, p: &ParsedEmail) -> AppResult<Option<(Uuid, &'static str)>> {
    if let Some(creator) = store::creator_of_thread(c, ws, &thread_ids(p)).await? {
        return Ok(Some((creator, "thread")));
    }
    if let Some(from) = &p.from_email
        && let [creator] = store::creators_with_address(c, ws, from).await?.as_slice()
    {
        return Ok(Some((*creator, "address")));
    }
    Ok(None)
}

/// Files one raw message into a workspace, in one transaction.
pub async fn receive(app: &App, workspace: Uuid, raw: &[u8], source: &str) -> AppResult<Filed> {
    let Some(p) = parse::parse(raw) else { return Ok(Filed::Unreadable) };
    let message_id = p.message_id.clone().unwrap_or_else(|| format!("sha256:{}", hex::encode(Sha256::digest(raw))));
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let matched = matching_creator(&mut c, workspace, &p).await?;
    let attachments: Vec<_> = p
        .attachments
        .iter()
        .map(|a| serde_json::json!({"name": a.name, "content_type": a.content_type, "size": a.size}))
        .collect();
    let at = now();
    let row = InboundRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        source: source.into(),
        message_id,
        in_reply_to: p.in_reply_to.first().cloned(),
        references_ids: Some(p.references.join(" ")).filter(|r| !r.is_empty()),
        from_email: p.from_email.clone(),
        from_name: p.from_name.clone(),
        to_emails: p.to.join(", "),
        subject: clip(&p.subject),
        body: clip(&p.reply),
        full_text: clip(&p.text),
        attachments: serde_json::Value::Array(attachments).to_string(),
        received_at: p.date.filter(|d| *d <= at).unwrap_or(at),
        creator_id: matched.map(|(c, _)| c),
        status: if matched.is_some() { "matched" } else { "review" }.into(),
        matched_by: matched.map(|(_, how)| how.to_string()),
        created_at: at,
    };
    if !store::insert(&mut c, &row).await? {
        return Ok(Filed::Duplicate);
    }
    let filed = match matched {
        Some((creator, how)) => {
            file_under(&mut c, workspace, creator, &row).await?;
            Filed::Creator(creator, how)
        }
        None => Filed::Review,
    };
    tx.commit().await?;
    Ok(filed)
}

/// What filing a message under a creator records.
async fn file_under(c: &mut Conn<'_>, workspace: Uuid, creator: Uuid, row: &InboundRow) -> AppResult<()> {
    let ctx = Ctx::system(WorkspaceId(workspace), Actor::System, "Email");
    timeline::record(c, &ctx, creator, "email.received", vec![change("subject", row.subject.clone())]).await?;
    let mut new =
        NewInteraction::new(CreatorId(creator), Channel::Email, Direction::Inbound, row.body.clone(), row.received_at);
    new.subject = Some(row.subject.clone()).filter(|s| !s.is_empty());
    new.message_id = Some(row.message_id.clone());
    new.in_reply_to = row.in_reply_to.clone();
    new.references_ids = row.references_ids.clone();
    new.participants = row.from_email.clone();
    crate::interactions::record_in_tx(c, &ctx, new).await?;
    crate::sequences::stop_all(c, &ctx, creator, "replied").await
}

/// What importing a file did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub messages: usize,
    pub matched: usize,
    pub review: usize,
    pub duplicates: usize,
    pub unreadable: usize,
}

/// Imports an `.eml` file or an mbox file (several messages, each starting with a
/// `From ` line).
pub async fn import(app: &App, ctx: &Ctx, bytes: &[u8]) -> AppResult<ImportSummary> {
    ctx.require_write()?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Invalid::one("file", "is empty: choose an .eml or mbox file").into());
    }
    let messages = if bytes.starts_with(b"From ") { parse::split_mbox(bytes) } else { vec![bytes.to_vec()] };
    let mut s = ImportSummary { messages: messages.len(), ..Default::default() };
    for raw in &messages {
        match receive(app, ctx.ws(), raw, "import").await? {
            Filed::Creator(..) => s.matched += 1,
            Filed::Review => s.review += 1,
            Filed::Duplicate => s.duplicates += 1,
            Filed::Unreadable => s.unreadable += 1,
        }
    }
    if s.unreadable == s.messages {
        return Err(Invalid::one("file", "is not an email message (.eml) or an mbox file").into());
    }
    Ok(s)
}

/// Which received messages a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct InboundQuery {
    /// `review` (the default), `matched` or `dismissed`.
    pub status: Option<String>,
    /// Only this creator's messages, `cr_…` (any status).
    pub creator_id: Option<String>,
}

pub async fn list(app: &App, ctx: &Ctx, q: &InboundQuery) -> AppResult<Vec<InboundView>> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let creator = match q.creator_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(require_creator(&mut c, ctx, s.parse().map_err(|_| AppError::NotFound)?, true).await?.id),
        None => None,
    };
    let status = match (q.status.as_deref().filter(|s| !s.is_empty()), creator) {
        (None, Some(_)) => None,
        (None, None) => Some("review"),
        (Some(s @ ("review" | "matched" | "dismissed")), _) => Some(s),
        (Some(_), _) => return Err(Invalid::one("status", "must be one of review, matched, dismissed").into()),
    };
    let rows = store::list(&mut c, ctx.ws(), status, creator, 500).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get(app: &App, ctx: &Ctx, id: InboundId) -> AppResult<InboundView> {
    let mut p = app.db.read().await?;
    store::get(&mut p.conn(), ctx.ws(), id.0).await?.map(Into::into).ok_or(AppError::NotFound)
}

/// Files a message from the review inbox under a creator.
pub async fn assign(app: &App, ctx: &Ctx, id: InboundId, creator: CreatorId) -> AppResult<InboundView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    let creator = require_creator(&mut c, ctx, creator, false)
        .await
        .map_err(|_| Invalid::one("creator_id", "is not a creator in this workspace"))?;
    if store::set_match(&mut c, ctx.ws(), id.0, Some(creator.id), "matched", Some("manual")).await? == 0 {
        return Err(AppError::Conflict {
            message: format!("this message is already {}", row.status),
            field: Some("status".into()),
            existing: None,
        });
    }
    file_under(&mut c, ctx.ws(), creator.id, &row).await?;
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row.into())
}

/// The creator a person means when filing a message: a creator id (`cr_…`), one of their
/// email addresses, or their exact name (which must be unambiguous).
pub async fn find_creator(app: &App, ctx: &Ctx, text: &str) -> AppResult<CreatorId> {
    let text = text.trim();
    let unknown = |m: &str| AppError::from(Invalid::one("creator", m));
    if text.is_empty() {
        return Err(unknown("is required: a creator's name, email address or link"));
    }
    let id_part = text.rsplit('/').next().unwrap_or(text);
    if let Ok(id) = id_part.parse::<CreatorId>() {
        return Ok(id);
    }
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let hits = if text.contains('@') {
        store::creators_with_address(&mut c, ctx.ws(), &text.to_lowercase()).await?
    } else {
        store::creators_named(&mut c, ctx.ws(), text, 2).await?
    };
    match hits.as_slice() {
        [one] => Ok(CreatorId(*one)),
        [] => Err(unknown("matches no creator: use their exact name, an email address or their link")),
        _ => Err(unknown("matches several creators: use an email address or their link")),
    }
}

/// Dismisses a message from the review inbox (newsletters, spam).
pub async fn dismiss(app: &App, ctx: &Ctx, id: InboundId) -> AppResult<InboundView> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    if store::set_match(&mut c, ctx.ws(), id.0, None, "dismissed", None).await? == 0 {
        return Err(AppError::Conflict {
            message: format!("this message is already {}", row.status),
            field: Some("status".into()),
            existing: None,
        });
    }
    let row = store::get(&mut c, ctx.ws(), id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row.into())
}
