//! The creator portal's sign-in and what only the portal does. A creator signs in to one
//! workspace's portal with a magic link sent to an email address on their record: the
//! link's 256-bit secret is stored only as its SHA-256, works once and expires; opening it
//! shows a confirmation page and only confirming uses it up. Asking for a link answers the
//! same whether or not the address is known. A portal session acts as
//! [`Actor::Creator`], which every collaboration lookup limits to that creator's own.

use crate::App;
use crate::collaborations::require_collaboration;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::outbox::transactional::{ServiceEmail, queue_in};
use crate::timeline;
use crate::tokens;
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::diff::Change;
use rapport_core::ids::{CollaborationId, CreatorId, WorkspaceId};
use rapport_core::validation::optional_text;
use rapport_store::portal::{self as store, MagicLinkRow, PortalSessionRow, RatingRow};
use rapport_store::{Conn, creators as creator_store, workspaces};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a sign-in link works.
pub const LINK_TTL: Duration = Duration::minutes(30);
/// How long a portal session lasts.
pub const SESSION_TTL: Duration = Duration::days(7);
/// At most this many links per creator per hour; more requests answer the same but send
/// nothing.
pub const MAX_LINKS_PER_HOUR: i64 = 5;

/// A signed-in creator.
#[derive(Debug, Clone)]
pub struct PortalSession {
    pub ctx: Ctx,
    pub csrf_token: String,
    pub workspace_name: String,
}

/// What the confirmation page of a sign-in link shows.
#[derive(Debug, Clone)]
pub struct LinkInfo {
    pub creator_name: String,
    pub workspace_name: String,
}

/// A creator's rating of a collaboration as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 (poor) to 5 (excellent).
    pub score: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingView {
    /// `creator` or `brand`.
    pub rated_by: String,
    pub score: i64,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

async fn new_link(c: &mut Conn<'_>, workspace: Uuid, creator: Uuid, actor: &Actor) -> AppResult<String> {
    let token = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let t = now();
    let row = MagicLinkRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        creator_id: creator,
        expires_at: t + LINK_TTL,
        used_at: None,
        created_by: actor.to_string(),
        created_at: t,
    };
    store::insert_link(c, &row, tokens::hash(&token)).await?;
    Ok(token)
}

fn link_email<'a>(to: &'a str, creator: &str, workspace: &str, url: &str, creator_id: Uuid) -> ServiceEmail<'a> {
    let first = rapport_core::templates::first_name(creator);
    ServiceEmail {
        to,
        subject: format!("Your sign-in link to {workspace}'s creator portal"),
        body: format!(
            "Hi {first},\n\nhere is your link to {workspace}'s creator portal, where you find your briefs, \
             deliverables, feedback and offers:\n\n{url}\n\nIt works once, within {} minutes. If you did not ask \
             for it, you can ignore this email.\n",
            LINK_TTL.whole_minutes()
        ),
        creator_id: Some(creator_id),
    }
}

fn link_url(origin: &str, token: &str) -> String {
    format!("{}/portal/sign-in/{token}", origin.trim_end_matches('/'))
}

/// A creator asks for a sign-in link on a workspace's portal page. Whether or not the
/// address belongs to a creator of that workspace, the answer is the same `Ok(())`; a link
/// is emailed only when it does (and the workspace can send email).
pub async fn request_link(app: &App, workspace_slug: &str, email: &str, origin: &str) -> AppResult<()> {
    let address = rapport_core::email::parse(email).map_err(|m| Invalid::one("email", m))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let ws = workspaces::find_by_slug(&mut c, workspace_slug).await?.ok_or(AppError::NotFound)?;
    let Some((creator, name, stored)) = store::creator_by_email(&mut c, ws.id, &address.normalized).await? else {
        return Ok(());
    };
    if store::links_since(&mut c, ws.id, creator, now() - Duration::hours(1)).await? >= MAX_LINKS_PER_HOUR {
        tracing::warn!("portal sign-in links: hourly limit reached for a creator; nothing sent");
        return Ok(());
    }
    let token = new_link(&mut c, ws.id, creator, &Actor::System).await?;
    let mail = link_email(&stored, &name, &ws.name, &link_url(origin, &token), creator);
    if queue_in(&mut c, ws.id, &Actor::System, mail).await?.is_none() {
        tracing::warn!("portal sign-in link asked for, but the workspace has no SMTP server");
        return Ok(());
    }
    tx.commit().await?;
    app.outbox_wake.notify_one();
    Ok(())
}

