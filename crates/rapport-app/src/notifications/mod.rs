//! Notifications to team members about a collaboration's events — a new draft submission,
//! a decision on one, an overdue draft, an offer about to expire. [`notify`] writes one
//! in-app row per person inside the caller's transaction and, when the workspace has an
//! SMTP server, queues a system email to the member through the outbox (never subject to
//! creator do-not-contact or suppression); without one, the email is recorded as skipped.
//! A `source_key` unique per person makes repeats (a periodic scan) harmless. The events
//! and the periodic scan are in [`events`]. Each person reads and marks only their own
//! notifications in the current workspace; an API key acts for the member who created it,
//! and a key created by no member (the CLI) gets 403.

pub mod events;

use crate::App;
use crate::context::{Ctx, Scope};
use crate::error::{AppError, AppResult};
use crate::outbox::transactional::{ServiceEmail, queue_in};
use rapport_core::Invalid;
use rapport_core::actor::{Actor, now};
use rapport_core::ids::{NotificationId, WorkspaceId};
use rapport_store::notifications::{self as store, NotificationRow};
use rapport_store::{Conn, api_keys, campaigns, collaborations, mail_settings, users};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Submission,
    Decision,
    OverdueDraft,
    OfferExpiring,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Submission => "submission",
            Kind::Decision => "decision",
            Kind::OverdueDraft => "overdue_draft",
            Kind::OfferExpiring => "offer_expiring",
        }
    }
}

/// One event to tell people about.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: Kind,
    pub subject: String,
    pub body: String,
    /// A path in the app (`/collaborations/col_…`).
    pub link: String,
    /// The event's natural key (`submission:<id>`): a person is told about it once.
    pub source_key: String,
}

/// A notification as its recipient sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    #[schema(value_type = String, example = "nf_0193…")]
    pub id: NotificationId,
    /// `submission`, `decision`, `overdue_draft` or `offer_expiring`.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// The page of the item, a path in the app.
    pub link: String,
    pub read: bool,
    /// `queued` (an email went to the outbox) or `skipped` (see `email_note`).
    pub email_status: String,
    pub email_note: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<NotificationRow> for NotificationView {
    fn from(r: NotificationRow) -> Self {
        NotificationView {
            id: NotificationId(r.id),
            kind: r.kind,
            subject: r.subject,
            body: r.body,
            link: r.link,
            read: r.read_at.is_some(),
            email_status: r.email_status,
            email_note: r.email_note,
            read_at: r.read_at,
            created_at: r.created_at,
        }
    }
}

/// Which notifications a list shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// How many were marked read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// Tells `recipients` (members of `workspace`; others are left out) about `notice`: an
/// in-app row each and, with SMTP set up, a queued email each. Runs in the caller's
/// transaction. Returns how many people were newly notified.
pub async fn notify(
    c: &mut Conn<'_>,
    workspace: WorkspaceId,
    recipients: &[Uuid],
    notice: &Notice,
) -> AppResult<usize> {
    if recipients.is_empty() {
        return Ok(0);
    }
    let ws = workspace.0;
    let members = users::list_members(c, ws).await?;
    let settings = mail_settings::get(c, ws).await?;
    let mut told = 0;
    for m in members.iter().filter(|m| recipients.contains(&m.user_id)) {
        let at = now();
        let row = NotificationRow {
            id: NotificationId::new().0,
            workspace_id: ws,
            user_id: m.user_id,
            kind: notice.kind.slug().into(),
            subject: notice.subject.clone(),
            body: notice.body.clone(),
            link: notice.link.clone(),
            source_key: notice.source_key.clone(),
            email_status: if settings.is_some() { "queued" } else { "skipped" }.into(),
            email_note: settings.is_none().then(|| "the workspace has no SMTP server".into()),
            email_outbox_id: None,
            read_at: None,
            created_at: at,
        };
        if store::insert(c, &row).await? == 0 {
            continue;
        }
        told += 1;
        if settings.is_some() {
            let body = format!("Hi {},\n\n{}\n\nOpen it in Rapport: {}\n", m.name, notice.body, notice.link);
            let mail = ServiceEmail { to: &m.email, subject: notice.subject.clone(), body, creator_id: None };
            if let Some(id) = queue_in(c, ws, &Actor::System, mail).await? {
                store::set_email(c, row.id, id).await?;
            }
        }
    }
    Ok(told)
}

