//! The suppression list: addresses that no message from the workspace may go to, whether
//! added by hand or by a recipient's one-click unsubscribe (RFC 8058). Unsubscribing also
//! marks the creator's contact point opted out and records it on their timeline.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::outbox::change;
use crate::{timeline, tokens};
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::WorkspaceId;
use rapport_core::validation::optional_text;
use rapport_store::suppressions::{self as store, SuppressionRow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuppressionView {
    pub email: String,
    /// `unsubscribed`, `bounced` or `manual`.
    pub reason: String,
    pub note: Option<String>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<SuppressionRow> for SuppressionView {
    fn from(r: SuppressionRow) -> Self {
        SuppressionView {
            email: r.email,
            reason: r.reason,
            note: r.note,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionInput {
    pub email: Option<String>,
    pub note: Option<String>,
}

pub async fn list(app: &App, ctx: &Ctx) -> AppResult<Vec<SuppressionView>> {
    let mut p = app.db.read().await?;
    Ok(store::list(&mut p.conn(), ctx.ws(), 1000).await?.into_iter().map(Into::into).collect())
}

/// Adds an address by hand; adding one already on the list keeps the first entry.
pub async fn add(app: &App, ctx: &Ctx, input: SuppressionInput) -> AppResult<SuppressionView> {
    ctx.require_write()?;
    let mut e = Invalid::new();
    let email = match rapport_core::email::parse(input.email.as_deref().unwrap_or("")) {
        Ok(m) => m.normalized,
        Err(msg) => {
            e.add("email", msg);
            String::new()
        }
    };
    let note = optional_text(&mut e, "note", input.note.as_deref(), 500);
    e.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = SuppressionRow {
        email: email.clone(),
        reason: "manual".into(),
        note,
        created_by: ctx.actor.to_string(),
        created_at: now(),
    };
    store::add(&mut c, ctx.ws(), &row).await?;
    let stored = store::get(&mut c, ctx.ws(), &email).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(stored.into())
}

/// Takes an address off the list (a person asked to hear from us again).
pub async fn remove(app: &App, ctx: &Ctx, email: &str) -> AppResult<()> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    if store::remove(&mut tx.conn(), ctx.ws(), &email.trim().to_lowercase()).await? == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// What an unsubscribe link points at, for the confirmation page.
#[derive(Debug, Clone)]
pub struct UnsubscribeTarget {
    pub email: String,
    pub already: bool,
}

/// Looks up an unsubscribe link without changing anything.
pub async fn unsubscribe_target(app: &App, token: &str) -> AppResult<UnsubscribeTarget> {
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let t = store::find_token(&mut c, tokens::hash(token)).await?.ok_or(AppError::NotFound)?;
    let already = store::get(&mut c, t.workspace_id, &t.email).await?.is_some();
    Ok(UnsubscribeTarget { email: t.email, already })
}

/// One-click unsubscribe: the link's address joins the workspace's suppression list. Safe
/// to repeat.
pub async fn unsubscribe(app: &App, token: &str) -> AppResult<UnsubscribeTarget> {
    let hash = tokens::hash(token);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let t = store::find_token(&mut c, hash.clone()).await?.ok_or(AppError::NotFound)?;
    let at = now();
    let row = SuppressionRow {
        email: t.email.clone(),
        reason: "unsubscribed".into(),
        note: None,
        created_by: "recipient".into(),
        created_at: at,
    };
    let added = store::add(&mut c, t.workspace_id, &row).await?;
    store::mark_token_used(&mut c, hash, at).await?;
    store::opt_out_contact(&mut c, t.workspace_id, &t.email, at).await?;
    if added && let Some(creator) = t.creator_id {
        let ctx = Ctx::system(WorkspaceId(t.workspace_id), Actor::System, "Unsubscribe link");
        timeline::record(&mut c, &ctx, creator, "email.unsubscribed", vec![change("email", t.email.clone())]).await?;
    }
    tx.commit().await?;
    Ok(UnsubscribeTarget { email: t.email, already: !added })
}