/// The team emails a creator a sign-in link to the portal (their primary email address).
pub async fn send_link(app: &App, ctx: &Ctx, creator: CreatorId, origin: &str) -> AppResult<String> {
    ctx.require_write()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = crate::creators::require_creator(&mut c, ctx, creator, false).await?;
    let mut emails: Vec<_> =
        creator_store::contact_points(&mut c, &[row.id]).await?.into_iter().filter(|p| p.kind == "email").collect();
    emails.sort_by_key(|p| !p.is_primary);
    let Some(to) = emails.into_iter().next().map(|p| p.value) else {
        return Err(
            Invalid::one("creator", format!("{} has no email address to send the link to", row.display_name)).into()
        );
    };
    let ws = workspaces::get(&mut c, ctx.ws()).await?;
    let token = new_link(&mut c, ctx.ws(), row.id, &ctx.actor).await?;
    let mail = link_email(&to, &row.display_name, &ws.name, &link_url(origin, &token), row.id);
    if queue_in(&mut c, ctx.ws(), &ctx.actor, mail).await?.is_none() {
        return Err(AppError::Conflict {
            message: "this workspace has no SMTP server yet: an owner or admin sets it up in Settings → Email".into(),
            field: Some("smtp".into()),
            existing: None,
        });
    }
    timeline::record(
        &mut c,
        ctx,
        row.id,
        "portal.link_sent",
        vec![Change {
            field: "portal".into(),
            before: Value::Null,
            after: Value::String(format!("sign-in link sent to {to}")),
        }],
    )
    .await?;
    tx.commit().await?;
    app.outbox_wake.notify_one();
    Ok(to)
}

/// A usable link (unused, unexpired) by its secret; otherwise a 401 saying why.
async fn usable_link(c: &mut Conn<'_>, token: &str) -> AppResult<MagicLinkRow> {
    let gone = |why: &str| AppError::Unauthorized(format!("this sign-in link {why}; ask for a new one"));
    let link = store::link_by_hash(c, tokens::hash(token)).await?.ok_or_else(|| gone("is not valid"))?;
    if link.used_at.is_some() {
        return Err(gone("was already used"));
    }
    if link.expires_at <= now() {
        return Err(gone("has expired"));
    }
    Ok(link)
}

/// What the confirmation page shows; opening it does not use the link up.
pub async fn link_info(app: &App, token: &str) -> AppResult<LinkInfo> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let link = usable_link(&mut c, token).await?;
    let creator = creator_store::get(&mut c, link.workspace_id, link.creator_id).await?.ok_or(AppError::NotFound)?;
    let ws = workspaces::get(&mut c, link.workspace_id).await?;
    Ok(LinkInfo { creator_name: creator.display_name, workspace_name: ws.name })
}

/// Confirms a sign-in link: uses it up (once, atomically) and opens a portal session.
/// Returns the session's secret for the cookie.
pub async fn confirm(app: &App, token: &str) -> AppResult<(String, PortalSession)> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let link = usable_link(&mut c, token).await?;
    let t = now();
    if store::consume_link(&mut c, link.id, t).await? == 0 {
        return Err(AppError::Unauthorized("this sign-in link was already used; ask for a new one".into()));
    }
    let session = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let csrf = tokens::random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let row = PortalSessionRow {
        workspace_id: link.workspace_id,
        creator_id: link.creator_id,
        csrf_token: csrf,
        created_at: t,
        expires_at: t + SESSION_TTL,
    };
    store::insert_session(&mut c, &row, tokens::hash(&session)).await?;
    let out = session_of(&mut c, row).await?.ok_or(AppError::NotFound)?;
    timeline::record(&mut c, &out.ctx, link.creator_id, "portal.signed_in", vec![]).await?;
    tx.commit().await?;
    Ok((session, out))
}