/// Who hears about a collaboration's events: its owner and the campaign's team, or the
/// workspace's owners and admins when there is nobody; never `actor`.
pub async fn team_of(c: &mut Conn<'_>, ws: Uuid, collaboration: Uuid, actor: Option<Uuid>) -> AppResult<Vec<Uuid>> {
    let Some(collab) = collaborations::get(c, ws, collaboration).await? else { return Ok(vec![]) };
    let members = users::list_members(c, ws).await?;
    let is_member = |u: &Uuid| members.iter().any(|m| m.user_id == *u);
    let mut team: Vec<Uuid> = collab.owner_id.into_iter().collect();
    team.extend(campaigns::members(c, ws, &[collab.campaign_id]).await?.into_iter().map(|(_, u)| u));
    team.retain(is_member);
    if team.is_empty() {
        team = members.iter().filter(|m| m.role == "owner" || m.role == "admin").map(|m| m.user_id).collect();
    }
    team.sort_unstable();
    team.dedup();
    team.retain(|u| Some(*u) != actor);
    Ok(team)
}

/// The person a caller reads notifications as: the signed-in member, or the member who
/// created the API key (while still a member).
async fn me(c: &mut Conn<'_>, ctx: &Ctx) -> AppResult<Uuid> {
    let user = match ctx.actor {
        Actor::User(u) => Some(u.0),
        Actor::ApiKey(k) => match Actor::parse(&api_keys::get(c, ctx.ws(), k.0).await?.created_by) {
            Actor::User(u) => Some(u.0),
            _ => None,
        },
        _ => None,
    };
    match user {
        Some(u) if users::role_of(c, ctx.ws(), u).await?.is_some() => Ok(u),
        _ => Err(AppError::Forbidden("notifications belong to a person; this API key was created by no member".into())),
    }
}

fn require_mark(ctx: &Ctx) -> AppResult<()> {
    if ctx.scope == Scope::Read {
        return Err(AppError::Forbidden("this API key is read-only".into()));
    }
    Ok(())
}

/// The caller's notifications in this workspace: unread first, newest first.
pub async fn list(app: &App, ctx: &Ctx, q: &NotificationQuery) -> AppResult<Vec<NotificationView>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Invalid::one("limit", "must be between 1 and 200").into());
    }
    let mut p = app.db.read().await?;
    let mut c = p.conn();
    let user = me(&mut c, ctx).await?;
    let rows = store::list(&mut c, ctx.ws(), user, q.unread.unwrap_or(false), limit).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Marks one of the caller's notifications read; anyone else's is 404.
pub async fn mark_read(app: &App, ctx: &Ctx, id: NotificationId) -> AppResult<NotificationView> {
    require_mark(ctx)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let user = me(&mut c, ctx).await?;
    if store::mark_read(&mut c, ctx.ws(), user, id.0, now()).await? == 0 {
        return Err(AppError::NotFound);
    }
    let row = store::get(&mut c, ctx.ws(), user, id.0).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row.into())
}

/// Marks all of the caller's notifications in this workspace read.
pub async fn mark_all_read(app: &App, ctx: &Ctx) -> AppResult<MarkedRead> {
    require_mark(ctx)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let user = me(&mut c, ctx).await?;
    let marked = store::mark_all_read(&mut c, ctx.ws(), user, now()).await?;
    tx.commit().await?;
    Ok(MarkedRead { marked })
}

/// The navigation badge: the signed-in member's unread count (one query).
pub async fn unread_count(app: &App, workspace: WorkspaceId, user: Uuid) -> AppResult<i64> {
    let mut p = app.db.read().await?;
    Ok(store::unread_count(&mut p.conn(), workspace.0, user).await?)
}
