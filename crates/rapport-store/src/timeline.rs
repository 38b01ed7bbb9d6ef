//! The append-only timeline: who did what to a record, with a before/after diff.

use crate::args;
use crate::db::Conn;
use crate::error::StoreResult;
use crate::sql::{Filter, like_escape};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub actor: String,
    pub actor_label: String,
    pub action: String,
    /// JSON array of `{field, before, after}`.
    pub changes: String,
    pub occurred_at: OffsetDateTime,
}

pub async fn append(c: &mut Conn<'_>, workspace_id: Uuid, e: &EventRow) -> StoreResult<()> {
    append_many(c, workspace_id, std::slice::from_ref(e)).await
}

/// Appends many events in a few multi-row statements.
pub async fn append_many(c: &mut Conn<'_>, workspace_id: Uuid, events: &[EventRow]) -> StoreResult<()> {
    let rows = events
        .iter()
        .map(|e| {
            args![
                e.id,
                workspace_id,
                e.subject_type.clone(),
                e.subject_id,
                e.actor.clone(),
                e.actor_label.clone(),
                e.action.clone(),
                e.changes.clone(),
                e.occurred_at
            ]
        })
        .collect();
    crate::bulk::insert(
        c,
        "INSERT INTO timeline_events (id, workspace_id, subject_type, subject_id, actor, actor_label, action, changes, occurred_at)",
        9,
        "",
        rows,
    )
    .await?;
    Ok(())
}

/// A subject's events, newest first, starting after the event id `before` (ids are
/// time-ordered, so the id alone is a stable cursor).
pub async fn list_for(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    subject_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> StoreResult<Vec<EventRow>> {
    let cols = "id, subject_type, subject_id, actor, actor_label, action, changes, occurred_at";
    match before {
        Some(b) => {
            c.fetch_all(
                format!(
                    "SELECT {cols} FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2 AND id < $3 \
                     ORDER BY id DESC LIMIT $4"
                ),
                args![workspace_id, subject_id, b, limit + 1],
            )
            .await
        }
        None => {
            c.fetch_all(
                format!(
                    "SELECT {cols} FROM timeline_events WHERE workspace_id = $1 AND subject_id = $2 \
                     ORDER BY id DESC LIMIT $3"
                ),
                args![workspace_id, subject_id, limit + 1],
            )
            .await
        }
    }
}

/// An event of the workspace feed, with the name of the creator it is about (absent when
/// that creator no longer exists).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: Uuid,
    pub subject_type: String,
    pub subject_id: Uuid,
    pub actor: String,
    pub actor_label: String,
    pub action: String,
    pub changes: String,
    pub occurred_at: OffsetDateTime,
    pub creator_name: Option<String>,
}

/// What the workspace feed shows.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Older than this event (the cursor).
    pub before: Option<Uuid>,
    /// Only this actor's events (stored form, `user:…`).
    pub actor: Option<String>,
    /// Only actions starting with this (`task.`, `interaction.`).
    pub action_prefix: Option<String>,
}

/// The workspace's events, newest first (at most `limit + 1`, so the caller can tell
/// whether there is a next page).
pub async fn list_workspace(
    c: &mut Conn<'_>,
    workspace_id: Uuid,
    filter: &FeedFilter,
    limit: i64,
) -> StoreResult<Vec<FeedRow>> {
    let mut f = Filter::with_args(args![workspace_id]);
    if let Some(b) = filter.before {
        f.and("t.id < ?", args![b]);
    }
    if let Some(a) = &filter.actor {
        f.and("t.actor = ?", args![a.clone()]);
    }
    if let Some(p) = &filter.action_prefix {
        f.and("t.action LIKE ? ESCAPE '\\'", args![format!("{}%", like_escape(p))]);
    }
    let clauses = f.and_clauses();
    let lim = crate::sql::limit(limit + 1);
    let (sql, a) = f.finish(format!(
        "SELECT t.id, t.subject_type, t.subject_id, t.actor, t.actor_label, t.action, t.changes, t.occurred_at, \
         c.display_name AS creator_name FROM timeline_events t \
         LEFT JOIN creators c ON c.id = t.subject_id AND c.workspace_id = t.workspace_id \
         WHERE t.workspace_id = $1{clauses} ORDER BY t.id DESC {lim}"
    ));
    c.fetch_all(sql, a).await
}
