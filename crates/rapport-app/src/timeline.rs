//! The record timeline: every change is appended here with its actor and diff, in the same
//! transaction as the change itself. Read per creator, or for the whole workspace as the
//! activity feed.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, EventId};
use rapport_store::{Conn, timeline};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// One timeline entry as shown in the UI and the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    #[schema(value_type = String, example = "ev_0193…")]
    pub id: EventId,
    /// `creator.created`, `creator.updated`, `account.added`, `note.added`, …
    pub action: String,
    /// Who acted, e.g. `user:…`, `api_key:…`, `import`, `system`.
    pub actor: String,
    pub actor_label: String,
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Change>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
}

/// Appends an event about a creator (or something of theirs).
pub async fn record(c: &mut Conn<'_>, ctx: &Ctx, subject: Uuid, action: &str, changes: Vec<Change>) -> AppResult<()> {
    timeline::append(c, ctx.ws(), &event(ctx, subject, action, changes)?).await?;
    Ok(())
}

/// An event about a creator, to append (one by one with [`record`], or many at once).
pub(crate) fn event(ctx: &Ctx, subject: Uuid, action: &str, changes: Vec<Change>) -> AppResult<timeline::EventRow> {
    Ok(timeline::EventRow {
        id: Uuid::now_v7(),
        subject_type: "creator".into(),
        subject_id: subject,
        actor: ctx.actor.to_string(),
        actor_label: ctx.actor_label.clone(),
        action: action.into(),
        changes: serde_json::to_string(&changes).map_err(|e| AppError::Internal(e.to_string()))?,
        occurred_at: now(),
    })
}

/// A page of a creator's timeline, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `before` to get the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

pub async fn list_for_creator(
    app: &App,
    ctx: &Ctx,
    creator: CreatorId,
    before: Option<&str>,
    limit: i64,
) -> AppResult<EventPage> {
    let before = match before.filter(|b| !b.is_empty()) {
        Some(b) => Some(b.parse::<EventId>().map_err(|e| rapport_core::Invalid::one("before", e.to_string()))?.0),
        None => None,
    };
    let mut r = app.db.read().await?;
    crate::creators::require_creator(&mut r.conn(), ctx, creator, true).await?;
    let limit = limit.clamp(1, 200);
    let mut rows = timeline::list_for(&mut r.conn(), ctx.ws(), creator.0, before, limit).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|e| EventId(e.id).to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|e| event_view(e.id, e.action, e.actor, e.actor_label, &e.changes, e.occurred_at))
        .collect();
    Ok(EventPage { items, next_cursor })
}

/// One event of the workspace activity feed, with the creator it is about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActivityItem {
    #[serde(flatten)]
    pub event: EventView,
    /// The creator the event is about.
    #[schema(value_type = Option<String>, example = "cr_0193…")]
    pub creator_id: Option<CreatorId>,
    /// Its current name; absent when the creator no longer exists.
    pub creator_name: Option<String>,
}

/// A page of the workspace activity feed, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityPage {
    pub items: Vec<ActivityItem>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The feed's filters and paging, as they arrive in a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<String>,
    /// `me`: only what the signed-in person did.
    pub actor: Option<String>,
    /// Only actions starting with this, e.g. `task.` or `interaction.logged`.
    pub action: Option<String>,
}

fn event_view(
    id: Uuid,
    action: String,
    actor: String,
    actor_label: String,
    changes: &str,
    at: OffsetDateTime,
) -> EventView {
    EventView {
        id: EventId(id),
        action,
        actor,
        actor_label,
        changes: serde_json::from_str(changes).unwrap_or_default(),
        occurred_at: at,
    }
}

/// The workspace's timeline events, newest first, each with its creator.
pub async fn activity(app: &App, ctx: &Ctx, q: &ActivityQuery) -> AppResult<ActivityPage> {
    let mut e = rapport_core::Invalid::new();
    let limit = crate::interactions::page_limit(&mut e, q.limit.as_deref());
    let mut filter = timeline::FeedFilter::default();
    if let Some(c) = q.cursor.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        filter.before =
            c.parse::<EventId>().map_err(|_| e.add("cursor", "is not a cursor from this listing")).ok().map(|i| i.0);
    }
    match q.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => {}
        Some("me") => match ctx.actor.user_id() {
            Some(_) => filter.actor = Some(ctx.actor.to_string()),
            None => e.add("actor", "`me` needs a signed-in person, not an API key"),
        },
        Some(_) => e.add("actor", "must be `me`"),
    }
    if let Some(a) = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        if a.len() <= 60 && a.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') {
            filter.action_prefix = Some(a.to_owned());
        } else {
            e.add("action", "must be the start of an action name, such as `task.` or `interaction.logged`");
        }
    }
    e.into_result(())?;
    let mut r = app.db.read().await?;
    let mut rows = timeline::list_workspace(&mut r.conn(), ctx.ws(), &filter, limit).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|e| EventId(e.id).to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|e| ActivityItem {
            creator_id: (e.subject_type == "creator").then_some(CreatorId(e.subject_id)),
            creator_name: e.creator_name,
            event: event_view(e.id, e.action, e.actor, e.actor_label, &e.changes, e.occurred_at),
        })
        .collect();
    Ok(ActivityPage { items, next_cursor })
}