async fn session_of(c: &mut Conn<'_>, row: PortalSessionRow) -> AppResult<Option<PortalSession>> {
    let Some(creator) = creator_store::get(c, row.workspace_id, row.creator_id).await? else { return Ok(None) };
    if creator.deleted_at.is_some() {
        return Ok(None);
    }
    let ws = workspaces::get(c, row.workspace_id).await?;
    Ok(Some(PortalSession {
        ctx: Ctx::portal(WorkspaceId(row.workspace_id), CreatorId(row.creator_id), &creator.display_name),
        csrf_token: row.csrf_token,
        workspace_name: ws.name,
    }))
}

/// The portal session of a cookie, if it is live and its creator still exists.
pub async fn resolve(app: &App, token: &str) -> AppResult<Option<PortalSession>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    match store::session_by_hash(&mut c, tokens::hash(token)).await? {
        Some(row) if row.expires_at > now() => session_of(&mut c, row).await,
        _ => Ok(None),
    }
}

/// Ends a portal session.
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    store::delete_session(&mut tx.conn(), tokens::hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

fn rating_view(r: RatingRow) -> RatingView {
    RatingView { rated_by: r.rated_by, score: r.score, comment: r.comment, updated_at: r.updated_at }
}

/// The ratings of a collaboration.
pub async fn ratings(app: &App, ctx: &Ctx, collaboration: CollaborationId) -> AppResult<Vec<RatingView>> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let collab = require_collaboration(&mut c, ctx, collaboration).await?;
    Ok(store::ratings_for(&mut c, ctx.ws(), collab.id).await?.into_iter().map(rating_view).collect())
}

/// Rates a collaboration, 1–5 with a comment: the creator in their portal, or the brand.
/// Rating again replaces the earlier rating of the same side.
pub async fn rate(app: &App, ctx: &Ctx, collaboration: CollaborationId, input: RatingInput) -> AppResult<RatingView> {
    ctx.require_contributor()?;
    let mut e = Invalid::new();
    let score = match input.score {
        Some(s) if (1..=5).contains(&s) => s,
        Some(_) => {
            e.add("score", "must be from 1 to 5");
            0
        }
        None => {
            e.add("score", "is required: from 1 to 5");
            0
        }
    };
    let comment = optional_text(&mut e, "comment", input.comment.as_deref(), 2000);
    e.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let collab = require_collaboration(&mut c, ctx, collaboration).await?;
    let t = now();
    let row = RatingRow {
        id: Uuid::now_v7(),
        collaboration_id: collab.id,
        rated_by: if ctx.creator().is_some() { "creator" } else { "brand" }.into(),
        score,
        comment,
        created_at: t,
        updated_at: t,
    };
    store::upsert_rating(&mut c, ctx.ws(), &row).await?;
    timeline::record(
        &mut c,
        ctx,
        collab.creator_id,
        "collaboration.rated",
        vec![Change {
            field: format!("{} rating of {}", row.rated_by, collab.campaign_name),
            before: Value::Null,
            after: Value::String(format!("{score}/5")),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(rating_view(row))
}

/// A file the signed-in creator may open: attached to one of their drafts or to the brief
/// of one of their campaigns; any other is a 404.
pub async fn read_file(
    app: &App,
    ctx: &Ctx,
    id: rapport_core::ids::FileId,
) -> AppResult<(crate::files::FileView, Vec<u8>)> {
    let me = ctx.creator().ok_or(AppError::NotFound)?;
    let visible = {
        let mut r = app.db.read().await?;
        store::file_visible_to_creator(&mut r.conn(), ctx.ws(), me.0, &id.to_string()).await?
    };
    if !visible {
        return Err(AppError::NotFound);
    }
    crate::files::read(app, ctx, id).await
}
