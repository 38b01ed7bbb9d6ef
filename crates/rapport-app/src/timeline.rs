//! The record timeline: every change is appended here with its actor and diff, in the same
//! transaction as the change itself.

use crate::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use rapport_core::actor::now;
use rapport_core::diff::Change;
use rapport_core::ids::{CreatorId, EventId};
use rapport_store::{Conn, timeline};
use serde::Serialize;
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
    timeline::append(
        c,
        ctx.ws(),
        &timeline::EventRow {
            id: Uuid::now_v7(),
            subject_type: "creator".into(),
            subject_id: subject,
            actor: ctx.actor.to_string(),
            actor_label: ctx.actor_label.clone(),
            action: action.into(),
            changes: serde_json::to_string(&changes).map_err(|e| AppError::Internal(e.to_string()))?,
            occurred_at: now(),
        },
    )
    .await?;
    Ok(())
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
        .map(|e| EventView {
            id: EventId(e.id),
            action: e.action,
            actor: e.actor,
            actor_label: e.actor_label,
            changes: serde_json::from_str(&e.changes).unwrap_or_default(),
            occurred_at: e.occurred_at,
        })
        .collect();
    Ok(EventPage { items, next_cursor })
}
